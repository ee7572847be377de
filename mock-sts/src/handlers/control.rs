//! The control API under `/_mock/`: readiness, the configuration in force, the scenario, key rotation and
//! minting a token for tests that need one without a flow.

use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{json_response, read_body, Caching, ControlError, SharedState};
use crate::keys::{SigningKey, ENTRA_SIGNING_CN};
use crate::model::TenantSegment;
use crate::scenario::Scenario;
use crate::tokens;

/// The JSON body of a control request.
pub(crate) async fn read_json<T: for<'de> Deserialize<'de>>(body: Body) -> Result<T, ControlError> {
    let bytes = read_body(body)
        .await
        .map_err(|_| ControlError::BodyTooLarge)?;
    serde_json::from_slice(&bytes).map_err(|err| ControlError::InvalidJson(err.to_string()))
}

pub(crate) async fn health(State(state): State<SharedState>) -> Response {
    json_response(
        StatusCode::OK,
        &json!({"status": "ok", "scenario": state.scenario().name(), "base_url": state.base_url}),
        Caching::None,
    )
}

pub(crate) async fn config(State(state): State<SharedState>) -> Response {
    let scenario = state.scenario();
    let (signing, published) = {
        let keys = state.keys();
        (
            keys.signing_key(scenario).kid.clone(),
            keys.published(scenario)
                .iter()
                .map(|k| k.kid.clone())
                .collect::<Vec<_>>(),
        )
    };
    let mut body = json!({
        "origin": state.config_origin,
        "base_url": state.base_url,
        "state_dir": state.state_dir.display().to_string(),
        "scenario": scenario.name(),
        "tenant_scenarios": tenant_scenarios(&state),
        "scenarios": Scenario::names(),
        "signing_keys": {"signing_kid": signing, "published_kids": published},
        "tenants": state.directory.tenants,
    });
    super::saml_control::add_saml_keys_to_config(&state, &mut body);
    json_response(StatusCode::OK, &body, Caching::None)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioRequest {
    scenario: String,
    /// Only this tenant (GUID or domain); without it, every tenant.
    tenant: Option<String>,
}

fn tenant_scenarios(state: &crate::state::AppState) -> Value {
    let map: Map<String, Value> = state
        .tenant_scenarios()
        .into_iter()
        .map(|(tenant, s)| (tenant, Value::from(s.name())))
        .collect();
    Value::Object(map)
}

pub(crate) async fn get_scenario(State(state): State<SharedState>) -> Response {
    json_response(
        StatusCode::OK,
        &json!({"scenario": state.scenario().name(), "tenants": tenant_scenarios(&state)}),
        Caching::None,
    )
}

pub(crate) async fn set_scenario(
    State(state): State<SharedState>,
    body: Body,
) -> Result<Response, ControlError> {
    let request: ScenarioRequest = read_json(body).await?;
    let scenario = request.scenario.parse::<Scenario>()?;
    let body = match request.tenant.as_deref() {
        None => {
            let previous = state.set_scenario(scenario);
            json!({"scenario": scenario.name(), "previous": previous.name()})
        }
        Some(name) => {
            let Some(TenantSegment::Tenant(tenant)) = state.directory.resolve(name) else {
                return Err(ControlError::UnknownTenant {
                    name: Some(name.to_string()),
                });
            };
            let previous = state.set_tenant_scenario(&tenant.id, scenario);
            json!({"scenario": scenario.name(), "previous": previous.name(), "tenant": tenant.id})
        }
    };
    Ok(json_response(StatusCode::OK, &body, Caching::None))
}

/// Promote the next key to signing key, keep the old one published, and make a new next key.
pub(crate) async fn rotate_keys(
    State(state): State<SharedState>,
    body: Body,
) -> Result<Response, ControlError> {
    // Nothing is read from it, but an unread body would cost the client its keep-alive connection.
    let _ = read_body(body).await;
    let fresh = tokio::task::spawn_blocking(|| SigningKey::generate(ENTRA_SIGNING_CN))
        .await
        .map_err(|err| ControlError::KeyGeneration(err.to_string()))?
        .map_err(|err| ControlError::KeyGeneration(err.to_string()))?;
    let scenario = state.scenario();
    let (retired, keys) = state.rotate_keys(fresh);
    let body = json!({
        "signing_kid": keys.signing_key(scenario).kid,
        "retired_kid": retired,
        "published_kids": keys.published(scenario).iter().map(|k| k.kid.clone()).collect::<Vec<_>>(),
    });
    Ok(json_response(StatusCode::OK, &body, Caching::None))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MintRequest {
    tenant: Option<String>,
    version: Option<u8>,
    lifetime_seconds: Option<i64>,
    #[serde(default)]
    claims: Map<String, Value>,
}

/// `POST /_mock/token` `{"claims": {...}, "version": 1|2, "tenant": ID, "lifetime_seconds": N}`: a token
/// signed the way the scenario in force signs, with Entra's default claims under the given ones.
pub(crate) async fn mint_token(
    State(state): State<SharedState>,
    body: Body,
) -> Result<Response, ControlError> {
    let request: MintRequest = read_json(body).await?;
    let tenant = match request.tenant.as_deref() {
        None => state.directory.default_tenant(),
        Some(name) => match state.directory.resolve(name) {
            Some(TenantSegment::Tenant(tenant)) => Some(tenant),
            _ => None,
        },
    };
    let tenant = tenant.ok_or(ControlError::UnknownTenant { name: None })?;
    let version = request.version.unwrap_or(2);
    if version != 1 && version != 2 {
        return Err(ControlError::InvalidVersion);
    }
    let lifetime = request
        .lifetime_seconds
        .unwrap_or(tokens::ACCESS_TOKEN_SECONDS)
        .clamp(-10 * 365 * 86_400, 10 * 365 * 86_400);
    let (token, claims) = tokens::mint(&state, tenant, version, lifetime, request.claims)
        .map_err(|error| ControlError::SigningFailed(error.message()))?;
    let kid = state
        .keys()
        .signing_key(state.scenario_for(&tenant.id))
        .kid
        .clone();
    Ok(json_response(
        StatusCode::OK,
        &json!({"token": token, "kid": kid, "claims": claims}),
        Caching::None,
    ))
}

/// The confidential app `app_id` names.
fn confidential_app<'a>(
    state: &'a crate::state::AppState,
    app_id: &str,
) -> Result<&'a crate::model::App, ControlError> {
    match state.directory.app_anywhere(app_id) {
        Some((_, app)) if app.is_confidential() => Ok(app),
        Some(_) => Err(ControlError::NotAConfidentialApp(app_id.to_string())),
        None => Err(ControlError::UnknownApp(app_id.to_string())),
    }
}

fn client_certificate_json(cert: &crate::model::RegisteredCertificate) -> Value {
    let format = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    json!({
        "thumbprint": cert.thumbprint,
        "start_date_time": format(cert.starts),
        "end_date_time": format(cert.expires),
    })
}

/// `POST /_mock/apps/{appId}/client-certificates` with a certificate (PEM or DER, or JSON `{"pem": …}`) as
/// the body: the portal's
/// Certificates & secrets, Upload certificate. Client assertions signed with its key are accepted from
/// then on, in every scenario (a scenario changes the credentials of the configuration, not this one).
pub(crate) async fn upload_client_certificate(
    State(state): State<SharedState>,
    axum::extract::Path(app_id): axum::extract::Path<String>,
    body: Body,
) -> Result<Response, ControlError> {
    let bytes = read_body(body)
        .await
        .map_err(|_| ControlError::BodyTooLarge)?;
    let app = confidential_app(&state, &app_id)?;
    // `{"pem": "-----BEGIN CERTIFICATE-----…"}` (the dashboard), or the certificate itself (curl).
    let bytes = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => match map.get("pem") {
            Some(Value::String(pem)) => pem.clone().into_bytes(),
            _ => return Err(ControlError::InvalidCertificate),
        },
        _ => bytes.to_vec(),
    };
    let cert = openssl::x509::X509::from_pem(&bytes)
        .or_else(|_| openssl::x509::X509::from_der(&bytes))
        .map_err(|_| ControlError::InvalidCertificate)?;
    let registered =
        crate::config::registered_certificate(&cert).ok_or(ControlError::InvalidCertificate)?;
    let count = state
        .upload_client_certificate(&app.client_id, registered.clone())
        .ok_or_else(|| {
            ControlError::TooManyClientCertificates(
                app.client_id.clone(),
                crate::state::MAX_UPLOADED_CLIENT_CERTIFICATES,
            )
        })?;
    let mut body = client_certificate_json(&registered);
    if let Some(map) = body.as_object_mut() {
        map.insert("uploaded".into(), Value::from(count));
    }
    Ok(json_response(StatusCode::CREATED, &body, Caching::None))
}

/// `GET /_mock/apps/{appId}/client-certificates`: the certificates uploaded at run time.
pub(crate) async fn list_client_certificates(
    State(state): State<SharedState>,
    axum::extract::Path(app_id): axum::extract::Path<String>,
) -> Result<Response, ControlError> {
    let app = confidential_app(&state, &app_id)?;
    let list: Vec<Value> = state
        .uploaded_client_certificates(&app.client_id)
        .iter()
        .map(client_certificate_json)
        .collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({ "value": list }),
        Caching::None,
    ))
}
