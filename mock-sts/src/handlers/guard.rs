//! Who may use the control API and the dashboard (`/_mock/…`): the test harness on this machine, never a
//! web page. A DNS-rebinding page reaches the mock under its own host name, so its `Host` names another
//! host (refused, or `/_mock/config` would hand it the client secrets); a cross-site page sends a foreign
//! `Origin` or `Sec-Fetch-Site: cross-site`, and without asking first it can send only a "simple" request
//! (no body, a form or a text body), so a state change needs a JSON body or the `X-Mock-STS` header.
//! Entra's own endpoints are not guarded: they answer as Entra does.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{json_response, Caching};

/// The header a client may send instead of a JSON body to show that it is not a browser form.
pub(crate) const CONTROL_HEADER: &str = "x-mock-sts";

/// The address the control API answers for.
#[derive(Debug, Clone)]
pub(crate) struct Served {
    /// The bound socket address.
    pub addr: SocketAddr,
    /// `http` or `https`, for comparing `Origin`.
    pub scheme: &'static str,
    /// The configured public address (`--public-url`), `host` or `host:port` in lower case as a `Host`
    /// header names it.
    pub public_host: Option<String>,
}

impl Served {
    /// What a base URL says: its scheme, its address when it is an IP literal, else its name as the
    /// public address (for a router built without a socket, as the fuzz target does).
    pub(crate) fn for_base_url(base_url: &str) -> Self {
        let parsed = url::Url::parse(base_url).ok();
        let scheme = match parsed.as_ref().map(url::Url::scheme) {
            Some("https") => "https",
            _ => "http",
        };
        let port = parsed
            .as_ref()
            .and_then(url::Url::port_or_known_default)
            .unwrap_or(80);
        let ip = match parsed.as_ref().and_then(url::Url::host) {
            Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            _ => None,
        };
        Served {
            addr: SocketAddr::new(
                ip.unwrap_or(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)),
                port,
            ),
            scheme,
            public_host: match ip {
                Some(_) => None,
                None => parsed.as_ref().and_then(public_host),
            },
        }
    }
}

/// `host` or `host:port` as a `Host` header names a URL's server (the default port left out).
pub(crate) fn public_host(url: &url::Url) -> Option<String> {
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// Why a control request was refused, with what was expected and what was presented.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Refusal {
    #[error("the control API answers only requests for {expected}, not for host '{presented}'")]
    ForeignHost { expected: String, presented: String },
    #[error("the control API answers only requests that name its host (no Host header)")]
    NoHost,
    #[error("the control API changes nothing for a request from the origin '{presented}'")]
    ForeignOrigin { presented: String },
    #[error("the control API changes nothing for a {presented} request")]
    CrossSite { presented: String },
    #[error("the control API changes state only for a JSON body (Content-Type: application/json) or a request with an X-Mock-STS header, not for {presented}")]
    SimpleRequest { presented: String },
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, code) = match self {
            Refusal::ForeignHost { .. } | Refusal::NoHost => {
                (StatusCode::MISDIRECTED_REQUEST, "foreign_host")
            }
            Refusal::ForeignOrigin { .. } | Refusal::CrossSite { .. } => {
                (StatusCode::FORBIDDEN, "cross_site")
            }
            Refusal::SimpleRequest { .. } => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "not_json"),
        };
        json_response(
            status,
            &json!({"error": code, "message": self.to_string()}),
            Caching::None,
        )
    }
}

/// Middleware for the `/_mock/` routes.
pub(crate) async fn control_only(
    State(served): State<Served>,
    request: Request,
    next: Next,
) -> Response {
    // HTTP/2 carries the host in `:authority`, which hyper puts in the URI rather than in `Host`.
    let authority = request.uri().authority().map(|a| a.as_str().to_string());
    match judge(
        &served,
        request.method(),
        request.headers(),
        authority.as_deref(),
    ) {
        Ok(()) => next.run(request).await,
        Err(refusal) => refusal.into_response(),
    }
}

/// Every request must name this server; one that may change state (every method but GET, HEAD and
/// OPTIONS) must come from this server's own pages or from a program, and must not be a simple request.
pub(crate) fn judge(
    served: &Served,
    method: &Method,
    headers: &HeaderMap,
    authority: Option<&str>,
) -> Result<(), Refusal> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or(authority)
        .ok_or(Refusal::NoHost)?;
    if !host_names_us(host, served) {
        return Err(Refusal::ForeignHost {
            expected: expected_hosts(served),
            presented: host.to_string(),
        });
    }
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    if let Some(site) = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .filter(|s| !matches!(*s, "same-origin" | "none"))
    {
        return Err(Refusal::CrossSite {
            presented: site.to_string(),
        });
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let own = format!("{}://{host}", served.scheme);
        let presented = origin.to_str().unwrap_or_default();
        if !presented.eq_ignore_ascii_case(&own) {
            return Err(Refusal::ForeignOrigin {
                presented: presented.to_string(),
            });
        }
    }
    if headers.contains_key(CONTROL_HEADER) {
        return Ok(());
    }
    match headers.get(header::CONTENT_TYPE) {
        Some(value) if is_json(value.to_str().unwrap_or_default()) => Ok(()),
        Some(value) => Err(Refusal::SimpleRequest {
            presented: format!(
                "Content-Type '{}'",
                String::from_utf8_lossy(value.as_bytes())
            ),
        }),
        None => Err(Refusal::SimpleRequest {
            presented: "a request without Content-Type".to_string(),
        }),
    }
}

/// `application/json` or `application/…+json`, parameters aside: a type a form cannot send unasked.
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|sub| sub.ends_with("+json"))
}

fn expected_hosts(served: &Served) -> String {
    let port = served.addr.port();
    let bound = if served.addr.ip().is_loopback() {
        format!("127.0.0.1:{port}, [::1]:{port} or localhost:{port}")
    } else if served.addr.ip().is_unspecified() {
        format!("an IP address with port {port} or localhost:{port}")
    } else {
        match served.addr {
            SocketAddr::V4(a) => a.to_string(),
            SocketAddr::V6(a) => a.to_string(),
        }
    };
    match &served.public_host {
        Some(public) => format!("{public} or {bound}"),
        None => bound,
    }
}

/// `Host` names this server: the configured public address, or the bound port with the bound address
/// (`localhost` and any loopback address when bound to loopback or to every interface; any IP address
/// when bound to every interface: a rebinding page cannot present an IP address as its own name).
fn host_names_us(host: &str, served: &Served) -> bool {
    if served
        .public_host
        .as_deref()
        .is_some_and(|public| public.eq_ignore_ascii_case(host))
    {
        return true;
    }
    let Some((name, port)) = keyprobe_core::host::split_host(host) else {
        return false;
    };
    if port != served.addr.port() {
        return false;
    }
    let ip = served.addr.ip();
    let local = ip.is_loopback() || ip.is_unspecified();
    if name.eq_ignore_ascii_case("localhost") {
        return local;
    }
    match name.parse::<IpAddr>() {
        Ok(presented) => {
            ip.is_unspecified() || presented == ip || (local && presented.is_loopback())
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn served(addr: &str, public: Option<&str>) -> Served {
        Served {
            addr: addr.parse().unwrap(),
            scheme: "http",
            public_host: public.map(str::to_string),
        }
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn only_our_own_address_is_answered() {
        let loopback = served("127.0.0.1:8123", None);
        let get = |s: &Served, h: &str| judge(s, &Method::GET, &headers(&[("host", h)]), None);
        assert!(get(&loopback, "127.0.0.1:8123").is_ok());
        assert!(get(&loopback, "localhost:8123").is_ok());
        assert!(get(&loopback, "LOCALHOST:8123").is_ok());
        assert!(
            get(&loopback, "attacker.example:8123").is_err(),
            "DNS rebinding"
        );
        assert!(get(&loopback, "127.0.0.1:8124").is_err());
        assert!(get(&loopback, "127.0.0.1").is_err());
        assert!(get(&loopback, "10.0.0.1:8123").is_err());
        assert_eq!(
            judge(&loopback, &Method::GET, &HeaderMap::new(), None),
            Err(Refusal::NoHost)
        );
        assert!(judge(
            &loopback,
            &Method::GET,
            &HeaderMap::new(),
            Some("127.0.0.1:8123")
        )
        .is_ok());

        let any = served("0.0.0.0:8123", Some("mock-sts:8123"));
        assert!(get(&any, "192.0.2.7:8123").is_ok());
        assert!(get(&any, "localhost:8123").is_ok());
        assert!(
            get(&any, "mock-sts:8123").is_ok(),
            "the configured public address"
        );
        assert!(get(&any, "evil.example:8123").is_err());
        assert!(get(&any, "mock-sts:8124").is_err());

        let lan = served("192.0.2.7:8123", None);
        assert!(get(&lan, "192.0.2.7:8123").is_ok());
        assert!(get(&lan, "localhost:8123").is_err());
        assert!(get(&lan, "192.0.2.8:8123").is_err());
    }

    #[test]
    fn no_state_change_from_a_page_or_a_form() {
        let s = served("127.0.0.1:8123", None);
        let post = |pairs: &[(&'static str, &str)]| judge(&s, &Method::POST, &headers(pairs), None);
        let host = ("host", "127.0.0.1:8123");
        let json = ("content-type", "application/json");
        assert!(post(&[host, json]).is_ok(), "a program, no Origin");
        assert!(post(&[host, ("content-type", "application/json; charset=utf-8")]).is_ok());
        assert!(
            post(&[host, ("x-mock-sts", "1")]).is_ok(),
            "curl -X POST -H 'X-Mock-STS: 1'"
        );
        assert!(
            post(&[
                host,
                json,
                ("origin", "http://127.0.0.1:8123"),
                ("sec-fetch-site", "same-origin")
            ])
            .is_ok(),
            "the dashboard"
        );
        for simple in [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "text/plain",
            "text/plain;charset=UTF-8",
        ] {
            assert!(
                matches!(
                    post(&[host, ("content-type", simple)]),
                    Err(Refusal::SimpleRequest { .. })
                ),
                "{simple}"
            );
        }
        assert!(
            matches!(post(&[host]), Err(Refusal::SimpleRequest { .. })),
            "no body"
        );
        assert!(matches!(
            post(&[host, json, ("origin", "https://attacker.example")]),
            Err(Refusal::ForeignOrigin { .. })
        ));
        assert!(matches!(
            post(&[host, json, ("origin", "null")]),
            Err(Refusal::ForeignOrigin { .. })
        ));
        assert!(matches!(
            post(&[host, ("x-mock-sts", "1"), ("sec-fetch-site", "cross-site")]),
            Err(Refusal::CrossSite { .. })
        ));
        assert!(matches!(
            post(&[host, json, ("sec-fetch-site", "same-site")]),
            Err(Refusal::CrossSite { .. })
        ));
        assert!(judge(&s, &Method::DELETE, &headers(&[host]), None).is_err());
        assert!(
            judge(
                &s,
                &Method::GET,
                &headers(&[host, ("origin", "https://attacker.example")]),
                None
            )
            .is_ok(),
            "reads are left to the same-origin policy (no CORS headers)"
        );
    }
}
