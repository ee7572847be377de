//! Small helpers shared by the protocol handlers: Entra's time formats, identifiers, HTML escaping.

use keyprobe_core::base64::encode_url;
use openssl::hash::{hash, MessageDigest};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::OffsetDateTime;

/// `2016-01-09 02:02:12Z`: the `timestamp` field and trailer of token-endpoint errors.
const ERROR_TIMESTAMP: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day] [hour]:[minute]:[second]Z");
/// `2022-04-29T22:14:59Z`: the timestamp on the sign-in error page.
const PAGE_TIMESTAMP: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
/// `2024-05-28T06:01:42.5853621Z`: the seven-digit times inside AADSTS700024.
const TICKS_TIMESTAMP: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:7]Z");

/// `06/29/2021 21:13:15`: a key credential's dates inside AADSTS700027 ("Found key 'Start=…, End=…'").
const KEY_DATE: &[FormatItem<'static>] =
    format_description!("[month]/[day]/[year] [hour]:[minute]:[second]");

fn format_utc(at: OffsetDateTime, format: &[FormatItem<'static>]) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(format)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

pub(crate) fn error_timestamp(at: OffsetDateTime) -> String {
    format_utc(at, ERROR_TIMESTAMP)
}

pub(crate) fn page_timestamp(at: OffsetDateTime) -> String {
    format_utc(at, PAGE_TIMESTAMP)
}

pub(crate) fn ticks_timestamp(at: OffsetDateTime) -> String {
    format_utc(at, TICKS_TIMESTAMP)
}

pub(crate) fn key_date(at: OffsetDateTime) -> String {
    format_utc(at, KEY_DATE)
}

/// Unix seconds as a time, clamped to the years `time` can represent (0000 to 9999).
pub(crate) fn from_unix(seconds: i64) -> OffsetDateTime {
    const LATEST: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
    const EARLIEST: i64 = -62_167_219_200; // 0000-01-01T00:00:00Z
    OffsetDateTime::from_unix_timestamp(seconds.clamp(EARLIEST, LATEST))
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

pub(crate) fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc()
}

pub(crate) fn new_guid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A stable GUID derived from a name, so that object ids and pairwise subjects stay the same across runs:
/// the first 16 bytes of SHA-1("{namespace}\n{name}") with the version-5 bits set.
///
/// Not `Uuid::new_v5`, which hashes a namespace UUID's bytes before the name: it would change every
/// object id, `oid`/`sub` and `keyId` the mock has handed out so far, which users pin in their tests.
pub(crate) fn derived_guid(namespace: &str, name: &str) -> String {
    // Through `hash`, which initialises OpenSSL (without an exit-time cleanup) like every other call the
    // mock makes: `openssl::sha::sha1` would not, and this may run first.
    let digest = hash(
        MessageDigest::sha1(),
        format!("{namespace}\n{name}").as_bytes(),
    )
    .map(|d| d.to_vec())
    .unwrap_or_default();
    let bytes = digest.first_chunk::<16>().copied().unwrap_or_default();
    uuid::Builder::from_sha1_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// Random bytes as base64url: authorization codes, refresh tokens, `aio`/`uti` values.
pub(crate) fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    if openssl::rand::rand_bytes(&mut buf).is_err() {
        // rand_bytes only fails when the RNG cannot be seeded; a v4 UUID still gives unguessable bytes.
        let fallback = uuid::Uuid::new_v4();
        return encode_url(fallback.as_bytes());
    }
    encode_url(&buf)
}

pub(crate) fn is_guid(text: &str) -> bool {
    uuid::Uuid::try_parse(text).is_ok() && text.len() == 36
}

/// Escape for an HTML text node: quotes stay as they are, so the page source reads like the page.
pub(crate) fn html_text_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Escape for an HTML attribute value or anywhere else.
pub(crate) fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn entra_time_formats() {
        let at = datetime!(2016-01-09 02:02:12.5853621 UTC);
        assert_eq!(error_timestamp(at), "2016-01-09 02:02:12Z");
        assert_eq!(page_timestamp(at), "2016-01-09T02:02:12Z");
        assert_eq!(ticks_timestamp(at), "2016-01-09T02:02:12.5853621Z");
    }

    #[test]
    fn any_unix_time_converts_without_panicking() {
        assert_eq!(from_unix(0), OffsetDateTime::UNIX_EPOCH);
        assert_eq!(from_unix(i64::MAX).year(), 9999);
        assert_eq!(from_unix(i64::MIN).year(), 0);
    }

    #[test]
    fn derived_guids_are_stable_and_distinct() {
        // Alice's object id in the embedded configuration, as every version so far has given it.
        assert_eq!(
            derived_guid(
                "mock-sts user 7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b",
                "alice@contoso.onmicrosoft.com"
            ),
            "297a3b30-1ace-52a8-b015-72aab8713c70"
        );
        assert_eq!(derived_guid("a", "b"), derived_guid("a", "b"));
        assert_ne!(derived_guid("a", "b"), derived_guid("a", "c"));
        assert!(is_guid(&derived_guid("a", "b")));
    }
}
