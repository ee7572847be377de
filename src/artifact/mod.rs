//! Typed, decoded artifacts: what an input *is*, before any judgement about it.
//! Decoding errors here become `malformed` findings; they are never panics.

pub mod app_registration;
pub mod cert;
pub mod compact;
pub mod jose;
pub mod jwk;
pub mod key;
pub mod rp_error;
pub mod sts_error;
pub mod thumbprint;

/// A decoding failure: which part of the input (`header (segment 1)`, `x5c[0]`, `keys`), and
/// why, in the words of the codec that refused it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{part}: {reason}")]
pub struct DecodeError {
    pub part: String,
    pub reason: String,
}

impl DecodeError {
    pub fn new(part: impl Into<String>, reason: impl Into<String>) -> Self {
        DecodeError {
            part: part.into(),
            reason: reason.into(),
        }
    }
}
