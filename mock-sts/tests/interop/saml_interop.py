"""SAML interop checks: independent verifiers (the xmlsec1 CLI and Python signxml) accept mock-sts's
SAMLResponse with the certificate taken from the app's federation metadata, and reject a tampered one;
then the AADSTS50003 walkthrough (missing-signing-key, new certificate made active) ends in a response
they accept too. A second server (MOCK_STS_BOTH_URL) signs the response and the assertion: both
signatures are accepted. Last, pysaml2 as the service provider (its own AuthnRequest, its own validation of
the response: signature, audience, recipient, InResponseTo and the time windows, with default clock settings)
accepts a response with its clock two minutes behind the mock's and six minutes after the response was
issued, and rejects it with its clock six minutes behind or sixty-one minutes after: the windows Entra sets.

Run by saml.sh with MOCK_STS_URL set; prints "saml: N passed, N failed" last and exits non-zero on failure.
"""

import base64
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import urllib.error
import urllib.parse
import urllib.request
import zlib

from lxml import etree
from signxml import XMLVerifier

MOCK_STS = os.environ["MOCK_STS_URL"]
MOCK_STS_BOTH = os.environ.get("MOCK_STS_BOTH_URL")
TENANT = "7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b"
SAML_APP = "c3d4e5f6-0718-4293-a4b5-c6d7e8f90a1b"
SP_ENTITY = "https://sp.contoso.example/saml"
SP_ACS = "https://sp.contoso.example/saml/acs"
APP_METADATA = f"{MOCK_STS}/{TENANT}/federationmetadata/2007-06/federationmetadata.xml?appid={SAML_APP}"
WORKDIR = tempfile.mkdtemp(prefix="saml-interop-")

passed = 0
failed = 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def http(method, url, body=None):
    # The control API changes state only for a JSON body (urllib would label this one a form).
    request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def authn_request(request_id):
    xml = (
        '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
        f'ID="{request_id}" Version="2.0" IssueInstant="2026-01-01T00:00:00Z" '
        f'AssertionConsumerServiceURL="{SP_ACS}">'
        f"<saml:Issuer>{SP_ENTITY}</saml:Issuer></samlp:AuthnRequest>"
    )
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw DEFLATE, as the Redirect binding wants
    return base64.b64encode(deflate.compress(xml.encode()) + deflate.flush()).decode()


def sign_in(request_id, base=MOCK_STS):
    query = urllib.parse.urlencode({"SAMLRequest": authn_request(request_id), "RelayState": "interop"})
    return http("GET", f"{base}/{TENANT}/saml2?{query}")


def saml_response(page):
    match = re.search(r'name="SAMLResponse" value="([^"]+)"', page)
    return base64.b64decode(html.unescape(match.group(1))) if match else None


def metadata_certificate_pem(base=MOCK_STS):
    _, xml = http("GET", APP_METADATA.replace(MOCK_STS, base, 1))
    match = re.search(r'<KeyDescriptor use="signing">.*?<X509Certificate>([^<]+)</X509Certificate>', xml)
    if not match:
        return None
    body = "\n".join(textwrap.wrap(match.group(1).strip(), 64))
    return f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n"


def xmlsec1_accepts(response_xml, cert_pem):
    response_path = os.path.join(WORKDIR, "response.xml")
    cert_path = os.path.join(WORKDIR, "cert.pem")
    with open(response_path, "wb") as f:
        f.write(response_xml)
    with open(cert_path, "w") as f:
        f.write(cert_pem)
    result = subprocess.run(
        [
            "xmlsec1", "--verify", "--pubkey-cert-pem", cert_path,
            "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
            "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:protocol:Response",
            response_path,
        ],
        capture_output=True,
        text=True,
    )
    return result.returncode == 0, result.stderr.strip().splitlines()[-1:] if result.stderr else ""


def signxml_accepts(response_xml, cert_pem):
    try:
        root = etree.fromstring(response_xml)
        assertion = root.find("{urn:oasis:names:tc:SAML:2.0:assertion}Assertion")
        verified = XMLVerifier().verify(etree.tostring(assertion), x509_cert=cert_pem, id_attribute="ID")
        # What was signed must be the assertion a service provider reads.
        return verified.signed_xml.get("ID") == assertion.get("ID"), ""
    except Exception as error:  # signxml raises InvalidSignature, InvalidDigest, InvalidInput, ...
        return False, repr(error)


def tampered(response_xml):
    return response_xml.replace(b"alice@contoso.onmicrosoft.com", b"mallory@contoso.onmicrosoft.com")


def verify_both(label, response_xml, cert_pem):
    ok, detail = xmlsec1_accepts(response_xml, cert_pem)
    check(f"{label}: xmlsec1 --verify accepts the SAMLResponse", ok, detail)
    ok, detail = signxml_accepts(response_xml, cert_pem)
    check(f"{label}: signxml accepts the assertion", ok, detail)
    ok, _ = xmlsec1_accepts(tampered(response_xml), cert_pem)
    check(f"{label}: xmlsec1 rejects a tampered SAMLResponse", not ok)
    ok, _ = signxml_accepts(tampered(response_xml), cert_pem)
    check(f"{label}: signxml rejects a tampered assertion", not ok)


# 1. A healthy sign-in.
status, page = sign_in("_interop-healthy")
response_xml = saml_response(page)
check("healthy: sign-in answers the auto-posting form", status == 200 and response_xml is not None, page[:300])
healthy_cert = metadata_certificate_pem()
check("healthy: the app metadata carries a signing certificate", healthy_cert is not None)
if response_xml and healthy_cert:
    verify_both("healthy", response_xml, healthy_cert)

# 2. AADSTS50003 and its fix, as docs/aadsts50003.md walks through it.
http("PUT", f"{MOCK_STS}/_mock/scenario", json.dumps({"scenario": "missing-signing-key"}).encode())
status, page = sign_in("_interop-broken")
check("missing-signing-key: sign-in ends on the AADSTS50003 page", status == 400 and "AADSTS50003" in page, page[:300])
check("missing-signing-key: the app metadata has no signing certificate", metadata_certificate_pem() is None)
status, made = http("POST", f"{MOCK_STS}/_mock/apps/{SAML_APP}/certificates", b"")
thumbprint = json.loads(made).get("thumbprint", "") if status == 201 else ""
check("fix: a new certificate is made", len(thumbprint) == 40, made)
status, _ = http("POST", f"{MOCK_STS}/_mock/apps/{SAML_APP}/certificates/{thumbprint}/activate", b"")
check("fix: the new certificate is made active", status == 200)
status, page = sign_in("_interop-fixed")
fixed_xml = saml_response(page)
fixed_cert = metadata_certificate_pem()
check("fix: sign-in succeeds", status == 200 and fixed_xml is not None, page[:300])
if fixed_xml and fixed_cert:
    verify_both("fixed", fixed_xml, fixed_cert)
    if healthy_cert:
        ok, _ = xmlsec1_accepts(fixed_xml, healthy_cert)
        check("fixed: the old certificate no longer verifies", not ok)
http("PUT", f"{MOCK_STS}/_mock/scenario", json.dumps({"scenario": "healthy"}).encode())

# 3. An app that signs the response and the assertion.
if MOCK_STS_BOTH:
    status, page = sign_in("_interop-both", MOCK_STS_BOTH)
    both_xml = saml_response(page)
    both_cert = metadata_certificate_pem(MOCK_STS_BOTH)
    check("both: sign-in answers the auto-posting form", status == 200 and both_xml is not None, page[:300])
    if both_xml and both_cert:
        check("both: two signatures", both_xml.count(b"<Signature ") == 2)
        ok, detail = xmlsec1_accepts(both_xml, both_cert)
        check("both: xmlsec1 --verify accepts the Response signature", ok, detail)
        try:
            verified = XMLVerifier().verify(both_xml, x509_cert=both_cert, id_attribute="ID", expect_references=1)
            check("both: signxml accepts the Response signature", verified.signed_xml.tag.endswith("}Response"))
        except Exception as error:
            check("both: signxml accepts the Response signature", False, repr(error))
        ok, detail = signxml_accepts(both_xml, both_cert)
        check("both: signxml accepts the assertion signature", ok, detail)
        ok, _ = xmlsec1_accepts(tampered(both_xml), both_cert)
        check("both: xmlsec1 rejects a tampered SAMLResponse", not ok)


# 4. pysaml2 as the service provider, with its clock off by a few minutes.
def pysaml2_sp():
    from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
    from saml2.client import Saml2Client
    from saml2.config import SPConfig

    metadata_path = os.path.join(WORKDIR, "idp-metadata.xml")
    with open(metadata_path, "w") as f:
        f.write(http("GET", APP_METADATA)[1])
    config = SPConfig()
    config.load({
        "entityid": SP_ENTITY,
        "service": {"sp": {
            "endpoints": {"assertion_consumer_service": [(SP_ACS, BINDING_HTTP_POST)]},
            # Entra signs the assertion, not the response, unless the app asks for both.
            "want_response_signed": False,
            "want_assertions_signed": True,
        }},
        "metadata": {"local": [metadata_path]},
        "xmlsec_binary": "/usr/bin/xmlsec1",
    })
    return Saml2Client(config), BINDING_HTTP_POST, BINDING_HTTP_REDIRECT


def pysaml2_accepts(client, binding, response_b64, request_id):
    try:
        response = client.parse_authn_request_response(response_b64, binding, outstanding={request_id: "/"})
        return response is not None and response.name_id is not None, ""
    except Exception as error:  # ToEarly, ResponseLifetimeExceed, SignatureError, ...
        return False, repr(error)


from datetime import datetime, timedelta, timezone  # noqa: E402

from freezegun import freeze_time  # noqa: E402

client, post_binding, redirect_binding = pysaml2_sp()
request_id, info = client.prepare_for_authenticate(binding=redirect_binding, relay_state="pysaml2")
location = dict(info["headers"])["Location"]
check("pysaml2: its AuthnRequest goes to the metadata's SSO URL", location.startswith(f"{MOCK_STS}/{TENANT}/saml2?"), location)
status, page = http("GET", location)
pysaml2_xml = saml_response(page)
check("pysaml2: sign-in answers the auto-posting form", status == 200 and pysaml2_xml is not None, page[:300])
if pysaml2_xml:
    issued = re.search(rb'<Assertion ID="[^"]+" IssueInstant="([^"]+)"', pysaml2_xml).group(1).decode()
    issued = datetime.strptime(issued, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    b64 = base64.b64encode(pysaml2_xml).decode()
    for label, shift, expected in [
        ("accepts it with its clock 2 minutes behind", timedelta(minutes=-2), True),
        ("accepts it 6 minutes after issue", timedelta(minutes=6), True),
        ("accepts it 59 minutes after issue", timedelta(minutes=59), True),
        ("rejects it with its clock 6 minutes behind", timedelta(minutes=-6), False),
        ("rejects it 61 minutes after issue", timedelta(minutes=61), False),
    ]:
        with freeze_time(issued + shift):
            ok, detail = pysaml2_accepts(client, post_binding, b64, request_id)
        check(f"pysaml2: {label}", ok == expected, detail)

print(f"saml: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
