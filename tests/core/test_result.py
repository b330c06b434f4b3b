"""The base of every result: its record of options and why it is incomplete."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kurilsim.core.result import ReadOnlyRun, reason_counts


@dataclass(frozen=True)
class _Run(ReadOnlyRun):
    incomplete_reason: Any = None
    options: Mapping[str, Any] = field(default_factory=dict)
    parameters: Mapping[str, float] = field(default_factory=dict)


def test_complete_is_read_from_the_reason():
    assert _Run().complete
    stopped = _Run("max_seconds")
    assert not stopped.complete and stopped.incomplete_reason == "max_seconds"


@pytest.mark.parametrize("flag", [True, False, 0, 1.0])
def test_a_flag_in_place_of_the_reason_is_refused(flag):
    with pytest.raises(TypeError, match="incomplete_reason must be None or a str"):
        _Run(flag)


@given(
    st.lists(st.sampled_from(["max_seconds", "max_equilibria", "limit: size", None])), st.randoms()
)
def test_reasons_are_counted_in_one_order_whatever_order_they_come_in(reasons, random):
    # Most frequent first, as frequent ones by name: the order sweeps give, whose chunks finish
    # in no fixed order.
    shuffled = random.sample(reasons, len(reasons))
    counts = reason_counts(reasons)
    assert list(reason_counts(shuffled).items()) == list(counts.items())
    assert list(counts) == sorted(counts, key=lambda reason: (-counts[reason], reason))
