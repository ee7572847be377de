#!/usr/bin/env python3
"""keyprobe's paste prompt through a real pseudo-terminal, as a person at a terminal uses it.

Usage: paste_pty.py KEYPROBE

Each case starts `keyprobe inspect --json` (no input argument) on a fresh pty, waits for the
prompt, pastes or types, and checks that the input arrived whole and that the terminal was put
back (canonical mode and echo on) however the prompt ended: a 20 KB one-line SAMLResponse and a
7 KB token pasted with bracketed paste, the same SAMLResponse written without bracketed paste
(longer than the 4095-byte line a canonical terminal keeps), a multi-line PEM, Ctrl-C, SIGTERM.
"""
import base64, json, os, pty, select, signal, sys, time

KEYPROBE = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
PASTE_ON = b"\x1b[?2004h"


def saml_response(attributes):
    attrs = "".join(
        f'<saml:Attribute Name="urn:keyprobe:test:attribute-{i:04d}"><saml:AttributeValue>'
        f'value-{i:04d}-{"x" * 40}</saml:AttributeValue></saml:Attribute>'
        for i in range(attributes)
    )
    xml = (
        '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0" '
        'IssueInstant="2026-06-01T11:59:00Z" Destination="https://sp.example.test/acs">'
        "<saml:Issuer>https://sts.windows.net/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/</saml:Issuer>"
        '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>'
        '<saml:Assertion ID="_a1" Version="2.0" IssueInstant="2026-06-01T11:59:00Z">'
        "<saml:Issuer>https://sts.windows.net/8eaef023-2b34-4da1-9baa-8bc8c9d6a490/</saml:Issuer>"
        "<saml:Subject><saml:NameID>alice@contoso.example</saml:NameID></saml:Subject>"
        f"<saml:AttributeStatement>{attrs}</saml:AttributeStatement></saml:Assertion></samlp:Response>"
    )
    return base64.b64encode(xml.encode()).decode()


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def big_token(size):
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "k1"}).encode())
    claims = {"iss": "https://login.microsoftonline.com/t/v2.0", "exp": 1780318200}
    i = 0
    while len(json.dumps(claims)) * 4 // 3 < size - 400:
        claims[f"c{i:04d}"] = "v" * 60
        i += 1
    claims["z_last"] = "the end"
    signature = b64url(bytes([1]) * 256)
    return f"{header}.{b64url(json.dumps(claims).encode())}.{signature}"


class Session:
    """keyprobe under a pty, run by sh so that `stty -a` afterwards shows the terminal it left."""

    def __init__(self, args=""):
        pid, fd = pty.fork()
        if pid == 0:
            os.chdir(REPO)
            os.environ["NO_COLOR"] = "1"
            os.environ["TERM"] = "xterm-256color"
            script = f'"{KEYPROBE}" inspect --json --at 2026-06-01T12:00:00Z {args}; echo "rc=$?"; stty -a'
            os.execvp("sh", ["sh", "-c", script])
        self.pid, self.fd, self.out = pid, fd, b""

    def read_until(self, needle, timeout=20):
        end = time.time() + timeout
        while needle not in self.out:
            left = end - time.time()
            if left <= 0:
                raise AssertionError(f"waited for {needle!r}; got {self.out[-600:]!r}")
            ready, _, _ = select.select([self.fd], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise AssertionError(f"ended before {needle!r}: {self.out[-600:]!r}")
                self.out += chunk

    def write(self, data, chunk=512):
        # A person's paste arrives in pieces; the pty's input queue is drained as keyprobe reads.
        for i in range(0, len(data), chunk):
            os.write(self.fd, data[i : i + chunk])
            self.drain()

    def drain(self):
        while True:
            ready, _, _ = select.select([self.fd], [], [], 0)
            if not ready:
                return
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.out += chunk

    def finish(self, timeout=30):
        """Everything up to the end of output (stty -a last), with rc and the terminal's modes."""
        end = time.time() + timeout
        while time.time() < end:
            ready, _, _ = select.select([self.fd], [], [], 1)
            if not ready:
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:  # EIO: the other side of the pty closed
                break
            if not chunk:
                break
            self.out += chunk
        os.waitpid(self.pid, 0)
        text = self.out.replace(b"\r\n", b"\n").decode("utf-8", "replace")
        text = text.replace("\x1b[?2004h", "").replace("\x1b[?2004l", "")
        if "rc=" not in text:
            raise AssertionError(f"no exit status in: {text[-800:]!r}")
        after = text.split("rc=")[1]
        return text, int(after.split()[0]), after

    def report(self, text):
        if "\n{" not in text:
            raise AssertionError(f"no report in: {text[-1500:]!r}")
        start = text.index("\n{", text.index("Paste a token")) + 1
        end = text.index("\nrc=")
        return json.loads(text[start:end])


def check_restored(stty, case):
    modes = stty.split()
    assert "icanon" in modes and "echo" in modes and "isig" in modes, f"{case}: terminal not restored: {stty}"


def prompt(session):
    session.read_until(b"Paste a token")
    session.read_until(b"Enter on an empty line")
    session.read_until(PASTE_ON)


def case_bracketed_saml():
    saml = saml_response(92)
    assert len(saml) > 20_000 and "\n" not in saml
    s = Session()
    prompt(s)
    s.write(b"\x1b[200~" + saml.encode() + b"\x1b[201~")
    s.read_until(b"characters pasted")
    s.write(b"\r")
    text, rc, stty = s.finish()
    report = s.report(text)
    assert report["kind"] == "saml-response", report["kind"]
    names = [a["name"] for a in report["decoded"]["assertion"]["attributes"]]
    assert len(names) == 92 and names[-1].endswith("0091"), names[-3:]
    check_restored(stty, "bracketed SAMLResponse")
    print(f"ok: a {len(saml)}-byte one-line SAMLResponse pasted whole (92 attributes read), rc {rc}")


def case_bracketed_token():
    token = big_token(7000)
    assert len(token) > 7000
    s = Session()
    prompt(s)
    s.write(b"\x1b[200~" + token.encode() + b"\x1b[201~\r")
    text, rc, stty = s.finish()
    report = s.report(text)
    assert report["kind"] == "jwt", report["kind"]
    assert report["decoded"]["claims"]["z_last"] == "the end"
    check_restored(stty, "bracketed token")
    print(f"ok: a {len(token)}-byte token pasted whole (its last claim read), rc {rc}")


def case_unbracketed_long_line():
    saml = saml_response(92)
    s = Session()
    prompt(s)
    s.write(saml.encode() + b"\r\r")
    text, rc, stty = s.finish()
    report = s.report(text)
    assert report["kind"] == "saml-response", report["kind"]
    assert len(report["decoded"]["assertion"]["attributes"]) == 92
    check_restored(stty, "unbracketed")
    print(f"ok: the same {len(saml)} bytes written without bracketed paste (past the 4095-byte line) read whole")


def case_multiline_pem():
    with open(os.path.join(REPO, "testdata/saml/idp-signing.pem"), "rb") as f:
        pem = f.read().replace(b"\n", b"\r")
    s = Session()
    prompt(s)
    s.write(b"\x1b[200~" + pem + b"\x1b[201~\r")
    text, rc, stty = s.finish()
    report = s.report(text)
    assert report["kind"] == "x509", report["kind"]
    check_restored(stty, "PEM")
    # Typed rather than pasted: lines end with Enter, an empty line ends the input.
    s = Session()
    prompt(s)
    s.write(pem + b"\r")
    text, rc, stty = s.finish()
    assert s.report(text)["kind"] == "x509"
    check_restored(stty, "typed PEM")
    print("ok: a multi-line PEM, pasted and typed, read as x509")


def case_ctrl_c():
    s = Session()
    prompt(s)
    s.write(b"\x1b[200~eyJhbGciOi\x1b[201~")
    s.write(b"\x03")
    text, rc, stty = s.finish()
    assert rc == 130, rc
    assert "cancelled" in text, text[-300:]
    check_restored(stty, "Ctrl-C")
    assert "eyJhbGciOi" not in text.split("rc=")[1], "nothing pasted reaches the shell"
    print("ok: Ctrl-C cancels with status 130 and the terminal restored")


def case_sigterm():
    s = Session()
    prompt(s)
    s.write(b"half a tok")
    # keyprobe is the shell's child: signal it, not the shell.
    out = os.popen(f"pgrep -P {s.pid} -x keyprobe").read().split()
    assert out, "keyprobe process not found"
    os.kill(int(out[0]), signal.SIGTERM)
    text, rc, stty = s.finish()
    assert rc == 128 + signal.SIGTERM, rc
    check_restored(stty, "SIGTERM")
    print("ok: SIGTERM at the prompt leaves the terminal restored")


if __name__ == "__main__":
    for case in [case_bracketed_saml, case_bracketed_token, case_unbracketed_long_line, case_multiline_pem, case_ctrl_c, case_sigterm]:
        case()
