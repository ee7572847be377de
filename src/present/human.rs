//! The terminal report: verdict and findings first, then what was decoded.
//! Colour is ANSI styling, written only when the caller says the terminal wants it.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use serde_json::{Map, Value};

use crate::report::{Report, Severity, Verdict};

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
const GREEN: Style = AnsiColor::Green.on_default().bold();
const CYAN: Style = AnsiColor::Cyan.on_default();

/// Longest string value shown in full; longer ones (signatures, certificates) are shortened.
const MAX_VALUE_CHARS: usize = 100;

/// Styles text when colour is on, passes it through when off.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn on(self, style: Style, text: &str) -> String {
        if self.0 {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }
}

pub fn write_report(out: &mut dyn Write, report: &Report, colour: bool) -> io::Result<()> {
    let p = Paint(colour);
    let verdict = match report.verdict {
        Verdict::Ok => p.on(GREEN, "ok"),
        Verdict::Warning => p.on(YELLOW, "warning"),
        Verdict::Error => p.on(RED, "error"),
    };
    // A container whose flow failed says where and why on its first line.
    let headline = match report.decoded.get("headline").and_then(Value::as_str) {
        Some(h) => format!("  {h}"),
        None => String::new(),
    };
    writeln!(
        out,
        "{}  {}  {verdict}{headline}",
        p.on(BOLD, &report.input),
        p.on(CYAN, report.kind.as_str())
    )?;
    for f in &report.findings {
        let (style, mark) = match f.severity {
            Severity::Error => (RED, "✗"),
            Severity::Warning => (YELLOW, "!"),
            Severity::Info => (GREEN, "·"),
        };
        writeln!(
            out,
            "  {}  {}",
            p.on(style, &format!("{mark} {}", f.code)),
            f.message
        )?;
        if f.severity != Severity::Info {
            writeln!(out, "      {} {}", p.on(DIM, "hint:"), f.hint)?;
            if !f.seen_as.is_empty() {
                let shown: Vec<&str> = f.seen_as.iter().take(4).map(String::as_str).collect();
                let more = f.seen_as.len().saturating_sub(shown.len());
                let more = if more > 0 {
                    format!(" (+{more} more: keyprobe explain {})", f.code)
                } else {
                    String::new()
                };
                writeln!(
                    out,
                    "      {} {}{more}",
                    p.on(DIM, "seen as:"),
                    shown.join(" | ")
                )?;
            }
        }
    }
    if report.findings.is_empty() {
        writeln!(out, "  {}", p.on(GREEN, "· nothing to report"))?;
    }
    if let Value::Object(decoded) = &report.decoded {
        write_decoded(out, decoded, p)?;
    }
    for f in &report.fetched {
        let how = if f.from_cache {
            "replayed from cache"
        } else {
            "fetched"
        };
        writeln!(
            out,
            "  {} {} {how} {} (HTTP {}, sha256 {})",
            p.on(DIM, "source:"),
            f.url,
            f.fetched_at,
            f.status,
            &f.sha256[..f.sha256.len().min(16)]
        )?;
    }
    writeln!(out)
}

fn write_decoded(out: &mut dyn Write, decoded: &Map<String, Value>, p: Paint) -> io::Result<()> {
    let notes = decoded.get("notes").and_then(Value::as_object);
    for (section, value) in decoded {
        if section == "notes" {
            continue;
        }
        match value {
            Value::Object(map) => {
                writeln!(out, "  {}", p.on(BOLD, section))?;
                let section_notes = if section == "claims" { notes } else { None };
                write_object(out, map, 2, section_notes, p)?;
            }
            Value::Array(items) if items.iter().all(Value::is_object) && !items.is_empty() => {
                writeln!(out, "  {}", p.on(BOLD, section))?;
                for (i, item) in items.iter().enumerate() {
                    writeln!(out, "    {}", p.on(DIM, &format!("[{i}]")))?;
                    if let Value::Object(m) = item {
                        write_object(out, m, 3, None, p)?;
                    }
                }
            }
            Value::Null => {}
            other => writeln!(out, "  {}: {}", p.on(BOLD, section), scalar(other))?,
        }
    }
    Ok(())
}

fn write_object(
    out: &mut dyn Write,
    map: &Map<String, Value>,
    depth: usize,
    notes: Option<&Map<String, Value>>,
    p: Paint,
) -> io::Result<()> {
    let pad = "  ".repeat(depth);
    let width = map
        .keys()
        .map(|k| k.chars().count())
        .max()
        .unwrap_or(0)
        .min(24);
    for (k, v) in map {
        match v {
            Value::Object(inner) if depth < 5 => {
                writeln!(out, "{pad}{k}:")?;
                write_object(out, inner, depth + 1, None, p)?;
            }
            _ => match notes.and_then(|n| n.get(k)).and_then(Value::as_str) {
                Some(n) => writeln!(out, "{pad}{k:width$}  {}  {}", scalar(v), p.on(DIM, n))?,
                None => writeln!(out, "{pad}{k:width$}  {}", scalar(v))?,
            },
        }
    }
    Ok(())
}

fn scalar(v: &Value) -> String {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            items.iter().map(scalar).collect::<Vec<_>>().join(", ")
        }
        other => other.to_string(),
    };
    shorten(&text)
}

fn shorten(text: &str) -> String {
    let count = text.chars().count();
    if count <= MAX_VALUE_CHARS {
        return text.to_string();
    }
    let head: String = text.chars().take(MAX_VALUE_CHARS - 20).collect();
    format!("{head}… ({count} chars)")
}
