//! `GET /{tenant}/federationmetadata/2007-06/federationmetadata.xml`: the tenant's federation metadata,
//! signed with the tenant signing key and listing the published tenant keys; with `?appid=` a SAML app's
//! own document, listing the certificate Entra signs its tokens with (none when it has none: the
//! metadata of a `missing-signing-key` app has no signing KeyDescriptor).
//!
//! [`subject`] decides whom the document speaks for, [`contents`] what it lists and who signs it, and
//! [`write`] alone produces the XML.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use keyprobe_core::base64;
use time::OffsetDateTime;

use super::error::{InternalError, MockDuty};
use super::{query_params, resolve_tenant, EntraError, SharedState};
use crate::errors::{AadCode, AadError, RequestIds};
use crate::keys::SigningKey;
use crate::metadata_cache::{DocumentKey, Endpoint, Made};
use crate::model::{App, Tenant, TenantSegment};
use crate::saml::certs::SamlCertificate;
use crate::saml::metadata::{unsigned, MetadataInput};
use crate::saml::sign::{sign_enveloped, sign_enveloped_with, SignError};
use crate::state::AppState;

pub(crate) async fn federation_metadata(
    State(state): State<SharedState>,
    Extension(ids): Extension<RequestIds>,
    Path(segment): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, EntraError> {
    let subject = subject(&state, &segment, query.as_deref()).map_err(EntraError::page(&ids))?;
    let key = DocumentKey {
        endpoint: Endpoint::FederationMetadata,
        segment: subject.segment.clone(),
        app: subject.app.map(|app| app.client_id.clone()),
    };
    let xml = state
        .metadata
        .get_or_make(key, state.metadata_stamp(), ids.at, || {
            let contents = contents(&state, &subject, ids.at)?;
            Ok::<_, InternalError>(Made {
                body: write(&contents)?.into(),
                changes_at: contents.changes_at,
            })
        })?;
    Ok(xml_response(xml))
}

/// Whom the document speaks for.
struct Subject<'a> {
    /// The tenant: the app's, or the one the path names; none for `common`, `organizations` and
    /// `consumers`, whose documents carry the `{tenantid}` template.
    tenant: Option<&'a Tenant>,
    /// The app named by `?appid=`.
    app: Option<&'a App>,
    /// Where the endpoints live: the mock's base URL and the tenant id or the alias.
    endpoint_base: String,
    /// The tenant segment as resolved (a tenant's GUID or the alias), for the metadata cache.
    segment: String,
}

fn subject<'a>(
    state: &'a AppState,
    segment: &str,
    query: Option<&str>,
) -> Result<Subject<'a>, AadError> {
    let params = query_params(query)?;
    let segment = resolve_tenant(state, segment)?;
    let app = match params.get("appid") {
        None => None,
        Some(app_id) => {
            let found = match segment {
                TenantSegment::Tenant(tenant) => tenant.app(app_id).map(|a| (tenant, a)),
                TenantSegment::MultiTenant(_) => state.directory.app_anywhere(app_id),
            };
            Some(found.ok_or_else(|| {
                AadError::new(AadCode::ApplicationNotFound)
                    .arg("client_id", app_id)
                    .arg("tenant", segment.name())
            })?)
        }
    };
    let tenant = app.map(|(t, _)| t).or(match segment {
        TenantSegment::Tenant(t) => Some(t),
        TenantSegment::MultiTenant(_) => None,
    });
    let endpoint_base = match (tenant, segment) {
        (Some(t), _) | (None, TenantSegment::Tenant(t)) => format!("{}/{}", state.base_url, t.id),
        (None, TenantSegment::MultiTenant(name)) => format!("{}/{name}", state.base_url),
    };
    Ok(Subject {
        tenant,
        app: app.map(|(_, a)| a),
        endpoint_base,
        segment: segment.name(),
    })
}

/// What the document lists and who signs it.
struct Contents {
    entity_id: String,
    endpoint_base: String,
    /// The signing certificates listed, base64 DER.
    certificates: Vec<String>,
    signer: Signer,
    /// When a SAML app's signing certificate may change with the clock alone (one expires or starts).
    changes_at: Option<OffsetDateTime>,
}

enum Signer {
    /// A SAML app's signing certificate, the one its document lists.
    SamlCertificate(Arc<SamlCertificate>),
    /// The tenant signing key in force (also for a SAML app without a certificate).
    TenantKey(Arc<SigningKey>),
}

/// A SAML app's document lists the certificate Entra would sign its tokens with (none when there is
/// none); any other lists the app's own key when it has one, else the tenant keys the scenario publishes.
fn contents(
    state: &AppState,
    subject: &Subject<'_>,
    at: OffsetDateTime,
) -> Result<Contents, InternalError> {
    let entity_id = match subject.tenant {
        Some(t) => format!("https://sts.windows.net/{}/", t.id),
        None => "https://sts.windows.net/{tenantid}/".to_string(),
    };
    let scenario = subject
        .tenant
        .map(|t| state.scenario_for(&t.id))
        .unwrap_or_else(|| state.scenario());
    let tenant_key = state.keys().signing_key(scenario);
    let mut changes_at = None;
    let (certificates, signer) = match subject.app {
        Some(app) if app.saml.is_some() => {
            let keys = state
                .saml_keys
                .keys(&app.client_id, scenario)
                .map_err(InternalError::while_doing(MockDuty::SignFederationMetadata))?;
            changes_at = keys.next_change_after(at);
            match keys.signer(at) {
                Ok(cert) => (vec![cert.cert_b64()], Signer::SamlCertificate(cert)),
                Err(_) => (Vec::new(), Signer::TenantKey(tenant_key)),
            }
        }
        app => {
            let certificates = match app.and_then(|a| state.app_key(&a.client_id)) {
                Some(app_key) => vec![base64::encode_standard(&app_key.cert_der)],
                None => state
                    .keys()
                    .published(scenario)
                    .iter()
                    .map(|k| base64::encode_standard(&k.cert_der))
                    .collect(),
            };
            (certificates, Signer::TenantKey(tenant_key))
        }
    };
    Ok(Contents {
        entity_id,
        endpoint_base: subject.endpoint_base.clone(),
        certificates,
        signer,
        changes_at,
    })
}

/// The signed XML.
fn write(contents: &Contents) -> Result<String, InternalError> {
    let (xml, id) = unsigned(&MetadataInput {
        entity_id: &contents.entity_id,
        endpoint_base: &contents.endpoint_base,
        certificates: &contents.certificates,
    });
    let signed = match &contents.signer {
        Signer::SamlCertificate(cert) => sign_enveloped(&xml, &id, cert),
        Signer::TenantKey(key) => key
            .to_pem()
            .map_err(|e| SignError::from_message(e.to_string()))
            .and_then(|pem| {
                sign_enveloped_with(&xml, &id, &base64::encode_standard(&key.cert_der), &pem)
            }),
    };
    signed.map_err(InternalError::while_doing(MockDuty::SignFederationMetadata))
}

fn xml_response(xml: Bytes) -> Response {
    let mut response = (StatusCode::OK, xml).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=86400, private"),
    );
    headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    response
}
