"""Example tests: real clients (MSAL Python, PyJWT) against a fresh mock-sts per test, switching scenarios.

Run: MOCK_STS_BIN=path/to/mock-sts pytest examples/mock-sts/python
"""
import time

import jwt
import msal
import pytest

from mock_sts import MockStsError, start

CLIENT_ID = "4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8"  # the default configuration's confidential app
CLIENT_SECRET = "mock~Secret.ForTests_0123456789abcdefghijkl"
SCOPES = [f"api://{CLIENT_ID}/.default"]


@pytest.fixture(autouse=True)
def trust_the_mock(mock_sts, monkeypatch):
    # requests (MSAL) and urllib (PyJWT) read these; a CI image often points them at the system bundle,
    # which would win over anything passed in code.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", mock_sts.ca)
    monkeypatch.setenv("SSL_CERT_FILE", mock_sts.ca)


def msal_app(mock_sts):
    return msal.ConfidentialClientApplication(
        CLIENT_ID,
        client_credential=CLIENT_SECRET,
        authority=mock_sts.authority,
        instance_discovery=False,  # the mock is not a Microsoft cloud host
    )


def verify(mock_sts, access_token):
    keys = jwt.PyJWKClient(f"{mock_sts.authority}/discovery/v2.0/keys")
    key = keys.get_signing_key_from_jwt(access_token)
    return jwt.decode(
        access_token, key.key, algorithms=["RS256"], audience=CLIENT_ID, issuer=f"{mock_sts.authority}/v2.0"
    )


def test_a_token_verifies_until_its_key_is_unpublished(mock_sts):
    claims = verify(mock_sts, msal_app(mock_sts).acquire_token_for_client(SCOPES)["access_token"])
    assert claims["tid"] == mock_sts.tenant

    assert mock_sts.set_scenario("unpublished-signing-key")["previous"] == "healthy"
    # A new MSAL app, hence a new token cache: the token comes from the mock, signed as the scenario signs.
    result = msal_app(mock_sts).acquire_token_for_client(SCOPES)
    assert result["token_source"] == "identity_provider"
    with pytest.raises(jwt.PyJWKClientError, match="Unable to find a signing key"):
        verify(mock_sts, result["access_token"])


def test_the_msal_token_cache_hides_a_scenario_switch(mock_sts):
    app = msal_app(mock_sts)
    first = app.acquire_token_for_client(SCOPES)
    mock_sts.set_scenario("unpublished-signing-key")

    # The trap: the same app answers from its cache, with the token made before the switch, which still
    # verifies; the scenario never reaches the code under test.
    cached = app.acquire_token_for_client(SCOPES)
    assert cached["token_source"] == "cache"
    assert cached["access_token"] == first["access_token"]
    verify(mock_sts, cached["access_token"])

    # The way out: forget the app's tokens (or make a new app, or give it a new msal.TokenCache()).
    app.remove_tokens_for_client()
    fresh = app.acquire_token_for_client(SCOPES)
    assert fresh["token_source"] == "identity_provider"
    with pytest.raises(jwt.PyJWKClientError):
        verify(mock_sts, fresh["access_token"])


def test_each_test_starts_a_fresh_mock_in_healthy(mock_sts):
    # The tests above switched their servers; this one is new.
    assert mock_sts.control("GET", "/_mock/scenario")["scenario"] == "healthy"


def test_a_wrong_secret_is_aadsts7000215(mock_sts):
    app = msal.ConfidentialClientApplication(
        CLIENT_ID, client_credential="wrong", authority=mock_sts.authority, instance_discovery=False
    )
    result = app.acquire_token_for_client(SCOPES)
    assert result["error"] == "invalid_client" and result["error_codes"] == [7000215]


def test_a_taken_port_fails_fast_naming_it(mock_sts, mock_sts_state_dir):
    taken = int(mock_sts.url.rsplit(":", 1)[1])
    started = time.monotonic()
    with pytest.raises(MockStsError, match=f"port {taken} is taken"):
        start(port=taken, state_dir=mock_sts_state_dir)
    assert time.monotonic() - started < 10
