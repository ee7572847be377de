//! Discovery documents, key sets and federation metadata, kept as the bytes last sent: clients fetch them
//! far more often than anything in them changes, and making them (JSON of several certificates, an XML
//! signature) costs more than the HTTP exchange around them.
//!
//! A kept document is served again only while nothing it was made from has changed. Every change goes
//! through one of three gates, each checked on every request:
//!
//! - the state generation, bumped by [`AppState`](crate::state::AppState) on each scenario change (server-wide
//!   or per tenant) and each key rotation;
//! - the SAML key-store generation, bumped on each certificate added, activated or removed, and each time a
//!   scenario's certificates are applied to an app;
//! - the clock: a document whose content depends on the time (a SAML app's metadata names the certificate
//!   Entra signs with, which changes when one expires or becomes valid) carries the first instant at which it
//!   could read differently, and is made afresh from then on.
//!
//! Keys are a tenant segment as resolved (a tenant's GUID or a multi-tenant alias) and a registered app, so
//! the number of documents kept is bounded by the configuration, whatever clients ask for.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::body::Bytes;
use time::OffsetDateTime;

/// Which document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Endpoint {
    DiscoveryV2,
    DiscoveryV1,
    Keys,
    FederationMetadata,
}

/// A document as the cache knows it: the endpoint, the tenant segment as resolved, and the registered app
/// (client id as configured) it was asked for, if any.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct DocumentKey {
    pub(crate) endpoint: Endpoint,
    pub(crate) segment: String,
    pub(crate) app: Option<String>,
}

/// A counter bumped by every change a kept document may depend on.
#[derive(Debug, Default)]
pub(crate) struct Generation(AtomicU64);

impl Generation {
    pub(crate) fn bump(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }

    pub(crate) fn get(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }
}

/// The generations a document was made under. Read before making it: a change made while it is being
/// made leaves it stale at once rather than kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    pub(crate) state: u64,
    pub(crate) saml: u64,
}

/// A document just made.
pub(crate) struct Made {
    pub(crate) body: Bytes,
    /// The first instant at which the same state could give a different document (none: only a state
    /// change can).
    pub(crate) changes_at: Option<OffsetDateTime>,
}

impl Made {
    pub(crate) fn timeless(body: impl Into<Bytes>) -> Self {
        Self {
            body: body.into(),
            changes_at: None,
        }
    }
}

struct Entry {
    stamp: Stamp,
    changes_at: Option<OffsetDateTime>,
    body: Bytes,
}

impl Entry {
    fn serves(&self, stamp: Stamp, at: OffsetDateTime) -> bool {
        self.stamp == stamp && self.changes_at.is_none_or(|changes| at < changes)
    }
}

#[derive(Default)]
pub(crate) struct MetadataCache {
    entries: RwLock<HashMap<DocumentKey, Entry>>,
}

impl MetadataCache {
    /// The kept document if `stamp` and `at` still allow it, else the one `make` makes (kept for next time).
    pub(crate) fn get_or_make<E>(
        &self,
        key: DocumentKey,
        stamp: Stamp,
        at: OffsetDateTime,
        make: impl FnOnce() -> Result<Made, E>,
    ) -> Result<Bytes, E> {
        if let Some(entry) = self.read().get(&key).filter(|e| e.serves(stamp, at)) {
            return Ok(entry.body.clone());
        }
        let made = make()?;
        self.write().insert(
            key,
            Entry {
                stamp,
                changes_at: made.changes_at,
                body: made.body.clone(),
            },
        );
        Ok(made.body)
    }

    fn read(&self) -> RwLockReadGuard<'_, HashMap<DocumentKey, Entry>> {
        // A panic elsewhere leaves the map whole (entries are inserted in one step).
        self.entries
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, HashMap<DocumentKey, Entry>> {
        self.entries
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use time::Duration;

    fn key() -> DocumentKey {
        DocumentKey {
            endpoint: Endpoint::Keys,
            segment: "common".into(),
            app: None,
        }
    }

    /// Serves through the cache, counting how often the document is made.
    fn serve(
        cache: &MetadataCache,
        stamp: Stamp,
        at: OffsetDateTime,
        changes_at: Option<OffsetDateTime>,
        made: &Cell<u32>,
    ) -> Bytes {
        cache
            .get_or_make::<()>(key(), stamp, at, || {
                made.set(made.get() + 1);
                Ok(Made {
                    body: Bytes::from(format!("document {}", made.get())),
                    changes_at,
                })
            })
            .unwrap()
    }

    #[test]
    fn a_kept_document_is_served_until_a_generation_moves() {
        let cache = MetadataCache::default();
        let made = Cell::new(0);
        let at = OffsetDateTime::UNIX_EPOCH;
        let first = Stamp { state: 0, saml: 0 };
        assert_eq!(serve(&cache, first, at, None, &made), "document 1");
        assert_eq!(serve(&cache, first, at, None, &made), "document 1");
        let rotated = Stamp { state: 1, saml: 0 };
        assert_eq!(serve(&cache, rotated, at, None, &made), "document 2");
        let saml_changed = Stamp { state: 1, saml: 1 };
        assert_eq!(serve(&cache, saml_changed, at, None, &made), "document 3");
        assert_eq!(serve(&cache, saml_changed, at, None, &made), "document 3");
    }

    #[test]
    fn a_time_dependent_document_is_made_afresh_from_the_instant_it_may_change() {
        let cache = MetadataCache::default();
        let made = Cell::new(0);
        let stamp = Stamp { state: 0, saml: 0 };
        let t0 = OffsetDateTime::UNIX_EPOCH;
        let expiry = t0 + Duration::hours(1);
        assert_eq!(serve(&cache, stamp, t0, Some(expiry), &made), "document 1");
        let just_before = expiry - Duration::nanoseconds(1);
        assert_eq!(
            serve(&cache, stamp, just_before, Some(expiry), &made),
            "document 1"
        );
        assert_eq!(serve(&cache, stamp, expiry, None, &made), "document 2");
        assert_eq!(
            serve(&cache, stamp, expiry + Duration::days(400), None, &made),
            "document 2"
        );
    }

    #[test]
    fn a_failed_make_keeps_nothing() {
        let cache = MetadataCache::default();
        let stamp = Stamp { state: 0, saml: 0 };
        let at = OffsetDateTime::UNIX_EPOCH;
        assert!(cache
            .get_or_make(key(), stamp, at, || Err::<Made, _>("no signer"))
            .is_err());
        let made = Cell::new(0);
        assert_eq!(serve(&cache, stamp, at, None, &made), "document 1");
    }

    #[test]
    fn the_generation_counts_every_bump() {
        let generation = Generation::default();
        assert_eq!(generation.get(), 0);
        generation.bump();
        generation.bump();
        assert_eq!(generation.get(), 2);
    }
}
