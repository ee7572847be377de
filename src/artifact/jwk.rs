//! JSON Web Keys and key sets (RFC 7517), with RFC 7638 thumbprints.

use keyprobe_core::digest::sha256;
use serde_json::{json, Map, Value};

use super::cert::Certificate;
use super::DecodeError;
use crate::codec::base64::Base64Error;
use crate::codec::{base64, json};
use crate::crypto::{KeyError, VerifyKey};
use crate::limits::{MAX_CHAIN_CERTS, MAX_JWKS_KEYS};

/// Members that only a private JWK carries.
const PRIVATE_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "oth"];

/// One JWK, its metadata and its key material decoded.
#[derive(Debug, Clone)]
pub struct Jwk {
    pub raw: Map<String, Value>,
    pub kty: String,
    pub kid: Option<String>,
    pub use_: Option<String>,
    pub key_ops: Option<Vec<String>>,
    pub alg: Option<String>,
    pub crv: Option<String>,
    pub x5t: Option<String>,
    pub x5t_s256: Option<String>,
    /// Decoded `x5c` certificates; entries that fail to decode are in `x5c_errors`.
    pub x5c: Vec<Certificate>,
    pub x5c_errors: Vec<DecodeError>,
    /// The verification key, or why the key material is unusable.
    pub key: Result<VerifyKey, JwkKeyError>,
    /// RFC 7638 thumbprint (base64url SHA-256), when the required members are present.
    pub thumbprint: Option<String>,
    /// Private members present (`d`, `p`, …): a private key was published.
    pub private_members: Vec<String>,
}

impl Jwk {
    pub fn from_object(raw: &Map<String, Value>) -> Result<Jwk, DecodeError> {
        let string = |name: &str| -> Result<Option<String>, DecodeError> {
            match raw.get(name) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(DecodeError::new(name, "must be a string")),
            }
        };
        let kty = string("kty")?
            .ok_or_else(|| DecodeError::new("kty", "missing (every JWK needs one)"))?;
        let key_ops = json::string_array(raw, "key_ops")
            .map_err(|e| DecodeError::new("key_ops", e.to_string()))?;
        let (x5c, x5c_errors) = match raw.get("x5c") {
            None => (Vec::new(), Vec::new()),
            Some(Value::Array(items)) => decode_x5c(items),
            Some(_) => (
                Vec::new(),
                vec![DecodeError::new(
                    "x5c",
                    "must be an array of base64 strings",
                )],
            ),
        };
        let key = key_material(&kty, raw);
        Ok(Jwk {
            kid: string("kid")?,
            use_: string("use")?,
            alg: string("alg")?,
            crv: string("crv")?,
            x5t: string("x5t")?,
            x5t_s256: string("x5t#S256")?,
            key_ops,
            x5c,
            x5c_errors,
            thumbprint: rfc7638_thumbprint(&kty, raw),
            private_members: PRIVATE_MEMBERS
                .iter()
                .filter(|m| raw.contains_key(**m))
                .map(|m| m.to_string())
                .collect(),
            kty,
            key,
            raw: raw.clone(),
        })
    }

    /// Whether `use`/`key_ops` allow signature verification; the reason when they do not.
    pub fn signing_use_problem(&self) -> Option<String> {
        if let Some(u) = &self.use_ {
            if u != "sig" {
                return Some(format!("use is '{u}', not 'sig'"));
            }
        }
        if let Some(ops) = &self.key_ops {
            if !ops.iter().any(|o| o == "verify") {
                return Some(format!("key_ops {ops:?} does not include 'verify'"));
            }
        }
        None
    }

    /// A one-line name for messages: `kid 'abc' (RSA 2048-bit)`.
    pub fn label(&self) -> String {
        let what = self
            .key
            .as_ref()
            .map(|k| k.info().describe())
            .unwrap_or_else(|_| self.kty.clone());
        match &self.kid {
            Some(kid) => format!("kid '{kid}' ({what})"),
            None => format!("a key without kid ({what})"),
        }
    }

    pub fn to_json(&self) -> Value {
        let mut out = json!({
            "kty": self.kty,
            "kid": self.kid,
            "use": self.use_,
            "key_ops": self.key_ops,
            "alg": self.alg,
            "key": match &self.key { Ok(k) => k.info().describe(), Err(e) => format!("unusable: {e}") },
            "jwk_thumbprint": self.thumbprint,
            "x5t": self.x5t,
            "x5t#S256": self.x5t_s256,
            // Entra publishes the issuer each key signs for (multi-tenant key sets).
            "issuer": self.raw.get("issuer").and_then(Value::as_str),
        });
        if let Some(obj) = out.as_object_mut() {
            obj.retain(|_, v| !v.is_null());
            if let Some(cert) = self.x5c.first() {
                obj.insert("certificate_thumbprints".into(), json!(cert.thumbprints));
            }
        }
        out
    }
}

fn decode_x5c(items: &[Value]) -> (Vec<Certificate>, Vec<DecodeError>) {
    let mut certs = Vec::new();
    let mut errors = Vec::new();
    for (i, item) in items.iter().take(MAX_CHAIN_CERTS).enumerate() {
        match item.as_str() {
            Some(b64) => match Certificate::from_base64(b64) {
                Ok(c) => certs.push(c),
                Err(e) => errors.push(DecodeError::new(format!("x5c[{i}]"), e.reason)),
            },
            None => errors.push(DecodeError::new(
                format!("x5c[{i}]"),
                "must be a base64 string",
            )),
        }
    }
    (certs, errors)
}

/// Why a JWK's key members do not make a key: the member at fault and what was wrong with it.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum JwkKeyError {
    /// A required member is absent (`n`, `e`, `crv`, `x`, `y`, `k`).
    #[error("'{name}' is missing")]
    Missing { name: &'static str },
    /// A key member that is not a string.
    #[error("'{name}' must be a base64url string")]
    NotAString { name: &'static str },
    /// A key member that is not strict base64url.
    #[error("'{name}': {problem}")]
    Base64 {
        name: &'static str,
        problem: Base64Error,
    },
    /// RFC 7518 §6.3.1.1: `n` is the unsigned big-endian modulus without leading zero octets.
    #[error("'n' has a leading zero octet")]
    LeadingZero,
    /// An `oct` key with nothing in it.
    #[error("'k' is empty")]
    EmptySecret,
    /// A `kty` keyprobe cannot verify with.
    #[error("kty '{kty}' is not a key type keyprobe can verify with (RSA, EC, OKP, oct)")]
    UnsupportedKty { kty: String },
    /// The members decode but OpenSSL (or a bound) refuses the key they make.
    #[error(transparent)]
    Key(#[from] KeyError),
}

fn member_bytes(raw: &Map<String, Value>, name: &'static str) -> Result<Vec<u8>, JwkKeyError> {
    match raw.get(name) {
        Some(Value::String(s)) => {
            base64::decode_url(s).map_err(|problem| JwkKeyError::Base64 { name, problem })
        }
        Some(_) => Err(JwkKeyError::NotAString { name }),
        None => Err(JwkKeyError::Missing { name }),
    }
}

fn key_material(kty: &str, raw: &Map<String, Value>) -> Result<VerifyKey, JwkKeyError> {
    let crv = || {
        raw.get("crv")
            .and_then(Value::as_str)
            .ok_or(JwkKeyError::Missing { name: "crv" })
    };
    match kty {
        "RSA" => {
            let n = member_bytes(raw, "n")?;
            let e = member_bytes(raw, "e")?;
            // RFC 7518 §6.3.1.1: n has no leading zero octet.
            if n.first() == Some(&0) {
                return Err(JwkKeyError::LeadingZero);
            }
            Ok(VerifyKey::rsa(&n, &e)?)
        }
        "EC" => {
            let crv = crv()?;
            Ok(VerifyKey::ec(
                crv,
                &member_bytes(raw, "x")?,
                &member_bytes(raw, "y")?,
            )?)
        }
        "OKP" => {
            let crv = crv()?;
            Ok(VerifyKey::okp(crv, &member_bytes(raw, "x")?)?)
        }
        "oct" => {
            let k = member_bytes(raw, "k")?;
            if k.is_empty() {
                return Err(JwkKeyError::EmptySecret);
            }
            Ok(VerifyKey::Secret(k))
        }
        other => Err(JwkKeyError::UnsupportedKty {
            kty: other.to_string(),
        }),
    }
}

/// RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace.
pub fn rfc7638_thumbprint(kty: &str, raw: &Map<String, Value>) -> Option<String> {
    let members: &[&str] = match kty {
        "RSA" => &["e", "kty", "n"],
        "EC" => &["crv", "kty", "x", "y"],
        "OKP" => &["crv", "kty", "x"],
        "oct" => &["k", "kty"],
        _ => return None,
    };
    let mut canonical = String::from("{");
    for (i, m) in members.iter().enumerate() {
        let v = raw.get(*m)?.as_str()?;
        if i > 0 {
            canonical.push(',');
        }
        // serde_json writes the string with JSON escaping, as RFC 7638 §3.3 requires.
        canonical.push_str(&format!("\"{m}\":{}", Value::String(v.to_string())));
    }
    canonical.push('}');
    Some(base64::encode_url(&sha256(canonical.as_bytes())))
}

/// A key set: the keys that decoded and, per failing entry, why not.
#[derive(Debug, Clone, Default)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
    pub rejected: Vec<(usize, DecodeError)>,
    /// Entra adds a non-standard `issuer` member to each key.
    pub total_entries: usize,
}

impl Jwks {
    pub fn from_object(object: &Map<String, Value>) -> Result<Jwks, DecodeError> {
        let Some(Value::Array(entries)) = object.get("keys") else {
            return Err(DecodeError::new("keys", "a JWKS has a \"keys\" array"));
        };
        if entries.len() > MAX_JWKS_KEYS {
            return Err(DecodeError::new(
                "keys",
                format!(
                    "{} keys, more than the {MAX_JWKS_KEYS} key limit",
                    entries.len()
                ),
            ));
        }
        let mut set = Jwks {
            total_entries: entries.len(),
            ..Default::default()
        };
        for (i, entry) in entries.iter().enumerate() {
            match entry {
                Value::Object(obj) => match Jwk::from_object(obj) {
                    Ok(jwk) => set.keys.push(jwk),
                    Err(e) => set.rejected.push((i, e)),
                },
                _ => set.rejected.push((
                    i,
                    DecodeError::new(format!("keys[{i}]"), "is not a JSON object"),
                )),
            }
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7638_example() {
        // RFC 7638 §3.1.
        let jwk: Map<String, Value> = serde_json::from_str(r#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#).unwrap();
        assert_eq!(
            rfc7638_thumbprint("RSA", &jwk).unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }
}
