//! The sign-in flow of a capture: the exchanges that matter in order (identity endpoints,
//! pages, anything carrying an artifact), what each carried, and the first failure with its
//! cause, the app it was for and the fix.

use serde_json::{json, Map, Value};

use super::exchange::Exchange;
use super::summarise;
use crate::detect::Kind;
use crate::report::{Finding, Report, Verdict};

/// Hosts and paths of identity providers (Entra, AD FS, generic OIDC/SAML endpoints).
fn is_identity(host: &str, path: &str) -> bool {
    let host = host.to_ascii_lowercase();
    let path = path.to_ascii_lowercase();
    host.starts_with("login.")
        || host.contains("microsoftonline")
        || host.starts_with("sts.")
        || host.starts_with("adfs.")
        || [
            "/oauth2/",
            "/saml2",
            "/saml/",
            "/wsfed",
            "/.well-known/",
            "/discovery/",
            "federationmetadata",
            "/adfs/",
            "/authorize",
            "/token",
            "/acs",
            "/signin-",
            "/callback",
        ]
        .iter()
        .any(|p| path.contains(p))
}

/// One exchange as the flow shows it.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    pub entry: usize,
    pub method: String,
    pub host: String,
    pub path: String,
    pub status: Option<u16>,
    pub request_id: Option<String>,
    pub client_id: Option<String>,
    identity: bool,
    page_or_call: bool,
}

impl Step {
    pub(crate) fn new(x: &Exchange, query: &[(String, String)], form: &[(String, String)]) -> Step {
        let (host, path) = match url::Url::parse(&x.url) {
            Ok(u) => (u.host_str().unwrap_or("").to_string(), u.path().to_string()),
            Err(_) => (String::new(), x.url.chars().take(200).collect()),
        };
        let mime = x.response_mime();
        let static_type = matches!(
            x.resource_type.as_deref(),
            Some("script" | "stylesheet" | "image" | "font" | "media" | "ping" | "manifest")
        ) || mime.starts_with("image/")
            || mime.contains("javascript")
            || mime.contains("css")
            || mime.starts_with("font/");
        Step {
            entry: x.index,
            method: x.method.clone(),
            identity: is_identity(&host, &path),
            host,
            path,
            status: x.status,
            request_id: x.header("x-ms-request-id", true).map(str::to_string),
            client_id: query
                .iter()
                .chain(form)
                .find(|(n, _)| n == "client_id")
                .map(|(_, v)| v.clone()),
            page_or_call: !static_type,
        }
    }

    fn describe(&self) -> String {
        let status = self.status.map(|s| format!(" → {s}")).unwrap_or_default();
        format!(
            "#{} {} {}{}{status}",
            self.entry, self.method, self.host, self.path
        )
    }
}

struct Shown {
    step: Step,
    artifacts: Vec<usize>,
    notes: Vec<String>,
    app: Option<String>,
}

#[derive(Default)]
pub(crate) struct Flow {
    shown: Vec<Shown>,
    left_out: usize,
    /// The app the flow is for, as last named (a SAMLRequest's Issuer, a client_id).
    app: Option<String>,
}

impl Flow {
    pub(crate) fn push(
        &mut self,
        step: Step,
        artifacts: Vec<usize>,
        notes: Vec<String>,
        all: &[Report],
    ) {
        for &i in &artifacts {
            if let Some(r) = all.get(i) {
                if r.kind == Kind::SamlAuthnRequest {
                    if let Some(issuer) = r.decoded.as_value().get("issuer").and_then(Value::as_str)
                    {
                        self.app = Some(format!(
                            "'{issuer}' (the SAMLRequest's Issuer, #{})",
                            step.entry
                        ));
                    }
                }
            }
        }
        if let Some(client) = &step.client_id {
            self.app = Some(format!("client_id {client} (#{})", step.entry));
        }
        let relevant = !artifacts.is_empty()
            || !notes.is_empty()
            || (step.identity && step.page_or_call)
            || (step.page_or_call && step.status.is_some_and(|s| s >= 400));
        if relevant && self.shown.len() < crate::limits::MAX_CAPTURE_ARTIFACTS * 4 {
            self.shown.push(Shown {
                step,
                artifacts,
                notes,
                app: self.app.clone(),
            });
        } else {
            self.left_out += 1;
        }
    }

    /// The container's report, then the artifacts' reports in the order they were found.
    pub(crate) fn report(
        self,
        label: &str,
        kind: Kind,
        mut meta: Map<String, Value>,
        artifacts: Vec<Report>,
        mut findings: Vec<Finding>,
    ) -> Vec<Report> {
        let mut headline_artifact = None;
        let mut first_failure = Value::Null;
        'steps: for shown in &self.shown {
            // What the server answered explains a step better than what was sent to it.
            let mut order = shown.artifacts.clone();
            order.sort_by_key(|&i| artifacts.get(i).map(|r| r.kind != Kind::StsError));
            for &i in &order {
                let Some(r) = artifacts.get(i) else { continue };
                if r.verdict != Verdict::Error {
                    continue;
                }
                let Some(worst) = r.findings.first() else {
                    continue;
                };
                let app = shown
                    .app
                    .as_deref()
                    .map(|a| format!(" for app {a}"))
                    .unwrap_or_default();
                let message = format!(
                    "the sign-in failed at {}{app}: {}",
                    shown.step.describe(),
                    worst.message,
                );
                let headline = format!(
                    "{} at {}{app}. Fix: {}",
                    cause(worst),
                    shown.step.describe(),
                    first_sentences(&worst.hint, 2)
                );
                let mut f = worst.clone();
                f.message = message;
                f.evidence = json!({
                    "entry": shown.step.entry,
                    "request": format!("{} {}{}", shown.step.method, shown.step.host, shown.step.path),
                    "status": shown.step.status,
                    "app": shown.app,
                    "request_id": shown.step.request_id,
                    "artifact": r.input,
                    "cause": worst.evidence,
                })
                .into();
                first_failure = json!({
                    "entry": shown.step.entry,
                    "step": shown.step.describe(),
                    "app": shown.app,
                    "cause": worst.code,
                    "artifact": r.input,
                    "request_id": shown.step.request_id,
                });
                meta.insert("headline".into(), json!(headline));
                findings.insert(0, f);
                headline_artifact = Some(i);
                break 'steps;
            }
        }
        for (i, r) in artifacts.iter().enumerate() {
            if Some(i) == headline_artifact || r.verdict == Verdict::Ok {
                continue;
            }
            if let Some(worst) = r.findings.first() {
                findings.push(summarise(r, worst));
            }
        }
        if !first_failure.is_null() {
            meta.insert("first_failure".into(), first_failure);
        }
        let flow: Vec<Value> = self
            .shown
            .iter()
            .map(|s| {
                let mut found: Vec<String> = s
                    .artifacts
                    .iter()
                    .filter_map(|&i| artifacts.get(i))
                    .map(|r| {
                        format!(
                            "{}: {} ({})",
                            tail_name(&r.input),
                            r.kind.as_str(),
                            r.verdict.as_str()
                        )
                    })
                    .collect();
                found.extend(s.notes.iter().cloned());
                let mut v = json!({
                    "entry": s.step.entry,
                    "method": s.step.method,
                    "host": s.step.host,
                    "path": s.step.path,
                    "status": s.step.status,
                    "found": found,
                    "request_id": s.step.request_id,
                });
                if let Some(o) = v.as_object_mut() {
                    o.retain(|_, v| !v.is_null());
                }
                v
            })
            .collect();
        meta.insert("flow".into(), Value::Array(flow));
        if self.left_out > 0 {
            meta.insert(
                "left_out".into(),
                json!(format!("{} other requests (scripts, styles, images, unrelated calls) carry nothing keyprobe reads", self.left_out)),
            );
        }
        if artifacts.iter().any(|r| {
            matches!(
                r.kind,
                Kind::Jwks | Kind::Jwk | Kind::SamlMetadata | Kind::OidcDiscovery
            )
        }) {
            meta.insert("keys_in_capture".into(), json!("key sets and metadata in the capture are inspected as evidence, never trusted: give the issuer's metadata with --metadata (or --jwks) to verify signatures"));
        }
        meta.insert(
            "artifacts".into(),
            Value::Array(
                artifacts
                    .iter()
                    .map(|r| json!({"input": r.input, "kind": r.kind, "verdict": r.verdict}))
                    .collect(),
            ),
        );
        let mut out = vec![Report::new(label, kind, findings, Value::Object(meta))];
        out.extend(artifacts);
        out
    }
}

/// What failed, in the words the user will search for: the AADSTS code and its name when Entra
/// answered, else the finding code.
fn cause(f: &Finding) -> String {
    let evidence = f.evidence.as_value();
    let codes = evidence.get("aadsts").and_then(Value::as_array);
    match codes.and_then(|c| c.first()).and_then(Value::as_str) {
        Some(code) => match crate::catalogue::aadsts(code) {
            Some(e) => format!("AADSTS{code} {}", e.name),
            None => format!("AADSTS{code}"),
        },
        None => f.code.as_str().to_string(),
    }
}

/// The first `n` sentences of a text: enough of a fix for one line.
fn first_sentences(text: &str, n: usize) -> String {
    let mut end = text.len();
    let mut seen = 0;
    for (i, _) in text.match_indices(". ") {
        seen += 1;
        if seen == n {
            end = i + 1;
            break;
        }
    }
    text[..end].trim().to_string()
}

/// `capture.har#4.request.postData.SAMLResponse` → `request.postData.SAMLResponse`.
pub(crate) fn tail_name(input: &str) -> &str {
    input
        .rfind('#')
        .and_then(|i| input[i..].find('.').map(|j| &input[i + j + 1..]))
        .unwrap_or(input)
}
