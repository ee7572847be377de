//! Makes the fixtures for keyprobe's readers of what people have in hand (testdata/captures/,
//! testdata/keys/ lone keys, testdata/tokens/ token responses) from the fixtures
//! `make_fixtures` wrote: run after it (testdata/make.sh does). Shapes follow what the real
//! software writes; each is named after it.

use std::fs;
use std::path::PathBuf;

use openssl::ec::{EcGroup, EcKey};
use openssl::nid::Nid;
use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use openssl::symm::Cipher;
use serde_json::{json, Value};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn main() -> Res<()> {
    let root = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "testdata".into()));
    fs::create_dir_all(root.join("captures"))?;
    let read =
        |rel: &str| -> Res<String> { Ok(fs::read_to_string(root.join(rel))?.trim().to_string()) };
    let w = |rel: &str, body: &[u8]| -> Res<()> { Ok(fs::write(root.join(rel), body)?) };

    // --- Keys alone ----------------------------------------------------------------------------
    let issuer = PKey::private_key_from_pem(read("keys/issuer.key.pem")?.as_bytes())?;
    w(
        "keys/issuer.key.encrypted.pem",
        &issuer
            .private_key_to_pem_pkcs8_passphrase(Cipher::aes_256_cbc(), b"fixture passphrase")?,
    )?;
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
    let ec = EcKey::generate(&group)?;
    w("keys/ec-p256.sec1.pem", &ec.private_key_to_pem()?)?;
    w(
        "keys/ec-p256.pub.der",
        &PKey::from_ec_key(ec)?.public_key_to_der()?,
    )?;
    let weak = Rsa::generate(1024)?;
    w(
        "keys/weak-rsa1024.pub.pem",
        &weak.public_key_to_pem_pkcs1()?,
    )?;
    // A TLS-style bundle: the certificate and its private key in one file.
    let mut bundle = read("certs/issuer.pem")?.into_bytes();
    bundle.push(b'\n');
    bundle.extend(read("keys/issuer.key.pem")?.into_bytes());
    bundle.push(b'\n');
    w("keys/issuer.cert-and-key.pem", &bundle)?;

    // --- Token responses and several tokens in one file -------------------------------------------
    let valid = read("tokens/rs256-valid.jwt")?;
    let expired = read("tokens/rs256-expired.jwt")?;
    let unknown = read("tokens/rs256-unknown-kid.jwt")?;
    // Entra's member order for the authorization-code grant (mock-sts/tests/browser.rs pins it).
    let response = json!({
        "token_type": "Bearer",
        "scope": "openid profile email User.Read",
        "expires_in": 4469,
        "ext_expires_in": 4469,
        "access_token": valid,
        "refresh_token": "1.AXEAI_Cujm4rV0KbqovIydakkHbeMWemFK5Jl7xuumkUOR4BAA.AgABAwEAAAApTwJmzXqdR4BN2miheQMYAgDs_wUA9P8",
        "id_token": expired,
        "client_info": "eyJ1aWQiOiI2YjE4YzRmOC0wZDNlLTRmNDctYjU0Yy1hMGY3ZTJiM2M0ZDUiLCJ1dGlkIjoiOGVhZWYwMjMtMmIzNC00ZGExLTliYWEtOGJjOGM5ZDZhNDkwIn0",
    });
    w("tokens/token-response.json", pretty(&response).as_bytes())?;
    w(
        "tokens/several.txt",
        format!("{valid}\n\nBearer {unknown}\n\"{expired}\"\n").as_bytes(),
    )?;
    // --- Captures ---------------------------------------------------------------------------------
    const TENANT: &str = "8eaef023-2b34-4da1-9baa-8bc8c9d6a490";
    const CLIENT: &str = "6731de76-14a6-49ae-97bc-6eba6914391e";
    let login = format!("https://login.microsoftonline.com/{TENANT}");
    let jwks = read("keys/jwks.json")?;
    let discovery = read("metadata/openid-configuration.json")?;
    // Firefox's devtools ("Save All As HAR"): an OIDC code flow whose API call then fails with an
    // expired token. Firefox writes queryString, cookies, cache, timings and serverIPAddress.
    let ff_entry = |started: &str,
                    method: &str,
                    url: &str,
                    req_headers: Value,
                    post: Option<Value>,
                    status: u16,
                    resp_headers: Value,
                    mime: &str,
                    text: &str| {
        let query: Vec<Value> = url::Url::parse(url)
            .map(|u| {
                u.query_pairs()
                    .map(|(k, v)| json!({"name": k, "value": v}))
                    .collect()
            })
            .unwrap_or_default();
        let mut request = json!({
            "bodySize": 0, "method": method, "url": url, "httpVersion": "HTTP/2",
            "headers": req_headers, "cookies": [], "queryString": query, "headersSize": 512,
        });
        if let Some(p) = post {
            request["postData"] = p;
        }
        json!({
            "pageref": "page_1", "startedDateTime": started,
            "request": request,
            "response": {
                "status": status, "statusText": "", "httpVersion": "HTTP/2", "headers": resp_headers,
                "cookies": [], "content": {"mimeType": mime, "size": text.len(), "text": text},
                "redirectURL": "", "headersSize": 400, "bodySize": text.len(),
            },
            "cache": {}, "timings": {"blocked": 0, "dns": 0, "connect": 0, "ssl": 0, "send": 0, "wait": 40, "receive": 0},
            "time": 40, "_securityState": "secure", "serverIPAddress": "20.190.160.1", "connection": "443",
        })
    };
    let code = "1.AXEAI_Cujm4rV0KbqovIydakkHbeMWemFK5Jl7xuumkUOR4BAA.AgABBAIAAAApTwJmzXqdR4BN2miheQMYAgDs_wUA9P";
    let redirect =
        format!("https://app.contoso.example/callback?code={code}&state=st-42&session_state=0c1d");
    let token_body = json!({
        "token_type": "Bearer", "scope": "openid profile api://keyprobe-test/.default", "expires_in": 3599,
        "ext_expires_in": 3599, "access_token": valid, "refresh_token": "1.AXEAI_Cujm4rV0KbqovIydakkH.refresh-secret-value", "id_token": valid,
    });
    let firefox = json!({"log": {
        "version": "1.2",
        "creator": {"name": "Firefox", "version": "128.0"},
        "browser": {"name": "Firefox", "version": "128.0"},
        "pages": [{"startedDateTime": "2026-06-01T11:58:00.000+00:00", "id": "page_1", "title": "Contoso", "pageTimings": {"onContentLoad": 300, "onLoad": 400}}],
        "entries": [
            ff_entry("2026-06-01T11:58:00.100+00:00", "GET",
                &format!("{login}/oauth2/v2.0/authorize?client_id={CLIENT}&response_type=code&redirect_uri=https%3A%2F%2Fapp.contoso.example%2Fcallback&scope=openid+profile&state=st-42&nonce=n-7"),
                json!([{"name": "Cookie", "value": "ESTSAUTHPERSISTENT=0.AXEA-persistent-session; buid=0.AXEA"}]), None,
                302, json!([{"name": "Location", "value": redirect}, {"name": "x-ms-request-id", "value": "5b0f6f8e-3d0b-4f63-9c3a-1b2e3d4c5f60"}]), "text/html", ""),
            ff_entry("2026-06-01T11:58:00.300+00:00", "GET", &redirect, json!([]), None, 200, json!([]), "text/html", "<!DOCTYPE html><p>Signing you in…</p>"),
            ff_entry("2026-06-01T11:58:00.400+00:00", "GET", &format!("{login}/v2.0/.well-known/openid-configuration"), json!([]), None, 200,
                json!([{"name": "Content-Type", "value": "application/json; charset=utf-8"}]), "application/json", &discovery),
            ff_entry("2026-06-01T11:58:00.500+00:00", "GET", &format!("{login}/discovery/v2.0/keys"), json!([]), None, 200,
                json!([{"name": "Content-Type", "value": "application/json; charset=utf-8"}]), "application/json", &jwks),
            ff_entry("2026-06-01T11:58:00.600+00:00", "POST", &format!("{login}/oauth2/v2.0/token"),
                json!([{"name": "Content-Type", "value": "application/x-www-form-urlencoded"}]),
                Some(json!({"mimeType": "application/x-www-form-urlencoded", "params": [],
                    "text": format!("grant_type=authorization_code&client_id={CLIENT}&client_secret=Xq8Q~fixture.client.secret.value&code={code}&redirect_uri=https%3A%2F%2Fapp.contoso.example%2Fcallback")})),
                200, json!([{"name": "Content-Type", "value": "application/json; charset=utf-8"}, {"name": "Cache-Control", "value": "no-store, no-cache"}]),
                "application/json", &token_body.to_string()),
            ff_entry("2026-06-01T11:58:01.000+00:00", "GET", "https://api.contoso.example/orders",
                json!([{"name": "Authorization", "value": format!("Bearer {expired}")}]), None,
                401, json!([{"name": "WWW-Authenticate", "value": "Bearer error=\"invalid_token\", error_description=\"The token expired\""}]), "application/json", "{\"error\":\"invalid_token\"}"),
            ff_entry("2026-06-01T11:58:01.100+00:00", "GET", "https://app.contoso.example/site.js", json!([]), None, 200, json!([]), "text/javascript", "console.log(1)"),
        ],
    }});
    w("captures/firefox-oidc.har", pretty(&firefox).as_bytes())?;

    // Fiddler ("Export Sessions > HTTPArchive v1.2"): a daemon's client-credentials request with a
    // certificate Entra does not know (AADSTS700027).
    let assertion = read("tokens/rs256-valid.jwt")?;
    let error_700027 = json!({
        "error": "invalid_client",
        "error_description": format!("AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: 'D9D7A5E4C1B2F3E4D5C6B7A8F9E0D1C2B3A4F5E6', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{CLIENT}'.]\r\nTrace ID: 0000aaaa-11bb-cccc-dd33-eeeeee333333\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2026-06-01 11:57:12Z"),
        "error_codes": [700027], "timestamp": "2026-06-01 11:57:12Z",
        "trace_id": "0000aaaa-11bb-cccc-dd33-eeeeee333333", "correlation_id": "aaaa0000-bb11-2222-33cc-444444dddddd",
        "error_uri": "https://login.microsoftonline.com/error?code=700027",
    });
    let fiddler = json!({"log": {
        "version": "1.2",
        "creator": {"name": "Fiddler", "version": "5.0.20245.10105", "comment": "http://www.telerik.com/fiddler"},
        "entries": [{
            "startedDateTime": "2026-06-01T11:57:12.3410000+00:00", "time": 212,
            "request": {"method": "POST", "url": format!("{login}/oauth2/v2.0/token"), "httpVersion": "HTTP/1.1",
                "headers": [{"name": "Host", "value": "login.microsoftonline.com"}, {"name": "Content-Type", "value": "application/x-www-form-urlencoded"}],
                "queryString": [], "cookies": [], "headersSize": 214, "bodySize": 900,
                "postData": {"mimeType": "application/x-www-form-urlencoded",
                    "text": format!("client_id={CLIENT}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion={assertion}&grant_type=client_credentials"),
                    "params": []}},
            "response": {"status": 401, "statusText": "Unauthorized", "httpVersion": "HTTP/1.1",
                "headers": [{"name": "Content-Type", "value": "application/json; charset=utf-8"}, {"name": "x-ms-request-id", "value": "0000aaaa-11bb-cccc-dd33-eeeeee333333"}],
                "cookies": [], "content": {"size": 700, "mimeType": "application/json; charset=utf-8", "text": error_700027.to_string()},
                "redirectURL": "", "headersSize": 300, "bodySize": 700},
            "cache": {}, "timings": {"send": 0, "wait": 200, "receive": 12},
        }],
    }});
    w(
        "captures/fiddler-client-assertion.har",
        pretty(&fiddler).as_bytes(),
    )?;

    // SAML-tracer's export (a JSON file of its traced requests, no bodies, the SAML message
    // decoded): an SP-initiated sign-in whose response is posted to the app.
    let authn = read("saml/authnrequest-redirect.txt")?;
    let response_b64 = read("saml/response-signed.b64")?.replace(['\n', '\r'], "");
    let tracer = json!({
        "requests": [
            {"method": "GET", "url": authn, "requestId": "request-1-GET-3f1c",
             "requestHeaders": [{"name": "Cookie", "value": "ESTSAUTH=0.AXEA-session"}],
             "get": url::Url::parse(&authn).map(|u| u.query_pairs().map(|(k, v)| json!([k, v])).collect::<Vec<_>>()).unwrap_or_default(),
             "protocol": "SAML-P", "responseStatus": 200, "responseStatusText": "HTTP/1.1 200 OK",
             "responseHeaders": [{"name": "Content-Type", "value": "text/html; charset=utf-8"}]},
            {"method": "POST", "url": "https://sp.example.test/saml/acs", "requestId": "request-2-POST-9a2e",
             "requestHeaders": [{"name": "Content-Type", "value": "application/x-www-form-urlencoded"}],
             "post": [["SAMLResponse", response_b64], ["RelayState", "/home"]],
             "protocol": "SAML-P", "responseStatus": 302, "responseStatusText": "HTTP/1.1 302 Found",
             "responseHeaders": [{"name": "Location", "value": "https://sp.example.test/home"}, {"name": "Set-Cookie", "value": "sp_session=abc; Secure"}]},
        ],
        "timestamp": "2026-06-01T11:59:00.000Z",
    });
    w("captures/saml-tracer.json", pretty(&tracer).as_bytes())?;

    println!("capture fixtures written to {}", root.display());
    Ok(())
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}
