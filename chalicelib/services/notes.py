"""Use cases for chart notes and note templates.

A progress note belongs to one client. A group note belongs to a group appointment; its shared
part (and each member's own part) is copied into a note in the chart of every member who
attended, written in the same transaction as the group note, so the copies never drift from
their source. Signing locks a note (and a group note's copies): after
that only dated addenda are accepted.

Who reads notes: admins, the note's practitioner, and the practitioners a group note's group
is run by or shared with. To anyone else a note does not exist (404); front desk and billing
are refused at the route (403).
"""
from __future__ import annotations

from typing import Any

from chalicelib.auth import Principal, Role
from chalicelib.clock import now
from chalicelib.domain.groups import practitioners_of
from chalicelib.domain.ids import new_id
from chalicelib.domain.notes import check_fields, sanitize_html
from chalicelib.errors import Conflict, NotFound, ValidationFailed
from chalicelib.models.groups import Group
from chalicelib.models.notes import (
    Addendum,
    AddendumCreate,
    Note,
    NoteCreate,
    NoteTemplate,
    NoteTemplateCreate,
    NoteTemplateUpdate,
    NoteUpdate,
)
from chalicelib.services import groups
from chalicelib.services.common import changes_of
from chalicelib.store import appointment_partition, notes, templates, users
from chalicelib.store import clients as client_store
from chalicelib.store import groups as group_store
from chalicelib.store.appointments import StoredAppointment

# ---- templates ------------------------------------------------------------------------


def create_template(*, principal: Principal, data: NoteTemplateCreate) -> NoteTemplate:
    return templates.create_note_template(principal.practice_id, new_id("ntpl"), data)


def get_template(*, principal: Principal, template_id: str) -> NoteTemplate:
    return templates.get_note_template(principal.practice_id, template_id)


def list_templates(*, principal: Principal, limit: int,
                   start_key: dict | None) -> tuple[list[NoteTemplate], dict | None]:
    return templates.list_note_templates(principal.practice_id, limit=limit, start_key=start_key)


def update_template(*, principal: Principal, template_id: str, changes: NoteTemplateUpdate,
                    expected_version: int) -> NoteTemplate:
    """Notes already written keep their values; the new fields apply to notes written or
    edited from now on."""
    values = changes_of(changes, required=("name", "fields", "active"))
    return templates.update_note_template(principal.practice_id, template_id, values,
                                          expected_version=expected_version)


def _fields(principal: Principal, template_id: str | None, values: dict[str, Any]) -> dict[str, Any]:
    """A note's custom field values, checked against its template (422 naming each field)."""
    if template_id is None:
        if values:
            raise ValidationFailed.field("body.fields", "custom fields need a template_id")
        return {}
    template = templates.find_note_template(principal.practice_id, template_id)
    if template is None or not template.active:
        raise ValidationFailed.field("body.template_id", "is not an active note template of the practice")
    cleaned, errors = check_fields(template.fields, values)
    if errors:
        raise ValidationFailed(errors)
    return cleaned


# ---- reading --------------------------------------------------------------------------

def _readable(principal: Principal, note: Note, group: Group | None = None) -> bool:
    if principal.role == Role.ADMIN or note.practitioner_id == principal.user_id:
        return True
    if principal.role != Role.PRACTITIONER or not note.group_id:
        return False
    group = group or group_store.find_group(principal.practice_id, note.group_id)
    return group is not None and principal.user_id in practitioners_of(group)


def _get(principal: Principal, note_id: str) -> Note:
    """The note, or 404 if it does not exist or the caller may not read it."""
    note = notes.get(principal.practice_id, note_id)
    if note is None or not _readable(principal, note):
        raise NotFound("Note", note_id)
    return note


def get_note(*, principal: Principal, note_id: str) -> Note:
    return _get(principal, note_id)


def list_notes(*, principal: Principal, client_id: str | None, group_id: str | None, limit: int,
               start_key: dict | None) -> tuple[list[Note], dict | None]:
    """A client's chart or a group's notes, newest first: one Query (plus one batch read of
    the groups involved, to apply the sharing rule for a practitioner)."""
    if group_id:
        groups.visible_group(principal, group_id)
    else:
        client_store.ensure_exists(principal.practice_id, client_id or "")
    found, last_key = notes.page(principal.practice_id, client_id=client_id, group_id=group_id, limit=limit,
                                 start_key=start_key)
    group_ids = sorted({n.group_id for n in found if n.group_id})
    by_id = {g.id: g for g in group_store.groups_by_id(principal.practice_id, group_ids) if g}
    return [n for n in found if _readable(principal, n, by_id.get(n.group_id or ""))], last_key


# ---- writing --------------------------------------------------------------------------

def _practitioner(principal: Principal, requested: str | None, default: str | None) -> str:
    """Who the note is by: a practitioner writes their own notes; an admin names one."""
    if principal.role == Role.PRACTITIONER:
        if requested not in (None, principal.user_id):
            raise ValidationFailed.field("body.practitioner_id", "a practitioner writes notes as themselves")
        return principal.user_id
    chosen = requested or default
    user = users.find_user(principal.practice_id, chosen) if chosen else None
    if chosen is None or user is None or user.role != "practitioner":
        raise ValidationFailed.field("body.practitioner_id", "name the practitioner the note is by")
    return chosen


def create_note(*, principal: Principal, data: NoteCreate) -> Note:
    fields = _fields(principal, data.template_id, data.fields)
    if data.type == "progress":
        return _create_progress(principal, data, fields)
    return _create_group(principal, data, fields)


def _create_progress(principal: Principal, data: NoteCreate, fields: dict[str, Any]) -> Note:
    pid = principal.practice_id
    if not client_store.exists(pid, data.client_id or ""):
        raise ValidationFailed.field("body.client_id", "is not a client of this practice")
    default = None
    if data.appointment_id:
        appointment = appointment_partition.get(pid, data.appointment_id)
        if appointment is None or appointment.client_id != data.client_id:
            raise ValidationFailed.field("body.appointment_id", "is not an appointment of this client")
        default = appointment.practitioner_id
    note_id = new_id("note")
    note = notes.new({
        "type": "progress", "id": note_id, "client_id": data.client_id,
        "appointment_id": data.appointment_id,
        "practitioner_id": _practitioner(principal, data.practitioner_id, default),
        "template_id": data.template_id, "fields": fields, "body": sanitize_html(data.body), "addenda": [],
        "signed_at": None, "signed_by": None})
    notes.put(pid, note, expected_version=None)
    return note


def _attended(principal: Principal, appointment_id: str) -> tuple[StoredAppointment, Group, list[str]]:
    """The group appointment, its group, and the members marked attended."""
    appointment, group, marks = groups.group_session(principal, appointment_id)
    if appointment is None or group is None:
        raise ValidationFailed.field("body.appointment_id", "is not a group appointment of this practice")
    return appointment, group, sorted(cid for cid, mark in marks.items() if mark.status == "attended")


def _member_parts(parts: dict[str, str], attended: list[str]) -> dict[str, str]:
    errors = [{"field": f"body.member_parts.{cid}", "reason": "is not a member who attended this session"}
              for cid in parts if cid not in attended]
    if errors:
        raise ValidationFailed(errors)
    return {cid: sanitize_html(html) for cid, html in parts.items()}


def _create_group(principal: Principal, data: NoteCreate, fields: dict[str, Any]) -> Note:
    appointment, group, attended = _attended(principal, data.appointment_id or "")
    if not attended:
        raise Conflict("No member is marked attended yet: mark attendance, then write the group note")
    practitioner_id = _practitioner(principal, data.practitioner_id, appointment.practitioner_id)
    if practitioner_id not in practitioners_of(group):
        raise ValidationFailed.field("body.practitioner_id", "does not run or share the group")
    note_id = new_id("gnote")
    note = notes.new({
        "type": "group", "id": note_id, "group_id": group.id,
        "appointment_id": appointment.id, "practitioner_id": practitioner_id, "template_id": data.template_id,
        "fields": fields, "body": sanitize_html(data.body), "member_parts": _member_parts(data.member_parts, attended),
        "member_note_ids": {}, "addenda": [], "signed_at": None, "signed_by": None})
    return _write_group(principal, note, attended, expected_version=None)


_COPIED = ("group_id", "appointment_id", "practitioner_id", "template_id", "fields", "body", "addenda", "signed_at",
           "signed_by", "version", "created_at", "updated_at")


def _member_note(group_note: Note, client_id: str, note_id: str) -> Note:
    """A member's copy of a group note, at the group note's version."""
    copied = {k: getattr(group_note, k) for k in _COPIED}
    return Note.model_validate({**copied, "type": "group_member", "id": note_id, "client_id": client_id,
                                "group_note_id": group_note.id,
                                "member_part": (group_note.member_parts or {}).get(client_id)})


def _write_group(principal: Principal, note: Note, attended: list[str], *, expected_version: int | None) -> Note:
    """The group note and its members' copies in one transaction: a copy for each attended
    member, none for anyone else. The group note as written."""
    before = dict(note.member_note_ids or {})
    note = note.model_copy(update={"member_note_ids": {cid: before.get(cid) or new_id("note") for cid in attended}})
    kept = note.member_note_ids or {}
    copies = [_member_note(note, cid, nid) for cid, nid in kept.items()]
    dropped = [nid for cid, nid in before.items() if cid not in kept]
    notes.put_group(principal.practice_id, note, copies, dropped, expected_version=expected_version)
    return note


def _editable(note: Note, expected_version: int, doing: str) -> None:
    if note.version != expected_version:
        raise notes.stale(note, expected_version)
    if note.type == "group_member":
        raise Conflict(f"This note is a copy of group note {note.group_note_id}; {doing} that one")
    if note.signed_at:
        raise Conflict(f"The note was signed at {note.signed_at} and is locked; add an addendum instead")


def update_note(*, principal: Principal, note_id: str, changes: NoteUpdate, expected_version: int) -> Note:
    """Edit an unsigned note. A group note's edit rewrites its members' copies, and follows
    attendance: a member marked attended since gets a copy, one no longer attended loses it."""
    note = _get(principal, note_id)
    _editable(note, expected_version, "edit")
    values = changes_of(changes, required=("fields", "body", "member_parts"))
    edited: dict[str, Any] = {}
    if "fields" in values:
        edited["fields"] = _fields(principal, note.template_id, values["fields"])
    if "body" in values:
        edited["body"] = sanitize_html(values["body"])
    note = note.model_copy(update={**edited, "version": expected_version + 1, "updated_at": now()})
    if note.type == "progress":
        if "member_parts" in values:
            raise ValidationFailed.field("body.member_parts", "belong to group notes")
        notes.put(principal.practice_id, note, expected_version=expected_version)
        return note
    _, _, attended = _attended(principal, note.appointment_id or "")
    parts = values.get("member_parts", {cid: p for cid, p in (note.member_parts or {}).items() if cid in attended})
    note = note.model_copy(update={"member_parts": _member_parts(parts, attended)})
    return _write_group(principal, note, attended, expected_version=expected_version)


def sign_note(*, principal: Principal, note_id: str, expected_version: int) -> Note:
    """Sign and lock a note (a group note: with every member's copy, in one transaction)."""
    note = _get(principal, note_id)
    _editable(note, expected_version, "sign")
    note = note.model_copy(update={"signed_at": now(), "signed_by": principal.user_id,
                                   "version": expected_version + 1, "updated_at": now()})
    if note.type == "group":
        return _write_group(principal, note, sorted(note.member_note_ids or {}), expected_version=expected_version)
    notes.put(principal.practice_id, note, expected_version=expected_version)
    return note


def add_addendum(*, principal: Principal, note_id: str, data: AddendumCreate) -> Note:
    """Append a dated addendum to a signed note (a group note's addendum reaches every
    member's copy; a member copy's addendum stays in that member's chart)."""
    note = _get(principal, note_id)
    if not note.signed_at:
        raise Conflict("The note is not signed yet; edit it instead of adding an addendum")
    version = note.version
    addendum = Addendum(at=now(), by=principal.user_id, text=sanitize_html(data.text))
    note = note.model_copy(update={"addenda": [*note.addenda, addendum], "version": version + 1,
                                   "updated_at": addendum.at})
    # Appended to each copy, not copied over it: a copy keeps addenda written to it alone.
    notes.put_with_addendum(principal.practice_id, note, addendum.model_dump(),
                            list((note.member_note_ids or {}).values()), expected_version=version)
    return note


def delete_note(*, principal: Principal, note_id: str, expected_version: int) -> None:
    """Delete an unsigned note written in error (a group note: with its copies)."""
    note = _get(principal, note_id)
    _editable(note, expected_version, "delete")
    notes.delete(principal.practice_id, note_id, list((note.member_note_ids or {}).values()),
                 expected_version=expected_version)

