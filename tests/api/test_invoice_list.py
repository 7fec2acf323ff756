"""GET /v1/invoices: the practice-wide invoice list, filtered by status, client and invoice date,
read one index Query per page."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from chalicelib.observability import current_meter
from tests.api.entitlement_helpers import make_client, make_pack
from tests.conftest import PRACTICE_A, PRACTICE_B

INVOICES = "/v1/invoices"


def _invoice(api, client_id, issued_on, *, paid=None, practice=PRACTICE_A):
    """A $180 session invoice dated `issued_on`; `paid` is what was paid at the session."""
    session = api.post(f"/v1/clients/{client_id}/sessions", {
        "date_of_service": issued_on, "billing_code": "90837",
        **({"paid_at_session": {"amount": paid, "method": "card"}} if paid else {})}, practice=practice)
    assert session.status == 201, session.body
    reply = api.post(f"/v1/clients/{client_id}/invoices",
                     {"session_id": session.body["session"]["id"], "issued_on": issued_on}, practice=practice)
    assert reply.status == 201, reply.body
    return reply.body


def _pay(api, invoice, amount):
    reply = api.post(f"/v1/clients/{invoice['client_id']}/invoices/{invoice['id']}/payments",
                     {"amount": amount, "method": "cash"})
    assert reply.status == 201, reply.body
    return reply.body["invoice"]


def _ids(api, query="", **kw):
    reply = api.get(INVOICES + query, **kw)
    assert reply.status == 200, reply.body
    return [i["id"] for i in reply.body["items"]]


def _every_page(api, query, limit):
    """Every item of a list, following next_cursor; also the number of pages."""
    found, pages, cursor = [], 0, None
    while True:
        sep = "&" if query else "?"
        reply = api.get(f"{INVOICES}{query}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else ""))
        assert reply.status == 200, reply.body
        found += reply.body["items"]
        pages += 1
        cursor = reply.body["next_cursor"]
        if cursor is None:
            return found, pages


@pytest.fixture
def book(api):
    """Seven invoices of three clients, every status, on five dates (not created in date order)."""
    ana, ben, cy = (make_client(api, first, "Invoiced") for first in ("Ana", "Ben", "Cy"))
    made = {
        "ana_nov_20_part": _invoice(api, ana["id"], "2026-11-20", paid="50"),
        "ana_nov_02_unpaid": _invoice(api, ana["id"], "2026-11-02"),
        "ben_nov_10_paid": _invoice(api, ben["id"], "2026-11-10", paid="180"),
        "ben_oct_30_unpaid": _invoice(api, ben["id"], "2026-10-30"),
        "cy_nov_10_part": _invoice(api, cy["id"], "2026-11-10", paid="30"),
        "cy_dec_01_unpaid": _invoice(api, cy["id"], "2026-12-01"),
        "ana_nov_10_paid": _invoice(api, ana["id"], "2026-11-10", paid="180"),
    }
    return {"clients": {"ana": ana["id"], "ben": ben["id"], "cy": cy["id"]},
            **{name: invoice["id"] for name, invoice in made.items()}, "invoices": made}


def _in_date_order(book, *names):
    """The expected order: invoice date, then id."""
    chosen = [book["invoices"][n] for n in names]
    return [i["id"] for i in sorted(chosen, key=lambda i: (i["issued_on"], i["id"]))]


ALL = ("ana_nov_20_part", "ana_nov_02_unpaid", "ben_nov_10_paid", "ben_oct_30_unpaid", "cy_nov_10_part",
       "cy_dec_01_unpaid", "ana_nov_10_paid")


def test_invoice_status_names_what_is_left_to_pay(api):
    client = make_client(api)
    assert _invoice(api, client["id"], "2026-11-20")["status"] == "unpaid"
    part = _invoice(api, client["id"], "2026-11-21", paid="50")
    assert (part["status"], part["balance_due"]) == ("part_paid", "130.00")
    assert _pay(api, part, "130")["status"] == "paid"


def test_invoice_date_defaults_to_today_in_the_practice_time_zone(api):
    client = make_client(api)
    session = api.post(f"/v1/clients/{client['id']}/sessions",
                       {"date_of_service": "2026-11-02", "billing_code": "90837"}).body["session"]
    invoice = api.post(f"/v1/clients/{client['id']}/invoices", {"session_id": session["id"]}).body
    zone = api.get("/v1/practice").body["time_zone"]
    assert invoice["issued_on"] == datetime.now(ZoneInfo(zone)).date().isoformat()


def test_list_all_invoices_by_invoice_date_with_their_version(api, book):
    reply = api.get(INVOICES, role="billing")
    assert reply.status == 200, reply.body
    assert [i["id"] for i in reply.body["items"]] == _in_date_order(book, *ALL)
    assert reply.body["next_cursor"] is None
    assert all(i["version"] == 1 for i in reply.body["items"])


def test_list_items_are_the_per_client_lists_items(api, book):
    listed = api.get(INVOICES).body["items"]
    for client_id in book["clients"].values():
        own = api.get(f"/v1/clients/{client_id}/invoices").body["items"]
        assert sorted(own, key=lambda i: i["id"]) == sorted(
            (i for i in listed if i["client_id"] == client_id), key=lambda i: i["id"])
        filtered = api.get(f"{INVOICES}?client_id={client_id}").body["items"]
        assert sorted(filtered, key=lambda i: i["id"]) == sorted(own, key=lambda i: i["id"])


@pytest.mark.parametrize("status, names", [
    ("unpaid", ("ana_nov_02_unpaid", "ben_oct_30_unpaid", "cy_dec_01_unpaid")),
    ("part_paid", ("ana_nov_20_part", "cy_nov_10_part")),
    ("paid", ("ben_nov_10_paid", "ana_nov_10_paid")),
])
def test_list_filtered_by_status(api, book, status, names):
    assert _ids(api, f"?status={status}") == _in_date_order(book, *names)


def test_list_filtered_by_client(api, book):
    assert _ids(api, f"?client_id={book['clients']['ana']}") == _in_date_order(
        book, "ana_nov_20_part", "ana_nov_02_unpaid", "ana_nov_10_paid")
    assert _ids(api, "?client_id=cli_nobody") == []


@pytest.mark.parametrize("query, names", [
    ("?from=2026-11-02&to=2026-11-10",
     ("ana_nov_02_unpaid", "ben_nov_10_paid", "cy_nov_10_part", "ana_nov_10_paid")),
    ("?from=2026-11-10&to=2026-11-10", ("ben_nov_10_paid", "cy_nov_10_part", "ana_nov_10_paid")),
    ("?from=2026-11-11", ("ana_nov_20_part", "cy_dec_01_unpaid")),
    ("?to=2026-11-02", ("ben_oct_30_unpaid", "ana_nov_02_unpaid")),
    ("?from=2026-11-21&to=2026-11-30", ()),
])
def test_list_filtered_by_invoice_date(api, book, query, names):
    assert _ids(api, query) == _in_date_order(book, *names)


def test_list_filters_combined(api, book):
    ana, ben = book["clients"]["ana"], book["clients"]["ben"]
    assert _ids(api, f"?client_id={ana}&status=paid") == [book["ana_nov_10_paid"]]
    assert _ids(api, f"?client_id={ana}&status=unpaid&from=2026-11-03") == []
    assert _ids(api, f"?client_id={ben}&from=2026-11-01&to=2026-11-30") == [book["ben_nov_10_paid"]]
    assert _ids(api, "?status=unpaid&from=2026-11-01&to=2026-11-30") == [book["ana_nov_02_unpaid"]]
    assert _ids(api, "?status=part_paid&to=2026-11-19") == [book["cy_nov_10_part"]]
    assert _ids(api, f"?status=part_paid&client_id={ana}&from=2026-11-20&to=2026-11-20") == [
        book["ana_nov_20_part"]]


@pytest.mark.parametrize("query, names", [
    ("", ALL),
    ("?status=unpaid", ("ana_nov_02_unpaid", "ben_oct_30_unpaid", "cy_dec_01_unpaid")),
    ("?from=2026-11-02&to=2026-11-20",
     ("ana_nov_20_part", "ana_nov_02_unpaid", "ben_nov_10_paid", "cy_nov_10_part", "ana_nov_10_paid")),
    ("?client_id={ana}", ("ana_nov_20_part", "ana_nov_02_unpaid", "ana_nov_10_paid")),
])
@pytest.mark.parametrize("limit", [1, 2, 3])
def test_pages_hold_every_invoice_once(api, book, query, names, limit):
    found, pages = _every_page(api, query.format(**book["clients"]), limit)
    assert [i["id"] for i in found] == _in_date_order(book, *names)
    assert pages == max(1, -(-len(names) // limit))  # no empty page at the end


def test_pages_of_one_client_with_a_status_hold_every_invoice_once(api, book):
    # A client's status filter reads that client's invoices only; a page may hold fewer.
    found, _ = _every_page(api, f"?client_id={book['clients']['ana']}&status=paid", 1)
    assert [i["id"] for i in found] == [book["ana_nov_10_paid"]]


def test_each_page_is_one_query(api, book):
    for query in ("", "?status=paid", f"?client_id={book['clients']['cy']}", "?from=2026-11-01&to=2026-11-30",
                  f"?status=unpaid&client_id={book['clients']['ben']}&from=2026-10-01"):
        assert api.get(INVOICES + query).status == 200
        assert current_meter().calls == ["Query"], query


def test_a_payment_moves_an_invoice_between_status_filters(api, book):
    invoice = book["invoices"]["ben_oct_30_unpaid"]
    _pay(api, invoice, "100")
    assert invoice["id"] not in _ids(api, "?status=unpaid")
    assert invoice["id"] in _ids(api, "?status=part_paid")
    paid = _pay(api, invoice, "80")
    assert invoice["id"] not in _ids(api, "?status=part_paid")
    listed = api.get(f"{INVOICES}?status=paid").body["items"]
    assert [i for i in listed if i["id"] == invoice["id"]] == [paid]
    assert paid["version"] == 3


def test_removing_and_applying_a_pack_moves_an_invoice_between_status_filters(api):
    client = make_client(api)
    make_pack(api, client["id"], name="Prepaid", measure="sessions", limit="5", price="800")
    invoice = _invoice(api, client["id"], "2026-11-20")
    assert (invoice["status"], invoice["covered_by_pack"]) == ("paid", "180.00")
    assert _ids(api, "?status=paid") == [invoice["id"]]
    path = f"/v1/clients/{client['id']}/invoices/{invoice['id']}"
    removed = api.post(f"{path}/remove-pack", headers={"If-Match": '"1"'})
    assert removed.status == 200, removed.body
    assert (_ids(api, "?status=paid"), _ids(api, "?status=unpaid")) == ([], [invoice["id"]])
    pack_id = invoice["applied_pack_id"]
    assert api.post(f"{path}/apply-pack", {"pack_id": pack_id}, headers={"If-Match": removed.etag}).status == 200
    assert (_ids(api, "?status=paid"), _ids(api, "?status=unpaid")) == ([invoice["id"]], [])
    assert api.get(INVOICES).body["items"][0]["version"] == 3


def test_another_practices_invoices_never_appear(api, book):
    theirs = api.post("/v1/clients", {"first_name": "Other", "last_name": "Practice"}, practice=PRACTICE_B).body
    other = _invoice(api, theirs["id"], "2026-11-10", practice=PRACTICE_B)
    for query in ("", "?status=unpaid", "?from=2026-11-10&to=2026-11-10", f"?client_id={theirs['id']}"):
        assert other["id"] not in _ids(api, query)
    assert _ids(api, practice=PRACTICE_B) == [other["id"]]
    assert _ids(api, f"?client_id={book['clients']['ana']}", practice=PRACTICE_B) == []


def test_a_cursor_works_only_with_the_filters_it_was_issued_for(api, book):
    first = api.get(f"{INVOICES}?status=unpaid&limit=1").body
    assert api.get(f"{INVOICES}?status=unpaid&limit=1&cursor={first['next_cursor']}").status == 200
    for query in ("?status=paid", "", f"?client_id={book['clients']['ana']}", "?status=unpaid&from=2026-11-20"):
        reply = api.get(f"{INVOICES}{query}{'&' if query else '?'}cursor={first['next_cursor']}")
        assert (reply.status, reply.body["field"]) == (400, "query.cursor"), query
    other = api.get(f"{INVOICES}?limit=1", practice=PRACTICE_B).body  # B has no invoices: no cursor
    assert other["next_cursor"] is None


@pytest.mark.parametrize("query, field", [
    ("?status=open", "query.status"),
    ("?from=2026-11-30&to=2026-11-01", "query.to"),
    ("?from=30-11-2026", "query.from"),
    ("?limit=0", "query.limit"),
    ("?customer=x", "query.customer"),
])
def test_list_with_bad_filters_is_422_naming_the_field(api, query, field):
    reply = api.get(INVOICES + query)
    assert reply.status == 422, reply.body
    assert [e["field"] for e in reply.body["errors"]] == [field]


def test_billing_front_desk_and_admin_list_invoices_and_practitioners_may_not(api, book):
    for role in ("admin", "billing", "front_desk"):
        assert len(_ids(api, role=role)) == len(ALL)
    reply = api.get(INVOICES, role="practitioner")
    assert reply.status == 403 and reply.body["title"] == "Forbidden"


def test_invoice_written_before_the_list_existed_joins_it_on_its_next_write(api):
    """Items stored before the index keys existed (status "open", no invoice date): the
    per-client list still reads them; the practice list shows them once they are written again."""
    from chalicelib.store import items
    from chalicelib.store.keys import client_pk

    client = make_client(api)
    invoice = _invoice(api, client["id"], "2026-11-20")
    stored = items.get(client_pk(PRACTICE_A, client["id"]), f"INVOICE#{invoice['id']}")
    old = {k: v for k, v in stored.items() if not k.startswith("GSI") and k != "issued_on"}
    items.dynamo.client().put_item(TableName=items.table(), Item=items.dynamo.to_item({**old, "status": "open"}))
    own = api.get(f"/v1/clients/{client['id']}/invoices").body["items"]
    assert [(i["id"], i["status"], i["issued_on"]) for i in own] == [
        (invoice["id"], "unpaid", invoice["created_at"][:10])]
    assert _ids(api) == []
    _pay(api, invoice, "10")
    assert _ids(api, "?status=part_paid") == [invoice["id"]]


def test_invoice_list_is_in_the_openapi(api):
    spec = api.get("/v1/openapi.json").body
    get = spec["paths"]["/v1/invoices"]["get"]
    names = {p["name"] for p in get["parameters"]}
    assert {"status", "client_id", "from", "to", "limit", "cursor"} <= names
    status = next(p for p in get["parameters"] if p["name"] == "status")
    assert "part_paid" in str(status["schema"])


def test_issued_on_is_a_date_or_absent(api):
    client = make_client(api)
    session = api.post(f"/v1/clients/{client['id']}/sessions",
                       {"date_of_service": "2026-11-02", "billing_code": "90837"}).body["session"]
    reply = api.post(f"/v1/clients/{client['id']}/invoices", {"session_id": session["id"], "issued_on": "soon"})
    assert reply.status == 422 and [e["field"] for e in reply.body["errors"]] == ["body.issued_on"]
    assert api.get(f"/v1/clients/{client['id']}/invoices").body["items"] == []
    assert date.fromisoformat(api.post(f"/v1/clients/{client['id']}/invoices",
                                       {"session_id": session["id"]}).body["issued_on"])
