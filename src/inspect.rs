//! Inspecting one input: detect, decode, check, and gather the findings into a report.

use serde_json::{json, Map, Value};

use crate::artifact::cert::{chain_order, parse_pem_bundle, Certificate};
use crate::artifact::jose::{Jwe, Jws, Payload};
use crate::artifact::jwk::{Jwk, Jwks};
use crate::artifact::sts_error::StsError;
use crate::catalogue::FindingCode;
use crate::checks::{certs, claims, discovery, keyset, signature, sts, Ctx};
use crate::clock::Clock;
use crate::detect::{detect, Detected, Kind};
use crate::input::Input;
use crate::limits::MAX_INPUT_BYTES;
use crate::report::{Finding, Report};
use crate::trust::TrustStore;

/// How checks are made: the clock and the policy flags.
#[derive(Debug, Clone)]
pub struct Settings {
    pub clock: Clock,
    pub expiry_warning_days: i64,
    pub allow_legacy: bool,
    pub issuer: Option<String>,
    pub audience: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            clock: Clock::system(300),
            expiry_warning_days: 30,
            allow_legacy: false,
            issuer: None,
            audience: None,
        }
    }
}

/// Inspects one input against the trusted keys. Never panics; every problem is a finding.
pub fn inspect(input: &Input, trust: &TrustStore, settings: &Settings) -> Report {
    let mut ctx = Ctx::new(settings, trust);
    if input.bytes.len() > MAX_INPUT_BYTES {
        ctx.push(Finding::new(
            FindingCode::Malformed,
            format!(
                "the input is larger than the {MAX_INPUT_BYTES} byte limit; nothing was decoded"
            ),
        ));
        return Report::new(&input.label, Kind::Unknown, ctx.findings, Value::Null);
    }
    let detected = detect(&input.bytes);
    let mut kind = detected.kind();
    let decoded = match detected {
        Detected::Compact {
            kind: Kind::Jwe,
            token,
        } => inspect_jwe(&mut ctx, &token),
        Detected::Compact { token, .. } => inspect_jws(&mut ctx, &token),
        Detected::BadCompact { problem, .. } | Detected::BadJson { problem, .. } => {
            ctx.push(Finding::new(FindingCode::Malformed, problem));
            Value::Null
        }
        Detected::Json {
            kind: k @ (Kind::TokenResponse | Kind::Har | Kind::SamlTracer),
            object,
        } => {
            if let Some(report) = crate::capture::container_only(input, k, &object, trust, settings)
            {
                return report;
            }
            Value::Null
        }
        Detected::Html { text } => {
            let reports = crate::capture::page::inspect(&input.label, &text, trust, settings);
            if let Some(report) = reports.into_iter().next() {
                return report;
            }
            Value::Null
        }
        Detected::Json { kind, object } => inspect_json(&mut ctx, kind, object),
        Detected::Pem {
            kind: Kind::X509,
            text,
        } => {
            let mut decoded = inspect_pem(&mut ctx, &text);
            // A certificate bundled with its private key: the key is flagged too.
            if crate::capture::key::pem_has_key(&text) {
                let keys = crate::capture::key::inspect_pem(&mut ctx, &text);
                if let Some(o) = decoded.as_object_mut() {
                    o.insert("keys".into(), keys);
                }
            }
            decoded
        }
        Detected::Pem {
            kind: Kind::Key,
            text,
        } => crate::capture::key::inspect_pem(&mut ctx, &text),
        Detected::Pem { text, .. } => describe_other_pem(&text),
        Detected::Der { bytes } => match Certificate::from_der(&bytes) {
            Ok(cert) => inspect_chain(&mut ctx, vec![cert]),
            Err(e) => match crate::capture::key::inspect_der(&mut ctx, &bytes) {
                Some(decoded) => {
                    kind = Kind::Key;
                    decoded
                }
                None => {
                    ctx.push(Finding::new(FindingCode::Malformed, e.to_string()));
                    Value::Null
                }
            },
        },
        Detected::ErrorText { text } => {
            let err = StsError::from_text(&text);
            sts::check_sts_error(&mut ctx, &err);
            err.to_json()
        }
        Detected::Xml { text } => {
            let (k, decoded) =
                crate::saml::inspect(&mut ctx, Ok(crate::saml::binding::Decoded::xml(text)));
            kind = k;
            decoded
        }
        Detected::Saml { decoded } => {
            let (k, decoded) = crate::saml::inspect(&mut ctx, decoded);
            kind = k;
            decoded
        }
        Detected::Unknown { tried, note } => {
            let why = note
                .clone()
                .unwrap_or_else(|| "it matches none of the shapes keyprobe reads".into());
            ctx.push(Finding::new(
                FindingCode::Unrecognised,
                format!("nothing was checked: {why}"),
            ));
            json!({ "tried": tried, "note": note })
        }
    };
    Report::new(&input.label, kind, ctx.findings, decoded)
}

fn inspect_jws(ctx: &mut Ctx, token: &str) -> Value {
    let jws = match Jws::decode(token) {
        Ok(j) => j,
        Err(e) => {
            ctx.push(
                Finding::new(FindingCode::Malformed, e.to_string())
                    .with_evidence(json!({"part": e.part, "reason": e.reason})),
            );
            return Value::Null;
        }
    };
    let signature = signature::check_jws(ctx, &jws);
    if let Some(doc) = &ctx.trust.discovery {
        // The metadata the token is checked against must agree with itself and its keys.
        discovery::check_discovery(ctx, doc, ctx.trust.discovery_url.as_deref());
    }
    let mut out = Map::new();
    // The decoded parts move into the report: nothing reads the token after this.
    out.insert("header".into(), Value::Object(jws.header.raw));
    match jws.payload {
        Payload::Claims(c) => {
            let notes = claims::check_claims(ctx, &c);
            out.insert("claims".into(), Value::Object(c));
            out.insert("notes".into(), Value::Object(notes));
        }
        Payload::Other { bytes, why } => {
            out.insert("payload".into(), json!(String::from_utf8_lossy(&bytes)));
            out.insert(
                "payload_note".into(),
                json!(format!("the payload is not a JSON claim set: {why}")),
            );
        }
    }
    out.insert("signature".into(), signature);
    Value::Object(out)
}

fn inspect_jwe(ctx: &mut Ctx, token: &str) -> Value {
    match Jwe::decode(token) {
        Ok(jwe) => {
            let h = &jwe.header;
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
                "header": h.raw,
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

fn inspect_json(ctx: &mut Ctx, kind: Kind, object: Map<String, Value>) -> Value {
    match kind {
        Kind::Jwks => match Jwks::from_object(&object) {
            Ok(set) => {
                keyset::check_jwks(ctx, &set, "the key set");
                json!({ "keys": set.keys.iter().map(Jwk::to_json).collect::<Vec<_>>(), "unreadable": set.rejected.len() })
            }
            Err(e) => {
                ctx.push(Finding::new(FindingCode::Malformed, e.to_string()));
                Value::Null
            }
        },
        Kind::Jwk => match Jwk::from_object(&object) {
            Ok(jwk) => {
                keyset::check_jwk(ctx, &jwk);
                let mut v = jwk.to_json();
                if let Some(o) = v.as_object_mut() {
                    o.insert(
                        "certificates".into(),
                        json!(jwk
                            .x5c
                            .iter()
                            .map(|c| c.to_json(&ctx.settings.clock))
                            .collect::<Vec<_>>()),
                    );
                }
                v
            }
            Err(e) => {
                ctx.push(Finding::new(
                    FindingCode::Malformed,
                    format!("JWK member {e}"),
                ));
                Value::Null
            }
        },
        Kind::OidcDiscovery => {
            discovery::check_discovery(ctx, &object, None);
            summarise_discovery(&object)
        }
        Kind::StsError => {
            let err = StsError::from_json(&object);
            sts::check_sts_error(ctx, &err);
            err.to_json()
        }
        _ => {
            json!({ "note": "JSON, but not a JWK, JWKS, OIDC discovery document or OAuth error body", "members": object.keys().collect::<Vec<_>>() })
        }
    }
}

fn summarise_discovery(doc: &Map<String, Value>) -> Value {
    let pick = |k: &str| doc.get(k).cloned().unwrap_or(Value::Null);
    let mut v = json!({
        "issuer": pick("issuer"),
        "jwks_uri": pick("jwks_uri"),
        "authorization_endpoint": pick("authorization_endpoint"),
        "token_endpoint": pick("token_endpoint"),
        "id_token_signing_alg_values_supported": pick("id_token_signing_alg_values_supported"),
        "tenant_region_scope": pick("tenant_region_scope"),
    });
    if let Some(o) = v.as_object_mut() {
        o.retain(|_, v| !v.is_null());
    }
    v
}

fn inspect_pem(ctx: &mut Ctx, text: &str) -> Value {
    let (certs, errors) = parse_pem_bundle(text);
    for e in errors {
        ctx.push(Finding::new(FindingCode::Malformed, e.to_string()));
    }
    inspect_chain(ctx, certs)
}

fn inspect_chain(ctx: &mut Ctx, chain: Vec<Certificate>) -> Value {
    let many = chain.len() > 1;
    for (i, cert) in chain.iter().enumerate() {
        let role = if many {
            format!("certificate {} of {}", i + 1, chain.len())
        } else {
            "the certificate".to_string()
        };
        certs::check_certificate(ctx, cert, &role);
    }
    let clock = ctx.settings.clock;
    json!({
        "certificates": chain.iter().map(|c| c.to_json(&clock)).collect::<Vec<_>>(),
        "chain": chain_order(&chain),
    })
}

fn describe_other_pem(text: &str) -> Value {
    let label = text
        .lines()
        .next()
        .unwrap_or("")
        .trim_matches('-')
        .trim_start_matches("BEGIN ")
        .to_string();
    json!({
        "pem_block": label,
        "note": "not a certificate; a public key is used as a trusted key with --key, never inspected as input",
    })
}
