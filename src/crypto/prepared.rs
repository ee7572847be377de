//! RSA and ECDSA verification through a context prepared once per key, algorithm and thread.
//!
//! OpenSSL 3 looks up the algorithm implementations (and copies the key into its provider) on every
//! `EVP_DigestVerifyInit`; for a 2048-bit RSA token that costs about a tenth of the verification
//! itself, and a batch verifies thousands of tokens with the same few keys. Here the message is
//! hashed directly and the digest verified with a kept `EVP_PKEY_CTX`, which is the operation
//! `openssl speed` measures. Padding, digest and PSS salt rules are the same as the one-shot path.

use std::cell::RefCell;

use openssl::error::ErrorStack;
use openssl::md::{Md, MdRef};
use openssl::pkey::{PKey, PKeyRef, Public};
use openssl::pkey_ctx::PkeyCtx;
use openssl::rsa::Padding;
use openssl::sign::RsaPssSaltlen;

use super::alg::{Alg, AlgFamily};

/// Contexts kept per thread. A run trusts a handful of keys; the oldest context goes first.
const MAX_PREPARED: usize = 16;

struct Prepared {
    /// Held so that the key (and so its address, the lookup key) outlives the context.
    key: PKey<Public>,
    alg: Alg,
    ctx: PkeyCtx<Public>,
}

thread_local! {
    static PREPARED: RefCell<Vec<Prepared>> = const { RefCell::new(Vec::new()) };
}

/// Verifies `signature` (DER for ECDSA) over `message` with `key` under `alg`, one of the RSA or
/// ECDSA algorithms. `Ok(true)` only for a signature that verifies.
pub(super) fn verify_hashed(
    alg: Alg,
    key: &PKey<Public>,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, ErrorStack> {
    verify_digest(alg, key, &digest_of(alg, message), signature)
}

/// [`verify_hashed`] with the message already hashed by [`digest_of`]: a message tried with several
/// keys (an XML signature's SignedInfo) is hashed once.
pub(crate) fn verify_digest(
    alg: Alg,
    key: &PKey<Public>,
    digest: &[u8],
    signature: &[u8],
) -> Result<bool, ErrorStack> {
    PREPARED.with(|cell| {
        let Ok(mut cache) = cell.try_borrow_mut() else {
            // Not reachable (nothing here re-enters), but a fresh context is always correct.
            return prepare(alg, key)?.verify(digest, signature);
        };
        let found = cache
            .iter()
            .position(|p| p.alg == alg && same_key(&p.key, key));
        let index = match found {
            Some(i) => i,
            None => {
                if cache.len() >= MAX_PREPARED {
                    cache.remove(0);
                }
                cache.push(Prepared {
                    key: key.clone(),
                    alg,
                    ctx: prepare(alg, key)?,
                });
                cache.len() - 1
            }
        };
        let Some(entry) = cache.get_mut(index) else {
            return prepare(alg, key)?.verify(digest, signature);
        };
        // A signature that does not verify comes back as an error too (OpenSSL queues a reason);
        // the context keeps no state between calls, so it stays usable either way.
        entry.ctx.verify(digest, signature)
    })
}

/// The same OpenSSL key object (not merely an equal key): a reference's address is the key's.
fn same_key(a: &PKeyRef<Public>, b: &PKeyRef<Public>) -> bool {
    std::ptr::eq(a, b)
}

/// The hash `alg` signs, computed directly; which one follows [`Alg::digest`] (by its length).
/// The hashers, not the one-shot `sha256()`: OpenSSL 3 implements the one-shot functions by
/// fetching the algorithm on every call (about 7,000 instructions a token).
pub(crate) fn digest_of(alg: Alg, message: &[u8]) -> Vec<u8> {
    match alg.digest_len() {
        48 => {
            let mut h = openssl::sha::Sha384::new();
            h.update(message);
            h.finish().to_vec()
        }
        64 => {
            let mut h = openssl::sha::Sha512::new();
            h.update(message);
            h.finish().to_vec()
        }
        _ => {
            let mut h = openssl::sha::Sha256::new();
            h.update(message);
            h.finish().to_vec()
        }
    }
}

/// The same hash, named for the context.
fn md_of(alg: Alg) -> &'static MdRef {
    match alg.digest_len() {
        48 => Md::sha384(),
        64 => Md::sha512(),
        _ => Md::sha256(),
    }
}

fn prepare(alg: Alg, key: &PKey<Public>) -> Result<PkeyCtx<Public>, ErrorStack> {
    let md = md_of(alg);
    let mut ctx = PkeyCtx::new(key)?;
    ctx.verify_init()?;
    match alg.family() {
        AlgFamily::RsaPss => {
            ctx.set_rsa_padding(Padding::PKCS1_PSS)?;
            ctx.set_signature_md(md)?;
            ctx.set_rsa_mgf1_md(md)?;
            // RFC 7518 §3.5: the salt is as long as the hash.
            ctx.set_rsa_pss_saltlen(RsaPssSaltlen::DIGEST_LENGTH)?;
        }
        AlgFamily::RsaPkcs1 => {
            ctx.set_rsa_padding(Padding::PKCS1)?;
            ctx.set_signature_md(md)?;
        }
        _ => ctx.set_signature_md(md)?,
    }
    Ok(ctx)
}
