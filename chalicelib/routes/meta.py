"""/v1/openapi.json: the API description, public so client generators can fetch it."""
import json

from chalice import Blueprint, Response

from chalicelib.openapi import OPENAPI_PATH, document

bp = Blueprint(__name__)


@bp.route(OPENAPI_PATH, methods=["GET"], name="get_openapi")
def get_openapi() -> Response:
    return Response(body=json.dumps(document()), status_code=200, headers={"Content-Type": "application/json"})
