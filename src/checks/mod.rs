//! Checks: each family looks at decoded artifacts and writes findings to a sink.
//! They never print and never decide exit codes.

pub mod certs;
pub mod claims;
pub mod discovery;
pub mod key;
pub mod keyset;
pub mod saml;
pub mod signature;
pub mod sts;

use crate::catalogue::FindingCode;
use crate::report::{Finding, Severity};
use crate::trust::TrustStore;
use crate::Settings;

/// What every check reads, and where it writes.
pub struct Ctx<'a> {
    pub settings: &'a Settings,
    pub trust: &'a TrustStore,
    pub findings: Vec<Finding>,
}

impl<'a> Ctx<'a> {
    pub fn new(settings: &'a Settings, trust: &'a TrustStore) -> Self {
        Ctx {
            settings,
            trust,
            findings: Vec::new(),
        }
    }

    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    /// A `weak-key` finding: an error, or a warning under `--allow-legacy`.
    pub fn weak(&mut self, finding: Finding) {
        let severity = if self.settings.allow_legacy {
            Severity::Warning
        } else {
            Severity::Error
        };
        self.findings.push(finding.with_severity(severity));
    }

    pub fn has(&self, code: FindingCode) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }
}
