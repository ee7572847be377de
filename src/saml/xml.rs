//! Parsing XML once, safely, and small helpers for reading the tree.
//!
//! A DOCTYPE or entity declaration is refused before the parser sees the text (XXE and entity
//! expansion live there, and SAML never needs one); the parser refuses them too. Depth, element
//! count, ID count and size are bounded.

use std::collections::{HashMap, HashSet};

use uppsala::{Document, NodeId, NodeKind, Parser};

use crate::limits::{
    MAX_SAML_XML_BYTES, MAX_XML_ATTRIBUTES, MAX_XML_DEPTH, MAX_XML_ELEMENTS, MAX_XML_IDS,
};

pub(crate) const NS_SAMLP: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
pub(crate) const NS_SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
pub(crate) const NS_MD: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
pub(crate) const NS_DS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub(crate) const NS_FED: &str = "http://docs.oasis-open.org/wsfed/federation/200706";
pub(crate) const NS_XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
pub(crate) const NS_XENC: &str = "http://www.w3.org/2001/04/xmlenc#";

/// Why XML was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum XmlError {
    /// A DOCTYPE or entity declaration found before parsing: `xml-dtd-forbidden`.
    #[error("the XML contains {declaration} (line {line}); it was refused before parsing (XXE and entity-expansion attacks live there, and SAML never needs one)")]
    Dtd {
        declaration: DtdDeclaration,
        line: usize,
    },
    /// The parser itself refused a DOCTYPE or entity: `xml-dtd-forbidden`.
    #[error("{0}")]
    DtdInParser(uppsala::XmlError),
    /// Larger than [`MAX_SAML_XML_BYTES`]: `malformed`.
    #[error("the XML is {bytes} bytes, more than the {limit} byte limit")]
    TooLarge { bytes: usize, limit: usize },
    /// Not well formed (or deeper than [`MAX_XML_DEPTH`]): `malformed`.
    #[error("the XML is not well formed: {0}")]
    NotWellFormed(uppsala::XmlError),
    #[error("the XML has no root element")]
    NoRoot,
    /// An element with more than [`MAX_XML_ATTRIBUTES`] attributes: `malformed`.
    #[error("an element (line {line}) has more than {limit} attributes")]
    TooManyAttributes { limit: usize, line: usize },
    /// More than [`MAX_XML_ELEMENTS`] elements: `malformed`.
    #[error("the XML has more than {limit} elements")]
    TooManyElements { limit: usize },
}

impl XmlError {
    /// A DOCTYPE or entity declaration (`xml-dtd-forbidden`) rather than broken XML (`malformed`).
    pub fn is_dtd(&self) -> bool {
        matches!(self, XmlError::Dtd { .. } | XmlError::DtdInParser(_))
    }
}

/// Which declaration a DTD check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtdDeclaration {
    Doctype,
    Entity,
}

impl std::fmt::Display for DtdDeclaration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DtdDeclaration::Doctype => "a DOCTYPE declaration",
            DtdDeclaration::Entity => "an entity declaration",
        })
    }
}

/// Parses `text` once, with every bound applied.
pub fn parse(text: &str) -> Result<Document<'_>, XmlError> {
    if let Some((declaration, line)) = find_dtd(text) {
        return Err(XmlError::Dtd { declaration, line });
    }
    if text.len() > MAX_SAML_XML_BYTES {
        return Err(XmlError::TooLarge {
            bytes: text.len(),
            limit: MAX_SAML_XML_BYTES,
        });
    }
    if let Some(line) = crowded_element(text) {
        return Err(XmlError::TooManyAttributes {
            limit: MAX_XML_ATTRIBUTES,
            line,
        });
    }
    let doc = Parser::new()
        .with_forbid_dtd(true)
        .with_forbid_entities(true)
        .with_max_depth(MAX_XML_DEPTH)
        .with_max_entity_expansion(0)
        .parse(text)
        .map_err(|e| {
            let m = e.to_string();
            if m.contains("DOCTYPE") || m.contains("ENTITY") {
                XmlError::DtdInParser(e)
            } else {
                XmlError::NotWellFormed(e)
            }
        })?;
    let root = doc.document_element().ok_or(XmlError::NoRoot)?;
    let elements = descendants(&doc, root);
    if elements.len() > MAX_XML_ELEMENTS {
        return Err(XmlError::TooManyElements {
            limit: MAX_XML_ELEMENTS,
        });
    }
    Ok(doc)
}

/// The line of the first start tag with more than [`MAX_XML_ATTRIBUTES`] attributes (namespace
/// declarations included), found in one pass before parsing: the parser compares each attribute
/// of an element with every earlier one, so an element with 60,000 took seconds. Attributes
/// are counted by their `=` outside quoted values; comments, CDATA, processing instructions and
/// end tags are skipped whole.
fn crowded_element(text: &str) -> Option<usize> {
    let mut rest = text;
    while let Some(open) = memchr::memchr(b'<', rest.as_bytes()) {
        let after = rest.get(open + 1..)?;
        let skip_to = if after.starts_with("!--") {
            Some("-->")
        } else if after.starts_with("![CDATA[") {
            Some("]]>")
        } else if after.starts_with('?') {
            Some("?>")
        } else if after.starts_with('!') || after.starts_with('/') {
            Some(">")
        } else {
            None
        };
        if let Some(end) = skip_to {
            let at = memchr::memmem::find(after.as_bytes(), end.as_bytes())?;
            rest = after.get(at + end.len()..)?;
            continue;
        }
        let (attributes, close) = count_attributes(after.as_bytes());
        if attributes > MAX_XML_ATTRIBUTES {
            let at = text.len().saturating_sub(after.len());
            return Some(text.get(..at).map_or(1, |t| t.lines().count().max(1)));
        }
        rest = after.get(close? + 1..)?;
    }
    None
}

/// The `=` outside quoted values in a start tag's text (from after its `<`), up to its closing
/// `>`, and where that is (`None`: the text ends first). Vectorised searches from delimiter to
/// delimiter; bytes, not chars: every delimiter is ASCII, which no byte of a multi-byte
/// character is.
fn count_attributes(tag: &[u8]) -> (usize, Option<usize>) {
    let equals = |part: &[u8]| part.iter().filter(|&&b| b == b'=').count();
    let mut attributes = 0;
    let mut from = 0;
    loop {
        let rest = tag.get(from..).unwrap_or_default();
        let Some(at) = memchr::memchr3(b'"', b'\'', b'>', rest) else {
            return (attributes + equals(rest), None);
        };
        attributes += equals(rest.get(..at).unwrap_or_default());
        let quote = match rest.get(at) {
            Some(b'>') => return (attributes, Some(from + at)),
            Some(&quote) => quote,
            None => return (attributes, None),
        };
        // Inside a quoted value nothing counts, up to the same quote.
        let value = rest.get(at + 1..).unwrap_or_default();
        let Some(end) = memchr::memchr(quote, value) else {
            return (attributes, None);
        };
        from += at + 1 + end + 1;
    }
}

/// The first DOCTYPE declaration, else the first entity declaration, and its line. One pass over
/// the `<!` of the text (a vectorised search; every SAML message of a batch goes through here).
fn find_dtd(text: &str) -> Option<(DtdDeclaration, usize)> {
    let bytes = text.as_bytes();
    let declared = |at: usize, name: &[u8]| {
        bytes
            .get(at + 2..at + 2 + name.len())
            .is_some_and(|found| found.eq_ignore_ascii_case(name))
    };
    let mut entity = None;
    let mut found = None;
    for at in memchr::memmem::find_iter(bytes, b"<!") {
        if declared(at, b"DOCTYPE") {
            found = Some((DtdDeclaration::Doctype, at));
            break;
        }
        if entity.is_none() && declared(at, b"ENTITY") {
            entity = Some((DtdDeclaration::Entity, at));
        }
    }
    let (declaration, pos) = found.or(entity)?;
    let line = 1 + bytes
        .get(..pos)
        .map_or(0, |before| memchr::memchr_iter(b'\n', before).count());
    Some((declaration, line))
}

/// Every element under `root` (itself included), in document order, without recursion.
pub(crate) fn descendants(doc: &Document, root: NodeId) -> Vec<NodeId> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if doc.element(id).is_none() {
            continue;
        }
        out.push(id);
        if out.len() > MAX_XML_ELEMENTS {
            break;
        }
        // The children go on the stack last first, so that the first is popped next.
        let first_child = stack.len();
        stack.extend(doc.children_iter(id));
        stack[first_child..].reverse();
    }
    out
}

pub(crate) fn is(doc: &Document, id: NodeId, ns: &str, local: &str) -> bool {
    doc.element(id)
        .is_some_and(|e| e.matches_name_ns(ns, local))
}

pub(crate) fn local_name<'d>(doc: &'d Document, id: NodeId) -> &'d str {
    doc.element(id).map_or("", |e| e.name.local_name.as_ref())
}

pub(crate) fn namespace<'d>(doc: &'d Document, id: NodeId) -> &'d str {
    doc.element(id)
        .and_then(|e| e.name.namespace_uri.as_deref())
        .unwrap_or("")
}

/// `prefix:Local` as written, for messages.
pub(crate) fn qname(doc: &Document, id: NodeId) -> String {
    doc.element(id)
        .map(|e| e.name.prefixed_name().into_owned())
        .unwrap_or_default()
}

pub(crate) fn child_elements(doc: &Document, id: NodeId) -> Vec<NodeId> {
    doc.children_iter(id)
        .filter(|c| doc.element(*c).is_some())
        .collect()
}

pub(crate) fn child(doc: &Document, id: NodeId, ns: &str, local: &str) -> Option<NodeId> {
    doc.first_child_element_by_name_ns(id, ns, local)
}

pub(crate) fn children(doc: &Document, id: NodeId, ns: &str, local: &str) -> Vec<NodeId> {
    doc.child_elements_by_name_ns(id, ns, local)
}

pub(crate) fn attr(doc: &Document, id: NodeId, name: &str) -> Option<String> {
    doc.element(id)?
        .attributes
        .iter()
        .find(|a| a.name.namespace_uri.is_none() && a.name.local_name == name)
        .map(|a| a.value.to_string())
}

/// The whole text of an element, as canonicalisation without comments sees it (every text
/// node joined), trimmed.
pub(crate) fn text(doc: &Document, id: NodeId) -> String {
    doc.text_content_deep(id).trim().to_string()
}

/// True when a comment splits the element's direct text: a consumer reading only the first
/// text node would see less than what was signed (CVE-2017-11427 style).
pub(crate) fn comment_splits_text(doc: &Document, id: NodeId) -> bool {
    let kids: Vec<NodeId> = doc.children_iter(id).collect();
    let has_text = |n: &NodeId| matches!(doc.node_kind(*n), Some(NodeKind::Text(t) | NodeKind::CData(t)) if !t.trim().is_empty());
    let has_comment = kids
        .iter()
        .any(|n| matches!(doc.node_kind(*n), Some(NodeKind::Comment(_))));
    has_comment && kids.iter().filter(|n| has_text(n)).count() >= 1
}

/// The value of `xsi:type`, local part (`fed:SecurityTokenServiceType` → `SecurityTokenServiceType`).
pub(crate) fn xsi_type(doc: &Document, id: NodeId) -> Option<String> {
    let v = doc.element(id)?.get_attribute_ns(NS_XSI, "type")?;
    Some(v.rsplit(':').next().unwrap_or(v).to_string())
}

/// Elements by ID attribute (`ID`, `Id`, `id`, `AssertionID`), and the IDs that repeat.
pub(crate) struct IdMap {
    pub by_id: HashMap<String, NodeId>,
    pub duplicates: Vec<String>,
    pub too_many: bool,
}

pub(crate) fn id_map(doc: &Document, elements: &[NodeId]) -> IdMap {
    let mut by_id = HashMap::new();
    let mut duplicates = Vec::new();
    let mut listed = HashSet::new();
    let mut count = 0usize;
    for &id in elements {
        for name in ["ID", "Id", "id", "AssertionID"] {
            let Some(value) = attr(doc, id, name) else {
                continue;
            };
            count += 1;
            if by_id.insert(value.clone(), id).is_some() && listed.insert(value.clone()) {
                duplicates.push(value);
            }
        }
    }
    IdMap {
        by_id,
        duplicates,
        too_many: count > MAX_XML_IDS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtds_are_refused_before_parsing() {
        let xxe = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"#;
        assert!(matches!(parse(xxe), Err(XmlError::Dtd { .. })));
        let lol = format!(
            "<!DOCTYPE l [<!ENTITY a \"aaaa\">{}]><l>&j;</l>",
            (b'b'..=b'j')
                .map(|c| format!(
                    "<!ENTITY {} \"{}\">",
                    c as char,
                    format!("&{};", (c - 1) as char).repeat(10)
                ))
                .collect::<String>()
        );
        assert!(matches!(parse(&lol), Err(XmlError::Dtd { .. })));
    }

    #[test]
    fn the_declaration_found_is_the_first_doctype_else_the_first_entity_with_its_line() {
        let found = |text: &str| find_dtd(text).map(|(d, line)| (d.to_string(), line));
        let doctype = Some(("a DOCTYPE declaration".to_string(), 2));
        assert_eq!(found("<r/>\n <!doctype r><r/>"), doctype);
        assert_eq!(
            found("<!-- x -->\n<!ENTITY e 'v'>\n <!DocType r>"),
            Some(("a DOCTYPE declaration".to_string(), 3))
        );
        // The scan is textual: a declaration quoted in CDATA is refused too.
        assert_eq!(
            found("<r>\n <![CDATA[ <!ENTITY]]>\n <!entity e 'v'></r>"),
            Some(("an entity declaration".to_string(), 2))
        );
        // At the start of a line: that line (the testdata XXE response's DOCTYPE is on line 2).
        assert_eq!(found("<?xml version='1.0'?>\n<!DOCTYPE r>"), doctype);
        assert_eq!(
            found("<!ENTITY e 'v'>"),
            Some(("an entity declaration".to_string(), 1))
        );
        // A marker cut by the end of the text, and none at all.
        assert_eq!(found("<r/><!DOCTYP"), None);
        assert_eq!(found("<r><!-- --><![CDATA[x]]></r>"), None);
    }

    /// The attribute count as first written: one char at a time.
    fn count_attributes_by_char(tag: &str) -> (usize, Option<usize>) {
        let mut attributes = 0usize;
        let mut quote = None;
        for (i, c) in tag.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '=') => attributes += 1,
                (None, '>') => return (attributes, Some(i)),
                _ => {}
            }
        }
        (attributes, None)
    }

    proptest::proptest! {
        #[test]
        fn attributes_are_counted_as_char_by_char(tag in "[a=b\"'> é\n]{0,40}") {
            proptest::prop_assert_eq!(
                count_attributes(tag.as_bytes()),
                count_attributes_by_char(&tag)
            );
        }
    }

    #[test]
    fn attributes_outside_quotes_count() {
        let tag = r#"a x="1" y='=>' z="é">rest"#;
        assert_eq!(count_attributes(tag.as_bytes()), (3, tag.find(">rest")));
        assert_eq!(count_attributes(br#"a x="1 y=2"#), (1, None));
        assert_eq!(count_attributes(b"a x=1 y=2"), (2, None));
    }

    #[test]
    fn bounds_hold() {
        let deep = format!("{}{}", "<a>".repeat(5000), "</a>".repeat(5000));
        assert!(matches!(parse(&deep), Err(XmlError::NotWellFormed(_))));
        assert!(matches!(
            parse("<a><b></a>"),
            Err(XmlError::NotWellFormed(_))
        ));
        let many = format!("<r>{}</r>", "<x/>".repeat(MAX_XML_ELEMENTS + 1));
        assert!(matches!(
            parse(&many),
            Err(XmlError::TooManyElements { .. })
        ));
        let crowded = |n: usize| {
            let attributes: String = (0..n).map(|i| format!(" a{i}='>'")).collect();
            format!("<!-- <a b=c> --><r{attributes}><![CDATA[<x y=z>]]></r>")
        };
        assert!(parse(&crowded(MAX_XML_ATTRIBUTES)).is_ok());
        assert!(matches!(
            parse(&crowded(MAX_XML_ATTRIBUTES + 1)),
            Err(XmlError::TooManyAttributes { line: 1, .. })
        ));
        let doc = parse(r#"<r ID="a"><x ID="a"/><y Id="b"/></r>"#).unwrap();
        let root = doc.document_element().unwrap();
        let ids = id_map(&doc, &descendants(&doc, root));
        assert_eq!(ids.duplicates, vec!["a".to_string()]);
    }
}
