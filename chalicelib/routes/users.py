"""/v1/users: staff users (admins manage them; every user manages their own profile)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.auth import Role
from chalicelib.http import Call, Listing, operation
from chalicelib.lazy import lazy, models_of

bp = Blueprint(__name__)
if TYPE_CHECKING:  # what mypy and an IDE follow; at run time each is imported on first use
    from chalicelib.models import users as models
    from chalicelib.services import users as service
else:
    models = models_of("chalicelib.models.users")
    service = lazy("chalicelib.services.users")
ADMIN = {Role.ADMIN}
TAG = "Users"


@operation(bp, "POST", "/v1/users", roles=ADMIN, summary="Create a user", tag=TAG, body=models.UserCreate,
           response=models.User, location="/v1/users/{id}")
def create_user(call: Call) -> models.User:
    return service.create_user(principal=call.principal, data=call.body)


@operation(bp, "GET", "/v1/users", summary="List users", tag=TAG, response=models.User, paginated=True)
def list_users(call: Call) -> Listing:
    return Listing(*service.list_users(principal=call.principal, limit=call.query.limit,
                                       start_key=call.start_key))


@operation(bp, "GET", "/v1/users/me", summary="Read your own user", tag=TAG, response=models.User)
def get_me(call: Call) -> models.User:
    return service.get_user(principal=call.principal, user_id=call.principal.user_id)


@operation(bp, "PATCH", "/v1/users/me", summary="Update your own name and notification preferences",
           tag=TAG, body=models.MyProfileUpdate, response=models.User)
def update_me(call: Call) -> models.User:
    return service.update_user(principal=call.principal, user_id=call.principal.user_id, changes=call.body,
                               expected_version=call.version)


@operation(bp, "GET", "/v1/users/{user_id}", summary="Read a user", tag=TAG, response=models.User)
def get_user(call: Call) -> models.User:
    return service.get_user(principal=call.principal, user_id=call.params["user_id"])


@operation(bp, "PATCH", "/v1/users/{user_id}", roles=ADMIN, summary="Update a user", tag=TAG,
           body=models.UserUpdate, response=models.User)
def update_user(call: Call) -> models.User:
    return service.update_user(principal=call.principal, user_id=call.params["user_id"], changes=call.body,
                               expected_version=call.version)


@operation(bp, "POST", "/v1/users/{user_id}/mfa-reset", roles=ADMIN, tag=TAG,
           summary="Reset a user's authenticator app: they enrol a new one at their next sign-in")
def reset_user_mfa(call: Call) -> None:
    service.reset_mfa(principal=call.principal, user_id=call.params["user_id"])


@operation(bp, "DELETE", "/v1/users/{user_id}", roles=ADMIN, summary="Delete a user", tag=TAG)
def delete_user(call: Call) -> None:
    service.delete_user(principal=call.principal, user_id=call.params["user_id"], expected_version=call.version)
