//! Certificate checks: validity against the clock, expiry warning, key size, signature hash.
//!
//! [`judge`] says what is wrong with one certificate in the role it plays; [`finding`] is the one
//! place that words it. Other families wrap these diagnoses in their own.

use serde_json::json;

use super::Ctx;
use crate::artifact::cert::Certificate;
use crate::catalogue::FindingCode;
use crate::clock::{describe, rfc3339};
use crate::report::Finding;
use crate::Settings;

/// Where a certificate is in play: what the report calls it, and what it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CertRole {
    /// A certificate given as input: the only one, or one of a chain.
    Input { index: usize, of: usize },
    /// The certificate behind the trusted key that verified a signature.
    TrustedSigningKey { label: String },
    /// `x5c[index]` in a token's JOSE header (evidence).
    TokenX5c { index: usize },
    /// `x5c[index]` of a JWK read as input (a key set or a key).
    JwkX5c { jwk: String, index: usize },
    /// A certificate in a SAML signature's KeyInfo (evidence); `signature` says where it sits.
    KeyInfo { signature: String },
    /// A certificate in a SAML metadata KeyDescriptor.
    MetadataKeyDescriptor {
        role: String,
        descriptor: usize,
        usage: Option<String>,
        index: usize,
    },
    /// Anything else, as the caller describes it.
    Described(String),
}

impl std::fmt::Display for CertRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CertRole::Input { of: 1, .. } => f.write_str("the certificate"),
            CertRole::Input { index, of } => write!(f, "certificate {} of {of}", index + 1),
            CertRole::TrustedSigningKey { label } => write!(f, "the signing key {label}"),
            CertRole::TokenX5c { index } => write!(f, "the token's x5c[{index}]"),
            CertRole::JwkX5c { jwk, index } => write!(f, "{jwk} x5c[{index}]"),
            CertRole::KeyInfo { signature } => {
                write!(f, "KeyInfo certificate of the signature in {signature}")
            }
            CertRole::MetadataKeyDescriptor {
                role,
                descriptor,
                usage,
                index,
            } => write!(
                f,
                "{role} KeyDescriptor {descriptor} ({}) certificate {index}",
                usage.as_deref().unwrap_or("any use")
            ),
            CertRole::Described(text) => f.write_str(text),
        }
    }
}

/// What is wrong with a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CertProblem {
    /// Past `notAfter` at the check time.
    Expired,
    /// Before `notBefore` at the check time.
    NotYetValid,
    /// Valid, but `notAfter` falls within the warning window.
    ExpiringSoon { window_days: i64 },
    /// Its key is too weak to sign with (size, ROCA).
    WeakKey { weakness: String },
    /// It is signed with SHA-1 or MD5 and is not a trust anchor.
    WeakSignatureHash,
}

/// One problem with one certificate in one role.
#[derive(Debug, Clone)]
pub(crate) struct CertDiagnosis<'c> {
    pub cert: &'c Certificate,
    pub role: CertRole,
    pub problem: CertProblem,
}

/// Judges one certificate against the clock and the key and hash policy.
pub(crate) fn judge<'c>(
    cert: &'c Certificate,
    role: &CertRole,
    settings: &Settings,
) -> Vec<CertDiagnosis<'c>> {
    let now = settings.clock.now();
    let mut problems = Vec::new();
    if now > cert.not_after {
        problems.push(CertProblem::Expired);
    } else if now < cert.not_before {
        problems.push(CertProblem::NotYetValid);
    } else if cert.not_after - now <= settings.expiry_warning_days.saturating_mul(86_400) {
        problems.push(CertProblem::ExpiringSoon {
            window_days: settings.expiry_warning_days,
        });
    }
    if let Some(weakness) = cert.key_weakness.clone() {
        problems.push(CertProblem::WeakKey { weakness });
    }
    // A trust anchor's self-signature is never checked by anyone, so its hash does not matter.
    if cert.weak_signature_hash && !cert.self_signed() {
        problems.push(CertProblem::WeakSignatureHash);
    }
    problems
        .into_iter()
        .map(|problem| CertDiagnosis {
            cert,
            role: role.clone(),
            problem,
        })
        .collect()
}

/// The finding for a certificate diagnosis.
pub(crate) fn finding(d: &CertDiagnosis, settings: &Settings) -> Finding {
    let clock = settings.clock;
    let now = clock.now();
    let cert = d.cert;
    let role = &d.role;
    let name = cert.short_name();
    let validity = || {
        json!({
            "role": role.to_string(),
            "subject": cert.subject,
            "sha1_thumbprint": cert.thumbprints.sha1_hex,
            "not_before": rfc3339(cert.not_before),
            "not_after": rfc3339(cert.not_after),
            "checked_at": rfc3339(now),
        })
    };
    match &d.problem {
        CertProblem::Expired => Finding::new(
            FindingCode::CertExpired,
            format!(
                "{role}: certificate '{name}' expired {} (notAfter {})",
                clock.relative(cert.not_after),
                rfc3339(cert.not_after)
            ),
        )
        .with_evidence(validity()),
        CertProblem::NotYetValid => Finding::new(
            FindingCode::CertNotYetValid,
            format!(
                "{role}: certificate '{name}' is not valid until {}",
                describe(&clock, cert.not_before)
            ),
        )
        .with_evidence(validity()),
        CertProblem::ExpiringSoon { window_days } => Finding::new(
            FindingCode::CertExpiringSoon,
            format!(
                "{role}: certificate '{name}' expires {} ({}), within the {window_days}-day warning window",
                clock.relative(cert.not_after),
                rfc3339(cert.not_after),
            ),
        )
        .with_evidence(validity()),
        CertProblem::WeakKey { weakness } => Finding::new(
            FindingCode::WeakKey,
            format!("{role}: certificate '{name}' has {weakness}"),
        )
        .with_evidence(
            json!({"role": role.to_string(), "key": cert.key_info(), "weakness": weakness}),
        ),
        CertProblem::WeakSignatureHash => Finding::new(
            FindingCode::WeakKey,
            format!(
                "{role}: certificate '{name}' is signed with {}",
                cert.signature_algorithm
            ),
        )
        .with_evidence(
            json!({"role": role.to_string(), "signature_algorithm": cert.signature_algorithm}),
        ),
    }
}

/// Judges one certificate in `role` and records the findings.
pub(crate) fn check(ctx: &mut Ctx, cert: &Certificate, role: &CertRole) {
    for d in judge(cert, role, ctx.settings) {
        let f = finding(&d, ctx.settings);
        ctx.push(f);
    }
}

/// Checks one certificate; `role` says where it is in play ("the token's x5c[0]", "trusted key …").
pub fn check_certificate(ctx: &mut Ctx, cert: &Certificate, role: &str) {
    check(ctx, cert, &CertRole::Described(role.to_string()));
}
