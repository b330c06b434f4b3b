"""The base of every result: its record of options and why it is incomplete."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from kurilsim.core.result import ReadOnlyRun


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
