"""Events a charge raises are due on the day they are raised, whatever the session's date."""
from __future__ import annotations

from datetime import timedelta

from tests.api.entitlement_helpers import make_authorization, make_client, make_pack
from tests.api.test_sweep import (  # noqa: F401
    BUSINESS,
    PRACTITIONER,
    _business_email,
    _sweep,
    _today,
    outbox,
)


def _charge_on(api, client_id, ref, day):
    reply = api.post(f"/v1/clients/{client_id}/charges", {"session_ref": ref, "date": day.isoformat(),
                                                           "billing_code": "90837"})
    assert reply.status == 201, reply.body
    return reply.body


def test_sweep_reports_events_of_future_and_past_dated_charges_today(api, outbox):  # noqa: F811
    _business_email(api)
    today = _today(api)
    ahead = make_client(api, first="Jamie", last="Rivera", practitioner_id=PRACTITIONER)
    make_pack(api, ahead["id"], name="Ahead", measure="sessions", limit="1", price="1")
    _charge_on(api, ahead["id"], "future", today + timedelta(days=20))  # uses the pack up
    behind = make_client(api, first="Sam", last="Ng", practitioner_id=PRACTITIONER)
    make_authorization(api, behind["id"], allowed="1", number="PA-OLD", begin_on="2020-01-01",
                       end_on="2030-12-31")
    # The sweep already ran today: a bucket of a month ago would never be read again.
    assert _sweep().finished
    _charge_on(api, behind["id"], "past", today - timedelta(days=31))  # uses the authorization up

    report = _sweep()
    assert report.finished
    first, second = [m.body for m in outbox.to(BUSINESS)]
    assert "Pack used up: &#x27;Ahead&#x27; for Jamie R." in first
    assert "Authorization used up: &#x27;authorization PA-OLD (Acme Health)&#x27; for Sam N." in second
