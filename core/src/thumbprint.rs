//! Every thumbprint form users meet for one certificate: the portal's SHA-1 hex, JOSE `x5t` and
//! `x5t#S256`.

use serde::Serialize;

use crate::base64::encode_url;
use crate::digest::{sha1, sha256};

/// The thumbprints of a DER certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertThumbprints {
    /// Upper-case SHA-1 hex, as the Azure portal and Graph `customKeyIdentifier` show it.
    pub sha1_hex: String,
    /// Upper-case SHA-256 hex.
    pub sha256_hex: String,
    /// base64url SHA-1, as JWS `x5t` and Entra's `kid` carry it.
    pub x5t: String,
    /// base64url SHA-256, as JWS `x5t#S256` carries it.
    #[serde(rename = "x5t#S256")]
    pub x5t_s256: String,
}

impl CertThumbprints {
    /// All thumbprints of `der` (the certificate's DER bytes).
    pub fn of_der(der: &[u8]) -> Self {
        let s1 = sha1(der);
        let s256 = sha256(der);
        CertThumbprints {
            sha1_hex: hex::encode_upper(s1),
            sha256_hex: hex::encode_upper(s256),
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

/// `x5t`: base64url of the certificate's SHA-1 digest (Entra's `kid` for its signing keys).
pub fn x5t(der: &[u8]) -> String {
    encode_url(&sha1(der))
}

/// The SHA-1 thumbprint as the portal shows it: upper-case hex.
pub fn sha1_hex(der: &[u8]) -> String {
    hex::encode_upper(sha1(der))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_names_the_certificate() {
        let t = CertThumbprints::of_der(b"not really DER, any bytes hash");
        assert_eq!(t.sha1_hex.len(), 40);
        assert_eq!(t.x5t, x5t(b"not really DER, any bytes hash"));
        assert_eq!(t.sha1_hex, sha1_hex(b"not really DER, any bytes hash"));
        assert!(t.matches(&t.x5t));
        assert!(t.matches(&t.x5t_s256));
        assert!(t.matches(&t.sha1_hex.to_ascii_lowercase()));
        let colons: Vec<String> = t
            .sha1_hex
            .as_bytes()
            .chunks(2)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        assert!(t.matches(&colons.join(":")));
        assert!(!t.matches("nope"));
    }
}
