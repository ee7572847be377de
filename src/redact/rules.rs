//! What `keyprobe redact` removes, by name and by shape. The lists cover what Google's HAR
//! sanitizer (its word list and content types), Cloudflare's (JWT signatures) and Microsoft's Dev
//! Proxy HAR writer (its sensitive headers) remove, plus Entra's own sign-in fields.

use std::collections::BTreeMap;

/// What was removed, by category, for the summary on stderr.
#[derive(Debug, Default)]
pub struct Summary(
    /// Category name to how many were removed.
    pub BTreeMap<&'static str, usize>,
);

impl Summary {
    /// Counts one removal of `what`.
    pub fn add(&mut self, what: &'static str) {
        *self.0.entry(what).or_default() += 1;
    }
}

/// What to do with a named value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Keep,
    /// Remove the value, counted under this category.
    Remove(&'static str),
    /// A JWT: keep header and claims, remove the signature.
    JwtSignature,
    /// A SAML message: keep the XML, remove its signature values.
    SamlSignature,
}

/// Headers whose values are removed (Microsoft Dev Proxy's list, plus Google's `x-client-data`).
const HEADERS: &[(&str, &str)] = &[
    ("authorization", "Authorization headers"),
    ("proxy-authorization", "Authorization headers"),
    ("cookie", "cookies"),
    ("set-cookie", "cookies"),
    ("www-authenticate", "other credentials"),
    ("proxy-authenticate", "other credentials"),
    ("x-api-key", "other credentials"),
    ("x-auth-token", "other credentials"),
    ("x-csrf-token", "other credentials"),
    ("x-xsrf-token", "other credentials"),
    ("x-session-token", "other credentials"),
    ("x-client-data", "other credentials"),
    ("x-forwarded-for", "personal data"),
    ("x-real-ip", "personal data"),
    ("from", "personal data"),
];

/// Parameters (query, fragment, form, JSON members, hidden inputs) by name.
pub(crate) fn param(name: &str) -> Action {
    let n = name.to_ascii_lowercase();
    match n.as_str() {
        "password" | "passwd" | "pwd" | "new_password" | "current_password" => {
            Action::Remove("passwords")
        }
        "client_secret" | "secret" | "secrettext" => Action::Remove("client secrets"),
        "code" => Action::Remove("authorization codes"),
        "refresh_token" => Action::Remove("refresh tokens"),
        "id_token" | "access_token" | "client_assertion" | "assertion" | "logout_token"
        | "token" => Action::JwtSignature,
        "samlresponse" | "samlrequest" | "wresult" => Action::SamlSignature,
        "signature" | "samlart" | "code_verifier" | "code_challenge" | "state" | "canary"
        | "apicanary" | "flowtoken" | "sft" | "sftteml" | "ctx" | "authenticity_token"
        | "challenge" | "hpgrequestid" | "x-client-data" | "session_state" => {
            Action::Remove("other credentials")
        }
        "email" | "login_hint" | "loginfmt" | "login" | "username" | "upn" => {
            Action::Remove("personal data")
        }
        _ => Action::Keep,
    }
}

pub(crate) fn header(name: &str) -> Action {
    let n = name.to_ascii_lowercase();
    HEADERS
        .iter()
        .find(|(h, _)| *h == n)
        .map(|(_, what)| Action::Remove(what))
        .unwrap_or(Action::Keep)
}

/// Response bodies dropped by content type (Google's list: scripts, styles; plus binary types).
pub(crate) fn drops_body(mime: &str) -> bool {
    let m = mime.to_ascii_lowercase();
    m.contains("javascript")
        || m.contains("css")
        || m.starts_with("image/")
        || m.starts_with("font/")
        || m.starts_with("audio/")
        || m.starts_with("video/")
        || m.contains("octet-stream")
        || m.contains("wasm")
}

pub(crate) const REMOVED: &str = "[removed by keyprobe redact]";
