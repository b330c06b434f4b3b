"""Learning paths: each strategy's probability over time, and each player's path on the simplex.

Over time, each player gets one colour and each of the player's strategies one line style, as on
the logit QRE branch (:mod:`kurilsim.presentation.logit`). On the simplex, a player with three
strategies moves inside a triangle whose corners are the pure strategies; a player with two along
a line (the probability of the first), drawn against time, since on a line the path folds over
itself. The start is a circle, the last point a square.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kurilsim.core.errors import InputError
from kurilsim.presentation.common import colours, new_axes
from kurilsim.presentation.logit import STYLES

if TYPE_CHECKING:
    from kurilsim.analysis.learning import LearningPath

#: Corners of the triangle of a three-strategy simplex, in the plane.
CORNERS = np.array([[0.0, 0.0], [1.0, 0.0], [0.5, np.sqrt(3) / 2]])


def learning_over_time(path: LearningPath, ax: Axes | None = None) -> Figure:
    """Plot each strategy's probability against the round or time of a learning path.

    Examples
    --------
    >>> import kurilsim
    >>> from kurilsim.forms import catalogue
    >>> figure = learning_over_time(kurilsim.learn(catalogue.matching_pennies(), steps=50))
    >>> axes = figure.axes[0]
    >>> axes.get_xlabel(), [line.get_label() for line in axes.get_lines()][:2]
    ('round', ['Even: Heads', 'Even: Tails'])
    """
    figure, axes = new_axes(ax)
    game = path.game
    for player, names, probs, colour in zip(
        game.players, game.strategies, path.profiles, colours(game.n_players), strict=True
    ):
        for k, name in enumerate(names):
            axes.plot(
                path.times,
                probs[:, k],
                color=colour,
                linestyle=STYLES[k % len(STYLES)],
                label=f"{player}: {name}",
            )
    axes.set_ylim(-0.02, 1.02)
    axes.set_xlabel(_time(path))
    axes.set_ylabel("probability" if path.method != "fictitious-play" else "frequency of play")
    axes.set_title(f"{_title(path)}: {path.status}")
    axes.legend(title="player: strategy", fontsize="small")
    axes.grid(True, alpha=0.3)
    return figure


def learning_simplex(
    path: LearningPath, ax: Axes | None = None, player: str | None = None
) -> Figure:
    """Plot each player's path on their simplex (a triangle for 3 strategies, a line for 2).

    Parameters
    ----------
    path
        A result of :func:`kurilsim.learn`.
    ax
        The axes to draw one player's path on (``player`` must then be given); by default a new
        figure with one panel per player.
    player
        Draw only this player.

    Raises
    ------
    InputError
        For an unknown player, a player with more than three strategies, or ``ax`` without
        ``player``.

    Examples
    --------
    >>> import kurilsim
    >>> from kurilsim.forms import catalogue
    >>> path = kurilsim.learn(catalogue.rock_paper_scissors(), "replicator", steps=100,
    ...                       start=[[0.5, 0.3, 0.2], [0.2, 0.3, 0.5]])
    >>> figure = learning_simplex(path)
    >>> [axes.get_title() for axes in figure.axes]
    ['Row', 'Column']
    """
    game = path.game
    chosen = list(game.players) if player is None else [game.players[game.player_index(player)]]
    for name in chosen:
        if len(game.strategies[game.player_index(name)]) > 3:
            raise InputError(
                f"{name} has more than 3 strategies: the simplex figure draws 2 or 3; "
                "plot the path over time instead",
                field="player",
            )
    if ax is not None and player is None:
        raise InputError("give the player to draw on these axes", field="player")
    if ax is None:
        figure = Figure(figsize=(4.0 * len(chosen), 4.0), layout="constrained")
        panels = list(figure.subplots(1, len(chosen), squeeze=False)[0])
    else:
        figure, panel = new_axes(ax)
        panels = [panel]
    for name, axes in zip(chosen, panels, strict=True):
        i = game.player_index(name)
        colour = colours(game.n_players)[i]
        _draw_simplex(axes, game.strategies[i], path.profiles[i], path.times, colour, _time(path))
        axes.set_title(name)
    figure.suptitle(f"{_title(path)}: {path.status}")
    return figure


def _draw_simplex(
    axes: Axes,
    names: tuple[str, ...],
    probs: np.ndarray,
    times: np.ndarray,
    colour: str,
    time_label: str,
) -> None:
    """One player's path on a triangle (3 strategies), or along a line against time (1 or 2)."""
    if len(names) <= 2:
        # On a line the path folds over itself, so time runs up the page.
        first = probs[:, 0]
        axes.plot(first, times, color=colour, linewidth=1.2, label="path")
        axes.plot(first[0], times[0], "o", color=colour, fillstyle="none", label="start")
        axes.plot(first[-1], times[-1], "s", color=colour, label="last point")
        axes.set_xlim(-0.02, 1.02)
        axes.set_xlabel(
            f"probability of {names[0]}" + (f" (1 - {names[1]})" if len(names) == 2 else "")
        )
        axes.set_ylabel(time_label)
        axes.legend(fontsize="small", loc="best")
        return
    points = probs @ CORNERS
    axes.plot(*np.vstack([CORNERS, CORNERS[:1]]).T, color="grey", linewidth=0.8)
    for corner, label, lift in zip(CORNERS, names, (-14, -14, 6), strict=True):
        axes.annotate(
            label, (corner[0], corner[1]), textcoords="offset points", xytext=(0, lift), ha="center"
        )
    axes.plot(points[:, 0], points[:, 1], color=colour, linewidth=1.2, label="path")
    axes.plot(*points[0], "o", color=colour, fillstyle="none", label="start")
    axes.plot(*points[-1], "s", color=colour, label="last point")
    axes.set_aspect("equal")
    axes.set_axis_off()
    axes.legend(fontsize="small", loc="upper left")


def _time(path: LearningPath) -> str:
    return "round" if path.method == "fictitious-play" else "time"


def _title(path: LearningPath) -> str:
    from kurilsim.analysis.learning import TITLES

    return f"{TITLES[path.method].capitalize()} on {path.game.title or 'the game'}"
