//! The terminal report: verdict and findings first, then what was decoded.
//! Colour is written as ANSI styles; the caller's stream strips them when colour is off.

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

pub fn write_report(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let (style, word) = match report.verdict {
        Verdict::Ok => (GREEN, "ok"),
        Verdict::Warning => (YELLOW, "warning"),
        Verdict::Error => (RED, "error"),
    };
    writeln!(
        out,
        "{BOLD}{}{BOLD:#}  {CYAN}{}{CYAN:#}  {style}{word}{style:#}",
        report.input,
        report.kind.as_str()
    )?;
    for f in &report.findings {
        let (style, mark) = match f.severity {
            Severity::Error => (RED, "✗"),
            Severity::Warning => (YELLOW, "!"),
            Severity::Info => (GREEN, "·"),
        };
        writeln!(out, "  {style}{mark} {}{style:#}  {}", f.code, f.message)?;
        if f.severity != Severity::Info {
            writeln!(out, "      {DIM}hint:{DIM:#} {}", f.hint)?;
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
                    "      {DIM}seen as:{DIM:#} {}{more}",
                    shown.join(" | ")
                )?;
            }
        }
    }
    if report.findings.is_empty() {
        writeln!(out, "  {GREEN}· nothing to report{GREEN:#}")?;
    }
    if let Value::Object(decoded) = &report.decoded {
        write_decoded(out, decoded)?;
    }
    writeln!(out)
}

fn write_decoded(out: &mut dyn Write, decoded: &Map<String, Value>) -> io::Result<()> {
    let notes = decoded.get("notes").and_then(Value::as_object);
    for (section, value) in decoded {
        if section == "notes" {
            continue;
        }
        match value {
            Value::Object(map) => {
                writeln!(out, "  {BOLD}{section}{BOLD:#}")?;
                let section_notes = if section == "claims" { notes } else { None };
                write_object(out, map, 2, section_notes)?;
            }
            Value::Array(items) if items.iter().all(Value::is_object) && !items.is_empty() => {
                writeln!(out, "  {BOLD}{section}{BOLD:#}")?;
                for (i, item) in items.iter().enumerate() {
                    writeln!(out, "    {DIM}[{i}]{DIM:#}")?;
                    if let Value::Object(m) = item {
                        write_object(out, m, 3, None)?;
                    }
                }
            }
            Value::Null => {}
            other => writeln!(out, "  {BOLD}{section}{BOLD:#}: {}", scalar(other))?,
        }
    }
    Ok(())
}

fn write_object(
    out: &mut dyn Write,
    map: &Map<String, Value>,
    depth: usize,
    notes: Option<&Map<String, Value>>,
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
                write_object(out, inner, depth + 1, None)?;
            }
            _ => {
                let note = notes.and_then(|n| n.get(k)).and_then(Value::as_str);
                match note {
                    Some(n) => writeln!(out, "{pad}{k:width$}  {}  {DIM}{n}{DIM:#}", scalar(v))?,
                    None => writeln!(out, "{pad}{k:width$}  {}", scalar(v))?,
                }
            }
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
