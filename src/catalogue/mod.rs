//! What keyprobe knows, as data: the finding catalogue, Entra's AADSTS codes and
//! .NET IdentityModel's IDX codes. Checks name a [`FindingCode`]; texts live here only.

mod aadsts;
mod findings;
mod idx;
pub mod library_messages;
mod saml_claims;

pub use aadsts::{aadsts, AadstsEntry, AADSTS};
pub use findings::{FindingCode, FindingEntry, FINDINGS};
pub use idx::{idx, IdxEntry, IDX};
pub use library_messages::{Family, LibraryMessage, LIBRARY_MESSAGES};
pub use saml_claims::{saml_claim, SAML_CLAIMS};

/// A page for `keyprobe explain`, looked up by finding code, `AADSTS50003`/`50003` or `IDX10503`.
pub fn explain(query: &str) -> Option<String> {
    let q = query.trim();
    if let Some(code) = FindingCode::parse(q) {
        return Some(code.entry().page(code));
    }
    let upper = q.to_ascii_uppercase();
    if let Some(digits) = upper.strip_prefix("IDX") {
        return idx(digits).map(IdxEntry::page);
    }
    let digits = upper.strip_prefix("AADSTS").unwrap_or(&upper);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return aadsts(digits).map(aadsts::page);
    }
    None
}

/// Every code `explain` answers, for help texts and completions.
pub fn known_codes() -> Vec<String> {
    let mut all: Vec<String> = FINDINGS
        .iter()
        .map(|(c, _)| c.as_str().to_string())
        .collect();
    all.extend(AADSTS.iter().map(|e| format!("AADSTS{}", e.number)));
    all.extend(IDX.iter().map(|e| format!("IDX{}", e.code)));
    all
}

/// Wraps prose to `width` columns for terminal pages.
pub(crate) fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut out = String::new();
    for paragraph in text.split('\n') {
        let mut line = String::from(indent);
        for word in paragraph.split_whitespace() {
            if line.len() > indent.len() && line.len() + 1 + word.len() > width {
                out.push_str(line.trim_end());
                out.push('\n');
                line = String::from(indent);
            }
            if line.len() > indent.len() {
                line.push(' ');
            }
            line.push_str(word);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
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
        assert!(explain("AADSTS1").is_none());
        assert!(explain("nonsense").is_none());
    }
}

#[cfg(test)]
mod fit_tests {
    use super::*;
    use crate::detect::Kind;

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
