//! The device authorization endpoint (`/{tenant}/oauth2/v2.0/devicecode`, v1 `/{tenant}/oauth2/devicecode`)
//! and its approval in the control API: `GET /_mock/device-codes` lists the codes waiting, `POST
//! /_mock/device-codes/{user_code}/approve` (`{"user": UPN}`, else the tenant's first user) signs the user
//! in, as a person would at `https://microsoft.com/devicelogin`. The dashboard has a button for it; the
//! `verification_uri` the mock hands out is the dashboard. Polling is in [`super::user_grants`].

use axum::body::Body;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::control::read_json;
use super::token::Endpoint;
use super::{
    json_response, read_body, registered_app, resolve_tenant, Caching, ControlError, EntraError,
    Params, SharedState,
};
use crate::errors::{AadError, RequestIds};
use crate::model::TenantSegment;
use crate::scopes::delegated_scopes;
use crate::state::{AppState, DeviceCodeGrant};
use crate::util::{from_unix, now, random_token};

/// Entra's lifetime of a device code and the polling interval it asks for.
pub(crate) const DEVICE_CODE_SECONDS: i64 = 900;
const POLL_INTERVAL_SECONDS: i64 = 5;
/// Entra's user codes are nine capitals and digits (`BPPVYQZMA`); these leave out look-alikes.
const USER_CODE_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const USER_CODE_LENGTH: usize = 9;

pub(crate) async fn devicecode_v2(
    state: State<SharedState>,
    ids: Extension<RequestIds>,
    tenant: Path<String>,
    body: Body,
) -> Response {
    devicecode(state, ids, tenant, body, Endpoint::V2).await
}

pub(crate) async fn devicecode_v1(
    state: State<SharedState>,
    ids: Extension<RequestIds>,
    tenant: Path<String>,
    body: Body,
) -> Response {
    devicecode(state, ids, tenant, body, Endpoint::V1).await
}

async fn devicecode(
    State(state): State<SharedState>,
    Extension(ids): Extension<RequestIds>,
    Path(tenant): Path<String>,
    body: Body,
    endpoint: Endpoint,
) -> Response {
    let answer = async {
        let params = Params::parse(&read_body(body).await?)?;
        start(&state, &tenant, &params, endpoint)
    };
    answer
        .await
        .map(|body| json_response(StatusCode::OK, &body, Caching::NoStore))
        .map_err(EntraError::json(&ids))
        .into_response()
}

/// A new device code for the client and scopes asked for, checked as the token endpoint would check them.
fn start(
    state: &AppState,
    segment_text: &str,
    params: &Params,
    endpoint: Endpoint,
) -> Result<Value, AadError> {
    let segment = resolve_tenant(state, segment_text)?;
    let client_id = params.require("client_id")?;
    let (tenant, app) = registered_app(state, segment, segment_text, client_id)?;
    let (scope, v1_resource) = match endpoint {
        Endpoint::V2 => (params.require("scope")?, None),
        Endpoint::V1 => (
            params.get("scope").unwrap_or("openid"),
            Some(params.require("resource")?.to_string()),
        ),
    };
    let scopes: Vec<String> = scope.split_whitespace().map(str::to_string).collect();
    delegated_scopes(tenant, &scopes, v1_resource.as_deref())?;
    let expires_at = now().unix_timestamp() + DEVICE_CODE_SECONDS;
    let device_code = format!("DAQABIQEAAAD{}", random_token(96));
    let mut grants = state.grants();
    let user_code = loop {
        let candidate = user_code();
        let grant = DeviceCodeGrant {
            tenant_id: tenant.id.clone(),
            client_id: app.client_id.clone(),
            user_code: candidate.clone(),
            scopes: scopes.clone(),
            v1_resource: v1_resource.clone(),
            expires_at,
            approved_by: None,
        };
        if grants.add_device_code(device_code.clone(), grant) {
            break candidate;
        }
    };
    drop(grants);
    let verification_uri = format!("{}/_mock/", state.base_url);
    let mut body = Map::new();
    body.insert("user_code".into(), user_code.clone().into());
    body.insert("device_code".into(), device_code.into());
    // v1 (ADAL's endpoint) names it `verification_url`, v2 `verification_uri`.
    let uri_name = match endpoint {
        Endpoint::V2 => "verification_uri",
        Endpoint::V1 => "verification_url",
    };
    body.insert(uri_name.into(), verification_uri.clone().into());
    body.insert("expires_in".into(), DEVICE_CODE_SECONDS.into());
    body.insert("interval".into(), POLL_INTERVAL_SECONDS.into());
    body.insert(
        "message".into(),
        format!("To sign in, use a web browser to open the page {verification_uri} and enter the code {user_code} to authenticate.").into(),
    );
    Ok(Value::Object(body))
}

fn user_code() -> String {
    let mut bytes = [0u8; USER_CODE_LENGTH];
    if openssl::rand::rand_bytes(&mut bytes).is_err() {
        bytes.copy_from_slice(&uuid::Uuid::new_v4().as_bytes()[..USER_CODE_LENGTH]);
    }
    bytes
        .iter()
        .map(|b| char::from(USER_CODE_ALPHABET[usize::from(*b) % USER_CODE_ALPHABET.len()]))
        .collect()
}

fn rfc3339(seconds: i64) -> String {
    from_unix(seconds)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn grant_json(state: &AppState, grant: &DeviceCodeGrant, now: i64) -> Value {
    let tenant = state.directory.resolve(&grant.tenant_id);
    let approved_by = match (tenant, grant.approved_by.as_deref()) {
        (Some(TenantSegment::Tenant(tenant)), Some(oid)) => tenant
            .user(oid)
            .map(|u| Value::from(u.user_principal_name.clone()))
            .unwrap_or(Value::Null),
        _ => Value::Null,
    };
    let status = if grant.expires_at < now {
        "expired"
    } else if grant.approved_by.is_some() {
        "approved"
    } else {
        "pending"
    };
    json!({
        "user_code": grant.user_code,
        "client_id": grant.client_id,
        "tenant": grant.tenant_id,
        "scopes": grant.scopes,
        "resource": grant.v1_resource,
        "expires_at": rfc3339(grant.expires_at),
        "status": status,
        "approved_by": approved_by,
    })
}

/// `GET /_mock/device-codes`: the device codes not yet redeemed, with the users who may approve them.
pub(crate) async fn list(State(state): State<SharedState>) -> Response {
    let now = now().unix_timestamp();
    let codes: Vec<Value> = state
        .grants()
        .device_codes()
        .iter()
        .map(|grant| grant_json(&state, grant, now))
        .collect();
    json_response(
        StatusCode::OK,
        &json!({ "device_codes": codes }),
        Caching::None,
    )
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ApproveRequest {
    /// UPN, email or object id; the tenant's first user when absent.
    user: Option<String>,
}

/// `POST /_mock/device-codes/{user_code}/approve`: the user signs in at the verification page and enters
/// the code; the client's next poll gets the tokens.
pub(crate) async fn approve(
    State(state): State<SharedState>,
    Path(user_code): Path<String>,
    body: Body,
) -> Result<Response, ControlError> {
    let bytes = read_body(body)
        .await
        .map_err(|_| ControlError::BodyTooLarge)?;
    let request: ApproveRequest = if bytes.iter().all(u8::is_ascii_whitespace) {
        ApproveRequest::default()
    } else {
        read_json(Body::from(bytes)).await?
    };
    let grant = state
        .grants()
        .device_code_by_user_code(&user_code)
        .ok_or_else(|| crate::state::DeviceApprovalError::Unknown(user_code.clone()))?;
    let Some(TenantSegment::Tenant(tenant)) = state.directory.resolve(&grant.tenant_id) else {
        return Err(ControlError::UnknownTenant {
            name: Some(grant.tenant_id),
        });
    };
    let user = match request.user.as_deref() {
        Some(hint) => tenant.user(hint),
        None => tenant.users.first(),
    }
    .ok_or_else(|| ControlError::UnknownUser(request.user.clone().unwrap_or_default()))?;
    let now = now().unix_timestamp();
    let approved = state
        .grants()
        .approve_device_code(&user_code, &user.object_id, now)?;
    Ok(json_response(
        StatusCode::OK,
        &grant_json(&state, &approved, now),
        Caching::None,
    ))
}
