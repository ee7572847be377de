//! The fetch cache: one JSON file per successful fetch, named by the URL's hash and the time, so
//! `--offline` replays the latest copy and earlier copies show key rotation.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use openssl::sha::sha256;
use serde_json::{json, Value};

use super::{FetchError, Fetched};
use crate::codec::base64;

pub struct Cache {
    dir: PathBuf,
}

/// Most cached copies read back for one URL.
const MAX_HISTORY: usize = 20;

impl Cache {
    /// `dir`, or `$KEYPROBE_CACHE`, `$XDG_CACHE_HOME/keyprobe`, `~/.cache/keyprobe`.
    pub fn open(dir: Option<PathBuf>) -> Result<Cache, FetchError> {
        let dir = dir
            .or_else(|| std::env::var_os("KEYPROBE_CACHE").map(PathBuf::from))
            .or_else(|| {
                std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("keyprobe"))
            })
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/keyprobe")))
            .unwrap_or_else(|| std::env::temp_dir().join("keyprobe-cache"));
        Ok(Cache { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn url_key(url: &str) -> String {
        hex::encode(&sha256(url.as_bytes())[..12])
    }

    pub fn store(&self, f: &Fetched) -> Result<(), FetchError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| FetchError::CacheCreate {
            dir: self.dir.clone(),
            source: Arc::new(e),
        })?;
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

    /// Cached copies of `url`, oldest first.
    pub fn history(&self, url: &str) -> Result<Vec<Fetched>, FetchError> {
        let prefix = format!("{}-", Self::url_key(url));
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Ok(Vec::new());
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
        let skip = names.len().saturating_sub(MAX_HISTORY);
        Ok(names
            .into_iter()
            .skip(skip)
            .filter_map(|p| read_entry(&p, url))
            .collect())
    }

    pub fn latest(&self, url: &str) -> Result<Option<Fetched>, FetchError> {
        Ok(self.history(url)?.pop())
    }
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
