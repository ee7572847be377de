//! The finding catalogue: every code SPEC.md names, with its severity, hint, what relying
//! parties print for the same cause (`seen_as`) and its `explain` page.

use serde::{Serialize, Serializer};

use super::library_messages::{Family, LibraryMessage, LIBRARY_MESSAGES};
use super::page::{Block, Page};
use crate::detect::Kind;
use crate::report::Severity;

macro_rules! finding_codes {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// A stable finding code (SPEC.md "Finding codes").
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum FindingCode { $(#[doc = concat!("`", $name, "`: see the catalogue entry.")] $variant),* }

        impl FindingCode {
            /// Every code, in catalogue order.
            pub const ALL: &'static [FindingCode] = &[$(FindingCode::$variant),*];

            /// The code as JSON and SPEC.md spell it (`key-not-found`).
            pub fn as_str(self) -> &'static str {
                match self { $(FindingCode::$variant => $name),* }
            }

            /// The code spelled `text`, if there is one.
            pub fn parse(text: &str) -> Option<FindingCode> {
                match text { $($name => Some(FindingCode::$variant),)* _ => None }
            }
        }
    };
}

finding_codes! {
    Malformed => "malformed",
    Unrecognised => "unrecognised",
    AlgNone => "alg-none",
    SignatureInvalid => "signature-invalid",
    KeyNotFound => "key-not-found",
    NoSigningKeys => "no-signing-keys",
    SignatureNotChecked => "signature-not-checked",
    SignatureVerified => "signature-verified",
    KeyUrlNotFetched => "key-url-not-fetched",
    PrivateKeyPublished => "private-key-published",
    AlgKeyMismatch => "alg-key-mismatch",
    KeyUseMismatch => "key-use-mismatch",
    ThumbprintMismatch => "thumbprint-mismatch",
    UntrustedEmbeddedKey => "untrusted-embedded-key",
    CertExpired => "cert-expired",
    CertNotYetValid => "cert-not-yet-valid",
    CertExpiringSoon => "cert-expiring-soon",
    WeakKey => "weak-key",
    TokenExpired => "token-expired",
    TokenNotYetValid => "token-not-yet-valid",
    TokenNoExpiry => "token-no-expiry",
    IssuerMismatch => "issuer-mismatch",
    AudienceMismatch => "audience-mismatch",
    DuplicateKid => "duplicate-kid",
    SamlUnsigned => "saml-unsigned",
    SamlSignatureWrapping => "saml-signature-wrapping",
    XmlDtdForbidden => "xml-dtd-forbidden",
    SamlStatusError => "saml-status-error",
    StsError => "sts-error",
    MetadataInconsistent => "metadata-inconsistent",
    MetadataExpired => "metadata-expired",
    PrivateKeyMaterial => "private-key-material",
    SigningKeyDangling => "signing-key-dangling",
    SigningKeyPairBroken => "signing-key-pair-broken",
    CredentialExpired => "credential-expired",
    CredentialExpiringSoon => "credential-expiring-soon",
}

impl FindingCode {
    /// The catalogue entry: default severity, title and hint.
    pub fn entry(self) -> &'static FindingEntry {
        // FINDINGS lists every code (a unit test holds it to that); the fallback keeps this total.
        FINDINGS
            .iter()
            .find(|(c, _)| *c == self)
            .map(|(_, e)| e)
            .unwrap_or(&FINDINGS[0].1)
    }
}

impl Serialize for FindingCode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for FindingCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

pub struct FindingEntry {
    pub severity: Severity,
    pub title: &'static str,
    /// The hint for any kind without one of its own in `hints`.
    pub hint: &'static str,
    /// Hints for the artifact families whose situation the generic hint does not fit.
    pub hints: &'static [(Family, &'static str)],
    pub meaning: &'static str,
    pub causes: &'static [&'static str],
    pub confirm: &'static str,
    /// The mock-sts scenario that reproduces it, when one does.
    pub scenario: Option<&'static str>,
    pub fix: &'static str,
}

/// A library's line as pages show it: the text, who prints it, in which versions and when.
pub(crate) fn library_line(m: &LibraryMessage) -> String {
    let when = if m.when.is_empty() {
        String::new()
    } else {
        format!("; {}", m.when)
    };
    format!("{} [{} {}{when}]", m.seen_as(), m.library, m.versions)
}

/// Families in the order pages list them.
const FAMILIES: [Family; 6] = [
    Family::Token,
    Family::Saml,
    Family::SamlMetadata,
    Family::KeySet,
    Family::Certificate,
    Family::AppRegistration,
];

impl FindingEntry {
    /// The hint that fits a report of `kind`.
    pub fn hint_for(&self, kind: Kind) -> &'static str {
        let own = |family: Family| self.hints.iter().find(|(h, _)| *h == family);
        Family::of(kind)
            // Metadata is SAML too: without a hint of its own it takes the SAML one.
            .and_then(|f| {
                own(f).or_else(|| {
                    (f == Family::SamlMetadata)
                        .then(|| own(Family::Saml))
                        .flatten()
                })
            })
            .map_or(self.hint, |(_, hint)| hint)
    }

    pub fn page(&self, code: FindingCode) -> Page {
        let mut page = Page::new(format!(
            "{} ({}): {}",
            code.as_str(),
            self.severity.as_str(),
            self.title
        ));
        page.text(self.meaning);
        if !self.causes.is_empty() {
            page.heading("Usual causes")
                .bullets(self.causes.iter().copied());
        }
        let mut printed = Vec::new();
        for family in FAMILIES {
            let lines: Vec<&LibraryMessage> = LIBRARY_MESSAGES
                .iter()
                .filter(|m| m.findings.contains(&code) && m.applies_to.contains(&family))
                .collect();
            if lines.is_empty() {
                continue;
            }
            printed.push(Block::Text(format!(
                "For {} ({}):",
                family.as_str(),
                family.kinds()
            )));
            printed.push(Block::Bullets(
                lines.iter().map(|m| library_line(m)).collect(),
            ));
        }
        if !printed.is_empty() {
            page.heading("What your stack prints for it");
            page.blocks.extend(printed);
        }
        page.heading("Confirm with keyprobe").text(self.confirm);
        if let Some(scenario) = self.scenario {
            page.heading("Reproduce with mock-sts")
                .command(format!("mock-sts --scenario {scenario}"));
        }
        page.heading("Fix").text(self.fix);
        page
    }
}

pub(crate) static FINDINGS: &[(FindingCode, FindingEntry)] = &[
    (FindingCode::Malformed, FindingEntry {
        severity: Severity::Error,
        title: "the input cannot be parsed as what it looks like",
        hint: "check that the whole value was copied (tokens are often cut at a line break or a quote) and that it is not URL- or double-encoded",
        hints: &[
            (Family::Saml, "check that the whole SAML message was copied (a SAMLResponse is long, and logs, terminals and chat tools cut it); from a URL it is URL-encoded and, in the Redirect binding, DEFLATE-compressed as well"),
            (Family::SamlMetadata, "download the metadata again from its URL and make sure it is the XML document itself, whole, not a login or proxy page"),
            (Family::KeySet, "fetch the document again from its URL and make sure it is the JSON itself, whole, not an HTML login or proxy page"),
            (Family::Certificate, "a PEM certificate must keep its BEGIN/END lines and its whole base64 body; a DER file must not be opened and saved as text"),
        ],
        meaning: "keyprobe recognised what the input is meant to be (a JWT, a key set, a certificate…) but could not decode it: bad base64url, invalid JSON, duplicate JSON members, a wrong number of segments, broken DER, or a size or depth beyond keyprobe's bounds. The message says which part failed and where.",
        causes: &["the value was truncated when copied from a log or a browser", "the token was URL-encoded or wrapped in quotes or JSON twice", "a JOSE header or claim set with a member written twice, which parsers resolve differently", "a hand-edited JWKS or certificate"],
        confirm: "keyprobe inspect --json INPUT and read the finding's evidence: it names the segment or field and the parser's reason.",
        scenario: None,
        fix: "take the value again from its source (the Authorization header, the form post, the JWKS endpoint), whole and undecorated.",
    }),
    (FindingCode::Unrecognised, FindingEntry {
        severity: Severity::Error,
        title: "keyprobe cannot tell what the input is",
        hint: "paste the token, key set, metadata, certificate or error text itself, whole; the decoded section lists what was tried",
        hints: &[],
        meaning: "The input matched none of the shapes keyprobe knows (compact JWS/JWE, JSON key sets and documents, PEM/DER certificates, Entra error text), so nothing was checked. This is an error (exit 1): an input nothing could read is never a pass.",
        causes: &["a value cut from its surroundings, or wrapped in another encoding", "a SAML message in a form keyprobe does not decode yet"],
        confirm: "keyprobe inspect --json INPUT shows decoded.tried.",
        scenario: None,
        fix: "give keyprobe the value itself.",
    }),
    (FindingCode::AlgNone, FindingEntry {
        severity: Severity::Error,
        title: "an unsecured JWS (alg none)",
        hint: "never accept unsigned tokens; if your own code produced this, configure a signing key",
        hints: &[],
        meaning: "The token's header says its algorithm is none (in any spelling), so it carries no signature. Anyone can write such a token; no relying party may accept it.",
        causes: &["a forged token probing for the classic alg=none flaw", "a test token minted without a key", "an identity provider misconfigured to issue unsigned tokens"],
        confirm: "keyprobe inspect TOKEN shows the header's alg and the empty signature segment.",
        scenario: None,
        fix: "reject the token. If it came from your own issuer, give the issuer a signing key and sign with RS256 or ES256.",
    }),
    (FindingCode::SignatureInvalid, FindingEntry {
        severity: Severity::Error,
        title: "a trusted key was selected but the signature does not verify",
        hint: "the token was altered, or signed by a different key that reuses the kid; fetch the issuer's current key set and compare certificates",
        hints: &[
            (Family::Saml, "the signed XML was changed after signing (any edit, re-indentation or re-encoding breaks a reference digest), or the certificate you trust is not the one that signed; compare the KeyInfo certificate with the metadata's"),
        ],
        meaning: "keyprobe found a trusted key that the token (or XML signature) says it was signed with, and the cryptographic check failed. Either the signed bytes were changed after signing, or the key with that identifier is not the key that signed.",
        causes: &["the token or assertion was modified (claims edited, whitespace changed in XML)", "two keys share a kid, e.g. a test key and a production key", "the key set is from another environment (staging vs production) that reuses kids", "for XML: a reference digest no longer matches the canonicalised content"],
        confirm: "keyprobe inspect TOKEN --jwks KEYS --json: the evidence lists the keys tried and which checks failed.",
        scenario: None,
        fix: "obtain a fresh token from the issuer; make sure the key set is the issuer's own (same tenant, same cloud).",
    }),
    (FindingCode::KeyNotFound, FindingEntry {
        severity: Severity::Error,
        title: "the input names its signing key and no trusted key matches",
        hint: "nothing in the inputs says why: the key set may be an old copy (give its URL, so that keyprobe compares it with earlier fetches), the token may come from another tenant or issuer (compare its iss and tid with the keys' source), or an Entra app may sign with its own key (the key set with ?appid=)",
        hints: &[
            (Family::Saml, "the IdP signs with a certificate that is not in the metadata you trust: it rolled its signing certificate over (in Entra, another SAML certificate was made active), or the metadata belongs to another app or tenant; load the app's federation metadata again"),
        ],
        meaning: "The token names the key that signed it (kid, x5t, x5t#S256, or a KeyInfo certificate) and none of the keys you trust has that identifier. This is the relying party's side of a signing-key problem: the consumer cannot find the key, so it cannot verify the token.",
        causes: &["Entra rotated its signing keys and the application caches an old JWKS (or pins a certificate)", "the token comes from another tenant, cloud or app (app-specific keys need ?appid= on the JWKS URL)", "the issuer signs with a key it has not published yet", "the consumer dropped the key: PyJWT silently skips keys it cannot parse and keys with use 'enc'"],
        confirm: "keyprobe inspect TOKEN --metadata DISCOVERY-URL: the evidence lists every candidate key and why it was rejected, and whether any trusted key does verify the signature (a kid problem rather than a key problem).",
        scenario: Some("unpublished-signing-key"),
        fix: "refresh the application's key cache from the issuer's jwks_uri (do not pin keys); for app-specific signing keys use the JWKS with ?appid=; check the token's iss and tid name the tenant you expect.",
    }),
    (FindingCode::NoSigningKeys, FindingEntry {
        severity: Severity::Error,
        title: "the key source has no usable signing key at all",
        hint: "this is the situation behind AADSTS50003: create a signing certificate for the app and make it active, or point at the right key source",
        hints: &[
            (Family::Token, "the key source holds no key that can verify a signature (empty, only use 'enc' keys, or the wrong URL); point the relying party at the issuer's own jwks_uri"),
            (Family::KeySet, "this key set holds no key that can verify a signature (empty, or only use 'enc' keys): check the URL, tenant and appid it was fetched with"),
        ],
        meaning: "The key set or metadata you trust holds no key that can verify a signature: it is empty, holds only encryption keys (use 'enc', key_ops without verify), or the metadata has no signing KeyDescriptor. Nothing signed can be verified against it.",
        causes: &["a SAML app in Entra with no active signing certificate (AADSTS50003)", "a JWKS URL that points at the wrong tenant or a placeholder", "a key set that publishes only encryption keys", "metadata exported before a certificate was added"],
        confirm: "keyprobe inspect METADATA-OR-JWKS lists every key and why it is unusable.",
        scenario: Some("missing-signing-key"),
        fix: "in Entra: Enterprise applications > the app > Single sign-on > SAML Signing Certificate: create a new certificate, make it active, remove the unused one, then export the app's federation metadata again. Elsewhere: publish a signing key.",
    }),
    (FindingCode::SignatureNotChecked, FindingEntry {
        severity: Severity::Warning,
        title: "no key source was given, so the signature was not verified",
        hint: "add --metadata, --jwks, --cert or --key with the keys you trust to verify the signature",
        hints: &[(Family::Saml, "add --metadata with the IdP's SAML metadata (or --cert with its signing certificate) to verify the signature")],
        meaning: "keyprobe decoded the input but had no trusted key to check its signature with. Nothing here says the token is genuine.",
        causes: &["inspect was run without --jwks/--metadata/--cert/--key"],
        confirm: "rerun with the issuer's metadata: keyprobe inspect TOKEN --metadata https://login.microsoftonline.com/TENANT/v2.0/.well-known/openid-configuration",
        scenario: None,
        fix: "give the key source the application itself uses.",
    }),
    (FindingCode::SignatureVerified, FindingEntry {
        severity: Severity::Info,
        title: "the signature verifies with a trusted key",
        hint: "the signature is genuine for the key named in the evidence; the other findings say whether what it signs is acceptable (lifetime, issuer, audience)",
        hints: &[],
        meaning: "A key from the sources you trust verified the signature. This says who signed, not whether the token is still valid or meant for you: lifetime, issuer and audience are separate findings.",
        causes: &[],
        confirm: "the evidence names the key (kid, source, thumbprints).",
        scenario: Some("healthy"),
        fix: "nothing to fix.",
    }),
    (FindingCode::KeyUrlNotFetched, FindingEntry {
        severity: Severity::Info,
        title: "the input names a key URL (jku, x5u) that keyprobe never fetches",
        hint: "keys must come from a source you trust (--jwks, --metadata, --cert, --key), never from a location the token chooses",
        hints: &[],
        meaning: "The header points at a key set (jku) or certificate (x5u) on the network. A token that chooses where its own key comes from proves nothing, and fetching such URLs turns a verifier into a request forger, so keyprobe records the URL and leaves it alone.",
        causes: &["an issuer that advertises its JWKS in every token", "an attacker pointing a verifier at a key set they control"],
        confirm: "the finding's message shows the URL.",
        scenario: None,
        fix: "configure the relying party with the issuer's jwks_uri from its discovery document and ignore jku/x5u.",
    }),
    (FindingCode::PrivateKeyPublished, FindingEntry {
        severity: Severity::Error,
        title: "a key set publishes private key members",
        hint: "a public key set must carry only public members; treat the key as compromised and rotate it",
        hints: &[],
        meaning: "A JWK in the key set carries private members (d, p, q, dp, dq, qi, oth, or an oct k). Anyone who reads the key set can sign tokens as the issuer.",
        causes: &["a key set exported from a private key file without stripping private members", "an HMAC secret published as a JWK"],
        confirm: "keyprobe inspect KEYS lists the members per key.",
        scenario: None,
        fix: "rotate the key immediately, and publish only the public members (kty, kid, use, n, e / crv, x, y, x5c, x5t).",
    }),
    (FindingCode::AlgKeyMismatch, FindingEntry {
        severity: Severity::Error,
        title: "the header's alg does not fit the selected key",
        hint: "the token's alg must fit the key type, curve and size (RS*/PS* with RSA, ES256 with P-256, EdDSA with Ed25519, HS* with a shared secret only)",
        hints: &[],
        meaning: "The algorithm named in the header cannot be used with the key that would verify it: an RSA key for an ES256 token, a P-256 key for ES384, a JWK whose own alg differs, an unknown alg, or — the dangerous case — an HMAC alg with an RSA or EC public key (key confusion: the public key becomes a shared secret anyone knows).",
        causes: &["a forged token using HS256 keyed with the issuer's public key", "an issuer configured for one algorithm and a consumer for another", "a JWK published with the wrong alg member"],
        confirm: "keyprobe inspect TOKEN --jwks KEYS --json: the evidence shows the alg and each key's type, curve, size and alg.",
        scenario: None,
        fix: "pin the accepted algorithms in the relying party to what the issuer uses (Entra: RS256) and never derive HMAC keys from public keys.",
    }),
    (FindingCode::KeyUseMismatch, FindingEntry {
        severity: Severity::Error,
        title: "the selected key is marked for encryption",
        hint: "the key with this kid is published for encryption (use 'enc' or key_ops without 'verify'); the issuer must sign with a 'sig' key",
        hints: &[],
        meaning: "The key whose identifier the token names is published for encryption, not signatures. Careful consumers will not use it to verify, so they report the key as missing.",
        causes: &["a key set that reuses one kid for a signing and an encryption key", "a JWK published with use 'enc' by mistake"],
        confirm: "keyprobe inspect KEYS shows use and key_ops for every key.",
        scenario: None,
        fix: "publish the signing key with use 'sig' (or key_ops ['verify']) and distinct kids per purpose.",
    }),
    (FindingCode::ThumbprintMismatch, FindingEntry {
        severity: Severity::Error,
        title: "a thumbprint or key parameter disagrees with its certificate",
        hint: "x5t/x5t#S256 must be the certificate's SHA-1/SHA-256 thumbprint, and a JWK's n/e/x/y must be the key inside its own x5c certificate",
        hints: &[(Family::Saml, "a thumbprint configured at the service provider must be the SHA-1 (or SHA-256) of the IdP's signing certificate itself: recompute it from the certificate in the IdP's metadata")],
        meaning: "Two pieces of evidence about one key disagree: the x5t in a header or JWK is not the hash of the certificate it sits beside, or a JWK's public numbers differ from the certificate in its x5c. A consumer that matches on one and verifies with the other will fail, or worse, trust the wrong key.",
        causes: &["a JWKS assembled by hand after a certificate renewal", "a client assertion whose x5t was computed from another certificate (or with SHA-256 placed in x5t)", "a base64url vs hex thumbprint mix-up"],
        confirm: "keyprobe inspect KEYS or TOKEN: the evidence shows expected and presented thumbprints.",
        scenario: None,
        fix: "recompute x5t as base64url(SHA-1(DER certificate)) (x5t#S256 with SHA-256) and rebuild the JWK from the certificate.",
    }),
    (FindingCode::UntrustedEmbeddedKey, FindingEntry {
        severity: Severity::Error,
        title: "the signature verifies only with a key the input carries itself",
        hint: "a key inside the token (jwk, x5c, KeyInfo) proves nothing: anyone can sign with their own key and attach it; verify against the issuer's published keys",
        hints: &[
            (Family::Saml, "a certificate in the message's KeyInfo proves nothing: anyone can sign with their own certificate and attach it; verify against the certificate in the IdP's metadata"),
        ],
        meaning: "The signature is valid for a key embedded in the input, but no key you trust verifies it. A forger can always produce such a token; only keys obtained independently of the token make a signature meaningful.",
        causes: &["a forged token with a jwk or x5c header (self-signed)", "a SAML response signed by an unexpected certificate carried in KeyInfo", "a consumer that trusted KeyInfo and now faces a rotated IdP certificate"],
        confirm: "keyprobe inspect TOKEN --jwks KEYS: the evidence shows the embedded key's thumbprints next to the trusted ones.",
        scenario: None,
        fix: "reject the input unless the embedded certificate is one you already trust; update the trusted certificate from the IdP's metadata if it legitimately rotated.",
    }),
    (FindingCode::CertExpired, FindingEntry {
        severity: Severity::Error,
        title: "a certificate in play is past its notAfter",
        hint: "renew the certificate (Entra: create a new SAML signing certificate, make it active) and update every consumer that pins it",
        hints: &[
            (Family::Token, "the issuer's key certificate has expired: for Entra's tenant keys, fetch the current key set (Entra rotates them itself); for your own issuer, issue a new certificate, publish it, then switch"),
            (Family::KeySet, "a key in this set has an expired certificate: fetch the set again (the issuer may have rotated) or, for your own issuer, publish a renewed key before switching to it"),
        ],
        meaning: "A certificate that signs, or that a trusted key comes from, was no longer valid at the time of the check (--at). Entra keeps signing with an expired active SAML certificate; it is the service provider's validation that fails.",
        causes: &["an Entra SAML signing certificate that reached its 3-year end", "a client certificate registered for client assertions that expired", "a pinned certificate in a service provider's configuration"],
        confirm: "keyprobe inspect CERT-OR-METADATA --at TIME shows notBefore/notAfter relative to the check time.",
        scenario: Some("expired-signing-cert"),
        fix: "create a new certificate, make it active, distribute the new metadata to service providers, then remove the expired one.",
    }),
    (FindingCode::CertNotYetValid, FindingEntry {
        severity: Severity::Error,
        title: "a certificate in play is before its notBefore",
        hint: "check the clock of the machine that validates, or wait until the certificate's validity starts",
        hints: &[],
        meaning: "The certificate's validity has not started at the time of the check.",
        causes: &["a freshly issued certificate and a clock that runs behind", "a certificate dated in the future by mistake"],
        confirm: "keyprobe inspect CERT --at TIME.",
        scenario: None,
        fix: "synchronise clocks (NTP) or issue the certificate with a notBefore in the past.",
    }),
    (FindingCode::CertExpiringSoon, FindingEntry {
        severity: Severity::Warning,
        title: "a certificate expires within the warning window",
        hint: "plan the rollover now: add the new certificate, publish it, switch, then remove the old one",
        hints: &[
            (Family::Token, "the signing key's certificate expires soon: make sure the relying party refreshes keys from the jwks_uri so the rollover passes unnoticed"),
            (Family::KeySet, "a key's certificate expires soon: make sure relying parties refresh keys from the jwks_uri so the rollover passes unnoticed"),
        ],
        meaning: "A certificate in play is still valid but expires within --expiry-warning days (default 30).",
        causes: &["an Entra SAML certificate approaching its 3-year end", "a short-lived certificate without automated renewal"],
        confirm: "keyprobe inspect CERT --expiry-warning 60.",
        scenario: None,
        fix: "roll the certificate over before it expires.",
    }),
    (FindingCode::WeakKey, FindingEntry {
        severity: Severity::Error,
        title: "a key or signature algorithm below today's minimum",
        hint: "use RSA of at least 2048 bits, HMAC keys at least as long as the hash, and SHA-256 or better",
        hints: &[
            (Family::Saml, "use an RSA key of at least 2048 bits and RSA-SHA256 or better for XML signatures (Entra: Signing Algorithm SHA-256 on the SAML Signing Certificate)"),
        ],
        meaning: "An RSA key below 2048 bits, an HMAC key shorter than its hash output, or a SHA-1 based signature. Modern stacks refuse them; --allow-legacy reports them as warnings instead.",
        causes: &["old SAML IdPs with RSA-1024 certificates", "HMAC secrets typed by hand", "rsa-sha1 XML signatures"],
        confirm: "keyprobe inspect INPUT shows key sizes and algorithms.",
        scenario: None,
        fix: "re-key with RSA-2048+ or P-256 and sign with SHA-256.",
    }),
    (FindingCode::TokenExpired, FindingEntry {
        severity: Severity::Error,
        title: "the token's lifetime is over",
        hint: "get a new token; if tokens expire early, check the clocks of issuer and consumer",
        hints: &[
            (Family::Saml, "the assertion's NotOnOrAfter has passed: SAML responses are short-lived and used once, so sign in again; if fresh responses fail, compare the clocks of IdP and service provider"),
        ],
        meaning: "The JWT exp (or SAML NotOnOrAfter) is before the check time, beyond the allowed leeway.",
        causes: &["a token cached past its lifetime", "clock skew between machines", "a replayed token"],
        confirm: "keyprobe inspect TOKEN --at TIME --leeway SECS shows exp relative to the clock.",
        scenario: None,
        fix: "acquire a fresh token; keep clocks in sync.",
    }),
    (FindingCode::TokenNotYetValid, FindingEntry {
        severity: Severity::Error,
        title: "the token is not valid yet",
        hint: "the issuer's clock is ahead of the consumer's; synchronise clocks or allow a small leeway",
        hints: &[
            (Family::Saml, "the assertion's NotBefore is ahead of the check time: the service provider's clock runs behind the IdP's; synchronise clocks or allow a small skew"),
        ],
        meaning: "The JWT nbf (or SAML NotBefore) is after the check time, beyond the allowed leeway.",
        causes: &["clock skew", "a token minted with a future nbf"],
        confirm: "keyprobe inspect TOKEN --at TIME.",
        scenario: None,
        fix: "synchronise clocks (NTP); allow about five minutes of leeway.",
    }),
    (FindingCode::TokenNoExpiry, FindingEntry {
        severity: Severity::Warning,
        title: "a JWT without exp",
        hint: "tokens should expire; most libraries reject tokens without exp when told to require it",
        hints: &[],
        meaning: "The token has no exp claim, so it never expires by itself.",
        causes: &["a hand-made test token", "an issuer misconfiguration"],
        confirm: "keyprobe inspect TOKEN lists the claims.",
        scenario: None,
        fix: "issue tokens with exp.",
    }),
    (FindingCode::IssuerMismatch, FindingEntry {
        severity: Severity::Error,
        title: "the token's issuer is not the one expected",
        hint: "compare the v1 (https://sts.windows.net/{tid}/) and v2 (https://login.microsoftonline.com/{tid}/v2.0) issuers, and the tenant id",
        hints: &[
            (Family::Saml, "the Issuer must be the IdP entityID configured at the service provider (Entra: https://sts.windows.net/{tenant-id}/, from the app's federation metadata)"),
        ],
        meaning: "The iss claim differs from --issuer or from the issuer in the metadata. Entra's multi-tenant metadata uses the template {tenantid}, which keyprobe fills with the token's tid.",
        causes: &["a v1 token (sts.windows.net) checked against v2 metadata or the reverse: the resource's accessTokenAcceptedVersion decides", "a token from another tenant", "a trailing slash difference"],
        confirm: "keyprobe inspect TOKEN --metadata URL --issuer ISS shows expected and presented issuers.",
        scenario: None,
        fix: "configure the relying party with the issuer that matches the token version and tenant, or set accessTokenAcceptedVersion to 2 in the app manifest.",
    }),
    (FindingCode::AudienceMismatch, FindingEntry {
        severity: Severity::Error,
        title: "the token is not meant for this audience",
        hint: "the token was requested for another resource: check the scope (api://…/.default) or the app ID URI",
        hints: &[
            (Family::Saml, "the AudienceRestriction must name the service provider's entity ID (Entra: the app's Identifier (Entity ID) under Basic SAML Configuration)"),
        ],
        meaning: "The aud claim (or SAML AudienceRestriction) does not contain the --audience you gave.",
        causes: &["a Microsoft Graph token sent to your API", "the API expects the client id but the token carries the app ID URI (or the reverse)"],
        confirm: "keyprobe inspect TOKEN --audience AUD.",
        scenario: None,
        fix: "request the token with the API's scope, and accept both the client id and the app ID URI as audiences if both occur.",
    }),
    (FindingCode::DuplicateKid, FindingEntry {
        severity: Severity::Warning,
        title: "two keys in one key set share a kid",
        hint: "kids must be unique within a key set, or consumers pick an arbitrary one",
        hints: &[],
        meaning: "Several keys carry the same kid, so a consumer that selects by kid may choose the wrong one.",
        causes: &["a hand-merged JWKS", "a rotation that reused an identifier"],
        confirm: "keyprobe inspect KEYS.",
        scenario: None,
        fix: "give each key its own kid (Entra uses the certificate thumbprint).",
    }),
    (FindingCode::SamlUnsigned, FindingEntry {
        severity: Severity::Error,
        title: "neither the Response nor the Assertion carrying the subject is signed",
        hint: "the IdP must sign the assertion (Entra does by default) or the response; an unsigned SAML response must be rejected",
        hints: &[],
        meaning: "Nothing in the SAML message that a service provider would read is covered by a signature.",
        causes: &["an IdP with signing switched off", "a forged or replayed response"],
        confirm: "keyprobe inspect SAMLResponse shows which elements are signed.",
        scenario: None,
        fix: "enable assertion (or response) signing at the IdP.",
    }),
    (FindingCode::SamlSignatureWrapping, FindingEntry {
        severity: Severity::Error,
        title: "a signature verifies but does not cover what a consumer would read",
        hint: "this is an XML signature wrapping attack pattern: the signed element and the element a consumer reads differ",
        hints: &[],
        meaning: "The signature's reference points at a different element than the assertion a service provider would take the subject from, IDs repeat, or the signature sits in an unexpected place.",
        causes: &["an XSW attack", "a broken proxy that re-wraps responses"],
        confirm: "keyprobe inspect SAMLResponse --metadata METADATA.",
        scenario: None,
        fix: "reject the response; consumers must read only the node the signature covers.",
    }),
    (FindingCode::XmlDtdForbidden, FindingEntry {
        severity: Severity::Error,
        title: "a DOCTYPE or entity declaration",
        hint: "SAML never needs a DTD; refuse it (XXE and entity-expansion attacks live there)",
        hints: &[],
        meaning: "The XML declares a DOCTYPE or entities. keyprobe refuses it before reading anything else.",
        causes: &["an XXE or billion-laughs probe"],
        confirm: "keyprobe inspect INPUT.",
        scenario: None,
        fix: "reject the message.",
    }),
    (FindingCode::SamlStatusError, FindingEntry {
        severity: Severity::Error,
        title: "a SAML Response whose status is not Success",
        hint: "read the StatusMessage: Entra puts the AADSTS code and text there",
        hints: &[],
        meaning: "The IdP answered with an error status instead of an assertion.",
        causes: &["a malformed or unsupported AuthnRequest", "an authentication context the IdP cannot satisfy"],
        confirm: "keyprobe inspect SAMLResponse; keyprobe explain AADSTSnnnn.",
        scenario: None,
        fix: "see the explanation of the AADSTS code in the status message.",
    }),
    (FindingCode::StsError, FindingEntry {
        severity: Severity::Error,
        title: "an error answered by the security token service",
        hint: "read the AADSTS code's explanation; keep the Correlation ID, Trace ID and timestamp for support",
        hints: &[],
        meaning: "The input is an error from Entra ID (an OAuth JSON error body or the text of the sign-in error page). keyprobe decodes the AADSTS code and explains it.",
        causes: &[],
        confirm: "keyprobe explain AADSTSnnnn for the full page.",
        scenario: Some("missing-signing-key"),
        fix: "follow the AADSTS code's fix.",
    }),
    (FindingCode::MetadataInconsistent, FindingEntry {
        severity: Severity::Warning,
        title: "metadata contradicts itself or its key set",
        hint: "a consumer built from this metadata may reject valid tokens; compare issuer, jwks_uri and the advertised algorithms",
        hints: &[(Family::Saml, "a service provider configured from this metadata may reject valid responses; compare its entityID, endpoints and signing certificates with what the IdP actually sends")],
        meaning: "OIDC discovery or SAML metadata disagrees with itself, with where it was fetched from, or with its keys: issuer vs URL, a missing jwks_uri, algorithms advertised with no key that fits them.",
        causes: &["a proxy rewriting hosts", "hand-edited metadata", "a tenant-specific document mixed with common keys"],
        confirm: "keyprobe inspect DISCOVERY --jwks KEYS.",
        scenario: None,
        fix: "serve metadata generated by the IdP itself, unmodified.",
    }),
    (FindingCode::MetadataExpired, FindingEntry {
        severity: Severity::Error,
        title: "SAML metadata is past its validUntil",
        hint: "download the IdP's metadata again; consumers that honour validUntil refuse stale metadata and, with it, every sign-in",
        hints: &[],
        meaning: "SAML metadata may say until when it may be used (validUntil on EntityDescriptor or EntitiesDescriptor). Past that instant a consumer should stop trusting the keys and endpoints it lists.",
        causes: &["a metadata file saved once and never refreshed", "a service provider that imports metadata by hand instead of from the IdP's URL"],
        confirm: "keyprobe inspect METADATA.xml --at NOW shows validUntil relative to the clock.",
        scenario: None,
        fix: "configure the service provider with the IdP's metadata URL (Entra: App Federation Metadata Url) so that it refreshes, or download it again.",
    }),
    (FindingCode::PrivateKeyMaterial, FindingEntry {
        severity: Severity::Warning,
        title: "the input holds private key material",
        hint: "a private key must not be shared: not in a ticket, a chat or a paste site; if it was, rotate it",
        hints: &[],
        meaning: "The input is (or contains) a private key: a PEM or DER private key, or a JWK with private members. keyprobe reads only its public half to describe it; whoever else holds the file can sign as its owner.",
        causes: &["a private key attached to a ticket or pasted into a tool to check it", "a PEM bundle holding the certificate and its private key together (as TLS servers use them)"],
        confirm: "keyprobe inspect KEY.pem shows the key's type, size and JWK thumbprint without printing private members.",
        scenario: None,
        fix: "share only the public key or the certificate (openssl pkey -in KEY.pem -pubout); if the private key left its owner's control, rotate it.",
    }),
    (FindingCode::SigningKeyDangling, FindingEntry {
        severity: Severity::Error,
        title: "the preferred signing thumbprint names no key credential",
        hint: "make an existing signing certificate active (or create one): Entra signs with the certificate that preferredTokenSigningKeyThumbprint names",
        hints: &[],
        meaning: "servicePrincipal.preferredTokenSigningKeyThumbprint selects the certificate Entra signs SAML responses with. When it names a thumbprint that no Sign key credential of the service principal has, Entra has nothing to sign with and SAML sign-in ends on AADSTS50003.",
        causes: &["the active signing certificate was removed through Graph or PowerShell without making another one active", "keyCredentials replaced wholesale by a script that did not keep the active pair"],
        confirm: "keyprobe inspect SERVICE_PRINCIPAL.json (az ad sp show --id APP_ID) compares the thumbprint with every key credential.",
        scenario: Some("dangling-signing-key"),
        fix: "Enterprise applications > the app > Single sign-on > SAML Signing Certificate: make a certificate active (or create a new one), or PATCH preferredTokenSigningKeyThumbprint to the thumbprint of an existing Sign/Verify pair.",
    }),
    (FindingCode::SigningKeyPairBroken, FindingEntry {
        severity: Severity::Error,
        title: "a SAML signing key credential lacks its other half",
        hint: "recreate the signing certificate in the portal (or with addTokenSigningCertificate) so that the Sign key, its Verify twin and its password credential are made together",
        hints: &[],
        meaning: "Entra's SAML signing certificate is three objects made together: a Sign key credential (the private key), a Verify key credential (the public certificate) with the same customKeyIdentifier, and a password credential with the Sign key's keyId that opens it. When one is missing Entra cannot use the certificate, which is how a corrupted application object ends on AADSTS50003.",
        causes: &["key credentials edited through Graph, keeping only the public certificates", "an application object copied or restored without its private key"],
        confirm: "keyprobe inspect SERVICE_PRINCIPAL.json lists each key credential with its usage, customKeyIdentifier and keyId.",
        scenario: Some("dangling-signing-key"),
        fix: "create a new SAML signing certificate and make it active, then remove the broken one.",
    }),
    (FindingCode::CredentialExpired, FindingEntry {
        severity: Severity::Error,
        title: "an application credential has expired",
        hint: "add a new secret or certificate to the app registration, deploy it to the app, then remove the expired one",
        hints: &[],
        meaning: "A client secret (passwordCredentials) or certificate credential (keyCredentials) of the application or service principal is past its endDateTime. Entra refuses an expired secret (AADSTS7000222) and an expired certificate credential for client assertions; an expired SAML signing certificate keeps signing, so the service provider's validation is what fails.",
        causes: &["secrets created with the default lifetime and never rotated", "a certificate credential uploaded once and forgotten"],
        confirm: "keyprobe inspect APP.json (az ad app show / az ad sp show, or Graph) lists every credential against --at.",
        scenario: Some("expired-signing-cert"),
        fix: "create a new credential (az ad app credential reset --append, or the portal's Certificates & secrets), deploy it, and remove the expired one.",
    }),
    (FindingCode::CredentialExpiringSoon, FindingEntry {
        severity: Severity::Warning,
        title: "an application credential expires soon",
        hint: "rotate it before it expires: add the new credential first, deploy it, then remove the old one",
        hints: &[],
        meaning: "A client secret or certificate credential expires within the --expiry-warning window (30 days by default). Entra notifies owners of SAML signing certificates 60, 30 and 7 days ahead.",
        causes: &["a credential nearing the end of its lifetime"],
        confirm: "keyprobe inspect APP.json --at DATE shows what will have expired by then.",
        scenario: None,
        fix: "add a new credential next to the old one, switch the app to it, then remove the old one.",
    }),
];
