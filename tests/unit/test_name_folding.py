"""The search form of a client's name (store/clients.py fold_name / name_key): what people type
without diacritics or with another apostrophe or hyphen finds the name as it was written."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.store.clients import fold_name, name_key

# Letters with their marks, other scripts, the letters that do not decompose, apostrophes,
# hyphens and spaces of every kind: the characters a name is written with.
name_text = st.text(st.one_of(
    st.characters(categories=["L", "M", "Nd", "Zs", "Pd", "Pi", "Pf", "Po", "Sk"]),
    st.sampled_from("łŁøØđĐħĦıŧŦßẞæÆœŒþÞðÐ’‘ʼ´`′ʻ‐‑‒–—― ")), max_size=30)
# Marks that attach to a letter (canonical combining class above 0): accents, cedillas, ogoneks.
accents = st.characters(categories=["Mn"]).filter(lambda c: unicodedata.combining(c) > 0)


@pytest.mark.parametrize(("written", "typed"), [
    ("Żółć", "zolc"), ("Łukasz", "lukasz"), ("Ærø", "aero"), ("Øster", "oster"), ("Đorđević", "dordevic"),
    ("Ħamrun", "hamrun"), ("Kılıç", "kilic"), ("Ŧ", "t"), ("Straße", "strasse"), ("Œuvre", "oeuvre"),
    ("Þórður", "thordur"), ("Ðana", "dana"), ("ẞ", "ss"),
])
def test_fold_name_letters_without_decomposition_become_their_ascii_spelling(written, typed):
    assert fold_name(written) == fold_name(typed) == typed


@pytest.mark.parametrize("written", ["O’Neill", "O‘Neill", "Oʼneill", "O´Neill", "O`Neill", "O′Neill", "o'neill"])
def test_fold_name_any_apostrophe_becomes_the_ascii_one(written):
    assert fold_name(written) == "o'neill"


@pytest.mark.parametrize("written", ["Smith‐Jones", "Smith‑Jones", "Smith–Jones", "Smith—Jones", "Smith-Jones"])
def test_fold_name_any_hyphen_becomes_the_ascii_one(written):
    assert fold_name(written) == "smith-jones"


def test_name_key_when_folded_is_last_then_first_with_single_spaces():
    assert name_key("  O’Neill–Ærø ", "ŁUKASZ  Ñ") == "o'neill-aero lukasz n"


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
