//! The browser's sign-in session, kept as Entra keeps it: a session cookie (`ESTSAUTH`, HttpOnly, and over
//! HTTPS `secure` and `SameSite=None`, the attributes of Entra's own cookies in
//! `../shared/entra-samples/entra-response-headers.txt`) set when a user signs in, so that a later request
//! signs in without asking again, `IsPassive` can succeed, and `ForceAuthn` can be told apart.
//!
//! The session lives in the cookie, not in the server: its value names the tenant, the user and when they
//! signed in, with an HMAC-SHA256 under a key made at start. A sign-in reached from another site (as every
//! SAML sign-in is) therefore changes no server state, nothing grows with requests, and a forged or
//! altered cookie is no session. Sessions end when the server stops (the key goes with it) or after
//! [`SESSION_LIFETIME`].

use axum::http::{header, HeaderMap, HeaderValue};
use keyprobe_core::base64;
use openssl::error::ErrorStack;
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::sign::Signer;
use time::{Duration, OffsetDateTime};

/// Entra's session cookie.
pub(crate) const SESSION_COOKIE: &str = "ESTSAUTH";
/// How long a session lasts from sign-in: long enough for any test run, short of Entra's rolling 90 days.
pub(crate) const SESSION_LIFETIME: Duration = Duration::hours(24);
/// A cookie value longer than this is no session of ours (ours are about 150 characters).
const MAX_COOKIE_VALUE: usize = 512;
/// Sign-ins this far ahead of the request's clock are still believed (the clock may be set back in tests).
const FUTURE_ALLOWANCE: Duration = Duration::minutes(5);
const FORMAT_VERSION: &str = "v1";

/// Who is signed in, and since when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Session {
    pub tenant_id: String,
    pub user_object_id: String,
    /// When the user last entered credentials: the `AuthnInstant` of what a session signs in.
    pub authenticated_at: OffsetDateTime,
}

/// The key that makes and checks session cookies.
pub(crate) struct SessionKey {
    key: Vec<u8>,
}

impl std::fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionKey(..)")
    }
}

impl SessionKey {
    /// A fresh random key: sessions do not outlive the server.
    pub(crate) fn generate() -> Result<Self, ErrorStack> {
        let mut key = vec![0u8; 32];
        openssl::rand::rand_bytes(&mut key)?;
        Ok(Self { key })
    }

    fn mac(&self, payload: &str) -> Result<Vec<u8>, ErrorStack> {
        let key = PKey::hmac(&self.key)?;
        let mut signer = Signer::new(MessageDigest::sha256(), &key)?;
        signer.update(payload.as_bytes())?;
        signer.sign_to_vec()
    }

    /// The cookie value for a session: `payload.mac`, both base64url.
    fn value(&self, session: &Session) -> Result<String, ErrorStack> {
        let payload = base64::encode_url(
            format!(
                "{FORMAT_VERSION}|{}|{}|{}",
                session.tenant_id,
                session.user_object_id,
                millis(session.authenticated_at)
            )
            .as_bytes(),
        );
        let mac = base64::encode_url(&self.mac(&payload)?);
        Ok(format!("{payload}.{mac}"))
    }

    /// The `Set-Cookie` header that starts `session` (secure and `SameSite=None` over HTTPS, as Entra's;
    /// over plain HTTP a browser refuses both, so the cookie is `SameSite=Lax`, which a top-level
    /// navigation from the app, the Redirect binding, still carries).
    pub(crate) fn set_cookie(
        &self,
        session: &Session,
        https: bool,
    ) -> Result<HeaderValue, ErrorStack> {
        let attributes = if https {
            "path=/; secure; HttpOnly; SameSite=None"
        } else {
            "path=/; HttpOnly; SameSite=Lax"
        };
        let cookie = format!("{SESSION_COOKIE}={}; {attributes}", self.value(session)?);
        // Base64url, digits and fixed ASCII only: always a valid header value.
        Ok(HeaderValue::from_str(&cookie).unwrap_or(HeaderValue::from_static("")))
    }

    /// The `Set-Cookie` header that ends the session (sign-out): the cookie emptied and expired at once,
    /// with the attributes it was set with so that the browser replaces it.
    pub(crate) fn clear_cookie(https: bool) -> HeaderValue {
        if https {
            HeaderValue::from_static(
                "ESTSAUTH=; expires=Thu, 01 Jan 1970 00:00:00 GMT; max-age=0; path=/; secure; HttpOnly; SameSite=None",
            )
        } else {
            HeaderValue::from_static(
                "ESTSAUTH=; expires=Thu, 01 Jan 1970 00:00:00 GMT; max-age=0; path=/; HttpOnly; SameSite=Lax",
            )
        }
    }

    /// The session the request's cookies carry, if one is genuine and current at `at`.
    pub(crate) fn read(&self, headers: &HeaderMap, at: OffsetDateTime) -> Option<Session> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|line| line.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .filter(|(name, _)| *name == SESSION_COOKIE)
            .find_map(|(_, value)| self.check(value.trim()))
            .filter(|session| {
                session.authenticated_at <= at + FUTURE_ALLOWANCE
                    && at < session.authenticated_at + SESSION_LIFETIME
            })
    }

    /// The session a cookie value carries when its MAC is ours.
    fn check(&self, value: &str) -> Option<Session> {
        if value.len() > MAX_COOKIE_VALUE {
            return None;
        }
        let (payload, mac) = value.split_once('.')?;
        let presented = base64::decode_url(mac).ok()?;
        let expected = self.mac(payload).ok()?;
        if presented.len() != expected.len() || !openssl::memcmp::eq(&presented, &expected) {
            return None;
        }
        let text = String::from_utf8(base64::decode_url(payload).ok()?).ok()?;
        let mut fields = text.split('|');
        if fields.next()? != FORMAT_VERSION {
            return None;
        }
        let tenant_id = fields.next()?.to_string();
        let user_object_id = fields.next()?.to_string();
        let millis: i64 = fields.next()?.parse().ok()?;
        let authenticated_at =
            OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000).ok()?;
        if fields.next().is_some() {
            return None;
        }
        Some(Session {
            tenant_id,
            user_object_id,
            authenticated_at,
        })
    }
}

/// Milliseconds since the epoch: SAML instants carry milliseconds, so a session's sign-in time does too.
fn millis(at: OffsetDateTime) -> i128 {
    at.unix_timestamp_nanos() / 1_000_000
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(at: OffsetDateTime) -> Session {
        Session {
            tenant_id: "t".into(),
            user_object_id: "u".into(),
            authenticated_at: at.replace_millisecond(at.millisecond()).unwrap(),
        }
    }

    fn cookie_headers(set_cookie: &HeaderValue) -> HeaderMap {
        let pair = set_cookie.to_str().unwrap().split(';').next().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, format!("other=1; {pair}").parse().unwrap());
        headers
    }

    #[test]
    fn a_session_round_trips_and_nothing_else_is_one() {
        let key = SessionKey::generate().unwrap();
        let now = OffsetDateTime::now_utc();
        let made = session(now);
        let set = key.set_cookie(&made, true).unwrap();
        assert!(set
            .to_str()
            .unwrap()
            .ends_with("; path=/; secure; HttpOnly; SameSite=None"));
        assert!(key
            .set_cookie(&made, false)
            .unwrap()
            .to_str()
            .unwrap()
            .ends_with("; path=/; HttpOnly; SameSite=Lax"));
        let headers = cookie_headers(&set);
        assert_eq!(key.read(&headers, now), Some(made.clone()));
        // What sign-out sets is no session.
        for https in [true, false] {
            let cleared = cookie_headers(&SessionKey::clear_cookie(https));
            assert_eq!(key.read(&cleared, now), None);
        }
        // Expired, or from another server's key.
        assert_eq!(key.read(&headers, now + SESSION_LIFETIME), None);
        let other = SessionKey::generate().unwrap();
        assert_eq!(other.read(&headers, now), None);
        // Altered payload, truncated MAC, garbage, oversized.
        let value = key.value(&made).unwrap();
        let (payload, mac) = value.split_once('.').unwrap();
        let forged = base64::encode_url(format!("v1|t|someone-else|{}", millis(now)).as_bytes());
        for bad in [
            format!("{forged}.{mac}"),
            format!("{payload}.{}", &mac[..10]),
            "garbage".to_string(),
            format!("{payload}.{mac}{}", "A".repeat(600)),
        ] {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::COOKIE,
                format!("{SESSION_COOKIE}={bad}").parse().unwrap(),
            );
            assert_eq!(key.read(&headers, now), None, "{bad}");
        }
    }
}
