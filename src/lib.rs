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

pub mod artifact;
pub mod capture;
pub mod catalogue;
pub mod checks;
pub mod cli;
pub mod clock;
pub mod codec;
pub mod crypto;
pub mod detect;
pub mod fetch;
pub mod fetched;
pub mod input;
pub mod inspect;
pub mod key_sources;
pub mod limits;
pub mod present;
pub mod redact;
pub mod report;
pub mod reproduce;
pub mod saml;
pub mod serve;
pub mod trust;

pub use capture::inspect_all;
pub use inspect::{inspect, Settings};
pub use report::{Finding, Report, Severity, Verdict};
