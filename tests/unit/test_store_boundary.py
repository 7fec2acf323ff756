"""Services and jobs know no DynamoDB: keys, index names, expressions and request shapes live
in chalicelib/store, whose repositories hand out typed entities (issue 12's boundary, checked
in every module)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

CHALICELIB = Path(__file__).resolve().parents[2] / "chalicelib"
# Every service and job: none may know DynamoDB, and each takes typed entities from its
# repositories, never raw items.
MODULES = sorted(str(p.relative_to(CHALICELIB)) for folder in ("services", "jobs")
                 for p in (CHALICELIB / folder).glob("*.py") if p.name != "__init__.py")
# What only the store may say: request shapes, expressions, key attributes, index names, key
# prefixes ("SESSION#", f"P#{...}"), the key helpers and the generic item layer's raw reads and writes.
RAW = re.compile(r"TableName|Expression|[\"'](PK|SK)[\"']|GSI\d|[A-Z]{2,}#|\b\w+_pk\(|\bentity_sk\b|store\.keys"
                 r"|items\.(get|get_many|query_page|query_all|every_item|transact|put_action|delete_action"
                 r"|add_action|key_of|table)\b")


@pytest.mark.parametrize("module", MODULES)
def test_module_when_read_has_no_dynamodb_syntax(module):
    lines = (CHALICELIB / module).read_text().splitlines()
    assert [(n, line.strip()) for n, line in enumerate(lines, 1) if RAW.search(line)] == []


def test_sweep_when_read_never_splits_a_key_to_find_a_practice():
    source = (CHALICELIB / "jobs" / "sweep.py").read_text()
    assert ".split(\"#\")" not in source and "split('#')" not in source


# The generic item layer (repository.Collection, items.public) is the store's own: a service
# that takes typed entities from its repositories never names it.
UNTYPED = re.compile(r"chalicelib\.store\.repository|\bitems\.public\b|from chalicelib\.store import .*\bitems\b"
                     r"|from chalicelib\.store\.items import")


@pytest.mark.parametrize("module", MODULES)
def test_service_when_read_takes_typed_objects_from_its_repositories(module):
    lines = (CHALICELIB / module).read_text().splitlines()
    assert [(n, line.strip()) for n, line in enumerate(lines, 1) if UNTYPED.search(line)] == []


def test_users_store_when_imported_loads_no_model():
    # auth imports store.users on every cold start (a user's standing is a role string): the
    # typed reads convert with models imported inside, so that import stays free of them.
    probe = ("import sys, chalicelib.store.users; "
             "print(sorted(m for m in sys.modules if m.startswith('chalicelib.models')))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=CHALICELIB.parent, capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_boundary_when_listed_covers_every_service_and_job():
    assert {"services/entitlements.py", "services/reports.py", "services/charging.py", "jobs/sweep.py"} <= set(MODULES)
    assert len(MODULES) >= 20
