"""Prints the app's /v1/openapi.json document (the console's API types are generated from it).

    .venv/bin/python -m devtools.openapi_export > console/openapi.json

The document is built from the route table and the request/response models, so importing the
app is enough: no server, no AWS."""
from __future__ import annotations

import json
import sys


def exported() -> str:
    """The document as the console stores it: sorted keys, two-space indent, trailing newline,
    so a diff shows exactly what changed in the contract."""
    import app  # noqa: F401  (registers every route, which fills the operation table)
    from chalicelib.openapi import document

    return json.dumps(document(), indent=2, sort_keys=True) + "\n"


def main() -> None:
    sys.stdout.write(exported())


if __name__ == "__main__":
    main()
