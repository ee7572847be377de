//! Entra's cross-origin rules at the token endpoint: a browser (a request with `Origin`) may redeem only what
//! was issued to a single-page-app redirect URI, only a browser may redeem that, and only answers to a
//! browser carry CORS headers.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::*;
use openssl::hash::{hash, MessageDigest};

const SPA_ORIGIN: &str = "http://localhost:3000";
const SPA_REDIRECT: &str = "http://localhost:3000/auth";
const WEB_REDIRECT: &str = "http://localhost:8080/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-verifier";

/// The default configuration, with a single-page-app redirect URI on the confidential web app (a hybrid
/// app, as the portal allows) and on the public client.
fn spa_config() -> String {
    let config = mock_sts::DEFAULT_CONFIG.replacen(
        "app_id_uris = [",
        &format!("spa_redirect_uris = [\"{SPA_REDIRECT}\"]\napp_id_uris = ["),
        1,
    );
    let config = config.replacen(
        "redirect_uris = [\"http://localhost\", \"http://127.0.0.1\"]",
        "redirect_uris = [\"http://localhost\", \"http://127.0.0.1\"]\nspa_redirect_uris = [\"https://spa.contoso.example/\"]",
        1,
    );
    assert_ne!(config, mock_sts::DEFAULT_CONFIG);
    config
}

fn token_path() -> String {
    format!("/{TENANT}/oauth2/v2.0/token")
}

/// Sign in at the authorize endpoint for `client_id` with `redirect`, with PKCE unless `pkce` is false.
fn code_for(mock: &Mock, client_id: &str, redirect: &str, pkce: bool) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("client_id", client_id)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", redirect)
        .append_pair("scope", "openid profile offline_access");
    if pkce {
        let challenge =
            URL_SAFE_NO_PAD.encode(hash(MessageDigest::sha256(), VERIFIER.as_bytes()).unwrap());
        query
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
    }
    let reply = mock.get(&format!(
        "/{TENANT}/oauth2/v2.0/authorize?{}",
        query.finish()
    ));
    assert_eq!(reply.status, 302, "{}", reply.text);
    param(&query_of(reply.header("location").unwrap(), '?'), "code")
        .expect("code")
        .to_string()
}

fn redeem(mock: &Mock, origin: Option<&str>, form: &[(&str, &str)]) -> Reply {
    match origin {
        Some(origin) => mock.post_form_with(&token_path(), ("origin", origin), form),
        None => mock.post_form(&token_path(), form),
    }
}

fn redemption<'a>(client_id: &'a str, code: &'a str, redirect: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("grant_type", "authorization_code"),
        ("client_id", client_id),
        ("code", code),
        ("redirect_uri", redirect),
        ("code_verifier", VERIFIER),
    ]
}

fn assert_cors(reply: &Reply) {
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("*"),
        "an answer to a browser carries CORS headers"
    );
}

fn assert_no_cors(reply: &Reply) {
    assert_eq!(
        reply.header("access-control-allow-origin"),
        None,
        "no CORS headers without Origin (as in the captured token response)"
    );
}

#[test]
fn a_spa_redirect_uri_redeemed_from_the_browser_gets_tokens_with_cors_and_no_secret() {
    let mock = Mock::with_config(&spa_config());
    let code = code_for(&mock, WEB_APP, SPA_REDIRECT, true);
    let reply = redeem(
        &mock,
        Some(SPA_ORIGIN),
        &redemption(WEB_APP, &code, SPA_REDIRECT),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_cors(&reply);
    assert_eq!(reply.header("cache-control"), Some("no-store, no-cache"));
    let body = reply.json();
    let (_, access) = jwt_parts(body["access_token"].as_str().unwrap());
    let acr = access.get("azpacr").or_else(|| access.get("appidacr"));
    assert_eq!(acr.unwrap(), "0", "a SPA is a public client: {access}");
    let refresh = body["refresh_token"].as_str().unwrap().to_string();

    // The SPA's refresh token: only the browser may redeem it, and redeeming it does not extend it.
    let refresh_form = [
        ("grant_type", "refresh_token"),
        ("client_id", WEB_APP),
        ("refresh_token", refresh.as_str()),
        ("scope", "openid offline_access"),
    ];
    let reply = redeem(&mock, None, &refresh_form);
    assert_entra_error(&reply, 400, "invalid_request", 9002327);
    assert_no_cors(&reply);
    assert!(reply.json()["error_description"]
        .as_str()
        .unwrap()
        .starts_with("AADSTS9002327: Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.\r\n"));
    let reply = redeem(&mock, Some(SPA_ORIGIN), &refresh_form);
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_cors(&reply);
    let next = reply.json()["refresh_token"].as_str().unwrap().to_string();
    let reply = redeem(
        &mock,
        Some(SPA_ORIGIN),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", WEB_APP),
            ("refresh_token", next.as_str()),
            ("client_secret", WEB_SECRET),
        ],
    );
    assert_entra_error(&reply, 400, "invalid_request", 9002326);
}

#[test]
fn a_web_redirect_uri_redeemed_from_the_browser_is_9002326_naming_the_origin() {
    let mock = Mock::with_config(&spa_config());
    let code = code_for(&mock, WEB_APP, WEB_REDIRECT, true);
    let mut form = redemption(WEB_APP, &code, WEB_REDIRECT);
    form.push(("client_secret", WEB_SECRET));
    let reply = redeem(&mock, Some(SPA_ORIGIN), &form);
    assert_entra_error(&reply, 400, "invalid_request", 9002326);
    assert_cors(&reply);
    let description = reply.json()["error_description"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        description.starts_with("AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: 'http://localhost:3000'.\r\n"),
        "{description}"
    );
    // The code was not used up by the refused request: the server may still redeem it.
    let reply = redeem(&mock, None, &form);
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_no_cors(&reply);
}

#[test]
fn a_public_client_redirect_uri_and_client_credentials_from_the_browser_are_refused() {
    let mock = Mock::with_config(&spa_config());
    let code = code_for(&mock, PUBLIC_APP, "http://localhost:53117/", true);
    let reply = redeem(
        &mock,
        Some("http://localhost:53117"),
        &redemption(PUBLIC_APP, &code, "http://localhost:53117/"),
    );
    assert_entra_error(&reply, 400, "invalid_request", 9002326);

    let scope = format!("api://{WEB_APP}/.default");
    let client_credentials = [
        ("grant_type", "client_credentials"),
        ("client_id", WEB_APP),
        ("client_secret", WEB_SECRET),
        ("scope", scope.as_str()),
    ];
    let reply = redeem(
        &mock,
        Some("https://app.contoso.example"),
        &client_credentials,
    );
    assert_entra_error(&reply, 400, "invalid_request", 9002326);
    assert!(reply.json()["error_description"]
        .as_str()
        .unwrap()
        .contains("Request origin: 'https://app.contoso.example'."));
    let reply = redeem(&mock, None, &client_credentials);
    assert_eq!(reply.status, 200, "no Origin: as before");
    assert_no_cors(&reply);
}

#[test]
fn a_spa_code_needs_the_browser_pkce_and_no_secret() {
    let mock = Mock::with_config(&spa_config());
    let code = code_for(&mock, PUBLIC_APP, "https://spa.contoso.example/", true);
    let form = redemption(PUBLIC_APP, &code, "https://spa.contoso.example/");
    let reply = redeem(&mock, None, &form);
    assert_entra_error(&reply, 400, "invalid_request", 9002327);
    let reply = redeem(&mock, Some("https://spa.contoso.example"), &form);
    assert_eq!(reply.status, 200, "{}", reply.text);

    let code = code_for(&mock, PUBLIC_APP, "https://spa.contoso.example/", false);
    let reply = redeem(
        &mock,
        Some("https://spa.contoso.example"),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", PUBLIC_APP),
            ("code", &code),
            ("redirect_uri", "https://spa.contoso.example/"),
        ],
    );
    assert_entra_error(&reply, 400, "invalid_request", 9002325);
    assert!(reply.json()["error_description"]
        .as_str()
        .unwrap()
        .starts_with("AADSTS9002325: Proof Key for Code Exchange is required for cross-origin authorization code redemption."));

    let code = code_for(&mock, WEB_APP, SPA_REDIRECT, true);
    let mut form = redemption(WEB_APP, &code, SPA_REDIRECT);
    form.push(("client_secret", WEB_SECRET));
    let reply = redeem(&mock, Some(SPA_ORIGIN), &form);
    assert_entra_error(&reply, 400, "invalid_request", 9002326);
}

#[test]
fn discovery_and_keys_answer_browsers_and_the_token_endpoint_answers_only_them() {
    let mock = Mock::start();
    for path in [
        format!("/{TENANT}/v2.0/.well-known/openid-configuration"),
        format!("/{TENANT}/discovery/v2.0/keys"),
    ] {
        let reply = mock.get(&path);
        assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
        assert_eq!(
            reply.header("access-control-allow-methods"),
            Some("GET, OPTIONS"),
            "as captured"
        );
    }
    let reply = mock.client_credentials();
    assert_eq!(reply.status, 200);
    assert_no_cors(&reply);
    let reply = mock.post_form(&token_path(), &[("grant_type", "client_credentials")]);
    assert_no_cors(&reply);
}

#[test]
fn a_redirect_uri_belongs_to_one_platform() {
    let config = mock_sts::DEFAULT_CONFIG.replacen(
        "app_id_uris = [",
        "spa_redirect_uris = [\"http://localhost:8080/callback\"]\napp_id_uris = [",
        1,
    );
    let error = mock_sts::LoadedConfig::parse(&config, "test.toml", None)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("tenants[0].apps[0].spa_redirect_uris") && error.contains("one platform"),
        "{error}"
    );
}
