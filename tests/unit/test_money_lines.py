"""Every readable line about a money pack reads in the practice currency, as the client
profile does ("$60.00 of $100.00"), never as a bare count ("60 of 100 money")."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from chalicelib.domain.charging import Entitlement, Policy, Session, decide
from chalicelib.domain.entitlements import measured_amount


def _money_pack(used: str, limit: str = "100") -> Entitlement:
    return Entitlement(id="pack_m", kind="PACK", client_id="cli_1", measure="money", capacity=Decimal(limit),
                       used=Decimal(used), remaining=Decimal(limit) - Decimal(used), name="Money")


def _session(fee: str) -> Session:
    return Session(session_ref="ses_1", on=date(2026, 5, 10), billing_code="90837", minutes=60, fee=Decimal(fee))


def test_member_line_of_a_money_pack_reads_in_the_currency():
    decision = decide(_session("60.00"), [_money_pack("0")], policy=Policy(currency="USD"))
    assert decision.member_lines() == ["pack 'Money': $60.00 of $100.00"]


def test_member_line_of_a_money_pack_follows_the_practice_currency():
    decision = decide(_session("1200.00"), [_money_pack("0", limit="5000")], policy=Policy(currency="CHF"))
    assert decision.member_lines() == ["pack 'Money': 1,200.00 CHF of 5,000.00 CHF"]


def test_reason_a_money_pack_is_short_reads_in_the_currency():
    decision = decide(_session("60.00"), [_money_pack("60")], policy=Policy(currency="USD"))
    assert decision.pack_reason == "pack 'Money' has $40.00 left, the session needs $60.00"


def test_measured_amount_is_money_only_for_a_money_measure():
    assert measured_amount(Decimal("60"), "money", "EUR") == "€60.00"
    assert measured_amount(Decimal("60"), "minutes", "EUR") == "60"
