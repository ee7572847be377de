// Interop checks for panva/jose against a running mock-sts (see run.sh). Prints one line per check and
// "jose: N passed, N failed"; exits non-zero on any failure.
import { verify } from "./snippets/jose_verify.mjs";

const MOCK_STS = process.env.MOCK_STS_URL;
const TENANT_ID = "7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const CLIENT_ID = "4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8";
const CLIENT_SECRET = "mock~Secret.ForTests_0123456789abcdefghijkl";

async function clientCredentialsToken() {
  const response = await fetch(`${MOCK_STS}/${TENANT_ID}/oauth2/v2.0/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      scope: `api://${CLIENT_ID}/.default`,
    }),
  });
  const body = await response.json();
  if (!body.access_token) throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.access_token;
}

async function switchScenario(name) {
  const response = await fetch(`${MOCK_STS}/_mock/scenario`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ scenario: name }),
  });
  if (!response.ok) throw new Error(`scenario ${name}: HTTP ${response.status}`);
}

const checks = {
  async jose_verifies_a_client_credentials_token() {
    const payload = await verify(await clientCredentialsToken());
    if (payload.tid !== TENANT_ID) throw new Error(`tid ${payload.tid}`);
  },
  async unpublished_signing_key_is_err_jwks_no_matching_key() {
    await switchScenario("unpublished-signing-key");
    try {
      const token = await clientCredentialsToken();
      try {
        await verify(token);
      } catch (error) {
        if (error.code !== "ERR_JWKS_NO_MATCHING_KEY") throw error;
        return;
      }
      throw new Error("jose accepted a token signed with an unpublished key");
    } finally {
      await switchScenario("healthy");
    }
  },
};

let passed = 0;
let failed = 0;
for (const [name, check] of Object.entries(checks)) {
  try {
    await check();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL ${name}`);
    console.log(error);
  }
}
console.log(`jose: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
