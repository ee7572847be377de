//! Signature algorithms and verification, all through OpenSSL: one path for tokens,
//! conformance vectors and benchmarks alike.

pub(crate) mod alg;
pub(crate) mod key;
pub(crate) mod policy;
mod prepared;
pub mod verify;

pub use alg::Alg;
pub use key::VerifyKey;
pub(crate) use key::{KeyError, KeyInfo};
pub(crate) use prepared::{digest_of, verify_digest};
pub use verify::verify;
