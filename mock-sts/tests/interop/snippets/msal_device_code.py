# MSAL Python's device code flow against mock-sts. The flow's verification_uri is the mock's dashboard, where a
# person clicks Approve; a test plays that person through the control API while MSAL polls.
import os
import threading

import msal
import requests

MOCK_STS = os.environ["MOCK_STS_URL"]
TENANT_ID = os.environ.get("MOCK_STS_TENANT", "7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b")
PUBLIC_CLIENT_ID = os.environ.get("MOCK_STS_PUBLIC_CLIENT_ID", "9b2c3d4e-6f70-4182-93a4-b5c6d7e8f901")


def approve(user_code, user):
    response = requests.post(f"{MOCK_STS}/_mock/device-codes/{user_code}/approve", json={"user": user}, timeout=10)
    response.raise_for_status()


def sign_in_with_device_code(user="bob@contoso.onmicrosoft.com", scopes=("User.Read",)):
    app = msal.PublicClientApplication(PUBLIC_CLIENT_ID, authority=f"{MOCK_STS}/{TENANT_ID}", instance_discovery=False)
    flow = app.initiate_device_flow(scopes=list(scopes))
    if "user_code" not in flow:
        raise RuntimeError(f"no device code: {flow}")
    print(flow["message"])  # "To sign in, use a web browser to open the page https://127.0.0.1:PORT/_mock/ ..."
    # The user approves a second later; until then MSAL's polls get authorization_pending (AADSTS70016).
    threading.Timer(1.0, approve, (flow["user_code"], user)).start()
    return app.acquire_token_by_device_flow(flow)
