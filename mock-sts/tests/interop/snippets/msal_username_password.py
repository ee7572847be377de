# MSAL Python's resource owner password grant against mock-sts, for a user with a `password` in the mock's
# configuration.
import os
from urllib.parse import urlsplit

import msal

MOCK_STS = os.environ["MOCK_STS_URL"]
TENANT_ID = os.environ.get("MOCK_STS_TENANT", "7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b")
PUBLIC_CLIENT_ID = os.environ.get("MOCK_STS_PUBLIC_CLIENT_ID", "9b2c3d4e-6f70-4182-93a4-b5c6d7e8f901")


# MSAL Python first asks https://HOST/common/userrealm/USER whether the user is federated, on port 443 whatever
# the authority's port (1.39 drops it), where nothing listens for a local mock. Tell it this host has no user
# realm discovery (as it notes itself after a 404), so it goes straight to the token endpoint.
msal.authority.Authority._domains_without_user_realm_discovery.add(urlsplit(MOCK_STS).hostname)


def sign_in_with_password(user="alice@contoso.onmicrosoft.com", password="mock~Password.Alice_0123456789", scopes=("User.Read",)):
    app = msal.PublicClientApplication(PUBLIC_CLIENT_ID, authority=f"{MOCK_STS}/{TENANT_ID}", instance_discovery=False)
    # A wrong password gives {"error": "invalid_grant", "error_codes": [50126], ...}.
    return app.acquire_token_by_username_password(user, password, scopes=list(scopes))
