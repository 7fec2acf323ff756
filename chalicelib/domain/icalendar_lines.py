"""A line-level check of iCalendar text (RFC 5545 §3.1), so a malformed file is refused with
the number of the line at fault rather than a parser's stack trace."""
from __future__ import annotations

import re

_CONTENT_LINE = re.compile(r"^[A-Za-z0-9-]+(;[^:]*)?:")


def first_error(text: str) -> tuple[int, str] | None:
    """(line number, reason) of the first malformed line, or None when the structure is sound."""
    stack: list[str] = []
    logical_start = 0
    lines = text.splitlines()
    if not lines or lines[0].strip().upper() != "BEGIN:VCALENDAR":
        return 1, "a calendar starts with BEGIN:VCALENDAR"
    for number, line in enumerate(lines, start=1):
        if line[:1] in (" ", "\t"):
            if logical_start == 0:
                return number, "a folded line continues nothing"
            continue  # folded continuation of the previous line
        logical_start = number
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
        return len(lines), f"BEGIN:{stack[-1]} is never closed"
    return None
