//! Client assertions (`private_key_jwt`) in a replay: the captured one is never sent (its signature is the
//! client's), so replay.sh signs a fresh one with a certificate made here, in the captured assertion's
//! shape (its header and claim names, its audience, issuer and subject) and with its validity window where
//! the captured one was relative to the STS's clock.

use serde_json::{Map, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Where a fresh client certificate and its key are written, beside the configuration.
pub(crate) const CERT_FILE: &str = "client-cert.pem";
pub(crate) const KEY_FILE: &str = "client-key.pem";

/// Header parameters replay.sh can fill with the fresh certificate; others are left out.
const HEADER_NAMES: &[&str] = &["alg", "typ", "x5t", "x5t#S256", "kid", "x5c"];
/// Claims replay.sh can write; others are left out (their values are the client's).
const CLAIM_NAMES: &[&str] = &["aud", "iss", "sub", "jti", "nbf", "exp", "iat"];
/// The window a made-up assertion has (MSAL's is 10 minutes).
const DEFAULT_LIFETIME: i64 = 600;

/// A captured client assertion, reduced to what can be rebuilt without the client's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AssertionShape {
    /// The header's names, in order, that replay.sh fills.
    pub header: Vec<String>,
    /// The claims, in order: names with the value kept (`aud`, `iss`, `sub`) or `None` (made afresh).
    pub claims: Vec<(String, Option<String>)>,
    /// `nbf`, `exp`, `iat` in seconds relative to the reference time: the STS's clock when the captured
    /// request arrived (from AADSTS700024's "Current time"), else the client's own signing time.
    pub window: Vec<(String, i64)>,
    /// The same, relative to the client's signing time (`iat`, else `nbf`): a client with a correct clock.
    pub fresh_window: Vec<(String, i64)>,
    /// `window` is relative to the STS's clock (replay.sh anchors it at the mock's), else to the client's
    /// (anchored at the machine's).
    pub sts_relative: bool,
    /// What was left out or changed, for the README.
    pub notes: Vec<String>,
}

fn segment(text: &str) -> Option<Map<String, Value>> {
    let bytes = keyprobe_core::base64::decode_url(text.trim_end_matches('=')).ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// `Current time: 2024-05-28T06:01:42.5853621Z` in an AADSTS700024 text: the STS's clock, in seconds.
pub(crate) fn sts_time_in(message: &str) -> Option<i64> {
    time_after(message, "Current time: ")
}

fn time_after(message: &str, label: &str) -> Option<i64> {
    let rest = message.split_once(label)?.1;
    let end = rest.find([',', ' ', '\r', '\n']).unwrap_or(rest.len());
    let text = rest.get(..end)?.trim_end_matches('.');
    OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}

impl AssertionShape {
    /// The shape of a captured assertion; `sts_time` is the STS's clock when it arrived, if known;
    /// `client_id` is the client the request names (a client assertion's `iss` and `sub`), and
    /// `scrub` replaces user names and object ids in any other value kept.
    pub(crate) fn of(
        token: &str,
        sts_time: Option<i64>,
        client_id: Option<&str>,
        scrub: &dyn Fn(&str) -> String,
    ) -> Option<AssertionShape> {
        let mut parts = token.split('.');
        let header = segment(parts.next()?)?;
        let claims = segment(parts.next()?)?;
        let mut shape = AssertionShape {
            header: Vec::new(),
            claims: Vec::new(),
            window: Vec::new(),
            fresh_window: Vec::new(),
            sts_relative: sts_time.is_some(),
            notes: Vec::new(),
        };
        for (name, value) in &header {
            if HEADER_NAMES.contains(&name.as_str()) {
                shape.header.push(name.clone());
            } else {
                shape
                    .notes
                    .push(format!("left out: the header parameter {name}"));
            }
            if name == "alg" && value.as_str() != Some("RS256") {
                shape.notes.push(format!(
                    "signed with RS256 (the capture's alg {value} is not replayed)"
                ));
            }
        }
        if !shape.header.iter().any(|h| h == "alg") {
            shape.header.insert(0, "alg".into());
        }
        let time = |name: &str| claims.get(name).and_then(Value::as_i64);
        let client_time = time("iat").or_else(|| time("nbf"));
        let reference = sts_time.or(client_time);
        for (name, value) in &claims {
            if !CLAIM_NAMES.contains(&name.as_str()) {
                shape.notes.push(format!("left out: the claim {name}"));
                continue;
            }
            match name.as_str() {
                "iss" | "sub" => {
                    let Some(text) = value.as_str() else { continue };
                    let kept = match client_id {
                        Some(c) if !c.eq_ignore_ascii_case(text) => {
                            shape.notes.push(format!(
                                "{name} is the client id the request sends (the captured one was not)"
                            ));
                            c.to_string()
                        }
                        Some(c) => c.to_string(),
                        None => scrub(text),
                    };
                    shape.claims.push((name.clone(), Some(kept)));
                }
                "aud" => {
                    let Some(text) = value.as_str() else { continue };
                    shape.claims.push((name.clone(), Some(scrub(text))));
                }
                "jti" => shape.claims.push((name.clone(), None)),
                _ => {
                    let Some(at) = value.as_i64() else { continue };
                    shape.claims.push((name.clone(), None));
                    shape
                        .window
                        .push((name.clone(), reference.map_or(0, |r| at - r)));
                    shape
                        .fresh_window
                        .push((name.clone(), client_time.map_or(0, |c| at - c)));
                }
            }
        }
        if !shape.window.iter().any(|(n, _)| n == "exp") {
            shape.claims.push(("exp".into(), None));
            shape.window.push(("exp".into(), DEFAULT_LIFETIME));
            shape.fresh_window.push(("exp".into(), DEFAULT_LIFETIME));
        }
        Some(shape)
    }

    /// With no captured assertion (a pasted error): MSAL's shape, for `client_id` at `token_path`; an
    /// AADSTS700024 text gives the window relative to the STS's clock.
    pub(crate) fn made_up(
        client_id: &str,
        token_path: &str,
        message: Option<&str>,
    ) -> AssertionShape {
        let mut window = vec![
            ("nbf".to_string(), 0),
            ("exp".to_string(), DEFAULT_LIFETIME),
        ];
        let fresh_window = window.clone();
        let mut sts_relative = false;
        if let Some(message) = message {
            let sts = sts_time_in(message);
            let from = time_after(message, "assertion valid from ");
            let until = time_after(message, "expiry time of assertion ");
            if let (Some(sts), Some(from), Some(until)) = (sts, from, until) {
                window = vec![("nbf".into(), from - sts), ("exp".into(), until - sts)];
                sts_relative = true;
            }
        }
        AssertionShape {
            header: ["alg", "typ", "x5t"].map(String::from).to_vec(),
            claims: vec![
                (
                    "aud".into(),
                    Some(format!("https://login.microsoftonline.com{token_path}")),
                ),
                ("iss".into(), Some(client_id.to_string())),
                ("sub".into(), Some(client_id.to_string())),
                ("jti".into(), None),
                ("nbf".into(), None),
                ("exp".into(), None),
            ],
            window,
            fresh_window,
            sts_relative,
            notes: vec!["made up: the input carried no assertion, so this is MSAL's shape".into()],
        }
    }

    /// The replay.sh function `name` that prints a fresh assertion of this shape, signed with the key in
    /// the reproduction's directory, at the STS's time (`sts_now`), or with a correct client clock when
    /// `FRESH_ASSERTION` is set.
    pub(crate) fn shell_function(&self, name: &str) -> String {
        let offsets = |window: &[(String, i64)]| -> String {
            window
                .iter()
                .map(|(n, off)| format!("{n}=$((now + {off}))"))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let header: Vec<String> = self
            .header
            .iter()
            .map(|h| {
                let value = match h.as_str() {
                    "alg" => "\\\"RS256\\\"".to_string(),
                    "typ" => "\\\"JWT\\\"".to_string(),
                    "x5t" => "\\\"$(cert_digest sha1 | b64url)\\\"".to_string(),
                    "x5t#S256" => "\\\"$(cert_digest sha256 | b64url)\\\"".to_string(),
                    "kid" => {
                        "\\\"$(cert_digest sha1 | od -An -tx1 | tr -d ' \\n' | tr a-f A-F)\\\""
                            .to_string()
                    }
                    _ => "[\\\"$(cert_der | openssl base64 -A)\\\"]".to_string(),
                };
                format!("\\\"{}\\\":{value}", shell_dq(h))
            })
            .collect();
        let claims: Vec<String> = self
            .claims
            .iter()
            .map(|(n, value)| {
                let value = match (n.as_str(), value) {
                    ("aud", Some(aud)) => format!("\\\"{}\\\"", audience(aud)),
                    (_, Some(text)) => format!("\\\"{}\\\"", shell_dq(&json_inner(text))),
                    ("jti", None) => "\\\"$(fresh_guid)\\\"".to_string(),
                    (time, None) => format!("${time}"),
                };
                format!("\\\"{}\\\":{value}", shell_dq(n))
            })
            .collect();
        let locals: Vec<&str> = self.window.iter().map(|(n, _)| n.as_str()).collect();
        format!(
            "{name}() {{\n  local now {locals}\n  if [ -n \"${{FRESH_ASSERTION:-}}\" ]; then now=\"$(sts_now)\"; {fresh}; else now=\"$({anchor})\"; {captured}; fi\n  sign_jwt \"{{{header}}}\" \"{{{claims}}}\"\n}}\n",
            anchor = if self.sts_relative { "sts_now" } else { "date +%s" },
            locals = locals.join(" "),
            fresh = offsets(&self.fresh_window),
            captured = offsets(&self.window),
            header = header.join(","),
            claims = claims.join(","),
        )
    }

    /// The assertion's lifetime, for the README.
    pub(crate) fn lifetime(&self) -> Option<i64> {
        let at = |n: &str| self.fresh_window.iter().find(|(w, _)| w == n).map(|w| w.1);
        Some(at("exp")? - at("nbf").or_else(|| at("iat")).unwrap_or(0))
    }
}

/// A JSON string's inside (quotes and backslashes escaped).
fn json_inner(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    quoted
        .get(1..quoted.len().saturating_sub(1))
        .unwrap_or_default()
        .to_string()
}

/// Text inside a shell double-quoted string.
fn shell_dq(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '"' | '\\' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The token endpoint the assertion names: Entra's own host is kept (mock-sts takes it, as an app
/// configured for Entra sends it); any other host (a capture made against a mock) becomes the mock's.
fn audience(aud: &str) -> String {
    match url::Url::parse(aud) {
        Ok(u)
            if matches!(u.scheme(), "http" | "https")
                && u.host_str() != Some("login.microsoftonline.com") =>
        {
            format!("$MOCK{}", shell_dq(&json_inner(u.path())))
        }
        _ => shell_dq(&json_inner(aud)),
    }
}

/// The replay.sh helpers the assertion functions use.
pub(crate) const SHELL_HELPERS: &str = r#"# Client assertions are signed here, with the certificate and key keyprobe made (never the client's).
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
cert_der() { openssl x509 -in "$HERE/client-cert.pem" -outform DER; }
cert_digest() { cert_der | openssl dgst -"$1" -binary; }
fresh_guid() { openssl rand -hex 16 | sed -E 's/^(.{8})(.{4})(.{4})(.{4})(.{12})$/\1-\2-\3-\4-\5/'; }
# The STS's clock: the machine's, plus the hour mock-sts runs ahead in scenario expired-client-assertion.
sts_now() { echo "$(( $(date +%s) + STS_CLOCK_AHEAD ))"; }
sign_jwt() {
  local input
  input="$(printf '%s' "$1" | b64url).$(printf '%s' "$2" | b64url)"
  printf '%s.%s' "$input" "$(printf '%s' "$input" | openssl dgst -sha256 -sign "$HERE/client-key.pem" | b64url)"
}
"#;

/// A fresh self-signed certificate and its RSA key, as PEM (certificate, key), for the app's client.
pub(crate) fn fresh_certificate(
    subject: &str,
) -> Result<(String, String), openssl::error::ErrorStack> {
    use openssl::asn1::Asn1Time;
    use openssl::bn::BigNum;
    use openssl::hash::MessageDigest;
    use openssl::pkey::PKey;
    use openssl::rsa::Rsa;
    use openssl::x509::{X509Builder, X509NameBuilder};

    let key = PKey::from_rsa(Rsa::generate(2048)?)?;
    let mut name = X509NameBuilder::new()?;
    name.append_entry_by_text("CN", subject)?;
    let name = name.build();
    let mut builder = X509Builder::new()?;
    builder.set_version(2)?;
    let mut serial = BigNum::new()?;
    serial.rand(127, openssl::bn::MsbOption::MAYBE_ZERO, false)?;
    builder.set_serial_number(serial.to_asn1_integer()?.as_ref())?;
    builder.set_subject_name(&name)?;
    builder.set_issuer_name(&name)?;
    builder.set_pubkey(&key)?;
    let now = OffsetDateTime::now_utc().unix_timestamp();
    builder.set_not_before(Asn1Time::from_unix(now - 86_400)?.as_ref())?;
    builder.set_not_after(Asn1Time::from_unix(now + 365 * 86_400)?.as_ref())?;
    builder.sign(&key, MessageDigest::sha256())?;
    let cert = builder.build();
    let pem = |bytes: Vec<u8>| String::from_utf8_lossy(&bytes).into_owned();
    Ok((pem(cert.to_pem()?), pem(key.private_key_to_pem_pkcs8()?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(header: &str, claims: &str) -> String {
        format!(
            "{}.{}.c2ln",
            keyprobe_core::base64::encode_url(header.as_bytes()),
            keyprobe_core::base64::encode_url(claims.as_bytes())
        )
    }

    #[test]
    fn the_window_is_kept_relative_to_the_sts_clock() {
        let t = token(
            r#"{"alg":"RS256","typ":"JWT","x5t":"abc","foo":1}"#,
            r#"{"aud":"https://login.microsoftonline.com/t/oauth2/v2.0/token","iss":"c","sub":"c","jti":"j","nbf":1000,"exp":1600,"custom":"x"}"#,
        );
        let shape = AssertionShape::of(&t, Some(4600), Some("c"), &|v| v.to_string()).unwrap();
        assert_eq!(shape.header, ["alg", "typ", "x5t"]);
        assert_eq!(
            shape.window,
            [("nbf".to_string(), -3600), ("exp".to_string(), -3000)]
        );
        assert_eq!(
            shape.fresh_window,
            [("nbf".to_string(), 0), ("exp".to_string(), 600)]
        );
        assert!(shape.notes.iter().any(|n| n.contains("claim custom")));
        assert!(shape
            .notes
            .iter()
            .any(|n| n.contains("header parameter foo")));
        let function = shape.shell_function("assertion_1");
        assert!(
            function.contains("login.microsoftonline.com/t/oauth2/v2.0/token"),
            "{function}"
        );
        assert!(!function.contains("\"j\""), "a fresh jti: {function}");
    }

    #[test]
    fn the_sts_time_is_read_from_aadsts700024() {
        let message = "AADSTS700024: Client assertion is not within its valid time range. Current time: 2024-05-28T06:01:42.5853621Z, assertion valid from 2024-05-28T02:19:01.0000000Z, expiry time of assertion 2024-05-28T02:29:01.0000000Z. Review";
        let sts = sts_time_in(message).unwrap();
        let shape = AssertionShape::made_up("c", "/t/oauth2/v2.0/token", Some(message));
        assert_eq!(shape.window[0], ("nbf".to_string(), 1_716_862_741 - sts));
        assert_eq!(shape.window[1].1 - shape.window[0].1, 600);
    }
}
