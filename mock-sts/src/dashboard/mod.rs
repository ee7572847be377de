//! The dashboard at `/_mock/`: the scenario in force with a switch, tenants, apps and users, each SAML
//! app's signing certificates, the portal's actions as buttons, and the last requests answered with
//! their AADSTS codes and correlation IDs. Local assets only, behind a strict Content-Security-Policy.

mod log;

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

pub(crate) use log::RequestLog;

use crate::errors::RequestIds;

pub(crate) const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; \
form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

const HTML: &str = include_str!("assets/dashboard.html");
const JS: &str = include_str!("assets/dashboard.js");
const CSS: &str = include_str!("assets/dashboard.css");

/// The dashboard's own routes; merged into the main router, which records requests into `log`.
pub(crate) fn routes<S: Clone + Send + Sync + 'static>(log: Arc<RequestLog>) -> Router<S> {
    Router::new()
        .route(
            "/_mock/",
            get(|| async { asset(HTML, "text/html; charset=utf-8") }),
        )
        .route(
            "/_mock/dashboard.js",
            get(|| async { asset(JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/_mock/dashboard.css",
            get(|| async { asset(CSS, "text/css; charset=utf-8") }),
        )
        .route("/_mock/requests", get(recent))
        .with_state(log)
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut response = ([(header::CONTENT_TYPE, content_type)], body).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

async fn recent(State(log): State<Arc<RequestLog>>) -> Response {
    let body = serde_json::to_value(log.recent()).unwrap_or_default();
    let mut response =
        crate::handlers::json_response(StatusCode::OK, &body, crate::handlers::Caching::None);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Middleware: records every answered request except the dashboard's own polling.
pub(crate) async fn record(
    State(log): State<Arc<RequestLog>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().to_string();
    // The path only: query strings can carry codes and secrets.
    let path = request.uri().path().to_string();
    let ids = request.extensions().get::<RequestIds>().cloned();
    let response = next.run(request).await;
    if path.starts_with("/_mock/")
        && !path.starts_with("/_mock/apps")
        && path != "/_mock/scenario"
        && path != "/_mock/keys/rotate"
    {
        return response;
    }
    log::record_response(&log, method, path, ids, response).await
}
