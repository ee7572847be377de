//! Claim names and NameID formats both programs know: the optional claims mock-sts can add to an app's
//! tokens (keyprobe `reproduce` writes the ones a capture's tokens carried), Entra's SAML attribute set and
//! the formats of its "Unique User Identifier" setting.

/// Entra optional claims (the manifest's `optionalClaims`) mock-sts issues from what it knows of a user.
pub const OPTIONAL_CLAIMS: &[&str] = &[
    "acct",
    "auth_time",
    "email",
    "family_name",
    "given_name",
    "idtyp",
    "upn",
    "verified_primary_email",
];

/// SAML attributes Entra always issues, from the directory (not editable in "Attributes & Claims").
pub const SAML_DIRECTORY_ATTRIBUTES: &[&str] = &[
    "http://schemas.microsoft.com/identity/claims/tenantid",
    "http://schemas.microsoft.com/identity/claims/objectidentifier",
    "http://schemas.microsoft.com/identity/claims/displayname",
    "http://schemas.microsoft.com/identity/claims/identityprovider",
    "http://schemas.microsoft.com/claims/authnmethodsreferences",
];

/// The user attributes a SAML claim can take its value from (the portal's "Source attribute"), as
/// mock-sts's configuration names them.
pub mod source {
    /// The user principal name.
    pub const USER_PRINCIPAL_NAME: &str = "user.userprincipalname";
    /// The user's mail.
    pub const MAIL: &str = "user.mail";
    /// The given name.
    pub const GIVEN_NAME: &str = "user.givenname";
    /// The surname.
    pub const SURNAME: &str = "user.surname";
    /// The display name.
    pub const DISPLAY_NAME: &str = "user.displayname";
    /// The object id (a GUID).
    pub const OBJECT_ID: &str = "user.objectid";
    /// Every source, in the order the portal lists them.
    pub const ALL: &[&str] = &[
        USER_PRINCIPAL_NAME,
        MAIL,
        GIVEN_NAME,
        SURNAME,
        DISPLAY_NAME,
        OBJECT_ID,
    ];
}

/// Entra's default editable SAML attributes, in its order, with the user attribute each comes from.
pub const SAML_DEFAULT_ATTRIBUTES: &[(&str, &str)] = &[
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        source::GIVEN_NAME,
    ),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
        source::SURNAME,
    ),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        source::MAIL,
    ),
    (
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
        source::USER_PRINCIPAL_NAME,
    ),
];

/// Attribute names in the order an assertion carried them (after the directory's) are Entra's default
/// set: its names, in its order, some possibly left out (a user without a mail has no emailaddress).
pub fn is_default_attribute_set(names: &[&str]) -> bool {
    let mut defaults = SAML_DEFAULT_ATTRIBUTES.iter().map(|(n, _)| *n);
    names.iter().all(|name| defaults.any(|d| d == *name))
}

/// The user attribute an attribute most likely comes from, judged by its value's shape (a GUID, an
/// address) and its name; the value itself is never kept. `upn` is the user's name as the assertion's
/// NameID or a token showed it, when known.
pub fn likely_source(name: &str, value: Option<&str>, upn: Option<&str>) -> &'static str {
    // The LDAP attribute OIDs service providers name (urn:oid:…), SAML2int's profile.
    match name.trim_start_matches("urn:oid:") {
        "2.5.4.42" => return source::GIVEN_NAME,
        "2.5.4.4" => return source::SURNAME,
        "0.9.2342.19200300.100.1.3" => return source::MAIL,
        "2.16.840.1.113730.3.1.241" => return source::DISPLAY_NAME,
        "1.3.6.1.4.1.5923.1.1.1.6" => return source::USER_PRINCIPAL_NAME,
        _ => {}
    }
    let last = name
        .rsplit(['/', ':', '.'])
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase();
    if let Some(value) = value {
        if is_guid(value) {
            return source::OBJECT_ID;
        }
        if value.contains('@') {
            let mail_named = last.contains("mail");
            return if upn.is_some_and(|u| u.eq_ignore_ascii_case(value)) && !mail_named {
                source::USER_PRINCIPAL_NAME
            } else if mail_named || upn.is_some() {
                source::MAIL
            } else {
                source::USER_PRINCIPAL_NAME
            };
        }
    }
    match last.as_str() {
        "givenname" | "given_name" | "firstname" | "first_name" => source::GIVEN_NAME,
        "surname" | "family_name" | "lastname" | "last_name" | "sn" => source::SURNAME,
        "objectidentifier" | "objectid" | "oid" => source::OBJECT_ID,
        "emailaddress" | "email" | "mail" => source::MAIL,
        "upn" | "name" | "nameid" | "userprincipalname" => source::USER_PRINCIPAL_NAME,
        _ => source::DISPLAY_NAME,
    }
}

fn is_guid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

/// The names Graph gives the formats "Choose name identifier format" offers (samlNameIDFormat).
pub const NAME_ID_FORMAT_NAMES: &[&str] = &[
    "default",
    "emailAddress",
    "persistent",
    "unspecified",
    "windowsDomainQualifiedName",
];

const NAME_ID_FORMATS: &[(&str, &str)] = &[
    (
        "emailAddress",
        "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    ),
    (
        "persistent",
        "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
    ),
    (
        "unspecified",
        "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
    ),
    (
        "windowsDomainQualifiedName",
        "urn:oasis:names:tc:SAML:1.1:nameid-format:WindowsDomainQualifiedName",
    ),
];

/// A format the setting offers, by Graph's name or URN: `Some(Some(urn))`, `Some(None)` for `default`,
/// `None` for anything else (`transient` is asked for by a service provider, never configured).
pub fn configurable_name_id_format(text: &str) -> Option<Option<&'static str>> {
    if text == "default" {
        return Some(None);
    }
    NAME_ID_FORMATS
        .iter()
        .find(|(name, urn)| *name == text || *urn == text)
        .map(|(_, urn)| Some(*urn))
}

/// Graph's name of a configurable format's URN.
pub fn name_id_format_name(urn: &str) -> Option<&'static str> {
    NAME_ID_FORMATS
        .iter()
        .find(|(_, u)| *u == urn)
        .map(|(name, _)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name_or_urn() {
        assert_eq!(
            configurable_name_id_format("persistent"),
            Some(Some("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"))
        );
        assert_eq!(
            configurable_name_id_format("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"),
            Some(Some(
                "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
            ))
        );
        assert_eq!(configurable_name_id_format("default"), Some(None));
        assert_eq!(
            configurable_name_id_format("urn:oasis:names:tc:SAML:2.0:nameid-format:transient"),
            None
        );
        assert_eq!(
            name_id_format_name("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"),
            Some("persistent")
        );
    }

    #[test]
    fn default_attribute_sets() {
        let names: Vec<&str> = SAML_DEFAULT_ATTRIBUTES.iter().map(|(n, _)| *n).collect();
        assert!(is_default_attribute_set(&names));
        assert!(is_default_attribute_set(&[names[0], names[1], names[3]]));
        assert!(!is_default_attribute_set(&[names[1], names[0]]));
        assert!(!is_default_attribute_set(&[
            "urn:oid:0.9.2342.19200300.100.1.3"
        ]));
    }

    #[test]
    fn sources_by_shape_and_name() {
        let upn = Some("user1@contoso.example");
        assert_eq!(
            likely_source("mail", Some("x@y.example"), upn),
            source::MAIL
        );
        assert_eq!(
            likely_source("login", Some("user1@contoso.example"), upn),
            source::USER_PRINCIPAL_NAME
        );
        assert_eq!(
            likely_source("urn:oid:2.5.4.42", Some("Ann"), upn),
            source::GIVEN_NAME
        );
        assert_eq!(
            likely_source("department", Some("Sales"), upn),
            source::DISPLAY_NAME
        );
        assert_eq!(
            likely_source("http://x.example/claims/givenname", Some("Ann"), upn),
            source::GIVEN_NAME
        );
        assert_eq!(
            likely_source(
                "employee",
                Some("0b4c9a7e-1f2d-4e3c-8b5a-6d7e8f901a2b"),
                upn
            ),
            source::OBJECT_ID
        );
        assert!(source::ALL.contains(&likely_source("anything", None, None)));
    }
}
