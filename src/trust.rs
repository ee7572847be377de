//! The keys the user trusts (`--jwks`, `--metadata`, `--cert`, `--key`), loaded once and reused for
//! every input. Nothing an input carries ever enters this store.

use std::sync::{Arc, OnceLock};

use openssl::pkey::PKey;
use serde_json::{Map, Value};

use crate::artifact::cert::{parse_pem_bundle, Certificate};
use crate::artifact::jwk::{Jwk, Jwks};
use crate::artifact::DecodeError;
use crate::codec::json;
use crate::crypto::policy::{public_key_weakness, weakness};
use crate::crypto::{Alg, KeyError, VerifyKey};
use crate::detect::{classify_json, Kind};
use crate::limits::MAX_INPUT_BYTES;
use crate::saml::xml::XmlError;

/// Where a trusted key came from, and what else we know about it.
#[derive(Debug, Clone)]
pub enum KeyOrigin {
    Jwk(Box<Jwk>),
    Certificate(Box<Certificate>),
    /// A bare public key or secret (`--key` PEM/DER).
    Bare,
}

#[derive(Debug, Clone)]
pub struct TrustedKey {
    /// The source's label: a path or URL, with the key's position (`keys.json#2`).
    pub source: String,
    pub origin: KeyOrigin,
    pub key: VerifyKey,
    /// The entityID that publishes the key in aggregate SAML metadata: it counts only for
    /// messages and tokens that entity issued ([`TrustStore::for_issuer`]).
    pub entity: Option<String>,
    /// Facts about the key alone, worked out once: a batch names the same key in every report.
    label: String,
    public_weakness: Option<String>,
    /// The key as bergshamra holds it for XML signatures, loaded on first use (a SAML batch checks
    /// every response with the same keys); `None` inside when bergshamra cannot use it. Shared by
    /// clones: aggregate metadata's per-issuer stores ([`TrustStore::for_issuer`]) are made per message.
    xmldsig: Arc<OnceLock<Option<bergshamra_keys::Key>>>,
}

impl TrustedKey {
    pub fn new(source: String, origin: KeyOrigin, key: VerifyKey) -> TrustedKey {
        let mut trusted = TrustedKey {
            source,
            origin,
            public_weakness: public_key_weakness(&key),
            key,
            entity: None,
            label: String::new(),
            xmldsig: Arc::default(),
        };
        trusted.label = trusted.describe();
        trusted
    }

    /// [`crate::saml::dsig::xmldsig_key`] of the key, worked out once.
    pub(crate) fn xmldsig_key(&self) -> Option<&bergshamra_keys::Key> {
        self.xmldsig
            .get_or_init(|| crate::saml::dsig::xmldsig_key(&self.key))
            .as_ref()
    }

    pub fn kid(&self) -> Option<&str> {
        match &self.origin {
            KeyOrigin::Jwk(j) => j.kid.as_deref(),
            _ => None,
        }
    }

    pub fn jwk(&self) -> Option<&Jwk> {
        match &self.origin {
            KeyOrigin::Jwk(j) => Some(j),
            _ => None,
        }
    }

    /// The certificate behind the key: a `--cert`, or the first `x5c` entry of a JWK.
    pub fn certificate(&self) -> Option<&Certificate> {
        match &self.origin {
            KeyOrigin::Certificate(c) => Some(c),
            KeyOrigin::Jwk(j) => j.x5c.first(),
            KeyOrigin::Bare => None,
        }
    }

    /// `kid 'abc' (RSA 2048-bit) from keys.json`.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Why the key is too weak to sign with `alg`, if it is (size, ROCA, HMAC key length).
    pub fn weakness(&self, alg: Alg) -> Option<String> {
        match &self.key {
            VerifyKey::Public(_) => self.public_weakness.clone(),
            VerifyKey::Secret(_) => weakness(alg, &self.key),
        }
    }

    fn describe(&self) -> String {
        let what = self.key.info().describe();
        match (&self.origin, self.kid()) {
            (_, Some(kid)) => format!("kid '{kid}' ({what}) from {}", self.source),
            (KeyOrigin::Certificate(c), None) => format!(
                "certificate '{}' ({what}, SHA-1 {}) from {}",
                c.short_name(),
                c.thumbprints.sha1_hex,
                self.source
            ),
            _ => format!("{what} key from {}", self.source),
        }
    }
}

/// A key source that contributed no usable key, or an entry of one that was skipped.
#[derive(Debug, Clone)]
pub struct Unusable {
    /// Where it came from.
    pub source: String,
    /// Why no key of it could be used.
    pub reason: String,
}

/// Everything the user trusts, plus the facts about the sources themselves.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    /// The keys, each labelled with its source.
    pub keys: Vec<TrustedKey>,
    /// Sources or entries that gave no usable key, and why.
    pub unusable: Vec<Unusable>,
    /// Labels of every source given, in order.
    pub sources: Vec<String>,
    /// The issuer named by `--metadata`, when given.
    pub metadata_issuer: Option<String>,
    /// Aggregate SAML metadata (`EntitiesDescriptor`) given as a key source.
    pub federation: Option<Federation>,
    /// SAML metadata given as a key source: its label and earliest `validUntil` (Unix seconds).
    pub saml_metadata_valid_until: Option<(String, i64)>,
    /// The OpenID discovery document given or fetched, if any.
    pub discovery: Option<Map<String, Value>>,
    /// Where the discovery document came from, when it was fetched.
    pub discovery_url: Option<String>,
    /// Kids published in earlier fetches of a key set but absent from the current one.
    pub retired_kids: Vec<RetiredKid>,
    /// Documents fetched to build this store.
    pub fetched: Vec<crate::fetched::Fetched>,
    /// The key sets as loaded, for key-set level checks (duplicate kid).
    pub key_sets: Vec<(String, Jwks)>,
    /// Key sets fetched from a URL, with what the cache knows of earlier copies.
    pub key_set_fetches: Vec<KeySetFetch>,
}

/// A key set fetched from a URL in this run (or replayed from the cache with `--offline`), and the
/// earlier copies of it the cache keeps: whether a missing kid was ever published there.
#[derive(Debug, Clone)]
pub struct KeySetFetch {
    pub url: String,
    /// When this copy was fetched (RFC 3339).
    pub fetched_at: String,
    /// Replayed from the cache (`--offline`) rather than fetched now.
    pub from_cache: bool,
    /// Copies of this URL in the cache, this one included.
    pub copies: usize,
    /// When the oldest of them was fetched.
    pub first_fetched_at: String,
}

/// Aggregate SAML metadata as a key source: where it came from and its identity providers.
#[derive(Debug, Clone)]
pub struct Federation {
    pub source: String,
    /// The entityIDs of the entities that publish signing keys, in document order.
    pub entities: Vec<String>,
}

/// A kid the issuer published before and no longer does (seen in the fetch cache).
#[derive(Debug, Clone)]
pub struct RetiredKid {
    pub kid: String,
    pub url: String,
    pub last_seen: String,
}

/// Why a key source could not be read or is not what its flag expects: exit code 2.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    #[error("cannot read '{path}': {source}")]
    Unreadable {
        path: String,
        source: std::io::Error,
    },
    /// Larger than [`MAX_INPUT_BYTES`].
    #[error("'{path}' is {bytes} bytes, more than the {limit} byte limit")]
    TooLarge {
        path: String,
        bytes: u64,
        limit: usize,
    },
    /// Expected a JWKS or JWK; the bytes are not a strict JSON object.
    #[error("'{label}' is not a JSON key set: {problem}")]
    NotJson {
        label: String,
        problem: crate::codec::json::JsonError,
    },
    /// JSON, but neither of the two shapes a key set has.
    #[error("'{label}' is JSON but neither a JWKS (\"keys\": […]) nor a JWK (\"kty\")")]
    NotAKeySet { label: String },
    /// A JWKS or JWK whose structure does not decode.
    #[error("'{label}': {problem}")]
    KeySet { label: String, problem: DecodeError },
    /// Expected SAML metadata: XML is UTF-8.
    #[error("'{label}' is not UTF-8 XML")]
    NotUtf8Xml { label: String },
    /// Expected SAML metadata: the XML was refused.
    #[error("'{label}': {problem}")]
    Xml { label: String, problem: XmlError },
    /// XML, but its root is not a metadata element.
    #[error("'{label}' is XML but not SAML metadata (EntityDescriptor or EntitiesDescriptor)")]
    NotSamlMetadata { label: String },
    /// PEM without a readable CERTIFICATE block; `first_problem` is the first block's trouble.
    #[error("'{label}' holds no certificate: {}", .first_problem.as_ref().map_or_else(|| "no CERTIFICATE block".to_string(), ToString::to_string))]
    NoCertificate {
        label: String,
        first_problem: Option<DecodeError>,
    },
    /// DER that is not a certificate.
    #[error("'{label}': {problem}")]
    Certificate { label: String, problem: DecodeError },
    /// `--key` bytes that are no key keyprobe reads.
    #[error("'{label}': {problem}")]
    Key { label: String, problem: KeyError },
}

/// Reads a key source file with the input size bound.
pub(crate) fn read_source(path: &str) -> Result<Vec<u8>, LoadError> {
    let unreadable = |source| LoadError::Unreadable {
        path: path.to_string(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if meta.len() > MAX_INPUT_BYTES as u64 {
        return Err(LoadError::TooLarge {
            path: path.to_string(),
            bytes: meta.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    std::fs::read(path).map_err(unreadable)
}

impl TrustStore {
    /// No key source was given at all.
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// Adds a JWKS (or a single JWK) document.
    pub fn add_jwks_document(&mut self, label: &str, bytes: &[u8]) -> Result<(), LoadError> {
        let object = json::parse_object(bytes).map_err(|problem| LoadError::NotJson {
            label: label.to_string(),
            problem,
        })?;
        self.sources.push(label.to_string());
        match classify_json(&object) {
            Kind::Jwks => {
                let set = Jwks::from_object(&object).map_err(|problem| LoadError::KeySet {
                    label: label.to_string(),
                    problem,
                })?;
                for (i, e) in &set.rejected {
                    self.unusable.push(Unusable {
                        source: format!("{label}#{i}"),
                        reason: e.to_string(),
                    });
                }
                for (i, jwk) in set.keys.iter().enumerate() {
                    self.add_jwk(&format!("{label}#{i}"), jwk.clone());
                }
                self.key_sets.push((label.to_string(), set));
                Ok(())
            }
            Kind::Jwk => {
                let jwk = Jwk::from_object(&object).map_err(|problem| LoadError::KeySet {
                    label: label.to_string(),
                    problem,
                })?;
                self.add_jwk(label, jwk);
                Ok(())
            }
            _ => Err(LoadError::NotAKeySet {
                label: label.to_string(),
            }),
        }
    }

    fn add_jwk(&mut self, label: &str, jwk: Jwk) {
        match jwk.key.clone() {
            Ok(key) => self.keys.push(TrustedKey::new(
                label.to_string(),
                KeyOrigin::Jwk(Box::new(jwk)),
                key,
            )),
            Err(reason) => self.unusable.push(Unusable {
                source: format!("{label} ({})", jwk.label()),
                reason: reason.to_string(),
            }),
        }
    }

    /// Adds an OIDC discovery document: its issuer and, for later checks, the document itself.
    pub fn add_discovery(&mut self, label: &str, object: Map<String, Value>) {
        self.metadata_issuer = object
            .get("issuer")
            .and_then(Value::as_str)
            .map(str::to_string);
        self.discovery = Some(object);
        self.sources.push(label.to_string());
    }

    /// Records the fetch of the key set at `url`, and the kids that earlier copies of it had and
    /// `current` lacks.
    pub fn note_rotation(
        &mut self,
        url: &str,
        current: &[u8],
        history: &[crate::fetched::Fetched],
    ) {
        let kids_of = |bytes: &[u8]| -> Vec<String> {
            json::parse_object(bytes)
                .ok()
                .and_then(|o| Jwks::from_object(&o).ok())
                .map(|set| set.keys.into_iter().filter_map(|k| k.kid).collect())
                .unwrap_or_default()
        };
        if let Some(f) = self.fetched.iter().rev().find(|f| f.url == url) {
            self.key_set_fetches.push(KeySetFetch {
                url: url.to_string(),
                fetched_at: f.fetched_at.clone(),
                from_cache: f.from_cache,
                copies: history.len().max(1),
                first_fetched_at: history
                    .first()
                    .map_or_else(|| f.fetched_at.clone(), |h| h.fetched_at.clone()),
            });
        }
        let now = kids_of(current);
        for earlier in history {
            for kid in kids_of(&earlier.body) {
                if now.contains(&kid) {
                    continue;
                }
                match self.retired_kids.iter_mut().find(|r| r.kid == kid) {
                    Some(r) => r.last_seen = earlier.fetched_at.clone(),
                    None => self.retired_kids.push(RetiredKid {
                        kid,
                        url: url.to_string(),
                        last_seen: earlier.fetched_at.clone(),
                    }),
                }
            }
        }
    }

    /// Adds SAML metadata: the signing certificates of its identity-provider roles
    /// (IDPSSODescriptor, WS-Fed SecurityTokenService) become trusted keys and its entityID the
    /// expected issuer. Metadata without one is recorded as unusable (`no-signing-keys`).
    pub fn add_saml_metadata(&mut self, label: &str, bytes: &[u8]) -> Result<(), LoadError> {
        use crate::saml::{model, xml};
        let text = std::str::from_utf8(bytes).map_err(|_| LoadError::NotUtf8Xml {
            label: label.to_string(),
        })?;
        let text = text.trim_start_matches('\u{feff}');
        let doc = xml::parse(text).map_err(|problem| LoadError::Xml {
            label: label.to_string(),
            problem,
        })?;
        let model::Message::Metadata(md) = model::read(&doc) else {
            return Err(LoadError::NotSamlMetadata {
                label: label.to_string(),
            });
        };
        self.sources.push(label.to_string());
        if md.aggregate {
            // Each entity's keys count for that entity only: the message's issuer picks it.
            self.federation = Some(Federation {
                source: label.to_string(),
                entities: md
                    .entities
                    .iter()
                    .filter(|e| !e.idp_signing_certificates().is_empty())
                    .filter_map(|e| e.entity_id.clone())
                    .collect(),
            });
        } else {
            let idp = md
                .entities
                .iter()
                .find(|e| e.roles.iter().any(|r| r.idp))
                .or(md.entities.first());
            self.metadata_issuer = idp.and_then(|e| e.entity_id.clone());
        }
        let until = std::iter::once(&md.valid_until)
            .chain(md.entities.iter().map(|e| &e.valid_until))
            .filter_map(|v| v.as_ref().and_then(|v| v.unix))
            .min();
        self.saml_metadata_valid_until = until.map(|t| (label.to_string(), t));
        let mut added = 0;
        for entity in &md.entities {
            let certs = entity.idp_signing_certificates();
            // In an aggregate, a key is named by the entity that publishes it.
            let owner = entity.entity_id.clone().filter(|_| md.aggregate);
            let several = certs.len() > 1;
            for (i, cert) in certs.into_iter().enumerate() {
                let source = match &owner {
                    Some(id) if several => format!("{label}#{id}#signing-{}", i + 1),
                    Some(id) => format!("{label}#{id}"),
                    None => format!("{label}#signing-{}", i + 1),
                };
                if md.aggregate && owner.is_none() {
                    self.unusable.push(Unusable {
                        source,
                        reason: "an entity without an entityID: no issuer can pick it, so its keys count for nothing".into(),
                    });
                    continue;
                }
                match &cert.key {
                    Ok(key) => {
                        added += 1;
                        let mut trusted = TrustedKey::new(
                            source,
                            KeyOrigin::Certificate(Box::new(cert.clone())),
                            key.clone(),
                        );
                        trusted.entity = owner.clone();
                        self.keys.push(trusted)
                    }
                    Err(e) => self.unusable.push(Unusable {
                        source,
                        reason: e.to_string(),
                    }),
                }
            }
        }
        if added == 0 {
            let sp_only = md.entities.iter().all(|e| e.roles.iter().all(|r| !r.idp))
                && md.entities.iter().any(|e| !e.roles.is_empty());
            let reason = if sp_only {
                "this is service-provider metadata (no IDPSSODescriptor or WS-Fed STS role): --metadata needs the identity provider's metadata, whose signing certificates verify what it signs"
            } else {
                "the SAML metadata has no identity-provider signing certificate (no KeyDescriptor use=\"signing\" with an X509Certificate): the situation behind AADSTS50003"
            };
            self.unusable.push(Unusable {
                source: label.to_string(),
                reason: reason.into(),
            });
        }
        Ok(())
    }

    /// Adds certificates from PEM (one or many) or DER.
    pub fn add_certificates(&mut self, label: &str, bytes: &[u8]) -> Result<(), LoadError> {
        let certs = if bytes.starts_with(b"-----BEGIN")
            || std::str::from_utf8(bytes).is_ok_and(|t| t.contains("-----BEGIN"))
        {
            let text = String::from_utf8_lossy(bytes);
            let (certs, errors) = parse_pem_bundle(&text);
            if certs.is_empty() {
                return Err(LoadError::NoCertificate {
                    label: label.to_string(),
                    first_problem: errors.into_iter().next(),
                });
            }
            certs
        } else {
            vec![
                Certificate::from_der(bytes).map_err(|problem| LoadError::Certificate {
                    label: label.to_string(),
                    problem,
                })?,
            ]
        };
        self.sources.push(label.to_string());
        let many = certs.len() > 1;
        for (i, cert) in certs.into_iter().enumerate() {
            let source = if many {
                format!("{label}#{i}")
            } else {
                label.to_string()
            };
            match &cert.key {
                Ok(key) => {
                    let key = key.clone();
                    self.keys.push(TrustedKey::new(
                        source,
                        KeyOrigin::Certificate(Box::new(cert)),
                        key,
                    ))
                }
                Err(e) => self.unusable.push(Unusable {
                    source,
                    reason: e.to_string(),
                }),
            }
        }
        Ok(())
    }

    /// Adds a key from `--key`: PEM or DER public key, a certificate, a private key (its public
    /// half), or a JWK / JWKS (including `oct` secrets for HMAC).
    pub fn add_key_file(&mut self, label: &str, bytes: &[u8]) -> Result<(), LoadError> {
        let text = std::str::from_utf8(bytes).ok().map(str::trim);
        if let Some(t) = text {
            if t.starts_with('{') {
                return self.add_jwks_document(label, t.as_bytes());
            }
            if t.contains("-----BEGIN CERTIFICATE-----") {
                return self.add_certificates(label, bytes);
            }
        }
        let key = public_key_from_pem_or_der(bytes).map_err(|problem| LoadError::Key {
            label: label.to_string(),
            problem,
        })?;
        self.sources.push(label.to_string());
        self.keys
            .push(TrustedKey::new(label.to_string(), KeyOrigin::Bare, key));
        Ok(())
    }

    /// The store as one message or token issued by `issuer` (a SAML Issuer, a JWT's `iss`) sees
    /// it, when aggregate metadata is a key source: the issuer picks its entity, and keys other
    /// entities publish do not count (nor does any, when the issuer is none of them). `None`
    /// without aggregate metadata.
    pub fn for_issuer(&self, issuer: Option<&str>) -> Option<TrustStore> {
        let federation = self.federation.as_ref()?;
        let picked = issuer.filter(|i| federation.entities.iter().any(|e| e == i));
        let keys = self
            .keys
            .iter()
            .filter(|k| k.entity.is_none() || k.entity.as_deref() == picked)
            .cloned()
            .collect();
        let mut unusable = self.unusable.clone();
        if picked.is_none() {
            unusable.insert(
                0,
                Unusable {
                    source: federation.source.clone(),
                    reason: format!(
                        "the issuer {} is none of its {} identity providers, and a key counts only for the entity that publishes it",
                        issuer.map_or_else(|| "(none)".to_string(), |i| format!("'{i}'")),
                        federation.entities.len()
                    ),
                },
            );
        }
        Some(TrustStore {
            keys,
            unusable,
            sources: self.sources.clone(),
            metadata_issuer: picked.map(str::to_string).or(self.metadata_issuer.clone()),
            federation: self.federation.clone(),
            saml_metadata_valid_until: self.saml_metadata_valid_until.clone(),
            discovery: self.discovery.clone(),
            discovery_url: self.discovery_url.clone(),
            retired_kids: self.retired_kids.clone(),
            fetched: self.fetched.clone(),
            key_sets: self.key_sets.clone(),
            key_set_fetches: self.key_set_fetches.clone(),
        })
    }

    /// The keys usable for signature verification.
    pub fn signing_keys(&self) -> impl Iterator<Item = &TrustedKey> {
        self.keys
            .iter()
            .filter(|k| k.jwk().is_none_or(|j| j.signing_use_problem().is_none()))
    }
}

fn public_key_from_pem_or_der(bytes: &[u8]) -> Result<VerifyKey, KeyError> {
    let der = if let Ok(p) = PKey::public_key_from_pem(bytes) {
        p.public_key_to_der()?
    } else if let Ok(p) = PKey::private_key_from_pem(bytes) {
        p.public_key_to_der()?
    } else if let Ok(r) = openssl::rsa::Rsa::public_key_from_pem_pkcs1(bytes) {
        r.public_key_to_der()?
    } else if PKey::public_key_from_der(bytes).is_ok() {
        bytes.to_vec()
    } else if let Ok(p) = PKey::private_key_from_der(bytes) {
        p.public_key_to_der()?
    } else {
        return Err(KeyError::Unrecognised);
    };
    VerifyKey::from_spki_der(&der)
}
