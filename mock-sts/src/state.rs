//! What a running server holds: the directory, the signing keys, the scenario in force, and the
//! authorization codes and refresh tokens it has handed out.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use crate::config::{LoadedConfig, SigningKeyFiles};
use crate::keys::{KeyError, SigningKey, ENTRA_SIGNING_CN};
use crate::metadata_cache::{Generation, MetadataCache, Stamp};
use crate::model::{Directory, RegisteredCertificate};
use crate::scenario::Scenario;

/// Codes and refresh tokens kept at once; the oldest go first beyond this, so a loop of requests cannot
/// grow the server without bound.
const MAX_GRANTS: usize = 10_000;

pub(crate) struct AppState {
    pub config_origin: String,
    pub directory: Directory,
    pub base_url: String,
    pub state_dir: PathBuf,
    keys: Mutex<KeyRing>,
    app_keys: HashMap<String, Arc<SigningKey>>,
    /// The SAML apps' signing certificates (keyCredentials and preferred thumbprint).
    pub saml_keys: crate::saml::certs::SamlKeyStore,
    /// Makes and checks the browser's session cookie (the session itself lives in the cookie).
    pub sessions: crate::session::SessionKey,
    /// The SAML apps' request-verification certificates, as configured and changed at run time.
    pub request_verification: crate::saml::verification::VerificationStore,
    scenario: Mutex<ScenarioSettings>,
    grants: Mutex<GrantStore>,
    /// Discovery, key sets and federation metadata as last sent (see [`crate::metadata_cache`]).
    pub(crate) metadata: MetadataCache,
    /// Bumped by every scenario change and key rotation: what the kept metadata was made from.
    metadata_generation: Generation,
    /// Client certificates uploaded at run time (the portal's "Upload certificate"), by client id.
    uploaded_client_certificates: Mutex<HashMap<String, Vec<RegisteredCertificate>>>,
}

/// Certificates one app may have uploaded at run time (the portal allows a handful; this bounds memory).
pub(crate) const MAX_UPLOADED_CLIENT_CERTIFICATES: usize = 16;

/// The tenant signing keys. `current` signs and is published; `next` is the key a rotation will promote,
/// which the `unpublished-signing-key` and `rotated-keys` scenarios sign with; `previous` stays published
/// after a rotation so tokens already issued still verify. `companions` are published and never sign:
/// Entra's key sets hold several keys (the captures publish five to seven), and the signing key is not
/// always the first, so a client that takes the first key instead of matching `kid` fails here too.
pub(crate) struct KeyRing {
    pub current: Arc<SigningKey>,
    next: Arc<PendingKey>,
    pub previous: Option<Arc<SigningKey>>,
    companions: [Arc<PendingKey>; COMPANION_KEYS],
}

/// Published keys that never sign, besides the current one (so a healthy tenant publishes three).
const COMPANION_KEYS: usize = 2;

/// A key made (or loaded) off the start-up path: the server is ready after one RSA key, not two.
struct PendingKey {
    cell: OnceLock<Arc<SigningKey>>,
    path: Option<PathBuf>,
    /// Used only if openssl cannot make a key at all, so that a request never fails on it.
    fallback: Arc<SigningKey>,
}

impl PendingKey {
    fn ready(key: SigningKey, fallback: Arc<SigningKey>) -> Self {
        let cell = OnceLock::new();
        let _ = cell.set(Arc::new(key));
        Self {
            cell,
            path: None,
            fallback,
        }
    }

    /// The key, made now if the background thread has not finished (then this waits for it).
    fn get(&self) -> Arc<SigningKey> {
        self.cell
            .get_or_init(|| {
                let made = match &self.path {
                    Some(path) => SigningKey::load_or_create(path, ENTRA_SIGNING_CN)
                        .or_else(|_| SigningKey::generate(ENTRA_SIGNING_CN)),
                    None => SigningKey::generate(ENTRA_SIGNING_CN),
                };
                match made {
                    Ok(key) => Arc::new(key),
                    Err(err) => {
                        eprintln!("mock-sts: cannot make the next signing key ({err}); using the current one");
                        self.fallback.clone()
                    }
                }
            })
            .clone()
    }

    fn peek(&self) -> Option<Arc<SigningKey>> {
        self.cell.get().cloned()
    }
}

impl KeyRing {
    /// The keys the configuration names, else the ones kept in `state_dir` (the current one made now if
    /// missing; the next one follows in the background once [`KeyRing::prepare_next_in_background`] is called).
    pub(crate) fn load_or_create(
        state_dir: &Path,
        configured: &SigningKeyFiles,
    ) -> Result<Self, KeyError> {
        let current = match &configured.current {
            Some((path, pem)) => SigningKey::from_pem(pem, path)?,
            None => SigningKey::load_or_create(
                &state_dir.join("signing-current.pem"),
                ENTRA_SIGNING_CN,
            )?,
        };
        let current = Arc::new(current);
        let next = match &configured.next {
            Some((path, pem)) => {
                PendingKey::ready(SigningKey::from_pem(pem, path)?, current.clone())
            }
            None => PendingKey {
                cell: OnceLock::new(),
                path: Some(state_dir.join("signing-next.pem")),
                fallback: current.clone(),
            },
        };
        let companions = [1, 2].map(|n| {
            Arc::new(PendingKey {
                cell: OnceLock::new(),
                path: Some(state_dir.join(format!("signing-published-{n}.pem"))),
                fallback: current.clone(),
            })
        });
        Ok(Self {
            current,
            next: Arc::new(next),
            previous: None,
            companions,
        })
    }

    /// Makes (or loads) the next key and the companions off the start-up path.
    pub(crate) fn prepare_next_in_background(&self) {
        let next = self.next.clone();
        let companions = self.companions.clone();
        std::thread::spawn(move || {
            next.get();
            for companion in companions {
                companion.get();
            }
        });
    }

    pub(crate) fn next(&self) -> Arc<SigningKey> {
        self.next.get()
    }

    pub(crate) fn signing_key(&self, scenario: Scenario) -> Arc<SigningKey> {
        match scenario {
            Scenario::UnpublishedSigningKey | Scenario::RotatedKeys => self.next(),
            _ => self.current.clone(),
        }
    }

    /// The key set in the order it is published: a companion, the current key, the other companion, and
    /// the previous key after a rotation; `rotated-keys` puts the new key first.
    pub(crate) fn published(&self, scenario: Scenario) -> Vec<Arc<SigningKey>> {
        let [first, second] = &self.companions;
        let mut keys = Vec::new();
        if scenario == Scenario::RotatedKeys {
            keys.push(self.next());
        }
        keys.push(first.get());
        keys.push(self.current.clone());
        keys.push(second.get());
        keys.extend(self.previous.clone());
        // A companion that could not be made falls back to the current key: publish it once.
        let mut seen = std::collections::HashSet::new();
        keys.retain(|key| seen.insert(key.kid.clone()));
        keys
    }

    /// Every key the mock may have signed with, for checking its own tokens at userinfo.
    pub(crate) fn all(&self) -> Vec<Arc<SigningKey>> {
        let mut keys = vec![self.current.clone()];
        keys.extend(self.next.peek());
        keys.extend(self.previous.clone());
        keys
    }

    /// Only through [`AppState::rotate_keys`], which tells the metadata cache.
    fn rotate(&mut self, fresh: SigningKey) {
        let promoted = self.next();
        let retired = std::mem::replace(&mut self.current, promoted);
        self.previous = Some(retired);
        self.next = Arc::new(PendingKey::ready(fresh, self.current.clone()));
    }
}

/// The server-wide scenario and the tenants that have one of their own.
struct ScenarioSettings {
    global: Scenario,
    per_tenant: HashMap<String, Scenario>,
}

/// An authorization code waiting to be redeemed.
#[derive(Debug, Clone)]
pub(crate) struct CodeGrant {
    pub tenant_id: String,
    pub client_id: String,
    pub user_object_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<(String, String)>,
    /// `/oauth2/v2.0/authorize` or `/oauth2/authorize`: decides the ID token's version.
    pub v2_endpoint: bool,
    pub expires_at: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct RefreshGrant {
    pub tenant_id: String,
    pub client_id: String,
    pub user_object_id: String,
    pub scopes: Vec<String>,
    pub expires_at: i64,
}

/// A device code flow in progress: what the client asked for, and the user once the code is approved.
#[derive(Debug, Clone)]
pub(crate) struct DeviceCodeGrant {
    pub tenant_id: String,
    pub client_id: String,
    pub user_code: String,
    pub scopes: Vec<String>,
    /// `/oauth2/devicecode` (v1) names the resource this way.
    pub v1_resource: Option<String>,
    pub expires_at: i64,
    /// The user who approved the code (object id), once approved.
    pub approved_by: Option<String>,
}

/// What a poll with a device code finds.
pub(crate) enum DevicePoll {
    /// Approved: the grant, removed from the store (a device code is redeemed once).
    Approved(Box<DeviceCodeGrant>),
    /// Not approved yet.
    Pending,
    Expired,
    Unknown,
}

/// Why a device code cannot be approved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DeviceApprovalError {
    #[error("no pending device code '{0}'")]
    Unknown(String),
    #[error("device code '{0}' has expired")]
    Expired(String),
}

#[derive(Default)]
pub(crate) struct GrantStore {
    codes: HashMap<String, CodeGrant>,
    /// Codes already used, so a replay gets AADSTS54005 instead of "malformed".
    redeemed: HashMap<String, i64>,
    refresh_tokens: HashMap<String, RefreshGrant>,
    /// Refresh tokens from single-page-app redemptions: Entra lets only a browser redeem them.
    spa_refresh_tokens: std::collections::HashSet<String>,
    /// Device codes by `device_code`; `user_codes` maps the short code a person types to it.
    device_codes: HashMap<String, DeviceCodeGrant>,
    user_codes: HashMap<String, String>,
    order: std::collections::VecDeque<String>,
}

/// What happened to a code at redemption.
pub(crate) enum CodeRedemption {
    Valid(Box<CodeGrant>),
    AlreadyRedeemed,
    Expired,
    Unknown,
}

impl GrantStore {
    fn remember(&mut self, key: String) {
        self.order.push_back(key);
        while self.order.len() > MAX_GRANTS {
            if let Some(old) = self.order.pop_front() {
                self.codes.remove(&old);
                self.redeemed.remove(&old);
                self.refresh_tokens.remove(&old);
                self.spa_refresh_tokens.remove(&old);
                if let Some(grant) = self.device_codes.remove(&old) {
                    self.user_codes.remove(&grant.user_code);
                }
            }
        }
    }

    pub(crate) fn add_code(&mut self, code: String, grant: CodeGrant) {
        self.codes.insert(code.clone(), grant);
        self.remember(code);
    }

    pub(crate) fn redeem_code(&mut self, code: &str, now: i64) -> CodeRedemption {
        if self.redeemed.contains_key(code) {
            return CodeRedemption::AlreadyRedeemed;
        }
        match self.codes.remove(code) {
            Some(grant) => {
                self.redeemed.insert(code.to_string(), now);
                self.remember(code.to_string());
                if grant.expires_at < now {
                    CodeRedemption::Expired
                } else {
                    CodeRedemption::Valid(Box::new(grant))
                }
            }
            None => CodeRedemption::Unknown,
        }
    }

    pub(crate) fn add_refresh_token(&mut self, token: String, grant: RefreshGrant) {
        self.refresh_tokens.insert(token.clone(), grant);
        self.remember(token);
    }

    pub(crate) fn refresh_token(&self, token: &str) -> Option<RefreshGrant> {
        self.refresh_tokens.get(token).cloned()
    }

    /// A code's grant without redeeming it: which redirect URI (and so which platform) it was issued to.
    pub(crate) fn peek_code(&self, code: &str) -> Option<&CodeGrant> {
        self.codes.get(code)
    }

    /// Mark a refresh token as issued to a single-page app (redeemable only cross-origin).
    pub(crate) fn bind_to_spa(&mut self, token: &str) {
        if self.refresh_tokens.contains_key(token) {
            self.spa_refresh_tokens.insert(token.to_string());
        }
    }

    pub(crate) fn is_spa_refresh_token(&self, token: &str) -> bool {
        self.spa_refresh_tokens.contains(token)
    }
    /// Keep a new device code; false when its user code is already in use (the caller draws another).
    pub(crate) fn add_device_code(&mut self, device_code: String, grant: DeviceCodeGrant) -> bool {
        if self.user_codes.contains_key(&grant.user_code) {
            return false;
        }
        self.user_codes
            .insert(grant.user_code.clone(), device_code.clone());
        self.device_codes.insert(device_code.clone(), grant);
        self.remember(device_code);
        true
    }

    /// What polling with `device_code` for `client_id` at `now` finds; an approved code is consumed. A code
    /// issued to another client is unknown to this one.
    pub(crate) fn poll_device_code(
        &mut self,
        device_code: &str,
        client_id: &str,
        now: i64,
    ) -> DevicePoll {
        let Some(grant) = self
            .device_codes
            .get(device_code)
            .filter(|g| g.client_id.eq_ignore_ascii_case(client_id))
        else {
            return DevicePoll::Unknown;
        };
        if grant.expires_at < now {
            return DevicePoll::Expired;
        }
        if grant.approved_by.is_none() {
            return DevicePoll::Pending;
        }
        match self.device_codes.remove(device_code) {
            Some(grant) => {
                self.user_codes.remove(&grant.user_code);
                DevicePoll::Approved(Box::new(grant))
            }
            None => DevicePoll::Unknown,
        }
    }

    /// Approve the code a person typed (case and spaces ignored) as the user `user_object_id`.
    pub(crate) fn approve_device_code(
        &mut self,
        user_code: &str,
        user_object_id: &str,
        now: i64,
    ) -> Result<DeviceCodeGrant, DeviceApprovalError> {
        let typed = normalize_user_code(user_code);
        let grant = self
            .user_codes
            .get(&typed)
            .and_then(|device_code| self.device_codes.get_mut(device_code))
            .ok_or_else(|| DeviceApprovalError::Unknown(user_code.to_string()))?;
        if grant.expires_at < now {
            return Err(DeviceApprovalError::Expired(user_code.to_string()));
        }
        grant.approved_by = Some(user_object_id.to_string());
        Ok(grant.clone())
    }

    /// The device code a person typed, if it is one not yet redeemed.
    pub(crate) fn device_code_by_user_code(&self, user_code: &str) -> Option<DeviceCodeGrant> {
        self.user_codes
            .get(&normalize_user_code(user_code))
            .and_then(|device_code| self.device_codes.get(device_code))
            .cloned()
    }

    /// Device codes not yet redeemed, oldest first, expired ones included.
    pub(crate) fn device_codes(&self) -> Vec<DeviceCodeGrant> {
        let mut list: Vec<DeviceCodeGrant> = self.device_codes.values().cloned().collect();
        list.sort_by_key(|g| g.expires_at);
        list
    }
}

/// A user code as typed: spaces and dashes dropped, case ignored.
pub(crate) fn normalize_user_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_uppercase()
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere must not take the whole mock down with poisoned locks.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AppState {
    pub(crate) fn new(
        config: LoadedConfig,
        base_url: String,
        state_dir: PathBuf,
        key_ring: KeyRing,
        scenario: Scenario,
    ) -> Result<Self, KeyError> {
        let mut app_keys = HashMap::new();
        for tenant in &config.directory.tenants {
            for app in tenant.apps.iter().filter(|a| a.custom_signing_key) {
                let path = state_dir.join(format!("app-{}.pem", app.client_id));
                app_keys.insert(
                    app.client_id.clone(),
                    Arc::new(SigningKey::load_or_create(&path, ENTRA_SIGNING_CN)?),
                );
            }
        }
        let saml_keys =
            crate::saml::certs::SamlKeyStore::load_or_create(&config.directory, &state_dir)?;
        Ok(Self {
            saml_keys,
            sessions: crate::session::SessionKey::generate()?,
            request_verification: crate::saml::verification::VerificationStore::from_directory(
                &config.directory,
            ),
            config_origin: config.origin,
            directory: config.directory,
            base_url,
            state_dir,
            keys: Mutex::new(key_ring),
            app_keys,
            scenario: Mutex::new(ScenarioSettings {
                global: scenario,
                per_tenant: HashMap::new(),
            }),
            grants: Mutex::new(GrantStore::default()),
            metadata: MetadataCache::default(),
            metadata_generation: Generation::default(),
            uploaded_client_certificates: Mutex::new(HashMap::new()),
        })
    }

    /// The generations kept metadata is checked against.
    pub(crate) fn metadata_stamp(&self) -> Stamp {
        Stamp {
            state: self.metadata_generation.get(),
            saml: self.saml_keys.generation(),
        }
    }

    /// The first tenant's id, for building authority URLs ("common" if there is none).
    pub(crate) fn first_tenant_id(&self) -> &str {
        self.directory
            .tenants
            .first()
            .map(|t| t.id.as_str())
            .unwrap_or("common")
    }

    /// The client certificates uploaded to an app at run time.
    pub(crate) fn uploaded_client_certificates(
        &self,
        client_id: &str,
    ) -> Vec<RegisteredCertificate> {
        lock(&self.uploaded_client_certificates)
            .get(client_id)
            .cloned()
            .unwrap_or_default()
    }

    /// Registers a certificate for an app's client assertions; one already there is not added twice.
    /// Returns how many the app has, or `None` when it has the most it may.
    pub(crate) fn upload_client_certificate(
        &self,
        client_id: &str,
        cert: RegisteredCertificate,
    ) -> Option<usize> {
        let mut uploaded = lock(&self.uploaded_client_certificates);
        let list = uploaded.entry(client_id.to_string()).or_default();
        if !list.iter().any(|c| c.thumbprint == cert.thumbprint) {
            if list.len() >= MAX_UPLOADED_CLIENT_CERTIFICATES {
                return None;
            }
            list.push(cert);
        }
        Some(list.len())
    }

    /// The scenario for the whole server (tenants without one of their own).
    pub(crate) fn scenario(&self) -> Scenario {
        lock(&self.scenario).global
    }

    /// The scenario in force for a tenant: its own when one was set, else the server's.
    pub(crate) fn scenario_for(&self, tenant_id: &str) -> Scenario {
        let settings = lock(&self.scenario);
        settings
            .per_tenant
            .get(tenant_id)
            .copied()
            .unwrap_or(settings.global)
    }

    /// Set the scenario for every tenant, dropping per-tenant choices; returns the previous server-wide one.
    pub(crate) fn set_scenario(&self, scenario: Scenario) -> Scenario {
        let mut settings = lock(&self.scenario);
        settings.per_tenant.clear();
        let previous = std::mem::replace(&mut settings.global, scenario);
        self.metadata_generation.bump();
        previous
    }

    /// Set the scenario for one tenant; returns what was in force for it.
    pub(crate) fn set_tenant_scenario(&self, tenant_id: &str, scenario: Scenario) -> Scenario {
        let mut settings = lock(&self.scenario);
        let global = settings.global;
        let previous = settings
            .per_tenant
            .insert(tenant_id.to_string(), scenario)
            .unwrap_or(global);
        self.metadata_generation.bump();
        previous
    }

    pub(crate) fn tenant_scenarios(&self) -> Vec<(String, Scenario)> {
        let settings = lock(&self.scenario);
        let mut list: Vec<_> = settings
            .per_tenant
            .iter()
            .map(|(t, s)| (t.clone(), *s))
            .collect();
        list.sort_by(|a, b| a.0.cmp(&b.0));
        list
    }

    pub(crate) fn keys(&self) -> MutexGuard<'_, KeyRing> {
        lock(&self.keys)
    }

    /// Promote the next key, keep the current one published as the previous, and make `fresh` the next;
    /// returns the retired key's kid and the ring as it is now.
    pub(crate) fn rotate_keys(&self, fresh: SigningKey) -> (String, MutexGuard<'_, KeyRing>) {
        let mut keys = self.keys();
        let retired = keys.current.kid.clone();
        keys.rotate(fresh);
        // Bumped while the ring is still locked: no document can be made from the old ring under the new
        // generation.
        self.metadata_generation.bump();
        (retired, keys)
    }

    pub(crate) fn grants(&self) -> MutexGuard<'_, GrantStore> {
        lock(&self.grants)
    }

    pub(crate) fn app_key(&self, client_id: &str) -> Option<Arc<SigningKey>> {
        self.app_keys.get(client_id).cloned()
    }

    /// Every key a token from this mock may carry, tenant and app keys alike.
    pub(crate) fn all_keys(&self) -> Vec<Arc<SigningKey>> {
        let mut keys = self.keys().all();
        keys.extend(self.app_keys.values().cloned());
        keys
    }
}
