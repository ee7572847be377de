//! mock-sts: a local look-alike of Microsoft Entra ID's token service (OIDC and OAuth 2.0), made to fail
//! the way Entra fails so that sign-in problems can be reproduced without a tenant.
//!
//! The crate reads as: `config` (TOML or the embedded default) → `model` (tenants, apps, users) and
//! `keys` (signing keys kept in the state directory) → protocol `handlers` → Entra-shaped responses and
//! the `errors` catalogue. `server` ties them to a socket. The modules are private; the API is what
//! this page lists.
//!
//! Request handling never panics on input: bodies and headers are bounded, and every rejection is an
//! Entra error from the catalogue.
//!
//! Start one in-process for a test, from async code with [`Server::start`] or from a plain test with
//! [`Server::start_blocking`]:
//!
//! ```
//! use std::io::{Read, Write};
//!
//! let options = mock_sts::Options {
//!     state_dir: Some(std::env::temp_dir().join("mock-sts-doc-example")),
//!     ..mock_sts::Options::default() // embedded configuration, 127.0.0.1, a free port, plain HTTP
//! };
//! let server = mock_sts::Server::start_blocking(options)?;
//! let authority = format!("{}/{}", server.base_url(), server.tenant_id());
//! assert!(authority.starts_with("http://127.0.0.1:"));
//!
//! // Point the code under test at `authority`; here, a raw request for readiness.
//! let mut stream = std::net::TcpStream::connect(server.local_addr())?;
//! // The control API answers only requests that name the server (no DNS-rebinding page can use it).
//! let host = server.local_addr();
//! write!(stream, "GET /_mock/health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")?;
//! let mut answer = String::new();
//! stream.read_to_string(&mut answer)?;
//! assert!(answer.starts_with("HTTP/1.1 200"));
//!
//! // Make it fail the way Entra fails, then stop it.
//! server.set_scenario(mock_sts::Scenario::UnpublishedSigningKey);
//! server.shutdown();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
// Library and binary code never unwraps or expects: input is hostile and a panic is a crash (tests may).
#![deny(clippy::unwrap_used, clippy::expect_used)]
// Everything is crate-private unless the API below re-exports it.
#![warn(unreachable_pub, missing_docs)]

mod certificate;
mod config;
mod dashboard;
#[allow(missing_docs)] // reached from outside only through the hidden `internals`
mod errors;
#[allow(missing_docs)] // reached from outside only through the hidden `internals`
mod handlers;
#[allow(missing_docs)] // reached from outside only through the hidden `internals`
mod jwt;
mod keys;
mod metadata_cache;
mod model;
#[allow(missing_docs)] // reached from outside only through the hidden `internals`
mod saml;
mod scenario;
mod scopes;
mod server;
mod session;
mod state;
mod tls;
mod tokens;
mod util;

// The public API: configure and start a server, switch its scenario, and make certificates for tests.
pub use certificate::CertificateBuilder;
pub use config::{ConfigError, LoadedConfig, DEFAULT_CONFIG};
pub use keys::KeyError;
pub use scenario::Scenario;
pub use server::{BackgroundServer, Options, RunningServer, Server, StartError};

/// Parsers, signers and the bare router one level below [`Server`], for the fuzz target, benchmarks
/// and golden tests that exercise them directly. Not a stable API.
#[doc(hidden)]
pub mod internals {
    pub use crate::errors::{AadError, RequestIds};
    pub use crate::handlers::client_auth::PresentedCredentials;
    pub use crate::handlers::{in_process_router, Params};
    pub use crate::jwt::{decode as decode_jwt, sign as sign_jwt};
    pub use crate::keys::{SigningKey, ENTRA_SIGNING_CN};
    pub use crate::saml::request::{
        decode as decode_saml_request, encode_redirect, parse as parse_saml_request, Binding,
    };
    pub use crate::saml::sign::{sign_enveloped_with, SIGNATURE_PLACEHOLDER};
    pub use keyprobe_core::aadsts::AadCode;
}
