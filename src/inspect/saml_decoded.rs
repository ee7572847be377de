//! The decoded view of a SAML message or metadata, as the report shows it: the model as read,
//! each signature's verdict, and whether a verified signature covers what a consumer reads.

use serde_json::{json, Value};
use uppsala::Document;

use crate::catalogue::saml_claim;
use crate::checks::Ctx;
use crate::clock::{describe, Clock};
use crate::saml::dsig::{algorithm_name, Outcome, Verified};
use crate::saml::model::{Assertion, Instant, Metadata, Request, Response};
use crate::saml::xml;

fn instant_json(i: &Option<Instant>, clock: &Clock) -> Value {
    match i {
        Some(Instant { unix: Some(t), .. }) => json!(describe(clock, *t)),
        Some(Instant { raw, unix: None }) => json!(format!("{raw} (not a valid xs:dateTime)")),
        None => Value::Null,
    }
}

pub(super) fn signature_json(ctx: &Ctx, doc: &Document, v: &Verified, clock: &Clock) -> Value {
    let info = &v.info;
    let verdict = match &v.outcome {
        Outcome::NotChecked => "not checked: no key source was given".to_string(),
        Outcome::Verified { key, .. } => format!(
            "verified with {}",
            ctx.trust
                .keys
                .get(*key)
                .map(|k| k.label())
                .unwrap_or_default()
        ),
        Outcome::DigestMismatch(r) => format!("invalid: reference digest mismatch ({r})"),
        Outcome::SignatureMismatch { tried } => {
            format!("invalid: the signature value verifies with none of the {tried} trusted keys")
        }
        Outcome::NoFittingKey(r) => format!("not verified: {r}"),
        Outcome::Wrapped(r) => format!("refused: {r}"),
        Outcome::Unprocessable(r) => format!("not verifiable: {r}"),
        Outcome::OutsideReference { uri } => {
            format!("not verified: the document references '{uri}', outside itself")
        }
    };
    json!({
        "in": info.parent.map(|p| xml::qname(doc, p)),
        "in_id": info.parent.and_then(|p| xml::attr(doc, p, "ID")),
        "signature_method": info.method.as_deref().map(algorithm_name),
        "canonicalization": info.c14n.as_deref().map(algorithm_name),
        "references": info.references.iter().map(|r| json!({
            "uri": r.uri,
            "digest_method": r.digest_method.as_deref().map(algorithm_name),
            "transforms": r.transforms.iter().map(|t| algorithm_name(t)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "verdict": verdict,
        "keyinfo_certificates": info.embedded.iter().map(|c| match c {
            Ok(c) => c.to_json(clock),
            Err(e) => json!({"error": e.to_string()}),
        }).collect::<Vec<_>>(),
        "keyinfo_is_evidence_only": "a certificate in KeyInfo is never used as a trusted key",
    })
}

fn trust_note(verified: Option<bool>, no_trust: bool) -> &'static str {
    match (verified, no_trust) {
        (_, true) => {
            "not verified: no key source was given; treat subject and attributes as unconfirmed"
        }
        (Some(true), _) => "covered by a verified signature",
        _ => "NOT covered by a verified signature: a service provider must not use this subject",
    }
}

pub(super) fn response_json(
    r: &Response,
    verified: Option<bool>,
    clock: &Clock,
    no_trust: bool,
) -> Value {
    let mut v = json!({
        "message": if r.logout { "LogoutResponse" } else { "Response" },
        "id": r.id,
        "issuer": r.issuer,
        "destination": r.destination,
        "in_response_to": r.in_response_to,
        "issue_instant": r.issue_instant,
        "status": r.status.as_ref().map(|s| strip_nulls(json!({
            "code": s.code,
            "sub_codes": (!s.sub_codes.is_empty()).then_some(&s.sub_codes),
            "message": s.message,
        }))),
        "signed": r.signature.is_some(),
        "assertions": r.assertions.len(),
        "encrypted_assertions": r.encrypted_assertions,
    });
    if let (Some(o), Some(a)) = (v.as_object_mut(), r.assertions.first()) {
        o.insert(
            "assertion".into(),
            assertion_json(a, verified, clock, no_trust),
        );
    }
    strip_nulls(v)
}

pub(super) fn assertion_json(
    a: &Assertion,
    verified: Option<bool>,
    clock: &Clock,
    no_trust: bool,
) -> Value {
    strip_nulls(json!({
        "id": a.id,
        "issuer": a.issuer,
        "issue_instant": a.issue_instant,
        "signed": a.signature.is_some(),
        "trust": trust_note(verified, no_trust),
        "subject": a.subject.as_ref().map(|s| strip_nulls(json!({
            "name_id": s.name_id,
            "name_id_format": s.name_id_format,
            "encrypted_id": s.encrypted_id.then_some(true),
            "confirmations": s.confirmations.iter().map(|c| strip_nulls(json!({
                "method": c.method,
                "not_before": instant_json(&c.not_before, clock),
                "not_on_or_after": instant_json(&c.not_on_or_after, clock),
                "recipient": c.recipient,
                "in_response_to": c.in_response_to,
            }))).collect::<Vec<_>>(),
        }))),
        "conditions": a.conditions.as_ref().map(|c| strip_nulls(json!({
            "not_before": instant_json(&c.not_before, clock),
            "not_on_or_after": instant_json(&c.not_on_or_after, clock),
            "audiences": c.audiences,
        }))),
        "attributes": a.attributes.iter().map(|x| strip_nulls(json!({
            "name": x.name,
            "friendly_name": x.friendly_name,
            "values": x.values,
            "meaning": saml_claim(&x.name),
        }))).collect::<Vec<_>>(),
        "encrypted_attributes": (a.encrypted_attributes > 0).then_some(a.encrypted_attributes),
        "authn": a.authn.as_ref().map(|x| strip_nulls(json!({
            "instant": x.instant,
            "session_index": x.session_index,
            "context_class": x.class_ref,
        }))),
    }))
}

pub(super) fn request_json(r: &Request) -> Value {
    strip_nulls(json!({
        "message": r.element,
        "id": r.id,
        "issuer": r.issuer,
        "destination": r.destination,
        "issue_instant": r.issue_instant,
        "assertion_consumer_service_url": r.acs_url,
        "protocol_binding": r.protocol_binding,
        "name_id_policy": r.name_id_policy,
        "requested_authn_context": (!r.requested_authn_context.is_empty()).then_some(&r.requested_authn_context),
        "force_authn": r.force_authn,
        "is_passive": r.is_passive,
        "name_id": r.name_id,
        "signed": r.signature.is_some(),
    }))
}

pub(super) fn metadata_json(m: &Metadata, clock: &Clock) -> Value {
    strip_nulls(json!({
        "message": if m.aggregate { "EntitiesDescriptor" } else { "EntityDescriptor" },
        "valid_until": instant_json(&m.valid_until, clock),
        "signed": m.signature.is_some(),
        "entities": m.entities.iter().map(|e| strip_nulls(json!({
            "entity_id": e.entity_id,
            "valid_until": instant_json(&e.valid_until, clock),
            "signed": e.signature.is_some(),
            "roles": e.roles.iter().map(|r| strip_nulls(json!({
                "element": r.element,
                "identity_provider": r.idp,
                "keys": r.keys.iter().map(|k| json!({
                    "use": k.usage.clone().unwrap_or_else(|| "signing and encryption".into()),
                    "certificates": k.certificates.iter().map(|c| match c {
                        Ok(c) => c.to_json(clock),
                        Err(e) => json!({"error": e.to_string()}),
                    }).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
                "endpoints": r.endpoints.iter().map(|(what, binding, location)| strip_nulls(json!({
                    "endpoint": what,
                    "binding": binding.as_deref().map(|b| b.rsplit(':').next().unwrap_or(b)),
                    "location": location,
                }))).collect::<Vec<_>>(),
                "claim_types_offered": (r.claim_types > 0).then_some(r.claim_types),
            }))).collect::<Vec<_>>(),
        }))).collect::<Vec<_>>(),
    }))
}

fn strip_nulls(mut v: Value) -> Value {
    if let Some(o) = v.as_object_mut() {
        o.retain(|_, v| !v.is_null());
    }
    v
}
