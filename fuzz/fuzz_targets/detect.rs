//! Input detection, then the whole inspection of whatever was detected, with no key source.
#![no_main]

use keyprobe::Input;
use keyprobe::TrustStore;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let detected = keyprobe::internals::detect(data);
    let _ = detected.kind();
    let settings = common::settings();
    let report = keyprobe::inspect(&Input::new("fuzz", data), &TrustStore::default(), &settings);
    let _ = serde_json::to_string(&report);
});
