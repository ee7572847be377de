//! SAML single logout over real HTTP against an in-process mock-sts, as Microsoft's "Single Sign-Out
//! SAML Protocol" page describes it: a LogoutRequest over HTTP-Redirect ends the browser's session and is
//! answered by a signed Redirect-binding LogoutResponse to the app's logout URL; Entra's error page for
//! what it does not take.

mod common;
mod saml_support;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use common::*;
use openssl::hash::MessageDigest;
use openssl::sign::Verifier;
use saml_support::*;
use std::io::Read;

const LOGOUT_URL: &str = "https://sp.contoso.example/saml/logout";

fn logout_request(id: &str, issuer: &str, attributes: &str) -> String {
    format!(
        "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"{id}\" Version=\"2.0\" IssueInstant=\"2026-01-01T00:00:00Z\" Destination=\"https://login.microsoftonline.com/{TENANT}/saml2\"{attributes}><saml:Issuer>{issuer}</saml:Issuer><saml:NameID Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\">{ALICE}</saml:NameID><samlp:SessionIndex>_whatever</samlp:SessionIndex></samlp:LogoutRequest>"
    )
}

fn session_of(reply: &Reply) -> String {
    reply
        .headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
        .find_map(|(_, value)| value.strip_prefix("ESTSAUTH="))
        .map(|value| format!("ESTSAUTH={}", value.split(';').next().unwrap_or_default()))
        .expect("a session cookie")
}

fn set_cookies(reply: &Reply) -> Vec<&str> {
    reply
        .headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, value)| value.as_str())
        .collect()
}

fn signs_in(mock: &Mock) -> String {
    let reply = mock.get(&format!(
        "/{TENANT}/saml2?SAMLRequest={}",
        redirect_value(&authn_request("id-in", SP_ENTITY, Some(SP_ACS), ""))
    ));
    assert!(
        reply.text.contains("name=\"SAMLResponse\""),
        "{}",
        reply.text
    );
    session_of(&reply)
}

fn inflate(b64: &str) -> String {
    let raw = STANDARD.decode(b64).unwrap();
    let mut xml = String::new();
    flate2::read::DeflateDecoder::new(raw.as_slice())
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

fn page_message(reply: &Reply) -> String {
    assert_eq!(reply.status, 400, "{}", reply.text);
    page_line(&reply.text, "Message:").expect("Entra's error page")
}

#[test]
fn a_logout_request_ends_the_session_and_is_answered_at_the_logout_url() {
    let mock = Mock::start();
    let cookie = signs_in(&mock);
    let path = format!(
        "/{TENANT}/saml2?SAMLRequest={}&RelayState={}",
        redirect_value(&logout_request("id-out-1", SP_ENTITY, "")),
        url_encode("back to / home")
    );
    let reply = mock.get_with(&path, ("Cookie", &cookie));
    assert_eq!(reply.status, 302, "{}", reply.text);
    let location = reply.header("location").unwrap();
    let query = location
        .strip_prefix(&format!("{LOGOUT_URL}?"))
        .unwrap_or_else(|| panic!("{location}"));

    // The session cookie is emptied and expired; with what the browser keeps, IsPassive finds no session.
    let cleared = set_cookies(&reply);
    assert_eq!(cleared.len(), 1, "{cleared:?}");
    assert!(cleared[0]
        .starts_with("ESTSAUTH=; expires=Thu, 01 Jan 1970 00:00:00 GMT; max-age=0; path=/"));
    let passive = mock.get_with(
        &format!(
            "/{TENANT}/saml2?SAMLRequest={}",
            redirect_value(
                &authn_request("id-after", SP_ENTITY, Some(SP_ACS), "").replacen(
                    " Version=\"2.0\"",
                    " Version=\"2.0\" IsPassive=\"true\"",
                    1
                )
            )
        ),
        ("Cookie", "ESTSAUTH="),
    );
    assert!(saml_response(&passive.text).contains("status:NoPassive"));

    // SAMLResponse, RelayState, Signature, SigAlg, in the order of a captured Entra logout redirect,
    // percent-encoded in lower case.
    let names: Vec<&str> = query
        .split('&')
        .map(|pair| pair.split('=').next().unwrap())
        .collect();
    assert_eq!(names, ["SAMLResponse", "RelayState", "Signature", "SigAlg"]);
    assert!(
        query.contains("&RelayState=back+to+%2f+home&Signature="),
        "{query}"
    );
    assert!(
        query.ends_with("&SigAlg=http%3a%2f%2fwww.w3.org%2f2001%2f04%2fxmldsig-more%23rsa-sha256"),
        "{query}"
    );
    let params = query_of(location, '?');
    let response = inflate(param(&params, "SAMLResponse").unwrap());
    assert_eq!(param(&params, "RelayState"), Some("back to / home"));

    // The LogoutResponse of Microsoft's page: Success, InResponseTo, the tenant as issuer.
    let doc = roxmltree::Document::parse(&response).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "LogoutResponse");
    assert_eq!(root.attribute("InResponseTo"), Some("id-out-1"));
    assert_eq!(root.attribute("Version"), Some("2.0"));
    assert_eq!(root.attribute("Destination"), Some(LOGOUT_URL));
    assert!(root.attribute("ID").unwrap().starts_with('_'));
    assert_eq!(root.attribute("IssueInstant").unwrap().len(), 24);
    assert_eq!(
        text_of(&response, "Issuer").as_deref(),
        Some(format!("https://sts.windows.net/{TENANT}/").as_str())
    );
    assert_eq!(
        attribute_of(&response, "StatusCode", "Value").as_deref(),
        Some("urn:oasis:names:tc:SAML:2.0:status:Success")
    );

    // Signed over the octets as sent (SAMLResponse, RelayState, SigAlg: SAML bindings 3.4.4.1), with the
    // certificate the app's metadata publishes.
    let (message, rest) = query.split_once("&Signature=").unwrap();
    let (_, sig_alg) = rest.split_once('&').unwrap();
    let signed = format!("{message}&{sig_alg}");
    let signature = STANDARD
        .decode(param(&params, "Signature").unwrap())
        .unwrap();
    assert!(!signature.is_empty(), "{signature:?}");
    let metadata = mock.get(&format!(
        "/{TENANT}/federationmetadata/2007-06/federationmetadata.xml?appid={SAML_APP}"
    ));
    let cert = certificate(&metadata_certificates(&metadata.text)[0]);
    let key = cert.public_key().unwrap();
    let mut verifier = Verifier::new(MessageDigest::sha256(), &key).unwrap();
    assert!(verifier
        .verify_oneshot(&signature, signed.as_bytes())
        .unwrap());
    mock.stop();
}

#[test]
fn without_a_logout_url_entra_signs_out_and_stays_on_its_page() {
    let config = mock_sts::DEFAULT_CONFIG.replace(&format!("logout_url = \"{LOGOUT_URL}\"\n"), "");
    assert!(!config.contains("logout_url = \""));
    let mock = Mock::with_config(&config);
    let cookie = signs_in(&mock);
    let reply = mock.get_with(
        &format!(
            "/{TENANT}/saml2?SAMLRequest={}",
            redirect_value(&logout_request("id-out-2", SP_ENTITY, ""))
        ),
        ("Cookie", &cookie),
    );
    assert_eq!(reply.status, 200);
    assert!(
        reply.text.contains("You signed out of your account"),
        "{}",
        reply.text
    );
    assert!(set_cookies(&reply)[0].starts_with("ESTSAUTH=; "));
    mock.stop();
}

#[test]
fn what_entra_does_not_take_ends_on_its_error_page() {
    let mock = Mock::start();
    let get = |xml: &str| {
        mock.get(&format!(
            "/{TENANT}/saml2?SAMLRequest={}",
            redirect_value(xml)
        ))
    };
    // An issuer that is no app of the tenant.
    let message = page_message(&get(&logout_request(
        "id-x",
        "https://elsewhere.example",
        "",
    )));
    assert!(message.starts_with("AADSTS700016: "), "{message}");
    // No ID; expired (NotOnOrAfter past, beyond five minutes of skew).
    let no_id = logout_request("id-y", SP_ENTITY, "").replacen(" ID=\"id-y\"", "", 1);
    assert!(page_message(&get(&no_id)).starts_with("AADSTS75005: "));
    let expired = logout_request("id-z", SP_ENTITY, " NotOnOrAfter=\"2020-01-01T00:00:00Z\"");
    assert!(page_message(&get(&expired)).starts_with("AADSTS75005: "));
    let current = logout_request("id-z", SP_ENTITY, " NotOnOrAfter=\"2999-01-01T00:00:00Z\"");
    assert_eq!(get(&current).status, 302);
    // The POST binding, and a LogoutResponse sent to the endpoint.
    let posted = mock.post_form(
        &format!("/{TENANT}/saml2"),
        &[(
            "SAMLRequest",
            &STANDARD.encode(logout_request("id-p", SP_ENTITY, "")),
        )],
    );
    let message = page_message(&posted);
    assert!(message.starts_with("AADSTS7500514: "), "{message}");
    assert!(message.contains("HTTP-POST"), "{message}");
    let response = "<samlp:LogoutResponse xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"r\" Version=\"2.0\" IssueInstant=\"2026-01-01T00:00:00Z\"/>";
    assert!(page_message(&get(response)).contains("the request was 'LogoutResponse'"));
    // Nothing ended: no cookie is touched by a request Entra refused.
    assert!(set_cookies(&get(&no_id)).is_empty());
    mock.stop();
}

#[test]
fn apps_that_require_signed_requests_need_signed_logout_requests() {
    let sp = sp_key("SP");
    let other = sp_key("someone else");
    let config = mock_sts::DEFAULT_CONFIG.replace(
        "acs_url = \"https://sp.contoso.example/saml/acs\"",
        &format!(
            "acs_url = \"https://sp.contoso.example/saml/acs\"\nverification_certificates = [{{ pem = \"\"\"{}\"\"\" }}]\nrequire_signed_requests = true",
            pem(&sp.cert)
        ),
    );
    let mock = Mock::with_config(&config);
    let xml = logout_request("id-s", SP_ENTITY, "");
    let unsigned = mock.get(&format!(
        "/{TENANT}/saml2?SAMLRequest={}",
        redirect_value(&xml)
    ));
    assert!(page_message(&unsigned).starts_with("AADSTS76021: "));
    let forged = mock.get(&format!(
        "/{TENANT}/saml2?{}",
        signed_query(&xml, Some("rs"), RSA_SHA256, &other)
    ));
    assert!(page_message(&forged).starts_with("AADSTS"));
    let signed = mock.get(&format!(
        "/{TENANT}/saml2?{}",
        signed_query(&xml, Some("rs"), RSA_SHA256, &sp)
    ));
    assert_eq!(signed.status, 302, "{}", signed.text);
    assert!(signed.header("location").unwrap().starts_with(LOGOUT_URL));
    mock.stop();
}

#[test]
fn without_a_signing_certificate_the_answer_is_aadsts50003_and_the_config_shows_the_logout_url() {
    let mock = Mock::with_scenario(mock_sts::Scenario::MissingSigningKey);
    let reply = mock.get(&format!(
        "/{TENANT}/saml2?SAMLRequest={}",
        redirect_value(&logout_request("id-m", SP_ENTITY, ""))
    ));
    assert!(page_message(&reply).starts_with("AADSTS50003: "));
    let config = mock.get("/_mock/config").json();
    let apps = config["tenants"][0]["apps"].as_array().unwrap();
    let saml_app = apps.iter().find(|a| a["client_id"] == SAML_APP).unwrap();
    assert_eq!(saml_app["saml"]["logout_url"], LOGOUT_URL);
    mock.stop();
}
