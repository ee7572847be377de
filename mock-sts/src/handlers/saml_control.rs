//! SAML signing certificates in the control API, the way the Entra portal manages them:
//! `POST /_mock/apps/{appId}/certificates` (a new, inactive certificate), `POST .../{thumbprint}/activate`
//! (make it the `preferredTokenSigningKeyThumbprint`), `DELETE .../{thumbprint}` (remove an inactive one),
//! and `GET /_mock/apps/{appId}/certificates` (the Graph-like view). Sign-in and the app's federation
//! metadata follow at once.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::{json_response, read_body, Caching, SharedState};
use crate::saml::certs::{KeyStoreError, SamlCertificate};
use crate::state::AppState;
use crate::util::now;

fn control_error(status: StatusCode, error: &str, message: String) -> Response {
    json_response(
        status,
        &json!({"error": error, "message": message}),
        Caching::None,
    )
}

fn store_error(err: KeyStoreError) -> Response {
    match err {
        KeyStoreError::UnknownApp(_) => {
            control_error(StatusCode::NOT_FOUND, "unknown_app", err.to_string())
        }
        KeyStoreError::UnknownCertificate(_) => control_error(
            StatusCode::NOT_FOUND,
            "unknown_certificate",
            err.to_string(),
        ),
        KeyStoreError::ActiveCertificate => {
            control_error(StatusCode::CONFLICT, "certificate_active", err.to_string())
        }
        KeyStoreError::Key(err) => control_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "key_generation_failed",
            err.to_string(),
        ),
    }
}

/// The SAML app and the scenario its tenant is under.
fn saml_app(state: &AppState, app_id: &str) -> Result<(String, crate::Scenario), Box<Response>> {
    match state.directory.app_anywhere(app_id) {
        Some((tenant, app)) if app.saml.is_some() => {
            Ok((app.client_id.clone(), state.scenario_for(&tenant.id)))
        }
        Some(_) => Err(Box::new(control_error(
            StatusCode::BAD_REQUEST,
            "not_a_saml_app",
            format!("app '{app_id}' is not a SAML app"),
        ))),
        None => Err(Box::new(control_error(
            StatusCode::NOT_FOUND,
            "unknown_app",
            format!("no app '{app_id}' is configured"),
        ))),
    }
}

fn certificate_json(cert: &SamlCertificate, active: bool) -> Value {
    let format = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    json!({
        "thumbprint": cert.thumbprint,
        "start_date_time": format(cert.not_before),
        "end_date_time": format(cert.not_after),
        "active": active,
        "key_id": cert.sign_key_id,
    })
}

pub async fn list(State(state): State<SharedState>, Path(app_id): Path<String>) -> Response {
    let (client_id, scenario) = match saml_app(&state, &app_id) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    match state.saml_keys.keys(&client_id, scenario) {
        Ok(keys) => json_response(StatusCode::OK, &keys.to_json(now()), Caching::None),
        Err(err) => store_error(err),
    }
}

pub async fn create(
    State(state): State<SharedState>,
    Path(app_id): Path<String>,
    body: Body,
) -> Response {
    // Nothing is read from it, but an unread body would cost the client its keep-alive connection.
    let _ = read_body(body).await;
    let (client_id, scenario) = match saml_app(&state, &app_id) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let made = match tokio::task::spawn_blocking(SamlCertificate::generate_current).await {
        Ok(Ok(cert)) => cert,
        Ok(Err(err)) => return store_error(KeyStoreError::Key(err)),
        Err(err) => {
            return control_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "key_generation_failed",
                err.to_string(),
            )
        }
    };
    match state.saml_keys.add(&client_id, scenario, made) {
        Ok(cert) => json_response(
            StatusCode::CREATED,
            &certificate_json(&cert, false),
            Caching::None,
        ),
        Err(err) => store_error(err),
    }
}

pub async fn activate(
    State(state): State<SharedState>,
    Path((app_id, thumbprint)): Path<(String, String)>,
    body: Body,
) -> Response {
    let _ = read_body(body).await;
    let (client_id, scenario) = match saml_app(&state, &app_id) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    match state.saml_keys.activate(&client_id, scenario, &thumbprint) {
        Ok(cert) => json_response(
            StatusCode::OK,
            &certificate_json(&cert, true),
            Caching::None,
        ),
        Err(err) => store_error(err),
    }
}

pub async fn remove(
    State(state): State<SharedState>,
    Path((app_id, thumbprint)): Path<(String, String)>,
) -> Response {
    let (client_id, scenario) = match saml_app(&state, &app_id) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    match state.saml_keys.remove(&client_id, scenario, &thumbprint) {
        Ok(()) => json_response(
            StatusCode::OK,
            &json!({"removed": thumbprint.to_ascii_uppercase()}),
            Caching::None,
        ),
        Err(err) => store_error(err),
    }
}

/// Put each SAML app's certificates (Graph's `keyCredentials`, the preferred thumbprint and a plain
/// list) into its `saml` object of a `/_mock/config` body.
pub fn add_saml_keys_to_config(state: &AppState, body: &mut Value) {
    let Some(tenants) = body.get_mut("tenants").and_then(Value::as_array_mut) else {
        return;
    };
    for (tenant_json, tenant) in tenants.iter_mut().zip(&state.directory.tenants) {
        let scenario = state.scenario_for(&tenant.id);
        let Some(apps) = tenant_json.get_mut("apps").and_then(Value::as_array_mut) else {
            continue;
        };
        for (app_json, app) in apps.iter_mut().zip(&tenant.apps) {
            if app.saml.is_none() {
                continue;
            }
            let Ok(keys) = state.saml_keys.keys(&app.client_id, scenario) else {
                continue;
            };
            if let (Some(saml), Value::Object(view)) = (
                app_json.get_mut("saml").and_then(Value::as_object_mut),
                keys.to_json(now()),
            ) {
                saml.extend(view);
            }
        }
    }
}
