//! Error bodies byte for byte against Entra's captures: with the capture's trace id, correlation id and
//! time, the catalogue must render exactly the captured JSON.

mod common;

use common::shared_samples;
use mock_sts::internals::{AadCode, AadError, RequestIds};
use time::macros::datetime;
use time::OffsetDateTime;

fn ids(trace: &str, correlation: &str, at: OffsetDateTime) -> RequestIds {
    RequestIds {
        trace_id: trace.to_string(),
        correlation_id: correlation.to_string(),
        at,
    }
}

fn capture(name: &str) -> String {
    std::fs::read_to_string(shared_samples().join("errors").join(name)).unwrap()
}

fn rendered(error: &AadError, ids: &RequestIds) -> String {
    serde_json::to_string_pretty(&error.to_json(ids)).unwrap()
}

#[test]
fn invalid_client_secret_matches_the_2020_capture_byte_for_byte() {
    let ids = ids(
        "b179b7db-c957-4917-a1b6-66fab2042a00",
        "4cfc9c81-660f-4a1a-ba0b-87db205c5461",
        datetime!(2020-04-07 20:52:51 UTC),
    );
    let error = AadError::new(AadCode::InvalidClientSecret);
    assert_eq!(
        rendered(&error, &ids),
        capture("real-invalid_client-7000215-v1-endpoint-2020.json")
    );
    assert_eq!(error.status(), 401);
}

#[test]
fn invalid_scope_matches_the_documented_sample_byte_for_byte() {
    let ids = ids(
        "0000aaaa-11bb-cccc-dd33-eeeeee333333",
        "aaaa0000-bb11-2222-33cc-444444dddddd",
        datetime!(2016-01-09 02:02:12 UTC),
    );
    let error = AadError::new(AadCode::InvalidScope)
        .arg("scope", "https://example.contoso.com/activity.read");
    assert_eq!(
        rendered(&error, &ids),
        capture("doc-invalid_scope-70011.json")
    );
}

#[test]
fn custom_signing_key_required_matches_the_2025_capture_apart_from_the_elided_trailer() {
    let ids = ids(
        "cd3629d0-29fa-41bc-8b55-47a321311700",
        "9fb1a69e-93e7-4f24-9a50-280d6fcc7d40",
        datetime!(2025-04-07 11:52:54 UTC),
    );
    let ours: serde_json::Value = AadError::new(AadCode::CustomSigningKeyRequired).to_json(&ids);
    let mut theirs: serde_json::Value =
        serde_json::from_str(&capture("real-invalid_request-50146-2025.json")).unwrap();
    // The reporter cut the description after Entra's sentence; compare that sentence and everything else.
    let captured = theirs["error_description"]
        .as_str()
        .unwrap()
        .split(" [...")
        .next()
        .unwrap()
        .to_string();
    let description = ours["error_description"].as_str().unwrap().to_string();
    assert!(description.starts_with(&captured), "{description}");
    theirs["error_description"] = ours["error_description"].clone();
    assert_eq!(
        serde_json::to_string(&ours).unwrap(),
        serde_json::to_string(&theirs).unwrap()
    );
}

#[test]
fn assertion_time_range_text_matches_the_2024_capture() {
    let error = AadError::new(AadCode::AssertionOutsideValidTime)
        .arg("now", "2024-05-28T06:01:42.5853621Z")
        .arg("not_before", "2024-05-28T02:19:01.0000000Z")
        .arg("expires", "2024-05-28T02:29:01.0000000Z");
    let capture = capture("real-invalid_client-700024-2024.txt");
    let captured_message = capture.split(" Trace ID: ").next().unwrap();
    assert_eq!(error.message(), captured_message);
}

#[test]
fn unregistered_assertion_certificate_keeps_the_captured_reason_text() {
    let error = AadError::new(AadCode::AssertionCertificateNotRegistered)
        .arg("thumbprint", "8BDEB513EAC11E9E9DA752EB9D5087F317F6D931")
        .arg("client_id", "26790ce1-d05c-4de7-ba73-51837152f0bc");
    let capture = capture("real-invalid_client-700027-2022.txt");
    // 2026 wording replaced the first sentence; the bracketed reason and the advice after it are the capture's.
    let captured_reason = &capture[capture.find("[Reason - ").unwrap()..].trim_end();
    assert!(
        error.message().ends_with(captured_reason),
        "{}",
        error.message()
    );
    assert!(error.message().starts_with(
        "AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application."
    ));
}
