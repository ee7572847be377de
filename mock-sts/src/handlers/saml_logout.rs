//! SAML single logout at `/{tenant}/saml2`, as Microsoft's "Single Sign-Out SAML Protocol" page
//! describes it: an app sends a `LogoutRequest` over HTTP-Redirect (Entra does not take the POST
//! binding for it); its `Issuer` must be the identifier of an app of the tenant; its `NameID` is not
//! considered, the browser's session is what ends. Entra then redirects to the app's registered logout
//! URL with a `LogoutResponse` (Success, `InResponseTo` the request's ID), or, with no logout URL,
//! stays on its signed-out page. When the app requires signed requests, the LogoutRequest's query
//! signature is checked as an AuthnRequest's is.
//!
//! The session lives in the cookie (see [`crate::session`]), so ending it is a `Set-Cookie` that empties
//! it: no server state changes, whoever sent the request.

use axum::http::header;
use axum::response::Response;

use super::authorize::{redirect, signed_out_page};
use super::error::{InternalError, MockDuty};
use super::saml::{
    find_app_by_entity_id, request_error, signature_error, signing_certificate, Received,
};
use super::EntraError;
use crate::errors::{AadCode, AadError, RequestIds};
use crate::model::TenantSegment;
use crate::saml::logout;
use crate::saml::request::{Binding, RequestProblem};
use crate::saml::request_signature;
use crate::saml::response::{issuer, CLOCK_SKEW_ALLOWANCE};
use crate::session::SessionKey;
use crate::state::AppState;

/// Answer the LogoutRequest `xml` (already decoded from the binding that carried it).
pub(super) fn single_logout(
    state: &AppState,
    ids: &RequestIds,
    segment: TenantSegment<'_>,
    xml: &str,
    relay_state: Option<&str>,
    received: Received<'_>,
) -> Result<Response, EntraError> {
    let page = EntraError::saml_page(ids);
    let raw_query = match received {
        Received::Redirect { raw_query } => raw_query,
        Received::Post => return Err(page(AadError::new(AadCode::SamlRequestUnsupported).arg(
            "request",
            "LogoutRequest over the HTTP-POST binding (single sign-out takes HTTP-Redirect only)",
        ))),
    };
    let request = logout::parse(xml).map_err(request_error).map_err(page)?;
    let issuer_name = request
        .issuer
        .as_deref()
        .ok_or_else(|| page(AadError::new(AadCode::SamlMessageInvalid)))?;
    let (tenant, app) = find_app_by_entity_id(state, segment, issuer_name).ok_or_else(|| {
        page(
            AadError::new(AadCode::ApplicationNotFound)
                .arg("client_id", issuer_name)
                .arg("tenant", segment.name()),
        )
    })?;
    let saml = app
        .saml
        .as_ref()
        .ok_or_else(|| page(AadError::new(AadCode::SamlMessageInvalid)))?;
    if saml.request_verification.required {
        request_signature::check(
            &state.request_verification.settings(&app.client_id, saml),
            Binding::Redirect,
            raw_query,
            xml,
        )
        .map_err(|problem| page(signature_error(app, problem)))?;
    }
    if let Some(expiry) = request.not_on_or_after {
        if ids.at >= expiry + CLOCK_SKEW_ALLOWANCE {
            return Err(page(request_error(RequestProblem::Malformed(
                "the LogoutRequest has expired",
            ))));
        }
    }
    let mut response = match saml.logout_url.as_deref() {
        None => signed_out_page(),
        Some(logout_url) => {
            let cert = signing_certificate(state, ids, tenant, app)?;
            // The metadata's entity ID, as a 2025 capture of Entra's own logout message has it, not the
            // login.microsoftonline.com form Microsoft's page shows (README, *Single logout*).
            let answer = logout::response_xml(&issuer(tenant), logout_url, &request.id, ids.at);
            let location = logout::redirect_url(logout_url, &answer, relay_state, &cert)
                .map_err(InternalError::while_doing(MockDuty::SignSamlResponse))?;
            redirect(&location)
        }
    };
    let https = state.base_url.starts_with("https://");
    response
        .headers_mut()
        .append(header::SET_COOKIE, SessionKey::clear_cookie(https));
    Ok(response)
}
