//! What the SAML judges can say: one variant per situation, carrying the evidence.

use crate::artifact::cert::Certificate;
use crate::checks::certs::CertDiagnosis;
use crate::saml::binding::QuerySignatureError;
use crate::trust::TrustedKey;

/// Where a signature sits, as messages name it: `<samlp:Response>`, or `the document`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Location {
    /// The qualified name of the element the signature sits in.
    pub parent: Option<String>,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.parent {
            Some(q) => write!(f, "<{q}>"),
            None => f.write_str("the document"),
        }
    }
}

/// A signature-wrapping shape: a signature that verifies may not protect what a consumer reads.
/// Each shape has one judge; a new shape is one new variant and one new judge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Wrapping {
    /// An ID on more than one element: every reference to it is ambiguous.
    DuplicateId { id: String },
    /// A signature inside an element SAML never signs.
    SignatureMisplaced { location: Location },
    /// A signature not where the schema puts it (right after the Issuer, or first in metadata).
    SignatureNotAfterIssuer { location: Location },
    /// Not exactly one reference.
    ReferenceCount {
        location: Location,
        uris: Vec<Option<String>>,
    },
    /// A reference to something other than the element the signature sits in.
    ReferenceElsewhere {
        location: Location,
        parent_id: Option<String>,
        uri: Option<String>,
        /// The referenced element as messages name it, when the URI names one.
        target: Option<String>,
    },
    /// A transform the SAML signature profile does not allow.
    ForbiddenTransform {
        location: Location,
        transform: String,
    },
    /// The verifier's own position rules refused the references.
    RefusedByVerifier { location: Location, reason: String },
    /// More than one assertion in a Response.
    SeveralAssertions { ids: Vec<Option<String>> },
    /// An assertion nested where consumers do not read it.
    StrayAssertion { id: Option<String>, parent: String },
    /// Signatures verify, but none covers the Response or the assertion a consumer reads.
    CoversNeither { read_id: Option<String> },
    /// A comment splits an element's text.
    CommentSplit { element: String, text: String },
}

/// Why no trusted key verified a signature whose digests were checked.
#[derive(Debug, Clone)]
pub(crate) enum NotVerified<'a> {
    /// It verifies with its own KeyInfo certificate, which is not trusted.
    OnlyWithKeyInfo(&'a Certificate),
    /// Its KeyInfo names certificates none of which is trusted.
    KeyInfoNotTrusted,
    /// The signature does not verify with the trusted keys.
    Invalid,
}

/// The evidence of a signature that no trusted key verified.
#[derive(Debug, Clone)]
pub(crate) struct Unverified<'a> {
    pub location: Location,
    /// The algorithm as messages name it.
    pub method: String,
    pub method_uri: Option<&'a str>,
    pub keyinfo: Vec<&'a Certificate>,
    /// (SHA-1 thumbprint, key label) of each trusted certificate.
    pub trusted: Vec<(String, String)>,
    pub tried: Vec<&'a str>,
    /// No trusted key fits the algorithm (the verifier's reason), rather than a wrong value.
    pub no_fitting_key: Option<String>,
    pub why: NotVerified<'a>,
}

/// What a Response or Assertion lacks that the Web Browser SSO profile requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProfileGap {
    ResponseWithoutStatus,
    EmptyDestination,
    ResponseWithoutIssuer,
    NoIssuer { what: String },
    NoSubject { what: String },
    NoNameId { what: String },
    NoAuthnStatement { what: String },
    NoAudienceRestriction { what: String },
    RepeatedAttribute { name: String },
}

/// The query string's (HTTP-Redirect binding) signature.
#[derive(Debug, Clone)]
pub(crate) enum QueryDiagnosis<'a> {
    Undecodable(&'a QuerySignatureError),
    Sha1 {
        name: String,
        sig_alg: &'a str,
    },
    NotChecked {
        name: String,
    },
    Verified {
        name: String,
        sig_alg: &'a str,
        key: &'a str,
    },
    Invalid {
        name: String,
        sig_alg: &'a str,
        signed_octets: &'a str,
        tried: Vec<&'a str>,
    },
}

/// Everything the SAML judges can find, in the order they find it.
#[derive(Debug, Clone)]
pub(crate) enum SamlDiagnosis<'a> {
    Wrapping(Wrapping),
    /// More ID attributes than keyprobe reads: nothing was verified.
    TooManyIds {
        limit: usize,
    },
    /// More signatures than keyprobe verifies.
    TooManySignatures {
        count: usize,
        limit: usize,
    },
    /// The root is not a SAML message or metadata.
    NotSaml {
        name: String,
        namespace: String,
    },
    /// A SAML protocol message keyprobe does not judge (ArtifactResolve, AttributeQuery, …).
    NotJudged {
        element: String,
    },
    /// The key sources hold no signing key (the AADSTS50003 situation).
    NoTrustedSigningKeys {
        sources: &'a [String],
        reasons: Vec<String>,
    },
    WeakDigest {
        location: Location,
        uri: &'a str,
    },
    WeakSignatureMethod {
        location: Location,
        uri: &'a str,
    },
    Certificate(CertDiagnosis<'a>),
    /// The trusted bare public key that verified is too weak.
    WeakBareKey {
        label: &'a str,
        weakness: String,
    },
    NotChecked {
        location: Location,
        method: String,
        /// The KeyInfo certificate the signature verifies with, which proves nothing yet.
        keyinfo_verifies: Option<&'a Certificate>,
    },
    Verified {
        location: Location,
        method: String,
        method_uri: Option<&'a str>,
        key: &'a TrustedKey,
    },
    /// A reference digest does not match: the signed content changed.
    DigestMismatch {
        location: Location,
        detail: String,
    },
    /// The signature fails as received but verifies with `key` once the whitespace between
    /// tags is removed: the document was re-indented (pretty-printed) after signing.
    Reindented {
        location: Location,
        key: &'a TrustedKey,
        /// As received, a reference digest failed (rather than the SignedInfo signature).
        digest_failed: bool,
    },
    Unprocessable {
        location: Location,
        detail: String,
    },
    /// Not verified: a reference in the document names content outside it, which keyprobe
    /// never resolves (a verifier would read a file or URL).
    OutsideReference {
        location: Location,
        uri: &'a str,
    },
    NotVerified(Box<Unverified<'a>>),
    ProfileGap(ProfileGap),
    /// An assertion without an ID cannot be referenced by a signature.
    AssertionWithoutId {
        what: String,
    },
    SuccessWithoutAssertion,
    /// A Response whose only assertions are encrypted: keyprobe does not decrypt, so what a
    /// service provider would read was not checked.
    EncryptedAssertionsOnly {
        count: usize,
    },
    /// A LogoutRequest or LogoutResponse signed neither in its XML nor in the query string.
    LogoutUnsigned {
        element: String,
    },
    /// Neither `what` is signed (a Response, or a Response and its Assertion).
    Unsigned {
        what: &'static str,
    },
    /// A standalone Assertion without a signature.
    AssertionUnsigned,
    StatusError(Box<StatusError>),
    IssuerMismatch {
        what: String,
        issuer: String,
        expected: String,
        expected_from: &'static str,
    },
    /// Aggregate metadata is the key source and the issuer is none of its entities.
    IssuerNotInFederation {
        what: String,
        issuer: String,
        source: String,
        entities: Vec<String>,
    },
    NameQualifierMismatch {
        what: String,
        qualifier: String,
        audiences: Vec<String>,
    },
    AudienceMismatch {
        what: String,
        audiences: Vec<String>,
        expected: String,
    },
    NotDateTime {
        what: String,
        attribute: &'static str,
        raw: String,
    },
    Expired {
        what: String,
        not_on_or_after: i64,
    },
    NotYetValid {
        what: String,
        not_before: i64,
    },
    /// The SAML metadata the user trusts (`--metadata`) is past its `validUntil`.
    TrustedMetadataExpired {
        label: String,
        valid_until: i64,
    },
    /// Metadata given as input is past its (or an entity's) `validUntil`.
    MetadataExpired {
        what: String,
        valid_until: i64,
    },
    EntityWithoutId,
    /// An identity provider that publishes no signing certificate.
    IdpWithoutSigningCertificate {
        entity_id: Option<String>,
        name: String,
        roles: Vec<String>,
    },
    UnreadableCertificate {
        role: String,
        problem: String,
    },
    Query(QueryDiagnosis<'a>),
}

/// A non-success status, with the AADSTS codes it names.
#[derive(Debug, Clone)]
pub(crate) struct StatusError {
    pub code: Option<String>,
    pub sub_codes: Vec<String>,
    pub message: Option<String>,
    pub aadsts: Vec<String>,
}
