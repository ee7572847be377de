// Start a fresh mock-sts for a test, switch its scenario, stop it (Node 20+, no dependencies).
//
// Copy this file into your test suite. The server runs as a child process this module owns, started with
// `--ready-file`: startMockSts() resolves once it serves, and rejects with the server's own words
// (e.g. "port 8443 is taken") when it cannot start. The binary is $MOCK_STS_BIN, else `mock-sts` on PATH.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** The KEY=VALUE lines of a ready file (values may be single-quoted for the shell). */
export function readReadyFile(path) {
  const ready = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const at = line.indexOf("=");
    if (at < 0) continue;
    let value = line.slice(at + 1);
    if (value.length >= 2 && value.startsWith("'") && value.endsWith("'")) {
      value = value.slice(1, -1).replaceAll("'\\''", "'");
    }
    ready[line.slice(0, at)] = value;
  }
  return ready;
}

/**
 * Start mock-sts; resolves to { url, authority, tenant, pid, setScenario(name, tenant?), control(method,
 * path, body?), stop() }. Plain HTTP unless `tls` (then `ca` is the CA file, which Node trusts only through
 * NODE_EXTRA_CA_CERTS set before it starts). Share one `stateDir` across a run: keys are made once.
 */
export async function startMockSts({
  port = 0,
  tls = false,
  scenario,
  config,
  stateDir,
  timeoutMs = 30_000,
  binary = process.env.MOCK_STS_BIN || "mock-sts",
} = {}) {
  const workdir = mkdtempSync(join(tmpdir(), "mock-sts-"));
  const readyFile = join(workdir, "ready.env");
  const logFile = join(workdir, "mock-sts.log");
  const args = ["--port", String(port), "--ready-file", readyFile];
  args.push("--state-dir", stateDir ?? join(workdir, "state"));
  if (tls) args.push("--tls");
  if (scenario) args.push("--scenario", scenario);
  if (config) args.push("--config", config);
  const log = openSync(logFile, "w");
  const child = spawn(binary, args, { stdio: ["ignore", log, log] });
  closeSync(log);

  let exit = null;
  child.on("exit", (code, signal) => (exit = signal ?? `status ${code}`));
  child.on("error", (error) => (exit = error.message));
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(readyFile)) {
    if (exit !== null || Date.now() > deadline) {
      if (exit === null) child.kill("SIGKILL");
      const output = readFileSync(logFile, "utf8").trim();
      rmSync(workdir, { recursive: true, force: true });
      const reason = exit !== null ? `exited (${exit})` : `not ready within ${timeoutMs} ms`;
      throw new Error(`mock-sts ${reason}: ${output}`);
    }
    await sleep(20);
  }
  const ready = readReadyFile(readyFile);
  const url = ready.MOCK_STS_URL;

  async function control(method, path, body) {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}: ${text}`);
    return JSON.parse(text);
  }

  return {
    url,
    ca: ready.MOCK_STS_CA,
    tenant: ready.MOCK_STS_TENANT,
    authority: `${url}/${ready.MOCK_STS_TENANT}`,
    pid: Number(ready.MOCK_STS_PID),
    control,
    setScenario: (name, tenant) => control("PUT", "/_mock/scenario", tenant ? { scenario: name, tenant } : { scenario: name }),
    log: () => readFileSync(logFile, "utf8"),
    /** SIGTERM, then wait for the graceful exit. */
    async stop() {
      if (exit === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(workdir, { recursive: true, force: true });
    },
  };
}
