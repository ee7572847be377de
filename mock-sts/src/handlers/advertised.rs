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

/// What Entra checks first at each of these endpoints, in its order: the tenant, then the method.
fn admitted(
    state: &AppState,
    tenant: &str,
    method: &Method,
    accepted: Method,
) -> Result<(), AadError> {
    resolve_tenant(state, tenant)?;
    if *method != accepted {
        return Err(method_not_accepted(method, accepted.as_str()));
    }
    Ok(())
}

/// A method the endpoint does not take (AADSTS900561 names both).
fn method_not_accepted(method: &Method, accepted: &str) -> AadError {
    AadError::new(AadCode::EndpointMethodNotAccepted)
        .arg("valid_verbs", accepted)
        .arg("invalid_verb", method.as_str())
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
/// SEQUENCE). A GET is told the endpoint takes POST (900561); a POST whose body is not one DER SEQUENCE
/// (its tag, a definite length, and exactly that many bytes) is malformed (9002313); one that is gets
/// 90082, as the mock issues no Kerberos tickets.
pub(crate) async fn kerberos(
    State(state): State<SharedState>,
    Extension(ids): Extension<RequestIds>,
    Path(tenant): Path<String>,
    method: Method,
    body: Body,
) -> Response {
    let error = match admitted(&state, &tenant, &method, Method::POST) {
        Err(error) => error,
        Ok(()) => match read_body(body).await {
            Ok(bytes) if is_der_sequence(&bytes) => not_served(KERBEROS),
            _ => AadError::new(AadCode::MalformedRequest),
        },
    };
    shown_for(&ids, &method)(error).into_response()
}

/// One DER SEQUENCE and nothing after it: tag 0x30, a definite length in DER's shortest form, and
/// exactly that many content bytes. The contents are not parsed: the mock forwards nothing.
fn is_der_sequence(bytes: &[u8]) -> bool {
    let [0x30, first, rest @ ..] = bytes else {
        return false;
    };
    let (length, contents) = match *first {
        short @ 0..=0x7f => (usize::from(short), rest),
        // Long form: 1 to 4 length octets, no leading zero, and only for lengths short form cannot say.
        long @ 0x81..=0x84 => {
            let octets = usize::from(long & 0x7f);
            let Some((length, contents)) = rest.split_at_checked(octets) else {
                return false;
            };
            if length.first() == Some(&0) {
                return false;
            }
            let length = length
                .iter()
                .fold(0usize, |n, &b| (n << 8) | usize::from(b));
            if length < 0x80 {
                return false;
            }
            (length, contents)
        }
        // 0x80 is the indefinite length, which DER forbids; longer length fields are not plausible.
        _ => return false,
    };
    contents.len() == length
}

/// `/{tenant}/oauth2/checksession`: Entra serves the session check iframe to a GET; the mock answers
/// 90082 there, and 900561 to other methods.
pub(crate) async fn check_session(
    State(state): State<SharedState>,
    Extension(ids): Extension<RequestIds>,
    Path(tenant): Path<String>,
    method: Method,
) -> Response {
    let error = admitted(&state, &tenant, &method, Method::GET)
        .err()
        .unwrap_or_else(|| not_served(SESSION_IFRAME));
    shown_for(&ids, &method)(error).into_response()
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
        let error = method_not_accepted(&method, "GET, POST");
        return shown_for(&ids, &method)(error).into_response();
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

#[cfg(test)]
mod tests {
    use super::is_der_sequence;

    #[test]
    fn a_kdc_proxy_body_must_be_exactly_one_der_sequence() {
        assert!(is_der_sequence(&[0x30, 0x00]));
        assert!(is_der_sequence(&[0x30, 0x03, 0x04, 0x01, 0x00]));
        let mut long = vec![0x30, 0x81, 0x80];
        long.extend([0u8; 0x80]);
        assert!(is_der_sequence(&long));
        // Not a SEQUENCE, cut short, trailing bytes, indefinite or non-minimal lengths.
        for body in [
            &b""[..],
            b"ticket?",
            &[0x30],
            &[0x31, 0x00],
            &[0x30, 0x05, 0xa0, 0x03],
            &[0x30, 0x00, 0x00],
            &[0x30, 0x80, 0x00, 0x00],
            &[0x30, 0x81, 0x01, 0x00],
            &[0x30, 0x82, 0x00, 0x80],
            &[0x30, 0x85, 0x00, 0x00, 0x00, 0x00, 0x01],
        ] {
            assert!(!is_der_sequence(body), "{body:02x?}");
        }
    }
}
