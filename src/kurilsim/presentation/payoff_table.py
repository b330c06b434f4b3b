"""A heatmap of a two-player payoff table, with both players' payoffs in each cell."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from kurilsim.core.errors import InputError
from kurilsim.forms.normal.game import NormalFormGame
from kurilsim.forms.normal.pure_nash import pure_nash_mask
from kurilsim.presentation.common import new_axes, wrap


def payoff_heatmap(game: NormalFormGame, player: int = 0, ax: Axes | None = None) -> Figure:
    """Draw a 2-player game as a table: rows for player 1, columns for player 2.

    Each cell shows both payoffs (row player's first) and is coloured by ``player``'s payoff;
    pure Nash equilibria are framed.

    Parameters
    ----------
    game
        A two-player game.
    player
        Whose payoffs colour the cells: 0 (rows) or 1 (columns).
    ax
        Axes to draw on; a new figure by default.

    Raises
    ------
    InputError
        If the game does not have two players.

    Examples
    --------
    >>> from kurilsim.forms import catalogue
    >>> ax = payoff_heatmap(catalogue.prisoners_dilemma()).axes[0]
    >>> ax.get_ylabel(), [t.get_text() for t in ax.texts]
    ('Row', ['3, 3', '0, 5', '5, 0', '1, 1'])
    """
    if game.n_players != 2:
        raise InputError(f"a payoff table shows 2-player games; this game has {game.n_players}")
    if player not in (0, 1):
        raise InputError(f"player must be 0 or 1, got {player}")
    rows, columns = game.strategies
    figure, ax = new_axes(ax, size=(1.6 * len(columns) + 2.5, 1.1 * len(rows) + 1.8))
    values = game.payoffs[..., player]
    image = ax.imshow(values, cmap="viridis", aspect="auto")
    colour_bar = figure.colorbar(image, ax=ax)
    colour_bar.set_label(f"payoff of {game.players[player]}")
    cmap, norm = image.get_cmap(), image.norm
    for (r, c), _ in np.ndenumerate(values):
        red, green, blue = np.asarray(cmap(norm(values[r, c])))[:3]
        ink = "black" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.5 else "white"
        ax.text(
            c,
            r,
            f"{game.payoffs[r, c, 0]:.4g}, {game.payoffs[r, c, 1]:.4g}",
            ha="center",
            va="center",
            color=ink,
        )
    for r, c in np.argwhere(pure_nash_mask(game.payoffs)):
        ax.add_patch(
            Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, edgecolor="red", linewidth=2.5)
        )
    ax.set_xticks(range(len(columns)), columns)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel(game.players[1])
    ax.set_ylabel(game.players[0])
    ax.xaxis.set_label_position("top")
    ax.xaxis.tick_top()
    ax.set_title(
        wrap(game.title or "Payoffs", 60) + "\n(row payoff, column payoff); pure equilibria framed",
        fontsize="medium",
        pad=12,
    )
    return figure
