//! Hints that fit the situation (issue 15, item 3), each derived from what the inputs show:
//! `key-not-found` tells another tenant, a rotated-out kid, a replayed cached copy, an app's own
//! key and an unpublished key apart; `cert-expired` advises by the role the certificate plays;
//! `signature-invalid` on re-indented XML says the whitespace changed after signing. Each is run
//! as a user would: against key sets served on loopback, and against mock-sts.

mod common;
// Shared with tests/fetch.rs, which uses the hostile replies this file does not.
#[allow(dead_code)]
#[path = "common/server.rs"]
mod server;

use common::*;
use serde_json::Value;
use server::{Reply, Server};

const TENANT: &str = "8eaef023-2b34-4da1-9baa-8bc8c9d6a490";
const OTHER_TENANT: &str = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
/// `azp` of the fixture tokens: the client the token was issued to.
const CLIENT: &str = "6731de76-14a6-49ae-97bc-6eba6914391e";

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(root().join(path)).unwrap()
}

/// The one finding with `code` in a one-report run.
#[track_caller]
fn only(run: &Run, code: &str) -> Value {
    let report = run.json();
    let found: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .collect();
    assert_eq!(found.len(), 1, "one {code} finding\n{}", run.stdout);
    found[0].clone()
}

fn hint(finding: &Value) -> &str {
    finding["hint"].as_str().unwrap()
}

/// The token whose kid is in no fixture key set, checked against `keys` with a fresh cache.
fn unknown_kid_against(server: &Server, keys: &str, extra: &[&str]) -> Run {
    let cache = server.scratch("cache");
    let mut args = vec![
        "testdata/tokens/rs256-unknown-kid.jwt",
        "--jwks",
        keys,
        "--cache-dir",
        cache.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    inspect(&args)
}

#[test]
fn key_not_found_for_another_resource_in_a_tenant_key_set_is_an_unpublished_key() {
    // aud 'api://keyprobe-test' names no application id: nothing points to an app's own key.
    let server = Server::http();
    let path = format!("/{TENANT}/discovery/v2.0/keys");
    server.route(
        &path,
        Reply::Ok("application/json", fixture("testdata/keys/jwks.json")),
    );
    let run = unknown_kid_against(&server, &server.url(&path), &[]);
    assert_finding(&run, "key-not-found", "error", 1);
    let f = only(&run, "key-not-found");
    assert_eq!(f["evidence"]["cause"]["situation"], "unpublished");
    assert!(!hint(&f).contains("--appid"), "{}", hint(&f));
}

#[test]
fn key_not_found_in_the_apps_fresh_key_set_is_an_unpublished_key() {
    let server = Server::http();
    let path = format!("/{TENANT}/discovery/v2.0/keys?appid={CLIENT}");
    server.route(
        &path,
        Reply::Ok("application/json", fixture("testdata/keys/jwks.json")),
    );
    let run = unknown_kid_against(&server, &server.url(&path), &[]);
    let f = only(&run, "key-not-found");
    assert_eq!(f["evidence"]["cause"]["situation"], "unpublished");
    assert!(hint(&f).contains("does not publish"), "{}", hint(&f));
    assert!(hint(&f).contains("fetched just now"), "{}", hint(&f));
}

#[test]
fn key_not_found_in_another_tenants_keys_names_both_tenants() {
    let server = Server::http();
    let path = format!("/{OTHER_TENANT}/discovery/v2.0/keys");
    server.route(
        &path,
        Reply::Ok("application/json", fixture("testdata/keys/jwks.json")),
    );
    let run = unknown_kid_against(&server, &server.url(&path), &[]);
    let f = only(&run, "key-not-found");
    assert_eq!(f["evidence"]["cause"]["situation"], "other-tenant");
    assert!(
        hint(&f).contains(&format!("from tenant {TENANT}"))
            && hint(&f).contains(&format!("tenant {OTHER_TENANT}'s")),
        "{}",
        hint(&f)
    );
}

/// The unknown-kid token (tenant TENANT) against the fixture key set, with a discovery document
/// whose issuer is `issuer` as --metadata.
fn unknown_kid_with_discovery_issuer(name: &str, issuer: &str) -> Value {
    let dir = std::env::temp_dir().join(format!("keyprobe-hints-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let discovery = dir.join("openid-configuration.json");
    let document = serde_json::json!({
        "issuer": issuer,
        "jwks_uri": "https://idp.example.test/keys",
        "authorization_endpoint": "https://idp.example.test/authorize",
        "token_endpoint": "https://idp.example.test/token",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    });
    std::fs::write(&discovery, document.to_string()).unwrap();
    let run = inspect(&[
        "testdata/tokens/rs256-unknown-kid.jwt",
        "--metadata",
        discovery.to_str().unwrap(),
        "--jwks",
        "testdata/keys/jwks.json",
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    only(&run, "key-not-found")
}

#[test]
fn key_not_found_with_another_tenants_discovery_file_names_both_tenants() {
    let f = unknown_kid_with_discovery_issuer(
        "tenant",
        &format!("https://login.microsoftonline.com/{OTHER_TENANT}/v2.0"),
    );
    assert_eq!(f["evidence"]["cause"]["situation"], "other-tenant", "{f}");
    assert!(
        hint(&f).contains(&format!("--tenant {TENANT})")),
        "{}",
        hint(&f)
    );
}

#[test]
fn key_not_found_with_another_issuers_discovery_names_both_issuers() {
    let f = unknown_kid_with_discovery_issuer("issuer", "https://idp.example.test/");
    assert_eq!(f["evidence"]["cause"]["situation"], "other-issuer", "{f}");
    assert!(
        hint(&f).contains("'https://idp.example.test/'"),
        "{}",
        hint(&f)
    );
}

#[test]
fn key_not_found_with_the_same_tenants_v1_issuer_is_not_another_issuer() {
    // One tenant signs v1 and v2 tokens with the same keys: nothing points anywhere.
    let f = unknown_kid_with_discovery_issuer("v1", &format!("https://sts.windows.net/{TENANT}/"));
    assert!(f["evidence"].get("cause").is_none(), "{f}");
    assert!(
        hint(&f).contains("nothing in the inputs says why"),
        "{}",
        hint(&f)
    );
}

#[test]
fn key_not_found_in_a_cached_copy_says_to_fetch_again() {
    let server = Server::http();
    let path = format!("/{TENANT}/discovery/v2.0/keys");
    server.route(
        &path,
        Reply::Ok("application/json", fixture("testdata/keys/jwks.json")),
    );
    let keys = server.url(&path);
    let cache = server.scratch("replay");
    let cache = cache.to_str().unwrap();
    let token = "testdata/tokens/rs256-unknown-kid.jwt";
    let online = inspect(&[token, "--jwks", &keys, "--cache-dir", cache]);
    assert_eq!(online.code, 1, "{}", online.stdout);
    let offline = inspect(&[token, "--jwks", &keys, "--cache-dir", cache, "--offline"]);
    let f = only(&offline, "key-not-found");
    assert_eq!(f["evidence"]["cause"]["situation"], "cached-copy");
    assert!(hint(&f).contains("without --offline"), "{}", hint(&f));
}

#[test]
fn key_not_found_after_rotation_says_the_kid_was_rotated_out() {
    let server = Server::http();
    let both = String::from_utf8(fixture("testdata/keys/jwks-rotated.json")).unwrap();
    let mut only_new: Value = serde_json::from_str(&both).unwrap();
    only_new["keys"].as_array_mut().unwrap().truncate(1);
    let cache = server.scratch("rotation");
    let cache = cache.to_str().unwrap();
    let keys = server.url("/keys");
    let token = "testdata/tokens/rs256-valid.jwt";
    server.route("/keys", Reply::Ok("application/json", both.into_bytes()));
    assert_eq!(
        inspect(&[token, "--jwks", &keys, "--cache-dir", cache]).code,
        0
    );
    server.route(
        "/keys",
        Reply::Ok("application/json", serde_json::to_vec(&only_new).unwrap()),
    );
    let run = inspect(&[token, "--jwks", &keys, "--cache-dir", cache]);
    let f = only(&run, "key-not-found");
    assert_eq!(f["evidence"]["cause"]["situation"], "rotated-out");
    assert!(
        hint(&f).contains("the issuer rotated it out"),
        "{}",
        hint(&f)
    );
    assert!(hint(&f).contains("get a new token"), "{}", hint(&f));
}

#[test]
fn key_not_found_in_a_key_set_file_keeps_the_general_hint() {
    let run = inspect(&[
        "testdata/tokens/rs256-unknown-kid.jwt",
        "--jwks",
        "testdata/keys/jwks.json",
    ]);
    let f = only(&run, "key-not-found");
    assert!(f["evidence"].get("cause").is_none(), "{f}");
    assert!(
        hint(&f).contains("nothing in the inputs says why"),
        "{}",
        hint(&f)
    );
}

#[test]
fn cert_expired_on_a_token_signing_key_says_to_fetch_or_roll_the_key() {
    let run = inspect(&[
        "testdata/tokens/expired-cert-key.jwt",
        "--jwks",
        "testdata/keys/jwks-expired-cert.json",
    ]);
    let h = hint(&only(&run, "cert-expired")).to_string();
    assert!(h.contains("token-signing key"), "{h}");
    assert!(!h.contains("SAML"), "{h}");
}

#[test]
fn cert_expired_on_an_identity_providers_saml_certificate_says_the_idp_renews_it() {
    let run = inspect(&[
        "testdata/saml/response-expired-cert.xml",
        "--cert",
        "testdata/saml/expired-signing.pem",
    ]);
    let h = hint(&only(&run, "cert-expired")).to_string();
    // Not one Entra made: the identity provider renews it, whoever that is.
    assert!(
        h.contains("identity provider's SAML signing certificate"),
        "{h}"
    );
    assert!(!h.contains("enterprise application"), "{h}");
}

/// A self-signed certificate that expired in 2025 (before the pinned clock), with a CN and an
/// extended key usage.
fn expired_certificate(cn: &str, eku: Option<&str>) -> String {
    use openssl::asn1::Asn1Time;
    use openssl::hash::MessageDigest;
    use openssl::pkey::PKey;
    use openssl::rsa::Rsa;
    use openssl::x509::extension::ExtendedKeyUsage;
    use openssl::x509::{X509Builder, X509NameBuilder};
    let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
    let mut name = X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", cn).unwrap();
    let name = name.build();
    let mut b = X509Builder::new().unwrap();
    b.set_version(2).unwrap();
    b.set_subject_name(&name).unwrap();
    b.set_issuer_name(&name).unwrap();
    b.set_pubkey(&key).unwrap();
    b.set_not_before(&Asn1Time::from_str("20240101000000Z").unwrap())
        .unwrap();
    b.set_not_after(&Asn1Time::from_str("20250101000000Z").unwrap())
        .unwrap();
    match eku {
        Some("serverAuth") => b
            .append_extension(ExtendedKeyUsage::new().server_auth().build().unwrap())
            .unwrap(),
        Some("clientAuth") => b
            .append_extension(ExtendedKeyUsage::new().client_auth().build().unwrap())
            .unwrap(),
        _ => {}
    }
    b.sign(&key, MessageDigest::sha256()).unwrap();
    String::from_utf8(b.build().to_pem().unwrap()).unwrap()
}

fn expired_hint_for(pem: &str) -> String {
    let run = keyprobe_stdin(
        &["inspect", "--json", "--at", AT, "-"],
        Some(pem.as_bytes()),
    );
    hint(&only(&run, "cert-expired")).to_string()
}

#[test]
fn cert_expired_by_role_tls_client_credential_and_entra_tenant_key() {
    let tls = expired_hint_for(&expired_certificate(
        "api.contoso.example",
        Some("serverAuth"),
    ));
    assert!(tls.contains("TLS server certificate"), "{tls}");
    let client = expired_hint_for(&expired_certificate("daemon", Some("clientAuth")));
    assert!(client.contains("app registration"), "{client}");
    let tenant = expired_hint_for(&expired_certificate(
        "accounts.accesscontrol.windows.net",
        None,
    ));
    assert!(
        tenant.contains("Microsoft publishes for Entra ID"),
        "{tenant}"
    );
    // Nothing says what a bare certificate is for: the catalogue's hint stands.
    let unknown = expired_hint_for(&expired_certificate("something", None));
    assert!(
        !unknown.contains("TLS") && !unknown.contains("client certificate"),
        "{unknown}"
    );
}

/// What an XML viewer or editor does when it "pretty-prints" a document.
fn pretty_printed(xml: &str) -> String {
    xml.replace("><", ">\n  <")
}

fn saml_against_idp_cert(xml: &str) -> Run {
    keyprobe_stdin(
        &[
            "inspect",
            "--json",
            "--at",
            AT,
            "--cert",
            "testdata/saml/idp-signing.pem",
            "-",
        ],
        Some(xml.as_bytes()),
    )
}

#[test]
fn signature_invalid_on_re_indented_xml_says_the_whitespace_changed_after_signing() {
    let signed = String::from_utf8(fixture("testdata/saml/response-signed.xml")).unwrap();
    let run = saml_against_idp_cert(&pretty_printed(&signed));
    let f = only(&run, "signature-invalid");
    assert_eq!(f["evidence"]["reason"], "whitespace changed after signing");
    assert!(f["evidence"]["verifies_unindented"]
        .as_str()
        .unwrap()
        .contains("idp-signing.pem"));
    assert!(hint(&f).contains("reformatting breaks it"), "{}", hint(&f));
    // The subject is still not covered by a verified signature.
    assert_eq!(run.json()["verdict"], "error");
}

#[test]
fn signature_invalid_on_re_indented_and_edited_xml_is_a_changed_content() {
    // Re-indented, and a value changed: removing the whitespace does not make it verify, so
    // nothing says the whitespace is all that changed.
    let signed = String::from_utf8(fixture("testdata/saml/response-signed.xml")).unwrap();
    let edited =
        pretty_printed(&signed).replace("alice@contoso.example", "mallory@contoso.example");
    assert_ne!(edited, pretty_printed(&signed));
    for run in [
        saml_against_idp_cert(&edited),
        inspect(&[
            "testdata/saml/response-tampered.xml",
            "--cert",
            "testdata/saml/idp-signing.pem",
        ]),
    ] {
        let f = only(&run, "signature-invalid");
        assert_eq!(f["evidence"]["reason"], "reference digest", "{f}");
        assert!(!hint(&f).contains("reformatting breaks it"), "{}", hint(&f));
    }
}

// --- Against mock-sts, as a relying party would meet each situation.

const MOCK_APP: &str = "4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8";
const MOCK_SECRET: &str = "mock~Secret.ForTests_0123456789abcdefghijkl";
const MOCK_SAML_APP: &str = "c3d4e5f6-0718-4293-a4b5-c6d7e8f90a1b";
const FABRIKAM: &str = "0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0";

/// mock-sts with its default configuration, where the confidential app has its own signing key
/// (served with ?appid=), and a second tenant.
fn mock(name: &str) -> (mock_sts::BackgroundServer, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("keyprobe-hints-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let default = include_str!("../mock-sts/src/default-config.toml");
    let uri = format!("app_id_uris = [\"api://{MOCK_APP}\"]");
    assert!(default.contains(&uri));
    let config = default.replacen(&uri, &format!("{uri}\ncustom_signing_key = true"), 1)
        + &format!(
            r#"
[[tenants]]
id = "{FABRIKAM}"
display_name = "Fabrikam"
domains = ["fabrikam.example"]
"#
        );
    let config = mock_sts::LoadedConfig::parse(&config, "hints test", None).unwrap();
    let server = mock_sts::Server::start_blocking(mock_sts::Options {
        config: Some(config),
        state_dir: Some(dir.join("state")),
        ..Default::default()
    })
    .unwrap();
    (server, dir)
}

/// A client-credentials access token for `scope` from the mock's first tenant.
fn mock_token(mock: &mock_sts::BackgroundServer, scope: &str) -> String {
    let url = format!("{}/{}/oauth2/v2.0/token", mock.base_url(), mock.tenant_id());
    let text = ureq::post(&url)
        .send_form([
            ("grant_type", "client_credentials"),
            ("client_id", MOCK_APP),
            ("client_secret", MOCK_SECRET),
            ("scope", scope),
        ])
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    body["access_token"].as_str().unwrap().to_string()
}

/// `keyprobe inspect --json TOKEN ARGS…` at the real clock (the mock's keys are made now).
fn inspect_now(token: &str, cache: &std::path::Path, args: &[&str]) -> Run {
    let mut all = vec!["inspect", "--json", "--cache-dir", cache.to_str().unwrap()];
    all.extend_from_slice(args);
    all.push("-");
    keyprobe_stdin(&all, Some(token.as_bytes()))
}

#[test]
fn key_not_found_for_an_app_with_its_own_key_names_the_command_that_verifies() {
    let (mock, dir) = mock("app-key");
    let base = mock.base_url().to_string();
    let tenant = mock.tenant_id().to_string();
    let cache = dir.join("cache");
    // A token for the app's own API: signed with the app's key.
    let token = mock_token(&mock, &format!("api://{MOCK_APP}/.default"));
    let tenant_keys = format!("{base}/{tenant}/discovery/v2.0/keys");

    let run = inspect_now(&token, &cache, &["--jwks", &tenant_keys]);
    let f = only(&run, "key-not-found");
    let cause = &f["evidence"]["cause"];
    assert_eq!(cause["situation"], "app-specific-key", "{f}");
    assert_eq!(cause["appid"], MOCK_APP);
    assert_eq!(
        cause["app_key_set"],
        format!("{tenant_keys}?appid={MOCK_APP}")
    );
    let command = format!("--tenant {tenant} --authority {base} --appid {MOCK_APP}");
    assert!(hint(&f).contains(&command), "{}", hint(&f));

    // The command the hint gives verifies the token.
    let args: Vec<&str> = command.split(' ').collect();
    let followed = inspect_now(&token, &cache, &args);
    assert_eq!(followed.code, 0, "{}", followed.stdout);
    assert_eq!(followed.json()["verdict"], "ok");

    // Replayed from the cache, the same key set is an old copy, not a verdict on the issuer.
    let offline = inspect_now(&token, &cache, &["--jwks", &tenant_keys, "--offline"]);
    let f = only(&offline, "key-not-found");
    assert_eq!(f["evidence"]["cause"]["situation"], "cached-copy");
    assert!(hint(&f).contains("without --offline"), "{}", hint(&f));

    // Against the other tenant's keys: the tenants are named, and the command asks the token's.
    let other = inspect_now(
        &token,
        &cache,
        &["--jwks", &format!("{base}/{FABRIKAM}/discovery/v2.0/keys")],
    );
    let f = only(&other, "key-not-found");
    assert_eq!(f["evidence"]["cause"]["situation"], "other-tenant");
    assert_eq!(f["evidence"]["cause"]["keys_tenant"], FABRIKAM);
    assert!(
        hint(&f).contains(&format!(
            "from tenant {tenant} but the keys are tenant {FABRIKAM}'s"
        )) && hint(&f).contains(&format!("--tenant {tenant} --authority {base}")),
        "{}",
        hint(&f)
    );
    mock.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn key_not_found_when_the_issuer_signs_with_an_unpublished_key_says_so() {
    let (mock, dir) = mock("unpublished");
    mock.set_scenario(mock_sts::Scenario::UnpublishedSigningKey);
    let token = mock_token(&mock, "https://graph.microsoft.com/.default");
    let run = inspect_now(
        &token,
        &dir.join("cache"),
        &["--tenant", mock.tenant_id(), "--authority", mock.base_url()],
    );
    let f = only(&run, "key-not-found");
    assert_eq!(f["evidence"]["cause"]["situation"], "unpublished", "{f}");
    assert!(hint(&f).contains("fetched just now"), "{}", hint(&f));
    assert!(hint(&f).contains("does not publish"), "{}", hint(&f));
    mock.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cert_expired_on_an_entra_apps_saml_certificate_says_to_make_a_new_one_active() {
    let (mock, dir) = mock("saml-cert");
    mock.set_scenario(mock_sts::Scenario::ExpiredSigningCert);
    let url = format!(
        "{}/{}/federationmetadata/2007-06/federationmetadata.xml?appid={MOCK_SAML_APP}",
        mock.base_url(),
        mock.tenant_id()
    );
    let cache = dir.join("cache");
    let run = keyprobe(&[
        "inspect",
        "--json",
        "--cache-dir",
        cache.to_str().unwrap(),
        &url,
    ]);
    let h = hint(&only(&run, "cert-expired")).to_string();
    assert!(
        h.contains("Entra application's SAML signing certificate"),
        "{h}"
    );
    assert!(h.contains("make it active"), "{h}");
    mock.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
