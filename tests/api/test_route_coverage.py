"""Auth, role and tenancy tests generated from the route table: every route added later is
covered without anyone remembering to write these."""
from __future__ import annotations

import time

import jwt
import pytest

from app import app  # noqa: F401 - registers every route
from chalicelib.http import OPERATIONS, Operation
from tests.api.claim_helpers import ready_claim
from tests.conftest import PRACTICE_A, PRACTICE_B, ROLES, USERS

# Valid bodies for POSTs on an existing resource: the 404 test must get past validation to
# show that another practice's ids are invisible. A new route of that kind must add one here.
SAMPLE_BODIES = {
    "create_pack": {"name": "P", "measure": "sessions", "limit": "5", "price": "10"},
    "create_authorization": {"payer": "X", "begin_on": "2026-01-01", "end_on": "2026-12-31", "allowed": "5"},
    "consolidate_pack": {"source_pack_id": "pack_other"},
    "charge_session": {"session_ref": "s-b", "date": "2026-11-20", "billing_code": "90837"},
    "reverse_session_charge": {},
    "change_appointment_status": {"status": "attended"},
    "create_session": {"date_of_service": "2026-11-20", "billing_code": "90837"},
    "cancel_following_appointments": {"reason": "test"},
    "create_invoice": {"pack_id": "pack_x"},
    "add_payment": {"amount": "1.00", "method": "cash"},
    "apply_pack_to_invoice": {"pack_id": "pack_x"},
    "remove_pack_from_invoice": {},
    "add_group_member": {"client_id": "cli_x"},
    "join_group": {"group_id": "grp_x"},
    "book_group_appointment": {"location_id": "loc_x", "start": "2026-12-01T10:00:00", "end": "2026-12-01T11:00:00"},
    "preview_group_appointment": {"location_id": "loc_x", "start": "2026-12-01T10:00:00",
                                  "end": "2026-12-01T11:00:00"},
    "mark_group_attendance": {"all_attended": True},
    "add_member_payment": {"amount": "1.00", "method": "cash"},
    "sign_note": {},
    "add_note_addendum": {"text": "later"},
    "check_claim": {},
    "record_claim_outcome": {"status": "paid"},
    "reset_user_mfa": {},
}

# Query strings for routes with required query parameters, for the same reason.
SAMPLE_QUERIES = {"list_group_appointments": "?from=2026-12-01&to=2026-12-31"}


def _path_for(op: Operation, ids: dict[str, str]) -> str:
    path = op.path
    for name in op.path_params:
        prefix = "/" + "/".join(op.path.split("/")[1:3])
        path = path.replace("{" + name + "}", ids.get(name) or ids[f"{prefix}:{name}"])
    return path


def _id(op: Operation) -> str:
    return f"{op.method} {op.path}"


@pytest.fixture
def a_only(api):
    """Ids of resources that exist in practice A and not in B."""
    assert api.post("/v1/billing-codes", {"code": "AONLY1", "description": "A only", "default_minutes": 50,
                                          "default_charge": "10.00"}).status == 201
    assert api.post("/v1/diagnosis-codes", {"code": "F41.1"}).status == 201
    client = api.post("/v1/clients", {"first_name": "Only", "last_name": "InA"}).body
    template = api.post("/v1/pack-templates", {"name": "T", "measure": "sessions", "quantity": "5",
                                               "price": "10"}).body
    pack = api.post(f"/v1/clients/{client['id']}/packs", {"template_id": template["id"]}).body
    auth = api.post(f"/v1/clients/{client['id']}/authorizations", {
        "payer": "P", "begin_on": "2026-01-01", "end_on": "2027-12-31", "allowed": "5"}).body
    assert api.post(f"/v1/clients/{client['id']}/charges", {"session_ref": "s-a", "date": "2026-11-20",
                                                             "billing_code": "90837"}).status == 201
    session = api.post(f"/v1/clients/{client['id']}/sessions", {"date_of_service": "2026-11-20",
                                                                 "billing_code": "90837"}).body["session"]
    invoice = api.post(f"/v1/clients/{client['id']}/invoices", {"session_id": session["id"]}).body
    group = api.post("/v1/groups", {"name": "G", "initials": "G",
                                    "practitioner_id": USERS[PRACTICE_A]["practitioner"]}).body
    assert api.post(f"/v1/groups/{group['id']}/members", {"client_id": client["id"]}).status == 201
    # A group session: every appointment route answers for it, the attendance routes too.
    appointment = api.post(f"/v1/groups/{group['id']}/appointments", {
        "location_id": f"loc_{PRACTICE_A}_main", "start": "2026-12-01T10:00:00", "end": "2026-12-01T10:50:00"}
    ).body["appointments"][0]
    note = api.post("/v1/notes", {"client_id": client["id"], "body": "<p>A only</p>"}, role="practitioner").body
    note_template = api.post("/v1/note-templates", {"name": "T", "fields": [{"key": "a", "label": "A",
                                                                            "type": "text"}]}).body
    payer = api.post("/v1/payers", {"name": "A only"}).body
    _, _, claim = ready_claim(api)
    export = api.post("/v1/claims/exports", {"payer_id": claim["payer_id"]}).body
    return {"payer_id": payer["id"], "claim_id": claim["id"], "export_id": export["id"], "group_id": group["id"],
            "note_id": note["id"], "note_template_id": note_template["id"], "appointment_id": appointment["id"],
            "session_id": session["id"], "invoice_id": invoice["id"], "location_id": f"loc_{PRACTICE_A}_main",
            "room_id": f"room_{PRACTICE_A}_1",
            "user_id": USERS[PRACTICE_A]["practitioner"], "/v1/billing-codes:code": "AONLY1",
            "/v1/diagnosis-codes:code": "F41.1", "client_id": client["id"], "template_id": template["id"],
            "pack_id": pack["id"], "authorization_id": auth["id"], "session_ref": "s-a"}


def _required_query(op: Operation) -> bool:
    return op.query is not None and any(f.is_required() for f in op.query.model_fields.values())


def _witnesses(op: Operation, ids: dict[str, str]) -> list[str]:
    """GET paths whose answers must not change when practice B calls `op` with A's ids."""
    readable = any(o.method == "GET" and o.path == op.path and not _required_query(o) for o in OPERATIONS)
    paths = [_path_for(op, ids)] if readable else []
    if "appointment_id" in op.path_params:
        paths.append(f"/v1/appointments/{ids['appointment_id']}")
    if "client_id" in op.path_params:
        client = f"/v1/clients/{ids['client_id']}"
        paths += [client, f"{client}/packs/{ids['pack_id']}", f"{client}/authorizations/{ids['authorization_id']}"]
    return paths


def test_route_table_is_not_empty():
    assert len(OPERATIONS) >= 25


FAKE_IDS = {"payer_id": "pay_x", "claim_id": "clm_x", "export_id": "exp_x", "group_id": "grp_x", "note_id": "note_x",
            "note_template_id": "ntpl_x", "appointment_id": "appt_x", "session_id": "ses_x", "invoice_id": "inv_x",
            "location_id": "loc_x", "room_id": "room_x", "user_id": "usr_x", "/v1/billing-codes:code": "X1",
            "/v1/diagnosis-codes:code": "F41.1", "client_id": "cli_x", "template_id": "tpl_x", "pack_id": "pack_x",
            "authorization_id": "auth_x", "session_ref": "s_x"}


@pytest.mark.parametrize("op", OPERATIONS, ids=_id)
def test_request_without_token_is_401(api, op):
    reply = api.call(op.method, _path_for(op, FAKE_IDS), {}, role=None)
    assert reply.status == 401
    assert reply.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("op", OPERATIONS, ids=_id)
def test_request_with_bad_tokens_is_401(api, op):
    from chalicelib.config import get_settings

    settings = get_settings()
    now = int(time.time())
    claims = {"sub": "usr_x", "practice_id": PRACTICE_A, "role": "admin", "iss": settings.local_jwt_issuer}
    expired = jwt.encode({**claims, "iat": now - 7200, "exp": now - 3600},
                         settings.local_jwt_secret.get_secret_value(), algorithm="HS256")
    forged = jwt.encode({**claims, "exp": now + 3600}, "a-different-secret-of-at-least-32-bytes", algorithm="HS256")
    unsigned = jwt.encode({**claims, "exp": now + 3600}, None, algorithm="none")
    for header in (f"Bearer {expired}", f"Bearer {forged}", f"Bearer {unsigned}", "Bearer garbage",
                   "Basic dXNlcjpwYXNz", "Bearer"):
        reply = api.call(op.method, _path_for(op, FAKE_IDS), {}, headers={"Authorization": header})
        assert reply.status == 401, header


@pytest.mark.parametrize("op", [op for op in OPERATIONS if len(op.roles) < len(ROLES)], ids=_id)
def test_request_with_a_role_not_allowed_is_403(api, a_only, op):
    for role in sorted(set(ROLES) - {r.value for r in op.roles}):
        reply = api.call(op.method, _path_for(op, a_only), {}, role=role, headers={"If-Match": '"1"'})
        assert reply.status == 403, role
        assert reply.body["title"] == "Forbidden"


@pytest.mark.parametrize("op", [op for op in OPERATIONS if op.path_params], ids=_id)
def test_request_for_another_practices_resource_is_404(api, a_only, op):
    role = "admin" if any(r.value == "admin" for r in op.roles) else sorted(r.value for r in op.roles)[0]
    witnesses = _witnesses(op, a_only)
    before = [api.get(path) for path in witnesses]
    assert all(reply.status == 200 for reply in before)
    body = SAMPLE_BODIES[op.operation_id] if op.method == "POST" else {}
    reply = api.call(op.method, _path_for(op, a_only) + SAMPLE_QUERIES.get(op.operation_id, ""), body, role=role,
                     practice=PRACTICE_B,
                     headers={"If-Match": before[0].etag if before and "etag" in before[0].headers else '"1"'})
    assert reply.status == 404, reply.body
    assert [api.get(path).body for path in witnesses] == [r.body for r in before]  # nothing of A's changed


def test_every_post_on_a_resource_has_a_sample_body():
    posts = {op.operation_id for op in OPERATIONS if op.method == "POST" and op.path_params}
    assert posts <= set(SAMPLE_BODIES)
    queried = {op.operation_id for op in OPERATIONS if op.path_params and _required_query(op)}
    assert queried <= set(SAMPLE_QUERIES)
