// The mock-sts dashboard in headless Chromium: reproduce AADSTS50003 and fix it with clicks only.
// Run by tests/browser/run.sh. Screenshots go to $SCREENSHOTS (outside the repository).
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { createInterface } from "node:readline";
import { deflateRawSync } from "node:zlib";
import { join } from "node:path";
import { tmpdir } from "node:os";

const mock = process.env.MOCK_STS_BIN;
const shots = process.env.SCREENSHOTS || "/tmp/keyprobe-screenshots";
mkdirSync(shots, { recursive: true });
let passed = 0, failed = 0;
function assert(cond, message) { if (!cond) throw new Error(message); }

const child = spawn(mock, ["--port", "0", "--state-dir", mkdtempSync(join(tmpdir(), "mock-sts-dash-"))], { stdio: ["ignore", "pipe", "inherit"] });
const base = await new Promise((resolve) => createInterface({ input: child.stdout }).once("line", (l) => resolve(l.replace("mock-sts listening on ", "").trim())));
const origin = new URL(base).origin;

const config = await (await fetch(`${base}/_mock/config`)).json();
const tenant = config.tenants[0];
const app = tenant.apps.find((a) => a.kind === "saml");
const saml = app.saml || {};
const entityId = saml.entity_id || app.entity_id || (app.app_id_uris || [])[0];
const acs = (saml.reply_urls || saml.acs_urls || app.reply_urls || app.redirect_uris || [])[0];

function signInUrl() {
  const request = `<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_dash${Date.now()}" Version="2.0" IssueInstant="${new Date().toISOString().replace(/\.\d+Z$/, "Z")}" Destination="${base}/${tenant.id}/saml2" AssertionConsumerServiceURL="${acs}" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"><saml:Issuer>${entityId}</saml:Issuer></samlp:AuthnRequest>`;
  const encoded = deflateRawSync(Buffer.from(request)).toString("base64");
  return `${base}/${tenant.id}/saml2?SAMLRequest=${encodeURIComponent(encoded)}`;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const dash = await browser.newPage();
  const foreign = [];
  dash.on("request", (r) => { if (new URL(r.url()).origin !== origin) foreign.push(r.url()); });
  await dash.goto(`${base}/_mock/`);
  await dash.waitForSelector("#scenario-select option", { state: "attached" });

  // 1. Break it: the SAML app loses its signing key.
  await dash.selectOption("#scenario-select", "missing-signing-key");
  await dash.click("#scenario-apply");
  await dash.waitForFunction(() => document.getElementById("scenario-current").textContent === "missing-signing-key");

  // 2. Sign in: Entra's error page with AADSTS50003.
  const user = await browser.newPage();
  await user.goto(signInUrl());
  const page_text = await user.textContent("body");
  assert(page_text.includes("AADSTS50003"), `error page shows AADSTS50003: ${page_text.slice(0, 300)}`);
  await user.screenshot({ path: join(shots, "mock-aadsts50003-error-page.png"), fullPage: true });

  // 3. The dashboard's log shows it with its correlation ID.
  await dash.waitForFunction(() => [...document.querySelectorAll("#requests td")].some((td) => td.textContent === "AADSTS50003"), null, { timeout: 10000 });
  await dash.screenshot({ path: join(shots, "mock-dashboard-50003.png"), fullPage: true });

  // 4. Fix it the portal's way, still in missing-signing-key: a new certificate, made active.
  const appBox = `[data-app="${app.client_id}"]`;
  await dash.click(`${appBox} button[data-action="new-certificate"]`);
  await dash.waitForSelector(`${appBox} button[data-action="activate"]`);
  await dash.click(`${appBox} button[data-action="activate"] >> nth=-1`);
  await dash.waitForFunction((sel) => [...document.querySelectorAll(`${sel} td.active`)].length > 0, appBox);

  // 5. Sign in again: an auto-posting form carrying a signed SAMLResponse.
  // (Scripts off: the form would otherwise post itself to the service provider, which is not running.)
  const quiet = await browser.newContext({ javaScriptEnabled: false });
  const again = await quiet.newPage();
  await again.goto(signInUrl());
  const html = await again.content();
  assert(html.includes("SAMLResponse"), "the sign-in answers with a SAMLResponse form");
  await dash.waitForFunction(() => [...document.querySelectorAll("#requests tr[data-status='200'] td")].some((td) => td.textContent.includes("/saml2")), null, { timeout: 10000 });
  await dash.screenshot({ path: join(shots, "mock-dashboard-fixed.png"), fullPage: true });
  assert(foreign.length === 0, `dashboard requests to other origins: ${foreign}`);
  passed++;
  console.log("ok - AADSTS50003 reproduced and fixed from the dashboard, clicks only");
} catch (e) {
  failed++;
  console.log(`not ok - AADSTS50003 reproduced and fixed from the dashboard\n  ${String(e && e.stack || e).split("\n").join("\n  ")}`);
}
try {
  // A device code flow: the client starts it, the user approves the code on the dashboard (its
  // verification URI), and the client's next poll gets the tokens.
  const publicApp = tenant.apps.find((a) => a.kind === "public");
  const form = (fields) => ({ method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields) });
  const flow = await (await fetch(`${base}/${tenant.id}/oauth2/v2.0/devicecode`, form({ client_id: publicApp.client_id, scope: "openid profile" }))).json();
  const poll = async () => (await fetch(`${base}/${tenant.id}/oauth2/v2.0/token`, form({ client_id: publicApp.client_id, grant_type: "urn:ietf:params:oauth:grant-type:device_code", device_code: flow.device_code }))).json();
  const pending = await poll();
  assert(pending.error === "authorization_pending", `pending first: ${JSON.stringify(pending)}`);
  const page = await browser.newPage();
  await page.goto(flow.verification_uri);
  const row = `#device-code-list tr[data-user-code="${flow.user_code}"]`;
  await page.waitForSelector(`${row} button[data-action="approve-device-code"]`);
  const bob = tenant.users[1].user_principal_name;
  await page.selectOption(`${row} select`, bob);
  await page.click(`${row} button[data-action="approve-device-code"]`);
  await page.waitForFunction((sel) => document.querySelector(sel) && document.querySelector(sel).textContent.includes("approved"), row);
  await page.screenshot({ path: join(shots, "mock-dashboard-device-code.png"), fullPage: true });
  const tokens = await poll();
  assert(tokens.id_token, `tokens after approval: ${JSON.stringify(tokens)}`);
  const claims = JSON.parse(Buffer.from(tokens.id_token.split(".")[1], "base64url").toString());
  assert(claims.preferred_username === bob, `signed in as ${claims.preferred_username}`);
  passed++;
  console.log("ok - a device code approved from the dashboard");
} catch (e) {
  failed++;
  console.log(`not ok - a device code approved from the dashboard\n  ${String(e && e.stack || e).split("\n").join("\n  ")}`);
} finally {
  await browser.close();
  child.kill();
}
console.log(`dashboard: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
