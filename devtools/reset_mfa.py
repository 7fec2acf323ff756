"""Reset a staff member's authenticator app on a deployed stack (docs/DEPLOY.md, "A staff member
lost their authenticator"): for when no admin of their practice can do it from the console
(POST /v1/users/{user_id}/mfa-reset), for example the practice's only admin lost theirs.

    python -m devtools.reset_mfa --stack caseload-prod --username pat@harbour.example
    python -m devtools.reset_mfa --user-pool-id eu-west-1_AbC123 --username <user id> \\
        --practice-id prc_... --reset-password

Removes the user's registered TOTP (AdminDeleteSoftwareToken): the pool requires MFA, so their
next sign-in asks them to enrol a new authenticator (MFA_SETUP). Turning the TOTP preference off
(AdminSetUserMFAPreference) would not do: the registered token would still be asked for. Then
revokes their refresh tokens (AdminUserGlobalSignOut); an ID token already issued lasts until it
expires (an hour). `--reset-password` also makes them choose a new password with a code Cognito
emails them (AdminResetUserPassword): use it when the lost device may have held the password,
so that whoever enrols the new authenticator must also read the staff member's email.

`--username` is the sign-in email or the user id (the account's sub). Prints ids only, never the
email or the name. Safe to run again. Runs with the operator's AWS credentials (the Cognito
admin actions above and AdminGetUser on the pool; DescribeStacks with --stack).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any


def _refused(operation: str, err: Exception) -> SystemExit:
    # The code only: Cognito's messages can quote the username, which may be an email.
    code = getattr(err, "response", {}).get("Error", {}).get("Code", type(err).__name__)
    return SystemExit(f"Cognito refused {operation} ({code}); nothing after it was done")


def reset(cognito: Any, *, user_pool_id: str, username: str, practice_id: str | None = None,
          reset_password: bool = False) -> dict[str, Any]:
    """Remove the user's authenticator and sign them out everywhere; what was done, by ids."""
    from botocore.exceptions import ClientError

    try:
        user = cognito.admin_get_user(UserPoolId=user_pool_id, Username=username)
    except ClientError as err:
        raise _refused("AdminGetUser (is --username right, and --user-pool-id or --stack?)", err) from err
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    sub, practice = attributes["sub"], attributes.get("custom:practice_id")
    if practice_id is not None and practice != practice_id:
        raise SystemExit(f"User {sub} signs in to practice {practice!r}, not {practice_id!r}: nothing was changed")
    try:
        cognito.admin_delete_software_token(UserPoolId=user_pool_id, Username=sub)
        authenticator = "removed: the next sign-in enrols a new one"
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise _refused("AdminDeleteSoftwareToken", err) from err
        authenticator = "none was registered: the next sign-in enrols one"
    try:
        cognito.admin_user_global_sign_out(UserPoolId=user_pool_id, Username=sub)
    except ClientError as err:
        raise _refused("AdminUserGlobalSignOut", err) from err
    password = "kept"
    if reset_password:
        try:
            cognito.admin_reset_user_password(UserPoolId=user_pool_id, Username=sub)
        except ClientError as err:
            raise _refused("AdminResetUserPassword", err) from err
        password = "reset: Cognito emailed a code to choose a new one at the next sign-in"
    return {"user_id": sub, "practice_id": practice, "authenticator": authenticator,
            "sessions": "refresh tokens revoked; an ID token already issued lasts until it expires (1 hour)",
            "password": password}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.reset_mfa", description=__doc__.split("\n\n")[0])
    pool = parser.add_mutually_exclusive_group(required=True)
    pool.add_argument("--stack", help="CloudFormation stack name (its UserPoolId output)")
    pool.add_argument("--user-pool-id", help="the staff user pool's id")
    parser.add_argument("--region", default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"),
                        help="the stack's region (default: AWS_REGION / AWS_DEFAULT_REGION)")
    parser.add_argument("--username", required=True, help="the staff member's sign-in email or user id")
    parser.add_argument("--practice-id", help="refuse unless the user belongs to this practice")
    parser.add_argument("--reset-password", action="store_true",
                        help="also make them choose a new password (a code is emailed to them)")
    args = parser.parse_args(argv)
    if not args.region:
        parser.error("--region is required when AWS_REGION and AWS_DEFAULT_REGION are unset")

    import boto3

    user_pool_id = args.user_pool_id
    if args.stack:
        described = boto3.client("cloudformation", region_name=args.region).describe_stacks(StackName=args.stack)
        outputs = {o["OutputKey"]: o["OutputValue"] for o in described["Stacks"][0].get("Outputs", [])}
        user_pool_id = outputs["UserPoolId"]
    result = reset(boto3.client("cognito-idp", region_name=args.region), user_pool_id=user_pool_id,
                   username=args.username, practice_id=args.practice_id, reset_password=args.reset_password)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
