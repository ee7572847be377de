//! Relying-party errors (kind `rp-error`): log lines and exception texts as the libraries print
//! them (the messages at the versions src/catalogue/library_messages.rs cites, filled as a real
//! failure fills them; testdata/rp-errors/ is made by examples/make_capture_fixtures.rs).

mod common;

use common::*;

/// Per line of testdata/rp-errors/lines.txt: the finding, and the values it must name.
const LINES: &[(&str, &[(&str, &str)])] = &[
    ("key-not-found", &[("kid", "nOo3ZDrODXEK1jKWhXslHR_KXEg")]),
    ("key-not-found", &[("kid", "nOo3ZDrODXEK1jKWhXslHR_KXEg")]),
    (
        "signature-invalid",
        &[("kid", "nOo3ZDrODXEK1jKWhXslHR_KXEg")],
    ),
    (
        "audience-mismatch",
        &[
            ("audience", "api://other-app"),
            ("expected_audience", "api://keyprobe-test"),
        ],
    ),
    (
        "issuer-mismatch",
        &[
            (
                "issuer",
                "https://sts.windows.net/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/",
            ),
            (
                "expected_issuer",
                "https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/v2.0",
            ),
        ],
    ),
    (
        "token-expired",
        &[
            ("expires", "6/1/2026 11:00:00 AM"),
            ("now", "6/1/2026 12:00:00 PM"),
        ],
    ),
    (
        "issuer-mismatch",
        &[(
            "issuer",
            "https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/v2.0",
        )],
    ),
    ("no-signing-keys", &[]),
    ("key-not-found", &[("kid", "nOo3ZDrODXEK1jKWhXslHR_KXEg")]),
    ("signature-invalid", &[]),
    ("token-expired", &[]),
    ("key-not-found", &[]),
    ("token-expired", &[]),
    ("key-not-found", &[]),
    ("token-expired", &[("expires", "2026-06-01T11:00:00Z")]),
    ("key-not-found", &[]),
    (
        "issuer-mismatch",
        &[(
            "expected_issuer",
            "https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/v2.0",
        )],
    ),
    (
        "issuer-mismatch",
        &[(
            "issuer",
            "https://sts.windows.net/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/",
        )],
    ),
    ("key-not-found", &[]),
    (
        "audience-mismatch",
        &[("expected_audience", "https://sp.contoso.example/saml")],
    ),
    ("token-expired", &[]),
];

#[test]
fn every_library_line_is_read_with_what_it_names() {
    let run = inspect(&["--lines", "testdata/rp-errors/lines.txt"]);
    let reports = run.json_lines();
    assert_eq!(reports.len(), LINES.len(), "{}", run.stdout);
    for (i, (r, (code, values))) in reports.iter().zip(LINES).enumerate() {
        assert_eq!(r["kind"], "rp-error", "line {}: {r}", i + 1);
        assert_eq!(r["verdict"], "error", "line {}", i + 1);
        assert_eq!(codes_of(r), [*code], "line {}: {r}", i + 1);
        for (name, value) in *values {
            assert_eq!(
                r["findings"][0]["evidence"][name],
                *value,
                "line {}: {name}",
                i + 1
            );
        }
        let decoded = &r["decoded"];
        for member in [
            "library",
            "message",
            "confirmed_in",
            "explanation",
            "confirm_with",
        ] {
            assert!(
                decoded[member].as_str().is_some_and(|s| !s.is_empty()),
                "line {}: no {member}: {decoded}",
                i + 1
            );
        }
        assert!(decoded["confirm_with"]
            .as_str()
            .unwrap()
            .starts_with("keyprobe inspect "));
    }
    assert_eq!(run.code, 1, "a failure happened");
}

#[test]
fn the_confirming_command_carries_what_the_line_names() {
    let reports = inspect(&["--lines", "testdata/rp-errors/lines.txt"]).json_lines();
    let confirm = |i: usize| {
        reports[i]["decoded"]["confirm_with"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        confirm(0).starts_with("keyprobe inspect TOKEN --jwks"),
        "{}",
        confirm(0)
    );
    assert_eq!(
        confirm(3),
        "keyprobe inspect TOKEN --audience api://keyprobe-test"
    );
    assert_eq!(
        confirm(4),
        "keyprobe inspect TOKEN --issuer https://login.microsoftonline.com/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/v2.0"
    );
    // IdentityModel's clock, read from its en-US timestamp, is the --at that replays it.
    assert_eq!(
        confirm(5),
        "keyprobe inspect TOKEN --at 2026-06-01T12:00:00Z"
    );
    assert!(confirm(18).starts_with("keyprobe inspect SAMLResponse --metadata"));
    assert_eq!(
        confirm(19),
        "keyprobe inspect SAMLResponse --audience https://sp.contoso.example/saml"
    );
}

#[test]
fn the_explanation_and_the_other_readings_are_shown() {
    let run = keyprobe(&["inspect", "--lines", "testdata/rp-errors/lines.txt"]);
    assert!(run.stdout.contains("explanation"));
    let r = &inspect(&["--lines", "testdata/rp-errors/lines.txt"]).json_lines()[0];
    assert_eq!(r["decoded"]["code"], "IDX10503");
    assert_eq!(r["decoded"]["library"], "Microsoft.IdentityModel 7.0–8.1");
    assert!(r["decoded"]["explanation"]
        .as_str()
        .unwrap()
        .contains("none of the keys you trust"));
    assert!(r["findings"][0]["seen_as"][0]
        .as_str()
        .unwrap()
        .starts_with("IDX10503: Signature validation failed. The token's kid is"));
    assert_eq!(r["decoded"]["explain"], "keyprobe explain IDX10503");
}

#[test]
fn a_traceback_a_structured_log_and_hidden_values() {
    let run = inspect(&["testdata/rp-errors/pyjwt-traceback.txt"]);
    let r = run.json();
    assert_eq!(r["kind"], "rp-error");
    assert_eq!(r["decoded"]["names"]["kid"], "nOo3ZDrODXEK1jKWhXslHR_KXEg");
    assert_eq!(run.code, 1);

    // passport-azure-ad logs through bunyan: one JSON record per line.
    let r = &inspect(&["--lines", "testdata/rp-errors/lines.txt"]).json_lines()[15];
    assert_eq!(r["decoded"]["library"], "passport-azure-ad 3.0.12, 4.1–4.3");

    // IdentityModel without ShowPII: the issuer is hidden, and the report says how to see it.
    let hidden = "IDX10205: Issuer validation failed. Issuer: '[PII of type 'System.String' is hidden. For more details, see https://aka.ms/IdentityModel/PII.]'. Did not match: validationParameters.ValidIssuer: '[PII of type 'System.String' is hidden. For more details, see https://aka.ms/IdentityModel/PII.]' or validationParameters.ValidIssuers: '[PII of type 'System.String' is hidden. For more details, see https://aka.ms/IdentityModel/PII.]' or validationParameters.ConfigurationManager.CurrentConfiguration.Issuer: 'Null'. For more details, see https://aka.ms/IdentityModel/issuer-validation. ";
    let r = inspect(&[hidden]).json();
    assert_eq!(r["decoded"]["library"], "Microsoft.IdentityModel 6.x–8.1");
    assert!(r["decoded"]["names"]["issuer"]
        .as_str()
        .unwrap()
        .contains("ShowPII"));
    assert_eq!(
        r["decoded"]["confirm_with"],
        "keyprobe inspect TOKEN --issuer EXPECTED_ISSUER"
    );
    assert!(r["decoded"]["and"][0]
        .as_str()
        .unwrap()
        .contains("ShowPII = true"));
}

#[test]
fn entra_errors_stay_entra_errors_and_other_text_is_not_a_library_error() {
    // MSAL relays Entra's error: that is Entra's text, explained as sts-error.
    let msal = "Microsoft.Identity.Client.MsalServiceException: AADSTS700027: Client assertion contains an invalid signature. [Reason - The key used is expired. Thumbprint of key used by client: 'B30F6D9A746B36BDB77324C64FAADD69CB795A43', Found key 'Start=06/02/2023 12:00:00, End=05/02/2026 12:00:00']";
    assert_eq!(inspect(&[msal]).json()["kind"], "sts-error");
    for text in [
        "hello world",
        "the deployment finished at noon",
        "signature",
    ] {
        assert_ne!(inspect(&[text]).json()["kind"], "rp-error", "{text}");
    }
}
