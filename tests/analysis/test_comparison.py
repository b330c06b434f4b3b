"""Tests of kurilsim.analysis.comparison and .blocking: the concept panel, what blocks a deal."""

import dataclasses
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kurilsim import InputError, load_scenario, parse_scenario, solve
from kurilsim.analysis.comparison import Comparison, compare
from kurilsim.core.deadline import DEFAULT_MAX_SECONDS
from kurilsim.core.deals import additive_terms
from kurilsim.core.tolerance import DEFAULT_TOL
from kurilsim.forms.normal.blockers import normal_form_blockers
from kurilsim.forms.normal.regret import player_scales
from tests.forms.information.test_form import SCENARIO as INFORMATION
from tests.helpers import ROOT, run_cli
from tests.strategies import ISLANDS

SCENARIOS = ROOT / "scenarios"

# Russia cedes or keeps, Japan accepts or waits, the US tolerates or threatens. A transfer needs
# cede + accept; ceding costs Russia `cost` at home; a US threat costs both `threat` if they deal.
CESSION = """\
kurilsim: 1
title: Cession with a domestic cost and an outside threat
parameters:
  cost: {default: 2, range: [0, 3], unit: utils, description: ratification cost at home,
         assumption: test}
  threat: {default: 0, range: [0, 3], unit: utils, description: harm of a US threat,
           assumption: test}
players:
  Russia: [keep, cede]
  Japan: [wait, accept]
  US: [tolerate, threaten]
outcomes:
  islands:
    description: land transferred
    rules: [{when: {Russia: cede, Japan: accept}, value: 2}]
  threatened:
    description: the US threatens
    rules: [{when: {US: threaten}, value: 1}]
payoffs:
  Russia: "1.5 * (islands > 0) - cost * (islands > 0) - threat * threatened * (islands > 0)"
  Japan: "(islands > 0) - threat * threatened * (islands > 0)"
  US: "0.5 * threatened * (islands > 0) - 0.1 * threatened"
"""

# The shared bargaining scenario with a wider poll range, a Russia that gains from a big package
# even with a transfer, and a fallback that can empty the bargaining range.
BARGAIN = (
    ISLANDS.replace("range: [0.5, 0.9]", "range: [0.3, 0.9]")
    .replace("Russia: 0.1 - islands * 0.1", "Russia: 0.1 - islands * 0.01")
    .replace("disagreement: {Japan: 0, Russia: 0}", "disagreement: {Japan: fallback, Russia: 0}")
    .replace(
        "players: [Japan, Russia]",
        "  fallback: {default: 0, range: [0, 2], unit: utils, description: Japan without a deal,\n"
        "             assumption: test}\nplayers: [Japan, Russia]",
    )
)


def cession(**values):
    scenario = parse_scenario(CESSION, source="cession.yaml")
    return scenario, compare(scenario, values)


# --- normal form -----------------------------------------------------------------------------


def test_a_domestic_cost_is_named_as_the_party_walking_away():
    _, comparison = cession(cost=2)
    (blocker,) = comparison.blockers
    assert (blocker.player, blocker.move, blocker.deviation) == ("Russia", "cede", "keep")
    assert blocker.gain == pytest.approx(0.5)
    assert blocker.leaves_deal
    assert blocker.terms == (("- cost * (islands > 0)", pytest.approx(2.0)),)
    # The logit QRE gives the deal a small chance; every Nash equilibrium keeps the status quo.
    assert comparison.verdict.startswith("1 of 3 concepts admit a deal (logit QRE (lambda 10) with")
    assert "the others keep the status quo" in comparison.verdict
    assert "a party walks away: Russia would switch from cede to keep" in comparison.verdict


def test_an_outside_threat_is_named_as_a_third_partys_move():
    _, comparison = cession(cost=0, threat=2)
    blockers = {b.player: b for b in comparison.blockers}
    assert set(blockers) == {"US"}
    assert not blockers["US"].leaves_deal
    assert "a third party's move breaks it: US would switch from tolerate to threaten" in (
        comparison.verdict
    )


def test_a_deal_that_is_an_equilibrium_beside_the_status_quo_is_a_coordination_problem():
    _, comparison = cession(cost=0, threat=0)
    assert not comparison.blockers
    assert "coordination" in comparison.verdict
    assert any(p.deal == 1 for p in comparison.predictions if p.concept == "Nash (pure)")


def test_the_nearest_deal_is_the_one_fewest_players_leave():
    scenario = parse_scenario(CESSION)
    values = scenario.parameter_values({"cost": 0, "threat": 2})
    nearest = normal_form_blockers(scenario, values, "islands > 0")
    # Under a threat both Russia and Japan would leave; without one, only the US (to threaten).
    assert [b.player for b in nearest.blockers] == ["US"]
    cell = np.unravel_index(nearest.outcome, (2, 2, 2))
    assert [int(c) for c in cell] == [1, 1, 0]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("sochi_2016", "Russia would switch from two_islands", id="2016-ratification"),
        pytest.param("era_1956", "US would switch from tolerate to threaten", id="1956-threat"),
        pytest.param("general", "Russia would switch from two_islands", id="general"),
    ],
)
def test_bundled_eras_name_what_blocks_a_transfer(name, expected):
    comparison = compare(load_scenario(SCENARIOS / f"{name}.yaml"))
    assert comparison.deal == "islands > 0"
    assert expected in comparison.verdict


def test_every_nash_row_is_an_equilibrium_the_solver_verifies():
    scenario, comparison = cession(cost=2)
    game = scenario.game({"cost": 2})
    solution = solve(game)
    labels = {
        ", ".join(
            f"{p}: {names[int(np.argmax(x))]}"
            for p, names, x in zip(game.players, game.strategies, eq.profile, strict=True)
        )
        for eq in solution
        if eq.kind == "pure"
    }
    # Pure equilibria on a continuum are named in its row, not counted again on their own.
    on_continua = {
        label
        for p in comparison.predictions
        if p.concept == "Nash (continuum)"
        for label in labels
        if label in p.note
    }
    shown = {p.outcome for p in comparison.predictions if p.concept == "Nash (pure)"}
    assert shown | on_continua == labels
    assert not shown & on_continua
    rows = [p for p in comparison.predictions if p.concept.startswith("Nash") and p.counted]
    assert len(rows) == len(solution.components)
    limit = next(p for p in comparison.predictions if p.concept == "logit limit")
    nash = {p.outcome for p in comparison.predictions if p.concept.startswith("Nash")}
    assert limit.outcome in nash


def test_without_a_deal_condition_the_panel_still_counts_agreement():
    comparison = compare(load_scenario(SCENARIOS / "textbook" / "prisoners_dilemma.yaml"))
    assert comparison.deal is None and not comparison.blockers
    assert comparison.consensus() == ("Row: Defect, Column: Defect", 3, 3)
    assert "No deal condition" in comparison.verdict


def test_a_deal_condition_on_a_textbook_game():
    scenario = load_scenario(SCENARIOS / "textbook" / "prisoners_dilemma.yaml")
    with pytest.raises(InputError, match="outcome variables"):
        compare(scenario, deal="cooperate > 0")


def test_a_logit_trace_stopped_at_its_bound_is_reported_not_counted():
    comparison = compare(load_scenario(SCENARIOS / "sochi_2016.yaml"), max_seconds=1e-9)
    (row,) = [p for p in comparison.predictions if p.concept == "logit"]
    assert row.outcome == "not computed" and not row.counted
    assert "bound" in row.note
    assert "logit" not in comparison.concepts()


def test_an_incomplete_listing_is_reported_and_nothing_counted_says_so(monkeypatch):
    import kurilsim.forms.normal.concepts as module

    def nothing_found(game, method, tol, **options):
        return dataclasses.replace(
            solve(game, "pure", tol), equilibria=(), incomplete_reason="max_seconds"
        )

    monkeypatch.setattr(module, "solve", nothing_found)
    comparison = compare(load_scenario(SCENARIOS / "sochi_2016.yaml"), max_seconds=1e-9)
    rows = {p.concept: p for p in comparison.predictions}
    assert rows["Nash"].outcome == "listing incomplete" and not rows["Nash"].counted
    assert comparison.verdict == "No concept predicted anything within its bounds."


def test_agreement_counts_concepts_not_rows():
    rows = compare(load_scenario(SCENARIOS / "era_1956.yaml")).predictions
    comparison = Comparison("t", "normal", rows, None, "", (), "")
    counts = comparison.agreement()
    assert max(counts.values()) <= len(comparison.concepts())
    assert sum(counts.values()) >= len(comparison.concepts())


# --- trees, bargaining, conflicts ------------------------------------------------------------


def test_the_1956_tree_shows_the_non_credible_deal_and_the_threat_that_blocks_it():
    comparison = compare(load_scenario(SCENARIOS / "sequence_1956.yaml"))
    spe = [p for p in comparison.predictions if p.concept == "subgame-perfect"]
    assert [p.deal for p in spe] == [0.0]
    deal_nash = [p for p in comparison.predictions if p.concept == "Nash (normal form)" and p.deal]
    assert deal_nash and all("non-credible" in p.note for p in deal_nash)
    (blocker,) = comparison.blockers
    assert (blocker.player, blocker.move, blocker.deviation) == ("US", "tolerate", "threaten")
    assert not blocker.leaves_deal  # Japan could still accept under the threat
    assert "third party" in comparison.verdict


def test_ratification_is_named_when_it_blocks_the_bargain():
    comparison = compare(parse_scenario(BARGAIN, source="bargain.yaml"))
    counted = [p for p in comparison.predictions if p.counted]
    uncounted = [p for p in comparison.predictions if not p.counted]
    assert {p.outcome for p in counted} == {"joint"}
    assert {p.outcome for p in uncounted} == {"two"}
    assert "ratification blocks a deal" in comparison.verdict
    assert "public would reject it" in comparison.verdict
    # A public that approves lets the deal through.
    approving = compare(parse_scenario(BARGAIN), {"opposition": 0.3})
    assert approving.verdict == "A deal (islands > 0) holds under every concept."


def test_an_empty_bargaining_range_is_named():
    comparison = compare(parse_scenario(BARGAIN), {"fallback": 2})
    assert "the bargaining range is empty" in comparison.verdict
    assert {p.outcome for p in comparison.predictions} == {"no agreement"}


def test_the_2016_bargain_agrees_on_the_deal_whatever_its_price():
    comparison = compare(load_scenario(SCENARIOS / "bargaining_2016.yaml"))
    assert comparison.consensus() == ("joint_economic", 3, 3)
    assert "ratification blocks a deal" in comparison.verdict


def test_a_conflict_counts_stable_states_and_names_who_leaves_a_deal():
    scenario = load_scenario(SCENARIOS / "conflict_2018.yaml")
    comparison = compare(scenario, deal="offer_two and accept_two")
    assert comparison.form == "conflict"
    assert set(comparison.concepts()) == {"Nash (R)", "GMR", "SMR", "SEQ"}
    assert comparison.blockers and all(b.gain > 0 for b in comparison.blockers)
    assert comparison.nearest.startswith("state ")
    with pytest.raises(InputError, match="options"):
        compare(scenario, deal="islands > 0")


# --- the verdict and the agreement line against the table -----------------------------------

#: One bundled scenario per form with a deal condition, among them predictions that are a deal
#: with a probability strictly between 0 and 1 (a separating equilibrium, a logit QRE).
EVERY_FORM = [
    "sochi_2016",
    "sequence_1956",
    "bargaining_2016",
    "repeated_joint_activity",
    "commitment_treaty",
    "reassurance_2016",
    "ratification_2018",
    "credibility_1956",
]


@pytest.fixture(scope="module", params=EVERY_FORM, ids=EVERY_FORM)
def every_form(request):
    """The comparison of one scenario of :data:`EVERY_FORM`, made once for the tests below."""
    return compare(load_scenario(SCENARIOS / f"{request.param}.yaml"))


def by_concept(comparison, value):
    """``value`` of each counted prediction, listed under its concept."""
    found = {}
    for p in comparison.predictions:
        if p.counted:
            found.setdefault(p.concept, []).append(value(p))
    return found


def test_the_verdict_describes_every_prediction_of_every_concept(every_form):
    verdict = every_form.verdict
    chances = by_concept(every_form, lambda p: p.deal or 0.0)
    every = [c for cs in chances.values() for c in cs]
    assert verdict.startswith("The status quo holds under every concept") == all(
        c == 0 for c in every
    )
    assert verdict.startswith("A deal") == all(c == 1 for c in every)
    for concept, cs in chances.items():
        if any(0 < c < 1 for c in cs):
            shown = " or ".join(f"{c:.3g}" for c in sorted(set(cs), reverse=True))
            assert f"{concept} with probability {shown}" in verdict
    if any(c > 0 for c in every):
        assert "no outcome satisfies" not in verdict


def test_the_agreement_line_names_each_concept_that_predicts_more_than_its_consensus(every_form):
    outcome, count, total = every_form.consensus()
    outcomes = {c: set(found) for c, found in by_concept(every_form, lambda p: p.outcome).items()}
    assert count == sum(outcome in found for found in outcomes.values())
    assert total == len(outcomes)
    line = next(s for s in every_form.to_text().splitlines() if s.startswith("agreement:"))
    assert line.startswith(f"agreement: {count} of {total} concepts predict {outcome}")
    for concept, found in outcomes.items():
        named = f"{concept} among {len(found)} outcomes" in line
        assert named == (outcome in found and len(found) > 1)


# --- the blocking analysis against brute force -----------------------------------------------


def random_table_scenario(payoffs):
    shape = payoffs.shape[:-1]
    players = {f"P{i}": [f"s{k}" for k in range(n)] for i, n in enumerate(shape)}
    lines = ["kurilsim: 1", "title: random", "players:"]
    lines += [f"  {p}: [{', '.join(s)}]" for p, s in players.items()]
    lines.append("outcomes:\n  first:\n    description: all play s0\n    rules:")
    lines.append("      - when: {" + ", ".join(f"{p}: s0" for p in players) + "}\n        value: 1")
    lines.append("payoff_table:")
    for cell in np.ndindex(*shape):
        profile = ", ".join(f"s{k}" for k in cell)
        values = ", ".join(repr(float(v)) for v in payoffs[cell])
        lines.append(f"  - {{profile: [{profile}], payoffs: [{values}]}}")
    return parse_scenario("\n".join(lines) + "\n")


@settings(max_examples=40, deadline=None)
@given(
    shape=st.sampled_from([(2, 2), (3, 2), (2, 2, 2), (3, 3)]),
    seed=st.integers(0, 2**31),
)
def test_blockers_are_exactly_the_players_with_a_profitable_deviation(shape, seed):
    rng = np.random.default_rng(seed)
    payoffs = rng.integers(-3, 4, size=(*shape, len(shape))).astype(float)
    scenario = random_table_scenario(payoffs)
    nearest = normal_form_blockers(scenario, scenario.defaults(), "first > 0")
    assert nearest.outcome == 0  # the only deal: everyone plays s0
    scales = player_scales(payoffs)
    expected = []
    for i in range(len(shape)):
        best = payoffs[(*(0,) * i, slice(None), *(0,) * (len(shape) - i - 1), i)].max()
        gain = best - payoffs[(0,) * len(shape)][i]
        if gain > DEFAULT_TOL * scales[i]:
            expected.append((f"P{i}", gain))
    assert [(b.player, b.gain) for b in nearest.blockers] == expected


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        pytest.param("a", [(1, "a")], id="one"),
        pytest.param("a - (b - c)", [(1, "a"), (-1, "b"), (1, "c")], id="nested"),
        pytest.param("- a * b + c", [(1, "- a * b"), (1, "c")], id="unary"),
        pytest.param("x\n  - k * (y >= 2)", [(1, "x"), (-1, "k * (y >= 2)")], id="folded"),
        pytest.param("(y >= 2) + 1", [(1, "(y >= 2)"), (1, "1")], id="comparison"),
    ],
)
def test_additive_terms(text, terms):
    assert additive_terms(text) == terms


# --- command line ----------------------------------------------------------------------------


def test_cli_prints_the_panel(capsys):
    code, out, err = run_cli(capsys, "compare", SCENARIOS / "sochi_2016.yaml")
    assert code == 0, err
    assert "concept" in out and "predicted outcome" in out
    assert "agreement: 3 of 3 concepts predict" in out
    assert "the others keep the status quo" in out


def test_cli_json(capsys, tmp_path):
    path = tmp_path / "cession.yaml"
    path.write_text(CESSION, encoding="utf-8")
    code, out, _ = run_cli(capsys, "compare", path, "--set", "cost=2", "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert result["form"] == "normal" and result["deal"] == "islands > 0"
    assert result["parameters"]["cost"] == 2
    assert result["blockers"][0]["player"] == "Russia"
    assert result["consensus"]["of"] >= 1
    assert {"concept", "outcome", "deal", "note", "counted"} <= set(result["predictions"][0])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(["--deal", "nope > 0"], "deal: nope", id="unknown-name"),
        pytest.param(["--deal", "open('x')"], "unknown function 'open'", id="forbidden-call"),
        pytest.param(["--deal", "islands >"], "deal: syntax error", id="syntax"),
        pytest.param(["--lambda", "-1"], "precision", id="negative-lambda"),
        pytest.param(["--set", "cost=9"], "cost", id="out-of-range"),
    ],
)
def test_cli_bad_input_is_a_one_line_error(capsys, tmp_path, argv, message):
    path = tmp_path / "cession.yaml"
    path.write_text(CESSION, encoding="utf-8")
    code, _, err = run_cli(capsys, "compare", path, *argv)
    assert code == 2
    assert message in err and "cession.yaml" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_cli_refuses_a_gambit_file(capsys, tmp_path):
    code, _, err = run_cli(capsys, "compare", tmp_path / "game.nfg")
    assert code == 2 and "scenario files" in err


def test_html_display_escapes_and_summarises():
    _, comparison = cession(cost=2)
    page = comparison._repr_html_()
    assert "concepts predict" in page and "<table>" in page
    assert "Comparison" in repr(comparison)
    assert len(comparison.to_frame()) == len(comparison.predictions)


@pytest.mark.parametrize(
    ("option", "reason"),
    [
        ({"precision": 5}, "the bargaining form's concepts have no logit QRE to take it"),
        ({"max_seconds": 5}, "no concept of the bargaining form runs against a time bound"),
        ({"max_seconds": None}, "no concept of the bargaining form runs against a time bound"),
    ],
)
def test_an_option_no_concept_takes_is_refused_by_the_arguments_name(option, reason):
    # As the command line refuses it (tests/cli/test_moot_options.py), by its own name.
    bargaining = load_scenario(SCENARIOS / "bargaining_2016.yaml")
    with pytest.raises(InputError) as exc:
        compare(bargaining, **option)
    (name,) = option
    assert (exc.value.reason, exc.value.field, exc.value.file) == (reason, name, bargaining.source)


@pytest.mark.parametrize(
    ("options", "bound"), [({}, DEFAULT_MAX_SECONDS), ({"max_seconds": None}, None)]
)
def test_the_time_bound_reaches_the_form_and_none_means_no_bound(monkeypatch, options, bound):
    scenario = load_scenario(SCENARIOS / "sochi_2016.yaml")
    original, seen = type(scenario.form).compare, []

    def recorded(form, *args):
        seen.append(args[-1])
        return original(form, *args)

    monkeypatch.setattr(type(scenario.form), "compare", recorded)
    compare(scenario, **options)
    assert seen == [bound]


#: A scenario of each form, for each form's ``compare_options``.
OF_EACH_FORM = {
    "normal": "sochi_2016.yaml",
    "extensive": "sequence_1956.yaml",
    "information": None,  # INFORMATION
    "bargaining": "bargaining_2016.yaml",
    "conflict": "conflict_2018.yaml",
    "bayesian": "reassurance_2016.yaml",
    "repeated": "repeated_joint_activity.yaml",
    "dynamic": "commitment_treaty.yaml",
}


@pytest.mark.parametrize(("form", "file"), OF_EACH_FORM.items())
def test_a_forms_compare_options_are_those_that_change_its_panel(form, file):
    """What ``compare`` refuses is what would change nothing: each form's concepts, given
    another precision or a time bound too short for anything, give another panel exactly where
    the form declares the option."""
    scenario = parse_scenario(INFORMATION) if file is None else load_scenario(SCENARIOS / file)
    assert scenario.form.name == form
    values = scenario.parameter_values(None)

    def panel(precision=None, max_seconds=60.0):
        found = scenario.form.compare(scenario, values, None, precision, DEFAULT_TOL, max_seconds)
        return [(p.concept, p.outcome, p.note, p.deal) for p in found.predictions]

    usual = panel()
    others = {"precision": panel(precision=0.5), "max_seconds": panel(max_seconds=1e-9)}
    changed = {option for option, other in others.items() if other != usual}
    assert changed == set(scenario.form.compare_options)
