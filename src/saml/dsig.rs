//! XML-DSig verification of the parsed tree with bergshamra (pinned in Cargo.toml).
//!
//! Keys come only from the [`TrustStore`]: each trusted key gets its own bergshamra key manager
//! in `trusted_keys_only` mode, so we know which key verified and KeyInfo never becomes a key.
//! KeyInfo certificates are tried separately, as evidence (`untrusted-embedded-key`).

use bergshamra_dsig::{DsigContext, VerifyResult};
use bergshamra_keys::KeysManager;
use uppsala::{Document, NodeId};

use super::rsa_openssl::{self, RsaKey, Verdict};
use super::xml::{attr, child, children, descendants, is, text, IdMap, NS_DS};
use crate::artifact::cert::Certificate;
use crate::artifact::DecodeError;
use crate::crypto::{Alg, VerifyKey};
use crate::trust::{TrustStore, TrustedKey};

/// What one `ds:Signature` says about itself, read without verifying.
#[derive(Debug, Clone)]
pub(crate) struct SignatureInfo {
    pub node: NodeId,
    /// The element the signature sits in.
    pub parent: Option<NodeId>,
    pub c14n: Option<String>,
    pub method: Option<String>,
    pub references: Vec<Reference>,
    /// `X509Certificate` elements of its KeyInfo.
    pub embedded: Vec<Result<Certificate, DecodeError>>,
}

#[derive(Debug, Clone)]
pub(crate) struct Reference {
    pub uri: Option<String>,
    /// The element the URI names in our ID map (`""` is the whole document).
    pub target: Option<NodeId>,
    pub transforms: Vec<String>,
    pub digest_method: Option<String>,
}

/// The verdict on one signature.
#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    /// No key source was given.
    NotChecked,
    /// Verified with `trust.keys[index]`; `targets` are the nodes its references digest.
    Verified { key: usize, targets: Vec<NodeId> },
    /// A reference digest does not match: the signed content changed.
    DigestMismatch(String),
    /// Digests match but no trusted key verifies the SignatureValue.
    SignatureMismatch { tried: usize },
    /// No trusted key can be used with the signature's algorithm at all.
    NoFittingKey(String),
    /// bergshamra's position rules refused the references (XSW protection).
    Wrapped(String),
    /// The signature cannot be processed: missing parts, unsupported algorithms.
    Unprocessable(String),
    /// Not given to the verifier: a reference in the document names content outside it
    /// ([`outside_reference`]), which the verifier would look for on disk.
    OutsideReference { uri: String },
}

#[derive(Debug, Clone)]
pub(crate) struct Verified {
    pub info: SignatureInfo,
    pub outcome: Outcome,
    /// Index into `info.embedded` of a KeyInfo certificate that verifies the signature.
    pub embedded_verifies: Option<usize>,
    /// When the signature fails as received but verifies with `trust.keys[index]` once the
    /// whitespace between tags is removed: the document was re-indented after signing.
    pub verifies_unindented: Option<usize>,
}

/// Trusted keys tried per document, and distinct KeyInfo certificates tried per document.
const MAX_KEYS_TRIED: usize = 64;
const MAX_EMBEDDED_TRIED: usize = 4;

/// Algorithm URIs named for messages, and SHA-1 detection: the table both programs share.
pub(crate) use keyprobe_core::xmldsig::{name_of as algorithm_name, uses_sha1};

/// Every `ds:Signature` element among `elements` (a document's, in document order:
/// [`descendants`] of its root, listed once per document).
pub(crate) fn signature_nodes(doc: &Document, elements: &[NodeId]) -> Vec<NodeId> {
    elements
        .iter()
        .copied()
        .filter(|n| is(doc, *n, NS_DS, "Signature"))
        .collect()
}

pub(crate) fn read_info(doc: &Document, node: NodeId, ids: &IdMap) -> SignatureInfo {
    let signed_info = child(doc, node, NS_DS, "SignedInfo");
    let algorithm = |parent: Option<NodeId>, name: &str| {
        parent
            .and_then(|p| child(doc, p, NS_DS, name))
            .and_then(|m| attr(doc, m, "Algorithm"))
    };
    let references = signed_info
        .map(|si| children(doc, si, NS_DS, "Reference"))
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            let uri = attr(doc, r, "URI");
            let target = match uri.as_deref() {
                Some("") => doc.document_element(),
                Some(u) => u
                    .strip_prefix('#')
                    .and_then(|id| ids.by_id.get(id).copied()),
                None => None,
            };
            let transforms = child(doc, r, NS_DS, "Transforms")
                .map(|t| children(doc, t, NS_DS, "Transform"))
                .unwrap_or_default()
                .into_iter()
                .filter_map(|t| attr(doc, t, "Algorithm"))
                .collect();
            Reference {
                uri,
                target,
                transforms,
                digest_method: algorithm(Some(r), "DigestMethod"),
            }
        })
        .collect();
    let embedded = child(doc, node, NS_DS, "KeyInfo")
        .map(|k| descendants(doc, k))
        .unwrap_or_default()
        .into_iter()
        .filter(|n| is(doc, *n, NS_DS, "X509Certificate"))
        .map(|n| Certificate::from_base64(&text(doc, n)))
        .collect();
    SignatureInfo {
        node,
        parent: doc.parent(node).filter(|p| doc.element(*p).is_some()),
        c14n: algorithm(signed_info, "CanonicalizationMethod"),
        method: algorithm(signed_info, "SignatureMethod"),
        references,
        embedded,
    }
}

/// The first `ds:Reference` URI in the document that is not a same-document reference
/// (`""` or `#…`). bergshamra resolves any other URI as a file relative to the working
/// directory (and reads it whole), so a document holding one is never handed to it: no
/// input may cause I/O. Every `URI` attribute counts, in any namespace, as bergshamra reads
/// the first attribute with that local name.
pub(crate) fn outside_reference(doc: &Document, elements: &[NodeId]) -> Option<String> {
    elements
        .iter()
        .copied()
        .filter(|n| is(doc, *n, NS_DS, "Reference"))
        .filter_map(|n| doc.element(n))
        .flat_map(|e| e.attributes.iter())
        .filter(|a| &*a.name.local_name == "URI")
        .map(|a| a.value.to_string())
        .find(|uri| !(uri.is_empty() || uri.starts_with('#')))
}

/// Verifies every signature in `signatures` (document order) against the trusted keys.
/// A document with a reference outside itself is not verified at all ([`outside_reference`]).
pub(crate) fn verify_all(
    doc: &Document,
    elements: &[NodeId],
    source: &str,
    signatures: Vec<SignatureInfo>,
    trust: &TrustStore,
) -> Vec<Verified> {
    verify_all_with(doc, elements, source, signatures, trust, true)
}

/// [`verify_all`], with the one-pass path ([`OnePass`]) allowed or not: the per-key passes alone
/// are what the one-pass path must agree with.
fn verify_all_with(
    doc: &Document,
    elements: &[NodeId],
    source: &str,
    signatures: Vec<SignatureInfo>,
    trust: &TrustStore,
    one_pass_allowed: bool,
) -> Vec<Verified> {
    if let Some(uri) = outside_reference(doc, elements) {
        return signatures
            .into_iter()
            .map(|info| Verified {
                info,
                outcome: Outcome::OutsideReference { uri: uri.clone() },
                embedded_verifies: None,
                verifies_unindented: None,
            })
            .collect();
    }
    // Each key costs one pass over the document: the number tried is bounded.
    let trusted: Vec<Trusted> = trust
        .keys
        .iter()
        .enumerate()
        .filter(|(_, k)| k.jwk().is_none_or(|j| j.signing_use_problem().is_none()))
        .take(MAX_KEYS_TRIED)
        .map(|(i, k)| Trusted::new(i, k))
        .collect();
    let one_pass = OnePass::new(&signatures, &trusted).filter(|_| one_pass_allowed);
    let outcomes: Vec<Outcome> = if trust.is_empty() {
        vec![Outcome::NotChecked; signatures.len()]
    } else {
        one_pass
            .as_ref()
            .and_then(|p| p.outcomes(doc, source, &trusted))
            .unwrap_or_else(|| per_key_outcomes(doc, source, &trusted, signatures.len()))
    };
    let keyinfo = keyinfo_passes(doc, source, &signatures, &outcomes);
    let mut out = Vec::with_capacity(signatures.len());
    for (s, (info, outcome)) in signatures.into_iter().zip(outcomes).enumerate() {
        let embedded_verifies = if matches!(outcome, Outcome::Verified { .. }) {
            None
        } else {
            info.embedded.iter().position(|c| {
                c.as_ref().is_ok_and(|c| {
                    keyinfo.iter().any(|(der, passes)| {
                        *der == c.der && matches!(passes.get(s), Some(Pass::Valid { .. }))
                    })
                })
            })
        };
        out.push(Verified {
            info,
            outcome,
            embedded_verifies,
            verifies_unindented: None,
        });
    }
    let failed = |v: &Verified| {
        matches!(
            v.outcome,
            Outcome::DigestMismatch(_) | Outcome::SignatureMismatch { .. }
        )
    };
    if out.iter().any(failed) {
        let unindented = verify_unindented(source, &trusted, one_pass.as_ref(), out.len());
        for (v, key) in out.iter_mut().zip(unindented) {
            if failed(v) {
                v.verifies_unindented = key;
            }
        }
    }
    out
}

/// Which trusted key, if any, verifies each signature once the whitespace between tags is
/// removed. Pretty-printing adds exactly that whitespace, and it is part of what a reference
/// digests: a signature that fails as received and verifies without it is evidence that the
/// document was reformatted after signing, not that its content changed. Costs one more pass
/// per trusted key, only for a document whose signature failed.
fn verify_unindented(
    source: &str,
    trusted: &[Trusted],
    one_pass: Option<&OnePass>,
    count: usize,
) -> Vec<Option<usize>> {
    let none = vec![None; count];
    let Some(compact) = without_indentation(source) else {
        return none;
    };
    let Ok(doc) = super::xml::parse(&compact) else {
        return none;
    };
    let Some(root) = doc.document_element() else {
        return none;
    };
    // Removing whitespace removes no element: the signatures are the same, in the same order.
    // The guard against references outside the document holds for this copy too.
    let elements = descendants(&doc, root);
    if signature_nodes(&doc, &elements).len() != count
        || outside_reference(&doc, &elements).is_some()
    {
        return none;
    }
    if let Some(found) = one_pass.and_then(|p| p.valid_keys(&doc, &compact, root)) {
        return found;
    }
    let mut found = none;
    for t in trusted {
        let Some(manager) = &t.manager else { continue };
        for (slot, pass) in found.iter_mut().zip(run(&doc, &compact, manager, count)) {
            if slot.is_none() && matches!(pass, Pass::Valid { .. }) {
                *slot = Some(t.index);
            }
        }
        if found.iter().all(Option::is_some) {
            break;
        }
    }
    found
}

/// A trusted key as the verification passes use it.
struct Trusted {
    /// Index into `trust.keys`.
    index: usize,
    /// `None` for a key bergshamra cannot use (a secret, or a public key its loader refuses).
    manager: Option<KeysManager>,
    /// The same key for the one-pass path, when it is RSA and bergshamra can use it.
    rsa: Option<RsaKey>,
}

impl Trusted {
    fn new(index: usize, key: &TrustedKey) -> Trusted {
        let manager = key.xmldsig_key().cloned().map(manager_holding);
        let rsa = match (&key.key, &manager) {
            (VerifyKey::Public(pkey), Some(_)) => RsaKey::new(index, pkey),
            _ => None,
        };
        Trusted {
            index,
            manager,
            rsa,
        }
    }
}

/// The per-key passes: one bergshamra pass over the document per trusted key bergshamra can use,
/// then [`judge`] per signature.
fn per_key_outcomes(
    doc: &Document,
    source: &str,
    trusted: &[Trusted],
    count: usize,
) -> Vec<Outcome> {
    // results[key][signature]
    let per_key: Vec<(usize, Vec<Pass>)> = trusted
        .iter()
        .filter_map(|t| {
            t.manager
                .as_ref()
                .map(|m| (t.index, run(doc, source, m, count)))
        })
        .collect();
    (0..count)
        .map(|s| judge(s, &per_key, trusted.len()))
        .collect()
}

/// The one-pass path ([`rsa_openssl`]): taken when every signature uses the same RSA PKCS#1 v1.5
/// method it covers. It gives the outcomes the per-key passes would, or nothing (and the per-key
/// passes run).
struct OnePass {
    alg: Alg,
    keys: Vec<RsaKey>,
    /// Every trusted key bergshamra can use (RSA or not), as the per-key passes count them.
    usable: Vec<usize>,
    nodes: Vec<NodeId>,
}

impl OnePass {
    fn new(signatures: &[SignatureInfo], trusted: &[Trusted]) -> Option<OnePass> {
        let first = signatures.first()?.method.as_deref()?;
        if signatures
            .iter()
            .any(|s| s.method.as_deref() != Some(first))
        {
            return None;
        }
        Some(OnePass {
            alg: rsa_openssl::alg_of(first)?,
            keys: trusted.iter().filter_map(|t| t.rsa.clone()).collect(),
            usable: trusted
                .iter()
                .filter(|t| t.manager.is_some())
                .map(|t| t.index)
                .collect(),
            nodes: signatures.iter().map(|s| s.node).collect(),
        })
    }

    /// What [`per_key_outcomes`] would say, from one pass.
    fn outcomes(&self, doc: &Document, source: &str, trusted: &[Trusted]) -> Option<Vec<Outcome>> {
        let verdicts = rsa_openssl::run(doc, source, self.alg, &self.keys, &self.nodes)?;
        Some(
            verdicts
                .into_iter()
                .map(|v| match v {
                    Verdict::Valid { key, targets } => Outcome::Verified { key, targets },
                    Verdict::Mismatch => Outcome::SignatureMismatch {
                        tried: self.usable.len(),
                    },
                    // Every per-key pass would give these words: judge them as it would.
                    Verdict::Refused(reason) => {
                        let per_key: Vec<(usize, Vec<Pass>)> = self
                            .usable
                            .iter()
                            .map(|k| (*k, vec![Pass::Refused(reason.clone())]))
                            .collect();
                        judge(0, &per_key, trusted.len())
                    }
                })
                .collect(),
        )
    }

    /// Which trusted key verifies each signature of the re-indented copy `doc` (the same
    /// signatures in the same order), as the per-key passes of [`verify_unindented`] would find.
    fn valid_keys(&self, doc: &Document, source: &str, root: NodeId) -> Option<Vec<Option<usize>>> {
        let nodes = signature_nodes(doc, &descendants(doc, root));
        let verdicts = rsa_openssl::run(doc, source, self.alg, &self.keys, &nodes)?;
        Some(
            verdicts
                .into_iter()
                .map(|v| match v {
                    Verdict::Valid { key, .. } => Some(key),
                    Verdict::Mismatch | Verdict::Refused(_) => None,
                })
                .collect(),
        )
    }
}

/// `text` without the whitespace-only runs between a `>` and the next `<`; `None` when it has
/// none.
fn without_indentation(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut removed = false;
    while let Some(close) = rest.find('>') {
        let (head, tail) = rest.split_at(close + 1);
        out.push_str(head);
        // XML's whitespace (production S): space, tab, CR, LF.
        let trimmed = tail.trim_start_matches([' ', '\t', '\r', '\n']);
        if trimmed.len() < tail.len() && trimmed.starts_with('<') {
            removed = true;
            rest = trimmed;
        } else {
            rest = tail;
        }
    }
    out.push_str(rest);
    removed.then_some(out)
}

/// KeyInfo certificates tried as evidence: one pass over the document per distinct certificate
/// of the signatures no trusted key verified, at most [`MAX_EMBEDDED_TRIED`] in all, so the
/// cost does not multiply by signatures and certificates.
fn keyinfo_passes(
    doc: &Document,
    source: &str,
    signatures: &[SignatureInfo],
    outcomes: &[Outcome],
) -> Vec<(Vec<u8>, Vec<Pass>)> {
    let mut passes: Vec<(Vec<u8>, Vec<Pass>)> = Vec::new();
    let candidates = signatures
        .iter()
        .zip(outcomes)
        .filter(|(_, o)| !matches!(o, Outcome::Verified { .. }))
        .flat_map(|(info, _)| info.embedded.iter().flatten());
    for cert in candidates {
        if passes.iter().any(|(der, _)| *der == cert.der) {
            continue;
        }
        if passes.len() >= MAX_EMBEDDED_TRIED {
            break;
        }
        let results = cert
            .key
            .as_ref()
            .ok()
            .and_then(manager_for)
            .map(|m| run(doc, source, &m, signatures.len()))
            .unwrap_or_default();
        passes.push((cert.der.clone(), results));
    }
    passes
}

/// What one bergshamra pass with one key says about one signature.
#[derive(Debug, Clone)]
enum Pass {
    /// Verified; the nodes its references digest.
    Valid { targets: Vec<NodeId> },
    /// Refused, in bergshamra's words: a failed check (`VerifyResult::Invalid`) or an error
    /// that stopped the pass over the whole document.
    Refused(String),
}

/// One bergshamra pass over the document with one key: a result per signature, in order.
fn run(doc: &Document, source: &str, manager: &KeysManager, count: usize) -> Vec<Pass> {
    let mut ctx = DsigContext::new(manager.clone());
    ctx.skip_time_checks = true;
    match bergshamra_dsig::verify::verify_all_document_with_source(&ctx, doc, Some(source)) {
        Ok(results) => results
            .into_iter()
            .map(|r| match r {
                VerifyResult::Valid { references, .. } => Pass::Valid {
                    targets: references.iter().filter_map(|r| r.resolved_node).collect(),
                },
                VerifyResult::Invalid { reason } => Pass::Refused(reason),
            })
            .collect(),
        Err(e) => vec![Pass::Refused(e.to_string()); count],
    }
}

fn judge(s: usize, per_key: &[(usize, Vec<Pass>)], trusted: usize) -> Outcome {
    let mut reasons = Vec::new();
    for (key, results) in per_key {
        match results.get(s) {
            Some(Pass::Valid { targets }) => {
                return Outcome::Verified {
                    key: *key,
                    targets: targets.clone(),
                }
            }
            Some(Pass::Refused(reason)) => reasons.push(reason.clone()),
            None => reasons.push("bergshamra returned no result for this signature".into()),
        }
    }
    if per_key.is_empty() {
        return Outcome::NoFittingKey(format!(
            "none of the {trusted} trusted keys is a public key bergshamra can use"
        ));
    }
    let find = |needle: &str| reasons.iter().find(|r| r.contains(needle)).cloned();
    if let Some(r) = find("Reference digest failed") {
        Outcome::DigestMismatch(r)
    } else if let Some(r) = find("XSW").or_else(|| find("strict mode")) {
        Outcome::Wrapped(r)
    } else if find("signature value verification failed").is_some() {
        Outcome::SignatureMismatch {
            tried: per_key.len(),
        }
    } else if let Some(r) = find("key").filter(|r| !r.contains("unsupported algorithm")) {
        Outcome::NoFittingKey(r)
    } else {
        Outcome::Unprocessable(reasons.into_iter().next().unwrap_or_default())
    }
}

/// A public key as bergshamra loads it; `None` for a secret, or a key its loader refuses.
pub(crate) fn xmldsig_key(key: &VerifyKey) -> Option<bergshamra_keys::Key> {
    let VerifyKey::Public(pkey) = key else {
        return None;
    };
    let spki = pkey.public_key_to_der().ok()?;
    bergshamra_keys::loader::load_spki_der(&spki).ok()
}

/// A bergshamra key manager holding exactly `key`.
fn manager_holding(key: bergshamra_keys::Key) -> KeysManager {
    let mut manager = KeysManager::new();
    manager.add_key(key);
    manager
}

/// A bergshamra key manager holding exactly one public key.
fn manager_for(key: &VerifyKey) -> Option<KeysManager> {
    xmldsig_key(key).map(manager_holding)
}

#[cfg(test)]
mod tests {
    use super::super::xml::{self, descendants};
    use super::*;

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR")))
            .expect("fixture")
    }

    fn trust(sources: &[&str]) -> TrustStore {
        let mut t = TrustStore::default();
        for s in sources {
            let bytes = fixture(s);
            if s.ends_with(".xml") {
                t.add_saml_metadata(s, bytes.as_bytes()).expect("metadata");
            } else {
                t.add_certificates(s, bytes.as_bytes())
                    .expect("certificate");
            }
        }
        t
    }

    /// The signatures of `text` verified with and without the one-pass path, printed; and whether
    /// the one-pass path gave the outcomes itself (rather than leaving them to the per-key passes).
    fn both_ways(text: &str, trust: &TrustStore) -> (String, String, bool) {
        let doc = xml::parse(text).expect("parses");
        let root = doc.document_element().expect("root");
        let elements = descendants(&doc, root);
        let ids = xml::id_map(&doc, &elements);
        let infos = || -> Vec<SignatureInfo> {
            signature_nodes(&doc, &elements)
                .into_iter()
                .map(|n| read_info(&doc, n, &ids))
                .collect()
        };
        let trusted: Vec<Trusted> = trust
            .keys
            .iter()
            .enumerate()
            .map(|(i, k)| Trusted::new(i, k))
            .collect();
        let decided = OnePass::new(&infos(), &trusted)
            .and_then(|p| p.outcomes(&doc, text, &trusted))
            .is_some();
        let one = verify_all_with(&doc, &elements, text, infos(), trust, true);
        let per_key = verify_all_with(&doc, &elements, text, infos(), trust, false);
        (format!("{one:?}"), format!("{per_key:?}"), decided)
    }

    /// Asserts that both ways agree, and returns whether the one-pass path decided.
    fn agree(what: &str, text: &str, trust: &TrustStore) -> bool {
        let (one, per_key, decided) = both_ways(text, trust);
        assert_eq!(one, per_key, "{what}: the one-pass path disagrees");
        decided
    }

    /// `text` with the first run of base64 in the element `name` changed at `at` characters in.
    fn tamper(text: &str, name: &str, at: usize) -> String {
        let open = format!("<{name}>");
        let start = text.find(&open).expect("element") + open.len() + at;
        let mut out = text.to_string();
        let old = out[start..].chars().next().expect("a character");
        let new = if old == 'A' { "B" } else { "A" };
        out.replace_range(start..start + 1, new);
        out
    }

    #[test]
    fn the_one_pass_path_says_what_the_per_key_passes_say() {
        let md = trust(&["saml/federationmetadata.xml"]);
        let signed = fixture("saml/response-signed.xml");
        assert!(
            agree("valid", &signed, &md),
            "a valid response is decided in one pass"
        );
        assert!(agree(
            "valid, both signed",
            &fixture("saml/response-signed-both.xml"),
            &md
        ));
        // A changed DigestValue: the reference fails before any key is used.
        assert!(agree(
            "tampered digest",
            &tamper(&signed, "DigestValue", 5),
            &md
        ));
        // Changed content under a reference.
        assert!(agree(
            "tampered content",
            &fixture("saml/response-tampered.xml"),
            &md
        ));
        // A changed SignatureValue, a changed SignedInfo (its DigestMethod's neighbour), a wrong key.
        assert!(agree(
            "tampered value",
            &tamper(&signed, "SignatureValue", 40),
            &md
        ));
        let signed_info = signed.replacen("<Reference URI", "<Reference Id=\"x\" URI", 1);
        assert!(agree("tampered SignedInfo", &signed_info, &md));
        assert!(agree(
            "wrong key",
            &fixture("saml/response-attacker.xml"),
            &md
        ));
        // Re-indented after signing: found again in one pass over the compact copy.
        let indented = signed.replace("><", ">\n  <");
        assert!(agree("re-indented", &indented, &md));
        let (one, _, _) = both_ways(&indented, &md);
        assert!(one.contains("verifies_unindented: Some(0)"), "{one}");
    }

    #[test]
    fn several_keys_are_tried_in_trust_order_in_one_pass() {
        let signed = fixture("saml/response-signed.xml");
        for sources in [
            &["saml/attacker.pem", "saml/idp-signing.pem"][..],
            &["saml/idp-signing.pem", "saml/attacker.pem"],
            &[
                "saml/ecdsa-signing.pem",
                "saml/attacker.pem",
                "saml/idp-signing.pem",
            ],
            &["saml/idp-signing.pem", "saml/idp-signing.pem"],
        ] {
            let t = trust(sources);
            assert!(agree(&format!("{sources:?}"), &signed, &t));
            let forged = tamper(&signed, "SignatureValue", 40);
            assert!(agree(&format!("forged, {sources:?}"), &forged, &t));
        }
        // Only an ECDSA key for an RSA signature: no key the one-pass path can try.
        let ec = trust(&["saml/ecdsa-signing.pem"]);
        assert!(!agree("ECDSA key only", &signed, &ec));
    }

    #[test]
    fn what_the_one_pass_path_cannot_decide_is_left_to_the_per_key_passes() {
        let md = trust(&["saml/federationmetadata.xml"]);
        let signed = fixture("saml/response-signed.xml");
        // A SignatureValue shorter than the modulus: OpenSSL refuses it, bergshamra's `rsa` may not.
        let start = signed.find("<SignatureValue>").expect("value") + "<SignatureValue>".len();
        let short = format!("{}{}", &signed[..start], &signed[start + 4..]);
        assert!(!agree("short value", &short, &md));
        // RSA-SHA1 and ECDSA stay with bergshamra, their policy findings unchanged.
        assert!(!agree("RSA-SHA1", &fixture("saml/response-sha1.xml"), &md));
        let ec = trust(&["saml/ecdsa-signing.pem"]);
        assert!(!agree("ECDSA", &fixture("saml/response-ecdsa.xml"), &ec));
    }

    #[test]
    fn every_saml_fixture_agrees_both_ways() {
        let dir = format!("{}/testdata/saml", env!("CARGO_MANIFEST_DIR"));
        let stores = [
            trust(&["saml/federationmetadata.xml"]),
            trust(&["saml/metadata-aggregate.xml"]),
            trust(&[
                "saml/attacker.pem",
                "saml/ecdsa-signing.pem",
                "saml/idp-b-signing.pem",
            ]),
        ];
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .expect("testdata/saml")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| n.ends_with(".xml") && !n.contains("xxe"))
            .collect();
        names.sort();
        for name in names {
            let text = fixture(&format!("saml/{name}"));
            if xml::parse(&text).is_err() {
                continue;
            }
            for t in &stores {
                agree(&name, &text, t);
            }
        }
    }

    #[test]
    fn indentation_between_tags_is_removed_and_text_kept() {
        assert_eq!(
            without_indentation("<a>\n  <b> x </b>\n\t<c/>\n</a>\n").as_deref(),
            Some("<a><b> x </b><c/></a>\n")
        );
        assert_eq!(without_indentation("<a><b>x</b></a>"), None);
    }
}
