// Against the server the CI job started with `mock-sts --tls --detach > mock-sts.env` (its variables
// exported, NODE_EXTRA_CA_CERTS set to its CA before node starts). Skipped when there is none.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createRemoteJWKSet, jwtVerify } from "jose";

const URL_ = process.env.MOCK_STS_URL;
const CLIENT_ID = "4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8";
const CLIENT_SECRET = "mock~Secret.ForTests_0123456789abcdefghijkl";

test("a token from the CI server verifies with jose", { skip: !URL_ && "no MOCK_STS_URL" }, async () => {
  const authority = `${URL_}/${process.env.MOCK_STS_TENANT}`;
  const response = await fetch(`${authority}/oauth2/v2.0/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      scope: `api://${CLIENT_ID}/.default`,
    }),
  });
  const { access_token: token } = await response.json();
  const jwks = createRemoteJWKSet(new URL(`${authority}/discovery/v2.0/keys`));
  const { payload } = await jwtVerify(token, jwks, { issuer: `${authority}/v2.0`, audience: CLIENT_ID });
  assert.equal(payload.tid, process.env.MOCK_STS_TENANT);
});
