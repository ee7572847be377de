//! Fetching metadata, key sets and certificates over HTTP(S), bounded in time, size and
//! redirects, with every document kept in a cache so a diagnosis can be replayed `--offline`.
//! Only documents the user names are fetched: never the input itself, never `jku`/`x5u`.

mod cache;

use std::io::Read;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use openssl::error::ErrorStack;
use ureq::tls::{Certificate as TlsCertificate, RootCerts, TlsConfig, TlsProvider};

pub(crate) use crate::fetched::Fetched;
pub(crate) use cache::{Cache, NotPrivate, Replay, ReplayParseError};

/// Largest document accepted from the network.
pub(crate) const MAX_FETCH_BYTES: u64 = 4 * 1024 * 1024;
/// Default bound on one fetch, connection to last byte (`--timeout`).
pub(crate) const DEFAULT_TIMEOUT_SECS: u64 = 20;
const MAX_REDIRECTS: u32 = 5;

/// Why a document could not be had: always exit code 2, with a one-line reason.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum FetchError {
    #[error("--cacert '{}': {source}", path.display())]
    CacertUnreadable {
        path: PathBuf,
        source: Arc<std::io::Error>,
    },
    #[error("--cacert '{}' is not PEM certificates: {source}", path.display())]
    CacertNotPem { path: PathBuf, source: ErrorStack },
    #[error("--cacert '{}' holds no certificate", path.display())]
    CacertEmpty { path: PathBuf },
    /// A `--cacert` certificate OpenSSL cannot re-encode.
    #[error("{0}")]
    Anchor(ErrorStack),
    /// `--replay` and no cached copy of the URL has that sha256 or was fetched by that time.
    #[error("--replay {asked}: no cached copy of {url} has that sha256 or was fetched by then ({}); cached: {}", cache_dir.display(), if available.is_empty() { "nothing".to_string() } else { available.join(", ") })]
    ReplayNotCached {
        url: String,
        asked: String,
        cache_dir: PathBuf,
        available: Vec<String>,
    },
    /// `--replay SHA256` and no cached document has that sha256.
    #[error("--replay {asked}: no document in the cache ({}) has that sha256; the report that listed it was made with another cache, or the copy was removed", cache_dir.display())]
    ReplayUnknown { asked: String, cache_dir: PathBuf },
    /// A URL with a credential in its query or fragment (`code=`, `id_token=`, `SAMLResponse=`, any
    /// case): fetching it would hand the credential to its host or replay a sign-in.
    #[error("{url}: carries a credential ({param}) in its query or fragment, so it is not fetched; give it as the input to inspect, where it is decoded")]
    CarriesCredential { url: String, param: String },
    /// `--offline` and the URL was never fetched into this cache.
    #[error("--offline: {url} is not in the cache ({}); run once without --offline to fetch it", cache_dir.display())]
    NotCached { url: String, cache_dir: PathBuf },
    /// The server answered, but not 200; `body_hint` says what the body looks like.
    #[error("{url} answered HTTP {status}{body_hint}")]
    Status {
        url: String,
        status: u16,
        body_hint: String,
    },
    #[error("{url}: reading the body failed: {source}")]
    Body {
        url: String,
        source: Arc<std::io::Error>,
    },
    /// Larger than [`MAX_FETCH_BYTES`].
    #[error("{url}: the body is larger than the {limit} byte limit")]
    TooLarge { url: String, limit: u64 },
    /// No answer at all.
    #[error("cannot fetch {url}: {failure}")]
    Unreachable { url: String, failure: Unreachable },
    #[error("cannot create the cache {}: {source}", dir.display())]
    CacheCreate {
        dir: PathBuf,
        source: Arc<std::io::Error>,
    },
    /// The cache would be in the shared temporary directory (no `HOME`) and that directory is
    /// not the user's own: what it holds could have been planted there.
    #[error("the cache {} is not trusted: {problem}; set HOME, XDG_CACHE_HOME or KEYPROBE_CACHE, or pass --cache-dir", dir.display())]
    CacheNotPrivate { dir: PathBuf, problem: NotPrivate },
    #[error("cannot write the cache entry {}: {source}", path.display())]
    CacheWrite {
        path: PathBuf,
        source: Arc<std::io::Error>,
    },
}

/// Why a server gave no answer.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum Unreachable {
    #[error("the host name does not resolve (DNS)")]
    HostNotFound,
    #[error("timed out ({0})")]
    Timeout(String),
    #[error("more than {limit} redirects")]
    TooManyRedirects { limit: u32 },
    #[error("a redirect could not be followed")]
    RedirectFailed,
    #[error("the body is larger than the {limit} byte limit")]
    BodyExceedsLimit { limit: u64 },
    #[error("connection failed: {0}")]
    Connection(Arc<std::io::Error>),
    /// The TLS handshake failed, in the TLS stack's words.
    #[error("TLS failed: {0} (trust a private CA with --cacert FILE or SSL_CERT_FILE)")]
    Tls(String),
    /// Anything else, in the HTTP client's words.
    #[error("{0}")]
    Other(String),
}

#[derive(Debug, Clone)]
pub(crate) struct FetchOptions {
    pub offline: bool,
    /// With `offline`: which cached copy to replay (`--replay`); the latest when `None`.
    pub replay: Option<Replay>,
    /// Extra trust anchors for HTTPS (`--cacert`), PEM.
    pub cacert: Vec<PathBuf>,
    pub cache_dir: Option<PathBuf>,
    /// Bound on one fetch, connection to last byte.
    pub timeout: Duration,
}

pub(crate) struct Fetcher {
    /// Built on the first fetch: most runs fetch nothing, and TLS set-up costs start-up time.
    agent: std::sync::OnceLock<Result<ureq::Agent, FetchError>>,
    cacert: Vec<PathBuf>,
    timeout: Duration,
    cache: Cache,
    offline: bool,
    replay: Option<Replay>,
    /// When each URL's replayed copy was fetched: later copies are not its history.
    replayed_at: Mutex<Vec<(String, i64)>>,
}

impl Fetcher {
    pub(crate) fn new(options: &FetchOptions) -> Result<Fetcher, FetchError> {
        let cache = Cache::open(options.cache_dir.clone())?;
        let mut replay = options.replay.clone();
        if let Some(r) = &mut replay {
            cache.checked_dir()?;
            if !r.resolve(&cache) {
                return Err(FetchError::ReplayUnknown {
                    asked: r.asked.clone(),
                    cache_dir: cache.dir().to_path_buf(),
                });
            }
        }
        // Unreadable --cacert files are a usage error now, not at the first fetch.
        for path in &options.cacert {
            std::fs::metadata(path).map_err(|e| FetchError::CacertUnreadable {
                path: path.clone(),
                source: Arc::new(e),
            })?;
        }
        Ok(Fetcher {
            agent: std::sync::OnceLock::new(),
            cacert: options.cacert.clone(),
            timeout: options.timeout,
            cache,
            offline: options.offline || options.replay.is_some(),
            replay,
            replayed_at: Mutex::new(Vec::new()),
        })
    }

    /// Fetches `url` (or, offline, replays its latest cached copy, or the one `--replay` picks).
    pub(crate) fn get(&self, url: &str, now: i64) -> Result<Fetched, FetchError> {
        if let Some(param) = crate::capture::url::credential_param(url) {
            return Err(FetchError::CarriesCredential {
                url: url.to_string(),
                param,
            });
        }
        if self.offline {
            self.cache.checked_dir()?;
        }
        let fetched = match (self.offline, &self.replay) {
            (true, Some(replay)) => {
                let copy =
                    self.cache
                        .select(url, replay)
                        .map_err(|miss| FetchError::ReplayNotCached {
                            url: url.to_string(),
                            asked: replay.asked.clone(),
                            cache_dir: self.cache.dir().to_path_buf(),
                            available: miss.available,
                        })?;
                if let Ok(mut at) = self.replayed_at.lock() {
                    at.push((url.to_string(), copy.fetched_unix));
                }
                copy
            }
            (true, None) => self
                .cache
                .latest(url)?
                .ok_or_else(|| FetchError::NotCached {
                    url: url.to_string(),
                    cache_dir: self.cache.dir().to_path_buf(),
                })?,
            (false, _) => {
                let agent = self
                    .agent
                    .get_or_init(|| agent(&self.cacert, self.timeout))
                    .as_ref()
                    .map_err(Clone::clone)?;
                let (status, body) = fetch(agent, url)?;
                let fetched = Fetched::new(url, now, status, body, false);
                if status == 200 {
                    // A cache that cannot be written loses replay, not the diagnosis.
                    if let Err(e) = self.cache.store(&fetched) {
                        eprintln!("keyprobe: warning: {e}");
                    }
                }
                fetched
            }
        };
        if fetched.status != 200 {
            return Err(FetchError::Status {
                url: url.to_string(),
                status: fetched.status,
                body_hint: body_hint(&fetched.body),
            });
        }
        Ok(fetched)
    }

    /// Earlier cached copies of `url`, oldest first (the one just fetched included); when a
    /// copy was replayed, only the copies up to it, so the replay sees what was known then.
    pub(crate) fn history(&self, url: &str) -> Vec<Fetched> {
        let history = self.cache.history(url).unwrap_or_default();
        let cut = self
            .replayed_at
            .lock()
            .ok()
            .and_then(|at| at.iter().find(|(u, _)| u == url).map(|(_, t)| *t));
        match cut {
            Some(t) => history
                .into_iter()
                .filter(|c| c.fetched_unix <= t)
                .collect(),
            None => history,
        }
    }
}

fn agent(cacert: &[PathBuf], timeout: Duration) -> Result<ureq::Agent, FetchError> {
    let roots = if cacert.is_empty() {
        // OpenSSL's default paths, which honour SSL_CERT_FILE / SSL_CERT_DIR.
        RootCerts::PlatformVerifier
    } else {
        let mut anchors: Vec<TlsCertificate<'static>> = system_roots();
        for path in cacert {
            let pem = std::fs::read(path).map_err(|e| FetchError::CacertUnreadable {
                path: path.clone(),
                source: Arc::new(e),
            })?;
            let certs = openssl::x509::X509::stack_from_pem(&pem).map_err(|source| {
                FetchError::CacertNotPem {
                    path: path.clone(),
                    source,
                }
            })?;
            if certs.is_empty() {
                return Err(FetchError::CacertEmpty { path: path.clone() });
            }
            for c in certs {
                let der = c.to_der().map_err(FetchError::Anchor)?;
                anchors.push(TlsCertificate::from_der(&der).to_owned());
            }
        }
        RootCerts::new_with_certs(&anchors)
    };
    let tls = TlsConfig::builder()
        .provider(TlsProvider::NativeTls)
        .root_certs(roots)
        .build();
    let config = ureq::Agent::config_builder()
        .tls_config(tls)
        .timeout_connect(Some(timeout.min(Duration::from_secs(5))))
        .timeout_global(Some(timeout))
        .max_redirects(MAX_REDIRECTS)
        .http_status_as_error(false)
        .max_response_header_size(64 * 1024)
        .user_agent(concat!("keyprobe/", env!("CARGO_PKG_VERSION")))
        .build();
    Ok(config.into())
}

/// The system bundle (SSL_CERT_FILE, else Debian's), so `--cacert` adds to it rather than replacing it.
fn system_roots() -> Vec<TlsCertificate<'static>> {
    let path = std::env::var_os("SSL_CERT_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/etc/ssl/certs/ca-certificates.crt"));
    let Ok(pem) = std::fs::read(path) else {
        return Vec::new();
    };
    openssl::x509::X509::stack_from_pem(&pem)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| c.to_der().ok())
        .map(|der| TlsCertificate::from_der(&der).to_owned())
        .collect()
}

fn fetch(agent: &ureq::Agent, url: &str) -> Result<(u16, Vec<u8>), FetchError> {
    let response = agent
        .get(url)
        .header("Accept", "application/json, application/xml, */*")
        .call()
        .map_err(|e| describe_error(url, e))?;
    let status = response.status().as_u16();
    let mut body = Vec::new();
    response
        .into_body()
        .into_reader()
        .take(MAX_FETCH_BYTES + 1)
        .read_to_end(&mut body)
        .map_err(|e| FetchError::Body {
            url: url.to_string(),
            source: Arc::new(e),
        })?;
    if body.len() as u64 > MAX_FETCH_BYTES {
        return Err(FetchError::TooLarge {
            url: url.to_string(),
            limit: MAX_FETCH_BYTES,
        });
    }
    Ok((status, body))
}

fn describe_error(url: &str, e: ureq::Error) -> FetchError {
    let failure = match e {
        ureq::Error::HostNotFound => Unreachable::HostNotFound,
        ureq::Error::Timeout(t) => Unreachable::Timeout(t.to_string()),
        ureq::Error::TooManyRedirects => Unreachable::TooManyRedirects {
            limit: MAX_REDIRECTS,
        },
        ureq::Error::RedirectFailed => Unreachable::RedirectFailed,
        ureq::Error::BodyExceedsLimit(n) => Unreachable::BodyExceedsLimit { limit: n },
        ureq::Error::Io(io) => Unreachable::Connection(Arc::new(io)),
        other => {
            // ureq folds TLS failures into its other errors: tell them apart by their words.
            let text = other.to_string();
            if text.to_ascii_lowercase().contains("certificate")
                || text.contains("tls")
                || text.contains("ssl")
            {
                Unreachable::Tls(text)
            } else {
                Unreachable::Other(text)
            }
        }
    };
    FetchError::Unreachable {
        url: url.to_string(),
        failure,
    }
}

/// What a body looks like, for errors: `: an HTML page ("<!DOCTYPE html>…")`.
pub(crate) fn body_hint(body: &[u8]) -> String {
    if body.starts_with(&[0x1f, 0x8b]) {
        return format!(
            ": gzip-compressed data ({} bytes), which keyprobe does not inflate",
            body.len()
        );
    }
    let head = &body[..body.len().min(80)];
    if head.iter().any(|b| *b < 0x09 || (0x0e..0x20).contains(b)) {
        return format!(": binary data ({} bytes)", body.len());
    }
    let text = String::from_utf8_lossy(head).replace(['\r', '\n'], " ");
    if text.trim().is_empty() {
        return String::new();
    }
    let lower = text.trim_start().to_ascii_lowercase();
    let what = if lower.starts_with("<!doctype html") || lower.contains("<html") {
        "an HTML page"
    } else {
        "a body"
    };
    format!(": {what} (\"{}…\")", text.trim())
}
