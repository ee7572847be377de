//! Turning command-line INPUT words into inputs: files, standard input, or the text itself.

use std::io::{IsTerminal, Read};
use std::path::Path;

use crate::fetch::{FetchError, Fetched, Fetcher};
use crate::input::Input;
use crate::limits::MAX_INPUT_BYTES;

/// What one INPUT word refers to.
#[derive(Debug)]
pub(super) enum Source {
    Stdin,
    File(String),
    /// A document to fetch (metadata, JWKS, certificate).
    Url(String),
    Text {
        label: String,
        text: String,
    },
}

/// A problem that makes the run fail with exit code 2.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(super) enum SourceError {
    /// A word shaped like a path (a slash, a file extension) that names no file: a typo.
    #[error("'{word}': no such file")]
    NoSuchFile { word: String },
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("{url}: not a local source")]
    NotLocal { url: String },
    #[error("cannot read '{path}': {source}")]
    Unreadable {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot read standard input: {0}")]
    Stdin(std::io::Error),
    /// Ctrl-C at the paste prompt: exit status 130, as for an interrupt.
    #[error("cancelled at the prompt (Ctrl-C)")]
    Cancelled,
}

/// Classifies INPUT words. A short word that looks like a path but names no file is an error,
/// not a token: a typo should say so rather than report an `unknown` input.
pub(super) fn classify(words: &[String]) -> Result<Vec<Source>, SourceError> {
    if words.is_empty() {
        return Ok(vec![Source::Stdin]);
    }
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if w == "-" {
            out.push(Source::Stdin);
        } else if Path::new(w).is_file() {
            out.push(Source::File(w.clone()));
        } else if carries_saml(w) || crate::capture::url::carries_credentials(w) {
            out.push(Source::Text {
                label: format!("argument {}", i + 1),
                text: w.clone(),
            });
        } else if w.starts_with("http://") || w.starts_with("https://") {
            out.push(Source::Url(w.clone()));
        } else if looks_like_path(w) {
            return Err(SourceError::NoSuchFile { word: w.clone() });
        } else {
            out.push(Source::Text {
                label: format!("argument {}", i + 1),
                text: w.clone(),
            });
        }
    }
    Ok(out)
}

/// A URL that carries a SAML message is decoded, never fetched: fetching it would replay the sign-in.
/// (Other credentials in a URL, in any case: see `capture::url`.)
fn carries_saml(url: &str) -> bool {
    url.contains("SAMLRequest=") || url.contains("SAMLResponse=")
}

fn looks_like_path(w: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        ".txt", ".json", ".jwt", ".jwks", ".pem", ".crt", ".cer", ".der", ".xml", ".log", ".token",
    ];
    w.len() < 256
        && !w.chars().any(char::is_whitespace)
        && !w.starts_with('{')
        && !w.starts_with("ey")
        && (w.contains('/')
            || EXTENSIONS
                .iter()
                .any(|e| w.to_ascii_lowercase().ends_with(e)))
}

/// Reads a whole source into one input, bounded by the input size limit.
pub(super) fn read_whole(
    source: &Source,
    fetcher: &Fetcher,
) -> Result<(Input, Option<Fetched>), SourceError> {
    if let Source::Url(url) = source {
        let fetched = fetcher.get(url, now())?;
        return Ok((Input::new(url.clone(), fetched.body.clone()), Some(fetched)));
    }
    read_local(source).map(|i| (i, None))
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn read_local(source: &Source) -> Result<Input, SourceError> {
    match source {
        Source::Url(url) => Err(SourceError::NotLocal { url: url.clone() }),
        Source::Text { label, text } => Ok(Input::new(label.clone(), text.as_bytes())),
        Source::File(path) => {
            let unreadable = |source| SourceError::Unreadable {
                path: path.clone(),
                source,
            };
            let file = std::fs::File::open(path).map_err(unreadable)?;
            Ok(Input::new(
                path.clone(),
                read_bounded(file).map_err(unreadable)?,
            ))
        }
        Source::Stdin => Ok(Input::new("stdin", read_stdin()?)),
    }
}

/// Standard input whole: on a terminal, a paste read at any length ([`super::paste`]).
pub(super) fn read_stdin() -> Result<Vec<u8>, SourceError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return super::paste::read_paste(MAX_INPUT_BYTES).map_err(|e| match e {
            super::paste::PasteError::Cancelled => SourceError::Cancelled,
            super::paste::PasteError::Io(e) => SourceError::Stdin(e),
        });
    }
    read_bounded(stdin.lock()).map_err(SourceError::Stdin)
}

/// Reads at most one byte past the limit, so an oversize input is reported without being held.
fn read_bounded(reader: impl Read) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    reader
        .take(MAX_INPUT_BYTES as u64 + 1)
        .read_to_end(&mut buf)?;
    Ok(buf)
}
