"""The deployment template: `make package`'s steps, then checks of what it built.

One packaging run per module (devtools.package into a temporary directory, exactly as
`make package` runs it), then the SAM transform AWS applies at deploy time (AWS's translator,
offline), then: the tables, key, IAM, Cognito wiring, environment, logs and alarms read from
the template; cfn-lint on both templates; checkov on the transformed one, failing on anything
not justified in infra/checkov-skips.txt. The linters run from .venv-infra (`make test`
installs it from requirements-infra.txt).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chalicelib.auth import GATEWAY_AUTHORIZER_NAME
from chalicelib.openapi import OPENAPI_PATH
from devtools import package as build

ROOT = Path(__file__).resolve().parents[2]
INFRA_BIN = ROOT / ".venv-infra" / "bin"
SKIPS = ROOT / "infra" / "checkov-skips.txt"
DATA_KEY_ARN = {"Fn::GetAtt": ["DataKey", "Arn"]}


def _infra_tool(name: str) -> str:
    tool = INFRA_BIN / name
    if not tool.exists():
        pytest.fail(f"{tool} is missing: `make test` installs it (make .venv-infra/.stamp)")
    return str(tool)


def _clean_env() -> dict[str, str]:
    """The environment of a fresh shell: none of the suite's CASELOAD_ or fake AWS settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("CASELOAD_", "AWS_", "POWERTOOLS_"))}


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`make package`, into a temporary directory instead of build/."""
    out = tmp_path_factory.mktemp("build") / "package"
    run = subprocess.run([sys.executable, "-m", "devtools.package", "--out", str(out)], cwd=ROOT,
                         env=_clean_env(), capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (out / "deployment.zip").stat().st_size > 0
    return out


@pytest.fixture(scope="module")
def sam(packaged: Path) -> dict[str, Any]:
    return json.loads((packaged / "sam.json").read_text())


@pytest.fixture(scope="module")
def cfn_path(packaged: Path) -> Path:
    """The CloudFormation template the SAM transform makes of sam.json."""
    target = packaged.parent / "transformed.json"
    run = subprocess.run([_infra_tool("python"), str(Path(__file__).with_name("sam_transform.py")),
                          str(packaged / "sam.json"), str(target)],
                         env={**_clean_env(), "AWS_DEFAULT_REGION": "us-east-1"},
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    return target


@pytest.fixture(scope="module")
def cfn(cfn_path: Path) -> dict[str, Any]:
    return json.loads(cfn_path.read_text())


@pytest.fixture(scope="module")
def shape() -> build.AppShape:
    return build.app_shape("prod")


def _of_type(template: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == type_}


def _listify(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _iam_statements(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, resource in template["Resources"].items():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                for statement in policy["PolicyDocument"]["Statement"]:
                    yield name, statement
        elif resource["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            for statement in props["PolicyDocument"]["Statement"]:
                yield name, statement


def _role_statements(template: dict[str, Any], sid: str) -> list[dict[str, Any]]:
    return [s for name, s in _iam_statements(template) if name == build.ROLE and s.get("Sid") == sid]


# ---- functions --------------------------------------------------------------------------------

def test_package_generates_every_function_of_the_app(sam: dict[str, Any], shape: build.AppShape) -> None:
    functions = _of_type(sam, "AWS::Serverless::Function")
    assert set(functions) == {f.logical_id for f in shape.functions}
    assert "APIHandler" in functions
    assert all(f["Properties"]["Role"] == {"Fn::GetAtt": [build.ROLE, "Arn"]} for f in functions.values())


def test_daily_sweep_runs_on_its_schedule_with_900_seconds(sam: dict[str, Any]) -> None:
    sweep = sam["Resources"]["DailySweep"]["Properties"]
    assert sweep["Timeout"] == 900
    assert [e["Type"] for e in sweep["Events"].values()] == ["Schedule"]
    assert sam["Resources"]["APIHandler"]["Properties"]["Timeout"] == 30


def test_every_function_gets_the_deployment_environment(cfn: dict[str, Any]) -> None:
    tables = build.load_tables()
    functions = _of_type(cfn, "AWS::Lambda::Function")
    assert functions
    for name, function in functions.items():
        props = function["Properties"]
        env = props["Environment"]["Variables"]
        assert env["CASELOAD_STAGE"] == "prod", name
        assert env["CASELOAD_AUTH_MODE"] == "cognito", name
        assert env["CASELOAD_MAILER"] == "ses", name
        assert env["CASELOAD_REGION"] == {"Ref": "AWS::Region"}, name
        assert env["CASELOAD_COGNITO_USER_POOL_ID"] == {"Ref": build.USER_POOL}, name
        assert env["CASELOAD_COGNITO_CLIENT_ID"] == {"Ref": "UserPoolClient"}, name
        assert env["CASELOAD_MAIL_FROM"] == {"Fn::Sub": "${MailFromName} <${MailFromAddress}>"}, name
        assert env["CASELOAD_SES_CONFIGURATION_SET"] == {"Ref": "MailConfigurationSet"}, name
        for logical_id, spec in tables.items():
            assert env[build.table_env_var(spec["setting"])] == {"Ref": logical_id}, name
        # Never the local defaults: each secret is generated in the stack, resolved at deploy.
        for var, secret in (("CASELOAD_CURSOR_SECRET", "CursorSecret"),
                            ("CASELOAD_LOCAL_JWT_SECRET", "LocalJwtSecret")):
            assert env[var] == {"Fn::Sub": "{{resolve:secretsmanager:${" + secret + "}:SecretString:key}}"}, name
            generated = cfn["Resources"][secret]["Properties"]
            assert generated["GenerateSecretString"]["PasswordLength"] >= 32
            assert generated["KmsKeyId"] == {"Ref": "DataKey"}
        assert props["KmsKeyArn"] == DATA_KEY_ARN, name
        assert props["LoggingConfig"]["LogGroup"] == {"Ref": "FunctionLogs"}, name
        assert props["TracingConfig"] == {"Mode": "Active"}, name


# ---- tables -----------------------------------------------------------------------------------

def test_every_table_of_tables_json_is_deployed_protected(sam: dict[str, Any]) -> None:
    tables = build.load_tables()
    assert set(_of_type(sam, "AWS::DynamoDB::Table")) == set(tables)
    for logical_id, spec in tables.items():
        table = sam["Resources"][logical_id]
        props, schema = table["Properties"], spec["Properties"]
        assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain", logical_id
        assert props["DeletionProtectionEnabled"] is True, logical_id
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}, logical_id
        assert props["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": DATA_KEY_ARN}
        assert "TableName" not in props  # CloudFormation names it: a replacement never collides
        for key in ("KeySchema", "AttributeDefinitions", "BillingMode", "TimeToLiveSpecification"):
            assert props.get(key) == schema.get(key), (logical_id, key)
        assert props.get("GlobalSecondaryIndexes") == schema.get("GlobalSecondaryIndexes"), logical_id


def test_main_table_has_every_index_and_the_ttl(sam: dict[str, Any]) -> None:
    props = sam["Resources"]["MainTable"]["Properties"]
    indexes = {i["IndexName"] for i in props["GlobalSecondaryIndexes"]}
    assert {i["IndexName"] for i in build.load_tables()["MainTable"]["Properties"]["GlobalSecondaryIndexes"]} == indexes
    assert {"GSI1", "GSI2", "GSI3", "DUE"} <= indexes
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    idempotency = sam["Resources"]["IdempotencyTable"]["Properties"]
    assert idempotency["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}


def test_data_key_rotates_and_outlives_the_stack(sam: dict[str, Any]) -> None:
    key = sam["Resources"]["DataKey"]
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == key["UpdateReplacePolicy"] == "Retain"
    assert sam["Resources"]["UserPool"]["DeletionPolicy"] == "Retain"


# ---- IAM --------------------------------------------------------------------------------------

def test_no_iam_policy_has_a_wildcard_action(cfn: dict[str, Any]) -> None:
    statements = list(_iam_statements(cfn))
    assert statements
    for name, statement in statements:
        actions = _listify(statement["Action"])
        assert not any("*" in a for a in actions), (name, statement)
        if "*" in _listify(statement["Resource"]):
            # Only actions that have no resource-level permissions at all may take "*".
            assert set(actions) <= {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}, (name, statement)


def test_dynamodb_is_allowed_on_the_tables_and_their_indexes_only(cfn: dict[str, Any]) -> None:
    expected = []
    for logical_id, spec in build.load_tables().items():
        expected.append({"Fn::GetAtt": [logical_id, "Arn"]})
        expected += [{"Fn::Sub": f"${{{logical_id}.Arn}}/index/{i['IndexName']}"}
                     for i in spec["Properties"].get("GlobalSecondaryIndexes", [])]
    [statement] = _role_statements(cfn, "ReadAndWriteTheTablesAndTheirIndexes")
    assert statement["Resource"] == expected
    others = [s for _, s in _iam_statements(cfn) if s is not statement]
    assert not any(a.startswith("dynamodb:") for s in others for a in _listify(s["Action"]))


def _dynamodb_actions_the_code_calls() -> set[str]:
    """The IAM actions behind every DynamoDB call in the deployed code (app.py, chalicelib)."""
    import botocore.session

    operations = botocore.session.get_session().get_service_model("dynamodb").operation_names
    by_method = {re.sub(r"(?<!^)(?=[A-Z])", "_", op).lower(): op for op in operations}
    transaction_kinds = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                         "ConditionCheck": "ConditionCheckItem"}
    actions = {"GetItem", "PutItem", "UpdateItem", "DeleteItem"}  # Powertools idempotency
    for path in [ROOT / "app.py", *sorted((ROOT / "chalicelib").rglob("*.py"))]:
        text = path.read_text()
        for method in re.findall(r"\.([a-z_]+)\(", text):
            if method in by_method:
                actions.add(by_method[method])
        for kind in re.findall(r"[\"'](Put|Update|Delete|ConditionCheck)[\"']\s*:", text):
            actions.add(transaction_kinds[kind])
    # Transactions are authorized by the item actions they hold, not by a name of their own.
    actions -= {"TransactWriteItems", "TransactGetItems"}
    return {f"dynamodb:{a}" for a in actions}


def test_dynamodb_actions_are_exactly_the_ones_the_code_calls(cfn: dict[str, Any]) -> None:
    [statement] = _role_statements(cfn, "ReadAndWriteTheTablesAndTheirIndexes")
    assert set(statement["Action"]) == _dynamodb_actions_the_code_calls(), (
        "update DYNAMODB_ACTIONS in devtools/package.py to what chalicelib calls")


def test_mail_is_sent_only_from_the_identity_through_the_configuration_set(cfn: dict[str, Any]) -> None:
    [statement] = _role_statements(cfn, "SendStaffEmailFromTheIdentityThroughTheConfigurationSet")
    assert statement["Action"] == "ses:SendEmail"
    arn = "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:"
    assert statement["Resource"] == [{"Fn::Sub": arn + "identity/${SesIdentity}"},
                                     {"Fn::Sub": arn + "identity/${MailFromAddress}"},
                                     {"Fn::Sub": arn + "configuration-set/${MailConfigurationSet}"}]
    others = [s for _, s in _iam_statements(cfn) if s is not statement]
    assert not any(a.startswith("ses:") for s in others for a in _listify(s["Action"]))
    assert cfn["Resources"]["MailIdentity"]["Properties"]["EmailIdentity"] == {"Ref": "SesIdentity"}
    assert cfn["Resources"]["MailConfigurationSet"]["Type"] == "AWS::SES::ConfigurationSet"


def test_key_and_logs_are_used_only_on_their_own_resources(cfn: dict[str, Any]) -> None:
    [kms] = _role_statements(cfn, "UseTheDataKey")
    assert kms["Resource"] == DATA_KEY_ARN
    [logs] = _role_statements(cfn, "WriteFunctionLogs")
    assert set(logs["Action"]) == {"logs:CreateLogStream", "logs:PutLogEvents"}
    assert logs["Resource"] == {"Fn::GetAtt": ["FunctionLogs", "Arn"]}
    function_statements = [s for name, s in _iam_statements(cfn) if name == build.ROLE]
    for statement in function_statements:
        for prefix, allowed in (("kms:", kms), ("logs:", logs)):
            if any(a.startswith(prefix) for a in _listify(statement["Action"])):
                assert statement is allowed


# ---- sign-in ----------------------------------------------------------------------------------

def _cognito_actions_the_code_calls() -> set[str]:
    """The Cognito admin calls chalicelib/accounts.py makes, as IAM action names."""
    text = (ROOT / "chalicelib" / "accounts.py").read_text()
    called = set(re.findall(r'"(admin_[a-z_]+)"', text))
    return {"cognito-idp:" + "".join(part.capitalize() for part in name.split("_")) for name in called}


def test_staff_accounts_are_managed_only_in_the_stacks_pool_with_the_calls_the_code_makes(cfn: dict[str, Any]) -> None:
    [statement] = _role_statements(cfn, "KeepStaffSignInAccountsInStep")
    assert statement["Resource"] == {"Fn::GetAtt": [build.USER_POOL, "Arn"]}
    assert set(statement["Action"]) == _cognito_actions_the_code_calls()
    others = [s for _, s in _iam_statements(cfn) if s is not statement]
    assert not any(a.startswith("cognito-idp:") for s in others for a in _listify(s["Action"]))


def test_api_authorizer_is_the_stacks_user_pool(sam: dict[str, Any]) -> None:
    body = sam["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    authorizer = body["securityDefinitions"][GATEWAY_AUTHORIZER_NAME]["x-amazon-apigateway-authorizer"]
    assert authorizer == {"type": "cognito_user_pools", "providerARNs": [{"Fn::GetAtt": [build.USER_POOL, "Arn"]}]}
    assert build.PLACEHOLDER_POOL_ARN not in json.dumps(sam)
    methods = [(path, verb, op) for path, ops in body["paths"].items() for verb, op in ops.items()
               if verb in ("get", "post", "put", "patch", "delete")]
    assert len(methods) > 50
    for path, verb, op in methods:
        expected = [] if path == OPENAPI_PATH else [{GATEWAY_AUTHORIZER_NAME: []}]
        assert op.get("security", []) == expected, (verb, path)


def test_user_pool_carries_the_practice_and_the_roles(sam: dict[str, Any]) -> None:
    pool = sam["Resources"]["UserPool"]["Properties"]
    [practice] = [a for a in pool["Schema"] if a["Name"] == "practice_id"]
    assert practice["AttributeDataType"] == "String" and practice["Mutable"] is False
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    groups = {g["Properties"]["GroupName"] for g in _of_type(sam, "AWS::Cognito::UserPoolGroup").values()}
    assert groups == {"admin", "practitioner", "front_desk", "billing"}
    client = sam["Resources"]["UserPoolClient"]["Properties"]
    assert client["GenerateSecret"] is False and client["UserPoolId"] == {"Ref": build.USER_POOL}
    assert "custom:practice_id" in client["ReadAttributes"]
    assert "custom:practice_id" not in client["WriteAttributes"]


# ---- logs and alarms --------------------------------------------------------------------------

def test_api_access_logs_are_encrypted_and_kept(cfn: dict[str, Any]) -> None:
    [stage] = _of_type(cfn, "AWS::ApiGateway::Stage").values()
    settings = stage["Properties"]["AccessLogSetting"]
    assert settings["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogs", "Arn"]}
    assert json.loads(settings["Format"])["requestId"] == "$context.requestId"
    assert all(not m["DataTraceEnabled"] for m in stage["Properties"]["MethodSettings"])
    for group in ("ApiAccessLogs", "FunctionLogs"):
        props = cfn["Resources"][group]["Properties"]
        assert props["KmsKeyId"] == DATA_KEY_ARN
        assert props["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert cfn["Parameters"]["LogRetentionDays"]["Default"] >= 365


def test_every_function_has_alarms(sam: dict[str, Any], shape: build.AppShape) -> None:
    alarms = _of_type(sam, "AWS::CloudWatch::Alarm")
    watched: dict[str, set[str]] = {}
    for alarm in alarms.values():
        props = alarm["Properties"]
        assert props["AlarmActions"] == [{"Ref": build.ALARM_TOPIC}]
        for dimension in props.get("Dimensions", []):
            if dimension["Name"] == "FunctionName":
                watched.setdefault(dimension["Value"]["Ref"], set()).add(props["MetricName"])
    for function in shape.functions:
        expected = {"Errors", "Throttles"} | ({"Invocations", "Duration"} if function.schedule else set())
        assert watched.get(function.logical_id) == expected, function
    assert set(watched) == {f.logical_id for f in shape.functions}
    assert sam["Resources"]["AlarmTopic"]["Properties"]["KmsMasterKeyId"] == {"Ref": "DataKey"}


# ---- the bundle -------------------------------------------------------------------------------

MAX_BUNDLE_BYTES = 20 * 1000 * 1000


def _locked() -> dict[str, str]:
    """Package name (normalised) -> version, from requirements.lock."""
    text = build.LOCK.read_text()
    return {re.sub(r"[-_.]+", "-", name).lower(): version
            for name, version in re.findall(r"^([A-Za-z0-9][A-Za-z0-9_.-]*)==(\S+)", text, re.M)}


def test_lock_pins_every_requirement_at_its_version_with_hashes() -> None:
    locked = _locked()
    wanted = re.findall(r"^([A-Za-z0-9][A-Za-z0-9_.-]*)(?:\[[^]]*\])?==(\S+)",
                        (ROOT / "requirements.txt").read_text(), re.M)
    assert wanted
    for name, version in wanted:
        assert locked.get(re.sub(r"[-_.]+", "-", name).lower()) == version, f"regenerate requirements.lock: {name}"
    entries = [e for e in re.split(r"\n(?=[A-Za-z0-9])", build.LOCK.read_text()) if e[:1].isalnum()]
    assert len(entries) == len(locked)
    assert [e.split()[0] for e in entries if "--hash=sha256:" not in e] == []


def test_bundle_is_at_most_20_mb(packaged: Path) -> None:
    assert (packaged / "deployment.zip").stat().st_size <= MAX_BUNDLE_BYTES


def test_bundle_holds_exactly_the_locked_packages(packaged: Path) -> None:
    with zipfile.ZipFile(packaged / "deployment.zip") as bundle:
        names = bundle.namelist()
    shipped = {}
    for name in names:
        match = re.fullmatch(r"([^/]+)-([^-/]+)\.dist-info/METADATA", name)
        if match:
            shipped[re.sub(r"[-_.]+", "-", match.group(1)).lower()] = match.group(2)
    assert shipped == _locked()
    assert not [n for n in names if n.startswith("pycountry")]  # 19.5 MB of translations nothing reads
    kept = {n.split("/")[2] for n in names if n.startswith("botocore/data/") and n.count("/") > 2}
    assert kept == build.BOTOCORE_SERVICES


def _services_the_code_calls() -> set[str]:
    services = {"dynamodb"}  # chalicelib/store/dynamo.py builds its client with a Config
    for path in [ROOT / "app.py", *sorted((ROOT / "chalicelib").rglob("*.py"))]:
        services |= set(re.findall(r"boto3\.client\(\s*[\"']([a-z0-9-]+)[\"']", path.read_text()))
    return services


def test_bundle_keeps_the_model_of_every_service_the_code_calls() -> None:
    assert {"cognito-idp", "sesv2"} <= _services_the_code_calls() <= build.BOTOCORE_SERVICES


def test_bundle_imports_the_app_and_builds_its_clients_from_itself_alone(packaged: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(packaged / "deployment.zip") as bundle:
        bundle.extractall(tmp_path / "task")
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import boto3, botocore, app\n"
            "assert all(m.__file__.startswith(sys.argv[1]) for m in (boto3, botocore, app))\n"
            "for service in sys.argv[2:]: boto3.client(service, region_name='us-east-1')\n"
            "from chalicelib.domain import codes; assert codes.currency('eur') == 'EUR'\n")
    # -S -I: the standard library and the bundle, nothing from .venv, as on Lambda.
    run = subprocess.run([sys.executable, "-S", "-I", "-c", code, str(tmp_path / "task"),
                          *sorted(build.BOTOCORE_SERVICES)],
                         env={**_clean_env(), "AWS_DEFAULT_REGION": "us-east-1"}, cwd=tmp_path,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr


# ---- linters ----------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["sam", "transformed"])
def test_cfn_lint_finds_nothing(which: str, packaged: Path, cfn_path: Path) -> None:
    template = packaged / "sam.json" if which == "sam" else cfn_path
    run = subprocess.run([_infra_tool("cfn-lint"), "--format", "json", str(template)],
                         env=_clean_env(), capture_output=True, text=True, timeout=300)
    findings = json.loads(run.stdout or "[]")
    assert findings == [], json.dumps(findings, indent=1)
    assert run.returncode == 0, run.stderr


def _skips() -> dict[str, str]:
    skips = {}
    for line in SKIPS.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            check, _, reason = line.strip().partition(" ")
            assert re.fullmatch(r"CKV2?_AWS_\d+", check), line
            assert len(reason.strip()) >= 40, f"{check} needs a reason in {SKIPS.name}"
            assert check not in skips, f"{check} is listed twice"
            skips[check] = reason.strip()
    return skips


def test_checkov_fails_only_the_justified_skips(cfn_path: Path) -> None:
    skips = _skips()
    run = subprocess.run([_infra_tool("checkov"), "--file", str(cfn_path), "--framework", "cloudformation",
                          "--output", "json", "--compact", "--quiet", "--skip-download"],
                         env=_clean_env(), capture_output=True, text=True, timeout=300)
    assert run.returncode in (0, 1), run.stdout + run.stderr
    report = json.loads(run.stdout)
    assert report["check_type"] == "cloudformation"
    assert report["summary"]["resource_count"] >= 30 and report["summary"]["parsing_errors"] == 0
    failed = report["results"]["failed_checks"]
    unjustified = [f"{c['check_id']} {c['resource']}: {c['check_name']}" for c in failed
                   if c["check_id"] not in skips]
    assert unjustified == [], "\n".join(unjustified)
    stale = set(skips) - {c["check_id"] for c in failed}
    assert stale == set(), f"no longer failing, remove from {SKIPS.name}: {sorted(stale)}"


# ---- the staff console: hosting, sign-in, CORS ------------------------------------------------

CONSOLE_ORIGIN = {"Fn::Sub": "https://${ConsoleDistribution.DomainName}"}


def test_staff_sign_in_requires_a_totp_second_factor(sam: dict[str, Any]) -> None:
    pool = sam["Resources"]["UserPool"]["Properties"]
    assert pool["MfaConfiguration"] == "ON"
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]  # an authenticator app, enrolled at first sign-in


def test_console_signs_in_through_the_hosted_ui_with_the_code_flow_of_a_public_client(sam: dict[str, Any]) -> None:
    client = sam["Resources"]["UserPoolClient"]["Properties"]
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert client["AllowedOAuthFlows"] == ["code"]  # never implicit: no token in a URL
    assert client["GenerateSecret"] is False  # a browser keeps no secret: PKCE proves the caller
    assert "openid" in client["AllowedOAuthScopes"] and client["SupportedIdentityProviders"] == ["COGNITO"]
    assert client["CallbackURLs"] == [{"Fn::Sub": "https://${ConsoleDistribution.DomainName}/auth/callback"}]
    assert client["LogoutURLs"] == [{"Fn::Sub": "https://${ConsoleDistribution.DomainName}/"}]
    [domain] = _of_type(sam, "AWS::Cognito::UserPoolDomain").values()
    assert domain["Properties"]["UserPoolId"] == {"Ref": build.USER_POOL}


def test_console_bucket_is_private_encrypted_versioned_and_read_only_by_its_distribution(cfn: dict[str, Any]) -> None:
    bucket = cfn["Resources"]["ConsoleBucket"]["Properties"]
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    statements = cfn["Resources"]["ConsoleBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    [allow] = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"} and allow["Action"] == "s3:GetObject"
    assert "${ConsoleDistribution}" in allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]


def test_console_distribution_reads_the_bucket_through_origin_access_control(cfn: dict[str, Any]) -> None:
    config = cfn["Resources"]["ConsoleDistribution"]["Properties"]["DistributionConfig"]
    [origin] = config["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": ["ConsoleBucket", "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["ConsoleOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}  # no legacy identity
    oac = cfn["Resources"]["ConsoleOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    assert (oac["OriginAccessControlOriginType"], oac["SigningBehavior"]) == ("s3", "always")
    assert config["DefaultRootObject"] == "index.html"
    behaviour = config["DefaultCacheBehavior"]
    assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behaviour["FunctionAssociations"] == [
        {"EventType": "viewer-request", "FunctionARN": {"Fn::GetAtt": ["ConsoleSpaRoutes", "FunctionARN"]}}]


@pytest.mark.parametrize(("uri", "served"), [
    ("/", "/index.html"), ("/clients/cli_1/packs", "/index.html"), ("/auth/callback", "/index.html"),
    ("/assets/index-B4x9Qk2a.js", "/assets/index-B4x9Qk2a.js"), ("/config.json", "/config.json"),
    ("/index.html", "/index.html")])
def test_console_routes_function_serves_index_for_client_side_routes_only(sam: dict[str, Any], uri: str,
                                                                          served: str) -> None:
    code = sam["Resources"]["ConsoleSpaRoutes"]["Properties"]["FunctionCode"]
    script = code + f"\nprocess.stdout.write(handler({{request: {{uri: {json.dumps(uri)}}}}}).uri);\n"
    run = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout == served


def test_api_cors_origin_is_the_console_distribution(cfn: dict[str, Any], sam: dict[str, Any]) -> None:
    for name, function in _of_type(cfn, "AWS::Lambda::Function").items():
        assert function["Properties"]["Environment"]["Variables"]["CASELOAD_CONSOLE_ORIGIN"] == CONSOLE_ORIGIN, name
    body = sam["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):  # the authorizer's 401 is readable by the console too
        parameters = body["x-amazon-apigateway-gateway-responses"][kind]["responseParameters"]
        assert parameters["gatewayresponse.header.Access-Control-Allow-Origin"] == {
            "Fn::Sub": "'https://${ConsoleDistribution.DomainName}'"}
    preflights = [(path, ops["options"]) for path, ops in body["paths"].items() if "options" in ops]
    assert len(preflights) == len([p for p in body["paths"] if p != OPENAPI_PATH])
    for path, preflight in preflights:  # a browser's preflight carries no token
        assert "security" not in preflight or preflight["security"] == [], path


def test_unknown_route_deployed_is_the_404_problem_the_app_gives_with_cors(sam: dict[str, Any]) -> None:
    from chalicelib.http import ROUTES_HINT, no_route

    responses = sam["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]
    missing = responses["MISSING_AUTHENTICATION_TOKEN"]  # API Gateway's answer for no such route or method
    assert missing["statusCode"] == "404"
    parameters = missing["responseParameters"]
    assert parameters["gatewayresponse.header.Content-Type"] == "'application/problem+json'"
    # A specific response replaces DEFAULT_4XX's headers: the console must still read it.
    for name, value in responses["DEFAULT_4XX"]["responseParameters"].items():
        assert parameters[name] == value, name
    [template] = missing["responseTemplates"].values()
    assert "$context.path" not in template and "$input" not in template  # substituted unescaped: quote nothing sent
    body = json.loads(template)
    app_body = json.loads(no_route("GET", "/v1/nope", "req-1").body)
    assert body.keys() == app_body.keys()
    assert {k: body[k] for k in ("type", "title", "status")} == {k: app_body[k] for k in ("type", "title", "status")}
    assert ROUTES_HINT in body["detail"] and body["correlation_id"] == "$context.requestId"


def test_console_config_output_is_the_config_json_the_console_reads(sam: dict[str, Any]) -> None:
    template = sam["Outputs"]["ConsoleConfig"]["Value"]["Fn::Sub"]
    names = set(re.findall(r"\$\{([^}]+)\}", template))
    assert {n.split(".")[0] for n in names if not n.startswith("AWS::")} <= set(sam["Resources"])
    config = json.loads(re.sub(r"\$\{([^}]+)\}", lambda m: m.group(1).replace(":", "_"), template))
    assert set(config) == {"apiUrl", "auth", "cognitoDomain", "clientId", "redirectUri"}
    assert config["auth"] == "cognito"
    assert config["apiUrl"].startswith("https://RestAPI.execute-api.") and config["apiUrl"].endswith("/api")
    assert config["cognitoDomain"] == "https://SignInDomain.auth.AWS__Region.amazoncognito.com"
    assert config["redirectUri"] == "https://ConsoleDistribution.DomainName/auth/callback"
    assert config["clientId"] == "UserPoolClient"
