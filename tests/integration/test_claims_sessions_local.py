"""Claims on DynamoDB Local: the practice's sessions indexes (by date, by id) as real DynamoDB
builds them from the table schema in infra/tables.json, and a correction racing itself."""
from __future__ import annotations

from chalicelib.errors import Conflict, PreconditionFailed
from chalicelib.models.claims import ClaimCreate, ClaimOutcome, ExportCreate
from chalicelib.models.payers import PayerCreate
from chalicelib.models.sessions import SessionUpdate
from chalicelib.services import claims, payers, sessions
from tests.integration.test_claim_exports import ADMIN, BILLING, _client_with_sessions, _race, _set_up


def _payer() -> str:
    return payers.create_payer(principal=ADMIN, data=PayerCreate(name="Plan", payer_id="PLAN",
                                                                   claim_filing_indicator="CI")).id


def test_create_claims_by_date_and_by_ids_without_client_on_dynamodb_local(seeded):
    _set_up()
    payer_id = _payer()
    first, first_sessions = _client_with_sessions(payer_id, ["2026-10-31", "2026-11-02"], "Ada")
    second, second_sessions = _client_with_sessions(payer_id, ["2026-11-03", "2026-11-04"], "Bo")
    moved = second_sessions[1]
    sessions.update_session(principal=ADMIN, client_id=second.id, session_id=moved.id, expected_version=moved.version,
                            changes=SessionUpdate(date_of_service="2026-12-01"))
    by_date, _ = claims.create_claims(principal=BILLING, data=ClaimCreate.model_validate(
        {"from": "2026-11-01", "to": "2026-11-30"}))
    assert sorted(s for c in by_date.claims for s in c.session_ids) == sorted(
        [first_sessions[1].id, second_sessions[0].id])
    by_id, _ = claims.create_claims(principal=BILLING, data=ClaimCreate(
        session_ids=[first_sessions[0].id, moved.id]))
    assert {(c.client_id, tuple(c.session_ids)) for c in by_id.claims} == {
        (first.id, (first_sessions[0].id,)), (second.id, (moved.id,))}


def test_concurrent_replacements_of_one_paid_claim_make_one(seeded):
    _set_up()
    payer_id = _payer()
    client, made = _client_with_sessions(payer_id, ["2026-11-18"], "Solo")
    created, _ = claims.create_claims(principal=BILLING, data=ClaimCreate(client_id=client.id,
                                                                         session_ids=[made[0].id]))
    claim = created.claims[0]
    claims.export_claims(principal=BILLING, data=ExportCreate(payer_id=payer_id))
    paid = claims.record_outcome(principal=BILLING, claim_id=claim.id, expected_version=claim.version + 1,
                                 data=ClaimOutcome(status="paid", payer_claim_number="ICN1"))
    outcomes = _race(lambda i: claims.record_outcome(
        principal=BILLING, claim_id=claim.id, expected_version=paid.version,
        data=ClaimOutcome(status="replaced" if i % 2 else "voided")), 6)
    won = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(won) == 1, outcomes
    assert all(isinstance(o, (PreconditionFailed, Conflict)) for o in outcomes if isinstance(o, Exception)), outcomes
    listed = claims.list_claims(principal=BILLING, query=claims.ClaimQuery(), start_key=None)[0]
    assert sorted(c.id for c in listed) == sorted([claim.id, won[0].replaced_by])  # no orphan correction
    again, _ = claims.create_claims(principal=BILLING, data=ClaimCreate(session_ids=[made[0].id]))
    assert again.skipped[0].reason == f"already on claim {won[0].replaced_by}"
