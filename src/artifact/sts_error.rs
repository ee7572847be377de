//! Errors answered by Entra ID: the OAuth JSON error body and the text of the sign-in error page.

use serde_json::{json, Map, Value};

/// The facts of one STS error, whichever form it came in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct StsError {
    /// `error` of an OAuth body (`invalid_client`, …).
    pub error: Option<String>,
    pub description: Option<String>,
    /// The AADSTS codes, first the ones named in `error_codes`, then any in the text.
    pub codes: Vec<String>,
    pub suberror: Option<String>,
    pub trace_id: Option<String>,
    pub correlation_id: Option<String>,
    pub timestamp: Option<String>,
    pub error_uri: Option<String>,
    /// Which form it was: "oauth-json" or "text".
    pub form: &'static str,
}

impl StsError {
    pub(crate) fn from_json(object: &Map<String, Value>) -> StsError {
        let s = |k: &str| object.get(k).and_then(Value::as_str).map(str::to_string);
        let mut codes: Vec<String> = object
            .get("error_codes")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_u64())
                    .map(|c| c.to_string())
                    .collect()
            })
            .unwrap_or_default();
        let description = s("error_description");
        if let Some(d) = &description {
            for c in aadsts_codes_in(d) {
                if !codes.contains(&c) {
                    codes.push(c);
                }
            }
        }
        let from_text = description
            .as_deref()
            .map(trailer_fields)
            .unwrap_or_default();
        StsError {
            error: s("error"),
            codes,
            suberror: s("suberror"),
            trace_id: s("trace_id").or(from_text.trace_id),
            correlation_id: s("correlation_id").or(from_text.correlation_id),
            timestamp: s("timestamp").or(from_text.timestamp),
            error_uri: s("error_uri"),
            description,
            form: "oauth-json",
        }
    }

    /// The error page as users paste it, or an `AADSTSnnnn: …` line from a log.
    pub(crate) fn from_text(text: &str) -> StsError {
        let mut e = trailer_fields(text);
        e.codes = aadsts_codes_in(text);
        e.description = text
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("AADSTS") || l.starts_with("Message: AADSTS"))
            .map(|l| l.trim_start_matches("Message: ").to_string());
        e.form = "text";
        e
    }

    pub(crate) fn to_json(&self) -> Value {
        let mut v = json!({
            "form": self.form,
            "error": self.error,
            "aadsts_codes": self.codes,
            "error_description": self.description,
            "suberror": self.suberror,
            "trace_id": self.trace_id,
            "correlation_id": self.correlation_id,
            "timestamp": self.timestamp,
            "error_uri": self.error_uri,
        });
        if let Some(o) = v.as_object_mut() {
            o.retain(|_, v| !v.is_null());
        }
        v
    }
}

/// Every distinct `AADSTSnnnn` code in a text, in order of appearance.
pub(crate) fn aadsts_codes_in(text: &str) -> Vec<String> {
    keyprobe_core::aadsts::codes_in(text)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// Reads `Trace ID:`/`Request Id:`, `Correlation ID:` and `Timestamp:` from a trailer or page,
/// whether separated by `\r\n`, newlines or single spaces.
fn trailer_fields(text: &str) -> StsError {
    let value_after = |labels: &[&str]| -> Option<String> {
        labels.iter().find_map(|label| {
            let start = text.find(label)? + label.len();
            let value: String = text[start..]
                .trim_start()
                .chars()
                .take_while(|c| !c.is_whitespace())
                .collect();
            (!value.is_empty()).then_some(value)
        })
    };
    // The page's timestamp is one token (2022-04-29T22:14:59Z); the body's has a space.
    let timestamp = ["Timestamp:"].iter().find_map(|label| {
        let start = text.find(label)? + label.len();
        let rest = text[start..].trim_start();
        let end = rest.find(['\r', '\n']).unwrap_or(rest.len());
        let v = rest[..end].trim();
        (!v.is_empty()).then(|| v.to_string())
    });
    StsError {
        trace_id: value_after(&["Trace ID:", "Request Id:", "Request ID:"]),
        correlation_id: value_after(&["Correlation ID:", "Correlation Id:"]),
        timestamp,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_space_separated_trailer() {
        let e = StsError::from_text("AADSTS700024: Client assertion … Trace ID: 47dd Correlation ID: e26f Timestamp: 2024-05-28 06:01:42Z");
        assert_eq!(e.codes, vec!["700024"]);
        assert_eq!(e.trace_id.as_deref(), Some("47dd"));
        assert_eq!(e.correlation_id.as_deref(), Some("e26f"));
        assert_eq!(e.timestamp.as_deref(), Some("2024-05-28 06:01:42Z"));
    }
}
