"""A drawing of a game tree with its information sets, and of a profile's play on it."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kurilsim.core.arguments import check_instance
from kurilsim.forms.extensive.game import CHANCE, TERMINAL
from kurilsim.forms.information.game import InformationTree
from kurilsim.forms.information.result import BehaviourSolution
from kurilsim.presentation.common import new_axes

#: Trees with more nodes than this are drawn without action and payoff labels.
MAX_LABELLED_NODES = 200


def information_tree_figure(
    subject: InformationTree | BehaviourSolution,
    profile: int = 0,
    ax: Axes | None = None,
    **options: Any,
) -> Figure:
    """Draw a tree: nodes by depth, leaves in order; information sets linked by dashed lines.

    Player nodes are circles coloured by player, chance nodes squares, leaves show their payoffs.
    Given a solution, each action is labelled with its probability in profile ``profile`` and
    the moves played are drawn thicker.

    Parameters
    ----------
    subject
        A tree, or a :class:`~kurilsim.forms.information.result.BehaviourSolution` of one.
    profile
        Which of the solution's profiles to show.
    ax
        Axes to draw on; a new figure by default.
    **options
        ``size``: the new figure's size in inches.

    Examples
    --------
    >>> from kurilsim.forms.information.catalogue import matching_pennies_tree
    >>> ax = information_tree_figure(matching_pennies_tree()).axes[0]
    >>> [line.get_linestyle() for line in ax.lines if line.get_gid() == "infoset"]
    ['--']
    """
    if isinstance(subject, BehaviourSolution):
        tree = subject.game
        behaviour = subject[profile].behaviour if len(subject) else None
    else:
        tree = check_instance("subject", subject, InformationTree, "a tree or its solution")
        behaviour = None
    figure, ax = new_axes(ax, options.get("size", (8.0, 5.0)))
    x, y = _layout(tree)
    labelled = tree.n_nodes <= MAX_LABELLED_NODES
    colours = [f"C{i}" for i in range(tree.n_players)]
    for v in range(1, tree.n_nodes):
        parent = int(tree.parents[v])
        weight = 1.0
        text = tree.actions[parent][int(tree.moves[v])]
        if tree.movers[parent] == CHANCE:
            text += f" ({tree.probabilities[v]:.3g})"
        elif behaviour is not None:
            weight = float(behaviour[int(tree.infoset_of[parent])][int(tree.moves[v])])
            text += f" [{weight:.2g}]"
        ax.plot([x[parent], x[v]], [y[parent], y[v]], color="0.3", lw=0.6 + 2.4 * weight, zorder=1)
        if labelled:
            ax.annotate(text, ((x[parent] + x[v]) / 2, (y[parent] + y[v]) / 2), fontsize=7,
                        ha="center", va="center", backgroundcolor="white")  # fmt: skip
    for h, entry in enumerate(tree.infosets):
        if len(entry.nodes) > 1:
            nodes = list(entry.nodes)
            ax.plot(x[nodes], y[nodes], ls="--", color=colours[entry.player], lw=1.2,
                    gid="infoset", zorder=0)  # fmt: skip
        if labelled:
            first = entry.nodes[0]
            ax.annotate(tree.infoset_name(h), (x[first], y[first]), xytext=(0, 8),
                        textcoords="offset points", fontsize=7, ha="center")  # fmt: skip
    for v in range(tree.n_nodes):
        mover = int(tree.movers[v])
        if mover == TERMINAL:
            if labelled:
                payoffs = ", ".join(f"{p:g}" for p in tree.payoffs[int(tree.leaf_of[v])])
                ax.annotate(f"({payoffs})", (x[v], y[v]), xytext=(0, -10),
                            textcoords="offset points", fontsize=7, ha="center")  # fmt: skip
            ax.plot(x[v], y[v], marker=".", color="black", zorder=2)
        elif mover == CHANCE:
            ax.plot(x[v], y[v], marker="s", color="0.5", ms=7, zorder=2)
        else:
            ax.plot(x[v], y[v], marker="o", color=colours[mover], ms=8, zorder=2)
    for i, player in enumerate(tree.players):
        ax.plot([], [], marker="o", ls="", color=colours[i], label=player)
    ax.legend(loc="upper right", fontsize=8, frameon=False)
    ax.set_title(tree.title or "Game tree")
    ax.set_axis_off()
    return figure


def _layout(tree: InformationTree) -> tuple[np.ndarray, np.ndarray]:
    """Leaves evenly spaced in prefix order; each inner node over the middle of its children."""
    depth = np.zeros(tree.n_nodes)
    for v in range(1, tree.n_nodes):
        depth[v] = depth[tree.parents[v]] + 1
    x = np.zeros(tree.n_nodes)
    x[list(tree.leaves)] = np.arange(len(tree.leaves))
    for v in reversed(range(tree.n_nodes)):
        if tree.children[v]:
            x[v] = float(np.mean(x[list(tree.children[v])]))
    return x, -depth
