"""Helpers shared by the tests that are not hypothesis generators: where the repository's files
are, comparing lists of mixed-strategy profiles, running the command line in-process, and
scenarios built for the sweeps' tests."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from kurilsim import parse_scenario
from kurilsim.cli import main
from kurilsim.forms.normal.regret import FloatArray

#: The repository root, and the scenarios shipped in it.
ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"

Profile = tuple[FloatArray, ...]


# --- profiles ----------------------------------------------------------------------------------


def close(p: Profile, q: Profile, atol: float = 1e-6) -> bool:
    """Whether two profiles agree within ``atol`` in every probability."""
    return all(np.allclose(u, v, rtol=0, atol=atol) for u, v in zip(p, q, strict=True))


def distinct(profiles: Sequence[Profile], atol: float = 1e-6) -> list[Profile]:
    """The profiles with near-copies left out, in order."""
    kept: list[Profile] = []
    for p in profiles:
        if not any(close(p, k, atol) for k in kept):
            kept.append(p)
    return kept


def same_sets(found: Sequence[Profile], expected: Sequence[Profile], atol: float = 1e-6) -> bool:
    """Whether two lists hold the same profiles within ``atol``, counting each once."""
    left, right = distinct(found, atol), distinct(expected, atol)
    return len(left) == len(right) and all(any(close(p, q, atol) for q in right) for p in left)


# --- the command line --------------------------------------------------------------------------


def run_cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    """Run ``kurilsim`` in-process; its exit code, standard output and standard error."""
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def check_listing_bounds_cut(capsys: pytest.CaptureFixture[str], *argv: object) -> None:
    """A command (``--format json``) on a tied tree, cut by ``--max-equilibria 1``, then by
    ``--max-seconds 0`` at the same points: incomplete there, exit 1, each bound named."""
    code, out, err = run_cli(capsys, *argv, "--max-equilibria", 1)
    record = json.loads(out)
    assert code == 1 and record["complete"] is False, err
    (cut,) = record["incomplete_reasons"].items()
    assert cut[0] == "max_equilibria" and cut[1] > 0
    code, out, err = run_cli(capsys, *argv, "--max-seconds", 0)
    assert code == 1 and json.loads(out)["incomplete_reasons"] == {"max_seconds": cut[1]}, err


def cut_tree_listing_at_the_second_point(monkeypatch: pytest.MonkeyPatch) -> None:
    """Have a tree sweep's second point tied, and its subgame-perfect listing cut by time there."""
    import dataclasses

    from kurilsim.forms.extensive import sweep as tree_sweep

    batch, listing = tree_sweep.backward_induction_batch, tree_sweep.subgame_perfect_equilibria

    def tied_at_the_second(*args: object) -> object:
        found = batch(*args)
        ties = found.ties.copy()
        ties[1, 0] = True  # the second point's listing is made in full, and cut short here
        return dataclasses.replace(found, ties=ties)

    def cut(game: object, tol: float, *bounds: object) -> tuple[tuple[object], bool]:
        (first, *_), _ = listing(game, tol, *bounds)
        return (first,), False

    monkeypatch.setattr(tree_sweep, "backward_induction_batch", tied_at_the_second)
    monkeypatch.setattr(tree_sweep, "subgame_perfect_equilibria", cut)


# --- scenarios ---------------------------------------------------------------------------------

#: Player B's payoff is infinite at a = 0 and nan where a and b are both 0 (0/0); player A's
#: does not depend on A's own strategy.
NOT_FINITE = """
kurilsim: 1
title: not finite
parameters:
  a: {default: 1, range: [-1, 1], unit: u, description: d, assumption: e}
  b: {default: 1, range: [-1, 1], unit: u, description: d, assumption: e}
players: {A: [x, y], B: [l, r]}
outcomes:
  right: {description: B plays r, rules: [{when: {B: r}, value: 1}]}
payoffs: {A: "right", B: "right * b / a"}
"""


def chain_of_stops(steps):
    """A chain of ``steps`` stop-or-go moves of one player, stopping worth ``bonus``.

    Tied at every node at bonus 0 (``2**steps`` subgame-perfect equilibria) and at every node
    but the last above it (half as many): one regime naming them all at each tied point.
    """
    node = {"outcome": {}}
    for _ in range(steps):
        node = {"player": "A", "actions": {"stop": {"outcome": {"stopped": 1}}, "go": node}}
    return parse_scenario(
        json.dumps(
            {
                "kurilsim": 1,
                "form": "extensive",
                "title": "a chain of stops",
                "parameters": {
                    "bonus": {
                        "default": 0.5,
                        "range": [-1, 1],
                        "unit": "u",
                        "description": "what stopping is worth",
                        "assumption": "a test",
                    }
                },
                "players": ["A", "B"],
                "outcomes": {"stopped": {"description": "1 if A stops"}},
                "tree": node,
                "payoffs": {"A": "bonus * stopped", "B": "0"},
            }
        )
    )
