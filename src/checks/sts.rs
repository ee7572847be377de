//! STS errors: decode the AADSTS codes and explain them from the catalogue.

use serde_json::json;

use super::Ctx;
use crate::artifact::sts_error::StsError;
use crate::catalogue::{aadsts, FindingCode};
use crate::report::Finding;

pub(crate) fn check_sts_error(ctx: &mut Ctx, err: &StsError) {
    let primary = err.codes.first();
    let entry = primary.and_then(|c| aadsts(c));
    let message = match (primary, entry) {
        (Some(code), Some(e)) => format!(
            "Entra answered AADSTS{code} ({}): {}",
            e.name,
            e.meaning.split(". ").next().unwrap_or(e.meaning)
        ),
        (Some(code), None) => format!(
            "Entra answered AADSTS{code}{}: keyprobe has no page for this code",
            err.error
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        ),
        (None, _) => format!(
            "the STS answered error '{}' without an AADSTS code",
            err.error.as_deref().unwrap_or("unknown")
        ),
    };
    let mut finding = Finding::new(FindingCode::StsError, message).with_evidence(json!({
        "aadsts": err.codes,
        "error": err.error,
        "trace_id": err.trace_id,
        "correlation_id": err.correlation_id,
        "timestamp": err.timestamp,
        "explain": primary.map(|c| format!("keyprobe explain AADSTS{c}")),
    }));
    if let Some(e) = entry {
        finding = finding.with_hint(e.fix);
    }
    let seen: Vec<String> = err.codes.iter().map(|c| format!("AADSTS{c}")).collect();
    ctx.push(finding.with_seen_as_first(seen));
}
