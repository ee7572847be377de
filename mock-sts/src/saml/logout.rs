//! SAML single logout as Entra serves it (Microsoft's "Single Sign-Out SAML Protocol" page): a
//! `LogoutRequest` from an app over HTTP-Redirect, answered with a `LogoutResponse` (status Success,
//! `InResponseTo` the request's ID) sent back over HTTP-Redirect to the app's registered logout URL, its
//! query signed with the app's SAML signing key (SAML bindings 3.4.4.1), the way service providers
//! report Entra's logout responses arriving.

use openssl::error::ErrorStack;
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::sign::Signer;
use time::OffsetDateTime;

use keyprobe_core::base64;
use keyprobe_core::xmldsig::XmlDsigAlg;

use super::certs::SamlCertificate;
use super::request::{parse_message, parsing_options, RequestProblem, ASSERTION_NS, PROTOCOL_NS};
use super::response::{instant, new_id, xml_escape};

const STATUS_SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";

/// The parts of a LogoutRequest Entra looks at. The `NameID` is not among them: Microsoft's page says
/// Entra does not consider it and signs out the browser's session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LogoutRequest {
    pub(crate) id: String,
    pub(crate) issuer: Option<String>,
    /// `NotOnOrAfter`, when the app set one: past it, the request has expired (SAML core 3.7.1).
    pub(crate) not_on_or_after: Option<OffsetDateTime>,
}

/// Whether `xml` is a SAML 2.0 LogoutRequest (well-formed or not as one): what single logout answers.
pub(crate) fn names_logout_request(xml: &str) -> bool {
    roxmltree::Document::parse_with_options(xml, parsing_options()).is_ok_and(|doc| {
        let root = doc.root_element().tag_name();
        root.namespace() == Some(PROTOCOL_NS) && root.name() == "LogoutRequest"
    })
}

/// Parse the XML of a LogoutRequest: `ID`, `Version="2.0"` and `IssueInstant` are required, as
/// Microsoft's page lists them (the instant's format is expected but not enforced, so any value passes).
pub(crate) fn parse(xml: &str) -> Result<LogoutRequest, RequestProblem> {
    let doc = parse_message(xml, "LogoutRequest")?;
    let root = doc.root_element();
    let id = root
        .attribute("ID")
        .filter(|id| !id.is_empty())
        .ok_or(RequestProblem::Malformed("the LogoutRequest has no ID"))?;
    if root.attribute("IssueInstant").is_none() {
        return Err(RequestProblem::Malformed(
            "the LogoutRequest has no IssueInstant",
        ));
    }
    let not_on_or_after = match root.attribute("NotOnOrAfter") {
        None => None,
        Some(text) => Some(
            OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .map_err(|_| RequestProblem::Malformed("NotOnOrAfter is not an xs:dateTime"))?,
        ),
    };
    let issuer = root
        .children()
        .find(|n| {
            n.is_element()
                && n.tag_name().namespace() == Some(ASSERTION_NS)
                && n.tag_name().name() == "Issuer"
        })
        .and_then(|n| n.text())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    Ok(LogoutRequest {
        id: id.to_string(),
        issuer,
        not_on_or_after,
    })
}

/// The LogoutResponse XML, in the shape of Microsoft's sample (`Issuer` in the assertion namespace as a
/// default namespace, `Status` with the Success code), plus the `Destination` SAML bindings 3.4.5.2
/// requires of a signed message.
pub(crate) fn response_xml(
    issuer: &str,
    destination: &str,
    in_response_to: &str,
    at: OffsetDateTime,
) -> String {
    format!(
        "<samlp:LogoutResponse ID=\"{id}\" Version=\"2.0\" IssueInstant=\"{instant}\" Destination=\"{destination}\" InResponseTo=\"{in_response_to}\" xmlns:samlp=\"{PROTOCOL_NS}\">\
<Issuer xmlns=\"{ASSERTION_NS}\">{issuer}</Issuer>\
<samlp:Status><samlp:StatusCode Value=\"{STATUS_SUCCESS}\"/></samlp:Status></samlp:LogoutResponse>",
        id = new_id(),
        instant = instant(at),
        destination = xml_escape(destination),
        in_response_to = xml_escape(in_response_to),
        issuer = xml_escape(issuer),
    )
}

/// `logout_url` with the HTTP-Redirect binding's query appended: `SAMLResponse` (raw DEFLATE, base64),
/// `RelayState` when the request had one, then `Signature` and `SigAlg` (RSA-SHA256), in the order of a
/// captured Entra logout redirect (README, *Single logout*). The signature is over
/// `SAMLResponse=…[&RelayState=…]&SigAlg=…` exactly as those values appear in the URL (SAML bindings
/// 3.4.4.1), so a service provider that takes everything before `&Signature=` as the signed octets fails
/// here as it would on Entra. Values are percent-encoded with lower-case hex digits, as .NET's
/// `HttpUtility.UrlEncode` writes them and as the capture shows.
pub(crate) fn redirect_url(
    logout_url: &str,
    xml: &str,
    relay_state: Option<&str>,
    cert: &SamlCertificate,
) -> Result<String, ErrorStack> {
    let mut message = format!("SAMLResponse={}", url_encode(&deflate_base64(xml)));
    if let Some(relay_state) = relay_state {
        message.push_str(&format!("&RelayState={}", url_encode(relay_state)));
    }
    let sig_alg = format!("SigAlg={}", url_encode(XmlDsigAlg::RsaSha256.uri()));
    let key = PKey::private_key_from_pem(&cert.key_pem)?;
    let mut signer = Signer::new(MessageDigest::sha256(), &key)?;
    signer.update(format!("{message}&{sig_alg}").as_bytes())?;
    let signature = base64::encode_standard(&signer.sign_to_vec()?);
    let separator = if logout_url.contains('?') { '&' } else { '?' };
    Ok(format!(
        "{logout_url}{separator}{message}&Signature={}&{sig_alg}",
        url_encode(&signature)
    ))
}

/// Raw DEFLATE (no zlib header) and base64, as the Redirect binding carries a message.
fn deflate_base64(xml: &str) -> String {
    super::request::encode_redirect(xml)
}

/// `application/x-www-form-urlencoded` with lower-case hex digits.
fn url_encode(value: &str) -> String {
    let upper: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
    let mut out = String::with_capacity(upper.len());
    let mut hex_left = 0;
    for c in upper.chars() {
        if hex_left > 0 {
            out.push(c.to_ascii_lowercase());
            hex_left -= 1;
        } else {
            if c == '%' {
                hex_left = 2;
            }
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use openssl::sign::Verifier;

    const REQUEST: &str = r#"<samlp:LogoutRequest xmlns="urn:oasis:names:tc:SAML:2.0:metadata" ID="idaa6ebe6839094fe4abc4ebd5281ec780" Version="2.0" IssueInstant="2013-03-28T07:10:49.6004822Z" xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">https://www.workaad.com</Issuer><NameID xmlns="urn:oasis:names:tc:SAML:2.0:assertion"> Uz2Pqz1X7pxe4XLWxV9KJQ+n59d573SepSAkuYKSde8=</NameID></samlp:LogoutRequest>"#;

    #[test]
    fn microsofts_sample_request_parses() {
        let request = parse(REQUEST).unwrap();
        assert_eq!(request.id, "idaa6ebe6839094fe4abc4ebd5281ec780");
        assert_eq!(request.issuer.as_deref(), Some("https://www.workaad.com"));
        assert_eq!(request.not_on_or_after, None);
    }

    #[test]
    fn requests_without_what_entra_requires_are_malformed() {
        for (from, to) in [
            (" ID=\"idaa6ebe6839094fe4abc4ebd5281ec780\"", ""),
            (" Version=\"2.0\"", " Version=\"1.1\""),
            (" IssueInstant=\"2013-03-28T07:10:49.6004822Z\"", ""),
            (
                " Version=\"2.0\"",
                " Version=\"2.0\" NotOnOrAfter=\"tomorrow\"",
            ),
        ] {
            let xml = REQUEST.replacen(from, to, 1);
            assert!(
                matches!(parse(&xml), Err(RequestProblem::Malformed(_))),
                "{xml}"
            );
        }
        let response = r#"<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="a" Version="2.0" IssueInstant="x"/>"#;
        assert_eq!(
            parse(response).unwrap_err(),
            RequestProblem::Unsupported("LogoutResponse".into())
        );
    }

    #[test]
    fn the_redirect_is_signed_over_the_octets_it_carries() {
        let cert = SamlCertificate::generate_current().unwrap();
        let xml = response_xml(
            "https://sts.windows.net/t/",
            "https://sp/slo",
            "id1",
            crate::util::now(),
        );
        let url = redirect_url("https://sp/slo?x=1", &xml, Some("a b/c"), &cert).unwrap();
        let query = url.strip_prefix("https://sp/slo?x=1&").unwrap();
        // As the capture orders them: the message, RelayState, Signature, SigAlg.
        let (message, rest) = query.split_once("&Signature=").unwrap();
        let (signature, sig_alg) = rest.split_once('&').unwrap();
        assert!(message.ends_with("&RelayState=a+b%2fc"), "{query}");
        assert_eq!(
            sig_alg,
            "SigAlg=http%3a%2f%2fwww.w3.org%2f2001%2f04%2fxmldsig-more%23rsa-sha256"
        );
        let signed = format!("{message}&{sig_alg}");
        let signature: String = url::form_urlencoded::parse(format!("s={signature}").as_bytes())
            .next()
            .unwrap()
            .1
            .into_owned();
        let key = cert.cert.public_key().unwrap();
        let mut verifier = Verifier::new(MessageDigest::sha256(), &key).unwrap();
        let raw = base64::decode_standard(&signature).unwrap();
        assert!(verifier.verify_oneshot(&raw, signed.as_bytes()).unwrap());
        // What a service provider that signs-checks everything before `&Signature=` would take.
        assert!(!verifier.verify_oneshot(&raw, message.as_bytes()).unwrap());
        let encoded: String = url::form_urlencoded::parse(message.as_bytes())
            .find(|(k, _)| k == "SAMLResponse")
            .unwrap()
            .1
            .into_owned();
        let inflated =
            super::super::request::decode(&encoded, super::super::request::Binding::Redirect)
                .unwrap();
        assert_eq!(inflated, xml);
    }
}
