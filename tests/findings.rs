//! One CLI test per finding code: the code, the verdict and the exit status, on fixtures made by
//! testdata/make.sh and checked at a pinned clock.

mod common;

use common::*;

#[test]
fn malformed_oversize_token() {
    let huge = format!("eyJhbGciOiJSUzI1NiJ9.{}.sig", "A".repeat(4 * 1024 * 1024));
    let run = keyprobe_stdin(&["inspect", "--json", "-"], Some(huge.as_bytes()));
    assert_finding(&run, "malformed", "error", 1);
    assert!(run.json()["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("limit"));
}

#[test]
fn malformed_duplicate_header_member() {
    // {"alg":"RS256","alg":"none"} — parsers disagree on which wins, so it must be refused.
    let run = inspect(&["eyJhbGciOiJSUzI1NiIsImFsZyI6Im5vbmUifQ.e30.c2ln"]);
    assert_finding(&run, "malformed", "error", 1);
    assert!(run.stdout.contains("duplicate member"));
}

#[test]
fn malformed_wrong_segment_count() {
    let run = inspect(&["eyJhbGciOiJSUzI1NiJ9.e30"]);
    assert_finding(&run, "malformed", "error", 1);
    assert_eq!(run.json()["kind"], "jwt");
}

#[test]
fn alg_none() {
    assert_finding(
        &inspect(&[
            "testdata/tokens/alg-none.jwt",
            "--jwks",
            "testdata/keys/jwks.json",
        ]),
        "alg-none",
        "error",
        1,
    );
}

#[test]
fn signature_invalid() {
    assert_finding(
        &inspect(&[
            "testdata/tokens/rs256-tampered.jwt",
            "--jwks",
            "testdata/keys/jwks.json",
        ]),
        "signature-invalid",
        "error",
        1,
    );
}

#[test]
fn key_not_found_names_the_kids_present() {
    let run = inspect(&[
        "testdata/tokens/rs256-unknown-kid.jwt",
        "--jwks",
        "testdata/keys/jwks.json",
    ]);
    assert_finding(&run, "key-not-found", "error", 1);
    let f = &run.json()["findings"][0];
    assert_eq!(f["code"], "key-not-found");
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains("'ec-p256'") && msg.contains("'ed-1'"), "{msg}");
    assert!(f["seen_as"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s.as_str().unwrap().starts_with("IDX10503")));
    assert_eq!(f["evidence"]["candidates"].as_array().unwrap().len(), 4);
}

#[test]
fn key_not_found_says_which_trusted_key_would_verify() {
    let run = inspect(&[
        "testdata/tokens/rs256-wrong-kid-right-key.jwt",
        "--jwks",
        "testdata/keys/jwks.json",
    ]);
    assert_finding(&run, "key-not-found", "error", 1);
    let f = &run.json()["findings"][0];
    assert_eq!(f["evidence"]["would_verify"].as_array().unwrap().len(), 1);
    assert!(f["hint"].as_str().unwrap().contains("does verify"));
}

#[test]
fn no_signing_keys_empty_set() {
    assert_finding(
        &inspect(&[
            "testdata/tokens/rs256-valid.jwt",
            "--jwks",
            "testdata/keys/jwks-empty.json",
        ]),
        "no-signing-keys",
        "error",
        1,
    );
    assert_finding(
        &inspect(&["testdata/keys/jwks-empty.json"]),
        "no-signing-keys",
        "error",
        1,
    );
}

#[test]
fn no_signing_keys_only_encryption_keys() {
    assert_finding(
        &inspect(&["testdata/keys/jwks-enc-only.json"]),
        "no-signing-keys",
        "error",
        1,
    );
}

#[test]
fn signature_not_checked() {
    assert_finding(
        &inspect(&["testdata/tokens/rs256-valid.jwt"]),
        "signature-not-checked",
        "warning",
        0,
    );
}

#[test]
fn signature_verified_with_every_algorithm_family() {
    for (token, keys) in [
        ("rs256-valid", "testdata/keys/jwks.json"),
        ("ps256", "testdata/keys/jwks.json"),
        ("es256", "testdata/keys/jwks.json"),
        ("es512", "testdata/keys/jwks.json"),
        ("eddsa", "testdata/keys/jwks.json"),
        ("hs256", "testdata/keys/hs256.jwk.json"),
    ] {
        let run = inspect(&[&format!("testdata/tokens/{token}.jwt"), "--key", keys]);
        assert_finding(&run, "signature-verified", "ok", 0);
    }
}

#[test]
fn verifies_against_a_certificate() {
    for cert in ["testdata/certs/issuer.pem", "testdata/certs/issuer.der"] {
        assert_finding(
            &inspect(&["testdata/tokens/rs256-v1.jwt", "--cert", cert]),
            "signature-verified",
            "ok",
            0,
        );
    }
}

#[test]
fn alg_key_mismatch_key_confusion() {
    let run = inspect(&[
        "testdata/tokens/hs256-key-confusion.jwt",
        "--key",
        "testdata/keys/issuer.pub.pem",
    ]);
    assert_finding(&run, "alg-key-mismatch", "error", 1);
    assert!(run.stdout.contains("key-confusion forgery"));
}

#[test]
fn alg_key_mismatch_curve_and_pinned_alg() {
    assert_finding(
        &inspect(&[
            "testdata/tokens/es384-on-p256-key.jwt",
            "--jwks",
            "testdata/keys/jwks.json",
        ]),
        "alg-key-mismatch",
        "error",
        1,
    );
    assert_finding(
        &inspect(&[
            "testdata/tokens/es256-alg-pinned.jwt",
            "--jwks",
            "testdata/keys/jwks-alg-pinned.json",
        ]),
        "alg-key-mismatch",
        "error",
        1,
    );
}

#[test]
fn alg_key_mismatch_unknown_alg() {
    // {"alg":"RS1"}.{}.sig
    let run = inspect(&[
        "eyJhbGciOiJSUzEifQ.e30.c2ln",
        "--jwks",
        "testdata/keys/jwks.json",
    ]);
    assert_finding(&run, "alg-key-mismatch", "error", 1);
}

#[test]
fn key_use_mismatch() {
    assert_finding(
        &inspect(&[
            "testdata/tokens/enc-key.jwt",
            "--jwks",
            "testdata/keys/jwks-enc-mixed.json",
        ]),
        "key-use-mismatch",
        "error",
        1,
    );
}

#[test]
fn thumbprint_mismatch_in_token_and_in_key_set() {
    assert_finding(
        &inspect(&[
            "testdata/tokens/x5t-mismatch.jwt",
            "--cert",
            "testdata/certs/issuer.pem",
        ]),
        "thumbprint-mismatch",
        "error",
        1,
    );
    assert_finding(
        &inspect(&["testdata/keys/jwks-thumbprint-mismatch.json"]),
        "thumbprint-mismatch",
        "error",
        1,
    );
}

#[test]
fn untrusted_embedded_key() {
    assert_finding(
        &inspect(&[
            "testdata/tokens/embedded-jwk.jwt",
            "--jwks",
            "testdata/keys/jwks.json",
        ]),
        "untrusted-embedded-key",
        "error",
        1,
    );
    // Without any key source too: a self-signed token is never "fine".
    assert_finding(
        &inspect(&["testdata/tokens/embedded-jwk.jwt"]),
        "untrusted-embedded-key",
        "error",
        1,
    );
}

#[test]
fn cert_expired_in_x5c_and_trusted_key() {
    assert_finding(
        &inspect(&["testdata/tokens/x5c-expired.jwt"]),
        "cert-expired",
        "error",
        1,
    );
    assert_finding(
        &inspect(&[
            "testdata/tokens/expired-cert-key.jwt",
            "--jwks",
            "testdata/keys/jwks-expired-cert.json",
        ]),
        "cert-expired",
        "error",
        1,
    );
    assert_finding(
        &inspect(&["testdata/certs/expired.pem"]),
        "cert-expired",
        "error",
        1,
    );
}

#[test]
fn cert_validity_follows_the_clock() {
    // The same certificate, inside its window.
    let run = keyprobe(&[
        "inspect",
        "--json",
        "--at",
        "2025-06-01T00:00:00Z",
        "testdata/certs/expired.pem",
    ]);
    assert!(
        !run.codes().contains(&"cert-expired".to_string()),
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 0);
}

#[test]
fn cert_not_yet_valid() {
    assert_finding(
        &inspect(&["testdata/certs/not-yet-valid.pem"]),
        "cert-not-yet-valid",
        "error",
        1,
    );
}

#[test]
fn cert_expiring_soon() {
    assert_finding(
        &inspect(&["testdata/certs/expiring-soon.pem"]),
        "cert-expiring-soon",
        "warning",
        0,
    );
    let quiet = inspect(&["testdata/certs/expiring-soon.pem", "--expiry-warning", "5"]);
    assert!(!quiet.codes().contains(&"cert-expiring-soon".to_string()));
}

#[test]
fn weak_key_and_allow_legacy() {
    assert_finding(
        &inspect(&[
            "testdata/tokens/rs1024.jwt",
            "--jwks",
            "testdata/keys/jwks-weak.json",
        ]),
        "weak-key",
        "error",
        1,
    );
    assert_finding(
        &inspect(&[
            "testdata/tokens/rs1024.jwt",
            "--jwks",
            "testdata/keys/jwks-weak.json",
            "--allow-legacy",
        ]),
        "weak-key",
        "warning",
        0,
    );
    assert_finding(
        &inspect(&[
            "testdata/tokens/hs256-short-key.jwt",
            "--key",
            "testdata/keys/hs256-short.jwk.json",
        ]),
        "weak-key",
        "error",
        1,
    );
    assert_finding(
        &inspect(&["testdata/certs/weak-rsa1024.pem"]),
        "weak-key",
        "error",
        1,
    );
}

#[test]
fn token_expired_and_leeway() {
    assert_finding(
        &inspect(&[
            "testdata/tokens/rs256-expired.jwt",
            "--jwks",
            "testdata/keys/jwks.json",
        ]),
        "token-expired",
        "error",
        1,
    );
    // Expired one hour ago: a two-hour leeway accepts it.
    let lenient = inspect(&[
        "testdata/tokens/rs256-expired.jwt",
        "--jwks",
        "testdata/keys/jwks.json",
        "--leeway",
        "7200",
    ]);
    assert_eq!(lenient.json()["verdict"], "ok", "{}", lenient.stdout);
}

#[test]
fn token_not_yet_valid() {
    assert_finding(
        &inspect(&[
            "testdata/tokens/rs256-not-yet-valid.jwt",
            "--jwks",
            "testdata/keys/jwks.json",
        ]),
        "token-not-yet-valid",
        "error",
        1,
    );
}

#[test]
fn token_no_expiry() {
    assert_finding(
        &inspect(&[
            "testdata/tokens/rs256-no-exp.jwt",
            "--jwks",
            "testdata/keys/jwks.json",
        ]),
        "token-no-expiry",
        "warning",
        0,
    );
}

#[test]
fn issuer_mismatch_v1_token_against_v2_metadata() {
    let run = inspect(&[
        "testdata/tokens/rs256-v1.jwt",
        "--metadata",
        "testdata/metadata/openid-configuration.json",
        "--jwks",
        "testdata/keys/jwks.json",
    ]);
    assert_finding(&run, "issuer-mismatch", "error", 1);
    assert!(run.stdout.contains("v1 access token"));
}

#[test]
fn issuer_template_resolved_with_tid() {
    let ok = inspect(&[
        "testdata/tokens/rs256-valid.jwt",
        "--metadata",
        "testdata/metadata/common-openid-configuration.json",
        "--jwks",
        "testdata/keys/jwks-rotated.json",
    ]);
    assert_eq!(ok.json()["verdict"], "ok", "{}", ok.stdout);
    let other = inspect(&[
        "testdata/tokens/other-tenant.jwt",
        "--metadata",
        "testdata/metadata/openid-configuration.json",
        "--jwks",
        "testdata/keys/jwks.json",
    ]);
    assert_finding(&other, "issuer-mismatch", "error", 1);
    assert_finding(
        &inspect(&[
            "testdata/tokens/rs256-valid.jwt",
            "--issuer",
            "https://example.test/",
        ]),
        "issuer-mismatch",
        "error",
        1,
    );
}

#[test]
fn audience_mismatch() {
    assert_finding(
        &inspect(&[
            "testdata/tokens/rs256-valid.jwt",
            "--jwks",
            "testdata/keys/jwks.json",
            "--audience",
            "api://other",
        ]),
        "audience-mismatch",
        "error",
        1,
    );
    let ok = inspect(&[
        "testdata/tokens/rs256-valid.jwt",
        "--jwks",
        "testdata/keys/jwks.json",
        "--audience",
        "api://keyprobe-test",
    ]);
    assert_eq!(ok.json()["verdict"], "ok");
}

#[test]
fn duplicate_kid() {
    assert_finding(
        &inspect(&["testdata/keys/jwks-duplicate-kid.json"]),
        "duplicate-kid",
        "warning",
        0,
    );
}

#[test]
fn private_key_published() {
    assert_finding(
        &inspect(&["testdata/keys/jwks-private.json"]),
        "private-key-published",
        "error",
        1,
    );
}

#[test]
fn key_url_not_fetched() {
    let run = inspect(&[
        "testdata/tokens/jku.jwt",
        "--jwks",
        "testdata/keys/jwks.json",
    ]);
    assert_finding(&run, "key-url-not-fetched", "ok", 0);
}

#[test]
fn sts_error_json_and_page() {
    for f in [
        "testdata/errors/aadsts50003.json",
        "testdata/errors/aadsts50003-page.txt",
    ] {
        let run = inspect(&[f]);
        assert_finding(&run, "sts-error", "error", 1);
        let report = run.json();
        assert_eq!(report["kind"], "sts-error");
        assert_eq!(report["findings"][0]["seen_as"][0], "AADSTS50003");
        assert!(report["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("MissingSigningKey"));
        assert_eq!(
            report["decoded"]["correlation_id"],
            "0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e"
        );
    }
}

#[test]
fn metadata_inconsistent_entra_keys_without_x5c() {
    // jwks.json mixes an Entra-shaped key with EC/OKP keys that carry no certificate.
    let run = inspect(&[
        "testdata/tokens/rs256-valid.jwt",
        "--metadata",
        "testdata/metadata/openid-configuration.json",
        "--jwks",
        "testdata/keys/jwks.json",
    ]);
    assert_finding(&run, "metadata-inconsistent", "warning", 0);
    assert!(run.stdout.contains("always publishes x5c"));
}

#[test]
fn metadata_inconsistent() {
    assert_finding(
        &inspect(&["testdata/metadata/openid-configuration-no-jwks-uri.json"]),
        "metadata-inconsistent",
        "warning",
        0,
    );
    assert_finding(
        &inspect(&[
            "testdata/metadata/openid-configuration-es384.json",
            "--jwks",
            "testdata/keys/jwks-rotated.json",
        ]),
        "metadata-inconsistent",
        "warning",
        0,
    );
}
