//! Running a command: resolve flags into settings and trusted keys once, inspect every input,
//! present the reports, and turn them into an exit code.

use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::CommandFactory;

use super::args::{Cli, Command, ExplainArgs, InspectArgs, ManArgs, ReproduceArgs};
use super::sources::{classify, read_whole, Source, SourceError};
use crate::catalogue::{self, explain::Explanation};
use crate::clock::{Clock, InstantError};
use crate::fetch::{FetchError, FetchOptions, Fetcher};
use crate::input::Input;
use crate::key_sources::{build_trust, KeySourceError, KeySources, SourceRef};
use crate::limits::MAX_LINE_BYTES;
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
            inspect_lines(source, &trust, &settings, render, &mut out, &mut any_error)
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

/// Lines inspected per batch; each batch is spread over every core and printed in input order.
const BATCH_LINES: usize = 2048;
/// Bytes of input per batch at most (a batch ends at the line that reaches it): 2,048 SAML
/// responses are 20 MiB, and two batches are in memory at once with their reports.
const BATCH_BYTES: usize = 4 << 20;

/// How a report is written: decided once per run, applied by whichever thread made the report.
#[derive(Debug, Clone, Copy)]
enum Render {
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
    fn append(self, out: &mut Vec<u8>, report: &Report) {
        match self {
            Render::JsonLine => present::json_line::append(out, report),
            // Writing to a Vec cannot fail.
            other => drop(other.write(out, report)),
        }
    }
}

/// Reports already written out by a worker, in input order, and whether any holds an error.
struct Rendered {
    bytes: Vec<u8>,
    error: bool,
}

/// Batch mode: streams lines, so memory stays flat however long the input is.
fn inspect_lines(
    source: &Source,
    trust: &TrustStore,
    settings: &Settings,
    render: Render,
    out: &mut io::BufWriter<impl Write>,
    any_error: &mut bool,
) -> io::Result<()> {
    let (label, reader): (String, Box<dyn Read>) = match source {
        // A paste at the prompt is read whole first: a terminal would cut its long lines.
        Source::Stdin if io::stdin().is_terminal() => (
            "stdin".into(),
            Box::new(io::Cursor::new(
                super::sources::read_stdin().map_err(io::Error::other)?,
            )),
        ),
        Source::Stdin => ("stdin".into(), Box::new(io::stdin())),
        Source::Url(url) => {
            return Err(io::Error::other(format!(
                "--lines reads files or standard input, not URLs ({url})"
            )))
        }
        Source::File(path) => (
            path.clone(),
            Box::new(
                std::fs::File::open(path)
                    .map_err(|e| io::Error::new(e.kind(), format!("cannot read '{path}': {e}")))?,
            ),
        ),
        Source::Text { label, text } => (
            label.clone(),
            Box::new(io::Cursor::new(text.clone().into_bytes())),
        ),
    };
    let mut lines = LineBatches {
        reader: BufReader::with_capacity(1 << 16, reader),
        label,
        line_no: 0,
        at_end: false,
    };
    let workers = std::thread::available_parallelism()
        .map(NonZeroUsize::get)
        .unwrap_or(1);
    let progress = io::stderr().is_terminal();
    let mut done = 0usize;
    // While the workers inspect a batch, this thread writes the reports of the one before and
    // reads the one after, so that neither writing nor reading leaves a core idle.
    let mut previous: Vec<Rendered> = Vec::new();
    let mut batch = lines.next_batch()?;
    while !batch.is_empty() {
        let (parts, (wrote, next)) =
            inspect_parallel(&batch, trust, settings, render, workers, || {
                (
                    write_rendered(out, &previous, any_error),
                    lines.next_batch(),
                )
            });
        wrote?;
        previous = parts;
        done += batch.len();
        if progress {
            eprint!("\rkeyprobe: {done} inputs inspected");
        }
        batch = next?;
    }
    write_rendered(out, &previous, any_error)?;
    if progress && done > 0 {
        eprintln!();
    }
    Ok(())
}

/// Writes reports rendered by the workers, in input order. A worker's part is tens of kilobytes:
/// it goes to the writer beneath `out` as it is, rather than being copied into `out`'s buffer
/// first (which copied every report once more).
fn write_rendered(
    out: &mut io::BufWriter<impl Write>,
    parts: &[Rendered],
    any_error: &mut bool,
) -> io::Result<()> {
    for part in parts {
        *any_error |= part.error;
        if part.bytes.len() >= out.capacity() / 4 {
            out.flush()?;
            out.get_mut().write_all(&part.bytes)?;
        } else {
            out.write_all(&part.bytes)?;
        }
    }
    Ok(())
}

/// Non-blank lines in batches of [`BATCH_LINES`] or [`BATCH_BYTES`], each labelled with its line number.
struct LineBatches<R> {
    reader: R,
    label: String,
    line_no: usize,
    at_end: bool,
}

impl<R: BufRead> LineBatches<R> {
    /// The next batch; empty at the end of the input.
    fn next_batch(&mut self) -> io::Result<Vec<Input>> {
        let mut batch = Vec::with_capacity(if self.at_end { 0 } else { BATCH_LINES });
        let mut bytes = 0;
        while !self.at_end && batch.len() < BATCH_LINES && bytes < BATCH_BYTES {
            self.line_no += 1;
            match read_line_bounded(&mut self.reader)? {
                None => self.at_end = true,
                Some(line) if line.iter().all(u8::is_ascii_whitespace) => {}
                Some(line) => {
                    bytes += line.len();
                    batch.push(Input::new(format!("{}:{}", self.label, self.line_no), line))
                }
            }
        }
        Ok(batch)
    }
}

/// Lines a worker takes at a time: small, so that the workers finish a batch together however
/// the cores are shared (with the reading and writing thread, or with other processes).
const CHUNK_LINES: usize = 32;

/// Inspects and renders a batch on every core, while the calling thread runs `meanwhile`
/// (writing the previous batch, reading the next). Workers take chunks of [`CHUNK_LINES`] in
/// turn and render each into a buffer of its own; the buffers come back in input order.
/// Rendering (and dropping) the reports in the workers keeps the calling thread to bytes.
fn inspect_parallel<T>(
    batch: &[Input],
    trust: &TrustStore,
    settings: &Settings,
    render: Render,
    workers: usize,
    meanwhile: impl FnOnce() -> T,
) -> (Vec<Rendered>, T) {
    let chunk_of = |inputs: &[Input]| {
        let mut part = Rendered {
            bytes: Vec::with_capacity(inputs.len() * 2048),
            error: false,
        };
        for input in inputs {
            // A container on a line (a token response, a capture) gives every report it holds.
            for report in crate::capture::inspect_all(input, trust, settings) {
                part.error |= report.has_error();
                render.append(&mut part.bytes, &report);
            }
        }
        part
    };
    let chunks: Vec<&[Input]> = batch.chunks(CHUNK_LINES).collect();
    if workers <= 1 || chunks.len() < 2 {
        let other = meanwhile();
        return (chunks.into_iter().map(chunk_of).collect(), other);
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut mine = Vec::new();
        loop {
            let index = next.fetch_add(1, Ordering::Relaxed);
            let Some(chunk) = chunks.get(index) else {
                return mine;
            };
            mine.push((index, chunk_of(chunk)));
        }
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers.min(chunks.len()))
            .map(|_| scope.spawn(work))
            .collect();
        let other = meanwhile();
        let mut parts: Vec<(usize, Rendered)> = handles
            .into_iter()
            // A panicking worker is a bug: fail loudly rather than drop its reports silently.
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect();
        parts.sort_unstable_by_key(|(index, _)| *index);
        (parts.into_iter().map(|(_, part)| part).collect(), other)
    })
}

/// One line without its terminator; a line longer than the limit is cut there (and the rest
/// of it skipped), so the cut input reports itself as oversize instead of exhausting memory.
fn read_line_bounded(reader: &mut impl BufRead) -> io::Result<Option<Vec<u8>>> {
    let mut line = Vec::new();
    let mut saw_any = false;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(saw_any.then_some(line));
        }
        saw_any = true;
        // Vectorised: SAML lines are ~10 KB, and a byte loop was 4% of a SAML batch.
        let (take, found) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let room = MAX_LINE_BYTES.saturating_sub(line.len());
        line.extend_from_slice(&buf[..take.min(room)]);
        reader.consume(take);
        if found {
            while matches!(line.last(), Some(b'\n' | b'\r')) {
                line.pop();
            }
            return Ok(Some(line));
        }
    }
}
