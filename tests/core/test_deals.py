"""Deal conditions: one that is not a number at some outcome is refused, not read as true."""

import numpy as np
import pytest

from kurilsim import InputError
from kurilsim.core.deals import deals_where
from tests.helpers import SCENARIOS, run_cli


@pytest.mark.parametrize("deal", ["islands / 0", "0 / 0 + islands", "islands * 1e308 * 10"])
def test_a_condition_without_a_finite_value_is_refused(deal):
    with pytest.raises(InputError, match="not a finite number") as caught:
        deals_where({"islands": np.array([0.0, 2.0])}, 2, deal, "variables")
    assert caught.value.field == "deal"


@pytest.mark.parametrize("scenario", ["era_1956.yaml", "sequence_1956.yaml"])
def test_compare_refuses_a_deal_of_one_over_zero_in_one_line(capsys, scenario):
    code, _, err = run_cli(capsys, "compare", SCENARIOS / scenario, "--deal", "1/0")
    assert code == 2 and err.count("\n") == 1, err
    assert "deal" in err and "not a finite number" in err
