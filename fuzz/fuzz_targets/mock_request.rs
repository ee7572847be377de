//! mock-sts request parsing: form and query parameters, client credentials (secrets, Basic auth,
//! client assertions), SAMLRequest decoding and AuthnRequest parsing, and the whole router in-process (tower `oneshot`) over arbitrary queries
//! and bodies. A 5xx answer is a crash: every rejection must be an Entra error from the catalogue.
//!
//! Input layout: byte 0 picks the route, byte 1 the content type and headers, and the rest is the
//! query string, then a 0xFF byte, then the body.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request};
use libfuzzer_sys::fuzz_target;
use mock_sts::internals::{
    decode_jwt, decode_saml_request, in_process_router, parse_saml_request, Binding, Params,
    PresentedCredentials,
};
use mock_sts::{LoadedConfig, Scenario};
use tower::ServiceExt;

struct Mock {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    tenant: String,
}

static MOCK: OnceLock<Mock> = OnceLock::new();

fn mock() -> &'static Mock {
    MOCK.get_or_init(|| {
        // Keys are made once and kept, like `--state-dir`, so that restarts of the fuzzer are quick.
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/mock-state");
        let config = LoadedConfig::embedded_default().expect("embedded configuration");
        let (router, tenant) =
            in_process_router(config, "http://127.0.0.1:1".into(), dir, Scenario::Healthy)
                .expect("signing keys and state");
        Mock {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime"),
            router,
            tenant,
        }
    })
}

const ROUTES: &[(&str, &str)] = &[
    ("POST", "/{t}/oauth2/v2.0/token"),
    ("POST", "/{t}/oauth2/token"),
    ("GET", "/{t}/oauth2/v2.0/authorize"),
    ("POST", "/{t}/oauth2/v2.0/authorize"),
    ("GET", "/{t}/oauth2/authorize"),
    ("GET", "/{t}/v2.0/.well-known/openid-configuration"),
    ("GET", "/{t}/.well-known/openid-configuration"),
    ("GET", "/{t}/discovery/v2.0/keys"),
    ("GET", "/{t}/discovery/keys"),
    ("GET", "/common/discovery/instance"),
    ("GET", "/{t}/oauth2/v2.0/logout"),
    ("POST", "/{t}/oauth2/v2.0/logout"),
    ("GET", "/oidc/userinfo"),
    ("POST", "/{t}/openid/userinfo"),
    ("PUT", "/_mock/scenario"),
    ("POST", "/_mock/token"),
    ("GET", "/{t}/saml2"),
    ("POST", "/{t}/saml2"),
    (
        "GET",
        "/{t}/federationmetadata/2007-06/federationmetadata.xml",
    ),
    ("OPTIONS", "/{t}/oauth2/v2.0/token"),
    // The path itself from the query bytes.
    ("GET", ""),
    ("POST", ""),
];

const TENANTS: &[&str] = &[
    "",
    "common",
    "organizations",
    "consumers",
    "contoso.onmicrosoft.com",
];

fuzz_target!(|data: &[u8]| {
    let [route, flags, rest @ ..] = data else {
        return;
    };
    let (query, body) = match rest.iter().position(|&b| b == 0xFF) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };

    // The pure parsers first: form bodies, client credentials and assertions.
    let mut headers = HeaderMap::new();
    if flags & 0x10 != 0 {
        if let Ok(v) = HeaderValue::from_bytes(query) {
            headers.insert(header::AUTHORIZATION, v);
        }
    }
    if let Ok(params) = Params::parse(body) {
        let _ = PresentedCredentials::from_request(&params, &headers);
    }
    let _ = decode_jwt(&String::from_utf8_lossy(body));
    // SAMLRequest: Redirect (DEFLATE + base64) or POST (base64) decoding, then the AuthnRequest.
    let binding = if flags & 0x08 != 0 {
        Binding::Redirect
    } else {
        Binding::Post
    };
    if let Ok(xml) = decode_saml_request(&String::from_utf8_lossy(body), binding) {
        let _ = parse_saml_request(&xml);
    }
    if let Ok(xml) = std::str::from_utf8(body) {
        let _ = parse_saml_request(xml);
    }

    let m = mock();
    let (method, template) = ROUTES[usize::from(*route) % ROUTES.len()];
    let tenant = match TENANTS[usize::from(flags & 0x07) % TENANTS.len()] {
        "" => m.tenant.as_str(),
        t => t,
    };
    let query = String::from_utf8_lossy(query);
    let uri = if template.is_empty() {
        format!("/{}", query.trim_start_matches('/'))
    } else {
        format!("{}?{query}", template.replace("{t}", tenant))
    };
    let Ok(method) = Method::from_bytes(method.as_bytes()) else {
        return;
    };
    let content_type = match (flags >> 5) & 0x03 {
        0 => "application/x-www-form-urlencoded",
        1 => "application/json",
        2 => "text/plain",
        _ => "",
    };
    // The router's own address (its base URL), so that the control API answers rather than refuses.
    let mut request = Request::builder()
        .method(method)
        .uri(uri.as_str())
        .header(header::HOST, "127.0.0.1:1");
    if !content_type.is_empty() {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    if flags & 0x80 != 0 {
        request = request.header("client-request-id", String::from_utf8_lossy(body).as_ref());
    }
    let Ok(request) = request.body(Body::from(body.to_vec())) else {
        return; // not a request hyper would hand to the router (bad URI or header)
    };
    let response = m
        .runtime
        .block_on(m.router.clone().oneshot(request))
        .expect("the router is infallible");
    assert!(
        !response.status().is_server_error(),
        "{uri}: {}",
        response.status()
    );
});
