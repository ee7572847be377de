//! The fetch cache: one JSON file per successful fetch, named by the URL's hash and the time, so
//! `--offline` replays the latest copy (or the one `--replay` picks: by the sha256 a report
//! listed, or by time) and earlier copies show key rotation.

use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use keyprobe_core::digest::sha256;
use serde_json::{json, Value};

use super::{FetchError, Fetched};
use crate::codec::base64;

pub(crate) struct Cache {
    dir: PathBuf,
    /// The fallback under the shared temporary directory (no `HOME`): anyone may have made it,
    /// so it is trusted only when it is the user's own and private (checked before every use).
    shared_parent: bool,
}

/// Most cached copies read back for one URL.
const MAX_HISTORY: usize = 20;
/// Most cached copies of one URL looked through for `--replay`.
const MAX_REPLAY_SCAN: usize = 10_000;
/// Fewest hex digits of a sha256 that pick a copy (as a report lists it, or shortened).
pub(super) const MIN_SHA256_PREFIX: usize = 8;

/// Which cached copy `--replay` asks for. A text can be read both ways (all-digit text is a
/// Unix time and maybe a sha256 prefix): a copy with that sha256 wins, else the time decides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Replay {
    /// Lower-case hex, at least [`MIN_SHA256_PREFIX`] digits.
    pub sha256_prefix: Option<String>,
    /// The cached copy the prefix names, once looked up ([`Replay::resolve`]).
    pub anchor: Option<ReplayAnchor>,
    /// Unix seconds: the latest copy fetched at or before it.
    pub at_or_before: Option<i64>,
    /// As typed, for messages.
    pub asked: String,
}

/// `--replay` names neither a sha256 nor a time.
#[derive(Debug, Clone, thiserror::Error)]
#[error("--replay '{asked}': give the sha256 a report listed ({MIN_SHA256_PREFIX} or more hex digits) or a time (RFC 3339 or Unix seconds)")]
pub(crate) struct ReplayParseError {
    pub asked: String,
}

impl Replay {
    pub(crate) fn parse(text: &str) -> Result<Replay, ReplayParseError> {
        let asked = text.trim();
        let hex = asked
            .strip_prefix("sha256:")
            .unwrap_or(asked)
            .to_ascii_lowercase();
        let sha256_prefix = (hex.len() >= MIN_SHA256_PREFIX
            && hex.len() <= 64
            && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then_some(hex);
        let at_or_before = crate::clock::Clock::parse_instant(asked).ok();
        if sha256_prefix.is_none() && at_or_before.is_none() {
            return Err(ReplayParseError {
                asked: asked.to_string(),
            });
        }
        Ok(Replay {
            sha256_prefix,
            anchor: None,
            at_or_before,
            asked: asked.to_string(),
        })
    }

    /// Looks the sha256 up in the cache. `false` when the text can only be a sha256 and no
    /// cached copy has it.
    pub(crate) fn resolve(&mut self, cache: &Cache) -> bool {
        self.anchor = self
            .sha256_prefix
            .as_deref()
            .and_then(|p| cache.find_sha256(p));
        self.anchor.is_some() || self.at_or_before.is_some()
    }
}

/// A cached copy picked by its sha256: the other URLs of its run are replayed as of its time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReplayAnchor {
    pub url: String,
    pub sha256: String,
    pub fetched_unix: i64,
}

impl Cache {
    /// `dir`, or `$KEYPROBE_CACHE`, `$XDG_CACHE_HOME/keyprobe`, `~/.cache/keyprobe`; without any
    /// of them, `keyprobe-cache-UID` under the temporary directory, used only while it is the
    /// user's own and private (what `--offline` replays from it is trusted like a fetch).
    pub(crate) fn open(dir: Option<PathBuf>) -> Result<Cache, FetchError> {
        let chosen = dir
            .or_else(|| std::env::var_os("KEYPROBE_CACHE").map(PathBuf::from))
            .or_else(|| {
                std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("keyprobe"))
            })
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/keyprobe")));
        Ok(match chosen {
            Some(dir) => Cache {
                dir,
                shared_parent: false,
            },
            None => Cache {
                dir: std::env::temp_dir().join(format!("keyprobe-cache-{}", user_id())),
                shared_parent: true,
            },
        })
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The directory, once it is safe to read from: in the shared temporary directory, it must be
    /// a real directory (not a link), owned by this user, that no one else may write or read.
    /// A directory that does not exist yet is safe: there is nothing in it.
    pub(crate) fn checked_dir(&self) -> Result<&Path, FetchError> {
        if !self.shared_parent {
            return Ok(&self.dir);
        }
        let meta = match std::fs::symlink_metadata(&self.dir) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(&self.dir),
            Err(e) => {
                return Err(FetchError::CacheCreate {
                    dir: self.dir.clone(),
                    source: Arc::new(e),
                })
            }
        };
        let problem = if meta.file_type().is_symlink() {
            Some(NotPrivate::Link)
        } else if !meta.is_dir() {
            Some(NotPrivate::NotADirectory)
        } else if meta.uid() != user_id() {
            Some(NotPrivate::Owner {
                owner: meta.uid(),
                user: user_id(),
            })
        } else if meta.mode() & 0o077 != 0 {
            Some(NotPrivate::Mode {
                mode: meta.mode() & 0o777,
            })
        } else {
            None
        };
        match problem {
            None => Ok(&self.dir),
            Some(problem) => Err(FetchError::CacheNotPrivate {
                dir: self.dir.clone(),
                problem,
            }),
        }
    }

    fn url_key(url: &str) -> String {
        hex::encode(&sha256(url.as_bytes())[..12])
    }

    pub(crate) fn store(&self, f: &Fetched) -> Result<(), FetchError> {
        // Private from the start: what is cached here is replayed as trusted keys.
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)
            .map_err(|e| FetchError::CacheCreate {
                dir: self.dir.clone(),
                source: Arc::new(e),
            })?;
        self.checked_dir()?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "{}-{:012}-{:09}.json",
            Self::url_key(&f.url),
            f.fetched_unix.max(0),
            nanos
        );
        let record = json!({
            "url": f.url,
            "fetched_at": f.fetched_at,
            "fetched_unix": f.fetched_unix,
            "status": f.status,
            "sha256": f.sha256,
            "body_base64": base64::encode_standard(&f.body),
        });
        let path = self.dir.join(name);
        std::fs::write(
            &path,
            serde_json::to_vec_pretty(&record).unwrap_or_default(),
        )
        .map_err(|e| FetchError::CacheWrite {
            path: path.clone(),
            source: Arc::new(e),
        })
    }

    /// The cache files of `url`, oldest first (names start with the URL's hash, then the time).
    /// Nothing from a directory that is not safe to read ([`Cache::checked_dir`]).
    fn entries(&self, url: &str) -> Vec<PathBuf> {
        let prefix = format!("{}-", Self::url_key(url));
        let Ok(dir) = self.checked_dir() else {
            return Vec::new();
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut names: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".json"))
            })
            .collect();
        names.sort();
        names
    }

    /// Cached copies of `url`, oldest first.
    pub(crate) fn history(&self, url: &str) -> Result<Vec<Fetched>, FetchError> {
        self.checked_dir()?;
        let names = self.entries(url);
        let skip = names.len().saturating_sub(MAX_HISTORY);
        Ok(names
            .into_iter()
            .skip(skip)
            .filter_map(|p| read_entry(&p, url))
            .collect())
    }

    pub(crate) fn latest(&self, url: &str) -> Result<Option<Fetched>, FetchError> {
        Ok(self.history(url)?.pop())
    }

    /// The copy of `url` that `replay` picks: the copy with the sha256 when it is one of this
    /// URL's; for the other URLs of the same run, the latest fetched at or before that copy (the
    /// discovery document beside its key set); else the latest at or before the time given.
    pub(crate) fn select(&self, url: &str, replay: &Replay) -> Result<Fetched, ReplayMiss> {
        let names = self.entries(url);
        let skip = names.len().saturating_sub(MAX_REPLAY_SCAN);
        let copies: Vec<Fetched> = names
            .into_iter()
            .skip(skip)
            .filter_map(|p| read_entry(&p, url))
            .collect();
        let found = match (&replay.anchor, replay.at_or_before) {
            (Some(anchor), _) if anchor.url == url => {
                copies.iter().find(|c| c.sha256 == anchor.sha256)
            }
            (Some(anchor), _) => copies
                .iter()
                .rev()
                .find(|c| c.fetched_unix <= anchor.fetched_unix),
            (None, Some(t)) => copies.iter().rev().find(|c| c.fetched_unix <= t),
            (None, None) => None,
        };
        found.cloned().ok_or_else(|| ReplayMiss {
            available: copies
                .iter()
                .rev()
                .take(10)
                .map(|c| {
                    format!(
                        "{} sha256 {}",
                        c.fetched_at,
                        &c.sha256[..c.sha256.len().min(12)]
                    )
                })
                .collect(),
        })
    }

    /// The cached copy, of any URL, whose sha256 starts with `prefix`.
    pub(crate) fn find_sha256(&self, prefix: &str) -> Option<ReplayAnchor> {
        let entries = std::fs::read_dir(self.checked_dir().ok()?).ok()?;
        entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .take(MAX_REPLAY_SCAN)
            .find_map(|p| {
                let v: Value = serde_json::from_slice(&std::fs::read(&p).ok()?).ok()?;
                let sha256 = v["sha256"].as_str()?;
                if !sha256.starts_with(prefix) {
                    return None;
                }
                Some(ReplayAnchor {
                    url: v["url"].as_str()?.to_string(),
                    sha256: sha256.to_string(),
                    fetched_unix: v["fetched_unix"].as_i64()?,
                })
            })
    }
}

/// The effective user id, to tell the user's own cache directory from one planted by another.
fn user_id() -> u32 {
    rustix::process::geteuid().as_raw()
}

/// Why the cache directory under the shared temporary directory is not trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum NotPrivate {
    #[error("it is a symbolic link")]
    Link,
    #[error("it is not a directory")]
    NotADirectory,
    #[error("it belongs to user {owner}, not to you (user {user})")]
    Owner { owner: u32, user: u32 },
    #[error("others may read or write it (mode {mode:o}, needs 700)")]
    Mode { mode: u32 },
}

/// No cached copy fits `--replay`: the latest copies there are (time and sha256), newest first.
#[derive(Debug, Clone)]
pub(crate) struct ReplayMiss {
    pub available: Vec<String>,
}

fn read_entry(path: &Path, url: &str) -> Option<Fetched> {
    let v: Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    if v["url"].as_str()? != url {
        return None;
    }
    let body = base64::decode_standard(v["body_base64"].as_str()?).ok()?;
    let mut f = Fetched::new(
        url,
        v["fetched_unix"].as_i64()?,
        u16::try_from(v["status"].as_u64()?).ok()?,
        body,
        true,
    );
    f.fetched_at = v["fetched_at"]
        .as_str()
        .map(str::to_string)
        .unwrap_or(f.fetched_at);
    Some(f)
}
