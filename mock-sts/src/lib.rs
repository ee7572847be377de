//! mock-sts: a local look-alike of Microsoft Entra ID's token service (OIDC and OAuth 2.0), made to fail
//! the way Entra fails so that sign-in problems can be reproduced without a tenant.
//!
//! The crate reads as: [`config`] (TOML or the embedded default) → [`model`] (tenants, apps, users) and
//! [`keys`] (signing keys kept in the state directory) → protocol [`handlers`] → Entra-shaped responses and
//! the [`errors`] catalogue. [`server`] ties them to a socket.
//!
//! Request handling never panics on input: bodies and headers are bounded, and every rejection is an
//! Entra error from the catalogue.
//!
//! Start one in-process for a test:
//!
//! ```no_run
//! # async fn demo() -> Result<(), mock_sts::StartError> {
//! let server = mock_sts::Server::start(mock_sts::Options::default()).await?;
//! let discovery = format!("{}/organizations/v2.0/.well-known/openid-configuration", server.base_url());
//! // ... point the code under test at `server.base_url()` ...
//! server.shutdown().await;
//! # let _ = discovery;
//! # Ok(())
//! # }
//! ```

pub mod config;
pub mod errors;
pub mod handlers;
pub mod jwt;
pub mod keys;
pub mod model;
pub mod scenario;
pub mod server;
pub mod state;
pub mod tls;
pub mod tokens;
pub mod util;

pub use config::ConfigError;
pub use scenario::Scenario;
pub use server::{Options, RunningServer, Server, StartError};
