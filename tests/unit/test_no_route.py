"""The 404 problem for a path no route matches (chalicelib/http.py no_route; `make run`'s
server answers it, and deployed API Gateway's template copies its shape)."""
from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.http import ROUTES_HINT, no_route


@given(st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="?#"), max_size=60),
       st.text(min_size=1, max_size=60))
def test_no_route_when_the_path_has_a_query_quotes_the_path_only(path, query):
    answer = no_route("GET", f"/v1/{path}?{query}", "req-1")
    body = json.loads(answer.body)
    assert answer.status_code == 404 and answer.headers["Content-Type"] == "application/problem+json"
    assert body["detail"] == f"No route matches GET /v1/{path}; {ROUTES_HINT}"
    assert (body["title"], body["status"], body["correlation_id"]) == ("Not found", 404, "req-1")


def test_no_route_when_the_path_is_very_long_quotes_its_start_only():
    body = json.loads(no_route("POST", "/v1/" + "x" * 5000, None).body)
    assert len(body["detail"]) < 300 and body["detail"].startswith("No route matches POST /v1/xxx")
    assert "correlation_id" not in body
