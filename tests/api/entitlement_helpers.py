"""Small builders for the ledger tests: a client, a template, a pack, an authorization."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.conftest import Api


def make_client(api: Api, first: str = "Jamie", last: str = "Rivera", **extra: Any) -> dict:
    reply = api.post("/v1/clients", {"first_name": first, "last_name": last, **extra})
    assert reply.status == 201, reply.body
    return reply.body


def make_template(api: Api, **fields: Any) -> dict:
    body = {"name": "10 sessions", "measure": "sessions", "quantity": "10", "price": "1500.00", **fields}
    reply = api.post("/v1/pack-templates", body)
    assert reply.status == 201, reply.body
    return reply.body


def make_pack(api: Api, client_id: str, **fields: Any) -> dict:
    reply = api.post(f"/v1/clients/{client_id}/packs", fields)
    assert reply.status == 201, reply.body
    return reply.body


def make_authorization(api: Api, client_id: str, **fields: Any) -> dict:
    body = {"payer": "Acme Health", "begin_on": "2026-01-01", "end_on": "2027-03-31", "allowed": "12",
            "number": "PA-7781", **fields}
    reply = api.post(f"/v1/clients/{client_id}/authorizations", body)
    assert reply.status == 201, reply.body
    return reply.body


def charge(api: Api, client_id: str, ref: str, *, code: str = "90837", on: str = "2026-11-20", **fields: Any):
    return api.post(f"/v1/clients/{client_id}/charges",
                    {"session_ref": ref, "date": on, "billing_code": code, **fields})


_EXPRESSIONS = ("UpdateExpression", "ConditionExpression", "KeyConditionExpression", "FilterExpression",
                "ProjectionExpression")


def expression_faults(request: dict[str, Any]) -> list[str]:
    """What real DynamoDB would refuse in one request's (or transaction action's) expressions
    and moto lets through: a value or name defined but unused, or used but undefined."""
    import re

    text = " ".join(request.get(e, "") for e in _EXPRESSIONS)
    faults = []
    for mark, field in ((":", "ExpressionAttributeValues"), ("#", "ExpressionAttributeNames")):
        defined = set(request.get(field) or {})
        used = set(re.findall(rf"{mark}[A-Za-z0-9_]+", text))
        if field in request and not defined:
            faults.append(f"{field} is empty")
        faults += [f"{field} unused: {k}" for k in sorted(defined - used)]
        faults += [f"{field} undefined: {k}" for k in sorted(used - defined)]
    return faults


@contextmanager
def strict_expressions() -> Iterator[list[str]]:
    """Inside: every DynamoDB request the app makes is checked as real DynamoDB would check
    its expressions; the faults found are collected in the yielded list."""
    from chalicelib.store import dynamo

    faults: list[str] = []

    def check(params: dict[str, Any], model: Any, **_: Any) -> None:
        requests = [next(iter(a.values())) for a in params.get("TransactItems", [])] or [params]
        faults.extend(f"{model.name}: {f}" for r in requests for f in expression_faults(r))

    events = dynamo.client().meta.events
    events.register("provide-client-params.dynamodb", check, unique_id="strict-expressions")
    try:
        yield faults
    finally:
        events.unregister("provide-client-params.dynamodb", unique_id="strict-expressions")


def every_page(api: Api, path: str, *, limit: int) -> list[list[dict]]:
    """Walk a list by its cursors; each page as a list of items. Asserts each page is one
    Query, at most `limit` long."""
    from chalicelib.observability import current_meter

    pages, cursor = [], None
    sep = "&" if "?" in path else "?"
    while True:
        reply = api.get(f"{path}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else ""))
        assert reply.status == 200, reply.body
        assert current_meter().calls == ["Query"], current_meter().calls
        assert len(reply.body["items"]) <= limit
        pages.append(reply.body["items"])
        cursor = reply.body["next_cursor"]
        if not cursor:
            return pages
