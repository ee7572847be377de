//! Judging a Response or a standalone Assertion: the assertion a consumer reads and the wrapping
//! around it, status, issuer, the profile's required parts, audience and lifetimes.

use std::collections::HashSet;

use uppsala::{Document, NodeId};

use super::diagnosis::{ProfileGap, SamlDiagnosis, StatusError, Wrapping};
use crate::artifact::sts_error::aadsts_codes_in;
use crate::saml::model::{self, Assertion, Instant, Response};
use crate::saml::xml::{self, is, qname, IdMap, NS_SAML};
use crate::trust::TrustStore;
use crate::Settings;

/// Repeated IDs make every reference ambiguous; too many IDs stop verification.
pub(super) fn judge_ids(ids: &IdMap) -> Vec<SamlDiagnosis<'static>> {
    let mut out: Vec<SamlDiagnosis> = ids
        .duplicates
        .iter()
        .map(|id| SamlDiagnosis::Wrapping(Wrapping::DuplicateId { id: id.clone() }))
        .collect();
    if ids.too_many {
        out.push(SamlDiagnosis::TooManyIds {
            limit: crate::limits::MAX_XML_IDS,
        });
    }
    out
}

/// What the signature judges established about a document.
pub(super) struct Coverage<'c> {
    /// Elements a verified, well-placed signature covers.
    pub covered: &'c HashSet<NodeId>,
    pub has_signatures: bool,
}

/// The assertion a service provider would read from a Response, and wrapping around it.
/// Returns whether a verified signature covers what is read (`None` when nothing is read).
pub(super) fn judge_response(
    trust: &TrustStore,
    settings: &Settings,
    doc: &Document,
    response: &Response,
    coverage: &Coverage,
    out: &mut Vec<SamlDiagnosis<'static>>,
) -> Option<bool> {
    out.extend(status_error(response));
    out.extend(issuer_mismatch(
        trust,
        settings,
        response.issuer.as_deref(),
        "the Response",
    ));
    out.extend(
        response_profile_gaps(response)
            .into_iter()
            .map(SamlDiagnosis::ProfileGap),
    );
    if response.assertions.len() > 1 {
        out.push(SamlDiagnosis::Wrapping(Wrapping::SeveralAssertions {
            ids: response.assertions.iter().map(|a| a.id.clone()).collect(),
        }));
    }
    out.extend(
        stray_assertions(doc, response)
            .into_iter()
            .map(SamlDiagnosis::Wrapping),
    );
    let Some(a) = response.assertions.first() else {
        out.extend(no_assertion(response));
        return None;
    };
    if response.signature.is_none() && a.signature.is_none() {
        out.push(SamlDiagnosis::Unsigned {
            what: "the Response nor its Assertion",
        });
    }
    let verified = coverage.covered.contains(&response.node) || coverage.covered.contains(&a.node);
    if coverage.has_signatures && !verified && !coverage.covered.is_empty() {
        out.push(SamlDiagnosis::Wrapping(Wrapping::CoversNeither {
            read_id: a.id.clone(),
        }));
    }
    out.extend(issuer_mismatch(
        trust,
        settings,
        a.issuer.as_deref(),
        "the Assertion",
    ));
    judge_assertion(settings, doc, a, "the Assertion", out);
    Some(verified)
}

/// A logout message must be signed, in its XML or (HTTP-Redirect binding) in the query string;
/// a signature that is there is judged with the others.
pub(super) fn judge_logout(element: &str, signed: bool) -> Option<SamlDiagnosis<'static>> {
    (!signed).then(|| SamlDiagnosis::LogoutUnsigned {
        element: element.to_string(),
    })
}

/// A standalone Assertion; returns whether a verified signature covers it.
pub(super) fn judge_standalone_assertion(
    trust: &TrustStore,
    settings: &Settings,
    doc: &Document,
    a: &Assertion,
    covered: &HashSet<NodeId>,
    out: &mut Vec<SamlDiagnosis<'static>>,
) -> bool {
    if a.signature.is_none() {
        out.push(SamlDiagnosis::AssertionUnsigned);
    }
    out.extend(issuer_mismatch(
        trust,
        settings,
        a.issuer.as_deref(),
        "the Assertion",
    ));
    judge_assertion(settings, doc, a, "the Assertion", out);
    covered.contains(&a.node)
}

fn response_profile_gaps(response: &Response) -> Vec<ProfileGap> {
    let mut gaps = Vec::new();
    if response.status.is_none() {
        gaps.push(ProfileGap::ResponseWithoutStatus);
    }
    if response
        .destination
        .as_deref()
        .is_some_and(|d| d.trim().is_empty())
    {
        gaps.push(ProfileGap::EmptyDestination);
    }
    if response.issuer.is_none() && !response.logout {
        gaps.push(ProfileGap::ResponseWithoutIssuer);
    }
    gaps
}

/// Assertions anywhere but directly in the Response (inside Extensions, an Object, another
/// assertion) are never read: one moved there is a wrapping pattern.
fn stray_assertions(doc: &Document, response: &Response) -> Vec<Wrapping> {
    xml::descendants(doc, response.node)
        .into_iter()
        .filter(|n| is(doc, *n, NS_SAML, "Assertion"))
        .filter(|n| !response.assertions.iter().any(|a| a.node == *n))
        .map(|n| Wrapping::StrayAssertion {
            id: xml::attr(doc, n, "ID"),
            parent: doc.parent(n).map(|p| qname(doc, p)).unwrap_or_default(),
        })
        .collect()
}

/// A Response that carries no assertion a consumer reads.
fn no_assertion(response: &Response) -> Vec<SamlDiagnosis<'static>> {
    let mut out = Vec::new();
    let success = response.status.as_ref().is_some_and(|s| s.is_success());
    if response.encrypted_assertions > 0 && !response.logout {
        out.push(SamlDiagnosis::EncryptedAssertionsOnly {
            count: response.encrypted_assertions,
        });
    }
    if success && response.encrypted_assertions == 0 && !response.logout {
        out.push(SamlDiagnosis::SuccessWithoutAssertion);
        if response.signature.is_none() {
            out.push(SamlDiagnosis::Unsigned {
                what: "the Response",
            });
        }
    }
    out
}

/// A status other than Success, with the AADSTS codes its message and detail name.
fn status_error(response: &Response) -> Option<SamlDiagnosis<'static>> {
    let status = response.status.as_ref()?;
    if status.is_success() {
        return None;
    }
    let message = status.message.clone().unwrap_or_default();
    let aadsts = aadsts_codes_in(&format!(
        "{message} {}",
        status.detail.as_deref().unwrap_or("")
    ));
    Some(SamlDiagnosis::StatusError(Box::new(StatusError {
        code: status.code.clone(),
        sub_codes: status.sub_codes.clone(),
        message: status.message.clone(),
        aadsts,
    })))
}

/// Exact match, or Entra's `{tenantid}` template (common federation metadata) filled with
/// one path segment.
pub(super) fn issuer_matches(issuer: &str, expected: &str) -> bool {
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

/// Issuer against `--issuer` and the metadata's entityID.
fn issuer_mismatch(
    trust: &TrustStore,
    settings: &Settings,
    issuer: Option<&str>,
    what: &str,
) -> Vec<SamlDiagnosis<'static>> {
    let Some(issuer) = issuer else {
        return Vec::new();
    };
    let outsider = trust
        .federation
        .as_ref()
        .filter(|f| !f.entities.iter().any(|e| e == issuer))
        .map(|f| SamlDiagnosis::IssuerNotInFederation {
            what: what.to_string(),
            issuer: issuer.to_string(),
            source: f.source.clone(),
            entities: f.entities.clone(),
        });
    [
        settings.issuer.clone().map(|i| (i, "--issuer")),
        trust
            .metadata_issuer
            .clone()
            .map(|i| (i, "the metadata's entityID")),
    ]
    .into_iter()
    .flatten()
    .filter(|(want, _)| !issuer_matches(issuer, want))
    .map(|(expected, expected_from)| SamlDiagnosis::IssuerMismatch {
        what: what.to_string(),
        issuer: issuer.to_string(),
        expected,
        expected_from,
    })
    .chain(outsider)
    .collect()
}

/// The assertion a consumer reads: its ID, the profile's required parts, the NameID's
/// qualifier, comment injection, audience and lifetimes.
fn judge_assertion(
    settings: &Settings,
    doc: &Document,
    a: &Assertion,
    what: &str,
    out: &mut Vec<SamlDiagnosis<'static>>,
) {
    if a.id.as_deref().is_none_or(str::is_empty) {
        out.push(SamlDiagnosis::AssertionWithoutId {
            what: what.to_string(),
        });
    }
    out.extend(
        assertion_profile_gaps(a, what)
            .into_iter()
            .map(SamlDiagnosis::ProfileGap),
    );
    out.extend(name_qualifier_mismatch(a, what));
    out.extend(model::comment_split_nodes(doc, a).into_iter().map(|n| {
        SamlDiagnosis::Wrapping(Wrapping::CommentSplit {
            element: qname(doc, n),
            text: xml::text(doc, n),
        })
    }));
    if let Some(c) = &a.conditions {
        out.extend(lifetime(
            settings,
            c.not_before.as_ref(),
            c.not_on_or_after.as_ref(),
            &format!("{what}'s Conditions"),
        ));
        if let Some(expected) = settings.audience.clone() {
            if !c.audiences.contains(&expected) {
                out.push(SamlDiagnosis::AudienceMismatch {
                    what: what.to_string(),
                    audiences: c.audiences.clone(),
                    expected,
                });
            }
        }
    }
    for c in a.subject.iter().flat_map(|s| &s.confirmations) {
        out.extend(lifetime(
            settings,
            c.not_before.as_ref(),
            c.not_on_or_after.as_ref(),
            &format!("{what}'s SubjectConfirmationData"),
        ));
    }
}

/// What the Web Browser SSO profile requires of the assertion a service provider accepts.
fn assertion_profile_gaps(a: &Assertion, what: &str) -> Vec<ProfileGap> {
    let what = what.to_string();
    let mut gaps = Vec::new();
    if a.issuer.as_deref().is_none_or(str::is_empty) {
        gaps.push(ProfileGap::NoIssuer { what: what.clone() });
    }
    match &a.subject {
        None => gaps.push(ProfileGap::NoSubject { what: what.clone() }),
        Some(s) if !s.encrypted_id && s.name_id.as_deref().is_none_or(str::is_empty) => {
            gaps.push(ProfileGap::NoNameId { what: what.clone() })
        }
        _ => {}
    }
    if a.authn.is_none() {
        gaps.push(ProfileGap::NoAuthnStatement { what: what.clone() });
    }
    if a.conditions.as_ref().is_none_or(|c| c.audiences.is_empty()) {
        gaps.push(ProfileGap::NoAudienceRestriction { what });
    }
    // Each repeated name once, in one pass (a set, so that cost is linear in the attributes).
    let mut seen: HashSet<&str> = HashSet::new();
    let mut repeated: HashSet<&str> = HashSet::new();
    for attribute in &a.attributes {
        let name = attribute.name.as_str();
        if !seen.insert(name) && repeated.insert(name) {
            gaps.push(ProfileGap::RepeatedAttribute {
                name: attribute.name.clone(),
            });
        }
    }
    gaps
}

/// A NameID qualified for a service provider the assertion's audiences do not name.
fn name_qualifier_mismatch(a: &Assertion, what: &str) -> Option<SamlDiagnosis<'static>> {
    let qualifier = a.subject.as_ref()?.sp_name_qualifier.as_deref()?;
    let c = a.conditions.as_ref()?;
    if c.audiences.is_empty() || c.audiences.iter().any(|x| x == qualifier) {
        return None;
    }
    Some(SamlDiagnosis::NameQualifierMismatch {
        what: what.to_string(),
        qualifier: qualifier.to_string(),
        audiences: c.audiences.clone(),
    })
}

/// `NotBefore`/`NotOnOrAfter` against the clock and its leeway.
fn lifetime(
    settings: &Settings,
    not_before: Option<&Instant>,
    not_on_or_after: Option<&Instant>,
    what: &str,
) -> Vec<SamlDiagnosis<'static>> {
    let clock = settings.clock;
    let now = clock.now();
    let leeway = clock.leeway();
    let mut out = Vec::new();
    for (instant, attribute) in [(not_before, "NotBefore"), (not_on_or_after, "NotOnOrAfter")] {
        if let Some(i) = instant.filter(|i| i.unix.is_none()) {
            out.push(SamlDiagnosis::NotDateTime {
                what: what.to_string(),
                attribute,
                raw: i.raw.clone(),
            });
        }
    }
    if let Some(t) = not_on_or_after.and_then(|i| i.unix) {
        if now >= t.saturating_add(leeway) {
            out.push(SamlDiagnosis::Expired {
                what: what.to_string(),
                not_on_or_after: t,
            });
        }
    }
    if let Some(t) = not_before.and_then(|i| i.unix) {
        if t > now.saturating_add(leeway) {
            out.push(SamlDiagnosis::NotYetValid {
                what: what.to_string(),
                not_before: t,
            });
        }
    }
    out
}
