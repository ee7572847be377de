//! SAML fixtures: Entra-shaped responses, an assertion, federation metadata and a
//! redirect-binding AuthnRequest, signed with bergshamra (the library keyprobe verifies with)
//! using the keys `make_fixtures` makes. Times are around `AT`, the tests' pinned clock.

use keyprobe_core::xmldsig::XmlDsigAlg;
use std::fs;
use std::io::Write;
use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;

use keyprobe::rfc3339;

use super::{self_signed, Res, AT, DAY, TENANT};

pub struct Keys<'a> {
    pub idp: (&'a PKey<Private>, &'a X509),
    pub expired: (&'a PKey<Private>, &'a X509),
    pub ec: &'a PKey<Private>,
}

const SP: &str = "https://sp.example.test/saml";
const ACS: &str = "https://sp.example.test/saml/acs";
const REQUEST_ID: &str = "_req-7f1c2a";
const RSA_SHA256: &str = XmlDsigAlg::RsaSha256.uri();
const RSA_SHA1: &str = XmlDsigAlg::RsaSha1.uri();
const ECDSA_SHA256: &str = XmlDsigAlg::EcdsaSha256.uri();
const SHA256: &str = XmlDsigAlg::Sha256.uri();
const SHA1: &str = XmlDsigAlg::Sha1.uri();
const RSA_SHA512: &str = XmlDsigAlg::RsaSha512.uri();
const ECDSA_SHA384: &str = XmlDsigAlg::EcdsaSha384.uri();
const SHA384: &str = XmlDsigAlg::Sha384.uri();
const SHA512: &str = XmlDsigAlg::Sha512.uri();
const EXC_C14N: &str = XmlDsigAlg::ExcC14n.uri();
const INCLUSIVE_C14N: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";

fn issuer() -> String {
    format!("https://sts.windows.net/{TENANT}/")
}

pub fn make(root: &Path, keys: Keys) -> Res<()> {
    let dir = root.join("saml");
    fs::create_dir_all(&dir)?;
    let w = |name: &str, body: &[u8]| -> Res<()> { Ok(fs::write(dir.join(name), body)?) };
    let (idp_key, idp_cert) = keys.idp;
    let attacker = super::rsa(2048)?;
    let attacker_cert = self_signed(
        &attacker,
        "attacker signing certificate",
        AT - DAY,
        AT + 365 * DAY,
    )?;
    let bystander = super::rsa(2048)?;
    let bystander_cert = self_signed(
        &bystander,
        "unrelated certificate",
        AT - DAY,
        AT + 365 * DAY,
    )?;
    let ec_cert = self_signed(
        keys.ec,
        "ECDSA SAML signing certificate",
        AT - 30 * DAY,
        AT + 700 * DAY,
    )?;
    w("idp-signing.pem", &idp_cert.to_pem()?)?;
    w("ecdsa-signing.pem", &ec_cert.to_pem()?)?;
    w("attacker.pem", &attacker_cert.to_pem()?)?;
    w("expired-signing.pem", &keys.expired.1.to_pem()?)?;

    let normal = Lifetime::around(AT);
    let signed = |a: &Signer, r: Option<&Signer>, life: &Lifetime, name: &str| -> Res<String> {
        response(a, r, life, name)
    };
    let idp = Signer::new(idp_key, idp_cert, RSA_SHA256, SHA256);

    // The Entra default: the assertion is signed, the response is not.
    let valid = signed(&idp, None, &normal, "alice@contoso.example")?;
    w("response-signed.xml", valid.as_bytes())?;
    w(
        "response-signed.b64",
        wrap76(&STANDARD.encode(&valid)).as_bytes(),
    )?;
    let form = format!(
        "SAMLResponse={}&RelayState=%2Fapp%2Fhome",
        url_encode(&STANDARD.encode(&valid))
    );
    w("response-form.txt", form.as_bytes())?;
    w(
        "response-signed-both.xml",
        signed(&idp, Some(&idp), &normal, "alice@contoso.example")?.as_bytes(),
    )?;
    // Entra's "Sign SAML response" option: the Response is signed, its Assertion is not.
    let a = assertion(&normal, "alice@contoso.example").replace("{SIGNATURE}", "");
    let shell = response_shell(
        &normal,
        &idp.template(&format!("_r-{}", normal.issued))?,
        &a,
    );
    w(
        "response-signed-response.xml",
        sign(&idp, &shell)?.as_bytes(),
    )?;
    w(
        "response-unsigned.xml",
        unsigned_response(&normal, "alice@contoso.example").as_bytes(),
    )?;
    // Changed after signing: the NameID no longer matches the reference digest.
    w(
        "response-tampered.xml",
        valid
            .replace("alice@contoso.example", "mallory@contoso.example")
            .as_bytes(),
    )?;
    w(
        "response-expired.xml",
        signed(
            &idp,
            None,
            &Lifetime::around(AT - 3 * DAY),
            "alice@contoso.example",
        )?
        .as_bytes(),
    )?;
    w(
        "response-not-yet-valid.xml",
        signed(
            &idp,
            None,
            &Lifetime::around(AT + 2 * DAY),
            "alice@contoso.example",
        )?
        .as_bytes(),
    )?;
    w(
        "response-sha1.xml",
        signed(
            &Signer::new(idp_key, idp_cert, RSA_SHA1, SHA1),
            None,
            &normal,
            "alice@contoso.example",
        )?
        .as_bytes(),
    )?;
    w(
        "response-ecdsa.xml",
        signed(
            &Signer::new(keys.ec, &ec_cert, ECDSA_SHA256, SHA256),
            None,
            &normal,
            "alice@contoso.example",
        )?
        .as_bytes(),
    )?;
    w(
        "response-expired-cert.xml",
        signed(
            &Signer::new(keys.expired.0, keys.expired.1, RSA_SHA256, SHA256),
            None,
            &normal,
            "alice@contoso.example",
        )?
        .as_bytes(),
    )?;
    // Signed by someone else, who attaches their own certificate.
    w(
        "response-attacker.xml",
        signed(
            &Signer::new(&attacker, &attacker_cert, RSA_SHA256, SHA256),
            None,
            &normal,
            "alice@contoso.example",
        )?
        .as_bytes(),
    )?;
    // Signed by someone else, naming a certificate that is neither trusted nor theirs.
    w(
        "response-unknown-keyinfo.xml",
        signed(
            &Signer {
                keyinfo: bystander_cert.clone(),
                ..Signer::new(&attacker, &attacker_cert, RSA_SHA256, SHA256)
            },
            None,
            &normal,
            "alice@contoso.example",
        )?
        .as_bytes(),
    )?;
    // Inclusive canonicalisation with RSA-SHA512, signed in place inside the Response ...
    let inclusive = Signer {
        c14n: INCLUSIVE_C14N,
        ..Signer::new(idp_key, idp_cert, RSA_SHA512, SHA512)
    };
    let in_place = assertion(&normal, "alice@contoso.example").replace(
        "{SIGNATURE}",
        &inclusive.template(&format!("_a-{}", normal.issued))?,
    );
    w(
        "response-inclusive-c14n-sha512.xml",
        sign(&inclusive, &response_shell(&normal, "", &in_place))?.as_bytes(),
    )?;
    // ... and signed on its own, then put in a Response: inclusive c14n takes in the Response's
    // namespace declarations, so the digest no longer matches (why SAML uses exclusive c14n).
    w(
        "response-inclusive-c14n-moved.xml",
        signed(
            &Signer {
                c14n: INCLUSIVE_C14N,
                ..Signer::new(idp_key, idp_cert, RSA_SHA512, SHA512)
            },
            None,
            &normal,
            "alice@contoso.example",
        )?
        .as_bytes(),
    )?;
    let p384 = super::ec(openssl::nid::Nid::SECP384R1)?;
    let p384_cert = self_signed(
        &p384,
        "ECDSA P-384 SAML signing certificate",
        AT - 30 * DAY,
        AT + 700 * DAY,
    )?;
    w("ecdsa-p384-signing.pem", &p384_cert.to_pem()?)?;
    w(
        "response-ecdsa-p384.xml",
        signed(
            &Signer::new(&p384, &p384_cert, ECDSA_SHA384, SHA384),
            None,
            &normal,
            "alice@contoso.example",
        )?
        .as_bytes(),
    )?;
    w("response-status-error.xml", status_error().as_bytes())?;
    w(
        "response-xxe.xml",
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n{}",
            unsigned_response(&normal, "&xxe;")
        )
        .as_bytes(),
    )?;
    let standalone = assertion(&normal, "alice@contoso.example").replace(
        "{SIGNATURE}",
        &idp.template(&format!("_a-{}", normal.issued))?,
    );
    w("assertion-signed.xml", sign(&idp, &standalone)?.as_bytes())?;

    // Federation metadata, Entra's shape.
    let md = |entity: &str, signing: Option<&X509>, valid_until: Option<i64>| -> Res<String> {
        federation_metadata(entity, signing, valid_until)
    };
    w(
        "federationmetadata.xml",
        sign(&idp, &md(&issuer(), Some(idp_cert), Some(AT + 30 * DAY))?)?.as_bytes(),
    )?;
    w(
        "federationmetadata-no-signing-key.xml",
        md(&issuer(), None, None)?.as_bytes(),
    )?;
    w(
        "federationmetadata-expired.xml",
        md(&issuer(), Some(idp_cert), Some(AT - 10 * DAY))?.as_bytes(),
    )?;
    w(
        "federationmetadata-other-tenant.xml",
        md(
            "https://sts.windows.net/00000000-0000-0000-0000-000000000000/",
            Some(idp_cert),
            None,
        )?
        .as_bytes(),
    )?;
    w(
        "federationmetadata-tampered.xml",
        sign(&idp, &md(&issuer(), Some(idp_cert), Some(AT + 30 * DAY))?)?
            .replace("https://sp.example.test", "https://evil.example.test")
            .replace("/saml2\"", "/saml2-evil\"")
            .as_bytes(),
    )?;

    // What cannot be verified is never ok: a signed Response whose only assertion is encrypted,
    // and logout messages signed or not.
    let encrypted = response_shell(
        &normal,
        &idp.template(&format!("_r-{}", normal.issued))?,
        ENCRYPTED_ASSERTION,
    );
    w(
        "response-encrypted-assertion.xml",
        sign(&idp, &encrypted)?.as_bytes(),
    )?;
    w("logout-request.xml", logout_request("").as_bytes())?;
    w(
        "logout-request-signed.xml",
        sign(&idp, &logout_request(&idp.template("_lo-1")?))?.as_bytes(),
    )?;
    w("logout-response.xml", logout_response().as_bytes())?;

    // Aggregate metadata (what federations publish): two identity providers, each trusted only
    // for what it issues. A genuine response of the second, and one claiming to come from the
    // first but signed with the second's key.
    let idp_b_key = super::rsa(2048)?;
    let idp_b_cert = self_signed(
        &idp_b_key,
        "idp-b.example.test SAML signing",
        AT - 30 * DAY,
        AT + 700 * DAY,
    )?;
    let idp_b = Signer::new(&idp_b_key, &idp_b_cert, RSA_SHA256, SHA256);
    w("idp-b-signing.pem", &idp_b_cert.to_pem()?)?;
    w(
        "metadata-aggregate.xml",
        format!(
            "<EntitiesDescriptor xmlns=\"urn:oasis:names:tc:SAML:2.0:metadata\" Name=\"urn:example:federation\">{}{}</EntitiesDescriptor>",
            idp_entity(&issuer(), idp_cert)?,
            idp_entity(IDP_B, &idp_b_cert)?
        )
        .as_bytes(),
    )?;
    w(
        "response-idp-b.xml",
        response_as(IDP_B, &idp_b, &normal, "bob@idp-b.example.test")?.as_bytes(),
    )?;
    w(
        "response-issuer-a-signed-by-b.xml",
        response(&idp_b, None, &normal, "alice@contoso.example")?.as_bytes(),
    )?;

    // An HTTP-Redirect binding AuthnRequest, as the browser's address bar shows it.
    let request = authn_request();
    w("authnrequest.xml", request.as_bytes())?;
    let mut deflater =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    deflater.write_all(request.as_bytes())?;
    let encoded = url_encode(&STANDARD.encode(deflater.finish()?));
    w(
        "authnrequest-redirect.txt",
        format!("https://login.microsoftonline.com/{TENANT}/saml2?SAMLRequest={encoded}&RelayState=xyz\n").as_bytes(),
    )?;
    // The same request signed by the service provider over the query string (bindings §3.4.4.1).
    let sp_key = super::rsa(2048)?;
    let sp_cert = self_signed(
        &sp_key,
        "sp.example.test SAML request signing",
        AT - 30 * DAY,
        AT + 700 * DAY,
    )?;
    w("sp-signing.pem", &sp_cert.to_pem()?)?;
    let signed_octets = format!(
        "SAMLRequest={encoded}&RelayState=xyz&SigAlg={}",
        url_encode_all(RSA_SHA256)
    );
    let mut signer = openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), &sp_key)?;
    let signature = signer.sign_oneshot_to_vec(signed_octets.as_bytes())?;
    w(
        "authnrequest-redirect-signed.txt",
        format!(
            "https://login.microsoftonline.com/{TENANT}/saml2?{signed_octets}&Signature={}\n",
            url_encode_all(&STANDARD.encode(signature))
        )
        .as_bytes(),
    )?;
    Ok(())
}

/// An assertion's times, in whole seconds; each is written with [`Lifetime::MILLIS`] milliseconds.
struct Lifetime {
    issued: i64,
    not_before: i64,
    not_on_or_after: i64,
}

impl Lifetime {
    /// The milliseconds every instant carries: Entra writes SAML instants to the millisecond.
    const MILLIS: u16 = 78;

    /// Entra's window, as real responses (`../shared/entra-samples/saml/`) and mock-sts have it:
    /// Conditions NotBefore 5 minutes before the issue instant, NotOnOrAfter (and the bearer
    /// confirmation's) 60 minutes after it. Issued a minute before `t`.
    fn around(t: i64) -> Self {
        let issued = t - 60;
        Lifetime {
            issued,
            not_before: issued - 5 * 60,
            not_on_or_after: issued + 60 * 60,
        }
    }

    /// `2026-06-01T11:59:00.078Z`: a SAML instant as Entra writes it.
    fn instant(t: i64) -> String {
        let whole = rfc3339(t);
        let seconds = whole.strip_suffix('Z').unwrap_or(&whole);
        format!("{seconds}.{:03}Z", Self::MILLIS)
    }
}

#[derive(Clone)]
struct Signer<'a> {
    key: &'a PKey<Private>,
    keyinfo: X509,
    method: &'static str,
    digest: &'static str,
    c14n: &'static str,
}

impl<'a> Signer<'a> {
    fn new(
        key: &'a PKey<Private>,
        cert: &X509,
        method: &'static str,
        digest: &'static str,
    ) -> Self {
        Signer {
            key,
            keyinfo: cert.clone(),
            method,
            digest,
            c14n: EXC_C14N,
        }
    }

    fn template(&self, id: &str) -> Res<String> {
        template(&self.keyinfo, self.method, self.digest, self.c14n, id)
    }
}

/// An empty enveloped-signature template referencing `#id`, exclusive c14n, with `cert` in KeyInfo.
fn template(cert: &X509, method: &str, digest: &str, c14n: &str, id: &str) -> Res<String> {
    {
        Ok(format!(
            "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><SignedInfo><CanonicalizationMethod Algorithm=\"{c14n}\"/><SignatureMethod Algorithm=\"{}\"/><Reference URI=\"#{id}\"><Transforms><Transform Algorithm=\"{enveloped}\"/><Transform Algorithm=\"{c14n}\"/></Transforms><DigestMethod Algorithm=\"{}\"/><DigestValue></DigestValue></Reference></SignedInfo><SignatureValue></SignatureValue><KeyInfo><X509Data><X509Certificate>{}</X509Certificate></X509Data></KeyInfo></Signature>",
            method,
            digest,
            STANDARD.encode(cert.to_der()?),
            enveloped = XmlDsigAlg::EnvelopedSignature.uri(),
        ))
    }
}

/// Signs the first signature template in `xml` with bergshamra.
fn sign(signer: &Signer, xml: &str) -> Res<String> {
    let pem = signer.key.private_key_to_pem_pkcs8()?;
    let key = bergshamra_keys::loader::load_pem_auto(&pem, None)?;
    let mut manager = bergshamra_keys::KeysManager::new();
    manager.add_key(key);
    let ctx = bergshamra_dsig::DsigContext::new(manager);
    Ok(bergshamra_dsig::sign::sign(&ctx, xml)?)
}

fn assertion(life: &Lifetime, name_id: &str) -> String {
    let issuer = issuer();
    format!(
        "<Assertion xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_a-{n}\" IssueInstant=\"{issued}\" Version=\"2.0\"><Issuer>{issuer}</Issuer>{{SIGNATURE}}<Subject><NameID Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\">{name_id}</NameID><SubjectConfirmation Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\"><SubjectConfirmationData InResponseTo=\"{REQUEST_ID}\" NotOnOrAfter=\"{nooa}\" Recipient=\"{ACS}\"/></SubjectConfirmation></Subject><Conditions NotBefore=\"{nb}\" NotOnOrAfter=\"{nooa}\"><AudienceRestriction><Audience>{SP}</Audience></AudienceRestriction></Conditions><AttributeStatement><Attribute Name=\"http://schemas.microsoft.com/identity/claims/tenantid\"><AttributeValue>{TENANT}</AttributeValue></Attribute><Attribute Name=\"http://schemas.microsoft.com/identity/claims/objectidentifier\"><AttributeValue>3f2b8c1e-5d7a-4e90-9c61-2b4d8a0f7e13</AttributeValue></Attribute><Attribute Name=\"http://schemas.microsoft.com/identity/claims/identityprovider\"><AttributeValue>{issuer}</AttributeValue></Attribute><Attribute Name=\"http://schemas.microsoft.com/claims/authnmethodsreferences\"><AttributeValue>http://schemas.microsoft.com/ws/2008/06/identity/authenticationmethod/password</AttributeValue></Attribute><Attribute Name=\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name\"><AttributeValue>{name_id}</AttributeValue></Attribute><Attribute Name=\"http://schemas.microsoft.com/identity/claims/displayname\"><AttributeValue>Alice Example</AttributeValue></Attribute></AttributeStatement><AuthnStatement AuthnInstant=\"{issued}\" SessionIndex=\"_a-{n}\"><AuthnContext><AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</AuthnContextClassRef></AuthnContext></AuthnStatement></Assertion>",
        n = life.issued,
        issued = Lifetime::instant(life.issued),
        nb = Lifetime::instant(life.not_before),
        nooa = Lifetime::instant(life.not_on_or_after),
    )
}

fn response(
    assertion_signer: &Signer,
    response_signer: Option<&Signer>,
    life: &Lifetime,
    name_id: &str,
) -> Res<String> {
    let a = assertion(life, name_id);
    let a = a.replace(
        "{SIGNATURE}",
        &assertion_signer.template(&format!("_a-{}", life.issued))?,
    );
    let a = sign(assertion_signer, &a)?;
    let a = a.trim_start_matches(|c| c != '<');
    let a = a.strip_prefix("<?xml").map_or(a, |rest| {
        rest.split_once("?>").map_or(rest, |(_, r)| r.trim_start())
    });
    let sig = match response_signer {
        Some(s) => s.template(&format!("_r-{}", life.issued))?,
        None => String::new(),
    };
    let xml = response_shell(life, &sig, a);
    match response_signer {
        Some(s) => sign(s, &xml),
        None => Ok(xml),
    }
}

fn response_shell(life: &Lifetime, signature: &str, assertion: &str) -> String {
    format!(
        "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"_r-{n}\" Version=\"2.0\" IssueInstant=\"{issued}\" Destination=\"{ACS}\" InResponseTo=\"{REQUEST_ID}\"><Issuer xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\">{iss}</Issuer>{signature}<samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status>{assertion}</samlp:Response>",
        n = life.issued,
        issued = Lifetime::instant(life.issued),
        iss = issuer(),
    )
}

fn unsigned_response(life: &Lifetime, name_id: &str) -> String {
    let a = assertion(life, name_id).replace("{SIGNATURE}", "");
    response_shell(life, "", &a)
}

/// The SAML error Response Entra posts for a request it cannot serve.
fn status_error() -> String {
    format!(
        "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" ID=\"_e-1\" Version=\"2.0\" IssueInstant=\"{}\" Destination=\"{ACS}\" InResponseTo=\"{REQUEST_ID}\"><Issuer xmlns=\"urn:oasis:names:tc:SAML:2.0:assertion\">{}</Issuer><samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Requester\"><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:RequestUnsupported\"/></samlp:StatusCode><samlp:StatusMessage>AADSTS75011: Authentication method by which the user authenticated with the service doesn't match requested authentication method AuthnContextClassRef.</samlp:StatusMessage></samlp:Status></samlp:Response>",
        rfc3339(AT),
        issuer()
    )
}

fn federation_metadata(
    entity: &str,
    signing: Option<&X509>,
    valid_until: Option<i64>,
) -> Res<String> {
    let key = match signing {
        Some(c) => format!(
            "<KeyDescriptor use=\"signing\"><KeyInfo xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><X509Data><X509Certificate>{}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>",
            STANDARD.encode(c.to_der()?)
        ),
        None => String::new(),
    };
    let until = valid_until
        .map(|t| format!(" validUntil=\"{}\"", rfc3339(t)))
        .unwrap_or_default();
    let signature = match signing {
        Some(c) => template(c, RSA_SHA256, SHA256, EXC_C14N, "_md-1")?,
        None => String::new(),
    };
    Ok(format!(
        "<EntityDescriptor xmlns=\"urn:oasis:names:tc:SAML:2.0:metadata\" ID=\"_md-1\" entityID=\"{entity}\"{until}>{signature}<RoleDescriptor xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:fed=\"http://docs.oasis-open.org/wsfed/federation/200706\" xsi:type=\"fed:SecurityTokenServiceType\" protocolSupportEnumeration=\"http://docs.oasis-open.org/wsfed/federation/200706\">{key}<fed:ClaimTypesOffered><auth:ClaimType xmlns:auth=\"http://docs.oasis-open.org/wsfed/authorization/200706\" Uri=\"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name\"/></fed:ClaimTypesOffered><fed:PassiveRequestorEndpoint><wsa:EndpointReference xmlns:wsa=\"http://www.w3.org/2005/08/addressing\"><wsa:Address>https://login.microsoftonline.com/{TENANT}/wsfed</wsa:Address></wsa:EndpointReference></fed:PassiveRequestorEndpoint></RoleDescriptor><RoleDescriptor xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:fed=\"http://docs.oasis-open.org/wsfed/federation/200706\" xsi:type=\"fed:ApplicationServiceType\" protocolSupportEnumeration=\"http://docs.oasis-open.org/wsfed/federation/200706\">{key}<fed:TargetScopes><wsa:EndpointReference xmlns:wsa=\"http://www.w3.org/2005/08/addressing\"><wsa:Address>https://sts.windows.net/{TENANT}/</wsa:Address></wsa:EndpointReference></fed:TargetScopes></RoleDescriptor><IDPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">{key}<SingleLogoutService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" Location=\"https://login.microsoftonline.com/{TENANT}/saml2\"/><SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" Location=\"https://login.microsoftonline.com/{TENANT}/saml2\"/><SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" Location=\"https://login.microsoftonline.com/{TENANT}/saml2\"/></IDPSSODescriptor></EntityDescriptor>"
    ))
}

/// The second identity provider of the aggregate metadata.
const IDP_B: &str = "https://idp-b.example.test/saml";

/// An EncryptedAssertion as an IdP encrypting for the service provider writes it (the
/// ciphertext is not real: keyprobe never decrypts).
const ENCRYPTED_ASSERTION: &str = "<saml:EncryptedAssertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\"><xenc:EncryptedData xmlns:xenc=\"http://www.w3.org/2001/04/xmlenc#\" Type=\"http://www.w3.org/2001/04/xmlenc#Element\"><xenc:EncryptionMethod Algorithm=\"http://www.w3.org/2009/xmlenc11#aes256-gcm\"/><xenc:CipherData><xenc:CipherValue>c2VhbGVkIGZvciB0aGUgc2VydmljZSBwcm92aWRlcg==</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData></saml:EncryptedAssertion>";

/// A signed Response from `issuer`: its Assertion signed by `signer`.
fn response_as(issuer_id: &str, signer: &Signer, life: &Lifetime, name_id: &str) -> Res<String> {
    let id = format!("_a-{}", life.issued);
    let a = assertion(life, name_id)
        .replace(&issuer(), issuer_id)
        .replace("{SIGNATURE}", &signer.template(&id)?);
    let a = sign(signer, &a)?;
    let a = a.trim_start_matches(|c| c != '<');
    let a = a.strip_prefix("<?xml").map_or(a, |rest| {
        rest.split_once("?>").map_or(rest, |(_, r)| r.trim_start())
    });
    Ok(response_shell(life, "", "{ASSERTION}")
        .replace(&issuer(), issuer_id)
        .replace("{ASSERTION}", a))
}

/// One identity provider's entity in aggregate metadata: its SAML role and signing certificate.
fn idp_entity(entity: &str, cert: &X509) -> Res<String> {
    Ok(format!(
        "<EntityDescriptor entityID=\"{entity}\"><IDPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\"><KeyDescriptor use=\"signing\"><KeyInfo xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><X509Data><X509Certificate>{}</X509Certificate></X509Data></KeyInfo></KeyDescriptor><SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" Location=\"{entity}/sso\"/></IDPSSODescriptor></EntityDescriptor>",
        STANDARD.encode(cert.to_der()?)
    ))
}

/// The IdP's LogoutRequest for a service provider, with `signature` after its Issuer.
fn logout_request(signature: &str) -> String {
    format!(
        "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_lo-1\" Version=\"2.0\" IssueInstant=\"{}\" Destination=\"https://sp.example.test/saml/slo\"><saml:Issuer>{}</saml:Issuer>{signature}<saml:NameID Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\">alice@contoso.example</saml:NameID><samlp:SessionIndex>_a-1</samlp:SessionIndex></samlp:LogoutRequest>",
        rfc3339(AT - 60),
        issuer()
    )
}

/// The IdP's answer to a service provider's LogoutRequest, unsigned.
fn logout_response() -> String {
    format!(
        "<samlp:LogoutResponse xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_lr-1\" Version=\"2.0\" IssueInstant=\"{}\" Destination=\"https://sp.example.test/saml/slo\" InResponseTo=\"_splo-1\"><saml:Issuer>{}</saml:Issuer><samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status></samlp:LogoutResponse>",
        rfc3339(AT - 60),
        issuer()
    )
}

fn authn_request() -> String {
    format!(
        "<samlp:AuthnRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"{REQUEST_ID}\" Version=\"2.0\" IssueInstant=\"{}\" Destination=\"https://login.microsoftonline.com/{TENANT}/saml2\" AssertionConsumerServiceURL=\"{ACS}\" ProtocolBinding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\"><saml:Issuer>{SP}</saml:Issuer><samlp:NameIDPolicy Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\"/></samlp:AuthnRequest>",
        rfc3339(AT - 120)
    )
}

fn wrap76(s: &str) -> String {
    s.as_bytes()
        .chunks(76)
        .map(|c| format!("{}\n", String::from_utf8_lossy(c)))
        .collect()
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
fn url_encode_all(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn url_encode(s: &str) -> String {
    s.replace('%', "%25")
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
}
