//! JWS `alg` values (RFC 7518, RFC 8037) and what each needs from a key.

use openssl::hash::MessageDigest;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    Hs256,
    Hs384,
    Hs512,
    Rs256,
    Rs384,
    Rs512,
    Ps256,
    Ps384,
    Ps512,
    Es256,
    Es384,
    Es512,
    EdDsa,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlgFamily {
    Hmac,
    RsaPkcs1,
    RsaPss,
    Ecdsa,
    EdDsa,
}

impl Alg {
    /// Parses a JWS `alg`. Names are case-sensitive (RFC 7515 §4.1.1); `none` is not a signature
    /// algorithm and is handled before this.
    pub fn parse(name: &str) -> Option<Alg> {
        Some(match name {
            "HS256" => Alg::Hs256,
            "HS384" => Alg::Hs384,
            "HS512" => Alg::Hs512,
            "RS256" => Alg::Rs256,
            "RS384" => Alg::Rs384,
            "RS512" => Alg::Rs512,
            "PS256" => Alg::Ps256,
            "PS384" => Alg::Ps384,
            "PS512" => Alg::Ps512,
            "ES256" => Alg::Es256,
            "ES384" => Alg::Es384,
            "ES512" => Alg::Es512,
            "EdDSA" => Alg::EdDsa,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Alg::Hs256 => "HS256",
            Alg::Hs384 => "HS384",
            Alg::Hs512 => "HS512",
            Alg::Rs256 => "RS256",
            Alg::Rs384 => "RS384",
            Alg::Rs512 => "RS512",
            Alg::Ps256 => "PS256",
            Alg::Ps384 => "PS384",
            Alg::Ps512 => "PS512",
            Alg::Es256 => "ES256",
            Alg::Es384 => "ES384",
            Alg::Es512 => "ES512",
            Alg::EdDsa => "EdDSA",
        }
    }

    pub fn family(self) -> AlgFamily {
        match self {
            Alg::Hs256 | Alg::Hs384 | Alg::Hs512 => AlgFamily::Hmac,
            Alg::Rs256 | Alg::Rs384 | Alg::Rs512 => AlgFamily::RsaPkcs1,
            Alg::Ps256 | Alg::Ps384 | Alg::Ps512 => AlgFamily::RsaPss,
            Alg::Es256 | Alg::Es384 | Alg::Es512 => AlgFamily::Ecdsa,
            Alg::EdDsa => AlgFamily::EdDsa,
        }
    }

    /// The digest, for every family but EdDSA (which hashes internally).
    pub fn digest(self) -> Option<MessageDigest> {
        Some(match self {
            Alg::Hs256 | Alg::Rs256 | Alg::Ps256 | Alg::Es256 => MessageDigest::sha256(),
            Alg::Hs384 | Alg::Rs384 | Alg::Ps384 | Alg::Es384 => MessageDigest::sha384(),
            Alg::Hs512 | Alg::Rs512 | Alg::Ps512 | Alg::Es512 => MessageDigest::sha512(),
            Alg::EdDsa => return None,
        })
    }

    /// Digest output length in bytes (HMAC tag length, minimum HMAC key length).
    pub fn digest_len(self) -> usize {
        self.digest().map(|d| d.size()).unwrap_or(64)
    }

    /// The JWK `kty` this algorithm needs.
    pub fn kty(self) -> &'static str {
        match self.family() {
            AlgFamily::Hmac => "oct",
            AlgFamily::RsaPkcs1 | AlgFamily::RsaPss => "RSA",
            AlgFamily::Ecdsa => "EC",
            AlgFamily::EdDsa => "OKP",
        }
    }

    /// The JWK `crv` this algorithm needs, for curve-bound families.
    pub fn curve(self) -> Option<&'static str> {
        match self {
            Alg::Es256 => Some("P-256"),
            Alg::Es384 => Some("P-384"),
            Alg::Es512 => Some("P-521"),
            Alg::EdDsa => Some("Ed25519"),
            _ => None,
        }
    }

    pub fn is_symmetric(self) -> bool {
        self.family() == AlgFamily::Hmac
    }
}

/// True for `none` in any spelling (`None`, `NONE`, `nOnE`): libraries have been fooled by case.
pub fn is_none_alg(name: &str) -> bool {
    name.eq_ignore_ascii_case("none")
}
