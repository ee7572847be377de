//! The last requests mock-sts answered, kept in a small ring for the dashboard.

use std::collections::VecDeque;
use std::sync::Mutex;

use axum::body::{Body, HttpBody};
use axum::http::header;
use axum::response::Response;
use serde::Serialize;

use crate::errors::RequestIds;

/// How many requests the dashboard remembers.
const CAPACITY: usize = 200;
/// Error bodies are read (to find the AADSTS code) only up to this size; larger ones are passed on.
const MAX_SCANNED_BODY: usize = 64 * 1024;

#[derive(Debug, Clone, Serialize)]
pub(crate) struct RequestRecord {
    pub time: String,
    pub method: String,
    pub path: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aadsts: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    entries: Mutex<VecDeque<RequestRecord>>,
}

impl RequestLog {
    pub(crate) fn push(&self, record: RequestRecord) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() == CAPACITY {
                entries.pop_front();
            }
            entries.push_back(record);
        }
    }

    /// Newest first.
    pub(crate) fn recent(&self) -> Vec<RequestRecord> {
        self.entries
            .lock()
            .map(|e| e.iter().rev().cloned().collect())
            .unwrap_or_default()
    }
}

/// Notes the response, reading small error bodies (JSON, the error page, SAML error posts) for the
/// AADSTS code; the body is handed on unchanged.
pub(super) async fn record_response(
    log: &RequestLog,
    method: String,
    path: String,
    ids: Option<RequestIds>,
    response: Response,
) -> Response {
    let status = response.status();
    let textual = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json") || t.starts_with("text/html"));
    // Only bodies of a known, small size are read: anything else passes through untouched.
    let small = response
        .body()
        .size_hint()
        .exact()
        .is_some_and(|n| n <= MAX_SCANNED_BODY as u64);
    let (response, aadsts) = if textual
        && small
        && (status.is_client_error() || status.is_server_error() || path.ends_with("/saml2"))
    {
        let (parts, body) = response.into_parts();
        match axum::body::to_bytes(body, MAX_SCANNED_BODY).await {
            Ok(bytes) => {
                let code = first_aadsts(&bytes);
                (Response::from_parts(parts, Body::from(bytes)), code)
            }
            Err(_) => (Response::from_parts(parts, Body::empty()), None),
        }
    } else {
        (response, None)
    };
    log.push(RequestRecord {
        time: time::OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        method,
        path,
        status: status.as_u16(),
        aadsts,
        correlation_id: ids.as_ref().map(|i| i.correlation_id.clone()),
        trace_id: ids.map(|i| i.trace_id),
    });
    response
}

fn first_aadsts(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    keyprobe_core::aadsts::codes_in(&text)
        .first()
        .map(|digits| format!("AADSTS{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_keeps_the_newest() {
        let log = RequestLog::default();
        for i in 0..(CAPACITY + 5) {
            log.push(RequestRecord {
                time: String::new(),
                method: "GET".into(),
                path: format!("/{i}"),
                status: 200,
                aadsts: None,
                correlation_id: None,
                trace_id: None,
            });
        }
        let recent = log.recent();
        assert_eq!(recent.len(), CAPACITY);
        assert_eq!(recent[0].path, format!("/{}", CAPACITY + 4));
    }

    #[test]
    fn finds_the_code() {
        assert_eq!(
            first_aadsts(b"{\"error_description\":\"AADSTS7000215: Invalid\"}").as_deref(),
            Some("AADSTS7000215")
        );
        assert_eq!(first_aadsts(b"no code here"), None);
    }
}
