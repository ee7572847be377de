//! What keyprobe knows, as data: the finding catalogue, Entra's AADSTS codes and
//! .NET IdentityModel's IDX codes. Checks name a [`FindingCode`]; texts live here only.

mod aadsts;
pub(crate) mod explain;
mod findings;
mod idx;
pub(crate) mod library_messages;
pub(crate) mod page;
mod saml_claims;

pub(crate) use aadsts::aadsts;
pub use findings::FindingCode;
pub(crate) use findings::FINDINGS;
pub(crate) use library_messages::LIBRARY_MESSAGES;
pub(crate) use saml_claims::saml_claim;

/// The explanation of `query` as plain text (the local page), or `None` when nothing is known
/// by that name or text.
pub(crate) fn explain(query: &str) -> Option<String> {
    match explain::explain(query) {
        explain::Explanation::Page(page) => Some(page.plain()),
        explain::Explanation::Unknown { .. } => None,
    }
}

/// Every code `explain` answers, for help texts and completions.
pub(crate) fn known_codes() -> Vec<String> {
    explain::known_names()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_an_entry_and_a_page() {
        for code in FindingCode::ALL {
            let page = explain(code.as_str()).expect("page");
            assert!(page.contains(code.as_str()));
            assert!(!code.entry().hint.is_empty());
        }
    }

    #[test]
    fn aadsts_and_idx_lookups() {
        assert!(explain("AADSTS50003")
            .unwrap()
            .contains("MissingSigningKey"));
        assert_eq!(explain("50003"), explain("aadsts50003"));
        assert!(explain("IDX10503").unwrap().contains("kid"));
        assert!(explain("AADSTS1")
            .unwrap()
            .contains("https://login.microsoftonline.com/error?code=1"));
        assert!(explain("nonsense").is_none());
    }
}

#[cfg(test)]
mod fit_tests {
    use super::*;
    use crate::detect::Kind;
    use idx::IDX;

    #[test]
    fn every_idx_page_has_its_library_text() {
        for e in IDX {
            let name = format!("IDX{}", e.code);
            assert!(
                !library_messages::by_name(&name).is_empty(),
                "{name} has a page but no confirmed text in LIBRARY_MESSAGES"
            );
        }
    }

    /// A SAML report's hints speak of SAML, never of tokens' JOSE machinery.
    #[test]
    fn saml_hints_do_not_talk_jwt() {
        // Codes only JOSE input, app registrations or no input at all can raise.
        let never_on_saml = [
            FindingCode::SigningKeyDangling,
            FindingCode::SigningKeyPairBroken,
            FindingCode::CredentialExpired,
            FindingCode::CredentialExpiringSoon,
            FindingCode::PrivateKeyMaterial,
            FindingCode::Unrecognised,
            FindingCode::AlgNone,
            FindingCode::TokenNoExpiry,
            FindingCode::KeyUrlNotFetched,
            FindingCode::AlgKeyMismatch,
            FindingCode::KeyUseMismatch,
            FindingCode::DuplicateKid,
            FindingCode::PrivateKeyPublished,
            FindingCode::StsError,
        ];
        let mut unfit = Vec::new();
        for code in FindingCode::ALL
            .iter()
            .filter(|c| !never_on_saml.contains(c))
        {
            for kind in [Kind::SamlResponse, Kind::SamlMetadata] {
                let hint = code.entry().hint_for(kind).to_ascii_lowercase();
                for jwt_word in ["token", "kid", "jwks", "jwt", "scope", "x5t"] {
                    if hint.contains(jwt_word) {
                        unfit.push(format!(
                            "{code} on {}: '{jwt_word}' in \"{hint}\"",
                            kind.as_str()
                        ));
                    }
                }
            }
        }
        assert!(unfit.is_empty(), "{unfit:#?}");
    }
}
