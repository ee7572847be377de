//! `keyprobe serve`: the inspector as a local page on 127.0.0.1. Assets are compiled into the
//! binary, every response forbids loading anything from elsewhere, and nothing pasted leaves the
//! machine: the only outbound requests are fetches of key sources the user typed as URLs.

mod api;
mod guard;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;

use crate::fetch::{FetchError, FetchOptions, Fetcher};
use crate::limits::MAX_INPUT_BYTES;

/// Content-Security-Policy: our own script and style only, no inline code, no other origin.
pub(crate) const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const STYLE_CSS: &str = include_str!("assets/style.css");
/// The page names its icon inline; this answers browsers and tools that ask for it anyway.
const FAVICON_SVG: &str = include_str!("assets/favicon.svg");

pub(crate) struct ServeOptions {
    pub bind: std::net::IpAddr,
    pub port: u16,
    pub open: bool,
    pub fetch: FetchOptions,
    /// How long a client may take to send a request's headers, and then its body.
    pub read_timeout: Duration,
}

/// Default for [`ServeOptions::read_timeout`].
pub(crate) const READ_TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) struct AppState {
    fetcher: Fetcher,
}

/// Why the page could not be served: exit code 2.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum ServeError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: SocketAddr,
        source: std::io::Error,
    },
    /// The async runtime or the server itself failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Serves until Ctrl-C. Prints `keyprobe serve listening on http://ADDR` once connections are accepted.
pub(crate) fn run(options: ServeOptions) -> Result<(), ServeError> {
    let fetcher = Fetcher::new(&options.fetch)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let addr = SocketAddr::new(options.bind, options.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| ServeError::Listen { addr, source })?;
        let local = listener.local_addr()?;
        if !local.ip().is_loopback() {
            eprintln!("keyprobe: WARNING: serving on {local}, reachable from other machines; pasted tokens would cross the network");
        }
        let url = format!("http://{local}");
        println!("keyprobe serve listening on {url}");
        use std::io::Write;
        let _ = std::io::stdout().flush();
        if options.open {
            // Best effort: a missing opener is not an error, the address is printed above.
            let _ = std::process::Command::new("xdg-open").arg(&url).spawn();
        }
        let app = router(Arc::new(AppState { fetcher }), local, options.read_timeout);
        serve_connections(listener, app, options.read_timeout).await;
        Ok(())
    })
}

/// Serves each connection with hyper until Ctrl-C: a client must send its request headers within
/// `read_timeout` (a half-sent or silent connection is closed), then in-flight requests are drained.
async fn serve_connections(listener: tokio::net::TcpListener, app: Router, read_timeout: Duration) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(read_timeout);
    let graceful = GracefulShutdown::new();
    let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else {
                    // Out of descriptors or a reset during accept: pause rather than spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let service = TowerToHyperService::new(app.clone());
                let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
                tokio::spawn(async move {
                    let _ = connection.await;
                });
            }
            _ = &mut ctrl_c => break,
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(5), graceful.shutdown()).await;
}

pub(crate) fn router(state: Arc<AppState>, served: SocketAddr, read_timeout: Duration) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async { asset(INDEX_HTML, "text/html; charset=utf-8") }),
        )
        .route(
            "/app.js",
            get(|| async { asset(APP_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/style.css",
            get(|| async { asset(STYLE_CSS, "text/css; charset=utf-8") }),
        )
        .route(
            "/favicon.ico",
            get(|| async { asset(FAVICON_SVG, "image/svg+xml") }),
        )
        .route("/api/inspect", post(api::inspect))
        .route("/api/explain/{code}", get(api::explain))
        .layer(DefaultBodyLimit::max(MAX_INPUT_BYTES * 2))
        .layer(axum::middleware::from_fn_with_state(
            read_timeout,
            guard::body_within,
        ))
        .layer(axum::middleware::from_fn_with_state(
            guard::Served { addr: served },
            guard::same_site_only,
        ))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}
