"""Which re-imported occurrences are earlier ones moved (chalicelib/domain/calendar_moves.py): pure."""
from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.calendar_moves import paired_moves


def _at(day: int, hour: int) -> tuple[datetime, date]:
    when = datetime(2027, 1, day, hour, tzinfo=UTC)
    return when, when.date()


def test_paired_moves_of_a_one_off_event_pairs_its_one_occurrence_whatever_the_day():
    assert paired_moves([_at(7, 16)], [_at(5, 15)], one_off=True) == {_at(7, 16)[0]: _at(5, 15)[0]}


def test_paired_moves_of_a_one_off_event_with_several_earlier_occurrences_pairs_none():
    assert paired_moves([_at(7, 16)], [_at(5, 15), _at(6, 15)], one_off=True) == {}


def test_paired_moves_of_a_series_pairs_only_occurrences_on_the_same_day():
    moved = paired_moves([_at(6, 16), _at(13, 16), _at(27, 16)], [_at(6, 15), _at(13, 15), _at(20, 15)],
                         one_off=False)
    assert moved == {_at(6, 16)[0]: _at(6, 15)[0], _at(13, 16)[0]: _at(13, 15)[0]}


def test_paired_moves_of_a_series_with_nothing_gone_pairs_none():
    assert paired_moves([_at(6, 16)], [], one_off=False) == {}


@given(st.lists(st.tuples(st.integers(1, 28), st.integers(0, 23)), max_size=8),
       st.lists(st.tuples(st.integers(1, 28), st.integers(0, 23)), max_size=8), st.booleans())
def test_paired_moves_when_any_pairs_each_earlier_occurrence_at_most_once(added, gone, one_off):
    new = [_at(d, h) for d, h in dict.fromkeys(added)]
    old = [_at(d, h) for d, h in dict.fromkeys(gone)]
    moved = paired_moves(new, old, one_off=one_off)
    assert set(moved) <= {a for a, _ in new} and set(moved.values()) <= {g for g, _ in old}
    assert len(set(moved.values())) == len(moved)
    if not one_off:
        assert all(a.date() == g.date() for a, g in moved.items())
