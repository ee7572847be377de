//! `keyprobe reproduce`, round trip: a sign-in recorded against mock-sts in a failure scenario (written as
//! a HAR 1.2 capture, the way a browser's devtools or a proxy saves one), fed to `keyprobe reproduce`; a
//! fresh mock-sts started from the written configuration (loaded by mock-sts's own parser) and the printed
//! scenario; `replay.sh` gives the same failure; `fix.sh` (the documented fix) makes the replay succeed.
//! And nothing secret or personal from the capture is in what was written.
//!
//! The captures here are made with an HTTP client. The failures a browser meets (SAML sign-in, /authorize,
//! a single-page app's token request and the key set it checks the tokens with) are also recorded by
//! Debian's Chromium in tests/browser/reproduce.test.mjs; those of a server's own credentials (client
//! secrets and client assertions at the token endpoint: expired-client-secret, client-cert-not-uploaded,
//! expired-client-cert, expired-client-assertion, a wrong secret in healthy) are recorded here only: no
//! browser sends them, in real life neither.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::keyprobe;
use mock_sts::LoadedConfig;
use mock_sts::{BackgroundServer, Options, Scenario};
use serde_json::{json, Value};

const SAML_ENTITY: &str = "https://sp.contoso.example/saml";
const SAML_ACS: &str = "https://sp.contoso.example/saml/acs";
const WEB_APP: &str = "4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8";
const WEB_SECRET: &str = "mock~Secret.ForTests_0123456789abcdefghijkl";
const USER: &str = "alice@contoso.onmicrosoft.com";
const COOKIE: &str = "ESTSAUTHPERSISTENT=0.AXkAsecret-session-cookie-value";

fn work_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("reproduce-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn start(config: Option<LoadedConfig>, scenario: Scenario, state: &Path) -> BackgroundServer {
    mock_sts::Server::start_blocking(Options {
        config,
        scenario,
        state_dir: Some(state.to_path_buf()),
        ..Options::default()
    })
    .unwrap()
}

/// An HTTP client that records each exchange as a HAR 1.2 entry.
struct Recorder {
    agent: ureq::Agent,
    entries: Vec<Value>,
}

fn pairs(items: &[(&str, &str)]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect(),
    )
}

impl Recorder {
    fn new() -> Recorder {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        Recorder {
            agent,
            entries: Vec::new(),
        }
    }

    fn send(&mut self, method: &str, url: &str, form: Option<&[(&str, &str)]>) -> (u16, String) {
        let headers = [("Cookie", COOKIE), ("Accept", "text/html,application/json")];
        let body = form.map(|f| {
            f.iter()
                .map(|(n, v)| {
                    format!(
                        "{}={}",
                        n,
                        form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
                    )
                })
                .collect::<Vec<_>>()
                .join("&")
        });
        let mut response = match &body {
            Some(b) => self
                .agent
                .post(url)
                .header("Cookie", COOKIE)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .send(b.as_str())
                .unwrap(),
            None => self.agent.get(url).header("Cookie", COOKIE).call().unwrap(),
        };
        let status = response.status().as_u16();
        let response_headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let text = response.body_mut().read_to_string().unwrap();
        let mime = response_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let location = response_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("location"))
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let query: Vec<(String, String)> = url::Url::parse(url)
            .unwrap()
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let mut request = json!({
            "method": method,
            "url": url,
            "httpVersion": "HTTP/1.1",
            "headers": pairs(&headers),
            "queryString": query.iter().map(|(n, v)| json!({"name": n, "value": v})).collect::<Vec<_>>(),
            "cookies": [],
            "headersSize": -1,
            "bodySize": body.as_ref().map_or(0, String::len),
        });
        if let (Some(body), Some(form)) = (&body, form) {
            request["postData"] = json!({
                "mimeType": "application/x-www-form-urlencoded",
                "text": body,
                "params": pairs(form),
            });
        }
        self.entries.push(json!({
            "startedDateTime": "2026-11-30T12:00:00.000Z",
            "time": 1,
            "request": request,
            "response": {
                "status": status,
                "statusText": "",
                "httpVersion": "HTTP/1.1",
                "headers": response_headers.iter().map(|(n, v)| json!({"name": n, "value": v})).collect::<Vec<_>>(),
                "cookies": [],
                "content": {"size": text.len(), "mimeType": mime, "text": text},
                "redirectURL": location,
                "headersSize": -1,
                "bodySize": text.len(),
            },
            "cache": {},
            "timings": {"send": 0, "wait": 1, "receive": 0},
        }));
        (status, text)
    }

    /// The `code` of the last answer's redirect.
    fn last_code(&self) -> String {
        let location = self.entries.last().unwrap()["response"]["redirectURL"]
            .as_str()
            .unwrap()
            .to_string();
        url::Url::parse(&location)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "code")
            .unwrap_or_else(|| panic!("no code in {location}"))
            .1
            .into_owned()
    }

    /// The values a form field had in the requests recorded.
    fn form_values(&self, name: &str) -> Vec<String> {
        let mut values = Vec::new();
        for entry in &self.entries {
            for param in entry["request"]["postData"]["params"]
                .as_array()
                .into_iter()
                .flatten()
            {
                if param["name"] == name {
                    values.push(param["value"].as_str().unwrap().to_string());
                }
            }
        }
        values
    }

    fn har(&self) -> String {
        serde_json::to_string_pretty(&json!({
            "log": {
                "version": "1.2",
                "creator": {"name": "keyprobe tests/reproduce.rs", "version": "1"},
                "entries": self.entries,
            }
        }))
        .unwrap()
    }
}

/// What a service provider sends: an AuthnRequest over the HTTP-Redirect binding, with a user hint.
fn saml_sign_in(base: &str, tenant: &str) -> String {
    use std::io::Write;
    let request = format!(
        "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_rt1\" Version=\"2.0\" IssueInstant=\"2026-11-30T12:00:00Z\" Destination=\"{base}/{tenant}/saml2\" AssertionConsumerServiceURL=\"{SAML_ACS}\" ProtocolBinding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\"><saml:Issuer>{SAML_ENTITY}</saml:Issuer><samlp:NameIDPolicy Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\"/></samlp:AuthnRequest>"
    );
    let mut deflate =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    deflate.write_all(request.as_bytes()).unwrap();
    let encoded = keyprobe_core::base64::encode_standard(&deflate.finish().unwrap());
    format!(
        "{base}/{tenant}/saml2?SAMLRequest={}&RelayState=%2Fhome&login_hint={}",
        form_urlencoded::byte_serialize(encoded.as_bytes()).collect::<String>(),
        form_urlencoded::byte_serialize(USER.as_bytes()).collect::<String>(),
    )
}

fn token_request(
    rec: &mut Recorder,
    base: &str,
    tenant: &str,
    client: &str,
    secret: &str,
) -> (u16, String) {
    let scope = format!("api://{client}/.default");
    rec.send(
        "POST",
        &format!("{base}/{tenant}/oauth2/v2.0/token"),
        Some(&[
            ("grant_type", "client_credentials"),
            ("client_id", client),
            ("client_secret", secret),
            ("scope", &scope),
        ]),
    )
}

fn bash(script: &Path, args: &[&str]) -> (i32, String) {
    let keyprobe_bin = env!("CARGO_BIN_EXE_keyprobe");
    let out = Command::new("bash")
        .arg(script)
        .args(args)
        .env("KEYPROBE", keyprobe_bin)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// `keyprobe reproduce INPUT -o OUT_DIR`.
fn reproduce(input: &Path, out_dir: &Path) -> common::Run {
    keyprobe(&[
        "reproduce",
        input.to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
    ])
}

/// The last line: `mock-sts --config DIR/mock-sts.toml --scenario NAME --state-dir DIR/state`.
fn command_of(stdout: &str) -> (PathBuf, Scenario) {
    let last = stdout.lines().last().unwrap();
    let words: Vec<&str> = last.split_whitespace().collect();
    assert_eq!(words.len(), 7, "{last}");
    assert_eq!(
        (words[0], words[1], words[3], words[5]),
        ("mock-sts", "--config", "--scenario", "--state-dir"),
        "{last}"
    );
    let config = PathBuf::from(words[2]);
    assert_eq!(
        PathBuf::from(words[6]),
        config.with_file_name("state"),
        "a state directory of its own, beside the configuration: {last}"
    );
    (config, words[4].parse().unwrap())
}

/// Values from the recording that must not be in any file written.
const NEVER: &[&str] = &[
    "secret-session-cookie-value",
    WEB_SECRET,
    USER,
    "alice@contoso.example",
    "Alice",
];

/// Every file `keyprobe reproduce` wrote (the mock's own `state/` directory, made after, is its keys).
fn assert_nothing_leaked(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            assert_eq!(path.file_name().unwrap(), "state", "{}", path.display());
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for value in NEVER {
            assert!(
                !text.contains(value),
                "{} carries '{value}' from the capture:\n{text}",
                path.display()
            );
        }
    }
}

/// Records with `record` against a mock in `scenario`, reproduces, replays, fixes, replays again.
/// Returns the reproduction's stdout.
fn round_trip(
    name: &str,
    scenario: Scenario,
    expected_scenario: Scenario,
    failure: &str,
    record: impl FnOnce(&mut Recorder, &str, &str),
) -> String {
    round_trip_with(name, None, scenario, expected_scenario, failure, record)
}

/// [`round_trip`], recorded against a mock with this configuration (TOML) rather than the default.
fn round_trip_with(
    name: &str,
    recording_config: Option<&str>,
    scenario: Scenario,
    expected_scenario: Scenario,
    failure: &str,
    record: impl FnOnce(&mut Recorder, &str, &str),
) -> String {
    let work = work_dir(name);
    let config = recording_config.map(|text| {
        let path = work.join("recording.toml");
        std::fs::write(&path, text).unwrap();
        LoadedConfig::from_file(&path).unwrap_or_else(|e| panic!("{e}"))
    });
    let recorded = start(config, scenario, &work.join("state-recording"));
    let mut rec = Recorder::new();
    record(&mut rec, recorded.base_url(), recorded.tenant_id());
    recorded.shutdown();
    let har = work.join(format!("{name}.har"));
    std::fs::write(&har, rec.har()).unwrap();

    let out_dir = work.join("repro");
    let run = reproduce(&har, &out_dir);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(&format!("seen: {failure}")),
        "{}",
        run.stdout
    );
    let (config_path, printed) = command_of(&run.stdout);
    assert_eq!(printed, expected_scenario, "{}", run.stdout);
    assert_eq!(config_path, out_dir.join("mock-sts.toml"));
    assert_nothing_leaked(&out_dir);
    // Nor a captured authorization code or PKCE verifier.
    for value in rec
        .form_values("code")
        .iter()
        .chain(&rec.form_values("code_verifier"))
    {
        for entry in std::fs::read_dir(&out_dir).unwrap() {
            let path = entry.unwrap().path();
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            assert!(
                !text.contains(value.as_str()),
                "{} carries '{value}'",
                path.display()
            );
        }
    }
    // Nor any part of a captured client assertion (the client's signature, its jti).
    for assertion in rec.form_values("client_assertion") {
        let parts: Vec<&str> = assertion.split('.').collect();
        let claims: Value =
            serde_json::from_slice(&keyprobe_core::base64::decode_url(parts[1]).unwrap()).unwrap();
        for entry in std::fs::read_dir(&out_dir).unwrap() {
            let path = entry.unwrap().path();
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            assert!(
                !text.contains(parts[2]),
                "{} carries the captured signature",
                path.display()
            );
            assert!(
                !text.contains(parts[1]),
                "{} carries the captured claims",
                path.display()
            );
            assert!(
                !text.contains(claims["jti"].as_str().unwrap()),
                "{} carries the captured jti",
                path.display()
            );
        }
    }

    // A fresh mock-sts, on the configuration as mock-sts itself reads it.
    let config = LoadedConfig::from_file(&config_path).unwrap_or_else(|e| panic!("{e}"));
    let fresh_state = work.join("state-replay");
    let mock = start(Some(config), printed, &fresh_state);
    let base = mock.base_url().to_string();
    let (code, text) = bash(&out_dir.join("replay.sh"), &[&base]);
    assert_eq!(code, 1, "the replay fails as the capture did:\n{text}");
    assert!(
        text.contains(&format!("replay: {failure}")),
        "the same failure:\n{text}"
    );

    // The documented fix: on the running mock, or in its configuration and a restart.
    let (code, fixed) = bash(&out_dir.join("fix.sh"), &[&base]);
    assert_eq!(code, 0, "{fixed}");
    let mock = if fixed.contains("restart mock-sts") {
        mock.shutdown();
        let config = LoadedConfig::from_file(&config_path).unwrap_or_else(|e| panic!("{e}"));
        start(Some(config), printed, &fresh_state)
    } else {
        mock
    };
    let base = mock.base_url().to_string();
    let replay = out_dir.join("replay.sh");
    let client_fix = fixed.lines().map(str::trim).find(|l| {
        (l.starts_with("CLIENT_SECRET=") || l.starts_with("FRESH_ASSERTION="))
            && l.contains("/replay.sh ")
    });
    let (code, text) = if let Some(command) = client_fix {
        // The client's own fix: the command fix.sh prints.
        let command = command.to_string();
        let out = Command::new("bash")
            .arg("-c")
            .arg(&command)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    } else {
        bash(&replay, &[&base])
    };
    assert_eq!(
        code, 0,
        "after the fix the replay goes through:\n{fixed}\n{text}"
    );
    assert!(text.contains("replay: no error"), "{text}");
    mock.shutdown();
    let _ = std::fs::remove_dir_all(&work);
    run.stdout
}

const WEB_REDIRECT: &str = "http://localhost:8080/callback";
const VERIFIER: &str = "captured-pkce-verifier-0123456789abcdefghijklmnopqrstuvwxyz";

/// A web app's sign-in: /authorize with PKCE (recorded when `record_authorize`), then the code redeemed
/// with `secret` at the token endpoint (always recorded). Returns the redemption's answer.
fn code_flow(
    rec: &mut Recorder,
    base: &str,
    tenant: &str,
    secret: &str,
    record_authorize: bool,
) -> String {
    let challenge = keyprobe_core::base64::encode_url(
        &openssl::hash::hash(openssl::hash::MessageDigest::sha256(), VERIFIER.as_bytes()).unwrap(),
    );
    let authorize = format!(
        "{base}/{tenant}/oauth2/v2.0/authorize?client_id={WEB_APP}&response_type=code&redirect_uri={}&scope={}&state=st4te-0123456789&nonce=n0nce-0123456789&code_challenge={challenge}&code_challenge_method=S256&login_hint={}",
        form_urlencoded::byte_serialize(WEB_REDIRECT.as_bytes()).collect::<String>(),
        form_urlencoded::byte_serialize(format!("openid offline_access api://{WEB_APP}/access_as_user").as_bytes()).collect::<String>(),
        form_urlencoded::byte_serialize(USER.as_bytes()).collect::<String>(),
    );
    let code = if record_authorize {
        let (status, _) = rec.send("GET", &authorize, None);
        assert_eq!(status, 302);
        rec.last_code()
    } else {
        let mut off_the_record = Recorder::new();
        off_the_record.send("GET", &authorize, None);
        off_the_record.last_code()
    };
    let scope = format!("openid offline_access api://{WEB_APP}/access_as_user");
    let (_, body) = rec.send(
        "POST",
        &format!("{base}/{tenant}/oauth2/v2.0/token"),
        Some(&[
            ("client_id", WEB_APP),
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", WEB_REDIRECT),
            ("code_verifier", VERIFIER),
            ("scope", &scope),
            ("client_secret", secret),
        ]),
    );
    body
}

/// A client's certificate and key (the client's own: the capture never holds the key).
struct ClientCert {
    cert: openssl::x509::X509,
    key: openssl::pkey::PKey<openssl::pkey::Private>,
}

impl ClientCert {
    fn new() -> ClientCert {
        let key =
            openssl::pkey::PKey::from_rsa(openssl::rsa::Rsa::generate(2048).unwrap()).unwrap();
        let mut name = openssl::x509::X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", "contoso daemon").unwrap();
        let name = name.build();
        let mut b = openssl::x509::X509Builder::new().unwrap();
        b.set_version(2).unwrap();
        b.set_subject_name(&name).unwrap();
        b.set_issuer_name(&name).unwrap();
        b.set_pubkey(&key).unwrap();
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        b.set_not_before(&openssl::asn1::Asn1Time::from_unix(now - 86_400).unwrap())
            .unwrap();
        b.set_not_after(&openssl::asn1::Asn1Time::from_unix(now + 86_400 * 30).unwrap())
            .unwrap();
        b.sign(&key, openssl::hash::MessageDigest::sha256())
            .unwrap();
        ClientCert {
            cert: b.build(),
            key,
        }
    }

    /// A mock-sts configuration whose web app has this certificate registered.
    fn config(&self, tenant: &str) -> String {
        let pem = String::from_utf8(self.cert.to_pem().unwrap()).unwrap();
        format!(
            "[[tenants]]\nid = \"{tenant}\"\ndomains = [\"contoso.onmicrosoft.com\"]\n\n[[tenants.apps]]\nclient_id = \"{WEB_APP}\"\nkind = \"confidential\"\napp_id_uris = [\"api://{WEB_APP}\"]\n\n[[tenants.apps.certificates]]\npem = \"\"\"\n{pem}\"\"\"\n"
        )
    }

    /// A client assertion as MSAL signs it: x5t of the certificate, valid from now for ten minutes.
    fn assertion(&self, audience: &str) -> String {
        let der = self.cert.to_der().unwrap();
        let x5t = keyprobe_core::base64::encode_url(
            &openssl::hash::hash(openssl::hash::MessageDigest::sha1(), &der).unwrap(),
        );
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let header = json!({"alg": "RS256", "typ": "JWT", "x5t": x5t});
        let claims = json!({"aud": audience, "iss": WEB_APP, "sub": WEB_APP, "jti": "5b3c0f4e-1a2b-4c3d-8e9f-001122334455", "nbf": now, "exp": now + 600});
        let input = format!(
            "{}.{}",
            keyprobe_core::base64::encode_url(header.to_string().as_bytes()),
            keyprobe_core::base64::encode_url(claims.to_string().as_bytes())
        );
        let mut signer =
            openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), &self.key).unwrap();
        signer.update(input.as_bytes()).unwrap();
        format!(
            "{input}.{}",
            keyprobe_core::base64::encode_url(&signer.sign_to_vec().unwrap())
        )
    }
}

/// A daemon's client-credentials request authenticated with a client assertion.
fn assertion_request(rec: &mut Recorder, base: &str, tenant: &str, cert: &ClientCert) -> String {
    let endpoint = format!("{base}/{tenant}/oauth2/v2.0/token");
    let assertion = cert.assertion(&endpoint);
    let scope = format!("api://{WEB_APP}/.default");
    let (_, body) = rec.send(
        "POST",
        &endpoint,
        Some(&[
            ("grant_type", "client_credentials"),
            ("client_id", WEB_APP),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", &assertion),
            ("scope", &scope),
        ]),
    );
    body
}

const TENANT: &str = "7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b";

/// What a round trip of the table below records against the failing mock: one sign-in or request (or
/// a sign-in's code redeemed), whose answer (page or body) the case checks.
#[derive(Clone, Copy)]
enum Send {
    /// A SAML sign-in to the SAML app (HTTP-Redirect AuthnRequest).
    SamlSignIn,
    /// A client-credentials request from this app with this secret.
    Secret(&'static str, &'static str),
    /// A client-credentials request from the web app with a client assertion signed by a certificate made
    /// for the test, registered (in [`TENANT`]) in the mock recorded against or not.
    Assertion { registered: bool },
    /// A sign-in to the web app with a redirect URI it did not register.
    UnregisteredRedirect,
    /// [`code_flow`] with this secret, its /authorize recorded or not.
    CodeFlow {
        secret: &'static str,
        record_authorize: bool,
    },
}

const WRONG_SECRET: &str = "Xyz8Q~not.the.secret.of.this.app.0123456";

/// One round trip: recorded in `scenario` with `send`, whose answer contains `answer`; reproduced as
/// `expected` for `failure` (see [`round_trip`]); the reproduction's stdout contains `says`, if given.
struct RoundTrip {
    work: &'static str,
    scenario: Scenario,
    expected: Scenario,
    failure: &'static str,
    send: Send,
    answer: &'static str,
    says: Option<&'static str>,
}

impl RoundTrip {
    fn run(self) {
        let cert = matches!(self.send, Send::Assertion { .. }).then(ClientCert::new);
        let config = match (&cert, self.send) {
            (Some(cert), Send::Assertion { registered: true }) => Some(cert.config(TENANT)),
            _ => None,
        };
        let send = self.send;
        let answer = self.answer;
        let out = round_trip_with(
            self.work,
            config.as_deref(),
            self.scenario,
            self.expected,
            self.failure,
            |rec, base, tenant| {
                let body = match send {
                    Send::SamlSignIn => rec.send("GET", &saml_sign_in(base, tenant), None).1,
                    Send::Secret(client, secret) => {
                        token_request(rec, base, tenant, client, secret).1
                    }
                    Send::Assertion { .. } => {
                        let cert = cert.as_ref().expect("made for Send::Assertion");
                        assertion_request(rec, base, tenant, cert)
                    }
                    Send::UnregisteredRedirect => {
                        let url = format!(
                            "{base}/{tenant}/oauth2/v2.0/authorize?client_id={WEB_APP}&response_type=code&redirect_uri={}&scope=openid&state=st4te-0123456789&nonce=n0nce-0123456789&login_hint={}",
                            form_urlencoded::byte_serialize(b"https://app.contoso.example/signin-oidc").collect::<String>(),
                            form_urlencoded::byte_serialize(USER.as_bytes()).collect::<String>(),
                        );
                        rec.send("GET", &url, None).1
                    }
                    Send::CodeFlow {
                        secret,
                        record_authorize,
                    } => code_flow(rec, base, tenant, secret, record_authorize),
                };
                assert!(body.contains(answer), "{body}");
            },
        );
        if let Some(says) = self.says {
            assert!(out.contains(says), "{out}");
        }
    }
}

/// One `#[test]` a case: `name: work dir, recorded scenario => expected scenario, failure, what is sent,
/// what its answer contains, what the reproduction says (or None)`.
macro_rules! round_trips {
    ($($name:ident: $work:literal, $scenario:ident => $expected:ident, $failure:literal, $send:expr, $answer:literal, $says:expr;)*) => {$(
        #[test]
        fn $name() {
            RoundTrip {
                work: $work,
                scenario: Scenario::$scenario,
                expected: Scenario::$expected,
                failure: $failure,
                send: $send,
                answer: $answer,
                says: $says,
            }
            .run();
        }
    )*};
}

round_trips! {
    missing_signing_key_aadsts50003_round_trip: "missing-signing-key", MissingSigningKey => MissingSigningKey, "AADSTS50003", Send::SamlSignIn, "AADSTS50003", Some("reproduced by scenario missing-signing-key");
    // A capture cannot tell a dangling preferred thumbprint from no certificate at all: both end on
    // AADSTS50003, which missing-signing-key reproduces, and the same fix undoes.
    dangling_signing_key_reproduces_as_aadsts50003: "dangling-signing-key", DanglingSigningKey => MissingSigningKey, "AADSTS50003", Send::SamlSignIn, "AADSTS50003", None;
    expired_signing_cert_round_trip: "expired-signing-cert", ExpiredSigningCert => ExpiredSigningCert, "cert-expired", Send::SamlSignIn, "SAMLResponse", None;
    custom_signing_key_required_aadsts50146_round_trip: "custom-signing-key-required", CustomSigningKeyRequired => CustomSigningKeyRequired, "AADSTS50146", Send::Secret(WEB_APP, WEB_SECRET), "AADSTS50146", None;
    wrong_client_secret_aadsts7000215_round_trip: "invalid-client-secret", Healthy => Healthy, "AADSTS7000215", Send::Secret(WEB_APP, WRONG_SECRET), "AADSTS7000215", None;
    unknown_app_aadsts700016_round_trip: "unknown-app", Healthy => Healthy, "AADSTS700016", Send::Secret("0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9", "Abc8Q~some.secret.value.0123456789abcdef"), "AADSTS700016", None;
    an_authorization_code_redemption_is_replayed_with_a_fresh_code_aadsts7000215: "code-redemption-wrong-secret", Healthy => Healthy, "AADSTS7000215", Send::CodeFlow { secret: WRONG_SECRET, record_authorize: true }, "AADSTS7000215", Some("replay.sh (2 request(s))");
    a_redemption_captured_without_its_authorize_request_gets_one_made_aadsts7000222: "code-redemption-expired-secret", ExpiredClientSecret => ExpiredClientSecret, "AADSTS7000222", Send::CodeFlow { secret: WEB_SECRET, record_authorize: false }, "AADSTS7000222", Some("replay.sh (1 request(s))");
    client_cert_not_uploaded_aadsts700027_round_trip: "client-cert-not-uploaded", ClientCertNotUploaded => ClientCertNotUploaded, "AADSTS700027", Send::Assertion { registered: false }, "The key was not found", Some("reproduced by scenario client-cert-not-uploaded");
    expired_client_cert_aadsts700027_round_trip: "expired-client-cert", ExpiredClientCert => ExpiredClientCert, "AADSTS700027", Send::Assertion { registered: true }, "The key used is expired", Some("reproduced by scenario expired-client-cert");
    expired_client_assertion_aadsts700024_round_trip: "expired-client-assertion", ExpiredClientAssertion => ExpiredClientAssertion, "AADSTS700024", Send::Assertion { registered: true }, "AADSTS700024", Some("reproduced by scenario expired-client-assertion");
    unregistered_redirect_uri_aadsts50011_round_trip: "redirect-uri-mismatch", Healthy => Healthy, "AADSTS50011", Send::UnregisteredRedirect, "AADSTS50011", None;
}

/// A web app's back end: a token, then the tenant's key set to check it (as a relying party fetches it).
fn token_and_key_set(rec: &mut Recorder, base: &str, tenant: &str) {
    let (_, body) = token_request(rec, base, tenant, WEB_APP, WEB_SECRET);
    assert!(body.contains("access_token"), "{body}");
    let (status, keys) = rec.send("GET", &format!("{base}/{tenant}/discovery/v2.0/keys"), None);
    assert_eq!(status, 200, "{keys}");
}

#[test]
fn a_token_whose_key_the_captured_key_set_lacks_reproduces_as_unpublished_signing_key() {
    // Entra answered without error; the token's kid is not in the key set fetched in the same capture.
    // The key set is compared (which kids the tenant published), never trusted.
    let out = round_trip(
        "unpublished-signing-key",
        Scenario::UnpublishedSigningKey,
        Scenario::UnpublishedSigningKey,
        "key-not-found",
        token_and_key_set,
    );
    assert!(
        out.contains("reproduced by scenario unpublished-signing-key"),
        "{out}"
    );
}

#[test]
fn a_token_whose_key_the_captured_key_set_publishes_is_no_failure() {
    // The same capture in healthy (and in rotated-keys, where the set publishes the new key beside the
    // old): nothing failed, and reproduce says so.
    for scenario in [Scenario::Healthy, Scenario::RotatedKeys] {
        let work = work_dir(&format!("published-{scenario}"));
        let recorded = start(None, scenario, &work.join("state-recording"));
        let mut rec = Recorder::new();
        token_and_key_set(&mut rec, recorded.base_url(), recorded.tenant_id());
        recorded.shutdown();
        let har = work.join("capture.har");
        std::fs::write(&har, rec.har()).unwrap();
        let out_dir = work.join("repro");
        let run = reproduce(&har, &out_dir);
        assert_eq!(run.code, 0, "{scenario}: {}\n{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains("seen: no failure"),
            "{scenario}: {}",
            run.stdout
        );
        assert_eq!(
            command_of(&run.stdout).1,
            Scenario::Healthy,
            "{}",
            run.stdout
        );
        let _ = std::fs::remove_dir_all(&work);
    }
}

#[test]
fn a_key_set_fetched_for_one_app_is_compared_only_with_that_apps_tokens() {
    // An app with its own signing key (claims mapping) and the web app, healthy. The capture: a token for
    // the web app (the tenant's key), then the other app's key set (`keys?appid=`: only the app's key). A
    // relying party of the web app does not use that set, so nothing failed.
    const CUSTOM_APP: &str = "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f";
    let work = work_dir("appid-key-set");
    let config = mock_sts::DEFAULT_CONFIG.replace(
        "# A public client",
        &format!("[[tenants.apps]]\nclient_id = \"{CUSTOM_APP}\"\nkind = \"confidential\"\ncustom_signing_key = true\napp_id_uris = [\"api://{CUSTOM_APP}\"]\n\n# A public client"),
    );
    let path = work.join("recording.toml");
    std::fs::write(&path, config).unwrap();
    let loaded = LoadedConfig::from_file(&path).unwrap_or_else(|e| panic!("{e}"));
    let recorded = start(
        Some(loaded),
        Scenario::Healthy,
        &work.join("state-recording"),
    );
    let (base, tenant) = (
        recorded.base_url().to_string(),
        recorded.tenant_id().to_string(),
    );
    let mut rec = Recorder::new();
    let (_, body) = token_request(&mut rec, &base, &tenant, WEB_APP, WEB_SECRET);
    assert!(body.contains("access_token"), "{body}");
    let (status, keys) = rec.send(
        "GET",
        &format!("{base}/{tenant}/discovery/v2.0/keys?appid={CUSTOM_APP}"),
        None,
    );
    assert_eq!(status, 200, "{keys}");
    let tenant_keys = ureq::get(&format!("{base}/{tenant}/discovery/v2.0/keys"))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap();
    recorded.shutdown();
    let app_kids: Vec<String> = serde_json::from_str::<Value>(&keys).unwrap()["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect();
    assert!(
        app_kids.iter().all(|k| !tenant_keys.contains(k.as_str())),
        "the app's set has only the app's key: {keys}"
    );
    let har = work.join("capture.har");
    std::fs::write(&har, rec.har()).unwrap();
    let out_dir = work.join("repro");
    let run = reproduce(&har, &out_dir);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("seen: no failure"), "{}", run.stdout);
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn a_relying_party_log_line_reproduces_as_unpublished_signing_key() {
    let work = work_dir("idx10503");
    let line = work.join("app.log");
    std::fs::write(
        &line,
        "IDX10503: Signature validation failed. The token's kid is: 'Xk3bT6nqRe1uVw9ZlPQmA0sHy7c', but did not match any keys in TokenValidationParameters or Configuration. Keys tried: 'Bf2mJx8Lw0qNvT4pKe6RzY1uH3s'.\n",
    )
    .unwrap();
    let out_dir = work.join("repro");
    let run = reproduce(&line, &out_dir);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let (config_path, scenario) = command_of(&run.stdout);
    assert_eq!(scenario, Scenario::UnpublishedSigningKey);
    let config = LoadedConfig::from_file(&config_path).unwrap();
    let mock = start(Some(config), scenario, &work.join("state"));
    let base = mock.base_url().to_string();
    let (code, text) = bash(&out_dir.join("replay.sh"), &[&base]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("access token issued"), "{text}");
    assert!(text.contains("replay: key-not-found"), "{text}");
    let (code, fixed) = bash(&out_dir.join("fix.sh"), &[&base]);
    assert_eq!(code, 0, "{fixed}");
    let (code, text) = bash(&out_dir.join("replay.sh"), &[&base]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("signature verified"), "{text}");
    mock.shutdown();
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn a_failure_without_a_scenario_says_what_was_reproduced_and_exits_1() {
    let work = work_dir("unmapped");
    let input = work.join("error.json");
    std::fs::write(
        &input,
        r#"{"error":"invalid_scope","error_description":"AADSTS70011: The provided value for the input parameter 'scope' isn't valid.\r\nTrace ID: 0000aaaa-11bb-cccc-dd33-eeeeee333333\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2016-01-09 02:02:12Z","error_codes":[70011],"timestamp":"2016-01-09 02:02:12Z","trace_id":"0000aaaa-11bb-cccc-dd33-eeeeee333333","correlation_id":"aaaa0000-bb11-2222-33cc-444444dddddd","error_uri":"https://login.microsoftonline.com/error?code=70011"}"#,
    )
    .unwrap();
    let out_dir = work.join("repro");
    let run = reproduce(&input, &out_dir);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("not reproduced: AADSTS70011 has no mock-sts scenario"),
        "{}",
        run.stdout
    );
    let (config_path, scenario) = command_of(&run.stdout);
    assert_eq!(scenario, Scenario::Healthy);
    LoadedConfig::from_file(&config_path).unwrap();
    let readme = std::fs::read_to_string(out_dir.join("README.md")).unwrap();
    assert!(
        readme.contains("AADSTS70011 has no mock-sts scenario"),
        "{readme}"
    );
}

/// A saved token-endpoint error with this code and text.
fn saved_error(work: &Path, code: u32, error: &str, text: &str) -> PathBuf {
    let input = work.join(format!("error-{code}.json"));
    let body = json!({
        "error": error,
        "error_description": format!("AADSTS{code}: {text}\r\nTrace ID: 0000aaaa-11bb-cccc-dd33-eeeeee333333\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2026-11-30 12:00:00Z"),
        "error_codes": [code],
        "timestamp": "2026-11-30 12:00:00Z",
        "trace_id": "0000aaaa-11bb-cccc-dd33-eeeeee333333",
        "correlation_id": "aaaa0000-bb11-2222-33cc-444444dddddd",
    });
    std::fs::write(&input, body.to_string()).unwrap();
    input
}

#[test]
fn aadsts500031_and_50013_say_what_mock_sts_does_instead_and_why_not() {
    let work = work_dir("near-misses");
    for (code, error, text, says) in [
        (500031, "invalid_request", "Cannot find signing certificate configured", "mock-sts answers AADSTS50003"),
        (50013, "invalid_grant", "Assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: 'Xk3bT6nqRe1uVw9ZlPQmA0sHy7c']", "a credential that is never replayed"),
    ] {
        let input = saved_error(&work, code, error, text);
        let out_dir = work.join(format!("repro-{code}"));
        let run = reproduce(&input, &out_dir);
        assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
        let expected = format!("not reproduced: AADSTS{code} has no mock-sts scenario (");
        assert!(run.stdout.contains(&expected), "{}", run.stdout);
        assert!(run.stdout.contains(says), "{}", run.stdout);
        let readme = std::fs::read_to_string(out_dir.join("README.md")).unwrap();
        assert!(readme.contains(says), "{readme}");
        // The part it could reproduce: the tenant and a configuration mock-sts accepts.
        let (config_path, scenario) = command_of(&run.stdout);
        assert_eq!(scenario, Scenario::Healthy);
        LoadedConfig::from_file(&config_path).unwrap_or_else(|e| panic!("{e}"));
    }
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn an_existing_directory_is_kept_unless_forced() {
    let work = work_dir("overwrite");
    let input = work.join("app.log");
    std::fs::write(&input, "IDX10503: Signature validation failed. The token's kid is: 'abc', but did not match any keys in TokenValidationParameters or Configuration. Keys tried: 'def'.\n").unwrap();
    let out_dir = work.join("repro");
    std::fs::create_dir_all(&out_dir).unwrap();
    std::fs::write(out_dir.join("notes.txt"), "mine").unwrap();
    let run = reproduce(&input, &out_dir);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("exists and is not empty"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert!(!out_dir.join("mock-sts.toml").exists());
    let run = keyprobe(&[
        "reproduce",
        input.to_str().unwrap(),
        "-o",
        out_dir.to_str().unwrap(),
        "--force",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(out_dir.join("mock-sts.toml").exists());
    assert_eq!(
        std::fs::read_to_string(out_dir.join("notes.txt")).unwrap(),
        "mine"
    );
    // An empty directory is fine without --force.
    let empty = work.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let run = reproduce(&input, &empty);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let help = keyprobe(&["reproduce", "--help"]).stdout;
    assert!(help.contains("[default: keyprobe-reproduce]"), "{help}");
}

#[test]
fn the_shared_table_names_only_mock_sts_scenarios() {
    let mut reached = Vec::new();
    for r in keyprobe_core::reproduce::REPRODUCTIONS {
        let scenario: Scenario = r.scenario.parse().unwrap_or_else(|e| panic!("{e}"));
        reached.push(scenario);
    }
    // Every failing scenario mock-sts has is reachable from some failure seen in the field.
    for scenario in Scenario::ALL {
        // Not failures: healthy fails nothing (rows use it for failures of the request itself: a wrong
        // secret, redirect URI or client id), and rotated-keys is the fix of unpublished-signing-key (it
        // publishes the key tokens are signed with), so no failure seen in the field leads to it.
        if matches!(scenario, Scenario::Healthy | Scenario::RotatedKeys) {
            continue;
        }
        assert!(
            reached.contains(&scenario),
            "{scenario} is reproduced by no row"
        );
    }
}

/// The `bash` blocks of docs/aadsts50003.md's "From your own capture", in order.
fn capture_section_blocks() -> Vec<String> {
    let doc = std::fs::read_to_string(common::root().join("docs/aadsts50003.md")).unwrap();
    let section = doc
        .split_once("## From your own capture")
        .expect("the walkthrough has a section 'From your own capture'")
        .1;
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in section.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```bash") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), text) => {
                block.push_str(text);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn the_walkthrough_from_your_own_capture_works_as_written() {
    let blocks = capture_section_blocks();
    assert_eq!(blocks.len(), 3, "reproduce, replay, fix and replay");
    let keyprobe_bin = PathBuf::from(env!("CARGO_BIN_EXE_keyprobe"));
    let mock_bin = keyprobe_bin.with_file_name("mock-sts");
    assert!(
        mock_bin.is_file(),
        "the walkthrough needs the mock-sts binary beside keyprobe ({}): cargo build -p mock-sts",
        mock_bin.display()
    );
    let work = work_dir("walkthrough");
    // The capture, as devtools would save it from production: login.microsoftonline.com, not the mock.
    let recorded = start(
        None,
        Scenario::MissingSigningKey,
        &work.join("state-recording"),
    );
    let mut rec = Recorder::new();
    let (_, page) = rec.send(
        "GET",
        &saml_sign_in(recorded.base_url(), recorded.tenant_id()),
        None,
    );
    assert!(page.contains("AADSTS50003"), "{page}");
    let har = rec
        .har()
        .replace(recorded.base_url(), "https://login.microsoftonline.com");
    recorded.shutdown();
    assert!(!har.contains("127.0.0.1"), "the capture names only Entra");
    std::fs::write(work.join("sign-in.har"), har).unwrap();

    let tools = work.join("bin");
    std::fs::create_dir_all(&tools).unwrap();
    std::os::unix::fs::symlink(&keyprobe_bin, tools.join("keyprobe")).unwrap();
    std::os::unix::fs::symlink(&mock_bin, tools.join("mock-sts")).unwrap();
    let mut script = String::from("exec 2>&1\n");
    for (index, block) in blocks.iter().enumerate() {
        script.push_str(&format!("echo '@@@ step {}'\n{block}\n", index + 8));
    }
    script.push_str(
        "[ -n \"$MOCK_STS_PID\" ] && kill \"$MOCK_STS_PID\" 2>/dev/null\necho '@@@ end'\n",
    );
    let path = format!(
        "{}:{}",
        tools.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("timeout")
        .args(["120", "bash", "-c", &script])
        .current_dir(&work)
        .env("PATH", path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        text.contains("@@@ end"),
        "the walkthrough did not finish:\n{text}"
    );
    let step = |n: usize| -> String {
        let start = text.find(&format!("@@@ step {n}\n")).unwrap();
        let rest = &text[start..];
        let end = rest[1..].find("@@@ ").map(|e| e + 1).unwrap_or(rest.len());
        rest[..end].to_string()
    };
    let reproduce = step(8);
    assert!(
        reproduce.contains("seen: AADSTS50003 at #0 GET login.microsoftonline.com/"),
        "{reproduce}"
    );
    assert!(
        reproduce
            .trim_end()
            .ends_with("mock-sts --config repro/mock-sts.toml --scenario missing-signing-key --state-dir repro/state"),
        "{reproduce}"
    );
    let replay = step(9);
    assert!(replay.contains("replay: AADSTS50003"), "{replay}");
    assert!(replay.contains("replay exit status: 1"), "{replay}");
    let fixed = step(10);
    assert!(fixed.contains("is active"), "{fixed}");
    assert!(
        fixed.contains("signed SAMLResponse posted to https://sp.contoso.example/saml/acs"),
        "{fixed}"
    );
    assert!(fixed.contains("replay exit status: 0"), "{fixed}");
    assert_nothing_leaked(&work.join("repro"));
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn every_shipped_capture_gives_a_configuration_mock_sts_accepts() {
    let work = work_dir("shipped");
    let captures = common::root().join("testdata/captures");
    let mut read = 0;
    for entry in std::fs::read_dir(&captures).unwrap() {
        let path = entry.unwrap().path();
        let out_dir = work.join(path.file_name().unwrap());
        let run = reproduce(&path, &out_dir);
        assert!(
            run.code == 0 || run.code == 1,
            "{}: {}\n{}",
            path.display(),
            run.stdout,
            run.stderr
        );
        let (config_path, _) = command_of(&run.stdout);
        LoadedConfig::from_file(&config_path).unwrap_or_else(|e| {
            panic!(
                "{}: mock-sts refuses the configuration: {e}",
                path.display()
            )
        });
        let replay = std::fs::read_to_string(out_dir.join("replay.sh")).unwrap();
        for secret in ["client_assertion=ey", "Cookie", "code=0."] {
            assert!(
                !replay.contains(secret),
                "{}: {secret} in replay.sh:\n{replay}",
                path.display()
            );
        }
        read += 1;
    }
    assert!(read >= 3, "the shipped captures were read");
    let _ = std::fs::remove_dir_all(&work);
}

/// The `Name`s of an assertion's attributes, in order.
fn attribute_names(xml: &str) -> Vec<String> {
    xml.split("<Attribute Name=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect()
}

/// The decoded SAMLResponse an auto-posting page carries.
fn posted_saml_response(page: &str) -> String {
    let value = page
        .split("name=\"SAMLResponse\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no SAMLResponse in {page}"));
    String::from_utf8(keyprobe_core::base64::decode_standard(value).unwrap()).unwrap()
}

#[test]
fn a_saml_responses_attribute_names_and_name_id_format_are_the_reproductions() {
    // A SAML app with its own "Unique User Identifier" format and attribute names, in a scenario that
    // fails at the service provider (its signing certificate has expired).
    let custom_attributes = [
        "urn:oid:0.9.2342.19200300.100.1.3",
        "urn:oid:2.5.4.42",
        "employeeNumber",
    ];
    let config = mock_sts::DEFAULT_CONFIG.replace(
        "acs_url = \"https://sp.contoso.example/saml/acs\"",
        &format!(
            "acs_url = \"https://sp.contoso.example/saml/acs\"\nname_id_format = \"persistent\"\nattributes = [{{ name = \"{}\", source = \"user.mail\" }}, {{ name = \"{}\", source = \"user.givenname\" }}, {{ name = \"{}\", source = \"user.objectid\" }}]",
            custom_attributes[0], custom_attributes[1], custom_attributes[2]
        ),
    );
    let work = work_dir("saml-attributes");
    let recording_config = work.join("recording.toml");
    std::fs::write(&recording_config, config).unwrap();
    let recorded = start(
        Some(LoadedConfig::from_file(&recording_config).unwrap()),
        Scenario::ExpiredSigningCert,
        &work.join("state-recording"),
    );
    // The service provider asks for no NameID format: the app's setting decides.
    let request = {
        use std::io::Write;
        let xml = format!(
            "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_attrs\" Version=\"2.0\" IssueInstant=\"2026-11-30T12:00:00Z\" AssertionConsumerServiceURL=\"{SAML_ACS}\"><saml:Issuer>{SAML_ENTITY}</saml:Issuer></samlp:AuthnRequest>"
        );
        let mut deflate =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        deflate.write_all(xml.as_bytes()).unwrap();
        keyprobe_core::base64::encode_standard(&deflate.finish().unwrap())
    };
    let mut rec = Recorder::new();
    let (status, page) = rec.send(
        "GET",
        &format!(
            "{}/{}/saml2?SAMLRequest={}&login_hint={}",
            recorded.base_url(),
            recorded.tenant_id(),
            form_urlencoded::byte_serialize(request.as_bytes()).collect::<String>(),
            form_urlencoded::byte_serialize(USER.as_bytes()).collect::<String>(),
        ),
        None,
    );
    recorded.shutdown();
    assert_eq!(status, 200, "{page}");
    let captured = posted_saml_response(&page);
    assert_eq!(attribute_names(&captured)[5..], custom_attributes);
    // What a user pastes from the browser's network panel: the SAMLResponse value alone.
    let input = work.join("saml-response.txt");
    let value = page
        .split("name=\"SAMLResponse\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    std::fs::write(&input, value).unwrap();

    let out_dir = work.join("repro");
    let run = reproduce(&input, &out_dir);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let (config_path, scenario) = command_of(&run.stdout);
    assert_eq!(scenario, Scenario::ExpiredSigningCert, "{}", run.stdout);
    let toml = std::fs::read_to_string(&config_path).unwrap();
    assert!(toml.contains("name_id_format = \"persistent\""), "{toml}");
    for (name, source) in
        custom_attributes
            .iter()
            .zip(["user.mail", "user.givenname", "user.objectid"])
    {
        assert!(
            toml.contains(&format!("{{ name = \"{name}\", source = \"{source}\" }}")),
            "{name} from {source}:\n{toml}"
        );
    }
    // Names, never values: the user's mail, given name and object id stay out.
    assert_nothing_leaked(&out_dir);
    for value in [
        "bob@",
        "alice@contoso.example",
        "a1b2c3d4-e5f6-4789-8abc-def012345678",
    ] {
        assert!(!toml.contains(value), "{value} in:\n{toml}");
    }

    // The configuration as mock-sts reads it; the replay's answer carries the same names and format.
    let mock = start(
        Some(LoadedConfig::from_file(&config_path).unwrap_or_else(|e| panic!("{e}"))),
        scenario,
        &work.join("state-replay"),
    );
    let issued = work.join("issued.html");
    let out = Command::new("bash")
        .arg(out_dir.join("replay.sh"))
        .arg(mock.base_url())
        .env("KEYPROBE", env!("CARGO_BIN_EXE_keyprobe"))
        .env("ISSUED", &issued)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("replay: cert-expired"), "{text}");
    let replayed = posted_saml_response(&std::fs::read_to_string(&issued).unwrap());
    assert_eq!(attribute_names(&replayed), attribute_names(&captured));
    let format = |xml: &str| {
        xml.split("<NameID Format=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(str::to_string)
    };
    assert_eq!(
        format(&replayed).as_deref(),
        Some("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent")
    );
    assert_eq!(format(&replayed), format(&captured));
    mock.shutdown();
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn a_tokens_optional_claims_are_the_reproductions() {
    // An access token for the web API, issued with an optional claim, pasted alone.
    let config = mock_sts::DEFAULT_CONFIG.replace(
        "scopes = [\"access_as_user\"]",
        "scopes = [\"access_as_user\"]\noptional_claims = { access_token = [\"idtyp\"] }",
    );
    let work = work_dir("optional-claims");
    let recording_config = work.join("recording.toml");
    std::fs::write(&recording_config, config).unwrap();
    let recorded = start(
        Some(LoadedConfig::from_file(&recording_config).unwrap()),
        Scenario::Healthy,
        &work.join("state-recording"),
    );
    let mut rec = Recorder::new();
    let (status, body) = token_request(
        &mut rec,
        recorded.base_url(),
        recorded.tenant_id(),
        WEB_APP,
        WEB_SECRET,
    );
    recorded.shutdown();
    assert_eq!(status, 200, "{body}");
    let token = serde_json::from_str::<Value>(&body).unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let input = work.join("token.txt");
    std::fs::write(&input, &token).unwrap();
    let out_dir = work.join("repro");
    let run = reproduce(&input, &out_dir);
    let toml = std::fs::read_to_string(out_dir.join("mock-sts.toml")).unwrap();
    assert!(
        toml.contains("optional_claims = { access_token = [\"idtyp\"] }"),
        "{}\n{toml}",
        run.stdout
    );
    assert!(toml.contains("access_token_version = 2"), "{toml}");
    LoadedConfig::from_file(&out_dir.join("mock-sts.toml")).unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_dir_all(&work);
}
