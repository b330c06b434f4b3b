"""Global sensitivity analysis: Sobol and Morris indices of toy scenarios with known answers.

For ``Y = f(a)`` alone, ``S1 = ST = 1`` for ``a`` and 0 for the rest. For the pure interaction
``Y = (a - 1/2)(b - 1/2)`` with ``a, b`` uniform on [0, 1], ``E[Y | a] = E[Y | b] = 0``, so
``S1 = 0`` for both while ``ST = S2 = 1`` (Saltelli et al. 2008, *Global Sensitivity Analysis:
The Primer*, ch. 4). The indicator of ``(a > 1/2) xor (b > 1/2)`` is the same in a regime. Morris
elementary effects of a linear payoff are its slopes times the ranges.
"""

from __future__ import annotations

import numpy as np
import pytest

import kurilsim
from kurilsim import InputError, parse_scenario
from kurilsim.analysis.sensitivity import Sensitivity, sensitivity
from tests.helpers import chain_of_stops


def one_player(payoff: str, ranges: dict[str, tuple[float, float]], strategies: int = 1) -> str:
    """A scenario where A's first strategy pays ``payoff`` and any other 0; B has one move."""
    parameters = ", ".join(
        f"{n}: {{default: {lo}, range: [{lo}, {hi}], unit: u, description: {n}, assumption: toy}}"
        for n, (lo, hi) in ranges.items()
    )
    names = ["x", "y", "z"][:strategies]
    table = ", ".join(
        f"{{profile: [{s}, w], payoffs: [{payoff if k == 0 else 0}, 0]}}"
        for k, s in enumerate(names)
    )
    return (
        f"{{kurilsim: 1, title: toy, players: {{A: [{', '.join(names)}], B: [w]}}, "
        f"parameters: {{{parameters}}}, payoff_table: [{table}]}}"
    )


UNIT = {"a": (0.0, 1.0), "b": (0.0, 1.0), "c": (0.0, 1.0)}


def test_an_output_of_one_parameter_has_all_its_variance_there():
    toy = parse_scenario(one_player("3 * a ** 2 + 1", UNIT))
    result = sensitivity(toy, "payoff:A", samples=256, seed=3)
    s1, st = result.indices["S1"], result.indices["ST"]
    assert s1["a"] == pytest.approx(1, abs=0.05) and st["a"] == pytest.approx(1, abs=0.05)
    for other in ("b", "c"):
        assert abs(s1[other]) < 0.02 and abs(st[other]) < 0.02
    assert result.evaluations == 256 * (2 * 3 + 2)
    # The interval holds the known answer.
    assert abs(s1["a"] - 1) <= result.indices.loc["a", "S1_conf"] + 0.02


def test_a_pure_interaction_has_no_first_order_effect():
    toy = parse_scenario(one_player("(a - 0.5) * (b - 0.5)", UNIT))
    result = sensitivity(toy, "payoff:A", samples=256, seed=4)
    for name in ("a", "b"):
        assert abs(result.indices.loc[name, "S1"]) < 0.1
        assert result.indices.loc[name, "ST"] == pytest.approx(1, abs=0.15)
    assert result.second_order is not None and result.second_order_conf is not None
    assert result.second_order.loc["a", "b"] == pytest.approx(1, abs=0.2)
    assert result.second_order.loc["b", "a"] == result.second_order.loc["a", "b"]
    assert abs(result.second_order.loc["a", "c"]) < 0.1
    assert result.indices.loc["c", "ST"] == pytest.approx(0, abs=0.02)
    assert result.interactions(1)[0][:2] == ("a", "b")


def test_a_regime_that_needs_two_parameters_together_is_an_interaction():
    # A plays x exactly where (a > 1/2) xor (b > 1/2) fails: the regime "A: x" is the XOR's
    # complement, an indicator with no first-order effects.
    toy = parse_scenario(one_player("(a - 0.5) * (b - 0.5)", UNIT, strategies=2))
    result = sensitivity(toy, "regime:A: x", samples=256, seed=5)
    assert result.mean == pytest.approx(0.5, abs=0.05)
    for name in ("a", "b"):
        assert abs(result.indices.loc[name, "S1"]) < 0.1
        assert result.indices.loc[name, "ST"] == pytest.approx(1, abs=0.15)
    assert result.second_order is not None
    assert result.second_order.loc["a", "b"] == pytest.approx(1, abs=0.25)


def test_morris_ranks_the_slopes_of_a_linear_payoff():
    toy = parse_scenario(one_player("4 * a + 2 * b", {"a": (0, 1), "b": (0, 1), "c": (0, 5)}))
    result = sensitivity(toy, "payoff:A", method="morris", samples=16, seed=6)
    assert list(result.ranked().index) == ["a", "b", "c"]
    # Elementary effects are exact for a linear function: slope times range, no spread.
    np.testing.assert_allclose(result.indices["mu_star"], [4, 2, 0], atol=1e-9)
    np.testing.assert_allclose(result.indices["sigma"], [0, 0, 0], atol=1e-9)
    assert result.evaluations == 16 * 4
    assert result.second_order is None


def test_a_constant_output_has_zero_indices():
    toy = parse_scenario(one_player("a", UNIT, strategies=2))
    result = sensitivity(toy, "regime:A: x", samples=64)  # x is a best reply everywhere
    assert result.constant and result.variance == 0
    assert (result.indices == 0).all().all()
    assert "no parameter moves it" in result.to_text()


def test_fixed_and_chosen_parameters():
    toy = parse_scenario(one_player("a + b", UNIT))
    result = sensitivity(toy, "payoff:A", samples=64, parameters=["a"], fixed={"b": 0.5})
    assert list(result.indices.index) == ["a"] and result.second_order is None
    assert result.evaluations == 64 * (1 + 2)  # one parameter: N (D + 2), no second order
    assert result.fixed == {"b": 0.5}
    assert result.indices.loc["a", "ST"] == pytest.approx(1, abs=0.05)
    assert result.mean == pytest.approx(1.0, abs=0.05)  # a's mean 0.5 plus b fixed at 0.5


@pytest.mark.parametrize("seed", [0, 9])
def test_the_same_seed_gives_the_same_indices_and_intervals(seed):
    toy = parse_scenario(one_player("a * b + c", UNIT))
    first, second = (sensitivity(toy, "payoff:A", samples=64, seed=seed) for _ in range(2))
    assert first.to_dict() == second.to_dict()


def test_to_dict_keys_each_parameter_by_name_with_salib_names():
    toy = parse_scenario(one_player("a * b + c", UNIT))
    record = sensitivity(toy, "payoff:A", samples=64).to_dict()
    assert set(record["parameters"]) == {"a", "b", "c"}
    entry = record["parameters"]["a"]
    assert set(entry) == {"range", "S1", "S1_conf", "ST", "ST_conf", "S2", "S2_conf"}
    assert set(entry["S2"]) == {"b", "c"} and set(entry["S2_conf"]) == {"b", "c"}
    morris = sensitivity(toy, "payoff:A", method="morris", samples=8).to_dict()
    assert set(morris["parameters"]["a"]) == {"range", "mu", "mu_star", "mu_star_conf", "sigma"}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        pytest.param(
            lambda toy: sensitivity(toy, "payoff:A", parameters=["d"]),
            "unknown parameter 'd'",
            id="unknown-parameter",
        ),
        pytest.param(
            lambda toy: sensitivity(toy, "payoff:A", samples=100),
            "samples must be a power of 2 for Sobol' sampling, got 100; e.g. 128",
            id="not-a-power-of-two",
        ),
        pytest.param(
            lambda toy: sensitivity(toy, "payoff:A", fixed={"a": 0, "b": 0, "c": 0}),
            "no parameter to vary",
            id="nothing-varies",
        ),
        pytest.param(
            lambda toy: sensitivity(toy, "payoff:A", parameters=["a"], fixed={"a": 0.5}),
            "both varied and fixed",
            id="varied-and-fixed",
        ),
        pytest.param(
            lambda toy: sensitivity(toy, "payoff:A", method="fast"),  # type: ignore[arg-type]
            "method must be one of sobol, morris",
            id="unknown-method",
        ),
        pytest.param(
            lambda toy: sensitivity(toy, "payoff:A", fixed={"a": 2.0}),
            "outside its declared range",
            id="fixed-out-of-range",
        ),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message(call, message):
    with pytest.raises(InputError, match=message):
        call(parse_scenario(one_player("a", UNIT)))


def test_sochi_deal_has_interactions_and_tipping_misses_them(scenarios):
    sochi = kurilsim.load_scenario(scenarios / "sochi_2016.yaml")
    result = sensitivity(sochi, "deal-any:treaty > 0", samples=64, seed=0)
    assert isinstance(result, Sensitivity) and result.complete
    assert 0 < result.mean < 1
    # Totals exceed first-order effects: most of trust's influence is through interactions.
    assert result.indices.loc["trust", "ST"] > result.indices.loc["trust", "S1"] + 0.2
    assert result.indices["S1"].sum() < 0.9
    assert len(result.indices) == len(sochi.parameters)


def test_game_trees_are_ranked_through_their_regimes(scenarios):
    tree = kurilsim.load_scenario(scenarios / "sequence_1956.yaml")
    result = sensitivity(tree, "regime:Japan: accept_two|accept_two", method="morris", samples=8)
    assert result.evaluations == 8 * (len(tree.parameters) + 1)
    assert set(result.indices.index) == set(tree.parameters)


def test_an_output_that_changes_at_a_handful_of_points_is_flagged():
    # A plays x only where a and b are both above 0.95: with this seed, only at 2 of the 512
    # points, both mixing a base sample's a with another's b, so SALib's base samples are
    # constant (as era_1983.yaml's deal, at 1 point of 6,144).
    toy = parse_scenario(one_player("(a > 0.95) * (b > 0.95) - 0.5", UNIT, strategies=2))
    result = sensitivity(toy, "regime:A: x", samples=64, seed=0)
    assert result.mean == 2 / 512
    assert "too few for the estimator" in result.note
    assert result.note in result.to_text() and "sum of S1" not in result.to_text()
    assert result.to_dict()["note"] == result.note


@pytest.mark.parametrize("output", ["payoff:A", "deal-share:stopped > 0"])
def test_the_listing_bounds_of_a_tied_tree_are_options_as_in_a_sweep(output):
    """``max_equilibria`` and ``max_seconds`` bound the listing at each tied point, as a tree
    sweep's options do, and name themselves as the reason where they cut it."""
    chain = chain_of_stops(6)  # 32 equilibria wherever the bonus is positive
    whole = sensitivity(chain, output, samples=8, seed=0)
    assert whole.complete
    cut = sensitivity(chain, output, samples=8, seed=0, options={"max_equilibria": 4})
    tied = cut.incomplete_reasons["max_equilibria"]
    assert set(cut.incomplete_reasons) == {"max_equilibria"} and 0 < tied < cut.evaluations
    assert "WARNING: incomplete at" in cut.to_text()
    timed = sensitivity(chain, output, samples=8, seed=0, options={"max_seconds": 0})
    assert timed.incomplete_reasons == {"max_seconds": tied}


def test_an_option_that_bounds_nothing_the_output_solves_is_refused(scenarios):
    sochi = kurilsim.load_scenario(scenarios / "sochi_2016.yaml")
    with pytest.raises(InputError, match="method 'pure' has no option max_equilibria"):
        sensitivity(sochi, "deal-share", samples=4, options={"max_equilibria": 5})
    with pytest.raises(InputError, match="max_equilibria: expected a whole number >= 1"):
        sensitivity(sochi, "deal-share", samples=4, options={"max_equilibria": 0})
    with pytest.raises(InputError, match=r"qre-deal:2.*max_seconds"):
        sensitivity(sochi, "qre-deal:2", samples=4, options={"max_seconds": 1.0})
