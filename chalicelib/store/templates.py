"""The practice's templates: note templates (repository.NOTE_TEMPLATES, `NOTETPL#<id>`) and pack
templates (repository.PACK_TEMPLATES, `PACKTPL#<id>`), both in the practice partition."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib.models.entitlements import PackTemplate
from chalicelib.models.notes import NoteTemplate, NoteTemplateCreate
from chalicelib.store import items
from chalicelib.store.repository import NOTE_TEMPLATES, PACK_TEMPLATES, Entities


def _note_template(item: dict[str, Any]) -> NoteTemplate:
    return NoteTemplate.model_validate(items.public(item))


def _pack_template(item: dict[str, Any]) -> PackTemplate:
    return PackTemplate.model_validate(items.public(item))


_NOTE_TEMPLATES = Entities(NOTE_TEMPLATES, _note_template)
_PACK_TEMPLATES = Entities(PACK_TEMPLATES, _pack_template)


# ---- note templates -------------------------------------------------------------------

def create_note_template(practice_id: str, template_id: str, data: NoteTemplateCreate) -> NoteTemplate:
    """A new note template; AlreadyExists if the id is taken."""
    return _NOTE_TEMPLATES.create(practice_id, template_id, data.model_dump(mode="json"))


def get_note_template(practice_id: str, template_id: str) -> NoteTemplate:
    """One note template, or NotFound."""
    return _NOTE_TEMPLATES.get(practice_id, template_id)


def find_note_template(practice_id: str, template_id: str) -> NoteTemplate | None:
    """One note template, or None."""
    return _NOTE_TEMPLATES.get_or_none(practice_id, template_id)


def list_note_templates(practice_id: str, *, limit: int,
                        start_key: dict[str, Any] | None) -> tuple[list[NoteTemplate], dict[str, Any] | None]:
    """One page of the note templates in id order, and the key to continue from."""
    return _NOTE_TEMPLATES.page(practice_id, limit=limit, start_key=start_key)


def update_note_template(practice_id: str, template_id: str, changes: Mapping[str, Any], *,
                         expected_version: int) -> NoteTemplate:
    """Set (None: clear) the fields in `changes` on the template at the version read."""
    return _NOTE_TEMPLATES.update(practice_id, template_id, changes, expected_version=expected_version)


# ---- pack templates -------------------------------------------------------------------

def create_pack_template(practice_id: str, template_id: str, fields: Mapping[str, Any]) -> PackTemplate:
    """A new pack template with these fields; AlreadyExists if the id is taken."""
    return _PACK_TEMPLATES.create(practice_id, template_id, fields)


def get_pack_template(practice_id: str, template_id: str) -> PackTemplate:
    """One pack template, or NotFound."""
    return _PACK_TEMPLATES.get(practice_id, template_id)


def find_pack_template(practice_id: str, template_id: str) -> PackTemplate | None:
    """One pack template, or None."""
    return _PACK_TEMPLATES.get_or_none(practice_id, template_id)


def list_pack_templates(practice_id: str, *, limit: int,
                        start_key: dict[str, Any] | None) -> tuple[list[PackTemplate], dict[str, Any] | None]:
    """One page of the pack templates in id order, and the key to continue from."""
    return _PACK_TEMPLATES.page(practice_id, limit=limit, start_key=start_key)


def update_pack_template(practice_id: str, template_id: str, changes: Mapping[str, Any], *,
                         expected_version: int) -> PackTemplate:
    """Set (None: clear) the fields in `changes` on the template at the version read."""
    return _PACK_TEMPLATES.update(practice_id, template_id, changes, expected_version=expected_version)
