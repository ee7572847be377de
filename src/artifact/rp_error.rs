//! A relying party's error: a log line or exception text printed by the library that validated a
//! token or SAML message (IdentityModel, MSAL, PyJWT, jose, Spring/Nimbus, passport, the SAML
//! toolkits). What it is and what it names come from the one confirmed message table
//! ([`crate::catalogue::library_messages`]); this module only keeps the reading and puts the
//! times it names on the clock's footing.

use time::macros::format_description;
use time::{PrimitiveDateTime, Time};

use crate::catalogue::library_messages::{recognise, Family, LibraryMessage, Reading};
use crate::clock::Clock;

/// A recognised library error.
#[derive(Debug, Clone)]
pub(crate) struct RpError {
    /// The row the text reads best as.
    pub message: &'static LibraryMessage,
    pub reading: Reading,
    /// Other rows the text reads as just as well (the same code in other versions, or the same
    /// words in another library).
    pub also: Vec<&'static LibraryMessage>,
    /// The artifact family the error was printed for.
    pub family: Family,
}

impl RpError {
    /// The text as a library's error, if it is one.
    pub(crate) fn recognise(text: &str) -> Option<RpError> {
        let mut found = recognise(text).into_iter();
        let (message, reading) = found.next()?;
        let also = found
            .filter(|(_, r)| r.matched == reading.matched)
            .map(|(m, _)| m)
            .collect();
        Some(RpError {
            message,
            family: family(message, text),
            reading,
            also,
        })
    }

    /// The value the text gives a named placeholder, unless the library hid it.
    pub(crate) fn value(&self, name: &str) -> Option<&str> {
        self.reading
            .values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !is_hidden(v))
    }

    /// Placeholders whose value the library hid (IdentityModel without ShowPII).
    pub(crate) fn hidden(&self) -> Vec<&'static str> {
        self.reading
            .values
            .iter()
            .filter(|(_, v)| is_hidden(v))
            .map(|(n, _)| *n)
            .collect()
    }

    /// A time the text names, as Unix seconds when its format is known.
    pub(crate) fn time(&self, name: &str) -> Option<i64> {
        self.value(name).and_then(parse_logged_time)
    }
}

/// Members structured loggers put the message in (bunyan and pino `msg`, Serilog `@m`, most
/// others `message`).
const LOG_MESSAGE_MEMBERS: [&str; 4] = ["msg", "message", "@m", "Message"];

/// The message of a structured log record (one JSON object per line), when it is a library's
/// error.
pub(crate) fn in_log_record(object: &serde_json::Map<String, serde_json::Value>) -> Option<&str> {
    LOG_MESSAGE_MEMBERS
        .iter()
        .filter_map(|m| object.get(*m).and_then(serde_json::Value::as_str))
        .find(|text| RpError::recognise(text).is_some())
}

/// IdentityModel replaces personal data with `[PII of type '…' is hidden. …]` unless ShowPII is on.
fn is_hidden(value: &str) -> bool {
    value.trim_start().starts_with("[PII")
}

/// The family a message was printed for: its only one, or, for messages both tokens and SAML
/// can carry, SAML when the text speaks of it.
fn family(message: &LibraryMessage, text: &str) -> Family {
    let speaks_saml = ["saml", "assertion", "<samlp:"]
        .iter()
        .any(|w| text.to_ascii_lowercase().contains(w));
    if speaks_saml && message.applies_to.contains(&Family::Saml) {
        return Family::Saml;
    }
    message.applies_to.first().copied().unwrap_or(Family::Token)
}

/// A time as relying parties print it: RFC 3339 (Java's `Instant`), `2024-05-28 06:01:42 UTC`
/// (Ruby), `2024-05-28 06:01:42 +0000 UTC` (Go), `5/28/2024 6:01:42 AM` or `05/28/2024 06:01:42`
/// (.NET's `DateTime` in the en-US or invariant culture, in UTC where IdentityModel prints it).
pub(crate) fn parse_logged_time(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(t) = Clock::parse_instant(text) {
        return Some(t);
    }
    // Go and Ruby: a date, a time with optional fraction, and a UTC zone.
    let utc = text
        .strip_suffix(" +0000 UTC")
        .or_else(|| text.strip_suffix(" UTC"))
        .or_else(|| text.strip_suffix(" +0000"))
        .or_else(|| text.strip_suffix('Z'));
    if let Some(rest) = utc {
        let whole = rest.split('.').next().unwrap_or(rest);
        let iso = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
        if let Ok(t) = PrimitiveDateTime::parse(whole, iso) {
            return Some(t.assume_utc().unix_timestamp());
        }
    }
    us_date_time(text)
}

/// `M/D/YYYY h:mm:ss AM` or `MM/DD/YYYY HH:mm:ss`.
fn us_date_time(text: &str) -> Option<i64> {
    let mut parts = text.split_whitespace();
    let date = parts.next()?;
    let clock = parts.next()?;
    let period = parts.next();
    if parts.next().is_some() {
        return None;
    }
    let mut d = date.split('/').map(|p| p.parse::<u16>().ok());
    let (month, day, year) = (d.next()??, d.next()??, d.next()??);
    let mut c = clock
        .split(':')
        .map(|p| p.split('.').next().and_then(|p| p.parse::<u8>().ok()));
    let (mut hour, minute, second) = (c.next()??, c.next()??, c.next()??);
    match period.map(str::to_ascii_uppercase).as_deref() {
        None => {}
        Some("AM") if (1..=12).contains(&hour) => hour %= 12,
        Some("PM") if (1..=12).contains(&hour) => hour = hour % 12 + 12,
        Some(_) => return None,
    }
    let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date =
        time::Date::from_calendar_date(i32::from(year), month, u8::try_from(day).ok()?).ok()?;
    let t = Time::from_hms(hour, minute, second).ok()?;
    Some(
        PrimitiveDateTime::new(date, t)
            .assume_utc()
            .unix_timestamp(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_as_libraries_print_them() {
        let t = 1_716_876_102; // 2024-05-28T06:01:42Z
        for text in [
            "2024-05-28T06:01:42Z",
            "2024-05-28T06:01:42.000Z",
            "2024-05-28 06:01:42 UTC",
            "2024-05-28 06:01:42.123456789 +0000 UTC",
            "5/28/2024 6:01:42 AM",
            "05/28/2024 06:01:42",
        ] {
            assert_eq!(parse_logged_time(text), Some(t), "{text}");
        }
        assert_eq!(
            parse_logged_time("5/28/2024 6:01:42 PM"),
            Some(t + 12 * 3600)
        );
        assert_eq!(
            parse_logged_time("5/28/2024 12:01:42 AM"),
            Some(t - 6 * 3600)
        );
        for bad in [
            "yesterday",
            "13/40/2024 1:00:00",
            "5/28/2024 13:00:00 PM",
            "",
        ] {
            assert_eq!(parse_logged_time(bad), None, "{bad}");
        }
    }
}
