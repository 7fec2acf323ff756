"""Print a bearer token for the demo practice: python -m devtools.token --role admin"""
from __future__ import annotations

import argparse

from chalicelib.auth import Role, issue_local_token
from devtools.seed import DEMO_PRACTICE_ID, DEMO_USERS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--role", choices=[r.value for r in Role], default="admin")
    args = parser.parse_args()
    print(issue_local_token(practice_id=DEMO_PRACTICE_ID, user_id=DEMO_USERS[args.role], role=args.role))


if __name__ == "__main__":
    main()
