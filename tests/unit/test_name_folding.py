"""The search form of a client's name (store/clients.py fold_name / name_key): what people type
without diacritics or with another apostrophe or hyphen finds the name as it was written."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.store.clients import fold_name, name_key

# Written by name: they look like ASCII (ruff RUF001), which is the point of folding them.
APOSTROPHES = ("\N{RIGHT SINGLE QUOTATION MARK}", "\N{LEFT SINGLE QUOTATION MARK}", "\N{MODIFIER LETTER APOSTROPHE}",
               "\N{ACUTE ACCENT}", "\N{GRAVE ACCENT}", "\N{PRIME}", "\N{MODIFIER LETTER TURNED COMMA}")
HYPHENS = ("\N{HYPHEN}", "\N{NON-BREAKING HYPHEN}", "\N{FIGURE DASH}", "\N{EN DASH}", "\N{EM DASH}",
           "\N{HORIZONTAL BAR}")
DOTLESS_I, RSQUO, EN_DASH = "\N{LATIN SMALL LETTER DOTLESS I}", APOSTROPHES[0], HYPHENS[3]

# Letters with their marks, other scripts, the letters that do not decompose, apostrophes,
# hyphens and spaces of every kind: the characters a name is written with.
name_text = st.text(st.one_of(
    st.characters(categories=["L", "M", "Nd", "Zs", "Pd", "Pi", "Pf", "Po", "Sk"]),
    st.sampled_from([*"łŁøØđĐħĦŧŦßẞæÆœŒþÞðÐ ", DOTLESS_I, *APOSTROPHES, *HYPHENS])), max_size=30)
# Marks that attach to a letter (canonical combining class above 0): accents, cedillas, ogoneks.
# Not the Greek iota subscript (U+0345): case folding makes it the letter iota, as Unicode's
# caseless matching has it (the capital of alpha with it is alpha iota).
accents = st.characters(categories=["Mn"], exclude_characters="\N{COMBINING GREEK YPOGEGRAMMENI}").filter(
    lambda c: unicodedata.combining(c) > 0)


@pytest.mark.parametrize(("written", "typed"), [
    ("Żółć", "zolc"), ("Łukasz", "lukasz"), ("Ærø", "aero"), ("Øster", "oster"), ("Đorđević", "dordevic"),
    ("Ħamrun", "hamrun"), (f"K{DOTLESS_I}l{DOTLESS_I}ç", "kilic"), ("Ŧ", "t"), ("Straße", "strasse"),
    ("Œuvre", "oeuvre"), ("Þórður", "thordur"), ("Ðana", "dana"), ("ẞ", "ss"),
])
def test_fold_name_letters_without_decomposition_become_their_ascii_spelling(written, typed):
    assert fold_name(written) == fold_name(typed) == typed


@pytest.mark.parametrize("written", [f"O{a}Neill" for a in APOSTROPHES] + ["o'neill"])
def test_fold_name_any_apostrophe_becomes_the_ascii_one(written):
    assert fold_name(written) == "o'neill"


@pytest.mark.parametrize("written", [f"Smith{h}Jones" for h in HYPHENS] + ["Smith-Jones"])
def test_fold_name_any_hyphen_becomes_the_ascii_one(written):
    assert fold_name(written) == "smith-jones"


def test_name_key_when_folded_is_last_then_first_with_single_spaces():
    assert name_key(f"  O{RSQUO}Neill{EN_DASH}Ærø ", "ŁUKASZ  Ñ") == "o'neill-aero lukasz n"


@settings(max_examples=300)
@given(text=name_text)
def test_fold_name_when_applied_twice_changes_nothing(text):
    assert fold_name(fold_name(text)) == fold_name(text)


@settings(max_examples=300)
@given(text=name_text)
def test_fold_name_ignores_case(text):
    assert fold_name(text.upper()) == fold_name(text.lower()) == fold_name(text)


@settings(max_examples=300)
@given(letters=st.lists(st.tuples(st.sampled_from("abcdefghijklmnopqrstuvwxyzABCZ '-"), st.lists(accents, max_size=2)),
                        max_size=20))
def test_fold_name_ignores_accents_however_composed(letters):
    plain = "".join(letter for letter, _ in letters)
    accented = "".join(letter + "".join(marks) for letter, marks in letters)
    for form in ("NFC", "NFD", "NFKC"):
        assert fold_name(unicodedata.normalize(form, accented)) == fold_name(plain)


@settings(max_examples=300)
@given(first=name_text, last=name_text, data=st.data())
def test_name_key_any_prefix_of_its_folded_form_finds_the_name(first, last, data):
    key = name_key(last, first)
    typed = key[:data.draw(st.integers(0, len(key)), label="length")]
    # The name index is read with begins_with(GSI1SK, name_key(q, "")).
    assert key.startswith(name_key(typed, ""))
