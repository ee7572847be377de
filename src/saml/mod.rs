//! SAML 2.0: bindings, one bounded parse, a typed model and XML-DSig verification.
//!
//! ```text
//! text ─▶ binding (POST / Redirect / URL / form) ─▶ xml (DTDs refused, bounded) ─▶ model
//!                                                        └─▶ dsig (bergshamra, trusted keys only)
//! ```
//! This module only decodes and verifies: judging what it read is `checks::saml`'s, and putting
//! the two together is `inspect::saml`'s.

pub mod binding;
pub(crate) mod dsig;
pub(crate) mod model;
mod rsa_openssl;
pub(crate) mod xml;
