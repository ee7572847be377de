//! Redacting values inside strings: URLs (query and fragment), form bodies, JWTs wherever they
//! appear, SAML messages (signature values removed, still decodable), header lines of a log.

use std::io::{Read, Write};
use std::sync::OnceLock;

use regex::Regex;

use super::rules::{self, Action, Summary, REMOVED};
use crate::codec::base64;

// The patterns below are constants: a test compiling them proves they cannot fail at run time.

#[allow(clippy::expect_used)]
fn signature_value_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(<(?:[A-Za-z0-9_-]+:)?SignatureValue[^>]*>)[^<]*(</(?:[A-Za-z0-9_-]+:)?SignatureValue>)")
            .expect("a constant pattern, compiled by the unit tests")
    })
}

#[allow(clippy::expect_used)]
fn log_pair_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"(?i)\b(password|passwd|client_secret|code|refresh_token|SAMLResponse|SAMLRequest|state|email|login_hint|Signature)(=|"\s*:\s*")([^&\s"',;]+)"#)
            .expect("a constant pattern, compiled by the unit tests")
    })
}

#[allow(clippy::expect_used)]
fn jwt_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]*\.)([A-Za-z0-9_-]{16,})")
            .expect("a constant pattern, compiled by the unit tests")
    })
}

/// Removes every JWT signature in `text`, keeping header and claims.
pub(crate) fn jwt_signatures(text: &str, s: &mut Summary) -> String {
    jwt_re()
        .replace_all(text, |c: &regex::Captures<'_>| {
            s.add("JWT signatures");
            format!("{}signature-removed-by-keyprobe-redact", &c[1])
        })
        .into_owned()
}

/// A named value, redacted by its name's rule.
pub(crate) fn value(name: &str, v: &str, s: &mut Summary) -> String {
    value_with(rules::param(name), v, s)
}

/// A value redacted by a rule decided elsewhere (a header's, a parameter's).
pub(crate) fn value_with(action: Action, v: &str, s: &mut Summary) -> String {
    match action {
        Action::Keep => jwt_signatures(v, s),
        Action::Remove(what) => {
            if v.is_empty() {
                return String::new();
            }
            s.add(what);
            REMOVED.to_string()
        }
        Action::JwtSignature => jwt_signatures(v, s),
        Action::SamlSignature => saml(v, s),
    }
}

/// A SAML message (base64, or raw DEFLATE + base64): its `SignatureValue`s emptied, re-encoded
/// the same way, so that it still decodes and reads (and no longer verifies).
pub(crate) fn saml(v: &str, s: &mut Summary) -> String {
    let compact: String = v.chars().filter(|c| !c.is_whitespace()).collect();
    let Ok(bytes) = base64::decode_standard(&compact) else {
        s.add("SAML messages (not decodable, removed)");
        return REMOVED.to_string();
    };
    let (xml, deflated) = match String::from_utf8(bytes.clone()) {
        Ok(x) if x.trim_start().starts_with('<') => (x, false),
        _ => {
            let mut out = String::new();
            let inflated = flate2::read::DeflateDecoder::new(&bytes[..])
                .take(crate::limits::MAX_SAML_XML_BYTES as u64)
                .read_to_string(&mut out);
            if inflated.is_err() {
                s.add("SAML messages (not decodable, removed)");
                return REMOVED.to_string();
            }
            (out, true)
        }
    };
    let re = signature_value_re();
    let mut n = 0;
    let cleaned = re.replace_all(&xml, |c: &regex::Captures<'_>| {
        n += 1;
        format!("{}removed-by-keyprobe-redact{}", &c[1], &c[2])
    });
    for _ in 0..n {
        s.add("SAML signatures");
    }
    if deflated {
        let mut enc =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = enc.write_all(cleaned.as_bytes());
        base64::encode_standard(&enc.finish().unwrap_or_default())
    } else {
        base64::encode_standard(cleaned.as_bytes())
    }
}

/// A form body or query string (`a=1&b=2`): each pair by its name's rule.
pub(crate) fn form(body: &str, s: &mut Summary) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(body.as_bytes()) {
        out.append_pair(&k, &value(&k, &v, s));
    }
    out.finish()
}

/// A URL: user info, query and fragment redacted; `None` when `text` is not a URL.
pub(crate) fn url(text: &str, s: &mut Summary) -> Option<String> {
    let mut u = url::Url::parse(text).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    if u.password().is_some() {
        s.add("passwords");
        let _ = u.set_password(None);
    }
    if let Some(q) = u.query().map(str::to_string) {
        u.set_query(Some(&form(&q, s)));
    }
    if let Some(f) = u.fragment().map(str::to_string) {
        if f.contains('=') {
            u.set_fragment(Some(&form(&f, s)));
        }
    }
    Some(u.to_string())
}

/// Any string: a URL, a form body, or text whose JWTs lose their signatures.
pub(crate) fn any(text: &str, s: &mut Summary) -> String {
    if let Some(u) = url(text.trim(), s) {
        return u;
    }
    jwt_signatures(text, s)
}

/// A log: header lines and `name=value` pairs by their rules, JWT signatures removed.
pub(crate) fn log(text: &str, s: &mut Summary) -> String {
    let pair = log_pair_re();
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let header = trimmed
            .split_once(':')
            .filter(|(name, _)| !name.contains(' ') && !name.is_empty())
            .map(|(name, _)| rules::header(name));
        if let Some(Action::Remove(what)) = header {
            let name_end = line.find(':').unwrap_or(0);
            s.add(what);
            out.push_str(&line[..=name_end]);
            out.push(' ');
            out.push_str(REMOVED);
            if line.ends_with('\n') {
                out.push('\n');
            }
            continue;
        }
        let replaced = pair.replace_all(line, |c: &regex::Captures<'_>| {
            let v = value(&c[1], &c[3], s);
            format!("{}{}{}", &c[1], &c[2], v)
        });
        out.push_str(&jwt_signatures(&replaced, s));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_constant_patterns_compile() {
        super::jwt_re();
        super::signature_value_re();
        super::log_pair_re();
    }
}
