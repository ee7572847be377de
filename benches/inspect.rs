//! Criterion benchmarks of the inspector's hot paths: detection and decoding, signature
//! verification per algorithm, key selection as key sets grow, certificate and metadata parsing.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use keyprobe::internals::detect;
use keyprobe::internals::Certificate;
use keyprobe::internals::Jws;
use keyprobe::Clock;
use keyprobe::Input;
use keyprobe::TrustStore;
use keyprobe::{inspect, Settings};
use serde_json::{json, Value};

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/testdata/{path}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

fn token(name: &str) -> Vec<u8> {
    String::from_utf8(fixture(&format!("tokens/{name}")))
        .expect("utf-8")
        .trim()
        .as_bytes()
        .to_vec()
}

fn settings() -> Settings {
    Settings {
        clock: Clock::at(1_780_315_200, 300),
        ..Settings::default()
    }
}

fn trust_of(files: &[&str]) -> TrustStore {
    let mut t = TrustStore::default();
    for f in files {
        t.add_key_file(f, &fixture(f)).expect("keys");
    }
    t
}

/// The issuer's key among `n - 1` decoys (all RSA, Entra-shaped kids), the issuer's key last.
fn trust_with_decoys(n: usize) -> TrustStore {
    let set: Value = serde_json::from_slice(&fixture("keys/jwks.json")).expect("json");
    let issuer = set["keys"][0].clone();
    let mut keys: Vec<Value> = (1..n)
        .map(|i| {
            let mut k = issuer.clone();
            k["kid"] = json!(format!("decoy-{i}"));
            k.as_object_mut().map(|o| o.remove("x5c"));
            k.as_object_mut().map(|o| o.remove("x5t"));
            k
        })
        .collect();
    keys.push(issuer);
    let mut t = TrustStore::default();
    t.add_jwks_document(
        "bench",
        &serde_json::to_vec(&json!({ "keys": keys })).expect("json"),
    )
    .expect("keys");
    t
}

fn detection_and_decoding(c: &mut Criterion) {
    let jwt = token("rs256-valid.jwt");
    c.bench_function("detect+decode JWT", |b| {
        b.iter(|| {
            let d = detect(black_box(&jwt));
            if let keyprobe::internals::Detected::Compact { token, .. } = d {
                black_box(Jws::decode(&token).ok());
            }
        })
    });
}

fn verification(c: &mut Criterion) {
    let trust = trust_of(&["keys/jwks.json"]);
    let settings = settings();
    let mut group = c.benchmark_group("inspect+verify");
    for (name, file) in [
        ("RS256", "rs256-valid.jwt"),
        ("PS256", "ps256.jwt"),
        ("ES256", "es256.jwt"),
        ("EdDSA", "eddsa.jwt"),
    ] {
        let input = Input::new(name, token(file));
        group.bench_function(name, |b| {
            b.iter(|| black_box(inspect(&input, &trust, &settings)))
        });
    }
    group.finish();
}

fn key_selection(c: &mut Criterion) {
    let settings = settings();
    let input = Input::new("rs256", token("rs256-valid.jwt"));
    let mut group = c.benchmark_group("key selection (RS256, JWKS of n keys)");
    for n in [1, 10, 100] {
        let trust = trust_with_decoys(n);
        group.bench_function(format!("{n} keys"), |b| {
            b.iter(|| black_box(inspect(&input, &trust, &settings)))
        });
    }
    group.finish();
}

fn parsing(c: &mut Criterion) {
    let der = fixture("certs/issuer.der");
    c.bench_function("X.509 parse", |b| {
        b.iter(|| black_box(Certificate::from_der(black_box(&der)).ok()))
    });
    let discovery = fixture("metadata/openid-configuration.json");
    let trust = TrustStore::default();
    let settings = settings();
    c.bench_function("OIDC metadata inspect", |b| {
        b.iter_batched(
            || Input::new("m", discovery.clone()),
            |i| black_box(inspect(&i, &trust, &settings)),
            BatchSize::SmallInput,
        )
    });
    let jwks = fixture("keys/jwks.json");
    c.bench_function("JWKS inspect (4 keys)", |b| {
        b.iter_batched(
            || Input::new("k", jwks.clone()),
            |i| black_box(inspect(&i, &trust, &settings)),
            BatchSize::SmallInput,
        )
    });
}

fn saml(c: &mut Criterion) {
    let settings = settings();
    let mut trust = TrustStore::default();
    trust
        .add_saml_metadata(
            "federationmetadata.xml",
            &fixture("saml/federationmetadata.xml"),
        )
        .expect("metadata");
    let response = Input::new("saml", fixture("saml/response-signed.xml"));
    c.bench_function(
        &format!("SAML verify ({} byte response)", response.bytes.len()),
        |b| b.iter(|| black_box(inspect(&response, &trust, &settings))),
    );
    let metadata = fixture("saml/federationmetadata.xml");
    let empty = TrustStore::default();
    c.bench_function("SAML metadata inspect", |b| {
        b.iter_batched(
            || Input::new("m", metadata.clone()),
            |i| black_box(inspect(&i, &empty, &settings)),
            BatchSize::SmallInput,
        )
    });
}

fn report_output(c: &mut Criterion) {
    let trust = trust_of(&["keys/jwks.json"]);
    let report = inspect(
        &Input::new("rs256", token("rs256-valid.jwt")),
        &trust,
        &settings(),
    );
    c.bench_function("JSON line for one report", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(4096);
            keyprobe::write_json_line(&mut out, black_box(&report)).ok();
            black_box(out)
        })
    });
}

criterion_group!(
    benches,
    detection_and_decoding,
    verification,
    key_selection,
    parsing,
    saml,
    report_output
);
criterion_main!(benches);
