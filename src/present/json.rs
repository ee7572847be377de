//! JSON output: one object per input, or one line per input (JSON Lines) in batch mode.

use std::io::{self, Write};

use crate::report::Report;

pub fn write_pretty(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

pub fn write_line(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    serde_json::to_writer(&mut *out, report).map_err(io::Error::other)?;
    out.write_all(b"\n")
}
