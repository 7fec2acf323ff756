"""`make run`'s API log (chalice local's access log) never carries a query string: a search
query is what a person typed, often a client's name."""
from __future__ import annotations

from urllib.parse import quote

from hypothesis import given
from hypothesis import strategies as st

from devtools.run_local import redact_queries


@given(st.text(min_size=1, max_size=40), st.sampled_from(["GET", "POST", "PATCH", "DELETE"]))
def test_access_log_line_when_a_query_is_sent_keeps_the_path_and_drops_the_query(typed, method):
    query = f"q={quote(typed)}&limit=5"
    line = f'127.0.0.1 - - [28/Nov/2026 02:00:00] "{method} /v1/clients?{query} HTTP/1.1" 200 -\n'
    shown = redact_queries(line)
    assert query not in shown
    assert shown == f'127.0.0.1 - - [28/Nov/2026 02:00:00] "{method} /v1/clients?… HTTP/1.1" 200 -\n'


def test_access_log_line_without_a_query_is_unchanged():
    line = '127.0.0.1 - - [28/Nov/2026 02:00:00] "POST /v1/appointments HTTP/1.1" 201 -\n'
    assert redact_queries(line) == line
