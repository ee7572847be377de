//! OIDC discovery document checks (`metadata-inconsistent`).

use serde_json::{json, Map, Value};

use super::Ctx;
use crate::catalogue::FindingCode;
use crate::crypto::Alg;
use crate::report::Finding;
use crate::trust::TrustStore;

pub fn check_discovery(ctx: &mut Ctx, doc: &Map<String, Value>, fetched_from: Option<&str>) {
    let issuer = doc.get("issuer").and_then(Value::as_str);
    match issuer {
        None => inconsistent(
            ctx,
            "the discovery document has no issuer",
            json!({"missing": "issuer"}),
        ),
        Some(iss) if !iss.starts_with("https://") && !is_loopback(iss) => inconsistent(
            ctx,
            &format!("the issuer '{iss}' is not an https URL"),
            json!({"issuer": iss}),
        ),
        _ => {}
    }
    if !doc.contains_key("jwks_uri") {
        inconsistent(
            ctx,
            "the discovery document has no jwks_uri, so consumers cannot find the signing keys",
            json!({"missing": "jwks_uri"}),
        );
    }
    if let (Some(iss), Some(url)) = (issuer, fetched_from) {
        // OIDC Discovery §4.3: the issuer must equal the URL the document was fetched from,
        // minus /.well-known/openid-configuration. Entra's templated issuers are the exception.
        let base = url.split("/.well-known/").next().unwrap_or(url);
        if !iss.contains("{tenantid}")
            && iss.trim_end_matches('/') != base.trim_end_matches('/')
            && !iss.starts_with("https://sts.windows.net/")
        {
            inconsistent(
                ctx,
                &format!(
                    "the issuer '{iss}' does not match the URL the document came from ('{base}')"
                ),
                json!({"issuer": iss, "fetched_from": url}),
            );
        }
    }
    check_advertised_algs(ctx, doc);
    if issuer.is_some_and(is_entra) {
        check_entra_keys_have_certificates(ctx);
    }
}

fn is_entra(issuer: &str) -> bool {
    issuer.starts_with("https://login.microsoftonline.com/")
        || issuer.starts_with("https://sts.windows.net/")
}

/// Entra publishes every signing key with its certificate (x5c) and x5t; a key without them did
/// not come from Entra, or the key set was rebuilt by hand.
fn check_entra_keys_have_certificates(ctx: &mut Ctx) {
    let bare: Vec<String> = ctx
        .trust
        .keys
        .iter()
        .filter_map(|k| k.jwk())
        .filter(|j| j.x5c.is_empty())
        .map(|j| j.label())
        .collect();
    if !bare.is_empty() {
        inconsistent(
            ctx,
            &format!(
                "the issuer is Entra ID, which always publishes x5c, but {} key(s) have none: {}",
                bare.len(),
                bare.join(", ")
            ),
            json!({"keys_without_x5c": bare}),
        );
    }
}

fn check_advertised_algs(ctx: &mut Ctx, doc: &Map<String, Value>) {
    let trust: &TrustStore = ctx.trust;
    if trust.keys.is_empty() {
        return;
    }
    let Some(algs) = doc
        .get("id_token_signing_alg_values_supported")
        .and_then(Value::as_array)
    else {
        return;
    };
    let mut missing = Vec::new();
    for name in algs.iter().filter_map(Value::as_str) {
        let Some(alg) = Alg::parse(name) else {
            continue;
        };
        if alg.is_symmetric() {
            continue;
        }
        let fits = trust
            .signing_keys()
            .any(|k| crate::crypto::verify::check_fit(alg, &k.key).is_ok());
        if !fits {
            missing.push(name.to_string());
        }
    }
    if !missing.is_empty() {
        inconsistent(
            ctx,
            &format!(
                "the document advertises {} for ID tokens but the key set has no key that fits",
                missing.join(", ")
            ),
            json!({"advertised_without_key": missing}),
        );
    }
}

fn is_loopback(url: &str) -> bool {
    url.starts_with("http://127.0.0.1")
        || url.starts_with("http://localhost")
        || url.starts_with("http://[::1]")
}

fn inconsistent(ctx: &mut Ctx, message: &str, evidence: Value) {
    ctx.push(Finding::new(FindingCode::MetadataInconsistent, message).with_evidence(evidence));
}
