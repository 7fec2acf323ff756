"""A path parameter longer than any stored id or code names nothing: every operation answers 404
problem+json, never a 500 from DynamoDB's key-size limit, and writes nothing."""
from __future__ import annotations

import re

import pytest

from app import app  # noqa: F401 - registers every route
from chalicelib.http import MAX_PATH_PARAM, OPERATIONS

_PARAM = re.compile(r"\{(\w+)\}")
WITH_PARAMS = sorted({(op.method, op.path) for op in OPERATIONS if _PARAM.search(op.path)})


@pytest.mark.parametrize(("method", "path"), WITH_PARAMS)
def test_operation_when_a_path_parameter_is_too_long_answers_404(api, method, path):
    sent = _PARAM.sub("x" * 3000, path)
    reply = api.call(method, sent, {} if method in ("POST", "PATCH", "PUT") else None,
                     headers={"If-Match": '"1"'})
    assert reply.status == 404, (method, path, reply.body)
    assert reply.headers["content-type"].startswith("application/problem+json")
    assert "x" * 200 not in reply.body["detail"]


def test_path_parameter_at_the_limit_is_looked_up(api):
    longest = "c" * MAX_PATH_PARAM
    assert api.get(f"/v1/clients/{longest}").body["detail"] == f"Client {longest} was not found"
