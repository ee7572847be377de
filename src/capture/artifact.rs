//! Recognising an artifact by where it travels: a named parameter (query, fragment, form body,
//! hidden input) or a response body. Tokens and SAML messages are inspected; credentials that
//! are not for keyprobe to read (codes, secrets, passwords, refresh tokens) are noted, never shown.

use serde_json::{Map, Value};

use crate::detect::{detect, Detected};
use crate::input::Input;
use crate::inspect::{inspect, Settings};
use crate::report::Report;
use crate::trust::TrustStore;

/// What was found at one place.
pub(crate) enum Found {
    Report(Report),
    /// A credential or fact noted without being inspected: `authorization code (not shown)`.
    Note(String),
}

/// Parameters carrying a JWT.
const JWT_PARAMS: &[&str] = &[
    "id_token",
    "access_token",
    "client_assertion",
    "assertion",
    "logout_token",
    "request",
];

/// The artifact a named parameter carries, if any.
pub(crate) fn param(
    location: &str,
    name: &str,
    value: &str,
    trust: &TrustStore,
    settings: &Settings,
) -> Option<Found> {
    let lower = name.to_ascii_lowercase();
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let report = |bytes: &str| {
        Found::Report(inspect(
            &Input::new(location, bytes.as_bytes()),
            trust,
            settings,
        ))
    };
    match lower.as_str() {
        "samlresponse" | "samlrequest" => {
            // The binding decoder wants the parameter's name to read a form body or URL value.
            Some(report(&format!(
                "{name}={}",
                form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>()
            )))
        }
        n if JWT_PARAMS.contains(&n) => match detect(value.as_bytes()) {
            Detected::Compact { .. } | Detected::BadCompact { .. } | Detected::Damaged { .. } => {
                Some(report(value))
            }
            _ => None,
        },
        "code" => Some(Found::Note(
            "an authorization code (not shown: it redeems for tokens)".into(),
        )),
        "refresh_token" => Some(Found::Note(
            "a refresh token (not shown: it redeems for tokens)".into(),
        )),
        "client_secret" => Some(Found::Note(
            "a client secret (not shown: it is the app's password)".into(),
        )),
        "password" | "passwd" => Some(Found::Note("a password (not shown)".into())),
        _ => None,
    }
}

/// An OAuth error in parameters (`error`, `error_description`: a redirect back to the app).
pub(crate) fn oauth_error(
    location: &str,
    params: &[(String, String)],
    trust: &TrustStore,
    settings: &Settings,
) -> Option<Found> {
    let get = |k: &str| {
        params
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| Value::String(v.clone()))
    };
    let error = get("error")?;
    let mut body = Map::new();
    body.insert("error".into(), error);
    body.insert(
        "error_description".into(),
        get("error_description").unwrap_or(Value::String(String::new())),
    );
    for k in [
        "error_uri",
        "correlation_id",
        "trace_id",
        "timestamp",
        "error_codes",
    ] {
        if let Some(v) = get(k) {
            body.insert(k.into(), v);
        }
    }
    let text = Value::Object(body).to_string();
    Some(Found::Report(inspect(
        &Input::new(location, text.into_bytes()),
        trust,
        settings,
    )))
}

/// A response body: JSON (tokens, an OAuth error, discovery, key sets), XML (metadata, SAML) or a
/// page; each artifact with where it was and, when it came from a named value, that value.
pub(crate) fn body(
    location: &str,
    mime: &str,
    text: &str,
    trust: &TrustStore,
    settings: &Settings,
) -> Vec<(String, Found, Option<String>)> {
    let t = text.trim_start_matches('\u{feff}').trim();
    if t.is_empty() {
        return Vec::new();
    }
    if t.starts_with('{') {
        return json_body(location, t, trust, settings);
    }
    if super::html::looks_like_html(t) || mime.contains("html") {
        return super::page::read(location, t, trust, settings).found;
    }
    if t.starts_with('<') && (mime.contains("xml") || t.contains("urn:oasis:names:tc:SAML")) {
        return vec![(
            location.to_string(),
            Found::Report(inspect(
                &Input::new(location, t.as_bytes()),
                trust,
                settings,
            )),
            None,
        )];
    }
    Vec::new()
}

fn json_body(
    location: &str,
    text: &str,
    trust: &TrustStore,
    settings: &Settings,
) -> Vec<(String, Found, Option<String>)> {
    let Ok(object) = crate::codec::json::parse_object(text.as_bytes()) else {
        return Vec::new();
    };
    if super::token_response::is_token_response(&object) {
        let mut out = Vec::new();
        for (name, value) in &object {
            let Some(v) = value.as_str() else { continue };
            let at = format!("{location}.{name}");
            if let Some(found) = param(&at, name, v, trust, settings) {
                out.push((at, found, Some(v.to_string())));
            }
        }
        return out;
    }
    use crate::detect::{classify_json, Kind};
    match classify_json(&object) {
        Kind::StsError | Kind::Jwks | Kind::Jwk | Kind::OidcDiscovery => vec![(
            location.to_string(),
            Found::Report(inspect(
                &Input::new(location, text.as_bytes()),
                trust,
                settings,
            )),
            None,
        )],
        _ => Vec::new(),
    }
}
