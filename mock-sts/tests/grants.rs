//! The grants that give a user's tokens without a browser: device code (approved through the control
//! API), resource owner password and on-behalf-of; and what happens at the endpoints discovery advertises.

mod common;

use common::*;
use keyprobe_core::aadsts::AadCode;
use serde_json::{json, Value};

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const ALICE_PASSWORD: &str = "mock~Password.Alice_0123456789";
const BOB: &str = "bob@contoso.onmicrosoft.com";

fn token_path() -> String {
    format!("/{TENANT}/oauth2/v2.0/token")
}

fn api_scope() -> String {
    format!("api://{WEB_APP}/access_as_user")
}

fn start_device_flow(mock: &Mock, scope: &str) -> Value {
    let reply = mock.post_form(
        &format!("/{TENANT}/oauth2/v2.0/devicecode"),
        &[("client_id", PUBLIC_APP), ("scope", scope)],
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.header("cache-control"), Some("no-store, no-cache"));
    reply.json()
}

fn poll(mock: &Mock, device_code: &str) -> Reply {
    mock.post_form(
        &token_path(),
        &[
            ("grant_type", DEVICE_GRANT),
            ("client_id", PUBLIC_APP),
            ("device_code", device_code),
        ],
    )
}

fn approve(mock: &Mock, user_code: &str, body: &Value) -> Reply {
    mock.post_json(&format!("/_mock/device-codes/{user_code}/approve"), body)
}

fn ropc(mock: &Mock, client: &[(&str, &str)], user: &str, password: &str, scope: &str) -> Reply {
    let mut form = vec![
        ("grant_type", "password"),
        ("username", user),
        ("password", password),
        ("scope", scope),
    ];
    form.extend_from_slice(client);
    mock.post_form(&token_path(), &form)
}

fn jwks(mock: &Mock) -> Value {
    mock.get(&format!("/{TENANT}/discovery/v2.0/keys")).json()
}

#[test]
fn the_device_code_flow_answers_as_entra_until_the_code_is_approved() {
    let mock = Mock::start();
    let flow = start_device_flow(&mock, "openid profile offline_access");
    assert_eq!(
        member_names(&flow),
        [
            "user_code",
            "device_code",
            "verification_uri",
            "expires_in",
            "interval",
            "message"
        ]
    );
    assert_eq!(flow["expires_in"], 900);
    assert_eq!(flow["interval"], 5);
    let user_code = flow["user_code"].as_str().unwrap();
    assert_eq!(user_code.len(), 9);
    assert!(user_code
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
    let verification = flow["verification_uri"].as_str().unwrap();
    assert_eq!(verification, format!("{}/_mock/", mock.base));
    assert_eq!(
        flow["message"],
        format!("To sign in, use a web browser to open the page {verification} and enter the code {user_code} to authenticate.")
    );
    let device_code = flow["device_code"].as_str().unwrap();

    let pending = poll(&mock, device_code);
    assert_entra_error(&pending, 400, "authorization_pending", 70016);

    let listed = mock.get("/_mock/device-codes").json();
    assert_eq!(listed["device_codes"][0]["user_code"], user_code);
    assert_eq!(listed["device_codes"][0]["status"], "pending");

    // Typed as a person might: lower case, with a space.
    let typed = format!("{} {}", &user_code[..4], &user_code[4..]).to_lowercase();
    let approved = approve(&mock, &typed.replace(' ', "%20"), &json!({"user": BOB}));
    assert_eq!(approved.status, 200, "{}", approved.text);
    assert_eq!(approved.json()["approved_by"], BOB);

    let reply = poll(&mock, device_code);
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    assert!(body["refresh_token"].is_string(), "offline_access asked");
    let (_, id_claims) = jwt_parts(body["id_token"].as_str().unwrap());
    assert_eq!(id_claims["preferred_username"], BOB);
    assert_eq!(id_claims["aud"], PUBLIC_APP);
    assert_eq!(
        verify_with_jwks(body["access_token"].as_str().unwrap(), &jwks(&mock)),
        Some(true)
    );

    // A device code is redeemed once.
    assert_entra_error(&poll(&mock, device_code), 400, "invalid_grant", 7000014);
    assert_entra_error(
        &poll(&mock, "not-a-device-code"),
        400,
        "invalid_grant",
        7000014,
    );
}

#[test]
fn device_codes_are_approved_only_through_the_guarded_control_api() {
    let mock = Mock::start();
    let flow = start_device_flow(&mock, "openid");
    let user_code = flow["user_code"].as_str().unwrap();
    let path = format!("/_mock/device-codes/{user_code}/approve");
    // A cross-site form cannot approve a code.
    let form = mock.post_form(&path, &[("user", ALICE)]);
    assert_eq!(form.status, 415, "{}", form.text);
    let foreign = mock.post_form_with(&path, ("origin", "https://attacker.example"), &[]);
    assert_eq!(foreign.status, 403, "{}", foreign.text);
    assert_entra_error(
        &poll(&mock, flow["device_code"].as_str().unwrap()),
        400,
        "authorization_pending",
        70016,
    );
    let unknown = approve(&mock, "NOPE", &json!({}));
    assert_eq!(unknown.status, 404, "{}", unknown.text);
    assert_eq!(unknown.json()["error"], "unknown_device_code");
    let nobody = approve(
        &mock,
        user_code,
        &json!({"user": "mallory@contoso.onmicrosoft.com"}),
    );
    assert_eq!(nobody.status, 400, "{}", nobody.text);
    // Without a body (the X-Mock-STS header instead), the tenant's first user approves.
    let reply = mock.post_form_with(&path, ("x-mock-sts", "1"), &[]);
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["approved_by"], ALICE);
}

#[test]
fn a_device_code_polled_by_another_client_or_a_confidential_client_without_its_secret_fails() {
    let mock = Mock::start();
    let flow = start_device_flow(&mock, "openid");
    let device_code = flow["device_code"].as_str().unwrap();
    let reply = mock.post_form(
        &token_path(),
        &[
            ("grant_type", DEVICE_GRANT),
            ("client_id", WEB_APP),
            ("device_code", device_code),
        ],
    );
    assert_entra_error(&reply, 401, "invalid_client", 7000218);
    let reply = mock.post_form(
        &token_path(),
        &[
            ("grant_type", DEVICE_GRANT),
            ("client_id", WEB_APP),
            ("client_secret", WEB_SECRET),
            ("device_code", device_code),
        ],
    );
    assert_entra_error(&reply, 400, "invalid_grant", 7000014);
}

#[test]
fn the_v1_device_code_endpoint_takes_a_resource_and_polls_with_code() {
    let mock = Mock::start();
    let reply = mock.post_form(
        &format!("/{TENANT}/oauth2/devicecode"),
        &[("client_id", PUBLIC_APP), ("resource", WEB_APP)],
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    let flow = reply.json();
    assert!(flow["verification_url"].is_string(), "{flow}");
    assert!(flow.get("verification_uri").is_none());
    approve(&mock, flow["user_code"].as_str().unwrap(), &json!({}));
    let poll = |name: &str| {
        mock.post_form(
            &format!("/{TENANT}/oauth2/token"),
            &[
                ("grant_type", "device_code"),
                ("client_id", PUBLIC_APP),
                (name, flow["device_code"].as_str().unwrap()),
            ],
        )
    };
    assert_entra_error(&poll("device_code"), 400, "invalid_request", 900144);
    let reply = poll("code");
    assert_eq!(reply.status, 200, "{}", reply.text);
    let (_, claims) = jwt_parts(reply.json()["access_token"].as_str().unwrap());
    assert_eq!(claims["scp"], "user_impersonation");
    assert_eq!(
        claims["preferred_username"], ALICE,
        "the web app takes v2 tokens"
    );
}

#[test]
fn a_device_code_for_an_unknown_scope_or_app_fails_at_once() {
    let mock = Mock::start();
    let path = format!("/{TENANT}/oauth2/v2.0/devicecode");
    let reply = mock.post_form(
        &path,
        &[("client_id", PUBLIC_APP), ("scope", "api://nowhere/read")],
    );
    assert_entra_error(&reply, 400, "invalid_resource", 500011);
    let reply = mock.post_form(
        &path,
        &[
            ("client_id", "00000000-0000-0000-0000-00000000beef"),
            ("scope", "openid"),
        ],
    );
    assert_entra_error(&reply, 400, "unauthorized_client", 700016);
    assert_entra_error(&mock.get(&path), 400, "invalid_request", 900561);
}

#[test]
fn the_password_grant_signs_in_configured_users_and_refuses_wrong_passwords() {
    let mock = Mock::start();
    let public = [("client_id", PUBLIC_APP)];
    let reply = ropc(
        &mock,
        &public,
        ALICE,
        ALICE_PASSWORD,
        &format!("openid profile offline_access {}", api_scope()),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    let (_, claims) = jwt_parts(body["access_token"].as_str().unwrap());
    assert_eq!(claims["aud"], WEB_APP);
    assert_eq!(claims["scp"], "access_as_user");
    assert_eq!(claims["azp"], PUBLIC_APP);
    assert_eq!(claims["azpacr"], "0");
    assert_eq!(claims["preferred_username"], ALICE);
    assert!(body["refresh_token"].is_string());
    assert!(body["id_token"].is_string());

    let wrong = ropc(&mock, &public, ALICE, "hunter2", "openid");
    assert_entra_error(&wrong, 400, "invalid_grant", 50126);
    assert!(wrong.json()["error_description"]
        .as_str()
        .unwrap()
        .starts_with(
            "AADSTS50126: Error validating credentials due to invalid username or password.\r\n"
        ));
    let stranger = ropc(
        &mock,
        &public,
        "mallory@contoso.onmicrosoft.com",
        "x",
        "openid",
    );
    assert_entra_error(&stranger, 400, "invalid_grant", 50034);
    // A confidential client must still prove itself.
    let web = [("client_id", WEB_APP), ("client_secret", WEB_SECRET)];
    let reply = ropc(&mock, &web, ALICE, ALICE_PASSWORD, "openid");
    assert_eq!(reply.status, 200, "{}", reply.text);
    let reply = ropc(
        &mock,
        &[("client_id", WEB_APP)],
        ALICE,
        ALICE_PASSWORD,
        "openid",
    );
    assert_entra_error(&reply, 401, "invalid_client", 7000218);
}

#[test]
fn a_user_without_a_configured_password_cannot_use_the_password_grant() {
    let config =
        mock_sts::DEFAULT_CONFIG.replace("password = \"mock~Password.Alice_0123456789\"\n", "");
    let mock = Mock::with_config(&config);
    let reply = ropc(&mock, &[("client_id", PUBLIC_APP)], ALICE, "", "openid");
    assert_entra_error(&reply, 400, "invalid_request", 900144);
    let reply = ropc(
        &mock,
        &[("client_id", PUBLIC_APP)],
        ALICE,
        ALICE_PASSWORD,
        "openid",
    );
    assert_entra_error(&reply, 400, "invalid_grant", 50126);
}

/// A user token for the web app (the middle tier), got with the password grant by the public client.
fn token_for_the_middle_tier(mock: &Mock) -> String {
    let reply = ropc(
        mock,
        &[("client_id", PUBLIC_APP)],
        ALICE,
        ALICE_PASSWORD,
        &api_scope(),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()["access_token"].as_str().unwrap().to_string()
}

fn obo(mock: &Mock, assertion: &str, scope: &str) -> Reply {
    mock.post_form(
        &token_path(),
        &[
            ("grant_type", JWT_BEARER),
            ("client_id", WEB_APP),
            ("client_secret", WEB_SECRET),
            ("assertion", assertion),
            ("requested_token_use", "on_behalf_of"),
            ("scope", scope),
        ],
    )
}

#[test]
fn on_behalf_of_exchanges_a_user_token_for_the_middle_tier_for_a_downstream_token() {
    let mock = Mock::start();
    let incoming = token_for_the_middle_tier(&mock);
    let reply = obo(
        &mock,
        &incoming,
        "https://graph.microsoft.com/User.Read offline_access",
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    let token = body["access_token"].as_str().unwrap();
    let (_, claims) = jwt_parts(token);
    let (_, incoming_claims) = jwt_parts(&incoming);
    assert_eq!(claims["aud"], "https://graph.microsoft.com");
    assert_eq!(
        claims["appid"], WEB_APP,
        "the middle tier is the client now"
    );
    assert_eq!(claims["oid"], incoming_claims["oid"], "for the same user");
    assert_eq!(claims["upn"], ALICE);
    assert!(claims["scp"].as_str().unwrap().contains("User.Read"));
    assert_eq!(verify_with_jwks(token, &jwks(&mock)), Some(true));
}

#[test]
fn on_behalf_of_refuses_what_entra_refuses() {
    let mock = Mock::start();
    let incoming = token_for_the_middle_tier(&mock);
    // A token for another audience (Graph) is not the middle tier's to exchange.
    let graph = ropc(
        &mock,
        &[("client_id", PUBLIC_APP)],
        ALICE,
        ALICE_PASSWORD,
        "User.Read",
    )
    .json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let reply = obo(&mock, &graph, "User.Read");
    assert_entra_error(&reply, 400, "invalid_grant", 500131);
    assert!(reply
        .text
        .contains("Assertion audience does not match the Client app presenting the assertion."));
    // A signature that does not verify with the key its kid names.
    let (signing_input, _) = incoming.rsplit_once('.').unwrap();
    let forged = format!("{signing_input}.AAAA");
    assert_entra_error(
        &obo(&mock, &forged, "User.Read"),
        400,
        "invalid_grant",
        50013,
    );
    // A key the mock never had.
    let minted = mock
        .post_json("/_mock/token", &json!({"claims": {"aud": WEB_APP}}))
        .json();
    let token = minted["token"].as_str().unwrap();
    let (header_b64, rest) = token.split_once('.').unwrap();
    let _ = header_b64;
    let foreign_header = base64_url(br#"{"typ":"JWT","alg":"RS256","kid":"not-a-mock-key"}"#);
    let reply = obo(&mock, &format!("{foreign_header}.{rest}"), "User.Read");
    assert_entra_error(&reply, 400, "invalid_grant", 50013);
    assert!(reply
        .text
        .contains("The key was not found., Thumbprint of key used by client: 'not-a-mock-key'"));
    // An expired user token.
    let oid = jwt_parts(&incoming).1["oid"].as_str().unwrap().to_string();
    let expired = mock
        .post_json(
            "/_mock/token",
            &json!({"lifetime_seconds": -600, "claims": {"aud": WEB_APP, "oid": oid}}),
        )
        .json();
    let reply = obo(&mock, expired["token"].as_str().unwrap(), "User.Read");
    assert_entra_error(&reply, 400, "invalid_grant", 500133);
    // Without requested_token_use, or from a public client.
    let reply = mock.post_form(
        &token_path(),
        &[
            ("grant_type", JWT_BEARER),
            ("client_id", WEB_APP),
            ("client_secret", WEB_SECRET),
            ("assertion", incoming.as_str()),
            ("scope", "User.Read"),
        ],
    );
    assert_entra_error(&reply, 400, "invalid_request", 900144);
    let reply = mock.post_form(
        &token_path(),
        &[
            ("grant_type", JWT_BEARER),
            ("client_id", PUBLIC_APP),
            ("assertion", incoming.as_str()),
            ("requested_token_use", "on_behalf_of"),
            ("scope", "User.Read"),
        ],
    );
    assert_entra_error(&reply, 401, "invalid_client", 7000218);
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    URL_SAFE_NO_PAD.encode(bytes)
}

#[test]
fn scenarios_apply_to_the_tokens_of_these_grants() {
    let mock = Mock::start();
    let incoming = token_for_the_middle_tier(&mock);
    let switched = mock.put_json(
        "/_mock/scenario",
        &json!({"scenario": "unpublished-signing-key"}),
    );
    assert_eq!(switched.status, 200, "{}", switched.text);
    let keys = jwks(&mock);
    let by_password = token_for_the_middle_tier(&mock);
    assert_eq!(
        verify_with_jwks(&by_password, &keys),
        None,
        "kid not published"
    );
    let by_obo = obo(&mock, &incoming, "User.Read");
    assert_eq!(by_obo.status, 200, "{}", by_obo.text);
    assert_eq!(
        verify_with_jwks(by_obo.json()["access_token"].as_str().unwrap(), &keys),
        None
    );
    let flow = start_device_flow(&mock, "openid");
    approve(&mock, flow["user_code"].as_str().unwrap(), &json!({}));
    let by_device = poll(&mock, flow["device_code"].as_str().unwrap());
    assert_eq!(
        verify_with_jwks(by_device.json()["access_token"].as_str().unwrap(), &keys),
        None
    );

    mock.put_json(
        "/_mock/scenario",
        &json!({"scenario": "custom-signing-key-required"}),
    );
    let reply = ropc(
        &mock,
        &[("client_id", PUBLIC_APP)],
        ALICE,
        ALICE_PASSWORD,
        &api_scope(),
    );
    assert_entra_error(&reply, 400, "invalid_request", 50146);
}

/// Entra's sign-in error page for `code`, with the text the shared catalogue gives `expected`.
fn assert_error_page(reply: &Reply, code: u32, expected: &str) {
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert_eq!(
        reply.header("content-type"),
        Some("text/html; charset=utf-8"),
        "{}",
        reply.text
    );
    assert_eq!(reply.header("cache-control"), Some("no-store, no-cache"));
    assert_is_error_page(reply);
    assert!(
        reply.text.contains(&format!(
            "<div id=\"error-message\">AADSTS{code}: {expected}</div>"
        )),
        "AADSTS{code}: {expected}\n{}",
        reply.text
    );
    assert!(reply.text.contains("<div>Request Id: "), "{}", reply.text);
}

/// A catalogue text with its placeholders filled, as the mock renders it.
fn catalogue_text(code: AadCode, args: &[(&str, &str)]) -> String {
    let mut text = code.entry().template.to_string();
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    assert!(!text.contains('{'), "{code:?} needs more arguments: {text}");
    text
}

#[test]
fn advertised_endpoints_work_or_answer_in_entras_error_shapes() {
    let mock = Mock::start();
    let mut advertised = Vec::new();
    for path in [
        format!("/{TENANT}/v2.0/.well-known/openid-configuration"),
        format!("/{TENANT}/.well-known/openid-configuration"),
        "/common/v2.0/.well-known/openid-configuration".to_string(),
    ] {
        let document = mock.get(&path).json();
        for (name, value) in document.as_object().unwrap() {
            let is_endpoint = ["endpoint", "_uri", "iframe"]
                .iter()
                .any(|e| name.ends_with(e));
            if let Some(url) = value
                .as_str()
                .filter(|v| is_endpoint && v.starts_with(&mock.base))
            {
                advertised.push((name.clone(), url[mock.base.len()..].to_string()));
            }
        }
    }
    let metadata = mock
        .get(&format!(
            "/{TENANT}/federationmetadata/2007-06/federationmetadata.xml"
        ))
        .text;
    let wsfed = format!("{}/{TENANT}/wsfed", mock.base);
    assert!(
        metadata.contains(&wsfed),
        "the federation metadata advertises WS-Fed"
    );
    advertised.push((
        "PassiveRequestorEndpoint".into(),
        format!("/{TENANT}/wsfed"),
    ));
    let names: Vec<&str> = advertised.iter().map(|(n, _)| n.as_str()).collect();
    for expected in [
        "device_authorization_endpoint",
        "kerberos_endpoint",
        "check_session_iframe",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    // What a browser gets from the endpoints whose protocol the mock does not implement: Entra's error
    // page, with the code Entra would use before serving (or the mock's own 90082 where it would serve).
    let not_implemented = [
        (
            "kerberos_endpoint",
            900561,
            catalogue_text(
                AadCode::EndpointMethodNotAccepted,
                &[("valid_verbs", "POST"), ("invalid_verb", "GET")],
            ),
        ),
        (
            "check_session_iframe",
            90082,
            catalogue_text(
                AadCode::NotServedByMock,
                &[(
                    "protocol",
                    "the OpenID Connect session management iframe (discovery's check_session_iframe)",
                )],
            ),
        ),
        (
            "PassiveRequestorEndpoint",
            90081,
            catalogue_text(AadCode::WsFederationMessageInvalid, &[]),
        ),
    ];
    for (name, path) in &advertised {
        let path = path.replace("{tenantid}", TENANT);
        let reply = if name == "token_endpoint" || name == "device_authorization_endpoint" {
            mock.post_form(&path, &[])
        } else {
            mock.get(&path)
        };
        assert_ne!(reply.status, 404, "{name} {path}: {}", reply.text);
        assert!(reply.status < 500, "{name} {path}: {}", reply.text);
        assert_ne!(
            reply.header("content-type"),
            Some("text/plain; charset=utf-8"),
            "{name} {path}: {}",
            reply.text
        );
        if let Some((_, code, text)) = not_implemented.iter().find(|(n, ..)| n == name) {
            assert_error_page(&reply, *code, text);
        }
    }
}

#[test]
fn the_kerberos_and_session_iframe_endpoints_answer_other_callers_with_entras_json() {
    let mock = Mock::start();
    let kerberos = format!("/{TENANT}/kerberos");
    // Not a KDC-PROXY-MESSAGE (MS-KKDCP: a DER SEQUENCE): malformed.
    let reply = mock.post_form(&kerberos, &[]);
    assert_entra_error(&reply, 400, "invalid_request", 9002313);
    let reply = mock.post_raw(&kerberos, "application/kerberos", b"ticket?".to_vec());
    assert_entra_error(&reply, 400, "invalid_request", 9002313);
    // Shaped like one: Entra's proxy would forward it; the mock says it does not implement that.
    let reply = mock.post_raw(
        &kerberos,
        "application/kerberos",
        vec![0x30, 0x05, 0xa0, 0x03, 0x04, 0x01, 0x00],
    );
    assert_entra_error(&reply, 400, "invalid_request", 90082);
    assert!(
        reply.json()["error_description"]
            .as_str()
            .unwrap()
            .contains("mock-sts does not implement the Kerberos KDC proxy"),
        "{}",
        reply.text
    );
    let reply = mock.post_form(&format!("/{TENANT}/oauth2/checksession"), &[]);
    assert_entra_error(&reply, 400, "invalid_request", 900561);
    let description = reply.json()["error_description"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        description.starts_with(&format!(
            "AADSTS900561: {}",
            catalogue_text(
                AadCode::EndpointMethodNotAccepted,
                &[("valid_verbs", "GET"), ("invalid_verb", "POST")]
            )
        )),
        "{description}"
    );
    // An unknown tenant is AADSTS90002 here as everywhere.
    let reply = mock.post_form("/no-such-tenant.example/kerberos", &[]);
    assert_entra_error(&reply, 400, "invalid_request", 90002);
    let reply = mock.get("/no-such-tenant.example/oauth2/checksession");
    assert_error_page(
        &reply,
        90002,
        &catalogue_text(
            AadCode::TenantNotFound,
            &[("tenant", "no-such-tenant.example")],
        ),
    );
}

#[test]
fn ws_federation_requests_get_entras_checks_and_sign_out() {
    let mock = Mock::start();
    let wsfed = |query: &str| mock.get(&format!("/{TENANT}/wsfed?{query}"));
    let invalid = catalogue_text(AadCode::WsFederationMessageInvalid, &[]);
    for query in ["", "wa=wattr1.0", "wa=wsignin1.0", "wtrealm=spn%3Aabc"] {
        assert_error_page(&wsfed(query), 90081, &invalid);
    }
    let reply = wsfed("wa=wsignin1.0&wtrealm=urn%3Anot-registered");
    assert_error_page(
        &reply,
        700016,
        &catalogue_text(
            AadCode::ApplicationNotFound,
            &[("client_id", "urn:not-registered"), ("tenant", TENANT)],
        ),
    );
    let reply = mock.get("/no-such-tenant.example/wsfed?wa=wsignin1.0&wtrealm=x");
    assert_eq!(reply.status, 400);
    assert!(reply.text.contains("AADSTS90002: "), "{}", reply.text);
    // A known realm with a reply URL it does not have: AADSTS50011, naming the app.
    let reply = wsfed(&format!(
        "wa=wsignin1.0&wtrealm=spn%3A{WEB_APP}&wreply=https%3A%2F%2Fevil.example%2F"
    ));
    assert_error_page(
        &reply,
        50011,
        &catalogue_text(
            AadCode::RedirectUriMismatch,
            &[
                ("redirect_uri", "https://evil.example/"),
                ("client_id", WEB_APP),
            ],
        ),
    );
    // Everything right: Entra would sign in; the mock says, in Entra's shape, that it does not.
    let not_served = catalogue_text(
        AadCode::NotServedByMock,
        &[("protocol", "WS-Federation sign-in (wa=wsignin1.0)")],
    );
    let web_realm = format!("api://{WEB_APP}");
    for realm in [
        web_realm.as_str(),
        WEB_APP,
        "https://sp.contoso.example/saml",
    ] {
        let reply = mock.post_form(
            &format!("/{TENANT}/wsfed"),
            &[
                ("wa", "wsignin1.0"),
                ("wtrealm", realm),
                ("wctx", "rm=0&id=passive"),
            ],
        );
        assert_error_page(&reply, 90082, &not_served);
    }
    let reply = wsfed(&format!(
        "wa=wsignin1.0&wtrealm=spn%3A{WEB_APP}&wreply=http%3A%2F%2Flocalhost%3A8080%2Fcallback"
    ));
    assert_error_page(&reply, 90082, &not_served);
    // Sign-out ends the session and goes back to a registered wreply, else to the signed-out page.
    let reply = wsfed("wa=wsignout1.0&wreply=http%3A%2F%2Flocalhost%3A8080%2Fcallback");
    assert_eq!(reply.status, 302, "{}", reply.text);
    assert_eq!(
        reply.header("location"),
        Some("http://localhost:8080/callback")
    );
    assert!(
        reply
            .header("set-cookie")
            .is_some_and(|c| c.starts_with("ESTSAUTH=;")),
        "{:?}",
        reply.headers
    );
    let reply = wsfed("wa=wsignout1.0&wreply=https%3A%2F%2Fevil.example%2F");
    assert_eq!(reply.status, 200);
    assert!(reply.text.contains("You signed out of your account"));
    // A method WS-Federation does not use.
    let reply = mock.put_json(&format!("/{TENANT}/wsfed"), &json!({}));
    assert_entra_error(&reply, 400, "invalid_request", 900561);
}

#[test]
fn optional_claims_configured_on_an_app_are_in_its_tokens() {
    let config = mock_sts::DEFAULT_CONFIG
        .replace(
            "scopes = [\"access_as_user\"]",
            "scopes = [\"access_as_user\"]\noptional_claims = { access_token = [\"upn\", \"idtyp\", \"given_name\"] }",
        )
        .replace(
            "redirect_uris = [\"http://localhost\", \"http://127.0.0.1\"]",
            "redirect_uris = [\"http://localhost\", \"http://127.0.0.1\"]\noptional_claims = { id_token = [\"email\", \"family_name\"] }",
        );
    let mock = Mock::with_config(&config);
    let reply = ropc(
        &mock,
        &[("client_id", PUBLIC_APP)],
        ALICE,
        ALICE_PASSWORD,
        &format!("openid profile {}", api_scope()),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    let (_, access) = jwt_parts(body["access_token"].as_str().unwrap());
    assert_eq!(access["upn"], ALICE);
    assert_eq!(access["idtyp"], "user");
    assert_eq!(access["given_name"], "Alice");
    let (_, id) = jwt_parts(body["id_token"].as_str().unwrap());
    assert_eq!(id["email"], "alice@contoso.example");
    assert_eq!(id["family_name"], "Example");
    assert!(
        id.get("upn").is_none(),
        "only the ID token's own optional claims"
    );
    // App-only: the resource's optional claims that describe an app, none that describe a user.
    let app_only = mock.client_credentials().json();
    let (_, claims) = jwt_parts(app_only["access_token"].as_str().unwrap());
    assert_eq!(claims["idtyp"], "app");
    assert!(claims.get("upn").is_none() && claims.get("given_name").is_none());
    mock.stop();

    // Without them (the default configuration) none of these claims is added.
    let mock = Mock::start();
    let app_only = mock.client_credentials().json();
    let (_, claims) = jwt_parts(app_only["access_token"].as_str().unwrap());
    assert!(claims.get("idtyp").is_none());
    mock.stop();

    // A claim mock-sts cannot issue is a configuration error that names the ones it can.
    let bad = mock_sts::DEFAULT_CONFIG.replace(
        "scopes = [\"access_as_user\"]",
        "scopes = [\"access_as_user\"]\noptional_claims = { access_token = [\"xms_pdl\"] }",
    );
    let err = mock_sts::LoadedConfig::parse(&bad, "test.toml", None)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("xms_pdl") && err.contains("given_name"),
        "{err}"
    );
}
