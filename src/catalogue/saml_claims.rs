//! What the claim URIs in Entra's SAML attribute statements mean (Entra's defaults and the
//! claims most apps add), for the decoded view of an assertion.

pub(crate) const SAML_CLAIMS: &[(&str, &str)] = &[
    (
        "http://schemas.microsoft.com/identity/claims/tenantid",
        "the Entra tenant id (tid) that issued the assertion",
    ),
    (
        "http://schemas.microsoft.com/identity/claims/objectidentifier",
        "the user's object id in the tenant (oid); stable, unlike the name",
    ),
    (
        "http://schemas.microsoft.com/identity/claims/displayname",
        "the user's display name",
    ),
    (
        "http://schemas.microsoft.com/identity/claims/identityprovider",
        "who authenticated the user: the tenant's issuer, or an external IdP for guests",
    ),
    (
        "http://schemas.microsoft.com/claims/authnmethodsreferences",
        "how the user signed in (password, mfa, …)",
    ),
    (
        "http://schemas.microsoft.com/identity/claims/wids",
        "directory role template ids held by the user",
    ),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
        "the user's name as Entra sends it by default: the user principal name",
    ),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn",
        "the user principal name",
    ),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "the user's email address",
    ),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        "the user's given name",
    ),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
        "the user's surname",
    ),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier",
        "the subject identifier",
    ),
    (
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
        "group object ids the user belongs to (when the app asks for groups)",
    ),
    (
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
        "app roles assigned to the user",
    ),
    (
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups.link",
        "too many groups to list: the app must ask Microsoft Graph",
    ),
];

/// The meaning of a claim URI, when keyprobe knows it.
pub(crate) fn saml_claim(uri: &str) -> Option<&'static str> {
    SAML_CLAIMS.iter().find(|(u, _)| *u == uri).map(|(_, m)| *m)
}
