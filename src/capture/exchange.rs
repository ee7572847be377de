//! One HTTP exchange of a capture, whichever tool recorded it: the parts keyprobe reads.

use serde_json::Value;

use super::stream::CUT_MARKER;
use crate::codec::base64;

#[derive(Debug, Clone, Default)]
pub(crate) struct Exchange {
    /// Position in the capture (`log.entries[index]`, `requests[index]`).
    pub index: usize,
    pub method: String,
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    /// The request body as sent (`postData.text`), when recorded.
    pub body: Option<String>,
    pub body_mime: Option<String>,
    /// Form parameters as the tool parsed them (HAR `postData.params`, SAML-tracer `post`).
    pub params: Vec<(String, String)>,
    pub status: Option<u16>,
    pub response_headers: Vec<(String, String)>,
    pub content: Option<String>,
    pub content_mime: Option<String>,
    /// The content was recorded but not kept (too large, or binary).
    pub content_skipped: Option<String>,
    pub redirect_url: Option<String>,
    /// Chrome's `_resourceType` (`document`, `script`, `xhr`…), when recorded.
    pub resource_type: Option<String>,
    /// A SAML message the tool already decoded (SAML-tracer's `saml`).
    pub decoded_saml: Option<String>,
}

fn s(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// `[{"name", "value"}]` (HAR, SAML-tracer) or `[[name, value]]` (legacy SAML-tracer).
fn pairs(v: Option<&Value>) -> Vec<(String, String)> {
    let Some(Value::Array(items)) = v else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| match item {
            Value::Object(_) => Some((s(item, "name")?, s(item, "value").unwrap_or_default())),
            Value::Array(pair) => Some((
                pair.first()?.as_str()?.to_string(),
                pair.get(1)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            )),
            _ => None,
        })
        .collect()
}

impl Exchange {
    pub(crate) fn header(&self, name: &str, response: bool) -> Option<&str> {
        let headers = if response {
            &self.response_headers
        } else {
            &self.request_headers
        };
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A HAR 1.2 entry (Chrome, Edge, Firefox, Safari, Fiddler, Charles, Playwright).
    pub(crate) fn from_har_entry(index: usize, entry: &Value) -> Exchange {
        let request = entry.get("request").unwrap_or(&Value::Null);
        let response = entry.get("response").unwrap_or(&Value::Null);
        let post = request.get("postData").unwrap_or(&Value::Null);
        let content = response.get("content").unwrap_or(&Value::Null);
        let mut x = Exchange {
            index,
            method: s(request, "method").unwrap_or_default(),
            url: s(request, "url").unwrap_or_default(),
            request_headers: pairs(request.get("headers")),
            body: s(post, "text").filter(|t| !t.starts_with(CUT_MARKER)),
            body_mime: s(post, "mimeType"),
            params: pairs(post.get("params")),
            status: response
                .get("status")
                .and_then(Value::as_u64)
                .and_then(|n| u16::try_from(n).ok())
                .filter(|n| *n > 0),
            response_headers: pairs(response.get("headers")),
            content_mime: s(content, "mimeType"),
            redirect_url: s(response, "redirectURL").filter(|u| !u.is_empty()),
            resource_type: s(entry, "_resourceType"),
            ..Default::default()
        };
        match s(content, "text") {
            Some(t) if t.starts_with(CUT_MARKER) => x.content_skipped = Some(t),
            Some(t) if content.get("encoding").and_then(Value::as_str) == Some("base64") => {
                match base64::decode_standard(&t).ok().map(String::from_utf8) {
                    Some(Ok(text)) => x.content = Some(text),
                    _ => x.content_skipped = Some("binary content".into()),
                }
            }
            Some(t) => x.content = Some(t),
            None => {}
        }
        x
    }

    /// A SAML-tracer export's request (`requests[index]`): no bodies, the SAML message decoded.
    pub(crate) fn from_saml_tracer(index: usize, request: &Value) -> Exchange {
        let mut params = pairs(request.get("post"));
        if params.is_empty() {
            // `postData` is `{name: [values]}` when the export kept it.
            if let Some(Value::Object(form)) = request.get("postData") {
                for (name, values) in form {
                    for v in values.as_array().into_iter().flatten() {
                        if let Some(v) = v.as_str() {
                            params.push((name.clone(), v.to_string()));
                        }
                    }
                }
            }
        }
        Exchange {
            index,
            method: s(request, "method").unwrap_or_default(),
            url: s(request, "url").unwrap_or_default(),
            request_headers: pairs(request.get("requestHeaders")),
            params,
            status: request
                .get("responseStatus")
                .and_then(Value::as_u64)
                .and_then(|n| u16::try_from(n).ok()),
            response_headers: pairs(request.get("responseHeaders")),
            decoded_saml: s(request, "saml").filter(|x| x.trim_start().starts_with('<')),
            ..Default::default()
        }
    }

    /// The response's content type, from the recorded MIME type or the header.
    pub(crate) fn response_mime(&self) -> String {
        self.content_mime
            .clone()
            .or_else(|| self.header("content-type", true).map(str::to_string))
            .unwrap_or_default()
            .to_ascii_lowercase()
    }

    /// Form parameters of the request: the tool's parsed ones, else the body parsed as a form.
    pub(crate) fn form(&self) -> Vec<(String, String)> {
        match &self.body {
            Some(body)
                if self
                    .body_mime
                    .as_deref()
                    .is_none_or(|m| m.contains("x-www-form-urlencoded"))
                    && !body.trim_start().starts_with('{') =>
            {
                form_urlencoded::parse(body.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            }
            _ => self.params.clone(),
        }
    }
}
