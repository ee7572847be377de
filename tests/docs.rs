//! Documentation that cannot drift: the README's sample outputs and the manual pages in
//! docs/man/ are what the program prints today. Run with KEYPROBE_BLESS=1 to rewrite them after
//! a deliberate change (then read the diff).
//!
//! A README sample is a marker followed by a `text` fence:
//!
//! ```text
//! <!-- sample exit=1 lines=22: inspect testdata/tokens/rs256-unknown-kid.jwt --at 2026-06-01T12:00:00Z -->
//! ```
//!
//! The arguments are run at 100 columns without colour; the fence holds the first `lines` lines
//! of standard output (then `…` when there is more), and the exit status must be `exit`.

mod common;

use std::path::Path;

use common::{keyprobe, keyprobe_env, root};

const MARKER: &str = "<!-- sample ";

fn bless() -> bool {
    std::env::var_os("KEYPROBE_BLESS").is_some()
}

/// Words split on spaces, with double-quoted words kept whole.
fn split_args(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    out.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(word);
    }
    out
}

struct Sample {
    exit: i32,
    lines: usize,
    args: Vec<String>,
}

fn parse_marker(line: &str) -> Option<Sample> {
    let rest = line
        .trim()
        .strip_prefix(MARKER)?
        .strip_suffix("-->")?
        .trim();
    let (settings, args) = rest.split_once(':')?;
    let mut exit = 0;
    let mut lines = usize::MAX;
    for s in settings.split_whitespace() {
        match s.split_once('=') {
            Some(("exit", v)) => exit = v.parse().ok()?,
            Some(("lines", v)) => lines = v.parse().ok()?,
            _ => return None,
        }
    }
    Some(Sample {
        exit,
        lines,
        args: split_args(args.trim()),
    })
}

/// What a sample's fence must hold.
fn render(sample: &Sample) -> Vec<String> {
    let args: Vec<&str> = sample.args.iter().map(String::as_str).collect();
    let run = keyprobe_env(&args, &[("COLUMNS", "100")]);
    assert_eq!(
        run.code, sample.exit,
        "keyprobe {args:?} exits {} (stderr: {})",
        run.code, run.stderr
    );
    let mut lines: Vec<String> = run.stdout.lines().map(str::to_string).collect();
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    if lines.len() > sample.lines {
        lines.truncate(sample.lines);
        lines.push("…".into());
    }
    lines
}

#[test]
fn readme_samples_are_what_keyprobe_prints() {
    let path = root().join("README.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::new();
    let mut stale = Vec::new();
    let mut samples = 0;
    let mut i = 0;
    while i < lines.len() {
        out.push(lines[i].to_string());
        let Some(sample) = parse_marker(lines[i]) else {
            i += 1;
            continue;
        };
        samples += 1;
        let fence = lines.get(i + 1).copied().unwrap_or_default();
        let indent = &fence[..fence.len() - fence.trim_start().len()];
        assert_eq!(
            fence.trim(),
            "```text",
            "a sample marker is followed by a text fence: {}",
            lines[i]
        );
        let close = (i + 2..lines.len())
            .find(|&j| lines[j].trim() == "```")
            .expect("the sample's fence is closed");
        let now: Vec<String> = lines[i + 2..close]
            .iter()
            .map(|l| l.strip_prefix(indent).unwrap_or(l.trim_start()).to_string())
            .collect();
        let want = render(&sample);
        if now != want {
            stale.push(lines[i].trim().to_string());
        }
        out.push(fence.to_string());
        out.extend(want.iter().map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{indent}{l}")
            }
        }));
        out.push(format!("{indent}```"));
        i = close + 1;
    }
    assert!(samples >= 3, "README keeps its samples");
    if bless() {
        std::fs::write(&path, out.join("\n") + "\n").unwrap();
        return;
    }
    assert!(
        stale.is_empty(),
        "README samples differ from what keyprobe prints now; rerun with KEYPROBE_BLESS=1 and read the diff:\n{}",
        stale.join("\n")
    );
}

#[test]
fn man_pages_in_docs_are_generated() {
    let dir = root().join("docs/man");
    let scratch = std::env::temp_dir().join(format!("keyprobe-man-{}", std::process::id()));
    let run = keyprobe(&["man", "--dir", scratch.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut generated: Vec<String> = std::fs::read_dir(&scratch)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    generated.sort();
    assert!(generated.contains(&"keyprobe.1".to_string()));
    assert!(generated.contains(&"keyprobe-inspect.1".to_string()));
    if bless() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
    }
    let mut stale = Vec::new();
    for name in &generated {
        let now = std::fs::read(scratch.join(name)).unwrap();
        let kept = dir.join(name);
        if bless() {
            std::fs::write(&kept, &now).unwrap();
        } else if std::fs::read(&kept).ok().as_deref() != Some(now.as_slice()) {
            stale.push(name.clone());
        }
    }
    let mut kept: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    kept.sort();
    let _ = std::fs::remove_dir_all(&scratch);
    assert!(
        stale.is_empty() && kept == generated,
        "docs/man differs from `keyprobe man --dir` (stale: {stale:?}; kept {kept:?}, generated {generated:?}); rerun with KEYPROBE_BLESS=1"
    );
    // The pages render with man(1) where it is installed.
    if Path::new("/usr/bin/man").exists() {
        let out = std::process::Command::new("man")
            .arg("-l")
            .arg(dir.join("keyprobe.1"))
            .env("MANWIDTH", "100")
            .env("MAN_KEEP_FORMATTING", "0")
            .output()
            .unwrap();
        // man(1) emboldens by overstriking when not on a terminal: keep the last of each pair.
        let mut text = String::new();
        for c in String::from_utf8_lossy(&out.stdout).chars() {
            if c == '\u{8}' {
                text.pop();
            } else {
                text.push(c);
            }
        }
        assert!(text.contains("FINDING CODES"), "{text}");
        assert!(text.contains("key-not-found"), "{text}");
    }
}

#[test]
fn readme_synopsis_names_every_inspect_option() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let help = keyprobe(&["inspect", "--help"]).stdout;
    for word in help.split_whitespace() {
        let Some(flag) = word.strip_prefix("--") else {
            continue;
        };
        let flag: String = flag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        if flag.is_empty() || flag == "help" {
            continue;
        }
        assert!(
            readme.contains(&format!("--{flag}")),
            "README's synopsis lacks --{flag}"
        );
    }
}
