"""Every response that returns an entity carries its ETag, generated from the route table: a
route added later is audited without anyone remembering to. A result that wraps the entity it
created or changed names it (`versioned_entity`) or repeats its `version`; either way the ETag
is that entity's version, so a client can change what it just created without another read."""
from __future__ import annotations

import re
import typing
from typing import Any

import pytest
from pydantic import BaseModel

from chalicelib.http import OPERATIONS, Operation, Reply, _run, version_of
from chalicelib.models.common import Output
from tests.api.test_route_coverage import _path_for, _required_query, a_only  # noqa: F401 - a fixture
from tests.conftest import Api

# Results that hold several entities, each with its own version: no single ETag fits them.
MULTI_ENTITY = {
    "GroupAttendance": "one mark per member, each with its own version",
}


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    found = [m for arg in typing.get_args(annotation) for m in _models_in(arg)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found.append(annotation)
    return found


def _holds_an_entity(model: type[BaseModel]) -> bool:
    return any("version" in inner.model_fields for field in model.model_fields.values()
               for inner in _models_in(field.annotation))


SINGLE = [op for op in OPERATIONS if op.response is not None and not op.paginated]


@pytest.mark.parametrize("op", SINGLE, ids=lambda op: f"{op.method} {op.path}")
def test_response_holding_an_entity_says_which_version_its_etag_is(op: Operation):
    model = op.response
    if "version" in model.model_fields or model.__name__ in MULTI_ENTITY or not _holds_an_entity(model):
        return
    held = getattr(model, "versioned_entity", None)
    assert held in model.model_fields, f"{model.__name__} returns an entity: declare versioned_entity"
    assert any("version" in m.model_fields for m in _models_in(model.model_fields[held].annotation))


def test_wrapper_naming_its_entity_answers_with_the_entity_etag():
    class Entity(Output):
        id: str
        version: int

    class Changed(Output):
        versioned_entity = "entity"
        entity: Entity
        note: str

    class ManyChanged(Output):
        versioned_entity = "entities"
        entities: list[Entity]

    op = next(op for op in OPERATIONS if op.method == "GET" and op.path == "/v1/locations/{location_id}")
    call = type("Call", (), {"params": {}})()
    single = _run(op, lambda _: Changed(entity=Entity(id="e", version=7), note="n"), call)
    assert single.headers["ETag"] == '"7"'
    many = _run(op, lambda _: Reply(ManyChanged(entities=[Entity(id="a", version=2), Entity(id="b", version=5)])),
                call)
    assert many.headers["ETag"] == '"2"'
    assert version_of(ManyChanged(entities=[])) is None


def _operation_of(method: str, path: str) -> Operation | None:
    bare = path.split("?")[0]
    for op in OPERATIONS:
        if op.method == method and re.fullmatch(re.sub(r"{\w+}", "[^/]+", op.path), bare):
            return op
    return None


def _expected_version(op: Operation, body: Any) -> int | None:
    if not isinstance(body, dict) or op.response is None or op.paginated:
        return None
    held = getattr(op.response, "versioned_entity", None)
    if held:
        entity = body.get(held)
        entity = entity[0] if isinstance(entity, list) and entity else entity
        return entity.get("version") if isinstance(entity, dict) else None
    return body.get("version") if isinstance(body.get("version"), int) else None


@pytest.fixture
def recorded(monkeypatch) -> list[tuple[str, str, Any]]:
    """Every request the Api client makes in this test, with its reply."""
    seen: list[tuple[str, str, Any]] = []
    call = Api.call

    def recording(self, method, path, *args, **kwargs):
        reply = call(self, method, path, *args, **kwargs)
        seen.append((method, path, reply))
        return reply

    monkeypatch.setattr(Api, "call", recording)
    return seen


def test_every_create_read_and_update_carries_the_etag_of_its_version(recorded, api, a_only):  # noqa: F811
    # a_only has created one of everything (recorded); now read each, and send each update.
    for op in OPERATIONS:
        if op.method == "GET" and op.path_params and not op.paginated and not _required_query(op):
            api.get(_path_for(op, a_only))
    for op in OPERATIONS:
        if op.method == "PATCH" and op.path_params:
            path = _path_for(op, a_only)
            current = api.get(path)
            if current.status == 200 and "etag" in current.headers:
                api.patch(path, {}, if_match=current.etag)
    audited, missing = [], []
    for method, path, reply in recorded:
        op = _operation_of(method, path)
        if op is None or not 200 <= reply.status < 300:
            continue
        expected = _expected_version(op, reply.body)
        if expected is None:
            continue
        audited.append(op.operation_id)
        if reply.headers.get("etag") != f'"{expected}"':
            missing.append(f"{method} {path}: ETag {reply.headers.get('etag')}, version {expected}")
    assert missing == []
    creates = {op.operation_id for op in OPERATIONS if op.method == "POST"}
    assert len(set(audited) & creates) >= 10 and len(set(audited) - creates) >= 15, sorted(set(audited))
