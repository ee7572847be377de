//! A pasted URL that carries a credential (a redirect copied from the address bar or a log:
//! `#id_token=…`, `?code=…`, `?SAMLResponse=…`, names in any case) is decoded, never fetched:
//! fetching it would hand the credential to its host, or replay the sign-in.

use serde_json::json;

use super::artifact::{param, Found};
use crate::catalogue::FindingCode;
use crate::detect::Kind;
use crate::inspect::Settings;
use crate::report::{Finding, Report};
use crate::trust::TrustStore;

/// Parameters that carry a credential, lowercased (OAuth 2.0, OIDC, SAML 2.0 bindings, WS-Fed).
const CREDENTIAL_PARAMS: &[&str] = &[
    "id_token",
    "access_token",
    "refresh_token",
    "code",
    "logout_token",
    "client_assertion",
    "assertion",
    "client_secret",
    "password",
    "samlrequest",
    "samlresponse",
    "samlart",
    "wresult",
];

/// Where in the URL a parameter was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Query,
    Fragment,
}

impl Place {
    fn name(self) -> &'static str {
        match self {
            Place::Query => "query",
            Place::Fragment => "fragment",
        }
    }
}

fn is_http(text: &str) -> bool {
    let head = text.get(..8).unwrap_or(text).to_ascii_lowercase();
    head.starts_with("http://") || head.starts_with("https://")
}

/// The query and fragment parameters of an http(s) URL, names percent-decoded as a server reads
/// them; `None` when the text is no such URL.
fn params(text: &str) -> Option<Vec<(Place, String, String)>> {
    let url = url::Url::parse(text).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let mut out: Vec<(Place, String, String)> = url
        .query_pairs()
        .map(|(k, v)| (Place::Query, k.into_owned(), v.into_owned()))
        .collect();
    if let Some(fragment) = url.fragment() {
        out.extend(
            form_urlencoded::parse(fragment.as_bytes())
                .map(|(k, v)| (Place::Fragment, k.into_owned(), v.into_owned())),
        );
    }
    Some(out)
}

fn is_credential(name: &str) -> bool {
    CREDENTIAL_PARAMS.contains(&name.to_ascii_lowercase().as_str())
}

/// True for an http(s) URL with a credential in its query or fragment. A URL that does not parse
/// but names one is treated the same (it is never fetched either).
pub(crate) fn carries_credentials(text: &str) -> bool {
    credential_param(text).is_some()
}

/// The name of the first credential parameter an http(s) URL carries, as written.
pub(crate) fn credential_param(text: &str) -> Option<String> {
    let text = text.trim();
    if !is_http(text) {
        return None;
    }
    match params(text) {
        Some(found) => found
            .into_iter()
            .find(|(_, name, _)| is_credential(name))
            .map(|(_, name, _)| name),
        None => {
            let lower = text.to_ascii_lowercase();
            CREDENTIAL_PARAMS
                .iter()
                .find(|p| lower.contains(&format!("{p}=")))
                .map(|p| (*p).to_string())
        }
    }
}

/// One report per artifact the URL carries, in order (`argument 1#fragment.id_token`); a URL whose
/// credentials keyprobe cannot read (an authorization code) gets one report saying so. `None` when
/// the text is no credential-carrying URL, or a SAML URL in the binding's own spelling, which the
/// SAML decoder reads whole (its redirect signature included).
pub(crate) fn inspect(
    label: &str,
    text: &str,
    trust: &TrustStore,
    settings: &Settings,
) -> Option<Vec<Report>> {
    if !carries_credentials(text) || text.contains("SAMLRequest=") || text.contains("SAMLResponse=")
    {
        return None;
    }
    let found = params(text.trim())?;
    let mut reports = Vec::new();
    let mut notes = Vec::new();
    for (place, name, value) in found {
        let location = format!("{label}#{}.{name}", place.name());
        match param(&location, &name, &value, trust, settings) {
            Some(Found::Report(r)) => reports.push(r),
            Some(Found::Note(n)) => notes.push(n),
            None if is_credential(&name) => notes.push(format!("a '{name}' parameter (not shown)")),
            None => {}
        }
    }
    if reports.is_empty() {
        let finding = Finding::new(
            FindingCode::SignatureNotChecked,
            format!(
                "the URL carries {}, which keyprobe cannot check; it was decoded here and not fetched",
                notes.join(", ")
            ),
        )
        .with_hint(
            "a code is redeemed by the app's back end: inspect the tokens it got instead (the token \
             response, or a HAR of the sign-in)",
        );
        reports.push(Report::new(
            label,
            Kind::Unknown,
            vec![finding],
            json!({"url_carries": notes, "fetched": false}),
        ));
    }
    Some(reports)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_any_case_query_or_fragment() {
        for url in [
            "https://app.example/cb#id_token=eyJ",
            "https://app.example/cb?ID_TOKEN=eyJ",
            "HTTPS://app.example/cb?Access_Token=x",
            "https://app.example/cb?state=1&code=abc",
            "https://app.example/cb#Code=abc",
            "https://idp.example/sso?samlrequest=fZ",
            "https://idp.example/sso?SAMLart=AAQ",
            "https://app.example/cb?%69d_token=eyJ",
        ] {
            assert!(carries_credentials(url), "{url}");
        }
        for url in [
            "https://login.microsoftonline.com/common/discovery/v2.0/keys",
            "https://app.example/cb?codes=1&mode=code",
            "eyJhbGciOiJub25lIn0.e30.",
        ] {
            assert!(!carries_credentials(url), "{url}");
        }
    }
}
