//! Entra's cross-origin rules at the token endpoint. A request with an `Origin` header comes from a browser;
//! Entra lets a browser redeem only what was issued to a single-page-app (SPA) redirect URI, with PKCE and
//! without a client secret, and lets nothing else redeem those. What is from where:
//!
//! - The rules: Microsoft's auth code flow page ("Redirect URIs for single-page apps"): a `spa` redirect
//!   URI without an `Origin` header is an error, and client credentials are refused in every flow when an
//!   `Origin` header is present. The codes and texts: public reports quoting Entra's responses (see the
//!   catalogue entries 9002325, 9002326, 9002327 in keyprobe-core).
//! - The 24-hour lifetime of SPA refresh tokens, not extended by redeeming them: the same page.
//! - CORS headers: the captured token response (a server-side request, no `Origin`) has none; discovery
//!   and key sets carry `Access-Control-Allow-Origin: *` (capture). That Entra adds them to every answer to
//!   a browser, errors included, is inferred from MSAL.js reading AADSTS9002326 bodies in the browser
//!   (public reports since 2021), not from a captured header; the `*` value mirrors the discovery capture.

use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;

use super::client_auth::PresentedCredentials;
use super::Params;
use crate::errors::{AadCode, AadError};
use crate::model::{App, Platform};
use crate::state::AppState;

/// Lifetime of a refresh token issued to a single-page app.
pub(crate) const SPA_REFRESH_TOKEN_SECONDS: i64 = 24 * 3600;

/// Who sent a token request, by its `Origin` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Caller {
    /// No `Origin`: a server, a CLI, a desktop app.
    Server,
    /// A browser, with the origin it named.
    Browser(String),
}

impl Caller {
    pub(crate) fn of(headers: &HeaderMap) -> Self {
        match headers.get(axum::http::header::ORIGIN) {
            Some(origin) => {
                Caller::Browser(String::from_utf8_lossy(origin.as_bytes()).into_owned())
            }
            None => Caller::Server,
        }
    }
}

/// What kind of redemption a token request is, once the cross-origin rules allow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Redemption {
    /// A single-page app redeeming from the browser: a public client, whatever the app's kind.
    Spa,
    /// Anything else: the client authenticates as its kind requires.
    Other,
}

/// Apply the rules to a request for `app` before the client is authenticated (Entra answers these
/// before it asks for a secret).
pub(crate) fn redemption(
    state: &AppState,
    app: &App,
    grant_type: &str,
    params: &Params,
    presented: &PresentedCredentials,
    caller: &Caller,
) -> Result<Redemption, AadError> {
    let (issued_to_spa, has_pkce) = issued_to_spa(state, app, grant_type, params);
    match caller {
        Caller::Server if issued_to_spa => Err(AadError::new(AadCode::SpaRedemptionNeedsOrigin)),
        Caller::Server => Ok(Redemption::Other),
        Caller::Browser(origin) => {
            let credential = presented.secret.is_some() || presented.assertion.is_some();
            if !issued_to_spa || credential {
                return Err(
                    AadError::new(AadCode::CrossOriginRedemptionNotAllowed).arg("origin", origin)
                );
            }
            if !has_pkce {
                return Err(AadError::new(AadCode::CrossOriginRedemptionNeedsPkce));
            }
            Ok(Redemption::Spa)
        }
    }
}

/// Whether the code or refresh token presented was issued to a SPA redirect URI of `app`, and whether
/// (for a code) its authorization request used PKCE.
fn issued_to_spa(state: &AppState, app: &App, grant_type: &str, params: &Params) -> (bool, bool) {
    let grants = state.grants();
    match grant_type {
        "authorization_code" => params
            .get("code")
            .and_then(|code| grants.peek_code(code))
            .filter(|grant| grant.client_id == app.client_id)
            .map(|grant| {
                let spa = app.redirect_platform(&grant.redirect_uri) == Some(Platform::Spa);
                (spa, grant.code_challenge.is_some())
            })
            .unwrap_or((false, false)),
        "refresh_token" => {
            let spa = params
                .get("refresh_token")
                .is_some_and(|token| grants.is_spa_refresh_token(token));
            (spa, true)
        }
        _ => (false, false),
    }
}

/// The CORS headers of an answer to a browser.
pub(crate) fn allow_browsers(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    headers.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("POST, OPTIONS"),
    );
    headers.insert(
        "access-control-allow-headers",
        HeaderValue::from_static("*"),
    );
}
