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
    let mut child = Command::new(env!("CARGO_BIN_EXE_keyprobe"))
        .args(["serve", "--port", "0"])
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
