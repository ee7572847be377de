//! SAML bindings: how a SAML message travels, and how to get its XML back.
//!
//! - raw XML (a file, or the decoded value pasted by hand);
//! - HTTP-POST: standard base64, often wrapped over lines;
//! - HTTP-Redirect: raw DEFLATE (RFC 1951, no zlib header) then base64, then URL-encoded;
//! - a whole URL carrying `SAMLRequest=`/`SAMLResponse=` (decoded here, never fetched);
//! - an `application/x-www-form-urlencoded` body (`SAMLResponse=…&RelayState=…`).
//!
//! Every step is bounded: the encoded text, the base64 output and the inflated XML.

use std::io::Read;
use std::sync::Arc;

use crate::codec::base64::{self, Base64Error};
use crate::limits::MAX_SAML_XML_BYTES;

/// How the message reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// The XML itself.
    RawXml,
    /// Base64 of the XML (HTTP-POST binding).
    Base64,
    /// Base64 of raw DEFLATE of the XML (HTTP-Redirect binding).
    DeflateBase64,
}

impl Binding {
    pub fn describe(self) -> &'static str {
        match self {
            Binding::RawXml => "XML",
            Binding::Base64 => "base64 (HTTP-POST binding)",
            Binding::DeflateBase64 => "raw DEFLATE + base64 (HTTP-Redirect binding)",
        }
    }
}

/// A SAML message recovered from its transport encoding.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub xml: String,
    pub binding: Binding,
    /// How the encoded value was wrapped: "URL", "form body", "URL-encoded value", or none.
    pub carrier: Option<&'static str>,
    /// `SAMLRequest` or `SAMLResponse`, when the value came with its parameter name.
    pub parameter: Option<SamlParameter>,
    pub relay_state: Option<String>,
    /// `SigAlg` of an HTTP-Redirect query-string signature, when present.
    pub sig_alg: Option<String>,
    /// The HTTP-Redirect binding's query-string signature, when the URL carries one.
    pub query_signature: Option<QuerySignature>,
}

/// SAML bindings §3.4.4.1: the signature covers `SAMLRequest=…&RelayState=…&SigAlg=…` exactly as
/// the URL-encoded octets arrived (RelayState only when present).
#[derive(Debug, Clone)]
pub struct QuerySignature {
    pub signed_octets: String,
    pub sig_alg: String,
    /// The decoded `Signature` value, or why it does not decode.
    pub signature: Result<Vec<u8>, QuerySignatureError>,
}

/// The two parameters a SAML message travels in (SAML bindings §3.4.4, §3.5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SamlParameter {
    SamlResponse,
    SamlRequest,
}

impl SamlParameter {
    pub fn as_str(self) -> &'static str {
        match self {
            SamlParameter::SamlResponse => "SAMLResponse",
            SamlParameter::SamlRequest => "SAMLRequest",
        }
    }

    fn parse(name: &str) -> Option<SamlParameter> {
        match name {
            "SAMLResponse" => Some(SamlParameter::SamlResponse),
            "SAMLRequest" => Some(SamlParameter::SamlRequest),
            _ => None,
        }
    }
}

impl std::fmt::Display for SamlParameter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a value that is clearly meant as SAML could not be decoded.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum BindingError {
    /// The value of a named parameter (`SAMLResponse=…`) does not decode: the input is that
    /// parameter's message, broken.
    #[error("{parameter}: {problem}")]
    Parameter {
        parameter: SamlParameter,
        problem: ValueError,
    },
    /// A bare value (no parameter name) that is SAML-shaped but does not decode.
    #[error(transparent)]
    Value(ValueError),
    #[error("the {carrier} carries more than one SAMLRequest/SAMLResponse parameter")]
    RepeatedParameter { carrier: &'static str },
    #[error("the {carrier} has no SAMLRequest or SAMLResponse parameter")]
    NoParameter { carrier: &'static str },
    /// Non-UTF-8 bytes that start like XML (a legacy 8-bit encoding).
    #[error("the XML is not UTF-8 (invalid byte at offset {offset}); SAML messages and metadata are UTF-8")]
    NotUtf8Xml { offset: usize },
    /// A UTF-16 byte-order mark followed by something that is not UTF-16.
    #[error("the XML claims UTF-16 but is not valid UTF-16")]
    BadUtf16,
    #[error("the XML is more than {limit} bytes")]
    Utf16TooLarge { limit: usize },
    #[error("UTF-16 text that is not XML")]
    Utf16NotXml,
}

impl BindingError {
    /// The parameter the broken value was named by, when it was: it says what the input is.
    pub fn parameter(&self) -> Option<SamlParameter> {
        match self {
            BindingError::Parameter { parameter, .. } => Some(*parameter),
            _ => None,
        }
    }
}

/// Why one encoded value (base64, raw DEFLATE + base64, URL-encoded) does not give SAML XML.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    #[error("the URL encoding is broken ({0})")]
    UrlEncoding(PercentError),
    #[error("the value is empty")]
    Empty,
    #[error("the value is neither base64 nor raw DEFLATE + base64")]
    NotBase64,
    /// The base64 output alone is larger than [`MAX_SAML_XML_BYTES`].
    #[error("the decoded value is {bytes} bytes, more than the {limit} byte limit")]
    TooLarge { bytes: usize, limit: usize },
    /// zlib-wrapped DEFLATE where the HTTP-Redirect binding wants raw DEFLATE.
    #[error("base64 decodes to binary that is not XML, and it starts with a zlib header; the HTTP-Redirect binding uses raw DEFLATE (RFC 1951) without one")]
    ZlibHeader,
    #[error("base64 decodes to binary that is not XML, and the DEFLATE stream is broken or truncated ({0})")]
    BrokenDeflate(Arc<std::io::Error>),
    /// Inflating went past [`MAX_SAML_XML_BYTES`].
    #[error("the DEFLATE stream inflates beyond the {limit} byte limit (a decompression bomb?)")]
    InflateBomb { limit: usize },
    #[error("the value decodes and inflates, but the result is not XML")]
    InflatedNotXml,
    #[error("the XML is not UTF-8 (invalid byte at offset {offset}); SAML messages are UTF-8")]
    NotUtf8 { offset: usize },
}

/// Why the query string's `Signature` parameter gives no signature bytes.
#[derive(Debug, Clone, thiserror::Error)]
pub enum QuerySignatureError {
    #[error("the Signature parameter's URL encoding is broken ({0})")]
    UrlEncoding(PercentError),
    #[error("{0}")]
    Base64(Base64Error),
}

/// Why percent-decoding failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PercentError {
    #[error("'%' at offset {offset} is not followed by two hex digits")]
    BadEscape { offset: usize },
    #[error("the decoded value is not UTF-8")]
    NotUtf8,
}

/// The binding parameters that carry a message, as they start a `name=value` pair.
const PARAM_KEYS: [&[u8]; 2] = [b"SAMLResponse=", b"SAMLRequest="];

/// Recovers SAML XML from `text` (already unwrapped of quotes and whitespace).
///
/// `None`: the text does not look like a SAML binding at all (detection goes on).
/// `Some(Err)`: it is meant as SAML (a `SAMLResponse=` parameter, or base64 that decodes to
/// XML) but cannot be decoded; the error says where.
pub fn decode(text: &str) -> Option<Result<Decoded, BindingError>> {
    if text.len() > 4 * MAX_SAML_XML_BYTES {
        return None;
    }
    if text.starts_with('<') {
        return Some(Ok(Decoded::raw(text.to_string())));
    }
    // Vectorised searches: a SAMLResponse is ~10 KB and every line of a batch comes through here.
    if PARAM_KEYS
        .iter()
        .any(|key| memchr::memmem::find(text.as_bytes(), key).is_some())
    {
        return Some(decode_parameters(text));
    }
    // A URL-encoded value on its own (copied from a query string or a raw form body).
    if memchr::memchr(b'%', text.as_bytes()).is_some() {
        let plain = percent_decode(text).ok()?;
        let mut decoded = decode_value(&plain)?.ok()?;
        decoded.carrier = Some("URL-encoded value");
        return Some(Ok(decoded));
    }
    let plain = decode_plain(text);
    if matches!(plain, Some(Ok(_))) || !text.trim().contains(' ') {
        return plain;
    }
    // A value whose '+' became spaces on the way (form-decoded once too often): restore them.
    match decode_plain(&text.trim().replace(' ', "+")) {
        Some(Ok(mut d)) => {
            d.carrier = Some("base64 whose '+' had become spaces (restored)");
            Some(Ok(d))
        }
        _ => plain,
    }
}

/// Plain base64: `None` unless it decodes to XML or inflates to XML.
fn decode_plain(text: &str) -> Option<Result<Decoded, BindingError>> {
    // Decoded once: a SAMLResponse is ~10 KB of base64, and this is the batch's hot path.
    let bytes = base64::decode_standard(text).ok()?;
    if looks_like_xml(&bytes) {
        return Some(value_of(bytes).map_err(BindingError::Value));
    }
    // Plain base64 of something that does not inflate to XML is not ours to judge.
    value_of(bytes).ok().map(Ok)
}

impl Decoded {
    /// XML given as it is.
    pub fn xml(xml: String) -> Self {
        Decoded::raw(xml)
    }

    fn raw(xml: String) -> Self {
        Decoded {
            xml,
            binding: Binding::RawXml,
            carrier: None,
            parameter: None,
            relay_state: None,
            sig_alg: None,
            query_signature: None,
        }
    }
}

/// XML that is not UTF-8: UTF-16 with a byte-order mark is converted (metadata saved on
/// Windows), anything else that starts like XML is refused with the offset of the first bad
/// byte. `None` when the bytes do not look like XML at all.
pub fn decode_non_utf8(bytes: &[u8]) -> Option<Result<Decoded, BindingError>> {
    let utf16 = |le: bool, body: &[u8]| -> Result<String, BindingError> {
        let units: Vec<u16> = body
            .chunks_exact(2)
            .map(|c| match c {
                [a, b] if le => u16::from_le_bytes([*a, *b]),
                [a, b] => u16::from_be_bytes([*a, *b]),
                _ => 0,
            })
            .collect();
        String::from_utf16(&units).map_err(|_| BindingError::BadUtf16)
    };
    let text = match bytes {
        [0xFF, 0xFE, body @ ..] => utf16(true, body),
        [0xFE, 0xFF, body @ ..] => utf16(false, body),
        _ if looks_like_xml(bytes) => Err(BindingError::NotUtf8Xml {
            offset: std::str::from_utf8(bytes)
                .err()
                .map_or(0, |e| e.valid_up_to()),
        }),
        _ => return None,
    };
    Some(text.and_then(|t| {
        if t.len() > MAX_SAML_XML_BYTES {
            return Err(BindingError::Utf16TooLarge {
                limit: MAX_SAML_XML_BYTES,
            });
        }
        let t = t.trim_start_matches('\u{feff}').trim().to_string();
        if t.starts_with('<') {
            // The declaration still says UTF-16; the text is now UTF-8.
            Ok(Decoded::raw(
                t.replacen("encoding=\"utf-16\"", "encoding=\"UTF-8\"", 1)
                    .replacen("encoding=\"UTF-16\"", "encoding=\"UTF-8\"", 1),
            ))
        } else {
            Err(BindingError::Utf16NotXml)
        }
    }))
}

/// `https://idp/saml2?SAMLRequest=…&RelayState=…` or `SAMLResponse=…&RelayState=…`.
fn decode_parameters(text: &str) -> Result<Decoded, BindingError> {
    let (query, carrier) = match text.split_once('?') {
        Some((_, q)) if text.starts_with("http://") || text.starts_with("https://") => (q, "URL"),
        Some((_, q)) => (q, "URL"),
        None => (text, "form body"),
    };
    let query = query.split('#').next().unwrap_or(query);
    let mut value = None;
    let mut parameter = None;
    let mut relay_state = None;
    let mut sig_alg = None;
    let mut raw_relay = None;
    let mut raw_sig_alg = None;
    let mut raw_signature = None;
    for pair in query.split('&') {
        let (name, raw) = pair.split_once('=').unwrap_or((pair, ""));
        let name = name.trim();
        if let Some(p) = SamlParameter::parse(name) {
            if value.is_some() {
                return Err(BindingError::RepeatedParameter { carrier });
            }
            parameter = Some(p);
            value = Some(raw);
            continue;
        }
        match name {
            "RelayState" => {
                relay_state = percent_decode(raw).ok();
                raw_relay = Some(raw);
            }
            "SigAlg" => {
                sig_alg = percent_decode(raw).ok();
                raw_sig_alg = Some(raw);
            }
            "Signature" => raw_signature = Some(raw),
            _ => {}
        }
    }
    let (Some(raw), Some(parameter)) = (value, parameter) else {
        return Err(BindingError::NoParameter { carrier });
    };
    let broken = |problem| BindingError::Parameter { parameter, problem };
    let plain = percent_decode(raw).map_err(|e| broken(ValueError::UrlEncoding(e)))?;
    let decoded = decode_value(&plain)
        .unwrap_or(Err(ValueError::NotBase64))
        .map_err(broken)?;
    let query_signature = raw_signature.map(|s| {
        let mut signed_octets = format!("{parameter}={raw}");
        if let Some(r) = raw_relay {
            signed_octets.push_str(&format!("&RelayState={r}"));
        }
        signed_octets.push_str(&format!("&SigAlg={}", raw_sig_alg.unwrap_or("")));
        QuerySignature {
            signed_octets,
            sig_alg: sig_alg.clone().unwrap_or_default(),
            signature: percent_decode(s)
                .map_err(QuerySignatureError::UrlEncoding)
                .and_then(|s| base64::decode_standard(&s).map_err(QuerySignatureError::Base64)),
        }
    });
    Ok(Decoded {
        carrier: Some(carrier),
        parameter: Some(parameter),
        relay_state,
        sig_alg,
        query_signature,
        ..decoded
    })
}

/// A base64 value: XML directly (POST) or raw DEFLATE of XML (Redirect).
/// `None` when it is not base64 at all.
fn decode_value(text: &str) -> Option<Result<Decoded, ValueError>> {
    let text = text.trim();
    if text.is_empty() {
        return Some(Err(ValueError::Empty));
    }
    let bytes = base64::decode_standard(text).ok()?;
    Some(value_of(bytes))
}

/// The message in a binding value's decoded bytes: XML as it is (POST), or raw DEFLATE of it
/// (Redirect).
fn value_of(bytes: Vec<u8>) -> Result<Decoded, ValueError> {
    if bytes.len() > MAX_SAML_XML_BYTES {
        return Err(ValueError::TooLarge {
            bytes: bytes.len(),
            limit: MAX_SAML_XML_BYTES,
        });
    }
    if looks_like_xml(&bytes) {
        return to_text(bytes).map(|xml| Decoded {
            binding: Binding::Base64,
            ..Decoded::raw(xml)
        });
    }
    inflate(&bytes).and_then(to_text).map(|xml| Decoded {
        binding: Binding::DeflateBase64,
        ..Decoded::raw(xml)
    })
}

fn looks_like_xml(bytes: &[u8]) -> bool {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

/// Raw DEFLATE with an output bound: a decompression bomb stops at the bound.
pub fn inflate(bytes: &[u8]) -> Result<Vec<u8>, ValueError> {
    let mut out = Vec::new();
    let limit = MAX_SAML_XML_BYTES as u64 + 1;
    let result = flate2::read::DeflateDecoder::new(bytes)
        .take(limit)
        .read_to_end(&mut out);
    let zlib = matches!(bytes, [cmf, flg, ..] if cmf & 0x0F == 8 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0);
    match result {
        Err(_) if zlib => Err(ValueError::ZlibHeader),
        Err(e) => Err(ValueError::BrokenDeflate(Arc::new(e))),
        Ok(_) if out.len() > MAX_SAML_XML_BYTES => Err(ValueError::InflateBomb {
            limit: MAX_SAML_XML_BYTES,
        }),
        Ok(_) if !looks_like_xml(&out) => Err(ValueError::InflatedNotXml),
        Ok(_) => Ok(out),
    }
}

fn to_text(bytes: Vec<u8>) -> Result<String, ValueError> {
    let body = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .map(<[u8]>::to_vec)
        .unwrap_or(bytes);
    String::from_utf8(body).map_err(|e| ValueError::NotUtf8 {
        offset: e.utf8_error().valid_up_to(),
    })
}

/// Percent-decoding of a URL query or form value. `+` is kept: in a SAML value it is base64.
pub fn percent_decode(text: &str) -> Result<String, PercentError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or(PercentError::BadEscape { offset: i })?;
            out.push(hex);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| PercentError::NotUtf8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn deflate(xml: &str) -> Vec<u8> {
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(xml.as_bytes()).unwrap();
        e.finish().unwrap()
    }

    const XML: &str =
        "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"a\"/>";

    #[test]
    fn every_binding_decodes() {
        let b64 = base64::encode_standard(XML.as_bytes());
        let d = decode(&b64).unwrap().unwrap();
        assert_eq!((d.xml.as_str(), d.binding), (XML, Binding::Base64));

        let wrapped: String = b64
            .as_bytes()
            .chunks(20)
            .map(|c| format!("{}\r\n", std::str::from_utf8(c).unwrap()))
            .collect();
        assert_eq!(decode(&wrapped).unwrap().unwrap().xml, XML);

        let redirect = base64::encode_standard(&deflate(XML));
        let d = decode(&redirect).unwrap().unwrap();
        assert_eq!(d.binding, Binding::DeflateBase64);
        let enc = redirect
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D");
        let url = format!(
            "https://login.example/t/saml2?SAMLRequest={enc}&RelayState=r%201&SigAlg=x&Signature=y"
        );
        let d = decode(&url).unwrap().unwrap();
        assert_eq!(d.xml, XML);
        assert_eq!(d.parameter, Some(SamlParameter::SamlRequest));
        assert_eq!(d.relay_state.as_deref(), Some("r 1"));
        let q = d.query_signature.unwrap();
        assert_eq!(
            q.signed_octets,
            format!("SAMLRequest={enc}&RelayState=r%201&SigAlg=x")
        );
        let form = format!("RelayState=x&SAMLResponse={}", b64.replace('=', "%3D"));
        let d = decode(&form).unwrap().unwrap();
        assert_eq!((d.carrier, d.binding), (Some("form body"), Binding::Base64));
        assert_eq!(decode(&enc).unwrap().unwrap().xml, XML);
        // '+' turned into spaces by a second form decoding.
        let long = format!("<a>{}</a>", "~".repeat(60));
        let spaced = base64::encode_standard(long.as_bytes()).replace('+', " ");
        assert!(spaced.contains(' '));
        assert_eq!(decode(&spaced).unwrap().unwrap().xml, long);
    }

    #[test]
    fn bad_encodings_are_errors_not_panics() {
        assert!(decode("hello").is_none());
        assert!(decode("SAMLResponse=%zz").unwrap().is_err());
        assert!(decode("SAMLRequest=").unwrap().is_err());
        let full = deflate(XML);
        let truncated = base64::encode_standard(&full[..full.len() / 2]);
        assert!(decode(&format!("SAMLRequest={truncated}"))
            .unwrap()
            .is_err());
        // zlib-wrapped instead of raw DEFLATE
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(XML.as_bytes()).unwrap();
        let z = base64::encode_standard(&z.finish().unwrap());
        let e = decode(&format!("SAMLRequest={z}")).unwrap().unwrap_err();
        assert!(e.to_string().contains("zlib"), "{e}");
        assert_eq!(e.parameter(), Some(SamlParameter::SamlRequest));
        // non-UTF-8 XML
        let latin1 = base64::encode_standard(b"<a>\xe9</a>");
        let e = decode(&latin1).unwrap().unwrap_err();
        assert!(
            e.to_string().contains("UTF-8") && e.parameter().is_none(),
            "{e}"
        );
    }

    #[test]
    fn utf16_xml_is_converted_and_latin1_refused() {
        let xml = "<?xml version=\"1.0\" encoding=\"utf-16\"?><a>é</a>";
        let mut le = vec![0xFF, 0xFE];
        le.extend(xml.encode_utf16().flat_map(u16::to_le_bytes));
        let d = decode_non_utf8(&le).unwrap().unwrap();
        assert!(d.xml.ends_with("<a>é</a>") && d.xml.contains("UTF-8"));
        let e = decode_non_utf8(b"<a>\xe9</a>").unwrap().unwrap_err();
        assert!(e.to_string().contains("offset 3"), "{e}");
        assert!(decode_non_utf8(b"\x00\x01binary").is_none());
    }

    #[test]
    fn decompression_bombs_stop_at_the_bound() {
        let bomb = format!("<a>{}</a>", " ".repeat(MAX_SAML_XML_BYTES * 2));
        let b64 = base64::encode_standard(&deflate(&bomb));
        let e = decode(&format!("SAMLRequest={b64}")).unwrap().unwrap_err();
        assert!(e.to_string().contains("limit"), "{e}");
    }
}
