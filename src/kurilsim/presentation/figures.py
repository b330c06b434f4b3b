"""One entry for every figure: :func:`plot` draws any result that has one.

Figures are found by the type of the result through a registry: each type maps kind names
(``"regime"``, ``"shares"``, ...) to figure functions, one of them its default. A result whose
own type has no entry takes that of its nearest base class. The figures of kurilsim's own results
are registered at the end of this module (the first kind of each is its default):

- ``Solution``: ``payoffs``, each player's payoff in each equilibrium;
- ``NormalFormGame``: ``table``, the payoff table of a two-player game, pure equilibria framed;
- ``LogitBranch``: ``probabilities``, each strategy's probability along the logit QRE branch;
- ``BargainingSolution``: ``utilities``, the feasible set, the ZOPA and each concept's deal;
- ``SweepResult``: ``auto`` (the default: the figure that fits the sweep, see
  :func:`sweep_figure`), ``regime``, ``probabilities``, ``payoffs`` and ``shares``;
- ``TippingPoints``: ``tornado``, how far each parameter is from a change of equilibria;
- ``Sensitivity``: ``indices`` and ``interactions`` (registered by
  :mod:`kurilsim.presentation.sensitivity`).
- ``Calibration``: ``marginals`` (posteriors against priors), ``pairs`` and ``records`` (each
  era's posterior probability of its recorded outcome).
- ``LearningPath``: ``time``, each strategy's probability along the path, and ``simplex``, each
  player's path on their simplex.

A new game form adds its figures from its own module in :mod:`kurilsim.presentation` with
:func:`register_figure`, and that package's ``__init__`` imports the module, so the figures are
registered whenever :func:`plot` can be called. Results themselves know nothing of figures.

Examples
--------
>>> import kurilsim
>>> from kurilsim.forms import catalogue
>>> figure = kurilsim.plot(kurilsim.solve(catalogue.battle_of_the_sexes()))
>>> figure.axes[0].get_ylabel()
'payoff in equilibrium'
>>> figure_kinds(kurilsim.SweepResult)
('auto', 'regime', 'probabilities', 'payoffs', 'shares', 'deal')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kurilsim.analysis.calibration import Calibration
from kurilsim.analysis.learning import LearningPath
from kurilsim.analysis.tipping import TippingPoints
from kurilsim.core.arguments import check_bool, check_instance, check_text, shown
from kurilsim.core.errors import ArgumentTypeError, InputError
from kurilsim.forms.bargaining.result import BargainingSolution
from kurilsim.forms.bayesian.result import SignallingSolution
from kurilsim.forms.information.game import InformationTree
from kurilsim.forms.information.result import BehaviourSolution
from kurilsim.forms.normal.game import NormalFormGame
from kurilsim.forms.normal.logit_qre import LogitBranch
from kurilsim.forms.normal.result import Solution
from kurilsim.forms.repeated.result import RepeatedSolution
from kurilsim.presentation.bargaining import plot_bargaining
from kurilsim.presentation.calibration import marginals, pairs, records
from kurilsim.presentation.curves import payoff_curves, probability_curves
from kurilsim.presentation.equilibria import equilibrium_payoffs
from kurilsim.presentation.information import belief_chart, deal_curve, outcome_chart
from kurilsim.presentation.information_tree import information_tree_figure
from kurilsim.presentation.learning import learning_over_time, learning_simplex
from kurilsim.presentation.logit import logit_curves
from kurilsim.presentation.payoff_table import payoff_heatmap
from kurilsim.presentation.regime_map import regime_map
from kurilsim.presentation.repeated import payoff_set_figure
from kurilsim.presentation.shares import shares_chart
from kurilsim.presentation.tornado import tornado
from kurilsim.sweeps.result import SweepResult

#: A figure function: ``function(result, ax=None, **options)`` returns the Figure it drew on.
FigureFunction = Callable[..., Figure]

#: Figure functions by result type and kind, in the order they were registered.
_FIGURES: dict[type, dict[str, FigureFunction]] = {}
#: The default kind of each registered type.
_DEFAULTS: dict[type, str] = {}


def register_figure(
    result_type: type, kind: str, function: FigureFunction, default: bool = False
) -> None:
    """Make ``plot(result, kind)`` draw results of ``result_type`` (and its subclasses).

    Parameters
    ----------
    result_type
        The class of the results the figure draws.
    kind
        The figure's name among those of the type; registering a kind again replaces it.
    function
        Called as ``function(result, ax=ax, **options)``; it draws on ``ax`` (a new figure,
        without pyplot, when ``ax`` is None) and returns the Figure.
    default
        Whether ``plot(result)`` without a kind draws this figure. The first kind registered for
        a type is its default until another is registered with ``default=True``.

    Raises
    ------
    ArgumentTypeError
        If ``result_type`` is not a class, ``kind`` not a string, ``function`` not callable or
        ``default`` not True or False.

    Examples
    --------
    >>> from dataclasses import dataclass
    >>> from matplotlib.figure import Figure
    >>> @dataclass
    ... class Offers:
    ...     values: list[float]
    >>> def offers_chart(offers, ax=None):
    ...     figure = Figure() if ax is None else ax.figure
    ...     (ax or figure.add_subplot()).plot(offers.values)
    ...     return figure
    >>> register_figure(Offers, "line", offers_chart, default=True)
    >>> len(plot(Offers([0.2, 0.5, 0.4])).axes[0].lines)
    1
    """
    check_instance("result_type", result_type, type, "a class")
    check_text("kind", kind)
    if not callable(function):
        raise ArgumentTypeError(f"expected a function, got {shown(function)}", field="function")
    check_bool("default", default)
    _FIGURES.setdefault(result_type, {})[kind] = function
    if default or result_type not in _DEFAULTS:
        _DEFAULTS[result_type] = kind


def figure_kinds(result_type: type) -> tuple[str, ...]:
    """The kinds of figure :func:`plot` draws for results of ``result_type``, default first.

    Raises
    ------
    ArgumentTypeError
        If ``result_type`` is not a class, or no figure is registered for it or any of its base
        classes.

    Examples
    --------
    >>> from kurilsim.analysis.tipping import TippingPoints
    >>> figure_kinds(TippingPoints)
    ('tornado',)
    """
    owner = _registered_base(check_instance("result_type", result_type, type, "a class"))
    default = _DEFAULTS[owner]
    return (default, *(kind for kind in _FIGURES[owner] if kind != default))


def plot(
    result: object,
    kind: str | None = None,
    ax: Axes | Sequence[Axes] | None = None,
    **options: Any,
) -> Figure:
    """Draw ``result``: the figure of its type named ``kind``, or its default figure.

    Parameters
    ----------
    result
        A game, a solution, a sweep, tipping points: anything with a registered figure (see
        :func:`figure_kinds` and the table in :mod:`kurilsim.presentation.figures`).
    kind
        Which of the type's figures to draw; by default the type's default figure.
    ax
        The axes to draw on (a sequence of them for probability curves, one per player); a new
        figure, without pyplot, by default.
    **options
        Passed to the figure function: ``player=`` for a payoff table, ``x=``, ``y=``, ``at=``
        for sweep figures, ``log_lambda=`` for a logit branch, and so on.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on; save it with ``figure.savefig("name.png")``.

    Raises
    ------
    ArgumentTypeError
        If the result's type has no figure, or ``kind`` is not a string.
    InputError
        If the result's type has no figure of the kind asked for.

    Examples
    --------
    >>> import kurilsim
    >>> from kurilsim.forms import catalogue
    >>> game = catalogue.battle_of_the_sexes()
    >>> kurilsim.plot(game, player=1).axes[0].get_xlabel()
    'Husband'
    >>> kurilsim.plot(game, "pie")
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: NormalFormGame has no figure of kind 'pie'; its kinds: table
    """
    kind = check_text("kind", kind, optional=True)
    owner = _registered_base(type(result))
    figures = _FIGURES[owner]
    chosen = _DEFAULTS[owner] if kind is None else kind
    if chosen not in figures:
        raise InputError(
            f"{type(result).__name__} has no figure of kind {chosen!r}; its kinds: "
            + ", ".join(figure_kinds(owner))
        )
    return figures[chosen](result, ax=ax, **options)


def _registered_base(result_type: type) -> type:
    """The first class in the method resolution order of ``result_type`` that has figures."""
    for base in result_type.__mro__:
        if base in _FIGURES:
            return base
    raise ArgumentTypeError(
        f"{result_type.__name__} has no figure; figures are drawn for "
        + ", ".join(sorted(known.__name__ for known in _FIGURES)),
        field="result",
    )


def sweep_figure(result: SweepResult, **options: Any) -> Figure:
    """The figure that fits the sweep's shape.

    Outcome shares (:func:`~kurilsim.presentation.shares.shares_chart`) for a sweep with
    samples, probability curves (:func:`~kurilsim.presentation.curves.probability_curves`) for
    a grid over one parameter, a regime map (:func:`~kurilsim.presentation.regime_map.regime_map`)
    otherwise; ``options`` go to that function.

    Raises
    ------
    ArgumentTypeError
        If ``result`` is not a :class:`~kurilsim.sweeps.result.SweepResult`.

    Examples
    --------
    >>> import kurilsim
    >>> hunt = kurilsim.parse_scenario(
    ...     "{kurilsim: 1, title: Stag hunt, players: {A: [stag, hare], B: [stag, hare]},"
    ...     " parameters: {stag: {default: 4, range: [0, 10], unit: meals, description: s,"
    ...     " assumption: e}, hare: {default: 1, range: [0, 3], unit: meals, description: h,"
    ...     " assumption: e}}, payoff_table: [{profile: [stag, stag], payoffs: [stag, stag]},"
    ...     " {profile: [stag, hare], payoffs: [0, hare]}, {profile: [hare, stag],"
    ...     " payoffs: [hare, 0]}, {profile: [hare, hare], payoffs: [hare, hare]}]}")
    >>> grid = kurilsim.sweep(hunt, {"stag": (0, 10, 5), "hare": (0, 3, 4)})
    >>> sweep_figure(grid).axes[0].get_xlabel()
    'stag (meals)'
    >>> drawn = kurilsim.sweep(hunt, samples=50, seed=1)
    >>> sweep_figure(drawn).axes[0].get_title().startswith("Outcome shares")
    True
    """
    spec = check_instance("result", result, SweepResult, "a SweepResult").info.spec
    if spec.samples:
        return shares_chart(result, **options)
    if len(spec.grid) == 1:
        if "deal_probability" in result.to_frame().columns:  # equilibria without strategy columns
            return deal_curve(result, **options)
        return probability_curves(result, **options)
    return regime_map(result, **options)


register_figure(Solution, "payoffs", equilibrium_payoffs)
register_figure(NormalFormGame, "table", payoff_heatmap)
register_figure(LogitBranch, "probabilities", logit_curves)
register_figure(BargainingSolution, "utilities", plot_bargaining)
register_figure(SweepResult, "auto", sweep_figure)
register_figure(SweepResult, "regime", regime_map)
register_figure(SweepResult, "probabilities", probability_curves)
register_figure(SweepResult, "payoffs", payoff_curves)
register_figure(SweepResult, "shares", shares_chart)
register_figure(SignallingSolution, "outcomes", outcome_chart)
register_figure(SignallingSolution, "beliefs", belief_chart)
register_figure(SweepResult, "deal", deal_curve)
register_figure(RepeatedSolution, "payoff-set", payoff_set_figure)
register_figure(BehaviourSolution, "tree", information_tree_figure)
register_figure(InformationTree, "tree", information_tree_figure)
register_figure(TippingPoints, "tornado", tornado)
register_figure(Calibration, "marginals", marginals)
register_figure(Calibration, "pairs", pairs)
register_figure(Calibration, "records", records)
register_figure(LearningPath, "time", learning_over_time)
register_figure(LearningPath, "simplex", learning_simplex)
