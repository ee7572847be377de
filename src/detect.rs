//! Deciding what an input is, from its shape alone. Detection never fails: what it cannot place
//! is `unknown`, with the list of what was tried.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::codec::{base64, json};
use crate::input::unwrap_pasted;
use crate::limits::MAX_TOKEN_BYTES;

/// The `kind` of a report (SPEC.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Jwt,
    /// The JWS JSON serialisation, general or flattened (RFC 7515 §7.2).
    JwsJson,
    Jwe,
    Jwk,
    Jwks,
    OidcDiscovery,
    SamlResponse,
    SamlAssertion,
    SamlAuthnRequest,
    /// A LogoutRequest or LogoutResponse.
    SamlLogout,
    SamlMetadata,
    X509,
    StsError,
    /// A public or private key alone (PEM or DER).
    Key,
    /// Containers (SPEC.md): their report comes first, then one per artifact found in them.
    TokenResponse,
    HtmlForm,
    Har,
    SamlTracer,
    RpError,
    AppRegistration,
    Unknown,
}

/// Written as [`Kind::as_str`] names it: one spelling for serde and the JSON-lines writer.
impl Serialize for Kind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Kind {
    /// The name used in JSON and on the terminal (SPEC.md's kinds).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Jwt => "jwt",
            Kind::JwsJson => "jws-json",
            Kind::Jwe => "jwe",
            Kind::Jwk => "jwk",
            Kind::Jwks => "jwks",
            Kind::OidcDiscovery => "oidc-discovery",
            Kind::SamlResponse => "saml-response",
            Kind::SamlAssertion => "saml-assertion",
            Kind::SamlAuthnRequest => "saml-authn-request",
            Kind::SamlLogout => "saml-logout",
            Kind::SamlMetadata => "saml-metadata",
            Kind::X509 => "x509",
            Kind::StsError => "sts-error",
            Kind::Key => "key",
            Kind::TokenResponse => "token-response",
            Kind::HtmlForm => "html-form",
            Kind::Har => "har",
            Kind::SamlTracer => "saml-tracer",
            Kind::RpError => "rp-error",
            Kind::AppRegistration => "app-registration",
            Kind::Unknown => "unknown",
        }
    }
}

/// What detection found: the kind and the normalised content to decode.
#[derive(Debug)]
pub enum Detected {
    /// A compact JWS (three segments) or JWE (five), whitespace and decorations removed;
    /// `header` is its header when recognising it decoded it strictly (inspection reuses it).
    Compact {
        kind: Kind,
        token: String,
        header: Option<Box<crate::artifact::jose::JoseHeader>>,
    },
    /// A token by its header whose body was damaged (cut by a log, padded, wrapped, ...).
    Damaged {
        kind: Kind,
        token: Box<crate::artifact::compact::DamagedToken>,
    },
    /// A compact serialisation that is not well formed (wrong segment count, oversize).
    BadCompact {
        kind: Kind,
        token: String,
        problem: String,
    },
    /// A JSON object classified by its members.
    Json {
        kind: Kind,
        object: Map<String, Value>,
    },
    /// JSON that does not parse; `kind` is a guess from its text.
    BadJson {
        kind: Kind,
        problem: crate::codec::json::JsonError,
    },
    /// PEM text with one or more blocks.
    Pem { kind: Kind, text: String },
    /// Binary DER (a certificate file, or base64 DER as found in `x5c`).
    Der { bytes: Vec<u8> },
    /// The text of an Entra error (the sign-in page or an error_description).
    ErrorText { text: String },
    /// XML: SAML messages and metadata.
    Xml { text: String },
    /// An HTML page (a saved auto-posting form, Entra's error page).
    Html { text: String },
    /// An error printed by a relying party's library (IDX…, PyJWT, jose, …).
    LibraryError { text: String },
    /// A SAML message in a transport encoding (base64, DEFLATE, URL, form body), decoded.
    Saml {
        decoded: Result<crate::saml::binding::Decoded, crate::saml::binding::BindingError>,
    },
    Unknown {
        tried: Vec<&'static str>,
        note: Option<String>,
    },
}

impl Detected {
    pub fn kind(&self) -> Kind {
        match self {
            Detected::Compact { kind, .. }
            | Detected::BadCompact { kind, .. }
            | Detected::Damaged { kind, .. }
            | Detected::Json { kind, .. }
            | Detected::BadJson { kind, .. }
            | Detected::Pem { kind, .. } => *kind,
            Detected::Der { .. } => Kind::X509,
            Detected::ErrorText { .. } => Kind::StsError,
            Detected::Html { .. } => Kind::HtmlForm,
            Detected::LibraryError { .. } => Kind::RpError,
            Detected::Xml { .. } | Detected::Saml { .. } | Detected::Unknown { .. } => {
                Kind::Unknown
            }
        }
    }
}

const TRIED: &[&str] = &[
    "JWT/JWE compact serialisation",
    "JSON (JWK, JWKS, OIDC discovery, OAuth error body)",
    "PEM, DER or base64 DER (X.509 certificate)",
    "Entra error text (AADSTS…)",
    "a relying party library's error (IDX…, PyJWT, jose, Spring, passport, SAML toolkits)",
];

pub fn detect(bytes: &[u8]) -> Detected {
    // Binary DER certificates are not text; recognise them before any UTF-8 decoding.
    if looks_like_der_sequence(bytes) {
        return Detected::Der {
            bytes: bytes.to_vec(),
        };
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        // XML in UTF-16 (a metadata file saved on Windows) or in a legacy 8-bit encoding.
        if let Some(decoded) = crate::saml::binding::decode_non_utf8(bytes) {
            return Detected::Saml { decoded };
        }
        return Detected::Unknown {
            tried: TRIED.to_vec(),
            note: Some("the input is binary and not a DER certificate".into()),
        };
    };
    let t = unwrap_pasted(text);
    if t.is_empty() {
        return Detected::Unknown {
            tried: TRIED.to_vec(),
            note: Some("the input is empty".into()),
        };
    }
    if t.starts_with('{') {
        return detect_json(t);
    }
    if t.starts_with("-----BEGIN") {
        let kind = if t.contains("-----BEGIN CERTIFICATE-----") {
            Kind::X509
        } else if crate::capture::key::pem_has_key(t) {
            Kind::Key
        } else {
            Kind::Unknown
        };
        return Detected::Pem {
            kind,
            text: t.to_string(),
        };
    }
    if crate::capture::html::looks_like_html(t) {
        return Detected::Html {
            text: t.to_string(),
        };
    }
    if t.starts_with('<') {
        return Detected::Xml {
            text: t.to_string(),
        };
    }
    if let Some(d) = detect_compact(t) {
        return d;
    }
    if let Some(der) = base64_der_certificate(t) {
        return Detected::Der { bytes: der };
    }
    if let Some(decoded) = crate::saml::binding::decode(t) {
        return Detected::Saml { decoded };
    }
    if keyprobe_core::aadsts::mentions_a_code(t) {
        return Detected::ErrorText {
            text: t.to_string(),
        };
    }
    if crate::artifact::rp_error::RpError::recognise(t).is_some() {
        return Detected::LibraryError {
            text: t.to_string(),
        };
    }
    Detected::Unknown {
        tried: TRIED.to_vec(),
        note: None,
    }
}

fn detect_json(text: &str) -> Detected {
    match json::parse_object(text.as_bytes()) {
        Ok(object) => {
            let kind = classify_json(&object);
            Detected::Json { kind, object }
        }
        Err(problem) => {
            // Guess the kind from the raw text so the report says what it was meant to be.
            let kind = if text.contains("\"payload\"") && text.contains("\"signature") {
                Kind::JwsJson
            } else if text.contains("\"keys\"") {
                Kind::Jwks
            } else if text.contains("\"kty\"") {
                Kind::Jwk
            } else if text.contains("\"jwks_uri\"") || text.contains("\"authorization_endpoint\"") {
                Kind::OidcDiscovery
            } else if text.contains("\"error\"") {
                Kind::StsError
            } else {
                Kind::Unknown
            };
            Detected::BadJson { kind, problem }
        }
    }
}

/// Classifies a JSON object by its members.
pub(crate) fn classify_json(object: &Map<String, Value>) -> Kind {
    if keyprobe_core::jws_json::looks_like(object) {
        Kind::JwsJson
    } else if object.get("keys").is_some_and(Value::is_array) {
        Kind::Jwks
    } else if object.contains_key("kty") {
        Kind::Jwk
    } else if object.contains_key("issuer")
        && (object.contains_key("jwks_uri") || object.contains_key("authorization_endpoint"))
    {
        Kind::OidcDiscovery
    } else if crate::capture::token_response::is_token_response(object) {
        Kind::TokenResponse
    } else if object
        .get("log")
        .is_some_and(|l| l.get("entries").is_some_and(Value::is_array))
    {
        Kind::Har
    } else if object.get("requests").is_some_and(Value::is_array) && object.len() <= 3 {
        Kind::SamlTracer
    } else if crate::artifact::app_registration::looks_like(object) {
        Kind::AppRegistration
    } else if object.get("error").is_some_and(Value::is_string)
        && (object.contains_key("error_description") || object.contains_key("error_codes"))
    {
        Kind::StsError
    } else if crate::artifact::rp_error::in_log_record(object).is_some() {
        Kind::RpError
    } else {
        Kind::Unknown
    }
}

fn detect_compact(t: &str) -> Option<Detected> {
    use crate::artifact::compact::{recognise, Recognised, TokenKind};
    let kind_of = |k| match k {
        TokenKind::Jws => Kind::Jwt,
        TokenKind::Jwe => Kind::Jwe,
    };
    // A token is known by its header, whatever happened to the rest.
    match recognise(t) {
        Some(Recognised::Intact { kind, header }) => {
            return Some(Detected::Compact {
                kind: kind_of(kind),
                token: t.to_string(),
                header: Some(header),
            })
        }
        Some(Recognised::Damaged(token)) => {
            return Some(Detected::Damaged {
                kind: kind_of(token.kind),
                token,
            })
        }
        None => {}
    }
    // One pass: count the dots and check the alphabet together.
    let mut dots = 0usize;
    let mut token_like = true;
    for b in t.bytes() {
        if b == b'.' {
            dots += 1;
        } else if !base64::looks_like_base64url_byte(b) {
            token_like = false;
            break;
        }
    }
    // A JOSE header is a JSON object, so its base64url starts with "ey" ("{" + quote); without
    // that, three or five dot-separated base64url segments still have a token's shape.
    let jose_like =
        token_like && (t.starts_with("ey") || ((dots == 2 || dots == 4) && !t.starts_with('.')));
    if !jose_like || dots == 0 {
        return None;
    }
    let kind = if dots == 4 { Kind::Jwe } else { Kind::Jwt };
    if t.len() > MAX_TOKEN_BYTES {
        let problem = format!(
            "the token is {} bytes, more than the {} byte limit",
            t.len(),
            MAX_TOKEN_BYTES
        );
        return Some(Detected::BadCompact {
            kind,
            token: String::new(),
            problem,
        });
    }
    if dots != 2 && dots != 4 {
        let problem = format!(
            "a compact JWS has 3 segments and a JWE 5; this token has {} (did a copy cut it, or join two tokens?)",
            dots + 1
        );
        return Some(Detected::BadCompact {
            kind,
            token: t.to_string(),
            problem,
        });
    }
    Some(Detected::Compact {
        kind,
        token: t.to_string(),
        header: None,
    })
}

/// A DER SEQUENCE with a long-form length that spans the whole input: the shape of a certificate.
fn looks_like_der_sequence(bytes: &[u8]) -> bool {
    match bytes {
        [0x30, 0x82, hi, lo, rest @ ..] => usize::from(*hi) << 8 | usize::from(*lo) == rest.len(),
        [0x30, 0x81, len, rest @ ..] => usize::from(*len) == rest.len(),
        // Short form: small keys (an Ed25519 or P-256 SubjectPublicKeyInfo is under 128 bytes).
        [0x30, len, rest @ ..] if *len < 0x80 && *len >= 0x20 => usize::from(*len) == rest.len(),
        _ => false,
    }
}

fn base64_der_certificate(t: &str) -> Option<Vec<u8>> {
    if !t.starts_with("MII") {
        return None;
    }
    let der = base64::decode_standard(t).ok()?;
    looks_like_der_sequence(&der).then_some(der)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_shapes() {
        assert_eq!(detect(b"Bearer eyJhbGciOiJub25lIn0.e30.").kind(), Kind::Jwt);
        // {"alg":"RSA-OAEP","enc":"A128GCM"}: a JWE by its header.
        assert_eq!(
            detect(b"eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkExMjhHQ00ifQ.a.b.c.d").kind(),
            Kind::Jwe
        );
        // {"alg":"RSA-OAEP"} with five segments: no enc, so no JWE.
        assert_eq!(
            detect(b"eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d").kind(),
            Kind::Jwt
        );
        assert_eq!(detect(br#"{"keys":[]}"#).kind(), Kind::Jwks);
        assert_eq!(detect(br#"{"kty":"RSA"}"#).kind(), Kind::Jwk);
        assert_eq!(
            detect(br#"{"error":"invalid_client","error_description":"AADSTS7000215: x"}"#).kind(),
            Kind::StsError
        );
        assert_eq!(
            detect(b"Sorry\nAADSTS50003: Sign-in failed").kind(),
            Kind::StsError
        );
        assert_eq!(detect(b"hello").kind(), Kind::Unknown);
        assert_eq!(detect(b"").kind(), Kind::Unknown);
        assert!(matches!(
            detect(b"eyJhbGciOiJub25lIn0.e30"),
            Detected::Damaged {
                kind: Kind::Jwt,
                ..
            }
        ));
        assert!(matches!(
            detect(br#"{"keys":[}"#),
            Detected::BadJson {
                kind: Kind::Jwks,
                ..
            }
        ));
    }
}
