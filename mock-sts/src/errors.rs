//! Entra's errors as data: every AADSTS code the mock can return, with its OAuth `error`, HTTP status and
//! text, and the two ways Entra shows one (the token-endpoint JSON body and the sign-in error page).
//!
//! Texts are Entra's where a capture or Microsoft's documentation gives them (see `../shared/ENTRA.md`);
//! placeholders in braces are filled from [`AadError::arg`].

use serde_json::{json, Value};
use time::OffsetDateTime;

use crate::util::{error_timestamp, html_text_escape, page_timestamp};

/// One catalogue entry.
#[derive(Debug, Clone, Copy)]
pub struct CatalogueEntry {
    pub number: u32,
    /// The OAuth 2.0 `error` value Entra pairs with this code.
    pub error: &'static str,
    pub status: u16,
    /// The text after `AADSTSnnnnn: `, with `{name}` placeholders.
    pub template: &'static str,
    /// The placeholders the template needs, so a test can prove every entry renders completely.
    pub params: &'static [&'static str],
}

macro_rules! catalogue {
    ($( $(#[$doc:meta])* $variant:ident => ($number:expr, $error:expr, $status:expr, $template:expr, [$($param:expr),*]) ),* $(,)?) => {
        /// The AADSTS errors the mock knows.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum AadCode { $( $(#[$doc])* $variant ),* }

        impl AadCode {
            pub const ALL: &'static [AadCode] = &[ $( AadCode::$variant ),* ];

            pub fn entry(self) -> CatalogueEntry {
                match self {
                    $( AadCode::$variant => CatalogueEntry {
                        number: $number, error: $error, status: $status, template: $template,
                        params: &[$($param),*],
                    } ),*
                }
            }
        }
    };
}

catalogue! {
    /// Capture: real-invalid_client-7000215-v1-endpoint-2020.json.
    InvalidClientSecret => (7000215, "invalid_client", 401,
        "Invalid client secret is provided.", []),
    /// The secret matched, but it is past its end date.
    ExpiredClientSecret => (7000222, "invalid_client", 401,
        "The provided client secret keys for app '{client_id}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.",
        ["client_id"]),
    MissingClientCredential => (7000218, "invalid_client", 401,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", []),
    PublicClientWithCredential => (700025, "invalid_client", 401,
        "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.", []),
    ApplicationNotFound => (700016, "unauthorized_client", 400,
        "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
        ["client_id", "tenant"]),
    /// 2026 wording (ENTRA.md); the 2022 capture starts "Client assertion contains an invalid signature."
    AssertionCertificateNotRegistered => (700027, "invalid_client", 401,
        "The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '{thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{client_id}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/{client_id}']. Alternatively, SNI may be configured on the app. Please ensure that client assertion is being sent with the x5c claim in the JWT header using MSAL's WithSendX5C() method so that Azure Active Directory can validate the certificate being used.",
        ["thumbprint", "client_id"]),
    /// The certificate is registered but the signature does not verify with it.
    AssertionSignatureInvalid => (700027, "invalid_client", 401,
        "Client assertion contains an invalid signature. [Reason - Key was found, but use of the key to verify the signature failed., Thumbprint of key used by client: '{thumbprint}', Found key 'Start={key_start}, End={key_end}']",
        ["thumbprint", "key_start", "key_end"]),
    /// Capture: real-invalid_client-700024-2024.txt.
    AssertionOutsideValidTime => (700024, "invalid_client", 401,
        "Client assertion is not within its valid time range. Current time: {now}, assertion valid from {not_before}, expiry time of assertion {expires}. Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .",
        ["now", "not_before", "expires"]),
    AssertionClientMismatch => (700021, "invalid_client", 401,
        "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .",
        []),
    /// `{reason}` names what is wrong, e.g. "No certificate thumbprint specified in token header."
    InvalidJwtToken => (50027, "invalid_request", 400,
        "Invalid JWT token. {reason}", ["reason"]),
    RedirectUriMismatch => (50011, "invalid_request", 400,
        "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{client_id}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.",
        ["redirect_uri", "client_id"]),
    TenantNotFound => (90002, "invalid_request", 400,
        "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.",
        ["tenant"]),
    ResourceNotFound => (500011, "invalid_resource", 400,
        "The resource principal named {resource} was not found in the tenant named {tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.",
        ["resource", "tenant"]),
    MalformedRequest => (9002313, "invalid_request", 400,
        "Invalid request. Request is malformed or invalid.", []),
    /// Capture: real-invalid_request-50146-2025.json.
    CustomSigningKeyRequired => (50146, "invalid_request", 400,
        "This application is required to be configured with an application-specific signing key. It is either not configured with one, or the key has expired or is not yet valid. Please contact the application's administrator.",
        []),
    MissingParameter => (900144, "invalid_request", 400,
        "The request body must contain the following parameter: '{parameter}'.", ["parameter"]),
    UnsupportedGrantType => (70003, "unsupported_grant_type", 400,
        "The app requested an unsupported grant type '{grant_type}'.", ["grant_type"]),
    CodeAlreadyRedeemed => (54005, "invalid_grant", 400,
        "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
        []),
    PkceVerifierMismatch => (501481, "invalid_grant", 400,
        "The Code_Verifier does not match the code_challenge supplied in the authorization request.", []),
    GrantExpired => (70008, "invalid_grant", 400,
        "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
        []),
    ClientCredentialScopeNotDefault => (1002012, "invalid_scope", 400,
        "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).",
        ["scope"]),
    UserNotFound => (50034, "invalid_request", 400,
        "The user account {user} does not exist in the {tenant} directory. To sign into this application, the account must be added to the directory.",
        ["user", "tenant"]),
    UnsupportedResponseType => (700054, "unsupported_response_type", 400,
        "response_type '{response_type}' is not enabled for the application.", ["response_type"]),
    TokenEndpointNeedsPost => (900561, "invalid_request", 400,
        "The endpoint only accepts POST, OPTIONS requests. Received a GET request.", []),
    /// A `code_challenge` outside PKCE's 43 to 128 characters.
    CodeChallengeSize => (501491, "invalid_request", 400,
        "Invalid size of Code_Challenge parameter.", []),
    /// Documented sample: doc-invalid_scope-70011.json.
    InvalidScope => (70011, "invalid_scope", 400,
        "The provided value for the input parameter 'scope' isn't valid. The scope {scope} isn't valid.", ["scope"]),
    /// MissingSigningKey (ENTRA.md): a SAML app without a usable signing certificate. Error page.
    MissingSigningKey => (50003, "invalid_request", 400,
        "Sign-in failed because of a missing signing key or certificate. This might be because there was no signing key configured in the app.",
        []),
    /// Saml2MessageInvalid: the SAMLRequest cannot be decoded or is not a valid AuthnRequest.
    SamlMessageInvalid => (75005, "invalid_request", 400,
        "The request is not a valid Saml2 protocol message.", []),
    /// A Redirect-binding request without SAMLRequest.
    SamlRequestMissing => (750054, "invalid_request", 400,
        "SAMLRequest or SAMLResponse must be present as query string parameters in HTTP request for SAML Redirect binding.",
        []),
    /// Unsupported SAML request type or response binding (runtime wording unconfirmed).
    SamlRequestUnsupported => (7500514, "invalid_request", 400,
        "A supported type of SAML request was not found. The supported request type is 'AuthnRequest' (in XML namespace 'urn:oasis:names:tc:SAML:2.0:protocol') answered over the HTTP-POST binding; the request was '{request}'.",
        ["request"]),
    /// RequestedAuthnContext that the sign-in cannot satisfy.
    AuthnContextMismatch => (75011, "invalid_request", 400,
        "Authentication method '{method}' by which the user authenticated with the service doesn't match requested authentication method '{requested}'. Contact the {app} application owner.",
        ["method", "requested", "app"]),
}

/// An Entra error on its way to the client: a catalogue code plus the values for its placeholders.
#[derive(Debug, Clone)]
pub struct AadError {
    pub code: AadCode,
    args: Vec<(&'static str, String)>,
    suberror: Option<&'static str>,
    error_override: Option<&'static str>,
}

impl AadError {
    pub fn new(code: AadCode) -> Self {
        Self {
            code,
            args: Vec::new(),
            suberror: None,
            error_override: None,
        }
    }

    pub fn arg(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
        self
    }

    pub fn suberror(mut self, suberror: &'static str) -> Self {
        self.suberror = Some(suberror);
        self
    }

    /// The same code under another OAuth `error`: Entra answers AADSTS90002 from discovery as
    /// `invalid_tenant` but from the token endpoint as `invalid_request`.
    pub fn with_error(mut self, error: &'static str) -> Self {
        self.error_override = Some(error);
        self
    }

    pub fn number(&self) -> u32 {
        self.code.entry().number
    }

    pub fn status(&self) -> u16 {
        self.code.entry().status
    }

    pub fn error(&self) -> &'static str {
        self.error_override.unwrap_or(self.code.entry().error)
    }

    /// `AADSTSnnnnn: text` with the placeholders filled.
    pub fn message(&self) -> String {
        let entry = self.code.entry();
        let mut text = entry.template.to_string();
        for (name, value) in &self.args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        format!("AADSTS{}: {}", entry.number, text)
    }

    /// The token-endpoint body, fields in Entra's order, trailer separated by `\r\n`.
    pub fn to_json(&self, ids: &RequestIds) -> Value {
        let timestamp = error_timestamp(ids.at);
        let description = format!(
            "{}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}",
            self.message(),
            ids.trace_id,
            ids.correlation_id,
            timestamp
        );
        let mut body = json!({
            "error": self.error(),
            "error_description": description,
            "error_codes": [self.number()],
            "timestamp": timestamp,
            "trace_id": ids.trace_id,
            "correlation_id": ids.correlation_id,
            "error_uri": format!("https://login.microsoftonline.com/error?code={}", self.number()),
        });
        if let (Some(suberror), Some(map)) = (self.suberror, body.as_object_mut()) {
            map.insert("suberror".into(), Value::from(suberror));
        }
        body
    }

    /// The sign-in error page shown in browser flows; its visible text has the layout users paste.
    pub fn to_html(&self, ids: &RequestIds) -> String {
        let message = html_text_escape(&self.message());
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign in to your account</title></head>\n<body>\n\
<div id=\"login-error\">\n<div>Sign in</div>\n<div>Sorry, but we\u{2019}re having trouble signing you in.</div>\n<br>\n\
<div id=\"error-message\">{message}</div>\n<br>\n<div>Troubleshooting details</div>\n\
<div>Request Id: {trace}</div>\n<div>Correlation Id: {correlation}</div>\n<div>Timestamp: {timestamp}</div>\n\
<div>Message: {message}</div>\n</div>\n</body></html>\n",
            trace = html_text_escape(&ids.trace_id),
            correlation = html_text_escape(&ids.correlation_id),
            timestamp = page_timestamp(ids.at),
        )
    }
}

impl std::fmt::Display for AadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for AadError {}

/// The identifiers Entra stamps on every answer: its own trace id, the caller's correlation id
/// (`client-request-id` when sent) and the time.
#[derive(Debug, Clone)]
pub struct RequestIds {
    pub trace_id: String,
    pub correlation_id: String,
    pub at: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_renders_without_leftover_placeholders() {
        for code in AadCode::ALL {
            let entry = code.entry();
            let mut error = AadError::new(*code);
            for param in entry.params {
                error = error.arg(param, "VALUE");
            }
            let message = error.message();
            assert!(!message.contains("{"), "{code:?}: {message}");
            assert!(message.starts_with(&format!("AADSTS{}: ", entry.number)));
            if entry.error == "invalid_client" {
                assert_eq!(
                    entry.status, 401,
                    "{code:?}: Entra answers invalid_client with 401"
                );
            }
        }
    }

    #[test]
    fn the_error_page_escapes_what_the_request_put_in_the_message() {
        let ids = RequestIds {
            trace_id: "t".into(),
            correlation_id: "c".into(),
            at: crate::util::now(),
        };
        let page = AadError::new(AadCode::RedirectUriMismatch)
            .arg("redirect_uri", "https://x/<script>alert('1')</script>")
            .arg("client_id", "app")
            .to_html(&ids);
        assert!(!page.contains("<script>"), "{page}");
        assert!(
            page.contains("&lt;script&gt;alert('1')&lt;/script&gt;"),
            "{page}"
        );
    }
}
