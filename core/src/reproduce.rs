//! Which mock-sts scenario reproduces a failure seen in the field, once for both programs: keyprobe's
//! `reproduce` reads it to write `mock-sts --scenario NAME` and the fix to try, and mock-sts's tests prove
//! that every scenario named here is one it has and that every failing scenario it has is reachable.

/// A failure as a capture shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Entra answered with this AADSTS code (error page, JSON error, SAML status).
    Aadsts(u32),
    /// Entra answered with this code and a text containing this reason (`[Reason - The key used is
    /// expired., …]`), which another scenario reproduces than the code's other reasons.
    AadstsReason(u32, &'static str),
    /// The relying party's own validation failed after Entra answered.
    RelyingParty(RpFailure),
    /// The app's registration (Graph JSON, federation metadata) shows the cause before any sign-in.
    AppSide(AppCause),
}

/// A cause an app registration shows by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppCause {
    /// A SAML app with no signing certificate (metadata without signing keys): sign-in ends in AADSTS50003.
    NoSamlSigningKey,
    /// `preferredTokenSigningKeyThumbprint` names a certificate the app does not have: AADSTS50003.
    DanglingSigningKey,
}

/// A relying party's validation failure, by cause rather than by library wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RpFailure {
    /// The token names a signing key the published key set does not have (IDX10503, PyJWT, jose…).
    SigningKeyNotPublished,
    /// The SAML response or token is signed with a certificate past its end (IDX10249, toolkits).
    SigningCertificateExpired,
}

/// Which protocol the replayed request speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// SAML sign-in at `/{tenant}/saml2`: the answer is the error page or an auto-posted SAMLResponse.
    SamlSignIn,
    /// The token endpoint: a JSON error or a token.
    TokenEndpoint,
    /// The authorize endpoint: the error page or a redirect to the app.
    Authorize,
}

/// What to do on the mock to see the failure go away: what the portal action or client change is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fix {
    /// Create a SAML signing certificate for the app and make it active (portal: SAML Signing
    /// Certificate, New Certificate, Make certificate active): `POST /_mock/apps/{appId}/certificates`,
    /// then `POST /_mock/apps/{appId}/certificates/{thumbprint}/activate`.
    NewSamlCertificate,
    /// Give the app its own signing key: `custom_signing_key = true` in the configuration, restart.
    CustomSigningKey,
    /// The relying party refreshes its key set once the issuer publishes the new key: the mock's
    /// `rotated-keys` scenario publishes it (`PUT /_mock/scenario`).
    PublishNewKey,
    /// The client sends the app's secret value (not its id, not an old one).
    SendRightSecret,
    /// The app gets a new client secret (the old one expired) and the client sends it: on the mock, scenario
    /// `healthy` (`PUT /_mock/scenario`), where the app's secret is in force again.
    NewClientSecret,
    /// Register the redirect (reply) URI the request sends on the app, restart.
    RegisterRedirectUri,
    /// Register the app (client id, SAML identifier) in the tenant the request names, restart.
    RegisterApp,
    /// Upload the client's certificate (its public part) to the app (portal: Certificates & secrets,
    /// Upload certificate): `POST /_mock/apps/{appId}/client-certificates` with the PEM.
    UploadClientCertificate,
    /// The app's certificate credential has expired: make a new certificate, upload it, and have the
    /// client sign with it.
    RenewClientCertificate,
    /// The client's: send an assertion inside its window at the STS's time (a correct clock, an assertion
    /// made for each request rather than cached).
    FreshClientAssertion,
}

/// In scenario `expired-client-assertion` mock-sts's clock runs this far ahead of the machine's, as Entra's
/// runs ahead of a client whose clock is behind.
pub const EXPIRED_CLIENT_ASSERTION_CLOCK_AHEAD_SECONDS: i64 = 3600;

/// One row of the table: a failure, the scenario that reproduces it and the fix that undoes it.
#[derive(Debug, Clone, Copy)]
pub struct Reproduction {
    /// The failure seen in the field.
    pub failure: Failure,
    /// Where the user meets it.
    pub surface: Surface,
    /// A mock-sts scenario name (`mock-sts --scenario NAME`).
    pub scenario: &'static str,
    /// How the mock is set up to fail that way, in a sentence.
    pub how: &'static str,
    /// What to change to make it go away.
    pub fix: Fix,
}

/// The reproductions mock-sts can make, most specific first.
pub const REPRODUCTIONS: &[Reproduction] = &[
    Reproduction {
        failure: Failure::Aadsts(50003),
        surface: Surface::SamlSignIn,
        scenario: "missing-signing-key",
        how: "the SAML app has no signing certificate, so Entra cannot sign the SAMLResponse and ends the sign-in on its error page",
        fix: Fix::NewSamlCertificate,
    },
    Reproduction {
        failure: Failure::AppSide(AppCause::NoSamlSigningKey),
        surface: Surface::SamlSignIn,
        scenario: "missing-signing-key",
        how: "the SAML app has no signing certificate, so a sign-in ends on Entra's error page with AADSTS50003",
        fix: Fix::NewSamlCertificate,
    },
    Reproduction {
        failure: Failure::AppSide(AppCause::DanglingSigningKey),
        surface: Surface::SamlSignIn,
        scenario: "dangling-signing-key",
        how: "the app's preferred signing thumbprint names a certificate it no longer has, so a sign-in ends on Entra's error page with AADSTS50003",
        fix: Fix::NewSamlCertificate,
    },
    Reproduction {
        failure: Failure::Aadsts(50146),
        surface: Surface::TokenEndpoint,
        scenario: "custom-signing-key-required",
        how: "the app needs an application-specific signing key (claims mapping) and has none",
        fix: Fix::CustomSigningKey,
    },
    Reproduction {
        failure: Failure::RelyingParty(RpFailure::SigningKeyNotPublished),
        surface: Surface::TokenEndpoint,
        scenario: "unpublished-signing-key",
        how: "tokens are signed with a key the tenant's JWKS does not publish yet, so the relying party finds no key with the token's kid",
        fix: Fix::PublishNewKey,
    },
    Reproduction {
        failure: Failure::RelyingParty(RpFailure::SigningCertificateExpired),
        surface: Surface::SamlSignIn,
        scenario: "expired-signing-cert",
        how: "the app's SAML signing certificate has expired and Entra keeps signing with it, so the service provider's validation fails",
        fix: Fix::NewSamlCertificate,
    },
    Reproduction {
        failure: Failure::Aadsts(7000222),
        surface: Surface::TokenEndpoint,
        scenario: "expired-client-secret",
        how: "the app's client secrets are past their end date, so the right secret is refused as expired",
        fix: Fix::NewClientSecret,
    },
    Reproduction {
        failure: Failure::Aadsts(7000215),
        surface: Surface::TokenEndpoint,
        scenario: "healthy",
        how: "the replayed request sends a secret the app does not have, as the captured one did",
        fix: Fix::SendRightSecret,
    },
    Reproduction {
        failure: Failure::AadstsReason(700027, "The key used is expired."),
        surface: Surface::TokenEndpoint,
        scenario: "expired-client-cert",
        how: "the app's certificate credential is past its end date, so a client assertion signed with that certificate is refused",
        fix: Fix::RenewClientCertificate,
    },
    Reproduction {
        failure: Failure::Aadsts(700027),
        surface: Surface::TokenEndpoint,
        scenario: "client-cert-not-uploaded",
        how: "the certificate the client signs its assertion with was never uploaded to the app, so Entra does not find the key the assertion's thumbprint names",
        fix: Fix::UploadClientCertificate,
    },
    Reproduction {
        failure: Failure::Aadsts(700024),
        surface: Surface::TokenEndpoint,
        scenario: "expired-client-assertion",
        how: "the client assertion's validity window is where the capture's was relative to the STS's clock, outside it (the mock's clock runs an hour ahead in this scenario; replay.sh signs against it)",
        fix: Fix::FreshClientAssertion,
    },
    Reproduction {
        failure: Failure::Aadsts(50011),
        surface: Surface::Authorize,
        scenario: "healthy",
        how: "the app is registered without the redirect URI the request sends",
        fix: Fix::RegisterRedirectUri,
    },
    Reproduction {
        failure: Failure::Aadsts(700016),
        surface: Surface::TokenEndpoint,
        scenario: "healthy",
        how: "the tenant has no app with the client id (or SAML identifier) the request sends",
        fix: Fix::RegisterApp,
    },
];

/// The row for a failure, if mock-sts can reproduce it.
pub fn reproduction(failure: Failure) -> Option<&'static Reproduction> {
    REPRODUCTIONS.iter().find(|r| r.failure == failure)
}

/// The failure an AADSTS answer shows: the row whose reason its text contains, else the code alone.
pub fn aadsts_failure(code: u32, message: &str) -> Failure {
    REPRODUCTIONS
        .iter()
        .find_map(|r| match r.failure {
            Failure::AadstsReason(c, reason) if c == code && message.contains(reason) => {
                Some(r.failure)
            }
            _ => None,
        })
        .unwrap_or(Failure::Aadsts(code))
}

/// Every scenario name the table uses, once each.
pub fn scenario_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::new();
    for r in REPRODUCTIONS {
        if !names.contains(&r.scenario) {
            names.push(r.scenario);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failure_has_one_row() {
        for (i, a) in REPRODUCTIONS.iter().enumerate() {
            for b in &REPRODUCTIONS[i + 1..] {
                assert_ne!(a.failure, b.failure, "two rows for {:?}", a.failure);
            }
        }
        assert_eq!(
            reproduction(Failure::Aadsts(50003)).map(|r| r.scenario),
            Some("missing-signing-key")
        );
        assert!(reproduction(Failure::Aadsts(1)).is_none());
    }

    #[test]
    fn a_reason_picks_its_row() {
        assert_eq!(
            aadsts_failure(700027, "Client assertion contains an invalid signature. [Reason - The key used is expired., Thumbprint of key used by client: 'AB']"),
            Failure::AadstsReason(700027, "The key used is expired.")
        );
        assert_eq!(
            aadsts_failure(700027, "[Reason - The key was not found., …]"),
            Failure::Aadsts(700027)
        );
        assert_eq!(aadsts_failure(50003, ""), Failure::Aadsts(50003));
    }

    #[test]
    fn every_code_is_in_the_catalogue() {
        for r in REPRODUCTIONS {
            if let Failure::Aadsts(code) | Failure::AadstsReason(code, _) = r.failure {
                assert!(
                    crate::aadsts::AadCode::ALL
                        .iter()
                        .any(|c| c.entry().number == code),
                    "AADSTS{code} is not in the shared catalogue"
                );
            }
        }
    }
}
