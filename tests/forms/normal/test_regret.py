"""The regret check of many profiles at once against the check of one profile at a time."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from kurilsim.forms.normal.regret import ScaledPayoffs


@settings(max_examples=40, deadline=None)
@given(
    shape=st.lists(st.integers(1, 3), min_size=2, max_size=4),
    count=st.integers(1, 6),
    seed=st.integers(0, 2**32 - 1),
    pure=st.booleans(),
)
def test_regrets_of_many_profiles_are_those_of_each(
    shape: list[int], count: int, seed: int, pure: bool
) -> None:
    rng = np.random.default_rng(seed)
    game = ScaledPayoffs.of(rng.normal(size=(*shape, len(shape))) * 1e6 + 3.0)
    profiles = [rng.dirichlet(np.ones(n), size=count) for n in shape]
    if pure:
        # Pure mixtures too, where the one-at-a-time check takes another path.
        profiles = [np.eye(n)[rng.integers(n, size=count)] for n in shape]
    each = [game.relative_regrets([p[k] for p in profiles]) for k in range(count)]
    np.testing.assert_allclose(game.relative_regrets_of_many(profiles), each, atol=1e-13)
