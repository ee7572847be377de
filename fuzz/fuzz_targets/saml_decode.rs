//! SAML bindings: base64, raw DEFLATE, URL encoding, whole URLs and form bodies.
#![no_main]

use keyprobe::internals::binding;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match std::str::from_utf8(data) {
        Ok(text) => {
            let _ = binding::decode(text);
            let _ = binding::percent_decode(text);
        }
        Err(_) => {
            let _ = binding::decode_non_utf8(data);
        }
    }
    let _ = binding::inflate(data);
});
