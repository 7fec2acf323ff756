"""The report indexes: open packs by expiry (GSI1 `P#<practice>#PACKEXP` / `<expires_on or
9999-12-31>#<client>#<pack>`), open authorizations by end date (GSI1 `P#<practice>#AUTHEND` /
`<end_on>#<client>#<id>`) and packs by sale date (GSI2 `P#<practice>#PACKSALE` /
`<purchased_on>#<id>`). Callers name days; this module turns them into sort-key ranges."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from chalicelib.domain.entitlements import Entitlement
from chalicelib.store import items
from chalicelib.store.entitlements import Page, entitlement_of
from chalicelib.store.keys import authorization_end_pk, pack_expiry_pk, pack_sale_pk

BY_EXPIRY, BY_END, BY_SALE = "GSI1", "GSI1", "GSI2"
_END = "#~"  # sorts after every "#<client>#<id>" suffix of a date
SALES_PAGE = 500


def _days(first: date | str | None, last: date | str | None) -> tuple[str, str]:
    """The sort-key range of every entry dated `first`..`last` inclusive (None: unbounded)."""
    low = first.isoformat() if isinstance(first, date) else (first or "0000")
    high = last.isoformat() if isinstance(last, date) else (last or "9999-12-31")
    return low, high + _END


def packs_by_expiry(practice_id: str, *, first: date | str | None, last: date | str | None, all_days: bool,
                    with_balance: bool, practitioner_id: str | None, category: str | None, limit: int,
                    start_key: dict[str, Any] | None) -> Page:
    """One page of open packs expiring `first`..`last` (`all_days`: any date, none included),
    soonest first; optionally only those with something left, a practitioner's, or those in a
    category. A pack without expiry sorts as expiring on 9999-12-31."""
    filters: list[str] = []
    values: dict[str, Any] = {}
    names: dict[str, str] = {}
    if with_balance:
        filters.append("#remaining > :nothing")
        values[":nothing"] = 0
        names["#remaining"] = "remaining"
    if practitioner_id:
        filters.append("practitioner_id = :practitioner")
        values[":practitioner"] = practitioner_id
    if category:
        filters.append("contains(category_names, :category)")
        values[":category"] = category
    page = items.query_page(pack_expiry_pk(practice_id), limit=limit, start_key=start_key, index=BY_EXPIRY,
                            between=None if all_days else _days(first, last), filter=" AND ".join(filters) or None,
                            filter_values=values or None, filter_names=names or None)
    return [entitlement_of(i) for i in page.items], page.last_key


def authorizations_by_end(practice_id: str, *, ending_from: date | None, practitioner_id: str | None, limit: int,
                          start_key: dict[str, Any] | None) -> Page:
    """One page of open authorizations ending on or after `ending_from` (None: all), soonest first."""
    page = items.query_page(authorization_end_pk(practice_id), limit=limit, start_key=start_key, index=BY_END,
                            between=_days(ending_from, None) if ending_from else None,
                            filter="practitioner_id = :practitioner" if practitioner_id else None,
                            filter_values={":practitioner": practitioner_id} if practitioner_id else None)
    return [entitlement_of(i) for i in page.items], page.last_key


def packs_sold(practice_id: str, start: date, end: date) -> Iterator[Entitlement]:
    """Every pack sold `start`..`end`, page after page (one Query per SALES_PAGE sales)."""
    start_key = None
    while True:
        page = items.query_page(pack_sale_pk(practice_id), limit=SALES_PAGE, start_key=start_key, index=BY_SALE,
                                between=_days(start, end))
        yield from map(entitlement_of, page.items)
        if not page.last_key:
            return
        start_key = page.last_key
