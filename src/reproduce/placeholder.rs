//! Nothing personal or secret leaves the input: user names and emails become `userN@` the same domain,
//! object ids become fresh GUIDs, and secrets, state and nonces are made afresh here.

use super::facts::{is_guid, Facts};

/// Where a placeholder user lives when the input names no domain.
pub(crate) const FALLBACK_DOMAIN: &str = "reproduction.example";

/// Originals seen in the input and what replaces each, longest first so that a replacement never
/// splits a longer original.
#[derive(Debug, Default)]
pub(crate) struct Placeholders {
    pairs: Vec<(String, String)>,
    /// Local parts of user names (`jane.doe`), replaced in free text too but not whole values.
    partial: Vec<(String, String)>,
    users: Vec<String>,
}

impl Placeholders {
    pub(crate) fn new(facts: &Facts, domain: &str) -> Placeholders {
        let mut out = Placeholders::default();
        for (n, user) in facts.users.iter().enumerate() {
            let placeholder = match user.rsplit_once('@') {
                Some((_, user_domain)) => {
                    format!("user{}@{}", n + 1, user_domain.to_ascii_lowercase())
                }
                None => format!("user{}@{domain}", n + 1),
            };
            out.pairs.push((user.clone(), placeholder.clone()));
            // The local part alone (a display name or `unique_name` without a domain).
            if let Some((local, _)) = user.split_once('@') {
                if local.len() >= 4 {
                    out.partial
                        .push((local.to_string(), format!("user{}", n + 1)));
                }
            }
            out.users.push(placeholder);
        }
        for id in &facts.object_ids {
            let fresh = if is_guid(id) {
                guid()
            } else {
                // `sub` is pairwise and base64url: a fresh value of the same length.
                token(id.len())
            };
            out.pairs.push((id.clone(), fresh));
        }
        out.pairs
            .sort_by_key(|(original, _)| std::cmp::Reverse(original.len()));
        out.partial
            .sort_by_key(|(original, _)| std::cmp::Reverse(original.len()));
        out
    }

    /// The placeholder users, in the order their originals were seen.
    pub(crate) fn users(&self) -> &[String] {
        &self.users
    }

    /// The placeholder for one original value (a user name or object id), if it is one.
    pub(crate) fn of(&self, original: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(o, _)| o.eq_ignore_ascii_case(original))
            .map(|(_, p)| p.as_str())
    }

    /// `text` with every original replaced (in any letter case).
    pub(crate) fn apply(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (original, placeholder) in self.pairs.iter().chain(&self.partial) {
            out = replace_ignoring_case(&out, original, placeholder);
        }
        out
    }

    /// Every original whole value (user names, object ids), for the final check that none was written.
    pub(crate) fn originals(&self) -> impl Iterator<Item = &str> {
        self.pairs.iter().map(|(o, _)| o.as_str())
    }
}

fn replace_ignoring_case(text: &str, original: &str, with: &str) -> String {
    if original.is_empty() {
        return text.to_string();
    }
    let lower_text = text.to_ascii_lowercase();
    let lower_original = original.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (at, _) in lower_text.match_indices(&lower_original) {
        // ASCII lowering keeps byte offsets, so `at` is a boundary in `text` too.
        out.push_str(text.get(last..at).unwrap_or_default());
        out.push_str(with);
        last = at + original.len();
    }
    out.push_str(text.get(last..).unwrap_or_default());
    out
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The OS generator does not fail on the platforms keyprobe runs on; were it to, the zeros left
    // would still be no one's real value.
    let _ = openssl::rand::rand_bytes(&mut bytes);
    bytes
}

/// A fresh random (version 4) GUID.
pub(crate) fn guid() -> String {
    let mut b = random_bytes::<16>();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

const URL_SAFE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A fresh random value of `len` URL-safe characters (state, nonce, pairwise `sub`).
pub(crate) fn token(len: usize) -> String {
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for b in random_bytes::<32>() {
            if out.len() == len {
                break;
            }
            out.push(char::from(URL_SAFE[usize::from(b) % URL_SAFE.len()]));
        }
    }
    out
}

/// A fresh client secret shaped like the portal's (40 characters, `8Q~` after the first three).
pub(crate) fn client_secret() -> String {
    let body = token(37).replace('-', "~").replace('_', ".");
    format!("{}8Q~{}", &body[..3], &body[3..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_and_ids_keep_their_shape() {
        let facts = Facts {
            users: vec!["Jane.Doe@Contoso.com".into(), "jdoe".into()],
            object_ids: vec!["11111111-2222-4333-8444-555555555555".into()],
            ..Facts::default()
        };
        let p = Placeholders::new(&facts, "contoso.com");
        assert_eq!(p.of("jane.doe@contoso.com"), Some("user1@contoso.com"));
        assert_eq!(p.of("jdoe"), Some("user2@contoso.com"));
        let oid = p.of("11111111-2222-4333-8444-555555555555").unwrap();
        assert!(is_guid(oid) && oid != "11111111-2222-4333-8444-555555555555");
        let text = p.apply(
            "NameID JANE.DOE@contoso.com (Jane.Doe), oid 11111111-2222-4333-8444-555555555555",
        );
        assert!(!text.to_ascii_lowercase().contains("jane.doe"), "{text}");
        assert!(!text.contains("11111111-2222"), "{text}");
    }

    #[test]
    fn fresh_values_are_fresh() {
        assert_ne!(guid(), guid());
        assert!(is_guid(&guid()));
        let secret = client_secret();
        assert_eq!(secret.len(), 40);
        assert_eq!(&secret[3..6], "8Q~");
        assert_ne!(secret, client_secret());
        assert_eq!(token(43).len(), 43);
    }
}
