"""/v1/openapi.json generates a clean Python client: every schema has one name, and
openapi-python-client (pinned in requirements-dev.txt) builds every model and operation
without a single warning."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

GENERATOR = Path(sys.executable).parent / "openapi-python-client"


@pytest.fixture
def openapi(api) -> dict:
    reply = api.get("/v1/openapi.json", role=None)
    assert reply.status == 200
    return reply.body


def test_schema_names_are_unique_and_are_their_titles(openapi):
    schemas = openapi["components"]["schemas"]
    titles = Counter(schema.get("title", name) for name, schema in schemas.items())
    assert [t for t, n in titles.items() if n > 1] == []
    # A generator names its class from the title or the key: they must agree and be identifiers.
    assert {name: s.get("title", name) for name, s in schemas.items() if s.get("title", name) != name} == {}
    assert [n for n in schemas if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", n)] == []


def test_every_ref_points_at_a_schema(openapi):
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(openapi)))
    assert refs and refs <= set(openapi["components"]["schemas"])


def test_generate_python_client_without_warnings(openapi, tmp_path):
    if not GENERATOR.exists():
        pytest.fail(f"{GENERATOR} is missing: `make test` installs it (requirements-dev.txt)")
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(openapi))
    # The generator formats its output with ruff, which it installs next to itself.
    env = {**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run([str(GENERATOR), "generate", "--path", str(spec), "--meta", "none",
                          "--output-path", str(tmp_path / "client")],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    said = output.replace(str(tmp_path), "<tmp>").lower()  # the test's own name holds "warning"
    assert "warning" not in said and "error" not in said and "skipping" not in said, output
    # Every schema that is an object became a model class of its name, every operation a module.
    models = set(re.findall(r"^from \.\w+ import (\w+)$", (tmp_path / "client" / "models" / "__init__.py").read_text(),
                            re.M))
    objects = [n for n, s in openapi["components"]["schemas"].items() if s.get("type") == "object"]
    assert [n for n in objects if n not in models] == []
    operations = {p.stem for p in (tmp_path / "client" / "api").rglob("*.py")}
    documented = {op["operationId"] for ops in openapi["paths"].values() for op in ops.values()}
    assert documented - operations == set()

