// Real-browser tests of `keyprobe serve` in headless Chromium, driven by playwright-core.
// Run by tests/browser/run.sh. Screenshots go to $SCREENSHOTS (outside the repository).
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { readFileSync, mkdirSync } from "node:fs";
import { createInterface } from "node:readline";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const bin = process.env.KEYPROBE_BIN || join(root, "target/debug/keyprobe");
const shots = process.env.SCREENSHOTS || "/tmp/keyprobe-screenshots";
mkdirSync(shots, { recursive: true });
const fixture = (p) => readFileSync(join(root, "testdata", p), "utf8");

let passed = 0, failed = 0;
async function test(name, fn) {
  try { await fn(); passed++; console.log(`ok - ${name}`); }
  catch (e) { failed++; console.log(`not ok - ${name}\n  ${String(e && e.stack || e).split("\n").join("\n  ")}`); }
}
function assert(cond, message) { if (!cond) throw new Error(message); }

function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ["serve", "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
    child.on("error", reject);
    createInterface({ input: child.stdout }).once("line", (line) => {
      const url = line.replace("keyprobe serve listening on ", "").trim();
      resolve({ child, url });
    });
  });
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const { child, url } = await startServer();
const origin = new URL(url).origin;

async function page() {
  const p = await browser.newPage();
  const foreign = [];
  p.on("request", (r) => { if (new URL(r.url()).origin !== origin) foreign.push(r.url()); });
  p.foreign = foreign;
  await p.goto(url);
  return p;
}

await test("an expired token shows token-expired and an expired bar on the timeline", async () => {
  const p = await page();
  await p.fill("#input", fixture("tokens/rs256-expired.jwt"));
  await p.fill("#keys-text", fixture("keys/jwks-rotated.json"));
  await p.fill("#at", "2026-06-01T12:00:00Z");
  await p.click("#inspect");
  await p.waitForSelector('#findings li[data-code="token-expired"]');
  const verdict = await p.textContent("#verdict");
  assert(verdict.includes("error"), `verdict ${verdict}`);
  assert(await p.locator("#timeline svg rect.bar-expired").count() === 1, "one expired bar");
  assert(await p.locator("#timeline svg line.now").count() === 1, "the check-time line");
  const seen = await p.textContent('#findings li[data-code="token-expired"]');
  assert(seen.includes("IDX10223"), "seen_as shown");
  await p.screenshot({ path: join(shots, "serve-expired-token.png"), fullPage: true });
  assert(p.foreign.length === 0, `requests to other origins: ${p.foreign}`);
});

await test("a key-not-found token explains itself, keyboard only", async () => {
  const p = await page();
  await p.fill("#input", fixture("tokens/rs256-unknown-kid.jwt"));
  await p.fill("#keys-text", fixture("keys/jwks.json"));
  await p.fill("#at", "2026-06-01T12:00:00Z");
  await p.focus("#inspect");
  await p.keyboard.press("Enter");
  await p.waitForSelector('#findings li[data-code="key-not-found"]');
  await p.click('#findings li[data-code="key-not-found"] summary');
  const page_text = await p.textContent('#findings li[data-code="key-not-found"] details pre');
  assert(page_text.includes("unpublished-signing-key"), "explain page shown");
  const focused = await p.evaluate(() => document.activeElement && document.activeElement.id);
  assert(focused === "verdict" || focused === "", `focus moved to the verdict (${focused})`);
  assert(p.foreign.length === 0, `requests to other origins: ${p.foreign}`);
});

const samlResponse = (() => { try { return fixture("saml/response-signed.b64"); } catch { return null; } })();
const samlMetadata = (() => { try { return fixture("saml/federationmetadata.xml"); } catch { return null; } })();
await test("a SAML response with its metadata shows the verified subject", async () => {
  assert(samlResponse && samlMetadata, "SAML fixtures testdata/saml/response-signed.b64 and federationmetadata.xml are missing");
  const p = await page();
  await p.fill("#input", samlResponse);
  await p.selectOption("#keys-kind", "metadata");
  await p.fill("#keys-text", samlMetadata);
  await p.fill("#at", "2026-06-01T12:00:00Z");
  await p.click("#inspect");
  // A paste inspects on its own before the keys are in: wait for the verdict judged with them.
  await p.waitForSelector('#findings li[data-code="signature-verified"]');
  const decoded = await p.textContent("#decoded");
  assert(/name_id/.test(decoded), "the subject is shown");
  assert(await p.locator('#findings li[data-code="signature-verified"]').count() >= 1, "signature verified");
  await p.screenshot({ path: join(shots, "serve-saml.png"), fullPage: true });
  assert(p.foreign.length === 0, `requests to other origins: ${p.foreign}`);
});

await test("a token and a metadata URL: the only request beyond the page is that URL's", async () => {
  const mockBin = process.env.MOCK_STS_BIN;
  assert(mockBin, "MOCK_STS_BIN is not set");
  const { mkdtempSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const mock = spawn(mockBin, ["--port", "0", "--state-dir", mkdtempSync(join(tmpdir(), "serve-mock-"))], { stdio: ["ignore", "pipe", "ignore"] });
  try {
    const mockBase = await new Promise((resolve) => createInterface({ input: mock.stdout }).once("line", (l) => resolve(l.replace("mock-sts listening on ", "").trim())));
    const config = await (await fetch(`${mockBase}/_mock/config`)).json();
    const tenant = config.tenants[0].id;
    const minted = await (await fetch(`${mockBase}/_mock/token`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ claims: { aud: "api://keyprobe-browser" } }) })).json();
    const p = await page();
    await p.fill("#input", minted.token);
    await p.fill("#keys-url", `${mockBase}/${tenant}/v2.0/.well-known/openid-configuration`);
    await p.click("#inspect");
    await p.waitForSelector('#findings li[data-code="signature-verified"]');
    const sources = await p.textContent("#sources");
    assert(sources.includes("/.well-known/openid-configuration") && sources.includes("/discovery/v2.0/keys"), `fetched documents listed: ${sources}`);
    assert(await p.locator("#timeline svg rect.bar-valid").count() >= 1, "a valid token lifetime");
    await p.screenshot({ path: join(shots, "serve-metadata-url.png"), fullPage: true });
    // The page itself talked to its own server only; the server fetched the metadata URL.
    assert(p.foreign.length === 0, `requests to other origins: ${p.foreign}`);
  } finally {
    mock.kill();
  }
});

await test("a paste is inspected without a click", async () => {
  const p = await page();
  await p.fill("#at", "2026-06-01T12:00:00Z");
  await p.fill("#keys-text", fixture("keys/jwks.json"));
  // What a person's paste does: the text arrives at once, with paste and input events.
  await p.focus("#input");
  await p.evaluate((token) => {
    const box = document.getElementById("input");
    const data = new DataTransfer();
    data.setData("text/plain", token);
    box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true }));
    box.value = token;
    box.dispatchEvent(new InputEvent("input", { bubbles: true, inputType: "insertFromPaste" }));
  }, fixture("tokens/rs256-unknown-kid.jwt"));
  await p.waitForSelector('#findings li[data-code="key-not-found"]', { timeout: 5000 });
  // Typing waits for a pause, then inspects too.
  await p.fill("#input", "");
  await p.type("#input", fixture("tokens/rs256-expired.jwt").trim());
  await p.waitForSelector('#findings li[data-code="token-expired"]', { timeout: 5000 });
  assert(p.foreign.length === 0, `requests to other origins: ${p.foreign}`);
});

await test("a verdict follows the keys it was judged with: adding keys after a paste inspects again", async () => {
  const p = await page();
  await p.fill("#at", "2026-06-01T12:00:00Z");
  await p.fill("#input", fixture("tokens/rs256-valid.jwt"));
  await p.waitForSelector('#findings li[data-code="signature-not-checked"]', { timeout: 5000 });
  await p.fill("#keys-text", fixture("keys/jwks.json"));
  await p.press("#keys-text", "Tab"); // the change is committed when the box loses focus
  await p.waitForSelector('#findings li[data-code="signature-verified"]', { timeout: 5000 });
  assert(await p.locator('#findings li[data-code="signature-not-checked"]').count() === 0, "the stale verdict is gone");
});

await test("an empty box says what to paste instead of a verdict", async () => {
  const p = await page();
  await p.fill("#input", "   \n  ");
  await p.click("#inspect");
  await p.waitForSelector("#empty:not([hidden])");
  const verdict = await p.textContent("#verdict");
  assert(!/ok|warning|error/.test(verdict), `no verdict: ${verdict}`);
  const advice = await p.textContent("#empty");
  assert(advice.includes("SAMLResponse") && advice.includes("token"), advice);
  assert(await p.locator("#report").isHidden(), "no report shown");
  // Clearing a box that had a report goes back to the advice.
  await p.fill("#input", fixture("tokens/rs256-unknown-kid.jwt"));
  await p.click("#inspect");
  await p.waitForSelector('#findings li[data-code="signature-not-checked"]');
  await p.fill("#input", "");
  await p.waitForSelector("#empty:not([hidden])");
  await p.screenshot({ path: join(shots, "serve-empty.png"), fullPage: true });
});

await test("a 70-minute assertion beside a multi-year certificate gets a readable lane", async () => {
  assert(samlResponse && samlMetadata, "SAML fixtures are missing");
  const p = await page();
  await p.selectOption("#keys-kind", "metadata");
  await p.fill("#keys-text", samlMetadata);
  await p.fill("#at", "2026-06-01T12:00:00Z");
  await p.fill("#input", samlResponse);
  await p.click("#inspect");
  await p.waitForSelector("#timeline svg.zoom");
  const widths = await p.evaluate(() => {
    const bars = (kind) => [...document.querySelectorAll(`#timeline svg.${kind} rect`)]
      .map((r) => ({ label: r.dataset.label, width: r.width.baseVal.value }));
    return { overview: bars("overview"), zoom: bars("zoom") };
  });
  const conditions = (list) => list.find((b) => /conditions/i.test(b.label));
  const over = conditions(widths.overview), zoom = conditions(widths.zoom);
  assert(over && zoom, `an assertion window in both lanes: ${JSON.stringify(widths)}`);
  assert(over.width < 10, `a sliver in the overview (${over.width})`);
  assert(zoom.width > 150, `readable in the zoomed lane (${zoom.width})`);
  const cert = widths.zoom.find((b) => /certificate/i.test(b.label));
  assert(cert, `the certificate runs on through the zoomed lane: ${JSON.stringify(widths.zoom)}`);
  await p.screenshot({ path: join(shots, "serve-timeline-zoom.png"), fullPage: true });
});

await test("no request of the page fails (no favicon 404)", async () => {
  const p = await browser.newPage();
  const failures = [];
  p.on("response", (r) => { if (r.status() >= 400) failures.push(`${r.status()} ${r.url()}`); });
  p.on("requestfailed", (r) => failures.push(`failed ${r.url()}`));
  await p.goto(url);
  await p.waitForLoadState("networkidle");
  const icon = await p.evaluate(() => document.querySelector('link[rel="icon"]')?.getAttribute("href") || "");
  assert(icon.startsWith("data:image/svg+xml"), `an inline icon: ${icon.slice(0, 40)}`);
  const favicon = await fetch(`${url}/favicon.ico`);
  assert(favicon.status < 400, `GET /favicon.ico answers ${favicon.status}`);
  assert(failures.length === 0, `failed requests: ${failures}`);
});

await browser.close();
child.kill();
console.log(`serve page: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
