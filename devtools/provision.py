"""Onboard a practice on a deployed stack, and add staff users to it (docs/DEPLOY.md).

    python -m devtools.provision --stack caseload-prod practice \\
        --name "Harbour Street Therapy" --time-zone America/New_York --currency USD \\
        --admin-email ada@harbour.example --admin-first-name Ada --admin-last-name Lovelace
    python -m devtools.provision --stack caseload-prod user --practice-id prc_... \\
        --email pat@harbour.example --first-name Pat --last-name Smith --role practitioner

`practice` creates the practice record (with the psychotherapy billing codes every new
practice starts with) and its first admin; `user` adds one staff user to an existing practice.
A user is two things that must agree: a Cognito user (email, immutable custom:practice_id,
one role group; Cognito emails the temporary password) and the practice's user record, whose
id is the Cognito `sub` (the id every token carries). Both commands can be run again: what
exists is kept, and a Cognito user of another practice is refused.

Runs with the operator's AWS credentials (CloudFormation DescribeStacks, the Cognito admin
actions, DynamoDB on the stack's main table). Table names and the pool come from the stack's
outputs, never typed by hand.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from typing import Any

from devtools.package import load_tables

ROLES = ("admin", "practitioner", "front_desk", "billing")


@dataclass(frozen=True)
class Stack:
    """What provisioning needs from the stack's outputs."""

    region: str
    user_pool_id: str
    table_settings: dict[str, str]  # CASELOAD_<SETTING> -> table name


def stack_from_outputs(outputs: dict[str, str], region: str) -> Stack:
    """Map CloudFormation outputs (OutputKey -> OutputValue) to the settings the app reads."""
    tables = {"CASELOAD_" + spec["setting"].upper(): outputs[f"{logical_id}Name"]
              for logical_id, spec in load_tables().items()}
    return Stack(region=region, user_pool_id=outputs["UserPoolId"], table_settings=tables)


def read_stack(name: str, region: str) -> Stack:
    import boto3

    described = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=name)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described["Stacks"][0].get("Outputs", [])}
    return stack_from_outputs(outputs, region)


def use_stack(stack: Stack) -> None:
    """Point chalicelib's settings at the deployed tables (the same variables Lambda has)."""
    from chalicelib.config import reset_settings
    from chalicelib.store.dynamo import reset_clients

    os.environ.pop("CASELOAD_DYNAMODB_ENDPOINT", None)
    os.environ["CASELOAD_REGION"] = stack.region
    os.environ.update(stack.table_settings)
    reset_settings()
    reset_clients()


def cognito_user(cognito: Any, stack: Stack, *, email: str, practice_id: str, role: str) -> tuple[str, bool]:
    """The Cognito user for `email` in `practice_id` with `role` as its one group: (sub, created)."""
    created = True
    try:
        response = cognito.admin_create_user(
            UserPoolId=stack.user_pool_id, Username=email, DesiredDeliveryMediums=["EMAIL"],
            UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"},
                            {"Name": "custom:practice_id", "Value": practice_id}])
        attributes = response["User"]["Attributes"]
    except cognito.exceptions.UsernameExistsException:
        created = False
        attributes = cognito.admin_get_user(UserPoolId=stack.user_pool_id, Username=email)["UserAttributes"]
    values = {a["Name"]: a["Value"] for a in attributes}
    if values.get("custom:practice_id") != practice_id:
        raise SystemExit(f"{email} already signs in to practice {values.get('custom:practice_id')!r}, "
                         f"not {practice_id!r}: one Cognito user belongs to one practice")
    groups = {g["GroupName"] for g in cognito.admin_list_groups_for_user(
        UserPoolId=stack.user_pool_id, Username=email)["Groups"]}
    other_roles = (groups & set(ROLES)) - {role}
    if other_roles:
        raise SystemExit(f"{email} already has role {sorted(other_roles)}; a user has exactly one role "
                         "(remove the other group first)")
    cognito.admin_add_user_to_group(UserPoolId=stack.user_pool_id, Username=email, GroupName=role)
    return values["sub"], created


def add_user(cognito: Any, stack: Stack, *, practice_id: str, email: str, first_name: str, last_name: str,
             role: str) -> dict[str, Any]:
    """A staff user: the Cognito user and the practice's user record with the same id."""
    from chalicelib.auth import Principal, Role
    from chalicelib.errors import AlreadyExists, NotFound
    from chalicelib.models.users import UserCreate
    from chalicelib.services import practice, users

    use_stack(stack)
    try:
        found = practice.load_practice(practice_id)
    except NotFound as err:
        raise SystemExit(f"No practice {practice_id!r} in {stack.table_settings}: run `practice` first") from err
    if found.status != "active":
        raise SystemExit(f"Practice {practice_id!r} is {found.status}: no users are added to it")
    sub, created = cognito_user(cognito, stack, email=email, practice_id=practice_id, role=role)
    data = UserCreate(email=email, first_name=first_name, last_name=last_name, role=Role(role))
    try:
        # Written as the user themself: create_user takes the practice from the principal.
        users.create_user(principal=Principal(user_id=sub, practice_id=practice_id, role=Role(role)),
                          data=data, user_id=sub)
        record = "created"
    except AlreadyExists:
        record = "existed"
    return {"practice_id": practice_id, "user_id": sub, "email": email, "role": role,
            "cognito_user": "created (temporary password emailed)" if created else "existed",
            "user_record": record}


def provision(cognito: Any, stack: Stack, *, practice_id: str, name: str, time_zone: str, currency: str,
              admin_email: str, admin_first_name: str, admin_last_name: str) -> dict[str, Any]:
    """The practice record, its starting billing codes and its first admin."""
    from chalicelib.errors import AlreadyExists
    from chalicelib.services import codes, practice

    use_stack(stack)
    try:
        practice.provision_practice(practice_id=practice_id, name=name, time_zone=time_zone, currency=currency)
        record = "created"
    except AlreadyExists:
        record = "existed"
    added = codes.seed_billing_codes(practice_id)
    admin = add_user(cognito, stack, practice_id=practice_id, email=admin_email, first_name=admin_first_name,
                     last_name=admin_last_name, role="admin")
    return {"practice": record, "billing_codes_added": added, "admin": admin}


def main(argv: list[str] | None = None) -> int:
    from chalicelib.domain.ids import new_id

    parser = argparse.ArgumentParser(prog="python -m devtools.provision", description=__doc__.split("\n\n")[0])
    parser.add_argument("--stack", required=True, help="CloudFormation stack name")
    parser.add_argument("--region", default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"),
                        help="the stack's region (default: AWS_REGION / AWS_DEFAULT_REGION)")
    commands = parser.add_subparsers(dest="command", required=True)
    onboard = commands.add_parser("practice", help="create a practice and its first admin")
    onboard.add_argument("--practice-id", help="default: a new prc_ id (print it, keep it)")
    onboard.add_argument("--name", required=True)
    onboard.add_argument("--time-zone", required=True, help="IANA zone, e.g. America/New_York")
    onboard.add_argument("--currency", required=True, help="ISO 4217, e.g. USD")
    onboard.add_argument("--admin-email", required=True)
    onboard.add_argument("--admin-first-name", required=True)
    onboard.add_argument("--admin-last-name", required=True)
    staff = commands.add_parser("user", help="add a staff user to a practice")
    staff.add_argument("--practice-id", required=True)
    staff.add_argument("--email", required=True)
    staff.add_argument("--first-name", required=True)
    staff.add_argument("--last-name", required=True)
    staff.add_argument("--role", required=True, choices=ROLES)
    args = parser.parse_args(argv)
    if not args.region:
        parser.error("--region is required when AWS_REGION and AWS_DEFAULT_REGION are unset")

    import boto3

    stack = read_stack(args.stack, args.region)
    cognito = boto3.client("cognito-idp", region_name=args.region)
    if args.command == "practice":
        result = provision(cognito, stack, practice_id=args.practice_id or new_id("prc"), name=args.name,
                           time_zone=args.time_zone, currency=args.currency, admin_email=args.admin_email,
                           admin_first_name=args.admin_first_name, admin_last_name=args.admin_last_name)
    else:
        result = add_user(cognito, stack, practice_id=args.practice_id, email=args.email,
                          first_name=args.first_name, last_name=args.last_name, role=args.role)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
