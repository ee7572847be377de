//! Compact JWS and JWE: decode, check the signature and the claims, and build the decoded view.

use serde_json::{json, Map, Value};

use crate::artifact::compact::DamagedToken;
use crate::artifact::jose::{Jwe, Jws, Payload};
use crate::catalogue::FindingCode;
use crate::checks::claims::{Content, PayloadDiagnosis};
use crate::checks::jws::{check_damaged, check_jws};
use crate::checks::{claims, discovery, Ctx};
use crate::limits::MAX_NESTED_TOKENS;
use crate::report::Finding;

pub(super) fn inspect_jws(ctx: &mut Ctx, token: &str) -> Value {
    let jws = match Jws::decode(token) {
        Ok(j) => j,
        Err(e) => {
            ctx.push(
                Finding::new(FindingCode::Malformed, e.to_string())
                    .with_evidence(json!({"part": e.part.name(), "reason": e.problem.to_string()})),
            );
            return Value::Null;
        }
    };
    let view = inspect_decoded(ctx, jws, 0);
    if let Some(doc) = &ctx.trust.discovery {
        // The metadata the token is checked against must agree with itself and its keys.
        discovery::check_discovery(ctx, doc, ctx.trust.discovery_url.as_deref());
    }
    Value::Object(view)
}

/// The signature, then the payload; `depth` counts the tokens this one is nested in.
fn inspect_decoded(ctx: &mut Ctx, jws: Jws, depth: usize) -> Map<String, Value> {
    let signature = check_jws(ctx, &jws);
    let content = claims::content_of(&jws.header);
    // The decoded parts move into the report: nothing reads the token after this.
    let mut out = Map::new();
    out.insert("header".into(), Value::Object(jws.header.raw));
    out.extend(inspect_payload(ctx, content, jws.payload, depth));
    out.insert("signature".into(), signature);
    out
}

/// A claim set is checked; a nested token (`cty: JWT`) is inspected against the same trusted
/// keys; anything else is malformed unless the header says the token is no JWT.
pub(super) fn inspect_payload(
    ctx: &mut Ctx,
    content: Content,
    payload: Payload,
    depth: usize,
) -> Map<String, Value> {
    let mut out = Map::new();
    let (bytes, why) = match payload {
        Payload::Claims(c) => {
            let notes = claims::check_claims(ctx, &c);
            out.insert("claims".into(), Value::Object(c));
            out.insert("notes".into(), Value::Object(notes));
            return out;
        }
        Payload::Other { bytes, why } => (bytes, why),
    };
    let diagnosis = match content {
        Content::Claims => Some(PayloadDiagnosis::NotAClaimSet { why: &why }),
        Content::Other => None,
        Content::Nested if depth >= MAX_NESTED_TOKENS => Some(PayloadDiagnosis::NestedTooDeep {
            limit: MAX_NESTED_TOKENS,
        }),
        Content::Nested => {
            let text = String::from_utf8_lossy(&bytes);
            let text = text.trim();
            match Jws::decode(text) {
                Ok(inner) => {
                    let mut inner_ctx = Ctx::new(ctx.settings, ctx.trust);
                    let view = inspect_decoded(&mut inner_ctx, inner, depth + 1);
                    absorb_nested(ctx, inner_ctx.findings, depth + 1);
                    out.insert("nested".into(), Value::Object(view));
                    return out;
                }
                Err(_) if Jwe::decode(text).is_ok() => Some(PayloadDiagnosis::NestedEncrypted),
                Err(error) => Some(PayloadDiagnosis::NestedUnreadable { error }),
            }
        }
    };
    if let Some(d) = &diagnosis {
        ctx.push(claims::payload_finding(d));
    }
    out.insert("payload".into(), json!(String::from_utf8_lossy(&bytes)));
    out.insert(
        "payload_note".into(),
        json!(format!("the payload is not a JSON claim set: {why}")),
    );
    out
}

/// The nested token's findings join the outer report, each saying it is about the token inside.
fn absorb_nested(ctx: &mut Ctx, findings: Vec<Finding>, level: usize) {
    for mut f in findings {
        f.message = format!("nested token (cty JWT, level {level}): {}", f.message);
        if let Some(evidence) = f.evidence.as_object_mut() {
            evidence.insert("nested_level".into(), json!(level));
        }
        // Already through the inner context's policy (weak-key under --allow-legacy).
        ctx.findings.push(f);
    }
}

pub(super) fn inspect_jwe(ctx: &mut Ctx, token: &str) -> Value {
    match Jwe::decode(token) {
        Ok(jwe) => {
            let h = &jwe.header;
            crate::checks::jwe::check_jwe(ctx, h.alg.as_deref(), h.enc.as_deref());
            let needs = match h.alg.as_deref() {
                Some("dir") => "a shared symmetric key (alg dir)".to_string(),
                Some(a) if a.starts_with("RSA") => format!("the recipient's RSA private key ({a})"),
                Some(a) if a.starts_with("ECDH") => format!("the recipient's EC private key ({a})"),
                Some(a) if a.starts_with("A") || a.starts_with("PBES2") => {
                    format!("a symmetric key-wrapping key ({a})")
                }
                Some(a) => format!("a key for '{a}'"),
                None => "an unknown key: the header has no alg".to_string(),
            };
            let kid = h
                .kid
                .as_ref()
                .map(|k| format!(" with kid '{k}'"))
                .unwrap_or_default();
            json!({
                "header": h.raw,
                "decryption_needs": format!("{needs}{kid}; keyprobe does not decrypt, and an encrypted token must be decrypted by its recipient before its signature can be checked"),
                "encrypted_key_bytes": jwe.encrypted_key_len,
                "iv_bytes": jwe.iv_len,
                "ciphertext_bytes": jwe.ciphertext_len,
                "tag_bytes": jwe.tag_len,
            })
        }
        Err(e) => {
            ctx.push(Finding::new(FindingCode::Malformed, e.to_string()));
            Value::Null
        }
    }
}

/// A token recognised by its header whose body was damaged: every damage is reported, and the
/// header is shown, since it says what the token was meant to be.
pub(super) fn inspect_damaged(ctx: &mut Ctx, token: Box<DamagedToken>) -> Value {
    check_damaged(ctx, &token);
    match token.header {
        Some(h) => json!({ "header": h.raw }),
        None => json!({ "header": Value::Null }),
    }
}
