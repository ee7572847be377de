//! `docs/aadsts50003.md`, run as written: every `sh` block of the walkthrough (except the build step) runs
//! in order in one bash session, with the freshly built `mock-sts` (and `keyprobe`, when it is built in the
//! same target directory) first on PATH, and each step's output is checked. Editing the walkthrough so that
//! it no longer works fails this test.

mod saml_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use saml_support::*;

const DOC: &str = include_str!("../../docs/aadsts50003.md");

/// The walkthrough's `sh` blocks, in order.
fn shell_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), text) => {
                block.push_str(text);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

fn keyprobe_binary(bin_dir: &Path) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("KEYPROBE") {
        return Some(PathBuf::from(path));
    }
    let path = bin_dir.join("keyprobe");
    path.is_file().then_some(path)
}

fn have(command: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {command} >/dev/null"))
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn the_aadsts50003_walkthrough_works_as_written() {
    for tool in ["bash", "curl", "python3"] {
        assert!(have(tool), "the walkthrough needs {tool}");
    }
    let blocks = shell_blocks(DOC);
    assert_eq!(blocks.len(), 8, "build, seven steps");
    assert!(blocks[0].contains("cargo build -p mock-sts -p keyprobe"));

    let mock_sts = PathBuf::from(env!("CARGO_BIN_EXE_mock-sts"));
    let bin_dir = mock_sts.parent().unwrap().to_path_buf();
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("aadsts50003-walkthrough-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    // Only the two tools of step 0 go first on PATH, the way `export PATH=target/debug:$PATH` would.
    let tools = work.join("bin");
    std::fs::create_dir_all(&tools).unwrap();
    std::os::unix::fs::symlink(&mock_sts, tools.join("mock-sts")).unwrap();
    let keyprobe = keyprobe_binary(&bin_dir);
    match &keyprobe {
        Some(path) => std::os::unix::fs::symlink(path, tools.join("keyprobe")).unwrap(),
        None => eprintln!(
            "keyprobe is not built in {}: the walkthrough's keyprobe output is not checked (build it with `cargo build -p keyprobe`)",
            bin_dir.display()
        ),
    }

    let mut script = String::from("exec 2>&1\n");
    for (index, block) in blocks.iter().enumerate().skip(1) {
        script.push_str(&format!("echo '@@@ step {index}'\n{block}\n"));
    }
    // Whatever happens, the server started in step 1 is stopped.
    script.push_str("[ -n \"$MOCK_PID\" ] && kill \"$MOCK_PID\" 2>/dev/null\nwait 2>/dev/null\necho '@@@ end'\n");
    let path = format!(
        "{}:{}",
        tools.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("timeout")
        .args(["120", "bash", "-c", &script])
        .current_dir(&work)
        .env("PATH", path)
        .output()
        .expect("bash runs");
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        text.contains("@@@ end"),
        "the walkthrough did not finish:\n{text}"
    );
    let step = |n: usize| -> &str {
        let start = text
            .find(&format!("@@@ step {n}\n"))
            .unwrap_or_else(|| panic!("step {n} missing:\n{text}"));
        let rest = &text[start..];
        let end = rest[1..].find("@@@ ").map(|e| e + 1).unwrap_or(rest.len());
        &rest[..end]
    };

    // 1. The server is up.
    assert!(
        step(1).contains("mock Entra at http://127.0.0.1:"),
        "{}",
        step(1)
    );

    // 2. The error page, laid out as Entra's, with the IDs the server logged.
    let page = step(2);
    assert!(
        page.contains("Sorry, but we\u{2019}re having trouble signing you in."),
        "{page}"
    );
    assert!(
        page.contains(
            "AADSTS50003: Sign-in failed because of a missing signing key or certificate."
        ),
        "{page}"
    );
    let request_id = page
        .lines()
        .find_map(|l| l.strip_prefix("Request Id: "))
        .unwrap_or_else(|| panic!("no Request Id in {page}"));
    let log = std::fs::read_to_string(work.join("mock-sts.log")).unwrap();
    assert!(
        log.contains(request_id),
        "the server log carries {request_id}: {log}"
    );

    // 3. The diagnosis.
    let diagnosis = step(3);
    assert!(
        diagnosis.contains("\"signing_certificates\":[]"),
        "{diagnosis}"
    );
    assert!(
        diagnosis.contains("\"preferred_token_signing_key_thumbprint\":null"),
        "{diagnosis}"
    );
    if keyprobe.is_some() {
        assert!(diagnosis.contains("no-signing-keys"), "{diagnosis}");
        assert!(
            !diagnosis.contains("keyprobe exit status: 0"),
            "an error finding fails keyprobe: {diagnosis}"
        );
        assert!(diagnosis.contains("MissingSigningKey"), "{diagnosis}");
    }

    // 4. The fix.
    let fix = step(4);
    let thumbprint = fix
        .lines()
        .find_map(|l| l.strip_prefix("new certificate "))
        .unwrap_or_else(|| panic!("no thumbprint in {fix}"));
    assert!(
        thumbprint.len() == 40 && thumbprint.chars().all(|c| c.is_ascii_hexdigit()),
        "{fix}"
    );
    assert!(fix.contains("\"active\":true"), "{fix}");

    // 5. Sign-in succeeds and the response verifies with the app's metadata.
    let signed_in = step(5);
    assert!(
        signed_in.contains("action=\"https://sp.contoso.example/saml/acs\""),
        "{signed_in}"
    );
    if keyprobe.is_some() {
        assert!(signed_in.contains("signature-verified"), "{signed_in}");
        assert!(signed_in.contains("keyprobe exit status: 0"), "{signed_in}");
        assert!(
            signed_in.contains(thumbprint),
            "keyprobe names the new certificate: {signed_in}"
        );
    }
    // Checked here too, independently of keyprobe: the saved response verifies with the new certificate.
    let response = std::fs::read_to_string(work.join("response.xml")).unwrap();
    assert!(response.contains("InResponseTo=\"_walkthrough-1\""));
    let form = std::fs::read_to_string(work.join("form.html")).unwrap();
    assert_eq!(form_value(&form, "RelayState").as_deref(), Some("/home"));

    // 6. xmlsec1, when the machine has it.
    let xmlsec = step(6);
    if have("xmlsec1") {
        assert!(xmlsec.lines().any(|l| l.trim() == "OK"), "{xmlsec}");
        let pem = std::fs::read(work.join("app-signing.pem")).unwrap();
        let cert = openssl::x509::X509::from_pem(&pem).unwrap();
        let sha1 = cert.digest(openssl::hash::MessageDigest::sha1()).unwrap();
        assert_eq!(hex::encode_upper(sha1), thumbprint);
        assert!(verifies_with(&assertion_element(&response), &cert));
    } else {
        assert!(
            xmlsec.contains("xmlsec1 not installed: skipped"),
            "{xmlsec}"
        );
    }
    let _ = std::fs::remove_dir_all(&work);
}
