"""Properties of strategy profiles: the profiles a condition or a partial profile marks."""

import numpy as np

import kurilsim
from kurilsim.forms.normal import properties
from tests.helpers import SCENARIOS


class _Counted:
    """An expression that counts its evaluations."""

    def __init__(self, expression):
        self.expression, self.calls = expression, 0
        self.names, self.source = expression.names, expression.source

    def evaluate(self, env):
        self.calls += 1
        return self.expression.evaluate(env)


def test_a_condition_is_evaluated_once_over_a_batch(monkeypatch):
    # A monotone check evaluates it over every point of its grid and base points at once.
    scenario = kurilsim.load_scenario(SCENARIOS / "sochi_2016.yaml")
    values = scenario.parameter_values({"trust": np.linspace(0, 1, 5)})
    parsed = []
    original = properties.parse_expression
    monkeypatch.setattr(
        properties,
        "parse_expression",
        lambda text: parsed.append(_Counted(original(text))) or parsed[-1],
    )
    condition = "islands > 0 or trust > 0.5"  # over the batch too
    mask = properties.property_mask(scenario, values, condition=condition)
    assert [expression.calls for expression in parsed] == [1]
    for k, trust in enumerate(np.linspace(0, 1, 5)):
        at_one = scenario.parameter_values({"trust": trust})
        np.testing.assert_array_equal(
            mask[k], properties.property_mask(scenario, at_one, condition)
        )
