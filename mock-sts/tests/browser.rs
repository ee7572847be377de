//! Browser flows: authorize with PKCE and every response mode, the sign-in page, code redemption, refresh
//! tokens, userinfo, logout, and the error page.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::*;
use openssl::hash::{hash, MessageDigest};
use serde_json::json;

const REDIRECT: &str = "http://localhost:8080/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-verifier";

fn challenge() -> String {
    URL_SAFE_NO_PAD.encode(hash(MessageDigest::sha256(), VERIFIER.as_bytes()).unwrap())
}

fn authorize_path(extra: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("client_id", WEB_APP)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("scope", "openid profile email offline_access")
        .append_pair("state", "st-123")
        .append_pair("nonce", "n-456");
    for (name, value) in extra {
        query.append_pair(name, value);
    }
    format!("/{TENANT}/oauth2/v2.0/authorize?{}", query.finish())
}

/// Authorize with PKCE S256 and return the code.
fn code_for(mock: &Mock, extra: &[(&str, &str)]) -> String {
    let challenge = challenge();
    let mut params = vec![
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    params.extend_from_slice(extra);
    let reply = mock.get(&authorize_path(&params));
    assert_eq!(reply.status, 302, "{}", reply.text);
    let location = reply.header("location").unwrap();
    assert!(location.starts_with(&format!("{REDIRECT}?")), "{location}");
    let pairs = query_of(location, '?');
    assert_eq!(param(&pairs, "state"), Some("st-123"));
    param(&pairs, "code").expect("code").to_string()
}

fn redeem(mock: &Mock, code: &str, verifier: &str) -> Reply {
    mock.post_form(
        &format!("/{TENANT}/oauth2/v2.0/token"),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", WEB_APP),
            ("client_secret", WEB_SECRET),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
            ("client_info", "1"),
        ],
    )
}

#[test]
fn code_flow_with_pkce_gives_access_id_and_refresh_tokens_and_client_info() {
    let mock = Mock::start();
    let code = code_for(&mock, &[("login_hint", "bob@contoso.onmicrosoft.com")]);
    let reply = redeem(&mock, &code, VERIFIER);
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    assert_eq!(
        member_names(&body),
        [
            "token_type",
            "scope",
            "expires_in",
            "ext_expires_in",
            "access_token",
            "refresh_token",
            "id_token",
            "client_info"
        ]
    );
    let (_, id) = jwt_parts(body["id_token"].as_str().unwrap());
    assert_eq!(id["aud"], WEB_APP);
    assert_eq!(id["iss"], format!("{}/{TENANT}/v2.0", mock.base));
    assert_eq!(id["nonce"], "n-456");
    assert_eq!(id["preferred_username"], "bob@contoso.onmicrosoft.com");
    assert_eq!(id["email"], "bob@contoso.example");
    assert_eq!(id["ver"], "2.0");
    let info: serde_json::Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(body["client_info"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(info, json!({"uid": id["oid"], "utid": TENANT}));
    let (_, access) = jwt_parts(body["access_token"].as_str().unwrap());
    assert_eq!(access["scp"], "openid profile email User.Read");
    assert_eq!(
        id["sub"].as_str().unwrap().len(),
        43,
        "Entra's pairwise sub is 43 base64url characters"
    );

    // userinfo with the access token.
    let bearer = format!("Bearer {}", body["access_token"].as_str().unwrap());
    let info = mock.get_with("/oidc/userinfo", ("authorization", &bearer));
    assert_eq!(info.status, 200, "{}", info.text);
    assert_eq!(info.json()["name"], "Bob Example");
    let denied = mock.get_with("/oidc/userinfo", ("authorization", "Bearer nonsense"));
    assert_eq!(denied.status, 401);

    // The code works once.
    let replay = redeem(&mock, &code, VERIFIER);
    assert_entra_error(&replay, 400, "invalid_grant", 54005);

    // Refresh.
    let refreshed = mock.post_form(
        &format!("/{TENANT}/oauth2/v2.0/token"),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", WEB_APP),
            ("client_secret", WEB_SECRET),
            ("refresh_token", body["refresh_token"].as_str().unwrap()),
        ],
    );
    assert_eq!(refreshed.status, 200, "{}", refreshed.text);
    assert!(refreshed.json()["access_token"].is_string());
    let bad_refresh = mock.post_form(
        &format!("/{TENANT}/oauth2/v2.0/token"),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", WEB_APP),
            ("client_secret", WEB_SECRET),
            ("refresh_token", "garbage"),
        ],
    );
    assert_entra_error(&bad_refresh, 400, "invalid_request", 9002313);
}

#[test]
fn pkce_mismatch_unknown_code_and_api_scopes() {
    let mock = Mock::start();
    let code = code_for(&mock, &[]);
    assert_entra_error(
        &redeem(
            &mock,
            &code,
            "the-wrong-verifier-the-wrong-verifier-the-wrong",
        ),
        400,
        "invalid_grant",
        501481,
    );
    assert_entra_error(
        &redeem(&mock, "1.Anot-a-code", VERIFIER),
        400,
        "invalid_request",
        9002313,
    );

    let api_scope = format!("api://{WEB_APP}/access_as_user");
    let challenge = challenge();
    let reply = mock.get(
        &authorize_path(&[
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ])
        .replace(
            "scope=openid+profile+email+offline_access",
            &format!("scope=openid+{}", urlencode(&api_scope)),
        ),
    );
    let code = param(&query_of(reply.header("location").unwrap(), '?'), "code")
        .unwrap()
        .to_string();
    let body = redeem(&mock, &code, VERIFIER).json();
    assert_eq!(body["scope"], api_scope);
    assert!(
        body.get("refresh_token").is_none(),
        "no offline_access, no refresh token"
    );
    let (_, access) = jwt_parts(body["access_token"].as_str().unwrap());
    assert_eq!(access["aud"], WEB_APP);
    assert_eq!(access["scp"], "access_as_user");
    assert_eq!(
        access["name"], "Alice Example",
        "the first user signs in when no hint is given"
    );
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[test]
fn public_client_uses_pkce_without_a_secret_on_any_loopback_port() {
    let mock = Mock::start();
    let challenge = challenge();
    let redirect = "http://localhost:53117/";
    let path = format!(
        "/{TENANT}/oauth2/v2.0/authorize?client_id={PUBLIC_APP}&response_type=code&redirect_uri={}&scope=openid&code_challenge={challenge}&code_challenge_method=S256",
        urlencode(redirect)
    );
    let reply = mock.get(&path);
    assert_eq!(reply.status, 302, "{}", reply.text);
    let code = param(&query_of(reply.header("location").unwrap(), '?'), "code")
        .unwrap()
        .to_string();
    let reply = mock.post_form(
        &format!("/{TENANT}/oauth2/v2.0/token"),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", PUBLIC_APP),
            ("code", &code),
            ("redirect_uri", redirect),
            ("code_verifier", VERIFIER),
        ],
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[test]
fn id_token_by_fragment_and_code_by_form_post() {
    let mock = Mock::start();
    let reply =
        mock.get(&authorize_path(&[]).replace("response_type=code", "response_type=id_token"));
    assert_eq!(reply.status, 302);
    let location = reply.header("location").unwrap();
    assert!(location.starts_with(&format!("{REDIRECT}#")), "{location}");
    let pairs = query_of(location, '#');
    let (header, claims) = jwt_parts(param(&pairs, "id_token").unwrap());
    assert_eq!(member_names(&header), ["typ", "alg", "kid"]);
    assert_eq!(claims["nonce"], "n-456");

    let reply = mock.get(&authorize_path(&[("response_mode", "form_post")]));
    assert_eq!(reply.status, 200);
    assert!(
        reply.text.contains(&format!("action=\"{REDIRECT}\"")),
        "{}",
        reply.text
    );
    assert!(reply.text.contains("name=\"code\""));
    assert!(reply.text.contains("name=\"state\" value=\"st-123\""));

    let v1 = mock.get(
        &authorize_path(&[])
            .replace("/oauth2/v2.0/authorize", "/oauth2/authorize")
            .replace("response_type=code", "response_type=id_token"),
    );
    let (header, claims) =
        jwt_parts(param(&query_of(v1.header("location").unwrap(), '#'), "id_token").unwrap());
    assert_eq!(member_names(&header), ["typ", "alg", "x5t", "kid"]);
    assert_eq!(claims["iss"], format!("https://sts.windows.net/{TENANT}/"));
    assert_eq!(claims["ver"], "1.0");
}

#[test]
fn prompt_select_account_shows_a_sign_in_page_that_posts_the_choice_back() {
    let mock = Mock::start();
    let page = mock.get(&authorize_path(&[("prompt", "select_account")]));
    assert_eq!(page.status, 200);
    assert!(
        page.text.contains("alice@contoso.onmicrosoft.com")
            && page.text.contains("bob@contoso.onmicrosoft.com")
    );
    // Post what the page's form for Bob would post.
    let path = authorize_path(&[]);
    let (path_only, query) = path.split_once('?').unwrap();
    let mut form: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    form.push(("login_hint".into(), "bob@contoso.onmicrosoft.com".into()));
    let form_ref: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let reply = mock.post_form(path_only, &form_ref);
    assert_eq!(reply.status, 302, "{}", reply.text);
}

/// The visible text of the error page, lines in order.
fn page_lines(html: &str) -> Vec<String> {
    html.split("<div")
        .filter_map(|chunk| chunk.split_once('>').map(|(_, rest)| rest))
        .map(|rest| rest.split("</div>").next().unwrap_or_default().trim())
        .map(|line| {
            line.replace("&#39;", "'")
                .replace("&quot;", "\"")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        })
        .filter(|line| !line.is_empty() && !line.starts_with('<'))
        .collect()
}

#[test]
fn redirect_uri_mismatch_is_the_error_page_with_entras_layout() {
    let mock = Mock::start();
    let reply = mock.get(
        &authorize_path(&[]).replace(&urlencode(REDIRECT), &urlencode("https://evil.example/cb")),
    );
    assert_eq!(reply.status, 400);
    assert!(reply
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    let lines = page_lines(&reply.text);
    let capture =
        std::fs::read_to_string(shared_samples().join("errors/login-error-page-text.txt")).unwrap();
    let expected_heads: Vec<&str> = capture
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split(':').next().unwrap())
        .map(|l| {
            if l.starts_with("AADSTS") {
                "AADSTS50011"
            } else {
                l
            }
        })
        .collect();
    let heads: Vec<&str> = lines.iter().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(heads, expected_heads, "{lines:#?}");
    assert!(lines[2].starts_with("AADSTS50011: The redirect URI 'https://evil.example/cb' specified in the request does not match"));
    let timestamp = lines
        .iter()
        .find_map(|l| l.strip_prefix("Timestamp: "))
        .unwrap();
    assert_eq!(timestamp.len(), 20);
    assert_eq!(&timestamp[10..11], "T");
}

#[test]
fn unknown_client_and_unknown_user_end_on_the_error_page() {
    let mock = Mock::start();
    let reply =
        mock.get(&authorize_path(&[]).replace(WEB_APP, "11111111-2222-4333-8444-555555555555"));
    assert_eq!(reply.status, 400);
    assert!(reply
        .text
        .contains("AADSTS700016: Application with identifier"));
    let reply = mock.get(&authorize_path(&[(
        "login_hint",
        "mallory@contoso.onmicrosoft.com",
    )]));
    assert!(reply
        .text
        .contains("AADSTS50034: The user account mallory@contoso.onmicrosoft.com does not exist"));
    let reply = mock.get(&format!("/{TENANT}/oauth2/v2.0/authorize"));
    assert!(
        reply.text.contains(
            "AADSTS900144: The request body must contain the following parameter: 'client_id'."
        ),
        "{}",
        reply.text
    );
}

#[test]
fn errors_after_the_redirect_uri_is_trusted_go_back_to_the_app() {
    let mock = Mock::start();
    let reply = mock.get(&authorize_path(&[]).replace("response_type=code", "response_type=token"));
    assert_eq!(reply.status, 302);
    let pairs = query_of(reply.header("location").unwrap(), '?');
    assert_eq!(param(&pairs, "error"), Some("unsupported_response_type"));
    assert!(param(&pairs, "error_description")
        .unwrap()
        .starts_with("AADSTS700054: "));
    assert_eq!(param(&pairs, "state"), Some("st-123"));
    let reply = mock.get(&authorize_path(&[
        ("code_challenge", "short"),
        ("code_challenge_method", "S256"),
    ]));
    let pairs = query_of(reply.header("location").unwrap(), '?');
    assert!(param(&pairs, "error_description")
        .unwrap()
        .starts_with("AADSTS501491: "));
}

#[test]
fn logout_redirects_or_shows_a_page() {
    let mock = Mock::start();
    let reply = mock.get(&format!(
        "/{TENANT}/oauth2/v2.0/logout?post_logout_redirect_uri={}&state=s1",
        urlencode(REDIRECT)
    ));
    assert_eq!(reply.status, 302);
    assert_eq!(
        reply.header("location"),
        Some(&*format!("{REDIRECT}?state=s1"))
    );
    let page = mock.get(&format!("/{TENANT}/oauth2/v2.0/logout"));
    assert_eq!(page.status, 200);
    assert!(page.text.contains("You signed out of your account"));
}

#[test]
fn v1_code_flow_with_resource_gives_a_v1_answer() {
    let mock = Mock::start();
    let path = format!(
        "/{TENANT}/oauth2/authorize?client_id={WEB_APP}&response_type=code&redirect_uri={}&resource={}",
        urlencode(REDIRECT),
        urlencode("https://graph.microsoft.com")
    );
    let reply = mock.get(&path);
    assert_eq!(reply.status, 302, "{}", reply.text);
    let code = param(&query_of(reply.header("location").unwrap(), '?'), "code")
        .unwrap()
        .to_string();
    let reply = mock.post_form(
        &format!("/{TENANT}/oauth2/token"),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", WEB_APP),
            ("client_secret", WEB_SECRET),
            ("code", &code),
        ],
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    assert_eq!(body["resource"], "https://graph.microsoft.com");
    assert_eq!(body["expires_in"], "3599");
    assert!(
        body["refresh_token"].is_string(),
        "v1 always returns a refresh token"
    );
    let (_, access) = jwt_parts(body["access_token"].as_str().unwrap());
    assert_eq!(access["aud"], "https://graph.microsoft.com");
    assert_eq!(access["ver"], "1.0");
    assert_eq!(access["upn"], ALICE);
    assert_eq!(access["scp"], "openid User.Read");
    let (header, id) = jwt_parts(body["id_token"].as_str().unwrap());
    assert_eq!(member_names(&header), ["typ", "alg", "x5t", "kid"]);
    assert_eq!(id["iss"], format!("https://sts.windows.net/{TENANT}/"));
}

#[test]
fn hybrid_flow_id_token_carries_the_c_hash_of_its_code() {
    let mock = Mock::start();
    let reply =
        mock.get(&authorize_path(&[]).replace("response_type=code", "response_type=code+id_token"));
    assert_eq!(reply.status, 302, "{}", reply.text);
    let pairs = query_of(reply.header("location").unwrap(), '#');
    let code = param(&pairs, "code").unwrap();
    let (_, claims) = jwt_parts(param(&pairs, "id_token").unwrap());
    let digest = hash(MessageDigest::sha256(), code.as_bytes()).unwrap();
    assert_eq!(claims["c_hash"], URL_SAFE_NO_PAD.encode(&digest[..16]));
}
