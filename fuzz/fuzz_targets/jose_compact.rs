//! Compact JWS/JWE: split and decode, then inspection against a trusted JWKS (signature checks).
#![no_main]

use std::sync::OnceLock;

use keyprobe::internals::{Jwe, Jws};
use keyprobe::Input;
use keyprobe::TrustStore;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

static TRUST: OnceLock<TrustStore> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = Jws::decode(&text);
    let _ = Jwe::decode(&text);
    let trust = TRUST.get_or_init(common::jwks_trust);
    let _ = keyprobe::inspect(&Input::new("fuzz", data), trust, &common::settings());
});
