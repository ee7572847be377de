//! Properties that hold for any input: no panic on arbitrary bytes, and no changed bit of a validly
//! signed token ever verifies.

use std::sync::OnceLock;

use keyprobe::Clock;
use keyprobe::Input;
use keyprobe::TrustStore;
use keyprobe::{inspect, Settings, Verdict};
use proptest::prelude::*;

fn trust() -> &'static TrustStore {
    static TRUST: OnceLock<TrustStore> = OnceLock::new();
    TRUST.get_or_init(|| {
        let mut t = TrustStore::default();
        let root = env!("CARGO_MANIFEST_DIR");
        t.add_jwks_document(
            "jwks.json",
            &std::fs::read(format!("{root}/testdata/keys/jwks.json")).unwrap(),
        )
        .unwrap();
        t.add_key_file(
            "hs256.jwk.json",
            &std::fs::read(format!("{root}/testdata/keys/hs256.jwk.json")).unwrap(),
        )
        .unwrap();
        t
    })
}

fn settings() -> Settings {
    Settings {
        clock: Clock::at(1_780_315_200, 300),
        ..Settings::default()
    }
}

fn token(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/testdata/tokens/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .trim()
    .to_string()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let report = inspect(&Input::new("fuzz", bytes), trust(), &settings());
        prop_assert!(serde_json::to_string(&report).is_ok());
    }

    #[test]
    fn token_shaped_text_never_panics(parts in proptest::collection::vec("[A-Za-z0-9_=+/-]{0,40}", 1..7)) {
        let text = format!("eyJ{}", parts.join("."));
        let _ = inspect(&Input::new("fuzz", text.into_bytes()), trust(), &settings());
    }

    #[test]
    fn json_shaped_text_never_panics(body in r#"\{("(keys|kty|x5c|n|e|crv|x|y|k|issuer|jwks_uri|error|error_codes)":(\[\]|"[A-Za-z0-9_-]{0,12}"|\{\}|[0-9]{1,4}|null),?){0,6}\}"#) {
        let _ = inspect(&Input::new("fuzz", body.into_bytes()), trust(), &settings());
    }

    /// Flipping any bit of the signing input or signature of a valid token never yields `ok`.
    #[test]
    fn flipped_bits_never_verify(which in 0usize..5, pos in any::<prop::sample::Index>(), bit in 0u8..8) {
        let name = ["rs256-valid.jwt", "ps256.jwt", "es256.jwt", "eddsa.jwt", "hs256.jwt"][which];
        let mut bytes = token(name).into_bytes();
        let i = pos.index(bytes.len());
        bytes[i] ^= 1 << bit;
        let report = inspect(&Input::new(name, bytes.clone()), trust(), &settings());
        // A flip that leaves the token's meaning intact cannot exist: every byte is signed or is the
        // signature (a flip in a base64 padding bit makes the encoding non-canonical, refused too).
        prop_assert_ne!(report.verdict, Verdict::Ok, "{} with byte {} flipped still ok", name, i);
    }
}

#[test]
fn the_untouched_tokens_verify() {
    for name in [
        "rs256-valid.jwt",
        "ps256.jwt",
        "es256.jwt",
        "eddsa.jwt",
        "hs256.jwt",
    ] {
        let report = inspect(
            &Input::new(name, token(name).into_bytes()),
            trust(),
            &settings(),
        );
        assert_eq!(report.verdict, Verdict::Ok, "{name}: {:?}", report.findings);
    }
}
