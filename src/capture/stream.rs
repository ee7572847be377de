//! Reading a large JSON capture as a stream: the document is walked with struson, and each entry
//! is materialised on its own with its strings bounded as they are read, so memory stays flat
//! however large the capture (a 50 MB HAR is mostly script and image bodies nobody needs).

use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

use serde_json::{Map, Value};
use struson::reader::{JsonReader, JsonStreamReader, ReaderSettings, ValueType};

use crate::limits::{MAX_CAPTURE_STRING_BYTES, MAX_JSON_DEPTH};

/// Why a capture could not be read to its end.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    #[error("the capture is not valid JSON at {at}: {reason}")]
    Json { at: String, reason: String },
    #[error("cannot read the capture: {0}")]
    Io(#[from] io::Error),
}

impl From<struson::reader::ReaderError> for StreamError {
    fn from(e: struson::reader::ReaderError) -> Self {
        let text = e.to_string();
        StreamError::Json {
            at: String::new(),
            reason: text,
        }
    }
}

/// Counts the bytes read, for progress and for the summary.
pub(crate) struct Counting<R> {
    inner: R,
    pub read: Rc<Cell<u64>>,
}

impl<R: Read> Counting<R> {
    pub(crate) fn new(inner: R) -> Self {
        Counting {
            inner,
            read: Rc::new(Cell::new(0)),
        }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

pub(crate) type Reader<R> = JsonStreamReader<R>;

/// A stream reader with keyprobe's depth bound.
pub(crate) fn reader<R: Read>(input: R) -> Reader<R> {
    JsonStreamReader::new_custom(
        input,
        ReaderSettings {
            max_nesting_depth: Some(MAX_JSON_DEPTH as u32),
            ..ReaderSettings::default()
        },
    )
}

/// What every value and member costs the entry's budget beside its strings' bytes, so that an
/// entry of millions of small values (numbers, empty strings, members) is bounded too.
const VALUE_COST: usize = 32;

/// Reads the next value whole, its strings cut at [`MAX_CAPTURE_STRING_BYTES`] (the rest is read
/// and dropped, and the cut string says how long it was). `budget` is what the entry may still
/// hold; once spent, strings are dropped the same way and other values are skipped (null).
pub(crate) fn read_value<R: Read>(
    r: &mut Reader<R>,
    budget: &mut usize,
) -> Result<Value, StreamError> {
    if *budget < VALUE_COST {
        r.skip_value()?;
        return Ok(Value::Null);
    }
    *budget -= VALUE_COST;
    Ok(match r.peek()? {
        ValueType::Object => {
            r.begin_object()?;
            let mut map = Map::new();
            while r.has_next()? {
                let name = r.next_name_owned()?;
                if *budget < VALUE_COST + name.len() {
                    r.skip_value()?;
                    continue;
                }
                *budget -= name.len();
                let value = read_value(r, budget)?;
                map.insert(name, value);
            }
            r.end_object()?;
            Value::Object(map)
        }
        ValueType::Array => {
            r.begin_array()?;
            let mut items = Vec::new();
            while r.has_next()? {
                if *budget < VALUE_COST {
                    r.skip_value()?;
                    continue;
                }
                items.push(read_value(r, budget)?);
            }
            r.end_array()?;
            Value::Array(items)
        }
        ValueType::String => Value::String(read_bounded_string(r, budget)?),
        ValueType::Number => {
            let n = r.next_number_as_string()?;
            serde_json::from_str::<Value>(&n).unwrap_or(Value::Null)
        }
        ValueType::Boolean => Value::Bool(r.next_bool()?),
        ValueType::Null => {
            r.next_null()?;
            Value::Null
        }
    })
}

/// The marker a string cut at the bound starts with; readers skip such values.
pub(crate) const CUT_MARKER: &str = "[keyprobe: not read, ";

fn read_bounded_string<R: Read>(
    r: &mut Reader<R>,
    budget: &mut usize,
) -> Result<String, StreamError> {
    let cap = MAX_CAPTURE_STRING_BYTES.min(*budget);
    let mut buf = Vec::new();
    let mut total = 0u64;
    {
        let mut s = r.next_string_reader()?;
        (&mut s).take(cap as u64 + 1).read_to_end(&mut buf)?;
        total += buf.len() as u64;
        if buf.len() > cap {
            total += io::copy(&mut s, &mut io::sink())?;
            buf.clear();
        }
    }
    if total > cap as u64 {
        return Ok(format!("{CUT_MARKER}{total} bytes]"));
    }
    *budget = budget.saturating_sub(buf.len());
    Ok(String::from_utf8(buf)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_small_values_spend_the_budget_too() {
        let many = format!("[{}]", vec!["0"; 100_000].join(","));
        let mut budget = 64 * 1024;
        let v = read_value(&mut reader(many.as_bytes()), &mut budget).unwrap();
        // Read to its end, only what the budget holds kept.
        assert!(v.as_array().unwrap().len() <= 64 * 1024 / VALUE_COST);
        let members = format!(
            "{{{}}}",
            (0..50_000)
                .map(|i| format!("\"k{i}\":0"))
                .collect::<Vec<_>>()
                .join(",")
        );
        let mut budget = 64 * 1024;
        let mut r = reader(members.as_bytes());
        let v = read_value(&mut r, &mut budget).unwrap();
        assert!(v.as_object().unwrap().len() < 2048);
        r.consume_trailing_whitespace().unwrap();
    }
}
