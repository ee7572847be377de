//! `keyprobe redact FILE`: a copy of a capture (HAR, SAML-tracer export), a JSON document or a
//! log that is safe to attach to a ticket. Cookies, Authorization and other credential headers,
//! passwords, client secrets, authorization codes, refresh tokens, state and flow tokens and
//! personal data are removed; JWTs and SAML messages keep their content but lose their signatures
//! (so nothing in the copy can be replayed); script, style and binary bodies are dropped, and
//! pages keep only their forms (values redacted) or Entra's error text. The rest is kept, and a
//! JSON input stays valid JSON. Captures are rewritten as a stream, one entry at a time.

pub(crate) mod rules;
pub(crate) mod text;

use std::io::{self, Read, Write};

use serde_json::{Map, Value};
use struson::reader::JsonReader;

use crate::capture::har::{sniff, Format};
use crate::capture::stream::{self, StreamError};
pub use rules::Summary;
use rules::{Action, REMOVED};

/// Why the copy could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RedactError {
    /// The input could not be read as a capture, JSON or text stream.
    #[error("{0}")]
    Stream(#[from] StreamError),
    /// The copy could not be written.
    #[error("cannot write the copy: {0}")]
    Write(#[from] io::Error),
    /// The input is binary.
    #[error("the input is not UTF-8 text: keyprobe redacts captures, JSON and logs")]
    Binary,
}

/// Writes the redacted copy of `input` to `out` and returns what was removed.
pub fn redact(mut input: impl Read, out: &mut dyn Write) -> Result<Summary, RedactError> {
    let mut head = vec![0u8; 4096];
    let n = read_up_to(&mut input, &mut head)?;
    head.truncate(n);
    let mut summary = Summary::default();
    let whole = io::Cursor::new(head.clone()).chain(input);
    match sniff(&head) {
        Some(format) => capture(format, whole, out, &mut summary)?,
        None => {
            let mut bytes = Vec::new();
            whole
                .take(crate::limits::MAX_INPUT_BYTES as u64 * 8)
                .read_to_end(&mut bytes)?;
            let text = String::from_utf8(bytes).map_err(|_| RedactError::Binary)?;
            let t = text.trim_start_matches('\u{feff}').trim();
            match serde_json::from_str::<Value>(t) {
                Ok(mut v) if t.starts_with('{') || t.starts_with('[') => {
                    json(&mut v, &mut summary);
                    serde_json::to_writer_pretty(&mut *out, &v).map_err(io::Error::other)?;
                    out.write_all(b"\n")?;
                }
                _ => out.write_all(text::log(&text, &mut summary).as_bytes())?,
            }
        }
    }
    out.flush()?;
    Ok(summary)
}

impl From<struson::reader::ReaderError> for RedactError {
    fn from(e: struson::reader::ReaderError) -> Self {
        RedactError::Stream(e.into())
    }
}

fn read_up_to(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match input.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// A capture, entry by entry: the members around the entries are copied (redacted) as values.
fn capture(
    format: Format,
    input: impl Read,
    out: &mut dyn Write,
    s: &mut Summary,
) -> Result<(), RedactError> {
    let mut r = stream::reader(input);
    let mut budget;
    r.begin_object()?;
    out.write_all(b"{")?;
    let mut first = true;
    while r.has_next()? {
        let name = r.next_name_owned()?;
        if !first {
            out.write_all(b",")?;
        }
        first = false;
        write_name(out, &name)?;
        let streamed = match (format, name.as_str()) {
            (Format::Har, "log") => {
                r.begin_object()?;
                out.write_all(b"{")?;
                let mut first = true;
                while r.has_next()? {
                    let member = r.next_name_owned()?;
                    if !first {
                        out.write_all(b",")?;
                    }
                    first = false;
                    write_name(out, &member)?;
                    if member == "entries" {
                        array(&mut r, out, s)?;
                    } else {
                        budget = crate::limits::MAX_CAPTURE_ENTRY_BYTES;
                        let mut v = stream::read_value(&mut r, &mut budget)?;
                        json(&mut v, s);
                        serde_json::to_writer(&mut *out, &v).map_err(io::Error::other)?;
                    }
                }
                r.end_object()?;
                out.write_all(b"}")?;
                true
            }
            (Format::SamlTracer, "requests") => {
                array(&mut r, out, s)?;
                true
            }
            _ => false,
        };
        if !streamed {
            budget = crate::limits::MAX_CAPTURE_ENTRY_BYTES;
            let mut v = stream::read_value(&mut r, &mut budget)?;
            json(&mut v, s);
            serde_json::to_writer(&mut *out, &v).map_err(io::Error::other)?;
        }
    }
    r.end_object()?;
    out.write_all(b"}\n")?;
    Ok(())
}

fn write_name(out: &mut dyn Write, name: &str) -> io::Result<()> {
    serde_json::to_writer(&mut *out, name).map_err(io::Error::other)?;
    out.write_all(b":")
}

fn array<R: Read>(
    r: &mut stream::Reader<R>,
    out: &mut dyn Write,
    s: &mut Summary,
) -> Result<(), RedactError> {
    r.begin_array()?;
    out.write_all(b"[")?;
    let mut first = true;
    while r.has_next()? {
        let mut budget = crate::limits::MAX_CAPTURE_ENTRY_BYTES;
        let mut entry = stream::read_value(r, &mut budget)?;
        json(&mut entry, s);
        if !first {
            out.write_all(b",")?;
        }
        first = false;
        out.write_all(b"\n")?;
        serde_json::to_writer(&mut *out, &entry).map_err(io::Error::other)?;
    }
    r.end_array()?;
    out.write_all(b"]")?;
    Ok(())
}

/// Redacts a JSON value in place: `{name, value}` pairs (headers, cookies, parameters) by their
/// rules, cookie arrays wholly, bodies by content type, members by name, every other string by
/// its shape.
pub(crate) fn json(v: &mut Value, s: &mut Summary) {
    match v {
        Value::Object(map) => object(map, s),
        Value::Array(items) => items.iter_mut().for_each(|i| json(i, s)),
        Value::String(text) => *text = text::any(text, s),
        _ => {}
    }
}

fn object(map: &mut Map<String, Value>, s: &mut Summary) {
    // A header, cookie or parameter: {"name": …, "value": …}.
    if let (Some(Value::String(name)), Some(Value::String(_))) = (map.get("name"), map.get("value"))
    {
        let name = name.clone();
        let action = match rules::header(&name) {
            Action::Keep => rules::param(&name),
            other => other,
        };
        if let Some(Value::String(value)) = map.get_mut("value") {
            *value = match action {
                Action::Keep => text::any(value, s),
                _ => text::value_with(action, value, s),
            };
        }
        return;
    }
    // Post data: the body by its type, and its parsed parameters.
    if map.contains_key("mimeType") {
        let mime = map
            .get("mimeType")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if let Some(Value::String(body)) = map.get_mut("text") {
            *body = body_text(&mime, body, s);
        }
    }
    for (key, value) in map.iter_mut() {
        match (key.as_str(), value) {
            ("cookies", Value::Array(cookies)) => {
                for c in cookies.iter_mut().filter_map(Value::as_object_mut) {
                    if let Some(v) = c.get_mut("value") {
                        if v.as_str().is_some_and(|t| !t.is_empty() && t != REMOVED) {
                            s.add("cookies");
                            *v = Value::String(REMOVED.into());
                        }
                    }
                }
            }
            ("text", Value::String(_)) => {} // handled with its mimeType above
            ("saml", Value::String(xml)) if xml.trim_start().starts_with('<') => {
                // SAML-tracer's decoded message.
                let encoded = crate::codec::base64::encode_standard(xml.as_bytes());
                let cleaned = text::saml(&encoded, s);
                if let Ok(bytes) = crate::codec::base64::decode_standard(&cleaned) {
                    *xml = String::from_utf8_lossy(&bytes).into_owned();
                }
            }
            (name, value) => match (rules::param(name), value) {
                (Action::Keep, v) => json(v, s),
                (action, Value::String(t)) => *t = text::value_with(action, t, s),
                (_, v) => json(v, s),
            },
        }
    }
    // SAML-tracer's `get`/`post` are [[name, value]] pairs.
    for key in ["get", "post"] {
        if let Some(Value::Array(pairs)) = map.get_mut(key) {
            for pair in pairs.iter_mut().filter_map(Value::as_array_mut) {
                if let [Value::String(n), Value::String(v)] = pair.as_mut_slice() {
                    *v = text::value(n, v, s);
                }
            }
        }
    }
}

/// A body by its content type: scripts, styles and binaries dropped, pages reduced, forms and
/// JSON redacted by name.
fn body_text(mime: &str, body: &str, s: &mut Summary) -> String {
    let m = mime.to_ascii_lowercase();
    let t = body.trim();
    if t.is_empty() || t.starts_with(crate::capture::stream::CUT_MARKER) {
        return body.to_string();
    }
    if rules::drops_body(&m) {
        s.add("script, style and binary bodies");
        return format!("[{mime} body removed by keyprobe redact]");
    }
    if m.contains("x-www-form-urlencoded") {
        return text::form(t, s);
    }
    if t.starts_with('{') || t.starts_with('[') {
        if let Ok(mut v) = serde_json::from_str::<Value>(t) {
            json(&mut v, s);
            return v.to_string();
        }
    }
    if m.contains("html") || crate::capture::html::looks_like_html(t) {
        return page(t, s);
    }
    text::log(body, s)
}

/// A page reduced to what diagnosis needs: its forms (values redacted) and its visible text when
/// it is an error page; anything else (scripts, `$Config` with session tokens) is dropped.
fn page(html: &str, s: &mut Summary) -> String {
    let page = crate::capture::html::read(html);
    let mut out = String::from("<!DOCTYPE html>\n<!-- reduced by keyprobe redact: forms and error text only -->\n<html><body>\n");
    let esc = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    for form in &page.forms {
        out.push_str(&format!(
            "<form method=\"{}\" action=\"{}\">\n",
            esc(form.method.as_deref().unwrap_or("")),
            esc(&text::any(form.action.as_deref().unwrap_or(""), s))
        ));
        for (name, value) in &form.inputs {
            out.push_str(&format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\"/>\n",
                esc(name),
                esc(&text::value(name, value, s))
            ));
        }
        out.push_str("</form>\n");
    }
    if !crate::artifact::sts_error::aadsts_codes_in(&page.text).is_empty() {
        for line in page.text.lines() {
            out.push_str(&format!("<div>{}</div>\n", esc(line)));
        }
    }
    out.push_str("</body></html>\n");
    s.add("pages reduced to their forms and error text");
    out
}
