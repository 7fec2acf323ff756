"""The daily digest email, as plain text and HTML. Only what staff need to act: the pack or
authorization, the client's first name and last initial, the figures, a link to the client in
the staff console; no contact details, dates of birth, diagnoses, notes or full names.

The HTML looks like the console's tables and is built for email clients: inline styles only
(many clients drop <style>), layout tables, and rows whose three blocks are inline-blocks with
a max width, so they sit side by side on a wide screen and stack into one column on a phone
without media queries. Every value is HTML-escaped."""
from __future__ import annotations

from decimal import Decimal
from html import escape
from urllib.parse import quote

from chalicelib.domain.entitlements import format_amount
from chalicelib.domain.notifications import DigestRow
from chalicelib.notify.mailer import Message

FOOTER = "You receive this because of your Caseload notification preferences; change them in your profile."
FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"
# Widths of a row's three blocks: together they fit the 640 px card; on a phone they stack.
WIDTHS = (224, 176, 200)
URGENT = ("#fee2e2", "#991b1b", "#dc2626")  # background, text, bar
WATCH = ("#fef3c7", "#92400e", "#d97706")
CALM_BAR = "#2563eb"


def client_url(console_url: str, client_id: str) -> str:
    """The client's page in the staff console."""
    return f"{console_url.rstrip('/')}/clients/{quote(client_id, safe='')}"


def figures(row: DigestRow, currency: str) -> tuple[str, str]:
    """("Used 3 of 10 sessions", "7 left"), in the entitlement's measure."""
    if row.measure == "money":
        return (f"Used {format_amount(row.used)} of {format_amount(row.capacity)} {currency}",
                f"{format_amount(row.remaining)} {currency} left")
    noun = row.measure[:-1] if row.capacity == 1 else row.measure
    return (f"Used {format_amount(row.used)} of {format_amount(row.capacity)} {noun}",
            f"{format_amount(row.remaining)} left")


def date_phrase(row: DigestRow) -> str:
    """'Ends 2027-03-31', 'Expired 2026-11-02', 'No expiry'."""
    return f"{row.date_word.capitalize()} {row.date}" if row.date and row.date_word else "No expiry"


def display_name(row: DigestRow) -> str:
    # Pack names are as staff typed them; an authorization's reads as a heading in a cell.
    return row.name if row.kind == "PACK" else row.name[:1].upper() + row.name[1:]


def digest(*, to: str, practice_name: str, on: str, rows: list[DigestRow], console_url: str,
           currency: str = "USD") -> Message:
    """One recipient's digest: a row per pack or authorization, most pressing first."""
    alerts = sum(len(r.alerts) for r in rows)
    subject = f"{practice_name}: {alerts} pack and authorization alert{'' if alerts == 1 else 's'} for {on}"
    what = {r.kind for r in rows}
    noun = "pack or authorization" if len(what) > 1 else ("pack" if what == {"PACK"} else "authorization")
    summary = f"{_count(len(rows), noun)} {'needs' if len(rows) == 1 else 'need'} attention"
    return Message(to=to, subject=subject, text=_text(practice_name, on, summary, rows, console_url, currency),
                   html=_html(subject, practice_name, on, summary, rows, console_url, currency))


def _text(practice_name: str, on: str, summary: str, rows: list[DigestRow], console_url: str, currency: str) -> str:
    parts = [f"Caseload daily digest for {practice_name}, {on}", f"{summary}.", ""]
    for row in rows:
        used, left = figures(row, currency)
        parts += [f"- {row.line()}", f"  {used}, {left} · {client_url(console_url, row.client_id)}"]
    parts += ["", f"Open the staff console: {console_url}", "", FOOTER]
    return "\n".join(parts)


def _html(subject: str, practice_name: str, on: str, summary: str, rows: list[DigestRow], console_url: str,
          currency: str) -> str:
    e = _escape
    body = "".join(_row_html(row, console_url, currency) for row in rows)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="color-scheme" content="light only">'
        f"<title>{e(subject)}</title></head>"
        f'<body style="margin:0;padding:0;background:#f1f5f9;font-family:{FONT};color:#0f172a;">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        'style="background:#f1f5f9;border-collapse:collapse;">'
        '<tr><td align="center" style="padding:16px 8px;">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        'style="max-width:640px;width:100%;background:#ffffff;border:1px solid #e2e8f0;border-radius:8px;'
        'border-collapse:separate;overflow:hidden;">'
        # The console's top bar: product, practice, day, what needs doing.
        '<tr><td style="background:#0f172a;padding:16px;">'
        '<div style="font-size:12px;line-height:16px;letter-spacing:0.08em;text-transform:uppercase;'
        'color:#94a3b8;">Caseload &middot; daily digest</div>'
        f'<div style="font-size:20px;line-height:28px;font-weight:600;color:#ffffff;">{e(practice_name)}</div>'
        f'<div style="font-size:14px;line-height:20px;color:#cbd5e1;">{e(on)} &middot; {e(summary)}</div>'
        "</td></tr>"
        # The table: a header row naming the three blocks, then one row per entitlement.
        '<tr><td style="padding:0 16px;">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        'style="border-collapse:collapse;">'
        f"{_header_html()}{body}"
        "</table></td></tr>"
        '<tr><td style="padding:16px;border-top:1px solid #e2e8f0;">'
        f'<a href="{e(console_url)}" style="display:inline-block;background:#2563eb;color:#ffffff;'
        'text-decoration:none;font-size:14px;line-height:20px;font-weight:600;padding:8px 14px;'
        'border-radius:6px;">Open the staff console</a>'
        f'<p style="margin:12px 0 0 0;font-size:12px;line-height:18px;color:#64748b;">{e(FOOTER)}</p>'
        "</td></tr></table></td></tr></table></body></html>")


def _block(width: int, content: str, *, padding: str = "4px 0") -> str:
    # An inline-block as wide as its column on a wide screen, the whole row's width on a phone.
    return (f'<div style="display:inline-block;vertical-align:top;width:100%;max-width:{width}px;'
            f'font-size:14px;line-height:20px;padding:{padding};">{content}</div>')


def _header_html() -> str:
    label = ('<span style="font-size:11px;line-height:16px;font-weight:600;letter-spacing:0.04em;'
             'text-transform:uppercase;color:#64748b;">{}</span>')
    cells = ("Client &middot; pack / authorization", "Alerts", "Balance &middot; dates")
    blocks = "".join(_block(w, label.format(c), padding="0") for w, c in zip(WIDTHS, cells, strict=True))
    return ('<tr><td style="padding:10px 0 6px 0;border-bottom:1px solid #e2e8f0;font-size:0;">'
            + blocks + "</td></tr>")


def _row_html(row: DigestRow, console_url: str, currency: str) -> str:
    e = _escape
    url = e(client_url(console_url, row.client_id))
    # The row in one sentence: the link's tooltip, and what a screen reader announces for it.
    title = e(row.line())
    who = (f'<a href="{url}" title="{title}" style="color:#1d4ed8;font-weight:600;font-size:15px;'
           f'text-decoration:none;">{e(row.client_label)}</a>'
           f'<div style="color:#334155;">{e(display_name(row))}</div>')
    tone = URGENT if row.urgent else WATCH
    pills = "".join(
        f'<span style="display:inline-block;margin:0 4px 4px 0;padding:2px 8px;border-radius:999px;'
        f'background:{(URGENT if a.urgent else WATCH)[0]};color:{(URGENT if a.urgent else WATCH)[1]};'
        f'font-size:12px;line-height:18px;font-weight:600;white-space:nowrap;">{e(a.label.capitalize())}</span>'
        for a in row.alerts)
    used, left = figures(row, currency)
    balance = (f'<div style="color:#0f172a;">{e(used)}</div><div style="font-weight:700;">{e(left)}</div>'
               f"{_bar(row.used, row.capacity, tone[2] if row.alerts else CALM_BAR)}"
               f'<div style="color:#64748b;font-size:13px;">{e(date_phrase(row))}</div>')
    return ('<tr><td style="padding:10px 0;border-bottom:1px solid #e2e8f0;font-size:0;">'
            + _block(WIDTHS[0], who) + _block(WIDTHS[1], pills) + _block(WIDTHS[2], balance) + "</td></tr>")


def _bar(used: Decimal, capacity: Decimal, colour: str) -> str:
    """How much is used, as a bar (a table: the one shape every email client draws)."""
    share = 100 if capacity <= 0 else max(0, min(100, int(used * 100 / capacity)))
    cells = "".join(f'<td width="{w}%" style="background:{c};height:6px;font-size:0;line-height:0;">&nbsp;</td>'
                    for w, c in ((share, colour), (100 - share, "#e2e8f0")) if w)
    return ('<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
            f'style="border-collapse:collapse;margin:4px 0;max-width:180px;"><tr>{cells}</tr></table>')


def _count(n: int, noun: str) -> str:
    """'1 pack', '3 packs', '2 packs or authorizations'."""
    if n == 1:
        return f"1 {noun}"
    return f"{n} " + " ".join(w + "s" if w not in ("and", "or") else w for w in noun.split())


def _escape(value: object) -> str:
    return escape(str(value), quote=True)
