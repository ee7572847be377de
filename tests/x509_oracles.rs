//! x509-limbo and zlint as oracles for keyprobe's certificate checks (`checks::certs`), read from
//! `../shared/vectors` (or `$KEYPROBE_VECTORS`). Absent vectors make every trial *ignored*.
//!
//! keyprobe is not a path validator or a linter. What `checks::certs` claims about a certificate in
//! play, and so what these suites can judge, is (SPEC, finding codes):
//! - validity at the clock: `cert-expired` after notAfter, `cert-not-yet-valid` before notBefore,
//!   both bounds inclusive (RFC 5280 §4.1.2.5);
//! - key size: `weak-key` for RSA below 2048 bits (and ROCA moduli);
//! - signature hash: `weak-key` for a certificate signed with SHA-1 or MD5 (not for a self-signed
//!   anchor, whose own signature nobody checks);
//! - and it decodes every well-formed certificate (a decode failure is a `malformed` finding).
//!
//! Out of scope (keyprobe makes no such claim, so a suite's verdict on it is not compared;
//! the harness still runs every certificate through decoding and the checks, so none may panic):
//! - chain to an anchor and path building: keyprobe trusts keys and certificates the user gives
//!   (`--cert`, `--metadata`, `--jwks`), never a certificate because it chains to another;
//!   `chain_order` only says whether names are in leaf-first order. So: untrusted roots, missing
//!   intermediates, cycles, alternate chains, max depth, `pathological::*`, `invalid::*`.
//! - key usage and EKU: keyprobe shows keyUsage/EKU in decoded output but SPEC has no finding for
//!   them (`key-use-mismatch` is about a JWK's `use`/`key_ops`).
//! - basic constraints and path length, CA bit, critical-extension handling, AKI/SKI presence;
//! - name constraints, SAN/CN hostname matching (keyprobe never matches a host name);
//! - certificate policies and policy constraints; revocation (CRLs, OCSP);
//! - DER strictness lints that a parser accepts (time encodings, serial length/sign, string
//!   types, RDN order, duplicate attributes) and CA/Browser Forum, S/MIME, code-signing and ETSI
//!   profile rules (maximum validity periods, required extensions, allowed curves);
//! - key weaknesses SPEC does not name: DSA, P-192, RSA sizes not divisible by 8, small or even
//!   exponents, Fermat-factorable moduli.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use keyprobe::internals::{check_certificate, Ctx};
use keyprobe::internals::{parse_pem_bundle, Certificate};
use keyprobe::Clock;
use keyprobe::FindingCode;
use keyprobe::Settings;
use keyprobe::TrustStore;
use libtest_mimic::{Arguments, Failed, Trial};
use serde_json::Value;

fn vectors_dir() -> PathBuf {
    std::env::var_os("KEYPROBE_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors"))
}

fn main() {
    let args = Arguments::from_args();
    let dir = vectors_dir();
    let trials = vec![
        Trial::test("x509-limbo::core", {
            let d = dir.clone();
            move || limbo(&d.join("x509-limbo/limbo-core-regenerated.json"))
        })
        .with_ignored_flag(!dir.join("x509-limbo").is_dir()),
        Trial::test("zlint::relevant_index", {
            let d = dir.clone();
            move || zlint(&d.join("zlint"))
        })
        .with_ignored_flag(!dir.join("zlint").is_dir()),
    ];
    libtest_mimic::run(&args, trials).exit();
}

/// What `checks::certs` said about a set of certificates, by claim.
#[derive(Debug, Default)]
struct Claims {
    malformed: Vec<String>,
    validity: Vec<String>,
    key_size: Vec<String>,
    signature_hash: Vec<String>,
}

impl Claims {
    fn of(certs: &[(String, Certificate)], malformed: Vec<String>, at: i64) -> Claims {
        let settings = Settings {
            clock: Clock::at(at, 0),
            expiry_warning_days: 0,
            ..Settings::default()
        };
        let trust = TrustStore::default();
        let mut ctx = Ctx::new(&settings, &trust);
        for (role, cert) in certs {
            check_certificate(&mut ctx, cert, role);
        }
        let mut claims = Claims {
            malformed,
            ..Claims::default()
        };
        for f in ctx.findings {
            match f.code {
                FindingCode::CertExpired | FindingCode::CertNotYetValid => {
                    claims.validity.push(f.message)
                }
                // A key weakness carries "weakness"; a weak signature hash carries the algorithm.
                FindingCode::WeakKey if f.evidence.as_value().get("weakness").is_some() => {
                    claims.key_size.push(f.message)
                }
                FindingCode::WeakKey => claims.signature_hash.push(f.message),
                _ => {}
            }
        }
        claims
    }

    fn any(&self) -> bool {
        !(self.malformed.is_empty()
            && self.validity.is_empty()
            && self.key_size.is_empty()
            && self.signature_hash.is_empty())
    }
}

fn read_json(path: &Path) -> Result<Value, Failed> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()).into())
}

fn decode_pems(
    pems: &[(String, &str)],
    certs: &mut Vec<(String, Certificate)>,
    malformed: &mut Vec<String>,
) {
    for (role, pem) in pems {
        let (decoded, errors) = parse_pem_bundle(pem);
        if decoded.is_empty() && errors.is_empty() {
            malformed.push(format!("{role}: no certificate"));
        }
        certs.extend(decoded.into_iter().map(|c| (role.clone(), c)));
        malformed.extend(errors.into_iter().map(|e| format!("{role}: {e}")));
    }
}

/// RFC 3339 to Unix seconds, fractions dropped (keyprobe's `--at` has one-second resolution).
fn unix_seconds(text: &str) -> Result<i64, String> {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map(|t| t.unix_timestamp())
        .map_err(|e| format!("validation_time '{text}': {e}"))
}

/// The limbo FAILURE cases whose reason is a claim keyprobe makes, with the claim that must fire.
fn limbo_in_scope_failure(id: &str) -> Option<&'static str> {
    match id {
        "rfc5280::validity::expired-root"
        | "rfc5280::validity::expired-intermediate"
        | "rfc5280::validity::expired-leaf"
        | "rfc5280::validity::expired-1-second"
        | "rfc5280::validity::expired-5-seconds"
        | "rfc5280::validity::not-yet-valid-1-second"
        | "rfc5280::validity::not-yet-valid-5-seconds"
        | "rfc5280::validity::notbefore-fractional" => Some("validity"),
        "webpki::forbidden-weak-rsa-key-in-root" | "webpki::forbidden-weak-rsa-in-leaf" => {
            Some("key size")
        }
        _ => None,
    }
}

/// SUCCESS cases whose chain holds a certificate keyprobe rightly flags, because limbo's verdict
/// rests on path building that keyprobe does not do (see the out-of-scope list).
const LIMBO_SUCCESS_EXCEPTIONS: &[(&str, &str)] = &[(
    "pathological::multiple-chains-expired-intermediate",
    "an expired intermediate sits beside a valid one; a path builder picks the valid path, while \
     keyprobe reports every certificate in play, so the expired one is rightly cert-expired",
)];

fn limbo(path: &Path) -> Result<(), Failed> {
    let doc = read_json(path)?;
    let cases = doc["testcases"]
        .as_array()
        .ok_or("limbo: no testcases array")?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut disagreements = Vec::new();
    let mut also_flagged = Vec::new();
    for case in cases {
        let id = case["id"].as_str().unwrap_or("?");
        let expected = case["expected_result"].as_str().unwrap_or("?");
        // Limbo: no validation time means "now".
        let at = match case["validation_time"].as_str() {
            Some(t) => unix_seconds(t)?,
            None => now,
        };
        let strings = |key: &str| -> Vec<String> {
            case[key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut pems: Vec<(String, String)> = Vec::new();
        if let Some(p) = case["peer_certificate"].as_str() {
            pems.push(("leaf".into(), p.to_string()));
        }
        for (i, p) in strings("untrusted_intermediates").into_iter().enumerate() {
            pems.push((format!("intermediate {i}"), p));
        }
        for (i, p) in strings("trusted_certs").into_iter().enumerate() {
            pems.push((format!("anchor {i}"), p));
        }
        let borrowed: Vec<(String, &str)> =
            pems.iter().map(|(r, p)| (r.clone(), p.as_str())).collect();
        let mut certs = Vec::new();
        let mut malformed = Vec::new();
        decode_pems(&borrowed, &mut certs, &mut malformed);
        let claims = Claims::of(&certs, malformed, at);

        if expected == "SUCCESS" {
            if let Some((_, why)) = LIMBO_SUCCESS_EXCEPTIONS.iter().find(|(i, _)| *i == id) {
                *counts.entry("SUCCESS, documented exception").or_default() += 1;
                if !claims.any() {
                    disagreements.push(format!("{id}: documented exception ({why}) no longer flagged; remove it from the list"));
                }
            } else if claims.any() {
                *counts.entry("SUCCESS, keyprobe disagrees").or_default() += 1;
                disagreements.push(format!(
                    "{id}: limbo accepts the chain, keyprobe says {claims:?}"
                ));
            } else {
                *counts
                    .entry("SUCCESS, keyprobe agrees (no claim)")
                    .or_default() += 1;
            }
        } else if let Some(claim) = limbo_in_scope_failure(id) {
            let fired = match claim {
                "validity" => !claims.validity.is_empty() || !claims.malformed.is_empty(),
                _ => !claims.key_size.is_empty(),
            };
            if fired {
                *counts
                    .entry("FAILURE in scope, keyprobe agrees")
                    .or_default() += 1;
            } else {
                *counts
                    .entry("FAILURE in scope, keyprobe disagrees")
                    .or_default() += 1;
                disagreements.push(format!(
                    "{id}: limbo rejects for {claim}, keyprobe says {claims:?}"
                ));
            }
        } else if claims.any() {
            // Out of scope, but keyprobe flags something anyway (a weak key in a path-length case…).
            *counts
                .entry("FAILURE out of scope, keyprobe flags something")
                .or_default() += 1;
            also_flagged.push(id);
        } else {
            *counts.entry("FAILURE out of scope").or_default() += 1;
        }
    }
    println!("    x509-limbo: {} cases", cases.len());
    for (what, n) in &counts {
        println!("      {n:4}  {what}");
    }
    if !also_flagged.is_empty() {
        println!(
            "      out of scope but flagged: {}",
            also_flagged.join(", ")
        );
    }
    if disagreements.is_empty() {
        Ok(())
    } else {
        Err(disagreements.join("\n").into())
    }
}

/// What a zlint lint's expectation says about a keyprobe claim, in the directions that apply.
#[derive(Clone, Copy)]
enum ZlintOracle {
    /// `Error`: keyprobe must flag the key size. `Pass`: it must not.
    KeySize,
    /// `Error`: keyprobe must flag the key size; `Pass` names a key that keyprobe's stricter
    /// minimum (2048) may still flag, so it is not compared.
    KeySizeErrorOnly,
    /// `Error`: keyprobe must flag the signature hash. `Pass`: it must not.
    SignatureHash,
    /// `Error` (SHA-1 or MD5): keyprobe must flag the hash; zlint's `Pass` for SHA-1 under BR
    /// rules is weaker than SPEC, which calls every SHA-1 certificate signature weak, and its
    /// `Warn` for `e_signature_algorithm_not_supported` is about RSASSA-PSS being outside the
    /// BR list, not about a weak hash.
    SignatureHashErrorOnly,
    /// `Error`: validity is negative, so at any clock keyprobe says expired or not yet valid.
    /// `Pass`: in the middle of its window, keyprobe must not.
    Validity,
}

fn zlint_oracle(lint: &str) -> Option<ZlintOracle> {
    use ZlintOracle::*;
    Some(match lint {
        "e_rsa_mod_less_than_2048_bits" | "e_old_root_ca_rsa_mod_less_than_2048_bits" => KeySize,
        // Thresholds below keyprobe's (1024) or above it (3072 for code signing): only one way.
        "e_old_sub_ca_rsa_mod_less_than_1024_bits"
        | "e_old_sub_cert_rsa_mod_less_than_1024_bits" => KeySizeErrorOnly,
        "e_cs_signature_algorithm_not_supported" => SignatureHash,
        "e_signature_algorithm_not_supported"
        | "e_sub_cert_or_sub_ca_using_sha1"
        | "w_sub_cert_sha1_expiration_too_long" => SignatureHashErrorOnly,
        "e_validity_time_not_positive" => Validity,
        _ => return None,
    })
}

/// Certificates where keyprobe deliberately differs from a lint that is otherwise in scope.
const ZLINT_EXCEPTIONS: &[(&str, &str)] = &[(
    "rsawithsha1after2016.pem",
    "a self-signed certificate: its own SHA-1 signature is never verified by anyone (it is \
     trusted as given, like an Entra SAML signing certificate), so keyprobe does not call it weak",
)];

fn zlint(dir: &Path) -> Result<(), Failed> {
    let index = read_json(&dir.join("zlint_relevant_index.json"))?;
    let entries = index.as_array().ok_or("zlint: index is not an array")?;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut disagreements = Vec::new();
    let mut decoded: BTreeMap<String, Result<Certificate, String>> = BTreeMap::new();
    // Every certificate in the corpus goes through decoding and the checks: none may panic.
    for file in walk(&dir.join("testdata")) {
        let name = file
            .strip_prefix(dir.join("testdata"))
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Some files carry zlint's text dump in Latin-1 around the PEM block.
        let bytes = std::fs::read(&file).map_err(|e| format!("{name}: {e}"))?;
        let (mut certs, errors) = parse_pem_bundle(&String::from_utf8_lossy(&bytes));
        let result = match (certs.is_empty(), errors.first()) {
            (false, _) => Ok(certs.remove(0)),
            (true, Some(e)) => Err(e.to_string()),
            (true, None) => Err("no PEM certificate".to_string()),
        };
        if let Ok(c) = &result {
            let _ = Claims::of(&[("file".into(), c.clone())], Vec::new(), c.not_before);
        }
        *counts
            .entry(
                if result.is_ok() {
                    "corpus: decoded"
                } else {
                    "corpus: malformed"
                }
                .into(),
            )
            .or_default() += 1;
        decoded.insert(name, result);
    }
    for e in entries {
        let lint = e["lint"].as_str().unwrap_or("?");
        let file = e["file"].as_str().unwrap_or("?");
        let expected = e["expected"].as_str().unwrap_or("?");
        let Some(oracle) = zlint_oracle(lint) else {
            *counts.entry("lint out of scope".into()).or_default() += 1;
            continue;
        };
        let cert = match decoded.get(file) {
            Some(Ok(c)) => c,
            Some(Err(why)) => {
                disagreements.push(format!("{lint} {file}: keyprobe cannot decode it: {why}"));
                continue;
            }
            None => {
                disagreements.push(format!("{lint} {file}: not in testdata"));
                continue;
            }
        };
        // Clock: the middle of the window, so that validity does not mix with other claims.
        let mid = cert.not_before + (cert.not_after - cert.not_before) / 2;
        let claims = Claims::of(&[(file.to_string(), cert.clone())], Vec::new(), mid);
        let flagged = match oracle {
            ZlintOracle::KeySize | ZlintOracle::KeySizeErrorOnly => !claims.key_size.is_empty(),
            ZlintOracle::SignatureHash | ZlintOracle::SignatureHashErrorOnly => {
                !claims.signature_hash.is_empty()
            }
            ZlintOracle::Validity => !claims.validity.is_empty(),
        };
        let must_flag = match (oracle, expected) {
            (ZlintOracle::SignatureHashErrorOnly, "Warn")
                if lint == "e_signature_algorithm_not_supported" =>
            {
                false
            }
            (_, e) => matches!(e, "Error" | "Warn"),
        };
        let compared = match oracle {
            ZlintOracle::KeySizeErrorOnly | ZlintOracle::SignatureHashErrorOnly => must_flag,
            _ => matches!(expected, "Error" | "Warn" | "Pass"),
        };
        if let Some((_, why)) = ZLINT_EXCEPTIONS.iter().find(|(f, _)| *f == file) {
            *counts
                .entry("in-scope lint, documented exception".into())
                .or_default() += 1;
            if flagged == must_flag {
                disagreements.push(format!("{lint} {file}: documented exception ({why}) now agrees; remove it from the list"));
            }
        } else if !compared {
            *counts
                .entry(format!("in-scope lint, '{expected}' not compared"))
                .or_default() += 1;
        } else if flagged == must_flag {
            *counts
                .entry(format!("in-scope lint, keyprobe agrees ({expected})"))
                .or_default() += 1;
        } else {
            *counts
                .entry(format!("in-scope lint, keyprobe disagrees ({expected})"))
                .or_default() += 1;
            disagreements.push(format!(
                "{lint} {file}: zlint expects {expected}, keyprobe says {claims:?}"
            ));
        }
    }
    println!("    zlint: {} index entries", entries.len());
    for (what, n) in &counts {
        println!("      {n:4}  {what}");
    }
    for (file, result) in &decoded {
        if let Err(why) = result {
            println!("      malformed: {file}: {why}");
        }
    }
    if disagreements.is_empty() {
        Ok(())
    } else {
        Err(disagreements.join("\n").into())
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|e| e == "pem") {
            out.push(p);
        }
    }
    out.sort();
    out
}
