"""/v1/practice: the practice's business information and policies."""
from chalice import Blueprint

from chalicelib.auth import Role
from chalicelib.http import Call, operation
from chalicelib.lazy import lazy
from chalicelib.models.practice import Practice, PracticeUpdate

bp = Blueprint(__name__)
service = lazy("chalicelib.services.practice")
TAG = "Practice"


@operation(bp, "GET", "/v1/practice", summary="Read the practice's settings", tag=TAG, response=Practice)
def get_practice(call: Call) -> Practice:
    return service.get_practice(principal=call.principal)


@operation(bp, "PATCH", "/v1/practice", roles={Role.ADMIN}, summary="Update the practice's settings",
           tag=TAG, body=PracticeUpdate, response=Practice)
def update_practice(call: Call) -> Practice:
    return service.update_practice(principal=call.principal, changes=call.body, expected_version=call.if_match)
