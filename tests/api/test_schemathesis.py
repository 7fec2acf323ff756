"""Schemathesis over the whole OpenAPI document (/v1/openapi.json): every operation, valid and
invalid inputs, as every role of the demo practice. No answer is a 5xx, every answer has a
documented status, content type, headers and body schema, and a role the route table refuses
gets 403.

The app runs in process over moto (chalice's LocalGateway behind a small WSGI adapter), with
the demo practice seeded and one of everything created, so a share of the cases reach real
ids (and, for conditional writes, the real ETag) instead of only 404s.

Budget: CASELOAD_FUZZ_EXAMPLES examples per operation for the admin pass (default 8; `make
fuzz` sets it much higher), a third of that per allowed operation for the other roles, 2 per
refused one. Without the variable the run is derandomized, so `make test` is repeatable.
"""
from __future__ import annotations

import os
import random
import re
from collections.abc import Callable, Iterator
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.conftest import Api, reset_caches

EXAMPLES = int(os.environ.get("CASELOAD_FUZZ_EXAMPLES", "6"))
FUZZING = "CASELOAD_FUZZ_EXAMPLES" in os.environ
ROLES = ("admin", "practitioner", "front_desk", "billing")


class ChaliceWSGI:
    """A WSGI app in front of chalice's LocalGateway, so schemathesis can call the app in process."""

    def __init__(self, http: Any) -> None:
        self.http = http

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterator[bytes]:
        # The raw target, as a gateway would see it (PATH_INFO is already percent-decoded).
        target = environ.get("RAW_URI") or environ.get("REQUEST_URI") or quote(environ.get("PATH_INFO", ""))
        if "?" not in target and environ.get("QUERY_STRING"):
            target += "?" + environ["QUERY_STRING"]
        headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items()
                   if key.startswith("HTTP_")}
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-").lower()] = environ[key]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        reply = self.http.request(environ["REQUEST_METHOD"], target, headers=headers, body=body)
        phrase = HTTPStatus(reply.status_code).phrase
        start_response(f"{reply.status_code} {phrase}", list(reply.headers.items()))
        return iter([reply.body or b""])


class DemoApi(Api):
    """The conftest client, signing as the demo practice's users."""

    def token(self, role: str = "admin", practice: str = "") -> str:
        from chalicelib.auth import issue_local_token
        from devtools.seed import DEMO_PRACTICE_ID, DEMO_USERS

        return issue_local_token(practice_id=DEMO_PRACTICE_ID, user_id=DEMO_USERS[role], role=role)


def _created(reply: Any) -> dict:
    assert reply.status == 201, reply.body
    return reply.body


class World:
    """One of everything in the demo practice, as sets of path ids that belong together
    (a client with its pack, authorization, session, invoice and appointment; a group with a
    member and a session), plus fresh ones for operations that delete what they reach."""

    def __init__(self, api: DemoApi) -> None:
        from devtools.seed import DEMO_PRACTICE_ID, DEMO_USERS

        self.api = api
        self.practitioner = DEMO_USERS["practitioner"]
        self.location, self.room = f"loc_{DEMO_PRACTICE_ID}_main", f"room_{DEMO_PRACTICE_ID}_1"
        self.serial = 0
        self.bundles: list[dict[str, str]] = []
        template = _created(api.post("/v1/pack-templates", {"name": "Ten", "measure": "sessions", "quantity": "10",
                                                            "price": "900.00"}))
        note_template = _created(api.post("/v1/note-templates", {"name": "SOAP", "fields": [
            {"key": "mood", "label": "Mood", "type": "text"}]}))
        _created(api.post("/v1/diagnosis-codes", {"code": "F41.1", "system": "ICD-10", "description": "Anxiety"}))
        _created(api.post("/v1/billing-codes", {"code": "H2019", "description": "Behavioural", "default_minutes": 15,
                                                "default_charge": "30.00", "unit_minutes": 15}))
        self.bundles += [{"template_id": template["id"]}, {"note_template_id": note_template["id"]},
                         {"code": "F41.1", "kind": "diagnosis"}, {"code": "90837", "kind": "billing"},
                         {"code": "H2019", "kind": "billing"}, {"location_id": self.location},
                         {"room_id": self.room}, {"user_id": self._user()}]
        for _ in range(2):
            self.bundles.append(self._client_kit(template["id"]))
        self.bundles.append(self._group_kit())
        self.bundles.append({"note_id": self._note(self.bundles[-2]["client_id"])})

    def _next(self) -> int:
        self.serial += 1
        return self.serial

    def _user(self) -> str:
        n = self._next()
        return _created(self.api.post("/v1/users", {"email": f"extra{n}@demo.example", "first_name": "Extra",
                                                    "last_name": f"User{n}", "role": "practitioner"}))["id"]

    def _client(self) -> str:
        n = self._next()
        return _created(self.api.post("/v1/clients", {"first_name": "Fuzz", "last_name": f"Client{n}",
                                                      "email": f"client{n}@demo.example",
                                                      "practitioner_id": self.practitioner}))["id"]

    def _note(self, client_id: str) -> str:
        return _created(self.api.post("/v1/notes", {"client_id": client_id, "body": "<p>ok</p>"},
                                      role="practitioner"))["id"]

    def _client_kit(self, template_id: str) -> dict[str, str]:
        api, client_id, n = self.api, self._client(), self._next()
        pack = _created(api.post(f"/v1/clients/{client_id}/packs", {"template_id": template_id}))
        authorization = _created(api.post(f"/v1/clients/{client_id}/authorizations", {
            "payer": "Acme Health", "begin_on": "2026-01-01", "end_on": "2027-12-31", "allowed": "12",
            "number": f"PA-{n}"}))
        session = _created(api.post(f"/v1/clients/{client_id}/sessions", {
            "date_of_service": "2026-11-20", "billing_code": "90837"}))["session"]
        invoice = _created(api.post(f"/v1/clients/{client_id}/invoices", {"session_id": session["id"]}))
        _created(api.post(f"/v1/clients/{client_id}/charges", {"session_ref": f"visit-{n}", "date": "2026-11-21",
                                                               "billing_code": "90837"}))
        appointment = _created(api.post("/v1/appointments", {
            "client_id": client_id, "practitioner_id": self.practitioner, "location_id": self.location,
            "start": f"2026-12-{n % 28 + 1:02d}T10:00:00", "end": f"2026-12-{n % 28 + 1:02d}T10:50:00",
            "billing_code": "90837", "recurrence": {"frequency": "weekly", "count": 3}}))["appointments"][0]
        return {"client_id": client_id, "pack_id": pack["id"], "authorization_id": authorization["id"],
                "session_id": session["id"], "session_ref": f"visit-{n}", "invoice_id": invoice["id"],
                "appointment_id": appointment["id"]}

    def _group_kit(self) -> dict[str, str]:
        api = self.api
        group = _created(api.post("/v1/groups", {"name": "Tuesday group", "initials": "TG",
                                                 "practitioner_id": self.practitioner}))
        client_id = self._client()
        _created(api.post(f"/v1/groups/{group['id']}/members", {"client_id": client_id,
                                                                 "since": "2020-01-01T00:00:00Z"}))
        session = _created(api.post(f"/v1/groups/{group['id']}/appointments", {
            "location_id": self.location, "start": "2026-12-02T18:00:00", "end": "2026-12-02T19:30:00",
            "recurrence": {"frequency": "weekly", "count": 2}}))["appointments"][0]
        api.post(f"/v1/appointments/{session['id']}/attendance", {"all_attended": True})
        return {"group_id": group["id"], "client_id": client_id, "appointment_id": session["id"]}

    def ids_for(self, path: str, names: set[str], *, fresh: bool, rnd: random.Random) -> dict[str, str] | None:
        """Real ids for a path's parameters: an existing set, or a new one for a delete."""
        if fresh:
            made = self._fresh(path, names)
            if made is not None:
                return made
        kind = "diagnosis" if "diagnosis" in path else "billing"
        fits = [b for b in self.bundles if names <= b.keys() and b.get("kind", kind) == kind]
        return {k: v for k, v in rnd.choice(fits).items() if k in names} if fits else None

    def _fresh(self, path: str, names: set[str]) -> dict[str, str] | None:
        api, n = self.api, self._next()
        if names == {"client_id"}:
            return {"client_id": self._client()}
        if names == {"user_id"}:
            return {"user_id": self._user()}
        if names == {"location_id"}:
            return {"location_id": _created(api.post("/v1/locations", {"name": f"Annex {n}"}))["id"]}
        if names == {"room_id"}:
            return {"room_id": _created(api.post("/v1/rooms", {"name": f"Room {n}",
                                                               "location_ids": [self.location]}))["id"]}
        if names == {"note_id"}:
            return {"note_id": self._note(self._client())}
        if names == {"code"} and "billing" in path:
            code = f"LOCAL-{n}"
            _created(api.post("/v1/billing-codes", {"code": code, "description": "Local", "default_minutes": 30,
                                                    "default_charge": "40.00"}))
            return {"code": code}
        if names == {"group_id", "client_id"}:
            # A group of its own each time: a delete that a generated case does not carry out
            # leaves its member in, and one shared group would fill to MAX_MEMBERS (409 here).
            group_id = _created(api.post("/v1/groups", {"name": f"Group {n}", "initials": "FG",
                                                        "practitioner_id": self.practitioner}))["id"]
            client_id = self._client()
            _created(api.post(f"/v1/groups/{group_id}/members", {"client_id": client_id}))
            return {"group_id": group_id, "client_id": client_id}
        if names == {"client_id", "pack_id"}:
            client_id = self._client()
            pack = _created(api.post(f"/v1/clients/{client_id}/packs", {"name": "Five", "measure": "sessions",
                                                                        "limit": "5", "price": "500"}))
            return {"client_id": client_id, "pack_id": pack["id"]}
        if names == {"client_id", "authorization_id"}:
            client_id = self._client()
            authorization = _created(api.post(f"/v1/clients/{client_id}/authorizations", {
                "payer": "Acme", "begin_on": "2026-01-01", "end_on": "2026-12-31", "allowed": "6"}))
            return {"client_id": client_id, "authorization_id": authorization["id"]}
        if names == {"client_id", "session_id"}:
            client_id = self._client()
            session = _created(api.post(f"/v1/clients/{client_id}/sessions", {
                "date_of_service": "2026-11-20", "billing_code": "90834"}))["session"]
            return {"client_id": client_id, "session_id": session["id"]}
        return None

    def aim(self, case: Any, path: str, method: str, names: set[str], *, etag: bool, rnd: random.Random) -> None:
        """Point a generated case at what exists: real path ids, real ids in the body, the ETag."""
        ids: dict[str, str] = {}
        if names:
            ids = self.ids_for(path, names, fresh=method == "DELETE" or (path, method) in DESTRUCTIVE, rnd=rnd) or {}
            case.path_parameters = {**(case.path_parameters or {}), **ids}
        if isinstance(case.body, dict):
            kits = [b for b in self.bundles if "pack_id" in b]
            known = {**{k: v for b in self.bundles for k, v in b.items() if k != "code"},
                     **rnd.choice(kits), **ids, "practitioner_id": self.practitioner, "billing_code": "90837",
                     "source_pack_id": rnd.choice(kits)["pack_id"]}
            case.body = {k: known.get(k, v) if isinstance(v, str) or v is None else v for k, v in case.body.items()}
        if etag and (path, method) not in NO_REAL_ETAG:
            tag = self.etag(path.format(**(case.path_parameters or {})))
            if tag:
                case.headers = {**(case.headers or {}), "If-Match": tag}

    def etag(self, path: str) -> str | None:
        """The ETag of what a conditional request at `path` changes: the path, or its parent."""
        parts = path.split("/")
        for end in range(len(parts), 2, -1):
            reply = self.api.get("/".join(parts[:end]))
            if reply.status == 200 and "etag" in reply.headers:
                return reply.headers["etag"]
        return None


@pytest.fixture(scope="module")
def fuzz_world() -> Iterator[tuple[Any, World]]:
    """moto with the real tables, the demo practice and one of everything; the schema as served."""
    from chalice.test import Client
    from moto import mock_aws

    from app import app
    from chalicelib.config import get_settings
    from chalicelib.store import dynamo
    from devtools.seed import seed_demo
    from devtools.tables import create_tables

    with pytest.MonkeyPatch.context() as patch, mock_aws():
        patch.delenv("CASELOAD_DYNAMODB_ENDPOINT", raising=False)
        patch.setenv("CASELOAD_AUTH_MODE", "local")
        patch.setenv("CASELOAD_ATTENDANCE_WORKERS", "1")
        reset_caches()
        create_tables(dynamo.client(), get_settings())
        seed_demo()
        with Client(app) as client:
            world = World(DemoApi(client))
            schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", ChaliceWSGI(client.http))
            yield schema, world
    reset_caches()


def _operations() -> list[tuple[str, str]]:
    import app  # noqa: F401 - registers every route before the document is built
    from chalicelib.openapi import document

    return sorted((path, method.upper()) for path, ops in document()["paths"].items() for method in ops)


def _allowed(path: str, method: str) -> frozenset[str]:
    from chalicelib.http import OPERATIONS

    for op in OPERATIONS:
        if op.path == path and op.method == method:
            return frozenset(r.value for r in op.roles)
    return frozenset(ROLES)  # the document itself is public


# Closing the practice with the right ETag would make every later write a 409: it is fuzzed
# with generated If-Match values only (closure has its own tests in test_closure.py).
NO_REAL_ETAG = {("/v1/practice/close", "POST")}
DESTRUCTIVE = {("/v1/groups/{group_id}/members/{client_id}", "DELETE"),
               ("/v1/clients/{client_id}/groups/{group_id}", "DELETE")}


def _checks() -> list[Any]:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_headers_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    return [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
            response_schema_conformance]


def _budget(role: str, allowed: bool) -> int:
    if role == "admin":
        return EXAMPLES
    # The role check comes before parsing: one refused example shows it; allowed ones vary little by role.
    return max(1, EXAMPLES // 3) if allowed else 1


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("path", "method"), _operations())
def test_operation_conforms_to_openapi_for_role(fuzz_world, path, method, role):
    schema, world = fuzz_world
    operation = schema[path][method]
    allowed = role in _allowed(path, method)
    token = world.api.token(role)
    names = set(re.findall(r"{(\w+)}", path))
    conditional = any(p.name == "If-Match" for p in operation.headers)
    cases = st.sampled_from([GenerationMode.POSITIVE, GenerationMode.NEGATIVE]).flatmap(
        lambda mode: operation.as_strategy(generation_mode=mode))

    @settings(max_examples=_budget(role, allowed), deadline=None, derandomize=not FUZZING, database=None,
              suppress_health_check=list(HealthCheck), print_blob=True)
    @given(case=cases, aim=st.integers(0, 3), seed=st.integers(0, 2**16))
    def run(case, aim, seed):
        # aim 0: everything as generated; 1-3: real ids in the path and body; 1-2: the real ETag.
        if allowed and aim:
            world.aim(case, path, method, names, etag=conditional and aim < 3, rnd=random.Random(seed))
        response = case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=_checks())
        if not allowed and "authorization" in {h.lower() for h in response.request.headers}:
            assert response.status_code == 403, (role, method, path, response.status_code, response.text[:300])

    run()


# What the fuzzer found, kept as plain requests so each stays red until its fix lands.

def test_update_appointment_with_null_telehealth_is_refused_and_leaves_it_readable(api):
    """Found by schemathesis: PATCH {"telehealth": null} answered 500 after writing the null,
    and every later read of that appointment answered 500."""
    from tests.api.entitlement_helpers import make_client
    from tests.conftest import PRACTICE_A, USERS

    client = make_client(api)
    booked = api.post("/v1/appointments", {
        "client_id": client["id"], "practitioner_id": USERS[PRACTICE_A]["practitioner"],
        "location_id": f"loc_{PRACTICE_A}_main", "start": "2026-12-01T10:00:00", "end": "2026-12-01T10:50:00",
        "billing_code": "90837"}).body["appointments"][0]
    path = f"/v1/appointments/{booked['id']}"
    for field in ("telehealth", "practitioner_id", "billing_code"):
        current = api.get(path)
        reply = api.patch(path, {field: None}, if_match=current.etag)
        assert reply.status in (200, 422), (field, reply.status, reply.body)
        if reply.status == 422:
            assert reply.body["errors"][0]["field"] == f"body.{field}"
        after = api.get(path)
        assert after.status == 200 and after.body[field] is not None, (field, after.status)
