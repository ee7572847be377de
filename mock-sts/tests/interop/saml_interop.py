"""SAML interop checks: independent verifiers (the xmlsec1 CLI and Python signxml) accept mock-sts's
SAMLResponse with the certificate taken from the app's federation metadata, and reject a tampered one;
then the AADSTS50003 walkthrough (missing-signing-key, new certificate made active) ends in a response
they accept too. A second server (MOCK_STS_BOTH_URL) signs the response and the assertion: both
signatures are accepted. Last, pysaml2 as the service provider (its own AuthnRequest, its own validation of
the response: signature, audience, recipient, InResponseTo and the time windows, with default clock settings)
accepts a response with its clock two minutes behind the mock's and six minutes after the response was
issued, and rejects it with its clock six minutes behind or sixty-one minutes after: the windows Entra sets.
MOCK_STS_SIGNED_URL requires signed AuthnRequests: pysaml2 signs its own (Redirect and POST) with its key. Over
HTTPS (MOCK_STS_TLS_URL), pysaml2 and python3-saml keep a browser session, then log out through their own SLO
API and validate the mock's signed LogoutResponse.

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


# 4b. Signed AuthnRequests: MOCK_STS_SIGNED_URL requires them, signed with the SP's key (SP_KEY_DIR); pysaml2 signs
# its own requests (Redirect: the query; POST: an enveloped signature made with xmlsec1).
def signing_sp(base, key_name):
    from saml2 import BINDING_HTTP_POST
    from saml2.client import Saml2Client
    from saml2.config import SPConfig

    metadata_path = os.path.join(WORKDIR, f"idp-metadata-signed-{key_name}.xml")
    with open(metadata_path, "w") as f:
        f.write(http("GET", f"{base}/{TENANT}/federationmetadata/2007-06/federationmetadata.xml?appid={SAML_APP}")[1])
    config = SPConfig()
    config.load({
        "entityid": SP_ENTITY,
        "key_file": os.path.join(os.environ["SP_KEY_DIR"], f"{key_name}-key.pem"),
        "cert_file": os.path.join(os.environ["SP_KEY_DIR"], f"{key_name}-cert.pem"),
        "service": {"sp": {
            "endpoints": {"assertion_consumer_service": [(SP_ACS, BINDING_HTTP_POST)]},
            "authn_requests_signed": True,
            "want_response_signed": False,
            "want_assertions_signed": True,
        }},
        "metadata": {"local": [metadata_path]},
        "xmlsec_binary": "/usr/bin/xmlsec1",
    })
    return Saml2Client(config)


def signed_sign_in(client, binding, sign):
    """pysaml2 builds (and signs, or not) its AuthnRequest; the browser takes it to the mock."""
    from saml2 import BINDING_HTTP_REDIRECT
    from saml2.xmldsig import SIG_RSA_SHA256

    # pysaml2 passes sigalg on as the enveloped signature's method too (digest SHA-256 by default).
    request_id, info = client.prepare_for_authenticate(
        binding=binding, relay_state="signed", sign=sign, sigalg=SIG_RSA_SHA256)
    if binding == BINDING_HTTP_REDIRECT:
        location = dict(info["headers"])["Location"]
        return request_id, "Signature=" in location, http("GET", location)
    form = info["data"]
    action = html.unescape(re.search(r'action="([^"]+)"', form).group(1))
    fields = dict((name, html.unescape(value)) for name, value in re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    sent_xml = base64.b64decode(fields["SAMLRequest"]).decode()
    body = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(action, data=body, method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return request_id, enveloped_signature(sent_xml), (response.status, response.read().decode())
    except urllib.error.HTTPError as error:
        return request_id, enveloped_signature(sent_xml), (error.code, error.read().decode())


def enveloped_signature(xml):
    return re.search(r'<(\w+:)?Signature[ >]', xml) is not None


MOCK_STS_SIGNED = os.environ.get("MOCK_STS_SIGNED_URL")
if MOCK_STS_SIGNED:
    from saml2 import BINDING_HTTP_POST as SIGNED_POST, BINDING_HTTP_REDIRECT as SIGNED_REDIRECT

    sp_client = signing_sp(MOCK_STS_SIGNED, "sp")
    other_client = signing_sp(MOCK_STS_SIGNED, "other")
    for label, binding in [("Redirect", SIGNED_REDIRECT), ("POST", SIGNED_POST)]:
        request_id, was_signed, (status, page) = signed_sign_in(sp_client, binding, True)
        check(f"signed requests: pysaml2 signs its {label} AuthnRequest", was_signed)
        signed_xml = saml_response(page)
        ok, detail = (pysaml2_accepts(sp_client, SIGNED_POST, base64.b64encode(signed_xml).decode(), request_id)
                      if signed_xml else (False, page[-400:]))
        check(f"signed requests: pysaml2's signed {label} request is answered and it accepts the response",
              status == 200 and ok, detail)
        _, was_signed, (status, page) = signed_sign_in(sp_client, binding, False)
        check(f"signed requests: pysaml2's unsigned {label} request ends on AADSTS76021 (not signed)",
              not was_signed and status == 400
              and "AADSTS76021: The request sent by client is not signed" in page, page[-400:])
        _, was_signed, (status, page) = signed_sign_in(other_client, binding, True)
        check(f"signed requests: a {label} request signed with another key ends on AADSTS76021 (not verified)",
              was_signed and status == 400 and "AADSTS76021: " in page and "could not be verified" in page,
              page[-400:])


# 5. Service providers with a browser session, over HTTPS (the mock's CA trusted through REQUESTS_CA_BUNDLE):
# pysaml2 and python3-saml each build their own AuthnRequest, a requests.Session plays the browser (it keeps
# the ESTSAUTH cookie), and each validates the response in full (signature, issuer, audience, recipient,
# destination, InResponseTo, time windows) with its clock a few minutes behind and ahead of the mock's.
MOCK_STS_TLS = os.environ.get("MOCK_STS_TLS_URL")
NO_PASSIVE = "urn:oasis:names:tc:SAML:2.0:status:NoPassive"
# The SAML app's logout URL in the default configuration, and Entra's SAML issuer for the tenant.
SP_LOGOUT = "https://sp.contoso.example/saml/logout"
IDP_ENTITY = f"https://sts.windows.net/{TENANT}/"


def logout_redirect(browser, location):
    """The browser takes the SP's LogoutRequest URL to the mock; returns (reply, the URL it is sent on to)."""
    reply = browser.get(location, allow_redirects=False, timeout=30)
    return reply, reply.headers.get("Location", "")


def sent_logout_request(location):
    value = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["SAMLRequest"][0]
    return zlib.decompress(base64.b64decode(value), -15).decode()


def follow(browser, location):
    """The browser follows the SP's redirect to the mock; returns (form page, SAMLResponse XML, RelayState)."""
    reply = browser.get(location, allow_redirects=False, timeout=30)
    xml = saml_response(reply.text)
    relay = re.search(r'name="RelayState" value="([^"]*)"', reply.text)
    return reply, xml, html.unescape(relay.group(1)) if relay else None


def sent_request(location):
    """The AuthnRequest XML an SP put in its Redirect-binding URL (raw DEFLATE, base64)."""
    value = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["SAMLRequest"][0]
    return zlib.decompress(base64.b64decode(value), -15).decode()


def session_cookie(browser):
    return next((c for c in browser.cookies if c.name == "ESTSAUTH"), None)


def authn_instant(xml):
    match = re.search(rb'<AuthnStatement AuthnInstant="([^"]+)"', xml or b"")
    return match.group(1).decode() if match else None


def issued_at(xml):
    text = re.search(rb'<Assertion ID="[^"]+" IssueInstant="([^"]+)"', xml).group(1).decode()
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def second_level_status(xml):
    root = etree.fromstring(xml)
    codes = root.findall(".//{urn:oasis:names:tc:SAML:2.0:protocol}StatusCode")
    return [c.get("Value") for c in codes]


CLOCKS = [
    ("with its clock 3 minutes behind", timedelta(minutes=-3), True),
    ("with its clock 3 minutes ahead", timedelta(minutes=3), True),
]


def pysaml2_session_flows(metadata_xml):
    from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
    from saml2.client import Saml2Client
    from saml2.config import SPConfig
    from saml2.response import StatusNoPassive

    metadata_path = os.path.join(WORKDIR, "idp-metadata-tls.xml")
    with open(metadata_path, "w") as f:
        f.write(metadata_xml)
    config = SPConfig()
    config.load({
        "entityid": SP_ENTITY,
        "service": {"sp": {
            "endpoints": {
                "assertion_consumer_service": [(SP_ACS, BINDING_HTTP_POST)],
                "single_logout_service": [(SP_LOGOUT, BINDING_HTTP_REDIRECT)],
            },
            "want_response_signed": False,
            "want_assertions_signed": True,
        }},
        "metadata": {"local": [metadata_path]},
        "xmlsec_binary": "/usr/bin/xmlsec1",
    })
    client = Saml2Client(config)
    browser = requests.Session()

    def login(**options):
        request_id, info = client.prepare_for_authenticate(
            binding=BINDING_HTTP_REDIRECT, relay_state="pysaml2-tls", **options)
        location = dict(info["headers"])["Location"]
        reply, xml, relay = follow(browser, location)
        return request_id, location, reply, xml, relay

    def process(xml, request_id, at=None):
        b64 = base64.b64encode(xml).decode()
        try:
            if at is None:
                response = client.parse_authn_request_response(b64, BINDING_HTTP_POST, outstanding={request_id: "/"})
            else:
                with freeze_time(at):
                    response = client.parse_authn_request_response(
                        b64, BINDING_HTTP_POST, outstanding={request_id: "/"})
            return response, None
        except Exception as error:  # StatusNoPassive, ToEarly, ResponseLifetimeExceed, SignatureError, ...
            return None, error

    # IsPassive before anyone signed in: the SP is told NoPassive.
    request_id, location, reply, xml, relay = login(is_passive="true")
    check("pysaml2/tls: its AuthnRequest goes to the mock over HTTPS", location.startswith(f"{MOCK_STS_TLS}/"), location)
    check("pysaml2/tls: its AuthnRequest asks IsPassive", 'IsPassive="true"' in sent_request(location))
    check("pysaml2/tls: IsPassive without a session is answered by the form", reply.status_code == 200 and xml is not None,
          reply.text[:300])
    if xml:
        _, error = process(xml, request_id)
        check("pysaml2/tls: IsPassive without a session gets NoPassive (StatusNoPassive)",
              isinstance(error, StatusNoPassive) and "AADSTS50058" in str(error), repr(error))
    check("pysaml2/tls: no session after a passive request", session_cookie(browser) is None)

    # A sign-in: accepted with the SP clock off, and a session cookie as Entra sets one.
    request_id, _, reply, xml, relay = login()
    check("pysaml2/tls: sign-in answers the auto-posting form", reply.status_code == 200 and xml is not None, reply.text[:300])
    if not xml:
        return
    check("pysaml2/tls: RelayState comes back", relay == "pysaml2-tls", relay)
    cookie = session_cookie(browser)
    check("pysaml2/tls: the sign-in sets ESTSAUTH, secure, HttpOnly, SameSite=None",
          cookie is not None and cookie.secure and cookie.has_nonstandard_attr("HttpOnly")
          and cookie.get_nonstandard_attr("SameSite") == "None", reply.headers.get("Set-Cookie"))
    first_instant = authn_instant(xml)
    for label, shift, expected in CLOCKS + [
        ("rejects it with its clock 6 minutes behind", timedelta(minutes=-6), False),
        ("rejects it with its clock 61 minutes ahead", timedelta(minutes=61), False),
    ]:
        response, error = process(xml, request_id, issued_at(xml) + shift)
        ok = response is not None and response.name_id is not None
        check(f"pysaml2/tls: {label if not expected else 'accepts it ' + label}", ok == expected, repr(error))

    # IsPassive with the session: signed in silently, as the same user, AuthnInstant of the first sign-in.
    request_id, _, reply, xml, _ = login(is_passive="true")
    response, error = process(xml, request_id) if xml else (None, "no SAMLResponse")
    check("pysaml2/tls: IsPassive with the session signs in silently", response is not None, repr(error))
    if response is not None:
        check("pysaml2/tls: the silent sign-in keeps the first AuthnInstant",
              response.authn_info()[0][2] == first_instant == authn_instant(xml), response.authn_info())

    # ForceAuthn: a fresh sign-in despite the session, told apart by its AuthnInstant.
    request_id, location, reply, xml, _ = login(force_authn="true")
    check("pysaml2/tls: its AuthnRequest asks ForceAuthn", 'ForceAuthn="true"' in sent_request(location))
    response, error = process(xml, request_id) if xml else (None, "no SAMLResponse")
    check("pysaml2/tls: ForceAuthn with a session is accepted", response is not None, repr(error))
    if response is None:
        return
    check("pysaml2/tls: ForceAuthn gets a fresh AuthnInstant",
          response.authn_info()[0][2] != first_instant, (response.authn_info(), first_instant))

    # Single logout through pysaml2's own API: global_logout sends a LogoutRequest over the Redirect binding to
    # the metadata's SingleLogoutService; the mock ends the session and redirects to the app's logout URL, where
    # pysaml2 parses the LogoutResponse (its issuer, destination and InResponseTo) and logs the user out.
    from saml2.sigver import (
        SIGNER_ALGS, RSACrypto, extract_rsa_key_from_x509_cert, pem_format, verify_redirect_signature)

    name_id = response.name_id
    check("pysaml2/tls: the user is logged in at the SP", client.is_logged_in(name_id))
    outcome = client.global_logout(name_id)
    binding, http_info = outcome.get(IDP_ENTITY, (None, {}))
    location = dict(http_info.get("headers", [])).get("Location", "")
    check("pysaml2/tls: its LogoutRequest goes over the Redirect binding to the metadata's SingleLogoutService",
          binding == BINDING_HTTP_REDIRECT and location.startswith(f"{MOCK_STS_TLS}/{TENANT}/saml2?SAMLRequest="),
          (binding, location))
    check("pysaml2/tls: it is a LogoutRequest", "LogoutRequest" in sent_logout_request(location))
    reply, back = logout_redirect(browser, location)
    check("pysaml2/tls: the mock redirects to the app's logout URL", reply.status_code == 302
          and back.startswith(f"{SP_LOGOUT}?SAMLResponse="), (reply.status_code, back, reply.text[:300]))
    check("pysaml2/tls: the logout ends the session (ESTSAUTH is gone)", session_cookie(browser) is None,
          reply.headers.get("Set-Cookie"))
    query = urllib.parse.urlsplit(back).query
    params = dict(urllib.parse.parse_qsl(query))
    logout_response = None
    try:
        logout_response = client.parse_logout_request_response(params.get("SAMLResponse", ""), BINDING_HTTP_REDIRECT)
    except Exception as error:  # an issuer, destination or InResponseTo it refuses
        check("pysaml2/tls: it parses the LogoutResponse", False, repr(error))
    if logout_response is not None:
        check("pysaml2/tls: the LogoutResponse is Success, from Entra's issuer",
              logout_response.status_ok() and logout_response.issuer() == IDP_ENTITY, logout_response.issuer())
        status = client.handle_logout_response(logout_response)
        check("pysaml2/tls: it completes the logout", status[1] == "200 Ok", status)
        check("pysaml2/tls: the user is logged out at the SP", not client.is_logged_in(name_id))
    # The query signature, by the key the app's metadata publishes: pysaml2's RSA-SHA256 verifier over the octets
    # as received verifies it; pysaml2's verify_redirect_signature, which encodes the values again in upper case,
    # does not, since Entra (and the mock) percent-encode in lower case.
    cert = re.search(r'<KeyDescriptor use="signing">.*?<X509Certificate>([^<]+)</X509Certificate>', metadata_xml)
    # The signed octets are SAMLResponse[&RelayState]&SigAlg as they appear in the query (SAML bindings
    # 3.4.4.1); the query puts Signature before SigAlg, as a captured Entra logout redirect does.
    message, _, rest = query.partition("&Signature=")
    signed = message + "&" + rest.partition("&")[2]
    if cert and "Signature" in params and "SigAlg" in params:
        key = extract_rsa_key_from_x509_cert(pem_format(cert.group(1).strip()))
        verifier = SIGNER_ALGS[params["SigAlg"]]
        check("pysaml2/tls: the LogoutResponse query signature verifies over the octets as received",
              verifier.verify(signed.encode(), base64.b64decode(params["Signature"]), key))
        check("pysaml2/tls: verify_redirect_signature (upper-case re-encoding) does not verify it",
              not verify_redirect_signature(params, RSACrypto(None), cert=cert.group(1).strip()))
    else:
        check("pysaml2/tls: the LogoutResponse is signed", False, query)
    # Signed out: IsPassive finds no session.
    request_id, _, reply, xml, _ = login(is_passive="true")
    _, error = process(xml, request_id) if xml else (None, "no SAMLResponse")
    check("pysaml2/tls: after logout IsPassive gets NoPassive", isinstance(error, StatusNoPassive), repr(error))


def python3_saml_flows(metadata_xml):
    from onelogin.saml2.auth import OneLogin_Saml2_Auth
    from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

    idp = OneLogin_Saml2_IdPMetadataParser.parse(metadata_xml)
    settings = OneLogin_Saml2_IdPMetadataParser.merge_settings({
        "strict": True,
        "sp": {
            "entityId": SP_ENTITY,
            "assertionConsumerService": {
                "url": SP_ACS,
                "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
            },
            "singleLogoutService": {
                "url": SP_LOGOUT,
                "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
            },
        },
        # Entra signs the assertion; python3-saml's defaults otherwise (RequestedAuthnContext
        # PasswordProtectedTransport, five minutes of clock drift on Conditions).
        "security": {"wantAssertionsSigned": True},
    }, idp)
    acs = urllib.parse.urlsplit(SP_ACS)

    def auth(post_data=None):
        request = {"https": "on", "http_host": acs.netloc, "script_name": acs.path, "get_data": {},
                   "post_data": post_data or {}}
        return OneLogin_Saml2_Auth(request, settings)

    browser = requests.Session()

    def login(**options):
        sp = auth()
        location = sp.login(return_to="python3-saml-tls", **options)
        reply, xml, relay = follow(browser, location)
        return sp.get_last_request_id(), location, reply, xml, relay

    def process(xml, request_id, relay, at=None):
        sp = auth({"SAMLResponse": base64.b64encode(xml).decode(), "RelayState": relay or ""})
        if at is None:
            sp.process_response(request_id=request_id)
        else:
            with freeze_time(at):
                sp.process_response(request_id=request_id)
        return sp

    # IsPassive before anyone signed in: the SP is told NoPassive, with Entra's AADSTS50058 text.
    request_id, location, reply, xml, relay = login(is_passive=True)
    check("python3-saml/tls: its AuthnRequest goes to the metadata's SSO URL", location.startswith(f"{MOCK_STS_TLS}/"),
          location)
    check("python3-saml/tls: its AuthnRequest asks IsPassive", 'IsPassive="true"' in sent_request(location))
    check("python3-saml/tls: IsPassive without a session is answered by the form", xml is not None, reply.text[:300])
    if xml:
        sp = process(xml, request_id, relay)
        reason = sp.get_last_error_reason() or ""
        check("python3-saml/tls: IsPassive without a session is refused as not Success, with AADSTS50058",
              not sp.is_authenticated() and "was Requester" in reason and "AADSTS50058" in reason, reason)
        check("python3-saml/tls: the response it read carries the NoPassive status",
              NO_PASSIVE in second_level_status(sp.get_last_response_xml()))

    # A sign-in, validated in full with the SP clock off.
    request_id, _, reply, xml, relay = login()
    check("python3-saml/tls: sign-in answers the auto-posting form", reply.status_code == 200 and xml is not None,
          reply.text[:300])
    if not xml:
        return
    check("python3-saml/tls: RelayState comes back", relay == "python3-saml-tls", relay)
    check("python3-saml/tls: the sign-in starts a session", session_cookie(browser) is not None)
    first_instant = authn_instant(xml)
    for label, shift, expected in CLOCKS + [
        ("accepts it 59 minutes after issue", timedelta(minutes=59), True),
        ("rejects it with its clock 11 minutes behind", timedelta(minutes=-11), False),
        ("rejects it 61 minutes after issue", timedelta(minutes=61), False),
    ]:
        sp = process(xml, request_id, relay, issued_at(xml) + shift)
        ok = sp.is_authenticated() and sp.get_nameid() is not None
        check(f"python3-saml/tls: {label if not expected or label.startswith('accepts') else 'accepts it ' + label}",
              ok == expected, sp.get_last_error_reason())
    sp = process(xml, "some-other-request", relay)
    check("python3-saml/tls: rejects it for another AuthnRequest (InResponseTo)", not sp.is_authenticated(),
          sp.get_last_error_reason())

    # IsPassive with the session: signed in silently, AuthnInstant of the first sign-in.
    request_id, _, reply, xml, relay = login(is_passive=True)
    sp = process(xml, request_id, relay) if xml else None
    check("python3-saml/tls: IsPassive with the session signs in silently", sp is not None and sp.is_authenticated(),
          sp and sp.get_last_error_reason())
    check("python3-saml/tls: the silent sign-in keeps the first AuthnInstant", authn_instant(xml) == first_instant)

    # ForceAuthn: accepted, with a fresh AuthnInstant.
    request_id, location, reply, xml, relay = login(force_authn=True)
    check("python3-saml/tls: its AuthnRequest asks ForceAuthn", 'ForceAuthn="true"' in sent_request(location))
    sp = process(xml, request_id, relay) if xml else None
    check("python3-saml/tls: ForceAuthn with a session is accepted", sp is not None and sp.is_authenticated(),
          sp and sp.get_last_error_reason())
    check("python3-saml/tls: ForceAuthn gets a fresh AuthnInstant", authn_instant(xml) != first_instant)
    if sp is None or not sp.is_authenticated():
        return

    # Single logout through python3-saml's own API: logout() builds the LogoutRequest (Redirect binding, to the
    # metadata's SingleLogoutService); the mock ends the session and redirects to the app's logout URL, where
    # process_slo validates the LogoutResponse in strict mode (schema, InResponseTo, issuer, destination, status)
    # and, with wantMessagesSigned, its query signature against the certificate from the metadata.
    name_id, session_index = sp.get_nameid(), sp.get_session_index()
    sp_out = auth()
    location = sp_out.logout(return_to="python3-saml-slo", name_id=name_id, session_index=session_index)
    logout_request_id = sp_out.get_last_request_id()
    check("python3-saml/tls: its LogoutRequest goes to the metadata's SingleLogoutService",
          location.startswith(f"{MOCK_STS_TLS}/{TENANT}/saml2?SAMLRequest=")
          and "LogoutRequest" in sent_logout_request(location), location)
    reply, back = logout_redirect(browser, location)
    check("python3-saml/tls: the mock redirects to the app's logout URL", reply.status_code == 302
          and back.startswith(f"{SP_LOGOUT}?SAMLResponse="), (reply.status_code, back, reply.text[:300]))
    check("python3-saml/tls: the logout ends the session (ESTSAUTH is gone)", session_cookie(browser) is None)
    slo = urllib.parse.urlsplit(SP_LOGOUT)
    query = urllib.parse.urlsplit(back).query
    signed_settings = json.loads(json.dumps(settings))
    signed_settings["security"]["wantMessagesSigned"] = True

    def process_slo(**extra):
        request = {"https": "on", "http_host": slo.netloc, "script_name": slo.path,
                   "get_data": dict(urllib.parse.parse_qsl(query)), "post_data": {}, **extra}
        sp_back = OneLogin_Saml2_Auth(request, signed_settings)
        ended = []
        sp_back.process_slo(request_id=logout_request_id, delete_session_cb=lambda: ended.append(True))
        return sp_back, ended

    # As OneLogin advises for Microsoft's identity providers: the signature checked over the query as received.
    sp_back, ended = process_slo(query_string=query, validate_signature_from_qs=True)
    check("python3-saml/tls: process_slo accepts the signed LogoutResponse and ends the SP session",
          not sp_back.get_errors() and ended == [True], (sp_back.get_errors(), sp_back.get_last_error_reason()))
    check("python3-saml/tls: the LogoutResponse answers its LogoutRequest from Entra's issuer",
          f'InResponseTo="{logout_request_id}"' in (sp_back.get_last_response_xml() or "")
          and f">{IDP_ENTITY}</Issuer>" in (sp_back.get_last_response_xml() or ""))
    # Its default re-encodes the values in upper case: the lower-case encoding Entra uses does not verify then.
    sp_default, ended = process_slo()
    check("python3-saml/tls: without validate_signature_from_qs it refuses the signature (Entra's lower-case encoding)",
          "invalid_logout_response_signature" in sp_default.get_errors() and not ended, sp_default.get_errors())
    sp_lower, ended = process_slo(lowercase_urlencoding=True)
    check("python3-saml/tls: with lowercase_urlencoding it accepts it", not sp_lower.get_errors() and ended == [True],
          sp_lower.get_errors())

    # Signed out: IsPassive finds no session.
    request_id, _, reply, xml, relay = login(is_passive=True)
    sp = process(xml, request_id, relay) if xml else None
    check("python3-saml/tls: after logout IsPassive is refused with AADSTS50058",
          sp is not None and not sp.is_authenticated() and "AADSTS50058" in (sp.get_last_error_reason() or ""),
          sp and sp.get_last_error_reason())


if MOCK_STS_TLS:
    import requests

    status_code, tls_metadata = 0, ""
    try:
        reply = requests.get(
            f"{MOCK_STS_TLS}/{TENANT}/federationmetadata/2007-06/federationmetadata.xml?appid={SAML_APP}", timeout=30)
        status_code, tls_metadata = reply.status_code, reply.text
    except requests.RequestException as error:
        tls_metadata = repr(error)
    check("tls: the app metadata is served over HTTPS with the mock's CA trusted", status_code == 200, tls_metadata[:300])
    if status_code == 200:
        for flows in (pysaml2_session_flows, python3_saml_flows):
            try:
                flows(tls_metadata)
            except Exception as error:  # a flow that breaks is a failure, not a crash of the suite
                check(f"{flows.__name__}: completes", False, repr(error))

print(f"saml: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
