//! An app registration's side of a sign-in failure: the SAML signing certificate Entra needs
//! (AADSTS50003 when it has none it can use; AADSTS50146 for an app that needs a signing key of
//! its own) and the credentials the app authenticates with (AADSTS7000222 for an expired secret,
//! AADSTS700027 for an expired certificate).
//!
//! [`judge`] reads the credentials against the clock and returns typed diagnoses; [`finding`] is
//! the one place that words them.

use serde_json::{json, Value};

use super::Ctx;
use crate::artifact::app_registration::{
    normalise_thumbprint, AppRegistration, GraphObject, KeyCredential, KeyMaterial,
    PasswordCredential, Usage,
};
use crate::catalogue::{aadsts, FindingCode};
use crate::clock::{describe, rfc3339, Clock};
use crate::report::{Finding, Severity};
use crate::Settings;
use keyprobe_core::aadsts::Wording;

/// What a signing credential lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Missing {
    /// A Sign credential without the Verify credential of the same `customKeyIdentifier`.
    VerifyTwin,
    /// A Sign credential without the password credential of the same `keyId`.
    Password,
    /// The preferred thumbprint names a Verify credential whose Sign twin is gone.
    SignTwin,
}

/// Which kind of client credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClientCredential {
    Secret,
    Certificate,
}

/// One thing wrong with an app registration.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AppDiagnosis {
    /// A SAML app with no Sign key credential at all.
    NoSigningKey { verify_keys: usize },
    /// Sign credentials exist, but `preferredTokenSigningKeyThumbprint` is empty.
    NoActiveSigningKey { candidates: Vec<String> },
    /// The preferred thumbprint names no key credential.
    Dangling {
        thumbprint: String,
        known: Vec<String>,
    },
    /// Which credential the preferred thumbprint names cannot be told from this JSON.
    Undecided { thumbprint: String },
    /// A signing certificate lacks one of its three parts.
    PairBroken {
        credential: String,
        key_id: Option<String>,
        custom_key_identifier: Option<String>,
        missing: Missing,
        active: bool,
    },
    /// The active signing certificate has expired; `fallback` is a valid one Entra signs with.
    SigningExpired {
        credential: String,
        thumbprint: Option<String>,
        end: i64,
        fallback: Option<(String, i64)>,
    },
    SigningExpiring {
        credential: String,
        thumbprint: Option<String>,
        end: i64,
    },
    ClientExpired {
        kind: ClientCredential,
        credential: String,
        thumbprint: Option<String>,
        end: i64,
        still_valid: usize,
    },
    ClientExpiring {
        kind: ClientCredential,
        credential: String,
        thumbprint: Option<String>,
        end: i64,
    },
    /// A Sign credential carries its PFX, or a password credential its `secretText`.
    SecretInInput {
        credential: String,
        what: &'static str,
    },
}

/// The registration's signing role: a SAML app signs responses, another app may sign tokens with
/// a key of its own (claims mapping).
fn signing_code(app: &AppRegistration) -> &'static str {
    if app.is_saml() || app.preferred_thumbprint.is_none() && app.sign_keys().next().is_none() {
        "50003"
    } else {
        "50146"
    }
}

/// Whether a credential is valid at `now` (an absent date does not limit it).
fn valid_at(start: Option<i64>, end: Option<i64>, now: i64) -> bool {
    start.is_none_or(|s| s <= now) && end.is_none_or(|e| now < e)
}

/// The Sign credential the preferred thumbprint selects, or why there is none.
enum Active<'a> {
    None,
    Sign(&'a KeyCredential),
    /// Named, but through a Verify credential without its Sign twin.
    Orphan(&'a KeyCredential),
    Dangling,
    Undecided,
}

fn active<'a>(app: &'a AppRegistration, thumbprint: &str) -> Active<'a> {
    let mut undecided = false;
    for key in &app.keys {
        match key.is_named_by(thumbprint) {
            Some(true) => {
                return match key.usage {
                    Usage::Sign => Active::Sign(key),
                    _ => match app.sign_twin(key) {
                        Some(sign) => Active::Sign(sign),
                        None => Active::Orphan(key),
                    },
                }
            }
            Some(false) => {}
            None => undecided = true,
        }
    }
    if undecided {
        Active::Undecided
    } else {
        Active::Dangling
    }
}

/// Every diagnosis for one registration, most important first.
pub(crate) fn judge(app: &AppRegistration, settings: &Settings) -> Vec<AppDiagnosis> {
    let now = settings.clock.now();
    let window = settings.expiry_warning_days.saturating_mul(86_400);
    let mut out = Vec::new();
    if app.object == GraphObject::ServicePrincipal {
        judge_signing(app, now, window, &mut out);
    }
    judge_client_credentials(app, now, window, &mut out);
    for key in app.sign_keys() {
        if matches!(key.key, KeyMaterial::Private) {
            out.push(AppDiagnosis::SecretInInput {
                credential: format!("the Sign key credential {}", key.label()),
                what: "its private key (the PFX in 'key')",
            });
        }
    }
    for p in app.passwords.iter().filter(|p| p.has_secret_text) {
        out.push(AppDiagnosis::SecretInInput {
            credential: format!("the password credential {}", p.label()),
            what: "its secret value ('secretText')",
        });
    }
    out
}

fn judge_signing(app: &AppRegistration, now: i64, window: i64, out: &mut Vec<AppDiagnosis>) {
    let signs: Vec<&KeyCredential> = app.sign_keys().collect();
    let active = match app.preferred_thumbprint.as_deref() {
        None => Active::None,
        Some(t) if app.keys.is_empty() => {
            out.push(AppDiagnosis::Dangling {
                thumbprint: normalise_thumbprint(t),
                known: Vec::new(),
            });
            Active::Dangling
        }
        Some(t) => active(app, t),
    };
    if signs.is_empty() && app.is_saml() && !matches!(active, Active::Dangling) {
        let verify_keys = app.keys.iter().filter(|k| k.usage == Usage::Verify).count();
        out.push(AppDiagnosis::NoSigningKey { verify_keys });
    }
    let preferred = app
        .preferred_thumbprint
        .as_deref()
        .map(normalise_thumbprint);
    match (&active, preferred) {
        (Active::None, _) if !signs.is_empty() && app.is_saml() => {
            out.push(AppDiagnosis::NoActiveSigningKey {
                candidates: signs.iter().map(|k| describe_key(k)).collect(),
            });
        }
        (Active::Dangling, Some(thumbprint)) if !app.keys.is_empty() => {
            out.push(AppDiagnosis::Dangling {
                thumbprint,
                known: app
                    .keys
                    .iter()
                    .filter_map(|k| k.thumbprint.as_ref().map(|t| t.hex.clone()))
                    .fold(Vec::new(), |mut v, t| {
                        if !v.contains(&t) {
                            v.push(t);
                        }
                        v
                    }),
            });
        }
        (Active::Undecided, Some(thumbprint)) => out.push(AppDiagnosis::Undecided { thumbprint }),
        (Active::Orphan(verify), _) => out.push(AppDiagnosis::PairBroken {
            credential: verify.label(),
            key_id: verify.key_id.clone(),
            custom_key_identifier: verify.custom_key_identifier.clone(),
            missing: Missing::SignTwin,
            active: true,
        }),
        _ => {}
    }
    let active_sign = match active {
        Active::Sign(k) => Some(k),
        _ => None,
    };
    let is_active = |k: &KeyCredential| active_sign.is_some_and(|a| a.index == k.index);
    for sign in &signs {
        let missing = if app.verify_twin(sign).is_none() {
            Some(Missing::VerifyTwin)
        } else if app.password_of(sign).is_none() {
            Some(Missing::Password)
        } else {
            None
        };
        if let Some(missing) = missing {
            out.push(AppDiagnosis::PairBroken {
                credential: sign.label(),
                key_id: sign.key_id.clone(),
                custom_key_identifier: sign.custom_key_identifier.clone(),
                missing,
                active: is_active(sign) || active_sign.is_none(),
            });
        }
    }
    // Expiry of the certificate Entra signs with.
    let end_of = |k: &KeyCredential| {
        k.end
            .or_else(|| app.verify_twin(k).and_then(|v| v.end))
            .or_else(|| {
                app.verify_twin(k)
                    .and_then(|v| v.certificate().map(|c| c.not_after))
            })
    };
    let thumbprint_of = |k: &KeyCredential| {
        k.thumbprint
            .as_ref()
            .or_else(|| app.verify_twin(k).and_then(|v| v.thumbprint.as_ref()))
            .map(|t| t.hex.clone())
    };
    let Some(current) = active_sign.or(match signs.as_slice() {
        [only] if app.preferred_thumbprint.is_none() => Some(*only),
        _ => None,
    }) else {
        return;
    };
    let Some(end) = end_of(current) else {
        return;
    };
    if end <= now {
        let fallback = signs
            .iter()
            .filter(|k| k.index != current.index)
            .filter_map(|k| end_of(k).map(|e| (k, e)))
            .filter(|(k, e)| valid_at(k.start, Some(*e), now))
            .max_by_key(|(_, e)| *e)
            .map(|(k, e)| (describe_key(k), e));
        out.push(AppDiagnosis::SigningExpired {
            credential: current.label(),
            thumbprint: thumbprint_of(current),
            end,
            fallback,
        });
    } else if end - now <= window {
        out.push(AppDiagnosis::SigningExpiring {
            credential: current.label(),
            thumbprint: thumbprint_of(current),
            end,
        });
    }
}

fn judge_client_credentials(
    app: &AppRegistration,
    now: i64,
    window: i64,
    out: &mut Vec<AppDiagnosis>,
) {
    let secrets: Vec<&PasswordCredential> = app
        .passwords
        .iter()
        .filter(|p| !app.opens_a_signing_key(p))
        .collect();
    let certificates: Vec<&KeyCredential> = app
        .keys
        .iter()
        .filter(|k| k.usage == Usage::Verify && !app.is_signing_half(k))
        .filter(|k| {
            app.token_encryption_key_id
                .as_deref()
                .is_none_or(|id| k.key_id.as_deref() != Some(id))
        })
        .collect();
    let entries: Vec<ClientEntry> = secrets
        .iter()
        .map(|p| ClientEntry {
            kind: ClientCredential::Secret,
            label: p.label(),
            start: p.start,
            end: p.end,
            thumbprint: None,
        })
        .chain(certificates.iter().map(|k| ClientEntry {
            kind: ClientCredential::Certificate,
            label: k.label(),
            start: k.start,
            end: k.end.or_else(|| k.certificate().map(|c| c.not_after)),
            thumbprint: k.thumbprint.as_ref().map(|t| t.hex.clone()),
        }))
        .collect();
    for entry in &entries {
        let Some(end) = entry.end else { continue };
        let still_valid = entries
            .iter()
            .filter(|e| e.kind == entry.kind && valid_at(e.start, e.end, now))
            .count();
        if end <= now {
            out.push(AppDiagnosis::ClientExpired {
                kind: entry.kind,
                credential: entry.label.clone(),
                thumbprint: entry.thumbprint.clone(),
                end,
                still_valid,
            });
        } else if end - now <= window {
            out.push(AppDiagnosis::ClientExpiring {
                kind: entry.kind,
                credential: entry.label.clone(),
                thumbprint: entry.thumbprint.clone(),
                end,
            });
        }
    }
}

/// A client secret or client certificate, as the expiry check sees it.
struct ClientEntry {
    kind: ClientCredential,
    label: String,
    start: Option<i64>,
    end: Option<i64>,
    thumbprint: Option<String>,
}

/// A credential with its thumbprint, for lists of candidates.
fn describe_key(k: &KeyCredential) -> String {
    match &k.thumbprint {
        Some(t) => format!("key credential {} (thumbprint {})", k.label(), t.hex),
        None => format!("key credential {}", k.label()),
    }
}

/// `AADSTS50003 (MissingSigningKey)`, from the AADSTS catalogue.
fn entra(code: &str) -> String {
    match aadsts(code) {
        Some(entry) => format!("AADSTS{code} ({})", entry.name),
        None => format!("AADSTS{code}"),
    }
}

/// Entra's own wording of a code, confirmed wordings first; an unconfirmed one says so.
fn entra_text(code: &str) -> Value {
    let Some(entry) = aadsts(code) else {
        return Value::Null;
    };
    let mut wordings: Vec<_> = entry.messages().map(|m| m.entry()).collect();
    wordings.sort_by_key(|m| matches!(m.wording, Wording::Unconfirmed));
    wordings.first().map_or(Value::Null, |m| {
        let caveat = match m.wording {
            Wording::Unconfirmed => " (wording not confirmed against Entra)",
            _ => "",
        };
        json!(format!("AADSTS{code}: {}{caveat}", m.text()))
    })
}

/// Words one diagnosis as a finding.
pub(crate) fn finding(d: &AppDiagnosis, app: &AppRegistration, clock: &Clock) -> Finding {
    let code = signing_code(app);
    let app_name = app
        .display_name
        .as_deref()
        .or(app.app_id.as_deref())
        .map_or_else(|| "the app".to_string(), |n| format!("'{n}'"));
    let leads_to = |code: &str| vec![format!("AADSTS{code}")];
    let sign_in = if code == "50003" {
        "SAML sign-in ends on the error page with"
    } else {
        "token requests for it end with"
    };
    match d {
        AppDiagnosis::NoSigningKey { verify_keys } => Finding::new(
            FindingCode::NoSigningKeys,
            format!(
                "{app_name} is a SAML app (preferredSingleSignOnMode 'saml') with no Sign key credential{}: Entra has no certificate to sign the SAML response with, so {sign_in} {}",
                if *verify_keys > 0 { format!(" ({verify_keys} Verify credentials, which hold no private key)") } else { String::new() },
                entra(code)
            ),
        )
        .with_hint("Enterprise applications > the app > Single sign-on > SAML Signing Certificate: create a new certificate and make it active (or POST /servicePrincipals/ID/addTokenSigningCertificate, then set preferredTokenSigningKeyThumbprint)")
        .with_evidence(json!({"leads_to": format!("AADSTS{code}"), "entra_says": entra_text(code), "app_id": app.app_id}))
        .with_seen_as_first(leads_to(code)),
        AppDiagnosis::NoActiveSigningKey { candidates } => Finding::new(
            FindingCode::NoSigningKeys,
            format!(
                "{app_name} has {} Sign credential(s) but preferredTokenSigningKeyThumbprint is empty, so none is active: {sign_in} {}",
                candidates.len(),
                entra(code)
            ),
        )
        .with_hint("make one signing certificate active (Single sign-on > SAML Signing Certificate > Make certificate active), or PATCH preferredTokenSigningKeyThumbprint to its thumbprint")
        .with_evidence(json!({"leads_to": format!("AADSTS{code}"), "entra_says": entra_text(code), "candidates": candidates}))
        .with_seen_as_first(leads_to(code)),
        AppDiagnosis::Dangling { thumbprint, known } => Finding::new(
            FindingCode::SigningKeyDangling,
            if known.is_empty() {
                format!("preferredTokenSigningKeyThumbprint {thumbprint} names a certificate {app_name} no longer has (it has no key credentials at all): {sign_in} {}", entra(code))
            } else {
                format!(
                    "preferredTokenSigningKeyThumbprint {thumbprint} names none of the key credentials of {app_name} (their thumbprints: {}): {sign_in} {}",
                    known.join(", "),
                    entra(code)
                )
            },
        )
        .with_evidence(json!({"preferred": thumbprint, "key_credential_thumbprints": known, "leads_to": format!("AADSTS{code}"), "entra_says": entra_text(code)}))
        .with_seen_as_first(leads_to(code)),
        AppDiagnosis::Undecided { thumbprint } => Finding::new(
            FindingCode::SigningKeyDangling,
            format!(
                "cannot tell whether preferredTokenSigningKeyThumbprint {thumbprint} names one of {app_name}'s key credentials: Graph left out their certificates ('key' is null) and their customKeyIdentifier is not a thumbprint; if it names none, {sign_in} {}",
                entra(code)
            ),
        )
        .with_severity(Severity::Warning)
        .with_hint("ask Graph for the certificates: az rest --url 'https://graph.microsoft.com/v1.0/servicePrincipals/ID?$select=keyCredentials,passwordCredentials,preferredTokenSigningKeyThumbprint,preferredSingleSignOnMode,appId,displayName' and inspect that")
        .with_evidence(json!({"preferred": thumbprint, "check": "skipped: no thumbprint could be read from keyCredentials"})),
        AppDiagnosis::PairBroken { credential, key_id, custom_key_identifier, missing, active } => {
            let what = match missing {
                Missing::VerifyTwin => "the Sign key credential {} has no Verify twin (a Verify key credential with the same customKeyIdentifier, holding the public certificate)",
                Missing::Password => "the Sign key credential {} has no password credential with its keyId (the password that opens its private key)",
                Missing::SignTwin => "the Verify key credential {} is the certificate preferredTokenSigningKeyThumbprint names, but its Sign twin (the private key, same customKeyIdentifier) is gone",
            };
            let consequence = if *active {
                format!("Entra cannot sign with it, so {sign_in} {}", entra(code))
            } else {
                "it is not the active certificate, so sign-in does not use it; making it active would end on AADSTS".to_string() + code
            };
            let f = Finding::new(
                FindingCode::SigningKeyPairBroken,
                format!("{}: {consequence}", what.replace("{}", credential)),
            )
            .with_evidence(json!({"key_id": key_id, "custom_key_identifier": custom_key_identifier, "active": active, "leads_to": format!("AADSTS{code}")}))
            .with_seen_as_first(leads_to(code));
            if *active { f } else { f.with_severity(Severity::Warning) }
        }
        AppDiagnosis::SigningExpired { credential, thumbprint, end, fallback } => {
            let when = describe(clock, *end);
            let thumb = thumbprint.as_deref().map(|t| format!(" (thumbprint {t})")).unwrap_or_default();
            if code == "50146" {
                return Finding::new(
                    FindingCode::CertExpired,
                    format!("the signing certificate {credential}{thumb} of {app_name} expired {when}: Entra refuses to sign tokens with an expired application-specific key, so token requests end with {}", entra(code)),
                )
                .with_evidence(json!({"end": rfc3339(*end), "thumbprint": thumbprint, "leads_to": "AADSTS50146", "entra_says": entra_text(code)}))
                .with_seen_as_first(leads_to(code));
            }
            match fallback {
                Some((other, other_end)) => Finding::new(
                    FindingCode::CertExpired,
                    format!(
                        "the active SAML signing certificate {credential}{thumb} expired {when}; Entra signs with the valid {other} (until {}) instead, which service providers that pinned the old certificate reject",
                        rfc3339(*other_end)
                    ),
                )
                .with_severity(Severity::Warning)
                .with_hint("make the valid certificate active, give its certificate (or the app's federation metadata) to the service provider, then remove the expired one")
                .with_evidence(json!({"end": rfc3339(*end), "thumbprint": thumbprint, "signs_instead": other})),
                None => Finding::new(
                    FindingCode::CertExpired,
                    format!(
                        "the SAML signing certificate {credential}{thumb} of {app_name} expired {when} and no valid one remains: Entra keeps signing with it (this is not AADSTS50003), and the service provider rejects the response"
                    ),
                )
                .with_hint("create a new SAML signing certificate, make it active, give it (or the app's federation metadata) to the service provider, then remove the expired one")
                .with_evidence(json!({"end": rfc3339(*end), "thumbprint": thumbprint, "leads_to": "the service provider's certificate check (IDX10249, ruby-saml: IdP x509 certificate expired), not an Entra error"})),
            }
        }
        AppDiagnosis::SigningExpiring { credential, thumbprint, end } => Finding::new(
            FindingCode::CertExpiringSoon,
            format!(
                "the active signing certificate {credential}{} of {app_name} expires {}",
                thumbprint.as_deref().map(|t| format!(" (thumbprint {t})")).unwrap_or_default(),
                describe(clock, *end)
            ),
        )
        .with_hint("create the next signing certificate now, give it to the service provider, and make it active before the old one expires")
        .with_evidence(json!({"end": rfc3339(*end), "thumbprint": thumbprint})),
        AppDiagnosis::ClientExpired { kind, credential, thumbprint, end, still_valid } => {
            let (what, code, says) = match kind {
                ClientCredential::Secret => (
                    "client secret",
                    "7000222",
                    format!("a token request with it gets {}", entra("7000222")),
                ),
                ClientCredential::Certificate => (
                    "client certificate",
                    "700027",
                    "a client assertion signed with it gets AADSTS700027 (\"Client assertion contains an invalid signature. [Reason - The key used is expired. …]\")".to_string(),
                ),
            };
            let thumb = thumbprint.as_deref().map(|t| format!(" (thumbprint {t})")).unwrap_or_default();
            let message = format!(
                "{what} {credential}{thumb} of {app_name} expired {}: {says}{}",
                describe(clock, *end),
                if *still_valid > 0 { format!("; {still_valid} other {what}(s) are still valid, so this matters only where the old one is still deployed") } else { String::new() }
            );
            let f = Finding::new(FindingCode::CredentialExpired, message)
                .with_evidence(json!({"kind": what, "end": rfc3339(*end), "thumbprint": thumbprint, "still_valid": still_valid, "leads_to": format!("AADSTS{code}"), "app_id": app.app_id}))
                .with_seen_as_first(leads_to(code));
            if *still_valid > 0 { f.with_severity(Severity::Warning) } else { f }
        }
        AppDiagnosis::ClientExpiring { kind, credential, thumbprint, end } => {
            let (what, code) = match kind {
                ClientCredential::Secret => ("client secret", "7000222"),
                ClientCredential::Certificate => ("client certificate", "700027"),
            };
            Finding::new(
                FindingCode::CredentialExpiringSoon,
                format!(
                    "{what} {credential}{} of {app_name} expires {}; after that Entra answers with AADSTS{code}",
                    thumbprint.as_deref().map(|t| format!(" (thumbprint {t})")).unwrap_or_default(),
                    describe(clock, *end)
                ),
            )
            .with_evidence(json!({"kind": what, "end": rfc3339(*end), "thumbprint": thumbprint, "leads_to": format!("AADSTS{code}")}))
        }
        AppDiagnosis::SecretInInput { credential, what } => Finding::new(
            FindingCode::PrivateKeyMaterial,
            format!("{credential} carries {what}; it was not read and is not shown, but this JSON must not be shared"),
        )
        .with_evidence(json!({"credential": credential})),
    }
}

/// Checks one registration and writes its findings.
pub(crate) fn check_app_registration(ctx: &mut Ctx, app: &AppRegistration) {
    let clock = ctx.settings.clock;
    for d in judge(app, ctx.settings) {
        let f = finding(&d, app, &clock);
        ctx.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use serde_json::json;

    const NOW: i64 = 1_780_315_200; // 2026-06-01T12:00:00Z

    fn settings() -> Settings {
        Settings {
            clock: Clock::at(NOW, 300),
            ..Settings::default()
        }
    }

    fn app(v: Value) -> AppRegistration {
        AppRegistration::from_object(v.as_object().unwrap()).unwrap()
    }

    /// A portal-made signing certificate: Sign, Verify and password, one customKeyIdentifier.
    fn signing(thumb_b64: &str, sign: &str, verify: &str, end: &str) -> (Value, Value, Value) {
        (
            json!({"customKeyIdentifier": thumb_b64, "keyId": sign, "usage": "Sign", "type": "X509CertAndPassword", "endDateTime": end, "key": null}),
            json!({"customKeyIdentifier": thumb_b64, "keyId": verify, "usage": "Verify", "type": "AsymmetricX509Cert", "endDateTime": end, "key": null}),
            json!({"customKeyIdentifier": thumb_b64, "keyId": sign, "endDateTime": end, "secretText": null}),
        )
    }

    // base64 of the bytes 00 01 … 13, i.e. thumbprint 000102…13.
    const T1: &str = "AAECAwQFBgcICQoLDA0ODxAREhM=";
    const T1_HEX: &str = "000102030405060708090A0B0C0D0E0F10111213";

    #[test]
    fn saml_without_sign_key_dangling_and_broken_pairs() {
        let none = app(
            json!({"servicePrincipalType": "Application", "preferredSingleSignOnMode": "saml", "keyCredentials": [], "passwordCredentials": []}),
        );
        assert_eq!(
            judge(&none, &settings()),
            [AppDiagnosis::NoSigningKey { verify_keys: 0 }]
        );

        let dangling = app(
            json!({"servicePrincipalType": "Application", "preferredSingleSignOnMode": "saml",
            "preferredTokenSigningKeyThumbprint": "AB", "keyCredentials": [], "passwordCredentials": []}),
        );
        assert!(matches!(
            judge(&dangling, &settings())[..],
            [AppDiagnosis::Dangling { .. }]
        ));

        let (s, v, p) = signing(T1, "s1", "v1", "2028-01-01T00:00:00Z");
        let healthy = app(
            json!({"servicePrincipalType": "Application", "preferredSingleSignOnMode": "saml",
            "preferredTokenSigningKeyThumbprint": T1_HEX.to_lowercase(), "keyCredentials": [s, v], "passwordCredentials": [p]}),
        );
        assert_eq!(judge(&healthy, &settings()), []);

        let other = app(
            json!({"servicePrincipalType": "Application", "preferredSingleSignOnMode": "saml",
            "preferredTokenSigningKeyThumbprint": "FF", "keyCredentials": healthy_keys(), "passwordCredentials": []}),
        );
        let d = judge(&other, &settings());
        assert!(
            matches!(&d[0], AppDiagnosis::Dangling { known, .. } if known == &[T1_HEX.to_string()]),
            "{d:?}"
        );

        let (s, _, p) = signing(T1, "s1", "v1", "2028-01-01T00:00:00Z");
        let half = app(
            json!({"servicePrincipalType": "Application", "preferredSingleSignOnMode": "saml",
            "preferredTokenSigningKeyThumbprint": T1_HEX, "keyCredentials": [s], "passwordCredentials": [p]}),
        );
        assert!(matches!(
            judge(&half, &settings())[..],
            [AppDiagnosis::PairBroken {
                missing: Missing::VerifyTwin,
                active: true,
                ..
            }]
        ));
    }

    fn healthy_keys() -> Value {
        let (s, v, _) = signing(T1, "s1", "v1", "2028-01-01T00:00:00Z");
        json!([s, v])
    }

    #[test]
    fn expiry_follows_the_clock_and_names_what_entra_does() {
        let (s, v, p) = signing(T1, "s1", "v1", "2026-05-01T00:00:00Z");
        let expired = app(
            json!({"servicePrincipalType": "Application", "preferredSingleSignOnMode": "saml",
            "preferredTokenSigningKeyThumbprint": T1_HEX, "keyCredentials": [s, v], "passwordCredentials": [p]}),
        );
        let d = judge(&expired, &settings());
        assert!(
            matches!(
                &d[..],
                [AppDiagnosis::SigningExpired { fallback: None, .. }]
            ),
            "{d:?}"
        );
        let f = finding(&d[0], &expired, &settings().clock);
        assert_eq!(f.severity, Severity::Error);
        assert!(f.message.contains("not AADSTS50003"), "{}", f.message);

        let earlier = Settings {
            clock: Clock::at(NOW - 40 * 86_400, 300),
            ..settings()
        };
        assert!(matches!(
            judge(&expired, &earlier)[..],
            [AppDiagnosis::SigningExpiring { .. }]
        ));

        let application = app(json!({"signInAudience": "AzureADMyOrg", "appId": "c",
            "keyCredentials": [{"keyId": "c1", "usage": "Verify", "type": "AsymmetricX509Cert", "endDateTime": "2026-01-01T00:00:00Z", "customKeyIdentifier": T1}],
            "passwordCredentials": [{"keyId": "p1", "displayName": "old", "endDateTime": "2026-05-01T00:00:00Z", "hint": "abc"},
                                    {"keyId": "p2", "displayName": "new", "endDateTime": "2027-05-01T00:00:00Z", "hint": "xyz"}]}));
        let d = judge(&application, &settings());
        let findings: Vec<Finding> = d
            .iter()
            .map(|d| finding(d, &application, &settings().clock))
            .collect();
        let secret = findings
            .iter()
            .find(|f| f.message.contains("client secret"))
            .unwrap();
        assert_eq!(
            secret.severity,
            Severity::Warning,
            "another secret is valid"
        );
        assert!(secret.message.contains("AADSTS7000222"));
        let cert = findings
            .iter()
            .find(|f| f.message.contains("client certificate"))
            .unwrap();
        assert_eq!(cert.severity, Severity::Error);
        assert!(cert.message.contains("AADSTS700027") && cert.message.contains(T1_HEX));
    }
}
