"""Domain exceptions. The store and services raise these; chalicelib.http maps them to
problem+json in one place, by class, never by message text."""
from __future__ import annotations

from typing import Any


class CaseloadError(Exception):
    """Base of every error the API turns into a problem response."""

    status = 500
    title = "Internal server error"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class BadRequest(CaseloadError):
    status = 400
    title = "Bad request"


class Unauthorized(CaseloadError):
    status = 401
    title = "Unauthorized"


class Forbidden(CaseloadError):
    status = 403
    title = "Forbidden"


class NotFound(CaseloadError):
    status = 404
    title = "Not found"

    def __init__(self, resource: str, resource_id: str) -> None:
        super().__init__(f"{resource} {resource_id} was not found")


class Conflict(CaseloadError):
    status = 409
    title = "Conflict"


class AlreadyExists(Conflict):
    title = "Already exists"


class PreconditionFailed(CaseloadError):
    status = 412
    title = "Precondition failed"


class PreconditionRequired(CaseloadError):
    status = 428
    title = "Precondition required"


class ServiceUnavailable(CaseloadError):
    """Another service (the sign-in directory) did not take a change; retrying is safe."""

    status = 503
    title = "Service unavailable"


class RetryLater(ServiceUnavailable):
    """DynamoDB kept refusing for contention or throttling until the request's time budget ran
    out; nothing was written (or what was written is exactly once). `retry_after` is in seconds."""

    def __init__(self, detail: str, *, retry_after: int = 1) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.headers = {"Retry-After": str(retry_after)}


class ValidationFailed(CaseloadError):
    """422 with field-level detail: errors is a list of {"field", "reason"}."""

    status = 422
    title = "Validation failed"

    def __init__(self, errors: list[dict[str, str]], detail: str | None = None) -> None:
        super().__init__(detail or "The request has invalid fields", errors=errors)

    @classmethod
    def field(cls, field: str, reason: str) -> ValidationFailed:
        """One failing field."""
        return cls([{"field": field, "reason": reason}])
