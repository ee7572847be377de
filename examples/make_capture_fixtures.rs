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

#[path = "support/aadsts.rs"]
mod support;
use keyprobe_core::aadsts::AadCode;
use support::aadsts;

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
    let not_registered = aadsts(
        AadCode::AssertionCertificateNotRegistered,
        &[
            ("thumbprint", "D9D7A5E4C1B2F3E4D5C6B7A8F9E0D1C2B3A4F5E6"),
            ("client_id", CLIENT),
        ],
    )?;
    let error_700027 = json!({
        "error": "invalid_client",
        "error_description": format!("{not_registered}\r\nTrace ID: 0000aaaa-11bb-cccc-dd33-eeeeee333333\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2026-06-01 11:57:12Z"),
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

    apps(&root)?;
    rp_errors(&root)?;

    println!("capture fixtures written to {}", root.display());
    Ok(())
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

// --- App registrations ----------------------------------------------------------------------------
// Microsoft Graph's servicePrincipal and application as Graph Explorer, `az ad sp show` and
// `az ad app show` print them (Graph v1.0 keyCredential/passwordCredential resource types): dates in
// UTC with a `Z`, `key` null unless asked with $select, a portal-made SAML signing certificate as a
// Sign key credential, its Verify twin and a password credential, all with one customKeyIdentifier
// (the certificate's SHA-1 thumbprint, base64), the Sign and password credentials sharing a keyId.

/// A certificate's SHA-1 thumbprint (hex, upper case), validity (RFC 3339) and base64 DER.
struct Cert {
    thumbprint: String,
    sha1: Vec<u8>,
    start: String,
    end: String,
    der_b64: String,
}

fn cert(root: &std::path::Path, rel: &str) -> Res<Cert> {
    use base64::Engine;
    use openssl::asn1::Asn1Time;
    let x = openssl::x509::X509::from_pem(&fs::read(root.join(rel))?)?;
    let der = x.to_der()?;
    let sha1 = keyprobe_core::digest::sha1(&der).to_vec();
    let epoch = Asn1Time::from_unix(0)?;
    let unix = |t: &openssl::asn1::Asn1TimeRef| -> Res<String> {
        let d = epoch.diff(t)?;
        let secs = i64::from(d.days) * 86_400 + i64::from(d.secs);
        Ok(time::OffsetDateTime::from_unix_timestamp(secs)?
            .format(&time::format_description::well_known::Rfc3339)?)
    };
    Ok(Cert {
        thumbprint: sha1.iter().map(|b| format!("{b:02X}")).collect(),
        start: unix(x.not_before())?,
        end: unix(x.not_after())?,
        der_b64: base64::engine::general_purpose::STANDARD.encode(&der),
        sha1,
    })
}

/// A portal-made SAML signing certificate: (Sign, Verify, password) credentials. `with_key`
/// puts the public certificate in the Verify credential, as `$select=keyCredentials` returns it.
fn signing(c: &Cert, n: u8, with_key: bool) -> (Value, Value, Value) {
    use base64::Engine;
    let custom = base64::engine::general_purpose::STANDARD.encode(&c.sha1);
    let sign_id = format!("5d1e7b2a-0c3f-4e8a-9b1d-2f6a8c4e0{n:03}");
    let verify_id = format!("a83c4f10-6d2b-4b7e-8e19-4c0d2a7f5{n:03}");
    let name = "CN=Microsoft Azure Federated SSO Certificate";
    (
        json!({"customKeyIdentifier": custom, "displayName": name, "endDateTime": c.end, "key": null,
               "keyId": sign_id, "startDateTime": c.start, "type": "X509CertAndPassword", "usage": "Sign"}),
        json!({"customKeyIdentifier": custom, "displayName": name, "endDateTime": c.end,
               "key": if with_key { json!(c.der_b64) } else { Value::Null },
               "keyId": verify_id, "startDateTime": c.start, "type": "AsymmetricX509Cert", "usage": "Verify"}),
        json!({"customKeyIdentifier": custom, "displayName": name, "endDateTime": c.end, "hint": null,
               "keyId": sign_id, "secretText": null, "startDateTime": c.start}),
    )
}

/// Graph Explorer's GET /servicePrincipals/{id} for the enterprise app of a SAML service provider.
fn service_principal(keys: Vec<Value>, passwords: Vec<Value>, preferred: Option<&str>) -> Value {
    json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity",
        "id": "3f0c9a52-7d41-4c1e-b6a8-91e2d0c4f7a3",
        "deletedDateTime": null,
        "accountEnabled": true,
        "alternativeNames": [],
        "appDisplayName": "Contoso SAML SP",
        "appDescription": null,
        "appId": "c3d4e5f6-0718-4293-a4b5-c6d7e8f90a1b",
        "applicationTemplateId": "8adf8e6e-67b2-4cf2-a259-e3dc5476c621",
        "appOwnerOrganizationId": "8eaef023-2b34-4da1-9baa-8bc8c9d6a490",
        "appRoleAssignmentRequired": true,
        "createdDateTime": "2025-03-14T09:21:37Z",
        "description": null,
        "disabledByMicrosoftStatus": null,
        "displayName": "Contoso SAML SP",
        "homepage": "https://account.activedirectory.windowsazure.com:444/applications/default.aspx?metadata=customappsso|ISV9.1|primary|z",
        "loginUrl": null,
        "logoutUrl": null,
        "notes": null,
        "notificationEmailAddresses": ["identity-team@contoso.example"],
        "preferredSingleSignOnMode": "saml",
        "preferredTokenSigningKeyThumbprint": preferred,
        "replyUrls": ["https://sp.contoso.example/saml/acs"],
        "servicePrincipalNames": ["https://sp.contoso.example/saml", "c3d4e5f6-0718-4293-a4b5-c6d7e8f90a1b"],
        "servicePrincipalType": "Application",
        "signInAudience": "AzureADMyOrg",
        "tags": ["WindowsAzureActiveDirectoryCustomSingleSignOnApplication", "WindowsAzureActiveDirectoryIntegratedApp"],
        "tokenEncryptionKeyId": null,
        "samlSingleSignOnSettings": {"relayState": null},
        "addIns": [],
        "appRoles": [],
        "info": {"logoUrl": null, "marketingUrl": null, "privacyStatementUrl": null, "supportUrl": null, "termsOfServiceUrl": null},
        "keyCredentials": keys,
        "oauth2PermissionScopes": [],
        "passwordCredentials": passwords,
        "resourceSpecificApplicationPermissions": [],
        "verifiedPublisher": {"displayName": null, "verifiedPublisherId": null, "addedDateTime": null}
    })
}

fn apps(root: &std::path::Path) -> Res<()> {
    fs::create_dir_all(root.join("apps"))?;
    let w = |rel: &str, v: &Value| -> Res<()> { Ok(fs::write(root.join(rel), pretty(v))?) };
    let good = cert(root, "certs/issuer.pem")?;
    let other = cert(root, "certs/rotated.pem")?;
    let expired = cert(root, "certs/expired.pem")?;
    let soon = cert(root, "certs/expiring-soon.pem")?;

    // Healthy: one active certificate, as Graph Explorer shows it (key null).
    let (s, v, p) = signing(&good, 1, false);
    w(
        "apps/sp-saml-healthy.json",
        &service_principal(vec![s, v], vec![p], Some(&good.thumbprint)),
    )?;

    // $select=keyCredentials: the Verify credential carries the certificate; the active one
    // expires in ten days, and its customKeyIdentifier follows Microsoft's custom-signing-key
    // recipe (base64 SHA-256 of the thumbprint text), so only the certificate tells which it is.
    let (s, mut v, mut p) = signing(&soon, 2, true);
    let mut s = s;
    {
        use base64::Engine;
        let custom = base64::engine::general_purpose::STANDARD
            .encode(keyprobe_core::digest::sha256(soon.thumbprint.as_bytes()));
        for c in [&mut s, &mut v, &mut p] {
            c["customKeyIdentifier"] = json!(custom);
        }
    }
    w(
        "apps/sp-saml-select-expiring.json",
        &service_principal(vec![s, v], vec![p], Some(&soon.thumbprint)),
    )?;

    // AADSTS50003, three ways: no Sign credential at all, a thumbprint naming a certificate that
    // is gone, and an active certificate whose Verify twin was removed.
    let mut none = service_principal(vec![], vec![], None);
    if let Some(o) = none.as_object_mut() {
        // `az ad sp show` prints the object without Graph's @odata.context.
        o.remove("@odata.context");
    }
    w("apps/sp-saml-no-signing-key.json", &none)?;
    let (s, v, p) = signing(&other, 3, false);
    w(
        "apps/sp-saml-dangling.json",
        &service_principal(vec![s, v], vec![p], Some(&good.thumbprint)),
    )?;
    let (s, _, p) = signing(&good, 4, false);
    w(
        "apps/sp-saml-broken-pair.json",
        &service_principal(vec![s], vec![p], Some(&good.thumbprint)),
    )?;

    // Expired: alone (the service provider rejects the response), and beside a valid inactive
    // certificate (Entra signs with that one instead).
    let (s, v, p) = signing(&expired, 5, false);
    w(
        "apps/sp-saml-expired.json",
        &service_principal(
            vec![s.clone(), v.clone()],
            vec![p.clone()],
            Some(&expired.thumbprint),
        ),
    )?;
    let (s2, v2, p2) = signing(&good, 6, false);
    w(
        "apps/sp-saml-expired-with-spare.json",
        &service_principal(vec![s, v, s2, v2], vec![p, p2], Some(&expired.thumbprint)),
    )?;

    // `az ad app show`: an app registration with an expired and an expiring client secret and an
    // expired client certificate.
    let expired_custom = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(&expired.sha1)
    };
    let app = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#applications/$entity",
        "id": "0b7e5c6d-2a91-4f3e-8c1d-6e4f2a9b7c05",
        "appId": "4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8",
        "displayName": "Contoso Web (OIDC)",
        "createdDateTime": "2024-02-01T10:00:00Z",
        "identifierUris": ["api://4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8"],
        "signInAudience": "AzureADMyOrg",
        "tags": [],
        "tokenEncryptionKeyId": null,
        "keyCredentials": [{
            "customKeyIdentifier": expired_custom,
            "displayName": "CN=expired signing certificate",
            "endDateTime": expired.end, "key": null, "keyId": "e1f2a3b4-c5d6-4e7f-8091-a2b3c4d5e6f7",
            "startDateTime": expired.start, "type": "AsymmetricX509Cert", "usage": "Verify"
        }],
        "passwordCredentials": [
            {"customKeyIdentifier": null, "displayName": "ci (2026)", "endDateTime": "2026-06-11T12:00:00Z",
             "hint": "q7X", "keyId": "9d8c7b6a-5f4e-4d3c-8b2a-190817263544", "secretText": null, "startDateTime": "2025-12-11T12:00:00Z"},
            {"customKeyIdentifier": null, "displayName": "ci (2025)", "endDateTime": "2026-03-01T00:00:00Z",
             "hint": "Zk1", "keyId": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "secretText": null, "startDateTime": "2025-03-01T00:00:00Z"}
        ],
        "publicClient": {"redirectUris": []},
        "web": {"homePageUrl": null, "logoutUrl": null, "redirectUris": ["https://localhost:8443/signin-oidc"],
                "implicitGrantSettings": {"enableAccessTokenIssuance": false, "enableIdTokenIssuance": false}},
        "requiredResourceAccess": [{"resourceAppId": "00000003-0000-0000-c000-000000000000",
            "resourceAccess": [{"id": "e1fe6dd8-ba31-4d61-89e7-88639da4683d", "type": "Scope"}]}]
    });
    w("apps/app-credentials.json", &app)?;

    // GET /servicePrincipals?$filter=appId eq '…': a one-object collection, an OIDC app with a
    // valid client secret on its service principal.
    w(
        "apps/sp-collection-healthy.json",
        &json!({
            "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals",
            "value": [{
                "id": "77c1f0e2-3b4a-4d5c-9e6f-a7b8c9d0e1f2", "appId": "4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8",
                "displayName": "Contoso Web (OIDC)", "preferredSingleSignOnMode": null,
                "preferredTokenSigningKeyThumbprint": null, "servicePrincipalType": "Application",
                "keyCredentials": [],
                "passwordCredentials": [{"customKeyIdentifier": null, "displayName": "daemon", "endDateTime": "2027-06-01T00:00:00Z",
                    "hint": "a1B", "keyId": "4b5c6d7e-8f90-4a1b-8c2d-3e4f5a6b7c8d", "secretText": null, "startDateTime": "2025-06-01T00:00:00Z"}]
            }]
        }),
    )?;

    // Azure CLI before 2.37 printed Azure AD Graph's shape: odata.type, startDate/endDate, value.
    w(
        "apps/aad-graph-app-expired-secret.json",
        &json!({
            "odata.metadata": "https://graph.windows.net/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/$metadata#directoryObjects/@Element",
            "odata.type": "Microsoft.DirectoryServices.Application",
            "objectType": "Application",
            "objectId": "0b7e5c6d-2a91-4f3e-8c1d-6e4f2a9b7c05",
            "appId": "4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8",
            "displayName": "Contoso Web (OIDC)",
            "keyCredentials": [],
            "passwordCredentials": [{"customKeyIdentifier": null, "endDate": "2026-01-31T00:00:00Z", "keyId": "0f1e2d3c-4b5a-4968-8776-655443322110",
                "startDate": "2025-01-31T00:00:00Z", "value": null}]
        }),
    )?;
    Ok(())
}

// --- Relying-party errors --------------------------------------------------------------------------
// What the libraries print, one per line (for --lines), from each library's message text at the
// version named (see src/catalogue/library_messages.rs for where each was read), with the values a
// real failure fills in: Entra's key ids, issuers and the fixtures' clock.

fn rp_errors(root: &std::path::Path) -> Res<()> {
    fs::create_dir_all(root.join("rp-errors"))?;
    let kid = "nOo3ZDrODXEK1jKWhXslHR_KXEg";
    let tid = "8eaef023-2b34-4da1-9baa-8bc8c9d6a490";
    let lines = [
        // Microsoft.IdentityModel 8.1.2 (src/Microsoft.IdentityModel.Tokens/LogMessages.cs), as ASP.NET Core logs it.
        format!("fail: Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerHandler[3] Exception occurred while processing message. Microsoft.IdentityModel.Tokens.SecurityTokenSignatureKeyNotFoundException: IDX10503: Signature validation failed. The token's kid is: '{kid}', but did not match any keys in TokenValidationParameters or Configuration. Keys tried: 'Microsoft.IdentityModel.Tokens.X509SecurityKey, KeyId: 'L1KfKFI_jnXbwWc22xZxw1sUHH0', InternalId: 'L1KfKFI_jnXbwWc22xZxw1sUHH0'. , KeyId: L1KfKFI_jnXbwWc22xZxw1sUHH0'. Number of keys in TokenValidationParameters: '0'. Number of keys in Configuration: '1'. Exceptions caught: '[PII of type 'System.Text.StringBuilder' is hidden. For more details, see https://aka.ms/IdentityModel/PII.]'. token: '[Security Artifact of type 'Microsoft.IdentityModel.JsonWebTokens.JsonWebToken' is hidden. For more details, see https://aka.ms/IdentityModel/SecurityArtifactLogging.]'. See https://aka.ms/IDX10503 for details."),
        // 5.7.0
        format!("Microsoft.IdentityModel.Tokens.SecurityTokenSignatureKeyNotFoundException: IDX10501: Signature validation failed. Unable to match key: kid: '{kid}'. Exceptions caught: ''. token: '{{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"{kid}\"}}.{{\"aud\":\"api://keyprobe-test\"}}'."),
        format!("Microsoft.IdentityModel.Tokens.SecurityTokenInvalidSignatureException: IDX10511: Signature validation failed. Keys tried: 'Microsoft.IdentityModel.Tokens.RsaSecurityKey, KeyId: '{kid}', InternalId: 'x'. '. Number of keys in TokenValidationParameters: '1'. Number of keys in Configuration: '0'. Matched key was in 'TokenValidationParameters'. kid: '{kid}'. Exceptions caught: ''. token: '[PII of type 'System.IdentityModel.Tokens.Jwt.JwtSecurityToken' is hidden]'. See https://aka.ms/IDX10511 for details."),
        "Microsoft.IdentityModel.Tokens.SecurityTokenInvalidAudienceException: IDX10214: Audience validation failed. Audiences: 'api://other-app'. Did not match: validationParameters.ValidAudience: 'api://keyprobe-test' or validationParameters.ValidAudiences: 'null'.".to_string(),
        format!("Microsoft.IdentityModel.Tokens.SecurityTokenInvalidIssuerException: IDX10205: Issuer validation failed. Issuer: 'https://sts.windows.net/{tid}/'. Did not match: validationParameters.ValidIssuer: 'https://login.microsoftonline.com/{tid}/v2.0' or validationParameters.ValidIssuers: 'null' or validationParameters.ConfigurationManager.CurrentConfiguration.Issuer: 'Null'. For more details, see https://aka.ms/IdentityModel/issuer-validation. "),
        "Microsoft.IdentityModel.Tokens.SecurityTokenExpiredException: IDX10223: Lifetime validation failed. The token is expired. ValidTo (UTC): '6/1/2026 11:00:00 AM', Current time (UTC): '6/1/2026 12:00:00 PM'.".to_string(),
        format!("Microsoft.IdentityModel.Tokens.SecurityTokenInvalidIssuerException: IDX40001: Issuer: 'https://login.microsoftonline.com/{tid}/v2.0', does not match any of the valid issuers provided for this application. "),
        "Microsoft.IdentityModel.Tokens.SecurityTokenSignatureKeyNotFoundException: IDX10500: Signature validation failed. No security keys were provided to validate the signature.".to_string(),
        // PyJWT 2.12.1
        format!("jwt.exceptions.PyJWKClientError: Unable to find a signing key that matches: \"{kid}\""),
        "jwt.exceptions.InvalidSignatureError: Signature verification failed".to_string(),
        "jwt.exceptions.ExpiredSignatureError: Signature has expired".to_string(),
        // jose 6.2.10
        "JWKSNoMatchingKey: no applicable key found in the JSON Web Key Set { code: 'ERR_JWKS_NO_MATCHING_KEY' }".to_string(),
        "JWTExpired: \"exp\" claim timestamp check failed { code: 'ERR_JWT_EXPIRED', claim: 'exp', reason: 'check_failed' }".to_string(),
        // Spring Security 7.1 / Nimbus
        "org.springframework.security.oauth2.server.resource.InvalidBearerTokenException: An error occurred while attempting to decode the Jwt: Signed JWT rejected: Another algorithm expected, or no matching key(s) found".to_string(),
        "org.springframework.security.oauth2.jwt.JwtValidationException: An error occurred while attempting to decode the Jwt: Jwt expired at 2026-06-01T11:00:00Z".to_string(),
        // passport-azure-ad 4.3.0
        "{\"name\":\"AzureAD: Bearer Strategy\",\"hostname\":\"web-1\",\"pid\":42,\"level\":30,\"msg\":\"authentication failed due to: In Strategy.prototype.jwtVerify: We did not receive a token we know how to validate\",\"time\":\"2026-06-01T12:00:00.000Z\",\"v\":0}".to_string(),
        // MSAL Python 1.31.0
        format!("msal.oauth2cli.oidc.IdTokenIssuerError: 2. The Issuer Identifier for the OpenID Provider, \"https://login.microsoftonline.com/{tid}/v2.0\", (which is typically obtained during Discovery), MUST exactly match the value of the iss (issuer) Claim. Current epoch = 2026-06-01 12:00:00.  The id_token was approximately: {{}}"),
        // go-oidc v3.10
        format!("oidc: id token issued by a different provider, expected \"https://login.microsoftonline.com/{tid}/v2.0\" got \"https://sts.windows.net/{tid}/\""),
        // python3-saml 1.16, ruby-saml 1.18, node-saml 5.1
        "onelogin.saml2.errors.OneLogin_Saml2_ValidationError: Signature validation failed. SAML Response rejected".to_string(),
        "OneLogin::RubySaml::ValidationError: Invalid Audience. The audience https://sp.example/other, did not match the expected audience https://sp.contoso.example/saml".to_string(),
        "Error: SAML assertion expired: clocks skewed too much".to_string(),
    ];
    fs::write(root.join("rp-errors/lines.txt"), lines.join("\n") + "\n")?;
    // A Python traceback as it lands in a ticket.
    fs::write(
        root.join("rp-errors/pyjwt-traceback.txt"),
        format!("Traceback (most recent call last):\n  File \"/app/auth.py\", line 41, in validate\n    signing_key = jwks_client.get_signing_key_from_jwt(token)\n  File \"/usr/lib/python3/site-packages/jwt/jwks_client.py\", line 111, in get_signing_key_from_jwt\n    return self.get_signing_key(header.get(\"kid\"))\n  File \"/usr/lib/python3/site-packages/jwt/jwks_client.py\", line 103, in get_signing_key\n    raise PyJWKClientError(\njwt.exceptions.PyJWKClientError: Unable to find a signing key that matches: \"{kid}\"\n"),
    )?;
    Ok(())
}
