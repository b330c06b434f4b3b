"""Sliders over a scenario's parameters that redraw its equilibria, for Jupyter.

:func:`explore` builds one slider per parameter (over its evidenced range, starting at its
default), the result's table and its plot. Moving a slider solves the scenario again at the new
values and redraws both; :meth:`Explorer.update` does the same from code. Any game form works:
normal-form scenarios show their equilibria and each player's payoff in them, bargaining
scenarios their deals and the feasible set, game trees and conflicts their tables.

The widgets need ipywidgets, an optional extra: ``pip install 'kurilsim[interactive]'``. It is
imported only when a widget is built, so the rest of kurilsim works without it.

Examples
--------
In a notebook:

>>> import kurilsim
>>> from kurilsim.presentation.widgets import explore
>>> scenario = kurilsim.load_scenario("scenarios/sochi_2016.yaml")
>>> explorer = explore(scenario, ["sanctions", "trust"])  # doctest: +SKIP
>>> explorer  # the sliders, the equilibrium table and the plot  # doctest: +SKIP
>>> explorer.update(trust=0.9, sanctions=0.1)  # as if the sliders had moved  # doctest: +SKIP
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kurilsim.core.display import html_pre
from kurilsim.core.errors import InputError
from kurilsim.core.result import Result
from kurilsim.core.scenario import Scenario
from kurilsim.presentation.figures import figure_kinds, plot
from kurilsim.presentation.images import figure_png

#: Steps of a slider across its parameter's range.
SLIDER_STEPS = 100
#: Resolution of the redrawn figure.
FIGURE_DPI = 80


def _ipywidgets() -> Any:
    """The ipywidgets module, or an ImportError saying how to install it."""
    try:
        import ipywidgets
    except ImportError:
        raise ImportError(
            "kurilsim.presentation.widgets needs ipywidgets; install it with "
            "pip install 'kurilsim[interactive]'"
        ) from None
    return ipywidgets


@dataclass(eq=False)
class Explorer:
    """Sliders over a scenario's parameters, the result's table and its plot.

    Create one with :func:`explore`. In Jupyter it displays as its :attr:`widget`.

    Attributes
    ----------
    scenario
        The scenario explored.
    sliders
        Parameter name -> its slider (``ipywidgets.FloatSlider``).
    table
        The result's HTML table (``ipywidgets.HTML``).
    image
        The result's plot as a PNG (``ipywidgets.Image``), hidden for results without one.
    message
        Why the last values could not be solved, if they could not (``ipywidgets.HTML``).
    widget
        Everything above in one box (``ipywidgets.VBox``).
    result
        The latest result, at the sliders' values.
    method
        The method passed to the scenario's ``solve``.
    """

    scenario: Scenario
    sliders: dict[str, Any]
    table: Any
    image: Any
    message: Any
    widget: Any
    method: str = "auto"
    result: Any = None
    _holding: bool = field(default=False, repr=False)

    def values(self) -> dict[str, float]:
        """The sliders' current values."""
        return {name: float(slider.value) for name, slider in self.sliders.items()}

    def update(self, **values: float) -> Any:
        """Move the named sliders to ``values`` at once, then solve and redraw; return the result.

        Raises
        ------
        InputError
            For a name that has no slider.
        """
        unknown = sorted(set(values).difference(self.sliders))
        if unknown:
            raise InputError(
                f"no slider for {', '.join(unknown)}; sliders: {', '.join(self.sliders)}"
            )
        self._holding = True
        try:
            for name, value in values.items():
                self.sliders[name].value = value
        finally:
            self._holding = False
        return self.refresh()

    def refresh(self) -> Any:
        """Solve at the sliders' values and redraw the table and the plot; return the result.

        Values the scenario refuses leave the last result shown, with the reason above it.
        """
        try:
            result = self.scenario.solve(self.values(), method=self.method)
        except InputError as exc:
            self.message.value = html_pre(f"cannot solve at these values: {exc}")
            return self.result
        self.message.value = ""
        self.result = result
        self.table.value = _table_html(result)
        png = _figure_png(result)
        self.image.value = png or b""
        self.image.layout.display = None if png else "none"
        return result

    def _on_change(self, change: Any) -> None:
        if not self._holding:
            self.refresh()

    def _repr_mimebundle_(self, **options: Any) -> Any:
        return self.widget._repr_mimebundle_(**options)

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={v:g}" for k, v in self.values().items())
        return f"<Explorer {self.scenario.title!r}: {shown}>"


def explore(
    scenario: Scenario, parameters: Sequence[str] | None = None, method: str = "auto"
) -> Explorer:
    """Sliders over ``scenario``'s parameters that redraw the result's table and plot.

    Parameters
    ----------
    scenario
        A loaded scenario of any game form (:func:`kurilsim.load_scenario`).
    parameters
        The parameters to put on sliders, in this order; every parameter with a range by
        default. The others stay at their defaults.
    method
        The solution method, as for the scenario's ``solve``.

    Returns
    -------
    Explorer
        Already solved at the defaults.

    Raises
    ------
    ImportError
        If ipywidgets is not installed.
    InputError
        For a parameter the scenario does not have, or one whose range is a single value.
    """
    widgets = _ipywidgets()
    declared = scenario.parameters
    names = list(declared) if parameters is None else list(parameters)
    unknown = [name for name in names if name not in declared]
    if unknown:
        raise InputError(
            f"{scenario.title!r} has no parameter {', '.join(unknown)}; it has "
            f"{', '.join(declared) or 'none'}"
        )
    if parameters is None:
        names = [name for name in names if declared[name].range[0] < declared[name].range[1]]
    sliders = {}
    for name in names:
        p = declared[name]
        low, high = (float(v) for v in p.range)
        if not low < high:
            raise InputError(f"parameter {name!r} has a single value, {low:g}: nothing to slide")
        sliders[name] = widgets.FloatSlider(
            value=float(p.default),
            min=low,
            max=high,
            step=(high - low) / SLIDER_STEPS,
            description=name,
            tooltip=f"{p.unit}; evidence {', '.join(p.evidence) or 'none: modelling assumption'}",
            continuous_update=False,
            readout_format=".3g",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="32em"),
        )
    table = widgets.HTML()
    image = widgets.Image(format="png")
    message = widgets.HTML()
    box = widgets.VBox(
        [
            widgets.HTML(f"<b>{html.escape(scenario.title)}</b>"),
            *sliders.values(),
            message,
            table,
            image,
        ]
    )
    explorer = Explorer(scenario, sliders, table, image, message, box, method)
    for slider in sliders.values():
        slider.observe(explorer._on_change, names="value")
    explorer.refresh()
    return explorer


def _table_html(result: Result) -> str:
    """The result's own HTML display."""
    return result._repr_html_()


def _figure_png(result: Any) -> bytes | None:
    """The result's default figure (:func:`~kurilsim.presentation.figures.plot`) as PNG bytes.

    None for a result whose type has no figure.
    """
    try:
        figure_kinds(type(result))
    except InputError:
        return None
    return figure_png(plot(result), FIGURE_DPI)
