"""Monte Carlo draws: in range, reproducible sample by sample, with the declared distributions."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from kurilsim.core.schema import Parameter
from kurilsim.sweeps.sampling import BLOCK, draw, generator, quantile, uniforms

RANGE = (2.0, 6.0)


def parameter(distribution=None, default=3.0):
    return Parameter(
        default=default,
        range=RANGE,
        unit="u",
        description="x",
        assumption="y",
        distribution=distribution,
    )


DISTRIBUTIONS = [
    pytest.param(None, stats.uniform(2, 4), id="uniform-by-default"),
    pytest.param({"kind": "uniform"}, stats.uniform(2, 4), id="uniform"),
    pytest.param(
        {"kind": "normal", "sd": 1.0},
        stats.truncnorm(-1, 3, loc=3, scale=1),
        id="normal-truncated-around-the-default",
    ),
    pytest.param(
        {"kind": "normal", "mean": 5.0, "sd": 0.5},
        stats.truncnorm(-6, 2, loc=5, scale=0.5),
        id="normal-with-mean",
    ),
    pytest.param(
        {"kind": "triangular"},
        stats.triang(0.25, loc=2, scale=4),
        id="triangular-peaking-at-the-default",
    ),
    pytest.param(
        {"kind": "beta", "a": 2.0, "b": 5.0}, stats.beta(2, 5, loc=2, scale=4), id="beta-scaled"
    ),
]


@pytest.mark.parametrize(("distribution", "expected"), DISTRIBUTIONS)
def test_draws_follow_the_declared_distribution(distribution, expected):
    values = draw([parameter(distribution)], seed=1, samples=np.arange(20_000))[:, 0]
    assert values.min() >= RANGE[0] and values.max() <= RANGE[1]
    # Kolmogorov-Smirnov against the declared law: the p-value is far from tiny if it matches.
    assert stats.kstest(values, expected.cdf).pvalue > 1e-3


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    samples=st.lists(st.integers(0, 5 * BLOCK), min_size=1, max_size=30),
)
def test_a_sample_gets_the_same_numbers_whatever_is_drawn_with_it(seed, samples):
    index = np.asarray(samples, dtype=np.int64)
    together = uniforms(seed, index, 3)
    alone = np.vstack([uniforms(seed, index[k : k + 1], 3) for k in range(index.size)])
    assert np.array_equal(together, alone)
    assert ((together >= 0) & (together < 1)).all()


@settings(max_examples=40, deadline=None)
@given(k=st.lists(st.integers(0, 2**53 - 1), min_size=2, max_size=20))
def test_quantiles_are_monotone_and_in_range(k):
    ordered = np.sort(np.asarray(k, dtype=np.float64)) / 2**53  # the numbers random() gives
    for distribution, _ in (p.values for p in DISTRIBUTIONS):
        values = quantile(parameter(distribution), ordered)
        assert (np.diff(values) >= -1e-12).all()
        assert (values >= RANGE[0] - 1e-12).all() and (values <= RANGE[1] + 1e-12).all()


def test_blocks_take_child_seeds_of_the_seed():
    expected = np.random.default_rng(np.random.SeedSequence(4).spawn(2)[1]).random((BLOCK, 2))
    assert np.array_equal(uniforms(4, np.arange(BLOCK, 2 * BLOCK), 2), expected)
    assert generator(4, 1).random() == expected[0, 0]


def test_a_parameter_with_an_empty_range_is_constant():
    fixed = Parameter(default=1, range=(1, 1), unit="u", description="x", assumption="y")
    assert draw([fixed], 0, np.arange(5)).tolist() == [[1.0]] * 5
