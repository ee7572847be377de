//! `keyprobe serve` over real HTTP: the page and its assets with a strict CSP and nothing from
//! other origins, and the inspect API with the timeline.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::*;
use serde_json::{json, Value};

struct Served {
    child: Child,
    base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve() -> Served {
    serve_with(&[])
}

fn serve_with(extra: &[&str]) -> Served {
    serve_from(&root(), extra)
}

/// `keyprobe serve` run from the working directory `dir`.
fn serve_from(dir: &std::path::Path, extra: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_keyprobe"))
        .args(["serve", "--port", "0"])
        .args(extra)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("keyprobe serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let base = line
        .trim()
        .strip_prefix("keyprobe serve listening on ")
        .expect("readiness line")
        .to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    Served { child, base }
}

fn get(url: &str) -> (u16, Vec<(String, String)>, String) {
    let mut r = ureq::get(url).call().expect("GET");
    let headers = r
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    (
        r.status().as_u16(),
        headers,
        r.body_mut().read_to_string().expect("body"),
    )
}

fn post(url: &str, body: &Value) -> (u16, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent
        .post(url)
        .header("Content-Type", "application/json")
        .send(body.to_string())
        .expect("POST");
    (
        r.status().as_u16(),
        serde_json::from_str(&r.body_mut().read_to_string().expect("body")).expect("JSON"),
    )
}

#[test]
fn assets_are_local_and_locked_down() {
    let s = serve();
    for (path, kind) in [
        ("/", "text/html"),
        ("/app.js", "text/javascript"),
        ("/style.css", "text/css"),
    ] {
        let (status, headers, body) = get(&format!("{}{path}", s.base));
        assert_eq!(status, 200);
        let header = |n: &str| {
            headers
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        assert!(header("content-type").starts_with(kind));
        let csp = header("content-security-policy");
        assert!(
            csp.contains("default-src 'none'")
                && csp.contains("script-src 'self'")
                && csp.contains("connect-src 'self'"),
            "{csp}"
        );
        assert_eq!(header("x-content-type-options"), "nosniff");
        // Nothing is loaded from another origin: no absolute URLs in src/href/url()/fetch.
        for needle in [
            "src=\"http",
            "href=\"http",
            "url(http",
            "fetch(\"http",
            "//cdn",
            "fonts.googleapis",
        ] {
            assert!(!body.contains(needle), "{path} contains {needle}");
        }
        // Report content is inserted as text, never as HTML.
        assert!(
            !body.contains("innerHTML") && !body.contains("insertAdjacentHTML"),
            "{path}"
        );
    }
}

#[test]
fn inspect_api_reports_and_draws_the_timeline() {
    let s = serve();
    let token = std::fs::read_to_string(root().join("testdata/tokens/rs256-expired.jwt")).unwrap();
    let keys = std::fs::read_to_string(root().join("testdata/keys/jwks-rotated.json")).unwrap();
    let (status, body) = post(
        &format!("{}/api/inspect", s.base),
        &json!({"input": token, "at": AT, "keys": {"kind": "auto", "text": keys}}),
    );
    assert_eq!(status, 200, "{body}");
    let codes: Vec<&str> = body["report"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"token-expired") && codes.contains(&"signature-verified"),
        "{codes:?}"
    );
    assert!(body["explanations"]["token-expired"]
        .as_str()
        .unwrap()
        .contains("token-expired"));
    let timeline = body["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), 1, "{timeline:?}");
    assert_eq!(timeline[0]["state"], "expired");
}

#[test]
fn bad_requests_are_400_with_a_reason() {
    let s = serve();
    let (status, body) = post(
        &format!("{}/api/inspect", s.base),
        &json!({"input": "x", "at": "yesterday"}),
    );
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("check time"));
    let (status, body) = post(
        &format!("{}/api/inspect", s.base),
        &json!({"input": "x", "keys": {"kind": "jwks", "text": "{not json"}}),
    );
    assert_eq!(status, 400, "{body}");
    let (status, _, page) = get(&format!("{}/api/explain/AADSTS50003", s.base));
    assert_eq!(status, 200);
    assert!(page.contains("MissingSigningKey"));
}

/// A raw HTTP/1.1 exchange: what was sent, everything read until the server closes (or 10 s pass,
/// which fails the test: the server must close on its own).
fn raw(base: &str, request: &[u8]) -> String {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut answer = Vec::new();
    match stream.read_to_end(&mut answer) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!("the server kept the connection open: {e}; read so far: {answer:?}"),
    }
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn a_rebinding_page_is_refused_before_anything_is_fetched() {
    // A key-source URL that would answer if keyprobe fetched it: it must never be asked.
    let upstream = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    upstream.set_nonblocking(true).unwrap();
    let key_url = format!("http://{}/keys", upstream.local_addr().unwrap());
    let s = serve();
    let port = s.base.rsplit(':').next().unwrap();
    let body =
        json!({"input": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln", "keys": {"kind": "jwks", "url": key_url}})
            .to_string();
    let request = |host: &str, origin: Option<&str>| {
        let origin = origin
            .map(|o| format!("Origin: {o}\r\n"))
            .unwrap_or_default();
        format!(
            "POST /api/inspect HTTP/1.1\r\nHost: {host}\r\n{origin}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    // DNS rebinding: the page's own name, resolved to 127.0.0.1.
    let answer = raw(
        &s.base,
        request(&format!("attacker.example:{port}"), None).as_bytes(),
    );
    assert!(answer.starts_with("HTTP/1.1 421"), "{answer}");
    // A cross-site page: the right host, a foreign Origin.
    let answer = raw(
        &s.base,
        request(
            &format!("127.0.0.1:{port}"),
            Some("https://attacker.example"),
        )
        .as_bytes(),
    );
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    assert!(
        upstream.accept().is_err(),
        "keyprobe fetched the key source for a refused request"
    );
    // The page itself (and curl, which sends no Origin) is answered (asked without the key URL,
    // which would be fetched now and never answer).
    let plain = json!({"input": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"}).to_string();
    let answer = raw(
        &s.base,
        format!(
            "POST /api/inspect HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{plain}",
            s.base,
            plain.len()
        )
        .as_bytes(),
    );
    assert!(
        answer.starts_with("HTTP/1.1 400") || answer.starts_with("HTTP/1.1 200"),
        "{answer}"
    );
    let answer = raw(
        &s.base,
        format!("GET / HTTP/1.1\r\nHost: evil.example:{port}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    );
    assert!(answer.starts_with("HTTP/1.1 421"), "{answer}");
}

#[test]
fn half_sent_requests_are_closed() {
    let s = serve_with(&["--read-timeout", "1"]);
    let port = s.base.rsplit(':').next().unwrap();
    // Silent after connecting, and headers never finished: closed without an answer.
    assert_eq!(raw(&s.base, b""), "");
    let partial = format!("POST /api/inspect HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n");
    assert!(!raw(&s.base, partial.as_bytes()).contains("200 OK"));
    // Headers whole, the body cut short: 408 and closed.
    let cut = format!(
        "POST /api/inspect HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"input\""
    );
    let answer = raw(&s.base, cut.as_bytes());
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

/// Issue 13, item 6, through the page: a SAML Reference naming a file is never resolved, so
/// what the server answers does not depend on whether that file exists where it runs.
#[test]
fn a_reference_naming_a_file_is_not_read_by_the_server() {
    let xml = std::fs::read_to_string(root().join("testdata/saml/response-signed.xml")).unwrap();
    let start = xml.find(r##"URI="#"##).unwrap();
    let end = start + 6 + xml[start + 6..].find('"').unwrap() + 1;
    let evil = format!(r#"{}URI="secret.txt"{}"#, &xml[..start], &xml[end..]);
    let cert = std::fs::read_to_string(root().join("testdata/saml/idp-signing.pem")).unwrap();
    let scratch = std::env::temp_dir().join(format!("keyprobe-serve-ref-{}", std::process::id()));
    let (with, without) = (scratch.join("with"), scratch.join("without"));
    std::fs::create_dir_all(&with).unwrap();
    std::fs::create_dir_all(&without).unwrap();
    std::fs::write(with.join("secret.txt"), "the bytes a digest would reveal").unwrap();
    let request = json!({"input": evil, "at": AT, "keys": {"kind": "cert", "text": cert}});
    let reports: Vec<Value> = [&with, &without]
        .iter()
        .map(|dir| {
            let s = serve_from(dir, &[]);
            let (status, body) = post(&format!("{}/api/inspect", s.base), &request);
            assert_eq!(status, 200, "{body}");
            body["report"].clone()
        })
        .collect();
    assert_eq!(reports[0], reports[1], "the answer depends on the file");
    assert_eq!(reports[0]["verdict"], "error", "{}", reports[0]);
    let reasons: Vec<&Value> = reports[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["evidence"]["reason"])
        .collect();
    assert!(
        reasons.contains(&&json!("outside reference")),
        "{}",
        reports[0]
    );
    let _ = std::fs::remove_dir_all(&scratch);
}
