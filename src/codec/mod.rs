//! Low-level decoders shared by every artifact: strict base64 and strict JSON.

pub mod base64;
pub mod json;
