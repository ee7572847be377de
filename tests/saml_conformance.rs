//! Conformance over the public SAML and XML-DSig vectors in `../shared/vectors` (or
//! `$KEYPROBE_VECTORS`). Absent vectors make every trial *ignored*, never passed.
//!
//! - `saml/`: through the whole `inspect` path with the suite's IdP certificate as the only
//!   trusted key, the clock pinned at each response's IssueInstant and `--allow-legacy` (the
//!   python3-saml IdP key is RSA-1024). Certificate validity is set aside: the suites'
//!   certificates do not cover their responses' dates (python3-saml's expired in 2007, some
//!   ruby-saml responses predate theirs), so `cert-expired`/`cert-not-yet-valid` are expected.
//!   Valid samples must verify with no other error; every invalid, wrapping, comment-injection
//!   and XXE sample must carry another error.
//! - `xmldsig-interop/`: bergshamra (the pinned library keyprobe verifies with) on the W3C
//!   interop signatures, with the keys the vectors carry; canonicalisation vectors byte for byte.

use std::path::{Path, PathBuf};

use base64::Engine;
use keyprobe::Clock;
use keyprobe::FindingCode;
use keyprobe::Input;
use keyprobe::TrustStore;
use keyprobe::{inspect, Settings};
use keyprobe::{Report, Severity};
use libtest_mimic::{Arguments, Failed, Trial};

fn vectors_dir() -> PathBuf {
    std::env::var_os("KEYPROBE_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors"))
}

#[derive(Clone, Copy, Debug)]
enum Expect {
    /// Every signature verifies; no error but `cert-expired`.
    Verifies,
    /// At least one error other than `cert-expired`.
    Error,
    /// `xml-dtd-forbidden`.
    Dtd,
}

/// (family, certificate, [(file, expectation)]), paths under `saml/`.
fn saml_cases(dir: &Path) -> Vec<(String, PathBuf, Expect)> {
    let mut out = Vec::new();
    let mut push_dir = |sub: &str, expect: Expect| {
        if let Ok(entries) = std::fs::read_dir(dir.join(sub)) {
            let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
            files.sort();
            for f in files.into_iter().filter(|f| f.is_file()) {
                out.push((sub.to_string(), f, expect));
            }
        }
    };
    push_dir(
        "saml/python3-saml/tests/data/responses/invalids",
        Expect::Error,
    );
    push_dir("saml/ruby-saml/test/responses/invalids", Expect::Error);
    let p3 = "saml/python3-saml/tests/data/responses";
    for f in [
        "valid_response.xml.base64",
        "signed_message_response.xml.base64",
        "signed_assertion_response.xml.base64",
        "double_signed_response.xml.base64",
    ] {
        out.push((p3.into(), dir.join(p3).join(f), Expect::Verifies));
    }
    for f in [
        "unsigned_response.xml.base64",
        "wrapped_response_2.xml.base64",
        "response_node_text_attack.xml.base64",
    ] {
        out.push((p3.into(), dir.join(p3).join(f), Expect::Error));
    }
    let rb = "saml/ruby-saml/test/responses";
    for f in [
        "valid_response.xml.base64",
        "response_with_signed_message_and_assertion.xml",
    ] {
        out.push((rb.into(), dir.join(rb).join(f), Expect::Verifies));
    }
    for f in [
        "response_assertion_wrapped.xml.base64",
        "response_wrapped.xml.base64",
        "response_node_text_attack.xml.base64",
        "response_node_text_attack2.xml.base64",
        "response_node_text_attack3.xml.base64",
        "response_eval.xml",
    ] {
        out.push((rb.into(), dir.join(rb).join(f), Expect::Error));
    }
    out.push((rb.into(), dir.join(rb).join("attackxee.xml"), Expect::Dtd));
    let xc = "saml/xml-crypto";
    out.push((
        xc.into(),
        dir.join(xc).join("valid_saml.xml"),
        Expect::Verifies,
    ));
    for f in [
        "valid_saml_signature_wrapping.xml",
        "saml_wrapped_signed_info_node.xml",
        "saml_multiple_signed_info_nodes.xml",
        "invalid_saml_no_signed_info.xml",
        "unsigned_saml_response.xml",
        // A comment inside DigestValue: refused rather than stripped.
        "valid_saml_with_digest_comment.xml",
        "invalid_signature_-_non_existing_reference.xml",
        "invalid_signature_-_wsu_-_changed_content.xml",
        "invalid_signature_-_wsu_-_hash.xml",
        "invalid_signature_-_wsu_-_invalid_signature_value.xml",
        "invalid_signature_-_wsu_-_non_existing_reference.xml",
    ] {
        out.push((xc.into(), dir.join(xc).join(f), Expect::Error));
    }
    out.push((
        "saml/samlraider".into(),
        dir.join("saml/samlraider/xxe_test.xml"),
        Expect::Dtd,
    ));
    out
}

/// The IdP certificate each family signs with.
fn trust_for(dir: &Path, family: &str) -> Result<TrustStore, String> {
    let mut trust = TrustStore::default();
    let pem = if family.starts_with("saml/python3-saml") {
        let settings: serde_json::Value = serde_json::from_slice(
            &std::fs::read(dir.join("saml/python3-saml/tests/settings/settings1.json"))
                .map_err(|e| e.to_string())?,
        )
        .map_err(|e| e.to_string())?;
        let b64 = settings["idp"]["x509cert"].as_str().unwrap_or_default();
        format!("-----BEGIN CERTIFICATE-----\n{b64}\n-----END CERTIFICATE-----\n").into_bytes()
    } else if family.starts_with("saml/ruby-saml") {
        std::fs::read(dir.join("saml/ruby-saml/test/certificates/ruby-saml.crt"))
            .map_err(|e| e.to_string())?
    } else {
        std::fs::read(dir.join("saml/xml-crypto/feide_public.pem")).map_err(|e| e.to_string())?
    };
    trust
        .add_certificates(family, &pem)
        .map_err(|e| e.to_string())?;
    Ok(trust)
}

/// The response's IssueInstant, the instant the vector was valid at.
fn issue_instant(bytes: &[u8]) -> Option<i64> {
    let text = String::from_utf8_lossy(bytes).to_string();
    let xml = if text.trim_start().starts_with('<') {
        text
    } else {
        let compact: String = text.split_whitespace().collect();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .ok()?,
        )
        .ok()?
    };
    let start = xml.find("IssueInstant=\"")? + "IssueInstant=\"".len();
    let end = xml[start..].find('"')? + start;
    Clock::parse_instant(&xml[start..end]).ok()
}

fn summary(report: &Report) -> String {
    report
        .findings
        .iter()
        .map(|f| format!("{}({})", f.code, f.severity.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn saml_trial(dir: &Path, family: &str, file: &Path, expect: Expect) -> Result<String, Failed> {
    let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let trust = trust_for(dir, family)?;
    let at = issue_instant(&bytes).unwrap_or(1_400_000_000);
    let settings = Settings {
        clock: Clock::at(at, 300),
        allow_legacy: true,
        ..Settings::default()
    };
    let report = inspect(
        &Input::new(file.display().to_string(), bytes),
        &trust,
        &settings,
    );
    let errors: Vec<FindingCode> = report
        .findings
        .iter()
        .filter(|f| {
            f.severity == Severity::Error
                && !matches!(
                    f.code,
                    FindingCode::CertExpired | FindingCode::CertNotYetValid
                )
        })
        .map(|f| f.code)
        .collect();
    let ok = match expect {
        Expect::Verifies => {
            errors.is_empty()
                && report
                    .findings
                    .iter()
                    .any(|f| f.code == FindingCode::SignatureVerified)
        }
        Expect::Error => !errors.is_empty(),
        Expect::Dtd => errors.contains(&FindingCode::XmlDtdForbidden),
    };
    if ok {
        Ok(format!("{expect:?}: {}", summary(&report)))
    } else {
        Err(format!("expected {expect:?}, got: {}", summary(&report)).into())
    }
}

// --- xmldsig-interop: the pinned library itself ---------------------------------------------

fn dsig_verify(file: &Path, hmac_secret: Option<&[u8]>) -> Result<bool, String> {
    let xml = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    let mut manager = bergshamra_keys::KeysManager::new();
    if let Some(secret) = hmac_secret {
        manager.add_key(bergshamra_keys::loader::load_hmac_key(secret).map_err(|e| e.to_string())?);
    }
    // The interop vectors carry their own keys (KeyValue, X509Data): permissive key lookup,
    // with the CVE-2009-0217 HMAC truncation floor.
    let mut ctx = bergshamra_dsig::DsigContext::new_permissive(manager);
    ctx.hmac_min_out_len = 160;
    ctx.skip_time_checks = true;
    if let Some(parent) = file.parent() {
        ctx.base_dir = Some(parent.display().to_string());
    }
    match bergshamra_dsig::verify::verify(&ctx, &xml) {
        Ok(r) => Ok(r.is_valid()),
        Err(e) => Err(e.to_string()),
    }
}

fn interop_trial(file: &Path, valid: bool, hmac: Option<&[u8]>) -> Result<String, Failed> {
    let verdict = dsig_verify(file, hmac);
    match (valid, &verdict) {
        (true, Ok(true)) => Ok("verifies".into()),
        (false, Ok(false)) | (false, Err(_)) => Ok(format!("fails as labelled: {verdict:?}")),
        _ => Err(format!(
            "labelled {}, got {verdict:?}",
            if valid { "valid" } else { "invalid" }
        )
        .into()),
    }
}

/// merlin-c14n-three: `c14n-N.txt` is what reference N digests (c14n-27 is SignedInfo).
/// Each file's SHA-1 must equal reference N's DigestValue, and bergshamra verifying the
/// signature means it produced those same bytes; SignedInfo is canonicalised directly.
fn c14n_three(dir: &Path) -> Result<String, Failed> {
    let d = dir.join("xmldsig-interop/merlin-c14n-three");
    let xml = std::fs::read_to_string(d.join("signature.xml")).map_err(|e| e.to_string())?;
    let digests: Vec<&str> = xml
        .split("<DigestValue>")
        .skip(1)
        .filter_map(|s| s.split("</DigestValue>").next())
        .collect();
    for (i, expected) in digests.iter().enumerate() {
        let bytes = std::fs::read(d.join(format!("c14n-{i}.txt"))).map_err(|e| e.to_string())?;
        let got =
            base64::engine::general_purpose::STANDARD.encode(keyprobe_core::digest::sha1(&bytes));
        if got != expected.trim() {
            return Err(format!("c14n-{i}.txt does not digest to reference {i}").into());
        }
    }
    if dsig_verify(&d.join("signature.xml"), None)? {
        // SignedInfo, canonicalised by bergshamra-c14n, byte for byte.
        let doc = uppsala::parse(&xml).map_err(|e| e.to_string())?;
        let signed_info = doc
            .get_elements_by_tag_name("SignedInfo")
            .into_iter()
            .next()
            .ok_or("no SignedInfo")?;
        let set = bergshamra_xml::nodeset::NodeSet::tree_without_comments(signed_info, &doc);
        let mode = bergshamra_c14n::C14nMode::Inclusive;
        let out = bergshamra_c14n::canonicalize_doc::<&str>(&doc, mode, Some(&set), &[])
            .map_err(|e| e.to_string())?;
        let expected = std::fs::read(d.join("c14n-27.txt")).map_err(|e| e.to_string())?;
        if out != expected {
            return Err("SignedInfo canonicalisation differs from c14n-27.txt".into());
        }
        Ok(format!(
            "{} references and SignedInfo match byte for byte",
            digests.len()
        ))
    } else {
        Err("merlin-c14n-three signature does not verify".into())
    }
}

/// Entra's captured federation metadata (`../shared/entra-samples`): read as the key source
/// (`--metadata`), its own signing certificates must verify its enveloped signature.
fn entra_metadata(file: &Path) -> Result<String, Failed> {
    let bytes = std::fs::read(file).map_err(|e| e.to_string())?;
    let mut trust = TrustStore::default();
    trust
        .add_saml_metadata("entra metadata", &bytes)
        .map_err(|e| e.to_string())?;
    if trust.metadata_issuer.as_deref() != Some("https://sts.windows.net/{tenantid}/") {
        return Err(format!("entityID read as {:?}", trust.metadata_issuer).into());
    }
    let at = issue_instant(&bytes).unwrap_or(1_500_000_000);
    let settings = Settings {
        clock: Clock::at(at, 300),
        ..Settings::default()
    };
    let report = inspect(&Input::new("entra metadata", bytes), &trust, &settings);
    let verified = report
        .findings
        .iter()
        .any(|f| f.code == FindingCode::SignatureVerified);
    if report.kind.as_str() == "saml-metadata" && verified && trust.keys.len() >= 2 {
        Ok(format!(
            "{} signing keys; {}",
            trust.keys.len(),
            summary(&report)
        ))
    } else {
        Err(format!("{}: {}", report.kind.as_str(), summary(&report)).into())
    }
}

/// Entra's SAML error Response (from its documentation): the AADSTS codes are read.
fn entra_error_response(file: &Path) -> Result<String, Failed> {
    let bytes = std::fs::read(file).map_err(|e| e.to_string())?;
    let report = inspect(
        &Input::new("entra error", bytes),
        &TrustStore::default(),
        &Settings::default(),
    );
    let status = report
        .findings
        .iter()
        .find(|f| f.code == FindingCode::SamlStatusError)
        .ok_or_else(|| summary(&report))?;
    if status.seen_as.first().map(String::as_str) == Some("AADSTS75006") {
        Ok(status.message.clone())
    } else {
        Err(format!("seen_as {:?}", status.seen_as).into())
    }
}

fn main() {
    let args = Arguments::from_args();
    let dir = vectors_dir();
    let present = dir.join("saml").is_dir() && dir.join("xmldsig-interop").is_dir();
    let mut trials = Vec::new();
    let cases = if present {
        saml_cases(&dir)
    } else {
        Vec::new()
    };
    for (family, file, expect) in cases {
        let d = dir.clone();
        let name = format!(
            "{family}/{}",
            file.file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default()
        );
        trials.push(Trial::test(name, move || {
            let s = saml_trial(&d, &family, &file, expect)?;
            println!("    {s}");
            Ok(())
        }));
    }
    let interop: &[(&str, bool, Option<&[u8]>)] = &[
        (
            "phaos-xmldsig-three/signature-rsa-enveloped.xml",
            true,
            None,
        ),
        (
            "phaos-xmldsig-three/signature-rsa-enveloped-bad-sig.xml",
            false,
            None,
        ),
        (
            "phaos-xmldsig-three/signature-rsa-enveloped-bad-digest-val.xml",
            false,
            None,
        ),
        (
            "merlin-xmldsig-twenty-three/signature-enveloped-dsa.xml",
            true,
            None,
        ),
        (
            "merlin-xmldsig-twenty-three/signature-enveloping-rsa.xml",
            true,
            None,
        ),
        (
            "merlin-xmldsig-twenty-three/signature-enveloping-dsa.xml",
            true,
            None,
        ),
        (
            "merlin-xmldsig-twenty-three/signature-enveloping-b64-dsa.xml",
            true,
            None,
        ),
        (
            "merlin-xmldsig-twenty-three/signature-enveloping-hmac-sha1.xml",
            true,
            Some(b"secret"),
        ),
        // A truncated HMAC (HMACOutputLength 80): under bergshamra's SAML-safe floor of
        // 160 bits (CVE-2009-0217 hardening) it must fail.
        (
            "merlin-xmldsig-twenty-three/signature-enveloping-hmac-sha1-40.xml",
            false,
            Some(b"secret"),
        ),
        ("merlin-exc-c14n-one/exc-signature.xml", true, None),
    ];
    for (file, valid, hmac) in interop {
        let path = dir.join("xmldsig-interop").join(file);
        let (valid, hmac) = (*valid, hmac.map(<[u8]>::to_vec));
        trials.push(
            Trial::test(format!("xmldsig-interop/{file}"), move || {
                let s = interop_trial(&path, valid, hmac.as_deref())?;
                println!("    {s}");
                Ok(())
            })
            .with_ignored_flag(!present),
        );
    }
    let d = dir.clone();
    trials.push(
        Trial::test("xmldsig-interop/merlin-c14n-three", move || {
            let s = c14n_three(&d)?;
            println!("    {s}");
            Ok(())
        })
        .with_ignored_flag(!present),
    );
    if !present {
        trials.push(Trial::test("saml vectors", || Ok(())).with_ignored_flag(true));
    }
    let samples = dir.join("../entra-samples");
    let have_samples = samples
        .join("entra-common-federationmetadata.xml")
        .is_file();
    let s = samples.clone();
    trials.push(
        Trial::test(
            "entra-samples/entra-common-federationmetadata.xml",
            move || {
                let m = entra_metadata(&s.join("entra-common-federationmetadata.xml"))?;
                println!("    {m}");
                Ok(())
            },
        )
        .with_ignored_flag(!have_samples),
    );
    trials.push(
        Trial::test(
            "entra-samples/errors/saml-error-response-from-docs.xml",
            move || {
                let m = entra_error_response(
                    &samples.join("errors/saml-error-response-from-docs.xml"),
                )?;
                println!("    {m}");
                Ok(())
            },
        )
        .with_ignored_flag(!have_samples),
    );
    libtest_mimic::run(&args, trials).exit();
}
