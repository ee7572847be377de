//! Checks: each family looks at decoded artifacts and says what is wrong with them.
//!
//! A family's judges are small functions that return typed diagnoses (enums carrying the
//! evidence: what was expected, what was found); one place per family (`finding`) turns a
//! diagnosis into a finding (message, evidence JSON, hint). They never print and never decide
//! exit codes.

pub(crate) mod app_registration;
pub(crate) mod certs;
pub(crate) mod claims;
pub(crate) mod discovery;
pub(crate) mod jwe;
pub(crate) mod jws;
pub(crate) mod key;
pub mod keyset;
pub(crate) mod rp_error;
pub(crate) mod saml;
pub(crate) mod sts;

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

    /// Records a finding. A `weak-key` finding is an error, or a warning under `--allow-legacy`.
    pub fn push(&mut self, finding: Finding) {
        let finding = if finding.code == FindingCode::WeakKey && self.settings.allow_legacy {
            finding.with_severity(Severity::Warning)
        } else {
            finding
        };
        self.findings.push(finding);
    }

    pub fn has(&self, code: FindingCode) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }

    /// Runs `judge` with the keys that count for what `issuer` issued: with aggregate metadata
    /// as a key source, only those of the entity the issuer names ([`TrustStore::for_issuer`]);
    /// otherwise every trusted key. Findings land in this context either way.
    pub(crate) fn with_issuer_trust<R>(
        &mut self,
        issuer: Option<&str>,
        judge: impl for<'c> FnOnce(&mut Ctx<'c>) -> R,
    ) -> R {
        let Some(trust) = self.trust.for_issuer(issuer) else {
            return judge(self);
        };
        let mut scoped = Ctx::new(self.settings, &trust);
        scoped.findings = std::mem::take(&mut self.findings);
        let out = judge(&mut scoped);
        self.findings = scoped.findings;
        out
    }
}
