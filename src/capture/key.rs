//! Reading a key given alone (kind `key`): every key block of a PEM text, or DER.

use serde_json::{json, Value};

use crate::artifact::key::{from_der, from_pem_block, is_key_label, pem_blocks, LoneKey};
use crate::catalogue::FindingCode;
use crate::checks::key::check_key;
use crate::checks::Ctx;
use crate::report::Finding;

/// Whether a PEM text holds a key block (and so is kind `key` unless it holds certificates).
pub(crate) fn pem_has_key(text: &str) -> bool {
    pem_blocks(text).iter().any(|b| is_key_label(b.label))
}

/// Inspects every key block of a PEM text; other blocks (parameters, certificates) are left to
/// their own readers.
pub(crate) fn inspect_pem(ctx: &mut Ctx, text: &str) -> Value {
    let blocks: Vec<_> = pem_blocks(text)
        .into_iter()
        .filter(|b| is_key_label(b.label))
        .collect();
    let many = blocks.len() > 1;
    let mut keys = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let label = if many {
            format!("key {} of {}", i + 1, blocks.len())
        } else {
            "the key".to_string()
        };
        match from_pem_block(block) {
            Ok(key) => {
                check_key(ctx, &key, &label);
                keys.push(key_json(&key));
            }
            Err(e) => {
                // An unreadable private key block is still private material.
                if block.label.contains("PRIVATE") {
                    ctx.push(Finding::new(
                        FindingCode::PrivateKeyMaterial,
                        format!(
                            "{label} is a private key ({}): it must not be shared",
                            block.label
                        ),
                    ));
                }
                ctx.push(Finding::new(FindingCode::Malformed, e.to_string()));
            }
        }
    }
    shape(keys)
}

/// Inspects DER that is not a certificate; `None` when it is no key either.
pub(crate) fn inspect_der(ctx: &mut Ctx, der: &[u8]) -> Option<Value> {
    let key = from_der(der).ok()?;
    check_key(ctx, &key, "the key");
    Some(shape(vec![key_json(&key)]))
}

fn shape(mut keys: Vec<Value>) -> Value {
    if keys.len() == 1 {
        keys.pop().unwrap_or(Value::Null)
    } else {
        json!({ "keys": keys })
    }
}

fn key_json(key: &LoneKey) -> Value {
    let mut v = json!({
        "format": key.format.describe(),
        "encoding": key.encoding,
        "private": key.is_private(),
        "key": key.public.as_ref().map(|k| k.info().describe()),
        "jwk_thumbprint": key.thumbprint,
        "public_jwk": key.jwk,
    });
    if let Some(o) = v.as_object_mut() {
        o.retain(|_, v| !v.is_null());
        if key.is_private() {
            o.insert(
                "note".into(),
                json!("only the public half is shown; the private key must not be shared"),
            );
        }
    }
    v
}
