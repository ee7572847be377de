//! Key set checks, for a JWKS or JWK given as input (and for trusted key sets).

use std::collections::BTreeMap;

use serde_json::json;

use super::certs::{self, CertDiagnosis, CertRole};
use super::Ctx;
use crate::artifact::cert::Certificate;
use crate::artifact::jwk::{Jwk, JwkKeyError, Jwks};
use crate::artifact::DecodeError;
use crate::catalogue::FindingCode;
use crate::crypto::policy::public_key_weakness;
use crate::crypto::KeyInfo;
use crate::report::Finding;
use crate::Settings;

/// A JWK that disagrees with its own first `x5c` certificate.
#[derive(Debug, Clone)]
pub(crate) struct KeyCertMismatch<'a> {
    /// The JWK as messages name it.
    pub label: String,
    pub cert: &'a Certificate,
    pub what: Mismatch<'a>,
}

/// Which part of the JWK disagrees with its certificate.
#[derive(Debug, Clone)]
pub(crate) enum Mismatch<'a> {
    /// `x5t` or `x5t#S256` (`member`) is not the certificate's thumbprint.
    Thumbprint {
        member: &'static str,
        presented: &'a str,
        expected: &'a str,
    },
    /// `n`/`e` (or `x`/`y`) are not the certificate's key.
    KeyParameters {
        jwk_key: KeyInfo,
        certificate_key: KeyInfo,
    },
}

/// What is wrong with a key set or one of its keys.
#[derive(Debug, Clone)]
pub(crate) enum KeySetDiagnosis<'a> {
    /// An entry that does not decode as a JWK: consumers drop it silently.
    UnreadableEntry {
        set: &'a str,
        index: usize,
        problem: &'a DecodeError,
    },
    /// Key material that does not make a key.
    UnusableKey {
        jwk: &'a Jwk,
        problem: &'a JwkKeyError,
    },
    /// Private members, or an `oct` secret meant for signing, published.
    PrivateKeyPublished {
        jwk: &'a Jwk,
        members: String,
    },
    UnreadableX5c {
        jwk: &'a Jwk,
        problem: &'a DecodeError,
    },
    KeyVsCertificate(KeyCertMismatch<'a>),
    Certificate(CertDiagnosis<'a>),
    WeakKey {
        jwk: &'a Jwk,
        weakness: String,
    },
    DuplicateKid {
        kid: &'a str,
        count: usize,
    },
    /// Nothing in the set can verify a signature; `unusable` says why, key by key.
    NoSigningKeys {
        set: &'a str,
        entries: usize,
        unusable: Vec<String>,
    },
}

pub fn check_jwks(ctx: &mut Ctx, set: &Jwks, label: &str) {
    let diagnoses = judge_jwks(set, label, ctx.settings);
    record(ctx, &diagnoses);
}

pub fn check_jwk(ctx: &mut Ctx, jwk: &Jwk) {
    let label = jwk.label();
    let diagnoses = judge_jwk(jwk, &label, ctx.settings);
    record(ctx, &diagnoses);
}

fn record(ctx: &mut Ctx, diagnoses: &[KeySetDiagnosis]) {
    for d in diagnoses {
        let f = finding(d, ctx.settings);
        ctx.push(f);
    }
}

fn judge_jwks<'a>(set: &'a Jwks, label: &'a str, settings: &Settings) -> Vec<KeySetDiagnosis<'a>> {
    let mut out: Vec<KeySetDiagnosis> = set
        .rejected
        .iter()
        .map(|(index, problem)| KeySetDiagnosis::UnreadableEntry {
            set: label,
            index: *index,
            problem,
        })
        .collect();
    for jwk in &set.keys {
        out.extend(judge_jwk(jwk, &jwk.label(), settings));
    }
    out.extend(duplicate_kids(set));
    out.extend(no_signing_keys(set, label));
    out
}

fn judge_jwk<'a>(jwk: &'a Jwk, label: &str, settings: &Settings) -> Vec<KeySetDiagnosis<'a>> {
    let mut out = Vec::new();
    if let Err(problem) = &jwk.key {
        out.push(KeySetDiagnosis::UnusableKey { jwk, problem });
    }
    if !jwk.private_members.is_empty() || (jwk.kty == "oct" && jwk.signing_use_problem().is_none())
    {
        let members = if jwk.private_members.is_empty() {
            "k (a shared secret)".to_string()
        } else {
            jwk.private_members.join(", ")
        };
        out.push(KeySetDiagnosis::PrivateKeyPublished { jwk, members });
    }
    out.extend(
        jwk.x5c_errors
            .iter()
            .map(|problem| KeySetDiagnosis::UnreadableX5c { jwk, problem }),
    );
    out.extend(
        jwk_vs_certificate(jwk, label)
            .into_iter()
            .map(KeySetDiagnosis::KeyVsCertificate),
    );
    for (index, cert) in jwk.x5c.iter().enumerate() {
        let role = CertRole::JwkX5c {
            jwk: label.to_string(),
            index,
        };
        out.extend(
            certs::judge(cert, &role, settings)
                .into_iter()
                .map(KeySetDiagnosis::Certificate),
        );
    }
    if let Some(weakness) = jwk.key.as_ref().ok().and_then(public_key_weakness) {
        out.push(KeySetDiagnosis::WeakKey { jwk, weakness });
    }
    out
}

fn duplicate_kids(set: &Jwks) -> Vec<KeySetDiagnosis<'_>> {
    let mut by_kid: BTreeMap<&str, usize> = BTreeMap::new();
    for k in &set.keys {
        if let Some(kid) = &k.kid {
            *by_kid.entry(kid.as_str()).or_default() += 1;
        }
    }
    by_kid
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(kid, count)| KeySetDiagnosis::DuplicateKid { kid, count })
        .collect()
}

fn no_signing_keys<'a>(set: &'a Jwks, label: &'a str) -> Option<KeySetDiagnosis<'a>> {
    let any_signing = set
        .keys
        .iter()
        .any(|k| k.key.is_ok() && k.signing_use_problem().is_none());
    if any_signing {
        return None;
    }
    let unusable = set
        .keys
        .iter()
        .map(|k| match (&k.key, k.signing_use_problem()) {
            (Err(e), _) => format!("{}: {e}", k.label()),
            (Ok(_), Some(p)) => format!("{}: {p}", k.label()),
            (Ok(_), None) => k.label(),
        })
        .chain(set.rejected.iter().map(|(i, e)| format!("keys[{i}]: {e}")))
        .collect();
    Some(KeySetDiagnosis::NoSigningKeys {
        set: label,
        entries: set.total_entries,
        unusable,
    })
}

/// Thumbprint and key-parameter agreement between a JWK and its first `x5c` certificate.
pub(crate) fn jwk_vs_certificate<'a>(jwk: &'a Jwk, label: &str) -> Vec<KeyCertMismatch<'a>> {
    let mut out = Vec::new();
    let Some(cert) = jwk.x5c.first() else {
        return out;
    };
    let mut mismatch = |what| {
        out.push(KeyCertMismatch {
            label: label.to_string(),
            cert,
            what,
        })
    };
    if let Some(x5t) = &jwk.x5t {
        if x5t != &cert.thumbprints.x5t {
            mismatch(Mismatch::Thumbprint {
                member: "x5t",
                presented: x5t,
                expected: &cert.thumbprints.x5t,
            });
        }
    }
    if let Some(s) = &jwk.x5t_s256 {
        if s != &cert.thumbprints.x5t_s256 {
            mismatch(Mismatch::Thumbprint {
                member: "x5t#S256",
                presented: s,
                expected: &cert.thumbprints.x5t_s256,
            });
        }
    }
    if let (Ok(k), Ok(ck)) = (&jwk.key, &cert.key) {
        if !k.same_key(ck) {
            mismatch(Mismatch::KeyParameters {
                jwk_key: k.info(),
                certificate_key: ck.info(),
            });
        }
    }
    out
}

/// The finding for a JWK that disagrees with its own certificate.
pub(crate) fn mismatch_finding(m: &KeyCertMismatch) -> Finding {
    let label = &m.label;
    match &m.what {
        Mismatch::Thumbprint {
            member,
            presented,
            expected,
        } => Finding::new(
            FindingCode::ThumbprintMismatch,
            format!("{label}: {member} '{presented}' is not the thumbprint of its own x5c certificate ('{expected}')"),
        )
        .with_evidence(json!({"expected": expected, "presented": presented})),
        Mismatch::KeyParameters {
            jwk_key,
            certificate_key,
        } => Finding::new(
            FindingCode::ThumbprintMismatch,
            format!(
                "{label}: the JWK's key parameters differ from the key in its own x5c certificate '{}'",
                m.cert.short_name()
            ),
        )
        .with_evidence(json!({"jwk_key": jwk_key.describe(), "certificate_key": certificate_key.describe(), "certificate_sha1": m.cert.thumbprints.sha1_hex})),
    }
}

/// The one place that words key set diagnoses.
fn finding(d: &KeySetDiagnosis, settings: &Settings) -> Finding {
    match d {
        KeySetDiagnosis::UnreadableEntry { set, index, problem } => Finding::new(
            FindingCode::Malformed,
            format!(
                "{set}: keys[{index}] cannot be read ({problem}); consumers such as PyJWT drop it silently"
            ),
        ),
        KeySetDiagnosis::UnusableKey { jwk, problem } => Finding::new(
            FindingCode::Malformed,
            format!("{}: unusable key material: {problem}", jwk.label()),
        ),
        KeySetDiagnosis::PrivateKeyPublished { jwk, members } => Finding::new(
            FindingCode::PrivateKeyPublished,
            format!("{} carries private members: {members}", jwk.label()),
        )
        .with_evidence(json!({"kid": jwk.kid, "members": members})),
        KeySetDiagnosis::UnreadableX5c { jwk, problem } => Finding::new(
            FindingCode::Malformed,
            format!("{}: {problem}", jwk.label()),
        ),
        KeySetDiagnosis::KeyVsCertificate(m) => mismatch_finding(m),
        KeySetDiagnosis::Certificate(c) => certs::finding(c, settings),
        KeySetDiagnosis::WeakKey { jwk, weakness } => Finding::new(
            FindingCode::WeakKey,
            format!("{} is {weakness}", jwk.label()),
        )
        .with_evidence(json!({"kid": jwk.kid, "key": jwk.key.as_ref().ok().map(|k| k.info()), "weakness": weakness})),
        KeySetDiagnosis::DuplicateKid { kid, count } => Finding::new(
            FindingCode::DuplicateKid,
            format!("{count} keys share kid '{kid}'; a consumer selecting by kid may pick the wrong one"),
        )
        .with_evidence(json!({"kid": kid, "count": count})),
        KeySetDiagnosis::NoSigningKeys {
            set,
            entries,
            unusable,
        } => {
            let message = if *entries == 0 {
                format!("{set} is an empty key set: nothing signed can be verified against it")
            } else {
                format!("none of the {entries} keys in {set} can verify signatures")
            };
            Finding::new(FindingCode::NoSigningKeys, message)
                .with_evidence(json!({"keys": entries, "unusable": unusable}))
        }
    }
}
