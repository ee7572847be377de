//! Signed AuthnRequests, checked as Entra checks them when an app has "Require verification
//! certificates" on: HTTP-Redirect requests are signed over the raw query octets
//! `SAMLRequest=…[&RelayState=…]&SigAlg=…` (SAML bindings 3.4.4.1), HTTP-POST requests carry an
//! enveloped signature over the AuthnRequest. Only the app's verification certificates are trusted,
//! never a certificate the request carries; only RSA-SHA256 is accepted unless the app allows RSA-SHA1.

use bergshamra_dsig::{DsigContext, VerifyResult};
use bergshamra_keys::{loader::load_spki_der, KeysManager};
use keyprobe_core::base64;
use keyprobe_core::xmldsig::XmlDsigAlg;
use openssl::hash::MessageDigest;
use openssl::sign::Verifier;
use openssl::x509::X509;

use super::request::{parsing_options, Binding, MAX_REQUEST_XML};
use crate::model::RequestVerification;

const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";

/// Why a request that had to be signed is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum SignatureProblem {
    /// No signature where the binding puts one (AADSTS76021).
    #[error("the request is not signed")]
    Unsigned,
    /// Signed requests are required but the app has no verification certificate.
    #[error("the application has no verification certificate")]
    NoCertificate,
    /// The signature is there but does not verify, or uses an algorithm not allowed.
    #[error("{0}")]
    Invalid(String),
}

/// Check the signature of a request of `binding`: `raw_query` is the query string as received (for
/// HTTP-Redirect), `xml` the decoded AuthnRequest (for HTTP-POST).
pub(crate) fn check(
    verification: &RequestVerification,
    binding: Binding,
    raw_query: Option<&str>,
    xml: &str,
) -> Result<(), SignatureProblem> {
    match binding {
        Binding::Redirect => check_redirect(verification, raw_query.unwrap_or_default()),
        Binding::Post => check_enveloped(verification, xml),
    }
}

/// The signature method, if the app accepts it.
fn allowed_method(
    verification: &RequestVerification,
    uri: &str,
) -> Result<MessageDigest, SignatureProblem> {
    match XmlDsigAlg::from_uri(uri) {
        Some(XmlDsigAlg::RsaSha256) => Ok(MessageDigest::sha256()),
        Some(XmlDsigAlg::RsaSha1) if verification.allow_sha1 => Ok(MessageDigest::sha1()),
        _ => Err(SignatureProblem::Invalid(format!(
            "signature algorithm '{uri}' is not allowed; only RSA-SHA256{} is supported",
            if verification.allow_sha1 {
                " and RSA-SHA1"
            } else {
                ""
            }
        ))),
    }
}

/// HTTP-Redirect: `Signature` over the raw `SAMLRequest`, `RelayState` and `SigAlg` parameters, in
/// that order, exactly as they appear in the URL (still percent-encoded).
fn check_redirect(
    verification: &RequestVerification,
    raw_query: &str,
) -> Result<(), SignatureProblem> {
    let raw = |name: &str| {
        raw_query
            .split('&')
            .find(|pair| pair.split('=').next() == Some(name))
    };
    let decoded = |name: &str| {
        url::form_urlencoded::parse(raw_query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let (Some(signature), Some(sig_alg)) = (decoded("Signature"), decoded("SigAlg")) else {
        return Err(SignatureProblem::Unsigned);
    };
    if verification.certificates.is_empty() {
        return Err(SignatureProblem::NoCertificate);
    }
    let digest = allowed_method(verification, &sig_alg)?;
    let signed: Vec<&str> = ["SAMLRequest", "RelayState", "SigAlg"]
        .into_iter()
        .filter_map(raw)
        .collect();
    let signed = signed.join("&");
    let signature = base64::decode_standard(&signature.replace([' ', '\n', '\r'], ""))
        .map_err(|_| SignatureProblem::Invalid("the Signature parameter is not base64".into()))?;
    let verifies = |der: &[u8]| -> Option<bool> {
        let key = X509::from_der(der).ok()?.public_key().ok()?;
        let mut verifier = Verifier::new(digest, &key).ok()?;
        verifier.verify_oneshot(&signature, signed.as_bytes()).ok()
    };
    if verification
        .certificates
        .iter()
        .any(|cert| verifies(&cert.der) == Some(true))
    {
        Ok(())
    } else {
        Err(SignatureProblem::Invalid(format!(
            "the query signature does not verify with any of the {} verification certificates",
            verification.certificates.len()
        )))
    }
}

/// HTTP-POST: one enveloped `Signature`, a child of the AuthnRequest, with one reference to the
/// AuthnRequest's own ID. References are checked before bergshamra sees the document (it resolves
/// non-`#` URIs as files), and each verification certificate gets a key manager of its own.
fn check_enveloped(verification: &RequestVerification, xml: &str) -> Result<(), SignatureProblem> {
    if xml.len() > MAX_REQUEST_XML {
        return Err(SignatureProblem::Invalid("the request is too large".into()));
    }
    let doc = roxmltree::Document::parse_with_options(xml, parsing_options())
        .map_err(|_| SignatureProblem::Invalid("the request is not well-formed XML".into()))?;
    let root = doc.root_element();
    let is_dsig = |n: &roxmltree::Node, name: &str| {
        n.is_element() && n.tag_name().namespace() == Some(DSIG_NS) && n.tag_name().name() == name
    };
    let signatures: Vec<_> = doc
        .descendants()
        .filter(|n| is_dsig(n, "Signature"))
        .collect();
    let signature = match signatures.as_slice() {
        [] => return Err(SignatureProblem::Unsigned),
        [one] if one.parent() == Some(root) => *one,
        [_] => {
            return Err(SignatureProblem::Invalid(
                "the signature is not a child of the AuthnRequest".into(),
            ))
        }
        _ => {
            return Err(SignatureProblem::Invalid(
                "the request holds more than one signature".into(),
            ))
        }
    };
    if verification.certificates.is_empty() {
        return Err(SignatureProblem::NoCertificate);
    }
    let method = signature
        .descendants()
        .find(|n| is_dsig(n, "SignatureMethod"))
        .and_then(|n| n.attribute("Algorithm"))
        .ok_or_else(|| SignatureProblem::Invalid("the signature names no algorithm".into()))?;
    allowed_method(verification, method)?;
    let root_id = root.attribute("ID").unwrap_or_default();
    let references: Vec<_> = doc
        .descendants()
        .filter(|n| is_dsig(n, "Reference"))
        .collect();
    let expected = format!("#{root_id}");
    let uris: Vec<Option<&str>> = references
        .iter()
        .map(|r| {
            r.attributes()
                .find(|a| a.name() == "URI")
                .map(|a| a.value())
        })
        .collect();
    if root_id.is_empty() || uris.as_slice() != [Some(expected.as_str())] {
        return Err(SignatureProblem::Invalid(format!(
            "the signature must have one reference, to '{expected}'"
        )));
    }
    let same_id = doc
        .descendants()
        .filter(|n| {
            n.attributes()
                .any(|a| matches!(a.name(), "ID" | "Id" | "id") && a.value() == root_id)
        })
        .count();
    if same_id != 1 {
        return Err(SignatureProblem::Invalid(format!(
            "the ID '{root_id}' is not unique in the request"
        )));
    }
    let verifies = |der: &[u8]| -> bool {
        // The certificate's public key only: no chain or validity checks, as with Entra's
        // self-signed verification certificates.
        let spki = X509::from_der(der).and_then(|c| c.public_key()?.public_key_to_der());
        let Some(key) = spki.ok().and_then(|spki| load_spki_der(&spki).ok()) else {
            return false;
        };
        let mut keys = KeysManager::new();
        keys.add_key(key);
        let mut ctx = DsigContext::new(keys);
        ctx.skip_time_checks = true;
        matches!(
            bergshamra_dsig::verify::verify(&ctx, xml),
            Ok(ref result @ VerifyResult::Valid { .. }) if !result.has_unverified_references()
        )
    };
    if verification
        .certificates
        .iter()
        .any(|cert| verifies(&cert.der))
    {
        Ok(())
    } else {
        Err(SignatureProblem::Invalid(format!(
            "the enveloped signature does not verify with any of the {} verification certificates",
            verification.certificates.len()
        )))
    }
}
