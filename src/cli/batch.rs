//! Batch mode (`inspect --lines`): one input per line, inspected on every core, the reports
//! written in input order, in flat memory however long the input is.
//!
//! The calling thread reads lines into chunks and writes the reports that come back; worker
//! threads, started once for the run, take chunks from a queue and render each into a buffer of
//! their own. A worker that finishes a chunk takes the next one at once (no batch to wait out),
//! and keeps its per-thread state (prepared verifiers, recent headers) for the whole run. At
//! most [`MAX_IN_FLIGHT`] chunks, and about [`MAX_IN_FLIGHT_BYTES`] of input, are read and not
//! yet written.

use std::collections::VecDeque;
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::num::NonZeroUsize;
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::run::Render;
use super::sources::Source;
use crate::input::Input;
use crate::limits::MAX_LINE_BYTES;
use crate::trust::TrustStore;
use crate::Settings;

/// Lines a worker takes at a time: each chunk costs a hand-over each way (a wake-up of the
/// thread waiting for it), and the workers should still finish together at the end of the input.
const CHUNK_LINES: usize = 64;
/// Bytes of input in a chunk at most (a chunk ends at the line that reaches it): SAML responses
/// are ~10 KB a line.
const CHUNK_BYTES: usize = 256 << 10;
/// Chunks read and not yet written, at most: 4,096 tokens' worth, which keeps every core busy
/// while one slow chunk holds the ones after it back.
const MAX_IN_FLIGHT: usize = 64;
/// Bytes of input read and not yet written, about at most (2,048 SAML responses are 20 MiB).
const MAX_IN_FLIGHT_BYTES: usize = 8 << 20;

/// Inspects every non-blank line of `source` and writes each report to `out` in input order.
/// `any_error` is set when a report holds an error finding.
pub(super) fn inspect_lines(
    source: &Source,
    trust: &TrustStore,
    settings: &Settings,
    render: Render,
    out: &mut io::BufWriter<impl Write>,
    any_error: &mut bool,
) -> io::Result<()> {
    let (label, reader) = open(source)?;
    let mut lines = LineChunks {
        reader: BufReader::with_capacity(1 << 16, reader),
        label,
        line_no: 0,
        at_end: false,
    };
    let workers = std::thread::available_parallelism()
        .map(NonZeroUsize::get)
        .unwrap_or(1);
    let mut progress = Progress::new(io::stderr().is_terminal());
    let render_chunk = |chunk: &[Input]| rendered(chunk, trust, settings, render);
    if workers <= 1 {
        loop {
            let chunk = lines.next_chunk()?;
            if chunk.inputs.is_empty() {
                break;
            }
            write_part(out, &render_chunk(&chunk.inputs), any_error)?;
            progress.add(chunk.inputs.len());
        }
    } else {
        in_parallel(&mut lines, workers, &render_chunk, |part, inputs| {
            write_part(out, part, any_error)?;
            progress.add(inputs);
            Ok(())
        })?;
    }
    progress.finish();
    Ok(())
}

/// The source as a reader, and the label its lines are numbered under.
fn open(source: &Source) -> io::Result<(String, Box<dyn Read>)> {
    Ok(match source {
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
    })
}

/// Reports already written out by a worker, in input order, and whether any holds an error.
struct Rendered {
    bytes: Vec<u8>,
    error: bool,
}

/// Inspects and renders a chunk of inputs. A container on a line (a token response, a capture)
/// gives every report it holds.
fn rendered(inputs: &[Input], trust: &TrustStore, settings: &Settings, render: Render) -> Rendered {
    let mut part = Rendered {
        bytes: Vec::with_capacity(inputs.len() * 2048),
        error: false,
    };
    for input in inputs {
        for report in crate::capture::inspect_all(input, trust, settings) {
            part.error |= report.has_error();
            render.append(&mut part.bytes, &report);
        }
    }
    part
}

/// What a worker sends back: the chunk's number and its reports, or the panic that stopped it.
type Done = (usize, std::thread::Result<Rendered>);

/// Runs the chunks of `lines` through `workers` threads, handing each rendered chunk, in input
/// order, to `write` with the number of inputs it holds.
fn in_parallel<R: BufRead>(
    lines: &mut LineChunks<R>,
    workers: usize,
    render_chunk: &(impl Fn(&[Input]) -> Rendered + Sync),
    mut write: impl FnMut(&Rendered, usize) -> io::Result<()>,
) -> io::Result<()> {
    let (work, queue) = mpsc::channel::<(usize, Vec<Input>)>();
    let queue = Mutex::new(queue);
    std::thread::scope(|scope| {
        // Owned here: dropped when this closure returns (or unwinds), which closes the queue.
        let work = work;
        let (finished, done) = mpsc::channel::<Done>();
        for _ in 0..workers {
            let (queue, finished) = (&queue, finished.clone());
            scope.spawn(move || loop {
                // Poisoned only if a worker panicked holding it, which `catch_unwind` prevents.
                let Ok(next) = queue.lock().map(|q| q.recv()) else {
                    return;
                };
                // The queue is closed: the input is read and every chunk taken.
                let Ok((index, chunk)) = next else {
                    return;
                };
                let part = panic::catch_unwind(AssertUnwindSafe(|| render_chunk(&chunk)));
                if finished.send((index, part)).is_err() {
                    return;
                }
            });
        }
        drop(finished);
        // Chunks sent and not yet written, oldest first: chunk `sent - in_flight.len()` is the
        // front. A chunk's reports that come back before an older chunk's wait in its place.
        let mut in_flight: VecDeque<InFlight> = VecDeque::new();
        let mut in_flight_bytes = 0;
        let mut sent = 0usize;
        loop {
            while !lines.at_end
                && in_flight.len() < MAX_IN_FLIGHT
                && in_flight_bytes < MAX_IN_FLIGHT_BYTES
            {
                let Chunk { inputs, bytes } = lines.next_chunk()?;
                if inputs.is_empty() {
                    break;
                }
                in_flight.push_back(InFlight {
                    inputs: inputs.len(),
                    bytes,
                    part: None,
                });
                in_flight_bytes += bytes;
                work.send((sent, inputs)).map_err(|_| workers_stopped())?;
                sent += 1;
            }
            if in_flight.is_empty() {
                // Dropping `work` closes the queue; the scope waits for the workers to leave.
                return Ok(());
            }
            let (index, part) = done.recv().map_err(|_| workers_stopped())?;
            // A panicking worker is a bug: fail loudly rather than drop its reports silently.
            let part = part.unwrap_or_else(|panic| panic::resume_unwind(panic));
            // Every chunk comes back once, so it is still in flight when it does.
            let chunk = index
                .checked_sub(sent - in_flight.len())
                .and_then(|slot| in_flight.get_mut(slot))
                .ok_or_else(workers_stopped)?;
            chunk.part = Some(part);
            while let Some(InFlight {
                inputs,
                bytes,
                part: Some(part),
            }) = in_flight.front()
            {
                write(part, *inputs)?;
                in_flight_bytes -= bytes;
                in_flight.pop_front();
            }
        }
    })
}

/// A chunk handed to the workers and not yet written: its size, and its reports once back.
struct InFlight {
    inputs: usize,
    bytes: usize,
    part: Option<Rendered>,
}

fn workers_stopped() -> io::Error {
    io::Error::other("the batch's worker threads stopped before the input was inspected")
}

/// Writes a worker's reports. A part is tens of kilobytes: it goes to the writer beneath `out`
/// as it is, rather than being copied into `out`'s buffer first.
fn write_part(
    out: &mut io::BufWriter<impl Write>,
    part: &Rendered,
    any_error: &mut bool,
) -> io::Result<()> {
    *any_error |= part.error;
    if part.bytes.len() >= out.capacity() / 4 {
        out.flush()?;
        out.get_mut().write_all(&part.bytes)
    } else {
        out.write_all(&part.bytes)
    }
}

/// A count of inspected inputs on standard error, when it is a terminal: ten times a second at
/// most, and the final count.
struct Progress {
    shown: bool,
    done: usize,
    last: Option<Instant>,
}

impl Progress {
    fn new(shown: bool) -> Self {
        Progress {
            shown,
            done: 0,
            last: None,
        }
    }

    fn add(&mut self, inputs: usize) {
        self.done += inputs;
        if self.shown
            && self
                .last
                .is_none_or(|t| t.elapsed() >= Duration::from_millis(100))
        {
            self.last = Some(Instant::now());
            eprint!("\rkeyprobe: {} inputs inspected", self.done);
        }
    }

    fn finish(&self) {
        if self.shown && self.done > 0 {
            eprintln!("\rkeyprobe: {} inputs inspected", self.done);
        }
    }
}

/// Inputs read together, and their bytes.
struct Chunk {
    inputs: Vec<Input>,
    bytes: usize,
}

/// Non-blank lines in chunks of [`CHUNK_LINES`] or [`CHUNK_BYTES`], each labelled with its line
/// number.
struct LineChunks<R> {
    reader: R,
    label: String,
    line_no: usize,
    at_end: bool,
}

impl<R: BufRead> LineChunks<R> {
    /// The next chunk; empty at the end of the input.
    fn next_chunk(&mut self) -> io::Result<Chunk> {
        let mut inputs = Vec::with_capacity(if self.at_end { 0 } else { CHUNK_LINES });
        let mut bytes = 0;
        while !self.at_end && inputs.len() < CHUNK_LINES && bytes < CHUNK_BYTES {
            self.line_no += 1;
            match read_line_bounded(&mut self.reader)? {
                None => self.at_end = true,
                Some(line) if line.iter().all(u8::is_ascii_whitespace) => {}
                Some(line) => {
                    bytes += line.len();
                    inputs.push(Input::new(format!("{}:{}", self.label, self.line_no), line))
                }
            }
        }
        Ok(Chunk { inputs, bytes })
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn lines_of(text: &str) -> LineChunks<io::Cursor<Vec<u8>>> {
        LineChunks {
            reader: io::Cursor::new(text.as_bytes().to_vec()),
            label: "in".into(),
            line_no: 0,
            at_end: false,
        }
    }

    /// A chunk "rendered" as its inputs' labels and texts, one per line.
    fn labels(chunk: &[Input]) -> Rendered {
        let mut bytes = Vec::new();
        for input in chunk {
            bytes.extend_from_slice(input.label.as_bytes());
            bytes.push(b' ');
            bytes.extend_from_slice(&input.bytes);
            bytes.push(b'\n');
        }
        Rendered {
            bytes,
            error: false,
        }
    }

    #[test]
    fn chunks_number_the_lines_skip_blank_ones_and_stop_at_their_size() {
        let mut lines = lines_of("a\n\n  \nb\r\nc");
        let chunk = lines.next_chunk().unwrap();
        let got: Vec<(&str, &[u8])> = chunk
            .inputs
            .iter()
            .map(|i| (i.label.as_str(), i.bytes.as_slice()))
            .collect();
        assert_eq!(got, [("in:1", &b"a"[..]), ("in:4", b"b"), ("in:5", b"c")]);
        assert_eq!(chunk.bytes, 3);
        assert!(lines.next_chunk().unwrap().inputs.is_empty());

        let many: String = (0..CHUNK_LINES + 5).map(|i| format!("{i}\n")).collect();
        let mut lines = lines_of(&many);
        assert_eq!(lines.next_chunk().unwrap().inputs.len(), CHUNK_LINES);
        assert_eq!(lines.next_chunk().unwrap().inputs.len(), 5);

        let long = "x".repeat(CHUNK_BYTES / 2 + 1);
        let mut lines = lines_of(&format!("{long}\n{long}\n{long}\n"));
        assert_eq!(
            lines.next_chunk().unwrap().inputs.len(),
            2,
            "a chunk ends at the line that reaches the byte bound"
        );
        assert_eq!(lines.next_chunk().unwrap().inputs.len(), 1);
    }

    #[test]
    fn reports_come_out_in_input_order_however_the_workers_finish() {
        let count = CHUNK_LINES * (MAX_IN_FLIGHT * 2 + 3) + 7;
        let text: String = (1..=count).map(|i| format!("t{i}\n")).collect();
        let taken = AtomicUsize::new(0);
        let render = |chunk: &[Input]| {
            let n = taken.fetch_add(1, Ordering::SeqCst);
            // Every fifth chunk is slow, so later ones overtake it.
            if n.is_multiple_of(5) {
                std::thread::sleep(Duration::from_millis(3));
            }
            labels(chunk)
        };
        let mut out = Vec::new();
        let (mut inputs, mut writes) = (0, 0);
        in_parallel(&mut lines_of(&text), 3, &render, |part, n| {
            writes += 1;
            // Chunks taken but not yet written never exceed the bound.
            assert!(taken.load(Ordering::SeqCst) - (writes - 1) <= MAX_IN_FLIGHT);
            out.extend_from_slice(&part.bytes);
            inputs += n;
            Ok(())
        })
        .unwrap();
        let expected: String = (1..=count).map(|i| format!("in:{i} t{i}\n")).collect();
        assert_eq!(String::from_utf8(out).unwrap(), expected);
        assert_eq!(inputs, count);
        assert_eq!(writes, count.div_ceil(CHUNK_LINES));
    }

    #[test]
    fn a_worker_that_panics_fails_the_run_instead_of_losing_reports() {
        let text: String = (1..=CHUNK_LINES * 4).map(|i| format!("t{i}\n")).collect();
        let render = |chunk: &[Input]| {
            if chunk.iter().any(|i| i.bytes == b"t70") {
                panic!("a bug in a check");
            }
            labels(chunk)
        };
        let run = panic::catch_unwind(AssertUnwindSafe(|| {
            in_parallel(&mut lines_of(&text), 2, &render, |_, _| Ok(()))
        }));
        assert!(run.is_err());
    }

    #[test]
    fn a_write_error_stops_the_run() {
        let text: String = (1..=CHUNK_LINES * 8).map(|i| format!("t{i}\n")).collect();
        let result = in_parallel(&mut lines_of(&text), 2, &labels, |_, _| {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        });
        assert_eq!(result.unwrap_err().kind(), io::ErrorKind::BrokenPipe);
    }
}
