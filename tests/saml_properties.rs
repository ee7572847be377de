//! Properties of the SAML path: no panic on any mutation of a signed response in any binding,
//! and no change to the signed subject ever reads as verified.

use std::sync::OnceLock;

use keyprobe::Clock;
use keyprobe::Input;
use keyprobe::TrustStore;
use keyprobe::{inspect, Settings, Verdict};
use proptest::prelude::*;

fn root() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}

fn trust() -> &'static TrustStore {
    static TRUST: OnceLock<TrustStore> = OnceLock::new();
    TRUST.get_or_init(|| {
        let mut t = TrustStore::default();
        let md = std::fs::read(format!("{}/testdata/saml/federationmetadata.xml", root())).unwrap();
        t.add_saml_metadata("federationmetadata.xml", &md).unwrap();
        t
    })
}

fn settings() -> Settings {
    Settings {
        clock: Clock::at(1_780_315_200, 300),
        ..Settings::default()
    }
}

fn signed() -> &'static str {
    static XML: OnceLock<String> = OnceLock::new();
    XML.get_or_init(|| {
        std::fs::read_to_string(format!("{}/testdata/saml/response-signed.xml", root())).unwrap()
    })
}

fn run(bytes: Vec<u8>) -> keyprobe::Report {
    inspect(&Input::new("prop", bytes), trust(), &settings())
}

#[test]
fn the_fixture_itself_verifies() {
    assert_eq!(run(signed().as_bytes().to_vec()).verdict, Verdict::Ok);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// Any byte of the XML changed, inserted or cut: a report, never a panic.
    #[test]
    fn mutated_xml_never_panics(pos in 0usize..20_000, byte in any::<u8>(), cut in any::<bool>()) {
        let mut bytes = signed().as_bytes().to_vec();
        let p = pos % bytes.len();
        if cut { bytes.truncate(p) } else { bytes[p] = byte }
        let _ = run(bytes);
    }

    /// The same through the POST binding's base64 and the Redirect binding's DEFLATE.
    #[test]
    fn mutated_encodings_never_panic(pos in 0usize..20_000, byte in any::<u8>(), deflate in any::<bool>()) {
        use base64::Engine;
        use std::io::Write;
        let raw = if deflate {
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
            e.write_all(signed().as_bytes()).unwrap();
            e.finish().unwrap()
        } else {
            signed().as_bytes().to_vec()
        };
        let mut bytes = base64::engine::general_purpose::STANDARD.encode(raw).into_bytes();
        let p = pos % bytes.len();
        bytes[p] = byte;
        let _ = run(bytes.clone());
        let _ = run([b"SAMLResponse=".as_slice(), &bytes].concat());
    }

    /// Any change to the signed NameID is never presented as verified.
    #[test]
    fn changed_subject_never_verifies(i in 0usize..21, c in proptest::char::range('a', 'z')) {
        let name = "alice@contoso.example";
        let mut changed: Vec<char> = name.chars().collect();
        let at = i % changed.len();
        prop_assume!(changed[at] != c);
        changed[at] = c;
        let changed: String = changed.into_iter().collect();
        let xml = signed().replace(&format!(">{name}<"), &format!(">{changed}<"));
        let report = run(xml.into_bytes());
        prop_assert_eq!(report.verdict, Verdict::Error);
        let decoded = report.decoded.as_value();
        prop_assert_ne!(
            decoded["assertion"]["trust"].as_str(),
            Some("covered by a verified signature")
        );
    }
}
