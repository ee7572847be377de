//! Laying decoded values out for people: aligned key/value blocks, lists and small tables,
//! every value whole, wrapped to a width (or not at all when there is none).

use anstyle::{AnsiColor, Style};
use comfy_table::{presets, ContentArrangement, Table};
use serde_json::{Map, Value};
use textwrap::{Options, WordSeparator, WordSplitter, WrapAlgorithm};

pub(crate) const BOLD: Style = Style::new().bold();
pub(crate) const DIM: Style = Style::new().dimmed();
pub(crate) const RED: Style = AnsiColor::Red.on_default().bold();
pub(crate) const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
pub(crate) const GREEN: Style = AnsiColor::Green.on_default().bold();
pub(crate) const CYAN: Style = AnsiColor::Cyan.on_default();

/// Widest key column; longer keys push their value along on their own line.
const MAX_KEY_COLUMN: usize = 24;
/// Most columns a list of objects may have to be shown as a table.
const MAX_TABLE_COLUMNS: usize = 4;
/// Deepest nesting laid out as blocks; deeper values are written as compact JSON (wrapped).
const MAX_DEPTH: usize = 12;
/// Fields that name an item of a list, in order of preference: shown as the item's heading.
const LABEL_FIELDS: &[&str] = &[
    "subject",
    "name",
    "kid",
    "entity_id",
    "element",
    "key",
    "step",
    "url",
    "uri",
    "in",
    "label",
];

/// Styles text when colour is on, passes it through when off.
#[derive(Clone, Copy)]
pub(crate) struct Paint(pub bool);

impl Paint {
    pub(crate) fn on(self, style: Style, text: &str) -> String {
        if self.0 && !text.is_empty() {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }
}

/// Where text goes and how wide it may be.
#[derive(Clone, Copy)]
pub(crate) struct Layout {
    /// Wrap to this many columns; `None` writes every value on whole lines.
    pub width: Option<usize>,
    pub paint: Paint,
}

impl Layout {
    /// `text` after `first` on its first line and `rest` on the following ones, wrapped to the
    /// width; line breaks in `text` are kept. Nothing is ever cut: a word longer than a line
    /// (a thumbprint, a base64 blob) is broken across lines instead.
    pub(crate) fn text(&self, out: &mut Vec<String>, first: &str, rest: &str, text: &str) {
        let mut prefix = first;
        for line in text.split('\n') {
            let line = line.trim_end_matches('\r');
            match self.width {
                Some(width) => {
                    let options = Options::new(width)
                        .initial_indent(prefix)
                        .subsequent_indent(rest)
                        .break_words(true)
                        .word_separator(WordSeparator::AsciiSpace)
                        .word_splitter(WordSplitter::NoHyphenation)
                        // Fill each line in turn: balanced paragraphs would break early.
                        .wrap_algorithm(WrapAlgorithm::FirstFit);
                    let wrapped = textwrap::wrap(line, options);
                    if wrapped.is_empty() {
                        out.push(prefix.trim_end().to_string());
                    }
                    out.extend(wrapped.into_iter().map(|l| l.trim_end().to_string()));
                }
                None => out.push(format!("{prefix}{line}").trim_end().to_string()),
            }
            prefix = rest;
        }
    }

    /// An object as an aligned key/value block at `indent`; `notes` are shown beside the
    /// values they explain (claims).
    pub(crate) fn object(
        &self,
        out: &mut Vec<String>,
        map: &Map<String, Value>,
        indent: usize,
        notes: Option<&Map<String, Value>>,
        depth: usize,
    ) {
        let pad = " ".repeat(indent);
        let column = map
            .iter()
            .filter(|(_, v)| is_inline(v))
            .map(|(k, _)| display_width(k))
            .max()
            .unwrap_or(0)
            .min(MAX_KEY_COLUMN);
        for (key, value) in map {
            if is_absent(value) {
                continue;
            }
            if is_inline(value) {
                let note = notes.and_then(|n| n.get(key)).and_then(Value::as_str);
                self.pair(out, &pad, key, column, value, note);
                continue;
            }
            if depth >= MAX_DEPTH {
                let first = format!("{pad}{}  ", self.paint.on(DIM, key));
                let rest = " ".repeat(indent + 2);
                self.text(out, &first, &rest, &value.to_string());
                continue;
            }
            match value {
                Value::Object(inner) => {
                    out.push(format!("{pad}{}", self.paint.on(DIM, key)));
                    self.object(out, inner, indent + 2, None, depth + 1);
                }
                Value::Array(items) => self.list(out, key, items, indent, depth),
                _ => {}
            }
        }
    }

    /// `key  value`, the value wrapped at its column, a note after it (dim).
    fn pair(
        &self,
        out: &mut Vec<String>,
        pad: &str,
        key: &str,
        column: usize,
        value: &Value,
        note: Option<&str>,
    ) {
        let key_width = display_width(key);
        let gap = " ".repeat(column.saturating_sub(key_width) + 2);
        let first = format!("{pad}{key}{gap}");
        let value_column = pad.len() + column.max(key_width) + 2;
        let rest = " ".repeat(value_column);
        let start = out.len();
        match value {
            Value::Array(items) => {
                let texts: Vec<String> = items.iter().map(scalar).collect();
                let joined = texts.join(", ");
                let fits = self
                    .width
                    .is_none_or(|w| value_column + display_width(&joined) <= w);
                if fits || texts.len() == 1 {
                    self.text(out, &first, &rest, &joined);
                } else {
                    let mut prefix = first.clone();
                    for t in &texts {
                        self.text(out, &prefix, &rest, t);
                        prefix.clone_from(&rest);
                    }
                }
            }
            other => {
                let text = scalar(other);
                let single_word = !text.contains([' ', '\n']);
                let below = " ".repeat(pad.len() + 4);
                let wide = display_width(&text);
                match self.width {
                    // One long word (a URL, an identifier) that would be broken in the value
                    // column but fits a line of its own goes whole below its key.
                    Some(w)
                        if single_word && value_column + wide > w && below.len() + wide <= w =>
                    {
                        out.push(first.trim_end().to_string());
                        out.push(format!("{below}{text}"));
                    }
                    _ => self.text(out, &first, &rest, &text),
                }
            }
        }
        if let Some(note) = note {
            let last = out.len() - 1;
            let fits = self
                .width
                .is_none_or(|w| display_width(&out[last]) + 2 + display_width(note) <= w);
            if fits && out.len() > start {
                let line = format!("{}  {}", out[last], self.paint.on(DIM, note));
                out[last] = line;
            } else {
                let mut lines = Vec::new();
                self.text(&mut lines, &rest, &rest, note);
                out.extend(lines.iter().map(|l| {
                    let (lead, body) = l.split_at(l.len() - l.trim_start().len());
                    format!("{lead}{}", self.paint.on(DIM, body))
                }));
            }
        }
        // The key is styled after wrapping so that widths are counted on plain text.
        if let Some(line) = out.get_mut(start) {
            if let Some(body) = line.strip_prefix(pad).and_then(|l| l.strip_prefix(key)) {
                *line = format!("{pad}{}{body}", self.paint.on(DIM, key));
            }
        }
    }

    /// A list under `key`: a table when its items are small flat objects that fit, else one
    /// labelled block per item.
    fn list(&self, out: &mut Vec<String>, key: &str, items: &[Value], indent: usize, depth: usize) {
        let pad = " ".repeat(indent);
        let heading = if items.len() > 1 {
            format!("{key} ({})", items.len())
        } else {
            key.to_string()
        };
        out.push(format!("{pad}{}", self.paint.on(DIM, &heading)));
        if let Some(table) = self.table(items, indent + 2) {
            out.extend(table);
            return;
        }
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::Object(map) => {
                    let label = label_of(map);
                    let mark = format!("#{}", i + 1);
                    let first = format!("{pad}  {} ", self.paint.on(DIM, &mark));
                    let rest = " ".repeat(indent + 4);
                    match label {
                        Some((field, text)) => {
                            let start = out.len();
                            self.text(out, &format!("{pad}  {mark} "), &rest, &text);
                            if let Some(line) = out.get_mut(start) {
                                if let Some(body) = line.strip_prefix(&format!("{pad}  {mark} ")) {
                                    *line = format!("{first}{}", self.paint.on(BOLD, body));
                                }
                            }
                            let mut without = map.clone();
                            without.shift_remove(field);
                            self.object(out, &without, indent + 4, None, depth + 1);
                        }
                        None => {
                            out.push(first.trim_end().to_string());
                            self.object(out, map, indent + 4, None, depth + 1);
                        }
                    }
                }
                Value::Array(_) => {
                    let first = format!("{pad}  - ");
                    let rest = " ".repeat(indent + 4);
                    self.text(out, &first, &rest, &item.to_string());
                }
                other => {
                    let first = format!("{pad}  - ");
                    let rest = " ".repeat(indent + 4);
                    self.text(out, &first, &rest, &scalar(other));
                }
            }
        }
    }

    /// A borderless table when every item is an object of a few scalar fields and the table
    /// fits the width without wrapping a cell.
    fn table(&self, items: &[Value], indent: usize) -> Option<Vec<String>> {
        if items.len() < 2 {
            return None;
        }
        let mut columns: Vec<&str> = Vec::new();
        for item in items {
            let map = item.as_object()?;
            for (k, v) in map {
                if !matches!(
                    v,
                    Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null
                ) {
                    return None;
                }
                if !columns.contains(&k.as_str()) {
                    columns.push(k);
                }
            }
        }
        if columns.len() > MAX_TABLE_COLUMNS {
            return None;
        }
        let cell = |item: &Value, column: &str| item.get(column).map(scalar).unwrap_or_default();
        let natural: usize = columns
            .iter()
            .map(|c| {
                items
                    .iter()
                    .map(|i| display_width(&cell(i, c)))
                    .chain([display_width(c)])
                    .max()
                    .unwrap_or(0)
                    + 3
            })
            .sum();
        if self.width.is_some_and(|w| indent + natural > w) {
            return None;
        }
        let mut table = Table::new();
        table
            .load_style(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(columns.iter().copied());
        for item in items {
            table.add_row(columns.iter().map(|c| cell(item, c)));
        }
        let pad = " ".repeat(indent.saturating_sub(1));
        Some(
            table
                .lines()
                .enumerate()
                .map(|(i, l)| {
                    let line = format!("{pad}{}", l.trim_end());
                    if i == 0 {
                        self.paint.on(DIM, &line)
                    } else {
                        line
                    }
                })
                .collect(),
        )
    }
}

/// Values written on the key's own line: scalars and lists of scalars.
fn is_inline(v: &Value) -> bool {
    match v {
        Value::Array(items) => items.iter().all(|i| !i.is_object() && !i.is_array()),
        Value::Object(_) => false,
        _ => true,
    }
}

/// Null and empty containers say nothing a person needs; JSON keeps them.
fn is_absent(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// A scalar as text: strings without quotes, the rest as JSON writes them.
pub(crate) fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

/// The field that names an item, and its text.
fn label_of(map: &Map<String, Value>) -> Option<(&'static str, String)> {
    LABEL_FIELDS.iter().find_map(|f| {
        map.get(*f)
            .and_then(Value::as_str)
            .map(|s| (*f, s.to_string()))
    })
}

pub(crate) fn display_width(text: &str) -> usize {
    textwrap::core::display_width(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lay(value: Value, width: Option<usize>) -> Vec<String> {
        let layout = Layout {
            width,
            paint: Paint(false),
        };
        let mut out = Vec::new();
        layout.object(&mut out, value.as_object().unwrap(), 2, None, 0);
        out
    }

    #[test]
    fn long_values_wrap_whole_and_align() {
        let blob = "A".repeat(250);
        let out = lay(json!({"x5c": [blob.clone()], "kid": "abc"}), Some(60));
        assert!(out.iter().all(|l| display_width(l) <= 60), "{out:#?}");
        let joined: String = out
            .iter()
            .map(|l| l.trim_start().trim_start_matches("x5c").trim())
            .collect();
        assert!(joined.contains(&blob), "nothing is cut: {out:#?}");
        assert!(out.iter().any(|l| l == "  kid  abc"), "{out:#?}");
    }

    #[test]
    fn a_long_url_goes_whole_below_its_key() {
        let url = format!("https://login.microsoftonline.com/{}/saml2", "8".repeat(36));
        let out = lay(
            json!({"destination": url, "assertion_consumer_service_url": "x"}),
            Some(90),
        );
        assert_eq!(out[0].trim(), "destination");
        assert_eq!(out[1].trim(), url);
    }

    #[test]
    fn piped_output_keeps_whole_lines() {
        let text = "word ".repeat(60);
        let out = lay(json!({"description": text.trim()}), None);
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn flat_lists_become_tables_and_others_labelled_blocks() {
        let out = lay(
            json!({"endpoints": [
                {"endpoint": "SecurityTokenServiceEndpoint", "location": "https://login.example/wsfed"},
                {"endpoint": "PassiveRequestorEndpoint", "location": "https://login.example/wsfed"}
            ]}),
            Some(100),
        );
        assert_eq!(out[0].trim(), "endpoints (2)");
        assert!(
            out[1].contains("endpoint") && out[1].contains("location"),
            "{out:#?}"
        );
        assert!(out[2].contains("SecurityTokenServiceEndpoint"));

        let out = lay(
            json!({"certificates": [{"subject": "CN=signer", "not_after": "2030-01-01T00:00:00Z", "thumbprints": {"sha1_hex": "AB"}}]}),
            Some(100),
        );
        assert_eq!(out[1].trim(), "#1 CN=signer", "{out:#?}");
        assert!(out.iter().any(|l| l.trim() == "sha1_hex  AB"), "{out:#?}");
    }

    #[test]
    fn notes_follow_their_values() {
        let layout = Layout {
            width: Some(60),
            paint: Paint(false),
        };
        let mut out = Vec::new();
        let claims = json!({"exp": 1, "tid": "8eaef023-2b34-4da1-9baa-8bc8c9d6a490"});
        let notes = json!({"exp": "soon", "tid": "tenant id: the directory that issued the token"});
        layout.object(
            &mut out,
            claims.as_object().unwrap(),
            2,
            notes.as_object(),
            0,
        );
        assert_eq!(out[0], "  exp  1  soon");
        assert!(out.iter().all(|l| display_width(l) <= 60), "{out:#?}");
        assert!(out[2].trim_start().starts_with("tenant id"), "{out:#?}");
    }
}
