"""Request bodies and queries are read as JSON means them, as a class: an id or code a request
names is never blank, never longer than a path parameter (128) and never holds the key
separator '#'; a flag is only true or false; a count is only a JSON number (a query's only
ASCII digits); a quantity's text only ASCII digits; a date only ISO text. Anything else is a
422 naming the field, never a ghost record, a 500 or a lax guess ("yes" read as true,
"\uff11\uff10" as 10, 0 as 1970-01-01)."""
from __future__ import annotations

import importlib
import pkgutil
import types
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

import chalicelib.models
from chalicelib.models.common import Input
from tests.api.entitlement_helpers import make_client, make_pack, make_template
from tests.api.group_helpers import LOCATION, PRACTITIONER, make_group
from tests.conftest import PRACTICE_A, USERS

LONG = "x" * 10_000
FULL_WIDTH_TEN = "\uff11\uff10"


def _booking(**fields: Any) -> dict:
    return {"practitioner_id": PRACTITIONER, "location_id": LOCATION, "start": "2026-12-01T10:00:00",
            "end": "2026-12-01T10:50:00", "billing_code": "90834", **fields}


def _fields(reply) -> list[str]:
    assert reply.status == 422, (reply.status, reply.body)
    assert reply.headers["content-type"] == "application/problem+json"
    return [e["field"] for e in reply.body["errors"]]


# ---- what the QA walk found, through HTTP ----

def test_booking_with_a_blank_client_id_is_422_and_books_nothing(api):
    client = make_client(api)
    assert _fields(api.post("/v1/appointments", _booking(client_id=""))) == ["body.client_id"]
    listed = api.get(f"/v1/appointments?client_id={client['id']}&from=2026-12-01&to=2026-12-01")
    assert listed.status == 200 and listed.body["items"] == []


@pytest.mark.parametrize("field", ["client_id", "practitioner_id", "location_id", "room_id"])
def test_booking_with_a_10k_character_id_is_422_not_500(api, field):
    client = make_client(api)
    reply = api.post("/v1/appointments", _booking(**{"client_id": client["id"], field: LONG}))
    assert _fields(reply) == [f"body.{field}"]
    # Refused by its length before any read: DynamoDB itself answers a key over 1-2 KB with a 500
    # (moto does not, so the reason is what tells the two apart here).
    assert "128" in reply.body["errors"][0]["reason"]


@pytest.mark.parametrize("value", ["", "   ", LONG, "usr#1"])
def test_client_with_a_blank_long_or_keyed_practitioner_id_is_422_and_writes_nothing(api, value):
    before = api.get("/v1/clients?limit=100").body["items"]
    reply = api.post("/v1/clients", {"first_name": "A", "last_name": "B", "practitioner_id": value})
    assert _fields(reply) == ["body.practitioner_id"]
    assert "does not exist" not in reply.body["errors"][0]["reason"]  # refused as sent, before any read
    assert api.get("/v1/clients?limit=100").body["items"] == before


def test_invoice_for_a_blank_session_id_is_422_naming_it_not_404(api):
    client = make_client(api)
    reply = api.post(f"/v1/clients/{client['id']}/invoices", {"session_id": ""})
    assert _fields(reply) == ["body.session_id"]


def test_pack_closed_sent_as_a_string_is_422_and_the_pack_stays_open(api):
    client = make_client(api)
    pack = make_pack(api, client["id"], template_id=make_template(api)["id"])
    path = f"/v1/clients/{client['id']}/packs/{pack['id']}"
    for value in ("yes", "true", 1):
        assert _fields(api.patch(path, {"closed": value}, if_match=api.get(path).etag)) == ["body.closed"]
    assert api.get(path).body["status"] != "closed"


@pytest.mark.parametrize("limit", [" 5 ", FULL_WIDTH_TEN, "1e1", True])
def test_pack_limit_with_spaces_full_width_digits_or_a_flag_is_422_and_changes_nothing(api, limit):
    client = make_client(api)
    pack = make_pack(api, client["id"], template_id=make_template(api)["id"])
    path = f"/v1/clients/{client['id']}/packs/{pack['id']}"
    assert _fields(api.patch(path, {"limit": limit}, if_match=api.get(path).etag)) == ["body.limit"]
    assert api.get(path).body["limit"] == pack["limit"]


def test_pack_limit_as_a_decimal_string_or_a_number_is_still_taken(api):
    client = make_client(api)
    pack = make_pack(api, client["id"], template_id=make_template(api)["id"])
    path = f"/v1/clients/{client['id']}/packs/{pack['id']}"
    assert api.patch(path, {"limit": "12"}, if_match=api.get(path).etag).status == 200
    assert api.patch(path, {"limit": 14}, if_match=api.get(path).etag).status == 200
    assert Decimal(str(api.get(path).body["limit"])) == 14


@pytest.mark.parametrize("minutes", [True, "50", " 50 ", 50.5])
def test_session_minutes_that_are_not_a_json_whole_number_are_422_and_write_nothing(api, minutes):
    client = make_client(api)
    path = f"/v1/clients/{client['id']}/sessions"
    reply = api.post(path, {"date_of_service": "2026-11-20", "billing_code": "90834", "minutes": minutes})
    assert _fields(reply) == ["body.minutes"]
    assert api.get(path).body["items"] == []


def test_session_minutes_as_a_json_number_with_a_zero_fraction_is_taken(api):
    client = make_client(api)
    reply = api.post(f"/v1/clients/{client['id']}/sessions",
                     {"date_of_service": "2026-11-20", "billing_code": "90834", "minutes": 50.0})
    assert reply.status == 201, reply.body
    assert reply.body["session"]["minutes"] == 50


def test_member_since_a_date_alone_is_422_saying_to_send_its_utc_offset(api):
    group, client = make_group(api), make_client(api)
    reply = api.post(f"/v1/groups/{group['id']}/members", {"client_id": client["id"], "since": "2026-11-01"})
    assert _fields(reply) == ["body.since"]
    assert "offset" in reply.body["errors"][0]["reason"] and "e.g." in reply.body["errors"][0]["reason"]


def test_member_since_in_the_future_is_422_saying_it_is_in_the_future(api):
    group, client = make_group(api), make_client(api)
    reply = api.post(f"/v1/groups/{group['id']}/members",
                     {"client_id": client["id"], "since": "2999-01-01T00:00:00Z"})
    assert _fields(reply) == ["body.since"]
    assert "future" in reply.body["errors"][0]["reason"]


@pytest.mark.parametrize("query, field", [
    ("/v1/appointments?practitioner_id=&from=2026-12-01&to=2026-12-02", "query.practitioner_id"),
    (f"/v1/appointments?practitioner_id={LONG}&from=2026-12-01&to=2026-12-02", "query.practitioner_id"),
    ("/v1/reports/pack-expiry?practitioner_id=", "query.practitioner_id"),
    ("/v1/reports/authorizations?practitioner_id=%20", "query.practitioner_id"),
    ("/v1/notes?client_id=", "query.client_id"),
    ("/v1/invoices?client_id=", "query.client_id"),
    ("/v1/claims?payer_id=", "query.payer_id"),
    ("/v1/clients?limit=true", "query.limit"),
    ("/v1/clients?limit=%205%20", "query.limit"),
    (f"/v1/clients?limit={FULL_WIDTH_TEN}", "query.limit"),
    ("/v1/payers?limit=5.0", "query.limit"),
    ("/v1/clients?include_archived=yes", "query.include_archived"),
    ("/v1/clients?include_archived=1", "query.include_archived"),
    ("/v1/reports/authorizations?include_expired=on", "query.include_expired"),
    ("/v1/reports/pack-sales?from=0&to=2026-01-01", "query.from"),
])
def test_query_with_a_blank_id_or_a_loose_flag_or_count_is_422_naming_it(api, query, field):
    assert field in _fields(api.get(query))


def test_query_flags_and_counts_as_plain_text_are_still_taken(api):
    make_client(api, archived=True)
    reply = api.get("/v1/clients?include_archived=true&limit=5")
    assert reply.status == 200 and len(reply.body["items"]) == 1
    assert api.get("/v1/clients?include_archived=false&limit=5").body["items"] == []


def test_group_shared_with_a_blank_practitioner_is_422_naming_the_entry(api):
    reply = api.post("/v1/groups", {"name": "G", "initials": "G", "practitioner_id": PRACTITIONER,
                                    "shared_with": [USERS[PRACTICE_A]["admin"], ""]})
    assert _fields(reply) == ["body.shared_with.1"]


# ---- the same rules over every request model, as a class ----

def _request_models() -> list[type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    for info in pkgutil.iter_modules(chalicelib.models.__path__):
        module = importlib.import_module(f"chalicelib.models.{info.name}")
        for value in vars(module).values():
            if (isinstance(value, type) and issubclass(value, Input) and value.__module__ == module.__name__
                    and value.model_config.get("extra") == "forbid"):  # ClientSession is a response
                found[f"{info.name}:{value.__name__}"] = value
    return [found[k] for k in sorted(found)]


REQUEST_MODELS = _request_models()


def _unwrap(annotation: Any) -> Any:
    """The type a field holds, without Optional and Annotated."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
        elif get_origin(annotation) in (Union, types.UnionType):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        else:
            return annotation


def _shaped(annotation: Any, value: Any) -> Any:
    """The value where the field holds it: itself, a list's entry, or a dict's key."""
    held = _unwrap(annotation)
    if get_origin(held) is list:
        return [value]
    if get_origin(held) is dict:
        return {value: "x"}
    return value


def _element(annotation: Any) -> Any:
    held = _unwrap(annotation)
    return _unwrap(get_args(held)[0]) if get_origin(held) in (list, dict) else held


def _adapter(model: type[BaseModel], name: str) -> TypeAdapter:
    info = model.model_fields[name]
    return TypeAdapter(Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation)


def _is_query(model: type[BaseModel]) -> bool:
    return model.__name__.endswith("Query")


def _fields_where(test) -> list[tuple[str, str]]:
    return [(f"{m.__module__.rsplit('.', 1)[1]}:{m.__name__}", name) for m in REQUEST_MODELS
            for name, info in m.model_fields.items() if test(m, name, info)]


def _model(ref: str) -> type[BaseModel]:
    module, name = ref.split(":")
    return getattr(importlib.import_module(f"chalicelib.models.{module}"), name)


_CODE_FIELDS = {"billing_code", "default_billing_code", "code", "codes", "add_on_codes", "primary_diagnosis",
                "additional_diagnoses", "modifiers", "place_of_service", "shared_with", "member_parts"}
# Named like ids but free text another system issues: an insurance member id, a tax id.
_NOT_REFERENCES = {("Insurance", "member_id"), ("PracticeUpdate", "tax_id")}
REFERENCES = _fields_where(lambda m, name, info: (m.__name__, name) not in _NOT_REFERENCES
                           and (name.endswith(("_id", "_ids")) or name in _CODE_FIELDS))
FLAGS = _fields_where(lambda m, name, info: _element(info.annotation) is bool)
COUNTS = _fields_where(lambda m, name, info: _element(info.annotation) is int)
DECIMALS = _fields_where(lambda m, name, info: _element(info.annotation) is Decimal)
DAYS = _fields_where(lambda m, name, info: _element(info.annotation) is date)
MOMENTS = _fields_where(lambda m, name, info: _element(info.annotation) is datetime)


def _refused(model: type[BaseModel], name: str, value: Any) -> bool:
    try:
        _adapter(model, name).validate_python(_shaped(model.model_fields[name].annotation, value))
    except ValidationError:
        return True
    return False


def test_the_class_covers_the_fields_the_qa_walk_found():
    assert {("appointments:AppointmentCreate", "client_id"), ("clients:ClientCreate", "practitioner_id"),
            ("invoices:InvoiceCreate", "session_id"), ("groups:GroupCreate", "shared_with")} <= set(REFERENCES)
    assert ("entitlements:PackUpdate", "closed") in FLAGS and ("sessions:SessionCreate", "minutes") in COUNTS
    assert ("entitlements:PackUpdate", "limit") in DECIMALS and ("groups:Joining", "since") in MOMENTS
    assert ("common:ListQuery", "limit") in COUNTS and ("clients:ClientQuery", "include_archived") in FLAGS


@pytest.mark.parametrize("ref, name", REFERENCES, ids=[f"{r}.{n}" for r, n in REFERENCES])
def test_every_field_naming_a_stored_entity_refuses_blank_over_long_and_keyed_values(ref, name):
    model = _model(ref)
    for value in ("", "   ", "a" * 129, LONG, "cli_1#x"):
        assert _refused(model, name, value), repr(value[:20])
    if name.endswith(("_id", "_ids")) or name == "shared_with":
        assert not _refused(model, name, "cli01jb3xyz")


@pytest.mark.parametrize("ref, name", FLAGS, ids=[f"{r}.{n}" for r, n in FLAGS])
def test_every_flag_takes_only_true_or_false(ref, name):
    model = _model(ref)
    loose = ("yes", "1", "on", "True", 1, 0) if _is_query(model) else ("yes", "true", "false", 1, 0, "1")
    for value in loose:
        assert _refused(model, name, value), repr(value)
    for value in (("true", "false") if _is_query(model) else (True, False)):
        assert not _refused(model, name, value)


@pytest.mark.parametrize("ref, name", COUNTS, ids=[f"{r}.{n}" for r, n in COUNTS])
def test_every_count_takes_only_a_number_as_json_or_a_query_sends_it(ref, name):
    model = _model(ref)
    if _is_query(model):
        loose: tuple[Any, ...] = ("true", " 5", "5 ", FULL_WIDTH_TEN, "5.0", "+5", "0x5", "")
        taken: tuple[Any, ...] = ("5",)
    else:
        loose, taken = (True, False, "5", " 5 ", FULL_WIDTH_TEN, 5.5), (5, 5.0)
    for value in loose:
        assert _refused(model, name, value), repr(value)
    for value in taken:
        assert not _refused(model, name, value), repr(value)


@pytest.mark.parametrize("ref, name", DECIMALS, ids=[f"{r}.{n}" for r, n in DECIMALS])
def test_every_quantity_or_amount_refuses_spaced_full_width_or_flag_values(ref, name):
    model = _model(ref)
    for value in (" 5 ", "5 ", FULL_WIDTH_TEN, "1e1", True, "five"):
        assert _refused(model, name, value), repr(value)
    assert not _refused(model, name, "5")


@pytest.mark.parametrize("ref, name", DAYS, ids=[f"{r}.{n}" for r, n in DAYS])
def test_every_date_takes_only_iso_text(ref, name):
    model = _model(ref)
    for value in (0, 1_700_000_000, "1700000000", "2026-11-01T00:00:00", "20261101", True, " 2026-11-01"):
        assert _refused(model, name, value), repr(value)
    assert not _refused(model, name, "2026-11-01")


@pytest.mark.parametrize("ref, name", MOMENTS, ids=[f"{r}.{n}" for r, n in MOMENTS])
def test_every_date_and_time_takes_only_iso_text_with_a_time(ref, name):
    model = _model(ref)
    for value in (0, 1_700_000_000, "1700000000", "2026-11-01", True):
        assert _refused(model, name, value), repr(value)
    assert not _refused(model, name, "2020-11-01T09:00:00Z")
