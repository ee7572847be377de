//! JWK and JWKS: decoding, thumbprints, the key-set checks, and loading as a trusted key source.
#![no_main]

use keyprobe::internals::{rfc7638_thumbprint, Jwk, Jwks};
use keyprobe::internals::{keyset, Ctx};
use keyprobe::internals::json;
use keyprobe::TrustStore;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let mut store = TrustStore::default();
    let _ = store.add_jwks_document("fuzz", data);
    let _ = store.signing_keys().count();
    let Ok(object) = json::parse_object(data) else {
        return;
    };
    let settings = common::settings();
    let trust = TrustStore::default();
    let mut ctx = Ctx::new(&settings, &trust);
    if let Ok(jwk) = Jwk::from_object(&object) {
        keyset::check_jwk(&mut ctx, &jwk);
        let _ = jwk.to_json();
    }
    if let Ok(set) = Jwks::from_object(&object) {
        keyset::check_jwks(&mut ctx, &set, "fuzz");
    }
    if let Some(serde_json::Value::String(kty)) = object.get("kty") {
        let _ = rfc7638_thumbprint(kty, &object);
    }
});
