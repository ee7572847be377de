//! A JWE (compact, five segments): keyprobe holds no decryption key, so what the token carries
//! and any signature inside it are never verified; the report says so rather than `ok`.

use serde_json::json;

use super::Ctx;
use crate::catalogue::FindingCode;
use crate::report::Finding;

/// What can be said of an encrypted token keyprobe reads only the header of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum JweDiagnosis {
    /// Not decrypted: nothing inside was checked.
    NotDecrypted {
        alg: Option<String>,
        enc: Option<String>,
    },
}

/// An encrypted token is never verified here.
pub(crate) fn judge(alg: Option<&str>, enc: Option<&str>) -> JweDiagnosis {
    JweDiagnosis::NotDecrypted {
        alg: alg.map(str::to_string),
        enc: enc.map(str::to_string),
    }
}

pub(crate) fn finding(d: &JweDiagnosis) -> Finding {
    match d {
        JweDiagnosis::NotDecrypted { alg, enc } => Finding::new(
            FindingCode::SignatureNotChecked,
            "the token is encrypted (JWE): keyprobe does not decrypt, so its claims and any signature inside were not checked; inspect the decrypted token its recipient sees",
        )
        .with_evidence(json!({"reason": "encrypted", "alg": alg, "enc": enc})),
    }
}

/// Judges and records.
pub(crate) fn check_jwe(ctx: &mut Ctx, alg: Option<&str>, enc: Option<&str>) {
    let f = finding(&judge(alg, enc));
    ctx.push(f);
}
