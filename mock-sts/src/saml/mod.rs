//! SAML 2.0 as Entra speaks it: the service-principal key model of SAML apps ([`certs`]), AuthnRequests
//! from the Redirect and POST bindings ([`request`]) and their signatures ([`request_signature`]), signed Responses and error Responses
//! ([`response`]), single logout ([`logout`]), federation metadata ([`metadata`]), the XML signing they share ([`sign`]), and the request-verification certificates changed at run time
//! ([`verification`]).

pub(crate) mod certs;
pub(crate) mod logout;
pub(crate) mod metadata;
pub(crate) mod request;
pub(crate) mod request_signature;
pub(crate) mod response;
pub(crate) mod sign;
pub(crate) mod verification;
