//! The SAML Response Entra posts to an app: a signed assertion (or response, or both) with Entra's claim
//! URIs in Entra's order, `Conditions` from five minutes before issuing to an hour after with the audience,
//! a bearer subject confirmation that lasts as long, and the issuer `https://sts.windows.net/{tid}/`; and the
//! unsigned error Response for request problems it can route back.
//!
//! The windows follow real responses (a 2021 capture kept in the shared samples, and later public excerpts
//! that agree), not Microsoft's older protocol page ("no buffer, 70 minutes"): service providers with
//! default settings reject a response whose window starts at the issue instant when their clock is a
//! little behind, and one whose confirmation lasts five minutes soon after.

use time::format_description::FormatItem;
use time::macros::format_description;
use time::{Duration, OffsetDateTime};

use super::certs::SamlCertificate;
use super::request::{HTTP_POST_BINDING, PROTOCOL_NS};
use super::sign::{sign_enveloped, SignError, SIGNATURE_PLACEHOLDER};
use crate::model::{SamlAttribute, SamlSigning, Tenant, User};
use crate::util::{derived_guid, html_escape, new_guid};

/// `2013-03-18T07:38:15.144Z`: SAML instants as Entra writes them.
const INSTANT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
/// Conditions `NotBefore` is this long before the issue instant, for service providers whose clock is behind.
pub(crate) const CLOCK_SKEW_ALLOWANCE: Duration = Duration::minutes(5);
/// Conditions `NotOnOrAfter`, and the bearer confirmation's `NotOnOrAfter`, this long after the issue instant.
pub(crate) const ASSERTION_LIFETIME: Duration = Duration::minutes(60);

pub(crate) const NAMEID_EMAIL: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
pub(crate) const NAMEID_UNSPECIFIED: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
pub(crate) const NAMEID_PERSISTENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
pub(crate) const NAMEID_TRANSIENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";
pub(crate) const AC_PASSWORD: &str = "urn:oasis:names:tc:SAML:2.0:ac:classes:Password";
pub(crate) const AC_PASSWORD_PROTECTED: &str =
    "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
pub(crate) const AC_UNSPECIFIED: &str = "urn:oasis:names:tc:SAML:2.0:ac:classes:unspecified";
const AMR_PASSWORD: &str =
    "http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password";

pub(crate) fn instant(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(INSTANT)
        .unwrap_or_default()
}

/// XML text and attribute escaping.
pub(crate) fn xml_escape(text: &str) -> String {
    html_escape(text)
}

/// The `_`-prefixed GUID ids Entra gives Responses and Assertions.
pub(crate) fn new_id() -> String {
    format!("_{}", new_guid())
}

/// The issuer Entra puts in SAML tokens and metadata.
pub(crate) fn issuer(tenant: &Tenant) -> String {
    format!("https://sts.windows.net/{}/", tenant.id)
}

/// What a successful sign-in answers.
pub(crate) struct Success<'a> {
    pub tenant: &'a Tenant,
    pub user: &'a User,
    pub app_client_id: &'a str,
    pub audience: &'a str,
    pub acs_url: &'a str,
    pub in_response_to: Option<&'a str>,
    pub name_id_format: Option<&'a str>,
    /// The AuthnContextClassRef to state (the requested one when it was satisfiable).
    pub authn_context: &'a str,
    pub signing: SamlSigning,
    pub at: OffsetDateTime,
    /// When the user entered credentials: `at` for a fresh sign-in, earlier when a session signed them in.
    pub authn_instant: OffsetDateTime,
    /// The app's NameID format, issued when the request asks for none (`None`: Default).
    pub configured_name_id_format: Option<&'static str>,
    /// The app's attributes after the directory's (`None`: Entra's default four).
    pub attributes: Option<&'a [SamlAttribute]>,
}

/// The NameID value and format for a requested format; Entra's default is the UPN as emailAddress.
fn name_id(success: &Success<'_>) -> (String, &'static str) {
    match success.name_id_format {
        Some(NAMEID_PERSISTENT) => (
            derived_guid(
                &format!("mock-sts saml persistent {}", success.app_client_id),
                &success.user.object_id,
            ),
            NAMEID_PERSISTENT,
        ),
        Some(NAMEID_TRANSIENT) => (new_id(), NAMEID_TRANSIENT),
        Some(NAMEID_UNSPECIFIED) => (success.user.user_principal_name.clone(), NAMEID_UNSPECIFIED),
        // No format asked for: the app's "Unique User Identifier" format, with its source (the UPN).
        None => (
            success.user.user_principal_name.clone(),
            success.configured_name_id_format.unwrap_or(NAMEID_EMAIL),
        ),
        _ => (success.user.user_principal_name.clone(), NAMEID_EMAIL),
    }
}

fn attribute(name: &str, values: &[&str]) -> String {
    let values: String = values
        .iter()
        .map(|v| format!("<AttributeValue>{}</AttributeValue>", xml_escape(v)))
        .collect();
    format!("<Attribute Name=\"{name}\">{values}</Attribute>")
}

/// The assertion, unsigned, with [`SIGNATURE_PLACEHOLDER`] after its Issuer when it is to be signed.
fn assertion(success: &Success<'_>, id: &str, signed: bool) -> String {
    let tid = &success.tenant.id;
    let issuer = issuer(success.tenant);
    let (name_id, format) = name_id(success);
    let in_response_to = success
        .in_response_to
        .map(|r| format!(" InResponseTo=\"{}\"", xml_escape(r)))
        .unwrap_or_default();
    let user = success.user;
    // Entra's order: the directory's claims first, then the app's (given name, surname, email, name).
    let mut attributes = vec![
        attribute(
            "http://schemas.microsoft.com/identity/claims/tenantid",
            &[tid],
        ),
        attribute(
            "http://schemas.microsoft.com/identity/claims/objectidentifier",
            &[&user.object_id],
        ),
        attribute(
            "http://schemas.microsoft.com/identity/claims/displayname",
            &[&user.display_name],
        ),
        attribute(
            "http://schemas.microsoft.com/identity/claims/identityprovider",
            &[&issuer],
        ),
        attribute(
            "http://schemas.microsoft.com/claims/authnmethodsreferences",
            &[AMR_PASSWORD],
        ),
    ];
    if success.attributes.is_none() {
        attributes.push(attribute(
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
            &[&user.given_name],
        ));
        attributes.push(attribute(
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
            &[&user.surname],
        ));
    }
    match success.attributes {
        // "Attributes & Claims" as the app has them; a user without the source value gets no claim.
        Some(configured) => {
            for a in configured {
                if let Some(value) = a.source.of(user) {
                    attributes.push(attribute(&xml_escape(&a.name), &[&value]));
                }
            }
        }
        None => {
            if let Some(email) = &user.email {
                attributes.push(attribute(
                    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
                    &[email],
                ));
            }
            attributes.push(attribute(
                "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
                &[&user.user_principal_name],
            ));
        }
    }
    let not_on_or_after = instant(success.at + ASSERTION_LIFETIME);
    format!(
        "<Assertion ID=\"{id}\" IssueInstant=\"{issued}\" Version=\"2.0\" xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\">\
<Issuer>{issuer}</Issuer>{signature}\
<Subject><NameID Format=\"{format}\">{name_id}</NameID>\
<SubjectConfirmation Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\">\
<SubjectConfirmationData{in_response_to} NotOnOrAfter=\"{confirm_until}\" Recipient=\"{acs}\"/>\
</SubjectConfirmation></Subject>\
<Conditions NotBefore=\"{not_before}\" NotOnOrAfter=\"{not_on_or_after}\">\
<AudienceRestriction><Audience>{audience}</Audience></AudienceRestriction></Conditions>\
<AttributeStatement>{attributes}</AttributeStatement>\
<AuthnStatement AuthnInstant=\"{authn_instant}\" SessionIndex=\"{id}\">\
<AuthnContext><AuthnContextClassRef>{context}</AuthnContextClassRef></AuthnContext></AuthnStatement>\
</Assertion>",
        issued = instant(success.at),
        authn_instant = instant(success.authn_instant),
        issuer = xml_escape(&issuer),
        signature = if signed { SIGNATURE_PLACEHOLDER } else { "" },
        format = format,
        name_id = xml_escape(&name_id),
        confirm_until = not_on_or_after,
        acs = xml_escape(success.acs_url),
        not_before = instant(success.at - CLOCK_SKEW_ALLOWANCE),
        audience = xml_escape(success.audience),
        attributes = attributes.concat(),
        context = xml_escape(success.authn_context),
    )
}

fn response_head(
    tenant: &Tenant,
    id: &str,
    at: OffsetDateTime,
    destination: &str,
    in_response_to: Option<&str>,
) -> String {
    let in_response_to = in_response_to
        .map(|r| format!(" InResponseTo=\"{}\"", xml_escape(r)))
        .unwrap_or_default();
    format!(
        "<samlp:Response ID=\"{id}\" Version=\"2.0\" IssueInstant=\"{at}\" Destination=\"{destination}\"{in_response_to} xmlns:samlp=\"{PROTOCOL_NS}\">\
<Issuer xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\">{issuer}</Issuer>",
        at = instant(at),
        destination = xml_escape(destination),
        issuer = xml_escape(&issuer(tenant)),
    )
}

/// The signed Response XML for a successful sign-in.
pub(crate) fn success_response(
    success: &Success<'_>,
    cert: &SamlCertificate,
) -> Result<String, SignError> {
    let assertion_id = new_id();
    let response_id = new_id();
    let sign_assertion = matches!(success.signing, SamlSigning::Assertion | SamlSigning::Both);
    let sign_response = matches!(success.signing, SamlSigning::Response | SamlSigning::Both);
    let mut assertion_xml = assertion(success, &assertion_id, sign_assertion);
    if sign_assertion {
        // Signed on its own: exclusive c14n makes the signature independent of where it is placed.
        assertion_xml = sign_enveloped(&assertion_xml, &assertion_id, cert)?;
    }
    let xml = format!(
        "{head}{signature}<samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status>{assertion_xml}</samlp:Response>",
        head = response_head(
            success.tenant,
            &response_id,
            success.at,
            success.acs_url,
            success.in_response_to
        ),
        signature = if sign_response { SIGNATURE_PLACEHOLDER } else { "" },
    );
    if sign_response {
        sign_enveloped(&xml, &response_id, cert)
    } else {
        Ok(xml)
    }
}

/// The Response Entra posts for a request problem it can route back to the app: status Requester with a
/// nested status, and the AADSTS text with Trace ID and Timestamp in StatusMessage (unsigned, as in
/// Microsoft's documented sample).
pub(crate) fn error_response(
    tenant: &Tenant,
    acs_url: &str,
    in_response_to: Option<&str>,
    nested_status: &str,
    message: &str,
    trace_id: &str,
    at: OffsetDateTime,
) -> String {
    format!(
        "{head}<samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Requester\">\
<samlp:StatusCode Value=\"{nested_status}\"/></samlp:StatusCode>\
<samlp:StatusMessage>{message}\nTrace ID: {trace_id}\nTimestamp: {timestamp}</samlp:StatusMessage>\
</samlp:Status></samlp:Response>",
        head = response_head(tenant, &new_id(), at, acs_url, in_response_to),
        message = xml_escape(message),
        trace_id = xml_escape(trace_id),
        timestamp = crate::util::error_timestamp(at),
    )
}

/// The auto-posting page that carries a Response to the app's ACS URL (Entra's HTTP-POST binding).
pub(crate) fn auto_post_form(
    acs_url: &str,
    saml_response_b64: &str,
    relay_state: Option<&str>,
) -> String {
    let relay = relay_state
        .map(|r| {
            format!(
                "<input type=\"hidden\" name=\"RelayState\" value=\"{}\" />",
                html_escape(r)
            )
        })
        .unwrap_or_default();
    format!(
        "<html><head><title>Working...</title></head><body>\
<form method=\"POST\" name=\"hiddenform\" action=\"{action}\">\
<input type=\"hidden\" name=\"SAMLResponse\" value=\"{response}\" />{relay}\
<noscript><p>Script is disabled. Click Submit to continue.</p><input type=\"submit\" value=\"Submit\" /></noscript>\
</form><script language=\"javascript\">window.setTimeout(function () {{ document.forms[0].submit(); }}, 0);</script></body></html>",
        action = html_escape(acs_url),
        response = html_escape(saml_response_b64),
    )
}

/// Whether the response binding an AuthnRequest asks for is one Entra answers with.
pub(crate) fn binding_supported(protocol_binding: Option<&str>) -> bool {
    protocol_binding.is_none_or(|b| b == HTTP_POST_BINDING)
}
