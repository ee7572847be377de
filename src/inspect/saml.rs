//! SAML messages and metadata: decode the binding, parse once, verify every signature against
//! the trusted keys, judge what was read (`checks::saml`) and build the decoded view.

use std::collections::HashSet;

use serde_json::{json, Map, Value};
use uppsala::{Document, NodeId};

use super::saml_decoded::{
    assertion_json, metadata_json, request_json, response_json, signature_json,
};
use crate::catalogue::FindingCode;
use crate::checks::{saml as checks, Ctx};
use crate::detect::Kind;
use crate::limits::MAX_XML_SIGNATURES;
use crate::report::Finding;
use crate::saml::binding::{BindingError, Decoded, SamlParameter};
use crate::saml::dsig::{self, Verified};
use crate::saml::model::{self, Message};
use crate::saml::xml::{self, IdMap};

/// Inspects a SAML message or metadata recovered by [`binding::decode`]; returns its kind and
/// the decoded view.
pub(super) fn inspect(ctx: &mut Ctx, decoded: Result<Decoded, BindingError>) -> (Kind, Value) {
    let decoded = match decoded {
        Ok(d) => d,
        Err(e) => {
            // A broken value named by its parameter is that parameter's message.
            let kind = e.parameter().map_or(Kind::Unknown, kind_of_parameter);
            ctx.push(Finding::new(
                FindingCode::Malformed,
                format!("SAML binding: {e}"),
            ));
            return (kind, Value::Null);
        }
    };
    let mut out = Map::new();
    out.insert("binding".into(), json!(decoded.binding.describe()));
    for (k, v) in [
        ("carried_in", decoded.carrier.map(str::to_string)),
        (
            "parameter",
            decoded.parameter.map(|p| p.as_str().to_string()),
        ),
        ("relay_state", decoded.relay_state.clone()),
        ("query_sig_alg", decoded.sig_alg.clone()),
    ] {
        if let Some(v) = v {
            out.insert(k.into(), json!(v));
        }
    }
    if let Some(q) = &decoded.query_signature {
        let verdict = checks::check_query_signature(ctx, q);
        out.insert("query_signature".into(), json!(verdict));
    }
    let guess = decoded.parameter.map_or(Kind::Unknown, kind_of_parameter);
    let doc = match xml::parse(&decoded.xml) {
        Ok(doc) => doc,
        Err(e) => {
            let code = if e.is_dtd() {
                FindingCode::XmlDtdForbidden
            } else {
                FindingCode::Malformed
            };
            ctx.push(Finding::new(code, e.to_string()));
            return (guess, Value::Object(out));
        }
    };
    let query_signed = decoded.query_signature.is_some();
    let (kind, body) = inspect_document(ctx, &doc, &decoded.xml, query_signed);
    if let Value::Object(body) = body {
        out.extend(body);
    }
    (kind, Value::Object(out))
}

fn kind_of_parameter(parameter: SamlParameter) -> Kind {
    match parameter {
        SamlParameter::SamlResponse => Kind::SamlResponse,
        SamlParameter::SamlRequest => Kind::SamlAuthnRequest,
    }
}

/// With aggregate metadata as the key source, the message's issuer picks the entity whose keys
/// count: the document is judged against that entity's keys alone.
fn inspect_document(
    ctx: &mut Ctx,
    doc: &Document,
    source: &str,
    query_signed: bool,
) -> (Kind, Value) {
    let message = model::read(doc);
    match &message {
        Message::Metadata(_) | Message::Other(..) => {
            inspect_message(ctx, doc, source, query_signed, &message)
        }
        _ => ctx.with_issuer_trust(issuer_of(&message), |ctx| {
            inspect_message(ctx, doc, source, query_signed, &message)
        }),
    }
}

/// Who issued the message: the Response's Issuer (else its first Assertion's), the Assertion's,
/// the request's.
fn issuer_of(message: &Message) -> Option<&str> {
    match message {
        Message::Response(r) => r
            .issuer
            .as_deref()
            .or_else(|| r.assertions.first().and_then(|a| a.issuer.as_deref())),
        Message::Assertion(a) => a.issuer.as_deref(),
        Message::Request(r) => r.issuer.as_deref(),
        Message::Metadata(_) | Message::Other(..) => None,
    }
}

fn inspect_message(
    ctx: &mut Ctx,
    doc: &Document,
    source: &str,
    query_signed: bool,
    message: &Message,
) -> (Kind, Value) {
    let Some(root) = doc.document_element() else {
        return (Kind::Unknown, Value::Null);
    };
    let elements = xml::descendants(doc, root);
    let ids = xml::id_map(doc, &elements);
    checks::check_key_source_validity(ctx);
    checks::check_ids(ctx, &ids);

    let verified = verify_signatures(ctx, doc, &elements, &ids, source);
    // Each certificate is judged once, however many signatures and roles carry it.
    let mut certs_checked = HashSet::new();
    let covered = checks::check_signatures(ctx, doc, &verified, &mut certs_checked);
    let clock = ctx.settings.clock;
    let signatures = Value::Array(
        verified
            .iter()
            .map(|v| signature_json(ctx, doc, v, &clock))
            .collect(),
    );
    let read = Read {
        covered: &covered,
        has_signatures: !verified.is_empty(),
        query_signed,
        certs_checked: &mut certs_checked,
    };
    let (kind, mut body) = judge_message(ctx, doc, message, read);
    if let Some(o) = body.as_object_mut() {
        o.insert("signatures".into(), signatures);
        if model::has_encrypted_data(doc, &elements) {
            o.insert("encrypted".into(), json!("the message carries encrypted data (EncryptedAssertion/EncryptedID/EncryptedAttribute); keyprobe does not decrypt, so what is inside was not inspected"));
        }
    }
    (kind, body)
}

/// Every `ds:Signature` verified against the trusted keys, unless a bound says not to try.
fn verify_signatures(
    ctx: &mut Ctx,
    doc: &Document,
    elements: &[NodeId],
    ids: &IdMap,
    source: &str,
) -> Vec<Verified> {
    let sig_nodes = dsig::signature_nodes(doc, elements);
    if sig_nodes.len() > MAX_XML_SIGNATURES {
        checks::check_signature_count(ctx, sig_nodes.len());
        return Vec::new();
    }
    if ids.too_many {
        return Vec::new();
    }
    let infos = sig_nodes
        .iter()
        .map(|n| dsig::read_info(doc, *n, ids))
        .collect();
    dsig::verify_all(doc, elements, source, infos, ctx.trust)
}

/// What the signature checks established, for judging the message itself.
struct Read<'a> {
    /// Elements a verified, well-placed signature covers.
    covered: &'a HashSet<NodeId>,
    has_signatures: bool,
    /// The HTTP-Redirect binding's query string carries a signature (judged on its own).
    query_signed: bool,
    /// SHA-1 thumbprints of certificates already judged.
    certs_checked: &'a mut HashSet<String>,
}

/// Judges the message by what it is; returns its kind and decoded view.
fn judge_message(ctx: &mut Ctx, doc: &Document, message: &Message, read: Read) -> (Kind, Value) {
    let clock = ctx.settings.clock;
    let no_trust = ctx.trust.is_empty();
    match message {
        Message::Response(r) => {
            let verified = checks::check_response(ctx, doc, r, read.covered, read.has_signatures);
            let kind = if r.logout {
                let signed = r.signature.is_some() || read.query_signed;
                checks::check_logout(ctx, "LogoutResponse", signed);
                Kind::SamlLogout
            } else {
                Kind::SamlResponse
            };
            (kind, response_json(r, verified, &clock, no_trust))
        }
        Message::Assertion(a) => {
            let v = checks::check_standalone_assertion(ctx, doc, a, read.covered);
            (
                Kind::SamlAssertion,
                json!({"message": "Assertion", "assertion": assertion_json(a, Some(v), &clock, no_trust)}),
            )
        }
        Message::Request(r) => {
            let kind = match r.element.as_str() {
                "AuthnRequest" => Kind::SamlAuthnRequest,
                "LogoutRequest" => {
                    let signed = r.signature.is_some() || read.query_signed;
                    checks::check_logout(ctx, "LogoutRequest", signed);
                    Kind::SamlLogout
                }
                other => {
                    checks::check_not_judged(ctx, other);
                    Kind::Unknown
                }
            };
            (kind, request_json(r))
        }
        Message::Metadata(m) => {
            checks::check_metadata(ctx, m, read.certs_checked);
            (Kind::SamlMetadata, metadata_json(m, &clock))
        }
        Message::Other(name, ns) => {
            checks::check_not_saml(ctx, name, ns);
            (Kind::Unknown, json!({"root": name, "namespace": ns}))
        }
    }
}
