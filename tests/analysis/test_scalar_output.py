"""The output language of ``kurilsim sensitivity``, checked against direct solves point by point."""

from __future__ import annotations

import numpy as np
import pytest

import kurilsim
from kurilsim import InputError, parse_scenario
from kurilsim.analysis.scalar_output import parse_output
from kurilsim.forms.normal.blockers import normal_form_deals
from kurilsim.forms.normal.logit_qre import logit_qre

#: The stag hunt with the catch as outcome variables: (stag, stag) is an equilibrium from stag = 1.
HUNT = """
kurilsim: 1
title: Stag hunt
parameters:
  stag: {default: 4, range: [0, 10], unit: meals, description: a stag, assumption: example}
players: {A: [stag, hare], B: [stag, hare]}
outcomes:
  a: {description: A's catch, rules: [{when: {A: stag, B: stag}, value: stag},
                                      {when: {A: hare}, value: 1}]}
  b: {description: B's catch, rules: [{when: {A: stag, B: stag}, value: stag},
                                      {when: {B: hare}, value: 1}]}
payoffs: {A: a, B: b}
"""


@pytest.fixture(scope="module")
def hunt():
    return parse_scenario(HUNT)


@pytest.fixture(scope="module")
def sochi(scenarios):
    return kurilsim.load_scenario(scenarios / "sochi_2016.yaml")


STAGS = np.array([0.5, 2.0, 6.0])


def test_deal_outputs_count_the_equilibria_that_are_deals(hunt):
    # Below stag = 1 only (hare, hare); above, both (stag, stag) and (hare, hare).
    share, reasons = parse_output("deal-share:a > 1", hunt).evaluate(hunt, {"stag": STAGS})
    assert share.tolist() == [0.0, 0.5, 0.5] and reasons.tolist() == [None] * 3
    found, _ = parse_output("deal-any:a > 1", hunt).evaluate(hunt, {"stag": STAGS})
    assert found.tolist() == [0.0, 1.0, 1.0]


def test_regime_and_payoff_outputs(hunt):
    assert parse_output("regime:A: stag, B: stag", hunt).evaluate(hunt, {"stag": STAGS})[
        0
    ].tolist() == [0.0, 1.0, 1.0]
    assert parse_output("regime:A: hare", hunt).evaluate(hunt, {"stag": STAGS})[0].tolist() == [
        1.0,
        1.0,
        1.0,
    ]
    payoff, _ = parse_output("payoff:B", hunt).evaluate(hunt, {"stag": STAGS})
    np.testing.assert_allclose(payoff, [1.0, 1.5, 3.5])  # the mean over the equilibria


def test_qre_deal_is_the_deal_probability_of_the_logit_qre(hunt):
    got, _ = parse_output("qre-deal:3:a > 1", hunt).evaluate(hunt, {"stag": STAGS})
    for value, stag in zip(got, STAGS, strict=True):
        game = hunt.game({"stag": float(stag)})
        p, q = logit_qre(game.payoffs, 3.0)
        expected = p[0] * q[0] if stag > 1 else 0.0  # only (stag, stag) has A's catch above 1
        assert value == pytest.approx(expected, abs=1e-12)


def test_qre_deal_at_one_point_uses_its_values_not_the_defaults(hunt):
    got, _ = parse_output("qre-deal:3:a > 1", hunt).evaluate(hunt, {"stag": 6.0})
    p, q = logit_qre(hunt.game({"stag": 6.0}).payoffs, 3.0)
    assert got.tolist() == pytest.approx([p[0] * q[0]], abs=1e-12)


def test_sochi_deal_matches_direct_solves(sochi):
    rng = np.random.default_rng(1)
    values = {n: rng.uniform(*p.range, size=12) for n, p in sochi.parameters.items()}
    share, _ = parse_output("deal-share", sochi).evaluate(sochi, values)
    for k in range(12):
        at = {n: float(v[k]) for n, v in values.items()}
        solution = sochi.solve(at, method="pure")
        deals = normal_form_deals(sochi, sochi.parameter_values(at), "islands > 0")
        flags = [bool(deals[tuple(int(np.argmax(p)) for p in eq.profile)]) for eq in solution]
        assert share[k] == pytest.approx(np.mean(flags) if flags else 0.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("treaty", "unknown output 'treaty'; expected one of deal-share"),
        ("payoff:Rusia", "unknown player 'Rusia'; the players are Russia, Japan, US, China"),
        ("regime:", "give the label"),
        ("deal-share:treatie > 0", "unknown names treatie"),
        ("qre-deal:high", "expected qre-deal:LAMBDA"),
        ("qre-deal:-1", "LAMBDA must be a finite number >= 0"),
        # Infinite or undefined somewhere: it would count as true there.
        ("deal-share:1/0", "'1/0' is not a finite number at every outcome"),
        ("deal-share:islands / treaty", "is not a finite number at every outcome"),
        ("deal-share:10**10**10", "is not a finite number at every outcome"),
    ],
)
def test_bad_outputs_are_refused_with_a_clear_message(sochi, text, message):
    with pytest.raises(InputError, match=message):
        parse_output(text, sochi)


def test_a_regime_that_no_point_has_is_refused_naming_the_labels_that_occur(hunt):
    # "the output is the same at every point" would hide a mistyped label.
    with pytest.raises(InputError) as caught:
        parse_output("regime:A: fish", hunt).evaluate(hunt, {"stag": STAGS})
    message = str(caught.value)
    assert "\n" not in message and "no point has an equilibrium labelled 'A: fish'" in message
    assert message.endswith("the labels that occur are 'A: hare, B: hare'; 'A: stag, B: stag'")
    # A label that holds at every point is a constant output, not an error.
    assert parse_output("regime:A: hare", hunt).evaluate(hunt, {"stag": STAGS})[0].all()


def test_a_payoff_where_there_is_no_equilibrium_is_refused():
    pennies = parse_scenario(
        "{kurilsim: 1, title: t, players: {A: [a, b], B: [c, d]}, parameters: {x: {default: 1,"
        " range: [0, 2], unit: u, description: x, assumption: e}}, payoff_table: ["
        "{profile: [a, c], payoffs: [x, -1]}, {profile: [a, d], payoffs: [-1, 1]},"
        " {profile: [b, c], payoffs: [-1, 1]}, {profile: [b, d], payoffs: [1, -1]}]}"
    )
    with pytest.raises(InputError, match="undefined at 2 of 2 points"):
        parse_output("payoff:A", pennies).evaluate(pennies, {"x": np.array([0.5, 1.5])})
