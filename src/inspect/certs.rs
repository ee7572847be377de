//! Certificates: a PEM bundle, DER or base64 DER, checked one by one, and their chain order.

use serde_json::{json, Value};

use crate::artifact::cert::{chain_order, parse_pem_bundle, Certificate};
use crate::catalogue::FindingCode;
use crate::checks::certs::{self, CertRole};
use crate::checks::Ctx;
use crate::report::Finding;

pub(super) fn inspect_pem(ctx: &mut Ctx, text: &str) -> Value {
    let (certs, errors) = parse_pem_bundle(text);
    for e in errors {
        ctx.push(Finding::new(FindingCode::Malformed, e.to_string()));
    }
    inspect_chain(ctx, certs)
}

pub(super) fn inspect_chain(ctx: &mut Ctx, chain: Vec<Certificate>) -> Value {
    for (index, cert) in chain.iter().enumerate() {
        let role = CertRole::Input {
            index,
            of: chain.len(),
        };
        certs::check(ctx, cert, &role);
    }
    let clock = ctx.settings.clock;
    json!({
        "certificates": chain.iter().map(|c| c.to_json(&clock)).collect::<Vec<_>>(),
        "chain": chain_order(&chain),
    })
}

pub(super) fn describe_other_pem(text: &str) -> Value {
    let label = text
        .lines()
        .next()
        .unwrap_or("")
        .trim_matches('-')
        .trim_start_matches("BEGIN ")
        .to_string();
    json!({
        "pem_block": label,
        "note": "not a certificate; a public key is used as a trusted key with --key, never inspected as input",
    })
}
