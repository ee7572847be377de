//! What keyprobe reads in an HTML page, with a WHATWG tokenizer (html5gum): forms and their
//! inputs (Entra's auto-posting forms), the visible text (its error page), and the `$Config`
//! object Entra's sign-in pages carry.

use html5gum::{DefaultEmitter, Token, Tokenizer};
use serde_json::{Map, Value};

use crate::limits::MAX_JSON_BYTES;

/// Whether text is an HTML page rather than XML (SAML, metadata).
pub(crate) fn looks_like_html(text: &str) -> bool {
    let start = text.trim_start_matches('\u{feff}').trim_start();
    // Every opening below is a tag: a token or a key (most inputs) is turned away without a copy.
    if !start.starts_with('<') {
        return false;
    }
    let head: String = start
        .chars()
        .take(256)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.starts_with("<head")
        || head.starts_with("<body")
        || head.starts_with("<form")
        || (head.starts_with("<!--") && head.contains("<html"))
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Form {
    pub action: Option<String>,
    pub method: Option<String>,
    /// `<input name value>` and `<textarea name>`, in document order.
    pub inputs: Vec<(String, String)>,
}

/// The page as tokens: forms, visible text (one line per block), and script text.
#[derive(Debug, Default)]
pub(crate) struct Page {
    pub forms: Vec<Form>,
    pub text: String,
    pub title: Option<String>,
    scripts: String,
}

const BLOCKS: &[&str] = &[
    "div", "p", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "title", "table", "section",
    "form", "td", "th", "pre", "span",
];

fn attr(tag: &html5gum::StartTag<()>, name: &str) -> Option<String> {
    tag.attributes
        .get(name.as_bytes())
        .map(|v| String::from_utf8_lossy(&v.value).into_owned())
}

pub(crate) fn read(html: &str) -> Page {
    let mut emitter = DefaultEmitter::default();
    emitter.naively_switch_states(true);
    let mut page = Page::default();
    let mut open: Option<Form> = None;
    let mut in_script = false;
    let mut in_style = false;
    let mut in_title = false;
    let mut textarea: Option<(String, String)> = None;
    for token in Tokenizer::new_with_emitter(html, emitter).flatten() {
        match token {
            Token::StartTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).to_ascii_lowercase();
                match name.as_str() {
                    "script" => in_script = true,
                    "style" => in_style = true,
                    "title" => in_title = true,
                    "form" => {
                        if let Some(f) = open.take() {
                            page.forms.push(f);
                        }
                        open = Some(Form {
                            action: attr(&tag, "action"),
                            method: attr(&tag, "method"),
                            inputs: Vec::new(),
                        });
                    }
                    "input" => {
                        if let (Some(form), Some(n)) = (open.as_mut(), attr(&tag, "name")) {
                            form.inputs
                                .push((n, attr(&tag, "value").unwrap_or_default()));
                        }
                    }
                    "textarea" => {
                        textarea = attr(&tag, "name").map(|n| (n, String::new()));
                    }
                    _ => {}
                }
                if BLOCKS.contains(&name.as_str()) && !page.text.ends_with('\n') {
                    page.text.push('\n');
                }
            }
            Token::EndTag(tag) => {
                let name = String::from_utf8_lossy(&tag.name).to_ascii_lowercase();
                match name.as_str() {
                    "script" => in_script = false,
                    "style" => in_style = false,
                    "title" => in_title = false,
                    "form" => {
                        if let Some(f) = open.take() {
                            page.forms.push(f);
                        }
                    }
                    "textarea" => {
                        if let (Some(form), Some(t)) = (open.as_mut(), textarea.take()) {
                            form.inputs.push(t);
                        }
                    }
                    _ => {}
                }
                if BLOCKS.contains(&name.as_str()) && !page.text.ends_with('\n') {
                    page.text.push('\n');
                }
            }
            Token::String(s) => {
                let s = String::from_utf8_lossy(&s.value);
                if in_script {
                    page.scripts.push_str(&s);
                } else if in_style {
                } else if let Some((_, t)) = textarea.as_mut() {
                    t.push_str(&s);
                } else if in_title {
                    page.title
                        .get_or_insert_with(String::new)
                        .push_str(s.trim());
                } else {
                    page.text.push_str(&s);
                }
            }
            _ => {}
        }
    }
    if let Some(f) = open.take() {
        page.forms.push(f);
    }
    // Collapse runs of blank space inside lines, keep line structure.
    page.text = page
        .text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    page
}

impl Page {
    /// Entra's sign-in pages set `$Config={…};` in a script: the error text is there
    /// (`strServiceExceptionMessage`), with `iErrorCode` and `correlationId`.
    pub(crate) fn entra_config(&self) -> Option<Map<String, Value>> {
        let start = self.scripts.find("$Config=")? + "$Config=".len();
        let rest = self.scripts.get(start..)?;
        let rest = rest.get(..rest.len().min(MAX_JSON_BYTES))?;
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        match values.next()? {
            Ok(Value::Object(map)) => Some(map),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_auto_posting_form_and_error_text() {
        let page = read("<!DOCTYPE html><html><head><title>Working...</title></head><body onload=\"document.forms[0].submit()\"><form method=\"POST\" action=\"https://sp.example/acs\"><input type=\"hidden\" name=\"SAMLResponse\" value=\"PHNhbWw+\"/><input type=\"hidden\" name=\"RelayState\" value=\"a&amp;b\"/></form><div>Request Id: 1</div><div>Correlation Id: 2</div><script>var $Config={\"strServiceExceptionMessage\":\"AADSTS50003: x\",\"iErrorCode\":50003};</script></body></html>");
        assert_eq!(page.forms.len(), 1);
        assert_eq!(
            page.forms[0].action.as_deref(),
            Some("https://sp.example/acs")
        );
        assert_eq!(page.forms[0].inputs[1], ("RelayState".into(), "a&b".into()));
        assert!(
            page.text.contains("Request Id: 1\nCorrelation Id: 2"),
            "{}",
            page.text
        );
        assert_eq!(page.title.as_deref(), Some("Working..."));
        assert_eq!(page.entra_config().unwrap()["iErrorCode"], 50003);
        assert!(looks_like_html("  <!DOCTYPE html>"));
        assert!(!looks_like_html("<samlp:Response"));
    }
}
