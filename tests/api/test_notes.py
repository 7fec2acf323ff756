"""/v1/notes and /v1/note-templates: progress and group notes, sanitising, access, signing, addenda."""
from __future__ import annotations

import pytest

from tests.api.entitlement_helpers import make_client
from tests.api.group_helpers import add_members, as_user, book_session, make_group, make_practitioner, mark

HOSTILE = ('<p onclick="steal()">Worked on <strong>breathing</strong><script>alert(1)</script>'
           '<img src=x onerror="steal()"><a href="javascript:steal()">link</a>'
           '<a href="https://example.org/handout" onmouseover="steal()">handout</a><iframe src="//evil"></iframe></p>')


def _template(api, **extra):
    reply = api.post("/v1/note-templates", {"name": "SOAP", "fields": [
        {"key": "subjective", "label": "Subjective", "type": "rich_text", "required": True},
        {"key": "risk", "label": "Risk level", "type": "choice", "options": ["low", "medium", "high"]},
        {"key": "phq9", "label": "PHQ-9", "type": "number"},
        {"key": "homework", "label": "Homework given", "type": "boolean"}], **extra})
    assert reply.status == 201, reply.body
    return reply.body


def _progress(api, client_id, **extra):
    reply = api.post("/v1/notes", {"client_id": client_id, "body": "<p>Session went well</p>", **extra},
                     role="practitioner")
    assert reply.status == 201, reply.body
    return reply.body


def _group_session(api, members=3):
    group = make_group(api)
    clients = add_members(api, group["id"], members)
    session = book_session(api, group["id"])
    return group, clients, session


def test_sanitiser_strips_script_and_event_handlers(api):
    client = make_client(api)
    note = _progress(api, client["id"], body=HOSTILE)
    body = note["body"]
    for banned in ("<script", "alert(", "onclick", "onerror", "onmouseover", "javascript:", "<iframe", "<img"):
        assert banned not in body, banned
    assert "<strong>breathing</strong>" in body and 'href="https://example.org/handout"' in body
    assert api.get(f"/v1/notes/{note['id']}", role="practitioner").body["body"] == body


def test_progress_note_with_a_template_from_save_and_add_note(api):
    client = make_client(api)
    template = _template(api)
    appointment = api.post("/v1/appointments", {
        "client_id": client["id"], "practitioner_id": "usr_prc_a_practitioner", "location_id": "loc_prc_a_main",
        "start": "2026-12-01T10:00:00", "end": "2026-12-01T10:50:00", "billing_code": "90837"}).body["appointments"][0]
    note = _progress(api, client["id"], appointment_id=appointment["id"], template_id=template["id"],
                     fields={"subjective": "<b>calmer</b><script>x()</script>", "risk": "low", "phq9": 7,
                             "homework": True})
    assert note["fields"] == {"subjective": "<b>calmer</b>", "risk": "low", "phq9": "7", "homework": True}
    assert note["practitioner_id"] == "usr_prc_a_practitioner" and note["type"] == "progress"
    bad = api.post("/v1/notes", {"client_id": client["id"], "template_id": template["id"],
                                 "fields": {"risk": "extreme", "phq9": "many", "mood": "ok"}}, role="practitioner")
    assert bad.status == 422
    assert {e["field"] for e in bad.body["errors"]} == {"body.fields.subjective", "body.fields.risk",
                                                        "body.fields.phq9", "body.fields.mood"}
    other = make_client(api, first="Other")
    wrong = api.post("/v1/notes", {"client_id": other["id"], "appointment_id": appointment["id"]}, role="practitioner")
    assert wrong.status == 422 and wrong.body["errors"][0]["field"] == "body.appointment_id"
    chart = api.get(f"/v1/notes?client_id={client['id']}", role="practitioner").body["items"]
    assert [n["id"] for n in chart] == [note["id"]]


def test_template_rules(api):
    bad = api.post("/v1/note-templates", {"name": "X", "fields": [
        {"key": "a", "label": "A", "type": "choice"}, {"key": "a", "label": "A2", "type": "text", "options": ["x"]}]})
    assert bad.status == 422
    assert api.post("/v1/note-templates", {"name": "X", "fields": []}).status == 422
    template = _template(api)
    assert api.post("/v1/note-templates", {"name": "Y", "fields": [{"key": "a", "label": "A", "type": "text"}]},
                    role="practitioner").status == 403
    off = api.patch(f"/v1/note-templates/{template['id']}", {"active": False}, if_match='"1"')
    assert off.status == 200 and not off.body["active"]
    client = make_client(api)
    reply = api.post("/v1/notes", {"client_id": client["id"], "template_id": template["id"], "fields": {}},
                     role="practitioner")
    assert reply.status == 422 and reply.body["errors"][0]["field"] == "body.template_id"


def test_group_note_goes_into_every_attending_members_chart(api):
    group, (a, b, c), session = _group_session(api)
    assert api.post("/v1/notes", {"type": "group", "appointment_id": session["id"], "body": "x"},
                    role="practitioner").status == 409  # nobody marked attended yet
    mark(api, session["id"], {"all_attended": True, "members": [{"client_id": c["id"], "status": "no_show"}]})
    reply = api.post("/v1/notes", {"type": "group", "appointment_id": session["id"], "body": HOSTILE,
                                   "member_parts": {a["id"]: "<p>A led the check-in</p><script>x</script>"}},
                     role="practitioner")
    assert reply.status == 201, reply.body
    note = reply.body
    assert note["type"] == "group" and set(note["member_note_ids"]) == {a["id"], b["id"]}
    assert "<script" not in note["body"] and note["member_parts"] == {a["id"]: "<p>A led the check-in</p>"}
    chart_a = api.get(f"/v1/notes?client_id={a['id']}", role="practitioner").body["items"]
    chart_b = api.get(f"/v1/notes?client_id={b['id']}", role="practitioner").body["items"]
    assert api.get(f"/v1/notes?client_id={c['id']}", role="practitioner").body["items"] == []
    assert [(n["type"], n["body"], n["member_part"]) for n in chart_a] == [
        ("group_member", note["body"], "<p>A led the check-in</p>")]
    assert [(n["body"], n["member_part"]) for n in chart_b] == [(note["body"], None)]
    assert chart_a[0]["group_note_id"] == note["id"]
    assert [n["id"] for n in api.get(f"/v1/notes?group_id={group['id']}").body["items"]] == [note["id"]]
    # A part for someone who did not attend is refused, naming them.
    bad = api.post("/v1/notes", {"type": "group", "appointment_id": session["id"], "member_parts": {c["id"]: "x"}},
                   role="practitioner")
    assert bad.status == 422 and bad.body["errors"][0]["field"] == f"body.member_parts.{c['id']}"
    # Attendance changed before signing: the next edit follows it.
    mark(api, session["id"], {"members": [{"client_id": b["id"], "status": "absent"},
                                          {"client_id": c["id"], "status": "attended"}]})
    edited = api.patch(f"/v1/notes/{note['id']}", {"body": "<p>Shared, edited</p>"}, if_match='"1"',
                       role="practitioner")
    assert edited.status == 200 and set(edited.body["member_note_ids"]) == {a["id"], c["id"]}
    assert api.get(f"/v1/notes?client_id={b['id']}", role="practitioner").body["items"] == []
    assert api.get(f"/v1/notes?client_id={c['id']}", role="practitioner").body["items"][0]["body"] == \
        "<p>Shared, edited</p>"


def test_front_desk_and_billing_cannot_read_note_content(api):
    client = make_client(api)
    note = _progress(api, client["id"])
    for role in ("front_desk", "billing"):
        assert api.get(f"/v1/notes/{note['id']}", role=role).status == 403
        assert api.get(f"/v1/notes?client_id={client['id']}", role=role).status == 403
        assert api.post("/v1/notes", {"client_id": client["id"]}, role=role).status == 403
    assert api.get(f"/v1/notes/{note['id']}").status == 200  # admin


def test_only_the_notes_practitioner_or_the_groups_sharers_read_notes(api):
    group, (member, *_), session = _group_session(api, members=1)
    mark(api, session["id"], {"all_attended": True})
    group_note = api.post("/v1/notes", {"type": "group", "appointment_id": session["id"], "body": "<p>g</p>"},
                          role="practitioner").body
    progress = _progress(api, member["id"])
    colleague = as_user(make_practitioner(api, "Kim"))
    copy_id = group_note["member_note_ids"][member["id"]]
    for note_id in (group_note["id"], copy_id, progress["id"]):
        assert api.get(f"/v1/notes/{note_id}", headers=colleague).status == 404
    assert api.get(f"/v1/notes?client_id={member['id']}", headers=colleague).body["items"] == []
    colleague_id = api.get("/v1/users").body["items"]
    kim = next(u["id"] for u in colleague_id if u["first_name"] == "Kim")
    path = f"/v1/groups/{group['id']}"
    api.patch(path, {"shared_with": [kim]}, if_match=api.get(path).etag)
    assert api.get(f"/v1/notes/{group_note['id']}", headers=colleague).status == 200
    assert api.get(f"/v1/notes/{copy_id}", headers=colleague).status == 200
    assert api.get(f"/v1/notes/{progress['id']}", headers=colleague).status == 404  # not a group note
    assert [n["id"] for n in api.get(f"/v1/notes?client_id={member['id']}", headers=colleague).body["items"]] == \
        [copy_id]


@pytest.mark.parametrize("kind", ["progress", "group"])
def test_a_signed_note_is_locked_and_takes_only_addenda(api, kind):
    if kind == "progress":
        note = _progress(api, make_client(api)["id"])
        copies = []
    else:
        _, (member, *_), session = _group_session(api, members=2)
        mark(api, session["id"], {"all_attended": True})
        note = api.post("/v1/notes", {"type": "group", "appointment_id": session["id"], "body": "<p>g</p>",
                                      "member_parts": {member["id"]: "<p>mine</p>"}}, role="practitioner").body
        copies = list(note["member_note_ids"].values())
    path = f"/v1/notes/{note['id']}"
    early = api.post(f"{path}/addenda", {"text": "too early"}, role="practitioner")
    assert early.status == 409 and "not signed" in early.body["detail"]
    signed = api.post(f"{path}/sign", headers={"If-Match": '"1"'}, role="practitioner")
    assert signed.status == 200 and signed.body["signed_at"] and signed.body["signed_by"] == "usr_prc_a_practitioner"
    etag = signed.headers["etag"]
    before = {n: api.get(f"/v1/notes/{n}").body for n in [note["id"], *copies]}
    assert all(b["signed_at"] == signed.body["signed_at"] for b in before.values())
    # Every write route is refused on the signed note and on its copies.
    attempts = [api.patch(path, {"body": "changed"}, if_match=etag, role="practitioner"),
                api.patch(path, {"fields": {}}, if_match=etag),
                api.delete(path, if_match=etag, role="practitioner"),
                api.post(f"{path}/sign", headers={"If-Match": etag}, role="practitioner")]
    for copy in copies:
        attempts += [api.patch(f"/v1/notes/{copy}", {"body": "changed"}, if_match=etag, role="practitioner"),
                     api.delete(f"/v1/notes/{copy}", if_match=etag),
                     api.post(f"/v1/notes/{copy}/sign", headers={"If-Match": etag})]
    assert [a.status for a in attempts] == [409] * len(attempts), [a.body for a in attempts]
    assert {n: api.get(f"/v1/notes/{n}").body for n in before} == before  # nothing changed
    # A dated addendum is appended, to the copies too; one on a copy stays in that chart.
    added = api.post(f"{path}/addenda", {"text": "<p>Follow-up call made</p>"}, role="practitioner")
    assert added.status == 201 and added.body["addenda"][0]["text"] == "<p>Follow-up call made</p>"
    assert added.body["addenda"][0]["at"] and added.body["body"] == before[note["id"]]["body"]
    for copy in copies:
        assert [a["text"] for a in api.get(f"/v1/notes/{copy}").body["addenda"]] == ["<p>Follow-up call made</p>"]
    if copies:
        api.post(f"/v1/notes/{copies[0]}/addenda", {"text": "only here"}, role="practitioner")
        api.post(f"{path}/addenda", {"text": "second"}, role="practitioner")
        texts = [a["text"] for a in api.get(f"/v1/notes/{copies[0]}").body["addenda"]]
        assert texts == ["<p>Follow-up call made</p>", "only here", "second"]
        assert [a["text"] for a in api.get(f"/v1/notes/{copies[1]}").body["addenda"]] == [
            "<p>Follow-up call made</p>", "second"]


def test_unsigned_notes_can_be_edited_and_deleted(api):
    _, (member, *_), session = _group_session(api, members=1)
    mark(api, session["id"], {"all_attended": True})
    note = api.post("/v1/notes", {"type": "group", "appointment_id": session["id"], "body": "<p>g</p>"},
                    role="practitioner").body
    copy = note["member_note_ids"][member["id"]]
    assert api.patch(f"/v1/notes/{copy}", {"body": "x"}, if_match='"1"').status == 409  # edit the group note
    assert api.patch(f"/v1/notes/{note['id']}", {"body": "x"}, if_match='"7"').status == 412
    assert api.delete(f"/v1/notes/{note['id']}", if_match='"1"', role="practitioner").status == 204
    assert api.get(f"/v1/notes/{copy}").status == 404
    assert api.get(f"/v1/notes?client_id={member['id']}").body["items"] == []
