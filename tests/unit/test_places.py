"""Place of Service rule for locations, and ids."""
from __future__ import annotations

import pytest

from chalicelib.domain.ids import new_id
from chalicelib.domain.places import location_pos


def test_location_pos_defaults():
    assert location_pos(telehealth=False, requested=None, telehealth_default="02") == "11"
    assert location_pos(telehealth=True, requested=None, telehealth_default="02") == "02"


@pytest.mark.parametrize("telehealth, requested", [(True, "11"), (True, "12"), (False, "02"), (False, "10")])
def test_location_pos_contradicting_telehealth_is_refused(telehealth, requested):
    with pytest.raises(ValueError):
        location_pos(telehealth=telehealth, requested=requested, telehealth_default="10")


def test_location_pos_keeps_a_consistent_choice():
    assert location_pos(telehealth=True, requested="02", telehealth_default="10") == "02"
    assert location_pos(telehealth=False, requested="53", telehealth_default="10") == "53"


def test_new_ids_are_unique_and_time_ordered():
    ids = [new_id("loc") for _ in range(2000)]
    assert len(set(ids)) == 2000
    assert all(i.startswith("loc_") and len(i) == 30 for i in ids)
    assert ids[0][:14] <= ids[-1][:14]  # the millisecond prefix never goes backwards
