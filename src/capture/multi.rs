//! Several tokens in one file, one per line (a log excerpt, a list saved by hand): each is an input
//! of its own, labelled with its line, without asking for `--lines`.

use crate::detect::{detect, Detected};
use crate::input::{unwrap_pasted, Input};

/// Most lines looked at; a longer file is batch material (`--lines`).
const MAX_LINES: usize = 10_000;

/// The lines of `text` as inputs when there are at least two non-blank lines and every one of them
/// is a compact JWS or JWE (a `Bearer ` prefix or quotes allowed); `None` otherwise.
pub(crate) fn split_tokens(label: &str, text: &str) -> Option<Vec<Input>> {
    let mut inputs = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if i >= MAX_LINES {
            return None;
        }
        let value = unwrap_pasted(line);
        if value.is_empty() {
            continue;
        }
        if !matches!(
            detect(value.as_bytes()),
            Detected::Compact { .. } | Detected::BadCompact { .. } | Detected::Damaged { .. }
        ) {
            return None;
        }
        inputs.push(Input::new(format!("{label}:{}", i + 1), value.as_bytes()));
    }
    (inputs.len() > 1).then_some(inputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_tokens_two_inputs_one_token_none() {
        let two = "eyJhbGciOiJub25lIn0.e30.\n\nBearer eyJhbGciOiJub25lIn0.eyJhIjoxfQ.\n";
        let inputs = split_tokens("t.txt", two).unwrap();
        assert_eq!(inputs.len(), 2);
        assert_eq!(inputs[1].label, "t.txt:3");
        assert!(split_tokens("t.txt", "eyJhbGciOiJub25lIn0.e30.\n").is_none());
        assert!(split_tokens("t.txt", "eyJhbGciOiJub25lIn0.e30.\nhello\n").is_none());
    }
}
