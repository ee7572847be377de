#!/usr/bin/env python3
"""The hostile half of the mock-sts soak: raw sockets on loopback only.

  abuse.py control URL TENANT SECONDS   scenario switches and key rotations while wrk runs
  abuse.py malformed URL TENANT         malformed HTTP, huge headers, huge bodies
  abuse.py slow URL TENANT BOUND        slow headers, slow bodies and idle connections: each must be
                                        closed by the server within BOUND seconds
  abuse.py many URL TENANT N            N concurrent keep-alive connections, two requests each

Each prints `CHECK name pass|fail detail` lines for soak.sh to count."""

import json
import socket
import sys
import threading
import time
import urllib.parse

SCENARIOS = ["healthy", "rotated-keys", "unpublished-signing-key", "missing-signing-key",
             "expired-signing-cert", "dangling-signing-key", "custom-signing-key-required", "healthy"]


def target(url):
    u = urllib.parse.urlsplit(url)
    if u.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"refusing a non-loopback target: {url}")
    return u.hostname, u.port


def check(name, ok, detail=""):
    print(f"CHECK {name} {'pass' if ok else 'fail'} {detail}".rstrip(), flush=True)


def status_of(raw):
    """The status code of the first HTTP response in raw bytes, or None."""
    if not raw.startswith(b"HTTP/1."):
        return None
    try:
        return int(raw.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


def exchange(addr, data, timeout=15.0, read_all=True):
    """Sends data and reads until the server closes (or one response when read_all is False).
    Returns (bytes, outcome) with outcome in: closed, reset, timeout, open."""
    s = socket.create_connection(addr, timeout=timeout)
    got = b""
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed before taking everything: read what it said
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return got, "closed"
            got += chunk
            if not read_all and b"\r\n\r\n" in got:
                return got, "open"
    except ConnectionResetError:
        return got, "reset"
    except socket.timeout:
        return got, "timeout"
    finally:
        s.close()


def request(addr, method, path, body=b"", headers=None, keep_alive=False):
    h = {"Host": f"{addr[0]}:{addr[1]}", "Connection": "keep-alive" if keep_alive else "close"}
    h.update(headers or {})
    if body or method in ("POST", "PUT"):
        h["Content-Length"] = str(len(body))
    head = f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n"
    return head.encode() + body


def control(url, tenant, seconds):
    addr = target(url)
    end = time.time() + float(seconds)
    switches = rotations = bad = 0
    problems = []
    n = 0
    while time.time() < end:
        scenario = SCENARIOS[n % len(SCENARIOS)]
        raw, _ = exchange(addr, request(addr, "PUT", "/_mock/scenario",
                                        json.dumps({"scenario": scenario}).encode(),
                                        {"Content-Type": "application/json"}))
        st = status_of(raw)
        switches += 1
        if st != 200:
            bad += 1
            problems.append(f"scenario {scenario}: {st}")
        if n % 6 == 5:
            raw, _ = exchange(addr, request(addr, "POST", "/_mock/keys/rotate", b"{}",
                                            {"Content-Type": "application/json"}), timeout=30)
            st = status_of(raw)
            rotations += 1
            if st != 200:
                bad += 1
                problems.append(f"rotate: {st}")
        n += 1
        time.sleep(0.5)
    # Leave the server as it started.
    exchange(addr, request(addr, "PUT", "/_mock/scenario", b'{"scenario":"healthy"}',
                           {"Content-Type": "application/json"}))
    raw, _ = exchange(addr, request(addr, "GET", f"/{tenant}/discovery/v2.0/keys"))
    try:
        keys = len(json.loads(raw.split(b"\r\n\r\n", 1)[1])["keys"])
    except (IndexError, ValueError, KeyError):
        keys = -1
    check("control-under-load", bad == 0 and switches > 0,
          f"{switches} scenario switches, {rotations} key rotations, {bad} not 200 {problems[:3]}")
    check("jwks-bounded-after-rotations", 0 < keys <= 4, f"{keys} keys published after {rotations} rotations")


def malformed(url, tenant):
    addr = target(url)
    cases = {
        "garbage-request-line": b"\x00\x01\x02 nonsense\r\n\r\n",
        "bad-method": b"G\x7fT / HTTP/1.1\r\nHost: x\r\n\r\n",
        "bad-version": b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
        "no-host-http10": b"GET /_mock/health HTTP/1.0\r\n\r\n",
        "header-without-colon": b"GET /_mock/health HTTP/1.1\r\nHost x\r\n\r\n",
        "bad-header-bytes": b"GET /_mock/health HTTP/1.1\r\nHost: x\r\nX-\x00: \x01\r\n\r\n",
        "bare-lf": b"GET /_mock/health HTTP/1.1\nHost: x\nConnection: close\n\n",
        "huge-uri": b"GET /" + b"a" * 200_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        "huge-header": request(addr, "GET", "/_mock/health", headers={"X-Big": "b" * 200_000}),
        "many-headers": b"GET /_mock/health HTTP/1.1\r\nHost: x\r\n" + b"".join(
            f"X-H{i}: v\r\n".encode() for i in range(5000)) + b"\r\n",
        "content-length-and-chunked": b"POST /" + tenant.encode() + b"/oauth2/v2.0/token HTTP/1.1\r\nHost: x\r\n"
            b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "bad-chunk-size": b"POST /" + tenant.encode() + b"/oauth2/v2.0/token HTTP/1.1\r\nHost: x\r\n"
            b"Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        "negative-content-length": b"POST /_mock/token HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        "two-content-lengths": b"POST /_mock/token HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        "huge-form-body": request(addr, "POST", f"/{tenant}/oauth2/v2.0/token",
                                  b"grant_type=client_credentials&scope=" + b"x" * 2_000_000,
                                  {"Content-Type": "application/x-www-form-urlencoded"}),
        "huge-json-body": request(addr, "PUT", "/_mock/scenario", b'{"scenario":"' + b"h" * 2_000_000 + b'"}',
                                  {"Content-Type": "application/json"}),
        "huge-chunked-body": b"POST /_mock/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            + b"".join(b"10000\r\n" + b"a" * 0x10000 + b"\r\n" for _ in range(40)) + b"0\r\n\r\n",
        "deep-json": request(addr, "POST", "/_mock/token", b"[" * 100_000 + b"]" * 100_000,
                             {"Content-Type": "application/json"}),
        "http2-preface-garbage": b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x12\x04\x00\x00\x00\x00\x00" + b"\xff" * 64,
        "tls-to-plain-port": bytes.fromhex("160301002e0100002a0303") + b"\x00" * 40,
        "pipelined-then-garbage": request(addr, "GET", "/_mock/health", keep_alive=True) + b"\x00garbage\r\n\r\n",
    }
    for name, data in cases.items():
        raw, outcome = exchange(addr, data)
        st = status_of(raw)
        # An answer (4xx, or 2xx for what is legal) or a clean close; never a 5xx; a reset only
        # after the answer was read (a refused body the client was still sending).
        ok = (st is None or st < 500) and not (outcome == "reset" and st is None and raw) and outcome != "timeout"
        check(f"malformed:{name}", ok, f"status {st}, connection {outcome}")
    raw, outcome = exchange(addr, request(addr, "GET", "/_mock/health"))
    check("alive-after-malformed", status_of(raw) == 200, f"health {status_of(raw)}")


def slow(url, tenant, bound):
    addr = target(url)
    bound = float(bound)
    results = {}

    def one(name, first, trickle):
        s = socket.create_connection(addr, timeout=bound + 15)
        start = time.time()
        outcome = "open"
        got = b""
        try:
            s.sendall(first)
            s.settimeout(1.0)
            i = 0
            while time.time() - start < bound + 10:
                if trickle:
                    try:
                        s.send(trickle[i % len(trickle):i % len(trickle) + 1])
                    except (BrokenPipeError, ConnectionResetError):
                        outcome = "closed"
                        break
                    i += 1
                try:
                    chunk = s.recv(65536)
                    if not chunk:
                        outcome = "closed"
                        break
                    got += chunk
                except socket.timeout:
                    continue
                except ConnectionResetError:
                    outcome = "reset"
                    break
        finally:
            s.close()
        results[name] = (outcome, time.time() - start, status_of(got))

    cases = [
        ("slow-headers", b"GET /_mock/health HTTP/1.1\r\n", b"X-Slow: a\r\n"),
        ("slow-body", b"POST /" + tenant.encode() + b"/oauth2/v2.0/token HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n", b"a"),
        ("idle-after-connect", b"", b""),
        ("partial-http2-preface", b"PRI * HTTP/2.0\r\n", b""),
        ("idle-keep-alive", request(addr, "GET", "/_mock/health", keep_alive=True), b""),
    ]
    threads = []
    for name, first, trickle in cases:
        for k in range(10):
            t = threading.Thread(target=one, args=(f"{name}#{k}", first, trickle))
            t.start()
            threads.append(t)
    for t in threads:
        t.join()
    for name, _, _ in cases:
        mine = [v for k, v in results.items() if k.startswith(name + "#")]
        worst = max(d for _, d, _ in mine)
        closed = all(o in ("closed", "reset") for o, _, _ in mine)
        statuses = sorted({str(st) for _, _, st in mine})
        fivexx = any(st is not None and st >= 500 for _, _, st in mine)
        check(f"slow:{name}", closed and worst <= bound and not fivexx,
              f"10 clients, closed by the server: {closed}, slowest {worst:.1f}s (bound {bound:.0f}s), answers {statuses}")


def many(url, tenant, n):
    addr = target(url)
    n = int(n)
    socks = []
    refused = 0
    for _ in range(n):
        try:
            socks.append(socket.create_connection(addr, timeout=30))
        except OSError:
            refused += 1
    ok = bad = resets = 0
    for rnd in range(2):
        for s in socks:
            try:
                s.sendall(request(addr, "GET", f"/{tenant}/discovery/v2.0/keys", keep_alive=True))
            except OSError:
                resets += 1
        for s in socks:
            try:
                got = b""
                while b"\r\n\r\n" not in got:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    got += chunk
                head, _, rest = got.partition(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                while len(rest) < length:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    rest += chunk
                if status_of(got) == 200 and len(rest) >= length:
                    ok += 1
                else:
                    bad += 1
            except ConnectionResetError:
                resets += 1
            except OSError:
                bad += 1
    for s in socks:
        s.close()
    check("concurrent-connections", refused == 0 and bad == 0 and resets == 0 and ok == 2 * n,
          f"{len(socks)} connections open at once, {ok} answers of {2 * n}, {refused} refused, {resets} resets, {bad} other failures")


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    {"control": control, "malformed": malformed, "slow": slow, "many": many}[cmd](*args)
