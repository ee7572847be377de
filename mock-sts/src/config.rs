//! Configuration: the TOML file format (or the embedded default) and its validation into a [`Directory`].
//! Every problem is reported with the path of the field, e.g. `tenants[0].apps[1].client_id`.

use keyprobe_core::thumbprint::CertThumbprints;
use std::path::{Path, PathBuf};

use openssl::x509::X509;
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::model::{
    object_id_for, App, AppKind, ClientSecret, Directory, OptionalClaims, RegisteredCertificate,
    RequestVerification, SamlAttribute, SamlRegistration, SamlSigning, Tenant, User, UserAttribute,
};
use crate::util::{derived_guid, is_guid};

/// The embedded default configuration (TOML): one tenant with the apps and users the SPEC lists.
pub const DEFAULT_CONFIG: &str = include_str!("default-config.toml");

/// Why a configuration was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Not TOML, or not the configuration's shape (an unknown or mistyped field).
    #[error("{origin}: {message}")]
    Syntax {
        /// Where the text came from (a path or a name).
        origin: String,
        /// The TOML parser's message, with line and column.
        message: String,
    },
    /// Well-formed, but a value is not acceptable.
    #[error("{origin}: {field}: {problem}")]
    Invalid {
        /// Where the text came from (a path or a name).
        origin: String,
        /// The field's path, e.g. `tenants[0].apps[1].client_id`.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    signing_keys: Option<SigningKeysConfig>,
    tenants: Vec<TenantConfig>,
}

/// Tenant signing keys from files (certificate and RSA private key in one PEM), instead of the ones made
/// and kept in the state directory. Paths are relative to the configuration file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SigningKeysConfig {
    current: Option<PathBuf>,
    next: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantConfig {
    id: String,
    display_name: Option<String>,
    #[serde(default)]
    domains: Vec<String>,
    #[serde(default)]
    apps: Vec<AppConfig>,
    #[serde(default)]
    users: Vec<UserConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AppConfig {
    client_id: String,
    object_id: Option<String>,
    display_name: Option<String>,
    kind: AppKind,
    #[serde(default)]
    redirect_uris: Vec<String>,
    /// Redirect URIs of the Single-page application platform.
    #[serde(default)]
    spa_redirect_uris: Vec<String>,
    #[serde(default)]
    app_id_uris: Vec<String>,
    access_token_version: Option<u8>,
    #[serde(default)]
    requires_custom_signing_key: bool,
    #[serde(default)]
    custom_signing_key: bool,
    #[serde(default)]
    app_roles: Vec<String>,
    #[serde(default)]
    scopes: Vec<String>,
    #[serde(default)]
    secrets: Vec<SecretConfig>,
    #[serde(default)]
    certificates: Vec<CertificateConfig>,
    saml: Option<SamlConfig>,
    /// Entra's optional claims: `{ id_token = ["email"], access_token = ["upn"] }`.
    #[serde(default)]
    optional_claims: OptionalClaimsConfig,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct OptionalClaimsConfig {
    #[serde(default)]
    id_token: Vec<String>,
    #[serde(default)]
    access_token: Vec<String>,
}

/// A SAML attribute: `{ name = "http://…/emailaddress", source = "user.mail" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SamlAttributeConfig {
    name: String,
    source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretConfig {
    value: String,
    key_id: Option<String>,
    display_name: Option<String>,
    /// `startDateTime`, RFC 3339.
    starts: Option<String>,
    /// `endDateTime`, RFC 3339.
    expires: Option<String>,
}

/// A certificate for client assertions: inline PEM or a file (relative to the config file), with the
/// credential's dates when they are not the certificate's own.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CertificateConfig {
    pem: Option<String>,
    path: Option<PathBuf>,
    starts: Option<String>,
    expires: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SamlConfig {
    entity_id: String,
    acs_url: String,
    /// More reply URLs besides `acs_url`.
    #[serde(default)]
    reply_urls: Vec<String>,
    /// `assertion` (default), `response` or `both`.
    #[serde(default)]
    signing: SamlSigning,
    /// The app's `logoutUrl`: where single logout sends the LogoutResponse.
    logout_url: Option<String>,
    /// Certificates signed AuthnRequests are verified against ("Verification certificates").
    #[serde(default)]
    verification_certificates: Vec<CertificateConfig>,
    /// "Require verification certificates": unsigned or wrongly signed requests are refused.
    #[serde(default)]
    require_signed_requests: bool,
    /// "Allow requests signed with RSA-SHA1"; otherwise only RSA-SHA256 is accepted.
    #[serde(default)]
    allow_sha1_request_signatures: bool,
    /// "Choose name identifier format": `default`, `emailAddress`, `persistent`, `unspecified` or
    /// `windowsDomainQualifiedName` (Graph's samlNameIDFormat), or the format's URN.
    name_id_format: Option<String>,
    /// The attributes after the directory's own, instead of Entra's default four.
    attributes: Option<Vec<SamlAttributeConfig>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UserConfig {
    user_principal_name: String,
    display_name: String,
    object_id: Option<String>,
    given_name: Option<String>,
    surname: Option<String>,
    email: Option<String>,
    /// For the resource owner password grant.
    password: Option<String>,
}

/// A validated configuration and where it came from.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub(crate) origin: String,
    pub(crate) directory: Directory,
    pub(crate) signing_keys: SigningKeyFiles,
}

/// Signing keys given by the configuration, as validated PEM (certificate then private key).
#[derive(Debug, Clone, Default)]
pub(crate) struct SigningKeyFiles {
    pub current: Option<(PathBuf, Vec<u8>)>,
    pub next: Option<(PathBuf, Vec<u8>)>,
}

impl LoadedConfig {
    /// The configuration built into the binary ([`DEFAULT_CONFIG`]).
    pub fn embedded_default() -> Result<Self, ConfigError> {
        parse(DEFAULT_CONFIG, "embedded default configuration", None)
    }

    /// Parse and validate TOML text; `origin` names it in errors and `base_dir` resolves relative
    /// certificate paths.
    pub fn parse(text: &str, origin: &str, base_dir: Option<&Path>) -> Result<Self, ConfigError> {
        parse(text, origin, base_dir)
    }

    /// Read, parse and validate a TOML file; certificate paths in it are relative to its directory.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        parse(&text, &path.display().to_string(), path.parent())
    }
}

/// Parse and validate TOML text; `base_dir` resolves relative certificate paths.
pub(crate) fn parse(
    text: &str,
    origin: &str,
    base_dir: Option<&Path>,
) -> Result<LoadedConfig, ConfigError> {
    let file: ConfigFile = toml::from_str(text).map_err(|err| ConfigError::Syntax {
        origin: origin.to_string(),
        message: err.to_string(),
    })?;
    let validator = Validator { origin, base_dir };
    let signing_keys = match &file.signing_keys {
        Some(keys) => SigningKeyFiles {
            current: validator.signing_key("signing_keys.current", keys.current.as_deref())?,
            next: validator.signing_key("signing_keys.next", keys.next.as_deref())?,
        },
        None => SigningKeyFiles::default(),
    };
    Ok(LoadedConfig {
        origin: origin.to_string(),
        signing_keys,
        directory: validator.directory(file)?,
    })
}

struct Validator<'a> {
    origin: &'a str,
    base_dir: Option<&'a Path>,
}

impl Validator<'_> {
    fn invalid(&self, field: impl Into<String>, problem: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            origin: self.origin.to_string(),
            field: field.into(),
            problem: problem.into(),
        }
    }

    fn directory(&self, file: ConfigFile) -> Result<Directory, ConfigError> {
        if file.tenants.is_empty() {
            return Err(self.invalid("tenants", "at least one tenant is needed"));
        }
        let mut tenants = Vec::new();
        let mut client_ids: Vec<String> = Vec::new();
        for (t_index, raw) in file.tenants.into_iter().enumerate() {
            let at = format!("tenants[{t_index}]");
            let tenant = self.tenant(raw, &at)?;
            if tenants.iter().any(|other: &Tenant| other.id == tenant.id) {
                return Err(self.invalid(
                    format!("{at}.id"),
                    format!("tenant '{}' is defined twice", tenant.id),
                ));
            }
            for domain in &tenant.domains {
                if tenants.iter().any(|other: &Tenant| {
                    other.domains.iter().any(|d| d.eq_ignore_ascii_case(domain))
                }) {
                    return Err(self.invalid(
                        format!("{at}.domains"),
                        format!("domain '{domain}' belongs to two tenants"),
                    ));
                }
            }
            for (a_index, app) in tenant.apps.iter().enumerate() {
                if client_ids.contains(&app.client_id) {
                    return Err(self.invalid(
                        format!("{at}.apps[{a_index}].client_id"),
                        format!("client id '{}' is used twice", app.client_id),
                    ));
                }
                client_ids.push(app.client_id.clone());
            }
            tenants.push(tenant);
        }
        Ok(Directory { tenants })
    }

    fn resolve(&self, path: &Path) -> PathBuf {
        match self.base_dir {
            Some(dir) if path.is_relative() => dir.join(path),
            _ => path.to_path_buf(),
        }
    }

    fn signing_key(
        &self,
        field: &str,
        path: Option<&Path>,
    ) -> Result<Option<(PathBuf, Vec<u8>)>, ConfigError> {
        let Some(path) = path else { return Ok(None) };
        let path = self.resolve(path);
        let pem = std::fs::read(&path)
            .map_err(|err| self.invalid(field, format!("cannot read {}: {err}", path.display())))?;
        crate::keys::SigningKey::from_pem(&pem, &path)
            .map_err(|err| self.invalid(field, err.to_string()))?;
        Ok(Some((path, pem)))
    }

    fn guid(&self, field: &str, value: &str) -> Result<String, ConfigError> {
        if is_guid(value) {
            Ok(value.to_ascii_lowercase())
        } else {
            Err(self.invalid(
                field,
                format!("'{value}' is not a GUID (like 7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b)"),
            ))
        }
    }

    fn tenant(&self, raw: TenantConfig, at: &str) -> Result<Tenant, ConfigError> {
        let id = self.guid(&format!("{at}.id"), &raw.id)?;
        for (index, domain) in raw.domains.iter().enumerate() {
            let valid = !domain.is_empty()
                && domain.contains('.')
                && domain
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
            if !valid {
                return Err(self.invalid(
                    format!("{at}.domains[{index}]"),
                    format!("'{domain}' is not a domain name"),
                ));
            }
        }
        let mut apps = Vec::new();
        for (index, app) in raw.apps.into_iter().enumerate() {
            apps.push(self.app(app, &id, &format!("{at}.apps[{index}]"))?);
        }
        let mut users: Vec<User> = Vec::new();
        for (index, user) in raw.users.into_iter().enumerate() {
            let field = format!("{at}.users[{index}]");
            let user = self.user(user, &id, &field)?;
            if users.iter().any(|u| {
                u.user_principal_name
                    .eq_ignore_ascii_case(&user.user_principal_name)
            }) {
                return Err(self.invalid(format!("{field}.user_principal_name"), "defined twice"));
            }
            users.push(user);
        }
        Ok(Tenant {
            display_name: raw
                .display_name
                .unwrap_or_else(|| "mock-sts tenant".to_string()),
            id,
            domains: raw.domains,
            apps,
            users,
        })
    }

    fn app(&self, raw: AppConfig, tenant_id: &str, at: &str) -> Result<App, ConfigError> {
        let client_id = self.guid(&format!("{at}.client_id"), &raw.client_id)?;
        let object_id = match raw.object_id {
            Some(oid) => self.guid(&format!("{at}.object_id"), &oid)?,
            None => object_id_for("service-principal", tenant_id, &client_id),
        };
        self.absolute_uris(&format!("{at}.redirect_uris"), &raw.redirect_uris)?;
        self.absolute_uris(&format!("{at}.spa_redirect_uris"), &raw.spa_redirect_uris)?;
        if let Some(uri) = raw
            .spa_redirect_uris
            .iter()
            .find(|uri| raw.redirect_uris.contains(uri))
        {
            // The portal refuses a URI under two platforms.
            return Err(self.invalid(
                format!("{at}.spa_redirect_uris"),
                format!("'{uri}' is also in redirect_uris; a redirect URI has one platform"),
            ));
        }
        self.absolute_uris(&format!("{at}.app_id_uris"), &raw.app_id_uris)?;
        let access_token_version = match raw.access_token_version {
            None => 1, // Entra's default when accessTokenAcceptedVersion is null
            Some(v @ (1 | 2)) => v,
            Some(other) => {
                return Err(self.invalid(
                    format!("{at}.access_token_version"),
                    format!("{other} is not 1 or 2"),
                ))
            }
        };
        if raw.kind == AppKind::Public && !raw.secrets.is_empty() {
            return Err(self.invalid(
                format!("{at}.secrets"),
                "a public client cannot have secrets",
            ));
        }
        let saml = match (raw.kind, raw.saml) {
            (AppKind::Saml, None) => {
                return Err(self.invalid(
                    format!("{at}.saml"),
                    "a SAML app needs entity_id and acs_url",
                ))
            }
            (_, Some(saml)) => Some(self.saml(saml, &format!("{at}.saml"))?),
            (_, None) => None,
        };
        let secrets = raw
            .secrets
            .into_iter()
            .enumerate()
            .map(|(index, secret)| {
                let field = format!("{at}.secrets[{index}]");
                self.secret(secret, &format!("{client_id}/{index}"), &field)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let certificates = raw
            .certificates
            .into_iter()
            .enumerate()
            .map(|(index, cert)| self.certificate(cert, &format!("{at}.certificates[{index}]")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(App {
            display_name: raw.display_name.unwrap_or_else(|| client_id.clone()),
            client_id,
            object_id,
            kind: raw.kind,
            redirect_uris: raw.redirect_uris,
            spa_redirect_uris: raw.spa_redirect_uris,
            app_id_uris: raw.app_id_uris,
            access_token_version,
            requires_custom_signing_key: raw.requires_custom_signing_key,
            custom_signing_key: raw.custom_signing_key,
            app_roles: raw.app_roles,
            scopes: raw.scopes,
            secrets,
            certificates,
            saml,
            optional_claims: OptionalClaims {
                id_token: self.optional_claims(
                    &format!("{at}.optional_claims.id_token"),
                    raw.optional_claims.id_token,
                )?,
                access_token: self.optional_claims(
                    &format!("{at}.optional_claims.access_token"),
                    raw.optional_claims.access_token,
                )?,
            },
        })
    }

    /// Optional claims mock-sts can issue, each once.
    fn optional_claims(&self, at: &str, names: Vec<String>) -> Result<Vec<String>, ConfigError> {
        let mut out: Vec<String> = Vec::new();
        for (index, name) in names.into_iter().enumerate() {
            if !keyprobe_core::claims::OPTIONAL_CLAIMS.contains(&name.as_str()) {
                return Err(self.invalid(
                    format!("{at}[{index}]"),
                    format!(
                        "'{name}' is not an optional claim mock-sts issues (it issues {})",
                        keyprobe_core::claims::OPTIONAL_CLAIMS.join(", ")
                    ),
                ));
            }
            if !out.contains(&name) {
                out.push(name);
            }
        }
        Ok(out)
    }

    /// Every entry of the list at `field` must be an absolute URI.
    fn absolute_uris(&self, field: &str, uris: &[String]) -> Result<(), ConfigError> {
        let not_absolute = uris
            .iter()
            .enumerate()
            .find(|(_, uri)| url::Url::parse(uri).is_err());
        match not_absolute {
            Some((index, uri)) => Err(self.invalid(
                format!("{field}[{index}]"),
                format!("'{uri}' is not an absolute URI"),
            )),
            None => Ok(()),
        }
    }

    /// The SAML side of an app; the reply URLs start with `acs_url`, each listed once.
    fn saml(&self, raw: SamlConfig, at: &str) -> Result<SamlRegistration, ConfigError> {
        if url::Url::parse(&raw.acs_url).is_err() {
            return Err(self.invalid(
                format!("{at}.acs_url"),
                format!("'{}' is not an absolute URI", raw.acs_url),
            ));
        }
        if raw.entity_id.trim().is_empty() {
            return Err(self.invalid(format!("{at}.entity_id"), "must not be empty"));
        }
        self.absolute_uris(&format!("{at}.reply_urls"), &raw.reply_urls)?;
        if let Some(logout_url) = raw.logout_url.as_deref() {
            if url::Url::parse(logout_url).is_err() {
                return Err(self.invalid(
                    format!("{at}.logout_url"),
                    format!("'{logout_url}' is not an absolute URI"),
                ));
            }
        }
        let mut reply_urls = vec![raw.acs_url.clone()];
        reply_urls.extend(raw.reply_urls.into_iter().filter(|u| *u != raw.acs_url));
        let certificates = raw
            .verification_certificates
            .into_iter()
            .enumerate()
            .map(|(index, cert)| {
                self.certificate(cert, &format!("{at}.verification_certificates[{index}]"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let name_id_format = match raw.name_id_format.as_deref() {
            None => None,
            Some(text) => match keyprobe_core::claims::configurable_name_id_format(text) {
                Some(Some(urn)) => Some(urn),
                Some(None) => None,
                None => {
                    return Err(self.invalid(
                        format!("{at}.name_id_format"),
                        format!(
                            "'{text}' is not a format Entra's Unique User Identifier offers ({})",
                            keyprobe_core::claims::NAME_ID_FORMAT_NAMES.join(", ")
                        ),
                    ))
                }
            },
        };
        let attributes = match raw.attributes {
            None => None,
            Some(list) => {
                let mut out: Vec<SamlAttribute> = Vec::new();
                for (index, a) in list.into_iter().enumerate() {
                    let field = format!("{at}.attributes[{index}].name");
                    if a.name.trim().is_empty() {
                        return Err(self.invalid(field, "must not be empty"));
                    }
                    if a.name.contains(['<', '>', '"', '&']) {
                        return Err(self.invalid(field, "must not hold < > \" or &"));
                    }
                    if out.iter().any(|o| o.name == a.name) {
                        return Err(self.invalid(field, format!("'{}' is given twice", a.name)));
                    }
                    let Some(source) = UserAttribute::parse(&a.source) else {
                        return Err(self.invalid(
                            format!("{at}.attributes[{index}].source"),
                            format!(
                                "'{}' is not a source attribute mock-sts has ({})",
                                a.source,
                                keyprobe_core::claims::source::ALL.join(", ")
                            ),
                        ));
                    };
                    out.push(SamlAttribute {
                        name: a.name,
                        source,
                    });
                }
                Some(out)
            }
        };
        Ok(SamlRegistration {
            name_id_format,
            attributes,
            entity_id: raw.entity_id,
            acs_url: raw.acs_url,
            reply_urls,
            signing: raw.signing,
            logout_url: raw.logout_url,
            request_verification: RequestVerification {
                required: raw.require_signed_requests,
                allow_sha1: raw.allow_sha1_request_signatures,
                certificates,
            },
        })
    }

    /// A client secret; without a `key_id`, one derived from `name` stays the same across runs.
    fn secret(&self, raw: SecretConfig, name: &str, at: &str) -> Result<ClientSecret, ConfigError> {
        if raw.value.is_empty() {
            return Err(self.invalid(format!("{at}.value"), "must not be empty"));
        }
        let starts = self.time(&format!("{at}.starts"), raw.starts)?;
        let expires = self.time(&format!("{at}.expires"), raw.expires)?;
        if let (Some(starts), Some(expires)) = (starts, expires) {
            if expires <= starts {
                return Err(self.invalid(format!("{at}.expires"), "must be after starts"));
            }
        }
        let key_id = match raw.key_id {
            Some(id) => self.guid(&format!("{at}.key_id"), &id)?,
            None => derived_guid("mock-sts secret", name),
        };
        Ok(ClientSecret {
            key_id,
            display_name: raw.display_name.unwrap_or_default(),
            value: raw.value,
            starts,
            expires,
        })
    }

    fn time(
        &self,
        field: &str,
        text: Option<String>,
    ) -> Result<Option<OffsetDateTime>, ConfigError> {
        let Some(text) = text else { return Ok(None) };
        OffsetDateTime::parse(&text, &Rfc3339)
            .map(Some)
            .map_err(|_| {
                self.invalid(
                    field,
                    format!("'{text}' is not an RFC 3339 time like 2030-01-01T00:00:00Z"),
                )
            })
    }

    fn certificate(
        &self,
        raw: CertificateConfig,
        at: &str,
    ) -> Result<RegisteredCertificate, ConfigError> {
        let pem = match (raw.pem, raw.path) {
            (Some(pem), None) => pem.into_bytes(),
            (None, Some(path)) => {
                let path = self.resolve(&path);
                std::fs::read(&path).map_err(|err| {
                    self.invalid(
                        format!("{at}.path"),
                        format!("cannot read {}: {err}", path.display()),
                    )
                })?
            }
            _ => return Err(self.invalid(at, "give exactly one of pem or path")),
        };
        let cert = X509::from_pem(&pem)
            .or_else(|_| X509::from_der(&pem))
            .map_err(|_| self.invalid(at, "not a PEM or DER X.509 certificate"))?;
        let mut registered = registered_certificate(&cert)
            .ok_or_else(|| self.invalid(at, "the certificate cannot be encoded"))?;
        // Graph refuses a key credential whose dates reach outside the certificate's ("Key credential
        // end date is invalid").
        if let Some(starts) = self.time(&format!("{at}.starts"), raw.starts)? {
            if starts < registered.not_before {
                return Err(self.invalid(
                    format!("{at}.starts"),
                    "before the certificate's notBefore; Graph refuses such a key credential",
                ));
            }
            registered.starts = starts;
        }
        if let Some(expires) = self.time(&format!("{at}.expires"), raw.expires)? {
            if expires > registered.not_after {
                return Err(self.invalid(
                    format!("{at}.expires"),
                    "after the certificate's notAfter; Graph refuses such a key credential",
                ));
            }
            registered.expires = expires;
        }
        if registered.expires <= registered.starts {
            return Err(self.invalid(format!("{at}.expires"), "must be after starts"));
        }
        Ok(registered)
    }

    fn user(&self, raw: UserConfig, tenant_id: &str, at: &str) -> Result<User, ConfigError> {
        if !raw.user_principal_name.contains('@') {
            return Err(self.invalid(
                format!("{at}.user_principal_name"),
                format!(
                    "'{}' is not a UPN like alice@contoso.onmicrosoft.com",
                    raw.user_principal_name
                ),
            ));
        }
        let object_id = match raw.object_id {
            Some(oid) => self.guid(&format!("{at}.object_id"), &oid)?,
            None => object_id_for(
                "user",
                tenant_id,
                &raw.user_principal_name.to_ascii_lowercase(),
            ),
        };
        if raw.password.as_deref() == Some("") {
            return Err(self.invalid(format!("{at}.password"), "must not be empty"));
        }
        let mut names = raw.display_name.split_whitespace();
        let first = names.next().unwrap_or_default().to_string();
        let last = names.last().unwrap_or_default().to_string();
        Ok(User {
            object_id,
            given_name: raw.given_name.unwrap_or(first),
            surname: raw.surname.unwrap_or(last),
            user_principal_name: raw.user_principal_name,
            display_name: raw.display_name,
            email: raw.email,
            password: raw.password,
        })
    }
}

pub(crate) fn registered_certificate(cert: &X509) -> Option<RegisteredCertificate> {
    let der = cert.to_der().ok()?;
    let thumbprints = CertThumbprints::of_der(&der);
    let epoch = openssl::asn1::Asn1Time::from_unix(0).ok()?;
    let to_time = |t: &openssl::asn1::Asn1TimeRef| -> Option<OffsetDateTime> {
        let diff = epoch.diff(t).ok()?;
        let seconds = i64::from(diff.days) * 86_400 + i64::from(diff.secs);
        OffsetDateTime::from_unix_timestamp(seconds).ok()
    };
    let not_before = to_time(cert.not_before())?;
    let not_after = to_time(cert.not_after())?;
    Some(RegisteredCertificate {
        thumbprint: thumbprints.sha1_hex.clone(),
        thumbprints,
        not_before,
        not_after,
        starts: not_before,
        expires: not_after,
        der,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_default_is_valid_and_complete() {
        let config = LoadedConfig::embedded_default().unwrap();
        let tenant = &config.directory.tenants[0];
        assert!(is_guid(&tenant.id));
        assert!(!tenant.domains.is_empty());
        let kinds: Vec<AppKind> = tenant.apps.iter().map(|a| a.kind).collect();
        assert!(kinds.contains(&AppKind::Confidential));
        assert!(kinds.contains(&AppKind::Public));
        assert!(kinds.contains(&AppKind::Saml));
        assert_eq!(tenant.users.len(), 2);
        assert!(tenant.apps.iter().any(|a| !a.secrets.is_empty()));
    }

    fn error_of(text: &str) -> String {
        parse(text, "test.toml", None).unwrap_err().to_string()
    }

    #[test]
    fn errors_name_the_field() {
        let message = error_of("[[tenants]]\nid = \"nope\"\n");
        assert!(message.contains("tenants[0].id"), "{message}");
        let message = error_of(
            "[[tenants]]\nid = \"7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b\"\n[[tenants.apps]]\nclient_id = \"4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8\"\nkind = \"confidential\"\naccess_token_version = 3\n",
        );
        assert!(
            message.contains("tenants[0].apps[0].access_token_version"),
            "{message}"
        );
        let message =
            error_of("[[tenants]]\nid = \"7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b\"\ncolour = 1\n");
        assert!(message.contains("colour"), "{message}");
        let message = error_of(
            "[[tenants]]\nid = \"7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b\"\n[[tenants.apps]]\nclient_id = \"4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8\"\nkind = \"confidential\"\n[[tenants.apps.secrets]]\nvalue = \"x\"\nexpires = \"tomorrow\"\n",
        );
        assert!(
            message.contains("tenants[0].apps[0].secrets[0].expires"),
            "{message}"
        );
    }
}
