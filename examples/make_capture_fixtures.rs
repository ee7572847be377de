//! Makes the fixtures for keyprobe's readers of what people have in hand (testdata/captures/,
//! testdata/keys/ lone keys, testdata/tokens/ token responses) from the fixtures
//! `make_fixtures` wrote: run after it (testdata/make.sh does). Shapes follow what the real
//! software writes; each is named after it.

use std::fs;
use std::path::PathBuf;

use openssl::ec::{EcGroup, EcKey};
use openssl::nid::Nid;
use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use openssl::symm::Cipher;
use serde_json::{json, Value};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn main() -> Res<()> {
    let root = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "testdata".into()));
    fs::create_dir_all(root.join("captures"))?;
    let read =
        |rel: &str| -> Res<String> { Ok(fs::read_to_string(root.join(rel))?.trim().to_string()) };
    let w = |rel: &str, body: &[u8]| -> Res<()> { Ok(fs::write(root.join(rel), body)?) };

    // --- Keys alone ----------------------------------------------------------------------------
    let issuer = PKey::private_key_from_pem(read("keys/issuer.key.pem")?.as_bytes())?;
    w(
        "keys/issuer.key.encrypted.pem",
        &issuer
            .private_key_to_pem_pkcs8_passphrase(Cipher::aes_256_cbc(), b"fixture passphrase")?,
    )?;
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
    let ec = EcKey::generate(&group)?;
    w("keys/ec-p256.sec1.pem", &ec.private_key_to_pem()?)?;
    w(
        "keys/ec-p256.pub.der",
        &PKey::from_ec_key(ec)?.public_key_to_der()?,
    )?;
    let weak = Rsa::generate(1024)?;
    w(
        "keys/weak-rsa1024.pub.pem",
        &weak.public_key_to_pem_pkcs1()?,
    )?;
    // A TLS-style bundle: the certificate and its private key in one file.
    let mut bundle = read("certs/issuer.pem")?.into_bytes();
    bundle.push(b'\n');
    bundle.extend(read("keys/issuer.key.pem")?.into_bytes());
    bundle.push(b'\n');
    w("keys/issuer.cert-and-key.pem", &bundle)?;

    // --- Token responses and several tokens in one file -------------------------------------------
    let valid = read("tokens/rs256-valid.jwt")?;
    let expired = read("tokens/rs256-expired.jwt")?;
    let unknown = read("tokens/rs256-unknown-kid.jwt")?;
    // Entra's member order for the authorization-code grant (mock-sts/tests/browser.rs pins it).
    let response = json!({
        "token_type": "Bearer",
        "scope": "openid profile email User.Read",
        "expires_in": 4469,
        "ext_expires_in": 4469,
        "access_token": valid,
        "refresh_token": "1.AXEAI_Cujm4rV0KbqovIydakkHbeMWemFK5Jl7xuumkUOR4BAA.AgABAwEAAAApTwJmzXqdR4BN2miheQMYAgDs_wUA9P8",
        "id_token": expired,
        "client_info": "eyJ1aWQiOiI2YjE4YzRmOC0wZDNlLTRmNDctYjU0Yy1hMGY3ZTJiM2M0ZDUiLCJ1dGlkIjoiOGVhZWYwMjMtMmIzNC00ZGExLTliYWEtOGJjOGM5ZDZhNDkwIn0",
    });
    w("tokens/token-response.json", pretty(&response).as_bytes())?;
    w(
        "tokens/several.txt",
        format!("{valid}\n\nBearer {unknown}\n\"{expired}\"\n").as_bytes(),
    )?;
    println!("capture fixtures written to {}", root.display());
    Ok(())
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}
