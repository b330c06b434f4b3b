"""Checks shared by the tests of the direct support solvers against the subdivision."""

from __future__ import annotations

import numpy as np

from kurilsim.forms.normal.regret import FloatArray, max_regret
from kurilsim.forms.normal.support_enumeration import _support_masks

Profile = tuple[FloatArray, ...]


def all_support_masks(shape: tuple[int, ...]) -> list[np.ndarray]:
    """Every support profile of the shape in which two or more players mix, per player."""
    chunks = list(_support_masks(shape))
    return [np.concatenate([m[i] for _, m in chunks]) for i in range(len(shape))]


def payoffs_of_strategies(u: FloatArray, i: int, profile: Profile) -> FloatArray:
    """Player ``i``'s payoff of each pure strategy against the others' mixtures."""
    table = np.moveaxis(u[..., i], i, 0)
    for x in reversed([x for j, x in enumerate(profile) if j != i]):
        table = table @ x
    return table


def passing(u: FloatArray, roots: list[tuple[int, Profile]]) -> dict[int, list[FloatArray]]:
    """Per support, the roots that are equilibria (regret at most 1e-8 in the normalised game)."""
    out: dict[int, list[FloatArray]] = {}
    for k, profile in roots:
        if max_regret(u, profile) <= 1e-8:
            out.setdefault(k, []).append(np.concatenate(profile))
    return out


def assert_roots_solve_their_supports(
    u: FloatArray, masks: list[np.ndarray], roots: list[tuple[int, Profile]], solved: np.ndarray
) -> None:
    """Every root solves its support's equations and lies on the simplices, none twice."""
    for k, profile in roots:
        assert solved[k]
        for i, x in enumerate(profile):
            assert np.all(x >= 0) and abs(x.sum() - 1) <= 1e-12
            on = np.flatnonzero(masks[i][k])
            assert np.all(x[np.flatnonzero(~masks[i][k])] == 0)
            assert np.ptp(payoffs_of_strategies(u, i, profile)[on]) <= 1e-9
    found = [(k, np.concatenate(p)) for k, p in roots]
    assert all(
        k != j or np.max(np.abs(a - b)) > 1e-7
        for n, (k, a) in enumerate(found)
        for j, b in found[:n]
    )
