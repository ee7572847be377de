//! The browser endpoints: authorize (code with PKCE, `id_token`, `query`/`fragment`/`form_post`), a plain
//! sign-in page to pick a user, and logout. Problems before the redirect URI is trusted end on Entra's
//! error page; later ones go back to the app as `error`/`error_description`, as Entra does.
//!
//! Authorize uses the browser's session as SAML does (the `ESTSAUTH` cookie, see [`crate::session`]): a
//! fresh sign-in starts one, a later request signs its user in without asking (unless `login_hint` names
//! someone else), `prompt=none` without one goes back to the app as `login_required` (AADSTS50058), and
//! `prompt=login` (or `select_account`) asks again whatever the session. Logout ends it.

use axum::body::Body;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::{
    html_response, query_params, read_body, resolve_tenant, EntraError, Params, SharedState,
};
use crate::errors::{AadCode, AadError, RequestIds};
use crate::model::{App, Tenant, TenantSegment, User};
use crate::session::{Session, SessionKey};
use crate::state::{AppState, CodeGrant};
use crate::tokens;
use crate::util::{html_escape, new_guid, now, random_token};

const CODE_SECONDS: i64 = 600;

pub(crate) async fn authorize_v2(
    state: State<SharedState>,
    ids: Extension<RequestIds>,
    tenant: Path<String>,
    query: RawQuery,
    headers: HeaderMap,
) -> Result<Response, EntraError> {
    authorize(state, ids, tenant, query, &headers, None, true).await
}

pub(crate) async fn authorize_v2_post(
    state: State<SharedState>,
    ids: Extension<RequestIds>,
    tenant: Path<String>,
    query: RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, EntraError> {
    authorize(state, ids, tenant, query, &headers, Some(body), true).await
}

pub(crate) async fn authorize_v1(
    state: State<SharedState>,
    ids: Extension<RequestIds>,
    tenant: Path<String>,
    query: RawQuery,
    headers: HeaderMap,
) -> Result<Response, EntraError> {
    authorize(state, ids, tenant, query, &headers, None, false).await
}

pub(crate) async fn authorize_v1_post(
    state: State<SharedState>,
    ids: Extension<RequestIds>,
    tenant: Path<String>,
    query: RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, EntraError> {
    authorize(state, ids, tenant, query, &headers, Some(body), false).await
}

/// How the answer travels back to the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ResponseMode {
    Query,
    Fragment,
    FormPost,
}

/// A request whose client and redirect URI are trusted: from here on, errors go back to the app.
struct TrustedRequest<'a> {
    tenant: &'a Tenant,
    app: &'a App,
    redirect_uri: String,
    mode: ResponseMode,
    state_param: Option<String>,
}

async fn authorize(
    State(state): State<SharedState>,
    Extension(ids): Extension<RequestIds>,
    Path(segment): Path<String>,
    RawQuery(query): RawQuery,
    headers: &HeaderMap,
    body: Option<Body>,
    v2: bool,
) -> Result<Response, EntraError> {
    let page = EntraError::page(&ids);
    let params = read_params(query.as_deref(), body).await.map_err(page)?;
    let trusted = trust(&state, &segment, &params).map_err(page)?;
    let session = state
        .sessions
        .read(headers, ids.at)
        .filter(|s| s.tenant_id == trusted.tenant.id);
    let (user, fresh) =
        match choose_user(trusted.tenant, &params, session.as_ref()).map_err(page)? {
            UserChoice::FromSession(user) => (user, false),
            UserChoice::Chosen(user) => (user, true),
            UserChoice::Ask => return Ok(sign_in_page(&segment, &params, trusted.tenant, v2)),
            UserChoice::InteractionRequired => {
                let error = AadError::new(AadCode::SilentSignInWithoutSession);
                return Ok(respond(&trusted, error_for_the_app(&error, &ids)));
            }
        };
    let answer = issue(&state, &trusted, user, &params, v2);
    let signed_in = answer.is_ok();
    let mut response = respond(
        &trusted,
        answer.unwrap_or_else(|error| error_for_the_app(&error, &ids)),
    );
    if fresh && signed_in {
        let session = Session {
            tenant_id: trusted.tenant.id.clone(),
            user_object_id: user.object_id.clone(),
            authenticated_at: ids.at,
        };
        let https = state.base_url.starts_with("https://");
        match state.sessions.set_cookie(&session, https) {
            Ok(cookie) => {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            // The sign-in still succeeds; the next one asks again.
            Err(err) => eprintln!("mock-sts: cannot make a session cookie: {err}"),
        }
    }
    Ok(response)
}

/// An error after the redirect URI is trusted goes back to the app as `error`, `error_description` and
/// `error_uri`, as Entra sends it.
fn error_for_the_app(error: &AadError, ids: &RequestIds) -> Vec<(String, String)> {
    let description = error.to_json(ids)["error_description"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    vec![
        ("error".to_string(), error.error().to_string()),
        ("error_description".to_string(), description),
        (
            "error_uri".to_string(),
            format!(
                "https://login.microsoftonline.com/error?code={}",
                error.number()
            ),
        ),
    ]
}

async fn read_params(query: Option<&str>, body: Option<Body>) -> Result<Params, AadError> {
    let from_query = query_params(query)?;
    match body {
        Some(body) => Ok(Params::parse(&read_body(body).await?)?.merged(from_query)),
        None => Ok(from_query),
    }
}

/// Tenant, client and redirect URI: what must be right before Entra will redirect anywhere.
fn trust<'a>(
    state: &'a AppState,
    segment_text: &str,
    params: &Params,
) -> Result<TrustedRequest<'a>, AadError> {
    let segment = resolve_tenant(state, segment_text)?;
    let client_id = params.require("client_id")?;
    let tenant = match segment {
        TenantSegment::Tenant(tenant) => Some(tenant),
        TenantSegment::MultiTenant(_) => state.directory.tenant_of_client(client_id),
    };
    let not_found = || {
        AadError::new(AadCode::ApplicationNotFound)
            .arg("client_id", client_id)
            .arg("tenant", segment_text)
    };
    let tenant = tenant.ok_or_else(not_found)?;
    let app = tenant.app(client_id).ok_or_else(not_found)?;
    let redirect_uri = match params.get("redirect_uri") {
        Some(uri) if app.redirect_uri_registered(uri) => uri.to_string(),
        Some(uri) => {
            return Err(AadError::new(AadCode::RedirectUriMismatch)
                .arg("redirect_uri", uri)
                .arg("client_id", &app.client_id))
        }
        None => app.redirect_uris.first().cloned().ok_or_else(|| {
            AadError::new(AadCode::MissingParameter).arg("parameter", "redirect_uri")
        })?,
    };
    let response_type = params.require("response_type")?;
    let wants_id_token = response_type.split_whitespace().any(|t| t == "id_token");
    let mode = match params.get("response_mode") {
        None if wants_id_token => ResponseMode::Fragment,
        None | Some("query") => ResponseMode::Query,
        Some("fragment") => ResponseMode::Fragment,
        Some("form_post") => ResponseMode::FormPost,
        Some(_) => return Err(AadError::new(AadCode::MalformedRequest)),
    };
    Ok(TrustedRequest {
        tenant,
        app,
        redirect_uri,
        mode,
        state_param: params.get("state").map(str::to_string),
    })
}

enum UserChoice<'a> {
    /// The session's user, signed in without asking.
    FromSession(&'a User),
    /// A fresh sign-in.
    Chosen(&'a User),
    /// Show the sign-in page.
    Ask,
    /// `prompt=none`, and signing in would need the user.
    InteractionRequired,
}

/// The session's user when the request lets it be used (no `prompt=login`/`select_account`, no
/// `login_hint` naming someone else); else `prompt=none` cannot be met; else `login_hint` names the user;
/// `prompt=select_account`/`login` shows the sign-in page; otherwise the tenant's first user signs in, so
/// tests need no UI.
fn choose_user<'a>(
    tenant: &'a Tenant,
    params: &Params,
    session: Option<&Session>,
) -> Result<UserChoice<'a>, AadError> {
    let unknown = |hint: &str| {
        AadError::new(AadCode::UserNotFound)
            .arg("user", hint)
            .arg("tenant", tenant.primary_domain())
    };
    let prompt = params.get("prompt");
    let hinted = match params.get("login_hint") {
        Some(hint) => Some(tenant.user(hint).ok_or_else(|| unknown(hint))?),
        None => None,
    };
    let asks_again = matches!(prompt, Some("select_account") | Some("login"));
    let from_session = session
        .filter(|_| !asks_again)
        .and_then(|s| {
            tenant
                .users
                .iter()
                .find(|u| u.object_id == s.user_object_id)
        })
        .filter(|user| hinted.is_none_or(|h| h.object_id == user.object_id));
    if let Some(user) = from_session {
        return Ok(UserChoice::FromSession(user));
    }
    if prompt == Some("none") {
        return Ok(UserChoice::InteractionRequired);
    }
    if let Some(user) = hinted {
        return Ok(UserChoice::Chosen(user));
    }
    if asks_again {
        return Ok(UserChoice::Ask);
    }
    tenant
        .users
        .first()
        .map(UserChoice::Chosen)
        .ok_or_else(|| unknown("(no user configured)"))
}

fn sign_in_page(segment: &str, params: &Params, tenant: &Tenant, v2: bool) -> Response {
    let action = if v2 {
        format!("/{segment}/oauth2/v2.0/authorize")
    } else {
        format!("/{segment}/oauth2/authorize")
    };
    let hidden: String = params
        .pairs()
        .iter()
        // `prompt=login` stays, so that the account picked is signed in afresh, not from the session.
        .filter(|(name, value)| name != "login_hint" && (name != "prompt" || value == "login"))
        .map(|(name, value)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                html_escape(name),
                html_escape(value)
            )
        })
        .collect();
    let users: String = tenant
        .users
        .iter()
        .map(|user| {
            format!(
                "<li><form method=\"post\" action=\"{action}\">{hidden}<input type=\"hidden\" name=\"login_hint\" value=\"{upn}\"><button type=\"submit\">{name} ({upn})</button></form></li>\n",
                action = html_escape(&action),
                upn = html_escape(&user.user_principal_name),
                name = html_escape(&user.display_name),
            )
        })
        .collect();
    html_response(
        StatusCode::OK,
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in to your account</title></head>\n<body>\n<h1>Pick an account</h1>\n<p>mock-sts: {} ({})</p>\n<ul>\n{users}</ul>\n</body></html>\n",
            html_escape(&tenant.display_name),
            html_escape(&tenant.id)
        ),
    )
}

/// What an authorization request asks for, checked as Entra checks it once the redirect URI is trusted.
struct Grant {
    wants_code: bool,
    wants_id_token: bool,
    scopes: Vec<String>,
    nonce: Option<String>,
    /// `code_challenge` and its method (`S256` or `plain`).
    code_challenge: Option<(String, String)>,
}

fn grant(trusted: &TrustedRequest<'_>, params: &Params, v2: bool) -> Result<Grant, AadError> {
    let response_type = params.require("response_type")?;
    let types: Vec<&str> = response_type.split_whitespace().collect();
    let wants_code = types.contains(&"code");
    let wants_id_token = types.contains(&"id_token");
    if types.is_empty() || types.iter().any(|t| !matches!(*t, "code" | "id_token")) {
        return Err(
            AadError::new(AadCode::UnsupportedResponseType).arg("response_type", response_type)
        );
    }
    if wants_id_token && trusted.mode == ResponseMode::Query {
        return Err(AadError::new(AadCode::MalformedRequest));
    }
    let mut scopes: Vec<String> = match (params.get("scope"), v2) {
        (Some(scope), _) => scope.split_whitespace().map(str::to_string).collect(),
        (None, true) => {
            return Err(AadError::new(AadCode::MissingParameter).arg("parameter", "scope"))
        }
        (None, false) => vec!["openid".to_string()],
    };
    // v1 names the API with `resource`; kept as a scope so the token endpoint treats both versions alike.
    if let (false, Some(resource)) = (v2, params.get("resource")) {
        scopes.push(format!(
            "{}/user_impersonation",
            resource.trim_end_matches('/')
        ));
    }
    let nonce = params.get("nonce").map(str::to_string);
    if wants_id_token && nonce.is_none() {
        return Err(AadError::new(AadCode::MissingParameter).arg("parameter", "nonce"));
    }
    let code_challenge = match params.get("code_challenge") {
        None => None,
        Some(challenge) => {
            let method = params.get("code_challenge_method").unwrap_or("plain");
            if method != "S256" && method != "plain" {
                return Err(AadError::new(AadCode::MalformedRequest));
            }
            if !(43..=128).contains(&challenge.len()) {
                return Err(AadError::new(AadCode::CodeChallengeSize));
            }
            Some((challenge.to_string(), method.to_string()))
        }
    };
    Ok(Grant {
        wants_code,
        wants_id_token,
        scopes,
        nonce,
        code_challenge,
    })
}

/// The parameters that go back to the app on success: a code kept for redemption, an ID token, or both.
fn issue(
    state: &AppState,
    trusted: &TrustedRequest<'_>,
    user: &User,
    params: &Params,
    v2: bool,
) -> Result<Vec<(String, String)>, AadError> {
    let grant = grant(trusted, params, v2)?;
    // An app that needs its own signing key and has none fails here, before any code is handed out.
    if grant.scopes.iter().any(|s| s == "openid") || grant.wants_id_token {
        tokens::signing_key_for(state, &trusted.tenant.id, Some(trusted.app))?;
    }
    let code = grant.wants_code.then(|| format!("1.A{}", random_token(96)));
    if let Some(code) = &code {
        state.grants().add_code(
            code.clone(),
            CodeGrant {
                tenant_id: trusted.tenant.id.clone(),
                client_id: trusted.app.client_id.clone(),
                user_object_id: user.object_id.clone(),
                redirect_uri: trusted.redirect_uri.clone(),
                scopes: grant.scopes.clone(),
                nonce: grant.nonce.clone(),
                code_challenge: grant.code_challenge.clone(),
                v2_endpoint: v2,
                expires_at: now().unix_timestamp() + CODE_SECONDS,
            },
        );
    }
    let id_token = if grant.wants_id_token {
        let request = tokens::IdTokenRequest {
            tenant: trusted.tenant,
            client: trusted.app,
            user,
            nonce: grant.nonce.as_deref(),
            version: if v2 { 2 } else { 1 },
            include_email: grant.scopes.iter().any(|s| s == "email"),
            code: code.as_deref(),
        };
        Some(tokens::id_token(state, &request)?.token)
    } else {
        None
    };
    let mut answer = Vec::new();
    answer.extend(code.map(|code| ("code".to_string(), code)));
    answer.extend(id_token.map(|token| ("id_token".to_string(), token)));
    answer.push(("session_state".to_string(), new_guid()));
    Ok(answer)
}

fn respond(trusted: &TrustedRequest<'_>, mut answer: Vec<(String, String)>) -> Response {
    if let Some(state_param) = &trusted.state_param {
        answer.push(("state".to_string(), state_param.clone()));
    }
    let encoded: String = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(answer.iter())
        .finish();
    match trusted.mode {
        ResponseMode::FormPost => {
            let inputs: String = answer
                .iter()
                .map(|(name, value)| {
                    format!(
                        "<input type=\"hidden\" name=\"{}\" value=\"{}\" />",
                        html_escape(name),
                        html_escape(value)
                    )
                })
                .collect();
            html_response(
                StatusCode::OK,
                format!(
                    "<html><head><title>Working...</title></head><body><form method=\"POST\" name=\"hiddenform\" action=\"{}\">{inputs}<noscript><p>Script is disabled. Click Submit to continue.</p><input type=\"submit\" value=\"Submit\" /></noscript></form><script language=\"javascript\">document.forms[0].submit();</script></body></html>",
                    html_escape(&trusted.redirect_uri)
                ),
            )
        }
        ResponseMode::Query | ResponseMode::Fragment => {
            let separator = match (trusted.mode, trusted.redirect_uri.contains('?')) {
                (ResponseMode::Fragment, _) => '#',
                (_, true) => '&',
                _ => '?',
            };
            redirect(&format!("{}{separator}{encoded}", trusted.redirect_uri))
        }
    }
}

pub(super) fn redirect(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache"),
    );
    response
}

/// `GET/POST /{tenant}/oauth2/v2.0/logout`: back to `post_logout_redirect_uri` when an app registered it,
/// else the signed-out page. As in Entra, an unregistered URI is not followed: the logout endpoint would
/// otherwise send the user to any site a link names.
pub(crate) async fn logout(
    State(state): State<SharedState>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
    body: Body,
) -> Response {
    let mut response = logout_answer(&state, &tenant, query.as_deref(), body).await;
    // Signing out ends the browser's session, wherever it goes next.
    let https = state.base_url.starts_with("https://");
    response
        .headers_mut()
        .append(header::SET_COOKIE, SessionKey::clear_cookie(https));
    response
}

async fn logout_answer(
    state: &AppState,
    tenant: &str,
    query: Option<&str>,
    body: Body,
) -> Response {
    let params = read_params(query, Some(body)).await.unwrap_or_default();
    let registered = params
        .get("post_logout_redirect_uri")
        .filter(|uri| logout_uri_registered(state, tenant, params.get("client_id"), uri));
    match registered {
        Some(uri) => {
            let location = match params.get("state") {
                Some(state) => {
                    let separator = if uri.contains('?') { '&' } else { '?' };
                    let encoded: String = url::form_urlencoded::Serializer::new(String::new())
                        .append_pair("state", state)
                        .finish();
                    format!("{uri}{separator}{encoded}")
                }
                None => uri.to_string(),
            };
            redirect(&location)
        }
        None => signed_out_page(),
    }
}

/// Entra's page after a sign-out with nowhere to go back to.
pub(super) fn signed_out_page() -> Response {
    html_response(
        StatusCode::OK,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign out</title></head><body><p>You signed out of your account</p><p>It\u{2019}s a good idea to close all browser windows.</p></body></html>\n".to_string(),
    )
}

/// Whether `uri` is a redirect URI registered by the app `client_id` names, or without one by an app of
/// the tenant the path names (of any tenant for `common`), under Entra's matching rule.
pub(super) fn logout_uri_registered(
    state: &AppState,
    segment: &str,
    client_id: Option<&str>,
    uri: &str,
) -> bool {
    let tenants: Vec<&Tenant> = match state.directory.resolve(segment) {
        Some(TenantSegment::Tenant(tenant)) => vec![tenant],
        Some(TenantSegment::MultiTenant(_)) => state.directory.tenants.iter().collect(),
        None => Vec::new(),
    };
    tenants
        .iter()
        .flat_map(|tenant| tenant.apps.iter())
        .filter(|app| client_id.is_none_or(|id| app.client_id.eq_ignore_ascii_case(id.trim())))
        .any(|app| app.redirect_uri_registered(uri))
}
