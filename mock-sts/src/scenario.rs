//! The failure scenarios of the SPEC. One is in force at a time, for the whole server; it can be changed
//! at run time (`PUT /_mock/scenario`) or chosen at start (`--scenario`).

use std::fmt;
use std::str::FromStr;

/// How the mock fails (or not): the scenarios of the SPEC, named in kebab case on the command line and
/// in the control API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scenario {
    /// Everything works as in a well-configured tenant.
    #[default]
    Healthy,
    /// SAML: the app has no signing certificate (AADSTS50003). OIDC flows are unaffected.
    MissingSigningKey,
    /// SAML: the preferred signing thumbprint names a certificate the app no longer has. OIDC unaffected.
    DanglingSigningKey,
    /// SAML: the signing certificate has expired and Entra keeps signing with it. OIDC unaffected.
    ExpiredSigningCert,
    /// Tokens are signed with a key the JWKS does not publish yet.
    UnpublishedSigningKey,
    /// The JWKS publishes the new and the old key; tokens are signed with the new one.
    RotatedKeys,
    /// OIDC apps need an app-specific signing key and have none: AADSTS50146.
    CustomSigningKeyRequired,
    /// Every client secret is past its end date: the right secret gets AADSTS7000222.
    ExpiredClientSecret,
    /// The apps' certificate credentials were never uploaded: a client assertion gets AADSTS700027
    /// ("The key was not found").
    ClientCertNotUploaded,
    /// The apps' certificate credentials are past their end date: AADSTS700027 ("The key used is expired").
    ExpiredClientCert,
    /// Entra's clock runs an hour ahead of the client's, so every client assertion has expired when it
    /// arrives: AADSTS700024 with the three times.
    ExpiredClientAssertion,
}

impl Scenario {
    /// Every scenario, in the SPEC's order.
    pub const ALL: [Scenario; 11] = [
        Scenario::Healthy,
        Scenario::MissingSigningKey,
        Scenario::DanglingSigningKey,
        Scenario::ExpiredSigningCert,
        Scenario::UnpublishedSigningKey,
        Scenario::RotatedKeys,
        Scenario::CustomSigningKeyRequired,
        Scenario::ExpiredClientSecret,
        Scenario::ClientCertNotUploaded,
        Scenario::ExpiredClientCert,
        Scenario::ExpiredClientAssertion,
    ];

    /// The kebab-case name (`missing-signing-key`), as `--scenario` and the control API take it.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Healthy => "healthy",
            Scenario::MissingSigningKey => "missing-signing-key",
            Scenario::DanglingSigningKey => "dangling-signing-key",
            Scenario::ExpiredSigningCert => "expired-signing-cert",
            Scenario::UnpublishedSigningKey => "unpublished-signing-key",
            Scenario::RotatedKeys => "rotated-keys",
            Scenario::CustomSigningKeyRequired => "custom-signing-key-required",
            Scenario::ExpiredClientSecret => "expired-client-secret",
            Scenario::ClientCertNotUploaded => "client-cert-not-uploaded",
            Scenario::ExpiredClientCert => "expired-client-cert",
            Scenario::ExpiredClientAssertion => "expired-client-assertion",
        }
    }

    /// The names of [`Scenario::ALL`].
    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|s| s.name()).collect()
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown scenario '{given}'; known: {}", Scenario::names().join(", "))]
pub struct UnknownScenario {
    pub given: String,
}

impl FromStr for Scenario {
    type Err = UnknownScenario;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|s| s.name() == text.trim())
            .ok_or_else(|| UnknownScenario {
                given: text.to_string(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for scenario in Scenario::ALL {
            assert_eq!(scenario.name().parse::<Scenario>().unwrap(), scenario);
        }
        assert!("sunny"
            .parse::<Scenario>()
            .unwrap_err()
            .to_string()
            .contains("rotated-keys"));
    }
}
