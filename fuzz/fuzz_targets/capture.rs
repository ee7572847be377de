//! Captures: the same bytes read as a HAR and as a SAML-tracer export (the stream reader with its
//! bounded strings, entries and depth; every artifact found and inspected; the flow and the
//! container's report), then `keyprobe redact` of them, whose copy of a JSON input must be JSON.
#![no_main]

use keyprobe::internals::{har, HarFormat as Format};
use keyprobe::TrustStore;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let settings = common::settings();
    let trust = TrustStore::default();
    for format in [Format::Har, Format::SamlTracer] {
        let reports = har::inspect("fuzz.har", format, data, &trust, &settings, &mut |_, _| {});
        assert!(!reports.is_empty(), "a capture always gives its own report");
        let _ = serde_json::to_string(&reports);
    }
    let mut copy = Vec::new();
    if keyprobe::redact(data, &mut copy).is_ok()
        && serde_json::from_slice::<serde_json::Value>(data).is_ok_and(|v| v.is_object() || v.is_array())
    {
        assert!(
            serde_json::from_slice::<serde_json::Value>(&copy).is_ok(),
            "the redacted copy of a JSON input is JSON"
        );
    }
});
