"""Claims under concurrency, against DynamoDB Local (moto is not safe under threads): control
numbers are never shared, a claim goes into one export, a session onto one claim."""
from __future__ import annotations

from chalicelib.auth import Principal, Role
from chalicelib.errors import Conflict
from chalicelib.models.claims import ClaimCreate, ExportCreate
from chalicelib.models.clients import ClientCreate
from chalicelib.models.payers import PayerCreate
from chalicelib.models.practice import PracticeUpdate
from chalicelib.models.sessions import SessionCreate
from chalicelib.models.users import UserUpdate
from chalicelib.services import claims, clients, payers, practice, sessions, users
from chalicelib.store import claims as claim_store
from tests.api.claim_helpers import HOME, PRACTICE_FIELDS, PRACTITIONER
from tests.conftest import PRACTICE_A, USERS
from tests.integration.test_settings_races import _race

BILLING = Principal(user_id=USERS[PRACTICE_A]["billing"], practice_id=PRACTICE_A, role=Role.BILLING)
ADMIN = Principal(user_id=USERS[PRACTICE_A]["admin"], practice_id=PRACTICE_A, role=Role.ADMIN)


def _set_up() -> None:
    current = practice.load_practice(PRACTICE_A)
    practice.update_practice(principal=ADMIN, changes=PracticeUpdate.model_validate(PRACTICE_FIELDS),
                             expected_version=current.version)
    user = users.get_user(principal=ADMIN, user_id=PRACTITIONER)
    users.update_user(principal=ADMIN, user_id=PRACTITIONER, expected_version=user.version,
                      changes=UserUpdate(npi="1112223338", taxonomy="101YM0800X"))


def _client_with_sessions(payer_id: str, days: list[str], name: str):
    client = clients.create_client(principal=ADMIN, data=ClientCreate.model_validate({
        "first_name": name, "last_name": "Sample", "date_of_birth": "1988-04-12", "sex": "F", "address": HOME,
        "practitioner_id": PRACTITIONER,
        "primary_insurance": {"payer": "Plan", "payer_id": payer_id, "member_id": "XYZ123"}}))
    made = [sessions.create_session(principal=ADMIN, client_id=client.id, data=SessionCreate(
        date_of_service=day, billing_code="90834", primary_diagnosis="F41.1")).session for day in days]
    return client, made


def test_concurrent_control_numbers_are_distinct_and_gapless(seeded):
    numbers = _race(lambda _: claim_store.next_control_number(PRACTICE_A), 16)
    assert sorted(numbers) == list(range(1, 17))


def test_concurrent_exports_never_share_a_control_number_or_a_claim(seeded):
    _set_up()
    payer_ids, claim_ids = [], set()
    for p in range(3):
        payer = payers.create_payer(principal=ADMIN, data=PayerCreate(name=f"Plan {p}", payer_id=f"PLAN{p}",
                                                                        claim_filing_indicator="CI"))
        payer_ids.append(payer.id)
        client, made = _client_with_sessions(payer.id, ["2026-11-18", "2026-11-19"], f"C{p}")
        created, _ = claims.create_claims(principal=BILLING, data=ClaimCreate(
            client_id=client.id, session_ids=[s.id for s in made]))
        assert [c.status for c in created.claims] == ["ready", "ready"]
        claim_ids |= {c.id for c in created.claims}

    # Three exporters per payer at once: per payer one gets its claims, the others find none.
    outcomes = _race(lambda i: claims.export_claims(principal=BILLING,
                                                    data=ExportCreate(payer_id=payer_ids[i % 3])), 9)
    exports = [o for o in outcomes if not isinstance(o, Exception)]
    assert all(isinstance(o, Conflict) for o in outcomes if isinstance(o, Exception)), outcomes
    numbers = [e.interchange_control_number for e in exports]
    assert len(numbers) == len(set(numbers))
    exported = [cid for e in exports for cid in e.claim_ids]
    assert sorted(exported) == sorted(claim_ids)  # every claim exactly once
    for export in exports:
        assert f"*{export.interchange_control_number:09d}*" in export.x12.split("~")[0]
        assert claims.get_export(principal=BILLING, export_id=export.id).x12 == export.x12


def test_concurrent_claims_for_one_session_create_one(seeded):
    _set_up()
    payer = payers.create_payer(principal=ADMIN, data=PayerCreate(name="Plan", payer_id="PLAN",
                                                                    claim_filing_indicator="CI"))
    client, made = _client_with_sessions(payer.id, ["2026-11-18"], "Solo")
    body = ClaimCreate(client_id=client.id, session_ids=[made[0].id])
    outcomes = _race(lambda _: claims.create_claims(principal=BILLING, data=body)[0], 8)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    created = [c for o in outcomes for c in o.claims]
    assert len(created) == 1
    assert all(o.skipped[0].reason == f"already on claim {created[0].id}" for o in outcomes if not o.claims)
