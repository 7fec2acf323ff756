"""The OpenAPI 3.1 document, generated from the route table (http.OPERATIONS) and the same
pydantic models that validate requests, so the document cannot drift from the code."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from chalicelib.http import OPERATIONS, Operation

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pydantic.json_schema import JsonSchemaMode

REF = "#/components/schemas/{model}"
_REF_PREFIX = REF.format(model="")
OPENAPI_PATH = "/v1/openapi.json"

_PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details",
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "correlation_id": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "reason": {"type": "string"}}, "required": ["field", "reason"]}},
        "field": {"type": "string", "description": "400/409: the one field at fault, e.g. header.If-Match"},
        "current_version": {"type": "integer", "description": "412: the version stored now"},
        "warnings": {"type": "array", "items": {"type": "object"},
                     "description": "409 on booking: the occurrences that clash or run short"},
    },
    "required": ["type", "title", "status", "detail"],
}
_ERRORS = {
    "400": "Malformed JSON, cursor or header",
    "401": "Missing, malformed or expired bearer token",
    "403": "The caller's role may not do this",
    "404": "Not found in the caller's practice",
    "409": "Conflicts with the current state (a closed account refuses every write with 409)",
    "422": "Invalid fields (see errors)",
}
# Only a conditional operation (one that takes If-Match) answers these.
_CONDITIONAL_ERRORS = {
    "412": "If-Match does not match the current version",
    "428": "If-Match is required",
}
# Deployed, user changes are kept in step with the Cognito pool, which may refuse for a while.
_DIRECTORY_ERRORS = {"503": "The sign-in directory did not take the change; retrying is safe"}
_DIRECTORY_OPERATIONS = frozenset({"create_user", "update_user", "delete_user"})
# Answers other than an operation's usual one that a route gives on purpose.
_OTHER_SUCCESS = {
    "charge_session": {201: "Charged (the usual answer; 200 when nothing was counted, with the reason)"},
    "create_claims": {200: "No claim created: id is null and every session is under skipped with its reason"},
}
_REQUEST_ID = {"X-Request-Id": {"schema": {"type": "string"}, "required": True,
                                "description": "Correlation id of this request (also in problem bodies and logs)"}}


def _problem_response(description: str) -> dict[str, Any]:
    return {"description": description, "headers": _REQUEST_ID,
            "content": {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}}


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    """The whole API as OpenAPI 3.1 (built once per process)."""
    pairs: list[tuple[type[BaseModel], JsonSchemaMode]] = []
    for op in OPERATIONS:
        if op.body:
            pairs.append((op.body, "validation"))
        if op.response:
            pairs.append((op.response, "serialization"))
    from pydantic.json_schema import models_json_schema  # the document is built on its first request

    refs, schemas = models_json_schema(list(dict.fromkeys(pairs)), ref_template=REF)
    names = _schema_names(schemas.get("$defs", {}))
    refs = _renamed(refs, names)
    components = {names[name]: {**_renamed(schema, names), "title": names[name]}
                  for name, schema in schemas.get("$defs", {}).items()}
    components["Problem"] = _PROBLEM
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, refs)
    paths[OPENAPI_PATH] = {"get": {
        "operationId": "get_openapi", "summary": "This document", "tags": ["Meta"], "security": [],
        "responses": {"200": {"description": "OpenAPI 3.1 document",
                              "content": {"application/json": {"schema": {"type": "object"}}}}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Caseload API", "version": "1.0.0",
                 "description": "Practice management for therapy and allied-health practices: packs, "
                                "authorizations, sessions. Money is a decimal string; times are ISO 8601."},
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def _schema_names(schemas: dict[str, Any]) -> dict[str, str]:
    """One identifier per schema, also its title. pydantic keys a model whose request and
    response schemas differ as `Name-Input` and `Name-Output` but titles both `Name`, and client
    generators name classes from titles: two classes called Name, one of them dropped with
    everything that refers to it. So `Name-Input` becomes `NameInput`, titled so."""
    names: dict[str, str] = {}
    taken = {"Problem"}
    for key in schemas:
        name = base = "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", key) if part)
        n = 2
        while name in taken:
            name, n = f"{base}{n}", n + 1
        taken.add(name)
        names[key] = name
    return names


def _renamed(node: Any, names: dict[str, str]) -> Any:
    """`node` with every schema reference pointing at the renamed schema."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
            node = {**node, "$ref": REF.format(model=names.get(ref[len(_REF_PREFIX):], ref[len(_REF_PREFIX):]))}
        return {k: _renamed(v, names) if k != "$ref" else v for k, v in node.items()}
    if isinstance(node, list):
        return [_renamed(v, names) for v in node]
    return node


def _operation(op: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "operationId": op.operation_id, "summary": op.summary, "tags": [op.tag],
        "description": "Roles: " + ", ".join(sorted(r.value for r in op.roles)),
        # An empty segment would be another route (/v1/users/ is the list), never an id.
        "parameters": [{"name": p, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
                       for p in op.path_params],
    }
    if op.query:
        schema = op.query.model_json_schema()
        for name, prop in schema.get("properties", {}).items():
            spec["parameters"].append({"name": name, "in": "query", "required": name in schema.get("required", []),
                                       "schema": prop, **({"description": prop["description"]}
                                                          if "description" in prop else {})})
    if op.conditional:
        spec["parameters"].append({"name": "If-Match", "in": "header", "required": True,
                                   "description": "ETag from your last read", "schema": {"type": "string"}})
    if op.idempotent:
        spec["parameters"].append({"name": "Idempotency-Key", "in": "header", "required": False,
                                   "description": "Retries with the same key have exactly one effect",
                                   "schema": {"type": "string", "maxLength": 255}})
    if op.body:
        spec["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": refs[(op.body, "validation")]}}}
    spec["responses"] = {str(op.status): _success(op, refs)}
    for status, description in _OTHER_SUCCESS.get(op.operation_id, {}).items():
        spec["responses"][str(status)] = {**_success(op, refs, status), "description": description}
    errors = {**_ERRORS, **(_CONDITIONAL_ERRORS if op.conditional else {}),
              **(_DIRECTORY_ERRORS if op.operation_id in _DIRECTORY_OPERATIONS else {})}
    for error_status, error_description in sorted(errors.items()):
        spec["responses"][error_status] = _problem_response(error_description)
    return spec


def _success(op: Operation, refs: dict[Any, Any], status: int | None = None) -> dict[str, Any]:
    if op.response is None:
        return {"description": "Done", "headers": _REQUEST_ID}
    schema = refs[(op.response, "serialization")]
    if op.paginated:
        schema = {"type": "object", "required": ["items", "next_cursor"], "properties": {
            "items": {"type": "array", "items": schema},
            "next_cursor": {"type": ["string", "null"], "description": "Pass as cursor for the next page"}}}
    headers: dict[str, Any] = dict(_REQUEST_ID)
    if "version" in op.response.model_fields and not op.paginated:
        headers["ETag"] = {"schema": {"type": "string", "pattern": r'^(W/)?"\d+"$'}, "required": True,
                           "description": "Send back as If-Match to update"}
    if op.location and (status or op.status) == 201:
        headers["Location"] = {"schema": {"type": "string"}, "required": True, "description": "URL of the new resource"}
    return {"description": "OK", "headers": headers, "content": {"application/json": {"schema": schema}}}
