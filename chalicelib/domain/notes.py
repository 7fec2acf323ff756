"""Pure rules for chart notes: the HTML allow-list and a practice template's custom fields."""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import nh3

# Formatting a clinician needs, nothing that runs: no script, style, iframe, form or event
# handler attribute survives, and links may only be http(s) or mailto.
ALLOWED_TAGS = {"p", "br", "strong", "b", "em", "i", "u", "s", "ul", "ol", "li", "h1", "h2", "h3", "h4",
                "blockquote", "a", "span", "table", "thead", "tbody", "tr", "th", "td", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(html: str) -> str:
    """Rich text reduced to the safe allow-list (ammonia, through nh3)."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer")


def check_fields(template_fields: list[dict[str, Any]],
                 values: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """A note's custom field values checked against its template: the cleaned values and a
    list of {field, reason} problems (empty when all is well)."""
    errors: list[dict[str, str]] = []
    known = {f["key"]: f for f in template_fields}
    cleaned: dict[str, Any] = {}
    for key in values:
        if key not in known:
            errors.append({"field": f"body.fields.{key}", "reason": "is not a field of the note template"})
    for key, spec in known.items():
        value = values.get(key)
        if value is None or value == "":
            if spec.get("required"):
                errors.append({"field": f"body.fields.{key}", "reason": f"'{spec['label']}' is required"})
            continue
        try:
            cleaned[key] = _field_value(spec, value)
        except ValueError as err:
            errors.append({"field": f"body.fields.{key}", "reason": str(err)})
    return cleaned, errors


def _field_value(spec: dict[str, Any], value: Any) -> Any:
    kind = spec["type"]
    if kind in ("text", "rich_text"):
        if not isinstance(value, str):
            raise ValueError("must be text")
        if len(value) > 20000:
            raise ValueError("is longer than 20000 characters")
        return sanitize_html(value) if kind == "rich_text" else value
    if kind == "number":
        if isinstance(value, bool):
            raise ValueError("must be a number")
        try:
            return str(Decimal(str(value)))
        except InvalidOperation as err:
            raise ValueError("must be a number") from err
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if kind == "date":
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError as err:
            raise ValueError("must be a date (YYYY-MM-DD)") from err
    if kind == "choice":
        if value not in spec.get("options", []):
            raise ValueError(f"must be one of {', '.join(spec.get('options', []))}")
        return value
    raise ValueError(f"unknown field type {kind}")
