"""Cold start: a fresh process importing app.py and serving its first request, against a bare
Chalice app that imports boto3 and makes the same kind of DynamoDB read. Both run against
DynamoDB Local, alternating, in fresh interpreters; prints medians and the ratio (bar <= 1.25).

`--stage prod` (the default) is what Lambda runs: the prod stage's environment and the
template's, and an event as API Gateway hands it on after its Cognito authorizer verified the
token (the claims in `requestContext.authorizer`). `--stage local` is `make run`'s path: an
HS256 token, minted before the clock starts, verified with PyJWT inside the timed request.

    .venv/bin/python -m bench.cold_start [--runs 15] [--stage prod|local]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BAR = 1.25

# Each child prints the seconds from just before its first import to the first response.
CASELOAD_CHILD = textwrap.dedent("""
    import time; t0 = time.perf_counter()
    import json, os
    import app
    from bench.lambda_event import api_event
    claims = json.loads(os.environ["BENCH_CLAIMS"] or "null")
    out = app.app(api_event("GET", "/v1/practice", "/v1/practice", token=os.environ["BENCH_TOKEN"], claims=claims),
                  None)
    assert out["statusCode"] == 200, out
    print(time.perf_counter() - t0)
""")

BARE_CHILD = textwrap.dedent("""
    import time; t0 = time.perf_counter()
    import os
    import boto3
    from chalice import Chalice
    app = Chalice(app_name="bare")
    @app.route("/v1/practice")
    def practice():
        ddb = boto3.client("dynamodb", endpoint_url=os.environ["CASELOAD_DYNAMODB_ENDPOINT"])
        item = ddb.get_item(TableName=os.environ["CASELOAD_TABLE_NAME"],
                            Key={"PK": {"S": "P#prc_demo"}, "SK": {"S": "PRACTICE"}})["Item"]
        return {"name": item["name"]["S"]}
    from bench.lambda_event import api_event
    out = app(api_event("GET", "/v1/practice", "/v1/practice"), None)
    assert out["statusCode"] == 200, out
    print(time.perf_counter() - t0)
""")


# What infra/stack.yaml adds to the prod stage's environment, with stand-in pool ids.
PROD_TEMPLATE_ENV = {"CASELOAD_COGNITO_USER_POOL_ID": "us-east-1_BENCH", "CASELOAD_COGNITO_CLIENT_ID": "bench-client",
                     "CASELOAD_TRUST_GATEWAY_CLAIMS": "true"}
# An ID token's claims as API Gateway's Cognito authorizer hands them on (every value a string).
GATEWAY_CLAIMS = {"aud": "bench-client", "token_use": "id", "cognito:groups": "admin",
                  "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_BENCH",
                  "exp": "Sat Nov 28 23:00:00 UTC 2026", "auth_time": "1795830000"}


def _run(code: str, env: dict[str, str]) -> float:
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            check=True)
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--stage", choices=("prod", "local"), default="prod")
    args = parser.parse_args()

    from devtools.ddb_local import DynamoDBLocal, free_port
    from devtools.seed import DEMO_PRACTICE_ID, DEMO_USERS

    with tempfile.TemporaryDirectory() as data_dir:
        port = free_port()
        with DynamoDBLocal(port=port, db_path=Path(data_dir)):
            # The environment every deployed function gets (.chalice/config.json), then the
            # local database in place of AWS.
            config = json.loads((ROOT / ".chalice" / "config.json").read_text())
            deployed = {**config.get("environment_variables", {}),
                        **config["stages"][args.stage].get("environment_variables", {}),
                        **(PROD_TEMPLATE_ENV if args.stage == "prod" else {})}
            env = {**os.environ, **deployed, "CASELOAD_DYNAMODB_ENDPOINT": f"http://127.0.0.1:{port}",
                   "CASELOAD_TABLE_NAME": "bench-main", "CASELOAD_IDEMPOTENCY_TABLE_NAME": "bench-idem",
                   "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1",
                   "POWERTOOLS_LOG_LEVEL": "ERROR", "PYTHONDONTWRITEBYTECODE": "0"}
            subprocess.run([sys.executable, "-c", "from chalicelib.config import get_settings;"
                            "from chalicelib.store import dynamo; from devtools.tables import create_tables;"
                            "from devtools.seed import seed_demo;"
                            "create_tables(dynamo.client(), get_settings()); seed_demo()"],
                           cwd=ROOT, env=env, check=True)
            # The caller's token (prod: the claims the gateway verified, for the demo admin).
            admin = {"sub": DEMO_USERS["admin"], "custom:practice_id": DEMO_PRACTICE_ID}
            env["BENCH_CLAIMS"] = json.dumps({**GATEWAY_CLAIMS, **admin} if args.stage == "prod" else None)
            env["BENCH_TOKEN"] = subprocess.run(
                [sys.executable, "-c", "from chalicelib.auth import issue_local_token;"
                 "from devtools.seed import DEMO_PRACTICE_ID, DEMO_USERS;"
                 "print(issue_local_token(practice_id=DEMO_PRACTICE_ID, user_id=DEMO_USERS['admin'], role='admin'))"],
                cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout.strip()
            _run(CASELOAD_CHILD, env), _run(BARE_CHILD, env)  # warm the OS file cache and .pyc files
            caseload, bare = [], []
            for _ in range(args.runs):  # alternate so machine noise hits both alike
                caseload.append(_run(CASELOAD_CHILD, env))
                bare.append(_run(BARE_CHILD, env))
    result = {"stage": args.stage, "runs": args.runs,
              "caseload_median_ms": round(statistics.median(caseload) * 1000, 1),
              "bare_chalice_boto3_median_ms": round(statistics.median(bare) * 1000, 1)}
    result["ratio"] = round(result["caseload_median_ms"] / result["bare_chalice_boto3_median_ms"], 3)
    result["bar"] = BAR
    result["meets_bar"] = result["ratio"] <= BAR
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
