"""Tests of kurilsim.forms.normal.lemke_howson: known paths, the pivot bound, and agreement with
vertex enumeration."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kurilsim.core.errors import InputError, IterationLimitError
from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms import catalogue
from kurilsim.forms.normal.lemke_howson import lemke_howson, lemke_howson_all_labels
from kurilsim.forms.normal.regret import FloatArray, max_regret, payoff_scale
from kurilsim.forms.normal.vertex_enumeration import vertex_enumeration
from tests import literature
from tests.helpers import close
from tests.strategies import float_bimatrices, integer_bimatrices

Profile = tuple[FloatArray, FloatArray]

PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, derandomize=True)


any_games = st.one_of(integer_bimatrices(), integer_bimatrices(-5, 5), float_bimatrices())
BATTLE_OF_THE_SEXES = catalogue.battle_of_the_sexes().payoffs
MATCHING_PENNIES = catalogue.matching_pennies().payoffs
ROCK_PAPER_SCISSORS = catalogue.rock_paper_scissors().payoffs

# (game, dropped label, equilibrium at the end of the path)
KNOWN_PATHS = literature.lemke_howson_paths()


@pytest.mark.parametrize(("payoffs", "label", "expected"), KNOWN_PATHS)
def test_known_paths(
    payoffs: FloatArray, label: int, expected: tuple[list[float], list[float]]
) -> None:
    x, y = lemke_howson(payoffs, initial_dropped_label=label)
    assert close((x, y), (np.array(expected[0]), np.array(expected[1])), atol=1e-12)


@pytest.mark.parametrize("scale", [1e9, 1e-9], ids=["times-1e9", "times-1e-9"])
@pytest.mark.parametrize(("payoffs", "label", "expected"), KNOWN_PATHS)
def test_known_paths_at_extreme_scales(
    payoffs: FloatArray, label: int, expected: tuple[list[float], list[float]], scale: float
) -> None:
    x, y = lemke_howson(payoffs * scale, initial_dropped_label=label)
    assert close((x, y), (np.array(expected[0]), np.array(expected[1])), atol=1e-9)


def test_all_labels_of_battle_of_the_sexes_miss_the_mixed_equilibrium() -> None:
    found = lemke_howson_all_labels(BATTLE_OF_THE_SEXES)
    assert [(x.tolist(), y.tolist()) for x, y in found] == [
        ([0.0, 1.0], [0.0, 1.0]),
        ([1.0, 0.0], [1.0, 0.0]),
    ]


def test_pivot_bound_is_reported() -> None:
    # Matching pennies needs exactly four pivots from label 0.
    with pytest.raises(IterationLimitError) as raised:
        lemke_howson(MATCHING_PENNIES, max_iter=1)
    assert raised.value.method == "lemke-howson"
    assert raised.value.limit == "max_iter=1"
    with pytest.raises(IterationLimitError, match=r"max_iter=3"):
        lemke_howson(MATCHING_PENNIES, max_iter=3)
    assert close(lemke_howson(MATCHING_PENNIES, max_iter=4), (np.full(2, 0.5), np.full(2, 0.5)))


def test_pivot_bound_applies_to_every_run_of_all_labels() -> None:
    with pytest.raises(IterationLimitError):
        lemke_howson_all_labels(ROCK_PAPER_SCISSORS, max_iter=2)


@pytest.mark.parametrize(
    "label",
    [-1, 4, 2.0, True, "0"],
    ids=["negative", "too-large", "float", "bool", "string"],
)
def test_bad_label_raises(label: object) -> None:
    with pytest.raises(InputError, match="initial_dropped_label"):
        lemke_howson(BATTLE_OF_THE_SEXES, initial_dropped_label=label)  # type: ignore[arg-type]


def test_numpy_integer_label_is_accepted() -> None:
    x, _ = lemke_howson(BATTLE_OF_THE_SEXES, initial_dropped_label=np.int64(1))  # type: ignore[arg-type]
    assert x.tolist() == [0.0, 1.0]


@pytest.mark.parametrize("max_iter", [0, -5, 2.5], ids=["zero", "negative", "float"])
def test_bad_max_iter_raises(max_iter: int) -> None:
    with pytest.raises(InputError, match="max_iter"):
        lemke_howson(BATTLE_OF_THE_SEXES, max_iter=max_iter)
    with pytest.raises(InputError, match="max_iter"):
        lemke_howson_all_labels(BATTLE_OF_THE_SEXES, max_iter=max_iter)


@pytest.mark.parametrize(
    "payoffs",
    [
        pytest.param(np.zeros((2, 2)), id="two-dimensional"),
        pytest.param(np.zeros((2, 2, 3)), id="three-players"),
        pytest.param(np.full((2, 2, 2), np.nan), id="nan"),
    ],
)
def test_bad_payoffs_raise(payoffs: FloatArray) -> None:
    with pytest.raises(InputError):
        lemke_howson(payoffs)


@PROPERTY_SETTINGS
@given(payoffs=any_games, data=st.data())
def test_result_is_an_extreme_equilibrium(payoffs: FloatArray, data: st.DataObject) -> None:
    m, n = payoffs.shape[:2]
    label = data.draw(st.integers(0, m + n - 1), label="label")
    x, y = lemke_howson(payoffs, initial_dropped_label=label)
    assert x.sum() == pytest.approx(1.0, abs=1e-12)
    assert y.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(x >= 0)
    assert np.all(y >= 0)
    assert max_regret(payoffs, [x, y]) <= DEFAULT_TOL * payoff_scale(payoffs)
    assert any(close((x, y), eq) for eq in vertex_enumeration(payoffs))


@PROPERTY_SETTINGS
@given(payoffs=any_games)
def test_all_labels_finds_distinct_equilibria_among_vertex_enumerations(
    payoffs: FloatArray,
) -> None:
    found = lemke_howson_all_labels(payoffs)
    every = vertex_enumeration(payoffs)
    assert 1 <= len(found) <= len(every)
    assert all(any(close(p, q) for q in every) for p in found)
    for i, p in enumerate(found):
        assert not any(close(p, q) for q in found[i + 1 :])
    keys = [tuple(np.round(np.concatenate(p), 12)) for p in found]
    assert keys == sorted(keys)


@PROPERTY_SETTINGS
@given(payoffs=any_games)
def test_one_pivot_is_never_enough(payoffs: FloatArray) -> None:
    # The first pivot makes a label appear twice, so at least two pivots are needed.
    with pytest.raises(IterationLimitError):
        lemke_howson(payoffs, max_iter=1)
