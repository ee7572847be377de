//! A key on its own: private material must not travel, weak keys are named.

use serde_json::json;

use super::Ctx;
use crate::artifact::key::LoneKey;
use crate::catalogue::FindingCode;
use crate::crypto::policy::public_key_weakness;
use crate::report::Finding;

/// Checks one key; `label` says which (`the key`, `key 2 of 3`).
pub(crate) fn check_key(ctx: &mut Ctx, key: &LoneKey, label: &str) {
    if key.is_private() {
        let readable = if key.public.is_some() {
            String::new()
        } else {
            "; it is encrypted with a passphrase, so its type and size were not read".into()
        };
        ctx.push(
            Finding::new(
                FindingCode::PrivateKeyMaterial,
                format!(
                    "{label} is a private key ({}){readable}: it must not be shared",
                    key.format.describe()
                ),
            )
            .with_evidence(
                json!({"format": key.format.describe(), "jwk_thumbprint": key.thumbprint}),
            ),
        );
    }
    if let Some(why) = key.public.as_ref().and_then(public_key_weakness) {
        ctx.push(
            Finding::new(FindingCode::WeakKey, format!("{label} is {why}")).with_evidence(
                json!({"key": key.public.as_ref().map(|k| k.info()), "weakness": why}),
            ),
        );
    }
    if let Some(info) = key.public.as_ref().map(|k| k.info()) {
        if info.kty == "unsupported"
            || info.crv == Some("secp256k1")
            || info.crv == Some("other curve")
        {
            ctx.push(Finding::new(
                FindingCode::AlgKeyMismatch,
                format!("{label} is a {} key, which no JWS algorithm Entra or its relying parties use can sign with", info.describe()),
            ));
        }
    }
}
