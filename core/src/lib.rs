//! What keyprobe (the inspector) and mock-sts (the Entra look-alike) both know, kept once so that what
//! the mock emits and what the inspector explains cannot drift apart:
//!
//! - [`base64`] and [`json`]: the strict codecs of JOSE (no padding in base64url, duplicate JSON members
//!   refused, size and depth bounded by [`limits`]);
//! - [`jose`]: JWS algorithm names and compact JWS/JWE decoding; [`jws_json`]: the JWS JSON
//!   serialisation, each signature decoded as a compact one is;
//! - [`digest`]: SHA-1 and SHA-256 without OpenSSL's per-call algorithm lookup;
//! - [`thumbprint`]: every thumbprint spelling of a certificate (portal SHA-1 hex, `x5t`, `x5t#S256`);
//! - [`xmldsig`]: XML-DSig algorithm URIs and their names;
//! - [`aadsts`]: Entra ID's AADSTS codes: the texts Entra prints (which the mock renders) and what they
//!   mean (which the inspector explains), and scanning text for codes;
//! - [`host`]: the `Host` header as the local servers read it before trusting a request;
//! - [`reproduce`]: which mock-sts scenario reproduces a failure seen in the field, and the fix to try.
//!
//! Nothing here panics on input, and every error carries what was expected and what was found.

#![forbid(unsafe_code)]
// Library and binary code never unwraps or expects: input is hostile and a panic is a crash (tests may).
#![deny(clippy::unwrap_used, clippy::expect_used)]
// Every public item is documented: both programs build on this crate.
#![warn(missing_docs)]

pub mod aadsts;
pub mod base64;
pub mod claims;
pub mod digest;
pub mod host;
pub mod jose;
pub mod json;
pub mod jws_json;
pub mod limits;
pub mod reproduce;
pub mod thumbprint;
pub mod xmldsig;
