//! Compact JWS: signing the mock's tokens and reading the JWTs clients send (client assertions,
//! bearer tokens at userinfo). Decoding is keyprobe-core's strict JWS decoder: bounded, never panics.

use keyprobe_core::base64::encode_url;
use keyprobe_core::jose::{Alg, JoseError, Jws, Part, Payload, Problem};
use keyprobe_core::json::Object;
use openssl::pkey::{PKey, Public};
use openssl::rsa::Padding;
use openssl::sign::{RsaPssSaltlen, Verifier};
use serde_json::{Map, Value};

use crate::keys::{KeyError, SigningKey};

/// Longest JWT the mock will read; Entra's own limit for request parameters is far below this.
pub(crate) const MAX_JWT_LEN: usize = 64 * 1024;

/// Sign `claims` with `key`. The header is given whole so v1 (`typ alg x5t kid`) and v2 (`typ alg kid`)
/// shapes stay visible at the call site.
pub fn sign(
    header: &Map<String, Value>,
    claims: &Map<String, Value>,
    key: &SigningKey,
) -> Result<String, KeyError> {
    let header_json = serde_json::to_vec(header).unwrap_or_default();
    let claims_json = serde_json::to_vec(claims).unwrap_or_default();
    let signing_input = format!("{}.{}", encode_url(&header_json), encode_url(&claims_json));
    let signature = key.sign_rs256(signing_input.as_bytes())?;
    Ok(format!("{signing_input}.{}", encode_url(&signature)))
}

/// Why a JWT could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtDecodeError {
    #[error("the token is too long")]
    TooLong,
    #[error("the token does not have three segments")]
    SegmentCount,
    #[error("the {0} segment is not base64url")]
    Base64(&'static str),
    #[error("the {0} segment is not a JSON object")]
    Json(&'static str),
}

impl From<JoseError> for JwtDecodeError {
    fn from(error: JoseError) -> Self {
        let segment = match error.part {
            Part::Header => "header",
            Part::Payload => "payload",
            _ => "signature",
        };
        match error.problem {
            Problem::JwsSegments | Problem::JweSegments => JwtDecodeError::SegmentCount,
            Problem::Base64(_) => JwtDecodeError::Base64(segment),
            _ => JwtDecodeError::Json(segment),
        }
    }
}

/// A client's JWT, decoded by the strict decoder keyprobe uses too (no padding, no duplicate members).
#[derive(Debug, Clone)]
pub struct DecodedJwt {
    pub header: Map<String, Value>,
    pub claims: Object,
    signing_input: Vec<u8>,
    signature: Vec<u8>,
}

pub fn decode(token: &str) -> Result<DecodedJwt, JwtDecodeError> {
    let token = token.trim();
    if token.len() > MAX_JWT_LEN {
        return Err(JwtDecodeError::TooLong);
    }
    let jws = Jws::decode(token)?;
    let signing_input = jws.signing_input().to_vec();
    let Payload::Claims(claims) = jws.payload else {
        return Err(JwtDecodeError::Json("payload"));
    };
    Ok(DecodedJwt {
        header: std::sync::Arc::unwrap_or_clone(jws.header.raw),
        claims,
        signing_input,
        signature: jws.signature,
    })
}

impl DecodedJwt {
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(Value::as_str)
    }

    pub fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// A NumericDate claim; fractional seconds are truncated as Entra does.
    pub fn claim_time(&self, name: &str) -> Option<i64> {
        let value = self.claims.get(name)?;
        value.as_i64().or_else(|| value.as_f64().map(|f| f as i64))
    }

    /// Verify with the header's `alg` (RS256, RS384, RS512, PS256); anything else does not verify.
    pub fn verify(&self, key: &PKey<Public>) -> bool {
        let alg = self.header_str("alg").and_then(Alg::parse);
        let pss = match alg {
            Some(Alg::Rs256 | Alg::Rs384 | Alg::Rs512) => false,
            Some(Alg::Ps256) => true,
            _ => return false,
        };
        let Some(digest) = alg.and_then(Alg::digest) else {
            return false;
        };
        let check = || -> Result<bool, openssl::error::ErrorStack> {
            let mut verifier = Verifier::new(digest, key)?;
            if pss {
                verifier.set_rsa_padding(Padding::PKCS1_PSS)?;
                verifier.set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH)?;
            }
            verifier.update(&self.signing_input)?;
            verifier.verify(&self.signature)
        };
        check().unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::ENTRA_SIGNING_CN;
    use serde_json::json;

    #[test]
    fn signs_and_verifies() {
        let key = SigningKey::generate(ENTRA_SIGNING_CN).unwrap();
        let header = json!({"typ": "JWT", "alg": "RS256", "kid": key.kid})
            .as_object()
            .unwrap()
            .clone();
        let claims = json!({"sub": "x"}).as_object().unwrap().clone();
        let token = sign(&header, &claims, &key).unwrap();
        let decoded = decode(&token).unwrap();
        assert!(decoded.verify(&key.public_key().unwrap()));
        let other = SigningKey::generate(ENTRA_SIGNING_CN).unwrap();
        assert!(!decoded.verify(&other.public_key().unwrap()));
    }

    #[test]
    fn rejects_malformed_tokens_without_panicking() {
        assert_eq!(decode("a.b").unwrap_err(), JwtDecodeError::SegmentCount);
        assert_eq!(
            decode("!!.e30.").unwrap_err(),
            JwtDecodeError::Base64("header")
        );
        assert_eq!(
            decode("bnVsbA.e30.").unwrap_err(),
            JwtDecodeError::Json("header")
        );
        assert_eq!(
            decode(&"a".repeat(MAX_JWT_LEN + 1)).unwrap_err(),
            JwtDecodeError::TooLong
        );
    }
}
