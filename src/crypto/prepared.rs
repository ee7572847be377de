//! RSA and ECDSA verification through a verifier prepared once per key, algorithm and thread.
//!
//! OpenSSL 3 looks up the algorithm implementations (and copies the key into its provider) on every
//! `EVP_DigestVerifyInit`; for a 2048-bit RSA token that costs about a tenth of the verification
//! itself, and a batch verifies thousands of tokens with the same few keys. Here the message is
//! hashed directly and the digest verified with a kept `EVP_PKEY_CTX`, which is the operation
//! `openssl speed` measures. Padding, digest and PSS salt rules are the same as the one-shot path.
//!
//! RSASSA-PKCS1-v1_5 (RS256/384/512, RSA-SHA256… in XML) skips the provider layer altogether: the
//! public-key operation is OpenSSL's raw `RSA_public_decrypt`, and the whole recovered block must
//! equal the encoding expected, `00 01 FF…FF 00 DigestInfo(hash)`, byte for byte (RFC 8017
//! §8.2.2, "encode and compare"; everything before the hash is worked out once per key). The
//! provider path's first use costs a process about 3 million instructions (the algorithm fetch
//! building OpenSSL's name map), most of a one-token run's own work.

use std::cell::RefCell;

use openssl::error::ErrorStack;
use openssl::md::{Md, MdRef};
use openssl::pkey::{PKey, PKeyRef, Public};
use openssl::pkey_ctx::PkeyCtx;
use openssl::rsa::{Padding, Rsa};
use openssl::sign::RsaPssSaltlen;

use super::alg::{Alg, AlgFamily};

/// Verifiers kept per thread. A run trusts a handful of keys; the oldest verifier goes first.
const MAX_PREPARED: usize = 16;

struct Prepared {
    /// Held so that the key (and so its address, the lookup key) outlives the verifier.
    key: PKey<Public>,
    alg: Alg,
    verifier: Verifier,
}

/// How a prepared key verifies a digest.
enum Verifier {
    /// Through OpenSSL's provider: RSA-PSS and ECDSA.
    Ctx(PkeyCtx<Public>),
    /// RSASSA-PKCS1-v1_5 through the RSA key itself.
    Pkcs1(Pkcs1),
}

/// An RSA key of this thread's own, and the start of every PKCS#1 v1.5 encoding it verifies for
/// one hash: `00 01 FF…FF 00` and the `DigestInfo` header, the block's length less the hash's.
struct Pkcs1 {
    rsa: Rsa<Public>,
    /// `None` for a key too small to hold the encoding: it verifies nothing.
    before_hash: Option<Vec<u8>>,
}

impl Verifier {
    fn verify(&mut self, digest: &[u8], signature: &[u8]) -> Result<bool, ErrorStack> {
        match self {
            Verifier::Ctx(ctx) => ctx.verify(digest, signature),
            Verifier::Pkcs1(key) => Ok(pkcs1_matches(key, digest, signature)),
        }
    }
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
                    verifier: prepare(alg, key)?,
                });
                cache.len() - 1
            }
        };
        let Some(entry) = cache.get_mut(index) else {
            return prepare(alg, key)?.verify(digest, signature);
        };
        // A signature that does not verify comes back as an error too (OpenSSL queues a reason);
        // the verifier keeps no state between calls, so it stays usable either way.
        entry.verifier.verify(digest, signature)
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

/// The DER `DigestInfo` header before the hash in a PKCS#1 v1.5 signature (RFC 8017 §9.2, note 1),
/// by the hash's length.
fn digest_info_prefix(digest_len: usize) -> Option<&'static [u8]> {
    const OID: [u8; 8] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02];
    const fn prefix(total: u8, oid_last: u8, len: u8) -> [u8; 19] {
        [
            0x30, total, 0x30, 0x0d, 0x06, 0x09, OID[0], OID[1], OID[2], OID[3], OID[4], OID[5],
            OID[6], OID[7], oid_last, 0x05, 0x00, 0x04, len,
        ]
    }
    const SHA256: [u8; 19] = prefix(0x31, 0x01, 32);
    const SHA384: [u8; 19] = prefix(0x41, 0x02, 48);
    const SHA512: [u8; 19] = prefix(0x51, 0x03, 64);
    match digest_len {
        32 => Some(&SHA256),
        48 => Some(&SHA384),
        64 => Some(&SHA512),
        _ => None,
    }
}

/// `00 01 FF…FF 00 DigestInfo-header` for a `block_len`-byte key and `alg`'s hash: the encoded
/// message without the hash (RFC 8017 §9.2: at least eight `FF` bytes). `None` for a key too
/// small to hold the encoding, or a hash with no `DigestInfo`.
fn pkcs1_before_hash(block_len: usize, alg: Alg) -> Option<Vec<u8>> {
    let prefix = digest_info_prefix(alg.digest_len())?;
    let fill = block_len.checked_sub(3 + prefix.len() + alg.digest_len())?;
    if fill < 8 {
        return None;
    }
    let mut before = Vec::with_capacity(block_len - alg.digest_len());
    before.extend_from_slice(&[0x00, 0x01]);
    before.resize(2 + fill, 0xff);
    before.push(0x00);
    before.extend_from_slice(prefix);
    Some(before)
}

/// Whether `signature` is `key`'s PKCS#1 v1.5 signature of `digest`: a full-length value below the
/// modulus whose public-key operation gives exactly the expected encoding of `digest`.
fn pkcs1_matches(key: &Pkcs1, digest: &[u8], signature: &[u8]) -> bool {
    let size = key.rsa.size() as usize;
    let Some(before_hash) = &key.before_hash else {
        return false;
    };
    if signature.len() != size || before_hash.len() + digest.len() != size {
        return false;
    }
    // Keys up to 4096 bits on the stack; a batch verifies every token with one of a few keys.
    let mut stack = [0u8; 512];
    let mut heap = Vec::new();
    let block = if size <= stack.len() {
        &mut stack[..size]
    } else {
        heap.resize(size, 0);
        &mut heap[..]
    };
    // A value not below the modulus is an error: no signature.
    let Ok(n) = key.rsa.public_decrypt(signature, block, Padding::NONE) else {
        return false;
    };
    let recovered = block.get(..n).unwrap_or_default();
    recovered.len() == size && recovered.starts_with(before_hash) && recovered.ends_with(digest)
}

fn prepare(alg: Alg, key: &PKey<Public>) -> Result<Verifier, ErrorStack> {
    if alg.family() == AlgFamily::RsaPkcs1 {
        // A copy of the key's own: OpenSSL hands every thread the same RSA object, whose lock
        // (taken on every public-key operation) then bounces between the cores.
        let shared = key.rsa()?;
        let rsa = Rsa::from_public_components(shared.n().to_owned()?, shared.e().to_owned()?)?;
        let before_hash = pkcs1_before_hash(rsa.size() as usize, alg);
        return Ok(Verifier::Pkcs1(Pkcs1 { rsa, before_hash }));
    }
    Ok(Verifier::Ctx(prepare_ctx(alg, key)?))
}

fn prepare_ctx(alg: Alg, key: &PKey<Public>) -> Result<PkeyCtx<Public>, ErrorStack> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use openssl::pkey::Private;
    use openssl::rsa::RsaRef;

    fn key() -> (Rsa<Private>, PKey<Public>) {
        let private = Rsa::generate(2048).unwrap();
        let public = Rsa::from_public_components(
            private.n().to_owned().unwrap(),
            private.e().to_owned().unwrap(),
        )
        .unwrap();
        (private, PKey::from_rsa(public).unwrap())
    }

    /// `block` raised to the private exponent, after `padding` (type 1: a "signature" whose
    /// content is exactly `block`, whatever it says; none: `block` is the whole encoded message).
    fn sign_block(private: &Rsa<Private>, block: &[u8], padding: Padding) -> Vec<u8> {
        let mut out = vec![0u8; private.size() as usize];
        let n = private.private_encrypt(block, &mut out, padding).unwrap();
        out.truncate(n);
        out
    }

    fn pkcs1(alg: Alg, key: &PKey<Public>) -> Pkcs1 {
        match prepare(alg, key).unwrap() {
            Verifier::Pkcs1(p) => p,
            Verifier::Ctx(_) => panic!("{alg:?} goes through the RSA key"),
        }
    }

    /// Both ways of verifying: the RSA key directly, and OpenSSL's provider context.
    fn both(alg: Alg, key: &PKey<Public>, digest: &[u8], signature: &[u8]) -> (bool, bool) {
        let direct = pkcs1_matches(&pkcs1(alg, key), digest, signature);
        let provider = prepare_ctx(alg, key)
            .unwrap()
            .verify(digest, signature)
            .unwrap_or(false);
        (direct, provider)
    }

    #[test]
    fn the_encoding_before_the_hash_fits_the_key_or_there_is_none() {
        let before = pkcs1_before_hash(256, Alg::Rs256).unwrap();
        assert_eq!(before.len(), 256 - 32);
        assert_eq!(&before[..2], [0x00, 0x01]);
        assert!(before[2..before.len() - 20].iter().all(|&b| b == 0xff));
        assert_eq!(&before[before.len() - 20..], {
            let mut tail = vec![0x00];
            tail.extend_from_slice(digest_info_prefix(32).unwrap());
            tail
        });
        // 3 + 19 + 64 bytes do not fit a 512-bit key; with fewer than eight FF bytes, neither.
        assert_eq!(pkcs1_before_hash(64, Alg::Rs512), None);
        assert_eq!(pkcs1_before_hash(3 + 19 + 32 + 7, Alg::Rs256), None);
        assert!(pkcs1_before_hash(3 + 19 + 32 + 8, Alg::Rs256).is_some());
    }

    #[test]
    fn a_key_above_4096_bits_verifies_through_a_block_on_the_heap() {
        let private = Rsa::generate(4104).unwrap();
        let public = PKey::from_rsa(
            Rsa::from_public_components(
                private.n().to_owned().unwrap(),
                private.e().to_owned().unwrap(),
            )
            .unwrap(),
        )
        .unwrap();
        let signer = PKey::from_rsa(private).unwrap();
        let message = b"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0";
        let mut s = openssl::sign::Signer::new(Alg::Rs256.digest().unwrap(), &signer).unwrap();
        let good = s.sign_oneshot_to_vec(message).unwrap();
        assert_eq!(good.len(), 513);
        let digest = digest_of(Alg::Rs256, message);
        assert_eq!(both(Alg::Rs256, &public, &digest, &good), (true, true));
        let mut bad = good.clone();
        bad[100] ^= 1;
        assert_eq!(both(Alg::Rs256, &public, &digest, &bad), (false, false));
    }

    #[test]
    fn each_prepared_pkcs1_verifier_has_an_rsa_object_of_its_own() {
        let (_, public) = key();
        let shared = public.rsa().unwrap();
        let mine = pkcs1(Alg::Rs256, &public).rsa;
        // A reference's address is the OpenSSL object's. OpenSSL returns the key's one cached
        // RSA object to every caller...
        let again = public.rsa().unwrap();
        assert!(std::ptr::eq::<RsaRef<Public>>(&*shared, &*again));
        // ...which a prepared verifier must not share with other threads.
        assert!(!std::ptr::eq::<RsaRef<Public>>(&*shared, &*mine));
        assert_eq!((mine.n(), mine.e()), (shared.n(), shared.e()));
    }

    #[test]
    fn pkcs1_accepts_exactly_what_the_provider_accepts() {
        let (private, public) = key();
        let signer = PKey::from_rsa(private.clone()).unwrap();
        for alg in [Alg::Rs256, Alg::Rs384, Alg::Rs512] {
            let message = b"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0";
            let digest = digest_of(alg, message);
            let mut s = openssl::sign::Signer::new(alg.digest().unwrap(), &signer).unwrap();
            let good = s.sign_oneshot_to_vec(message).unwrap();
            assert_eq!(both(alg, &public, &digest, &good), (true, true), "{alg:?}");
            // Through the kept verifier too, twice (it keeps no state).
            for _ in 0..2 {
                assert!(verify_digest(alg, &public, &digest, &good).unwrap());
            }

            let prefix = digest_info_prefix(alg.digest_len()).unwrap();
            let mut other = digest.clone();
            other[0] ^= 1;
            let sha1_oid: &[u8] = &[
                0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
                0x14,
            ];
            let mut no_null = vec![0x30, prefix[1] - 2, 0x30, 0x0b];
            no_null.extend_from_slice(&prefix[4..15]);
            no_null.extend_from_slice(&prefix[17..]);
            // Encodings whose padding is wrong, signed as whole blocks.
            let k = private.size() as usize;
            let expected = [pkcs1_before_hash(k, alg).unwrap(), digest.clone()].concat();
            assert_eq!(
                sign_block(&private, &expected, Padding::NONE),
                good,
                "{alg:?}: the encoding itself"
            );
            let with = |at: usize, byte: u8| {
                let mut block = expected.clone();
                assert_ne!(block[at], byte, "{alg:?}: byte {at} changes");
                block[at] = byte;
                block
            };
            let mut early_end = vec![0x00, 0x01, 0xff, 0xff, 0x00];
            early_end.extend_from_slice(prefix);
            early_end.extend_from_slice(&digest);
            early_end.resize(k, 0x42);
            // What a block says, padded by OpenSSL (type 1), or whole encodings signed as they are.
            let (content, whole) = (Padding::PKCS1, Padding::NONE);
            let forged: Vec<(&str, Vec<u8>, Padding)> = vec![
                ("bare digest, no DigestInfo", digest.clone(), content),
                ("another digest", [prefix, &other].concat(), content),
                ("trailing byte", [prefix, &digest, &[0]].concat(), content),
                ("leading byte", [&[0], prefix, &digest].concat(), content),
                (
                    "parameters left out",
                    [&no_null, &digest[..]].concat(),
                    content,
                ),
                (
                    "SHA-1 DigestInfo around the digest",
                    [sha1_oid, &digest[..20]].concat(),
                    content,
                ),
                ("block type 2", with(1, 0x02), whole),
                ("block type 0", with(1, 0x00), whole),
                ("a non-FF byte in the padding", with(5, 0xfe), whole),
                (
                    "no zero after the padding",
                    with(k - digest.len() - prefix.len() - 1, 0xff),
                    whole,
                ),
                ("DigestInfo early, garbage after the hash", early_end, whole),
            ];
            for (what, block, padding) in forged {
                let signature = sign_block(&private, &block, padding);
                assert_eq!(
                    both(alg, &public, &digest, &signature),
                    (false, false),
                    "{alg:?}: {what}"
                );
            }
            // A value at or above the modulus, and a cut signature.
            let modulus = private.n().to_vec();
            assert_eq!(both(alg, &public, &digest, &modulus), (false, false));
            assert_eq!(
                both(alg, &public, &digest, &good[..good.len() - 1]),
                (false, false)
            );
            // A digest of the wrong length for the algorithm.
            assert!(!pkcs1_matches(&pkcs1(alg, &public), &digest[1..], &good));
            // The same value with a leading zero byte: not a k-byte signature (RFC 8017 §8.2.2).
            assert_eq!(
                both(alg, &public, &digest, &[&[0][..], &good].concat()),
                (false, false)
            );
        }
    }
}
