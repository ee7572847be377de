//! Issue 13, item 8: a pasted URL that carries a credential (`code=`, `id_token=`, `access_token=`,
//! a SAML parameter; any case; query or fragment) is decoded, never sent to its host. A loopback
//! listener stands in for the host and must see no connection.

mod common;

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::*;

/// A listener on a free loopback port counting the connections it is offered.
struct Host {
    port: u16,
    connections: Arc<AtomicUsize>,
}

impl Host {
    fn start() -> Host {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let seen = connections.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                seen.fetch_add(1, Ordering::SeqCst);
                drop(stream);
            }
        });
        Host { port, connections }
    }

    fn url(&self, rest: &str) -> String {
        format!("http://127.0.0.1:{}{rest}", self.port)
    }

    #[track_caller]
    fn assert_untouched(&self) {
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(
            self.connections.load(Ordering::SeqCst),
            0,
            "the URL was fetched"
        );
    }
}

fn token() -> String {
    std::fs::read_to_string(root().join("testdata/tokens/rs256-valid.jwt"))
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn a_redirect_with_an_id_token_in_the_fragment_is_decoded_not_fetched() {
    let host = Host::start();
    let jwks = root().join("testdata/keys/jwks.json");
    for name in ["id_token", "ID_TOKEN", "Access_Token"] {
        let url = host.url(&format!("/signin-oidc?state=1#{name}={}", token()));
        let run = inspect(&["--jwks", jwks.to_str().unwrap(), &url]);
        let report = run.json();
        assert_eq!(report["kind"], "jwt", "{}", run.stdout);
        assert!(
            codes_of(&report).iter().any(|c| c == "signature-verified"),
            "{}",
            run.stdout
        );
    }
    host.assert_untouched();
}

#[test]
fn an_authorization_code_in_the_query_is_never_sent_to_its_host() {
    let host = Host::start();
    for query in [
        "?code=0.AXoA-secret&state=1",
        "?Code=0.AXoA-secret",
        "?%63ode=x",
    ] {
        let url = host.url(&format!("/callback{query}"));
        let run = inspect(&[&url]);
        // SPEC: what keyprobe cannot verify is at least a warning (exit 0 when nothing is an error).
        let report = run.json();
        assert_eq!(report["verdict"], "warning", "{}", run.stdout);
        assert!(run.stdout.contains("not fetched"), "{}", run.stdout);
        assert!(
            !run.stdout.contains("0.AXoA-secret"),
            "the code is not echoed"
        );
    }
    host.assert_untouched();
}

#[test]
fn a_key_source_url_carrying_a_credential_is_refused() {
    let host = Host::start();
    let url = host.url("/keys?access_token=abc");
    let run = inspect(&["--jwks", &url, &token()]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("carries a credential (access_token)"),
        "{}",
        run.stderr
    );
    host.assert_untouched();
}
