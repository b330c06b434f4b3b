"""Figures of games of incomplete information: beliefs, outcome probabilities, deals by prior.

:func:`belief_chart` draws, for each perfect Bayesian equilibrium, the receiver's belief in the
sender's first type after each message: a dot where Bayes' rule fixes it, a bar over the interval
of beliefs that support the response where the message is never sent. :func:`outcome_chart` draws
each equilibrium's outcome probabilities. :func:`deal_curve` draws the probability of a deal in
each equilibrium of a one-parameter sweep (a prior, say) against that parameter.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kurilsim.core.arguments import check_instance
from kurilsim.core.errors import InputError
from kurilsim.forms.bayesian.result import SignallingSolution
from kurilsim.presentation.common import colours, new_axes
from kurilsim.sweeps.result import SweepResult


def belief_chart(solution: SignallingSolution, ax: Axes | None = None) -> Figure:
    """The receiver's belief in the sender's first type after each message, per equilibrium.

    Examples
    --------
    >>> from kurilsim.forms.bayesian.literature import beer_quiche
    >>> from kurilsim.forms.bayesian.solve import solve_signalling
    >>> figure = belief_chart(solve_signalling(beer_quiche()))
    >>> figure.axes[0].get_ylabel()
    "P(weak) in the receiver's belief"
    """
    solution = check_instance("solution", solution, SignallingSolution, "a SignallingSolution")
    figure, ax = new_axes(ax)
    game = solution.game
    width = 0.8 / max(len(game.messages), 1)
    palette = colours(len(game.messages))
    for m, name in enumerate(game.messages):
        for k, e in enumerate(solution.equilibria):
            x = k + (m - (len(game.messages) - 1) / 2) * width
            region = e.assessment.regions[m]
            label = name if k == 0 else None
            if region is None:
                ax.plot([x], [e.assessment.beliefs[m, 0]], "o", color=palette[m], label=label)
            else:
                low, high = float(region[:, 0].min()), float(region[:, 0].max())
                ax.bar(x, high - low, width * 0.9, bottom=low, color=palette[m], alpha=0.4,
                       label=label)  # fmt: skip
    ax.set_xticks(range(len(solution.equilibria)))
    ax.set_xticklabels([f"{k}: {e.kind}" for k, e in enumerate(solution.equilibria, start=1)])
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel(f"P({game.types[0]}) in the receiver's belief")
    ax.set_title("Beliefs: dots by Bayes' rule, bars the off-path beliefs that support the reply")
    if solution.equilibria:
        ax.legend(title="message")
    return figure


def outcome_chart(solution: SignallingSolution, ax: Axes | None = None) -> Figure:
    """Each equilibrium's outcome probabilities, as grouped bars.

    Examples
    --------
    >>> import kurilsim
    >>> solution = kurilsim.run("scenarios/reassurance_2016.yaml")
    >>> [t.get_text() for t in outcome_chart(solution).axes[0].get_legend().get_texts()]
    ['deal', 'breakdown']
    """
    solution = check_instance("solution", solution, SignallingSolution, "a SignallingSolution")
    figure, ax = new_axes(ax)
    outcomes = solution.game.outcomes
    if not outcomes:
        raise InputError("the game names no outcomes to draw", field="solution")
    width = 0.8 / len(outcomes)
    palette = colours(len(outcomes))
    for j, name in enumerate(outcomes):
        heights = [solution.outcome_probabilities(e)[name] for e in solution.equilibria]
        xs = np.arange(len(heights)) + (j - (len(outcomes) - 1) / 2) * width
        ax.bar(xs, heights, width * 0.9, color=palette[j], label=name)
    ax.set_xticks(range(len(solution.equilibria)))
    ax.set_xticklabels(
        [
            f"{k}: {e.kind}{'' if e.intuitive else ' (not intuitive)'}"
            for k, e in enumerate(solution.equilibria, start=1)
        ]
    )
    ax.set_ylabel("probability (expected value)")
    ax.set_title("Outcomes in each perfect Bayesian equilibrium")
    ax.legend()
    return figure


def deal_curve(result: SweepResult, ax: Axes | None = None) -> Figure:
    """The probability of a deal in each equilibrium against the one swept parameter.

    One series per kind of equilibrium (pooling, separating, hybrid ...); hollow markers for
    equilibria that fail the intuitive criterion.

    Raises
    ------
    InputError
        If the sweep varies more or fewer than one parameter, or has no deal probability.

    Examples
    --------
    >>> import kurilsim
    >>> scenario = kurilsim.load_scenario("scenarios/reassurance_2016.yaml")
    >>> sweep = kurilsim.sweep(scenario, {"p_independent": (0.1, 0.9, 5)}, workers=1)
    >>> deal_curve(sweep).axes[0].get_xlabel()
    'p_independent'
    """
    result = check_instance("result", result, SweepResult, "a SweepResult")
    table = result.to_frame()
    varied = [c for c in table.columns if c.startswith("param.")]
    if len(varied) != 1 or "deal_probability" not in table.columns:
        raise InputError(
            "a deal curve needs a sweep of one parameter of a game of incomplete information "
            "with a deal condition",
            field="result",
        )
    x = varied[0]
    figure, ax = new_axes(ax)
    kinds = list(dict.fromkeys(table["kind"]))
    palette = colours(len(kinds))
    for kind, colour in zip(kinds, palette, strict=True):
        rows = table[table["kind"] == kind]
        passing = rows[rows["intuitive"].astype(bool)]
        failing = rows[~rows["intuitive"].astype(bool)]
        if len(passing):
            ax.plot(passing[x], passing["deal_probability"], "o", color=colour, label=kind)
        if len(failing):
            ax.plot(failing[x], failing["deal_probability"], "o", mfc="none", color=colour,
                    label=f"{kind} (fails the intuitive criterion)")  # fmt: skip
    ax.set_xlabel(x.removeprefix("param."))
    ax.set_ylabel("probability of a deal")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title("Probability of a deal in each equilibrium")
    ax.legend()
    return figure
