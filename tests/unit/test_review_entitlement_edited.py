"""Review: store.edited (the entitlement as a PATCH leaves it, for the capacity-change plan)
gives what d1d0c04 gave by reading the stored item merged with the PATCH's stored values."""
from __future__ import annotations

from decimal import Decimal

import pytest

from chalicelib.store.entitlements import edited, entitlement_of

PACK = {"kind": "PACK", "id": "pack_1", "client_id": "cli_1", "client_name": "Jamie Rivera", "measure": "sessions",
        "limit": Decimal(10), "used": Decimal(4), "remaining": Decimal(6), "state": "open", "name": "Ten",
        "expires_on": "2027-01-31", "validity": {"amount": Decimal(3), "unit": "months", "starts": "purchase"},
        "codes": {"mode": "only", "codes": ["90837", "90832"]}, "auto_renew": True,
        "renew_terms": {"name": "Ten", "limit": Decimal(10)}, "template_id": "tpl_1", "price": Decimal("150.00"),
        "purchased_on": "2026-11-01", "categories": [{"name": "Therapy", "percent": Decimal(100)}],
        "practitioner_id": "usr_1", "created_by": "usr_2", "version": Decimal(3), "created_at": "t",
        "updated_at": "t", "GSI1PK": "x", "GSI1SK": "y"}
AUTH = {"kind": "AUTH", "id": "auth_1", "client_id": "cli_1", "client_name": "Jamie Rivera", "measure": "units",
        "allowed": Decimal(12), "used": Decimal(2), "remaining": Decimal(10), "state": "open", "payer": "Acme",
        "number": "PA-1", "begin_on": "2026-01-01", "end_on": "2027-03-31",
        "codes": {"mode": "all_except", "codes": ["90853", "90785"]}, "practitioner_id": None, "version": Decimal(1),
        "created_at": "t", "updated_at": "t"}
INDEX = {"GSI1PK": None, "GSI1SK": None, "DUEPK": None, "DUESK": None}


@pytest.mark.parametrize(("item", "values"), [
    (PACK, {"state": "closed", **INDEX}),
    (PACK, {"expires_on": "2026-11-01", "GSI1PK": "p", "GSI1SK": "2026-11-01#c#p", "state": "open"}),
    (PACK, {"expires_on": None, "state": "open"}),
    (PACK, {"auto_renew": False}),
    (PACK, {"auto_renew": True, "renew_terms": {"name": "Other", "limit": Decimal(5)}}),
    (PACK, {"name": "Renamed", "charge_no_shows": True, "charge_late_cancels": True, "practitioner_id": None}),
    (AUTH, {"begin_on": "2026-02-01", "end_on": "2026-12-31", "state": "open", "GSI1SK": "2026-12-31#c#a"}),
    (AUTH, {"codes": {"mode": "only", "codes": ["97153", "90837"]}}),
    (AUTH, {"number": None, "payer": "Other", "practitioner_id": "usr_9"}),
    (AUTH, {"state": "closed", **INDEX}),
])
def test_edited_entitlement_is_the_stored_item_merged_with_the_patch(item, values):
    assert edited(entitlement_of(item), values) == entitlement_of({**item, **values})
