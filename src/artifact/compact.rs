//! A compact token is recognised by its header, whatever happened to the rest. A token cut by a
//! log, padded with `=`, written in the standard base64 alphabet, wrapped over lines or carrying an
//! unencoded payload is still a token: it is named by its header (`jwe` only when the header has
//! `enc`) and what is wrong with it is listed with where it is, never passed over as `unknown`.

use std::cell::RefCell;
use std::collections::VecDeque;

use keyprobe_core::base64::{is_compact_alphabet, looks_like_base64url_byte};

use crate::artifact::jose::JoseHeader;
use crate::artifact::recent::{recall, remember, Recent};
use crate::limits::MAX_TOKEN_BYTES;

/// A JOSE header is a few hundred bytes; one with an `x5c` chain a few kilobytes.
const MAX_HEADER_SEGMENT_BYTES: usize = 64 * 1024;

/// What a compact token is, by its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Jws,
    Jwe,
}

impl TokenKind {
    fn segments(self) -> usize {
        match self {
            TokenKind::Jws => 3,
            TokenKind::Jwe => 5,
        }
    }
}

/// Where in the token: the segment (from 1) and the character offset in the whole token (from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spot {
    pub segment: usize,
    pub offset: usize,
}

/// One way a token was damaged between its issuer and keyprobe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Damage {
    /// Shortened by a log or a console: `…` or a run of three dots.
    CutByLog { at: Spot, marker: &'static str },
    /// `=` padding, which base64url in JOSE never has (RFC 7515 §2).
    Padding { at: Spot },
    /// `+` or `/`: standard base64, not base64url.
    StandardAlphabet { at: Spot, found: char },
    /// A space, tab or line break inside the token.
    Whitespace { at: Spot },
    /// Any other character no base64url has.
    Foreign { at: Spot, found: char },
    /// The header says `b64: false` (RFC 7797): the payload is raw bytes, which a JWT's never is.
    UnencodedPayload,
    /// The header names the kind, and the token has another number of segments.
    SegmentCount { kind: TokenKind, found: usize },
    /// Longer than keyprobe decodes.
    Oversize { bytes: usize, limit: usize },
}

/// A token whose header decodes but whose body does not; `header` is `None` only when the cut
/// fell inside the header itself.
#[derive(Debug, Clone)]
pub struct DamagedToken {
    pub kind: TokenKind,
    pub header: Option<JoseHeader>,
    pub damage: Vec<Damage>,
}

/// What recognition found.
#[derive(Debug)]
pub(crate) enum Recognised {
    /// Well formed: decode it strictly. Every character is base64url or a dot, so `header` is
    /// the first segment decoded as strictly as [`JoseHeader::decode`] does (nothing repaired).
    Intact {
        kind: TokenKind,
        header: Box<JoseHeader>,
    },
    Damaged(Box<DamagedToken>),
}

/// Recognises `text` (already stripped of `Bearer `, quotes and surrounding whitespace) as a
/// compact token when its first segment decodes to a JOSE header, however the rest looks.
pub(crate) fn recognise(text: &str) -> Option<Recognised> {
    if !text.starts_with("ey") {
        return None;
    }
    let first_end = first_segment_end(text)
        .unwrap_or(text.len())
        .min(MAX_HEADER_SEGMENT_BYTES + 1);
    let first = text.get(..first_end)?;
    let Some(header) = lenient_header(first) else {
        // A token cut inside its header: `eyJhbGciOiJSUzI1NiIs…`.
        let at = cut_marker(text)?;
        return Some(Recognised::Damaged(Box::new(DamagedToken {
            kind: TokenKind::Jws,
            header: None,
            damage: vec![at],
        })));
    };
    let kind = if header.enc.is_some() {
        TokenKind::Jwe
    } else {
        TokenKind::Jws
    };
    if text.len() > MAX_TOKEN_BYTES {
        let damage = vec![Damage::Oversize {
            bytes: text.len(),
            limit: MAX_TOKEN_BYTES,
        }];
        return Some(Recognised::Damaged(Box::new(DamagedToken {
            kind,
            header: Some(header),
            damage,
        })));
    }
    let unencoded = kind == TokenKind::Jws && header.b64 == Some(false);
    // The common case, in one pass: nothing for `scan` to report and the right segment count.
    if !unencoded && plain_dots(text).is_some_and(|dots| dots + 1 == kind.segments()) {
        return Some(Recognised::Intact {
            kind,
            header: Box::new(header),
        });
    }
    let mut damage = scan(text, unencoded);
    if unencoded {
        damage.push(Damage::UnencodedPayload);
    }
    let cut = damage.iter().any(|d| matches!(d, Damage::CutByLog { .. }));
    let found = text.split('.').count();
    if !cut && found != kind.segments() {
        damage.push(Damage::SegmentCount { kind, found });
    }
    Some(if damage.is_empty() {
        Recognised::Intact {
            kind,
            header: Box::new(header),
        }
    } else {
        Recognised::Damaged(Box::new(DamagedToken {
            kind,
            header: Some(header),
            damage,
        }))
    })
}

/// Where the first segment ends: at the first `.`, or at a `…` a log left where it cut the
/// token. `str::find` with two chars decodes every char; this looks for their first bytes.
fn first_segment_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    const ELLIPSIS: &[u8] = "…".as_bytes(); // E2 80 A6
    memchr::memchr2_iter(b'.', 0xE2, bytes).find(|&i| {
        bytes.get(i) == Some(&b'.')
            || bytes
                .get(i..)
                .is_some_and(|rest| rest.starts_with(ELLIPSIS))
    })
}

/// Decodes a header segment as it may have been mangled: whitespace dropped, padding dropped,
/// the standard alphabet mapped to base64url. What was mangled is reported by [`scan`].
fn lenient_header(segment: &str) -> Option<JoseHeader> {
    if segment.len() > MAX_HEADER_SEGMENT_BYTES {
        return None;
    }
    // Most headers need no repair: decode them where they are.
    let repaired: std::borrow::Cow<str> = if segment.bytes().all(looks_like_base64url_byte) {
        segment.into()
    } else {
        segment
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '=')
            .map(|c| match c {
                '+' => '-',
                '/' => '_',
                c => c,
            })
            .collect::<String>()
            .into()
    };
    let header = decode_header(&repaired)?;
    (header.alg.is_some() || header.enc.is_some()).then_some(header)
}

/// Header segments recently decoded on this thread. A batch of tokens from one issuer repeats
/// a handful of headers (one per signing key); decoding is deterministic, so the same segment
/// gives the same header.
const RECENT_HEADERS: usize = 4;

thread_local! {
    static RECENT: Recent<(String, JoseHeader)> = const { RefCell::new(VecDeque::new()) };
}

/// [`JoseHeader::decode`], from [`RECENT`] when the segment was decoded before.
fn decode_header(segment: &str) -> Option<JoseHeader> {
    if let Some(header) = recall(&RECENT, |(s, h)| (s == segment).then(|| h.clone())) {
        return Some(header);
    }
    let header = JoseHeader::decode(segment).ok()?;
    remember(
        &RECENT,
        (segment.to_string(), header.clone()),
        RECENT_HEADERS,
    );
    Some(header)
}

/// A cut marker anywhere in a token-looking text, for tokens cut inside their header.
fn cut_marker(text: &str) -> Option<Damage> {
    let clean = text
        .bytes()
        .all(|b| looks_like_base64url_byte(b) || b == b'.' || !b.is_ascii());
    if !clean {
        return None;
    }
    scan(text, false)
        .into_iter()
        .find(|d| matches!(d, Damage::CutByLog { .. }))
}

/// The number of dots when `text` is base64url and dots with no run of three (the shape of an
/// intact token, where [`scan`] finds nothing); `None` when anything else is in it. Whole-text
/// passes (the alphabet branch-free, the dots vectorised) rather than a branch per byte.
fn plain_dots(text: &str) -> Option<usize> {
    if !is_compact_alphabet(text) {
        return None;
    }
    // One vectorised pass over the dots (a token has two or four) finds both their number and
    // any run of three.
    let (mut dots, mut run, mut next) = (0, 0, None);
    for at in memchr::memchr_iter(b'.', text.as_bytes()) {
        run = if next == Some(at) { run + 1 } else { 1 };
        if run == 3 {
            return None;
        }
        next = Some(at + 1);
        dots += 1;
    }
    Some(dots)
}

/// The first damage of each sort, in the order met. The payload segment of an unencoded JWS is
/// raw bytes and not scanned.
fn scan(text: &str, unencoded: bool) -> Vec<Damage> {
    // An intact token (the common case) is base64url and single dots only: nothing to report,
    // and no need to walk it character by character.
    if plain_dots(text).is_some() {
        return Vec::new();
    }
    let mut out: Vec<Damage> = Vec::new();
    let seen = |d: Damage, out: &mut Vec<Damage>| {
        if !out
            .iter()
            .any(|o| std::mem::discriminant(o) == std::mem::discriminant(&d))
        {
            out.push(d);
        }
    };
    let mut segment = 1;
    let mut dots = 0;
    for (offset, (_, c)) in text.char_indices().enumerate() {
        let at = Spot { segment, offset };
        if c == '.' {
            dots += 1;
            if dots == 3 {
                let at = Spot {
                    segment: segment - 2,
                    offset: offset - 2,
                };
                seen(Damage::CutByLog { at, marker: "..." }, &mut out);
            }
            segment += 1;
            continue;
        }
        dots = 0;
        if unencoded && segment == 2 {
            continue;
        }
        match c {
            '…' => seen(Damage::CutByLog { at, marker: "…" }, &mut out),
            '=' => seen(Damage::Padding { at }, &mut out),
            '+' | '/' => seen(Damage::StandardAlphabet { at, found: c }, &mut out),
            c if c.is_whitespace() => seen(Damage::Whitespace { at }, &mut out),
            c if c.is_ascii() && looks_like_base64url_byte(c as u8) => {}
            c => seen(Damage::Foreign { at, found: c }, &mut out),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`plain_dots`] as first written: a branch per byte.
    fn plain_dots_by_byte(text: &str) -> Option<usize> {
        let (mut dots, mut run) = (0, 0);
        for b in text.bytes() {
            if b == b'.' {
                dots += 1;
                run += 1;
                if run == 3 {
                    return None;
                }
            } else if looks_like_base64url_byte(b) {
                run = 0;
            } else {
                return None;
            }
        }
        Some(dots)
    }

    proptest::proptest! {
        #[test]
        fn plain_dots_reads_as_byte_by_byte(text in "[a-zA-Z0-9_.=+/ …-]{0,24}") {
            proptest::prop_assert_eq!(plain_dots(&text), plain_dots_by_byte(&text));
        }

        #[test]
        fn first_segment_ends_where_find_says(text in "[a-z.…‥⁂€\u{2000}-\u{20ff}]{0,24}") {
            proptest::prop_assert_eq!(first_segment_end(&text), text.find(['.', '…']));
        }
    }

    #[test]
    fn a_remembered_header_is_the_header_decoded_afresh() {
        use keyprobe_core::base64::encode_url;
        // More distinct headers than are kept, twice over: hits, misses and evictions.
        let segments: Vec<String> = (0..RECENT_HEADERS + 2)
            .map(|i| encode_url(format!(r#"{{"alg":"RS256","kid":"k{i}"}}"#).as_bytes()))
            .collect();
        for _ in 0..2 {
            for segment in segments.iter().chain(segments.iter().rev()) {
                let fresh = JoseHeader::decode(segment).unwrap();
                let kept = decode_header(segment).unwrap();
                assert_eq!(kept.raw, fresh.raw);
                assert_eq!(kept.kid, fresh.kid);
            }
        }
        assert!(decode_header("eyJub3QganNvbg").is_none());
    }

    // {"alg":"RS256"} and {"alg":"RSA-OAEP","enc":"A128GCM"}
    const JWS_HEADER: &str = "eyJhbGciOiJSUzI1NiJ9";
    const JWE_HEADER: &str = "eyJhbGciOiJSU0EtT0FFUCIsImVuYyI6IkExMjhHQ00ifQ";

    fn damage(text: &str) -> Vec<Damage> {
        match recognise(text) {
            Some(Recognised::Damaged(d)) => d.damage,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn intact_tokens_are_named_by_their_header() {
        assert!(matches!(
            recognise(&format!("{JWS_HEADER}.e30.c2ln")),
            Some(Recognised::Intact {
                kind: TokenKind::Jws,
                ..
            })
        ));
        assert!(matches!(
            recognise(&format!("{JWE_HEADER}.a.b.c.d")),
            Some(Recognised::Intact {
                kind: TokenKind::Jwe,
                ..
            })
        ));
        assert!(recognise("eyJub3QiOiJhIGhlYWRlciJ9.e30.c2ln").is_none());
        assert!(recognise("hello.world.x").is_none());
    }

    #[test]
    fn an_intact_token_carries_its_strictly_decoded_header() {
        let Some(Recognised::Intact { header, .. }) = recognise(&format!("{JWS_HEADER}..c2ln"))
        else {
            panic!("an empty payload segment is intact");
        };
        assert_eq!(header.raw, JoseHeader::decode(JWS_HEADER).unwrap().raw);
        assert_eq!(plain_dots(&format!("{JWS_HEADER}.e30.c2ln")), Some(2));
        assert_eq!(plain_dots(&format!("{JWS_HEADER}.e30...")), None);
        assert_eq!(plain_dots(&format!("{JWS_HEADER}.e3 0.c2ln")), None);
        assert!(matches!(
            recognise(&format!("{JWS_HEADER}.e30.c2ln.x")),
            Some(Recognised::Damaged(_))
        ));
    }

    #[test]
    fn each_damage_says_where() {
        let cut = damage(&format!("{JWS_HEADER}.e30..."));
        assert_eq!(
            cut,
            vec![Damage::CutByLog {
                at: Spot {
                    segment: 2,
                    offset: 24
                },
                marker: "..."
            }]
        );
        assert!(matches!(
            damage(&format!("{JWS_HEADER}.eyJhIjox…"))[..],
            [Damage::CutByLog { marker: "…", .. }]
        ));
        assert!(matches!(
            damage(&format!("{JWS_HEADER}=.e30.c2ln"))[..],
            [Damage::Padding {
                at: Spot { segment: 1, .. }
            }]
        ));
        assert!(matches!(
            damage(&format!("{JWS_HEADER}.e30.c2+/"))[..],
            [Damage::StandardAlphabet {
                at: Spot { segment: 3, .. },
                found: '+'
            }]
        ));
        assert!(matches!(
            damage(&format!("{JWS_HEADER}.e3\n0.c2ln"))[..],
            [Damage::Whitespace { .. }]
        ));
        assert!(matches!(
            damage("eyJhbGciOiJSUzI1NiIsImI2NCI6ZmFsc2V9.{\"a\":1}.c2ln")[..],
            [Damage::UnencodedPayload]
        ));
        assert!(matches!(
            damage(&format!("{JWE_HEADER}.a.b"))[..],
            [Damage::SegmentCount {
                kind: TokenKind::Jwe,
                found: 3
            }]
        ));
        assert!(matches!(
            damage("eyJhbGciOiJSUzI1Ni…")[..],
            [Damage::CutByLog { .. }]
        ));
    }
}
