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
