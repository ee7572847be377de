//! Judging the trusted keys for a token: which are selected, which verifies, and when none does,
//! the most specific reason why.

use openssl::pkey::PKey;

use super::diagnosis::{Candidate, JwsDiagnosis, KeyNotFound, Rejection, WouldVerify};
use super::missing;
use crate::artifact::jose::{JoseHeader, Jws};
use crate::artifact::jwk::Jwk;
use crate::checks::certs::{self, CertRole, Signs};
use crate::checks::keyset;
use crate::crypto::verify::{check_fit, ecdsa_high_s};
use crate::crypto::{verify, Alg, VerifyKey};
use crate::trust::{TrustStore, TrustedKey};
use crate::Settings;

/// Selects trusted keys for the token and verifies; returns the key that verified. What was
/// found on the way goes to `out`, in order.
pub(super) fn judge_keys<'a>(
    trust: &'a TrustStore,
    settings: &Settings,
    jws: &'a Jws,
    alg: Alg,
    out: &mut Vec<JwsDiagnosis<'a>>,
) -> Option<&'a TrustedKey> {
    if let Some(d) = no_signing_keys(trust) {
        out.push(d);
        return None;
    }
    let usable: Vec<&TrustedKey> = trust.keys.iter().collect();
    if alg.is_symmetric() && !usable.iter().any(|k| matches!(k.key, VerifyKey::Secret(_))) {
        out.push(key_confusion(jws, alg, &usable));
        return None;
    }
    let header = &jws.header;
    // The fast path: a kid that differs rules a key out without building any explanation;
    // explanations (candidates, reasons) are only built when no key verifies.
    let selected: Vec<&TrustedKey> = usable
        .iter()
        .copied()
        .filter(|k| !kid_differs(header, k) && rejections(header, alg, k).is_empty())
        .collect();
    out.extend(ambiguous_kid(trust, header));
    out.extend(mixed_key_set(trust, alg, &selected));
    if let Some(key) = selected
        .iter()
        .copied()
        .find(|k| verifies(alg, &k.key, jws))
    {
        out.push(JwsDiagnosis::Verified { alg, key });
        if ecdsa_high_s(alg, &jws.signature) {
            out.push(JwsDiagnosis::MalleableSignature { alg });
        }
        out.extend(verified_key(settings, alg, key));
        return Some(key);
    }
    out.push(why_not_verified(trust, jws, alg, &usable, &selected));
    None
}

fn verifies(alg: Alg, key: &VerifyKey, jws: &Jws) -> bool {
    verify(alg, key, jws.signing_input(), &jws.signature).unwrap_or(false)
}

/// The key sources were given but hold no key that may verify signatures.
fn no_signing_keys(trust: &TrustStore) -> Option<JwsDiagnosis<'_>> {
    if trust.signing_keys().next().is_some() {
        return None;
    }
    let mut unusable: Vec<String> = trust
        .unusable
        .iter()
        .map(|u| format!("{}: {}", u.source, u.reason))
        .collect();
    unusable.extend(trust.keys.iter().filter_map(|k| {
        k.jwk()
            .and_then(Jwk::signing_use_problem)
            .map(|why| format!("{}: {why}", k.label()))
    }));
    Some(JwsDiagnosis::NoSigningKeys {
        sources: &trust.sources,
        unusable,
    })
}

/// What is worth knowing about the key that verified: its strength, its certificate, and
/// whether a JWK agrees with its own certificate.
fn verified_key<'a>(settings: &Settings, alg: Alg, key: &'a TrustedKey) -> Vec<JwsDiagnosis<'a>> {
    let mut out = Vec::new();
    if let Some(weakness) = key.weakness(alg) {
        out.push(JwsDiagnosis::WeakSigningKey { alg, key, weakness });
    }
    if let Some(cert) = key.certificate() {
        let role = CertRole::TrustedSigningKey {
            label: key.label().to_string(),
            signs: Signs::Tokens,
        };
        out.extend(
            certs::judge(cert, &role, settings)
                .into_iter()
                .map(JwsDiagnosis::Certificate),
        );
    }
    if let Some(jwk) = key.jwk() {
        out.extend(
            keyset::jwk_vs_certificate(jwk, key.label())
                .into_iter()
                .map(JwsDiagnosis::KeyVsCertificate),
        );
    }
    out
}

/// Several published keys share the token's kid. Every published entry counts, usable or not:
/// consumers differ in which entries they skip, so an unusable twin is still ambiguous.
fn ambiguous_kid<'a>(trust: &TrustStore, header: &'a JoseHeader) -> Option<JwsDiagnosis<'a>> {
    let kid = header.kid.as_deref()?;
    let named = || {
        trust.key_sets.iter().flat_map(move |(label, set)| {
            set.keys
                .iter()
                .filter(move |k| k.kid.as_deref() == Some(kid))
                .map(move |k| (label, k))
        })
    };
    // A second key first: the labels are only worth making for a kid that is shared.
    named().nth(1)?;
    let keys = named()
        .map(|(label, k)| format!("{} from {label}", k.label()))
        .collect();
    Some(JwsDiagnosis::AmbiguousKid { kid, keys })
}

/// An HMAC secret selected from a key set that also holds public keys (key-confusion territory).
fn mixed_key_set<'a>(
    trust: &TrustStore,
    alg: Alg,
    selected: &[&TrustedKey],
) -> Option<JwsDiagnosis<'a>> {
    if !alg.is_symmetric() {
        return None;
    }
    let set_of = |k: &TrustedKey| k.source.split('#').next().unwrap_or("").to_string();
    selected
        .iter()
        .filter(|k| matches!(k.key, VerifyKey::Secret(_)))
        .find_map(|secret| {
            let key_set = set_of(secret);
            let public_keys: Vec<String> = trust
                .keys
                .iter()
                .filter(|k| matches!(k.key, VerifyKey::Public(_)) && set_of(k) == key_set)
                .map(|k| k.label().to_string())
                .collect();
            (!public_keys.is_empty()).then_some(JwsDiagnosis::MixedKeySet {
                alg,
                key_set,
                public_keys,
            })
        })
}

/// Nothing selected verified. Says the most specific reason: a selected key that does not
/// verify; else a key the token positively names that is marked for encryption, or whose type
/// does not fit; else that the named key is not there.
fn why_not_verified<'a>(
    trust: &'a TrustStore,
    jws: &'a Jws,
    alg: Alg,
    usable: &[&'a TrustedKey],
    selected: &[&'a TrustedKey],
) -> JwsDiagnosis<'a> {
    let header = &jws.header;
    let candidates: Vec<Candidate> = usable
        .iter()
        .map(|k| Candidate {
            key: k,
            rejections: rejections(header, alg, k),
        })
        .collect();
    // Find out whether any other trusted key would verify, to tell a kid problem from a key problem.
    let would_verify: WouldVerify = usable
        .iter()
        .filter(|k| !selected.iter().any(|s| std::ptr::eq(*s, **k)))
        .filter(|k| verifies(alg, &k.key, jws))
        .copied()
        .collect();
    if !selected.is_empty() {
        return JwsDiagnosis::SignatureInvalid {
            alg,
            tried: selected.to_vec(),
            would_verify,
            candidates,
        };
    }
    let names = key_names(header);
    let named: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| names.is_some() && is_named_by(header, c.key))
        .collect();
    let has = |c: &&Candidate, f: fn(&Rejection) -> bool| c.rejections.iter().any(f);
    if let Some(c) = named
        .iter()
        .find(|c| has(c, |r| matches!(r, Rejection::Use(_))))
    {
        return JwsDiagnosis::KeyUseMismatch {
            key: c.key,
            rejections: c.rejections.clone(),
            candidates: candidates.clone(),
        };
    }
    let misfits = |r: &Rejection| matches!(r, Rejection::Algorithm(_));
    let misfit = if names.is_some() {
        named.iter().copied().find(|c| has(c, misfits))
    } else {
        candidates.iter().find(|c| has(c, misfits))
    };
    if let Some(c) = misfit {
        return JwsDiagnosis::AlgMisfit {
            alg,
            key: c.key,
            rejections: c.rejections.clone(),
            named: names.is_some(),
            candidates: candidates.clone(),
        };
    }
    let present = usable
        .iter()
        .map(|k| {
            k.kid()
                .map(|s| format!("'{s}'"))
                .unwrap_or_else(|| k.label().to_string())
        })
        .collect();
    let retired = header
        .kid
        .as_deref()
        .and_then(|kid| trust.retired_kids.iter().find(|r| r.kid == kid));
    JwsDiagnosis::KeyNotFound(Box::new(KeyNotFound {
        alg,
        cause: names
            .as_ref()
            .and_then(|_| missing::why_missing(trust, jws)),
        names,
        token_kid: header.kid.as_deref(),
        token_x5t: header.x5t.as_deref(),
        token_x5t_s256: header.x5t_s256.as_deref(),
        present,
        sources: &trust.sources,
        retired,
        candidates,
        would_verify,
    }))
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

/// An HMAC alg while only public keys are trusted: the classic key-confusion forgery. Checks
/// whether the MAC was keyed with a trusted public key's PEM or DER text, which proves it.
fn key_confusion<'a>(jws: &Jws, alg: Alg, keys: &[&'a TrustedKey]) -> JwsDiagnosis<'a> {
    let proof = keys.iter().find_map(|key| {
        let VerifyKey::Public(pkey) = &key.key else {
            return None;
        };
        public_key_encodings(pkey)
            .into_iter()
            .find(|(_, bytes)| verifies(alg, &VerifyKey::Secret(bytes.clone()), jws))
            .map(|(form, _)| {
                format!(
                    "the HMAC is keyed with the {form} of trusted key {}",
                    key.label()
                )
            })
    });
    JwsDiagnosis::KeyConfusion {
        alg,
        trusted: keys.to_vec(),
        proof,
    }
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
