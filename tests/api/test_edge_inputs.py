"""Input edges through the API, as classes: every JSON shape and size a client can send
(wrong types for each field, null, nested junk, huge strings and numbers, NaN/Infinity,
duplicate keys, bytes that are not UTF-8, deep nesting, empty bodies, arrays, unknown fields)
is a 400/422 problem naming the field, never a 500, and writes nothing; every text a person
can type into a name (any script, combining marks, emoji, right-to-left, O'Brien and
Nguyễn-Smith, zero-width characters, very long, spaces around) is kept or refused by field,
and a client so named is found by searching the start of its last name."""
from __future__ import annotations

import json
import os
import unicodedata
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import PRACTICE_A, USERS

EXAMPLES = int(os.environ.get("CASELOAD_EDGE_EXAMPLES", "8"))
API_SETTINGS = settings(max_examples=EXAMPLES * 3, deadline=None,
                        derandomize="CASELOAD_EDGE_EXAMPLES" not in os.environ,
                        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# A valid body for each create route, and the list that shows what was written.
CREATES = {
    "/v1/clients": ({"first_name": "Jamie", "last_name": "Rivera", "date_of_birth": "1990-02-28"}, "/v1/clients"),
    "/v1/groups": ({"name": "Tuesday group", "initials": "TG", "practitioner_id": USERS[PRACTICE_A]["practitioner"]},
                   "/v1/groups"),
    "/v1/locations": ({"name": "Annex", "place_of_service": "11"}, "/v1/locations"),
    "/v1/pack-templates": ({"name": "Ten", "measure": "sessions", "quantity": "10", "price": "900.00",
                            "validity": {"amount": 3, "unit": "months"}}, "/v1/pack-templates"),
}

junk = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10 ** 30), max_value=10 ** 30),
              st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20),
              st.sampled_from(["", " ", "x" * 100_000, "9" * 400, "1e400", "-0", "0x10", "\u0000", "null"])),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8)

RAW_BODIES = [
    b"", b"null", b"[]", b"[{}]", b'"a string"', b"42", b"true", b"{", b"{}}", b"\xff\xfe{\x00}", b"\xc3\x28",
    b'{"first_name": NaN}', b'{"first_name": Infinity}', b'{"first_name": -Infinity}', b'{"first_name": 1e999}',
    b'{"first_name": "A", "first_name": "B", "last_name": "C"}', b"[" * 5000 + b"]" * 5000,
    b'{"a":' * 3000 + b"1" + b"}" * 3000, b'{"first_name": "' + b"\xed\xa0\x80" + b'", "last_name": "x"}',
    b'{"first_name": "\\ud800", "last_name": "x"}', b"1" * 50_000,
]


def _count(api, path: str) -> int:
    reply = api.get(path + "?limit=100")
    assert reply.status == 200
    return len(reply.body["items"])


def _assert_problem(reply, fields: set[str] | None = None) -> None:
    assert reply.status in (400, 422), (reply.status, reply.body)
    assert reply.headers["content-type"] == "application/problem+json"
    if reply.status == 422 and fields is not None:
        named = {e["field"] for e in reply.body["errors"]}
        assert named and all(any(n == f or n.startswith(f + ".") for f in fields) for n in named), named


@pytest.mark.parametrize("path", sorted(CREATES))
def test_create_with_junk_in_any_field_is_refused_by_field_and_writes_nothing(api, path):
    valid, listing = CREATES[path]

    @API_SETTINGS
    @given(field=st.sampled_from([*sorted(valid), "unknown_field"]), value=junk)
    def check(field, value):
        before = _count(api, listing)
        reply = api.post(path, {**valid, field: value})
        if reply.status == 201:  # the junk happened to be valid for that field
            return
        _assert_problem(reply, {f"body.{field}", "body"})
        assert _count(api, listing) == before

    check()


@pytest.mark.parametrize("raw", RAW_BODIES, ids=lambda b: repr(b[:24]))
def test_create_with_a_malformed_body_is_a_problem_and_writes_nothing(api, raw):
    before = _count(api, "/v1/clients")
    token = api.token("admin")
    response = api.client.http.post("/v1/clients", body=raw, headers={
        "Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    assert response.status_code in (400, 422), (response.status_code, response.body[:300])
    assert response.headers["Content-Type"] == "application/problem+json"
    body = json.loads(response.body)
    assert body["status"] == response.status_code and body["detail"]
    assert _count(api, "/v1/clients") == before


# What people type into a name: letters of any script with their marks, apostrophes and
# hyphens, emoji, right-to-left text, zero-width joiners and marks, spaces around.
name_chars = st.characters(categories=["L", "M", "Nd", "Zs", "So"],
                           include_characters="'\u2019-\u2010. \u200b\u200c\u200d\u200e\u200f\ufeff")
typed_names = st.one_of(
    st.sampled_from(["O'Brien", "O\u2019Brien", "Nguyễn-Smith", "Nguyễn-Smith", "José", "Jose\u0301",
                     "Zoë", "محمد", "שרה", "Ægir", "Łukasz", "李", "👩‍⚕️ Sam", " Jamie ",
                     "Ann-\u200bMarie", "de la Cruz", "ß", "İstanbul", "X" * 200, "X" * 201, "", "   ",
                     "\u200b"]),
    st.text(name_chars, min_size=1, max_size=60))


def _searchable(name: str) -> str:
    """The start of a name as a person types it into search: its first three characters as
    written (apostrophes and hyphens included), lower case; none when they hold no letter."""
    start = unicodedata.normalize("NFC", name.strip())[:3].lower()
    return start if any(unicodedata.category(c).startswith("L") for c in start) else ""


def test_client_name_any_text_is_kept_or_refused_and_found_by_search(api):
    @API_SETTINGS
    @given(first=typed_names, last=typed_names)
    def check(first, last):
        reply = api.post("/v1/clients", {"first_name": first, "last_name": last})
        if reply.status != 201:
            _assert_problem(reply, {"body.first_name", "body.last_name"})
            return
        stored = api.get(f"/v1/clients/{reply.body['id']}")
        assert stored.status == 200, stored.body
        assert stored.body["last_name"].strip() and stored.body["first_name"].strip(), stored.body
        prefix = _searchable(stored.body["last_name"])
        if prefix:
            found = api.get("/v1/clients?limit=100&q=" + quote(prefix))
            assert found.status == 200, found.body
            assert reply.body["id"] in [c["id"] for c in found.body["items"]], (last, prefix)

    check()


def test_group_name_any_text_is_kept_or_refused_by_field(api):
    @API_SETTINGS
    @given(name=typed_names)
    def check(name):
        reply = api.post("/v1/groups", {"name": name, "initials": "GR",
                                        "practitioner_id": USERS[PRACTICE_A]["practitioner"]})
        if reply.status != 201:
            _assert_problem(reply, {"body.name"})
            return
        stored = api.get(f"/v1/groups/{reply.body['id']}")
        assert stored.status == 200 and stored.body["name"].strip(), stored.body

    check()
