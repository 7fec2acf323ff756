"""The module boundary, read from the source with ast (every import: top level, inside functions,
under TYPE_CHECKING). docs/ARCHITECTURE.md draws the same picture:

    routes -> services -> store -> DynamoDB (boto3)
         \\-> models      \\-> domain (pure)

- domain/ is pure: it imports nothing from chalicelib outside domain/, and no AWS or web library;
- store/ never reaches up: no services/, routes/, jobs/ or http;
- routes/ are thin: no store/ and no AWS library (a route calls a service);
- models/ (the API's pydantic shapes) import no store/, services/, routes/, jobs/ or AWS library;
- services/ and jobs/ import no routes/ or http (they run outside a request too: the sweep)."""
from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHALICELIB = ROOT / "chalicelib"
AWS = ("boto3", "botocore", "aws_lambda_powertools")

# layer -> imports refused there (a module or any module below it)
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "domain": (*AWS, "chalice", "pydantic_settings", "chalicelib.accounts", "chalicelib.auth", "chalicelib.config",
               "chalicelib.cors", "chalicelib.cursor", "chalicelib.errors", "chalicelib.http", "chalicelib.jobs",
               "chalicelib.lazy", "chalicelib.models", "chalicelib.notify", "chalicelib.observability",
               "chalicelib.openapi", "chalicelib.routes", "chalicelib.services", "chalicelib.store"),
    "store": ("chalice", "chalicelib.services", "chalicelib.routes", "chalicelib.jobs", "chalicelib.http"),
    "routes": (*AWS, "chalicelib.store"),
    "models": (*AWS, "chalicelib.store", "chalicelib.services", "chalicelib.routes", "chalicelib.jobs"),
    "services": ("chalicelib.routes", "chalicelib.http"),
    "jobs": ("chalicelib.routes", "chalicelib.http"),
}


def imported_modules(source: str) -> list[tuple[int, str]]:
    """(line, module) for every import in `source`; `from a import b` counts as a and a.b (b may be a module)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"line {node.lineno}: relative import (the code imports absolutely)"
            found.append((node.lineno, node.module or ""))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def breaches(layer: str, source: str) -> list[str]:
    refused = FORBIDDEN[layer]
    return sorted({f"line {line} imports {module}" for line, module in imported_modules(source)
                   if any(module == r or module.startswith(r + ".") for r in refused)})


def _layer_files(layer: str) -> list[Path]:
    files = sorted((CHALICELIB / layer).rglob("*.py"))
    assert files, f"no modules in chalicelib/{layer}"
    return files


def _breaches_of(layer: str) -> list[str]:
    return [f"{path.relative_to(ROOT)}: {breach}" for path in _layer_files(layer)
            for breach in breaches(layer, path.read_text())]


def test_domain_imports_nothing_outside_domain_nor_aws():
    assert _breaches_of("domain") == []


def test_store_imports_no_services_routes_jobs_or_http():
    assert _breaches_of("store") == []


def test_routes_import_no_store_nor_aws():
    assert _breaches_of("routes") == []


def test_models_import_no_store_services_routes_jobs_nor_aws():
    assert _breaches_of("models") == []


def test_services_and_jobs_import_no_routes_or_http():
    assert _breaches_of("services") + _breaches_of("jobs") == []


def test_breaches_are_found_at_top_level_in_functions_and_under_type_checking():
    source = ("import boto3\n"
              "from typing import TYPE_CHECKING\n"
              "if TYPE_CHECKING:\n    from chalicelib.store import items\n"
              "def f() -> None:\n    from chalicelib.services.charging import charge_session\n")
    assert breaches("domain", source) == ["line 1 imports boto3", "line 4 imports chalicelib.store",
                                          "line 4 imports chalicelib.store.items",
                                          "line 6 imports chalicelib.services.charging",
                                          "line 6 imports chalicelib.services.charging.charge_session"]
    assert breaches("routes", "from chalicelib.storefront import x\n") == []  # a prefix of a name is not it


_RUNTIME = re.compile(r'^\s+(\w+) = (?:lazy|models_of)\("(chalicelib\.(?:services|models)\.\w+)"\)$', re.M)


def test_route_lazy_modules_are_the_modules_mypy_checks():
    """A route module names each service or models module twice: imported under TYPE_CHECKING (what
    mypy and an IDE follow) and lazily at run time. Both must name the same module under the same name,
    or mypy checks calls against one module while requests run another."""
    named = 0
    for path in sorted((CHALICELIB / "routes").glob("*.py")):
        source = path.read_text()
        runtime = dict(_RUNTIME.findall(source))
        named += len(runtime)
        checked = {}
        for node in ast.walk(ast.parse(source)):
            if (isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"):
                for imp in node.body:
                    assert isinstance(imp, ast.ImportFrom), f"{path.name}: only `from ... import` under TYPE_CHECKING"
                    checked |= {alias.asname or alias.name: f"{imp.module}.{alias.name}" for alias in imp.names}
        assert runtime == checked, path.name
        for module in runtime.values():
            assert (ROOT / (module.replace(".", "/") + ".py")).is_file(), f"{path.name}: {module} does not exist"
    assert named > 20  # the pattern still matches how routes name their modules


def test_importing_app_loads_no_service_model_or_repository_module():
    # The cold start: routes name their services and models without importing them (chalicelib/lazy.py).
    probe = ("import sys, app; print(' '.join(m for m in sys.modules if m.startswith("
             "('chalicelib.services', 'chalicelib.models', 'chalicelib.store.'))))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert set(result.stdout.split()) <= {"chalicelib.store.retry"}  # http's retry budget, no DynamoDB


def test_importing_app_leaves_the_collector_on_and_the_app_frozen_out_of_its_scans():
    # app.py pauses the collector while it loads (cold start); it must never stay paused.
    probe = "import gc, app; print(gc.isenabled(), gc.get_freeze_count() > 10_000)"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["True", "True"]


def test_the_dynamodb_adapter_does_not_load_boto3():
    # botocore alone serves DynamoDB; boto3 brings s3transfer and its resource layer (cold start).
    probe = "import sys; from chalicelib.store import dynamo; dynamo.client(); print('boto3' in sys.modules)"
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "CASELOAD_DYNAMODB_ENDPOINT": "http://127.0.0.1:9"}
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
                            env=env)
    assert result.stdout.strip() == "False"


def function_level_imports(source: str, prefix: str) -> list[str]:
    """`line: module` for each import of `prefix` made inside a function: the old patch for an
    import circle (a module that needs one inside a function is in a circle)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith(prefix):
                    found.append(f"{inner.lineno}: {inner.module}")
                elif isinstance(inner, ast.Import):
                    found += [f"{inner.lineno}: {a.name}" for a in inner.names if a.name.startswith(prefix)]
    return found


def test_services_and_jobs_import_services_at_the_top_only_so_there_is_no_circle():
    late = {str(path.relative_to(ROOT)): found for layer in ("services", "jobs") for path in _layer_files(layer)
            if (found := function_level_imports(path.read_text(), "chalicelib.services"))}
    assert late == {}


def test_an_import_inside_a_function_is_found():
    source = "def f():\n    from chalicelib.services import groups\n    import chalicelib.services.clients\n"
    assert function_level_imports(source, "chalicelib.services") == ["2: chalicelib.services",
                                                                        "3: chalicelib.services.clients"]
