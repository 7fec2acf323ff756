"""A charge racing a limit cut on an auto-renew pack, on DynamoDB Local: whichever lands first
uses the pack up, the next pack opens exactly once (by the cut or by the charge), the 'used up'
alert is raised once, and nothing is overdrawn."""
from __future__ import annotations

from decimal import Decimal

from chalicelib.models.entitlements import PackCreate, PackTemplateCreate
from chalicelib.services import entitlements
from tests import stored
from tests.conftest import PRACTICE_A
from tests.integration.test_limit_alert_races import ADMIN, _events_of, race_cut_against_charge


def _packs(client_id: str) -> list[dict]:
    return [i for i in stored.entitlements(PRACTICE_A, client_id) if i["kind"] == "PACK"]


def test_charge_racing_a_cut_of_an_auto_renew_pack_renews_it_once(seeded):
    template = entitlements.create_template(principal=ADMIN, data=PackTemplateCreate(
        name="Six", measure="sessions", quantity=Decimal(6), price=Decimal(600)))
    packs = race_cut_against_charge(PackCreate(template_id=template.id, auto_renew=True))
    for client_id, pack_id in packs:
        pack = stored.entitlement(PRACTICE_A, client_id, "PACK", pack_id)
        assert (pack["limit"], pack["used"], pack["remaining"]) == (4, 4, 0)
        assert sum(e["amount"] for e in stored.ledger(PRACTICE_A, client_id, pack_id)) == 4
        assert _events_of(pack_id) == [f"pack_used_up#{pack_id}#4"]
        [renewed] = [p for p in _packs(client_id) if p["id"] != pack_id]
        assert pack["renewed_pack_id"] == renewed["id"]
        assert (renewed["limit"], renewed["used"], renewed["template_id"]) == (6, 0, template.id)
