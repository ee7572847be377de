# MSAL Python's authorization code flow (PKCE, state and nonce included) against mock-sts, with no browser:
# mock-sts signs in the user named by login_hint and redirects straight back.
import os
from urllib.parse import parse_qsl, urlsplit

import msal
import requests

MOCK_STS = os.environ["MOCK_STS_URL"]
TENANT_ID = os.environ.get("MOCK_STS_TENANT", "7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b")
CLIENT_ID = os.environ.get("MOCK_STS_CLIENT_ID", "4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8")
CLIENT_SECRET = os.environ.get("MOCK_STS_CLIENT_SECRET", "mock~Secret.ForTests_0123456789abcdefghijkl")
REDIRECT_URI = "http://localhost:8080/callback"  # registered on the default web app


def sign_in(user="bob@contoso.onmicrosoft.com"):
    app = msal.ConfidentialClientApplication(
        CLIENT_ID, client_credential=CLIENT_SECRET, authority=f"{MOCK_STS}/{TENANT_ID}", instance_discovery=False
    )
    flow = app.initiate_auth_code_flow([f"api://{CLIENT_ID}/access_as_user"], redirect_uri=REDIRECT_URI, login_hint=user)
    # What the browser would do: follow the authorize URL to the redirect, and hand its query to MSAL.
    redirect = requests.get(flow["auth_uri"], allow_redirects=False, timeout=10).headers["Location"]
    auth_response = dict(parse_qsl(urlsplit(redirect).query))
    # MSAL checks state, redeems the code with the PKCE verifier, and validates the ID token (iss, aud, nonce).
    return app.acquire_token_by_auth_code_flow(flow, auth_response)
