//! Base64 in the two dialects identity systems use.
//!
//! JOSE segments are base64url without padding, decoded strictly (RFC 7515 §2): no padding, no
//! whitespace, no non-canonical trailing bits. Certificates (`x5c`, PEM bodies, SAML) use standard
//! base64 that may be wrapped over lines, so that dialect ignores ASCII whitespace.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::Engine;

const STANDARD_LENIENT_PADDING: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why a base64 text was rejected, with the offending character and position when known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Base64Error {
    /// A character outside base64url's alphabet (padding and whitespace included).
    #[error(
        "character {found:?} at offset {offset} is not base64url (A-Z a-z 0-9 - _, no padding)"
    )]
    NotUrlAlphabet {
        /// Its byte offset in the text.
        offset: usize,
        /// The character.
        found: char,
    },
    /// The right alphabet, but not a valid encoding (length, trailing bits).
    #[error("invalid base64url: {0}")]
    InvalidUrl(base64::DecodeError),
    /// A character outside the standard alphabet.
    #[error("character {found:?} is not standard base64")]
    NotStandardAlphabet {
        /// The character.
        found: char,
    },
    /// The right alphabet, but not a valid encoding (length, padding in the wrong place).
    #[error("invalid base64: {0}")]
    InvalidStandard(base64::DecodeError),
}

/// The base64url alphabet: A-Z a-z 0-9 - _.
const fn in_url_alphabet(b: u8) -> bool {
    b.is_ascii_alphanumeric() | (b == b'-') | (b == b'_')
}

/// Which bytes belong to the base64url alphabet (a table: this check runs over every token).
const BASE64URL: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = in_url_alphabet(b as u8);
        b += 1;
    }
    table
};

/// Strict base64url (JOSE).
pub fn decode_url(text: &str) -> Result<Vec<u8>, Base64Error> {
    // The decoder accepts base64url's alphabet only, so a text it takes has nothing to point at;
    // one it refuses is scanned for the first foreign character (every token segment comes here).
    URL_SAFE_NO_PAD.decode(text).map_err(|e| {
        match text.bytes().position(|b| !BASE64URL[usize::from(b)]) {
            Some(offset) => Base64Error::NotUrlAlphabet {
                offset,
                found: text
                    .get(offset..)
                    .and_then(|t| t.chars().next())
                    .unwrap_or('?'),
            },
            None => Base64Error::InvalidUrl(e),
        }
    })
}

/// Base64url without padding (JOSE).
pub fn encode_url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Standard base64, whitespace and line breaks ignored, padding optional.
pub fn decode_standard(text: &str) -> Result<Vec<u8>, Base64Error> {
    let bytes = text.as_bytes();
    // SAML messages and certificates are often wrapped: drop the whitespace, and only when there
    // is some (a vectorised search; a 10 KB SAML response is on the batch hot path).
    let wrapped = memchr::memchr3(b'\n', b'\r', b' ', bytes).is_some()
        || memchr::memchr2(b'\t', 0x0c, bytes).is_some();
    let compact: std::borrow::Cow<[u8]> = if wrapped {
        bytes
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect::<Vec<u8>>()
            .into()
    } else {
        bytes.into()
    };
    STANDARD_LENIENT_PADDING
        .decode(&compact)
        .map_err(|e| match e {
            // A byte outside the alphabet (padding in the wrong place is the generic case below).
            base64::DecodeError::InvalidByte(_, b) if b != b'=' => {
                let found = if b.is_ascii() {
                    char::from(b)
                } else {
                    // Report the whole character, not its first byte.
                    let at = text.find(|c: char| !c.is_ascii()).unwrap_or(0);
                    text.get(at..).and_then(|t| t.chars().next()).unwrap_or('?')
                };
                Base64Error::NotStandardAlphabet { found }
            }
            other => Base64Error::InvalidStandard(other),
        })
}

/// Standard base64 with padding (certificates, SAML messages).
pub fn encode_standard(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// True when `b` belongs to the base64url alphabet.
pub fn looks_like_base64url_byte(b: u8) -> bool {
    BASE64URL[usize::from(b)]
}

/// True when every byte of `text` is base64url or a dot: a compact token's alphabet. Range
/// comparisons rather than a table lookup, over 16-byte blocks with no early exit inside one,
/// so that the compiler checks a block at a time (every line of a token batch comes here).
pub fn is_compact_alphabet(text: &str) -> bool {
    let compact = |b: u8| in_url_alphabet(b) | (b == b'.');
    let mut blocks = text.as_bytes().chunks_exact(16);
    for block in &mut blocks {
        if !block.iter().fold(true, |all, &b| all & compact(b)) {
            return false;
        }
    }
    blocks.remainder().iter().all(|&b| compact(b))
}

/// True when every character could belong to base64url.
pub fn looks_like_base64url(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(looks_like_base64url_byte)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_is_strict() {
        assert_eq!(decode_url("aGk").unwrap(), b"hi");
        assert_eq!(
            decode_url("aGk=").unwrap_err(),
            Base64Error::NotUrlAlphabet {
                offset: 3,
                found: '='
            },
            "padding"
        );
        assert!(decode_url("aG k").is_err(), "whitespace");
        assert!(decode_url("aGl").is_err(), "non-canonical trailing bits");
        assert!(decode_url("a+/").is_err(), "standard alphabet");
    }

    #[test]
    fn standard_tolerates_wrapping() {
        assert_eq!(decode_standard("aG\nk=").unwrap(), b"hi");
        assert_eq!(decode_standard("aGk").unwrap(), b"hi");
        assert_eq!(
            decode_standard("aG-k").unwrap_err(),
            Base64Error::NotStandardAlphabet { found: '-' }
        );
    }

    #[test]
    fn the_compact_alphabet_is_base64url_and_dots_at_every_place() {
        // Every byte, at every offset of the 16-byte blocks and of the tail after them.
        for b in 0u8..=0xff {
            let expected = looks_like_base64url_byte(b) || b == b'.';
            for at in 0..40 {
                let mut text = vec![b'a'; 40];
                text[at] = b;
                let text = String::from_utf8_lossy(&text);
                // A byte that is not UTF-8 on its own became U+FFFD: not in the alphabet either.
                let expected = expected && b.is_ascii();
                assert_eq!(
                    is_compact_alphabet(&text),
                    expected,
                    "byte {b:#04x} at {at}"
                );
            }
        }
        assert!(is_compact_alphabet(""));
        assert!(is_compact_alphabet("eyJhbGciOiJub25lIn0.e30."));
    }

    #[test]
    fn messages_name_the_character_and_place() {
        assert_eq!(
            decode_url("ab.c").unwrap_err().to_string(),
            "character '.' at offset 2 is not base64url (A-Z a-z 0-9 - _, no padding)"
        );
        assert_eq!(
            decode_standard("aé").unwrap_err().to_string(),
            "character 'é' is not standard base64"
        );
    }
}
