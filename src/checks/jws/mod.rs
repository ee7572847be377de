//! JWS signature checks: `alg`, key selection among trusted keys (with the reason each candidate
//! was rejected), verification, key confusion, and keys the token carries itself.
//!
//! ```text
//! header (alg, crit) ─▶ select (trusted keys: select, verify, or why not) ─▶ embedded (jwk, x5c, jku, x5u)
//!                                   └──────────── JwsDiagnosis ────────────┘
//!                                                      ▼
//!                                             findings::finding
//! ```

mod diagnosis;
mod embedded;
mod findings;
mod header;
mod missing;
mod select;

use crate::report::SignatureSection;

use super::Ctx;
use crate::artifact::cert::Certificate;
use crate::artifact::compact::DamagedToken;
use crate::artifact::jose::Jws;
use crate::artifact::DecodeError;
use crate::trust::{TrustStore, TrustedKey};
use crate::Settings;
use diagnosis::JwsDiagnosis;
use header::AlgJudgement;

/// Checks a JWS signature; returns the `signature` section of the decoded output.
pub(crate) fn check_jws(ctx: &mut Ctx, jws: &Jws) -> SignatureSection {
    // Decoded before judging, so that diagnoses can borrow the certificates.
    let x5c = embedded::decode_x5c(&jws.header);
    let mut diagnoses = Vec::new();
    let verified_by = judge(ctx.trust, ctx.settings, jws, &x5c, &mut diagnoses);
    for d in &diagnoses {
        let f = findings::finding(d, ctx.settings);
        ctx.push(f);
    }
    SignatureSection {
        length: jws.signature.len(),
        verified_with: verified_by.map(|key| key.label().to_string()),
    }
}

/// Reports each way a token recognised by its header was damaged.
pub(crate) fn check_damaged(ctx: &mut Ctx, token: &DamagedToken) {
    for d in &token.damage {
        let f = findings::damage(d, token.kind);
        ctx.push(f);
    }
}

/// Runs the judges in the order a consumer would meet the problems; returns the trusted key
/// that verified.
fn judge<'a>(
    trust: &'a TrustStore,
    settings: &Settings,
    jws: &'a Jws,
    x5c: &'a [Result<Certificate, DecodeError>],
    out: &mut Vec<JwsDiagnosis<'a>>,
) -> Option<&'a TrustedKey> {
    let header = &jws.header;
    let (name, alg) = match header::judge_alg(jws) {
        AlgJudgement::Known(name, alg) => (name, alg),
        AlgJudgement::Missing => {
            out.push(JwsDiagnosis::MissingAlg);
            return None;
        }
        AlgJudgement::Unusable(d) => {
            out.push(d);
            embedded::judge_embedded(header, x5c, settings, out);
            return None;
        }
    };
    out.extend(header::judge_crit(header));
    let verified = if trust.is_empty() {
        out.push(JwsDiagnosis::NotChecked { alg: name });
        None
    } else {
        select::judge_keys(trust, settings, jws, alg, out)
    };
    let embedded_keys = embedded::judge_embedded(header, x5c, settings, out);
    if verified.is_none() {
        out.extend(embedded::only_embedded_verifies(
            trust,
            alg,
            jws,
            embedded_keys,
        ));
    }
    verified
}
