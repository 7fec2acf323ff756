"""Services under DynamoDB's real failures, in process (moto plus the fault hook of
tests/faults): a conflict or a moved balance is retried by the store's one loop, a companion
write refused for a reason of its own keeps its own answer, and an attend writes no item
that every attend of the client shares (the client's history is a once-only marker)."""
from __future__ import annotations

import pytest

from tests.api.entitlement_helpers import expression_faults, make_authorization, make_client
from tests.api.group_helpers import add_members, book_session, make_group, mark
from tests.conftest import PRACTICE_A, USERS
from tests.faults import Fault, app_faults

# The attend transaction of a client with one authorization (no event raised): the
# authorization's balance, its usage, its ledger entry, then the companion: the appointment,
# its session (and, for the client's first session, the history marker).
BALANCE, APPOINTMENT, SESSION = 0, 3, 4


@pytest.fixture
def faults(api, monkeypatch):
    monkeypatch.setenv("CASELOAD_RETRY_BUDGET_SECONDS", "8")
    with app_faults("") as policy:
        yield policy


@pytest.fixture
def transactions(monkeypatch):
    """Every TransactWriteItems the app sends (its actions), in order."""
    from chalicelib.store import items

    sent: list[list[dict]] = []
    real = items.transact

    def recording(actions, **kw):
        sent.append(actions)
        return real(actions, **kw)

    monkeypatch.setattr(items, "transact", recording)
    return sent


def _book(api, client_id, start="2026-12-01T10:00:00", end="2026-12-01T10:45:00"):
    reply = api.post("/v1/appointments", {
        "client_id": client_id, "practitioner_id": USERS[PRACTICE_A]["practitioner"],
        "location_id": f"loc_{PRACTICE_A}_main", "start": start, "end": end, "billing_code": "90834"})
    assert reply.status == 201, reply.body
    return reply.body["appointments"][0]


def _attend(api, appointment_id, version=1):
    return api.post(f"/v1/appointments/{appointment_id}/status", {"status": "attended"},
                    headers={"If-Match": f'"{version}"'})


def _cancel(*at: tuple[int, str], size: int = 6) -> Fault:
    reasons = ["None"] * size
    for index, code in at:
        reasons[index] = code
    return Fault("cancel", tuple(reasons))


def _writes_client(actions, client_id) -> bool:
    """Whether a transaction's actions touch the client item."""
    from chalicelib.store import items
    from chalicelib.store.repository import CLIENTS

    key = items.key_of(*CLIENTS.key(PRACTICE_A, client_id))
    for action in actions:
        body = next(iter(action.values()))
        found = body.get("Key") or {k: body["Item"][k] for k in ("PK", "SK")}
        if found == key:
            return True
    return False


def test_attend_retries_a_transaction_conflict_on_the_balance_and_succeeds(api, faults):
    client = make_client(api)
    auth = make_authorization(api, client["id"])
    booked = _book(api, client["id"])
    faults.script("TransactWriteItems", _cancel((BALANCE, "TransactionConflict")))
    faults.script("TransactWriteItems", _cancel((BALANCE, "TransactionConflict"), (APPOINTMENT, "TransactionConflict")))
    reply = _attend(api, booked["id"])
    assert reply.status == 200, reply.body
    assert reply.body["appointment"]["status"] == "attended"
    assert api.get(f"/v1/clients/{client['id']}/authorizations/{auth['id']}").body["used"] == "1"


def test_attend_with_a_companion_refusal_beside_a_moved_balance_is_retried(api, faults):
    # The balance moved (its condition failed) and so did the session write: a concurrent
    # change, not a fact about this attend; the charge re-reads and succeeds.
    client = make_client(api)
    auth = make_authorization(api, client["id"])
    booked = _book(api, client["id"])
    faults.script("TransactWriteItems", _cancel((BALANCE, "ConditionalCheckFailed"),
                                                (SESSION, "ConditionalCheckFailed")))
    reply = _attend(api, booked["id"])
    assert reply.status == 200, reply.body
    assert api.get(f"/v1/clients/{client['id']}/authorizations/{auth['id']}").body["used"] == "1"
    assert api.get(f"/v1/clients/{client['id']}/sessions/{booked['id']}").status == 200


def test_attend_with_a_stale_version_answers_412_even_under_conflicts(api, faults):
    client = make_client(api)
    auth = make_authorization(api, client["id"])
    booked = _book(api, client["id"])
    moved = api.patch(f"/v1/appointments/{booked['id']}", {"notes": "bring the intake form"},
                      headers={"If-Match": '"1"'})
    assert moved.status == 200, moved.body
    faults.script("TransactWriteItems", _cancel((BALANCE, "TransactionConflict")))
    reply = _attend(api, booked["id"], version=1)
    assert reply.status == 412, reply.body
    assert api.get(f"/v1/clients/{client['id']}/authorizations/{auth['id']}").body["used"] == "0"
    assert api.get(f"/v1/appointments/{booked['id']}").body["status"] == "booked"


def test_attend_of_a_missing_appointment_under_conflicts_answers_404(api, faults):
    client = make_client(api)
    make_authorization(api, client["id"])
    faults.script("TransactWriteItems", _cancel((BALANCE, "TransactionConflict")))
    assert _attend(api, "appt_missing").status == 404


def test_attend_writes_the_client_item_only_for_the_clients_first_session(api, transactions):
    client = make_client(api)
    make_authorization(api, client["id"])
    first, second = _book(api, client["id"]), _book(api, client["id"], "2026-12-02T10:00:00", "2026-12-02T10:45:00")
    assert _attend(api, first["id"]).status == 200
    # The authorization's creation marked the history already: no attend writes the client.
    assert _attend(api, second["id"]).status == 200
    attends = [t for t in transactions if any("Put" in a and a["Put"]["Item"]["SK"]["S"].startswith("SESSION#")
                                              for a in t)]
    assert len(attends) == 2 and not any(_writes_client(t, client["id"]) for t in attends)
    assert all(not expression_faults(next(iter(a.values()))) for t in transactions for a in t)


def test_first_session_marks_the_client_and_the_client_can_no_longer_be_deleted(api, transactions):
    client = make_client(api)
    created = api.post(f"/v1/clients/{client['id']}/sessions", {"date_of_service": "2026-11-20",
                                                                "billing_code": "90834"})
    assert created.status == 201, created.body
    assert _writes_client(transactions[-1], client["id"])
    again = api.post(f"/v1/clients/{client['id']}/sessions", {"date_of_service": "2026-11-21",
                                                              "billing_code": "90834"})
    assert again.status == 201 and not _writes_client(transactions[-1], client["id"])
    current = api.get(f"/v1/clients/{client['id']}")
    assert current.etag == f'"{client["version"]}"'  # the marker is not an edit of the client
    assert api.delete(f"/v1/clients/{client['id']}", if_match=current.etag).status == 409


def test_client_with_the_legacy_history_counter_cannot_be_deleted(api):
    from chalicelib.store import items
    from chalicelib.store.repository import CLIENTS

    client = make_client(api)
    items.set_attributes(*CLIENTS.key(PRACTICE_A, client["id"]), {"history_items": 2})
    current = api.get(f"/v1/clients/{client['id']}")
    assert api.delete(f"/v1/clients/{client['id']}", if_match=current.etag).status == 409
    assert api.get(f"/v1/clients/{client['id']}").status == 200


def test_session_for_a_missing_client_answers_404(api):
    reply = api.post("/v1/clients/cli_missing/sessions", {"date_of_service": "2026-11-20", "billing_code": "90834"})
    assert reply.status == 404, reply.body


def test_session_moved_to_client_billing_clears_the_appointments_authorization_number(api):
    client = make_client(api)
    make_authorization(api, client["id"], number="PA-1234")
    booked = _book(api, client["id"])
    assert _attend(api, booked["id"]).body["appointment"]["prior_authorization_number"] == "PA-1234"
    path = f"/v1/clients/{client['id']}/sessions/{booked['id']}"
    assert api.patch(path, {"bill_to": "client"}, if_match=api.get(path).etag).status == 200
    assert api.get(f"/v1/appointments/{booked['id']}").body["prior_authorization_number"] is None
    back = api.patch(path, {"bill_to": "automatic"}, if_match=api.get(path).etag)
    assert back.status == 200, back.body
    assert api.get(f"/v1/appointments/{booked['id']}").body["prior_authorization_number"] == "PA-1234"


def test_group_member_remarked_keeps_the_sessions_client_billing(api):
    group = make_group(api)
    member, = add_members(api, group["id"], 1)
    auth = make_authorization(api, member["id"])
    session = book_session(api, group["id"])
    assert mark(api, session["id"], {"members": [{"client_id": member["id"], "status": "attended"}]}).status == 200
    path = f"/v1/clients/{member['id']}/sessions/{session['id']}"
    assert api.patch(path, {"bill_to": "client"}, if_match=api.get(path).etag).status == 200
    auth_path = f"/v1/clients/{member['id']}/authorizations/{auth['id']}"
    assert api.get(auth_path).body["used"] == "0"
    again = mark(api, session["id"], {"members": [{"client_id": member["id"], "status": "attended", "minutes": 60}]})
    assert again.status == 200, again.body
    assert api.get(path).body["bill_to"] == "client"
    assert api.get(path).body["minutes"] == 60
    assert api.get(auth_path).body["used"] == "0"
