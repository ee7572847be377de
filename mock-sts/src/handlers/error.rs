//! How a failed request leaves the server. Entra's endpoints return `Result<Response, EntraError>` and the
//! control API `Result<Response, ControlError>`; both implement `IntoResponse`, so a handler judges with `?`
//! and this module alone writes what the client sees.
//!
//! An [`AadError`] does not know how it will be shown: the endpoint does. At a handler's boundary,
//! `map_err(EntraError::json(&ids))` (token endpoint, discovery) or `map_err(EntraError::page(&ids))`
//! (browser flows) turns it into an `EntraError` carrying the request's identifiers. A new way of showing
//! an error is a new variant here and its arm in `into_response`.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use keyprobe_core::base64;
use serde_json::{json, Value};

use super::{html_response, json_response, Caching};
use crate::errors::{AadError, RequestIds};
use crate::saml::certs::KeyStoreError;
use crate::saml::response::auto_post_form;
use crate::scenario::{Scenario, UnknownScenario};
use crate::util::{html_text_escape, page_timestamp};

/// An Entra error on its way to the client, in the shape of the endpoint that raised it.
#[derive(Debug)]
pub(crate) enum EntraError {
    /// The token endpoint's JSON body (`error`, `error_description`, `error_codes`, ...), with the HTTP
    /// status the catalogue gives the code.
    Json(Box<Raised>),
    /// The sign-in error page of browser flows ("Sorry, but we're having trouble signing you in").
    Page(Box<Raised>),
    /// The sign-in error page of a SAML flow, also written to the server's log with its identifiers
    /// (a test harness driving a browser sees the log, not the page).
    SamlPage(Box<Raised>),
    /// A SAML error Response auto-posted back to the app's reply URL, as Entra does for request problems
    /// it can route back (HTTP 200: the failure is in the SAML status).
    SamlResponse(SamlErrorPost),
    /// The mock's own failure (a key it cannot make or use): not the client's fault, so no AADSTS code.
    Internal(InternalError),
}

/// An Entra error with the identifiers of the request that raised it.
#[derive(Debug)]
pub(crate) struct Raised {
    pub error: AadError,
    pub ids: RequestIds,
}

impl Raised {
    fn boxed(error: AadError, ids: &RequestIds) -> Box<Self> {
        Box::new(Raised {
            error,
            ids: ids.clone(),
        })
    }
}

impl EntraError {
    /// For `map_err`: the error as the token endpoint shows it.
    pub(crate) fn json(ids: &RequestIds) -> impl Fn(AadError) -> EntraError + Copy + '_ {
        move |error| EntraError::Json(Raised::boxed(error, ids))
    }

    /// For `map_err`: the error as the sign-in page shows it.
    pub(crate) fn page(ids: &RequestIds) -> impl Fn(AadError) -> EntraError + Copy + '_ {
        move |error| EntraError::Page(Raised::boxed(error, ids))
    }

    /// For `map_err`: the error as the sign-in page of a SAML flow shows it, logged too.
    pub(crate) fn saml_page(ids: &RequestIds) -> impl Fn(AadError) -> EntraError + Copy + '_ {
        move |error| EntraError::SamlPage(Raised::boxed(error, ids))
    }
}

impl From<InternalError> for EntraError {
    fn from(error: InternalError) -> Self {
        EntraError::Internal(error)
    }
}

impl IntoResponse for EntraError {
    fn into_response(self) -> Response {
        match self {
            EntraError::Json(raised) => json_error(&raised.error, &raised.ids),
            EntraError::Page(raised) => page_error(&raised.error, &raised.ids),
            EntraError::SamlPage(raised) => {
                let Raised { error, ids } = *raised;
                eprintln!(
                    "mock-sts: saml2 error page: {} (Request Id: {}, Correlation Id: {}, Timestamp: {})",
                    error.message(),
                    ids.trace_id,
                    ids.correlation_id,
                    page_timestamp(ids.at)
                );
                page_error(&error, &ids)
            }
            EntraError::SamlResponse(post) => post.into_response(),
            EntraError::Internal(error) => error.into_response(),
        }
    }
}

fn status_of(error: &AadError) -> StatusCode {
    StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST)
}

/// An error as the token endpoint returns it.
fn json_error(error: &AadError, ids: &RequestIds) -> Response {
    json_response(status_of(error), &error.to_json(ids), Caching::NoStore)
}

/// An error as the sign-in page shows it.
fn page_error(error: &AadError, ids: &RequestIds) -> Response {
    html_response(status_of(error), error.to_html(ids))
}

/// A SAML error Response (XML) and where it goes.
#[derive(Debug)]
pub(crate) struct SamlErrorPost {
    pub acs_url: String,
    pub relay_state: Option<String>,
    pub xml: String,
    /// What the server's log says about it.
    pub log_line: String,
}

impl IntoResponse for SamlErrorPost {
    fn into_response(self) -> Response {
        eprintln!("{}", self.log_line);
        html_response(
            StatusCode::OK,
            auto_post_form(
                &self.acs_url,
                &base64::encode_standard(self.xml.as_bytes()),
                self.relay_state.as_deref(),
            ),
        )
    }
}

/// What the mock was doing when it failed on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MockDuty {
    /// Signing a SAML Response (the browser gets a small HTML page).
    SignSamlResponse,
    /// Signing federation metadata (the client gets plain text).
    SignFederationMetadata,
}

/// The mock's own failure, with the underlying message.
#[derive(Debug)]
pub(crate) struct InternalError {
    pub duty: MockDuty,
    pub message: String,
}

impl InternalError {
    /// For `map_err`: any failure while doing `duty`.
    pub(crate) fn while_doing<E: std::fmt::Display>(duty: MockDuty) -> impl Fn(E) -> InternalError {
        move |err| InternalError {
            duty,
            message: err.to_string(),
        }
    }
}

impl IntoResponse for InternalError {
    fn into_response(self) -> Response {
        let message = self.message;
        match self.duty {
            MockDuty::SignSamlResponse => {
                eprintln!("mock-sts: SAML sign-in failed inside the mock: {message}");
                html_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!(
                        "<!DOCTYPE html>\n<html><body><p>mock-sts could not sign the SAML response: {}</p></body></html>\n",
                        html_text_escape(&message)
                    ),
                )
            }
            MockDuty::SignFederationMetadata => {
                eprintln!("mock-sts: federation metadata could not be signed: {message}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    format!("mock-sts could not sign the federation metadata: {message}\n"),
                )
                    .into_response()
            }
        }
    }
}

/// A control API (`/_mock/…`) failure: a JSON body `{"error": CODE, "message": TEXT}` with its status.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ControlError {
    #[error("the body is too large")]
    BodyTooLarge,
    #[error("{0}")]
    InvalidJson(String),
    /// `name` is the tenant asked for, when the request named one.
    #[error("{}", match name { Some(name) => format!("no tenant '{name}' is configured"), None => "no such tenant".to_string() })]
    UnknownTenant { name: Option<String> },
    #[error(transparent)]
    UnknownScenario(#[from] UnknownScenario),
    #[error("version must be 1 or 2")]
    InvalidVersion,
    #[error("no app '{0}' is configured")]
    UnknownApp(String),
    #[error("app '{0}' is not a SAML app")]
    NotASamlApp(String),
    #[error(transparent)]
    KeyStore(#[from] KeyStoreError),
    #[error("{0}")]
    KeyGeneration(String),
    #[error("{0}")]
    SigningFailed(String),
    #[error(transparent)]
    DeviceCode(#[from] crate::state::DeviceApprovalError),
    #[error("no user '{0}' in the device code's tenant")]
    UnknownUser(String),
    #[error(transparent)]
    Verification(#[from] crate::saml::verification::VerificationChangeError),
    #[error("app '{0}' is not a confidential client: only those authenticate with a certificate")]
    NotAConfidentialApp(String),
    #[error("the body is not a PEM or DER X.509 certificate")]
    InvalidCertificate,
    #[error("app '{0}' has {1} uploaded certificates, the most it can have")]
    TooManyClientCertificates(String, usize),
}

impl ControlError {
    /// The status and the `error` code clients branch on.
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ControlError::BodyTooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"),
            ControlError::InvalidJson(_) => (StatusCode::BAD_REQUEST, "invalid_json"),
            ControlError::UnknownTenant { .. } => (StatusCode::BAD_REQUEST, "unknown_tenant"),
            ControlError::UnknownScenario(_) => (StatusCode::BAD_REQUEST, "unknown_scenario"),
            ControlError::InvalidVersion => (StatusCode::BAD_REQUEST, "invalid_version"),
            ControlError::UnknownApp(_) => (StatusCode::NOT_FOUND, "unknown_app"),
            ControlError::NotASamlApp(_) => (StatusCode::BAD_REQUEST, "not_a_saml_app"),
            ControlError::KeyStore(KeyStoreError::UnknownApp(_)) => {
                (StatusCode::NOT_FOUND, "unknown_app")
            }
            ControlError::KeyStore(KeyStoreError::UnknownCertificate(_)) => {
                (StatusCode::NOT_FOUND, "unknown_certificate")
            }
            ControlError::KeyStore(KeyStoreError::ActiveCertificate) => {
                (StatusCode::CONFLICT, "certificate_active")
            }
            ControlError::KeyStore(KeyStoreError::TooManyCertificates) => {
                (StatusCode::CONFLICT, "too_many_certificates")
            }
            ControlError::KeyStore(KeyStoreError::Key(_)) | ControlError::KeyGeneration(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "key_generation_failed")
            }
            ControlError::SigningFailed(_) => (StatusCode::INTERNAL_SERVER_ERROR, "signing_failed"),
            ControlError::DeviceCode(crate::state::DeviceApprovalError::Unknown(_)) => {
                (StatusCode::NOT_FOUND, "unknown_device_code")
            }
            ControlError::DeviceCode(crate::state::DeviceApprovalError::Expired(_)) => {
                (StatusCode::GONE, "device_code_expired")
            }
            ControlError::UnknownUser(_) => (StatusCode::BAD_REQUEST, "unknown_user"),
            ControlError::Verification(error) => {
                use crate::saml::verification::VerificationChangeError as Change;
                match error {
                    Change::NotACertificate => (StatusCode::BAD_REQUEST, "invalid_certificate"),
                    Change::Duplicate(_) => (StatusCode::CONFLICT, "duplicate_certificate"),
                    Change::TooMany => (StatusCode::CONFLICT, "too_many_certificates"),
                    Change::Unknown(_) => (StatusCode::NOT_FOUND, "unknown_certificate"),
                }
            }
            ControlError::NotAConfidentialApp(_) => {
                (StatusCode::BAD_REQUEST, "not_a_confidential_app")
            }
            ControlError::InvalidCertificate => (StatusCode::BAD_REQUEST, "invalid_certificate"),
            ControlError::TooManyClientCertificates(..) => {
                (StatusCode::CONFLICT, "too_many_certificates")
            }
        }
    }
}

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let mut body = json!({"error": code, "message": self.to_string()});
        if let (ControlError::UnknownScenario(_), Some(map)) = (&self, body.as_object_mut()) {
            map.insert("known".into(), Value::from(Scenario::names()));
        }
        json_response(status, &body, Caching::None)
    }
}
