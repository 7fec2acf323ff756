"""Fault injection inside this process: a botocore `before-send` hook on the app's DynamoDB
client (chalicelib/store/dynamo.py builds the one client).

`before-send` runs once per HTTP attempt, before botocore's own retry handler looks at the
answer, so an injected throttle or 500 goes through botocore's retries exactly as a real one
would, and an exception raised here (the read timeout after a landed write) is treated as a
network failure. The hook answers every write itself: it forwards the request to whatever
would have answered it (moto's stubber, or DynamoDB Local over HTTP), so it knows when a
transaction is in flight. Works over moto (one thread: use rates and `phantom`) and over
DynamoDB Local with threads (overlaps are real).
"""
from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError
from botocore.hooks import first_non_none_response

from tests.faults.policy import WRITES, FaultConfig, FaultPolicy, fault_response, operation_of

_HOOK_ID = "caseload-fault-injection"
_ANSWERED = "http://answered-by-fault-injection.invalid/"


class _Raw(io.BytesIO):
    """The raw body botocore reads from an AWSResponse."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.getvalue()


def _response(url: str, status: int, headers: dict[str, str], body: bytes) -> AWSResponse:
    return AWSResponse(url, status, headers, _Raw(body))


class InProcessFaults:
    """Installs a FaultPolicy on one botocore client; `uninstall` takes it off."""

    def __init__(self, policy: FaultPolicy) -> None:
        self.policy = policy
        self._local = threading.local()
        self._client: Any = None

    def install(self, client: Any) -> InProcessFaults:
        self._client = client
        client.meta.events.register_first("before-send.dynamodb", self._before_send, unique_id=_HOOK_ID)
        return self

    def uninstall(self) -> None:
        if self._client is not None:
            self._client.meta.events.unregister("before-send.dynamodb", unique_id=_HOOK_ID)
            self._client = None

    def _before_send(self, request: Any, event_name: str, **_: Any) -> AWSResponse | None:
        if getattr(self._local, "forwarding", False):
            return None  # our own forward: let moto (or the real send) answer
        # botocore resends the same request object on a retry: undo what we did to the last one.
        request.url = getattr(request, "_caseload_url", request.url)
        answer = self._answer(request, event_name)
        if answer is not None:
            # botocore calls every before-send handler; moto's stubber comes after ours and would
            # apply the write (again). It ignores a URL that is not AWS's.
            request._caseload_url, request.url = request.url, _ANSWERED
        return answer

    def _answer(self, request: Any, event_name: str) -> AWSResponse | None:
        operation = operation_of(request.headers.get("X-Amz-Target"))
        body = json.loads(request.body or b"{}")
        ticket = self.policy.begin(operation, body)
        try:
            if ticket.fault.refuses:
                return _response(request.url, *fault_response(ticket.fault))
            if operation not in WRITES and ticket.fault.kind == "pass":
                return None  # reads need no forwarding: nothing is held in flight
            replayed = self.policy.replay(ticket)
            if replayed is not None:
                return _response(request.url, *replayed)
            response = self._forward(request, event_name)
            content = response.content  # read now: the transaction is over when it answered
            self.policy.answered(ticket, response.status_code, dict(response.headers), content)
            if ticket.fault.kind == "timeout_after_write":
                raise ReadTimeoutError(endpoint_url=request.url)
            return _response(request.url, response.status_code, dict(response.headers), content)
        finally:
            self.policy.end(ticket)

    def _forward(self, request: Any, event_name: str) -> AWSResponse:
        self._local.forwarding = True
        try:
            answer = first_non_none_response(self._client.meta.events.emit(event_name, request=request))
        finally:
            self._local.forwarding = False
        if answer is None:  # no stub in the way: a real endpoint (DynamoDB Local)
            answer = self._client._endpoint.http_session.send(request)
        return answer


def install(client: Any, config: FaultConfig | str, *, remember_tokens: bool = True) -> InProcessFaults:
    """Fault injection on `client` (the app's: chalicelib.store.dynamo.client()). moto does not
    keep ClientRequestTokens, so by default the policy keeps them as DynamoDB does."""
    if isinstance(config, str):
        config = FaultConfig.parse(config)
    return InProcessFaults(FaultPolicy(config, remember_tokens=remember_tokens)).install(client)
