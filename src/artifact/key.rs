//! A key on its own: a PEM block or DER (SubjectPublicKeyInfo, PKCS#1, PKCS#8, SEC1), public or
//! private, with its JWK form and RFC 7638 thumbprint. Private material is decoded only to read
//! its public half; nothing of it is kept or shown.

use openssl::bn::BigNumContext;
use openssl::ec::PointConversionForm;
use openssl::error::ErrorStack;
use openssl::pkey::{Id, PKey, Public};
use openssl::rsa::Rsa;
use serde_json::{json, Map, Value};

use super::jwk::rfc7638_thumbprint;
use crate::codec::base64;
use crate::crypto::VerifyKey;
use crate::limits::MAX_CERT_BYTES;

/// Why a key cannot be read; the block or encoding it came in is named.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum KeyError {
    #[error("{what}: the PEM block's base64 does not decode ({reason})")]
    Base64 { what: String, reason: String },
    #[error("{what}: not a key OpenSSL can read ({reason})")]
    Unreadable { what: String, reason: String },
    #[error("{what}: {bytes} bytes, more than the {MAX_CERT_BYTES} byte limit for one key")]
    TooLarge { what: String, bytes: usize },
    #[error("{what}: keyprobe reads PEM and DER keys (OpenSSH keys can be converted with ssh-keygen -e -m PKCS8)")]
    OpenSsh { what: String },
}

/// How the key was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyFormat {
    Spki,
    Pkcs1Public,
    Pkcs8,
    Pkcs1Private,
    Sec1,
    EncryptedPkcs8,
}

impl KeyFormat {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            KeyFormat::Spki => "SubjectPublicKeyInfo (PUBLIC KEY)",
            KeyFormat::Pkcs1Public => "PKCS#1 RSA public key (RSA PUBLIC KEY)",
            KeyFormat::Pkcs8 => "PKCS#8 private key (PRIVATE KEY)",
            KeyFormat::Pkcs1Private => "PKCS#1 RSA private key (RSA PRIVATE KEY)",
            KeyFormat::Sec1 => "SEC1 EC private key (EC PRIVATE KEY)",
            KeyFormat::EncryptedPkcs8 => "encrypted PKCS#8 private key (ENCRYPTED PRIVATE KEY)",
        }
    }

    pub(crate) fn is_private(self) -> bool {
        !matches!(self, KeyFormat::Spki | KeyFormat::Pkcs1Public)
    }
}

/// One decoded key. `public` is `None` only for an encrypted private key, whose public half
/// cannot be read without its passphrase.
#[derive(Debug, Clone)]
pub(crate) struct LoneKey {
    pub format: KeyFormat,
    /// "PEM" or "DER".
    pub encoding: &'static str,
    pub public: Option<VerifyKey>,
    /// The public half as a JWK (`kty` and its required members), when the type has one.
    pub jwk: Option<Map<String, Value>>,
    pub thumbprint: Option<String>,
}

impl LoneKey {
    pub(crate) fn is_private(&self) -> bool {
        self.format.is_private()
    }

    fn from_public(format: KeyFormat, encoding: &'static str, pkey: PKey<Public>) -> LoneKey {
        let jwk = public_jwk(&pkey);
        let thumbprint = jwk.as_ref().and_then(|j| {
            let kty = j.get("kty").and_then(Value::as_str)?;
            rfc7638_thumbprint(kty, j)
        });
        let public = pkey
            .public_key_to_der()
            .ok()
            .and_then(|der| VerifyKey::from_spki_der(&der).ok());
        LoneKey {
            format,
            encoding,
            public,
            jwk,
            thumbprint,
        }
    }
}

/// PEM labels that hold a key (and the ones that hold only parameters beside one).
pub(crate) fn is_key_label(label: &str) -> bool {
    matches!(
        label,
        "PUBLIC KEY"
            | "RSA PUBLIC KEY"
            | "PRIVATE KEY"
            | "RSA PRIVATE KEY"
            | "EC PRIVATE KEY"
            | "ENCRYPTED PRIVATE KEY"
            | "OPENSSH PRIVATE KEY"
    )
}

/// A PEM block: its label and the text between the armour lines.
pub(crate) struct PemBlock<'a> {
    pub label: &'a str,
    pub body: &'a str,
    /// Legacy encrypted PEM (`Proc-Type: 4,ENCRYPTED`).
    pub encrypted_header: bool,
}

/// Every PEM block in `text`, in order; text outside blocks is ignored.
pub(crate) fn pem_blocks(text: &str) -> Vec<PemBlock<'_>> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + 11..];
        let Some(label_end) = after.find("-----") else {
            break;
        };
        let label = &after[..label_end];
        let body_start = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = body_start.find(&end_marker) else {
            break;
        };
        let body = &body_start[..end];
        blocks.push(PemBlock {
            label,
            body,
            encrypted_header: body.contains("Proc-Type:") && body.contains("ENCRYPTED"),
        });
        rest = &body_start[end + end_marker.len()..];
    }
    blocks
}

/// Decodes one PEM key block.
pub(crate) fn from_pem_block(block: &PemBlock<'_>) -> Result<LoneKey, KeyError> {
    let what = format!("PEM block '{}'", block.label);
    if block.label == "OPENSSH PRIVATE KEY" {
        return Err(KeyError::OpenSsh { what });
    }
    if block.label == "ENCRYPTED PRIVATE KEY" || block.encrypted_header {
        return Ok(LoneKey {
            format: if block.label == "ENCRYPTED PRIVATE KEY" {
                KeyFormat::EncryptedPkcs8
            } else if block.label == "EC PRIVATE KEY" {
                KeyFormat::Sec1
            } else {
                KeyFormat::Pkcs1Private
            },
            encoding: "PEM",
            public: None,
            jwk: None,
            thumbprint: None,
        });
    }
    let der = base64::decode_standard(block.body.trim()).map_err(|e| KeyError::Base64 {
        what: what.clone(),
        reason: e.to_string(),
    })?;
    if der.len() > MAX_CERT_BYTES {
        return Err(KeyError::TooLarge {
            what,
            bytes: der.len(),
        });
    }
    let format = match block.label {
        "PUBLIC KEY" => KeyFormat::Spki,
        "RSA PUBLIC KEY" => KeyFormat::Pkcs1Public,
        "PRIVATE KEY" => KeyFormat::Pkcs8,
        "RSA PRIVATE KEY" => KeyFormat::Pkcs1Private,
        _ => KeyFormat::Sec1,
    };
    decode_der(&der, format, "PEM").map_err(|e| KeyError::Unreadable {
        what,
        reason: e.to_string(),
    })
}

/// Decodes DER whose format is unknown: public forms first, then private ones.
pub(crate) fn from_der(der: &[u8]) -> Result<LoneKey, KeyError> {
    let what = "DER".to_string();
    if der.len() > MAX_CERT_BYTES {
        return Err(KeyError::TooLarge {
            what,
            bytes: der.len(),
        });
    }
    for format in [
        KeyFormat::Spki,
        KeyFormat::Pkcs1Public,
        KeyFormat::Pkcs8,
        KeyFormat::Pkcs1Private,
        KeyFormat::Sec1,
    ] {
        if let Ok(k) = decode_der(der, format, "DER") {
            return Ok(k);
        }
    }
    Err(KeyError::Unreadable {
        what,
        reason: "neither SubjectPublicKeyInfo, PKCS#1, PKCS#8 nor SEC1".into(),
    })
}

fn decode_der(
    der: &[u8],
    format: KeyFormat,
    encoding: &'static str,
) -> Result<LoneKey, ErrorStack> {
    let public = match format {
        KeyFormat::Spki => PKey::public_key_from_der(der)?,
        KeyFormat::Pkcs1Public => {
            let rsa = Rsa::public_key_from_der_pkcs1(der)?;
            PKey::from_rsa(rsa)?
        }
        KeyFormat::Pkcs1Private => {
            let rsa = Rsa::private_key_from_der(der)?;
            public_half(&PKey::from_rsa(rsa)?)?
        }
        KeyFormat::Sec1 => {
            let ec = openssl::ec::EcKey::private_key_from_der(der)?;
            public_half(&PKey::from_ec_key(ec)?)?
        }
        // PKCS#8 never prompts: it is not the encrypted form.
        KeyFormat::Pkcs8 | KeyFormat::EncryptedPkcs8 => {
            let pkey = PKey::private_key_from_pkcs8(der)?;
            public_half(&pkey)?
        }
    };
    Ok(LoneKey::from_public(format, encoding, public))
}

fn public_half<T: openssl::pkey::HasPublic>(pkey: &PKey<T>) -> Result<PKey<Public>, ErrorStack> {
    let der = pkey.public_key_to_der()?;
    PKey::public_key_from_der(&der)
}

/// The public half as a JWK: RSA `n`/`e`, EC `crv`/`x`/`y` (field-size coordinates), OKP `crv`/`x`.
fn public_jwk(pkey: &PKey<Public>) -> Option<Map<String, Value>> {
    let b64 = |b: &[u8]| Value::String(base64::encode_url(b));
    let v = match pkey.id() {
        Id::RSA => {
            let rsa = pkey.rsa().ok()?;
            json!({"kty": "RSA", "n": b64(&rsa.n().to_vec()), "e": b64(&rsa.e().to_vec())})
        }
        Id::EC => {
            let ec = pkey.ec_key().ok()?;
            let group = ec.group();
            let crv = match group.curve_name()? {
                openssl::nid::Nid::X9_62_PRIME256V1 => "P-256",
                openssl::nid::Nid::SECP384R1 => "P-384",
                openssl::nid::Nid::SECP521R1 => "P-521",
                openssl::nid::Nid::SECP256K1 => "secp256k1",
                _ => return None,
            };
            let size = usize::try_from(group.degree()).ok()?.div_ceil(8);
            let mut ctx = BigNumContext::new().ok()?;
            let point = ec
                .public_key()
                .to_bytes(group, PointConversionForm::UNCOMPRESSED, &mut ctx)
                .ok()?;
            // 0x04 ‖ x ‖ y, each exactly the field size.
            let coords = point.get(1..)?;
            if coords.len() != 2 * size {
                return None;
            }
            let (x, y) = coords.split_at(size);
            json!({"kty": "EC", "crv": crv, "x": b64(x), "y": b64(y)})
        }
        Id::ED25519 | Id::ED448 => {
            let raw = pkey.raw_public_key().ok()?;
            let crv = if pkey.id() == Id::ED25519 {
                "Ed25519"
            } else {
                "Ed448"
            };
            json!({"kty": "OKP", "crv": crv, "x": b64(&raw)})
        }
        _ => return None,
    };
    v.as_object().cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsa_private_pem_gives_the_public_jwk_and_its_thumbprint() {
        let rsa = Rsa::generate(2048).unwrap();
        let pkey = PKey::from_rsa(rsa).unwrap();
        let pem = String::from_utf8(pkey.private_key_to_pem_pkcs8().unwrap()).unwrap();
        let blocks = pem_blocks(&pem);
        assert_eq!(blocks.len(), 1);
        let key = from_pem_block(&blocks[0]).unwrap();
        assert!(key.is_private());
        assert_eq!(key.format, KeyFormat::Pkcs8);
        let jwk = key.jwk.unwrap();
        assert_eq!(jwk["kty"], "RSA");
        assert_eq!(
            key.thumbprint.unwrap(),
            rfc7638_thumbprint("RSA", &jwk).unwrap()
        );
    }

    #[test]
    fn ec_der_public_key() {
        let group = openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::SECP384R1).unwrap();
        let ec = openssl::ec::EcKey::generate(&group).unwrap();
        let pkey = PKey::from_ec_key(ec).unwrap();
        let key = from_der(&pkey.public_key_to_der().unwrap()).unwrap();
        assert_eq!(key.format, KeyFormat::Spki);
        let jwk = key.jwk.unwrap();
        assert_eq!(jwk["crv"], "P-384");
        assert_eq!(
            base64::decode_url(jwk["x"].as_str().unwrap())
                .unwrap()
                .len(),
            48
        );
    }

    #[test]
    fn encrypted_keys_are_private_and_never_decrypted() {
        let blocks = pem_blocks(
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n",
        );
        let key = from_pem_block(&blocks[0]).unwrap();
        assert!(key.is_private());
        assert!(key.public.is_none());
    }
}
