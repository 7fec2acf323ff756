"""The staff digest email (issue 14): a console-like table, readable on a phone, linking each
row to the client in the staff console, escaped, and carrying nothing staff do not need."""
from __future__ import annotations

import itertools
import re
from datetime import date
from decimal import Decimal as D  # noqa: N817 - short for the many amounts written below

import pytest

from chalicelib.domain import notifications as n
from chalicelib.domain.entitlements import Entitlement
from chalicelib.notify import templates
from chalicelib.notify.templates import WIDTHS, digest

TODAY = date(2026, 11, 20)
CONSOLE = "https://console.harbour.example"


def _rows(**client):
    auth = Entitlement(**{"kind": "AUTH", "id": "auth_1", "client_id": "cli_1", "client_name": "Jamie Rivera",
                          "number": "PA-1", "payer": "Acme", "state": "open", "capacity": D(3), "used": D(3),
                          "remaining": D(0), "begin_on": "2026-01-01", "end_on": "2026-11-25", "measure": "sessions",
                          **client})
    # What an event must never leak into an email (an Entitlement has no place for these).
    secrets = {"birth_date": "1984-02-29", "notes": "panic attacks since May", "email": "jamie@example.org"}
    shown = [({**n.event_of(t, auth, remaining=D(2), marker="3"), **secrets}, label)
             for t, label in ((n.AUTHORIZATION_USED_UP, "used up"), (n.AUTHORIZATION_ENDING, "ending soon"))]
    return n.digest_rows(shown, {("AUTH", "auth_1"): auth}, today=TODAY)


def _digest(rows=None, **kw):
    return digest(**{"to": "office@harbour.example", "practice_name": "Harbour Street Therapy", "on": "2026-11-20",
                     "rows": _rows() if rows is None else rows, "console_url": CONSOLE, **kw})


def test_digest_html_is_a_table_row_per_entitlement_linking_to_the_client_in_the_console():
    html = _digest().html
    assert html.count(f'<a href="{CONSOLE}/clients/cli_1"') == 1
    assert "Used up</span>" in html and "Ending soon</span>" in html
    assert 'Used 3 of 3 sessions</div><div style="font-weight:700;">0 left</div>' in html
    assert "Ends 2026-11-25" in html
    assert "Authorization PA-1 (Acme)" in html and ">Jamie R.</a>" in html


def test_digest_text_part_carries_the_same_rows_and_links():
    message = _digest()
    assert message.text.splitlines()[3:5] == [
        "- Authorization used up and ending soon: 'authorization PA-1 (Acme)' for Jamie R. — 0 of 3 left, "
        "ends 2026-11-25",
        f"  Used 3 of 3 sessions, 0 left · {CONSOLE}/clients/cli_1"]
    assert message.subject == "Harbour Street Therapy: 2 pack and authorization alerts for 2026-11-20"


def test_digest_never_carries_full_names_birth_dates_notes_or_client_emails():
    message = _digest()
    for secret in ("Rivera", "1984-02-29", "panic", "jamie@example.org"):
        assert secret not in message.html and secret not in message.text, secret


def test_digest_escapes_every_value_it_shows():
    rows = _rows(client_name='<img src=x onerror="alert(1)"> Smith', payer="A&B <Health>", number='"><script>x',
                 client_id='cli"<1>')
    html = _digest(rows=rows, practice_name="<b>Harbour</b> & Co", on="<i>2026</i>").html
    for raw in ("<script>", "<img", "<b>Harbour", "<i>2026", "A&B <", 'cli"<1>'):
        assert raw not in html, raw
    assert "&lt;b&gt;Harbour&lt;/b&gt; &amp; Co" in html and "A&amp;B &lt;Health&gt;" in html
    assert f'href="{CONSOLE}/clients/cli%22%3C1%3E"' in html  # the id is quoted into the path, then escaped


def test_digest_html_uses_inline_styles_only():
    html = _digest().html
    assert "<style" not in html and "<link" not in html and "class=" not in html and "<script" not in html
    assert re.search(r'<meta name="viewport" content="width=device-width, initial-scale=1">', html)


def test_digest_rows_stack_into_one_column_on_a_375_px_phone():
    """Each row is three inline-blocks of width 100% up to a max: on the 640 px card they sit
    side by side; on a phone no two fit on a line, so each row reads as one column."""
    html = _digest().html
    card_content = 640 - 2 * 16 - 2  # card width less its padding and border
    phone_content = 375 - 2 * 8 - 2 - 2 * 16  # the phone less the outer margin, border and padding
    assert sum(WIDTHS) <= card_content
    assert all(w <= phone_content for w in WIDTHS)
    assert all(a + b > phone_content for a, b in itertools.pairwise(WIDTHS))
    for width in WIDTHS:
        assert f"display:inline-block;vertical-align:top;width:100%;max-width:{width}px" in html


def test_digest_shows_money_packs_in_the_practice_currency():
    pack = Entitlement(kind="PACK", id="pack_1", client_id="cli_1", client_name="Ana Souza", name="Budget",
                       state="open", capacity=D(3000), used=D("2450.50"), remaining=D("549.50"),
                       expires_on="2026-12-01", measure="money")
    rows = n.digest_rows([(n.event_of(n.PACK_EXPIRING, pack, remaining=D(600), marker="x"), "expiring soon")],
                         {("PACK", "pack_1"): pack}, today=TODAY)
    message = _digest(rows=rows, currency="AUD")
    assert "Used 2450.50 of 3000 AUD, 549.50 AUD left" in message.text and "Expires 2026-12-01" in message.html


def test_console_url_comes_from_the_setting_with_the_local_console_as_default(monkeypatch):
    from chalicelib.config import get_settings, reset_settings

    monkeypatch.delenv("CASELOAD_CONSOLE_URL", raising=False)
    reset_settings()
    assert get_settings().console_url == "http://127.0.0.1:8080"
    monkeypatch.setenv("CASELOAD_CONSOLE_URL", CONSOLE + "/")
    reset_settings()
    assert get_settings().console_url == CONSOLE + "/"
    assert templates.client_url(get_settings().console_url, "cli_1") == f"{CONSOLE}/clients/cli_1"
    reset_settings()


def test_digest_sample_in_docs_is_what_the_template_renders():
    from devtools.digest_sample import SAMPLE_PATH, sample_message

    assert SAMPLE_PATH.read_text(encoding="utf-8") == sample_message().html + "\n", \
        "docs/digest-sample.html is out of date: run python -m devtools.digest_sample"


@pytest.mark.parametrize("secret", ["Rivera", "Natarajan", "Souza"])
def test_digest_sample_names_clients_by_first_name_and_last_initial(secret):
    from devtools.digest_sample import sample_message

    assert secret not in sample_message().html
