"""Figures render headless and show the data and labels they claim to."""

import io
import re

import numpy as np
import pytest
from matplotlib.collections import QuadMesh
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

import kurilsim
from kurilsim import InputError, parse_scenario
from kurilsim.analysis.tipping import tipping_points
from kurilsim.forms import catalogue
from kurilsim.presentation import (
    payoff_curves,
    payoff_heatmap,
    probability_curves,
    regime_map,
    shares_chart,
    tornado,
)
from kurilsim.presentation.common import CYCLE
from kurilsim.sweeps import read_sweep, sweep
from kurilsim.sweeps.shares import wilson_interval
from tests.strategies import STAG_HUNT

SANCTIONS_UNIT = "share of the Japanese package that US-led sanctions deter (0 = none)"


@pytest.fixture(scope="module")
def sochi(request):
    return kurilsim.load_scenario(request.config.rootpath / "scenarios" / "sochi_2016.yaml")


@pytest.fixture(scope="module")
def regime_sweep(sochi):
    return sweep(sochi, {"sanctions": (0, 0.7, 29), "trust": (0, 1, 21)})


def renders(figure):
    assert isinstance(figure, Figure)
    for format in ("png", "svg"):
        buffer = io.BytesIO()
        figure.savefig(buffer, format=format)
        assert buffer.tell() > 1000
    return figure


def legend_texts(ax):
    return [text.get_text().replace("\n", " ") for text in ax.get_legend().get_texts()]


def legend_names(ax):
    """The legend's entries, each number replaced by the name the key under it gives."""
    texts = legend_texts(ax)
    keys = [t.get_text() for t in ax.texts if t.get_text().startswith("1  ")]
    if not keys:
        return texts
    entries = (entry.split("  ", 1) for entry in re.split(r"\n(?=\d+  )", keys[0]))
    names = {number: " ".join(name.split()) for number, name in entries}
    return [names.get(text, text) for text in texts]


def test_regime_map_colours_each_point_by_its_regime(regime_sweep):
    ax = renders(regime_map(regime_sweep)).axes[0]
    assert ax.get_xlabel().replace("\n", " ") == f"sanctions ({SANCTIONS_UNIT})"
    assert ax.get_ylabel().replace("\n", " ").startswith("trust (index, 0 = none")
    regimes = regime_sweep.shares()["regime"].tolist()  # most frequent first, as in the legend
    assert legend_names(ax) == [*regimes, "scenario default"]
    # Whole profiles are too long for the legend: numbers there and on the map, names in a key.
    assert legend_texts(ax)[: len(regimes)] == [str(k) for k in range(1, len(regimes) + 1)]
    assert {t.get_text() for t in ax.texts} >= {str(k) for k in range(1, len(regimes) + 1)}
    mesh = next(c for c in ax.collections if isinstance(c, QuadMesh))
    codes = np.asarray(mesh.get_array()).reshape(21, 29)
    points = regime_sweep.points()
    for row in points.sample(25, random_state=0).itertuples():
        i = round(row[3] / 0.05)  # trust index
        j = round(row[2] / 0.025)  # sanctions index
        assert regimes[int(codes[i, j])] == row.regime
    star = next(line for line in ax.get_lines() if line.get_label() == "scenario default")
    assert (star.get_xdata()[0], star.get_ydata()[0]) == (0.5, 0.3)
    assert "other parameters at their defaults" in ax.get_title()


def test_regime_map_of_three_axes_needs_a_slice(sochi):
    result = sweep(sochi, {"sanctions": (0, 0.7, 5), "trust": (0, 1, 3), "package": (0.5, 2, 4)})
    with pytest.raises(InputError, match="at=\\{'package'"):
        regime_map(result)
    ax = renders(regime_map(result, at={"package": 1.1})).axes[0]
    assert "package = 1.1" in ax.get_title()
    mesh = next(c for c in ax.collections if isinstance(c, QuadMesh))
    assert np.asarray(mesh.get_array()).size == 5 * 3


def test_curves_show_each_strategy_and_payoff_along_the_axis():
    result = sweep(
        parse_scenario(STAG_HUNT), {"stag": (2, 10, 5)}, method="vertex-enumeration", workers=1
    )
    table = result.to_frame()
    figure = renders(probability_curves(result))
    assert [ax.get_title() for ax in figure.axes] == ["A", "B"]
    assert figure.axes[-1].get_xlabel() == "stag (meals)"
    first = figure.axes[0].get_lines()[0]
    assert first.get_label() == "stag in A: hare, B: hare"
    expected = table[table["label"] == "A: hare, B: hare"]["prob.A.stag"].to_numpy()
    assert np.array_equal(np.asarray(first.get_ydata()), expected)
    assert len(figure.axes[0].get_lines()) == 2 * 3  # two strategies, three outcomes
    figure = renders(payoff_curves(result))
    assert [ax.get_title() for ax in figure.axes] == ["A", "B"]  # a panel per player
    ax = figure.axes[1]
    assert [line.get_label() for line in ax.get_lines()] == sorted(
        set(table["label"]), key=list(table["label"]).index
    )
    stag = next(line for line in ax.get_lines() if line.get_label() == "A: stag, B: stag")
    assert np.array_equal(np.asarray(stag.get_ydata()), [2, 4, 6, 8, 10])


def test_curves_break_where_the_outcome_changes_and_follow_one_outcome_per_line(sochi):
    result = sweep(sochi, {"sanctions": (0, 0.7, 51)}, workers=1)
    table = result.to_frame()
    x = np.unique(table["param.sanctions"])
    figure = renders(payoff_curves(result))
    assert [ax.get_title() for ax in figure.axes] == list(result.info.players)
    for ax, player in zip(figure.axes, result.info.players, strict=True):
        lines = ax.get_lines()
        assert len({line.get_label() for line in lines}) == len(lines) == table["label"].nunique()
        for line in lines:
            rows = table[table["label"] == line.get_label()]
            y = np.asarray(line.get_ydata(), dtype=float)
            held = np.isin(x, rows["param.sanctions"])
            assert np.array_equal(np.isfinite(y), held)  # drawn only where it holds
            assert np.allclose(y[held], rows[f"payoff.{player}"])
    # Where the sole equilibrium changes, no line joins the two sides: the jump shows.
    sole = table.groupby("param.sanctions")["label"].agg(lambda s: tuple(s))
    changes = [k for k in range(1, len(x)) if sole.iloc[k] != sole.iloc[k - 1]]
    assert changes
    for k in changes:
        for line in figure.axes[1].get_lines():
            y = np.asarray(line.get_ydata(), dtype=float)
            label = line.get_label()
            if (label in sole.iloc[k - 1]) != (label in sole.iloc[k]):
                assert not (np.isfinite(y[k - 1]) and np.isfinite(y[k]))
    legend = [t.get_text().replace("\n", " ") for t in figure.legends[0].get_texts()]
    assert legend == list(dict.fromkeys(table["label"]))
    probabilities = renders(probability_curves(result))
    labels = {line.get_label() for line in probabilities.axes[0].get_lines()}
    assert labels == {f"{s} in {o}" for s in result.info.strategies[0] for o in legend}


def test_shares_chart_draws_shares_and_intervals(sochi):
    result = sweep(sochi, samples=400, seed=3)
    shares = result.shares(top=5)
    ax = renders(shares_chart(result, top=5)).axes[0]
    widths = [patch.get_width() for patch in ax.patches]
    assert np.allclose(widths, shares["share"])
    assert [t.get_text().replace("\n", " ") for t in ax.texts] == [
        f"{name}: {share:.1%}"
        for name, share in zip(shares["regime"], shares["share"], strict=True)
    ]
    assert shares["regime"].iloc[-1].startswith("other (")
    assert ax.get_xlabel() == "share of 400 draws (seed 3); 95% Wilson interval"
    assert ((shares["low"] <= shares["share"]) & (shares["share"] <= shares["high"])).all()


def test_shares_of_a_grid_where_one_outcome_holds_everywhere_have_no_interval(sochi):
    result = sweep(sochi, {"trust": (0, 1, 51)})
    ax = renders(kurilsim.plot(result, "shares")).axes[0]
    assert [patch.get_width() for patch in ax.patches] == [1.0]
    assert not ax.lines and not ax.collections  # no error bars: a grid is not a sample
    assert ax.get_xlabel() == "share of 51 grid points: a grid is not a sample, no interval applies"


def test_shares_over_a_grid_and_draws_have_intervals_over_the_draws(sochi):
    result = sweep(sochi, {"sanctions": (0, 0.7, 11)}, samples=40, seed=2)
    shares = result.shares(top=4)
    ax = renders(shares_chart(result, top=4)).axes[0]
    assert ax.get_xlabel() == (
        "share of 11 grid points x 40 draws (seed 2); 95% Wilson interval over the draws only"
    )
    bars = next(c for c in ax.collections if c.get_segments())
    spans = [segment[1][0] - segment[0][0] for segment in bars.get_segments()]
    assert np.allclose(spans, shares["high"] - shares["low"])
    assert np.allclose(
        shares["high"] - shares["low"],
        [high - low for low, high in zip(*wilson_interval(shares["share"] * 40, 40), strict=True)],
    )


def test_tornado_orders_parameters_by_their_nearest_tipping_point(sochi):
    tipping = tipping_points(sochi, ["trust", "sanctions", "pressure_cost"])
    ax = renders(tornado(tipping)).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "pressure_cost = 0.13",
        "sanctions = 0.5",
        "trust = 0.3",
    ]
    assert "no change up to the end of the range" in legend_texts(ax)
    assert {"0.1", "0.32", "0.667"} <= {t.get_text() for t in ax.texts}
    assert kurilsim.plot(tipping, kind="tornado").axes[0].get_xlabel() == ax.get_xlabel()


def test_payoff_heatmap_shows_both_payoffs_and_frames_equilibria():
    game = catalogue.battle_of_the_sexes()
    ax = renders(payoff_heatmap(game, player=1)).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == list(game.strategies[1])
    assert ax.get_xlabel() == game.players[1]
    frames = [p for p in ax.patches if not p.get_fill()]
    assert len(frames) == len(kurilsim.solve(game, "pure"))
    colour_bar = ax.figure.axes[1]
    assert colour_bar.get_ylabel() == f"payoff of {game.players[1]}"


def test_plot_functions_draw_on_given_axes(regime_sweep):
    figure = Figure()
    left, right = figure.subplots(1, 2)
    assert regime_map(regime_sweep, ax=left) is figure
    assert payoff_heatmap(catalogue.prisoners_dilemma(), ax=right) is figure
    assert left.get_xlabel().startswith("sanctions")


def test_result_plot_picks_the_figure_for_the_sweep(regime_sweep, sochi):
    assert kurilsim.plot(regime_sweep).axes[0].get_title().startswith("Pure Nash equilibria")
    with pytest.raises(InputError, match="no figure of kind 'pie'"):
        kurilsim.plot(regime_sweep, "pie")
    with pytest.raises(InputError, match="without samples"):
        kurilsim.plot(sweep(sochi, samples=10), "regime")


def test_regime_map_title_names_the_method_of_the_sweep():
    hunt = parse_scenario(STAG_HUNT)
    grid = {"stag": (2, 10, 3), "hare": (0, 3, 3)}
    pure = regime_map(sweep(hunt, grid)).axes[0].get_title()
    mixed = regime_map(sweep(hunt, grid, method="vertex-enumeration", workers=1)).axes[0]
    assert pure.startswith("Pure Nash equilibria: ")
    assert mixed.get_title().startswith("Nash equilibria (vertex-enumeration): ")


def test_regime_map_never_gives_two_regimes_one_colour():
    # A chooses the strategy nearest x (B has one): one regime per strategy along x.
    n = 20
    text = (
        "{kurilsim: 1, title: Nearest, players: {A: ["
        + ", ".join(f"s{k}" for k in range(n))
        + "], B: [b]}, parameters: {x: {default: 0, range: [0, 19], unit: u, description: x,"
        " assumption: e}, y: {default: 0, range: [0, 1], unit: u, description: y,"
        " assumption: e}}, payoff_table: ["
        + ", ".join(f"{{profile: [s{k}, b], payoffs: [-(x - {k})**2 + y, 0]}}" for k in range(n))
        + "]}"
    )
    result = sweep(parse_scenario(text), {"x": (0, 19, 20), "y": (0, 1, 2)})
    ax = renders(regime_map(result)).axes[0]
    handles = ax.get_legend().legend_handles
    texts = legend_texts(ax)
    assert texts[-2] == "other (7 regimes)" and texts[-1] == "scenario default"
    patches = [tuple(h.get_facecolor()) for h in handles[:-1]]
    assert len(set(patches)) == len(patches) == 14
    mesh = next(c for c in ax.collections if isinstance(c, QuadMesh))
    assert set(np.unique(np.asarray(mesh.get_array()))) == set(range(14))


def test_a_tornado_where_nothing_tips_says_so(sochi):
    ax = renders(tornado(tipping_points(sochi, ["trust"]))).axes[0]
    assert not ax.patches and ax.get_legend() is None and not ax.axison
    assert [t.get_text() for t in ax.texts] == [
        "No parameter changes the equilibria within its range.\n\n"
        "moved over their whole ranges: trust"
    ]


def styles_of(ax):
    """Each regime of the legend -> its fill, and its hatch with the hatch's colour."""
    legend = ax.get_legend()
    return {
        name: (
            to_hex(handle.get_facecolor()),
            handle.get_hatch() or "",
            to_hex(handle.get_edgecolor()) if handle.get_hatch() else "",
        )
        for name, handle in zip(legend_names(ax), legend.legend_handles, strict=True)
        if isinstance(handle, Rectangle)
    }


def test_a_regime_has_one_colour_in_the_regime_map_and_the_tornado(sochi, regime_sweep):
    mapped = renders(regime_map(regime_sweep)).axes[0]
    # Moving us_resolve flips to a regime the map does not show: it must not shift the others.
    tipped = renders(tornado(tipping_points(sochi, ["sanctions", "us_resolve"]))).axes[0]
    on_map, on_tornado = styles_of(mapped), styles_of(tipped)
    shared = set(on_map) & set(on_tornado)
    assert "Russia: joint_economic, Japan: economics_only, US: tolerate, China: neutral" in shared
    assert len(shared) == 2 and len(on_tornado) == 4  # 3 regimes and "no change"
    assert all(on_map[name] == on_tornado[name] for name in shared)
    assert len(set(on_map.values())) == len(on_map)
    assert len(set(on_tornado.values())) == len(on_tornado)


def test_regimes_named_by_a_labels_block_take_colours_in_its_order(tmp_path):
    # A picks the strategy nearest x; the labels name them in the file's order.
    hunt = parse_scenario(
        "{kurilsim: 1, title: Labels, players: {A: [a, b, c], B: [w]}, parameters: {x: {default:"
        " 0, range: [0, 2], unit: u, description: x, assumption: e}, y: {default: 0, range: [0,"
        " 1], unit: u, description: y, assumption: e}}, payoff_table: [{profile: [a, w], payoffs:"
        " [-x**2, 0]}, {profile: [b, w], payoffs: [-(x - 1)**2, 0]}, {profile: [c, w], payoffs:"
        " [-(x - 2)**2, 0]}], labels: [{when: {A: c}, label: war}, {when: {A: a}, label: talks},"
        " {when: {A: b}, label: freeze}]}"
    )
    for grid in ({"x": (0, 2, 5), "y": (0, 1, 2)}, {"x": (1, 2, 3), "y": (0, 1, 2)}):
        result = sweep(hunt, grid, out=tmp_path / f"{grid['x'][0]}.parquet", workers=1)
        styles = styles_of(renders(regime_map(read_sweep(result.path))).axes[0])
        order = {"war": 0, "talks": 1, "freeze": 2}  # ties give "talks or freeze"
        for name, (face, _, hatch_colour) in styles.items():
            parts = name.split(" or ")
            assert face == to_hex(CYCLE[order[parts[0]]])
            assert hatch_colour == ("" if len(parts) == 1 else to_hex(CYCLE[order[parts[1]]]))


def test_a_regime_keeps_its_colour_in_sweeps_over_other_ranges(sochi, regime_sweep):
    # The corner of high trust and low sanctions: fewer regimes, in another order of frequency.
    corner = sweep(sochi, {"sanctions": (0, 0.35, 8), "trust": (0.5, 1, 11)})
    whole = styles_of(renders(regime_map(regime_sweep)).axes[0])
    part = styles_of(renders(regime_map(corner)).axes[0])
    shared = set(whole) & set(part)
    assert len(shared) >= 3 and len(part) < len(whole)
    assert all(whole[name] == part[name] for name in shared)
    # The shares chart draws each regime as the regime map does.
    bars = renders(shares_chart(regime_sweep)).axes[0].patches
    names = regime_sweep.shares()["regime"].tolist()
    assert len(bars) == len(names)
    for name, bar in zip(names, bars, strict=True):
        hatch = bar.get_hatch() or ""
        edge = to_hex(bar.get_edgecolor()) if hatch else ""
        assert (to_hex(bar.get_facecolor()), hatch, edge) == whole[name]
    hatched = [c for c in regime_map(corner).axes[0].collections if c.get_hatch()]
    assert {(c.get_hatch(), to_hex(c.get_edgecolor()[0])) for c in hatched} == {
        (hatch, colour) for _, hatch, colour in part.values() if hatch
    }
