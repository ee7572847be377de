//! The one clock every time check uses (`--at`), and how times are shown to people.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A time that is neither RFC 3339 nor Unix seconds.
#[derive(Debug, Clone, thiserror::Error)]
#[error("'{text}' is neither RFC 3339 (2026-01-31T12:00:00Z) nor Unix seconds: {source}")]
pub struct InstantError {
    /// The text as given (trimmed).
    pub text: String,
    pub source: time::error::Parse,
}

/// The instant checks are made at, with the leeway allowed for token lifetimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    now: i64,
    leeway: i64,
}

impl Clock {
    /// A fixed instant (`--at`), for reproducible checks.
    pub fn at(unix_seconds: i64, leeway_seconds: i64) -> Self {
        Clock {
            now: unix_seconds,
            leeway: leeway_seconds.max(0),
        }
    }

    /// The machine's current time.
    pub fn system(leeway_seconds: i64) -> Self {
        Clock::at(OffsetDateTime::now_utc().unix_timestamp(), leeway_seconds)
    }

    /// The instant, in Unix seconds.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// The clock skew allowed on token lifetimes, in seconds.
    pub fn leeway(&self) -> i64 {
        self.leeway
    }

    /// Parses `--at`: RFC 3339 or Unix seconds.
    pub fn parse_instant(text: &str) -> Result<i64, InstantError> {
        let text = text.trim();
        if let Ok(secs) = text.parse::<i64>() {
            return Ok(secs);
        }
        OffsetDateTime::parse(text, &Rfc3339)
            .map(|t| t.unix_timestamp())
            .map_err(|source| InstantError {
                text: text.to_string(),
                source,
            })
    }

    /// "3 h ago" / "in 2 days", relative to this clock.
    pub fn relative(&self, t: i64) -> String {
        relative_between(self.now, t)
    }
}

/// RFC 3339 in UTC, or the raw number when it is out of the representable range.
pub fn rfc3339(t: i64) -> String {
    let mut out = String::with_capacity(20);
    push_rfc3339(&mut out, t);
    out
}

/// Appends [`rfc3339`] to `out`.
fn push_rfc3339(out: &mut String, t: i64) {
    // Whole seconds in UTC are all tokens and certificates carry; this is on the batch hot path,
    // so format directly (Howard Hinnant's civil-from-days) instead of through a general formatter.
    const MAX: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
    const MIN: i64 = -62_167_219_200; // 0000-01-01T00:00:00Z
    if !(MIN..=MAX).contains(&t) {
        out.push_str(&format!("{t} (out of range)"));
        return;
    }
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // Every field is in range here (year 0..=9999), so each is a fixed number of digits,
    // written into one fixed-size buffer and appended once (three times a token in a batch).
    let two = |n: i64| {
        let n = n.rem_euclid(100) as u8;
        [b'0' + n / 10, b'0' + n % 10]
    };
    let [y1, y2] = two(year / 100);
    let [y3, y4] = two(year);
    let [mo1, mo2] = two(month);
    let [d1, d2] = two(day);
    let [h1, h2] = two(secs / 3600);
    let [mi1, mi2] = two(secs % 3600 / 60);
    let [s1, s2] = two(secs % 60);
    let text = [
        y1, y2, y3, y4, b'-', mo1, mo2, b'-', d1, d2, b'T', h1, h2, b':', mi1, mi2, b':', s1, s2,
        b'Z',
    ];
    // Only ASCII digits and separators were written.
    out.push_str(std::str::from_utf8(&text).unwrap_or_default());
}

/// A timestamp the way people read it: `2026-01-31T12:00:00Z (3 h ago)`.
pub(crate) fn describe(clock: &Clock, t: i64) -> String {
    let mut out = String::with_capacity(40);
    push_rfc3339(&mut out, t);
    out.push_str(" (");
    push_relative(&mut out, clock.now, t);
    out.push(')');
    out
}

pub(crate) fn relative_between(now: i64, t: i64) -> String {
    let mut out = String::with_capacity(16);
    push_relative(&mut out, now, t);
    out
}

/// `in 3 h`, `3 h ago` or `now`, written straight into `out` (three per token in a batch).
fn push_relative(out: &mut String, now: i64, t: i64) {
    let delta = t.saturating_sub(now);
    if delta == 0 {
        out.push_str("now");
    } else if delta > 0 {
        out.push_str("in ");
        push_span(out, delta.unsigned_abs());
    } else {
        push_span(out, delta.unsigned_abs());
        out.push_str(" ago");
    }
}

/// A duration rounded to its largest sensible unit: `45 s`, `12 min`, `3 h`, `5 days`, `2 years`.
pub(crate) fn human_span(secs: u64) -> String {
    let mut out = String::with_capacity(12);
    push_span(&mut out, secs);
    out
}

fn push_span(out: &mut String, secs: u64) {
    const MIN: u64 = 60;
    const HOUR: u64 = 60 * MIN;
    const DAY: u64 = 24 * HOUR;
    const YEAR: u64 = 365 * DAY;
    let (n, unit, plural) = match secs {
        s if s < MIN => (s, "s", false),
        s if s < HOUR => (s / MIN, "min", false),
        s if s < 2 * DAY => (s / HOUR, "h", false),
        s if s < 2 * YEAR => (s / DAY, "day", true),
        s => (s / YEAR, "year", true),
    };
    out.push_str(itoa::Buffer::new().format(n));
    out.push(' ');
    out.push_str(unit);
    if plural && n != 1 {
        out.push('s');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`human_span`] as first written, through the formatter.
    fn human_span_formatted(secs: u64) -> String {
        const MIN: u64 = 60;
        const HOUR: u64 = 60 * MIN;
        const DAY: u64 = 24 * HOUR;
        const YEAR: u64 = 365 * DAY;
        let plural = |n: u64, unit: &str| {
            if n == 1 {
                format!("1 {unit}")
            } else {
                format!("{n} {unit}s")
            }
        };
        match secs {
            s if s < MIN => format!("{s} s"),
            s if s < HOUR => format!("{} min", s / MIN),
            s if s < 2 * DAY => format!("{} h", s / HOUR),
            s if s < 2 * YEAR => plural(s / DAY, "day"),
            s => plural(s / YEAR, "year"),
        }
    }

    #[test]
    fn spans_read_as_the_formatter_wrote_them() {
        let edges = [
            0,
            1,
            59,
            60,
            3599,
            3600,
            172_799,
            172_800,
            86_400 * 730,
            u64::MAX,
        ];
        let steps = (0..400_000u64)
            .step_by(97)
            .chain((0..200).map(|y| y * 31_536_000 + 5));
        for secs in edges.into_iter().chain(steps) {
            assert_eq!(human_span(secs), human_span_formatted(secs), "{secs}");
        }
        assert_eq!(relative_between(100, 100), "now");
        assert_eq!(relative_between(100, 3700), "in 1 h");
        assert_eq!(relative_between(3700, 100), "1 h ago");
        assert_eq!(
            relative_between(i64::MIN, i64::MAX),
            format!("in {}", human_span_formatted(i64::MAX as u64))
        );
    }

    #[test]
    fn parses_both_forms() {
        assert_eq!(Clock::parse_instant("0").unwrap(), 0);
        assert_eq!(
            Clock::parse_instant("2026-01-01T00:00:00Z").unwrap(),
            1_767_225_600
        );
        assert!(Clock::parse_instant("yesterday").is_err());
    }

    #[test]
    fn rfc3339_matches_the_general_formatter() {
        for t in [
            0,
            1,
            59,
            86_399,
            951_782_400,
            1_767_225_600,
            1_780_315_200,
            -1,
            -86_401,
            253_402_300_799,
            -62_167_219_200,
            4_107_542_400,
        ] {
            let expected = OffsetDateTime::from_unix_timestamp(t)
                .unwrap()
                .format(&Rfc3339)
                .unwrap();
            assert_eq!(rfc3339(t), expected, "{t}");
        }
        assert!(rfc3339(i64::MAX).contains("out of range"));
    }

    proptest::proptest! {
        #[test]
        fn rfc3339_matches_the_general_formatter_anywhere(t in -62_167_219_200i64..=253_402_300_799) {
            let expected = OffsetDateTime::from_unix_timestamp(t).unwrap().format(&Rfc3339).unwrap();
            proptest::prop_assert_eq!(rfc3339(t), expected);
        }
    }

    #[test]
    fn relative_wording() {
        assert_eq!(relative_between(1000, 1000 - 3 * 3600), "3 h ago");
        assert_eq!(relative_between(0, 5 * 86400), "in 5 days");
        assert_eq!(relative_between(0, 1), "in 1 s");
    }
}
