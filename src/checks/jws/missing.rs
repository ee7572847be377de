//! Why the key a token names is missing from the trusted keys. Only what the token and the key
//! sources show counts: the tenant or issuer they name, what earlier copies of a fetched key set
//! had, whether the copy was fetched now or replayed. Where nothing shows, there is no cause
//! and the catalogue's general hint stands.

use serde_json::Value;

use super::diagnosis::MissingKey;
use crate::artifact::jose::Jws;
use crate::codec::json::Object;
use crate::trust::{KeySetFetch, TrustStore};

/// Judges why the kid is missing: another tenant or issuer first (no copy of these keys can
/// help), then what the fetch cache knows. `None` when nothing points anywhere (a key set read
/// from a file, or a token that names no kid).
pub(super) fn why_missing<'a>(trust: &'a TrustStore, jws: &'a Jws) -> Option<MissingKey<'a>> {
    let kid = jws.header.kid.as_deref()?;
    let claims = jws.claims();
    if let Some(other) = claims.and_then(|c| other_tenant_or_issuer(trust, c)) {
        return Some(other);
    }
    if let Some(r) = trust.retired_kids.iter().find(|r| r.kid == kid) {
        return Some(MissingKey::Rotated(r));
    }
    let fetched = trust.key_set_fetches.first()?;
    if fetched.from_cache {
        return Some(MissingKey::CachedCopy(fetched));
    }
    let app_keys_fetched = trust
        .key_set_fetches
        .iter()
        .any(|f| has_appid_query(&f.url));
    // Only an app's own audience is signed with its key: ID tokens, and access tokens for its
    // own API; a token for another resource (Microsoft Graph) says nothing about app keys.
    let entra_app = claims.and_then(|c| {
        let audience = c.get("aud").and_then(Value::as_str)?;
        Some((entra_tenant(c)?, audience, app_id_of(audience)?))
    });
    match entra_app {
        Some((tenant, audience, app_id)) if !app_keys_fetched && is_entra_key_set(&fetched.url) => {
            Some(MissingKey::AppKeys {
                tenant,
                audience,
                app_id,
                keys: fetched,
            })
        }
        _ => Some(MissingKey::Unpublished(fetched)),
    }
}

/// The application id an audience names: the id itself, or Entra's default application ID URI
/// `api://{appId}`.
fn app_id_of(audience: &str) -> Option<&str> {
    let id = audience.strip_prefix("api://").unwrap_or(audience);
    is_guid(id).then_some(id)
}

/// The tenant of an Entra token: its `tid`, when `iss` names it (`…/{tid}/v2.0`,
/// `https://sts.windows.net/{tid}/`, whatever the cloud or a look-alike's host).
fn entra_tenant(claims: &Object) -> Option<&str> {
    let tid = claims
        .get("tid")
        .and_then(Value::as_str)
        .filter(|t| is_guid(t))?;
    let iss = claims.get("iss").and_then(Value::as_str)?;
    tenant_in(iss)
        .is_some_and(|t| t.eq_ignore_ascii_case(tid))
        .then_some(tid)
}

/// The token's tenant (Entra) or issuer differs from the one the key sources name.
fn other_tenant_or_issuer<'a>(trust: &'a TrustStore, claims: &'a Object) -> Option<MissingKey<'a>> {
    let iss = claims.get("iss").and_then(Value::as_str)?;
    let tid = entra_tenant(claims);
    if let Some(tid) = tid {
        // Entra publishes the issuer each key signs for; a tenant's own key set names the tenant.
        let key_issuers = trust
            .key_sets
            .iter()
            .flat_map(|(_, set)| set.keys.iter())
            .filter_map(|k| k.raw.get("issuer").and_then(Value::as_str));
        let sources = trust
            .key_set_fetches
            .iter()
            .map(|f| f.url.as_str())
            .chain(trust.discovery_url.as_deref())
            .chain(trust.metadata_issuer.as_deref())
            .chain(key_issuers);
        for source in sources {
            if let Some(tenant) = tenant_in(source).filter(|t| !t.eq_ignore_ascii_case(tid)) {
                return Some(MissingKey::OtherTenant {
                    token_tenant: tid,
                    keys_tenant: tenant,
                    source,
                });
            }
        }
    }
    let expected = trust.metadata_issuer.as_deref()?;
    // One Entra tenant signs v1 and v2 tokens with the same keys: another version's issuer, or
    // the `{tenantid}` template of the multi-tenant documents, is not another issuer.
    let same_tenant = tid.is_some_and(|tid| {
        expected.contains("{tenantid}")
            || tenant_in(expected).is_some_and(|t| t.eq_ignore_ascii_case(tid))
    });
    (!same_tenant && expected.trim_end_matches('/') != iss.trim_end_matches('/')).then_some(
        MissingKey::OtherIssuer {
            token_issuer: iss,
            keys_issuer: expected,
        },
    )
}

/// The tenant id an Entra URL names as its first path segment (`https://host/{tid}/…`).
fn tenant_in(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    rest.split(['/', '?', '#'])
        .nth(1)
        .filter(|segment| is_guid(segment))
}

/// A tenant key set at Entra's path (`/{tenant}/discovery/v2.0/keys`, `/{tenant}/discovery/keys`,
/// `/common/discovery/keys`): where an app's own keys are asked for with `?appid=`.
fn is_entra_key_set(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.ends_with("/discovery/v2.0/keys") || path.ends_with("/discovery/keys")
}

fn has_appid_query(url: &str) -> bool {
    url.split_once('?').is_some_and(|(_, q)| {
        q.split(['&', '#'])
            .any(|p| p.to_ascii_lowercase().starts_with("appid="))
    })
}

fn is_guid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The copy of `keys` an app's own keys are published in.
pub(super) fn app_key_set_url(keys: &KeySetFetch, app_id: &str) -> String {
    let sep = if keys.url.contains('?') { '&' } else { '?' };
    format!("{}{sep}appid={app_id}", keys.url)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TID: &str = "8eaef023-2b34-4da1-9baa-8bc8c9d6a490";

    #[test]
    fn tenants_are_read_from_the_first_path_segment_of_urls_only() {
        let keys = format!("https://login.microsoftonline.com/{TID}/discovery/v2.0/keys");
        assert_eq!(tenant_in(&keys), Some(TID));
        assert_eq!(
            tenant_in(&format!("https://sts.windows.net/{TID}/")),
            Some(TID)
        );
        assert_eq!(
            tenant_in(&format!("http://127.0.0.1:8080/{TID}/v2.0")),
            Some(TID)
        );
        assert_eq!(
            tenant_in("https://login.microsoftonline.com/common/discovery/v2.0/keys"),
            None
        );
        assert_eq!(
            tenant_in("https://login.microsoftonline.com/{tenantid}/v2.0"),
            None
        );
        // A GUID elsewhere is not a tenant, nor is a file path.
        assert_eq!(tenant_in(&format!("https://idp.example/keys/{TID}")), None);
        assert_eq!(tenant_in(&format!("keys/{TID}/jwks.json")), None);
    }

    #[test]
    fn entra_key_sets_and_app_queries_are_told_by_their_urls() {
        assert!(is_entra_key_set(&format!(
            "https://h/{TID}/discovery/v2.0/keys"
        )));
        assert!(is_entra_key_set("https://h/common/discovery/keys"));
        assert!(!is_entra_key_set(
            "https://idp.example/.well-known/jwks.json"
        ));
        assert!(has_appid_query("https://x/t/discovery/v2.0/keys?appid=abc"));
        assert!(!has_appid_query("https://x/t/discovery/v2.0/keys"));
        assert!(!is_guid("8eaef023-2b34-4da1-9baa-8bc8c9d6a49g"));
        assert_eq!(app_id_of(TID), Some(TID));
        assert_eq!(app_id_of(&format!("api://{TID}")), Some(TID));
        assert_eq!(app_id_of("https://graph.microsoft.com"), None);
        assert_eq!(app_id_of("api://contoso.example/orders"), None);
    }

    #[test]
    fn an_entra_tenant_is_one_the_issuer_names() {
        let claims = |iss: &str| -> Object {
            let map: serde_json::Map<String, Value> =
                serde_json::from_value(serde_json::json!({"iss": iss, "tid": TID})).unwrap();
            Object::from(map)
        };
        let v2 = claims(&format!("https://login.microsoftonline.com/{TID}/v2.0"));
        assert_eq!(entra_tenant(&v2), Some(TID));
        assert_eq!(entra_tenant(&claims("https://idp.example/")), None);
    }
}
