"""The result of solving a game tree: subgame-perfect play beside the normal form's equilibria.

A :class:`TreeSolution` holds the subgame-perfect equilibria found by backward induction, each a
move at every decision node with its path of play and its verification, and the Nash equilibria
of the tree's reduced normal form (a :class:`~kurilsim.forms.normal.result.Solution`). Each Nash
equilibrium is marked as subgame-perfect or not; one that is not relies on a move some player would
not make if play reached it, and the solution names that move: a non-credible threat.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.display import html_heading, html_table, text_table
from kurilsim.core.result import EquilibriumListing, incomplete_text
from kurilsim.core.text import DISPLAY_ZERO, counted, limited, number, parameters_line
from kurilsim.forms.extensive.game import SEPARATOR, ExtensiveFormGame
from kurilsim.forms.normal.result import Equilibrium, Solution, mixture_text

if TYPE_CHECKING:
    import pandas as pd

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: What backward induction promises to find.
SCOPE = "all subgame-perfect equilibria in pure strategies"


class _Entry(NamedTuple):
    concept: str  # "subgame-perfect" or "nash"
    number: int
    strategies: list[str]
    payoffs: FloatArray
    path: str
    subgame_perfect: bool | None
    verdict: str


@dataclass(frozen=True, eq=False)
class SubgamePerfectEquilibrium:
    """One subgame-perfect equilibrium with its verification.

    Attributes
    ----------
    choices
        Per node: the index of the action taken there, -1 at chance and terminal nodes.
    payoffs
        Each player's expected payoff, shape ``(N,)``.
    leaf_probabilities
        The probability of reaching each leaf: the path of play, shape ``(n_leaves,)``.
    profile
        Each player's strategy in the reduced normal form (an index into its strategies), or None
        when the normal form was not built.
    max_regret
        The largest gain any player gets by changing their action at one node, reached or not (0
        for an exact subgame-perfect equilibrium).
    """

    choices: IntArray
    payoffs: FloatArray
    leaf_probabilities: FloatArray
    profile: tuple[int, ...] | None
    max_regret: float


@dataclass(frozen=True, eq=False)
class TreeSolution(EquilibriumListing[SubgamePerfectEquilibrium]):
    """The subgame-perfect equilibria of a game tree and the Nash equilibria of its normal form.

    Attributes
    ----------
    game
        The game tree.
    method
        ``"backward-induction"``.
    tol
        Relative tolerance: ties are judged against ``tol`` times the smaller of the mover's payoff
        range over the leaves and the stakes at the node (see
        :func:`~kurilsim.forms.extensive.backward_induction.tie_slack`); regrets against ``tol``
        times the payoff range.
    scale
        The largest range of a player's payoffs over the leaves.
    equilibria
        The subgame-perfect equilibria, the one that takes the first best action everywhere first.
    listing_reason
        ``None`` when the subgame-perfect listing is complete; otherwise the bound it stopped at
        (:class:`~kurilsim.core.result.Result`): ``"max_equilibria"`` or
        ``"limit: listed cells"``
        (:data:`~kurilsim.forms.extensive.backward_induction.MAX_LISTED_CELLS`), which keep the
        first equilibria of its order, or ``"listing_seconds"`` (``"max_seconds"`` where that
        was the option given), which keeps the first only.
    nash
        The Nash equilibria of the reduced normal form, or None when it was too large to build.
    subgame_perfect
        One entry per Nash equilibrium: True if it is the normal form of a subgame-perfect
        equilibrium, False if not, None where that cannot be decided (a mixed equilibrium of a
        tree with ties, or an incomplete listing).
    non_credible
        One entry per Nash equilibrium: for a pure one that is not subgame-perfect, the decision
        nodes where it prescribes a move the mover would not make if play got there.
    note
        Why the Nash equilibria are missing, or were not judged, if so.
    options
        Options used.
    parameters
        Scenario parameter values the tree was built at, if it came from a scenario.
    """

    game: ExtensiveFormGame
    method: str
    tol: float
    scale: float
    equilibria: tuple[SubgamePerfectEquilibrium, ...]
    listing_reason: str | None
    nash: Solution | None
    subgame_perfect: tuple[bool | None, ...]
    non_credible: tuple[tuple[int, ...], ...]
    note: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    parameters: Mapping[str, float] = field(default_factory=dict)

    @property
    def scope(self) -> str:
        """What the method promises to find."""
        return SCOPE

    @property
    def incomplete_reason(self) -> str | None:  # type: ignore[override]  # derived here
        """Why the solution is incomplete, None when complete.

        The subgame-perfect listing's :attr:`listing_reason` if it was cut short, else that of
        the Nash step (:attr:`nash`), which may have stopped at its bound or be one equilibrium
        where ``auto`` was asked for every one.

        Examples
        --------
        >>> from kurilsim import solve_tree
        >>> from kurilsim.forms import catalogue
        >>> cut = solve_tree(catalogue.centipede(4), "vertex-enumeration", max_seconds=0.0)
        >>> cut.listing_reason, cut.nash.incomplete_reason, cut.incomplete_reason
        (None, 'max_seconds', 'max_seconds')
        """
        if self.listing_reason is not None or self.nash is None:
            return self.listing_reason
        return self.nash.incomplete_reason

    # ------------------------------------------------------------------ readable pieces
    def plan(self, equilibrium: SubgamePerfectEquilibrium, player: str) -> str:
        """The player's complete plan in ``equilibrium``: actions at all their nodes, ``|``-joined.

        Examples
        --------
        >>> from kurilsim import solve_tree
        >>> from kurilsim.forms import catalogue
        >>> solution = solve_tree(catalogue.centipede(4))
        >>> solution.plan(solution[0], "A")
        'take|take'
        """
        game = self.game
        nodes = game.decision_nodes(player)
        return SEPARATOR.join(game.actions[v][equilibrium.choices[v]] for v in nodes) or "-"

    def plans(self, equilibrium: SubgamePerfectEquilibrium) -> dict[str, dict[str, str]]:
        """Every player's plan in ``equilibrium`` as data: player -> node -> action there.

        Examples
        --------
        >>> from kurilsim import solve_tree
        >>> from kurilsim.forms import catalogue
        >>> solution = solve_tree(catalogue.entry_deterrence())
        >>> solution.plans(solution[0])
        {'Entrant': {'(root)': 'In'}, 'Incumbent': {'In': 'Accommodate'}}
        """
        game = self.game
        return {
            player: {
                game.node_name(v): game.actions[v][equilibrium.choices[v]]
                for v in game.decision_nodes(player)
            }
            for player in game.players
        }

    def path_text(self, leaf_probabilities: FloatArray) -> str:
        """The path of play: the actions to each leaf reached, with its probability if below 1.

        Examples
        --------
        >>> import numpy as np
        >>> from kurilsim import solve_tree
        >>> from kurilsim.forms import catalogue
        >>> solve_tree(catalogue.entry_deterrence()).path_text(np.array([0.5, 0, 0.5]))
        'Out [0.5]; In > Accommodate [0.5]'
        """
        game = self.game
        parts = []
        for k in np.flatnonzero(leaf_probabilities > DISPLAY_ZERO):
            name = game.node_name(game.leaves[k])
            p = float(leaf_probabilities[k])
            parts.append(name if p >= 1 - DISPLAY_ZERO else f"{name} [{p:.4g}]")
        return "; ".join(parts)

    def nash_path(self, equilibrium: Equilibrium) -> FloatArray | None:
        """The leaf probabilities of a pure Nash equilibrium, None for a mixed one.

        Examples
        --------
        >>> from kurilsim import solve_tree
        >>> from kurilsim.forms import catalogue
        >>> solution = solve_tree(catalogue.entry_deterrence())
        >>> solution.nash_path(solution.nash[0]).tolist()  # (Out, Fight) ends at once
        [1.0, 0.0, 0.0]
        """
        choices = self._nash_choices(equilibrium)
        return None if choices is None else self.game.leaf_probabilities(choices)

    def _nash_choices(self, equilibrium: Equilibrium) -> IntArray | None:
        """A pure Nash equilibrium as moves (-1 where a reduced strategy is silent), else None."""
        if equilibrium.kind != "pure":
            return None
        return self.game.profile_choices([int(np.argmax(p)) for p in equilibrium.profile])

    def _verdict(self, k: int) -> str:
        verdict = self.subgame_perfect[k]
        return "undecided" if verdict is None else "yes" if verdict else "no"

    def _non_credible_moves(self, k: int) -> list[dict[str, str]]:
        """The moves Nash equilibrium ``k`` relies on that would not be made, by node."""
        assert self.nash is not None
        game = self.game
        choices = self._nash_choices(self.nash[k])
        if choices is None:
            return []
        return [
            {
                "node": game.node_name(v),
                "player": game.mover_name(v),
                "action": game.actions[v][int(choices[v])],
            }
            for v in self.non_credible[k]
        ]

    def _entries(self) -> list[_Entry]:
        """Every equilibrium, subgame-perfect ones first, in a form both tables and frames use."""
        return self._perfect_entries(range(len(self.equilibria))) + self._nash_entries(
            range(len(self.nash) if self.nash is not None else 0)
        )

    def _perfect_entries(self, shown: Iterable[int]) -> list[_Entry]:
        """The entries of the subgame-perfect equilibria numbered ``shown`` (from 0)."""
        game = self.game
        return [
            _Entry(
                "subgame-perfect",
                k + 1,
                [self.plan(self.equilibria[k], p) for p in game.players],
                self.equilibria[k].payoffs,
                self.path_text(self.equilibria[k].leaf_probabilities),
                True,
                "yes",
            )
            for k in shown
        ]

    def _nash_entries(self, shown: Iterable[int]) -> list[_Entry]:
        """The entries of the Nash equilibria numbered ``shown`` (from 0)."""
        if self.nash is None:
            return []
        strategies = self.nash.game.strategies
        entries = []
        for k in shown:
            eq = self.nash.equilibria[k]
            path = self.nash_path(eq)
            entries.append(
                _Entry(
                    "nash",
                    k + 1,
                    [mixture_text(n, p) for n, p in zip(strategies, eq.profile, strict=True)],
                    eq.payoffs,
                    "(mixed)" if path is None else self.path_text(path),
                    self.subgame_perfect[k],
                    self._verdict(k),
                )
            )
        return entries

    def _rows(self, entries: list[_Entry] | None = None) -> list[list[str]]:
        return [
            [f"{'SPE' if e.concept == 'subgame-perfect' else 'Nash'} {e.number}"]
            + e.strategies
            + [number(v) for v in e.payoffs]
            + [e.path, e.verdict]
            for e in (self._entries() if entries is None else entries)
        ]

    def _header(self) -> list[str]:
        players = self.game.players
        return ["", *players, *(f"u({p})" for p in players), "path", "subgame-perfect"]

    def _lines(self) -> list[str]:
        game = self.game
        lines = [
            f"{game.title or 'Game tree'}: {game.summary()}",
            f"method {self.method}; tolerance {self.tol:g} x each player's payoff range "
            f"(largest {self.scale:g})",
        ]
        if self.parameters:
            lines.append(parameters_line(self.parameters))
        count = len(self.equilibria)
        lines.append(
            f"SPE: {counted(count, 'subgame-perfect equilibrium', 'subgame-perfect equilibria')}, "
            "each with a "
            "move at every node"
        )
        if self.listing_reason is not None:
            first = "the first" if count == 1 else f"the first {count:,}"
            lines.append(
                f"WARNING: {incomplete_text(self.listing_reason)}; these are {first} in its order"
            )
        if self.nash is None:
            lines.append(f"Nash: not computed, {self.note}")
        else:
            nash = self.nash
            lines.append(
                f"Nash: {counted(len(nash), 'equilibrium', 'equilibria')} of the reduced "
                f"normal form, method {nash.method} (* = ruled out by the player's own move)"
            )
            if not nash.complete:
                lines.append(f"WARNING: Nash {incomplete_text(nash.incomplete_reason)}")
            if self.note:
                lines.append(f"NOTE: {self.note}")
        return lines

    def _threat_lines(self) -> list[str]:
        """One line per Nash equilibrium that rests on moves that would not be made."""
        lines = []
        for k in range(len(self.subgame_perfect)):
            moves = self._non_credible_moves(k)
            if moves:
                lines.append(
                    f"Nash {k + 1} is not subgame-perfect: "
                    + "; ".join(
                        f"{m['player']} would not play {m['action']} at {m['node']!r}"
                        for m in moves
                    )
                )
        return lines

    # ------------------------------------------------------------------ exports
    def to_text(self, limit: int | None = None) -> str:
        """A plain-text table: subgame-perfect equilibria, then the Nash equilibria, each marked.

        Parameters
        ----------
        limit
            List at most this many subgame-perfect equilibria, Nash equilibria and non-credible
            threats each, then say how many more there are (None or 0: all of them).

        Examples
        --------
        >>> from kurilsim import solve_tree
        >>> from kurilsim.forms import catalogue
        >>> print(solve_tree(catalogue.entry_deterrence()).to_text())
        Entry deterrence (Selten 1978): 2 players, 2 decision nodes, 0 chance nodes, 3 leaves
        method backward-induction; tolerance 1e-09 x each player's payoff range (largest 3)
        SPE: 1 subgame-perfect equilibrium, each with a move at every node
        Nash: 2 equilibria of the reduced normal form, method pure (* = ruled out by ...)
                Entrant  Incumbent    u(Entrant)  u(Incumbent)  path              subgame-perfect
        SPE 1   In       Accommodate  1           1             In > Accommodate  yes
        Nash 1  Out      Fight        0           2             Out               no
        Nash 2  In       Accommodate  1           1             In > Accommodate  yes
        Nash 1 is not subgame-perfect: Incumbent would not play Fight at 'In'
        >>> print(solve_tree(catalogue.entry_deterrence()).to_text(limit=1))  # doctest: +ELLIPSIS
        Entry deterrence (Selten 1978): ...
        SPE 1   In       Accommodate  1           1             In > Accommodate  yes
        Nash 1  Out      Fight        0           2             Out               no
        ... and 1 more (--limit 0 shows all)
        Nash 1 is not subgame-perfect: Incumbent would not play Fight at 'In'
        """
        # Only the rows shown are written out: each costs a walk over the tree.
        perfect, more_spe = limited(range(len(self.equilibria)), limit)
        shown_nash, more_nash = limited(
            range(len(self.nash) if self.nash is not None else 0), limit
        )
        spe, nash = self._perfect_entries(perfect), self._nash_entries(shown_nash)
        header, *rows = text_table(self._header(), self._rows(spe + nash))
        threats, more_threats = limited(self._threat_lines(), limit)
        table = [header, *rows[: len(spe)], *more_spe, *rows[len(spe) :], *more_nash]
        return "\n".join(self._lines() + table + threats + more_threats)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary: the tree, the method, every equilibrium of both kinds.

        Examples
        --------
        >>> from kurilsim import solve_tree
        >>> from kurilsim.forms import catalogue
        >>> result = solve_tree(catalogue.entry_deterrence()).to_dict()
        >>> result["subgame_perfect"][0]["strategies"]
        {'Entrant': 'In', 'Incumbent': 'Accommodate'}
        >>> result["subgame_perfect"][0]["plans"]["Incumbent"]
        {'In': 'Accommodate'}
        >>> [(e["subgame_perfect"], e["non_credible"]) for e in result["nash"]["equilibria"]]
        [(False, [{'node': 'In', 'player': 'Incumbent', 'action': 'Fight'}]), (True, [])]
        """
        game = self.game
        nash = None
        if self.nash is not None:
            nash = self.nash.to_dict()
            for k, entry in enumerate(nash["equilibria"]):
                path = self.nash_path(self.nash[k])
                entry["path"] = None if path is None else self._leaves_dict(path)
                entry["subgame_perfect"] = self.subgame_perfect[k]
                entry["non_credible"] = self._non_credible_moves(k)
        return {
            "game": {
                "title": game.title,
                "form": "extensive",
                "players": list(game.players),
                "decision_nodes": len(game.decision_nodes()),
                "chance_nodes": len(game.chance_nodes()),
                "leaves": len(game.leaves),
            },
            "parameters": dict(self.parameters),
            "method": self.method,
            "scope": self.scope,
            "tol": self.tol,
            "scale": self.scale,
            "complete": self.complete,
            "incomplete_reason": self.incomplete_reason,
            "listing_reason": self.listing_reason,
            "options": dict(self.options),
            "subgame_perfect": [
                {
                    "strategies": {p: self.plan(eq, p) for p in game.players},
                    "plans": self.plans(eq),
                    "moves": self._moves_dict(eq),
                    "path": self._leaves_dict(eq.leaf_probabilities),
                    "payoffs": {p: float(v) for p, v in zip(game.players, eq.payoffs, strict=True)},
                    "max_regret": eq.max_regret,
                }
                for eq in self.equilibria
            ],
            "nash": nash,
            "note": self.note or None,
        }

    def _moves_dict(self, eq: SubgamePerfectEquilibrium) -> list[dict[str, Any]]:
        game = self.game
        reached = np.zeros(game.n_nodes, dtype=bool)
        reached[list(game.leaves)] = eq.leaf_probabilities > DISPLAY_ZERO
        for v in reversed(range(1, game.n_nodes)):
            reached[game.parents[v]] |= reached[v]
        return [
            {
                "node": game.node_name(v),
                "player": game.mover_name(v),
                "action": game.actions[v][eq.choices[v]],
                "on_path": bool(reached[v]),
            }
            for v in game.decision_nodes()
        ]

    def _leaves_dict(self, leaf_probabilities: FloatArray) -> list[dict[str, Any]]:
        game = self.game
        return [
            {"leaf": game.node_name(game.leaves[k]), "probability": float(leaf_probabilities[k])}
            for k in np.flatnonzero(leaf_probabilities > DISPLAY_ZERO)
        ]

    def to_frame(self) -> pd.DataFrame:
        """One row per equilibrium, subgame-perfect ones first, then the Nash equilibria.

        Columns: ``concept`` (``"subgame-perfect"`` or ``"nash"``), ``equilibrium`` (its number
        within its concept), ``strategy.<player>``, ``payoff.<player>``, ``path`` and
        ``subgame_perfect``.

        Examples
        --------
        >>> from kurilsim import solve_tree
        >>> from kurilsim.forms import catalogue
        >>> frame = solve_tree(catalogue.entry_deterrence()).to_frame()
        >>> frame["strategy.Incumbent"].tolist(), frame["subgame_perfect"].tolist()
        (['Accommodate', 'Fight', 'Accommodate'], [True, False, True])
        """
        import pandas as pd  # imported when used: solving needs only numpy

        players = self.game.players
        columns = [
            "concept",
            "equilibrium",
            *(f"strategy.{p}" for p in players),
            *(f"payoff.{p}" for p in players),
            "path",
            "subgame_perfect",
        ]
        records = [
            [e.concept, e.number, *e.strategies, *e.payoffs.tolist(), e.path, e.subgame_perfect]
            for e in self._entries()
        ]
        return pd.DataFrame(records, columns=columns)

    def _repr_html_(self) -> str:
        """The equilibria of both kinds in one table, under lines saying how they were found."""
        lines = self._lines()
        table = html_table(self._header(), self._rows(), caption="; ".join(self._threat_lines()))
        return html_heading(lines[0], " ".join(lines[1:])) + table

    def __repr__(self) -> str:
        nash = "not computed" if self.nash is None else f"{len(self.nash)} Nash"
        return (
            f"<TreeSolution {self.method}: {len(self.equilibria)} subgame-perfect, {nash}"
            f"{'' if self.complete else f', incomplete ({self.incomplete_reason})'}>"
        )
