//! The Rust helper, written as a user's test would be: a fresh mock-sts in-process per test, a real HTTP
//! client, a scenario switch, and a taken port failing at once with the port named. Needs no binary, no
//! ready file: `Server::start_blocking` returns once the socket accepts connections.

use mock_sts::{Options, Scenario, Server, StartError};
use serde_json::Value;

const CLIENT_ID: &str = "4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8"; // the default configuration's app
const CLIENT_SECRET: &str = "mock~Secret.ForTests_0123456789abcdefghijkl";

/// Keys kept across tests: only the first start makes them.
fn options() -> Options {
    Options {
        state_dir: Some(
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("mock-sts-example-state"),
        ),
        ..Options::default() // embedded configuration, 127.0.0.1, a free port, plain HTTP, healthy
    }
}

fn client_credentials_token(agent: &ureq::Agent, authority: &str) -> String {
    let scope = format!("api://{CLIENT_ID}/.default");
    let answer: Value = agent
        .post(format!("{authority}/oauth2/v2.0/token"))
        .send_form([
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("scope", scope.as_str()),
        ])
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    answer["access_token"].as_str().unwrap().to_string()
}

/// The token's `kid`, and whether the published key set holds it (what a relying party looks up).
fn kid_is_published(agent: &ureq::Agent, authority: &str, token: &str) -> bool {
    use base64::Engine;
    let header = token.split('.').next().unwrap();
    let header: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(header)
            .unwrap(),
    )
    .unwrap();
    let jwks: Value = agent
        .get(format!("{authority}/discovery/v2.0/keys"))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .any(|key| key["kid"] == header["kid"])
}

#[test]
fn a_token_key_is_published_until_the_scenario_unpublishes_it() {
    let server = Server::start_blocking(options()).unwrap();
    let authority = format!("{}/{}", server.base_url(), server.tenant_id());
    let agent = ureq::Agent::new_with_defaults();

    let token = client_credentials_token(&agent, &authority);
    assert!(kid_is_published(&agent, &authority, &token));

    assert_eq!(
        server.set_scenario(Scenario::UnpublishedSigningKey),
        Scenario::Healthy
    );
    let token = client_credentials_token(&agent, &authority);
    assert!(
        !kid_is_published(&agent, &authority, &token),
        "kid not found, as a relying party sees it"
    );
    server.shutdown();
}

#[tokio::test(flavor = "multi_thread")]
async fn each_test_gets_a_fresh_server_in_healthy() {
    let server = Server::start(options()).await.unwrap();
    assert_eq!(server.scenario(), Scenario::Healthy);
    server.shutdown().await;
}

#[test]
fn a_taken_port_fails_at_once_naming_it() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let started = std::time::Instant::now();
    let result = Server::start_blocking(Options { port, ..options() });
    let Err(error) = result else {
        panic!("started on a taken port")
    };
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    match &error {
        StartError::Bind { addr, source } => {
            assert_eq!(addr.port(), port);
            assert_eq!(source.kind(), std::io::ErrorKind::AddrInUse);
        }
        other => panic!("{other}"),
    }
    assert!(error.to_string().contains(&format!("127.0.0.1:{port}")));
}
