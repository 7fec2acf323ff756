"""Pure rules of the room-hour slot items: which slots a booking or move takes, leaves and
must find empty."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.scheduling import overlaps, room_slots, slot_changes

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def _slots(room, start, minutes):
    return {(room, s) for s in room_slots(start, start + timedelta(minutes=minutes))}


def test_slot_changes_for_a_new_booking_take_every_slot_and_need_them_empty():
    wanted = _slots("r1", T0 + timedelta(minutes=30), 50)  # 15:30-16:20: two hours
    changes = slot_changes(set(), wanted, set(), exclusive=True)
    assert [(c.hour, sorted(c.take), sorted(c.release)) for c in changes] == [
        ("20261201T15", ["m30", "m35", "m40", "m45", "m50", "m55"], []),
        ("20261201T16", ["m00", "m05", "m10", "m15"], [])]
    assert all(c.free == c.take for c in changes)
    assert all(not c.free for c in slot_changes(set(), wanted, set(), exclusive=False))


def test_slot_changes_for_a_move_check_only_the_newly_occupied_slots():
    old = _slots("r1", T0, 20)  # 15:00-15:20
    new = _slots("r1", T0 + timedelta(minutes=10), 20)  # 15:10-15:30
    [change] = slot_changes(old, new, old, exclusive=True)
    assert (sorted(change.take), sorted(change.release), sorted(change.free)) == (
        ["m20", "m25"], ["m00", "m05"], ["m20", "m25"])


def test_slot_changes_of_an_appointment_stored_without_slots_take_its_own_times_unchecked():
    own = _slots("r1", T0, 20)
    [change] = slot_changes(set(), own, own, exclusive=True)
    assert sorted(change.take) == ["m00", "m05", "m10", "m15"] and not change.free


def test_slot_changes_on_cancel_release_everything_held():
    held = _slots("r1", T0, 15)
    [change] = slot_changes(held, set(), held, exclusive=False)
    assert sorted(change.release) == ["m00", "m05", "m10"] and not change.take


@given(st.integers(0, 200), st.integers(1, 30), st.integers(0, 200), st.integers(1, 30))
def test_two_exclusive_bookings_contend_for_a_slot_exactly_when_they_overlap(a, a_len, b, b_len):
    a_start, b_start = T0 + timedelta(minutes=5 * a), T0 + timedelta(minutes=5 * b)
    a_end, b_end = a_start + timedelta(minutes=5 * a_len), b_start + timedelta(minutes=5 * b_len)
    first = {(c.hour, s) for c in slot_changes(set(), _slots("r1", a_start, 5 * a_len), set(), True) for s in c.free}
    second = {(c.hour, s) for c in slot_changes(set(), _slots("r1", b_start, 5 * b_len), set(), True) for s in c.free}
    assert bool(first & second) == overlaps(a_start, a_end, b_start, b_end)
