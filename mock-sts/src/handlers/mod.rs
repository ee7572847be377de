//! HTTP: the router, the per-request identifiers Entra stamps on answers, bounded request reading, and
//! the two ways an error leaves the server (JSON for the token endpoint, the error page for browsers).

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, delete, get, post, put};
use axum::Router;
use serde_json::Value;

use crate::errors::{AadCode, AadError, RequestIds};
use crate::model::{App, Tenant, TenantSegment};
use crate::state::AppState;
use crate::util::{is_guid, new_guid, now};

pub(crate) use error::{ControlError, EntraError};

pub(crate) mod advertised;
pub(crate) mod authorize;
pub(crate) mod client_auth;
pub(crate) mod control;
pub(crate) mod cross_origin;
pub(crate) mod device_code;
pub(crate) mod discovery;
pub(crate) mod error;
pub(crate) mod federation;
pub(crate) mod guard;
pub(crate) mod saml;
pub(crate) mod saml_control;
mod saml_logout;
pub(crate) mod token;
pub(crate) mod user_grants;
pub(crate) mod userinfo;

pub(crate) type SharedState = Arc<AppState>;

/// Largest form or JSON body read. Client assertions with an `x5c` chain are a few kilobytes.
pub(crate) const MAX_BODY_BYTES: usize = 256 * 1024;
/// How long a request body may take to arrive: a client that sends its headers and then dribbles the
/// body must not hold a connection (and a task) forever.
pub(crate) const BODY_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The whole router without a socket (the fuzz target), over `config` with keys kept in `state_dir`,
/// answering for `base_url`; and the first tenant's id, for building request paths.
pub fn in_process_router(
    config: crate::config::LoadedConfig,
    base_url: String,
    state_dir: std::path::PathBuf,
    scenario: crate::scenario::Scenario,
) -> Result<(Router, String), crate::keys::KeyError> {
    let keys = crate::state::KeyRing::load_or_create(&state_dir, &config.signing_keys)?;
    let state = crate::state::AppState::new(config, base_url, state_dir, keys, scenario)?;
    let tenant = state.first_tenant_id().to_string();
    let served = guard::Served::for_base_url(&state.base_url);
    Ok((router_serving(Arc::new(state), served), tenant))
}

/// The router, with the control API and the dashboard answering only for `served` (see [`guard`]).
pub(crate) fn router_serving(state: SharedState, served: guard::Served) -> Router {
    let requests = Arc::new(crate::dashboard::RequestLog::default());
    let control = Router::new()
        .merge(crate::dashboard::routes(requests.clone()))
        .route("/_mock/health", get(control::health))
        .route("/_mock/config", get(control::config))
        .route(
            "/_mock/scenario",
            put(control::set_scenario).get(control::get_scenario),
        )
        .route("/_mock/keys/rotate", post(control::rotate_keys))
        .route("/_mock/token", post(control::mint_token))
        .route("/_mock/device-codes", get(device_code::list))
        .route(
            "/_mock/device-codes/{user_code}/approve",
            post(device_code::approve),
        )
        .route(
            "/_mock/apps/{app_id}/certificates",
            post(saml_control::create).get(saml_control::list),
        )
        .route(
            "/_mock/apps/{app_id}/certificates/{thumbprint}/activate",
            post(saml_control::activate),
        )
        .route(
            "/_mock/apps/{app_id}/certificates/{thumbprint}",
            delete(saml_control::remove),
        )
        .route(
            "/_mock/apps/{app_id}/verification-certificates",
            post(saml_control::add_verification).get(saml_control::list_verification),
        )
        .route(
            "/_mock/apps/{app_id}/verification-certificates/{thumbprint}",
            delete(saml_control::remove_verification),
        )
        .route(
            "/_mock/apps/{app_id}/client-certificates",
            post(control::upload_client_certificate).get(control::list_client_certificates),
        )
        .route_layer(middleware::from_fn_with_state(served, guard::control_only));
    Router::new()
        .merge(control)
        .route(
            "/{tenant}/saml2",
            get(saml::saml2_get).post(saml::saml2_post),
        )
        .route(
            "/{tenant}/federationmetadata/2007-06/federationmetadata.xml",
            get(federation::federation_metadata),
        )
        .route(
            "/common/discovery/instance",
            get(discovery::instance_discovery),
        )
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(discovery::openid_configuration_v2),
        )
        .route(
            "/{tenant}/.well-known/openid-configuration",
            get(discovery::openid_configuration_v1),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(discovery::keys))
        .route("/{tenant}/discovery/keys", get(discovery::keys))
        .route(
            "/{tenant}/oauth2/v2.0/authorize",
            get(authorize::authorize_v2).post(authorize::authorize_v2_post),
        )
        .route(
            "/{tenant}/oauth2/authorize",
            get(authorize::authorize_v1).post(authorize::authorize_v1_post),
        )
        .route(
            "/{tenant}/oauth2/v2.0/token",
            post(token::token_v2)
                .get(token::token_get)
                .options(token::preflight),
        )
        .route(
            "/{tenant}/oauth2/token",
            post(token::token_v1)
                .get(token::token_get)
                .options(token::preflight),
        )
        .route(
            "/{tenant}/oauth2/v2.0/devicecode",
            post(device_code::devicecode_v2).get(token::token_get),
        )
        .route(
            "/{tenant}/oauth2/devicecode",
            post(device_code::devicecode_v1).get(token::token_get),
        )
        .route(
            "/{tenant}/oauth2/v2.0/logout",
            get(authorize::logout).post(authorize::logout),
        )
        .route(
            "/{tenant}/oauth2/logout",
            get(authorize::logout).post(authorize::logout),
        )
        .route(
            "/oidc/userinfo",
            get(userinfo::userinfo).post(userinfo::userinfo),
        )
        .route(
            "/{tenant}/openid/userinfo",
            get(userinfo::userinfo_v1).post(userinfo::userinfo_v1),
        )
        .route("/{tenant}/kerberos", any(advertised::kerberos))
        .route(
            "/{tenant}/oauth2/checksession",
            any(advertised::check_session),
        )
        .route("/{tenant}/wsfed", any(advertised::wsfed))
        .fallback(not_found)
        .layer(middleware::from_fn(read_whole_body))
        .layer(middleware::from_fn_with_state(
            requests,
            crate::dashboard::record,
        ))
        .layer(middleware::from_fn(stamp_request_ids))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            internal_error,
        ))
        .with_state(state)
}

/// Give every request Entra's trace id and the caller's correlation id (`client-request-id`, which MSAL
/// sends), and echo both on the response.
async fn stamp_request_ids(mut request: Request, next: Next) -> Response {
    let correlation_id = request
        .headers()
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_guid(v))
        .map(str::to_ascii_lowercase)
        .unwrap_or_else(new_guid);
    let ids = RequestIds {
        trace_id: new_guid(),
        correlation_id,
        at: now(),
    };
    request.extensions_mut().insert(ids.clone());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&ids.trace_id) {
        headers.insert("x-ms-request-id", value);
    }
    if let Ok(value) = HeaderValue::from_str(&ids.correlation_id) {
        headers.insert("client-request-id", value);
    }
    headers.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// Read every request body (up to [`MAX_BODY_BYTES`]) before routing, whatever the handler does with it: a
/// body left unread makes hyper close the connection, which a client reusing it sees as a network error.
async fn read_whole_body(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let read = tokio::time::timeout(
        BODY_READ_TIMEOUT,
        axum::body::to_bytes(body, MAX_BODY_BYTES),
    );
    match read
        .await
        .unwrap_or_else(|_| Err(axum::Error::new("body read timed out")))
    {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(_) => {
            let ids = parts
                .extensions
                .get::<RequestIds>()
                .cloned()
                .unwrap_or_else(|| RequestIds {
                    trace_id: new_guid(),
                    correlation_id: new_guid(),
                    at: now(),
                });
            let mut response =
                EntraError::json(&ids)(AadError::new(AadCode::MalformedRequest)).into_response();
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}

/// A bug is still an answer: a panic in a handler becomes a 500 instead of a dropped connection.
fn internal_error(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let body = serde_json::json!({
        "error": "server_error",
        "error_description": "mock-sts hit an internal error (a bug in the mock, not in your client)",
    });
    json_response(StatusCode::INTERNAL_SERVER_ERROR, &body, Caching::NoStore)
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "mock-sts: no such endpoint\n",
    )
        .into_response()
}

/// How a JSON answer may be cached.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Caching {
    /// Discovery documents and key sets: `max-age=86400, private`.
    Metadata,
    /// Tokens and errors from the token endpoint: `no-store, no-cache` with `Pragma: no-cache`.
    NoStore,
    /// The control API.
    None,
}

pub(crate) fn json_response(status: StatusCode, body: &Value, caching: Caching) -> Response {
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    apply_caching(headers, caching);
    response
}

/// A document already serialised (see [`crate::metadata_cache`]), with the headers [`json_response`] or the
/// federation metadata would give it.
pub(crate) fn bytes_response(
    body: axum::body::Bytes,
    content_type: &'static str,
    caching: Caching,
) -> Response {
    let mut response = Response::new(Body::from(body));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    apply_caching(headers, caching);
    response
}

pub(crate) const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

pub(crate) fn apply_caching(headers: &mut HeaderMap, caching: Caching) {
    match caching {
        Caching::Metadata => {
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("max-age=86400, private"),
            );
            headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
            headers.insert(
                "access-control-allow-methods",
                HeaderValue::from_static("GET, OPTIONS"),
            );
        }
        Caching::NoStore => {
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-store, no-cache"),
            );
            headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
            headers.insert(header::EXPIRES, HeaderValue::from_static("-1"));
        }
        Caching::None => {}
    }
}

pub(crate) fn html_response(status: StatusCode, html: String) -> Response {
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    apply_caching(headers, Caching::NoStore);
    response
}

/// Request parameters (query or form), in order, without decoding failures.
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(encoded: &[u8]) -> Result<Self, AadError> {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(encoded)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        // One pass with a set: a pairwise check made a body of 65,000 names cost seconds.
        let mut seen = HashSet::with_capacity(pairs.len());
        if !pairs.iter().all(|(name, _)| seen.insert(name.as_str())) {
            return Err(AadError::new(AadCode::MalformedRequest));
        }
        Ok(Self(pairs))
    }

    /// A parameter's value; an empty value counts as absent, as in Entra.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    pub fn require(&self, name: &'static str) -> Result<&str, AadError> {
        self.get(name)
            .ok_or_else(|| AadError::new(AadCode::MissingParameter).arg("parameter", name))
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// These parameters, then those of `other` whose names are not among them.
    pub fn merged(mut self, other: Params) -> Self {
        let own: HashSet<String> = self.0.iter().map(|(name, _)| name.clone()).collect();
        self.0
            .extend(other.0.into_iter().filter(|(name, _)| !own.contains(name)));
        self
    }
}

/// Read a body up to [`MAX_BODY_BYTES`]; a larger one is a malformed request.
pub(crate) async fn read_body(body: Body) -> Result<axum::body::Bytes, AadError> {
    axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| AadError::new(AadCode::MalformedRequest))
}

pub(crate) fn query_params(query: Option<&str>) -> Result<Params, AadError> {
    Params::parse(query.unwrap_or_default().as_bytes())
}

/// The tenant and app a request names by its path segment and `client_id`; an app registered in
/// no tenant the segment allows is AADSTS700016, naming both.
pub(crate) fn registered_app<'a>(
    state: &'a AppState,
    segment: TenantSegment<'a>,
    segment_text: &str,
    client_id: &str,
) -> Result<(&'a Tenant, &'a App), AadError> {
    let tenant = match segment {
        TenantSegment::Tenant(tenant) => Some(tenant),
        TenantSegment::MultiTenant(_) => state.directory.tenant_of_client(client_id),
    };
    let app_not_found = || {
        AadError::new(AadCode::ApplicationNotFound)
            .arg("client_id", client_id)
            .arg("tenant", segment_text)
    };
    let tenant = tenant.ok_or_else(app_not_found)?;
    let app = tenant.app(client_id).ok_or_else(app_not_found)?;
    Ok((tenant, app))
}

pub(crate) fn resolve_tenant<'a>(
    state: &'a AppState,
    segment: &str,
) -> Result<TenantSegment<'a>, AadError> {
    state
        .directory
        .resolve(segment)
        .ok_or_else(|| AadError::new(AadCode::TenantNotFound).arg("tenant", segment))
}
