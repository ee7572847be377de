//! The reproduction's files: `mock-sts.toml` (mock-sts's configuration format), `replay.sh` (curl),
//! `fix.sh` (the fix to try, on the mock) and `README.md` (what was seen, how it is reproduced, the fix).

use std::fmt::Write as _;
use std::path::Path;

use keyprobe_core::reproduce::{Fix, Surface};

use super::assertion;
use super::plan::{toml_array, toml_string, AppKind, Plan, PlannedApp};
use super::replay::{shell_quote, shell_quote_if_needed, Endpoint};

/// The prefix of a configuration line that only the fix turns on.
pub(crate) const FIX_PREFIX: &str = "#fix: ";

fn comment_block(out: &mut String, text: &str) {
    let options = textwrap::Options::new(100)
        .break_words(false)
        .word_splitter(textwrap::WordSplitter::NoHyphenation);
    for line in textwrap::wrap(text, options) {
        let _ = writeln!(out, "# {line}");
    }
}

pub(crate) fn config(plan: &Plan) -> String {
    let mut out = String::new();
    comment_block(
        &mut out,
        &format!(
            "mock-sts configuration written by `keyprobe reproduce` from {}. Start it with: {}",
            plan.input,
            plan.command(Path::new("mock-sts.toml"))
        ),
    );
    comment_block(
        &mut out,
        &format!("What the input showed: {}.", seen_line(plan)),
    );
    comment_block(
        &mut out,
        "Nothing secret or personal comes from the input: the secrets below are new, user names and object ids are placeholders, and mock-sts makes its own keys and certificates in its state directory.",
    );
    if !plan.name_id_formats.is_empty() {
        comment_block(
            &mut out,
            &format!(
                "NameID formats seen: {}. mock-sts answers with the format the AuthnRequest asks for (replay.sh sends the request as captured), and with the SAML app's name_id_format when it asks for none.",
                plan.name_id_formats.join(", ")
            ),
        );
    }
    let attribute_names: Vec<String> = plan
        .apps
        .iter()
        .flat_map(|a| a.saml_attributes.iter().map(|(n, _)| n.clone()))
        .collect();
    if !attribute_names.is_empty() {
        comment_block(
            &mut out,
            &format!(
                "SAML attribute names seen (after Entra's directory claims; values left out): {}. They are the SAML app's attributes below, each with the user attribute its value looked like it came from (source): check the sources against the app's Attributes & Claims.",
                attribute_names.join(", ")
            ),
        );
    }
    if !plan.token_versions.is_empty() {
        let versions: Vec<String> = plan
            .token_versions
            .iter()
            .map(|v| format!("v{v}"))
            .collect();
        comment_block(
            &mut out,
            &format!("Token versions seen: {}.", versions.join(", ")),
        );
    }
    if !plan.claim_names.is_empty() {
        let optional = optional_claims_seen(plan);
        comment_block(
            &mut out,
            &format!(
                "Claim names seen: {}. {}mock-sts issues Entra's standard claims as Entra does; other claims (claim mapping) are not configurable in it.",
                plan.claim_names.join(", "),
                if optional.is_empty() {
                    String::new()
                } else {
                    format!("Optional claims among them ({}) are the apps' optional_claims below; ", optional.join(", "))
                }
            ),
        );
    }
    if plan
        .apps
        .iter()
        .any(|a| !a.fix_lines.is_empty() || !a.registered)
    {
        comment_block(
            &mut out,
            &format!(
                "Lines starting with `{}` are the fix: see README.md.",
                FIX_PREFIX.trim()
            ),
        );
    }
    if plan.client_certificate_files && !plan.apps.iter().any(|a| a.client_certificate) {
        comment_block(
            &mut out,
            &format!(
                "The client's certificate ({}, made by keyprobe reproduce) is not registered on the app: that is the failure. fix.sh uploads it.",
                assertion::CERT_FILE
            ),
        );
    }
    out.push('\n');
    let _ = writeln!(out, "[[tenants]]");
    let _ = writeln!(out, "id = {}", toml_string(&plan.tenant_id));
    let _ = writeln!(
        out,
        "display_name = {}",
        toml_string(&format!("Reproduction of {}", plan.input))
    );
    let _ = writeln!(out, "domains = {}", toml_array(&plan.domains));
    for app in &plan.apps {
        out.push('\n');
        app_block(&mut out, app);
    }
    let needs_mail = mail_claimed(plan);
    for (n, user) in plan.users.iter().enumerate() {
        out.push('\n');
        let _ = writeln!(out, "[[tenants.users]]");
        let _ = writeln!(out, "user_principal_name = {}", toml_string(user));
        let _ = writeln!(
            out,
            "display_name = {}",
            toml_string(&format!("User {}", n + 1))
        );
        if needs_mail {
            // A claim comes from the user's mail: a placeholder one, so that the claim is issued.
            let _ = writeln!(out, "email = {}", toml_string(user));
        }
    }
    out
}

/// A configured claim takes its value from the user's mail (Entra leaves it out for a user without one).
fn mail_claimed(plan: &Plan) -> bool {
    plan.apps.iter().any(|a| {
        a.saml_attributes
            .iter()
            .any(|(_, s)| *s == keyprobe_core::claims::source::MAIL)
            || a.id_token_claims
                .iter()
                .chain(&a.access_token_claims)
                .any(|c| c == "email" || c == "verified_primary_email")
    })
}

/// The optional claims written into the apps' configuration, each once.
fn optional_claims_seen(plan: &Plan) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for name in plan
        .apps
        .iter()
        .flat_map(|a| a.id_token_claims.iter().chain(&a.access_token_claims))
    {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    names
}

/// `optional_claims = { id_token = [...], access_token = [...] }`, the lists that are not empty.
fn optional_claims_line(app: &PlannedApp) -> Option<String> {
    let mut parts = Vec::new();
    if !app.id_token_claims.is_empty() {
        parts.push(format!("id_token = {}", toml_array(&app.id_token_claims)));
    }
    if !app.access_token_claims.is_empty() {
        parts.push(format!(
            "access_token = {}",
            toml_array(&app.access_token_claims)
        ));
    }
    (!parts.is_empty()).then(|| format!("optional_claims = {{ {} }}", parts.join(", ")))
}

fn app_block(out: &mut String, app: &PlannedApp) {
    let mut block = String::new();
    let _ = writeln!(block, "[[tenants.apps]]");
    let _ = writeln!(block, "client_id = {}", toml_string(&app.client_id));
    let _ = writeln!(block, "display_name = {}", toml_string(&app.display_name));
    match app.kind {
        AppKind::Saml => {
            let _ = writeln!(block, "kind = \"saml\"");
            let _ = writeln!(block, "[tenants.apps.saml]");
            if let Some(e) = &app.entity_id {
                let _ = writeln!(block, "entity_id = {}", toml_string(e));
            }
            if let Some(a) = &app.acs_url {
                let _ = writeln!(block, "acs_url = {}", toml_string(a));
            }
            if !app.reply_urls.is_empty() {
                let _ = writeln!(block, "reply_urls = {}", toml_array(&app.reply_urls));
            }
            if let Some(format) = app.name_id_format {
                let _ = writeln!(block, "name_id_format = {}", toml_string(format));
            }
            if !app.saml_attributes.is_empty() {
                let _ = writeln!(block, "attributes = [");
                for (name, source) in &app.saml_attributes {
                    let _ = writeln!(
                        block,
                        "  {{ name = {}, source = {} }},",
                        toml_string(name),
                        toml_string(source)
                    );
                }
                let _ = writeln!(block, "]");
            }
            for line in &app.fix_lines {
                let _ = writeln!(block, "{FIX_PREFIX}{line}");
            }
        }
        AppKind::Confidential => {
            let _ = writeln!(block, "kind = \"confidential\"");
            if !app.redirect_uris.is_empty()
                || !app.fix_lines.iter().any(|l| l.starts_with("redirect_uris"))
            {
                let _ = writeln!(block, "redirect_uris = {}", toml_array(&app.redirect_uris));
            }
            if !app.spa_redirect_uris.is_empty() {
                let _ = writeln!(
                    block,
                    "spa_redirect_uris = {}",
                    toml_array(&app.spa_redirect_uris)
                );
            }
            let _ = writeln!(
                block,
                "app_id_uris = {}",
                toml_array(&[format!("api://{}", app.client_id)])
            );
            if let Some(v) = app.access_token_version {
                let _ = writeln!(block, "access_token_version = {v}");
            }
            if !app.scopes.is_empty() {
                let _ = writeln!(block, "scopes = {}", toml_array(&app.scopes));
            }
            if let Some(line) = optional_claims_line(app) {
                let _ = writeln!(block, "{line}");
            }
            for line in &app.fix_lines {
                let _ = writeln!(block, "{FIX_PREFIX}{line}");
            }
            if let Some(secret) = &app.secret {
                let _ = writeln!(block, "[[tenants.apps.secrets]]");
                let _ = writeln!(block, "display_name = \"made by keyprobe reproduce\"");
                let _ = writeln!(block, "value = {}", toml_string(secret));
            }
            if app.client_certificate {
                let _ = writeln!(block, "# The client's certificate, made by keyprobe reproduce (its key is client-key.pem).");
                let _ = writeln!(block, "[[tenants.apps.certificates]]");
                let _ = writeln!(block, "path = {}", toml_string(assertion::CERT_FILE));
            }
        }
    }
    if app.registered {
        out.push_str(&block);
    } else {
        let _ = writeln!(
            out,
            "# The app the request names is not registered (AADSTS700016); the fix registers it:"
        );
        for line in block.lines() {
            let _ = writeln!(out, "{FIX_PREFIX}{line}");
        }
    }
}

fn seen_line(plan: &Plan) -> String {
    match &plan.seen {
        Some(s) => format!("{} at {}", s.label, s.at),
        None => "no failure".to_string(),
    }
}

/// The sentence that says how the scenario reproduces what was seen, or why it cannot.
pub(crate) fn verdict_line(plan: &Plan) -> String {
    match (plan.reproduction, &plan.not_reproduced) {
        (Some(r), _) => format!("reproduced by scenario {}: {}", r.scenario, r.how),
        (None, Some(why)) => format!("not reproduced: {why}"),
        (None, None) => "not reproduced".to_string(),
    }
}

pub(crate) fn replay_script(plan: &Plan) -> String {
    let mut out = String::from("#!/usr/bin/env bash\n");
    comment_block(
        &mut out,
        &format!(
            "Replays the requests of {} against mock-sts: the tenant, paths and parameters as captured; secrets, codes, signatures and cookies not (see README.md). Usage: ./replay.sh MOCK_STS_URL (the address mock-sts prints; the environment's MOCK_STS_URL when not given). Prints each answer's status and AADSTS code; exits 1 when Entra's answer is an AADSTS error, 0 when the sign-in goes through. ISSUED=FILE keeps what the mock issued (the page posting the SAMLResponse, or the access token) in FILE.",
            plan.input
        ),
    );
    out.push_str("set -uo pipefail\n");
    out.push_str("MOCK=\"${1:-${MOCK_STS_URL:-}}\"\n");
    out.push_str("if [ -z \"$MOCK\" ]; then echo \"usage: $0 MOCK_STS_URL (the address mock-sts printed; or set MOCK_STS_URL)\" >&2; exit 2; fi\n");
    out.push_str("MOCK=\"${MOCK%/}\"\n");
    if plan.client_certificate_files {
        out.push_str("HERE=\"$(cd \"$(dirname \"$0\")\" && pwd)\"\n");
        let ahead = if plan.scenario == "expired-client-assertion" {
            keyprobe_core::reproduce::EXPIRED_CLIENT_ASSERTION_CLOCK_AHEAD_SECONDS
        } else {
            0
        };
        comment_block(
            &mut out,
            "Client assertions are signed afresh at the STS's time with the captured window (nbf, exp) where the captured one was: FRESH_ASSERTION=1 signs them as a client with a correct clock would, at the time of sending.",
        );
        let _ = writeln!(out, "STS_CLOCK_AHEAD={ahead}");
        out.push_str(assertion::SHELL_HELPERS);
        for request in &plan.requests {
            if let Some(shape) = request.assertion() {
                out.push_str(&shape.shell_function(&request.assertion_function()));
            }
        }
    }
    if let Some(secret) = &plan.replay_secret {
        let why = if plan
            .reproduction
            .is_some_and(|r| r.fix == Fix::SendRightSecret)
        {
            "a secret the app does not have, as in the capture"
        } else {
            "the app's secret in mock-sts.toml"
        };
        let _ = writeln!(out, "# The client secret sent: {why}.");
        let _ = writeln!(out, "CLIENT_SECRET=\"${{CLIENT_SECRET:-{secret}}}\"");
    }
    out.push_str(REPLAY_FUNCTIONS);
    if plan.requests.iter().any(|r| r.code_from.is_some()) {
        out.push_str(FRESH_CODE_FUNCTIONS);
    }
    let rp_keys = rp_key_source(plan);
    for request in &plan.requests {
        let what = match request.endpoint {
            Endpoint::Saml => "saml",
            Endpoint::Authorize => "authorize",
            Endpoint::Token => "token",
        };
        let mut line = format!(
            "send {what} {} {}",
            shell_quote(&request.label()),
            request.curl_args()
        );
        if let Some(authorize) = &request.code_from {
            let label = format!(
                "(a fresh code for {}) GET {}",
                request.label().split(' ').next().unwrap_or_default(),
                authorize.path
            );
            line = format!(
                "new_verifier\nfresh_code {} {} &&\n  {line}",
                shell_quote(&label),
                authorize.curl_args()
            );
        }
        let _ = writeln!(out, "{line}");
    }
    if let Some(keys) = rp_keys {
        let _ = writeln!(
            out,
            "# The relying party's check, as your app makes it: what the mock issued, against what it publishes."
        );
        let _ = writeln!(out, "relying_party {keys}");
    }
    out.push_str(REPLAY_END);
    out
}

/// For a relying party's failure: the keyprobe flag and key source a relying party would use.
fn rp_key_source(plan: &Plan) -> Option<String> {
    let r = plan.reproduction?;
    if !matches!(
        r.failure,
        keyprobe_core::reproduce::Failure::RelyingParty(_)
    ) {
        return None;
    }
    Some(match r.surface {
        Surface::SamlSignIn => format!(
            "--metadata \"$MOCK\"{}",
            shell_quote(&format!(
                "/{}/federationmetadata/2007-06/federationmetadata.xml?appid={}",
                plan.tenant_id,
                plan.fix_app().map_or("", |a| a.client_id.as_str())
            ))
        ),
        _ => format!(
            "--jwks \"$MOCK\"{}",
            shell_quote(&format!("/{}/discovery/v2.0/keys", plan.tenant_id))
        ),
    })
}

const REPLAY_FUNCTIONS: &str = r#"body="$(mktemp)"; issued="$(mktemp)"; trap 'rm -f "$body" "$issued"' EXIT
failed=""
# send ENDPOINT LABEL CURL-ARGS...: one request; its status, AADSTS code or what it got.
send() {
  local what="$1" label="$2"; shift 2
  local out status location code
  out="$(curl -sS -o "$body" -w '%{http_code} %{redirect_url}' "$@")" || { echo "$label: curl failed"; failed="curl"; return; }
  status="${out%% *}"; location="${out#* }"
  code="$(grep -oE 'AADSTS[0-9]+' "$body" | head -n 1)"
  if [ -z "$code" ] && [ -n "$location" ]; then code="$(printf '%s' "$location" | grep -oE 'AADSTS[0-9]+' | head -n 1)"; fi
  if [ -n "$code" ]; then
    echo "$label -> $status $code"
    failed="$code"
  elif [ "$what" = saml ] && grep -q 'name="SAMLResponse"' "$body"; then
    cp "$body" "$issued.html"; mv "$issued.html" "$issued"
    echo "$label -> $status signed SAMLResponse posted to $(grep -oE 'action="[^"]*"' "$body" | head -n 1 | sed 's/^action="//; s/"$//')"
  elif [ "$what" = token ] && grep -q '"access_token"' "$body"; then
    grep -oE '"access_token":"[^"]+"' "$body" | cut -d'"' -f4 > "$issued"
    echo "$label -> $status access token issued"
  elif [ "$what" = authorize ] && [ -n "$location" ]; then
    echo "$label -> $status redirect to ${location%%[?#]*}"
  else
    echo "$label -> $status (no AADSTS code)"
  fi
}
# relying_party KEY-SOURCE-FLAGS...: keyprobe checks what was issued as the relying party would.
relying_party() {
  local keyprobe="${KEYPROBE:-keyprobe}" report code
  if [ ! -s "$issued" ]; then echo "relying party: nothing was issued to check"; return; fi
  if ! command -v "$keyprobe" > /dev/null; then echo "relying party: not checked (keyprobe is not on PATH; set KEYPROBE)"; failed="${failed:-not-checked}"; return; fi
  report="$(NO_COLOR=1 "$keyprobe" inspect "$issued" "$@")"
  case $? in
    0) echo "relying party (keyprobe inspect $*): ok$(printf '%s' "$report" | grep -q 'signature-verified' && echo ', signature verified')" ;;
    1) code="$(printf '%s\n' "$report" | sed -n 's/^ *✗ \([a-z0-9-]*\).*/\1/p' | head -n 1)"
       echo "relying party (keyprobe inspect $*): ${code:-error}"
       failed="${code:-error}" ;;
    *) echo "relying party: keyprobe could not check it"; failed="${failed:-not-checked}" ;;
  esac
}
"#;

/// Authorization-code redemptions: a fresh code from the mock's /authorize, a fresh PKCE verifier.
const FRESH_CODE_FUNCTIONS: &str = r#"# new_verifier: a PKCE verifier of replay.sh's own and its S256 challenge (before the /authorize request).
new_verifier() {
  VERIFIER="$(openssl rand -base64 48 | tr '+/' '-_' | tr -d '=\n')"
  CHALLENGE="$(printf '%s' "$VERIFIER" | openssl dgst -sha256 -binary | openssl base64 -A | tr '+/' '-_' | tr -d '=')"
}
# fresh_code LABEL CURL-ARGS...: the mock's /authorize, not followed; CODE from its redirect (query or
# fragment) or its form_post page. A captured code is meaningless to a fresh mock, so it is never sent.
fresh_code() {
  local label="$1"; shift
  local out status location code
  CODE=""
  out="$(curl -sS -o "$body" -w '%{http_code} %{redirect_url}' "$@")" || { echo "$label: curl failed"; failed="curl"; return 1; }
  status="${out%% *}"; location="${out#* }"
  CODE="$(printf '%s' "$location" | sed -n 's/.*[?&#]code=\([^&]*\).*/\1/p')"
  if [ -z "$CODE" ]; then CODE="$(grep -oE 'name="code" value="[^"]*"' "$body" | head -n 1 | sed 's/.*value="//; s/"$//')"; fi
  CODE="$(printf '%b' "${CODE//%/\\x}")"
  if [ -n "$CODE" ]; then echo "$label -> $status a fresh authorization code"; return 0; fi
  code="$(cat "$body" <(printf '%s' "$location") | grep -oE 'AADSTS[0-9]+' | head -n 1)"
  echo "$label -> $status no code${code:+ ($code)}: the redemption is not sent"
  failed="${code:-no-code}"
  return 1
}
"#;

const REPLAY_END: &str = r#"if [ -n "${ISSUED:-}" ] && [ -s "$issued" ]; then cp "$issued" "$ISSUED"; echo "what the mock issued: $ISSUED"; fi
if [ -n "$failed" ]; then echo "replay: $failed"; exit 1; fi
echo "replay: no error"
"#;

pub(crate) fn fix_script(plan: &Plan) -> String {
    let mut out = String::from("#!/usr/bin/env bash\n");
    comment_block(
        &mut out,
        "The fix to try, applied to the running mock-sts. Usage: ./fix.sh http://127.0.0.1:PORT, then ./replay.sh again.",
    );
    out.push_str("set -euo pipefail\n");
    out.push_str("MOCK=\"${1:-${MOCK_STS_URL:-}}\"\n");
    out.push_str("if [ -z \"$MOCK\" ]; then echo \"usage: $0 MOCK_STS_URL (the address mock-sts printed; or set MOCK_STS_URL)\" >&2; exit 2; fi\n");
    out.push_str("MOCK=\"${MOCK%/}\"\nHERE=\"$(cd \"$(dirname \"$0\")\" && pwd)\"\n");
    let Some(r) = plan.reproduction else {
        out.push_str("echo 'no fix: the failure in the input has no mock-sts scenario (see README.md)' >&2\nexit 1\n");
        return out;
    };
    let app = plan
        .fix_app()
        .map(|a| a.client_id.clone())
        .unwrap_or_default();
    match r.fix {
        Fix::NewSamlCertificate => {
            let _ = writeln!(out, "APP={}", shell_quote(&app));
            out.push_str(r#"# Portal: the app's SAML Signing Certificate, New Certificate, then Make certificate active.
THUMBPRINT="$(curl -fsS -X POST -H 'content-type: application/json' -d '{}' "$MOCK/_mock/apps/$APP/certificates" | grep -oE '"thumbprint":"[0-9A-Fa-f]+"' | cut -d'"' -f4)"
echo "new certificate $THUMBPRINT"
curl -fsS -X POST -H 'content-type: application/json' -d '{}' "$MOCK/_mock/apps/$APP/certificates/$THUMBPRINT/activate" > /dev/null
echo "certificate $THUMBPRINT is active"
"#);
        }
        Fix::PublishNewKey => {
            out.push_str(r#"# The issuer publishes its new signing key (the key set now has the new and the old key).
curl -fsS -X PUT -H 'content-type: application/json' -d '{"scenario":"rotated-keys"}' "$MOCK/_mock/scenario" > /dev/null
echo "the new signing key is published (scenario rotated-keys); the relying party refreshes its key set"
"#);
        }
        Fix::NewClientSecret => {
            out.push_str(r#"# Portal: Certificates & secrets, New client secret; the client gets its value. On the mock the
# app's secret in mock-sts.toml is in force again once the scenario is healthy.
curl -fsS -X PUT -H 'content-type: application/json' -d '{"scenario":"healthy"}' "$MOCK/_mock/scenario" > /dev/null
echo "the app has a client secret in force (scenario healthy)"
"#);
        }
        Fix::SendRightSecret => {
            out.push_str(r#"# The fix is the client's: send the secret's value as mock-sts.toml has it.
SECRET="$(grep -A2 '^\[\[tenants.apps.secrets\]\]' "$HERE/mock-sts.toml" | sed -n 's/^value = "\(.*\)"$/\1/p' | head -n 1)"
echo "the client sends the app's secret: replay with"
echo "  CLIENT_SECRET='$SECRET' $HERE/replay.sh $MOCK"
"#);
        }
        Fix::UploadClientCertificate | Fix::RenewClientCertificate => {
            let app = plan
                .assertion_app()
                .map(|a| a.client_id.clone())
                .unwrap_or_default();
            let _ = writeln!(out, "APP={}", shell_quote(&app));
            if r.fix == Fix::RenewClientCertificate {
                out.push_str(r#"# Portal: the certificate credential has expired. Make a new certificate (here with openssl, replacing
# client-cert.pem and client-key.pem), upload it, and have the client sign with it (replay.sh does).
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 365 -subj '/CN=keyprobe reproduce client (renewed)' \
  -keyout "$HERE/client-key.pem" -out "$HERE/client-cert.pem" 2> /dev/null
chmod 600 "$HERE/client-key.pem"
echo "new client certificate in $HERE/client-cert.pem"
"#);
            } else {
                out.push_str("# Portal: App registrations, the app, Certificates & secrets, Upload certificate (its public part).\n");
            }
            out.push_str(r#"curl -fsS -X POST -H 'X-Mock-STS: 1' -H 'content-type: application/x-pem-file' --data-binary @"$HERE/client-cert.pem" "$MOCK/_mock/apps/$APP/client-certificates" > /dev/null
echo "client certificate $(openssl x509 -in "$HERE/client-cert.pem" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g') uploaded to app $APP"
"#);
        }
        Fix::FreshClientAssertion => {
            out.push_str(r#"# The fix is the client's: sign each assertion when it is sent, with a correct clock (NTP), inside its
# validity window; not one made earlier and cached, nor one from a clock that is behind.
echo "the client sends an assertion inside its window: replay with"
echo "  FRESH_ASSERTION=1 $HERE/replay.sh $MOCK"
"#);
        }
        Fix::CustomSigningKey | Fix::RegisterRedirectUri | Fix::RegisterApp => {
            let _ = writeln!(
                out,
                "# Portal: {}. In the mock: the `#fix:` lines of mock-sts.toml, then a restart.",
                match r.fix {
                    Fix::CustomSigningKey =>
                        "give the app its own signing key (or stop mapping claims)",
                    Fix::RegisterRedirectUri => "add the redirect (reply) URI to the app",
                    _ => "register the app in the tenant (or send the right client id)",
                }
            );
            let _ = writeln!(out, "sed -i 's/^{FIX_PREFIX}//' \"$HERE/mock-sts.toml\"");
            let _ = writeln!(
                out,
                "echo \"mock-sts.toml changed: restart mock-sts (stop it: kill \\$MOCK_STS_PID when --detach started it; start it again: mock-sts --config $HERE/mock-sts.toml --scenario {} --state-dir $HERE/state) and replay\"",
                plan.scenario
            );
        }
    }
    out
}

pub(crate) fn readme(plan: &Plan, dir: &Path) -> String {
    let dir_shown = shell_quote_if_needed(&dir.display().to_string());
    let config_path = dir.join("mock-sts.toml");
    let mut out = String::new();
    let _ = writeln!(out, "# Reproduction of {}\n", plan.input);
    let _ = writeln!(out, "Written by `keyprobe reproduce`.\n");
    out.push_str("## What was seen\n\n");
    match &plan.seen {
        Some(s) => {
            let _ = writeln!(out, "{} at {}:\n", s.label, s.at);
            let _ = writeln!(out, "> {}\n", s.message.replace('\n', "\n> "));
        }
        None => out.push_str("No failure: every artifact in the input checked out.\n\n"),
    }
    let _ = writeln!(
        out,
        "Read from the input (kinds: {}): tenant {}{}; {} app(s){}.\n",
        plan.kinds.join(", "),
        plan.tenant_id,
        if plan.tenant_seen {
            ""
        } else {
            " (not in the input: a new GUID)"
        },
        plan.apps.len(),
        if plan.domains.is_empty() {
            String::new()
        } else {
            format!("; domains {}", plan.domains.join(", "))
        }
    );
    for app in &plan.apps {
        let mut line = format!(
            "- {} `{}`{}",
            match app.kind {
                AppKind::Saml => "SAML app",
                AppKind::Confidential => "OIDC/OAuth app",
            },
            app.client_id,
            if app.client_id_seen {
                ""
            } else {
                " (client id made here: the input has none)"
            }
        );
        if let Some(e) = &app.entity_id {
            let _ = write!(line, ", entity id `{e}`");
        }
        if let Some(a) = &app.acs_url {
            let _ = write!(line, ", ACS `{a}`");
        }
        if !app.redirect_uris.is_empty() {
            let _ = write!(line, ", redirect URIs `{}`", app.redirect_uris.join("`, `"));
        }
        if !app.spa_redirect_uris.is_empty() {
            let _ = write!(
                line,
                ", single-page-app redirect URIs `{}`",
                app.spa_redirect_uris.join("`, `")
            );
        }
        if let Some(v) = app.access_token_version {
            let _ = write!(line, ", v{v} access tokens");
        }
        if let Some(format) = app.name_id_format {
            let _ = write!(line, ", NameID format {format}");
        }
        if !app.saml_attributes.is_empty() {
            let names: Vec<&str> = app
                .saml_attributes
                .iter()
                .map(|(n, _)| n.as_str())
                .collect();
            let _ = write!(line, ", attributes `{}`", names.join("`, `"));
        }
        if let Some(claims) = optional_claims_line(app) {
            let _ = write!(line, ", `{claims}`");
        }
        if !app.registered {
            line.push_str(" (not registered: that is the failure)");
        }
        let _ = writeln!(out, "{line}");
    }
    if !plan.name_id_formats.is_empty() {
        let _ = writeln!(out, "- NameID formats: {}", plan.name_id_formats.join(", "));
    }
    if !plan.claim_names.is_empty() {
        let _ = writeln!(
            out,
            "- claim names: {} (mock-sts issues Entra's standard set and the apps' optional claims)",
            plan.claim_names.join(", ")
        );
    }
    out.push_str("\nNot carried over: secrets, cookies, codes, assertions and signatures.");
    // Say only what was made: a SAML-only reproduction has no client secret.
    let mut made = Vec::new();
    if plan.apps.iter().any(|a| a.secret.is_some()) {
        made.push("the client secrets in `mock-sts.toml`");
    }
    let fresh_state = plan.requests.iter().any(|r| {
        r.query
            .iter()
            .chain(&r.form)
            .any(|(name, _)| name == "state" || name == "nonce")
    });
    if fresh_state {
        made.push("state and nonce values");
    }
    if plan.client_certificate_files {
        made.push("a client certificate and its key (`client-cert.pem`, `client-key.pem`), which replay.sh signs client assertions with");
    }
    if !made.is_empty() {
        let _ = write!(out, " Made here: {}.", made.join(", and "));
    }
    out.push_str(" mock-sts makes its own keys and certificates.");
    let _ = writeln!(
        out,
        " Replaced by placeholders of the same shape: {} user name(s) and {} object id(s).\n",
        plan.replaced_users, plan.replaced_ids
    );
    out.push_str("## The reproduction\n\n");
    let _ = writeln!(out, "{}.\n", capitalise(&verdict_line(plan)));
    out.push_str("```sh\n");
    let start = format!("eval \"$({} --detach)\"", plan.command(&config_path));
    let _ = writeln!(out, "{start}");
    out.push_str("# --detach returns once it serves and prints MOCK_STS_URL=… and MOCK_STS_PID=… (eval sets them)\n");
    let _ = writeln!(out, "{dir_shown}/replay.sh \"$MOCK_STS_URL\"");
    out.push_str("```\n\n");
    if let Some(r) = plan.reproduction {
        let expect = match r.failure {
            keyprobe_core::reproduce::Failure::Aadsts(code)
            | keyprobe_core::reproduce::Failure::AadstsReason(code, _) => format!("ends with `replay: AADSTS{code}`"),
            keyprobe_core::reproduce::Failure::AppSide(_) => "ends with `replay: AADSTS50003`".to_string(),
            keyprobe_core::reproduce::Failure::RelyingParty(_) => format!(
                "gets what Entra issues and ends with `replay: {}`: the failure is the relying party's, which replay.sh checks with keyprobe (on PATH, or named by KEYPROBE)",
                plan.seen.as_ref().map_or("", |s| s.label.as_str())
            ),
        };
        let _ = writeln!(out, "The replay {expect}.\n");
        if r.surface == Surface::TokenEndpoint || r.surface == Surface::SamlSignIn {
            if let Some(note) = rp_check(plan, r.surface, &dir_shown) {
                out.push_str(&note);
            }
        }
    }
    out.push_str("What the replay sends, request by request:\n\n");
    for request in &plan.requests {
        let _ = writeln!(out, "- {}", request.label());
        for change in &request.changes {
            let _ = writeln!(out, "  - {change}");
        }
    }
    if plan.requests.is_empty() {
        out.push_str("- nothing: the input carried no request to Entra, and none can be made up for this failure\n");
    }
    out.push_str("\n## The fix to try\n\n");
    match plan.reproduction {
        Some(r) => {
            let _ = writeln!(out, "{}\n", fix_text(plan, r.fix));
            out.push_str("```sh\n");
            let _ = writeln!(out, "{dir_shown}/fix.sh \"$MOCK_STS_URL\"");
            if matches!(
                r.fix,
                Fix::CustomSigningKey | Fix::RegisterRedirectUri | Fix::RegisterApp
            ) {
                out.push_str("# the fix is in the configuration: restart mock-sts\n");
                out.push_str("kill \"$MOCK_STS_PID\"\n");
                let _ = writeln!(out, "{start}");
            }
            if r.fix == Fix::FreshClientAssertion {
                let _ = writeln!(
                    out,
                    "FRESH_ASSERTION=1 {dir_shown}/replay.sh \"$MOCK_STS_URL\""
                );
            } else if r.fix == Fix::SendRightSecret {
                let _ = writeln!(
                    out,
                    "CLIENT_SECRET=\"$(sed -n 's/^value = \"\\(.*\\)\"$/\\1/p' {dir_shown}/mock-sts.toml | head -n 1)\" {dir_shown}/replay.sh \"$MOCK_STS_URL\""
                );
            } else {
                let _ = writeln!(out, "{dir_shown}/replay.sh \"$MOCK_STS_URL\"");
            }
            out.push_str("```\n\nThe replay then goes through.");
            if matches!(r.fix, Fix::NewSamlCertificate | Fix::PublishNewKey) {
                out.push_str(
                    " The same actions are buttons on mock-sts's dashboard, at `$MOCK_STS_URL/_mock/`.",
                );
            }
            out.push('\n');
        }
        None => {
            let _ = writeln!(
                out,
                "None on the mock: {}.",
                plan.not_reproduced.as_deref().unwrap_or("nothing to fix")
            );
        }
    }
    out
}

/// For a relying party's failure: how to see it with keyprobe on what the mock answered.
fn rp_check(plan: &Plan, surface: Surface, dir: &str) -> Option<String> {
    let r = plan.reproduction?;
    if !matches!(
        r.failure,
        keyprobe_core::reproduce::Failure::RelyingParty(_)
    ) {
        return None;
    }
    let app = plan.fix_app()?;
    let metadata = match surface {
        Surface::SamlSignIn => format!(
            "$MOCK_STS_URL/{}/federationmetadata/2007-06/federationmetadata.xml?appid={}",
            plan.tenant_id, app.client_id
        ),
        _ => format!(
            "$MOCK_STS_URL/{}/v2.0/.well-known/openid-configuration",
            plan.tenant_id
        ),
    };
    Some(format!(
        "The relying party's side: replay.sh checks what the mock issued against what it publishes, as your app does. To check it yourself, keep what was issued and inspect it:\n\n```sh\nISSUED=issued.txt {dir}/replay.sh \"$MOCK_STS_URL\"\nkeyprobe inspect issued.txt --metadata \"{metadata}\"\n```\n\nnames the failure ({}).\n\n",
        plan.seen.as_ref().map_or("", |s| s.label.as_str())
    ))
}

fn fix_text(plan: &Plan, fix: Fix) -> String {
    let app = plan
        .fix_app()
        .map(|a| a.client_id.as_str())
        .unwrap_or("APP");
    match fix {
        Fix::NewSamlCertificate => format!(
            "In the Entra portal: Enterprise applications, the app, Single sign-on, SAML Signing Certificate: New Certificate, then Make certificate active (and remove the unused one). On the mock, `fix.sh` does the same through the control API: `POST $MOCK/_mock/apps/{app}/certificates`, then `POST $MOCK/_mock/apps/{app}/certificates/THUMBPRINT/activate`."
        ),
        Fix::CustomSigningKey => "Give the app an application-specific signing key (or stop requiring mapped claims). On the mock, `fix.sh` turns on `custom_signing_key = true` in mock-sts.toml (the `#fix:` line); restart mock-sts.".to_string(),
        Fix::PublishNewKey => "The relying party must find the key the token names: the issuer publishes it, and the relying party refreshes its cached key set (IdentityModel and MSAL refresh on an unknown kid; a pinned key set does not). On the mock, `fix.sh` switches to scenario rotated-keys (`PUT $MOCK/_mock/scenario`), where the key set publishes the new key.".to_string(),
        Fix::NewClientSecret => "The app's client secret has expired: create a new one (portal: App registrations, the app, Certificates & secrets, New client secret) and give its value to the client; remove the expired one. On the mock, `fix.sh` switches to scenario healthy (`PUT $MOCK/_mock/scenario`), where the app's secret in mock-sts.toml is in force again.".to_string(),
        Fix::SendRightSecret => "The client must send the secret's value (not its id, not an expired or deleted one). The app's secret on the mock is the `value` in mock-sts.toml; replay with it.".to_string(),
        Fix::RegisterRedirectUri => "Add the redirect (reply) URI the request sends to the app's registration (portal: App registrations, the app, Authentication; for SAML: Basic SAML Configuration, Reply URL). On the mock, `fix.sh` turns on the `#fix:` line of mock-sts.toml; restart mock-sts.".to_string(),
        Fix::RegisterApp => "Send the client id (or SAML identifier) of an app registered in this tenant, or register the app. On the mock, `fix.sh` turns on the commented-out app (`#fix:` lines) in mock-sts.toml; restart mock-sts.".to_string(),
        Fix::UploadClientCertificate => format!(
            "Upload the certificate the client signs its assertions with to the app (portal: App registrations, the app, Certificates & secrets, Certificates, Upload certificate: the public part, a .cer/.pem). On the mock, `fix.sh` uploads client-cert.pem (the certificate keyprobe made, whose key replay.sh signs with) through the control API: `POST $MOCK/_mock/apps/{}/client-certificates` with the PEM as the body.",
            plan.assertion_app().map_or("APP", |a| a.client_id.as_str())
        ),
        Fix::RenewClientCertificate => format!(
            "The app's certificate credential has expired: make a new certificate, upload it to the app (portal: App registrations, the app, Certificates & secrets, Upload certificate), have the client sign with it, and remove the expired one. On the mock, `fix.sh` makes a new client-cert.pem and client-key.pem with openssl and uploads the certificate (`POST $MOCK/_mock/apps/{}/client-certificates`); replay.sh signs with the new key.",
            plan.assertion_app().map_or("APP", |a| a.client_id.as_str())
        ),
        Fix::FreshClientAssertion => format!(
            "The fix is the client's: each client assertion made when it is sent, by a machine whose clock is right (NTP), with `nbf`/`iat` at that time and `exp` a few minutes later (MSAL makes them so); not an assertion made earlier and cached, nor one from a clock that is behind. replay.sh signs the captured window by default; `FRESH_ASSERTION=1` makes it sign as such a client would{}.",
            plan.requests
                .iter()
                .find_map(|r| r.assertion()?.lifetime())
                .map(|l| format!(" (the captured assertion's {l} s window, starting at the time of sending)"))
                .unwrap_or_default()
        ),
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
