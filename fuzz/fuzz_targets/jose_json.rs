//! JOSE header and claim-set JSON: the strict parser, header decoding and the claim checks.
#![no_main]

use keyprobe::internals::JoseHeader;
use keyprobe::internals::{check_claims, Ctx};
use keyprobe::internals::{base64, json};
use keyprobe::TrustStore;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let _ = json::parse_strict(data);
    let _ = JoseHeader::decode(&base64::encode_url(data));
    if let Ok(object) = json::parse_members(data) {
        let settings = common::settings();
        let trust = TrustStore::default();
        let mut ctx = Ctx::new(&settings, &trust);
        let _ = check_claims(&mut ctx, &object);
    }
});
