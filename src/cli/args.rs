//! Flags, as one table: clap derives parsing, help and completions from it.

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "keyprobe",
    version,
    about = "Find what is wrong with the keys and certificates behind a sign-in failure",
    long_about = "keyprobe decodes tokens, key sets, metadata and certificates, verifies signatures against the keys \
you trust, and explains what is missing, expired, mismatched, weak or untrusted, in the words your stack prints \
(AADSTS…, IDX…, PyJWT, jose, Spring).\n\nExit status: 0 no error findings, 1 at least one error finding, 2 usage \
error or unreadable input/key source."
)]
/// The `keyprobe` command line.
pub struct Cli {
    #[command(subcommand)]
    /// The subcommand to run.
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inspect tokens, key sets, metadata, certificates or STS errors
    Inspect(Box<InspectArgs>),
    /// Explain a finding code, an Entra (AADSTS) or IdentityModel (IDX) code, a library's
    /// error name or a piece of its message, as copied from a log
    Explain(ExplainArgs),
    /// Write a copy of a HAR capture, SAML-tracer export, JSON document or log that is safe to
    /// attach to a ticket (cookies, credentials, codes, refresh tokens and signatures removed);
    /// what was removed is listed on standard error
    Redact {
        /// The file to redact (`-` for standard input)
        file: String,
        /// Where to write the copy [default: standard output]
        #[arg(short, long, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
    /// Write a mock-sts configuration that fails the way INPUT shows (a HAR or SAML-tracer capture,
    /// a saved error page, an app registration, a token or SAML message), a curl replay of its
    /// requests and the fix to try; the last line printed is the mock-sts command that starts it.
    /// Exit status 1 when the failure seen has no mock-sts scenario
    Reproduce(ReproduceArgs),
    /// Serve the inspector as a local page on 127.0.0.1 (nothing pasted leaves the machine)
    Serve(ServeArgs),
    /// Print a manual page (roff): keyprobe(1), or one command's; --dir writes them all
    Man(ManArgs),
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// A file, `-` for standard input, an http(s) URL of a document (fetched; a URL carrying a
    /// token or SAMLResponse is decoded, never fetched), or the value itself. With none, reads
    /// standard input; on a terminal it asks for a paste and reads it whole, at any length.
    pub inputs: Vec<String>,

    /// Trusted key set: a JWKS or a single JWK, as a file or an http(s) URL (fetched, and kept
    /// for --offline)
    #[arg(long, value_name = "SRC")]
    pub jwks: Vec<String>,
    /// Metadata whose keys you trust, file or http(s) URL: OIDC discovery (its jwks_uri is
    /// followed unless --jwks is given; its issuer is expected in tokens) or SAML metadata (its
    /// identity-provider signing certificates are trusted and its entityID is the expected
    /// issuer: the AADSTS50003 path)
    #[arg(long, value_name = "SRC")]
    pub metadata: Option<String>,
    /// Trusted certificate(s): PEM (one or a bundle) or DER
    #[arg(long, value_name = "FILE")]
    pub cert: Vec<String>,
    /// Trusted key: PEM/DER public key, a certificate, or a JWK (an `oct` JWK for HMAC)
    #[arg(long, value_name = "FILE")]
    pub key: Vec<String>,

    /// Expected issuer (`iss`)
    #[arg(long, value_name = "ISS")]
    pub issuer: Option<String>,
    /// Expected audience (`aud` must contain it)
    #[arg(long, value_name = "AUD")]
    pub audience: Option<String>,
    /// The clock for every time check: RFC 3339 or Unix seconds [default: now]
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Seconds of clock skew allowed for token lifetimes
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub leeway: u32,
    /// Warn about certificates expiring within this many days
    #[arg(long = "expiry-warning", value_name = "DAYS", default_value_t = 30)]
    pub expiry_warning: u32,
    /// Report weak keys (RSA < 2048, short HMAC keys, SHA-1) as warnings instead of errors
    #[arg(long)]
    pub allow_legacy: bool,

    /// Entra tenant (GUID or verified domain): use its discovery document as --metadata
    #[arg(long, value_name = "ID|DOMAIN", conflicts_with = "metadata")]
    pub tenant: Option<String>,
    /// Authority for --tenant
    #[arg(
        long,
        value_name = "URL",
        default_value = "https://login.microsoftonline.com",
        requires = "tenant"
    )]
    pub authority: String,
    /// With --tenant: the v1 discovery document (issuer https://sts.windows.net/{tid}/)
    #[arg(long, requires = "tenant")]
    pub v1: bool,
    /// With --tenant: the app's own signing keys (?appid=), for apps with custom signing keys
    #[arg(long, value_name = "APPID", requires = "tenant")]
    pub appid: Option<String>,

    /// Never touch the network: answer URLs from the cache of earlier fetches, the latest unless
    /// --replay picks one (exit 2 when not cached)
    #[arg(long)]
    pub offline: bool,
    /// Replay one earlier fetch of each URL (implies --offline): the one whose sha256 the report
    /// listed (8 or more hex digits), or the latest made at or before a time (RFC 3339 or Unix
    /// seconds)
    #[arg(long, value_name = "SHA256|TIME")]
    pub replay: Option<String>,
    /// Extra CA certificate(s) (PEM) to trust for HTTPS, beside the system roots
    #[arg(long, value_name = "FILE")]
    pub cacert: Vec<std::path::PathBuf>,
    /// Seconds one fetch may take, connection to last byte
    #[arg(long, value_name = "SECS", default_value_t = crate::fetch::DEFAULT_TIMEOUT_SECS)]
    pub timeout: u64,
    /// Where fetched documents are kept for --offline replay [default: $XDG_CACHE_HOME/keyprobe]
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<std::path::PathBuf>,

    /// Print JSON (JSON Lines with --lines)
    #[arg(long)]
    pub json: bool,
    /// Treat each line of each input as one input (batch mode)
    #[arg(long)]
    pub lines: bool,
}

#[derive(Debug, Args)]
pub struct ReproduceArgs {
    /// The capture or artifact showing the failure (`-` for standard input)
    #[arg(value_name = "INPUT")]
    pub input: String,
    /// Directory for mock-sts.toml, replay.sh, fix.sh and README.md; refused when it exists and
    /// is not empty, unless --force
    #[arg(short, long, value_name = "DIR", default_value = crate::reproduce::DEFAULT_DIR)]
    pub output: std::path::PathBuf,
    /// Write into DIR even when it is not empty (its files of the same names are replaced)
    #[arg(long)]
    pub force: bool,
    /// Metadata the relying party trusts (file or http(s) URL), as for inspect: a token or SAML
    /// response given with it shows the relying party's failure (key-not-found, cert-expired)
    #[arg(long, value_name = "SRC")]
    pub metadata: Option<String>,
    /// The key set the relying party trusts (file or http(s) URL), as for inspect
    #[arg(long, value_name = "SRC")]
    pub jwks: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// What to explain, as copied: key-not-found, AADSTS50003, 50003, IDX10503:,
    /// ERR_JWKS_NO_MATCHING_KEY, or message text ("Unable to find a signing key that matches")
    #[arg(
        value_name = "CODE|TEXT",
        num_args = 0..,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        hide_possible_values = true,
        value_parser = super::complete::ExplainNames,
        required_unless_present = "list"
    )]
    pub query: Vec<String>,
    /// List every code and name there is a page for
    #[arg(long, conflicts_with = "query")]
    pub list: bool,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print (inspect, explain, …) [default: keyprobe(1)]
    #[arg(value_name = "COMMAND")]
    pub command: Option<String>,
    /// Write every page (keyprobe.1, keyprobe-inspect.1, …) into this directory
    #[arg(long, value_name = "DIR", conflicts_with = "command")]
    pub dir: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on (0 picks a free one)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Address to listen on; anything but loopback makes pasted tokens cross the network
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Open the page in the default browser
    #[arg(long)]
    pub open: bool,
    /// Extra CA certificate(s) (PEM) to trust when fetching key-source URLs
    #[arg(long, value_name = "FILE")]
    pub cacert: Vec<std::path::PathBuf>,
    /// Never fetch: key-source URLs are answered from the cache only
    #[arg(long)]
    pub offline: bool,
    /// Where fetched documents are kept [default: $XDG_CACHE_HOME/keyprobe]
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<std::path::PathBuf>,
    /// Seconds a client may take to send a request's headers, and then its body; a half-sent
    /// request is closed after this
    #[arg(long, value_name = "SECS", default_value_t = crate::serve::READ_TIMEOUT.as_secs())]
    pub read_timeout: u64,
}
