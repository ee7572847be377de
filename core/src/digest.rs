//! SHA-1 and SHA-256 of a byte string, through OpenSSL's hashers.
//!
//! Not OpenSSL 3's one-shot `SHA1()`/`SHA256()` (`openssl::sha::sha1`, `sha256`): those look the
//! algorithm up in the provider on every call, and the first lookup of a process builds OpenSSL's
//! name map, about 3 million instructions, most of what a one-token run does. clippy.toml refuses
//! the one-shots.

use openssl::sha::{Sha1, Sha256};

/// SHA-1 of `data` (thumbprints, never signatures).
pub fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h = Sha1::new();
    h.update(data);
    h.finish()
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(data);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        // FIPS 180-2 appendix examples ("abc").
        assert_eq!(
            hex::encode(sha1(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex::encode(sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
