//! Issue 13's mock-sts classes, each tried as an attacker would: a web page driving the control API
//! (DNS rebinding, cross-site simple requests), unbounded certificates, a quadratic duplicate-parameter
//! check, an open logout redirect, and keys kept in a shared temporary directory.

mod common;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

/// One raw HTTP/1.1 exchange, so that `Host`, `Origin` and the rest are exactly what a browser would send.
fn raw(
    mock: &Mock,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    let addr = mock.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {response}"));
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

fn signing_kid(mock: &Mock) -> String {
    mock.get("/_mock/config").json()["signing_keys"]["signing_kid"]
        .as_str()
        .unwrap()
        .to_string()
}

fn certificate_count(mock: &Mock) -> usize {
    mock.get(&format!("/_mock/apps/{SAML_APP}/certificates"))
        .json()["signing_certificates"]
        .as_array()
        .unwrap()
        .len()
}

#[test]
fn a_rebinding_page_cannot_read_the_control_api() {
    let mock = Mock::start();
    let port = mock.base.rsplit(':').next().unwrap().to_string();
    let own = format!("127.0.0.1:{port}");
    let rebound = format!("attacker.example:{port}");
    let (status, body) = raw(&mock, "GET", "/_mock/config", &[("Host", &rebound)], "");
    assert_eq!(status, 421, "{body}");
    assert!(
        !body.contains(WEB_SECRET),
        "the client secret leaked: {body}"
    );
    let (status, body) = raw(&mock, "GET", "/_mock/", &[("Host", &rebound)], "");
    assert_eq!(status, 421, "the dashboard too: {body}");
    let (status, _) = raw(&mock, "GET", "/_mock/config", &[], "");
    assert_eq!(status, 421, "no Host at all");
    // The harness on this machine, by address or by name.
    let (status, body) = raw(&mock, "GET", "/_mock/config", &[("Host", &own)], "");
    assert_eq!(status, 200);
    assert!(body.contains(WEB_SECRET));
    let localhost = format!("localhost:{port}");
    assert_eq!(
        raw(&mock, "GET", "/_mock/health", &[("Host", &localhost)], "").0,
        200
    );
    // Entra's own endpoints answer whatever the Host, as Entra does.
    let discovery = format!("/{TENANT}/v2.0/.well-known/openid-configuration");
    assert_eq!(
        raw(&mock, "GET", &discovery, &[("Host", &rebound)], "").0,
        200
    );
}

#[test]
fn a_cross_site_request_changes_nothing() {
    let mock = Mock::start();
    let port = mock.base.rsplit(':').next().unwrap().to_string();
    let host = format!("127.0.0.1:{port}");
    let kid = signing_kid(&mock);
    let certificates = certificate_count(&mock);
    let foreign = "https://attacker.example";

    // What a page can send without asking: a form or text body, or none (fetch with mode no-cors).
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let (status, body) = raw(
            &mock,
            "POST",
            "/_mock/keys/rotate",
            &[("Host", &host), ("Content-Type", content_type)],
            "{}",
        );
        assert_eq!(status, 415, "{content_type}: {body}");
    }
    let (status, _) = raw(
        &mock,
        "POST",
        &format!("/_mock/apps/{SAML_APP}/certificates"),
        &[("Host", &host)],
        "",
    );
    assert_eq!(status, 415, "no body, no content type");
    let (status, _) = raw(
        &mock,
        "PUT",
        "/_mock/scenario",
        &[("Host", &host), ("Content-Type", "text/plain")],
        r#"{"scenario":"missing-signing-key"}"#,
    );
    assert_eq!(status, 415);
    let (status, _) = raw(
        &mock,
        "POST",
        "/_mock/token",
        &[
            ("Host", &host),
            ("Content-Type", "text/plain;charset=UTF-8"),
        ],
        r#"{"claims":{}}"#,
    );
    assert_eq!(status, 415, "no token minted for a page");
    // A foreign Origin or a cross-site fetch, even with JSON.
    let json_type = ("Content-Type", "application/json");
    let (status, _) = raw(
        &mock,
        "POST",
        "/_mock/keys/rotate",
        &[("Host", &host), json_type, ("Origin", foreign)],
        "{}",
    );
    assert_eq!(status, 403);
    let (status, _) = raw(
        &mock,
        "POST",
        &format!("/_mock/apps/{SAML_APP}/certificates"),
        &[("Host", &host), json_type, ("Sec-Fetch-Site", "cross-site")],
        "{}",
    );
    assert_eq!(status, 403);
    assert_eq!(signing_kid(&mock), kid, "the keys were rotated");
    assert_eq!(
        certificate_count(&mock),
        certificates,
        "a certificate was made"
    );
    assert_eq!(mock.get("/_mock/scenario").json()["scenario"], "healthy");

    // The dashboard's own requests (same origin, the X-Mock-STS header or JSON) and a program's go through.
    let own_origin = format!("http://{host}");
    let (status, body) = raw(
        &mock,
        "POST",
        &format!("/_mock/apps/{SAML_APP}/certificates"),
        &[
            ("Host", &host),
            ("Origin", &own_origin),
            ("Sec-Fetch-Site", "same-origin"),
            ("X-Mock-STS", "dashboard"),
        ],
        "",
    );
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        mock.put_json("/_mock/scenario", &json!({"scenario": "healthy"}))
            .status,
        200
    );
    let (status, body) = raw(
        &mock,
        "POST",
        "/_mock/keys/rotate",
        &[("Host", &host), json_type],
        "{}",
    );
    assert_eq!(status, 200, "{body}");
    assert_ne!(signing_kid(&mock), kid);
}

#[test]
fn certificates_per_app_are_bounded() {
    let mock = Mock::start();
    let path = format!("/_mock/apps/{SAML_APP}/certificates");
    let mut made = 0;
    loop {
        let reply = mock.post_raw(&path, "application/json", b"{}".to_vec());
        if reply.status != 201 {
            assert_eq!(reply.status, 409, "{}", reply.text);
            assert_eq!(reply.json()["error"], "too_many_certificates");
            break;
        }
        made += 1;
        assert!(made <= 16, "more than 16 certificates for one app");
    }
    assert_eq!(certificate_count(&mock), 16);
}

#[test]
fn duplicate_parameters_are_found_in_linear_time() {
    let mock = Mock::start();
    // 65,000 distinct names of three characters fill the 256 KiB body; a pairwise check took seconds.
    let names = three_character_names(65_000);
    let mut body = names.join("&");
    body.push_str("&000");
    assert!(body.len() <= 256 * 1024, "{}", body.len());
    let started = Instant::now();
    let reply = mock.post_raw(
        &format!("/{TENANT}/oauth2/v2.0/token"),
        "application/x-www-form-urlencoded",
        body.into_bytes(),
    );
    let elapsed = started.elapsed();
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert!(
        reply.text.contains("AADSTS9002313"),
        "a duplicate name is a malformed request: {}",
        reply.text
    );
    // Generous: the linear check takes milliseconds; the pairwise one took 5 s in release.
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    // The same names in the query and the form (the two are merged) are as cheap.
    let query: String = names
        .iter()
        .take(8_000)
        .map(|n| format!("q{n}"))
        .collect::<Vec<_>>()
        .join("&");
    let form: String = names
        .iter()
        .take(60_000)
        .cloned()
        .collect::<Vec<_>>()
        .join("&");
    let started = Instant::now();
    let reply = mock.post_raw(
        &format!("/{TENANT}/oauth2/v2.0/authorize?{query}"),
        "application/x-www-form-urlencoded",
        form.into_bytes(),
    );
    assert!(reply.status < 500, "{}", reply.text);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

/// `000`, `001`, ... in base 62.
fn three_character_names(count: usize) -> Vec<String> {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    (0..count)
        .map(|n| {
            [n / (62 * 62), (n / 62) % 62, n % 62]
                .iter()
                .map(|&d| DIGITS[d] as char)
                .collect()
        })
        .collect()
}

#[test]
fn logout_follows_only_a_registered_uri() {
    let mock = Mock::start();
    let logout = |uri: &str, client: Option<&str>| {
        let mut path = format!(
            "/{TENANT}/oauth2/v2.0/logout?post_logout_redirect_uri={}",
            urlencode(uri)
        );
        if let Some(client) = client {
            path.push_str(&format!("&client_id={client}"));
        }
        mock.get(&path)
    };
    for foreign in [
        "https://attacker.example/",
        "javascript:alert(1)",
        "http://localhost:8080/elsewhere",
    ] {
        let reply = logout(foreign, None);
        assert_eq!(
            reply.status,
            200,
            "{foreign}: {:?}",
            reply.header("location")
        );
        assert!(reply.header("location").is_none(), "{foreign}");
        assert!(reply.text.contains("You signed out"));
    }
    let registered = "http://localhost:8080/callback";
    let reply = logout(registered, Some(WEB_APP));
    assert_eq!(reply.status, 302);
    assert_eq!(reply.header("location"), Some(registered));
    assert_eq!(
        logout(registered, None).status,
        302,
        "registered by an app of the tenant"
    );
    // Registered by another app than the one named: not followed.
    let reply = logout(registered, Some(PUBLIC_APP));
    assert!(reply.header("location").is_none());
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[test]
fn no_shared_temporary_state_directory() {
    let tmp = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("mock-sts-no-home-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mock-sts"))
        .env_remove("HOME")
        .env_remove("XDG_STATE_HOME")
        .env("TMPDIR", &tmp)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("mock-sts started without a state directory of its own");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("--state-dir"), "{stderr}");
    assert!(
        !tmp.join("mock-sts").exists(),
        "keys were made in the temporary directory"
    );
    std::fs::remove_dir_all(&tmp).ok();
}

#[test]
fn verification_certificates_change_only_for_the_harness() {
    let mock = Mock::start();
    let host = mock.base.trim_start_matches("http://").to_string();
    let path = format!("/_mock/apps/{SAML_APP}/verification-certificates");
    let count = |mock: &Mock| {
        mock.get(&path).json()["verification_certificates"]
            .as_array()
            .unwrap()
            .len()
    };
    // Any certificate will do: the app's own signing certificate, base64 DER from its metadata.
    let metadata = mock
        .get(&format!(
            "/{TENANT}/federationmetadata/2007-06/federationmetadata.xml?appid={SAML_APP}"
        ))
        .text;
    let start = metadata.find("<X509Certificate>").unwrap() + "<X509Certificate>".len();
    let end = start + metadata[start..].find("</X509Certificate>").unwrap();
    let body = json!({"certificate": &metadata[start..end]}).to_string();
    let json_type = ("Content-Type", "application/json");
    // A DNS-rebinding page (another Host), a cross-site page, a form post: nothing is added.
    let (status, _) = raw(
        &mock,
        "POST",
        &path,
        &[("Host", "evil.example"), json_type],
        &body,
    );
    assert_eq!(status, 421);
    let (status, _) = raw(
        &mock,
        "POST",
        &path,
        &[
            ("Host", &host),
            json_type,
            ("Origin", "https://evil.example"),
        ],
        &body,
    );
    assert_eq!(status, 403);
    let (status, _) = raw(
        &mock,
        "POST",
        &path,
        &[("Host", &host), ("Content-Type", "text/plain")],
        &body,
    );
    assert_eq!(status, 415);
    assert_eq!(count(&mock), 0);
    // The harness: JSON to the server's own address.
    let (status, added) = raw(&mock, "POST", &path, &[("Host", &host), json_type], &body);
    assert_eq!(status, 201, "{added}");
    assert_eq!(count(&mock), 1);
    let thumbprint = serde_json::from_str::<serde_json::Value>(&added).unwrap()["thumbprint"]
        .as_str()
        .unwrap()
        .to_string();
    // Removing follows the same rules: not without the header, not from another site.
    let target = format!("{path}/{thumbprint}");
    let (status, _) = raw(&mock, "DELETE", &target, &[("Host", &host)], "");
    assert_eq!(status, 415);
    let (status, _) = raw(
        &mock,
        "DELETE",
        &target,
        &[
            ("Host", &host),
            ("X-Mock-STS", "t"),
            ("Sec-Fetch-Site", "cross-site"),
        ],
        "",
    );
    assert_eq!(status, 403);
    assert_eq!(count(&mock), 1);
    assert_eq!(mock.delete(&target).status, 200);
    assert_eq!(count(&mock), 0);
    mock.stop();
}
