//! X.509 certificates: decoded once (x509-parser), with the key ready for verification (OpenSSL).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::{Arc, OnceLock};

use serde_json::{json, Value};
use x509_parser::prelude::{FromDer, X509Certificate};

use super::recent::{recall, remember, Recent};
use super::thumbprint::CertThumbprints;
use super::DecodeError;
use crate::clock::{describe, rfc3339, Clock};
use crate::codec::base64;
use crate::crypto::policy::public_key_weakness;
use crate::crypto::{KeyError, KeyInfo, VerifyKey};
use crate::limits::{MAX_CERT_BYTES, MAX_CHAIN_CERTS};

#[derive(Debug, Clone)]
pub struct Certificate {
    pub der: Vec<u8>,
    pub subject: String,
    pub issuer: String,
    pub serial_hex: String,
    pub not_before: i64,
    pub not_after: i64,
    pub signature_algorithm: String,
    /// The certificate's own signature uses SHA-1 or MD5.
    pub weak_signature_hash: bool,
    pub key: Result<VerifyKey, KeyError>,
    /// Why the certificate's key is too weak to sign with (size, ROCA), worked out once.
    pub key_weakness: Option<String>,
    pub sans: Vec<String>,
    pub key_usage: Vec<String>,
    pub extended_key_usage: Vec<String>,
    pub is_ca: Option<bool>,
    /// Subject equals issuer.
    pub self_issued: bool,
    /// Self-issued and its signature verifies with its own key: worked out when first asked, as
    /// most certificates loaded as trusted keys are never asked.
    /// Shared between clones, so that a certificate parsed once and handed out again (see
    /// [`Certificate::from_der`]) is checked once.
    self_signed: Arc<OnceLock<bool>>,
    pub thumbprints: CertThumbprints,
    /// The decoded view ([`Certificate::to_json`]) and the clock it was made for, shared between
    /// clones: every response of a SAML batch shows the same certificate.
    view: Arc<OnceLock<(Clock, Value)>>,
}

/// Certificates recently parsed on this thread. A batch of SAML responses (or tokens with `x5c`)
/// from one issuer carries the same certificate in every message; parsing is deterministic, so
/// the same bytes give the same certificate.
const RECENT_CERTS: usize = 8;

thread_local! {
    static RECENT: Recent<Certificate> = const { RefCell::new(VecDeque::new()) };
}

impl Certificate {
    pub fn from_der(der: &[u8]) -> Result<Certificate, DecodeError> {
        if let Some(cert) = recall(&RECENT, |c| (c.der == der).then(|| c.clone())) {
            return Ok(cert);
        }
        let cert = Certificate::parse(der)?;
        remember(&RECENT, cert.clone(), RECENT_CERTS);
        Ok(cert)
    }

    fn parse(der: &[u8]) -> Result<Certificate, DecodeError> {
        if der.len() > MAX_CERT_BYTES {
            return Err(DecodeError::new(
                "certificate",
                format!(
                    "{} bytes, more than the {MAX_CERT_BYTES} byte limit",
                    der.len()
                ),
            ));
        }
        let (rest, cert) = X509Certificate::from_der(der).map_err(|e| {
            DecodeError::new("certificate", format!("not a DER X.509 certificate: {e}"))
        })?;
        if !rest.is_empty() {
            return Err(DecodeError::new(
                "certificate",
                format!(
                    "{} bytes of trailing data after the certificate",
                    rest.len()
                ),
            ));
        }
        let validity = cert.validity();
        let not_before = validity.not_before.timestamp();
        let not_after = validity.not_after.timestamp();
        let sig_oid = cert.signature_algorithm.algorithm.to_id_string();
        let (signature_algorithm, weak_signature_hash) = signature_algorithm_name(&sig_oid);
        let key = public_key_of(&cert);
        let sans = match cert.subject_alternative_name() {
            Ok(Some(ext)) => ext
                .value
                .general_names
                .iter()
                .map(|n| n.to_string())
                .collect(),
            _ => Vec::new(),
        };
        let key_usage = match cert.key_usage() {
            Ok(Some(ext)) => ext
                .value
                .to_string()
                .split(", ")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        };
        let extended_key_usage = match cert.extended_key_usage() {
            Ok(Some(ext)) => {
                let e = ext.value;
                let mut v: Vec<String> = [
                    (e.any, "any"),
                    (e.server_auth, "serverAuth"),
                    (e.client_auth, "clientAuth"),
                    (e.code_signing, "codeSigning"),
                    (e.email_protection, "emailProtection"),
                    (e.time_stamping, "timeStamping"),
                    (e.ocsp_signing, "OCSPSigning"),
                ]
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, n)| n.to_string())
                .collect();
                v.extend(e.other.iter().map(|o| o.to_id_string()));
                v
            }
            _ => Vec::new(),
        };
        let is_ca = cert
            .basic_constraints()
            .ok()
            .flatten()
            .map(|bc| bc.value.ca);
        let subject = cert.subject().to_string();
        let issuer = cert.issuer().to_string();
        let self_issued = cert.subject().as_raw() == cert.issuer().as_raw();
        let key_weakness = key.as_ref().ok().and_then(public_key_weakness);
        Ok(Certificate {
            der: der.to_vec(),
            subject,
            issuer,
            serial_hex: hex::encode_upper(cert.raw_serial()),
            not_before,
            not_after,
            signature_algorithm,
            weak_signature_hash,
            key,
            key_weakness,
            sans,
            key_usage,
            extended_key_usage,
            is_ca,
            self_issued,
            self_signed: Arc::new(OnceLock::new()),
            view: Arc::new(OnceLock::new()),
            thumbprints: CertThumbprints::of_der(der),
        })
    }

    /// Self-issued and its signature verifies with its own key.
    pub fn self_signed(&self) -> bool {
        *self.self_signed.get_or_init(|| {
            self.self_issued && self.key.as_ref().is_ok_and(|k| signed_by(&self.der, k))
        })
    }

    /// A certificate from an `x5c` entry or a SAML `X509Certificate` element (standard base64).
    pub fn from_base64(text: &str) -> Result<Certificate, DecodeError> {
        let der = base64::decode_standard(text)
            .map_err(|e| DecodeError::new("certificate", e.to_string()))?;
        Certificate::from_der(&der)
    }

    pub fn key_info(&self) -> Option<KeyInfo> {
        self.key.as_ref().ok().map(VerifyKey::info)
    }

    /// A short name for messages: the subject's CN when there is one.
    pub fn short_name(&self) -> String {
        self.subject
            .split(", ")
            .find_map(|p| p.strip_prefix("CN="))
            .map(str::to_string)
            .unwrap_or_else(|| self.subject.clone())
    }

    /// True when `issuer_cert`'s key verifies this certificate's signature.
    pub fn is_signed_by(&self, issuer_cert: &Certificate) -> bool {
        issuer_cert
            .key
            .as_ref()
            .is_ok_and(|k| signed_by(&self.der, k))
    }

    /// The decoded view of the certificate for reports, made once per certificate and clock.
    pub fn to_json(&self, clock: &Clock) -> Value {
        match self.view.get() {
            Some((made_for, view)) if made_for == clock => view.clone(),
            Some(_) => self.make_json(clock),
            None => self
                .view
                .get_or_init(|| (*clock, self.make_json(clock)))
                .1
                .clone(),
        }
    }

    fn make_json(&self, clock: &Clock) -> Value {
        json!({
            "subject": self.subject,
            "issuer": self.issuer,
            "serial": self.serial_hex,
            "not_before": rfc3339(self.not_before),
            "not_after": rfc3339(self.not_after),
            "validity": format!("{} → {}", describe(clock, self.not_before), describe(clock, self.not_after)),
            "key": self.key_info().map(|k| k.describe()).unwrap_or_else(|| self.key.as_ref().err().map(ToString::to_string).unwrap_or_default()),
            "signature_algorithm": self.signature_algorithm,
            "subject_alt_names": self.sans,
            "key_usage": self.key_usage,
            "extended_key_usage": self.extended_key_usage,
            "ca": self.is_ca,
            "self_signed": self.self_signed(),
            "thumbprints": self.thumbprints,
        })
    }
}

/// True when `key` verifies the certificate's signature. The common algorithms are checked over the
/// TBS bytes directly (OpenSSL 3's X509 decoding costs more than the verification itself); others go
/// through OpenSSL's X509 path.
fn signed_by(der: &[u8], key: &VerifyKey) -> bool {
    use openssl::hash::MessageDigest;
    use openssl::rsa::Padding;
    use openssl::sign::Verifier;
    let VerifyKey::Public(pkey) = key else {
        return false;
    };
    let Ok((_, cert)) = X509Certificate::from_der(der) else {
        return false;
    };
    let tbs = cert.tbs_certificate.as_ref();
    let signature: &[u8] = cert.signature_value.data.as_ref();
    let (digest, rsa) = match cert.signature_algorithm.algorithm.to_id_string().as_str() {
        "1.2.840.113549.1.1.5" => (Some(MessageDigest::sha1()), true),
        "1.2.840.113549.1.1.11" => (Some(MessageDigest::sha256()), true),
        "1.2.840.113549.1.1.12" => (Some(MessageDigest::sha384()), true),
        "1.2.840.113549.1.1.13" => (Some(MessageDigest::sha512()), true),
        "1.2.840.10045.4.3.2" => (Some(MessageDigest::sha256()), false),
        "1.2.840.10045.4.3.3" => (Some(MessageDigest::sha384()), false),
        "1.2.840.10045.4.3.4" => (Some(MessageDigest::sha512()), false),
        "1.3.101.112" => (None, false),
        _ => {
            return openssl::x509::X509::from_der(der)
                .ok()
                .and_then(|x| x.verify(pkey).ok())
                .unwrap_or(false)
        }
    };
    let verifier = match digest {
        Some(md) => Verifier::new(md, pkey),
        None => Verifier::new_without_digest(pkey),
    };
    let Ok(mut verifier) = verifier else {
        return false;
    };
    if rsa && verifier.set_rsa_padding(Padding::PKCS1).is_err() {
        return false;
    }
    verifier.verify_oneshot(signature, tbs).unwrap_or(false)
}

/// The certificate's public key: RSA keys straight from their numbers (cheap), others from the
/// SubjectPublicKeyInfo through OpenSSL's decoder.
fn public_key_of(cert: &X509Certificate) -> Result<VerifyKey, KeyError> {
    let spki = cert.public_key();
    if spki.algorithm.algorithm.to_id_string() == "1.2.840.113549.1.1.1" {
        if let Ok(x509_parser::public_key::PublicKey::RSA(rsa)) = spki.parsed() {
            let modulus = rsa.modulus.strip_prefix(&[0u8]).unwrap_or(rsa.modulus);
            return VerifyKey::rsa(modulus, rsa.exponent);
        }
    }
    VerifyKey::from_spki_der(spki.raw)
}

/// Decodes every certificate in PEM text. Non-certificate blocks are reported, not fatal.
pub fn parse_pem_bundle(text: &str) -> (Vec<Certificate>, Vec<DecodeError>) {
    let mut certs = Vec::new();
    let mut errors = Vec::new();
    for (i, block) in x509_parser::pem::Pem::iter_from_buffer(text.as_bytes()).enumerate() {
        if i >= MAX_CHAIN_CERTS {
            errors.push(DecodeError::new(
                "PEM",
                format!("more than {MAX_CHAIN_CERTS} blocks; the rest were not read"),
            ));
            break;
        }
        match block {
            Ok(pem) if pem.label == "CERTIFICATE" => match Certificate::from_der(&pem.contents) {
                Ok(c) => certs.push(c),
                Err(e) => errors.push(DecodeError::new(format!("PEM block {}", i + 1), e.reason)),
            },
            // Keys beside the certificates (a TLS bundle) are read by the key reader.
            Ok(pem) if super::key::is_key_label(&pem.label) => {}
            Ok(pem) => errors.push(DecodeError::new(
                format!("PEM block {}", i + 1),
                format!("a '{}' block, not a certificate", pem.label),
            )),
            Err(e) => {
                errors.push(DecodeError::new(
                    format!("PEM block {}", i + 1),
                    format!("{e}"),
                ));
                break;
            }
        }
    }
    (certs, errors)
}

/// Describes the order of a chain: each certificate should be issued by the next.
pub fn chain_order(chain: &[Certificate]) -> Option<String> {
    if chain.len() < 2 {
        return None;
    }
    let in_order = chain.windows(2).all(|w| w[0].issuer == w[1].subject);
    Some(if in_order {
        "in order: each certificate is issued by the next".to_string()
    } else {
        "not in order: a certificate is not followed by its issuer (leaf first, then intermediates)"
            .to_string()
    })
}

fn signature_algorithm_name(oid: &str) -> (String, bool) {
    let (name, weak) = match oid {
        "1.2.840.113549.1.1.2" => ("md2WithRSAEncryption", true),
        "1.2.840.113549.1.1.3" => ("md4WithRSAEncryption", true),
        "1.2.840.113549.1.1.4" => ("md5WithRSAEncryption", true),
        "1.2.840.113549.1.1.5" => ("sha1WithRSAEncryption", true),
        // The OIW arc's SHA-1 with RSA, still met in old certificates.
        "1.3.14.3.2.29" => ("sha1WithRSASignature", true),
        "1.2.840.113549.1.1.14" => ("sha224WithRSAEncryption", false),
        "1.2.840.113549.1.1.11" => ("sha256WithRSAEncryption", false),
        "1.2.840.113549.1.1.12" => ("sha384WithRSAEncryption", false),
        "1.2.840.113549.1.1.13" => ("sha512WithRSAEncryption", false),
        "1.2.840.113549.1.1.10" => ("RSASSA-PSS", false),
        "1.2.840.10045.4.1" => ("ecdsa-with-SHA1", true),
        "1.2.840.10045.4.3.2" => ("ecdsa-with-SHA256", false),
        "1.2.840.10045.4.3.3" => ("ecdsa-with-SHA384", false),
        "1.2.840.10045.4.3.4" => ("ecdsa-with-SHA512", false),
        "1.2.840.10040.4.3" => ("dsa-with-SHA1", true),
        "2.16.840.1.101.3.4.3.1" => ("dsa-with-SHA224", false),
        "2.16.840.1.101.3.4.3.2" => ("dsa-with-SHA256", false),
        "1.3.101.112" => ("Ed25519", false),
        "1.3.101.113" => ("Ed448", false),
        other => return (other.to_string(), false),
    };
    (name.to_string(), weak)
}

#[cfg(test)]
mod tests {
    use super::signature_algorithm_name;

    #[test]
    fn sha1_and_md5_are_weak_whatever_the_key_type() {
        for oid in [
            "1.2.840.113549.1.1.4",
            "1.2.840.113549.1.1.5",
            "1.3.14.3.2.29",
            "1.2.840.10045.4.1",
            "1.2.840.10040.4.3",
        ] {
            assert!(signature_algorithm_name(oid).1, "{oid} should be weak");
        }
        for oid in [
            "1.2.840.113549.1.1.11",
            "2.16.840.1.101.3.4.3.2",
            "1.3.101.112",
        ] {
            assert!(!signature_algorithm_name(oid).1, "{oid} should not be weak");
        }
    }
}
