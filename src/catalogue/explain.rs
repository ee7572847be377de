//! `keyprobe explain`: a page for whatever someone copied out of a log. A finding code, an
//! AADSTS code (`AADSTS50003`, `aadsts50003:`, `50003`), an IDX code (`IDX10503:`), a
//! library's error name (`ERR_JWKS_NO_MATCHING_KEY`, `PyJWKClientError`, a fully qualified
//! exception), or a piece of a message (`Unable to find a signing key that matches`), in any
//! case and with the punctuation around it.

use super::aadsts::{aadsts, AadstsEntry, Wording, AADSTS};
use super::findings::{library_line, FindingCode, FINDINGS};
use super::idx::{idx, IDX};
use super::library_messages::{self, LibraryMessage, LIBRARY_MESSAGES};
use super::page::{Block, Page};

/// Where Entra explains a code itself.
pub(crate) const ENTRA_ERROR_LOOKUP: &str = "https://login.microsoftonline.com/error?code=";
/// Entra's list of codes.
pub(crate) const ENTRA_ERROR_REFERENCE: &str =
    "https://learn.microsoft.com/entra/identity-platform/reference-error-codes";
/// Fewest characters of message text searched for.
const MIN_TEXT: usize = 8;
/// Most suggestions offered for an unknown name.
const MAX_SUGGESTIONS: usize = 3;
/// How alike a suggestion must be (Jaro-Winkler, 0..1).
const SUGGESTION_SIMILARITY: f64 = 0.82;

/// What a query led to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Explanation {
    Page(Page),
    /// Nothing known by that name or text; the names it resembles.
    Unknown {
        query: String,
        suggestions: Vec<String>,
    },
}

/// The page for `query`, as copied from a log.
pub(crate) fn explain(query: &str) -> Explanation {
    let text = clean(query);
    let first = clean(text.split_whitespace().next().unwrap_or(""));
    if let Some(code) = finding_code(&first).or_else(|| finding_code(&text)) {
        return Explanation::Page(code.entry().page(code));
    }
    if let Some(digits) = aadsts_digits(&first) {
        return Explanation::Page(aadsts_page(&digits));
    }
    if let Some(digits) = strip_prefix_ci(&first, "IDX").filter(|d| all_digits(d)) {
        if let Some(entry) = idx(digits) {
            return Explanation::Page(entry.page());
        }
        let rows = library_messages::by_name(&format!("IDX{digits}"));
        if !rows.is_empty() {
            return Explanation::Page(messages_page(&format!("IDX{digits}"), &rows));
        }
        return unknown(&text);
    }
    // An exception or error name, perhaps namespaced (`jwt.exceptions.PyJWKClientError`).
    let name = first
        .rsplit(['.', ':'])
        .find(|s| !s.is_empty())
        .unwrap_or(&first);
    let rows = library_messages::by_name(name);
    if !rows.is_empty() {
        return Explanation::Page(messages_page(name, &rows));
    }
    if text.chars().count() >= MIN_TEXT {
        let rows = library_messages::search(&text);
        if !rows.is_empty() {
            return Explanation::Page(messages_page(&format!("\"{text}\""), &rows));
        }
    }
    unknown(&text)
}

/// Every name `explain` knows, with a line about each: finding codes, AADSTS and IDX codes,
/// and the libraries' error names.
pub(crate) fn index() -> Page {
    let mut page = Page::new("keyprobe explain: every code and name it has a page for");
    page.text("Give any of these (any case, with the punctuation a log puts around it), an Entra code that is not listed (its page links Entra's own explanation), or a piece of a library's message in quotes.");
    page.heading("Finding codes");
    page.blocks.push(Block::Pairs(
        FINDINGS
            .iter()
            .map(|(c, e)| (c.as_str().to_string(), e.title.to_string()))
            .collect(),
    ));
    page.heading("Entra ID (AADSTS) codes");
    page.blocks.push(Block::Pairs(
        AADSTS
            .iter()
            .map(|e| (format!("AADSTS{}", e.number), e.name.to_string()))
            .collect(),
    ));
    page.heading("IdentityModel (IDX) codes");
    let mut idx_names: Vec<(String, String)> = Vec::new();
    for m in LIBRARY_MESSAGES {
        if let Some(code) = m.code.filter(|c| c.starts_with("IDX")) {
            if !idx_names.iter().any(|(n, _)| n == code) {
                idx_names.push((code.to_string(), first_sentence(m)));
            }
        }
    }
    idx_names.sort();
    page.blocks.push(Block::Pairs(idx_names));
    page.heading("Libraries' error names");
    let mut names: Vec<(String, String)> = Vec::new();
    for m in LIBRARY_MESSAGES {
        for name in [m.code, m.error_type].into_iter().flatten() {
            if name.starts_with("IDX") || name.starts_with("AADSTS") {
                continue;
            }
            if let Some((_, libraries)) = names.iter_mut().find(|(n, _)| n == name) {
                if !libraries.contains(m.library) {
                    libraries.push_str(", ");
                    libraries.push_str(m.library);
                }
            } else {
                names.push((name.to_string(), m.library.to_string()));
            }
        }
    }
    names.sort_by_key(|(n, _)| n.to_ascii_lowercase());
    page.blocks.push(Block::Pairs(names));
    page
}

/// Every code and name, for completions.
pub(crate) fn known_names() -> Vec<String> {
    let mut all: Vec<String> = FINDINGS
        .iter()
        .map(|(c, _)| c.as_str().to_string())
        .collect();
    all.extend(AADSTS.iter().map(|e| format!("AADSTS{}", e.number)));
    all.extend(IDX.iter().map(|e| format!("IDX{}", e.code)));
    for m in LIBRARY_MESSAGES {
        for name in [m.code, m.error_type].into_iter().flatten() {
            if !all.iter().any(|a| a == name) {
                all.push(name.to_string());
            }
        }
    }
    all
}

/// A query without the decoration a log or a shell puts around it: whitespace, quotes,
/// brackets, a trailing colon or full stop.
fn clean(query: &str) -> String {
    query
        .trim()
        .trim_matches(|c: char| {
            c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '(' | ')' | '[' | ']' | '<' | '>')
        })
        .trim_end_matches([':', '.', ',', ';', '!', '?'])
        .trim()
        .to_string()
}

fn finding_code(word: &str) -> Option<FindingCode> {
    FindingCode::parse(&word.to_ascii_lowercase().replace('_', "-"))
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn strip_prefix_ci<'a>(word: &'a str, prefix: &str) -> Option<&'a str> {
    let head = word.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &word[prefix.len()..])
}

/// `AADSTS50003` (any case) or a bare number of four or more digits.
fn aadsts_digits(word: &str) -> Option<String> {
    if let Some(d) = strip_prefix_ci(word, "AADSTS").filter(|d| all_digits(d)) {
        return Some(d.to_string());
    }
    (all_digits(word) && word.len() >= 4).then(|| word.to_string())
}

/// Entra's code: keyprobe's page when it has one, else a general page that links Entra's own.
fn aadsts_page(digits: &str) -> Page {
    let code = digits.trim_start_matches('0');
    match aadsts(code) {
        Some(entry) => known_aadsts_page(entry),
        None => unknown_aadsts_page(code),
    }
}

fn known_aadsts_page(e: &AadstsEntry) -> Page {
    let mut page = Page::new(format!("AADSTS{} {}", e.number, e.name));
    // Entra's confirmed wordings first; a wording nobody has confirmed says so.
    let mut messages: Vec<_> = e.messages().map(|code| code.entry()).collect();
    messages.sort_by_key(|m| matches!(m.wording, Wording::Unconfirmed));
    for (i, message) in messages.iter().enumerate() {
        let lead = if i == 0 { "Entra says" } else { "Also worded" };
        let caveat = match message.wording {
            Wording::Unconfirmed => " (wording not confirmed against Entra)",
            _ => "",
        };
        page.text(format!("{lead}: \"{}\"{caveat}", message.text()));
    }
    page.text(format!("Where it appears: {}", e.surface))
        .heading("What it means")
        .text(e.meaning);
    if !e.causes.is_empty() {
        page.heading("Usual causes")
            .bullets(e.causes.iter().copied());
    }
    page.heading("Confirm with keyprobe").text(e.confirm);
    if let Some(s) = e.scenario {
        // The field may name alternatives: "missing-signing-key (or dangling-signing-key)".
        let name = s.split_whitespace().next().unwrap_or(s);
        page.heading("Reproduce with mock-sts")
            .command(format!("mock-sts --scenario {name}"));
        if name != s {
            page.text(format!("({s})"));
        }
    }
    page.heading("Fix").text(e.fix);
    page.heading("Entra's own explanation")
        .command(format!("{ENTRA_ERROR_LOOKUP}{}", e.number));
    ask_for_help(&mut page);
    page
}

fn unknown_aadsts_page(code: &str) -> Page {
    let mut page = Page::new(format!("AADSTS{code}"));
    page.text(format!("AADSTS{code} is an error code of Entra ID's token service. keyprobe has no page of its own for it; Entra explains every code at its error lookup page, and lists them in its reference."));
    page.heading("Entra's own explanation")
        .command(format!("{ENTRA_ERROR_LOOKUP}{code}"))
        .command(ENTRA_ERROR_REFERENCE);
    page.heading("Confirm with keyprobe")
        .text("Paste the whole error (the JSON body, the error page's text, or the SAML Response whose StatusMessage carries it) into keyprobe inspect: it decodes the codes, the Trace ID, the Correlation ID and the timestamp, and explains the codes it knows.");
    page.heading("Codes around signing keys that keyprobe explains");
    page.blocks.push(Block::Pairs(
        AADSTS
            .iter()
            .map(|e| (format!("AADSTS{}", e.number), e.name.to_string()))
            .collect(),
    ));
    ask_for_help(&mut page);
    page
}

fn ask_for_help(page: &mut Page) {
    page.heading("When you ask for help, collect")
        .text("the Correlation ID, Trace ID (Request Id) and Timestamp from the error, the client (app) ID, the tenant ID, and which endpoint (v1 or v2, OIDC or SAML) was called.");
}

/// What a library prints, matched by name or text: who prints it, in which versions and where
/// it was confirmed, then the page of the finding it corresponds to.
fn messages_page(what: &str, rows: &[&'static LibraryMessage]) -> Page {
    let mut page = Page::new(format!("{what}: what it means"));
    page.heading("Who prints it");
    page.bullets(rows.iter().map(|m| library_line(m)));
    page.heading("Where keyprobe read it");
    let mut sources: Vec<String> = Vec::new();
    for m in rows {
        let s = m.source.to_string();
        if !sources.contains(&s) {
            sources.push(s);
        }
    }
    page.bullets(sources);
    // The findings these rows point to, most named first.
    let mut findings: Vec<(FindingCode, usize)> = Vec::new();
    for m in rows {
        for f in m.findings {
            match findings.iter_mut().find(|(c, _)| c == f) {
                Some((_, n)) => *n += 1,
                None => findings.push((*f, 1)),
            }
        }
    }
    findings.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    if let Some((main, _)) = findings.first() {
        let others: Vec<String> = findings[1..]
            .iter()
            .map(|(c, _)| format!("keyprobe explain {c}"))
            .collect();
        page.heading("In keyprobe's words").text(format!(
            "keyprobe reports this cause as {main}; its page follows."
        ));
        if !others.is_empty() {
            page.text(format!(
                "The same text can also mean: {}.",
                others.join(", ")
            ));
        }
        page.append(main.entry().page(*main));
    }
    page
}

fn first_sentence(m: &LibraryMessage) -> String {
    let line = m.seen_as();
    let body = line.split_once(": ").map_or(line.as_str(), |(_, b)| b);
    body.split(". ")
        .next()
        .unwrap_or(body)
        .trim_end_matches('.')
        .to_string()
}

fn unknown(query: &str) -> Explanation {
    let wanted = query.to_ascii_lowercase();
    let mut scored: Vec<(f64, String)> = known_names()
        .into_iter()
        .map(|n| (strsim::jaro_winkler(&wanted, &n.to_ascii_lowercase()), n))
        .filter(|(s, _)| *s >= SUGGESTION_SIMILARITY)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    Explanation::Unknown {
        query: query.to_string(),
        suggestions: scored
            .into_iter()
            .take(MAX_SUGGESTIONS)
            .map(|(_, n)| n)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn title(query: &str) -> String {
        match explain(query) {
            Explanation::Page(p) => p.title,
            Explanation::Unknown { suggestions, .. } => format!("unknown {suggestions:?}"),
        }
    }

    #[test]
    fn codes_as_copied_from_logs() {
        assert!(title("IDX10503:").starts_with("IDX10503"));
        assert!(title("idx10503").starts_with("IDX10503"));
        assert!(title("aadsts50003:").starts_with("AADSTS50003 MissingSigningKey"));
        assert!(
            title("AADSTS50003: Sign-in failed because of a missing signing key")
                .starts_with("AADSTS50003")
        );
        assert_eq!(title("50003"), title("AADSTS50003"));
        assert!(title("Key-Not-Found.").starts_with("key-not-found"));
        assert!(title("KEY_NOT_FOUND").starts_with("key-not-found"));
        assert!(title("ERR_JWKS_NO_MATCHING_KEY").starts_with("ERR_JWKS_NO_MATCHING_KEY"));
        assert!(title(
            "Microsoft.IdentityModel.Tokens.SecurityTokenSignatureKeyNotFoundException:"
        )
        .starts_with("SecurityTokenSignatureKeyNotFoundException"));
        assert!(
            title("IDX12741").starts_with("IDX12741"),
            "{}",
            title("IDX12741")
        );
    }

    #[test]
    fn message_text_is_searched() {
        let Explanation::Page(page) = explain("\"Unable to find a signing key that matches\"")
        else {
            panic!("no page")
        };
        let text = page.plain();
        assert!(
            text.contains("PyJWT") && text.contains("jwks-rsa"),
            "{text}"
        );
        assert!(text.contains("key-not-found"), "{text}");
    }

    #[test]
    fn unknown_aadsts_codes_link_entra() {
        let Explanation::Page(page) = explain("AADSTS90094") else {
            panic!()
        };
        assert!(page
            .plain()
            .contains("https://login.microsoftonline.com/error?code=90094"));
    }

    #[test]
    fn did_you_mean() {
        match explain("key-not-fond") {
            Explanation::Unknown { suggestions, .. } => {
                assert_eq!(
                    suggestions.first().map(String::as_str),
                    Some("key-not-found")
                )
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(explain("zz"), Explanation::Unknown { .. }));
    }

    #[test]
    fn the_index_names_everything() {
        let text = index().plain();
        for name in known_names() {
            assert!(text.contains(&name), "{name} missing from --list");
        }
    }
}
