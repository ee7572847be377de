// Interop checks for MSAL Node against a running mock-sts (see run.sh): the device code flow, the password
// grant and on-behalf-of, through snippets/msal_node_grants.mjs. Prints one line per check and
// "msalnode: N passed, N failed"; exits non-zero on any failure.
import { signInWithDeviceCode, signInWithPassword, tokenOnBehalfOf } from "./snippets/msal_node_grants.mjs";
import { verify } from "./snippets/jose_verify.mjs";

const MOCK_STS = process.env.MOCK_STS_URL;
const CLIENT_ID = "4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8";
const API_SCOPE = `api://${CLIENT_ID}/access_as_user`;
const ALICE = "alice@contoso.onmicrosoft.com";
const BOB = "bob@contoso.onmicrosoft.com";

function claimsOf(token) {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

async function codesLogged() {
  const records = await (await fetch(`${MOCK_STS}/_mock/requests`)).json();
  return records.map((r) => r.aadsts).filter(Boolean);
}

const checks = {
  async msal_node_device_code_flow_polls_until_the_code_is_approved() {
    const result = await signInWithDeviceCode(BOB, [API_SCOPE]);
    expect(result.account.username === BOB, `signed in as ${result.account.username}`);
    const payload = await verify(result.accessToken);
    expect(payload.preferred_username === BOB, `token for ${payload.preferred_username}`);
    expect((await codesLogged()).includes("AADSTS70016"), "MSAL polled while the code was pending");
  },
  async msal_node_password_grant() {
    const result = await signInWithPassword(ALICE, "mock~Password.Alice_0123456789", [API_SCOPE]);
    const payload = await verify(result.accessToken);
    expect(payload.preferred_username === ALICE, `token for ${payload.preferred_username}`);
    expect(payload.scp === "access_as_user", `scp ${payload.scp}`);
  },
  async msal_node_password_grant_with_a_wrong_password_is_aadsts50126() {
    try {
      await signInWithPassword(ALICE, "not-the-password");
    } catch (error) {
      expect(error.errorCode === "invalid_grant", `errorCode ${error.errorCode}`);
      expect(String(error.errorMessage).includes("AADSTS50126: Error validating credentials due to invalid username or password."), error.errorMessage);
      return;
    }
    throw new Error("MSAL Node signed in with a wrong password");
  },
  async msal_node_on_behalf_of() {
    const incoming = await signInWithPassword(ALICE, "mock~Password.Alice_0123456789", [API_SCOPE]);
    const result = await tokenOnBehalfOf(incoming.accessToken);
    const claims = claimsOf(result.accessToken);
    expect(claims.aud === "https://graph.microsoft.com", `aud ${claims.aud}`);
    expect(claims.appid === CLIENT_ID, `appid ${claims.appid}`);
    expect(claims.upn === ALICE, `upn ${claims.upn}`);
  },
  async msal_node_on_behalf_of_with_a_token_for_another_app_is_aadsts500131() {
    const graph = await signInWithPassword(ALICE, "mock~Password.Alice_0123456789", ["User.Read"]);
    try {
      await tokenOnBehalfOf(graph.accessToken);
    } catch (error) {
      expect(error.errorCode === "invalid_grant", `errorCode ${error.errorCode}`);
      expect(String(error.errorMessage).includes("AADSTS500131: Assertion audience does not match"), error.errorMessage);
      return;
    }
    throw new Error("MSAL Node exchanged a Graph token on behalf of the user");
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
console.log(`msalnode: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
