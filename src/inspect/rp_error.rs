//! A relying party's error text: which library printed it and in which versions, what it names,
//! the finding it stands for with its explanation, and the keyprobe command that confirms it.

use serde_json::{json, Map, Value};

use crate::artifact::rp_error::RpError;
use crate::catalogue::FindingCode;
use crate::checks::rp_error::{check_rp_error, confirm};
use crate::checks::Ctx;
use crate::clock::rfc3339;
use crate::report::Finding;

/// How a value IdentityModel hid is shown.
const HIDDEN: &str = "hidden by IdentityModel (ShowPII is off)";

pub(super) fn inspect_rp_error(ctx: &mut Ctx, text: &str) -> Value {
    let Some(err) = RpError::recognise(text) else {
        // Detection recognised it; a second reading of the same text cannot differ.
        ctx.push(Finding::new(
            FindingCode::Unrecognised,
            "nothing was checked: the text reads as no library message keyprobe knows",
        ));
        return Value::Null;
    };
    check_rp_error(ctx, &err);
    let m = err.message;
    let code = m
        .findings
        .first()
        .copied()
        .unwrap_or(FindingCode::Unrecognised);
    let mut out = Map::new();
    out.insert(
        "library".into(),
        json!(format!("{} {}", m.library, m.versions)),
    );
    if let Some(c) = m.code {
        out.insert("code".into(), json!(c));
    }
    if let Some(t) = m.error_type {
        out.insert("error_type".into(), json!(t));
    }
    out.insert("message".into(), json!(m.seen_as()));
    if !m.when.is_empty() {
        out.insert("printed_when".into(), json!(m.when));
    }
    out.insert("confirmed_in".into(), json!(m.source.to_string()));
    out.insert("printed_for".into(), json!(err.family.kinds()));
    let mut named = Map::new();
    for (name, _) in &err.reading.values {
        let shown = match (err.value(name), err.time(name)) {
            (None, _) => HIDDEN.to_string(),
            (Some(v), Some(t)) if rfc3339(t) != v => format!("{v} ({})", rfc3339(t)),
            (Some(v), _) => v.to_string(),
        };
        named.insert((*name).into(), json!(shown));
    }
    if !named.is_empty() {
        out.insert("names".into(), Value::Object(named));
    }
    if !err.also.is_empty() {
        out.insert(
            "also_reads_as".into(),
            json!(err
                .also
                .iter()
                .map(|a| format!("{} {}: {}", a.library, a.versions, a.seen_as()))
                .collect::<Vec<_>>()),
        );
    }
    let entry = code.entry();
    out.insert(
        "diagnosis".into(),
        json!(format!("{}: {}", code.as_str(), entry.title)),
    );
    out.insert("explanation".into(), json!(entry.meaning));
    let others: Vec<String> = m
        .findings
        .iter()
        .skip(1)
        .map(|c| format!("{}: {}", c.as_str(), c.entry().title))
        .collect();
    if !others.is_empty() {
        out.insert("or_else".into(), json!(others));
    }
    let mut steps = confirm(&err, code).into_iter();
    if let Some(command) = steps.next() {
        out.insert("confirm_with".into(), json!(command));
    }
    let notes: Vec<String> = steps.collect();
    if !notes.is_empty() {
        out.insert("and".into(), json!(notes));
    }
    out.insert(
        "explain".into(),
        json!(format!(
            "keyprobe explain {}",
            m.code.unwrap_or(code.as_str())
        )),
    );
    Value::Object(out)
}
