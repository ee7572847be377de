//! Issue 13's JOSE classes, tried as an attacker would: broken tokens that still look like tokens,
//! payloads that are not claim sets, nested tokens, the JWS JSON serialisation and malleable ECDSA
//! signatures. None may come out `ok` or exit 0. Inputs are derived in the test from the
//! fixtures testdata/make.sh makes (and signed with its private keys), checked at the pinned clock.

mod common;

use std::fs;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::*;
use openssl::bn::{BigNum, BigNumContext};
use openssl::ec::EcKey;
use openssl::ecdsa::EcdsaSig;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::sign::Signer;
use serde_json::{json, Value};

/// The pinned clock (common::AT) in seconds.
const NOW: i64 = 1_780_315_200;

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

// --- Signing in the test with the fixtures' own private keys -----------------------------------

fn issuer_key() -> PKey<Private> {
    PKey::private_key_from_pem(fixture("testdata/keys/issuer.key.pem").as_bytes()).unwrap()
}

fn ec_key() -> PKey<Private> {
    let ec =
        EcKey::private_key_from_pem(fixture("testdata/keys/ec-p256.sec1.pem").as_bytes()).unwrap();
    PKey::from_ec_key(ec).unwrap()
}

/// The kid the fixture key set gives the issuer's RSA key.
fn issuer_kid() -> String {
    let jwks: Value = serde_json::from_str(&fixture("testdata/keys/jwks.json")).unwrap();
    jwks["keys"][0]["kid"].as_str().unwrap().to_string()
}

/// `header.payload` signed with RS256; the payload is taken as raw bytes.
fn rs256(key: &PKey<Private>, header: &Value, payload: &[u8]) -> String {
    let input = format!("{}.{}", b64u(header.to_string().as_bytes()), b64u(payload));
    let mut signer = Signer::new(MessageDigest::sha256(), key).unwrap();
    let sig = signer.sign_oneshot_to_vec(input.as_bytes()).unwrap();
    format!("{input}.{}", b64u(&sig))
}

/// `header.payload` signed with ES256 (r‖s) by the key whose public half is
/// testdata/keys/ec-p256.pub.der; with `high_s`, s is replaced by n - s, which
/// verifies just the same (a malleable signature).
fn es256(header: &Value, payload: &[u8], high_s: bool) -> String {
    let key = ec_key();
    let input = format!("{}.{}", b64u(header.to_string().as_bytes()), b64u(payload));
    let mut signer = Signer::new(MessageDigest::sha256(), &key).unwrap();
    let der = signer.sign_oneshot_to_vec(input.as_bytes()).unwrap();
    let sig = EcdsaSig::from_der(&der).unwrap();
    let mut order = BigNum::new().unwrap();
    let ec = key.ec_key().unwrap();
    ec.group()
        .order(&mut order, &mut BigNumContext::new().unwrap())
        .unwrap();
    let mut half = BigNum::new().unwrap();
    half.rshift1(&order).unwrap();
    let mut s = sig.s().to_owned().unwrap();
    // Normalise to low S first, then flip when asked.
    if s > half {
        let mut low = BigNum::new().unwrap();
        low.checked_sub(&order, &s).unwrap();
        s = low;
    }
    if high_s {
        let mut high = BigNum::new().unwrap();
        high.checked_sub(&order, &s).unwrap();
        s = high;
    }
    let mut raw = sig.r().to_vec_padded(32).unwrap();
    raw.extend(s.to_vec_padded(32).unwrap());
    format!("{input}.{}", b64u(&raw))
}

fn claims(extra: Value) -> Value {
    let mut c = json!({"iss": "https://issuer.example", "aud": "api://keyprobe-test",
        "iat": NOW - 600, "nbf": NOW - 600, "exp": NOW + 3000});
    for (k, v) in extra.as_object().unwrap() {
        c[k] = v.clone();
    }
    c
}

fn rs256_header() -> Value {
    json!({"typ": "JWT", "alg": "RS256", "kid": issuer_kid()})
}

// --- Item 3: claims that are not a claim set ------------------------------------------------

#[test]
fn a_payload_that_is_not_a_claim_set_is_malformed_even_when_the_signature_verifies() {
    let exp = NOW + 3000;
    let payloads: [(&str, String); 5] = [
        (
            "duplicate member",
            format!(r#"{{"iss":"https://issuer.example","exp":{exp},"exp":1}}"#),
        ),
        (
            "truncated",
            format!(r#"{{"iss":"https://issuer.example","exp":{exp}"#),
        ),
        ("array", "[1,2,3]".to_string()),
        ("string", r#""admin""#.to_string()),
        (
            "overflowing NumericDate",
            r#"{"iss":"https://issuer.example","exp":1e309}"#.to_string(),
        ),
    ];
    for (what, payload) in payloads {
        let token = rs256(&issuer_key(), &rs256_header(), payload.as_bytes());
        let run = inspect(&[
            "--jwks",
            "testdata/keys/jwks.json",
            "--issuer",
            "https://issuer.example",
            "--audience",
            "api://keyprobe-test",
            "--",
            &token,
        ]);
        let f = malformed(&run, "jwt");
        assert_eq!(
            f["evidence"]["where"]["part"], "payload (segment 2)",
            "{what}: {f}"
        );
        assert!(
            run.codes().contains(&"signature-verified".to_string()),
            "{what}"
        );
    }
}

#[test]
fn a_header_that_says_it_is_no_jwt_keeps_its_payload() {
    let header = json!({"typ": "JOSE", "alg": "RS256", "kid": issuer_kid()});
    let run = inspect_text(&rs256(&issuer_key(), &header, b"[1,2,3]"));
    assert_eq!(run.json()["verdict"], "ok", "{}", run.stdout);
    assert_eq!(run.code, 0);
}

#[test]
fn iat_in_the_future_is_a_finding() {
    let payload = claims(json!({"iat": NOW + 3600, "nbf": null}));
    let mut c = payload.clone();
    c.as_object_mut().unwrap().remove("nbf");
    let token = rs256(&issuer_key(), &rs256_header(), c.to_string().as_bytes());
    let run = inspect_text(&token);
    assert_finding(&run, "token-not-yet-valid", "error", 1);
    let report = run.json();
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "token-not-yet-valid")
        .unwrap();
    assert!(f["message"].as_str().unwrap().contains("(iat)"), "{f}");
    // Within the leeway it is not.
    let mut c = claims(json!({"iat": NOW + 60}));
    c.as_object_mut().unwrap().remove("nbf");
    let run = inspect_text(&rs256(
        &issuer_key(),
        &rs256_header(),
        c.to_string().as_bytes(),
    ));
    assert_eq!(run.json()["verdict"], "ok", "{}", run.stdout);
}

/// An outer token signed by the trusted key, carrying `inner` as a nested JWT.
fn nested(inner: &str) -> String {
    let header = json!({"alg": "RS256", "kid": issuer_kid(), "cty": "JWT"});
    rs256(&issuer_key(), &header, inner.as_bytes())
}

#[test]
fn a_nested_jwt_is_inspected_against_the_same_keys() {
    let inner_claims = claims(json!({})).to_string();
    // Genuine inside and out: ok, with both signatures verified.
    let genuine = rs256(&issuer_key(), &rs256_header(), inner_claims.as_bytes());
    let run = inspect_text(&nested(&genuine));
    assert_eq!(run.json()["verdict"], "ok", "{}", run.stdout);
    assert_eq!(
        run.codes()
            .iter()
            .filter(|c| *c == "signature-verified")
            .count(),
        2,
        "{}",
        run.stdout
    );
    assert!(run.json()["decoded"]["nested"]["claims"]["iss"].is_string());

    // alg none inside.
    let unsecured = format!(
        "{}.{}.",
        b64u(br#"{"alg":"none"}"#),
        b64u(inner_claims.as_bytes())
    );
    let run = inspect_text(&nested(&unsecured));
    assert_finding(&run, "alg-none", "error", 1);

    // Signed inside by another key that claims the trusted kid.
    let attacker = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
    let forged = rs256(&attacker, &rs256_header(), inner_claims.as_bytes());
    let run = inspect_text(&nested(&forged));
    assert_finding(&run, "signature-invalid", "error", 1);
    let report = run.json();
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "signature-invalid")
        .unwrap();
    assert_eq!(f["evidence"]["nested_level"], 1, "{f}");

    // cty JWT over something that is no token.
    let run = inspect_text(&nested("not a token"));
    malformed(&run, "jwt");
}

// --- Item 10: malleable ECDSA signatures ----------------------------------------------------

#[test]
fn a_high_s_ecdsa_signature_is_a_warning() {
    let header = json!({"typ": "JWT", "alg": "ES256"});
    let payload = claims(json!({})).to_string();
    let trusted = ["--key", "testdata/keys/ec-p256.pub.der"];
    let low = es256(&header, payload.as_bytes(), false);
    let run = inspect(&[trusted[0], trusted[1], "--", &low]);
    assert_eq!(run.json()["verdict"], "ok", "{}", run.stdout);
    let high = es256(&header, payload.as_bytes(), true);
    let run = inspect(&[trusted[0], trusted[1], "--", &high]);
    assert_finding(&run, "weak-key", "warning", 0);
    assert!(run.codes().contains(&"signature-verified".to_string()));
    assert!(run.stdout.contains("malleable"), "{}", run.stdout);
}

// --- Item 4: the JWS JSON serialisation -----------------------------------------------------

/// A signature entry of the general shape: protected header and signature over `payload`.
fn json_signature(key: &PKey<Private>, header: &Value, payload: &str) -> Value {
    let token = rs256(key, header, &URL_SAFE_NO_PAD.decode(payload).unwrap());
    let s = segments(&token);
    json!({"protected": s[0], "signature": s[2]})
}

#[test]
fn jws_json_verifies_every_signature_and_reports_each() {
    let payload = b64u(claims(json!({})).to_string().as_bytes());
    let good = json_signature(&issuer_key(), &rs256_header(), &payload);
    let attacker = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
    let forged = json_signature(&attacker, &rs256_header(), &payload);

    // General, both genuine: ok, two verified signatures.
    let general = json!({"payload": payload, "signatures": [good, good]}).to_string();
    let run = inspect_text(&general);
    let report = run.json();
    assert_eq!(report["kind"], "jws-json", "{}", run.stdout);
    assert_eq!(report["verdict"], "ok", "{}", run.stdout);
    assert_eq!(
        run.codes()
            .iter()
            .filter(|c| *c == "signature-verified")
            .count(),
        2
    );

    // One genuine and one forged: the forged one is reported, and the verdict is an error.
    let mixed = json!({"payload": payload, "signatures": [good, forged]}).to_string();
    let run = inspect_text(&mixed);
    assert_finding(&run, "signature-invalid", "error", 1);
    let report = run.json();
    let invalid = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "signature-invalid")
        .unwrap();
    assert_eq!(invalid["evidence"]["signature_index"], 1, "{invalid}");
    assert!(invalid["message"]
        .as_str()
        .unwrap()
        .starts_with("signature 2 of 2:"));

    // Flattened, forged.
    let mut flat = forged.clone();
    flat["payload"] = json!(payload);
    let run = inspect_text(&flat.to_string());
    assert_eq!(run.json()["kind"], "jws-json");
    assert_finding(&run, "signature-invalid", "error", 1);

    // An unprotected alg none beside a protected header: refused, with where.
    let mut overlap = good.clone();
    overlap["header"] = json!({"alg": "none"});
    let run = inspect_text(&json!({"payload": payload, "signatures": [overlap]}).to_string());
    let f = malformed(&run, "jws-json");
    assert_eq!(f["evidence"]["where"], "signatures[0].header", "{f}");

    // No key source: a warning, never ok.
    let run = inspect(&["--", &general]);
    assert_finding(&run, "signature-not-checked", "warning", 0);
}

// --- Aggregate SAML metadata as the keys of a token -------------------------------------------

/// The entityIDs of testdata/saml/metadata-aggregate.xml, in order: the first publishes the
/// certificate of testdata/keys/issuer.key.pem, the second another identity provider's.
fn aggregate_entities() -> Vec<String> {
    let md = fixture("testdata/saml/metadata-aggregate.xml");
    md.split("entityID=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect()
}

fn with_aggregate(text: &str) -> Run {
    inspect(&[
        "--metadata",
        "testdata/saml/metadata-aggregate.xml",
        "--",
        text,
    ])
}

#[test]
fn aggregate_metadata_trusts_a_tokens_keys_only_for_the_entity_its_issuer_names() {
    let entities = aggregate_entities();
    let [first, second] = entities.as_slice() else {
        panic!("two entities expected: {entities:?}")
    };
    let header = json!({"typ": "JWT", "alg": "RS256"});
    let token_from = |iss: &str| {
        let claims = claims(json!({"iss": iss}));
        rs256(&issuer_key(), &header, claims.to_string().as_bytes())
    };
    let verified = |run: &Run| {
        run.json()["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "signature-verified")
            .cloned()
    };

    // The first entity's own token: verified, and the evidence names the entity.
    let genuine = with_aggregate(&token_from(first));
    assert_eq!(genuine.json()["verdict"], "ok", "{}", genuine.stdout);
    let source = verified(&genuine).expect("verified")["evidence"]["source"].clone();
    assert_eq!(
        source,
        format!("testdata/saml/metadata-aggregate.xml#{first}"),
        "{}",
        genuine.stdout
    );

    // Claiming the second entity, signed with the first's key: that key does not count.
    let forged = with_aggregate(&token_from(second));
    assert_finding(&forged, "signature-invalid", "error", 1);
    assert!(verified(&forged).is_none(), "{}", forged.stdout);

    // The same in the JWS JSON serialisation.
    let payload = b64u(claims(json!({"iss": second})).to_string().as_bytes());
    let entry = json_signature(&issuer_key(), &header, &payload);
    let flat = json!({"payload": payload, "protected": entry["protected"], "signature": entry["signature"]});
    let run = with_aggregate(&flat.to_string());
    assert_eq!(run.json()["kind"], "jws-json", "{}", run.stdout);
    assert_finding(&run, "signature-invalid", "error", 1);
    assert!(verified(&run).is_none(), "{}", run.stdout);

    // An issuer that is none of the entities gets no key, and says which issuers were expected.
    let outsider = with_aggregate(&token_from("https://outsider.example"));
    assert_finding(&outsider, "issuer-mismatch", "error", 1);
    assert!(verified(&outsider).is_none(), "{}", outsider.stdout);
    let report = outsider.json();
    let mismatch = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "issuer-mismatch")
        .unwrap();
    assert_eq!(
        mismatch["evidence"]["presented"],
        "https://outsider.example"
    );
    assert_eq!(mismatch["evidence"]["expected"], json!(entities));
    assert_eq!(
        mismatch["evidence"]["expected_from"],
        "testdata/saml/metadata-aggregate.xml"
    );
}
