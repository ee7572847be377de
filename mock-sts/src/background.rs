//! Starting mock-sts in the background for scripts and test helpers (binary only): the ready file that
//! says where a started server is, and `--detach`, which starts one and returns once it serves.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// How long `--detach` waits for the server. The first start in a fresh state directory makes RSA keys
/// (a few tenths of a second on a quiet machine; seconds on a loaded CI runner).
const DETACH_TIMEOUT: Duration = Duration::from_secs(60);
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// What a started server tells its starter.
pub(crate) struct Ready<'a> {
    pub(crate) url: &'a str,
    pub(crate) ca: Option<&'a Path>,
    pub(crate) tenant: &'a str,
}

impl Ready<'_> {
    /// `KEY=VALUE` lines: readable by `set -a; . FILE`, by GitHub Actions' `$GITHUB_ENV`, and by a
    /// line split in any language.
    fn env_lines(&self) -> String {
        let mut lines = format!("MOCK_STS_URL={}\n", shell_word(self.url));
        if let Some(ca) = self.ca {
            lines.push_str(&format!(
                "MOCK_STS_CA={}\n",
                shell_word(&ca.display().to_string())
            ));
        }
        lines.push_str(&format!("MOCK_STS_TENANT={}\n", shell_word(self.tenant)));
        lines.push_str(&format!("MOCK_STS_PID={}\n", std::process::id()));
        lines
    }

    /// Write the ready file whole or not at all: a reader never sees half of it.
    pub(crate) fn write(&self, path: &Path) -> std::io::Result<()> {
        let mut partial = path.as_os_str().to_owned();
        partial.push(format!(".partial-{}", std::process::id()));
        let partial = PathBuf::from(partial);
        let written = File::create(&partial).and_then(|mut file| {
            file.write_all(self.env_lines().as_bytes())?;
            file.sync_all()
        });
        match written.and_then(|()| std::fs::rename(&partial, path)) {
            Ok(()) => Ok(()),
            Err(err) => {
                let _ = std::fs::remove_file(&partial);
                Err(err)
            }
        }
    }
}

/// A value as one shell word: bare when it is plainly safe (URLs, GUIDs, ordinary paths), else quoted.
fn shell_word(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_./:@%+,=-[]".contains(&b));
    if plain {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

/// Remove a ready file left by an earlier run, so that nobody mistakes it for this one's.
pub(crate) fn remove_stale(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(err),
        _ => Ok(()),
    }
}

/// `--detach`: run this same command again without `--detach` (and with a ready file), in a process
/// group of its own with its output in a log file, and wait until it serves or exits. Prints the ready
/// file's lines and `MOCK_STS_LOG` on success; on failure, what the server printed, and its exit status.
pub(crate) fn detach(ready_file: Option<&Path>) -> ExitCode {
    match start_detached(ready_file) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("mock-sts: cannot start in the background: {err}");
            ExitCode::from(1)
        }
    }
}

fn start_detached(ready_file: Option<&Path>) -> std::io::Result<ExitCode> {
    let mut args: Vec<_> = std::env::args_os()
        .skip(1)
        .filter(|arg| arg != "--detach")
        .collect();
    // Without a ready file, the server's ready file and log go in a private directory made for them,
    // which the server removes when it stops (and this process when the server never got ready).
    let (ready, log, made_dir) = match ready_file {
        Some(path) => {
            let mut log = path.as_os_str().to_owned();
            log.push(".log");
            (path.to_path_buf(), PathBuf::from(log), None)
        }
        None => {
            let dir = private_temp_dir()?;
            args.push("--ready-file".into());
            args.push(dir.join(READY_NAME).into_os_string());
            args.push("--remove-dir-on-exit".into());
            args.push(dir.clone().into_os_string());
            (dir.join(READY_NAME), dir.join(LOG_NAME), Some(dir))
        }
    };
    let started = start_and_wait(&args, &ready, &log);
    let finished = matches!(started, Ok(ExitCode::SUCCESS));
    if let (false, Some(dir)) = (finished, &made_dir) {
        remove_private_dir(dir);
    }
    started
}

/// Start the server with `args` and wait until `ready` appears or it exits.
fn start_and_wait(
    args: &[std::ffi::OsString],
    ready: &Path,
    log: &Path,
) -> std::io::Result<ExitCode> {
    let exe = std::env::current_exe()?;
    remove_stale(ready)?;
    let log_file = File::create(log)?;
    let mut command = Command::new(exe);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(log_file.try_clone()?)
        .stderr(log_file);
    #[cfg(unix)]
    {
        // Its own process group: a Ctrl-C meant for the starting shell's foreground job leaves it alone.
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let mut child = command.spawn()?;
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            let printed = std::fs::read_to_string(log).unwrap_or_default();
            eprint!("{printed}");
            eprintln!("mock-sts: the server exited before it was ready ({status})");
            let code = status
                .code()
                .and_then(|code| u8::try_from(code).ok())
                .filter(|code| *code != 0)
                .unwrap_or(1);
            return Ok(ExitCode::from(code));
        }
        if let Ok(lines) = std::fs::read_to_string(ready) {
            let mut stdout = std::io::stdout().lock();
            write!(stdout, "{lines}")?;
            writeln!(
                stdout,
                "MOCK_STS_LOG={}",
                shell_word(&log.display().to_string())
            )?;
            stdout.flush()?;
            return Ok(ExitCode::SUCCESS);
        }
        if started.elapsed() > DETACH_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            let printed = std::fs::read_to_string(log).unwrap_or_default();
            eprint!("{printed}");
            eprintln!(
                "mock-sts: the server was not ready within {} s and was stopped",
                DETACH_TIMEOUT.as_secs()
            );
            return Ok(ExitCode::from(1));
        }
        std::thread::sleep(POLL_INTERVAL);
    }
}

/// The ready file and the log in the directory `--detach` makes when given no ready file.
const READY_NAME: &str = "ready.env";
const LOG_NAME: &str = "mock-sts.log";

/// Remove the directory `--detach` made: the two files it put there, then the directory if that left
/// it empty (anything else in it stays, and so does the directory).
pub(crate) fn remove_private_dir(dir: &Path) {
    for name in [READY_NAME, LOG_NAME] {
        let _ = std::fs::remove_file(dir.join(name));
    }
    let _ = std::fs::remove_dir(dir);
}

/// A new directory only this user can enter, for the ready file and log of a detached server.
fn private_temp_dir() -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("mock-sts-{}", uuid::Uuid::new_v4().simple()));
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(&dir)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_values_stay_bare_and_others_are_quoted_for_the_shell() {
        assert_eq!(
            shell_word("https://127.0.0.1:8443"),
            "https://127.0.0.1:8443"
        );
        assert_eq!(shell_word("/tmp/a b/ca.pem"), "'/tmp/a b/ca.pem'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }
}
