//! Typed, decoded artifacts: what an input *is*, before any judgement about it.
//! Decoding errors here become `malformed` findings; they are never panics.

pub(crate) mod app_registration;
pub(crate) mod cert;
pub(crate) mod compact;
pub(crate) mod jose;
pub(crate) mod jwk;
pub(crate) mod key;
pub(crate) mod recent;
pub(crate) mod rp_error;
pub(crate) mod sts_error;
pub(crate) mod thumbprint;

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
