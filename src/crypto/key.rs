//! Verification keys ready for use: built once per trusted key, reused for every signature.

use openssl::bn::{BigNum, BigNumContext};
use openssl::ec::{EcGroup, EcKey, EcPoint};
use openssl::error::ErrorStack;
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey, Public};
use openssl::rsa::Rsa;
use serde::Serialize;

use crate::limits::MAX_RSA_BITS;

/// Why key material cannot become a [`VerifyKey`]: what was expected of it and what was found.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// An RSA number (`n` or `e`) that OpenSSL cannot read.
    #[error("RSA {part}: {source}")]
    RsaNumber {
        part: &'static str,
        source: ErrorStack,
    },
    /// A modulus above [`MAX_RSA_BITS`]: verifying with it costs too much.
    #[error("RSA modulus of {bits} bits is larger than the {limit}-bit limit")]
    RsaTooLarge { bits: u32, limit: u32 },
    /// A modulus too small to be a key at all.
    #[error("RSA modulus of {bits} bits is not a usable key")]
    RsaTooSmall { bits: u32 },
    /// An exponent that is even or below 3 (e = 1 makes every padded message a "signature").
    #[error("RSA public exponent {exponent} is not usable (it must be odd and at least 3)")]
    RsaExponent { exponent: String },
    /// OpenSSL refused the RSA numbers as a key.
    #[error("RSA key: {0}")]
    Rsa(ErrorStack),
    /// An EC curve other than P-256, P-384 and P-521.
    #[error("EC curve '{crv}' is not supported (P-256, P-384, P-521)")]
    EcCurve { crv: String },
    /// RFC 7518 §6.2.1.2: coordinates are exactly the field size.
    #[error("EC {crv} coordinates must be {expected} bytes each; x has {x} and y {y}")]
    EcCoordinateSize {
        crv: String,
        expected: usize,
        x: usize,
        y: usize,
    },
    #[error("the point (x, y) is not on curve {crv}")]
    NotOnCurve { crv: String },
    /// An OKP curve other than Ed25519.
    #[error("OKP curve '{crv}' is not supported for signatures (Ed25519)")]
    OkpCurve { crv: String },
    #[error("Ed25519 public key must be 32 bytes, found {found}")]
    Ed25519Size { found: usize },
    #[error("Ed25519 key: {0}")]
    Ed25519(ErrorStack),
    /// A SubjectPublicKeyInfo OpenSSL cannot read.
    #[error("public key: {0}")]
    PublicKeyDer(ErrorStack),
    /// Bytes that are no PEM or DER key of any kind keyprobe reads.
    #[error("not a PEM/DER public key, private key, certificate or JWK")]
    Unrecognised,
    /// Any other OpenSSL failure while building the key.
    #[error("{0}")]
    OpenSsl(#[from] ErrorStack),
}

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

    pub fn rsa(n: &[u8], e: &[u8]) -> Result<VerifyKey, KeyError> {
        let n =
            BigNum::from_slice(n).map_err(|source| KeyError::RsaNumber { part: "n", source })?;
        let e =
            BigNum::from_slice(e).map_err(|source| KeyError::RsaNumber { part: "e", source })?;
        let bits = n.num_bits().max(0) as u32;
        if bits > MAX_RSA_BITS {
            return Err(KeyError::RsaTooLarge {
                bits,
                limit: MAX_RSA_BITS,
            });
        }
        if bits < 256 {
            return Err(KeyError::RsaTooSmall { bits });
        }
        // e = 1 makes every "signature" the padded message itself; an even e is not RSA.
        if e.num_bits() < 2 || !e.is_bit_set(0) {
            return Err(KeyError::RsaExponent {
                exponent: e.to_string(),
            });
        }
        let rsa = Rsa::from_public_components(n, e).map_err(KeyError::Rsa)?;
        PKey::from_rsa(rsa)
            .map(VerifyKey::Public)
            .map_err(KeyError::Rsa)
    }

    pub fn ec(crv: &str, x: &[u8], y: &[u8]) -> Result<VerifyKey, KeyError> {
        let (nid, size) = match crv {
            "P-256" => (Nid::X9_62_PRIME256V1, 32),
            "P-384" => (Nid::SECP384R1, 48),
            "P-521" => (Nid::SECP521R1, 66),
            other => {
                return Err(KeyError::EcCurve {
                    crv: other.to_string(),
                })
            }
        };
        // RFC 7518 §6.2.1.2: coordinates are exactly the field size, not shortened.
        if x.len() != size || y.len() != size {
            return Err(KeyError::EcCoordinateSize {
                crv: crv.to_string(),
                expected: size,
                x: x.len(),
                y: y.len(),
            });
        }
        let group = EcGroup::from_curve_name(nid)?;
        // The uncompressed point (0x04 || x || y): OpenSSL refuses coordinates outside the field
        // and points off the curve. P-256, P-384 and P-521 have cofactor 1, so a point on the
        // curve (never the point at infinity, which has no such encoding) has the group's order:
        // `EC_KEY_check_key`'s scalar multiplication by the order (about 5 M instructions for
        // P-521, paid at every start for every EC key in a key set) would find nothing more.
        let mut encoded = Vec::with_capacity(1 + 2 * size);
        encoded.push(0x04);
        encoded.extend_from_slice(x);
        encoded.extend_from_slice(y);
        let not_on_curve = |_| KeyError::NotOnCurve {
            crv: crv.to_string(),
        };
        let mut bn = BigNumContext::new()?;
        let point = EcPoint::from_bytes(&group, &encoded, &mut bn).map_err(not_on_curve)?;
        if !point.is_on_curve(&group, &mut bn).map_err(not_on_curve)? {
            return Err(KeyError::NotOnCurve {
                crv: crv.to_string(),
            });
        }
        let key = EcKey::from_public_key(&group, &point).map_err(not_on_curve)?;
        Ok(PKey::from_ec_key(key).map(VerifyKey::Public)?)
    }

    pub fn okp(crv: &str, x: &[u8]) -> Result<VerifyKey, KeyError> {
        match crv {
            "Ed25519" => {
                if x.len() != 32 {
                    return Err(KeyError::Ed25519Size { found: x.len() });
                }
                PKey::public_key_from_raw_bytes(x, Id::ED25519)
                    .map(VerifyKey::Public)
                    .map_err(KeyError::Ed25519)
            }
            other => Err(KeyError::OkpCurve {
                crv: other.to_string(),
            }),
        }
    }

    /// A public key from DER SubjectPublicKeyInfo (certificates, `PUBLIC KEY` PEM).
    pub fn from_spki_der(der: &[u8]) -> Result<VerifyKey, KeyError> {
        let pkey = PKey::public_key_from_der(der).map_err(KeyError::PublicKeyDer)?;
        if matches!(pkey.id(), Id::RSA) && pkey.bits() > MAX_RSA_BITS {
            return Err(KeyError::RsaTooLarge {
                bits: pkey.bits(),
                limit: MAX_RSA_BITS,
            });
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

#[cfg(test)]
mod tests {
    use super::*;
    use openssl::ec::PointConversionForm;

    /// A fresh P-256 public point as JWK coordinates.
    fn coordinates(nid: Nid, size: usize) -> (Vec<u8>, Vec<u8>) {
        let group = EcGroup::from_curve_name(nid).expect("group");
        let key = EcKey::generate(&group).expect("key");
        let mut bn = BigNumContext::new().expect("ctx");
        let bytes = key
            .public_key()
            .to_bytes(&group, PointConversionForm::UNCOMPRESSED, &mut bn)
            .expect("point");
        (bytes[1..=size].to_vec(), bytes[1 + size..].to_vec())
    }

    #[test]
    fn points_on_the_curve_are_keys_and_others_are_refused() {
        for (nid, crv, size) in [
            (Nid::X9_62_PRIME256V1, "P-256", 32),
            (Nid::SECP384R1, "P-384", 48),
            (Nid::SECP521R1, "P-521", 66),
        ] {
            let (x, y) = coordinates(nid, size);
            assert!(VerifyKey::ec(crv, &x, &y).is_ok(), "{crv}");
            let mut off = y.clone();
            if let Some(last) = off.last_mut() {
                *last ^= 1;
            }
            assert!(
                matches!(
                    VerifyKey::ec(crv, &x, &off),
                    Err(KeyError::NotOnCurve { .. })
                ),
                "{crv}: a point off the curve"
            );
            // Coordinates at or above the field prime are no field elements.
            let all_ones = vec![0xff; size];
            assert!(
                matches!(
                    VerifyKey::ec(crv, &all_ones, &y),
                    Err(KeyError::NotOnCurve { .. })
                ),
                "{crv}: x outside the field"
            );
            let zero = vec![0; size];
            assert!(
                matches!(
                    VerifyKey::ec(crv, &zero, &zero),
                    Err(KeyError::NotOnCurve { .. })
                ),
                "{crv}: (0, 0)"
            );
        }
    }
}
