//! The result of inspecting one input: its kind, findings and decoded content.
//! Presenters render a [`Report`]; nothing here prints.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::catalogue::FindingCode;
use crate::detect::Kind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// The worst severity among a report's findings (`info` does not count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Ok,
    Warning,
    Error,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Warning => "warning",
            Verdict::Error => "error",
        }
    }
}

/// One thing the inspector found, with the evidence behind it.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub code: FindingCode,
    pub severity: Severity,
    pub message: String,
    pub hint: String,
    pub seen_as: Vec<String>,
    pub evidence: Value,
}

impl Finding {
    /// A finding with the catalogue's severity, hint and `seen_as` for `code`.
    pub fn new(code: FindingCode, message: impl Into<String>) -> Self {
        let entry = code.entry();
        Finding {
            code,
            severity: entry.severity,
            message: message.into(),
            hint: entry.hint.to_string(),
            seen_as: entry.seen_as.iter().map(|s| s.to_string()).collect(),
            evidence: Value::Object(Map::new()),
        }
    }

    pub fn with_evidence(mut self, evidence: Value) -> Self {
        self.evidence = evidence;
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }

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

/// A report for one input.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub input: String,
    pub kind: Kind,
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
    pub decoded: Value,
    /// Documents fetched (or replayed from the cache) for this report: URL, time, status, sha256.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fetched: Vec<crate::fetch::Fetched>,
}

impl Report {
    pub fn new(
        input: impl Into<String>,
        kind: Kind,
        findings: Vec<Finding>,
        decoded: Value,
    ) -> Self {
        let mut report = Report {
            input: input.into(),
            kind,
            verdict: Verdict::Ok,
            findings,
            decoded,
            fetched: Vec::new(),
        };
        report.settle();
        report
    }

    /// Orders findings worst first (stable, so checks keep their order within a severity)
    /// and recomputes the verdict.
    pub fn settle(&mut self) {
        self.findings.sort_by(|a, b| b.severity.cmp(&a.severity));
        self.verdict = match self.findings.iter().map(|f| f.severity).max() {
            Some(Severity::Error) => Verdict::Error,
            Some(Severity::Warning) => Verdict::Warning,
            _ => Verdict::Ok,
        };
    }

    pub fn has_error(&self) -> bool {
        self.verdict == Verdict::Error
    }
}
