// Shared by the keyprobe targets: a fixed clock and the trusted keys from testdata/.
#![allow(dead_code)]

use keyprobe::Clock;
use keyprobe::TrustStore;
use keyprobe::Settings;

/// 2026-01-01T00:00:00Z: fixed, so that a run is reproducible.
pub fn settings() -> Settings {
    Settings {
        clock: Clock::at(1_767_225_600, 300),
        ..Settings::default()
    }
}

fn testdata(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../testdata/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap_or_default()
}

/// The JWKS the token fixtures are signed for.
pub fn jwks_trust() -> TrustStore {
    let mut trust = TrustStore::default();
    let _ = trust.add_jwks_document("testdata/keys/jwks.json", &testdata("keys/jwks.json"));
    trust
}

/// The identity provider's SAML metadata, as `--metadata` gives it.
pub fn saml_trust() -> TrustStore {
    let mut trust = TrustStore::default();
    let _ = trust.add_saml_metadata(
        "testdata/saml/federationmetadata.xml",
        &testdata("saml/federationmetadata.xml"),
    );
    trust
}
