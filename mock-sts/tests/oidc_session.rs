//! The browser's session in OIDC flows, as a web app sees it: a sign-in at /authorize sets Entra's
//! `ESTSAUTH` cookie; with it `prompt=none` signs the same user in silently, without it `prompt=none`
//! comes back to the app as `error=login_required` (AADSTS50058); `prompt=login` asks again; logout ends
//! the session.

mod common;

use common::*;

const REDIRECT: &str = "http://localhost:8080/callback";
const BOB: &str = "bob@contoso.onmicrosoft.com";

/// An implicit `id_token` request, so that the user is read straight from the answer.
fn authorize_path(extra: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("client_id", WEB_APP)
        .append_pair("response_type", "id_token")
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("scope", "openid profile")
        .append_pair("state", "st-1")
        .append_pair("nonce", "n-1");
    for (name, value) in extra {
        query.append_pair(name, value);
    }
    format!("/{TENANT}/oauth2/v2.0/authorize?{}", query.finish())
}

fn authorize(mock: &Mock, extra: &[(&str, &str)], cookie: Option<&str>) -> Reply {
    let path = authorize_path(extra);
    match cookie {
        Some(cookie) => mock.get_with(&path, ("Cookie", cookie)),
        None => mock.get(&path),
    }
}

/// The `ESTSAUTH=…` pair the reply sets, if any.
fn session_set(reply: &Reply) -> Option<String> {
    reply
        .headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, value)| value.split(';').next().unwrap_or_default().to_string())
        .find(|pair| pair.starts_with("ESTSAUTH="))
}

/// Who the ID token in the fragment names.
fn signed_in_user(reply: &Reply) -> String {
    assert_eq!(reply.status, 302, "{}", reply.text);
    let location = reply.header("location").unwrap();
    let pairs = query_of(location, '#');
    let token = param(&pairs, "id_token").unwrap_or_else(|| panic!("{location}"));
    let (_, claims) = jwt_parts(token);
    claims["preferred_username"].as_str().unwrap().to_string()
}

#[test]
fn prompt_none_without_a_session_is_login_required_at_the_redirect_uri() {
    let mock = Mock::start();
    for cookie in [None, Some("ESTSAUTH=forged.value"), Some("ESTSAUTH=")] {
        let reply = authorize(&mock, &[("prompt", "none")], cookie);
        assert_eq!(reply.status, 302, "{}", reply.text);
        let location = reply.header("location").unwrap();
        assert!(location.starts_with(&format!("{REDIRECT}#")), "{location}");
        let pairs = query_of(location, '#');
        assert_eq!(param(&pairs, "error"), Some("login_required"));
        let description = param(&pairs, "error_description").unwrap();
        assert!(
            description.starts_with(
                "AADSTS50058: A silent sign-in request was sent but no user is signed in."
            ),
            "{description}"
        );
        assert!(description.contains("\r\nTrace ID: "), "{description}");
        assert_eq!(
            param(&pairs, "error_uri"),
            Some("https://login.microsoftonline.com/error?code=50058")
        );
        assert_eq!(param(&pairs, "state"), Some("st-1"));
        assert!(param(&pairs, "id_token").is_none());
        assert_eq!(session_set(&reply), None, "nobody signed in");
    }
    // The code flow answers in the query, as its errors do.
    let code = mock.get(
        &authorize_path(&[("prompt", "none")])
            .replace("response_type=id_token", "response_type=code"),
    );
    let pairs = query_of(code.header("location").unwrap(), '?');
    assert_eq!(param(&pairs, "error"), Some("login_required"));
    mock.stop();
}

#[test]
fn a_sign_in_starts_a_session_that_prompt_none_uses_and_logout_ends() {
    let mock = Mock::start();
    let first = authorize(&mock, &[("login_hint", BOB)], None);
    assert_eq!(signed_in_user(&first), BOB);
    let cookie = session_set(&first).expect("a sign-in starts a session");

    // Silent: the session's user, without a new session.
    let silent = authorize(&mock, &[("prompt", "none")], Some(&cookie));
    assert_eq!(signed_in_user(&silent), BOB);
    assert_eq!(session_set(&silent), None);
    // Without prompt too: single sign-on as Bob, not the tenant's first user.
    assert_eq!(signed_in_user(&authorize(&mock, &[], Some(&cookie))), BOB);
    // prompt=none naming someone else cannot be met silently.
    let other = authorize(
        &mock,
        &[("prompt", "none"), ("login_hint", ALICE)],
        Some(&cookie),
    );
    let pairs = query_of(other.header("location").unwrap(), '#');
    assert_eq!(param(&pairs, "error"), Some("login_required"));

    // prompt=login asks again, session or not; the account picked signs in afresh (a new session).
    let page = authorize(&mock, &[("prompt", "login")], Some(&cookie));
    assert_eq!(page.status, 200);
    assert!(page.text.contains("Pick an account"), "{}", page.text);
    assert!(page.text.contains("name=\"prompt\" value=\"login\""));
    let fresh = authorize(
        &mock,
        &[("prompt", "login"), ("login_hint", BOB)],
        Some(&cookie),
    );
    assert_eq!(signed_in_user(&fresh), BOB);
    assert!(session_set(&fresh).is_some(), "a fresh sign-in");

    // Logout ends it: the cookie is emptied, and prompt=none is login_required again.
    let logout = mock.get_with(
        &format!("/{TENANT}/oauth2/v2.0/logout"),
        ("Cookie", &cookie),
    );
    assert_eq!(session_set(&logout).as_deref(), Some("ESTSAUTH="));
    let after = authorize(&mock, &[("prompt", "none")], Some("ESTSAUTH="));
    let pairs = query_of(after.header("location").unwrap(), '#');
    assert_eq!(param(&pairs, "error"), Some("login_required"));
    mock.stop();
}

#[test]
fn the_saml_session_signs_oidc_apps_in_too() {
    // One browser session per tenant, whichever protocol started it.
    let mock = Mock::start();
    let request = "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"id-x\" Version=\"2.0\" IssueInstant=\"2026-01-01T00:00:00Z\"><saml:Issuer>https://sp.contoso.example/saml</saml:Issuer></samlp:AuthnRequest>"
        .to_string();
    let encoded: String = url::form_urlencoded::byte_serialize(
        mock_sts::internals::encode_redirect(&request).as_bytes(),
    )
    .collect();
    let saml = mock.get(&format!(
        "/{TENANT}/saml2?SAMLRequest={encoded}&login_hint={}",
        url::form_urlencoded::byte_serialize(BOB.as_bytes()).collect::<String>()
    ));
    let cookie = session_set(&saml).expect("SAML sign-in starts a session");
    assert_eq!(
        signed_in_user(&authorize(&mock, &[("prompt", "none")], Some(&cookie))),
        BOB
    );
    mock.stop();
}
