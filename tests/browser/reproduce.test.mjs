// Issue 19's round trip, from captures a real browser recorded: for each mock-sts failure a browser can
// meet, Debian's Chromium signs in against mock-sts in that scenario and saves the sign-in as a HAR
// (playwright-core's recordHar, the network log devtools exports); `keyprobe reproduce HAR -o DIR`; the
// printed mock-sts command starts a fresh mock; DIR/replay.sh fails with the same code; DIR/fix.sh (the
// documented fix; a restart when it changes mock-sts.toml) makes the replay go through.
//
// Covered here: missing-signing-key and dangling-signing-key (AADSTS50003), expired-signing-cert (the
// service provider's cert-expired), custom-signing-key-required (AADSTS50146), unpublished-signing-key (the
// relying party's key-not-found: the tokens name a key the key set fetched in the same capture does not
// publish), and in healthy AADSTS700016 (SAML and OIDC) and AADSTS50011. rotated-keys and healthy fail
// nothing by themselves. The failures of a server's own credentials (expired-client-secret's AADSTS7000222,
// a wrong secret's 7000215, client-cert-not-uploaded's and expired-client-cert's 700027,
// expired-client-assertion's 700024) happen on requests no browser makes, in real life neither: a web
// app's back end or a daemon sends them. tests/reproduce.rs records those with an HTTP client.
// Run by tests/browser/run.sh, after capture.test.mjs; the captures land in $SCREENSHOTS/reproduce.
import { chromium } from "playwright-core";
import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { deflateRawSync } from "node:zlib";
import { join } from "node:path";
import { tmpdir } from "node:os";

const mockBin = process.env.MOCK_STS_BIN;
const keyprobe = process.env.KEYPROBE_BIN;
const out = join(process.env.SCREENSHOTS || "/tmp/keyprobe-screenshots", "reproduce");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
let passed = 0, failed = 0;
const started = Date.now();
function assert(cond, message) { if (!cond) throw new Error(message); }
async function test(name, fn) {
  const t0 = Date.now();
  try { await fn(); passed++; console.log(`ok - ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`); }
  catch (e) { failed++; console.log(`not ok - ${name}\n  ${String(e && e.stack || e).split("\n").join("\n  ")}`); }
}

// mock-sts as a person starts it; resolves with its base URL once it serves.
function startMock(args) {
  const child = spawn(mockBin, [...args, "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
  const url = new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`mock-sts ${args.join(" ")} exited ${code}`)));
    createInterface({ input: child.stdout }).once("line", (l) => resolve(l.replace(/^mock-sts listening on /, "").trim()));
  });
  return { child, url };
}

// The single-page app: a page served on localhost (a real server: a redirect to it must land somewhere).
const spaServer = createServer((_, res) => { res.writeHead(200, { "content-type": "text/html" }); res.end("<!DOCTYPE html><title>SPA</title><p>app</p>"); });
await new Promise((resolve) => spaServer.listen(0, "127.0.0.1", resolve));
const SPA = `http://localhost:${spaServer.address().port}`;
// The recording mock: the default configuration with the single-page app's redirect URI on the public client.
const WEB_CALLBACK = "http://localhost:8080/callback";
const defaults = spawnSync(mockBin, ["--print-config"], { encoding: "utf8" }).stdout;
const recordingConfig = join(mkdtempSync(join(tmpdir(), "mock-sts-rec-")), "mock-sts.toml");
writeFileSync(recordingConfig, defaults.replace(
  'redirect_uris = ["http://localhost", "http://127.0.0.1"]',
  `redirect_uris = ["http://localhost", "http://127.0.0.1"]\nspa_redirect_uris = ["${SPA}"]`));
const recording = startMock(["--config", recordingConfig, "--state-dir", mkdtempSync(join(tmpdir(), "mock-sts-rec-state-"))]);
const base = await recording.url;
const config = await (await fetch(`${base}/_mock/config`)).json();
const tenant = config.tenants[0];
const samlApp = tenant.apps.find((a) => a.kind === "saml");
const webApp = tenant.apps.find((a) => a.kind === "confidential");
const publicApp = tenant.apps.find((a) => a.kind === "public");
const user = tenant.users[0].user_principal_name;

async function scenario(name) {
  const r = await fetch(`${base}/_mock/scenario`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ scenario: name }) });
  assert(r.ok, `scenario ${name}: HTTP ${r.status}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

// A SAML service provider's sign-in: an AuthnRequest over HTTP-Redirect; its ACS answers the posted form.
async function samlSignIn(page, context, { issuer = samlApp.saml.entity_id, expectAcs = false } = {}) {
  const acs = samlApp.saml.acs_url;
  await context.route(`${acs}**`, (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<!DOCTYPE html><p>signed in</p>" }));
  const request = `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_br${Date.now()}" Version="2.0" IssueInstant="${new Date().toISOString().replace(/\.\d+Z$/, "Z")}" Destination="${base}/${tenant.id}/saml2" AssertionConsumerServiceURL="${acs}" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"><saml:Issuer>${issuer}</saml:Issuer><samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"/></samlp:AuthnRequest>`;
  await page.goto(`${base}/${tenant.id}/saml2?SAMLRequest=${encodeURIComponent(deflateRawSync(Buffer.from(request)).toString("base64"))}&RelayState=%2Fhome&login_hint=${encodeURIComponent(user)}`);
  if (expectAcs) await page.waitForURL(`${acs}**`);
}

// A web app's sign-in: the browser's part (/authorize, then the redirect back; the code is redeemed by
// the app's back end, which the browser does not see).
async function webSignIn(page, context, { clientId = webApp.client_id, redirect = WEB_CALLBACK } = {}) {
  await context.route(`${redirect}**`, (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<!DOCTYPE html><p>callback</p>" }));
  const q = new URLSearchParams({ client_id: clientId, response_type: "code", redirect_uri: redirect, scope: "openid profile", state: randomBytes(12).toString("hex"), nonce: randomBytes(12).toString("hex"), login_hint: user });
  await page.goto(`${base}/${tenant.id}/oauth2/v2.0/authorize?${q}`);
}

// A single-page app's sign-in, all in the browser: /authorize with PKCE, the code redeemed by the page's
// script (a cross-origin request: Origin), then the key set fetched to check the ID token.
async function spaSignIn(page, context) {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  await page.goto(`${SPA}/`);
  const q = new URLSearchParams({ client_id: publicApp.client_id, response_type: "code", redirect_uri: SPA, scope: "openid profile offline_access", state: randomBytes(12).toString("hex"), nonce: randomBytes(12).toString("hex"), code_challenge: challenge, code_challenge_method: "S256", login_hint: user, response_mode: "fragment" });
  await page.goto(`${base}/${tenant.id}/oauth2/v2.0/authorize?${q}`);
  await page.waitForURL(`${SPA}/**`);
  const answer = new URLSearchParams(new URL(page.url()).hash.slice(1));
  // Entra may refuse at /authorize already: the error comes back in the fragment, as MSAL.js reads it.
  if (!answer.get("code")) return { error: answer.get("error"), error_description: answer.get("error_description") };
  const code = answer.get("code");
  return page.evaluate(async ({ base, tenant, client, code, verifier, spa }) => {
    const body = new URLSearchParams({ client_id: client, grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: spa, scope: "openid profile offline_access" });
    const token = await (await fetch(`${base}/${tenant}/oauth2/v2.0/token`, { method: "POST", body })).json();
    if (token.id_token) await (await fetch(`${base}/${tenant}/discovery/v2.0/keys`)).json();
    return token;
  }, { base, tenant: tenant.id, client: publicApp.client_id, code, verifier, spa: SPA });
}

// Records `drive` in a fresh browser context as a HAR; returns the HAR's path and the page's text.
async function record(name, drive) {
  const path = join(out, `${name}.har`);
  const context = await browser.newContext({ recordHar: { path, content: "embed" } });
  const page = await context.newPage();
  const result = await drive(page, context);
  const text = await page.textContent("body").catch(() => "");
  await context.close();
  const har = JSON.parse(readFileSync(path, "utf8"));
  assert(har.log.creator.name === "Playwright" && har.log.entries.length > 0, `a browser's HAR: ${path}`);
  return { path, text, result };
}

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ...env } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

// reproduce, start the printed command, replay (same failure), fix, replay (goes through).
async function roundTrip(name, har, { failure, expected }) {
  const dir = join(out, name);
  const r = run(keyprobe, ["reproduce", har, "-o", dir]);
  assert(r.code === 0, `reproduce exit ${r.code}:\n${r.out}`);
  assert(r.out.includes(`seen: ${failure}`), `seen ${failure}:\n${r.out}`);
  const last = r.out.trim().split("\n").pop();
  assert(last === `mock-sts --config ${dir}/mock-sts.toml --scenario ${expected} --state-dir ${dir}/state`, `last line: ${last}`);
  for (const file of ["mock-sts.toml", "replay.sh", "fix.sh", "README.md"]) {
    const text = readFileSync(join(dir, file), "utf8");
    assert(!text.includes(user) && !text.includes("ESTSAUTH="), `${file} carries the user or the session cookie`);
  }
  let mock = startMock(last.split(" ").slice(1));
  try {
    let at = await mock.url;
    const sh = (script) => run("bash", [join(dir, script), at], { KEYPROBE: keyprobe });
    const before = sh("replay.sh");
    assert(before.code === 1 && before.out.includes(`replay: ${failure}`), `the replay fails with ${failure}:\n${before.out}`);
    const fix = sh("fix.sh");
    assert(fix.code === 0, `fix.sh:\n${fix.out}`);
    if (fix.out.includes("restart mock-sts")) {
      mock.child.kill();
      mock = startMock(last.split(" ").slice(1));
      at = await mock.url;
    }
    const after = sh("replay.sh");
    assert(after.code === 0 && after.out.includes("replay: no error"), `after the fix:\n${fix.out}\n${after.out}`);
    return { reproduce: r.out, before: before.out, after: after.out };
  } finally {
    mock.child.kill();
  }
}

const UNKNOWN_APP = "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9";
const cases = [
  { name: "missing-signing-key", scenario: "missing-signing-key", failure: "AADSTS50003", expected: "missing-signing-key",
    drive: (page, context) => samlSignIn(page, context), page: "AADSTS50003" },
  // A capture cannot tell a dangling preferred thumbprint from no certificate: the same code, the same fix.
  { name: "dangling-signing-key", scenario: "dangling-signing-key", failure: "AADSTS50003", expected: "missing-signing-key",
    drive: (page, context) => samlSignIn(page, context), page: "AADSTS50003" },
  { name: "expired-signing-cert", scenario: "expired-signing-cert", failure: "cert-expired", expected: "expired-signing-cert",
    drive: (page, context) => samlSignIn(page, context, { expectAcs: true }), page: "signed in" },
  { name: "custom-signing-key-required", scenario: "custom-signing-key-required", failure: "AADSTS50146", expected: "custom-signing-key-required",
    drive: (page, context) => spaSignIn(page, context), result: (t) => JSON.stringify(t).includes("AADSTS50146") },
  // The relying party's failure: the single-page app's HAR holds the tokens and the key set it fetched to
  // check them, and the tokens name a key that set does not publish. keyprobe compares the kid with the
  // captured set (evidence of what the tenant published, never keys to trust) and replay.sh checks what
  // the fresh mock issues against the mock's own key set, as the app does.
  { name: "unpublished-signing-key", scenario: "unpublished-signing-key", failure: "key-not-found", expected: "unpublished-signing-key",
    drive: (page, context) => spaSignIn(page, context), result: (t) => typeof t.id_token === "string",
    check: (dir) => {
      // The single-page app's sign-in replays as it went: its redirect URI on the SPA platform, the code
      // redeemed with the browser's Origin (without it Entra refuses a SPA redirect URI: AADSTS9002327).
      const toml = readFileSync(join(dir, "mock-sts.toml"), "utf8");
      assert(toml.includes(`spa_redirect_uris = ["${SPA}"]`), toml);
      assert(readFileSync(join(dir, "replay.sh"), "utf8").includes(`-H 'Origin: ${SPA}'`), "replay.sh sends the Origin");
    },
    replayed: (before, after) => before.includes("relying party (keyprobe inspect --jwks") && before.includes("): key-not-found")
      && after.includes("): ok, signature verified") },
  { name: "unknown-app-saml", scenario: "healthy", failure: "AADSTS700016", expected: "healthy",
    drive: (page, context) => samlSignIn(page, context, { issuer: "https://unknown.contoso.example/saml" }), page: "AADSTS700016" },
  { name: "unknown-app-oidc", scenario: "healthy", failure: "AADSTS700016", expected: "healthy",
    drive: (page, context) => webSignIn(page, context, { clientId: UNKNOWN_APP }), page: "AADSTS700016" },
  { name: "unregistered-redirect-uri", scenario: "healthy", failure: "AADSTS50011", expected: "healthy",
    drive: (page, context) => webSignIn(page, context, { redirect: "https://app.contoso.example/signin-oidc" }), page: "AADSTS50011" },
];

const only = process.env.REPRODUCE_CASES ? process.env.REPRODUCE_CASES.split(",") : null;
try {
  for (const c of cases.filter((c) => !only || only.includes(c.name))) {
    await test(`${c.name}: a browser's HAR reproduces ${c.failure} (scenario ${c.expected}) and the fix makes the replay go through`, async () => {
      await scenario(c.scenario);
      const { path, text, result } = await record(c.name, c.drive);
      if (c.page) assert(text.includes(c.page), `the browser showed ${c.page}: ${text.slice(0, 300)}`);
      if (c.result) assert(c.result(result), `the page's script got: ${JSON.stringify(result).slice(0, 300)}`);
      const trip = await roundTrip(c.name, path, c);
      if (c.check) c.check(join(out, c.name));
      if (c.replayed) assert(c.replayed(trip.before, trip.after), `the replays:\n${trip.before}\n${trip.after}`);
    });
  }
} finally {
  await browser.close();
  recording.child.kill();
  spaServer.close();
}
console.log(`reproduce: ${passed} passed, ${failed} failed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(failed ? 1 : 0);
