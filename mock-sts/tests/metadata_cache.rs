//! Discovery, key sets and federation metadata are served from kept bytes: the same bytes and headers on
//! every request while nothing changes, and a new document after each way the content can change (key
//! rotation, the server-wide scenario, a tenant's scenario, SAML certificates in the control API). The
//! clock-driven case (a SAML certificate expiring) is covered by the unit tests of `metadata_cache` and
//! `AppKeys::next_change_after`, which take the time as an argument.

mod common;
mod saml_support;

use common::*;
use mock_sts::Scenario;
use saml_support::metadata_certificates;
use serde_json::json;

/// Every metadata URL a client may ask for, in each shape the cache keys apart.
fn metadata_paths() -> Vec<String> {
    let mut paths = Vec::new();
    for segment in [
        TENANT,
        "contoso.onmicrosoft.com",
        "common",
        "organizations",
        "consumers",
    ] {
        for query in [
            String::new(),
            format!("?appid={WEB_APP}"),
            "?appid=not-an-app".to_string(),
        ] {
            paths.push(format!(
                "/{segment}/v2.0/.well-known/openid-configuration{query}"
            ));
            paths.push(format!(
                "/{segment}/.well-known/openid-configuration{query}"
            ));
            paths.push(format!("/{segment}/discovery/v2.0/keys{query}"));
            paths.push(format!("/{segment}/discovery/keys{query}"));
        }
        paths.push(format!(
            "/{segment}/federationmetadata/2007-06/federationmetadata.xml"
        ));
    }
    paths.push(format!(
        "/{TENANT}/federationmetadata/2007-06/federationmetadata.xml?appid={SAML_APP}"
    ));
    paths.push(format!(
        "/common/federationmetadata/2007-06/federationmetadata.xml?appid={SAML_APP}"
    ));
    paths
}

/// The headers that describe the document (not the per-request ids).
fn document_headers(reply: &Reply) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = reply
        .headers
        .iter()
        .filter(|(name, _)| {
            !matches!(
                name.to_ascii_lowercase().as_str(),
                "x-ms-request-id" | "client-request-id" | "date"
            )
        })
        .cloned()
        .collect();
    headers.sort();
    headers
}

#[test]
fn the_same_bytes_and_headers_are_served_while_nothing_changes() {
    let mock = Mock::start();
    for path in metadata_paths() {
        let first = mock.get(&path);
        assert_eq!(first.status, 200, "{path}: {}", first.text);
        for _ in 0..2 {
            let again = mock.get(&path);
            assert_eq!(again.text, first.text, "{path}");
            assert_eq!(document_headers(&again), document_headers(&first), "{path}");
        }
        assert_eq!(
            first.header("cache-control"),
            Some("max-age=86400, private"),
            "{path}"
        );
        assert!(first.header("etag").is_none(), "{path}: Entra sends none");
    }
    // A domain and the tenant's GUID are the same document; an appid that names no app echoes in
    // discovery and leaves the key set the tenant's.
    assert_eq!(
        mock.get("/contoso.onmicrosoft.com/discovery/v2.0/keys")
            .text,
        mock.get(&format!("/{TENANT}/discovery/v2.0/keys")).text
    );
    let unknown = mock
        .get(&format!(
            "/{TENANT}/v2.0/.well-known/openid-configuration?appid=x%26y"
        ))
        .json();
    assert!(
        unknown["jwks_uri"]
            .as_str()
            .unwrap()
            .ends_with("/keys?appid=x%26y"),
        "{unknown}"
    );
    assert_eq!(
        mock.get(&format!("/{TENANT}/discovery/v2.0/keys?appid=not-an-app"))
            .text,
        mock.get(&format!("/{TENANT}/discovery/v2.0/keys")).text
    );
}

#[test]
fn kept_documents_match_a_fresh_server_byte_for_byte() {
    // Same state directory, so the same keys: a server that has cached nothing makes the same JSON.
    let warm = Mock::start();
    let json_paths: Vec<String> = metadata_paths()
        .into_iter()
        .filter(|p| !p.contains("federationmetadata"))
        .collect();
    // Each server has a port of its own: its base URL is the one difference allowed.
    let kept: Vec<String> = json_paths
        .iter()
        .map(|p| {
            warm.get(p);
            warm.get(p).text.replace(&warm.base, "BASE")
        })
        .collect();
    let fresh = Mock::start();
    for (path, kept) in json_paths.iter().zip(kept) {
        assert_eq!(
            fresh.get(path).text.replace(&fresh.base, "BASE"),
            kept,
            "{path}"
        );
    }
}

fn kids(mock: &Mock, segment: &str) -> Vec<String> {
    mock.get(&format!("/{segment}/discovery/v2.0/keys")).json()["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect()
}

fn tenant_metadata(mock: &Mock) -> String {
    mock.get(&format!(
        "/{TENANT}/federationmetadata/2007-06/federationmetadata.xml"
    ))
    .text
}

#[test]
fn a_key_rotation_is_served_at_once() {
    let mock = Mock::start();
    let before = kids(&mock, TENANT);
    let v1_before = mock.get("/common/discovery/keys").text;
    let metadata_before = tenant_metadata(&mock);
    assert_eq!(tenant_metadata(&mock), metadata_before, "kept");
    let rotated = mock.post_json("/_mock/keys/rotate", &json!({})).json();
    let after = kids(&mock, TENANT);
    assert_ne!(after, before);
    let published: Vec<String> = serde_json::from_value(rotated["published_kids"].clone()).unwrap();
    assert_eq!(after, published);
    assert!(after.contains(&rotated["signing_kid"].as_str().unwrap().to_string()));
    assert_ne!(mock.get("/common/discovery/keys").text, v1_before);
    let metadata_after = tenant_metadata(&mock);
    assert_ne!(
        metadata_certificates(&metadata_after),
        metadata_certificates(&metadata_before)
    );
    // A token signed after the rotation verifies against the key set served after it.
    let token = mock.client_credentials().json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let jwks = mock.get(&format!("/{TENANT}/discovery/v2.0/keys")).json();
    assert_eq!(verify_with_jwks(&token, &jwks), Some(true));
}

#[test]
fn a_server_wide_scenario_switch_is_served_at_once_and_back() {
    let mock = Mock::start();
    let healthy = kids(&mock, TENANT);
    let healthy_common = mock.get("/common/discovery/v2.0/keys").text;
    mock.put_json("/_mock/scenario", &json!({"scenario": "rotated-keys"}));
    let rotated = kids(&mock, TENANT);
    assert_eq!(rotated.len(), healthy.len() + 1, "the next key first");
    assert_eq!(rotated[1..], healthy[..]);
    assert_ne!(mock.get("/common/discovery/v2.0/keys").text, healthy_common);
    // Through the library API too.
    mock.server().set_scenario(Scenario::Healthy);
    assert_eq!(kids(&mock, TENANT), healthy);
    assert_eq!(mock.get("/common/discovery/v2.0/keys").text, healthy_common);
}

#[test]
fn a_tenant_scenario_switch_changes_that_tenants_documents_only() {
    let mock = Mock::start();
    let healthy = kids(&mock, TENANT);
    let common = mock.get("/common/discovery/v2.0/keys").text;
    let reply = mock.put_json(
        "/_mock/scenario",
        &json!({"scenario": "rotated-keys", "tenant": TENANT}),
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(kids(&mock, TENANT).len(), healthy.len() + 1);
    assert_eq!(mock.get("/common/discovery/v2.0/keys").text, common);
}

#[test]
fn saml_certificate_changes_in_the_control_api_are_served_at_once() {
    let mock = Mock::start();
    let path =
        format!("/{TENANT}/federationmetadata/2007-06/federationmetadata.xml?appid={SAML_APP}");
    let before = mock.get(&path).text;
    assert_eq!(mock.get(&path).text, before, "kept");
    let made = mock.post_raw(
        &format!("/_mock/apps/{SAML_APP}/certificates"),
        "application/json",
        Vec::new(),
    );
    assert_eq!(made.status, 201, "{}", made.text);
    let thumbprint = made.json()["thumbprint"].as_str().unwrap().to_string();
    // A new certificate is inactive: the app still lists the old one.
    assert_eq!(
        metadata_certificates(&mock.get(&path).text),
        metadata_certificates(&before)
    );
    let activated = mock.post_raw(
        &format!("/_mock/apps/{SAML_APP}/certificates/{thumbprint}/activate"),
        "application/json",
        Vec::new(),
    );
    assert_eq!(activated.status, 200, "{}", activated.text);
    let after = metadata_certificates(&mock.get(&path).text);
    assert_ne!(after, metadata_certificates(&before));
    let listed = mock
        .get(&format!("/_mock/apps/{SAML_APP}/certificates"))
        .json();
    let signer = listed["signing_certificates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["signs"] == true)
        .unwrap();
    assert_eq!(signer["thumbprint"], thumbprint);
    // The scenario changes the app's certificates too: missing-signing-key lists none.
    mock.server().set_scenario(Scenario::MissingSigningKey);
    assert!(metadata_certificates(&mock.get(&path).text).is_empty());
}
