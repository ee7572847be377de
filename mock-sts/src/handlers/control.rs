//! The control API under `/_mock/`: readiness, the configuration in force, the scenario, key rotation and
//! minting a token for tests that need one without a flow.

use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{json_response, read_body, Caching, SharedState};
use crate::keys::{SigningKey, ENTRA_SIGNING_CN};
use crate::model::TenantSegment;
use crate::scenario::Scenario;
use crate::tokens;

fn control_error(status: StatusCode, error: &str, message: String) -> Response {
    json_response(
        status,
        &json!({"error": error, "message": message}),
        Caching::None,
    )
}

async fn read_json<T: for<'de> Deserialize<'de>>(body: Body) -> Result<T, Response> {
    let bytes = read_body(body).await.map_err(|_| {
        control_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "the body is too large".into(),
        )
    })?;
    serde_json::from_slice(&bytes)
        .map_err(|err| control_error(StatusCode::BAD_REQUEST, "invalid_json", err.to_string()))
}

pub async fn health(State(state): State<SharedState>) -> Response {
    json_response(
        StatusCode::OK,
        &json!({"status": "ok", "scenario": state.scenario().name(), "base_url": state.base_url}),
        Caching::None,
    )
}

pub async fn config(State(state): State<SharedState>) -> Response {
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

pub async fn get_scenario(State(state): State<SharedState>) -> Response {
    json_response(
        StatusCode::OK,
        &json!({"scenario": state.scenario().name(), "tenants": tenant_scenarios(&state)}),
        Caching::None,
    )
}

pub async fn set_scenario(State(state): State<SharedState>, body: Body) -> Response {
    let request: ScenarioRequest = match read_json(body).await {
        Ok(request) => request,
        Err(response) => return response,
    };
    match (
        request.scenario.parse::<Scenario>(),
        request.tenant.as_deref(),
    ) {
        (Ok(scenario), None) => {
            let previous = state.set_scenario(scenario);
            json_response(
                StatusCode::OK,
                &json!({"scenario": scenario.name(), "previous": previous.name()}),
                Caching::None,
            )
        }
        (Ok(scenario), Some(name)) => match state.directory.resolve(name) {
            Some(TenantSegment::Tenant(tenant)) => {
                let previous = state.set_tenant_scenario(&tenant.id, scenario);
                json_response(
                    StatusCode::OK,
                    &json!({"scenario": scenario.name(), "previous": previous.name(), "tenant": tenant.id}),
                    Caching::None,
                )
            }
            _ => control_error(
                StatusCode::BAD_REQUEST,
                "unknown_tenant",
                format!("no tenant '{name}' is configured"),
            ),
        },
        (Err(err), _) => json_response(
            StatusCode::BAD_REQUEST,
            &json!({"error": "unknown_scenario", "message": err.to_string(), "known": Scenario::names()}),
            Caching::None,
        ),
    }
}

/// Promote the next key to signing key, keep the old one published, and make a new next key.
pub async fn rotate_keys(State(state): State<SharedState>, body: Body) -> Response {
    // Nothing is read from it, but an unread body would cost the client its keep-alive connection.
    let _ = read_body(body).await;
    let fresh = match tokio::task::spawn_blocking(|| SigningKey::generate(ENTRA_SIGNING_CN)).await {
        Ok(Ok(key)) => key,
        Ok(Err(err)) => {
            return control_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "key_generation_failed",
                err.to_string(),
            )
        }
        Err(err) => {
            return control_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "key_generation_failed",
                err.to_string(),
            )
        }
    };
    let scenario = state.scenario();
    let mut keys = state.keys();
    let retired = keys.current.kid.clone();
    keys.rotate(fresh);
    let body = json!({
        "signing_kid": keys.signing_key(scenario).kid,
        "retired_kid": retired,
        "published_kids": keys.published(scenario).iter().map(|k| k.kid.clone()).collect::<Vec<_>>(),
    });
    json_response(StatusCode::OK, &body, Caching::None)
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
pub async fn mint_token(State(state): State<SharedState>, body: Body) -> Response {
    let request: MintRequest = match read_json(body).await {
        Ok(request) => request,
        Err(response) => return response,
    };
    let tenant = match request.tenant.as_deref() {
        None => state.directory.default_tenant(),
        Some(name) => match state.directory.resolve(name) {
            Some(TenantSegment::Tenant(tenant)) => Some(tenant),
            _ => None,
        },
    };
    let Some(tenant) = tenant else {
        return control_error(
            StatusCode::BAD_REQUEST,
            "unknown_tenant",
            "no such tenant".into(),
        );
    };
    let version = request.version.unwrap_or(2);
    if version != 1 && version != 2 {
        return control_error(
            StatusCode::BAD_REQUEST,
            "invalid_version",
            "version must be 1 or 2".into(),
        );
    }
    let lifetime = request
        .lifetime_seconds
        .unwrap_or(tokens::ACCESS_TOKEN_SECONDS)
        .clamp(-10 * 365 * 86_400, 10 * 365 * 86_400);
    match tokens::mint(&state, tenant, version, lifetime, request.claims) {
        Ok((token, claims)) => {
            let kid = state
                .keys()
                .signing_key(state.scenario_for(&tenant.id))
                .kid
                .clone();
            json_response(
                StatusCode::OK,
                &json!({"token": token, "kid": kid, "claims": claims}),
                Caching::None,
            )
        }
        Err(error) => control_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "signing_failed",
            error.message(),
        ),
    }
}
