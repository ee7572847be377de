//! Writes one signed SAML Response in Entra's layout (unsigned Response, signed Assertion, exclusive
//! c14n, RSA-SHA256, the claims Entra sends by default) for the SAML rows of benches/compare.sh,
//! signed with testdata's issuer key (the key of testdata/saml/federationmetadata.xml):
//!
//! ```text
//! cargo run --release --example bench_saml -- 8k OUT.xml   # 40 group values, KeyInfo: about 8 KB
//! cargo run --release --example bench_saml -- 2k OUT.xml   # no groups, no KeyInfo: about 3 KB
//! ```
//!
//! Entra always sends its certificate in KeyInfo (1.1 KB of the response); the small shape leaves it
//! and the optional claims out, as smaller identity providers do, so that what is left is the
//! signature's fixed cost (3,008 bytes: the signature block alone is about 1.1 KB, so a signed
//! response in this layout is not much smaller).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

const TENANT: &str = "8eaef023-2b34-4da1-9baa-8bc8c9d6a490";
const SP: &str = "https://sp.example.test/saml";
const ACS: &str = "https://sp.example.test/saml/acs";
const ISSUED: &str = "2026-06-01T11:58:00.078Z";
const NOT_BEFORE: &str = "2026-06-01T11:53:00.078Z";
const NOT_ON_OR_AFTER: &str = "2026-06-01T12:58:00.078Z";
const ASSERTION_ID: &str = "_1f2c474c-98ea-4238-9cc5-3412b0b62000";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: bench_saml 8k|2k OUT.xml";
    let shape = args.next().ok_or(usage)?;
    let out = args.next().ok_or(usage)?;
    let (groups, keyinfo) = match shape.as_str() {
        "8k" => (40, true),
        "2k" => (0, false),
        _ => return Err(usage.into()),
    };
    let root = env!("CARGO_MANIFEST_DIR");
    let key_pem = std::fs::read(format!("{root}/testdata/keys/issuer.key.pem"))?;
    let cert = openssl::x509::X509::from_pem(&std::fs::read(format!(
        "{root}/testdata/certs/issuer.pem"
    ))?)?;
    let issuer = format!("https://sts.windows.net/{TENANT}/");
    let keyinfo = if keyinfo {
        format!(
            "<KeyInfo><X509Data><X509Certificate>{}</X509Certificate></X509Data></KeyInfo>",
            STANDARD.encode(cert.to_der()?)
        )
    } else {
        String::new()
    };
    let signature = format!(
        "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><SignedInfo><CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/><SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/><Reference URI=\"#{ASSERTION_ID}\"><Transforms><Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/><Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/></Transforms><DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><DigestValue></DigestValue></Reference></SignedInfo><SignatureValue></SignatureValue>{keyinfo}</Signature>"
    );
    let attribute = |name: &str, values: &[String]| {
        let values: String = values
            .iter()
            .map(|v| format!("<AttributeValue>{v}</AttributeValue>"))
            .collect();
        format!("<Attribute Name=\"{name}\">{values}</Attribute>")
    };
    let one = |v: &str| vec![v.to_string()];
    let user = "alice@contoso.example";
    let mut claims = vec![
        attribute(
            "http://schemas.microsoft.com/identity/claims/tenantid",
            &one(TENANT),
        ),
        attribute(
            "http://schemas.microsoft.com/identity/claims/objectidentifier",
            &one("709cd037-9bbb-4dd2-a6ce-a8838ddcb62a"),
        ),
    ];
    if groups > 0 {
        claims.push(attribute(
            "http://schemas.microsoft.com/identity/claims/displayname",
            &one("Alice Example"),
        ));
        claims.push(attribute(
            "http://schemas.microsoft.com/identity/claims/identityprovider",
            &one(&issuer),
        ));
        claims.push(attribute(
            "http://schemas.microsoft.com/claims/authnmethodsreferences",
            &one("http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password"),
        ));
        for (claim, value) in [
            ("givenname", "Alice"),
            ("surname", "Example"),
            ("emailaddress", user),
        ] {
            claims.push(attribute(
                &format!("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/{claim}"),
                &one(value),
            ));
        }
        // Entra sends security groups as object ids, one AttributeValue each.
        let ids: Vec<String> = (0..groups)
            .map(|i: u32| {
                format!(
                    "{:08x}-5d7a-4e90-9c61-2b4d8a0f{:04x}",
                    0x3f2b_8c1e_u32 ^ i,
                    i
                )
            })
            .collect();
        claims.push(attribute(
            "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
            &ids,
        ));
    }
    claims.push(attribute(
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name",
        &one(user),
    ));
    let claims: String = claims.concat();
    let xml = format!(
        "<samlp:Response ID=\"_fcd1b969-6c6f-4418-a4cf-c0c449ee8afe\" Version=\"2.0\" IssueInstant=\"{ISSUED}\" Destination=\"{ACS}\" InResponseTo=\"_req-7f1c2a\" xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"><Issuer xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\">{issuer}</Issuer><samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status><Assertion ID=\"{ASSERTION_ID}\" IssueInstant=\"{ISSUED}\" Version=\"2.0\" xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\"><Issuer>{issuer}</Issuer>{signature}<Subject><NameID Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\">{user}</NameID><SubjectConfirmation Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\"><SubjectConfirmationData InResponseTo=\"_req-7f1c2a\" NotOnOrAfter=\"{NOT_ON_OR_AFTER}\" Recipient=\"{ACS}\"/></SubjectConfirmation></Subject><Conditions NotBefore=\"{NOT_BEFORE}\" NotOnOrAfter=\"{NOT_ON_OR_AFTER}\"><AudienceRestriction><Audience>{SP}</Audience></AudienceRestriction></Conditions><AttributeStatement>{claims}</AttributeStatement><AuthnStatement AuthnInstant=\"{ISSUED}\" SessionIndex=\"{ASSERTION_ID}\"><AuthnContext><AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</AuthnContextClassRef></AuthnContext></AuthnStatement></Assertion></samlp:Response>"
    );
    let key = bergshamra_keys::loader::load_pem_auto(&key_pem, None)?;
    let mut manager = bergshamra_keys::KeysManager::new();
    manager.add_key(key);
    let signed = bergshamra_dsig::sign::sign(&bergshamra_dsig::DsigContext::new(manager), &xml)?;
    // bergshamra adds an XML declaration; Entra's responses carry none.
    let signed = signed
        .strip_prefix("<?xml")
        .and_then(|rest| rest.split_once("?>"))
        .map_or(signed.as_str(), |(_, r)| r.trim_start());
    std::fs::write(out, signed)?;
    Ok(())
}
