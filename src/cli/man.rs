//! Manual pages, generated from the flags (clap_mangen) and the catalogue: keyprobe(1) with
//! every finding code, exit status, environment and files, and one page per command
//! (keyprobe-inspect(1), keyprobe-explain(1) with every code it explains, …). `docs/man/` holds
//! them as generated; a test fails when they differ.

use clap::CommandFactory;
use clap_mangen::roff::{bold, italic, roman, Roff};
use clap_mangen::Man;

use super::args::Cli;
use crate::catalogue::explain::{ENTRA_ERROR_LOOKUP, ENTRA_ERROR_REFERENCE};
use crate::catalogue::{FINDINGS, LIBRARY_MESSAGES};

/// Why a page could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(super) enum ManError {
    #[error(
        "no command '{0}' (keyprobe man takes inspect, explain, redact, reproduce, serve, man or completions)"
    )]
    NoSuchCommand(String),
    #[error("cannot write the manual page: {0}")]
    Io(#[from] std::io::Error),
}

/// Every page: file name and roff text, keyprobe.1 first.
pub(super) fn pages() -> Result<Vec<(String, Vec<u8>)>, ManError> {
    let mut out = vec![("keyprobe.1".to_string(), page(None)?)];
    for name in command_names() {
        out.push((format!("keyprobe-{name}.1"), page(Some(&name))?));
    }
    Ok(out)
}

/// The commands that get a page of their own.
fn command_names() -> Vec<String> {
    built()
        .get_subcommands()
        .filter(|c| !c.is_hide_set() && c.get_name() != "help")
        .map(|c| c.get_name().to_string())
        .collect()
}

fn built() -> clap::Command {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// keyprobe(1), or the page of one command.
pub(super) fn page(command: Option<&str>) -> Result<Vec<u8>, ManError> {
    let root = built();
    let mut out = Vec::new();
    match command {
        None => {
            render_standard(Man::new(root.clone()), &root, &mut out)?;
            out.extend(main_sections().render().into_bytes());
        }
        Some(name) => {
            let sub = root
                .find_subcommand(name)
                .ok_or_else(|| ManError::NoSuchCommand(name.to_string()))?
                .clone();
            let display = format!("keyprobe-{name}");
            let man = Man::new(sub.clone().display_name(display.clone()).name(display));
            render_standard(man, &sub, &mut out)?;
            out.extend(command_sections(name).render().into_bytes());
        }
    }
    Ok(out)
}

/// clap_mangen's sections: title, name, synopsis, description, options, commands.
fn render_standard(man: Man, cmd: &clap::Command, out: &mut Vec<u8>) -> Result<(), ManError> {
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(out)?;
    }
    if cmd.has_subcommands() {
        man.render_subcommands_section(out)?;
    }
    Ok(())
}

fn section(roff: &mut Roff, title: &str) {
    roff.control("SH", [title]);
}

fn item(roff: &mut Roff, term: &str, text: &str) {
    roff.control("TP", []);
    roff.text([bold(term)]);
    roff.text([roman(text)]);
}

fn main_sections() -> Roff {
    let mut roff = Roff::new();
    section(&mut roff, "FINDING CODES");
    roff.text([roman(
        "Every finding has a code, a severity (error, warning or info; the verdict is the worst error or warning), a message, a hint that fits the kind of input, what relying-party libraries print for the same cause (seen_as) and its evidence. ",
    ), bold("keyprobe explain CODE"), roman(" prints a code's page.")]);
    for (code, entry) in FINDINGS {
        item(
            &mut roff,
            code.as_str(),
            &format!(
                "({}) {}. {}",
                entry.severity.as_str(),
                entry.title,
                entry.hint
            ),
        );
    }
    section(&mut roff, "EXIT STATUS");
    item(&mut roff, "0", "No finding is an error.");
    item(&mut roff, "1", "At least one finding is an error.");
    item(
        &mut roff,
        "2",
        "A usage error, or an input, URL or key source that cannot be read.",
    );
    item(
        &mut roff,
        "130",
        "The paste prompt was cancelled with Ctrl-C.",
    );
    section(&mut roff, "ENVIRONMENT");
    item(
        &mut roff,
        "NO_COLOR",
        "When set, no colour is written (colour is only ever written to a terminal).",
    );
    item(&mut roff, "COLUMNS", "The width the human report and pages wrap to; without it, the terminal's width, and no wrapping when output is not a terminal.");
    item(&mut roff, "KEYPROBE_CACHE, XDG_CACHE_HOME", "Where fetched documents are kept for --offline and --replay (KEYPROBE_CACHE, else $XDG_CACHE_HOME/keyprobe, else ~/.cache/keyprobe, else keyprobe-cache-UID in the temporary directory, used only while it is yours and mode 700), unless --cache-dir is given.");
    item(
        &mut roff,
        "SSL_CERT_FILE",
        "A CA bundle trusted for HTTPS instead of the system's, beside any --cacert.",
    );
    section(&mut roff, "FILES");
    item(&mut roff, "~/.cache/keyprobe/", "One JSON file per fetched document (URL, time, HTTP status, sha256, body), so that a diagnosis can be replayed offline and earlier key sets show key rotation.");
    section(&mut roff, "EXAMPLES");
    for (what, command) in [
        ("A token against Entra's keys for a tenant:", "keyprobe inspect TOKEN --tenant contoso.onmicrosoft.com"),
        ("A SAMLResponse against the app's federation metadata:", "keyprobe inspect RESPONSE --metadata 'https://login.microsoftonline.com/TENANT/federationmetadata/2007-06/federationmetadata.xml?appid=APPID'"),
        ("Paste at the prompt (a paste of any length is read whole):", "keyprobe inspect"),
        ("Replay a ticket's diagnosis from the key set fetched then:", "keyprobe inspect TOKEN --metadata URL --replay 3cb3e2a1"),
        ("What a log line means:", "keyprobe explain 'IDX10503: Signature validation failed.'"),
    ] {
        roff.control("PP", []);
        roff.text([roman(what)]);
        roff.control("RS", []);
        roff.control("nf", []);
        roff.text([bold(command)]);
        roff.control("fi", []);
        roff.control("RE", []);
    }
    see_also(&mut roff, None);
    roff
}

fn command_sections(name: &str) -> Roff {
    let mut roff = Roff::new();
    match name {
        "explain" => {
            section(&mut roff, "WHAT IT TAKES");
            roff.text([roman("Codes as they appear in logs, in any case and with the punctuation around them: a finding code (key-not-found), an Entra code (AADSTS50003, aadsts50003:, 50003), an IdentityModel code (IDX10503:), a library's error code or type (ERR_JWKS_NO_MATCHING_KEY, PyJWKClientError, Microsoft.IdentityModel.Tokens.SecurityTokenSignatureKeyNotFoundException), or a piece of a message, which is searched in the table of confirmed library messages. An Entra code without a page of its own gets a general page that links Entra's error lookup ("),
                roman(ENTRA_ERROR_LOOKUP), italic("CODE"), roman(") and reference ("), roman(ENTRA_ERROR_REFERENCE), roman("). A name nothing matches is answered with the names it resembles.")]);
            section(&mut roff, "LIBRARY MESSAGES");
            roff.text([roman(
                "What each library prints, as confirmed against its source (library, versions):",
            )]);
            for m in LIBRARY_MESSAGES {
                let codes: Vec<&str> = m.findings.iter().map(|f| f.as_str()).collect();
                item(
                    &mut roff,
                    &m.seen_as(),
                    &format!(
                        "{} {} ({}); read at {}",
                        m.library,
                        m.versions,
                        codes.join(", "),
                        m.source
                    ),
                );
            }
        }
        "inspect" => {
            section(&mut roff, "INPUT");
            roff.text([roman("A file, - or nothing for standard input (on a terminal keyprobe asks for a paste and reads it whole, whatever its length: end with Enter on an empty line or Ctrl-D; Ctrl-C cancels), the value itself, or an http(s) URL of a document (metadata, key set, certificate), which is fetched. A URL that carries a token or SAML message in its query or fragment is decoded, never fetched. Detection is automatic: tokens (jwt, jwe), key sets and keys (jwks, jwk, key), OIDC discovery, SAML messages and metadata, certificates, Entra's errors, relying parties' error lines, app registrations, and containers (token responses, saved sign-in pages, HAR captures, SAML-tracer exports).")]);
            section(&mut roff, "OUTPUT");
            roff.text([roman("A report per input: verdict, findings (message, hint, what libraries print, evidence) and everything decoded, wrapped to the terminal (COLUMNS honoured, whole lines when piped), colour only on a terminal (NO_COLOR honoured). With --json, one JSON object per input (JSON Lines with --lines or several inputs): input, kind, verdict, findings (code, severity, message, hint, seen_as, evidence), decoded, fetched.")]);
            section(&mut roff, "REPLAY");
            roff.text([roman("Every fetched document is kept in the cache and listed in the report with its sha256. --offline answers URLs from the cache (the latest copy); --replay picks one: the copy with that sha256 (8 or more hex digits, as the report lists it), or the latest made at or before a time.")]);
        }
        "reproduce" => reproduce_sections(&mut roff),
        _ => {}
    }
    see_also(&mut roff, Some(name));
    roff
}

/// `keyprobe reproduce`: the files, the scenarios (from the table mock-sts shares), the exit status.
fn reproduce_sections(roff: &mut Roff) {
    use keyprobe_core::reproduce::{AppCause, Failure, RpFailure, REPRODUCTIONS};
    section(roff, "FILES");
    item(roff, "mock-sts.toml", "mock-sts's configuration: the tenant id, domains, apps (client ids, SAML entity ids, ACS and redirect URIs, token versions) and placeholder users as the input shows them; new client secrets. Lines starting with #fix: are the fix, where it is a change of configuration.");
    item(roff, "replay.sh", "replays the captured requests to Entra's endpoints against mock-sts with curl (./replay.sh http://127.0.0.1:PORT): tenant, path and parameters kept; signatures, codes, assertions and cookies left out; a client assertion signed afresh with client-key.pem in the captured one's shape and window; state and nonce made afresh; user names replaced. Exit 1 and `replay: CODE` when the answer is the failure; for a relying party's failure, what was issued is checked with keyprobe inspect against the mock's keys.");
    item(roff, "client-cert.pem, client-key.pem", "when the capture holds client assertions: a certificate and key made here (never the client's), which replay.sh signs them with; registered on the app in mock-sts.toml unless its not being uploaded is the failure (AADSTS700027).");
    item(roff, "fix.sh", "the fix to try, on the running mock (control API) or in mock-sts.toml (then restart mock-sts).");
    item(roff, "README.md", "what was seen, which scenario reproduces it, what was left out or replaced, and the fix, with the commands.");
    section(roff, "SCENARIOS");
    for r in REPRODUCTIONS {
        let failure = match r.failure {
            Failure::Aadsts(code) => format!("AADSTS{code}"),
            Failure::AadstsReason(code, reason) => format!("AADSTS{code} ({reason})"),
            Failure::RelyingParty(RpFailure::SigningKeyNotPublished) => {
                "key-not-found (IDX10503, ...)".to_string()
            }
            Failure::RelyingParty(RpFailure::SigningCertificateExpired) => {
                "cert-expired (IDX10249, ...)".to_string()
            }
            Failure::AppSide(AppCause::NoSamlSigningKey) => {
                "no-signing-keys (an app registration or metadata)".to_string()
            }
            Failure::AppSide(AppCause::DanglingSigningKey) => {
                "signing-key-dangling (an app registration)".to_string()
            }
        };
        item(
            roff,
            &failure,
            &format!("--scenario {}: {}", r.scenario, r.how),
        );
    }
    section(roff, "EXIT STATUS");
    roff.text([roman("0 when the failure seen has a mock-sts scenario (or no failure was seen); 1 when it has none: the files are written all the same, and the output says which part could be reproduced and why not; 2 when the input cannot be read or the directory is not empty (without --force).")]);
}

fn see_also(roff: &mut Roff, this: Option<&str>) {
    section(roff, "SEE ALSO");
    let mut refs: Vec<String> = Vec::new();
    if this.is_some() {
        refs.push("keyprobe(1)".into());
    }
    for name in command_names() {
        if Some(name.as_str()) != this {
            refs.push(format!("keyprobe-{name}(1)"));
        }
    }
    refs.push("mock-sts(1)".into());
    roff.text([roman(refs.join(", "))]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_a_page_naming_its_options() {
        let pages = pages().expect("pages");
        let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
        for want in [
            "keyprobe.1",
            "keyprobe-inspect.1",
            "keyprobe-explain.1",
            "keyprobe-man.1",
        ] {
            assert!(names.contains(&want), "{names:?}");
        }
        let main = String::from_utf8_lossy(&pages[0].1).to_string();
        for (code, _) in FINDINGS {
            let roff_name = code.as_str().replace('-', "\\-");
            assert!(main.contains(&roff_name), "{code} missing from keyprobe.1");
        }
        let inspect = pages
            .iter()
            .find(|(n, _)| n == "keyprobe-inspect.1")
            .unwrap();
        let inspect = String::from_utf8_lossy(&inspect.1);
        for flag in ["jwks", "metadata", "offline", "replay", "at"] {
            assert!(
                inspect.contains(&format!("\\-\\-{flag}")),
                "--{flag} missing"
            );
        }
    }
}
