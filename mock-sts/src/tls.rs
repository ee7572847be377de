//! `--tls`: a local CA and a server certificate for `localhost`, `127.0.0.1` and `::1`, made once and kept in
//! the state directory so clients can trust the CA (`REQUESTS_CA_BUNDLE`, `NODE_EXTRA_CA_CERTS`,
//! `SSL_CERT_FILE`) across restarts.

use std::path::{Path, PathBuf};

use openssl::asn1::Asn1Time;
use openssl::ec::{EcGroup, EcKey};
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::ssl::{SslAcceptor, SslMethod};
use openssl::x509::extension::{
    BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAlternativeName,
};
use openssl::x509::X509;

use crate::certificate::CertificateBuilder;
use crate::keys::{write_atomically, KeyError};

pub(crate) const CA_FILE: &str = "tls-ca.pem";
const CA_KEY_FILE: &str = "tls-ca.key.pem";
const SERVER_FILE: &str = "tls-server.pem";
const DAY_SECONDS: i64 = 86_400;

pub(crate) struct TlsMaterial {
    pub ca_pem_path: PathBuf,
    pub acceptor: SslAcceptor,
}

/// Load the CA and server certificate from `state_dir`, making them first if they are missing.
pub(crate) fn load_or_create(state_dir: &Path) -> Result<TlsMaterial, KeyError> {
    let ca_path = state_dir.join(CA_FILE);
    let ca_key_path = state_dir.join(CA_KEY_FILE);
    let server_path = state_dir.join(SERVER_FILE);

    let existing = (|| -> Option<(X509, PKey<Private>)> {
        let server_pem = std::fs::read(&server_path).ok()?;
        std::fs::read(&ca_path).ok()?;
        let cert = X509::from_pem(&server_pem).ok()?;
        let key = PKey::private_key_from_pem(&server_pem).ok()?;
        // A server certificate about to expire is made afresh (with a new CA, which clients re-read).
        let fresh = Asn1Time::days_from_now(1).ok()?;
        let still_valid = cert.not_after() > fresh.as_ref();
        (still_valid && cert.public_key().ok()?.public_eq(&key)).then_some((cert, key))
    })();
    let (server_cert, server_key) = match existing {
        Some(pair) => pair,
        None => {
            // ECDSA P-256: every TLS client supports it, and it takes a millisecond to make where RSA takes
            // a fraction of a second.
            let ca_key = ec_key()?;
            let ca_cert = ca_certificate(&ca_key)?;
            let server_key = ec_key()?;
            let server_cert = server_certificate(&server_key, &ca_cert, &ca_key)?;
            let mut server_pem = server_cert.to_pem()?;
            server_pem.extend(server_key.private_key_to_pem_pkcs8()?);
            // The CA goes first: a reader that finds the server file also finds its CA.
            write_atomically(&ca_key_path, &ca_key.private_key_to_pem_pkcs8()?)?;
            write_atomically(&ca_path, &ca_cert.to_pem()?)?;
            write_atomically(&server_path, &server_pem)?;
            (server_cert, server_key)
        }
    };
    let mut acceptor = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server())?;
    acceptor.set_certificate(&server_cert)?;
    acceptor.set_private_key(&server_key)?;
    acceptor.check_private_key()?;
    acceptor.set_alpn_select_callback(|_, client| {
        openssl::ssl::select_next_proto(b"\x08http/1.1", client)
            .ok_or(openssl::ssl::AlpnError::NOACK)
    });
    Ok(TlsMaterial {
        ca_pem_path: ca_path,
        acceptor: acceptor.build(),
    })
}

fn ec_key() -> Result<PKey<Private>, KeyError> {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
    Ok(PKey::from_ec_key(EcKey::generate(&group)?)?)
}

fn ca_certificate(key: &PKey<Private>) -> Result<X509, KeyError> {
    let now = crate::util::now().unix_timestamp();
    let cert = CertificateBuilder::new(
        key,
        &[("CN", "mock-sts local CA"), ("O", "mock-sts")],
        now - 3600,
        now + 3650 * DAY_SECONDS,
    )?
    .ca(Some(0))?
    .subject_key_identifier()?
    .sign(key)?;
    Ok(cert)
}

fn server_certificate(
    key: &PKey<Private>,
    ca_cert: &X509,
    ca_key: &PKey<Private>,
) -> Result<X509, KeyError> {
    let now = crate::util::now().unix_timestamp();
    // Below 398 days, the limit browsers and Apple's TLS stack enforce for server certificates.
    let cert = CertificateBuilder::new(
        key,
        &[("CN", "localhost")],
        now - 3600,
        now + 397 * DAY_SECONDS,
    )?
    .issued_by(ca_cert)?
    .extension(BasicConstraints::new().critical().build()?)?
    .extension(
        KeyUsage::new()
            .critical()
            .digital_signature()
            .key_encipherment()
            .build()?,
    )?
    .extension(ExtendedKeyUsage::new().server_auth().build()?)?
    .subject_alt_name(
        SubjectAlternativeName::new()
            .dns("localhost")
            .ip("127.0.0.1")
            .ip("::1"),
    )?
    .subject_key_identifier()?
    .authority_key_identifier()?
    .sign(ca_key)?;
    Ok(cert)
}
