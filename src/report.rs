//! The result of inspecting one input: its kind, findings and decoded content.
//! Presenters render a [`Report`]; nothing here prints.

use std::borrow::Cow;

use serde::Serialize;

use crate::catalogue::{library_messages, FindingCode};
use crate::detect::Kind;

mod evidence;
mod view;
pub use evidence::Evidence;
pub use view::{JwsBody, JwsView, Notes, SignatureSection, View};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
/// How much a finding matters.
pub enum Severity {
    /// Context: nothing is wrong.
    Info,
    /// Works now but will break, or is weak.
    Warning,
    /// The sign-in fails, or the input cannot be trusted.
    Error,
}

impl Severity {
    /// The name used in JSON and on the terminal.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The worst severity among a report's findings (`info` does not count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Verified or fully checked, and nothing wrong.
    Ok,
    /// At worst a warning.
    Warning,
    /// At least one error.
    Error,
}

impl Verdict {
    /// The name used in JSON and on the terminal.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Warning => "warning",
            Verdict::Error => "error",
        }
    }
}

/// Written as `as_str` names them: one spelling for serde and the JSON-lines writer.
macro_rules! serialize_as_str {
    ($($t:ty),*) => {$(
        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    )*};
}
serialize_as_str!(Severity, Verdict);

/// One thing the inspector found, with the evidence behind it.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The stable code (SPEC.md "Finding codes").
    pub code: FindingCode,
    /// How much it matters.
    pub severity: Severity,
    /// What was found, with the values involved.
    pub message: String,
    /// What to do about it: the catalogue's words unless a check wrote its own.
    pub hint: Cow<'static, str>,
    /// The words relying-party stacks print for it (AADSTS…, IDX…, PyJWT…).
    pub seen_as: Vec<String>,
    /// Expected against presented, as data.
    pub evidence: Evidence,
}

impl Finding {
    /// A finding with the catalogue's severity and generic hint for `code`. The hint and
    /// `seen_as` are fitted to the report's kind when the finding joins a [`Report`].
    pub fn new(code: FindingCode, message: impl Into<String>) -> Self {
        let entry = code.entry();
        Finding {
            code,
            severity: entry.severity,
            message: message.into(),
            hint: Cow::Borrowed(entry.hint),
            seen_as: Vec::new(),
            evidence: Evidence::default(),
        }
    }

    /// Fits the finding to the kind of artifact it is about: the catalogue's generic hint
    /// becomes the one for that kind (a hint a check wrote itself is kept), and `seen_as`
    /// lists what relying-party libraries print for this cause on this kind. Lines a check
    /// put first stay first when they are Entra codes or rows of the library-message table
    /// (shown as the table shows them); anything else is dropped, so every line shown is one
    /// a library was confirmed to print. Idempotent.
    pub fn fit_to(&mut self, kind: Kind) {
        let entry = self.code.entry();
        if self.hint == entry.hint {
            self.hint = Cow::Borrowed(entry.hint_for(kind));
        }
        let mut lines: Vec<String> = Vec::new();
        for extra in self.seen_as.drain(..) {
            let line = if is_aadsts_code(&extra) {
                Some(extra)
            } else {
                library_messages::by_line(&extra).map(|m| m.seen_as())
            };
            if let Some(line) = line.filter(|l| !lines.contains(l)) {
                lines.push(line);
            }
        }
        for line in library_messages::seen_as(self.code, kind) {
            if !lines.contains(&line) {
                lines.push(line);
            }
        }
        self.seen_as = lines;
    }

    /// Replaces the evidence.
    pub fn with_evidence(mut self, evidence: impl Into<Evidence>) -> Self {
        self.evidence = evidence.into();
        self
    }

    /// Replaces the hint.
    pub fn with_hint(mut self, hint: impl Into<Cow<'static, str>>) -> Self {
        self.hint = hint.into();
        self
    }

    /// Overrides the catalogue's severity.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Puts extra `seen_as` strings first (e.g. the exact AADSTS code of an error body).
    pub fn with_seen_as_first(mut self, extra: Vec<String>) -> Self {
        let rest: Vec<String> = self
            .seen_as
            .drain(..)
            .filter(|s| !extra.contains(s))
            .collect();
        self.seen_as = extra;
        self.seen_as.extend(rest);
        self
    }
}

/// `AADSTS` followed by digits: an Entra code a check knows from the input itself.
fn is_aadsts_code(line: &str) -> bool {
    line.strip_prefix("AADSTS")
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

/// A report for one input.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The input's label (a path, `stdin`, `argument 1`).
    pub input: String,
    /// What the input was recognised as.
    pub kind: Kind,
    /// The worst severity among the findings.
    pub verdict: Verdict,
    /// Worst first.
    pub findings: Vec<Finding>,
    /// The input decoded: headers, claims, certificates, SAML fields.
    pub decoded: View,
    /// Documents fetched (or replayed from the cache) for this report: URL, time, status, sha256.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fetched: Vec<crate::fetched::Fetched>,
}

impl Report {
    /// A settled report: findings fitted to `kind`, ordered, and the verdict computed.
    pub fn new(
        input: impl Into<String>,
        kind: Kind,
        findings: Vec<Finding>,
        decoded: impl Into<View>,
    ) -> Self {
        let mut report = Report {
            input: input.into(),
            kind,
            verdict: Verdict::Ok,
            findings,
            decoded: decoded.into(),
            fetched: Vec::new(),
        };
        report.settle();
        report
    }

    /// Fits every finding to the report's kind ([`Finding::fit_to`]), orders findings worst
    /// first (stable, so checks keep their order within a severity) and recomputes the verdict.
    pub fn settle(&mut self) {
        for f in &mut self.findings {
            f.fit_to(self.kind);
        }
        self.findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
        self.verdict = match self.findings.iter().map(|f| f.severity).max() {
            Some(Severity::Error) => Verdict::Error,
            Some(Severity::Warning) => Verdict::Warning,
            _ => Verdict::Ok,
        };
    }

    /// At least one error finding: the exit status is 1.
    pub fn has_error(&self) -> bool {
        self.verdict == Verdict::Error
    }
}
