//! Signature algorithms and verification, all through OpenSSL: one path for tokens,
//! conformance vectors and benchmarks alike.

pub mod alg;
pub mod key;
pub mod policy;
mod prepared;
pub mod verify;

pub use alg::{Alg, AlgFamily};
pub use key::{KeyError, KeyInfo, VerifyKey};
pub use verify::{verify, VerifyError};
