//! Certificate checks: validity against the clock, expiry warning, key size, signature hash.

use serde_json::json;

use super::Ctx;
use crate::artifact::cert::Certificate;
use crate::catalogue::FindingCode;
use crate::clock::{describe, rfc3339};
use crate::report::Finding;

/// Checks one certificate; `role` says where it is in play ("the token's x5c[0]", "trusted key …").
pub fn check_certificate(ctx: &mut Ctx, cert: &Certificate, role: &str) {
    let clock = ctx.settings.clock;
    let now = clock.now();
    let name = cert.short_name();
    let evidence = || {
        json!({
            "role": role,
            "subject": cert.subject,
            "sha1_thumbprint": cert.thumbprints.sha1_hex,
            "not_before": rfc3339(cert.not_before),
            "not_after": rfc3339(cert.not_after),
            "checked_at": rfc3339(now),
        })
    };
    if now > cert.not_after {
        ctx.push(
            Finding::new(
                FindingCode::CertExpired,
                format!(
                    "{role}: certificate '{name}' expired {} (notAfter {})",
                    clock.relative(cert.not_after),
                    rfc3339(cert.not_after)
                ),
            )
            .with_evidence(evidence()),
        );
    } else if now < cert.not_before {
        ctx.push(
            Finding::new(
                FindingCode::CertNotYetValid,
                format!(
                    "{role}: certificate '{name}' is not valid until {}",
                    describe(&clock, cert.not_before)
                ),
            )
            .with_evidence(evidence()),
        );
    } else if cert.not_after - now <= ctx.settings.expiry_warning_days.saturating_mul(86_400) {
        ctx.push(
            Finding::new(
                FindingCode::CertExpiringSoon,
                format!(
                    "{role}: certificate '{name}' expires {} ({}), within the {}-day warning window",
                    clock.relative(cert.not_after),
                    rfc3339(cert.not_after),
                    ctx.settings.expiry_warning_days
                ),
            )
            .with_evidence(evidence()),
        );
    }
    if let Some(why) = cert.key_weakness.clone() {
        ctx.weak(
            Finding::new(
                FindingCode::WeakKey,
                format!("{role}: certificate '{name}' has {why}"),
            )
            .with_evidence(json!({"role": role, "key": cert.key_info(), "weakness": why})),
        );
    }
    // A trust anchor's self-signature is never checked by anyone, so its hash does not matter.
    if cert.weak_signature_hash && !cert.self_signed() {
        ctx.weak(
            Finding::new(
                FindingCode::WeakKey,
                format!(
                    "{role}: certificate '{name}' is signed with {}",
                    cert.signature_algorithm
                ),
            )
            .with_evidence(json!({"role": role, "signature_algorithm": cert.signature_algorithm})),
        );
    }
}
