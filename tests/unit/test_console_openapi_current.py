"""console/openapi.json is the contract the console's types are generated from; it must be the
app's document as it is now, so a change to the API breaks the console build until it is
re-exported (`.venv/bin/python -m devtools.openapi_export > console/openapi.json`)."""
from __future__ import annotations

import json
from pathlib import Path

from devtools.openapi_export import exported

CONSOLE_OPENAPI = Path(__file__).resolve().parents[2] / "console" / "openapi.json"


def test_console_openapi_matches_the_apps_document():
    stored = json.loads(CONSOLE_OPENAPI.read_text())
    current = json.loads(exported())
    assert stored == current, (
        "console/openapi.json is stale: run `.venv/bin/python -m devtools.openapi_export > console/openapi.json` "
        "and rebuild the console (npm --prefix console run build)")


def test_console_openapi_is_written_as_the_export_writes_it():
    # Byte-for-byte, so a diff of the file shows only contract changes, never re-formatting.
    assert CONSOLE_OPENAPI.read_text() == exported()
