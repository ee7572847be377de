//! Entra ID's AADSTS codes for `keyprobe explain` (catalogue/explain.rs lays out their pages). The
//! catalogue itself (Entra's texts and what each code means) is shared with mock-sts in
//! `keyprobe-core`, so that what the mock answers and what keyprobe explains come from one table.

pub(crate) use keyprobe_core::aadsts::{AadstsEntry, Wording, AADSTS};

/// The explanation of a code written as digits (`50003`, `050003`).
pub(crate) fn aadsts(code: &str) -> Option<&'static AadstsEntry> {
    let number: u32 = code.trim_start_matches('0').parse().ok()?;
    keyprobe_core::aadsts::explanation(number)
}
