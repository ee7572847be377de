//! Reading a paste at the prompt, whole, at any length.
//!
//! A terminal in its usual (canonical) mode keeps at most 4095 bytes of a line and drops the
//! rest before any program reads it, so a 7 KB token or a 20 KB one-line SAMLResponse would
//! arrive cut. While prompting, keyprobe reads the terminal byte by byte instead
//! (non-canonical, its own echo, Ctrl-C read as a key) with bracketed paste on, so it knows
//! where a paste starts and ends. The terminal is put back as it was on every way out: the
//! paste ending, Ctrl-C, an error, a panic (the guard's `Drop`) and SIGINT/SIGTERM/SIGHUP
//! sent from elsewhere (a signal thread that restores, then dies the way the signal wants).

use std::io::{self, IsTerminal, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::{Mutex, OnceLock};

use rustix::termios::{
    self, InputModes, LocalModes, OptionalActions, QueueSelector, SpecialCodeIndex, Termios,
};

/// What the prompt says, so that a new user knows how to end a paste.
pub(super) const PROMPT: &str = "Paste a token, SAML message, metadata, key set or certificate.\n\
End with Enter on an empty line (or Ctrl-D); Ctrl-C cancels.";

const BRACKETED_PASTE_ON: &[u8] = b"\x1b[?2004h";
const BRACKETED_PASTE_OFF: &[u8] = b"\x1b[?2004l";
const PASTE_START: &[u8] = b"\x1b[200~";
const PASTE_END: &[u8] = b"\x1b[201~";
/// Longest escape sequence kept while parsing one; longer ones are not the terminal's.
const MAX_ESCAPE: usize = 16;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(super) enum PasteError {
    #[error("cancelled at the prompt (Ctrl-C)")]
    Cancelled,
    #[error("cannot read the terminal: {0}")]
    Io(#[from] io::Error),
}

/// The terminal settings to put back, shared with the signal thread.
static SAVED: OnceLock<Mutex<Option<Termios>>> = OnceLock::new();

fn saved() -> &'static Mutex<Option<Termios>> {
    SAVED.get_or_init(|| Mutex::new(None))
}

/// Puts the terminal back when dropped, whatever happened.
struct RawGuard {
    bracketed: bool,
}

impl Drop for RawGuard {
    fn drop(&mut self) {
        restore(self.bracketed);
    }
}

/// Restores the saved settings (once) and turns bracketed paste off. Safe to call from any
/// thread and more than once.
fn restore(bracketed: bool) {
    let stdin = io::stdin();
    let fd = stdin.as_fd();
    if let Ok(mut slot) = saved().lock() {
        if let Some(original) = slot.take() {
            // Drop what was typed or pasted after the end, so that it never reaches the shell.
            let _ = termios::tcflush(fd, QueueSelector::IFlush);
            let _ = termios::tcsetattr(fd, OptionalActions::Now, &original);
        }
    }
    if bracketed {
        let _ = io::stderr().write_all(BRACKETED_PASTE_OFF);
        let _ = io::stderr().flush();
    }
}

/// Signals that end the process while the terminal is in paste mode restore it first, then
/// take their default action; the thread stays for the process's life so that later signals
/// behave exactly as they would without it.
fn watch_signals(bracketed: bool) {
    static STARTED: OnceLock<()> = OnceLock::new();
    STARTED.get_or_init(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        std::thread::spawn(move || {
            for signal in signals.forever() {
                restore(bracketed);
                let _ = signal_hook::low_level::emulate_default_handler(signal);
            }
        });
    });
}

/// Reads a paste from the terminal on standard input: at most `limit + 1` bytes are kept (the
/// rest of an oversize paste is read and dropped, so that none of it reaches the shell).
/// Returns the bytes as pasted or typed; ends on Enter on an empty line, Enter right after a
/// paste, Ctrl-D or the end of input.
pub(super) fn read_paste(limit: usize) -> Result<Vec<u8>, PasteError> {
    let stdin = io::stdin();
    let fd = stdin.as_fd();
    let original = termios::tcgetattr(fd).map_err(io::Error::from)?;
    let echo_to_terminal = io::stderr().is_terminal();
    let bracketed = echo_to_terminal;
    watch_signals(bracketed);
    if let Ok(mut slot) = saved().lock() {
        *slot = Some(original.clone());
    }
    let guard = RawGuard { bracketed };
    enter_paste_mode(fd, &original)?;
    let mut echo = Echo {
        on: echo_to_terminal,
        err: io::stderr(),
    };
    echo.raw(PROMPT.as_bytes());
    echo.raw(b"\n");
    if bracketed {
        echo.raw(BRACKETED_PASTE_ON);
    }
    let mut reader = PasteReader::new(limit);
    let mut chunk = [0u8; 8192];
    let mut input = stdin.lock();
    loop {
        let n = match input.read(&mut chunk) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        if n == 0 {
            break;
        }
        match reader.feed(&chunk[..n], &mut echo) {
            Step::More => {}
            Step::Done => break,
            Step::Cancelled => {
                echo.raw(b"\n");
                drop(guard);
                return Err(PasteError::Cancelled);
            }
        }
    }
    echo.raw(b"\n");
    drop(guard);
    Ok(reader.into_bytes())
}

/// Non-canonical input (whole lines of any length), no echo (keyprobe echoes what is typed
/// and summarises what is pasted), Ctrl-C/Ctrl-\ and Ctrl-S/Ctrl-Q read as keys.
fn enter_paste_mode(fd: BorrowedFd<'_>, original: &Termios) -> io::Result<()> {
    let mut raw = original.clone();
    raw.local_modes
        .remove(LocalModes::ICANON | LocalModes::ECHO | LocalModes::ISIG | LocalModes::IEXTEN);
    // Carriage returns still become newlines (ICRNL stays), so Enter and pasted lines are '\n'.
    raw.input_modes.remove(InputModes::IXON);
    raw.special_codes[SpecialCodeIndex::VMIN] = 1;
    raw.special_codes[SpecialCodeIndex::VTIME] = 0;
    termios::tcsetattr(fd, OptionalActions::Now, &raw).map_err(io::Error::from)
}

/// Where keyprobe echoes what is typed: the terminal on standard error, when it is one.
struct Echo {
    on: bool,
    err: io::Stderr,
}

impl Echo {
    fn raw(&mut self, bytes: &[u8]) {
        if self.on {
            let _ = self.err.write_all(bytes);
            let _ = self.err.flush();
        }
    }
}

/// What reading a chunk led to.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    More,
    Done,
    Cancelled,
}

/// The paste being read: the bytes, whether a bracketed paste is under way, an escape sequence
/// being parsed. Separate from the terminal so that tests can feed it bytes.
struct PasteReader {
    bytes: Vec<u8>,
    limit: usize,
    in_paste: bool,
    pasted: usize,
    /// The last thing that happened was a paste ending: Enter now ends the input.
    just_pasted: bool,
    escape: Vec<u8>,
}

impl PasteReader {
    fn new(limit: usize) -> Self {
        PasteReader {
            bytes: Vec::new(),
            limit,
            in_paste: false,
            pasted: 0,
            just_pasted: false,
            escape: Vec::new(),
        }
    }

    fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Keeps a byte unless the limit is passed (one byte over it is kept, so the input is
    /// reported as oversize rather than quietly cut).
    fn keep(&mut self, b: u8) {
        if self.bytes.len() <= self.limit {
            self.bytes.push(b);
        }
    }

    fn at_line_start(&self) -> bool {
        self.bytes.is_empty() || self.bytes.last() == Some(&b'\n')
    }

    fn feed(&mut self, chunk: &[u8], echo: &mut Echo) -> Step {
        // Typed bytes are echoed in one write per chunk.
        let mut typed: Vec<u8> = Vec::new();
        for &b in chunk {
            if !self.escape.is_empty() || b == 0x1b {
                self.escape.push(b);
                if let Some(sequence) = self.complete_escape() {
                    if sequence == PASTE_START {
                        self.in_paste = true;
                        self.pasted = 0;
                        self.just_pasted = false;
                    } else if sequence == PASTE_END {
                        self.in_paste = false;
                        self.just_pasted = true;
                        typed.extend_from_slice(
                            format!(
                                "[{} characters pasted; press Enter to inspect them]",
                                self.pasted
                            )
                            .as_bytes(),
                        );
                    } else if self.in_paste {
                        // An escape sequence inside pasted text is pasted text.
                        for b in sequence {
                            self.keep(b);
                        }
                    }
                    // Other keys (arrows, function keys) mean nothing here.
                }
                continue;
            }
            if self.in_paste {
                self.keep(b);
                self.pasted += 1;
                continue;
            }
            match b {
                // Ctrl-C, Ctrl-\: cancel.
                0x03 | 0x1c => {
                    echo.raw(&typed);
                    return Step::Cancelled;
                }
                // Ctrl-D: the end.
                0x04 => {
                    echo.raw(&typed);
                    return Step::Done;
                }
                b'\n' | b'\r' => {
                    if self.just_pasted || (!self.bytes.is_empty() && self.at_line_start()) {
                        echo.raw(&typed);
                        return Step::Done;
                    }
                    if !self.bytes.is_empty() {
                        self.keep(b'\n');
                        typed.extend_from_slice(b"\n");
                    }
                }
                // Backspace / Delete: one character back, within the line.
                0x7f | 0x08 if !self.at_line_start() => {
                    while let Some(last) = self.bytes.pop() {
                        // Stop at the first byte of a UTF-8 character.
                        if last & 0xc0 != 0x80 {
                            break;
                        }
                    }
                    typed.extend_from_slice(b"\x08 \x08");
                }
                // Nothing to erase on this line.
                0x7f | 0x08 => {}
                b'\t' | 0x20.. => {
                    self.keep(b);
                    typed.push(b);
                }
                _ => {}
            }
            self.just_pasted = false;
        }
        echo.raw(&typed);
        Step::More
    }

    /// The escape sequence parsed so far when it is complete (`ESC [ params final` or
    /// `ESC x`), clearing it; `None` while it goes on.
    fn complete_escape(&mut self) -> Option<Vec<u8>> {
        let e = &self.escape;
        let done = match e.len() {
            0 | 1 => false,
            2 => e[1] != b'[',
            _ => e.last().is_some_and(|b| (0x40..=0x7e).contains(b)) || e.len() >= MAX_ESCAPE,
        };
        done.then(|| std::mem::take(&mut self.escape))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed_all(chunks: &[&[u8]]) -> (Vec<u8>, Step) {
        let mut reader = PasteReader::new(1 << 20);
        let mut echo = Echo {
            on: false,
            err: io::stderr(),
        };
        let mut last = Step::More;
        for c in chunks {
            last = reader.feed(c, &mut echo);
            if last != Step::More {
                break;
            }
        }
        (reader.into_bytes(), last)
    }

    #[test]
    fn a_bracketed_paste_is_kept_whole_and_enter_ends_it() {
        let token = "e".repeat(20_000);
        let (bytes, step) = feed_all(&[
            PASTE_START,
            &token.as_bytes()[..5000],
            &token.as_bytes()[5000..],
            PASTE_END,
            b"\n",
        ]);
        assert_eq!(step, Step::Done);
        assert_eq!(bytes, token.as_bytes());
    }

    #[test]
    fn typed_lines_end_on_an_empty_line_and_keep_their_breaks() {
        let (bytes, step) = feed_all(&[b"-----BEGIN CERT-----\nMIIB\n-----END CERT-----\n", b"\n"]);
        assert_eq!(step, Step::Done);
        assert_eq!(bytes, b"-----BEGIN CERT-----\nMIIB\n-----END CERT-----\n");
    }

    #[test]
    fn ctrl_c_cancels_and_ctrl_d_ends() {
        assert_eq!(feed_all(&[b"abc\x03"]).1, Step::Cancelled);
        let (bytes, step) = feed_all(&[b"abc\x04"]);
        assert_eq!((bytes.as_slice(), step), (&b"abc"[..], Step::Done));
    }

    #[test]
    fn backspace_and_arrow_keys() {
        let (bytes, _) = feed_all(&[b"abx\x7fc\x1b[D\n\n"]);
        assert_eq!(bytes, b"abc\n");
        // At the start of a line there is nothing to erase, and DEL is not text.
        let (bytes, _) = feed_all(&[b"\x7fab\n\x7f\x7fc\x04"]);
        assert_eq!(bytes, b"ab\nc");
        // A multi-byte character goes in one backspace.
        let (bytes, _) = feed_all(&["aé".as_bytes(), b"\x7f\x04"]);
        assert_eq!(bytes, b"a");
    }

    #[test]
    fn oversize_pastes_keep_one_byte_past_the_limit() {
        let mut reader = PasteReader::new(10);
        let mut echo = Echo {
            on: false,
            err: io::stderr(),
        };
        reader.feed(PASTE_START, &mut echo);
        reader.feed(&[b'a'; 100], &mut echo);
        assert_eq!(reader.feed(PASTE_END, &mut echo), Step::More);
        assert_eq!(reader.into_bytes().len(), 11);
    }
}
