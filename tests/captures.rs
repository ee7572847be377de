//! What people have in hand when a sign-in breaks, read as a user would: keys alone, a token
//! endpoint's answer, several tokens in one file (and, in later sections, captures, saved pages
//! and app registrations).

mod common;

use common::*;

fn kinds(run: &Run) -> Vec<(String, String)> {
    run.json_lines()
        .iter()
        .map(|r| {
            (
                r["input"].as_str().unwrap().to_string(),
                r["kind"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_private_key_is_described_and_flagged_never_printed() {
    let run = inspect(&["testdata/keys/issuer.key.pem"]);
    let r = run.json();
    assert_eq!(r["kind"], "key");
    assert_eq!(r["decoded"]["key"], "RSA 2048-bit");
    assert_eq!(r["decoded"]["private"], true);
    assert_eq!(run.codes(), ["private-key-material"]);
    // The RFC 7638 thumbprint is the one the public key set publishes for the same key.
    let jwks: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("testdata/keys/jwks.json")).unwrap(),
    )
    .unwrap();
    let published = inspect(&["testdata/keys/jwks.json"]).json();
    let thumbprints: Vec<&str> = published["decoded"]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|k| k["jwk_thumbprint"].as_str())
        .collect();
    assert!(
        thumbprints.contains(&r["decoded"]["jwk_thumbprint"].as_str().unwrap()),
        "{thumbprints:?} vs {} ({} keys)",
        r["decoded"]["jwk_thumbprint"],
        jwks["keys"].as_array().unwrap().len()
    );
    // Not one private member leaves the tool.
    assert!(r["decoded"]["public_jwk"].get("d").is_none());
    assert!(!run.stdout.contains("PRIVATE KEY-----"));
    assert_eq!(run.code, 0, "a warning, not an error");
}

#[test]
fn every_key_shape_is_recognised() {
    for (file, key, codes) in [
        ("testdata/keys/issuer.pub.pem", Some("RSA 2048-bit"), vec![]),
        ("testdata/keys/ec-p256.pub.der", Some("EC P-256"), vec![]),
        (
            "testdata/keys/ec-p256.sec1.pem",
            Some("EC P-256"),
            vec!["private-key-material"],
        ),
        (
            "testdata/keys/issuer.key.encrypted.pem",
            None,
            vec!["private-key-material"],
        ),
        (
            "testdata/keys/weak-rsa1024.pub.pem",
            Some("RSA 1024-bit"),
            vec!["weak-key"],
        ),
    ] {
        let run = inspect(&[file]);
        let r = run.json();
        assert_eq!(r["kind"], "key", "{file}: {}", run.stdout);
        assert_eq!(r["decoded"]["key"].as_str(), key, "{file}");
        assert_eq!(run.codes(), codes, "{file}");
    }
}

#[test]
fn a_certificate_bundled_with_its_private_key_flags_the_key() {
    let run = inspect(&["testdata/keys/issuer.cert-and-key.pem"]);
    assert_eq!(run.json()["kind"], "x509");
    assert_eq!(run.codes(), ["private-key-material"], "{}", run.stdout);
}

#[test]
fn a_token_response_is_a_container_of_its_tokens() {
    let run = inspect(&[
        "testdata/tokens/token-response.json",
        "--jwks",
        "testdata/keys/jwks.json",
    ]);
    let reports = run.json_lines();
    assert_eq!(
        kinds(&run),
        [
            (
                "testdata/tokens/token-response.json".into(),
                "token-response".into()
            ),
            (
                "testdata/tokens/token-response.json#access_token".into(),
                "jwt".into()
            ),
            (
                "testdata/tokens/token-response.json#id_token".into(),
                "jwt".into()
            ),
        ]
    );
    let container = &reports[0];
    // Its verdict is the worst of its tokens': the expired id_token.
    assert_eq!(container["verdict"], "error");
    assert_eq!(codes_of(container), ["token-expired"]);
    assert!(container["findings"][0]["message"]
        .as_str()
        .unwrap()
        .starts_with("testdata/tokens/token-response.json#id_token: "));
    assert_eq!(reports[1]["verdict"], "ok");
    // The refresh token is noted, never printed.
    let refresh = container["decoded"]["refresh_token"].as_str().unwrap();
    assert!(refresh.starts_with("present, "), "{refresh}");
    assert!(!run.stdout.contains("AgABAwEAAAApTwJmzXqdR4BN2miheQMYAgDs"));
    assert_eq!(
        container["decoded"]["client_info"]["utid"],
        "8eaef023-2b34-4da1-9baa-8bc8c9d6a490"
    );
    assert_eq!(run.code, 1);
}

#[test]
fn several_tokens_in_one_file_are_several_inputs() {
    let run = inspect(&[
        "testdata/tokens/several.txt",
        "--jwks",
        "testdata/keys/jwks.json",
    ]);
    let reports = run.json_lines();
    let labels: Vec<&str> = reports
        .iter()
        .map(|r| r["input"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "testdata/tokens/several.txt:1",
            "testdata/tokens/several.txt:3",
            "testdata/tokens/several.txt:4"
        ]
    );
    assert_eq!(reports[0]["verdict"], "ok");
    assert_eq!(codes_of(&reports[1])[0], "key-not-found");
    assert_eq!(codes_of(&reports[2])[0], "token-expired");
}

#[test]
fn batch_mode_gives_every_report_of_a_container_in_input_order() {
    // A log of what a service saw, one item per line: a token, a token endpoint's answer, a whole
    // capture written on one line, a library's error.
    let read = |rel: &str| std::fs::read_to_string(root().join(rel)).unwrap();
    let compact = |rel: &str| {
        serde_json::from_str::<serde_json::Value>(&read(rel))
            .unwrap()
            .to_string()
    };
    let lines = [
        read("testdata/tokens/rs256-valid.jwt").trim().to_string(),
        compact("testdata/tokens/token-response.json"),
        compact("testdata/captures/firefox-oidc.har"),
        read("testdata/rp-errors/lines.txt")
            .lines()
            .next()
            .unwrap()
            .to_string(),
    ];
    let dir = std::env::temp_dir().join(format!("keyprobe-batch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("mixed.txt");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let file = file.to_str().unwrap();
    let run = inspect(&["--lines", file]);
    let seen: Vec<(String, String)> = kinds(&run)
        .into_iter()
        .map(|(input, kind)| (input.replacen(file, "F", 1), kind))
        .collect();
    let whole = inspect(&["testdata/captures/firefox-oidc.har"])
        .json_lines()
        .len();
    let mut expected = vec![
        ("F:1".to_string(), "jwt".to_string()),
        ("F:2".into(), "token-response".into()),
        ("F:2#access_token".into(), "jwt".into()),
        ("F:2#id_token".into(), "jwt".into()),
        ("F:3".into(), "har".into()),
    ];
    assert_eq!(&seen[..expected.len()], &expected[..], "{}", run.stdout);
    // The capture's artifacts follow it, as many as the file gives, then the next line.
    let after = expected.len() + whole - 1;
    assert!(seen[expected.len()..after]
        .iter()
        .all(|(input, _)| input.starts_with("F:3#")));
    expected.push(("F:4".into(), "rp-error".into()));
    assert_eq!(seen[after], expected[expected.len() - 1]);
    assert_eq!(seen.len(), after + 1);
    // Human output lists the same reports.
    let human = keyprobe(&["inspect", "--lines", "--at", AT, file]);
    assert!(human.stdout.contains(&format!("{file}:2#id_token")));
    std::fs::remove_dir_all(&dir).ok();
}

// --- Captures: HAR (Firefox, Fiddler shapes here; Chromium's in tests/browser/capture.test.mjs)
// --- and SAML-tracer exports.

#[test]
fn a_firefox_har_of_an_oidc_flow_names_the_failing_call_first() {
    let run = inspect(&["testdata/captures/firefox-oidc.har"]);
    let reports = run.json_lines();
    let har = &reports[0];
    assert_eq!(har["kind"], "har");
    assert_eq!(har["verdict"], "error");
    assert_eq!(har["decoded"]["creator"]["name"], "Firefox");
    // The first finding is the first failure: the API call with an expired token.
    assert_eq!(codes_of(har)[0], "token-expired");
    let first = har["findings"][0]["message"].as_str().unwrap();
    assert!(
        first.contains("#5 GET api.contoso.example/orders → 401"),
        "{first}"
    );
    assert!(
        first.contains("client_id 6731de76-14a6-49ae-97bc-6eba6914391e"),
        "{first}"
    );
    // The flow in order, with what each step carried; the script is left out.
    let flow = har["decoded"]["flow"].as_array().unwrap();
    let entries: Vec<u64> = flow.iter().map(|s| s["entry"].as_u64().unwrap()).collect();
    assert_eq!(entries, [0, 1, 2, 3, 4, 5]);
    let found = |i: usize| flow[i]["found"].to_string();
    assert!(found(2).contains("oidc-discovery"));
    assert!(found(3).contains("jwks"));
    assert!(
        found(4).contains("client secret (not shown"),
        "{}",
        found(4)
    );
    assert!(found(4).contains("the same value as #4.response.content.access_token"));
    // Keys the capture carries are evidence: nothing was verified with them.
    assert!(har["decoded"]["keys_in_capture"]
        .as_str()
        .unwrap()
        .contains("never trusted"));
    let inputs: Vec<&str> = reports[1..]
        .iter()
        .map(|r| r["input"].as_str().unwrap())
        .collect();
    assert!(inputs.contains(&"testdata/captures/firefox-oidc.har#5.request.headers.Authorization"));
    assert!(reports[1..]
        .iter()
        .filter(|r| r["kind"] == "jwt")
        .all(|r| codes_of(r).contains(&"signature-not-checked".to_string())));
    // Secrets noted are never printed.
    assert!(!run.stdout.contains("fixture.client.secret"));
    assert!(!run.stdout.contains("refresh-secret-value"));
    assert_eq!(run.code, 1);
}

#[test]
fn the_human_report_of_a_capture_lists_the_flow_then_every_report_it_holds() {
    let file = "testdata/captures/firefox-oidc.har";
    let human = keyprobe(&["inspect", "--at", AT, file]);
    let lines: Vec<&str> = human.stdout.lines().collect();
    let at = |prefix: &str| {
        lines
            .iter()
            .position(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no line '{prefix}' in\n{}", human.stdout))
    };
    // The flow comes before the capture's other facts, numbered as the artifacts' paths are.
    let flow = at("  flow (6 requests)");
    let listed = at("  reports (4, each below)");
    assert!(flow < listed && listed < at("  creator"));
    assert!(lines[flow + 1..listed]
        .iter()
        .any(|l| l.trim() == "#5 GET api.contoso.example/orders → 401"));
    // Every report the capture holds is listed, then follows whole, in the same order.
    let json = inspect(&[file]);
    let inputs: Vec<String> = json.json_lines()[1..]
        .iter()
        .map(|r| r["input"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(inputs.len(), 4);
    let mut last = listed;
    for input in &inputs {
        assert!(lines[listed..].iter().any(|l| l.ends_with(input.as_str())));
        let own = at(&format!("{input}  "));
        assert!(own > last, "{input} out of order");
        last = own;
    }
    // The headline is said once, on the first line.
    assert_eq!(human.stdout.matches("Fix: ").count(), 1);
}

#[test]
fn a_fiddler_har_gives_entras_error_with_its_ids() {
    let run = inspect(&["testdata/captures/fiddler-client-assertion.har"]);
    let reports = run.json_lines();
    assert_eq!(reports[0]["kind"], "har");
    assert_eq!(reports[0]["decoded"]["creator"]["name"], "Fiddler");
    let failure = &reports[0]["decoded"]["first_failure"];
    assert_eq!(failure["cause"], "sts-error");
    assert_eq!(
        failure["request_id"],
        "0000aaaa-11bb-cccc-dd33-eeeeee333333"
    );
    assert!(reports[0]["decoded"]["headline"]
        .as_str()
        .unwrap()
        .starts_with("AADSTS700027"));
    let error = reports
        .iter()
        .find(|r| r["kind"] == "sts-error")
        .expect("the error body is an artifact");
    assert_eq!(
        error["decoded"]["correlation_id"],
        "aaaa0000-bb11-2222-33cc-444444dddddd"
    );
    assert!(reports.iter().any(|r| r["input"]
        .as_str()
        .unwrap()
        .ends_with("#0.request.postData.client_assertion")));
}

#[test]
fn a_saml_tracer_export_verifies_the_posted_response() {
    let run = inspect(&[
        "testdata/captures/saml-tracer.json",
        "--metadata",
        "testdata/saml/federationmetadata.xml",
    ]);
    let reports = run.json_lines();
    assert_eq!(reports[0]["kind"], "saml-tracer");
    assert_eq!(reports[0]["verdict"], "ok", "{}", run.stdout);
    let kinds: Vec<(&str, &str)> = reports[1..]
        .iter()
        .map(|r| (r["input"].as_str().unwrap(), r["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            (
                "testdata/captures/saml-tracer.json#0.request.url.SAMLRequest",
                "saml-authn-request"
            ),
            (
                "testdata/captures/saml-tracer.json#1.request.postData.SAMLResponse",
                "saml-response"
            ),
        ]
    );
    assert!(codes_of(&reports[2]).contains(&"signature-verified".to_string()));
    assert_eq!(run.code, 0);
}

#[test]
fn a_capture_never_causes_io() {
    // Every URL the capture names points at a listener of ours: not one connection may reach it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let at = format!("http://{}", listener.local_addr().unwrap());
    let b64 = |v: serde_json::Value| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    let token = format!(
        "{}.{}.{}",
        b64(
            serde_json::json!({"alg": "RS256", "kid": "k1", "jku": format!("{at}/jku"), "x5u": format!("{at}/x5u")})
        ),
        b64(
            serde_json::json!({"iss": format!("{at}/v2.0"), "aud": "api://x", "exp": 1_900_000_000})
        ),
        "c2ln"
    );
    let discovery = serde_json::json!({
        "issuer": format!("{at}/v2.0"), "jwks_uri": format!("{at}/keys"),
        "authorization_endpoint": format!("{at}/authorize"), "token_endpoint": format!("{at}/token"),
    });
    let page = format!(
        "<!DOCTYPE html><html><head><script src=\"{at}/s.js\"></script><link rel=stylesheet href=\"{at}/c.css\"></head>\
         <body><img src=\"{at}/i.png\"><form method=post action=\"{at}/acs\"><input type=hidden name=id_token value=\"{token}\"></form></body></html>"
    );
    let entry = |method: &str,
                 url: String,
                 headers: serde_json::Value,
                 mime: &str,
                 text: String| {
        serde_json::json!({
            "request": {"method": method, "url": url, "headers": headers},
            "response": {"status": 200, "headers": [], "content": {"mimeType": mime, "text": text}}
        })
    };
    let har = serde_json::json!({"log": {"version": "1.2", "creator": {"name": "test"}, "entries": [
        entry("GET", format!("{at}/v2.0/.well-known/openid-configuration"), serde_json::json!([]), "application/json", discovery.to_string()),
        entry("GET", format!("{at}/authorize?client_id=x&redirect_uri={at}/cb"), serde_json::json!([]), "text/html", page),
        entry("GET", format!("{at}/api"), serde_json::json!([{"name": "Authorization", "value": format!("Bearer {token}")}]), "application/json", "{}".into()),
        entry("POST", format!("{at}/token"), serde_json::json!([]), "application/json",
              serde_json::json!({"access_token": token, "id_token": token, "token_type": "Bearer"}).to_string()),
    ]}});
    let dir = std::env::temp_dir().join(format!("keyprobe-no-io-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("capture.har");
    std::fs::write(&file, har.to_string()).unwrap();
    let lines = dir.join("lines.txt");
    std::fs::write(&lines, format!("{har}\n")).unwrap();
    let file = file.to_str().unwrap();
    let run = inspect(&[file]);
    assert_eq!(run.json_lines()[0]["kind"], "har", "{}", run.stdout);
    let kinds: Vec<String> = kinds(&run).into_iter().map(|(_, k)| k).collect();
    assert!(
        kinds.contains(&"jwt".to_string()) && kinds.contains(&"oidc-discovery".to_string()),
        "the artifacts were found and inspected: {kinds:?}"
    );
    inspect(&["--lines", lines.to_str().unwrap()]);
    let redacted = keyprobe(&["redact", file]);
    assert_eq!(redacted.code, 0, "{}", redacted.stderr);
    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        Ok((_, peer)) => panic!("reading a capture connected to a URL it names (from {peer})"),
        Err(e) => panic!("{e}"),
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_50_mb_har_streams_in_bounded_memory() {
    // A capture as big as a long devtools session: mostly script bodies, the SAML error last.
    let dir = std::env::temp_dir().join(format!("keyprobe-big-har-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.har");
    let body = "x".repeat(256 * 1024);
    let mut har = String::from("{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"WebInspector\",\"version\":\"537.36\"},\"entries\":[");
    for i in 0..200 {
        har.push_str(&format!(
            "{{\"_resourceType\":\"script\",\"request\":{{\"method\":\"GET\",\"url\":\"https://cdn.example/{i}.js\",\"headers\":[]}},\"response\":{{\"status\":200,\"headers\":[],\"content\":{{\"mimeType\":\"text/javascript\",\"text\":\"{body}\"}}}}}},"
        ));
    }
    let page =
        std::fs::read_to_string(root().join("testdata/errors/aadsts50003-page.txt")).unwrap();
    let html = format!(
        "<!DOCTYPE html><html><body><div>{}</div></body></html>",
        page.replace('\n', "</div><div>")
    );
    har.push_str(&format!(
        "{{\"_resourceType\":\"document\",\"request\":{{\"method\":\"GET\",\"url\":\"https://login.microsoftonline.com/t/saml2?x=1\",\"headers\":[]}},\"response\":{{\"status\":400,\"headers\":[],\"content\":{{\"mimeType\":\"text/html\",\"text\":{}}}}}}}]}}}}",
        serde_json::Value::String(html)
    ));
    std::fs::write(&path, &har).unwrap();
    assert!(har.len() > 50 * 1024 * 1024);
    let out = std::process::Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .arg(env!("CARGO_BIN_EXE_keyprobe"))
        .args(["inspect", "--json"])
        .arg(&path)
        .output()
        .expect("GNU time (/usr/bin/time) runs keyprobe");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let peak_kib: u64 = stderr
        .trim()
        .lines()
        .last()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let first: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&out.stdout).lines().next().unwrap()).unwrap();
    assert!(first["decoded"]["headline"]
        .as_str()
        .unwrap()
        .starts_with("AADSTS50003"));
    assert!(first["decoded"]["left_out"]
        .as_str()
        .unwrap()
        .starts_with("200 other"));
    // Far less than the file: one entry at a time.
    assert!(
        peak_kib < 64 * 1024,
        "peak RSS {peak_kib} KiB for a {} MB HAR",
        har.len() >> 20
    );
    std::fs::remove_dir_all(&dir).ok();
}

// --- Saved pages: Entra's auto-posting form and its error page, as mock-sts serves them.

fn saml_sign_in_page(mock: &mock_sts::BackgroundServer) -> String {
    use base64::Engine;
    use std::io::Write;
    let base = mock.base_url();
    let tenant = mock.tenant_id();
    let request = format!(
        "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_page1\" Version=\"2.0\" IssueInstant=\"2026-06-01T11:59:00Z\" Destination=\"{base}/{tenant}/saml2\" AssertionConsumerServiceURL=\"https://sp.contoso.example/saml/acs\"><saml:Issuer>https://sp.contoso.example/saml</saml:Issuer></samlp:AuthnRequest>"
    );
    let mut deflate =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    deflate.write_all(request.as_bytes()).unwrap();
    let encoded = base64::engine::general_purpose::STANDARD.encode(deflate.finish().unwrap());
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("SAMLRequest", &encoded)
        .finish();
    let mut response = ureq::get(&format!("{base}/{tenant}/saml2?{query}"))
        .config()
        .http_status_as_error(false)
        .build()
        .call()
        .expect("mock-sts answers");
    response.body_mut().read_to_string().unwrap()
}

#[test]
fn pages_saved_from_a_mock_sts_sign_in() {
    let dir = std::env::temp_dir().join(format!("keyprobe-pages-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mock = mock_sts::Server::start_blocking(mock_sts::Options {
        state_dir: Some(dir.join("state")),
        ..Default::default()
    })
    .unwrap();
    let metadata = ureq::get(&format!(
        "{}/{}/federationmetadata/2007-06/federationmetadata.xml?appid=c3d4e5f6-0718-4293-a4b5-c6d7e8f90a1b",
        mock.base_url(),
        mock.tenant_id()
    ))
    .call()
    .unwrap()
    .body_mut()
    .read_to_string()
    .unwrap();
    std::fs::write(dir.join("metadata.xml"), metadata).unwrap();

    // The auto-posting form (what "Save page as" keeps): a container of its SAMLResponse.
    let form = dir.join("form.html");
    std::fs::write(&form, saml_sign_in_page(&mock)).unwrap();
    let form = form.to_str().unwrap();
    let metadata = dir.join("metadata.xml");
    let run = keyprobe(&[
        "inspect",
        "--json",
        form,
        "--metadata",
        metadata.to_str().unwrap(),
    ]);
    let reports = run.json_lines();
    assert_eq!(reports[0]["kind"], "html-form", "{}", run.stdout);
    assert_eq!(reports[0]["verdict"], "ok", "{}", run.stdout);
    assert_eq!(
        reports[0]["decoded"]["forms"][0]["action"],
        "https://sp.contoso.example/saml/acs"
    );
    assert_eq!(reports[1]["input"], format!("{form}#form.SAMLResponse"));
    assert_eq!(reports[1]["kind"], "saml-response");
    assert!(codes_of(&reports[1]).contains(&"signature-verified".to_string()));

    // Entra's error page saved as HTML reads as its text does.
    mock.set_scenario(mock_sts::Scenario::MissingSigningKey);
    let page = dir.join("error.html");
    std::fs::write(&page, saml_sign_in_page(&mock)).unwrap();
    let run = keyprobe(&["inspect", "--json", page.to_str().unwrap()]);
    let r = run.json();
    assert_eq!(r["kind"], "sts-error");
    assert_eq!(r["decoded"]["aadsts_codes"][0], "50003");
    assert!(r["decoded"]["trace_id"]
        .as_str()
        .is_some_and(|t| t.len() == 36));
    assert_eq!(run.code, 1);
    mock.shutdown();
    std::fs::remove_dir_all(&dir).ok();
}

// --- keyprobe redact

#[test]
fn redact_leaves_no_cookie_secret_code_or_signature_and_stays_a_har() {
    let run = keyprobe(&["redact", "testdata/captures/firefox-oidc.har"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let copy: serde_json::Value = serde_json::from_str(&run.stdout).expect("still valid JSON");
    assert_eq!(copy["log"]["entries"].as_array().unwrap().len(), 7);
    for secret in [
        "fixture.client.secret",
        "refresh-secret-value",
        "ESTSAUTHPERSISTENT=0.AXEA",
        "AgABBAIAAAApTwJmzXqdR4BN2miheQMYAgDs",
    ] {
        assert!(!run.stdout.contains(secret), "{secret} left in the copy");
    }
    let valid = std::fs::read_to_string(root().join("testdata/tokens/rs256-valid.jwt")).unwrap();
    let signature = valid.trim().rsplit('.').next().unwrap();
    assert!(
        !run.stdout.contains(signature),
        "a JWT signature left in the copy"
    );
    for what in [
        "client secrets",
        "authorization codes",
        "refresh tokens",
        "JWT signatures",
        "cookies",
    ] {
        assert!(
            run.stderr.contains(what),
            "summary lacks {what}: {}",
            run.stderr
        );
    }
    // The copy still reads as the same flow.
    let dir = std::env::temp_dir().join(format!("keyprobe-redact-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("copy.har");
    std::fs::write(&path, &run.stdout).unwrap();
    let again = inspect(&[path.to_str().unwrap()]);
    assert_eq!(again.json_lines()[0]["kind"], "har");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn redact_of_a_saml_tracer_export_and_a_log() {
    let run = keyprobe(&["redact", "testdata/captures/saml-tracer.json"]);
    let copy: serde_json::Value = serde_json::from_str(&run.stdout).expect("still valid JSON");
    assert!(run.stderr.contains("SAML signatures"), "{}", run.stderr);
    assert!(!run.stdout.contains("ESTSAUTH=0.AXEA-session"));
    assert_eq!(copy["requests"].as_array().unwrap().len(), 2);
    let log = "GET /cb?code=abc123&state=s1 HTTP/1.1\nCookie: ESTSAUTH=xyz\nAuthorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJhIjoxfQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ\n";
    let run = keyprobe_stdin(&["redact", "-"], Some(log.as_bytes()));
    assert!(!run.stdout.contains("abc123") && !run.stdout.contains("ESTSAUTH=xyz"));
    assert!(
        !run.stdout.contains("c2lnbmF0dXJlLXNpZ25hdHVyZQ"),
        "{}",
        run.stdout
    );
}
