"""Chart notes (progress and group notes), their templates, signing and addenda (PRODUCT.md §7)."""
from typing import Any, Literal

from pydantic import Field, model_validator

from chalicelib.models.common import FieldError, Flag, Input, NonEmpty, Output, QueryWhole, Ref

RichText = str  # sanitised on the way in (domain/notes.py); the length bound is per field below
FieldType = Literal["text", "rich_text", "number", "boolean", "date", "choice"]


class TemplateField(Input):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", description="Name used in a note's `fields`")
    label: NonEmpty
    type: FieldType
    required: Flag = False
    options: list[NonEmpty] = Field(default_factory=list, max_length=50, description="For type choice")

    @model_validator(mode="after")
    def _options(self) -> "TemplateField":
        if (self.type == "choice") != bool(self.options):
            raise FieldError("options", "a choice field needs options, and only a choice field has them")
        return self


def _unique_keys(fields: list[TemplateField] | None) -> None:
    if fields and len({f.key for f in fields}) != len(fields):
        raise FieldError("fields", "field keys must be unique")


class NoteTemplateCreate(Input):
    name: NonEmpty
    fields: list[TemplateField] = Field(min_length=1, max_length=50)
    active: Flag = True

    @model_validator(mode="after")
    def _keys(self) -> "NoteTemplateCreate":
        _unique_keys(self.fields)
        return self


class NoteTemplateUpdate(Input):
    name: NonEmpty | None = None
    fields: list[TemplateField] | None = Field(None, min_length=1, max_length=50)
    active: Flag | None = None

    @model_validator(mode="after")
    def _keys(self) -> "NoteTemplateUpdate":
        _unique_keys(self.fields)
        return self


class NoteTemplate(Output):
    id: str
    name: str
    fields: list[dict[str, Any]]
    active: bool
    version: int
    created_at: str
    updated_at: str


class NoteCreate(Input):
    """A progress note for one client, or a group note for a group appointment whose shared
    part is copied into the note of every member who attended."""

    type: Literal["progress", "group"] = "progress"
    client_id: Ref | None = Field(None, description="progress: the client")
    appointment_id: Ref | None = Field(None, description="progress: optional; group: the group appointment")
    practitioner_id: Ref | None = Field(None, description="Defaults to the calling practitioner")
    template_id: Ref | None = None
    fields: dict[str, Any] = Field(default_factory=dict, description="Values of the template's fields")
    body: RichText = Field("", max_length=100_000, description="progress: the note (rich text); group: the shared part")
    member_parts: dict[Ref, RichText] = Field(default_factory=dict,
                                              description="group: client id → a part only that member's note gets")

    @model_validator(mode="after")
    def _kind(self) -> "NoteCreate":
        if self.type == "progress":
            if not self.client_id:
                raise FieldError("client_id", "a progress note needs client_id")
            if self.member_parts:
                raise FieldError("member_parts", "member_parts belong to group notes")
        elif not self.appointment_id or self.client_id:
            raise FieldError("client_id" if self.appointment_id else "appointment_id",
                             "a group note needs appointment_id (a group appointment) and no client_id")
        if any(len(part) > 20_000 for part in self.member_parts.values()):
            raise FieldError("member_parts", "a member part is at most 20000 characters")
        return self


class NoteUpdate(Input):
    fields: dict[str, Any] | None = None
    body: RichText | None = Field(None, max_length=100_000)
    member_parts: dict[Ref, RichText] | None = None


class AddendumCreate(Input):
    text: RichText = Field(min_length=1, max_length=20_000)


class Addendum(Output):
    at: str
    by: str
    text: str


class Note(Output):
    id: str
    type: Literal["progress", "group", "group_member"]
    client_id: str | None = None
    group_id: str | None = None
    appointment_id: str | None = None
    group_note_id: str | None = Field(None, description="group_member: the group note it was copied from")
    practitioner_id: str
    template_id: str | None = None
    fields: dict[str, Any]
    body: str = Field(description="progress: the note; group and group_member: the shared part")
    member_part: str | None = Field(None, description="group_member: the part only this member's note has")
    member_parts: dict[str, str] | None = Field(None, description="group: the per-member parts")
    member_note_ids: dict[str, str] | None = Field(None, description="group: client id → that member's note")
    signed_at: str | None = None
    signed_by: str | None = None
    addenda: list[Addendum]
    version: int
    created_at: str
    updated_at: str


class NoteQuery(Input):
    limit: QueryWhole = Field(50, ge=1, le=100)
    cursor: str | None = None
    client_id: Ref | None = None
    group_id: Ref | None = None

    @model_validator(mode="after")
    def _one(self) -> "NoteQuery":
        if (self.client_id is None) == (self.group_id is None):
            raise FieldError("group_id" if self.client_id else "client_id",
                             "give exactly one of client_id or group_id")
        return self
