//! Judging each XML signature: where it sits and what it references (wrapping shapes), its
//! algorithms, the certificates in play, and the verifier's outcome.

use std::collections::HashSet;

use uppsala::{Document, NodeId};

use super::diagnosis::{Location, NotVerified, SamlDiagnosis, Unverified, Wrapping};
use crate::checks::certs::{self, CertRole, Signs};
use crate::crypto::policy::public_key_weakness;
use crate::saml::dsig::{algorithm_name, uses_sha1, Outcome, Reference, SignatureInfo, Verified};
use crate::saml::xml::{self, is, local_name, qname, NS_MD, NS_SAML, NS_SAMLP};
use crate::trust::TrustStore;
use crate::Settings;
use keyprobe_core::xmldsig::XmlDsigAlg;

/// The transforms the SAML signature profile allows: enveloped-signature and canonicalisation.
fn allowed_transform(uri: &str) -> bool {
    XmlDsigAlg::from_uri(uri)
        .is_some_and(|a| a == XmlDsigAlg::EnvelopedSignature || a.is_saml_c14n_transform())
}

/// What the signature judges remember across the signatures of one document, so that each
/// certificate and each weak algorithm is reported once.
pub(super) struct Seen<'s> {
    /// SHA-1 thumbprints of certificates already judged.
    pub certs: &'s mut HashSet<String>,
    /// Weak algorithm URIs already reported, and signing keys already judged (`key SHA1`).
    pub weak: HashSet<String>,
}

/// Judges every signature; returns the elements a verified, well-placed signature covers.
pub(super) fn judge_signatures<'a>(
    trust: &'a TrustStore,
    settings: &Settings,
    doc: &Document,
    sigs: &'a [Verified],
    seen: &mut Seen,
    out: &mut Vec<SamlDiagnosis<'a>>,
) -> HashSet<NodeId> {
    let mut covered = HashSet::new();
    seen.certs.extend(
        trust
            .signing_keys()
            .filter_map(|k| k.certificate().map(|c| c.thumbprints.sha1_hex.clone())),
    );
    let no_keys = !trust.is_empty() && trust.signing_keys().next().is_none();
    if no_keys && !sigs.is_empty() {
        out.push(no_trusted_signing_keys(trust));
    }
    for v in sigs {
        let location = Location {
            parent: v.info.parent.map(|p| qname(doc, p)),
        };
        let shapes = placement(doc, &v.info, &location);
        let mut placed_well = shapes.is_empty();
        out.extend(shapes.into_iter().map(SamlDiagnosis::Wrapping));
        for r in &v.info.references {
            let shapes = reference_shapes(doc, &v.info, r, &location);
            placed_well &= shapes.is_empty();
            out.extend(shapes.into_iter().map(SamlDiagnosis::Wrapping));
            out.extend(weak_digest(r, &location, seen));
        }
        out.extend(weak_method(&v.info, &location, seen));
        for cert in v.info.embedded.iter().flatten() {
            if seen.certs.insert(cert.thumbprints.sha1_hex.clone()) {
                let role = CertRole::KeyInfo {
                    signature: location.to_string(),
                };
                out.extend(
                    certs::judge(cert, &role, settings)
                        .into_iter()
                        .map(SamlDiagnosis::Certificate),
                );
            }
        }
        let method = v
            .info
            .method
            .as_deref()
            .map(algorithm_name)
            .unwrap_or("an unnamed algorithm")
            .to_string();
        if let Some(key) = v.verifies_unindented.and_then(|i| trust.keys.get(i)) {
            out.push(SamlDiagnosis::Reindented {
                location,
                key,
                digest_failed: matches!(v.outcome, Outcome::DigestMismatch(_)),
            });
            continue;
        }
        match &v.outcome {
            Outcome::NotChecked => out.push(SamlDiagnosis::NotChecked {
                location,
                method,
                keyinfo_verifies: keyinfo_that_verifies(v),
            }),
            Outcome::Verified { key, targets } => {
                let Some(k) = trust.keys.get(*key) else {
                    continue;
                };
                out.push(SamlDiagnosis::Verified {
                    location,
                    method,
                    method_uri: v.info.method.as_deref(),
                    key: k,
                });
                out.extend(signing_key(settings, k, seen));
                if placed_well {
                    if let Some(p) = v.info.parent.filter(|p| targets.contains(p)) {
                        covered.insert(p);
                    }
                }
            }
            Outcome::DigestMismatch(detail) => out.push(SamlDiagnosis::DigestMismatch {
                location,
                detail: detail.clone(),
            }),
            Outcome::Wrapped(reason) => {
                out.push(SamlDiagnosis::Wrapping(Wrapping::RefusedByVerifier {
                    location,
                    reason: reason.clone(),
                }))
            }
            Outcome::Unprocessable(detail) => out.push(SamlDiagnosis::Unprocessable {
                location,
                detail: detail.clone(),
            }),
            Outcome::OutsideReference { uri } => out.push(SamlDiagnosis::OutsideReference {
                location,
                uri: uri.as_str(),
            }),
            Outcome::SignatureMismatch { .. } | Outcome::NoFittingKey(_) => {
                // Without signing keys, the one no-signing-keys finding above says it all.
                if !no_keys {
                    out.push(not_verified(trust, v, location, method));
                }
            }
        }
    }
    covered
}

/// The key sources were given but hold no signing key: the AADSTS50003 situation.
fn no_trusted_signing_keys(trust: &TrustStore) -> SamlDiagnosis<'_> {
    SamlDiagnosis::NoTrustedSigningKeys {
        sources: &trust.sources,
        reasons: trust
            .unusable
            .iter()
            .map(|u| format!("{}: {}", u.source, u.reason))
            .collect(),
    }
}

/// The wrapping shapes of one signature's position and reference count; none when it is placed
/// as the SAML profile requires.
fn placement(doc: &Document, info: &SignatureInfo, location: &Location) -> Vec<Wrapping> {
    let mut out = Vec::new();
    match info.parent {
        Some(p) if signable(doc, p) => {
            if !right_after_issuer(doc, info.node) {
                out.push(Wrapping::SignatureNotAfterIssuer {
                    location: location.clone(),
                });
            }
        }
        _ => out.push(Wrapping::SignatureMisplaced {
            location: location.clone(),
        }),
    }
    if info.references.len() != 1 {
        out.push(Wrapping::ReferenceCount {
            location: location.clone(),
            uris: info.references.iter().map(|r| r.uri.clone()).collect(),
        });
    }
    out
}

/// The wrapping shapes of one reference: what it names and how it transforms.
fn reference_shapes(
    doc: &Document,
    info: &SignatureInfo,
    r: &Reference,
    location: &Location,
) -> Vec<Wrapping> {
    let mut out: Vec<Wrapping> = reference_elsewhere(doc, info, r, location)
        .into_iter()
        .collect();
    out.extend(
        r.transforms
            .iter()
            .filter(|t| !allowed_transform(t))
            .map(|t| Wrapping::ForbiddenTransform {
                location: location.clone(),
                transform: t.clone(),
            }),
    );
    out
}

/// The elements SAML signs, where an enveloped signature may sit.
fn signable(doc: &Document, id: NodeId) -> bool {
    let ns = xml::namespace(doc, id);
    let name = local_name(doc, id);
    (ns == NS_SAMLP
        && matches!(
            name,
            "Response"
                | "AuthnRequest"
                | "LogoutRequest"
                | "LogoutResponse"
                | "ArtifactResolve"
                | "AttributeQuery"
        ))
        || (ns == NS_SAML && name == "Assertion")
        || (ns == NS_MD && matches!(name, "EntityDescriptor" | "EntitiesDescriptor"))
}

/// SAML's schemas put an enveloped signature right after `Issuer` (messages, assertions) or
/// first (metadata).
fn right_after_issuer(doc: &Document, signature: NodeId) -> bool {
    let Some(parent) = doc.parent(signature) else {
        return false;
    };
    for sibling in xml::child_elements(doc, parent) {
        if sibling == signature {
            return true;
        }
        if !is(doc, sibling, NS_SAML, "Issuer") {
            return false;
        }
    }
    false
}

/// A reference must name the element the signature sits in (an enveloped signature).
fn reference_elsewhere(
    doc: &Document,
    info: &SignatureInfo,
    r: &Reference,
    location: &Location,
) -> Option<Wrapping> {
    if r.target.is_some() && r.target == info.parent {
        return None;
    }
    Some(Wrapping::ReferenceElsewhere {
        location: location.clone(),
        parent_id: info.parent.and_then(|p| xml::attr(doc, p, "ID")),
        uri: r.uri.clone(),
        target: r.target.map(|t| {
            format!(
                "<{}>{}",
                qname(doc, t),
                xml::attr(doc, t, "ID")
                    .map(|i| format!(" ID '{i}'"))
                    .unwrap_or_default()
            )
        }),
    })
}

/// A SHA-1 digest, reported once per document.
fn weak_digest<'a>(
    r: &'a Reference,
    location: &Location,
    seen: &mut Seen,
) -> Option<SamlDiagnosis<'a>> {
    let uri = r
        .digest_method
        .as_deref()
        .filter(|d| uses_sha1(d) && seen.weak.insert(d.to_string()))?;
    Some(SamlDiagnosis::WeakDigest {
        location: location.clone(),
        uri,
    })
}

/// A SHA-1 signature method, reported once per document.
fn weak_method<'a>(
    info: &'a SignatureInfo,
    location: &Location,
    seen: &mut Seen,
) -> Option<SamlDiagnosis<'a>> {
    let uri = info
        .method
        .as_deref()
        .filter(|m| uses_sha1(m) && seen.weak.insert(m.to_string()))?;
    Some(SamlDiagnosis::WeakSignatureMethod {
        location: location.clone(),
        uri,
    })
}

/// The trusted key that verified: its certificate (once per document), or a bare key's strength.
fn signing_key<'a>(
    settings: &Settings,
    key: &'a crate::trust::TrustedKey,
    seen: &mut Seen,
) -> Vec<SamlDiagnosis<'a>> {
    let label = key.label();
    match key.certificate() {
        Some(cert) => {
            if !seen
                .weak
                .insert(format!("key {}", cert.thumbprints.sha1_hex))
            {
                return Vec::new();
            }
            let role = CertRole::TrustedSigningKey {
                label: label.to_string(),
                signs: Signs::Saml,
            };
            certs::judge(cert, &role, settings)
                .into_iter()
                .map(SamlDiagnosis::Certificate)
                .collect()
        }
        None => public_key_weakness(&key.key)
            .map(|weakness| SamlDiagnosis::WeakBareKey { label, weakness })
            .into_iter()
            .collect(),
    }
}

/// The KeyInfo certificate the signature verifies with, if any.
fn keyinfo_that_verifies(v: &Verified) -> Option<&crate::artifact::cert::Certificate> {
    v.embedded_verifies
        .and_then(|i| v.info.embedded.get(i))
        .and_then(|c| c.as_ref().ok())
}

/// No trusted key verifies: tell a missing key from a bad signature, with thumbprints.
fn not_verified<'a>(
    trust: &'a TrustStore,
    v: &'a Verified,
    location: Location,
    method: String,
) -> SamlDiagnosis<'a> {
    let trusted: Vec<(String, String)> = trust
        .signing_keys()
        .filter_map(|k| {
            k.certificate()
                .map(|c| (c.thumbprints.sha1_hex.clone(), k.label().to_string()))
        })
        .collect();
    let keyinfo: Vec<_> = v.info.embedded.iter().flatten().collect();
    let keyinfo_known = keyinfo.iter().any(|c| {
        trusted
            .iter()
            .any(|(sha1, _)| *sha1 == c.thumbprints.sha1_hex)
    });
    let why = if let Some(cert) = keyinfo_that_verifies(v) {
        NotVerified::OnlyWithKeyInfo(cert)
    } else if !keyinfo.is_empty() && !keyinfo_known {
        NotVerified::KeyInfoNotTrusted
    } else {
        NotVerified::Invalid
    };
    SamlDiagnosis::NotVerified(Box::new(Unverified {
        location,
        method,
        method_uri: v.info.method.as_deref(),
        keyinfo,
        trusted,
        tried: trust.signing_keys().map(|k| k.label()).collect(),
        no_fitting_key: match &v.outcome {
            Outcome::NoFittingKey(r) => Some(r.clone()),
            _ => None,
        },
        why,
    }))
}
