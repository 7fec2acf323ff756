"""The stack every benchmark measures against: a fresh DynamoDB Local with the demo practice."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path


@contextmanager
def demo_stack() -> Iterator[None]:
    """DynamoDB Local in a temporary directory with the tables and the demo practice, the app
    pointed at it. Request logs stay on (INFO, as deployed) but go to /dev/null instead of
    the figures."""
    from devtools.ddb_local import DynamoDBLocal, free_port

    with tempfile.TemporaryDirectory() as data_dir, DynamoDBLocal(port=free_port(), db_path=Path(data_dir)) as ddb:
        os.environ.update({"CASELOAD_DYNAMODB_ENDPOINT": ddb.endpoint, "AWS_ACCESS_KEY_ID": "x",
                           "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"})
        from chalicelib.config import get_settings
        from chalicelib.store import dynamo
        from devtools.seed import seed_demo
        from devtools.tables import create_tables

        create_tables(dynamo.client(), get_settings())
        seed_demo()
        with open(os.devnull, "w") as devnull, redirect_stdout(devnull):
            yield
