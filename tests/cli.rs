//! The command line as users meet it: inputs, batch mode, output forms, exit codes, explain.

mod common;

use common::*;

#[test]
fn pasted_token_with_bearer_and_quotes() {
    let token = std::fs::read_to_string(root().join("testdata/tokens/rs256-valid.jwt")).unwrap();
    let pasted = format!("  \"Bearer {}\"\n", token.trim());
    let run = keyprobe_stdin(
        &[
            "inspect",
            "--json",
            "--at",
            AT,
            "--jwks",
            "testdata/keys/jwks.json",
        ],
        Some(pasted.as_bytes()),
    );
    assert_eq!(run.json()["kind"], "jwt");
    assert_eq!(run.json()["verdict"], "ok", "{}", run.stdout);
    let as_arg = inspect(&[
        &format!("Bearer {}", token.trim()),
        "--jwks",
        "testdata/keys/jwks.json",
    ]);
    assert_eq!(as_arg.json()["input"], "argument 1");
}

#[test]
fn detects_every_non_saml_kind() {
    for (file, kind) in [
        ("testdata/tokens/rs256-valid.jwt", "jwt"),
        ("testdata/tokens/encrypted.jwe", "jwe"),
        ("testdata/keys/hs256.jwk.json", "jwk"),
        ("testdata/keys/jwks.json", "jwks"),
        (
            "testdata/metadata/openid-configuration.json",
            "oidc-discovery",
        ),
        ("testdata/certs/issuer.pem", "x509"),
        ("testdata/certs/chain.pem", "x509"),
        ("testdata/certs/issuer.der", "x509"),
        ("testdata/certs/issuer.x5c.txt", "x509"),
        ("testdata/errors/aadsts50003.json", "sts-error"),
        ("testdata/errors/aadsts50003-page.txt", "sts-error"),
    ] {
        let run = inspect(&[file]);
        assert_eq!(run.json()["kind"], kind, "{file}: {}", run.stdout);
    }
    let unknown = inspect(&["hello world"]);
    assert_eq!(unknown.json()["kind"], "unknown");
    assert!(unknown.json()["decoded"]["tried"]
        .as_array()
        .is_some_and(|t| !t.is_empty()));
}

#[test]
fn jwe_says_which_key_decrypts() {
    let run = inspect(&["testdata/tokens/encrypted.jwe"]);
    assert!(run.json()["decoded"]["decryption_needs"]
        .as_str()
        .unwrap()
        .contains("RSA-OAEP-256"));
}

#[test]
fn certificate_chain_order_and_thumbprints() {
    let ok = inspect(&["testdata/certs/chain.pem"]);
    assert!(ok.json()["decoded"]["chain"]
        .as_str()
        .unwrap()
        .starts_with("in order"));
    let bad = inspect(&["testdata/certs/chain-misordered.pem"]);
    assert!(bad.json()["decoded"]["chain"]
        .as_str()
        .unwrap()
        .starts_with("not in order"));
    let cert = &ok.json()["decoded"]["certificates"][0];
    assert_eq!(cert["thumbprints"]["sha1_hex"].as_str().unwrap().len(), 40);
    assert_eq!(cert["subject_alt_names"][0], "DNSName(login.example.test)");
}

#[test]
fn several_inputs_give_several_reports_and_the_worst_exit() {
    let run = keyprobe(&[
        "inspect",
        "--json",
        "--at",
        AT,
        "--jwks",
        "testdata/keys/jwks.json",
        "testdata/tokens/rs256-valid.jwt",
        "testdata/tokens/rs256-unknown-kid.jwt",
    ]);
    let reports = run.json_lines();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0]["verdict"], "ok");
    assert_eq!(reports[1]["verdict"], "error");
    assert_eq!(run.code, 1);
}

#[test]
fn batch_lines_keep_order_and_skip_blank_lines() {
    let run = keyprobe(&[
        "inspect",
        "--lines",
        "--json",
        "--at",
        AT,
        "--jwks",
        "testdata/keys/jwks.json",
        "testdata/tokens/batch.txt",
    ]);
    let reports = run.json_lines();
    let labels: Vec<&str> = reports
        .iter()
        .map(|r| r["input"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "testdata/tokens/batch.txt:1",
            "testdata/tokens/batch.txt:3",
            "testdata/tokens/batch.txt:4",
            "testdata/tokens/batch.txt:5"
        ]
    );
    assert_eq!(codes_of(&reports[1])[0], "key-not-found");
    assert_eq!(codes_of(&reports[2])[0], "malformed");
    assert_eq!(run.code, 1);
}

#[test]
fn batch_mode_in_parallel_keeps_input_order() {
    let token = std::fs::read_to_string(root().join("testdata/tokens/rs256-valid.jwt")).unwrap();
    let bad =
        std::fs::read_to_string(root().join("testdata/tokens/rs256-unknown-kid.jwt")).unwrap();
    let mut lines = String::new();
    for i in 0..3000 {
        lines.push_str(if i % 7 == 0 { bad.trim() } else { token.trim() });
        lines.push('\n');
    }
    let run = keyprobe_stdin(
        &[
            "inspect",
            "--lines",
            "--json",
            "--at",
            AT,
            "--jwks",
            "testdata/keys/jwks.json",
        ],
        Some(lines.as_bytes()),
    );
    let reports = run.json_lines();
    assert_eq!(reports.len(), 3000);
    for (i, r) in reports.iter().enumerate() {
        assert_eq!(r["input"], format!("stdin:{}", i + 1));
        assert_eq!(r["verdict"], if i % 7 == 0 { "error" } else { "ok" });
    }
}

#[test]
fn batches_bounded_by_bytes_keep_every_line_in_order() {
    // 8 KB lines: a batch ends at 4 MiB of input (about 520 of them) before its 2,048 lines, so
    // this input is read in three batches; blank lines are skipped on either side of the cuts.
    // Each line is a JSON object refused at its second member (a duplicate), to keep the test fast.
    let long = format!("{{{}\"b\":2}}", "\"a\":1,".repeat(1333));
    let mut lines = String::new();
    let mut expected = Vec::new();
    for n in 1..=1200 {
        if n % 100 == 0 {
            lines.push_str("  \n");
            continue;
        }
        lines.push_str(&long);
        lines.push('\n');
        expected.push(format!("stdin:{n}"));
    }
    let run = keyprobe_stdin(
        &["inspect", "--lines", "--json", "--at", AT],
        Some(lines.as_bytes()),
    );
    let labels: Vec<String> = run
        .json_lines()
        .iter()
        .map(|r| r["input"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(labels, expected);
}

#[test]
fn human_output_leads_with_findings() {
    let run = keyprobe(&[
        "inspect",
        "--at",
        AT,
        "--jwks",
        "testdata/keys/jwks.json",
        "testdata/tokens/rs256-unknown-kid.jwt",
    ]);
    let first_lines: Vec<&str> = run.stdout.lines().take(4).collect();
    assert!(
        first_lines[0].contains("jwt") && first_lines[0].contains("error"),
        "{}",
        run.stdout
    );
    assert!(first_lines[1].contains("key-not-found"));
    assert!(run.stdout.contains("seen as: IDX10503"));
    assert!(
        run.stdout.contains("2026-06-01T12:50:00Z (in 50 min)"),
        "times are RFC 3339 plus relative:\n{}",
        run.stdout
    );
    assert!(!run.stdout.contains("\u{1b}["), "NO_COLOR is honoured");
    assert_eq!(run.code, 1);
}

#[test]
fn unreadable_sources_exit_2() {
    let missing = keyprobe(&["inspect", "testdata/tokens/nope.jwt"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("no such file"),
        "{}",
        missing.stderr
    );
    let bad_keys = keyprobe(&[
        "inspect",
        "testdata/tokens/rs256-valid.jwt",
        "--jwks",
        "testdata/keys/missing.json",
    ]);
    assert_eq!(bad_keys.code, 2);
    assert_eq!(
        bad_keys.stderr.lines().count(),
        1,
        "one-line reason: {}",
        bad_keys.stderr
    );
    let not_keys = keyprobe(&[
        "inspect",
        "testdata/tokens/rs256-valid.jwt",
        "--jwks",
        "testdata/tokens/rs256-valid.jwt",
    ]);
    assert_eq!(not_keys.code, 2);
    let bad_time = keyprobe(&["inspect", "x", "--at", "yesterday"]);
    assert_eq!(bad_time.code, 2);
}

#[test]
fn explain_pages() {
    let page = keyprobe(&["explain", "AADSTS50003"]);
    assert_eq!(page.code, 0);
    assert!(page.stdout.contains("MissingSigningKey") && page.stdout.contains("make it active"));
    assert_eq!(keyprobe(&["explain", "50003"]).stdout, page.stdout);
    let idx = keyprobe(&["explain", "IDX10503"]);
    assert!(idx.stdout.contains("key-not-found"));
    let code = keyprobe(&["explain", "key-not-found"]);
    assert!(code.stdout.contains("unpublished-signing-key"));
    assert_eq!(keyprobe(&["explain", "nothing-like-it"]).code, 2);
}

#[test]
fn manual_page() {
    let run = keyprobe(&["man"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.starts_with(".ie") || run.stdout.contains(".TH keyprobe"),
        "{}",
        &run.stdout[..200.min(run.stdout.len())]
    );
    assert!(run.stdout.contains("inspect"));
}

#[test]
fn completions() {
    let run = keyprobe(&["completions", "bash"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("keyprobe"));
}
