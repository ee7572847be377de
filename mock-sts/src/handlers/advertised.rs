//! Endpoints Entra advertises whose protocols the mock does not implement: discovery's `kerberos_endpoint`
//! (`/{tenant}/kerberos`, Entra's Kerberos KDC proxy) and `check_session_iframe`
//! (`/{tenant}/oauth2/checksession`, OIDC Session Management), and the federation metadata's WS-Federation
//! endpoint (`/{tenant}/wsfed`). Each answers in Entra's shape, never a bare 404: what Entra checks before
//! it would serve the request is checked here as Entra words it (an unknown tenant, a method the endpoint
//! does not take, a WS-Federation message that is not one, a realm no app has, a reply URL not
//! registered), and what Entra would then serve is answered with AADSTS90082 followed by the mock's own
//! sentence naming what it does not implement. GETs (a browser) get the sign-in error page, other
//! requests the token endpoint's JSON body; WS-Federation is a browser protocol, so its POSTs get the
//! page too. WS-Federation sign-out (`wa=wsignout1.0`) is served: it ends the session as
//! `/oauth2/logout` does.

use axum::body::Body;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::{header, Method};
use axum::response::{IntoResponse, Response};

use super::authorize::{logout_uri_registered, redirect, signed_out_page};
use super::{query_params, read_body, resolve_tenant, EntraError, Params, SharedState};
use crate::errors::{AadCode, AadError, RequestIds};
use crate::model::{App, Tenant, TenantSegment};
use crate::session::SessionKey;
use crate::state::AppState;

/// What the mock names when it does not implement what Entra would serve.
const KERBEROS: &str = "the Kerberos KDC proxy (MS-KKDCP) behind discovery's kerberos_endpoint";
const SESSION_IFRAME: &str =
    "the OpenID Connect session management iframe (discovery's check_session_iframe)";
const WSFED_SIGN_IN: &str = "WS-Federation sign-in (wa=wsignin1.0)";

/// The answer to a method the endpoint does not take: the page for a GET, JSON otherwise.
fn wrong_method(ids: &RequestIds, method: &Method, accepted: &'static str) -> EntraError {
    let error = AadError::new(AadCode::EndpointMethodNotAccepted)
        .arg("valid_verbs", accepted)
        .arg("invalid_verb", method.as_str());
    shown_for(ids, method)(error)
}

/// The error page for a GET (a browser), the JSON body for anything else.
fn shown_for<'a>(ids: &'a RequestIds, method: &Method) -> impl Fn(AadError) -> EntraError + 'a {
    let page = *method == Method::GET;
    move |error| {
        if page {
            EntraError::page(ids)(error)
        } else {
            EntraError::json(ids)(error)
        }
    }
}

fn not_served(protocol: &str) -> AadError {
    AadError::new(AadCode::NotServedByMock).arg("protocol", protocol)
}

/// `/{tenant}/kerberos`: Entra's KDC proxy takes a POSTed `KDC-PROXY-MESSAGE` (MS-KKDCP: DER, a
/// SEQUENCE). A GET is told the endpoint takes POST (900561); a POST whose body is not a DER SEQUENCE is
/// malformed (9002313); one that is gets 90082, as the mock issues no Kerberos tickets.
pub(crate) async fn kerberos(
    State(state): State<SharedState>,
    Extension(ids): Extension<RequestIds>,
    Path(tenant): Path<String>,
    method: Method,
    body: Body,
) -> Response {
    let shown = shown_for(&ids, &method);
    if let Err(error) = resolve_tenant(&state, &tenant) {
        return shown(error).into_response();
    }
    if method != Method::POST {
        return wrong_method(&ids, &method, "POST").into_response();
    }
    let error = match read_body(body).await {
        Ok(bytes) if bytes.first() == Some(&0x30) => not_served(KERBEROS),
        _ => AadError::new(AadCode::MalformedRequest),
    };
    shown(error).into_response()
}

/// `/{tenant}/oauth2/checksession`: Entra serves the session check iframe to a GET; the mock answers
/// 90082 there, and 900561 to other methods.
pub(crate) async fn check_session(
    State(state): State<SharedState>,
    Extension(ids): Extension<RequestIds>,
    Path(tenant): Path<String>,
    method: Method,
) -> Response {
    let shown = shown_for(&ids, &method);
    if let Err(error) = resolve_tenant(&state, &tenant) {
        return shown(error).into_response();
    }
    if method != Method::GET {
        return wrong_method(&ids, &method, "GET").into_response();
    }
    shown(not_served(SESSION_IFRAME)).into_response()
}

/// `GET/POST /{tenant}/wsfed`: a WS-Federation passive request (`wa`, `wtrealm`, `wreply`, `wctx`), from
/// the query or a form.
pub(crate) async fn wsfed(
    State(state): State<SharedState>,
    Extension(ids): Extension<RequestIds>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    method: Method,
    body: Body,
) -> Response {
    if method != Method::GET && method != Method::POST {
        return wrong_method(&ids, &method, "GET, POST").into_response();
    }
    let params = match read_params(query.as_deref(), method == Method::POST, body).await {
        Ok(params) => params,
        Err(error) => return EntraError::page(&ids)(error).into_response(),
    };
    let error = match params.get("wa") {
        Some("wsignout1.0") => return sign_out(&state, &tenant, &params),
        Some("wsignin1.0") => sign_in(&state, &tenant, &params),
        // No `wa`, or an action other than sign-in and sign-out.
        _ => resolve_tenant(&state, &tenant)
            .err()
            .unwrap_or_else(|| AadError::new(AadCode::WsFederationMessageInvalid)),
    };
    EntraError::page(&ids)(error).into_response()
}

async fn read_params(query: Option<&str>, form: bool, body: Body) -> Result<Params, AadError> {
    let from_query = query_params(query)?;
    if form {
        Ok(Params::parse(&read_body(body).await?)?.merged(from_query))
    } else {
        Ok(from_query)
    }
}

/// The checks Entra makes before it would sign in: the tenant, a `wtrealm` (required by WS-Federation
/// for `wsignin1.0`), an app of the tenant whose identifier it is, and `wreply`, when sent, one of that
/// app's reply URLs. What passes would be signed in; the mock does not implement that.
fn sign_in(state: &AppState, segment_text: &str, params: &Params) -> AadError {
    sign_in_checks(state, segment_text, params)
        .err()
        .unwrap_or_else(|| not_served(WSFED_SIGN_IN))
}

fn sign_in_checks(state: &AppState, segment_text: &str, params: &Params) -> Result<(), AadError> {
    let segment = resolve_tenant(state, segment_text)?;
    let realm = params
        .get("wtrealm")
        .ok_or_else(|| AadError::new(AadCode::WsFederationMessageInvalid))?;
    let (_, app) = app_for_realm(state, segment, realm).ok_or_else(|| {
        AadError::new(AadCode::ApplicationNotFound)
            .arg("client_id", realm)
            .arg("tenant", segment.name())
    })?;
    if let Some(reply) = params.get("wreply") {
        if !reply_url_registered(app, reply) {
            return Err(AadError::new(AadCode::RedirectUriMismatch)
                .arg("redirect_uri", reply)
                .arg("client_id", &app.client_id));
        }
    }
    Ok(())
}

/// `wsignout1.0`: the browser's session ends, and it goes back to `wreply` when an app of the tenant
/// registered it (the realm's app when `wtrealm` names one), else to the signed-out page, as
/// `/oauth2/logout` does with `post_logout_redirect_uri`.
fn sign_out(state: &AppState, segment_text: &str, params: &Params) -> Response {
    let client_id = params.get("wtrealm").and_then(|realm| {
        let segment = state.directory.resolve(segment_text)?;
        app_for_realm(state, segment, realm).map(|(_, app)| app.client_id.as_str())
    });
    let registered = params
        .get("wreply")
        .filter(|reply| logout_uri_registered(state, segment_text, client_id, reply));
    let mut response = match registered {
        Some(reply) => redirect(reply),
        None => signed_out_page(),
    };
    let https = state.base_url.starts_with("https://");
    response
        .headers_mut()
        .append(header::SET_COOKIE, SessionKey::clear_cookie(https));
    response
}

/// The app a WS-Federation realm names: one of its identifier URIs (app ID URIs, the SAML entity id), its
/// application id, or `spn:` and its application id (as Microsoft's WS-Federation samples write it).
fn app_for_realm<'a>(
    state: &'a AppState,
    segment: TenantSegment<'a>,
    realm: &str,
) -> Option<(&'a Tenant, &'a App)> {
    let realm = realm.trim();
    let names = |app: &App| {
        let client_id = realm.strip_prefix("spn:").unwrap_or(realm);
        app.client_id.eq_ignore_ascii_case(client_id)
            || app.app_id_uris.iter().any(|uri| uri == realm)
            || app.saml.as_ref().is_some_and(|s| s.entity_id == realm)
    };
    let in_tenant = |tenant: &'a Tenant| tenant.apps.iter().find(|a| names(a)).map(|a| (tenant, a));
    match segment {
        TenantSegment::Tenant(tenant) => in_tenant(tenant),
        TenantSegment::MultiTenant(_) => state.directory.tenants.iter().find_map(in_tenant),
    }
}

/// A reply URL of the app: a redirect URI of its Web (or other) platform, or a SAML reply URL.
fn reply_url_registered(app: &App, reply: &str) -> bool {
    app.redirect_uri_registered(reply)
        || app
            .saml
            .as_ref()
            .is_some_and(|s| s.reply_urls.iter().any(|u| u == reply))
}
