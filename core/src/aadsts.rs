//! Entra ID's AADSTS codes, once for both programs: the texts Entra prints ([`AadCode`], which mock-sts
//! renders into its answers) and what each code means ([`AadstsEntry`], which keyprobe explains), plus
//! finding the codes in a text.
//!
//! Texts are Entra's where a capture or Microsoft's documentation gives them (`../shared/ENTRA.md`,
//! `../shared/entra-samples/`); each says where its wording comes from ([`Wording`]). Placeholders in
//! braces are filled by the caller (mock-sts) or shown as `…` (keyprobe).

/// Where a text's wording comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wording {
    /// Byte for byte from a capture in `../shared/entra-samples/` (the path named).
    Captured(&'static str),
    /// From Microsoft's documentation or a public report quoting a real response (named).
    Documented(&'static str),
    /// Plausible but not confirmed against a capture or documentation.
    Unconfirmed,
}

/// What Entra prints for one error.
#[derive(Debug, Clone, Copy)]
pub struct CatalogueEntry {
    /// The AADSTS number.
    pub number: u32,
    /// Where the text's wording comes from.
    pub wording: Wording,
    /// The OAuth 2.0 `error` value Entra pairs with this code.
    pub error: &'static str,
    /// The HTTP status Entra answers with.
    pub status: u16,
    /// The text after `AADSTSnnnnn: `, with `{name}` placeholders.
    pub template: &'static str,
    /// The placeholders the template needs, so a test can prove every entry renders completely.
    pub params: &'static [&'static str],
}

impl CatalogueEntry {
    /// The template with every placeholder shown as `…`, for explanations of a code seen elsewhere.
    pub fn text(&self) -> String {
        let mut text = self.template.to_string();
        for param in self.params {
            text = text.replace(&format!("{{{param}}}"), "…");
        }
        text
    }
}

macro_rules! catalogue {
    ($( $(#[$doc:meta])* $variant:ident => ($number:expr, $wording:expr, $error:expr, $status:expr, $template:expr, [$($param:expr),*]) ),* $(,)?) => {
        /// Every AADSTS text the programs know, one variant per wording.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum AadCode { $( $(#[$doc])* #[doc = concat!("\n\nAADSTS", $number, " (`", $error, "`, ", $status, "): `", $template, "`")] $variant ),* }

        impl AadCode {
            /// Every variant, in catalogue order.
            pub const ALL: &'static [AadCode] = &[ $( AadCode::$variant ),* ];

            /// The variant's number, wording source, OAuth error, status and template.
            pub fn entry(self) -> CatalogueEntry {
                use Wording::*;
                match self {
                    $( AadCode::$variant => CatalogueEntry {
                        number: $number, wording: $wording, error: $error, status: $status, template: $template,
                        params: &[$($param),*],
                    } ),*
                }
            }
        }
    };
}

catalogue! {
    /// Capture: real-invalid_client-7000215-v1-endpoint-2020.json.
    InvalidClientSecret => (7000215, Captured("errors/real-invalid_client-7000215-v1-endpoint-2020.json"), "invalid_client", 401,
        "Invalid client secret is provided.", []),
    /// The secret matched, but it is past its end date. Wording from public reports quoting real
    /// responses (2023, 2025); the 2021 wording is [`AadCode::ExpiredClientSecret2021`].
    ExpiredClientSecret => (7000222, Documented("public reports quoting real responses: dotnet/sign#849 (2025), spencerwooo/onedrive-vercel-index#1051 (2023)"), "invalid_client", 401,
        "The provided client secret keys for app '{client_id}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.",
        ["client_id"]),
    MissingClientCredential => (7000218, Documented("ENTRA.md: reference-error-codes"), "invalid_client", 401,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", []),
    PublicClientWithCredential => (700025, Unconfirmed, "invalid_client", 401,
        "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.", []),
    ApplicationNotFound => (700016, Documented("secondary sources quoted in ENTRA.md"), "unauthorized_client", 400,
        "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
        ["client_id", "tenant"]),
    /// 2026 wording (ENTRA.md); the 2022 capture starts "Client assertion contains an invalid signature."
    AssertionCertificateNotRegistered => (700027, Documented("2026 wording: AzureAD/microsoft-authentication-library-for-js#8339"), "invalid_client", 401,
        "The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '{thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{client_id}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/{client_id}']. Alternatively, SNI may be configured on the app. Please ensure that client assertion is being sent with the x5c claim in the JWT header using MSAL's WithSendX5C() method so that Azure Active Directory can validate the certificate being used.",
        ["thumbprint", "client_id"]),
    /// The 2021 wording of an expired client secret.
    ExpiredClientSecret2021 => (7000222, Documented("Azure-Samples/ms-identity-python-webapp#67 (2021) quoting the response"), "invalid_client", 401,
        "The provided client secret keys are expired. Visit the Azure Portal to create new keys for your app, or consider using certificate credentials for added security: https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials",
        []),
    /// The assertion names a registered certificate whose credential is outside its start and end dates
    /// (Entra gives the same reason for a key not yet valid). Microsoft's Azure Stack HCI troubleshooting
    /// page (2023) quotes the text up to the found key's dates, written `MM/dd/yyyy HH:mm:ss`; what
    /// follows them in the bracket is not quoted there.
    AssertionCertificateExpired => (700027, Documented("Azure Stack HCI registration troubleshooting, Microsoft docs (2023)"), "invalid_client", 401,
        "Client assertion contains an invalid signature. [Reason - The key used is expired., Thumbprint of key used by client: '{thumbprint}', Found key 'Start={key_start}, End={key_end}']",
        ["thumbprint", "key_start", "key_end"]),
    /// The certificate is registered but the signature does not verify with it.
    AssertionSignatureInvalid => (700027, Unconfirmed, "invalid_client", 401,
        "Client assertion contains an invalid signature. [Reason - Key was found, but use of the key to verify the signature failed., Thumbprint of key used by client: '{thumbprint}', Found key 'Start={key_start}, End={key_end}']",
        ["thumbprint", "key_start", "key_end"]),
    /// Capture: real-invalid_client-700024-2024.txt.
    AssertionOutsideValidTime => (700024, Captured("errors/real-invalid_client-700024-2024.txt"), "invalid_client", 401,
        "Client assertion is not within its valid time range. Current time: {now}, assertion valid from {not_before}, expiry time of assertion {expires}. Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .",
        ["now", "not_before", "expires"]),
    AssertionClientMismatch => (700021, Unconfirmed, "invalid_client", 401,
        "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials .",
        []),
    /// A client assertion whose `aud` is not this tenant's token endpoint (another tenant's, another
    /// cloud's, or anything else). Wording from the Azure SDKs' ClientAssertionCredential troubleshooting
    /// tables; the error and status are those of its neighbours 700021 and 700024.
    AssertionAudienceMismatch => (700023, Documented("Azure SDK troubleshooting guides (ClientAssertionCredential table), 2024"), "invalid_client", 401,
        "Client assertion audience claim does not match Realm issuer. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials.",
        []),
    /// `{reason}` names what is wrong, e.g. "No certificate thumbprint specified in token header."
    InvalidJwtToken => (50027, Documented("ENTRA.md: reference-error-codes"), "invalid_request", 400,
        "Invalid JWT token. {reason}", ["reason"]),
    RedirectUriMismatch => (50011, Captured("errors/login-error-page-text.txt"), "invalid_request", 400,
        "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{client_id}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.",
        ["redirect_uri", "client_id"]),
    TenantNotFound => (90002, Unconfirmed, "invalid_request", 400,
        "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.",
        ["tenant"]),
    ResourceNotFound => (500011, Documented("ENTRA.md: reference-error-codes"), "invalid_resource", 400,
        "The resource principal named {resource} was not found in the tenant named {tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.",
        ["resource", "tenant"]),
    MalformedRequest => (9002313, Unconfirmed, "invalid_request", 400,
        "Invalid request. Request is malformed or invalid.", []),
    /// Capture: real-invalid_request-50146-2025.json.
    CustomSigningKeyRequired => (50146, Captured("errors/real-invalid_request-50146-2025.json"), "invalid_request", 400,
        "This application is required to be configured with an application-specific signing key. It is either not configured with one, or the key has expired or is not yet valid. Please contact the application's administrator.",
        []),
    MissingParameter => (900144, Unconfirmed, "invalid_request", 400,
        "The request body must contain the following parameter: '{parameter}'.", ["parameter"]),
    UnsupportedGrantType => (70003, Unconfirmed, "unsupported_grant_type", 400,
        "The app requested an unsupported grant type '{grant_type}'.", ["grant_type"]),
    CodeAlreadyRedeemed => (54005, Unconfirmed, "invalid_grant", 400,
        "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
        []),
    PkceVerifierMismatch => (501481, Unconfirmed, "invalid_grant", 400,
        "The Code_Verifier does not match the code_challenge supplied in the authorization request.", []),
    GrantExpired => (70008, Unconfirmed, "invalid_grant", 400,
        "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
        []),
    ClientCredentialScopeNotDefault => (1002012, Unconfirmed, "invalid_scope", 400,
        "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).",
        ["scope"]),
    UserNotFound => (50034, Unconfirmed, "invalid_request", 400,
        "The user account {user} does not exist in the {tenant} directory. To sign into this application, the account must be added to the directory.",
        ["user", "tenant"]),
    UnsupportedResponseType => (700054, Unconfirmed, "unsupported_response_type", 400,
        "response_type '{response_type}' is not enabled for the application.", ["response_type"]),
    TokenEndpointNeedsPost => (900561, Unconfirmed, "invalid_request", 400,
        "The endpoint only accepts POST, OPTIONS requests. Received a GET request.", []),
    /// A `code_challenge` outside PKCE's 43 to 128 characters.
    CodeChallengeSize => (501491, Unconfirmed, "invalid_request", 400,
        "Invalid size of Code_Challenge parameter.", []),
    /// Documented sample: doc-invalid_scope-70011.json.
    InvalidScope => (70011, Captured("errors/doc-invalid_scope-70011.json"), "invalid_scope", 400,
        "The provided value for the input parameter 'scope' isn't valid. The scope {scope} isn't valid.", ["scope"]),
    /// MissingSigningKey (ENTRA.md): a SAML app without a usable signing certificate. Error page.
    MissingSigningKey => (50003, Documented("Microsoft troubleshooting article, ENTRA.md"), "invalid_request", 400,
        "Sign-in failed because of a missing signing key or certificate. This might be because there was no signing key configured in the app.",
        []),
    /// Saml2MessageInvalid: the SAMLRequest cannot be decoded or is not a valid AuthnRequest.
    SamlMessageInvalid => (75005, Unconfirmed, "invalid_request", 400,
        "The request is not a valid Saml2 protocol message.", []),
    /// A Redirect-binding request without SAMLRequest.
    SamlRequestMissing => (750054, Documented("ENTRA.md: reference-error-codes"), "invalid_request", 400,
        "SAMLRequest or SAMLResponse must be present as query string parameters in HTTP request for SAML Redirect binding.",
        []),
    /// Unsupported SAML request type or response binding (runtime wording unconfirmed).
    SamlRequestUnsupported => (7500514, Unconfirmed, "invalid_request", 400,
        "A supported type of SAML request was not found. The supported request type is 'AuthnRequest' (in XML namespace 'urn:oasis:names:tc:SAML:2.0:protocol') answered over the HTTP-POST binding; the request was '{request}'.",
        ["request"]),
    /// RequestedAuthnContext that the sign-in cannot satisfy.
    AuthnContextMismatch => (75011, Unconfirmed, "invalid_request", 400,
        "Authentication method '{method}' by which the user authenticated with the service doesn't match requested authentication method '{requested}'. Contact the {app} application owner.",
        ["method", "requested", "app"]),
    /// A silent sign-in (SAML `IsPassive`, OIDC `prompt=none`) with no session to use; the runtime text as
    /// Microsoft's Power Apps troubleshooting article quotes Entra's page (MSAL reports it as login_required).
    SilentSignInWithoutSession => (50058, Documented("Power Apps startup troubleshooting article (MicrosoftDocs) quoting the page"), "login_required", 400,
        "A silent sign-in request was sent but no user is signed in. The cookies used to represent the user's session were not sent in the request to Azure AD. This can happen if the user is using Internet Explorer or Edge, and the web app sending the silent sign-in request is in different IE security zone than the Azure AD endpoint (login.microsoftonline.com).",
        []),

    /// The 2022 wording of a client assertion signed with an unregistered certificate.
    AssertionKeyNotFound2022 => (700027, Captured("errors/real-invalid_client-700027-2022.txt"), "invalid_client", 401,
        "Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '{thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{client_id}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query request URL, such as 'https://graph.microsoft.com/beta/applications/{client_id}']. Alternatively, SNI may be configured on the app. Please ensure that client assertion is being sent with the x5c claim in the JWT header using MSAL's WithSendX5C() method so that Azure Active Directory can validate the certificate being used.",
        ["thumbprint", "client_id"]),
    /// Entra's documented text for a SAML response of a type it does not take (WS-Trust, SAML 1.1).
    SamlResponseTypeUnsupported => (7500514, Documented("Microsoft support article on AADSTS7500514 with PingFederate"), "invalid_request", 400,
        "A supported type of SAML response was not found. The supported response types are 'Response' (in XML namespace 'urn:oasis:names:tc:SAML:2.0:protocol') or 'Assertion' (in XML namespace 'urn:oasis:names:tc:SAML:2.0:assertion').",
        []),
    /// A SAML app without a signing certificate (error page). Not on Microsoft's error-code reference
    /// (reference-error-codes.md, 2024) and seen in no capture: the text is unconfirmed.
    SigningCertificateNotFound => (500031, Unconfirmed, "invalid_request", 400,
        "Cannot find signing certificate configured", []),
    AcceptMappedClaimsRequiresAppOwnedKey => (501461, Documented("ENTRA.md: reference-error-codes"), "invalid_request", 400,
        "AcceptMappedClaims is only supported for a token audience matching the application GUID or an audience within the tenant's verified domains. Either change the resource identifier, or use an application-specific signing key.",
        []),
    TokenIssuanceError => (50000, Documented("ENTRA.md: reference-error-codes"), "invalid_request", 400,
        "There was an error issuing a token or an issue with our sign-in service.", []),
    /// Inbound federation: a token from a federated IdP signed with a key Entra does not have (error page).
    /// Microsoft's error-code reference names 50008 InvalidSamlToken ("SAML assertion is missing or
    /// misconfigured in the token."); this key-identifier text is in no capture: unconfirmed.
    FederatedTokenKeyNotFound => (50008, Unconfirmed, "invalid_request", 400,
        "Unable to verify token signature. The signing key identifier does not match any valid registered keys", []),
    /// OBO or another assertion whose signing key Entra cannot find.
    AssertionFailedSignatureValidation => (50013, Documented("ENTRA.md; the rest of the bracket varies"), "invalid_grant", 400,
        "Assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: '{thumbprint}', …]",
        ["thumbprint"]),
    /// "Require verification certificates" is on and the AuthnRequest carries no signature where its
    /// binding puts one (the query for HTTP-Redirect, an enveloped `Signature` for HTTP-POST).
    SignedRequestRequired => (76021, Documented("reference-error-codes (ApplicationRequiresSignedRequests); troubleshooting article error-code-aadsts76021-request-not-signed"), "invalid_request", 400,
        "The request sent by client is not signed while the application requires signed requests", []),
    /// Signed requests are required but the app has no verification certificate. Text quoted from a
    /// real page in OpenSlides/OpenSlides#6995 (2025), which gives no code: the number is unconfirmed.
    RequestVerificationCertificateMissing => (76021, Unconfirmed, "invalid_request", 400,
        "Cannot verify the signature of received authentication request since there is no certificate for verification configured in the application.", []),
    /// A signed AuthnRequest whose signature the app's verification certificates do not verify, or
    /// made with an algorithm not allowed (Microsoft's "Enforce signed SAML authentication requests"
    /// lists these failures without codes or texts: number and wording unconfirmed).
    RequestSignatureInvalid => (76021, Unconfirmed, "invalid_request", 400,
        "The signature of the request sent by client could not be verified with the verification certificates of application '{app}': {reason}.",
        ["app", "reason"]),
    /// A NameIDPolicy Format Entra does not issue (answered to the app as a SAML error Response with
    /// status InvalidNameIDPolicy; the delivery is unconfirmed).
    InvalidNameIdPolicy => (75016, Documented("reference-error-codes (Saml2AuthenticationRequestInvalidNameIDPolicy)"), "invalid_request", 400,
        "SAML2 Authentication Request has invalid NameIdPolicy.", []),
    DestinationMismatch => (75008, Unconfirmed, "invalid_request", 400,
        "The request from the client has an unexpected Destination.", []),
    /// A JWT presented to Entra whose signature does not verify. Worded as in real `invalid_request`
    /// answers quoted in MicrosoftDocs/azure-docs#35448 and AzureAD/azure-activedirectory-library-for-objc#1433
    /// (2019); the bracket goes on with the key Entra found ("Found key 'Start=…, End=…'").
    JwtSignatureValidationFailed => (900384, Documented("real responses quoted in MicrosoftDocs/azure-docs#35448 and azure-activedirectory-library-for-objc#1433 (2019)"), "invalid_request", 400,
        "JWT token failed signature validation [Reason - {reason}, Thumbprint of key used by client: '{thumbprint}', …]",
        ["reason", "thumbprint"]),
    MfaRequired => (50076, Captured("errors/real-interaction_required-50076-suberror-2020.json"), "interaction_required", 400,
        "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '{resource}'.",
        ["resource"]),
    PasswordExpired => (50055, Captured("errors/real-user_password_expired-50055-suberror.json"), "user_password_expired", 400,
        "Password is expired.", []),
    /// A token request with an `Origin` header (a browser's) that is not a single-page-app redemption: a
    /// code issued to a web or public-client redirect URI, client credentials, or a client secret sent
    /// from the browser. Wording from public reports quoting real responses (MSAL.js #5196, 2022;
    /// oauth2c #109, 2024); 2021-22 responses end after "client-type." without the origin.
    CrossOriginRedemptionNotAllowed => (9002326, Documented("public reports quoting real responses: AzureAD/microsoft-authentication-library-for-js#5196 (2022), SecureAuthCorp/oauth2c#109 (2024)"), "invalid_request", 400,
        "Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type. Request origin: '{origin}'.",
        ["origin"]),
    /// A code or refresh token issued to a single-page-app redirect URI, redeemed without an `Origin`
    /// header (from a server, Postman, a CLI).
    SpaRedemptionNeedsOrigin => (9002327, Documented("public reports quoting real responses: Microsoft Q&A 1601797 (2024), 1319773 (2023)"), "invalid_request", 400,
        "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.",
        []),
    /// A single-page-app code issued without PKCE, redeemed cross-origin.
    CrossOriginRedemptionNeedsPkce => (9002325, Documented("MicrosoftDocs/azure-docs#61077 (2020) quoting the response"), "invalid_request", 400,
        "Proof Key for Code Exchange is required for cross-origin authorization code redemption.",
        []),
    /// The device code flow's answer while the user has not approved the code (real responses of 2023 and
    /// 2025 quoted in public reports; older responses said "Pending end-user authorization.").
    DeviceAuthorizationPending => (70016, Documented("real responses quoted in secureworks/squarephish#3 (2023) and toblum/ESPTeamsPresence#49 (2025)"), "authorization_pending", 400,
        "OAuth 2.0 device flow error. Authorization is pending. Continue polling.", []),
    /// A device code polled after its `expires_in`.
    DeviceCodeExpired => (70020, Documented("real responses quoted in MicrosoftDocs/azure-docs#92366 and Azure/azure-cli#22251 (2022)"), "expired_token", 400,
        "The provided value for the input parameter 'device_code' is not valid. This device code has expired.", []),
    /// A device code the STS never issued (or has already redeemed).
    DeviceCodeNotValid => (7000014, Documented("real response quoted in MicrosoftDocs/microsoft-graph-training#97 (2022)"), "invalid_grant", 400,
        "The provided value for the input parameter 'device_code' is not valid.", []),
    /// Resource owner password credentials with a wrong password (or a user without one).
    InvalidUsernameOrPassword => (50126, Documented("reference-error-codes (InvalidUserNameOrPassword); runtime wording as widely reported"), "invalid_grant", 400,
        "Error validating credentials due to invalid username or password.", []),
    /// On-behalf-of with a user token whose signature does not verify with the key its `kid` names.
    AssertionSignatureMismatch => (50013, Documented("ENTRA.md; the rest of the bracket varies"), "invalid_grant", 400,
        "Assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '{thumbprint}', …]",
        ["thumbprint"]),
    /// On-behalf-of with a token issued for another audience than the app presenting it.
    AssertionAudienceNotClient => (500131, Documented("real response quoted in OfficeDev/microsoft-teams-apps-company-communicator#214 (2020)"), "invalid_grant", 400,
        "Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was '{audience}' and the expected audience is '{client_id}' or one of the Application Uris of this application with App ID '{client_id}'({app_name}). The downstream client must request a token for the expected audience (the application that made the OBO request) and this application should use that token as the assertion.",
        ["audience", "client_id", "app_name"]),
    /// On-behalf-of with an expired user token. Microsoft's page writes "isn't"; the runtime text may say "is not".
    AssertionExpired => (500133, Documented("reference-error-codes"), "invalid_grant", 400,
        "Assertion isn't within its valid time range. Ensure that the access token isn't expired before using it for user assertion, or request a new token. Current time: {now}, expiry time of assertion {expires}.",
        ["now", "expires"]),
    /// A method an endpoint does not take, the general form Microsoft's error-code reference gives
    /// BadResourceRequestInvalidRequest ("The endpoint only accepts {valid_verbs} requests. Received a
    /// {invalid_verb} request."); [`AadCode::TokenEndpointNeedsPost`] is the token endpoint's instance.
    EndpointMethodNotAccepted => (900561, Documented("reference-error-codes (BadResourceRequestInvalidRequest)"), "invalid_request", 400,
        "The endpoint only accepts {valid_verbs} requests. Received a {invalid_verb} request.",
        ["valid_verbs", "invalid_verb"]),
    /// A request to the WS-Federation endpoint that is not a WS-Federation sign-in or sign-out message
    /// (no `wa`, an action it does not define, `wsignin1.0` without `wtrealm`). Text as Microsoft's
    /// error-code reference describes OrgIdWsFederationMessageInvalid; no capture shows the page's text.
    WsFederationMessageInvalid => (90081, Documented("reference-error-codes (OrgIdWsFederationMessageInvalid)"), "invalid_request", 400,
        "An error occurred when the service tried to process a WS-Federation message. The message isn't valid.",
        []),
    /// The mock's own answer where Entra would serve the request: WS-Federation sign-in for a known realm,
    /// the Kerberos KDC proxy, the session check iframe. The code is OrgIdWsFederationNotSupported, whose
    /// reference text ("The selected authentication policy for the request isn't currently supported.")
    /// leads; the sentence after it is the mock's, naming what it does not implement. Not Entra's answer.
    NotServedByMock => (90082, Unconfirmed, "invalid_request", 400,
        "The selected authentication policy for the request isn't currently supported. mock-sts does not implement {protocol}, which Entra serves at this endpoint.",
        ["protocol"]),

}

/// What keyprobe says about one AADSTS code: Entra's name for it, where it shows up, what it means,
/// its usual causes, how to confirm it, the mock-sts scenario that reproduces it and the fix.
#[derive(Debug)]
pub struct AadstsEntry {
    /// The AADSTS number.
    pub number: u32,
    /// Entra's name for it (`MissingSigningKey`).
    pub name: &'static str,
    /// Where it shows up: token-endpoint JSON, the sign-in error page, a SAML error Response.
    pub surface: &'static str,
    /// What it means, in a paragraph.
    pub meaning: &'static str,
    /// Its usual causes, most common first.
    pub causes: &'static [&'static str],
    /// How to confirm which cause it is.
    pub confirm: &'static str,
    /// The mock-sts scenario that reproduces it, if one does.
    pub scenario: Option<&'static str>,
    /// What fixes it.
    pub fix: &'static str,
}

impl AadstsEntry {
    /// Entra's texts for this code, in catalogue order (several when Entra words it several ways).
    pub fn messages(&self) -> impl Iterator<Item = AadCode> + '_ {
        AadCode::ALL
            .iter()
            .copied()
            .filter(move |c| c.entry().number == self.number)
    }
}

/// The explanation of code `number`, if the catalogue has one.
pub fn explanation(number: u32) -> Option<&'static AadstsEntry> {
    AADSTS.iter().find(|e| e.number == number)
}

/// Every distinct `AADSTSnnnn` code (four digits or more) in a text, in order of appearance, as the
/// digits written.
pub fn codes_in(text: &str) -> Vec<&str> {
    let mut codes: Vec<&str> = Vec::new();
    for (i, _) in text.match_indices("AADSTS") {
        let rest = text.get(i + 6..).unwrap_or("");
        let len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let digits = rest.get(..len).unwrap_or("");
        if len >= 4 && !codes.contains(&digits) {
            codes.push(digits);
        }
    }
    codes
}

/// True when the text names at least one AADSTS code.
pub fn mentions_a_code(text: &str) -> bool {
    !codes_in(text).is_empty()
}

/// Every AADSTS code keyprobe explains, by number.
pub static AADSTS: &[AadstsEntry] = &[
    AadstsEntry {
        number: 50003,
        name: "MissingSigningKey",
        surface: "the login.microsoftonline.com error page during SAML sign-in (Entra cannot produce a signed SAML Response, so there is nothing to post back to the app)",
        meaning: "Entra could not find the signing certificate it needs to sign the SAML response for this enterprise application. The app's service principal has no usable Sign credential, or its preferred signing thumbprint names a certificate that is gone. Microsoft's troubleshooting article calls it \"No signing key configured\" and says the application object may be corrupted so that Entra does not recognise the configured certificate. An expired certificate is NOT this error: Entra keeps signing with an expired active certificate and the service provider rejects it instead.",
        causes: &[
            "a SAML enterprise application whose signing certificate was deleted, or never created (apps created through Graph or a gallery import can lack one)",
            "servicePrincipal.preferredTokenSigningKeyThumbprint names a certificate that no longer exists (a dangling active certificate)",
            "a broken keyCredentials pair: the Sign (private) and Verify (public) credentials do not belong together",
            "signing in against the wrong tenant, where the app exists without its certificate",
        ],
        confirm: "export the app's federation metadata (https://login.microsoftonline.com/TENANT/federationmetadata/2007-06/federationmetadata.xml?appid=APP_ID) and run keyprobe inspect on it: no-signing-keys confirms that Entra publishes no signing certificate for the app. Paste the error page text into keyprobe inspect to decode the IDs.",
        scenario: Some("missing-signing-key (or dangling-signing-key)"),
        fix: "In the Entra admin center: Enterprise applications > your app > Single sign-on > SAML Signing Certificate. Create a new certificate, make it active (Save), and remove the unused or broken one. Download the new certificate or the app federation metadata and give it to the service provider. Check you are in the right tenant. If the error persists, check preferredTokenSigningKeyThumbprint and keyCredentials on the service principal with Microsoft Graph.",
    },
    AadstsEntry {
        number: 500031,
        name: "SigningCertificateNotFound",
        surface: "the sign-in error page (SAML)",
        meaning: "A close neighbour of AADSTS50003: the SAML application has no signing certificate Entra can use.",
        causes: &["a SAML app without a signing certificate"],
        confirm: "keyprobe inspect on the app's federation metadata (?appid=) reports no-signing-keys.",
        scenario: Some("missing-signing-key (its cause, a SAML app without a signing certificate; mock-sts answers it with AADSTS50003, as Entra does for that app)"),
        fix: "create a SAML signing certificate for the app and make it active, as for AADSTS50003.",
    },
    AadstsEntry {
        number: 50146,
        name: "MissingCustomSigningKey",
        surface: "token endpoint JSON (invalid_request) or the error page",
        meaning: "The app uses claims mapping (or acceptMappedClaims) that requires tokens to be signed with a key of the app's own, so that other apps cannot accept tokens with mapped claims. No such key is configured, or it is outside its validity.",
        causes: &["a claims-mapping policy assigned to the app without a custom signing key", "the app's custom signing certificate expired"],
        confirm: "keyprobe inspect on the JWKS with ?appid=APP_ID: no-signing-keys or cert-expired.",
        scenario: Some("custom-signing-key-required"),
        fix: "add a signing certificate to the app (keyCredentials with usage Sign/Verify and preferredTokenSigningKeyThumbprint), or set acceptMappedClaims to true only when the audience is the app's own; relying parties must then fetch keys with ?appid=.",
    },
    AadstsEntry {
        number: 501461,
        name: "AcceptMappedClaimsRequiresAppOwnedKey",
        surface: "token endpoint JSON or the error page",
        meaning: "acceptMappedClaims is on, but the token's audience is neither the app's GUID nor in a verified domain, so Entra refuses to sign mapped claims with the shared tenant key.",
        causes: &["an app ID URI on an unverified domain with acceptMappedClaims"],
        confirm: "keyprobe inspect the token you did get: aud shows the resource identifier.",
        scenario: None,
        fix: "use the app GUID or a verified-domain app ID URI as audience, or configure an application-specific signing key.",
    },
    AadstsEntry {
        number: 50000,
        name: "TokenIssuanceError",
        surface: "token endpoint JSON",
        meaning: "A generic issuance failure. One documented cause concerns keys: a symmetric signing key configured on the app.",
        causes: &["a symmetric signing key on the application", "a transient service problem"],
        confirm: "retry; if it persists, inspect the app's keyCredentials.",
        scenario: None,
        fix: "remove symmetric signing keys from the app; retry later for transient errors.",
    },
    AadstsEntry {
        number: 50008,
        name: "InvalidSamlToken",
        surface: "the error page (inbound federation)",
        meaning: "Entra received a token from a federated identity provider (AD FS or a third-party IdP) signed by a key it does not have registered for that federation.",
        causes: &["the federated IdP rolled its token-signing certificate and Entra's federation settings were not updated"],
        confirm: "keyprobe inspect the IdP's SAML response with --cert (the certificate registered in Entra): key-not-found.",
        scenario: None,
        fix: "update the federation's signing certificate in Entra (Update-MgDomainFederationConfiguration, or AD FS auto-rollover tooling).",
    },
    AadstsEntry {
        number: 50013,
        name: "InvalidAssertion",
        surface: "token endpoint JSON (invalid_grant)",
        meaning: "An assertion sent to Entra (on-behalf-of, a client assertion) is signed with a key Entra cannot find or does not verify. Other reasons Entra gives: \"The provided signature value did not match the expected signature value.\" and \"Key was found, but use of the key to verify the signature failed.\"",
        causes: &["an OBO assertion issued for another tenant or app", "a client assertion signed with a certificate that is not registered"],
        confirm: "keyprobe inspect ASSERTION --cert REGISTERED-CERT: compares x5t with the registered thumbprint.",
        scenario: None,
        fix: "register the certificate (or send the assertion for the right app) and make x5t the SHA-1 thumbprint of that certificate.",
    },
    AadstsEntry {
        number: 700027,
        name: "InvalidClientAssertionSignature",
        surface: "token endpoint JSON (invalid_client, HTTP 401)",
        meaning: "The client authenticated with private_key_jwt, and the x5t (thumbprint) in the assertion's header names a certificate that is not among the app's registered certificates (\"The key was not found.\"), or one whose certificate credential is outside its start and end dates (\"The key used is expired.\", said also of a key not yet valid, with the found key's Start and End), or the signature does not verify with it.",
        causes: &["the certificate was renewed locally but not uploaded to the app registration", "the registered certificate credential expired (keyCredentials endDateTime)", "the signing host's clock is wrong, so the key looks expired or not yet valid", "x5t computed from the wrong certificate, or hex where base64url is expected", "the wrong app (client id) was used"],
        confirm: "keyprobe inspect ASSERTION --cert REGISTERED-CERT: thumbprint-mismatch or key-not-found with both thumbprints; keyprobe inspect the app registration (Graph JSON) for keyCredentials past their endDateTime.",
        scenario: Some("client-cert-not-uploaded (or expired-client-cert)"),
        fix: "upload the certificate's public part to the app registration (Certificates & secrets), renew an expired one, or sign with a registered, valid certificate.",
    },
    AadstsEntry {
        number: 700024,
        name: "ClientAssertionNotWithinValidTimeRange",
        surface: "token endpoint JSON (invalid_client)",
        meaning: "The client assertion's nbf/exp window does not contain Entra's current time.",
        causes: &["clock skew on the client", "an assertion cached and reused past its exp"],
        confirm: "keyprobe inspect ASSERTION --at TIME: token-expired or token-not-yet-valid.",
        scenario: Some("expired-client-assertion"),
        fix: "mint a new assertion per request with a short lifetime; synchronise the client's clock.",
    },
    AadstsEntry {
        number: 700023,
        name: "InvalidClientAssertionAudience",
        surface: "token endpoint JSON (invalid_client)",
        meaning: "The client assertion's aud is not the token endpoint the request was sent to, so Entra cannot tell the assertion was meant for this tenant and cloud. (Microsoft's general error table names 700023 InvalidResourcelessScope; the client assertion wording is what the token endpoint answers.)",
        causes: &["aud set to another tenant's or another cloud's token endpoint (login.microsoftonline.us, .cn)", "aud set to the authority, the issuer or the app instead of the token endpoint", "an assertion made for /common reused against a tenant"],
        confirm: "keyprobe inspect ASSERTION shows aud; it must be https://login.microsoftonline.com/TENANT/oauth2/v2.0/token (or the v1 /oauth2/token) of the endpoint called.",
        scenario: None,
        fix: "set aud to the exact token endpoint the request goes to (MSAL does this itself; check a hand-made assertion).",
    },
    AadstsEntry {
        number: 7000215,
        name: "InvalidClientSecretProvided",
        surface: "token endpoint JSON (invalid_client, HTTP 401)",
        meaning: "The client secret does not match any secret registered for the app.",
        causes: &["the secret's ID was sent instead of its value", "a secret from another app or a rotated secret"],
        confirm: "the error body: keyprobe inspect decodes it.",
        scenario: None,
        fix: "create a new secret and send its value (shown once at creation).",
    },
    AadstsEntry {
        number: 7000222,
        name: "InvalidClientSecretExpiredKeysProvided",
        surface: "token endpoint JSON (invalid_client)",
        meaning: "The client secret matches, but it has expired.",
        causes: &["a secret past its end date"],
        confirm: "the error body: keyprobe inspect decodes it; keyprobe inspect the app registration (Graph JSON) lists passwordCredentials past their endDateTime.",
        scenario: Some("expired-client-secret"),
        fix: "create a new client secret and update the application's configuration.",
    },
    AadstsEntry {
        number: 7000218,
        name: "MissingClientCredential",
        surface: "token endpoint JSON (invalid_client)",
        meaning: "A confidential client called the token endpoint without a credential.",
        causes: &["a public-client flow used for an app that is not marked as public client"],
        confirm: "the error body: keyprobe inspect decodes it.",
        scenario: None,
        fix: "send a client secret or a client assertion, or enable public client flows for the app.",
    },
    AadstsEntry {
        number: 700016,
        name: "UnauthorizedClient_DoesNotMatchRequest",
        surface: "token endpoint JSON (unauthorized_client) or the error page (SAML: the AuthnRequest Issuer)",
        meaning: "The client id (or the SAML request's Issuer) names no application in this tenant.",
        causes: &["a typo in the client id or entity id", "the app lives in another tenant", "admin consent was never given in this tenant"],
        confirm: "keyprobe inspect the SAML AuthnRequest shows its Issuer; compare with the app's identifier.",
        scenario: None,
        fix: "use the right client id / entity id and tenant.",
    },
    AadstsEntry {
        number: 50011,
        name: "InvalidReplyTo",
        surface: "the error page",
        meaning: "The redirect URI (OIDC) or AssertionConsumerServiceURL (SAML) is not among the app's registered reply URLs.",
        causes: &["http vs https, a trailing slash or a port difference", "a new environment not registered"],
        confirm: "keyprobe inspect the AuthnRequest or authorize URL shows the URI sent.",
        scenario: None,
        fix: "register the exact URI on the app (Authentication / Basic SAML Configuration).",
    },
    AadstsEntry {
        number: 75011,
        name: "NoMatchedAuthnContextInOutputClaims",
        surface: "the error page",
        meaning: "The SAML request asks for an authentication context (e.g. PasswordProtectedTransport) the user's session cannot satisfy.",
        causes: &["an SP that hard-codes RequestedAuthnContext while users sign in with MFA, certificates or federation"],
        confirm: "keyprobe inspect the AuthnRequest shows RequestedAuthnContext.",
        scenario: None,
        fix: "remove RequestedAuthnContext from the SP's requests or use Comparison=\"minimum\".",
    },
    AadstsEntry {
        number: 75005,
        name: "Saml2MessageInvalid",
        surface: "the error page",
        meaning: "Entra could not parse the SAMLRequest.",
        causes: &["a SAMLRequest deflated with a zlib header, or not deflated for the Redirect binding", "truncated or double-encoded values"],
        confirm: "keyprobe inspect the SAMLRequest URL decodes it or says where it breaks.",
        scenario: None,
        fix: "send raw DEFLATE + base64 + URL-encoding for HTTP-Redirect, plain base64 for HTTP-POST.",
    },
    AadstsEntry {
        number: 750054,
        name: "SAMLRequestNotPresent",
        surface: "the error page",
        meaning: "The SAML endpoint was called without a SAMLRequest.",
        causes: &["a bookmark of the SAML endpoint", "a proxy dropping the query string"],
        confirm: "keyprobe inspect the URL.",
        scenario: None,
        fix: "start sign-in from the service provider (or use IdP-initiated sign-in from My Apps).",
    },
    AadstsEntry {
        number: 7500514,
        name: "SAMLResponseTypeNotSupported",
        surface: "the error page or a SAML error Response",
        meaning: "The SAML message type or binding is not one Entra supports here.",
        causes: &["a SAML 1.1 or WS-Fed message sent to the SAML 2.0 endpoint"],
        confirm: "keyprobe inspect the message shows its kind.",
        scenario: None,
        fix: "send a SAML 2.0 AuthnRequest over HTTP-Redirect or HTTP-POST.",
    },
    AadstsEntry {
        number: 76021,
        name: "ApplicationRequiresSignedRequests",
        surface: "the error page",
        meaning: "The app is configured to require signed AuthnRequests and this one is not signed.",
        causes: &["the SP's request signing is off while Entra's 'Require verification certificates' is on", "the signature is where the other binding puts it: HTTP-Redirect signs the query (SigAlg, Signature), HTTP-POST signs the XML", "the SP signs with a certificate not uploaded as verification certificate, or with RSA-SHA1 while SHA-1 is not allowed"],
        confirm: "keyprobe inspect the AuthnRequest shows whether it is signed.",
        scenario: None,
        fix: "sign AuthnRequests with the certificate registered as verification certificate, or turn the requirement off.",
    },
    AadstsEntry {
        number: 75016,
        name: "Saml2AuthenticationRequestInvalidNameIDPolicy",
        surface: "a SAML error Response (status InvalidNameIDPolicy)",
        meaning: "The AuthnRequest's NameIDPolicy asks for a NameID format Entra does not issue.",
        causes: &["an SP asking for X509SubjectName, WindowsDomainQualifiedName, kerberos, entity or encrypted NameIDs"],
        confirm: "keyprobe inspect the AuthnRequest shows NameIDPolicy.",
        scenario: None,
        fix: "ask for emailAddress, persistent, transient or unspecified (or send no NameIDPolicy) and choose the NameID in the app's claims configuration.",
    },
    AadstsEntry {
        number: 75008,
        name: "RequestDeniedDestinationMismatch",
        surface: "the error page or a SAML error Response",
        meaning: "The AuthnRequest's Destination does not match the endpoint it was sent to.",
        causes: &["a Destination pointing at another tenant or cloud"],
        confirm: "keyprobe inspect the AuthnRequest shows Destination.",
        scenario: None,
        fix: "set Destination to https://login.microsoftonline.com/TENANT/saml2.",
    },
    AadstsEntry {
        number: 500011,
        name: "InvalidResourceServicePrincipalNotFound",
        surface: "token endpoint JSON (invalid_resource)",
        meaning: "The scope or resource names an API that has no service principal in this tenant.",
        causes: &["a typo in the scope's app ID URI", "the API was never consented in this tenant"],
        confirm: "the error body: keyprobe inspect decodes it.",
        scenario: None,
        fix: "use the API's exact app ID URI and have an admin consent to it in this tenant.",
    },
    AadstsEntry {
        number: 50027,
        name: "InvalidJwtToken",
        surface: "token endpoint JSON",
        meaning: "A JWT sent to Entra (usually a client assertion) is malformed for Entra's purposes, for example without x5t.",
        causes: &["a client assertion without an x5t header", "a token missing required claims"],
        confirm: "keyprobe inspect ASSERTION shows the header.",
        scenario: None,
        fix: "add x5t (base64url SHA-1 of the certificate) to the assertion header.",
    },
    AadstsEntry {
        number: 900384,
        name: "JwtSignatureValidationFailed",
        surface: "token endpoint JSON",
        meaning: "A JWT presented to Entra (a federated credential or assertion) has a signature Entra cannot verify.",
        causes: &["a workload identity federation token signed by a key the external issuer no longer publishes"],
        confirm: "keyprobe inspect TOKEN --metadata EXTERNAL-ISSUER-DISCOVERY.",
        scenario: None,
        fix: "check the federated credential's issuer and the issuer's published keys.",
    },
    AadstsEntry {
        number: 90002,
        name: "InvalidTenantName",
        surface: "token endpoint JSON or the error page",
        meaning: "The tenant in the URL (GUID or domain) does not exist in this cloud.",
        causes: &["a typo in the tenant", "a sovereign-cloud tenant addressed at the public cloud"],
        confirm: "keyprobe inspect --metadata https://login.microsoftonline.com/TENANT/v2.0/.well-known/openid-configuration",
        scenario: None,
        fix: "use the right tenant ID or verified domain and the right cloud's authority.",
    },
    AadstsEntry {
        number: 9002313,
        name: "InvalidRequest",
        surface: "token endpoint JSON or the error page",
        meaning: "Entra could not parse the request.",
        causes: &["a malformed form body or missing required parameters"],
        confirm: "compare the request with the protocol's required parameters.",
        scenario: None,
        fix: "send a well-formed request.",
    },
    AadstsEntry {
        number: 70011,
        name: "InvalidScope",
        surface: "token endpoint JSON (invalid_scope)",
        meaning: "The requested scope is not valid for this flow (client credentials need RESOURCE/.default).",
        causes: &["a delegated scope in a client-credentials request"],
        confirm: "the error body: keyprobe inspect decodes it.",
        scenario: None,
        fix: "request api://RESOURCE/.default for application permissions.",
    },
    AadstsEntry {
        number: 50076,
        name: "UserStrongAuthClientAuthNRequired",
        surface: "token endpoint JSON (interaction_required)",
        meaning: "Conditional Access requires MFA, which a non-interactive flow cannot provide.",
        causes: &["ROPC or silent flows under an MFA policy"],
        confirm: "the error body: keyprobe inspect decodes it.",
        scenario: None,
        fix: "use an interactive flow, or exclude the workload from the policy.",
    },
    AadstsEntry {
        number: 70016,
        name: "AuthorizationPending",
        surface: "token endpoint JSON (authorization_pending) while a device code flow polls",
        meaning: "Not a failure: the user has not yet entered the device code and signed in. The client keeps polling every `interval` seconds.",
        causes: &["the device code flow waiting for the user"],
        confirm: "the client's poll loop: it ends with a token, AADSTS70020 (expired) or a decline.",
        scenario: None,
        fix: "nothing, unless it never ends: then the user did not finish signing in at the verification URI (with mock-sts, approve the code on its dashboard or through POST /_mock/device-codes/USER_CODE/approve).",
    },
    AadstsEntry {
        number: 70020,
        name: "ExpiredDeviceCode",
        surface: "token endpoint JSON (expired_token) in a device code flow",
        meaning: "The device code's lifetime (expires_in, 15 minutes) ran out before the user signed in.",
        causes: &["the user took too long", "a client that kept polling an old code"],
        confirm: "compare the time of the devicecode request with the error's timestamp.",
        scenario: None,
        fix: "start a new device code flow and sign in within its lifetime.",
    },
    AadstsEntry {
        number: 7000014,
        name: "InvalidDeviceCode",
        surface: "token endpoint JSON (invalid_grant) in a device code flow",
        meaning: "The device code sent to the token endpoint is not one Entra issued, or it was already redeemed.",
        causes: &["a truncated or mistyped device_code", "polling again after the code was redeemed", "the v1 endpoint wants the code in `code`, the v2 endpoint in `device_code`"],
        confirm: "compare the device_code sent with the one the devicecode endpoint returned.",
        scenario: None,
        fix: "poll with the device_code exactly as returned, once per flow.",
    },
    AadstsEntry {
        number: 50126,
        name: "InvalidUserNameOrPassword",
        surface: "token endpoint JSON (invalid_grant) for the password grant; the sign-in page",
        meaning: "The user name or password is wrong.",
        causes: &["a wrong or changed password", "a federated or MFA-bound account used with the resource owner password grant"],
        confirm: "sign in interactively with the same account.",
        scenario: None,
        fix: "use the right password, or move off the resource owner password grant to a flow that supports MFA and federation.",
    },
    AadstsEntry {
        number: 500131,
        name: "AssertionAudienceDoesNotMatch",
        surface: "token endpoint JSON (invalid_grant) for an on-behalf-of request",
        meaning: "The user token sent as the OBO assertion was issued for another app than the one asking: it must be a token for the middle-tier API itself.",
        causes: &["the client sent a Graph token (or a token for another API) to the middle tier", "the middle tier's app ID URI differs from the audience in the token"],
        confirm: "keyprobe inspect the assertion: its aud must be the middle tier's client id or app ID URI.",
        scenario: None,
        fix: "have the client request a token for the middle-tier API's scope and send that one.",
    },
    AadstsEntry {
        number: 500133,
        name: "AssertionNotWithinValidTimeRange",
        surface: "token endpoint JSON (invalid_grant) for an on-behalf-of request",
        meaning: "The user token sent as the OBO assertion has expired.",
        causes: &["a middle tier that caches the incoming token past its exp"],
        confirm: "keyprobe inspect the assertion reports token-expired.",
        scenario: None,
        fix: "have the client send a fresh token; the middle tier should reject expired tokens before exchanging them.",
    },
    AadstsEntry {
        number: 50055,
        name: "InvalidPasswordExpiredPassword",
        surface: "token endpoint JSON (user_password_expired suberror)",
        meaning: "The user's password has expired.",
        causes: &["password expiry policy"],
        confirm: "the error body: keyprobe inspect decodes it.",
        scenario: None,
        fix: "change the password (the body's password_change_url).",
    },
    AadstsEntry {
        number: 9002326,
        name: "CrossOriginRedemptionNotAllowed",
        surface: "token endpoint JSON (invalid_request), seen by a browser app",
        meaning: "A browser (a request with an Origin header) tried to redeem a code or get a token, and the redemption is not a single-page-app one: the code was issued to a redirect URI registered under the Web or Mobile and desktop platform, or the request is a client-credentials request or carries a client secret. Entra lets only redirect URIs of the Single-page application platform be redeemed cross-origin, so that secrets never live in a browser.",
        causes: &["the SPA's redirect URI is registered under the Web platform (replyUrlsWithType type Web instead of Spa)", "a server-side client (Node fetch, a proxy, an API tool) that sends an Origin header for a Web app", "a client secret or client-credentials request sent from browser code"],
        confirm: "the app manifest's replyUrlsWithType (or Graph application.spa.redirectUris) shows the redirect URI's platform; the error text names the request origin.",
        scenario: None,
        fix: "register the redirect URI under Single-page application (Authentication, Add a platform, or type Spa in the manifest), or stop sending an Origin header from a server-side client.",
    },
    AadstsEntry {
        number: 9002327,
        name: "SpaRedemptionRequiresCrossOrigin",
        surface: "token endpoint JSON (invalid_request)",
        meaning: "A code or refresh token issued for a redirect URI of the Single-page application platform was redeemed without an Origin header, that is, not from a browser.",
        causes: &["a back end, Postman or a CLI redeeming a code meant for the SPA", "a refresh token obtained by a SPA reused by a server"],
        confirm: "the redirect URI's platform in the app registration (Authentication blade or application.spa.redirectUris).",
        scenario: None,
        fix: "redeem SPA codes and refresh tokens from the browser, or register a separate Web (or Mobile and desktop) redirect URI for the server-side client.",
    },
    AadstsEntry {
        number: 9002325,
        name: "CrossOriginRedemptionRequiresPkce",
        surface: "token endpoint JSON (invalid_request)",
        meaning: "A single-page app redeemed a code cross-origin, but the authorization request carried no PKCE code_challenge.",
        causes: &["an implicit-flow library (MSAL.js 1.x) pointed at a redirect URI of the Single-page application platform"],
        confirm: "the authorize URL lacks code_challenge.",
        scenario: None,
        fix: "use the authorization code flow with PKCE (MSAL.js 2.x or later), or register the redirect URI under Web for the implicit flow.",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_names_exactly_its_placeholders() {
        for code in AadCode::ALL {
            let entry = code.entry();
            let mut text = entry.template.to_string();
            for param in entry.params {
                let placeholder = format!("{{{param}}}");
                assert!(text.contains(&placeholder), "{code:?} lacks {placeholder}");
                text = text.replace(&placeholder, "VALUE");
            }
            assert!(!text.contains('{'), "{code:?}: {text}");
            if entry.error == "invalid_client" {
                assert_eq!(
                    entry.status, 401,
                    "{code:?}: Entra answers invalid_client with 401"
                );
            }
        }
    }

    #[test]
    fn every_explanation_has_a_text_and_codes_are_unique() {
        for (i, entry) in AADSTS.iter().enumerate() {
            assert!(
                entry.messages().next().is_some(),
                "AADSTS{} has no text",
                entry.number
            );
            assert!(
                AADSTS[..i].iter().all(|e| e.number != entry.number),
                "AADSTS{} explained twice",
                entry.number
            );
        }
    }

    #[test]
    fn finds_codes_in_any_text() {
        assert_eq!(
            codes_in("AADSTS50003: x. Also AADSTS50003 and AADSTS700016; AADSTS12 is too short"),
            vec!["50003", "700016"]
        );
        assert!(mentions_a_code("…AADSTS7000215: Invalid client secret"));
        assert!(!mentions_a_code("AADSTS"));
        assert_eq!(codes_in("AADSTS9é"), Vec::<&str>::new());
    }
}
