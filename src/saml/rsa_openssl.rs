//! RSA PKCS#1 v1.5 XML signatures in one bergshamra pass, with OpenSSL doing the SignatureValue step.
//!
//! bergshamra does everything else as in the per-key passes of [`super::dsig`]: the ID map and its
//! duplicate check, every reference (resolution, transforms, digest), the XSW position rules, the
//! canonical SignedInfo and the reference-digest policy. Only the last step, the RSA check of the
//! SignatureValue over the canonical SignedInfo, goes through a [`kryptering::Verifier`] that tries
//! the trusted keys in order with the verifier kept per key (`crypto::prepared`): the document is
//! canonicalised and digested once whatever the number of keys, and the RSA operation is OpenSSL's
//! rather than the pure-Rust `rsa` crate's (about 2.5× faster here).
//!
//! The pass stands for the per-key passes only where it says the same as they would: a verdict is
//! given for a signature that verified (with the first trusted key that verifies it), that every key
//! refused with a full-length signature value, or that failed before any key was used (the same words
//! for every key). Anything else is `None`, and the caller runs the per-key passes as before.

use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use bergshamra_dsig::{DsigContext, VerifyResult};
use bergshamra_keys::KeysManager;
use kryptering::{HashAlgorithm, SignatureAlgorithm};
use openssl::pkey::{Id, PKey, Public};
use uppsala::{Document, NodeId, NodeKind};

use super::xml::NS_DS;
use crate::crypto::{digest_of, verify_digest, Alg};
use keyprobe_core::xmldsig::XmlDsigAlg;

/// A trusted RSA key as the pass tries it.
#[derive(Clone)]
pub(super) struct RsaKey {
    /// Index into `trust.keys`.
    pub index: usize,
    key: PKey<Public>,
    /// The modulus length in bytes: the only signature length OpenSSL takes.
    size: usize,
}

impl RsaKey {
    /// `None` for a key that is not RSA.
    pub(super) fn new(index: usize, key: &PKey<Public>) -> Option<RsaKey> {
        (key.id() == Id::RSA).then(|| RsaKey {
            index,
            key: key.clone(),
            size: (key.bits() as usize).div_ceil(8),
        })
    }
}

/// The pass's verdict on one signature.
#[derive(Debug, Clone)]
pub(super) enum Verdict {
    /// Verified with `trust.keys[key]`, the first trusted key that verifies it.
    Valid { key: usize, targets: Vec<NodeId> },
    /// Every step before the SignatureValue passed, and no trusted key verifies it.
    Mismatch,
    /// Refused before any key was used, in bergshamra's words (the same for every key).
    Refused(String),
}

/// The JOSE algorithm whose OpenSSL context checks an XML `SignatureMethod`, for the methods this
/// pass takes: RSA PKCS#1 v1.5 with SHA-256, -384 or -512. (RSA-SHA1, ECDSA and the rest stay
/// with bergshamra.)
pub(super) fn alg_of(method: &str) -> Option<Alg> {
    match XmlDsigAlg::from_uri(method)? {
        XmlDsigAlg::RsaSha256 => Some(Alg::Rs256),
        XmlDsigAlg::RsaSha384 => Some(Alg::Rs384),
        XmlDsigAlg::RsaSha512 => Some(Alg::Rs512),
        _ => None,
    }
}

/// One pass over `doc` for the signatures `nodes` (every `ds:Signature`, in document order), all
/// with the method `alg`. `None` when the pass cannot stand for the per-key passes.
pub(super) fn run(
    doc: &Document,
    source: &str,
    alg: Alg,
    keys: &[RsaKey],
    nodes: &[NodeId],
) -> Option<Vec<Verdict>> {
    if keys.is_empty() {
        return None;
    }
    let log = Arc::new(Log::default());
    let verifier = OpensslRsa {
        alg,
        keys: keys.to_vec(),
        log: Arc::clone(&log),
    };
    // The same settings as the per-key passes; no key in the manager, none needed.
    let mut ctx = DsigContext::new(KeysManager::new());
    ctx.skip_time_checks = true;
    ctx.hsm_verifier = Some(Box::new(verifier));
    let results =
        match bergshamra_dsig::verify::verify_all_document_with_source(&ctx, doc, Some(source)) {
            Ok(results) => results,
            // A document-level refusal (duplicate IDs, no signature) precedes any key.
            Err(e) => return Some(vec![Verdict::Refused(e.to_string()); nodes.len()]),
        };
    if results.len() != nodes.len() {
        return None;
    }
    let calls = log.0.lock().ok()?;
    results
        .into_iter()
        .zip(nodes)
        .map(|(result, node)| match result {
            VerifyResult::Valid {
                signature_node,
                references,
                ..
            } => match call_for(&calls, doc, *node)? {
                Call::Verified(key) if signature_node == *node => Some(Verdict::Valid {
                    key,
                    targets: references.iter().filter_map(|r| r.resolved_node).collect(),
                }),
                _ => None,
            },
            VerifyResult::Invalid { reason } if reason == VALUE_FAILED => {
                match call_for(&calls, doc, *node)? {
                    Call::Rejected => Some(Verdict::Mismatch),
                    _ => None,
                }
            }
            VerifyResult::Invalid { reason } if after_key_step(&reason) => None,
            VerifyResult::Invalid { reason } => Some(Verdict::Refused(reason)),
        })
        .collect()
}

/// bergshamra's words when the verifier says no.
const VALUE_FAILED: &str = "signature value verification failed (HSM)";

/// Reasons bergshamra gives only once the SignatureValue step is reached: what the per-key passes
/// say there depends on the key (a SignatureMethod the verifier was not made for; a reference
/// policy refusal after a key verified).
fn after_key_step(reason: &str) -> bool {
    reason.contains("HSM")
        || reason == "no Reference digests were verified locally"
        || reason == "one or more Reference digests were not verified locally"
}

/// What the verifier found for one SignatureValue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    /// The first trusted key (in trust order) verifies it.
    Verified(usize),
    /// Full length for every key, and no key verifies it.
    Rejected,
    /// A length OpenSSL refuses but the `rsa` crate might take: only the per-key passes can say.
    Unsure,
}

/// Every SignatureValue the verifier was given, with what it found.
#[derive(Default)]
struct Log(Mutex<Vec<(Vec<u8>, Call)>>);

/// What the verifier found for the SignatureValue of the signature `node`: found by its bytes,
/// and only when every call with those bytes agrees.
fn call_for(calls: &[(Vec<u8>, Call)], doc: &Document, node: NodeId) -> Option<Call> {
    let value = signature_value(doc, node)?;
    let mut found = calls.iter().filter(|(v, _)| *v == value).map(|(_, c)| *c);
    let first = found.next()?;
    found.all(|c| c == first).then_some(first)
}

/// The SignatureValue as bergshamra reads it: the first text of the first `ds:SignatureValue`
/// child, trimmed, whitespace removed, standard base64.
fn signature_value(doc: &Document, node: NodeId) -> Option<Vec<u8>> {
    let value = doc.children(node).into_iter().find(|c| {
        doc.element(*c).is_some_and(|e| {
            &*e.name.local_name == "SignatureValue"
                && e.name.namespace_uri.as_deref().unwrap_or("") == NS_DS
        })
    })?;
    let text = doc
        .children(value)
        .into_iter()
        .find_map(|c| match doc.node_kind(c) {
            Some(NodeKind::Text(t) | NodeKind::CData(t)) => Some(t.to_string()),
            _ => None,
        })
        .unwrap_or_default();
    STANDARD.decode(&*without_whitespace(text.trim())).ok()
}

/// `text` without its whitespace (Unicode's, as bergshamra removes it). Most values are one line
/// of base64 characters only, which holds no whitespace of any kind: those are not copied.
fn without_whitespace(text: &str) -> std::borrow::Cow<'_, str> {
    let base64_only = text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
    if base64_only {
        return text.into();
    }
    text.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .into()
}

/// The verifier bergshamra calls with the canonical SignedInfo and the decoded SignatureValue.
struct OpensslRsa {
    alg: Alg,
    keys: Vec<RsaKey>,
    log: Arc<Log>,
}

impl OpensslRsa {
    fn check(&self, signed_info: &[u8], signature: &[u8]) -> Call {
        let digest = digest_of(self.alg, signed_info);
        for key in &self.keys {
            // OpenSSL takes only full-length values; the `rsa` crate also takes some shorter ones.
            // A key before the one that verifies must be known not to, so stop here.
            if signature.len() != key.size {
                return Call::Unsure;
            }
            // A value that does not verify comes back from OpenSSL as an error too.
            if verify_digest(self.alg, &key.key, &digest, signature).unwrap_or(false) {
                return Call::Verified(key.index);
            }
        }
        Call::Rejected
    }
}

impl kryptering::Verifier for OpensslRsa {
    fn algorithm(&self) -> SignatureAlgorithm {
        SignatureAlgorithm::RsaPkcs1v15(match self.alg {
            Alg::Rs384 => HashAlgorithm::Sha384,
            Alg::Rs512 => HashAlgorithm::Sha512,
            _ => HashAlgorithm::Sha256,
        })
    }

    fn verify(&self, data: &[u8], signature: &[u8]) -> kryptering::Result<bool> {
        let call = self.check(data, signature);
        if let Ok(mut log) = self.log.0.lock() {
            log.push((signature.to_vec(), call));
        }
        Ok(matches!(call, Call::Verified(_)))
    }
}

#[cfg(test)]
mod tests {
    use super::without_whitespace;

    proptest::proptest! {
        #[test]
        fn whitespace_is_removed_as_char_by_char(text in "[A-Za-z0-9+/= \t\n\u{b}\u{c}\r\u{a0}\u{2003}é]{0,24}") {
            let by_char: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            let cleaned = without_whitespace(&text);
            proptest::prop_assert_eq!(cleaned.as_ref(), by_char.as_str());
        }
    }
}
