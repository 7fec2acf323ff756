"""Create the tables in infra/tables.json (DynamoDB Local, moto)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SPEC = Path(__file__).resolve().parent.parent / "infra" / "tables.json"


def load_table_specs() -> dict[str, Any]:
    """The table entries of infra/tables.json."""
    return {k: v for k, v in json.loads(SPEC.read_text()).items() if not k.startswith("_")}


def create_tables(client: Any, settings: Any) -> list[str]:
    """Create every table that does not exist yet; returns the names created."""
    existing = set(client.list_tables()["TableNames"])
    created = []
    for spec in load_table_specs().values():
        name = getattr(settings, spec["setting"])
        if name in existing:
            continue
        props = dict(spec["Properties"])
        ttl = props.pop("TimeToLiveSpecification", None)
        client.create_table(TableName=name, **props)
        client.get_waiter("table_exists").wait(TableName=name)
        if ttl:
            client.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        created.append(name)
    return created
