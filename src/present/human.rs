//! The terminal report: verdict and findings first (each with its hint, what libraries print
//! for it and its evidence), then everything that was decoded, then the documents fetched.
//! Nothing is cut; lines are wrapped to the width the caller gives (none when piped).

use std::io::{self, Write};

use serde_json::{Map, Value};

use super::layout::{Layout, Paint, BOLD, CYAN, DIM, GREEN, RED, YELLOW};
use crate::report::{Finding, Report, Severity, Verdict};

/// How the human report is written: decided once per run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HumanStyle {
    /// Wrap to this many columns; `None` when piped.
    pub width: Option<usize>,
    pub colour: bool,
}

/// Label column of a finding's details ("seen as: " is the widest).
const DETAIL_LABEL: usize = 9;

pub(crate) fn write_report(
    out: &mut dyn Write,
    report: &Report,
    style: HumanStyle,
) -> io::Result<()> {
    let lines = render(report, style);
    for line in lines {
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// The report as lines, without their line ends.
pub(crate) fn render(report: &Report, style: HumanStyle) -> Vec<String> {
    let layout = Layout {
        width: style.width,
        paint: Paint(style.colour),
    };
    let p = layout.paint;
    let mut out = Vec::new();
    let verdict = match report.verdict {
        Verdict::Ok => p.on(GREEN, "ok"),
        Verdict::Warning => p.on(YELLOW, "warning"),
        Verdict::Error => p.on(RED, "error"),
    };
    let kind = report.kind.as_str();
    // A container whose flow failed says where and why on its first line (whole when piped).
    let decoded = report.decoded.as_value();
    let flow_headline = decoded.get("headline").and_then(Value::as_str);
    let headline_width = super::layout::display_width(&report.input) + kind.len() + 11;
    if style.width.is_none_or(|w| headline_width <= w) {
        let first = format!(
            "{}  {}  {verdict}",
            p.on(BOLD, &report.input),
            p.on(CYAN, kind)
        );
        match flow_headline {
            Some(h) if style.width.is_none() => out.push(format!("{first}  {h}")),
            Some(h) => {
                out.push(first);
                layout.text(&mut out, "  ", "  ", h);
            }
            None => out.push(first),
        }
    } else {
        // A long input name (a capture's artifact path, a URL) gets lines of its own.
        let start = out.len();
        layout.text(&mut out, "", "", &report.input);
        for line in &mut out[start..] {
            *line = p.on(BOLD, line);
        }
        out.push(format!("  {}  {verdict}", p.on(CYAN, kind)));
        if let Some(h) = flow_headline {
            layout.text(&mut out, "  ", "  ", h);
        }
    }
    for f in &report.findings {
        finding(&layout, &mut out, f);
    }
    if report.findings.is_empty() {
        out.push(format!("  {}", p.on(GREEN, "· nothing to report")));
    }
    if let Value::Object(decoded) = &*decoded {
        decoded_sections(&layout, &mut out, decoded);
    }
    if !report.fetched.is_empty() {
        out.push(String::new());
        out.push(format!("  {}", p.on(BOLD, "fetched")));
        for f in &report.fetched {
            let how = if f.from_cache {
                "replayed from the cache (--offline)"
            } else {
                "fetched now"
            };
            let first = format!("    {} ", p.on(DIM, "-"));
            layout.text(&mut out, &first, "      ", &f.url);
            let facts = serde_json::json!({
                "at": f.fetched_at,
                "how": how,
                "status": f.status,
                "bytes": f.bytes,
                "sha256": f.sha256,
            });
            if let Value::Object(map) = facts {
                layout.object(&mut out, &map, 6, None, 0);
            }
        }
    }
    out.push(String::new());
    out
}

fn finding(layout: &Layout, out: &mut Vec<String>, f: &Finding) {
    let p = layout.paint;
    let (style, mark) = match f.severity {
        Severity::Error => (RED, "✗"),
        Severity::Warning => (YELLOW, "!"),
        Severity::Info => (GREEN, "·"),
    };
    let head = format!("{mark} {}", f.code);
    let start = out.len();
    layout.text(out, &format!("  {head}  "), "    ", &f.message);
    if let Some(line) = out.get_mut(start) {
        if let Some(rest) = line.strip_prefix(&format!("  {head}")) {
            *line = format!("  {}{rest}", p.on(style, &head));
        }
    }
    if f.severity == Severity::Info {
        return;
    }
    let label = |name: &str| {
        let plain = format!("    {name:<DETAIL_LABEL$}");
        (plain, " ".repeat(4 + DETAIL_LABEL))
    };
    let (first, rest) = label("hint:");
    styled_label(layout, out, &first, &rest, &f.hint);
    if !f.seen_as.is_empty() {
        let (mut first, rest) = label("seen as:");
        for line in &f.seen_as {
            styled_label(layout, out, &first, &rest, line);
            first.clone_from(&rest);
        }
    }
    if let Value::Object(evidence) = &*f.evidence.as_value() {
        if evidence.values().any(|v| !is_empty(v)) {
            out.push(format!("    {}", p.on(DIM, "evidence:")));
            layout.object(out, evidence, 6, None, 0);
        }
    }
}

/// Writes `text` after a label, the label dimmed once the line is laid out.
fn styled_label(layout: &Layout, out: &mut Vec<String>, first: &str, rest: &str, text: &str) {
    let start = out.len();
    layout.text(out, first, rest, text);
    let label = first.trim();
    if label.is_empty() {
        return;
    }
    if let Some(line) = out.get_mut(start) {
        if let Some(body) = line.strip_prefix(first.trim_end()) {
            *line = format!("    {}{body}", layout.paint.on(DIM, label));
        }
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Top-level decoded values: runs of plain values as one block, each object or list as a
/// section with a bold heading; `notes` beside the claims they explain.
fn decoded_sections(layout: &Layout, out: &mut Vec<String>, decoded: &Map<String, Value>) {
    let p = layout.paint;
    let notes = decoded.get("notes").and_then(Value::as_object);
    let mut plain = Map::new();
    let flush = |plain: &mut Map<String, Value>, out: &mut Vec<String>| {
        if !plain.is_empty() {
            out.push(String::new());
            layout.object(out, plain, 2, None, 0);
            plain.clear();
        }
    };
    // A container's flow and the reports it holds come first; its headline is the first line.
    let first = ["first_failure", "flow", "artifacts"];
    let ordered = first
        .iter()
        .filter_map(|k| decoded.get_key_value(*k))
        .chain(decoded.iter().filter(|(k, _)| !first.contains(&k.as_str())));
    for (key, value) in ordered {
        if key == "notes" || key == "headline" || is_empty(value) {
            continue;
        }
        match value {
            Value::Array(steps) if key == "flow" && super::flow::is_flow(value) => {
                flush(&mut plain, out);
                super::flow::section(layout, out, steps);
            }
            Value::Array(items) if key == "artifacts" && super::flow::is_artifact_list(value) => {
                flush(&mut plain, out);
                super::flow::artifacts(layout, out, items);
            }
            Value::Object(map) => {
                flush(&mut plain, out);
                out.push(String::new());
                out.push(format!("  {}", p.on(BOLD, key)));
                let section_notes = if key == "claims" { notes } else { None };
                layout.object(out, map, 4, section_notes, 0);
            }
            Value::Array(items) if items.iter().any(|i| i.is_object() || i.is_array()) => {
                flush(&mut plain, out);
                out.push(String::new());
                let mut wrapper = Map::new();
                wrapper.insert(key.clone(), Value::Array(items.clone()));
                let start = out.len();
                layout.object(out, &wrapper, 2, None, 0);
                // The list's heading is the section's: bold rather than dim.
                if let Some(line) = out.get_mut(start) {
                    let plain_heading = strip_ansi(line);
                    *line = format!("  {}", p.on(BOLD, plain_heading.trim()));
                }
            }
            other => {
                plain.insert(key.clone(), other.clone());
            }
        }
    }
    flush(&mut plain, out);
}

/// The text of a line without ANSI styling.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::FindingCode;
    use crate::detect::Kind;
    use serde_json::json;

    #[test]
    fn findings_carry_hint_seen_as_and_evidence_within_the_width() {
        let finding = Finding::new(
            FindingCode::KeyNotFound,
            "the token is signed with kid 'GtWGSfn5WUm2RX3aJoVBfL8iDLo' but the key source (testdata/keys/jwks.json) has only 'hDL0-6Tg6w8nJpb7ST9j9TlBn9c', 'ec-p256'",
        )
        .with_evidence(json!({"token_kid": "GtWGSfn5WUm2RX3aJoVBfL8iDLo", "retired": null}));
        let report = Report::new(
            "t.jwt",
            Kind::Jwt,
            vec![finding],
            json!({"header": {"alg": "RS256"}}),
        );
        let lines = render(
            &report,
            HumanStyle {
                width: Some(72),
                colour: false,
            },
        );
        assert!(lines.iter().all(|l| l.chars().count() <= 72), "{lines:#?}");
        assert!(lines[1].starts_with("  ✗ key-not-found  the token"));
        assert!(lines.iter().any(|l| l.starts_with("    seen as: IDX10503")));
        assert!(lines
            .iter()
            .any(|l| l.trim() == "token_kid  GtWGSfn5WUm2RX3aJoVBfL8iDLo"));
        assert!(!lines.iter().any(|l| l.contains("retired")));
        assert!(lines.iter().any(|l| l.trim() == "alg  RS256"));
    }

    #[test]
    fn colour_only_when_asked() {
        let report = Report::new("x", Kind::Jwt, vec![], json!({"header": {"alg": "RS256"}}));
        let plain = render(
            &report,
            HumanStyle {
                width: None,
                colour: false,
            },
        );
        assert!(plain.iter().all(|l| !l.contains('\u{1b}')));
        let coloured = render(
            &report,
            HumanStyle {
                width: None,
                colour: true,
            },
        );
        assert!(coloured.iter().any(|l| l.contains('\u{1b}')));
        assert_eq!(
            coloured.iter().map(|l| strip_ansi(l)).collect::<Vec<_>>(),
            plain
        );
    }
}
