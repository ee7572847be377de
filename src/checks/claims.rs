//! JWT claims: lifetime against the clock, issuer and audience, and notes on Entra's claims.

use serde_json::{json, Value};

use super::Ctx;
use crate::artifact::jose::{JoseError, JoseHeader, NotClaims};
use crate::catalogue::FindingCode;
use crate::clock::{describe, human_span, rfc3339};
use crate::codec::json::Object;
use crate::report::{Finding, Notes};
use crate::trust::TrustStore;
use crate::Settings;

/// What a JWS header says its payload is (RFC 7519 §5.1-5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Content {
    /// A claim set: the header says JWT (`typ` JWT, `application/jwt`, `…+jwt`) or nothing.
    Claims,
    /// Another token (`cty: JWT`).
    Nested,
    /// Something else the header names (`typ: JOSE`, a media type): not a JWT at all.
    Other,
}

pub(crate) fn content_of(header: &JoseHeader) -> Content {
    let jwt = |t: &str| {
        let t = t.to_ascii_lowercase();
        t == "jwt" || t == "application/jwt" || t.ends_with("+jwt")
    };
    match (header.cty.as_deref(), header.typ.as_deref()) {
        (Some(cty), _) if jwt(cty) => Content::Nested,
        (Some(_), _) => Content::Other,
        (None, Some(typ)) if !jwt(typ) => Content::Other,
        (None, _) => Content::Claims,
    }
}

/// What is wrong with a payload that should be a claim set or a nested token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PayloadDiagnosis<'p> {
    /// The header says JWT (or nothing) and the payload is no JSON object.
    NotAClaimSet { why: &'p NotClaims },
    /// `cty: JWT` and the payload is not a compact token.
    NestedUnreadable { error: JoseError },
    /// `cty: JWT` and the payload is a JWE, which keyprobe does not decrypt.
    NestedEncrypted,
    /// Tokens nested deeper than keyprobe follows.
    NestedTooDeep { limit: usize },
}

/// The one place that words payload diagnoses.
pub(crate) fn payload_finding(d: &PayloadDiagnosis) -> Finding {
    match d {
        PayloadDiagnosis::NotAClaimSet { why } => Finding::new(
            FindingCode::Malformed,
            format!("payload (segment 2): not a JWT claim set: {why}"),
        )
        .with_evidence(json!({"where": {"part": "payload (segment 2)"}, "reason": why.to_string()}))
        .with_hint("a JWT's payload is one JSON object with unique member names (RFC 7519 §7.2); a consumer cannot read its claims, so no claim (exp, iss, aud) was checked"),
        PayloadDiagnosis::NestedUnreadable { error } => Finding::new(
            FindingCode::Malformed,
            format!("the header says cty JWT, but the payload is no compact token: {error}"),
        )
        .with_evidence(json!({"where": {"part": "payload (segment 2)"}, "reason": error.to_string()})),
        PayloadDiagnosis::NestedEncrypted => Finding::new(
            FindingCode::SignatureNotChecked,
            "the nested token (cty JWT) is encrypted (JWE); keyprobe does not decrypt, so the token inside was not checked",
        ),
        PayloadDiagnosis::NestedTooDeep { limit } => Finding::new(
            FindingCode::Malformed,
            format!("tokens are nested more than {limit} deep (cty JWT); keyprobe stops there"),
        ),
    }
}

/// What is wrong with a token's claims.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ClaimsDiagnosis<'c> {
    /// A time claim that is not a number of seconds.
    NotNumericDate {
        name: &'static str,
        value: &'c Value,
    },
    Expired {
        exp: i64,
    },
    NoExpiry,
    NotYetValid {
        nbf: i64,
    },
    /// `iat` ahead of the clock beyond the leeway: the issuer's clock, or a forged time.
    IssuedInFuture {
        iat: i64,
    },
    IssuerMismatch {
        expected: String,
        expected_from: &'static str,
        presented: Option<&'c str>,
        /// The common Entra mix-up behind the difference, when it is one.
        why: Option<String>,
    },
    /// Aggregate metadata is the key source and `iss` names none of its entities: no key of it
    /// counts for this token.
    IssuerNotInFederation {
        presented: Option<&'c str>,
        source: String,
        entities: Vec<String>,
    },
    AudienceMismatch {
        expected: String,
        presented: Vec<String>,
    },
}

/// Checks lifetime, issuer and audience; returns per-claim notes for the decoded output.
pub fn check_claims(ctx: &mut Ctx, claims: &Object) -> Notes {
    let clock = ctx.settings.clock;
    let read = Read::from(claims);
    let entra = entra_notes(&read);
    let mut notes = Notes::with_capacity(TIME_CLAIMS.len() + entra.len());
    for (name, t) in TIME_CLAIMS.into_iter().zip(read.times) {
        if let Some(t) = t.and_then(numeric_date) {
            notes.set(name, describe(&clock, t));
        }
    }
    let diagnoses = judge_claims(ctx.settings, ctx.trust, &read);
    for d in &diagnoses {
        let f = finding(d, ctx.settings);
        ctx.push(f);
    }
    // No Entra note is on a time claim, so none replaces one.
    for (claim, note) in entra {
        notes.set(claim, note);
    }
    notes
}

const TIME_CLAIMS: [&str; 4] = ["exp", "nbf", "iat", "auth_time"];

/// The claims the checks and notes read, found in one walk over the claim set rather than
/// looked up one by one in its hashed map.
struct Read<'c> {
    /// `exp`, `nbf`, `iat`, `auth_time`, in [`TIME_CLAIMS`]' order.
    times: [Option<&'c Value>; 4],
    iss: Option<&'c str>,
    ver: Option<&'c str>,
    tid: Option<&'c str>,
    aud: Option<&'c Value>,
    /// Bit `i` set: the token has the claim of `ENTRA_CLAIM_NOTES[i]`.
    noted: u32,
}

impl<'c> From<&'c Object> for Read<'c> {
    fn from(claims: &'c Object) -> Self {
        let mut read = Read {
            times: [None; 4],
            iss: None,
            ver: None,
            tid: None,
            aud: None,
            noted: 0,
        };
        for (name, value) in claims {
            match name.as_str() {
                "exp" => read.times[0] = Some(value),
                "nbf" => read.times[1] = Some(value),
                "iat" => read.times[2] = Some(value),
                "auth_time" => read.times[3] = Some(value),
                "iss" => read.iss = value.as_str(),
                "ver" => read.ver = value.as_str(),
                "tid" => read.tid = value.as_str(),
                "aud" => read.aud = Some(value),
                _ => {}
            }
            // The first byte first: most claim names are as short as the table's, so comparing
            // them whole called memcmp for nearly every entry.
            let first = name.as_bytes().first();
            if let Some(i) = ENTRA_CLAIM_NOTES
                .iter()
                .position(|(k, _)| k.as_bytes().first() == first && k == name)
            {
                read.noted |= 1 << i;
            }
        }
        read
    }
}

fn judge_claims<'c>(
    settings: &Settings,
    trust: &TrustStore,
    claims: &Read<'c>,
) -> Vec<ClaimsDiagnosis<'c>> {
    let clock = settings.clock;
    let now = clock.now();
    let leeway = clock.leeway();
    let [exp, nbf, iat, _] = claims.times;
    let mut out: Vec<ClaimsDiagnosis> = TIME_CLAIMS
        .into_iter()
        .zip(claims.times)
        .filter_map(|(name, value)| {
            let value = value?;
            numeric_date(value)
                .is_none()
                .then_some(ClaimsDiagnosis::NotNumericDate { name, value })
        })
        .collect();
    match exp.map(numeric_date) {
        Some(Some(exp)) if now > exp.saturating_add(leeway) => {
            out.push(ClaimsDiagnosis::Expired { exp })
        }
        Some(_) => {}
        None => out.push(ClaimsDiagnosis::NoExpiry),
    }
    if let Some(nbf) = nbf.and_then(numeric_date) {
        if now < nbf.saturating_sub(leeway) {
            out.push(ClaimsDiagnosis::NotYetValid { nbf });
        }
    }
    if let Some(iat) = iat.and_then(numeric_date) {
        if now < iat.saturating_sub(leeway) {
            out.push(ClaimsDiagnosis::IssuedInFuture { iat });
        }
    }
    out.extend(issuer_mismatch(settings, trust, claims));
    out.extend(audience_mismatch(settings, claims));
    out
}

/// The one place that words claims diagnoses.
fn finding(d: &ClaimsDiagnosis, settings: &Settings) -> Finding {
    let clock = settings.clock;
    let now = clock.now();
    let leeway = clock.leeway();
    match d {
        ClaimsDiagnosis::NotNumericDate { name, value } => Finding::new(
            FindingCode::Malformed,
            format!("claim '{name}' must be a number of seconds since the epoch, found {value}"),
        ),
        ClaimsDiagnosis::Expired { exp } => Finding::new(
            FindingCode::TokenExpired,
            format!("the token expired {} (exp {}), beyond the {} s leeway", clock.relative(*exp), rfc3339(*exp), leeway),
        )
        .with_evidence(json!({"exp": rfc3339(*exp), "checked_at": rfc3339(now), "leeway_seconds": leeway, "expired_for": human_span((now - exp).unsigned_abs())})),
        ClaimsDiagnosis::NoExpiry => Finding::new(
            FindingCode::TokenNoExpiry,
            "the token has no exp claim, so it never expires",
        ),
        ClaimsDiagnosis::NotYetValid { nbf } => Finding::new(
            FindingCode::TokenNotYetValid,
            format!("the token is not valid until {} (nbf), beyond the {} s leeway", describe(&clock, *nbf), leeway),
        )
        .with_evidence(json!({"nbf": rfc3339(*nbf), "checked_at": rfc3339(now), "leeway_seconds": leeway})),
        ClaimsDiagnosis::IssuedInFuture { iat } => Finding::new(
            FindingCode::TokenNotYetValid,
            format!("the token says it was issued {} (iat), beyond the {} s leeway", describe(&clock, *iat), leeway),
        )
        .with_evidence(json!({"iat": rfc3339(*iat), "checked_at": rfc3339(now), "leeway_seconds": leeway}))
        .with_hint("a token cannot be issued in the future: the issuer's clock is ahead, or the time was forged; consumers that check iat (PyJWT, jose) reject it"),
        ClaimsDiagnosis::IssuerMismatch {
            expected,
            expected_from,
            presented,
            why,
        } => {
            let shown = presented.unwrap_or("(no iss claim)");
            let mut message =
                format!("the token's issuer is '{shown}' but {expected_from} is '{expected}'");
            if let Some(why) = why {
                message.push_str(&format!(": {why}"));
            }
            Finding::new(FindingCode::IssuerMismatch, message).with_evidence(
                json!({"expected": expected, "presented": presented, "expected_from": expected_from}),
            )
        }
        ClaimsDiagnosis::IssuerNotInFederation {
            presented,
            source,
            entities,
        } => {
            let shown = presented.map_or_else(|| "(no iss claim)".to_string(), |i| format!("'{i}'"));
            let named = match entities.as_slice() {
                [] => String::new(),
                [one] => format!(" (only '{one}')"),
                [first, ..] => format!(" ('{first}' and {} more)", entities.len() - 1),
            };
            Finding::new(
                FindingCode::IssuerMismatch,
                format!(
                    "the token's issuer {shown} is none of the {} identity providers in {source}{named}: a key of that metadata counts only for the entity that publishes it, so none counts here",
                    entities.len()
                ),
            )
            .with_evidence(json!({
                "expected": entities.iter().take(20).collect::<Vec<_>>(),
                "presented": presented,
                "expected_from": source,
            }))
        }
        ClaimsDiagnosis::AudienceMismatch {
            expected,
            presented,
        } => {
            let shown = if presented.is_empty() {
                "no audience".to_string()
            } else {
                presented
                    .iter()
                    .map(|a| format!("'{a}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            Finding::new(
                FindingCode::AudienceMismatch,
                format!("the token is for {shown}, not for '{expected}'"),
            )
            .with_evidence(json!({"expected": expected, "presented": presented}))
        }
    }
}

fn numeric_date(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && f.abs() < 1e15)
                .map(|f| f as i64)
        }),
        _ => None,
    }
}

/// Entra's multi-tenant issuers carry `{tenantid}`; resolve it with the token's `tid`.
fn resolve_issuer_template(template: &str, tid: Option<&str>) -> String {
    match tid {
        Some(tid) => template.replace("{tenantid}", tid),
        None => template.to_string(),
    }
}

/// The token's issuer against `--issuer` and the metadata's issuer.
fn issuer_mismatch<'c>(
    settings: &Settings,
    trust: &TrustStore,
    claims: &Read<'c>,
) -> Vec<ClaimsDiagnosis<'c>> {
    let iss = claims.iss;
    let outsider = trust
        .federation
        .as_ref()
        .filter(|f| iss.is_none_or(|i| !f.entities.iter().any(|e| e == i)))
        .map(|f| ClaimsDiagnosis::IssuerNotInFederation {
            presented: iss,
            source: f.source.clone(),
            entities: f.entities.clone(),
        });
    [
        settings.issuer.clone().map(|i| (i, "--issuer")),
        trust.metadata_issuer.as_deref().map(|i| {
            (
                resolve_issuer_template(i, claims.tid),
                "the metadata's issuer",
            )
        }),
    ]
    .into_iter()
    .flatten()
    .filter(|(want, _)| iss != Some(want.as_str()))
    .map(
        |(expected, expected_from)| ClaimsDiagnosis::IssuerMismatch {
            why: version_hint(iss.unwrap_or("(no iss claim)"), &expected),
            expected,
            expected_from,
            presented: iss,
        },
    )
    .chain(outsider)
    .collect()
}

/// Explains the common v1/v2 and tenant mix-ups between Entra issuers.
fn version_hint(presented: &str, expected: &str) -> Option<String> {
    let v1 = |s: &str| s.starts_with("https://sts.windows.net/");
    let v2 = |s: &str| {
        s.contains("login.microsoftonline.com/") && s.trim_end_matches('/').ends_with("/v2.0")
    };
    if v1(presented) && v2(expected) {
        Some("a v1 access token checked against v2 metadata (the resource's accessTokenAcceptedVersion is 1 or null)".into())
    } else if v2(presented) && v1(expected) {
        Some("a v2 token checked against v1 metadata".into())
    } else if presented.trim_end_matches('/') == expected.trim_end_matches('/') {
        Some("they differ only by a trailing slash".into())
    } else if tenant_of(presented).is_some()
        && tenant_of(presented) != tenant_of(expected)
        && tenant_of(expected).is_some()
    {
        Some(format!(
            "the token comes from tenant {} and the expected issuer names tenant {}",
            tenant_of(presented)?,
            tenant_of(expected)?
        ))
    } else {
        None
    }
}

fn tenant_of(issuer: &str) -> Option<&str> {
    issuer
        .split('/')
        .find(|seg| seg.len() == 36 && seg.chars().filter(|c| *c == '-').count() == 4)
}

/// The token's audiences against `--audience`.
fn audience_mismatch<'c>(settings: &Settings, claims: &Read<'c>) -> Option<ClaimsDiagnosis<'c>> {
    let expected = settings.audience.clone()?;
    let presented: Vec<String> = match claims.aud {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    (!presented.contains(&expected)).then_some(ClaimsDiagnosis::AudienceMismatch {
        expected,
        presented,
    })
}

/// Short notes on Entra's claims, for people reading the decoded token. At most 32 ([`Read`]
/// marks the ones a token has in a `u32`), and none on a time claim.
const ENTRA_CLAIM_NOTES: &[(&str, &str)] = &[
    (
        "ver",
        "token version: follows the resource's accessTokenAcceptedVersion, not the endpoint called",
    ),
    (
        "tid",
        "tenant id: the directory that issued the token; fills {tenantid} in multi-tenant metadata",
    ),
    (
        "oid",
        "object id of the user or service principal, stable across apps in the tenant",
    ),
    (
        "sub",
        "subject: pairwise per application, so it differs between apps for the same user",
    ),
    (
        "appid",
        "v1: the client id of the app that requested the token",
    ),
    (
        "azp",
        "v2: the client id of the app that requested the token",
    ),
    (
        "appidacr",
        "v1: how the client authenticated (0 public, 1 secret, 2 certificate)",
    ),
    (
        "azpacr",
        "v2: how the client authenticated (0 public, 1 secret, 2 certificate)",
    ),
    (
        "scp",
        "delegated permissions (scopes) granted to the app for the signed-in user",
    ),
    (
        "roles",
        "app roles: application permissions, or user roles assigned in the app",
    ),
    (
        "idtyp",
        "'app' for app-only tokens, 'user' for delegated tokens (optional claim)",
    ),
    (
        "aio",
        "opaque, used by Entra for token reuse; do not rely on it",
    ),
    (
        "uti",
        "token identifier (opaque); Entra's equivalent of a jti",
    ),
    (
        "rh",
        "opaque, used by Entra to revalidate tokens; do not rely on it",
    ),
    ("aud", "audience: the API's client id or app ID URI"),
];

const _: () = assert!(ENTRA_CLAIM_NOTES.len() <= 32);

fn entra_notes(claims: &Read) -> Vec<(&'static str, &'static str)> {
    let iss = claims.iss.unwrap_or("");
    let ver = claims.ver.unwrap_or("");
    let version = if iss.starts_with("https://sts.windows.net/") || ver == "1.0" {
        Some("Entra v1 token (issuer https://sts.windows.net/{tid}/)")
    } else if iss.contains("login.microsoftonline.com") || ver == "2.0" {
        Some("Entra v2 token (issuer https://login.microsoftonline.com/{tid}/v2.0)")
    } else {
        None
    };
    let mut notes: Vec<(&'static str, &'static str)> = version
        .filter(|_| !iss.is_empty())
        .map(|v| ("iss", v))
        .into_iter()
        .collect();
    // In the table's order.
    notes.extend(
        ENTRA_CLAIM_NOTES
            .iter()
            .enumerate()
            .filter(|(i, _)| claims.noted & (1 << i) != 0)
            .map(|(_, note)| *note),
    );
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_entra_note_is_on_a_time_claim() {
        // check_claims inserts the Entra notes after the time notes without looking.
        for (name, _) in ENTRA_CLAIM_NOTES.iter().chain([&("iss", "")]) {
            assert!(!TIME_CLAIMS.contains(name), "{name}");
        }
    }

    #[test]
    fn one_walk_reads_what_lookups_would() {
        let claims = crate::codec::json::parse_members(
            br#"{"aud":["a","b"],"iss":"https://sts.windows.net/t/","exp":1,"nbf":"x","ver":1,
                "tid":"t","rh":"0.A","auth_time":2.5,"oid":"o","custom":true}"#,
        )
        .unwrap_or_default();
        let read = Read::from(&claims);
        for (name, value) in TIME_CLAIMS.into_iter().zip(read.times) {
            assert_eq!(value, claims.get(name), "{name}");
        }
        assert_eq!(read.iss, claims.get("iss").and_then(Value::as_str));
        assert_eq!(read.ver, None, "a ver that is no string reads as none");
        assert_eq!(read.tid, Some("t"));
        assert_eq!(read.aud, claims.get("aud"));
        let noted: Vec<&str> = entra_notes(&read).into_iter().map(|(k, _)| k).collect();
        assert_eq!(noted, ["iss", "ver", "tid", "oid", "rh", "aud"]);
    }
}
