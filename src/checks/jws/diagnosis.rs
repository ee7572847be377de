//! What the JWS judges can say about a token: one variant per situation, carrying the evidence.

use crate::artifact::DecodeError;
use crate::checks::certs::CertDiagnosis;
use crate::checks::keyset::KeyCertMismatch;
use crate::crypto::{Alg, KeyInfo};
use crate::trust::{KeySetFetch, RetiredKid, TrustedKey};

/// Why one trusted key was not selected for this token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rejection {
    /// The token names a key (kid/x5t) and this key has another identity.
    Identity(String),
    /// Type, curve, size or the JWK's own `alg` does not fit the token's `alg`.
    Algorithm(String),
    /// Marked for encryption (`use`, `key_ops`).
    Use(String),
}

impl Rejection {
    pub(crate) fn text(&self) -> &str {
        match self {
            Rejection::Identity(s) | Rejection::Algorithm(s) | Rejection::Use(s) => s,
        }
    }
}

/// One trusted key judged for this token: selected when nothing rejects it.
#[derive(Debug, Clone)]
pub(crate) struct Candidate<'a> {
    pub key: &'a TrustedKey,
    pub rejections: Vec<Rejection>,
}

/// Which trusted keys would verify the signature although the token does not select them.
pub(crate) type WouldVerify<'a> = Vec<&'a TrustedKey>;

/// A `crit` header the token's consumers must refuse (RFC 7515 §4.1.11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CritProblem<'a> {
    Empty,
    NotInHeader(&'a str),
    NotUnderstood(&'a str),
}

/// The token names its key (`names`) and no trusted key has that identity.
#[derive(Debug, Clone)]
pub(crate) struct KeyNotFound<'a> {
    pub alg: Alg,
    /// `kid 'abc' and x5t 'def'`, or `None` when the token names no key.
    pub names: Option<String>,
    pub token_kid: Option<&'a str>,
    pub token_x5t: Option<&'a str>,
    pub token_x5t_s256: Option<&'a str>,
    /// Each trusted key as the message lists it: its kid, or its label.
    pub present: Vec<String>,
    pub sources: &'a [String],
    /// The kid was in an earlier fetch of the key set and is gone from the current one.
    pub retired: Option<&'a RetiredKid>,
    pub candidates: Vec<Candidate<'a>>,
    pub would_verify: WouldVerify<'a>,
    /// Why the named key is missing, when the key sources say.
    pub cause: Option<MissingKey<'a>>,
}

/// The situation behind a missing key, judged from the token and the key sources: each calls for
/// something else to be done.
#[derive(Debug, Clone)]
pub(crate) enum MissingKey<'a> {
    /// An Entra token (`tid`, named in `iss`) checked against keys that name another tenant.
    OtherTenant {
        token_tenant: &'a str,
        keys_tenant: &'a str,
        /// The key set URL, discovery document, issuer or key `issuer` that names the other tenant.
        source: &'a str,
    },
    /// The metadata given describes another issuer than the token's.
    OtherIssuer {
        token_issuer: &'a str,
        keys_issuer: &'a str,
    },
    /// The kid was in an earlier copy of the key set: the issuer rotated it out.
    Rotated(&'a RetiredKid),
    /// The key set is a copy replayed from the cache (`--offline`, `--replay`), and neither it nor
    /// any copy before it has the kid.
    CachedCopy(&'a KeySetFetch),
    /// An Entra token checked against a tenant key set fetched just now without `?appid=`: an
    /// app with its own signing key has its tokens signed with it, published only under `?appid=`.
    AppKeys {
        /// The token's tenant (`tid`).
        tenant: &'a str,
        /// The token's audience, the app whose key would sign it.
        audience: &'a str,
        /// The application id the audience names (a GUID, or the default `api://{appId}`).
        app_id: &'a str,
        /// The key set fetched.
        keys: &'a KeySetFetch,
    },
    /// The key set was fetched just now and no copy of it the cache keeps ever had the kid.
    Unpublished(&'a KeySetFetch),
}

/// Where a key the token carries came from (evidence, never trusted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderUrl {
    Jku,
    X5u,
}

/// Everything the JWS judges can find, in the order they find it.
#[derive(Debug, Clone)]
pub(crate) enum JwsDiagnosis<'a> {
    /// The header has no `alg`.
    MissingAlg,
    /// An unsecured JWS.
    AlgNone {
        alg: &'a str,
        signature_bytes: usize,
    },
    /// An `alg` that is no JWS signature algorithm keyprobe knows.
    UnknownAlg {
        alg: &'a str,
    },
    Crit(CritProblem<'a>),
    /// No key source was given.
    NotChecked {
        alg: &'a str,
    },
    /// The key sources hold no key that may verify signatures.
    NoSigningKeys {
        sources: &'a [String],
        unusable: Vec<String>,
    },
    /// A symmetric `alg` while only public keys are trusted; `proof` names the public key
    /// whose encoding keys the HMAC, when one does.
    KeyConfusion {
        alg: Alg,
        trusted: Vec<&'a TrustedKey>,
        proof: Option<String>,
    },
    /// The token's kid names several published keys.
    AmbiguousKid {
        kid: &'a str,
        keys: Vec<String>,
    },
    /// An HMAC secret selected from a key set that also holds public keys.
    MixedKeySet {
        alg: Alg,
        key_set: String,
        public_keys: Vec<String>,
    },
    Verified {
        alg: Alg,
        key: &'a TrustedKey,
    },
    /// An ECDSA signature with a high S: it verifies, and so does its twin `(r, n − s)`.
    MalleableSignature {
        alg: Alg,
    },
    WeakSigningKey {
        alg: Alg,
        key: &'a TrustedKey,
        weakness: String,
    },
    Certificate(CertDiagnosis<'a>),
    /// A trusted JWK disagrees with its own `x5c` certificate.
    KeyVsCertificate(KeyCertMismatch<'a>),
    /// Selected keys exist and none verifies.
    SignatureInvalid {
        alg: Alg,
        tried: Vec<&'a TrustedKey>,
        would_verify: WouldVerify<'a>,
        candidates: Vec<Candidate<'a>>,
    },
    /// The key the token names is marked for encryption.
    KeyUseMismatch {
        key: &'a TrustedKey,
        rejections: Vec<Rejection>,
        candidates: Vec<Candidate<'a>>,
    },
    /// The key the token names (or, when it names none, every key) does not fit `alg`.
    AlgMisfit {
        alg: Alg,
        key: &'a TrustedKey,
        rejections: Vec<Rejection>,
        named: bool,
        candidates: Vec<Candidate<'a>>,
    },
    KeyNotFound(Box<KeyNotFound<'a>>),
    /// The header's `jwk` carries private members.
    EmbeddedJwkPrivate {
        members: Vec<String>,
    },
    EmbeddedJwkUnreadable(DecodeError),
    X5cUnreadable {
        index: usize,
        reason: String,
    },
    /// The header's `x5t` (or `x5t#S256`) is not its `x5c[0]`'s thumbprint.
    X5tMismatch {
        member: &'static str,
        presented: &'a str,
        expected: String,
    },
    KeyUrlNotFetched {
        member: HeaderUrl,
        url: &'a str,
    },
    /// The signature verifies only with a key the token carries.
    UntrustedEmbeddedKey {
        what: String,
        key: KeyInfo,
        no_key_source: bool,
        sources: &'a [String],
    },
}
