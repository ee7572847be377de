//! One report as one line of JSON, written straight into a byte buffer: the bytes
//! `serde_json::to_writer` gives for a [`Report`] (tests/report_bytes.rs and the property test
//! below hold it to that), without serde's per-value dispatch, and with strings checked for
//! what needs escaping sixteen bytes at a time and copied whole when nothing does (serde_json
//! looks each byte up in a table). In a batch, escaping was most of the writing cost: a token's
//! report is about 2 KB of mostly plain text.

use serde_json::Value;

use crate::report::{Evidence, Finding, JwsBody, JwsView, Report, SignatureSection, View};

/// Appends `report` and a newline to `out`. Every field is named here (no `..`): a field added
/// to [`Report`] or [`Finding`] does not compile until this writer writes it as serde does.
pub(crate) fn append(out: &mut Vec<u8>, report: &Report) {
    let Report {
        input,
        kind,
        verdict,
        findings,
        decoded,
        fetched,
    } = report;
    out.extend_from_slice(b"{\"input\":");
    string(out, input);
    out.extend_from_slice(b",\"kind\":");
    string(out, kind.as_str());
    out.extend_from_slice(b",\"verdict\":");
    string(out, verdict.as_str());
    out.extend_from_slice(b",\"findings\":");
    array(out, findings, append_finding);
    out.extend_from_slice(b",\"decoded\":");
    match decoded {
        View::Json(v) => value(out, v),
        View::Jws(jws) => jws_view(out, jws),
    }
    if !fetched.is_empty() {
        // Only reports of fetched documents have these; serde writes them (it cannot fail on a Vec).
        out.extend_from_slice(b",\"fetched\":");
        let _ = serde_json::to_writer(&mut *out, fetched);
    }
    out.extend_from_slice(b"}\n");
}

fn append_finding(out: &mut Vec<u8>, finding: &Finding) {
    let Finding {
        code,
        severity,
        message,
        hint,
        seen_as,
        evidence,
    } = finding;
    out.extend_from_slice(b"{\"code\":");
    string(out, code.as_str());
    out.extend_from_slice(b",\"severity\":");
    string(out, severity.as_str());
    out.extend_from_slice(b",\"message\":");
    string(out, message);
    out.extend_from_slice(b",\"hint\":");
    string(out, hint);
    out.extend_from_slice(b",\"seen_as\":");
    array(out, seen_as, |out, line| string(out, line));
    out.extend_from_slice(b",\"evidence\":");
    match evidence {
        Evidence::Json(v) => value(out, v),
        Evidence::Text(fields) => separated(out, (b'{', b'}'), fields, |out, (name, text)| {
            string(out, name);
            out.push(b':');
            string(out, text);
        }),
    }
    out.push(b'}');
}

/// A compact JWS's typed view, as [`JwsView`]'s `Serialize` writes it. Every field is named.
fn jws_view(out: &mut Vec<u8>, view: &JwsView) {
    let JwsView {
        header,
        body,
        signature,
    } = view;
    out.extend_from_slice(b"{\"header\":");
    object(out, &**header);
    match body {
        JwsBody::Claims { claims, notes } => {
            out.extend_from_slice(b",\"claims\":");
            object(out, claims);
            out.extend_from_slice(b",\"notes\":");
            separated(out, (b'{', b'}'), notes.iter(), |out, (claim, note)| {
                string(out, claim);
                out.push(b':');
                string(out, note);
            });
        }
        JwsBody::Nested(inner) => {
            out.extend_from_slice(b",\"nested\":");
            jws_view(out, inner);
        }
        JwsBody::Other { payload, note } => {
            out.extend_from_slice(b",\"payload\":");
            string(out, payload);
            out.extend_from_slice(b",\"payload_note\":");
            string(out, note);
        }
    }
    let SignatureSection {
        length,
        verified_with,
    } = signature;
    out.extend_from_slice(b",\"signature\":{\"length\":");
    out.extend_from_slice(itoa::Buffer::new().format(*length).as_bytes());
    if let Some(label) = verified_with {
        out.extend_from_slice(b",\"verified_with\":");
        string(out, label);
    }
    out.extend_from_slice(b"}}");
}

fn value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        // serde_json's own digits (itoa, ryu); it cannot fail on a Vec.
        Value::Number(n) => {
            let _ = serde_json::to_writer(&mut *out, n);
        }
        Value::String(s) => string(out, s),
        Value::Array(items) => array(out, items, value),
        Value::Object(map) => object(out, map),
    }
}

/// `[a,b,…]`, each item written by `write`.
fn array<T>(
    out: &mut Vec<u8>,
    items: impl IntoIterator<Item = T>,
    write: impl FnMut(&mut Vec<u8>, T),
) {
    separated(out, (b'[', b']'), items, write);
}

/// `{"k":v,…}`, from a map or a claim set's members.
fn object<'a>(out: &mut Vec<u8>, members: impl IntoIterator<Item = (&'a String, &'a Value)>) {
    separated(out, (b'{', b'}'), members, |out, (key, v)| {
        string(out, key);
        out.push(b':');
        value(out, v);
    });
}

/// `items` between `brackets`, separated by commas.
fn separated<T>(
    out: &mut Vec<u8>,
    (open, close): (u8, u8),
    items: impl IntoIterator<Item = T>,
    mut write: impl FnMut(&mut Vec<u8>, T),
) {
    out.push(open);
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(out, item);
    }
    out.push(close);
}

/// Whether serde_json would escape anything in `bytes`: a quote, a backslash or a control
/// character below 0x20. No early exit inside a 16-byte block, so the compiler vectorises it.
fn needs_escape(bytes: &[u8]) -> bool {
    let escaped = |b: u8| (b < 0x20) | (b == b'"') | (b == b'\\');
    let mut blocks = bytes.chunks_exact(16);
    for block in &mut blocks {
        if block.iter().fold(false, |any, &b| any | escaped(b)) {
            return true;
        }
    }
    blocks.remainder().iter().any(|&b| escaped(b))
}

/// A JSON string as serde_json writes it: `"` and `\` escaped, the control characters below
/// 0x20 as `\b \t \n \f \r` or `\u00xx` (lower-case hex), everything else (DEL, non-ASCII) as is.
fn string(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    if needs_escape(bytes) {
        escaped(out, bytes);
    } else {
        out.extend_from_slice(bytes);
    }
    out.push(b'"');
}

/// The slow path: runs of plain bytes copied whole, each byte that needs it escaped.
fn escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    let mut plain_from = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let Some(escape) = escape_of(b) else {
            continue;
        };
        out.extend_from_slice(&bytes[plain_from..i]);
        match escape {
            Escape::Short(c) => out.extend_from_slice(&[b'\\', c]),
            Escape::Unicode => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            }
        }
        plain_from = i + 1;
    }
    out.extend_from_slice(&bytes[plain_from..]);
}

enum Escape {
    Short(u8),
    Unicode,
}

fn escape_of(b: u8) -> Option<Escape> {
    Some(match b {
        b'"' => Escape::Short(b'"'),
        b'\\' => Escape::Short(b'\\'),
        0x08 => Escape::Short(b'b'),
        0x0c => Escape::Short(b'f'),
        b'\n' => Escape::Short(b'n'),
        b'\r' => Escape::Short(b'r'),
        b'\t' => Escape::Short(b't'),
        0x00..=0x1f => Escape::Unicode,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ours(v: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        value(&mut out, v);
        out
    }

    #[test]
    fn every_byte_that_needs_escaping_is_escaped_as_serde_json_does() {
        // At every offset of the 16-byte blocks and of the tail after them.
        for b in 0u8..=0x7f {
            for at in 0..40 {
                let s = format!("{}{}{}", "x".repeat(at), b as char, "y".repeat(40 - at));
                let v = Value::String(s);
                assert_eq!(
                    ours(&v),
                    serde_json::to_vec(&v).unwrap_or_default(),
                    "{b:#x} at {at}"
                );
            }
        }
    }

    #[test]
    fn a_whole_report_is_written_as_serde_json_writes_it() {
        use crate::catalogue::FindingCode;
        use crate::detect::Kind;
        use crate::report::Finding;
        let findings = vec![
            Finding::new(FindingCode::SignatureVerified, "verified with kid 'a\"b'")
                .with_evidence(serde_json::json!({"alg": "RS256", "n": [1, 2.5, null, true]})),
            Finding::new(FindingCode::TokenExpired, "expired\n\ttab")
                .with_hint(String::from("an owned hint \\ with a backslash"))
                .with_seen_as_first(vec!["AADSTS50003".into()]),
        ];
        let decoded = serde_json::json!({"header": {"alg": "RS256"}, "claims": {"é": "\u{1}"}});
        for kind in [
            Kind::Jwt,
            Kind::SamlResponse,
            Kind::OidcDiscovery,
            Kind::Unknown,
        ] {
            let mut report = Report::new("stdin:1", kind, findings.clone(), decoded.clone());
            for fetched in [false, true] {
                if fetched {
                    report.fetched.push(crate::fetched::Fetched::new(
                        "https://login.microsoftonline.com/common/discovery/v2.0/keys",
                        1_780_000_000,
                        200,
                        b"{}".to_vec(),
                        true,
                    ));
                }
                written_as_serde_writes_it(&report);
            }
        }
    }

    /// The JSON-lines writer's bytes for `report` are serde_json's, and a newline.
    fn written_as_serde_writes_it(report: &Report) {
        let mut ours = Vec::new();
        append(&mut ours, report);
        let mut theirs = serde_json::to_vec(report).unwrap_or_default();
        theirs.push(b'\n');
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs)
        );
    }

    #[test]
    fn every_shape_of_a_typed_jws_view_is_written_as_serde_json_writes_it() {
        use crate::catalogue::FindingCode;
        use crate::codec::json::Object;
        use crate::detect::Kind;
        use crate::report::Notes;
        use std::sync::Arc;
        let header = Arc::new(
            serde_json::json!({"alg": "RS256", "kid": "k\"1"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        );
        let claims: serde_json::Map<String, Value> =
            serde_json::from_str(r#"{"iss":"i\u0001","exp":1,"aud":["a","b"],"x":{"y":2.5}}"#)
                .unwrap_or_default();
        let mut notes = Notes::with_capacity(2);
        notes.set("exp", String::from("1970-01-01T00:00:01Z (\"long\" ago)"));
        notes.set("aud", "audience\tnote");
        let view = |body, verified_with: Option<&str>| JwsView {
            header: header.clone(),
            body,
            signature: SignatureSection {
                length: 256,
                verified_with: verified_with.map(str::to_string),
            },
        };
        let claims_body = || JwsBody::Claims {
            claims: Object::from(claims.clone()),
            notes: notes.clone(),
        };
        let other = JwsBody::Other {
            payload: "not json \u{0}".into(),
            note: "the payload is not a JSON claim set: \"why\"".into(),
        };
        let verified = Some("kid 'k\"1' (RSA 2048-bit)");
        for (body, verified_with) in [
            (claims_body(), verified),
            (claims_body(), None),
            (other, None),
            (
                JwsBody::Nested(Box::new(view(claims_body(), verified))),
                None,
            ),
        ] {
            // Evidence as text fields too, with what needs escaping in a name's value.
            let verified_finding = Finding::new(FindingCode::SignatureVerified, "verified")
                .with_evidence(Evidence::Text(vec![
                    ("alg", "RS256".into()),
                    ("key", String::from("kid 'k\"1'\n(RSA)").into()),
                ]));
            let report = Report::new(
                "stdin:1",
                Kind::Jwt,
                vec![verified_finding],
                View::Jws(Box::new(view(body, verified_with))),
            );
            written_as_serde_writes_it(&report);
        }
    }

    fn any_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            any::<String>().prop_map(Value::String),
            "[\"\\\\\\x00-\\x1f a-z\u{7f}é€😀]{0,40}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                prop::collection::vec((any::<String>(), inner), 0..8)
                    .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn values_are_written_byte_for_byte_as_serde_json_writes_them(v in any_value()) {
            prop_assert_eq!(ours(&v), serde_json::to_vec(&v).unwrap_or_default());
        }
    }
}
