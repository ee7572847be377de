//! Building the trusted key store from what the user names: files, URLs (fetched through the
//! cache) or text handed over directly (the local page). Shared by `inspect` and `serve`.

use crate::fetch::Fetcher;
use crate::trust::{read_source, TrustStore};

/// Where one key source is: a path or `http(s)://` URL, or its content itself.
#[derive(Debug, Clone)]
pub enum SourceRef {
    Location(String),
    Inline { label: String, bytes: Vec<u8> },
}

/// Every key source of one run, by role (SPEC: `--metadata`, `--jwks`, `--cert`, `--key`).
#[derive(Debug, Clone, Default)]
pub struct KeySources {
    pub metadata: Option<SourceRef>,
    pub jwks: Vec<SourceRef>,
    pub cert: Vec<SourceRef>,
    pub key: Vec<SourceRef>,
}

/// Reads a key source: a file, a URL through the fetcher (kept in the cache), or inline text.
/// Returns its label and bytes.
fn load(
    source: &SourceRef,
    flag: &str,
    fetcher: &Fetcher,
    trust: &mut TrustStore,
) -> Result<(String, Vec<u8>), String> {
    let src = match source {
        SourceRef::Inline { label, bytes } => return Ok((label.clone(), bytes.clone())),
        SourceRef::Location(src) => src,
    };
    if src.starts_with("http://") || src.starts_with("https://") {
        let fetched = fetcher
            .get(src, wall_clock())
            .map_err(|e| format!("{flag}: {e}"))?;
        let body = fetched.body.clone();
        trust.fetched.push(fetched);
        Ok((src.clone(), body))
    } else {
        read_source(src)
            .map(|b| (src.clone(), b))
            .map_err(|e| format!("{flag}: {e}"))
    }
}

fn wall_clock() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub fn build_trust(sources: &KeySources, fetcher: &Fetcher) -> Result<TrustStore, String> {
    let mut trust = TrustStore::default();
    let mut oidc_metadata = None;
    if let Some(source) = &sources.metadata {
        let (src, bytes) = load(source, "--metadata", fetcher, &mut trust)?;
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<') {
            // SAML metadata: its identity-provider signing certificates are the trusted keys.
            trust
                .add_saml_metadata(&src, &bytes)
                .map_err(|e| format!("--metadata: {e}"))?;
        } else {
            oidc_metadata = Some((src, bytes));
        }
    }
    if let Some((src, bytes)) = oidc_metadata {
        let object = crate::codec::json::parse_object(&bytes).map_err(|e| {
            format!(
                "--metadata '{src}' is not an OIDC discovery document: {e}{}",
                crate::fetch::body_hint(&bytes)
            )
        })?;
        if crate::detect::classify_json(&object) != crate::detect::Kind::OidcDiscovery {
            return Err(format!("--metadata '{src}' is JSON but not an OIDC discovery document (no issuer/jwks_uri)"));
        }
        let jwks_uri = object
            .get("jwks_uri")
            .and_then(|v| v.as_str())
            .map(str::to_string);
        trust.add_discovery(&src, object);
        if src.starts_with("http") {
            trust.discovery_url = Some(src.clone());
        }
        // --jwks, when given, is the key set; the document then contributes issuer and checks.
        if sources.jwks.is_empty() {
            let uri = jwks_uri.ok_or_else(|| {
                format!("--metadata '{src}' has no jwks_uri; pass the key set with --jwks")
            })?;
            if !(uri.starts_with("https://") || uri.starts_with("http://")) {
                return Err(format!(
                    "--metadata '{src}': jwks_uri '{uri}' is not an http(s) URL"
                ));
            }
            let (_, keys) = load(
                &SourceRef::Location(uri.clone()),
                "jwks_uri",
                fetcher,
                &mut trust,
            )?;
            trust
                .add_jwks_document(&uri, &keys)
                .map_err(|e| format!("jwks_uri: {e}{}", crate::fetch::body_hint(&keys)))?;
            let history = fetcher.history(&uri);
            trust.note_rotation(&uri, &keys, &history);
        }
    }
    for source in &sources.jwks {
        let (src, bytes) = load(source, "--jwks", fetcher, &mut trust)?;
        let src = &src;
        trust
            .add_jwks_document(src, &bytes)
            .map_err(|e| format!("--jwks: {e}{}", crate::fetch::body_hint(&bytes)))?;
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
            .map_err(|e| format!("--cert: {e}"))?;
    }
    for source in &sources.key {
        let (src, bytes) = load(source, "--key", fetcher, &mut trust)?;
        let src = &src;
        trust
            .add_key_file(src, &bytes)
            .map_err(|e| format!("--key: {e}"))?;
    }
    Ok(trust)
}
