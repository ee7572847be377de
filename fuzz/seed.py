#!/usr/bin/env python3
"""Seeds fuzz/corpus/TARGET from testdata/ and, when present, the public vectors.

Usage: seed.py TARGET CORPUS_DIR VECTORS_DIR. Seeds are written by content hash, so reruns add
nothing twice. The corpora are never committed (see .gitignore)."""

import base64
import hashlib
import json
import os
import re
import sys
import zlib
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
TESTDATA = ROOT / "testdata"
MAX_SEED = 256 * 1024
COMPACT = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){2,4}$")


def files(base, *suffixes):
    if not base.is_dir():
        return []
    return sorted(
        p for p in base.rglob("*")
        if p.is_file() and p.stat().st_size <= MAX_SEED
        and (not suffixes or p.name.endswith(suffixes))
    )


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings_in(v)


def objects_in(value):
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from objects_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from objects_in(v)


def load_json(path):
    try:
        return json.loads(path.read_bytes())
    except (ValueError, OSError):
        return None


def b64url_json(segment):
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except ValueError:
        return None


def seeds(target, vectors):
    """Yields seed byte strings for one target."""
    json_vectors = files(vectors, ".json")
    if target == "detect":
        for p in files(TESTDATA):
            if p.name not in ("make.sh", "README.md"):
                yield p.read_bytes()
        for p in files(vectors):
            if p.suffix not in (".md",) and p.name != "LICENSE":
                yield p.read_bytes()
    elif target in ("jose_compact", "jose_json"):
        tokens = [p.read_bytes().strip() for p in files(TESTDATA / "tokens")]
        for p in json_vectors + files(TESTDATA / "keys", ".json"):
            doc = load_json(p)
            tokens += [s.encode() for s in strings_in(doc) if COMPACT.match(s) and len(s) > 20]
        for t in tokens:
            if target == "jose_compact":
                yield t
            else:
                for seg in t.split(b".")[:2]:
                    decoded = b64url_json(seg.decode(errors="replace"))
                    if decoded and decoded.startswith(b"{"):
                        yield decoded
    elif target == "jwk":
        for p in files(TESTDATA / "keys", ".json"):
            yield p.read_bytes()
        for p in json_vectors:
            for obj in objects_in(load_json(p)):
                if "kty" in obj or "keys" in obj:
                    yield json.dumps(obj).encode()
    elif target == "oidc_discovery":
        for p in files(TESTDATA / "metadata", ".json"):
            yield p.read_bytes()
    elif target == "x509":
        pems = files(TESTDATA / "certs") + files(TESTDATA / "saml", ".pem") + files(vectors / "zlint", ".pem")
        pems += files(vectors / "saml", ".pem", ".crt", ".cer")
        for p in pems:
            data = p.read_bytes()
            yield data
            for m in re.finditer(rb"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", data, re.S):
                try:
                    yield base64.b64decode(b"".join(m.group(1).split()))
                except ValueError:
                    pass
    elif target == "saml_decode":
        for p in files(TESTDATA / "saml", ".txt", ".b64"):
            yield p.read_bytes()
        for p in files(vectors / "saml", ".base64", ".b64", ".txt"):
            yield p.read_bytes()
        for p in files(TESTDATA / "saml", ".xml")[:6]:
            xml = p.read_bytes()
            deflated = zlib.compress(xml)[2:-4]  # raw DEFLATE, as the Redirect binding sends it
            yield base64.b64encode(xml)
            yield quote(base64.b64encode(deflated)).encode()
            yield b"https://sp.example/acs?SAMLRequest=" + quote(base64.b64encode(deflated)).encode()
            yield b"SAMLResponse=" + quote(base64.b64encode(xml)).encode() + b"&RelayState=x"
    elif target == "saml_xml":
        for p in files(TESTDATA / "saml", ".xml") + files(vectors / "saml", ".xml") + files(vectors / "xmldsig-interop", ".xml"):
            yield p.read_bytes()
        # The cost shapes of tests/cost-shapes.py, scaled down to seed size.
        sys.path.insert(0, str(ROOT / "tests"))
        shapes = __import__("importlib").import_module("cost-shapes")
        for _, text in shapes.shapes(0.03):
            if len(text) <= MAX_SEED:
                yield text.encode()
    elif target == "mock_request":
        cid = "4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8"
        secret = "mock~Secret.ForTests_0123456789abcdefghijkl"
        scope = quote(f"api://{cid}/.default")
        bodies = [
            (0, b"", f"grant_type=client_credentials&client_id={cid}&client_secret={quote(secret)}&scope={scope}".encode()),
            (0, b"", f"grant_type=client_credentials&client_id={cid}&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln&scope={scope}".encode()),
            (0, b"", b"grant_type=authorization_code&code=abc&client_id=9b2c3d4e-6f70-4182-93a4-b5c6d7e8f901&redirect_uri=http%3A%2F%2Flocalhost&code_verifier=x"),
            (0, b"", b"grant_type=refresh_token&refresh_token=x&client_id=" + cid.encode()),
            (2, f"client_id={cid}&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fcallback&scope=openid&state=s&nonce=n&code_challenge=abc&code_challenge_method=S256".encode(), b""),
            (2, f"client_id={cid}&response_type=id_token&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fcallback&scope=openid&response_mode=form_post&nonce=n".encode(), b""),
            (7, b"appid=" + cid.encode(), b""),
            (14, b"", b'{"scenario":"missing-signing-key"}'),
            (14, b"", b'{"scenario":"healthy"}'),
            (15, b"", b'{"claims":{"aud":"x"},"version":1}'),
            (16, b"SAMLRequest=fZBBT8MwDIXv%2FIoo9zbtAAmidlMBIW2CAaBw8JjEoWnSmt%2BcM7qfT7rVFTMGvQ%3D&RelayState=x", b""),
            (18, b"appid=c3d4e5f6-0718-4293-a4b5-c6d7e8f90a1b", b""),
        ]
        authn = TESTDATA / "saml" / "authnrequest.xml"
        if authn.is_file():
            xml = authn.read_bytes()
            redirect = base64.b64encode(zlib.compress(xml)[2:-4])
            post = base64.b64encode(xml)
            bodies += [
                (16, b"SAMLRequest=" + quote(redirect).encode() + b"&RelayState=r", redirect),
                (17, b"", b"SAMLRequest=" + quote(post).encode() + b"&RelayState=r"),
                (17, b"", post),
                (17, b"", xml),
            ]
        for route, query, body in bodies:
            for flags in (0x00, 0x01, 0x08, 0x10, 0x20):
                yield bytes([route, flags]) + query + b"\xff" + body
    elif target == "capture":
        yield from capture_seeds()
    else:
        raise SystemExit(f"unknown target {target}")


def har(entries, creator="Chromium"):
    return json.dumps({"log": {"version": "1.2", "creator": {"name": creator, "version": "1"}, "entries": entries}}).encode()


def capture_seeds():
    """The capture fixtures whole and cut to one entry each, and small captures carrying each kind of
    artifact where it travels (query, form body, fragment, header, response body)."""
    for p in files(TESTDATA / "captures"):
        data = p.read_bytes()
        yield data
        doc = load_json(p)
        if isinstance(doc, dict):
            for key in ("log", "requests"):
                entries = doc.get(key, {}).get("entries") if key == "log" else doc.get(key)
                for e in entries or []:
                    if key == "log":
                        yield har([e])
                    else:
                        yield json.dumps({"requests": [e]}).encode()
    tokens = [p.read_bytes().strip().decode() for p in files(TESTDATA / "tokens", ".jwt")][:4]
    saml = [p.read_bytes() for p in files(TESTDATA / "saml", ".xml")][:3]
    url = "https://login.microsoftonline.com/t/oauth2/v2.0/"
    for t in tokens:
        yield har([{"request": {"method": "GET", "url": "https://api.example/x", "headers": [{"name": "Authorization", "value": "Bearer " + t}]},
                    "response": {"status": 401, "headers": [], "content": {"mimeType": "application/json", "text": "{}"}}}])
        yield har([{"request": {"method": "POST", "url": url + "token", "postData": {"mimeType": "application/x-www-form-urlencoded", "text": "grant_type=authorization_code&code=c&client_secret=s"}},
                    "response": {"status": 200, "content": {"mimeType": "application/json", "text": json.dumps({"access_token": t, "id_token": t, "refresh_token": "r"})}}}])
        yield har([{"request": {"method": "GET", "url": url + "authorize?client_id=x"},
                    "response": {"status": 302, "redirectURL": "https://app.example/cb#id_token=" + t + "&state=s", "headers": [{"name": "Location", "value": "https://app.example/cb#id_token=" + t}]}}])
    for xml in saml:
        b64 = base64.b64encode(xml).decode()
        deflated = base64.b64encode(zlib.compress(xml)[2:-4]).decode()
        yield har([{"request": {"method": "GET", "url": "https://login.microsoftonline.com/t/saml2?SAMLRequest=" + quote(deflated)}, "response": {"status": 200}},
                   {"request": {"method": "POST", "url": "https://sp.example/acs", "postData": {"mimeType": "application/x-www-form-urlencoded", "params": [{"name": "SAMLResponse", "value": quote(b64)}]}}, "response": {"status": 302}}])
        yield json.dumps({"requests": [{"method": "POST", "url": "https://sp.example/acs", "post": [["SAMLResponse", b64]], "saml": xml.decode(errors="replace"), "responseStatus": 200}]}).encode()
    yield har([{"request": {"method": "GET", "url": url + "authorize"}, "response": {"status": 200, "content": {"mimeType": "text/html",
               "text": "<html><body><form method=post action=https://sp.example/acs><input type=hidden name=SAMLResponse value=PHg+></form>AADSTS50003: No signing key configured. Request Id: 1 Correlation Id: 2</body></html>"}}}])
    yield har([{"request": {"method": "POST", "url": url + "token"}, "response": {"status": 400, "content": {"mimeType": "application/json",
               "text": json.dumps({"error": "invalid_client", "error_description": "AADSTS7000222: The provided client secret keys are expired.", "error_codes": [7000222], "correlation_id": "c"})}}}])
    # Shapes that test the bounds: deep nesting, a cut string, an empty log.
    yield b'{"log":{"entries":[' + b'[' * 200 + b']' * 200 + b']}}'
    yield b'{"requests":[{"url":"' + b'a' * 1000 + b'"}]}'
    yield b'{"log":{"entries":[]}}'



def main():
    target, out, vectors = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for data in seeds(target, vectors):
        if not data or len(data) > MAX_SEED:
            continue
        name = out / hashlib.sha1(data).hexdigest()
        if not name.exists():
            name.write_bytes(data)
            n += 1
    print(f"{target}: {n} new seeds, {len(os.listdir(out))} in the corpus")


main()
