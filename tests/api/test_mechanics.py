"""The shared API mechanics every route gets: problems, pagination, ETags, idempotency,
logging and DynamoDB call metering."""
from __future__ import annotations

import json
import logging

import pytest

from chalicelib.observability import current_meter
from tests.conftest import PRACTICE_B

NEW_LOCATION = {"name": "Annex", "place_of_service": "11"}


def test_post_with_malformed_json_is_400(api):
    reply = api.post("/v1/locations", raw="{not json")
    assert reply.status == 400
    assert reply.headers["content-type"] == "application/problem+json"
    assert "not valid JSON" in reply.body["detail"]


def test_post_with_invalid_fields_is_422_with_each_field(api):
    reply = api.post("/v1/locations", {"name": "", "place_of_service": "29", "colour": "red"})
    assert reply.status == 422
    fields = {e["field"]: e["reason"] for e in reply.body["errors"]}
    assert set(fields) == {"body.name", "body.place_of_service", "body.colour"}
    assert "not a CMS place of service" in fields["body.place_of_service"]
    assert reply.body["correlation_id"]


def test_invalid_query_parameter_is_422(api):
    reply = api.get("/v1/locations?limit=0")
    assert reply.status == 422
    assert reply.body["errors"][0]["field"] == "query.limit"


def test_create_returns_location_and_etag(api):
    reply = api.post("/v1/locations", NEW_LOCATION)
    assert reply.status == 201
    assert reply.headers["location"] == f"/v1/locations/{reply.body['id']}"
    assert reply.etag == '"1"'
    assert api.get(reply.headers["location"]).body == reply.body


def test_update_without_if_match_is_428(api):
    created = api.post("/v1/locations", NEW_LOCATION).body
    reply = api.patch(f"/v1/locations/{created['id']}", {"name": "Renamed"})
    assert reply.status == 428
    assert api.get(f"/v1/locations/{created['id']}").body["name"] == "Annex"


def test_update_with_stale_if_match_is_412_and_keeps_the_newer_write(api):
    created = api.post("/v1/locations", NEW_LOCATION)
    path = f"/v1/locations/{created.body['id']}"
    first = api.patch(path, {"name": "First"}, if_match=created.etag)
    assert first.status == 200 and first.etag == '"2"'
    second = api.patch(path, {"name": "Second"}, if_match=created.etag)
    assert second.status == 412
    assert second.body["current_version"] == 2
    assert api.get(path).body["name"] == "First"


def test_update_with_malformed_if_match_is_400(api):
    created = api.post("/v1/locations", NEW_LOCATION).body
    reply = api.patch(f"/v1/locations/{created['id']}", {"name": "X"}, if_match="yesterday")
    assert reply.status == 400


def test_list_pages_through_every_item_with_cursors(api):
    ids = {api.post("/v1/locations", {**NEW_LOCATION, "name": f"L{i}"}).body["id"] for i in range(5)}
    seen, cursor, pages = [], None, 0
    while True:
        reply = api.get("/v1/locations?limit=2" + (f"&cursor={cursor}" if cursor else ""))
        assert reply.status == 200
        assert len(reply.body["items"]) <= 2
        seen += [item["id"] for item in reply.body["items"]]
        pages += 1
        cursor = reply.body["next_cursor"]
        if not cursor:
            break
    assert ids <= set(seen) and len(seen) == len(set(seen)) == 6  # 5 new + the seeded one
    assert pages == 3


def _first_cursor(api, path="/v1/locations?limit=1", **kw):
    api.post("/v1/locations", NEW_LOCATION)
    cursor = api.get(path, **kw).body["next_cursor"]
    assert cursor
    return cursor


def test_tampered_cursor_is_400(api):
    cursor = _first_cursor(api)
    body, _, signature = cursor.partition(".")
    forged = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + signature
    for bad in (forged, "garbage", cursor + "x"):
        assert api.get(f"/v1/locations?limit=1&cursor={bad}").status == 400


def test_cursor_from_another_practice_or_list_is_400(api):
    cursor = _first_cursor(api)
    assert api.get(f"/v1/locations?limit=1&cursor={cursor}", practice=PRACTICE_B).status == 400
    assert api.get(f"/v1/rooms?limit=1&cursor={cursor}").status == 400


def test_retried_post_with_idempotency_key_has_one_effect(api):
    headers = {"Idempotency-Key": "create-annex-1"}
    first = api.post("/v1/locations", NEW_LOCATION, headers=headers)
    again = api.post("/v1/locations", NEW_LOCATION, headers=headers)
    assert first.status == again.status == 201
    assert again.body == first.body
    assert again.headers["location"] == first.headers["location"]
    names = [i["name"] for i in api.get("/v1/locations").body["items"]]
    assert names.count("Annex") == 1


def test_idempotency_key_reused_with_another_body_is_422(api):
    headers = {"Idempotency-Key": "create-annex-2"}
    assert api.post("/v1/locations", NEW_LOCATION, headers=headers).status == 201
    reply = api.post("/v1/locations", {**NEW_LOCATION, "name": "Other"}, headers=headers)
    assert reply.status == 422
    assert reply.body["errors"][0]["field"] == "header.Idempotency-Key"


def test_idempotency_key_is_scoped_to_the_practice(api):
    headers = {"Idempotency-Key": "same-key"}
    a = api.post("/v1/locations", NEW_LOCATION, headers=headers)
    b = api.post("/v1/locations", NEW_LOCATION, headers=headers, practice=PRACTICE_B)
    assert a.status == b.status == 201 and a.body["id"] != b.body["id"]


def test_failed_request_is_not_replayed(api):
    headers = {"Idempotency-Key": "fix-and-retry"}
    assert api.post("/v1/rooms", {"name": "R", "location_ids": ["loc_missing"]}, headers=headers).status == 422
    location = api.post("/v1/locations", NEW_LOCATION).body
    retry = api.post("/v1/rooms", {"name": "R", "location_ids": ["loc_missing"]}, headers=headers)
    assert retry.status == 422  # same request, run again rather than replayed
    assert api.post("/v1/rooms", {"name": "R", "location_ids": [location["id"]]},
                    headers={"Idempotency-Key": "fix-and-retry-2"}).status == 201


def test_unexpected_error_is_500_problem_with_correlation_id_and_logged(api, monkeypatch, caplog):
    from chalicelib.observability import logger
    from chalicelib.services import locations

    client_data = {"name": "Ana Núñez", "born": "1990-04-02"}

    def boom(**_):
        raise RuntimeError(f"client {client_data['name']} born {client_data['born']}")

    monkeypatch.setattr(locations, "get_location", boom)
    caplog.set_level(logging.INFO, logger="caseload")
    reply = api.get("/v1/locations/loc_x")
    assert reply.status == 500
    assert reply.body["correlation_id"] == reply.headers["x-request-id"]
    assert "Ana" not in json.dumps(reply.body)
    formatter = logger().registered_formatter
    lines = [json.loads(formatter.format(r)) for r in caplog.records if r.name == "caseload"]
    error = next(line for line in lines if line["message"] == "unhandled error")
    assert error["correlation_id"] == reply.body["correlation_id"] and error["error_type"] == "RuntimeError"
    assert "in boom" in error["traceback"] and "test_mechanics.py" in error["traceback"]
    assert "Ana" not in json.dumps(lines) and "1990" not in json.dumps(lines)


def _logged_lines(caplog) -> list[dict]:
    from chalicelib.observability import logger

    formatter = logger().registered_formatter
    return [json.loads(formatter.format(r)) for r in caplog.records if r.name == "caseload"]


@pytest.mark.parametrize("raised_from_another", [False, True])
def test_unexpected_aws_error_logs_its_code_but_not_its_message(api, monkeypatch, caplog, raised_from_another):
    from botocore.exceptions import ClientError

    from chalicelib.services import locations

    def refused(**_):
        err = ClientError({"Error": {"Code": "ValidationException", "Message": "value Ana Núñez is invalid"}},
                          "GetItem")
        if raised_from_another:
            raise KeyError("version") from err
        raise err

    monkeypatch.setattr(locations, "get_location", refused)
    caplog.set_level(logging.INFO, logger="caseload")
    reply = api.get("/v1/locations/loc_x")
    assert reply.status == 500
    lines = _logged_lines(caplog)
    error = next(line for line in lines if line["message"] == "unhandled error")
    assert error["aws_error_code"] == "ValidationException"
    assert error["correlation_id"] == reply.body["correlation_id"]
    assert "Ana" not in json.dumps(lines) and "Ana" not in json.dumps(reply.body)


def test_unexpected_cancelled_transaction_logs_each_reason_code(api, monkeypatch, caplog):
    from botocore.exceptions import ClientError

    from chalicelib.services import locations

    def cancelled(**_):
        raise ClientError({"Error": {"Code": "TransactionCanceledException", "Message": "cancelled [None, x]"},
                           "CancellationReasons": [{"Code": "None"}, {"Code": "ValidationError",
                                                                      "Message": "name Ana"}]},
                          "TransactWriteItems")

    monkeypatch.setattr(locations, "get_location", cancelled)
    caplog.set_level(logging.INFO, logger="caseload")
    assert api.get("/v1/locations/loc_x").status == 500
    lines = _logged_lines(caplog)
    error = next(line for line in lines if line["message"] == "unhandled error")
    assert error["aws_error_code"] == "TransactionCanceledException"
    assert error["aws_cancellation_reasons"] == ["None", "ValidationError"]
    assert "Ana" not in json.dumps(lines)


def test_failing_metrics_never_turn_an_answered_request_into_a_500(api, monkeypatch, caplog):
    from chalicelib import observability

    def broken(**_):
        raise ValueError("Must contain at least one metric")

    monkeypatch.setattr(observability, "_emit_metrics", broken)
    caplog.set_level(logging.INFO, logger="caseload")
    created = api.post("/v1/locations", NEW_LOCATION)
    assert created.status == 201
    assert api.get(created.headers["location"]).status == 200
    assert any(line["message"] == "metrics not recorded" for line in _logged_lines(caplog))


def test_unsupported_method_is_405_problem(api):
    reply = api.call("PUT", "/v1/locations", {})
    assert reply.status == 405
    assert reply.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("path, calls", [
    ("/v1/practice", ["GetItem"]),
    ("/v1/locations", ["Query"]),
    ("/v1/billing-codes?limit=3", ["Query"]),
])
def test_reads_make_one_dynamodb_call(api, path, calls):
    api.get("/v1/users/me")  # the caller's standing, read once a minute (test_user_standing.py)
    assert api.get(path).status == 200
    assert current_meter().calls == calls


def test_first_request_of_a_user_reads_their_standing_once(api):
    assert api.get("/v1/locations").status == 200
    assert current_meter().calls == ["GetItem", "Query"]
    assert api.get("/v1/locations").status == 200
    assert current_meter().calls == ["Query"]


def test_writes_make_at_most_two_dynamodb_calls(api):
    api.get("/v1/users/me")  # the caller's standing, read once a minute (test_user_standing.py)
    # The first write of a container reads the practice (is the account closed?); later ones
    # use the copy cached for a minute.
    api.post("/v1/locations", NEW_LOCATION)
    assert current_meter().calls == ["GetItem", "PutItem"]
    created = api.post("/v1/locations", NEW_LOCATION)
    assert current_meter().calls == ["PutItem"]
    api.patch(f"/v1/locations/{created.body['id']}", {"name": "B"}, if_match=created.etag)
    assert current_meter().calls == ["UpdateItem"]
    room = api.post("/v1/rooms", {"name": "R", "location_ids": [created.body["id"]]})
    assert current_meter().calls == ["TransactWriteItems"]
    api.delete(f"/v1/rooms/{room.body['id']}", if_match=room.etag)
    assert current_meter().calls == ["GetItem", "TransactWriteItems"]


def test_request_log_has_ids_and_counts_but_no_body(api, caplog):
    from chalicelib.observability import logger

    api.post("/v1/locations", NEW_LOCATION)  # warms the practice cache (see the test above)
    caplog.set_level(logging.INFO, logger="caseload")
    api.post("/v1/users", {"email": "secret.person@example.com", "first_name": "Secretname",
                           "last_name": "Person", "role": "practitioner"})
    formatter = logger().registered_formatter
    lines = [json.loads(formatter.format(r)) for r in caplog.records if r.name == "caseload"]
    entry = [line for line in lines if line["message"] == "request"][-1]
    assert entry["operation"] == "create_user" and entry["status"] == 201
    assert entry["dynamodb_calls"] == 1 and entry["practice_id"] == "prc_a"
    assert entry["dynamodb_operations"] == ["TransactWriteItems"] and entry["correlation_id"]
    text = json.dumps(lines)
    assert "Secretname" not in text and "secret.person" not in text


def test_each_request_emits_metrics_by_operation(api, capsys):
    api.get("/v1/users/me")  # the caller's standing, read once a minute (test_user_standing.py)
    capsys.readouterr()
    api.get("/v1/locations")
    api.get("/v1/locations/loc_missing")
    blobs = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    for blob in blobs:  # EMF may carry a metric as a list of values
        blob.update({k: sum(v) for k, v in blob.items() if isinstance(v, list)})
    assert [b["operation"] for b in blobs] == ["list_locations", "get_location"]
    assert blobs[0]["Requests"] == 1 and blobs[0]["DynamoDBCalls"] == 1 and blobs[0]["Latency"] > 0
    assert blobs[1]["ClientErrors"] == 1 and "ServerErrors" not in blobs[1]
    directive = blobs[0]["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"].startswith("Caseload") and any("operation" in d for d in directive["Dimensions"])
