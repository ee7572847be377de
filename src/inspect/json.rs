//! JSON documents: key sets, single keys, OIDC discovery and OAuth error bodies.

use serde_json::{json, Map, Value};

use crate::artifact::jwk::{Jwk, Jwks};
use crate::artifact::sts_error::StsError;
use crate::catalogue::FindingCode;
use crate::checks::{discovery, keyset, sts, Ctx};
use crate::clock::Clock;
use crate::detect::Kind;
use crate::report::Finding;

/// A JWK as decoded, with its `x5c` certificates (subject, issuer, validity) for people to read.
fn jwk_json(jwk: &Jwk, clock: &Clock) -> Value {
    let mut v = jwk.to_json();
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "certificates".into(),
            json!(jwk.x5c.iter().map(|c| c.to_json(clock)).collect::<Vec<_>>()),
        );
    }
    v
}

pub(super) fn inspect_json(ctx: &mut Ctx, kind: Kind, object: Map<String, Value>) -> Value {
    match kind {
        Kind::Jwks => match Jwks::from_object(&object) {
            Ok(set) => {
                keyset::check_jwks(ctx, &set, "the key set");
                let keys: Vec<Value> = set
                    .keys
                    .iter()
                    .map(|k| jwk_json(k, &ctx.settings.clock))
                    .collect();
                json!({ "keys": keys, "unreadable": set.rejected.len() })
            }
            Err(e) => {
                ctx.push(Finding::new(FindingCode::Malformed, e.to_string()));
                Value::Null
            }
        },
        Kind::Jwk => match Jwk::from_object(&object) {
            Ok(jwk) => {
                keyset::check_jwk(ctx, &jwk);
                jwk_json(&jwk, &ctx.settings.clock)
            }
            Err(e) => {
                ctx.push(Finding::new(
                    FindingCode::Malformed,
                    format!("JWK member {e}"),
                ));
                Value::Null
            }
        },
        Kind::OidcDiscovery => {
            discovery::check_discovery(ctx, &object, None);
            summarise_discovery(&object)
        }
        Kind::AppRegistration => super::app_registration::inspect_app_registration(ctx, &object),
        Kind::RpError => match crate::artifact::rp_error::in_log_record(&object) {
            Some(text) => super::rp_error::inspect_rp_error(ctx, text),
            None => Value::Null,
        },
        Kind::StsError => {
            let err = StsError::from_json(&object);
            sts::check_sts_error(ctx, &err);
            err.to_json()
        }
        _ => {
            json!({ "note": "JSON, but not a JWK, JWKS, OIDC discovery document or OAuth error body", "members": object.keys().collect::<Vec<_>>() })
        }
    }
}

fn summarise_discovery(doc: &Map<String, Value>) -> Value {
    let pick = |k: &str| doc.get(k).cloned().unwrap_or(Value::Null);
    let mut v = json!({
        "issuer": pick("issuer"),
        "jwks_uri": pick("jwks_uri"),
        "authorization_endpoint": pick("authorization_endpoint"),
        "token_endpoint": pick("token_endpoint"),
        "id_token_signing_alg_values_supported": pick("id_token_signing_alg_values_supported"),
        "tenant_region_scope": pick("tenant_region_scope"),
    });
    if let Some(o) = v.as_object_mut() {
        o.retain(|_, v| !v.is_null());
    }
    v
}
