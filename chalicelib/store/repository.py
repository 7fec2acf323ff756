"""A practice's collection of one kind of entity: the CRUD every settings resource shares."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from chalicelib.store import items
from chalicelib.store.keys import PK, SK, entity_sk, practice_pk


@dataclass(frozen=True)
class Collection:
    """Entities of one kind in a practice's partition, sort key `<kind>#<id>`."""

    kind: str
    resource: str

    def key(self, practice_id: str, entity_id: str) -> tuple[str, str]:
        """The (PK, SK) of one entity."""
        return practice_pk(practice_id), entity_sk(self.kind, entity_id)

    def item(self, practice_id: str, entity_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """A full item ready to write: key attributes plus the entity's data."""
        pk, sk = self.key(practice_id, entity_id)
        return {PK: pk, SK: sk, "kind": self.kind, "id": entity_id, **data}

    def get(self, practice_id: str, entity_id: str) -> dict[str, Any]:
        """One entity, or NotFound."""
        pk, sk = self.key(practice_id, entity_id)
        return items.get_existing(pk, sk, resource=self.resource, resource_id=entity_id)

    def get_or_none(self, practice_id: str, entity_id: str) -> dict[str, Any] | None:
        """One entity, or None."""
        return items.get(*self.key(practice_id, entity_id))

    def get_many(self, practice_id: str, entity_ids: list[str]) -> list[dict[str, Any] | None]:
        """Several entities in one BatchGetItem, in the order asked (None: not found)."""
        return items.get_many([self.key(practice_id, e) for e in entity_ids])

    def create(self, practice_id: str, entity_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """A new entity; AlreadyExists if the id is taken."""
        return items.create(self.item(practice_id, entity_id, data), resource=self.resource,
                            resource_id=entity_id)

    def update(self, practice_id: str, entity_id: str, changes: dict[str, Any], *,
               expected_version: int, **conditions: Any) -> dict[str, Any]:
        """Apply changes if the entity is still at `expected_version`."""
        pk, sk = self.key(practice_id, entity_id)
        return items.update(pk, sk, changes, expected_version=expected_version,
                            resource=self.resource, resource_id=entity_id, **conditions)

    def delete(self, practice_id: str, entity_id: str, *, expected_version: int, **conditions: Any) -> None:
        """Delete the entity if it is still at `expected_version`."""
        pk, sk = self.key(practice_id, entity_id)
        items.delete(pk, sk, expected_version=expected_version, resource=self.resource,
                     resource_id=entity_id, **conditions)

    def all(self, practice_id: str, *, consistent: bool = False) -> list[dict[str, Any]]:
        """Every entity of this kind in the practice, page after page (small kinds: users)."""
        return [items.public(i) for i in items.every_item(practice_pk(practice_id), entity_sk(self.kind),
                                                          consistent=consistent)]

    def list(self, practice_id: str, *, limit: int, start_key: dict[str, Any] | None) -> items.Page:
        """One page of the practice's entities of this kind, in id order (one Query)."""
        return items.query_page(practice_pk(practice_id), entity_sk(self.kind), limit=limit,
                                start_key=start_key)


T = TypeVar("T")


@dataclass(frozen=True)
class Entities(Generic[T]):
    """A Collection read and written as typed entities: `entity` turns a stored item into the
    aggregate's model, so an aggregate's repository hands its callers no raw item."""

    collection: Collection
    entity: Callable[[dict[str, Any]], T]

    def get(self, practice_id: str, entity_id: str) -> T:
        """One entity, or NotFound."""
        return self.entity(self.collection.get(practice_id, entity_id))

    def get_or_none(self, practice_id: str, entity_id: str) -> T | None:
        """One entity, or None."""
        item = self.collection.get_or_none(practice_id, entity_id)
        return None if item is None else self.entity(item)

    def create(self, practice_id: str, entity_id: str, fields: Mapping[str, Any]) -> T:
        """A new entity with these fields; AlreadyExists if the id is taken."""
        return self.entity(self.collection.create(practice_id, entity_id, dict(fields)))

    def update(self, practice_id: str, entity_id: str, changes: Mapping[str, Any], *, expected_version: int,
               **conditions: Any) -> T:
        """Set (None: remove) the fields in `changes` if the entity is still at `expected_version`."""
        return self.entity(self.collection.update(practice_id, entity_id, dict(changes),
                                                  expected_version=expected_version, **conditions))

    def delete(self, practice_id: str, entity_id: str, *, expected_version: int, **conditions: Any) -> None:
        """Delete the entity if it is still at `expected_version`."""
        self.collection.delete(practice_id, entity_id, expected_version=expected_version, **conditions)

    def page(self, practice_id: str, *, limit: int,
             start_key: dict[str, Any] | None) -> tuple[list[T], dict[str, Any] | None]:
        """One page of the practice's entities in id order, and the key to continue from."""
        found = self.collection.list(practice_id, limit=limit, start_key=start_key)
        return [self.entity(i) for i in found.items], found.last_key

    def all(self, practice_id: str, *, consistent: bool = False) -> list[T]:
        """Every entity of this kind in the practice (small kinds only)."""
        return [self.entity(i) for i in self.collection.all(practice_id, consistent=consistent)]


def get_each(practice_id: str, wanted: list[tuple[Collection, str]]) -> list[dict[str, Any] | None]:
    """Entities of several kinds in one BatchGetItem, in the order asked (None: not found):
    a request's references checked in one read."""
    return items.get_many([collection.key(practice_id, entity_id) for collection, entity_id in wanted])


LOCATIONS = Collection("LOC", "Location")
ROOMS = Collection("ROOM", "Room")
USERS = Collection("USER", "User")
USER_EMAILS = Collection("USEREMAIL", "User email")
BILLING_CODES = Collection("CODE", "Billing code")
DIAGNOSIS_CODES = Collection("DX", "Diagnosis code")
CLIENTS = Collection("CLIENT", "Client")
PACK_TEMPLATES = Collection("PACKTPL", "Pack template")
GROUPS = Collection("GROUP", "Group")
NOTE_TEMPLATES = Collection("NOTETPL", "Note template")
PAYERS = Collection("PAYER", "Payer")
CLAIMS = Collection("CLAIM", "Claim")
CLAIM_EXPORTS = Collection("CLAIMEXPORT", "Claim export")
