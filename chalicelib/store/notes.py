"""Chart notes: each in its own partition (`P#<practice>#NOTE#<id>` / `NOTE`), listed newest
first through GSI1 in a client's chart (`…#C#<client>#NOTES`: progress notes and members'
copies of group notes) or a group's (`…#GROUP#<group>#NOTES`: group notes), sorted by
`<created_at>#<id>`.

Notes go in and out as entities (no key attributes); the keys follow from the note's type
and owner, so no caller can file a note in the wrong chart. A group note and its members'
copies are written in one transaction.
"""
from __future__ import annotations

from typing import Any

from chalicelib.errors import PreconditionFailed
from chalicelib.models.notes import Note
from chalicelib.store import dynamo, items
from chalicelib.store.keys import NOTE_SK, PK, SK, client_notes_pk, group_notes_pk, note_pk

RESOURCE = "Note"
BY_OWNER = "GSI1"


def _note(item: dict[str, Any]) -> Note:
    return Note.model_validate(items.public(item))


def _item(practice_id: str, note: Note) -> dict[str, Any]:
    """The note as stored: its key, and its place in its chart (client) or group list. Only the
    fields the note was given are written (a progress note has no group fields at all)."""
    owner = (group_notes_pk(practice_id, note.group_id or "") if note.type == "group"
             else client_notes_pk(practice_id, note.client_id or ""))
    return {**note.model_dump(exclude_unset=True), PK: note_pk(practice_id, note.id), SK: NOTE_SK,
            "kind": "NOTE", f"{BY_OWNER}PK": owner, f"{BY_OWNER}SK": f"{note.created_at}#{note.id}"}


def get(practice_id: str, note_id: str) -> Note | None:
    """One note (strongly consistent), or None."""
    item = items.get(note_pk(practice_id, note_id), NOTE_SK)
    return _note(item) if item else None


def page(practice_id: str, *, client_id: str | None = None, group_id: str | None = None, limit: int,
         start_key: dict[str, Any] | None) -> tuple[list[Note], dict[str, Any] | None]:
    """One page of a group's notes (with `group_id`) or a client's chart, newest first (one Query)."""
    owner = group_notes_pk(practice_id, group_id) if group_id else client_notes_pk(practice_id, client_id or "")
    found = items.query_page(owner, limit=limit, start_key=start_key, index=BY_OWNER, forward=False)
    return [_note(i) for i in found.items], found.last_key


def new(fields: dict[str, Any]) -> Note:
    """A note as first written: version 1, created and updated now."""
    return Note.model_validate(items.new_item(fields))


def stale(note: Note, expected_version: int) -> PreconditionFailed:
    """The 412 for a write sent with an If-Match older than the note as read."""
    return items.stale(RESOURCE, note.id, note.version, expected_version)


def put(practice_id: str, note: Note, *, expected_version: int | None) -> None:
    """Write a note whole: new (`expected_version` None) or replacing the version read."""
    items.transact_entity([items.put_action(_item(practice_id, note), expected_version=expected_version)],
                          expected_version=expected_version, resource=RESOURCE, resource_id=note.id)


def put_group(practice_id: str, note: Note, copies: list[Note], dropped: list[str], *,
              expected_version: int | None) -> None:
    """A group note with its members' copies (written over, whatever their version) and the
    copies of members no longer on it deleted, in one transaction."""
    actions = [items.put_action(_item(practice_id, note), expected_version=expected_version)]
    actions += [_put_over(_item(practice_id, copy)) for copy in copies]
    actions += [_delete_any(practice_id, nid) for nid in dropped]
    items.transact_entity(actions, expected_version=expected_version, resource=RESOURCE, resource_id=note.id)


def put_with_addendum(practice_id: str, note: Note, addendum: dict[str, Any], copy_ids: list[str], *,
                      expected_version: int) -> None:
    """A note with a new addendum, and the addendum appended to each of its copies (not copied
    over them: a copy keeps addenda written to it alone), in one transaction."""
    actions = [items.put_action(_item(practice_id, note), expected_version=expected_version)]
    actions += [{"Update": {"TableName": items.table(), "Key": items.key_of(note_pk(practice_id, nid), NOTE_SK),
                            "UpdateExpression": "SET addenda = list_append(addenda, :new), updated_at = :at "
                                                "ADD version :one",
                            "ExpressionAttributeValues": dynamo.to_item({":new": [addendum],
                                                                               ":at": addendum["at"], ":one": 1})}}
                for nid in copy_ids]
    items.transact_entity(actions, expected_version=expected_version, resource=RESOURCE, resource_id=note.id)


def delete(practice_id: str, note_id: str, copy_ids: list[str], *, expected_version: int) -> None:
    """Delete a note still at the version read, with its copies, in one transaction."""
    actions = [items.delete_action(note_pk(practice_id, note_id), NOTE_SK, expected_version=expected_version)]
    actions += [_delete_any(practice_id, nid) for nid in copy_ids]
    items.transact_entity(actions, expected_version=expected_version, resource=RESOURCE, resource_id=note_id)


def _put_over(item: dict[str, Any]) -> dict[str, Any]:
    """Write a copy whatever is there: a copy follows its group note, which holds the If-Match."""
    return {"Put": {"TableName": items.table(), "Item": dynamo.to_item(item)}}


def _delete_any(practice_id: str, note_id: str) -> dict[str, Any]:
    """Delete a copy if it is there (its group note's version is what the transaction checks)."""
    return {"Delete": {"TableName": items.table(), "Key": items.key_of(note_pk(practice_id, note_id), NOTE_SK)}}
