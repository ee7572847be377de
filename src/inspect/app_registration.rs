//! A Graph `servicePrincipal` or `application`: decoded, checked, and shown as people compare it
//! with the portal (signing certificates with their three parts, client secrets, client
//! certificates), never with a secret value.

use serde_json::{json, Map, Value};

use crate::artifact::app_registration::{
    normalise_thumbprint, AppRegistration, KeyCredential, KeyMaterial, PasswordCredential, Usage,
};
use crate::catalogue::FindingCode;
use crate::checks::app_registration::check_app_registration;
use crate::checks::Ctx;
use crate::clock::{describe, Clock};
use crate::report::Finding;

pub(super) fn inspect_app_registration(ctx: &mut Ctx, object: &Map<String, Value>) -> Value {
    match AppRegistration::from_object(object) {
        Ok(app) => {
            check_app_registration(ctx, &app);
            decoded(&app, &ctx.settings.clock)
        }
        Err(e) => {
            ctx.push(Finding::new(
                FindingCode::Malformed,
                format!("Graph object: {e}"),
            ));
            Value::Null
        }
    }
}

fn when(clock: &Clock, t: Option<i64>) -> Value {
    t.map_or(Value::Null, |t| json!(describe(clock, t)))
}

fn status(clock: &Clock, start: Option<i64>, end: Option<i64>) -> &'static str {
    let now = clock.now();
    match (start, end) {
        (Some(s), _) if now < s => "not yet valid",
        (_, Some(e)) if e <= now => "expired",
        _ => "valid",
    }
}

fn decoded(app: &AppRegistration, clock: &Clock) -> Value {
    let mut out = Map::new();
    out.insert(
        "object".into(),
        json!(format!(
            "{} (recognised by {})",
            app.object.as_str(),
            app.recognised_by
        )),
    );
    for (name, value) in [
        ("appId", &app.app_id),
        ("displayName", &app.display_name),
        ("id", &app.id),
        ("preferredSingleSignOnMode", &app.sso_mode),
    ] {
        if let Some(v) = value {
            out.insert(name.into(), json!(v));
        }
    }
    if let Some(t) = &app.preferred_thumbprint {
        let names = app
            .keys
            .iter()
            .find(|k| k.is_named_by(t) == Some(true))
            .map(|k| k.label());
        out.insert(
            "preferredTokenSigningKeyThumbprint".into(),
            json!(match names {
                Some(label) =>
                    format!("{} (names key credential {label})", normalise_thumbprint(t)),
                None => format!(
                    "{} (names no key credential found here)",
                    normalise_thumbprint(t)
                ),
            }),
        );
    }
    if let Some(end) = app.preferred_end {
        out.insert(
            "preferredTokenSigningKeyEndDateTime".into(),
            json!(describe(clock, end)),
        );
    }
    if let Some(id) = &app.token_encryption_key_id {
        let target = app.keys.iter().find(|k| {
            k.key_id
                .as_deref()
                .is_some_and(|k| k.eq_ignore_ascii_case(id))
        });
        out.insert(
            "tokenEncryptionKeyId".into(),
            json!(match target {
                Some(k) => format!("{id} (names key credential {}, usage {})", k.label(), k.usage.as_str()),
                None => format!("{id} (names no key credential here: Entra cannot encrypt tokens for this app with it)"),
            }),
        );
    }
    let signing: Vec<Value> = app
        .sign_keys()
        .map(|sign| signing_certificate(app, sign, clock))
        .collect();
    if !signing.is_empty() {
        out.insert("signing_certificates".into(), json!(signing));
    }
    let secrets: Vec<Value> = app
        .passwords
        .iter()
        .filter(|p| !app.opens_a_signing_key(p))
        .map(|p| secret(p, clock))
        .collect();
    out.insert("client_secrets".into(), json!(secrets));
    let certificates: Vec<Value> = app
        .keys
        .iter()
        .filter(|k| !app.is_signing_half(k))
        .map(|k| key_credential(k, clock))
        .collect();
    out.insert("other_key_credentials".into(), json!(certificates));
    out.insert(
        "counts".into(),
        json!(format!(
            "{} key credentials, {} password credentials",
            app.keys.len(),
            app.passwords.len()
        )),
    );
    Value::Object(out)
}

fn signing_certificate(app: &AppRegistration, sign: &KeyCredential, clock: &Clock) -> Value {
    let verify = app.verify_twin(sign);
    let password = app.password_of(sign);
    let thumbprint = sign
        .thumbprint
        .as_ref()
        .or_else(|| verify.and_then(|v| v.thumbprint.as_ref()));
    let active = app.preferred_thumbprint.as_deref().is_some_and(|p| {
        sign.is_named_by(p) == Some(true) || verify.is_some_and(|v| v.is_named_by(p) == Some(true))
    });
    let end = sign.end.or_else(|| verify.and_then(|v| v.end));
    let mut v = json!({
        "thumbprint": thumbprint.map(|t| format!("{} (from {})", t.hex, t.from.as_str())),
        "active": active,
        "status": status(clock, sign.start, end),
        "start": when(clock, sign.start),
        "end": when(clock, end),
        "sign_keyId": sign.key_id,
        "verify_keyId": verify.map(|v| v.key_id.clone()).unwrap_or_else(|| Some("missing".into())),
        "password_keyId": password.map(|p| p.key_id.clone()).unwrap_or_else(|| Some("missing".into())),
        "customKeyIdentifier": sign.custom_key_identifier,
        "displayName": sign.display_name,
    });
    if let (Some(cert), Some(o)) = (verify.and_then(|v| v.certificate()), v.as_object_mut()) {
        o.insert("certificate".into(), cert.to_json(clock));
    }
    v
}

fn secret(p: &PasswordCredential, clock: &Clock) -> Value {
    json!({
        "keyId": p.key_id,
        "displayName": p.display_name,
        "hint": p.hint.as_ref().map(|h| format!("{h}…")),
        "status": status(clock, p.start, p.end),
        "start": when(clock, p.start),
        "end": when(clock, p.end),
        "secretText": if p.has_secret_text { json!("present (never shown)") } else { Value::Null },
        "unreadable_dates": p.bad_dates.iter().map(|(m, e)| format!("{m}: {e}")).collect::<Vec<_>>(),
    })
}

fn key_credential(k: &KeyCredential, clock: &Clock) -> Value {
    let end = k.end.or_else(|| k.certificate().map(|c| c.not_after));
    let key = match &k.key {
        KeyMaterial::Absent => {
            json!("not included (Graph returns it only with $select=keyCredentials)")
        }
        KeyMaterial::Certificate(c) => c.to_json(clock),
        KeyMaterial::Private => json!("private key material (never shown)"),
        KeyMaterial::Unreadable(e) => json!(format!("unreadable: {e}")),
    };
    json!({
        "keyId": k.key_id,
        "usage": k.usage.as_str(),
        "role": match k.usage {
            Usage::Verify => "client certificate (private_key_jwt) or encryption key",
            Usage::Sign => "signing key",
            Usage::Other(_) => "other",
        },
        "type": k.key_type,
        "displayName": k.display_name,
        "thumbprint": k.thumbprint.as_ref().map(|t| format!("{} (from {})", t.hex, t.from.as_str())),
        "status": status(clock, k.start, end),
        "start": when(clock, k.start),
        "end": when(clock, end),
        "key": key,
        "unreadable_dates": k.bad_dates.iter().map(|(m, e)| format!("{m}: {e}")).collect::<Vec<_>>(),
    })
}
