//! XML-DSig algorithm URIs (RFC 3275, RFC 4051, XML-C14N): one enum for the signer (mock-sts) and the
//! verifier (keyprobe), with the short names messages use.

use crate::jose::Alg;

macro_rules! algorithms {
    ($( $(#[$doc:meta])* $variant:ident => ($uri:expr, $name:expr) ),* $(,)?) => {
        /// An XML-DSig algorithm: signature method, digest, canonicalisation or transform.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum XmlDsigAlg { $( $(#[$doc])* #[doc = concat!("\n\n", $name, ": `", $uri, "`")] $variant ),* }

        impl XmlDsigAlg {
            /// Every algorithm this module names.
            pub const ALL: &'static [XmlDsigAlg] = &[ $( XmlDsigAlg::$variant ),* ];

            /// The `Algorithm` URI.
            pub const fn uri(self) -> &'static str {
                match self { $( XmlDsigAlg::$variant => $uri ),* }
            }

            /// A short name for messages ("RSA-SHA256", "exclusive c14n").
            pub const fn name(self) -> &'static str {
                match self { $( XmlDsigAlg::$variant => $name ),* }
            }

            /// The algorithm an `Algorithm` URI names, if this module knows it.
            pub fn from_uri(uri: &str) -> Option<XmlDsigAlg> {
                match uri { $( $uri => Some(XmlDsigAlg::$variant), )* _ => None }
            }
        }
    };
}

algorithms! {
    RsaSha1 => ("http://www.w3.org/2000/09/xmldsig#rsa-sha1", "RSA-SHA1"),
    RsaSha256 => ("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", "RSA-SHA256"),
    RsaSha384 => ("http://www.w3.org/2001/04/xmldsig-more#rsa-sha384", "RSA-SHA384"),
    RsaSha512 => ("http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", "RSA-SHA512"),
    EcdsaSha1 => ("http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1", "ECDSA-SHA1"),
    EcdsaSha256 => ("http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256", "ECDSA-SHA256"),
    EcdsaSha384 => ("http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384", "ECDSA-SHA384"),
    EcdsaSha512 => ("http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512", "ECDSA-SHA512"),
    DsaSha1 => ("http://www.w3.org/2000/09/xmldsig#dsa-sha1", "DSA-SHA1"),
    HmacSha1 => ("http://www.w3.org/2000/09/xmldsig#hmac-sha1", "HMAC-SHA1"),
    Sha1 => ("http://www.w3.org/2000/09/xmldsig#sha1", "SHA-1"),
    Sha256 => ("http://www.w3.org/2001/04/xmlenc#sha256", "SHA-256"),
    Sha384 => ("http://www.w3.org/2001/04/xmldsig-more#sha384", "SHA-384"),
    Sha512 => ("http://www.w3.org/2001/04/xmlenc#sha512", "SHA-512"),
    /// Exclusive canonicalisation: what Entra and most SAML stacks sign with.
    ExcC14n => ("http://www.w3.org/2001/10/xml-exc-c14n#", "exclusive c14n"),
    ExcC14nWithComments => ("http://www.w3.org/2001/10/xml-exc-c14n#WithComments", "exclusive c14n with comments"),
    C14n => ("http://www.w3.org/TR/2001/REC-xml-c14n-20010315", "inclusive c14n"),
    C14nWithComments => ("http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments", "inclusive c14n with comments"),
    EnvelopedSignature => ("http://www.w3.org/2000/09/xmldsig#enveloped-signature", "enveloped-signature"),
}

impl XmlDsigAlg {
    /// The JWS algorithm that computes the same signature over the same octets (a Redirect-binding
    /// query string is signed exactly as a JWS would be), for the methods JOSE has.
    pub fn jws_equivalent(self) -> Option<Alg> {
        Some(match self {
            XmlDsigAlg::RsaSha256 => Alg::Rs256,
            XmlDsigAlg::RsaSha384 => Alg::Rs384,
            XmlDsigAlg::RsaSha512 => Alg::Rs512,
            XmlDsigAlg::EcdsaSha256 => Alg::Es256,
            XmlDsigAlg::EcdsaSha384 => Alg::Es384,
            XmlDsigAlg::EcdsaSha512 => Alg::Es512,
            _ => return None,
        })
    }

    /// The canonicalisations the SAML signature profile allows as transforms (comments excluded).
    pub fn is_saml_c14n_transform(self) -> bool {
        matches!(self, XmlDsigAlg::ExcC14n | XmlDsigAlg::C14n)
    }
}

/// The short name of an `Algorithm` URI, or the URI itself when it is not one this module knows.
pub fn name_of(uri: &str) -> &str {
    match XmlDsigAlg::from_uri(uri) {
        Some(alg) => alg.name(),
        None => uri,
    }
}

/// True for SHA-1 based signature or digest URIs, known or not (`…#rsa-sha1`, `…#sha1`).
pub fn uses_sha1(uri: &str) -> bool {
    uri.ends_with("sha1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_round_trip_and_name() {
        for alg in XmlDsigAlg::ALL {
            assert_eq!(XmlDsigAlg::from_uri(alg.uri()), Some(*alg));
        }
        assert_eq!(name_of("urn:unknown"), "urn:unknown");
        assert_eq!(name_of(XmlDsigAlg::RsaSha256.uri()), "RSA-SHA256");
        assert!(uses_sha1(XmlDsigAlg::RsaSha1.uri()));
        assert!(uses_sha1(XmlDsigAlg::Sha1.uri()));
        assert!(!uses_sha1(XmlDsigAlg::Sha256.uri()));
        assert_eq!(XmlDsigAlg::EcdsaSha384.jws_equivalent(), Some(Alg::Es384));
    }
}
