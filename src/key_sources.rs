//! Building the trusted key store from what the user names: files, URLs (fetched through the
//! cache) or text handed over directly (the local page). Shared by `inspect` and `serve`.

use crate::fetch::{body_hint, FetchError, Fetcher};
use crate::trust::{read_source, LoadError, TrustStore};

/// Where one key source is: a path or `http(s)://` URL, or its content itself.
#[derive(Debug, Clone)]
pub(crate) enum SourceRef {
    Location(String),
    Inline { label: String, bytes: Vec<u8> },
}

/// Every key source of one run, by role (SPEC: `--metadata`, `--jwks`, `--cert`, `--key`).
#[derive(Debug, Clone, Default)]
pub(crate) struct KeySources {
    pub metadata: Option<SourceRef>,
    pub jwks: Vec<SourceRef>,
    pub cert: Vec<SourceRef>,
    pub key: Vec<SourceRef>,
}

/// Why the trusted keys could not be built: the flag (or `jwks_uri`) at fault and what was
/// wrong with its source. Exit code 2.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum KeySourceError {
    #[error("{flag}: {source}")]
    Fetch {
        flag: &'static str,
        source: Box<FetchError>,
    },
    /// The source was read but is not what the flag expects. `body_hint` says what the bytes
    /// look like when they came from a URL that may have answered with an HTML page.
    #[error("{flag}: {source}{body_hint}")]
    Load {
        flag: &'static str,
        source: Box<LoadError>,
        body_hint: String,
    },
    /// `--metadata` JSON that does not parse.
    #[error("--metadata '{src}' is not an OIDC discovery document: {problem}{body_hint}")]
    DiscoveryNotJson {
        src: String,
        problem: crate::codec::json::JsonError,
        body_hint: String,
    },
    #[error("--metadata '{src}' is JSON but not an OIDC discovery document (no issuer/jwks_uri)")]
    NotDiscovery { src: String },
    #[error("--metadata '{src}' has no jwks_uri; pass the key set with --jwks")]
    NoJwksUri { src: String },
    #[error("--metadata '{src}': jwks_uri '{uri}' is not an http(s) URL")]
    JwksUriNotHttp { src: String, uri: String },
}

/// Reads a key source: a file, a URL through the fetcher (kept in the cache), or inline text.
/// Returns its label and bytes.
fn load(
    source: &SourceRef,
    flag: &'static str,
    fetcher: &Fetcher,
    trust: &mut TrustStore,
) -> Result<(String, Vec<u8>), KeySourceError> {
    let src = match source {
        SourceRef::Inline { label, bytes } => return Ok((label.clone(), bytes.clone())),
        SourceRef::Location(src) => src,
    };
    if src.starts_with("http://") || src.starts_with("https://") {
        let fetched = fetcher
            .get(src, wall_clock())
            .map_err(|source| KeySourceError::Fetch {
                flag,
                source: Box::new(source),
            })?;
        let body = fetched.body.clone();
        trust.fetched.push(fetched);
        Ok((src.clone(), body))
    } else {
        read_source(src)
            .map(|b| (src.clone(), b))
            .map_err(|source| KeySourceError::Load {
                flag,
                source: Box::new(source),
                body_hint: String::new(),
            })
    }
}

/// A [`LoadError`] for `flag`, with what the bytes look like when `hint_from` is given.
fn loading<'b>(
    flag: &'static str,
    hint_from: Option<&'b [u8]>,
) -> impl Fn(LoadError) -> KeySourceError + 'b {
    move |source| KeySourceError::Load {
        flag,
        source: Box::new(source),
        body_hint: hint_from.map(body_hint).unwrap_or_default(),
    }
}

fn wall_clock() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Loads every key source, in the order the flags name them: `--metadata` (and the key set its
/// `jwks_uri` names), `--jwks`, `--cert`, `--key`.
pub(crate) fn build_trust(
    sources: &KeySources,
    fetcher: &Fetcher,
) -> Result<TrustStore, KeySourceError> {
    let mut trust = TrustStore::default();
    if let Some(source) = &sources.metadata {
        let (src, bytes) = load(source, "--metadata", fetcher, &mut trust)?;
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<') {
            // SAML metadata: its identity-provider signing certificates are the trusted keys.
            trust
                .add_saml_metadata(&src, &bytes)
                .map_err(loading("--metadata", None))?;
        } else {
            // --jwks, when given, is the key set; the document then contributes issuer and checks.
            let follow_jwks_uri = sources.jwks.is_empty();
            add_discovery(&mut trust, src, &bytes, follow_jwks_uri, fetcher)?;
        }
    }
    for source in &sources.jwks {
        let (src, bytes) = load(source, "--jwks", fetcher, &mut trust)?;
        let src = &src;
        trust
            .add_jwks_document(src, &bytes)
            .map_err(loading("--jwks", Some(&bytes)))?;
        if src.starts_with("http") {
            let history = fetcher.history(src);
            trust.note_rotation(src, &bytes, &history);
        }
    }
    for source in &sources.cert {
        let (src, bytes) = load(source, "--cert", fetcher, &mut trust)?;
        let src = &src;
        trust
            .add_certificates(src, &bytes)
            .map_err(loading("--cert", None))?;
    }
    for source in &sources.key {
        let (src, bytes) = load(source, "--key", fetcher, &mut trust)?;
        let src = &src;
        trust
            .add_key_file(src, &bytes)
            .map_err(loading("--key", None))?;
    }
    Ok(trust)
}

/// An OIDC discovery document: its issuer and, unless `--jwks` names the key set, the key set at
/// its `jwks_uri` (fetched, and compared with earlier fetches for rotation).
fn add_discovery(
    trust: &mut TrustStore,
    src: String,
    bytes: &[u8],
    follow_jwks_uri: bool,
    fetcher: &Fetcher,
) -> Result<(), KeySourceError> {
    let object = crate::codec::json::parse_object(bytes).map_err(|problem| {
        KeySourceError::DiscoveryNotJson {
            src: src.clone(),
            problem,
            body_hint: body_hint(bytes),
        }
    })?;
    if crate::detect::classify_json(&object) != crate::detect::Kind::OidcDiscovery {
        return Err(KeySourceError::NotDiscovery { src });
    }
    let jwks_uri = object
        .get("jwks_uri")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    trust.add_discovery(&src, object);
    if src.starts_with("http") {
        trust.discovery_url = Some(src.clone());
    }
    if !follow_jwks_uri {
        return Ok(());
    }
    let uri = jwks_uri.ok_or_else(|| KeySourceError::NoJwksUri { src: src.clone() })?;
    if !(uri.starts_with("https://") || uri.starts_with("http://")) {
        return Err(KeySourceError::JwksUriNotHttp { src, uri });
    }
    let (_, keys) = load(
        &SourceRef::Location(uri.clone()),
        "jwks_uri",
        fetcher,
        trust,
    )?;
    trust
        .add_jwks_document(&uri, &keys)
        .map_err(loading("jwks_uri", Some(&keys)))?;
    let history = fetcher.history(&uri);
    trust.note_rotation(&uri, &keys, &history);
    Ok(())
}
