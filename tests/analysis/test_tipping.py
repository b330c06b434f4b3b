"""Tipping points: thresholds where the pure equilibria change, checked by direct solves."""

import numpy as np
import pandas as pd
import pytest

import kurilsim
from kurilsim import InputError, parse_scenario
from kurilsim.analysis.tipping import tipping_points
from kurilsim.forms.normal.labels import regime
from tests.strategies import STAG_HUNT


@pytest.fixture(scope="module")
def sochi(request):
    return kurilsim.load_scenario(request.config.rootpath / "scenarios" / "sochi_2016.yaml")


def pure_regime(scenario, values):
    solution = scenario.solve(values, method="pure")
    names = [
        ", ".join(
            f"{p}: {max(probs, key=probs.get)}" for p, probs in solution.profile_dict(eq).items()
        )
        for eq in solution
    ]
    return regime(names)


def test_stag_hunt_tips_where_the_stag_stops_paying():
    # (stag, stag) is an equilibrium while stag >= hare: moving hare up tips at stag = 2.5, to
    # within the solver's tolerance (ties count as equilibria).
    table = tipping_points(parse_scenario(STAG_HUNT), ["hare"], fixed={"stag": 2.5}).to_frame()
    up = table[table["direction"] == "up"].iloc[0]
    assert up["threshold"] == pytest.approx(2.5, abs=1e-8)
    assert up["flips_to"] == "A: hare, B: hare"
    assert up["distance"] == pytest.approx(1.5, abs=1e-8)
    assert up["share"] == pytest.approx(0.5, abs=1e-8)
    down = table[table["direction"] == "down"].iloc[0]
    assert np.isnan(down["threshold"]) and pd.isna(down["flips_to"])


def test_every_threshold_separates_the_default_regime_from_the_new_one(sochi):
    tipping = tipping_points(sochi)
    table = tipping.to_frame()
    defaults = sochi.defaults()
    assert tipping.baseline == pure_regime(sochi, defaults)
    tipped = table[table["threshold"].notna()]
    assert len(tipped) >= 5
    for row in tipped.itertuples():
        sign = 1 if row.direction == "up" else -1
        width = row.high - row.low
        before = row.threshold - sign * 1e-6 * width
        after = np.clip(row.threshold + sign * width / 1000, row.low, row.high)
        assert pure_regime(sochi, defaults | {row.parameter: before}) == tipping.baseline
        assert pure_regime(sochi, defaults | {row.parameter: after}) == row.flips_to
        assert row.distance == pytest.approx(abs(row.threshold - row.default))
    steady = table[table["threshold"].isna()]
    for row in steady.itertuples():
        end = row.low if row.direction == "down" else row.high
        assert pure_regime(sochi, defaults | {row.parameter: end}) == tipping.baseline


def test_text_lists_the_nearest_tipping_points_first(sochi):
    text = tipping_points(sochi, ["trust", "sanctions", "pressure_cost"]).to_text()
    lines = text.splitlines()
    assert lines[1].startswith("at the defaults: Russia: joint_economic")
    assert lines[2].startswith("  pressure_cost down from 0.13 to 0.1 (12% of its range)")
    assert lines[-1] == "no change anywhere in the range: trust down, trust up, pressure_cost up"


def test_bad_requests_are_input_errors(sochi):
    with pytest.raises(InputError, match="unknown parameter 'trusts'"):
        tipping_points(sochi, ["trusts"])
    with pytest.raises(InputError, match="outside its declared range"):
        tipping_points(sochi, fixed={"trust": 3})
    with pytest.raises(InputError, match="resolution"):
        tipping_points(sochi, resolution=1)


TALKS = """\
kurilsim: 1
title: Talks
parameters:
  ceding_cost: {default: 0.5, range: [0, 2], unit: units, description: c, assumption: e}
players: {A: [x, y], B: [u, v]}
payoff_table:
  - {profile: [x, u], payoffs: [1, 1]}
  - {profile: [x, v], payoffs: [ceding_cost, ceding_cost]}
  - {profile: [y, u], payoffs: [ceding_cost, ceding_cost]}
  - {profile: [y, v], payoffs: [1, 1]}
labels:
  - {when: {B: u}, label: no deal}
  - {when: {B: v}, label: talks}
  - {when: {A: y, B: u}, label: no deal}
"""


def test_equilibria_with_the_same_names_are_not_a_tip():
    # Below ceding_cost = 1 the diagonal profiles are the equilibria, above it the others: other
    # profiles, but named "no deal" and "talks" all along.
    tipping = tipping_points(parse_scenario(TALKS))
    assert tipping.baseline == "no deal or talks"
    assert tipping.table["threshold"].isna().all()
    assert "no change anywhere in the range: ceding_cost down, ceding_cost up" in tipping.to_text()


def test_thresholds_within_the_tolerance_of_zero_read_as_zero():
    shifted = TALKS.replace("[0, 2]", "[-1, 2]").replace("default: 0.5", "default: -0.5")
    shifted = shifted.replace(
        "[ceding_cost, ceding_cost]}", "[ceding_cost + 1, ceding_cost + 1]}", 1
    )
    tipping = tipping_points(parse_scenario(shifted))
    up = tipping.table.iloc[1]
    assert up["threshold"] != 0 and up["threshold"] == pytest.approx(
        0, abs=1e-8
    )  # exact value kept
    assert "ceding_cost up from -0.5 to 0 (17% of its range): talks" in tipping.to_text()
    assert "<td>0</td>" in tipping._repr_html_()


def test_the_scan_solves_no_more_points_at_once_than_a_sweep_chunk_holds(monkeypatch):
    # A scan of every parameter of a large dynamic game in one batch took gigabytes.
    eras = kurilsim.load_scenario("scenarios/eras_1956_2020.yaml")
    form = type(eras.form)
    solve, sizes = form.sweep_rows, []

    def counted(self, scenario, values, *args):
        sizes.append(max(np.size(v) for v in values.values()))
        return solve(self, scenario, values, *args)

    monkeypatch.setattr(form, "sweep_rows", counted)
    monkeypatch.setattr("kurilsim.analysis.tipping.chunk_size_for", lambda *a: 7)
    tipping_points(eras, ["deal_value"], resolution=11)
    assert max(sizes) == 7


def tied_chain(moves):
    """A, ``moves`` times over, stops (worth ``bonus``) or goes on; the last go is worth 0.

    For a positive bonus stopping now and stopping later tie: ``2 ** (moves - 1)`` equilibria.
    """
    node = "{outcome: {}}"
    for _ in range(moves):
        node = f"{{player: A, actions: {{stop: {{outcome: {{stopped: 1}}}}, go: {node}}}}}"
    return f"""
kurilsim: 1
form: extensive
title: a chain of stops
parameters:
  bonus: {{default: 0.5, range: [-1, 1], unit: u, description: a stop, assumption: toy}}
players: [A, B]
outcomes: {{stopped: {{description: 1 if A stops}}}}
tree: {node}
payoffs: {{A: bonus * stopped, B: "0"}}
"""


def test_a_tied_tree_is_scanned_in_batches_of_no_more_rows_than_a_chunk_holds(monkeypatch):
    # Each point of a tied tree has a row per equilibrium: a chain of 14 tied moves, scanned
    # 16,384 points at once, ran out of memory.
    chain = parse_scenario(tied_chain(6))
    whole = tipping_points(chain, resolution=21)
    form = type(chain.form)
    solve, batches = form.sweep_rows, []

    def counted(self, scenario, values, *args):
        rows = solve(self, scenario, values, *args)
        batches.append((max(np.size(v) for v in values.values()), rows.game.size))
        return rows

    monkeypatch.setattr(form, "sweep_rows", counted)
    monkeypatch.setattr("kurilsim.analysis.tipping.chunk_size_for", lambda *a: 100)
    batched = tipping_points(chain, resolution=21)
    assert max(rows for _, rows in batches) == 96  # 3 points of 32 equilibria
    assert max(points for points, _ in batches) == 3
    pd.testing.assert_frame_equal(batched.table, whole.table)
    assert batched.baseline == whole.baseline and batched.evaluations == whole.evaluations


def test_a_scenario_without_parameters_has_nothing_to_tip(root):
    dilemma = kurilsim.load_scenario(root / "scenarios" / "textbook" / "prisoners_dilemma.yaml")
    with pytest.raises(InputError, match="no parameter to move: the scenario has none"):
        tipping_points(dilemma)


def test_points_solved_short_of_their_bound_are_counted_by_reason(scenarios, monkeypatch):
    """A tipping point rests on every point solved; one where the listing of a tied tree stops
    at ``max_equilibria`` may miss an equilibrium, so the result counts it and warns."""
    import collections

    import kurilsim.forms.extensive.backward_induction as listing

    tree = kurilsim.load_scenario(scenarios / "sequence_1956.yaml")
    finished = tipping_points(tree, ["okinawa_hold_value"], resolution=11)
    assert finished.complete and finished.incomplete_reasons == {}
    assert "WARNING" not in finished.to_text() and "WARNING" not in finished._repr_html_()
    # The points the bisection places within the tolerance of the tie hold two plays each.
    form = type(tree.form)
    solve, reported = form.sweep_rows, collections.Counter()

    def recorded(self, scenario, values, *args):
        rows = solve(self, scenario, values, *args)
        reasons = rows.columns["incomplete_reason"].to_pylist()
        why = dict(zip(rows.game.tolist(), reasons, strict=True))  # a point's rows share theirs
        reported.update(reason for reason in why.values() if reason is not None)
        return rows

    monkeypatch.setattr(form, "sweep_rows", recorded)
    monkeypatch.setattr(listing, "MAX_EQUILIBRIA", 1)
    cut = tipping_points(tree, ["okinawa_hold_value"], resolution=11)
    assert not cut.complete and cut.incomplete_reasons == dict(reported)
    assert set(reported) == {"max_equilibria"}
    assert cut.evaluations == finished.evaluations  # the same points are solved
    expected = f"incomplete at {reported['max_equilibria']} of {cut.evaluations} points"
    assert cut.to_text().splitlines()[-1] == (
        f"WARNING: {expected} (max_equilibria: {reported['max_equilibria']}); "
        "tipping points may be off"
    )
    assert f"<p><b>WARNING: {expected}" in cut._repr_html_()


def test_the_listing_bounds_of_a_tied_tree_are_options_as_in_a_sweep():
    """``max_equilibria`` and ``max_seconds`` bound the listing at each tied point, as a tree
    sweep's options do, and name themselves as the reason where they cut it."""
    chain = parse_scenario(tied_chain(6))  # 32 equilibria wherever the bonus is positive
    whole = tipping_points(chain, resolution=21)
    assert whole.complete
    cut = tipping_points(chain, resolution=21, options={"max_equilibria": 4})
    tied = cut.incomplete_reasons["max_equilibria"]
    assert set(cut.incomplete_reasons) == {"max_equilibria"} and 0 < tied < cut.evaluations
    timed = tipping_points(chain, resolution=21, options={"max_seconds": 0})
    assert timed.incomplete_reasons == {"max_seconds": tied}
    # The first equilibria listed name the same regimes on both sides of each threshold.
    pd.testing.assert_frame_equal(cut.table, timed.table)


def test_an_option_the_forms_sweep_method_does_not_take_is_refused(sochi):
    with pytest.raises(InputError, match="method 'pure' has no option max_equilibria"):
        tipping_points(sochi, ["trust"], options={"max_equilibria": 5})
    with pytest.raises(InputError, match="max_equilibria: expected a whole number >= 1"):
        tipping_points(sochi, ["trust"], options={"max_equilibria": 0})
