//! From the facts to what the reproduction will be: the tenant and apps mock-sts is configured with, the
//! scenario from the shared table, the requests to replay, and which values were made here.

use keyprobe_core::reproduce::{reproduction, Failure, Fix, Reproduction, Surface};

use super::assertion::AssertionShape;
use super::facts::{AppFacts, Facts, Seen};
use super::placeholder::{self, Placeholders, FALLBACK_DOMAIN};
use super::replay::{Endpoint, Param, Request};

/// The kind of app in mock-sts's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AppKind {
    Saml,
    Confidential,
}

#[derive(Debug, Clone)]
pub(crate) struct PlannedApp {
    pub client_id: String,
    /// The client id was in the input (else it was made here: SAML requests carry no client id).
    pub client_id_seen: bool,
    pub display_name: String,
    pub kind: AppKind,
    pub entity_id: Option<String>,
    pub acs_url: Option<String>,
    pub reply_urls: Vec<String>,
    pub redirect_uris: Vec<String>,
    /// Redirect URIs of the single-page-app platform: those a browser redeemed codes for (with `Origin`).
    pub spa_redirect_uris: Vec<String>,
    pub access_token_version: Option<u8>,
    /// Delegated scopes the app exposes, as the requests named them.
    pub scopes: Vec<String>,
    pub secret: Option<String>,
    /// Registered only by the fix (AADSTS700016): the whole block is written commented out.
    pub registered: bool,
    /// The client certificate made here (client-cert.pem) is registered on the app in mock-sts.toml.
    pub client_certificate: bool,
    /// Lines the fix adds (`#fix: ` in mock-sts.toml).
    pub fix_lines: Vec<String>,
    /// The SAML app's NameID format (Graph's name: `persistent`), when its assertions carried a format
    /// the portal offers and no AuthnRequest asked for one.
    pub name_id_format: Option<&'static str>,
    /// The SAML app's attributes (name, source) when the assertions carried others than Entra's defaults.
    pub saml_attributes: Vec<(String, &'static str)>,
    /// Optional claims seen in its ID tokens, and in access tokens for it.
    pub id_token_claims: Vec<String>,
    /// Optional claims seen in access tokens for it.
    pub access_token_claims: Vec<String>,
}

#[derive(Debug)]
pub(crate) struct Plan {
    pub input: String,
    pub tenant_id: String,
    pub tenant_seen: bool,
    pub domains: Vec<String>,
    pub apps: Vec<PlannedApp>,
    pub users: Vec<String>,
    pub scenario: &'static str,
    pub reproduction: Option<&'static Reproduction>,
    /// The failure seen, its message with users replaced.
    pub seen: Option<Seen>,
    /// Why the failure seen has no reproduction (or that none was seen).
    pub not_reproduced: Option<String>,
    pub requests: Vec<Request>,
    /// The secret replay.sh sends by default.
    pub replay_secret: Option<String>,
    /// replay.sh signs client assertions: a certificate and key are made here (client-cert.pem,
    /// client-key.pem).
    pub client_certificate_files: bool,
    pub name_id_formats: Vec<String>,
    pub token_versions: Vec<u8>,
    pub claim_names: Vec<String>,
    pub kinds: Vec<&'static str>,
    /// How many user names and object ids were replaced.
    pub replaced_users: usize,
    pub replaced_ids: usize,
}

const PLACEHOLDER_ACS: &str = "https://sp.reproduction.example/saml/acs";
const PLACEHOLDER_ENTITY: &str = "https://sp.reproduction.example/saml";

/// The identifier an AADSTS700016 message names (`Application with identifier '…' was not found`).
fn unknown_app_in(message: &str) -> Option<&str> {
    let rest = message.split_once("identifier '")?.1;
    Some(rest.split_once('\'')?.0)
}

impl Plan {
    pub(crate) fn new(
        input: &str,
        facts: Facts,
        placeholders: &Placeholders,
        mut requests: Vec<Request>,
    ) -> Plan {
        let mut domains = facts.domains.clone();
        for user in placeholders.users() {
            if let Some((_, d)) = user.rsplit_once('@') {
                if !domains.iter().any(|x| x == d) && d.contains('.') {
                    domains.push(d.to_string());
                }
            }
        }
        let domain = domains
            .first()
            .cloned()
            .unwrap_or_else(|| FALLBACK_DOMAIN.to_string());
        let mut users: Vec<String> = placeholders.users().to_vec();
        users.retain(|u| u.contains('@'));
        if users.is_empty() {
            users.push(format!("user1@{domain}"));
        }
        let (tenant_id, tenant_seen) = match &facts.tenant_id {
            Some(t) => (t.clone(), true),
            None => (placeholder::guid(), false),
        };
        let seen = facts.seen.clone().map(|mut s| {
            s.message = placeholders.apply(&s.message);
            s.entra_text = s.entra_text.map(|t| placeholders.apply(&t));
            s
        });
        let found = seen.as_ref().and_then(|s| s.failure).and_then(reproduction);
        let not_reproduced = match (&seen, found) {
            (None, _) => Some("the input shows no failure: the configuration reproduces the sign-in as it went, in scenario healthy".to_string()),
            (Some(s), None) => Some(format!(
                "{} has no mock-sts scenario{}: mock-sts reproduces {}; the tenant, apps and requests are set up all the same, so the replay shows what mock-sts answers instead",
                s.label,
                s.failure.and_then(nearest).map(|n| format!(" ({n})")).unwrap_or_default(),
                reproducible_list()
            )),
            (Some(_), Some(_)) => None,
        };
        let failing = seen
            .as_ref()
            .and_then(|s| s.entry)
            .and_then(|e| requests.iter().find(|r| r.entry == Some(e)))
            .cloned();
        let mut plan = Plan {
            input: input.to_string(),
            tenant_id,
            tenant_seen,
            domains,
            apps: Vec::new(),
            users,
            scenario: found.map_or("healthy", |r| r.scenario),
            reproduction: found,
            seen,
            not_reproduced,
            requests: Vec::new(),
            replay_secret: None,
            client_certificate_files: false,
            name_id_formats: facts.name_id_formats.clone(),
            token_versions: facts.token_versions.clone(),
            claim_names: facts.claim_names.clone(),
            kinds: facts.kinds.clone(),
            replaced_users: facts.users.len(),
            replaced_ids: facts.object_ids.len(),
        };
        for app in &facts.apps {
            plan.apps.push(planned_app(app, plan.apps.len()));
        }
        let surface = found.map(|r| r.surface);
        // A SAML failure needs a SAML app even when the input named none (a saved error page).
        if surface == Some(Surface::SamlSignIn)
            && !plan.apps.iter().any(|a| a.kind == AppKind::Saml)
        {
            plan.apps.push(planned_app(
                &AppFacts {
                    entity_id: Some(PLACEHOLDER_ENTITY.to_string()),
                    ..AppFacts::default()
                },
                plan.apps.len(),
            ));
        }
        if matches!(surface, Some(Surface::TokenEndpoint))
            && !plan.apps.iter().any(|a| a.kind == AppKind::Confidential)
        {
            plan.apps
                .push(planned_app(&AppFacts::default(), plan.apps.len()));
        }
        if let Some(r) = found {
            plan.shape_for(r, failing.as_ref());
        }
        if requests.is_empty() {
            requests.extend(plan.made_up_request(surface));
        }
        plan.requests = requests;
        plan.spa_platform();
        plan.link_fresh_codes();
        plan.register_client_certificate();
        if plan
            .requests
            .iter()
            .any(|r| r.form.iter().any(|(_, v)| *v == Param::ClientSecret))
        {
            let wrong = found.is_some_and(|r| r.fix == Fix::SendRightSecret);
            plan.replay_secret = if wrong {
                Some(placeholder::client_secret())
            } else {
                // The app the request names, registered now or by the fix (AADSTS700016).
                let named = plan.requests.iter().find_map(|r| {
                    r.form.iter().find_map(|(n, v)| match v {
                        Param::Text(id) if n == "client_id" => Some(id.clone()),
                        _ => None,
                    })
                });
                plan.apps
                    .iter()
                    .filter(|a| a.kind == AppKind::Confidential)
                    .find(|a| {
                        named
                            .as_deref()
                            .is_none_or(|n| a.client_id.eq_ignore_ascii_case(n))
                    })
                    .or_else(|| plan.apps.iter().find(|a| a.kind == AppKind::Confidential))
                    .and_then(|a| a.secret.clone())
            };
        }
        plan
    }

    /// Each authorization-code redemption gets the /authorize request replay.sh takes a fresh code from:
    /// the capture's last one before it for the same client (its parameters as replayed), else one made
    /// from the redemption's own parameters. The user signs in by `login_hint` (mock-sts's sign-in is not
    /// interactive), and a PKCE challenge is that of replay.sh's own verifier.
    fn link_fresh_codes(&mut self) {
        let user = self.users.first().cloned();
        for i in 0..self.requests.len() {
            let Some(redemption) = self.requests.get(i) else {
                continue;
            };
            if !redemption.form.iter().any(|(_, v)| *v == Param::FreshCode) {
                continue;
            }
            let text = |r: &Request, name: &str| -> Option<String> {
                r.query.iter().chain(&r.form).find_map(|(n, v)| match v {
                    Param::Text(t) if n == name => Some(t.clone()),
                    _ => None,
                })
            };
            let client = text(redemption, "client_id");
            let pkce = redemption
                .form
                .iter()
                .any(|(_, v)| *v == Param::CodeVerifier);
            let captured = self.requests[..i]
                .iter()
                .rev()
                .find(|r| r.endpoint == Endpoint::Authorize && text(r, "client_id") == client)
                .cloned();
            let mut authorize = match captured {
                Some(mut r) => {
                    r.changes.clear();
                    r.code_from = None;
                    r
                }
                None => {
                    let v1 = !redemption.path.contains("/v2.0/");
                    let tenant_path = redemption
                        .path
                        .split("/oauth2/")
                        .next()
                        .unwrap_or_default()
                        .to_string();
                    let mut query = vec![("response_type".to_string(), Param::Text("code".into()))];
                    for name in ["client_id", "redirect_uri", "scope", "resource"] {
                        if let Some(value) = text(redemption, name) {
                            query.push((name.to_string(), Param::Text(value)));
                        }
                    }
                    if !v1 && text(redemption, "scope").is_none() {
                        query.push(("scope".into(), Param::Text("openid".into())));
                    }
                    query.push(("state".into(), Param::Text(placeholder::token(32))));
                    Request {
                        entry: None,
                        method: "GET".into(),
                        endpoint: Endpoint::Authorize,
                        path: format!(
                            "{tenant_path}/oauth2/{}authorize",
                            if v1 { "" } else { "v2.0/" }
                        ),
                        query,
                        form: Vec::new(),
                        changes: Vec::new(),
                        code_from: None,
                        origin: None,
                    }
                }
            };
            authorize.query.retain(|(n, _)| {
                !matches!(
                    n.as_str(),
                    "prompt" | "code_challenge" | "code_challenge_method"
                )
            });
            if text(&authorize, "login_hint").is_none() {
                if let Some(u) = &user {
                    authorize
                        .query
                        .push(("login_hint".into(), Param::Text(u.clone())));
                }
            }
            if pkce {
                authorize
                    .query
                    .push(("code_challenge".into(), Param::CodeChallenge));
                authorize
                    .query
                    .push(("code_challenge_method".into(), Param::Text("S256".into())));
            }
            if let Some(r) = self.requests.get_mut(i) {
                r.code_from = Some(Box::new(authorize));
            }
        }
    }

    /// A redirect URI a browser redeemed a code for (the token request carried `Origin`) is registered on
    /// the single-page-app platform, as Entra's cross-origin rules require.
    fn spa_platform(&mut self) {
        let redeemed: Vec<(String, String)> = self
            .requests
            .iter()
            .filter(|r| r.endpoint == Endpoint::Token && r.origin.is_some())
            .filter_map(|r| {
                let text = |name: &str| {
                    r.form.iter().find_map(|(n, v)| match v {
                        Param::Text(t) if n == name => Some(t.clone()),
                        _ => None,
                    })
                };
                Some((text("client_id")?, text("redirect_uri")?))
            })
            .collect();
        for (client, uri) in redeemed {
            for app in self.apps.iter_mut().filter(|a| {
                a.kind == AppKind::Confidential && a.client_id.eq_ignore_ascii_case(&client)
            }) {
                app.redirect_uris.retain(|u| *u != uri);
                if !app.spa_redirect_uris.contains(&uri) {
                    app.spa_redirect_uris.push(uri.clone());
                }
            }
        }
    }

    /// When replay.sh signs client assertions: the certificate made here is registered on the app the
    /// requests name, unless not having it uploaded is the failure (AADSTS700027, key not found).
    fn register_client_certificate(&mut self) {
        let named: Vec<String> = self
            .requests
            .iter()
            .filter(|r| r.assertion().is_some())
            .filter_map(|r| {
                r.form.iter().find_map(|(n, v)| match v {
                    Param::Text(id) if n == "client_id" => Some(id.clone()),
                    _ => None,
                })
            })
            .collect();
        self.client_certificate_files = self.requests.iter().any(|r| r.assertion().is_some());
        if !self.client_certificate_files {
            return;
        }
        let not_uploaded = self
            .reproduction
            .is_some_and(|r| r.fix == Fix::UploadClientCertificate);
        let index = self
            .apps
            .iter()
            .position(|a| {
                a.kind == AppKind::Confidential
                    && named.iter().any(|n| a.client_id.eq_ignore_ascii_case(n))
            })
            .or_else(|| {
                self.apps
                    .iter()
                    .position(|a| a.kind == AppKind::Confidential)
            });
        if let Some(app) = index.and_then(|i| self.apps.get_mut(i)) {
            app.client_certificate = !not_uploaded;
        }
    }

    /// The app whose client certificate is the fix (AADSTS700027), or whose client signs assertions.
    pub(crate) fn assertion_app(&self) -> Option<&PlannedApp> {
        self.apps
            .iter()
            .find(|a| a.client_certificate)
            .or_else(|| self.fix_app())
    }

    /// The configuration fails the way the row says, and `#fix:` lines undo it.
    fn shape_for(&mut self, r: &Reproduction, failing: Option<&Request>) {
        let param = |name: &str| -> Option<String> {
            failing?
                .query
                .iter()
                .chain(&failing?.form)
                .find_map(|(n, v)| match v {
                    Param::Text(t) if n == name => Some(t.clone()),
                    _ => None,
                })
        };
        match r.fix {
            Fix::CustomSigningKey => {
                for app in self.apps.iter_mut().filter(|a| a.kind != AppKind::Saml) {
                    app.fix_lines.push("custom_signing_key = true".into());
                }
            }
            Fix::RegisterRedirectUri => {
                let saml = failing.is_some_and(|f| f.endpoint == Endpoint::Saml);
                let asked = param("redirect_uri");
                for app in &mut self.apps {
                    if saml && app.kind == AppKind::Saml {
                        // The ACS URL the request asked for is not registered: a placeholder is.
                        let captured: Vec<String> = app
                            .acs_url
                            .take()
                            .into_iter()
                            .chain(app.reply_urls.drain(..))
                            .collect();
                        app.acs_url = Some(PLACEHOLDER_ACS.to_string());
                        if !captured.is_empty() {
                            app.fix_lines
                                .push(format!("reply_urls = {}", toml_array(&captured)));
                        }
                    } else if let Some(uri) = &asked {
                        if app.redirect_uris.contains(uri) {
                            app.redirect_uris.retain(|u| u != uri);
                            let mut fixed = app.redirect_uris.clone();
                            fixed.push(uri.clone());
                            app.fix_lines
                                .push(format!("redirect_uris = {}", toml_array(&fixed)));
                        }
                    }
                }
            }
            Fix::RegisterApp => {
                // Entra's text names the identifier; keyprobe's own wording of the finding may not.
                let unknown = self
                    .seen
                    .as_ref()
                    .and_then(|s| {
                        s.entra_text
                            .as_deref()
                            .and_then(unknown_app_in)
                            .or_else(|| unknown_app_in(&s.message))
                    })
                    .map(str::to_string)
                    .or_else(|| param("client_id"));
                let saml_request = failing.is_some_and(|f| f.endpoint == Endpoint::Saml);
                for app in &mut self.apps {
                    let named = match unknown.as_deref() {
                        Some(u) => {
                            app.client_id.eq_ignore_ascii_case(u)
                                || app.entity_id.as_deref() == Some(u)
                        }
                        // A SAML request names its app by its Issuer, the SAML app's entity id.
                        None => saml_request && app.kind == AppKind::Saml,
                    };
                    if named {
                        app.registered = false;
                    }
                }
            }
            Fix::NewSamlCertificate
            | Fix::PublishNewKey
            | Fix::SendRightSecret
            | Fix::NewClientSecret
            | Fix::UploadClientCertificate
            | Fix::RenewClientCertificate
            | Fix::FreshClientAssertion => {}
        }
    }

    /// With no captured request (a saved page, an app registration, a token): the request the failure
    /// needs, made from the facts, so that replay.sh has something to send.
    fn made_up_request(&self, surface: Option<Surface>) -> Option<Request> {
        let path_tenant = self.tenant_id.clone();
        match surface {
            Some(Surface::SamlSignIn) => {
                let app = self.apps.iter().find(|a| a.kind == AppKind::Saml)?;
                let entity = app.entity_id.as_deref()?;
                let mut d = serde_json::Map::new();
                d.insert("issuer".into(), entity.into());
                d.insert("id".into(), format!("_{}", placeholder::token(32)).into());
                d.insert("issue_instant".into(), "2000-01-01T00:00:00Z".into());
                if let Some(acs) = app.acs_url.as_deref() {
                    d.insert("assertion_consumer_service_url".into(), acs.into());
                }
                // The app's own format (mock-sts.toml) answers a request that asks for none, as Entra's
                // "Unique User Identifier" does; a format the portal cannot set is asked for.
                if app.name_id_format.is_none() {
                    if let Some(f) = self.name_id_formats.first() {
                        d.insert("name_id_policy".into(), f.as_str().into());
                    }
                }
                let xml = super::replay::authn_request_xml(&d.into(), &Placeholders::default())?;
                let mut encoder =
                    flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
                std::io::Write::write_all(&mut encoder, xml.as_bytes()).ok()?;
                let deflated = encoder.finish().ok()?;
                Some(Request {
                    entry: None,
                    method: "GET".into(),
                    endpoint: Endpoint::Saml,
                    path: format!("/{path_tenant}/saml2"),
                    query: vec![(
                        "SAMLRequest".into(),
                        Param::Text(keyprobe_core::base64::encode_standard(&deflated)),
                    )],
                    form: Vec::new(),
                    changes: vec!["made up: the input carried no request, so this is a service provider's AuthnRequest for the app".into()],
                    code_from: None,
 origin: None,
                })
            }
            Some(Surface::TokenEndpoint) => {
                let app = self.apps.iter().find(|a| a.kind == AppKind::Confidential)?;
                let path = format!("/{path_tenant}/oauth2/v2.0/token");
                let assertion = self.reproduction.is_some_and(|r| {
                    matches!(
                        r.fix,
                        Fix::UploadClientCertificate
                            | Fix::RenewClientCertificate
                            | Fix::FreshClientAssertion
                    )
                });
                // The credential is the only difference: a client assertion where the fix is about the
                // app's certificate or assertion, else the app's secret.
                let (credential, change) = if assertion {
                    let shape = AssertionShape::made_up(
                        &app.client_id,
                        &path,
                        self.seen.as_ref().and_then(|s| s.entra_text.as_deref()),
                    );
                    (
                        vec![
                            (
                                "client_assertion_type".into(),
                                Param::Text(
                                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
                                        .into(),
                                ),
                            ),
                            ("client_assertion".into(), Param::ClientAssertion(shape)),
                        ],
                        "made up: the input carried no request, so this is a client-credentials token request for the app with a client assertion (replay.sh signs it with client-key.pem, made here)",
                    )
                } else {
                    (
                        vec![("client_secret".into(), Param::ClientSecret)],
                        "made up: the input carried no request, so this is a client-credentials token request for the app",
                    )
                };
                let mut form = vec![
                    (
                        "grant_type".into(),
                        Param::Text("client_credentials".into()),
                    ),
                    ("client_id".into(), Param::Text(app.client_id.clone())),
                ];
                form.extend(credential);
                form.push((
                    "scope".into(),
                    Param::Text(format!("api://{}/.default", app.client_id)),
                ));
                Some(Request {
                    entry: None,
                    method: "POST".into(),
                    endpoint: Endpoint::Token,
                    path,
                    query: Vec::new(),
                    form,
                    changes: vec![change.into()],
                    code_from: None,
                    origin: None,
                })
            }
            _ => None,
        }
    }

    /// The app the fix is applied to: the SAML app for SAML failures, else the first one registered.
    pub(crate) fn fix_app(&self) -> Option<&PlannedApp> {
        let saml = self
            .reproduction
            .is_some_and(|r| r.surface == Surface::SamlSignIn);
        self.apps
            .iter()
            .find(|a| (a.kind == AppKind::Saml) == saml && a.registered)
            .or_else(|| self.apps.iter().find(|a| a.registered))
    }

    /// The last line: the command that starts the reproduction, with a state directory of its
    /// own beside the configuration (fresh keys; the user's usual mock-sts state is left alone).
    pub(crate) fn command(&self, config: &std::path::Path) -> String {
        let quote =
            |p: &std::path::Path| super::replay::shell_quote_if_needed(&p.display().to_string());
        format!(
            "mock-sts --config {} --scenario {} --state-dir {}",
            quote(config),
            self.scenario,
            quote(&config.with_file_name("state"))
        )
    }
}

fn planned_app(app: &AppFacts, index: usize) -> PlannedApp {
    let saml = app.entity_id.is_some();
    let (client_id, client_id_seen) = match &app.client_id {
        Some(c) => (c.clone(), true),
        None => (placeholder::guid(), false),
    };
    let mut acs = app.acs_urls.iter();
    PlannedApp {
        display_name: app
            .display_name
            .clone()
            .unwrap_or_else(|| format!("Reproduced app {}", index + 1)),
        client_id,
        client_id_seen,
        kind: if saml {
            AppKind::Saml
        } else {
            AppKind::Confidential
        },
        entity_id: app.entity_id.clone(),
        acs_url: saml.then(|| {
            acs.next()
                .cloned()
                .unwrap_or_else(|| PLACEHOLDER_ACS.to_string())
        }),
        reply_urls: acs.cloned().collect(),
        redirect_uris: app.redirect_uris.clone(),
        spa_redirect_uris: Vec::new(),
        access_token_version: app.token_version,
        scopes: app.scopes.clone(),
        secret: (!saml).then(placeholder::client_secret),
        registered: true,
        client_certificate: false,
        fix_lines: Vec::new(),
        name_id_format: app
            .issued_name_id_format
            .as_deref()
            .filter(|_| saml && !app.name_id_requested)
            .and_then(keyprobe_core::claims::name_id_format_name),
        saml_attributes: {
            let names: Vec<&str> = app
                .saml_attributes
                .iter()
                .map(|(n, _)| n.as_str())
                .collect();
            if saml && !keyprobe_core::claims::is_default_attribute_set(&names) {
                app.saml_attributes.clone()
            } else {
                Vec::new()
            }
        },
        id_token_claims: app.id_token_claims.clone(),
        access_token_claims: app.access_token_claims.clone(),
    }
}

pub(crate) fn toml_string(text: &str) -> String {
    // A JSON string is a TOML basic string: the same escapes (\" \\ \n \uXXXX).
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

pub(crate) fn toml_array(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| toml_string(i)).collect();
    format!("[{}]", quoted.join(", "))
}

/// For a code mock-sts does not reproduce but comes close to: what it does instead, and why that is not
/// the same failure.
fn nearest(failure: Failure) -> Option<&'static str> {
    match failure {
        Failure::Aadsts(500031) => Some("its cause, a SAML app without a signing certificate, is scenario missing-signing-key, where mock-sts answers AADSTS50003 as Entra does for that app, not AADSTS500031; the fix is the same: a new SAML signing certificate, made active"),
        Failure::Aadsts(50013) => Some("mock-sts answers AADSTS50013 in every scenario to an on-behalf-of assertion signed with a key it does not have, but the captured assertion is a user's token, a credential that is never replayed, and no scenario makes a token mock-sts issues fail that way"),
        _ => None,
    }
}

/// The failures the table reproduces, for messages.
pub(crate) fn reproducible_list() -> String {
    let mut names: Vec<String> = Vec::new();
    for r in keyprobe_core::reproduce::REPRODUCTIONS {
        let name = match r.failure {
            Failure::Aadsts(code) | Failure::AadstsReason(code, _) => format!("AADSTS{code}"),
            Failure::RelyingParty(rp) => match rp {
                keyprobe_core::reproduce::RpFailure::SigningKeyNotPublished => {
                    "a relying party's key-not-found".to_string()
                }
                keyprobe_core::reproduce::RpFailure::SigningCertificateExpired => {
                    "an expired SAML signing certificate".to_string()
                }
            },
            Failure::AppSide(_) => continue,
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names.join(", ")
}
