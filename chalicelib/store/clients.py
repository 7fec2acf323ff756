"""Clients: entities of the practice partition (`CLIENT#<id>`, repository.CLIENTS) with two
indexes written from the client's own fields: GSI1 by name (`P#<practice>#CLIENTNAME` /
`<last first, folded>#<id>`) for search, GSI2 by email (`P#<practice>#CLIENTEMAIL` /
`<email>#<id>`) for calendar import. Callers pass and get fields; this module keeps the index
attributes in step with them."""
from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from chalicelib.models.clients import Client, ClientCreate

# The module, not its names: store.appointments imports this one for client_of.
from chalicelib.store import appointments, items
from chalicelib.store.keys import ENT, PK, SK, client_email_pk, client_name_pk, client_pk, client_schedule_pk
from chalicelib.store.repository import CLIENTS, Entities

BY_NAME, BY_EMAIL, BY_SCHEDULE = "GSI1", "GSI2", "GSI3"


# What people type for what is written: letters that have no Unicode decomposition (so
# dropping combining marks leaves them), and every apostrophe and hyphen as the ASCII one.
_SPELLED = str.maketrans({
    **{ch: plain for letters, plain in (
        ("łŁ", "l"), ("øØ", "o"), ("đĐðÐ", "d"), ("ħĦ", "h"), ("\N{LATIN SMALL LETTER DOTLESS I}", "i"),
        ("ŧŦ", "t"), ("ßẞ", "ss"), ("æÆ", "ae"), ("œŒ", "oe"), ("þÞ", "th")) for ch in letters},
    **dict.fromkeys("\N{RIGHT SINGLE QUOTATION MARK}\N{LEFT SINGLE QUOTATION MARK}\N{MODIFIER LETTER APOSTROPHE}"
                    "\N{ACUTE ACCENT}\N{GRAVE ACCENT}\N{PRIME}\N{MODIFIER LETTER TURNED COMMA}", "'"),
    **dict.fromkeys("\N{HYPHEN}\N{NON-BREAKING HYPHEN}\N{FIGURE DASH}\N{EN DASH}\N{EM DASH}\N{HORIZONTAL BAR}",
                    "-")})


def fold_name(text: str) -> str:
    """Search form of a text: no case, no accents, the letters above spelled out, single spaces.
    The same for a stored name and a typed query, and folding it again changes nothing."""
    # Punctuation first: NFKD would turn the acute accent (U+00B4) into a space and a mark.
    text = unicodedata.normalize("NFKD", text.translate(_SPELLED)).casefold()
    # Casefolded text need not be decomposed (Unicode's caseless match decomposes it again);
    # decomposing can give an apostrophe back (U+0149 is U+02BC n), so the table applies again last.
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return " ".join(text.translate(_SPELLED).split())


def name_key(last_name: str, first_name: str) -> str:
    """Search form of a name: case- and accent-insensitive 'last first'."""
    return fold_name(f"{last_name} {first_name}")


def name_sort_key(client_id: str, first_name: str, last_name: str) -> str:
    """A client's sort key in the name index: its folded name, then its id."""
    return f"{name_key(last_name, first_name)}#{client_id}"


def _name_index(practice_id: str, client_id: str, first_name: str, last_name: str) -> dict[str, str]:
    return {f"{BY_NAME}PK": client_name_pk(practice_id),
            f"{BY_NAME}SK": name_sort_key(client_id, first_name, last_name)}


def _email_index(practice_id: str, client_id: str, email: str | None) -> dict[str, str | None]:
    if not email:
        return {f"{BY_EMAIL}PK": None, f"{BY_EMAIL}SK": None}
    return {f"{BY_EMAIL}PK": client_email_pk(practice_id), f"{BY_EMAIL}SK": f"{email.lower()}#{client_id}"}


def client_of(item: dict[str, Any]) -> Client:
    """A stored client as the Client model (other repositories' batch reads use it too)."""
    return Client.model_validate(items.public(item))


_CLIENTS = Entities(CLIENTS, client_of)


def get_client(practice_id: str, client_id: str) -> Client:
    """One client, or NotFound."""
    return _CLIENTS.get(practice_id, client_id)


def ensure_exists(practice_id: str, client_id: str) -> None:
    """NotFound unless the practice has this client (one read)."""
    CLIENTS.get(practice_id, client_id)


def exists(practice_id: str, client_id: str) -> bool:
    """Whether the practice has this client (one read)."""
    return CLIENTS.get_or_none(practice_id, client_id) is not None


def create(practice_id: str, client_id: str, data: ClientCreate) -> Client:
    """A new client, in the name index (and the email index if it has an email)."""
    values = data.model_dump(mode="json")
    indexed = {**values, **_name_index(practice_id, client_id, values["first_name"], values["last_name"]),
               **{k: v for k, v in _email_index(practice_id, client_id, values.get("email")).items() if v}}
    return _CLIENTS.create(practice_id, client_id, indexed)


def update(practice_id: str, client_id: str, values: Mapping[str, Any], *, expected_version: int,
           name: tuple[str, str] | None = None) -> Client:
    """Change a client at the version read; `name` (first, last) re-files it in the name index,
    an `email` among the values in the email index (None: out of it)."""
    indexed = dict(values)
    if "email" in values:
        indexed.update(_email_index(practice_id, client_id, values["email"]))
    if name is not None:
        indexed.update(_name_index(practice_id, client_id, *name))
    return _CLIENTS.update(practice_id, client_id, indexed, expected_version=expected_version)


def with_email(practice_id: str, email: str) -> list[str]:
    """Ids of the clients with this email (one Query)."""
    page = items.query_page(client_email_pk(practice_id), f"{email.lower()}#", limit=5, start_key=None,
                            index=BY_EMAIL)
    return [i["id"] for i in page.items]


def by_name(practice_id: str, prefix: str | None, *, include_archived: bool, limit: int,
            start_key: dict[str, Any] | None) -> tuple[list[Client], dict[str, Any] | None]:
    """One page of clients in name order, those whose name starts with `prefix` (folded), and
    the key to continue from."""
    hide = None if include_archived else "#archived = :no"
    page = items.query_page(client_name_pk(practice_id), name_key(prefix, "") if prefix else "", limit=limit,
                            start_key=start_key, index=BY_NAME, filter=hide,
                            filter_names={"#archived": "archived"} if hide else None,
                            filter_values={":no": False} if hide else None)
    return [client_of(i) for i in page.items], page.last_key


def booked_from(practice_id: str, client_id: str, start: str, *, limit: int) -> list[appointments.StoredAppointment]:
    """The client's booked appointments starting at or after `start` (UTC ISO), up to `limit`
    read (cancelled and attended ones are filtered out after reading): one Query of its schedule."""
    page = items.query_page(client_schedule_pk(practice_id, client_id), limit=limit, start_key=None,
                            index=BY_SCHEDULE, between=(start, "9999"), filter="#status = :booked",
                            filter_names={"#status": "status"}, filter_values={":booked": "booked"})
    return [appointments.appointment_of(i) for i in page.items]


def rename_on_entitlements(practice_id: str, client_id: str, name: str) -> None:
    """Copy a client's new name onto its packs and authorizations: reports name the client from
    the entitlement item itself (one Query per page, no join). A client has a handful."""
    for item in items.query_all(client_pk(practice_id, client_id), ENT):
        items.set_attributes(item[PK], item[SK], {"client_name": name})


def delete_if_no_history(practice_id: str, client_id: str, *, expected_version: int, reason: str) -> None:
    """Delete a client at the version read unless it has a history (Conflict with `reason`)."""
    CLIENTS.delete(practice_id, client_id, expected_version=expected_version,
                   # has_history is the marker; history_items the counter older clients carry.
                   condition="attribute_not_exists(has_history) AND "
                             "(attribute_not_exists(history_items) OR history_items = :zero)",
                   condition_values={":zero": 0}, condition_reason=reason)
