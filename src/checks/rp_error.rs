//! A relying party's error, judged: the finding that diagnoses the cause the library reported
//! (its first in the message table), worded with what the line names, and the keyprobe command
//! that confirms it on the artifact itself.

use serde_json::{json, Map, Value};

use super::Ctx;
use crate::artifact::rp_error::RpError;
use crate::catalogue::library_messages::Family;
use crate::catalogue::FindingCode;
use crate::clock::rfc3339;
use crate::detect::Kind;
use crate::report::{Finding, Severity};

/// The kind of report the library validated, for hints and `seen_as` fitted to it.
pub(crate) fn kind_of(family: Family) -> Kind {
    match family {
        Family::Token => Kind::Jwt,
        Family::Saml => Kind::SamlResponse,
        Family::SamlMetadata => Kind::SamlMetadata,
        Family::KeySet => Kind::Jwks,
        Family::Certificate => Kind::X509,
        Family::AppRegistration => Kind::AppRegistration,
    }
}

/// A value quoted for a POSIX shell.
fn shell(value: &str) -> String {
    if !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@+%,".contains(&b))
    {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

/// What to run to see the same failure on the artifact: the command first, then notes on what
/// its placeholders stand for.
pub(crate) fn confirm(err: &RpError, code: FindingCode) -> Vec<String> {
    let saml = matches!(err.family, Family::Saml | Family::SamlMetadata);
    let artifact = if saml { "SAMLResponse" } else { "TOKEN" };
    let keys = if saml {
        "--metadata METADATA (the IdP's federation metadata: file or URL, e.g. https://login.microsoftonline.com/TENANT/federationmetadata/2007-06/federationmetadata.xml?appid=APP_ID)".to_string()
    } else {
        "--jwks JWKS_URL (the key set the relying party uses; for Entra: --tenant TENANT, or --metadata https://login.microsoftonline.com/TENANT/v2.0/.well-known/openid-configuration)".to_string()
    };
    let at = |name: &str| {
        err.time(name)
            .map(rfc3339)
            .unwrap_or_else(|| "TIME".to_string())
    };
    let mut out = Vec::new();
    use FindingCode as F;
    match code {
        F::KeyNotFound
        | F::SignatureInvalid
        | F::NoSigningKeys
        | F::UntrustedEmbeddedKey
        | F::AlgKeyMismatch
        | F::KeyUseMismatch
        | F::AlgNone
        | F::SamlUnsigned
        | F::SamlSignatureWrapping
        | F::ThumbprintMismatch
        | F::WeakKey
        | F::DuplicateKid
        | F::PrivateKeyPublished => {
            out.push(format!("keyprobe inspect {artifact} {keys}"));
            if let Some(kid) = err.value("kid") {
                out.push(format!(
                    "the {artifact} to use is the one whose header has kid {}; keyprobe lists the kids the key set has",
                    shell(kid)
                ));
            }
        }
        F::TokenExpired | F::TokenNotYetValid => {
            let now = at("now");
            out.push(format!("keyprobe inspect {artifact} --at {now}"));
            if now == "TIME" {
                out.push("TIME: the moment the relying party checked (RFC 3339 or Unix seconds); its log line's timestamp will do".into());
            }
        }
        F::CertExpired | F::CertNotYetValid | F::CertExpiringSoon => {
            let now = at("now");
            out.push(format!("keyprobe inspect {artifact} {keys} --at {now}"));
        }
        F::IssuerMismatch => {
            let expected = err
                .value("expected_issuer")
                .map_or_else(|| "EXPECTED_ISSUER".to_string(), shell);
            out.push(format!("keyprobe inspect {artifact} --issuer {expected}"));
        }
        F::AudienceMismatch => {
            let expected = err
                .value("expected_audience")
                .map_or_else(|| "EXPECTED_AUDIENCE".to_string(), shell);
            out.push(format!("keyprobe inspect {artifact} --audience {expected}"));
        }
        F::MetadataInconsistent => {
            out.push("keyprobe inspect METADATA_URL (the metadata or discovery document the relying party is configured with)".into());
        }
        F::XmlDtdForbidden | F::SamlStatusError | F::Malformed => {
            out.push(format!("keyprobe inspect {artifact}"));
        }
        _ => out.push(format!("keyprobe inspect {artifact} {keys}")),
    }
    if !err.hidden().is_empty() {
        out.push(format!(
            "IdentityModel hid {} (ShowPII is off): set IdentityModelEventSource.ShowPII = true in a test environment to see it",
            err.hidden().join(", ")
        ));
    }
    out
}

/// The finding that says what the library reported, in the words of what it names.
pub(crate) fn finding(err: &RpError) -> Finding {
    let m = err.message;
    let code = m
        .findings
        .first()
        .copied()
        .unwrap_or(FindingCode::Unrecognised);
    let who = match m.code {
        Some(c) if !m.library.is_empty() => format!("{} ({c})", m.library),
        _ => m.library.to_string(),
    };
    let v = |name: &str| err.value(name).map(str::to_string);
    let q = |name: &str| v(name).map(|x| format!(" '{x}'")).unwrap_or_default();
    let time = |name: &str| err.time(name).map(rfc3339).or_else(|| v(name));
    let at = |name: &str, words: &str| {
        time(name)
            .map(|t| format!("{words}{t}"))
            .unwrap_or_default()
    };
    let clock_note = at("now", " (its clock: ") + if time("now").is_some() { ")" } else { "" };
    use FindingCode as F;
    let noun = match err.family {
        Family::Saml => "the SAML response",
        Family::SamlMetadata => "the metadata",
        Family::KeySet => "the key set",
        Family::Certificate => "the certificate",
        Family::AppRegistration => "the app's credential",
        Family::Token => "the token",
    };
    let kid = v("kid")
        .map(|k| format!(" (kid '{k}')"))
        .unwrap_or_default();
    let what = match code {
        // Libraries that verify with the one key they were configured with cannot tell a missing
        // key from a bad signature, and say so with one message.
        F::KeyNotFound if m.findings.contains(&F::SignatureInvalid) => format!(
            "could not verify the signature of {noun}{kid}: it is signed with a key it was not given, or the signature does not verify with the key it has"
        ),
        F::KeyNotFound => format!(
            "found no key it was given that matches the key {noun} is signed with{kid}{}",
            v("thumbprint").map(|t| format!(" (thumbprint {t})")).unwrap_or_default()
        ),
        F::SignatureInvalid => format!(
            "found the key{kid} but the signature of {noun} did not verify with it"
        ),
        F::NoSigningKeys => "had no signing key at all to verify with".to_string(),
        F::AlgNone => format!("refused {noun}: it has no signature, or an algorithm it does not allow"),
        F::Malformed => "could not parse what it was given".to_string(),
        F::TokenExpired => format!(
            "says {noun} expired{}{clock_note}",
            at("expires", " at ")
        ),
        F::TokenNotYetValid => format!(
            "says {noun} is not valid yet{}{clock_note}",
            at("not_before", ": valid from ")
        ),
        F::CertExpired => format!(
            "says the signing certificate expired{}",
            at("expires", " at ")
        ),
        F::IssuerMismatch => format!(
            "rejected the issuer{}{}",
            q("issuer"),
            v("expected_issuer").map(|e| format!(" (it expected '{e}')")).unwrap_or_default()
        ),
        F::AudienceMismatch => format!(
            "rejected the audience{}{}",
            q("audience"),
            v("expected_audience").map(|e| format!(" (it expected '{e}')")).unwrap_or_default()
        ),
        other => other.entry().title.to_string(),
    };
    let kind = kind_of(err.family);
    let entry = code.entry();
    let mut evidence = Map::new();
    evidence.insert("library".into(), json!(m.library));
    evidence.insert("versions".into(), json!(m.versions));
    if let Some(c) = m.code {
        evidence.insert("code".into(), json!(c));
    }
    for (name, _) in &err.reading.values {
        evidence.insert((*name).into(), json!(err.value(name)));
    }
    // The line as the table shows it, and the other readings of the same words; what other
    // libraries print for the cause is `keyprobe explain`'s.
    let mut seen_as = vec![m.seen_as()];
    seen_as.extend(err.also.iter().map(|a| a.seen_as()));
    Finding::new(code, format!("{who} {what}"))
        .with_severity(Severity::Error)
        .with_hint(entry.hint_for(kind))
        .with_evidence(Value::Object(evidence))
        .with_seen_as_first(seen_as)
}

/// Writes the finding for one library error.
pub(crate) fn check_rp_error(ctx: &mut Ctx, err: &RpError) {
    ctx.push(finding(err));
}
