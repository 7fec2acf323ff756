"""Render a staff digest from made-up data into docs/digest-sample.html, to look at and
screenshot (`python -m devtools.digest_sample`). tests/unit/test_digest_template.py checks the
file is what the template renders today."""
from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from chalicelib.domain import notifications as n
from chalicelib.domain.entitlements import Entitlement
from chalicelib.notify.mailer import Message
from chalicelib.notify.templates import digest

SAMPLE_PATH = Path(__file__).resolve().parent.parent / "docs" / "digest-sample.html"
ON = date(2026, 11, 20)


def _pack(pack_id: str, client_id: str, client: str, name: str, limit: str, used: str, expires_on: str | None,
          measure: str = "sessions") -> Entitlement:
    return Entitlement(kind="PACK", id=pack_id, client_id=client_id, client_name=client, name=name, state="open",
                       capacity=Decimal(limit), used=Decimal(used), remaining=Decimal(limit) - Decimal(used),
                       expires_on=expires_on, measure=measure)


def _auth(auth_id: str, client_id: str, client: str, number: str, payer: str, allowed: str, used: str,
          end_on: str) -> Entitlement:
    return Entitlement(kind="AUTH", id=auth_id, client_id=client_id, client_name=client, number=number, payer=payer,
                       state="open", capacity=Decimal(allowed), used=Decimal(used),
                       remaining=Decimal(allowed) - Decimal(used), begin_on="2026-05-01", end_on=end_on,
                       measure="sessions")


def sample_message() -> Message:
    """A digest about made-up clients: every alert, a two-alert row, each measure."""
    entitlements = [
        (_auth("auth_01", "cli_01", "Jamie Rivera", "PA-40913", "Acme Health", "12", "12", "2026-11-28"),
         [n.AUTHORIZATION_USED_UP, n.AUTHORIZATION_ENDING]),
        (_pack("pack_01", "cli_02", "Sam Ng", "Ten sessions", "10", "10", "2027-02-01"), [n.PACK_USED_UP]),
        (_pack("pack_02", "cli_03", "Priya Natarajan", "Assessment hours", "600", "420", "2026-11-14", "minutes"),
         [n.PACK_EXPIRED]),
        (_auth("auth_02", "cli_04", "Nora Quinn", "EAP-2231", "Northwind EAP", "8", "7", "2027-01-31"),
         [n.AUTHORIZATION_LOW]),
        (_auth("auth_03", "cli_05", "Kai O'Brien-Lee", "PA-77810", "Blue Harbor Mutual", "20", "9", "2026-12-02"),
         [n.AUTHORIZATION_ENDING]),
        (_pack("pack_03", "cli_06", "Ana María Souza", "Funded therapy budget", "3000", "2450.50", "2026-12-01",
               "money"), [n.PACK_EXPIRING]),
    ]
    shown = []
    current: dict[tuple[str, str], Entitlement | None] = {}
    for entitlement, types in entitlements:
        current[(entitlement.kind, entitlement.id)] = entitlement
        for event_type in types:
            event = n.event_of(event_type, entitlement, remaining=entitlement.remaining, marker="sample")
            shown.append((event, n.judge(event, entitlement, today=ON, low_remaining=2, low_percent=80).label))
    rows = n.digest_rows(shown, current, today=ON)
    return digest(to="office@harbour.example", practice_name="Harbour Street Therapy", on=ON.isoformat(),
                  rows=rows, console_url="http://127.0.0.1:8080", currency="USD")


def main() -> None:
    SAMPLE_PATH.write_text(sample_message().html + "\n", encoding="utf-8")
    print(SAMPLE_PATH, file=sys.stderr)


if __name__ == "__main__":
    main()
