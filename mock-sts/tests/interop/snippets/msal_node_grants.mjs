// MSAL Node against mock-sts: the device code flow, the password grant and on-behalf-of.
// Trust the mock's CA: NODE_EXTRA_CA_CERTS=<path printed by `mock-sts --tls`>. knownAuthorities makes MSAL take
// the mock's host as it is, without asking login.microsoftonline.com for instance discovery.
import { ConfidentialClientApplication, PublicClientApplication } from "@azure/msal-node";

const MOCK_STS = process.env.MOCK_STS_URL;
const TENANT_ID = process.env.MOCK_STS_TENANT ?? "7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const CLIENT_ID = process.env.MOCK_STS_CLIENT_ID ?? "4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8";
const CLIENT_SECRET = process.env.MOCK_STS_CLIENT_SECRET ?? "mock~Secret.ForTests_0123456789abcdefghijkl";
const PUBLIC_CLIENT_ID = process.env.MOCK_STS_PUBLIC_CLIENT_ID ?? "9b2c3d4e-6f70-4182-93a4-b5c6d7e8f901";

const auth = { authority: `${MOCK_STS}/${TENANT_ID}`, knownAuthorities: [new URL(MOCK_STS).host] };

// The flow's verification URI is the mock's dashboard, where a person clicks Approve; the test plays that
// person through the control API while MSAL polls (authorization_pending until then).
export function signInWithDeviceCode(user = "bob@contoso.onmicrosoft.com", scopes = ["User.Read"]) {
  const app = new PublicClientApplication({ auth: { ...auth, clientId: PUBLIC_CLIENT_ID } });
  return app.acquireTokenByDeviceCode({
    scopes,
    deviceCodeCallback: (response) => {
      console.log(response.message);
      setTimeout(() => fetch(`${MOCK_STS}/_mock/device-codes/${response.userCode}/approve`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ user }),
      }), 1000);
    },
  });
}

// The password grant, for a user with a `password` in the mock's configuration (deprecated in MSAL, still there).
export function signInWithPassword(username = "alice@contoso.onmicrosoft.com", password = "mock~Password.Alice_0123456789", scopes = ["User.Read"]) {
  const app = new PublicClientApplication({ auth: { ...auth, clientId: PUBLIC_CLIENT_ID } });
  return app.acquireTokenByUsernamePassword({ scopes, username, password });
}

// A middle-tier API exchanges its caller's token (issued for it) for a Graph token for the same user.
export function tokenOnBehalfOf(oboAssertion, scopes = ["https://graph.microsoft.com/User.Read"]) {
  const app = new ConfidentialClientApplication({ auth: { ...auth, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });
  return app.acquireTokenOnBehalfOf({ oboAssertion, scopes });
}
