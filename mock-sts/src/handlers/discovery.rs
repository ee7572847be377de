//! Metadata: OIDC discovery (v2 and v1 shapes), the JWKS, and the instance discovery document MSAL asks for.
//! Shapes and member order follow the captures in `../shared/entra-samples`, with the mock's base URL in
//! place of `https://login.microsoftonline.com`.

use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use super::{
    bytes_response, json_response, query_params, resolve_tenant, Caching, EntraError, SharedState,
    JSON_CONTENT_TYPE,
};
use crate::errors::RequestIds;
use crate::metadata_cache::{DocumentKey, Endpoint, Made};
use crate::model::{TenantSegment, CONSUMERS_TENANT_ID};
use crate::state::AppState;
use crate::tokens::{v1_issuer, v2_issuer};

/// The path segment endpoints use (a tenant's GUID even when asked by domain) and the tenant id that
/// issuers carry (the `{tenantid}` template for `common` and `organizations`).
fn segment_and_tid(segment: TenantSegment<'_>) -> (String, String) {
    match segment {
        TenantSegment::Tenant(tenant) => (tenant.id.clone(), tenant.id.clone()),
        TenantSegment::MultiTenant("consumers") => ("consumers".into(), CONSUMERS_TENANT_ID.into()),
        TenantSegment::MultiTenant(name) => (name.to_string(), "{tenantid}".into()),
    }
}

/// The tenant the path names; discovery answers an unknown one as `invalid_tenant`.
fn discovery_tenant<'a>(
    state: &'a AppState,
    segment: &str,
    ids: &RequestIds,
) -> Result<TenantSegment<'a>, EntraError> {
    resolve_tenant(state, segment)
        .map_err(|error| error.with_error("invalid_tenant"))
        .map_err(EntraError::json(ids))
}

/// The `appid` query parameter, if given (a query that does not parse names none).
fn appid(query: Option<&str>) -> Option<String> {
    query_params(query)
        .ok()
        .and_then(|p| p.get("appid").map(str::to_string))
}

fn appid_suffix(appid: Option<&str>) -> String {
    appid
        .map(|id| {
            format!(
                "?appid={}",
                url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()
            )
        })
        .unwrap_or_default()
}

/// A discovery document through the cache: `make` runs only when no kept copy serves. Discovery echoes
/// `?appid=` whatever it names, so only documents without one, or naming a registered app exactly, are
/// kept (anything else would let clients grow the cache without bound).
fn discovery_response(
    state: &AppState,
    endpoint: Endpoint,
    segment: TenantSegment<'_>,
    appid: Option<&str>,
    ids: &RequestIds,
    make: impl FnOnce() -> Value,
) -> Response {
    let registered = |id: &str| {
        state
            .directory
            .app_anywhere(id)
            .is_some_and(|(_, app)| app.client_id == id)
    };
    if appid.is_some_and(|id| !registered(id)) {
        return json_response(StatusCode::OK, &make(), Caching::Metadata);
    }
    let key = DocumentKey {
        endpoint,
        segment: segment.name(),
        app: appid.map(str::to_string),
    };
    let body = state
        .metadata
        .get_or_make(key, state.metadata_stamp(), ids.at, || {
            Ok::<_, std::convert::Infallible>(Made::timeless(make().to_string()))
        });
    match body {
        Ok(body) => bytes_response(body, JSON_CONTENT_TYPE, Caching::Metadata),
        Err(never) => match never {},
    }
}

pub(crate) async fn openid_configuration_v2(
    State(state): State<SharedState>,
    Extension(ids): Extension<RequestIds>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, EntraError> {
    let segment = discovery_tenant(&state, &tenant, &ids)?;
    let appid = appid(query.as_deref());
    Ok(discovery_response(
        &state,
        Endpoint::DiscoveryV2,
        segment,
        appid.as_deref(),
        &ids,
        || v2_document(&state, segment, &appid_suffix(appid.as_deref())),
    ))
}

pub(crate) fn v2_document(
    state: &AppState,
    segment: TenantSegment<'_>,
    appid_suffix: &str,
) -> Value {
    let base = &state.base_url;
    let (path, tid) = segment_and_tid(segment);
    let region = match segment {
        TenantSegment::Tenant(_) => Value::from("NA"),
        TenantSegment::MultiTenant(_) => Value::Null,
    };
    json!({
        "token_endpoint": format!("{base}/{path}/oauth2/v2.0/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        "jwks_uri": format!("{base}/{path}/discovery/v2.0/keys{appid_suffix}"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": v2_issuer(base, &tid),
        "request_uri_parameter_supported": false,
        "userinfo_endpoint": format!("{base}/oidc/userinfo"),
        "authorization_endpoint": format!("{base}/{path}/oauth2/v2.0/authorize"),
        "device_authorization_endpoint": format!("{base}/{path}/oauth2/v2.0/devicecode"),
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{path}/oauth2/v2.0/logout"),
        "claims_supported": [
            "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
            "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name",
            "tid", "ver", "at_hash", "c_hash", "email"
        ],
        "kerberos_endpoint": format!("{base}/{path}/kerberos"),
        "tenant_region_scope": region,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    })
}

pub(crate) async fn openid_configuration_v1(
    State(state): State<SharedState>,
    Extension(ids): Extension<RequestIds>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, EntraError> {
    let segment = discovery_tenant(&state, &tenant, &ids)?;
    let appid = appid(query.as_deref());
    Ok(discovery_response(
        &state,
        Endpoint::DiscoveryV1,
        segment,
        appid.as_deref(),
        &ids,
        || v1_document(&state, segment, &appid_suffix(appid.as_deref())),
    ))
}

fn v1_document(state: &AppState, segment: TenantSegment<'_>, appid_suffix: &str) -> Value {
    let base = &state.base_url;
    let (path, tid) = segment_and_tid(segment);
    let region = match segment {
        TenantSegment::Tenant(_) => Value::from("NA"),
        TenantSegment::MultiTenant(_) => Value::Null,
    };
    json!({
        "authorization_endpoint": format!("{base}/{path}/oauth2/authorize"),
        "token_endpoint": format!("{base}/{path}/oauth2/token"),
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
        // Entra's v1 documents point every tenant at the common key set; `?appid=` carries over to it, as
        // in v2, for apps with a signing key of their own.
        "jwks_uri": format!("{base}/common/discovery/keys{appid_suffix}"),
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "http_logout_supported": true,
        "frontchannel_logout_supported": true,
        "end_session_endpoint": format!("{base}/{path}/oauth2/logout"),
        "response_types_supported": ["code", "id_token", "code id_token", "token id_token", "token"],
        "scopes_supported": ["openid"],
        "issuer": v1_issuer(&tid),
        "claims_supported": [
            "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
            "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "amr", "nonce", "email", "given_name",
            "family_name", "nickname"
        ],
        "microsoft_multi_refresh_token": true,
        "check_session_iframe": format!("{base}/{path}/oauth2/checksession"),
        "userinfo_endpoint": format!("{base}/{path}/openid/userinfo"),
        "kerberos_endpoint": format!("{base}/{path}/kerberos"),
        "tenant_region_scope": region,
        "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net",
        "msgraph_host": "graph.microsoft.com",
        "rbac_url": "https://pas.windows.net",
    })
}

/// `kty use kid x5t n e x5c issuer` for each published key; `?appid=` gives an app's own key when it has one.
pub(crate) async fn keys(
    State(state): State<SharedState>,
    Extension(ids): Extension<RequestIds>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, EntraError> {
    let segment = discovery_tenant(&state, &tenant, &ids)?;
    let app_key = appid(query.as_deref()).and_then(|id| {
        let key = state.app_key(&id)?;
        Some((id, key))
    });
    // The document depends on the app only through its key: any other `appid` gives the tenant's set.
    let key = DocumentKey {
        endpoint: Endpoint::Keys,
        segment: segment.name(),
        app: app_key.as_ref().map(|(id, _)| id.clone()),
    };
    let body = state
        .metadata
        .get_or_make(key, state.metadata_stamp(), ids.at, || {
            let (_, tid) = segment_and_tid(segment);
            let issuer = v2_issuer(&state.base_url, &tid);
            let keys: Vec<Value> = match &app_key {
                Some((_, key)) => vec![key.jwk(&issuer)],
                None => state
                    .keys()
                    .published(match segment {
                        TenantSegment::Tenant(tenant) => state.scenario_for(&tenant.id),
                        TenantSegment::MultiTenant(_) => state.scenario(),
                    })
                    .iter()
                    .map(|k| k.jwk(&issuer))
                    .collect(),
            };
            Ok::<_, std::convert::Infallible>(Made::timeless(json!({ "keys": keys }).to_string()))
        });
    match body {
        Ok(body) => Ok(bytes_response(body, JSON_CONTENT_TYPE, Caching::Metadata)),
        Err(never) => match never {},
    }
}

/// `GET /common/discovery/instance?api-version=1.1&authorization_endpoint=...`: points the client back at
/// the mock's own discovery document for the tenant named in `authorization_endpoint`.
pub(crate) async fn instance_discovery(
    State(state): State<SharedState>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = query_params(query.as_deref()).unwrap_or_default();
    let tenant = params
        .get("authorization_endpoint")
        .and_then(|endpoint| url::Url::parse(endpoint).ok())
        .and_then(|url| {
            url.path_segments()
                .and_then(|mut s| s.next())
                .map(str::to_string)
        })
        .filter(|segment| !segment.is_empty())
        .unwrap_or_else(|| "common".to_string());
    let base = &state.base_url;
    let host = url::Url::parse(base)
        .ok()
        .map(|u| match u.port() {
            Some(port) => format!("{}:{port}", u.host_str().unwrap_or("127.0.0.1")),
            None => u.host_str().unwrap_or("127.0.0.1").to_string(),
        })
        .unwrap_or_default();
    let document = json!({
        "tenant_discovery_endpoint": format!("{base}/{tenant}/v2.0/.well-known/openid-configuration"),
        "api-version": params.get("api-version").unwrap_or("1.1"),
        "metadata": [
            { "preferred_network": host, "preferred_cache": host, "aliases": [host] },
            {
                "preferred_network": "login.microsoftonline.com",
                "preferred_cache": "login.windows.net",
                "aliases": ["login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"]
            },
            {
                "preferred_network": "login.partner.microsoftonline.cn",
                "preferred_cache": "login.partner.microsoftonline.cn",
                "aliases": ["login.partner.microsoftonline.cn", "login.chinacloudapi.cn"]
            },
            {
                "preferred_network": "login.microsoftonline.de",
                "preferred_cache": "login.microsoftonline.de",
                "aliases": ["login.microsoftonline.de"]
            },
            {
                "preferred_network": "login.microsoftonline.us",
                "preferred_cache": "login.microsoftonline.us",
                "aliases": ["login.microsoftonline.us", "login.usgovcloudapi.net"]
            },
            {
                "preferred_network": "login-us.microsoftonline.com",
                "preferred_cache": "login-us.microsoftonline.com",
                "aliases": ["login-us.microsoftonline.com"]
            }
        ]
    });
    json_response(StatusCode::OK, &document, Caching::Metadata)
}
