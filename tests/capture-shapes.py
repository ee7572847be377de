#!/usr/bin/env python3
"""Writes captures shaped to test keyprobe's bounds into OUTDIR, for tests/corpus-sweep.sh: many
entries (past the entry bound), huge bodies (past the string and entry bounds), deep nesting, many
values in one entry, many artifacts, a long member name; HAR and SAML-tracer alike. With --scale N
the many-entries shapes are N times longer (the sweep compares two scales to see cost grow linearly).

    python3 tests/capture-shapes.py OUTDIR [--scale N]
Standard library only; nothing here is committed as a fixture.
"""

import base64
import json
import sys
from pathlib import Path

out = Path(sys.argv[1])
scale = int(sys.argv[sys.argv.index("--scale") + 1]) if "--scale" in sys.argv else 1
out.mkdir(parents=True, exist_ok=True)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(i):
    header = b64url(json.dumps({"alg": "RS256", "kid": f"k{i}", "typ": "JWT"}).encode())
    claims = b64url(json.dumps({"iss": "https://login.example/t/v2.0", "aud": "api://x", "sub": str(i),
                                "nbf": 1780000000, "exp": 1780003600}).encode())
    return f"{header}.{claims}.{b64url(bytes(256))}"


def entry(i, url="https://app.example/static/x.js", headers=(), body="", mime="application/javascript", status=200):
    return {"startedDateTime": "2026-06-01T12:00:00.000Z", "time": 1,
            "request": {"method": "GET", "url": f"{url}?i={i}", "httpVersion": "HTTP/1.1", "headers": list(headers),
                        "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
            "response": {"status": status, "statusText": "", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [],
                         "content": {"size": len(body), "mimeType": mime, "text": body},
                         "redirectURL": "", "headersSize": -1, "bodySize": len(body)},
            "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0}}


def write_har(name, entries_json):
    """entries_json: an iterable of JSON texts, written one at a time (flat memory)."""
    with open(out / name, "w") as f:
        f.write('{"log":{"version":"1.2","creator":{"name":"capture-shapes","version":"1"},"entries":[')
        for i, e in enumerate(entries_json):
            if i:
                f.write(",")
            f.write(e)
        f.write("]}}")


# Many small entries (x4: 40 000); the entry bound itself (MAX_CAPTURE_ENTRIES) is past what a debug
# build reads in the sweep's 20 s.
n = 10_000 * scale
write_har(f"many-entries-x{scale}.har", (json.dumps(entry(i)) for i in range(n)))
with open(out / f"many-requests-x{scale}.saml-tracer.json", "w") as f:
    f.write('{"requests":[')
    for i in range(n):
        f.write(("," if i else "") + json.dumps({"method": "GET", "url": f"https://sp.example/x?i={i}", "requestId": str(i),
                                                  "requestHeaders": [], "responseStatus": 200, "responseHeaders": []}))
    f.write('],"timestamp":"2026-06-01T12:00:00.000Z"}')
if scale > 1:
    sys.exit(0)

# Huge bodies: a 40 MB script (past the string and entry bounds), a 6 MB JSON answer.
write_har("huge-body.har", [json.dumps(entry(0, body="x" * (40 << 20))),
                            json.dumps(entry(1, url="https://login.example/t/oauth2/v2.0/token", mime="application/json",
                                             body=json.dumps({"access_token": token(1), "pad": "y" * (6 << 20)})))])
# Deep nesting inside an entry and around the entries.
write_har("deep-in-entry.har", ['{"request":' + "[" * 200_000 + "]" * 200_000 + "}"])
(out / "deep-outside.har").write_text('{"log":{"entries":[' + '{"a":' * 100_000 + "1" + "}" * 100_000 + "]}}")
# Many small values in one entry (not strings: they must count against the entry's bound too).
write_har("many-values.har", ['{"request":{"method":"GET","url":"https://a.example/"},"_initiator":[' +
                              ",".join("0" for _ in range(3_000_000)) + "]}"])
write_har("many-members.har", ['{"request":{"method":"GET","url":"https://a.example/"},"_x":{' +
                               ",".join(f'"k{i}":0' for i in range(1_000_000)) + "}}"])
# Many artifacts (past MAX_CAPTURE_ARTIFACTS, 500): a distinct bearer token on each of 600 API calls.
write_har("many-artifacts.har", (json.dumps(entry(i, url="https://api.example/orders", mime="application/json", body="{}",
                                                  headers=[{"name": "Authorization", "value": "Bearer " + token(i)}], status=401))
                                 for i in range(600)))
# A 20 MB member name.
(out / "long-name.har").write_text('{"log":{"entries":[{"' + "n" * (20 << 20) + '":1}]}}')
