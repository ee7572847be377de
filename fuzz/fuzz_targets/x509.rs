//! PEM, DER and X.509: certificate decoding, PEM bundles, key files and the certificate checks.
#![no_main]

use keyprobe::internals::{chain_order, parse_pem_bundle, Certificate};
use keyprobe::internals::{check_certificate, Ctx};
use keyprobe::TrustStore;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let settings = common::settings();
    let trust = TrustStore::default();
    let mut ctx = Ctx::new(&settings, &trust);
    let mut certs = Vec::new();
    if let Ok(cert) = Certificate::from_der(data) {
        certs.push(cert);
    }
    let (pem_certs, _errors) = parse_pem_bundle(&String::from_utf8_lossy(data));
    certs.extend(pem_certs);
    for cert in &certs {
        check_certificate(&mut ctx, cert, "fuzz");
        let _ = cert.to_json(&settings.clock);
    }
    let _ = chain_order(&certs);
    let mut store = TrustStore::default();
    let _ = store.add_certificates("fuzz", data);
    let _ = store.add_key_file("fuzz", data);
});
