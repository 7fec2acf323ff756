"""/v1/notifications: each user's inbox of the staff emails they were sent."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from chalicelib.http import Call, Listing, operation
from chalicelib.lazy import lazy, models_of

bp = Blueprint(__name__)
if TYPE_CHECKING:  # what mypy and an IDE follow; at run time each is imported on first use
    from chalicelib.models import notifications as models
    from chalicelib.services import notifications as service
else:
    models = models_of("chalicelib.models.notifications")
    service = lazy("chalicelib.services.notifications")


@operation(bp, "GET", "/v1/notifications", summary="Your notification inbox, newest first", tag="Notifications",
           response=models.Notification, paginated=True)
def list_notifications(call: Call) -> Listing:
    return Listing(*service.list_notifications(principal=call.principal, limit=call.query.limit,
                                               start_key=call.start_key))
