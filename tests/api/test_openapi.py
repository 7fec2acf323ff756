"""/v1/openapi.json covers every route and is a valid OpenAPI 3.1 document."""
from __future__ import annotations

from openapi_spec_validator import validate

from app import app


def test_openapi_is_public_and_valid(api):
    reply = api.get("/v1/openapi.json", role=None)
    assert reply.status == 200
    assert reply.body["openapi"].startswith("3.1")
    validate(reply.body)


def test_every_route_is_in_openapi(api):
    documented = {(path, method.upper()) for path, ops in api.get("/v1/openapi.json", role=None).body["paths"].items()
                  for method in ops}
    # OPTIONS is each path's CORS preflight, not an operation (tests/api/test_cors.py covers it).
    routed = {(path, method) for path, methods in app.routes.items() for method in methods if method != "OPTIONS"}
    assert routed == documented


def test_request_schemas_come_from_the_validating_models(api):
    doc = api.get("/v1/openapi.json", role=None).body
    create = doc["paths"]["/v1/locations"]["post"]
    ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert schema["required"] == ["name"] and schema["additionalProperties"] is False
    assert {p["name"] for p in doc["paths"]["/v1/locations"]["get"]["parameters"]} == {"limit", "cursor"}
    assert any(p["name"] == "If-Match" for p in doc["paths"]["/v1/practice"]["patch"]["parameters"])
