"""`make package`: the deployable template, built from one schema source.

1. Reads infra/stack.yaml (the static part: parameters, key, Cognito, SES, logs, role,
   alarms) and infra/tables.json (the tables and their indexes, also used locally and in
   tests), and asks Chalice which Lambda functions the prod stage of app.py generates.
2. Writes build/merge-template.json: the static part plus one table per tables.json entry
   (its indexes and TTL as written there, with point-in-time recovery, KMS encryption with the
   stack's key, deletion protection and Retain), the DynamoDB IAM statement for exactly those
   tables and indexes, the table-name environment variables, and alarms for every function.
3. Stages the project (app.py, chalicelib/, .chalice/config.json) in build/stage with
   requirements.lock as its requirements.txt, so Chalice bundles exactly the locked packages
   (pip checks every hash), then runs `chalice package --stage prod --merge-template
   build/merge-template.json build/package` there: build/package/sam.json and deployment.zip.
4. Leaves out of deployment.zip the botocore service models the code never calls (16 MB of
   the zip; boto3 itself stays, pinned, see BOTOCORE_SERVICES).
5. Checks the result: the user pool ARN really replaced the packaging placeholder, and the
   functions in sam.json are exactly the ones the alarms were generated for.

Usage: python -m devtools.package [--out DIR] [--stage prod]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
INFRA = ROOT / "infra"
STATIC_TEMPLATE = INFRA / "stack.yaml"
TABLES = INFRA / "tables.json"
BUILD = ROOT / "build"

USER_POOL = "UserPool"
DATA_KEY = "DataKey"
ROLE = "DefaultRole"  # the role Chalice gives every function it generates
ALARM_TOPIC = "AlarmTopic"
# Chalice imports app.py while packaging, and chalicelib.auth builds the API's Cognito
# authorizer from this ARN. The pool does not exist until the stack does, so packaging uses
# this placeholder and the merge template replaces it with the pool's real ARN.
PLACEHOLDER_POOL_ARN = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_replacedbyinfra"

# Exactly the DynamoDB actions the deployed code calls (chalicelib and the Powertools
# idempotency layer); a transaction is authorized per action it holds (Put, Update, Delete).
# tests/infra/test_package.py reads the code and fails if this list and the calls disagree.
DYNAMODB_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
)


LOCK = ROOT / "requirements.lock"
# The bundle ships its own boto3/botocore, the versions the suite ran with (the Lambda runtime's
# copy changes under us when AWS updates it), but only the models of the services it calls:
# botocore carries ~420 of them, 16 MB of a 37 MB zip. tests/infra/test_package.py fails if
# the code creates a client for a service missing here. sts: botocore's credential chain.
BOTOCORE_SERVICES = frozenset({"dynamodb", "sesv2", "cognito-idp", "sts"})


@dataclass(frozen=True)
class Function:
    """A Lambda function Chalice generates, as the template knows it."""

    logical_id: str
    timeout: int
    schedule: str | None


@dataclass(frozen=True)
class AppShape:
    functions: tuple[Function, ...]
    api_stage: str | None


def load_tables() -> dict[str, dict[str, Any]]:
    """The table entries of infra/tables.json, by logical id."""
    return {k: v for k, v in json.loads(TABLES.read_text()).items() if not k.startswith("_")}


def table_env_var(setting: str) -> str:
    """The environment variable chalicelib.config reads a table name setting from."""
    return "CASELOAD_" + setting.upper()


def table_resource(properties: dict[str, Any]) -> dict[str, Any]:
    """One DynamoDB table: the schema as tables.json has it, with the deployment's protections."""
    return {
        "Type": "AWS::DynamoDB::Table",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            **properties,
            "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS",
                                 "KMSMasterKeyId": {"Fn::GetAtt": [DATA_KEY, "Arn"]}},
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "DeletionProtectionEnabled": True,
        },
    }


def table_arns(logical_id: str, properties: dict[str, Any]) -> list[Any]:
    """The table's ARN and one ARN per index it declares, nothing wider."""
    indexes = [i["IndexName"] for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes")
               for i in properties.get(key, [])]
    return [{"Fn::GetAtt": [logical_id, "Arn"]}] + [
        {"Fn::Sub": f"${{{logical_id}.Arn}}/index/{name}"} for name in indexes]


def function_alarms(function: Function) -> dict[str, Any]:
    """Errors and throttles for every function; for a scheduled one, a missed run and a run
    close to its time limit too."""
    def alarm(description: str, metric: str, statistic: str, period: int, evaluations: int,
              threshold: float, comparison: str, missing: str) -> dict[str, Any]:
        return {"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "AlarmDescription": description, "Namespace": "AWS/Lambda", "MetricName": metric,
            "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": function.logical_id}}],
            "Statistic": statistic, "Period": period, "EvaluationPeriods": evaluations,
            "DatapointsToAlarm": evaluations, "Threshold": threshold, "ComparisonOperator": comparison,
            "TreatMissingData": missing, "AlarmActions": [{"Ref": ALARM_TOPIC}],
            "OKActions": [{"Ref": ALARM_TOPIC}]}}

    name = function.logical_id
    alarms = {
        f"{name}ErrorsAlarm": alarm(f"{name} raised an error or timed out (see the function log group)",
                                    "Errors", "Sum", 300, 1, 0, "GreaterThanThreshold", "notBreaching"),
        f"{name}ThrottlesAlarm": alarm(f"{name} was throttled: the account's Lambda concurrency is exhausted",
                                       "Throttles", "Sum", 300, 1, 0, "GreaterThanThreshold", "notBreaching"),
    }
    if function.schedule:
        # 25 hourly periods without an invocation: a daily schedule missed a run.
        alarms[f"{name}MissedRunAlarm"] = alarm(
            f"{name} ({function.schedule}) has not run for 25 hours", "Invocations", "Sum", 3600, 25, 1,
            "LessThanThreshold", "breaching")
        alarms[f"{name}NearTimeoutAlarm"] = alarm(
            f"{name} ran for more than 80% of its {function.timeout} s limit: it stops between emails "
            "and the next run carries on, but a sweep this long needs looking at",
            "Duration", "Maximum", 3600, 1, function.timeout * 1000 * 0.8, "GreaterThanThreshold",
            "notBreaching")
    return alarms


def api_alarm(name: Any, stage: str) -> dict[str, Any]:
    """5XX answers from the API (a Lambda error or timeout, or an integration failure)."""
    return {"ApiServerErrorsAlarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "AlarmDescription": "The API answered 5 or more 5XX in 5 minutes",
        "Namespace": "AWS/ApiGateway", "MetricName": "5XXError",
        "Dimensions": [{"Name": "ApiName", "Value": name},
                       {"Name": "Stage", "Value": stage}],
        "Statistic": "Sum", "Period": 300, "EvaluationPeriods": 1, "Threshold": 5,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold", "TreatMissingData": "notBreaching",
        "AlarmActions": [{"Ref": ALARM_TOPIC}], "OKActions": [{"Ref": ALARM_TOPIC}]}}}


def merge_template(shape: AppShape, authorizer_name: str) -> dict[str, Any]:
    """The template Chalice merges into its own: static part + tables + IAM + alarms."""
    template = yaml.safe_load(STATIC_TEMPLATE.read_text())
    resources, outputs = template["Resources"], template["Outputs"]
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    arns: list[Any] = []
    for logical_id, spec in load_tables().items():
        if logical_id in resources:
            raise SystemExit(f"infra/tables.json: {logical_id} clashes with a resource of infra/stack.yaml")
        resources[logical_id] = table_resource(spec["Properties"])
        env[table_env_var(spec["setting"])] = {"Ref": logical_id}
        outputs[f"{logical_id}Name"] = {"Description": table_env_var(spec["setting"]),
                                        "Value": {"Ref": logical_id}}
        arns += table_arns(logical_id, spec["Properties"])
    statements = resources[ROLE]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    statements.insert(0, {"Sid": "ReadAndWriteTheTablesAndTheirIndexes", "Effect": "Allow",
                          "Action": list(DYNAMODB_ACTIONS), "Resource": arns})

    api = resources["RestAPI"]["Properties"]
    if shape.api_stage is None:
        del resources["RestAPI"]  # no routes, no API: nothing to merge into
    else:
        api["DefinitionBody"] = {
            **api.get("DefinitionBody", {}),  # infra/stack.yaml's part (the gateway responses)
            # The title names the API when API Gateway imports the definition; kept equal to
            # Name so the 5XX alarm's ApiName dimension is right whichever one wins.
            "info": {"title": api["Name"]},
            "securityDefinitions": {authorizer_name: {
                "x-amazon-apigateway-authorizer": {"providerARNs": [{"Fn::GetAtt": [USER_POOL, "Arn"]}]}}}}
        resources.update(api_alarm(api["Name"], shape.api_stage))
    for function in shape.functions:
        resources.update(function_alarms(function))
    return template


def app_shape(stage: str) -> AppShape:
    """The functions and the API stage Chalice generates for `stage`, from Chalice's own
    application graph (the one `chalice package` turns into the template)."""
    from chalice.cli.factory import CLIFactory
    from chalice.deploy import models
    from chalice.deploy.appgraph import ApplicationGraphBuilder, DependencyBuilder
    from chalice.utils import to_cfn_resource_name

    config = CLIFactory(str(ROOT)).create_config_obj(stage)
    graph = DependencyBuilder().build_dependencies(ApplicationGraphBuilder().build(config, stage))
    schedules = {id(r.lambda_function): r.schedule_expression for r in graph
                 if isinstance(r, models.ScheduledEvent)}
    apis = [r for r in graph if isinstance(r, models.RestAPI)]
    # Chalice's SAM generator renames the REST API's handler to APIHandler.
    names = {id(api.lambda_function): "APIHandler" for api in apis}
    functions = tuple(Function(names.get(id(r), to_cfn_resource_name(r.resource_name)), r.timeout,
                               schedules.get(id(r)))
                      for r in graph if isinstance(r, models.LambdaFunction))
    return AppShape(functions, apis[0].api_gateway_stage if apis else None)


def check_package(template: dict[str, Any], shape: AppShape) -> None:
    """Refuse a package that would not work as intended."""
    if PLACEHOLDER_POOL_ARN in json.dumps(template):
        raise SystemExit("sam.json still holds the packaging placeholder for the user pool ARN")
    generated = {k for k, v in template["Resources"].items() if v.get("Type") == "AWS::Serverless::Function"}
    expected = {f.logical_id for f in shape.functions}
    if generated != expected:
        raise SystemExit(f"Chalice generated functions {sorted(generated)}, alarms were made for {sorted(expected)}")
    for name in generated:
        if template["Resources"][name]["Properties"].get("Role") != {"Fn::GetAtt": [ROLE, "Arn"]}:
            raise SystemExit(f"{name} does not run as {ROLE}, the role this template scopes")


def stage_project(stage: Path) -> None:
    """What Chalice deploys, with the lock as requirements.txt. The directory is kept between
    runs: Chalice caches the built dependencies in its .chalice/deployments by the lock's hash."""
    stage.mkdir(parents=True, exist_ok=True)
    for old in ("app.py", "chalicelib", "vendor", "requirements.txt", ".chalice/config.json"):
        path = stage / old
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    (stage / ".chalice").mkdir(exist_ok=True)
    shutil.copy2(ROOT / "app.py", stage / "app.py")
    shutil.copy2(ROOT / ".chalice" / "config.json", stage / ".chalice" / "config.json")
    shutil.copytree(ROOT / "chalicelib", stage / "chalicelib", ignore=shutil.ignore_patterns("__pycache__"))
    if (ROOT / "vendor").is_dir():
        shutil.copytree(ROOT / "vendor", stage / "vendor")
    shutil.copy2(LOCK, stage / "requirements.txt")


def _unused(name: str) -> bool:
    """A botocore service model the code never loads (botocore/data/<service>/...)."""
    parts = name.split("/")
    return (len(parts) > 3 and parts[:2] == ["botocore", "data"] and parts[2] not in BOTOCORE_SERVICES)


def slim_bundle(bundle: Path) -> tuple[int, int]:
    """Rewrite deployment.zip without the unused botocore models; the sizes before and after."""
    before = bundle.stat().st_size
    slim = bundle.with_suffix(".slim")
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(slim, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if not _unused(info.filename):
                target.writestr(info, source.read(info), compress_type=info.compress_type)
    slim.replace(bundle)
    return before, bundle.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BUILD / "package", help="package directory (emptied first)")
    parser.add_argument("--stage", default="prod", help="Chalice stage (default prod)")
    args = parser.parse_args(argv)

    started = time.monotonic()
    # Packaging needs a region but uses it for nothing that ends up in the template (every
    # ARN there is built from AWS::Region at deploy time); an operator's own setting wins.
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ["CASELOAD_COGNITO_USER_POOL_ARN"] = PLACEHOLDER_POOL_ARN
    sys.path.insert(0, str(ROOT))
    from chalicelib.auth import GATEWAY_AUTHORIZER_NAME

    shape = app_shape(args.stage)
    merge_path = args.out.parent / "merge-template.json"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    merge_path.write_text(json.dumps(merge_template(shape, GATEWAY_AUTHORIZER_NAME), indent=2) + "\n")
    if args.out.exists():
        for old in args.out.iterdir():
            old.unlink()
    stage = args.out.parent / "stage"
    stage_project(stage)
    chalice = Path(sys.executable).parent / "chalice"
    subprocess.run([str(chalice), "--project-dir", str(stage), "package", "--stage", args.stage,
                    "--merge-template", str(merge_path.resolve()), str(args.out.resolve())],
                   cwd=stage, check=True)
    before, after = slim_bundle(args.out / "deployment.zip")
    template = json.loads((args.out / "sam.json").read_text())
    check_package(template, shape)
    print(f"{args.out / 'sam.json'}: {len(template['Resources'])} resources, functions "
          f"{', '.join(f.logical_id for f in shape.functions)}; deployment.zip {after / 1e6:.1f} MB "
          f"({before / 1e6:.1f} MB before leaving out unused botocore models); {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
