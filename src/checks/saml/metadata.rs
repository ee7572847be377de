//! Judging SAML metadata: the one the user trusts (`--metadata`) and metadata given as input.

use std::collections::HashSet;

use super::diagnosis::SamlDiagnosis;
use crate::checks::certs::{self, CertRole};
use crate::saml::model::Metadata;
use crate::trust::TrustStore;
use crate::Settings;

/// SAML metadata given as the key source (`--metadata`) past its `validUntil`.
pub(super) fn judge_trusted_metadata(
    trust: &TrustStore,
    settings: &Settings,
) -> Option<SamlDiagnosis<'static>> {
    let (label, valid_until) = trust.saml_metadata_valid_until.clone()?;
    (settings.clock.now() > valid_until)
        .then_some(SamlDiagnosis::TrustedMetadataExpired { label, valid_until })
}

/// Metadata as input: entity IDs, identity providers' signing keys, certificates, validity.
/// `certs_checked` holds the SHA-1 thumbprints of certificates already judged.
pub(super) fn judge_metadata<'a>(
    settings: &Settings,
    md: &'a Metadata,
    certs_checked: &mut HashSet<String>,
    out: &mut Vec<SamlDiagnosis<'a>>,
) {
    let mut until = vec![(md.valid_until.as_ref(), "the metadata".to_string())];
    for e in &md.entities {
        let name = e
            .entity_id
            .clone()
            .unwrap_or_else(|| "(no entityID)".into());
        until.push((e.valid_until.as_ref(), format!("EntityDescriptor '{name}'")));
        if e.entity_id.as_deref().is_none_or(str::is_empty) {
            out.push(SamlDiagnosis::EntityWithoutId);
        }
        let idp_roles: Vec<String> = e
            .roles
            .iter()
            .filter(|r| r.idp)
            .map(|r| r.element.clone())
            .collect();
        if !idp_roles.is_empty() && e.idp_signing_certificates().is_empty() {
            out.push(SamlDiagnosis::IdpWithoutSigningCertificate {
                entity_id: e.entity_id.clone(),
                name,
                roles: idp_roles,
            });
        }
        for role in &e.roles {
            for (k, key) in role.keys.iter().enumerate() {
                for (c, cert) in key.certificates.iter().enumerate() {
                    let role = CertRole::MetadataKeyDescriptor {
                        role: role.element.clone(),
                        descriptor: k + 1,
                        usage: key.usage.clone(),
                        index: c + 1,
                    };
                    match cert {
                        Ok(cert) => {
                            if certs_checked.insert(cert.thumbprints.sha1_hex.clone()) {
                                out.extend(
                                    certs::judge(cert, &role, settings)
                                        .into_iter()
                                        .map(SamlDiagnosis::Certificate),
                                );
                            }
                        }
                        Err(e) => out.push(SamlDiagnosis::UnreadableCertificate {
                            role: role.to_string(),
                            problem: e.to_string(),
                        }),
                    }
                }
            }
        }
    }
    let now = settings.clock.now();
    for (valid_until, what) in until {
        if let Some(t) = valid_until.and_then(|v| v.unix).filter(|t| now > *t) {
            out.push(SamlDiagnosis::MetadataExpired {
                what,
                valid_until: t,
            });
        }
    }
}
