//! keyprobe: an offline inspector for the tokens, SAML messages, metadata, key sets and
//! certificates behind sign-in failures such as Entra ID's AADSTS50003.
//!
//! The data flow, one module per step:
//!
//! ```text
//! input ─▶ detect ─▶ inspect (one file per family) ─▶ report (findings) ─▶ present ─▶ exit policy
//!                      │ decode: artifact, saml (over codec)
//!                      └ judge:  checks (judges → typed diagnoses → findings)
//!                                  ▲ trust (keys the user trusts), clock (--at)
//! ```
//!
//! Promises of the library:
//! - it never panics on input: no `unwrap`, `expect` or unchecked indexing on untrusted data;
//! - every size and depth is bounded (see [`limits`]);
//! - a key carried by the input is evidence, never a trust anchor; `jku`/`x5u` are never fetched;
//! - every time check goes through one [`clock::Clock`].

#![forbid(unsafe_code)]
// Library and binary code never unwraps or expects: input is hostile and a panic is a crash (tests may).
#![deny(clippy::unwrap_used, clippy::expect_used)]
// Everything is crate-private unless the API below re-exports it.
#![warn(unreachable_pub, missing_docs)]

#[allow(missing_docs)] // reached from outside only through the hidden `internals`
mod artifact;
mod capture;
mod catalogue;
#[allow(missing_docs)] // reached from outside only through the hidden `internals`
mod checks;
pub mod cli;
mod clock;
#[allow(missing_docs)] // reached from outside only through the hidden `internals`
mod codec;
#[allow(missing_docs)] // reached from outside only through the hidden `internals`
mod crypto;
#[allow(missing_docs)] // reached from outside only through the hidden `internals`
mod detect;
mod fetch;
mod fetched;
mod input;
mod inspect;
mod key_sources;
mod limits;
mod present;
mod redact;
mod report;
mod reproduce;
#[allow(missing_docs)] // reached from outside only through the hidden `internals`
mod saml;
mod serve;
mod trust;

// The public API: inspect inputs against trusted keys at a given time, and read the report.
pub use capture::inspect_all;
pub use catalogue::FindingCode;
pub use clock::{rfc3339, Clock};
pub use input::Input;
pub use inspect::{inspect, Settings};
pub use present::json::write_line as write_json_line;
pub use redact::{redact, RedactError, Summary as RedactSummary};
pub use report::{
    Evidence, Finding, JwsBody, JwsView, Notes, Report, Severity, SignatureSection, Verdict, View,
};
pub use trust::TrustStore;

/// Parsers and judges one level below [`inspect`], for the fuzz targets, benchmarks and
/// conformance suites that exercise them directly. Not a stable API.
#[doc(hidden)]
pub mod internals {
    pub use crate::artifact::cert::{chain_order, parse_pem_bundle, Certificate};
    pub use crate::artifact::jwk::{rfc7638_thumbprint, Jwk, Jwks};
    pub use crate::capture::har::{self, Format as HarFormat};
    pub use crate::checks::{
        certs::check_certificate, claims::check_claims, discovery::check_discovery, keyset, Ctx,
    };
    pub use crate::codec::{base64, json};
    pub use crate::crypto::policy::weakness;
    pub use crate::crypto::{verify, Alg, VerifyKey};
    pub use crate::detect::{detect, Detected};
    pub use crate::saml::{binding, xml::parse as parse_saml_xml};
    pub use keyprobe_core::jose::{JoseHeader, Jwe, Jws};
}
