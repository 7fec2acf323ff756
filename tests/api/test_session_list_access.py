"""A client's session list shows each caller exactly what reading each session alone shows them:
never a session the single read would refuse, and each as the single read answers it. Client
sessions are the client's service records, readable by every staff role (README: every staff
role reads clients); what is hidden from a practitioner outside a group is the group and its
appointment, not the member's record."""
from __future__ import annotations

from tests.api.entitlement_helpers import make_authorization, make_client
from tests.api.group_helpers import (
    LOCATION,
    PRACTITIONER,
    add_members,
    as_user,
    book_session,
    make_group,
    make_practitioner,
    mark,
)


def _callers(api, client_practitioner: str) -> dict[str, dict[str, str]]:
    """Every kind of caller: each role, the client's own practitioner (not on the group) and a
    practitioner with no tie to the client or the group."""
    callers = {role: {"Authorization": f"Bearer {api.token(role)}"}
               for role in ("admin", "front_desk", "billing", "practitioner")}
    callers["client's practitioner"] = as_user(client_practitioner)
    callers["outsider"] = as_user(make_practitioner(api, "Robin"))
    return callers


def test_list_sessions_shows_each_caller_what_each_single_read_shows(api):
    own_practitioner = make_practitioner(api, "Morgan")
    group = make_group(api)
    [member] = add_members(api, group["id"], 1)
    path = f"/v1/clients/{member['id']}"
    assert api.patch(path, {"practitioner_id": own_practitioner},
                     if_match=api.get(path).etag).status == 200
    make_authorization(api, member["id"])
    held = book_session(api, group["id"])
    assert mark(api, held["id"], {"all_attended": True}, role="practitioner").status == 200
    recorded = api.post(f"{path}/sessions", {"date_of_service": "2026-11-20", "billing_code": "90837"})
    assert recorded.status == 201, recorded.body
    callers = _callers(api, own_practitioner)
    outsider = callers["outsider"]
    assert api.get(f"/v1/appointments/{held['id']}", headers=outsider).status == 404  # the group's is hidden
    for name, headers in callers.items():
        listed = api.get(f"{path}/sessions", headers=headers)
        assert listed.status == 200, (name, listed.body)
        singles = {s: api.get(f"{path}/sessions/{s}", headers=headers)
                   for s in (held["id"], recorded.body["session"]["id"])}
        readable = {s: reply.body for s, reply in singles.items() if reply.status == 200}
        assert all(reply.status in (200, 404) for reply in singles.values()), name
        assert {s["id"]: s for s in listed.body["items"]} == readable, name


def test_list_sessions_of_another_clients_group_member_is_the_same_for_an_outsider(api):
    # A one-to-one client of the outsider and a group member they have no tie to: both lists
    # answer as the single reads do (both readable: sessions follow the client, not the group).
    group = make_group(api)
    [member] = add_members(api, group["id"], 1)
    held = book_session(api, group["id"])
    assert mark(api, held["id"], {"all_attended": True}, role="practitioner").status == 200
    outsider_id = make_practitioner(api, "Robin")
    outsider = as_user(outsider_id)
    own = make_client(api, first="Sam", practitioner_id=outsider_id)
    booked = api.post("/v1/appointments", {"client_id": own["id"], "practitioner_id": PRACTITIONER,
                                           "location_id": LOCATION, "start": "2026-12-02T09:00:00",
                                           "end": "2026-12-02T09:50:00", "billing_code": "90837"})
    assert booked.status == 201, booked.body
    appointment = booked.body["appointments"][0]
    attended = api.post(f"/v1/appointments/{appointment['id']}/status", {"status": "attended"},
                        headers={"If-Match": f'"{appointment["version"]}"'})
    assert attended.status == 200, attended.body
    for client_id in (member["id"], own["id"]):
        listed = api.get(f"/v1/clients/{client_id}/sessions", headers=outsider).body["items"]
        for item in listed:
            single = api.get(f"/v1/clients/{client_id}/sessions/{item['id']}", headers=outsider)
            assert single.status == 200 and single.body == item
        assert [s["id"] for s in listed] == [held["id"] if client_id == member["id"] else appointment["id"]]
