//! `GET /{tenant}/federationmetadata/2007-06/federationmetadata.xml`: the tenant's federation metadata,
//! signed with the tenant signing key and listing the published tenant keys; with `?appid=` a SAML app's
//! own document, listing the certificate Entra signs its tokens with (none when it has none: the
//! metadata of a `missing-signing-key` app has no signing KeyDescriptor).

use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use keyprobe_core::base64;

use super::{page_error, query_params, resolve_tenant, SharedState};
use crate::errors::{AadCode, AadError, RequestIds};
use crate::model::TenantSegment;
use crate::saml::metadata::{unsigned, MetadataInput};
use crate::saml::sign::{sign_enveloped, sign_enveloped_with};

pub async fn federation_metadata(
    State(state): State<SharedState>,
    Extension(ids): Extension<RequestIds>,
    Path(segment): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = match query_params(query.as_deref()) {
        Ok(params) => params,
        Err(error) => return page_error(&error, &ids),
    };
    let tenant_segment = match resolve_tenant(&state, &segment) {
        Ok(tenant) => tenant,
        Err(error) => return page_error(&error, &ids),
    };
    let app = match params.get("appid") {
        None => None,
        Some(app_id) => {
            let found = match tenant_segment {
                TenantSegment::Tenant(tenant) => tenant.app(app_id).map(|a| (tenant, a)),
                TenantSegment::MultiTenant(_) => state.directory.app_anywhere(app_id),
            };
            match found {
                Some(found) => Some(found),
                None => {
                    let tenant_name = tenant_segment.name();
                    let error = AadError::new(AadCode::ApplicationNotFound)
                        .arg("client_id", app_id)
                        .arg("tenant", tenant_name);
                    return page_error(&error, &ids);
                }
            }
        }
    };
    // The tenant the document speaks for: the app's, the one named, or the `{tenantid}` template.
    let tenant = app.map(|(t, _)| t).or(match tenant_segment {
        TenantSegment::Tenant(t) => Some(t),
        TenantSegment::MultiTenant(_) => None,
    });
    let entity_id = match tenant {
        Some(t) => format!("https://sts.windows.net/{}/", t.id),
        None => "https://sts.windows.net/{tenantid}/".to_string(),
    };
    let endpoint_base = match (tenant, tenant_segment) {
        (Some(t), _) => format!("{}/{}", state.base_url, t.id),
        (None, TenantSegment::MultiTenant(name)) => format!("{}/{name}", state.base_url),
        (None, TenantSegment::Tenant(t)) => format!("{}/{}", state.base_url, t.id),
    };
    let scenario = tenant
        .map(|t| state.scenario_for(&t.id))
        .unwrap_or_else(|| state.scenario());
    let tenant_key = state.keys().signing_key(scenario);
    let signed = match app {
        Some((tenant, app)) if app.saml.is_some() => {
            let keys = match state.saml_keys.keys(&app.client_id, scenario) {
                Ok(keys) => keys,
                Err(err) => return internal(&err.to_string()),
            };
            let signer = keys.signer(ids.at).ok();
            let certificates: Vec<String> = signer.iter().map(|c| c.cert_b64()).collect();
            let (xml, id) = unsigned(&MetadataInput {
                entity_id: &entity_id,
                endpoint_base: &format!("{}/{}", state.base_url, tenant.id),
                certificates: &certificates,
            });
            match signer {
                Some(cert) => sign_enveloped(&xml, &id, &cert),
                None => tenant_key
                    .to_pem()
                    .map_err(|e| e.to_string())
                    .and_then(|pem| {
                        sign_enveloped_with(
                            &xml,
                            &id,
                            &base64::encode_standard(&tenant_key.cert_der),
                            &pem,
                        )
                        .map_err(|e| e.to_string())
                    })
                    .map_err(crate::saml::sign::SignError::from_message),
            }
        }
        _ => {
            let certificates: Vec<String> = match app.and_then(|(_, a)| state.app_key(&a.client_id))
            {
                Some(app_key) => vec![base64::encode_standard(&app_key.cert_der)],
                None => state
                    .keys()
                    .published(scenario)
                    .iter()
                    .map(|k| base64::encode_standard(&k.cert_der))
                    .collect(),
            };
            let (xml, id) = unsigned(&MetadataInput {
                entity_id: &entity_id,
                endpoint_base: &endpoint_base,
                certificates: &certificates,
            });
            tenant_key
                .to_pem()
                .map_err(|e| crate::saml::sign::SignError::from_message(e.to_string()))
                .and_then(|pem| {
                    sign_enveloped_with(
                        &xml,
                        &id,
                        &base64::encode_standard(&tenant_key.cert_der),
                        &pem,
                    )
                })
        }
    };
    match signed {
        Ok(xml) => {
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
        Err(err) => internal(&err.to_string()),
    }
}

fn internal(message: &str) -> Response {
    eprintln!("mock-sts: federation metadata could not be signed: {message}");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("mock-sts could not sign the federation metadata: {message}\n"),
    )
        .into_response()
}
