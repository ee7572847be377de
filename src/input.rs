//! One input to inspect: where it came from and its bytes, plus the clean-up that turns what people
//! paste (`Bearer …`, quotes, trailing newlines) into the value itself.

/// An input and the label reports show for it (a path, `stdin`, `argument 1`, `file.txt:12`).
#[derive(Debug, Clone)]
pub struct Input {
    /// Where it came from, as reports name it.
    pub label: String,
    /// What was read or pasted.
    pub bytes: Vec<u8>,
}

impl Input {
    /// An input with its label.
    pub fn new(label: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Input {
            label: label.into(),
            bytes: bytes.into(),
        }
    }
}

/// Quotes a pasted value may come in, opening and closing.
const QUOTES: [(char, char); 4] = [('"', '"'), ('\'', '\''), ('`', '`'), ('“', '”')];

/// What may come before a pasted token, in this order, whatever the case.
const PREFIXES: [&str; 2] = ["authorization:", "bearer "];

/// Strips what surrounds a pasted value: whitespace, a byte-order mark, matching quotes,
/// an `Authorization:` header name and a `Bearer ` scheme.
pub(crate) fn unwrap_pasted(text: &str) -> &str {
    let mut t = text.trim_start_matches('\u{feff}').trim();
    for _ in 0..3 {
        if !may_be_decorated(t) {
            break;
        }
        let before = t;
        for (open, close) in QUOTES {
            if t.len() >= 2 && t.starts_with(open) && t.ends_with(close) {
                t = t[open.len_utf8()..t.len() - close.len_utf8()].trim();
            }
        }
        for prefix in PREFIXES {
            if let Some(rest) = strip_prefix_ignore_case(t, prefix) {
                t = rest.trim_start();
            }
        }
        // `t` only ever shrinks, so an unchanged length is an unchanged text (comparing the
        // bytes cost a batch token a memcmp of its whole length).
        if t.len() == before.len() {
            break;
        }
    }
    t
}

/// Whether `t` starts as a quote or a prefix does: a token (`eyJ…`) does not, and is then not
/// compared with each of them.
fn may_be_decorated(t: &str) -> bool {
    let Some(first) = t.chars().next() else {
        return false;
    };
    QUOTES.iter().any(|(open, _)| *open == first)
        || PREFIXES
            .iter()
            .any(|p| p.starts_with(first.to_ascii_lowercase()))
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_decorations() {
        assert_eq!(unwrap_pasted("  Bearer eyJ.a.b \n"), "eyJ.a.b");
        assert_eq!(unwrap_pasted("\"eyJ.a.b\""), "eyJ.a.b");
        assert_eq!(unwrap_pasted("Authorization: Bearer eyJ.a.b"), "eyJ.a.b");
        assert_eq!(unwrap_pasted("'Bearer x'"), "x");
        assert_eq!(unwrap_pasted("{\"a\":1}"), "{\"a\":1}");
        assert_eq!(unwrap_pasted("bearer"), "bearer");
        assert_eq!(unwrap_pasted("“eyJ.a.b”"), "eyJ.a.b");
        assert_eq!(unwrap_pasted("`AUTHORIZATION: bearer eyJ.a.b`"), "eyJ.a.b");
        assert_eq!(unwrap_pasted("Bearer 'eyJ.a.b'"), "eyJ.a.b");
    }
}
