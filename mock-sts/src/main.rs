//! The `mock-sts` command: parse flags, start the server, print the readiness line, stop on SIGINT/SIGTERM.

#![forbid(unsafe_code)]
// Library and binary code never unwraps or expects: input is hostile and a panic is a crash (tests may).
#![deny(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::TypedValueParser;
use clap::Parser;
use mock_sts::LoadedConfig;
use mock_sts::{Options, Scenario, Server, StartError};

mod background;

/// A local look-alike of Microsoft Entra ID's token service (OIDC, OAuth 2.0, SAML 2.0 sign-in
/// and federation metadata) that fails on demand, AADSTS50003 first.
#[derive(Debug, Parser)]
#[command(name = "mock-sts", version)]
struct Cli {
    /// TOML configuration (tenants, apps, users); the embedded default when omitted.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address to listen on. Anything but loopback exposes test credentials to the network.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Port; 0 picks a free one (read it from the first line of output).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Serve HTTPS with a local CA kept in the state directory; its path is printed on the second line.
    #[arg(long)]
    tls: bool,
    /// Where keys and certificates are kept [default: $XDG_STATE_HOME/mock-sts or ~/.local/state/mock-sts].
    #[arg(long, value_name = "DIR")]
    state_dir: Option<PathBuf>,
    /// The URL clients reach the server by, when not the bound address (e.g. http://mock-sts:8080 in a
    /// container network): the base of every URL the mock writes, and the only name the control API
    /// answers for besides the bound address.
    #[arg(long, value_name = "URL", env = "MOCK_STS_PUBLIC_URL")]
    public_url: Option<String>,
    /// Scenario in force at start (switch at run time with `PUT /_mock/scenario`).
    #[arg(
        long,
        value_name = "NAME",
        default_value = "healthy",
        env = "MOCK_STS_SCENARIO",
        value_parser = scenario_parser()
    )]
    scenario: Scenario,
    /// Once serving, write FILE (replaced whole, removed at exit) with KEY=VALUE lines: MOCK_STS_URL,
    /// MOCK_STS_CA (with --tls), MOCK_STS_TENANT, MOCK_STS_PID. For scripts and test helpers.
    #[arg(long, value_name = "FILE")]
    ready_file: Option<PathBuf>,
    /// Start in the background and return once the server accepts connections, printing the ready file's
    /// lines and MOCK_STS_LOG; when it cannot start (a port in use, a bad configuration), print why and
    /// exit non-zero. Stop it with `kill $MOCK_STS_PID`.
    #[arg(long)]
    detach: bool,
    /// Internal (`--detach` without `--ready-file`): the private directory made for the ready file and
    /// log, removed when the server stops.
    #[arg(long, value_name = "DIR", hide = true)]
    remove_dir_on_exit: Option<PathBuf>,
    /// Print a shell completion script for SHELL and exit.
    #[arg(long, value_name = "SHELL", value_enum)]
    completions: Option<clap_complete::Shell>,
    /// Print the embedded default configuration (TOML, runs as it is with --config) and exit.
    #[arg(long)]
    print_config: bool,
    /// Print the manual page (roff) generated from these flags and exit: `mock-sts --man > mock-sts.1`.
    #[arg(long)]
    man: bool,
}

/// `--scenario` takes the names of the one scenario table, so help, completions and the error for an
/// unknown name list every scenario there is.
fn scenario_parser() -> impl TypedValueParser<Value = Scenario> {
    clap::builder::PossibleValuesParser::new(Scenario::ALL.map(Scenario::name))
        .try_map(|name| name.parse::<Scenario>())
}

fn main() -> ExitCode {
    // OpenSSL initialised first, without its exit-time cleanup: keys made on background threads may still
    // be inside OpenSSL when the process exits, and a cleanup under them crashes the exit.
    openssl::init();
    let cli = Cli::parse();
    if let Some(shell) = cli.completions {
        use clap::CommandFactory;
        clap_complete::generate(
            shell,
            &mut Cli::command(),
            "mock-sts",
            &mut std::io::stdout(),
        );
        return ExitCode::SUCCESS;
    }
    if cli.man {
        return man_page();
    }
    if cli.print_config {
        let mut stdout = std::io::stdout().lock();
        return match stdout
            .write_all(mock_sts::DEFAULT_CONFIG.as_bytes())
            .and_then(|()| stdout.flush())
        {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("mock-sts: cannot write the configuration: {err}");
                ExitCode::from(2)
            }
        };
    }
    if cli.detach {
        return background::detach(cli.ready_file.as_deref());
    }
    if let Some(path) = &cli.ready_file {
        if let Err(err) = background::remove_stale(path) {
            eprintln!(
                "mock-sts: cannot remove the old ready file {}: {err}",
                path.display()
            );
            return ExitCode::from(2);
        }
    }
    let config = match &cli.config {
        Some(path) => LoadedConfig::from_file(path),
        None => LoadedConfig::embedded_default(),
    };
    let config = match config {
        Ok(config) => config,
        Err(err) => {
            eprintln!("mock-sts: bad configuration: {err}");
            return ExitCode::from(2);
        }
    };
    if !cli.bind.is_loopback() {
        eprintln!(
            "mock-sts: WARNING: listening on {} makes this mock identity provider, its test secrets and its signing keys reachable from the network; use 127.0.0.1 unless you mean it",
            cli.bind
        );
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("mock-sts: cannot start the runtime: {err}");
            return ExitCode::from(1);
        }
    };
    let options = Options {
        config: Some(config),
        bind: cli.bind,
        port: cli.port,
        tls: cli.tls,
        state_dir: cli.state_dir,
        public_url: cli.public_url,
        scenario: cli.scenario,
        ..Options::default()
    };
    runtime.block_on(serve(options, cli.ready_file, cli.remove_dir_on_exit))
}

/// The manual page (roff), generated from the flags.
fn man_page() -> ExitCode {
    use clap::CommandFactory;
    match clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("mock-sts: cannot write the manual page: {err}");
            ExitCode::from(2)
        }
    }
}

/// Start, print the readiness line (and the CA's path), write the ready file, serve until SIGINT or
/// SIGTERM.
/// After a stop, `remove_dir` (`--detach`'s private directory) goes too; a server that could not start
/// leaves it to `--detach`, which prints the log first.
async fn serve(
    options: Options,
    ready_file: Option<PathBuf>,
    remove_dir: Option<PathBuf>,
) -> ExitCode {
    // Caught from before the readiness line: a stop sent as soon as the line is read is graceful.
    let stop = StopSignals::install();
    let server = match Server::start(options).await {
        Ok(server) => server,
        Err(err) => {
            eprintln!("mock-sts: {err}");
            if let StartError::Bind { addr, source } = &err {
                if source.kind() == std::io::ErrorKind::AddrInUse {
                    eprintln!(
                        "mock-sts: port {} is taken; choose another, or --port 0 for any free one",
                        addr.port()
                    );
                }
            }
            return ExitCode::from(1);
        }
    };
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "mock-sts listening on {}", server.base_url());
    if let Some(ca) = server.ca_pem_path() {
        let _ = writeln!(stdout, "mock-sts CA certificate: {}", ca.display());
    }
    let _ = stdout.flush();
    drop(stdout);
    if let Some(path) = &ready_file {
        let ready = background::Ready {
            url: server.base_url(),
            ca: server.ca_pem_path(),
            tenant: server.tenant_id(),
        };
        if let Err(err) = ready.write(path) {
            eprintln!(
                "mock-sts: cannot write the ready file {}: {err}",
                path.display()
            );
            server.shutdown().await;
            return ExitCode::from(1);
        }
    }
    stop.wait().await;
    eprintln!("mock-sts: shutting down");
    server.shutdown().await;
    if let Some(path) = &ready_file {
        let _ = std::fs::remove_file(path);
    }
    if let Some(dir) = &remove_dir {
        background::remove_private_dir(dir);
    }
    ExitCode::SUCCESS
}

/// SIGINT and SIGTERM, with their handlers installed when made (tokio's `ctrl_c()` installs its own
/// only when first awaited, which is too late for a stop that follows the readiness line at once).
struct StopSignals {
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
}

impl StopSignals {
    fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            StopSignals {
                interrupt: signal(SignalKind::interrupt()).ok(),
                terminate: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        {
            StopSignals {}
        }
    }

    async fn wait(self) {
        #[cfg(unix)]
        {
            match (self.interrupt, self.terminate) {
                (Some(mut interrupt), Some(mut terminate)) => {
                    tokio::select! {
                        _ = interrupt.recv() => {}
                        _ = terminate.recv() => {}
                    }
                }
                (Some(mut only), None) | (None, Some(mut only)) => {
                    only.recv().await;
                }
                (None, None) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
