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
    /// The certificate behind the trusted key that verified a signature of `signs`.
    TrustedSigningKey { label: String, signs: Signs },
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
            CertRole::TrustedSigningKey { label, .. } => write!(f, "the signing key {label}"),
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

/// What a trusted signing key signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signs {
    Tokens,
    Saml,
}

/// What a certificate is for, which decides what renewing it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CertPurpose {
    /// One of Entra's tenant signing keys (CN accounts.accesscontrol.windows.net): Entra rotates them.
    EntraTenantKey,
    /// Another issuer's token-signing key, published in a key set.
    TokenSigning,
    /// An Entra enterprise application's SAML signing certificate (the CN Entra gives them).
    EntraSamlApp,
    /// Another identity provider's SAML signing certificate.
    SamlSigning,
    /// A SAML metadata encryption certificate.
    SamlEncryption,
    /// A TLS server certificate (extended key usage serverAuth).
    Tls,
    /// A client credential (extended key usage clientAuth).
    ClientCredential,
    /// Nothing says.
    Unknown,
}

/// The subject CNs of the signing keys Microsoft publishes in Entra's key sets and federation
/// metadata (the public cloud's tenant keys, the US Government cloud's, Microsoft accounts'), as
/// the common key set lists them (entra-samples, 2024).
const ENTRA_TENANT_KEY_CNS: [&str; 3] = [
    "accounts.accesscontrol.windows.net",
    "login.microsoftonline.us",
    "Live ID STS Signing Public Key",
];
/// The subject CN Entra gives the SAML signing certificates it creates for an application.
const ENTRA_SAML_APP_CN: &str = "Microsoft Azure Federated SSO Certificate";

impl CertRole {
    /// What the certificate is for, from the role it plays and, where that does not say, its
    /// subject and extended key usage.
    pub(crate) fn purpose(&self, cert: &Certificate) -> CertPurpose {
        if ENTRA_TENANT_KEY_CNS.contains(&cert.short_name().as_str()) {
            return CertPurpose::EntraTenantKey;
        }
        match self {
            CertRole::TrustedSigningKey {
                signs: Signs::Tokens,
                ..
            }
            | CertRole::TokenX5c { .. }
            | CertRole::JwkX5c { .. } => CertPurpose::TokenSigning,
            CertRole::TrustedSigningKey {
                signs: Signs::Saml, ..
            }
            | CertRole::KeyInfo { .. } => saml_signing(cert),
            CertRole::MetadataKeyDescriptor { usage, .. } => match usage.as_deref() {
                Some("encryption") => CertPurpose::SamlEncryption,
                _ => saml_signing(cert),
            },
            CertRole::Input { .. } | CertRole::Described(_) => {
                let eku = |name: &str| cert.extended_key_usage.iter().any(|u| u == name);
                if eku("serverAuth") {
                    CertPurpose::Tls
                } else if eku("clientAuth") {
                    CertPurpose::ClientCredential
                } else {
                    CertPurpose::Unknown
                }
            }
        }
    }
}

fn saml_signing(cert: &Certificate) -> CertPurpose {
    if cert.short_name() == ENTRA_SAML_APP_CN {
        CertPurpose::EntraSamlApp
    } else {
        CertPurpose::SamlSigning
    }
}

/// What to do about an expired certificate, by what it is for.
fn expired_hint(purpose: CertPurpose) -> Option<&'static str> {
    Some(match purpose {
        CertPurpose::EntraTenantKey => "this is one of the signing keys Microsoft publishes for Entra ID: Microsoft rotates them itself and its current key set and federation metadata list only valid ones, so a copy holding an expired key is out of date; fetch the current key set or metadata, and make consumers that pin or cache keys refresh them",
        CertPurpose::TokenSigning => "this certificate carries a token-signing key: if the issuer has rotated, fetch its current key set; if it still signs with this key, it must publish a renewed key, sign with it, and consumers must refresh their cached keys",
        CertPurpose::EntraSamlApp => "this is an Entra application's SAML signing certificate: Entra keeps signing with it, and service providers that check expiry refuse the response; on the enterprise application's Single sign-on page create a new SAML signing certificate and make it active, give the service provider the new certificate or the app's federation metadata (?appid=), then remove the expired one",
        CertPurpose::SamlSigning => "this is an identity provider's SAML signing certificate: the identity provider must sign with a renewed certificate and publish it in its metadata, and the service provider must load that metadata (or certificate) again",
        CertPurpose::SamlEncryption => "this is an encryption certificate in SAML metadata: its owner must issue a new one and publish it in its metadata; the peer that encrypts must then load that metadata again",
        CertPurpose::Tls => "this is a TLS server certificate (serverAuth): renew it on the server that presents it; it plays no part in token or SAML signatures",
        CertPurpose::ClientCredential => "this is a client certificate (clientAuth): upload a renewed certificate to the app registration (Certificates & secrets), switch the client to it, then remove the expired one; Entra does not accept client assertions signed with an expired credential",
        CertPurpose::Unknown => return None,
    })
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
        CertProblem::Expired => {
            let finding = Finding::new(
                FindingCode::CertExpired,
                format!(
                    "{role}: certificate '{name}' expired {} (notAfter {})",
                    clock.relative(cert.not_after),
                    rfc3339(cert.not_after)
                ),
            )
            .with_evidence(validity());
            match expired_hint(role.purpose(cert)) {
                Some(hint) => finding.with_hint(hint),
                None => finding,
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::cert::parse_pem_bundle;
    use std::collections::HashSet;

    /// The expired SAML fixture certificate, renamed to `cn`.
    fn cert_named(cn: &str) -> Certificate {
        let pem = include_str!("../../testdata/saml/expired-signing.pem");
        let (mut certs, _) = parse_pem_bundle(pem);
        let mut cert = certs.remove(0);
        cert.subject = format!("CN={cn}");
        cert
    }

    fn descriptor(usage: &str) -> CertRole {
        CertRole::MetadataKeyDescriptor {
            role: "IDPSSODescriptor".into(),
            descriptor: 1,
            usage: Some(usage.into()),
            index: 0,
        }
    }

    #[test]
    fn the_role_and_the_subject_decide_what_a_certificate_is_for() {
        let plain = cert_named("idp.example");
        assert_eq!(
            descriptor("encryption").purpose(&plain),
            CertPurpose::SamlEncryption
        );
        assert_eq!(
            descriptor("signing").purpose(&plain),
            CertPurpose::SamlSigning
        );
        assert_eq!(
            descriptor("signing").purpose(&cert_named(ENTRA_SAML_APP_CN)),
            CertPurpose::EntraSamlApp
        );
        let tenant_key = cert_named("accounts.accesscontrol.windows.net");
        assert_eq!(
            CertRole::JwkX5c {
                jwk: "key #0".into(),
                index: 0
            }
            .purpose(&tenant_key),
            CertPurpose::EntraTenantKey
        );
        assert_eq!(
            CertRole::TokenX5c { index: 0 }.purpose(&plain),
            CertPurpose::TokenSigning
        );
        // A certificate alone, without an extended key usage, says nothing about its use.
        let alone = CertRole::Input { index: 0, of: 1 };
        assert_eq!(alone.purpose(&plain), CertPurpose::Unknown);
        assert_eq!(expired_hint(CertPurpose::Unknown), None);
    }

    #[test]
    fn each_purpose_has_its_own_advice() {
        let encryption = expired_hint(CertPurpose::SamlEncryption).unwrap_or_default();
        assert!(
            encryption.contains("encryption certificate"),
            "{encryption}"
        );
        let purposes = [
            CertPurpose::EntraTenantKey,
            CertPurpose::TokenSigning,
            CertPurpose::EntraSamlApp,
            CertPurpose::SamlSigning,
            CertPurpose::SamlEncryption,
            CertPurpose::Tls,
            CertPurpose::ClientCredential,
        ];
        let hints: HashSet<&str> = purposes.iter().filter_map(|p| expired_hint(*p)).collect();
        assert_eq!(hints.len(), purposes.len());
    }
}
