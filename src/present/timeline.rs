//! The validity windows a report involves (token lifetime, SAML conditions, certificates), with
//! the check time, for the local page's timeline picture.

use serde::Serialize;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::report::Report;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Window {
    pub label: String,
    pub start: Option<i64>,
    pub end: Option<i64>,
    /// `valid`, `expired` or `not-yet-valid` at the check time.
    pub state: &'static str,
}

const START_KEYS: &[&str] = &["not_before", "nbf", "notBefore"];
const END_KEYS: &[&str] = &[
    "not_after",
    "not_on_or_after",
    "exp",
    "notAfter",
    "valid_until",
];
const MAX_DEPTH: usize = 8;
const MAX_WINDOWS: usize = 64;

/// Every window found in the decoded content and in findings' evidence, deduplicated.
pub(crate) fn windows(report: &Report, now: i64) -> Vec<Window> {
    let mut out: Vec<Window> = Vec::new();
    walk(&report.decoded.as_value(), "", now, 0, &mut out);
    for f in &report.findings {
        walk(&f.evidence.as_value(), "", now, 0, &mut out);
    }
    // Evidence repeats windows the decoded content already shows, often with one side missing:
    // keep a window only when no earlier one already has every boundary it has.
    let mut kept: Vec<Window> = Vec::new();
    for w in out {
        let covered = kept.iter().any(|k| {
            w.start.is_none_or(|s| k.start == Some(s)) && w.end.is_none_or(|e| k.end == Some(e))
        });
        if !covered {
            kept.push(w);
        }
    }
    let mut out = kept;
    out.truncate(MAX_WINDOWS);
    out
}

fn walk(v: &Value, path: &str, now: i64, depth: usize, out: &mut Vec<Window>) {
    if depth > MAX_DEPTH {
        return;
    }
    match v {
        Value::Object(map) => {
            let start = START_KEYS
                .iter()
                .find_map(|k| map.get(*k))
                .and_then(instant)
                .or_else(|| {
                    // A JWT without nbf is valid from its iat.
                    map.get("exp").and(map.get("iat")).and_then(instant)
                });
            let end = END_KEYS.iter().find_map(|k| map.get(*k)).and_then(instant);
            if start.is_some() || end.is_some() {
                out.push(Window {
                    label: label_for(map, path),
                    start,
                    end,
                    state: state(start, end, now),
                });
            }
            for (k, child) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(child, &p, now, depth + 1, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate().take(MAX_WINDOWS) {
                walk(child, &format!("{path}[{i}]"), now, depth + 1, out);
            }
        }
        _ => {}
    }
}

fn label_for(map: &serde_json::Map<String, Value>, path: &str) -> String {
    let name = map
        .get("subject")
        .and_then(Value::as_str)
        .map(|s| {
            s.split(", ")
                .find_map(|p| p.strip_prefix("CN="))
                .unwrap_or(s)
                .to_string()
        })
        .or_else(|| map.get("role").and_then(Value::as_str).map(str::to_string));
    match (path, name) {
        ("claims", _) => "token lifetime (nbf/iat → exp)".to_string(),
        (_, Some(n)) => format!("certificate {n}"),
        ("", None) => "validity".to_string(),
        (p, None) => readable_path(p),
    }
}

/// `assertion.subject.confirmations[0]` as `assertion › subject › confirmations #1`.
fn readable_path(path: &str) -> String {
    path.split('.')
        .map(|segment| {
            let segment = segment.replace('_', " ");
            match segment.split_once('[') {
                Some((name, index)) => {
                    let n: usize = index.trim_end_matches(']').parse().unwrap_or(0);
                    format!("{name} #{}", n + 1)
                }
                None => segment,
            }
        })
        .collect::<Vec<_>>()
        .join(" › ")
}

fn state(start: Option<i64>, end: Option<i64>, now: i64) -> &'static str {
    match (start, end) {
        (_, Some(e)) if now > e => "expired",
        (Some(s), _) if now < s => "not-yet-valid",
        _ => "valid",
    }
}

/// A Unix time (number) or an RFC 3339 text, possibly followed by a relative note.
fn instant(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => {
            let first = s.split_whitespace().next()?;
            OffsetDateTime::parse(first, &Rfc3339)
                .ok()
                .map(|t| t.unix_timestamp())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Kind;
    use serde_json::json;

    #[test]
    fn finds_token_and_certificate_windows() {
        let decoded = json!({
            "claims": {"iat": 100, "exp": 200},
            "certificates": [{"subject": "CN=issuer", "not_before": "1970-01-01T00:00:50Z", "not_after": "1970-01-01T00:02:30Z (in 1 min)"}]
        });
        let report = Report::new("t", Kind::Jwt, vec![], decoded);
        let w = windows(&report, 160);
        assert_eq!(w.len(), 2);
        assert_eq!(
            (w[0].start, w[0].end, w[0].state),
            (Some(100), Some(200), "valid")
        );
        assert_eq!(w[1].label, "certificate issuer");
        assert_eq!(
            readable_path("assertion.subject.confirmations[0]"),
            "assertion › subject › confirmations #1"
        );
        assert_eq!(
            (w[1].start, w[1].end, w[1].state),
            (Some(50), Some(150), "expired")
        );
    }
}
