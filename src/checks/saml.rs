//! SAML checks: signatures and what they cover, wrapping, status, lifetimes, audience, issuer,
//! certificates and metadata signing keys. Subject, conditions and attributes are judged on
//! the assertion a service provider would read, and trusted only when a verified signature
//! covers it.

use std::collections::HashSet;

use serde_json::json;
use uppsala::{Document, NodeId};

use super::certs::check_certificate;
use super::Ctx;
use crate::artifact::sts_error::aadsts_codes_in;
use crate::catalogue::{aadsts, FindingCode};
use crate::clock::{describe, rfc3339};
use crate::crypto::policy::public_key_weakness;
use crate::report::Finding;
use crate::saml::binding::QuerySignature;
use crate::saml::dsig::{algorithm_name, uses_sha1, Outcome, Verified};
use crate::saml::model::{self, Assertion, Instant, Metadata, Response};
use crate::saml::xml::{self, is, local_name, qname, IdMap, NS_MD, NS_SAML, NS_SAMLP};
use crate::trust::TrustStore;
use keyprobe_core::xmldsig::XmlDsigAlg;

/// The transforms the SAML signature profile allows: enveloped-signature and canonicalisation.
fn allowed_transform(uri: &str) -> bool {
    XmlDsigAlg::from_uri(uri)
        .is_some_and(|a| a == XmlDsigAlg::EnvelopedSignature || a.is_saml_c14n_transform())
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

fn wrapping(ctx: &mut Ctx, message: String, evidence: serde_json::Value) {
    ctx.push(Finding::new(FindingCode::SamlSignatureWrapping, message).with_evidence(evidence));
}

/// Repeated IDs make every reference ambiguous.
pub fn check_ids(ctx: &mut Ctx, ids: &IdMap) {
    for id in &ids.duplicates {
        wrapping(
            ctx,
            format!("the ID '{id}' appears on more than one element: a signature reference to it is ambiguous, the classic set-up for signature wrapping"),
            json!({"duplicate_id": id}),
        );
    }
    if ids.too_many {
        ctx.push(Finding::new(
            FindingCode::Malformed,
            format!(
                "the XML has more than {} ID attributes; it was not verified",
                crate::limits::MAX_XML_IDS
            ),
        ));
    }
}

/// Judges every signature; returns the elements a verified, well-placed signature covers.
/// `certs_checked` holds the SHA-1 thumbprints of certificates already checked, so that each
/// certificate is reported once however many signatures and roles carry it.
pub fn check_signatures(
    ctx: &mut Ctx,
    doc: &Document,
    sigs: &[Verified],
    certs_checked: &mut HashSet<String>,
) -> HashSet<NodeId> {
    let mut covered = HashSet::new();
    certs_checked.extend(
        ctx.trust
            .signing_keys()
            .filter_map(|k| k.certificate().map(|c| c.thumbprints.sha1_hex.clone())),
    );
    let mut weak_reported: HashSet<String> = HashSet::new();
    let no_keys = !ctx.trust.is_empty() && ctx.trust.signing_keys().next().is_none();
    if no_keys && !sigs.is_empty() {
        no_trusted_signing_keys(ctx);
    }
    for v in sigs {
        let info = &v.info;
        let where_ = info
            .parent
            .map(|p| format!("<{}>", qname(doc, p)))
            .unwrap_or_else(|| "the document".into());
        let parent_id = info.parent.and_then(|p| xml::attr(doc, p, "ID"));
        let mut placed_well = true;
        match info.parent {
            Some(p) if signable(doc, p) => {}
            _ => {
                placed_well = false;
                wrapping(
                    ctx,
                    format!("a signature sits inside {where_}, where SAML never puts one (signatures are direct children of the Response, Assertion, request or metadata they sign)"),
                    json!({"signature_parent": where_}),
                );
            }
        }
        if placed_well && !right_after_issuer(doc, info.node) {
            placed_well = false;
            wrapping(
                ctx,
                format!("the signature in {where_} is not where the schema puts it (right after the Issuer, or first in metadata): a signature moved around is a wrapping pattern"),
                json!({"signature_parent": where_}),
            );
        }
        if info.references.len() != 1 {
            placed_well = false;
            wrapping(
                ctx,
                format!("the signature in {where_} has {} references; the SAML profile allows exactly one, to the element it sits in", info.references.len()),
                json!({"references": info.references.iter().map(|r| r.uri.clone()).collect::<Vec<_>>()}),
            );
        }
        for r in &info.references {
            let enveloping_parent = r.target.is_some() && r.target == info.parent;
            if !enveloping_parent {
                placed_well = false;
                let target = r
                    .target
                    .map(|t| {
                        format!(
                            "<{}>{}",
                            qname(doc, t),
                            xml::attr(doc, t, "ID")
                                .map(|i| format!(" ID '{i}'"))
                                .unwrap_or_default()
                        )
                    })
                    .unwrap_or_else(|| "no element of this document".into());
                wrapping(
                    ctx,
                    format!(
                        "the signature in {where_}{} references '{}', which is {target}: the signed element is not the one the signature sits in",
                        parent_id.as_deref().map(|i| format!(" (ID '{i}')")).unwrap_or_default(),
                        r.uri.as_deref().unwrap_or("(no URI)")
                    ),
                    json!({"reference": r.uri, "signature_parent_id": parent_id}),
                );
            }
            for t in &r.transforms {
                if !allowed_transform(t) {
                    placed_well = false;
                    wrapping(
                        ctx,
                        format!("the signature in {where_} applies the transform '{}', which the SAML signature profile does not allow (only enveloped-signature and canonicalisation)", algorithm_name(t)),
                        json!({"transform": t}),
                    );
                }
            }
            if let Some(d) = r
                .digest_method
                .as_deref()
                .filter(|d| uses_sha1(d) && weak_reported.insert(d.to_string()))
            {
                ctx.weak(
                    Finding::new(
                        FindingCode::WeakKey,
                        format!("the signature in {where_} digests with {}, which is broken for collision resistance", algorithm_name(d)),
                    )
                    .with_evidence(json!({"digest_method": d})),
                );
            }
        }
        if let Some(m) = info
            .method
            .as_deref()
            .filter(|m| uses_sha1(m) && weak_reported.insert(m.to_string()))
        {
            ctx.weak(
                Finding::new(
                    FindingCode::WeakKey,
                    format!(
                        "the signature in {where_} uses {}; SHA-1 signatures are deprecated",
                        algorithm_name(m)
                    ),
                )
                .with_evidence(json!({"signature_method": m})),
            );
        }
        let method = info
            .method
            .as_deref()
            .map(algorithm_name)
            .unwrap_or("an unnamed algorithm")
            .to_string();
        for cert in info.embedded.iter().flatten() {
            if certs_checked.insert(cert.thumbprints.sha1_hex.clone()) {
                check_certificate(
                    ctx,
                    cert,
                    &format!("KeyInfo certificate of the signature in {where_}"),
                );
            }
        }
        match &v.outcome {
            Outcome::NotChecked => {
                let embedded = v
                    .embedded_verifies
                    .and_then(|i| info.embedded.get(i))
                    .and_then(|c| c.as_ref().ok())
                    .map(|c| format!("; it does verify with the certificate in its own KeyInfo (SHA-1 {}), which proves nothing until that certificate is compared with the IdP's metadata", c.thumbprints.sha1_hex))
                    .unwrap_or_default();
                ctx.push(Finding::new(
                    FindingCode::SignatureNotChecked,
                    format!("no key source was given, so the {method} signature in {where_} was not verified{embedded} (give --metadata or --cert)"),
                ));
            }
            Outcome::Verified { key, targets } => {
                let Some(k) = ctx.trust.keys.get(*key) else { continue };
                let label = k.label();
                ctx.push(
                    Finding::new(
                        FindingCode::SignatureVerified,
                        format!("the {method} signature in {where_} verifies with trusted {label}"),
                    )
                    .with_evidence(json!({"signature_method": info.method, "key": label, "source": k.source})),
                );
                match k.certificate() {
                    Some(cert) => {
                        if weak_reported.insert(format!("key {}", cert.thumbprints.sha1_hex)) {
                            check_certificate(ctx, cert, &format!("the signing key {label}"));
                        }
                    }
                    None => {
                        if let Some(why) = public_key_weakness(&k.key) {
                            ctx.weak(
                                Finding::new(FindingCode::WeakKey, format!("the signing key {label} has {why}"))
                                    .with_evidence(json!({"key": label, "weakness": why})),
                            );
                        }
                    }
                }
                if placed_well {
                    if let Some(p) = info.parent {
                        if targets.contains(&p) {
                            covered.insert(p);
                        }
                    }
                }
            }
            Outcome::DigestMismatch(reason) => ctx.push(
                Finding::new(
                    FindingCode::SignatureInvalid,
                    format!("the signature in {where_} fails on its reference digest: the signed content was changed after signing ({reason})"),
                )
                .with_evidence(json!({"reason": "reference digest", "detail": reason}))
                .with_seen_as_first(vec!["Reference validation failed".into()]),
            ),
            Outcome::Wrapped(reason) => wrapping(
                ctx,
                format!("the signature in {where_} references an element outside its allowed position ({reason})"),
                json!({"detail": reason}),
            ),
            Outcome::Unprocessable(reason) => ctx.push(
                Finding::new(
                    FindingCode::SignatureInvalid,
                    format!("the signature in {where_} cannot be verified: {reason}"),
                )
                .with_evidence(json!({"reason": "unprocessable", "detail": reason})),
            ),
            Outcome::SignatureMismatch { .. } | Outcome::NoFittingKey(_) => {
                if no_keys {
                    continue;
                }
                not_verified(ctx, v, &where_, &method);
            }
        }
    }
    covered
}

/// No trusted key verifies: tell a missing key from a bad signature, with thumbprints.
fn not_verified(ctx: &mut Ctx, v: &Verified, where_: &str, method: &str) {
    let trusted = trusted_thumbprints(ctx.trust);
    let embedded: Vec<_> = v.info.embedded.iter().flatten().collect();
    let embedded_known = embedded.iter().any(|c| {
        trusted
            .iter()
            .any(|(sha1, _)| *sha1 == c.thumbprints.sha1_hex)
    });
    let reason = match &v.outcome {
        Outcome::NoFittingKey(_) => "no trusted key fits the algorithm",
        _ => "signature value",
    };
    let evidence = json!({
        "reason": reason,
        "signature_method": v.info.method,
        "keyinfo_certificates": embedded.iter().map(|c| json!({"subject": c.subject, "sha1_thumbprint": c.thumbprints.sha1_hex, "not_after": rfc3339(c.not_after)})).collect::<Vec<_>>(),
        "trusted_certificates": trusted.iter().map(|(sha1, label)| json!({"key": label, "sha1_thumbprint": sha1})).collect::<Vec<_>>(),
        "trusted_keys_tried": ctx.trust.signing_keys().map(|k| k.label()).collect::<Vec<_>>(),
    });
    if let Some(cert) = v
        .embedded_verifies
        .and_then(|i| v.info.embedded.get(i))
        .and_then(|c| c.as_ref().ok())
    {
        ctx.push(
            Finding::new(
                FindingCode::UntrustedEmbeddedKey,
                format!(
                    "the {method} signature in {where_} verifies only with the certificate in its own KeyInfo ('{}', SHA-1 {}), which is not among the trusted certificates ({})",
                    cert.short_name(),
                    cert.thumbprints.sha1_hex,
                    list_thumbprints(&trusted)
                ),
            )
            .with_evidence(evidence),
        );
    } else if !embedded.is_empty() && !embedded_known {
        let names: Vec<String> = embedded
            .iter()
            .map(|c| c.thumbprints.sha1_hex.clone())
            .collect();
        ctx.push(
            Finding::new(
                FindingCode::KeyNotFound,
                format!(
                    "the signature in {where_} names the certificate SHA-1 {} in its KeyInfo, and no trusted certificate matches ({}); none of the trusted keys verifies it",
                    names.join(", "),
                    list_thumbprints(&trusted)
                ),
            )
            .with_evidence(evidence),
        );
    } else {
        let why = match &v.outcome {
            Outcome::NoFittingKey(r) => format!("no trusted key can be used with {method} ({r})"),
            _ => format!("the reference digests match but the signature value does not verify with any of the {} trusted keys", ctx.trust.signing_keys().count()),
        };
        ctx.push(
            Finding::new(
                FindingCode::SignatureInvalid,
                format!("the {method} signature in {where_} does not verify: {why}"),
            )
            .with_evidence(evidence)
            .with_seen_as_first(vec![
                "Signature validation failed. SAML Response rejected".into(),
            ]),
        );
    }
}

fn trusted_thumbprints(trust: &TrustStore) -> Vec<(String, String)> {
    trust
        .signing_keys()
        .filter_map(|k| {
            k.certificate()
                .map(|c| (c.thumbprints.sha1_hex.clone(), k.label().to_string()))
        })
        .collect()
}

fn list_thumbprints(trusted: &[(String, String)]) -> String {
    if trusted.is_empty() {
        "the trusted keys are bare public keys".into()
    } else {
        format!(
            "trusted: {}",
            trusted
                .iter()
                .map(|(t, _)| format!("SHA-1 {t}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// The key sources were given but hold no signing key: the AADSTS50003 situation.
fn no_trusted_signing_keys(ctx: &mut Ctx) {
    let reasons: Vec<String> = ctx
        .trust
        .unusable
        .iter()
        .map(|u| format!("{}: {}", u.source, u.reason))
        .collect();
    ctx.push(
        Finding::new(
            FindingCode::NoSigningKeys,
            format!(
                "the key sources ({}) hold no signing key, so no signature can be verified{}",
                ctx.trust.sources.join(", "),
                reasons
                    .first()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            ),
        )
        .with_evidence(json!({"sources": ctx.trust.sources, "unusable": reasons}))
        .with_seen_as_first(vec!["AADSTS50003".into()]),
    );
}

/// The assertion a service provider would read from a Response, and wrapping around it.
pub fn check_response(
    ctx: &mut Ctx,
    doc: &Document,
    response: &Response,
    covered: &HashSet<NodeId>,
    has_signatures: bool,
) -> Option<bool> {
    check_status(ctx, response);
    check_issuer(ctx, response.issuer.as_deref(), "the Response");
    let mut profile = Vec::new();
    if response.status.is_none() {
        profile.push("the Response has no Status, which SAML requires".to_string());
    }
    if response
        .destination
        .as_deref()
        .is_some_and(|d| d.trim().is_empty())
    {
        profile.push("the Response's Destination is empty".to_string());
    }
    if response.issuer.is_none() && !response.logout {
        profile.push(
            "the Response has no Issuer; Entra always sends one, and the profile requires it when the Response is signed or its assertion encrypted"
                .to_string(),
        );
    }
    for p in profile {
        ctx.push(Finding::new(FindingCode::Malformed, p));
    }
    if response.assertions.len() > 1 {
        wrapping(
            ctx,
            format!("the Response carries {} assertions; a consumer reads one of them, and an attacker adds the other", response.assertions.len()),
            json!({"assertion_ids": response.assertions.iter().map(|a| a.id.clone()).collect::<Vec<_>>()}),
        );
    }
    let read = response.assertions.first();
    // Assertions anywhere else (inside Extensions, an Object, another assertion) are never read.
    let stray: Vec<NodeId> = xml::descendants(doc, response.node)
        .into_iter()
        .filter(|n| is(doc, *n, NS_SAML, "Assertion"))
        .filter(|n| !response.assertions.iter().any(|a| a.node == *n))
        .collect();
    for n in &stray {
        wrapping(
            ctx,
            format!(
                "an Assertion{} is nested inside <{}>, where consumers do not read it: a signed assertion moved aside so that an unsigned one is read instead",
                xml::attr(doc, *n, "ID").map(|i| format!(" (ID '{i}')")).unwrap_or_default(),
                doc.parent(*n).map(|p| qname(doc, p)).unwrap_or_default()
            ),
            json!({"assertion_id": xml::attr(doc, *n, "ID")}),
        );
    }
    let response_covered = covered.contains(&response.node);
    let Some(a) = read else {
        if response.status.as_ref().is_some_and(|s| s.is_success())
            && response.encrypted_assertions == 0
            && !response.logout
        {
            ctx.push(Finding::new(
                FindingCode::Malformed,
                "the Response reports Success but carries no Assertion",
            ));
        }
        if !response.logout
            && response.signature.is_none()
            && response.encrypted_assertions == 0
            && response.status.as_ref().is_some_and(|s| s.is_success())
        {
            unsigned(ctx, "the Response");
        }
        return None;
    };
    let assertion_covered = covered.contains(&a.node);
    let signed_structurally = response.signature.is_some() || a.signature.is_some();
    if !signed_structurally {
        unsigned(ctx, "the Response nor its Assertion");
    }
    let verified = response_covered || assertion_covered;
    if has_signatures && !verified && !covered.is_empty() {
        wrapping(
            ctx,
            format!(
                "a signature verifies, but it covers neither the Response nor the Assertion{} a consumer reads",
                a.id.as_deref().map(|i| format!(" '{i}'")).unwrap_or_default()
            ),
            json!({"read_assertion_id": a.id}),
        );
    }
    check_issuer(ctx, a.issuer.as_deref(), "the Assertion");
    check_assertion(ctx, doc, a, "the Assertion");
    Some(verified)
}

fn unsigned(ctx: &mut Ctx, what: &str) {
    ctx.push(
        Finding::new(
            FindingCode::SamlUnsigned,
            format!("neither {what} is signed: nothing a service provider reads is protected"),
        )
        .with_seen_as_first(vec!["No Signature found. SAML Response rejected".into()]),
    );
}

pub fn check_standalone_assertion(
    ctx: &mut Ctx,
    doc: &Document,
    a: &Assertion,
    covered: &HashSet<NodeId>,
) -> bool {
    if a.signature.is_none() {
        ctx.push(Finding::new(
            FindingCode::SamlUnsigned,
            "the Assertion is not signed: nothing a service provider reads is protected",
        ));
    }
    check_issuer(ctx, a.issuer.as_deref(), "the Assertion");
    check_assertion(ctx, doc, a, "the Assertion");
    covered.contains(&a.node)
}

fn check_status(ctx: &mut Ctx, response: &Response) {
    let Some(status) = &response.status else {
        return;
    };
    if status.is_success() {
        return;
    }
    let message = status.message.clone().unwrap_or_default();
    let codes = aadsts_codes_in(&format!(
        "{message} {}",
        status.detail.as_deref().unwrap_or("")
    ));
    let entry = codes.first().and_then(|c| aadsts(c));
    let short = |uri: &Option<String>| {
        uri.as_deref()
            .map(|u| u.rsplit(':').next().unwrap_or(u).to_string())
            .unwrap_or_else(|| "(none)".into())
    };
    let sub: Vec<String> = status
        .sub_codes
        .iter()
        .map(|c| short(&Some(c.clone())))
        .collect();
    let mut text = format!(
        "the IdP answered status {}{}",
        short(&status.code),
        if sub.is_empty() {
            String::new()
        } else {
            format!(" / {}", sub.join(" / "))
        }
    );
    if let (Some(code), Some(e)) = (codes.first(), entry) {
        text.push_str(&format!(
            " with AADSTS{code} ({}): {}",
            e.name,
            e.meaning.split(". ").next().unwrap_or(e.meaning)
        ));
    } else if !message.is_empty() {
        // No page for the code: Entra's own words, up to the trace trailer.
        let words = message.split("Trace ID:").next().unwrap_or(&message);
        text.push_str(&format!(
            ": {}",
            words.split_whitespace().collect::<Vec<_>>().join(" ")
        ));
    }
    let mut finding = Finding::new(FindingCode::SamlStatusError, text).with_evidence(json!({
        "status_code": status.code,
        "sub_codes": status.sub_codes,
        "status_message": status.message,
        "aadsts": codes,
        "explain": codes.iter().find(|c| aadsts(c).is_some()).map(|c| format!("keyprobe explain AADSTS{c}")),
    }));
    if let Some(e) = entry {
        finding = finding.with_hint(e.fix);
    }
    ctx.push(finding.with_seen_as_first(codes.iter().map(|c| format!("AADSTS{c}")).collect()));
}

/// Issuer against `--issuer` and the metadata's entityID.
/// The HTTP-Redirect binding's query-string signature, verified with the trusted keys
/// (for an AuthnRequest, the service provider's certificate). Returns the verdict to show.
pub fn check_query_signature(ctx: &mut Ctx, q: &QuerySignature) -> String {
    use crate::crypto::{verify, VerifyKey};
    use openssl::hash::MessageDigest;
    let name = algorithm_name(&q.sig_alg).to_string();
    let signature = match &q.signature {
        Ok(s) => s,
        Err(e) => {
            ctx.push(Finding::new(
                FindingCode::Malformed,
                format!("the query-string Signature does not decode: {e}"),
            ));
            return format!("not verifiable: {e}");
        }
    };
    if uses_sha1(&q.sig_alg) {
        ctx.weak(
            Finding::new(
                FindingCode::WeakKey,
                format!("the query string is signed with {name}; SHA-1 signatures are deprecated"),
            )
            .with_evidence(json!({"sig_alg": q.sig_alg})),
        );
    }
    if ctx.trust.is_empty() {
        ctx.push(Finding::new(
            FindingCode::SignatureNotChecked,
            format!("no key source was given, so the {name} query-string signature was not verified (give the signer's certificate with --cert)"),
        ));
        return "not checked: no key source was given".into();
    }
    let message = q.signed_octets.as_bytes();
    let check = |key: &VerifyKey| -> bool {
        let method = XmlDsigAlg::from_uri(&q.sig_alg);
        let jws = method.and_then(XmlDsigAlg::jws_equivalent);
        match (jws, key) {
            (Some(alg), _) => verify(alg, key, message, signature).unwrap_or(false),
            (None, VerifyKey::Public(pkey)) if method == Some(XmlDsigAlg::RsaSha1) => {
                openssl::sign::Verifier::new(MessageDigest::sha1(), pkey)
                    .and_then(|mut v| v.verify_oneshot(signature, message))
                    .unwrap_or(false)
            }
            _ => false,
        }
    };
    let tried: Vec<String> = ctx
        .trust
        .signing_keys()
        .map(|k| k.label().to_string())
        .collect();
    let verified = ctx
        .trust
        .signing_keys()
        .find(|k| check(&k.key))
        .map(|k| k.label());
    match verified {
        Some(label) => {
            ctx.push(
                Finding::new(
                    FindingCode::SignatureVerified,
                    format!("the {name} query-string signature verifies with trusted {label}"),
                )
                .with_evidence(json!({"sig_alg": q.sig_alg, "key": label})),
            );
            format!("verified with {label}")
        }
        None => {
            ctx.push(
                Finding::new(
                    FindingCode::SignatureInvalid,
                    format!("the {name} query-string signature (HTTP-Redirect binding) verifies with none of the {} trusted keys", tried.len()),
                )
                .with_evidence(json!({"sig_alg": q.sig_alg, "signed_octets": q.signed_octets, "trusted_keys_tried": tried})),
            );
            "invalid: no trusted key verifies it".into()
        }
    }
}

/// Exact match, or Entra's `{tenantid}` template (common federation metadata) filled with
/// one path segment.
fn issuer_matches(issuer: &str, expected: &str) -> bool {
    if issuer == expected {
        return true;
    }
    let Some((prefix, suffix)) = expected.split_once("{tenantid}") else {
        return false;
    };
    issuer
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_suffix(suffix))
        .is_some_and(|tid| !tid.is_empty() && !tid.contains('/'))
}

fn check_issuer(ctx: &mut Ctx, issuer: Option<&str>, what: &str) {
    let Some(issuer) = issuer else { return };
    let expected: Vec<(String, &str)> = [
        ctx.settings.issuer.clone().map(|i| (i, "--issuer")),
        ctx.trust
            .metadata_issuer
            .clone()
            .map(|i| (i, "the metadata's entityID")),
    ]
    .into_iter()
    .flatten()
    .collect();
    for (want, from) in expected {
        if !issuer_matches(issuer, &want) {
            ctx.push(
                Finding::new(
                    FindingCode::IssuerMismatch,
                    format!("{what}'s Issuer is '{issuer}' but {from} is '{want}'"),
                )
                .with_evidence(json!({"issuer": issuer, "expected": want, "expected_from": from})),
            );
        }
    }
}

fn check_assertion(ctx: &mut Ctx, doc: &Document, a: &Assertion, what: &str) {
    if a.id.as_deref().is_none_or(str::is_empty) {
        ctx.push(Finding::new(
            FindingCode::Malformed,
            format!("{what} has no ID, so no signature can reference it"),
        ));
    }
    // What the Web Browser SSO profile requires of the assertion a service provider accepts.
    let mut profile = Vec::new();
    if a.issuer.as_deref().is_none_or(str::is_empty) {
        profile.push(format!("{what} has no Issuer"));
    }
    match &a.subject {
        None => profile.push(format!("{what} has no Subject")),
        Some(s) if !s.encrypted_id && s.name_id.as_deref().is_none_or(str::is_empty) => {
            profile.push(format!("{what}'s Subject has no (or an empty) NameID"))
        }
        _ => {}
    }
    if a.authn.is_none() {
        profile.push(format!(
            "{what} has no AuthnStatement: it does not say that anyone signed in"
        ));
    }
    if a.conditions.as_ref().is_none_or(|c| c.audiences.is_empty()) {
        profile.push(format!(
            "{what} has no AudienceRestriction: it would be accepted by any service provider"
        ));
    }
    let mut seen: Vec<&str> = Vec::new();
    for attribute in &a.attributes {
        if seen.contains(&attribute.name.as_str()) {
            profile.push(format!(
                "the attribute '{}' appears twice; consumers disagree on which values win",
                attribute.name
            ));
        }
        seen.push(&attribute.name);
    }
    for p in profile {
        ctx.push(Finding::new(FindingCode::Malformed, p));
    }
    if let (Some(q), Some(c)) = (
        a.subject
            .as_ref()
            .and_then(|s| s.sp_name_qualifier.as_deref()),
        &a.conditions,
    ) {
        if !c.audiences.is_empty() && !c.audiences.iter().any(|x| x == q) {
            ctx.push(
                Finding::new(
                    FindingCode::AudienceMismatch,
                    format!("the NameID is qualified for service provider '{q}', but {what}'s audiences are [{}]", c.audiences.join(", ")),
                )
                .with_evidence(json!({"sp_name_qualifier": q, "audiences": c.audiences})),
            );
        }
    }
    for n in model::comment_split_nodes(doc, a) {
        wrapping(
            ctx,
            format!(
                "a comment splits the text of <{}> ('{}'): consumers that read only the first text node see a different value than the one signed (comment injection)",
                qname(doc, n),
                xml::text(doc, n)
            ),
            json!({"element": qname(doc, n)}),
        );
    }
    if let Some(c) = &a.conditions {
        check_window(
            ctx,
            c.not_before.as_ref(),
            c.not_on_or_after.as_ref(),
            &format!("{what}'s Conditions"),
        );
        if let Some(want) = ctx.settings.audience.clone() {
            if !c.audiences.contains(&want) {
                ctx.push(
                    Finding::new(
                        FindingCode::AudienceMismatch,
                        format!(
                            "{what}'s audiences are [{}], which do not include '{want}'",
                            c.audiences.join(", ")
                        ),
                    )
                    .with_evidence(json!({"audiences": c.audiences, "expected": want})),
                );
            }
        }
    }
    if let Some(s) = &a.subject {
        for c in &s.confirmations {
            check_window(
                ctx,
                c.not_before.as_ref(),
                c.not_on_or_after.as_ref(),
                &format!("{what}'s SubjectConfirmationData"),
            );
        }
    }
}

fn check_window(
    ctx: &mut Ctx,
    not_before: Option<&Instant>,
    not_on_or_after: Option<&Instant>,
    what: &str,
) {
    let clock = ctx.settings.clock;
    let now = clock.now();
    let leeway = clock.leeway();
    for (instant, name) in [(not_before, "NotBefore"), (not_on_or_after, "NotOnOrAfter")] {
        if let Some(i) = instant.filter(|i| i.unix.is_none()) {
            ctx.push(Finding::new(
                FindingCode::Malformed,
                format!("{what} {name} '{}' is not an xs:dateTime", i.raw),
            ));
        }
    }
    if let Some(t) = not_on_or_after.and_then(|i| i.unix) {
        if now >= t.saturating_add(leeway) {
            ctx.push(
                Finding::new(
                    FindingCode::TokenExpired,
                    format!("{what} NotOnOrAfter is {}, past the {leeway} s leeway at {}", describe(&clock, t), rfc3339(now)),
                )
                .with_evidence(json!({"not_on_or_after": rfc3339(t), "checked_at": rfc3339(now), "leeway_seconds": leeway})),
            );
        }
    }
    if let Some(t) = not_before.and_then(|i| i.unix) {
        if t > now.saturating_add(leeway) {
            ctx.push(
                Finding::new(
                    FindingCode::TokenNotYetValid,
                    format!("{what} NotBefore is {}, beyond the {leeway} s leeway at {}", describe(&clock, t), rfc3339(now)),
                )
                .with_evidence(json!({"not_before": rfc3339(t), "checked_at": rfc3339(now), "leeway_seconds": leeway})),
            );
        }
    }
}

/// SAML metadata given as the key source (`--metadata`) past its `validUntil`.
pub fn check_key_source_validity(ctx: &mut Ctx) {
    let Some((label, t)) = ctx.trust.saml_metadata_valid_until.clone() else {
        return;
    };
    let clock = ctx.settings.clock;
    if clock.now() > t {
        ctx.push(
            Finding::new(
                FindingCode::MetadataExpired,
                format!(
                    "the SAML metadata '{label}' you trust is valid until {}: consumers that honour validUntil refuse it and every sign-in that relies on it",
                    describe(&clock, t)
                ),
            )
            .with_evidence(json!({"source": label, "valid_until": rfc3339(t), "checked_at": rfc3339(clock.now())})),
        );
    }
}

/// Metadata as input: signing keys, certificates, validity.
pub fn check_metadata(ctx: &mut Ctx, md: &Metadata, certs_checked: &mut HashSet<String>) {
    let clock = ctx.settings.clock;
    let now = clock.now();
    let mut until = vec![(md.valid_until.clone(), "the metadata".to_string())];
    for e in &md.entities {
        let name = e
            .entity_id
            .clone()
            .unwrap_or_else(|| "(no entityID)".into());
        until.push((e.valid_until.clone(), format!("EntityDescriptor '{name}'")));
        let idp_roles: Vec<_> = e.roles.iter().filter(|r| r.idp).collect();
        if e.entity_id.as_deref().is_none_or(str::is_empty) {
            ctx.push(Finding::new(
                FindingCode::Malformed,
                "an EntityDescriptor has no entityID",
            ));
        }
        if !idp_roles.is_empty() && e.idp_signing_certificates().is_empty() {
            let roles: Vec<&str> = idp_roles.iter().map(|r| r.element.as_str()).collect();
            ctx.push(
                Finding::new(
                    FindingCode::NoSigningKeys,
                    format!("the identity-provider metadata for '{name}' has no signing certificate ({} without a signing KeyDescriptor): nothing it signs can be verified, the situation behind AADSTS50003", roles.join(", ")),
                )
                .with_evidence(json!({"entity_id": e.entity_id, "roles": roles, "explain": "keyprobe explain AADSTS50003"}))
                .with_seen_as_first(vec!["AADSTS50003".into()]),
            );
        }
        for role in &e.roles {
            for (k, key) in role.keys.iter().enumerate() {
                for (c, cert) in key.certificates.iter().enumerate() {
                    let role_name = format!(
                        "{} KeyDescriptor {} ({}) certificate {}",
                        role.element,
                        k + 1,
                        key.usage.as_deref().unwrap_or("any use"),
                        c + 1
                    );
                    match cert {
                        Ok(cert) => {
                            if certs_checked.insert(cert.thumbprints.sha1_hex.clone()) {
                                check_certificate(ctx, cert, &role_name)
                            }
                        }
                        Err(e) => ctx.push(Finding::new(
                            FindingCode::Malformed,
                            format!("{role_name}: {e}"),
                        )),
                    }
                }
            }
        }
    }
    for (valid_until, what) in until {
        if let Some(t) = valid_until.as_ref().and_then(|v| v.unix) {
            if now > t {
                ctx.push(
                    Finding::new(
                        FindingCode::MetadataExpired,
                        format!(
                            "{what} is valid until {}: consumers that honour validUntil refuse it",
                            describe(&clock, t)
                        ),
                    )
                    .with_evidence(json!({"valid_until": rfc3339(t), "checked_at": rfc3339(now)})),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::issuer_matches;

    #[test]
    fn entra_tenant_template_matches_one_tenant() {
        let t = "https://sts.windows.net/{tenantid}/";
        assert!(issuer_matches(
            "https://sts.windows.net/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/",
            t
        ));
        assert!(!issuer_matches("https://sts.windows.net//", t));
        assert!(!issuer_matches("https://sts.windows.net/a/b/", t));
        assert!(!issuer_matches("https://evil.example/x/", t));
        assert!(issuer_matches("https://idp/", "https://idp/"));
    }
}
