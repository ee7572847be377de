//! OIDC discovery document checks (`metadata-inconsistent`).

use serde_json::{json, Map, Value};

use super::Ctx;
use crate::catalogue::FindingCode;
use crate::crypto::Alg;
use crate::report::Finding;
use crate::trust::TrustStore;

/// What is inconsistent in an OIDC discovery document or between it and its key set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DiscoveryDiagnosis<'d> {
    NoIssuer,
    IssuerNotHttps {
        issuer: &'d str,
    },
    NoJwksUri,
    /// OIDC Discovery §4.3: the issuer must equal the URL the document came from.
    IssuerNotFetchedFrom {
        issuer: &'d str,
        base: &'d str,
        url: &'d str,
    },
    /// Algorithms advertised for ID tokens that no key in the key set fits.
    AdvertisedWithoutKey {
        algs: Vec<String>,
    },
    /// An Entra issuer whose key set has keys without `x5c`.
    EntraKeysWithoutX5c {
        keys: Vec<String>,
    },
}

pub fn check_discovery(ctx: &mut Ctx, doc: &Map<String, Value>, fetched_from: Option<&str>) {
    for d in judge_discovery(ctx.trust, doc, fetched_from) {
        ctx.push(finding(&d));
    }
}

fn judge_discovery<'d>(
    trust: &TrustStore,
    doc: &'d Map<String, Value>,
    fetched_from: Option<&'d str>,
) -> Vec<DiscoveryDiagnosis<'d>> {
    let mut out = Vec::new();
    let issuer = doc.get("issuer").and_then(Value::as_str);
    match issuer {
        None => out.push(DiscoveryDiagnosis::NoIssuer),
        Some(iss) if !iss.starts_with("https://") && !is_loopback(iss) => {
            out.push(DiscoveryDiagnosis::IssuerNotHttps { issuer: iss })
        }
        _ => {}
    }
    if !doc.contains_key("jwks_uri") {
        out.push(DiscoveryDiagnosis::NoJwksUri);
    }
    if let (Some(iss), Some(url)) = (issuer, fetched_from) {
        // OIDC Discovery §4.3: the issuer must equal the URL the document was fetched from,
        // minus /.well-known/openid-configuration. Entra's templated issuers are the exception.
        let base = url.split("/.well-known/").next().unwrap_or(url);
        if !iss.contains("{tenantid}")
            && iss.trim_end_matches('/') != base.trim_end_matches('/')
            && !iss.starts_with("https://sts.windows.net/")
        {
            out.push(DiscoveryDiagnosis::IssuerNotFetchedFrom {
                issuer: iss,
                base,
                url,
            });
        }
    }
    out.extend(advertised_without_key(trust, doc));
    if issuer.is_some_and(is_entra) {
        out.extend(entra_keys_without_certificates(trust));
    }
    out
}

/// The one place that words discovery diagnoses.
fn finding(d: &DiscoveryDiagnosis) -> Finding {
    let (message, evidence) = match d {
        DiscoveryDiagnosis::NoIssuer => (
            "the discovery document has no issuer".to_string(),
            json!({"missing": "issuer"}),
        ),
        DiscoveryDiagnosis::IssuerNotHttps { issuer } => (
            format!("the issuer '{issuer}' is not an https URL"),
            json!({"issuer": issuer}),
        ),
        DiscoveryDiagnosis::NoJwksUri => (
            "the discovery document has no jwks_uri, so consumers cannot find the signing keys"
                .to_string(),
            json!({"missing": "jwks_uri"}),
        ),
        DiscoveryDiagnosis::IssuerNotFetchedFrom { issuer, base, url } => (
            format!(
                "the issuer '{issuer}' does not match the URL the document came from ('{base}')"
            ),
            json!({"issuer": issuer, "fetched_from": url}),
        ),
        DiscoveryDiagnosis::AdvertisedWithoutKey { algs } => (
            format!(
                "the document advertises {} for ID tokens but the key set has no key that fits",
                algs.join(", ")
            ),
            json!({"advertised_without_key": algs}),
        ),
        DiscoveryDiagnosis::EntraKeysWithoutX5c { keys } => (
            format!(
                "the issuer is Entra ID, which always publishes x5c, but {} key(s) have none: {}",
                keys.len(),
                keys.join(", ")
            ),
            json!({"keys_without_x5c": keys}),
        ),
    };
    Finding::new(FindingCode::MetadataInconsistent, message).with_evidence(evidence)
}

fn is_entra(issuer: &str) -> bool {
    issuer.starts_with("https://login.microsoftonline.com/")
        || issuer.starts_with("https://sts.windows.net/")
}

/// Entra publishes every signing key with its certificate (x5c) and x5t; a key without them did
/// not come from Entra, or the key set was rebuilt by hand.
fn entra_keys_without_certificates(trust: &TrustStore) -> Option<DiscoveryDiagnosis<'static>> {
    let keys: Vec<String> = trust
        .keys
        .iter()
        .filter_map(|k| k.jwk())
        .filter(|j| j.x5c.is_empty())
        .map(|j| j.label())
        .collect();
    (!keys.is_empty()).then_some(DiscoveryDiagnosis::EntraKeysWithoutX5c { keys })
}

fn advertised_without_key(
    trust: &TrustStore,
    doc: &Map<String, Value>,
) -> Option<DiscoveryDiagnosis<'static>> {
    if trust.keys.is_empty() {
        return None;
    }
    let algs = doc
        .get("id_token_signing_alg_values_supported")
        .and_then(Value::as_array)?;
    let missing: Vec<String> = algs
        .iter()
        .filter_map(Value::as_str)
        .filter(|name| {
            Alg::parse(name).is_some_and(|alg| {
                !alg.is_symmetric()
                    && !trust
                        .signing_keys()
                        .any(|k| crate::crypto::verify::check_fit(alg, &k.key).is_ok())
            })
        })
        .map(str::to_string)
        .collect();
    (!missing.is_empty()).then_some(DiscoveryDiagnosis::AdvertisedWithoutKey { algs: missing })
}

fn is_loopback(url: &str) -> bool {
    url.starts_with("http://127.0.0.1")
        || url.starts_with("http://localhost")
        || url.starts_with("http://[::1]")
}
