//! Compact JWS and JWE: decode, check the signature and the claims, and build the decoded view.

use serde_json::{json, Map, Value};

use crate::artifact::compact::DamagedToken;
use crate::artifact::jose::{JoseHeader, Jwe, Jws, Payload};
use crate::catalogue::FindingCode;
use crate::checks::claims::{Content, PayloadDiagnosis};
use crate::checks::jws::{check_damaged, check_jws};
use crate::checks::{claims, discovery, Ctx};
use crate::limits::MAX_NESTED_TOKENS;
use crate::report::{Finding, JwsBody, JwsView, View};
use keyprobe_core::jws_json::{JwsJson, JwsJsonError, Serialization};

/// `header` is the token's header when detection already decoded it.
pub(super) fn inspect_jws(ctx: &mut Ctx, token: &str, header: Option<Box<JoseHeader>>) -> View {
    let decoded = match header {
        Some(header) => Jws::decode_with_header(token, *header),
        None => Jws::decode(token),
    };
    let jws = match decoded {
        Ok(j) => j,
        Err(e) => {
            ctx.push(
                Finding::new(FindingCode::Malformed, e.to_string())
                    .with_evidence(json!({"part": e.part.name(), "reason": e.problem.to_string()})),
            );
            return View::Json(Value::Null);
        }
    };
    // With aggregate metadata, the token's issuer picks the entity whose keys count.
    let issuer = issuer_of(&jws.payload);
    let view = ctx.with_issuer_trust(issuer.as_deref(), |ctx| inspect_decoded(ctx, jws, 0));
    if let Some(doc) = &ctx.trust.discovery {
        // The metadata the token is checked against must agree with itself and its keys.
        discovery::check_discovery(ctx, doc, ctx.trust.discovery_url.as_deref());
    }
    View::Jws(Box::new(view))
}

/// The `iss` of a claim set; none when the payload is no claim set.
fn issuer_of(payload: &Payload) -> Option<String> {
    match payload {
        Payload::Claims(c) => c.get("iss").and_then(Value::as_str).map(str::to_string),
        Payload::Other { .. } => None,
    }
}

/// The signature, then the payload; `depth` counts the tokens this one is nested in.
fn inspect_decoded(ctx: &mut Ctx, jws: Jws, depth: usize) -> JwsView {
    let signature = check_jws(ctx, &jws);
    let content = claims::content_of(&jws.header);
    // The decoded parts move into the report: nothing reads the token after this.
    JwsView {
        header: jws.header.raw,
        body: inspect_payload(ctx, content, jws.payload, depth),
        signature,
    }
}

/// A claim set is checked; a nested token (`cty: JWT`) is inspected against the same trusted
/// keys; anything else is malformed unless the header says the token is no JWT. Returns what
/// the decoded view shows of the payload.
pub(super) fn inspect_payload(
    ctx: &mut Ctx,
    content: Content,
    payload: Payload,
    depth: usize,
) -> JwsBody {
    let (bytes, why) = match payload {
        Payload::Claims(claims) => {
            let notes = claims::check_claims(ctx, &claims);
            return JwsBody::Claims { claims, notes };
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
                    let label = format!("nested token (cty JWT, level {})", depth + 1);
                    absorb(ctx, inner_ctx.findings, &label, "nested_level", depth + 1);
                    return JwsBody::Nested(Box::new(view));
                }
                Err(_) if Jwe::decode(text).is_ok() => Some(PayloadDiagnosis::NestedEncrypted),
                Err(error) => Some(PayloadDiagnosis::NestedUnreadable { error }),
            }
        }
    };
    if let Some(d) = &diagnosis {
        ctx.push(claims::payload_finding(d));
    }
    JwsBody::Other {
        payload: String::from_utf8_lossy(&bytes).into_owned(),
        note: format!("the payload is not a JSON claim set: {why}"),
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
                "header": *h.raw,
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
        Some(h) => json!({ "header": *h.raw }),
        None => json!({ "header": Value::Null }),
    }
}

/// The JWS JSON serialisation (RFC 7515 §7.2): every signature judged as a compact token's
/// would be and reported on its own, then the payload once.
pub(super) fn inspect_jws_json(ctx: &mut Ctx, object: &Map<String, Value>) -> Value {
    let decoded = match JwsJson::decode(object) {
        Ok(d) => d,
        Err(e) => {
            ctx.push(json_malformed(&e));
            return Value::Null;
        }
    };
    // Every signature is over the same payload: its issuer picks the entity whose keys count.
    let issuer = decoded
        .signatures
        .iter()
        .flatten()
        .next()
        .and_then(|jws| issuer_of(&jws.payload));
    ctx.with_issuer_trust(issuer.as_deref(), |ctx| judge_jws_json(ctx, decoded))
}

fn judge_jws_json(ctx: &mut Ctx, decoded: JwsJson) -> Value {
    let count = decoded.signatures.len();
    let mut signatures = Vec::with_capacity(count);
    let mut payload = None;
    for (index, entry) in decoded.signatures.into_iter().enumerate() {
        let label = format!("signature {} of {count}", index + 1);
        match entry {
            Ok(jws) => {
                let mut inner = Ctx::new(ctx.settings, ctx.trust);
                let section = check_jws(&mut inner, &jws);
                absorb(ctx, inner.findings, &label, "signature_index", index);
                let content = claims::content_of(&jws.header);
                signatures.push(json!({"header": *jws.header.raw, "signature": section}));
                payload.get_or_insert((content, jws.payload));
            }
            Err(e) => {
                let f = json_malformed(&e);
                signatures.push(json!({"unreadable": e.to_string()}));
                ctx.push(f);
            }
        }
    }
    let serialization = match decoded.serialization {
        Serialization::General => "general",
        Serialization::Flattened => "flattened",
    };
    let mut out = Map::new();
    out.insert("serialization".into(), json!(serialization));
    if let Some((content, payload)) = payload {
        inspect_payload(ctx, content, payload, 0).into_members(&mut out);
    }
    out.insert("signatures".into(), Value::Array(signatures));
    if let Some(doc) = &ctx.trust.discovery {
        discovery::check_discovery(ctx, doc, ctx.trust.discovery_url.as_deref());
    }
    Value::Object(out)
}

fn json_malformed(e: &JwsJsonError) -> Finding {
    Finding::new(FindingCode::Malformed, e.to_string())
        .with_evidence(json!({"where": e.at.to_string(), "reason": e.problem.to_string()}))
}

/// Findings about a part (a nested token, one signature of several) join the report, each
/// saying which part it is about.
fn absorb(ctx: &mut Ctx, findings: Vec<Finding>, label: &str, key: &str, value: usize) {
    for mut f in findings {
        f.message = format!("{label}: {}", f.message);
        f.evidence.edit_json(|evidence| {
            if let Some(o) = evidence.as_object_mut() {
                o.insert(key.into(), json!(value));
            }
        });
        // Already through the inner context's policy (weak-key under --allow-legacy).
        ctx.findings.push(f);
    }
}
