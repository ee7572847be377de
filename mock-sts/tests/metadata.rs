//! Discovery documents, key sets and instance discovery, compared with Entra's captures.

mod common;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use common::*;
use openssl::hash::{hash, MessageDigest};

#[test]
fn v2_discovery_has_entras_members_in_entras_order_for_a_tenant_and_for_common() {
    let mock = Mock::start();
    let tenant = mock.get(&format!("/{TENANT}/v2.0/.well-known/openid-configuration"));
    assert_eq!(tenant.status, 200);
    assert_eq!(
        tenant.header("cache-control"),
        Some("max-age=86400, private")
    );
    assert_eq!(
        tenant.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    let doc = tenant.json();
    let capture = sample_json("entra-tenant-v2.0-openid-configuration.json");
    assert_eq!(member_names(&doc), member_names(&capture));
    assert_eq!(doc["issuer"], format!("{}/{TENANT}/v2.0", mock.base));
    assert_eq!(
        doc["jwks_uri"],
        format!("{}/{TENANT}/discovery/v2.0/keys", mock.base)
    );
    assert_eq!(
        doc["token_endpoint"],
        format!("{}/{TENANT}/oauth2/v2.0/token", mock.base)
    );
    assert_eq!(
        doc["response_types_supported"],
        capture["response_types_supported"]
    );
    assert_eq!(doc["claims_supported"], capture["claims_supported"]);
    assert_eq!(doc["tenant_region_scope"], "NA");

    for (segment, capture) in [
        ("common", "entra-common-v2.0-openid-configuration.json"),
        (
            "organizations",
            "entra-organizations-v2.0-openid-configuration.json",
        ),
    ] {
        let doc = mock
            .get(&format!("/{segment}/v2.0/.well-known/openid-configuration"))
            .json();
        let capture = sample_json(capture);
        assert_eq!(member_names(&doc), member_names(&capture));
        assert_eq!(doc["issuer"], format!("{}/{{tenantid}}/v2.0", mock.base));
        assert_eq!(
            doc["token_endpoint"],
            format!("{}/{segment}/oauth2/v2.0/token", mock.base)
        );
        assert!(doc["tenant_region_scope"].is_null());
        let expected_jwks = capture["jwks_uri"]
            .as_str()
            .unwrap()
            .replace("https://login.microsoftonline.com", &mock.base);
        assert_eq!(doc["jwks_uri"], expected_jwks);
    }
}

#[test]
fn a_verified_domain_resolves_to_the_tenant_guid() {
    let mock = Mock::start();
    let doc = mock
        .get("/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration")
        .json();
    assert_eq!(doc["issuer"], format!("{}/{TENANT}/v2.0", mock.base));
    assert_eq!(
        doc["authorization_endpoint"],
        format!("{}/{TENANT}/oauth2/v2.0/authorize", mock.base)
    );
}

#[test]
fn v1_discovery_keeps_the_sts_windows_net_issuer_and_common_keys() {
    let mock = Mock::start();
    let reply = mock.get(&format!("/{TENANT}/.well-known/openid-configuration"));
    assert_eq!(reply.status, 200);
    let doc = reply.json();
    assert_eq!(doc["issuer"], format!("https://sts.windows.net/{TENANT}/"));
    assert_eq!(
        doc["jwks_uri"],
        format!("{}/common/discovery/keys", mock.base)
    );
    let capture = sample_json("entra-tenant-v1-openid-configuration.OLD-CAPTURE.json");
    // Every member of the (older) capture is there, in the capture's order.
    let names = member_names(&doc);
    let positions: Vec<usize> = member_names(&capture)
        .iter()
        .map(|n| {
            names
                .iter()
                .position(|m| m == n)
                .unwrap_or_else(|| panic!("missing {n}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "order {positions:?}"
    );
    let common = mock.get("/common/.well-known/openid-configuration").json();
    assert_eq!(common["issuer"], "https://sts.windows.net/{tenantid}/");
}

#[test]
fn appid_switches_the_jwks_uri() {
    let mock = Mock::start();
    let doc = mock
        .get(&format!(
            "/{TENANT}/v2.0/.well-known/openid-configuration?appid={WEB_APP}"
        ))
        .json();
    assert_eq!(
        doc["jwks_uri"],
        format!("{}/{TENANT}/discovery/v2.0/keys?appid={WEB_APP}", mock.base)
    );
    let v1 = mock
        .get(&format!(
            "/{TENANT}/.well-known/openid-configuration?appid={WEB_APP}"
        ))
        .json();
    assert_eq!(
        v1["jwks_uri"],
        format!("{}/common/discovery/keys?appid={WEB_APP}", mock.base)
    );
}

#[test]
fn unknown_tenant_is_aadsts90002() {
    let mock = Mock::start();
    let reply = mock.get("/nosuchtenant.example/v2.0/.well-known/openid-configuration");
    assert_entra_error(&reply, 400, "invalid_tenant", 90002);
    assert!(reply.json()["error_description"]
        .as_str()
        .unwrap()
        .contains("Tenant 'nosuchtenant.example' not found."));
    let keys = mock.get("/00000000-0000-0000-0000-000000000001/discovery/v2.0/keys");
    assert_entra_error(&keys, 400, "invalid_tenant", 90002);
}

#[test]
fn jwks_keys_are_entra_shaped_and_kid_is_the_certificate_thumbprint() {
    let mock = Mock::start();
    let capture = sample_json("entra-common-discovery-v2.0-keys.json");
    let capture_members = member_names(&capture["keys"][0]);
    let token = mock.client_credentials().json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let signing_kid = jwt_parts(&token).0["kid"].as_str().unwrap().to_string();
    for path in [
        format!("/{TENANT}/discovery/v2.0/keys"),
        format!("/{TENANT}/discovery/keys"),
        "/common/discovery/v2.0/keys".to_string(),
        "/common/discovery/keys".to_string(),
    ] {
        let reply = mock.get(&path);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(
            reply.header("cache-control"),
            Some("max-age=86400, private")
        );
        let jwks = reply.json();
        let keys = jwks["keys"].as_array().unwrap();
        // Several keys, as Entra publishes (the captures hold five to seven), with the signing key
        // (the one tokens name) not first: a client that takes the first key fails as it would on Entra.
        assert_eq!(keys.len(), 3, "healthy publishes three keys");
        assert!(capture["keys"].as_array().unwrap().len() > 1);
        let kids: Vec<&str> = keys.iter().map(|k| k["kid"].as_str().unwrap()).collect();
        let unique: std::collections::HashSet<&&str> = kids.iter().collect();
        assert_eq!(unique.len(), kids.len(), "{kids:?}");
        assert_eq!(
            kids.iter().position(|k| *k == signing_kid),
            Some(1),
            "{kids:?}"
        );
        for key in keys {
            assert_eq!(member_names(key), capture_members, "{path}");
            assert_eq!(key["kty"], "RSA");
            assert_eq!(key["use"], "sig");
            assert_eq!(key["e"], "AQAB");
            let der = STANDARD.decode(key["x5c"][0].as_str().unwrap()).unwrap();
            let thumbprint = URL_SAFE_NO_PAD.encode(hash(MessageDigest::sha1(), &der).unwrap());
            assert_eq!(key["kid"], thumbprint);
            assert_eq!(key["x5t"], thumbprint);
            let cert = openssl::x509::X509::from_der(&der).unwrap();
            let cn = String::from_utf8(
                cert.subject_name()
                    .entries()
                    .next()
                    .unwrap()
                    .data()
                    .as_slice()
                    .to_vec(),
            )
            .unwrap();
            assert_eq!(cn, "accounts.accesscontrol.windows.net");
            assert_eq!(cert.public_key().unwrap().bits(), 2048);
            let not_before = cert.not_before();
            let lifetime = not_before.diff(cert.not_after()).unwrap();
            assert!(
                (1820..=1830).contains(&lifetime.days),
                "five-year certificate, got {} days",
                lifetime.days
            );
        }
        let expected_issuer = if path.starts_with("/common") {
            format!("{}/{{tenantid}}/v2.0", mock.base)
        } else {
            format!("{}/{TENANT}/v2.0", mock.base)
        };
        for key in keys {
            assert_eq!(key["issuer"], expected_issuer);
        }
    }
}

#[test]
fn instance_discovery_points_msal_back_at_the_mock() {
    let mock = Mock::start();
    let authorize = format!("{}/{TENANT}/oauth2/v2.0/authorize", mock.base);
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("api-version", "1.1")
        .append_pair("authorization_endpoint", &authorize)
        .finish();
    let reply = mock.get(&format!("/common/discovery/instance?{query}"));
    assert_eq!(reply.status, 200);
    let doc = reply.json();
    let capture = sample_json("entra-common-discovery-instance.json");
    assert_eq!(member_names(&doc), member_names(&capture));
    assert_eq!(
        doc["tenant_discovery_endpoint"],
        format!(
            "{}/{TENANT}/v2.0/.well-known/openid-configuration",
            mock.base
        )
    );
    assert_eq!(doc["api-version"], "1.1");
    let host = mock.base.trim_start_matches("http://");
    assert_eq!(doc["metadata"][0]["preferred_network"], host);
    assert_eq!(doc["metadata"][0]["aliases"], serde_json::json!([host]));
    assert_eq!(
        member_names(&doc["metadata"][0]),
        member_names(&capture["metadata"][0])
    );
    assert_eq!(
        doc["metadata"][1], capture["metadata"][0],
        "Entra's public-cloud aliases follow"
    );
}

#[test]
fn every_answer_carries_a_request_id_and_echoes_the_correlation_id() {
    let mock = Mock::start();
    let correlation = "0b7e0d7c-1111-4222-8333-944444444444";
    let reply = mock.get_with(
        "/common/discovery/v2.0/keys",
        ("client-request-id", correlation),
    );
    assert_eq!(reply.header("client-request-id"), Some(correlation));
    assert!(reply
        .header("x-ms-request-id")
        .is_some_and(|id| id.len() == 36));
    let not_found = mock.get("/a/b/c/d/e");
    assert_eq!(not_found.status, 404);
}

#[test]
fn signing_keys_can_come_from_files_named_in_the_configuration() {
    use mock_sts::internals::{SigningKey, ENTRA_SIGNING_CN};
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("configured-keys");
    std::fs::create_dir_all(&dir).unwrap();
    let (current, next) = (
        SigningKey::generate(ENTRA_SIGNING_CN).unwrap(),
        SigningKey::generate(ENTRA_SIGNING_CN).unwrap(),
    );
    std::fs::write(dir.join("current.pem"), current.to_pem().unwrap()).unwrap();
    std::fs::write(dir.join("next.pem"), next.to_pem().unwrap()).unwrap();
    let config = format!(
        "[signing_keys]\ncurrent = \"current.pem\"\nnext = \"next.pem\"\n\n{}",
        mock_sts::DEFAULT_CONFIG
    );
    let path = dir.join("mock-sts.toml");
    std::fs::write(&path, &config).unwrap();
    let loaded = mock_sts::LoadedConfig::from_file(&path).unwrap();
    let mock = Mock::with(mock_sts::Options {
        config: Some(loaded),
        ..Default::default()
    });
    let jwks = mock.get(&format!("/{TENANT}/discovery/v2.0/keys")).json();
    assert_eq!(jwks["keys"][1]["kid"], current.kid);
    let token = mock.client_credentials().json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(jwt_parts(&token).0["kid"], current.kid);
    mock.put_json(
        "/_mock/scenario",
        &serde_json::json!({"scenario": "rotated-keys"}),
    );
    let rotated = mock.get(&format!("/{TENANT}/discovery/v2.0/keys")).json();
    assert_eq!(rotated["keys"][0]["kid"], next.kid);

    std::fs::write(&path, config.replace("current.pem", "missing.pem")).unwrap();
    let error = mock_sts::LoadedConfig::from_file(&path)
        .unwrap_err()
        .to_string();
    assert!(error.contains("signing_keys.current"), "{error}");
    std::fs::write(dir.join("broken.pem"), current.cert.to_pem().unwrap()).unwrap();
    std::fs::write(&path, config.replace("current.pem", "broken.pem")).unwrap();
    let error = mock_sts::LoadedConfig::from_file(&path)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("signing_keys.current") && error.contains("private key"),
        "{error}"
    );
}
