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

/// How long the server took to close a connection that `setup` left silent, or `None` if it was still
/// open after `limit`.
fn closed_by_server_within<S: std::io::Read>(
    mut stream: S,
    limit: std::time::Duration,
) -> Option<std::time::Duration> {
    let started = std::time::Instant::now();
    let mut buf = [0u8; 256];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Some(started.elapsed()),
            Ok(_) => {}
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut =>
            {
                return None
            }
            // A reset is the server closing too.
            Err(_) => return Some(started.elapsed()),
        }
        if started.elapsed() > limit {
            return None;
        }
    }
}

fn quick_timeout_mock(tls: bool) -> Mock {
    Mock::with(mock_sts::Options {
        tls,
        header_read_timeout: std::time::Duration::from_millis(600),
        ..mock_sts::Options::default()
    })
}

#[test]
fn silent_clients_are_closed_after_the_header_timeout() {
    use std::io::Write;
    let limit = std::time::Duration::from_secs(5);
    let mock = quick_timeout_mock(false);
    let host = mock.base.trim_start_matches("http://").to_string();

    let silent = std::net::TcpStream::connect(&host).unwrap();
    silent.set_read_timeout(Some(limit)).unwrap();
    let took = closed_by_server_within(silent, limit).expect("a silent client is closed");
    assert!(took >= std::time::Duration::from_millis(500), "{took:?}");

    let mut partial = std::net::TcpStream::connect(&host).unwrap();
    partial.set_read_timeout(Some(limit)).unwrap();
    partial.write_all(b"PRI * HTTP/2").unwrap();
    closed_by_server_within(partial, limit).expect("a partial HTTP/2 preface is closed");

    assert_eq!(mock.get("/_mock/health").status, 200);
}

#[test]
fn tls_clients_silent_after_the_handshake_are_closed_and_others_served() {
    use std::io::Write;
    let limit = std::time::Duration::from_secs(5);
    let mock = quick_timeout_mock(true);
    let host = mock.base.trim_start_matches("https://").to_string();
    let mut connector =
        openssl::ssl::SslConnector::builder(openssl::ssl::SslMethod::tls()).unwrap();
    connector
        .set_ca_file(mock.server().ca_pem_path().expect("a TLS mock has a CA"))
        .unwrap();
    let connector = connector.build();
    let handshake = || {
        let tcp = std::net::TcpStream::connect(&host).unwrap();
        tcp.set_read_timeout(Some(limit)).unwrap();
        connector.connect("127.0.0.1", tcp).expect("TLS handshake")
    };

    let silent = handshake();
    let took =
        closed_by_server_within(silent, limit).expect("silent after the handshake is closed");
    assert!(took >= std::time::Duration::from_millis(500), "{took:?}");

    // The bytes read to tell HTTP/1.1 from HTTP/2 are replayed: a request split across writes is whole.
    let mut client = handshake();
    client.write_all(b"GET /_mock/hea").unwrap();
    client.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    client
        .write_all(format!("lth HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes())
        .unwrap();
    let mut response = String::new();
    let _ = std::io::Read::read_to_string(&mut client, &mut response);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
}
