"""Staff sign-in accounts in the Cognito user pool, kept in step with the practice's user
records (deployed stage, auth_mode cognito). A user record's id is its account's `sub`, the
id every token carries; the account holds the practice (custom:practice_id, immutable) and
the role (one group). Locally there are no accounts: local tokens name the user directly.

The one adapter for Cognito: nothing else in chalicelib calls it."""
from __future__ import annotations

from typing import Any

from chalicelib.config import get_settings
from chalicelib.errors import AlreadyExists, ServiceUnavailable

ROLE_GROUPS = ("admin", "practitioner", "front_desk", "billing")
_client_cache: dict[str, Any] = {}


def enabled() -> bool:
    return get_settings().auth_mode == "cognito"


def _cognito() -> Any:
    region = get_settings().region
    if region not in _client_cache:
        import boto3  # the deployed stage only, and only when staff change

        _client_cache[region] = boto3.client("cognito-idp", region_name=region)
    return _client_cache[region]


def _call(operation: str, **params: Any) -> Any:
    from botocore.exceptions import ClientError

    try:
        return getattr(_cognito(), operation)(UserPoolId=get_settings().cognito_user_pool_id, **params)
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "")
        if code == "UsernameExistsException":
            raise AlreadyExists("Someone already signs in to Caseload with this email", field="body.email") from err
        if code == "UserNotFoundException" and operation == "admin_delete_user":
            return None  # already gone
        if code == "ResourceNotFoundException" and operation == "admin_delete_software_token":
            return None  # no authenticator registered (never enrolled, or removed by an earlier try)
        raise ServiceUnavailable(f"The sign-in directory refused the change ({code}); retry it") from err


def create_account(*, email: str, practice_id: str, role: str) -> str:
    """A new account (Cognito emails the temporary password) in its role's group; its sub."""
    user = _call("admin_create_user", Username=email, DesiredDeliveryMediums=["EMAIL"],
                 UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"},
                                 {"Name": "custom:practice_id", "Value": practice_id}])["User"]
    sub = next(a["Value"] for a in user["Attributes"] if a["Name"] == "sub")
    try:
        _call("admin_add_user_to_group", Username=sub, GroupName=role)
    except ServiceUnavailable:
        delete_account(sub)  # no account without a role
        raise
    return sub


def set_role(user_id: str, role: str) -> None:
    """Exactly one role group: the new one."""
    groups = _call("admin_list_groups_for_user", Username=user_id)["Groups"]
    _call("admin_add_user_to_group", Username=user_id, GroupName=role)
    for group in groups:
        if group["GroupName"] in ROLE_GROUPS and group["GroupName"] != role:
            _call("admin_remove_user_from_group", Username=user_id, GroupName=group["GroupName"])


def set_active(user_id: str, active: bool) -> None:
    """Enable or disable sign-in; disabling also revokes the user's refresh tokens."""
    _call("admin_enable_user" if active else "admin_disable_user", Username=user_id)
    if not active:
        _call("admin_user_global_sign_out", Username=user_id)


def reset_authenticator(user_id: str) -> bool:
    """Remove the user's authenticator app and revoke their refresh tokens; False when none
    was registered. MFA is required in the pool, so their next sign-in enrols a new one
    (MFA_SETUP). Turning the TOTP preference off would not do: the registered token would
    still be asked for."""
    removed = _call("admin_delete_software_token", Username=user_id) is not None
    _call("admin_user_global_sign_out", Username=user_id)
    return removed


def set_email(user_id: str, email: str) -> None:
    _call("admin_update_user_attributes", Username=user_id,
          UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}])


def delete_account(user_id: str) -> None:
    _call("admin_delete_user", Username=user_id)
