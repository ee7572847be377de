//! `GET/POST /{tenant}/saml2`: SAML 2.0 single sign-on over the HTTP-Redirect and HTTP-POST bindings, and
//! IdP-initiated sign-in (`?appid=`). Problems before the app and its reply URL are known, and a missing
//! signing key, end on Entra's error page; a RequestedAuthnContext that cannot be met goes back to the app
//! as a SAML error Response, as Entra does for request content problems it can route.

use axum::body::Body;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use keyprobe_core::base64;

use super::{
    html_response, page_error, query_params, read_body, resolve_tenant, Params, SharedState,
};
use crate::errors::{AadCode, AadError, RequestIds};
use crate::model::{App, Tenant, TenantSegment, User};
use crate::saml::certs::NoSigner;
use crate::saml::request::{self, AuthnRequest, Binding, RequestProblem};
use crate::saml::response::{
    self, auto_post_form, binding_supported, Success, AC_PASSWORD, AC_PASSWORD_PROTECTED,
    AC_UNSPECIFIED,
};
use crate::state::AppState;

pub async fn saml2_get(
    State(state): State<SharedState>,
    Extension(ids): Extension<RequestIds>,
    Path(segment): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = match query_params(query.as_deref()) {
        Ok(params) => params,
        Err(error) => return fail(&error, &ids),
    };
    sign_in(&state, &ids, &segment, &params, Binding::Redirect)
}

pub async fn saml2_post(
    State(state): State<SharedState>,
    Extension(ids): Extension<RequestIds>,
    Path(segment): Path<String>,
    RawQuery(query): RawQuery,
    body: Body,
) -> Response {
    let params = async {
        let form = Params::parse(&read_body(body).await?)?;
        Ok::<_, AadError>(form.merged(query_params(query.as_deref())?))
    }
    .await;
    match params {
        Ok(params) => sign_in(&state, &ids, &segment, &params, Binding::Post),
        Err(error) => fail(&error, &ids),
    }
}

/// The error page, with the same IDs written to the server's log.
fn fail(error: &AadError, ids: &RequestIds) -> Response {
    eprintln!(
        "mock-sts: saml2 error page: {} (Request Id: {}, Correlation Id: {}, Timestamp: {})",
        error.message(),
        ids.trace_id,
        ids.correlation_id,
        crate::util::page_timestamp(ids.at)
    );
    page_error(error, ids)
}

fn sign_in(
    state: &AppState,
    ids: &RequestIds,
    segment: &str,
    params: &Params,
    binding: Binding,
) -> Response {
    let segment_tenant = match resolve_tenant(state, segment) {
        Ok(tenant) => tenant,
        Err(error) => return fail(&error, ids),
    };
    let relay_state = params.get("RelayState");
    let Some(encoded) = params.get("SAMLRequest") else {
        // IdP-initiated sign-in, as from My Apps: the app named by its client id.
        if let Some(app_id) = params.get("appid") {
            return idp_initiated(state, ids, segment_tenant, app_id, params, relay_state);
        }
        return fail(&AadError::new(AadCode::SamlRequestMissing), ids);
    };
    let authn_request = match request::decode(encoded, binding).and_then(|xml| request::parse(&xml))
    {
        Ok(parsed) => parsed,
        Err(RequestProblem::Malformed(_)) => {
            return fail(&AadError::new(AadCode::SamlMessageInvalid), ids)
        }
        Err(RequestProblem::Unsupported(name)) => {
            return fail(
                &AadError::new(AadCode::SamlRequestUnsupported).arg("request", name),
                ids,
            )
        }
    };
    let Some(issuer) = authn_request.issuer.as_deref() else {
        return fail(&AadError::new(AadCode::SamlMessageInvalid), ids);
    };
    let Some((tenant, app)) = find_app_by_entity_id(state, segment_tenant, issuer) else {
        let tenant_name = segment_tenant.name();
        return fail(
            &AadError::new(AadCode::ApplicationNotFound)
                .arg("client_id", issuer)
                .arg("tenant", tenant_name),
            ids,
        );
    };
    let Some(saml) = app.saml.as_ref() else {
        return fail(&AadError::new(AadCode::SamlMessageInvalid), ids);
    };
    let acs_url = match authn_request.acs_url.as_deref() {
        Some(acs) if saml.reply_urls.iter().any(|r| r == acs) => acs.to_string(),
        Some(acs) => {
            return fail(
                &AadError::new(AadCode::RedirectUriMismatch)
                    .arg("redirect_uri", acs)
                    .arg("client_id", &app.client_id),
                ids,
            )
        }
        None => saml.acs_url.clone(),
    };
    if !binding_supported(authn_request.protocol_binding.as_deref()) {
        let binding = authn_request.protocol_binding.clone().unwrap_or_default();
        return fail(
            &AadError::new(AadCode::SamlRequestUnsupported).arg(
                "request",
                format!("AuthnRequest with ProtocolBinding {binding}"),
            ),
            ids,
        );
    }
    let authn_context = match satisfiable_context(&authn_request) {
        Ok(context) => context,
        Err(requested) => {
            let error = AadError::new(AadCode::AuthnContextMismatch)
                .arg("method", "Password, ProtectedTransport")
                .arg("requested", requested)
                .arg("app", &app.display_name);
            return error_response_post(tenant, &acs_url, &authn_request, relay_state, &error, ids);
        }
    };
    let user = match choose_user(tenant, params) {
        Ok(user) => user,
        Err(error) => return fail(&error, ids),
    };
    let success = Success {
        tenant,
        user,
        app_client_id: &app.client_id,
        audience: &saml.entity_id,
        acs_url: &acs_url,
        in_response_to: Some(&authn_request.id),
        name_id_format: authn_request.name_id_format.as_deref(),
        authn_context,
        signing: saml.signing,
        at: ids.at,
    };
    answer(state, ids, app, &success, relay_state)
}

fn idp_initiated(
    state: &AppState,
    ids: &RequestIds,
    segment: TenantSegment<'_>,
    app_id: &str,
    params: &Params,
    relay_state: Option<&str>,
) -> Response {
    let found = match segment {
        TenantSegment::Tenant(tenant) => tenant.app(app_id).map(|app| (tenant, app)),
        TenantSegment::MultiTenant(_) => state.directory.app_anywhere(app_id),
    };
    let Some((tenant, app, saml)) = found.and_then(|(t, a)| a.saml.as_ref().map(|s| (t, a, s)))
    else {
        let tenant_name = segment.name();
        return fail(
            &AadError::new(AadCode::ApplicationNotFound)
                .arg("client_id", app_id)
                .arg("tenant", tenant_name),
            ids,
        );
    };
    let user = match choose_user(tenant, params) {
        Ok(user) => user,
        Err(error) => return fail(&error, ids),
    };
    let success = Success {
        tenant,
        user,
        app_client_id: &app.client_id,
        audience: &saml.entity_id,
        acs_url: &saml.acs_url,
        in_response_to: None,
        name_id_format: None,
        authn_context: AC_PASSWORD,
        signing: saml.signing,
        at: ids.at,
    };
    answer(state, ids, app, &success, relay_state)
}

/// Sign with the certificate Entra would choose, or end on AADSTS50003 when there is none.
fn answer(
    state: &AppState,
    ids: &RequestIds,
    app: &App,
    success: &Success<'_>,
    relay_state: Option<&str>,
) -> Response {
    let scenario = state.scenario_for(&success.tenant.id);
    let keys = match state.saml_keys.keys(&app.client_id, scenario) {
        Ok(keys) => keys,
        Err(err) => return internal(&err.to_string()),
    };
    let cert = match keys.signer(ids.at) {
        Ok(cert) => cert,
        Err(reason) => {
            let why = match reason {
                NoSigner::Missing => "no active signing certificate".to_string(),
                NoSigner::Dangling(thumbprint) => {
                    format!("preferredTokenSigningKeyThumbprint {thumbprint} names no certificate of the app")
                }
            };
            eprintln!("mock-sts: SAML app {}: {why}", app.client_id);
            return fail(&AadError::new(AadCode::MissingSigningKey), ids);
        }
    };
    match response::success_response(success, &cert) {
        Ok(xml) => html_response(
            StatusCode::OK,
            auto_post_form(
                success.acs_url,
                &base64::encode_standard(xml.as_bytes()),
                relay_state,
            ),
        ),
        Err(err) => internal(&err.to_string()),
    }
}

/// The server's own failure (a key it cannot make or use): not the client's fault, so not an AADSTS code.
fn internal(message: &str) -> Response {
    eprintln!("mock-sts: SAML sign-in failed inside the mock: {message}");
    html_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!(
            "<!DOCTYPE html>\n<html><body><p>mock-sts could not sign the SAML response: {}</p></body></html>\n",
            crate::util::html_text_escape(message)
        ),
    )
}

/// A SAML error Response auto-posted to the app, as Entra does for request content it can route back.
fn error_response_post(
    tenant: &Tenant,
    acs_url: &str,
    authn_request: &AuthnRequest,
    relay_state: Option<&str>,
    error: &AadError,
    ids: &RequestIds,
) -> Response {
    eprintln!(
        "mock-sts: saml2 error response to {acs_url}: {} (Request Id: {}, Correlation Id: {})",
        error.message(),
        ids.trace_id,
        ids.correlation_id
    );
    let xml = response::error_response(
        tenant,
        acs_url,
        Some(&authn_request.id),
        "urn:oasis:names:tc:SAML:2.0:status:RequestUnsupported",
        &error.message(),
        &ids.trace_id,
        ids.at,
    );
    html_response(
        StatusCode::OK,
        auto_post_form(
            acs_url,
            &base64::encode_standard(xml.as_bytes()),
            relay_state,
        ),
    )
}

/// The app whose SAML identifier (entity id) is the request's Issuer.
fn find_app_by_entity_id<'a>(
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

/// The AuthnContextClassRef to state: the mock's users sign in with a password, so only the password
/// classes (or `unspecified`) can be met; `better` never can. `Err` carries what was requested.
fn satisfiable_context(authn_request: &AuthnRequest) -> Result<&'static str, String> {
    let Some((comparison, classes)) = &authn_request.requested_authn_context else {
        return Ok(AC_PASSWORD);
    };
    let requested = classes.join(", ");
    if comparison == "better" {
        return Err(requested);
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
    Err(requested)
}
