"""A refusal that suggests a method names one the game's form takes.

Vertex enumeration refuses a polytope out of its reach and suggests lemke-howson. Forms that solve
their games through normal-form methods (trees with information sets, Bayesian agent forms,
stage games) take other methods, so the suggestion must follow the form.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import kurilsim
from kurilsim import load_scenario
from kurilsim.core.errors import KurilsimError, OutOfReachError, in_file, suggesting_only
from kurilsim.forms.bayesian.literature import battle_of_the_sexes_uncertain
from kurilsim.forms.catalogue import entry_deterrence
from kurilsim.forms.information.catalogue import beer_quiche
from kurilsim.forms.information.efg import read_efg
from kurilsim.forms.information.solve import solve_information
from kurilsim.forms.normal import vertex_enumeration
from kurilsim.forms.registry import FORMS, form_of_game
from tests.helpers import SCENARIOS

MONTY_HALL = Path(__file__).parents[1] / "data" / "efg" / "montyhal.efg"

#: Every method of every form; a message naming one names a method.
EVERY_METHOD = {method for name in FORMS for method in FORMS[name].methods}

#: Games of every form: one or two scenarios or catalogue games each.
SUBJECTS = {
    "normal": lambda: [
        load_scenario(SCENARIOS / "era_1956.yaml"),
        load_scenario(SCENARIOS / "textbook" / "stag_hunt.yaml"),
    ],
    "bargaining": lambda: [load_scenario(SCENARIOS / "bargaining_2016.yaml")],
    "conflict": lambda: [load_scenario(SCENARIOS / "conflict_2018.yaml")],
    "extensive": lambda: [load_scenario(SCENARIOS / "sequence_1956.yaml"), entry_deterrence()],
    "bayesian": lambda: [
        load_scenario(SCENARIOS / "credibility_1956.yaml"),
        load_scenario(SCENARIOS / "ratification_2018.yaml"),
        battle_of_the_sexes_uncertain(),
    ],
    "information": lambda: [beer_quiche()],
    "repeated": lambda: [load_scenario(SCENARIOS / "repeated_joint_activity.yaml")],
    "dynamic": lambda: [
        load_scenario(SCENARIOS / "commitment_treaty.yaml"),
        load_scenario(SCENARIOS / "sanctions_markov.yaml"),
    ],
}


def _named_methods(message: str) -> set[str]:
    """The methods of any form a message names after the word ``method``."""
    named = re.findall(r"\bmethod '?([a-z][a-z-]*[a-z])", message)
    return {name for name in named if name in EVERY_METHOD}


def test_every_form_has_subjects():
    assert set(SUBJECTS) == set(FORMS)


def test_a_large_information_tree_is_pointed_to_the_sequence_form():
    """Gambit's Monty Hall tree: its reduced normal form is out of vertex enumeration's reach."""
    with pytest.raises(OutOfReachError) as refused:
        solve_information(read_efg(MONTY_HALL), "enumeration")
    assert refused.value.alternative == "sequence-lemke"
    assert _named_methods(str(refused.value)) == {"sequence-lemke"}
    # The suggestion works, and auto takes it, saying so.
    assert len(solve_information(read_efg(MONTY_HALL), "sequence-lemke")) == 1
    chosen = solve_information(read_efg(MONTY_HALL))
    assert (chosen.method, chosen.scope, len(chosen)) == (
        "sequence-lemke",
        "one Nash equilibrium",
        1,
    )
    assert "vertex enumeration:" in chosen.note and "others may exist" in chosen.note
    assert chosen[0].max_regret <= 1e-9 * chosen.scale


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_refusal_suggests_only_methods_the_form_takes(form, monkeypatch):
    """With vertex enumeration made to refuse every polytope, every method of every form runs.

    Each refusal that names a method names one its form takes; the forms whose games here are
    solved through vertex enumeration do meet a refusal.
    """
    for bound in ("_MAX_BATCHED_BASES", "_MAX_HULL_DIMENSION", "_MAX_SUPPORT_BASES"):
        monkeypatch.setattr(vertex_enumeration, bound, 0)
    accepted = set(FORMS[form].methods)
    errors: list[tuple[str, KurilsimError]] = []
    for subject in SUBJECTS[form]():
        owner = subject.form if isinstance(subject, kurilsim.Scenario) else form_of_game(subject)
        assert owner.name == form
        for method in FORMS[form].methods:
            try:
                kurilsim.solve(subject, method)
            except KurilsimError as error:
                errors.append((method, error))
    for method, error in errors:
        assert _named_methods(str(error)) <= accepted, (method, str(error))
    refusals = [error for _, error in errors if "vertex enumeration:" in str(error)]
    if form in ("normal", "extensive", "information", "repeated"):
        assert refusals
    if form in ("normal", "extensive", "information"):  # each takes a method that finds one
        assert all(" finds one equilibrium" in str(error) for error in refusals)


def test_a_refusal_keeps_a_suggestion_the_form_takes_and_replaces_another():
    refusal = OutOfReachError("too many vertices", "lemke-howson")
    with pytest.raises(OutOfReachError) as kept, suggesting_only(["lemke-howson"]):
        raise refusal
    assert kept.value is refusal
    with pytest.raises(OutOfReachError) as replaced, suggesting_only(["enumeration"]):
        raise refusal
    assert replaced.value.alternative is None and str(replaced.value) == "too many vertices"


def test_a_refusal_named_in_a_file_keeps_its_class_its_suggestion_and_its_place():
    with pytest.raises(OutOfReachError) as named, in_file("big.efg"):
        raise OutOfReachError("too many vertices", "lemke-howson")
    assert named.value.alternative == "lemke-howson" and named.value.file == "big.efg"
    assert (
        str(named.value) == "big.efg: too many vertices; method lemke-howson finds one equilibrium"
    )
    replaced = named.value.suggesting("sequence-lemke")
    assert replaced.file == "big.efg" and str(replaced).startswith("big.efg: too many vertices")
