//! What relying parties' libraries print, confirmed line by line against each library's source.
//!
//! One table, [`LIBRARY_MESSAGES`], feeds three readers: the `seen_as` list of every finding
//! (only the rows whose [`Family`] fits the report's kind), `keyprobe explain` (which searches
//! it by error name and by message text), and the `rp-error` reader (which recognises a
//! relying party's log line with [`LibraryMessage::read`] and pulls out the kid, thumbprint,
//! issuer or audience it names).
//!
//! # Adding a row
//!
//! 1. Find the message in the library's own source (or official documentation) at a released
//!    version. Copy the text exactly, keeping its punctuation and the library's `\n`s; write
//!    each formatted argument as a placeholder: `{kid}`, `{thumbprint}`, `{issuer}` (the
//!    token's), `{expected_issuer}` (the one the library wanted), `{audience}`,
//!    `{expected_audience}`, `{expires}`, `{not_before}` or `{now}` (the library's clock) when
//!    the argument is that value (the `rp-error` reader extracts it), `{}` for anything else.
//!    Do not paraphrase: a line that cannot be confirmed is left out.
//! 2. Fill `source` with where you read it (repository, the tag or commit you read, path) and
//!    `versions` with the releases you checked carry the same text. A library that changed its
//!    wording gets one row per wording.
//! 3. `findings` are the keyprobe findings that diagnose the cause the library reports, and
//!    `applies_to` the artifact families it can be printed for (a SAML library never prints
//!    for a JWT). `when` says under which option or condition the library prints it, if not
//!    always.
//! 4. `cargo test -p keyprobe catalogue` checks every placeholder, source and family.

use std::cell::RefCell;
use std::collections::HashMap;

use super::FindingCode;
use crate::detect::Kind;

/// Artifact families a message can be printed for. A report's kind picks its family
/// ([`Family::of`]); only rows for that family appear in its findings' `seen_as`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    /// JOSE tokens: `jwt`, `jwe`.
    Token,
    /// SAML protocol messages: `saml-response`, `saml-assertion`, `saml-authn-request`.
    Saml,
    /// `saml-metadata`.
    SamlMetadata,
    /// Key sets, keys and OIDC metadata: `jwks`, `jwk`, `oidc-discovery`, `key`.
    KeySet,
    /// `x509`.
    Certificate,
    /// `app-registration`: Microsoft Graph's application or servicePrincipal, with its credentials.
    AppRegistration,
}

impl Family {
    /// The family a report of `kind` belongs to; `None` for kinds no relying party library
    /// validates (Entra's own errors, unrecognised input).
    pub fn of(kind: Kind) -> Option<Family> {
        match kind {
            Kind::Jwt | Kind::JwsJson | Kind::Jwe => Some(Family::Token),
            Kind::SamlResponse
            | Kind::SamlAssertion
            | Kind::SamlAuthnRequest
            | Kind::SamlLogout => Some(Family::Saml),
            Kind::SamlMetadata => Some(Family::SamlMetadata),
            Kind::Jwk | Kind::Jwks | Kind::OidcDiscovery | Kind::Key => Some(Family::KeySet),
            Kind::X509 => Some(Family::Certificate),
            Kind::AppRegistration => Some(Family::AppRegistration),
            // Containers report what they hold; their artifacts get reports of their own.
            Kind::StsError
            | Kind::TokenResponse
            | Kind::HtmlForm
            | Kind::Har
            | Kind::SamlTracer
            | Kind::RpError
            | Kind::Unknown => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Family::Token => "token",
            Family::Saml => "saml",
            Family::SamlMetadata => "saml-metadata",
            Family::KeySet => "key-set",
            Family::Certificate => "certificate",
            Family::AppRegistration => "app-registration",
        }
    }

    /// The kinds (SPEC's `kind` names) the family stands for.
    pub fn kinds(self) -> &'static str {
        match self {
            Family::Token => "jwt, jwe",
            Family::Saml => "saml-response, saml-assertion, saml-authn-request, saml-logout",
            Family::SamlMetadata => "saml-metadata",
            Family::KeySet => "jwks, jwk, oidc-discovery, key",
            Family::Certificate => "x509",
            Family::AppRegistration => "app-registration",
        }
    }
}

/// Where a line was read: a repository at a tag or commit and a path, or a documentation page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Source {
    /// `owner/name` on GitHub, or a documentation site.
    pub repo: &'static str,
    /// The tag or commit read.
    pub at: &'static str,
    /// File path in the repository, or the page's address.
    pub path: &'static str,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{} {}", self.repo, self.at, self.path)
    }
}

/// One message a relying party's library (or Entra, for what is sent to it) prints.
#[derive(Debug)]
pub(crate) struct LibraryMessage {
    /// The library as users know it.
    pub library: &'static str,
    /// Releases checked to carry exactly this text.
    pub versions: &'static str,
    /// The error's own code when it has one (`IDX10503`, `ERR_JWKS_NO_MATCHING_KEY`, `AADSTS50003`).
    pub code: Option<&'static str>,
    /// The exception or error type that carries it, as stack traces print it.
    pub error_type: Option<&'static str>,
    /// The exact text; placeholders from [`NAMED_PLACEHOLDERS`] and `{}`.
    pub text: &'static str,
    /// Under which option or condition it is printed; empty when always.
    pub when: &'static str,
    pub source: Source,
    /// The findings that diagnose the cause this message reports.
    pub findings: &'static [FindingCode],
    pub applies_to: &'static [Family],
}

/// Placeholders the `rp-error` reader extracts; `{}` matches anything and is not extracted.
pub(crate) const NAMED_PLACEHOLDERS: &[&str] = &[
    "kid",
    "thumbprint",
    "issuer",
    "expected_issuer",
    "audience",
    "expected_audience",
    "expires",
    "not_before",
    "now",
];

/// One piece of a message's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'a> {
    Literal(&'a str),
    /// A placeholder, with its name (empty for `{}`).
    Hole(&'a str),
}

/// Splits a text into literals and placeholders. Braces are placeholders only in the forms
/// `{}` and `{name}` for a name in [`NAMED_PLACEHOLDERS`]; anything else stays literal.
fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut literal_start = 0usize;
    let mut offset = 0usize;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let hole = after
            .find('}')
            .map(|close| &after[..close])
            .filter(|name| name.is_empty() || NAMED_PLACEHOLDERS.contains(name));
        match hole {
            Some(name) => {
                let at = offset + open;
                if at > literal_start {
                    out.push(Piece::Literal(&text[literal_start..at]));
                }
                out.push(Piece::Hole(name));
                literal_start = at + name.len() + 2;
                offset = literal_start;
                rest = &text[literal_start..];
            }
            None => {
                offset += open + 1;
                rest = &text[offset..];
            }
        }
    }
    if literal_start < text.len() {
        out.push(Piece::Literal(&text[literal_start..]));
    }
    out
}

/// Lower-case with every run of whitespace made one space: log lines rewrap, quote and
/// re-indent messages, and IdentityModel's `\n`s often arrive as spaces.
fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// What [`LibraryMessage::read`] found in a log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reading {
    /// Characters of the message's literal text found in order: the better the match, the more.
    pub matched: usize,
    /// Named placeholders and the values the line gives them, in order.
    pub values: Vec<(&'static str, String)>,
}

impl LibraryMessage {
    /// The line as a `seen_as` entry: the message up to its first line break, each placeholder
    /// shown as `…`, prefixed with the library unless the text starts with its own code, and
    /// followed by the code when the text does not carry it (jose's `ERR_…`).
    pub(crate) fn seen_as(&self) -> String {
        // The first line, and the next ones while a line ends in a colon ("Unable to match
        // key: \nkid: '{kid}'."): IdentityModel puts its long details after later line breaks.
        let mut head = String::new();
        for line in self.text.split('\n') {
            if !head.is_empty() {
                head.push(' ');
            }
            head.push_str(line.trim());
            if !head.ends_with(':') {
                break;
            }
        }
        let mut shown = String::new();
        for piece in pieces(&head) {
            match piece {
                Piece::Literal(l) => shown.push_str(l),
                Piece::Hole(_) => shown.push('…'),
            }
        }
        // Entra's lines are "AADSTSnnnnn: <its text>": the code is what people search for.
        if let Some(code) = self.code.filter(|c| shown == format!("{c}: …")) {
            return code.to_string();
        }
        let own_code = self.code.is_some_and(|c| shown.starts_with(c));
        let mut line = if own_code {
            shown
        } else {
            format!("{}: {shown}", self.library)
        };
        if let Some(code) = self.code.filter(|c| !line.contains(c)) {
            line.push_str(&format!(" ({code})"));
        }
        line
    }

    /// Reads a log line as this message: the message's literal pieces must appear in order
    /// (case and spacing aside), starting with its first; the values between them fill the
    /// placeholders. A line cut short still matches on the pieces it has. `None` when the
    /// first piece is absent.
    pub(crate) fn read(&self, line: &str) -> Option<Reading> {
        self.read_normalised(line, &normalise(line))
    }

    /// [`LibraryMessage::read`] with the line already normalised, for reading one line as
    /// every row of the table.
    fn read_normalised(&self, line: &str, line_norm: &str) -> Option<Reading> {
        let mut at = 0usize;
        let mut matched = 0usize;
        let mut values = Vec::new();
        let mut pending: Option<&'static str> = None;
        let mut started = false;
        for piece in pieces(self.text) {
            match piece {
                Piece::Hole(name) => pending = Some(name),
                Piece::Literal(literal) => {
                    let want = normalise(literal);
                    if want.is_empty() {
                        continue;
                    }
                    let Some(found) = line_norm[at..].find(&want) else {
                        if !started {
                            return None;
                        }
                        break;
                    };
                    // A value is taken between two pieces found; a message that starts with
                    // its value ("{audience} is not a valid audience") takes the word before
                    // the first piece, not whatever else the log put in front of the message.
                    if let Some(name) = pending.take().filter(|n| !n.is_empty()) {
                        let value = if started {
                            line_norm[at..at + found].trim()
                        } else {
                            line_norm[..found]
                                .split_whitespace()
                                .last()
                                .unwrap_or_default()
                                .trim_matches(|c: char| matches!(c, '"' | '\'' | ':' | ','))
                        };
                        if !value.is_empty() {
                            values.push((name, original_case(line, value)));
                        }
                    }
                    started = true;
                    at += found + want.len();
                    matched += want.chars().count();
                }
            }
        }
        // A trailing placeholder takes the rest of the line up to a quote, space or comma.
        if let Some(name) = pending.filter(|n| started && !n.is_empty()) {
            let value = line_norm[at..]
                .trim()
                .split(['"', '\'', ' ', ','])
                .next()
                .unwrap_or_default();
            if !value.is_empty() {
                values.push((name, original_case(line, value)));
            }
        }
        started.then_some(Reading { matched, values })
    }
}

/// The first occurrence of `lowered` in `line` with the line's own letter case; values such as
/// kids and thumbprints are case-sensitive. Falls back to the lowered text when whitespace in
/// between was normalised away.
fn original_case(line: &str, lowered: &str) -> String {
    let lower_line = line.to_lowercase();
    if lower_line.len() == line.len() {
        if let Some(i) = lower_line.find(lowered) {
            if let Some(s) = line.get(i..i + lowered.len()) {
                return s.to_string();
            }
        }
    }
    lowered.to_string()
}

/// Largest text [`recognise`] reads: a log excerpt or an exception with its stack trace.
pub(crate) const MAX_RECOGNISED_BYTES: usize = 64 * 1024;

/// Rows a relying party's log line or exception text reads as, best first, with what each
/// extracts. Entra's own rows (`AADSTS…`) are left out: their text is Entra's error, read as
/// `sts-error`. A row counts when at least 12 characters of its text are found, or when the
/// text names the row's code or error type and its first piece is found.
pub(crate) fn recognise(text: &str) -> Vec<(&'static LibraryMessage, Reading)> {
    if text.len() > MAX_RECOGNISED_BYTES {
        return Vec::new();
    }
    let norm = normalise(text);
    let names = |m: &LibraryMessage| {
        [m.code, m.error_type]
            .into_iter()
            .flatten()
            .any(|n| norm.contains(&n.to_lowercase()))
    };
    let mut found: Vec<(&'static LibraryMessage, Reading)> = LIBRARY_MESSAGES
        .iter()
        .filter(|m| !m.code.is_some_and(|c| c.starts_with("AADSTS")))
        .filter_map(|m| m.read_normalised(text, &norm).map(|r| (m, r)))
        .filter(|(m, r)| r.matched >= 12 || names(m))
        .collect();
    // The most text matched first; then a row whose code or type the line names.
    found.sort_by_key(|(m, r)| (std::cmp::Reverse(r.matched), !names(m)));
    found
}

/// The `seen_as` lines for `code` on a report of `kind`, in table order, without repeats.
pub(crate) fn seen_as(code: FindingCode, kind: Kind) -> Vec<String> {
    let Some(family) = Family::of(kind) else {
        return Vec::new();
    };
    // Every finding of every report asks: each answer is worked out once per thread (not the
    // whole table up front, which a one-token run would pay for one finding).
    SEEN_AS.with(|cell| {
        let known = cell
            .try_borrow()
            .ok()
            .and_then(|answers| answers.get(&(code, family)).cloned());
        if let Some(lines) = known {
            return lines;
        }
        let lines = seen_as_in_table(code, family);
        if let Ok(mut answers) = cell.try_borrow_mut() {
            answers.insert((code, family), lines.clone());
        }
        lines
    })
}

thread_local! {
    static SEEN_AS: RefCell<HashMap<(FindingCode, Family), Vec<String>>> =
        RefCell::new(HashMap::new());
}

/// The rows of the table for `code` on `family`, as `seen_as` lines, in table order, each once.
fn seen_as_in_table(code: FindingCode, family: Family) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in LIBRARY_MESSAGES
        .iter()
        .filter(|m| m.findings.contains(&code) && m.applies_to.contains(&family))
    {
        let line = m.seen_as();
        if !out.contains(&line) {
            out.push(line);
        }
    }
    out
}

/// The row a `seen_as` line (or a message's raw text) stands for.
pub(crate) fn by_line(line: &str) -> Option<&'static LibraryMessage> {
    LIBRARY_MESSAGES
        .iter()
        .find(|m| m.text == line || m.seen_as() == line)
}

/// Rows whose code or error type is `name` (any case), e.g. `IDX10503`,
/// `ERR_JWKS_NO_MATCHING_KEY`, `PyJWKClientError`.
pub(crate) fn by_name(name: &str) -> Vec<&'static LibraryMessage> {
    LIBRARY_MESSAGES
        .iter()
        .filter(|m| {
            m.code.is_some_and(|c| c.eq_ignore_ascii_case(name))
                || m.error_type.is_some_and(|t| t.eq_ignore_ascii_case(name))
        })
        .collect()
}

/// Rows a piece of text refers to: a log line that contains a message, or a fragment of a
/// message (at least a few words) as someone would copy it. Best match first.
pub(crate) fn search(text: &str) -> Vec<&'static LibraryMessage> {
    let query = normalise(text.trim().trim_matches(|c: char| c == '"' || c == '\''));
    if query.chars().count() < 8 {
        return Vec::new();
    }
    let mut scored: Vec<(usize, &'static LibraryMessage)> = LIBRARY_MESSAGES
        .iter()
        .filter_map(|m| {
            // The fragment inside one of the message's literal pieces…
            let in_message = pieces(m.text).iter().any(|p| match p {
                Piece::Literal(l) => normalise(l).contains(&query),
                Piece::Hole(_) => false,
            });
            if in_message {
                return Some((query.len(), m));
            }
            // …or the message inside the text (a whole log line).
            m.read(text)
                .filter(|r| r.matched >= 12)
                .map(|r| (r.matched, m))
        })
        .collect();
    scored.sort_by_key(|s| std::cmp::Reverse(s.0));
    scored.into_iter().map(|(_, m)| m).collect()
}

// Repositories read, named once.
const IDENTITYMODEL: &str = "AzureAD/azure-activedirectory-identitymodel-extensions-for-dotnet";
const IM_TOKENS: &str = "src/Microsoft.IdentityModel.Tokens/LogMessages.cs";
const IM_JWT: &str = "src/System.IdentityModel.Tokens.Jwt/LogMessages.cs";
const IM_JSONWEBTOKENS: &str = "src/Microsoft.IdentityModel.JsonWebTokens/LogMessages.cs";
const IM_XML: &str = "src/Microsoft.IdentityModel.Xml/LogMessages.cs";
const IM_PROTOCOLS: &str = "src/Microsoft.IdentityModel.Protocols/LogMessages.cs";
const IM_OIDC: &str = "src/Microsoft.IdentityModel.Protocols.OpenIdConnect/LogMessages.cs";
const ASPNETCORE: &str = "dotnet/aspnetcore";
const ASPNETCORE_AT: &str = "f22eba991ab10e433f4a209ce8cadbf5a7c40f9f";
const JWTBEARER: &str =
    "src/Security/Authentication/JwtBearer/src/JwtBearerHandler.cs (CreateErrorDescription)";
const PYJWT: &str = "jpadilla/pyjwt";
const JOSE: &str = "panva/jose";
const JOSE_ERRORS: &str = "src/util/errors.ts";
const NIMBUS: &str = "Mu-L/nimbus-jose-jwt (mirror of connect2id's nimbus-jose-jwt)";
const NIMBUS_PROCESSOR: &str =
    "src/main/java/com/nimbusds/jwt/proc/DefaultJWTProcessor.java (class @version 2021-04-26)";
const SPRING: &str = "spring-projects/spring-security";
const SPRING_SAML: &str = "saml2/saml2-service-provider/src/opensaml5Main/java/org/springframework/security/saml2/internal/OpenSaml5Template.java";
const SPRING_SAML_PROVIDER: &str = "saml2/saml2-service-provider/src/main/java/org/springframework/security/saml2/provider/service/authentication/BaseOpenSamlAuthenticationProvider.java";
const JWKS_RSA: &str = "auth0/node-jwks-rsa";
const JSONWEBTOKEN: &str = "auth0/node-jsonwebtoken";
const GO_OIDC: &str = "coreos/go-oidc";
const PASSPORT_AAD: &str = "AzureAD/passport-azure-ad";
const PASSPORT_AAD_VERSIONS: &str = "3.0.12, 4.1–4.3";
const PASSPORT_AAD_JWT: &str = "lib/jsonWebToken.js";
const MSAL_PYTHON: &str = "AzureAD/microsoft-authentication-library-for-python";
const MSAL_PYTHON_OIDC: &str = "msal/oauth2cli/oidc.py (decode_id_token)";
const PYTHON3_SAML: &str = "SAML-Toolkits/python3-saml";
const PYSAML_RESPONSE: &str = "src/onelogin/saml2/response.py";
const RUBY_SAML: &str = "SAML-Toolkits/ruby-saml";
const RUBY_RESPONSE: &str = "lib/onelogin/ruby-saml/response.rb";
const NODE_SAML: &str = "node-saml/node-saml";
const KEYCLOAK: &str = "keycloak/keycloak";
const KEYCLOAK_VERIFIER: &str =
    "adapters/oidc/adapter-core/src/main/java/org/keycloak/adapters/rotation/AdapterTokenVerifier.java";
const ENTRA_DOCS: &str = "MicrosoftDocs/entra-docs";
const ENTRA_DOCS_AT: &str = "04f65548622d3f134b13b4c1978d1471177e2b1c";
const ENTRA_ERRORS: &str = "docs/identity-platform/reference-error-codes.md";

const TOKEN: &[Family] = &[Family::Token];
const SAML: &[Family] = &[Family::Saml];
const SAML_AND_METADATA: &[Family] = &[Family::Saml, Family::SamlMetadata];
const TOKEN_AND_SAML: &[Family] = &[Family::Token, Family::Saml];
const TOKEN_AND_KEY_SET: &[Family] = &[Family::Token, Family::KeySet];
const ANY_CERTIFICATE_HOLDER: &[Family] = &[
    Family::Token,
    Family::Saml,
    Family::SamlMetadata,
    Family::KeySet,
    Family::Certificate,
    Family::AppRegistration,
];

use FindingCode as F;

const fn src(repo: &'static str, at: &'static str, path: &'static str) -> Source {
    Source { repo, at, path }
}

/// Shorthand for a row; `code`, `error_type` and `when` are set with struct update syntax.
const fn row(
    library: &'static str,
    versions: &'static str,
    text: &'static str,
    source: Source,
    findings: &'static [FindingCode],
    applies_to: &'static [Family],
) -> LibraryMessage {
    LibraryMessage {
        library,
        versions,
        code: None,
        error_type: None,
        text,
        when: "",
        source,
        findings,
        applies_to,
    }
}

/// Every confirmed message. Order matters only within a finding: the first rows are shown first.
pub(crate) static LIBRARY_MESSAGES: &[LibraryMessage] = &[
    // ---- key-not-found -------------------------------------------------------------------
    LibraryMessage {
        code: Some("IDX10503"),
        error_type: Some("SecurityTokenSignatureKeyNotFoundException"),
        ..row("Microsoft.IdentityModel", "7.0–8.1",
            "IDX10503: Signature validation failed. The token's kid is: '{kid}', but did not match any keys in TokenValidationParameters or Configuration. Keys tried: '{}'. Number of keys in TokenValidationParameters: '{}'. \nNumber of keys in Configuration: '{}'. \nExceptions caught:\n '{}'.\ntoken: '{}'. See https://aka.ms/IDX10503 for details.",
            src(IDENTITYMODEL, "8.1.2", IM_TOKENS), &[F::KeyNotFound, F::UntrustedEmbeddedKey], TOKEN)
    },
    LibraryMessage {
        code: Some("IDX10503"),
        error_type: Some("SecurityTokenSignatureKeyNotFoundException"),
        when: "6.x raises it for a kid that matches no key, despite its wording",
        ..row("Microsoft.IdentityModel", "6.x",
            "IDX10503: Signature validation failed. Token does not have a kid. Keys tried: '{}'. Number of keys in TokenValidationParameters: '{}'. \nNumber of keys in Configuration: '{}'. \nExceptions caught:\n '{}'.\ntoken: '{}'. See https://aka.ms/IDX10503 for details.",
            src(IDENTITYMODEL, "6.36.0", IM_TOKENS), &[F::KeyNotFound, F::UntrustedEmbeddedKey], TOKEN)
    },
    LibraryMessage {
        code: Some("IDX10501"),
        error_type: Some("SecurityTokenSignatureKeyNotFoundException"),
        ..row("Microsoft.IdentityModel", "5.x",
            "IDX10501: Signature validation failed. Unable to match key: \nkid: '{kid}'.\nExceptions caught:\n '{}'. \ntoken: '{}'.",
            src(IDENTITYMODEL, "5.7.0", IM_TOKENS), &[F::KeyNotFound, F::UntrustedEmbeddedKey], TOKEN)
    },
    LibraryMessage {
        code: Some("IDX10512"),
        error_type: Some("SecurityTokenSignatureKeyNotFoundException"),
        when: "Saml2SecurityTokenHandler raises it when no trusted key matches the KeyInfo, despite its wording",
        ..row("Microsoft.IdentityModel", "6.x–8.1",
            "IDX10512: Signature validation failed. Token does not have KeyInfo. Keys tried: '{}'.\nExceptions caught:\n '{}'.\ntoken: '{}'.",
            src(IDENTITYMODEL, "8.1.2", IM_TOKENS), &[F::KeyNotFound, F::UntrustedEmbeddedKey], SAML)
    },
    LibraryMessage {
        when: "with IncludeErrorDetails, in the WWW-Authenticate header: Bearer error=\"invalid_token\", error_description=\"…\"",
        ..row("ASP.NET Core JwtBearer", "main @f22eba9",
            "The signature key was not found",
            src(ASPNETCORE, ASPNETCORE_AT, JWTBEARER), &[F::KeyNotFound, F::UntrustedEmbeddedKey], TOKEN)
    },
    LibraryMessage {
        error_type: Some("PyJWKClientError"),
        when: "with PyJWKClient, after one refetch of the key set",
        ..row("PyJWT", "2.4–2.12",
            "Unable to find a signing key that matches: \"{kid}\"",
            src(PYJWT, "2.12.1", "jwt/jwks_client.py"), &[F::KeyNotFound, F::KeyUseMismatch, F::UntrustedEmbeddedKey], TOKEN)
    },
    LibraryMessage {
        code: Some("ERR_JWKS_NO_MATCHING_KEY"),
        error_type: Some("JWKSNoMatchingKey"),
        when: "with createLocalJWKSet or createRemoteJWKSet; keys are matched on kid, key type for the alg, use 'sig' and curve",
        ..row("jose", "4.x–6.2",
            "no applicable key found in the JSON Web Key Set",
            src(JOSE, "v6.2.10", JOSE_ERRORS), &[F::KeyNotFound, F::KeyUseMismatch, F::AlgKeyMismatch, F::NoSigningKeys, F::UntrustedEmbeddedKey], TOKEN)
    },
    LibraryMessage {
        error_type: Some("SigningKeyNotFoundError"),
        ..row("jwks-rsa", "4.x",
            "Unable to find a signing key that matches '{kid}'",
            src(JWKS_RSA, "v4.1.0", "src/JwksClient.js"), &[F::KeyNotFound, F::KeyUseMismatch, F::UntrustedEmbeddedKey], TOKEN)
    },
    LibraryMessage {
        error_type: Some("BadJOSEException"),
        ..row("Nimbus JOSE+JWT", "9.x (class version 2021-04-26)",
            "Signed JWT rejected: Another algorithm expected, or no matching key(s) found",
            src(NIMBUS, "2c896977cd219f2d53fb5236c8a650d1a4bc48aa", NIMBUS_PROCESSOR), &[F::KeyNotFound, F::AlgKeyMismatch, F::KeyUseMismatch, F::UntrustedEmbeddedKey], TOKEN)
    },
    LibraryMessage {
        error_type: Some("BadJwtException"),
        ..row("Spring Security", "7.1",
            "An error occurred while attempting to decode the Jwt: Signed JWT rejected: Another algorithm expected, or no matching key(s) found",
            src(SPRING, "7.1.0", "oauth2/oauth2-jose/src/main/java/org/springframework/security/oauth2/jwt/NimbusJwtDecoder.java (with Nimbus's DefaultJWTProcessor)"),
            &[F::KeyNotFound, F::AlgKeyMismatch, F::KeyUseMismatch, F::UntrustedEmbeddedKey], TOKEN)
    },
    LibraryMessage {
        error_type: Some("VerificationException"),
        ..row("Keycloak Java adapter", "main @ecd43b1",
            "Didn't find publicKey for specified kid",
            src(KEYCLOAK, "ecd43b181d9e53965379b544a011cef4f828852b", KEYCLOAK_VERIFIER), &[F::KeyNotFound, F::UntrustedEmbeddedKey], TOKEN)
    },
    row("Keycloak Java adapter", "main @ecd43b1",
        "Didn't find publicKey for kid: {kid}",
        src(KEYCLOAK, "ecd43b181d9e53965379b544a011cef4f828852b", KEYCLOAK_VERIFIER), &[F::KeyNotFound, F::UntrustedEmbeddedKey], TOKEN),
    LibraryMessage {
        when: "BearerStrategy, logged as 'authentication failed due to: …': the token's x5t or kid names no key of the metadata's key set, or it has neither",
        ..row("passport-azure-ad", PASSPORT_AAD_VERSIONS,
            "In Strategy.prototype.jwtVerify: We did not receive a token we know how to validate",
            src(PASSPORT_AAD, "v4.3.0", "lib/bearerstrategy.js, lib/metadata.js (generateOidcPEM)"), &[F::KeyNotFound, F::UntrustedEmbeddedKey], TOKEN)
    },
    LibraryMessage {
        when: "OIDCStrategy; the kid is not filled in ('%s' is printed as is)",
        ..row("passport-azure-ad", PASSPORT_AAD_VERSIONS,
            "In _validateResponse: failed to generate PEM key due to: a key with kid %s cannot be found",
            src(PASSPORT_AAD, "v4.3.0", "lib/oidcstrategy.js, lib/metadata.js (generateOidcPEM)"), &[F::KeyNotFound, F::UntrustedEmbeddedKey], TOKEN)
    },
    LibraryMessage {
        when: "OIDCStrategy with loggingNoPII",
        ..row("passport-azure-ad", PASSPORT_AAD_VERSIONS,
            "In _validateResponse: failed to generate PEM key due to: a key with the specific kid cannot be found",
            src(PASSPORT_AAD, "v4.3.0", "lib/oidcstrategy.js, lib/metadata.js (generateOidcPEM)"), &[F::KeyNotFound, F::UntrustedEmbeddedKey], TOKEN)
    },
    row("go-oidc", "v3.10",
        "failed to verify signature: failed to verify id token signature",
        src(GO_OIDC, "v3.10.0", "oidc/verify.go, oidc/jwks.go"), &[F::KeyNotFound, F::SignatureInvalid, F::UntrustedEmbeddedKey], TOKEN),
    LibraryMessage {
        error_type: Some("OneLogin_Saml2_ValidationError"),
        when: "the toolkit verifies with the configured IdP certificate(s), so a missing key and a bad signature read the same",
        ..row("python3-saml", "1.16",
            "Signature validation failed. SAML Response rejected",
            src(PYTHON3_SAML, "v1.16.0", PYSAML_RESPONSE), &[F::KeyNotFound, F::SignatureInvalid, F::UntrustedEmbeddedKey], SAML)
    },
    row("ruby-saml", "1.18",
        "Invalid Signature on SAML Response",
        src(RUBY_SAML, "v1.18.1", RUBY_RESPONSE), &[F::KeyNotFound, F::SignatureInvalid, F::UntrustedEmbeddedKey], SAML),
    LibraryMessage {
        when: "with idp_cert_fingerprint configured",
        ..row("ruby-saml", "1.18",
            "Fingerprint mismatch",
            src(RUBY_SAML, "v1.18.1", "lib/xml_security.rb"), &[F::KeyNotFound, F::ThumbprintMismatch, F::UntrustedEmbeddedKey], SAML)
    },
    LibraryMessage {
        when: "with idp_cert configured and another certificate in KeyInfo",
        ..row("ruby-saml", "1.18",
            "Certificate of the Signature element does not match provided certificate",
            src(RUBY_SAML, "v1.18.1", "lib/xml_security.rb"), &[F::KeyNotFound, F::UntrustedEmbeddedKey], SAML)
    },
    row("node-saml (passport-saml)", "5.1",
        "Invalid signature",
        src(NODE_SAML, "v5.1.0", "src/saml.ts"), &[F::KeyNotFound, F::SignatureInvalid, F::UntrustedEmbeddedKey, F::SamlUnsigned], SAML),
    LibraryMessage {
        when: "with wantAuthnResponseSigned",
        ..row("node-saml (passport-saml)", "5.1",
            "Invalid document signature",
            src(NODE_SAML, "v5.1.0", "src/saml.ts"), &[F::KeyNotFound, F::SignatureInvalid, F::UntrustedEmbeddedKey, F::SamlUnsigned], SAML)
    },
    row("Spring Security SAML", "7.1",
        "Invalid signature for object [{}]",
        src(SPRING, "7.1.0", SPRING_SAML), &[F::KeyNotFound, F::SignatureInvalid, F::UntrustedEmbeddedKey], SAML),
    LibraryMessage {
        code: Some("AADSTS700027"),
        when: "Entra, for a client assertion (private_key_jwt) signed with a certificate the app has not registered",
        ..row("Entra ID", "2022–2026",
            "AADSTS700027: {}",
            src(ENTRA_DOCS, ENTRA_DOCS_AT, ENTRA_ERRORS),
            &[F::KeyNotFound, F::ThumbprintMismatch], TOKEN)
    },
    LibraryMessage {
        code: Some("AADSTS50013"),
        when: "Entra, for an assertion sent to it (on-behalf-of, client assertion)",
        ..row("Entra ID", "reference page",
            "AADSTS50013: {}",
            src(ENTRA_DOCS, ENTRA_DOCS_AT, ENTRA_ERRORS), &[F::KeyNotFound, F::SignatureInvalid], TOKEN)
    },
    LibraryMessage {
        code: Some("AADSTS50008"),
        when: "Entra, for a token from a federated identity provider (AD FS, third-party IdP)",
        ..row("Entra ID", "unconfirmed",
            "AADSTS50008: {}",
            src(ENTRA_DOCS, ENTRA_DOCS_AT, "unconfirmed: docs/identity-platform/reference-error-codes.md names 50008 InvalidSamlToken with another text, and no capture holds this one"),
            &[F::KeyNotFound], SAML)
    },
    // ---- signature-invalid -------------------------------------------------------------------
    LibraryMessage {
        code: Some("IDX10511"),
        error_type: Some("SecurityTokenInvalidSignatureException"),
        ..row("Microsoft.IdentityModel", "6.x–8.1",
            "IDX10511: Signature validation failed. Keys tried: '{}'. \nNumber of keys in TokenValidationParameters: '{}'. \nNumber of keys in Configuration: '{}'. \nMatched key was in '{}'. \nkid: '{kid}'. \nExceptions caught:\n '{}'.\ntoken: '{}'. See https://aka.ms/IDX10511 for details.",
            src(IDENTITYMODEL, "8.1.2", IM_TOKENS), &[F::SignatureInvalid], TOKEN)
    },
    LibraryMessage {
        code: Some("IDX10511"),
        error_type: Some("SecurityTokenInvalidSignatureException"),
        ..row("Microsoft.IdentityModel", "5.x",
            "IDX10511: Signature validation failed. Keys tried: '{}'. \nkid: '{kid}'. \nExceptions caught:\n '{}'.\ntoken: '{}'.",
            src(IDENTITYMODEL, "5.7.0", IM_TOKENS), &[F::SignatureInvalid], TOKEN)
    },
    LibraryMessage {
        code: Some("IDX10517"),
        error_type: Some("SecurityTokenInvalidSignatureException"),
        when: "for a token without a kid",
        ..row("Microsoft.IdentityModel", "7.0–8.1",
            "IDX10517: Signature validation failed. The token's kid is missing. Keys tried: '{}'. Number of keys in TokenValidationParameters: '{}'. \nNumber of keys in Configuration: '{}'. \nExceptions caught:\n '{}'.\ntoken: '{}'. See https://aka.ms/IDX10503 for details.",
            src(IDENTITYMODEL, "8.1.2", IM_TOKENS), &[F::SignatureInvalid, F::KeyNotFound], TOKEN)
    },
    LibraryMessage {
        code: Some("IDX10503"),
        error_type: Some("SecurityTokenInvalidSignatureException"),
        when: "5.x, for a token without a kid",
        ..row("Microsoft.IdentityModel", "5.x",
            "IDX10503: Signature validation failed. Keys tried: '{}'.\nExceptions caught:\n '{}'.\ntoken: '{}'.",
            src(IDENTITYMODEL, "5.7.0", IM_TOKENS), &[F::SignatureInvalid], TOKEN)
    },
    LibraryMessage {
        code: Some("IDX10514"),
        error_type: Some("SecurityTokenInvalidSignatureException"),
        ..row("Microsoft.IdentityModel", "6.x–8.1",
            "IDX10514: Signature validation failed. Keys tried: '{}'. \nKeyInfo: '{}'. \nExceptions caught:\n '{}'.\ntoken: '{}'.",
            src(IDENTITYMODEL, "8.1.2", IM_TOKENS), &[F::SignatureInvalid], SAML)
    },
    LibraryMessage {
        code: Some("IDX30201"),
        ..row("Microsoft.IdentityModel", "5.x–8.1",
            "IDX30201: The 'Reference' did not validate: '{}'.",
            src(IDENTITYMODEL, "8.1.2", IM_XML), &[F::SignatureInvalid], SAML)
    },
    LibraryMessage {
        code: Some("IDX30200"),
        ..row("Microsoft.IdentityModel", "5.x–8.1",
            "IDX30200: The 'Signature' did not validate. CryptoProviderFactory: '{}', SecurityKey: '{}'.",
            src(IDENTITYMODEL, "8.1.2", IM_XML), &[F::SignatureInvalid], SAML)
    },
    LibraryMessage {
        when: "with IncludeErrorDetails, in the WWW-Authenticate header",
        ..row("ASP.NET Core JwtBearer", "main @f22eba9",
            "The signature is invalid",
            src(ASPNETCORE, ASPNETCORE_AT, JWTBEARER), &[F::SignatureInvalid], TOKEN)
    },
    LibraryMessage {
        error_type: Some("InvalidSignatureError"),
        ..row("PyJWT", "2.4–2.12",
            "Signature verification failed",
            src(PYJWT, "2.12.1", "jwt/api_jws.py"), &[F::SignatureInvalid], TOKEN)
    },
    LibraryMessage {
        code: Some("ERR_JWS_SIGNATURE_VERIFICATION_FAILED"),
        error_type: Some("JWSSignatureVerificationFailed"),
        ..row("jose", "4.x–6.2",
            "signature verification failed",
            src(JOSE, "v6.2.10", JOSE_ERRORS), &[F::SignatureInvalid], TOKEN)
    },
    LibraryMessage {
        error_type: Some("BadJWSException"),
        ..row("Nimbus JOSE+JWT", "9.x (class version 2021-04-26)",
            "Signed JWT rejected: Invalid signature",
            src(NIMBUS, "2c896977cd219f2d53fb5236c8a650d1a4bc48aa", NIMBUS_PROCESSOR), &[F::SignatureInvalid], TOKEN)
    },
    LibraryMessage {
        error_type: Some("BadJwtException"),
        ..row("Spring Security", "7.1",
            "An error occurred while attempting to decode the Jwt: Signed JWT rejected: Invalid signature",
            src(SPRING, "7.1.0", "oauth2/oauth2-jose/src/main/java/org/springframework/security/oauth2/jwt/NimbusJwtDecoder.java (with Nimbus's DefaultJWTProcessor)"),
            &[F::SignatureInvalid], TOKEN)
    },
    LibraryMessage {
        error_type: Some("JsonWebTokenError"),
        ..row("jsonwebtoken (node)", "9.0",
            "invalid signature",
            src(JSONWEBTOKEN, "v9.0.2", "verify.js"), &[F::SignatureInvalid], TOKEN)
    },
    LibraryMessage {
        when: "xmlsec's reason follows the text",
        ..row("python3-saml", "1.16",
            "Signature validation failed. SAML Response rejected. {}",
            src(PYTHON3_SAML, "v1.16.0", "src/onelogin/saml2/utils.py (validate_node_sign)"), &[F::SignatureInvalid], SAML)
    },
    row("ruby-saml", "1.18",
        "Digest mismatch",
        src(RUBY_SAML, "v1.18.1", "lib/xml_security.rb"), &[F::SignatureInvalid], SAML),
    row("ruby-saml", "1.18",
        "Key validation error",
        src(RUBY_SAML, "v1.18.1", "lib/xml_security.rb"), &[F::SignatureInvalid], SAML),
    LibraryMessage {
        code: Some("AADSTS900384"),
        when: "Entra, for a JWT presented to it (federated credential, assertion)",
        ..row("Entra ID", "2019",
            "AADSTS900384: {}",
            src("MicrosoftDocs/azure-docs", "issue 35448", "real responses quoted there and in AzureAD/azure-activedirectory-library-for-objc#1433"),
            &[F::SignatureInvalid], TOKEN)
    },
    // ---- no-signing-keys ---------------------------------------------------------------------
    LibraryMessage {
        code: Some("IDX10500"),
        error_type: Some("SecurityTokenSignatureKeyNotFoundException"),
        ..row("Microsoft.IdentityModel", "5.x–8.1",
            "IDX10500: Signature validation failed. No security keys were provided to validate the signature.",
            src(IDENTITYMODEL, "8.1.2", IM_TOKENS), &[F::NoSigningKeys], TOKEN_AND_SAML)
    },
    LibraryMessage {
        code: Some("IDX21817"),
        ..row("Microsoft.IdentityModel", "6.x–8.1",
            "IDX21817: The OpenIdConnectConfiguration did not contain any JsonWebKeys. This is required to validate the configuration.",
            src(IDENTITYMODEL, "8.1.2", IM_OIDC), &[F::NoSigningKeys], TOKEN_AND_KEY_SET)
    },
    LibraryMessage {
        error_type: Some("PyJWKClientError"),
        when: "with PyJWKClient; keys with use 'enc' or without a kid do not count",
        ..row("PyJWT", "2.4–2.12",
            "The JWKS endpoint did not contain any signing keys",
            src(PYJWT, "2.12.1", "jwt/jwks_client.py"), &[F::NoSigningKeys], TOKEN_AND_KEY_SET)
    },
    LibraryMessage {
        error_type: Some("PyJWKSetError"),
        ..row("PyJWT", "2.4–2.12",
            "The JWK Set did not contain any keys",
            src(PYJWT, "2.12.1", "jwt/api_jwk.py"), &[F::NoSigningKeys], TOKEN_AND_KEY_SET)
    },
    LibraryMessage {
        error_type: Some("JwksError"),
        ..row("jwks-rsa", "4.x",
            "The JWKS endpoint did not contain any signing keys",
            src(JWKS_RSA, "v4.1.0", "src/JwksClient.js"), &[F::NoSigningKeys], TOKEN_AND_KEY_SET)
    },
    LibraryMessage {
        error_type: Some("JwksError"),
        ..row("jwks-rsa", "4.x",
            "The JWKS endpoint did not contain any keys",
            src(JWKS_RSA, "v4.1.0", "src/JwksClient.js"), &[F::NoSigningKeys], TOKEN_AND_KEY_SET)
    },
    row("ruby-saml", "1.18",
        "No fingerprint or certificate on settings",
        src(RUBY_SAML, "v1.18.1", RUBY_RESPONSE), &[F::NoSigningKeys], SAML_AND_METADATA),
    LibraryMessage {
        code: Some("AADSTS50003"),
        when: "Entra's sign-in error page, when the SAML app has no usable signing certificate",
        ..row("Entra ID", "reference page",
            "AADSTS50003: {}",
            src(ENTRA_DOCS, ENTRA_DOCS_AT, ENTRA_ERRORS),
            &[F::NoSigningKeys, F::SigningKeyDangling, F::SigningKeyPairBroken],
            &[Family::Saml, Family::SamlMetadata, Family::AppRegistration])
    },
    LibraryMessage {
        code: Some("AADSTS7000222"),
        when: "Entra's token endpoint, for a client secret past its end date",
        ..row("Entra ID", "reference page",
            "AADSTS7000222: {}",
            src(ENTRA_DOCS, ENTRA_DOCS_AT, ENTRA_ERRORS), &[F::CredentialExpired], &[Family::AppRegistration])
    },
    LibraryMessage {
        code: Some("AADSTS700027"),
        when: "Entra's token endpoint, for a client assertion signed with a certificate credential past its end date",
        ..row("Entra ID", "2021–2023 (quoted by Microsoft's Azure Stack HCI troubleshooting page)",
            "AADSTS700027: Client assertion contains an invalid signature. [Reason - The key used is expired. Thumbprint of key used by client: '{thumbprint}', Found key 'Start={}, End={expires}'",
            src("MicrosoftDocs/azure-stack-docs", "06ed3e90a9183159290c75aea20747c0584168f7", "azure-stack/hci/deploy/troubleshoot-hci-registration.md"),
            &[F::CredentialExpired], &[Family::AppRegistration])
    },
    // ---- alg-none ------------------------------------------------------------------------------
    LibraryMessage {
        code: Some("IDX10504"),
        error_type: Some("SecurityTokenInvalidSignatureException"),
        ..row("Microsoft.IdentityModel", "5.x–8.1",
            "IDX10504: Unable to validate signature, token does not have a signature: '{}'.",
            src(IDENTITYMODEL, "8.1.2", IM_TOKENS), &[F::AlgNone, F::SamlUnsigned], TOKEN_AND_SAML)
    },
    LibraryMessage {
        error_type: Some("InvalidAlgorithmError"),
        ..row("PyJWT", "2.4–2.12",
            "The specified alg value is not allowed",
            src(PYJWT, "2.12.1", "jwt/api_jws.py"), &[F::AlgNone, F::AlgKeyMismatch], TOKEN)
    },
    LibraryMessage {
        code: Some("ERR_JOSE_NOT_SUPPORTED"),
        error_type: Some("JOSENotSupported"),
        when: "with a key set (createLocalJWKSet, createRemoteJWKSet): alg none, HS* and unknown algs",
        ..row("jose", "4.x–6.2",
            "Unsupported \"alg\" value for a JSON Web Key Set",
            src(JOSE, "v6.2.10", "src/jwks/local.ts"), &[F::AlgNone, F::AlgKeyMismatch], TOKEN)
    },
    LibraryMessage {
        code: Some("ERR_JOSE_ALG_NOT_ALLOWED"),
        error_type: Some("JOSEAlgNotAllowed"),
        when: "with the algorithms option",
        ..row("jose", "5.x–6.2",
            "\"alg\" (Algorithm) Header Parameter value not allowed",
            src(JOSE, "v6.2.10", "src/lib/jws_verify.ts"), &[F::AlgNone, F::AlgKeyMismatch], TOKEN)
    },
    LibraryMessage {
        error_type: Some("BadJOSEException"),
        ..row("Nimbus JOSE+JWT", "9.x (class version 2021-04-26)",
            "Unsecured (plain) JWTs are rejected, extend class to handle",
            src(NIMBUS, "2c896977cd219f2d53fb5236c8a650d1a4bc48aa", NIMBUS_PROCESSOR), &[F::AlgNone], TOKEN)
    },
    LibraryMessage {
        error_type: Some("JsonWebTokenError"),
        when: "when a key is given",
        ..row("jsonwebtoken (node)", "9.0",
            "jwt signature is required",
            src(JSONWEBTOKEN, "v9.0.2", "verify.js"), &[F::AlgNone], TOKEN)
    },
    LibraryMessage {
        when: "go-jose v4 refuses any alg outside the supported list",
        ..row("go-oidc", "v3.10 (go-jose v4.0)",
            "oidc: malformed jwt: go-jose/go-jose: unexpected signature algorithm \"{}\"; expected {}",
            src(GO_OIDC, "v3.10.0", "oidc/verify.go; go-jose/go-jose@v4.0.1 jws.go"), &[F::AlgNone, F::AlgKeyMismatch], TOKEN)
    },
    // ---- malformed -----------------------------------------------------------------------------
    LibraryMessage {
        code: Some("IDX12741"),
        error_type: Some("SecurityTokenMalformedException"),
        ..row("Microsoft.IdentityModel", "6.x–8.1",
            "IDX12741: JWT must have three segments (JWS) or five segments (JWE).",
            src(IDENTITYMODEL, "8.1.2", IM_JWT), &[F::Malformed], TOKEN)
    },
    LibraryMessage {
        code: Some("IDX12741"),
        ..row("Microsoft.IdentityModel", "5.x",
            "IDX12741: JWT: '{}' must have three segments (JWS) or five segments (JWE).",
            src(IDENTITYMODEL, "5.7.0", IM_JWT), &[F::Malformed], TOKEN)
    },
    LibraryMessage {
        code: Some("IDX14100"),
        error_type: Some("SecurityTokenMalformedException"),
        ..row("Microsoft.IdentityModel", "7.0–8.1",
            "IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format. (JWS): 'EncodedHeader.EncodedPayload.EncodedSignature'. (JWE): 'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector.EncodedCiphertext.EncodedAuthenticationTag'.",
            src(IDENTITYMODEL, "8.1.2", IM_JSONWEBTOKENS), &[F::Malformed], TOKEN)
    },
    LibraryMessage {
        code: Some("IDX14102"),
        ..row("Microsoft.IdentityModel", "6.x–8.1",
            "IDX14102: Unable to decode the header '{}' as Base64Url encoded string.",
            src(IDENTITYMODEL, "8.1.2", IM_JSONWEBTOKENS), &[F::Malformed], TOKEN)
    },
    LibraryMessage {
        code: Some("IDX14101"),
        ..row("Microsoft.IdentityModel", "6.x–8.1",
            "IDX14101: Unable to decode the payload '{}' as Base64Url encoded string.",
            src(IDENTITYMODEL, "8.1.2", IM_JSONWEBTOKENS), &[F::Malformed], TOKEN)
    },
    LibraryMessage {
        code: Some("IDX12729"),
        ..row("Microsoft.IdentityModel", "6.x–8.1",
            "IDX12729: Unable to decode the header '{}' as Base64Url encoded string.",
            src(IDENTITYMODEL, "8.1.2", IM_JWT), &[F::Malformed], TOKEN)
    },
    LibraryMessage {
        error_type: Some("DecodeError"),
        ..row("PyJWT", "2.4–2.12",
            "Not enough segments",
            src(PYJWT, "2.12.1", "jwt/api_jws.py"), &[F::Malformed], TOKEN)
    },
    LibraryMessage {
        error_type: Some("DecodeError"),
        ..row("PyJWT", "2.4–2.12",
            "Invalid header padding",
            src(PYJWT, "2.12.1", "jwt/api_jws.py"), &[F::Malformed], TOKEN)
    },
    LibraryMessage {
        error_type: Some("DecodeError"),
        ..row("PyJWT", "2.4–2.12",
            "Invalid payload padding",
            src(PYJWT, "2.12.1", "jwt/api_jws.py"), &[F::Malformed], TOKEN)
    },
    LibraryMessage {
        error_type: Some("DecodeError"),
        ..row("PyJWT", "2.4–2.12",
            "Invalid crypto padding",
            src(PYJWT, "2.12.1", "jwt/api_jws.py"), &[F::Malformed], TOKEN)
    },
    LibraryMessage {
        error_type: Some("DecodeError"),
        ..row("PyJWT", "2.4–2.12",
            "Invalid header string: {}",
            src(PYJWT, "2.12.1", "jwt/api_jws.py"), &[F::Malformed], TOKEN)
    },
    LibraryMessage {
        error_type: Some("DecodeError"),
        ..row("PyJWT", "2.4–2.12",
            "Invalid payload string: {}",
            src(PYJWT, "2.12.1", "jwt/api_jwt.py"), &[F::Malformed], TOKEN)
    },
    LibraryMessage {
        code: Some("ERR_JWS_INVALID"),
        error_type: Some("JWSInvalid"),
        ..row("jose", "4.x–6.2",
            "Invalid Compact JWS",
            src(JOSE, "v6.2.10", "src/lib/jws_verify.ts"), &[F::Malformed], TOKEN)
    },
    LibraryMessage {
        code: Some("ERR_JWT_INVALID"),
        error_type: Some("JWTInvalid"),
        ..row("jose", "4.x–6.2",
            "JWT Claims Set must be a top-level JSON object",
            src(JOSE, "v6.2.10", "src/lib/jwt_claims_set.ts"), &[F::Malformed], TOKEN)
    },
    LibraryMessage {
        error_type: Some("BadJwtException"),
        ..row("Spring Security", "7.1",
            "An error occurred while attempting to decode the Jwt: Malformed token",
            src(SPRING, "7.1.0", "oauth2/oauth2-jose/src/main/java/org/springframework/security/oauth2/jwt/NimbusJwtDecoder.java"), &[F::Malformed], TOKEN)
    },
    LibraryMessage {
        error_type: Some("JsonWebTokenError"),
        ..row("jsonwebtoken (node)", "9.0",
            "jwt malformed",
            src(JSONWEBTOKEN, "v9.0.2", "verify.js"), &[F::Malformed], TOKEN)
    },
    row("go-oidc", "v3.10",
        "oidc: malformed jwt, expected 3 parts got {}",
        src(GO_OIDC, "v3.10.0", "oidc/verify.go"), &[F::Malformed], TOKEN),
    row("go-oidc", "v3.10",
        "oidc: malformed jwt payload: {}",
        src(GO_OIDC, "v3.10.0", "oidc/verify.go"), &[F::Malformed], TOKEN),
    LibraryMessage {
        error_type: Some("OneLogin_Saml2_ValidationError"),
        when: "in strict mode",
        ..row("python3-saml", "1.16",
            "Invalid SAML Response. Not match the saml-schema-protocol-2.0.xsd",
            src(PYTHON3_SAML, "v1.16.0", PYSAML_RESPONSE), &[F::Malformed], SAML)
    },
    row("ruby-saml", "1.18",
        "Invalid SAML Response. Not match the saml-schema-protocol-2.0.xsd",
        src(RUBY_SAML, "v1.18.1", RUBY_RESPONSE), &[F::Malformed], SAML),
    LibraryMessage {
        error_type: Some("ValidationError"),
        ..row("ruby-saml", "1.18",
            "XML load failed: {}",
            src(RUBY_SAML, "v1.18.1", "lib/onelogin/ruby-saml/saml_message.rb"), &[F::Malformed], SAML_AND_METADATA)
    },
    row("node-saml (passport-saml)", "5.1",
        "Not a valid XML document",
        src(NODE_SAML, "v5.1.0", "src/xml.ts"), &[F::Malformed], SAML),
    LibraryMessage {
        error_type: Some("PyJWKSetError"),
        ..row("PyJWT", "2.4–2.12",
            "Invalid JWK Set value",
            src(PYJWT, "2.12.1", "jwt/api_jwk.py"), &[F::Malformed], TOKEN_AND_KEY_SET)
    },
    LibraryMessage {
        code: Some("ERR_JWKS_INVALID"),
        error_type: Some("JWKSInvalid"),
        ..row("jose", "4.x–6.2",
            "JSON Web Key Set malformed",
            src(JOSE, "v6.2.10", "src/jwks/local.ts"), &[F::Malformed], TOKEN_AND_KEY_SET)
    },
    // ---- XML: DTDs, wrapping, unsigned, status -----------------------------------------------
    row("python3-saml", "1.16",
        "DTDForbidden(name='{}', system_id={}, public_id={})",
        src(PYTHON3_SAML, "v1.16.0", "src/onelogin/saml2/xmlparser.py"), &[F::XmlDtdForbidden], SAML_AND_METADATA),
    row("python3-saml", "1.16",
        "EntitiesForbidden(name='{}', system_id={}, public_id={})",
        src(PYTHON3_SAML, "v1.16.0", "src/onelogin/saml2/xmlparser.py"), &[F::XmlDtdForbidden], SAML_AND_METADATA),
    row("ruby-saml", "1.18",
        "Dangerous XML detected. No Doctype nodes allowed",
        src(RUBY_SAML, "v1.18.1", "lib/xml_security.rb"), &[F::XmlDtdForbidden], SAML_AND_METADATA),
    row("python3-saml", "1.16",
        "Duplicated ID. SAML Response rejected",
        src(PYTHON3_SAML, "v1.16.0", PYSAML_RESPONSE), &[F::SamlSignatureWrapping], SAML),
    row("python3-saml", "1.16",
        "Invalid Signature Element {} SAML Response rejected",
        src(PYTHON3_SAML, "v1.16.0", PYSAML_RESPONSE), &[F::SamlSignatureWrapping], SAML),
    row("python3-saml", "1.16",
        "Found an unexpected Signature Element. SAML Response rejected",
        src(PYTHON3_SAML, "v1.16.0", PYSAML_RESPONSE), &[F::SamlSignatureWrapping], SAML),
    row("python3-saml", "1.16",
        "SAML Response must contain 1 assertion",
        src(PYTHON3_SAML, "v1.16.0", PYSAML_RESPONSE), &[F::SamlSignatureWrapping], SAML),
    row("ruby-saml", "1.18",
        "Duplicated ID. SAML Response rejected",
        src(RUBY_SAML, "v1.18.1", RUBY_RESPONSE), &[F::SamlSignatureWrapping], SAML),
    row("ruby-saml", "1.18",
        "Invalid Signature Element '{}'. SAML Response rejected",
        src(RUBY_SAML, "v1.18.1", RUBY_RESPONSE), &[F::SamlSignatureWrapping], SAML),
    row("ruby-saml", "1.18",
        "SAML Response must contain 1 assertion",
        src(RUBY_SAML, "v1.18.1", RUBY_RESPONSE), &[F::SamlSignatureWrapping], SAML),
    row("node-saml (passport-saml)", "5.1",
        "Invalid signature: multiple assertions",
        src(NODE_SAML, "v5.1.0", "src/saml.ts"), &[F::SamlSignatureWrapping], SAML),
    row("node-saml (passport-saml)", "5.1",
        "Invalid signature: ID cannot refer to more than one element",
        src(NODE_SAML, "v5.1.0", "src/xml.ts"), &[F::SamlSignatureWrapping], SAML),
    row("node-saml (passport-saml)", "5.1",
        "Invalid signature: Referenced node does not refer to it's parent element",
        src(NODE_SAML, "v5.1.0", "src/xml.ts"), &[F::SamlSignatureWrapping], SAML),
    LibraryMessage {
        error_type: Some("OneLogin_Saml2_ValidationError"),
        ..row("python3-saml", "1.16",
            "No Signature found. SAML Response rejected",
            src(PYTHON3_SAML, "v1.16.0", PYSAML_RESPONSE), &[F::SamlUnsigned], SAML)
    },
    LibraryMessage {
        when: "with wantAssertionsSigned",
        ..row("python3-saml", "1.16",
            "The Assertion of the Response is not signed and the SP require it",
            src(PYTHON3_SAML, "v1.16.0", PYSAML_RESPONSE), &[F::SamlUnsigned], SAML)
    },
    row("ruby-saml", "1.18",
        "Found an unexpected number of Signature Element. SAML Response rejected",
        src(RUBY_SAML, "v1.18.1", RUBY_RESPONSE), &[F::SamlUnsigned, F::SamlSignatureWrapping], SAML),
    LibraryMessage {
        when: "with want_assertions_signed",
        ..row("ruby-saml", "1.18",
            "The Assertion of the Response is not signed and the SP requires it",
            src(RUBY_SAML, "v1.18.1", RUBY_RESPONSE), &[F::SamlUnsigned], SAML)
    },
    row("Spring Security SAML", "7.1",
        "Either the response or one of the assertions is unsigned. Please either sign the response or all of the assertions.",
        src(SPRING, "7.1.0", SPRING_SAML_PROVIDER), &[F::SamlUnsigned], SAML),
    row("python3-saml", "1.16",
        "The status code of the Response was not Success, was {}",
        src(PYTHON3_SAML, "v1.16.0", PYSAML_RESPONSE), &[F::SamlStatusError], SAML),
    row("ruby-saml", "1.18",
        "The status code of the Response was not Success, was {}",
        src(RUBY_SAML, "v1.18.1", "lib/onelogin/ruby-saml/response.rb, lib/onelogin/ruby-saml/utils.rb"), &[F::SamlStatusError], SAML),
    LibraryMessage {
        error_type: Some("SamlStatusError"),
        ..row("node-saml (passport-saml)", "5.1",
            "SAML provider returned {} error: {}",
            src(NODE_SAML, "v5.1.0", "src/saml.ts"), &[F::SamlStatusError], SAML)
    },
    row("Spring Security SAML", "7.1",
        "Invalid status [{}] for SAML response [{}]",
        src(SPRING, "7.1.0", SPRING_SAML_PROVIDER), &[F::SamlStatusError], SAML),
    // ---- lifetimes -----------------------------------------------------------------------------
    LibraryMessage {
        code: Some("IDX10223"),
        error_type: Some("SecurityTokenExpiredException"),
        ..row("Microsoft.IdentityModel", "6.x–8.1",
            "IDX10223: Lifetime validation failed. The token is expired. ValidTo (UTC): '{expires}', Current time (UTC): '{now}'.",
            src(IDENTITYMODEL, "8.1.2", IM_TOKENS), &[F::TokenExpired], TOKEN_AND_SAML)
    },
    LibraryMessage {
        code: Some("IDX10223"),
        error_type: Some("SecurityTokenExpiredException"),
        ..row("Microsoft.IdentityModel", "5.x",
            "IDX10223: Lifetime validation failed. The token is expired. ValidTo: '{expires}', Current time: '{now}'.",
            src(IDENTITYMODEL, "5.7.0", IM_TOKENS), &[F::TokenExpired], TOKEN_AND_SAML)
    },
    LibraryMessage {
        when: "for an ID token; raised as a RuntimeError before 1.27, logged as a warning from 1.27; 1.32 stopped validating",
        ..row("MSAL Python", "1.17–1.31",
            "9. The ID token already expires. Make sure your computer's time and time zone are both correct.",
            src(MSAL_PYTHON, "1.31.0", MSAL_PYTHON_OIDC), &[F::TokenExpired], TOKEN)
    },
    LibraryMessage {
        when: "with IncludeErrorDetails, in the WWW-Authenticate header",
        ..row("ASP.NET Core JwtBearer", "main @f22eba9",
            "The token expired at '{expires}'",
            src(ASPNETCORE, ASPNETCORE_AT, JWTBEARER), &[F::TokenExpired], TOKEN)
    },
    LibraryMessage {
        error_type: Some("ExpiredSignatureError"),
        ..row("PyJWT", "2.4–2.12",
            "Signature has expired",
            src(PYJWT, "2.12.1", "jwt/api_jwt.py"), &[F::TokenExpired], TOKEN)
    },
    LibraryMessage {
        code: Some("ERR_JWT_EXPIRED"),
        error_type: Some("JWTExpired"),
        ..row("jose", "4.x–6.2",
            "\"exp\" claim timestamp check failed",
            src(JOSE, "v6.2.10", "src/lib/jwt_claims_set.ts"), &[F::TokenExpired], TOKEN)
    },
    LibraryMessage {
        error_type: Some("JwtValidationException"),
        ..row("Spring Security", "7.1",
            "An error occurred while attempting to decode the Jwt: Jwt expired at {expires}",
            src(SPRING, "7.1.0", "oauth2/oauth2-jose/src/main/java/org/springframework/security/oauth2/jwt/JwtTimestampValidator.java, NimbusJwtDecoder.java"), &[F::TokenExpired], TOKEN)
    },
    LibraryMessage {
        error_type: Some("BadJWTException"),
        ..row("Nimbus JOSE+JWT", "9.x (class version 2021-04-26)",
            "Expired JWT",
            src(NIMBUS, "194bd580423619489f21a394eed34572c3c2fcd3", "src/main/java/com/nimbusds/jwt/proc/DefaultJWTClaimsVerifier.java"), &[F::TokenExpired], TOKEN)
    },
    LibraryMessage {
        error_type: Some("TokenExpiredError"),
        ..row("jsonwebtoken (node)", "9.0",
            "jwt expired",
            src(JSONWEBTOKEN, "v9.0.2", "verify.js"), &[F::TokenExpired], TOKEN)
    },
    LibraryMessage {
        when: "BearerStrategy and OIDCStrategy, logged as 'authentication failed due to: …'",
        ..row("passport-azure-ad", PASSPORT_AAD_VERSIONS,
            "jwt is expired",
            src(PASSPORT_AAD, "v4.3.0", PASSPORT_AAD_JWT), &[F::TokenExpired], TOKEN)
    },
    LibraryMessage {
        error_type: Some("TokenExpiredError"),
        ..row("go-oidc", "v3.10",
            "oidc: token is expired (Token Expiry: {expires})",
            src(GO_OIDC, "v3.10.0", "oidc/verify.go"), &[F::TokenExpired], TOKEN)
    },
    row("python3-saml", "1.16",
        "Could not validate timestamp: expired. Check system clock.",
        src(PYTHON3_SAML, "v1.16.0", PYSAML_RESPONSE), &[F::TokenExpired], SAML),
    row("ruby-saml", "1.18",
        "Current time is on or after NotOnOrAfter condition ({now} >= {expires})",
        src(RUBY_SAML, "v1.18.1", RUBY_RESPONSE), &[F::TokenExpired], SAML),
    row("node-saml (passport-saml)", "5.1",
        "SAML assertion expired: clocks skewed too much",
        src(NODE_SAML, "v5.1.0", "src/saml.ts"), &[F::TokenExpired], SAML),
    LibraryMessage {
        code: Some("AADSTS700024"),
        when: "Entra, for a client assertion sent to it",
        ..row("Entra ID", "2024",
            "AADSTS700024: {}",
            src("dotnet/docker-tools", "PR #1310", "the invalid_client body quoted in the pull request (kept as ../shared/entra-samples/errors/real-invalid_client-700024-2024.txt)"), &[F::TokenExpired, F::TokenNotYetValid], TOKEN)
    },
    LibraryMessage {
        code: Some("IDX10222"),
        error_type: Some("SecurityTokenNotYetValidException"),
        ..row("Microsoft.IdentityModel", "6.x–8.1",
            "IDX10222: Lifetime validation failed. The token is not yet valid. ValidFrom (UTC): '{not_before}', Current time (UTC): '{now}'.",
            src(IDENTITYMODEL, "8.1.2", IM_TOKENS), &[F::TokenNotYetValid], TOKEN_AND_SAML)
    },
    LibraryMessage {
        code: Some("IDX10222"),
        error_type: Some("SecurityTokenNotYetValidException"),
        ..row("Microsoft.IdentityModel", "5.x",
            "IDX10222: Lifetime validation failed. The token is not yet valid. ValidFrom: '{not_before}', Current time: '{now}'.",
            src(IDENTITYMODEL, "5.7.0", IM_TOKENS), &[F::TokenNotYetValid], TOKEN_AND_SAML)
    },
    LibraryMessage {
        when: "with IncludeErrorDetails, in the WWW-Authenticate header",
        ..row("ASP.NET Core JwtBearer", "main @f22eba9",
            "The token is not valid before '{not_before}'",
            src(ASPNETCORE, ASPNETCORE_AT, JWTBEARER), &[F::TokenNotYetValid], TOKEN)
    },
    LibraryMessage {
        error_type: Some("ImmatureSignatureError"),
        ..row("PyJWT", "2.4–2.12",
            "The token is not yet valid (nbf)",
            src(PYJWT, "2.12.1", "jwt/api_jwt.py"), &[F::TokenNotYetValid], TOKEN)
    },
    LibraryMessage {
        code: Some("ERR_JWT_CLAIM_VALIDATION_FAILED"),
        error_type: Some("JWTClaimValidationFailed"),
        ..row("jose", "4.x–6.2",
            "\"nbf\" claim timestamp check failed",
            src(JOSE, "v6.2.10", "src/lib/jwt_claims_set.ts"), &[F::TokenNotYetValid], TOKEN)
    },
    LibraryMessage {
        error_type: Some("JwtValidationException"),
        ..row("Spring Security", "7.1",
            "An error occurred while attempting to decode the Jwt: Jwt used before {not_before}",
            src(SPRING, "7.1.0", "oauth2/oauth2-jose/src/main/java/org/springframework/security/oauth2/jwt/JwtTimestampValidator.java, NimbusJwtDecoder.java"), &[F::TokenNotYetValid], TOKEN)
    },
    LibraryMessage {
        error_type: Some("BadJWTException"),
        ..row("Nimbus JOSE+JWT", "9.x (class version 2021-04-26)",
            "JWT before use time",
            src(NIMBUS, "194bd580423619489f21a394eed34572c3c2fcd3", "src/main/java/com/nimbusds/jwt/proc/DefaultJWTClaimsVerifier.java"), &[F::TokenNotYetValid], TOKEN)
    },
    LibraryMessage {
        error_type: Some("NotBeforeError"),
        ..row("jsonwebtoken (node)", "9.0",
            "jwt not active",
            src(JSONWEBTOKEN, "v9.0.2", "verify.js"), &[F::TokenNotYetValid], TOKEN)
    },
    LibraryMessage {
        when: "BearerStrategy and OIDCStrategy, logged as 'authentication failed due to: …'",
        ..row("passport-azure-ad", PASSPORT_AAD_VERSIONS,
            "jwt is not active",
            src(PASSPORT_AAD, "v4.3.0", PASSPORT_AAD_JWT), &[F::TokenNotYetValid], TOKEN)
    },
    row("go-oidc", "v3.10",
        "oidc: current time {now} before the nbf (not before) time: {not_before}",
        src(GO_OIDC, "v3.10.0", "oidc/verify.go"), &[F::TokenNotYetValid], TOKEN),
    row("python3-saml", "1.16",
        "Could not validate timestamp: not yet valid. Check system clock.",
        src(PYTHON3_SAML, "v1.16.0", PYSAML_RESPONSE), &[F::TokenNotYetValid], SAML),
    row("ruby-saml", "1.18",
        "Current time is earlier than NotBefore condition ({now} < {not_before})",
        src(RUBY_SAML, "v1.18.1", RUBY_RESPONSE), &[F::TokenNotYetValid], SAML),
    row("node-saml (passport-saml)", "5.1",
        "SAML assertion not yet valid",
        src(NODE_SAML, "v5.1.0", "src/saml.ts"), &[F::TokenNotYetValid], SAML),
    LibraryMessage {
        code: Some("IDX10225"),
        error_type: Some("SecurityTokenNoExpirationException"),
        ..row("Microsoft.IdentityModel", "5.x–8.1",
            "IDX10225: Lifetime validation failed. The token is missing an Expiration Time. Tokentype: '{}'.",
            src(IDENTITYMODEL, "8.1.2", IM_TOKENS), &[F::TokenNoExpiry], TOKEN)
    },
    LibraryMessage {
        when: "with IncludeErrorDetails, in the WWW-Authenticate header",
        ..row("ASP.NET Core JwtBearer", "main @f22eba9",
            "The token has no expiration",
            src(ASPNETCORE, ASPNETCORE_AT, JWTBEARER), &[F::TokenNoExpiry], TOKEN)
    },
    LibraryMessage {
        error_type: Some("MissingRequiredClaimError"),
        when: "with options={\"require\": [\"exp\"]}",
        ..row("PyJWT", "2.4–2.12",
            "Token is missing the \"exp\" claim",
            src(PYJWT, "2.12.1", "jwt/exceptions.py"), &[F::TokenNoExpiry], TOKEN)
    },
    LibraryMessage {
        code: Some("ERR_JWT_CLAIM_VALIDATION_FAILED"),
        error_type: Some("JWTClaimValidationFailed"),
        when: "with requiredClaims: ['exp']",
        ..row("jose", "4.x–6.2",
            "missing required \"exp\" claim",
            src(JOSE, "v6.2.10", "src/lib/jwt_claims_set.ts"), &[F::TokenNoExpiry], TOKEN)
    },
    // ---- issuer and audience -------------------------------------------------------------------
    LibraryMessage {
        code: Some("IDX10205"),
        error_type: Some("SecurityTokenInvalidIssuerException"),
        ..row("Microsoft.IdentityModel", "6.x–8.1",
            "IDX10205: Issuer validation failed. Issuer: '{issuer}'. Did not match: validationParameters.ValidIssuer: '{expected_issuer}' or validationParameters.ValidIssuers: '{}' or validationParameters.ConfigurationManager.CurrentConfiguration.Issuer: '{}'. For more details, see https://aka.ms/IdentityModel/issuer-validation. ",
            src(IDENTITYMODEL, "8.1.2", IM_TOKENS), &[F::IssuerMismatch], TOKEN_AND_SAML)
    },
    LibraryMessage {
        code: Some("IDX10205"),
        error_type: Some("SecurityTokenInvalidIssuerException"),
        ..row("Microsoft.IdentityModel", "5.x",
            "IDX10205: Issuer validation failed. Issuer: '{issuer}'. Did not match: validationParameters.ValidIssuer: '{expected_issuer}' or validationParameters.ValidIssuers: '{}'.",
            src(IDENTITYMODEL, "5.7.0", IM_TOKENS), &[F::IssuerMismatch], TOKEN_AND_SAML)
    },
    LibraryMessage {
        code: Some("IDX40001"),
        error_type: Some("SecurityTokenInvalidIssuerException"),
        when: "with Microsoft.IdentityModel.Validators' AadIssuerValidator (Microsoft.Identity.Web's default for Entra): the issuer fits no tenant template of the app's metadata",
        ..row("Microsoft.IdentityModel", "6.32.1–8.1",
            "IDX40001: Issuer: '{issuer}', does not match any of the valid issuers provided for this application. ",
            src(IDENTITYMODEL, "8.1.2", "src/Microsoft.IdentityModel.Validators/LogMessages.cs"), &[F::IssuerMismatch], TOKEN)
    },
    LibraryMessage {
        error_type: Some("IdTokenIssuerError"),
        when: "when the app passes the expected issuer; a RuntimeError before 1.27; 1.32 stopped validating",
        ..row("MSAL Python", "0.4.1–1.31",
            "2. The Issuer Identifier for the OpenID Provider, \"{expected_issuer}\", (which is typically obtained during Discovery), MUST exactly match the value of the iss (issuer) Claim.",
            src(MSAL_PYTHON, "1.31.0", MSAL_PYTHON_OIDC), &[F::IssuerMismatch], TOKEN)
    },
    LibraryMessage {
        when: "with IncludeErrorDetails, in the WWW-Authenticate header",
        ..row("ASP.NET Core JwtBearer", "main @f22eba9",
            "The issuer '{issuer}' is invalid",
            src(ASPNETCORE, ASPNETCORE_AT, JWTBEARER), &[F::IssuerMismatch], TOKEN)
    },
    LibraryMessage {
        error_type: Some("InvalidIssuerError"),
        ..row("PyJWT", "2.4–2.12",
            "Invalid issuer",
            src(PYJWT, "2.12.1", "jwt/api_jwt.py"), &[F::IssuerMismatch], TOKEN)
    },
    LibraryMessage {
        code: Some("ERR_JWT_CLAIM_VALIDATION_FAILED"),
        error_type: Some("JWTClaimValidationFailed"),
        ..row("jose", "4.x–6.2",
            "unexpected \"iss\" claim value",
            src(JOSE, "v6.2.10", "src/lib/jwt_claims_set.ts"), &[F::IssuerMismatch], TOKEN)
    },
    LibraryMessage {
        error_type: Some("JwtValidationException"),
        ..row("Spring Security", "7.1",
            "An error occurred while attempting to decode the Jwt: The iss claim is not valid",
            src(SPRING, "7.1.0", "oauth2/oauth2-jose/src/main/java/org/springframework/security/oauth2/jwt/JwtClaimValidator.java, JwtIssuerValidator.java"), &[F::IssuerMismatch], TOKEN)
    },
    LibraryMessage {
        error_type: Some("JsonWebTokenError"),
        ..row("jsonwebtoken (node)", "9.0",
            "jwt issuer invalid. expected: {expected_issuer}",
            src(JSONWEBTOKEN, "v9.0.2", "verify.js"), &[F::IssuerMismatch], TOKEN)
    },
    LibraryMessage {
        when: "BearerStrategy and OIDCStrategy, logged as 'authentication failed due to: …'",
        ..row("passport-azure-ad", PASSPORT_AAD_VERSIONS,
            "jwt issuer is invalid",
            src(PASSPORT_AAD, "v4.3.0", PASSPORT_AAD_JWT), &[F::IssuerMismatch], TOKEN)
    },
    row("go-oidc", "v3.10",
        "oidc: id token issued by a different provider, expected \"{expected_issuer}\" got \"{issuer}\"",
        src(GO_OIDC, "v3.10.0", "oidc/verify.go"), &[F::IssuerMismatch], TOKEN),
    row("go-oidc", "v3.10",
        "oidc: issuer did not match the issuer returned by provider, expected \"{expected_issuer}\" got \"{issuer}\"",
        src(GO_OIDC, "v3.10.0", "oidc/oidc.go"), &[F::IssuerMismatch, F::MetadataInconsistent], &[Family::KeySet]),
    row("python3-saml", "1.16",
        "Invalid issuer in the Assertion/Response (expected {expected_issuer}, got {issuer})",
        src(PYTHON3_SAML, "v1.16.0", PYSAML_RESPONSE), &[F::IssuerMismatch], SAML),
    row("ruby-saml", "1.18",
        "Doesn't match the issuer, expected: <{expected_issuer}>, but was: <{issuer}>",
        src(RUBY_SAML, "v1.18.1", RUBY_RESPONSE), &[F::IssuerMismatch], SAML),
    row("node-saml (passport-saml)", "5.1",
        "Unknown SAML issuer. Expected: {expected_issuer} Received: {issuer}",
        src(NODE_SAML, "v5.1.0", "src/saml.ts"), &[F::IssuerMismatch], SAML),
    LibraryMessage {
        code: Some("IDX10214"),
        error_type: Some("SecurityTokenInvalidAudienceException"),
        ..row("Microsoft.IdentityModel", "5.x–8.1",
            "IDX10214: Audience validation failed. Audiences: '{audience}'. Did not match: validationParameters.ValidAudience: '{expected_audience}' or validationParameters.ValidAudiences: '{}'.",
            src(IDENTITYMODEL, "8.1.2", IM_TOKENS), &[F::AudienceMismatch], TOKEN_AND_SAML)
    },
    LibraryMessage {
        error_type: Some("IdTokenAudienceError"),
        when: "a RuntimeError before 1.27; 1.32 stopped validating",
        ..row("MSAL Python", "1.9–1.31",
            "3. The aud (audience) claim must contain this client's client_id \"{expected_audience}\", case-sensitively. Was your client_id in wrong casing?",
            src(MSAL_PYTHON, "1.31.0", MSAL_PYTHON_OIDC), &[F::AudienceMismatch], TOKEN)
    },
    LibraryMessage {
        when: "with IncludeErrorDetails, in the WWW-Authenticate header",
        ..row("ASP.NET Core JwtBearer", "main @f22eba9",
            "The audience '{}' is invalid",
            src(ASPNETCORE, ASPNETCORE_AT, JWTBEARER), &[F::AudienceMismatch], TOKEN)
    },
    LibraryMessage {
        error_type: Some("InvalidAudienceError"),
        ..row("PyJWT", "2.8–2.12",
            "Audience doesn't match",
            src(PYJWT, "2.12.1", "jwt/api_jwt.py"), &[F::AudienceMismatch], TOKEN)
    },
    LibraryMessage {
        code: Some("ERR_JWT_CLAIM_VALIDATION_FAILED"),
        error_type: Some("JWTClaimValidationFailed"),
        ..row("jose", "4.x–6.2",
            "unexpected \"aud\" claim value",
            src(JOSE, "v6.2.10", "src/lib/jwt_claims_set.ts"), &[F::AudienceMismatch], TOKEN)
    },
    LibraryMessage {
        error_type: Some("JwtValidationException"),
        ..row("Spring Security", "7.1",
            "An error occurred while attempting to decode the Jwt: The aud claim is not valid",
            src(SPRING, "7.1.0", "oauth2/oauth2-jose/src/main/java/org/springframework/security/oauth2/jwt/JwtClaimValidator.java, JwtAudienceValidator.java"), &[F::AudienceMismatch], TOKEN)
    },
    LibraryMessage {
        error_type: Some("JsonWebTokenError"),
        ..row("jsonwebtoken (node)", "9.0",
            "jwt audience invalid. expected: {expected_audience}",
            src(JSONWEBTOKEN, "v9.0.2", "verify.js"), &[F::AudienceMismatch], TOKEN)
    },
    LibraryMessage {
        when: "BearerStrategy and OIDCStrategy, logged as 'authentication failed due to: …'",
        ..row("passport-azure-ad", PASSPORT_AAD_VERSIONS,
            "jwt audience is invalid",
            src(PASSPORT_AAD, "v4.3.0", PASSPORT_AAD_JWT), &[F::AudienceMismatch], TOKEN)
    },
    row("go-oidc", "v3.10",
        "oidc: expected audience \"{expected_audience}\" got {audience}",
        src(GO_OIDC, "v3.10.0", "oidc/verify.go"), &[F::AudienceMismatch], TOKEN),
    row("python3-saml", "1.16",
        "{audience} is not a valid audience for this Response",
        src(PYTHON3_SAML, "v1.16.0", PYSAML_RESPONSE), &[F::AudienceMismatch], SAML),
    row("ruby-saml", "1.18",
        "Invalid Audience. The audience {audience}, did not match the expected audience {expected_audience}",
        src(RUBY_SAML, "v1.18.1", RUBY_RESPONSE), &[F::AudienceMismatch], SAML),
    row("node-saml (passport-saml)", "5.1",
        "SAML assertion audience mismatch. Expected: {expected_audience} Received: {audience}",
        src(NODE_SAML, "v5.1.0", "src/saml.ts"), &[F::AudienceMismatch], SAML),
    // ---- certificates and keys -----------------------------------------------------------------
    LibraryMessage {
        code: Some("IDX10249"),
        error_type: Some("SecurityTokenInvalidSigningKeyException"),
        when: "with ValidateIssuerSigningKey",
        ..row("Microsoft.IdentityModel", "5.x–8.1",
            "IDX10249: X509SecurityKey validation failed. The associated certificate has expired. ValidTo (UTC): '{expires}', Current time (UTC): '{now}'.",
            src(IDENTITYMODEL, "8.1.2", IM_TOKENS), &[F::CertExpired], ANY_CERTIFICATE_HOLDER)
    },
    LibraryMessage {
        when: "with security[:check_idp_cert_expiration]",
        ..row("ruby-saml", "1.18",
            "IdP x509 certificate expired",
            src(RUBY_SAML, "v1.18.1", RUBY_RESPONSE), &[F::CertExpired],
            &[Family::Saml, Family::SamlMetadata, Family::Certificate, Family::AppRegistration])
    },
    LibraryMessage {
        code: Some("IDX10248"),
        error_type: Some("SecurityTokenInvalidSigningKeyException"),
        when: "with ValidateIssuerSigningKey",
        ..row("Microsoft.IdentityModel", "5.x–8.1",
            "IDX10248: X509SecurityKey validation failed. The associated certificate is not yet valid. ValidFrom (UTC): '{not_before}', Current time (UTC): '{now}'.",
            src(IDENTITYMODEL, "8.1.2", IM_TOKENS), &[F::CertNotYetValid], ANY_CERTIFICATE_HOLDER)
    },
    LibraryMessage {
        code: Some("IDX10631"),
        when: "only for RSA keys below 1024 bits (IdentityModel's minimum for verifying)",
        ..row("Microsoft.IdentityModel", "5.x–8.1",
            "IDX10631: The '{}' for verifying cannot be smaller than '{}' bits. KeySize: '{}'.",
            src(IDENTITYMODEL, "8.1.2", IM_TOKENS), &[F::WeakKey], TOKEN_AND_SAML)
    },
    LibraryMessage {
        error_type: Some("InsecureKeyLengthWarning"),
        when: "a warning, not an error",
        ..row("PyJWT", "2.11–2.12",
            "The RSA key is {} bits long, which is below the minimum recommended size of 2048 bits. See NIST SP 800-131A.",
            src(PYJWT, "2.12.1", "jwt/algorithms.py"), &[F::WeakKey], TOKEN)
    },
    LibraryMessage {
        error_type: Some("InsecureKeyLengthWarning"),
        when: "a warning, not an error",
        ..row("PyJWT", "2.11–2.12",
            "The HMAC key is {} bytes long, which is below the minimum recommended length of {} bytes for {}. See RFC 7518 Section 3.2.",
            src(PYJWT, "2.12.1", "jwt/algorithms.py"), &[F::WeakKey], TOKEN)
    },
    LibraryMessage {
        when: "with security.rejectDeprecatedAlgorithm",
        ..row("python3-saml", "1.16",
            "Deprecated signature algorithm found: {}",
            src(PYTHON3_SAML, "v1.16.0", PYSAML_RESPONSE), &[F::WeakKey], SAML)
    },
    LibraryMessage {
        code: Some("IDX10634"),
        error_type: Some("NotSupportedException"),
        ..row("Microsoft.IdentityModel", "5.x–8.1",
            "IDX10634: Unable to create the SignatureProvider.\nAlgorithm: '{}', SecurityKey: '{}'\n is not supported. The list of supported algorithms is available here: https://aka.ms/IdentityModel/supported-algorithms",
            src(IDENTITYMODEL, "8.1.2", IM_TOKENS), &[F::AlgKeyMismatch], TOKEN)
    },
    LibraryMessage {
        error_type: Some("InvalidKeyError"),
        ..row("PyJWT", "2.4–2.12",
            "The specified key is an asymmetric key or x509 certificate and should not be used as an HMAC secret.",
            src(PYJWT, "2.12.1", "jwt/algorithms.py"), &[F::AlgKeyMismatch], TOKEN)
    },
    LibraryMessage {
        error_type: Some("JsonWebTokenError"),
        ..row("jsonwebtoken (node)", "9.0",
            "invalid algorithm",
            src(JSONWEBTOKEN, "v9.0.2", "verify.js"), &[F::AlgKeyMismatch], TOKEN)
    },
    LibraryMessage {
        error_type: Some("JsonWebTokenError"),
        ..row("jsonwebtoken (node)", "9.0",
            "secretOrPublicKey must be a symmetric key when using {}",
            src(JSONWEBTOKEN, "v9.0.2", "verify.js"), &[F::AlgKeyMismatch], TOKEN)
    },
    LibraryMessage {
        code: Some("ERR_JWKS_MULTIPLE_MATCHING_KEYS"),
        error_type: Some("JWKSMultipleMatchingKeys"),
        ..row("jose", "4.x–6.2",
            "multiple matching keys found in the JSON Web Key Set",
            src(JOSE, "v6.2.10", JOSE_ERRORS), &[F::DuplicateKid], TOKEN_AND_KEY_SET)
    },
    LibraryMessage {
        code: Some("ERR_JWKS_INVALID"),
        error_type: Some("JWKSInvalid"),
        ..row("jose", "4.x–6.2",
            "JSON Web Key Set members must be public keys",
            src(JOSE, "v6.2.10", "src/jwks/local.ts"), &[F::PrivateKeyPublished], TOKEN_AND_KEY_SET)
    },
    LibraryMessage {
        code: Some("IDX20803"),
        error_type: Some("InvalidOperationException"),
        ..row("Microsoft.IdentityModel", "6.x–8.1",
            "IDX20803: Unable to obtain configuration from: '{}'. Will retry at '{}'. Exception: '{}'.",
            src(IDENTITYMODEL, "8.1.2", IM_PROTOCOLS), &[F::MetadataInconsistent], TOKEN_AND_KEY_SET)
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_known_and_texts_whole() {
        for m in LIBRARY_MESSAGES {
            let mut rest = m.text;
            while let Some(open) = rest.find('{') {
                let close = rest[open..].find('}').map(|c| open + c);
                if let Some(close) = close {
                    let name = &rest[open + 1..close];
                    // A brace pair that is not a placeholder must be literal JSON-like text.
                    assert!(
                        name.is_empty() || NAMED_PLACEHOLDERS.contains(&name) || name.contains('"'),
                        "{}: unknown placeholder {{{name}}}",
                        m.text
                    );
                    rest = &rest[close + 1..];
                } else {
                    break;
                }
            }
            assert!(!m.text.trim().is_empty() && !m.library.is_empty() && !m.versions.is_empty());
            assert!(
                !m.findings.is_empty() && !m.applies_to.is_empty(),
                "{}",
                m.text
            );
            assert!(
                !m.source.repo.is_empty() && !m.source.at.is_empty() && !m.source.path.is_empty()
            );
            if let Some(code) = m.code {
                assert!(
                    code.starts_with("IDX")
                        || code.starts_with("ERR_")
                        || code.starts_with("AADSTS"),
                    "{code}"
                );
            }
        }
    }

    #[test]
    fn saml_never_gets_jwt_only_lines() {
        let lines = seen_as(FindingCode::Malformed, Kind::SamlResponse);
        assert!(!lines.is_empty());
        assert!(
            lines
                .iter()
                .all(|l| !l.contains("IDX12741") && !l.contains("segments")),
            "{lines:?}"
        );
        let jwt = seen_as(FindingCode::Malformed, Kind::Jwt);
        assert!(jwt.iter().any(|l| l.starts_with("IDX12741")), "{jwt:?}");
        assert!(jwt.iter().all(|l| !l.contains("SAML")), "{jwt:?}");
    }

    #[test]
    fn lines_read_as_the_spec_shows_them() {
        let lines = seen_as(FindingCode::KeyNotFound, Kind::Jwt);
        assert!(
            lines[0].starts_with("IDX10503: Signature validation failed. The token's kid is: '…'")
        );
        assert!(
            lines.contains(&"PyJWT: Unable to find a signing key that matches: \"…\"".to_string())
        );
        assert!(lines.contains(
            &"jose: no applicable key found in the JSON Web Key Set (ERR_JWKS_NO_MATCHING_KEY)"
                .to_string()
        ));
        assert_eq!(
            seen_as(FindingCode::NoSigningKeys, Kind::SamlMetadata)
                .iter()
                .filter(|l| l.starts_with("AADSTS"))
                .collect::<Vec<_>>(),
            ["AADSTS50003"]
        );
        // python3-saml has no certificate-expiry check: nothing of it may claim one.
        assert!(seen_as(FindingCode::CertExpired, Kind::SamlResponse)
            .iter()
            .all(|l| !l.starts_with("python3-saml")));
    }

    #[test]
    fn reads_a_log_line_and_its_kid() {
        let line = "2026-05-02 12:00:01 ERROR jwt.exceptions.PyJWKClientError: Unable to find a signing key that matches: \"AbC-123_xyz\"";
        let pyjwt = search(line);
        assert_eq!(pyjwt[0].library, "PyJWT");
        let reading = pyjwt[0].read(line).expect("reads");
        assert_eq!(reading.values, [("kid", "AbC-123_xyz".to_string())]);

        let im = "Microsoft.IdentityModel.Tokens.SecurityTokenSignatureKeyNotFoundException: IDX10503: Signature validation failed. The token's kid is: 'nOo3ZDrODXEK1jKWhXslHR_KXEg', but did not match any keys in TokenValidationParameters or Configuration. Keys tried: 'Microsoft.IdentityModel.Tokens.X509SecurityKey, KeyId: 'X'";
        let best = search(im)[0];
        assert_eq!(best.code, Some("IDX10503"));
        assert_eq!(best.versions, "7.0–8.1");
        let r = best.read(im).expect("reads");
        assert_eq!(
            r.values[0],
            ("kid", "nOo3ZDrODXEK1jKWhXslHR_KXEg".to_string())
        );
    }

    #[test]
    fn fragments_and_names_find_rows() {
        assert!(search("Unable to find a signing key that matches")
            .iter()
            .any(|m| m.library == "PyJWT"));
        assert!(search("unable to find a signing key that matches")
            .iter()
            .any(|m| m.library == "jwks-rsa"));
        assert_eq!(by_name("err_jwks_no_matching_key")[0].library, "jose");
        assert!(by_name("IDX10503").len() >= 2);
        assert!(!by_name("SecurityTokenSignatureKeyNotFoundException").is_empty());
        assert!(search("the").is_empty());
    }

    #[test]
    fn pieces_split_only_placeholders() {
        assert_eq!(
            pieces("a '{kid}' b {} c {x}"),
            [
                Piece::Literal("a '"),
                Piece::Hole("kid"),
                Piece::Literal("' b "),
                Piece::Hole(""),
                Piece::Literal(" c {x}"),
            ]
        );
    }
}
