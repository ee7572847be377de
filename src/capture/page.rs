//! A saved page (kind `html-form`): Entra's auto-posting form, whose hidden inputs carry the
//! `SAMLResponse`, `id_token` or `code` to the app, or Entra's sign-in error page (kind
//! `sts-error`, read from its visible text and the `$Config` object behind it).

use serde_json::{json, Map, Value};

use super::artifact::{self, Found};
use super::{container_report, html};
use crate::artifact::sts_error::StsError;
use crate::checks::{sts, Ctx};
use crate::detect::Kind;
use crate::inspect::Settings;
use crate::report::Report;
use crate::trust::TrustStore;

/// What a page holds: its artifacts (each with where it was) and a description of it.
pub(crate) struct PageRead {
    /// Each artifact with where it was and, for a form input, the value it carried.
    pub found: Vec<(String, Found, Option<String>)>,
    pub decoded: Map<String, Value>,
}

/// Reads a page found at `location` (a file, or a capture's response body).
pub(crate) fn read(
    location: &str,
    text: &str,
    trust: &TrustStore,
    settings: &Settings,
) -> PageRead {
    let page = html::read(text);
    let mut found = Vec::new();
    let mut forms = Vec::new();
    for (i, form) in page.forms.iter().enumerate() {
        let mut inputs = Vec::new();
        let mut carries = false;
        for (name, value) in &form.inputs {
            // `page.html#form.SAMLResponse`, or inside a capture `capture.har#3.response.content.form.…`.
            let sep = if location.contains('#') { '.' } else { '#' };
            let at = format!("{location}{sep}form.{name}");
            let what = match artifact::param(&at, name, value, trust, settings) {
                Some(Found::Note(n)) => {
                    carries = true;
                    found.push((at, Found::Note(n.clone()), Some(value.clone())));
                    n
                }
                Some(Found::Report(r)) => {
                    carries = true;
                    let what = r.kind.as_str().to_string();
                    found.push((at, Found::Report(r), Some(value.clone())));
                    what
                }
                None => short(value),
            };
            inputs.push(json!({"name": name, "value": what}));
        }
        if carries {
            let mut f = json!({"action": form.action, "method": form.method, "inputs": inputs});
            if let Some(o) = f.as_object_mut() {
                o.retain(|_, v| !v.is_null());
                if i > 0 {
                    o.insert("form".into(), json!(i + 1));
                }
            }
            forms.push(f);
        }
    }
    let mut decoded = Map::new();
    if let Some(t) = &page.title {
        decoded.insert("title".into(), json!(t));
    }
    if let Some(err) = entra_error(&page) {
        let mut ctx = Ctx::new(settings, trust);
        sts::check_sts_error(&mut ctx, &err);
        let mut d = err.to_json();
        if let Some(o) = d.as_object_mut() {
            o.insert("form".into(), json!("Entra's sign-in error page"));
        }
        found.push((
            location.to_string(),
            Found::Report(Report::new(location, Kind::StsError, ctx.findings, d)),
            None,
        ));
    }
    if !forms.is_empty() {
        decoded.insert("forms".into(), Value::Array(forms));
    }
    PageRead { found, decoded }
}

/// The error an Entra page shows: from its visible text, else from `$Config`.
fn entra_error(page: &html::Page) -> Option<StsError> {
    let config = page.entra_config();
    let exception = config
        .as_ref()
        .and_then(|c| c.get("strServiceExceptionMessage"))
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty());
    let text_has_code = keyprobe_core::aadsts::mentions_a_code(&page.text);
    if !text_has_code && exception.is_none() {
        return None;
    }
    let mut err = StsError::from_text(&page.text);
    if let (Some(m), true) = (exception, err.codes.is_empty()) {
        err.codes = crate::artifact::sts_error::aadsts_codes_in(m);
        err.description = Some(m.to_string());
    }
    if let Some(c) = &config {
        if err.codes.is_empty() {
            if let Some(n) = c.get("iErrorCode").and_then(Value::as_u64) {
                err.codes.push(n.to_string());
            }
        }
        if err.correlation_id.is_none() {
            err.correlation_id = c
                .get("correlationId")
                .and_then(Value::as_str)
                .map(str::to_string);
        }
    }
    Some(err)
}

fn short(value: &str) -> String {
    if value.chars().count() > 60 {
        format!(
            "{}… ({} chars)",
            value.chars().take(40).collect::<String>(),
            value.chars().count()
        )
    } else {
        value.to_string()
    }
}

/// A saved page given as input: an html-form container, Entra's error page as `sts-error`, or
/// `unrecognised`.
pub(crate) fn inspect(
    label: &str,
    text: &str,
    trust: &TrustStore,
    settings: &Settings,
) -> Vec<Report> {
    let read = read(label, text, trust, settings);
    let mut reports: Vec<Report> = Vec::new();
    let mut notes = Vec::new();
    for (at, found, _) in read.found {
        match found {
            Found::Report(r) => reports.push(r),
            Found::Note(n) => notes.push(json!({"at": at, "what": n})),
        }
    }
    // The error page alone is what the user pasted: its report is the answer.
    if read.decoded.get("forms").is_none() {
        if let Some(mut r) = reports.pop() {
            r.input = label.to_string();
            return vec![r];
        }
        let mut ctx = Ctx::new(settings, trust);
        ctx.push(crate::report::Finding::new(
            crate::catalogue::FindingCode::Unrecognised,
            "an HTML page without a sign-in form or an Entra error: nothing was checked",
        ));
        return vec![Report::new(
            label,
            Kind::Unknown,
            ctx.findings,
            Value::Object(read.decoded),
        )];
    }
    let mut decoded = read.decoded;
    if !notes.is_empty() {
        decoded.insert("not_shown".into(), Value::Array(notes));
    }
    let mut out = vec![container_report(
        label,
        Kind::HtmlForm,
        decoded,
        &reports,
        Vec::new(),
    )];
    out.extend(reports);
    out
}
