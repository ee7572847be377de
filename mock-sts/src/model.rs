//! The directory the mock serves: tenants, their app registrations and users, as validated from the
//! configuration. Lookups follow Entra's rules (a tenant by GUID or verified domain, a resource by app ID URI
//! or client id, loopback redirect URIs matching on any port).

use keyprobe_core::thumbprint::CertThumbprints;
use serde::Serialize;
use time::OffsetDateTime;

use crate::util::derived_guid;

/// Microsoft Graph, the resource Entra picks when only OIDC scopes are asked for.
pub(crate) const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
pub(crate) const GRAPH_RESOURCE: &str = "https://graph.microsoft.com";
/// The tenant behind `/consumers` (personal Microsoft accounts).
pub(crate) const CONSUMERS_TENANT_ID: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Directory {
    pub tenants: Vec<Tenant>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Tenant {
    pub id: String,
    pub display_name: String,
    pub domains: Vec<String>,
    pub apps: Vec<App>,
    pub users: Vec<User>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum AppKind {
    Confidential,
    Public,
    Saml,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct App {
    pub client_id: String,
    /// The service principal's object id: `oid`/`sub` of app-only tokens.
    pub object_id: String,
    pub display_name: String,
    pub kind: AppKind,
    /// Redirect URIs of the Web platform (confidential apps) or of Mobile and desktop (public clients).
    pub redirect_uris: Vec<String>,
    /// Redirect URIs of the Single-page application platform: the only ones whose codes Entra lets a
    /// browser redeem cross-origin.
    pub spa_redirect_uris: Vec<String>,
    pub app_id_uris: Vec<String>,
    /// `accessTokenAcceptedVersion`: the version of access tokens issued for this app as a resource.
    pub access_token_version: u8,
    pub requires_custom_signing_key: bool,
    /// Whether the app has its own signing key (kept in the state directory, served with `?appid=`).
    pub custom_signing_key: bool,
    pub app_roles: Vec<String>,
    pub scopes: Vec<String>,
    pub secrets: Vec<ClientSecret>,
    pub certificates: Vec<RegisteredCertificate>,
    pub saml: Option<SamlRegistration>,
    /// Entra's optional claims (the manifest's `optionalClaims`) added to this app's tokens.
    #[serde(skip_serializing_if = "OptionalClaims::is_empty")]
    pub optional_claims: OptionalClaims,
}

/// The manifest's `optionalClaims`: claim names added to ID tokens issued to the app and to access
/// tokens issued for it (as the resource).
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct OptionalClaims {
    pub id_token: Vec<String>,
    pub access_token: Vec<String>,
}

impl OptionalClaims {
    pub(crate) fn is_empty(&self) -> bool {
        self.id_token.is_empty() && self.access_token.is_empty()
    }
}

/// A SAML attribute the app's assertions carry ("Attributes & Claims"): its name and the user attribute
/// its value comes from.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SamlAttribute {
    pub name: String,
    pub source: UserAttribute,
}

/// The user attributes a claim can take its value from (the portal's "Source attribute"), named as
/// [`keyprobe_core::claims::source`] names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UserAttribute {
    UserPrincipalName,
    Mail,
    GivenName,
    Surname,
    DisplayName,
    ObjectId,
}

impl UserAttribute {
    const ALL: [UserAttribute; 6] = [
        UserAttribute::UserPrincipalName,
        UserAttribute::Mail,
        UserAttribute::GivenName,
        UserAttribute::Surname,
        UserAttribute::DisplayName,
        UserAttribute::ObjectId,
    ];

    /// Its name in the configuration (`user.mail`).
    pub(crate) fn name(self) -> &'static str {
        use keyprobe_core::claims::source;
        match self {
            UserAttribute::UserPrincipalName => source::USER_PRINCIPAL_NAME,
            UserAttribute::Mail => source::MAIL,
            UserAttribute::GivenName => source::GIVEN_NAME,
            UserAttribute::Surname => source::SURNAME,
            UserAttribute::DisplayName => source::DISPLAY_NAME,
            UserAttribute::ObjectId => source::OBJECT_ID,
        }
    }

    /// The attribute a configuration name stands for.
    pub(crate) fn parse(name: &str) -> Option<UserAttribute> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The user's value; a user without a mail has none (Entra leaves the claim out).
    pub(crate) fn of(self, user: &User) -> Option<String> {
        match self {
            UserAttribute::UserPrincipalName => Some(user.user_principal_name.clone()),
            UserAttribute::Mail => user.email.clone(),
            UserAttribute::GivenName => Some(user.given_name.clone()),
            UserAttribute::Surname => Some(user.surname.clone()),
            UserAttribute::DisplayName => Some(user.display_name.clone()),
            UserAttribute::ObjectId => Some(user.object_id.clone()),
        }
    }
}

impl Serialize for UserAttribute {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ClientSecret {
    pub key_id: String,
    pub display_name: String,
    pub value: String,
    /// `startDateTime`: before it the secret is not valid.
    #[serde(with = "time::serde::rfc3339::option")]
    pub starts: Option<OffsetDateTime>,
    /// `endDateTime`: past it, AADSTS7000222.
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires: Option<OffsetDateTime>,
}

/// A certificate registered for client assertions (`private_key_jwt`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RegisteredCertificate {
    /// SHA-1, upper-case hex, as the portal shows it.
    pub thumbprint: String,
    /// Every spelling of its thumbprint (`x5t`, `x5t#S256`, hex), to find it by what a client sends.
    #[serde(skip)]
    pub thumbprints: CertThumbprints,
    #[serde(skip)]
    pub der: Vec<u8>,
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// The credential's `startDateTime` and `endDateTime` (the portal takes the certificate's dates;
    /// Graph accepts narrower ones): outside them, AADSTS700027 "The key used is expired".
    #[serde(with = "time::serde::rfc3339")]
    pub starts: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub expires: OffsetDateTime,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct SamlRegistration {
    pub entity_id: String,
    /// The default reply URL (ACS), used for IdP-initiated sign-in and when a request names none.
    pub acs_url: String,
    /// Every reply URL the app accepts, `acs_url` first.
    pub reply_urls: Vec<String>,
    pub signing: SamlSigning,
    /// The app's "Logout Url" (`logoutUrl`): where single logout answers; without one, Entra ends the
    /// session and stays on its signed-out page.
    pub logout_url: Option<String>,
    /// "Verification certificates (optional)": what signed AuthnRequests are checked against.
    pub request_verification: RequestVerification,
    /// "Unique User Identifier", Choose name identifier format: the NameID format (URN) issued when the
    /// AuthnRequest asks for none; `None` is Default (emailAddress for the UPN).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_id_format: Option<&'static str>,
    /// The claims the assertions carry after the directory's own; `None` is Entra's default set
    /// (givenname, surname, emailaddress, name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Vec<SamlAttribute>>,
}

/// The portal's "Verification certificates" blade (Graph `requestSignatureVerification`).
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct RequestVerification {
    /// "Require verification certificates" (`isSignedRequestRequired`).
    pub required: bool,
    /// "Allow requests signed with RSA-SHA1" (`allowedWeakAlgorithms = rsaSha1`).
    pub allow_sha1: bool,
    pub certificates: Vec<RegisteredCertificate>,
}

/// What Entra signs in a SAML Response (the portal's "Signing Option").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum SamlSigning {
    /// "Sign SAML assertion", Entra's default.
    #[default]
    Assertion,
    /// "Sign SAML response".
    Response,
    /// "Sign SAML response and assertion".
    Both,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct User {
    pub object_id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub given_name: String,
    pub surname: String,
    pub email: Option<String>,
    /// For the resource owner password grant; a user without one cannot use it (AADSTS50126).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// What the `{tenant}` path segment named.
#[derive(Debug, Clone, Copy)]
pub(crate) enum TenantSegment<'a> {
    Tenant(&'a Tenant),
    /// `common`, `organizations` or `consumers`: issuers carry the `{tenantid}` template.
    MultiTenant(&'a str),
}

impl TenantSegment<'_> {
    /// The tenant as Entra names it in errors: its GUID, or the multi-tenant alias.
    pub(crate) fn name(&self) -> String {
        match self {
            TenantSegment::Tenant(t) => t.id.clone(),
            TenantSegment::MultiTenant(name) => name.to_string(),
        }
    }
}

impl Directory {
    pub(crate) fn resolve(&self, segment: &str) -> Option<TenantSegment<'_>> {
        let lower = segment.to_ascii_lowercase();
        if matches!(lower.as_str(), "common" | "organizations" | "consumers") {
            return Some(TenantSegment::MultiTenant(match lower.as_str() {
                "common" => "common",
                "organizations" => "organizations",
                _ => "consumers",
            }));
        }
        self.tenants
            .iter()
            .find(|t| t.id == lower || t.domains.iter().any(|d| d.eq_ignore_ascii_case(segment)))
            .map(TenantSegment::Tenant)
    }

    /// The tenant whose app registration has this client id (for `common`/`organizations` requests).
    pub(crate) fn tenant_of_client(&self, client_id: &str) -> Option<&Tenant> {
        self.tenants.iter().find(|t| t.app(client_id).is_some())
    }

    pub(crate) fn default_tenant(&self) -> Option<&Tenant> {
        self.tenants.first()
    }

    pub(crate) fn app_anywhere(&self, client_id: &str) -> Option<(&Tenant, &App)> {
        self.tenants
            .iter()
            .find_map(|t| t.app(client_id).map(|a| (t, a)))
    }
}

/// The resource an access token is for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Resource<'a> {
    App(&'a App),
    Graph,
}

impl Tenant {
    pub(crate) fn app(&self, client_id: &str) -> Option<&App> {
        self.apps
            .iter()
            .find(|a| a.client_id.eq_ignore_ascii_case(client_id.trim()))
    }

    /// A resource by app ID URI, client id, or `api://{client id}`.
    pub(crate) fn resource(&self, identifier: &str) -> Option<Resource<'_>> {
        let identifier = identifier.trim_end_matches('/');
        if identifier.eq_ignore_ascii_case(GRAPH_RESOURCE)
            || identifier.eq_ignore_ascii_case(GRAPH_APP_ID)
        {
            return Some(Resource::Graph);
        }
        self.apps
            .iter()
            .find(|a| {
                a.client_id.eq_ignore_ascii_case(identifier)
                    || a.app_id_uris
                        .iter()
                        .any(|u| u.trim_end_matches('/') == identifier)
                    || identifier
                        .strip_prefix("api://")
                        .is_some_and(|id| a.client_id.eq_ignore_ascii_case(id))
            })
            .map(Resource::App)
    }

    /// A user by UPN, email or object id (case-insensitive, as `login_hint` is).
    pub(crate) fn user(&self, hint: &str) -> Option<&User> {
        let hint = hint.trim();
        self.users.iter().find(|u| {
            u.user_principal_name.eq_ignore_ascii_case(hint)
                || u.object_id.eq_ignore_ascii_case(hint)
                || u.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(hint))
        })
    }

    pub(crate) fn primary_domain(&self) -> &str {
        self.domains.first().map(String::as_str).unwrap_or(&self.id)
    }
}

/// The platform a redirect URI is registered under (the portal's "Add a platform"; Graph's `web`, `spa`
/// and `publicClient` redirect URI lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Platform {
    Web,
    Spa,
    PublicClient,
}

impl App {
    /// Entra's redirect URI rule: exact match, except that `http://localhost` and `http://127.0.0.1`
    /// registrations match any port.
    pub(crate) fn redirect_uri_registered(&self, candidate: &str) -> bool {
        self.redirect_platform(candidate).is_some()
    }

    /// The platform `candidate` is registered under: an exact match first, then a loopback one.
    pub(crate) fn redirect_platform(&self, candidate: &str) -> Option<Platform> {
        let own = match self.kind {
            AppKind::Public => Platform::PublicClient,
            AppKind::Confidential | AppKind::Saml => Platform::Web,
        };
        let lists = [
            (self.spa_redirect_uris.as_slice(), Platform::Spa),
            (self.redirect_uris.as_slice(), own),
        ];
        let find = |matches: &dyn Fn(&str) -> bool| {
            lists
                .iter()
                .find(|(uris, _)| uris.iter().any(|u| matches(u)))
                .map(|(_, platform)| *platform)
        };
        find(&|registered| registered == candidate)
            .or_else(|| find(&|registered| loopback_matches_any_port(registered, candidate)))
    }

    pub(crate) fn is_confidential(&self) -> bool {
        !matches!(self.kind, AppKind::Public)
    }
}

fn loopback_matches_any_port(registered: &str, candidate: &str) -> bool {
    let (Ok(registered), Ok(candidate)) = (url::Url::parse(registered), url::Url::parse(candidate))
    else {
        return false;
    };
    let loopback = matches!(
        registered.host_str(),
        Some("localhost") | Some("127.0.0.1") | Some("[::1]")
    );
    loopback
        && registered.scheme() == "http"
        && candidate.scheme() == "http"
        && registered.host_str() == candidate.host_str()
        && registered.port().is_none()
        && registered.path().trim_end_matches('/') == candidate.path().trim_end_matches('/')
}

/// The stable object id of an app's service principal or of a user without one configured.
pub(crate) fn object_id_for(kind: &str, tenant_id: &str, name: &str) -> String {
    derived_guid(&format!("mock-sts {kind} {tenant_id}"), name)
}
