"""The store's one retry discipline, proven reason by reason with the in-process fault
injector over moto (single-threaded: each fault is scripted for the next call)."""
from __future__ import annotations

import pytest

from chalicelib.errors import AlreadyExists, NotFound, PreconditionFailed, RetryLater
from chalicelib.store import items
from tests.api.entitlement_helpers import make_authorization, make_client
from tests.conftest import PRACTICE_A, USERS
from tests.faults import Fault, app_faults

PK = f"P#{PRACTICE_A}#RETRYTEST"


def _note(sk: str, **values):
    return {"PK": PK, "SK": sk, "kind": "TEST", "id": sk, **values}


def _put_two(sk: str, *, version: int | None = None) -> list[dict]:
    """A two-action transaction: the entity (created, or replacing `version`) and a marker."""
    item = items.new_item(_note(sk, text="hello")) if version is None else {
        **_note(sk, text="changed"), "version": version + 1, "updated_at": items.now()}
    return [items.put_action(item, expected_version=version), items.put_action(_note(f"{sk}#MARK"))]


def _write(sk: str, version: int | None = None) -> None:
    items.transact_entity(_put_two(sk, version=version), expected_version=version, resource="Note",
                          resource_id=sk)


@pytest.fixture
def faults(moto_backend, monkeypatch):
    # botocore waits up to 1 s, then 2 s, between throttled attempts: the budget leaves room.
    monkeypatch.setenv("CASELOAD_RETRY_BUDGET_SECONDS", "8")
    with app_faults("") as policy:
        yield policy


def _stored(sk: str):
    return items.get(PK, sk)


# Each case: what DynamoDB answers the first attempt(s) of a transaction, and the outcome.
CANCELLATIONS = [
    ("transaction_conflict_is_retried", [("cancel", ("None", "TransactionConflict"))], "written"),
    ("conflict_on_every_item_is_retried", [("cancel", ("TransactionConflict", "TransactionConflict"))] * 3, "written"),
    ("throttling_reason_is_retried", [("cancel", ("ThrottlingError", "None"))], "written"),
    ("provisioned_reason_is_retried", [("cancel", ("None", "ProvisionedThroughputExceeded"))], "written"),
    ("throttling_exception_is_retried_past_botocore", [("throttle", ())] * 3, "written"),
    ("provisioned_exception_is_retried", [("provisioned", ())], "written"),
    ("internal_error_is_retried_with_the_same_token", [("internal", ())] * 4, "written"),
    ("lost_answer_after_the_write_applies_once", [("timeout_after_write", ())] * 4, "written"),
    ("validation_error_is_a_bug_not_retried", [("cancel", ("ValidationError", "None"))], "invalid"),
    ("conflict_outlasting_the_budget_is_503", [("cancel", ("TransactionConflict", "None"))] * 200, "busy"),
]


@pytest.mark.parametrize("name, script, outcome", CANCELLATIONS, ids=[c[0] for c in CANCELLATIONS])
def test_transaction_cancellation_reason_is_handled_as_its_kind(faults, monkeypatch, name, script, outcome):
    if outcome == "busy":
        monkeypatch.setenv("CASELOAD_RETRY_BUDGET_SECONDS", "0.3")
    for kind, reasons in script:
        faults.script("TransactWriteItems", Fault(kind, reasons))
    if outcome == "written":
        _write(name)
        assert _stored(name)["version"] == 1 and _stored(f"{name}#MARK") is not None
    elif outcome == "invalid":
        with pytest.raises(items.WriteInvalid):
            _write(name)
        assert faults.counts["requests"] == 1  # never resent
        assert _stored(name) is None
    else:
        with pytest.raises(RetryLater) as raised:
            _write(name)
        assert raised.value.status == 503 and raised.value.headers == {"Retry-After": "1"}
        assert _stored(name) is None


def test_condition_refused_with_old_item_is_412_not_retried(faults):
    _write("stale")
    faults.counts.clear()
    with pytest.raises(PreconditionFailed):
        _write("stale", version=7)
    assert faults.counts["requests"] == 1


def test_condition_refused_without_old_item_is_404(faults):
    with pytest.raises(NotFound):
        _write("missing", version=1)


def test_create_refused_by_an_existing_item_is_409_already_exists(faults):
    _write("twice")
    with pytest.raises(AlreadyExists):
        _write("twice")


def test_conflict_then_real_refusal_reports_the_refusal_not_404(faults):
    _write("mixed")
    faults.script("TransactWriteItems", Fault("cancel", ("TransactionConflict", "None")))
    with pytest.raises(PreconditionFailed):
        _write("mixed", version=3)


# Single-item writes: a lost answer after the write landed is success, once.

def test_create_whose_answer_was_lost_succeeds_once(faults):
    faults.script("PutItem", Fault("timeout_after_write"))
    created = items.create(_note("c1", text="x"), resource="Note", resource_id="c1")
    assert _stored("c1") == created and faults.counts["timeout_after_write"] == 1


def test_update_whose_answer_was_lost_succeeds_not_412(faults):
    items.create(_note("u1", text="x"), resource="Note", resource_id="u1")
    faults.script("UpdateItem", Fault("timeout_after_write"))
    updated = items.update(PK, "u1", {"text": "y"}, expected_version=1, resource="Note", resource_id="u1")
    assert updated["version"] == 2 and updated["text"] == "y" and _stored("u1")["version"] == 2


def test_delete_whose_answer_was_lost_succeeds_not_404(faults):
    items.create(_note("d1"), resource="Note", resource_id="d1")
    faults.script("DeleteItem", Fault("timeout_after_write"))
    items.delete(PK, "d1", expected_version=1, resource="Note", resource_id="d1")
    assert _stored("d1") is None


def test_single_write_on_an_item_in_a_transaction_is_retried_not_409(faults):
    items.create(_note("t1", text="x"), resource="Note", resource_id="t1")
    faults.script("UpdateItem", Fault("item_conflict"))
    faults.script("UpdateItem", Fault("item_conflict"))
    assert items.update(PK, "t1", {"text": "y"}, expected_version=1, resource="Note",
                        resource_id="t1")["version"] == 2


def test_single_write_throttled_past_the_budget_is_503(faults, monkeypatch):
    monkeypatch.setenv("CASELOAD_RETRY_BUDGET_SECONDS", "0.3")
    for _ in range(300):
        faults.script("PutItem", Fault("throttle"))
    with pytest.raises(RetryLater):
        items.create(_note("busy"), resource="Note", resource_id="busy")


def test_stale_single_update_is_still_412(faults):
    items.create(_note("s1", text="x"), resource="Note", resource_id="s1")
    items.update(PK, "s1", {"text": "y"}, expected_version=1, resource="Note", resource_id="s1")
    with pytest.raises(PreconditionFailed):
        items.update(PK, "s1", {"text": "z"}, expected_version=1, resource="Note", resource_id="s1")


# Through the API: a conflict on the attend transaction is absorbed, never a 404 or 412.

def test_attend_cancelled_for_transaction_conflict_answers_200_not_404(api, monkeypatch):
    monkeypatch.setenv("CASELOAD_RETRY_BUDGET_SECONDS", "2")
    client = make_client(api)
    make_authorization(api, client["id"])
    booked = api.post("/v1/appointments", {
        "client_id": client["id"], "practitioner_id": USERS[PRACTICE_A]["practitioner"],
        "location_id": f"loc_{PRACTICE_A}_main", "start": "2026-12-01T10:00:00", "end": "2026-12-01T10:50:00",
        "billing_code": "90837"}, role="front_desk").body["appointments"][0]
    etag = api.get(f"/v1/appointments/{booked['id']}").etag
    with app_faults("") as policy:
        # The attend transaction: balance, usage, ledger, appointment, session, client history.
        policy.script("TransactWriteItems", Fault("cancel", ("None",) * 3 + ("TransactionConflict",) + ("None",) * 2))
        policy.script("TransactWriteItems", Fault("cancel", ("TransactionConflict",) + ("None",) * 5))
        reply = api.post(f"/v1/appointments/{booked['id']}/status", {"status": "attended"},
                         headers={"If-Match": etag})
    assert reply.status == 200, reply.body
    assert reply.body["appointment"]["status"] == "attended"
    assert reply.body["charge"]["authorization"]["used"] == "1"
