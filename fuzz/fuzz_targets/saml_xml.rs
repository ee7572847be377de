//! XML parsing and XML-DSig verification: SAML through `inspect` with the IdP's metadata trusted.
#![no_main]

use std::sync::OnceLock;

use keyprobe::Input;
use keyprobe::TrustStore;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

static TRUST: OnceLock<TrustStore> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = keyprobe::internals::parse_saml_xml(text);
    }
    let trust = TRUST.get_or_init(common::saml_trust);
    let _ = keyprobe::inspect(&Input::new("fuzz", data), trust, &common::settings());
    // The same bytes as metadata given with --metadata.
    let mut store = TrustStore::default();
    let _ = store.add_saml_metadata("fuzz", data);
});
