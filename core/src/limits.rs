//! Bounds on what both programs decode from untrusted input (keyprobe's `limits` lists them with the rest).

/// Largest JSON document (JWKS, discovery, error body, JOSE header or claims).
pub const MAX_JSON_BYTES: usize = 4 * 1024 * 1024;
/// Deepest JSON nesting accepted.
pub const MAX_JSON_DEPTH: usize = 64;
/// Most signatures in one JWS JSON serialisation; each is verified against every trusted key.
pub const MAX_JWS_SIGNATURES: usize = 16;
