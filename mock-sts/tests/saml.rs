//! SAML sign-in, its errors, the SAML scenarios, federation metadata and certificate management, over
//! real HTTP against an in-process mock-sts.

mod common;
mod saml_support;

use common::*;
use mock_sts::Scenario;
use saml_support::*;

fn saml2(mock: &Mock, query: &str) -> Reply {
    mock.get(&format!("/{TENANT}/saml2?{query}"))
}

fn redirect_sign_in(mock: &Mock, request: &str, extra_query: &str) -> Reply {
    saml2(
        mock,
        &format!("SAMLRequest={}{extra_query}", redirect_value(request)),
    )
}

fn app_metadata(mock: &Mock) -> String {
    let reply = mock.get(&format!(
        "/{TENANT}/federationmetadata/2007-06/federationmetadata.xml?appid={SAML_APP}"
    ));
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.text
}

fn app_signing_cert(mock: &Mock) -> openssl::x509::X509 {
    let certs = metadata_certificates(&app_metadata(mock));
    assert_eq!(certs.len(), 3, "the same certificate in the three roles");
    certificate(&certs[0])
}

/// The error page's AADSTS code, checking the page's layout and IDs against the response headers.
fn error_page_code(reply: &Reply) -> String {
    assert_is_error_page(reply);
    let request_id = page_line(&reply.text, "Request Id:").expect("Request Id");
    assert_eq!(Some(request_id.as_str()), reply.header("x-ms-request-id"));
    let correlation = page_line(&reply.text, "Correlation Id:").expect("Correlation Id");
    assert_eq!(
        Some(correlation.as_str()),
        reply.header("client-request-id")
    );
    let timestamp = page_line(&reply.text, "Timestamp:").expect("Timestamp");
    assert!(
        timestamp.len() == 20 && timestamp.as_bytes()[10] == b'T' && timestamp.ends_with('Z'),
        "{timestamp}"
    );
    let message = page_line(&reply.text, "Message:").expect("Message");
    assert!(message.starts_with("AADSTS"), "{message}");
    message[6..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

fn post_control(mock: &Mock, path: &str) -> Reply {
    mock.post_raw(path, "application/json", Vec::new())
}

fn delete(mock: &Mock, path: &str) -> Reply {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .delete(mock.url(path))
        .header("X-Mock-STS", "test")
        .call()
        .expect("request completes");
    Reply {
        status: response.status().as_u16(),
        headers: Vec::new(),
        text: response.body_mut().read_to_string().unwrap_or_default(),
    }
}

#[test]
fn redirect_binding_sign_in_posts_a_signed_assertion_shaped_like_entras() {
    let mock = Mock::start();
    let request = authn_request("id-redirect-1", SP_ENTITY, Some(SP_ACS), "");
    let reply = redirect_sign_in(&mock, &request, "&RelayState=%2Fafter%3Fx%3D1");
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(form_action(&reply.text).as_deref(), Some(SP_ACS));
    assert_eq!(
        form_value(&reply.text, "RelayState").as_deref(),
        Some("/after?x=1")
    );
    assert!(reply.text.contains("document.forms[0].submit()"));
    let response = saml_response(&reply.text);

    let issuer = format!("https://sts.windows.net/{TENANT}/");
    assert_eq!(
        attribute_of(&response, "Response", "InResponseTo").as_deref(),
        Some("id-redirect-1")
    );
    assert_eq!(
        attribute_of(&response, "Response", "Destination").as_deref(),
        Some(SP_ACS)
    );
    assert_eq!(
        text_of(&response, "Issuer").as_deref(),
        Some(issuer.as_str())
    );
    assert_eq!(
        attribute_of(&response, "StatusCode", "Value").as_deref(),
        Some("urn:oasis:names:tc:SAML:2.0:status:Success")
    );
    assert_eq!(text_of(&response, "Audience").as_deref(), Some(SP_ENTITY));
    assert_eq!(
        attribute_of(&response, "SubjectConfirmation", "Method").as_deref(),
        Some("urn:oasis:names:tc:SAML:2.0:cm:bearer")
    );
    assert_eq!(
        attribute_of(&response, "SubjectConfirmationData", "Recipient").as_deref(),
        Some(SP_ACS)
    );
    assert_eq!(text_of(&response, "NameID").as_deref(), Some(ALICE));
    for uri in [
        "http://schemas.microsoft.com/identity/claims/tenantid",
        "http://schemas.microsoft.com/identity/claims/objectidentifier",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "http://schemas.microsoft.com/identity/claims/displayname",
        "http://schemas.microsoft.com/identity/claims/identityprovider",
        "http://schemas.microsoft.com/claims/authnmethodsreferences",
    ] {
        assert!(
            response.contains(&format!("Name=\"{uri}\"")),
            "{uri} missing"
        );
    }
    // Signed as Entra signs by default: the assertion, not the response.
    assert_eq!(response.matches("<Signature ").count(), 1);
    for algorithm in [
        "http://www.w3.org/2001/10/xml-exc-c14n#",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        "http://www.w3.org/2001/04/xmlenc#sha256",
    ] {
        assert!(response.contains(algorithm), "{algorithm}");
    }
    let cert = app_signing_cert(&mock);
    let assertion = assertion_element(&response);
    assert!(
        verifies_with(&assertion, &cert),
        "the assertion verifies with the metadata certificate"
    );
    let tampered = assertion.replace(ALICE, "mallory@contoso.onmicrosoft.com");
    assert!(
        !verifies_with(&tampered, &cert),
        "a changed assertion does not verify"
    );
    mock.stop();
}

/// Elements in document order, each with its attribute names in the order written.
fn element_shape(xml: &str) -> Vec<(String, Vec<String>)> {
    let doc = roxmltree::Document::parse(xml).expect("XML parses");
    doc.descendants()
        .filter(|n| n.is_element())
        .map(|n| {
            (
                n.tag_name().name().to_string(),
                n.attributes().map(|a| a.name().to_string()).collect(),
            )
        })
        .collect()
}

/// Attribute values (by element and attribute name) that are instants, with their offset from the
/// assertion's IssueInstant, whole seconds; and whether each is written as Entra writes them (UTC, 3 digits
/// of milliseconds).
fn validity_offsets(xml: &str) -> Vec<(String, i64, bool)> {
    let doc = roxmltree::Document::parse(xml).expect("XML parses");
    let parse = |t: &str| {
        time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).unwrap()
    };
    let shaped = |t: &str| {
        t.len() == 24
            && t.ends_with('Z')
            && t.as_bytes()[19] == b'.'
            && t[20..23].bytes().all(|b| b.is_ascii_digit())
    };
    let issued = doc
        .descendants()
        .find(|n| n.tag_name().name() == "Assertion")
        .and_then(|n| n.attribute("IssueInstant"))
        .map(parse)
        .expect("Assertion IssueInstant");
    let mut found = Vec::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        for name in ["IssueInstant", "NotBefore", "NotOnOrAfter", "AuthnInstant"] {
            if let Some(value) = node.attribute(name) {
                let offset = (parse(value) - issued).as_seconds_f64().round() as i64;
                found.push((
                    format!("{}@{name}", node.tag_name().name()),
                    offset,
                    shaped(value),
                ));
            }
        }
    }
    found
}

#[test]
fn healthy_response_matches_the_real_entra_capture_field_by_field() {
    let capture =
        std::fs::read_to_string(shared_samples().join("saml/entra-saml-response-2021.xml"))
            .expect("the SAML capture");
    let mock = Mock::start();
    let request = authn_request("id-shape-1", SP_ENTITY, Some(SP_ACS), "");
    let reply = redirect_sign_in(&mock, &request, "");
    assert_eq!(reply.status, 200, "{}", reply.text);
    let response = saml_response(&reply.text);

    // The same elements, in the same order, with the same attributes in the same order (the capture's
    // app had no extra claims configured beyond Entra's defaults, nor does the mock's).
    assert_eq!(element_shape(&response), element_shape(&capture));
    let claim_names = |xml: &str| -> Vec<String> {
        let doc = roxmltree::Document::parse(xml).expect("XML parses");
        doc.descendants()
            .filter(|n| n.tag_name().name() == "Attribute")
            .filter_map(|n| n.attribute("Name").map(str::to_string))
            .collect()
    };
    assert_eq!(claim_names(&response), claim_names(&capture));

    // The windows: NotBefore 5 minutes before issuing, Conditions NotOnOrAfter and the bearer
    // confirmation's NotOnOrAfter an hour after; the capture rounds to the same whole seconds.
    let ours = validity_offsets(&response);
    let theirs = validity_offsets(&capture);
    let times = |found: &[(String, i64, bool)]| -> Vec<(String, i64)> {
        found
            .iter()
            .filter(|(name, _, _)| name != "AuthnStatement@AuthnInstant")
            .map(|(name, offset, _)| (name.clone(), *offset))
            .collect()
    };
    assert_eq!(times(&ours), times(&theirs));
    assert!(
        times(&ours).contains(&("Conditions@NotBefore".to_string(), -300)),
        "{ours:?}"
    );
    assert!(
        times(&ours).contains(&("Conditions@NotOnOrAfter".to_string(), 3600)),
        "{ours:?}"
    );
    assert!(
        times(&ours).contains(&("SubjectConfirmationData@NotOnOrAfter".to_string(), 3600)),
        "{ours:?}"
    );
    // Written as Entra writes them: milliseconds and Z, in the capture and in the mock's response.
    for (name, _, shaped) in ours.iter().chain(theirs.iter()) {
        assert!(shaped, "{name} is not written as yyyy-mm-ddThh:mm:ss.fffZ");
    }
    mock.stop();
}

#[test]
fn post_binding_login_hint_and_name_id_formats() {
    let mock = Mock::start();
    let policy =
        "<samlp:NameIDPolicy Format=\"urn:oasis:names:tc:SAML:2.0:nameid-format:persistent\"/>";
    let request = authn_request("id-post-1", SP_ENTITY, None, policy);
    let encoded = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &request);
    let reply = mock.post_form(
        &format!("/{TENANT}/saml2?login_hint=bob@contoso.onmicrosoft.com"),
        &[("SAMLRequest", &encoded), ("RelayState", "rs")],
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    let response = saml_response(&reply.text);
    assert_eq!(
        attribute_of(&response, "NameID", "Format").as_deref(),
        Some("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent")
    );
    assert_ne!(
        text_of(&response, "NameID").as_deref(),
        Some("bob@contoso.onmicrosoft.com")
    );
    assert!(response.contains("<AttributeValue>bob@contoso.onmicrosoft.com</AttributeValue>"));
    assert!(verifies_with(
        &assertion_element(&response),
        &app_signing_cert(&mock)
    ));
    // The same user gets the same persistent NameID next time.
    let again = mock.post_form(
        &format!("/{TENANT}/saml2?login_hint=bob@contoso.onmicrosoft.com"),
        &[("SAMLRequest", &encoded)],
    );
    assert_eq!(
        text_of(&saml_response(&again.text), "NameID"),
        text_of(&response, "NameID")
    );
    mock.stop();
}

fn config_with_signing(signing: &str) -> String {
    mock_sts::DEFAULT_CONFIG.replace(
        "acs_url = \"https://sp.contoso.example/saml/acs\"",
        &format!("acs_url = \"https://sp.contoso.example/saml/acs\"\nreply_urls = [\"https://sp.contoso.example/other/acs\"]\nsigning = \"{signing}\""),
    )
}

#[test]
fn response_or_both_signed_by_app_setting_and_extra_reply_urls() {
    for (signing, signatures) in [("response", 1), ("both", 2)] {
        let mock = Mock::with_config(&config_with_signing(signing));
        let other = "https://sp.contoso.example/other/acs";
        let reply = redirect_sign_in(
            &mock,
            &authn_request("id-s", SP_ENTITY, Some(other), ""),
            "",
        );
        assert_eq!(reply.status, 200, "{signing}: {}", reply.text);
        assert_eq!(form_action(&reply.text).as_deref(), Some(other));
        let response = saml_response(&reply.text);
        assert_eq!(
            response.matches("<Signature ").count(),
            signatures,
            "{signing}"
        );
        let cert = app_signing_cert(&mock);
        assert!(
            verifies_with(&response, &cert),
            "{signing}: the response signature verifies"
        );
        if signing == "both" {
            assert!(verifies_with(&assertion_element(&response), &cert));
        }
        mock.stop();
    }
}

#[test]
fn request_errors_end_on_entras_error_page() {
    let mock = Mock::start();
    let cases: Vec<(String, &str)> = vec![
        (
            format!("SAMLRequest={}", redirect_value(&authn_request("i1", "https://unknown.example/sp", None, ""))),
            "700016",
        ),
        (
            format!("SAMLRequest={}", redirect_value(&authn_request("i2", SP_ENTITY, Some("https://evil.example/acs"), ""))),
            "50011",
        ),
        ("SAMLRequest=bm90IGRlZmxhdGU%3D".to_string(), "75005"),
        ("SAMLRequest=%25%25%25".to_string(), "75005"),
        (format!("SAMLRequest={}", redirect_value("<not-saml/>")), "75005"),
        ("RelayState=only".to_string(), "750054"),
        (String::new(), "750054"),
        (
            format!("SAMLRequest={}", redirect_value("<samlp:LogoutResponse xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"l\" Version=\"2.0\" IssueInstant=\"2026-01-01T00:00:00Z\"/>")),
            "7500514",
        ),
        // A LogoutRequest is single logout (tests/saml_logout.rs); without an Issuer it is not a valid one.
        (
            format!("SAMLRequest={}", redirect_value("<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"l\" Version=\"2.0\" IssueInstant=\"2026-01-01T00:00:00Z\"/>")),
            "75005",
        ),
        (
            format!("SAMLRequest={}", redirect_value(&authn_request("i3", SP_ENTITY, None, "").replace(
                "bindings:HTTP-POST", "bindings:HTTP-Artifact"))),
            "7500514",
        ),
        (
            format!("SAMLRequest={}&login_hint=nobody@contoso.onmicrosoft.com", redirect_value(&authn_request("i4", SP_ENTITY, None, ""))),
            "50034",
        ),
    ];
    for (query, code) in cases {
        let reply = saml2(&mock, &query);
        assert_eq!(reply.status, 400, "{query}: {}", reply.text);
        assert_eq!(error_page_code(&reply), code, "{query}");
    }
    mock.stop();
}

#[test]
fn unsatisfiable_authn_context_is_posted_back_as_a_saml_error_response() {
    let mock = Mock::start();
    let context = "<samlp:RequestedAuthnContext Comparison=\"exact\"><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:X509</saml:AuthnContextClassRef></samlp:RequestedAuthnContext>";
    let reply = redirect_sign_in(
        &mock,
        &authn_request("id-ctx", SP_ENTITY, None, context),
        "&RelayState=r",
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(form_action(&reply.text).as_deref(), Some(SP_ACS));
    let response = saml_response(&reply.text);
    assert!(response.contains("<samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Requester\"><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:RequestUnsupported\"/>"), "{response}");
    let message = text_of(&response, "StatusMessage").unwrap();
    assert!(message.starts_with("AADSTS75011: "), "{message}");
    assert!(message.contains(&format!(
        "Trace ID: {}",
        reply.header("x-ms-request-id").unwrap()
    )));
    assert_eq!(
        attribute_of(&response, "Response", "InResponseTo").as_deref(),
        Some("id-ctx")
    );
    assert!(!response.contains("<Assertion"));

    // A password class is met.
    let password = context.replace("X509", "PasswordProtectedTransport");
    let ok = saml_response(
        &redirect_sign_in(
            &mock,
            &authn_request("id-ctx2", SP_ENTITY, None, &password),
            "",
        )
        .text,
    );
    assert_eq!(
        text_of(&ok, "AuthnContextClassRef").as_deref(),
        Some("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")
    );
    mock.stop();
}

#[test]
fn bombs_xxe_and_oversized_forms_are_refused_without_a_500() {
    let mock = Mock::start();
    let bomb = format!("<a>{}</a>", "A".repeat(20 * 1024 * 1024));
    let reply = saml2(&mock, &format!("SAMLRequest={}", redirect_value(&bomb)));
    assert_eq!(reply.status, 400);
    assert_eq!(error_page_code(&reply), "75005");

    let xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"x\" Version=\"2.0\" IssueInstant=\"2026-01-01T00:00:00Z\"><saml:Issuer>&x;</saml:Issuer></samlp:AuthnRequest>";
    let reply = saml2(&mock, &format!("SAMLRequest={}", redirect_value(xxe)));
    assert_eq!(error_page_code(&reply), "75005");
    assert!(!reply.text.contains("root:"));

    let huge = "A".repeat(300 * 1024);
    let reply = mock.post_form(&format!("/{TENANT}/saml2"), &[("SAMLRequest", &huge)]);
    assert_eq!(reply.status, 400, "{}", reply.text);
    let reply = mock.post_raw(
        &format!("/{TENANT}/saml2"),
        "application/x-www-form-urlencoded",
        vec![0xff, 0xfe, b'=', 0x00],
    );
    assert!(reply.status == 400, "{}", reply.status);
    mock.stop();
}

#[test]
fn missing_signing_key_ends_on_aadsts50003_and_metadata_has_no_signing_key() {
    let mock = Mock::with_scenario(Scenario::MissingSigningKey);
    let reply = redirect_sign_in(&mock, &authn_request("id-m", SP_ENTITY, None, ""), "");
    assert_eq!(reply.status, 400);
    assert_eq!(error_page_code(&reply), "50003");
    assert!(reply
        .text
        .contains("AADSTS50003: Sign-in failed because of a missing signing key or certificate."));
    let metadata = app_metadata(&mock);
    assert!(metadata_certificates(&metadata).is_empty(), "{metadata}");
    // IdP-initiated sign-in fails the same way.
    let reply = saml2(&mock, &format!("appid={SAML_APP}"));
    assert_eq!(error_page_code(&reply), "50003");
    // The tenant's own metadata still lists the tenant keys.
    let tenant = mock.get(&format!(
        "/{TENANT}/federationmetadata/2007-06/federationmetadata.xml"
    ));
    assert!(!metadata_certificates(&tenant.text).is_empty());
    mock.stop();
}

#[test]
fn dangling_signing_key_ends_on_aadsts50003() {
    let mock = Mock::with_scenario(Scenario::DanglingSigningKey);
    let reply = redirect_sign_in(&mock, &authn_request("id-d", SP_ENTITY, None, ""), "");
    assert_eq!(error_page_code(&reply), "50003");
    let config = mock.get("/_mock/config").json();
    let saml = &config["tenants"][0]["apps"][2]["saml"];
    let preferred = saml["preferred_token_signing_key_thumbprint"]
        .as_str()
        .unwrap();
    assert_eq!(preferred.len(), 40);
    assert!(saml["signing_certificates"].as_array().unwrap().is_empty());
    assert!(metadata_certificates(&app_metadata(&mock)).is_empty());
    mock.stop();
}

#[test]
fn expired_signing_cert_keeps_signing_until_a_valid_one_exists() {
    let mock = Mock::with_scenario(Scenario::ExpiredSigningCert);
    let reply = redirect_sign_in(&mock, &authn_request("id-e", SP_ENTITY, None, ""), "");
    assert_eq!(reply.status, 200, "{}", reply.text);
    let response = saml_response(&reply.text);
    let cert = app_signing_cert(&mock);
    assert!(cert.not_after() < openssl::asn1::Asn1Time::days_from_now(0).unwrap());
    assert!(
        verifies_with(&assertion_element(&response), &cert),
        "signed with the expired certificate"
    );

    // A valid inactive certificate takes over from the expired active one.
    let made = post_control(&mock, &format!("/_mock/apps/{SAML_APP}/certificates"));
    assert_eq!(made.status, 201, "{}", made.text);
    let fresh = made.json()["thumbprint"].as_str().unwrap().to_string();
    let reply = redirect_sign_in(&mock, &authn_request("id-e2", SP_ENTITY, None, ""), "");
    let response = saml_response(&reply.text);
    let now_signing = app_signing_cert(&mock);
    assert_eq!(
        keyprobe_core::thumbprint::sha1_hex(&now_signing.to_der().unwrap()),
        fresh
    );
    assert!(verifies_with(&assertion_element(&response), &now_signing));
    assert!(!verifies_with(&assertion_element(&response), &cert));
    mock.stop();
}

/// Who signs now: the thumbprint of the certificate the assertion verifies with (None for the AADSTS50003
/// page), checked against the app's federation metadata and the certificates view's `signs` flag.
fn signer_now(mock: &Mock, id: &str) -> Option<String> {
    let reply = redirect_sign_in(mock, &authn_request(id, SP_ENTITY, None, ""), "");
    let listed = mock
        .get(&format!("/_mock/apps/{SAML_APP}/certificates"))
        .json();
    let flagged: Vec<String> = listed["signing_certificates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["signs"] == true)
        .map(|c| c["thumbprint"].as_str().unwrap().to_string())
        .collect();
    let published = metadata_certificates(&app_metadata(mock));
    if reply.status != 200 {
        assert_eq!(error_page_code(&reply), "50003");
        assert!(flagged.is_empty() && published.is_empty(), "{listed}");
        return None;
    }
    let cert = certificate(&published[0]);
    let thumbprint = keyprobe_core::thumbprint::sha1_hex(&cert.to_der().unwrap());
    assert!(verifies_with(
        &assertion_element(&saml_response(&reply.text)),
        &cert
    ));
    assert_eq!(flagged, vec![thumbprint.clone()], "{listed}");
    Some(thumbprint)
}

/// One rule for every scenario, Entra's (the tutorial "Manage certificates for federated single sign-on"):
/// a new certificate is Inactive and signs nothing while the active one is valid; when the active one has
/// expired, a valid inactive one signs at once ("the new certificate will be considered for signing tokens,
/// even though you haven't activated it yet"); with no usable active certificate (none, or a dangling
/// thumbprint) nothing signs until one is made active (the AADSTS50003 fix). Sign-in and the app's
/// metadata always agree.
#[test]
fn one_signing_rule_whatever_the_scenario() {
    for (scenario, signs_when_created) in [
        (Scenario::Healthy, false),
        (Scenario::ExpiredSigningCert, true),
        (Scenario::MissingSigningKey, false),
        (Scenario::DanglingSigningKey, false),
    ] {
        let mock = Mock::with_scenario(scenario);
        let before = signer_now(&mock, "id-r1");
        let path = format!("/_mock/apps/{SAML_APP}/certificates");
        let made = post_control(&mock, &path);
        assert_eq!(made.status, 201, "{}", made.text);
        let fresh = made.json()["thumbprint"].as_str().unwrap().to_string();
        let created = signer_now(&mock, "id-r2");
        if signs_when_created {
            assert_eq!(created.as_deref(), Some(fresh.as_str()), "{scenario}");
        } else {
            assert_eq!(
                created, before,
                "{scenario}: an inactive certificate signs nothing"
            );
        }
        let activated = post_control(&mock, &format!("{path}/{fresh}/activate"));
        assert_eq!(activated.status, 200, "{}", activated.text);
        assert_eq!(
            signer_now(&mock, "id-r3").as_deref(),
            Some(fresh.as_str()),
            "{scenario}: the active certificate signs"
        );
        mock.stop();
    }
}

#[test]
fn certificates_are_managed_like_the_portal_and_metadata_follows() {
    let mock = Mock::start();
    let before = app_signing_cert(&mock);
    let path = format!("/_mock/apps/{SAML_APP}/certificates");
    let made = post_control(&mock, &path);
    assert_eq!(made.status, 201, "{}", made.text);
    let thumbprint = made.json()["thumbprint"].as_str().unwrap().to_string();
    assert!(
        thumbprint.len() == 40
            && thumbprint
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
    );
    assert_eq!(made.json()["active"], false);
    // Inactive: the metadata still carries the old one.
    assert_eq!(
        app_signing_cert(&mock).to_der().unwrap(),
        before.to_der().unwrap()
    );

    let listed = mock.get(&path).json();
    assert_eq!(listed["key_credentials"].as_array().unwrap().len(), 4);

    let old = listed["preferred_token_signing_key_thumbprint"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        delete(&mock, &format!("{path}/{old}")).status,
        409,
        "the active one stays"
    );
    let activated = post_control(
        &mock,
        &format!("{path}/{}/activate", thumbprint.to_lowercase()),
    );
    assert_eq!(activated.status, 200, "{}", activated.text);
    let after = app_signing_cert(&mock);
    assert_ne!(after.to_der().unwrap(), before.to_der().unwrap());
    let response = saml_response(
        &redirect_sign_in(&mock, &authn_request("id-c", SP_ENTITY, None, ""), "").text,
    );
    assert!(verifies_with(&assertion_element(&response), &after));
    assert!(!verifies_with(&assertion_element(&response), &before));

    assert_eq!(delete(&mock, &format!("{path}/{old}")).status, 200);
    assert_eq!(delete(&mock, &format!("{path}/{old}")).status, 404);
    assert_eq!(
        post_control(&mock, &format!("{path}/00FF/activate")).status,
        404
    );
    assert_eq!(
        post_control(&mock, &format!("/_mock/apps/{WEB_APP}/certificates")).status,
        400
    );
    assert_eq!(
        post_control(
            &mock,
            "/_mock/apps/00000000-0000-0000-0000-000000000000/certificates"
        )
        .status,
        404
    );

    let config = mock.get("/_mock/config").json();
    let saml = &config["tenants"][0]["apps"][2]["saml"];
    assert_eq!(
        saml["preferred_token_signing_key_thumbprint"],
        thumbprint.as_str()
    );
    assert_eq!(saml["signing_certificates"].as_array().unwrap().len(), 1);
    mock.stop();
}

#[test]
fn tenant_federation_metadata_is_signed_and_shaped_like_the_capture() {
    let mock = Mock::start();
    let reply = mock.get(&format!(
        "/{TENANT}/federationmetadata/2007-06/federationmetadata.xml"
    ));
    assert_eq!(reply.status, 200);
    assert!(reply.header("content-type").unwrap().contains("xml"));
    let xml = reply.text;
    assert_eq!(
        attribute_of(&xml, "EntityDescriptor", "entityID").as_deref(),
        Some(format!("https://sts.windows.net/{TENANT}/").as_str())
    );
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let root = doc.root_element();
    let children: Vec<&str> = root
        .children()
        .filter(|n| n.is_element())
        .map(|n| n.tag_name().name())
        .collect();
    assert_eq!(
        children,
        [
            "Signature",
            "RoleDescriptor",
            "RoleDescriptor",
            "IDPSSODescriptor"
        ]
    );
    assert!(xml.contains("xsi:type=\"fed:SecurityTokenServiceType\""));
    assert!(xml.contains("xsi:type=\"fed:ApplicationServiceType\""));
    assert!(xml.contains("http://docs.oasis-open.org/wsfed/federation/200706"));
    let sso = format!("{}/{TENANT}/saml2", mock.base);
    assert_eq!(xml.matches(&format!("Location=\"{sso}\"")).count(), 3);
    // Signed with the tenant signing key (the one tokens name) published in the JWKS, and listing the
    // whole published key set.
    let jwks = mock.get(&format!("/{TENANT}/discovery/v2.0/keys")).json();
    let token = mock.client_credentials().json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let kid = jwt_parts(&token).0["kid"].clone();
    let published = jwks["keys"].as_array().unwrap();
    let signing_key = published.iter().find(|k| k["kid"] == kid).unwrap();
    let signing = certificate(signing_key["x5c"][0].as_str().unwrap());
    assert!(verifies_with(&xml, &signing));
    let listed = metadata_certificates(&xml);
    let published_certs: Vec<String> = published
        .iter()
        .map(|k| k["x5c"][0].as_str().unwrap().to_string())
        .collect();
    // The key set in each of the three roles (two RoleDescriptors and the IDPSSODescriptor).
    assert_eq!(listed, [&published_certs[..]; 3].concat());

    let common = mock
        .get("/common/federationmetadata/2007-06/federationmetadata.xml")
        .text;
    assert!(common.contains("entityID=\"https://sts.windows.net/{tenantid}/\""));
    assert_eq!(
        error_page_code(
            &mock.get("/nowhere.example/federationmetadata/2007-06/federationmetadata.xml")
        ),
        "90002"
    );
    assert_eq!(
        error_page_code(&mock.get(&format!("/{TENANT}/federationmetadata/2007-06/federationmetadata.xml?appid=00000000-0000-0000-0000-000000000000"))),
        "700016"
    );
    // The app document is signed by the app's certificate it lists.
    let app = app_metadata(&mock);
    assert!(verifies_with(&app, &app_signing_cert(&mock)));
    mock.stop();
}

#[test]
fn idp_initiated_sign_in_has_no_in_response_to() {
    let mock = Mock::start();
    let reply = saml2(&mock, &format!("appid={SAML_APP}&RelayState=home"));
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        form_value(&reply.text, "RelayState").as_deref(),
        Some("home")
    );
    let response = saml_response(&reply.text);
    assert!(!response.contains("InResponseTo"));
    assert!(verifies_with(
        &assertion_element(&response),
        &app_signing_cert(&mock)
    ));
    mock.stop();
}

/// The `Name`s of an assertion's attributes, in order.
fn attribute_names(xml: &str) -> Vec<String> {
    xml.split("<Attribute Name=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect()
}

#[test]
fn an_apps_name_id_format_and_attributes_are_what_its_assertions_carry() {
    let config = mock_sts::DEFAULT_CONFIG.replace(
        "acs_url = \"https://sp.contoso.example/saml/acs\"",
        "acs_url = \"https://sp.contoso.example/saml/acs\"\nname_id_format = \"persistent\"\nattributes = [\n  { name = \"urn:oid:0.9.2342.19200300.100.1.3\", source = \"user.mail\" },\n  { name = \"employeeid\", source = \"user.objectid\" },\n  { name = \"login\", source = \"user.userprincipalname\" },\n]",
    );
    let mock = Mock::with_config(&config);
    let reply = redirect_sign_in(
        &mock,
        &authn_request("id-attrs", SP_ENTITY, Some(SP_ACS), ""),
        "&login_hint=bob@contoso.onmicrosoft.com",
    );
    assert_eq!(reply.status, 200, "{}", reply.text);
    let response = saml_response(&reply.text);
    // No NameIDPolicy: the app's format, with its source (the UPN) as the value.
    assert_eq!(
        attribute_of(&response, "NameID", "Format").as_deref(),
        Some("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent")
    );
    assert_eq!(
        text_of(&response, "NameID").as_deref(),
        Some("bob@contoso.onmicrosoft.com")
    );
    // Entra's order: the directory's claims, then the app's, in the app's order.
    assert_eq!(
        attribute_names(&response),
        [
            "http://schemas.microsoft.com/identity/claims/tenantid",
            "http://schemas.microsoft.com/identity/claims/objectidentifier",
            "http://schemas.microsoft.com/identity/claims/displayname",
            "http://schemas.microsoft.com/identity/claims/identityprovider",
            "http://schemas.microsoft.com/claims/authnmethodsreferences",
            "urn:oid:0.9.2342.19200300.100.1.3",
            "employeeid",
            "login",
        ]
    );
    assert!(response.contains("<AttributeValue>bob@contoso.example</AttributeValue>"));
    assert!(verifies_with(
        &assertion_element(&response),
        &app_signing_cert(&mock)
    ));
    // A NameIDPolicy still decides: Entra honours the request's format.
    let asked = redirect_sign_in(
        &mock,
        &authn_request(
            "id-attrs-2",
            SP_ENTITY,
            Some(SP_ACS),
            "<samlp:NameIDPolicy Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\"/>",
        ),
        "&login_hint=bob@contoso.onmicrosoft.com",
    );
    assert_eq!(
        attribute_of(&saml_response(&asked.text), "NameID", "Format").as_deref(),
        Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress")
    );
    mock.stop();

    // The default configuration: Entra's default four after the directory's, emailAddress.
    let mock = Mock::start();
    let reply = redirect_sign_in(
        &mock,
        &authn_request("id-default", SP_ENTITY, Some(SP_ACS), ""),
        "",
    );
    let response = saml_response(&reply.text);
    assert_eq!(
        attribute_of(&response, "NameID", "Format").as_deref(),
        Some("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress")
    );
    assert_eq!(
        attribute_names(&response)[5..],
        [
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
        ]
    );
    mock.stop();

    // What the portal does not offer is refused with what it does.
    for (field, bad) in [
        ("name_id_format", "name_id_format = \"transient\""),
        (
            "attributes[0].source",
            "attributes = [{ name = \"x\", source = \"user.jobtitle\" }]",
        ),
    ] {
        let text = mock_sts::DEFAULT_CONFIG.replace(
            "acs_url = \"https://sp.contoso.example/saml/acs\"",
            &format!("acs_url = \"https://sp.contoso.example/saml/acs\"\n{bad}"),
        );
        let err = mock_sts::LoadedConfig::parse(&text, "test.toml", None)
            .unwrap_err()
            .to_string();
        assert!(err.contains(field), "{err}");
    }
}
