"""Concurrent requests in one process (chalice local serves each on a thread; a warm Lambda
container serves one after another) keep their own request, metrics and log context.

moto is not safe under threads, so the requests run on a route whose service is stubbed: after
one warm-up request per caller, nothing in them touches the database."""
from __future__ import annotations

import json
import logging
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import PRACTICE_A, PRACTICE_B, ROLES, USERS

CALLERS = [(practice, role) for practice in (PRACTICE_A, PRACTICE_B) for role in ROLES]
REQUESTS = 160


class _Lines(logging.Handler):
    """Formats each record in the thread that logs it, as the deployed handler does."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        from chalicelib.observability import logger

        self.setFormatter(logger().registered_formatter)
        self.lines: list[dict] = []
        self._lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        line = json.loads(self.format(record))
        with self._lock:
            self.lines.append(line)


@pytest.fixture
def stubbed_location(api, monkeypatch):
    """GET /v1/locations/{id} answers from a stub that names the caller it was called for."""
    from chalicelib.models.locations import Location
    from chalicelib.observability import logger
    from chalicelib.services import locations

    def get_location(*, principal, location_id):
        time.sleep(random.uniform(0, 0.002))  # let the other requests interleave
        logger().info("stub read", extra={"location_id": location_id})
        return Location(id=location_id, name=f"{principal.practice_id}:{principal.user_id}", telehealth=False,
                        place_of_service="11", place_of_service_name="Office", active=True, version=3,
                        created_at="2026-01-01T00:00:00+00:00", updated_at="2026-01-01T00:00:00+00:00")

    monkeypatch.setattr(locations, "get_location", get_location)
    for practice, role in CALLERS:  # one sequential request per caller: later ones need no database
        assert api.get("/v1/locations/loc_warm", role=role, practice=practice).status == 200
    return api


def test_concurrent_requests_keep_their_own_request_metrics_and_correlation_id(stubbed_location, capsys,
                                                                               monkeypatch):
    api = stubbed_location
    handler = _Lines()
    base = logging.getLogger("caseload")
    monkeypatch.setattr(base, "level", logging.INFO)
    base.addHandler(handler)
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often, as a loaded server does
    capsys.readouterr()

    def call(n: int):
        practice, role = CALLERS[n % len(CALLERS)]
        return n, practice, role, api.get(f"/v1/locations/loc_{n}", role=role, practice=practice)

    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(call, range(REQUESTS)))
    finally:
        sys.setswitchinterval(previous)
        base.removeHandler(handler)
    out = capsys.readouterr().out

    assert [r.status for *_, r in results] == [200] * REQUESTS
    for n, practice, role, reply in results:  # each request was served as itself
        assert reply.body["id"] == f"loc_{n}"
        assert reply.body["name"] == f"{practice}:{USERS[practice][role]}"
        assert reply.etag == '"3"'

    request_ids = [reply.headers["x-request-id"] for *_, reply in results]
    assert len(set(request_ids)) == REQUESTS
    logged = [line for line in handler.lines if line["message"] == "request"]
    assert sorted(line["correlation_id"] for line in logged) == sorted(request_ids)
    # A line logged inside the request carries that request's correlation id.
    stub_lines = {line["location_id"]: line["correlation_id"] for line in handler.lines
                  if line["message"] == "stub read"}
    assert stub_lines == {reply.body["id"]: reply.headers["x-request-id"] for *_, reply in results}

    blobs = [json.loads(line) for line in out.splitlines() if '"_aws"' in line]
    assert len(blobs) == REQUESTS  # one EMF blob per request, none emptied or merged by another
    assert all(blob["Requests"] in (1, [1]) and blob["operation"] == "get_location" for blob in blobs)


def test_current_request_seen_by_a_route_is_its_own_while_another_thread_is_served():
    from app import app
    from chalicelib.routes.locations import bp

    first_set, second_set = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def serve(name: str, mine: threading.Event, other: threading.Event) -> None:
        app.current_request = name  # what Chalice does as a request starts
        mine.set()
        other.wait(5)
        seen[name] = bp.current_request  # what the route's handler reads afterwards

    threads = [threading.Thread(target=serve, args=("first", first_set, second_set)),
               threading.Thread(target=serve, args=("second", second_set, first_set))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert seen == {"first": "first", "second": "second"}
