//! SAML through the CLI: one test per SAML finding, every binding, and the eight XML signature
//! wrapping (XSW) variants plus signature exclusion, built from a validly signed response.
//! Fixtures come from testdata/make.sh (testdata/saml/), checked at the pinned clock.

mod common;

use common::*;

const MD: &str = "testdata/saml/federationmetadata.xml";
const SIGNED: &str = "testdata/saml/response-signed.xml";

fn with_metadata(input: &str, extra: &[&str]) -> Run {
    let mut args = vec![input, "--metadata", MD];
    args.extend_from_slice(extra);
    inspect(&args)
}

fn finding(run: &Run, code: &str) -> serde_json::Value {
    run.json()["findings"]
        .as_array()
        .and_then(|a| a.iter().find(|f| f["code"] == code).cloned())
        .unwrap_or_else(|| panic!("no {code} in {}", run.stdout))
}

#[test]
fn signed_response_verifies_against_federation_metadata() {
    let run = with_metadata(SIGNED, &["--audience", "https://sp.example.test/saml"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let report = run.json();
    assert_eq!(report["kind"], "saml-response");
    assert_eq!(report["verdict"], "ok", "{}", run.stdout);
    assert!(run.codes().contains(&"signature-verified".to_string()));
    let a = &report["decoded"]["assertion"];
    assert_eq!(a["subject"]["name_id"], "alice@contoso.example");
    assert_eq!(a["trust"], "covered by a verified signature");
    assert_eq!(
        a["conditions"]["audiences"][0],
        "https://sp.example.test/saml"
    );
    let tid = a["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "http://schemas.microsoft.com/identity/claims/tenantid")
        .unwrap();
    assert!(tid["meaning"].as_str().unwrap().contains("tenant"));
}

#[test]
fn signed_response_verifies_with_cert_too() {
    let run = inspect(&[SIGNED, "--cert", "testdata/saml/idp-signing.pem"]);
    assert_eq!(run.json()["verdict"], "ok", "{}", run.stdout);
}

#[test]
fn every_binding_decodes_to_the_same_response() {
    for input in [
        SIGNED,
        "testdata/saml/response-signed.b64",
        "testdata/saml/response-form.txt",
    ] {
        let run = with_metadata(input, &[]);
        assert_eq!(run.json()["verdict"], "ok", "{input}: {}", run.stdout);
        assert_eq!(
            run.json()["decoded"]["assertion"]["subject"]["name_id"],
            "alice@contoso.example"
        );
    }
    let form = with_metadata("testdata/saml/response-form.txt", &[]);
    assert_eq!(form.json()["decoded"]["relay_state"], "/app/home");
    // Pasted as an argument: the form value from a browser's network panel.
    let pasted = std::fs::read_to_string(root().join("testdata/saml/response-form.txt")).unwrap();
    let value = pasted
        .trim()
        .strip_prefix("SAMLResponse=")
        .and_then(|v| v.split('&').next())
        .unwrap();
    let run = with_metadata(value, &[]);
    assert_eq!(run.json()["kind"], "saml-response", "{}", run.stdout);
    assert_eq!(run.json()["verdict"], "ok", "{}", run.stdout);
}

#[test]
fn redirect_binding_authn_request_from_a_url() {
    let url =
        std::fs::read_to_string(root().join("testdata/saml/authnrequest-redirect.txt")).unwrap();
    let run = inspect(&[url.trim()]);
    let report = run.json();
    assert_eq!(report["kind"], "saml-authn-request", "{}", run.stdout);
    assert_eq!(
        report["decoded"]["binding"],
        "raw DEFLATE + base64 (HTTP-Redirect binding)"
    );
    assert_eq!(report["decoded"]["relay_state"], "xyz");
    assert_eq!(
        report["decoded"]["assertion_consumer_service_url"],
        "https://sp.example.test/saml/acs"
    );
}

#[test]
fn metadata_is_saml_metadata_with_signing_certificates() {
    let run = inspect(&[MD, "--cert", "testdata/saml/idp-signing.pem"]);
    let report = run.json();
    assert_eq!(report["kind"], "saml-metadata");
    assert_eq!(report["verdict"], "ok", "{}", run.stdout);
    let roles = report["decoded"]["entities"][0]["roles"]
        .as_array()
        .unwrap();
    assert!(roles
        .iter()
        .any(|r| r["element"] == "RoleDescriptor (SecurityTokenServiceType)"));
    assert!(roles.iter().any(|r| r["element"] == "IDPSSODescriptor"));
    assert!(run.codes().contains(&"signature-verified".to_string()));
}

#[test]
fn signed_metadata_that_was_changed_fails() {
    let run = inspect(&[
        "testdata/saml/federationmetadata-tampered.xml",
        "--cert",
        "testdata/saml/idp-signing.pem",
    ]);
    assert_finding(&run, "signature-invalid", "error", 1);
}

#[test]
fn no_signing_keys_in_metadata() {
    let run = inspect(&["testdata/saml/federationmetadata-no-signing-key.xml"]);
    assert_finding(&run, "no-signing-keys", "error", 1);
    let f = finding(&run, "no-signing-keys");
    assert!(f["message"].as_str().unwrap().contains("AADSTS50003"));
}

#[test]
fn no_signing_keys_when_metadata_is_the_key_source() {
    let run = inspect(&[
        SIGNED,
        "--metadata",
        "testdata/saml/federationmetadata-no-signing-key.xml",
    ]);
    assert_finding(&run, "no-signing-keys", "error", 1);
    assert_eq!(
        finding(&run, "no-signing-keys")["seen_as"][0],
        "AADSTS50003"
    );
}

#[test]
fn metadata_expired() {
    assert_finding(
        &inspect(&["testdata/saml/federationmetadata-expired.xml"]),
        "metadata-expired",
        "error",
        1,
    );
}

#[test]
fn saml_unsigned() {
    assert_finding(
        &with_metadata("testdata/saml/response-unsigned.xml", &[]),
        "saml-unsigned",
        "error",
        1,
    );
}

#[test]
fn saml_status_error_explains_the_aadsts_code() {
    let run = inspect(&["testdata/saml/response-status-error.xml"]);
    assert_finding(&run, "saml-status-error", "error", 1);
    let f = finding(&run, "saml-status-error");
    assert_eq!(f["seen_as"][0], "AADSTS75011");
    assert!(f["message"]
        .as_str()
        .unwrap()
        .contains("RequestUnsupported"));
}

#[test]
fn xml_dtd_forbidden() {
    let run = inspect(&["testdata/saml/response-xxe.xml", "--metadata", MD]);
    assert_finding(&run, "xml-dtd-forbidden", "error", 1);
    assert!(!run.stdout.contains("root:"));
}

#[test]
fn signature_invalid_on_a_changed_response() {
    let run = with_metadata("testdata/saml/response-tampered.xml", &[]);
    assert_finding(&run, "signature-invalid", "error", 1);
    assert_eq!(
        finding(&run, "signature-invalid")["evidence"]["reason"],
        "reference digest"
    );
    assert_ne!(
        run.json()["decoded"]["assertion"]["trust"],
        "covered by a verified signature"
    );
}

#[test]
fn untrusted_embedded_key_with_both_thumbprints() {
    let run = with_metadata("testdata/saml/response-attacker.xml", &[]);
    assert_finding(&run, "untrusted-embedded-key", "error", 1);
    let f = finding(&run, "untrusted-embedded-key");
    let ev = &f["evidence"];
    let embedded = ev["keyinfo_certificates"][0]["sha1_thumbprint"]
        .as_str()
        .unwrap();
    let trusted = ev["trusted_certificates"][0]["sha1_thumbprint"]
        .as_str()
        .unwrap();
    assert_ne!(embedded, trusted);
    assert!(f["message"].as_str().unwrap().contains(embedded));
    assert!(f["message"].as_str().unwrap().contains(trusted));
}

#[test]
fn key_not_found_for_an_unknown_keyinfo_certificate() {
    let run = with_metadata("testdata/saml/response-unknown-keyinfo.xml", &[]);
    assert_finding(&run, "key-not-found", "error", 1);
}

#[test]
fn signature_not_checked_without_a_key_source() {
    let run = inspect(&[SIGNED]);
    assert_finding(&run, "signature-not-checked", "warning", 0);
    assert!(run.stdout.contains("own KeyInfo"));
}

#[test]
fn token_expired_from_conditions_and_subject_confirmation() {
    let run = with_metadata("testdata/saml/response-expired.xml", &[]);
    assert_finding(&run, "token-expired", "error", 1);
    let expired: Vec<_> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "token-expired")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert!(expired.iter().any(|m| m.contains("Conditions")));
    assert!(expired
        .iter()
        .any(|m| m.contains("SubjectConfirmationData")));
}

#[test]
fn token_not_yet_valid() {
    assert_finding(
        &with_metadata("testdata/saml/response-not-yet-valid.xml", &[]),
        "token-not-yet-valid",
        "error",
        1,
    );
}

#[test]
fn audience_mismatch() {
    assert_finding(
        &with_metadata(SIGNED, &["--audience", "https://other.example.test"]),
        "audience-mismatch",
        "error",
        1,
    );
}

#[test]
fn issuer_mismatch_against_metadata_entity_id() {
    let run = inspect(&[
        SIGNED,
        "--metadata",
        "testdata/saml/federationmetadata-other-tenant.xml",
    ]);
    assert_finding(&run, "issuer-mismatch", "error", 1);
    assert!(finding(&run, "issuer-mismatch")["message"]
        .as_str()
        .unwrap()
        .contains("entityID"));
}

#[test]
fn weak_key_for_rsa_sha1_and_legacy_allows_it() {
    let run = with_metadata("testdata/saml/response-sha1.xml", &[]);
    assert_finding(&run, "weak-key", "error", 1);
    let legacy = with_metadata("testdata/saml/response-sha1.xml", &["--allow-legacy"]);
    assert_finding(&legacy, "weak-key", "warning", 0);
}

#[test]
fn ecdsa_signature_verifies() {
    let run = inspect(&[
        "testdata/saml/response-ecdsa.xml",
        "--cert",
        "testdata/saml/ecdsa-signing.pem",
    ]);
    assert_eq!(run.json()["verdict"], "ok", "{}", run.stdout);
    assert!(run.codes().contains(&"signature-verified".to_string()));
}

#[test]
fn cert_expired_signing_certificate() {
    assert_finding(
        &inspect(&[
            "testdata/saml/response-expired-cert.xml",
            "--cert",
            "testdata/saml/expired-signing.pem",
        ]),
        "cert-expired",
        "error",
        1,
    );
}

#[test]
fn cert_expiring_soon_and_not_yet_valid_in_metadata_are_checked() {
    // The metadata's certificates are checked like any other: pin the clock after expiry.
    let run = keyprobe(&["inspect", "--json", "--at", "2040-01-01T00:00:00Z", MD]);
    assert_finding(&run, "cert-expired", "error", 1);
    let run = keyprobe(&["inspect", "--json", "--at", "2020-01-01T00:00:00Z", MD]);
    assert_finding(&run, "cert-not-yet-valid", "error", 1);
}

#[test]
fn standalone_assertion() {
    let run = with_metadata("testdata/saml/assertion-signed.xml", &[]);
    assert_eq!(run.json()["kind"], "saml-assertion");
    assert_eq!(run.json()["verdict"], "ok", "{}", run.stdout);
}

#[test]
fn response_signed_twice_verifies_both() {
    let run = with_metadata("testdata/saml/response-signed-both.xml", &[]);
    assert_eq!(run.json()["verdict"], "ok", "{}", run.stdout);
    let verified = run
        .codes()
        .iter()
        .filter(|c| *c == "signature-verified")
        .count();
    assert_eq!(verified, 2);
}

#[test]
fn hostile_encodings_are_refused_cleanly() {
    // Truncated DEFLATE in a redirect URL, non-UTF-8 XML, a billion-laughs DTD, deep nesting.
    let cases: Vec<Vec<u8>> = vec![
        b"https://idp.example/saml2?SAMLRequest=fZJNb8IwDIb%2FSpV7m6QfFKKCxMZhSAyqwTjsMoXUaiOlSRenE%2Fz7lcIYk5ZYcvza7%2BvYCfJGtWwV%2FMtRc%2FUBniXS".to_vec(),
        b"PHNhbWxwOlJlc3BvbnNlPun8/TwvYT4=".to_vec(),
        b"<!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]><l>&b;</l>".to_vec(),
        format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000)).into_bytes(),
        format!("<r>{}</r>", "<x ID=\"dup\"/>".repeat(20_000)).into_bytes(),
    ];
    for input in cases {
        let run = keyprobe_stdin(&["inspect", "--json", "-"], Some(&input));
        assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
        let codes = run.codes();
        assert!(
            codes.iter().any(|c| c == "malformed"
                || c == "xml-dtd-forbidden"
                || c == "saml-signature-wrapping"),
            "{codes:?}"
        );
    }
}

// --- XML signature wrapping (XSW) -----------------------------------------------------------

/// The signed assertion of the valid response, and the response around it.
struct Parts {
    xml: String,
    assertion: String,
    assertion_id: String,
}

fn parts() -> Parts {
    let xml = std::fs::read_to_string(root().join(SIGNED)).unwrap();
    let start = xml.find("<Assertion ").unwrap();
    let end = xml.rfind("</Assertion>").unwrap() + "</Assertion>".len();
    let assertion = xml[start..end].to_string();
    let id_start = assertion.find("ID=\"").unwrap() + 4;
    let assertion_id =
        assertion[id_start..][..assertion[id_start..].find('"').unwrap()].to_string();
    Parts {
        xml,
        assertion,
        assertion_id,
    }
}

/// The attacker's copy: another subject, another ID, its signature removed.
fn evil(p: &Parts, keep_id: bool) -> String {
    let mut e = p
        .assertion
        .replace("alice@contoso.example", "mallory@contoso.example");
    if let (Some(s), Some(t)) = (e.find("<Signature"), e.find("</Signature>")) {
        e.replace_range(s..t + "</Signature>".len(), "");
    }
    if !keep_id {
        e = e.replace(&p.assertion_id, "_evil");
    }
    e
}

fn signature_of(assertion: &str) -> &str {
    let s = assertion.find("<Signature").unwrap();
    let t = assertion.find("</Signature>").unwrap() + "</Signature>".len();
    &assertion[s..t]
}

/// The eight classic XSW variants (Somorovsky et al., "On Breaking SAML", 2012): XSW1-2 against a
/// signed Response, XSW3-8 against a signed Assertion; plus signature exclusion, duplicate IDs,
/// an assertion smuggled into ds:Object, and comment injection. Every one must be an error.
fn xsw_variants() -> Vec<(&'static str, String)> {
    let p = parts();
    let body = |assertion: &str| p.xml.replace(&p.assertion, assertion);
    let original = p.assertion.clone();
    let sig = signature_of(&original).to_string();
    let without_sig = original.replace(&sig, "");
    let mut v = Vec::new();

    // Response-level: the Response is signed, its assertion is not.
    let signed_response =
        std::fs::read_to_string(root().join("testdata/saml/response-signed-response.xml")).unwrap();
    let r_start = signed_response.find("<Signature").unwrap();
    let r_end = signed_response.find("</Signature>").unwrap() + "</Signature>".len();
    let r_sig = &signed_response[r_start..r_end];
    let unsigned_original = signed_response.replace(r_sig, "");
    let evil_response = unsigned_original
        .replace("alice@contoso.example", "mallory@contoso.example")
        .replacen("ID=\"_r-", "ID=\"_evil-r-", 1)
        .replacen("ID=\"_a-", "ID=\"_evil-a-", 1);
    // XSW1: evil Response; the signed original rides inside its Signature as an Object.
    let x1 = evil_response.replacen(
        "</Issuer>",
        &format!(
            "</Issuer>{}",
            r_sig.replacen(
                "</Signature>",
                &format!("<Object>{unsigned_original}</Object></Signature>"),
                1
            )
        ),
        1,
    );
    v.push((
        "XSW1 evil Response, signed original inside its Signature/Object",
        x1,
    ));
    // XSW2: the same with the original as a detached sibling before the Signature.
    let x2 = evil_response.replacen(
        "</Issuer>",
        &format!("</Issuer>{unsigned_original}{r_sig}"),
        1,
    );
    v.push((
        "XSW2 evil Response, signed original as a sibling before the Signature",
        x2,
    ));

    // XSW3: evil assertion (new ID) inserted before the signed one.
    v.push((
        "XSW3 evil assertion before the signed one",
        body(&format!("{}{original}", evil(&p, false))),
    ));
    // XSW4: the signed assertion moved inside the evil one.
    let e = evil(&p, false);
    let wrapped = e.replacen("</Subject>", &format!("</Subject>{original}"), 1);
    v.push((
        "XSW4 signed assertion nested inside the evil one",
        body(&wrapped),
    ));
    // XSW5: the signature moved onto the evil assertion; the original, unsigned, elsewhere.
    let evil_with_sig = evil(&p, false).replacen("</Issuer>", &format!("</Issuer>{sig}"), 1);
    let x5 = p.xml.replace(&p.assertion, &evil_with_sig).replacen(
        "<samlp:Status>",
        &format!("<samlp:Extensions>{without_sig}</samlp:Extensions><samlp:Status>"),
        1,
    );
    v.push((
        "XSW5 signature on the evil assertion, original in Extensions",
        x5,
    ));
    // XSW6: the original inside the evil assertion's Signature/Object.
    let sig_with_original = sig.replacen(
        "</Signature>",
        &format!("<Object>{without_sig}</Object></Signature>"),
        1,
    );
    let e6 = evil(&p, false).replacen("</Issuer>", &format!("</Issuer>{sig_with_original}"), 1);
    v.push((
        "XSW6 original inside the evil assertion's Signature/Object",
        body(&e6),
    ));
    // XSW7: the signed original in Extensions, the evil assertion where consumers read.
    let x7 = p.xml.replace(&p.assertion, &evil(&p, false)).replacen(
        "<samlp:Status>",
        &format!("<samlp:Extensions>{original}</samlp:Extensions><samlp:Status>"),
        1,
    );
    v.push(("XSW7 signed assertion hidden in Extensions", x7));
    // XSW8: evil assertion (same ID) carries the signature; the original, without its
    // signature, inside the Signature's Object.
    let e8 = evil(&p, true).replacen(
        "</Issuer>",
        &format!(
            "</Issuer>{}",
            sig.replacen(
                "</Signature>",
                &format!("<Object>{without_sig}</Object></Signature>"),
                1
            )
        ),
        1,
    );
    v.push((
        "XSW8 evil assertion with the signature, original in its Object",
        body(&e8),
    ));

    v.push((
        "duplicate ID, evil assertion first",
        body(&format!("{}{original}", evil(&p, true))),
    ));
    let in_object = original.replacen(
        "</Signature>",
        &format!("<Object>{}</Object></Signature>", evil(&p, false)),
        1,
    );
    v.push((
        "evil assertion inside the signed one's ds:Object",
        body(&in_object),
    ));
    // Signature exclusion: the signature removed and the content changed.
    v.push(("signature exclusion", body(&evil(&p, true))));
    v.push((
        "signature exclusion on a signed Response",
        evil_response.clone(),
    ));
    // Comment injection: the signed text is unchanged (c14n drops comments), but a consumer
    // reading the first text node of NameID sees "alice@contoso." only.
    v.push((
        "comment injection",
        body(&original.replacen(
            ">alice@contoso.example<",
            ">alice@contoso.<!---->example<",
            1,
        )),
    ));
    v
}

#[test]
fn every_wrapping_variant_is_an_error() {
    let dir = std::env::temp_dir().join(format!("keyprobe-xsw-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, xml) in xsw_variants() {
        let path = dir.join("xsw.xml");
        std::fs::write(&path, &xml).unwrap();
        let run = with_metadata(path.to_str().unwrap(), &[]);
        let report = run.json();
        assert_eq!(report["verdict"], "error", "{name}: {}", run.stdout);
        assert_eq!(run.code, 1, "{name}");
        let codes = run.codes();
        assert!(
            codes.iter().any(|c| matches!(
                c.as_str(),
                "saml-signature-wrapping" | "signature-invalid" | "saml-unsigned"
            )),
            "{name}: {codes:?}"
        );
        // Whatever is shown, the attacker's subject is never presented as verified.
        let a = &report["decoded"]["assertion"];
        if a["subject"]["name_id"] == "mallory@contoso.example" {
            assert_ne!(a["trust"], "covered by a verified signature", "{name}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn truncated_redirect_request_is_a_malformed_authn_request() {
    let url =
        std::fs::read_to_string(root().join("testdata/saml/authnrequest-redirect.txt")).unwrap();
    let cut = &url[..url.find("&RelayState").unwrap() - 12];
    let run = inspect(&[cut]);
    assert_finding(&run, "malformed", "error", 1);
    assert_eq!(run.json()["kind"], "saml-authn-request");
    assert!(run.stdout.contains("DEFLATE"), "{}", run.stdout);
}

#[test]
fn redirect_query_signature_verifies_with_the_sp_certificate() {
    let url =
        std::fs::read_to_string(root().join("testdata/saml/authnrequest-redirect-signed.txt"))
            .unwrap();
    let run = inspect(&[url.trim(), "--cert", "testdata/saml/sp-signing.pem"]);
    assert_eq!(run.json()["verdict"], "ok", "{}", run.stdout);
    assert!(run.codes().contains(&"signature-verified".to_string()));
    let wrong = inspect(&[url.trim(), "--cert", "testdata/saml/idp-signing.pem"]);
    assert_eq!(
        finding(&wrong, "signature-invalid")["evidence"]["sig_alg"],
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    );
    assert_finding(&wrong, "signature-invalid", "error", 1);
    // RelayState is signed too: changing it breaks the signature.
    let changed = url.trim().replace("RelayState=xyz", "RelayState=abc");
    let run = inspect(&[&changed, "--cert", "testdata/saml/sp-signing.pem"]);
    assert_finding(&run, "signature-invalid", "error", 1);
}

#[test]
fn every_signature_algorithm_and_canonicalisation_verifies() {
    for (file, cert) in [
        ("response-signed.xml", "idp-signing.pem"),
        ("response-inclusive-c14n-sha512.xml", "idp-signing.pem"),
        ("response-ecdsa.xml", "ecdsa-signing.pem"),
        ("response-ecdsa-p384.xml", "ecdsa-p384-signing.pem"),
    ] {
        let run = inspect(&[
            &format!("testdata/saml/{file}"),
            "--cert",
            &format!("testdata/saml/{cert}"),
        ]);
        assert_eq!(run.json()["verdict"], "ok", "{file}: {}", run.stdout);
        assert!(
            run.codes().contains(&"signature-verified".to_string()),
            "{file}"
        );
    }
}

#[test]
fn inclusive_c14n_assertion_moved_into_a_response_fails_its_digest() {
    let run = with_metadata("testdata/saml/response-inclusive-c14n-moved.xml", &[]);
    assert_finding(&run, "signature-invalid", "error", 1);
    assert_eq!(
        finding(&run, "signature-invalid")["evidence"]["reason"],
        "reference digest"
    );
}

#[test]
fn utf16_metadata_is_read_and_latin1_xml_refused() {
    let xml = std::fs::read_to_string(root().join(MD)).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(xml.encode_utf16().flat_map(u16::to_le_bytes));
    let run = keyprobe_stdin(&["inspect", "--json", "--at", AT, "-"], Some(&utf16));
    assert_eq!(run.json()["kind"], "saml-metadata", "{}", run.stdout);
    assert_eq!(run.json()["verdict"], "warning", "{}", run.stdout);
    let run = keyprobe_stdin(
        &["inspect", "--json", "-"],
        Some(b"<samlp:Response>\xe9</samlp:Response>"),
    );
    assert_finding(&run, "malformed", "error", 1);
    assert!(run.stdout.contains("not UTF-8"), "{}", run.stdout);
}

#[test]
fn service_provider_metadata_as_key_source_says_so() {
    let dir = std::env::temp_dir().join(format!("keyprobe-sp-md-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sp = dir.join("sp.xml");
    std::fs::write(
        &sp,
        r#"<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sp.example.test/saml"><SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp.example.test/saml/acs" index="0"/></SPSSODescriptor></EntityDescriptor>"#,
    )
    .unwrap();
    let run = inspect(&[SIGNED, "--metadata", sp.to_str().unwrap()]);
    assert_finding(&run, "no-signing-keys", "error", 1);
    assert!(
        run.stdout.contains("service-provider metadata"),
        "{}",
        run.stdout
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn many_signatures_and_huge_values_are_bounded() {
    let xml = std::fs::read_to_string(root().join(SIGNED)).unwrap();
    let sig_start = xml.find("<Signature").unwrap();
    let sig_end = xml.find("</Signature>").unwrap() + "</Signature>".len();
    let sig = &xml[sig_start..sig_end];
    let many = xml.replacen(sig, &sig.repeat(1000), 1);
    let started = std::time::Instant::now();
    let run = keyprobe_stdin(
        &["inspect", "--json", "--metadata", MD, "-"],
        Some(many.as_bytes()),
    );
    assert_finding(&run, "malformed", "error", 1);
    assert!(
        run.stdout.contains("signatures, more than"),
        "{}",
        run.stdout
    );
    let huge = xml.replacen("Alice Example", &"A".repeat(3 * 1024 * 1024), 1);
    let run = keyprobe_stdin(
        &["inspect", "--json", "--metadata", MD, "-"],
        Some(huge.as_bytes()),
    );
    assert_finding(&run, "signature-invalid", "error", 1);
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}

#[test]
fn metadata_expired_as_key_source() {
    let run = inspect(&[
        SIGNED,
        "--metadata",
        "testdata/saml/federationmetadata-expired.xml",
    ]);
    assert_finding(&run, "metadata-expired", "error", 1);
    assert!(run.codes().contains(&"signature-verified".to_string()));
}

#[test]
fn signature_invalid_on_the_signature_value_when_the_trusted_certificate_is_named() {
    // Signed by the attacker but naming the IdP's own certificate in KeyInfo: the digests match,
    // the signature value does not verify with the (trusted) certificate it names.
    let xml = std::fs::read_to_string(root().join("testdata/saml/response-attacker.xml")).unwrap();
    let idp = std::fs::read_to_string(root().join("testdata/saml/idp-signing.pem")).unwrap();
    let idp_b64: String = idp.lines().filter(|l| !l.starts_with("-----")).collect();
    let start = xml.find("<X509Certificate>").unwrap() + "<X509Certificate>".len();
    let end = xml.find("</X509Certificate>").unwrap();
    let forged = format!("{}{idp_b64}{}", &xml[..start], &xml[end..]);
    let path = std::env::temp_dir().join(format!("keyprobe-forged-{}.xml", std::process::id()));
    std::fs::write(&path, forged).unwrap();
    let run = with_metadata(path.to_str().unwrap(), &[]);
    let _ = std::fs::remove_file(&path);
    assert_finding(&run, "signature-invalid", "error", 1);
    assert_eq!(
        finding(&run, "signature-invalid")["evidence"]["reason"],
        "signature value"
    );
}

#[test]
fn logout_request_decodes_from_a_redirect_url() {
    use base64::Engine;
    use std::io::Write;
    let xml = r#"<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_lo-1" Version="2.0" IssueInstant="2026-06-01T11:59:00Z" Destination="https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/saml2"><saml:Issuer>https://sp.example.test/saml</saml:Issuer><saml:NameID>alice@contoso.example</saml:NameID></samlp:LogoutRequest>"#;
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(xml.as_bytes()).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(e.finish().unwrap());
    let url = format!(
        "https://login.microsoftonline.com/common/saml2?SAMLRequest={}",
        b64.replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D")
    );
    let run = inspect(&[&url]);
    let report = run.json();
    assert_eq!(
        report["decoded"]["message"], "LogoutRequest",
        "{}",
        run.stdout
    );
    assert_eq!(report["decoded"]["name_id"], "alice@contoso.example");
    // Signed neither in the XML nor in the query string: anyone could have sent it.
    assert_eq!(report["kind"], "saml-logout");
    assert_finding(&run, "saml-unsigned", "error", 1);
}

/// Issue 13, item 6: a `Reference URI` that is not a same-document `#ID` is never resolved, so
/// no input reads a file. The XML-DSig library would look for it relative to the working
/// directory (an existence oracle, a leak, a hang on a FIFO, `dev/zero` read for ever from `/`):
/// the report is the same whether the file exists or not, and it is an error.
#[test]
fn references_outside_the_document_are_never_resolved() {
    let p = parts();
    let scratch = std::env::temp_dir().join(format!("keyprobe-outside-ref-{}", std::process::id()));
    let (with, without) = (scratch.join("with"), scratch.join("without"));
    std::fs::create_dir_all(with.join("dev")).unwrap();
    std::fs::create_dir_all(&without).unwrap();
    for name in ["secret.txt", "dev/zero"] {
        std::fs::write(with.join(name), "the bytes a digest would reveal").unwrap();
    }
    let reference = format!(r##"URI="#{}""##, p.assertion_id);
    let mut variants: Vec<(String, String)> = [
        "secret.txt",
        "dev/zero",
        "/etc/passwd",
        "file:///etc/passwd",
    ]
    .iter()
    .map(|uri| {
        (
            uri.to_string(),
            p.xml.replace(&reference, &format!(r#"URI="{uri}""#)),
        )
    })
    .collect();
    // The library reads the first attribute named URI in any namespace; keyprobe's model reads
    // the plain one: the namespaced one must not slip through.
    variants.push((
        "x:URI=secret.txt".into(),
        p.xml.replace(
            &reference,
            &format!(r#"xmlns:x="urn:x" x:URI="secret.txt" {reference}"#),
        ),
    ));
    for (what, xml) in variants {
        assert_ne!(xml, p.xml, "{what}");
        let file = scratch.join("evil.xml");
        std::fs::write(&file, &xml).unwrap();
        let file = file.to_str().unwrap();
        let cert = root().join("testdata/saml/idp-signing.pem");
        let args = [
            "inspect",
            "--json",
            "--at",
            AT,
            file,
            "--cert",
            cert.to_str().unwrap(),
        ];
        let found = keyprobe_from(&with, &args, None);
        let missing = keyprobe_from(&without, &args, None);
        assert_eq!(
            found.stdout, missing.stdout,
            "{what}: the report depends on the file"
        );
        assert_finding(&found, "signature-invalid", "error", 1);
        let refused = finding(&found, "signature-invalid");
        assert_eq!(
            refused["evidence"]["reason"], "outside reference",
            "{what}: {}",
            found.stdout
        );
        assert!(
            !found.codes().contains(&"signature-verified".to_string()),
            "{what}"
        );
    }
    let _ = std::fs::remove_dir_all(&scratch);
}

/// Issue 13, item 5: what keyprobe cannot verify is never `ok`. A signed Response whose only
/// assertion is encrypted, an unsigned LogoutRequest/LogoutResponse (kind `saml-logout`), a JWE,
/// and input nothing recognises (an error, exit 1). A signed logout message still verifies.
#[test]
fn what_cannot_be_verified_is_never_ok() {
    let cert = "testdata/saml/idp-signing.pem";
    let run = inspect(&[
        "testdata/saml/response-encrypted-assertion.xml",
        "--cert",
        cert,
    ]);
    assert_finding(&run, "signature-not-checked", "warning", 0);
    assert!(
        run.codes().contains(&"signature-verified".to_string()),
        "{}",
        run.stdout
    );
    assert_eq!(
        finding(&run, "signature-not-checked")["evidence"]["reason"],
        "encrypted assertion"
    );
    for file in ["logout-request.xml", "logout-response.xml"] {
        let run = inspect(&[&format!("testdata/saml/{file}"), "--cert", cert]);
        assert_eq!(run.json()["kind"], "saml-logout", "{file}");
        assert_finding(&run, "saml-unsigned", "error", 1);
    }
    let signed = inspect(&["testdata/saml/logout-request-signed.xml", "--cert", cert]);
    assert_eq!(signed.json()["kind"], "saml-logout");
    assert_eq!(signed.json()["verdict"], "ok", "{}", signed.stdout);
    let jwe = inspect(&[
        "testdata/tokens/encrypted.jwe",
        "--jwks",
        "testdata/keys/jwks.json",
    ]);
    assert_eq!(jwe.json()["kind"], "jwe");
    assert_finding(&jwe, "signature-not-checked", "warning", 0);
    let unknown = inspect(&["hello world"]);
    assert_eq!(unknown.json()["kind"], "unknown");
    assert_finding(&unknown, "unrecognised", "error", 1);
}

/// SAML protocol messages keyprobe does not judge (back-channel ArtifactResolve and
/// AttributeQuery, an ArtifactResponse) are `unrecognised`, an error that names the message,
/// never `ok` or `unknown` with exit 0: even when their Issuer is the trusted IdP.
#[test]
fn protocol_messages_keyprobe_does_not_judge_are_never_ok() {
    let signed = std::fs::read_to_string(root().join(SIGNED)).unwrap();
    let issuer = signed
        .split("Issuer>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_string();
    let message = |element: &str, body: &str| {
        format!(
            "<samlp:{element} xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_q-1\" Version=\"2.0\" IssueInstant=\"2026-06-01T11:59:00Z\" Destination=\"https://idp.example.test/soap\"><saml:Issuer>{issuer}</saml:Issuer>{body}</samlp:{element}>"
        )
    };
    let inputs = [
        (
            "ArtifactResolve",
            message(
                "ArtifactResolve",
                "<samlp:Artifact>AAQAAMh48/1oXIM+sDo7Dh2qMp1HM4IF5DaRNmDj6RdUmllwn9jJHyEgIi8=</samlp:Artifact>",
            ),
        ),
        (
            "AttributeQuery",
            message(
                "AttributeQuery",
                "<saml:Subject><saml:NameID>alice@contoso.example</saml:NameID></saml:Subject><saml:Attribute Name=\"groups\"/>",
            ),
        ),
        (
            "ArtifactResponse",
            message(
                "ArtifactResponse",
                "<samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status>",
            ),
        ),
    ];
    for (element, xml) in inputs {
        let run = inspect(&["--metadata", MD, "--", &xml]);
        let report = run.json();
        assert_eq!(report["kind"], "unknown", "{element}: {}", run.stdout);
        assert_finding(&run, "unrecognised", "error", 1);
        let f = finding(&run, "unrecognised");
        assert_eq!(f["evidence"]["message"], element, "{f}");
        assert!(
            f["message"].as_str().unwrap().contains(element),
            "the finding says what it is: {f}"
        );
    }
}

/// Issue 13, item 1: with aggregate metadata (`EntitiesDescriptor`, what federations publish),
/// the message's issuer picks the entity and a key counts only for the entity publishing it: a
/// response claiming the first IdP but signed with the second's key is an error, the second's
/// genuine response verifies (no issuer-mismatch), the evidence names the entity, and an issuer
/// none of the entities is gets no key at all.
#[test]
fn aggregate_metadata_trusts_each_key_for_its_own_entity_only() {
    let md = "testdata/saml/metadata-aggregate.xml";
    let first = with_metadata_file(SIGNED, md);
    assert_eq!(first.json()["verdict"], "ok", "{}", first.stdout);
    let second = with_metadata_file("testdata/saml/response-idp-b.xml", md);
    assert_eq!(second.json()["verdict"], "ok", "{}", second.stdout);
    let verified = finding(&second, "signature-verified");
    assert!(
        verified["message"]
            .as_str()
            .unwrap()
            .contains("metadata-aggregate.xml#https://idp-b.example.test/saml"),
        "the evidence names the entity: {verified}"
    );
    let forged = with_metadata_file("testdata/saml/response-issuer-a-signed-by-b.xml", md);
    assert_eq!(forged.json()["verdict"], "error", "{}", forged.stdout);
    assert_eq!(forged.code, 1);
    assert!(
        !forged.codes().contains(&"signature-verified".to_string()),
        "{}",
        forged.stdout
    );
    // The second IdP's key published under another entityID: its response finds no key.
    let renamed = std::fs::read_to_string(root().join(md)).unwrap().replace(
        "https://idp-b.example.test/saml",
        "https://idp-c.example.test/saml",
    );
    let dir = std::env::temp_dir().join(format!("keyprobe-aggregate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let renamed_md = dir.join("aggregate.xml");
    std::fs::write(&renamed_md, renamed).unwrap();
    let outsider = with_metadata_file(
        "testdata/saml/response-idp-b.xml",
        renamed_md.to_str().unwrap(),
    );
    assert_finding(&outsider, "issuer-mismatch", "error", 1);
    assert!(
        !outsider.codes().contains(&"signature-verified".to_string()),
        "{}",
        outsider.stdout
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn with_metadata_file(input: &str, md: &str) -> Run {
    inspect(&[input, "--metadata", md])
}
