"""Idempotency-Key support through Powertools Idempotency and its DynamoDB table.

The first request with a key runs and its successful response is stored; a retry with the
same key and the same request replays that response; the same key with a different request
is refused (422). Failed requests are not stored, so a retry after fixing the cause runs again.
A request that arrives while the same key is still being served waits (jittered, inside the
retry budget) and replays that answer; past the budget it is a 409 "still in progress".
"""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from chalicelib.config import get_settings
from chalicelib.errors import Conflict, RetryLater, ValidationFailed
from chalicelib.store import dynamo, retry


@lru_cache(maxsize=4)
def _persistence(table_name: str, client_id: int) -> DynamoDBPersistenceLayer:
    # Keyed on the client too: tests swap endpoints, and the layer holds on to its client.
    return DynamoDBPersistenceLayer(table_name=table_name, boto3_client=dynamo.client())


class _LocalContext(LambdaContext):
    """Stands in for the Lambda context outside Lambda (chalice local, tests): Powertools uses
    the remaining time to expire an in-progress record left by a crashed request."""

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 30_000


def _config(lambda_context: LambdaContext | None) -> IdempotencyConfig:
    config = IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="request",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=get_settings().idempotency_ttl_seconds,
    )
    config.register_lambda_context(lambda_context or _LocalContext())
    return config


def run_once(*, scope: str, key: str, request: Any, run: Callable[[], dict[str, Any]],
             lambda_context: LambdaContext | None = None) -> dict[str, Any]:
    """Run `run` once per (scope, key); `request` must match on every retry."""
    store = _persistence(get_settings().idempotency_table_name, id(dynamo.client()))

    # Its qualified name is part of every stored key: renaming it would orphan the stored answers.
    def idempotent_call(call: dict[str, Any]) -> dict[str, Any]:
        return run()

    # Powertools' decorator is typed as returning Any; the wrapped call keeps the function's type.
    once: Callable[..., dict[str, Any]] = idempotent_function(
        data_keyword_argument="call", persistence_store=store, config=_config(lambda_context))(idempotent_call)

    def attempt(_: retry.Attempt) -> dict[str, Any]:
        try:
            return once(call={"key": f"{scope}#{key}", "request": request})
        except IdempotencyAlreadyInProgressError as err:
            # The same key is being served elsewhere right now: wait for its answer (then this
            # call replays it) rather than refuse, inside the request's budget.
            raise retry.Again("in progress") from err

    try:
        return retry.run(attempt, what="finish the request in progress with this Idempotency-Key", only_again=True)
    except IdempotencyValidationError as err:
        raise ValidationFailed.field(
            "header.Idempotency-Key",
            "this key was already used with a different request; use a new key") from err
    except RetryLater as err:
        if isinstance(err.__cause__, retry.Again):
            raise Conflict("A request with this Idempotency-Key is still in progress; retry shortly") from err
        raise
