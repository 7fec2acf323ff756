"""The API's shared mechanics, applied to every route by one decorator, `operation`.

A route declares what it is (method, path, roles, body and query models, response model) and
gets: bearer auth and role check, request parsing into pydantic models, 400/422 problems,
cursor pagination, ETag / If-Match, Location on create, Idempotency-Key replay, one log line
with the DynamoDB call count, and its entry in the OpenAPI document. The route body itself
only calls a service.
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response

from chalicelib import cursor
from chalicelib.auth import ALL_ROLES, Principal, Role, admit, authenticate, gateway_authorizer
from chalicelib.errors import BadRequest, CaseloadError, Forbidden, NotFound, PreconditionRequired, ValidationFailed
from chalicelib.lazy import ModelRef, resolved
from chalicelib.observability import (
    DynamoMeter,
    clear_correlation_id,
    logger,
    record_request,
    set_correlation_id,
    start_meter,
)
from chalicelib.store import retry

if TYPE_CHECKING:  # a read that needs no model never loads pydantic
    from pydantic import BaseModel, ValidationError

PROBLEM_JSON = "application/problem+json"
JSON = "application/json"
_ETAG = re.compile(r'^(?:W/)?"(\d+)"$')
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


@dataclass(frozen=True)
class Operation:
    """One route as the API documents it; the OpenAPI document and the generated tenancy
    and role tests are built from the list of these."""

    operation_id: str
    method: str
    path: str
    roles: frozenset[Role]
    summary: str
    tag: str
    # Each model is a class or a ModelRef (chalicelib/lazy.py), imported on first use.
    body_ref: Any
    query_ref: Any
    response_ref: Any
    status: int
    paginated: bool
    conditional: bool
    idempotent: bool
    location: str | None
    # Writes are refused while the account is closed, except the few that undo or outlast it.
    while_closed: bool = False

    @functools.cached_property
    def body(self) -> type[BaseModel] | None:
        return resolved(self.body_ref)

    @functools.cached_property
    def query(self) -> type[BaseModel] | None:
        return resolved(self.query_ref)

    @functools.cached_property
    def response(self) -> type[BaseModel] | None:
        return resolved(self.response_ref)

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)


OPERATIONS: list[Operation] = []


@dataclass
class Call:
    """A parsed, authenticated request as a route sees it."""

    principal: Principal
    params: dict[str, str]
    body: Any = None
    query: Any = None
    if_match: int | None = None
    start_key: dict[str, Any] | None = None

    @property
    def version(self) -> int:
        """The If-Match version a conditional operation was sent (parsing refused it without one)."""
        if self.if_match is None:
            raise PreconditionRequired(
                "Send If-Match with the ETag from your last read so a concurrent change is never overwritten")
        return self.if_match


@dataclass
class Listing:
    """What a list route returns: one page of models and the key to continue from."""

    items: Sequence[BaseModel]
    last_key: dict[str, Any] | None = None


@dataclass
class Reply:
    """A response with a status other than the operation's default, or extra headers."""

    model: BaseModel | None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


def operation(bp: Blueprint, method: str, path: str, *, roles: Iterable[Role] = ALL_ROLES,
              summary: str, tag: str, body: type[BaseModel] | str | None = None,
              query: type[BaseModel] | str | None = None, response: type[BaseModel] | str | None = None,
              status: int | None = None, paginated: bool = False, location: str | None = None,
              idempotent: bool | None = None, conditional: bool | None = None, while_closed: bool = False) -> Callable:
    """Register a route on `bp` with the shared mechanics (see the module docstring)."""

    if paginated and query is None:
        query = ModelRef("chalicelib.models.common:ListQuery")

    authorizer = gateway_authorizer()

    def register(view: Callable[[Call], Any]) -> Callable:
        op = Operation(
            operation_id=view.__name__, method=method, path=path, roles=frozenset(roles),
            summary=summary, tag=tag, body_ref=body, query_ref=query, response_ref=response,
            status=status or (201 if location else 204 if response is None else 200),
            paginated=paginated,
            conditional=method in ("PUT", "PATCH", "DELETE") if conditional is None else conditional,
            idempotent=method == "POST" if idempotent is None else idempotent, location=location,
            while_closed=while_closed or method == "GET")
        OPERATIONS.append(op)

        gateway = {} if authorizer is None else {"authorizer": authorizer}

        @bp.route(path, methods=[method], name=op.operation_id, **gateway)
        @functools.wraps(view)
        def handler(**params: str) -> Response:
            return _handle(op, view, bp.current_request, params)

        if path not in _PREFLIGHT_PATHS:
            _add_preflight(bp, path, op.operation_id)
        return handler

    return register


# Paths given their CORS preflight route (one per path, across blueprints).
_PREFLIGHT_PATHS: set[str] = set()


def _add_preflight(bp: Blueprint, path: str, operation_id: str) -> None:
    """OPTIONS on `path`, with no authorizer: a browser sends it without the token
    (chalicelib/cors.py). The methods are looked up when asked, as more are registered."""
    from chalicelib import cors

    _PREFLIGHT_PATHS.add(path)

    @bp.route(path, methods=["OPTIONS"], name=f"preflight_{operation_id}")
    def preflight(**params: str) -> Response:
        return cors.preflight(bp.current_request, (op.method for op in OPERATIONS if op.path == path))


def _handle(op: Operation, view: Callable[[Call], Any], request: Any, params: dict[str, str]) -> Response:
    started = time.perf_counter()
    meter = start_meter()
    request_id = (request.context or {}).get("requestId") or str(uuid.uuid4())
    set_correlation_id(request_id)
    try:
        # One retry deadline for everything the request asks of DynamoDB.
        with retry.budget():
            return _answer(op, view, request, params, request_id, started, meter)
    finally:
        clear_correlation_id()


def _answer(op: Operation, view: Callable[[Call], Any], request: Any, params: dict[str, str], request_id: str,
            started: float, meter: DynamoMeter) -> Response:
    log = logger()
    principal: Principal | None = None
    try:
        # The token says who is calling; the user record says whether they still may, and as what.
        principal = admit(authenticate(request.headers.get("authorization"),
                                       ((request.context or {}).get("authorizer") or {}).get("claims")))
        if principal.role not in op.roles:
            raise Forbidden(f"The {principal.role.value} role may not do this ({op.summary})")
        if not op.while_closed:
            from chalicelib.services.practice import refuse_writes_if_closed  # loaded by the first write

            refuse_writes_if_closed(principal.practice_id)
        call = _parse(op, request, principal, params)
        key = request.headers.get("idempotency-key") if op.idempotent else None
        if key is not None:
            response = _replayable(op, call, key, request, lambda: _run(op, view, call))
        else:
            response = _run(op, view, call)
    except CaseloadError as err:
        response = problem(err.status, err.title, err.detail, request_id, **err.extra)
        response.headers.update(getattr(err, "headers", {}))  # e.g. Retry-After on a 503
    except Exception as err:  # noqa: BLE001 - the edge turns any surprise into a 500 with an id
        # The frames and the AWS error code, not the message: an exception's message can quote
        # client data (a pydantic error quotes its input), and logs never carry it.
        log.error("unhandled error", extra={
            "operation": op.operation_id, "error_type": type(err).__name__, "correlation_id": request_id,
            **_aws_error(err),
            "traceback": "".join(traceback.format_list(traceback.extract_tb(err.__traceback__)))})
        response = problem(500, "Internal server error",
                           "Something went wrong on our side; quote the correlation id to support",
                           request_id)
    response.headers["X-Request-Id"] = request_id
    duration_ms = round((time.perf_counter() - started) * 1000, 2)
    record_request(operation=op.operation_id, status=response.status_code, duration_ms=duration_ms, meter=meter)
    # Ids and counts only: never bodies, which carry client names, birth dates and notes. The
    # correlation id rides on the line itself too, whichever thread formats it.
    log.info("request", extra={
        "operation": op.operation_id, "method": op.method, "path": request.path,
        "status": response.status_code, "duration_ms": duration_ms, "correlation_id": request_id,
        "practice_id": principal.practice_id if principal else None,
        "user_id": principal.user_id if principal else None,
        "role": principal.role.value if principal else None, **meter.summary()})
    return response


def _aws_error(err: BaseException) -> dict[str, Any]:
    """The AWS error code of the ClientError behind `err` (itself, or what it was raised from)
    and a cancelled transaction's reason codes: what failed, without the message."""
    from botocore.exceptions import ClientError  # loaded already by whatever called AWS

    seen: BaseException | None = err
    for _ in range(5):  # the chain is short; never follow a cycle
        if isinstance(seen, ClientError):
            found: dict[str, Any] = {"aws_error_code": seen.response.get("Error", {}).get("Code", "")}
            if "CancellationReasons" in seen.response:
                found["aws_cancellation_reasons"] = [r.get("Code", "None")
                                                     for r in seen.response["CancellationReasons"]]
            return found
        seen = seen.__cause__ or seen.__context__ if seen is not None else None
    return {}


# Every path parameter names a stored entity (an id, a billing code); none is longer than this,
# and DynamoDB refuses a key over 1 KB with an error that is no business of the caller's.
MAX_PATH_PARAM = 128


def _parse(op: Operation, request: Any, principal: Principal, params: dict[str, str]) -> Call:
    too_long = next((name for name, value in params.items() if len(value.encode()) > MAX_PATH_PARAM), None)
    if too_long is not None:
        raise NotFound(too_long.removesuffix("_id").replace("_", " ").capitalize() or "Entity",
                       f"({MAX_PATH_PARAM}+ characters)")
    call = Call(principal=principal, params=params)
    errors: list[dict[str, str]] = []
    if op.query is not None:
        call.query = _validate(op.query, dict(request.query_params or {}), "query", errors)
        if op.paginated and call.query is not None and hasattr(call.query, "cursor"):
            call.start_key = cursor.decode(call.query.cursor, practice_id=principal.practice_id,
                                           scope=_cursor_scope(op, params, call.query))
    if op.body is not None:
        call.body = _validate(op.body, _json_body(request), "body", errors)
    if errors:
        raise ValidationFailed(errors)
    if op.conditional:
        call.if_match = _if_match(request.headers.get("if-match"))
    return call


def _validate(model: type[BaseModel], data: Any, location: str, errors: list[dict[str, str]]) -> Any:
    from pydantic import ValidationError  # loaded with the model

    try:
        return model.model_validate(data)
    except ValidationError as err:
        errors.extend(field_errors(err, location))
        return None


def field_errors(err: ValidationError, location: str) -> list[dict[str, str]]:
    """pydantic errors as [{"field": "body.address.city", "reason": "..."}] without the input
    values, which may be client data."""
    from chalicelib.models.common import FieldError  # loaded already by the model that failed

    out = []
    for e in err.errors(include_input=False, include_url=False):
        # A model validator's FieldError names the field inside the model it checked.
        refusal = (e.get("ctx") or {}).get("error")
        named = tuple(refusal.field.split(".")) if isinstance(refusal, FieldError) else ()
        path = ".".join(str(p) for p in (location, *e["loc"], *named))
        reason = e["msg"].removeprefix("Value error, ")
        out.append({"field": path, "reason": reason})
    return out


def _json_body(request: Any) -> Any:
    raw = request.raw_body
    if not raw:
        return {}
    try:
        return json.loads(raw, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError) as err:
        raise BadRequest(f"The body is not valid JSON: {err}") from err
    except RecursionError as err:
        raise BadRequest("The body is not valid JSON: nested too deeply") from err


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a repeated name: which value was meant is anyone's guess."""
    found: dict[str, Any] = {}
    for name, value in pairs:
        if name in found:
            raise ValueError(f"the name {json.dumps(name)[:40]} appears twice in one object")
        found[name] = value
    return found


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _if_match(header: str | None) -> int:
    if header is None:
        raise PreconditionRequired(
            "Send If-Match with the ETag from your last read so a concurrent change is never overwritten")
    match = _ETAG.match(header.strip())
    if not match:
        raise BadRequest('If-Match must be an ETag as returned by the API, e.g. "3"', field="header.If-Match")
    return int(match.group(1))


def etag(version: int) -> str:
    """The ETag of an entity version."""
    return f'"{version}"'


def _cursor_scope(op: Operation, params: dict[str, str], query: BaseModel | None) -> str:
    """What a cursor is valid for: this list, these path ids and these filters (a cursor reused
    with other filters would steer the Query to a foreign key range). Hashed, so the cursor never
    carries a filter's text (a name searched for is client data)."""
    filters = query.model_dump(mode="json", exclude={"cursor", "limit"}) if query is not None else {}
    scope = json.dumps([op.operation_id, [params[p] for p in sorted(params)], filters], sort_keys=True)
    return hashlib.sha256(scope.encode()).hexdigest()[:32]


def _run(op: Operation, view: Callable[[Call], Any], call: Call) -> Response:
    result = view(call)
    if isinstance(result, Listing):
        return _json_response(200, {
            "items": [m.model_dump(mode="json") for m in result.items],
            "next_cursor": cursor.encode(result.last_key, practice_id=call.principal.practice_id,
                                         scope=_cursor_scope(op, call.params, call.query)),
        })
    reply = result if isinstance(result, Reply) else Reply(result, status=op.status)
    if reply.model is None:
        return Response(body="", status_code=204 if reply.status == 200 else reply.status,
                        headers=dict(reply.headers))
    headers: dict[str, str | list[str]] = dict(reply.headers)
    version = version_of(reply.model)
    if version is not None:
        headers["ETag"] = etag(version)
    body = _dump(reply.model)
    if op.location and reply.status == 201:
        headers["Location"] = op.location.format(**json.loads(body))
    return Response(body=body, status_code=reply.status, headers={"Content-Type": JSON, **headers})


def _dump(entity: Any) -> str:
    """A response's JSON: a pydantic model as it serialises itself, a domain record (a frozen
    dataclass such as domain.practice.Practice, read without pydantic) field by field."""
    if is_dataclass(entity) and not isinstance(entity, type):
        return json.dumps(asdict(entity), default=_plain)
    return str(entity.model_dump_json())


def _plain(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} has no JSON form")


def version_of(model: Any) -> int | None:
    """The version a response's ETag carries: that of the entity a wrapper names in its
    `versioned_entity` (e.g. the session a charge result holds; the first of a list), else
    the model's own `version`; None for a response that is no single entity."""
    held = getattr(type(model), "versioned_entity", None)
    if isinstance(held, str):
        entity = getattr(model, held, None)
        if isinstance(entity, list):
            entity = entity[0] if entity else None
        return version_of(entity)
    version = getattr(model, "version", None)
    return version if isinstance(version, int) and not isinstance(version, bool) else None


def _replayable(op: Operation, call: Call, key: str, request: Any, run: Callable[[], Response]) -> Response:
    from chalicelib.store import idempotency  # the Powertools import is paid only when used

    if not _IDEMPOTENCY_KEY.match(key):
        raise ValidationFailed.field("header.Idempotency-Key", "must be 1-255 visible ASCII characters")

    def run_and_record() -> dict[str, Any]:
        response = run()
        return {"status": response.status_code, "headers": dict(response.headers), "body": response.body}

    # A key is the caller's own: another user's same key and body acts for them, never replays
    # an answer they may not be given (another practitioner's note).
    principal = call.principal
    stored = idempotency.run_once(
        scope=f"{principal.practice_id}#{principal.user_id}#{op.operation_id}", key=key,
        request={"params": call.params, "body": _json_body(request)}, run=run_and_record,
        lambda_context=getattr(request, "lambda_context", None))
    headers = dict(stored["headers"])
    return Response(body=stored["body"], status_code=stored["status"], headers=headers)


def _json_response(status: int, body: dict[str, Any]) -> Response:
    return Response(body=json.dumps(body), status_code=status, headers={"Content-Type": JSON})


def problem(status: int, title: str, detail: str, request_id: str | None = None, **extra: Any) -> Response:
    """An application/problem+json (RFC 9457) response."""
    body = {"type": f"https://caseload.dev/problems/{status}", "title": title, "status": status,
            "detail": detail, **extra}
    if request_id:
        body["correlation_id"] = request_id
    return Response(body=json.dumps(body, default=str), status_code=status,
                    headers={"Content-Type": PROBLEM_JSON})


# Where a caller who mistyped a URL finds the right one (chalicelib/openapi.py's OPENAPI_PATH;
# not imported: a cold start's mistyped request should not build the document's imports).
ROUTES_HINT = "GET /v1/openapi.json lists every route and its methods"
_SHOWN_PATH = 200


def no_route(method: str, path: str, request_id: str | None = None) -> Response:
    """404 for a path no route matches. The path is quoted without its query (a search query
    is what a person typed, often a client's name) and cut short."""
    shown = path.split("?", 1)[0].split("#", 1)[0]
    if len(shown) > _SHOWN_PATH:
        shown = shown[:_SHOWN_PATH] + "…"
    return problem(404, "Not found", f"No route matches {method} {shown}; {ROUTES_HINT}", request_id)


def method_not_allowed(method: str, route: str, allowed: Iterable[str], request_id: str | None = None) -> Response:
    """405 for a known route (its template, e.g. /v1/clients/{client_id}) asked with a method it lacks."""
    methods = ", ".join(sorted({m.strip() for m in allowed if m.strip()}))
    response = problem(405, "Method not allowed", f"{route} takes {methods}, not {method}", request_id)
    response.headers["Allow"] = methods
    return response
