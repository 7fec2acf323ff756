"""A line-level check of iCalendar text (RFC 5545 §3.1), so a malformed file is refused with
the number of the line at fault rather than a parser's stack trace."""
from __future__ import annotations

import re

_CONTENT_LINE = re.compile(r"^[A-Za-z0-9-]+(;[^:]*)?:")


def first_error(text: str) -> tuple[int, str] | None:
    """(line number, reason) of the first malformed line, or None when the structure is sound.
    Folded lines are joined first (a program may fold anywhere, even inside a property name)."""
    logical: list[tuple[int, str]] = []  # (number of its first physical line, unfolded text)
    for number, line in enumerate(text.splitlines(), start=1):
        if line[:1] in (" ", "\t"):
            if not logical:
                return number, "a folded line continues nothing"
            logical[-1] = (logical[-1][0], logical[-1][1] + line[1:])
        else:
            logical.append((number, line))
    if not logical or logical[0][1].strip().upper() != "BEGIN:VCALENDAR":
        return 1, "a calendar starts with BEGIN:VCALENDAR"
    stack: list[str] = []
    for number, line in logical:
        if not line.strip():
            continue
        if not _CONTENT_LINE.match(line):
            return number, "not NAME:VALUE"
        name, _, value = line.partition(":")
        name = name.split(";")[0].upper()
        if name == "BEGIN":
            stack.append(value.strip().upper())
        elif name == "END":
            if not stack or stack[-1] != value.strip().upper():
                return number, f"END:{value.strip()} does not close {('BEGIN:' + stack[-1]) if stack else 'anything'}"
            stack.pop()
    if stack:
        return logical[-1][0], f"BEGIN:{stack[-1]} is never closed"
    return None
