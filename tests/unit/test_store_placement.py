"""Where the store files what it is given: keys and index entries follow from the entity's own
fields, so no caller can file a note in the wrong chart or an invoice in the wrong list (pure,
no DynamoDB)."""
from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.models.notes import Note
from chalicelib.store import clients, groups, invoices, notes, reports, sweep

ids = st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True)


def test_note_when_progress_or_member_copy_is_filed_in_its_clients_chart():
    for kind in ("progress", "group_member"):
        item = notes._item("prc", Note.model_construct(id="note_1", type=kind, client_id="cli_1", group_id="grp_1",
                                                       created_at="2026-11-01T10:00:00+00:00"))
        assert (item["PK"], item["SK"], item["kind"]) == ("P#prc#NOTE#note_1", "NOTE", "NOTE")
        assert item["GSI1PK"] == "P#prc#C#cli_1#NOTES"
        assert item["GSI1SK"] == "2026-11-01T10:00:00+00:00#note_1"


def test_note_when_group_note_is_filed_in_its_groups_list():
    item = notes._item("prc", Note.model_construct(id="gnote_1", type="group", group_id="grp_1",
                                                   created_at="2026-11-01"))
    assert item["GSI1PK"] == "P#prc#GROUP#grp_1#NOTES"


@settings(deadline=None)
@given(practice=ids, client=ids, status=st.sampled_from(["unpaid", "part_paid", "paid"]),
       day=st.dates(date(2000, 1, 1), date(2099, 12, 31)))
def test_invoice_when_written_is_listed_by_practice_status_and_client_on_its_date(practice, client, status, day):
    invoice = {"id": f"inv_{client}", "client_id": client, "status": status, "issued_on": day.isoformat()}
    item = invoices._item(practice, invoice)
    assert (item["PK"], item["SK"]) == (f"P#{practice}#C#{client}", f"INVOICE#inv_{client}")
    assert item["GSI1PK"] == f"P#{practice}#INVOICES"
    assert item["GSI2PK"] == f"P#{practice}#INVOICES#{status}"
    assert item["GSI3PK"] == f"P#{practice}#C#{client}#INVOICES"
    assert item["GSI1SK"] == item["GSI2SK"] == item["GSI3SK"] == f"{day.isoformat()}#inv_{client}"
    assert invoices._public(item) == invoice


def test_membership_when_written_is_listed_under_its_client():
    item = groups._item("prc", {"group_id": "grp_1", "client_id": "cli_1", "active": True})
    assert (item["PK"], item["SK"]) == ("P#prc#GROUP#grp_1", "MEMBER#cli_1")
    assert (item["GSI1PK"], item["GSI1SK"]) == ("P#prc#C#cli_1#GROUPS", "grp_1")


def test_client_name_key_when_folded_ignores_case_accents_and_spacing():
    assert clients.name_key("  Ãlvarez ", "JOSÉ  María") == "alvarez jose maria"


@settings(deadline=None)
@given(first=st.dates(date(2000, 1, 1), date(2099, 12, 31)), length=st.integers(0, 400),
       inside=st.integers(0, 400), client=ids)
def test_report_days_when_ranged_hold_every_entry_of_the_days_and_none_after(first, length, inside, client):
    last = date.fromordinal(first.toordinal() + length)
    low, high = reports._days(first, last)
    entry = date.fromordinal(first.toordinal() + min(inside, length))
    assert low <= f"{entry.isoformat()}#{client}#pack_1" <= high
    after = date.fromordinal(last.toordinal() + 1)
    assert not f"{after.isoformat()}#{client}#pack_1" <= high


def test_report_days_when_open_ended_start_before_any_date():
    low, high = reports._days(None, "9999-12-31")
    assert low < "0001-01-01" and high > "9999-12-31#cli#pack"


@given(practice=ids, rest=st.lists(ids, max_size=3))
def test_sweep_practice_of_a_key_is_its_practice(practice, rest):
    assert sweep.practice_of("#".join([f"P#{practice}", *rest])) == practice
