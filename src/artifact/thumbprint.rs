//! Every thumbprint form users meet for one certificate or key.

use openssl::sha::{sha1, sha256};
use serde::Serialize;

use crate::codec::base64::encode_url;

/// The thumbprints of a DER certificate: the portal's SHA-1 hex, JOSE `x5t` and `x5t#S256`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertThumbprints {
    /// Upper-case SHA-1 hex, as the Azure portal and Graph `customKeyIdentifier` show it.
    pub sha1_hex: String,
    pub sha256_hex: String,
    pub x5t: String,
    #[serde(rename = "x5t#S256")]
    pub x5t_s256: String,
}

impl CertThumbprints {
    pub fn of_der(der: &[u8]) -> Self {
        let s1 = sha1(der);
        let s256 = sha256(der);
        CertThumbprints {
            sha1_hex: hex_upper(&s1),
            sha256_hex: hex_upper(&s256),
            x5t: encode_url(&s1),
            x5t_s256: encode_url(&s256),
        }
    }

    /// True when `id` names this certificate in any of the usual spellings
    /// (x5t, x5t#S256, SHA-1/SHA-256 hex with or without colons, any case).
    pub fn matches(&self, id: &str) -> bool {
        let hex: String = id
            .chars()
            .filter(|c| *c != ':')
            .collect::<String>()
            .to_ascii_uppercase();
        id == self.x5t || id == self.x5t_s256 || hex == self.sha1_hex || hex == self.sha256_hex
    }
}

pub fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

pub fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
