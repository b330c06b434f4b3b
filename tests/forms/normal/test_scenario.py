import numpy as np
import pytest

from kurilsim import InputError, load_scenario, parse_scenario
from kurilsim.core.schema import ScenarioFile
from tests.strategies import PRISONERS_TABLE, STAG_HUNT


def test_stag_hunt_payoffs_at_defaults():
    scenario = parse_scenario(STAG_HUNT)
    assert scenario.players == ("A", "B")
    assert scenario.strategies == (("stag", "hare"), ("stag", "hare"))
    u = scenario.game().payoffs
    np.testing.assert_array_equal(u[0, 0], [4, 4])
    np.testing.assert_array_equal(u[0, 1], [0, 1])
    np.testing.assert_array_equal(u[1, 0], [1, 0])
    np.testing.assert_array_equal(u[1, 1], [1, 1])


def test_overrides_and_batches_agree_point_by_point():
    scenario = parse_scenario(STAG_HUNT)
    stags = np.array([2.0, 5.5, 10.0])
    batch = scenario.payoffs({"stag": stags, "hare": np.array([0.0, 1.0, 3.0])})
    assert batch.shape == (3, 2, 2, 2)
    for k, (stag, hare) in enumerate(zip(stags, [0.0, 1.0, 3.0], strict=True)):
        np.testing.assert_array_equal(batch[k], scenario.game({"stag": stag, "hare": hare}).payoffs)


def test_first_matching_rule_wins(tmp_path):
    text = STAG_HUNT.replace(
        "      - when: {A: stag, B: stag}\n        value: 1\n",
        "      - when: {A: stag, B: stag}\n        value: 1\n"
        "      - when: {A: stag}\n        value: 7\n",
    )
    u = parse_scenario(text).game().payoffs
    assert u[0, 0, 0] == 4  # first rule (1) not the second (7)
    assert u[0, 1, 0] == 7 * 4  # only the second rule matches


def test_payoff_table_form():
    game = parse_scenario(PRISONERS_TABLE).game()
    np.testing.assert_array_equal(game.payoffs[1, 0], [5, 0])
    np.testing.assert_array_equal(game.payoffs[0, 1], [0, 5])


def test_scenario_is_immutable():
    scenario = parse_scenario(STAG_HUNT)
    with pytest.raises(AttributeError):
        scenario.source = "elsewhere"  # type: ignore[misc]
    with pytest.raises(TypeError):
        scenario.parameters["stag"] = None  # type: ignore[index]


def test_load_from_file_names_the_file(tmp_path):
    path = tmp_path / "hunt.yaml"
    path.write_text(STAG_HUNT.replace("range: [2, 10]", "range: [5, 10]"), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    message = str(info.value)
    assert message.startswith(f"{path}:9: parameters.stag:")
    assert "default 4.0 lies outside its range [5.0, 10.0]" in message


def _error(text: str) -> str:
    with pytest.raises(InputError) as info:
        parse_scenario(text, source="bad.yaml")
    return str(info.value)


# Each case: (how to break the file, expected line, expected field, words in the message).
BAD_FILES = [
    pytest.param(
        lambda t: t.replace("players:\n  A: [stag, hare]", "players:\n  A: [stag, hare"),
        None,
        None,
        "YAML syntax error",
        id="yaml-syntax",
    ),
    pytest.param(lambda t: "- a\n- b\n", 1, None, "expected a mapping", id="not-a-mapping"),
    pytest.param(lambda t: "", None, None, "empty", id="empty-file"),
    pytest.param(
        lambda t: t.replace("title: Stag hunt with a parameter\n", ""),
        None,
        "title",
        "required field is missing",
        id="missing-title",
    ),
    pytest.param(
        lambda t: t.replace("kurilsim: 1", "kurilsim: 2"),
        1,
        "kurilsim",
        "unsupported format version 2",
        id="version",
    ),
    pytest.param(
        lambda t: t.replace(
            "    unit: meals\n    description: value of a shared stag\n",
            "    description: value of a shared stag\n",
        ),
        9,
        "parameters.stag.unit",
        "required field is missing",
        id="missing-unit",
    ),
    pytest.param(
        lambda t: t.replace("default: 4", "default: four"),
        10,
        "parameters.stag.default",
        "valid number",
        id="default-not-a-number",
    ),
    pytest.param(
        lambda t: t.replace("    assumption: textbook illustration\n", ""),
        9,
        "parameters.stag",
        "evidence ids or an 'assumption'",
        id="no-evidence",
    ),
    pytest.param(
        lambda t: t.replace("evidence: [E01]", "evidence: [Radchenko]"),
        None,
        "parameters.hare.evidence.0",
        "pattern",
        id="bad-evidence-id",
    ),
    pytest.param(
        lambda t: t.replace("era: textbook", "era: textbook\nauthor: me"),
        4,
        "author",
        "unknown field",
        id="unknown-field",
    ),
    pytest.param(
        lambda t: t.replace("      - when: {A: stag, B: stag}", "      - when: {A: stag, C: stag}"),
        28,
        "outcomes.both_stag.rules.0.when.C",
        "unknown player 'C'",
        id="unknown-player-in-rule",
    ),
    pytest.param(
        lambda t: t.replace("      - when: {A: hare}", "      - when: {A: rabbit}"),
        33,
        "outcomes.a_hare.rules.0.when.A",
        "A has no strategy 'rabbit'",
        id="unknown-strategy-in-rule",
    ),
    pytest.param(
        lambda t: t.replace(
            "A: stag * both_stag + hare * a_hare", "A: stag * both_stag + hares * a_hare"
        ),
        41,
        "payoffs.A",
        "unknown name 'hares'",
        id="unknown-name-in-payoff",
    ),
    pytest.param(
        lambda t: t.replace("A: stag * both_stag + hare * a_hare", "A: stag.real"),
        41,
        "payoffs.A",
        "attribute access",
        id="attribute-in-payoff",
    ),
    pytest.param(
        lambda t: t.replace("  B: stag * both_stag + hare * b_hare\n", ""),
        None,
        "payoffs",
        "no payoff given for B",
        id="missing-payoff",
    ),
    pytest.param(
        lambda t: t.replace(
            "  A: [stag, hare]\n  B: [stag, hare]", "  A: [stag, hare]\n  A: [stag]"
        ),
        23,
        None,
        "duplicate key 'A'",
        id="duplicate-key",
    ),
    pytest.param(
        lambda t: t.replace(
            "  A: [stag, hare]\n  B: [stag, hare]", "  A: &s [stag, hare]\n  B: *s"
        ),
        23,
        None,
        "aliases",
        id="alias",
    ),
    pytest.param(
        lambda t: t.replace("  A: [stag, hare]", "  A: [stag, stag]"),
        22,
        "players.A",
        "repeated: stag",
        id="duplicate-strategy",
    ),
    pytest.param(
        lambda t: t.replace("payoffs:\n  A:", "payoff_table: []\npayoffs:\n  A:"),
        None,
        None,
        "exactly one of 'payoffs'",
        id="two-payoff-forms",
    ),
]


@pytest.mark.parametrize(("mutate", "line", "field", "words"), BAD_FILES)
def test_bad_scenarios_name_file_field_and_line(mutate, line, field, words):
    message = _error(mutate(STAG_HUNT))
    assert message.startswith("bad.yaml")
    if line is not None:
        assert message.startswith(f"bad.yaml:{line}:"), message
    if field is not None:
        assert f": {field}:" in message, message
    assert words in message, message


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        pytest.param(
            lambda t: t.replace("  - {profile: [Defect, Defect], payoffs: [1, 1]}\n", ""),
            "no entry for profile ['Defect', 'Defect']",
            id="missing-profile",
        ),
        pytest.param(
            lambda t: t.replace("[Defect, Defect], payoffs", "[Defect, Cooperate], payoffs"),
            "already given in entry 2",
            id="repeated-profile",
        ),
        pytest.param(
            lambda t: t.replace("payoffs: [1, 1]", "payoffs: [1]"),
            "1 payoffs given; expected one for each of 2 players",
            id="short-payoffs",
        ),
        pytest.param(
            lambda t: t.replace("[Defect, Defect]", "[Defect, Betray]"),
            "Column has no strategy 'Betray'",
            id="unknown-strategy",
        ),
    ],
)
def test_bad_payoff_tables(mutate, words):
    assert words in _error(mutate(PRISONERS_TABLE))


def test_non_finite_payoffs_are_refused():
    text = STAG_HUNT.replace("A: stag * both_stag + hare * a_hare", "A: stag / (hare - 1)")
    with pytest.raises(InputError, match=r"payoffs\.A: payoff of A is inf .* hare=1"):
        parse_scenario(text).game()


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        pytest.param(
            {"stag": 11}, "'stag' = 11 is outside its declared range [2, 10] (meals)", id="above"
        ),
        pytest.param({"hare": -0.5}, "'hare' = -0.5 is outside", id="below"),
        pytest.param(
            {"wolf": 1}, "unknown parameter 'wolf'; this scenario has: stag, hare", id="unknown"
        ),
        pytest.param({"stag": float("nan")}, "got nan", id="nan"),
        pytest.param({"stag": "x"}, "expected a number", id="text"),
    ],
)
def test_parameter_values_are_checked(overrides, words):
    with pytest.raises(InputError) as info:
        parse_scenario(STAG_HUNT).game(overrides)
    assert words in str(info.value)


def test_json_schema_describes_the_format():
    schema = ScenarioFile.model_json_schema()
    assert set(schema["required"]) == {"kurilsim", "title", "players"}
    assert "payoff_table" in schema["properties"]


def test_parameter_values_given_by_solves_keyword_name_the_argument_they_belong_to():
    # ``kurilsim.solve`` takes them as ``parameters=``; a scenario's own ``solve`` (and
    # ``kurilsim.run``) as ``overrides``: the other name must not fall through as an option.
    scenario = parse_scenario(STAG_HUNT)
    with pytest.raises(TypeError, match=r"^parameters: .*overrides"):
        scenario.solve(parameters={"stag": 5})
