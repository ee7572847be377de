//! Signed AuthnRequests ("Require verification certificates") in both bindings, and NameIDPolicy formats
//! Entra does not issue, over real HTTP against an in-process mock-sts.

mod common;
mod saml_support;

use common::*;
use openssl::x509::X509;
use saml_support::*;

/// The default configuration with the SAML app's verification settings.
fn config(certs: &[&X509], required: bool, allow_sha1: bool) -> String {
    let certs: Vec<String> = certs
        .iter()
        .map(|c| format!("{{ pem = \"\"\"{}\"\"\" }}", pem(c)))
        .collect();
    mock_sts::DEFAULT_CONFIG.replace(
        "acs_url = \"https://sp.contoso.example/saml/acs\"",
        &format!(
            "acs_url = \"https://sp.contoso.example/saml/acs\"\nverification_certificates = [{}]\nrequire_signed_requests = {required}\nallow_sha1_request_signatures = {allow_sha1}",
            certs.join(", ")
        ),
    )
}

/// A POST-binding AuthnRequest with an enveloped signature after its Issuer.
fn signed_post_request(id: &str, sp: &SpKey) -> String {
    let xml = authn_request(
        id,
        SP_ENTITY,
        Some(SP_ACS),
        mock_sts::internals::SIGNATURE_PLACEHOLDER,
    );
    let cert_b64 = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        sp.cert.to_der().unwrap(),
    );
    let key_pem = sp.key.private_key_to_pem_pkcs8().unwrap();
    mock_sts::internals::sign_enveloped_with(&xml, id, &cert_b64, &key_pem).unwrap()
}

fn post(mock: &Mock, xml: &str) -> Reply {
    let encoded = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, xml);
    mock.post_form(
        &format!("/{TENANT}/saml2"),
        &[("SAMLRequest", &encoded), ("RelayState", "rs")],
    )
}

/// The AADSTS message of Entra's error page.
fn page_message(reply: &Reply) -> String {
    assert_is_error_page(reply);
    page_line(&reply.text, "Message:").expect("Message")
}

fn signed_in(reply: &Reply) -> bool {
    reply.status == 200
        && reply.text.contains("name=\"SAMLResponse\"")
        && saml_response(&reply.text).contains("status:Success")
}

#[test]
fn redirect_binding_signatures_are_verified_against_the_verification_certificate() {
    let sp = sp_key("sp signing");
    let other = sp_key("someone else");
    let mock = Mock::with_config(&config(&[&sp.cert], true, false));
    let request = authn_request("id-r1", SP_ENTITY, Some(SP_ACS), "");
    let saml2 = |query: &str| mock.get(&format!("/{TENANT}/saml2?{query}"));

    let ok = saml2(&signed_query(&request, Some("/after?x=1"), RSA_SHA256, &sp));
    assert!(signed_in(&ok), "{}", ok.text);
    assert_eq!(
        form_value(&ok.text, "RelayState").as_deref(),
        Some("/after?x=1")
    );
    let ok = saml2(&signed_query(&request, None, RSA_SHA256, &sp));
    assert!(signed_in(&ok), "{}", ok.text);

    let unsigned = saml2(&format!("SAMLRequest={}", redirect_value(&request)));
    assert!(
        page_message(&unsigned)
            .starts_with("AADSTS76021: The request sent by client is not signed"),
        "{}",
        unsigned.text
    );

    // Signed by a key that is not the app's, a changed RelayState, SHA-1 not allowed.
    let wrong_key = saml2(&signed_query(&request, None, RSA_SHA256, &other));
    assert!(page_message(&wrong_key).contains("could not be verified"));
    let tampered =
        signed_query(&request, Some("a"), RSA_SHA256, &sp).replace("RelayState=a", "RelayState=b");
    assert!(page_message(&saml2(&tampered)).contains("could not be verified"));
    let sha1 = saml2(&signed_query(&request, None, RSA_SHA1, &sp));
    assert!(
        page_message(&sha1).contains("is not allowed; only RSA-SHA256"),
        "{}",
        sha1.text
    );
    // An enveloped signature is the POST binding's: in a Redirect request the query must be signed.
    let enveloped = signed_post_request("id-r2", &sp);
    let misplaced = saml2(&format!("SAMLRequest={}", redirect_value(&enveloped)));
    assert!(page_message(&misplaced).starts_with("AADSTS76021: "));
    mock.stop();

    let lenient = Mock::with_config(&config(&[&other.cert, &sp.cert], true, true));
    let sha1 = lenient.get(&format!(
        "/{TENANT}/saml2?{}",
        signed_query(&request, None, RSA_SHA1, &sp)
    ));
    assert!(
        signed_in(&sha1),
        "the second certificate, SHA-1 allowed: {}",
        sha1.text
    );
    lenient.stop();
}

#[test]
fn post_binding_enveloped_signatures_are_verified_and_never_trusted_from_keyinfo() {
    let sp = sp_key("sp signing");
    let other = sp_key("attacker");
    let mock = Mock::with_config(&config(&[&sp.cert], true, false));

    let ok = post(&mock, &signed_post_request("id-p1", &sp));
    assert!(signed_in(&ok), "{}", ok.text);

    let unsigned = post(&mock, &authn_request("id-p2", SP_ENTITY, Some(SP_ACS), ""));
    assert!(page_message(&unsigned)
        .starts_with("AADSTS76021: The request sent by client is not signed"));

    // Signed by another key that it carries in KeyInfo: the request's own certificate is never trusted.
    let foreign = post(&mock, &signed_post_request("id-p3", &other));
    assert!(
        page_message(&foreign).contains("could not be verified"),
        "{}",
        foreign.text
    );

    // Changed after signing: the ACS URL swapped for another registered one.
    let tampered = signed_post_request("id-p4", &sp).replace(
        "IssueInstant=\"2026-01-01T00:00:00Z\"",
        "IssueInstant=\"2026-01-01T00:00:01Z\"",
    );
    assert!(page_message(&post(&mock, &tampered)).contains("could not be verified"));

    // A reference to anything but the request's own ID is refused before any verifier sees it.
    let outside = signed_post_request("id-p5", &sp).replace("URI=\"#id-p5\"", "URI=\"Cargo.toml\"");
    assert!(page_message(&post(&mock, &outside)).contains("one reference, to '#id-p5'"));

    // IdP-initiated sign-in cannot be signed, so it is refused while signed requests are required.
    let idp = mock.get(&format!(
        "/{TENANT}/saml2?appid=c3d4e5f6-0718-4293-a4b5-c6d7e8f90a1b"
    ));
    assert!(page_message(&idp).starts_with("AADSTS76021: "));
    mock.stop();
}

#[test]
fn signatures_are_ignored_unless_required_and_a_missing_certificate_is_named() {
    let sp = sp_key("sp signing");
    let other = sp_key("someone else");
    // Not required: Entra does not look at the signature, even a wrong one.
    let mock = Mock::with_config(&config(&[&sp.cert], false, false));
    let request = authn_request("id-n1", SP_ENTITY, Some(SP_ACS), "");
    let wrong = mock.get(&format!(
        "/{TENANT}/saml2?{}",
        signed_query(&request, None, RSA_SHA256, &other)
    ));
    assert!(signed_in(&wrong), "{}", wrong.text);
    assert!(signed_in(&post(
        &mock,
        &signed_post_request("id-n2", &other)
    )));
    mock.stop();

    let no_certificate = Mock::with_config(&config(&[], true, false));
    let reply = post(&no_certificate, &signed_post_request("id-n3", &sp));
    assert!(
        page_message(&reply)
            .contains("there is no certificate for verification configured in the application"),
        "{}",
        reply.text
    );
    no_certificate.stop();
}

#[test]
fn name_id_formats_entra_does_not_issue_get_an_invalid_name_id_policy_response() {
    let mock = Mock::start();
    for format in [
        "urn:oasis:names:tc:SAML:2.0:nameid-format:encrypted",
        "urn:oasis:names:tc:SAML:1.1:nameid-format:X509SubjectName",
        "urn:oasis:names:tc:SAML:2.0:nameid-format:kerberos",
    ] {
        let policy = format!("<samlp:NameIDPolicy Format=\"{format}\"/>");
        let reply = post(&mock, &authn_request("id-f", SP_ENTITY, None, &policy));
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(form_action(&reply.text).as_deref(), Some(SP_ACS));
        let response = saml_response(&reply.text);
        assert!(response.contains("<samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Requester\"><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:InvalidNameIDPolicy\"/>"), "{format}: {response}");
        let message = text_of(&response, "StatusMessage").unwrap();
        assert!(
            message
                .starts_with("AADSTS75016: SAML2 Authentication Request has invalid NameIdPolicy."),
            "{message}"
        );
        assert_eq!(
            attribute_of(&response, "Response", "InResponseTo").as_deref(),
            Some("id-f")
        );
        assert!(!response.contains("<Assertion"));
    }
    for (format, answered) in [
        (
            "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
            "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        ),
        (
            "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
            "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
        ),
        (
            "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
            "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
        ),
    ] {
        let policy = format!("<samlp:NameIDPolicy Format=\"{format}\"/>");
        let reply = post(&mock, &authn_request("id-g", SP_ENTITY, None, &policy));
        let response = saml_response(&reply.text);
        assert_eq!(
            attribute_of(&response, "NameID", "Format").as_deref(),
            Some(answered)
        );
    }
    mock.stop();
}

#[test]
fn verification_certificates_are_managed_at_run_time() {
    let sp = sp_key("SP uploaded later");
    let mock = Mock::with_config(&config(&[], true, false));
    let path = format!("/_mock/apps/{SAML_APP}/verification-certificates");
    let xml = authn_request("id-v", SP_ENTITY, Some(SP_ACS), "");
    let sign_in = |mock: &Mock| {
        mock.get(&format!(
            "/{TENANT}/saml2?{}",
            signed_query(&xml, None, RSA_SHA256, &sp)
        ))
    };
    // Required, and none uploaded yet: Entra cannot verify.
    assert!(page_message(&sign_in(&mock)).contains("no certificate for verification configured"));
    let listed = mock.get(&path).json();
    assert_eq!(listed["require_signed_requests"], true);
    assert_eq!(listed["verification_certificates"], serde_json::json!([]));

    // Upload the SP's certificate (PEM): the next request verifies.
    let added = mock.post_json(&path, &serde_json::json!({"certificate": pem(&sp.cert)}));
    assert_eq!(added.status, 201, "{}", added.text);
    let thumbprint = added.json()["thumbprint"].as_str().unwrap().to_string();
    assert_eq!(thumbprint.len(), 40);
    assert!(signed_in(&sign_in(&mock)));
    assert_eq!(
        mock.get(&path).json()["verification_certificates"][0]["thumbprint"],
        thumbprint.as_str()
    );
    let config = mock.get("/_mock/config").json();
    let apps = config["tenants"][0]["apps"].as_array().unwrap();
    let saml_app = apps.iter().find(|a| a["client_id"] == SAML_APP).unwrap();
    assert_eq!(
        saml_app["saml"]["request_verification"]["certificates"][0]["thumbprint"],
        thumbprint.as_str()
    );

    // The same certificate again (as base64 DER), something that is none, another app.
    let der = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        sp.cert.to_der().unwrap(),
    );
    let again = mock.post_json(&path, &serde_json::json!({"certificate": der}));
    assert_eq!(
        (again.status, again.json()["error"].as_str()),
        (409, Some("duplicate_certificate"))
    );
    let junk = mock.post_json(
        &path,
        &serde_json::json!({"certificate": "not a certificate"}),
    );
    assert_eq!(
        (junk.status, junk.json()["error"].as_str()),
        (400, Some("invalid_certificate"))
    );
    let oidc = mock.post_json(
        &format!("/_mock/apps/{WEB_APP}/verification-certificates"),
        &serde_json::json!({"certificate": pem(&sp.cert)}),
    );
    assert_eq!(oidc.json()["error"], "not_a_saml_app");

    // Remove it (any case): the request is refused again; removing it twice is a 404.
    let removed = mock.delete(&format!("{path}/{}", thumbprint.to_ascii_lowercase()));
    assert_eq!(removed.status, 200, "{}", removed.text);
    assert!(page_message(&sign_in(&mock)).contains("no certificate for verification configured"));
    let gone = mock.delete(&format!("{path}/{thumbprint}"));
    assert_eq!(
        (gone.status, gone.json()["error"].as_str()),
        (404, Some("unknown_certificate"))
    );
    mock.stop();
}
