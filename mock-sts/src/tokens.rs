//! Access and ID tokens with Entra's v1 and v2 claim sets and headers.
//!
//! v1: header `typ alg x5t kid`, `iss` `https://sts.windows.net/{tid}/` (kept literal, as Entra does),
//! `appid`/`appidacr`. v2: header `typ alg kid`, `iss` `{base}/{tid}/v2.0` (the mock's own base URL, so the
//! discovery issuer and the token agree), `azp`/`azpacr`. The access token's version follows the resource's
//! `accessTokenAcceptedVersion`.

use keyprobe_core::base64;
use std::sync::Arc;

use serde_json::{json, Map, Value};

use crate::errors::{AadCode, AadError};
use crate::jwt;
use crate::keys::SigningKey;
use crate::model::{App, AppKind, Resource, Tenant, User, GRAPH_APP_ID};
use crate::scenario::Scenario;
use crate::state::AppState;
use crate::util::{now, random_token};

/// Lifetime of access tokens, as `expires_in` reports it.
pub(crate) const ACCESS_TOKEN_SECONDS: i64 = 3599;
const ID_TOKEN_SECONDS: i64 = 3600;
/// Entra back-dates `iat` and `nbf` by five minutes to absorb clock skew.
const BACKDATE_SECONDS: i64 = 300;

pub(crate) fn v1_issuer(tenant_id: &str) -> String {
    format!("https://sts.windows.net/{tenant_id}/")
}

pub(crate) fn v2_issuer(base_url: &str, tenant_id: &str) -> String {
    format!("{base_url}/{tenant_id}/v2.0")
}

/// `appidacr`/`azpacr`: how the client proved itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClientAuthMethod {
    None,
    Secret,
    Certificate,
}

impl ClientAuthMethod {
    pub(crate) fn acr(self) -> &'static str {
        match self {
            ClientAuthMethod::None => "0",
            ClientAuthMethod::Secret => "1",
            ClientAuthMethod::Certificate => "2",
        }
    }
}

pub(crate) struct IssuedToken {
    pub token: String,
    pub expires_at: i64,
    pub not_before: i64,
}

/// The key a token from `tenant_id` for `audience_app` must be signed with, or AADSTS50146 when that app needs its own key
/// and has none.
pub(crate) fn signing_key_for(
    state: &AppState,
    tenant_id: &str,
    audience_app: Option<&App>,
) -> Result<Arc<SigningKey>, AadError> {
    let scenario = state.scenario_for(tenant_id);
    if let Some(app) = audience_app {
        if let Some(key) = state.app_key(&app.client_id) {
            return Ok(key);
        }
        let scenario_requires =
            scenario == Scenario::CustomSigningKeyRequired && app.kind != AppKind::Saml;
        if app.requires_custom_signing_key || scenario_requires {
            return Err(AadError::new(AadCode::CustomSigningKeyRequired));
        }
    }
    Ok(state.keys().signing_key(scenario))
}

pub(crate) fn sign_token(
    version: u8,
    claims: &Map<String, Value>,
    key: &SigningKey,
) -> Result<String, AadError> {
    let header = if version == 1 {
        json!({"typ": "JWT", "alg": "RS256", "x5t": key.kid, "kid": key.kid})
    } else {
        json!({"typ": "JWT", "alg": "RS256", "kid": key.kid})
    };
    let header = header.as_object().cloned().unwrap_or_default();
    jwt::sign(&header, claims, key).map_err(|_| AadError::new(AadCode::MalformedRequest))
}

/// The claims every Entra token ends with (`uti`, `ver`), then the signature.
fn seal(
    mut claims: Map<String, Value>,
    version: u8,
    key: &SigningKey,
    t: &Times,
) -> Result<IssuedToken, AadError> {
    insert(&mut claims, "uti", uti());
    insert(&mut claims, "ver", if version == 1 { "1.0" } else { "2.0" });
    Ok(IssuedToken {
        token: sign_token(version, &claims, key)?,
        expires_at: t.exp,
        not_before: t.iat,
    })
}

struct Times {
    iat: i64,
    exp: i64,
}

fn times(lifetime: i64) -> Times {
    let now = now().unix_timestamp();
    Times {
        iat: now - BACKDATE_SECONDS,
        exp: now + lifetime,
    }
}

/// Opaque values Entra puts in every token.
fn aio() -> String {
    format!("E2Ng{}", random_token(48))
}

fn rh() -> String {
    format!("0.A{}.", random_token(36))
}

fn uti() -> String {
    random_token(16)
}

/// Entra's subjects are pairwise: one user has a different `sub` in each app.
pub(crate) fn pairwise_subject(user: &User, client_id: &str) -> String {
    let input = format!(
        "mock-sts sub\n{}\n{}",
        user.object_id,
        client_id.to_ascii_lowercase()
    );
    let digest = openssl::hash::hash(openssl::hash::MessageDigest::sha256(), input.as_bytes())
        .map(|d| d.to_vec())
        .unwrap_or_default();
    base64::encode_url(&digest)
}

fn insert(claims: &mut Map<String, Value>, name: &str, value: impl Into<Value>) {
    claims.insert(name.to_string(), value.into());
}

/// The app's optional claims Entra adds to a token (those it already carries stay as they are); a user's
/// claims only in a user's token.
fn add_optional_claims(
    claims: &mut Map<String, Value>,
    names: &[String],
    user: Option<&User>,
    t: &Times,
) {
    for name in names {
        if claims.contains_key(name) {
            continue;
        }
        let value: Option<Value> = match (name.as_str(), user) {
            ("idtyp", None) => Some("app".into()),
            ("idtyp", Some(_)) => Some("user".into()),
            ("acct", Some(_)) => Some(0.into()),
            ("auth_time", Some(_)) => Some((t.iat + BACKDATE_SECONDS).into()),
            ("email" | "verified_primary_email", Some(u)) => u.email.clone().map(Value::from),
            ("family_name", Some(u)) => Some(u.surname.clone().into()),
            ("given_name", Some(u)) => Some(u.given_name.clone().into()),
            ("upn", Some(u)) => Some(u.user_principal_name.clone().into()),
            _ => None,
        };
        if let Some(value) = value {
            claims.insert(name.clone(), value);
        }
    }
}

/// Who the access token is for: its version and `aud`.
fn audience<'a>(resource: Resource<'a>, requested: &str) -> (u8, String, Option<&'a App>) {
    match resource {
        Resource::Graph => (
            1,
            if requested.starts_with("https://") {
                requested.to_string()
            } else {
                GRAPH_APP_ID.to_string()
            },
            None,
        ),
        Resource::App(app) if app.access_token_version == 2 => {
            (2, app.client_id.clone(), Some(app))
        }
        Resource::App(app) => (1, requested.to_string(), Some(app)),
    }
}

fn issuer_for(state: &AppState, version: u8, tenant_id: &str) -> String {
    if version == 1 {
        v1_issuer(tenant_id)
    } else {
        v2_issuer(&state.base_url, tenant_id)
    }
}

/// Client credentials: an app-only token with `roles`.
pub(crate) fn app_only_access_token(
    state: &AppState,
    tenant: &Tenant,
    client: &App,
    resource: Resource<'_>,
    requested: &str,
    auth: ClientAuthMethod,
) -> Result<IssuedToken, AadError> {
    let (version, aud, audience_app) = audience(resource, requested);
    let key = signing_key_for(state, &tenant.id, audience_app)?;
    let t = times(ACCESS_TOKEN_SECONDS);
    let mut claims = Map::new();
    insert(&mut claims, "aud", aud);
    insert(&mut claims, "iss", issuer_for(state, version, &tenant.id));
    insert(&mut claims, "iat", t.iat);
    insert(&mut claims, "nbf", t.iat);
    insert(&mut claims, "exp", t.exp);
    insert(&mut claims, "aio", aio());
    if version == 1 {
        insert(&mut claims, "appid", client.client_id.clone());
        insert(&mut claims, "appidacr", auth.acr());
    } else {
        insert(&mut claims, "azp", client.client_id.clone());
        insert(&mut claims, "azpacr", auth.acr());
    }
    insert(&mut claims, "idp", v1_issuer(&tenant.id));
    insert(&mut claims, "oid", client.object_id.clone());
    insert(&mut claims, "rh", rh());
    if let Some(app) = audience_app.filter(|a| !a.app_roles.is_empty()) {
        insert(&mut claims, "roles", app.app_roles.clone());
    }
    insert(&mut claims, "sub", client.object_id.clone());
    insert(&mut claims, "tid", tenant.id.clone());
    if let Some(app) = audience_app {
        add_optional_claims(&mut claims, &app.optional_claims.access_token, None, &t);
    }
    seal(claims, version, &key, &t)
}

pub(crate) struct DelegatedRequest<'a> {
    pub tenant: &'a Tenant,
    pub client: &'a App,
    pub user: &'a User,
    pub resource: Resource<'a>,
    pub requested: &'a str,
    /// Space-separated delegated scopes for this resource (`scp`).
    pub scp: String,
    pub auth: ClientAuthMethod,
}

/// Authorization code and refresh token: a user's token with `scp`.
pub(crate) fn delegated_access_token(
    state: &AppState,
    req: &DelegatedRequest<'_>,
) -> Result<IssuedToken, AadError> {
    let (version, aud, audience_app) = audience(req.resource, req.requested);
    let key = signing_key_for(state, &req.tenant.id, audience_app)?;
    let t = times(ACCESS_TOKEN_SECONDS);
    let user = req.user;
    let mut claims = Map::new();
    insert(&mut claims, "aud", aud);
    insert(
        &mut claims,
        "iss",
        issuer_for(state, version, &req.tenant.id),
    );
    insert(&mut claims, "iat", t.iat);
    insert(&mut claims, "nbf", t.iat);
    insert(&mut claims, "exp", t.exp);
    if version == 1 {
        insert(&mut claims, "acr", "1");
    }
    insert(&mut claims, "aio", aio());
    if version == 1 {
        insert(&mut claims, "amr", vec!["pwd"]);
        insert(&mut claims, "appid", req.client.client_id.clone());
        insert(&mut claims, "appidacr", req.auth.acr());
        insert(&mut claims, "family_name", user.surname.clone());
        insert(&mut claims, "given_name", user.given_name.clone());
    } else {
        insert(&mut claims, "azp", req.client.client_id.clone());
        insert(&mut claims, "azpacr", req.auth.acr());
    }
    insert(&mut claims, "name", user.display_name.clone());
    insert(&mut claims, "oid", user.object_id.clone());
    if version == 2 {
        insert(
            &mut claims,
            "preferred_username",
            user.user_principal_name.clone(),
        );
    }
    insert(&mut claims, "rh", rh());
    insert(&mut claims, "scp", req.scp.clone());
    insert(
        &mut claims,
        "sub",
        pairwise_subject(user, &req.client.client_id),
    );
    insert(&mut claims, "tid", req.tenant.id.clone());
    if version == 1 {
        insert(&mut claims, "unique_name", user.user_principal_name.clone());
        insert(&mut claims, "upn", user.user_principal_name.clone());
    }
    if let Some(app) = audience_app {
        add_optional_claims(
            &mut claims,
            &app.optional_claims.access_token,
            Some(user),
            &t,
        );
    }
    seal(claims, version, &key, &t)
}

/// What an ID token is issued for.
pub(crate) struct IdTokenRequest<'a> {
    pub tenant: &'a Tenant,
    pub client: &'a App,
    pub user: &'a User,
    pub nonce: Option<&'a str>,
    /// 2 from `/oauth2/v2.0/...`, 1 from `/oauth2/...`.
    pub version: u8,
    pub include_email: bool,
    /// The code returned beside it in a hybrid flow: its hash goes in `c_hash`.
    pub code: Option<&'a str>,
}

/// OIDC's `c_hash`/`at_hash`: base64url of the left half of the SHA-256 of the value (RS256).
pub(crate) fn left_half_hash(value: &str) -> String {
    let digest = openssl::hash::hash(openssl::hash::MessageDigest::sha256(), value.as_bytes())
        .map(|d| d.to_vec())
        .unwrap_or_default();
    base64::encode_url(&digest[..digest.len() / 2])
}

/// The ID token for the client.
pub(crate) fn id_token(
    state: &AppState,
    req: &IdTokenRequest<'_>,
) -> Result<IssuedToken, AadError> {
    let (tenant, client, user, nonce, version) =
        (req.tenant, req.client, req.user, req.nonce, req.version);
    let include_email = req.include_email;
    let key = signing_key_for(state, &tenant.id, Some(client))?;
    let t = times(ID_TOKEN_SECONDS);
    let mut claims = Map::new();
    insert(&mut claims, "aud", client.client_id.clone());
    insert(&mut claims, "iss", issuer_for(state, version, &tenant.id));
    insert(&mut claims, "iat", t.iat);
    insert(&mut claims, "nbf", t.iat);
    insert(&mut claims, "exp", t.exp);
    if version == 2 {
        insert(&mut claims, "aio", aio());
    } else {
        insert(&mut claims, "amr", vec!["pwd"]);
        insert(&mut claims, "family_name", user.surname.clone());
        insert(&mut claims, "given_name", user.given_name.clone());
    }
    if let (true, Some(email)) = (include_email, &user.email) {
        insert(&mut claims, "email", email.clone());
    }
    insert(&mut claims, "name", user.display_name.clone());
    if let Some(nonce) = nonce {
        insert(&mut claims, "nonce", nonce);
    }
    if let Some(code) = req.code {
        insert(&mut claims, "c_hash", left_half_hash(code));
    }
    insert(&mut claims, "oid", user.object_id.clone());
    if version == 2 {
        insert(
            &mut claims,
            "preferred_username",
            user.user_principal_name.clone(),
        );
    }
    insert(&mut claims, "rh", rh());
    insert(
        &mut claims,
        "sub",
        pairwise_subject(user, &client.client_id),
    );
    insert(&mut claims, "tid", tenant.id.clone());
    if version == 1 {
        insert(&mut claims, "unique_name", user.user_principal_name.clone());
        insert(&mut claims, "upn", user.user_principal_name.clone());
    }
    add_optional_claims(
        &mut claims,
        &client.optional_claims.id_token,
        Some(user),
        &t,
    );
    seal(claims, version, &key, &t)
}

/// MSAL's `client_info`: base64url of `{"uid": oid, "utid": tid}`.
pub(crate) fn client_info(user_object_id: &str, tenant_id: &str) -> String {
    base64::encode_url(
        json!({"uid": user_object_id, "utid": tenant_id})
            .to_string()
            .as_bytes(),
    )
}

/// `POST /_mock/token`: the given claims over Entra's defaults for the tenant, signed as the scenario says.
pub(crate) fn mint(
    state: &AppState,
    tenant: &Tenant,
    version: u8,
    lifetime: i64,
    given: Map<String, Value>,
) -> Result<(String, Map<String, Value>), AadError> {
    let t = times(lifetime);
    let mut claims = Map::new();
    insert(
        &mut claims,
        "aud",
        given
            .get("aud")
            .cloned()
            .unwrap_or_else(|| Value::from(GRAPH_APP_ID)),
    );
    insert(&mut claims, "iss", issuer_for(state, version, &tenant.id));
    insert(&mut claims, "iat", t.iat);
    insert(&mut claims, "nbf", t.iat);
    insert(&mut claims, "exp", t.exp);
    insert(&mut claims, "aio", aio());
    insert(&mut claims, "rh", rh());
    insert(&mut claims, "tid", tenant.id.clone());
    insert(&mut claims, "uti", uti());
    insert(&mut claims, "ver", if version == 1 { "1.0" } else { "2.0" });
    for (name, value) in given {
        claims.insert(name, value);
    }
    let key = state.keys().signing_key(state.scenario_for(&tenant.id));
    Ok((sign_token(version, &claims, &key)?, claims))
}
