//! Helpers for the SAML tests: AuthnRequests as an SP sends them, the auto-posted Response taken out of
//! Entra's form, and XML signature checks with the certificate from federation metadata (bergshamra, the
//! same library keyprobe verifies with; the interop script adds xmlsec1 and signxml).
#![allow(dead_code)]

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use bergshamra_dsig::{verify::verify, DsigContext, VerifyResult};
use bergshamra_keys::KeysManager;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::sign::Signer;
use openssl::x509::{X509Builder, X509NameBuilder, X509};

pub const SP_ENTITY: &str = "https://sp.contoso.example/saml";
pub const SP_ACS: &str = "https://sp.contoso.example/saml/acs";

/// An AuthnRequest; `extra` goes inside it after the Issuer.
pub fn authn_request(id: &str, issuer: &str, acs: Option<&str>, extra: &str) -> String {
    let acs = acs
        .map(|a| format!(" AssertionConsumerServiceURL=\"{a}\""))
        .unwrap_or_default();
    format!(
        "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"{id}\" Version=\"2.0\" IssueInstant=\"2026-01-01T00:00:00Z\"{acs} ProtocolBinding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\"><saml:Issuer>{issuer}</saml:Issuer>{extra}</samlp:AuthnRequest>"
    )
}

/// The Redirect-binding query value: raw DEFLATE, base64, URL-encoded.
pub fn redirect_value(xml: &str) -> String {
    url::form_urlencoded::byte_serialize(mock_sts::internals::encode_redirect(xml).as_bytes())
        .collect()
}

pub fn url_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The value of a hidden input of the auto-posting form.
pub fn form_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(
        html[start..end]
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

pub fn form_action(html: &str) -> Option<String> {
    let marker = "action=\"";
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].replace("&amp;", "&"))
}

/// The decoded SAMLResponse XML of an auto-posting form.
pub fn saml_response(html: &str) -> String {
    let value =
        form_value(html, "SAMLResponse").unwrap_or_else(|| panic!("no SAMLResponse in {html}"));
    String::from_utf8(STANDARD.decode(value).expect("base64")).expect("UTF-8")
}

/// Signing certificates (base64 DER) of a metadata document, in order.
pub fn metadata_certificates(xml: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).expect("metadata parses");
    doc.descendants()
        .filter(|n| n.tag_name().name() == "KeyDescriptor" && n.attribute("use") == Some("signing"))
        .filter_map(|n| {
            n.descendants()
                .find(|d| d.tag_name().name() == "X509Certificate")
        })
        .filter_map(|n| n.text().map(|t| t.trim().to_string()))
        .collect()
}

pub fn certificate(b64: &str) -> X509 {
    X509::from_der(&STANDARD.decode(b64).expect("base64 certificate")).expect("DER certificate")
}

/// Verify the first `<Signature>` of `xml` with the public key of `cert` only.
pub fn verifies_with(xml: &str, cert: &X509) -> bool {
    let spki = cert.public_key().unwrap().public_key_to_der().unwrap();
    let key = bergshamra_keys::loader::load_spki_der(&spki).unwrap();
    let mut keys = KeysManager::new();
    keys.add_key(key);
    let mut ctx = DsigContext::new(keys);
    ctx.skip_time_checks = true;
    matches!(verify(&ctx, xml), Ok(VerifyResult::Valid { .. }))
}

/// The `<Assertion …>…</Assertion>` element of a Response, as a document of its own.
pub fn assertion_element(response: &str) -> String {
    let start = response.find("<Assertion ").expect("an Assertion");
    let end = response.find("</Assertion>").expect("the Assertion's end") + "</Assertion>".len();
    response[start..end].to_string()
}

/// The text between `<tag…>` and `</tag>` for the first such element.
pub fn attribute_of(xml: &str, element: &str, attribute: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(xml).ok()?;
    doc.descendants()
        .find(|n| n.tag_name().name() == element)
        .and_then(|n| n.attribute(attribute).map(str::to_string))
}

pub fn text_of(xml: &str, element: &str) -> Option<String> {
    let doc = roxmltree::Document::parse(xml).ok()?;
    doc.descendants()
        .find(|n| n.tag_name().name() == element)
        .and_then(|n| n.text().map(str::to_string))
}

/// The line of the error page's visible text that starts with `label`.
pub fn page_line(html: &str, label: &str) -> Option<String> {
    html.lines()
        .map(|l| l.replace("<div>", "").replace("</div>", ""))
        .find(|l| l.starts_with(label))
        .map(|l| l[label.len()..].trim().to_string())
}

/// A service provider's request-signing key and its self-signed certificate.
pub struct SpKey {
    pub key: PKey<Private>,
    pub cert: X509,
}

pub fn sp_key(cn: &str) -> SpKey {
    let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", cn).unwrap();
    let name = name.build();
    let mut builder = X509Builder::new().unwrap();
    builder.set_version(2).unwrap();
    builder.set_subject_name(&name).unwrap();
    builder.set_issuer_name(&name).unwrap();
    builder.set_pubkey(&key).unwrap();
    let now = openssl::asn1::Asn1Time::days_from_now(0).unwrap();
    let later = openssl::asn1::Asn1Time::days_from_now(365).unwrap();
    builder.set_not_before(&now).unwrap();
    builder.set_not_after(&later).unwrap();
    builder.sign(&key, MessageDigest::sha256()).unwrap();
    SpKey {
        key,
        cert: builder.build(),
    }
}

pub fn pem(cert: &X509) -> String {
    String::from_utf8(cert.to_pem().unwrap()).unwrap()
}

pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
pub const RSA_SHA1: &str = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";

/// The Redirect-binding query an SP sends: the signature over `SAMLRequest=…&RelayState=…&SigAlg=…`
/// (`xml` an AuthnRequest or a LogoutRequest).
pub fn signed_query(xml: &str, relay_state: Option<&str>, sig_alg: &str, sp: &SpKey) -> String {
    let mut signed = format!("SAMLRequest={}", redirect_value(xml));
    if let Some(relay) = relay_state {
        signed.push_str(&format!("&RelayState={}", url_encode(relay)));
    }
    signed.push_str(&format!("&SigAlg={}", url_encode(sig_alg)));
    let digest = if sig_alg == RSA_SHA1 {
        MessageDigest::sha1()
    } else {
        MessageDigest::sha256()
    };
    let mut signer = Signer::new(digest, &sp.key).unwrap();
    let signature = signer.sign_oneshot_to_vec(signed.as_bytes()).unwrap();
    let signature = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, signature);
    format!("{signed}&Signature={}", url_encode(&signature))
}
