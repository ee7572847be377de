//! The token endpoint's grants that end in a user's tokens without a browser: the device code grant (the
//! code approved on the dashboard or through the control API), the resource owner password grant (users
//! with a configured password) and on-behalf-of (`jwt-bearer` with a user token this mock issued for the
//! middle-tier app). Each answers as [`super::token::user_tokens`] does, so the scenario in force signs
//! their tokens as it signs the others.

use serde_json::Value;

use super::token::{user_tokens, AuthenticatedClient, Endpoint, REFRESH_TOKEN_SECONDS};
use super::Params;
use crate::errors::{AadCode, AadError};
use crate::jwt;
use crate::model::{App, Tenant, User};
use crate::state::{AppState, DevicePoll, RefreshGrant};
use crate::util::{from_unix, now, ticks_timestamp};

pub(crate) const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// ADAL's name for the device code grant at the v1 endpoint.
const DEVICE_CODE_GRANT_V1: &str = "device_code";
pub(crate) const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const PASSWORD_GRANT: &str = "password";

/// Whether `grant_type` is one of this module's.
pub(crate) fn handles(grant_type: &str) -> bool {
    matches!(
        grant_type,
        DEVICE_CODE_GRANT | DEVICE_CODE_GRANT_V1 | JWT_BEARER_GRANT | PASSWORD_GRANT
    )
}

pub(crate) fn grant(
    state: &AppState,
    client: &AuthenticatedClient<'_>,
    grant_type: &str,
    params: &Params,
    endpoint: Endpoint,
) -> Result<Value, AadError> {
    match grant_type {
        DEVICE_CODE_GRANT | DEVICE_CODE_GRANT_V1 => device_code(state, client, params, endpoint),
        PASSWORD_GRANT => password(state, client, params, endpoint),
        JWT_BEARER_GRANT => on_behalf_of(state, client, params, endpoint),
        other => Err(AadError::new(AadCode::UnsupportedGrantType).arg("grant_type", other)),
    }
}

/// A grant for `user` and `scopes`, answered as the other delegated grants are.
fn tokens_for(
    state: &AppState,
    client: &AuthenticatedClient<'_>,
    params: &Params,
    endpoint: Endpoint,
    user: &User,
    scopes: Vec<String>,
) -> Result<Value, AadError> {
    let grant = RefreshGrant {
        tenant_id: client.tenant.id.clone(),
        client_id: client.app.client_id.clone(),
        user_object_id: user.object_id.clone(),
        scopes,
        expires_at: now().unix_timestamp() + REFRESH_TOKEN_SECONDS,
    };
    let version = endpoint.id_token_version();
    user_tokens(state, client, params, endpoint, &grant, None, version)
}

fn scopes_of(params: &Params, endpoint: Endpoint) -> Result<Vec<String>, AadError> {
    let scope = match endpoint {
        Endpoint::V2 => params.require("scope")?,
        Endpoint::V1 => params.get("scope").unwrap_or("openid"),
    };
    Ok(scope.split_whitespace().map(str::to_string).collect())
}

/// Polling with a device code: pending until approved, then the user's tokens once.
fn device_code(
    state: &AppState,
    client: &AuthenticatedClient<'_>,
    params: &Params,
    endpoint: Endpoint,
) -> Result<Value, AadError> {
    // The v1 endpoint takes the code as `code` (Entra asks for 'code' when it is missing), v2 as `device_code`.
    let presented = match endpoint {
        Endpoint::V2 => params.require("device_code")?,
        Endpoint::V1 => params.require("code")?,
    };
    let polled =
        state
            .grants()
            .poll_device_code(presented, &client.app.client_id, now().unix_timestamp());
    let grant = match polled {
        DevicePoll::Approved(grant) => grant,
        DevicePoll::Pending => return Err(AadError::new(AadCode::DeviceAuthorizationPending)),
        DevicePoll::Expired => return Err(AadError::new(AadCode::DeviceCodeExpired)),
        DevicePoll::Unknown => return Err(AadError::new(AadCode::DeviceCodeNotValid)),
    };
    if grant.tenant_id != client.tenant.id {
        return Err(AadError::new(AadCode::DeviceCodeNotValid));
    }
    let user = grant
        .approved_by
        .as_deref()
        .and_then(|oid| client.tenant.user(oid))
        .ok_or_else(|| AadError::new(AadCode::DeviceCodeNotValid))?;
    // The v1 resource was named when the code was asked for; the poll need not repeat it.
    let params = match &grant.v1_resource {
        Some(resource) => {
            Params(vec![("resource".to_string(), resource.clone())]).merged(params.clone())
        }
        None => params.clone(),
    };
    tokens_for(state, client, &params, endpoint, user, grant.scopes.clone())
}

/// Resource owner password credentials, for users whose password the configuration gives.
fn password(
    state: &AppState,
    client: &AuthenticatedClient<'_>,
    params: &Params,
    endpoint: Endpoint,
) -> Result<Value, AadError> {
    let username = params.require("username")?;
    let presented = params.require("password")?;
    let scopes = scopes_of(params, endpoint)?;
    let user = client.tenant.user(username).ok_or_else(|| {
        AadError::new(AadCode::UserNotFound)
            .arg("user", username)
            .arg("tenant", client.tenant.primary_domain())
            .with_error("invalid_grant")
    })?;
    let matches = user.password.as_deref().is_some_and(|expected| {
        expected.len() == presented.len()
            && openssl::memcmp::eq(expected.as_bytes(), presented.as_bytes())
    });
    if !matches {
        return Err(AadError::new(AadCode::InvalidUsernameOrPassword));
    }
    tokens_for(state, client, params, endpoint, user, scopes)
}

/// On-behalf-of: a confidential client exchanges a user's token for itself (the assertion) for a token
/// to a downstream API, for the same user.
fn on_behalf_of(
    state: &AppState,
    client: &AuthenticatedClient<'_>,
    params: &Params,
    endpoint: Endpoint,
) -> Result<Value, AadError> {
    client.require_credential()?;
    match params.require("requested_token_use")? {
        "on_behalf_of" => {}
        _ => return Err(AadError::new(AadCode::MalformedRequest)),
    }
    let assertion = params.require("assertion")?;
    let scopes = scopes_of(params, endpoint)?;
    let user = assertion_user(state, client.tenant, client.app, assertion)?;
    tokens_for(state, client, params, endpoint, user, scopes)
}

/// The user an OBO assertion speaks for, once it is shown to be this mock's token for `app`, in time.
fn assertion_user<'t>(
    state: &AppState,
    tenant: &'t Tenant,
    app: &App,
    assertion: &str,
) -> Result<&'t User, AadError> {
    let decoded = jwt::decode(assertion).map_err(|err| {
        AadError::new(AadCode::InvalidJwtToken)
            .arg("reason", format!("The token is malformed: {err}."))
    })?;
    let kid = decoded
        .header_str("kid")
        .or_else(|| decoded.header_str("x5t"))
        .unwrap_or_default()
        .to_string();
    let key = state
        .all_keys()
        .into_iter()
        .find(|key| !kid.is_empty() && key.kid == kid)
        .ok_or_else(|| {
            AadError::new(AadCode::AssertionFailedSignatureValidation).arg("thumbprint", &kid)
        })?;
    let verified = key
        .public_key()
        .map(|public| decoded.verify(&public))
        .unwrap_or(false);
    if !verified {
        return Err(AadError::new(AadCode::AssertionSignatureMismatch).arg("thumbprint", &kid));
    }
    let now = now();
    let expires = decoded.claim_time("exp").ok_or_else(|| {
        AadError::new(AadCode::InvalidJwtToken).arg("reason", "The token has no 'exp' claim.")
    })?;
    if expires < now.unix_timestamp() {
        return Err(AadError::new(AadCode::AssertionExpired)
            .arg("now", ticks_timestamp(now))
            .arg("expires", ticks_timestamp(from_unix(expires))));
    }
    let audience = decoded.claim_str("aud").unwrap_or_default();
    if !is_audience_of(app, audience) {
        return Err(AadError::new(AadCode::AssertionAudienceNotClient)
            .arg("audience", audience)
            .arg("client_id", &app.client_id)
            .arg("app_name", &app.display_name));
    }
    let oid = decoded.claim_str("oid").unwrap_or_default();
    tenant.user(oid).filter(|_| !oid.is_empty()).ok_or_else(|| {
        AadError::new(AadCode::UserNotFound)
            .arg("user", oid)
            .arg("tenant", tenant.primary_domain())
            .with_error("invalid_grant")
    })
}

/// `aud` names `app`: its client id, `api://{client id}` or one of its app ID URIs.
fn is_audience_of(app: &App, audience: &str) -> bool {
    let audience = audience.trim_end_matches('/');
    app.client_id.eq_ignore_ascii_case(audience)
        || audience
            .strip_prefix("api://")
            .is_some_and(|id| app.client_id.eq_ignore_ascii_case(id))
        || app
            .app_id_uris
            .iter()
            .any(|uri| uri.trim_end_matches('/').eq_ignore_ascii_case(audience))
}
