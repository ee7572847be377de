//! What people have in hand when a sign-in breaks, read as a user would: keys alone, a token
//! endpoint's answer, several tokens in one file (and, in later sections, captures, saved pages
//! and app registrations).

mod common;

use common::*;

fn kinds(run: &Run) -> Vec<(String, String)> {
    run.json_lines()
        .iter()
        .map(|r| {
            (
                r["input"].as_str().unwrap().to_string(),
                r["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_private_key_is_described_and_flagged_never_printed() {
    let run = inspect(&["testdata/keys/issuer.key.pem"]);
    let r = run.json();
    assert_eq!(r["kind"], "key");
    assert_eq!(r["decoded"]["key"], "RSA 2048-bit");
    assert_eq!(r["decoded"]["private"], true);
    assert_eq!(run.codes(), ["private-key-material"]);
    // The RFC 7638 thumbprint is the one the public key set publishes for the same key.
    let jwks: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("testdata/keys/jwks.json")).unwrap(),
    )
    .unwrap();
    let published = inspect(&["testdata/keys/jwks.json"]).json();
    let thumbprints: Vec<&str> = published["decoded"]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|k| k["jwk_thumbprint"].as_str())
        .collect();
    assert!(
        thumbprints.contains(&r["decoded"]["jwk_thumbprint"].as_str().unwrap()),
        "{thumbprints:?} vs {} ({} keys)",
        r["decoded"]["jwk_thumbprint"],
        jwks["keys"].as_array().unwrap().len()
    );
    // Not one private member leaves the tool.
    assert!(r["decoded"]["public_jwk"].get("d").is_none());
    assert!(!run.stdout.contains("PRIVATE KEY-----"));
    assert_eq!(run.code, 0, "a warning, not an error");
}

#[test]
fn every_key_shape_is_recognised() {
    for (file, key, codes) in [
        ("testdata/keys/issuer.pub.pem", Some("RSA 2048-bit"), vec![]),
        ("testdata/keys/ec-p256.pub.der", Some("EC P-256"), vec![]),
        (
            "testdata/keys/ec-p256.sec1.pem",
            Some("EC P-256"),
            vec!["private-key-material"],
        ),
        (
            "testdata/keys/issuer.key.encrypted.pem",
            None,
            vec!["private-key-material"],
        ),
        (
            "testdata/keys/weak-rsa1024.pub.pem",
            Some("RSA 1024-bit"),
            vec!["weak-key"],
        ),
    ] {
        let run = inspect(&[file]);
        let r = run.json();
        assert_eq!(r["kind"], "key", "{file}: {}", run.stdout);
        assert_eq!(r["decoded"]["key"].as_str(), key, "{file}");
        assert_eq!(run.codes(), codes, "{file}");
    }
}

#[test]
fn a_certificate_bundled_with_its_private_key_flags_the_key() {
    let run = inspect(&["testdata/keys/issuer.cert-and-key.pem"]);
    assert_eq!(run.json()["kind"], "x509");
    assert_eq!(run.codes(), ["private-key-material"], "{}", run.stdout);
}

#[test]
fn a_token_response_is_a_container_of_its_tokens() {
    let run = inspect(&[
        "testdata/tokens/token-response.json",
        "--jwks",
        "testdata/keys/jwks.json",
    ]);
    let reports = run.json_lines();
    assert_eq!(
        kinds(&run),
        [
            (
                "testdata/tokens/token-response.json".into(),
                "token-response".into()
            ),
            (
                "testdata/tokens/token-response.json#access_token".into(),
                "jwt".into()
            ),
            (
                "testdata/tokens/token-response.json#id_token".into(),
                "jwt".into()
            ),
        ]
    );
    let container = &reports[0];
    // Its verdict is the worst of its tokens': the expired id_token.
    assert_eq!(container["verdict"], "error");
    assert_eq!(codes_of(container), ["token-expired"]);
    assert!(container["findings"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("testdata/tokens/token-response.json#id_token: "));
    assert_eq!(reports[1]["verdict"], "ok");
    // The refresh token is noted, never printed.
    let refresh = container["decoded"]["refresh_token"].as_str().unwrap();
    assert!(refresh.starts_with("present, "), "{refresh}");
    assert!(!run.stdout.contains("AgABAwEAAAApTwJmzXqdR4BN2miheQMYAgDs"));
    assert_eq!(
        container["decoded"]["client_info"]["utid"],
        "8eaef023-2b34-4da1-9baa-8bc8c9d6a490"
    );
    assert_eq!(run.code, 1);
}

#[test]
fn several_tokens_in_one_file_are_several_inputs() {
    let run = inspect(&[
        "testdata/tokens/several.txt",
        "--jwks",
        "testdata/keys/jwks.json",
    ]);
    let reports = run.json_lines();
    let labels: Vec<&str> = reports
        .iter()
        .map(|r| r["input"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "testdata/tokens/several.txt:1",
            "testdata/tokens/several.txt:3",
            "testdata/tokens/several.txt:4"
        ]
    );
    assert_eq!(reports[0]["verdict"], "ok");
    assert_eq!(codes_of(&reports[1])[0], "key-not-found");
    assert_eq!(codes_of(&reports[2])[0], "token-expired");
}
