//! Test harness: a mock-sts started in-process on port 0, and a small blocking HTTP client over real
//! loopback sockets.
#![allow(dead_code)]

use std::path::PathBuf;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use mock_sts::LoadedConfig;
use mock_sts::{BackgroundServer, Options, RunningServer, Scenario, Server};
use serde_json::Value;

pub const TENANT: &str = "7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b";
pub const WEB_APP: &str = "4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8";
pub const WEB_SECRET: &str = "mock~Secret.ForTests_0123456789abcdefghijkl";
pub const PUBLIC_APP: &str = "9b2c3d4e-6f70-4182-93a4-b5c6d7e8f901";
pub const SAML_APP: &str = "c3d4e5f6-0718-4293-a4b5-c6d7e8f90a1b";
pub const ALICE: &str = "alice@contoso.onmicrosoft.com";

/// Keys are kept here across tests so only the first test pays for RSA key generation.
pub fn state_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("mock-sts-state")
}

pub fn shared_samples() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/entra-samples");
    assert!(
        dir.is_dir(),
        "the Entra captures are expected at {}",
        dir.display()
    );
    dir
}

pub fn sample_json(name: &str) -> Value {
    let path = shared_samples().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub struct Mock {
    pub server: Option<BackgroundServer>,
    pub base: String,
    agent: ureq::Agent,
}

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Mock {
    pub fn start() -> Self {
        Self::with(Options::default())
    }

    pub fn with_config(toml: &str) -> Self {
        let config = LoadedConfig::parse(toml, "test config", None).expect("test config is valid");
        Self::with(Options {
            config: Some(config),
            ..Options::default()
        })
    }

    pub fn with_scenario(scenario: Scenario) -> Self {
        Self::with(Options {
            scenario,
            ..Options::default()
        })
    }

    pub fn with(mut options: Options) -> Self {
        if options.state_dir.is_none() {
            options.state_dir = Some(state_dir());
        }
        if options.config.is_none() {
            options.config = Some(LoadedConfig::embedded_default().unwrap());
        }
        let server = Server::start_blocking(options).expect("server starts");
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0);
        if let Some(ca) = server.ca_pem_path() {
            let pem = std::fs::read(ca).unwrap();
            let cert = ureq::tls::Certificate::from_pem(&pem).unwrap().to_owned();
            config = config.tls_config(
                ureq::tls::TlsConfig::builder()
                    .provider(ureq::tls::TlsProvider::NativeTls)
                    .root_certs(ureq::tls::RootCerts::new_with_certs(&[cert]))
                    .build(),
            );
        }
        let agent: ureq::Agent = config.build().into();
        Self {
            base: server.base_url().to_string(),
            server: Some(server),
            agent,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn reply(response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Reply {
        let mut response = response.expect("request completes");
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    v.to_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        Reply {
            status,
            headers,
            text,
        }
    }

    pub fn get(&self, path: &str) -> Reply {
        Self::reply(self.agent.get(self.url(path)).call())
    }

    pub fn get_with(&self, path: &str, header: (&str, &str)) -> Reply {
        Self::reply(
            self.agent
                .get(self.url(path))
                .header(header.0, header.1)
                .call(),
        )
    }

    pub fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        Self::reply(
            self.agent
                .post(self.url(path))
                .send_form(form.iter().copied()),
        )
    }

    pub fn post_form_with(&self, path: &str, header: (&str, &str), form: &[(&str, &str)]) -> Reply {
        Self::reply(
            self.agent
                .post(self.url(path))
                .header(header.0, header.1)
                .send_form(form.iter().copied()),
        )
    }

    pub fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
        Self::reply(
            self.agent
                .post(self.url(path))
                .header("content-type", content_type)
                .send(&body[..]),
        )
    }

    pub fn post_json(&self, path: &str, body: &Value) -> Reply {
        Self::reply(self.agent.post(self.url(path)).send_json(body))
    }

    /// A control-API DELETE (with the `X-Mock-STS` header a state change needs).
    pub fn delete(&self, path: &str) -> Reply {
        Self::reply(
            self.agent
                .delete(self.url(path))
                .header("X-Mock-STS", "test")
                .call(),
        )
    }

    pub fn put_json(&self, path: &str, body: &Value) -> Reply {
        Self::reply(self.agent.put(self.url(path)).send_json(body))
    }

    pub fn server(&self) -> &RunningServer {
        self.server.as_ref().unwrap()
    }

    /// A client-credentials token for the default web app, via the v2 endpoint.
    pub fn client_credentials(&self) -> Reply {
        let scope = format!("api://{WEB_APP}/.default");
        self.post_form(
            &format!("/{TENANT}/oauth2/v2.0/token"),
            &[
                ("grant_type", "client_credentials"),
                ("client_id", WEB_APP),
                ("client_secret", WEB_SECRET),
                ("scope", &scope),
            ],
        )
    }

    pub fn stop(mut self) {
        if let Some(server) = self.server.take() {
            server.shutdown();
        }
    }
}

/// Header and claims of a compact JWT, without verifying it.
pub fn jwt_parts(token: &str) -> (Value, Value) {
    let mut parts = token.split('.');
    let mut next = || -> Value {
        let segment = parts.next().expect("segment");
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(segment).expect("base64url")).expect("json")
    };
    let header = next();
    let claims = next();
    (header, claims)
}

pub fn member_names(value: &Value) -> Vec<String> {
    value.as_object().expect("object").keys().cloned().collect()
}

/// Verify an RS256 JWT against the JWK with its `kid` in `jwks`; `None` when no key has that kid.
pub fn verify_with_jwks(token: &str, jwks: &Value) -> Option<bool> {
    use openssl::bn::BigNum;
    use openssl::hash::MessageDigest;
    use openssl::pkey::PKey;
    use openssl::rsa::Rsa;
    use openssl::sign::Verifier;
    let (header, _) = jwt_parts(token);
    let kid = header["kid"].as_str()?;
    let jwk = jwks["keys"].as_array()?.iter().find(|k| k["kid"] == kid)?;
    let number = |name: &str| {
        BigNum::from_slice(&URL_SAFE_NO_PAD.decode(jwk[name].as_str().unwrap()).unwrap()).unwrap()
    };
    let key =
        PKey::from_rsa(Rsa::from_public_components(number("n"), number("e")).unwrap()).unwrap();
    let (signing_input, signature) = token.rsplit_once('.').unwrap();
    let mut verifier = Verifier::new(MessageDigest::sha256(), &key).unwrap();
    verifier.update(signing_input.as_bytes()).unwrap();
    Some(
        verifier
            .verify(&URL_SAFE_NO_PAD.decode(signature).unwrap())
            .unwrap(),
    )
}

/// The shape every token-endpoint error must have: Entra's members in Entra's order, the trailer, the
/// timestamp format, the error_uri.
pub fn assert_entra_error(reply: &Reply, status: u16, error: &str, code: u32) {
    assert_eq!(reply.status, status, "{}", reply.text);
    let body = reply.json();
    let reference = sample_json("errors/real-invalid_client-7000215-v1-endpoint-2020.json");
    assert_eq!(
        member_names(&body),
        member_names(&reference),
        "member order as in Entra's capture"
    );
    assert_eq!(body["error"], error, "{}", reply.text);
    assert_eq!(body["error_codes"], serde_json::json!([code]));
    let description = body["error_description"].as_str().unwrap();
    assert!(
        description.starts_with(&format!("AADSTS{code}: ")),
        "{description}"
    );
    let timestamp = body["timestamp"].as_str().unwrap();
    assert!(is_error_timestamp(timestamp), "timestamp {timestamp}");
    let trailer = format!(
        "\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}",
        body["trace_id"].as_str().unwrap(),
        body["correlation_id"].as_str().unwrap(),
        timestamp
    );
    assert!(description.ends_with(&trailer), "{description:?}");
    assert_eq!(
        body["error_uri"],
        format!("https://login.microsoftonline.com/error?code={code}")
    );
    assert_eq!(reply.header("cache-control"), Some("no-store, no-cache"));
    assert_eq!(reply.header("pragma"), Some("no-cache"));
    assert_eq!(reply.header("x-ms-request-id"), body["trace_id"].as_str());
}

/// The heading of Entra's sign-in error page; a page without it is some other page.
pub const ERROR_PAGE_HEADING: &str = "Sorry, but we\u{2019}re having trouble signing you in.";

/// The reply is Entra's sign-in error page (its heading; callers check the lines they need).
pub fn assert_is_error_page(reply: &Reply) {
    assert!(reply.text.contains(ERROR_PAGE_HEADING), "{}", reply.text);
}

/// `2016-01-09 02:02:12Z`.
pub fn is_error_timestamp(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b' '
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z'
        && [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
            .iter()
            .all(|&i| b[i].is_ascii_digit())
}

pub fn query_of(location: &str, separator: char) -> Vec<(String, String)> {
    let query = location
        .split_once(separator)
        .map(|(_, q)| q)
        .unwrap_or_default();
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}
