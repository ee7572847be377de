# A middle-tier API (the default confidential app) exchanges the access token its caller sent it for a
# Microsoft Graph token for the same user: MSAL Python's on-behalf-of flow against mock-sts. The incoming
# token must be the mock's and for this app (aud = its client id or app ID URI), else AADSTS500131/50013.
import os

import msal

MOCK_STS = os.environ["MOCK_STS_URL"]
TENANT_ID = os.environ.get("MOCK_STS_TENANT", "7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b")
CLIENT_ID = os.environ.get("MOCK_STS_CLIENT_ID", "4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8")
CLIENT_SECRET = os.environ.get("MOCK_STS_CLIENT_SECRET", "mock~Secret.ForTests_0123456789abcdefghijkl")


def token_on_behalf_of(incoming_access_token, scopes=("https://graph.microsoft.com/User.Read",)):
    app = msal.ConfidentialClientApplication(
        CLIENT_ID, client_credential=CLIENT_SECRET, authority=f"{MOCK_STS}/{TENANT_ID}", instance_discovery=False
    )
    return app.acquire_token_on_behalf_of(incoming_access_token, list(scopes))
