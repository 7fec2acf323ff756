"""The claims service knows no DynamoDB: keys, index names, expressions and request shapes
live in chalicelib/store/claims.py (issue 12's boundary, checked for the claims module)."""
from __future__ import annotations

import re
from pathlib import Path

SERVICE = Path(__file__).resolve().parents[2] / "chalicelib" / "services" / "claims.py"
# What only the store may say: request shapes, expressions, key attributes, index names and
# key prefixes such as "SESSION#" or "USE#".
RAW = re.compile(r"TableName|Expression|[\"'](PK|SK)[\"']|GSI\d|[\"'][A-Z]+#|\bclient_pk\b|\bpractice_pk\b"
                 r"|\busage_sk\b|\bentity_sk\b|store\.keys|\.get_many\(|\.query_all\(|\.every_item\(")


def test_claims_service_has_no_dynamodb_syntax():
    lines = SERVICE.read_text().splitlines()
    assert [(n, line) for n, line in enumerate(lines, 1) if RAW.search(line)] == []
