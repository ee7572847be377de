//! Every bound the inspector enforces, in one place.

/// Largest input read from a file, standard input or an argument.
pub(crate) const MAX_INPUT_BYTES: usize = 8 * 1024 * 1024;
/// Largest compact JWS/JWE we decode; a larger token is `malformed`.
pub(crate) const MAX_TOKEN_BYTES: usize = 1024 * 1024;
/// Most tokens nested in one another (`cty: JWT`) that are inspected.
pub(crate) const MAX_NESTED_TOKENS: usize = 4;
/// Largest JSON document (JWKS, discovery, error body) and deepest nesting: shared with mock-sts.
pub(crate) use keyprobe_core::limits::{MAX_JSON_BYTES, MAX_JSON_DEPTH};
/// Most keys in one JWKS; Entra publishes fewer than ten.
pub(crate) const MAX_JWKS_KEYS: usize = 1000;
/// Most certificates in one PEM bundle or `x5c` chain.
pub(crate) const MAX_CHAIN_CERTS: usize = 64;
/// Largest single DER certificate.
pub(crate) const MAX_CERT_BYTES: usize = 64 * 1024;
/// Largest line in `--lines` batch mode.
pub(crate) const MAX_LINE_BYTES: usize = MAX_TOKEN_BYTES + 1024;
/// Largest RSA modulus we verify with (bits); larger keys are a denial-of-service vector.
pub(crate) const MAX_RSA_BITS: u32 = 16384;
/// Largest SAML XML (decoded, and inflated for the HTTP-Redirect binding).
pub(crate) const MAX_SAML_XML_BYTES: usize = 4 * 1024 * 1024;
/// Deepest XML element nesting accepted; SAML messages nest about ten levels.
pub(crate) const MAX_XML_DEPTH: u32 = 64;
/// Most attributes on one XML element, namespace declarations included; SAML's have a handful.
pub(crate) const MAX_XML_ATTRIBUTES: usize = 128;
/// Most elements in one XML document.
pub(crate) const MAX_XML_ELEMENTS: usize = 100_000;
/// Most elements carrying an ID attribute; a SAML message has a handful.
pub(crate) const MAX_XML_IDS: usize = 10_000;
/// Most `ds:Signature` elements verified in one document.
pub(crate) const MAX_XML_SIGNATURES: usize = 16;
/// Largest string kept from a capture (a response body, a form value); longer ones are skipped as
/// they stream past, so a HAR of any size is read in bounded memory.
pub(crate) const MAX_CAPTURE_STRING_BYTES: usize = 4 * 1024 * 1024;
/// Most bytes kept from one capture entry.
pub(crate) const MAX_CAPTURE_ENTRY_BYTES: usize = 8 * 1024 * 1024;
/// Most capture entries read; a browser session rarely holds a few thousand.
pub(crate) const MAX_CAPTURE_ENTRIES: usize = 100_000;
/// Most artifacts inspected in one capture (each gives a report held until the flow is known).
pub(crate) const MAX_CAPTURE_ARTIFACTS: usize = 500;
