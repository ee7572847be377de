//! JSON output: one object per input, or one line per input (JSON Lines) in batch mode.

use std::io::{self, Write};

use crate::report::Report;

pub(crate) fn write_pretty(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// Writes `report` as one line of JSON (`--json --lines`), SPEC.md's report shape.
pub fn write_line(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    serde_json::to_writer(&mut *out, report).map_err(io::Error::other)?;
    out.write_all(b"\n")
}
