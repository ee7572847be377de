//! Typed, decoded artifacts: what an input *is*, before any judgement about it.
//! Decoding errors here become `malformed` findings; they are never panics.

pub mod cert;
pub mod jose;
pub mod jwk;
pub mod key;
pub mod sts_error;
pub mod thumbprint;

/// A decoding failure: which part of the input, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
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

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.part, self.reason)
    }
}
