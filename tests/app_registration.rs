//! App registrations (kind `app-registration`): Microsoft Graph's servicePrincipal and application
//! JSON, read as a user would run keyprobe on what `az ad sp show` or Graph Explorer printed.
//! Fixtures come from examples/make_capture_fixtures.rs; the scenarios' JSON is mock-sts's own
//! answer, shaped as Graph returns a servicePrincipal.

mod common;

use common::*;
use serde_json::{json, Value};

/// `(fixture, codes in order, verdict, exit, words the first finding must say)`.
type Expected = (
    &'static str,
    &'static [&'static str],
    &'static str,
    i32,
    &'static [&'static str],
);

const FIXTURES: &[Expected] = &[
    ("sp-saml-healthy.json", &[], "ok", 0, &[]),
    ("sp-collection-healthy.json", &[], "ok", 0, &[]),
    (
        "sp-saml-no-signing-key.json",
        &["no-signing-keys"],
        "error",
        1,
        &["no Sign key credential", "AADSTS50003"],
    ),
    (
        "sp-saml-dangling.json",
        &["signing-key-dangling"],
        "error",
        1,
        &["BDCA47550C2A26C6A990906CAB1AF7695951ADBD", "AADSTS50003"],
    ),
    (
        "sp-saml-broken-pair.json",
        &["signing-key-pair-broken"],
        "error",
        1,
        &["no Verify twin", "AADSTS50003"],
    ),
    (
        "sp-saml-expired.json",
        &["cert-expired"],
        "error",
        1,
        &["not AADSTS50003", "service provider"],
    ),
    (
        "sp-saml-expired-with-spare.json",
        &["cert-expired"],
        "warning",
        0,
        &[
            "signs with the valid",
            "BDCA47550C2A26C6A990906CAB1AF7695951ADBD",
        ],
    ),
    (
        "sp-saml-select-expiring.json",
        &["cert-expiring-soon"],
        "warning",
        0,
        &["A925951C58ADEB99ED8BA2F93F3FBACEBEF9984D", "in 10 days"],
    ),
    (
        "app-credentials.json",
        &[
            "credential-expired",
            "credential-expiring-soon",
            "credential-expired",
        ],
        "error",
        1,
        &[
            "client certificate",
            "AADSTS700027",
            "The key used is expired",
        ],
    ),
    (
        "aad-graph-app-expired-secret.json",
        &["credential-expired"],
        "error",
        1,
        &["client secret", "AADSTS7000222"],
    ),
];

#[test]
fn graph_samples_name_the_aadsts_code_they_lead_to() {
    for (file, codes, verdict, exit, words) in FIXTURES {
        let path = format!("testdata/apps/{file}");
        let run = inspect(&[&path]);
        let r = run.json();
        assert_eq!(r["kind"], "app-registration", "{file}: {}", run.stdout);
        assert_eq!(run.codes(), *codes, "{file}: {}", run.stdout);
        assert_eq!(r["verdict"], *verdict, "{file}");
        assert_eq!(run.code, *exit, "{file}: {}", run.stderr);
        let first = r["findings"][0]["message"].as_str().unwrap_or_default();
        for w in *words {
            assert!(first.contains(w), "{file}: '{w}' not in {first}");
        }
    }
}

#[test]
fn what_each_finding_says_entra_answers() {
    let run = inspect(&["testdata/apps/app-credentials.json"]);
    let r = run.json();
    let secret = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("'ci (2025)'"))
        .expect("the expired secret");
    // Another secret is still valid: a warning, and the code Entra answers an old deployment with.
    assert_eq!(secret["severity"], "warning");
    assert_eq!(secret["evidence"]["leads_to"], "AADSTS7000222");
    assert_eq!(secret["seen_as"][0], "AADSTS7000222");
    let cert = &r["findings"][0];
    assert_eq!(cert["evidence"]["leads_to"], "AADSTS700027");
    assert!(cert["seen_as"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l.as_str().unwrap().contains("The key used is expired")));
    // The portal's hint is shown, never a secret value; the decoded view lists both secrets.
    assert_eq!(r["decoded"]["client_secrets"][0]["hint"], "q7X…");
    assert_eq!(r["decoded"]["client_secrets"].as_array().unwrap().len(), 2);

    let sp = inspect(&["testdata/apps/sp-saml-no-signing-key.json"]).json();
    let f = &sp["findings"][0];
    assert_eq!(f["evidence"]["leads_to"], "AADSTS50003");
    assert!(f["evidence"]["entra_says"]
        .as_str()
        .unwrap()
        .starts_with("AADSTS50003: Sign-in failed because of a missing signing key"));
}

#[test]
fn the_clock_decides_what_has_expired() {
    // A month earlier the expiring certificate is fine and the expired client certificate was
    // still valid, so only the secret that is past its date then remains.
    let run = keyprobe(&[
        "inspect",
        "--json",
        "--at",
        "2026-02-01T00:00:00Z",
        "testdata/apps/sp-saml-select-expiring.json",
    ]);
    assert_eq!(run.codes(), Vec::<String>::new(), "{}", run.stdout);
    let run = keyprobe(&[
        "inspect",
        "--json",
        "--at",
        "2026-06-20T00:00:00Z",
        "testdata/apps/sp-saml-select-expiring.json",
    ]);
    assert_eq!(run.codes(), ["cert-expired"], "{}", run.stdout);
}

#[test]
fn a_select_answer_is_matched_by_its_certificate() {
    let r = inspect(&["testdata/apps/sp-saml-select-expiring.json"]).json();
    let signing = &r["decoded"]["signing_certificates"][0];
    assert_eq!(signing["active"], true, "{r}");
    assert!(signing["thumbprint"]
        .as_str()
        .unwrap()
        .ends_with("(from the certificate in 'key')"));
    assert_eq!(
        signing["certificate"]["subject"],
        "CN=expiring signing certificate"
    );
}

#[test]
fn a_preferred_thumbprint_that_cannot_be_checked_is_a_warning_not_ok() {
    // customKeyIdentifier neither a thumbprint nor the SHA-256 recipe, and no certificate: the
    // dangling check cannot be made, and the report says so.
    let sp = json!({
        "servicePrincipalType": "Application", "preferredSingleSignOnMode": "saml",
        "preferredTokenSigningKeyThumbprint": "BDCA47550C2A26C6A990906CAB1AF7695951ADBD",
        "keyCredentials": [
            {"customKeyIdentifier": "Y3VzdG9t", "keyId": "s", "usage": "Sign", "type": "X509CertAndPassword", "key": null, "endDateTime": "2030-01-01T00:00:00Z"},
            {"customKeyIdentifier": "Y3VzdG9t", "keyId": "v", "usage": "Verify", "type": "AsymmetricX509Cert", "key": null, "endDateTime": "2030-01-01T00:00:00Z"}],
        "passwordCredentials": [{"keyId": "s", "endDateTime": "2030-01-01T00:00:00Z"}]
    });
    let run = keyprobe_stdin(
        &["inspect", "--json", "--at", AT, "-"],
        Some(sp.to_string().as_bytes()),
    );
    let r = run.json();
    assert_eq!(run.codes(), ["signing-key-dangling"], "{}", run.stdout);
    assert_eq!(r["findings"][0]["severity"], "warning");
    assert!(r["findings"][0]["evidence"]["check"]
        .as_str()
        .unwrap()
        .starts_with("skipped"));
}

#[test]
fn secrets_in_the_json_are_flagged_never_shown() {
    let sp = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#applications/$entity",
        "appId": "a", "keyCredentials": [],
        "passwordCredentials": [{"keyId": "p", "displayName": "new", "secretText": "Xq8~s3cr3t.value.never.printed", "endDateTime": "2027-01-01T00:00:00Z", "hint": "Xq8"}]
    });
    let run = keyprobe_stdin(
        &["inspect", "--json", "--at", AT, "-"],
        Some(sp.to_string().as_bytes()),
    );
    assert_eq!(run.codes(), ["private-key-material"], "{}", run.stdout);
    assert!(!run.stdout.contains("s3cr3t"));
    let human = keyprobe_stdin(
        &["inspect", "--at", AT, "-"],
        Some(sp.to_string().as_bytes()),
    );
    assert!(!human.stdout.contains("s3cr3t"));
}

// --- mock-sts's own answer in each scenario, shaped as Graph returns a servicePrincipal.

const SAML_APP: &str = "c3d4e5f6-0718-4293-a4b5-c6d7e8f90a1b";

fn get(url: &str) -> Value {
    let text = ureq::get(url)
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn post(url: &str) -> Value {
    let text = ureq::post(url)
        .header("Content-Type", "application/json")
        .send("{}")
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// GET /servicePrincipals/{id} for the SAML app, from mock-sts's Graph view of its certificates.
fn service_principal(mock: &mock_sts::BackgroundServer) -> Value {
    let view = get(&format!(
        "{}/_mock/apps/{SAML_APP}/certificates",
        mock.base_url()
    ));
    json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity",
        "id": "727a6432-1536-5845-81c4-feb2d6f01614",
        "appId": SAML_APP,
        "displayName": "Contoso SAML SP",
        "preferredSingleSignOnMode": "saml",
        "preferredTokenSigningKeyThumbprint": view["preferred_token_signing_key_thumbprint"],
        "servicePrincipalType": "Application",
        "keyCredentials": view["key_credentials"],
        "passwordCredentials": view["password_credentials"],
    })
}

fn inspect_now(dir: &std::path::Path, name: &str, sp: &Value) -> Run {
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(sp).unwrap()).unwrap();
    // mock-sts's certificates are made against the real clock, so keyprobe checks at now.
    keyprobe(&["inspect", "--json", path.to_str().unwrap()])
}

#[test]
fn mock_sts_scenarios_read_as_their_aadsts_cause() {
    let dir = std::env::temp_dir().join(format!("keyprobe-apps-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mock = mock_sts::Server::start_blocking(mock_sts::Options {
        state_dir: Some(dir.join("state")),
        ..Default::default()
    })
    .unwrap();
    for (scenario, codes, says) in [
        (mock_sts::Scenario::Healthy, vec![], ""),
        (
            mock_sts::Scenario::MissingSigningKey,
            vec!["no-signing-keys"],
            "AADSTS50003",
        ),
        (
            mock_sts::Scenario::DanglingSigningKey,
            vec!["signing-key-dangling"],
            "AADSTS50003",
        ),
        (
            mock_sts::Scenario::ExpiredSigningCert,
            vec!["cert-expired"],
            "not AADSTS50003",
        ),
    ] {
        mock.set_scenario(scenario);
        let sp = service_principal(&mock);
        let run = inspect_now(&dir, &format!("{scenario:?}"), &sp);
        let r = run.json();
        assert_eq!(r["kind"], "app-registration");
        assert_eq!(run.codes(), codes, "{scenario:?}: {}\n{sp:#}", run.stdout);
        if !says.is_empty() {
            assert!(
                r["findings"][0]["message"].as_str().unwrap().contains(says),
                "{scenario:?}: {}",
                run.stdout
            );
            assert_eq!(run.code, 1);
        }
    }

    // The fix, as the portal does it: a new certificate made active. Graph's view reads clean.
    mock.set_scenario(mock_sts::Scenario::MissingSigningKey);
    let base = format!("{}/_mock/apps/{SAML_APP}/certificates", mock.base_url());
    let made = post(&base);
    let thumbprint = made["thumbprint"].as_str().unwrap().to_string();
    let before = inspect_now(&dir, "made-not-active", &service_principal(&mock));
    assert_eq!(before.codes(), ["no-signing-keys"], "{}", before.stdout);
    assert!(before.json()["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("none is active"));
    post(&format!("{base}/{thumbprint}/activate"));
    let after = inspect_now(&dir, "activated", &service_principal(&mock));
    assert_eq!(after.codes(), Vec::<String>::new(), "{}", after.stdout);
    assert_eq!(after.code, 0);
    mock.shutdown();
    std::fs::remove_dir_all(&dir).ok();
}
