//! Enveloped XML signatures as Entra makes them: exclusive c14n, RSA-SHA256, SHA-256 digest, the
//! certificate in KeyInfo. The signing itself is bergshamra's; this module only writes the templates.

use bergshamra_dsig::{sign::sign_owned, DsigContext};
use bergshamra_keys::{loader::load_pem_auto, KeysManager};
use keyprobe_core::xmldsig::XmlDsigAlg;

use super::certs::SamlCertificate;

/// Where the `<Signature>` template goes inside the element to sign.
pub const SIGNATURE_PLACEHOLDER: &str = "<!--mock-sts:signature-->";

#[derive(Debug, thiserror::Error)]
#[error("XML signing failed: {0}")]
pub struct SignError(String);

impl SignError {
    pub fn from_message(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// The signature template: Entra's shape, with the default `xmldsig` namespace: exclusive c14n,
/// RSA-SHA256, SHA-256 digest, the certificate in KeyInfo.
fn template(reference_id: &str, cert_b64: &str) -> String {
    format!(
        "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><SignedInfo>\
<CanonicalizationMethod Algorithm=\"{c14n}\"/>\
<SignatureMethod Algorithm=\"{method}\"/>\
<Reference URI=\"#{reference_id}\"><Transforms>\
<Transform Algorithm=\"{enveloped}\"/>\
<Transform Algorithm=\"{c14n}\"/></Transforms>\
<DigestMethod Algorithm=\"{digest}\"/><DigestValue></DigestValue></Reference>\
</SignedInfo><SignatureValue></SignatureValue>\
<KeyInfo><X509Data><X509Certificate>{cert}</X509Certificate></X509Data></KeyInfo></Signature>",
        c14n = XmlDsigAlg::ExcC14n.uri(),
        method = XmlDsigAlg::RsaSha256.uri(),
        enveloped = XmlDsigAlg::EnvelopedSignature.uri(),
        digest = XmlDsigAlg::Sha256.uri(),
        cert = cert_b64
    )
}

/// Sign `xml`, a document whose element with `ID="reference_id"` holds [`SIGNATURE_PLACEHOLDER`] where
/// the signature belongs (after `Issuer` in SAML, first in metadata). Only one placeholder may be left in
/// `xml`: elements signed earlier already carry their signatures.
pub(crate) fn sign_enveloped(
    xml: &str,
    reference_id: &str,
    cert: &SamlCertificate,
) -> Result<String, SignError> {
    sign_enveloped_with(xml, reference_id, &cert.cert_b64(), &cert.key_pem)
}

/// [`sign_enveloped`] with any RSA key: `cert_b64` is its certificate (base64 DER), `key_pem` the private
/// key (PKCS#8 PEM; other PEM blocks around it are skipped).
pub fn sign_enveloped_with(
    xml: &str,
    reference_id: &str,
    cert_b64: &str,
    key_pem: &[u8],
) -> Result<String, SignError> {
    if xml.matches(SIGNATURE_PLACEHOLDER).count() != 1 {
        return Err(SignError(
            "expected exactly one signature placeholder".into(),
        ));
    }
    let with_template = xml.replacen(SIGNATURE_PLACEHOLDER, &template(reference_id, cert_b64), 1);
    let key =
        load_pem_auto(private_key_block(key_pem), None).map_err(|e| SignError(e.to_string()))?;
    let mut keys = KeysManager::new();
    keys.add_key(key);
    let ctx = DsigContext::new(keys);
    sign_owned(&ctx, with_template).map_err(|e| SignError(e.to_string()))
}

/// The `PRIVATE KEY` block of a PEM file that may also hold a certificate.
fn private_key_block(pem: &[u8]) -> &[u8] {
    const BEGIN: &[u8] = b"-----BEGIN PRIVATE KEY-----";
    let start = pem
        .windows(BEGIN.len())
        .position(|w| w == BEGIN)
        .unwrap_or(0);
    pem.get(start..).unwrap_or(pem)
}
