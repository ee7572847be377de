"""Records a fixed sequence of exchanges with mock-sts (discovery, keys, metadata, sign-ins, token grants,
errors, the control API, scenarios) into one text file, with what varies between runs normalised: run it on
two commits and diff the files to prove a refactor byte-identical (issue 17).

    python3 tests/snapshot/mock_exchanges.py MOCK_STS_BINARY STATE_TEMPLATE_DIR OUT_FILE

STATE_TEMPLATE_DIR is copied for the run, so both runs sign with the same keys (it is created on first use).
Standard library only.
"""

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib

BINARY, TEMPLATE, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
TENANT = "7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b"
WEB = "4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8"
SECRET = "mock~Secret.ForTests_0123456789abcdefghijkl"
PUBLIC = "9b2c3d4e-6f70-4182-93a4-b5c6d7e8f901"
SAML_APP = "c3d4e5f6-0718-4293-a4b5-c6d7e8f90a1b"
CORRELATION = "00000000-0000-4000-8000-000000000001"


class Normaliser:
    """Replaces what differs between runs (ids, times, random values, signatures) by numbered placeholders,
    numbered by first appearance so that the same value keeps the same name through the whole record."""

    def __init__(self):
        self.names = {}
        self.volatile_keys = False

    def name(self, kind, value):
        key = (kind, value)
        if key not in self.names:
            self.names[key] = f"<{kind}-{sum(1 for k in self.names if k[0] == kind) + 1}>"
        return self.names[key]

    def text(self, s):
        s = re.sub(r"127\.0\.0\.1(:|%3A|%3a)\d+", r"127.0.0.1\1PORT", s)
        s = re.sub(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*", lambda m: self.jwt(m.group(0)), s)
        s = re.sub(r'(name="SAMLResponse" value=")([^"]+)"', lambda m: m.group(1) + self.saml(m.group(2)) + '"', s)
        s = re.sub(r"127\.0\.0\.1(:|%3A|%3a)\d+", r"127.0.0.1\1PORT", s)
        s = re.sub(r"<(ds:)?SignatureValue>[^<]*<", r"<\1SignatureValue><SIG><", s)
        s = re.sub(r"<(ds:)?DigestValue>[^<]*<", r"<\1DigestValue><DIGEST><", s)
        s = re.sub(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?Z", "<TIME>", s)
        s = re.sub(r"\d{4}-\d\d-\d\d(T|\+|%20)\d\d%3A\d\d%3A\d\d(\.\d+)?Z", "<TIME>", s)
        s = re.sub(r"\b1[6-9]\d{8}\b", "<UNIX>", s)
        s = re.sub(r'"(aio|rh|uti)":"([^"]+)"', lambda m: f'"{m.group(1)}":"' + self.name("RANDOM", m.group(2)) + '"', s)
        if STATE:
            s = s.replace(STATE, "<STATE>")
        # The browser session cookie carries the sign-in time and an HMAC under a key made at start.
        s = re.sub(r"(ESTSAUTH=)([^;\s\"]+)", lambda m: m.group(1) + self.name("SESSION", m.group(2)), s)
        if self.volatile_keys:
            # Keys and certificates made during the run (rotation, new SAML certificates, the expired
            # certificate made in the background) differ between runs: number them.
            s = re.sub(r'"(\w*_kids?)":(\[[^\]]*\]|"[^"]*")',
                       lambda m: f'"{m.group(1)}":' + re.sub(r'"([A-Za-z0-9+/=_-]{20,})"',
                                                            lambda v: '"' + self.name("B64", v.group(1)) + '"',
                                                            m.group(2)), s)
            s = re.sub(r"(<(?:ds:)?X509Certificate>)([^<]+)<", lambda m: m.group(1) + self.name("CERT", m.group(2)) + "<", s)
            s = re.sub(r'"(customKeyIdentifier|n|x5c|kid|x5t|key|value)":(\[?)"([A-Za-z0-9+/=_-]{20,})"',
                       lambda m: f'"{m.group(1)}":{m.group(2)}"' + self.name("B64", m.group(3)) + '"', s)
        s = re.sub(r"(code|refresh_token|session_state)([=\":]+)([A-Za-z0-9_.~-]{16,})",
                   lambda m: m.group(1) + m.group(2) + self.name("RANDOM", m.group(3)), s)
        s = re.sub(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
                   lambda m: self.name("GUID", m.group(0).lower()), s)
        s = re.sub(r"\b[0-9A-Fa-f]{40}\b", lambda m: self.name("HEX40", m.group(0).upper()), s)
        return s

    def jwt(self, token):
        parts = token.split(".")
        try:
            header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
            claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        except Exception:
            return token
        if self.volatile_keys:
            for k in ("kid", "x5t"):
                if k in header:
                    header[k] = self.name("B64", header[k])
        for k in ("iat", "nbf", "exp", "auth_time", "xms_tcdt"):
            if isinstance(claims.get(k), int):
                claims[k] = "<UNIX>"
        for k in ("aio", "uti", "rh", "c_hash", "at_hash", "jti", "sid"):
            if k in claims:
                claims[k] = self.name("RANDOM", str(claims[k]))
        return "JWT" + json.dumps(header, sort_keys=False) + json.dumps(claims, sort_keys=False) + "<SIG>"

    def saml(self, value):
        try:
            xml = base64.b64decode(value).decode()
        except Exception:
            return value
        xml = re.sub(r"<(ds:)?SignatureValue>[^<]*<", r"<\1SignatureValue><SIG><", xml)
        xml = re.sub(r"<(ds:)?DigestValue>[^<]*<", r"<\1DigestValue><DIGEST><", xml)
        xml = re.sub(r'"_[0-9a-f-]{36}"', lambda m: '"' + self.name("SAMLID", m.group(0)) + '"', xml)
        xml = re.sub(r'"#_[0-9a-f-]{36}"', lambda m: '"#' + self.name("SAMLID", m.group(0)[1:]) + '"', xml)
        return "SAML[" + xml + "]"


def saml_request(rid, issuer="https://sp.contoso.example/saml", acs="https://sp.contoso.example/saml/acs",
                 extra="", attributes=""):
    acs_attr = f' AssertionConsumerServiceURL="{acs}"' if acs else ""
    return (f'<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
            f'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{rid}" Version="2.0" '
            f'IssueInstant="2026-06-01T12:00:00Z"{acs_attr}{attributes}><saml:Issuer>{issuer}</saml:Issuer>{extra}'
            f'</samlp:AuthnRequest>')


def more_exchanges(base):
    """Error paths of every endpoint family: each way an error is shown, and the control API's answers."""
    t = TENANT
    unknown_app = "00000000-1111-2222-3333-444444444444"
    # Discovery and metadata errors and variants.
    exchange(base, "GET", "/nope.example/discovery/v2.0/keys")
    exchange(base, "GET", "/common/discovery/v2.0/keys")
    exchange(base, "GET", "/consumers/discovery/keys")
    exchange(base, "GET", f"/{t}/discovery/v2.0/keys?appid={unknown_app}")
    exchange(base, "GET", "/common/discovery/instance")
    exchange(base, "GET", f"/{t}/federationmetadata/2007-06/federationmetadata.xml?appid={unknown_app}")
    exchange(base, "GET", f"/{t}/federationmetadata/2007-06/federationmetadata.xml?appid={WEB}")
    exchange(base, "GET", f"/common/federationmetadata/2007-06/federationmetadata.xml")
    exchange(base, "GET", f"/common/federationmetadata/2007-06/federationmetadata.xml?appid={SAML_APP}")
    exchange(base, "GET", f"/nope.example/federationmetadata/2007-06/federationmetadata.xml")
    exchange(base, "GET", f"/{t}/federationmetadata/2007-06/federationmetadata.xml?appid=a&appid=b")
    # Authorize: errors before and after the redirect URI is trusted, the sign-in page, v1, POST.
    cb = "http://localhost:8080/callback"
    for params in (
        {"client_id": WEB, "response_type": "token", "redirect_uri": cb, "scope": "openid", "state": "st"},
        {"client_id": WEB, "response_type": "id_token", "redirect_uri": cb, "scope": "openid", "nonce": "n",
         "response_mode": "query"},
        {"client_id": WEB, "response_type": "id_token", "redirect_uri": cb, "scope": "openid"},
        {"client_id": WEB, "response_type": "code", "redirect_uri": cb},
        {"client_id": WEB, "response_type": "code", "redirect_uri": cb, "scope": "openid",
         "code_challenge": "short"},
        {"client_id": WEB, "response_type": "code", "redirect_uri": cb, "scope": "openid",
         "code_challenge": "c" * 43, "code_challenge_method": "S512"},
        {"client_id": WEB, "response_type": "code", "redirect_uri": cb, "scope": "openid", "response_mode": "nope"},
        {"client_id": WEB, "response_type": "code", "redirect_uri": cb, "scope": "openid", "prompt": "login",
         "state": "<s>"},
        {"client_id": WEB, "response_type": "code id_token", "redirect_uri": cb + "?x=1", "scope": "openid email",
         "nonce": "n", "response_mode": "form_post"},
        {"client_id": WEB, "response_type": "code", "scope": "openid"},
        {"response_type": "code", "scope": "openid"},
    ):
        exchange(base, "GET", f"/{t}/oauth2/v2.0/authorize?{urllib.parse.urlencode(params)}")
    exchange(base, "GET", f"/{t}/oauth2/authorize?" + urllib.parse.urlencode(
        {"client_id": WEB, "response_type": "code", "redirect_uri": cb, "resource": f"api://{WEB}"}))
    exchange(base, "POST", f"/{t}/oauth2/v2.0/authorize?client_id={WEB}",
             {"response_type": "code", "redirect_uri": cb, "scope": "openid", "login_hint": "bob@contoso.example"})
    exchange(base, "GET", f"/{t}/oauth2/v2.0/authorize?client_id={WEB}&client_id={WEB}")
    exchange(base, "GET", f"/common/oauth2/v2.0/authorize?" + urllib.parse.urlencode(
        {"client_id": PUBLIC, "response_type": "code", "redirect_uri": "http://localhost:1234", "scope": "openid"}))
    # Logout.
    exchange(base, "GET", f"/{t}/oauth2/v2.0/logout")
    exchange(base, "GET", f"/{t}/oauth2/v2.0/logout?post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A8080%2F%3Fa%3D1&state=x%20y")
    exchange(base, "POST", f"/{t}/oauth2/logout", {"post_logout_redirect_uri": "not a uri"})
    # Token endpoint: credentials, grants and parameters.
    scope = f"api://{WEB}/.default"
    for form in (
        {"grant_type": "client_credentials", "client_id": WEB, "client_assertion": "x", "scope": scope},
        {"grant_type": "client_credentials", "client_id": WEB, "client_assertion": "x", "scope": scope,
         "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
        {"grant_type": "client_credentials", "client_id": WEB, "client_assertion": "x", "scope": scope,
         "client_assertion_type": "other"},
        {"grant_type": "client_credentials", "client_id": WEB, "client_assertion": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.AAAA",
         "scope": scope, "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
        {"grant_type": "client_credentials", "client_id": PUBLIC, "client_secret": "x", "scope": scope},
        {"grant_type": "client_credentials", "client_id": PUBLIC, "scope": scope},
        {"grant_type": "client_credentials", "client_id": WEB, "client_secret": SECRET, "scope": "api://nope/.default"},
        {"grant_type": "client_credentials", "client_id": WEB, "client_secret": SECRET},
        {"grant_type": "refresh_token", "client_id": WEB, "client_secret": SECRET, "refresh_token": "nope"},
        {"grant_type": "authorization_code", "client_id": WEB, "client_secret": SECRET, "code": "nope",
         "redirect_uri": "http://localhost:8080/callback"},
        {"grant_type": "authorization_code", "client_id": WEB, "client_secret": SECRET, "code": "nope"},
        {"client_id": WEB},
    ):
        exchange(base, "POST", f"/{t}/oauth2/v2.0/token", form)
    exchange(base, "POST", f"/{t}/oauth2/token", {"grant_type": "client_credentials", "client_id": WEB,
                                                 "client_secret": SECRET})
    exchange(base, "OPTIONS", f"/{t}/oauth2/v2.0/token")
    basic = base64.b64encode(f"{WEB}:{urllib.parse.quote(SECRET)}".encode()).decode()
    exchange(base, "POST", f"/{t}/oauth2/v2.0/token", {"grant_type": "client_credentials", "scope": scope},
             {"Authorization": "Basic " + basic})
    exchange(base, "POST", "/oidc/userinfo", {"access_token": "nope"})
    # SAML: every way a request can fail, and IdP-initiated sign-in.
    def redirect_get(xml, extra=""):
        return exchange(base, "GET", f"/{t}/saml2?" + urllib.parse.urlencode(
            {"SAMLRequest": deflate_b64(xml), "RelayState": "rs"}) + extra)
    redirect_get(saml_request("_m1", extra='<samlp:RequestedAuthnContext Comparison="better">'
                              '<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password'
                              '</saml:AuthnContextClassRef></samlp:RequestedAuthnContext>'))
    redirect_get(saml_request("_m2", extra='<samlp:RequestedAuthnContext>'
                              '<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:X509'
                              '</saml:AuthnContextClassRef></samlp:RequestedAuthnContext>'))
    redirect_get(saml_request("_m3", extra='<samlp:RequestedAuthnContext Comparison="minimum">'
                              '<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport'
                              '</saml:AuthnContextClassRef></samlp:RequestedAuthnContext>'
                              '<samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"/>'))
    redirect_get(saml_request("_m4", issuer="https://unknown.example/sp"))
    redirect_get(saml_request("_m5", acs="https://evil.example/acs"))
    redirect_get(saml_request("_m6", acs=None, attributes=' ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact"'))
    redirect_get(saml_request("_m7", issuer=""))
    redirect_get(saml_request("_m8"), "&login_hint=nobody%40contoso.example")
    redirect_get(saml_request("_m9"), "&login_hint=bob%40contoso.example")
    redirect_get('<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="a" Version="2.0" '
                 'IssueInstant="2026-06-01T12:00:00Z"/>')
    redirect_get('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>')
    exchange(base, "GET", f"/{t}/saml2?appid={SAML_APP}&RelayState=r")
    exchange(base, "GET", f"/common/saml2?appid={SAML_APP}")
    exchange(base, "GET", f"/{t}/saml2?appid={WEB}")
    exchange(base, "GET", f"/nope.example/saml2?appid={SAML_APP}")
    exchange(base, "POST", f"/{t}/saml2", {"SAMLRequest": "%%%"})
    exchange(base, "POST", f"/{t}/saml2", "SAMLRequest=a&SAMLRequest=b",
             {"Content-Type": "application/x-www-form-urlencoded"})
    # Control API answers.
    for body in ('{"scenario": "rotated-keys", "tenant": "contoso.example"}', '{"scenario": "healthy", "tenant": "nope"}',
                 '{"scenario": "nope", "tenant": "nope"}', 'not json', '{"scenario": "healthy", "extra": 1}',
                 '{"scenario": "healthy"}'):
        exchange(base, "PUT", "/_mock/scenario", body, {"Content-Type": "application/json"})
    for body in ('{"tenant": "nope"}', '{"version": 3}', '{"version": 1, "tenant": "contoso.example", "lifetime_seconds": 60}',
                 '{"claims": 1}'):
        exchange(base, "POST", "/_mock/token", body, {"Content-Type": "application/json"})
    exchange(base, "GET", f"/_mock/apps/{unknown_app}/certificates")
    exchange(base, "GET", f"/_mock/apps/{WEB}/certificates")
    _, _, listed = exchange(base, "GET", f"/_mock/apps/{SAML_APP}/certificates")
    try:
        active = json.loads(listed)["preferred_token_signing_key_thumbprint"] or "X"
    except (ValueError, KeyError):
        active = "X"
    exchange(base, "DELETE", f"/_mock/apps/{SAML_APP}/certificates/{active}", None, {"X-Mock-STS": "snapshot"})
    exchange(base, "DELETE", f"/_mock/apps/{SAML_APP}/certificates/FFFF", None, {"X-Mock-STS": "snapshot"})
    exchange(base, "POST", f"/_mock/apps/{unknown_app}/certificates", "{}", {"Content-Type": "application/json"})
    exchange(base, "GET", "/_mock/requests")
    exchange(base, "GET", "/_mock/dashboard.js")


norm = Normaliser()
STATE = None
log = []


def start(state, *args):
    proc = subprocess.Popen([BINARY, "--state-dir", state, "--port", "0", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    first = proc.stdout.readline().strip()
    url = first.rsplit(" ", 1)[-1]
    return proc, url


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(NoRedirect)


def exchange(base, method, path, body=None, headers=None, label=None):
    url = base + path
    hdrs = {"client-request-id": CORRELATION}
    hdrs.update(headers or {})
    data = None
    if isinstance(body, dict):
        data = urllib.parse.urlencode(body).encode()
        hdrs.setdefault("Content-Type", "application/x-www-form-urlencoded")
    elif isinstance(body, str):
        data = body.encode()
    request = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        response = opener.open(request, timeout=30)
        status, rheaders, payload = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, rheaders, payload = error.code, error.headers, error.read()
    shown = sorted((k.lower(), v) for k, v in rheaders.items() if k.lower() not in ("date",))
    text = payload.decode("utf-8", "replace")
    log.append(f"### {label or ''} {method} {norm.text(path)}")
    if body is not None:
        log.append(f"> {body if isinstance(body, str) else urllib.parse.urlencode(body)}")
    log.append(f"< {status}")
    for k, v in shown:
        if k == "content-length" and norm.volatile_keys:
            # Certificates made during the run vary in length (a random serial number).
            v = "<LENGTH>"
        log.append(f"< {k}: {norm.text(v)}")
    log.append(norm.text(text))
    return status, dict(rheaders), text


def deflate_b64(xml):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.b64encode(c.compress(xml.encode()) + c.flush()).decode()


def authn_request(rid):
    return (f'<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="{rid}" Version="2.0" '
            f'IssueInstant="2026-06-01T12:00:00Z" AssertionConsumerServiceURL="https://sp.contoso.example/saml/acs">'
            f'<Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">https://sp.contoso.example/saml</Issuer>'
            f'</samlp:AuthnRequest>')


def settle(directory, quiet_seconds=3.0, limit_seconds=120.0):
    """Waits until the keys mock-sts makes in the background after start (the next signing key, the
    published companions, expired SAML certificates) are all written, so that the template holds every key
    a run uses; otherwise each run would make its own."""
    def listing():
        return sorted((e.name, e.stat().st_size) for e in os.scandir(directory))
    last, stable_since, started = listing(), time.monotonic(), time.monotonic()
    while time.monotonic() - stable_since < quiet_seconds and time.monotonic() - started < limit_seconds:
        time.sleep(0.25)
        now = listing()
        if now != last:
            last, stable_since = now, time.monotonic()


def run():
    if not os.path.isdir(TEMPLATE):
        os.makedirs(TEMPLATE)
        proc, _ = start(TEMPLATE)
        settle(TEMPLATE)
        proc.terminate()
        proc.wait()
    state = tempfile.mkdtemp(prefix="mock-snapshot-")
    shutil.rmtree(state)
    shutil.copytree(TEMPLATE, state)
    global STATE
    STATE = state
    proc, base = start(state)
    try:
        t = TENANT
        for tenant in (t, "contoso.onmicrosoft.com", "common", "organizations", "consumers", "nope.example"):
            exchange(base, "GET", f"/{tenant}/v2.0/.well-known/openid-configuration")
            exchange(base, "GET", f"/{tenant}/.well-known/openid-configuration")
        exchange(base, "GET", f"/{t}/v2.0/.well-known/openid-configuration?appid={WEB}")
        exchange(base, "GET", f"/{t}/discovery/v2.0/keys")
        exchange(base, "GET", f"/{t}/discovery/keys")
        exchange(base, "GET", f"/{t}/discovery/v2.0/keys?appid={WEB}")
        exchange(base, "GET", "/common/discovery/instance?api-version=1.1&authorization_endpoint="
                 + urllib.parse.quote(f"{base}/{t}/oauth2/v2.0/authorize"))
        exchange(base, "GET", f"/{t}/federationmetadata/2007-06/federationmetadata.xml")
        exchange(base, "GET", f"/{t}/federationmetadata/2007-06/federationmetadata.xml?appid={SAML_APP}")
        exchange(base, "GET", "/_mock/health")
        exchange(base, "GET", "/_mock/config")
        exchange(base, "GET", "/_mock/scenario")
        exchange(base, "GET", "/nothing/here")
        # Token endpoint: success and Entra's errors.
        scope = f"api://{WEB}/.default"
        exchange(base, "POST", f"/{t}/oauth2/v2.0/token",
                 {"grant_type": "client_credentials", "client_id": WEB, "client_secret": SECRET, "scope": scope})
        exchange(base, "POST", f"/{t}/oauth2/token",
                 {"grant_type": "client_credentials", "client_id": WEB, "client_secret": SECRET,
                  "resource": f"api://{WEB}"})
        exchange(base, "POST", f"/{t}/oauth2/v2.0/token",
                 {"grant_type": "client_credentials", "client_id": WEB, "client_secret": "wrong", "scope": scope})
        exchange(base, "POST", f"/{t}/oauth2/v2.0/token",
                 {"grant_type": "client_credentials", "client_id": WEB, "scope": scope})
        exchange(base, "POST", f"/{t}/oauth2/v2.0/token",
                 {"grant_type": "client_credentials", "client_id": "00000000-1111-2222-3333-444444444444",
                  "client_secret": SECRET, "scope": scope})
        exchange(base, "POST", f"/{t}/oauth2/v2.0/token",
                 {"grant_type": "password", "client_id": WEB, "client_secret": SECRET, "scope": scope})
        exchange(base, "POST", f"/{t}/oauth2/v2.0/token",
                 {"grant_type": "client_credentials", "client_id": WEB, "client_secret": SECRET, "scope": "User.Read"})
        exchange(base, "GET", f"/{t}/oauth2/v2.0/token")
        exchange(base, "POST", f"/{t}/oauth2/v2.0/token", "grant_type=client_credentials&grant_type=x",
                 {"Content-Type": "application/x-www-form-urlencoded"})
        exchange(base, "POST", "/nope.example/oauth2/v2.0/token",
                 {"grant_type": "client_credentials", "client_id": WEB, "client_secret": SECRET, "scope": scope})
        # Authorization code flow with PKCE, redeemed; a refresh; userinfo.
        verifier = "v" * 50
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        q = urllib.parse.urlencode({"client_id": WEB, "response_type": "code", "redirect_uri": "http://localhost:8080/callback",
                                    "scope": f"openid profile offline_access api://{WEB}/access_as_user", "state": "s1",
                                    "nonce": "n1", "code_challenge": challenge, "code_challenge_method": "S256",
                                    "login_hint": "alice@contoso.onmicrosoft.com"})
        _, headers, _ = exchange(base, "GET", f"/{t}/oauth2/v2.0/authorize?{q}")
        location = headers.get("Location", "")
        code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query)).get("code", "")
        _, _, body = exchange(base, "POST", f"/{t}/oauth2/v2.0/token",
                              {"grant_type": "authorization_code", "client_id": WEB, "client_secret": SECRET,
                               "code": code, "redirect_uri": "http://localhost:8080/callback", "code_verifier": verifier})
        try:
            tokens = json.loads(body)
        except ValueError:
            tokens = {}
        exchange(base, "POST", f"/{t}/oauth2/v2.0/token",
                 {"grant_type": "authorization_code", "client_id": WEB, "client_secret": SECRET,
                  "code": code, "redirect_uri": "http://localhost:8080/callback", "code_verifier": verifier},
                 label="redeemed twice")
        if "refresh_token" in tokens:
            exchange(base, "POST", f"/{t}/oauth2/v2.0/token",
                     {"grant_type": "refresh_token", "client_id": WEB, "client_secret": SECRET,
                      "refresh_token": tokens["refresh_token"]})
        if "access_token" in tokens:
            exchange(base, "GET", "/oidc/userinfo", headers={"Authorization": "Bearer " + tokens["access_token"]})
        exchange(base, "GET", "/oidc/userinfo", headers={"Authorization": "Bearer nope"})
        # Authorize errors and response modes.
        for params in (
            {"client_id": WEB, "response_type": "code", "redirect_uri": "https://evil.example/cb", "scope": "openid"},
            {"client_id": "00000000-1111-2222-3333-444444444444", "response_type": "code", "scope": "openid"},
            {"client_id": WEB, "response_type": "id_token", "redirect_uri": "http://localhost:8080/callback",
             "scope": "openid", "nonce": "n", "response_mode": "form_post", "login_hint": "bob@contoso.onmicrosoft.com"},
            {"client_id": WEB, "response_type": "code", "redirect_uri": "http://localhost:8080/callback",
             "scope": "openid", "response_mode": "fragment", "login_hint": "bob@contoso.onmicrosoft.com"},
            {"client_id": WEB, "response_type": "code", "redirect_uri": "http://localhost:8080/callback",
             "scope": "openid", "login_hint": "nobody@contoso.onmicrosoft.com"},
            {"client_id": PUBLIC, "response_type": "code", "redirect_uri": "http://localhost", "scope": "openid"},
        ):
            exchange(base, "GET", f"/{t}/oauth2/v2.0/authorize?{urllib.parse.urlencode(params)}")
        exchange(base, "GET", f"/{t}/oauth2/v2.0/logout?post_logout_redirect_uri=http%3A%2F%2Flocalhost%3A8080%2F")
        # SAML: Redirect and POST bindings, errors, IdP-initiated.
        redirect = urllib.parse.urlencode({"SAMLRequest": deflate_b64(authn_request("_req1")), "RelayState": "rs"})
        exchange(base, "GET", f"/{t}/saml2?{redirect}")
        exchange(base, "POST", f"/{t}/saml2",
                 {"SAMLRequest": base64.b64encode(authn_request("_req2").encode()).decode()})
        exchange(base, "GET", f"/{t}/saml2")
        exchange(base, "GET", f"/{t}/saml2?SAMLRequest=notbase64")
        exchange(base, "GET", f"/{t}/saml2?app_id={SAML_APP}")
        # Scenarios: every one, with what a relying party sees. From here on keys and certificates are made
        # during the run.
        norm.volatile_keys = True
        for scenario in ("missing-signing-key", "dangling-signing-key", "expired-signing-cert", "unpublished-signing-key",
                         "rotated-keys", "custom-signing-key-required", "healthy"):
            exchange(base, "PUT", "/_mock/scenario", json.dumps({"scenario": scenario}),
                     {"Content-Type": "application/json"})
            exchange(base, "GET", f"/{t}/discovery/v2.0/keys")
            exchange(base, "GET", f"/{t}/saml2?{redirect}")
            exchange(base, "GET", f"/{t}/federationmetadata/2007-06/federationmetadata.xml?appid={SAML_APP}")
            exchange(base, "POST", f"/{t}/oauth2/v2.0/token",
                     {"grant_type": "client_credentials", "client_id": WEB, "client_secret": SECRET, "scope": scope})
        exchange(base, "PUT", "/_mock/scenario", json.dumps({"scenario": "no-such"}), {"Content-Type": "application/json"})
        # The portal's certificate actions.
        exchange(base, "PUT", "/_mock/scenario", json.dumps({"scenario": "missing-signing-key"}),
                 {"Content-Type": "application/json"})
        _, _, created = exchange(base, "POST", f"/_mock/apps/{SAML_APP}/certificates", "{}",
                                 {"Content-Type": "application/json"})
        try:
            thumb = json.loads(created).get("thumbprint", "X")
        except ValueError:
            thumb = "X"
        exchange(base, "GET", f"/_mock/apps/{SAML_APP}/certificates")
        exchange(base, "POST", f"/_mock/apps/{SAML_APP}/certificates/{thumb}/activate", "{}",
                 {"Content-Type": "application/json"})
        exchange(base, "GET", f"/{t}/saml2?{redirect}")
        exchange(base, "DELETE", f"/_mock/apps/{SAML_APP}/certificates/{thumb}", None, {"X-Mock-STS": "snapshot"})
        exchange(base, "POST", f"/_mock/apps/{SAML_APP}/certificates/FFFF/activate", "{}",
                 {"Content-Type": "application/json"})
        exchange(base, "POST", "/_mock/token", json.dumps({"claims": {"roles": ["x"]}}), {"Content-Type": "application/json"})
        exchange(base, "POST", "/_mock/keys/rotate", "{}", {"Content-Type": "application/json"})
        exchange(base, "GET", f"/{t}/discovery/v2.0/keys")
        exchange(base, "GET", "/_mock/")
        more_exchanges(base)
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(state, ignore_errors=True)
    with open(OUT, "w") as f:
        f.write("\n".join(log) + "\n")
    print(f"recorded {sum(1 for l in log if l.startswith('### '))} exchanges in {OUT}")


run()
