//! OIDC discovery documents: the consistency checks, alone and beside a trusted key set.
#![no_main]

use keyprobe::internals::{check_discovery, Ctx};
use keyprobe::internals::json;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(object) = json::parse_object(data) else {
        return;
    };
    let settings = common::settings();
    let mut trust = common::jwks_trust();
    trust.add_discovery("fuzz", object.clone());
    let mut ctx = Ctx::new(&settings, &trust);
    check_discovery(
        &mut ctx,
        &object,
        Some("https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration"),
    );
});
