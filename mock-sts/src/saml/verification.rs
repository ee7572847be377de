//! The SAML apps' request-verification certificates at run time: the portal's "Verification certificates
//! (optional)" list, which starts as the configuration gives it (`verification_certificates`) and can be
//! added to and removed from through the control API (`/_mock/apps/{appId}/verification-certificates`),
//! as an admin uploads or deletes one in the portal. Signed AuthnRequests and LogoutRequests are checked
//! against what the list holds when they arrive; the "Require verification certificates" switch and the
//! SHA-1 allowance stay as configured.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use openssl::x509::X509;

use crate::config::registered_certificate;
use crate::model::{Directory, RegisteredCertificate, RequestVerification, SamlRegistration};

/// At most this many verification certificates per app, so that the list cannot grow without bound.
pub(crate) const MAX_VERIFICATION_CERTIFICATES: usize = 16;

/// Why a change to the list is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum VerificationChangeError {
    #[error("not a PEM or DER X.509 certificate")]
    NotACertificate,
    #[error("the certificate {0} is already a verification certificate of the app")]
    Duplicate(String),
    #[error("an app keeps at most {MAX_VERIFICATION_CERTIFICATES} verification certificates; remove one first")]
    TooMany,
    #[error("the app has no verification certificate with thumbprint '{0}'")]
    Unknown(String),
}

/// Each SAML app's verification certificates, by client id.
#[derive(Debug, Default)]
pub(crate) struct VerificationStore {
    certificates: Mutex<HashMap<String, Vec<RegisteredCertificate>>>,
}

impl VerificationStore {
    /// The lists as the configuration gives them.
    pub(crate) fn from_directory(directory: &Directory) -> Self {
        let certificates = directory
            .tenants
            .iter()
            .flat_map(|tenant| tenant.apps.iter())
            .filter_map(|app| {
                app.saml.as_ref().map(|saml| {
                    (
                        app.client_id.clone(),
                        saml.request_verification.certificates.clone(),
                    )
                })
            })
            .collect();
        Self {
            certificates: Mutex::new(certificates),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Vec<RegisteredCertificate>>> {
        // A panic elsewhere while holding the lock leaves the map whole: keep serving.
        self.certificates
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The app's certificates now.
    pub(crate) fn certificates(&self, client_id: &str) -> Vec<RegisteredCertificate> {
        self.lock().get(client_id).cloned().unwrap_or_default()
    }

    /// The app's verification settings with the certificates it has now.
    pub(crate) fn settings(&self, client_id: &str, saml: &SamlRegistration) -> RequestVerification {
        RequestVerification {
            certificates: self.certificates(client_id),
            ..saml.request_verification.clone()
        }
    }

    /// Add a certificate (PEM or DER) to the app's list.
    pub(crate) fn add(
        &self,
        client_id: &str,
        encoded: &[u8],
    ) -> Result<RegisteredCertificate, VerificationChangeError> {
        let cert = X509::from_pem(encoded)
            .or_else(|_| X509::from_der(encoded))
            .map_err(|_| VerificationChangeError::NotACertificate)?;
        let registered =
            registered_certificate(&cert).ok_or(VerificationChangeError::NotACertificate)?;
        let mut all = self.lock();
        let list = all.entry(client_id.to_string()).or_default();
        if list.iter().any(|c| c.thumbprint == registered.thumbprint) {
            return Err(VerificationChangeError::Duplicate(registered.thumbprint));
        }
        if list.len() >= MAX_VERIFICATION_CERTIFICATES {
            return Err(VerificationChangeError::TooMany);
        }
        list.push(registered.clone());
        Ok(registered)
    }

    /// Remove the certificate with this SHA-1 thumbprint (hex, any case) from the app's list.
    pub(crate) fn remove(
        &self,
        client_id: &str,
        thumbprint: &str,
    ) -> Result<(), VerificationChangeError> {
        let wanted = thumbprint.trim().to_ascii_uppercase();
        let mut all = self.lock();
        let list = all.entry(client_id.to_string()).or_default();
        let before = list.len();
        list.retain(|c| c.thumbprint != wanted);
        if list.len() == before {
            return Err(VerificationChangeError::Unknown(thumbprint.to_string()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certificate::CertificateBuilder;
    use openssl::pkey::PKey;
    use openssl::rsa::Rsa;

    fn pem(cn: &str) -> Vec<u8> {
        let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
        let cert = CertificateBuilder::new(&key, &[("CN", cn)], 0, 4_000_000_000)
            .unwrap()
            .sign(&key)
            .unwrap();
        cert.to_pem().unwrap()
    }

    #[test]
    fn certificates_are_added_once_removed_by_thumbprint_and_bounded() {
        let store = VerificationStore::default();
        let first = store.add("app", &pem("one")).unwrap();
        let thumbprints = |store: &VerificationStore| -> Vec<String> {
            store
                .certificates("app")
                .into_iter()
                .map(|c| c.thumbprint)
                .collect()
        };
        assert_eq!(thumbprints(&store), vec![first.thumbprint.clone()]);
        assert_eq!(
            store.add("app", &pem("one")).map(|_| ()),
            Ok(()),
            "another key under the same name is another certificate"
        );
        let again = X509::from_der(&first.der).unwrap().to_pem().unwrap();
        assert_eq!(
            store.add("app", &again).unwrap_err(),
            VerificationChangeError::Duplicate(first.thumbprint.clone())
        );
        assert_eq!(
            store.add("app", b"not a certificate").unwrap_err(),
            VerificationChangeError::NotACertificate
        );
        store
            .remove("app", &first.thumbprint.to_ascii_lowercase())
            .unwrap();
        assert_eq!(store.certificates("app").len(), 1);
        assert!(matches!(
            store.remove("app", &first.thumbprint),
            Err(VerificationChangeError::Unknown(_))
        ));
        let cert = pem("many");
        let der = X509::from_pem(&cert).unwrap().to_der().unwrap();
        for _ in 1..MAX_VERIFICATION_CERTIFICATES {
            store.add("app", &pem("more")).unwrap();
        }
        assert_eq!(
            store.add("app", &der).unwrap_err(),
            VerificationChangeError::TooMany
        );
    }
}
