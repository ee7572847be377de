//! Reports are a contract (SPEC.md "JSON output"): a change to how they are built or written must
//! not change one byte of them. This test runs the binary over every fixture (JSON Lines, pretty
//! JSON and the terminal report, against each kind of key source) and over 10,000 generated tokens
//! in batch mode, and compares a SHA-256 of each output with tests/report_bytes.digests, recorded
//! from the program before the change. After a deliberate change to what keyprobe prints, rerun
//! with KEYPROBE_BLESS=1 and say in the commit why the reports changed; when a digest differs the
//! output is kept in the temporary directory named in the failure, to diff with the old commit's.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::sign::Signer;

const AT: &str = "2026-06-01T12:00:00Z";
const TOKENS: usize = 10_000;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every fixture keyprobe inspects, as tests/snapshot/keyprobe.sh lists them.
fn fixtures() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("testdata") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if !matches!(path.extension().and_then(|e| e.to_str()), Some("md" | "sh")) {
                let rel = path.strip_prefix(root()).expect("under root");
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join("testdata"), &mut out);
    out.sort();
    out
}

/// Key sources each fixture is inspected against (tests/snapshot/keyprobe.sh's list).
const TRUSTS: &[(&str, &[&str])] = &[
    ("none", &[]),
    ("jwks", &["--jwks", "testdata/keys/jwks.json"]),
    ("hmac", &["--key", "testdata/keys/hs256.jwk.json"]),
    (
        "oidc",
        &[
            "--metadata",
            "testdata/metadata/openid-configuration.json",
            "--jwks",
            "testdata/keys/jwks.json",
            "--issuer",
            "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
        ],
    ),
    (
        "samlmeta",
        &["--metadata", "testdata/saml/federationmetadata.xml"],
    ),
    (
        "samlcert",
        &[
            "--cert",
            "testdata/saml/idp-signing.pem",
            "--audience",
            "https://sp.example.com/metadata",
        ],
    ),
];

/// Standard output, standard error and exit status of one run, as one byte string.
fn run(args: &[String], cache: &Path) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_keyprobe"))
        .current_dir(root())
        .args(args)
        .args(["--at", AT, "--offline", "--cache-dir"])
        .arg(cache)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run keyprobe");
    let mut all = format!("== exit {:?}\n== stdout\n", out.status.code()).into_bytes();
    all.extend_from_slice(&out.stdout);
    all.extend_from_slice(b"== stderr\n");
    // The cache directory is fresh on every run: name it the same in every recording.
    let stderr = String::from_utf8_lossy(&out.stderr).replace(&*cache.to_string_lossy(), "CACHE");
    all.extend_from_slice(stderr.as_bytes());
    all
}

/// A small deterministic generator (xorshift64*), so that every run makes the same tokens.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const TENANT: &str = "8eaef023-2b34-4da1-9baa-8bc8c9d6a490";
const RSA_KID: &str = "4CPIzDU470jsqvcIxS6vlzlngp8";

/// One claim set: the shapes Entra issues, and the mistakes and oddities checks react to.
fn claims(rng: &mut Rng, i: usize) -> String {
    let now: i64 = 1_780_315_200;
    let mut c = String::from("{");
    let member = |c: &mut String, name: &str, value: &str| {
        if c.len() > 1 {
            c.push(',');
        }
        let _ = write!(c, "\"{name}\":{value}");
    };
    let v1 = rng.below(5) == 0;
    match rng.below(10) {
        0 => {}
        1 => member(
            &mut c,
            "iss",
            "\"https://login.microsoftonline.com/00000000-1111-2222-3333-444444444444/v2.0\"",
        ),
        2 => member(&mut c, "iss", "42"),
        _ if v1 => member(
            &mut c,
            "iss",
            &format!("\"https://sts.windows.net/{TENANT}/\""),
        ),
        _ => member(
            &mut c,
            "iss",
            &format!("\"https://login.microsoftonline.com/{TENANT}/v2.0\""),
        ),
    }
    match rng.below(8) {
        0 => {}
        1 => member(&mut c, "aud", "[\"api://keyprobe-test\",\"api://other\"]"),
        2 => member(&mut c, "aud", "\"00000003-0000-0000-c000-000000000000\""),
        3 => member(&mut c, "aud", "[]"),
        _ => member(&mut c, "aud", "\"api://keyprobe-test\""),
    }
    let iat = now - rng.below(7200) as i64;
    member(&mut c, "iat", &iat.to_string());
    match rng.below(10) {
        0 => {}
        1 => member(&mut c, "nbf", &(now + 3600).to_string()),
        2 => member(&mut c, "nbf", "\"soon\""),
        _ => member(&mut c, "nbf", &iat.to_string()),
    }
    match rng.below(12) {
        0 => {}
        1 => member(
            &mut c,
            "exp",
            &(now - 1 - rng.below(90_000) as i64).to_string(),
        ),
        2 => member(&mut c, "exp", &(now - 200).to_string()),
        3 => member(&mut c, "exp", "1.78e9"),
        4 => member(&mut c, "exp", "\"tomorrow\""),
        5 => member(&mut c, "exp", "99999999999999999999"),
        _ => member(&mut c, "exp", &(iat + 3600).to_string()),
    }
    let sub = match rng.below(6) {
        0 => format!("\"user-{i} \\u00e9\\u4e2d \\\"quoted\\\" back\\\\slash\\n\\t\""),
        1 => format!("\"\u{1F511} key {i}\""),
        _ => format!("\"user-{i}\""),
    };
    member(&mut c, "sub", &sub);
    if rng.below(3) > 0 {
        member(&mut c, "tid", &format!("\"{TENANT}\""));
    }
    member(&mut c, "ver", if v1 { "\"1.0\"" } else { "\"2.0\"" });
    if rng.below(2) == 0 {
        member(&mut c, "azp", "\"4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8\"");
    } else {
        member(&mut c, "appid", "\"4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8\"");
    }
    match rng.below(4) {
        0 => member(&mut c, "scp", "\"User.Read Mail.Send\""),
        1 => member(&mut c, "roles", "[\"Reader\",\"Writer\"]"),
        _ => {}
    }
    if rng.below(4) == 0 {
        let n = rng.below(40);
        let groups: Vec<String> = (0..n)
            .map(|g| format!("\"{:08x}-0000-4000-8000-{:012x}\"", rng.next() as u32, g))
            .collect();
        member(&mut c, "groups", &format!("[{}]", groups.join(",")));
    }
    if rng.below(6) == 0 {
        member(
            &mut c,
            "xms_cc",
            "{\"nested\":[1,-2.5,true,null,{\"deep\":\"x\"}],\"empty\":{}}",
        );
    }
    if rng.below(10) == 0 {
        member(&mut c, "uti", &format!("\"u{}\"", rng.next()));
    }
    if rng.below(40) == 0 {
        // A duplicate member: strict parsing rejects the payload.
        member(&mut c, "sub", "\"again\"");
    }
    c.push('}');
    c
}

struct Signers {
    rsa: PKey<Private>,
    hmac: PKey<Private>,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// One token: deterministic signatures only (RSA PKCS#1 v1.5 and HMAC), so that the same
/// tokens come out on every run.
fn token(rng: &mut Rng, keys: &Signers, i: usize) -> String {
    let (alg, key): (&str, Option<(&PKey<Private>, MessageDigest)>) = match rng.below(20) {
        0..=7 => ("RS256", Some((&keys.rsa, MessageDigest::sha256()))),
        8 => ("RS384", Some((&keys.rsa, MessageDigest::sha384()))),
        9 => ("RS512", Some((&keys.rsa, MessageDigest::sha512()))),
        10..=14 => ("HS256", Some((&keys.hmac, MessageDigest::sha256()))),
        15 => ("HS384", Some((&keys.hmac, MessageDigest::sha384()))),
        16 => ("none", None),
        17 => ("PS256", None),
        18 => ("ES256", None),
        _ => ("RS256", None),
    };
    let mut header = format!("{{\"alg\":\"{alg}\"");
    match rng.below(10) {
        0 => {}
        1 => header.push_str(",\"typ\":\"at+jwt\""),
        _ => header.push_str(",\"typ\":\"JWT\""),
    }
    let kid = match (alg.starts_with('H'), rng.below(10)) {
        (_, 0) => None,
        (_, 1) => Some("unknown-kid"),
        (true, _) => Some("hmac-1"),
        (false, _) => Some(RSA_KID),
    };
    if let Some(kid) = kid {
        let _ = write!(header, ",\"kid\":\"{kid}\"");
    }
    match rng.below(30) {
        0 => header.push_str(",\"jku\":\"https://attacker.example/keys\""),
        1 => header.push_str(",\"x5t\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAA\""),
        2 => header.push_str(",\"crit\":[\"exp\"]"),
        3 => header.push_str(",\"nonce\":\"abc\""),
        _ => {}
    }
    header.push('}');
    let signing_input = format!(
        "{}.{}",
        b64(header.as_bytes()),
        b64(claims(rng, i).as_bytes())
    );
    let signature = match key {
        Some((key, digest)) => {
            let mut signer = Signer::new(digest, key).expect("signer");
            signer
                .sign_oneshot_to_vec(signing_input.as_bytes())
                .expect("sign")
        }
        None if alg == "none" => Vec::new(),
        None => (0..256).map(|_| rng.next() as u8).collect(),
    };
    let mut token = format!("{signing_input}.{}", b64(&signature));
    match rng.below(50) {
        // A flipped character in the signature, then in the payload.
        0 => {
            let last = token
                .pop()
                .map_or('A', |c| if c == 'A' { 'B' } else { 'A' });
            token.push(last);
        }
        1 => token.replace_range(token.len() / 2..token.len() / 2 + 1, "x"),
        2 => token = format!("{signing_input}.%%%"),
        3 => token = signing_input,
        _ => {}
    }
    token
}

fn generated_tokens() -> String {
    let read = |p: &str| std::fs::read(root().join(p)).expect("fixture key");
    let hs: serde_json::Value =
        serde_json::from_slice(&read("testdata/keys/hs256.jwk.json")).expect("jwk");
    let secret = URL_SAFE_NO_PAD
        .decode(hs["k"].as_str().expect("k"))
        .expect("base64url");
    let keys = Signers {
        rsa: PKey::private_key_from_pem(&read("testdata/keys/issuer.key.pem")).expect("key"),
        hmac: PKey::hmac(&secret).expect("hmac key"),
    };
    let mut rng = Rng(0x6b65_7970_726f_6265);
    let mut lines = String::new();
    for i in 0..TOKENS {
        lines.push_str(&token(&mut rng, &keys, i));
        lines.push('\n');
    }
    lines
}

fn hex_digest(bytes: &[u8]) -> String {
    hex::encode(keyprobe_core::digest::sha256(bytes))
}

#[test]
fn reports_are_byte_identical_to_the_recorded_ones() {
    let scratch =
        std::env::temp_dir().join(format!("keyprobe-report-bytes-{}", std::process::id()));
    let cache = scratch.join("cache");
    std::fs::create_dir_all(&cache).expect("scratch");
    let fixtures = fixtures();
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    for (label, flags) in TRUSTS {
        for json in [true, false] {
            // Several inputs: one JSON line (or one terminal report) per report.
            let mut args: Vec<String> = vec!["inspect".into()];
            args.extend(fixtures.iter().cloned());
            args.extend(flags.iter().map(|f| f.to_string()));
            if json {
                args.push("--json".into());
            }
            let name = format!("fixtures-{label}-{}", if json { "jsonl" } else { "human" });
            cases.push((name, run(&args, &cache)));
        }
    }
    // One input: pretty JSON, each fixture against the OpenID key sources.
    let oidc = TRUSTS.iter().find(|(l, _)| *l == "oidc").expect("oidc").1;
    let mut pretty = Vec::new();
    for fixture in &fixtures {
        let mut args: Vec<String> = vec!["inspect".into(), fixture.clone()];
        args.extend(oidc.iter().map(|f| f.to_string()));
        args.push("--json".into());
        pretty.extend(run(&args, &cache));
    }
    cases.push(("fixtures-oidc-pretty".into(), pretty));
    // Batch mode over generated tokens, against the RSA key set and the HMAC key together.
    let tokens = scratch.join("tokens.txt");
    std::fs::write(&tokens, generated_tokens()).expect("tokens");
    cases.push((
        "generated-tokens-input".into(),
        std::fs::read(&tokens).expect("tokens"),
    ));
    let batch = |extra: &[&str]| {
        let mut args: Vec<String> = vec!["inspect".into(), "--lines".into()];
        args.push(tokens.to_string_lossy().into_owned());
        args.extend(
            [
                "--jwks",
                "testdata/keys/jwks.json",
                "--key",
                "testdata/keys/hs256.jwk.json",
            ]
            .map(String::from),
        );
        args.extend(extra.iter().map(|f| f.to_string()));
        let out = run(&args, &cache);
        // The input's path differs from run to run.
        String::from_utf8_lossy(&out)
            .replace(&*tokens.to_string_lossy(), "TOKENS")
            .into_bytes()
    };
    cases.push(("generated-tokens-jsonl".into(), batch(&["--json"])));
    cases.push((
        "generated-tokens-jsonl-expectations".into(),
        batch(&[
            "--json",
            "--audience",
            "api://keyprobe-test",
            "--issuer",
            "https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/v2.0",
        ]),
    ));
    cases.push(("generated-tokens-human".into(), batch(&[])));

    let mut actual = String::new();
    for (name, bytes) in &cases {
        let _ = writeln!(actual, "{} {name}", hex_digest(bytes));
        std::fs::write(scratch.join(format!("{name}.txt")), bytes).expect("keep output");
    }
    let recorded_path = root().join("tests/report_bytes.digests");
    if std::env::var_os("KEYPROBE_BLESS").is_some() {
        std::fs::write(&recorded_path, &actual).expect("bless");
        return;
    }
    let recorded = std::fs::read_to_string(&recorded_path).unwrap_or_default();
    let differ: Vec<&str> = actual
        .lines()
        .filter(|line| !recorded.lines().any(|r| r == *line))
        .collect();
    assert!(
        differ.is_empty(),
        "reports differ from the recorded ones in: {differ:#?}\noutputs kept in {} (rerun the old \
         commit's test to compare; KEYPROBE_BLESS=1 re-records after a deliberate change)",
        scratch.display()
    );
    std::fs::remove_dir_all(&scratch).ok();
}
