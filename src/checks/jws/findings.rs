//! The one place that words the JWS diagnoses: message, evidence, hint.

use std::borrow::Cow;

use serde_json::{json, Value};

use super::diagnosis::{
    Candidate, CritProblem, HeaderUrl, JwsDiagnosis, KeyNotFound, MissingKey, Rejection,
};
use super::missing;
use crate::artifact::compact::{Damage, Spot, TokenKind};
use crate::catalogue::FindingCode;
use crate::checks::{certs, keyset};
use crate::report::{Evidence, Finding, Severity};
use crate::Settings;

pub(super) fn finding(d: &JwsDiagnosis, settings: &Settings) -> Finding {
    match d {
        JwsDiagnosis::MissingAlg => {
            Finding::new(FindingCode::Malformed, "the JOSE header has no \"alg\"")
                .with_evidence(json!({"part": "header", "missing": "alg"}))
        }
        JwsDiagnosis::AlgNone {
            alg,
            signature_bytes,
        } => {
            let detail = if *signature_bytes == 0 {
                "and no signature"
            } else {
                "yet carries a signature segment, which consumers ignore"
            };
            Finding::new(
                FindingCode::AlgNone,
                format!("the token is unsecured: alg is '{alg}' {detail}"),
            )
            .with_evidence(json!({"alg": alg, "signature_bytes": signature_bytes}))
        }
        JwsDiagnosis::UnknownAlg { alg } => Finding::new(
            FindingCode::AlgKeyMismatch,
            format!("'{alg}' is not a JWS signature algorithm keyprobe knows (HS/RS/PS/ES 256-512, EdDSA)"),
        )
        .with_evidence(json!({"alg": alg})),
        JwsDiagnosis::Crit(CritProblem::Empty) => Finding::new(
            FindingCode::Malformed,
            "the header's \"crit\" is an empty list, which RFC 7515 forbids",
        ),
        JwsDiagnosis::Crit(CritProblem::NotInHeader(name)) => Finding::new(
            FindingCode::Malformed,
            format!("\"crit\" lists '{name}' but the header has no such member"),
        ),
        JwsDiagnosis::Crit(CritProblem::NotUnderstood(name)) => Finding::new(
            FindingCode::Malformed,
            format!("\"crit\" lists '{name}', an extension keyprobe does not understand; a conforming consumer must reject the token"),
        ),
        JwsDiagnosis::NotChecked { alg } => Finding::new(
            FindingCode::SignatureNotChecked,
            format!("no key source was given, so the {alg} signature was not verified"),
        ),
        JwsDiagnosis::NoSigningKeys { sources, unusable } => Finding::new(
            FindingCode::NoSigningKeys,
            format!(
                "the key source ({}) has no usable signing key, so no signature can be verified",
                sources.join(", ")
            ),
        )
        .with_evidence(json!({"sources": sources, "unusable": unusable})),
        JwsDiagnosis::KeyConfusion {
            alg,
            trusted,
            proof,
        } => {
            let message = match proof {
                Some(p) => format!("{} is a symmetric algorithm but the trusted keys are public keys: {p}, a key-confusion forgery", alg.name()),
                None => format!("{} is a symmetric algorithm but the trusted keys are public keys (key confusion): an HMAC must not be verified with public key material", alg.name()),
            };
            let labels: Vec<&str> = trusted.iter().map(|k| k.label()).collect();
            Finding::new(FindingCode::AlgKeyMismatch, message).with_evidence(
                json!({"alg": alg.name(), "trusted_keys": labels, "forgery_proven": proof}),
            )
        }
        JwsDiagnosis::AmbiguousKid { kid, keys } => Finding::new(
            FindingCode::DuplicateKid,
            format!(
                "the token's kid '{kid}' names {} trusted keys; which one a consumer picks is undefined",
                keys.len()
            ),
        )
        .with_severity(Severity::Error)
        .with_evidence(json!({"kid": kid, "keys": keys})),
        JwsDiagnosis::MixedKeySet {
            alg,
            key_set,
            public_keys,
        } => Finding::new(
            FindingCode::AlgKeyMismatch,
            format!("{} is checked against {key_set}, which mixes HMAC secrets with public keys: an ambiguous key set invites key confusion", alg.name()),
        )
        .with_evidence(json!({"alg": alg.name(), "key_set": key_set, "public_keys": public_keys})),
        JwsDiagnosis::Verified { alg, key } => {
            let label = key.label();
            Finding::new(
                FindingCode::SignatureVerified,
                format!(
                    "the {} signature verifies with trusted key {label}",
                    alg.name()
                ),
            )
            // Text fields: a batch writes this finding for every token it verifies.
            .with_evidence(Evidence::Text(vec![
                ("alg", Cow::Borrowed(alg.name())),
                ("key", Cow::Owned(label.to_string())),
                ("source", Cow::Owned(key.source.clone())),
            ]))
        }
        // No SPEC code names malleability; weak-key is the nearest (a weakness of the signature).
        JwsDiagnosis::MalleableSignature { alg } => Finding::new(
            FindingCode::WeakKey,
            format!(
                "the {} signature is malleable: its S is above half the curve order, so (r, n − s) verifies too and the same claims have two valid tokens",
                alg.name()
            ),
        )
        .with_severity(Severity::Warning)
        .with_evidence(json!({"alg": alg.name(), "s": "high (s > n/2)"}))
        .with_hint("nothing is forged, but a consumer that recognises tokens by their bytes (a replay cache, a token hash) can be given the twin; signers normally emit low-S signatures, so check which library made this one"),
        JwsDiagnosis::WeakSigningKey { alg, key, weakness } => Finding::new(
            FindingCode::WeakKey,
            format!(
                "the signing key {} is too weak for {}: {weakness}",
                key.label(),
                alg.name()
            ),
        )
        .with_evidence(json!({"alg": alg.name(), "key": key.label(), "weakness": weakness})),
        JwsDiagnosis::Certificate(c) => certs::finding(c, settings),
        JwsDiagnosis::KeyVsCertificate(m) => keyset::mismatch_finding(m),
        JwsDiagnosis::SignatureInvalid {
            alg,
            tried,
            would_verify,
            candidates,
        } => {
            let tried: Vec<&str> = tried.iter().map(|k| k.label()).collect();
            Finding::new(
                FindingCode::SignatureInvalid,
                format!(
                    "the {} signature does not verify with {}",
                    alg.name(),
                    tried.join(", ")
                ),
            )
            .with_evidence(json!({"alg": alg.name(), "keys_tried": tried, "would_verify": labels(would_verify), "candidates": candidates_json(candidates)}))
        }
        JwsDiagnosis::KeyUseMismatch {
            key,
            rejections,
            candidates,
        } => Finding::new(
            FindingCode::KeyUseMismatch,
            format!(
                "the token names {}, which is not a signing key: {}",
                key.label(),
                reasons(rejections)
            ),
        )
        .with_evidence(json!({"key": key.label(), "use": key.jwk().and_then(|j| j.use_.clone()), "key_ops": key.jwk().and_then(|j| j.key_ops.clone()), "candidates": candidates_json(candidates)})),
        JwsDiagnosis::AlgMisfit {
            alg,
            key,
            rejections,
            named,
            candidates,
        } => {
            let message = if *named {
                format!(
                    "alg {} does not fit {}: {}",
                    alg.name(),
                    key.label(),
                    reasons(rejections)
                )
            } else {
                format!(
                    "the token names no key and no trusted key fits alg {} (e.g. {}: {})",
                    alg.name(),
                    key.label(),
                    reasons(rejections)
                )
            };
            Finding::new(FindingCode::AlgKeyMismatch, message).with_evidence(
                json!({"alg": alg.name(), "key": key.label(), "candidates": candidates_json(candidates)}),
            )
        }
        JwsDiagnosis::KeyNotFound(k) => key_not_found(k),
        JwsDiagnosis::EmbeddedJwkPrivate { members } => Finding::new(
            FindingCode::Malformed,
            format!(
                "the header's jwk carries private key members ({})",
                members.join(", ")
            ),
        ),
        JwsDiagnosis::EmbeddedJwkUnreadable(e) => Finding::new(
            FindingCode::Malformed,
            format!("the header's jwk: {e}"),
        ),
        JwsDiagnosis::X5cUnreadable { index, reason } => Finding::new(
            FindingCode::Malformed,
            format!("x5c[{index}] in the token's header: {reason}"),
        ),
        JwsDiagnosis::X5tMismatch {
            member,
            presented,
            expected,
        } => Finding::new(
            FindingCode::ThumbprintMismatch,
            format!("the header's {member} '{presented}' is not the thumbprint of its x5c[0] certificate ('{expected}')"),
        )
        .with_evidence(json!({"expected": expected, "presented": presented})),
        JwsDiagnosis::KeyUrlNotFetched {
            member: HeaderUrl::Jku,
            url,
        } => Finding::new(
            FindingCode::KeyUrlNotFetched,
            format!("the header names a key set URL (jku '{url}'); keyprobe never fetches it: a key location chosen by the token proves nothing"),
        ),
        JwsDiagnosis::KeyUrlNotFetched {
            member: HeaderUrl::X5u,
            url,
        } => Finding::new(
            FindingCode::KeyUrlNotFetched,
            format!("the header names a certificate URL (x5u '{url}'); keyprobe never fetches it"),
        ),
        JwsDiagnosis::UntrustedEmbeddedKey {
            what,
            key,
            no_key_source,
            sources,
        } => {
            let trusted = if *no_key_source {
                "no key source was given"
            } else {
                "no trusted key verifies it"
            };
            Finding::new(
                FindingCode::UntrustedEmbeddedKey,
                format!("the signature verifies only with {what}, and {trusted}: anyone can sign a token with their own key and attach it"),
            )
            .with_evidence(json!({"embedded_key": what, "key": key.describe(), "trusted_sources": sources}))
        }
    }
}

fn key_not_found(k: &KeyNotFound) -> Finding {
    let sources = k.sources.join(", ");
    let message = match &k.names {
        Some(name) => format!(
            "the token is signed with {name} but the key source ({sources}) has only {}",
            k.present.join(", ")
        ),
        None => format!(
            "the token names no key (no kid or x5t) and no trusted key fits alg {}",
            k.alg.name()
        ),
    };
    let message = match k.retired {
        Some(r) => format!(
            "{message}. The kid was published at {} as late as {}: the issuer rotated it out since",
            r.url, r.last_seen
        ),
        None => message,
    };
    let mut finding = Finding::new(FindingCode::KeyNotFound, message).with_evidence(json!({
        "retired": k.retired.map(|r| json!({"kid": r.kid, "url": r.url, "last_seen": r.last_seen})),
        "token_kid": k.token_kid,
        "token_x5t": k.token_x5t,
        "token_x5t#S256": k.token_x5t_s256,
        "keys_present": k.present,
        "candidates": candidates_json(&k.candidates),
        "would_verify": labels(&k.would_verify),
    }));
    if let Some(cause) = &k.cause {
        finding.evidence.edit_json(|evidence| {
            if let Some(o) = evidence.as_object_mut() {
                o.insert("cause".into(), cause_json(cause));
            }
        });
    }
    if let Some(key) = k.would_verify.first() {
        finding = finding.with_hint(format!(
            "trusted key {} does verify the signature: the token's key identifier does not name it (a kid/x5t problem, not a key problem)",
            key.label()
        ));
    } else if let Some(cause) = &k.cause {
        finding = finding.with_hint(missing_key_hint(cause));
    }
    finding
}

/// What to do about a missing key, by the situation behind it.
fn missing_key_hint(cause: &MissingKey) -> String {
    match cause {
        MissingKey::OtherTenant {
            token_tenant,
            keys_tenant,
            source,
        } => format!(
            "the token comes from tenant {token_tenant} but the keys are tenant {keys_tenant}'s: check it against its own tenant's keys (keyprobe inspect TOKEN --tenant {token_tenant}{}); if this API should accept tenant {keys_tenant}'s tokens only, the client asked the wrong tenant (its authority URL) for the token",
            authority_flag(source)
        ),
        MissingKey::OtherIssuer {
            token_issuer,
            keys_issuer,
        } => format!(
            "the token was issued by '{token_issuer}' but the keys are those of '{keys_issuer}': check it against its own issuer's metadata, or request the token from the issuer this consumer trusts"
        ),
        MissingKey::Rotated(r) => format!(
            "the key set still had this kid at {} and no longer does: the issuer rotated it out, and the token was signed before the rotation (or by a signer still using the retired key); get a new token, and make consumers refresh their cached keys rather than pin old ones",
            r.last_seen
        ),
        MissingKey::CachedCopy(f) => format!(
            "this key set is the copy of {} cached at {} (replayed offline), and none of the {} cached copies since {} has this kid: the issuer may have published it after that; fetch the key set again without --offline/--replay before concluding the key is missing",
            f.url, f.fetched_at, f.copies, f.first_fetched_at
        ),
        MissingKey::AppKeys {
            tenant,
            audience,
            app_id,
            keys,
        } => {
            let authority = authority_flag(&keys.url);
            format!(
                "the tenant key set was fetched just now ({}) and does not have this kid: an Entra app with its own signing key (claims mapping, a custom signing key) gets tokens for it (aud '{audience}') signed with that key, published only in the app's key set; check that one (keyprobe inspect TOKEN --tenant {tenant}{authority} --appid {app_id}) and, if it verifies, point the consumer at it (jwks_uri with ?appid=); if the kid is not there either, the issuer signs with a key it does not publish",
                keys.fetched_at
            )
        }
        MissingKey::Unpublished(f) => format!(
            "the key set was fetched just now ({}) and none of the {} copies of it cached since {} has ever had this kid: the issuer signs with a key it does not publish (a signer configured with another key, a key not yet published), or the token comes from another issuer",
            f.fetched_at, f.copies, f.first_fetched_at
        ),
    }
}

/// ` --authority URL` when the keys came from another authority than Entra's public cloud (a
/// national cloud, mock-sts), so that the command suggested asks the same one.
fn authority_flag(source: &str) -> String {
    let Some((scheme, rest)) = source.split_once("://") else {
        return String::new();
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    match host {
        "login.microsoftonline.com" | "sts.windows.net" => String::new(),
        _ => format!(" --authority {scheme}://{host}"),
    }
}

/// The situation as evidence: a stable `situation` name and the facts behind it.
fn cause_json(cause: &MissingKey) -> Value {
    match cause {
        MissingKey::OtherTenant {
            token_tenant,
            keys_tenant,
            source,
        } => {
            json!({"situation": "other-tenant", "token_tenant": token_tenant, "keys_tenant": keys_tenant, "source": source})
        }
        MissingKey::OtherIssuer {
            token_issuer,
            keys_issuer,
        } => {
            json!({"situation": "other-issuer", "token_issuer": token_issuer, "keys_issuer": keys_issuer})
        }
        MissingKey::Rotated(r) => {
            json!({"situation": "rotated-out", "url": r.url, "last_seen": r.last_seen})
        }
        MissingKey::CachedCopy(f) => {
            json!({"situation": "cached-copy", "url": f.url, "fetched_at": f.fetched_at, "copies": f.copies, "first_fetched_at": f.first_fetched_at})
        }
        MissingKey::AppKeys {
            tenant,
            audience,
            app_id,
            keys,
        } => {
            json!({"situation": "app-specific-key", "tenant": tenant, "audience": audience, "appid": app_id, "key_set": keys.url, "app_key_set": missing::app_key_set_url(keys, app_id)})
        }
        MissingKey::Unpublished(f) => {
            json!({"situation": "unpublished", "url": f.url, "fetched_at": f.fetched_at, "copies": f.copies, "first_fetched_at": f.first_fetched_at})
        }
    }
}

fn labels<'k>(keys: &[&'k crate::trust::TrustedKey]) -> Vec<&'k str> {
    keys.iter().map(|k| k.label()).collect()
}

fn reasons(rejections: &[Rejection]) -> String {
    rejections
        .iter()
        .map(Rejection::text)
        .collect::<Vec<_>>()
        .join("; ")
}

fn candidates_json(candidates: &[Candidate]) -> Vec<Value> {
    candidates
        .iter()
        .map(|c| {
            json!({
                "key": c.key.label(),
                "kid": c.key.kid(),
                "selected": c.rejections.is_empty(),
                "rejected_because": c.rejections.iter().map(Rejection::text).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// Words one way a token was damaged: where, and a hint in words saying what probably did it.
pub(super) fn damage(d: &Damage, kind: TokenKind) -> Finding {
    let part = |at: &Spot| segment_name(kind, at.segment);
    let spot = |at: &Spot| json!({"segment": at.segment, "part": part(at), "offset": at.offset});
    match d {
        Damage::CutByLog { at, marker } => Finding::new(
            FindingCode::Malformed,
            format!(
                "'{marker}' at character {} ({}): the token was shortened before it reached keyprobe",
                at.offset,
                part(at)
            ),
        )
        .with_evidence(json!({"where": spot(at), "marker": marker}))
        .with_hint("cut by a log? Logs and consoles shorten long values; copy the whole token from where it travels (the Authorization header, the token response, the browser's network tab)"),
        Damage::Padding { at } => Finding::new(
            FindingCode::Malformed,
            format!(
                "'=' at character {} in the {}: base64url in JOSE has no padding (RFC 7515 §2)",
                at.offset,
                part(at)
            ),
        )
        .with_evidence(json!({"where": spot(at), "found": "="}))
        .with_hint("padded with '=': something re-encoded the token with padded base64; strict consumers reject it, so fix the encoder rather than the consumer"),
        Damage::StandardAlphabet { at, found } => Finding::new(
            FindingCode::Malformed,
            format!(
                "'{found}' at character {} in the {} is standard base64, where JOSE uses base64url ('-' and '_', RFC 7515 §2)",
                at.offset,
                part(at)
            ),
        )
        .with_evidence(json!({"where": spot(at), "found": found}))
        .with_hint("base64, not base64url: the token was encoded (or re-encoded) with the standard alphabet; a consumer cannot verify it as it is"),
        Damage::Whitespace { at } => Finding::new(
            FindingCode::Malformed,
            format!(
                "whitespace at character {} in the {}: a token is one unbroken string",
                at.offset,
                part(at)
            ),
        )
        .with_evidence(json!({"where": spot(at)}))
        .with_hint("whitespace inside: the token was wrapped or broken over lines when it was copied; join it into one line"),
        Damage::Foreign { at, found } => Finding::new(
            FindingCode::Malformed,
            format!(
                "character {found:?} at character {} in the {} is not base64url",
                at.offset,
                part(at)
            ),
        )
        .with_evidence(json!({"where": spot(at), "found": found}))
        .with_hint("something was added to the token or replaced in it on the way (an escape, a quote, a typographic character)"),
        Damage::UnencodedPayload => Finding::new(
            FindingCode::Malformed,
            "the header says b64: false (RFC 7797, unencoded payload), but a JWT's claims are always base64url (RFC 7519 §7.2): this is no JWT",
        )
        .with_evidence(json!({"where": {"segment": 1, "part": segment_name(kind, 1)}, "b64": false}))
        .with_hint("an unencoded payload is for detached JWS content, not for tokens; a JWT consumer reads the payload as base64url and rejects it"),
        Damage::SegmentCount { kind, found } => {
            let message = match kind {
                TokenKind::Jwe => format!("the header has \"enc\", so this is a JWE, which has 5 segments; this token has {found}"),
                TokenKind::Jws => format!("the header has no \"enc\", so this is a JWS, which has 3 segments; this token has {found}"),
            };
            Finding::new(FindingCode::Malformed, message)
                .with_evidence(json!({"where": {"part": "token"}, "segments": found}))
                .with_hint("a copy cut it, or joined two tokens?")
        }
        Damage::Oversize { bytes, limit } => Finding::new(
            FindingCode::Malformed,
            format!("the token is {bytes} bytes, more than the {limit} byte limit"),
        ),
    }
}

fn segment_name(kind: TokenKind, segment: usize) -> String {
    use crate::artifact::jose::Part;
    let part = match (kind, segment) {
        (_, 1) => Part::Header,
        (TokenKind::Jws, 2) => Part::Payload,
        (TokenKind::Jws, 3) => Part::Signature,
        (TokenKind::Jwe, 2) => Part::EncryptedKey,
        (TokenKind::Jwe, 3) => Part::Iv,
        (TokenKind::Jwe, 4) => Part::Ciphertext,
        (TokenKind::Jwe, 5) => Part::Tag,
        _ => return format!("segment {segment}"),
    };
    part.name().to_string()
}
