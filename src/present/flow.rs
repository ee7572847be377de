//! A capture's sign-in flow for people: one line per request, numbered as the capture numbers
//! its entries (the `#4` of `capture.har#4.request…`), with what it carried below it.

use serde_json::Value;

use super::layout::{display_width, scalar, Layout, BOLD, DIM, GREEN, RED, YELLOW};

/// Whether `value` is a capture's flow (steps with an entry, a method and a host).
pub(crate) fn is_flow(value: &Value) -> bool {
    value.as_array().is_some_and(|steps| {
        !steps.is_empty()
            && steps
                .iter()
                .all(|s| s.get("entry").is_some() && s.get("method").is_some())
    })
}

/// The flow as a section: `#entry METHOD host/path → status`, then each thing found, then the
/// request id Entra gave.
pub(crate) fn section(layout: &Layout, out: &mut Vec<String>, steps: &[Value]) {
    let p = layout.paint;
    out.push(String::new());
    out.push(format!(
        "  {}",
        p.on(BOLD, &format!("flow ({} requests)", steps.len()))
    ));
    for step in steps {
        let field = |name: &str| step.get(name).map(scalar).unwrap_or_default();
        let status = step
            .get("status")
            .map(|s| format!(" → {}", scalar(s)))
            .unwrap_or_default();
        let head = format!("#{} {}", field("entry"), field("method"));
        let url = format!("{}{}", field("host"), field("path"));
        let line = format!("    {head} {url}{status}");
        if layout.width.is_none_or(|w| display_width(&line) <= w) {
            out.push(line);
        } else {
            // A long URL goes whole on its own line rather than broken mid-word.
            out.push(format!("    {head}{status}"));
            layout.text(out, "        ", "        ", &url);
        }
        let found = step.get("found").and_then(Value::as_array);
        for item in found.into_iter().flatten() {
            let first = format!("      {} ", p.on(DIM, "-"));
            layout.text(out, &first, "        ", &scalar(item));
        }
        if let Some(id) = step.get("request_id") {
            let first = format!("      {} ", p.on(DIM, "request id"));
            layout.text(out, &first, "        ", &scalar(id));
        }
    }
}

/// Whether `value` is a container's list of the reports it holds.
pub(crate) fn is_artifact_list(value: &Value) -> bool {
    value.as_array().is_some_and(|items| {
        !items.is_empty()
            && items
                .iter()
                .all(|i| i.get("input").is_some() && i.get("verdict").is_some())
    })
}

/// The reports a container holds, one line each: verdict, kind, then where it was (the
/// longest, so last); their own reports follow the container's in this order.
pub(crate) fn artifacts(layout: &Layout, out: &mut Vec<String>, items: &[Value]) {
    let p = layout.paint;
    out.push(String::new());
    out.push(format!(
        "  {}",
        p.on(BOLD, &format!("reports ({}, each below)", items.len()))
    ));
    let field = |i: &Value, name: &str| i.get(name).map(scalar).unwrap_or_default();
    let kind_width = items
        .iter()
        .map(|i| display_width(&field(i, "kind")))
        .max()
        .unwrap_or(0);
    for item in items {
        let verdict = field(item, "verdict");
        let style = match verdict.as_str() {
            "ok" => GREEN,
            "warning" => YELLOW,
            _ => RED,
        };
        let kind = field(item, "kind");
        let head = format!("    {verdict:<7} {kind:<kind_width$}  ");
        let start = out.len();
        layout.text(out, &head, &" ".repeat(head.len()), &field(item, "input"));
        if let Some(line) = out.get_mut(start) {
            if let Some(rest) = line.strip_prefix(&format!("    {verdict}")) {
                *line = format!("    {}{rest}", p.on(style, &verdict));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::present::layout::Paint;
    use serde_json::json;

    #[test]
    fn a_step_per_line_numbered_as_the_capture_is() {
        let steps = json!([
            {"entry": 0, "method": "GET", "host": "login.example", "path": "/authorize", "status": 302,
             "found": ["response.redirectURL.code: an authorization code"], "request_id": "r-1"},
            {"entry": 4, "method": "POST", "host": "app.example", "path": "/acs", "found": []},
            {"entry": 5, "method": "GET", "host": "login.example", "path": "/a/long/path/to/openid-configuration", "status": 200}
        ]);
        assert!(is_flow(&steps));
        assert!(!is_flow(&json!([{"input": "x"}])));
        let mut out = Vec::new();
        let layout = Layout {
            width: None,
            paint: Paint(false),
        };
        section(&layout, &mut out, steps.as_array().unwrap());
        assert_eq!(
            out,
            [
                "",
                "  flow (3 requests)",
                "    #0 GET login.example/authorize → 302",
                "      - response.redirectURL.code: an authorization code",
                "      request id r-1",
                "    #4 POST app.example/acs",
                "    #5 GET login.example/a/long/path/to/openid-configuration → 200",
            ]
        );
        let narrow = Layout {
            width: Some(60),
            ..layout
        };
        let mut out = Vec::new();
        section(&narrow, &mut out, &steps.as_array().unwrap()[2..]);
        assert_eq!(
            out[2..],
            [
                "    #5 GET → 200",
                "        login.example/a/long/path/to/openid-configuration"
            ]
        );
    }

    #[test]
    fn every_report_held_on_a_line_of_its_own() {
        let items = json!([
            {"input": "c.har#0.request.url.SAMLRequest", "kind": "saml-authn-request", "verdict": "ok"},
            {"input": "c.har#1.request.postData.SAMLResponse", "kind": "saml-response", "verdict": "error"}
        ]);
        assert!(is_artifact_list(&items));
        let mut out = Vec::new();
        let layout = Layout {
            width: None,
            paint: Paint(false),
        };
        artifacts(&layout, &mut out, items.as_array().unwrap());
        assert_eq!(
            out,
            [
                "",
                "  reports (2, each below)",
                "    ok      saml-authn-request  c.har#0.request.url.SAMLRequest",
                "    error   saml-response       c.har#1.request.postData.SAMLResponse",
            ]
        );
    }
}
