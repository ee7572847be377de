//! .NET IdentityModel's IDX messages around keys, with both readings where versions disagree.

use super::library_messages::by_name;
use super::page::Page;

/// An IDX code's page. What IdentityModel prints for it (per version) is read from
/// [`LIBRARY_MESSAGES`](super::LIBRARY_MESSAGES), never written twice.
pub(crate) struct IdxEntry {
    pub code: &'static str,
    pub meaning: &'static str,
    /// The keyprobe finding that diagnoses the same cause.
    pub finding: &'static str,
    pub scenario: Option<&'static str>,
    pub fix: &'static str,
}

pub(crate) fn idx(code: &str) -> Option<&'static IdxEntry> {
    IDX.iter().find(|e| e.code == code.trim())
}

impl IdxEntry {
    pub(crate) fn page(&self) -> Page {
        let name = format!("IDX{}", self.code);
        let mut page = Page::new(format!("{name} (.NET Microsoft.IdentityModel)"));
        page.heading("What it prints");
        let rows = by_name(&name);
        page.bullets(rows.iter().map(|m| {
            let when = if m.when.is_empty() {
                String::new()
            } else {
                format!(" ({})", m.when)
            };
            format!("{} {}: \"{}\"{when}", m.library, m.versions, m.seen_as())
        }));
        page.heading("What it means").text(self.meaning);
        page.heading("Confirm with keyprobe").text(format!(
            "keyprobe inspect TOKEN --metadata https://login.microsoftonline.com/TENANT/v2.0/.well-known/openid-configuration reports {} with the evidence (keyprobe explain {}).",
            self.finding, self.finding
        ));
        if let Some(s) = self.scenario {
            page.heading("Reproduce with mock-sts")
                .command(format!("mock-sts --scenario {s}"));
        }
        page.heading("Fix").text(self.fix);
        page
    }
}

pub(crate) static IDX: &[IdxEntry] = &[
    IdxEntry { code: "10500", meaning: "The validator had no keys at all: the configuration manager returned an empty key set, or IssuerSigningKey(s) were not set.", finding: "no-signing-keys", scenario: Some("missing-signing-key"), fix: "configure Authority/MetadataAddress so keys come from the issuer's jwks_uri, or set IssuerSigningKeys." },
    IdxEntry { code: "10501", meaning: "IdentityModel 5.x's \"kid not found\" error: the token's kid matched none of the keys the validator holds. From 6.x on the same situation is reported as IDX10503 (IDX10501 is no longer raised).", finding: "key-not-found", scenario: Some("unpublished-signing-key"), fix: "refresh the cached metadata (ConfigurationManager refreshes on this error at most every 5 minutes by default); check the token's tenant and whether the app uses app-specific keys (?appid=)." },
    IdxEntry { code: "10503", meaning: "The token names its key with a kid and none of the keys the validator holds has it. Read the wording by version: 7.x and later name the kid; 6.x says \"Token does not have a kid\" even when it has one; in 5.x the same number meant a token without a kid whose signature no key verified (read the signature-invalid explanation then).", finding: "key-not-found", scenario: Some("unpublished-signing-key"), fix: "let the app fetch keys from the issuer's jwks_uri (do not pin); use the JWKS with ?appid= for app-specific signing keys; make sure the token comes from the tenant you configured." },
    IdxEntry { code: "10511", meaning: "A key with the token's kid was found, but the signature did not verify with it.", finding: "signature-invalid", scenario: None, fix: "get a fresh token; check the token was not modified and that the key set belongs to the same environment." },
    IdxEntry { code: "10517", meaning: "The token has no kid, and no key the validator tried verified it.", finding: "signature-invalid", scenario: None, fix: "issue tokens with a kid, or give the validator the exact key." },
    IdxEntry { code: "10214", meaning: "The token's aud is not among the audiences the API accepts.", finding: "audience-mismatch", scenario: None, fix: "accept the API's client id and app ID URI, and request tokens with the API's scope." },
    IdxEntry { code: "10205", meaning: "The token's iss is not an issuer the API accepts; typical with v1 (sts.windows.net) vs v2 (login.microsoftonline.com/…/v2.0) tokens.", finding: "issuer-mismatch", scenario: None, fix: "accept the issuer matching the token version, or set accessTokenAcceptedVersion to 2." },
    IdxEntry { code: "10223", meaning: "exp is in the past beyond ClockSkew (5 minutes by default).", finding: "token-expired", scenario: None, fix: "acquire a new token; check clocks." },
    IdxEntry { code: "10222", meaning: "nbf is in the future beyond ClockSkew.", finding: "token-not-yet-valid", scenario: None, fix: "synchronise clocks." },
    IdxEntry { code: "10249", meaning: "ValidateIssuerSigningKey is on and the certificate behind the signing key has expired.", finding: "cert-expired", scenario: Some("expired-signing-cert"), fix: "renew the signing certificate at the IdP and refresh the SP's metadata." },
    IdxEntry { code: "10631", meaning: "The key that should verify the signature is an RSA key below IdentityModel's minimum for verifying (1024 bits); keys between 1024 and 2047 bits still verify there, though keyprobe reports them as weak.", finding: "weak-key", scenario: None, fix: "re-key with RSA-2048 or stronger." },
    IdxEntry { code: "10634", meaning: "The token's alg cannot be used with the selected key.", finding: "alg-key-mismatch", scenario: None, fix: "align the issuer's algorithm and the key type." },
    IdxEntry { code: "10504", meaning: "The token is unsigned (alg none).", finding: "alg-none", scenario: None, fix: "reject unsigned tokens." },
    IdxEntry { code: "20803", meaning: "The metadata (discovery document or JWKS) could not be fetched or parsed.", finding: "metadata-inconsistent", scenario: None, fix: "check the metadata URL, DNS, proxies and TLS trust from the app's host; keyprobe inspect URL fetches it the same way." },
    IdxEntry { code: "21817", meaning: "The discovery document was read but its jwks_uri returned no keys.", finding: "no-signing-keys", scenario: Some("missing-signing-key"), fix: "check jwks_uri and the tenant/app it points at." },
];
