//! The page's two calls: inspect what was pasted (with the key source and clock chosen), and
//! fetch an explanation page.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::AppState;
use crate::catalogue::explain as explain_page;
use crate::clock::{Clock, InstantError};
use crate::input::Input;
use crate::key_sources::{build_trust, KeySourceError, KeySources, SourceRef};
use crate::present::timeline::windows;
use crate::{inspect_all, Settings};

#[derive(Debug, Deserialize)]
pub(super) struct InspectRequest {
    input: String,
    /// The dropped file's name, to label the reports; empty for a paste.
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    keys: Option<KeysRequest>,
    /// RFC 3339 or Unix seconds; empty for now.
    #[serde(default)]
    at: Option<String>,
    #[serde(default)]
    audience: Option<String>,
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    allow_legacy: bool,
}

#[derive(Debug, Deserialize)]
pub(super) struct KeysRequest {
    /// `auto`, `jwks`, `metadata`, `cert` or `key`.
    #[serde(default)]
    kind: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

pub(super) async fn inspect(
    State(state): State<Arc<AppState>>,
    Json(request): Json<InspectRequest>,
) -> Response {
    match tokio::task::spawn_blocking(move || run(&state, request)).await {
        Ok(Ok(body)) => Json(body).into_response(),
        Ok(Err(e)) => (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": e.to_string() })),
        )
            .into_response(),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({ "error": "the inspection failed unexpectedly" })),
        )
            .into_response(),
    }
}

/// Why the page's request could not be answered: a 400 with this text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(super) enum RequestError {
    #[error("check time: {0}")]
    CheckTime(InstantError),
    #[error(transparent)]
    KeySource(#[from] KeySourceError),
    #[error("give the key source as text or as a URL, not both")]
    TextAndUrl,
    #[error("'{url}' is not an http(s) URL")]
    NotHttpUrl { url: String },
    #[error("unknown key source kind '{kind}' (auto, jwks, metadata, cert, key)")]
    UnknownKind { kind: String },
    /// The inspection gave no report at all.
    #[error("nothing was inspected")]
    NothingInspected,
}

fn run(state: &AppState, request: InspectRequest) -> Result<Value, RequestError> {
    let nonempty = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let clock = match nonempty(&request.at) {
        Some(at) => Clock::at(
            Clock::parse_instant(&at).map_err(RequestError::CheckTime)?,
            300,
        ),
        None => Clock::system(300),
    };
    let settings = Settings {
        clock,
        allow_legacy: request.allow_legacy,
        audience: nonempty(&request.audience),
        issuer: nonempty(&request.issuer),
        ..Settings::default()
    };
    let sources = match &request.keys {
        Some(k) => key_sources(k)?,
        None => KeySources::default(),
    };
    let trust = build_trust(&sources, &state.fetcher)?;
    // A container (a dropped HAR, a token response, a saved page) gives its report first, then one
    // per artifact found in it.
    let label = input_label(request.name.as_deref());
    let mut reports = inspect_all(
        &Input::new(label, request.input.into_bytes()),
        &trust,
        &settings,
    );
    let Some(first) = reports.first_mut() else {
        return Err(RequestError::NothingInspected);
    };
    first.fetched = trust.fetched.clone();
    let mut explanations = Map::new();
    for f in reports.iter().flat_map(|r| &r.findings) {
        if let Some(page) = explain_page(f.code.as_str()) {
            explanations.insert(f.code.as_str().to_string(), Value::String(page));
        }
    }
    let timelines: Vec<_> = reports
        .iter()
        .map(|r| windows(r, settings.clock.now()))
        .collect();
    Ok(json!({
        "report": reports[0],
        "timeline": timelines[0],
        "reports": reports,
        "timelines": timelines,
        "now": settings.clock.now(),
        "explanations": explanations,
    }))
}

/// What the reports call the input: the dropped file's name (its last path part, bounded),
/// else "pasted input".
fn input_label(name: Option<&str>) -> String {
    let name = name
        .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n).trim())
        .filter(|n| !n.is_empty() && !n.chars().any(char::is_control));
    match name {
        Some(n) => n.chars().take(200).collect(),
        None => "pasted input".into(),
    }
}

/// The key source the page describes, as the CLI's flags would: text is inline, a URL is fetched.
fn key_sources(k: &KeysRequest) -> Result<KeySources, RequestError> {
    let text = k.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let url = k.url.as_deref().map(str::trim).filter(|u| !u.is_empty());
    let source = match (text, url) {
        (Some(_), Some(_)) => return Err(RequestError::TextAndUrl),
        (None, None) => return Ok(KeySources::default()),
        (Some(t), None) => SourceRef::Inline {
            label: "pasted key source".into(),
            bytes: t.as_bytes().to_vec(),
        },
        (None, Some(u)) if u.starts_with("https://") || u.starts_with("http://") => {
            SourceRef::Location(u.to_string())
        }
        (None, Some(u)) => return Err(RequestError::NotHttpUrl { url: u.to_string() }),
    };
    let kind = match k.kind.as_str() {
        "" | "auto" => guess_kind(text, url),
        other => other,
    };
    let mut sources = KeySources::default();
    match kind {
        "metadata" => sources.metadata = Some(source),
        "jwks" => sources.jwks.push(source),
        "cert" => sources.cert.push(source),
        "key" => sources.key.push(source),
        other => {
            return Err(RequestError::UnknownKind {
                kind: other.to_string(),
            })
        }
    }
    Ok(sources)
}

fn guess_kind(text: Option<&str>, url: Option<&str>) -> &'static str {
    if let Some(u) = url {
        return if u.contains("/.well-known/") || u.contains("federationmetadata") {
            "metadata"
        } else {
            "jwks"
        };
    }
    let t = text.unwrap_or("");
    if t.starts_with('<')
        || (t.starts_with('{')
            && (t.contains("\"jwks_uri\"") || t.contains("\"authorization_endpoint\"")))
    {
        "metadata"
    } else if t.starts_with('{') {
        "jwks"
    } else if t.contains("-----BEGIN CERTIFICATE-----") {
        "cert"
    } else {
        "key"
    }
}

pub(super) async fn explain(Path(code): Path<String>) -> Response {
    match explain_page(&code) {
        Some(page) => (
            [(
                axum::http::header::CONTENT_TYPE,
                "text/plain; charset=utf-8",
            )],
            page,
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            format!("no explanation for '{code}'"),
        )
            .into_response(),
    }
}
