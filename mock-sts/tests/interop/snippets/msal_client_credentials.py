# MSAL Python gets an app-only token from mock-sts with the default app's secret.
# Trust the mock's CA for requests (which MSAL uses): REQUESTS_CA_BUNDLE=<path printed by `mock-sts --tls`>.
import os

import msal

MOCK_STS = os.environ["MOCK_STS_URL"]  # the first line of `mock-sts --tls`, e.g. https://127.0.0.1:PORT
TENANT_ID = os.environ.get("MOCK_STS_TENANT", "7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b")
CLIENT_ID = os.environ.get("MOCK_STS_CLIENT_ID", "4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8")
CLIENT_SECRET = os.environ.get("MOCK_STS_CLIENT_SECRET", "mock~Secret.ForTests_0123456789abcdefghijkl")


def acquire_token(client_credential=CLIENT_SECRET):
    app = msal.ConfidentialClientApplication(
        CLIENT_ID,
        client_credential=client_credential,
        authority=f"{MOCK_STS}/{TENANT_ID}",
        # The mock is not a Microsoft cloud host, so skip instance discovery at login.microsoftonline.com.
        instance_discovery=False,
    )
    # A dict: {"access_token": ..., "token_type": "Bearer", ...} or {"error": ..., "error_description": "AADSTS..."}
    return app.acquire_token_for_client(scopes=[f"api://{CLIENT_ID}/.default"])


if __name__ == "__main__":
    result = acquire_token()
    print(result.get("access_token") or result)
