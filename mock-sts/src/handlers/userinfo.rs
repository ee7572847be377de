//! `GET /oidc/userinfo` (what v2 discovery names) and `/{tenant}/openid/userinfo` (v1): the signed-in
//! user's claims for a bearer access token issued by this mock.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::{json_response, read_body, Caching, Params, SharedState};
use crate::jwt;
use crate::state::AppState;
use crate::tokens::pairwise_subject;
use crate::util::now;

pub(crate) async fn userinfo(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    answer(&state, &headers, body).await
}

pub(crate) async fn userinfo_v1(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    answer(&state, &headers, body).await
}

/// The bearer token from `Authorization`, or from an `access_token` form field (RFC 6750 §2.2).
async fn bearer_token(headers: &HeaderMap, body: Body) -> Option<String> {
    // Read the body even when the header carries the token, so the connection stays usable.
    let form = read_body(body)
        .await
        .ok()
        .and_then(|bytes| Params::parse(&bytes).ok());
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::to_string);
    from_header.or_else(|| form.and_then(|f| f.get("access_token").map(str::to_string)))
}

async fn answer(state: &AppState, headers: &HeaderMap, body: Body) -> Response {
    let token = bearer_token(headers, body).await;
    match token.and_then(|token| claims_for(state, &token)) {
        Some(body) => json_response(StatusCode::OK, &body, Caching::NoStore),
        None => {
            // Microsoft Graph's answer to a token it does not accept.
            let body = json!({"error": {"code": "InvalidAuthenticationToken", "message": "Access token validation failure. Invalid audience."}});
            let mut response = json_response(StatusCode::UNAUTHORIZED, &body, Caching::NoStore);
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
            response
        }
    }
}

fn claims_for(state: &AppState, token: &str) -> Option<Value> {
    let decoded = jwt::decode(token).ok()?;
    let kid = decoded.header_str("kid")?;
    let key = state.all_keys().into_iter().find(|k| k.kid == kid)?;
    if !decoded.verify(&key.public_key().ok()?)
        || decoded.claim_time("exp")? < now().unix_timestamp()
    {
        return None;
    }
    let tenant = state
        .directory
        .tenants
        .iter()
        .find(|t| Some(t.id.as_str()) == decoded.claim_str("tid"))?;
    let user = tenant.user(decoded.claim_str("oid")?)?;
    let client_id = decoded
        .claim_str("azp")
        .or_else(|| decoded.claim_str("appid"))
        .unwrap_or_default();
    let mut body = json!({
        "sub": pairwise_subject(user, client_id),
        "name": user.display_name,
        "family_name": user.surname,
        "given_name": user.given_name,
        "picture": "https://graph.microsoft.com/v1.0/me/photo/$value",
    });
    if let (Some(email), Some(map)) = (&user.email, body.as_object_mut()) {
        map.insert("email".into(), Value::from(email.clone()));
    }
    Some(body)
}
