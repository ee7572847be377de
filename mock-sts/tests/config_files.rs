//! Configuration files as a user meets them: the README's sample runs unedited, and `--print-config`
//! writes the embedded default as a file that runs as it is.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

mod common;

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The first ```toml block under "## Configuration file".
fn readme_sample() -> String {
    let readme = std::fs::read_to_string(manifest_dir().join("README.md")).unwrap();
    let section = readme
        .split_once("## Configuration file")
        .expect("the README has a configuration section")
        .1;
    let block = section.split_once("```toml\n").expect("a toml block").1;
    block
        .split_once("```")
        .expect("the block ends")
        .0
        .to_string()
}

#[test]
fn the_readme_sample_config_loads_unedited() {
    let sample = readme_sample();
    let config = mock_sts::LoadedConfig::parse(&sample, "README sample", Some(manifest_dir()))
        .unwrap_or_else(|err| panic!("the README's sample does not load: {err}"));
    // What the server then serves is the sample: its one tenant with two apps and one user.
    let mock = common::Mock::with(mock_sts::Options {
        config: Some(config),
        ..mock_sts::Options::default()
    });
    let served = mock.get("/_mock/config").json();
    let tenant = &served["tenants"][0];
    assert_eq!(tenant["apps"].as_array().map(Vec::len), Some(2), "{served}");
    assert_eq!(
        tenant["users"].as_array().map(Vec::len),
        Some(1),
        "{served}"
    );
}

/// Start the binary with `args`, read its readiness line, GET `path` from it, stop it.
fn serve_once(args: &[&str], path: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mock-sts"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let Some(host) = line.trim().strip_prefix("mock-sts listening on http://") else {
        let _ = child.kill();
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        panic!("no readiness line ({line:?}): {stderr}");
    };
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    response
}

#[test]
fn print_config_writes_a_configuration_that_runs_as_it_is() {
    let output = Command::new(env!("CARGO_BIN_EXE_mock-sts"))
        .arg("--print-config")
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(text, mock_sts::DEFAULT_CONFIG);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let file = dir.join(format!("printed-{}.toml", std::process::id()));
    std::fs::write(&file, &text).unwrap();
    let state = dir.join("mock-sts-state").display().to_string();
    let response = serve_once(
        &[
            "--config",
            &file.display().to_string(),
            "--state-dir",
            &state,
        ],
        "/_mock/config",
    );
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.contains("7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b"),
        "{response}"
    );
    assert!(
        response.contains(&format!("\"origin\":\"{}\"", file.display())),
        "{response}"
    );
    std::fs::remove_file(&file).ok();
}
