//! The token endpoint: client credentials with secrets and assertions, and every way a request can be wrong.

mod common;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use common::*;
use openssl::hash::{hash, MessageDigest};
use openssl::pkey::{PKey, Private};
use openssl::rsa::{Padding, Rsa};
use openssl::sign::{RsaPssSaltlen, Signer};
use openssl::x509::X509;
use serde_json::{json, Value};

fn token_path() -> String {
    format!("/{TENANT}/oauth2/v2.0/token")
}

fn api_default() -> String {
    format!("api://{WEB_APP}/.default")
}

#[test]
fn client_credentials_with_a_secret_gives_entras_body_headers_and_v2_claims() {
    let mock = Mock::start();
    let reply = mock.client_credentials();
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.header("cache-control"), Some("no-store, no-cache"));
    assert_eq!(reply.header("pragma"), Some("no-cache"));
    assert_eq!(
        reply.header("access-control-allow-origin"),
        None,
        "no CORS headers for a server (no Origin), as in the captured token response"
    );
    let body = reply.json();
    assert_eq!(
        member_names(&body),
        ["token_type", "expires_in", "ext_expires_in", "access_token"]
    );
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3599);
    assert_eq!(body["ext_expires_in"], 3599);
    let (header, claims) = jwt_parts(body["access_token"].as_str().unwrap());
    assert_eq!(
        member_names(&header),
        ["typ", "alg", "kid"],
        "v2 header has no x5t"
    );
    assert_eq!(claims["ver"], "2.0");
    assert_eq!(claims["iss"], format!("{}/{TENANT}/v2.0", mock.base));
    assert_eq!(claims["aud"], WEB_APP);
    assert_eq!(claims["azp"], WEB_APP);
    assert_eq!(claims["azpacr"], "1");
    assert_eq!(claims["tid"], TENANT);
    assert_eq!(claims["roles"], json!(["Data.Read.All"]));
    assert_eq!(claims["sub"], claims["oid"]);
    for name in ["aio", "rh", "uti", "idp", "iat", "nbf", "exp"] {
        assert!(claims.get(name).is_some(), "missing {name}");
    }
    assert!(claims.get("appid").is_none());
    let lifetime = claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap();
    assert_eq!(lifetime, 3599 + 300, "iat is back-dated five minutes");
    let jwks = mock.get(&format!("/{TENANT}/discovery/v2.0/keys")).json();
    assert_eq!(
        verify_with_jwks(body["access_token"].as_str().unwrap(), &jwks),
        Some(true)
    );
}

#[test]
fn v1_endpoint_answers_with_string_times_resource_and_a_v1_token() {
    let config = common_config_with_v1_api();
    let mock = Mock::with_config(&config);
    let reply = mock.post_form(
        &format!("/{TENANT}/oauth2/token"),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", WEB_APP),
            ("client_secret", WEB_SECRET),
            ("resource", "https://legacy.contoso.example"),
        ],
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    let body = reply.json();
    assert_eq!(
        member_names(&body),
        [
            "token_type",
            "expires_in",
            "ext_expires_in",
            "expires_on",
            "not_before",
            "resource",
            "access_token"
        ]
    );
    assert_eq!(body["expires_in"], "3599");
    assert_eq!(body["resource"], "https://legacy.contoso.example");
    let (header, claims) = jwt_parts(body["access_token"].as_str().unwrap());
    assert_eq!(member_names(&header), ["typ", "alg", "x5t", "kid"]);
    assert_eq!(header["x5t"], header["kid"]);
    assert_eq!(claims["ver"], "1.0");
    assert_eq!(claims["iss"], format!("https://sts.windows.net/{TENANT}/"));
    assert_eq!(claims["aud"], "https://legacy.contoso.example");
    assert_eq!(claims["appid"], WEB_APP);
    assert_eq!(claims["appidacr"], "1");
    assert!(claims.get("azp").is_none());
    assert_eq!(
        body["expires_on"],
        claims["exp"].as_i64().unwrap().to_string()
    );
}

#[test]
fn http_basic_client_authentication_works() {
    let mock = Mock::start();
    let basic = format!(
        "Basic {}",
        STANDARD.encode(format!("{WEB_APP}:{}", urlencode(WEB_SECRET)))
    );
    let reply = mock.post_form_with(
        &token_path(),
        ("authorization", &basic),
        &[
            ("grant_type", "client_credentials"),
            ("scope", &api_default()),
        ],
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[test]
fn wrong_secret_is_7000215_shaped_like_the_capture() {
    let mock = Mock::start();
    let reply = mock.post_form(
        &token_path(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", WEB_APP),
            ("client_secret", "not-it"),
            ("scope", &api_default()),
        ],
    );
    assert_entra_error(&reply, 401, "invalid_client", 7000215);
    let capture = sample_json("errors/real-invalid_client-7000215-v1-endpoint-2020.json");
    let first_line = |v: &Value| {
        v["error_description"]
            .as_str()
            .unwrap()
            .split("\r\n")
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(first_line(&reply.json()), first_line(&capture));
}

#[test]
fn expired_secret_is_7000222() {
    let config = sample_config().replace("2099-12-31T23:59:59Z", "2020-01-01T00:00:00Z");
    let mock = Mock::with_config(&config);
    let reply = mock.client_credentials();
    assert_entra_error(&reply, 401, "invalid_client", 7000222);
    assert!(reply
        .text
        .contains(&format!("for app '{WEB_APP}' are expired")));
}

#[test]
fn missing_credentials_unknown_app_and_unknown_resource() {
    let mock = Mock::start();
    let reply = mock.post_form(
        &token_path(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", WEB_APP),
            ("scope", &api_default()),
        ],
    );
    assert_entra_error(&reply, 401, "invalid_client", 7000218);

    let stranger = "11111111-2222-4333-8444-555555555555";
    let reply = mock.post_form(
        &token_path(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", stranger),
            ("client_secret", "x"),
            ("scope", &api_default()),
        ],
    );
    assert_entra_error(&reply, 400, "unauthorized_client", 700016);
    assert!(reply.text.contains(&format!(
        "Application with identifier '{stranger}' was not found in the directory '{TENANT}'"
    )));

    let reply = mock.post_form(
        &token_path(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", WEB_APP),
            ("client_secret", WEB_SECRET),
            ("scope", "api://nothing-here/.default"),
        ],
    );
    assert_entra_error(&reply, 400, "invalid_resource", 500011);
    assert!(reply
        .text
        .contains("The resource principal named api://nothing-here was not found"));

    let reply = mock.post_form(
        &token_path(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", WEB_APP),
            ("client_secret", WEB_SECRET),
            ("scope", "User.Read"),
        ],
    );
    assert_entra_error(&reply, 400, "invalid_scope", 1002012);

    let reply = mock.post_form(
        &token_path(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", PUBLIC_APP),
            ("client_secret", "x"),
            ("scope", &api_default()),
        ],
    );
    assert_entra_error(&reply, 401, "invalid_client", 700025);
}

#[test]
fn bad_requests_get_entras_errors_never_a_500() {
    let mock = Mock::start();
    let reply = mock.post_form(&token_path(), &[("client_id", WEB_APP)]);
    assert_entra_error(&reply, 400, "invalid_request", 900144);
    assert!(reply.text.contains("'grant_type'"));

    let reply = mock.post_form(
        &token_path(),
        &[
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:token-exchange",
            ),
            ("client_id", WEB_APP),
        ],
    );
    assert_entra_error(&reply, 400, "unsupported_grant_type", 70003);

    let reply = mock.post_form(&token_path(), &[("grant_type", "client_credentials")]);
    assert_entra_error(&reply, 400, "invalid_request", 900144);

    let reply = mock.post_raw(
        &token_path(),
        "application/x-www-form-urlencoded",
        b"grant_type=a&grant_type=b".to_vec(),
    );
    assert_entra_error(&reply, 400, "invalid_request", 9002313);

    let reply = mock.post_raw(
        &token_path(),
        "application/x-www-form-urlencoded",
        vec![b'a'; 300 * 1024],
    );
    assert_entra_error(&reply, 400, "invalid_request", 9002313);

    let reply = mock.post_raw(
        &token_path(),
        "application/json",
        b"{\"grant_type\":\"client_credentials\"}".to_vec(),
    );
    assert_entra_error(&reply, 400, "invalid_request", 900144);

    let reply = mock.post_raw(
        &token_path(),
        "application/x-www-form-urlencoded",
        vec![0xff, 0xfe, b'%', b'=', 0x00],
    );
    assert!(reply.status == 400, "{}", reply.text);

    let reply = mock.get(&token_path());
    assert_entra_error(&reply, 400, "invalid_request", 900561);
    assert!(reply.text.contains("Received a GET request."));

    let reply = mock.post_form(
        "/not-a-tenant/oauth2/v2.0/token",
        &[("grant_type", "client_credentials")],
    );
    assert_entra_error(&reply, 400, "invalid_request", 90002);
}

#[test]
fn common_resolves_the_tenant_from_the_client() {
    let mock = Mock::start();
    let reply = mock.post_form(
        "/organizations/oauth2/v2.0/token",
        &[
            ("grant_type", "client_credentials"),
            ("client_id", WEB_APP),
            ("client_secret", WEB_SECRET),
            ("scope", &api_default()),
        ],
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    let (_, claims) = jwt_parts(reply.json()["access_token"].as_str().unwrap());
    assert_eq!(claims["tid"], TENANT);
}

// ---- client assertions -------------------------------------------------------------------------

struct ClientCert {
    key: PKey<Private>,
    der: Vec<u8>,
    pem: String,
}

fn client_cert() -> ClientCert {
    let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
    let mut name = openssl::x509::X509NameBuilder::new().unwrap();
    name.append_entry_by_text("CN", "test client").unwrap();
    let name = name.build();
    let mut builder = X509::builder().unwrap();
    builder.set_version(2).unwrap();
    builder.set_subject_name(&name).unwrap();
    builder.set_issuer_name(&name).unwrap();
    builder.set_pubkey(&key).unwrap();
    builder
        .set_not_before(&openssl::asn1::Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    builder
        .set_not_after(&openssl::asn1::Asn1Time::days_from_now(30).unwrap())
        .unwrap();
    builder.sign(&key, MessageDigest::sha256()).unwrap();
    let cert = builder.build();
    ClientCert {
        der: cert.to_der().unwrap(),
        pem: String::from_utf8(cert.to_pem().unwrap()).unwrap(),
        key,
    }
}

fn sample_config() -> String {
    mock_sts::DEFAULT_CONFIG.to_string()
}

/// The default configuration plus a v1 API app.
fn common_config_with_v1_api() -> String {
    format!(
        "{}\n[[tenants.apps]]\nclient_id = \"d4e5f607-1829-43a4-b5c6-d7e8f90a1b2c\"\nkind = \"confidential\"\napp_id_uris = [\"https://legacy.contoso.example\"]\naccess_token_version = 1\n",
        sample_config()
    )
}

/// The default configuration with `cert` registered on the web app.
fn config_with_certificate(cert: &ClientCert) -> String {
    sample_config().replacen(
        "[[tenants.apps.secrets]]",
        &format!(
            "[[tenants.apps.certificates]]\npem = \"\"\"\n{}\"\"\"\n\n[[tenants.apps.secrets]]",
            cert.pem
        ),
        1,
    )
}

fn assertion(cert: &ClientCert, header: Value, claims: Value, pss: bool) -> String {
    let b64 = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap());
    let input = format!("{}.{}", b64(&header), b64(&claims));
    let mut signer = Signer::new(MessageDigest::sha256(), &cert.key).unwrap();
    if pss {
        signer.set_rsa_padding(Padding::PKCS1_PSS).unwrap();
        signer
            .set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH)
            .unwrap();
    }
    signer.update(input.as_bytes()).unwrap();
    format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(signer.sign_to_vec().unwrap())
    )
}

fn x5t(cert: &ClientCert) -> String {
    URL_SAFE_NO_PAD.encode(hash(MessageDigest::sha1(), &cert.der).unwrap())
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn good_claims(mock: &Mock) -> Value {
    json!({
        "aud": mock.url(&token_path()),
        "iss": WEB_APP,
        "sub": WEB_APP,
        "jti": "b8bd3b0c-1b7e-4d52-9ac4-d1a5d1e3e2f1",
        "nbf": now() - 10,
        "exp": now() + 600,
    })
}

fn send_assertion(mock: &Mock, assertion: &str) -> Reply {
    mock.post_form(
        &token_path(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", WEB_APP),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion),
            ("scope", &api_default()),
        ],
    )
}

#[test]
fn client_assertions_are_checked_as_entra_checks_them() {
    let registered = client_cert();
    let mock = Mock::with_config(&config_with_certificate(&registered));

    // RS256 with x5t, PS256 with x5t#S256: both accepted.
    let ok = assertion(
        &registered,
        json!({"alg": "RS256", "typ": "JWT", "x5t": x5t(&registered)}),
        good_claims(&mock),
        false,
    );
    let reply = send_assertion(&mock, &ok);
    assert_eq!(reply.status, 200, "{}", reply.text);
    let (_, claims) = jwt_parts(reply.json()["access_token"].as_str().unwrap());
    assert_eq!(claims["azpacr"], "2", "certificate authentication");
    let s256 = URL_SAFE_NO_PAD.encode(hash(MessageDigest::sha256(), &registered.der).unwrap());
    let pss = assertion(
        &registered,
        json!({"alg": "PS256", "typ": "JWT", "x5t#S256": s256}),
        good_claims(&mock),
        true,
    );
    assert_eq!(send_assertion(&mock, &pss).status, 200);

    // MSAL Python pads the thumbprint (urlsafe_b64encode); Entra accepts it, so must the mock.
    let padded = format!("{s256}=");
    let msal_python = assertion(
        &registered,
        json!({"alg": "PS256", "typ": "JWT", "x5t#S256": padded}),
        good_claims(&mock),
        true,
    );
    let reply = send_assertion(&mock, &msal_python);
    assert_eq!(reply.status, 200, "{}", reply.text);

    // No thumbprint in the header: AADSTS50027.
    let no_x5t = assertion(
        &registered,
        json!({"alg": "RS256", "typ": "JWT"}),
        good_claims(&mock),
        false,
    );
    let reply = send_assertion(&mock, &no_x5t);
    assert_entra_error(&reply, 400, "invalid_request", 50027);
    assert!(reply
        .text
        .contains("No certificate thumbprint specified in token header."));

    // A certificate the app does not have: AADSTS700027 with its SHA-1 thumbprint in hex.
    let stranger = client_cert();
    let unregistered = assertion(
        &stranger,
        json!({"alg": "RS256", "typ": "JWT", "x5t": x5t(&stranger)}),
        good_claims(&mock),
        false,
    );
    let reply = send_assertion(&mock, &unregistered);
    assert_entra_error(&reply, 401, "invalid_client", 700027);
    let hex: String = hash(MessageDigest::sha1(), &stranger.der)
        .unwrap()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    assert!(
        reply
            .text
            .contains(&format!("Thumbprint of key used by client: '{hex}'")),
        "{}",
        reply.text
    );
    assert!(reply.text.contains("The certificate with identifier used to sign the client assertion is not registered on application."));

    // The registered thumbprint but another key's signature: AADSTS700027, signature variant.
    let forged = assertion(
        &stranger,
        json!({"alg": "RS256", "typ": "JWT", "x5t": x5t(&registered)}),
        good_claims(&mock),
        false,
    );
    let reply = send_assertion(&mock, &forged);
    assert_entra_error(&reply, 401, "invalid_client", 700027);
    assert!(reply
        .text
        .contains("Client assertion contains an invalid signature."));

    // Expired: AADSTS700024 with the three times in Entra's seven-digit format.
    let mut expired = good_claims(&mock);
    expired["nbf"] = json!(now() - 7200);
    expired["exp"] = json!(now() - 3600);
    let reply = send_assertion(
        &mock,
        &assertion(
            &registered,
            json!({"alg": "RS256", "x5t": x5t(&registered)}),
            expired,
            false,
        ),
    );
    assert_entra_error(&reply, 401, "invalid_client", 700024);
    let description = reply.json()["error_description"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        description.contains("Client assertion is not within its valid time range. Current time: "),
        "{description}"
    );
    assert!(
        description.contains(".0000000Z, expiry time of assertion "),
        "{description}"
    );

    // Wrong audience and wrong issuer.
    let mut wrong_aud = good_claims(&mock);
    wrong_aud["aud"] = json!("https://example.com/token");
    let reply = send_assertion(
        &mock,
        &assertion(
            &registered,
            json!({"alg": "RS256", "x5t": x5t(&registered)}),
            wrong_aud,
            false,
        ),
    );
    assert_entra_error(&reply, 401, "invalid_client", 700023);
    assert!(
        reply.json()["error_description"]
            .as_str()
            .unwrap()
            .starts_with(
                "AADSTS700023: Client assertion audience claim does not match Realm issuer."
            ),
        "{}",
        reply.text
    );
    let mut wrong_iss = good_claims(&mock);
    wrong_iss["iss"] = json!("someone-else");
    let reply = send_assertion(
        &mock,
        &assertion(
            &registered,
            json!({"alg": "RS256", "x5t": x5t(&registered)}),
            wrong_iss,
            false,
        ),
    );
    assert_entra_error(&reply, 401, "invalid_client", 700021);

    // Garbage.
    let reply = send_assertion(&mock, "not.a.jwt");
    assert_entra_error(&reply, 400, "invalid_request", 50027);
}

// ---- the app's own credentials: dates and scenarios ---------------------------------------------

/// Switch the running mock's scenario through the control API.
fn switch(mock: &Mock, scenario: &str) {
    let reply = mock.put_json("/_mock/scenario", &json!({ "scenario": scenario }));
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[test]
fn a_secret_not_yet_in_force_is_not_the_apps_and_one_in_force_beside_an_expired_one_works() {
    let future = sample_config().replace(
        "expires = \"2099-12-31T23:59:59Z\"",
        "starts = \"2098-01-01T00:00:00Z\"\nexpires = \"2099-12-31T23:59:59Z\"",
    );
    let reply = Mock::with_config(&future).client_credentials();
    assert_entra_error(&reply, 401, "invalid_client", 7000215);

    let rolled = sample_config().replace(
        "[[tenants.apps.secrets]]",
        &format!("[[tenants.apps.secrets]]\nvalue = \"{WEB_SECRET}\"\nexpires = \"2020-01-01T00:00:00Z\"\n\n[[tenants.apps.secrets]]"),
    );
    assert_eq!(Mock::with_config(&rolled).client_credentials().status, 200);

    let backwards = sample_config().replace(
        "expires = \"2099-12-31T23:59:59Z\"",
        "starts = \"2099-12-31T23:59:59Z\"\nexpires = \"2098-01-01T00:00:00Z\"",
    );
    let error = mock_sts::LoadedConfig::parse(&backwards, "t.toml", None)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("tenants[0].apps[0].secrets[0].expires"),
        "{error}"
    );
}

#[test]
fn expired_client_secret_scenario_answers_the_right_secret_with_7000222_as_entra_words_it() {
    let mock = Mock::start();
    switch(&mock, "expired-client-secret");
    let reply = mock.client_credentials();
    assert_entra_error(&reply, 401, "invalid_client", 7000222);
    let description = reply.json()["error_description"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(description.starts_with(&format!("AADSTS7000222: The provided client secret keys for app '{WEB_APP}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.\r\n")), "{description}");
    let wrong = mock.post_form(
        &token_path(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", WEB_APP),
            ("client_secret", "not-the-secret"),
            ("scope", &api_default()),
        ],
    );
    assert_entra_error(&wrong, 401, "invalid_client", 7000215);
    switch(&mock, "healthy");
    assert_eq!(mock.client_credentials().status, 200);
}

fn good_assertion(mock: &Mock, cert: &ClientCert) -> String {
    assertion(
        cert,
        json!({"alg": "RS256", "typ": "JWT", "x5t": x5t(cert)}),
        good_claims(mock),
        false,
    )
}

fn hex_thumbprint(cert: &ClientCert) -> String {
    hash(MessageDigest::sha1(), &cert.der)
        .unwrap()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

#[test]
fn client_certificate_scenarios_answer_700027_and_700024_as_entra_words_them() {
    let registered = client_cert();
    let mock = Mock::with_config(&config_with_certificate(&registered));
    assert_eq!(
        send_assertion(&mock, &good_assertion(&mock, &registered)).status,
        200
    );
    let thumbprint = hex_thumbprint(&registered);

    switch(&mock, "client-cert-not-uploaded");
    let reply = send_assertion(&mock, &good_assertion(&mock, &registered));
    assert_entra_error(&reply, 401, "invalid_client", 700027);
    let text = reply.json()["error_description"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.starts_with(&format!("AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '{thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{WEB_APP}'.")), "{text}");

    switch(&mock, "expired-client-cert");
    let reply = send_assertion(&mock, &good_assertion(&mock, &registered));
    assert_entra_error(&reply, 401, "invalid_client", 700027);
    let text = reply.json()["error_description"]
        .as_str()
        .unwrap()
        .to_string();
    let prefix = format!("AADSTS700027: Client assertion contains an invalid signature. [Reason - The key used is expired., Thumbprint of key used by client: '{thumbprint}', Found key 'Start=");
    assert!(text.starts_with(&prefix), "{text}");
    // Found key 'Start=MM/dd/yyyy HH:mm:ss, End=MM/dd/yyyy HH:mm:ss']: the end is yesterday.
    let dates = text[prefix.len()..].split_once("']").unwrap().0;
    let (start, end) = dates.split_once(", End=").unwrap();
    for date in [start, end] {
        let b = date.as_bytes();
        assert!(
            b.len() == 19 && b[2] == b'/' && b[5] == b'/' && b[10] == b' ' && b[13] == b':',
            "{date}"
        );
    }

    switch(&mock, "expired-client-assertion");
    let reply = send_assertion(&mock, &good_assertion(&mock, &registered));
    assert_entra_error(&reply, 401, "invalid_client", 700024);
    let text = reply.json()["error_description"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.starts_with(
            "AADSTS700024: Client assertion is not within its valid time range. Current time: "
        ),
        "{text}"
    );
    assert!(
        text.contains(".0000000Z, expiry time of assertion "),
        "{text}"
    );
    assert!(text.contains("Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials ."), "{text}");
    // A secret still works in every certificate scenario.
    assert_eq!(mock.client_credentials().status, 200);

    switch(&mock, "healthy");
    assert_eq!(
        send_assertion(&mock, &good_assertion(&mock, &registered)).status,
        200
    );
}

#[test]
fn a_certificate_credentials_dates_are_configured_within_the_certificates() {
    let registered = client_cert();
    let with_dates = |starts: &str, expires: &str| {
        config_with_certificate(&registered).replacen(
            "pem = \"\"\"",
            &format!("starts = \"{starts}\"\nexpires = \"{expires}\"\npem = \"\"\""),
            1,
        )
    };
    let today = time::OffsetDateTime::now_utc();
    let rfc = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    // A credential that ends two seconds from now, inside the certificate's 30 days: "The key used is expired".
    let ended = with_dates(&rfc(today), &rfc(today + time::Duration::seconds(2)));
    let mock = Mock::with_config(&ended);
    std::thread::sleep(std::time::Duration::from_secs(3));
    let reply = send_assertion(&mock, &good_assertion(&mock, &registered));
    assert_entra_error(&reply, 401, "invalid_client", 700027);
    assert!(
        reply.text.contains("The key used is expired."),
        "{}",
        reply.text
    );

    // Graph refuses an end date past the certificate's notAfter.
    let error = mock_sts::LoadedConfig::parse(
        &with_dates(&rfc(today), &rfc(today + time::Duration::days(400))),
        "t.toml",
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("tenants[0].apps[0].certificates[0].expires") && error.contains("notAfter"),
        "{error}"
    );
}

#[test]
fn a_client_certificate_uploaded_through_the_control_api_is_the_fix_of_700027() {
    let registered = client_cert();
    let mock = Mock::with_config(&config_with_certificate(&registered));
    let upload = |cert: &ClientCert| {
        mock.post_json(
            &format!("/_mock/apps/{WEB_APP}/client-certificates"),
            &json!({ "pem": cert.pem }),
        )
    };

    // Not uploaded: "The key was not found"; uploaded, the same assertion goes through, in the scenario.
    switch(&mock, "client-cert-not-uploaded");
    let reply = send_assertion(&mock, &good_assertion(&mock, &registered));
    assert_entra_error(&reply, 401, "invalid_client", 700027);
    let reply = upload(&registered);
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.json()["thumbprint"], hex_thumbprint(&registered));
    assert_eq!(reply.json()["uploaded"], 1);
    assert_eq!(
        send_assertion(&mock, &good_assertion(&mock, &registered)).status,
        200
    );
    let listed = mock.get(&format!("/_mock/apps/{WEB_APP}/client-certificates"));
    assert_eq!(
        listed.json()["value"][0]["thumbprint"],
        hex_thumbprint(&registered)
    );

    // Expired: a renewed certificate uploaded is in force; the configured one stays expired.
    switch(&mock, "expired-client-cert");
    let renewed = client_cert();
    let reply = send_assertion(&mock, &good_assertion(&mock, &renewed));
    assert_entra_error(&reply, 401, "invalid_client", 700027);
    assert_eq!(upload(&renewed).status, 201);
    assert_eq!(upload(&renewed).json()["uploaded"], 2, "not added twice");
    assert_eq!(
        send_assertion(&mock, &good_assertion(&mock, &renewed)).status,
        200
    );

    // What the endpoint refuses, with the reason.
    let reply = mock.post_json(
        &format!("/_mock/apps/{WEB_APP}/client-certificates"),
        &json!({ "pem": "not a certificate" }),
    );
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert_eq!(reply.json()["error"], "invalid_certificate");
    let reply = mock.post_json(
        "/_mock/apps/9b2c3d4e-6f70-4182-93a4-b5c6d7e8f901/client-certificates",
        &json!({ "pem": registered.pem }),
    );
    assert_eq!(
        reply.json()["error"],
        "not_a_confidential_app",
        "{}",
        reply.text
    );
    let reply = mock.post_raw(
        &format!("/_mock/apps/{WEB_APP}/client-certificates"),
        "application/x-pem-file",
        registered.pem.clone().into_bytes(),
    );
    assert_eq!(
        reply.json()["error"],
        "not_json",
        "a state change needs JSON or X-Mock-STS"
    );
}
