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

/// Strips what surrounds a pasted value: whitespace, a byte-order mark, matching quotes,
/// an `Authorization:` header name and a `Bearer ` scheme.
pub(crate) fn unwrap_pasted(text: &str) -> &str {
    let mut t = text.trim_start_matches('\u{feff}').trim();
    for _ in 0..3 {
        // Every decoration starts with a quote or with the `a` of Authorization or the `b` of
        // Bearer (any case): a token (`eyJ…`) has none, and is not compared with each.
        if !matches!(
            t.as_bytes().first(),
            Some(b'"' | b'\'' | b'`' | 0xE2 | b'a' | b'A' | b'b' | b'B')
        ) {
            break;
        }
        let before = t;
        for (open, close) in [('"', '"'), ('\'', '\''), ('`', '`'), ('“', '”')] {
            if t.len() >= 2 && t.starts_with(open) && t.ends_with(close) {
                t = t[open.len_utf8()..t.len() - close.len_utf8()].trim();
            }
        }
        if let Some(rest) = strip_prefix_ignore_case(t, "authorization:") {
            t = rest.trim_start();
        }
        if let Some(rest) = strip_prefix_ignore_case(t, "bearer ") {
            t = rest.trim_start();
        }
        // `t` only ever shrinks, so an unchanged length is an unchanged text (comparing the
        // bytes cost a batch token a memcmp of its whole length).
        if t.len() == before.len() {
            break;
        }
    }
    t
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
