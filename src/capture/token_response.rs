//! An OAuth 2.0 token endpoint's answer (RFC 6749 §5.1; Entra adds `ext_expires_in`,
//! `client_info`): each token in it inspected as an artifact, the refresh token noted but never
//! printed.

use serde_json::{json, Map, Value};

use super::container_report;
use crate::codec::base64;
use crate::detect::{detect, Detected, Kind};
use crate::input::Input;
use crate::inspect::{inspect as inspect_one, Settings};
use crate::report::Report;
use crate::trust::TrustStore;

/// Members carrying a token the inspector reads.
const TOKENS: [&str; 2] = ["id_token", "access_token"];

/// A cheap look at raw text before parsing it.
pub(crate) fn looks_like(text: &str) -> bool {
    ["\"access_token\"", "\"id_token\"", "\"refresh_token\""]
        .iter()
        .any(|m| text.contains(m))
}

/// A token response has a token and what the endpoint says about it (`token_type`, `expires_in`).
pub(crate) fn is_token_response(object: &Map<String, Value>) -> bool {
    let has_token = ["access_token", "id_token", "refresh_token"]
        .iter()
        .any(|m| object.get(*m).is_some_and(Value::is_string));
    has_token && (object.contains_key("token_type") || object.contains_key("expires_in"))
}

pub(crate) fn inspect(
    label: &str,
    object: &Map<String, Value>,
    trust: &TrustStore,
    settings: &Settings,
) -> Vec<Report> {
    let mut decoded = Map::new();
    for member in [
        "token_type",
        "scope",
        "expires_in",
        "ext_expires_in",
        "expires_on",
    ] {
        if let Some(v) = object.get(member) {
            decoded.insert(member.into(), v.clone());
        }
    }
    if let Some(Value::String(rt)) = object.get("refresh_token") {
        decoded.insert(
            "refresh_token".into(),
            json!(format!(
                "present, {} characters (never shown: whoever holds it can get new tokens)",
                rt.chars().count()
            )),
        );
    }
    if let Some(info) = object
        .get("client_info")
        .and_then(Value::as_str)
        .and_then(client_info)
    {
        decoded.insert("client_info".into(), info);
    }
    let mut artifacts = Vec::new();
    // In the order the endpoint wrote them.
    for (member, value) in object {
        let (true, Value::String(token)) = (TOKENS.contains(&member.as_str()), value) else {
            continue;
        };
        let location = format!("{label}#{member}");
        match detect(token.as_bytes()) {
            Detected::Compact { .. } | Detected::BadCompact { .. } | Detected::Damaged { .. } => {
                artifacts.push(inspect_one(
                    &Input::new(location, token.as_bytes()),
                    trust,
                    settings,
                ));
            }
            _ => {
                decoded.insert(
                    member.clone(),
                    json!("opaque (not a JWT): only the resource it was issued for can read it"),
                );
            }
        }
    }
    let mut reports = vec![container_report(
        label,
        Kind::TokenResponse,
        decoded,
        &artifacts,
        Vec::new(),
    )];
    reports.extend(artifacts);
    reports
}

/// Entra's `client_info`: base64url JSON with the user's object id and tenant id.
fn client_info(text: &str) -> Option<Value> {
    let bytes = base64::decode_url(text).ok()?;
    let value = crate::codec::json::parse_strict(&bytes).ok()?;
    value.is_object().then(|| {
        json!({
            "uid": value.get("uid"),
            "utid": value.get("utid"),
            "note": "the signed-in user's object id (uid) and tenant id (utid)",
        })
    })
}
