"""Trees with information sets: the sequence form against the normal form and against pygambit.

Run by hand: ``python benchmarks/bench_information.py``. It builds Kuhn poker on larger decks (a
chance move deals two of ``n`` cards, then Kuhn's betting) and times, in the same run on the same
trees (the tree of 34 cards, about 10,000 nodes, for kurilsim alone: pygambit needs over a minute
at 16 cards already):

* one equilibrium by Lemke's algorithm on the sequence form (kurilsim's ``sequence-lemke``)
  against pygambit's ``lcp_solve`` (which also works on the sequence form), with the ratio;
* (the regret of both answers is computed by kurilsim's best-response pass);
* the agent logit QRE: kurilsim's trace (``logit``, to its limit) against pygambit's
  ``logit_solve``, on small trees where both trace to the limit.

It prints the size of the reduced normal form too, which grows exponentially with the deck where
the sequence form grows linearly, and checks that both answers are equilibria (max regret).
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pygambit as gbt

from kurilsim.forms.information.catalogue import beer_quiche, kuhn_poker, seltens_horse
from kurilsim.forms.information.efg import format_efg
from kurilsim.forms.information.game import InformationTree
from kurilsim.forms.information.reduced_normal_form import strategy_count
from kurilsim.forms.information.regret import behaviour_regrets
from kurilsim.forms.information.sequence_form import sequence_form
from kurilsim.forms.information.solve import solve_information

#: Decks solved by both; pygambit's lcp_solve takes over a minute at 16 cards already (measured
#: on a shared machine), so the 34-card tree (about 10,000 nodes) is timed for kurilsim alone.
DECKS = (3, 8, 16)
LARGE_DECK = 34


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = function()
    return time.perf_counter() - start, value


def pygambit_behaviour(game: gbt.Game, tree: InformationTree, result: Any) -> tuple:
    """pygambit's first equilibrium as kurilsim behaviour (sets numbered as format_efg does)."""
    profile = result.equilibria[0]
    behaviour: list[Any] = [None] * len(tree.infosets)
    for i, player in enumerate(game.players):
        for infoset, h in zip(player.infosets, tree.player_infosets(i), strict=True):
            behaviour[h] = np.array([float(profile[a]) for a in infoset.actions])
    return tuple(behaviour)


def lemke_row(tree: InformationTree) -> None:
    form = sequence_form(tree)
    strategies = [strategy_count(form, i) for i in range(2)]
    reference = gbt.read_efg(io.StringIO(format_efg(tree)))
    mine_time, mine = timed(lambda: solve_information(tree, "sequence-lemke"))
    theirs_time, theirs = timed(lambda: gbt.nash.lcp_solve(reference, rational=False))
    regret = float(behaviour_regrets(tree, pygambit_behaviour(reference, tree, theirs)).max())
    print(
        f"{tree.n_nodes:>8,} {sum(form.n_sequences):>6} {math.log10(math.prod(strategies)):>10.1f}"
        f" {mine_time:>10.3f} {theirs_time:>10.3f} {mine_time / theirs_time:>7.2f}"
        f" {mine[0].max_regret:>10.1e} {regret:>10.1e}"
    )


def logit_row(tree: InformationTree) -> None:
    reference = gbt.read_efg(io.StringIO(format_efg(tree)))
    mine_time, mine = timed(lambda: solve_information(tree, "logit", precision=1.0))
    theirs_time, theirs = timed(lambda: gbt.nash.logit_solve(reference))
    print(
        f"{tree.title[:34]:<34} {mine_time:>10.3f} {theirs_time:>10.3f}"
        f" {mine_time / theirs_time:>7.1f} {mine[-1].max_regret:>10.1e}"
        f" {float(theirs.equilibria[0].max_regret()):>10.1e}"
    )


def main() -> None:
    print("One equilibrium: kurilsim sequence-lemke vs pygambit lcp_solve (seconds; same run)")
    print(
        f"{'nodes':>8} {'seqs':>6} {'log10 NF':>10} {'kurilsim':>10} {'pygambit':>10} "
        f"{'ratio':>7} {'regret':>10} {'regret pg':>10}"
    )
    for cards in DECKS:
        lemke_row(kuhn_poker(cards))
    large = kuhn_poker(LARGE_DECK)
    seconds, solution = timed(lambda: solve_information(large, "sequence-lemke"))
    print(
        f"{large.n_nodes:>8,} nodes ({LARGE_DECK} cards), kurilsim alone: {seconds:.3f} s, "
        f"max regret {solution[0].max_regret:.1e}; {solution.note}"
    )
    print("\nAgent logit QRE to its limit: kurilsim logit vs pygambit logit_solve (seconds)")
    columns = ("kurilsim", "pygambit", "ratio", "regret", "regret pg")
    print(f"{'tree':<34} " + " ".join(f"{c:>10}" for c in columns))
    for tree in (beer_quiche(), seltens_horse()):
        logit_row(tree)


if __name__ == "__main__":
    main()
