//! JSON output: one object per input, or one line per input (JSON Lines) in batch mode.

use std::io::{self, Write};

use crate::report::Report;

pub(crate) fn write_pretty(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// Writes `report` as one line of JSON (`--json` with several reports), SPEC.md's report shape.
/// A batch worker writes into its own buffer with [`super::json_line::append`] instead.
pub fn write_line<W: Write + ?Sized>(out: &mut W, report: &Report) -> io::Result<()> {
    let mut line = Vec::with_capacity(4096);
    super::json_line::append(&mut line, report);
    out.write_all(&line)
}
