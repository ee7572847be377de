//! Criterion benchmark of mock-sts token minting: an Entra-shaped v2 access token signed RS256 with
//! a tenant signing key (the work behind every client-credentials answer).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use mock_sts::internals::SigningKey;
use serde_json::{json, Map, Value};

fn object(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn minting(c: &mut Criterion) {
    let key = SigningKey::generate("accounts.accesscontrol.windows.net").expect("key");
    let header = object(json!({"typ": "JWT", "alg": "RS256", "kid": key.kid}));
    let claims = object(json!({
        "aud": "api://4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8",
        "iss": "https://login.microsoftonline.com/7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b/v2.0",
        "iat": 1_780_314_600, "nbf": 1_780_314_600, "exp": 1_780_318_200,
        "aio": "k2BgYGg", "azp": "4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8", "azpacr": "1", "idtyp": "app",
        "oid": "2f3a8d7e-6b3c-4c5e-9a0f-0d1e2f3a4b5c", "rh": "1.AXgA", "roles": ["Data.Read.All"],
        "sub": "2f3a8d7e-6b3c-4c5e-9a0f-0d1e2f3a4b5c", "tid": "7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b",
        "uti": "pqJhp0Uh2ku", "ver": "2.0"
    }));
    c.bench_function("mock-sts mint RS256 access token", |b| {
        b.iter(|| black_box(mock_sts::internals::sign_jwt(&header, &claims, &key).expect("sign")))
    });
}

criterion_group!(benches, minting);
criterion_main!(benches);
