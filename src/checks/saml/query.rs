//! The HTTP-Redirect binding's query-string signature, verified with the trusted keys (for an
//! AuthnRequest, the service provider's certificate).

use openssl::hash::MessageDigest;

use super::diagnosis::QueryDiagnosis;
use crate::crypto::{verify, VerifyKey};
use crate::saml::binding::QuerySignature;
use crate::saml::dsig::{algorithm_name, uses_sha1};
use crate::trust::TrustStore;
use keyprobe_core::xmldsig::XmlDsigAlg;

/// Judges the query-string signature; the last diagnosis is the verdict.
pub(super) fn judge_query_signature<'a>(
    trust: &'a TrustStore,
    q: &'a QuerySignature,
) -> Vec<QueryDiagnosis<'a>> {
    let name = algorithm_name(&q.sig_alg).to_string();
    let signature = match &q.signature {
        Ok(s) => s,
        Err(e) => return vec![QueryDiagnosis::Undecodable(e)],
    };
    let mut out = Vec::new();
    if uses_sha1(&q.sig_alg) {
        out.push(QueryDiagnosis::Sha1 {
            name: name.clone(),
            sig_alg: &q.sig_alg,
        });
    }
    if trust.is_empty() {
        out.push(QueryDiagnosis::NotChecked { name });
        return out;
    }
    let message = q.signed_octets.as_bytes();
    let check = |key: &VerifyKey| -> bool {
        let method = XmlDsigAlg::from_uri(&q.sig_alg);
        let jws = method.and_then(XmlDsigAlg::jws_equivalent);
        match (jws, key) {
            (Some(alg), _) => verify(alg, key, message, signature).unwrap_or(false),
            (None, VerifyKey::Public(pkey)) if method == Some(XmlDsigAlg::RsaSha1) => {
                openssl::sign::Verifier::new(MessageDigest::sha1(), pkey)
                    .and_then(|mut v| v.verify_oneshot(signature, message))
                    .unwrap_or(false)
            }
            _ => false,
        }
    };
    out.push(match trust.signing_keys().find(|k| check(&k.key)) {
        Some(k) => QueryDiagnosis::Verified {
            name,
            sig_alg: &q.sig_alg,
            key: k.label(),
        },
        None => QueryDiagnosis::Invalid {
            name,
            sig_alg: &q.sig_alg,
            signed_octets: &q.signed_octets,
            tried: trust.signing_keys().map(|k| k.label()).collect(),
        },
    });
    out
}

/// The verdict the decoded view shows, from the judgement's last word.
pub(super) fn verdict(diagnoses: &[QueryDiagnosis]) -> String {
    match diagnoses.last() {
        Some(QueryDiagnosis::Undecodable(e)) => format!("not verifiable: {e}"),
        Some(QueryDiagnosis::Verified { key, .. }) => format!("verified with {key}"),
        Some(QueryDiagnosis::Invalid { .. }) => "invalid: no trusted key verifies it".into(),
        Some(QueryDiagnosis::NotChecked { .. } | QueryDiagnosis::Sha1 { .. }) | None => {
            "not checked: no key source was given".into()
        }
    }
}
