"""The vectorised pure-Nash sweep against a straightforward reference, to the bit.

The sweep evaluates each value only along the axes it depends on, with the games last, and
tests best replies without normalising whole tensors. The reference here does what the sweep
once did: every expression on arrays over all games and profiles, rules written through boolean
masks, each player's payoffs normalised (:func:`normalised_payoffs`) before the best-reply test,
and then one game at a time in a Python loop for the rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import Phase, given, reject, settings
from hypothesis import strategies as st

import kurilsim
from kurilsim.core.errors import InputError
from kurilsim.core.rules import RuledValue
from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.normal.labels import NO_PURE, outcome_labels, regime
from kurilsim.forms.normal.regret import normalised_payoffs
from kurilsim.forms.normal.sweep import _distinct_in_runs
from tests.helpers import NOT_FINITE
from tests.strategies import sweep_scenarios


def reference_payoffs(scenario, values: dict[str, np.ndarray]) -> np.ndarray:
    """Payoffs of shape ``(G, n_1, ..., n_N, N)``, every value evaluated over all profiles."""
    compiled = scenario.compiled
    shape = tuple(len(s) for s in compiled.strategies)
    games = len(next(iter(values.values())))
    full = (games, *shape)
    env = {name: v.reshape(-1, *(1,) * len(shape)) for name, v in values.items()}

    def evaluate(ruled: RuledValue) -> np.ndarray:
        out = np.array(np.broadcast_to(ruled.default.evaluate(env), full), dtype=np.float64)
        for rule in reversed(ruled.rules):
            out[:, rule.mask] = np.broadcast_to(rule.value.evaluate(env), full)[:, rule.mask]
        return out

    for outcome in compiled.outcomes:
        env[outcome.name] = evaluate(outcome)
    return np.stack([evaluate(p) for p in compiled.payoffs], axis=-1)


def reference_mask(payoffs: np.ndarray, tol: float) -> np.ndarray:
    norm = normalised_payoffs(payoffs)
    mask = np.ones(payoffs.shape[:-1], dtype=bool)
    for i in range(payoffs.shape[-1]):
        own = norm[..., i]
        mask &= own >= own.max(axis=1 + i, keepdims=True) - tol
    return mask


def reference_rows(scenario, payoffs: np.ndarray, tol: float) -> list[dict]:
    labels = outcome_labels(scenario)
    shape, players = labels.shape, labels.players
    mask = reference_mask(payoffs, tol)
    rows = []
    for g in range(payoffs.shape[0]):
        cells = [tuple(c) for c in np.argwhere(mask[g])]
        names = [labels.pure(int(np.ravel_multi_index(c, shape))) for c in cells]
        for k, cell in enumerate(cells, start=1):
            own = payoffs[(g, *cell)]
            regret = 0.0
            for i in range(len(players)):
                others = list(cell)
                others[i] = slice(None)
                regret = max(regret, payoffs[(g, *others, i)].max() - own[i])
            probs = [np.eye(n)[c] for n, c in zip(shape, cell, strict=True)]
            rows.append(
                {
                    "point": g,
                    "equilibrium": k,
                    "kind": "pure",
                    "numbers": [*np.concatenate(probs), *own],
                    "max_regret": regret,
                    "label": names[k - 1],
                    "regime": regime(names),
                }
            )
        if not cells:
            width = sum(shape) + len(players)
            rows.append(
                {
                    "point": g,
                    "equilibrium": 0,
                    "kind": "none",
                    "numbers": [np.nan] * width,
                    "max_regret": np.nan,
                    "label": NO_PURE,
                    "regime": regime([]),
                }
            )
    return rows


@settings(max_examples=60, deadline=None, phases=[Phase.explicit, Phase.generate])
@given(
    sweep_scenarios(),
    st.integers(2, 6),
    st.integers(2, 5),
    st.integers(1, 9),
    st.sampled_from([1, 2]),
    st.sampled_from([DEFAULT_TOL, 1e-3]),
)
def test_pure_sweep_equals_the_reference_to_the_bit(drawn, n_a, n_b, chunk, workers, tol):
    text, _ = drawn
    try:
        scenario = kurilsim.parse_scenario(text)
    except InputError:  # a payoff that is not finite at the defaults: not a scenario
        reject()
    grid = {"a": (-2.0, 1.5, n_a), "b": (-1.0, 2.0, n_b)}
    a = np.repeat(np.linspace(-2.0, 1.5, n_a), n_b)
    b = np.tile(np.linspace(-1.0, 2.0, n_b), n_a)
    payoffs = reference_payoffs(scenario, {"a": a, "b": b})
    if not np.isfinite(payoffs).all():
        with pytest.raises(InputError, match="not a finite number"):
            kurilsim.sweep(scenario, grid, chunk_size=chunk, workers=workers, tol=tol)
        return
    table = kurilsim.sweep(scenario, grid, chunk_size=chunk, workers=workers, tol=tol).to_frame()
    assert_reference_rows(table, scenario, a, b, payoffs, tol)


#: Three players with five strategies each: 125 profiles, more than the 64 bits that hold the
#: set of equilibria of a game when regimes are told apart.
MANY_PROFILES = """
kurilsim: 1
title: many profiles
parameters:
  a: {default: 0.5, range: [-2, 2], unit: u, description: d, assumption: e}
  b: {default: 1.0, range: [-2, 2], unit: u, description: d, assumption: e}
players: {P0: [s0, s1, s2, s3, s4], P1: [t0, t1, t2, t3, t4], P2: [u0, u1, u2, u3, u4]}
outcomes:
  o:
    description: d
    default: a
    rules: [{when: {P0: s1}, value: b}, {when: {P1: [t2, t3], P2: u4}, value: 1}]
payoffs: {P0: o * b, P1: o - a * b, P2: 'min(o, b)'}
"""


def test_regimes_of_games_with_more_than_64_profiles_equal_the_reference():
    scenario = kurilsim.parse_scenario(MANY_PROFILES)
    a = np.repeat(np.linspace(-2.0, 1.5, 6), 5)
    b = np.tile(np.linspace(-1.0, 2.0, 5), 6)
    grid = {"a": (-2.0, 1.5, 6), "b": (-1.0, 2.0, 5)}
    table = kurilsim.sweep(scenario, grid, chunk_size=7).to_frame()
    assert table["regime"].nunique() > 1
    payoffs = reference_payoffs(scenario, {"a": a, "b": b})
    assert_reference_rows(table, scenario, a, b, payoffs, DEFAULT_TOL)


def assert_reference_rows(table, scenario, a, b, payoffs, tol):
    np.testing.assert_array_equal(table["param.a"], a[table["point"]])
    np.testing.assert_array_equal(table["param.b"], b[table["point"]])
    expected = pd.DataFrame(reference_rows(scenario, payoffs, tol))
    for name in ("point", "equilibrium", "kind", "max_regret", "label", "regime"):
        np.testing.assert_array_equal(table[name].to_numpy(), expected[name].to_numpy(), name)
    numbers = table.filter(regex=r"^(prob|payoff)\.").to_numpy()
    np.testing.assert_array_equal(numbers, np.array(expected["numbers"].tolist()))
    assert table["complete"].all()


@pytest.mark.parametrize(("b", "chunk"), [(1.0, 2), (0.0, 3), (1.0, 16)])
def test_a_payoff_that_is_not_finite_is_named_as_the_payoff_tensor_names_it(b, chunk):
    # The sweep checks payoffs in the pass that finds best replies; the message is the one of
    # the payoff tensor's own check: the first payoff not finite, in a later chunk too.
    scenario = kurilsim.parse_scenario(NOT_FINITE)
    a = np.linspace(-1.0, 1.0, 5)
    with pytest.raises(InputError) as expected:
        scenario.payoffs({"a": a, "b": np.full(5, b)})
    with pytest.raises(InputError) as raised:
        kurilsim.sweep(scenario, {"a": (-1.0, 1.0, 5)}, fixed={"b": b}, chunk_size=chunk)
    assert str(raised.value) == str(expected.value)
    assert "not a finite number" in str(raised.value)


@given(st.lists(st.tuples(st.integers(0, 2**64 - 1) | st.integers(0, 4), st.integers(1, 5))))
def test_distinct_regimes_found_from_runs_are_numpys(runs):
    # Each key repeated as a run, as neighbouring grid points share their regime.
    keys = np.array([key for key, length in runs for _ in range(length)], dtype=np.uint64)
    distinct, inverse = _distinct_in_runs(keys)
    expected, expected_inverse = np.unique(keys, return_inverse=True)
    assert distinct.tolist() == expected.tolist()
    assert inverse.tolist() == expected_inverse.reshape(-1).tolist()
    assert inverse.dtype == expected_inverse.dtype
