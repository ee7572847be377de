//! Signing keys as Entra makes them: RSA-2048 with a self-signed five-year certificate,
//! CN `accounts.accesscontrol.windows.net`, `kid` = `x5t` = base64url(SHA-1(DER certificate)).
//!
//! Keys are generated once and kept in the state directory (certificate and key in one PEM file, written
//! atomically), so restarts are fast and runs are repeatable.

use keyprobe_core::base64;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private, Public};
use openssl::rsa::Rsa;
use openssl::sign::Signer;
use openssl::x509::X509;
use serde_json::{json, Value};

use crate::certificate::CertificateBuilder;

/// The subject CN of Entra's token-signing certificates.
pub const ENTRA_SIGNING_CN: &str = "accounts.accesscontrol.windows.net";
const FIVE_YEARS_SECONDS: i64 = 5 * 365 * 86_400;

/// Why a signing key or certificate could not be read, made or kept.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// OpenSSL refused to make or encode a key or certificate.
    #[error("openssl: {0}")]
    Openssl(#[from] openssl::error::ErrorStack),
    /// A key file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// A key file is not a PEM certificate followed by its RSA private key.
    #[error("{path}: expected a PEM certificate followed by its RSA private key")]
    BadPem {
        /// The file.
        path: PathBuf,
    },
    /// A key file's private key does not match its certificate.
    #[error("{path}: the private key does not belong to the certificate")]
    KeyMismatch {
        /// The file.
        path: PathBuf,
    },
}

/// An RSA key with its certificate, as published in a JWKS and used to sign tokens.
pub struct SigningKey {
    /// base64url SHA-1 of the DER certificate: both `kid` and `x5t`.
    pub kid: String,
    /// The self-signed certificate published in `x5c`.
    pub cert: X509,
    /// Its DER encoding.
    pub cert_der: Vec<u8>,
    private_key: PKey<Private>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A fresh key and self-signed certificate like Entra's tenant signing keys.
    pub fn generate(common_name: &str) -> Result<Self, KeyError> {
        let private_key = PKey::from_rsa(Rsa::generate(2048)?)?;
        // Valid from an hour ago, for clients whose clock runs behind.
        let now = crate::util::now().unix_timestamp();
        let cert = CertificateBuilder::new(
            &private_key,
            &[("CN", common_name)],
            now - 3600,
            now + FIVE_YEARS_SECONDS,
        )?
        .subject_key_identifier()?
        .sign(&private_key)?;
        Self::from_parts(cert, private_key)
    }

    fn from_parts(cert: X509, private_key: PKey<Private>) -> Result<Self, KeyError> {
        let cert_der = cert.to_der()?;
        let kid = keyprobe_core::thumbprint::x5t(&cert_der);
        Ok(Self {
            kid,
            cert,
            cert_der,
            private_key,
        })
    }

    /// Certificate then private key, PEM.
    pub fn to_pem(&self) -> Result<Vec<u8>, KeyError> {
        let mut out = self.cert.to_pem()?;
        out.extend(self.private_key.private_key_to_pem_pkcs8()?);
        Ok(out)
    }

    /// A certificate then its private key, PEM, read from `path` (named in errors).
    pub fn from_pem(pem: &[u8], path: &Path) -> Result<Self, KeyError> {
        let bad = || KeyError::BadPem {
            path: path.to_path_buf(),
        };
        let cert = X509::from_pem(pem).map_err(|_| bad())?;
        let private_key = PKey::private_key_from_pem(pem).map_err(|_| bad())?;
        let public = cert.public_key()?;
        if !public.public_eq(&private_key) {
            return Err(KeyError::KeyMismatch {
                path: path.to_path_buf(),
            });
        }
        Self::from_parts(cert, private_key)
    }

    /// Load `path`, or generate a key and keep it there.
    pub fn load_or_create(path: &Path, common_name: &str) -> Result<Self, KeyError> {
        match std::fs::read(path) {
            Ok(pem) => Self::from_pem(&pem, path),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::generate(common_name)?;
                write_atomically(path, &key.to_pem()?)?;
                Ok(key)
            }
            Err(source) => Err(KeyError::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// The certificate's public key.
    pub fn public_key(&self) -> Result<PKey<Public>, KeyError> {
        Ok(self.cert.public_key()?)
    }

    /// The JWKS entry, members in Entra's order: `kty use kid x5t n e x5c issuer`.
    pub fn jwk(&self, issuer: &str) -> Value {
        let (n, e) = match self.private_key.rsa() {
            Ok(rsa) => (
                base64::encode_url(&rsa.n().to_vec()),
                base64::encode_url(&rsa.e().to_vec()),
            ),
            Err(_) => (String::new(), String::new()),
        };
        json!({
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "x5t": self.kid,
            "n": n,
            "e": e,
            "x5c": [base64::encode_standard(&self.cert_der)],
            "issuer": issuer,
        })
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 (RS256).
    pub fn sign_rs256(&self, data: &[u8]) -> Result<Vec<u8>, KeyError> {
        let mut signer = Signer::new(MessageDigest::sha256(), &self.private_key)?;
        signer.update(data)?;
        Ok(signer.sign_to_vec()?)
    }
}

/// Write through a temporary file and rename, so a concurrent reader never sees half a key. The
/// temporary file is created for its owner only (0600) and under a name nobody else holds: the key never
/// sits in a file that was readable, or that someone else made, for a moment.
pub(crate) fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), KeyError> {
    let io = |source| KeyError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let (tmp, mut file) = create_private_temp(path).map_err(io)?;
    let written = file
        .write_all(contents)
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(err) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(err));
    }
    Ok(())
}

/// A new, empty file beside `path`, readable and writable by its owner only from the moment it exists.
/// Its name is new (`create_new`): a file planted under it would make the next name be tried instead.
fn create_private_temp(path: &Path) -> std::io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for _ in 0..64 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = path.with_file_name(format!(".{name}.{}.{n}.tmp", std::process::id()));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(err) => return Err(err),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        "no free name for a temporary key file",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use openssl::hash::hash;

    #[test]
    fn kid_is_base64url_sha1_of_the_certificate() {
        let key = SigningKey::generate(ENTRA_SIGNING_CN).unwrap();
        let expected =
            base64::encode_url(&hash(MessageDigest::sha1(), &key.cert.to_der().unwrap()).unwrap());
        assert_eq!(key.kid, expected);
        let jwk = key.jwk("https://issuer");
        let names: Vec<&str> = jwk
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(
            names,
            ["kty", "use", "kid", "x5t", "n", "e", "x5c", "issuer"]
        );
        assert_eq!(jwk["e"], "AQAB");
    }

    #[cfg(unix)]
    #[test]
    fn a_key_is_written_only_into_a_file_of_its_own_made_private() {
        use std::io::Read;
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("mock-sts-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("signing-current.pem");
        // A file planted where a temporary key file might go (the name the writer used to pick), held
        // open by whoever planted it: the key must never be written into it.
        let planted = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&planted, b"").unwrap();
        std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut spy = File::open(&planted).unwrap();
        write_atomically(&path, b"PRIVATE KEY").unwrap();
        let mut seen = String::new();
        spy.read_to_string(&mut seen).unwrap();
        assert_eq!(seen, "", "the key went into a file someone else held open");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(std::fs::read(&path).unwrap(), b"PRIVATE KEY");
        // The temporary file is private from its creation, not narrowed afterwards.
        let (tmp, _file) = create_private_temp(&path).unwrap();
        let mode = std::fs::metadata(&tmp).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn pem_round_trip_keeps_the_kid() {
        let key = SigningKey::generate(ENTRA_SIGNING_CN).unwrap();
        let again = SigningKey::from_pem(&key.to_pem().unwrap(), Path::new("x")).unwrap();
        assert_eq!(key.kid, again.kid);
    }
}
