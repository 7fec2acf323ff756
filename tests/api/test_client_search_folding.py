"""GET /v1/clients?q=: a name is found by what people type, without the letters that do not
decompose (ł, ø, æ…) and with whichever apostrophe or hyphen their keyboard gives."""
from __future__ import annotations

from urllib.parse import quote

from tests.api.entitlement_helpers import make_client

# Written by name: they look like ASCII (ruff RUF001), which is the point of folding them.
RSQUO, EN_DASH, HYPHEN = "\N{RIGHT SINGLE QUOTATION MARK}", "\N{EN DASH}", "\N{HYPHEN}"


def _found(api, q: str) -> list[str]:
    reply = api.get("/v1/clients?q=" + quote(q))
    assert reply.status == 200, reply.body
    return [c["last_name"] for c in reply.body["items"]]


def test_search_without_diacritics_finds_letters_that_do_not_decompose(api):
    for first, last in (("Ada", "Żółć"), ("Bo", "Ærø"), ("Cy", "Łukasiewicz"), ("Di", "Zola")):
        make_client(api, first, last)
    assert _found(api, "zolc") == ["Żółć"]
    assert _found(api, "ŻÓŁĆ") == ["Żółć"]
    assert _found(api, "aero") == ["Ærø"]
    assert _found(api, "luk") == ["Łukasiewicz"]
    assert _found(api, "zol") == ["Zola", "Żółć"]  # "zola di" sorts before "zolc ada"


def test_search_with_either_apostrophe_finds_the_name_written_with_the_other(api):
    make_client(api, "Pat", f"O{RSQUO}Neill")
    make_client(api, "Sam", "O'Brien")
    assert _found(api, "o'neill") == [f"O{RSQUO}Neill"]
    assert _found(api, f"o{RSQUO}neill") == [f"O{RSQUO}Neill"]
    assert _found(api, f"o{RSQUO}brien") == ["O'Brien"]
    assert _found(api, "o'") == ["O'Brien", f"O{RSQUO}Neill"]


def test_search_with_an_ascii_hyphen_finds_a_name_written_with_a_dash(api):
    make_client(api, "Lee", f"Nguyễn{EN_DASH}Smith")
    assert _found(api, "nguyen-smith") == [f"Nguyễn{EN_DASH}Smith"]
    assert _found(api, f"nguyen{HYPHEN}s") == [f"Nguyễn{EN_DASH}Smith"]


def test_renaming_to_a_folded_letter_is_found_by_its_plain_spelling(api):
    client = make_client(api, "Ola", "Nordmann")
    current = api.get(f"/v1/clients/{client['id']}")
    assert api.patch(f"/v1/clients/{client['id']}", {"last_name": "Søby"}, if_match=current.etag).status == 200
    assert _found(api, "soby") == ["Søby"] and _found(api, "nord") == []
