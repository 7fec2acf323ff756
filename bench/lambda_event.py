"""API Gateway (REST, proxy) events, as Lambda hands them to a Chalice app."""
from __future__ import annotations

import json
import uuid
from typing import Any


def api_event(method: str, resource: str, path: str, *, token: str | None = None, body: Any = None,
              path_params: dict[str, str] | None = None, query: dict[str, str] | None = None,
              headers: dict[str, str] | None = None, claims: dict[str, str] | None = None) -> dict[str, Any]:
    """A proxy-integration event for `method path` matched to route `resource`; `claims` are
    what a Cognito authorizer in front of the route verified and hands on (every value a string)."""
    sent = {"Content-Type": "application/json", **(headers or {})}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    return {
        "resource": resource, "path": path, "httpMethod": method, "headers": sent,
        "multiValueHeaders": {k: [v] for k, v in sent.items()},
        "queryStringParameters": query, "multiValueQueryStringParameters":
            {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": path_params, "stageVariables": None,
        "requestContext": {"resourcePath": resource, "httpMethod": method, "requestId": str(uuid.uuid4()),
                           "path": path, "stage": "api", **({"authorizer": {"claims": claims}} if claims else {})},
        "body": json.dumps(body) if body is not None else None, "isBase64Encoded": False,
    }
