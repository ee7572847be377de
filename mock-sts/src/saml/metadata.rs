//! Federation metadata shaped like Entra's (`../shared/entra-samples/entra-common-federationmetadata.xml`):
//! an `EntityDescriptor` with its enveloped signature first, a WS-Fed `SecurityTokenServiceType` and an
//! `ApplicationServiceType` RoleDescriptor, and an `IDPSSODescriptor` with the SAML endpoints; the
//! namespaces are `http://` as in the capture. The tenant document lists the tenant signing keys; the
//! app document (`?appid=`) lists the app's SAML signing certificate, or none when it has none.

use super::response::{new_id, xml_escape};
use super::sign::SIGNATURE_PLACEHOLDER;

/// The claim types Entra offers, in the capture's order: (URI, display name, description).
const CLAIM_TYPES: &[(&str, &str, &str)] = &[
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
        "Name",
        "The mutable display name of the user.",
    ),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier",
        "Subject",
        "An immutable, globally unique, non-reusable identifier of the user that is unique to the application for which a token is issued.",
    ),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        "Given Name",
        "First name of the user.",
    ),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
        "Surname",
        "Last name of the user.",
    ),
    (
        "http://schemas.microsoft.com/identity/claims/displayname",
        "Display Name",
        "Display name of the user.",
    ),
    (
        "http://schemas.microsoft.com/identity/claims/nickname",
        "Nick Name",
        "Nick name of the user.",
    ),
    (
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/authenticationinstant",
        "Authentication Instant",
        "The time (UTC) when the user is authenticated to Windows Azure Active Directory.",
    ),
    (
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/authenticationmethod",
        "Authentication Method",
        "The method that Windows Azure Active Directory uses to authenticate users.",
    ),
    (
        "http://schemas.microsoft.com/identity/claims/objectidentifier",
        "ObjectIdentifier",
        "Primary identifier for the user in the directory. Immutable, globally unique, non-reusable.",
    ),
    (
        "http://schemas.microsoft.com/identity/claims/tenantid",
        "TenantId",
        "Identifier for the user's tenant.",
    ),
    (
        "http://schemas.microsoft.com/identity/claims/identityprovider",
        "IdentityProvider",
        "Identity provider for the user.",
    ),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "Email",
        "Email address of the user.",
    ),
    (
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
        "Groups",
        "Groups of the user.",
    ),
    (
        "http://schemas.microsoft.com/identity/claims/accesstoken",
        "External Access Token",
        "Access token issued by external identity provider.",
    ),
    (
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/expiration",
        "External Access Token Expiration",
        "UTC expiration time of access token issued by external identity provider.",
    ),
    (
        "http://schemas.microsoft.com/identity/claims/openid2_id",
        "External OpenID 2.0 Identifier",
        "OpenID 2.0 identifier issued by external identity provider.",
    ),
    (
        "http://schemas.microsoft.com/claims/groups.link",
        "GroupsOverageClaim",
        "Issued when number of user's group claims exceeds return limit.",
    ),
    (
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
        "Role Claim",
        "Roles that the user or Service Principal is attached to",
    ),
    (
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/wids",
        "RoleTemplate Id Claim",
        "Role template id of the Built-in Directory Roles that the user is a member of",
    ),
];

/// What the document describes.
pub(crate) struct MetadataInput<'a> {
    /// `https://sts.windows.net/{tid}/` (with the `{tenantid}` template for common/organizations).
    pub entity_id: &'a str,
    /// Where the endpoints live: `BASE/{tenant segment}`.
    pub endpoint_base: &'a str,
    /// The signing certificates to list (base64 DER); may be empty.
    pub certificates: &'a [String],
}

fn key_descriptors(certificates: &[String]) -> String {
    certificates
        .iter()
        .map(|cert| {
            format!(
                "<KeyDescriptor use=\"signing\"><KeyInfo xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><X509Data><X509Certificate>{cert}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>"
            )
        })
        .collect()
}

fn endpoint_reference(address: &str) -> String {
    format!(
        "<wsa:EndpointReference xmlns:wsa=\"http://www.w3.org/2005/08/addressing\"><wsa:Address>{}</wsa:Address></wsa:EndpointReference>",
        xml_escape(address)
    )
}

/// The unsigned document with [`SIGNATURE_PLACEHOLDER`] first in the root; returns it with its ID.
pub(crate) fn unsigned(input: &MetadataInput<'_>) -> (String, String) {
    let id = new_id();
    let keys = key_descriptors(input.certificates);
    let wsfed = format!("{}/wsfed", input.endpoint_base);
    let saml2 = format!("{}/saml2", input.endpoint_base);
    let claims: String = CLAIM_TYPES
        .iter()
        .map(|(uri, name, description)| {
            format!(
                "<auth:ClaimType xmlns:auth=\"http://docs.oasis-open.org/wsfed/authorization/200706\" Uri=\"{uri}\"><auth:DisplayName>{name}</auth:DisplayName><auth:Description>{description}</auth:Description></auth:ClaimType>"
            )
        })
        .collect();
    let role_attrs = "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:fed=\"http://docs.oasis-open.org/wsfed/federation/200706\"";
    let protocol =
        "protocolSupportEnumeration=\"http://docs.oasis-open.org/wsfed/federation/200706\"";
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><EntityDescriptor ID=\"{id}\" entityID=\"{entity}\" xmlns=\"urn:oasis:names:tc:SAML:2.0:metadata\">{SIGNATURE_PLACEHOLDER}\
<RoleDescriptor xsi:type=\"fed:SecurityTokenServiceType\" {protocol} {role_attrs}>{keys}\
<fed:ClaimTypesOffered>{claims}</fed:ClaimTypesOffered>\
<fed:SecurityTokenServiceEndpoint>{wsfed_ref}</fed:SecurityTokenServiceEndpoint>\
<fed:PassiveRequestorEndpoint>{wsfed_ref}</fed:PassiveRequestorEndpoint></RoleDescriptor>\
<RoleDescriptor xsi:type=\"fed:ApplicationServiceType\" {protocol} {role_attrs}>{keys}\
<fed:TargetScopes>{scope_ref}</fed:TargetScopes>\
<fed:ApplicationServiceEndpoint>{wsfed_ref}</fed:ApplicationServiceEndpoint>\
<fed:PassiveRequestorEndpoint>{wsfed_ref}</fed:PassiveRequestorEndpoint></RoleDescriptor>\
<IDPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">{keys}\
<SingleLogoutService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" Location=\"{saml2}\"/>\
<SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" Location=\"{saml2}\"/>\
<SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" Location=\"{saml2}\"/>\
</IDPSSODescriptor></EntityDescriptor>",
        entity = xml_escape(input.entity_id),
        wsfed_ref = endpoint_reference(&wsfed),
        scope_ref = endpoint_reference(input.entity_id),
        saml2 = xml_escape(&saml2),
    );
    (xml, id)
}
