"""The daily digest email, as plain text and HTML. Only what staff need to act: the pack or
authorization, the client's first name and last initial, the figures; no contact details,
dates of birth, diagnoses or notes."""
from __future__ import annotations

from html import escape
from typing import Any

from chalicelib.domain.notifications import event_line, grouped
from chalicelib.notify.mailer import Message


def digest(*, to: str, practice_name: str, on: str, events: list[dict[str, Any]]) -> Message:
    sections = grouped(events)
    count = len(events)
    subject = f"{practice_name}: {count} pack and authorization alert{'s' if count != 1 else ''} for {on}"
    text_parts = [f"Caseload daily digest for {practice_name}, {on}", ""]
    html_parts = [f"<h1>Caseload daily digest</h1><p>{escape(practice_name)}, {escape(on)}</p>"]
    for headline, members in sections:
        text_parts += [f"{headline} ({len(members)})"] + [f"  - {event_line(e)}" for e in members] + [""]
        html_parts.append(f"<h2>{escape(headline)} ({len(members)})</h2><ul>"
                          + "".join(f"<li>{escape(event_line(e))}</li>" for e in members) + "</ul>")
    footer = "You receive this because of your Caseload notification preferences; change them in your profile."
    text_parts.append(footer)
    html_parts.append(f"<p><small>{escape(footer)}</small></p>")
    html = "<!doctype html><html><body>" + "".join(html_parts) + "</body></html>"
    return Message(to=to, subject=subject, text="\n".join(text_parts), html=html)
