//! Low-level decoders shared by every artifact: strict base64 and strict JSON, from the crate both
//! programs share (`keyprobe-core`), so that keyprobe and mock-sts decode alike.

pub use keyprobe_core::{base64, json};
