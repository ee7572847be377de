//! Readers for what people have in hand when a sign-in breaks, beyond a single token or document:
//! containers that carry several artifacts (a token endpoint's answer, a saved page, a browser or
//! proxy capture) and the lone artifacts that need a reader of their own (a key, several tokens
//! in one file).
//!
//! A container gives its own report first, whose `decoded` lists what was found in order, then one
//! report per artifact, whose `input` says where it was (`capture.har#4.request.postData.SAMLResponse`).
//! The container's verdict is the worst of its artifacts': its findings are each failing
//! artifact's worst finding, prefixed with where it was.

pub(crate) mod artifact;
pub(crate) mod exchange;
pub(crate) mod flow;
#[allow(missing_docs)] // reached from outside only through the hidden `internals`
pub mod har;
pub(crate) mod html;
pub(crate) mod key;
pub(crate) mod multi;
pub(crate) mod page;
pub(crate) mod stream;
pub(crate) mod token_response;
pub(crate) mod url;

use serde_json::{json, Map, Value};

use crate::codec::json;
use crate::detect::Kind;
use crate::input::{unwrap_pasted, Input};
use crate::inspect::{inspect, Settings};
use crate::limits::MAX_INPUT_BYTES;
use crate::report::{Finding, Report, Verdict};
use crate::trust::TrustStore;

/// Inspects one input, which may hold several artifacts: the container's report first (when it
/// is one), then a report per artifact, in the order they were found.
pub fn inspect_all(input: &Input, trust: &TrustStore, settings: &Settings) -> Vec<Report> {
    // Containers open with '{' (captures, token responses) or '<' (saved pages); a line of batch
    // mode that opens otherwise (a token) goes straight to the inspector.
    let opening = input
        .bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(&input.bytes)
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .copied();
    if opening == Some(b'{') {
        if let Some(format) = har::sniff(head(&input.bytes)) {
            return har::inspect(
                &input.label,
                format,
                &input.bytes[..],
                trust,
                settings,
                &mut |_, _| {},
            );
        }
    }
    if input.bytes.len() > MAX_INPUT_BYTES {
        return vec![inspect(input, trust, settings)];
    }
    let Ok(text) = std::str::from_utf8(&input.bytes) else {
        return vec![inspect(input, trust, settings)];
    };
    let t = unwrap_pasted(text);
    if t.starts_with('{') && token_response::looks_like(t) {
        if let Ok(object) = json::parse_object(t.as_bytes()) {
            if token_response::is_token_response(&object) {
                return token_response::inspect(&input.label, &object, trust, settings);
            }
        }
    }
    if opening == Some(b'<') && html::looks_like_html(t) {
        return page::inspect(&input.label, t, trust, settings);
    }
    if let Some(reports) = url::inspect(&input.label, t, trust, settings) {
        return reports;
    }
    if memchr::memchr(b'\n', text.as_bytes()).is_some() {
        if let Some(inputs) = multi::split_tokens(&input.label, text) {
            return inputs.iter().map(|i| inspect(i, trust, settings)).collect();
        }
    }
    vec![inspect(input, trust, settings)]
}

/// The first bytes of an input, enough to recognise a capture.
pub(crate) fn head(bytes: &[u8]) -> &[u8] {
    &bytes[..bytes.len().min(4096)]
}

/// A capture file recognised from its first bytes, to be read as a stream.
pub(crate) fn sniff_file(path: &str) -> Option<har::Format> {
    use std::io::Read;
    let mut buf = vec![0u8; 4096];
    let mut file = std::fs::File::open(path).ok()?;
    let n = file.read(&mut buf).ok()?;
    har::sniff(&buf[..n])
}

/// The container's report alone, for callers that take one report per input (batch mode).
pub(crate) fn container_only(
    input: &Input,
    kind: Kind,
    object: &Map<String, Value>,
    trust: &TrustStore,
    settings: &Settings,
) -> Option<Report> {
    match kind {
        Kind::TokenResponse => token_response::inspect(&input.label, object, trust, settings)
            .into_iter()
            .next(),
        Kind::Har | Kind::SamlTracer => {
            let format = if kind == Kind::Har {
                har::Format::Har
            } else {
                har::Format::SamlTracer
            };
            // Re-serialised in its member order, with the capture's member first.
            let mut ordered = Map::new();
            let first = if kind == Kind::Har { "log" } else { "requests" };
            if let Some(v) = object.get(first) {
                ordered.insert(first.to_string(), v.clone());
            }
            let bytes = Value::Object(ordered).to_string().into_bytes();
            har::inspect(
                &input.label,
                format,
                &bytes[..],
                trust,
                settings,
                &mut |_, _| {},
            )
            .into_iter()
            .next()
        }
        _ => None,
    }
}

/// A container's report: `decoded` as given plus the list of artifacts, and for each artifact
/// whose verdict is not ok its worst finding, prefixed with where the artifact was.
pub(crate) fn container_report(
    label: &str,
    kind: Kind,
    mut decoded: Map<String, Value>,
    artifacts: &[Report],
    mut findings: Vec<Finding>,
) -> Report {
    decoded.insert(
        "artifacts".into(),
        Value::Array(
            artifacts
                .iter()
                .map(|r| json!({"input": r.input, "kind": r.kind, "verdict": r.verdict}))
                .collect(),
        ),
    );
    for artifact in artifacts.iter().filter(|r| r.verdict != Verdict::Ok) {
        if let Some(worst) = artifact.findings.first() {
            findings.push(summarise(artifact, worst));
        }
    }
    Report::new(label, kind, findings, Value::Object(decoded))
}

/// An artifact's finding as its container reports it: where, then what.
pub(crate) fn summarise(artifact: &Report, finding: &Finding) -> Finding {
    let mut f = finding.clone();
    f.message = format!("{}: {}", artifact.input, finding.message);
    f.evidence.edit_json(|evidence| {
        if let Value::Object(o) = evidence {
            o.insert("artifact".into(), json!(artifact.input));
        } else {
            *evidence = json!({"artifact": artifact.input});
        }
    });
    f
}
