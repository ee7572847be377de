//! The browser's session with the mock over SAML, as a service provider sees it: a sign-in sets Entra's
//! `ESTSAUTH` cookie; with it a later AuthnRequest signs the same user in again (the assertion's
//! `AuthnInstant` stays the first sign-in's), `IsPassive` succeeds, and `ForceAuthn` signs in afresh;
//! without it `IsPassive` is answered with a SAML error Response, `NoPassive` / AADSTS50058.

mod common;
mod saml_support;

use common::*;
use saml_support::*;

const PASSIVE: &str = " IsPassive=\"true\"";
const FORCE: &str = " ForceAuthn=\"true\"";
const NO_PASSIVE: &str = "<samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Requester\"><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:NoPassive\"/></samlp:StatusCode>";

/// An AuthnRequest with extra attributes on its root (`IsPassive`, `ForceAuthn`).
fn request_with(id: &str, attributes: &str) -> String {
    authn_request(id, SP_ENTITY, Some(SP_ACS), "").replacen(
        " Version=\"2.0\"",
        &format!(" Version=\"2.0\"{attributes}"),
        1,
    )
}

/// A Redirect-binding sign-in, with the browser's cookies when it has a session.
fn sign_in(mock: &Mock, id: &str, attributes: &str, cookie: Option<&str>, extra: &str) -> Reply {
    let path = format!(
        "/{TENANT}/saml2?SAMLRequest={}&RelayState=back{extra}",
        redirect_value(&request_with(id, attributes))
    );
    match cookie {
        Some(cookie) => mock.get_with(&path, ("Cookie", cookie)),
        None => mock.get(&path),
    }
}

/// The `name=value` part of the session cookie the reply sets, and its attributes.
fn session_cookie(reply: &Reply) -> Option<(String, String)> {
    let set = reply
        .headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
        .map(|(_, value)| value.as_str())
        .find(|value| value.starts_with("ESTSAUTH="))?;
    let (pair, attributes) = set.split_once("; ")?;
    Some((pair.to_string(), attributes.to_string()))
}

fn authn_instant(response: &str) -> String {
    attribute_of(response, "AuthnStatement", "AuthnInstant").expect("AuthnInstant")
}

fn issue_instant(response: &str) -> String {
    attribute_of(response, "Assertion", "IssueInstant").expect("IssueInstant")
}

/// A Response that signs `upn` in, checked as a signature would be by the SP.
fn signed_in_as(mock: &Mock, reply: &Reply, upn: &str) -> String {
    assert_eq!(reply.status, 200, "{}", reply.text);
    let response = saml_response(&reply.text);
    assert!(
        response.contains("urn:oasis:names:tc:SAML:2.0:status:Success"),
        "{response}"
    );
    assert_eq!(text_of(&response, "NameID").as_deref(), Some(upn));
    let metadata = mock.get(&format!(
        "/{TENANT}/federationmetadata/2007-06/federationmetadata.xml?appid={SAML_APP}"
    ));
    let cert = certificate(&metadata_certificates(&metadata.text)[0]);
    assert!(verifies_with(&assertion_element(&response), &cert));
    response
}

fn assert_no_passive(reply: &Reply, id: &str) {
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(form_action(&reply.text).as_deref(), Some(SP_ACS));
    assert_eq!(
        form_value(&reply.text, "RelayState").as_deref(),
        Some("back")
    );
    let response = saml_response(&reply.text);
    assert!(response.contains(NO_PASSIVE), "{response}");
    assert_eq!(
        attribute_of(&response, "Response", "InResponseTo").as_deref(),
        Some(id)
    );
    let message = text_of(&response, "StatusMessage").unwrap();
    assert!(
        message.starts_with(
            "AADSTS50058: A silent sign-in request was sent but no user is signed in."
        ),
        "{message}"
    );
    assert!(message.contains(&format!(
        "Trace ID: {}",
        reply.header("x-ms-request-id").unwrap()
    )));
    assert!(!response.contains("<Assertion"), "{response}");
    assert!(session_cookie(reply).is_none(), "nobody signed in");
}

#[test]
fn is_passive_without_a_session_gets_no_passive() {
    let mock = Mock::start();
    assert_no_passive(&sign_in(&mock, "id-p1", PASSIVE, None, ""), "id-p1");
    // "1" is as true as "true"; a cookie that is not a session of this server is no session.
    assert_no_passive(
        &sign_in(&mock, "id-p2", " IsPassive=\"1\"", None, ""),
        "id-p2",
    );
    for forged in [
        "ESTSAUTH=garbage",
        "ESTSAUTH=djF8eHx5fDE.AAAA",
        "other=1; ESTSAUTH=",
    ] {
        assert_no_passive(&sign_in(&mock, "id-p3", PASSIVE, Some(forged), ""), "id-p3");
    }
    mock.stop();
}

#[test]
fn a_sign_in_starts_a_session_that_later_requests_use() {
    let mock = Mock::start();
    let first = sign_in(&mock, "id-s1", "", None, "");
    let first_response = signed_in_as(&mock, &first, ALICE);
    let (cookie, attributes) = session_cookie(&first).expect("a session cookie");
    // Plain HTTP: no `secure` (a browser would drop the cookie), so Lax rather than None.
    assert_eq!(attributes, "path=/; HttpOnly; SameSite=Lax");
    let signed_in_at = authn_instant(&first_response);
    assert_eq!(signed_in_at, issue_instant(&first_response));

    std::thread::sleep(std::time::Duration::from_millis(20));
    // Single sign-on: the same user, no new cookie, and the AuthnInstant of the first sign-in.
    let again = sign_in(&mock, "id-s2", "", Some(&cookie), "");
    let again_response = signed_in_as(&mock, &again, ALICE);
    assert_eq!(authn_instant(&again_response), signed_in_at);
    assert_ne!(issue_instant(&again_response), signed_in_at);
    assert!(session_cookie(&again).is_none());

    // IsPassive with the session succeeds the same way.
    let passive = sign_in(&mock, "id-s3", PASSIVE, Some(&cookie), "");
    let passive_response = signed_in_as(&mock, &passive, ALICE);
    assert_eq!(authn_instant(&passive_response), signed_in_at);
    assert_eq!(
        attribute_of(&passive_response, "SubjectConfirmationData", "InResponseTo").as_deref(),
        Some("id-s3")
    );

    // IdP-initiated sign-in (My Apps) uses it too.
    let idp = mock.get_with(
        &format!("/{TENANT}/saml2?appid={SAML_APP}"),
        ("Cookie", &cookie),
    );
    assert_eq!(
        authn_instant(&signed_in_as(&mock, &idp, ALICE)),
        signed_in_at
    );

    // ForceAuthn ignores it: a fresh sign-in, told apart by its AuthnInstant, and a new session.
    let forced = sign_in(&mock, "id-s4", FORCE, Some(&cookie), "");
    let forced_response = signed_in_as(&mock, &forced, ALICE);
    assert_ne!(authn_instant(&forced_response), signed_in_at);
    assert_eq!(
        authn_instant(&forced_response),
        issue_instant(&forced_response)
    );
    let (renewed, _) = session_cookie(&forced).expect("a new session");
    let after = sign_in(&mock, "id-s5", "", Some(&renewed), "");
    assert_eq!(
        authn_instant(&signed_in_as(&mock, &after, ALICE)),
        authn_instant(&forced_response)
    );

    // Passive and forced at once cannot be met without the user.
    assert_no_passive(
        &sign_in(
            &mock,
            "id-s6",
            &format!("{PASSIVE}{FORCE}"),
            Some(&cookie),
            "",
        ),
        "id-s6",
    );

    // A login_hint naming someone else signs them in afresh; passive, it cannot.
    let bob = "bob@contoso.onmicrosoft.com";
    let hinted = sign_in(
        &mock,
        "id-s7",
        "",
        Some(&cookie),
        &format!("&login_hint={}", url_encode(bob)),
    );
    let hinted_response = signed_in_as(&mock, &hinted, bob);
    assert_eq!(
        authn_instant(&hinted_response),
        issue_instant(&hinted_response)
    );
    assert!(session_cookie(&hinted).is_some());
    assert_no_passive(
        &sign_in(
            &mock,
            "id-s8",
            PASSIVE,
            Some(&cookie),
            &format!("&login_hint={}", url_encode(bob)),
        ),
        "id-s8",
    );
    mock.stop();

    // The session does not outlive the server that made it.
    let other = Mock::start();
    assert_no_passive(
        &sign_in(&other, "id-s9", PASSIVE, Some(&cookie), ""),
        "id-s9",
    );
    other.stop();
}
