"""Run by .venv-infra's Python (tests/infra/test_package.py): the SAM transform that
CloudFormation applies at deploy time, done offline by AWS's own translator, so the checks
see the resources AWS will create (functions with the Globals merged in, the API stage).

Usage: sam_transform.py SAM_TEMPLATE OUTPUT
"""
import json
import sys

from samtranslator.public.exceptions import InvalidDocumentException
from samtranslator.translator.transform import transform


class NoManagedPolicies:
    """The translator looks managed policies up only for roles SAM creates; Chalice's
    functions bring their own role, so there is nothing to look up."""

    def load(self) -> dict:
        return {}


def main(source: str, target: str) -> int:
    with open(source) as f:
        template = json.load(f)
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            # What `aws cloudformation package` does: the local zip becomes an S3 object.
            resource["Properties"]["CodeUri"] = "s3://caseload-artifacts/deployment.zip"
    try:
        translated = transform(template, {}, NoManagedPolicies())
    except InvalidDocumentException as err:
        for cause in err.causes:
            print(cause.message, file=sys.stderr)
        return 1
    with open(target, "w") as f:
        json.dump(translated, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
