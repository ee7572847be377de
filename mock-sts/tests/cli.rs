//! The `mock-sts` binary as a user runs it: readiness line, bad configuration, signals.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mock-sts"))
}

fn state_dir() -> String {
    std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("mock-sts-cli-state")
        .display()
        .to_string()
}

#[test]
fn prints_the_readiness_line_serves_and_stops_on_sigterm() {
    let started = Instant::now();
    let mut child = binary()
        .args([
            "--port",
            "0",
            "--state-dir",
            &state_dir(),
            "--scenario",
            "rotated-keys",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("mock-sts listening on ")
        .unwrap_or_else(|| panic!("readiness line: {line:?}"))
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(started.elapsed() < Duration::from_secs(10));

    // The socket accepts as soon as the line is out.
    let host = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    use std::io::Write;
    stream
        .write_all(
            format!("GET /_mock/health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(
        response.contains("\"scenario\":\"rotated-keys\""),
        "{response}"
    );

    let pid = child.id().to_string();
    sigterm(&pid);
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful exit on SIGTERM: {status:?}");
}

#[test]
fn a_sigterm_sent_as_soon_as_the_readiness_line_is_read_is_a_graceful_stop() {
    // What a CI script does: wait for the line, run nothing, stop the mock. The handler must already
    // be there, or the process dies by the signal (and leaves its ready file behind).
    let state = state_dir();
    for _ in 0..10 {
        let mut child = binary()
            .args(["--port", "0", "--state-dir", &state])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        assert!(line.starts_with("mock-sts listening on "), "{line:?}");
        let pid = child.id().to_string();
        sigterm(&pid);
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "graceful exit on an immediate SIGTERM: {:?} {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn a_second_start_reuses_the_kept_keys() {
    let first = kids_of_a_run();
    let second = kids_of_a_run();
    assert_eq!(first, second);
}

fn kids_of_a_run() -> String {
    // A directory of its own: another test making keys in the shared one at the same time would replace them.
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("mock-sts-cli-reuse");
    let mut child = binary()
        .args(["--state-dir", dir.to_str().unwrap()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let host = line
        .trim()
        .trim_start_matches("mock-sts listening on http://")
        .to_string();
    let mut stream = std::net::TcpStream::connect(&host).unwrap();
    use std::io::Write;
    stream
        .write_all(
            b"GET /common/discovery/v2.0/keys HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let start = response.find("\"kid\":").unwrap();
    response[start..start + 40].to_string()
}

#[test]
fn bad_configuration_exits_2_naming_the_field() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join("bad-config.toml");
    std::fs::write(
        &path,
        "[[tenants]]\nid = \"7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b\"\n[[tenants.apps]]\nclient_id = \"not-a-guid\"\nkind = \"public\"\n",
    )
    .unwrap();
    let output = binary()
        .args([
            "--config",
            path.to_str().unwrap(),
            "--state-dir",
            &state_dir(),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("tenants[0].apps[0].client_id"), "{stderr}");
    assert!(output.stdout.is_empty());

    let output = binary().args(["--scenario", "sunny"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("invalid value 'sunny' for '--scenario")
    );
}

#[test]
fn tls_prints_the_ca_path_on_the_second_line() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("mock-sts-cli-tls");
    let mut child = binary()
        .args(["--tls", "--state-dir", dir.to_str().unwrap()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    let mut second = String::new();
    stdout.read_line(&mut first).unwrap();
    stdout.read_line(&mut second).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        first.starts_with("mock-sts listening on https://127.0.0.1:"),
        "{first}"
    );
    let ca = second
        .trim()
        .strip_prefix("mock-sts CA certificate: ")
        .unwrap_or_else(|| panic!("{second:?}"));
    let pem = std::fs::read(ca).unwrap();
    let ca_cert = openssl::x509::X509::from_pem(&pem).unwrap();
    let server = std::fs::read(dir.join("tls-server.pem")).unwrap();
    let server_cert = openssl::x509::X509::from_pem(&server).unwrap();
    assert!(
        server_cert.verify(&ca_cert.public_key().unwrap()).unwrap(),
        "the server certificate is signed by the CA"
    );
}

#[test]
fn prints_its_manual_page_and_completions() {
    let man = binary().arg("--man").output().expect("runs");
    assert!(man.status.success());
    let page = String::from_utf8_lossy(&man.stdout);
    assert!(
        page.contains(".TH mock-sts 1") && page.contains("scenario"),
        "{page}"
    );
    let completions = binary()
        .args(["--completions", "bash"])
        .output()
        .expect("runs");
    assert!(completions.status.success());
    assert!(String::from_utf8_lossy(&completions.stdout).contains("mock-sts"));
}

/// `--help`, the completions and the error for an unknown name list every scenario of the one table.
#[test]
fn every_scenario_is_listed_in_help_completions_and_errors() {
    let help = binary().arg("--help").output().expect("runs");
    assert!(help.status.success());
    // clap wraps the list; the names themselves are never split.
    let help = String::from_utf8_lossy(&help.stdout).replace('\n', " ");
    let completions = binary()
        .args(["--completions", "bash"])
        .output()
        .expect("runs");
    let completions = String::from_utf8_lossy(&completions.stdout).into_owned();
    let unknown = binary()
        .args(["--scenario", "sunny"])
        .output()
        .expect("runs");
    assert_eq!(unknown.status.code(), Some(2));
    let unknown = String::from_utf8_lossy(&unknown.stderr).into_owned();
    assert!(unknown.contains("'sunny'"), "{unknown}");
    for scenario in mock_sts::Scenario::ALL {
        let name = scenario.name();
        assert!(help.contains(name), "--help lacks {name}: {help}");
        assert!(completions.contains(name), "completions lack {name}");
        assert!(unknown.contains(name), "the error lacks {name}: {unknown}");
    }
}

/// `KEY=VALUE` lines as `--ready-file` and `--detach` write them.
fn env_lines(text: &str) -> std::collections::HashMap<String, String> {
    text.lines()
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect()
}

fn health(url: &str) -> String {
    let host = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    use std::io::Write;
    write!(
        stream,
        "GET /_mock/health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

/// Asks the process to stop, as a CI script or a service manager does.
fn sigterm(pid: &str) {
    let sent = Command::new("kill").args(["-TERM", pid]).status().unwrap();
    assert!(sent.success(), "kill -TERM {pid}: {sent:?}");
}

/// Stops a `--detach`ed server (not our child, so it cannot be waited for) and waits until it is gone.
fn stop_detached(pid: &str) {
    sigterm(pid);
    wait_until_gone(pid);
}

fn wait_until_gone(pid: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::path::Path::new(&format!("/proc/{pid}")).exists() {
        assert!(Instant::now() < deadline, "process {pid} still running");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn detach_returns_once_serving_with_the_ready_file_lines() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("mock-sts-cli-detach");
    std::fs::create_dir_all(&dir).unwrap();
    let ready = dir.join("ready.env");
    std::fs::write(&ready, "MOCK_STS_URL=http://127.0.0.1:1\n").unwrap(); // a stale one
    let output = binary()
        .args(["--detach", "--port", "0", "--state-dir", &state_dir()])
        .arg("--ready-file")
        .arg(&ready)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let printed = String::from_utf8(output.stdout).unwrap();
    let vars = env_lines(&printed);
    let url = &vars["MOCK_STS_URL"];
    let pid = &vars["MOCK_STS_PID"];
    assert!(url.starts_with("http://127.0.0.1:") && url != "http://127.0.0.1:1");
    assert_eq!(
        vars["MOCK_STS_TENANT"],
        "7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b"
    );
    assert!(!vars.contains_key("MOCK_STS_CA"), "no CA without --tls");
    assert!(vars["MOCK_STS_LOG"].ends_with("ready.env.log"));
    // Serving as soon as it returned, and the ready file holds what was printed.
    assert!(health(url).starts_with("HTTP/1.1 200"));
    let file = std::fs::read_to_string(&ready).unwrap();
    assert!(printed.starts_with(&file), "{file} vs {printed}");

    stop_detached(pid);
    assert!(!ready.exists(), "the ready file goes with the server");
}

/// The entries of `dir` (the TMPDIR a detached server was given).
fn entries(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn detach_without_a_ready_file_leaves_no_directory_behind() {
    let tmp = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("mock-sts-cli-detach-tmp");
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap();
    let output = binary()
        .args(["--detach", "--port", "0", "--state-dir", &state_dir()])
        .env("TMPDIR", &tmp)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let vars = env_lines(&String::from_utf8(output.stdout).unwrap());
    let log = std::path::PathBuf::from(&vars["MOCK_STS_LOG"]);
    let made = log.parent().unwrap().to_path_buf();
    assert_eq!(made.parent(), Some(tmp.as_path()), "{}", log.display());
    assert!(made
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("mock-sts-"));
    assert!(made.join("ready.env").exists() && log.exists());
    // While it serves, the log has its output.
    assert!(health(&vars["MOCK_STS_URL"]).starts_with("HTTP/1.1 200"));
    assert!(std::fs::read_to_string(&log)
        .unwrap()
        .contains("mock-sts listening on"));
    let pid = &vars["MOCK_STS_PID"];
    stop_detached(pid);
    assert_eq!(
        entries(&tmp),
        Vec::<String>::new(),
        "the directory goes with the server"
    );

    // A server that cannot start: its output is printed and the directory removed at once.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = binary()
        .args(["--detach", "--port", &port, "--state-dir", &state_dir()])
        .env("TMPDIR", &tmp)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("port {port} is taken")),
        "{stderr}"
    );
    assert_eq!(
        entries(&tmp),
        Vec::<String>::new(),
        "nothing left after a failed start"
    );
}

#[test]
fn a_taken_port_fails_fast_naming_it_with_or_without_detach() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    for detach in [false, true] {
        let started = Instant::now();
        let mut command = binary();
        command.args(["--port", &port, "--state-dir", &state_dir()]);
        if detach {
            command.arg("--detach");
        }
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(1), "detach {detach}: {output:?}");
        assert!(started.elapsed() < Duration::from_secs(10));
        assert!(output.stdout.is_empty(), "nothing to source on failure");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("cannot bind 127.0.0.1:{port}"))
                && stderr.contains(&format!("port {port} is taken")),
            "detach {detach}: {stderr}"
        );
    }
}
