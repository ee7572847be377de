//! SAML checks: signatures and what they cover, wrapping, status, lifetimes, audience, issuer,
//! certificates and metadata signing keys. Subject, conditions and attributes are judged on
//! the assertion a service provider would read, and trusted only when a verified signature
//! covers it.
//!
//! ```text
//! signatures (placement, algorithms, certificates, outcome) ─┐
//! message (response, assertion, status, issuer, lifetimes)  ─┼─ SamlDiagnosis ─▶ findings::finding
//! metadata, query (HTTP-Redirect signature)                 ─┘
//! ```
//! A new wrapping shape is one [`diagnosis::Wrapping`] variant and one judge in `signatures` or
//! `message`; its wording goes in `findings`.

mod diagnosis;
mod findings;
mod message;
mod metadata;
mod query;
mod signatures;

use std::collections::HashSet;

use uppsala::{Document, NodeId};

use super::Ctx;
use crate::saml::binding::QuerySignature;
use crate::saml::dsig::Verified;
use crate::saml::model::{Assertion, Metadata, Response};
use crate::saml::xml::IdMap;
use diagnosis::SamlDiagnosis;
use message::Coverage;
use signatures::Seen;

/// Words and records the diagnoses, in order.
fn record(ctx: &mut Ctx, diagnoses: &[SamlDiagnosis]) {
    for d in diagnoses {
        let f = findings::finding(d, ctx.settings);
        ctx.push(f);
    }
}

/// Repeated IDs make every reference ambiguous.
pub(crate) fn check_ids(ctx: &mut Ctx, ids: &IdMap) {
    record(ctx, &message::judge_ids(ids));
}

/// More signatures than keyprobe verifies: none was.
pub(crate) fn check_signature_count(ctx: &mut Ctx, count: usize) {
    let limit = crate::limits::MAX_XML_SIGNATURES;
    if count > limit {
        record(ctx, &[SamlDiagnosis::TooManySignatures { count, limit }]);
    }
}

/// A SAML protocol message keyprobe does not judge: never `ok`.
pub(crate) fn check_not_judged(ctx: &mut Ctx, element: &str) {
    record(
        ctx,
        &[SamlDiagnosis::NotJudged {
            element: element.to_string(),
        }],
    );
}

/// XML whose root is not a SAML message or metadata.
pub(crate) fn check_not_saml(ctx: &mut Ctx, name: &str, namespace: &str) {
    record(
        ctx,
        &[SamlDiagnosis::NotSaml {
            name: name.to_string(),
            namespace: namespace.to_string(),
        }],
    );
}

/// Judges every signature; returns the elements a verified, well-placed signature covers.
/// `certs_checked` holds the SHA-1 thumbprints of certificates already checked, so that each
/// certificate is reported once however many signatures and roles carry it.
pub(crate) fn check_signatures(
    ctx: &mut Ctx,
    doc: &Document,
    sigs: &[Verified],
    certs_checked: &mut HashSet<String>,
) -> HashSet<NodeId> {
    let mut seen = Seen {
        certs: certs_checked,
        weak: HashSet::new(),
    };
    let mut out = Vec::new();
    let covered =
        signatures::judge_signatures(ctx.trust, ctx.settings, doc, sigs, &mut seen, &mut out);
    record(ctx, &out);
    covered
}

/// The assertion a service provider would read from a Response, and wrapping around it.
/// Returns whether a verified signature covers what is read (`None` when nothing is read).
pub(crate) fn check_response(
    ctx: &mut Ctx,
    doc: &Document,
    response: &Response,
    covered: &HashSet<NodeId>,
    has_signatures: bool,
) -> Option<bool> {
    let coverage = Coverage {
        covered,
        has_signatures,
    };
    let mut out = Vec::new();
    let verified =
        message::judge_response(ctx.trust, ctx.settings, doc, response, &coverage, &mut out);
    record(ctx, &out);
    verified
}

/// A LogoutRequest or LogoutResponse: unsigned (`signed` says whether its XML or its query
/// string carries a signature) is `saml-unsigned`.
pub(crate) fn check_logout(ctx: &mut Ctx, element: &str, signed: bool) {
    let diagnoses: Vec<SamlDiagnosis> =
        message::judge_logout(element, signed).into_iter().collect();
    record(ctx, &diagnoses);
}

/// A standalone Assertion; returns whether a verified signature covers it.
pub(crate) fn check_standalone_assertion(
    ctx: &mut Ctx,
    doc: &Document,
    a: &Assertion,
    covered: &HashSet<NodeId>,
) -> bool {
    let mut out = Vec::new();
    let verified =
        message::judge_standalone_assertion(ctx.trust, ctx.settings, doc, a, covered, &mut out);
    record(ctx, &out);
    verified
}

/// SAML metadata given as the key source (`--metadata`) past its `validUntil`.
pub(crate) fn check_key_source_validity(ctx: &mut Ctx) {
    let diagnoses: Vec<SamlDiagnosis> = metadata::judge_trusted_metadata(ctx.trust, ctx.settings)
        .into_iter()
        .collect();
    record(ctx, &diagnoses);
}

/// Metadata as input: signing keys, certificates, validity.
pub(crate) fn check_metadata(ctx: &mut Ctx, md: &Metadata, certs_checked: &mut HashSet<String>) {
    let mut out = Vec::new();
    metadata::judge_metadata(ctx.settings, md, certs_checked, &mut out);
    record(ctx, &out);
}

/// The HTTP-Redirect binding's query-string signature, verified with the trusted keys
/// (for an AuthnRequest, the service provider's certificate). Returns the verdict to show.
pub(crate) fn check_query_signature(ctx: &mut Ctx, q: &QuerySignature) -> String {
    let judged = query::judge_query_signature(ctx.trust, q);
    let verdict = query::verdict(&judged);
    let diagnoses: Vec<SamlDiagnosis> = judged.into_iter().map(SamlDiagnosis::Query).collect();
    record(ctx, &diagnoses);
    verdict
}

#[cfg(test)]
mod tests {
    use super::message::issuer_matches;

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
