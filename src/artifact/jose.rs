//! Compact JWS and JWE: split, decode, and a typed view of the JOSE header.

use serde_json::{Map, Value};

use super::DecodeError;
use crate::codec::{base64, json};

/// A decoded compact JWS. The signing input is kept as the exact bytes that were signed.
#[derive(Debug, Clone)]
pub struct Jws {
    pub header: JoseHeader,
    /// The claims when the payload is a JSON object; otherwise the raw payload.
    pub payload: Payload,
    pub signature: Vec<u8>,
    signing_input: String,
}

#[derive(Debug, Clone)]
pub enum Payload {
    Claims(Map<String, Value>),
    /// Not a JSON object (or not JSON at all): kept as bytes, shown as text when it is UTF-8.
    Other {
        bytes: Vec<u8>,
        why: String,
    },
}

impl Jws {
    pub fn signing_input(&self) -> &[u8] {
        self.signing_input.as_bytes()
    }

    pub fn claims(&self) -> Option<&Map<String, Value>> {
        match &self.payload {
            Payload::Claims(c) => Some(c),
            Payload::Other { .. } => None,
        }
    }

    /// Decodes a compact JWS with exactly three segments (the caller has checked the count).
    pub fn decode(token: &str) -> Result<Jws, DecodeError> {
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(DecodeError::new(
                "token",
                "a compact JWS has exactly three segments",
            ));
        };
        let header = JoseHeader::decode(h)?;
        let payload_bytes =
            base64::decode_url(p).map_err(|e| DecodeError::new("payload (segment 2)", e.0))?;
        let payload = if header.b64 == Some(false) {
            Payload::Other {
                bytes: payload_bytes,
                why: "unencoded payload (b64: false)".into(),
            }
        } else {
            match json::parse_object(&payload_bytes) {
                Ok(map) => Payload::Claims(map),
                Err(why) => Payload::Other {
                    bytes: payload_bytes,
                    why,
                },
            }
        };
        let signature =
            base64::decode_url(s).map_err(|e| DecodeError::new("signature (segment 3)", e.0))?;
        let signing_input = format!("{h}.{p}");
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
    pub header: JoseHeader,
    pub encrypted_key_len: usize,
    pub iv_len: usize,
    pub ciphertext_len: usize,
    pub tag_len: usize,
}

impl Jwe {
    pub fn decode(token: &str) -> Result<Jwe, DecodeError> {
        let parts: Vec<&str> = token.split('.').collect();
        let [h, k, iv, c, t] = parts.as_slice() else {
            return Err(DecodeError::new(
                "token",
                "a compact JWE has exactly five segments",
            ));
        };
        let header = JoseHeader::decode(h)?;
        let len = |name: &str, seg: &str| {
            base64::decode_url(seg)
                .map(|b| b.len())
                .map_err(|e| DecodeError::new(name, e.0))
        };
        Ok(Jwe {
            encrypted_key_len: len("encrypted key (segment 2)", k)?,
            iv_len: len("initialisation vector (segment 3)", iv)?,
            ciphertext_len: len("ciphertext (segment 4)", c)?,
            tag_len: len("authentication tag (segment 5)", t)?,
            header,
        })
    }
}

/// The members of a JOSE header that key selection and diagnosis need, plus the raw object.
#[derive(Debug, Clone, Default)]
pub struct JoseHeader {
    pub raw: Map<String, Value>,
    pub alg: Option<String>,
    pub enc: Option<String>,
    pub kid: Option<String>,
    pub typ: Option<String>,
    pub x5t: Option<String>,
    pub x5t_s256: Option<String>,
    /// An embedded public key (evidence only, never trusted).
    pub jwk: Option<Map<String, Value>>,
    /// An embedded certificate chain, base64 DER (evidence only).
    pub x5c: Option<Vec<String>>,
    pub jku: Option<String>,
    pub x5u: Option<String>,
    pub crit: Option<Vec<String>>,
    pub b64: Option<bool>,
}

impl JoseHeader {
    pub fn decode(segment: &str) -> Result<JoseHeader, DecodeError> {
        const PART: &str = "header (segment 1)";
        let bytes = base64::decode_url(segment).map_err(|e| DecodeError::new(PART, e.0))?;
        let raw = json::parse_object(&bytes).map_err(|e| DecodeError::new(PART, e))?;
        let string = |name: &str| -> Result<Option<String>, DecodeError> {
            match raw.get(name) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(other) => Err(DecodeError::new(
                    PART,
                    format!(
                        "\"{name}\" must be a string, found {}",
                        json::type_name(other)
                    ),
                )),
            }
        };
        let x5c = json::string_array(&raw, "x5c").map_err(|e| DecodeError::new(PART, e))?;
        let jwk = match raw.get("jwk") {
            None => None,
            Some(Value::Object(m)) => Some(m.clone()),
            Some(_) => return Err(DecodeError::new(PART, "\"jwk\" must be a JSON object")),
        };
        let crit = json::string_array(&raw, "crit").map_err(|e| DecodeError::new(PART, e))?;
        let b64 = match raw.get("b64") {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => return Err(DecodeError::new(PART, "\"b64\" must be a boolean")),
        };
        Ok(JoseHeader {
            alg: string("alg")?,
            enc: string("enc")?,
            kid: string("kid")?,
            typ: string("typ")?,
            x5t: string("x5t")?,
            x5t_s256: string("x5t#S256")?,
            jku: string("jku")?,
            x5u: string("x5u")?,
            jwk,
            x5c,
            crit,
            b64,
            raw,
        })
    }

    /// Does the header name its key in any way a key set can match?
    pub fn names_a_key(&self) -> bool {
        self.kid.is_some() || self.x5t.is_some() || self.x5t_s256.is_some()
    }
}
