//! The dashboard at /_mock/: local assets behind a strict CSP, and the request log with AADSTS codes
//! and correlation IDs.

use serde_json::Value;

fn start() -> mock_sts::BackgroundServer {
    let dir = std::env::temp_dir().join(format!("mock-sts-dashboard-{}", std::process::id()));
    mock_sts::Server::start_blocking(mock_sts::Options {
        state_dir: Some(dir),
        ..mock_sts::Options::default()
    })
    .expect("starts")
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

#[test]
fn dashboard_assets_are_local_and_locked_down() {
    let server = start();
    for (path, kind) in [
        ("/_mock/", "text/html"),
        ("/_mock/dashboard.js", "text/javascript"),
        ("/_mock/dashboard.css", "text/css"),
    ] {
        let mut r = agent()
            .get(&format!("{}{path}", server.base_url()))
            .call()
            .expect("GET");
        assert_eq!(r.status().as_u16(), 200, "{path}");
        let header = |n: &str| {
            r.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        assert!(header("content-type").starts_with(kind));
        assert!(header("content-security-policy").contains("default-src 'none'"));
        let body = r.body_mut().read_to_string().expect("body");
        for needle in ["src=\"http", "href=\"http", "url(http", "innerHTML"] {
            assert!(!body.contains(needle), "{path} contains {needle}");
        }
    }
    server.shutdown();
}

#[test]
fn the_request_log_shows_aadsts_codes_and_correlation_ids() {
    let server = start();
    let token_url = format!(
        "{}/{}/oauth2/v2.0/token",
        server.base_url(),
        server.tenant_id()
    );
    let correlation = "0f0e0d0c-0b0a-4909-8807-060504030201";
    let mut r = agent()
        .post(&token_url)
        .header("client-request-id", correlation)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send("grant_type=client_credentials&client_id=4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8&client_secret=wrong&scope=api://x/.default")
        .expect("POST");
    assert_eq!(r.status().as_u16(), 401);
    let _ = r.body_mut().read_to_string();
    let mut log = agent()
        .get(&format!("{}/_mock/requests", server.base_url()))
        .call()
        .expect("GET");
    let entries: Value =
        serde_json::from_str(&log.body_mut().read_to_string().expect("body")).expect("JSON");
    let first = &entries[0];
    assert_eq!(first["status"], 401);
    assert_eq!(first["aadsts"], "AADSTS7000215");
    assert_eq!(first["correlation_id"], correlation);
    assert!(first["path"]
        .as_str()
        .unwrap()
        .ends_with("/oauth2/v2.0/token"));
    assert!(
        !first["path"].as_str().unwrap().contains('?'),
        "query strings are never logged"
    );
    server.shutdown();
}
