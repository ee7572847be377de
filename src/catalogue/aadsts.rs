//! Entra ID's AADSTS codes as `keyprobe explain` shows them. The catalogue itself (Entra's texts and
//! what each code means) is shared with mock-sts in `keyprobe-core`, so that what the mock answers and
//! what keyprobe explains come from one table.

use super::wrap;

pub use keyprobe_core::aadsts::{AadstsEntry, Wording, AADSTS};

/// The explanation of a code written as digits (`50003`, `050003`).
pub fn aadsts(code: &str) -> Option<&'static AadstsEntry> {
    let number: u32 = code.trim_start_matches('0').parse().ok()?;
    keyprobe_core::aadsts::explanation(number)
}

/// The `keyprobe explain` page of one code.
pub fn page(entry: &AadstsEntry) -> String {
    let mut page = format!("AADSTS{} {}\n\n", entry.number, entry.name);
    // Entra's confirmed wordings first; a wording nobody has confirmed says so.
    let mut messages: Vec<_> = entry.messages().map(|code| code.entry()).collect();
    messages.sort_by_key(|m| matches!(m.wording, Wording::Unconfirmed));
    for (i, message) in messages.iter().enumerate() {
        let lead = if i == 0 { "Entra says" } else { "Also worded" };
        let caveat = match message.wording {
            Wording::Unconfirmed => " (wording not confirmed against Entra)",
            _ => "",
        };
        page.push_str(&wrap(
            &format!("{lead}: \"{}\"{caveat}", message.text()),
            88,
            "",
        ));
    }
    page.push_str(&format!("Where it appears: {}\n\n", entry.surface));
    page.push_str(&wrap(entry.meaning, 88, ""));
    if !entry.causes.is_empty() {
        page.push_str("\nUsual causes\n");
        for cause in entry.causes {
            page.push_str(&wrap(&format!("- {cause}"), 88, "  "));
        }
    }
    page.push_str("\nConfirm with keyprobe\n");
    page.push_str(&wrap(entry.confirm, 88, "  "));
    if let Some(s) = entry.scenario {
        page.push_str(&format!(
            "\nReproduce with mock-sts\n  mock-sts --scenario {s}\n"
        ));
    }
    page.push_str("\nFix\n");
    page.push_str(&wrap(entry.fix, 88, "  "));
    page.push_str("\nWhen you ask for help, collect\n");
    page.push_str("  the Correlation ID, Trace ID (Request Id) and Timestamp from the error, the client (app) ID,\n  the tenant ID, and which endpoint (v1/v2, OIDC or SAML) was called.\n");
    page
}
