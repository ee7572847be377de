//! keyprobe at a terminal, through a real pseudo-terminal (tests/terminal/*.py, Python's pty
//! module): the paste prompt reads a 20 KB one-line SAMLResponse, a 7 KB token and a
//! multi-line PEM whole, and the terminal is restored after Enter, Ctrl-C and SIGTERM.

use std::process::Command;

fn run_script(script: &str) {
    let out = Command::new("python3")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_keyprobe"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("python3 runs the pty script (Debian's python3 is required for this test)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{script} failed:\n{stdout}\n{stderr}");
    println!("{stdout}");
}

#[test]
fn paste_prompt_reads_whole_pastes_and_restores_the_terminal() {
    run_script("tests/terminal/paste_pty.py");
}
