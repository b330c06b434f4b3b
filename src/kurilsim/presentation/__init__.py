"""Figures from games and sweeps, with matplotlib.

:func:`~kurilsim.presentation.figures.plot` (also ``kurilsim.plot``) draws any result by its
type; the functions below draw one kind of figure each.

Every function takes the data (a :class:`~kurilsim.sweeps.SweepResult`, tipping points, a game)
and an optional ``ax`` to draw on, and returns the :class:`~matplotlib.figure.Figure`; none calls
``pyplot``, so figures carry no global state and render headless. Save one with
``figure.savefig("map.png")`` (PNG, SVG or PDF by the name).
"""

from kurilsim.presentation.curves import payoff_curves, probability_curves
from kurilsim.presentation.dynamic_paths import deal_by_round, state_trajectory
from kurilsim.presentation.equilibria import equilibrium_payoffs
from kurilsim.presentation.figures import figure_kinds, plot, register_figure
from kurilsim.presentation.payoff_table import payoff_heatmap
from kurilsim.presentation.regime_map import regime_map
from kurilsim.presentation.sensitivity import index_bars, interaction_map
from kurilsim.presentation.shares import shares_chart
from kurilsim.presentation.tornado import tornado

__all__ = [
    "deal_by_round",
    "equilibrium_payoffs",
    "figure_kinds",
    "index_bars",
    "interaction_map",
    "payoff_curves",
    "payoff_heatmap",
    "plot",
    "probability_curves",
    "regime_map",
    "register_figure",
    "shares_chart",
    "state_trajectory",
    "tornado",
]
