//! Scenarios switched at run time or at start, and the control API.

mod common;

use common::*;
use mock_sts::Scenario;
use serde_json::json;

fn jwks(mock: &Mock) -> serde_json::Value {
    mock.get(&format!("/{TENANT}/discovery/v2.0/keys")).json()
}

fn kids(jwks: &serde_json::Value) -> Vec<String> {
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect()
}

fn token_kid(token: &str) -> String {
    jwt_parts(token).0["kid"].as_str().unwrap().to_string()
}

fn access_token(mock: &Mock) -> String {
    let reply = mock.client_credentials();
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()["access_token"].as_str().unwrap().to_string()
}

#[test]
fn unpublished_signing_key_signs_with_a_kid_the_jwks_lacks() {
    let mock = Mock::start();
    let healthy = access_token(&mock);
    assert!(kids(&jwks(&mock)).contains(&token_kid(&healthy)));

    let reply = mock.put_json(
        "/_mock/scenario",
        &json!({"scenario": "unpublished-signing-key"}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.json(),
        json!({"scenario": "unpublished-signing-key", "previous": "healthy"})
    );
    let token = access_token(&mock);
    let published = jwks(&mock);
    assert!(
        !kids(&published).contains(&token_kid(&token)),
        "the signing kid must be missing from the JWKS"
    );
    assert_eq!(verify_with_jwks(&token, &published), None);
    assert_eq!(
        mock.get("/_mock/health").json()["scenario"],
        "unpublished-signing-key"
    );
}

#[test]
fn rotated_keys_publish_new_and_old_and_sign_with_new() {
    let mock = Mock::with_scenario(Scenario::RotatedKeys);
    let published = jwks(&mock);
    let kids = kids(&published);
    // The new key, then the healthy set (the old signing key second among them).
    assert_eq!(kids.len(), 4);
    let token = access_token(&mock);
    assert_eq!(
        token_kid(&token),
        kids[0],
        "signed with the new key, listed first"
    );
    assert_eq!(verify_with_jwks(&token, &published), Some(true));
    let healthy = Mock::start();
    let old = token_kid(&access_token(&healthy));
    assert_eq!(kids[2], old, "the old signing key stays published");
    assert_eq!(kids[1..], self::kids(&jwks(&healthy))[..]);
    healthy.stop();
}

#[test]
fn key_rotation_promotes_the_next_key_and_keeps_the_old_one_published() {
    let mock = Mock::start();
    let before = access_token(&mock);
    let reply = mock.post_json("/_mock/keys/rotate", &json!({}));
    assert_eq!(reply.status, 200, "{}", reply.text);
    let rotation = reply.json();
    assert_eq!(rotation["retired_kid"], token_kid(&before));
    let after = access_token(&mock);
    assert_ne!(token_kid(&after), token_kid(&before));
    assert_eq!(rotation["signing_kid"], token_kid(&after));
    let published = jwks(&mock);
    assert_eq!(
        verify_with_jwks(&before, &published),
        Some(true),
        "old tokens still verify"
    );
    assert_eq!(verify_with_jwks(&after, &published), Some(true));
}

#[test]
fn custom_signing_key_required_is_aadsts50146_like_the_capture() {
    let mock = Mock::with_scenario(Scenario::CustomSigningKeyRequired);
    let reply = mock.client_credentials();
    assert_entra_error(&reply, 400, "invalid_request", 50146);
    let capture = sample_json("errors/real-invalid_request-50146-2025.json");
    let captured_text = capture["error_description"]
        .as_str()
        .unwrap()
        .split(" [...")
        .next()
        .unwrap();
    let description = reply.json()["error_description"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(description.starts_with(captured_text), "{description}");

    // Browser flow: the error goes back to the app.
    let path = format!(
        "/{TENANT}/oauth2/v2.0/authorize?client_id={WEB_APP}&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fcallback&scope=openid"
    );
    let reply = mock.get(&path);
    let pairs = query_of(reply.header("location").unwrap(), '?');
    assert_eq!(param(&pairs, "error"), Some("invalid_request"));
    assert!(param(&pairs, "error_description")
        .unwrap()
        .starts_with("AADSTS50146: "));

    // Back to healthy: works again.
    mock.put_json("/_mock/scenario", &json!({"scenario": "healthy"}));
    assert_eq!(mock.client_credentials().status, 200);
}

#[test]
fn an_app_with_its_own_signing_key_is_served_by_appid_and_passes_custom_signing_key_required() {
    let config = mock_sts::DEFAULT_CONFIG.replacen(
        "access_token_version = 2",
        "access_token_version = 2\ncustom_signing_key = true\nrequires_custom_signing_key = true",
        1,
    );
    let mock = Mock::with_config(&config);
    mock.server()
        .set_scenario(Scenario::CustomSigningKeyRequired);
    let token = access_token(&mock);
    let app_keys = mock
        .get(&format!("/{TENANT}/discovery/v2.0/keys?appid={WEB_APP}"))
        .json();
    assert_eq!(kids(&app_keys), vec![token_kid(&token)]);
    assert_eq!(verify_with_jwks(&token, &app_keys), Some(true));
    // v1 discovery leads to the same key, as a v1 client (Microsoft.Owin, ADAL-era middleware) finds it.
    for discovery in [
        format!("/{TENANT}/.well-known/openid-configuration?appid={WEB_APP}"),
        format!("/{TENANT}/v2.0/.well-known/openid-configuration?appid={WEB_APP}"),
    ] {
        let doc = mock.get(&discovery).json();
        let jwks_uri = doc["jwks_uri"].as_str().unwrap();
        let path = jwks_uri.strip_prefix(mock.base.as_str()).unwrap();
        let found = mock.get(path).json();
        assert_eq!(kids(&found), vec![token_kid(&token)], "{discovery}");
        assert_eq!(verify_with_jwks(&token, &found), Some(true), "{discovery}");
    }
    let v1_without = mock
        .get(&format!("/{TENANT}/.well-known/openid-configuration"))
        .json();
    assert_eq!(
        v1_without["jwks_uri"],
        format!("{}/common/discovery/keys", mock.base)
    );
    assert!(
        !kids(&jwks(&mock)).contains(&token_kid(&token)),
        "the tenant key set does not carry the app's key"
    );
}

#[test]
fn saml_scenarios_are_accepted_and_leave_oidc_healthy() {
    let mock = Mock::start();
    for name in [
        "missing-signing-key",
        "dangling-signing-key",
        "expired-signing-cert",
    ] {
        let reply = mock.put_json("/_mock/scenario", &json!({"scenario": name}));
        assert_eq!(reply.status, 200, "{name}: {}", reply.text);
        let token = access_token(&mock);
        assert_eq!(verify_with_jwks(&token, &jwks(&mock)), Some(true), "{name}");
    }
}

#[test]
fn unknown_scenarios_and_bad_control_bodies_are_400() {
    let mock = Mock::start();
    let reply = mock.put_json("/_mock/scenario", &json!({"scenario": "sunny"}));
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["error"], "unknown_scenario");
    assert_eq!(
        reply.json()["known"].as_array().unwrap().len(),
        mock_sts::Scenario::ALL.len()
    );
    let reply = mock.post_raw("/_mock/token", "application/json", b"{not json".to_vec());
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["error"], "invalid_json");
}

#[test]
fn minted_tokens_carry_the_given_claims_over_entras_defaults() {
    let mock = Mock::start();
    let reply = mock.post_json(
        "/_mock/token",
        &json!({"claims": {"aud": "api://my-api", "roles": ["Admin"], "sub": "tester"}}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    let token = body["token"].as_str().unwrap();
    let (header, claims) = jwt_parts(token);
    assert_eq!(header["kid"], body["kid"]);
    assert_eq!(claims["aud"], "api://my-api");
    assert_eq!(claims["roles"], json!(["Admin"]));
    assert_eq!(claims["iss"], format!("{}/{TENANT}/v2.0", mock.base));
    assert_eq!(claims["tid"], TENANT);
    assert_eq!(verify_with_jwks(token, &jwks(&mock)), Some(true));

    let v1 = mock
        .post_json(
            "/_mock/token",
            &json!({"version": 1, "lifetime_seconds": -60}),
        )
        .json();
    let (header, claims) = jwt_parts(v1["token"].as_str().unwrap());
    assert!(header.get("x5t").is_some());
    assert_eq!(claims["iss"], format!("https://sts.windows.net/{TENANT}/"));
    assert!(
        claims["exp"].as_i64().unwrap() < claims["iat"].as_i64().unwrap() + 300,
        "already expired"
    );
}

#[test]
fn config_and_health_show_what_is_in_force() {
    let mock = Mock::start();
    let health = mock.get("/_mock/health");
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");
    let config = mock.get("/_mock/config").json();
    assert_eq!(config["origin"], "embedded default configuration");
    let tenant = &config["tenants"][0];
    assert_eq!(tenant["id"], TENANT);
    assert_eq!(tenant["apps"][0]["client_id"], WEB_APP);
    assert_eq!(tenant["apps"][0]["secrets"][0]["value"], WEB_SECRET);
    assert_eq!(
        tenant["apps"][2]["saml"]["acs_url"],
        "https://sp.contoso.example/saml/acs"
    );
    assert_eq!(tenant["apps"][2]["client_id"], SAML_APP);
    assert_eq!(tenant["users"].as_array().unwrap().len(), 2);
    assert_eq!(
        config["signing_keys"]["published_kids"],
        json!(kids(&jwks(&mock)))
    );
}

#[test]
fn tls_serves_with_a_certificate_the_printed_ca_trusts() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("mock-sts-tls-state");
    let mock = Mock::with(mock_sts::Options {
        tls: true,
        state_dir: Some(dir.clone()),
        ..Default::default()
    });
    assert!(mock.base.starts_with("https://127.0.0.1:"));
    assert_eq!(
        mock.server().ca_pem_path(),
        Some(dir.join("tls-ca.pem").as_path())
    );
    let reply = mock.get(&format!("/{TENANT}/v2.0/.well-known/openid-configuration"));
    assert_eq!(reply.status, 200);
    assert!(reply.json()["issuer"]
        .as_str()
        .unwrap()
        .starts_with("https://127.0.0.1:"));
    mock.stop();
}

const OTHER_TENANT: &str = "0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9";
const OTHER_APP: &str = "1b2c3d4e-5f60-4172-8384-a5b6c7d8e9f0";

fn two_tenants() -> String {
    format!(
        "{}\n[[tenants]]\nid = \"{OTHER_TENANT}\"\ndomains = [\"fabrikam.example\"]\n[[tenants.apps]]\nclient_id = \"{OTHER_APP}\"\nkind = \"confidential\"\naccess_token_version = 2\napp_id_uris = [\"api://fabrikam\"]\n[[tenants.apps.secrets]]\nvalue = \"fabrikam-secret\"\n",
        mock_sts::DEFAULT_CONFIG
    )
}

#[test]
fn a_scenario_can_be_set_for_one_tenant_and_a_server_wide_one_clears_it() {
    let mock = Mock::with_config(&two_tenants());
    let other_token = |mock: &Mock| {
        let reply = mock.post_form(
            &format!("/{OTHER_TENANT}/oauth2/v2.0/token"),
            &[
                ("grant_type", "client_credentials"),
                ("client_id", OTHER_APP),
                ("client_secret", "fabrikam-secret"),
                ("scope", "api://fabrikam/.default"),
            ],
        );
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.json()["access_token"].as_str().unwrap().to_string()
    };
    let other_jwks = |mock: &Mock| {
        mock.get(&format!("/{OTHER_TENANT}/discovery/v2.0/keys"))
            .json()
    };

    let reply = mock.put_json(
        "/_mock/scenario",
        &json!({"scenario": "unpublished-signing-key", "tenant": "fabrikam.example"}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["tenant"], OTHER_TENANT);
    assert_eq!(
        verify_with_jwks(&other_token(&mock), &other_jwks(&mock)),
        None,
        "fabrikam signs with an unpublished key"
    );
    assert_eq!(
        verify_with_jwks(&access_token(&mock), &jwks(&mock)),
        Some(true),
        "contoso stays healthy"
    );
    let state = mock.get("/_mock/scenario").json();
    assert_eq!(
        state,
        json!({"scenario": "healthy", "tenants": {OTHER_TENANT: "unpublished-signing-key"}})
    );

    mock.put_json("/_mock/scenario", &json!({"scenario": "healthy"}));
    assert_eq!(
        verify_with_jwks(&other_token(&mock), &other_jwks(&mock)),
        Some(true)
    );
    assert_eq!(mock.get("/_mock/scenario").json()["tenants"], json!({}));

    let reply = mock.put_json(
        "/_mock/scenario",
        &json!({"scenario": "healthy", "tenant": "nowhere.example"}),
    );
    assert_eq!(reply.status, 400);
    assert_eq!(reply.json()["error"], "unknown_tenant");
}
