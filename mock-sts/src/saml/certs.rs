//! The service-principal key model of a SAML app, as Microsoft Graph shows it: `keyCredentials` in
//! Sign/Verify pairs that share a `customKeyIdentifier`, and `preferredTokenSigningKeyThumbprint` naming
//! the active one. Entra's rules for choosing the signing certificate live in [`AppKeys::signer`].
//!
//! Certificates are RSA-2048, self-signed, CN `Microsoft Azure Federated SSO Certificate`, valid three years
//! (the portal's defaults). Each app's first certificate (and the expired one of `expired-signing-cert`)
//! is kept in the state directory; certificates made through the control API live in memory.

use keyprobe_core::base64;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::x509::X509;
use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::certificate::CertificateBuilder;
use crate::config::registered_certificate;
use crate::keys::{write_atomically, KeyError};
use crate::metadata_cache::Generation;
use crate::model::{AppKind, Directory};
use crate::scenario::Scenario;
use crate::util::derived_guid;

pub(crate) const SAML_CERT_CN: &str = "Microsoft Azure Federated SSO Certificate";
const THREE_YEARS_SECONDS: i64 = 3 * 365 * 86_400;
const DAY_SECONDS: i64 = 86_400;

/// One SAML signing certificate with its private key: the Sign credential and its Verify twin.
pub(crate) struct SamlCertificate {
    /// SHA-1 of the DER certificate, upper-case hex, as the portal shows it.
    pub thumbprint: String,
    pub cert: X509,
    pub cert_der: Vec<u8>,
    /// PKCS#8 PEM of the private key, for the XML signer.
    pub key_pem: Vec<u8>,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    /// `keyId` of the Sign credential (and of its passwordCredential twin).
    pub sign_key_id: String,
    /// `keyId` of the Verify credential.
    pub verify_key_id: String,
}

impl std::fmt::Debug for SamlCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SamlCertificate")
            .field("thumbprint", &self.thumbprint)
            .finish_non_exhaustive()
    }
}

impl SamlCertificate {
    /// A fresh certificate valid from `not_before` until `not_after` (Unix seconds).
    pub(crate) fn generate(not_before: i64, not_after: i64) -> Result<Self, KeyError> {
        let key = PKey::from_rsa(Rsa::generate(2048)?)?;
        // No extensions: the portal's SAML certificates have none.
        let cert = CertificateBuilder::new(&key, &[("CN", SAML_CERT_CN)], not_before, not_after)?
            .sign(&key)?;
        Self::from_parts(cert, key, Path::new("(generated)"))
    }

    /// A certificate valid from an hour ago for three years, as the portal makes them.
    pub(crate) fn generate_current() -> Result<Self, KeyError> {
        let now = crate::util::now().unix_timestamp();
        Self::generate(now - 3600, now - 3600 + THREE_YEARS_SECONDS)
    }

    /// A certificate whose three years ended yesterday.
    pub(crate) fn generate_expired() -> Result<Self, KeyError> {
        let now = crate::util::now().unix_timestamp();
        Self::generate(now - DAY_SECONDS - THREE_YEARS_SECONDS, now - DAY_SECONDS)
    }

    fn from_parts(cert: X509, key: PKey<Private>, path: &Path) -> Result<Self, KeyError> {
        let registered = registered_certificate(&cert).ok_or_else(|| KeyError::BadPem {
            path: path.to_path_buf(),
        })?;
        Ok(Self {
            sign_key_id: derived_guid("mock-sts saml sign", &registered.thumbprint),
            verify_key_id: derived_guid("mock-sts saml verify", &registered.thumbprint),
            thumbprint: registered.thumbprint,
            cert_der: registered.der,
            key_pem: key.private_key_to_pem_pkcs8()?,
            not_before: registered.not_before,
            not_after: registered.not_after,
            cert,
        })
    }

    fn to_pem(&self) -> Result<Vec<u8>, KeyError> {
        let mut out = self.cert.to_pem()?;
        out.extend_from_slice(&self.key_pem);
        Ok(out)
    }

    fn from_pem(pem: &[u8], path: &Path) -> Result<Self, KeyError> {
        let bad = || KeyError::BadPem {
            path: path.to_path_buf(),
        };
        let cert = X509::from_pem(pem).map_err(|_| bad())?;
        let key = PKey::private_key_from_pem(pem).map_err(|_| bad())?;
        if !cert.public_key()?.public_eq(&key) {
            return Err(KeyError::KeyMismatch {
                path: path.to_path_buf(),
            });
        }
        Self::from_parts(cert, key, path)
    }

    /// Load `path`, or make a certificate with `make` and keep it there.
    pub(crate) fn load_or_create(
        path: &Path,
        make: fn() -> Result<Self, KeyError>,
    ) -> Result<Self, KeyError> {
        match std::fs::read(path) {
            Ok(pem) => Self::from_pem(&pem, path),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let made = make()?;
                write_atomically(path, &made.to_pem()?)?;
                Ok(made)
            }
            Err(source) => Err(KeyError::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    pub(crate) fn is_expired(&self, at: OffsetDateTime) -> bool {
        self.not_after <= at
    }

    pub(crate) fn is_valid(&self, at: OffsetDateTime) -> bool {
        self.not_before <= at && at < self.not_after
    }

    /// The certificate, base64 DER, as KeyInfo and metadata carry it.
    pub(crate) fn cert_b64(&self) -> String {
        base64::encode_standard(&self.cert_der)
    }
}

/// An app's keyCredentials and preferred signing thumbprint.
#[derive(Debug, Clone, Default)]
pub(crate) struct AppKeys {
    pub certificates: Vec<Arc<SamlCertificate>>,
    /// `preferredTokenSigningKeyThumbprint`, upper-case hex; it may name a certificate that is gone.
    pub preferred: Option<String>,
}

/// Why Entra cannot sign for an app: both end in AADSTS50003.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NoSigner {
    /// No Sign credential is active: none configured, or none made active.
    Missing,
    /// The preferred thumbprint names a credential the app no longer has.
    Dangling(String),
}

impl AppKeys {
    pub(crate) fn find(&self, thumbprint: &str) -> Option<&Arc<SamlCertificate>> {
        self.certificates
            .iter()
            .find(|c| c.thumbprint.eq_ignore_ascii_case(thumbprint.trim()))
    }

    /// Entra's choice of signing certificate: the active one; when it has expired, a valid inactive one
    /// takes over if there is one, else the expired one keeps signing (the SP's validation is what fails).
    pub(crate) fn signer(&self, at: OffsetDateTime) -> Result<Arc<SamlCertificate>, NoSigner> {
        let Some(preferred) = self.preferred.as_deref() else {
            return Err(NoSigner::Missing);
        };
        let Some(active) = self.find(preferred) else {
            return Err(NoSigner::Dangling(preferred.to_string()));
        };
        if active.is_expired(at) {
            if let Some(fallback) = self
                .certificates
                .iter()
                .filter(|c| c.is_valid(at))
                .max_by_key(|c| c.not_after)
            {
                return Ok(fallback.clone());
            }
        }
        Ok(active.clone())
    }

    /// The first instant after `at` at which [`AppKeys::signer`] may choose differently: the next start or end
    /// of any certificate's validity.
    pub(crate) fn next_change_after(&self, at: OffsetDateTime) -> Option<OffsetDateTime> {
        self.certificates
            .iter()
            .flat_map(|c| [c.not_before, c.not_after])
            .filter(|&instant| instant > at)
            .min()
    }

    /// The Graph view: `keyCredentials` (a Sign and a Verify entry per certificate) and the preferred
    /// thumbprint, plus a plain list for people.
    pub(crate) fn to_json(&self, at: OffsetDateTime) -> Value {
        let signer = self.signer(at).ok().map(|c| c.thumbprint.clone());
        let mut key_credentials = Vec::new();
        let mut password_credentials = Vec::new();
        let mut signing_certificates = Vec::new();
        for cert in &self.certificates {
            let custom_key_identifier =
                base64::encode_standard(&hex::decode(&cert.thumbprint).unwrap_or_default());
            let start = rfc3339(cert.not_before);
            let end = rfc3339(cert.not_after);
            key_credentials.push(json!({
                "customKeyIdentifier": custom_key_identifier,
                "displayName": format!("CN={SAML_CERT_CN}"),
                "endDateTime": end,
                "key": null,
                "keyId": cert.sign_key_id,
                "startDateTime": start,
                "type": "X509CertAndPassword",
                "usage": "Sign",
            }));
            key_credentials.push(json!({
                "customKeyIdentifier": custom_key_identifier,
                "displayName": format!("CN={SAML_CERT_CN}"),
                "endDateTime": end,
                "key": cert.cert_b64(),
                "keyId": cert.verify_key_id,
                "startDateTime": start,
                "type": "AsymmetricX509Cert",
                "usage": "Verify",
            }));
            // Graph pairs the Sign credential with a passwordCredential of the same keyId.
            password_credentials.push(json!({
                "customKeyIdentifier": custom_key_identifier,
                "displayName": format!("CN={SAML_CERT_CN}"),
                "endDateTime": end,
                "hint": null,
                "keyId": cert.sign_key_id,
                "secretText": null,
                "startDateTime": start,
            }));
            let active = self
                .preferred
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case(&cert.thumbprint));
            signing_certificates.push(json!({
                "thumbprint": cert.thumbprint,
                "start_date_time": start,
                "end_date_time": end,
                "active": active,
                "expired": cert.is_expired(at),
                "signs": signer.as_deref() == Some(cert.thumbprint.as_str()),
            }));
        }
        json!({
            "preferred_token_signing_key_thumbprint": self.preferred,
            "signing_certificates": signing_certificates,
            "key_credentials": key_credentials,
            "password_credentials": password_credentials,
        })
    }
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// The SAML apps' key models. A scenario is applied to an app's keys the first time the app is used
/// under it (and again after each change of scenario), so certificate changes made through the control
/// API last until the scenario changes: in `missing-signing-key`, a new active certificate fixes sign-in.
pub(crate) struct SamlKeyStore {
    state_dir: PathBuf,
    apps: Mutex<HashMap<String, AppEntry>>,
    /// Each app's expired certificate for `expired-signing-cert`, loaded or made off the request path.
    expired: HashMap<String, Arc<ExpiredCell>>,
    /// Bumped by every change to any app's certificates, for the metadata cache.
    generation: Generation,
}

/// Shared between the thread that makes the certificate and the requests that wait for it, so the error
/// is shared too.
type ExpiredCell = OnceLock<Result<Arc<SamlCertificate>, Arc<KeyError>>>;

/// The app's expired certificate, kept as `saml-CLIENTID-expired.pem`.
fn load_or_create_expired(
    state_dir: &Path,
    client_id: &str,
) -> Result<Arc<SamlCertificate>, Arc<KeyError>> {
    let path = state_dir.join(format!("saml-{client_id}-expired.pem"));
    let loaded = SamlCertificate::load_or_create(&path, SamlCertificate::generate_expired)?;
    if loaded.is_expired(crate::util::now()) {
        return Ok(Arc::new(loaded));
    }
    // Written by a machine whose clock ran ahead: make one that has expired here.
    let made = SamlCertificate::generate_expired()?;
    write_atomically(&path, &made.to_pem()?)?;
    Ok(Arc::new(made))
}

struct AppEntry {
    keys: AppKeys,
    applied: Scenario,
}

/// Certificates one app may hold: each `POST /_mock/apps/{appId}/certificates` makes an RSA key and keeps
/// it in memory, so without a bound a client could grow the mock without end.
pub(crate) const MAX_CERTIFICATES_PER_APP: usize = 16;

#[derive(Debug, thiserror::Error)]
pub(crate) enum KeyStoreError {
    #[error("no SAML app '{0}'")]
    UnknownApp(String),
    #[error("the app has no certificate with thumbprint '{0}'")]
    UnknownCertificate(String),
    #[error("the active certificate cannot be removed; make another one active first")]
    ActiveCertificate,
    #[error("the app has {MAX_CERTIFICATES_PER_APP} certificates, as many as the mock keeps; remove one first")]
    TooManyCertificates,
    #[error(transparent)]
    Key(#[from] KeyError),
}

impl SamlKeyStore {
    /// Load or make each SAML app's first certificate (kept as `saml-CLIENTID.pem` in `state_dir`).
    pub(crate) fn load_or_create(
        directory: &Directory,
        state_dir: &Path,
    ) -> Result<Self, KeyError> {
        let mut apps = HashMap::new();
        for tenant in &directory.tenants {
            for app in tenant.apps.iter().filter(|a| a.kind == AppKind::Saml) {
                let cert = SamlCertificate::load_or_create(
                    &state_dir.join(format!("saml-{}.pem", app.client_id)),
                    SamlCertificate::generate_current,
                )?;
                let keys = AppKeys {
                    preferred: Some(cert.thumbprint.clone()),
                    certificates: vec![Arc::new(cert)],
                };
                apps.insert(
                    app.client_id.clone(),
                    AppEntry {
                        keys,
                        applied: Scenario::Healthy,
                    },
                );
            }
        }
        let mut expired = HashMap::new();
        for client_id in apps.keys() {
            let cell: Arc<ExpiredCell> = Arc::new(OnceLock::new());
            let (background, dir, id) = (cell.clone(), state_dir.to_path_buf(), client_id.clone());
            std::thread::spawn(move || {
                background.get_or_init(|| load_or_create_expired(&dir, &id));
            });
            expired.insert(client_id.clone(), cell);
        }
        Ok(Self {
            state_dir: state_dir.to_path_buf(),
            apps: Mutex::new(apps),
            expired,
            generation: Generation::default(),
        })
    }

    /// Moves on every change to any app's certificates (see [`crate::metadata_cache`]).
    pub(crate) fn generation(&self) -> u64 {
        self.generation.get()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, AppEntry>> {
        self.apps
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn first_certificate(&self, client_id: &str) -> Result<Arc<SamlCertificate>, KeyError> {
        let cert = SamlCertificate::load_or_create(
            &self.state_dir.join(format!("saml-{client_id}.pem")),
            SamlCertificate::generate_current,
        )?;
        Ok(Arc::new(cert))
    }

    /// The app's keys as the scenario leaves them (see the type's comment).
    fn baseline(&self, client_id: &str, scenario: Scenario) -> Result<AppKeys, KeyError> {
        Ok(match scenario {
            Scenario::MissingSigningKey => AppKeys::default(),
            Scenario::DanglingSigningKey => AppKeys {
                certificates: Vec::new(),
                preferred: Some(self.first_certificate(client_id)?.thumbprint.clone()),
            },
            Scenario::ExpiredSigningCert => {
                // Waits for the background thread if it has not finished.
                let expired = match self.expired.get(client_id) {
                    Some(cell) => cell
                        .get_or_init(|| load_or_create_expired(&self.state_dir, client_id))
                        .clone(),
                    None => load_or_create_expired(&self.state_dir, client_id),
                }
                .map_err(|shared| KeyError::Io {
                    path: self.state_dir.join(format!("saml-{client_id}-expired.pem")),
                    source: std::io::Error::other(shared),
                })?;
                AppKeys {
                    preferred: Some(expired.thumbprint.clone()),
                    certificates: vec![expired],
                }
            }
            _ => {
                let cert = self.first_certificate(client_id)?;
                AppKeys {
                    preferred: Some(cert.thumbprint.clone()),
                    certificates: vec![cert],
                }
            }
        })
    }

    /// The app's keys under `scenario`, applying the scenario first if it changed since the last use.
    pub(crate) fn keys(
        &self,
        client_id: &str,
        scenario: Scenario,
    ) -> Result<AppKeys, KeyStoreError> {
        {
            let apps = self.lock();
            let entry = apps
                .get(client_id)
                .ok_or_else(|| KeyStoreError::UnknownApp(client_id.to_string()))?;
            if entry.applied == scenario {
                return Ok(entry.keys.clone());
            }
        }
        // Certificates may have to be made: do it outside the lock.
        let baseline = self.baseline(client_id, scenario)?;
        let mut apps = self.lock();
        let entry = apps
            .get_mut(client_id)
            .ok_or_else(|| KeyStoreError::UnknownApp(client_id.to_string()))?;
        if entry.applied != scenario {
            entry.keys = baseline;
            entry.applied = scenario;
            self.generation.bump();
        }
        Ok(entry.keys.clone())
    }

    /// Whether the app may have one more certificate (checked before making one, which is slow).
    pub(crate) fn has_room(
        &self,
        client_id: &str,
        scenario: Scenario,
    ) -> Result<(), KeyStoreError> {
        if self.keys(client_id, scenario)?.certificates.len() >= MAX_CERTIFICATES_PER_APP {
            return Err(KeyStoreError::TooManyCertificates);
        }
        Ok(())
    }

    /// Add a certificate (inactive, as the portal adds one); returns it.
    pub(crate) fn add(
        &self,
        client_id: &str,
        scenario: Scenario,
        cert: SamlCertificate,
    ) -> Result<Arc<SamlCertificate>, KeyStoreError> {
        self.keys(client_id, scenario)?;
        let cert = Arc::new(cert);
        let mut apps = self.lock();
        let entry = apps
            .get_mut(client_id)
            .ok_or_else(|| KeyStoreError::UnknownApp(client_id.to_string()))?;
        if entry.keys.certificates.len() >= MAX_CERTIFICATES_PER_APP {
            return Err(KeyStoreError::TooManyCertificates);
        }
        entry.keys.certificates.push(cert.clone());
        self.generation.bump();
        Ok(cert)
    }

    /// Make a certificate the active one (`preferredTokenSigningKeyThumbprint`).
    pub(crate) fn activate(
        &self,
        client_id: &str,
        scenario: Scenario,
        thumbprint: &str,
    ) -> Result<Arc<SamlCertificate>, KeyStoreError> {
        self.keys(client_id, scenario)?;
        let mut apps = self.lock();
        let entry = apps
            .get_mut(client_id)
            .ok_or_else(|| KeyStoreError::UnknownApp(client_id.to_string()))?;
        let cert = entry
            .keys
            .find(thumbprint)
            .cloned()
            .ok_or_else(|| KeyStoreError::UnknownCertificate(thumbprint.to_string()))?;
        entry.keys.preferred = Some(cert.thumbprint.clone());
        self.generation.bump();
        Ok(cert)
    }

    /// Remove an inactive certificate, as the portal allows.
    pub(crate) fn remove(
        &self,
        client_id: &str,
        scenario: Scenario,
        thumbprint: &str,
    ) -> Result<(), KeyStoreError> {
        self.keys(client_id, scenario)?;
        let mut apps = self.lock();
        let entry = apps
            .get_mut(client_id)
            .ok_or_else(|| KeyStoreError::UnknownApp(client_id.to_string()))?;
        let cert = entry
            .keys
            .find(thumbprint)
            .cloned()
            .ok_or_else(|| KeyStoreError::UnknownCertificate(thumbprint.to_string()))?;
        if entry
            .keys
            .preferred
            .as_deref()
            .is_some_and(|p| p.eq_ignore_ascii_case(&cert.thumbprint))
        {
            return Err(KeyStoreError::ActiveCertificate);
        }
        entry
            .keys
            .certificates
            .retain(|c| c.thumbprint != cert.thumbprint);
        self.generation.bump();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entra_signing_rules() {
        let now = crate::util::now();
        let valid = Arc::new(SamlCertificate::generate_current().unwrap());
        let expired = Arc::new(SamlCertificate::generate_expired().unwrap());
        assert!(expired.is_expired(now) && valid.is_valid(now));

        let none = AppKeys::default();
        assert_eq!(none.signer(now).unwrap_err(), NoSigner::Missing);

        let dangling = AppKeys {
            certificates: vec![valid.clone()],
            preferred: Some("00AA".into()),
        };
        assert_eq!(
            dangling.signer(now).unwrap_err(),
            NoSigner::Dangling("00AA".into())
        );

        let expired_only = AppKeys {
            certificates: vec![expired.clone()],
            preferred: Some(expired.thumbprint.clone()),
        };
        assert_eq!(
            expired_only.signer(now).unwrap().thumbprint,
            expired.thumbprint
        );

        let with_fallback = AppKeys {
            certificates: vec![expired.clone(), valid.clone()],
            preferred: Some(expired.thumbprint.clone()),
        };
        assert_eq!(
            with_fallback.signer(now).unwrap().thumbprint,
            valid.thumbprint
        );

        let view = with_fallback.to_json(now);
        let creds = view["key_credentials"].as_array().unwrap();
        assert_eq!(creds.len(), 4);
        assert_eq!(
            creds[0]["customKeyIdentifier"],
            creds[1]["customKeyIdentifier"]
        );
        assert_eq!(creds[0]["usage"], "Sign");
        assert_eq!(creds[1]["usage"], "Verify");
        assert_eq!(view["password_credentials"][0]["keyId"], creds[0]["keyId"]);
        assert_ne!(creds[0]["keyId"], creds[1]["keyId"]);
        assert_eq!(valid.thumbprint.len(), 40);
    }

    /// The clock-driven change the metadata cache must notice: the instant the active certificate expires
    /// (and a valid one takes over) is the next change; after it, the next one is the successor's expiry.
    #[test]
    fn the_next_change_is_the_next_start_or_end_of_any_certificate() {
        let now = crate::util::now().unix_timestamp();
        let ending = Arc::new(SamlCertificate::generate(now - 3600, now + 60).unwrap());
        let successor = Arc::new(SamlCertificate::generate(now - 60, now + 7200).unwrap());
        let keys = AppKeys {
            preferred: Some(ending.thumbprint.clone()),
            certificates: vec![ending.clone(), successor.clone()],
        };
        let at = crate::util::from_unix(now);
        assert_eq!(keys.next_change_after(at), Some(ending.not_after));
        assert_eq!(keys.signer(at).unwrap().thumbprint, ending.thumbprint);
        let later = ending.not_after;
        assert_eq!(keys.signer(later).unwrap().thumbprint, successor.thumbprint);
        assert_eq!(keys.next_change_after(later), Some(successor.not_after));
        assert_eq!(keys.next_change_after(successor.not_after), None);
        assert_eq!(AppKeys::default().next_change_after(at), None);
    }
}
