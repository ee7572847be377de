//! Reading an AuthnRequest from the HTTP-Redirect binding (base64 of raw DEFLATE, no zlib header) or the
//! HTTP-POST binding (base64 XML), with every size bounded and DTDs refused (no entity expansion, no XXE).

use keyprobe_core::base64;
use std::io::Read;

/// Largest decoded (inflated) request accepted: AuthnRequests are a few hundred bytes.
pub(crate) const MAX_REQUEST_XML: usize = 64 * 1024;
/// Most XML nodes parsed from one request (an AuthnRequest or a LogoutRequest, or a signed one).
const MAX_NODES: u32 = 2_000;

pub(crate) const PROTOCOL_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
pub(crate) const ASSERTION_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
pub(crate) const HTTP_POST_BINDING: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";

/// Which binding carried the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    Redirect,
    Post,
}

/// What is wrong with a request, in Entra's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestProblem {
    /// Not base64, not DEFLATE, too large, not XML, a DTD, or not a well-formed AuthnRequest: AADSTS75005.
    Malformed(&'static str),
    /// A SAML protocol message other than AuthnRequest, or a response binding Entra does not use:
    /// AADSTS7500514.
    Unsupported(String),
}

/// The parts of an AuthnRequest Entra looks at.
#[derive(Debug, Clone, Default)]
pub struct AuthnRequest {
    pub id: String,
    pub issuer: Option<String>,
    pub destination: Option<String>,
    pub acs_url: Option<String>,
    pub protocol_binding: Option<String>,
    pub name_id_format: Option<String>,
    pub force_authn: bool,
    pub is_passive: bool,
    /// `RequestedAuthnContext`: the comparison (`exact` by default) and the class references.
    pub requested_authn_context: Option<(String, Vec<String>)>,
}

/// Decode the `SAMLRequest` value of `binding` into XML text.
pub fn decode(value: &str, binding: Binding) -> Result<String, RequestProblem> {
    // Some clients leave line breaks in base64, or '+' turned into spaces by a lax URL encoder.
    let compact: String = value
        .chars()
        .filter(|c| !c.is_ascii_whitespace() || *c == ' ')
        .map(|c| if c == ' ' { '+' } else { c })
        .collect();
    if compact.len() > MAX_REQUEST_XML * 2 {
        return Err(RequestProblem::Malformed(
            "the SAMLRequest value is too large",
        ));
    }
    let raw = base64::decode_standard(&compact)
        .ok()
        .ok_or(RequestProblem::Malformed("SAMLRequest is not base64"))?;
    let xml = match binding {
        Binding::Post => raw,
        Binding::Redirect => inflate_bounded(&raw)?,
    };
    if xml.len() > MAX_REQUEST_XML {
        return Err(RequestProblem::Malformed("the SAML request is too large"));
    }
    String::from_utf8(xml).map_err(|_| RequestProblem::Malformed("the SAML request is not UTF-8"))
}

/// Raw DEFLATE (RFC 1951) with the output capped, so a DEFLATE bomb stops at the cap.
fn inflate_bounded(raw: &[u8]) -> Result<Vec<u8>, RequestProblem> {
    let mut out = Vec::new();
    flate2::read::DeflateDecoder::new(raw)
        .take(MAX_REQUEST_XML as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| RequestProblem::Malformed("SAMLRequest is not DEFLATE-compressed"))?;
    if out.len() > MAX_REQUEST_XML {
        return Err(RequestProblem::Malformed(
            "the SAML request inflates too far",
        ));
    }
    Ok(out)
}

/// How every SAML request is parsed: DTDs refused (no entity expansion, no XXE) and at most
/// [`MAX_NODES`] nodes.
pub(crate) fn parsing_options<'input>() -> roxmltree::ParsingOptions<'input> {
    roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..roxmltree::ParsingOptions::default()
    }
}

/// Parse `xml` as the SAML 2.0 protocol message `expected` (`AuthnRequest`, `LogoutRequest`): well-formed
/// under [`parsing_options`], its root in the protocol namespace (else malformed), named `expected` (else
/// unsupported) and `Version="2.0"`. What is read from the root after that is the caller's.
pub(crate) fn parse_message<'x>(
    xml: &'x str,
    expected: &str,
) -> Result<roxmltree::Document<'x>, RequestProblem> {
    let doc = roxmltree::Document::parse_with_options(xml, parsing_options()).map_err(|_| {
        RequestProblem::Malformed("the SAML request is not well-formed XML without a DTD")
    })?;
    let root = doc.root_element();
    if root.tag_name().namespace() != Some(PROTOCOL_NS) {
        return Err(RequestProblem::Malformed("not a SAML 2.0 protocol message"));
    }
    let name = root.tag_name().name();
    if name != expected {
        return Err(RequestProblem::Unsupported(name.to_string()));
    }
    if root.attribute("Version") != Some("2.0") {
        return Err(RequestProblem::Malformed("Version is not 2.0"));
    }
    Ok(doc)
}

/// Parse the XML of an AuthnRequest.
pub fn parse(xml: &str) -> Result<AuthnRequest, RequestProblem> {
    let doc = parse_message(xml, "AuthnRequest")?;
    let root = doc.root_element();
    let id = root
        .attribute("ID")
        .filter(|id| !id.is_empty())
        .ok_or(RequestProblem::Malformed("the AuthnRequest has no ID"))?;
    if root.attribute("IssueInstant").is_none() {
        return Err(RequestProblem::Malformed(
            "the AuthnRequest has no IssueInstant",
        ));
    }
    let child = |ns: &str, name: &str| {
        root.children().find(|n| {
            n.is_element() && n.tag_name().namespace() == Some(ns) && n.tag_name().name() == name
        })
    };
    let issuer = child(ASSERTION_NS, "Issuer")
        .and_then(|n| n.text())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    let name_id_format = child(PROTOCOL_NS, "NameIDPolicy")
        .and_then(|n| n.attribute("Format"))
        .map(str::to_string);
    let requested_authn_context = child(PROTOCOL_NS, "RequestedAuthnContext").map(|n| {
        let comparison = n.attribute("Comparison").unwrap_or("exact").to_string();
        let classes = n
            .children()
            .filter(|c| {
                c.is_element()
                    && c.tag_name().namespace() == Some(ASSERTION_NS)
                    && c.tag_name().name() == "AuthnContextClassRef"
            })
            .filter_map(|c| c.text())
            .map(|t| t.trim().to_string())
            .collect();
        (comparison, classes)
    });
    let flag = |name: &str| matches!(root.attribute(name), Some("true") | Some("1"));
    Ok(AuthnRequest {
        id: id.to_string(),
        issuer,
        destination: root.attribute("Destination").map(str::to_string),
        acs_url: root
            .attribute("AssertionConsumerServiceURL")
            .map(str::to_string),
        protocol_binding: root.attribute("ProtocolBinding").map(str::to_string),
        name_id_format,
        force_authn: flag("ForceAuthn"),
        is_passive: flag("IsPassive"),
        requested_authn_context,
    })
}

/// Encode XML for the Redirect binding (what an SP does), for tests and examples.
pub fn encode_redirect(xml: &str) -> String {
    use std::io::Write;
    let mut encoder =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(xml.as_bytes());
    let compressed = encoder.finish().unwrap_or_default();
    base64::encode_standard(&compressed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REQUEST: &str = r#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="id1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z" AssertionConsumerServiceURL="https://sp/acs"><saml:Issuer>https://sp</saml:Issuer><samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"/></samlp:AuthnRequest>"#;

    #[test]
    fn redirect_round_trip() {
        let xml = decode(&encode_redirect(REQUEST), Binding::Redirect).unwrap();
        let request = parse(&xml).unwrap();
        assert_eq!(request.id, "id1");
        assert_eq!(request.issuer.as_deref(), Some("https://sp"));
        assert_eq!(request.acs_url.as_deref(), Some("https://sp/acs"));
    }

    #[test]
    fn bombs_dtds_and_garbage_are_malformed() {
        let bomb = "<a>".to_string() + &"x".repeat(10 * 1024 * 1024) + "</a>";
        assert!(matches!(
            decode(&encode_redirect(&bomb), Binding::Redirect),
            Err(RequestProblem::Malformed(_))
        ));
        let xxe = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="a" Version="2.0" IssueInstant="x">&x;</samlp:AuthnRequest>"#;
        assert!(matches!(parse(xxe), Err(RequestProblem::Malformed(_))));
        assert!(decode("%%%", Binding::Post).is_err());
        assert!(decode("aGVsbG8=", Binding::Redirect).is_err());
        let logout = r#"<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="a" Version="2.0" IssueInstant="x"/>"#;
        assert_eq!(
            parse(logout).unwrap_err(),
            RequestProblem::Unsupported("LogoutRequest".into())
        );
    }
}
