//! How a client proves itself at the token endpoint, checked as Entra checks it: a secret (form or HTTP
//! Basic) or a `client_assertion` JWT signed with a certificate registered on the app.

use std::borrow::Cow;

use axum::http::HeaderMap;
use keyprobe_core::base64;
use time::{Duration, OffsetDateTime};

use super::Params;
use crate::errors::{AadCode, AadError};
use crate::jwt;
use crate::model::{App, ClientSecret, RegisteredCertificate};
use crate::scenario::Scenario;
use crate::tokens::ClientAuthMethod;
use crate::util::{from_unix, key_date, ticks_timestamp};

pub(crate) const JWT_BEARER_ASSERTION: &str =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Clock skew Entra tolerates on client assertions.
const ASSERTION_SKEW_SECONDS: i64 = 300;

/// Credentials as sent, before they are checked.
#[derive(Debug, Default)]
pub struct PresentedCredentials {
    pub client_id: Option<String>,
    pub secret: Option<String>,
    pub assertion: Option<String>,
    pub assertion_type: Option<String>,
}

impl PresentedCredentials {
    pub fn from_request(params: &Params, headers: &HeaderMap) -> Self {
        let basic = basic_credentials(headers);
        let (basic_id, basic_secret) = match basic {
            Some((id, secret)) => (Some(id), Some(secret)),
            None => (None, None),
        };
        let assertion = params.get("client_assertion").map(str::to_string);
        // With an assertion and no client_id, Entra takes the client from the assertion's `sub`.
        let assertion_subject = assertion
            .as_deref()
            .and_then(|a| jwt::decode(a).ok())
            .and_then(|jwt| jwt.claim_str("sub").map(str::to_string));
        Self {
            client_id: params
                .get("client_id")
                .map(str::to_string)
                .or(basic_id)
                .or(assertion_subject),
            secret: params
                .get("client_secret")
                .map(str::to_string)
                .or(basic_secret),
            assertion,
            assertion_type: params.get("client_assertion_type").map(str::to_string),
        }
    }
}

/// `Authorization: Basic base64(form-urlencoded id ":" form-urlencoded secret)` (RFC 6749 §2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = String::from_utf8(base64::decode_standard(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| -> String {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Some((unescape(id), unescape(secret)))
}

/// Check the presented credentials against `app`'s, as the scenario leaves them, and the certificates
/// uploaded to it at run time (`uploaded`, which no scenario touches: they are the fix). `audiences` are the
/// token endpoint URLs an assertion may name in `aud`.
pub(crate) fn authenticate(
    app: &App,
    uploaded: &[RegisteredCertificate],
    presented: &PresentedCredentials,
    audiences: &[String],
    now: OffsetDateTime,
    scenario: Scenario,
) -> Result<ClientAuthMethod, AadError> {
    let mut app = credentials_in(app, scenario, now);
    if !uploaded.is_empty() {
        app.to_mut().certificates.extend(uploaded.iter().cloned());
    }
    let app = &*app;
    // In `expired-client-assertion` Entra's clock is an hour ahead of the client's.
    let now = match scenario {
        Scenario::ExpiredClientAssertion => {
            now + Duration::seconds(
                keyprobe_core::reproduce::EXPIRED_CLIENT_ASSERTION_CLOCK_AHEAD_SECONDS,
            )
        }
        _ => now,
    };
    let has_credential = presented.secret.is_some() || presented.assertion.is_some();
    if !app.is_confidential() {
        return if has_credential {
            Err(AadError::new(AadCode::PublicClientWithCredential))
        } else {
            Ok(ClientAuthMethod::None)
        };
    }
    if let Some(assertion) = &presented.assertion {
        match presented.assertion_type.as_deref() {
            None => {
                return Err(AadError::new(AadCode::MissingParameter)
                    .arg("parameter", "client_assertion_type"))
            }
            Some(JWT_BEARER_ASSERTION) => {}
            Some(_) => return Err(AadError::new(AadCode::MalformedRequest)),
        }
        verify_assertion(app, assertion, audiences, now)?;
        return Ok(ClientAuthMethod::Certificate);
    }
    if let Some(secret) = &presented.secret {
        return check_secret(app, secret, now).map(|_| ClientAuthMethod::Secret);
    }
    Err(AadError::new(AadCode::MissingClientCredential))
}

/// The app's credentials as a scenario leaves them, the way the portal's "Certificates & secrets" would
/// show them: secrets or certificate credentials that ended yesterday, or no certificate at all.
fn credentials_in(app: &App, scenario: Scenario, now: OffsetDateTime) -> Cow<'_, App> {
    let yesterday = now - Duration::days(1);
    match scenario {
        Scenario::ExpiredClientSecret => {
            let mut app = app.clone();
            for secret in &mut app.secrets {
                let end = secret.expires.map_or(yesterday, |e| e.min(yesterday));
                secret.expires = Some(end);
                secret.starts = secret.starts.map(|s| s.min(end - Duration::days(365)));
            }
            Cow::Owned(app)
        }
        Scenario::ClientCertNotUploaded => {
            let mut app = app.clone();
            app.certificates.clear();
            Cow::Owned(app)
        }
        Scenario::ExpiredClientCert => {
            let mut app = app.clone();
            for cert in &mut app.certificates {
                cert.expires = cert.expires.min(yesterday);
                cert.starts = cert.starts.min(cert.expires - Duration::days(365));
            }
            Cow::Owned(app)
        }
        _ => Cow::Borrowed(app),
    }
}

fn check_secret(app: &App, presented: &str, now: OffsetDateTime) -> Result<(), AadError> {
    let matching: Vec<_> = app
        .secrets
        .iter()
        .filter(|s| constant_time_eq(s.value.as_bytes(), presented.as_bytes()))
        .collect();
    let ended = |s: &ClientSecret| s.expires.is_some_and(|expires| expires < now);
    let in_force = |s: &ClientSecret| s.starts.is_none_or(|starts| starts <= now) && !ended(s);
    if matching.iter().any(|s| in_force(s)) {
        return Ok(());
    }
    if matching.iter().any(|s| ended(s)) {
        return Err(AadError::new(AadCode::ExpiredClientSecret).arg("client_id", &app.client_id));
    }
    // No secret matches, or the one that does is not valid yet (Entra's answer to that is not known;
    // a secret that is not in force is taken as not the app's).
    Err(AadError::new(AadCode::InvalidClientSecret))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && openssl::memcmp::eq(a, b)
}

fn invalid_jwt(reason: &str) -> AadError {
    AadError::new(AadCode::InvalidJwtToken).arg("reason", reason)
}

fn verify_assertion(
    app: &App,
    assertion: &str,
    audiences: &[String],
    now: OffsetDateTime,
) -> Result<(), AadError> {
    let decoded = jwt::decode(assertion)
        .map_err(|err| invalid_jwt(&format!("The token is malformed: {err}.")))?;
    let (certificate, thumbprint) = find_certificate(app, &decoded)?;
    if now < certificate.starts || now > certificate.expires {
        // Entra says "expired" of a key not yet valid too (a signing host whose clock runs ahead).
        return Err(AadError::new(AadCode::AssertionCertificateExpired)
            .arg("thumbprint", thumbprint)
            .arg("key_start", key_date(certificate.starts))
            .arg("key_end", key_date(certificate.expires)));
    }
    let public_key = openssl::x509::X509::from_der(&certificate.der)
        .and_then(|cert| cert.public_key())
        .map_err(|_| AadError::new(AadCode::MalformedRequest))?;
    if !decoded.verify(&public_key) {
        return Err(AadError::new(AadCode::AssertionSignatureInvalid)
            .arg("thumbprint", thumbprint)
            .arg("key_start", key_date(certificate.starts))
            .arg("key_end", key_date(certificate.expires)));
    }
    let audience_ok = match decoded.claims.get("aud") {
        Some(serde_json::Value::String(aud)) => {
            audiences.iter().any(|a| a.eq_ignore_ascii_case(aud))
        }
        Some(serde_json::Value::Array(list)) => list
            .iter()
            .filter_map(|v| v.as_str())
            .any(|aud| audiences.iter().any(|a| a.eq_ignore_ascii_case(aud))),
        _ => false,
    };
    if !audience_ok {
        // Another tenant's or cloud's token endpoint, or no audience at all: Entra's AADSTS700023.
        return Err(AadError::new(AadCode::AssertionAudienceMismatch));
    }
    let client = app.client_id.as_str();
    if !decoded
        .claim_str("iss")
        .is_some_and(|iss| iss.eq_ignore_ascii_case(client))
        || !decoded
            .claim_str("sub")
            .is_some_and(|sub| sub.eq_ignore_ascii_case(client))
    {
        return Err(AadError::new(AadCode::AssertionClientMismatch));
    }
    let Some(expires) = decoded.claim_time("exp") else {
        return Err(invalid_jwt("The token has no 'exp' claim."));
    };
    let not_before = decoded
        .claim_time("nbf")
        .or_else(|| decoded.claim_time("iat"));
    let now_seconds = now.unix_timestamp();
    let too_early = not_before.is_some_and(|nbf| now_seconds + ASSERTION_SKEW_SECONDS < nbf);
    let too_late = now_seconds - ASSERTION_SKEW_SECONDS > expires;
    if too_early || too_late {
        return Err(AadError::new(AadCode::AssertionOutsideValidTime)
            .arg("now", ticks_timestamp(now))
            .arg(
                "not_before",
                ticks_timestamp(from_unix(not_before.unwrap_or(0))),
            )
            .arg("expires", ticks_timestamp(from_unix(expires))));
    }
    Ok(())
}

/// The registered certificate named by `x5t#S256` or `x5t`; its thumbprint as AADSTS700027 shows it.
fn find_certificate<'a>(
    app: &'a App,
    decoded: &jwt::DecodedJwt,
) -> Result<(&'a RegisteredCertificate, String), AadError> {
    let by_sha256 = decoded.header_str("x5t#S256").map(|t| (t, true));
    let by_sha1 = decoded.header_str("x5t").map(|t| (t, false));
    let Some((encoded, sha256)) = by_sha256.or(by_sha1) else {
        return Err(invalid_jwt(
            "No certificate thumbprint specified in token header.",
        ));
    };
    // MSAL Python writes the thumbprint with base64 padding (urlsafe_b64encode) and Entra accepts it.
    let Ok(digest) = base64::decode_url(encoded.trim_end_matches('=')) else {
        return Err(invalid_jwt(
            "The certificate thumbprint in the token header is not base64url.",
        ));
    };
    let thumbprint = hex::encode_upper(&digest);
    app.certificates
        .iter()
        .find(|c| {
            let registered = if sha256 {
                &c.thumbprints.sha256_hex
            } else {
                &c.thumbprints.sha1_hex
            };
            *registered == thumbprint
        })
        .map(|c| (c, thumbprint.clone()))
        .ok_or_else(|| {
            AadError::new(AadCode::AssertionCertificateNotRegistered)
                .arg("thumbprint", thumbprint)
                .arg("client_id", &app.client_id)
        })
}
