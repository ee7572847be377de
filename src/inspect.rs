//! Inspecting one input: detect, decode, check, and gather the findings into a report.
//!
//! This is the orchestration layer: one file per family under `inspect/` decodes with
//! `artifact`/`saml`, runs the judges in `checks`, and builds the report's `decoded` view.
//! Parsers never call checks; checks never parse.

mod app_registration;
mod certs;
mod jose;
mod json;
mod rp_error;
mod saml;
mod saml_decoded;

use serde_json::{json, Value};

use crate::artifact::cert::Certificate;
use crate::artifact::sts_error::StsError;
use crate::catalogue::FindingCode;
use crate::checks::{sts, Ctx};
use crate::clock::Clock;
use crate::detect::{detect, Detected, Kind};
use crate::input::Input;
use crate::limits::MAX_INPUT_BYTES;
use crate::report::{Finding, Report};
use crate::trust::TrustStore;
use certs::{describe_other_pem, inspect_chain, inspect_pem};
use jose::{inspect_damaged, inspect_jwe, inspect_jws, inspect_jws_json};
use json::inspect_json;

/// How checks are made: the clock and the policy flags.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The one clock every time check uses.
    pub clock: Clock,
    /// Certificates expiring within this many days get a warning.
    pub expiry_warning_days: i64,
    /// Accept SHA-1 and short RSA keys as warnings rather than errors.
    pub allow_legacy: bool,
    /// The issuer the relying party expects, when given.
    pub issuer: Option<String>,
    /// The audience the relying party expects, when given.
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
            ..
        } => inspect_jwe(&mut ctx, &token),
        Detected::Compact { token, header, .. } => {
            // A compact JWS has a typed view of its own (the batch's common case).
            let view = inspect_jws(&mut ctx, &token, header);
            return Report::new(&input.label, kind, ctx.findings, view);
        }
        Detected::Damaged { token, .. } => inspect_damaged(&mut ctx, token),
        Detected::BadCompact { problem, .. } => {
            ctx.push(Finding::new(FindingCode::Malformed, problem));
            Value::Null
        }
        Detected::BadJson { problem, .. } => {
            ctx.push(Finding::new(FindingCode::Malformed, problem.to_string()));
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
        Detected::Json {
            kind: Kind::JwsJson,
            object,
        } => inspect_jws_json(&mut ctx, &object),
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
        Detected::LibraryError { text } => rp_error::inspect_rp_error(&mut ctx, &text),
        Detected::Xml { text } => {
            let (k, decoded) =
                saml::inspect(&mut ctx, Ok(crate::saml::binding::Decoded::xml(text)));
            kind = k;
            decoded
        }
        Detected::Saml { decoded } => {
            let (k, decoded) = saml::inspect(&mut ctx, decoded);
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
