//! Binding, serving and stopping: the library entry point used by the binary and by in-process tests.
//!
//! Connections are served by hyper (HTTP/1.1 and HTTP/2, optionally over TLS with openssl), with headers
//! bounded and a read timeout, and drained on shutdown.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use openssl::ssl::{Ssl, SslAcceptor};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::{ConfigError, LoadedConfig};
use crate::handlers;
use crate::keys::KeyError;
use crate::scenario::Scenario;
use crate::state::{AppState, KeyRing};
use crate::tls;

/// Largest request head (request line and headers) accepted.
const MAX_HEADER_BYTES: usize = 64 * 1024;
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// The first bytes of an HTTP/2 connection; anything else is read as HTTP/1.1.
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// How to start a server. `Options::default()` is what `mock-sts` with no flags does: the embedded
/// configuration, 127.0.0.1, a free port, plain HTTP, the default state directory, `healthy`.
#[derive(Debug, Clone)]
pub struct Options {
    /// A validated configuration; `None` means the embedded default.
    pub config: Option<LoadedConfig>,
    /// The address to listen on (127.0.0.1 by default).
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// Serve HTTPS with a certificate from a CA kept in the state directory ([`RunningServer::ca_pem_path`]).
    pub tls: bool,
    /// Where keys and certificates are kept; `None` means [`default_state_dir`].
    pub state_dir: Option<PathBuf>,
    /// The URL clients reach the server by when that is not the bound address (a container's service
    /// name): it becomes the base of every URL the mock writes, and the control API answers for it.
    pub public_url: Option<String>,
    /// The scenario in force at start.
    pub scenario: Scenario,
    /// How long a client may take to send its first bytes and then its request head (headers), over
    /// plain HTTP or after a TLS handshake. Tests shorten it; the default is 30 s.
    pub header_read_timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            config: None,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            tls: false,
            state_dir: None,
            public_url: None,
            scenario: Scenario::Healthy,
            header_read_timeout: HEADER_READ_TIMEOUT,
        }
    }
}

/// `$XDG_STATE_HOME/mock-sts`, else `$HOME/.local/state/mock-sts`; never a shared temporary directory,
/// where someone else could plant the keys the mock signs with.
pub(crate) fn default_state_dir() -> Option<PathBuf> {
    let non_empty = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(state_home) = non_empty("XDG_STATE_HOME") {
        return Some(state_home.join("mock-sts"));
    }
    non_empty("HOME").map(|home| home.join(".local").join("state").join("mock-sts"))
}

/// Why a server did not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The embedded configuration did not validate.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The address could not be bound (in use, or not an address of this machine).
    #[error("cannot bind {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// Keys or certificates in the state directory could not be read, made or kept.
    #[error("keys in {dir}: {source}")]
    Keys {
        /// The state directory.
        dir: PathBuf,
        /// What went wrong with which file.
        source: KeyError,
    },
    /// The task making the keys stopped before it finished.
    #[error("key generation was interrupted")]
    Interrupted,
    /// [`Server::start_blocking`] could not start its runtime.
    #[error("cannot start a runtime for the server: {0}")]
    Runtime(std::io::Error),
    /// No state directory was given and none can be derived from the environment.
    #[error(
        "no state directory: neither XDG_STATE_HOME nor HOME is set; name one with --state-dir"
    )]
    NoStateDir,
    /// `public_url` is not an http(s) URL with a host and nothing after it.
    #[error(
        "--public-url must be an http or https URL with a host and nothing after it, not '{0}'"
    )]
    PublicUrl(String),
}

/// Starts servers: [`Server::start`] from async code, [`Server::start_blocking`] from plain threads.
pub struct Server;

impl Server {
    /// Bind, load or make the keys, and start serving in the background. When this returns the socket
    /// accepts connections.
    pub async fn start(options: Options) -> Result<RunningServer, StartError> {
        let config = match options.config {
            Some(config) => config,
            None => LoadedConfig::embedded_default()?,
        };
        let public_url = options.public_url.as_deref().map(public_url).transpose()?;
        let state_dir = match options.state_dir {
            Some(dir) => dir,
            None => default_state_dir().ok_or(StartError::NoStateDir)?,
        };
        let addr = SocketAddr::new(options.bind, options.port);
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let local_addr = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?;
        let want_tls = options.tls;
        let dir = state_dir.clone();
        let configured_keys = config.signing_keys.clone();
        // RSA key generation is slow CPU work; keep it off the async workers.
        let (key_ring, tls_material) =
            tokio::task::spawn_blocking(move || -> Result<_, KeyError> {
                let key_ring = KeyRing::load_or_create(&dir, &configured_keys)?;
                key_ring.prepare_next_in_background();
                let tls_material = if want_tls {
                    Some(tls::load_or_create(&dir)?)
                } else {
                    None
                };
                Ok((key_ring, tls_material))
            })
            .await
            .map_err(|_| StartError::Interrupted)?
            .map_err(|source| StartError::Keys {
                dir: state_dir.clone(),
                source,
            })?;

        let scheme = if want_tls { "https" } else { "http" };
        let host = match local_addr.ip() {
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        };
        let base_url = match &public_url {
            Some(url) => url.as_str().trim_end_matches('/').to_string(),
            None => format!("{scheme}://{host}:{}", local_addr.port()),
        };
        let served = handlers::guard::Served {
            addr: local_addr,
            scheme,
            public_host: public_url.as_ref().and_then(handlers::guard::public_host),
        };
        let state = AppState::new(
            config,
            base_url.clone(),
            state_dir.clone(),
            key_ring,
            options.scenario,
        )
        .map_err(|source| StartError::Keys {
            dir: state_dir,
            source,
        })?;
        let state = Arc::new(state);
        let router = handlers::router_serving(state.clone(), served);
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let (ca_pem_path, acceptor) = match tls_material {
            Some(material) => (Some(material.ca_pem_path), Some(material.acceptor)),
            None => (None, None),
        };
        let limits = Limits {
            header_read_timeout: options.header_read_timeout,
        };
        let task = tokio::spawn(serve(listener, router, acceptor, limits, shutdown_rx));
        Ok(RunningServer {
            base_url,
            local_addr,
            ca_pem_path,
            state,
            shutdown_tx,
            task: Some(task),
        })
    }
}

impl Server {
    /// Start a server on a runtime of its own, for code without an async runtime (tests with a blocking
    /// HTTP client). Call it from plain threads, not from async code.
    pub fn start_blocking(options: Options) -> Result<BackgroundServer, StartError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("mock-sts")
            .enable_all()
            .build()
            .map_err(StartError::Runtime)?;
        let server = runtime.block_on(Server::start(options))?;
        Ok(BackgroundServer {
            server: Some(server),
            runtime: Some(runtime),
        })
    }
}

/// A [`RunningServer`] with the runtime it runs on; it derefs to the server. Dropping it stops the server.
pub struct BackgroundServer {
    server: Option<RunningServer>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl std::ops::Deref for BackgroundServer {
    type Target = RunningServer;

    fn deref(&self) -> &RunningServer {
        // Both options are only emptied by `shutdown`, which consumes `self`.
        self.server
            .as_ref()
            .unwrap_or_else(|| unreachable!("the server is present until shutdown"))
    }
}

impl BackgroundServer {
    /// Stop accepting, let requests in flight finish, and stop the runtime.
    pub fn shutdown(mut self) {
        if let (Some(server), Some(runtime)) = (self.server.take(), self.runtime.take()) {
            runtime.block_on(server.shutdown());
        }
    }
}

impl Drop for BackgroundServer {
    fn drop(&mut self) {
        drop(self.server.take());
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// A server running in the background. Dropping it stops accepting connections; [`RunningServer::shutdown`]
/// also waits for connections in flight to finish.
pub struct RunningServer {
    base_url: String,
    local_addr: SocketAddr,
    ca_pem_path: Option<PathBuf>,
    state: Arc<AppState>,
    shutdown_tx: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl RunningServer {
    /// `http://127.0.0.1:PORT` or `https://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bound socket address (with the port picked when `port` was 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The CA certificate (PEM) to trust with `tls: true`.
    pub fn ca_pem_path(&self) -> Option<&std::path::Path> {
        self.ca_pem_path.as_deref()
    }

    /// The first tenant's id, for building authority URLs.
    pub fn tenant_id(&self) -> &str {
        self.state.first_tenant_id()
    }

    /// The scenario in force for the whole server.
    pub fn scenario(&self) -> Scenario {
        self.state.scenario()
    }

    /// Switch scenario without going through `PUT /_mock/scenario`; returns the one it replaces.
    pub fn set_scenario(&self, scenario: Scenario) -> Scenario {
        self.state.set_scenario(scenario)
    }

    /// Stop accepting, let requests in flight finish (up to a few seconds), and return.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown_tx.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _ = self.shutdown_tx.send(true);
    }
}

/// `--public-url`: http or https, a host, at most a `/` path, no query, fragment or credentials.
fn public_url(text: &str) -> Result<url::Url, StartError> {
    let bad = || StartError::PublicUrl(text.to_string());
    let url = url::Url::parse(text).map_err(|_| bad())?;
    let plain = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    if plain {
        Ok(url)
    } else {
        Err(bad())
    }
}

/// Whether the first bytes seen so far are enough to pick HTTP/1.1 or HTTP/2.
fn protocol_decided(first: &[u8]) -> bool {
    first.len() >= H2_PREFACE.len() || H2_PREFACE.get(..first.len()) != Some(first)
}

/// hyper-util reads the first bytes (to tell HTTP/1.1 from an HTTP/2 preface) without a timeout: a client
/// that connects and sends nothing, or part of the preface, would hold its connection forever. Wait for
/// enough bytes to decide, within the header read timeout.
async fn first_bytes_arrive(stream: &tokio::net::TcpStream, timeout: Duration) -> bool {
    let decided = async {
        let mut buf = [0u8; H2_PREFACE.len()];
        loop {
            match stream.peek(&mut buf).await {
                Ok(0) | Err(_) => return false,
                Ok(n) if protocol_decided(buf.get(..n).unwrap_or_default()) => return true,
                // A partial preface: peek does not wait for more, so look again shortly.
                Ok(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        }
    };
    tokio::time::timeout(timeout, decided)
        .await
        .unwrap_or(false)
}

/// The same wait after a TLS handshake, where bytes cannot be peeked: read them (decrypted) and hand
/// them back with the stream, to be replayed to hyper before the rest.
async fn first_bytes_read<S>(mut stream: S, timeout: Duration) -> Option<Replayed<S>>
where
    S: AsyncRead + Unpin,
{
    let decided = async {
        let mut first = Vec::with_capacity(H2_PREFACE.len());
        let mut buf = [0u8; H2_PREFACE.len()];
        while !protocol_decided(&first) {
            let want = H2_PREFACE.len() - first.len();
            match stream.read(buf.get_mut(..want)?).await {
                Ok(0) | Err(_) => return None,
                Ok(n) => first.extend_from_slice(buf.get(..n)?),
            }
        }
        Some(first)
    };
    let first = tokio::time::timeout(timeout, decided).await.ok()??;
    Some(Replayed {
        first,
        read: 0,
        stream,
    })
}

/// A stream whose first bytes were already read: they are served again before the rest.
struct Replayed<S> {
    first: Vec<u8>,
    read: usize,
    stream: S,
}

impl<S: AsyncRead + Unpin> AsyncRead for Replayed<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        if let Some(rest) = this.first.get(this.read..).filter(|rest| !rest.is_empty()) {
            let n = rest.len().min(buf.remaining());
            buf.put_slice(rest.get(..n).unwrap_or_default());
            this.read += n;
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.stream).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Replayed<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// The TLS handshake (bounded in time), then the wait for the first bytes; `None` when either fails.
async fn tls_handshake(
    acceptor: &SslAcceptor,
    stream: tokio::net::TcpStream,
    first_bytes_timeout: Duration,
) -> Option<Replayed<tokio_openssl::SslStream<tokio::net::TcpStream>>> {
    let ssl = Ssl::new(acceptor.context()).ok()?;
    let mut tls_stream = tokio_openssl::SslStream::new(ssl, stream).ok()?;
    tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, Pin::new(&mut tls_stream).accept())
        .await
        .ok()?
        .ok()?;
    first_bytes_read(tls_stream, first_bytes_timeout).await
}

/// Per-connection bounds, from [`Options`].
#[derive(Clone, Copy)]
struct Limits {
    header_read_timeout: Duration,
}

async fn serve(
    listener: TcpListener,
    router: axum::Router,
    tls: Option<SslAcceptor>,
    limits: Limits,
    mut shutdown: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(MAX_HEADER_BYTES);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(MAX_HEADER_BYTES as u32);
    let builder = Arc::new(builder);
    let tls = tls.map(Arc::new);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            _ = shutdown.changed() => break,
        };
        let service = TowerToHyperService::new(router.clone());
        let builder = builder.clone();
        let watcher = graceful.watcher();
        let tls = tls.clone();
        tokio::spawn(async move {
            match tls {
                None => {
                    if !first_bytes_arrive(&stream, limits.header_read_timeout).await {
                        return;
                    }
                    let connection = builder
                        .serve_connection(TokioIo::new(stream), service)
                        .into_owned();
                    let _ = watcher.watch(connection).await;
                }
                Some(acceptor) => {
                    let Some(stream) =
                        tls_handshake(&acceptor, stream, limits.header_read_timeout).await
                    else {
                        return;
                    };
                    let connection = builder
                        .serve_connection(TokioIo::new(stream), service)
                        .into_owned();
                    let _ = watcher.watch(connection).await;
                }
            }
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await;
}
