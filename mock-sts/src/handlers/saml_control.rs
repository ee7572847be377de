//! SAML signing certificates in the control API, the way the Entra portal manages them:
//! `POST /_mock/apps/{appId}/certificates` (a new, inactive certificate), `POST .../{thumbprint}/activate`
//! (make it the `preferredTokenSigningKeyThumbprint`), `DELETE .../{thumbprint}` (remove an inactive one),
//! and `GET /_mock/apps/{appId}/certificates` (the Graph-like view). Sign-in and the app's federation
//! metadata follow at once.
//!
//! The app's request-verification certificates (the portal's "Verification certificates", what signed
//! AuthnRequests and LogoutRequests are checked against): `GET`/`POST /_mock/apps/{appId}/verification-certificates`
//! (`{"certificate": PEM or base64 DER}`) and `DELETE .../verification-certificates/{thumbprint}`; the next
//! request is checked against the list as it is then.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::{json_response, read_body, Caching, ControlError, SharedState};
use crate::model::{RegisteredCertificate, SamlRegistration};
use crate::saml::certs::{KeyStoreError, SamlCertificate};
use crate::saml::verification::VerificationChangeError;
use crate::state::AppState;
use crate::util::now;

/// The SAML app and the scenario its tenant is under.
fn saml_app(state: &AppState, app_id: &str) -> Result<(String, crate::Scenario), ControlError> {
    match state.directory.app_anywhere(app_id) {
        Some((tenant, app)) if app.saml.is_some() => {
            Ok((app.client_id.clone(), state.scenario_for(&tenant.id)))
        }
        Some(_) => Err(ControlError::NotASamlApp(app_id.to_string())),
        None => Err(ControlError::UnknownApp(app_id.to_string())),
    }
}

/// A certificate's thumbprint and validity as the control API shows them (RFC 3339 dates): what SAML
/// signing certificates and request-verification certificates share.
fn dated_json(
    thumbprint: &str,
    not_before: time::OffsetDateTime,
    not_after: time::OffsetDateTime,
) -> Value {
    let format = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    json!({
        "thumbprint": thumbprint,
        "start_date_time": format(not_before),
        "end_date_time": format(not_after),
    })
}

fn certificate_json(cert: &SamlCertificate, active: bool) -> Value {
    let mut json = dated_json(&cert.thumbprint, cert.not_before, cert.not_after);
    json["active"] = json!(active);
    json["key_id"] = json!(cert.sign_key_id);
    json
}

/// The answer to a `DELETE` of a certificate: its thumbprint, upper-case.
fn removed(thumbprint: &str) -> Response {
    json_response(
        StatusCode::OK,
        &json!({"removed": thumbprint.to_ascii_uppercase()}),
        Caching::None,
    )
}

pub(crate) async fn list(
    State(state): State<SharedState>,
    Path(app_id): Path<String>,
) -> Result<Response, ControlError> {
    let (client_id, scenario) = saml_app(&state, &app_id)?;
    let keys = state.saml_keys.keys(&client_id, scenario)?;
    Ok(json_response(
        StatusCode::OK,
        &keys.to_json(now()),
        Caching::None,
    ))
}

pub(crate) async fn create(
    State(state): State<SharedState>,
    Path(app_id): Path<String>,
    body: Body,
) -> Result<Response, ControlError> {
    // Nothing is read from it, but an unread body would cost the client its keep-alive connection.
    let _ = read_body(body).await;
    let (client_id, scenario) = saml_app(&state, &app_id)?;
    state.saml_keys.has_room(&client_id, scenario)?;
    let made = tokio::task::spawn_blocking(SamlCertificate::generate_current)
        .await
        .map_err(|err| ControlError::KeyGeneration(err.to_string()))?
        .map_err(KeyStoreError::Key)?;
    let cert = state.saml_keys.add(&client_id, scenario, made)?;
    Ok(json_response(
        StatusCode::CREATED,
        &certificate_json(&cert, false),
        Caching::None,
    ))
}

pub(crate) async fn activate(
    State(state): State<SharedState>,
    Path((app_id, thumbprint)): Path<(String, String)>,
    body: Body,
) -> Result<Response, ControlError> {
    let _ = read_body(body).await;
    let (client_id, scenario) = saml_app(&state, &app_id)?;
    let cert = state
        .saml_keys
        .activate(&client_id, scenario, &thumbprint)?;
    Ok(json_response(
        StatusCode::OK,
        &certificate_json(&cert, true),
        Caching::None,
    ))
}

pub(crate) async fn remove(
    State(state): State<SharedState>,
    Path((app_id, thumbprint)): Path<(String, String)>,
) -> Result<Response, ControlError> {
    let (client_id, scenario) = saml_app(&state, &app_id)?;
    state.saml_keys.remove(&client_id, scenario, &thumbprint)?;
    Ok(removed(&thumbprint))
}

/// The SAML app's client id and registration.
fn saml_registration<'a>(
    state: &'a AppState,
    app_id: &str,
) -> Result<(&'a str, &'a SamlRegistration), ControlError> {
    match state.directory.app_anywhere(app_id) {
        Some((_, app)) => match &app.saml {
            Some(saml) => Ok((&app.client_id, saml)),
            None => Err(ControlError::NotASamlApp(app_id.to_string())),
        },
        None => Err(ControlError::UnknownApp(app_id.to_string())),
    }
}

fn verification_certificate_json(cert: &RegisteredCertificate) -> Value {
    dated_json(&cert.thumbprint, cert.not_before, cert.not_after)
}

/// `GET /_mock/apps/{appId}/verification-certificates`: the settings and the certificates in force.
pub(crate) async fn list_verification(
    State(state): State<SharedState>,
    Path(app_id): Path<String>,
) -> Result<Response, ControlError> {
    let (client_id, saml) = saml_registration(&state, &app_id)?;
    let settings = state.request_verification.settings(client_id, saml);
    let certificates: Vec<Value> = settings
        .certificates
        .iter()
        .map(verification_certificate_json)
        .collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "require_signed_requests": settings.required,
            "allow_sha1_request_signatures": settings.allow_sha1,
            "verification_certificates": certificates,
        }),
        Caching::None,
    ))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct NewVerificationCertificate {
    /// PEM, or base64 of the DER certificate.
    certificate: String,
}

/// `POST /_mock/apps/{appId}/verification-certificates` `{"certificate": PEM or base64 DER}`: upload one.
pub(crate) async fn add_verification(
    State(state): State<SharedState>,
    Path(app_id): Path<String>,
    body: Body,
) -> Result<Response, ControlError> {
    let request: NewVerificationCertificate = super::control::read_json(body).await?;
    let (client_id, _) = saml_registration(&state, &app_id)?;
    let text = request.certificate.trim();
    let encoded = if text.starts_with("-----BEGIN") {
        text.as_bytes().to_vec()
    } else {
        let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        keyprobe_core::base64::decode_standard(&compact)
            .map_err(|_| VerificationChangeError::NotACertificate)?
    };
    let cert = state.request_verification.add(client_id, &encoded)?;
    Ok(json_response(
        StatusCode::CREATED,
        &verification_certificate_json(&cert),
        Caching::None,
    ))
}

/// `DELETE /_mock/apps/{appId}/verification-certificates/{thumbprint}`.
pub(crate) async fn remove_verification(
    State(state): State<SharedState>,
    Path((app_id, thumbprint)): Path<(String, String)>,
) -> Result<Response, ControlError> {
    let (client_id, _) = saml_registration(&state, &app_id)?;
    state.request_verification.remove(client_id, &thumbprint)?;
    Ok(removed(thumbprint.trim()))
}

/// Put each SAML app's certificates (Graph's `keyCredentials`, the preferred thumbprint and a plain
/// list) into its `saml` object of a `/_mock/config` body.
pub(crate) fn add_saml_keys_to_config(state: &AppState, body: &mut Value) {
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
            let verification: Vec<Value> = state
                .request_verification
                .certificates(&app.client_id)
                .iter()
                .map(|cert| serde_json::to_value(cert).unwrap_or(Value::Null))
                .collect();
            if let Some(settings) = app_json
                .get_mut("saml")
                .and_then(|saml| saml.get_mut("request_verification"))
                .and_then(Value::as_object_mut)
            {
                settings.insert("certificates".into(), Value::from(verification));
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
