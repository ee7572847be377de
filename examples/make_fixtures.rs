//! Makes every fixture in `testdata/`: keys, certificates with real validity windows, key sets,
//! tokens, metadata and error bodies. Rerun with `testdata/make.sh`; tests pin the clock with
//! `--at 2026-06-01T12:00:00Z`, so the dates below are what the tests rely on.
//!
//! Keys are fresh on every run; what tests assert (findings, verdicts) does not depend on them.

use std::fs;
use std::path::PathBuf;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use keyprobe_core::digest::sha1;
use mock_sts::CertificateBuilder;
use openssl::bn::BigNum;
use openssl::ec::{EcGroup, EcKey};
use openssl::ecdsa::EcdsaSig;
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::rsa::{Padding, Rsa};
use openssl::sign::{RsaPssSaltlen, Signer};
use openssl::x509::extension::{KeyUsage, SubjectAlternativeName};
use openssl::x509::X509;
use serde_json::{json, Value};

#[path = "support/aadsts.rs"]
mod support;
use keyprobe_core::aadsts::AadCode;
use support::aadsts;

/// The clock every test uses.
const AT: i64 = 1_780_315_200; // 2026-06-01T12:00:00Z
const DAY: i64 = 86_400;
const TENANT: &str = "8eaef023-2b34-4da1-9baa-8bc8c9d6a490";
const CLIENT: &str = "6731de76-14a6-49ae-97bc-6eba6914391e";

type Res<T> = Result<T, Box<dyn std::error::Error>>;

#[path = "saml_fixtures/mod.rs"]
mod saml_fixtures;

fn main() -> Res<()> {
    let root = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "testdata".into()));
    for d in ["keys", "certs", "tokens", "metadata", "errors"] {
        fs::create_dir_all(root.join(d))?;
    }
    let w = |rel: &str, body: &[u8]| -> Res<()> { Ok(fs::write(root.join(rel), body)?) };

    // --- Keys and certificates -------------------------------------------------------------
    let issuer_key = rsa(2048)?;
    let issuer_cert = self_signed(
        &issuer_key,
        "accounts.accesscontrol.windows.net",
        AT - 400 * DAY,
        AT + 5 * 365 * DAY - 400 * DAY,
    )?;
    let rotated_key = rsa(2048)?;
    let rotated_cert = self_signed(
        &rotated_key,
        "accounts.accesscontrol.windows.net",
        AT - 10 * DAY,
        AT + 5 * 365 * DAY,
    )?;
    let ec256 = ec(Nid::X9_62_PRIME256V1)?;
    let ec521 = ec(Nid::SECP521R1)?;
    let ed = PKey::generate_ed25519()?;
    let attacker = rsa(2048)?;
    let weak = rsa(1024)?;
    let expired_key = rsa(2048)?;
    let expired_cert = self_signed(
        &expired_key,
        "expired signing certificate",
        AT - 3 * 365 * DAY,
        AT - 30 * DAY,
    )?;
    let soon_key = rsa(2048)?;
    let soon_cert = self_signed(
        &soon_key,
        "expiring signing certificate",
        AT - 700 * DAY,
        AT + 10 * DAY,
    )?;
    let future_key = rsa(2048)?;
    let future_cert = self_signed(
        &future_key,
        "future signing certificate",
        AT + 30 * DAY,
        AT + 400 * DAY,
    )?;
    let weak_cert = self_signed(
        &weak,
        "legacy RSA-1024 certificate",
        AT - 100 * DAY,
        AT + 300 * DAY,
    )?;
    let hmac_secret: Vec<u8> = (0u8..32)
        .map(|i| i.wrapping_mul(37).wrapping_add(11))
        .collect();
    let short_secret: Vec<u8> = b"too-short-secret".to_vec();

    w(
        "keys/issuer.key.pem",
        &issuer_key.private_key_to_pem_pkcs8()?,
    )?;
    w("keys/issuer.pub.pem", &issuer_key.public_key_to_pem()?)?;
    w("certs/issuer.pem", &issuer_cert.to_pem()?)?;
    w("certs/issuer.der", &issuer_cert.to_der()?)?;
    w(
        "certs/issuer.x5c.txt",
        STANDARD.encode(issuer_cert.to_der()?).as_bytes(),
    )?;
    w("certs/rotated.pem", &rotated_cert.to_pem()?)?;
    w("certs/expired.pem", &expired_cert.to_pem()?)?;
    w("certs/expiring-soon.pem", &soon_cert.to_pem()?)?;
    w("certs/not-yet-valid.pem", &future_cert.to_pem()?)?;
    w("certs/weak-rsa1024.pem", &weak_cert.to_pem()?)?;
    let (root_key, root_cert) = {
        let k = rsa(2048)?;
        let c = ca_cert(
            &k,
            "keyprobe test root",
            None,
            AT - 400 * DAY,
            AT + 3000 * DAY,
        )?;
        (k, c)
    };
    let inter_key = rsa(2048)?;
    let inter_cert = ca_cert(
        &inter_key,
        "keyprobe test intermediate",
        Some((&root_key, &root_cert)),
        AT - 300 * DAY,
        AT + 2000 * DAY,
    )?;
    let leaf_key = rsa(2048)?;
    let leaf_cert = leaf(
        &leaf_key,
        "login.example.test",
        (&inter_key, &inter_cert),
        AT - 20 * DAY,
        AT + 200 * DAY,
    )?;
    let mut chain = leaf_cert.to_pem()?;
    chain.extend(inter_cert.to_pem()?);
    chain.extend(root_cert.to_pem()?);
    w("certs/chain.pem", &chain)?;
    let mut misordered = root_cert.to_pem()?;
    misordered.extend(leaf_cert.to_pem()?);
    misordered.extend(inter_cert.to_pem()?);
    w("certs/chain-misordered.pem", &misordered)?;
    w(
        "keys/hs256.jwk.json",
        pretty(&json!({"kty": "oct", "kid": "hmac-1", "k": b64u(&hmac_secret)})).as_bytes(),
    )?;
    w(
        "keys/hs256-short.jwk.json",
        pretty(&json!({"kty": "oct", "kid": "hmac-short", "k": b64u(&short_secret)})).as_bytes(),
    )?;

    // --- Key sets --------------------------------------------------------------------------
    let issuer_jwk = entra_jwk(&issuer_key, &issuer_cert)?;
    let rotated_jwk = entra_jwk(&rotated_key, &rotated_cert)?;
    let issuer_kid = x5t(&issuer_cert)?;
    let rotated_kid = x5t(&rotated_cert)?;
    let ec_jwk = json!({"kty": "EC", "use": "sig", "kid": "ec-p256", "crv": "P-256", "x": ec_coord(&ec256, 32, true)?, "y": ec_coord(&ec256, 32, false)?});
    let ec521_jwk = json!({"kty": "EC", "use": "sig", "kid": "ec-p521", "crv": "P-521", "x": ec_coord(&ec521, 66, true)?, "y": ec_coord(&ec521, 66, false)?});
    let ed_jwk = json!({"kty": "OKP", "use": "sig", "kid": "ed-1", "crv": "Ed25519", "x": b64u(&ed.raw_public_key()?)});
    let weak_jwk = json!({"kty": "RSA", "use": "sig", "kid": "legacy-1024", "n": b64u(&weak.rsa()?.n().to_vec()), "e": "AQAB"});
    w(
        "keys/jwks.json",
        pretty(&json!({"keys": [issuer_jwk, ec_jwk, ec521_jwk, ed_jwk]})).as_bytes(),
    )?;
    w(
        "keys/jwks-rotated.json",
        pretty(&json!({"keys": [rotated_jwk, issuer_jwk]})).as_bytes(),
    )?;
    w("keys/jwks-empty.json", b"{\"keys\": []}\n")?;
    let mut enc = issuer_jwk.clone();
    enc["use"] = json!("enc");
    w(
        "keys/jwks-enc-only.json",
        pretty(&json!({"keys": [enc]})).as_bytes(),
    )?;
    w(
        "keys/jwks-enc-mixed.json",
        pretty(&json!({"keys": [enc, ec_jwk]})).as_bytes(),
    )?;
    let mut dup = rotated_jwk.clone();
    dup["kid"] = json!(issuer_kid);
    w(
        "keys/jwks-duplicate-kid.json",
        pretty(&json!({"keys": [issuer_jwk, dup]})).as_bytes(),
    )?;
    let mut mismatched = issuer_jwk.clone();
    mismatched["x5c"] = json!([STANDARD.encode(rotated_cert.to_der()?)]);
    w(
        "keys/jwks-thumbprint-mismatch.json",
        pretty(&json!({"keys": [mismatched]})).as_bytes(),
    )?;
    let mut private = ec_jwk.clone();
    private["d"] = json!(b64u(&ec256.ec_key()?.private_key().to_vec()));
    w(
        "keys/jwks-private.json",
        pretty(&json!({"keys": [private]})).as_bytes(),
    )?;
    w(
        "keys/jwks-weak.json",
        pretty(&json!({"keys": [weak_jwk]})).as_bytes(),
    )?;
    let mut expired_jwk = entra_jwk(&expired_key, &expired_cert)?;
    expired_jwk["kid"] = json!(x5t(&expired_cert)?);
    w(
        "keys/jwks-expired-cert.json",
        pretty(&json!({"keys": [expired_jwk]})).as_bytes(),
    )?;
    let mut alg_pinned = ec_jwk.clone();
    alg_pinned["alg"] = json!("ES384");
    w(
        "keys/jwks-alg-pinned.json",
        pretty(&json!({"keys": [alg_pinned]})).as_bytes(),
    )?;

    // --- Tokens -----------------------------------------------------------------------------
    let v2_claims = |extra: Value| -> Value {
        let mut c = json!({
            "aud": "api://keyprobe-test",
            "iss": format!("https://login.microsoftonline.com/{TENANT}/v2.0"),
            "iat": AT - 600, "nbf": AT - 600, "exp": AT + 3000,
            "aio": "AWQAm/8ZAAAA", "azp": CLIENT, "azpacr": "1", "idtyp": "app",
            "oid": "2f3a8d7e-6b3c-4c5e-9a0f-0d1e2f3a4b5c", "rh": "0.AXgAI_Cujj...", "roles": ["Reader"],
            "sub": "2f3a8d7e-6b3c-4c5e-9a0f-0d1e2f3a4b5c", "tid": TENANT, "uti": "pqJhp0Uh2ku", "ver": "2.0"
        });
        if let (Some(o), Value::Object(e)) = (c.as_object_mut(), extra) {
            for (k, v) in e {
                if v.is_null() {
                    o.remove(&k);
                } else {
                    o.insert(k, v);
                }
            }
        }
        c
    };
    let kid_hdr = |alg: &str, kid: &str| json!({"typ": "JWT", "alg": alg, "kid": kid});
    let t = |rel: &str, tok: String| w(&format!("tokens/{rel}"), format!("{tok}\n").as_bytes());

    t(
        "rs256-valid.jwt",
        jws(
            &kid_hdr("RS256", &issuer_kid),
            &v2_claims(json!({})),
            &Key::Rsa(&issuer_key, false),
        )?,
    )?;
    t(
        "rs256-v1.jwt",
        jws(
            &json!({"typ": "JWT", "alg": "RS256", "x5t": issuer_kid, "kid": issuer_kid}),
            &v2_claims(json!({
                "iss": format!("https://sts.windows.net/{TENANT}/"), "ver": "1.0", "azp": null, "azpacr": null, "appid": CLIENT, "appidacr": "1"
            })),
            &Key::Rsa(&issuer_key, false),
        )?,
    )?;
    t(
        "rs256-unknown-kid.jwt",
        jws(
            &kid_hdr("RS256", &rotated_kid),
            &v2_claims(json!({})),
            &Key::Rsa(&rotated_key, false),
        )?,
    )?;
    t(
        "rs256-wrong-kid-right-key.jwt",
        jws(
            &kid_hdr("RS256", "not-a-published-kid"),
            &v2_claims(json!({})),
            &Key::Rsa(&issuer_key, false),
        )?,
    )?;
    let valid = jws(
        &kid_hdr("RS256", &issuer_kid),
        &v2_claims(json!({})),
        &Key::Rsa(&issuer_key, false),
    )?;
    t(
        "rs256-tampered.jwt",
        tamper(&valid, &v2_claims(json!({"roles": ["Admin"]})))?,
    )?;
    t(
        "rs256-expired.jwt",
        jws(
            &kid_hdr("RS256", &issuer_kid),
            &v2_claims(json!({"iat": AT - 7200, "nbf": AT - 7200, "exp": AT - 3600})),
            &Key::Rsa(&issuer_key, false),
        )?,
    )?;
    t(
        "rs256-not-yet-valid.jwt",
        jws(
            &kid_hdr("RS256", &issuer_kid),
            &v2_claims(json!({"iat": AT + 3600, "nbf": AT + 3600, "exp": AT + 7200})),
            &Key::Rsa(&issuer_key, false),
        )?,
    )?;
    t(
        "rs256-no-exp.jwt",
        jws(
            &kid_hdr("RS256", &issuer_kid),
            &v2_claims(json!({"exp": null})),
            &Key::Rsa(&issuer_key, false),
        )?,
    )?;
    t(
        "ps256.jwt",
        jws(
            &kid_hdr("PS256", &issuer_kid),
            &v2_claims(json!({})),
            &Key::Rsa(&issuer_key, true),
        )?,
    )?;
    t(
        "es256.jwt",
        jws(
            &kid_hdr("ES256", "ec-p256"),
            &v2_claims(json!({})),
            &Key::Ec(&ec256, 32, MessageDigest::sha256()),
        )?,
    )?;
    t(
        "es512.jwt",
        jws(
            &kid_hdr("ES512", "ec-p521"),
            &v2_claims(json!({})),
            &Key::Ec(&ec521, 66, MessageDigest::sha512()),
        )?,
    )?;
    t(
        "eddsa.jwt",
        jws(
            &kid_hdr("EdDSA", "ed-1"),
            &v2_claims(json!({})),
            &Key::Ed(&ed),
        )?,
    )?;
    t(
        "es256-alg-pinned.jwt",
        jws(
            &kid_hdr("ES256", "ec-p256"),
            &v2_claims(json!({})),
            &Key::Ec(&ec256, 32, MessageDigest::sha256()),
        )?,
    )?;
    t(
        "es384-on-p256-key.jwt",
        jws(
            &kid_hdr("ES384", "ec-p256"),
            &v2_claims(json!({})),
            &Key::Ec(&ec256, 32, MessageDigest::sha384()),
        )?,
    )?;
    t(
        "hs256.jwt",
        jws(
            &kid_hdr("HS256", "hmac-1"),
            &v2_claims(json!({})),
            &Key::Hmac(&hmac_secret, MessageDigest::sha256()),
        )?,
    )?;
    t(
        "hs256-short-key.jwt",
        jws(
            &kid_hdr("HS256", "hmac-short"),
            &v2_claims(json!({})),
            &Key::Hmac(&short_secret, MessageDigest::sha256()),
        )?,
    )?;
    let issuer_pub_pem = issuer_key.public_key_to_pem()?;
    t(
        "hs256-key-confusion.jwt",
        jws(
            &kid_hdr("HS256", &issuer_kid),
            &v2_claims(json!({"roles": ["Admin"]})),
            &Key::Hmac(&issuer_pub_pem, MessageDigest::sha256()),
        )?,
    )?;
    t(
        "alg-none.jwt",
        format!(
            "{}.{}.",
            b64u(br#"{"typ":"JWT","alg":"none"}"#),
            b64u(v2_claims(json!({})).to_string().as_bytes())
        ),
    )?;
    let attacker_jwk = json!({"kty": "RSA", "n": b64u(&attacker.rsa()?.n().to_vec()), "e": "AQAB"});
    t(
        "embedded-jwk.jwt",
        jws(
            &json!({"typ": "JWT", "alg": "RS256", "jwk": attacker_jwk}),
            &v2_claims(json!({"roles": ["Admin"]})),
            &Key::Rsa(&attacker, false),
        )?,
    )?;
    t(
        "x5c-expired.jwt",
        jws(
            &json!({"typ": "JWT", "alg": "RS256", "x5t": x5t(&expired_cert)?, "x5c": [STANDARD.encode(expired_cert.to_der()?)]}),
            &v2_claims(json!({})),
            &Key::Rsa(&expired_key, false),
        )?,
    )?;
    t(
        "x5t-mismatch.jwt",
        jws(
            &json!({"typ": "JWT", "alg": "RS256", "x5t": issuer_kid, "x5c": [STANDARD.encode(rotated_cert.to_der()?)]}),
            &v2_claims(json!({})),
            &Key::Rsa(&rotated_key, false),
        )?,
    )?;
    t(
        "rs1024.jwt",
        jws(
            &kid_hdr("RS256", "legacy-1024"),
            &v2_claims(json!({})),
            &Key::Rsa(&weak, false),
        )?,
    )?;
    t(
        "jku.jwt",
        jws(
            &json!({"typ": "JWT", "alg": "RS256", "kid": issuer_kid, "jku": "https://attacker.example/keys.json"}),
            &v2_claims(json!({})),
            &Key::Rsa(&issuer_key, false),
        )?,
    )?;
    t(
        "enc-key.jwt",
        jws(
            &kid_hdr("RS256", &issuer_kid),
            &v2_claims(json!({})),
            &Key::Rsa(&issuer_key, false),
        )?,
    )?;
    t(
        "expired-cert-key.jwt",
        jws(
            &kid_hdr("RS256", &x5t(&expired_cert)?),
            &v2_claims(json!({})),
            &Key::Rsa(&expired_key, false),
        )?,
    )?;
    t(
        "other-tenant.jwt",
        jws(
            &kid_hdr("RS256", &issuer_kid),
            &v2_claims(json!({
                "iss": "https://login.microsoftonline.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/v2.0", "tid": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
            })),
            &Key::Rsa(&issuer_key, false),
        )?,
    )?;
    let jwe_header = b64u(&serde_json::to_vec(
        &json!({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": issuer_kid}),
    )?);
    t(
        "encrypted.jwe",
        format!(
            "{jwe_header}.{}.{}.{}.{}",
            b64u(&[7u8; 256]),
            b64u(&[1u8; 12]),
            b64u(b"ciphertext"),
            b64u(&[2u8; 16])
        ),
    )?;
    // A batch file: one token per line, with a blank line and a broken one in between.
    let batch = [
        valid.clone(),
        String::new(),
        jws(
            &kid_hdr("RS256", &rotated_kid),
            &v2_claims(json!({})),
            &Key::Rsa(&rotated_key, false),
        )?,
        "eyJhbGciOiJSUzI1NiJ9.broken".to_string(),
        valid.clone(),
    ];
    w("tokens/batch.txt", (batch.join("\n") + "\n").as_bytes())?;

    // --- Metadata ---------------------------------------------------------------------------
    let discovery = |issuer: &str| {
        json!({
            "token_endpoint": format!("https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token"),
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": format!("https://login.microsoftonline.com/{TENANT}/discovery/v2.0/keys"),
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": issuer,
            "authorization_endpoint": format!("https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/authorize"),
            "tenant_region_scope": "EU",
        })
    };
    w(
        "metadata/openid-configuration.json",
        pretty(&discovery(&format!(
            "https://login.microsoftonline.com/{TENANT}/v2.0"
        )))
        .as_bytes(),
    )?;
    w(
        "metadata/common-openid-configuration.json",
        pretty(&discovery(
            "https://login.microsoftonline.com/{tenantid}/v2.0",
        ))
        .as_bytes(),
    )?;
    let mut no_jwks = discovery(&format!("https://login.microsoftonline.com/{TENANT}/v2.0"));
    if let Some(o) = no_jwks.as_object_mut() {
        o.remove("jwks_uri");
    }
    w(
        "metadata/openid-configuration-no-jwks-uri.json",
        pretty(&no_jwks).as_bytes(),
    )?;
    let mut es_only = discovery(&format!("https://login.microsoftonline.com/{TENANT}/v2.0"));
    es_only["id_token_signing_alg_values_supported"] = json!(["RS256", "ES384"]);
    w(
        "metadata/openid-configuration-es384.json",
        pretty(&es_only).as_bytes(),
    )?;

    // --- STS errors -------------------------------------------------------------------------
    let missing_signing_key = aadsts(AadCode::MissingSigningKey, &[])?;
    // The page's Message line, as this fixture has always shown it: cut after the first sentence.
    let missing_signing_key_first_sentence = missing_signing_key
        .split_inclusive(". ")
        .next()
        .unwrap_or(&missing_signing_key)
        .trim_end();
    w(
        "errors/aadsts50003-page.txt",
        format!("Sign in\nSorry, but we're having trouble signing you in.\n\n{missing_signing_key}\n\nTroubleshooting details\nRequest Id: 5b0f6f8e-3d0b-4f63-9c3a-1b2e3d4c5f60\nCorrelation Id: 0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e\nTimestamp: 2026-05-31T09:14:07Z\nMessage: {missing_signing_key_first_sentence}\n")
            .as_bytes(),
    )?;
    w("errors/aadsts50003.json", pretty(&json!({
        "error": "invalid_request",
        "error_description": format!("{missing_signing_key}\r\nTrace ID: 5b0f6f8e-3d0b-4f63-9c3a-1b2e3d4c5f60\r\nCorrelation ID: 0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e\r\nTimestamp: 2026-05-31 09:14:07Z"),
        "error_codes": [50003],
        "timestamp": "2026-05-31 09:14:07Z",
        "trace_id": "5b0f6f8e-3d0b-4f63-9c3a-1b2e3d4c5f60",
        "correlation_id": "0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e",
        "error_uri": "https://login.microsoftonline.com/error?code=50003"
    })).as_bytes())?;
    println!("fixtures written to {}", root.display());
    saml_fixtures::make(
        &root,
        saml_fixtures::Keys {
            idp: (&issuer_key, &issuer_cert),
            expired: (&expired_key, &expired_cert),
            ec: &ec256,
        },
    )?;
    Ok(())
}

enum Key<'a> {
    Rsa(&'a PKey<Private>, bool),
    Ec(&'a PKey<Private>, usize, MessageDigest),
    Ed(&'a PKey<Private>),
    Hmac(&'a [u8], MessageDigest),
}

fn jws(header: &Value, claims: &Value, key: &Key) -> Res<String> {
    let input = format!(
        "{}.{}",
        b64u(&serde_json::to_vec(header)?),
        b64u(&serde_json::to_vec(claims)?)
    );
    let sig = match key {
        Key::Rsa(k, pss) => {
            let mut s = Signer::new(MessageDigest::sha256(), k)?;
            if *pss {
                s.set_rsa_padding(Padding::PKCS1_PSS)?;
                s.set_rsa_mgf1_md(MessageDigest::sha256())?;
                s.set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH)?;
            }
            s.sign_oneshot_to_vec(input.as_bytes())?
        }
        Key::Ec(k, size, md) => {
            let mut s = Signer::new(*md, k)?;
            let der = s.sign_oneshot_to_vec(input.as_bytes())?;
            let sig = EcdsaSig::from_der(&der)?;
            let mut raw = sig.r().to_vec_padded(*size as i32)?;
            raw.extend(low_s(k, sig.s())?.to_vec_padded(*size as i32)?);
            raw
        }
        Key::Ed(k) => Signer::new_without_digest(k)?.sign_oneshot_to_vec(input.as_bytes())?,
        Key::Hmac(secret, md) => {
            let k = PKey::hmac(secret)?;
            Signer::new(*md, &k)?.sign_oneshot_to_vec(input.as_bytes())?
        }
    };
    Ok(format!("{input}.{}", b64u(&sig)))
}

/// ECDSA's S normalised to the lower half of the curve order, as careful signers do: a high S
/// verifies too, but keyprobe reports it as malleable, and fixtures must not do so by chance.
fn low_s(key: &PKey<Private>, s: &openssl::bn::BigNumRef) -> Res<BigNum> {
    let mut order = BigNum::new()?;
    let mut ctx = openssl::bn::BigNumContext::new()?;
    key.ec_key()?.group().order(&mut order, &mut ctx)?;
    let mut half = BigNum::new()?;
    half.rshift1(&order)?;
    let mut out = BigNum::new()?;
    if s > &*half {
        out.checked_sub(&order, s)?;
    } else {
        out = s.to_owned()?;
    }
    Ok(out)
}

/// Swaps the payload of a signed token, keeping the original signature.
fn tamper(token: &str, claims: &Value) -> Res<String> {
    let parts: Vec<&str> = token.split('.').collect();
    Ok(format!(
        "{}.{}.{}",
        parts[0],
        b64u(&serde_json::to_vec(claims)?),
        parts[2]
    ))
}

fn rsa(bits: u32) -> Res<PKey<Private>> {
    Ok(PKey::from_rsa(Rsa::generate(bits)?)?)
}

fn ec(nid: Nid) -> Res<PKey<Private>> {
    let group = EcGroup::from_curve_name(nid)?;
    Ok(PKey::from_ec_key(EcKey::generate(&group)?)?)
}

fn ec_coord(k: &PKey<Private>, size: usize, x: bool) -> Res<String> {
    let ec = k.ec_key()?;
    let mut ctx = openssl::bn::BigNumContext::new()?;
    let (mut bx, mut by) = (BigNum::new()?, BigNum::new()?);
    ec.public_key()
        .affine_coordinates(ec.group(), &mut bx, &mut by, &mut ctx)?;
    Ok(b64u(&(if x { bx } else { by }).to_vec_padded(size as i32)?))
}

/// A certificate for `key` named CN=`cn`, valid from `from` to `to`, with a serial derived from them so
/// that reruns give the same serials.
fn builder<'a>(key: &PKey<Private>, cn: &str, from: i64, to: i64) -> Res<CertificateBuilder<'a>> {
    let serial = BigNum::from_slice(&sha1(format!("{cn}{from}{to}").as_bytes())[..12])?;
    Ok(CertificateBuilder::new(key, &[("CN", cn)], from, to)?.serial(&serial)?)
}

/// Self-signed like Entra's token-signing certificates.
fn self_signed(key: &PKey<Private>, cn: &str, from: i64, to: i64) -> Res<X509> {
    Ok(builder(key, cn, from, to)?
        .subject_key_identifier()?
        .sign(key)?)
}

fn ca_cert(
    key: &PKey<Private>,
    cn: &str,
    parent: Option<(&PKey<Private>, &X509)>,
    from: i64,
    to: i64,
) -> Res<X509> {
    let mut b = builder(key, cn, from, to)?;
    if let Some((_, parent_cert)) = parent {
        b = b.issued_by(parent_cert)?;
    }
    let cert = b.ca(None)?.sign(parent.map(|(k, _)| k).unwrap_or(key))?;
    Ok(cert)
}

fn leaf(
    key: &PKey<Private>,
    cn: &str,
    parent: (&PKey<Private>, &X509),
    from: i64,
    to: i64,
) -> Res<X509> {
    Ok(builder(key, cn, from, to)?
        .issued_by(parent.1)?
        .extension(KeyUsage::new().critical().digital_signature().build()?)?
        .subject_alt_name(SubjectAlternativeName::new().dns(cn))?
        .sign(parent.0)?)
}

fn x5t(cert: &X509) -> Res<String> {
    Ok(b64u(&sha1(&cert.to_der()?)))
}

/// A JWK exactly as Entra publishes it: kty use kid x5t n e x5c issuer.
fn entra_jwk(key: &PKey<Private>, cert: &X509) -> Res<Value> {
    let rsa = key.rsa()?;
    let kid = x5t(cert)?;
    Ok(json!({
        "kty": "RSA", "use": "sig", "kid": kid, "x5t": kid,
        "n": b64u(&rsa.n().to_vec()), "e": b64u(&rsa.e().to_vec()),
        "x5c": [STANDARD.encode(cert.to_der()?)],
        "issuer": "https://login.microsoftonline.com/{tenantid}/v2.0"
    }))
}

fn b64u(b: &[u8]) -> String {
    keyprobe_core::base64::encode_url(b)
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}
