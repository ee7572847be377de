//! The JOSE header's own rules: an `alg` keyprobe can check, and a `crit` a consumer can honour.

use super::diagnosis::{CritProblem, JwsDiagnosis};
use crate::artifact::jose::{JoseHeader, Jws};
use crate::crypto::alg::is_none_alg;
use crate::crypto::Alg;

/// What the header's `alg` allows: a known signature algorithm, or a reason to stop.
pub(super) enum AlgJudgement<'a> {
    Known(&'a str, Alg),
    /// No `alg` at all: nothing more is judged.
    Missing,
    /// `none`, or an algorithm keyprobe does not know: only the embedded keys are judged.
    Unusable(JwsDiagnosis<'a>),
}

pub(super) fn judge_alg(jws: &Jws) -> AlgJudgement<'_> {
    let Some(name) = jws.header.alg.as_deref() else {
        return AlgJudgement::Missing;
    };
    if is_none_alg(name) {
        return AlgJudgement::Unusable(JwsDiagnosis::AlgNone {
            alg: name,
            signature_bytes: jws.signature.len(),
        });
    }
    match Alg::parse(name) {
        Some(alg) => AlgJudgement::Known(name, alg),
        None => AlgJudgement::Unusable(JwsDiagnosis::UnknownAlg { alg: name }),
    }
}

/// RFC 7515 §4.1.11: a consumer must reject a token whose `crit` lists what it does not understand.
pub(super) fn judge_crit(header: &JoseHeader) -> Vec<JwsDiagnosis<'_>> {
    let Some(crit) = &header.crit else {
        return Vec::new();
    };
    if crit.is_empty() {
        return vec![JwsDiagnosis::Crit(CritProblem::Empty)];
    }
    crit.iter()
        .filter_map(|name| {
            if !header.raw.contains_key(name) {
                Some(CritProblem::NotInHeader(name))
            } else if name != "b64" {
                Some(CritProblem::NotUnderstood(name))
            } else {
                None
            }
        })
        .map(JwsDiagnosis::Crit)
        .collect()
}
