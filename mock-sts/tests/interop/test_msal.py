"""Interop checks: real client libraries (MSAL Python, PyJWT) against a running mock-sts, driven the way
mock-sts/README.md says. Expects MOCK_STS_URL, REQUESTS_CA_BUNDLE and SSL_CERT_FILE; MOCK_STS_WORKDIR holds
the client certificate; KEYPROBE (optional) is a keyprobe binary to cross-check a diagnosis.

Prints one line per check and "python: N passed, N failed"; exits non-zero on any failure.
"""
import json
import os
import pathlib
import subprocess
import sys
import traceback

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "snippets"))

import jwt  # noqa: E402

from msal_auth_code import sign_in  # noqa: E402
from msal_certificate import acquire_token_with_certificate  # noqa: E402
from msal_client_credentials import CLIENT_ID as CLIENT_ID_OF_SNIPPETS  # noqa: E402
from msal_client_credentials import MOCK_STS, TENANT_ID, acquire_token  # noqa: E402
from msal_device_code import sign_in_with_device_code  # noqa: E402
from msal_on_behalf_of import token_on_behalf_of  # noqa: E402
from msal_username_password import sign_in_with_password  # noqa: E402
from pyjwt_verify import verify  # noqa: E402
from switch_scenario import switch_scenario  # noqa: E402

CHECKS = []


def check(function):
    CHECKS.append(function)
    return function


def token_or_fail(result):
    assert "access_token" in result, f"no token: {result}"
    return result["access_token"]


@check
def msal_gets_a_client_credentials_token():
    result = acquire_token()
    token = token_or_fail(result)
    assert result["token_type"] == "Bearer", result
    assert result["expires_in"] > 3000, result


@check
def pyjwt_verifies_it_through_the_published_jwks():
    claims = verify(token_or_fail(acquire_token()))
    assert claims["tid"] == TENANT_ID, claims
    assert claims["ver"] == "2.0", claims
    assert claims["azpacr"] == "1", claims


@check
def a_wrong_secret_is_aadsts7000215_in_msals_result():
    result = acquire_token("not-the-secret")
    assert result.get("error") == "invalid_client", result
    assert result.get("error_codes") == [7000215], result
    assert result["error_description"].startswith("AADSTS7000215: Invalid client secret is provided."), result


@check
def msal_with_a_certificate():
    workdir = pathlib.Path(os.environ["MOCK_STS_WORKDIR"])
    result = acquire_token_with_certificate(
        (workdir / "client-key.pem").read_text(), (workdir / "client-cert.pem").read_text()
    )
    claims = verify(token_or_fail(result))
    assert claims["azpacr"] == "2", claims


@check
def msal_validates_the_authority_through_the_mocks_instance_discovery():
    # MSAL asks the instance discovery endpoint it is given for the tenant's discovery document; the
    # mock's answer must point back at the mock (token acquisition itself needs instance_discovery=False,
    # see snippets/msal_certificate.py).
    import msal

    app = msal.ConfidentialClientApplication(
        CLIENT_ID_OF_SNIPPETS,
        client_credential="unused",
        authority=f"{MOCK_STS}/{TENANT_ID}",
        instance_discovery=f"{MOCK_STS}/common/discovery/instance",
    )
    assert app.authority.token_endpoint == f"{MOCK_STS}/{TENANT_ID}/oauth2/v2.0/token", app.authority.token_endpoint


@check
def msal_signs_a_user_in_with_the_authorization_code_flow():
    result = sign_in("bob@contoso.onmicrosoft.com")
    assert "access_token" in result, result
    claims = result["id_token_claims"]
    assert claims["preferred_username"] == "bob@contoso.onmicrosoft.com", claims
    assert claims["tid"] == TENANT_ID, claims
    assert "refresh_token" in result, "MSAL asks offline_access"
    access = verify(result["access_token"])
    assert access["scp"] == "access_as_user", access


@check
def unpublished_signing_key_makes_pyjwt_fail_to_find_the_key():
    switch_scenario("unpublished-signing-key")
    try:
        token = token_or_fail(acquire_token())
        try:
            verify(token)
        except jwt.exceptions.PyJWKClientError as error:
            assert "Unable to find a signing key that matches" in str(error), error
        else:
            raise AssertionError("PyJWT accepted a token signed with an unpublished key")
        if os.environ.get("KEYPROBE"):
            run = keyprobe(token)
            assert run.returncode == 1, f"keyprobe exit {run.returncode}: {run.stderr}"
            codes = [f["code"] for f in json.loads(run.stdout)["findings"]]
            assert "key-not-found" in codes, codes
    finally:
        switch_scenario("healthy")


def keyprobe(token, *extra):
    jwks_url = f"{MOCK_STS}/{TENANT_ID}/discovery/v2.0/keys"
    return subprocess.run(
        [os.environ["KEYPROBE"], "inspect", token, "--jwks", jwks_url, "--cacert", os.environ["SSL_CERT_FILE"], "--json", *extra],
        capture_output=True,
        text=True,
        timeout=60,
    )


if os.environ.get("KEYPROBE"):

    @check
    def keyprobe_finds_nothing_wrong_with_a_healthy_token():
        metadata = f"{MOCK_STS}/{TENANT_ID}/v2.0/.well-known/openid-configuration"
        run = keyprobe(token_or_fail(acquire_token()), "--metadata", metadata)
        assert run.returncode == 0, f"keyprobe exit {run.returncode}: {run.stdout} {run.stderr}"
        assert json.loads(run.stdout)["verdict"] == "ok", run.stdout


@check
def rotated_keys_still_verify():
    switch_scenario("rotated-keys")
    try:
        verify(token_or_fail(acquire_token()))
    finally:
        switch_scenario("healthy")


@check
def custom_signing_key_required_is_aadsts50146():
    switch_scenario("custom-signing-key-required")
    try:
        result = acquire_token()
        assert result.get("error") == "invalid_request", result
        assert result.get("error_codes") == [50146], result
    finally:
        switch_scenario("healthy")


def certificate_result():
    workdir = pathlib.Path(os.environ["MOCK_STS_WORKDIR"])
    return acquire_token_with_certificate(
        (workdir / "client-key.pem").read_text(), (workdir / "client-cert.pem").read_text()
    )


def assert_entra_error(result, code, text):
    assert result.get("error") == "invalid_client", result
    assert result.get("error_codes") == [code], result
    assert result["error_description"].startswith(f"AADSTS{code}: {text}"), result


@check
def an_expired_client_secret_is_aadsts7000222_in_msals_result():
    switch_scenario("expired-client-secret")
    try:
        assert_entra_error(
            acquire_token(),
            7000222,
            f"The provided client secret keys for app '{CLIENT_ID_OF_SNIPPETS}' are expired. Visit the Azure portal",
        )
    finally:
        switch_scenario("healthy")


API_SCOPE = f"api://{CLIENT_ID_OF_SNIPPETS}/access_as_user"
ALICE = "alice@contoso.onmicrosoft.com"
BOB = "bob@contoso.onmicrosoft.com"


@check
def msal_device_code_flow_polls_until_the_code_is_approved():
    result = sign_in_with_device_code(BOB, scopes=(API_SCOPE,))
    claims = verify(token_or_fail(result))
    assert claims["preferred_username"] == BOB, claims
    assert result["id_token_claims"]["preferred_username"] == BOB, result["id_token_claims"]
    import requests

    logged = [r.get("aadsts") for r in requests.get(f"{MOCK_STS}/_mock/requests", timeout=10).json()]
    assert "AADSTS70016" in logged, f"MSAL polled while the code was pending: {logged}"


@check
def msal_password_grant_signs_in_a_configured_user():
    result = sign_in_with_password(scopes=(API_SCOPE,))
    claims = verify(token_or_fail(result))
    assert claims["preferred_username"] == ALICE, claims
    assert claims["scp"] == "access_as_user", claims


@check
def msal_password_grant_with_a_wrong_password_is_aadsts50126():
    result = sign_in_with_password(password="not-the-password")
    assert result.get("error") == "invalid_grant", result
    assert result.get("error_codes") == [50126], result


@check
def msal_on_behalf_of_gets_a_graph_token_for_the_same_user():
    incoming = token_or_fail(sign_in_with_password(scopes=(API_SCOPE,)))
    result = token_on_behalf_of(incoming)
    claims = jwt.decode(token_or_fail(result), options={"verify_signature": False})
    assert claims["aud"] == "https://graph.microsoft.com", claims
    assert claims["appid"] == CLIENT_ID_OF_SNIPPETS, claims
    assert claims["upn"] == ALICE, claims


@check
def msal_on_behalf_of_with_a_token_for_another_app_is_aadsts500131():
    graph_token = token_or_fail(sign_in_with_password())
    result = token_on_behalf_of(graph_token)
    assert result.get("error") == "invalid_grant", result
    assert result.get("error_codes") == [500131], result


@check
def unpublished_signing_key_applies_to_password_grant_tokens():
    switch_scenario("unpublished-signing-key")
    try:
        token = token_or_fail(sign_in_with_password(scopes=(API_SCOPE,)))
        try:
            verify(token)
        except jwt.exceptions.PyJWKClientError as error:
            assert "Unable to find a signing key that matches" in str(error), error
        else:
            raise AssertionError("PyJWT accepted a token signed with an unpublished key")
    finally:
        switch_scenario("healthy")


@check
def a_certificate_never_uploaded_is_aadsts700027_in_msals_result():
    switch_scenario("client-cert-not-uploaded")
    try:
        assert_entra_error(
            certificate_result(),
            700027,
            "The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found.",
        )
    finally:
        switch_scenario("healthy")


@check
def an_expired_certificate_credential_is_aadsts700027_key_expired_in_msals_result():
    switch_scenario("expired-client-cert")
    try:
        assert_entra_error(
            certificate_result(),
            700027,
            "Client assertion contains an invalid signature. [Reason - The key used is expired.",
        )
    finally:
        switch_scenario("healthy")


@check
def msals_assertion_out_of_entras_time_window_is_aadsts700024():
    switch_scenario("expired-client-assertion")
    try:
        assert_entra_error(
            certificate_result(),
            700024,
            "Client assertion is not within its valid time range. Current time: ",
        )
        token_or_fail(acquire_token())  # a secret is not affected
    finally:
        switch_scenario("healthy")
    token_or_fail(certificate_result())


def main():
    passed = failed = 0
    for function in CHECKS:
        try:
            function()
        except Exception:  # noqa: BLE001 - every failure is reported, then counted
            failed += 1
            print(f"FAIL {function.__name__}")
            traceback.print_exc()
        else:
            passed += 1
            print(f"ok   {function.__name__}")
    print(f"python: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
