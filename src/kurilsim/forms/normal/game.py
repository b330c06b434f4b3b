r"""Finite games in normal (strategic) form with any number of players.

A game with players :math:`1, \dots, N`, where player :math:`i` has :math:`n_i` pure strategies,
is stored as one payoff tensor ``u`` of shape ``(n_1, ..., n_N, N)``: ``u[s_1, ..., s_N, i]`` is
player ``i``'s payoff when each player ``j`` plays strategy ``s_j``.

Examples
--------
>>> import numpy as np
>>> pd = NormalFormGame(
...     players=("Row", "Column"),
...     strategies=(("Cooperate", "Defect"), ("Cooperate", "Defect")),
...     payoffs=np.array([[[3, 3], [0, 5]], [[5, 0], [1, 1]]]),
... )
>>> pd.shape
(2, 2)
>>> pd.payoffs[1, 0].tolist()
[5.0, 0.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:
    import pandas as pd

from kurilsim.core.arguments import (
    MAX_PLAYERS,
    check_array,
    check_name_lists,
    check_names,
    check_text,
    player_position,
)
from kurilsim.core.display import html_heading, html_table
from kurilsim.core.errors import InputError


@dataclass(frozen=True, eq=False)
class NormalFormGame:
    """A finite N-player game in normal form.

    Parameters
    ----------
    players
        The players' names, in order.
    strategies
        For each player, the names of their pure strategies.
    payoffs
        Array of shape ``(n_1, ..., n_N, N)``; converted to a read-only float array.
    title
        A human-readable title.
    notes
        What a reader changed to make the game out of its file, one line each (such as a
        repeated strategy name made unique); empty for a game built in code.

    Raises
    ------
    ArgumentTypeError
        If names are not lists of strings, payoffs not an array of numbers, or notes not a list
        of strings.
    InputError
        If names are empty or repeated, the shape does not match the strategies, or a payoff is
        not finite.
    """

    players: tuple[str, ...]
    strategies: tuple[tuple[str, ...], ...]
    payoffs: NDArray[np.float64] = field(repr=False)
    title: str = ""
    notes: tuple[str, ...] = field(default=(), repr=False)

    def __init__(
        self,
        players: Sequence[str],
        strategies: Sequence[Sequence[str]],
        payoffs: ArrayLike,
        title: str = "",
        notes: Sequence[str] = (),
    ) -> None:
        players_t = check_names("players", players)
        strategies_t = check_name_lists("strategies", strategies)
        array = check_array("payoffs", payoffs)
        _check_names(players_t, strategies_t)
        expected = (*(len(s) for s in strategies_t), len(players_t))
        if array.shape != expected:
            raise InputError(
                f"payoff array has shape {array.shape}, expected {expected}", field="payoffs"
            )
        object.__setattr__(self, "players", players_t)
        object.__setattr__(self, "strategies", strategies_t)
        object.__setattr__(self, "payoffs", array)
        object.__setattr__(self, "title", check_text("title", title))
        object.__setattr__(self, "notes", check_names("notes", notes))

    @property
    def n_players(self) -> int:
        """Number of players."""
        return len(self.players)

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of pure strategies of each player."""
        return tuple(len(s) for s in self.strategies)

    def player_index(self, player: str) -> int:
        """Return the position of ``player`` in :attr:`players`.

        Raises
        ------
        InputError
            If there is no such player.
        """
        return player_position(self.players, player)

    def to_frame(self) -> pd.DataFrame:
        """One row per strategy profile: each player's strategy, then each player's payoff.

        Columns: ``strategy.<player>`` for each player, then ``payoff.<player>``.

        Examples
        --------
        >>> from kurilsim.forms import catalogue
        >>> frame = catalogue.prisoners_dilemma().to_frame()
        >>> frame.columns.tolist()
        ['strategy.Row', 'strategy.Column', 'payoff.Row', 'payoff.Column']
        >>> frame["payoff.Column"].tolist()
        [3.0, 5.0, 0.0, 1.0]
        """
        import pandas as pd  # imported when used: games need only numpy

        cells = list(np.ndindex(*self.shape))
        columns: dict[str, list[object]] = {
            f"strategy.{p}": [names[cell[i]] for cell in cells]
            for i, (p, names) in enumerate(zip(self.players, self.strategies, strict=True))
        }
        columns.update(
            {
                f"payoff.{p}": [float(self.payoffs[cell][i]) for cell in cells]
                for i, p in enumerate(self.players)
            }
        )
        return pd.DataFrame(columns)

    def _repr_html_(self) -> str:
        """A bimatrix for two players; one row per profile for more (up to 512 profiles)."""
        dims = " x ".join(str(n) for n in self.shape)
        heading = html_heading(
            self.title or "Normal-form game", f"{', '.join(self.players)}: {dims}"
        )
        if self.n_players == 2:
            row_player, column_player = self.players
            header = [f"{row_player} \\ {column_player}", *self.strategies[1]]
            rows = [
                [
                    name,
                    *(
                        ", ".join(f"{v:.4g}" for v in self.payoffs[i, j])
                        for j in range(self.shape[1])
                    ),
                ]
                for i, name in enumerate(self.strategies[0])
            ]
            return heading + html_table(header, rows)
        if self.payoffs[..., 0].size > 512:
            return heading + "<p>(too many profiles to show; see .payoffs)</p>"
        header = [*self.players, *(f"u({p})" for p in self.players)]
        rows = [
            [
                *(names[s] for names, s in zip(self.strategies, cell, strict=True)),
                *(f"{v:.4g}" for v in self.payoffs[cell]),
            ]
            for cell in np.ndindex(*self.shape)
        ]
        return heading + html_table(header, rows)

    def __repr__(self) -> str:
        title = f" {self.title!r}" if self.title else ""
        dims = " x ".join(str(n) for n in self.shape)
        return (
            f"<NormalFormGame{title}: {self.n_players} players ({', '.join(self.players)}), {dims}>"
        )


def _check_names(players: tuple[str, ...], strategies: tuple[tuple[str, ...], ...]) -> None:
    if not players:
        raise InputError("a game needs at least one player")
    if len(players) > MAX_PLAYERS:
        raise InputError(f"the game has {len(players):,} players; at most {MAX_PLAYERS} allowed")
    if len(strategies) != len(players):
        raise InputError(
            f"got strategies for {len(strategies)} players but {len(players)} player names"
        )
    if len(set(players)) != len(players):
        raise InputError(f"player names must be unique, got {list(players)}")
    for player, names in zip(players, strategies, strict=True):
        if not player:
            raise InputError("player names must not be empty")
        if not names:
            raise InputError(f"player {player!r} has no strategies")
        if len(set(names)) != len(names):
            raise InputError(f"strategy names of {player!r} must be unique, got {list(names)}")
