"""A staff member who lost their authenticator app gets back in: an admin of their practice resets
it (POST /v1/users/{user_id}/mfa-reset), or an operator does (devtools.reset_mfa). Deployed
stage against moto's Cognito, in a pool that requires TOTP MFA as the deployed one does."""
from __future__ import annotations

import json
import time

import jwt
import pytest
from botocore.exceptions import ClientError

from chalicelib.auth import Principal, Role
from chalicelib.models.users import UserCreate
from tests.conftest import PRACTICE_A, PRACTICE_B, USERS

PASSWORD = "Choose-a-long-one-42"
CLIENT_ID = "console-client"


@pytest.fixture
def pool(api, monkeypatch):
    """A pool shaped like the deployed one (email sign-in, TOTP required), the app in its
    cognito stage, and ID tokens signed as the pool would sign them."""
    import boto3
    from cryptography.hazmat.primitives.asymmetric import rsa
    from moto.cognitoidp.exceptions import ResourceNotFoundError
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.core.responses import EmptyResult

    from chalicelib import accounts, auth
    from chalicelib.config import reset_settings

    def admin_delete_software_token(self):
        # moto 5.2.5 lacks this action (added to Cognito in August 2026); as AWS documents it: the
        # registered TOTP and any TOTP preference go; a user with none is answered
        # ResourceNotFoundException.
        user = self.backend.admin_get_user(self._get_param("UserPoolId"), self._get_param("Username"))
        if not user.token_verified:
            raise ResourceNotFoundError("Software token not found")
        user.token_verified = user.software_token_mfa_enabled = False
        if user.preferred_mfa_setting == "SOFTWARE_TOKEN_MFA":
            user.preferred_mfa_setting = ""
        return EmptyResult()

    monkeypatch.setattr(CognitoIdpResponse, "admin_delete_software_token", admin_delete_software_token,
                        raising=False)
    cognito = boto3.client("cognito-idp", region_name="us-east-1")
    pool_id = cognito.create_user_pool(
        PoolName="staff", UsernameAttributes=["email"], MfaConfiguration="ON",
        Schema=[{"Name": "practice_id", "AttributeDataType": "String", "Mutable": False}])["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON",
                                     SoftwareTokenMfaConfiguration={"Enabled": True})
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="console")["UserPoolClient"]["ClientId"]
    for group in accounts.ROLE_GROUPS:
        cognito.create_group(UserPoolId=pool_id, GroupName=group)
    monkeypatch.setenv("CASELOAD_AUTH_MODE", "cognito")
    monkeypatch.setenv("CASELOAD_COGNITO_USER_POOL_ID", pool_id)
    monkeypatch.setenv("CASELOAD_COGNITO_CLIENT_ID", CLIENT_ID)
    reset_settings()
    accounts._client_cache.clear()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    monkeypatch.setattr(auth, "_jwks_client", lambda: type("Jwks", (), {
        "get_signing_key_from_jwt": lambda self, token: type("Key", (), {"key": key.public_key()})()})())

    def id_token(user_id: str, practice_id: str, role: str = "admin") -> str:
        claims = {"sub": user_id, "aud": CLIENT_ID, "token_use": "id", "custom:practice_id": practice_id,
                  "iss": f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}",
                  "cognito:groups": [role], "exp": int(time.time()) + 300}
        return jwt.encode(claims, key, algorithm="RS256")

    yield {"cognito": cognito, "pool_id": pool_id, "client_id": client_id, "id_token": id_token}
    accounts._client_cache.clear()


def _staff_with_authenticator(pool) -> tuple[str, str]:
    """A practitioner of practice A who enrolled an authenticator: (user id, refresh token)."""
    from chalicelib.services import users

    admin = Principal(user_id=USERS[PRACTICE_A]["admin"], practice_id=PRACTICE_A, role=Role.ADMIN)
    user_id = users.create_user(principal=admin, data=UserCreate(
        email="pat@harbour.example", first_name="Pat", last_name="Smith", role=Role.PRACTITIONER)).id
    cognito, pool_id = pool["cognito"], pool["pool_id"]
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=user_id, Password=PASSWORD, Permanent=True)
    # The sub is the pool's username (email is an alias): moto signs out by the name signed in with.
    signed_in = _sign_in(pool, user_id)["AuthenticationResult"]
    cognito.associate_software_token(AccessToken=signed_in["AccessToken"])
    cognito.verify_software_token(AccessToken=signed_in["AccessToken"], UserCode="123456")
    cognito.admin_set_user_mfa_preference(UserPoolId=pool_id, Username=user_id,
                                          SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    assert _sign_in(pool, user_id)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    return user_id, signed_in["RefreshToken"]


def _sign_in(pool, username: str) -> dict:
    return pool["cognito"].initiate_auth(ClientId=pool["client_id"], AuthFlow="USER_PASSWORD_AUTH",
                                         AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD})


def _totp_registered(pool, user_id: str) -> bool:
    user = pool["cognito"].admin_get_user(UserPoolId=pool["pool_id"], Username=user_id)
    return "SOFTWARE_TOKEN_MFA" in user.get("UserMFASettingList", [])


def _refreshes(pool, refresh_token: str) -> bool:
    try:
        pool["cognito"].initiate_auth(ClientId=pool["client_id"], AuthFlow="REFRESH_TOKEN_AUTH",
                                      AuthParameters={"REFRESH_TOKEN": refresh_token})
    except ClientError as err:
        assert err.response["Error"]["Code"] == "NotAuthorizedException"
        return False
    return True


def _reset(api, pool, user_id: str, *, as_user: str = USERS[PRACTICE_A]["admin"], practice: str = PRACTICE_A):
    token = pool["id_token"](as_user, practice)
    return api.post(f"/v1/users/{user_id}/mfa-reset", headers={"Authorization": f"Bearer {token}"})


def test_reset_mfa_removes_the_authenticator_and_revokes_refresh_tokens(api, pool):
    user_id, refresh_token = _staff_with_authenticator(pool)
    assert _refreshes(pool, refresh_token)
    reply = _reset(api, pool, user_id)
    assert reply.status == 204, reply.body
    assert not _totp_registered(pool, user_id)
    assert not _refreshes(pool, refresh_token)
    # No longer asked for the lost authenticator (Cognito, requiring MFA, asks for MFA_SETUP).
    assert _sign_in(pool, user_id).get("ChallengeName") != "SOFTWARE_TOKEN_MFA"


def test_reset_mfa_again_or_for_a_user_without_an_authenticator_is_204(api, pool):
    user_id, _ = _staff_with_authenticator(pool)
    assert _reset(api, pool, user_id).status == 204
    assert _reset(api, pool, user_id).status == 204


def test_reset_mfa_refused_by_the_directory_is_503_and_a_retry_completes_it(api, pool, monkeypatch):
    from chalicelib import accounts

    user_id, refresh_token = _staff_with_authenticator(pool)
    real = accounts._cognito()

    class Throttled:
        """The directory refusing the sign-out, as under throttling, after removing the token."""

        def __getattr__(self, name):
            if name == "admin_user_global_sign_out":
                def refuse(**_):
                    raise ClientError({"Error": {"Code": "TooManyRequestsException"}}, name)
                return refuse
            return getattr(real, name)

    monkeypatch.setattr(accounts, "_cognito", Throttled)
    reply = _reset(api, pool, user_id)
    assert reply.status == 503 and "retry" in reply.body["detail"]
    assert _refreshes(pool, refresh_token)
    monkeypatch.setattr(accounts, "_cognito", lambda: real)
    assert _reset(api, pool, user_id).status == 204  # the token is gone already: the retry signs out
    assert not _refreshes(pool, refresh_token) and not _totp_registered(pool, user_id)


def test_reset_mfa_for_another_practices_user_is_404_and_changes_nothing(api, pool):
    user_id, refresh_token = _staff_with_authenticator(pool)
    reply = _reset(api, pool, user_id, as_user=USERS[PRACTICE_B]["admin"], practice=PRACTICE_B)
    assert reply.status == 404
    assert _totp_registered(pool, user_id) and _refreshes(pool, refresh_token)


def test_reset_mfa_of_yourself_is_409(api, pool):
    admin = USERS[PRACTICE_A]["admin"]
    reply = _reset(api, pool, admin)
    assert reply.status == 409 and "another admin" in reply.body["detail"]


def test_reset_mfa_by_a_practitioner_is_403(api, pool):
    user_id, _ = _staff_with_authenticator(pool)
    token = pool["id_token"](USERS[PRACTICE_A]["practitioner"], PRACTICE_A, role="practitioner")
    reply = api.post(f"/v1/users/{user_id}/mfa-reset", headers={"Authorization": f"Bearer {token}"})
    assert reply.status == 403 and _totp_registered(pool, user_id)


def test_reset_mfa_with_local_sign_in_says_there_is_no_second_factor(api):
    reply = api.post(f"/v1/users/{USERS[PRACTICE_A]['practitioner']}/mfa-reset")
    assert reply.status == 409
    assert reply.headers["content-type"] == "application/problem+json"
    assert "local" in reply.body["detail"] and "no second factor" in reply.body["detail"]


# ---- the operator's command -------------------------------------------------------------------

def test_reset_mfa_command_removes_the_authenticator_and_prints_ids_only(api, pool, capsys):
    from devtools import reset_mfa

    user_id, refresh_token = _staff_with_authenticator(pool)
    assert reset_mfa.main(["--user-pool-id", pool["pool_id"], "--region", "us-east-1",
                           "--username", "pat@harbour.example", "--practice-id", PRACTICE_A]) == 0
    printed = capsys.readouterr().out
    assert "pat@harbour.example" not in printed and "Pat" not in printed and "Smith" not in printed
    result = json.loads(printed)
    assert (result["user_id"], result["practice_id"]) == (user_id, PRACTICE_A)
    assert result["authenticator"].startswith("removed") and result["password"] == "kept"
    assert not _totp_registered(pool, user_id) and not _refreshes(pool, refresh_token)
    # Again: nothing left to remove, and it says so.
    reset_mfa.main(["--user-pool-id", pool["pool_id"], "--region", "us-east-1", "--username", user_id])
    assert json.loads(capsys.readouterr().out)["authenticator"].startswith("none was registered")


def test_reset_mfa_command_with_reset_password_asks_for_a_new_password(api, pool, capsys):
    from devtools import reset_mfa

    user_id, _ = _staff_with_authenticator(pool)
    reset_mfa.main(["--user-pool-id", pool["pool_id"], "--region", "us-east-1", "--username", user_id,
                    "--reset-password"])
    assert json.loads(capsys.readouterr().out)["password"].startswith("reset")
    status = pool["cognito"].admin_get_user(UserPoolId=pool["pool_id"], Username=user_id)["UserStatus"]
    assert status == "RESET_REQUIRED"


def test_reset_mfa_command_for_a_user_of_another_practice_changes_nothing(api, pool):
    from devtools import reset_mfa

    user_id, refresh_token = _staff_with_authenticator(pool)
    with pytest.raises(SystemExit) as refused:
        reset_mfa.main(["--user-pool-id", pool["pool_id"], "--region", "us-east-1",
                        "--username", "pat@harbour.example", "--practice-id", PRACTICE_B])
    assert "nothing was changed" in str(refused.value) and "pat@" not in str(refused.value)
    assert _totp_registered(pool, user_id) and _refreshes(pool, refresh_token)


def test_reset_mfa_command_for_an_unknown_user_names_the_refusal_not_the_email(api, pool):
    from devtools import reset_mfa

    with pytest.raises(SystemExit) as refused:
        reset_mfa.main(["--user-pool-id", pool["pool_id"], "--region", "us-east-1",
                        "--username", "nobody@harbour.example"])
    assert "UserNotFoundException" in str(refused.value) and "nobody@" not in str(refused.value)
