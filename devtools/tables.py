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
    """Create every table that does not exist yet, and add the indexes an existing table lacks
    (a local stack from before an index was added keeps its data); returns the names created."""
    existing = set(client.list_tables()["TableNames"])
    created = []
    for spec in load_table_specs().values():
        name = getattr(settings, spec["setting"])
        if name in existing:
            _add_missing_indexes(client, name, spec["Properties"])
            continue
        props = dict(spec["Properties"])
        ttl = props.pop("TimeToLiveSpecification", None)
        client.create_table(TableName=name, **props)
        client.get_waiter("table_exists").wait(TableName=name)
        if ttl:
            client.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)
        created.append(name)
    return created


def _add_missing_indexes(client: Any, name: str, props: dict[str, Any]) -> None:
    have = {i["IndexName"] for i in client.describe_table(TableName=name)["Table"].get("GlobalSecondaryIndexes", [])}
    for index in props.get("GlobalSecondaryIndexes", []):
        if index["IndexName"] in have:
            continue
        keys = {k["AttributeName"] for k in index["KeySchema"]}
        definitions = [a for a in props["AttributeDefinitions"] if a["AttributeName"] in keys]
        client.update_table(TableName=name, AttributeDefinitions=definitions,
                            GlobalSecondaryIndexUpdates=[{"Create": index}])
        client.get_waiter("table_exists").wait(TableName=name)
