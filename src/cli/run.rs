//! Running a command: resolve flags into settings and trusted keys once, inspect every input,
//! present the reports, and turn them into an exit code.

use std::io::{self, IsTerminal, Read, Write};

use clap::CommandFactory;

use super::args::{Cli, Command, ExplainArgs, InspectArgs, ManArgs, ReproduceArgs};
use super::sources::{classify, read_whole, Source, SourceError};
use crate::catalogue::{self, explain::Explanation};
use crate::clock::{Clock, InstantError};
use crate::fetch::{FetchError, FetchOptions, Fetcher};
use crate::key_sources::{build_trust, KeySourceError, KeySources, SourceRef};
use crate::present;
use crate::report::Report;
use crate::trust::TrustStore;
use crate::Settings;

/// Exit codes (SPEC.md): 0 no error finding, 1 an error finding, 2 usage or unreadable input.
pub(super) const EXIT_OK: i32 = 0;
pub(super) const EXIT_FINDINGS: i32 = 1;
pub(super) const EXIT_USAGE: i32 = 2;
/// Ctrl-C at the paste prompt, as a shell reports an interrupted command (128 + SIGINT).
pub(super) const EXIT_INTERRUPTED: i32 = 130;

/// Why `redact` could not make its copy: exit code 2.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(super) enum RedactRunError {
    #[error("cannot read '{file}': {source}")]
    Read { file: String, source: io::Error },
    #[error("cannot write '{}': {source}", path.display())]
    Write {
        path: std::path::PathBuf,
        source: io::Error,
    },
    #[error("{file}: {source}")]
    Redact {
        file: String,
        source: crate::redact::RedactError,
    },
}

/// Why `inspect` could not run at all: exit code 2.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(super) enum RunError {
    #[error("--at: {0}")]
    At(InstantError),
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Replay(#[from] crate::fetch::ReplayParseError),
    #[error(transparent)]
    KeySource(#[from] KeySourceError),
    #[error(transparent)]
    Source(#[from] SourceError),
    /// Writing the reports failed (other than a closed pipe, which ends the run quietly).
    #[error(transparent)]
    Output(#[from] io::Error),
}

/// Runs a parsed command line and returns the process exit status (see `--help`).
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Inspect(args) => match run_inspect(&args) {
            Ok(code) => code,
            Err(RunError::Source(e @ SourceError::Cancelled)) => {
                eprintln!("keyprobe: {e}");
                EXIT_INTERRUPTED
            }
            Err(message) => {
                eprintln!("keyprobe: {message}");
                EXIT_USAGE
            }
        },
        Command::Explain(args) => run_explain(&args),
        Command::Redact { file, output } => match run_redact(&file, output.as_deref()) {
            Ok(()) => EXIT_OK,
            Err(message) => {
                eprintln!("keyprobe: {message}");
                EXIT_USAGE
            }
        },
        Command::Reproduce(args) => run_reproduce(&args),
        Command::Serve(args) => {
            let options = crate::serve::ServeOptions {
                bind: args.bind,
                port: args.port,
                open: args.open,
                fetch: FetchOptions {
                    offline: args.offline,
                    replay: None,
                    cacert: args.cacert,
                    cache_dir: args.cache_dir,
                    timeout: std::time::Duration::from_secs(crate::fetch::DEFAULT_TIMEOUT_SECS),
                },
                read_timeout: std::time::Duration::from_secs(args.read_timeout.max(1)),
            };
            match crate::serve::run(options) {
                Ok(()) => EXIT_OK,
                Err(e) => {
                    eprintln!("keyprobe: {e}");
                    EXIT_USAGE
                }
            }
        }
        Command::Man(args) => match run_man(&args) {
            Ok(()) => EXIT_OK,
            Err(e) => {
                eprintln!("keyprobe: {e}");
                EXIT_USAGE
            }
        },
        Command::Completions { shell } => {
            let mut out = io::stdout();
            clap_complete::generate(shell, &mut Cli::command(), "keyprobe", &mut out);
            // clap's fish script leaves positional values out: offer explain's codes by hand.
            if shell == clap_complete::Shell::Fish {
                let _ = writeln!(
                    out,
                    "complete -c keyprobe -n \"__fish_keyprobe_using_subcommand explain\" -f -a \"{}\"",
                    catalogue::known_codes().join(" ")
                );
            }
            EXIT_OK
        }
    }
}

/// `keyprobe explain`: the page for what was copied from a log, or the names it resembles.
fn run_explain(args: &ExplainArgs) -> i32 {
    let width = present::term::report_width();
    let colour = present::term::colour_stdout();
    let page = if args.list {
        catalogue::explain::index()
    } else {
        let query = args.query.join(" ");
        match catalogue::explain::explain(&query) {
            Explanation::Page(page) => page,
            Explanation::Unknown { query, suggestions } => {
                let hint = if suggestions.is_empty() {
                    String::new()
                } else {
                    format!(" Did you mean {}?", suggestions.join(", "))
                };
                eprintln!("keyprobe: nothing known as '{query}'.{hint} keyprobe explain --list shows every code and name.");
                return EXIT_USAGE;
            }
        }
    };
    let mut out = io::stdout().lock();
    for line in present::page::render(&page, width, colour) {
        if writeln!(out, "{line}").is_err() {
            break;
        }
    }
    EXIT_OK
}

/// `keyprobe man`: one page on stdout, or every page into a directory.
fn run_man(args: &ManArgs) -> Result<(), super::man::ManError> {
    match &args.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            for (name, page) in super::man::pages()? {
                std::fs::write(dir.join(&name), page)?;
                eprintln!("keyprobe: wrote {}", dir.join(name).display());
            }
            Ok(())
        }
        None => {
            let page = super::man::page(args.command.as_deref())?;
            io::stdout().write_all(&page)?;
            Ok(())
        }
    }
}

/// `keyprobe reproduce`: what was seen and done, then the mock-sts command as the last line. Exit 1
/// when the failure seen has no scenario (the files are written all the same), 2 when nothing could be.
fn run_reproduce(args: &ReproduceArgs) -> i32 {
    let trust = Fetcher::new(&FetchOptions {
        offline: false,
        replay: None,
        cacert: Vec::new(),
        cache_dir: None,
        timeout: std::time::Duration::from_secs(crate::fetch::DEFAULT_TIMEOUT_SECS),
    })
    .map_err(RunError::from)
    .and_then(|fetcher| {
        let at = |src: &String| SourceRef::Location(src.clone());
        let sources = KeySources {
            metadata: args.metadata.clone().map(SourceRef::Location),
            jwks: args.jwks.iter().map(at).collect(),
            ..KeySources::default()
        };
        Ok(build_trust(&sources, &fetcher)?)
    });
    let trust = match trust {
        Ok(trust) => trust,
        Err(e) => {
            eprintln!("keyprobe: {e}");
            return EXIT_USAGE;
        }
    };
    match crate::reproduce::reproduce(&args.input, &args.output, args.force, &trust) {
        Ok(outcome) => {
            let mut out = io::stdout().lock();
            for line in &outcome.summary {
                let _ = writeln!(out, "{line}");
            }
            let _ = writeln!(out, "{}", outcome.command);
            if outcome.reproduced {
                EXIT_OK
            } else {
                EXIT_FINDINGS
            }
        }
        Err(e) => {
            eprintln!("keyprobe: {e}");
            EXIT_USAGE
        }
    }
}

/// `keyprobe redact`: the copy on stdout (or `-o`), what was removed on stderr.
fn run_redact(file: &str, output: Option<&std::path::Path>) -> Result<(), RedactRunError> {
    let input: Box<dyn Read> = if file == "-" {
        Box::new(io::stdin())
    } else {
        Box::new(
            std::fs::File::open(file).map_err(|source| RedactRunError::Read {
                file: file.to_string(),
                source,
            })?,
        )
    };
    let input = io::BufReader::with_capacity(1 << 16, input);
    let summary = match output {
        Some(path) => {
            let f = std::fs::File::create(path).map_err(|source| RedactRunError::Write {
                path: path.to_path_buf(),
                source,
            })?;
            crate::redact::redact(input, &mut io::BufWriter::new(f))
        }
        None => crate::redact::redact(input, &mut io::BufWriter::new(io::stdout().lock())),
    }
    .map_err(|source| RedactRunError::Redact {
        file: file.to_string(),
        source,
    })?;
    if summary.0.is_empty() {
        eprintln!("keyprobe redact: nothing sensitive found in {file}; review the copy before sharing it all the same");
    } else {
        eprintln!("keyprobe redact: removed from {file}:");
        for (what, n) in &summary.0 {
            eprintln!("  {n:>5}  {what}");
        }
        eprintln!(
            "Review the copy before sharing it: keyprobe removes what it knows to be sensitive."
        );
    }
    Ok(())
}

fn settings_from(args: &InspectArgs) -> Result<Settings, RunError> {
    let leeway = i64::from(args.leeway);
    let clock = match &args.at {
        Some(at) => Clock::at(Clock::parse_instant(at).map_err(RunError::At)?, leeway),
        None => Clock::system(leeway),
    };
    Ok(Settings {
        clock,
        expiry_warning_days: i64::from(args.expiry_warning),
        allow_legacy: args.allow_legacy,
        issuer: args.issuer.clone(),
        audience: args.audience.clone(),
    })
}

/// `--tenant` as a discovery URL: Entra's v2 (or v1) document, optionally for an app's own keys.
fn tenant_metadata_url(args: &InspectArgs) -> Option<String> {
    let tenant = args.tenant.as_deref()?;
    let authority = args.authority.trim_end_matches('/');
    let path = if args.v1 {
        ".well-known/openid-configuration"
    } else {
        "v2.0/.well-known/openid-configuration"
    };
    let query = args
        .appid
        .as_deref()
        .map(|a| format!("?appid={a}"))
        .unwrap_or_default();
    Some(format!("{authority}/{tenant}/{path}{query}"))
}

fn trust_from(args: &InspectArgs, fetcher: &Fetcher) -> Result<TrustStore, KeySourceError> {
    let at = |src: &String| SourceRef::Location(src.clone());
    let sources = KeySources {
        metadata: args
            .metadata
            .clone()
            .or_else(|| tenant_metadata_url(args))
            .map(SourceRef::Location),
        jwks: args.jwks.iter().map(at).collect(),
        cert: args.cert.iter().map(at).collect(),
        key: args.key.iter().map(at).collect(),
    };
    build_trust(&sources, fetcher)
}

fn run_inspect(args: &InspectArgs) -> Result<i32, RunError> {
    let settings = settings_from(args)?;
    let replay = args
        .replay
        .as_deref()
        .map(crate::fetch::Replay::parse)
        .transpose()?;
    let fetcher = Fetcher::new(&FetchOptions {
        offline: args.offline || replay.is_some(),
        replay,
        cacert: args.cacert.clone(),
        cache_dir: args.cache_dir.clone(),
        timeout: std::time::Duration::from_secs(args.timeout.max(1)),
    })?;
    let trust = trust_from(args, &fetcher)?;
    let sources = classify(&args.inputs)?;
    // Buffered; colour only on a terminal that wants it (NO_COLOR, CLICOLOR honoured by anstream),
    // wrapped to its width (COLUMNS honoured; whole lines when piped).
    let stdout = io::stdout();
    let buffered = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let style = present::human::HumanStyle {
        width: present::term::report_width(),
        colour: !args.json && present::term::colour_stdout(),
    };
    let mut out = buffered;
    let mut any_error = false;
    let render = match (args.json, args.lines || sources.len() > 1) {
        (true, true) => Render::JsonLine,
        (true, false) => Render::JsonPretty,
        (false, _) => Render::Human(style),
    };
    for source in &sources {
        let result = if args.lines {
            super::batch::inspect_lines(source, &trust, &settings, render, &mut out, &mut any_error)
        } else if let Some(reports) = stream_capture(source, &trust, &settings)? {
            let render = render.for_reports(reports.len());
            reports.iter().try_for_each(|report| {
                any_error |= report.has_error();
                render.write(&mut out, report)
            })
        } else {
            let (input, fetched) = read_whole(source, &fetcher)?;
            // A container (token response, capture, saved page) gives several reports.
            let mut reports = crate::capture::inspect_all(&input, &trust, &settings);
            if let Some(first) = reports.first_mut() {
                first.fetched = trust.fetched.iter().cloned().chain(fetched).collect();
            }
            let render = render.for_reports(reports.len());
            reports.iter().try_for_each(|report| {
                any_error |= report.has_error();
                render.write(&mut out, report)
            })
        };
        if let Err(e) = result {
            if e.kind() == io::ErrorKind::BrokenPipe {
                return Ok(if any_error { EXIT_FINDINGS } else { EXIT_OK });
            }
            return Err(RunError::Output(e));
        }
    }
    out.flush().ok();
    Ok(if any_error { EXIT_FINDINGS } else { EXIT_OK })
}

/// A capture file (HAR, SAML-tracer export) is read as a stream: any size in flat memory, with
/// progress on a terminal. `None` when the source is not one.
fn stream_capture(
    source: &Source,
    trust: &TrustStore,
    settings: &Settings,
) -> Result<Option<Vec<Report>>, SourceError> {
    let Source::File(path) = source else {
        return Ok(None);
    };
    let Some(format) = crate::capture::sniff_file(path) else {
        return Ok(None);
    };
    let file = std::fs::File::open(path).map_err(|source| SourceError::Unreadable {
        path: path.clone(),
        source,
    })?;
    let total = file.metadata().map(|m| m.len()).unwrap_or(0);
    let progress = io::stderr().is_terminal();
    let mut shown = 0usize;
    let reports = crate::capture::har::inspect(
        path,
        format,
        io::BufReader::with_capacity(1 << 16, file),
        trust,
        settings,
        &mut |entries, bytes| {
            if progress && (entries - shown >= 50 || bytes == total) {
                shown = entries;
                let pct = (bytes * 100).checked_div(total).unwrap_or(100);
                eprint!("\rkeyprobe: reading {path}: {entries} requests, {pct}%");
            }
        },
    );
    if progress && shown > 0 {
        eprintln!();
    }
    Ok(Some(reports))
}

/// How a report is written: decided once per run, applied by whichever thread made the report.
#[derive(Debug, Clone, Copy)]
pub(super) enum Render {
    JsonLine,
    JsonPretty,
    Human(present::human::HumanStyle),
}

impl Render {
    /// Several reports from one input are JSON Lines, as several inputs are.
    fn for_reports(self, count: usize) -> Render {
        match self {
            Render::JsonPretty if count > 1 => Render::JsonLine,
            other => other,
        }
    }

    fn write<W: Write>(self, out: &mut W, report: &Report) -> io::Result<()> {
        match self {
            Render::JsonLine => present::json::write_line(out, report),
            Render::JsonPretty => present::json::write_pretty(out, report),
            Render::Human(style) => present::human::write_report(out, report, style),
        }
    }

    /// [`Render::write`] into a worker's buffer, which cannot fail.
    pub(super) fn append(self, out: &mut Vec<u8>, report: &Report) {
        match self {
            Render::JsonLine => present::json_line::append(out, report),
            // Writing to a Vec cannot fail.
            other => drop(other.write(out, report)),
        }
    }
}
