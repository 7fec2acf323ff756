"""`make run`'s API server: the app on chalice.local's dev server, as `chalice local` runs it,
except for a path no route matches. chalice.local mimics API Gateway there, a 403 "Missing
Authentication Token" (quoting the Authorization header back when one was sent); this server
answers 404 problem+json like every other error, with the request id and the console's CORS
headers. Deployed, infra/stack.yaml's MISSING_AUTHENTICATION_TOKEN gateway response says the
same. (A known path asked with a method it lacks is the app's own 405: app.py.)

    python -m devtools.local_api [--host 127.0.0.1] [--port 8000] [--stage local]

Stage "local" applies .chalice/config.json's environment for it; there is no autoreload.
The access log (one line per request) goes to stderr, the app's log to stdout.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import uuid
from http.server import BaseHTTPRequestHandler
from types import SimpleNamespace
from typing import Any

from chalice.app import Chalice
from chalice.cli.factory import CLIFactory
from chalice.config import Config
from chalice.deploy.validate import validate_routes
from chalice.local import ChaliceRequestHandler, LocalDevServer, LocalGateway, LocalGatewayException

from devtools.ddb_local import ROOT


class NoRoute(LocalGatewayException):
    CODE = 404


class CaseloadGateway(LocalGateway):
    """chalice.local's stand-in for API Gateway, with the app's 404 for an unknown path."""

    def _generate_lambda_event(self, method: str, path: str, headers: dict[str, Any],
                               body: bytes | None) -> dict[str, Any]:
        try:
            return super()._generate_lambda_event(method, path, headers, body)
        except ValueError:  # the route matcher's "No matching route found"
            raise _no_route(method, path, headers) from None


def _no_route(method: str, path: str, headers: dict[str, Any]) -> NoRoute:
    # Loaded with the app already; imported here so this module loads without the app's settings.
    from chalicelib.cors import with_cors
    from chalicelib.http import no_route

    request_id = str(uuid.uuid4())
    request = SimpleNamespace(headers={k.lower(): v for k, v in headers.items()})
    response = with_cors(request, no_route(method, path, request_id))
    response.headers["X-Request-Id"] = request_id
    return NoRoute(dict(response.headers), response.body.encode())


class CaseloadRequestHandler(ChaliceRequestHandler):
    def __init__(self, request: Any, client_address: tuple[str, int], server: Any, app_object: Chalice,
                 config: Config) -> None:
        # ChaliceRequestHandler.__init__ with our gateway in place of chalice.local's.
        self.local_gateway = CaseloadGateway(app_object, config)
        BaseHTTPRequestHandler.__init__(self, request, client_address, server)


def make_server(host: str = "127.0.0.1", port: int = 8000, stage: str = "local") -> LocalDevServer:
    """The app loaded as `chalice local --stage <stage>` loads it, bound to host:port."""
    factory = CLIFactory(str(ROOT), environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name=stage)
    app = config.chalice_app
    validate_routes(app.routes)  # what `chalice deploy` would refuse, refused here too
    # The app keeps each thread's request apart itself (app.py), so chalice.local's class swap is not needed.
    return LocalDevServer(app, config, host, port, handler_cls=CaseloadRequestHandler)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--stage", default="local")
    args = parser.parse_args()
    os.chdir(ROOT)
    # As `chalice local` does: the app's log lines on stdout, as Lambda would print them.
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    server = make_server(args.host, args.port, args.stage)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
