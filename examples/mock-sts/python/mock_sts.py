"""Start a fresh mock-sts for a test, switch its scenario, stop it.

Copy this file (and the fixture in conftest.py) into your test suite. The server runs as a child process
that this module owns, started with `--ready-file`: `start()` returns once it serves, and raises
`MockStsError` with the server's own words (e.g. "port 8443 is taken") when it cannot start.

The binary is $MOCK_STS_BIN, else `mock-sts` on PATH. Only the standard library is used.
"""
import json
import os
import pathlib
import shutil
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request


class MockStsError(RuntimeError):
    """mock-sts could not start, or the control API refused a request."""


class MockSts:
    """A running mock-sts: `url`, `ca` (the CA file to trust with TLS, else None), `tenant`, `pid`."""

    def __init__(self, process, workdir, ready):
        self.process = process
        self.workdir = workdir
        self.url = ready["MOCK_STS_URL"]
        self.ca = ready.get("MOCK_STS_CA")
        self.tenant = ready["MOCK_STS_TENANT"]
        self.pid = int(ready["MOCK_STS_PID"])
        self.authority = f"{self.url}/{self.tenant}"

    def control(self, method, path, body=None):
        """A control API request (`/_mock/...`); returns the decoded JSON answer."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}{path}", data=data, method=method, headers={"Content-Type": "application/json"}
        )
        context = ssl.create_default_context(cafile=self.ca) if self.ca else None
        try:
            with urllib.request.urlopen(request, timeout=10, context=context) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            raise MockStsError(f"{method} {path}: HTTP {error.code}: {error.read().decode()}") from None

    def set_scenario(self, name, tenant=None):
        """Switch the scenario at run time (for one tenant when `tenant` is given)."""
        body = {"scenario": name}
        if tenant:
            body["tenant"] = tenant
        return self.control("PUT", "/_mock/scenario", body)

    def log(self):
        return (self.workdir / "mock-sts.log").read_text(errors="replace")

    def stop(self):
        """SIGTERM, then wait for the graceful exit (requests in flight finish)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


def read_ready_file(path):
    """The `KEY=VALUE` lines of a ready file (values may be single-quoted for the shell)."""
    ready = {}
    for line in pathlib.Path(path).read_text().splitlines():
        key, _, value = line.partition("=")
        if len(value) >= 2 and value[0] == value[-1] == "'":
            value = value[1:-1].replace("'\\''", "'")
        ready[key] = value
    return ready


def start(*, tls=True, port=0, scenario=None, config=None, state_dir=None, timeout=30, binary=None):
    """Start mock-sts and return a `MockSts` once it serves.

    `state_dir` keeps keys between starts: share one across a test session and each start takes
    milliseconds instead of making RSA keys. Raises `MockStsError` with the server's output when it
    exits before it is ready (a taken port, a bad configuration) or is not ready within `timeout` s.
    """
    binary = binary or os.environ.get("MOCK_STS_BIN") or shutil.which("mock-sts")
    if not binary:
        raise MockStsError("mock-sts not found: put it on PATH or set MOCK_STS_BIN")
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="mock-sts-"))
    ready_file = workdir / "ready.env"
    command = [binary, "--port", str(port), "--ready-file", str(ready_file)]
    command += ["--state-dir", str(state_dir or workdir / "state")]
    if tls:
        command.append("--tls")
    if scenario:
        command += ["--scenario", scenario]
    if config:
        command += ["--config", str(config)]
    with open(workdir / "mock-sts.log", "wb") as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while not ready_file.exists():
        status = process.poll()
        if status is not None or time.monotonic() > deadline:
            if status is None:
                process.kill()
                process.wait()
            output = (workdir / "mock-sts.log").read_text(errors="replace").strip()
            shutil.rmtree(workdir, ignore_errors=True)
            reason = f"exited with status {status}" if status is not None else f"not ready within {timeout} s"
            raise MockStsError(f"mock-sts {reason}: {output}")
        time.sleep(0.02)
    return MockSts(process, workdir, read_ready_file(ready_file))
