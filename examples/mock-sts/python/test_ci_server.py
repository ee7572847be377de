"""Against the server the CI job started with `mock-sts --tls --detach > mock-sts.env` (its variables
exported, the CA trusted through REQUESTS_CA_BUNDLE and SSL_CERT_FILE). Skipped when there is none."""
import os

import jwt
import msal
import pytest

URL = os.environ.get("MOCK_STS_URL")
pytestmark = pytest.mark.skipif(not URL, reason="no MOCK_STS_URL: start mock-sts with --detach first")

CLIENT_ID = "4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8"
CLIENT_SECRET = "mock~Secret.ForTests_0123456789abcdefghijkl"


def test_msal_token_from_the_ci_server_verifies_with_pyjwt():
    authority = f"{URL}/{os.environ['MOCK_STS_TENANT']}"
    app = msal.ConfidentialClientApplication(
        CLIENT_ID, client_credential=CLIENT_SECRET, authority=authority, instance_discovery=False
    )
    token = app.acquire_token_for_client([f"api://{CLIENT_ID}/.default"])["access_token"]
    key = jwt.PyJWKClient(f"{authority}/discovery/v2.0/keys").get_signing_key_from_jwt(token)
    claims = jwt.decode(token, key.key, algorithms=["RS256"], audience=CLIENT_ID, issuer=f"{authority}/v2.0")
    assert claims["tid"] == os.environ["MOCK_STS_TENANT"]
