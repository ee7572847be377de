//! `keyprobe explain` as people use it: codes copied from logs with their punctuation, library
//! error names, message text, an index, suggestions, Entra codes without a page, and shell
//! completion of the codes.

mod common;

use common::keyprobe;

#[test]
fn takes_codes_as_copied_from_logs() {
    for (query, title) in [
        ("IDX10503:", "IDX10503 (.NET Microsoft.IdentityModel)"),
        ("aadsts50003:", "AADSTS50003 MissingSigningKey"),
        ("AADSTS50003", "AADSTS50003 MissingSigningKey"),
        ("50003", "AADSTS50003 MissingSigningKey"),
        ("Key-Not-Found.", "key-not-found (error)"),
        (
            "ERR_JWKS_NO_MATCHING_KEY",
            "ERR_JWKS_NO_MATCHING_KEY: what it means",
        ),
        (
            "Microsoft.IdentityModel.Tokens.SecurityTokenSignatureKeyNotFoundException:",
            "SecurityTokenSignatureKeyNotFoundException: what it means",
        ),
    ] {
        let run = keyprobe(&["explain", query]);
        assert_eq!(run.code, 0, "{query}: {}", run.stderr);
        assert!(run.stdout.starts_with(title), "{query}:\n{}", run.stdout);
    }
}

#[test]
fn searches_message_text_quoted_or_not() {
    let quoted = keyprobe(&["explain", "Unable to find a signing key that matches"]);
    assert_eq!(quoted.code, 0, "{}", quoted.stderr);
    assert!(quoted.stdout.contains("PyJWT") && quoted.stdout.contains("jwks-rsa"));
    assert!(quoted.stdout.contains("key-not-found (error)"));
    // Unquoted words are one query.
    let words = keyprobe(&["explain", "Unable", "to", "find", "a", "signing", "key"]);
    assert_eq!(
        words.stdout,
        keyprobe(&["explain", "Unable to find a signing key"]).stdout
    );
}

#[test]
fn unknown_entra_codes_get_entra_s_lookup() {
    let run = keyprobe(&["explain", "AADSTS90094"]);
    assert_eq!(run.code, 0);
    assert!(run
        .stdout
        .contains("https://login.microsoftonline.com/error?code=90094"));
}

#[test]
fn suggests_what_was_meant() {
    let run = keyprobe(&["explain", "key-not-fond"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("Did you mean key-not-found"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("keyprobe explain --list"));
}

#[test]
fn lists_every_name() {
    let run = keyprobe(&["explain", "--list"]);
    assert_eq!(run.code, 0);
    for name in [
        "key-not-found",
        "AADSTS50003",
        "IDX10503",
        "ERR_JWKS_NO_MATCHING_KEY",
        "PyJWKClientError",
    ] {
        assert!(run.stdout.contains(name), "{name} missing");
    }
}

#[test]
fn command_lines_are_never_broken() {
    let run = common::keyprobe_env(&["explain", "IDX10503"], &[("COLUMNS", "60")]);
    assert!(
        run.stdout.contains("keyprobe inspect TOKEN --metadata https://login.microsoftonline.com/TENANT/v2.0/.well-known/openid-configuration"),
        "{}",
        run.stdout
    );
    assert!(run
        .stdout
        .contains("  mock-sts --scenario unpublished-signing-key"));
}

#[test]
fn bash_completes_explain_codes() {
    let script = keyprobe(&["completions", "bash"]).stdout;
    let dir = std::env::temp_dir().join(format!("keyprobe-completion-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("keyprobe.bash");
    std::fs::write(&path, script).unwrap();
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {}; COMP_WORDS=(keyprobe explain AADSTS5000); COMP_CWORD=2; _keyprobe keyprobe AADSTS5000 explain; echo \"${{COMPREPLY[@]}}\"",
            path.display()
        ))
        .output()
        .expect("bash runs");
    let words = String::from_utf8_lossy(&out.stdout);
    assert!(
        words.split_whitespace().any(|w| w == "AADSTS50003"),
        "{words}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
