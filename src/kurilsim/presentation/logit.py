"""The principal branch of the logit QRE correspondence: each strategy's probability against lambda.

Each player gets one colour, each of the player's strategies one line style, so a player's
strategies read as one group. Lambda runs over several decades on a typical branch (from the
centroid at 0 to a near-Nash profile), so the axis is logarithmic beyond the first step when the
branch spans more than two decades, and linear below it (matplotlib's ``symlog``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kurilsim.presentation.common import colours, new_axes

if TYPE_CHECKING:
    from kurilsim.forms.normal.logit_qre import LogitBranch

#: Line styles of a player's strategies 1, 2, 3, ...; repeats past the end.
STYLES = ("-", "--", ":", "-.")

#: Lambda on a logarithmic axis when the branch spans more than this ratio.
LOG_SPAN = 100.0


def logit_curves(
    branch: LogitBranch, ax: Axes | None = None, log_lambda: bool | None = None
) -> Figure:
    """Plot each strategy's probability along the principal logit QRE branch.

    Parameters
    ----------
    branch
        A branch from :func:`~kurilsim.forms.normal.logit_qre.logit_correspondence`.
    ax
        The axes to draw on; a new figure by default.
    log_lambda
        Whether lambda's axis is logarithmic (linear up to the first step after 0); by default
        when the branch spans more than :data:`LOG_SPAN`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from kurilsim.forms import catalogue
    >>> from kurilsim.forms.normal.logit_qre import logit_correspondence
    >>> game = catalogue.stag_hunt()
    >>> branch = logit_correspondence(game.payoffs).labelled(game)
    >>> figure = logit_curves(branch)
    >>> axes = figure.axes[0]
    >>> axes.get_xlabel(), axes.get_ylabel(), axes.get_xscale()
    ('lambda (precision of the logit response)', 'probability', 'symlog')
    >>> [line.get_label() for line in axes.get_lines()]
    ['Hunter 1: Stag', 'Hunter 1: Hare', 'Hunter 2: Stag', 'Hunter 2: Hare']
    """
    figure, axes = new_axes(ax)
    for player, names, probs, colour in zip(
        branch.players,
        branch.strategies,
        branch.profiles,
        colours(len(branch.players)),
        strict=True,
    ):
        for k, name in enumerate(names):
            axes.plot(
                branch.lambdas,
                probs[:, k],
                color=colour,
                linestyle=STYLES[k % len(STYLES)],
                label=f"{player}: {name}",
            )
    positive = branch.lambdas[branch.lambdas > 0]
    if log_lambda is None:
        log_lambda = positive.size > 0 and positive.max() > LOG_SPAN * positive.min()
    if log_lambda and positive.size > 0:
        axes.set_xscale("symlog", linthresh=float(positive.min()))
    axes.set_xlim(0.0, float(np.max(branch.lambdas)))
    axes.set_ylim(-0.02, 1.02)
    axes.set_xlabel("lambda (precision of the logit response)")
    axes.set_ylabel("probability")
    axes.set_title("Principal branch of the logit quantal response equilibrium")
    axes.legend(title="player: strategy", fontsize="small")
    axes.grid(True, alpha=0.3)
    return figure
