//! `keyprobe reproduce`: from a capture of a real failure (HAR, SAML-tracer, a saved page, an app
//! registration, a token or SAML message) to a mock-sts configuration that fails the same way, a replay
//! of the captured requests, and the fix to try.
//!
//! Everything is read through the inspect layer ([`crate::inspect_all`], the capture reader for the
//! requests); the failure is mapped to a scenario by the table both programs share
//! ([`keyprobe_core::reproduce`]). Nothing secret or personal is written: the files are rendered first,
//! checked for every value the input carried that must not leave it, and only then written.

mod assertion;
mod facts;
mod placeholder;
mod plan;
mod replay;
mod write;

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::capture::exchange::Exchange;
use crate::capture::har;
use crate::input::Input;
use crate::inspect::Settings;
use crate::limits::{MAX_CAPTURE_ENTRIES, MAX_INPUT_BYTES};
use crate::trust::TrustStore;
use facts::Facts;
use placeholder::{Placeholders, FALLBACK_DOMAIN};
use plan::Plan;
use replay::Request;

/// Where the files go when `-o` is not given.
pub(crate) const DEFAULT_DIR: &str = "keyprobe-reproduce";

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum ReproduceError {
    #[error("cannot read '{path}': {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "'{path}' is larger than the {limit} byte limit (give a capture as a file: it is streamed)"
    )]
    TooLarge { path: String, limit: usize },
    #[error("'{}' exists and is not empty; choose another directory with -o, or overwrite its files with --force", dir.display())]
    NotEmpty { dir: PathBuf },
    #[error("'{}' exists and is not a directory", dir.display())]
    NotADirectory { dir: PathBuf },
    #[error("cannot write '{}': {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A value from the input that must not leave it was about to be written: nothing was written.
    #[error("refusing to write {file}: it would carry {what} from the input (a keyprobe bug: please report it)")]
    WouldLeak { file: &'static str, what: String },
}

/// What was written and how it went.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// One line each: what was seen, how it is reproduced, what was written, what was replaced.
    pub summary: Vec<String>,
    /// The mock-sts command that starts the reproduction.
    pub command: String,
    /// A failure was seen and mock-sts has a scenario for it (or no failure was seen).
    pub reproduced: bool,
}

/// Reads `path` (`-` for standard input), checked against the keys a relying party trusts (`trust`,
/// possibly none), and writes the reproduction into `dir`.
pub(crate) fn reproduce(
    path: &str,
    dir: &Path,
    force: bool,
    trust: &TrustStore,
) -> Result<Outcome, ReproduceError> {
    check_dir(dir, force)?;
    let settings = Settings::default();
    let label = if path == "-" { "stdin" } else { path };
    // A capture file is streamed (twice: reports, then requests), so a HAR of any size reads in bounded
    // memory; anything else, or a capture on standard input, is read whole up to the input limit.
    let file_format = (path != "-")
        .then(|| crate::capture::sniff_file(path))
        .flatten();
    let (reports, (exchanges, key_set_urls)) = match file_format {
        Some(format) => {
            let reports =
                har::inspect(label, format, open(path)?, trust, &settings, &mut |_, _| {});
            (reports, requests_in(format, open(path)?))
        }
        None => {
            let bytes = read_input(path)?;
            match har::sniff(crate::capture::head(&bytes)) {
                Some(format) => {
                    let reports =
                        har::inspect(label, format, &bytes[..], trust, &settings, &mut |_, _| {});
                    (reports, requests_in(format, &bytes[..]))
                }
                None => {
                    let input = Input::new(label, bytes);
                    (
                        crate::inspect_all(&input, trust, &settings),
                        (Vec::new(), Vec::new()),
                    )
                }
            }
        }
    };
    let mut facts = Facts::default();
    for report in &reports {
        facts.report(report);
    }
    for x in &exchanges {
        let mut params: Vec<(String, String)> = url::Url::parse(&x.url)
            .map(|u| {
                u.query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        params.extend(x.form());
        facts.request(&x.url, &params);
    }
    facts.failure(&reports, &key_set_urls);
    let domain = facts
        .domains
        .first()
        .cloned()
        .unwrap_or_else(|| FALLBACK_DOMAIN.to_string());
    let placeholders = Placeholders::new(&facts, &domain);
    // The STS's clock when the failing request arrived (AADSTS700024 says it): a replayed client
    // assertion keeps its window relative to it.
    let sts_time = facts
        .seen
        .as_ref()
        .and_then(|s| Some((s.entry?, assertion::sts_time_in(s.entra_text.as_deref()?)?)));
    let requests: Vec<Request> = exchanges
        .iter()
        .filter_map(|x| {
            let at = sts_time.filter(|(e, _)| *e == x.index).map(|(_, t)| t);
            Request::from_exchange(x, &placeholders, trust, &settings, at)
        })
        .collect();
    let plan = Plan::new(label, facts, &placeholders, requests);

    let files = [
        ("mock-sts.toml", write::config(&plan), false),
        ("replay.sh", write::replay_script(&plan), true),
        ("fix.sh", write::fix_script(&plan), true),
        ("README.md", write::readme(&plan, dir), false),
    ];
    let secrets = never_written(&exchanges, &placeholders);
    for (name, text, _) in &files {
        if let Some(what) = secrets
            .iter()
            .find(|(value, _)| text.contains(value.as_str()))
        {
            return Err(ReproduceError::WouldLeak {
                file: name,
                what: what.1.clone(),
            });
        }
    }
    std::fs::create_dir_all(dir).map_err(|source| ReproduceError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    for (name, text, executable) in &files {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|source| ReproduceError::Write {
            path: path.clone(),
            source,
        })?;
        if *executable {
            set_executable(&path)?;
        }
    }
    if plan.client_certificate_files {
        write_client_certificate(dir, &plan)?;
    }
    let config = dir.join("mock-sts.toml");
    let mut summary = Vec::new();
    if let Some(s) = &plan.seen {
        summary.push(format!("seen: {} at {}", s.label, s.at));
    } else {
        summary.push("seen: no failure".to_string());
    }
    summary.push(write::verdict_line(&plan));
    summary.push(format!(
        "wrote {}: mock-sts.toml (tenant {}, {} app(s), {} user(s)), replay.sh ({} request(s)), fix.sh, README.md{}",
        dir.display(),
        plan.tenant_id,
        plan.apps.len(),
        plan.users.len(),
        plan.requests.len(),
        if plan.client_certificate_files {
            ", client-cert.pem and client-key.pem (made here: replay.sh signs client assertions with them)"
        } else {
            ""
        }
    ));
    summary.push(format!(
        "not carried over: secrets, cookies, codes and signatures; replaced: {} user name(s), {} object id(s)",
        plan.replaced_users, plan.replaced_ids
    ));
    if plan.reproduction.is_some() {
        summary.push(format!(
            "the fix to try: {}/README.md ({}/fix.sh)",
            dir.display(),
            dir.display()
        ));
    }
    Ok(Outcome {
        summary,
        command: plan.command(&config),
        reproduced: plan.reproduction.is_some() || plan.seen.is_none(),
    })
}

/// A fresh certificate and key for the client's assertions (never the client's own: a capture holds
/// neither), the key readable by the owner only.
fn write_client_certificate(dir: &Path, plan: &Plan) -> Result<(), ReproduceError> {
    let subject = plan
        .assertion_app()
        .map_or("keyprobe reproduce client", |a| a.display_name.as_str());
    let (cert, key) = assertion::fresh_certificate(subject).map_err(|e| ReproduceError::Write {
        path: dir.join(assertion::CERT_FILE),
        source: std::io::Error::other(e),
    })?;
    for (name, text) in [(assertion::CERT_FILE, cert), (assertion::KEY_FILE, key)] {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|source| ReproduceError::Write {
            path: path.clone(),
            source,
        })?;
    }
    set_private(&dir.join(assertion::KEY_FILE))
}

#[cfg(unix)]
fn set_private(path: &Path) -> Result<(), ReproduceError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|source| {
        ReproduceError::Write {
            path: path.to_path_buf(),
            source,
        }
    })
}

#[cfg(not(unix))]
fn set_private(_: &Path) -> Result<(), ReproduceError> {
    Ok(())
}

fn open(path: &str) -> Result<std::io::BufReader<std::fs::File>, ReproduceError> {
    std::fs::File::open(path)
        .map(|f| std::io::BufReader::with_capacity(1 << 16, f))
        .map_err(|source| ReproduceError::Read {
            path: path.to_string(),
            source,
        })
}

/// The input whole, up to [`MAX_INPUT_BYTES`].
fn read_input(path: &str) -> Result<Vec<u8>, ReproduceError> {
    let read_error = |source| ReproduceError::Read {
        path: path.to_string(),
        source,
    };
    let limit = MAX_INPUT_BYTES as u64 + 1;
    let mut bytes = Vec::new();
    if path == "-" {
        std::io::stdin()
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(read_error)?;
    } else {
        open(path)?
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(read_error)?;
    }
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(ReproduceError::TooLarge {
            path: path.to_string(),
            limit: MAX_INPUT_BYTES,
        });
    }
    Ok(bytes)
}

/// The requests to Entra's endpoints in a capture, read by the capture reader (without response
/// bodies), and the entry and URL of each key-set request (`…/keys?appid=…`: which app it was for); an
/// error after some entries keeps those before it.
fn requests_in(format: har::Format, input: impl Read) -> (Vec<Exchange>, Vec<(usize, String)>) {
    let mut exchanges = Vec::new();
    let mut key_sets = Vec::new();
    let mut meta = serde_json::Map::new();
    let _ = har::read(format, input, &mut meta, &mut |x: Exchange| {
        if replay::Endpoint::of(&x.url).is_some() && exchanges.len() < MAX_CAPTURE_ENTRIES {
            exchanges.push(Exchange { content: None, ..x });
        } else if key_sets.len() < MAX_CAPTURE_ENTRIES
            && url::Url::parse(&x.url).is_ok_and(|u| u.path().ends_with("/keys"))
        {
            key_sets.push((x.index, x.url));
        }
    });
    (exchanges, key_sets)
}

fn check_dir(dir: &Path, force: bool) -> Result<(), ReproduceError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() && !force {
                return Err(ReproduceError::NotEmpty {
                    dir: dir.to_path_buf(),
                });
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(_) if dir.exists() => Err(ReproduceError::NotADirectory {
            dir: dir.to_path_buf(),
        }),
        Err(source) => Err(ReproduceError::Write {
            path: dir.to_path_buf(),
            source,
        }),
    }
}

#[cfg(unix)]
fn set_executable(path: &Path) -> Result<(), ReproduceError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).map_err(|source| {
        ReproduceError::Write {
            path: path.to_path_buf(),
            source,
        }
    })
}

#[cfg(not(unix))]
fn set_executable(_: &Path) -> Result<(), ReproduceError> {
    Ok(())
}

/// Values of the input that must never be written, with what each is: credentials, codes, cookies,
/// signatures, and the users and object ids that were replaced.
fn never_written(exchanges: &[Exchange], placeholders: &Placeholders) -> Vec<(String, String)> {
    const SECRET_PARAMS: &[&str] = &[
        "client_secret",
        "client_assertion",
        "code",
        "code_verifier",
        "refresh_token",
        "assertion",
        "password",
        "Signature",
        "id_token_hint",
    ];
    let mut out: Vec<(String, String)> = Vec::new();
    let mut add = |value: &str, what: String| {
        // Short values (`code=1`) would match by chance; they carry no secret worth the name.
        if value.len() >= 8 && !out.iter().any(|(v, _)| v == value) {
            out.push((value.to_string(), what));
        }
    };
    for x in exchanges {
        let query: Vec<(String, String)> = url::Url::parse(&x.url)
            .map(|u| {
                u.query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        for (name, value) in query.iter().chain(&x.form()) {
            if SECRET_PARAMS.contains(&name.as_str()) {
                add(
                    value,
                    format!("the request parameter {name} of entry #{}", x.index),
                );
            }
        }
        for (name, value) in &x.request_headers {
            if name.eq_ignore_ascii_case("cookie") || name.eq_ignore_ascii_case("authorization") {
                for part in value.split(';') {
                    let v = part.split_once('=').map_or(part, |(_, v)| v).trim();
                    add(v, format!("the {name} header of entry #{}", x.index));
                }
            }
        }
        for (name, value) in &x.response_headers {
            if name.eq_ignore_ascii_case("set-cookie") {
                let first = value.split(';').next().unwrap_or_default();
                let v = first.split_once('=').map_or(first, |(_, v)| v).trim();
                add(v, format!("a cookie set in entry #{}", x.index));
            }
        }
    }
    for original in placeholders.originals() {
        add(original, "a user name or object id".to_string());
    }
    out
}
