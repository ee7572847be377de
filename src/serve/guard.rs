//! Who may talk to the page: only a browser that addressed this server by its own address, and only
//! from the page itself. A DNS-rebinding page reaches 127.0.0.1 under its own host name, so its `Host`
//! names another host; a cross-site page sends a foreign `Origin` (or `Sec-Fetch-Site: cross-site`).
//! Either is refused before any handler runs, so no foreign page can make keyprobe fetch a URL or read
//! what it answers.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::limits::MAX_INPUT_BYTES;

/// The address the page is served on, as the guard compares it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Served {
    pub addr: SocketAddr,
}

/// Why a request was refused, with what was expected and what was presented.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Refusal {
    #[error(
        "keyprobe serve answers only requests for http://{expected}, not for host '{presented}'"
    )]
    ForeignHost {
        expected: SocketAddr,
        presented: String,
    },
    #[error("keyprobe serve answers only requests that name its host (no Host header)")]
    NoHost,
    #[error("the page's API answers only the page itself, not the origin '{presented}'")]
    ForeignOrigin { presented: String },
    #[error("the page's API answers only the page itself, not a {presented} request")]
    CrossSite { presented: String },
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = match self {
            Refusal::ForeignHost { .. } | Refusal::NoHost => StatusCode::MISDIRECTED_REQUEST,
            Refusal::ForeignOrigin { .. } | Refusal::CrossSite { .. } => StatusCode::FORBIDDEN,
        };
        (status, format!("{self}\n")).into_response()
    }
}

/// Every request: the Host must be this server's address; a request that may change or fetch
/// anything (every method but GET and HEAD) must come from the page itself.
pub(crate) async fn same_site_only(
    State(served): State<Served>,
    request: Request,
    next: Next,
) -> Response {
    match judge(served.addr, request.method(), request.headers()) {
        Ok(()) => next.run(request).await,
        Err(refusal) => refusal.into_response(),
    }
}

pub(crate) fn judge(addr: SocketAddr, method: &Method, headers: &HeaderMap) -> Result<(), Refusal> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .ok_or(Refusal::NoHost)?;
    if !host_names_us(host, addr) {
        return Err(Refusal::ForeignHost {
            expected: addr,
            presented: host.to_string(),
        });
    }
    if method == Method::GET || method == Method::HEAD {
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
    match headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        Some(origin) if origin != format!("http://{host}") => Err(Refusal::ForeignOrigin {
            presented: origin.to_string(),
        }),
        _ => Ok(()),
    }
}

/// `Host` names this server: its port, and its address (`localhost` too when it is loopback). Bound
/// to every interface, any IP literal is accepted (a rebinding page cannot present an IP literal as
/// its own name), never a DNS name.
fn host_names_us(host: &str, addr: SocketAddr) -> bool {
    let Some((name, port)) = keyprobe_core::host::split_host(host) else {
        return false;
    };
    if port != addr.port() {
        return false;
    }
    let ip = addr.ip();
    if name.eq_ignore_ascii_case("localhost") {
        return ip.is_loopback();
    }
    match name.parse::<IpAddr>() {
        Ok(presented) => ip.is_unspecified() || presented == ip,
        Err(_) => false,
    }
}

/// The body must arrive whole within `timeout`: a client that sends headers and then dribbles (or
/// never sends) its body must not hold a connection and a task forever.
pub(crate) async fn body_within(
    State(timeout): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let limit = MAX_INPUT_BYTES * 2;
    match tokio::time::timeout(timeout, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(_)) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request body is larger than {limit} bytes\n"),
        )
            .into_response(),
        Err(_) => {
            let mut response = (
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the request body did not arrive within {} s\n",
                    timeout.as_secs()
                ),
            )
                .into_response();
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn only_our_own_address_is_answered() {
        let addr: SocketAddr = "127.0.0.1:8123".parse().unwrap();
        let ok = |h: &str| judge(addr, &Method::GET, &headers(&[("host", h)])).is_ok();
        assert!(ok("127.0.0.1:8123"));
        assert!(ok("localhost:8123"));
        assert!(!ok("attacker.example:8123"), "DNS rebinding");
        assert!(!ok("127.0.0.1:8124"));
        assert!(!ok("127.0.0.1"));
        assert!(!ok("10.0.0.1:8123"));
        assert_eq!(
            judge(addr, &Method::GET, &HeaderMap::new()),
            Err(Refusal::NoHost)
        );
        let v6: SocketAddr = "[::1]:8123".parse().unwrap();
        assert!(judge(v6, &Method::GET, &headers(&[("host", "[::1]:8123")])).is_ok());
        let any: SocketAddr = "0.0.0.0:8123".parse().unwrap();
        assert!(judge(any, &Method::GET, &headers(&[("host", "192.0.2.7:8123")])).is_ok());
        assert!(judge(
            any,
            &Method::GET,
            &headers(&[("host", "evil.example:8123")])
        )
        .is_err());
        assert!(judge(any, &Method::GET, &headers(&[("host", "localhost:8123")])).is_err());
    }

    #[test]
    fn the_api_answers_only_the_page() {
        let addr: SocketAddr = "127.0.0.1:8123".parse().unwrap();
        let post = |pairs: &[(&'static str, &str)]| judge(addr, &Method::POST, &headers(pairs));
        assert!(
            post(&[("host", "127.0.0.1:8123")]).is_ok(),
            "curl, no Origin"
        );
        assert!(post(&[
            ("host", "127.0.0.1:8123"),
            ("origin", "http://127.0.0.1:8123")
        ])
        .is_ok());
        assert!(matches!(
            post(&[
                ("host", "127.0.0.1:8123"),
                ("origin", "https://attacker.example")
            ]),
            Err(Refusal::ForeignOrigin { .. })
        ));
        assert!(matches!(
            post(&[("host", "127.0.0.1:8123"), ("sec-fetch-site", "cross-site")]),
            Err(Refusal::CrossSite { .. })
        ));
        assert!(post(&[
            ("host", "127.0.0.1:8123"),
            ("sec-fetch-site", "same-origin")
        ])
        .is_ok());
    }
}
