"""/v1/practice: the practice's business information and policies."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.auth import Role
from chalicelib.domain.practice import Practice
from chalicelib.http import Call, Listing, operation
from chalicelib.lazy import lazy, models_of

bp = Blueprint(__name__)
if TYPE_CHECKING:  # what mypy and an IDE follow; at run time each is imported on first use
    from chalicelib.models import practice as models
    from chalicelib.services import closure
    from chalicelib.services import practice as service
else:
    models = models_of("chalicelib.models.practice")
    service = lazy("chalicelib.services.practice")
    closure = lazy("chalicelib.services.closure")
ADMIN = {Role.ADMIN}
TAG = "Practice"


@operation(bp, "GET", "/v1/practice", summary="Read the practice's settings", tag=TAG, response=models.Practice)
def get_practice(call: Call) -> Practice:
    return service.get_practice(principal=call.principal)


@operation(bp, "PATCH", "/v1/practice", roles={Role.ADMIN}, summary="Update the practice's settings",
           tag=TAG, body=models.PracticeUpdate, response=models.Practice)
def update_practice(call: Call) -> Practice:
    return service.update_practice(principal=call.principal, changes=call.body, expected_version=call.version)


@operation(bp, "POST", "/v1/practice/close", roles=ADMIN, tag=TAG, response=models.Practice, status=200,
           conditional=True, summary="Close the account: read-only for 30 days, then deleted")
def close_practice(call: Call) -> Practice:
    return closure.close_account(principal=call.principal, expected_version=call.version)


@operation(bp, "POST", "/v1/practice/reopen", roles=ADMIN, tag=TAG, response=models.Practice, status=200,
           conditional=True, while_closed=True, summary="Reopen a closed account before its data is deleted")
def reopen_practice(call: Call) -> Practice:
    return closure.reopen_account(principal=call.principal, expected_version=call.version)


@operation(bp, "GET", "/v1/practice/export", roles=ADMIN, tag=TAG, response=models.ExportedItem, paginated=True,
           summary="Export everything the practice has stored, page by page (JSON)")
def export_practice(call: Call) -> Listing:
    return Listing(*closure.export(principal=call.principal, start_key=call.start_key))
