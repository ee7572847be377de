//! Making X.509 certificates: one builder for every certificate mock-sts makes (tenant signing keys, SAML
//! signing certificates, the local TLS CA and its server certificate) and for keyprobe's fixture generator
//! (`examples/make_fixtures.rs`).
//!
//! The builder writes what they all share: version 3, subject, public key, validity, a serial, a SHA-256
//! signature. What differs on purpose is said where each certificate is made: the names, the validity,
//! a fixed serial for fixtures, the issuer, and the extensions (Entra's SAML certificates carry none,
//! its token-signing certificates a Subject Key Identifier, the TLS CA and server certificate the usual
//! CA and server extensions).
//!
//! ```
//! use mock_sts::CertificateBuilder;
//! use openssl::pkey::PKey;
//! use openssl::rsa::Rsa;
//!
//! let key = PKey::from_rsa(Rsa::generate(2048)?)?;
//! let now = 1_780_315_200; // 2026-06-01T12:00:00Z
//! let cert = CertificateBuilder::new(&key, &[("CN", "example")], now - 3600, now + 86_400)?
//!     .subject_key_identifier()?
//!     .sign(&key)?;
//! assert!(cert.verify(&key)?);
//! # Ok::<(), openssl::error::ErrorStack>(())
//! ```

use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, BigNumRef, MsbOption};
use openssl::error::ErrorStack;
use openssl::hash::MessageDigest;
use openssl::pkey::{HasPublic, PKeyRef, Private};
use openssl::x509::extension::{
    AuthorityKeyIdentifier, BasicConstraints, KeyUsage, SubjectAlternativeName,
    SubjectKeyIdentifier,
};
use openssl::x509::{X509Builder, X509Extension, X509Name, X509NameBuilder, X509Ref, X509};

/// A certificate being made: fields first, then extensions in the order they are added, then
/// [`CertificateBuilder::sign`].
pub struct CertificateBuilder<'a> {
    builder: X509Builder,
    /// The issuing certificate, when not self-issued: its subject is the issuer name, and extensions
    /// that refer to the issuer (Authority Key Identifier) read it.
    issuer: Option<&'a X509Ref>,
}

impl<'a> CertificateBuilder<'a> {
    /// A version 3 certificate for `key`, named by the `(field, value)` pairs of `subject` in order (e.g.
    /// `[("CN", "localhost")]`), valid from `not_before` until `not_after` (Unix seconds), with a random
    /// 63-bit serial. It is self-issued until [`Self::issued_by`].
    pub fn new<T: HasPublic>(
        key: &PKeyRef<T>,
        subject: &[(&str, &str)],
        not_before: i64,
        not_after: i64,
    ) -> Result<Self, ErrorStack> {
        let mut builder = X509Builder::new()?;
        builder.set_version(2)?;
        let mut serial = BigNum::new()?;
        serial.rand(63, MsbOption::MAYBE_ZERO, false)?;
        builder.set_serial_number(serial.to_asn1_integer()?.as_ref())?;
        let subject = name(subject)?;
        builder.set_subject_name(&subject)?;
        builder.set_issuer_name(&subject)?;
        builder.set_pubkey(key)?;
        builder.set_not_before(Asn1Time::from_unix(not_before)?.as_ref())?;
        builder.set_not_after(Asn1Time::from_unix(not_after)?.as_ref())?;
        Ok(Self {
            builder,
            issuer: None,
        })
    }

    /// A fixed serial number instead of a random one (fixtures that must not change between runs).
    pub fn serial(mut self, serial: &BigNumRef) -> Result<Self, ErrorStack> {
        self.builder
            .set_serial_number(serial.to_asn1_integer()?.as_ref())?;
        Ok(self)
    }

    /// Issued by `issuer`: its subject becomes this certificate's issuer name. Sign with its key.
    pub fn issued_by(mut self, issuer: &'a X509Ref) -> Result<Self, ErrorStack> {
        self.builder.set_issuer_name(issuer.subject_name())?;
        self.issuer = Some(issuer);
        Ok(self)
    }

    /// Any extension built beforehand (Basic Constraints, Key Usage, Extended Key Usage, ...).
    pub fn extension(mut self, extension: X509Extension) -> Result<Self, ErrorStack> {
        self.builder.append_extension(extension)?;
        Ok(self)
    }

    /// A certification authority: Basic Constraints `CA:TRUE` (with `pathlen` when given) and Key
    /// Usage `keyCertSign, cRLSign`, both critical, as RFC 5280 asks of a CA certificate.
    pub fn ca(self, pathlen: Option<u32>) -> Result<Self, ErrorStack> {
        let mut constraints = BasicConstraints::new();
        constraints.critical().ca();
        if let Some(pathlen) = pathlen {
            constraints.pathlen(pathlen);
        }
        let usage = KeyUsage::new()
            .critical()
            .key_cert_sign()
            .crl_sign()
            .build()?;
        self.extension(constraints.build()?)?.extension(usage)
    }

    /// The Subject Key Identifier: the SHA-1 of the public key.
    pub fn subject_key_identifier(self) -> Result<Self, ErrorStack> {
        let ski =
            SubjectKeyIdentifier::new().build(&self.builder.x509v3_context(self.issuer, None))?;
        self.extension(ski)
    }

    /// The Authority Key Identifier naming the issuer's key (after [`Self::issued_by`]).
    pub fn authority_key_identifier(self) -> Result<Self, ErrorStack> {
        let aki = AuthorityKeyIdentifier::new()
            .keyid(true)
            .build(&self.builder.x509v3_context(self.issuer, None))?;
        self.extension(aki)
    }

    /// The Subject Alternative Name extension with the names in `names`.
    pub fn subject_alt_name(self, names: &SubjectAlternativeName) -> Result<Self, ErrorStack> {
        let san = names.build(&self.builder.x509v3_context(self.issuer, None))?;
        self.extension(san)
    }

    /// Sign with SHA-256: with the certificate's own key when self-issued, else with the issuer's.
    pub fn sign(mut self, signer: &PKeyRef<Private>) -> Result<X509, ErrorStack> {
        self.builder.sign(signer, MessageDigest::sha256())?;
        Ok(self.builder.build())
    }
}

fn name(entries: &[(&str, &str)]) -> Result<X509Name, ErrorStack> {
    let mut name = X509NameBuilder::new()?;
    for (field, value) in entries {
        name.append_entry_by_text(field, value)?;
    }
    Ok(name.build())
}

#[cfg(test)]
mod tests {
    use super::*;
    use openssl::ec::{EcGroup, EcKey};
    use openssl::nid::Nid;
    use openssl::pkey::PKey;

    fn key() -> openssl::pkey::PKey<Private> {
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap()
    }

    #[test]
    fn a_leaf_names_and_is_verified_by_its_issuer() {
        let (ca_key, leaf_key) = (key(), key());
        let ca = CertificateBuilder::new(&ca_key, &[("CN", "ca"), ("O", "org")], 0, 10)
            .unwrap()
            .subject_key_identifier()
            .unwrap()
            .sign(&ca_key)
            .unwrap();
        let leaf = CertificateBuilder::new(&leaf_key, &[("CN", "leaf")], 0, 10)
            .unwrap()
            .issued_by(&ca)
            .unwrap()
            .subject_alt_name(SubjectAlternativeName::new().dns("leaf"))
            .unwrap()
            .authority_key_identifier()
            .unwrap()
            .sign(&ca_key)
            .unwrap();
        assert!(leaf.verify(&ca_key).unwrap());
        assert_eq!(
            leaf.issuer_name().to_der().unwrap(),
            ca.subject_name().to_der().unwrap()
        );
        assert_eq!(
            leaf.authority_key_id().unwrap().as_slice(),
            ca.subject_key_id().unwrap().as_slice()
        );
        assert_eq!(leaf.version(), 2);
        assert_eq!(leaf.not_after().to_string(), "Jan  1 00:00:10 1970 GMT");
    }

    #[test]
    fn a_fixed_serial_replaces_the_random_one() {
        let k = key();
        let serial = BigNum::from_u32(4242).unwrap();
        let cert = CertificateBuilder::new(&k, &[("CN", "x")], 0, 10)
            .unwrap()
            .serial(&serial)
            .unwrap()
            .sign(&k)
            .unwrap();
        assert_eq!(cert.serial_number().to_bn().unwrap(), serial);
        assert_eq!(
            cert.issuer_name().to_der().unwrap(),
            cert.subject_name().to_der().unwrap()
        );
        assert!(cert.subject_key_id().is_none(), "no extension unless asked");
    }
}
