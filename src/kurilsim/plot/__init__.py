"""Figures from games and sweeps, with matplotlib.

Every function takes the data (a :class:`~kurilsim.sweep.SweepResult`, tipping points, a game)
and an optional ``ax`` to draw on, and returns the :class:`~matplotlib.figure.Figure`; none calls
``pyplot``, so figures carry no global state and render headless. Save one with
``figure.savefig("map.png")`` (PNG, SVG or PDF by the name).
"""

from kurilsim.plot.curves import payoff_curves, probability_curves
from kurilsim.plot.equilibria import equilibrium_payoffs
from kurilsim.plot.payoff_table import payoff_heatmap
from kurilsim.plot.regime_map import regime_map
from kurilsim.plot.shares import shares_chart
from kurilsim.plot.tornado import tornado

__all__ = [
    "equilibrium_payoffs",
    "payoff_curves",
    "payoff_heatmap",
    "probability_curves",
    "regime_map",
    "shares_chart",
    "tornado",
]
