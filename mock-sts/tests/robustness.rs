//! Hostile and malformed requests to every endpoint: always an answer, never a 500, never a dropped connection.

mod common;

use common::*;

/// A small deterministic generator, so a failure can be replayed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| (self.next() & 0xff) as u8).collect()
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[(self.next() as usize) % items.len()]
    }
}

const PATHS: &[&str] = &[
    "/{t}/oauth2/v2.0/token",
    "/{t}/oauth2/token",
    "/{t}/oauth2/v2.0/authorize",
    "/{t}/oauth2/authorize",
    "/_mock/scenario",
    "/_mock/token",
    "/oidc/userinfo",
    "/{t}/oauth2/v2.0/logout",
];

const NAMES: &[&str] = &[
    "grant_type",
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
    "scope",
    "resource",
    "code",
    "code_verifier",
    "redirect_uri",
    "refresh_token",
    "response_type",
    "response_mode",
    "code_challenge",
    "code_challenge_method",
    "login_hint",
    "prompt",
    "nonce",
    "state",
    "client_info",
];

const VALUES: &[&str] = &[
    "",
    "client_credentials",
    "authorization_code",
    "refresh_token",
    WEB_APP,
    PUBLIC_APP,
    SAML_APP,
    WEB_SECRET,
    "code",
    "id_token",
    "code id_token",
    "form_post",
    "S256",
    "plain",
    "http://localhost:8080/callback",
    "api://4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8/.default",
    "openid offline_access",
    "eyJhbGciOiJub25lIn0.e30.",
    "eyJ4NXQiOiIhISEifQ.eyJleHAiOjF9.AA",
    "eyJhbGciOiJSUzI1NiIsIng1dCI6IkFBQUEifQ.eyJleHAiOjk5OTk5OTk5OTk5OTk5OTl9.AA",
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    "select_account",
    "1",
    "%",
    "\u{0}",
    "🦀",
];

#[test]
fn random_forms_and_bytes_never_get_a_500() {
    let mock = Mock::start();
    let mut rng = Lcg(0x5eed);
    for round in 0..400 {
        let tenant = rng.pick(&[TENANT, "common", "contoso.example", "nope", "%2e%2e"]);
        let path = rng.pick(PATHS).replace("{t}", tenant);
        eprintln!("round {round}: {path}");
        let reply = if round % 3 == 0 {
            let len = (rng.next() % 2048) as usize;
            mock.post_raw(&path, "application/x-www-form-urlencoded", rng.bytes(len))
        } else {
            let fields = (rng.next() % 8) as usize;
            let pairs: Vec<(String, String)> = (0..fields)
                .map(|_| (rng.pick(NAMES).to_string(), rng.pick(VALUES).to_string()))
                .collect();
            let form: Vec<(&str, &str)> = pairs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            if round % 3 == 1 {
                mock.post_form(&path, &form)
            } else {
                let query: String = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(form)
                    .finish();
                mock.get(&format!("{path}?{query}"))
            }
        };
        assert!(
            reply.status < 500,
            "round {round}: {path} answered {}: {}",
            reply.status,
            reply.text
        );
    }
    // The server is still healthy afterwards.
    mock.put_json(
        "/_mock/scenario",
        &serde_json::json!({"scenario": "healthy"}),
    );
    assert_eq!(mock.client_credentials().status, 200);
}

#[test]
fn oversized_headers_are_refused_without_harming_the_server() {
    let mock = Mock::start();
    let host = mock.base.trim_start_matches("http://").to_string();
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(&host).unwrap();
    let huge = "a".repeat(200 * 1024);
    let request = format!(
        "GET /_mock/health HTTP/1.1\r\nHost: x\r\nX-Big: {huge}\r\nConnection: close\r\n\r\n"
    );
    let _ = stream.write_all(request.as_bytes());
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 431"),
        "{text}"
    );
    assert_eq!(mock.get("/_mock/health").status, 200);
}
