//! Fetching against servers on loopback: discovery → JWKS over HTTPS with a test CA, the cache and
//! `--offline` replay, rotation seen from the cache, and hostile servers that must end in bounded
//! time with exit 2 and a one-line reason.

mod common;
#[path = "common/server.rs"]
mod server;

use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};
use server::{Reply, Server};

fn fixture(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

/// Entra-shaped discovery (issuer template) whose jwks_uri points back at `server`.
fn discovery_for(server: &Server) -> Vec<u8> {
    let mut doc: Value = serde_json::from_str(&fixture(
        "testdata/metadata/common-openid-configuration.json",
    ))
    .unwrap();
    doc["jwks_uri"] = json!(server.url("/keys"));
    serde_json::to_vec(&doc).unwrap()
}

fn with_cache<'a>(args: &mut Vec<&'a str>, cache: &'a str) {
    args.extend_from_slice(&["--cache-dir", cache]);
}

#[test]
fn discovery_then_jwks_over_https_then_offline_replay() {
    let server = Server::https();
    server.route(
        "/tenant/v2.0/.well-known/openid-configuration",
        Reply::Ok("application/json", discovery_for(&server)),
    );
    server.route(
        "/keys",
        Reply::Ok(
            "application/json",
            fixture("testdata/keys/jwks-rotated.json").into_bytes(),
        ),
    );
    // Outlives the server: the cache and CA must still be there for the offline replay.
    let keep = std::env::temp_dir().join(format!("keyprobe-replay-{}", std::process::id()));
    std::fs::create_dir_all(&keep).unwrap();
    let cache_dir = keep.join("cache");
    let cache = cache_dir.to_str().unwrap().to_string();
    let ca_path = keep.join("ca.pem");
    std::fs::copy(server.ca_pem.as_ref().unwrap(), &ca_path).unwrap();
    let ca = ca_path.to_str().unwrap().to_string();
    let metadata = server.url("/tenant/v2.0/.well-known/openid-configuration");

    let mut args = vec![
        "testdata/tokens/rs256-valid.jwt",
        "--metadata",
        &metadata,
        "--cacert",
        &ca,
    ];
    with_cache(&mut args, &cache);
    let online = inspect(&args);
    assert_eq!(
        online.json()["verdict"],
        "ok",
        "{}\n{}",
        online.stdout,
        online.stderr
    );
    let fetched = online.json()["fetched"].as_array().unwrap().clone();
    assert_eq!(
        fetched.len(),
        2,
        "discovery and JWKS are listed: {fetched:?}"
    );
    assert_eq!(fetched[1]["url"], server.url("/keys"));
    assert_eq!(fetched[1]["sha256"].as_str().unwrap().len(), 64);

    // The server goes away; --offline gives the same diagnosis from the cache.
    drop(server);
    let mut offline_args = args.clone();
    offline_args.push("--offline");
    let offline = inspect(&offline_args);
    assert_eq!(offline.code, 0, "{}", offline.stderr);
    assert_eq!(offline.json()["findings"], online.json()["findings"]);
    assert_eq!(offline.json()["decoded"], online.json()["decoded"]);
    assert_eq!(offline.json()["fetched"][0]["from_cache"], true);
    let _ = std::fs::remove_dir_all(keep);
}

#[test]
fn offline_without_a_cached_copy_is_exit_2() {
    let server = Server::http();
    let cache = server.scratch("empty-cache");
    let run = inspect(&[
        "testdata/tokens/rs256-valid.jwt",
        "--metadata",
        &server.url("/x"),
        "--offline",
        "--cache-dir",
        cache.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("not in the cache"), "{}", run.stderr);
}

#[test]
fn https_without_the_ca_says_how_to_trust_it() {
    let server = Server::https();
    server.route(
        "/keys",
        Reply::Ok(
            "application/json",
            fixture("testdata/keys/jwks.json").into_bytes(),
        ),
    );
    let cache = server.scratch("c");
    let run = inspect(&[
        "testdata/tokens/rs256-valid.jwt",
        "--jwks",
        &server.url("/keys"),
        "--cache-dir",
        cache.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("--cacert"), "{}", run.stderr);
    assert_eq!(run.stderr.trim().lines().count(), 1);
}

#[test]
fn rotation_is_recognised_from_earlier_fetches() {
    let server = Server::http();
    let both = fixture("testdata/keys/jwks-rotated.json");
    let mut only_new: Value = serde_json::from_str(&both).unwrap();
    only_new["keys"].as_array_mut().unwrap().truncate(1);
    let cache = server.scratch("rot");
    let cache = cache.to_str().unwrap();
    let keys = server.url("/keys");

    server.route("/keys", Reply::Ok("application/json", both.into_bytes()));
    let before = inspect(&[
        "testdata/tokens/rs256-valid.jwt",
        "--jwks",
        &keys,
        "--cache-dir",
        cache,
    ]);
    assert_eq!(before.json()["verdict"], "ok", "{}", before.stdout);

    server.route(
        "/keys",
        Reply::Ok("application/json", serde_json::to_vec(&only_new).unwrap()),
    );
    let after = inspect(&[
        "testdata/tokens/rs256-valid.jwt",
        "--jwks",
        &keys,
        "--cache-dir",
        cache,
    ]);
    assert_finding(&after, "key-not-found", "error", 1);
    let f = &after.json()["findings"][0];
    assert!(
        f["message"].as_str().unwrap().contains("rotated it out"),
        "{}",
        f["message"]
    );
    assert_eq!(f["evidence"]["retired"]["url"], keys);
}

#[test]
fn tenant_shortcut_builds_the_discovery_url() {
    let server = Server::https();
    server.route(
        "/contoso.example/v2.0/.well-known/openid-configuration",
        Reply::Ok("application/json", discovery_for(&server)),
    );
    server.route(
        "/keys",
        Reply::Ok(
            "application/json",
            fixture("testdata/keys/jwks-rotated.json").into_bytes(),
        ),
    );
    let cache = server.scratch("t");
    let run = inspect(&[
        "testdata/tokens/rs256-valid.jwt",
        "--tenant",
        "contoso.example",
        "--authority",
        &server.base,
        "--cacert",
        server.ca_pem.as_ref().unwrap().to_str().unwrap(),
        "--cache-dir",
        cache.to_str().unwrap(),
    ]);
    assert_eq!(
        run.json()["verdict"],
        "ok",
        "{}\n{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn url_input_is_fetched_and_redirects_are_followed() {
    let server = Server::http();
    server.route("/old", Reply::Redirect(server.url("/keys")));
    server.route(
        "/keys",
        Reply::Ok(
            "application/json",
            fixture("testdata/keys/jwks-duplicate-kid.json").into_bytes(),
        ),
    );
    let cache = server.scratch("u");
    let run = inspect(&[&server.url("/old"), "--cache-dir", cache.to_str().unwrap()]);
    assert_eq!(run.json()["kind"], "jwks");
    assert_finding(&run, "duplicate-kid", "warning", 0);
}

/// Each hostile reply ends in exit 2 with a one-line reason, well within the timeout.
#[test]
fn hostile_servers_end_in_bounded_time() {
    let server = Server::http();
    let mut thousands = Vec::new();
    let one: Value = serde_json::from_str(&fixture("testdata/keys/jwks.json")).unwrap();
    for _ in 0..5000 {
        thousands.push(one["keys"][1].clone());
    }
    server.route("/loop", Reply::Redirect("/loop".into()));
    server.route("/endless", Reply::Endless);
    server.route("/slow", Reply::Slow(Duration::from_secs(6), b"{}".to_vec()));
    server.route(
        "/html",
        Reply::Ok(
            "text/html",
            b"<!DOCTYPE html><html><body>Sign in</body></html>".to_vec(),
        ),
    );
    server.route(
        "/gzip",
        Reply::GzipBomb(server::gzip_of_zeros(64 * 1024 * 1024)),
    );
    server.route(
        "/many",
        Reply::Ok(
            "application/json",
            serde_json::to_vec(&json!({"keys": thousands})).unwrap(),
        ),
    );
    server.route(
        "/gone",
        Reply::Status(404, b"<html>Not Found</html>".to_vec()),
    );
    let cache = server.scratch("h");
    let cache = cache.to_str().unwrap();
    for (path, expect) in [
        ("/loop", "redirects"),
        ("/endless", "byte limit"),
        ("/slow", "timed out"),
        ("/html", "HTML page"),
        ("/gzip", "not a JSON key set"),
        ("/many", "key limit"),
        ("/gone", "HTTP 404"),
    ] {
        let started = Instant::now();
        let run = inspect(&[
            "testdata/tokens/rs256-valid.jwt",
            "--jwks",
            &server.url(path),
            "--timeout",
            "3",
            "--cache-dir",
            cache,
        ]);
        assert_eq!(run.code, 2, "{path}: {}", run.stdout);
        assert!(
            run.stderr.contains(expect),
            "{path}: expected '{expect}' in: {}",
            run.stderr
        );
        assert_eq!(
            run.stderr.trim().lines().count(),
            1,
            "{path}: one line: {}",
            run.stderr
        );
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{path} took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn a_saml_url_is_never_fetched() {
    let run = inspect(&["https://127.0.0.1:9/sso?SAMLRequest=fZJNb9swDIb%2F"]);
    assert_ne!(run.code, 2, "decoded, not fetched: {}", run.stderr);
}

#[test]
fn replay_picks_an_earlier_fetch_by_sha256_or_time() {
    let server = Server::http();
    let both = fixture("testdata/keys/jwks-rotated.json");
    let mut only_new: Value = serde_json::from_str(&both).unwrap();
    only_new["keys"].as_array_mut().unwrap().truncate(1);
    let cache = server.scratch("replay");
    let cache = cache.to_str().unwrap();
    let keys = server.url("/keys");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "testdata/tokens/rs256-valid.jwt",
            "--jwks",
            &keys,
            "--cache-dir",
            cache,
        ];
        args.extend_from_slice(extra);
        inspect(&args)
    };

    server.route("/keys", Reply::Ok("application/json", both.into_bytes()));
    let first = run(&[]);
    assert_eq!(first.json()["verdict"], "ok", "{}", first.stdout);
    let first_sha = first.json()["fetched"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let first_at = first.json()["fetched"][0]["fetched_at"]
        .as_str()
        .unwrap()
        .to_string();
    // Cache entries are told apart by the second they were fetched in.
    std::thread::sleep(Duration::from_millis(1100));
    server.route(
        "/keys",
        Reply::Ok("application/json", serde_json::to_vec(&only_new).unwrap()),
    );
    let second = run(&[]);
    assert_finding(&second, "key-not-found", "error", 1);
    let second_sha = second.json()["fetched"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    // The server keeps its scratch directory (the cache) alive; --replay never reaches it.
    server.route("/keys", Reply::Status(500, b"gone".to_vec()));

    // The ticket's diagnosis, replayed from the key set fetched then: by sha256 or by time.
    for pick in [&first_sha[..12], first_sha.as_str(), first_at.as_str()] {
        let replayed = run(&["--replay", pick]);
        assert_eq!(
            replayed.json()["verdict"],
            "ok",
            "--replay {pick}: {}",
            replayed.stderr
        );
        assert_eq!(replayed.json()["fetched"][0]["sha256"], first_sha.as_str());
        assert_eq!(replayed.json()["fetched"][0]["from_cache"], true);
    }
    let latest = run(&["--replay", &second_sha[..8]]);
    assert_finding(&latest, "key-not-found", "error", 1);

    let unknown = run(&["--replay", "deadbeefcafe"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("no document in the cache"),
        "{}",
        unknown.stderr
    );
    let too_early = run(&["--replay", "2001-01-01T00:00:00Z"]);
    assert_eq!(too_early.code, 2);
    assert!(too_early.stderr.contains("cached:"), "{}", too_early.stderr);
}

/// With no HOME, the cache would sit in the shared temporary directory, where another user can
/// plant a key set for `--offline` to trust. Such a directory is refused, whatever its name.
#[test]
fn a_cache_planted_in_the_shared_temp_dir_is_not_trusted() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let server = Server::http();
    server.route(
        "/keys",
        Reply::Ok(
            "application/json",
            fixture("testdata/keys/jwks.json").into_bytes(),
        ),
    );
    let jwks = server.url("/keys");
    // The "attacker" fetches the key set into a cache of their own, then plants it.
    let made = server.scratch("made");
    let run = inspect(&[
        "testdata/tokens/rs256-valid.jwt",
        "--jwks",
        &jwks,
        "--cache-dir",
        made.to_str().unwrap(),
    ]);
    assert_eq!(run.json()["verdict"], "ok", "{}", run.stderr);
    let tmp = server.scratch("shared-tmp");
    let uid = std::fs::metadata(&tmp).unwrap().uid();
    for name in [
        "keyprobe-cache".to_string(),
        format!("keyprobe-cache-{uid}"),
    ] {
        let planted = tmp.join(name);
        std::fs::create_dir_all(&planted).unwrap();
        for entry in std::fs::read_dir(&made).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), planted.join(entry.file_name())).unwrap();
        }
        std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    // (The server stays up, so that only --offline keeps keyprobe from asking it.)
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_keyprobe"))
        .args([
            "inspect",
            "--json",
            "--at",
            AT,
            "testdata/tokens/rs256-valid.jwt",
            "--jwks",
            &jwks,
            "--offline",
        ])
        .current_dir(root())
        .env_remove("HOME")
        .env_remove("XDG_CACHE_HOME")
        .env_remove("KEYPROBE_CACHE")
        .env("TMPDIR", &tmp)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("not trusted") && stderr.contains("mode 777"),
        "{stderr}"
    );
    assert!(!stdout.contains("signature-verified"), "{stdout}");
}
