// panva/jose (Node) verifies a mock-sts token through the published JWKS.
// Trust the mock's CA: NODE_EXTRA_CA_CERTS=<path printed by `mock-sts --tls`> (read when node starts).
import { createRemoteJWKSet, jwtVerify } from "jose";

const MOCK_STS = process.env.MOCK_STS_URL;
const TENANT_ID = process.env.MOCK_STS_TENANT ?? "7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const CLIENT_ID = process.env.MOCK_STS_CLIENT_ID ?? "4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8";

export async function verify(accessToken) {
  // A real service keeps one key set; a fresh one here always sees the scenario in force.
  const jwks = createRemoteJWKSet(new URL(`${MOCK_STS}/${TENANT_ID}/discovery/v2.0/keys`));
  // Throws with code ERR_JWKS_NO_MATCHING_KEY when the token's kid is not published.
  const { payload } = await jwtVerify(accessToken, jwks, {
    issuer: `${MOCK_STS}/${TENANT_ID}/v2.0`,
    audience: CLIENT_ID,
  });
  return payload;
}
