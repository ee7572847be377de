//! JWS signature checks: `alg`, key selection among trusted keys (with the reason each candidate
//! was rejected), verification, key confusion, and keys the token carries itself.

use openssl::pkey::PKey;
use serde_json::{json, Value};

use super::certs::check_certificate;
use super::Ctx;
use crate::artifact::cert::Certificate;
use crate::artifact::jose::{JoseHeader, Jws};
use crate::artifact::jwk::Jwk;
use crate::catalogue::FindingCode;
use crate::crypto::alg::is_none_alg;
use crate::crypto::verify::check_fit;
use crate::crypto::{verify, Alg, VerifyKey};
use crate::report::Finding;
use crate::trust::TrustedKey;

/// Why one trusted key was not selected for this token.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Rejection {
    /// The token names a key (kid/x5t) and this key has another identity.
    Identity(String),
    /// Type, curve, size or the JWK's own `alg` does not fit the token's `alg`.
    Algorithm(String),
    /// Marked for encryption (`use`, `key_ops`).
    Use(String),
}

impl Rejection {
    fn text(&self) -> &str {
        match self {
            Rejection::Identity(s) | Rejection::Algorithm(s) | Rejection::Use(s) => s,
        }
    }
}

/// Checks a JWS signature; returns the `signature` section of the decoded output.
pub fn check_jws(ctx: &mut Ctx, jws: &Jws) -> Value {
    let header = &jws.header;
    let mut section = json!({ "length": jws.signature.len() });

    let Some(alg_name) = header.alg.as_deref() else {
        ctx.push(
            Finding::new(FindingCode::Malformed, "the JOSE header has no \"alg\"")
                .with_evidence(json!({"part": "header", "missing": "alg"})),
        );
        return section;
    };
    if is_none_alg(alg_name) {
        let detail = if jws.signature.is_empty() {
            "and no signature"
        } else {
            "yet carries a signature segment, which consumers ignore"
        };
        ctx.push(
            Finding::new(
                FindingCode::AlgNone,
                format!("the token is unsecured: alg is '{alg_name}' {detail}"),
            )
            .with_evidence(json!({"alg": alg_name, "signature_bytes": jws.signature.len()})),
        );
        check_embedded_evidence(ctx, header, None);
        return section;
    }
    let Some(alg) = Alg::parse(alg_name) else {
        ctx.push(
            Finding::new(FindingCode::AlgKeyMismatch, format!("'{alg_name}' is not a JWS signature algorithm keyprobe knows (HS/RS/PS/ES 256-512, EdDSA)"))
                .with_evidence(json!({"alg": alg_name})),
        );
        check_embedded_evidence(ctx, header, None);
        return section;
    };
    check_crit(ctx, header);

    let verified_by = if ctx.trust.is_empty() {
        ctx.push(Finding::new(
            FindingCode::SignatureNotChecked,
            format!("no key source was given, so the {alg_name} signature was not verified"),
        ));
        None
    } else {
        select_and_verify(ctx, jws, alg, &mut section)
    };
    check_embedded_evidence(ctx, header, Some((alg, jws, verified_by.is_some())));
    section
}

/// Selects trusted keys for the token and verifies; returns the key that verified.
fn select_and_verify<'t>(
    ctx: &mut Ctx<'t>,
    jws: &Jws,
    alg: Alg,
    section: &mut Value,
) -> Option<&'t TrustedKey> {
    let trust = ctx.trust;
    let header = &jws.header;
    let usable: Vec<&TrustedKey> = trust.keys.iter().collect();
    if trust.signing_keys().next().is_none() {
        let mut reasons: Vec<String> = trust
            .unusable
            .iter()
            .map(|u| format!("{}: {}", u.source, u.reason))
            .collect();
        reasons.extend(trust.keys.iter().filter_map(|k| {
            k.jwk()
                .and_then(Jwk::signing_use_problem)
                .map(|why| format!("{}: {why}", k.label()))
        }));
        ctx.push(
            Finding::new(
                FindingCode::NoSigningKeys,
                format!("the key source ({}) has no usable signing key, so no signature can be verified", trust.sources.join(", ")),
            )
            .with_evidence(json!({"sources": trust.sources, "unusable": reasons})),
        );
        return None;
    }

    if alg.is_symmetric() && !usable.iter().any(|k| matches!(k.key, VerifyKey::Secret(_))) {
        key_confusion(ctx, jws, alg, &usable);
        return None;
    }

    // The fast path: a kid that differs rules a key out without building any explanation;
    // explanations (candidates, reasons) are only built when no key verifies.
    let selected: Vec<&TrustedKey> = usable
        .iter()
        .copied()
        .filter(|k| !kid_differs(header, k) && rejections(header, alg, k).is_empty())
        .collect();

    check_ambiguous_selection(ctx, header, alg, &selected);
    for key in &selected {
        if verify(alg, &key.key, jws.signing_input(), &jws.signature).unwrap_or(false) {
            let label = key.label();
            if let Some(obj) = section.as_object_mut() {
                obj.insert("verified_with".into(), json!(label));
            }
            ctx.push(
                Finding::new(
                    FindingCode::SignatureVerified,
                    format!(
                        "the {} signature verifies with trusted key {label}",
                        alg.name()
                    ),
                )
                .with_evidence(json!({"alg": alg.name(), "key": label, "source": key.source})),
            );
            check_key_strength(ctx, alg, key);
            if let Some(cert) = key.certificate() {
                check_certificate(ctx, cert, &format!("the signing key {label}"));
            }
            check_jwk_self_consistency(ctx, key);
            return Some(key);
        }
    }

    let judged: Vec<(&TrustedKey, Vec<Rejection>)> = usable
        .iter()
        .map(|k| (*k, rejections(header, alg, k)))
        .collect();
    let candidates_json: Vec<Value> = judged
        .iter()
        .map(|(k, r)| {
            json!({
                "key": k.label(),
                "kid": k.kid(),
                "selected": r.is_empty(),
                "rejected_because": r.iter().map(Rejection::text).collect::<Vec<_>>(),
            })
        })
        .collect();

    // Nothing selected verified: find out whether any trusted key would, to tell a kid problem
    // from a key problem.
    let would_verify: Vec<&TrustedKey> = usable
        .iter()
        .filter(|k| !selected.iter().any(|s| std::ptr::eq(*s, **k)))
        .filter(|k| verify(alg, &k.key, jws.signing_input(), &jws.signature).unwrap_or(false))
        .copied()
        .collect();
    let would_json: Vec<String> = would_verify.iter().map(|k| k.label().to_string()).collect();
    let names = key_names(header);

    if !selected.is_empty() {
        let tried: Vec<String> = selected.iter().map(|k| k.label().to_string()).collect();
        ctx.push(
            Finding::new(
                FindingCode::SignatureInvalid,
                format!("the {} signature does not verify with {}", alg.name(), tried.join(", ")),
            )
            .with_evidence(json!({"alg": alg.name(), "keys_tried": tried, "would_verify": would_json, "candidates": candidates_json})),
        );
        return None;
    }

    // No key selected. Say the most specific reason: a key the token positively names that is
    // marked for encryption, or whose type does not fit, before "not found".
    let named: Vec<&(&TrustedKey, Vec<Rejection>)> = judged
        .iter()
        .filter(|(k, _)| names.is_some() && is_named_by(header, k))
        .collect();
    if let Some((k, r)) = named
        .iter()
        .find(|(_, r)| r.iter().any(|x| matches!(x, Rejection::Use(_))))
    {
        let why: Vec<&str> = r.iter().map(Rejection::text).collect();
        ctx.push(
            Finding::new(FindingCode::KeyUseMismatch, format!("the token names {}, which is not a signing key: {}", k.label(), why.join("; ")))
                .with_evidence(json!({"key": k.label(), "use": k.jwk().and_then(|j| j.use_.clone()), "key_ops": k.jwk().and_then(|j| j.key_ops.clone()), "candidates": candidates_json})),
        );
        return None;
    }
    let misfit = if names.is_some() {
        named
            .iter()
            .find(|(_, r)| r.iter().any(|x| matches!(x, Rejection::Algorithm(_))))
            .map(|(k, r)| (*k, r))
    } else {
        judged
            .iter()
            .find(|(_, r)| r.iter().any(|x| matches!(x, Rejection::Algorithm(_))))
            .map(|(k, r)| (*k, r))
    };
    if let Some((k, r)) = misfit {
        let why: Vec<&str> = r.iter().map(Rejection::text).collect();
        let message = if names.is_some() {
            format!(
                "alg {} does not fit {}: {}",
                alg.name(),
                k.label(),
                why.join("; ")
            )
        } else {
            format!(
                "the token names no key and no trusted key fits alg {} (e.g. {}: {})",
                alg.name(),
                k.label(),
                why.join("; ")
            )
        };
        ctx.push(
            Finding::new(FindingCode::AlgKeyMismatch, message).with_evidence(
                json!({"alg": alg.name(), "key": k.label(), "candidates": candidates_json}),
            ),
        );
        return None;
    }
    let present: Vec<String> = usable
        .iter()
        .map(|k| {
            k.kid()
                .map(|s| format!("'{s}'"))
                .unwrap_or_else(|| k.label().to_string())
        })
        .collect();
    let sources = ctx.trust.sources.join(", ");
    let message = match &names {
        Some(name) => format!(
            "the token is signed with {name} but the key source ({sources}) has only {}",
            present.join(", ")
        ),
        None => format!(
            "the token names no key (no kid or x5t) and no trusted key fits alg {}",
            alg.name()
        ),
    };
    let retired = header
        .kid
        .as_deref()
        .and_then(|kid| ctx.trust.retired_kids.iter().find(|r| r.kid == kid));
    let message = match retired {
        Some(r) => format!(
            "{message}. The kid was published at {} as late as {}: the issuer rotated it out, so the token (or the consumer's key cache) is stale",
            r.url, r.last_seen
        ),
        None => message,
    };
    let mut finding = Finding::new(FindingCode::KeyNotFound, message).with_evidence(json!({
        "retired": retired.map(|r| json!({"kid": r.kid, "url": r.url, "last_seen": r.last_seen})),
        "token_kid": header.kid,
        "token_x5t": header.x5t,
        "token_x5t#S256": header.x5t_s256,
        "keys_present": present,
        "candidates": candidates_json,
        "would_verify": would_json,
    }));
    if let Some(k) = would_verify.first() {
        finding = finding.with_hint(format!(
            "trusted key {} does verify the signature: the token's key identifier does not name it (a kid/x5t problem, not a key problem)",
            k.label()
        ));
    }
    ctx.push(finding);
    None
}

/// Key selection that a consumer cannot make unambiguously: several trusted keys share the token's
/// kid, or an HMAC secret sits in one key set with public keys (key-confusion territory).
fn check_ambiguous_selection(
    ctx: &mut Ctx,
    header: &JoseHeader,
    alg: Alg,
    selected: &[&TrustedKey],
) {
    if let Some(kid) = &header.kid {
        // Count every published entry with this kid, usable or not: consumers differ in which
        // entries they skip, so an unusable twin is still a source of ambiguity.
        let sharing: Vec<String> = ctx
            .trust
            .key_sets
            .iter()
            .flat_map(|(label, set)| {
                set.keys
                    .iter()
                    .filter(|k| k.kid.as_deref() == Some(kid.as_str()))
                    .map(move |k| format!("{} from {label}", k.label()))
            })
            .collect();
        if sharing.len() > 1 {
            ctx.push(
                Finding::new(
                    FindingCode::DuplicateKid,
                    format!("the token's kid '{kid}' names {} trusted keys; which one a consumer picks is undefined", sharing.len()),
                )
                .with_severity(crate::report::Severity::Error)
                .with_evidence(json!({"kid": kid, "keys": sharing})),
            );
        }
    }
    if !alg.is_symmetric() {
        return;
    }
    let set_of = |k: &TrustedKey| k.source.split('#').next().unwrap_or("").to_string();
    for secret in selected
        .iter()
        .filter(|k| matches!(k.key, VerifyKey::Secret(_)))
    {
        let set = set_of(secret);
        let public: Vec<String> = ctx
            .trust
            .keys
            .iter()
            .filter(|k| matches!(k.key, VerifyKey::Public(_)) && set_of(k) == set)
            .map(|k| k.label().to_string())
            .collect();
        if !public.is_empty() {
            ctx.push(
                Finding::new(
                    FindingCode::AlgKeyMismatch,
                    format!("{} is checked against {set}, which mixes HMAC secrets with public keys: an ambiguous key set invites key confusion", alg.name()),
                )
                .with_evidence(json!({"alg": alg.name(), "key_set": set, "public_keys": public})),
            );
            return;
        }
    }
}

/// `kid 'abc'` / `x5t 'abc'`, as the token names its key.
fn key_names(header: &JoseHeader) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(kid) = &header.kid {
        parts.push(format!("kid '{kid}'"));
    }
    if let Some(x5t) = &header.x5t {
        if header.kid.as_deref() != Some(x5t.as_str()) {
            parts.push(format!("x5t '{x5t}'"));
        }
    }
    if let Some(s) = &header.x5t_s256 {
        parts.push(format!("x5t#S256 '{s}'"));
    }
    (!parts.is_empty()).then(|| parts.join(" and "))
}

/// True when both the token and the key carry a kid and they differ (the cheap common case).
fn kid_differs(header: &JoseHeader, key: &TrustedKey) -> bool {
    matches!((header.kid.as_deref(), key.kid()), (Some(a), Some(b)) if a != b)
}

/// True when the token's kid, x5t or x5t#S256 positively names this key.
fn is_named_by(header: &JoseHeader, key: &TrustedKey) -> bool {
    let cert = key.certificate();
    let by_kid = header.kid.as_deref().is_some_and(|kid| {
        key.kid() == Some(kid) || cert.is_some_and(|c| c.thumbprints.matches(kid))
    });
    let by_x5t = header.x5t.as_deref().is_some_and(|t| {
        cert.is_some_and(|c| c.thumbprints.x5t == t)
            || key
                .jwk()
                .is_some_and(|j| j.x5t.as_deref() == Some(t) || j.kid.as_deref() == Some(t))
    });
    let by_s256 = header
        .x5t_s256
        .as_deref()
        .is_some_and(|t| cert.is_some_and(|c| c.thumbprints.x5t_s256 == t));
    by_kid || by_x5t || by_s256
}

/// Every reason `key` should not be used for this token, in the order consumers check them.
fn rejections(header: &JoseHeader, alg: Alg, key: &TrustedKey) -> Vec<Rejection> {
    let mut out = Vec::new();
    let cert = key.certificate();
    if let Some(kid) = &header.kid {
        match (key.kid(), cert) {
            (Some(k), _) if k != kid => out.push(Rejection::Identity(format!(
                "kid '{k}' ≠ token kid '{kid}'"
            ))),
            (Some(_), _) => {}
            // A certificate has no kid; Entra's kid is the x5t thumbprint, so compare with that.
            (None, Some(c)) if !c.thumbprints.matches(kid) => {
                out.push(Rejection::Identity(format!(
                    "token kid '{kid}' is not this certificate's thumbprint (x5t '{}')",
                    c.thumbprints.x5t
                )))
            }
            _ => {}
        }
    }
    if let (Some(x5t), Some(c)) = (&header.x5t, cert) {
        if x5t != &c.thumbprints.x5t && header.kid.as_deref() != Some(x5t) {
            out.push(Rejection::Identity(format!(
                "token x5t '{x5t}' ≠ certificate x5t '{}'",
                c.thumbprints.x5t
            )));
        }
    }
    if let (Some(s), Some(c)) = (&header.x5t_s256, cert) {
        if s != &c.thumbprints.x5t_s256 {
            out.push(Rejection::Identity(format!(
                "token x5t#S256 '{s}' ≠ certificate x5t#S256 '{}'",
                c.thumbprints.x5t_s256
            )));
        }
    }
    if let Err(e) = check_fit(alg, &key.key) {
        out.push(Rejection::Algorithm(e.to_string()));
    }
    if let Some(jwk) = key.jwk() {
        if let Some(jwk_alg) = &jwk.alg {
            if jwk_alg != alg.name() {
                out.push(Rejection::Algorithm(format!(
                    "the JWK's own alg is '{jwk_alg}', the token's is '{}'",
                    alg.name()
                )));
            }
        }
        if let Some(problem) = jwk.signing_use_problem() {
            out.push(Rejection::Use(problem));
        }
    }
    out
}

/// An HMAC alg while only public keys are trusted: the classic key-confusion forgery. Check
/// whether the MAC was keyed with a trusted public key's PEM or DER text, which proves it.
fn key_confusion(ctx: &mut Ctx, jws: &Jws, alg: Alg, keys: &[&TrustedKey]) {
    let mut proof = None;
    for key in keys {
        let VerifyKey::Public(pkey) = &key.key else {
            continue;
        };
        for (form, bytes) in public_key_encodings(pkey) {
            if verify(
                alg,
                &VerifyKey::Secret(bytes),
                jws.signing_input(),
                &jws.signature,
            )
            .unwrap_or(false)
            {
                proof = Some(format!(
                    "the HMAC is keyed with the {form} of trusted key {}",
                    key.label()
                ));
                break;
            }
        }
        if proof.is_some() {
            break;
        }
    }
    let kinds: Vec<String> = keys.iter().map(|k| k.label().to_string()).collect();
    let message = match &proof {
        Some(p) => format!("{} is a symmetric algorithm but the trusted keys are public keys: {p}, a key-confusion forgery", alg.name()),
        None => format!("{} is a symmetric algorithm but the trusted keys are public keys (key confusion): an HMAC must not be verified with public key material", alg.name()),
    };
    ctx.push(
        Finding::new(FindingCode::AlgKeyMismatch, message).with_evidence(
            json!({"alg": alg.name(), "trusted_keys": kinds, "forgery_proven": proof}),
        ),
    );
}

fn public_key_encodings(pkey: &PKey<openssl::pkey::Public>) -> Vec<(&'static str, Vec<u8>)> {
    let mut out = Vec::new();
    if let Ok(pem) = pkey.public_key_to_pem() {
        let trimmed = String::from_utf8_lossy(&pem).trim_end().as_bytes().to_vec();
        out.push(("PEM text", pem));
        out.push(("PEM text (no final newline)", trimmed));
    }
    if let Ok(der) = pkey.public_key_to_der() {
        out.push(("DER encoding", der));
    }
    if let Ok(rsa) = pkey.rsa() {
        if let Ok(pem) = rsa.public_key_to_pem_pkcs1() {
            out.push(("PKCS#1 PEM text", pem));
        }
    }
    out
}

fn check_key_strength(ctx: &mut Ctx, alg: Alg, key: &TrustedKey) {
    if let Some(why) = key.weakness(alg) {
        ctx.weak(
            Finding::new(
                FindingCode::WeakKey,
                format!(
                    "the signing key {} is too weak for {}: {why}",
                    key.label(),
                    alg.name()
                ),
            )
            .with_evidence(json!({"alg": alg.name(), "key": key.label(), "weakness": why})),
        );
    }
}

/// A trusted JWK's own x5t and key numbers must agree with its `x5c` certificate.
fn check_jwk_self_consistency(ctx: &mut Ctx, key: &TrustedKey) {
    if let Some(jwk) = key.jwk() {
        for f in jwk_vs_certificate(jwk, key.label()) {
            ctx.push(f);
        }
    }
}

/// Thumbprint and key-parameter agreement between a JWK and its first `x5c` certificate.
pub fn jwk_vs_certificate(jwk: &Jwk, label: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(cert) = jwk.x5c.first() else {
        return out;
    };
    if let Some(x5t) = &jwk.x5t {
        if x5t != &cert.thumbprints.x5t {
            out.push(
                Finding::new(FindingCode::ThumbprintMismatch, format!("{label}: x5t '{x5t}' is not the thumbprint of its own x5c certificate ('{}')", cert.thumbprints.x5t))
                    .with_evidence(json!({"expected": cert.thumbprints.x5t, "presented": x5t})),
            );
        }
    }
    if let Some(s) = &jwk.x5t_s256 {
        if s != &cert.thumbprints.x5t_s256 {
            out.push(
                Finding::new(FindingCode::ThumbprintMismatch, format!("{label}: x5t#S256 '{s}' is not the thumbprint of its own x5c certificate ('{}')", cert.thumbprints.x5t_s256))
                    .with_evidence(json!({"expected": cert.thumbprints.x5t_s256, "presented": s})),
            );
        }
    }
    if let (Ok(k), Ok(ck)) = (&jwk.key, &cert.key) {
        if !k.same_key(ck) {
            out.push(
                Finding::new(FindingCode::ThumbprintMismatch, format!("{label}: the JWK's key parameters differ from the key in its own x5c certificate '{}'", cert.short_name()))
                    .with_evidence(json!({"jwk_key": k.info().describe(), "certificate_key": ck.info().describe(), "certificate_sha1": cert.thumbprints.sha1_hex})),
            );
        }
    }
    out
}

/// Keys the token carries (`jwk`, `x5c`): checked for consistency and validity, and tried, but
/// never trusted. `verify` is (alg, token, verified by a trusted key).
fn check_embedded_evidence(
    ctx: &mut Ctx,
    header: &JoseHeader,
    verify_with: Option<(Alg, &Jws, bool)>,
) {
    let mut embedded: Vec<(String, VerifyKey)> = Vec::new();
    if let Some(raw) = &header.jwk {
        match Jwk::from_object(raw) {
            Ok(jwk) => {
                if !jwk.private_members.is_empty() {
                    ctx.push(Finding::new(
                        FindingCode::Malformed,
                        format!(
                            "the header's jwk carries private key members ({})",
                            jwk.private_members.join(", ")
                        ),
                    ));
                }
                if let Ok(k) = &jwk.key {
                    embedded.push(("the jwk in the token's header".into(), k.clone()));
                }
            }
            Err(e) => ctx.push(Finding::new(
                FindingCode::Malformed,
                format!("the header's jwk: {e}"),
            )),
        }
    }
    if let Some(x5c) = &header.x5c {
        let mut chain: Vec<Certificate> = Vec::new();
        for (i, b64) in x5c.iter().enumerate() {
            match Certificate::from_base64(b64) {
                Ok(c) => chain.push(c),
                Err(e) => ctx.push(Finding::new(
                    FindingCode::Malformed,
                    format!("x5c[{i}] in the token's header: {}", e.reason),
                )),
            }
        }
        if let Some(leaf) = chain.first() {
            if let Some(x5t) = &header.x5t {
                if x5t != &leaf.thumbprints.x5t {
                    ctx.push(
                        Finding::new(FindingCode::ThumbprintMismatch, format!("the header's x5t '{x5t}' is not the thumbprint of its x5c[0] certificate ('{}')", leaf.thumbprints.x5t))
                            .with_evidence(json!({"expected": leaf.thumbprints.x5t, "presented": x5t})),
                    );
                }
            }
            if let Some(s) = &header.x5t_s256 {
                if s != &leaf.thumbprints.x5t_s256 {
                    ctx.push(
                        Finding::new(FindingCode::ThumbprintMismatch, format!("the header's x5t#S256 '{s}' is not the thumbprint of its x5c[0] certificate ('{}')", leaf.thumbprints.x5t_s256))
                            .with_evidence(json!({"expected": leaf.thumbprints.x5t_s256, "presented": s})),
                    );
                }
            }
            if let Ok(k) = &leaf.key {
                embedded.push((
                    format!(
                        "x5c[0] certificate '{}' in the token's header",
                        leaf.short_name()
                    ),
                    k.clone(),
                ));
            }
        }
        for (i, cert) in chain.iter().enumerate() {
            check_certificate(ctx, cert, &format!("the token's x5c[{i}]"));
        }
    }
    if let Some(u) = &header.jku {
        ctx.push(info_note(format!("the header names a key set URL (jku '{u}'); keyprobe never fetches it: a key location chosen by the token proves nothing")));
    }
    if let Some(u) = &header.x5u {
        ctx.push(info_note(format!(
            "the header names a certificate URL (x5u '{u}'); keyprobe never fetches it"
        )));
    }
    let Some((alg, jws, trusted_verified)) = verify_with else {
        return;
    };
    if trusted_verified {
        return;
    }
    for (what, key) in embedded {
        if verify(alg, &key, jws.signing_input(), &jws.signature).unwrap_or(false) {
            let trusted = if ctx.trust.is_empty() {
                "no key source was given"
            } else {
                "no trusted key verifies it"
            };
            ctx.push(
                Finding::new(
                    FindingCode::UntrustedEmbeddedKey,
                    format!("the signature verifies only with {what}, and {trusted}: anyone can sign a token with their own key and attach it"),
                )
                .with_evidence(json!({"embedded_key": what, "key": key.info().describe(), "trusted_sources": ctx.trust.sources})),
            );
            return;
        }
    }
}

fn info_note(message: String) -> Finding {
    Finding::new(FindingCode::KeyUrlNotFetched, message)
}

/// RFC 7515 §4.1.11: a consumer must reject a token whose `crit` lists what it does not understand.
fn check_crit(ctx: &mut Ctx, header: &JoseHeader) {
    let Some(crit) = &header.crit else { return };
    if crit.is_empty() {
        ctx.push(Finding::new(
            FindingCode::Malformed,
            "the header's \"crit\" is an empty list, which RFC 7515 forbids",
        ));
        return;
    }
    for name in crit {
        if !header.raw.contains_key(name) {
            ctx.push(Finding::new(
                FindingCode::Malformed,
                format!("\"crit\" lists '{name}' but the header has no such member"),
            ));
        } else if name != "b64" {
            ctx.push(Finding::new(FindingCode::Malformed, format!("\"crit\" lists '{name}', an extension keyprobe does not understand; a conforming consumer must reject the token")));
        }
    }
}
