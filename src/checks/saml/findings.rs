//! The one place that words the SAML diagnoses: message, evidence, hint and the exact texts
//! relying parties print for them.

use serde_json::json;

use super::diagnosis::{
    NotVerified, ProfileGap, QueryDiagnosis, SamlDiagnosis, StatusError, Unverified, Wrapping,
};
use crate::catalogue::{aadsts, FindingCode};
use crate::checks::certs;
use crate::clock::{describe, rfc3339};
use crate::report::Finding;
use crate::saml::dsig::algorithm_name;
use crate::saml::xml::NS_SAMLP;
use crate::Settings;

pub(super) fn finding(d: &SamlDiagnosis, settings: &Settings) -> Finding {
    let clock = settings.clock;
    let now = clock.now();
    match d {
        SamlDiagnosis::Wrapping(w) => wrapping(w),
        SamlDiagnosis::TooManyIds { limit } => Finding::new(
            FindingCode::Malformed,
            format!("the XML has more than {limit} ID attributes; it was not verified"),
        ),
        SamlDiagnosis::TooManySignatures { count, limit } => Finding::new(
            FindingCode::Malformed,
            format!("the XML has {count} signatures, more than the {limit} keyprobe verifies"),
        ),
        SamlDiagnosis::NotSaml { name, namespace } => Finding::new(
            FindingCode::Malformed,
            format!("the XML's root is <{name}> (namespace '{namespace}'), not a SAML 2.0 message or metadata"),
        ),
        SamlDiagnosis::NotJudged { element } => Finding::new(
            FindingCode::Unrecognised,
            format!("this is a SAML 2.0 {element}, a protocol message keyprobe does not judge: nothing in it was checked, whatever its signature says"),
        )
        .with_evidence(json!({"message": element, "namespace": NS_SAMLP}))
        .with_hint("keyprobe judges SAML Responses, Assertions, AuthnRequests, logout messages and metadata; inspect the Response this exchange carries or answers with"),
        SamlDiagnosis::NoTrustedSigningKeys { sources, reasons } => Finding::new(
            FindingCode::NoSigningKeys,
            format!(
                "the key sources ({}) hold no signing key, so no signature can be verified{}",
                sources.join(", "),
                reasons
                    .first()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            ),
        )
        .with_evidence(json!({"sources": sources, "unusable": reasons}))
        .with_seen_as_first(vec!["AADSTS50003".into()]),
        SamlDiagnosis::WeakDigest { location, uri } => Finding::new(
            FindingCode::WeakKey,
            format!(
                "the signature in {location} digests with {}, which is broken for collision resistance",
                algorithm_name(uri)
            ),
        )
        .with_evidence(json!({"digest_method": uri})),
        SamlDiagnosis::WeakSignatureMethod { location, uri } => Finding::new(
            FindingCode::WeakKey,
            format!(
                "the signature in {location} uses {}; SHA-1 signatures are deprecated",
                algorithm_name(uri)
            ),
        )
        .with_evidence(json!({"signature_method": uri})),
        SamlDiagnosis::Certificate(c) => certs::finding(c, settings),
        SamlDiagnosis::WeakBareKey { label, weakness } => Finding::new(
            FindingCode::WeakKey,
            format!("the signing key {label} has {weakness}"),
        )
        .with_evidence(json!({"key": label, "weakness": weakness})),
        SamlDiagnosis::NotChecked {
            location,
            method,
            keyinfo_verifies,
        } => {
            let keyinfo = keyinfo_verifies
                .map(|c| format!("; it does verify with the certificate in its own KeyInfo (SHA-1 {}), which proves nothing until that certificate is compared with the IdP's metadata", c.thumbprints.sha1_hex))
                .unwrap_or_default();
            Finding::new(
                FindingCode::SignatureNotChecked,
                format!("no key source was given, so the {method} signature in {location} was not verified{keyinfo} (give --metadata or --cert)"),
            )
        }
        SamlDiagnosis::Verified {
            location,
            method,
            method_uri,
            key,
        } => {
            let label = key.label();
            Finding::new(
                FindingCode::SignatureVerified,
                format!("the {method} signature in {location} verifies with trusted {label}"),
            )
            .with_evidence(
                json!({"signature_method": method_uri, "key": label, "source": key.source}),
            )
        }
        SamlDiagnosis::DigestMismatch { location, detail } => Finding::new(
            FindingCode::SignatureInvalid,
            format!("the signature in {location} fails on its reference digest: the signed content was changed after signing ({detail})"),
        )
        .with_evidence(json!({"reason": "reference digest", "detail": detail}))
        .with_seen_as_first(vec!["Reference validation failed".into()]),
        SamlDiagnosis::Reindented {
            location,
            key,
            digest_failed,
        } => {
            let finding = Finding::new(
            FindingCode::SignatureInvalid,
            format!("the signature in {location} does not verify as received, but does with trusted key {} once the whitespace between tags is removed: the XML was re-indented after signing", key.label()),
        )
        .with_evidence(json!({"reason": "whitespace changed after signing", "verifies_unindented": key.label()}))
        .with_hint("the message was reformatted (pretty-printed, re-indented) after signing, and the whitespace between elements is part of what an XML signature covers, so any reformatting breaks it; the content itself is as signed. Inspect and forward the document exactly as received (a SAML message as the base64 SAMLResponse from the browser's network panel or a SAML-tracer export, metadata as downloaded from its URL), never a copy an editor or XML viewer has reformatted");
            if *digest_failed {
                finding.with_seen_as_first(vec!["Reference validation failed".into()])
            } else {
                finding
            }
        }
        SamlDiagnosis::Unprocessable { location, detail } => Finding::new(
            FindingCode::SignatureInvalid,
            format!("the signature in {location} cannot be verified: {detail}"),
        )
        .with_evidence(json!({"reason": "unprocessable", "detail": detail})),
        SamlDiagnosis::OutsideReference { location, uri } => Finding::new(
            FindingCode::SignatureInvalid,
            format!("the signature in {location} was not verified: the document references '{uri}', which is outside it; keyprobe resolves only same-document references (#ID) and never reads a file or URL an input names"),
        )
        .with_evidence(json!({"reason": "outside reference", "reference": uri})),
        SamlDiagnosis::NotVerified(u) => not_verified(u),
        SamlDiagnosis::ProfileGap(gap) => Finding::new(FindingCode::Malformed, profile_gap(gap)),
        SamlDiagnosis::AssertionWithoutId { what } => Finding::new(
            FindingCode::Malformed,
            format!("{what} has no ID, so no signature can reference it"),
        ),
        SamlDiagnosis::SuccessWithoutAssertion => Finding::new(
            FindingCode::Malformed,
            "the Response reports Success but carries no Assertion",
        ),
        SamlDiagnosis::EncryptedAssertionsOnly { count } => Finding::new(
            FindingCode::SignatureNotChecked,
            format!("the Response carries only encrypted assertions ({count} EncryptedAssertion); keyprobe does not decrypt, so the assertion a service provider reads (its subject, conditions and own signature) was not checked"),
        )
        .with_evidence(json!({"reason": "encrypted assertion", "encrypted_assertions": count})),
        SamlDiagnosis::LogoutUnsigned { element } => Finding::new(
            FindingCode::SamlUnsigned,
            format!("the {element} is not signed, neither in its XML nor in the query string (HTTP-Redirect binding): anyone could have sent it, and a service provider must refuse an unsigned logout message"),
        )
        .with_evidence(json!({"element": element})),
        SamlDiagnosis::IssuerNotInFederation {
            what,
            issuer,
            source,
            entities,
        } => Finding::new(
            FindingCode::IssuerMismatch,
            format!(
                "{what}'s issuer '{issuer}' is none of the {} identity providers in {source}{}: a key of that metadata counts only for the entity that publishes it, so none counts here",
                entities.len(),
                match entities.as_slice() {
                    [] => String::new(),
                    [one] => format!(" (only '{one}')"),
                    [first, ..] => format!(" ('{first}' and {} more)", entities.len() - 1),
                }
            ),
        )
        .with_evidence(json!({"issuer": issuer, "metadata": source, "entities": entities.iter().take(20).collect::<Vec<_>>()})),
        SamlDiagnosis::Unsigned { what } => Finding::new(
            FindingCode::SamlUnsigned,
            format!("neither {what} is signed: nothing a service provider reads is protected"),
        )
        .with_seen_as_first(vec!["No Signature found. SAML Response rejected".into()]),
        SamlDiagnosis::AssertionUnsigned => Finding::new(
            FindingCode::SamlUnsigned,
            "the Assertion is not signed: nothing a service provider reads is protected",
        ),
        SamlDiagnosis::StatusError(s) => status_error(s),
        SamlDiagnosis::IssuerMismatch {
            what,
            issuer,
            expected,
            expected_from,
        } => Finding::new(
            FindingCode::IssuerMismatch,
            format!("{what}'s Issuer is '{issuer}' but {expected_from} is '{expected}'"),
        )
        .with_evidence(
            json!({"issuer": issuer, "expected": expected, "expected_from": expected_from}),
        ),
        SamlDiagnosis::NameQualifierMismatch {
            what,
            qualifier,
            audiences,
        } => Finding::new(
            FindingCode::AudienceMismatch,
            format!(
                "the NameID is qualified for service provider '{qualifier}', but {what}'s audiences are [{}]",
                audiences.join(", ")
            ),
        )
        .with_evidence(json!({"sp_name_qualifier": qualifier, "audiences": audiences})),
        SamlDiagnosis::AudienceMismatch {
            what,
            audiences,
            expected,
        } => Finding::new(
            FindingCode::AudienceMismatch,
            format!(
                "{what}'s audiences are [{}], which do not include '{expected}'",
                audiences.join(", ")
            ),
        )
        .with_evidence(json!({"audiences": audiences, "expected": expected})),
        SamlDiagnosis::NotDateTime {
            what,
            attribute,
            raw,
        } => Finding::new(
            FindingCode::Malformed,
            format!("{what} {attribute} '{raw}' is not an xs:dateTime"),
        ),
        SamlDiagnosis::Expired {
            what,
            not_on_or_after,
        } => {
            let leeway = clock.leeway();
            Finding::new(
                FindingCode::TokenExpired,
                format!(
                    "{what} NotOnOrAfter is {}, past the {leeway} s leeway at {}",
                    describe(&clock, *not_on_or_after),
                    rfc3339(now)
                ),
            )
            .with_evidence(json!({"not_on_or_after": rfc3339(*not_on_or_after), "checked_at": rfc3339(now), "leeway_seconds": leeway}))
        }
        SamlDiagnosis::NotYetValid { what, not_before } => {
            let leeway = clock.leeway();
            Finding::new(
                FindingCode::TokenNotYetValid,
                format!(
                    "{what} NotBefore is {}, beyond the {leeway} s leeway at {}",
                    describe(&clock, *not_before),
                    rfc3339(now)
                ),
            )
            .with_evidence(json!({"not_before": rfc3339(*not_before), "checked_at": rfc3339(now), "leeway_seconds": leeway}))
        }
        SamlDiagnosis::TrustedMetadataExpired { label, valid_until } => Finding::new(
            FindingCode::MetadataExpired,
            format!(
                "the SAML metadata '{label}' you trust is valid until {}: consumers that honour validUntil refuse it and every sign-in that relies on it",
                describe(&clock, *valid_until)
            ),
        )
        .with_evidence(json!({"source": label, "valid_until": rfc3339(*valid_until), "checked_at": rfc3339(now)})),
        SamlDiagnosis::MetadataExpired { what, valid_until } => Finding::new(
            FindingCode::MetadataExpired,
            format!(
                "{what} is valid until {}: consumers that honour validUntil refuse it",
                describe(&clock, *valid_until)
            ),
        )
        .with_evidence(json!({"valid_until": rfc3339(*valid_until), "checked_at": rfc3339(now)})),
        SamlDiagnosis::EntityWithoutId => {
            Finding::new(FindingCode::Malformed, "an EntityDescriptor has no entityID")
        }
        SamlDiagnosis::IdpWithoutSigningCertificate {
            entity_id,
            name,
            roles,
        } => Finding::new(
            FindingCode::NoSigningKeys,
            format!("the identity-provider metadata for '{name}' has no signing certificate ({} without a signing KeyDescriptor): nothing it signs can be verified, the situation behind AADSTS50003", roles.join(", ")),
        )
        .with_evidence(json!({"entity_id": entity_id, "roles": roles, "explain": "keyprobe explain AADSTS50003"}))
        .with_seen_as_first(vec!["AADSTS50003".into()]),
        SamlDiagnosis::UnreadableCertificate { role, problem } => {
            Finding::new(FindingCode::Malformed, format!("{role}: {problem}"))
        }
        SamlDiagnosis::Query(q) => query(q),
    }
}

fn wrapping(w: &Wrapping) -> Finding {
    let (message, evidence) = match w {
        Wrapping::DuplicateId { id } => (
            format!("the ID '{id}' appears on more than one element: a signature reference to it is ambiguous, the classic set-up for signature wrapping"),
            json!({"duplicate_id": id}),
        ),
        Wrapping::SignatureMisplaced { location } => (
            format!("a signature sits inside {location}, where SAML never puts one (signatures are direct children of the Response, Assertion, request or metadata they sign)"),
            json!({"signature_parent": location.to_string()}),
        ),
        Wrapping::SignatureNotAfterIssuer { location } => (
            format!("the signature in {location} is not where the schema puts it (right after the Issuer, or first in metadata): a signature moved around is a wrapping pattern"),
            json!({"signature_parent": location.to_string()}),
        ),
        Wrapping::ReferenceCount { location, uris } => (
            format!("the signature in {location} has {} references; the SAML profile allows exactly one, to the element it sits in", uris.len()),
            json!({"references": uris}),
        ),
        Wrapping::ReferenceElsewhere {
            location,
            parent_id,
            uri,
            target,
        } => (
            format!(
                "the signature in {location}{} references '{}', which is {}: the signed element is not the one the signature sits in",
                parent_id.as_deref().map(|i| format!(" (ID '{i}')")).unwrap_or_default(),
                uri.as_deref().unwrap_or("(no URI)"),
                target.as_deref().unwrap_or("no element of this document"),
            ),
            json!({"reference": uri, "signature_parent_id": parent_id}),
        ),
        Wrapping::ForbiddenTransform {
            location,
            transform,
        } => (
            format!("the signature in {location} applies the transform '{}', which the SAML signature profile does not allow (only enveloped-signature and canonicalisation)", algorithm_name(transform)),
            json!({"transform": transform}),
        ),
        Wrapping::RefusedByVerifier { location, reason } => (
            format!("the signature in {location} references an element outside its allowed position ({reason})"),
            json!({"detail": reason}),
        ),
        Wrapping::SeveralAssertions { ids } => (
            format!("the Response carries {} assertions; a consumer reads one of them, and an attacker adds the other", ids.len()),
            json!({"assertion_ids": ids}),
        ),
        Wrapping::StrayAssertion { id, parent } => (
            format!(
                "an Assertion{} is nested inside <{parent}>, where consumers do not read it: a signed assertion moved aside so that an unsigned one is read instead",
                id.as_deref().map(|i| format!(" (ID '{i}')")).unwrap_or_default(),
            ),
            json!({"assertion_id": id}),
        ),
        Wrapping::CoversNeither { read_id } => (
            format!(
                "a signature verifies, but it covers neither the Response nor the Assertion{} a consumer reads",
                read_id.as_deref().map(|i| format!(" '{i}'")).unwrap_or_default()
            ),
            json!({"read_assertion_id": read_id}),
        ),
        Wrapping::CommentSplit { element, text } => (
            format!("a comment splits the text of <{element}> ('{text}'): consumers that read only the first text node see a different value than the one signed (comment injection)"),
            json!({"element": element}),
        ),
    };
    Finding::new(FindingCode::SamlSignatureWrapping, message).with_evidence(evidence)
}

/// No trusted key verifies: a missing key told from a bad signature, with thumbprints.
fn not_verified(u: &Unverified) -> Finding {
    let location = &u.location;
    let method = &u.method;
    let reason = match &u.no_fitting_key {
        Some(_) => "no trusted key fits the algorithm",
        None => "signature value",
    };
    let evidence = json!({
        "reason": reason,
        "signature_method": u.method_uri,
        "keyinfo_certificates": u.keyinfo.iter().map(|c| json!({"subject": c.subject, "sha1_thumbprint": c.thumbprints.sha1_hex, "not_after": rfc3339(c.not_after)})).collect::<Vec<_>>(),
        "trusted_certificates": u.trusted.iter().map(|(sha1, label)| json!({"key": label, "sha1_thumbprint": sha1})).collect::<Vec<_>>(),
        "trusted_keys_tried": u.tried,
    });
    let trusted = list_thumbprints(&u.trusted);
    match &u.why {
        NotVerified::OnlyWithKeyInfo(cert) => Finding::new(
            FindingCode::UntrustedEmbeddedKey,
            format!(
                "the {method} signature in {location} verifies only with the certificate in its own KeyInfo ('{}', SHA-1 {}), which is not among the trusted certificates ({trusted})",
                cert.short_name(),
                cert.thumbprints.sha1_hex,
            ),
        )
        .with_evidence(evidence),
        NotVerified::KeyInfoNotTrusted => {
            let names: Vec<&str> = u
                .keyinfo
                .iter()
                .map(|c| c.thumbprints.sha1_hex.as_str())
                .collect();
            Finding::new(
                FindingCode::KeyNotFound,
                format!(
                    "the signature in {location} names the certificate SHA-1 {} in its KeyInfo, and no trusted certificate matches ({trusted}); none of the trusted keys verifies it",
                    names.join(", "),
                ),
            )
            .with_evidence(evidence)
        }
        NotVerified::Invalid => {
            let why = match &u.no_fitting_key {
                Some(r) => format!("no trusted key can be used with {method} ({r})"),
                None => format!("the reference digests match but the signature value does not verify with any of the {} trusted keys", u.tried.len()),
            };
            Finding::new(
                FindingCode::SignatureInvalid,
                format!("the {method} signature in {location} does not verify: {why}"),
            )
            .with_evidence(evidence)
            .with_seen_as_first(vec![
                "Signature validation failed. SAML Response rejected".into(),
            ])
        }
    }
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

fn profile_gap(gap: &ProfileGap) -> String {
    match gap {
        ProfileGap::ResponseWithoutStatus => "the Response has no Status, which SAML requires".into(),
        ProfileGap::EmptyDestination => "the Response's Destination is empty".into(),
        ProfileGap::ResponseWithoutIssuer => "the Response has no Issuer; Entra always sends one, and the profile requires it when the Response is signed or its assertion encrypted".into(),
        ProfileGap::NoIssuer { what } => format!("{what} has no Issuer"),
        ProfileGap::NoSubject { what } => format!("{what} has no Subject"),
        ProfileGap::NoNameId { what } => format!("{what}'s Subject has no (or an empty) NameID"),
        ProfileGap::NoAuthnStatement { what } => {
            format!("{what} has no AuthnStatement: it does not say that anyone signed in")
        }
        ProfileGap::NoAudienceRestriction { what } => format!(
            "{what} has no AudienceRestriction: it would be accepted by any service provider"
        ),
        ProfileGap::RepeatedAttribute { name } => format!(
            "the attribute '{name}' appears twice; consumers disagree on which values win"
        ),
    }
}

/// A non-success status, explained from the AADSTS catalogue when it names a known code.
fn status_error(s: &StatusError) -> Finding {
    let codes = &s.aadsts;
    let entry = codes.first().and_then(|c| aadsts(c));
    let short = |uri: &str| uri.rsplit(':').next().unwrap_or(uri).to_string();
    let sub: Vec<String> = s.sub_codes.iter().map(|c| short(c)).collect();
    let mut text = format!(
        "the IdP answered status {}{}",
        s.code.as_deref().map_or_else(|| "(none)".into(), short),
        if sub.is_empty() {
            String::new()
        } else {
            format!(" / {}", sub.join(" / "))
        }
    );
    let message = s.message.clone().unwrap_or_default();
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
        "status_code": s.code,
        "sub_codes": s.sub_codes,
        "status_message": s.message,
        "aadsts": codes,
        "explain": codes.iter().find(|c| aadsts(c).is_some()).map(|c| format!("keyprobe explain AADSTS{c}")),
    }));
    if let Some(e) = entry {
        finding = finding.with_hint(e.fix);
    }
    finding.with_seen_as_first(codes.iter().map(|c| format!("AADSTS{c}")).collect())
}

fn query(q: &QueryDiagnosis) -> Finding {
    match q {
        QueryDiagnosis::Undecodable(e) => Finding::new(
            FindingCode::Malformed,
            format!("the query-string Signature does not decode: {e}"),
        ),
        QueryDiagnosis::Sha1 { name, sig_alg } => Finding::new(
            FindingCode::WeakKey,
            format!("the query string is signed with {name}; SHA-1 signatures are deprecated"),
        )
        .with_evidence(json!({"sig_alg": sig_alg})),
        QueryDiagnosis::NotChecked { name } => Finding::new(
            FindingCode::SignatureNotChecked,
            format!("no key source was given, so the {name} query-string signature was not verified (give the signer's certificate with --cert)"),
        ),
        QueryDiagnosis::Verified { name, sig_alg, key } => Finding::new(
            FindingCode::SignatureVerified,
            format!("the {name} query-string signature verifies with trusted {key}"),
        )
        .with_evidence(json!({"sig_alg": sig_alg, "key": key})),
        QueryDiagnosis::Invalid {
            name,
            sig_alg,
            signed_octets,
            tried,
        } => Finding::new(
            FindingCode::SignatureInvalid,
            format!("the {name} query-string signature (HTTP-Redirect binding) verifies with none of the {} trusted keys", tried.len()),
        )
        .with_evidence(json!({"sig_alg": sig_alg, "signed_octets": signed_octets, "trusted_keys_tried": tried})),
    }
}
