// HAR captures of SAML sign-ins against mock-sts, recorded by Debian's Chromium (playwright-core's
// recordHar, the network log devtools saves), then read by keyprobe as a user would:
//   1. scenario missing-signing-key: the first line of the report names AADSTS50003, the app and the fix;
//   2. a good sign-in: the SAMLResponse posted to the app verifies against the app's federation metadata;
//   3. `keyprobe redact` of the good capture leaves no cookie, secret or signature, and is still a HAR;
//   4. the failing capture dropped on `keyprobe serve`'s page lists its flow first, then every report.
//   5. `keyprobe reproduce` of the failing capture: a fresh mock-sts started with the printed command fails
//      the replay with AADSTS50003, and the written fix makes it go through.
// Run by tests/browser/run.sh; the captures land in $SCREENSHOTS/captures (never in the repository).
import { chromium } from "playwright-core";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { deflateRawSync } from "node:zlib";
import { join } from "node:path";
import { tmpdir } from "node:os";

const mock = process.env.MOCK_STS_BIN;
const keyprobe = process.env.KEYPROBE_BIN;
const out = join(process.env.SCREENSHOTS || "/tmp/keyprobe-screenshots", "captures");
mkdirSync(out, { recursive: true });
let passed = 0, failed = 0;
function assert(cond, message) { if (!cond) throw new Error(message); }
async function test(name, fn) {
  try { await fn(); passed++; console.log(`ok - ${name}`); }
  catch (e) { failed++; console.log(`not ok - ${name}\n  ${String(e && e.stack || e).split("\n").join("\n  ")}`); }
}

const child = spawn(mock, ["--port", "0", "--state-dir", mkdtempSync(join(tmpdir(), "mock-sts-har-"))], { stdio: ["ignore", "pipe", "inherit"] });
const base = await new Promise((resolve) => createInterface({ input: child.stdout }).once("line", (l) => resolve(l.replace("mock-sts listening on ", "").trim())));
const config = await (await fetch(`${base}/_mock/config`)).json();
const tenant = config.tenants[0];
const app = tenant.apps.find((a) => a.kind === "saml");
const { entity_id: entityId, acs_url: acs } = app.saml;

async function scenario(name) {
  const r = await fetch(`${base}/_mock/scenario`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ scenario: name }) });
  assert(r.ok, `scenario ${name}: HTTP ${r.status}`);
}

// What the service provider does: an AuthnRequest over the HTTP-Redirect binding.
function signInUrl() {
  const request = `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_har${Date.now()}" Version="2.0" IssueInstant="${new Date().toISOString().replace(/\.\d+Z$/, "Z")}" Destination="${base}/${tenant.id}/saml2" AssertionConsumerServiceURL="${acs}" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"><saml:Issuer>${entityId}</saml:Issuer></samlp:AuthnRequest>`;
  return `${base}/${tenant.id}/saml2?SAMLRequest=${encodeURIComponent(deflateRawSync(Buffer.from(request)).toString("base64"))}&RelayState=har-test`;
}

function run(args) {
  const r = spawnSync(keyprobe, args, { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const jsonLines = (text) => text.trim().split("\n").map((l) => JSON.parse(l));

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

// Records one sign-in into a HAR, the way devtools' network log holds it.
async function record(path, { acsAnswers }) {
  const context = await browser.newContext({ recordHar: { path, content: "embed" } });
  if (acsAnswers) {
    // The service provider's ACS: the browser posts the SAMLResponse there.
    await context.route(`${acs}**`, (route) => route.fulfill({ status: 200, contentType: "text/html", headers: { "set-cookie": "sp_session=s3cr3t-session; Path=/; Secure; HttpOnly" }, body: "<!DOCTYPE html><p>signed in</p>" }));
  }
  const page = await context.newPage();
  await page.goto(signInUrl());
  if (acsAnswers) await page.waitForURL(`${acs}**`);
  await context.close();
  return readFileSync(path, "utf8");
}

try {
  await test("a failing SAML sign-in's HAR: the first line names AADSTS50003, the app and the fix", async () => {
    await scenario("missing-signing-key");
    const har = join(out, "missing-signing-key.har");
    const text = await record(har, { acsAnswers: false });
    assert(JSON.parse(text).log.creator.name, "a HAR 1.2 log");
    const human = run(["inspect", har]);
    const first = human.stdout.split("\n")[0];
    assert(human.code === 1, `exit ${human.code}: ${human.stderr}`);
    assert(first.includes("AADSTS50003"), `first line: ${first}`);
    assert(first.includes(entityId), `names the app: ${first}`);
    assert(/Fix: .*SAML Signing Certificate/.test(first), `names the fix: ${first}`);
    const reports = jsonLines(run(["inspect", "--json", har]).stdout);
    assert(reports[0].kind === "har" && reports[0].verdict === "error", JSON.stringify(reports[0]).slice(0, 300));
    assert(reports[0].decoded.first_failure.cause === "sts-error", JSON.stringify(reports[0].decoded.first_failure));
    const kinds = reports.slice(1).map((r) => `${r.kind}@${r.input.replace(/^.*#/, "#")}`);
    assert(kinds.some((k) => k.startsWith("saml-authn-request@") && k.includes(".request.url.SAMLRequest")), kinds.join(", "));
    assert(kinds.some((k) => k.startsWith("sts-error@") && k.includes(".response.content")), kinds.join(", "));
    writeFileSync(join(out, "missing-signing-key.txt"), human.stdout);
  });

  await test("keyprobe serve: a dropped HAR shows its flow first, then every report it holds", async () => {
    const har = join(out, "missing-signing-key.har");
    const text = readFileSync(har, "utf8");
    const expected = jsonLines(run(["inspect", "--json", har]).stdout);
    const server = spawn(keyprobe, ["serve", "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const url = await new Promise((resolve) => createInterface({ input: server.stdout }).once("line", (l) => resolve(l.replace("keyprobe serve listening on ", "").trim())));
      const page = await browser.newPage();
      const foreign = [];
      page.on("request", (r) => { if (new URL(r.url()).origin !== new URL(url).origin) foreign.push(r.url()); });
      await page.goto(url);
      // What a person's drop does: a file arrives on the box.
      await page.evaluate((content) => {
        const data = new DataTransfer();
        data.items.add(new File([content], "missing-signing-key.har", { type: "application/json" }));
        document.getElementById("input").dispatchEvent(new DragEvent("drop", { dataTransfer: data, bubbles: true, cancelable: true }));
      }, text);
      await page.waitForSelector("#flow-section:not([hidden])", { timeout: 15000 });
      assert((await page.textContent("#verdict")).includes("har: error"), await page.textContent("#verdict"));
      const headline = await page.textContent("#headline");
      assert(headline.includes("AADSTS50003") && headline.includes(entityId), `headline: ${headline}`);
      // The flow, before the findings, one item per step the CLI lists, the failing one marked.
      const order = await page.evaluate(() => {
        const [flow, findings, inner] = ["flow-section", "findings", "inner-section"].map((id) => document.getElementById(id));
        return [flow.compareDocumentPosition(findings), findings.compareDocumentPosition(inner)].map((p) => (p & Node.DOCUMENT_POSITION_FOLLOWING) !== 0);
      });
      assert(order.every(Boolean), "flow, then findings, then the reports held");
      const steps = await page.$$eval("#flow > li .step", (n) => n.map((x) => x.textContent));
      const flow = expected[0].decoded.flow;
      assert(steps.length === flow.length, `${steps.length} steps on the page, ${flow.length} from the CLI`);
      flow.forEach((s, i) => assert(steps[i].startsWith(`#${s.entry} ${s.method} ${s.host}${s.path}`), `step ${i}: ${steps[i]}`));
      const failed = await page.getAttribute("#flow > li.failed", "data-entry");
      assert(Number(failed) === expected[0].decoded.first_failure.entry, `failed step ${failed}`);
      // Every report the capture holds, in the CLI's order, labelled with the dropped file's name.
      const inputs = await page.$$eval("#inner > li", (n) => n.map((x) => x.dataset.input));
      const tail = (input) => input.replace(/^.*?#/, "#");
      assert(JSON.stringify(inputs.map(tail)) === JSON.stringify(expected.slice(1).map((r) => tail(r.input))), `${inputs.join(", ")}`);
      assert(inputs.every((i) => i.startsWith("missing-signing-key.har#")), inputs[0]);
      const sts = page.locator('#inner > li[data-kind="sts-error"]');
      assert(await sts.count() === 1, "the error page's report");
      assert((await sts.locator(":scope > details").getAttribute("open")) !== null, "a failing report is open");
      assert((await sts.textContent()).includes("AADSTS50003"), "its finding names the code");
      await page.screenshot({ path: join(out, "serve-dropped-har.png"), fullPage: true });
      assert(foreign.length === 0, `requests to other origins: ${foreign}`);
    } finally {
      server.kill();
    }
  });

  await test("a good sign-in's HAR: the posted SAMLResponse verifies against the app's federation metadata", async () => {
    await scenario("healthy");
    const har = join(out, "good-sign-in.har");
    await record(har, { acsAnswers: true });
    const metadata = join(out, "federationmetadata.xml");
    writeFileSync(metadata, await (await fetch(`${base}/${tenant.id}/federationmetadata/2007-06/federationmetadata.xml?appid=${app.client_id}`)).text());
    const run1 = run(["inspect", "--json", har, "--metadata", metadata]);
    const reports = jsonLines(run1.stdout);
    assert(run1.code === 0, `exit ${run1.code}: ${reports[0] && JSON.stringify(reports[0].findings)}`);
    assert(reports[0].verdict === "ok", JSON.stringify(reports[0].findings));
    const responses = reports.filter((r) => r.kind === "saml-response");
    assert(responses.length === 1, `one SAMLResponse report (the form's and the POST's are one message): ${reports.map((r) => r.input).join(", ")}`);
    assert(responses[0].findings.some((f) => f.code === "signature-verified"), JSON.stringify(responses[0].findings));
    const steps = reports[0].decoded.flow.map((s) => `${s.method} ${s.host}${s.path}`);
    assert(steps.some((s) => s.startsWith("POST sp.contoso.example/saml/acs")), `the flow shows the ACS post: ${steps.join(" | ")}`);
  });
  await test("keyprobe redact of the good capture leaves no cookie, secret or signature and is still a HAR", async () => {
    const har = join(out, "good-sign-in.har");
    const redacted = join(out, "good-sign-in.redacted.har");
    const r = run(["redact", har, "-o", redacted]);
    assert(r.code === 0, `exit ${r.code}: ${r.stderr}`);
    assert(r.stderr.includes("SAML signatures"), r.stderr);
    const copy = JSON.parse(readFileSync(redacted, "utf8"));
    const text = JSON.stringify(copy);
    assert(!text.includes("s3cr3t-session"), "a cookie left in the copy");
    const original = readFileSync(har, "utf8");
    const sig = /SignatureValue>([^<]{40,})</.exec(Buffer.from(/SAMLResponse=([^&"]+)/.exec(original)[1].replace(/%2B/g, "+").replace(/%2F/g, "/").replace(/%3D/g, "="), "base64").toString());
    assert(sig && !text.includes(sig[1].slice(0, 40)), "the SAML signature value is gone");
    const again = jsonLines(run(["inspect", "--json", redacted]).stdout);
    assert(again[0].kind === "har" && again.some((x) => x.kind === "saml-response"), "the copy still reads as the sign-in");
  });
  await test("keyprobe reproduce of the failing capture: the printed mock-sts fails the replay with AADSTS50003, the fix makes it go through", async () => {
    const har = join(out, "missing-signing-key.har");
    const dir = join(out, "reproduce");
    rmSync(dir, { recursive: true, force: true });
    const r = run(["reproduce", har, "-o", dir]);
    assert(r.code === 0, `exit ${r.code}: ${r.stdout}${r.stderr}`);
    const last = r.stdout.trim().split("\n").pop();
    assert(last === `mock-sts --config ${dir}/mock-sts.toml --scenario missing-signing-key --state-dir ${dir}/state`, `last line: ${last}`);
    for (const name of ["mock-sts.toml", "replay.sh", "fix.sh", "README.md"]) {
      assert(!readFileSync(join(dir, name), "utf8").includes("alice@"), `${name} names no real user`);
    }
    const args = last.split(" ").slice(1);
    const fresh = spawn(mock, [...args, "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const at = await new Promise((resolve) => createInterface({ input: fresh.stdout }).once("line", (l) => resolve(l.replace("mock-sts listening on ", "").trim())));
      const sh = (script) => spawnSync("bash", [join(dir, script), at], { encoding: "utf8", env: { ...process.env, KEYPROBE: keyprobe } });
      const before = sh("replay.sh");
      assert(before.status === 1 && before.stdout.includes("replay: AADSTS50003"), before.stdout + before.stderr);
      const fix = sh("fix.sh");
      assert(fix.status === 0 && fix.stdout.includes("is active"), fix.stdout + fix.stderr);
      const after = sh("replay.sh");
      assert(after.status === 0 && after.stdout.includes("signed SAMLResponse posted to"), after.stdout + after.stderr);
    } finally {
      fresh.kill();
    }
  });
} finally {
  await browser.close();
  child.kill();
}
console.log(`capture: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
