//! Verifying a JWS signature (or any detached signature over bytes) with one key.

use openssl::bn::{BigNum, BigNumContext};
use openssl::ec::EcGroup;
use openssl::ecdsa::EcdsaSig;
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey};
use openssl::sign::{Signer, Verifier};

use super::alg::{Alg, AlgFamily};
use super::key::VerifyKey;
use super::prepared::verify_hashed;

/// Why a key could not even be tried with an algorithm: the evidence for `alg-key-mismatch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// The key's type, curve or kind does not fit the algorithm.
    KeyDoesNotFit {
        alg: &'static str,
        needs: String,
        key: String,
    },
    /// OpenSSL refused the operation itself.
    Crypto(String),
}

impl std::fmt::Display for VerifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VerifyError::KeyDoesNotFit { alg, needs, key } => {
                write!(f, "{alg} needs {needs}, the key is {key}")
            }
            VerifyError::Crypto(e) => write!(f, "crypto error: {e}"),
        }
    }
}

/// Verifies `signature` over `message` with `key` under `alg`. `Ok(false)` is a signature that does
/// not verify; `Err` is a key that cannot be used with this algorithm at all.
pub fn verify(
    alg: Alg,
    key: &VerifyKey,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, VerifyError> {
    check_fit(alg, key)?;
    let crypto = |e: openssl::error::ErrorStack| VerifyError::Crypto(e.to_string());
    match (alg.family(), key) {
        (AlgFamily::Hmac, VerifyKey::Secret(secret)) => {
            let md = alg
                .digest()
                .ok_or_else(|| VerifyError::Crypto("no digest".into()))?;
            let pkey = PKey::hmac(secret).map_err(crypto)?;
            let mut signer = Signer::new(md, &pkey).map_err(crypto)?;
            let tag = signer.sign_oneshot_to_vec(message).map_err(crypto)?;
            // Full-length tags only: a truncated tag is not an HS256 signature (JOSE policy).
            Ok(tag.len() == signature.len() && openssl::memcmp::eq(&tag, signature))
        }
        (AlgFamily::RsaPkcs1 | AlgFamily::RsaPss, VerifyKey::Public(pkey)) => {
            if signature.len() != (pkey.bits() as usize).div_ceil(8) {
                return Ok(false);
            }
            Ok(verify_hashed(alg, pkey, message, signature).unwrap_or(false))
        }
        (AlgFamily::Ecdsa, VerifyKey::Public(pkey)) => {
            let Some(der) = ecdsa_raw_to_der(alg, signature) else {
                return Ok(false);
            };
            Ok(verify_hashed(alg, pkey, message, &der).unwrap_or(false))
        }
        (AlgFamily::EdDsa, VerifyKey::Public(pkey)) => {
            if signature.len() != 64 {
                return Ok(false);
            }
            let mut verifier = Verifier::new_without_digest(pkey).map_err(crypto)?;
            Ok(verifier.verify_oneshot(signature, message).unwrap_or(false))
        }
        _ => Err(mismatch(alg, key)),
    }
}

/// Whether `key` can be used with `alg` at all (type and curve), without verifying anything.
pub fn check_fit(alg: Alg, key: &VerifyKey) -> Result<(), VerifyError> {
    let info = key.info();
    let fits = match (alg.family(), key) {
        (AlgFamily::Hmac, VerifyKey::Secret(_)) => true,
        (AlgFamily::RsaPkcs1 | AlgFamily::RsaPss, VerifyKey::Public(p)) => p.id() == Id::RSA,
        (AlgFamily::Ecdsa, VerifyKey::Public(p)) => p.id() == Id::EC && info.crv == alg.curve(),
        (AlgFamily::EdDsa, VerifyKey::Public(p)) => p.id() == Id::ED25519,
        _ => false,
    };
    if fits {
        Ok(())
    } else {
        Err(mismatch(alg, key))
    }
}

fn mismatch(alg: Alg, key: &VerifyKey) -> VerifyError {
    let needs = match (alg.family(), alg.curve()) {
        (AlgFamily::Hmac, _) => "a shared secret (JWK kty 'oct')".to_string(),
        (_, Some(crv)) => format!("a {} key on {crv}", alg.kty()),
        _ => format!("an {} key", alg.kty()),
    };
    VerifyError::KeyDoesNotFit {
        alg: alg.name(),
        needs,
        key: key.info().describe(),
    }
}

/// True when an ECDSA `r‖s` signature has `s` above half the curve order. It verifies, and so does
/// `(r, n − s)`: the signature is malleable, so a token's bytes are not unique to what was signed.
pub fn ecdsa_high_s(alg: Alg, signature: &[u8]) -> bool {
    let (size, nid) = match alg {
        Alg::Es256 => (32, Nid::X9_62_PRIME256V1),
        Alg::Es384 => (48, Nid::SECP384R1),
        Alg::Es512 => (66, Nid::SECP521R1),
        _ => return false,
    };
    let high = || -> Result<bool, openssl::error::ErrorStack> {
        let Some(s) = signature.get(size..).filter(|s| s.len() == size) else {
            return Ok(false);
        };
        let group = EcGroup::from_curve_name(nid)?;
        let mut order = BigNum::new()?;
        let mut ctx = BigNumContext::new()?;
        group.order(&mut order, &mut ctx)?;
        let mut half = BigNum::new()?;
        half.rshift1(&order)?;
        Ok(BigNum::from_slice(s)? > half)
    };
    high().unwrap_or(false)
}

/// JWS ECDSA signatures are r‖s, each exactly the curve's size (RFC 7518 §3.4); OpenSSL wants DER.
fn ecdsa_raw_to_der(alg: Alg, signature: &[u8]) -> Option<Vec<u8>> {
    let size = match alg {
        Alg::Es256 => 32,
        Alg::Es384 => 48,
        Alg::Es512 => 66,
        _ => return None,
    };
    if signature.len() != 2 * size {
        return None;
    }
    let (r, s) = signature.split_at(size);
    let r = BigNum::from_slice(r).ok()?;
    let s = BigNum::from_slice(s).ok()?;
    EcdsaSig::from_private_components(r, s).ok()?.to_der().ok()
}
