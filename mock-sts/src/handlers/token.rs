//! The token endpoint, v2 (`/oauth2/v2.0/token`) and v1 (`/oauth2/token`): client credentials,
//! authorization code (with PKCE) and refresh token grants here; the device code, password and
//! on-behalf-of grants in [`super::user_grants`].

use axum::body::Body;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use keyprobe_core::base64;
use openssl::hash::{hash, MessageDigest};
use serde_json::{Map, Value};

use super::client_auth::{authenticate, PresentedCredentials};
use super::cross_origin::{self, allow_browsers, Caller, Redemption};
use super::user_grants;
use super::{
    json_response, read_body, registered_app, resolve_tenant, Caching, EntraError, Params,
    SharedState,
};
use crate::errors::{AadCode, AadError, RequestIds};
use crate::model::{App, Tenant};
use crate::scopes::delegated_scopes;
use crate::state::{AppState, CodeRedemption, RefreshGrant};
use crate::tokens::{self, ClientAuthMethod, DelegatedRequest, IssuedToken, ACCESS_TOKEN_SECONDS};
use crate::util::{now, random_token};

pub(crate) const REFRESH_TOKEN_SECONDS: i64 = 90 * 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    V1,
    V2,
}

impl Endpoint {
    /// The ID token version this endpoint issues.
    pub(crate) fn id_token_version(self) -> u8 {
        match self {
            Endpoint::V1 => 1,
            Endpoint::V2 => 2,
        }
    }
}

pub(crate) async fn token_v2(
    state: State<SharedState>,
    ids: Extension<RequestIds>,
    tenant: Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    token(state, ids, tenant, headers, body, Endpoint::V2).await
}

pub(crate) async fn token_v1(
    state: State<SharedState>,
    ids: Extension<RequestIds>,
    tenant: Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    token(state, ids, tenant, headers, body, Endpoint::V1).await
}

/// A browser or a misconfigured client opening the token endpoint.
pub(crate) async fn token_get(Extension(ids): Extension<RequestIds>) -> EntraError {
    EntraError::json(&ids)(AadError::new(AadCode::TokenEndpointNeedsPost))
}

async fn token(
    State(state): State<SharedState>,
    Extension(ids): Extension<RequestIds>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Body,
    endpoint: Endpoint,
) -> Response {
    let answer = async {
        let params = Params::parse(&read_body(body).await?)?;
        grant(&state, &tenant, &params, &headers, endpoint)
    };
    let answer = answer
        .await
        .map(|body| json_response(StatusCode::OK, &body, Caching::NoStore))
        .map_err(EntraError::json(&ids));
    let mut response = answer.into_response();
    // Only a browser gets CORS headers (see cross_origin).
    if Caller::of(&headers) != Caller::Server {
        allow_browsers(&mut response);
    }
    response
}

/// The CORS preflight for the token endpoint.
pub(crate) async fn preflight() -> Response {
    let mut response = StatusCode::OK.into_response();
    allow_browsers(&mut response);
    response
}

/// The client, its tenant and how it authenticated.
pub(crate) struct AuthenticatedClient<'a> {
    pub(crate) tenant: &'a Tenant,
    pub(crate) app: &'a App,
    pub(crate) auth: ClientAuthMethod,
    /// A single-page app redeeming from the browser.
    redemption: Redemption,
}

impl AuthenticatedClient<'_> {
    /// For the grants only a confidential client may use (client credentials, on-behalf-of): a client
    /// that authenticated with no secret, certificate or assertion gets AADSTS7000218.
    pub(crate) fn require_credential(&self) -> Result<(), AadError> {
        if self.auth == ClientAuthMethod::None {
            return Err(AadError::new(AadCode::MissingClientCredential));
        }
        Ok(())
    }
}

fn grant(
    state: &AppState,
    segment_text: &str,
    params: &Params,
    headers: &HeaderMap,
    endpoint: Endpoint,
) -> Result<Value, AadError> {
    let segment = resolve_tenant(state, segment_text)?;
    let grant_type = params.require("grant_type")?;
    if !matches!(
        grant_type,
        "client_credentials" | "authorization_code" | "refresh_token"
    ) && !user_grants::handles(grant_type)
    {
        return Err(AadError::new(AadCode::UnsupportedGrantType).arg("grant_type", grant_type));
    }
    let presented = PresentedCredentials::from_request(params, headers);
    let Some(client_id) = presented.client_id.as_deref() else {
        return Err(AadError::new(AadCode::MissingParameter).arg("parameter", "client_id"));
    };
    let (tenant, app) = registered_app(state, segment, segment_text, client_id)?;
    let audiences = assertion_audiences(state, tenant, segment_text);
    let caller = Caller::of(headers);
    let redemption = cross_origin::redemption(state, app, grant_type, params, &presented, &caller)?;
    let auth = match redemption {
        Redemption::Spa => ClientAuthMethod::None,
        Redemption::Other => authenticate(
            app,
            &state.uploaded_client_certificates(&app.client_id),
            &presented,
            &audiences,
            now(),
            state.scenario_for(&tenant.id),
        )?,
    };
    let client = AuthenticatedClient {
        tenant,
        app,
        auth,
        redemption,
    };
    match grant_type {
        "client_credentials" => client_credentials(state, &client, params, endpoint),
        "authorization_code" => authorization_code(state, &client, params, endpoint),
        "refresh_token" => refresh_token(state, &client, params, endpoint),
        other => user_grants::grant(state, &client, other, params, endpoint),
    }
}

/// The `aud` values a client assertion may carry: this tenant's token endpoints, by id, domain or the path
/// used, at the mock or at Entra's own host.
fn assertion_audiences(state: &AppState, tenant: &Tenant, segment: &str) -> Vec<String> {
    let mut names = vec![tenant.id.clone(), segment.to_string()];
    names.extend(tenant.domains.iter().cloned());
    let mut audiences = Vec::new();
    for host in [state.base_url.as_str(), "https://login.microsoftonline.com"] {
        for name in &names {
            audiences.push(format!("{host}/{name}/oauth2/v2.0/token"));
            audiences.push(format!("{host}/{name}/oauth2/token"));
        }
        audiences.push(format!("{host}/{}/v2.0", tenant.id));
    }
    audiences
}

fn client_credentials(
    state: &AppState,
    client: &AuthenticatedClient<'_>,
    params: &Params,
    endpoint: Endpoint,
) -> Result<Value, AadError> {
    client.require_credential()?;
    let requested = match endpoint {
        Endpoint::V2 => {
            let scope = params.require("scope")?.trim();
            match scope.strip_suffix("/.default") {
                Some(resource) if !scope.contains(' ') => resource.to_string(),
                _ => {
                    return Err(
                        AadError::new(AadCode::ClientCredentialScopeNotDefault).arg("scope", scope)
                    )
                }
            }
        }
        Endpoint::V1 => params.require("resource")?.to_string(),
    };
    let resource = client.tenant.resource(&requested).ok_or_else(|| {
        AadError::new(AadCode::ResourceNotFound)
            .arg("resource", &requested)
            .arg("tenant", &client.tenant.id)
    })?;
    let issued = tokens::app_only_access_token(
        state,
        client.tenant,
        client.app,
        resource,
        &requested,
        client.auth,
    )?;
    let mut body = Map::new();
    body.insert("token_type".into(), "Bearer".into());
    expiry_fields(&mut body, &issued, endpoint, &requested);
    body.insert("access_token".into(), issued.token.into());
    Ok(Value::Object(body))
}

/// `expires_in`/`ext_expires_in` (numbers in v2, strings in v1, which also adds `expires_on`,
/// `not_before` and `resource`).
fn expiry_fields(
    body: &mut Map<String, Value>,
    issued: &IssuedToken,
    endpoint: Endpoint,
    resource: &str,
) {
    match endpoint {
        Endpoint::V2 => {
            body.insert("expires_in".into(), ACCESS_TOKEN_SECONDS.into());
            body.insert("ext_expires_in".into(), ACCESS_TOKEN_SECONDS.into());
        }
        Endpoint::V1 => {
            body.insert("expires_in".into(), ACCESS_TOKEN_SECONDS.to_string().into());
            body.insert(
                "ext_expires_in".into(),
                ACCESS_TOKEN_SECONDS.to_string().into(),
            );
            body.insert("expires_on".into(), issued.expires_at.to_string().into());
            body.insert("not_before".into(), issued.not_before.to_string().into());
            body.insert("resource".into(), resource.into());
        }
    }
}

fn authorization_code(
    state: &AppState,
    client: &AuthenticatedClient<'_>,
    params: &Params,
    endpoint: Endpoint,
) -> Result<Value, AadError> {
    let code = params.require("code")?;
    if endpoint == Endpoint::V2 {
        params.require("redirect_uri")?;
    }
    let now_seconds = now().unix_timestamp();
    let grant = match state.grants().redeem_code(code, now_seconds) {
        CodeRedemption::Valid(grant) => grant,
        CodeRedemption::AlreadyRedeemed => return Err(AadError::new(AadCode::CodeAlreadyRedeemed)),
        CodeRedemption::Expired => return Err(AadError::new(AadCode::GrantExpired)),
        CodeRedemption::Unknown => return Err(AadError::new(AadCode::MalformedRequest)),
    };
    if grant.client_id != client.app.client_id || grant.tenant_id != client.tenant.id {
        return Err(AadError::new(AadCode::MalformedRequest));
    }
    if let Some(redirect_uri) = params.get("redirect_uri") {
        if redirect_uri != grant.redirect_uri {
            return Err(AadError::new(AadCode::RedirectUriMismatch)
                .arg("redirect_uri", redirect_uri)
                .arg("client_id", &client.app.client_id)
                .with_error("invalid_grant"));
        }
    }
    if let Some((challenge, method)) = &grant.code_challenge {
        let verifier = params
            .get("code_verifier")
            .ok_or_else(|| AadError::new(AadCode::PkceVerifierMismatch))?;
        let computed = if method == "S256" {
            hash(MessageDigest::sha256(), verifier.as_bytes())
                .map(|d| base64::encode_url(&d))
                .unwrap_or_default()
        } else {
            verifier.to_string()
        };
        if !openssl::memcmp::eq(computed.as_bytes(), challenge.as_bytes())
            || computed.len() != challenge.len()
        {
            return Err(AadError::new(AadCode::PkceVerifierMismatch));
        }
    }
    let refresh = RefreshGrant {
        tenant_id: grant.tenant_id.clone(),
        client_id: grant.client_id.clone(),
        user_object_id: grant.user_object_id.clone(),
        scopes: grant.scopes.clone(),
        expires_at: now_seconds + REFRESH_TOKEN_SECONDS,
    };
    let id_token_version = if grant.v2_endpoint { 2 } else { 1 };
    user_tokens(
        state,
        client,
        params,
        endpoint,
        &refresh,
        grant.nonce.as_deref(),
        id_token_version,
    )
}

fn refresh_token(
    state: &AppState,
    client: &AuthenticatedClient<'_>,
    params: &Params,
    endpoint: Endpoint,
) -> Result<Value, AadError> {
    let presented = params.require("refresh_token")?;
    let now_seconds = now().unix_timestamp();
    let mut grant = state
        .grants()
        .refresh_token(presented)
        .ok_or_else(|| AadError::new(AadCode::MalformedRequest))?;
    if grant.expires_at < now_seconds {
        return Err(AadError::new(AadCode::GrantExpired));
    }
    if grant.client_id != client.app.client_id || grant.tenant_id != client.tenant.id {
        return Err(AadError::new(AadCode::MalformedRequest));
    }
    if let Some(scope) = params.get("scope") {
        grant.scopes = scope.split_whitespace().map(str::to_string).collect();
    }
    // A SPA's refresh token keeps the lifetime of the first one: redeeming it does not extend it.
    if client.redemption == Redemption::Other {
        grant.expires_at = now_seconds + REFRESH_TOKEN_SECONDS;
    }
    let version = endpoint.id_token_version();
    user_tokens(state, client, params, endpoint, &grant, None, version)
}

/// The answer to a delegated grant: access token, and refresh token, ID token and `client_info` as asked.
pub(crate) fn user_tokens(
    state: &AppState,
    client: &AuthenticatedClient<'_>,
    params: &Params,
    endpoint: Endpoint,
    grant: &RefreshGrant,
    nonce: Option<&str>,
    id_token_version: u8,
) -> Result<Value, AadError> {
    let tenant = client.tenant;
    let user = tenant
        .user(&grant.user_object_id)
        .ok_or_else(|| AadError::new(AadCode::MalformedRequest))?;
    let v1_resource = if endpoint == Endpoint::V1 {
        params.get("resource")
    } else {
        None
    };
    let scopes = delegated_scopes(tenant, &grant.scopes, v1_resource)?;
    let request = DelegatedRequest {
        tenant,
        client: client.app,
        user,
        resource: scopes.resource,
        requested: &scopes.requested,
        scp: scopes.scp.clone(),
        auth: client.auth,
    };
    let access = tokens::delegated_access_token(state, &request)?;
    let wants = |scope: &str| grant.scopes.iter().any(|s| s == scope);
    let id_token = if wants("openid") {
        Some(tokens::id_token(
            state,
            &tokens::IdTokenRequest {
                tenant,
                client: client.app,
                user,
                nonce,
                version: id_token_version,
                include_email: wants("email"),
                code: None,
            },
        )?)
    } else {
        None
    };
    let mut body = Map::new();
    body.insert("token_type".into(), "Bearer".into());
    body.insert("scope".into(), scopes.granted.clone().into());
    expiry_fields(&mut body, &access, endpoint, &scopes.requested);
    body.insert("access_token".into(), access.token.into());
    if wants("offline_access") || endpoint == Endpoint::V1 {
        let refresh = format!("1.A{}", random_token(96));
        let mut stored = grant.clone();
        let mut grants = state.grants();
        if client.redemption == Redemption::Spa {
            let spa_end = now().unix_timestamp() + cross_origin::SPA_REFRESH_TOKEN_SECONDS;
            stored.expires_at = stored.expires_at.min(spa_end);
            grants.add_refresh_token(refresh.clone(), stored);
            grants.bind_to_spa(&refresh);
        } else {
            grants.add_refresh_token(refresh.clone(), stored);
        }
        drop(grants);
        body.insert("refresh_token".into(), refresh.into());
    }
    if let Some(id_token) = id_token {
        body.insert("id_token".into(), id_token.token.into());
    }
    if params.get("client_info") == Some("1") {
        body.insert(
            "client_info".into(),
            tokens::client_info(&user.object_id, &tenant.id).into(),
        );
    }
    Ok(Value::Object(body))
}
