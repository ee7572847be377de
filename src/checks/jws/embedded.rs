//! Keys the token carries (`jwk`, `x5c`) and the key URLs it names (`jku`, `x5u`): checked for
//! consistency and validity, and tried, but never trusted.

use super::diagnosis::{HeaderUrl, JwsDiagnosis};
use crate::artifact::cert::Certificate;
use crate::artifact::jose::{JoseHeader, Jws};
use crate::artifact::jwk::Jwk;
use crate::artifact::DecodeError;
use crate::checks::certs::{self, CertRole};
use crate::crypto::{verify, Alg, VerifyKey};
use crate::trust::TrustStore;
use crate::Settings;

/// A key the token carries, decoded, with what it is for messages.
pub(super) struct EmbeddedKey {
    what: String,
    key: VerifyKey,
}

/// The header's `x5c` entries, decoded (before judging, so that diagnoses can borrow them).
pub(super) fn decode_x5c(header: &JoseHeader) -> Vec<Result<Certificate, DecodeError>> {
    header
        .x5c
        .iter()
        .flatten()
        .map(|b64| Certificate::from_base64(b64))
        .collect()
}

/// Judges the header's `jwk`, `x5c` (decoded by [`decode_x5c`]), `jku` and `x5u`; returns the
/// keys that decoded, for [`only_embedded_verifies`].
pub(super) fn judge_embedded<'a>(
    header: &'a JoseHeader,
    x5c: &'a [Result<Certificate, DecodeError>],
    settings: &Settings,
    out: &mut Vec<JwsDiagnosis<'a>>,
) -> Vec<EmbeddedKey> {
    let mut keys = Vec::new();
    if let Some(key) = header_jwk(header, out) {
        keys.push(key);
    }
    for (index, entry) in x5c.iter().enumerate() {
        if let Err(e) = entry {
            out.push(JwsDiagnosis::X5cUnreadable {
                index,
                reason: e.reason.clone(),
            });
        }
    }
    let chain: Vec<&Certificate> = x5c.iter().flatten().collect();
    if let Some(leaf) = chain.first() {
        out.extend(x5t_vs_leaf(header, leaf));
        if let Ok(k) = &leaf.key {
            keys.push(EmbeddedKey {
                what: format!(
                    "x5c[0] certificate '{}' in the token's header",
                    leaf.short_name()
                ),
                key: k.clone(),
            });
        }
    }
    for (index, cert) in chain.into_iter().enumerate() {
        let role = CertRole::TokenX5c { index };
        out.extend(
            certs::judge(cert, &role, settings)
                .into_iter()
                .map(JwsDiagnosis::Certificate),
        );
    }
    if let Some(url) = &header.jku {
        out.push(JwsDiagnosis::KeyUrlNotFetched {
            member: HeaderUrl::Jku,
            url,
        });
    }
    if let Some(url) = &header.x5u {
        out.push(JwsDiagnosis::KeyUrlNotFetched {
            member: HeaderUrl::X5u,
            url,
        });
    }
    keys
}

fn header_jwk<'a>(header: &'a JoseHeader, out: &mut Vec<JwsDiagnosis<'a>>) -> Option<EmbeddedKey> {
    let raw = header.jwk.as_ref()?;
    match Jwk::from_object(raw) {
        Ok(jwk) => {
            if !jwk.private_members.is_empty() {
                out.push(JwsDiagnosis::EmbeddedJwkPrivate {
                    members: jwk.private_members.clone(),
                });
            }
            jwk.key.ok().map(|key| EmbeddedKey {
                what: "the jwk in the token's header".into(),
                key,
            })
        }
        Err(e) => {
            out.push(JwsDiagnosis::EmbeddedJwkUnreadable(e));
            None
        }
    }
}

/// The header's `x5t` and `x5t#S256` must be its `x5c[0]`'s thumbprints.
fn x5t_vs_leaf<'a>(header: &'a JoseHeader, leaf: &Certificate) -> Vec<JwsDiagnosis<'a>> {
    let mut out = Vec::new();
    if let Some(x5t) = &header.x5t {
        if x5t != &leaf.thumbprints.x5t {
            out.push(JwsDiagnosis::X5tMismatch {
                member: "x5t",
                presented: x5t,
                expected: leaf.thumbprints.x5t.clone(),
            });
        }
    }
    if let Some(s) = &header.x5t_s256 {
        if s != &leaf.thumbprints.x5t_s256 {
            out.push(JwsDiagnosis::X5tMismatch {
                member: "x5t#S256",
                presented: s,
                expected: leaf.thumbprints.x5t_s256.clone(),
            });
        }
    }
    out
}

/// The signature verifies with a key the token carries, and no trusted key verified it.
pub(super) fn only_embedded_verifies<'a>(
    trust: &'a TrustStore,
    alg: Alg,
    jws: &Jws,
    keys: Vec<EmbeddedKey>,
) -> Option<JwsDiagnosis<'a>> {
    let found = keys
        .into_iter()
        .find(|k| verify(alg, &k.key, jws.signing_input(), &jws.signature).unwrap_or(false))?;
    Some(JwsDiagnosis::UntrustedEmbeddedKey {
        what: found.what,
        key: found.key.info(),
        no_key_source: trust.is_empty(),
        sources: &trust.sources,
    })
}
