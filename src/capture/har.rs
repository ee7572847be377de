//! Browser and proxy captures: HAR 1.2 (Chrome, Edge, Firefox and Safari devtools, Fiddler,
//! Charles, Playwright) and SAML-tracer's JSON export. The capture is read as a stream, one
//! exchange at a time; every artifact along the sign-in flow is inspected where it travels, and
//! the container's report lists the flow in order with the first failure and its cause first.
//!
//! Keys a capture carries (a JWKS or metadata response) are inspected as evidence; they never
//! become trusted keys.

use std::collections::HashMap;
use std::io::Read;

use keyprobe_core::digest::sha256;
use serde_json::{json, Map, Value};

use super::artifact::{self, Found};
use super::exchange::Exchange;
use super::flow::{Flow, Step};
use super::stream::{self, Counting, StreamError};
use crate::catalogue::FindingCode;
use crate::detect::Kind;
use crate::inspect::Settings;
use crate::limits::{MAX_CAPTURE_ARTIFACTS, MAX_CAPTURE_ENTRIES, MAX_CAPTURE_ENTRY_BYTES};
use crate::report::{Finding, Report};
use crate::trust::TrustStore;

/// Which recorder wrote the capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Har,
    SamlTracer,
}

impl Format {
    pub fn kind(self) -> Kind {
        match self {
            Format::Har => Kind::Har,
            Format::SamlTracer => Kind::SamlTracer,
        }
    }
}

/// Recognises a capture from its first bytes: a JSON object whose first member is `log` (HAR)
/// or `requests` (SAML-tracer).
pub fn sniff(head: &[u8]) -> Option<Format> {
    let text = String::from_utf8_lossy(head);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    let rest = t.strip_prefix('{')?.trim_start();
    if rest.starts_with("\"log\"") {
        Some(Format::Har)
    } else if rest.starts_with("\"requests\"") {
        Some(Format::SamlTracer)
    } else {
        None
    }
}

/// How far reading has come: entries read and bytes consumed.
pub type Progress<'a> = &'a mut dyn FnMut(usize, u64);

/// Inspects a capture read from `input`; the container's report first, then one per artifact.
pub fn inspect<R: Read>(
    label: &str,
    format: Format,
    input: R,
    trust: &TrustStore,
    settings: &Settings,
    progress: Progress<'_>,
) -> Vec<Report> {
    let counting = Counting::new(input);
    let bytes = counting.read.clone();
    let mut walker = Walker {
        label,
        trust,
        settings,
        flow: Flow::default(),
        artifacts: Vec::new(),
        seen: HashMap::new(),
        entries: 0,
    };
    let mut meta = Map::new();
    let result = read(format, counting, &mut meta, &mut |x| {
        walker.exchange(x);
        progress(walker.entries, bytes.get());
    });
    let mut findings = Vec::new();
    if let Err(e) = &result {
        findings.push(Finding::new(
            FindingCode::Malformed,
            format!("{e}; the {} entries before it were read", walker.entries),
        ));
    }
    if walker.entries == 0 && result.is_ok() {
        findings.push(Finding::new(
            FindingCode::Unrecognised,
            "the capture holds no requests: was it saved before the sign-in, or filtered?",
        ));
    }
    meta.insert("bytes".into(), json!(bytes.get()));
    walker
        .flow
        .report(label, format.kind(), meta, walker.artifacts, findings)
}

struct Walker<'a> {
    label: &'a str,
    trust: &'a TrustStore,
    settings: &'a Settings,
    flow: Flow,
    artifacts: Vec<Report>,
    /// Values already inspected (by digest) and where: a SAMLResponse is in the IdP's form and in
    /// the browser's POST to the app.
    seen: HashMap<[u8; 32], String>,
    entries: usize,
}

impl Walker<'_> {
    fn exchange(&mut self, x: Exchange) {
        self.entries += 1;
        let at = format!("{}#{}", self.label, x.index);
        let mut found: Vec<(String, Found)> = Vec::new();
        let mut query_pairs: Vec<(String, String)> = Vec::new();
        if let Ok(url) = url::Url::parse(&x.url) {
            query_pairs = url
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            if let Some((name, _)) = query_pairs
                .iter()
                .find(|(n, _)| n == "SAMLRequest" || n == "SAMLResponse")
            {
                // The whole URL: the binding reads the query-string signature over its octets.
                let loc = format!("{at}.request.url.{name}");
                if let Some(f) = self.once(&loc, &x.url, |l| {
                    Found::Report(crate::inspect(
                        &crate::input::Input::new(l, x.url.as_bytes()),
                        self.trust,
                        self.settings,
                    ))
                }) {
                    found.push((loc, f));
                }
            }
            self.params(&mut found, &format!("{at}.request.url"), &query_pairs);
        }
        if let Some(auth) = x.header("authorization", false) {
            if let Some(token) = auth
                .strip_prefix("Bearer ")
                .or_else(|| auth.strip_prefix("bearer "))
            {
                let loc = format!("{at}.request.headers.Authorization");
                let (trust, settings) = (self.trust, self.settings);
                if let Some(Some(f)) = self.once_opt(&loc, token, |l| {
                    artifact::param(l, "access_token", token, trust, settings)
                }) {
                    found.push((loc, f));
                }
            }
        }
        let form = if x.method.eq_ignore_ascii_case("POST") {
            x.form()
        } else {
            Vec::new()
        };
        self.params(&mut found, &format!("{at}.request.postData"), &form);
        if let Some(xml) = &x.decoded_saml {
            if !found.iter().any(|(_, f)| matches!(f, Found::Report(_))) {
                let loc = format!("{at}.saml");
                if let Some(f) = self.once(&loc, xml, |l| {
                    Found::Report(crate::inspect(
                        &crate::input::Input::new(l, xml.as_bytes()),
                        self.trust,
                        self.settings,
                    ))
                }) {
                    found.push((loc, f));
                }
            }
        }
        for location in [x.header("location", true), x.redirect_url.as_deref()]
            .into_iter()
            .flatten()
            .take(1)
        {
            if let Ok(url) = url::Url::parse(location) {
                let mut pairs: Vec<(String, String)> = url
                    .query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                if let Some(fragment) = url.fragment() {
                    pairs.extend(
                        form_urlencoded::parse(fragment.as_bytes())
                            .map(|(k, v)| (k.into_owned(), v.into_owned())),
                    );
                }
                self.params(&mut found, &format!("{at}.response.redirectURL"), &pairs);
            }
        }
        if let Some(text) = &x.content {
            let loc = format!("{at}.response.content");
            for (l, f, value) in
                artifact::body(&loc, &x.response_mime(), text, self.trust, self.settings)
            {
                // A form's value is the one the browser posts next: inspected once.
                match value {
                    Some(v) if matches!(f, Found::Report(_)) => {
                        if let Some(f) = self.once(&l, &v, |_| f) {
                            found.push((l, f));
                        }
                    }
                    _ => found.push((l, f)),
                }
            }
        }
        let step = Step::new(&x, &query_pairs, &form);
        let mut reports = Vec::new();
        let mut notes = Vec::new();
        for (loc, f) in found {
            match f {
                Found::Report(r) if self.artifacts.len() < MAX_CAPTURE_ARTIFACTS => {
                    reports.push(self.artifacts.len());
                    self.artifacts.push(r);
                }
                Found::Report(_) => notes.push(format!(
                    "{loc}: not inspected (more than {MAX_CAPTURE_ARTIFACTS} artifacts in one capture)"
                )),
                Found::Note(n) => notes.push(format!("{}: {n}", super::flow::tail_name(&loc))),
            }
        }
        self.flow.push(step, reports, notes, &self.artifacts);
    }

    /// Tokens, SAML messages, credentials and OAuth errors in named parameters.
    fn params(&mut self, found: &mut Vec<(String, Found)>, at: &str, pairs: &[(String, String)]) {
        for (name, value) in pairs {
            if (name == "SAMLRequest" || name == "SAMLResponse") && at.ends_with(".request.url") {
                continue; // read above, with the whole URL
            }
            let loc = format!("{at}.{name}");
            let (trust, settings) = (self.trust, self.settings);
            if let Some(f) = self.once(&loc, value, |l| {
                artifact::param(l, name, value, trust, settings)
                    .unwrap_or(Found::Note(String::new()))
            }) {
                if !matches!(&f, Found::Note(n) if n.is_empty()) {
                    found.push((loc, f));
                }
            }
        }
        if let Some(f) =
            artifact::oauth_error(&format!("{at}.error"), pairs, self.trust, self.settings)
        {
            found.push((format!("{at}.error"), f));
        }
    }

    fn once_opt(
        &mut self,
        loc: &str,
        value: &str,
        make: impl FnOnce(&str) -> Option<Found>,
    ) -> Option<Option<Found>> {
        let mut made = None;
        let f = self.once(loc, value, |l| match make(l) {
            Some(f) => f,
            None => {
                made = Some(());
                Found::Note(String::new())
            }
        })?;
        Some(if made.is_some() { None } else { Some(f) })
    }

    /// Inspects a value once per capture; a repeat is a note naming where it was first.
    fn once(&mut self, loc: &str, value: &str, make: impl FnOnce(&str) -> Found) -> Option<Found> {
        let digest = sha256(value.trim().as_bytes());
        if let Some(first) = self.seen.get(&digest) {
            return Some(Found::Note(format!("the same value as {first}")));
        }
        let f = make(loc);
        if matches!(f, Found::Report(_)) {
            self.seen.insert(digest, tail(loc).to_string());
        }
        Some(f)
    }
}

/// `capture.har#4.request.postData.SAMLResponse` → `#4.request.postData.SAMLResponse`.
fn tail(loc: &str) -> &str {
    loc.rfind('#').map(|i| &loc[i..]).unwrap_or(loc)
}

pub(crate) fn read<R: Read>(
    format: Format,
    input: R,
    meta: &mut Map<String, Value>,
    each: &mut dyn FnMut(Exchange),
) -> Result<(), StreamError> {
    let mut r = stream::reader(input);
    use struson::reader::JsonReader;
    r.begin_object()?;
    let mut index = 0usize;
    while r.has_next()? {
        let name = r.next_name_owned()?;
        match (format, name.as_str()) {
            (Format::Har, "log") => {
                r.begin_object()?;
                while r.has_next()? {
                    let member = r.next_name_owned()?;
                    match member.as_str() {
                        "entries" => {
                            r.begin_array()?;
                            while r.has_next()? {
                                if index >= MAX_CAPTURE_ENTRIES {
                                    r.skip_value()?;
                                    continue;
                                }
                                let mut budget = MAX_CAPTURE_ENTRY_BYTES;
                                let entry = stream::read_value(&mut r, &mut budget)?;
                                each(Exchange::from_har_entry(index, &entry));
                                index += 1;
                            }
                            r.end_array()?;
                        }
                        "version" | "creator" | "browser" => {
                            let mut budget = 64 * 1024;
                            let v = stream::read_value(&mut r, &mut budget)?;
                            meta.insert(member, v);
                        }
                        _ => r.skip_value()?,
                    }
                }
                r.end_object()?;
            }
            (Format::SamlTracer, "requests") => {
                r.begin_array()?;
                while r.has_next()? {
                    if index >= MAX_CAPTURE_ENTRIES {
                        r.skip_value()?;
                        continue;
                    }
                    let mut budget = MAX_CAPTURE_ENTRY_BYTES;
                    let request = stream::read_value(&mut r, &mut budget)?;
                    each(Exchange::from_saml_tracer(index, &request));
                    index += 1;
                }
                r.end_array()?;
            }
            (Format::SamlTracer, "timestamp") => {
                let mut budget = 1024;
                let v = stream::read_value(&mut r, &mut budget)?;
                meta.insert("exported".into(), v);
            }
            _ => r.skip_value()?,
        }
    }
    r.end_object()?;
    if index >= MAX_CAPTURE_ENTRIES {
        meta.insert(
            "entries_not_read".into(),
            json!(format!(
                "entries past the first {MAX_CAPTURE_ENTRIES} were skipped"
            )),
        );
    }
    Ok(())
}
