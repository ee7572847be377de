//! Key set checks, for a JWKS or JWK given as input (and for trusted key sets).

use std::collections::BTreeMap;

use serde_json::json;

use super::certs::check_certificate;
use super::signature::jwk_vs_certificate;
use super::Ctx;
use crate::artifact::jwk::{Jwk, Jwks};
use crate::catalogue::FindingCode;
use crate::crypto::policy::public_key_weakness;
use crate::report::Finding;

pub fn check_jwks(ctx: &mut Ctx, set: &Jwks, label: &str) {
    for (i, e) in &set.rejected {
        ctx.push(Finding::new(
            FindingCode::Malformed,
            format!(
                "{label}: keys[{i}] cannot be read ({e}); consumers such as PyJWT drop it silently"
            ),
        ));
    }
    for jwk in &set.keys {
        check_jwk(ctx, jwk);
    }
    check_duplicate_kids(ctx, set);
    let signing: Vec<&Jwk> = set
        .keys
        .iter()
        .filter(|k| k.key.is_ok() && k.signing_use_problem().is_none())
        .collect();
    if signing.is_empty() {
        let why: Vec<String> = set
            .keys
            .iter()
            .map(|k| match (&k.key, k.signing_use_problem()) {
                (Err(e), _) => format!("{}: {e}", k.label()),
                (Ok(_), Some(p)) => format!("{}: {p}", k.label()),
                (Ok(_), None) => k.label(),
            })
            .chain(set.rejected.iter().map(|(i, e)| format!("keys[{i}]: {e}")))
            .collect();
        let message = if set.total_entries == 0 {
            format!("{label} is an empty key set: nothing signed can be verified against it")
        } else {
            format!(
                "none of the {} keys in {label} can verify signatures",
                set.total_entries
            )
        };
        ctx.push(
            Finding::new(FindingCode::NoSigningKeys, message)
                .with_evidence(json!({"keys": set.total_entries, "unusable": why})),
        );
    }
}

pub fn check_jwk(ctx: &mut Ctx, jwk: &Jwk) {
    let label = jwk.label();
    if let Err(e) = &jwk.key {
        ctx.push(Finding::new(
            FindingCode::Malformed,
            format!("{label}: unusable key material: {e}"),
        ));
    }
    if !jwk.private_members.is_empty() || (jwk.kty == "oct" && jwk.signing_use_problem().is_none())
    {
        let members = if jwk.private_members.is_empty() {
            "k (a shared secret)".to_string()
        } else {
            jwk.private_members.join(", ")
        };
        ctx.push(
            Finding::new(
                FindingCode::PrivateKeyPublished,
                format!("{label} carries private members: {members}"),
            )
            .with_evidence(json!({"kid": jwk.kid, "members": members})),
        );
    }
    for e in &jwk.x5c_errors {
        ctx.push(Finding::new(
            FindingCode::Malformed,
            format!("{label}: {e}"),
        ));
    }
    for f in jwk_vs_certificate(jwk, &label) {
        ctx.push(f);
    }
    for (i, cert) in jwk.x5c.iter().enumerate() {
        check_certificate(ctx, cert, &format!("{label} x5c[{i}]"));
    }
    if let Some(why) = jwk.key.as_ref().ok().and_then(public_key_weakness) {
        ctx.weak(
            Finding::new(FindingCode::WeakKey, format!("{label} is {why}"))
                .with_evidence(json!({"kid": jwk.kid, "key": jwk.key.as_ref().ok().map(|k| k.info()), "weakness": why})),
        );
    }
}

fn check_duplicate_kids(ctx: &mut Ctx, set: &Jwks) {
    let mut by_kid: BTreeMap<&str, usize> = BTreeMap::new();
    for k in &set.keys {
        if let Some(kid) = &k.kid {
            *by_kid.entry(kid.as_str()).or_default() += 1;
        }
    }
    for (kid, n) in by_kid.into_iter().filter(|(_, n)| *n > 1) {
        ctx.push(
            Finding::new(FindingCode::DuplicateKid, format!("{n} keys share kid '{kid}'; a consumer selecting by kid may pick the wrong one"))
                .with_evidence(json!({"kid": kid, "count": n})),
        );
    }
}
