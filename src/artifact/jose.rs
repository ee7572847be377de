//! Compact JWS and JWE: split, decode, and a typed view of the JOSE header (the strict decoder both
//! programs share).

pub(crate) use keyprobe_core::jose::{JoseError, JoseHeader, Jwe, Jws, NotClaims, Part, Payload};
