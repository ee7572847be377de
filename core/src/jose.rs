//! JOSE: JWS algorithm names (RFC 7518, RFC 8037) and compact JWS/JWE decoding (RFC 7515, RFC 7516),
//! strict: base64url without padding, JSON without duplicate members, bounded.

use std::sync::Arc;

use openssl::hash::MessageDigest;
use serde_json::{Map, Value};

use crate::base64::{self, Base64Error};
use crate::json::{self, JsonError, Object};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// A JWS signature algorithm (`alg`).
pub enum Alg {
    /// HMAC with SHA-256.
    Hs256,
    /// HMAC with SHA-384.
    Hs384,
    /// HMAC with SHA-512.
    Hs512,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (what Entra signs with).
    Rs256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    Rs384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    Rs512,
    /// RSASSA-PSS with SHA-256.
    Ps256,
    /// RSASSA-PSS with SHA-384.
    Ps384,
    /// RSASSA-PSS with SHA-512.
    Ps512,
    /// ECDSA on P-256 with SHA-256.
    Es256,
    /// ECDSA on P-384 with SHA-384.
    Es384,
    /// ECDSA on P-521 with SHA-512.
    Es512,
    /// EdDSA (Ed25519 or Ed448, RFC 8037).
    EdDsa,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// The key family an algorithm belongs to.
pub enum AlgFamily {
    /// HS*: a shared secret.
    Hmac,
    /// RS*: an RSA key, PKCS #1 v1.5 padding.
    RsaPkcs1,
    /// PS*: an RSA key, PSS padding.
    RsaPss,
    /// ES*: an EC key on the algorithm's curve.
    Ecdsa,
    /// EdDSA: an OKP key.
    EdDsa,
}

impl Alg {
    /// Parses a JWS `alg`. Names are case-sensitive (RFC 7515 §4.1.1); `none` is not a signature
    /// algorithm and is handled before this.
    pub fn parse(name: &str) -> Option<Alg> {
        Some(match name {
            "HS256" => Alg::Hs256,
            "HS384" => Alg::Hs384,
            "HS512" => Alg::Hs512,
            "RS256" => Alg::Rs256,
            "RS384" => Alg::Rs384,
            "RS512" => Alg::Rs512,
            "PS256" => Alg::Ps256,
            "PS384" => Alg::Ps384,
            "PS512" => Alg::Ps512,
            "ES256" => Alg::Es256,
            "ES384" => Alg::Es384,
            "ES512" => Alg::Es512,
            "EdDSA" => Alg::EdDsa,
            _ => return None,
        })
    }

    /// The registered `alg` name ("RS256").
    pub fn name(self) -> &'static str {
        match self {
            Alg::Hs256 => "HS256",
            Alg::Hs384 => "HS384",
            Alg::Hs512 => "HS512",
            Alg::Rs256 => "RS256",
            Alg::Rs384 => "RS384",
            Alg::Rs512 => "RS512",
            Alg::Ps256 => "PS256",
            Alg::Ps384 => "PS384",
            Alg::Ps512 => "PS512",
            Alg::Es256 => "ES256",
            Alg::Es384 => "ES384",
            Alg::Es512 => "ES512",
            Alg::EdDsa => "EdDSA",
        }
    }

    /// The key family the algorithm needs.
    pub fn family(self) -> AlgFamily {
        match self {
            Alg::Hs256 | Alg::Hs384 | Alg::Hs512 => AlgFamily::Hmac,
            Alg::Rs256 | Alg::Rs384 | Alg::Rs512 => AlgFamily::RsaPkcs1,
            Alg::Ps256 | Alg::Ps384 | Alg::Ps512 => AlgFamily::RsaPss,
            Alg::Es256 | Alg::Es384 | Alg::Es512 => AlgFamily::Ecdsa,
            Alg::EdDsa => AlgFamily::EdDsa,
        }
    }

    /// The digest, for every family but EdDSA (which hashes internally).
    pub fn digest(self) -> Option<MessageDigest> {
        Some(match self {
            Alg::Hs256 | Alg::Rs256 | Alg::Ps256 | Alg::Es256 => MessageDigest::sha256(),
            Alg::Hs384 | Alg::Rs384 | Alg::Ps384 | Alg::Es384 => MessageDigest::sha384(),
            Alg::Hs512 | Alg::Rs512 | Alg::Ps512 | Alg::Es512 => MessageDigest::sha512(),
            Alg::EdDsa => return None,
        })
    }

    /// Digest output length in bytes (HMAC tag length, minimum HMAC key length).
    pub fn digest_len(self) -> usize {
        self.digest().map(|d| d.size()).unwrap_or(64)
    }

    /// The JWK `kty` this algorithm needs.
    pub fn kty(self) -> &'static str {
        match self.family() {
            AlgFamily::Hmac => "oct",
            AlgFamily::RsaPkcs1 | AlgFamily::RsaPss => "RSA",
            AlgFamily::Ecdsa => "EC",
            AlgFamily::EdDsa => "OKP",
        }
    }

    /// The JWK `crv` this algorithm needs, for curve-bound families.
    pub fn curve(self) -> Option<&'static str> {
        match self {
            Alg::Es256 => Some("P-256"),
            Alg::Es384 => Some("P-384"),
            Alg::Es512 => Some("P-521"),
            Alg::EdDsa => Some("Ed25519"),
            _ => None,
        }
    }

    /// True for the HMAC algorithms (a shared secret, no public key).
    pub fn is_symmetric(self) -> bool {
        self.family() == AlgFamily::Hmac
    }
}

/// True for `none` in any spelling (`None`, `NONE`, `nOnE`): libraries have been fooled by case.
pub fn is_none_alg(name: &str) -> bool {
    name.eq_ignore_ascii_case("none")
}

/// Which part of a compact serialisation a problem is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The whole token (segment count).
    Token,
    /// The protected header (segment 1).
    Header,
    /// A JWS payload (segment 2).
    Payload,
    /// A JWS signature (segment 3).
    Signature,
    /// A JWE encrypted key (segment 2).
    EncryptedKey,
    /// A JWE initialisation vector (segment 3).
    Iv,
    /// A JWE ciphertext (segment 4).
    Ciphertext,
    /// A JWE authentication tag (segment 5).
    Tag,
}

impl Part {
    /// How the part is named in messages and evidence ("header (segment 1)").
    pub fn name(self) -> &'static str {
        match self {
            Part::Token => "token",
            Part::Header => "header (segment 1)",
            Part::Payload => "payload (segment 2)",
            Part::Signature => "signature (segment 3)",
            Part::EncryptedKey => "encrypted key (segment 2)",
            Part::Iv => "initialisation vector (segment 3)",
            Part::Ciphertext => "ciphertext (segment 4)",
            Part::Tag => "authentication tag (segment 5)",
        }
    }
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What is wrong with one part.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// A JWS without exactly three dot-separated segments.
    #[error("a compact JWS has exactly three segments")]
    JwsSegments,
    /// A JWE without exactly five dot-separated segments.
    #[error("a compact JWE has exactly five segments")]
    JweSegments,
    /// A segment that is not strict base64url.
    #[error(transparent)]
    Base64(#[from] Base64Error),
    /// A header that is not strict JSON (or not an object).
    #[error(transparent)]
    Json(#[from] JsonError),
    /// A header member of the wrong JSON type.
    #[error("\"{member}\" must be a string, found {found}")]
    NotAString {
        /// The member's name.
        member: &'static str,
        /// The JSON type found instead ("a number").
        found: &'static str,
    },
    /// A `jwk` header member that is not an object.
    #[error("\"jwk\" must be a JSON object")]
    JwkNotAnObject,
    /// A `b64` header member (RFC 7797) that is not a boolean.
    #[error("\"b64\" must be a boolean")]
    B64NotABoolean,
}

/// A compact JWS or JWE that cannot be decoded: where, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{part}: {problem}")]
pub struct JoseError {
    /// The part the problem is in.
    pub part: Part,
    /// What is wrong with it.
    pub problem: Problem,
}

impl JoseError {
    fn new(part: Part, problem: impl Into<Problem>) -> Self {
        JoseError {
            part,
            problem: problem.into(),
        }
    }
}

/// A decoded compact JWS. The signing input is kept as the exact bytes that were signed.
#[derive(Debug, Clone)]
pub struct Jws {
    /// The protected header.
    pub header: JoseHeader,
    /// The claims when the payload is a JSON object; otherwise the raw payload.
    pub payload: Payload,
    /// The signature, decoded from base64url.
    pub signature: Vec<u8>,
    signing_input: String,
}

/// A JWS payload: a claim set, or something else kept as bytes.
#[derive(Debug, Clone)]
pub enum Payload {
    /// A JSON object: the claim set, its members in order.
    Claims(Object),
    /// Not a JSON object (or not JSON at all): kept as bytes, shown as text when it is UTF-8.
    Other {
        /// The decoded payload.
        bytes: Vec<u8>,
        /// Why it is not a claim set.
        why: NotClaims,
    },
}

/// Why a payload is not a claim set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotClaims {
    /// The header says `b64: false` (RFC 7797): the payload is not base64url-encoded JSON.
    #[error("unencoded payload (b64: false)")]
    Unencoded,
    /// Not strict JSON, or not an object.
    #[error(transparent)]
    Json(#[from] JsonError),
}

impl Jws {
    /// The bytes the signature covers: `header.payload` as they appear in the token.
    pub fn signing_input(&self) -> &[u8] {
        self.signing_input.as_bytes()
    }

    /// The claim set, when the payload is one.
    pub fn claims(&self) -> Option<&Object> {
        match &self.payload {
            Payload::Claims(c) => Some(c),
            Payload::Other { .. } => None,
        }
    }

    /// Decodes a compact JWS with exactly three segments.
    pub fn decode(token: &str) -> Result<Jws, JoseError> {
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JoseError::new(Part::Token, Problem::JwsSegments));
        };
        let header = JoseHeader::decode(h)?;
        Jws::from_parts(header, h, p, s)
    }

    /// [`Jws::decode`] with the header already decoded from the token's first segment by the
    /// same [`JoseHeader::decode`] (recognising a token decodes it): it is not decoded again.
    pub fn decode_with_header(token: &str, header: JoseHeader) -> Result<Jws, JoseError> {
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JoseError::new(Part::Token, Problem::JwsSegments));
        };
        Jws::from_parts(header, h, p, s)
    }

    /// Assembles a JWS from its encoded parts as they appear in the input (`protected` may be empty
    /// in the JSON serialisation): the signing input is `protected.payload`, byte for byte.
    pub fn from_parts(
        header: JoseHeader,
        protected: &str,
        payload: &str,
        signature: &str,
    ) -> Result<Jws, JoseError> {
        let payload_bytes =
            base64::decode_url(payload).map_err(|e| JoseError::new(Part::Payload, e))?;
        let mut signing_input = String::with_capacity(protected.len() + 1 + payload.len());
        signing_input.push_str(protected);
        signing_input.push('.');
        signing_input.push_str(payload);
        let payload = if header.b64 == Some(false) {
            Payload::Other {
                bytes: payload_bytes,
                why: NotClaims::Unencoded,
            }
        } else {
            match json::parse_members(&payload_bytes) {
                Ok(claims) => Payload::Claims(claims),
                Err(why) => Payload::Other {
                    bytes: payload_bytes,
                    why: why.into(),
                },
            }
        };
        let signature =
            base64::decode_url(signature).map_err(|e| JoseError::new(Part::Signature, e))?;
        Ok(Jws {
            header,
            payload,
            signature,
            signing_input,
        })
    }
}

/// The protected header of a compact JWE: enough to say which key decrypts it.
#[derive(Debug, Clone)]
pub struct Jwe {
    /// The protected header (`alg`, `enc`, `kid`: which key decrypts it).
    pub header: JoseHeader,
    /// Length of the encrypted key in bytes (0 for direct encryption).
    pub encrypted_key_len: usize,
    /// Length of the initialisation vector in bytes.
    pub iv_len: usize,
    /// Length of the ciphertext in bytes.
    pub ciphertext_len: usize,
    /// Length of the authentication tag in bytes.
    pub tag_len: usize,
}

impl Jwe {
    /// Decodes a compact JWE with exactly five segments (nothing is decrypted).
    pub fn decode(token: &str) -> Result<Jwe, JoseError> {
        let parts: Vec<&str> = token.split('.').collect();
        let [h, k, iv, c, t] = parts.as_slice() else {
            return Err(JoseError::new(Part::Token, Problem::JweSegments));
        };
        let header = JoseHeader::decode(h)?;
        let len = |part: Part, seg: &str| {
            base64::decode_url(seg)
                .map(|b| b.len())
                .map_err(|e| JoseError::new(part, e))
        };
        Ok(Jwe {
            encrypted_key_len: len(Part::EncryptedKey, k)?,
            iv_len: len(Part::Iv, iv)?,
            ciphertext_len: len(Part::Ciphertext, c)?,
            tag_len: len(Part::Tag, t)?,
            header,
        })
    }
}

/// The members of a JOSE header that key selection and diagnosis need, plus the raw object.
#[derive(Debug, Clone, Default)]
pub struct JoseHeader {
    /// Every member, as decoded; shared, since a batch's tokens repeat a few headers and each
    /// token's report shows its header.
    pub raw: Arc<Map<String, Value>>,
    /// The signature or key-management algorithm.
    pub alg: Option<String>,
    /// The content encryption algorithm (JWE).
    pub enc: Option<String>,
    /// The key id the signer names.
    pub kid: Option<String>,
    /// The media type (`JWT`, `at+jwt`).
    pub typ: Option<String>,
    /// The content type: `JWT` for a nested token (RFC 7519 §5.2).
    pub cty: Option<String>,
    /// The base64url SHA-1 thumbprint of the signer's certificate.
    pub x5t: Option<String>,
    /// The base64url SHA-256 thumbprint of the signer's certificate (`x5t#S256`).
    pub x5t_s256: Option<String>,
    /// An embedded public key (evidence only, never trusted).
    pub jwk: Option<Map<String, Value>>,
    /// An embedded certificate chain, base64 DER (evidence only).
    pub x5c: Option<Vec<String>>,
    /// A URL of a key set (reported, never fetched).
    pub jku: Option<String>,
    /// A URL of a certificate chain (reported, never fetched).
    pub x5u: Option<String>,
    /// Extensions the recipient must understand (RFC 7515 §4.1.11).
    pub crit: Option<Vec<String>>,
    /// Whether the payload is base64url-encoded (RFC 7797); absent means true.
    pub b64: Option<bool>,
}

impl JoseHeader {
    /// Decodes the first segment of a compact serialisation.
    pub fn decode(segment: &str) -> Result<JoseHeader, JoseError> {
        let fail = |problem: Problem| JoseError::new(Part::Header, problem);
        let bytes = base64::decode_url(segment).map_err(|e| fail(e.into()))?;
        let raw = json::parse_object(&bytes).map_err(|e| fail(e.into()))?;
        JoseHeader::from_object(raw).map_err(fail)
    }

    /// Reads the members keyprobe needs from a header object (a decoded segment, or the union of
    /// a JWS JSON signature's protected and unprotected headers).
    pub fn from_object(raw: Map<String, Value>) -> Result<JoseHeader, Problem> {
        let string = |member: &'static str| -> Result<Option<String>, Problem> {
            match raw.get(member) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(other) => Err(Problem::NotAString {
                    member,
                    found: json::type_name(other),
                }),
            }
        };
        let x5c = json::string_array(&raw, "x5c")?;
        let jwk = match raw.get("jwk") {
            None => None,
            Some(Value::Object(m)) => Some(m.clone()),
            Some(_) => return Err(Problem::JwkNotAnObject),
        };
        let crit = json::string_array(&raw, "crit")?;
        let b64 = match raw.get("b64") {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => return Err(Problem::B64NotABoolean),
        };
        Ok(JoseHeader {
            alg: string("alg")?,
            enc: string("enc")?,
            kid: string("kid")?,
            typ: string("typ")?,
            cty: string("cty")?,
            x5t: string("x5t")?,
            x5t_s256: string("x5t#S256")?,
            jku: string("jku")?,
            x5u: string("x5u")?,
            jwk,
            x5c,
            crit,
            b64,
            raw: Arc::new(raw),
        })
    }

    /// Does the header name its key in any way a key set can match?
    pub fn names_a_key(&self) -> bool {
        self.kid.is_some() || self.x5t.is_some() || self.x5t_s256.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_decoding_names_the_part() {
        // {"alg":"none"} . {} . (empty signature)
        let ok = Jws::decode("eyJhbGciOiJub25lIn0.e30.").unwrap();
        assert_eq!(ok.header.alg.as_deref(), Some("none"));
        assert!(ok.claims().is_some());
        let padded = Jws::decode("eyJhbGciOiJub25lIn0=.e30.").unwrap_err();
        assert_eq!(padded.part, Part::Header);
        assert!(padded
            .to_string()
            .starts_with("header (segment 1): character '='"));
        // {"a":1,"a":2} as header: duplicate members are refused.
        let dup = Jws::decode("eyJhIjoxLCJhIjoyfQ.e30.").unwrap_err();
        assert!(
            matches!(dup.problem, Problem::Json(JsonError::Syntax(_))),
            "{dup}"
        );
        assert_eq!(
            Jws::decode("a.b").unwrap_err().to_string(),
            "token: a compact JWS has exactly three segments"
        );
    }

    #[test]
    fn algorithm_names_round_trip() {
        for name in ["HS256", "RS384", "PS512", "ES256", "EdDSA"] {
            assert_eq!(Alg::parse(name).map(Alg::name), Some(name));
        }
        assert_eq!(Alg::parse("rs256"), None, "names are case-sensitive");
        assert!(is_none_alg("nOnE"));
    }
}
