"""Builders for the group tests: practitioners, groups with members, a booked group session."""
from __future__ import annotations

from typing import Any

from chalicelib.auth import issue_local_token
from tests.api.entitlement_helpers import make_client
from tests.conftest import PRACTICE_A, USERS, Api

PRACTITIONER = USERS[PRACTICE_A]["practitioner"]
LOCATION, ROOM = f"loc_{PRACTICE_A}_main", f"room_{PRACTICE_A}_1"


def as_user(user_id: str, role: str = "practitioner", practice: str = PRACTICE_A) -> dict[str, str]:
    """Headers that call as a given user (the Api fixture's users are one per role)."""
    return {"Authorization": f"Bearer {issue_local_token(practice_id=practice, user_id=user_id, role=role)}"}


def make_practitioner(api: Api, first: str = "Robin") -> str:
    reply = api.post("/v1/users", {"email": f"{first.lower()}@example.org", "first_name": first, "last_name": "Shaw",
                                   "role": "practitioner"})
    assert reply.status == 201, reply.body
    return reply.body["id"]


def make_group(api: Api, **fields: Any) -> dict:
    body = {"name": "Tuesday anxiety group", "initials": "TAG", "practitioner_id": PRACTITIONER, **fields}
    reply = api.post("/v1/groups", body)
    assert reply.status == 201, reply.body
    return reply.body


def add_members(api: Api, group_id: str, count: int, since: str = "2019-01-01T00:00:00Z") -> list[dict]:
    """`count` new clients who joined the group at `since` (so past sessions list them too)."""
    clients = []
    for i in range(count):
        client = make_client(api, first=f"Member{i:02d}", last="Group")
        reply = api.post(f"/v1/groups/{group_id}/members", {"client_id": client["id"], "since": since})
        assert reply.status == 201, reply.body
        clients.append(client)
    return clients


def book_session(api: Api, group_id: str, start: str = "2026-12-01T18:00:00", end: str = "2026-12-01T19:30:00",
                 **extra: Any) -> dict:
    reply = api.post(f"/v1/groups/{group_id}/appointments", {"location_id": LOCATION, "start": start, "end": end,
                                                             **extra}, role="front_desk")
    assert reply.status == 201, reply.body
    return reply.body["appointments"][0]


def mark(api: Api, appointment_id: str, body: dict, **kw: Any):
    return api.post(f"/v1/appointments/{appointment_id}/attendance", body, **kw)
