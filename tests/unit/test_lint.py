"""ruff and mypy, as pyproject.toml configures them, run with the tests: `make test` fails on any
finding, so what the configuration states (the rule set, the strictness) holds for every change."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, input=stdin,
                          timeout=240)


def test_ruff_check_reports_no_finding():
    result = _run("ruff", "check", ".", "--output-format", "concise", "--no-cache")
    assert result.returncode == 0, f"ruff findings:\n{result.stdout}{result.stderr}"


def test_mypy_reports_no_error_in_app_and_chalicelib():
    # With no paths, mypy checks what pyproject.toml names: app.py and chalicelib/.
    result = _run("mypy")
    assert result.returncode == 0, f"mypy errors:\n{result.stdout}{result.stderr}"
    assert "Success: no issues found" in result.stdout


def test_ruff_check_refuses_a_file_breaking_the_configured_rules():
    # The configuration is live: a mutable default argument (B006) and an unsorted import block (I001).
    bad = "import sys\nimport os\n\n\ndef f(items=[]):\n    return items, os, sys\n"
    result = _run("ruff", "check", "--output-format", "concise", "--no-cache", "--stdin-filename",
                  "chalicelib/probe.py", "-", stdin=bad)
    assert result.returncode == 1
    assert "B006" in result.stdout and "I001" in result.stdout


def test_mypy_refuses_an_unannotated_function(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("def charge(session):\n    return session\n")
    result = _run("mypy", "--no-incremental", str(probe))
    assert result.returncode == 1
    assert "[no-untyped-def]" in result.stdout
