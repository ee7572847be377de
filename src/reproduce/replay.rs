//! The captured requests to Entra's endpoints, made safe to replay against mock-sts: the tenant, path and
//! parameters kept; signatures, codes, assertions and cookies left out; secrets, state and nonces fresh;
//! user names replaced. `replay.sh` sends them with curl.

use std::io::Write;

use flate2::write::DeflateEncoder;
use serde_json::Value;

use super::assertion::AssertionShape;
use super::placeholder::{self, Placeholders};
use crate::capture::exchange::Exchange;
use crate::detect::Kind;
use crate::input::Input;
use crate::inspect::Settings;
use crate::trust::TrustStore;

/// Which Entra endpoint a request went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Saml,
    Authorize,
    Token,
}

impl Endpoint {
    /// `/{tenant}/saml2`, `/{tenant}/oauth2[/v2.0]/{authorize,token}`: the tenant segment and endpoint.
    pub(crate) fn of(url: &str) -> Option<(String, Endpoint, String)> {
        let parsed = url::Url::parse(url).ok()?;
        let segments: Vec<&str> = parsed.path_segments()?.collect();
        let endpoint = match segments.as_slice() {
            [_, "saml2"] => Endpoint::Saml,
            [_, "oauth2", "authorize"] | [_, "oauth2", "v2.0", "authorize"] => Endpoint::Authorize,
            [_, "oauth2", "token"] | [_, "oauth2", "v2.0", "token"] => Endpoint::Token,
            _ => return None,
        };
        let tenant = segments.first()?.to_string();
        Some((tenant, endpoint, parsed.path().to_string()))
    }
}

/// A parameter's value in the replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Param {
    Text(String),
    /// `$CLIENT_SECRET` in replay.sh (its default is set there).
    ClientSecret,
    /// A client assertion replay.sh signs afresh, in the captured one's shape.
    ClientAssertion(AssertionShape),
    /// `$CODE`: an authorization code replay.sh gets from the mock's /authorize just before.
    FreshCode,
    /// `$VERIFIER`: the PKCE verifier replay.sh makes for that fresh code.
    CodeVerifier,
    /// `$CHALLENGE`: the S256 challenge of `$VERIFIER`, sent to /authorize.
    CodeChallenge,
}

#[derive(Debug, Clone)]
pub(crate) struct Request {
    /// The capture's entry, or `None` for a request made up from the input's facts.
    pub entry: Option<usize>,
    pub method: String,
    pub endpoint: Endpoint,
    /// The path as captured (`/{tenant}/saml2`).
    pub path: String,
    pub query: Vec<(String, Param)>,
    pub form: Vec<(String, Param)>,
    /// What was left out or replaced, for the README.
    pub changes: Vec<String>,
    /// For an authorization-code redemption: the /authorize request replay.sh gets a fresh code with.
    pub code_from: Option<Box<Request>>,
    /// The `Origin` a browser sent (a single-page app's token request): Entra's cross-origin rules
    /// depend on it, so the replay sends it too.
    pub origin: Option<String>,
}

/// Parameters never replayed: signatures, one-time codes, assertions, session material.
const LEFT_OUT: &[(&str, &str)] = &[
    ("Signature", "the request's signature"),
    (
        "SigAlg",
        "the request's signature algorithm (the signature is left out)",
    ),
    ("refresh_token", "the refresh token"),
    ("assertion", "the assertion (on-behalf-of)"),
    ("password", "the password"),
    ("id_token_hint", "the ID token hint"),
    ("client_info", ""),
    ("sso_nonce", "the SSO nonce"),
    ("flowToken", "the sign-in flow token"),
    ("canary", "the anti-forgery canary"),
    ("ctx", "the sign-in context"),
];

/// Parameters made afresh (their value ties the request to a browser session).
const FRESH: &[&str] = &["state", "nonce", "client-request-id"];

/// Parameters that name the user.
const USER: &[&str] = &["login_hint", "username", "domain_hint_user"];

impl Request {
    /// The request of one captured exchange, if it went to an Entra endpoint.
    /// `sts_time` is the STS's clock when the failing request arrived, if its answer said (AADSTS700024).
    pub(crate) fn from_exchange(
        x: &Exchange,
        users: &Placeholders,
        trust: &TrustStore,
        settings: &Settings,
        sts_time: Option<i64>,
    ) -> Option<Request> {
        let (_, endpoint, path) = Endpoint::of(&x.url)?;
        let url = url::Url::parse(&x.url).ok()?;
        let query: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let form = if x.method.eq_ignore_ascii_case("POST") {
            x.form()
        } else {
            Vec::new()
        };
        let mut request = Request {
            entry: Some(x.index),
            method: x.method.to_ascii_uppercase(),
            endpoint,
            path,
            query: Vec::new(),
            form: Vec::new(),
            changes: Vec::new(),
            code_from: None,
            origin: None,
        };
        if endpoint == Endpoint::Token {
            request.origin = x
                .header("origin", false)
                .filter(|o| url::Url::parse(o).is_ok())
                .map(str::to_string);
            if request.origin.is_some() {
                request.note("kept: the Origin header (a single-page app redeems from the browser; Entra's cross-origin rules depend on it)");
            }
        }
        let cookies = x.header("cookie", false).is_some();
        let context = Context {
            users,
            trust,
            settings,
            sts_time,
        };
        request.query = request.params(&query, &context, false);
        request.form = request.params(&form, &context, true);
        if cookies {
            request.note("left out: the cookies (the browser's session with Entra)");
        }
        Some(request)
    }

    fn note(&mut self, what: &str) {
        if !what.is_empty() && !self.changes.iter().any(|c| c == what) {
            self.changes.push(what.to_string());
        }
    }

    fn params(
        &mut self,
        pairs: &[(String, String)],
        context: &Context<'_>,
        post: bool,
    ) -> Vec<(String, Param)> {
        let Context {
            users,
            trust,
            settings,
            sts_time,
        } = *context;
        let mut out = Vec::new();
        for (name, value) in pairs {
            if let Some((_, what)) = LEFT_OUT.iter().find(|(n, _)| n == name) {
                self.note(&format!("left out: {what}"));
                continue;
            }
            let redeeming = post && self.endpoint == Endpoint::Token;
            let param = if redeeming && name == "code" {
                self.note("replaced: the authorization code (single-use and the capture's: replay.sh first gets a fresh one from the mock's /authorize with the captured parameters, then redeems it)");
                Param::FreshCode
            } else if name == "code_verifier" && redeeming {
                self.note("replaced: the PKCE verifier (replay.sh makes one for the fresh code; /authorize gets its S256 challenge)");
                Param::CodeVerifier
            } else if name == "code" || name == "code_verifier" {
                self.note(&format!(
                    "left out: the {name} (single-use, and a credential)"
                ));
                continue;
            } else if name == "client_assertion" {
                let client = pairs
                    .iter()
                    .find(|(n, _)| n == "client_id")
                    .map(|(_, v)| v.as_str());
                let scrub = |v: &str| users.apply(v);
                match AssertionShape::of(value, sts_time, client, &scrub).filter(|_| post) {
                    Some(shape) => {
                        self.note("replaced: the client assertion (replay.sh signs a fresh one with client-key.pem, made here: the captured header and claim names, audience, issuer and subject, its validity window where the captured one was relative to the STS's clock)");
                        for note in &shape.notes {
                            self.note(&format!("client assertion: {note}"));
                        }
                        Param::ClientAssertion(shape)
                    }
                    None => {
                        self.note("left out: the client assertion (a signed credential keyprobe could not decode)");
                        continue;
                    }
                }
            } else if name == "client_secret" && !post {
                self.note("left out: a client secret sent in the URL");
                continue;
            } else if name == "client_secret" {
                self.note("replaced: the client secret (replay.sh sends $CLIENT_SECRET)");
                Param::ClientSecret
            } else if FRESH.contains(&name.as_str()) {
                self.note(&format!("made afresh: {name}"));
                Param::Text(if name == "client-request-id" {
                    placeholder::guid()
                } else {
                    placeholder::token(value.len().clamp(16, 64))
                })
            } else if USER.contains(&name.as_str()) {
                self.note(&format!("replaced: {name} (a placeholder user)"));
                Param::Text(
                    users
                        .of(value)
                        .map(str::to_string)
                        .unwrap_or_else(|| users.apply(value)),
                )
            } else if name == "SAMLRequest" {
                match authn_request(value, post, users, trust, settings) {
                    Some(rebuilt) => {
                        self.note("rebuilt: the SAMLRequest from its decoded fields (any signature left out, a subject replaced by a placeholder)");
                        Param::Text(rebuilt)
                    }
                    None => {
                        self.note("left out: a SAMLRequest keyprobe could not decode");
                        continue;
                    }
                }
            } else {
                Param::Text(users.apply(value))
            };
            out.push((name.clone(), param));
        }
        out
    }
}

/// What turning captured parameters into replayed ones needs.
#[derive(Clone, Copy)]
struct Context<'a> {
    users: &'a Placeholders,
    trust: &'a TrustStore,
    settings: &'a Settings,
    sts_time: Option<i64>,
}

fn xml_attr(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The AuthnRequest again, from what the inspect layer decoded: the same ID, issuer, reply URL, binding,
/// NameID policy and requested context; no signature, and the subject (a user) only as a placeholder.
/// Encoded for the binding it came in (Redirect: raw DEFLATE and base64; POST: base64).
fn authn_request(
    value: &str,
    post: bool,
    users: &Placeholders,
    trust: &TrustStore,
    settings: &Settings,
) -> Option<String> {
    let input = if post {
        Input::new("SAMLRequest", value.as_bytes())
    } else {
        // As a whole URL, the way the binding reads it.
        let url = format!(
            "https://replay.invalid/saml2?SAMLRequest={}",
            form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>()
        );
        Input::new("SAMLRequest", url.as_bytes())
    };
    let report = crate::inspect(&input, trust, settings);
    if report.kind != Kind::SamlAuthnRequest {
        return None;
    }
    let xml = authn_request_xml(&report.decoded.as_value(), users)?;
    if post {
        return Some(keyprobe_core::base64::encode_standard(xml.as_bytes()));
    }
    let mut encoder = DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(xml.as_bytes()).ok()?;
    let deflated = encoder.finish().ok()?;
    Some(keyprobe_core::base64::encode_standard(&deflated))
}

pub(crate) fn authn_request_xml(d: &Value, users: &Placeholders) -> Option<String> {
    let text = |name: &str| d.get(name).and_then(Value::as_str);
    let issuer = text("issuer")?;
    let mut attrs = format!(
        "ID=\"{}\" Version=\"2.0\" IssueInstant=\"{}\"",
        xml_attr(text("id").unwrap_or("_replayed")),
        xml_attr(text("issue_instant").unwrap_or("2000-01-01T00:00:00Z")),
    );
    for (name, key) in [
        ("Destination", "destination"),
        (
            "AssertionConsumerServiceURL",
            "assertion_consumer_service_url",
        ),
        ("ProtocolBinding", "protocol_binding"),
        ("ForceAuthn", "force_authn"),
        ("IsPassive", "is_passive"),
    ] {
        if let Some(v) = text(key) {
            attrs.push_str(&format!(" {name}=\"{}\"", xml_attr(v)));
        }
    }
    let mut body = format!("<saml:Issuer>{}</saml:Issuer>", xml_attr(issuer));
    if let Some(name) = text("name_id") {
        let placeholder = users
            .of(name)
            .map(str::to_string)
            .unwrap_or_else(|| users.apply(name));
        body.push_str(&format!(
            "<saml:Subject><saml:NameID>{}</saml:NameID></saml:Subject>",
            xml_attr(&placeholder)
        ));
    }
    if let Some(format) = text("name_id_policy") {
        body.push_str(&format!(
            "<samlp:NameIDPolicy Format=\"{}\"/>",
            xml_attr(format)
        ));
    }
    let classes: Vec<&str> = d
        .get("requested_authn_context")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if !classes.is_empty() {
        body.push_str("<samlp:RequestedAuthnContext>");
        for class in classes {
            body.push_str(&format!(
                "<saml:AuthnContextClassRef>{}</saml:AuthnContextClassRef>",
                xml_attr(class)
            ));
        }
        body.push_str("</samlp:RequestedAuthnContext>");
    }
    Some(format!(
        "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" {attrs}>{body}</samlp:AuthnRequest>"
    ))
}

/// A shell word: single-quoted, any single quote closed and escaped.
pub(crate) fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// A shell word, quoted only when it needs to be (a path in a command to copy).
pub(crate) fn shell_quote_if_needed(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@%".contains(c));
    if plain {
        text.to_string()
    } else {
        shell_quote(text)
    }
}

fn percent(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

impl Request {
    /// The curl arguments after `"$MOCK"`: the path and query, then `--data-urlencode` per form field.
    pub(crate) fn curl_args(&self) -> String {
        // The URL as shell words: quoted text, with `$CHALLENGE` (base64url, safe in a URL) outside quotes.
        let mut url = self.path.clone();
        let mut words = String::new();
        let mut first = true;
        for (name, value) in &self.query {
            let text = match value {
                Param::Text(v) => percent(v),
                Param::CodeChallenge => String::new(),
                _ => continue,
            };
            url.push(if first { '?' } else { '&' });
            first = false;
            url.push_str(&percent(name));
            url.push('=');
            url.push_str(&text);
            if *value == Param::CodeChallenge {
                words.push_str(&shell_quote(&url));
                words.push_str("\"$CHALLENGE\"");
                url.clear();
            }
        }
        if !url.is_empty() || words.is_empty() {
            words.push_str(&shell_quote(&url));
        }
        let mut args = format!("\"$MOCK\"{words}");
        if let Some(origin) = &self.origin {
            args.push_str(&format!(
                " -H {}",
                shell_quote(&format!("Origin: {origin}"))
            ));
        }
        if self.method == "POST" {
            if self.form.is_empty() {
                args.push_str(" -X POST");
            }
            for (name, value) in &self.form {
                match value {
                    Param::Text(v) => {
                        args.push_str(&format!(
                            " --data-urlencode {}",
                            shell_quote(&format!("{name}={v}"))
                        ));
                    }
                    Param::ClientSecret => args.push_str(&format!(
                        " --data-urlencode {}\"$CLIENT_SECRET\"",
                        shell_quote(&format!("{name}="))
                    )),
                    Param::FreshCode => args.push_str(&format!(
                        " --data-urlencode {}\"$CODE\"",
                        shell_quote(&format!("{name}="))
                    )),
                    Param::CodeVerifier => args.push_str(&format!(
                        " --data-urlencode {}\"$VERIFIER\"",
                        shell_quote(&format!("{name}="))
                    )),
                    Param::CodeChallenge => args.push_str(&format!(
                        " --data-urlencode {}\"$CHALLENGE\"",
                        shell_quote(&format!("{name}="))
                    )),
                    Param::ClientAssertion(_) => args.push_str(&format!(
                        " --data-urlencode {}\"$({})\"",
                        shell_quote(&format!("{name}=")),
                        self.assertion_function()
                    )),
                }
            }
        }
        args
    }

    /// The replay.sh function that signs this request's client assertion.
    pub(crate) fn assertion_function(&self) -> String {
        match self.entry {
            Some(entry) => format!("client_assertion_{entry}"),
            None => "client_assertion_made_up".to_string(),
        }
    }

    /// The client assertion this request sends, if any.
    pub(crate) fn assertion(&self) -> Option<&AssertionShape> {
        self.form.iter().find_map(|(_, v)| match v {
            Param::ClientAssertion(shape) => Some(shape),
            _ => None,
        })
    }

    /// How the request is named in replay.sh's output.
    pub(crate) fn label(&self) -> String {
        match self.entry {
            Some(entry) => format!("#{entry} {} {}", self.method, self.path),
            None => format!("(made up) {} {}", self.method, self.path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_by_path() {
        let (tenant, endpoint, path) =
            Endpoint::of("https://login.microsoftonline.com/contoso.com/oauth2/v2.0/token")
                .unwrap();
        assert_eq!(tenant, "contoso.com");
        assert_eq!(endpoint, Endpoint::Token);
        assert_eq!(path, "/contoso.com/oauth2/v2.0/token");
        assert!(
            Endpoint::of("https://login.microsoftonline.com/common/discovery/instance").is_none()
        );
    }

    #[test]
    fn shell_words_survive_quotes() {
        assert_eq!(shell_quote("a'b"), "'a'\\''b'");
    }
}
