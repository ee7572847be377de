//! One fetched document's record: what the fetcher returns, what the cache keeps, what the trust
//! store reads key rotation from, and what a report lists under `fetched`. It lives apart from
//! `fetch` so that reports name what was fetched without depending on how.

use keyprobe_core::digest::sha256;
use serde::Serialize;

use crate::clock::rfc3339;

/// One document as fetched (or replayed from the cache).
#[derive(Debug, Clone, Serialize)]
pub struct Fetched {
    pub url: String,
    /// Unix seconds of the fetch.
    #[serde(skip)]
    pub fetched_unix: i64,
    pub fetched_at: String,
    pub status: u16,
    pub sha256: String,
    pub bytes: usize,
    pub from_cache: bool,
    #[serde(skip)]
    pub body: Vec<u8>,
}

impl Fetched {
    pub(crate) fn new(
        url: &str,
        fetched_unix: i64,
        status: u16,
        body: Vec<u8>,
        from_cache: bool,
    ) -> Self {
        Fetched {
            url: url.to_string(),
            fetched_unix,
            fetched_at: rfc3339(fetched_unix),
            status,
            sha256: hex::encode(sha256(&body)),
            bytes: body.len(),
            from_cache,
            body,
        }
    }
}
