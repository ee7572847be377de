# MSAL Python with a certificate credential (private_key_jwt). The certificate must be registered on the app
# in the mock's configuration ([[tenants.apps.certificates]] path = "client-cert.pem").
import os

import msal

MOCK_STS = os.environ["MOCK_STS_URL"]
TENANT_ID = os.environ.get("MOCK_STS_TENANT", "7f3c1a2b-4d5e-4f60-8a9b-0c1d2e3f4a5b")
CLIENT_ID = os.environ.get("MOCK_STS_CLIENT_ID", "4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8")


def acquire_token_with_certificate(private_key_pem, certificate_pem):
    app = msal.ConfidentialClientApplication(
        CLIENT_ID,
        # With public_certificate and no thumbprint, MSAL names the key by its SHA-256 thumbprint (x5t#S256).
        client_credential={"private_key": private_key_pem, "public_certificate": certificate_pem},
        authority=f"{MOCK_STS}/{TENANT_ID}",
        # Turn instance discovery off. Given the mock's own endpoint instead
        # (f"{MOCK_STS}/common/discovery/instance"), MSAL Python (1.39) validates the authority there but
        # still asks login.microsoftonline.com for the authority's aliases on every cache lookup, which fails
        # offline (NameResolutionError) and reaches the real cloud from CI.
        instance_discovery=False,
    )
    return app.acquire_token_for_client(scopes=[f"api://{CLIENT_ID}/.default"])
