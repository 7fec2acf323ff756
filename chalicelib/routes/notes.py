"""/v1/notes and /v1/note-templates: chart notes (progress and group), signing, addenda.

Note content is clinical: only admins and practitioners reach these routes; front desk and
billing get 403 on every one of them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.auth import Role
from chalicelib.http import Call, Listing, Reply, operation
from chalicelib.lazy import lazy, models_of

bp = Blueprint(__name__)
if TYPE_CHECKING:  # what mypy and an IDE follow; at run time each is imported on first use
    from chalicelib.models import notes as models
    from chalicelib.services import notes as service
else:
    models = models_of("chalicelib.models.notes")
    service = lazy("chalicelib.services.notes")
TAG = "Chart notes"
CLINICIANS = {Role.ADMIN, Role.PRACTITIONER}
ADMIN = {Role.ADMIN}
NOTE = "/v1/notes/{note_id}"


@operation(bp, "POST", "/v1/notes", roles=CLINICIANS, summary="Write a progress note or a group note", tag=TAG,
           body=models.NoteCreate, response=models.Note, location="/v1/notes/{id}")
def create_note(call: Call) -> models.Note:
    return service.create_note(principal=call.principal, data=call.body)


@operation(bp, "GET", "/v1/notes", roles=CLINICIANS, summary="A client's chart notes or a group's notes, newest first",
           tag=TAG, query=models.NoteQuery, response=models.Note, paginated=True)
def list_notes(call: Call) -> Listing:
    return Listing(*service.list_notes(principal=call.principal, client_id=call.query.client_id,
                                       group_id=call.query.group_id, limit=call.query.limit,
                                       start_key=call.start_key))


@operation(bp, "GET", NOTE, roles=CLINICIANS, summary="Read a note", tag=TAG, response=models.Note)
def get_note(call: Call) -> models.Note:
    return service.get_note(principal=call.principal, note_id=call.params["note_id"])


@operation(bp, "PATCH", NOTE, roles=CLINICIANS, summary="Edit an unsigned note", tag=TAG, body=models.NoteUpdate,
           response=models.Note)
def update_note(call: Call) -> models.Note:
    return service.update_note(principal=call.principal, note_id=call.params["note_id"], changes=call.body,
                               expected_version=call.version)


@operation(bp, "DELETE", NOTE, roles=CLINICIANS, summary="Delete an unsigned note written in error", tag=TAG)
def delete_note(call: Call) -> None:
    service.delete_note(principal=call.principal, note_id=call.params["note_id"], expected_version=call.version)


@operation(bp, "POST", NOTE + "/sign", roles=CLINICIANS, summary="Sign a note, locking it", tag=TAG,
           response=models.Note, status=200, conditional=True)
def sign_note(call: Call) -> models.Note:
    return service.sign_note(principal=call.principal, note_id=call.params["note_id"], expected_version=call.version)


@operation(bp, "POST", NOTE + "/addenda", roles=CLINICIANS, summary="Add a dated addendum to a signed note",
           tag=TAG, body=models.AddendumCreate, response=models.Note, status=201)
def add_note_addendum(call: Call) -> Reply:
    return Reply(service.add_addendum(principal=call.principal, note_id=call.params["note_id"], data=call.body),
                 status=201)


@operation(bp, "POST", "/v1/note-templates", roles=ADMIN, summary="Create a note template", tag="Note templates",
           body=models.NoteTemplateCreate, response=models.NoteTemplate, location="/v1/note-templates/{id}")
def create_note_template(call: Call) -> models.NoteTemplate:
    return service.create_template(principal=call.principal, data=call.body)


@operation(bp, "GET", "/v1/note-templates", summary="List note templates", tag="Note templates",
           response=models.NoteTemplate, paginated=True)
def list_note_templates(call: Call) -> Listing:
    return Listing(*service.list_templates(principal=call.principal, limit=call.query.limit,
                                           start_key=call.start_key))


@operation(bp, "GET", "/v1/note-templates/{note_template_id}", summary="Read a note template",
           tag="Note templates", response=models.NoteTemplate)
def get_note_template(call: Call) -> models.NoteTemplate:
    return service.get_template(principal=call.principal, template_id=call.params["note_template_id"])


@operation(bp, "PATCH", "/v1/note-templates/{note_template_id}", roles=ADMIN, summary="Change a note template",
           tag="Note templates", body=models.NoteTemplateUpdate, response=models.NoteTemplate)
def update_note_template(call: Call) -> models.NoteTemplate:
    return service.update_template(principal=call.principal, template_id=call.params["note_template_id"],
                                   changes=call.body, expected_version=call.version)
