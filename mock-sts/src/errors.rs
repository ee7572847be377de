//! Entra's errors on the wire: an AADSTS code from the catalogue both programs share (`keyprobe-core`:
//! OAuth `error`, HTTP status, Entra's text with where its wording comes from) with its placeholders filled
//! from [`AadError::arg`], shown the two ways Entra shows one (the token-endpoint JSON body and the
//! sign-in error page).

use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::util::{error_timestamp, html_text_escape, page_timestamp};

pub(crate) use keyprobe_core::aadsts::AadCode;

/// An Entra error on its way to the client: a catalogue code plus the values for its placeholders.
#[derive(Debug, Clone)]
pub struct AadError {
    pub code: AadCode,
    args: Vec<(&'static str, String)>,
    suberror: Option<&'static str>,
    error_override: Option<&'static str>,
}

impl AadError {
    pub fn new(code: AadCode) -> Self {
        Self {
            code,
            args: Vec::new(),
            suberror: None,
            error_override: None,
        }
    }

    pub fn arg(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    pub fn suberror(mut self, suberror: &'static str) -> Self {
        self.suberror = Some(suberror);
        self
    }

    /// The same code under another OAuth `error`: Entra answers AADSTS90002 from discovery as
    /// `invalid_tenant` but from the token endpoint as `invalid_request`.
    pub fn with_error(mut self, error: &'static str) -> Self {
        self.error_override = Some(error);
        self
    }

    pub fn number(&self) -> u32 {
        self.code.entry().number
    }

    pub fn status(&self) -> u16 {
        self.code.entry().status
    }

    pub fn error(&self) -> &'static str {
        self.error_override.unwrap_or(self.code.entry().error)
    }

    /// `AADSTSnnnnn: text` with the placeholders filled.
    pub fn message(&self) -> String {
        let entry = self.code.entry();
        let mut text = entry.template.to_string();
        for (name, value) in &self.args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        format!("AADSTS{}: {}", entry.number, text)
    }

    /// The token-endpoint body, fields in Entra's order, trailer separated by `\r\n`.
    pub fn to_json(&self, ids: &RequestIds) -> Value {
        let timestamp = error_timestamp(ids.at);
        let description = format!(
            "{}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}",
            self.message(),
            ids.trace_id,
            ids.correlation_id,
            timestamp
        );
        let mut body = json!({
            "error": self.error(),
            "error_description": description,
            "error_codes": [self.number()],
            "timestamp": timestamp,
            "trace_id": ids.trace_id,
            "correlation_id": ids.correlation_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.number()),
        });
        if let (Some(suberror), Some(map)) = (self.suberror, body.as_object_mut()) {
            map.insert("suberror".into(), Value::from(suberror));
        }
        body
    }

    /// The sign-in error page shown in browser flows; its visible text has the layout users paste.
    pub fn to_html(&self, ids: &RequestIds) -> String {
        let message = html_text_escape(&self.message());
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in to your account</title></head>\n<body>\n\
<div id=\"login-error\">\n<div>Sign in</div>\n<div>Sorry, but we\u{2019}re having trouble signing you in.</div>\n<br>\n\
<div id=\"error-message\">{message}</div>\n<br>\n<div>Troubleshooting details</div>\n\
<div>Request Id: {trace}</div>\n<div>Correlation Id: {correlation}</div>\n<div>Timestamp: {timestamp}</div>\n\
<div>Message: {message}</div>\n</div>\n</body></html>\n",
            trace = html_text_escape(&ids.trace_id),
            correlation = html_text_escape(&ids.correlation_id),
            timestamp = page_timestamp(ids.at),
        )
    }
}

impl std::fmt::Display for AadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for AadError {}

/// The identifiers Entra stamps on every answer: its own trace id, the caller's correlation id
/// (`client-request-id` when sent) and the time.
#[derive(Debug, Clone)]
pub struct RequestIds {
    pub trace_id: String,
    pub correlation_id: String,
    pub at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_page_escapes_what_the_request_put_in_the_message() {
        let ids = RequestIds {
            trace_id: "t".into(),
            correlation_id: "c".into(),
            at: crate::util::now(),
        };
        let page = AadError::new(AadCode::RedirectUriMismatch)
            .arg("redirect_uri", "https://x/<script>alert('1')</script>")
            .arg("client_id", "app")
            .to_html(&ids);
        assert!(!page.contains("<script>"), "{page}");
        assert!(
            page.contains("&lt;script&gt;alert('1')&lt;/script&gt;"),
            "{page}"
        );
    }
}
