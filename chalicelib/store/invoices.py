"""Invoice index keys and the practice-wide invoice list.

Every invoice write carries three index entries, all sorted by `<issued_on>#<invoice id>`:
GSI1 per practice, GSI2 per practice and status, GSI3 per client. A list page is then one Query
on the one partition its filters name, and a date range is a BETWEEN on the sort key. Only the
client+status combination filters, and then inside that one client's invoices.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.errors import BadRequest
from chalicelib.store import items
from chalicelib.store.keys import client_invoices_pk, invoice_date_sk, invoice_status_pk, practice_invoices_pk

BY_PRACTICE, BY_STATUS, BY_CLIENT = "GSI1", "GSI2", "GSI3"


def index_keys(practice_id: str, invoice: dict[str, Any]) -> dict[str, str]:
    """The index attributes of an invoice as it is about to be written (status and date settled)."""
    sk = invoice_date_sk(invoice["issued_on"], invoice["id"])
    return {f"{BY_PRACTICE}PK": practice_invoices_pk(practice_id), f"{BY_PRACTICE}SK": sk,
            f"{BY_STATUS}PK": invoice_status_pk(practice_id, invoice["status"]), f"{BY_STATUS}SK": sk,
            f"{BY_CLIENT}PK": client_invoices_pk(practice_id, invoice["client_id"]), f"{BY_CLIENT}SK": sk}


def list_page(practice_id: str, *, status: str | None, client_id: str | None, first_day: date | None,
              last_day: date | None, limit: int, start_key: dict[str, Any] | None) -> items.Page:
    """One page of a practice's invoices by invoice date (one Query)."""
    if client_id:
        index, pk = BY_CLIENT, client_invoices_pk(practice_id, client_id)
    elif status:
        index, pk = BY_STATUS, invoice_status_pk(practice_id, status)
    else:
        index, pk = BY_PRACTICE, practice_invoices_pk(practice_id)
    between = None
    if first_day or last_day:
        # '~' sorts after every id character, so the last day's invoices are all inside.
        between = ((first_day or date.min).isoformat(), f"{(last_day or date.max).isoformat()}#~")
    _check_cursor(start_key, index, pk, between)
    by_status = bool(client_id and status)
    return items.query_page(pk, limit=limit, start_key=start_key, index=index, between=between,
                            filter="#status = :status" if by_status else None,
                            filter_names={"#status": "status"} if by_status else None,
                            filter_values={":status": status} if by_status else None)


def _check_cursor(start_key: dict[str, Any] | None, index: str, pk: str, between: tuple[str, str] | None) -> None:
    """A cursor signed for this list but issued under other filters would steer the Query to a
    start outside the partition or range it reads (DynamoDB refuses that): refuse it as a 400."""
    if not start_key:
        return
    sk = start_key.get(f"{index}SK")
    if start_key.get(f"{index}PK") != pk or not isinstance(sk, str) or (
            between is not None and not between[0] <= sk <= between[1]):
        raise BadRequest("cursor is not valid for these filters; start again without it", field="query.cursor")
