//! JSON output: one object per input, or one line per input (JSON Lines) in batch mode.

use std::io::{self, Write};

use crate::report::Report;

pub(crate) fn write_pretty(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// Writes `report` as one line of JSON (`--json --lines`), SPEC.md's report shape. Generic over
/// the writer so that a batch worker's `Vec<u8>` takes serde_json's many small writes inline.
pub fn write_line<W: Write + ?Sized>(out: &mut W, report: &Report) -> io::Result<()> {
    let mut line = Vec::with_capacity(4096);
    super::json_line::append(&mut line, report);
    out.write_all(&line)
}

/// [`write_line`] into a buffer: a batch worker's reports go straight into its own.
pub(crate) fn append_line(out: &mut Vec<u8>, report: &Report) {
    super::json_line::append(out, report);
}
