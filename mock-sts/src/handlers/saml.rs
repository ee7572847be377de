//! `GET/POST /{tenant}/saml2`: SAML 2.0 single sign-on over the HTTP-Redirect and HTTP-POST bindings, and
//! IdP-initiated sign-in (`?appid=`). Problems before the app and its reply URL are known, and a missing
//! signing key, end on Entra's error page; a RequestedAuthnContext that cannot be met goes back to the app
//! as a SAML error Response, as Entra does for request content problems it can route.
//!
//! A sign-in starts the browser's session (the `ESTSAUTH` cookie, see [`crate::session`]); with one, a
//! later request signs the same user in without asking, and its assertion's `AuthnInstant` is when they
//! signed in. `ForceAuthn` ignores the session (a fresh sign-in); `IsPassive` uses it, and without one
//! goes back to the app as a SAML error Response with the second-level status `NoPassive`
//! (AADSTS50058), as SAML core 3.4.1 requires of an IdP that cannot sign in without the user.

use axum::body::Body;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use keyprobe_core::base64;

use super::error::{InternalError, MockDuty, SamlErrorPost};
use super::{
    html_response, query_params, read_body, resolve_tenant, EntraError, Params, SharedState,
};
use crate::errors::{AadCode, AadError, RequestIds};
use crate::model::{App, SamlRegistration, Tenant, TenantSegment, User};
use crate::saml::certs::{NoSigner, SamlCertificate};
use crate::saml::logout;
use crate::saml::request::{self, AuthnRequest, Binding, RequestProblem};
use crate::saml::request_signature::{self, SignatureProblem};
use crate::saml::response::{
    self, auto_post_form, binding_supported, Success, AC_PASSWORD, AC_PASSWORD_PROTECTED,
    AC_UNSPECIFIED, NAMEID_EMAIL, NAMEID_PERSISTENT, NAMEID_TRANSIENT, NAMEID_UNSPECIFIED,
};
use crate::session::Session;
use crate::state::AppState;
use std::sync::Arc;
use time::OffsetDateTime;

/// The second-level status of a passive request Entra cannot answer without the user.
const STATUS_NO_PASSIVE: &str = "urn:oasis:names:tc:SAML:2.0:status:NoPassive";
/// The second-level status of request content Entra does not support.
const STATUS_REQUEST_UNSUPPORTED: &str = "urn:oasis:names:tc:SAML:2.0:status:RequestUnsupported";

pub(crate) async fn saml2_get(
    State(state): State<SharedState>,
    Extension(ids): Extension<RequestIds>,
    Path(segment): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, EntraError> {
    let params = query_params(query.as_deref()).map_err(EntraError::saml_page(&ids))?;
    let binding = Redirect {
        raw_query: query.as_deref(),
    };
    sign_in(&state, &ids, &segment, &params, &headers, binding)
}

pub(crate) async fn saml2_post(
    State(state): State<SharedState>,
    Extension(ids): Extension<RequestIds>,
    Path(segment): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, EntraError> {
    let params = async {
        let form = Params::parse(&read_body(body).await?)?;
        Ok::<_, AadError>(form.merged(query_params(query.as_deref())?))
    };
    let params = params.await.map_err(EntraError::saml_page(&ids))?;
    sign_in(&state, &ids, &segment, &params, &headers, Post)
}

/// How the request came: HTTP-Redirect keeps the raw query, whose octets its signature covers.
#[derive(Clone, Copy)]
pub(super) enum Received<'q> {
    Redirect { raw_query: Option<&'q str> },
    Post,
}
use Received::{Post, Redirect};

impl Received<'_> {
    pub(super) fn binding(self) -> Binding {
        match self {
            Redirect { .. } => Binding::Redirect,
            Post => Binding::Post,
        }
    }
}

/// A sign-in Entra will answer: the app, where the answer goes, and the request it answers (none when
/// IdP-initiated).
struct SignIn<'a> {
    tenant: &'a Tenant,
    app: &'a App,
    saml: &'a SamlRegistration,
    acs_url: String,
    request: Option<AuthnRequest>,
}

fn sign_in(
    state: &AppState,
    ids: &RequestIds,
    segment: &str,
    params: &Params,
    headers: &HeaderMap,
    received: Received<'_>,
) -> Result<Response, EntraError> {
    let page = EntraError::saml_page(ids);
    let segment = resolve_tenant(state, segment).map_err(page)?;
    let relay_state = params.get("RelayState");
    let sign_in = match (params.get("SAMLRequest"), params.get("appid")) {
        (Some(encoded), _) => {
            let xml = request::decode(encoded, received.binding())
                .map_err(request_error)
                .map_err(page)?;
            if logout::names_logout_request(&xml) {
                return super::saml_logout::single_logout(
                    state,
                    ids,
                    segment,
                    &xml,
                    relay_state,
                    received,
                );
            }
            sp_initiated(state, segment, &xml, received)
        }
        // IdP-initiated sign-in, as from My Apps: the app named by its client id.
        (None, Some(app_id)) => idp_initiated(state, segment, app_id),
        (None, None) => Err(AadError::new(AadCode::SamlRequestMissing)),
    }
    .map_err(page)?;
    if let Some(request) = &sign_in.request {
        if !name_id_format_supported(request.name_id_format.as_deref()) {
            let error = AadError::new(AadCode::InvalidNameIdPolicy);
            return Err(EntraError::SamlResponse(error_response_post(
                &sign_in,
                request,
                relay_state,
                STATUS_INVALID_NAMEID_POLICY,
                &error,
                ids,
            )));
        }
    }
    let authn_context = match &sign_in.request {
        None => AC_PASSWORD,
        Some(request) => satisfiable_context(request).map_err(|unmet| {
            let error = AadError::new(AadCode::AuthnContextMismatch)
                .arg("method", "Password, ProtectedTransport")
                .arg("requested", &unmet.requested)
                .arg("app", &sign_in.app.display_name);
            EntraError::SamlResponse(error_response_post(
                &sign_in,
                request,
                relay_state,
                STATUS_REQUEST_UNSUPPORTED,
                &error,
                ids,
            ))
        })?,
    };
    let request = sign_in.request.as_ref();
    let session = state
        .sessions
        .read(headers, ids.at)
        .filter(|s| s.tenant_id == sign_in.tenant.id);
    let signed_in = match authenticate(sign_in.tenant, params, request, session.as_ref(), ids.at) {
        Ok(signed_in) => signed_in,
        Err(NotSignedIn::Unknown(error)) => return Err(page(error)),
        Err(NotSignedIn::NoPassive(request)) => {
            let error = AadError::new(AadCode::SilentSignInWithoutSession);
            return Err(EntraError::SamlResponse(error_response_post(
                &sign_in,
                request,
                relay_state,
                STATUS_NO_PASSIVE,
                &error,
                ids,
            )));
        }
    };
    let success = Success {
        tenant: sign_in.tenant,
        user: signed_in.user,
        app_client_id: &sign_in.app.client_id,
        audience: &sign_in.saml.entity_id,
        acs_url: &sign_in.acs_url,
        in_response_to: request.map(|r| r.id.as_str()),
        name_id_format: request.and_then(|r| r.name_id_format.as_deref()),
        authn_context,
        signing: sign_in.saml.signing,
        at: ids.at,
        authn_instant: signed_in.since,
        configured_name_id_format: sign_in.saml.name_id_format,
        attributes: sign_in.saml.attributes.as_deref(),
    };
    let mut response = answer(state, ids, sign_in.app, &success, relay_state)?;
    if signed_in.fresh {
        start_session(state, &mut response, sign_in.tenant, signed_in.user, ids.at);
    }
    Ok(response)
}

/// Who signs in and since when; `fresh` when they entered credentials now rather than through a session.
struct SignedIn<'a> {
    user: &'a User,
    since: OffsetDateTime,
    fresh: bool,
}

enum NotSignedIn<'r> {
    /// A passive request with no session it may use: signing in would need the user.
    NoPassive(&'r AuthnRequest),
    /// `login_hint` names no user of the tenant (or it has none).
    Unknown(AadError),
}

/// The session's user when the request lets it be used (no `ForceAuthn`, no `login_hint` naming someone
/// else), else a fresh sign-in, which a passive request cannot have.
fn authenticate<'a, 'r>(
    tenant: &'a Tenant,
    params: &Params,
    request: Option<&'r AuthnRequest>,
    session: Option<&Session>,
    at: OffsetDateTime,
) -> Result<SignedIn<'a>, NotSignedIn<'r>> {
    let passive = request.filter(|r| r.is_passive);
    let force = request.is_some_and(|r| r.force_authn);
    let hinted = params.get("login_hint").map(|hint| tenant.user(hint));
    let from_session = session
        .filter(|_| !force)
        .and_then(|s| {
            tenant
                .users
                .iter()
                .find(|u| u.object_id == s.user_object_id)
                .map(|user| (user, s.authenticated_at))
        })
        .filter(|(user, _)| match hinted {
            None => true,
            Some(hinted) => hinted.is_some_and(|h| h.object_id == user.object_id),
        });
    match from_session {
        Some((user, since)) => Ok(SignedIn {
            user,
            since,
            fresh: false,
        }),
        None => match passive {
            Some(request) => Err(NotSignedIn::NoPassive(request)),
            None => choose_user(tenant, params)
                .map(|user| SignedIn {
                    user,
                    since: at,
                    fresh: true,
                })
                .map_err(NotSignedIn::Unknown),
        },
    }
}

/// Set the session cookie for `user` on the response that signs them in.
fn start_session(
    state: &AppState,
    response: &mut Response,
    tenant: &Tenant,
    user: &User,
    at: OffsetDateTime,
) {
    let session = Session {
        tenant_id: tenant.id.clone(),
        user_object_id: user.object_id.clone(),
        authenticated_at: at,
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

/// An AuthnRequest from an app: decoded, its issuer an app of the tenant, its reply URL registered and
/// its response binding one Entra answers with.
fn sp_initiated<'a>(
    state: &'a AppState,
    segment: TenantSegment<'a>,
    xml: &str,
    received: Received<'_>,
) -> Result<SignIn<'a>, AadError> {
    let authn_request = request::parse(xml).map_err(request_error)?;
    let issuer = authn_request
        .issuer
        .as_deref()
        .ok_or_else(|| AadError::new(AadCode::SamlMessageInvalid))?;
    let (tenant, app) = find_app_by_entity_id(state, segment, issuer).ok_or_else(|| {
        AadError::new(AadCode::ApplicationNotFound)
            .arg("client_id", issuer)
            .arg("tenant", segment.name())
    })?;
    let saml = app
        .saml
        .as_ref()
        .ok_or_else(|| AadError::new(AadCode::SamlMessageInvalid))?;
    if saml.request_verification.required {
        let raw_query = match received {
            Redirect { raw_query } => raw_query,
            Post => None,
        };
        request_signature::check(
            &state.request_verification.settings(&app.client_id, saml),
            received.binding(),
            raw_query,
            xml,
        )
        .map_err(|problem| signature_error(app, problem))?;
    }
    let acs_url = match authn_request.acs_url.as_deref() {
        Some(acs) if saml.reply_urls.iter().any(|r| r == acs) => acs.to_string(),
        Some(acs) => {
            return Err(AadError::new(AadCode::RedirectUriMismatch)
                .arg("redirect_uri", acs)
                .arg("client_id", &app.client_id))
        }
        None => saml.acs_url.clone(),
    };
    if !binding_supported(authn_request.protocol_binding.as_deref()) {
        let binding = authn_request.protocol_binding.clone().unwrap_or_default();
        return Err(AadError::new(AadCode::SamlRequestUnsupported).arg(
            "request",
            format!("AuthnRequest with ProtocolBinding {binding}"),
        ));
    }
    Ok(SignIn {
        tenant,
        app,
        saml,
        acs_url,
        request: Some(authn_request),
    })
}

/// IdP-initiated sign-in: the SAML app with this client id, answered at its default reply URL.
fn idp_initiated<'a>(
    state: &'a AppState,
    segment: TenantSegment<'a>,
    app_id: &str,
) -> Result<SignIn<'a>, AadError> {
    let found = match segment {
        TenantSegment::Tenant(tenant) => tenant.app(app_id).map(|app| (tenant, app)),
        TenantSegment::MultiTenant(_) => state.directory.app_anywhere(app_id),
    };
    let (tenant, app, saml) = found
        .and_then(|(t, a)| a.saml.as_ref().map(|s| (t, a, s)))
        .ok_or_else(|| {
            AadError::new(AadCode::ApplicationNotFound)
                .arg("client_id", app_id)
                .arg("tenant", segment.name())
        })?;
    // With "Require verification certificates" on, only signed SP-initiated requests are answered.
    if saml.request_verification.required {
        return Err(AadError::new(AadCode::SignedRequestRequired));
    }
    Ok(SignIn {
        tenant,
        app,
        saml,
        acs_url: saml.acs_url.clone(),
        request: None,
    })
}

/// The certificate Entra would sign with for `app`, or the AADSTS50003 page when there is none.
pub(super) fn signing_certificate(
    state: &AppState,
    ids: &RequestIds,
    tenant: &Tenant,
    app: &App,
) -> Result<Arc<SamlCertificate>, EntraError> {
    let scenario = state.scenario_for(&tenant.id);
    let keys = state
        .saml_keys
        .keys(&app.client_id, scenario)
        .map_err(InternalError::while_doing(MockDuty::SignSamlResponse))?;
    keys.signer(ids.at).map_err(|reason| {
        let why = match reason {
            NoSigner::Missing => "no active signing certificate".to_string(),
            NoSigner::Dangling(thumbprint) => {
                format!("preferredTokenSigningKeyThumbprint {thumbprint} names no certificate of the app")
            }
        };
        eprintln!("mock-sts: SAML app {}: {why}", app.client_id);
        EntraError::saml_page(ids)(AadError::new(AadCode::MissingSigningKey))
    })
}

/// Sign with the certificate Entra would choose, or end on AADSTS50003 when there is none.
fn answer(
    state: &AppState,
    ids: &RequestIds,
    app: &App,
    success: &Success<'_>,
    relay_state: Option<&str>,
) -> Result<Response, EntraError> {
    let cert = signing_certificate(state, ids, success.tenant, app)?;
    let xml = response::success_response(success, &cert)
        .map_err(InternalError::while_doing(MockDuty::SignSamlResponse))?;
    Ok(html_response(
        StatusCode::OK,
        auto_post_form(
            success.acs_url,
            &base64::encode_standard(xml.as_bytes()),
            relay_state,
        ),
    ))
}

/// Entra's page for a request it cannot read (75005) or does not take (7500514).
pub(super) fn request_error(problem: RequestProblem) -> AadError {
    match problem {
        RequestProblem::Malformed(_) => AadError::new(AadCode::SamlMessageInvalid),
        RequestProblem::Unsupported(name) => {
            AadError::new(AadCode::SamlRequestUnsupported).arg("request", name)
        }
    }
}

/// Entra's page for a request whose signature the app's settings refuse.
pub(super) fn signature_error(app: &App, problem: SignatureProblem) -> AadError {
    match problem {
        SignatureProblem::Unsigned => AadError::new(AadCode::SignedRequestRequired),
        SignatureProblem::NoCertificate => {
            AadError::new(AadCode::RequestVerificationCertificateMissing)
        }
        SignatureProblem::Invalid(reason) => AadError::new(AadCode::RequestSignatureInvalid)
            .arg("app", &app.display_name)
            .arg("reason", reason),
    }
}

const STATUS_INVALID_NAMEID_POLICY: &str = "urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy";

/// The NameIDPolicy formats Entra issues (Microsoft's SAML protocol page); no policy, or none, is the
/// app's configured NameID.
fn name_id_format_supported(format: Option<&str>) -> bool {
    matches!(
        format,
        None | Some(NAMEID_EMAIL | NAMEID_PERSISTENT | NAMEID_TRANSIENT | NAMEID_UNSPECIFIED)
    )
}

/// A SAML error Response for `request`, to be auto-posted to the app, as Entra does for request content it
/// can route back; `nested_status` is the second-level SAML status.
fn error_response_post(
    sign_in: &SignIn<'_>,
    request: &AuthnRequest,
    relay_state: Option<&str>,
    nested_status: &str,
    error: &AadError,
    ids: &RequestIds,
) -> SamlErrorPost {
    let xml = response::error_response(
        sign_in.tenant,
        &sign_in.acs_url,
        Some(&request.id),
        nested_status,
        &error.message(),
        &ids.trace_id,
        ids.at,
    );
    SamlErrorPost {
        log_line: format!(
            "mock-sts: saml2 error response to {}: {} (Request Id: {}, Correlation Id: {})",
            sign_in.acs_url,
            error.message(),
            ids.trace_id,
            ids.correlation_id
        ),
        acs_url: sign_in.acs_url.clone(),
        relay_state: relay_state.map(str::to_string),
        xml,
    }
}

/// The app whose SAML identifier (entity id) is the request's Issuer.
pub(super) fn find_app_by_entity_id<'a>(
    state: &'a AppState,
    segment: TenantSegment<'a>,
    issuer: &str,
) -> Option<(&'a Tenant, &'a App)> {
    let matches = |app: &App| {
        app.saml
            .as_ref()
            .is_some_and(|s| s.entity_id == issuer.trim())
    };
    match segment {
        TenantSegment::Tenant(tenant) => {
            tenant.apps.iter().find(|a| matches(a)).map(|a| (tenant, a))
        }
        TenantSegment::MultiTenant(_) => state
            .directory
            .tenants
            .iter()
            .find_map(|t| t.apps.iter().find(|a| matches(a)).map(|a| (t, a))),
    }
}

/// The user: `login_hint`, else the tenant's first user (no sign-in UI is needed for SAML tests).
fn choose_user<'a>(tenant: &'a Tenant, params: &Params) -> Result<&'a User, AadError> {
    let unknown = |hint: &str| {
        AadError::new(AadCode::UserNotFound)
            .arg("user", hint)
            .arg("tenant", tenant.primary_domain())
    };
    match params.get("login_hint") {
        Some(hint) => tenant.user(hint).ok_or_else(|| unknown(hint)),
        None => tenant
            .users
            .first()
            .ok_or_else(|| unknown("(no user configured)")),
    }
}

/// A RequestedAuthnContext a password sign-in cannot meet: what the request asks for, and what the
/// mock's sign-in provides.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the request asks for {comparison} {requested}; a password sign-in provides {provided}")]
struct UnmetContext {
    /// The request's `Comparison` (`exact` when absent).
    comparison: String,
    /// The requested classes, comma-separated, as AADSTS75011 names them.
    requested: String,
    /// The class the mock's password sign-in states.
    provided: &'static str,
}

/// The AuthnContextClassRef to state: the mock's users sign in with a password, so only the password
/// classes (or `unspecified`) can be met; `better` never can.
fn satisfiable_context(authn_request: &AuthnRequest) -> Result<&'static str, UnmetContext> {
    let Some((comparison, classes)) = &authn_request.requested_authn_context else {
        return Ok(AC_PASSWORD);
    };
    let unmet = || UnmetContext {
        comparison: comparison.clone(),
        requested: classes.join(", "),
        provided: AC_PASSWORD,
    };
    if comparison == "better" {
        return Err(unmet());
    }
    for class in classes {
        match class.as_str() {
            AC_PASSWORD => return Ok(AC_PASSWORD),
            AC_PASSWORD_PROTECTED => return Ok(AC_PASSWORD_PROTECTED),
            AC_UNSPECIFIED => return Ok(AC_PASSWORD),
            _ => {}
        }
    }
    // `minimum` is met by anything at least as strong; a password meets no stronger class.
    if classes.is_empty() {
        return Ok(AC_PASSWORD);
    }
    Err(unmet())
}
