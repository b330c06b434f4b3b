"""The interactive explorer: sliders over a scenario's parameters redraw its table and plot."""

import sys

import pytest

from kurilsim import InputError, load_scenario, parse_scenario
from kurilsim.presentation.widgets import explore
from tests.helpers import ROOT
from tests.strategies import STAG_HUNT

pytest.importorskip("ipywidgets")  # the dev extra installs it


def test_sliders_start_at_the_defaults_over_the_ranges():
    explorer = explore(parse_scenario(STAG_HUNT))
    assert list(explorer.sliders) == ["stag", "hare"]
    stag = explorer.sliders["stag"]
    assert (stag.value, stag.min, stag.max) == (4, 2, 10)
    assert "E01" in explorer.sliders["hare"].tooltip
    assert "3 equilibria" in explorer.table.value
    assert bytes(explorer.image.value).startswith(b"\x89PNG")


def test_moving_a_slider_solves_again_and_redraws():
    explorer = explore(parse_scenario(STAG_HUNT), ["hare"])
    before = explorer.image.value
    explorer.sliders["hare"].value = 0.0  # as a user would: the observer solves again
    assert explorer.result.game.payoffs[1, 1].tolist() == [0.0, 0.0]
    assert explorer.image.value != before


def test_update_moves_several_sliders_and_solves_once(monkeypatch):
    scenario = load_scenario(ROOT / "scenarios" / "sochi_2016.yaml")
    explorer = explore(scenario, ["sanctions", "trust"])
    assert "1 equilibrium of" in explorer.table.value
    calls = []
    solve = type(scenario).solve
    monkeypatch.setattr(
        type(scenario), "solve", lambda self, *a, **k: calls.append(a) or solve(self, *a, **k)
    )
    result = explorer.update(trust=0.9, sanctions=0.1)
    assert len(calls) == 1
    assert len(result.equilibria) == 3
    assert "two_islands" in explorer.table.value
    assert explorer.values() == {"sanctions": 0.1, "trust": 0.9}
    assert repr(explorer).endswith("sanctions=0.1, trust=0.9>")


def test_bargaining_scenario_shows_deals_and_the_feasible_set():
    explorer = explore(load_scenario(ROOT / "scenarios" / "bargaining_2016.yaml"), ["oppose_two"])
    assert "Nash bargaining" in explorer.table.value
    explorer.update(oppose_two=0.6)
    assert bytes(explorer.image.value).startswith(b"\x89PNG")


def test_unknown_parameters_are_refused():
    scenario = parse_scenario(STAG_HUNT)
    with pytest.raises(InputError, match="no parameter deer"):
        explore(scenario, ["deer"])
    with pytest.raises(InputError, match="no slider for hare"):
        explore(scenario, ["stag"]).update(hare=1.0)


def test_without_ipywidgets_the_error_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    with pytest.raises(ImportError, match=r"kurilsim\[interactive\]"):
        explore(parse_scenario(STAG_HUNT))


def test_the_widget_displays_in_jupyter():
    bundle = explore(parse_scenario(STAG_HUNT))._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
