"""Reports served from the sparse date-ordered indexes: packs by expiry, authorizations by
end date, and pack sales by purchase date."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from chalicelib.auth import Principal
from chalicelib.domain.entitlements import NO_EXPIRY, Entitlement, split_by_category
from chalicelib.models.reports import (
    AuthorizationReportRow,
    CategorySales,
    PackExpiryRow,
    PackSalesReport,
)
from chalicelib.services.entitlements import authorization_view, pack_view
from chalicelib.services.practice import practice_calendar
from chalicelib.store import reports


def pack_expiry(*, principal: Principal, status: str, practitioner_id: str | None, category: str | None,
                limit: int, start_key: dict | None) -> tuple[list[PackExpiryRow], dict | None]:
    """Open packs by expiry date: active, expiring soon, expired (one Query per page)."""
    calendar = practice_calendar(principal.practice_id)
    today, soon = calendar.today, calendar.today + timedelta(days=calendar.soon_days)
    ranges: dict[str, tuple[date | None, date | str]] = {
        "expired": (None, today - timedelta(days=1)),
        "expiring_soon": (today, soon),
        "active": (soon + timedelta(days=1), NO_EXPIRY),
    }
    first, last = ranges.get(status, (None, None))
    # A used-up pack has nothing left to expire; it is listed under its own status elsewhere.
    packs, last_key = reports.packs_by_expiry(
        principal.practice_id, first=first, last=last, all_days=status not in ranges,
        with_balance=status in ("active", "expiring_soon"), practitioner_id=practitioner_id, category=category,
        limit=limit, start_key=start_key)
    rows = [PackExpiryRow.model_validate({**pack_view(p, today=today, soon_days=calendar.soon_days).model_dump(),
                                          "client_name": p.client_name}) for p in packs]
    return rows, last_key


def authorizations(*, principal: Principal, include_expired: bool, practitioner_id: str | None, limit: int,
                   start_key: dict | None) -> tuple[list[AuthorizationReportRow], dict | None]:
    """Every client's open authorizations, soonest end first: used / allowed, %, days left."""
    today = practice_calendar(principal.practice_id).today
    auths, last_key = reports.authorizations_by_end(
        principal.practice_id, ending_from=None if include_expired else today, practitioner_id=practitioner_id,
        limit=limit, start_key=start_key)
    rows = []
    for auth in auths:
        view = authorization_view(auth, today=today)
        percent = (view.used * 100 / view.allowed).quantize(Decimal("0.1"), ROUND_HALF_UP)
        rows.append(AuthorizationReportRow(
            id=view.id, client_id=view.client_id, client_name=auth.client_name, payer=view.payer,
            number=view.number, measure=view.measure, used=view.used, allowed=view.allowed,
            remaining=view.remaining, percent_used=percent, begin_on=view.begin_on, end_on=view.end_on,
            days_left=max((view.end_on - today).days, 0), status=view.status))
    return rows, last_key


def pack_sales(*, principal: Principal, start: date, end: date) -> PackSalesReport:
    """Sales by category over a date range, each pack's price split by its proportions.

    The totals need every sale in the range, so this pages through the sales index itself
    (one Query per 500 sales, store/reports.SALES_PAGE); the range is capped at a year.
    """
    totals: dict[str, Decimal] = defaultdict(Decimal)
    counts: dict[str, int] = defaultdict(int)
    packs = 0
    for pack in reports.packs_sold(principal.practice_id, start, end):
        packs += 1
        for name, amount in _shares(pack).items():
            totals[name] += amount
            counts[name] += 1
    categories = [CategorySales(category=name, amount=totals[name], packs=counts[name]) for name in sorted(totals)]
    return PackSalesReport(start=start, end=end, currency=practice_calendar(principal.practice_id).currency,
                           total=sum(totals.values(), Decimal(0)), packs=packs, categories=categories)


def _shares(pack: Entitlement) -> dict[str, Decimal]:
    return split_by_category(pack.price, list(pack.categories) or [("Uncategorised", Decimal(100))])
