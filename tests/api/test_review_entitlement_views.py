"""Review: packs and authorizations read typed (store.entitlement_of) show every field the API
showed when the views validated the stored item itself (d1d0c04's pack_view and
authorization_view), for packs and authorizations in every shape the API makes."""
from __future__ import annotations

from chalicelib.domain.entitlements import authorization_status, pack_status
from chalicelib.models.entitlements import Authorization, Pack
from chalicelib.services.entitlements import authorization_view, pack_view
from chalicelib.store import items
from chalicelib.store.entitlements import entitlement_of
from tests import stored
from tests.api.entitlement_helpers import charge, make_authorization, make_client, make_pack, make_template
from tests.conftest import PRACTICE_A

TODAY_SOON = 30


def _old_pack_view(item, today):
    """d1d0c04's pack_view: the stored item validated as it is."""
    status = "consolidated" if item["state"] == "consolidated" else pack_status(
        closed=item["state"] != "open", remaining=item["remaining"], expires_on=item.get("expires_on"),
        today=today, soon_days=TODAY_SOON)
    return Pack.model_validate({**items.public(item), "status": status})


def _old_authorization_view(item, today):
    status = authorization_status(closed=item["state"] != "open", remaining=item["remaining"],
                                  begin=item["begin_on"], end=item["end_on"], today=today)
    return Authorization.model_validate({**items.public(item), "status": status})


def _shapes(api) -> str:
    client = make_client(api)
    cid = client["id"]
    template = make_template(api, validity={"amount": 3, "unit": "months", "starts": "first_use"},
                             categories=[{"name": "Therapy", "percent": "33.33"},
                                         {"name": "Admin", "percent": "66.67"}],
                             codes={"mode": "only", "codes": ["90837", "90832", "90834"]})
    first_use = make_pack(api, cid, template_id=template["id"], auto_renew=True)
    charge(api, cid, "s-1")  # its first use sets expires_on
    make_pack(api, cid, template_id=template["id"])  # never used: no expiry yet
    make_pack(api, cid, name="Money", measure="money", limit="250.50", price="199.99",
              validity={"amount": 10, "unit": "days"}, codes={"mode": "all_except", "codes": ["90853", "90785"]})
    target = make_pack(api, cid, name="Target", measure="minutes", limit="600", price="0")
    source = make_pack(api, cid, name="Source", measure="minutes", limit="300", price="10")
    path = f"/v1/clients/{cid}/packs/{target['id']}"
    merged = api.post(f"{path}/consolidate", {"source_pack_id": source["id"]},
                      headers={"If-Match": api.get(path).etag})
    assert merged.status == 200, merged.body
    cleared = make_pack(api, cid, name="Cleared", measure="sessions", limit="3", price="1",
                        validity={"amount": 1, "unit": "months"})
    cpath = f"/v1/clients/{cid}/packs/{cleared['id']}"
    assert api.patch(cpath, {"expires_on": None, "closed": True}, if_match=api.get(cpath).etag).status == 200
    # The first-use pack used up renews (a cut to what is used).
    fpath = f"/v1/clients/{cid}/packs/{first_use['id']}"
    assert api.patch(fpath, {"limit": "1"}, if_match=api.get(fpath).etag).status == 200
    make_authorization(api, cid)
    make_authorization(api, cid, number=None, codes={"mode": "only", "codes": ["90837", "90832"]})
    return cid


def test_typed_views_show_what_the_stored_item_showed(api):
    from datetime import date

    cid = _shapes(api)
    today = date(2026, 11, 20)
    found = stored.entitlements(PRACTICE_A, cid)
    assert {i["kind"] for i in found} == {"PACK", "AUTH"} and len(found) >= 9
    assert any(i.get("renewed_pack_id") for i in found) and any(i.get("consolidated_into") for i in found)
    for item in found:
        if item["kind"] == "PACK":
            old = _old_pack_view(item, today).model_dump(mode="json")
            new = pack_view(entitlement_of(item), today=today, soon_days=TODAY_SOON).model_dump(mode="json")
        else:
            old = _old_authorization_view(item, today).model_dump(mode="json")
            new = authorization_view(entitlement_of(item), today=today).model_dump(mode="json")
        assert new == old, item["id"]
