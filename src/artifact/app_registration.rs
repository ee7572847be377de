//! Microsoft Graph's `servicePrincipal` and `application` objects as `az ad sp show`, `az ad app
//! show`, Graph Explorer or Graph PowerShell print them: the credentials Entra signs and
//! authenticates with, decoded, before any judgement about them.
//!
//! Shapes (Microsoft Graph v1.0 reference, `keyCredential` and `passwordCredential` resource
//! types): a key credential has `customKeyIdentifier` (base64; "defaults to the thumbprint of the
//! certificate"), `displayName`, `startDateTime`, `endDateTime`, `key` (base64 certificate,
//! returned only on `$select` for a single object, otherwise `null`), `keyId`, `type`
//! (`AsymmetricX509Cert`, `X509CertAndPassword`, `Symmetric`) and `usage` (`Sign`, `Verify`); a
//! password credential has `customKeyIdentifier`, `displayName`, `endDateTime`, `hint` (the first
//! three characters), `keyId`, `secretText` (only in the answer to `addPassword`) and
//! `startDateTime`. A SAML signing certificate is three credentials made together
//! (`addTokenSigningCertificate`): a Sign key credential holding the private key, its Verify twin
//! with the public certificate and the same `customKeyIdentifier`, and a password credential with
//! the Sign credential's `keyId`. The older Azure AD Graph shape (`odata.type`, `startDate`,
//! `endDate`, `value`) that Azure CLI printed before 2.37 is read too.

use keyprobe_core::digest::sha256;
use serde_json::{Map, Value};

use super::cert::Certificate;
use crate::clock::Clock;
use crate::codec::base64;

/// Most credentials of each list read; Entra allows far fewer on one object.
const MAX_CREDENTIALS: usize = 1000;

/// Which Graph object the JSON is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GraphObject {
    /// An enterprise application: where SAML signing certificates live.
    ServicePrincipal,
    /// An app registration: client secrets and client certificates.
    Application,
}

impl GraphObject {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            GraphObject::ServicePrincipal => "servicePrincipal",
            GraphObject::Application => "application",
        }
    }
}

/// Why a Graph object could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum AppRegistrationError {
    #[error("'{member}' is {found}, expected {expected}")]
    WrongType {
        member: String,
        expected: &'static str,
        found: &'static str,
    },
    #[error("'{member}' holds {found} credentials, more than the {limit} read")]
    TooManyCredentials {
        member: &'static str,
        found: usize,
        limit: usize,
    },
    #[error("the Graph collection ('value') holds {found} objects: give one (az ad sp show --id APP_ID, or GET /servicePrincipals/ID)")]
    NotOneObject { found: usize },
}

/// What a key credential is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Usage {
    /// The private key Entra signs with.
    Sign,
    /// A public key: the twin of a Sign credential, or a certificate the client authenticates with.
    Verify,
    Other(String),
}

impl Usage {
    fn parse(text: &str) -> Usage {
        if text.eq_ignore_ascii_case("sign") {
            Usage::Sign
        } else if text.eq_ignore_ascii_case("verify") {
            Usage::Verify
        } else {
            Usage::Other(text.to_string())
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            Usage::Sign => "Sign",
            Usage::Verify => "Verify",
            Usage::Other(s) => s,
        }
    }
}

/// What the `key` member of a key credential holds.
#[derive(Debug, Clone)]
pub(crate) enum KeyMaterial {
    /// `null` or absent: Graph leaves it out unless asked with `$select`.
    Absent,
    /// A certificate (a Verify credential's public part).
    Certificate(Box<Certificate>),
    /// Private key material: the PFX of a Sign credential (`X509CertAndPassword`), as a PATCH body
    /// carries it.
    Private,
    /// Something that is not a certificate.
    Unreadable(String),
}

/// A certificate thumbprint known for a credential, and how it was learnt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KnownThumbprint {
    /// Upper-case SHA-1 hex, as the portal and `preferredTokenSigningKeyThumbprint` write it.
    pub hex: String,
    pub from: ThumbprintSource,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ThumbprintSource {
    /// The SHA-1 of the certificate in `key`.
    Certificate,
    /// `customKeyIdentifier`, which Graph sets to the certificate's thumbprint by default.
    CustomKeyIdentifier,
}

impl ThumbprintSource {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ThumbprintSource::Certificate => "the certificate in 'key'",
            ThumbprintSource::CustomKeyIdentifier => "customKeyIdentifier",
        }
    }
}

/// One entry of `keyCredentials`.
#[derive(Debug, Clone)]
pub(crate) struct KeyCredential {
    /// Position in `keyCredentials`.
    pub index: usize,
    pub key_id: Option<String>,
    pub usage: Usage,
    pub key_type: Option<String>,
    pub display_name: Option<String>,
    /// As written (base64 in Graph, hex in some older outputs).
    pub custom_key_identifier: Option<String>,
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub key: KeyMaterial,
    pub thumbprint: Option<KnownThumbprint>,
    /// Dates that were present but not readable, by member.
    pub bad_dates: Vec<(String, String)>,
}

impl KeyCredential {
    /// How people name it in a message: its display name and keyId.
    pub(crate) fn label(&self) -> String {
        label(
            "keyCredentials",
            self.index,
            self.display_name.as_deref(),
            self.key_id.as_deref(),
        )
    }

    /// Whether this credential is the certificate `thumbprint` names: `Some` when it can be
    /// told (from the certificate, or from `customKeyIdentifier` holding the thumbprint or the
    /// SHA-256 of its text, as Microsoft's custom-signing-key recipe makes it), `None` otherwise.
    pub(crate) fn is_named_by(&self, thumbprint: &str) -> Option<bool> {
        let wanted = normalise_thumbprint(thumbprint);
        if let Some(known) = &self.thumbprint {
            return Some(known.hex == wanted);
        }
        let custom = self.custom_key_identifier.as_deref()?;
        (custom == base64::encode_standard(&sha256(wanted.as_bytes()))).then_some(true)
    }

    /// The certificate in `key`, when there is one.
    pub(crate) fn certificate(&self) -> Option<&Certificate> {
        match &self.key {
            KeyMaterial::Certificate(c) => Some(c),
            _ => None,
        }
    }
}

/// One entry of `passwordCredentials`.
#[derive(Debug, Clone)]
pub(crate) struct PasswordCredential {
    pub index: usize,
    pub key_id: Option<String>,
    pub display_name: Option<String>,
    /// Graph's `hint`: the secret's first three characters, shown by the portal too.
    pub hint: Option<String>,
    pub start: Option<i64>,
    pub end: Option<i64>,
    /// `secretText` carried a value (only `addPassword`'s answer does): never kept, never shown.
    pub has_secret_text: bool,
    pub bad_dates: Vec<(String, String)>,
}

impl PasswordCredential {
    pub(crate) fn label(&self) -> String {
        label(
            "passwordCredentials",
            self.index,
            self.display_name.as_deref(),
            self.key_id.as_deref(),
        )
    }
}

/// `'name' (keyId …)`, or whichever of the two the credential has, or its position in `list`.
fn label(list: &str, index: usize, name: Option<&str>, key_id: Option<&str>) -> String {
    match (name.filter(|n| !n.is_empty()), key_id) {
        (Some(name), Some(id)) => format!("'{name}' (keyId {id})"),
        (Some(name), None) => format!("'{name}' ({list}[{index}])"),
        (None, Some(id)) => format!("keyId {id}"),
        (None, None) => format!("{list}[{index}]"),
    }
}

/// A `servicePrincipal` or `application`, decoded.
#[derive(Debug, Clone)]
pub(crate) struct AppRegistration {
    pub object: GraphObject,
    /// The member or value that told which object it is.
    pub recognised_by: String,
    pub app_id: Option<String>,
    pub id: Option<String>,
    pub display_name: Option<String>,
    /// `preferredSingleSignOnMode`: `saml`, `oidc`, `password`, `notSupported` or null.
    pub sso_mode: Option<String>,
    pub preferred_thumbprint: Option<String>,
    pub preferred_end: Option<i64>,
    pub token_encryption_key_id: Option<String>,
    pub keys: Vec<KeyCredential>,
    pub passwords: Vec<PasswordCredential>,
}

/// A cheap test on a parsed object: the credential lists with a member only Graph's directory
/// objects carry.
pub(crate) fn looks_like(object: &Map<String, Value>) -> bool {
    let object = match single_of_collection(object) {
        Some(Ok(inner)) => inner,
        Some(Err(_)) => return true,
        None => object,
    };
    let credentials = ["keyCredentials", "passwordCredentials"]
        .iter()
        .any(|m| object.get(*m).is_some_and(Value::is_array));
    credentials && object_type(object).is_some()
}

/// `{"@odata.context": "…#servicePrincipals", "value": [ … ]}`: Graph's answer to a filtered list.
fn single_of_collection(
    object: &Map<String, Value>,
) -> Option<Result<&Map<String, Value>, AppRegistrationError>> {
    let context = object.get("@odata.context").and_then(Value::as_str)?;
    if !(context.contains("#servicePrincipals") || context.contains("#applications")) {
        return None;
    }
    let items = object.get("value").and_then(Value::as_array)?;
    Some(match items.as_slice() {
        [Value::Object(one)] => Ok(one),
        _ => Err(AppRegistrationError::NotOneObject { found: items.len() }),
    })
}

/// Which object, and the member that says so.
fn object_type(object: &Map<String, Value>) -> Option<(GraphObject, String)> {
    use GraphObject::*;
    let text = |m: &str| object.get(m).and_then(Value::as_str);
    for member in [
        "@odata.context",
        "@odata.type",
        "odata.type",
        "odata.metadata",
    ] {
        if let Some(t) = text(member) {
            let lower = t.to_ascii_lowercase();
            if lower.contains("serviceprincipal") {
                return Some((ServicePrincipal, format!("{member}: {t}")));
            }
            if lower.contains("application") {
                return Some((Application, format!("{member}: {t}")));
            }
        }
    }
    for member in [
        "servicePrincipalType",
        "preferredTokenSigningKeyThumbprint",
        "preferredSingleSignOnMode",
        "appOwnerOrganizationId",
        "servicePrincipalNames",
    ] {
        if object.contains_key(member) {
            return Some((ServicePrincipal, member.to_string()));
        }
    }
    for member in ["signInAudience", "identifierUris", "requiredResourceAccess"] {
        if object.contains_key(member) {
            return Some((Application, member.to_string()));
        }
    }
    None
}

impl AppRegistration {
    /// Reads a Graph object (or a one-object Graph collection). Dates are Unix seconds.
    pub(crate) fn from_object(object: &Map<String, Value>) -> Result<Self, AppRegistrationError> {
        let object = match single_of_collection(object) {
            Some(inner) => inner?,
            None => object,
        };
        let (kind, recognised_by) = object_type(object)
            .unwrap_or((GraphObject::ServicePrincipal, "keyCredentials".to_string()));
        let keys = credentials(object, "keyCredentials")?
            .iter()
            .enumerate()
            .map(|(i, v)| key_credential(i, v))
            .collect::<Result<Vec<_>, _>>()?;
        let passwords = credentials(object, "passwordCredentials")?
            .iter()
            .enumerate()
            .map(|(i, v)| password_credential(i, v))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(AppRegistration {
            object: kind,
            recognised_by,
            app_id: string(object, "appId")?,
            id: string(object, "id")?.or(string(object, "objectId")?),
            display_name: string(object, "displayName")?,
            sso_mode: string(object, "preferredSingleSignOnMode")?,
            preferred_thumbprint: string(object, "preferredTokenSigningKeyThumbprint")?
                .filter(|t| !t.trim().is_empty()),
            preferred_end: string(object, "preferredTokenSigningKeyEndDateTime")?
                .and_then(|t| Clock::parse_instant(&t).ok()),
            token_encryption_key_id: string(object, "tokenEncryptionKeyId")?
                .filter(|t| !t.trim().is_empty()),
            keys,
            passwords,
        })
    }

    /// A SAML application, by its single sign-on mode.
    pub(crate) fn is_saml(&self) -> bool {
        self.sso_mode
            .as_deref()
            .is_some_and(|m| m.eq_ignore_ascii_case("saml"))
    }

    /// The key credentials with `usage` Sign.
    pub(crate) fn sign_keys(&self) -> impl Iterator<Item = &KeyCredential> {
        self.keys.iter().filter(|k| k.usage == Usage::Sign)
    }

    /// The Verify credential made with a Sign credential: same `customKeyIdentifier`.
    pub(crate) fn verify_twin(&self, sign: &KeyCredential) -> Option<&KeyCredential> {
        let custom = sign.custom_key_identifier.as_deref()?;
        self.keys.iter().find(|k| {
            k.usage == Usage::Verify && k.custom_key_identifier.as_deref() == Some(custom)
        })
    }

    /// The Sign credential a Verify credential was made with.
    pub(crate) fn sign_twin(&self, verify: &KeyCredential) -> Option<&KeyCredential> {
        let custom = verify.custom_key_identifier.as_deref()?;
        self.sign_keys()
            .find(|k| k.custom_key_identifier.as_deref() == Some(custom))
    }

    /// The password credential that opens a Sign credential's private key: same `keyId`.
    pub(crate) fn password_of(&self, sign: &KeyCredential) -> Option<&PasswordCredential> {
        let id = sign.key_id.as_deref()?;
        self.passwords.iter().find(|p| {
            p.key_id
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case(id))
        })
    }

    /// A password credential that belongs to a signing certificate rather than being a client
    /// secret.
    pub(crate) fn opens_a_signing_key(&self, password: &PasswordCredential) -> bool {
        let Some(id) = password.key_id.as_deref() else {
            return false;
        };
        self.sign_keys().any(|k| {
            k.key_id
                .as_deref()
                .is_some_and(|k| k.eq_ignore_ascii_case(id))
        })
    }

    /// A Verify credential that is part of a signing certificate (it has a Sign twin).
    pub(crate) fn is_signing_half(&self, key: &KeyCredential) -> bool {
        key.usage == Usage::Sign || (key.usage == Usage::Verify && self.sign_twin(key).is_some())
    }
}

/// Thumbprint text as the portal writes it: hex, upper case, no separators or spaces.
pub(crate) fn normalise_thumbprint(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, ':' | ' ' | '-'))
        .collect::<String>()
        .to_ascii_uppercase()
}

fn credentials<'a>(
    object: &'a Map<String, Value>,
    member: &'static str,
) -> Result<&'a [Value], AppRegistrationError> {
    match object.get(member) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) if items.len() > MAX_CREDENTIALS => {
            Err(AppRegistrationError::TooManyCredentials {
                member,
                found: items.len(),
                limit: MAX_CREDENTIALS,
            })
        }
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(AppRegistrationError::WrongType {
            member: member.to_string(),
            expected: "an array",
            found: crate::codec::json::type_name(other),
        }),
    }
}

/// A string member; absent and `null` are `None`.
fn string(
    object: &Map<String, Value>,
    member: &str,
) -> Result<Option<String>, AppRegistrationError> {
    match object.get(member) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(AppRegistrationError::WrongType {
            member: member.to_string(),
            expected: "a string",
            found: crate::codec::json::type_name(other),
        }),
    }
}

fn entry<'a>(
    list: &str,
    index: usize,
    value: &'a Value,
) -> Result<&'a Map<String, Value>, AppRegistrationError> {
    value
        .as_object()
        .ok_or_else(|| AppRegistrationError::WrongType {
            member: format!("{list}[{index}]"),
            expected: "an object",
            found: crate::codec::json::type_name(value),
        })
}

/// A credential's `startDateTime`/`endDateTime` (Graph) or `startDate`/`endDate` (AAD Graph, az CLI).
fn validity(
    object: &Map<String, Value>,
    bad: &mut Vec<(String, String)>,
    list: &str,
    index: usize,
) -> Result<(Option<i64>, Option<i64>), AppRegistrationError> {
    let start = date(object, ["startDateTime", "startDate"], bad, list, index)?;
    let end = date(object, ["endDateTime", "endDate"], bad, list, index)?;
    Ok((start, end))
}

/// A date member in either Graph's (`endDateTime`) or Azure AD Graph's (`endDate`) name.
fn date(
    object: &Map<String, Value>,
    names: [&str; 2],
    bad: &mut Vec<(String, String)>,
    list: &str,
    index: usize,
) -> Result<Option<i64>, AppRegistrationError> {
    for name in names {
        let member = format!("{list}[{index}].{name}");
        match object.get(name) {
            None | Some(Value::Null) => continue,
            Some(Value::String(s)) => {
                return Ok(match Clock::parse_instant(s) {
                    Ok(t) => Some(t),
                    Err(e) => {
                        bad.push((member, e.to_string()));
                        None
                    }
                })
            }
            Some(other) => {
                return Err(AppRegistrationError::WrongType {
                    member,
                    expected: "a date string",
                    found: crate::codec::json::type_name(other),
                })
            }
        }
    }
    Ok(None)
}

fn member_string(
    object: &Map<String, Value>,
    list: &str,
    index: usize,
    names: &[&str],
) -> Result<Option<String>, AppRegistrationError> {
    for name in names {
        match object.get(*name) {
            None | Some(Value::Null) => continue,
            Some(Value::String(s)) => return Ok(Some(s.clone())),
            Some(other) => {
                return Err(AppRegistrationError::WrongType {
                    member: format!("{list}[{index}].{name}"),
                    expected: "a string",
                    found: crate::codec::json::type_name(other),
                })
            }
        }
    }
    Ok(None)
}

fn key_credential(index: usize, value: &Value) -> Result<KeyCredential, AppRegistrationError> {
    const LIST: &str = "keyCredentials";
    let object = entry(LIST, index, value)?;
    let s = |names: &[&str]| member_string(object, LIST, index, names);
    let usage = Usage::parse(&s(&["usage"])?.unwrap_or_default());
    let key_type = s(&["type"])?;
    let custom_key_identifier = s(&["customKeyIdentifier"])?.filter(|c| !c.is_empty());
    let mut bad_dates = Vec::new();
    let (start, end) = validity(object, &mut bad_dates, LIST, index)?;
    let key = match s(&["key", "value"])?.filter(|k| !k.is_empty()) {
        None => KeyMaterial::Absent,
        Some(text) => read_key(&text, &usage, key_type.as_deref()),
    };
    let thumbprint = match &key {
        KeyMaterial::Certificate(cert) => Some(KnownThumbprint {
            hex: cert.thumbprints.sha1_hex.clone(),
            from: ThumbprintSource::Certificate,
        }),
        _ => custom_key_identifier
            .as_deref()
            .and_then(thumbprint_in_identifier)
            .map(|hex| KnownThumbprint {
                hex,
                from: ThumbprintSource::CustomKeyIdentifier,
            }),
    };
    Ok(KeyCredential {
        index,
        key_id: s(&["keyId"])?,
        usage,
        key_type,
        display_name: s(&["displayName"])?,
        custom_key_identifier,
        start,
        end,
        key,
        thumbprint,
        bad_dates,
    })
}

/// A certificate for public credentials; a Sign credential's `key` is its PFX.
fn read_key(text: &str, usage: &Usage, key_type: Option<&str>) -> KeyMaterial {
    let private = *usage == Usage::Sign
        || key_type.is_some_and(|t| t.eq_ignore_ascii_case("X509CertAndPassword"));
    if private {
        return KeyMaterial::Private;
    }
    match Certificate::from_base64(text) {
        Ok(cert) => KeyMaterial::Certificate(Box::new(cert)),
        Err(e) => KeyMaterial::Unreadable(e.to_string()),
    }
}

/// `customKeyIdentifier` as the certificate's SHA-1 thumbprint: base64 of its 20 bytes (Graph's
/// default), or the 40 hex digits some tools print.
fn thumbprint_in_identifier(custom: &str) -> Option<String> {
    let trimmed = custom.trim();
    if trimmed.len() == 40 && trimmed.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Some(trimmed.to_ascii_uppercase());
    }
    let bytes = base64::decode_standard(trimmed).ok()?;
    (bytes.len() == 20).then(|| hex::encode_upper(&bytes))
}

fn password_credential(
    index: usize,
    value: &Value,
) -> Result<PasswordCredential, AppRegistrationError> {
    const LIST: &str = "passwordCredentials";
    let object = entry(LIST, index, value)?;
    let s = |names: &[&str]| member_string(object, LIST, index, names);
    let mut bad_dates = Vec::new();
    let (start, end) = validity(object, &mut bad_dates, LIST, index)?;
    Ok(PasswordCredential {
        index,
        key_id: s(&["keyId"])?,
        display_name: s(&["displayName"])?,
        hint: s(&["hint"])?,
        start,
        end,
        has_secret_text: s(&["secretText", "value"])?.is_some_and(|t| !t.is_empty()),
        bad_dates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn reads_graph_and_aad_graph_shapes() {
        let sp = obj(json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity",
            "appId": "a", "preferredSingleSignOnMode": "saml",
            "preferredTokenSigningKeyThumbprint": "aa:bb",
            "keyCredentials": [{"customKeyIdentifier": "AAECAwQFBgcICQoLDA0ODxAREhM=", "endDateTime": "2022-12-17T20:33:07.0000000Z",
                "keyId": "k1", "startDateTime": "2020-12-17T20:33:07Z", "type": "X509CertAndPassword", "usage": "Sign", "key": null}],
            "passwordCredentials": [{"keyId": "k1", "endDateTime": "2022-12-17T20:33:07Z", "secretText": null, "hint": null}]
        }));
        assert!(looks_like(&sp));
        let app = AppRegistration::from_object(&sp).unwrap();
        assert_eq!(app.object, GraphObject::ServicePrincipal);
        assert!(app.is_saml());
        let k = &app.keys[0];
        assert_eq!(k.usage, Usage::Sign);
        assert_eq!(k.end, Some(1_671_309_187));
        assert_eq!(
            k.thumbprint.as_ref().unwrap().hex,
            "000102030405060708090A0B0C0D0E0F10111213"
        );
        assert!(app.opens_a_signing_key(&app.passwords[0]));

        let old = obj(json!({
            "odata.type": "Microsoft.DirectoryServices.Application",
            "keyCredentials": [], "passwordCredentials": [{"keyId": "p", "endDate": "2019-01-01T00:00:00Z", "value": null}]
        }));
        let app = AppRegistration::from_object(&old).unwrap();
        assert_eq!(app.object, GraphObject::Application);
        assert_eq!(app.passwords[0].end, Some(1_546_300_800));
        assert!(!app.passwords[0].has_secret_text);
    }

    #[test]
    fn the_sha256_recipe_names_its_thumbprint() {
        let thumb = "5214D6BA9438F984A0CC2C856CCEA6A76EDCEC3A";
        let custom = base64::encode_standard(&sha256(thumb.as_bytes()));
        let sp = obj(
            json!({"servicePrincipalType": "Application", "keyCredentials": [
            {"customKeyIdentifier": custom, "usage": "Verify", "type": "AsymmetricX509Cert", "keyId": "v"}]}),
        );
        let app = AppRegistration::from_object(&sp).unwrap();
        assert_eq!(app.keys[0].is_named_by(&thumb.to_lowercase()), Some(true));
        assert_eq!(app.keys[0].is_named_by("00"), None);
    }

    #[test]
    fn wrong_shapes_are_errors_not_panics() {
        for bad in [
            json!({"servicePrincipalType": "x", "keyCredentials": {}}),
            json!({"servicePrincipalType": "x", "keyCredentials": [1]}),
            json!({"servicePrincipalType": "x", "keyCredentials": [{"usage": 3}]}),
            json!({"@odata.context": "x#servicePrincipals", "value": [{}, {}], "keyCredentials": []}),
        ] {
            assert!(AppRegistration::from_object(&obj(bad)).is_err());
        }
    }
}
