# PyJWT verifies a mock-sts token through the published JWKS, as a resource server would.
# PyJWKClient uses urllib: trust the mock's CA with SSL_CERT_FILE=<path printed by `mock-sts --tls`>.
import os

import jwt  # pip install "PyJWT[crypto]"

MOCK_STS = os.environ["MOCK_STS_URL"]
TENANT_ID = os.environ.get("MOCK_STS_TENANT", "7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b")
CLIENT_ID = os.environ.get("MOCK_STS_CLIENT_ID", "4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8")


def verify(access_token):
    # A real service keeps one PyJWKClient; a fresh one here always sees the scenario in force.
    jwks_client = jwt.PyJWKClient(f"{MOCK_STS}/{TENANT_ID}/discovery/v2.0/keys")
    signing_key = jwks_client.get_signing_key_from_jwt(access_token)  # PyJWKClientError when the kid is unknown
    return jwt.decode(
        access_token,
        signing_key.key,
        algorithms=["RS256"],
        audience=CLIENT_ID,
        issuer=f"{MOCK_STS}/{TENANT_ID}/v2.0",
    )
