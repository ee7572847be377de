//! Verification keys ready for use: built once per trusted key, reused for every signature.

use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey, Public};
use openssl::rsa::Rsa;
use serde::Serialize;

use crate::limits::MAX_RSA_BITS;

/// A key that can verify signatures.
#[derive(Clone)]
pub enum VerifyKey {
    Public(PKey<Public>),
    /// An HMAC secret (JWK `oct`).
    Secret(Vec<u8>),
}

impl std::fmt::Debug for VerifyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print secret material.
        write!(f, "VerifyKey({})", self.info().describe())
    }
}

/// What a key is, for messages and checks: type, size, curve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyInfo {
    pub kty: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bits: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crv: Option<&'static str>,
}

impl KeyInfo {
    pub fn describe(&self) -> String {
        match (self.kty, self.bits, self.crv) {
            (kty, _, Some(crv)) => format!("{kty} {crv}"),
            ("oct", Some(bits), None) => format!("oct (HMAC secret, {} bytes)", bits / 8),
            (kty, Some(bits), None) => format!("{kty} {bits}-bit"),
            (kty, None, None) => kty.to_string(),
        }
    }
}

impl VerifyKey {
    pub fn info(&self) -> KeyInfo {
        match self {
            VerifyKey::Secret(k) => KeyInfo {
                kty: "oct",
                bits: Some((k.len() * 8) as u32),
                crv: None,
            },
            VerifyKey::Public(pkey) => match pkey.id() {
                Id::RSA | Id::RSA_PSS => KeyInfo {
                    kty: "RSA",
                    bits: Some(pkey.bits()),
                    crv: None,
                },
                Id::EC => {
                    let crv = pkey
                        .ec_key()
                        .ok()
                        .and_then(|k| k.group().curve_name())
                        .and_then(curve_name_of);
                    KeyInfo {
                        kty: "EC",
                        bits: Some(pkey.bits()),
                        crv,
                    }
                }
                Id::ED25519 => KeyInfo {
                    kty: "OKP",
                    bits: None,
                    crv: Some("Ed25519"),
                },
                Id::ED448 => KeyInfo {
                    kty: "OKP",
                    bits: None,
                    crv: Some("Ed448"),
                },
                _ => KeyInfo {
                    kty: "unsupported",
                    bits: Some(pkey.bits()),
                    crv: None,
                },
            },
        }
    }

    pub fn rsa(n: &[u8], e: &[u8]) -> Result<VerifyKey, String> {
        let n = BigNum::from_slice(n).map_err(|e| format!("RSA n: {e}"))?;
        let e = BigNum::from_slice(e).map_err(|e| format!("RSA e: {e}"))?;
        let bits = n.num_bits().max(0) as u32;
        if bits > MAX_RSA_BITS {
            return Err(format!(
                "RSA modulus of {bits} bits is larger than the {MAX_RSA_BITS}-bit limit"
            ));
        }
        if bits < 256 {
            return Err(format!("RSA modulus of {bits} bits is not a usable key"));
        }
        // e = 1 makes every "signature" the padded message itself; an even e is not RSA.
        if e.num_bits() < 2 || !e.is_bit_set(0) {
            return Err(format!(
                "RSA public exponent {e} is not usable (it must be odd and at least 3)"
            ));
        }
        let rsa = Rsa::from_public_components(n, e).map_err(|e| format!("RSA key: {e}"))?;
        PKey::from_rsa(rsa)
            .map(VerifyKey::Public)
            .map_err(|e| format!("RSA key: {e}"))
    }

    pub fn ec(crv: &str, x: &[u8], y: &[u8]) -> Result<VerifyKey, String> {
        let (nid, size) = match crv {
            "P-256" => (Nid::X9_62_PRIME256V1, 32),
            "P-384" => (Nid::SECP384R1, 48),
            "P-521" => (Nid::SECP521R1, 66),
            other => {
                return Err(format!(
                    "EC curve '{other}' is not supported (P-256, P-384, P-521)"
                ))
            }
        };
        // RFC 7518 §6.2.1.2: coordinates are exactly the field size, not shortened.
        if x.len() != size || y.len() != size {
            return Err(format!(
                "EC {crv} coordinates must be {size} bytes each; x has {} and y {}",
                x.len(),
                y.len()
            ));
        }
        let group = EcGroup::from_curve_name(nid).map_err(|e| e.to_string())?;
        let x = BigNum::from_slice(x).map_err(|e| e.to_string())?;
        let y = BigNum::from_slice(y).map_err(|e| e.to_string())?;
        let key = EcKey::from_public_key_affine_coordinates(&group, &x, &y)
            .map_err(|_| format!("the point (x, y) is not on curve {crv}"))?;
        key.check_key()
            .map_err(|_| format!("the point (x, y) is not a valid {crv} public key"))?;
        PKey::from_ec_key(key)
            .map(VerifyKey::Public)
            .map_err(|e| e.to_string())
    }

    pub fn okp(crv: &str, x: &[u8]) -> Result<VerifyKey, String> {
        match crv {
            "Ed25519" => {
                if x.len() != 32 {
                    return Err(format!(
                        "Ed25519 public key must be 32 bytes, found {}",
                        x.len()
                    ));
                }
                PKey::public_key_from_raw_bytes(x, Id::ED25519)
                    .map(VerifyKey::Public)
                    .map_err(|e| format!("Ed25519 key: {e}"))
            }
            other => Err(format!(
                "OKP curve '{other}' is not supported for signatures (Ed25519)"
            )),
        }
    }

    /// A public key from DER SubjectPublicKeyInfo (certificates, `PUBLIC KEY` PEM).
    pub fn from_spki_der(der: &[u8]) -> Result<VerifyKey, String> {
        let pkey = PKey::public_key_from_der(der).map_err(|e| format!("public key: {e}"))?;
        if matches!(pkey.id(), Id::RSA) && pkey.bits() > MAX_RSA_BITS {
            return Err(format!(
                "RSA modulus of {} bits is larger than the {MAX_RSA_BITS}-bit limit",
                pkey.bits()
            ));
        }
        Ok(VerifyKey::Public(pkey))
    }

    /// True when both are the same public key (or the same secret).
    pub fn same_key(&self, other: &VerifyKey) -> bool {
        match (self, other) {
            (VerifyKey::Public(a), VerifyKey::Public(b)) => a.public_eq(b),
            (VerifyKey::Secret(a), VerifyKey::Secret(b)) => {
                a.len() == b.len() && openssl::memcmp::eq(a, b)
            }
            _ => false,
        }
    }
}

fn curve_name_of(nid: Nid) -> Option<&'static str> {
    match nid {
        Nid::X9_62_PRIME256V1 => Some("P-256"),
        Nid::SECP384R1 => Some("P-384"),
        Nid::SECP521R1 => Some("P-521"),
        Nid::SECP256K1 => Some("secp256k1"),
        _ => Some("other curve"),
    }
}
