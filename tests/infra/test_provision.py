"""devtools.provision: onboarding a practice on a deployed stack (DynamoDB through moto, the
Cognito admin API through a small in-memory stand-in: moto's Cognito needs a JOSE library
the suite does not install)."""
from __future__ import annotations

import uuid
from typing import Any

import pytest

from devtools import provision
from devtools.package import load_tables

PRACTICE = "prc_onboarded"


class FakeCognito:
    """The five admin calls provisioning makes, with Cognito's answers and errors."""

    class exceptions:  # noqa: N801 - mirrors boto3's client.exceptions
        class UsernameExistsException(Exception):
            pass

    def __init__(self) -> None:
        self.users: dict[str, dict[str, str]] = {}
        self.groups: dict[str, set[str]] = {}

    # The fake takes boto3's own keyword names (N803), as the code under test passes them.
    def admin_create_user(self, *, UserPoolId: str, Username: str, UserAttributes: list[dict[str, str]],  # noqa: N803
                          DesiredDeliveryMediums: list[str]) -> dict[str, Any]:  # noqa: N803
        if Username in self.users:
            raise self.exceptions.UsernameExistsException(Username)
        self.users[Username] = {"sub": str(uuid.uuid4()), **{a["Name"]: a["Value"] for a in UserAttributes}}
        return {"User": {"Attributes": self._attributes(Username)}}

    def admin_get_user(self, *, UserPoolId: str, Username: str) -> dict[str, Any]:  # noqa: N803
        return {"UserAttributes": self._attributes(Username)}

    def admin_list_groups_for_user(self, *, UserPoolId: str, Username: str) -> dict[str, Any]:  # noqa: N803
        return {"Groups": [{"GroupName": g} for g in sorted(self.groups.get(Username, set()))]}

    def admin_add_user_to_group(self, *, UserPoolId: str, Username: str, GroupName: str) -> None:  # noqa: N803
        self.groups.setdefault(Username, set()).add(GroupName)

    def _attributes(self, username: str) -> list[dict[str, str]]:
        return [{"Name": k, "Value": v} for k, v in self.users[username].items()]


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch):
    """Deployed-looking tables (moto) named as the stack's outputs name them."""
    from moto import mock_aws

    from chalicelib.config import get_settings
    from chalicelib.store import dynamo
    from devtools.tables import create_tables
    from tests.conftest import reset_caches

    outputs = {f"{logical_id}Name": f"caseload-prod-{logical_id}-ABC123" for logical_id in load_tables()}
    outputs["UserPoolId"] = "us-east-1_pool"
    deployed = provision.stack_from_outputs(outputs, "us-east-1")
    # Provisioning sets these for chalicelib; setting them here first makes monkeypatch put
    # back (or remove) whatever the rest of the suite had once the test is over.
    for name in ("CASELOAD_REGION", *deployed.table_settings):
        monkeypatch.setenv(name, "")
    monkeypatch.delenv("CASELOAD_DYNAMODB_ENDPOINT", raising=False)
    with mock_aws():
        provision.use_stack(deployed)
        create_tables(dynamo.client(), get_settings())
        yield deployed
    reset_caches()


def _onboard(cognito: FakeCognito, stack: provision.Stack) -> dict[str, Any]:
    return provision.provision(cognito, stack, practice_id=PRACTICE, name="Harbour Street Therapy",
                               time_zone="America/New_York", currency="USD", admin_email="ada@harbour.example",
                               admin_first_name="Ada", admin_last_name="Lovelace")


def test_stack_outputs_name_every_table_setting() -> None:
    outputs = {"MainTableName": "t-main", "IdempotencyTableName": "t-idem", "UserPoolId": "pool"}
    stack = provision.stack_from_outputs(outputs, "eu-west-1")
    assert stack.table_settings == {"CASELOAD_TABLE_NAME": "t-main", "CASELOAD_IDEMPOTENCY_TABLE_NAME": "t-idem"}


def test_provision_creates_practice_codes_and_an_admin_whose_id_is_the_cognito_sub(stack) -> None:
    from chalicelib.auth import Principal, Role
    from chalicelib.services import codes, practice, users

    cognito = FakeCognito()
    result = _onboard(cognito, stack)

    sub = cognito.users["ada@harbour.example"]["sub"]
    assert cognito.users["ada@harbour.example"]["custom:practice_id"] == PRACTICE
    assert cognito.groups["ada@harbour.example"] == {"admin"}
    assert result["practice"] == "created" and result["billing_codes_added"] > 0
    assert result["admin"]["user_id"] == sub
    admin = Principal(user_id=sub, practice_id=PRACTICE, role=Role.ADMIN)
    assert practice.get_practice(principal=admin).name == "Harbour Street Therapy"
    me = users.get_user(principal=admin, user_id=sub)
    assert (me.email, me.role) == ("ada@harbour.example", Role.ADMIN)
    listed, _ = codes.list_billing_codes(principal=admin, limit=100, start_key=None)
    assert "90837" in {c.code for c in listed}


def test_provision_again_creates_nothing_twice(stack) -> None:
    cognito = FakeCognito()
    first = _onboard(cognito, stack)
    again = _onboard(cognito, stack)
    assert again == {"practice": "existed", "billing_codes_added": 0,
                     "admin": {**first["admin"], "cognito_user": "existed", "user_record": "existed"}}


def test_user_adds_staff_with_one_role(stack) -> None:
    cognito = FakeCognito()
    _onboard(cognito, stack)
    added = provision.add_user(cognito, stack, practice_id=PRACTICE, email="pat@harbour.example",
                               first_name="Pat", last_name="Smith", role="practitioner")
    assert added["user_id"] == cognito.users["pat@harbour.example"]["sub"]
    assert cognito.groups["pat@harbour.example"] == {"practitioner"}
    with pytest.raises(SystemExit, match="exactly one role"):
        provision.add_user(cognito, stack, practice_id=PRACTICE, email="pat@harbour.example",
                           first_name="Pat", last_name="Smith", role="billing")


def test_user_of_another_practice_or_unknown_practice_is_refused(stack) -> None:
    cognito = FakeCognito()
    _onboard(cognito, stack)
    with pytest.raises(SystemExit, match="No practice"):
        provision.add_user(cognito, stack, practice_id="prc_missing", email="x@harbour.example",
                           first_name="X", last_name="Y", role="billing")
    provision.provision(cognito, stack, practice_id="prc_other", name="Other", time_zone="UTC", currency="USD",
                        admin_email="root@other.example", admin_first_name="R", admin_last_name="O")
    with pytest.raises(SystemExit, match="one Cognito user belongs to one practice"):
        provision.add_user(cognito, stack, practice_id="prc_other", email="ada@harbour.example",
                           first_name="Ada", last_name="Lovelace", role="admin")
