// Example tests (node:test): jose verifies tokens from a fresh mock-sts per test, across a scenario switch.
// Run: MOCK_STS_BIN=path/to/mock-sts node --test   (after `npm install` here, for jose)
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, test } from "node:test";
import { createRemoteJWKSet, jwtVerify } from "jose";

import { startMockSts } from "./mock-sts.mjs";

const CLIENT_ID = "4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8"; // the default configuration's confidential app
const CLIENT_SECRET = "mock~Secret.ForTests_0123456789abcdefghijkl";
const stateDir = mkdtempSync(join(tmpdir(), "mock-sts-state-")); // keys made once for the whole run

let mock;
beforeEach(async () => {
  mock = await startMockSts({ stateDir });
});
afterEach(async () => {
  await mock.stop();
});

async function clientCredentialsToken() {
  const response = await fetch(`${mock.authority}/oauth2/v2.0/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      scope: `api://${CLIENT_ID}/.default`,
    }),
  });
  const body = await response.json();
  assert.ok(body.access_token, JSON.stringify(body));
  return body.access_token;
}

async function verify(token) {
  const jwks = createRemoteJWKSet(new URL(`${mock.authority}/discovery/v2.0/keys`));
  const { payload } = await jwtVerify(token, jwks, { issuer: `${mock.authority}/v2.0`, audience: CLIENT_ID });
  return payload;
}

test("a token verifies until its key is unpublished", async () => {
  assert.equal((await verify(await clientCredentialsToken())).tid, mock.tenant);
  assert.equal((await mock.setScenario("unpublished-signing-key")).previous, "healthy");
  await assert.rejects(verify(await clientCredentialsToken()), { code: "ERR_JWKS_NO_MATCHING_KEY" });
});

test("each test starts a fresh mock in healthy", async () => {
  assert.equal((await mock.control("GET", "/_mock/scenario")).scenario, "healthy");
  await verify(await clientCredentialsToken());
});

test("a taken port fails fast, naming it", async () => {
  const taken = new URL(mock.url).port;
  const started = Date.now();
  await assert.rejects(startMockSts({ port: Number(taken), stateDir }), new RegExp(`port ${taken} is taken`));
  assert.ok(Date.now() - started < 10_000);
});

