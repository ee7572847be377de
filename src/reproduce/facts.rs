//! What a reproduction needs, read from the inspect layer's reports (never from the raw input): the
//! tenant, its domains, the apps (client ids, SAML entity ids, reply URLs, token versions), the users
//! seen (to be replaced), NameID formats, claim names and the failure.

use keyprobe_core::reproduce::{AppCause, Failure, RpFailure};
use serde_json::Value;

use crate::catalogue::FindingCode;
use crate::detect::Kind;
use crate::report::{Report, Verdict};

/// One app as the input shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AppFacts {
    pub client_id: Option<String>,
    pub entity_id: Option<String>,
    /// ACS URLs (SAML) in the order seen.
    pub acs_urls: Vec<String>,
    /// OAuth redirect URIs in the order seen.
    pub redirect_uris: Vec<String>,
    /// The access-token version its tokens carried (`ver`).
    pub token_version: Option<u8>,
    /// It authenticated with a secret or an assertion: a confidential client.
    pub confidential: bool,
    /// Display name from an app registration.
    pub display_name: Option<String>,
    /// Delegated scopes the app exposes, as requests name them (`api://{id}/access_as_user`).
    pub scopes: Vec<String>,
    /// Entra optional claims the app's ID tokens carried.
    pub id_token_claims: Vec<String>,
    /// Entra optional claims the access tokens for it (as the resource) carried.
    pub access_token_claims: Vec<String>,
    /// The NameID format its assertions carried.
    pub issued_name_id_format: Option<String>,
    /// An AuthnRequest for it asked for a NameID format (then the assertion's is the request's).
    pub name_id_requested: bool,
    /// Its assertions' attributes after the directory's own, in order: the name and the user attribute
    /// its value most likely came from (the value itself is not kept).
    pub saml_attributes: Vec<(String, &'static str)>,
}

/// The failure the input shows, as the inspect layer worded it.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    /// The failure in the shared table's terms, when it has a name there.
    pub failure: Option<Failure>,
    /// `AADSTS50003` or the finding code (`key-not-found`).
    pub label: String,
    /// Where it was (`capture.har#3.response.content`, or the flow's step).
    pub at: String,
    /// The capture's entry whose answer was the failure.
    pub entry: Option<usize>,
    /// The finding's message.
    pub message: String,
    /// Entra's own text (`error_description`), when the answer carried one.
    pub entra_text: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct Facts {
    pub tenant_id: Option<String>,
    pub domains: Vec<String>,
    pub apps: Vec<AppFacts>,
    /// User names and emails seen (originals: only ever used to find and replace them).
    pub users: Vec<String>,
    /// Object ids seen (users' and apps' `oid`, `sub`).
    pub object_ids: Vec<String>,
    pub name_id_formats: Vec<String>,
    pub token_versions: Vec<u8>,
    pub claim_names: Vec<String>,
    pub seen: Option<Seen>,
    /// The kinds of artifact read, for the README.
    pub kinds: Vec<&'static str>,
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    let value = value.trim();
    if !value.is_empty() && !list.iter().any(|v| v == value) {
        list.push(value.to_string());
    }
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// A decoded assertion's attributes that have a name, with it, in order.
fn named_attributes(assertion: &Value) -> impl Iterator<Item = (&str, &Value)> {
    assertion
        .get("attributes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|attribute| Some((str_at(attribute, "/name")?, attribute)))
}

/// `https://sts.windows.net/{tid}/`, `https://login.microsoftonline.com/{tid}/v2.0`, `/{tid}/saml2`: the
/// first path segment that is a GUID.
pub(crate) fn tenant_in_url(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let first = parsed.path_segments()?.next()?;
    is_guid(first).then(|| first.to_ascii_lowercase())
}

/// A domain as the first path segment of an Entra URL (`/contoso.com/saml2`).
pub(crate) fn domain_in_url(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let first = parsed.path_segments()?.next()?;
    let multi = ["common", "organizations", "consumers"];
    (first.contains('.')
        && !multi.contains(&first)
        && first
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'))
    .then(|| first.to_ascii_lowercase())
}

pub(crate) fn is_guid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// Claims that name the user (their values are replaced by placeholders).
const USER_CLAIMS: &[&str] = &[
    "upn",
    "unique_name",
    "preferred_username",
    "email",
    "login_hint",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn",
];

/// Claims that carry object ids.
const OBJECT_ID_CLAIMS: &[&str] = &[
    "oid",
    "sub",
    "http://schemas.microsoft.com/identity/claims/objectidentifier",
];

impl Facts {
    /// Updates the app with this client id or entity id, added when new.
    fn with_app(
        &mut self,
        client_id: Option<&str>,
        entity_id: Option<&str>,
        update: impl FnOnce(&mut AppFacts),
    ) {
        let fill = |app: &mut AppFacts| {
            if app.client_id.is_none() {
                app.client_id = client_id.map(|c| c.to_ascii_lowercase());
            }
            if app.entity_id.is_none() {
                app.entity_id = entity_id.map(str::to_string);
            }
        };
        let client_id_lower = client_id.map(str::to_ascii_lowercase);
        let found = self.apps.iter_mut().find(|a| {
            (client_id_lower.is_some() && a.client_id == client_id_lower)
                || (entity_id.is_some() && a.entity_id.as_deref() == entity_id)
        });
        match found {
            Some(app) => {
                fill(app);
                update(app);
            }
            None => {
                let mut app = AppFacts::default();
                fill(&mut app);
                update(&mut app);
                self.apps.push(app);
            }
        }
    }

    pub(crate) fn tenant(&mut self, id: &str) {
        if self.tenant_id.is_none() && is_guid(id) {
            self.tenant_id = Some(id.to_ascii_lowercase());
        }
    }

    pub(crate) fn domain(&mut self, domain: &str) {
        push_unique(&mut self.domains, &domain.to_ascii_lowercase());
    }

    pub(crate) fn user(&mut self, name: &str) {
        push_unique(&mut self.users, name);
    }

    /// A request to an identity endpoint: the tenant in its path, the app and URIs in its parameters.
    pub(crate) fn request(&mut self, url: &str, params: &[(String, String)]) {
        if let Some(t) = tenant_in_url(url) {
            self.tenant(&t);
        }
        if let Some(d) = domain_in_url(url) {
            self.domain(&d);
        }
        let get = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        if let Some(client) = get("client_id").filter(|c| is_guid(c)) {
            let redirect = get("redirect_uri").map(str::to_string);
            let confidential = get("client_secret").is_some() || get("client_assertion").is_some();
            self.with_app(Some(client), None, |app| {
                if let Some(r) = redirect {
                    push_unique(&mut app.redirect_uris, &r);
                }
                app.confidential |= confidential;
            });
        }
        // The resource a token is asked for: `api://{id}/.default`, `{id}/.default`, `resource`.
        let scopes = get("scope").unwrap_or_default().split_whitespace();
        for resource in scopes.chain(get("resource")) {
            let rest = resource.trim_start_matches("api://");
            let (id, scope) = rest.split_once('/').unwrap_or((rest, ""));
            if is_guid(id) {
                self.with_app(Some(id), None, |app| {
                    if !scope.is_empty() && scope != ".default" && scope != "user_impersonation" {
                        push_unique(&mut app.scopes, scope);
                    }
                });
            }
        }
        for name in ["login_hint", "username"] {
            if let Some(user) = get(name) {
                self.user(user);
            }
        }
    }

    /// Everything one report tells.
    pub(crate) fn report(&mut self, report: &Report) {
        let kind = report.kind.as_str();
        if !self.kinds.contains(&kind) {
            self.kinds.push(kind);
        }
        let d = &*report.decoded.as_value();
        match report.kind {
            Kind::SamlAuthnRequest => self.authn_request(d),
            Kind::SamlResponse | Kind::SamlAssertion => self.saml_response(report.kind, d),
            Kind::Jwt => self.jwt(d),
            Kind::AppRegistration => self.app_registration(d),
            _ => {}
        }
    }

    fn authn_request(&mut self, d: &Value) {
        let issuer = str_at(d, "/issuer");
        let acs = str_at(d, "/assertion_consumer_service_url").map(str::to_string);
        if let Some(dest) = str_at(d, "/destination") {
            if let Some(t) = tenant_in_url(dest) {
                self.tenant(&t);
            }
        }
        if let Some(format) = str_at(d, "/name_id_policy") {
            push_unique(&mut self.name_id_formats, format);
        }
        if let Some(name) = str_at(d, "/name_id") {
            self.user(name);
        }
        let requested = str_at(d, "/name_id_policy").is_some();
        if issuer.is_some() {
            self.with_app(None, issuer, |app| {
                if let Some(acs) = acs {
                    push_unique(&mut app.acs_urls, &acs);
                }
                app.name_id_requested |= requested;
            });
        }
    }

    fn saml_response(&mut self, kind: Kind, d: &Value) {
        let assertion = if kind == Kind::SamlResponse {
            d.get("assertion").unwrap_or(&Value::Null)
        } else {
            d
        };
        for issuer in [str_at(d, "/issuer"), str_at(assertion, "/issuer")]
            .into_iter()
            .flatten()
        {
            if let Some(t) = tenant_in_url(issuer) {
                self.tenant(&t);
            }
        }
        let audience = assertion
            .pointer("/conditions/audiences/0")
            .and_then(Value::as_str);
        let recipient = str_at(d, "/destination")
            .or_else(|| str_at(assertion, "/subject/confirmations/0/recipient"))
            .map(str::to_string);
        let issued_format = str_at(assertion, "/subject/name_id_format").map(str::to_string);
        let upn = str_at(assertion, "/subject/name_id").filter(|n| n.contains('@'));
        let mut attributes: Vec<(String, &'static str)> = Vec::new();
        for (name, attribute) in named_attributes(assertion) {
            if keyprobe_core::claims::SAML_DIRECTORY_ATTRIBUTES.contains(&name) {
                continue;
            }
            let first = attribute.pointer("/values/0").and_then(Value::as_str);
            if !attributes.iter().any(|(n, _)| n == name) {
                let source = keyprobe_core::claims::likely_source(name, first, upn);
                attributes.push((name.to_string(), source));
            }
        }
        if audience.is_some() {
            self.with_app(None, audience, |app| {
                if let Some(r) = recipient {
                    push_unique(&mut app.acs_urls, &r);
                }
                if app.issued_name_id_format.is_none() {
                    app.issued_name_id_format = issued_format;
                }
                if app.saml_attributes.is_empty() {
                    app.saml_attributes = attributes;
                }
            });
        }
        if let Some(format) = str_at(assertion, "/subject/name_id_format") {
            push_unique(&mut self.name_id_formats, format);
        }
        if let Some(name_id) = str_at(assertion, "/subject/name_id") {
            if is_guid(name_id) {
                push_unique(&mut self.object_ids, name_id);
            } else {
                self.user(name_id);
            }
        }
        for (name, attribute) in named_attributes(assertion) {
            push_unique(&mut self.claim_names, name);
            let values = attribute.get("values").and_then(Value::as_array);
            for value in values.into_iter().flatten().filter_map(Value::as_str) {
                if USER_CLAIMS.contains(&name) {
                    self.user(value);
                } else if OBJECT_ID_CLAIMS.contains(&name) && is_guid(value) {
                    push_unique(&mut self.object_ids, value);
                } else if name == "http://schemas.microsoft.com/identity/claims/tenantid" {
                    self.tenant(value);
                }
            }
        }
    }

    fn jwt(&mut self, d: &Value) {
        let Some(claims) = d.get("claims").and_then(Value::as_object) else {
            return;
        };
        let text = |name: &str| claims.get(name).and_then(Value::as_str);
        // A client assertion (`iss` = `sub`, the client) is not a token Entra issued: its claims are not
        // the app's claim set.
        let self_issued = text("iss").is_some() && text("iss") == text("sub");
        if !self_issued {
            for name in claims.keys() {
                push_unique(&mut self.claim_names, name);
            }
        }
        if let Some(tid) = text("tid") {
            self.tenant(tid);
        }
        if let Some(iss) = text("iss") {
            if let Some(t) = tenant_in_url(iss) {
                self.tenant(&t);
            }
        }
        let version = match text("ver") {
            Some("1.0") => Some(1),
            Some("2.0") => Some(2),
            _ => None,
        };
        if let Some(v) = version {
            if !self.token_versions.contains(&v) {
                self.token_versions.push(v);
            }
        }
        // The app the token is for: its audience, when that is a client id (v2) or `api://{id}`.
        let audience = match claims.get("aud") {
            Some(Value::String(a)) => Some(a.as_str()),
            Some(Value::Array(a)) => a.first().and_then(Value::as_str),
            _ => None,
        };
        let client = audience.map(|a| a.trim_start_matches("api://"));
        let access_token = claims.contains_key("scp") || claims.contains_key("roles");
        let optional: Vec<&String> = claims
            .keys()
            .filter(|n| keyprobe_core::claims::OPTIONAL_CLAIMS.contains(&n.as_str()))
            .collect();
        if let Some(client) = client.filter(|c| is_guid(c) && !self_issued) {
            self.with_app(Some(client), None, |app| {
                if app.token_version.is_none() {
                    app.token_version = version;
                }
                let list = if access_token {
                    &mut app.access_token_claims
                } else {
                    &mut app.id_token_claims
                };
                for name in optional {
                    push_unique(list, name);
                }
            });
        }
        for name in ["appid", "azp"] {
            if let Some(client) = text(name).filter(|c| is_guid(c)) {
                self.with_app(Some(client), None, |_| {});
            }
        }
        for name in USER_CLAIMS {
            if let Some(user) = text(name) {
                self.user(user);
            }
        }
        // A client assertion is issued by the app about itself (`iss` = `sub` = its client id): an app's
        // id, not a user's object id, and the configuration needs it as it is.
        let app_ids = [text("iss"), text("appid"), text("azp")];
        for name in OBJECT_ID_CLAIMS {
            if let Some(id) = text(name) {
                if !app_ids.iter().flatten().any(|a| a.eq_ignore_ascii_case(id)) {
                    push_unique(&mut self.object_ids, id);
                }
            }
        }
    }

    fn app_registration(&mut self, d: &Value) {
        let client = str_at(d, "/appId");
        let name = str_at(d, "/displayName").map(str::to_string);
        if let Some(client) = client.filter(|c| is_guid(c)) {
            self.with_app(Some(client), None, |app| {
                if app.display_name.is_none() {
                    app.display_name = name;
                }
            });
        }
        if let Some(oid) = str_at(d, "/id").filter(|o| is_guid(o)) {
            push_unique(&mut self.object_ids, oid);
        }
    }

    /// The failure: the capture's first failure when it named one, else the first report in error, else
    /// (a capture where nothing failed) a token whose key the key set fetched beside it lacks.
    /// `key_set_urls`: the entry and URL of each key-set request in the capture.
    pub(crate) fn failure(&mut self, reports: &[Report], key_set_urls: &[(usize, String)]) {
        let container = reports
            .first()
            .filter(|r| matches!(r.kind, Kind::Har | Kind::SamlTracer | Kind::HtmlForm));
        let container_view = container.map(|c| c.decoded.as_value());
        let first_failure = container_view
            .as_deref()
            .and_then(|c| c.get("first_failure"));
        let pick = first_failure
            .and_then(|f| str_at(f, "/artifact"))
            .and_then(|input| reports.iter().find(|r| r.input == input))
            .or_else(|| {
                reports
                    .iter()
                    .skip(usize::from(container.is_some()))
                    .find(|r| r.verdict == Verdict::Error)
            })
            .or_else(|| reports.first().filter(|r| r.verdict == Verdict::Error));
        let Some(report) = pick else {
            if let Some(c) = container {
                self.seen = unpublished_key(c, reports, key_set_urls);
            }
            return;
        };
        let Some(finding) = report.findings.first() else {
            return;
        };
        let entra_text =
            str_at(&report.decoded.as_value(), "/error_description").map(str::to_string);
        let code = finding
            .evidence
            .as_value()
            .get("aadsts")
            .and_then(Value::as_array)
            .and_then(|c| c.first())
            .and_then(Value::as_str)
            .and_then(|c| c.parse::<u32>().ok());
        let (failure, label) = match code {
            Some(code) => (
                Some(keyprobe_core::reproduce::aadsts_failure(
                    code,
                    entra_text.as_deref().unwrap_or_default(),
                )),
                format!("AADSTS{code}"),
            ),
            None => (
                failure_of(report.kind, finding.code),
                finding.code.as_str().to_string(),
            ),
        };
        let at = first_failure
            .and_then(|f| str_at(f, "/step"))
            .map(str::to_string)
            .unwrap_or_else(|| report.input.clone());
        let entry = first_failure
            .and_then(|f| f.get("entry"))
            .and_then(Value::as_u64)
            .and_then(|e| usize::try_from(e).ok());
        self.seen = Some(Seen {
            failure,
            label,
            at,
            entry,
            message: finding.message.clone(),
            entra_text,
        });
    }
}

/// The capture's entry an artifact came from (`sign-in.har#3.response.content.id_token`: 3).
fn entry_of(input: &str) -> Option<usize> {
    let rest = input.rsplit_once('#')?.1;
    rest.split('.').next()?.parse().ok()
}

/// A capture in which Entra answered without error, but a token it issued names a signing key that the
/// key set the same capture fetched from the token's tenant does not publish: a relying party checking
/// the token against that set finds no key (IDX10503 and the like), as in scenario
/// unpublished-signing-key. The key set is read as evidence of what the issuer published (which kids),
/// never as keys to trust: nothing is verified with it.
///
/// A key set fetched for one app (`keys?appid=…`: an app with its own signing key) is compared only with
/// tokens for that app (`aud`, `appid`, `azp`), as a relying party of another app would not use it.
fn unpublished_key(
    container: &Report,
    reports: &[Report],
    urls: &[(usize, String)],
) -> Option<Seen> {
    let container_view = container.decoded.as_value();
    let flow = container_view.get("flow")?.as_array()?;
    let step_of = |entry: usize| {
        flow.iter()
            .find(|s| s.get("entry").and_then(Value::as_u64) == Some(entry as u64))
    };
    // Each key set fetched in the capture: its tenant (from the request's path), the app it was fetched
    // for, where, and its key ids.
    let mut key_sets: Vec<(String, Option<String>, String, Vec<&str>)> = Vec::new();
    for r in reports.iter().filter(|r| r.kind == Kind::Jwks) {
        let entry = entry_of(&r.input);
        let Some(step) = entry.and_then(step_of) else {
            continue;
        };
        let for_app = urls
            .iter()
            .find(|(i, _)| Some(*i) == entry)
            .and_then(|(_, u)| url::Url::parse(u).ok())
            .and_then(|u| {
                u.query_pairs()
                    .find(|(k, _)| k.eq_ignore_ascii_case("appid"))
                    .map(|(_, v)| v.to_ascii_lowercase())
            });
        let path = str_at(step, "/path").unwrap_or_default();
        let Some(tenant) = path
            .split('/')
            .find(|s| is_guid(s))
            .map(str::to_ascii_lowercase)
        else {
            continue;
        };
        let ids = r
            .decoded
            .as_json()
            .and_then(|d| d.get("keys"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .flat_map(|k| [str_at(k, "/kid"), str_at(k, "/x5t")])
            .flatten()
            .collect();
        let at = format!(
            "#{} {} {}{path}",
            step.get("entry")
                .and_then(Value::as_u64)
                .unwrap_or_default(),
            str_at(step, "/method").unwrap_or("GET"),
            str_at(step, "/host").unwrap_or_default()
        );
        key_sets.push((tenant, for_app, at, ids));
    }
    for r in reports.iter().filter(|r| r.kind == Kind::Jwt) {
        if !r.input.contains(".response.") {
            continue;
        }
        let decoded = r.decoded.as_value();
        let Some(kid) = str_at(&decoded, "/header/kid").or_else(|| str_at(&decoded, "/header/x5t"))
        else {
            continue;
        };
        let Some(tenant) = str_at(&decoded, "/claims/tid")
            .filter(|t| is_guid(t))
            .map(str::to_ascii_lowercase)
            .or_else(|| str_at(&decoded, "/claims/iss").and_then(tenant_in_url))
        else {
            continue;
        };
        let apps: Vec<String> = ["aud", "appid", "azp"]
            .iter()
            .filter_map(|c| str_at(&decoded, &format!("/claims/{c}")))
            .map(|a| a.strip_prefix("api://").unwrap_or(a).to_ascii_lowercase())
            .collect();
        let sets: Vec<_> = key_sets
            .iter()
            .filter(|(t, app, _, _)| *t == tenant && app.as_ref().is_none_or(|a| apps.contains(a)))
            .collect();
        if sets.is_empty() || sets.iter().any(|(_, _, _, ids)| ids.contains(&kid)) {
            continue;
        }
        let entry = entry_of(&r.input);
        let step = entry.and_then(step_of);
        let at = match step {
            Some(s) => format!(
                "#{} {} {}{}{}",
                entry.unwrap_or_default(),
                str_at(s, "/method").unwrap_or_default(),
                str_at(s, "/host").unwrap_or_default(),
                str_at(s, "/path").unwrap_or_default(),
                s.get("status")
                    .and_then(Value::as_u64)
                    .map(|c| format!(" → {c}"))
                    .unwrap_or_default()
            ),
            None => r.input.clone(),
        };
        let token = r.input.rsplit('.').next().unwrap_or("token");
        let fetched: Vec<&str> = sets.iter().map(|(_, _, at, _)| at.as_str()).collect();
        return Some(Seen {
            failure: Some(Failure::RelyingParty(RpFailure::SigningKeyNotPublished)),
            label: "key-not-found".to_string(),
            at,
            entry,
            message: format!(
                "the {token} Entra issued names signing key '{kid}', which the key set this capture fetched from its tenant ({}) does not publish, so a relying party checking it against that set finds no key (IDX10503 in .NET); the key set is compared as evidence, never trusted{}",
                fetched.join(", "),
                if sets.iter().any(|(_, app, _, _)| app.is_some()) {
                    ""
                } else {
                    ". If the app has its own signing key (claims mapping), its key set is the one fetched with ?appid= and the app's client id"
                }
            ),
            entra_text: None,
        });
    }
    None
}

/// A failure without an AADSTS code, by the finding that names its cause.
fn failure_of(kind: Kind, code: FindingCode) -> Option<Failure> {
    match (kind, code) {
        (Kind::AppRegistration | Kind::SamlMetadata, FindingCode::NoSigningKeys) => {
            Some(Failure::AppSide(AppCause::NoSamlSigningKey))
        }
        (Kind::AppRegistration, FindingCode::SigningKeyDangling) => {
            Some(Failure::AppSide(AppCause::DanglingSigningKey))
        }
        (_, FindingCode::KeyNotFound) => {
            Some(Failure::RelyingParty(RpFailure::SigningKeyNotPublished))
        }
        (_, FindingCode::CertExpired) => {
            Some(Failure::RelyingParty(RpFailure::SigningCertificateExpired))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenants_and_domains_from_urls() {
        assert_eq!(
            tenant_in_url("https://sts.windows.net/7F3C1A2B-4D5E-4F60-8A9B-0C1D2E3F4A5B/")
                .as_deref(),
            Some("7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b")
        );
        assert_eq!(
            domain_in_url("https://login.microsoftonline.com/contoso.com/saml2").as_deref(),
            Some("contoso.com")
        );
        assert_eq!(
            domain_in_url("https://login.microsoftonline.com/common/oauth2/v2.0/token"),
            None
        );
    }
}
