//! Running the `keyprobe` binary from tests, as a user would.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// The clock every fixture is made for (testdata/make.sh).
pub const AT: &str = "2026-06-01T12:00:00Z";

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON object ({e}):\n{}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }

    pub fn json_lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect()
    }

    /// The codes of every finding in a one-report JSON output.
    pub fn codes(&self) -> Vec<String> {
        codes_of(&self.json())
    }
}

pub fn codes_of(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["code"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn keyprobe(args: &[&str]) -> Run {
    keyprobe_stdin(args, None)
}

/// `keyprobe` with extra environment variables (COLUMNS, …).
pub fn keyprobe_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    run_keyprobe(args, None, env)
}

pub fn keyprobe_stdin(args: &[&str], stdin: Option<&[u8]>) -> Run {
    run_keyprobe(args, stdin, &[])
}

/// `keyprobe` run from the working directory `dir` (input that names files must not reach them).
pub fn keyprobe_from(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    run_keyprobe_in(dir, args, stdin, &[])
}

fn run_keyprobe(args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Run {
    run_keyprobe_in(&root(), args, stdin, env)
}

fn run_keyprobe_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_keyprobe"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .envs(env.iter().copied())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("keyprobe runs");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        });
    }
    let out = child.wait_with_output().expect("keyprobe finishes");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `keyprobe inspect --json --at AT <args>`.
pub fn inspect(args: &[&str]) -> Run {
    let mut all = vec!["inspect", "--json", "--at", AT];
    all.extend_from_slice(args);
    keyprobe(&all)
}

/// Asserts the finding, the verdict and the exit code of a one-input run.
#[track_caller]
pub fn assert_finding(run: &Run, code: &str, verdict: &str, exit: i32) {
    let report = run.json();
    let codes = codes_of(&report);
    assert!(
        codes.iter().any(|c| c == code),
        "expected finding {code}, got {codes:?}\n{}",
        run.stdout
    );
    assert_eq!(report["verdict"], verdict, "verdict\n{}", run.stdout);
    assert_eq!(
        run.code, exit,
        "exit code\nstdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
}
