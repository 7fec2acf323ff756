"""Attendance transitions decided without I/O (chalicelib/domain/scheduling.py): what an
appointment's status change and a group member's change of mark write, in which order."""
from __future__ import annotations

import pytest

from chalicelib.domain.scheduling import CHARGED_STATES, StatusSteps, mark_steps, status_refusal, status_steps

STATUSES = ("booked", "cancelled", *CHARGED_STATES)
MARKS = ("unmarked", *CHARGED_STATES)


def test_status_refusal_same_status_is_already_that():
    assert status_refusal("attended", "attended") == "The appointment is already attended"


def test_status_refusal_cancelled_stays_cancelled():
    assert status_refusal("cancelled", "booked") == "A cancelled appointment stays cancelled; book a new one"


def test_status_steps_attending_a_booked_appointment_only_charges():
    assert status_steps("booked", "attended") == StatusSteps(None, charge=True, write=False)


def test_status_steps_between_attendance_states_gives_back_through_booked_then_charges():
    steps = status_steps("attended", "no_show")
    assert steps.give_back_as == "booked" and steps.charge and not steps.write


def test_status_steps_cancelling_an_attended_appointment_gives_back_as_cancelled():
    steps = status_steps("attended", "cancelled")
    assert steps.give_back_as == "cancelled" and not steps.charge and not steps.write


def test_status_steps_cancelling_a_booked_appointment_only_writes():
    assert status_steps("booked", "cancelled") == StatusSteps(None, charge=False, write=True)


@pytest.mark.parametrize("current", STATUSES)
@pytest.mark.parametrize("new", STATUSES)
def test_status_steps_every_allowed_change_ends_in_exactly_one_final_write(current, new):
    if status_refusal(current, new):
        return
    steps = status_steps(current, new)
    final_by_give_back = steps.give_back_as == new
    assert [steps.charge, steps.write, final_by_give_back].count(True) == 1
    assert (steps.give_back_as is not None) == (current in CHARGED_STATES)  # a charge is always given back first
    assert steps.charge == (new in CHARGED_STATES)


def test_mark_steps_first_mark_attended_records_and_charges():
    steps = mark_steps(None, "attended", "default")
    assert not steps.give_back and steps.records_session and steps.charge


def test_mark_steps_no_fee_attendance_records_but_charges_nothing():
    steps = mark_steps("unmarked", "attended", "none")
    assert steps.records_session and not steps.charge


def test_mark_steps_unmarking_an_attended_member_gives_back_drops_the_session_and_stops():
    steps = mark_steps("attended", "unmarked", "default")
    assert steps.give_back and steps.drop_session and steps.done_after_give_back


def test_mark_steps_no_show_to_attended_gives_back_without_a_session_to_drop_then_charges():
    steps = mark_steps("no_show", "attended", "default")
    assert steps.give_back and not steps.drop_session and not steps.done_after_give_back
    assert steps.records_session and steps.charge


@pytest.mark.parametrize("current", (None, *MARKS))
@pytest.mark.parametrize("wanted", MARKS)
@pytest.mark.parametrize("fee", ("default", "code", "custom", "none"))
def test_mark_steps_a_member_is_charged_at_most_once_whatever_the_change(current, wanted, fee):
    steps = mark_steps(current, wanted, fee)
    held = current in CHARGED_STATES
    # Whatever the old mark took is given back before anything is charged anew.
    assert steps.give_back == held
    assert not (steps.charge and steps.done_after_give_back)
    assert steps.charge == (wanted in CHARGED_STATES and fee != "none")
    assert steps.drop_session == (current == "attended")
