//! JWS `alg` values (RFC 7518, RFC 8037) and what each needs from a key (shared with mock-sts).

pub use keyprobe_core::jose::Alg;
pub(crate) use keyprobe_core::jose::{is_none_alg, AlgFamily};
