//! Writes N distinct RS256 tokens (one per line), signed with testdata's issuer key, for the batch
//! benchmarks in benches/compare.sh: `cargo run --release --example bench_tokens -- 200000 out.txt`.

use std::io::{BufWriter, Write};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use keyprobe_core::digest::sha1;
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::sign::Signer;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().ok_or("usage: bench_tokens N OUT")?.parse()?;
    let out = args.next().ok_or("usage: bench_tokens N OUT")?;
    let root = env!("CARGO_MANIFEST_DIR");
    let key = PKey::private_key_from_pem(&std::fs::read(format!(
        "{root}/testdata/keys/issuer.key.pem"
    ))?)?;
    let cert = openssl::x509::X509::from_pem(&std::fs::read(format!(
        "{root}/testdata/certs/issuer.pem"
    ))?)?;
    let kid = URL_SAFE_NO_PAD.encode(sha1(&cert.to_der()?));
    let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"typ":"JWT","alg":"RS256","kid":"{kid}"}}"#));
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let per = n.div_ceil(threads);
    let parts: Vec<Vec<String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (key, header) = (&key, &header);
                s.spawn(move || {
                    (t * per..((t + 1) * per).min(n))
                        .map(|i| {
                            let claims = format!(
                                r#"{{"aud":"api://keyprobe-test","iss":"https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/v2.0","iat":1780314600,"nbf":1780314600,"exp":1780318200,"sub":"user-{i}","tid":"8eaef023-2b34-4da1-9baa-8bc8c9d6a490","uti":"u{i}","ver":"2.0"}}"#
                            );
                            let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(claims));
                            let mut signer = Signer::new(MessageDigest::sha256(), key).expect("signer");
                            let sig = signer.sign_oneshot_to_vec(input.as_bytes()).expect("sign");
                            format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
                        })
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker"))
            .collect()
    });
    let mut w = BufWriter::new(std::fs::File::create(out)?);
    for line in parts.iter().flatten() {
        writeln!(w, "{line}")?;
    }
    Ok(())
}
