"""Hostile scenario files: every one is refused with one message naming file, field and line."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kurilsim import InputError, parse_scenario
from kurilsim.core.rules import MAX_RULE_CELLS
from tests.strategies import PRISONERS_TABLE, STAG_HUNT, scenario_pieces

PAYOFF_A = "A: stag * both_stag + hare * a_hare"


def _error(text: str) -> str:
    with pytest.raises(InputError) as info:
        parse_scenario(text, source="bad.yaml")
    return str(info.value)


# Each case: (the file, the expected start of the message, words in the message).
HOSTILE = [
    pytest.param(
        STAG_HUNT.replace("title: Stag hunt with a parameter", "title: a\x07b"),
        "bad.yaml:2:",
        "U+0007 is not allowed",
        id="control-character",
    ),
    pytest.param(
        STAG_HUNT.replace("title: Stag hunt with a parameter", "title: !!binary aGVsbG8="),
        "bad.yaml:2:",
        "the tag !!binary is not supported",
        id="binary-tag",
    ),
    pytest.param(
        STAG_HUNT.replace("title: Stag hunt with a parameter", "title: !!set {a, b}"),
        "bad.yaml:2:",
        "the tag !!set is not supported",
        id="set-tag",
    ),
    pytest.param(
        "!!python/object/apply:os.system ['echo unsafe']\n",
        "bad.yaml:1:",
        "the tag !!python/object/apply:os.system is not supported",
        id="python-tag",
    ),
    pytest.param(
        STAG_HUNT.replace("era: textbook", "era: textbook\n!!merge <<: {description: x}"),
        "bad.yaml:4:",
        "merge keys are not supported",
        id="merge-key",
    ),
    pytest.param(
        STAG_HUNT.replace("range: [2, 10]", "range: [2, 1" + "0" * 500 + "]"),
        "bad.yaml:11:",
        "more than 400 digits",
        id="huge-integer",
    ),
    *(
        pytest.param(
            STAG_HUNT.replace("\n  hare:\n", f"\n  {name}:\n").replace("hare *", f"{name} *"),
            f"bad.yaml:15: parameters.{name}:",
            words,
            id=f"parameter-named-{name}",
        )
        for name, words in [
            ("exp", "'exp' is the name of a function"),
            ("lambda", "'lambda' is a reserved word"),
            ("None", "'None' is a reserved word"),
        ]
    ),
    pytest.param(
        STAG_HUNT.replace("range: [2, 10]", "range: [-1e308, 1e308]"),
        "bad.yaml:9: parameters.stag:",
        "wider than",
        id="range-wider-than-a-float",
    ),
    pytest.param(
        STAG_HUNT.replace("default: 4", "default: 1e400"),
        "bad.yaml:10: parameters.stag.default:",
        "finite number",
        id="overflowing-default",
    ),
    pytest.param(
        STAG_HUNT.replace("players:\n  A: [stag, hare]", "players:\n  A: [yes, no]"),
        "bad.yaml:",
        "A has no strategy 'stag'; expected one of ['yes', 'no']",
        id="yes-no-are-names",
    ),
    pytest.param(
        STAG_HUNT.replace("kurilsim: 1", "kurilsim: true"),
        "bad.yaml:1: kurilsim:",
        "unsupported format version",
        id="version-true",
    ),
    pytest.param(
        "kurilsim: 1\ntitle: alone\nplayers:\n  A: [a, b]\npayoffs: {A: 1}\n",
        "bad.yaml:3: players:",
        "at least 2 items",
        id="one-player",
    ),
    pytest.param(
        STAG_HUNT.replace("  hare:\n", "  'ha re':\n"),
        "bad.yaml:15: parameters.ha re:",
        "the name 'ha re' is not allowed: expected a name made of letters",
        id="bad-parameter-name",
    ),
    pytest.param(
        STAG_HUNT.replace(PAYOFF_A, "A: ''"),
        "bad.yaml:41: payoffs.A:",
        "at least 1 character",
        id="empty-expression",
    ),
    pytest.param(
        STAG_HUNT.replace(PAYOFF_A, "A: [1]"),
        "bad.yaml:41: payoffs.A:",
        "expected a number or text",
        id="list-as-expression",
    ),
    pytest.param(
        STAG_HUNT.replace(PAYOFF_A, "A: '" + "9" * 400 + "'"),
        "bad.yaml:41: payoffs.A:",
        "not finite or lies beyond the range of 64-bit floats",
        id="huge-literal-in-expression",
    ),
    pytest.param(
        STAG_HUNT.replace(PAYOFF_A, "A: 1if stag else 0"),
        "bad.yaml:41: payoffs.A:",
        "syntax error",
        id="python-only-warns",
    ),
    pytest.param(
        STAG_HUNT.replace(PAYOFF_A, "A: stag / (hare - hare)"),
        "bad.yaml:41: payoffs.A:",
        "payoff of A is inf (not a finite number) at profile (stag, stag)",
        id="division-by-zero",
    ),
    pytest.param(
        PRISONERS_TABLE.replace("payoffs: [1, 1]}", "payoffs: [log(-1), 1]}"),
        "bad.yaml:10: payoff_table.3.payoffs.0:",
        "payoff of Row is nan",
        id="nan-in-a-table-cell",
    ),
    pytest.param(
        STAG_HUNT + "labels:\n  - {when: {Z: stag}, label: x}\n",
        "bad.yaml:44: labels.0.when.Z:",
        "unknown player 'Z'",
        id="label-unknown-player",
    ),
    pytest.param(
        STAG_HUNT + "labels:\n  - {when: {A: deer}, label: x}\n",
        "bad.yaml:44: labels.0.when.A:",
        "A has no strategy 'deer'",
        id="label-unknown-strategy",
    ),
]


@pytest.mark.parametrize(("text", "start", "words"), HOSTILE)
def test_hostile_file_gives_one_clear_message(text, start, words):
    message = _error(text)
    assert message.startswith(start), message
    assert words in message, message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        pytest.param("1.5e2", "default", 150.0, id="exponent-without-sign"),
        pytest.param("010", "default", 10.0, id="leading-zero-is-decimal"),
        pytest.param("0x0A", "default", 10.0, id="hexadecimal"),
    ],
)
def test_numbers_read_by_the_yaml_1_2_rules(text, field, value):
    scenario = parse_scenario(
        STAG_HUNT.replace("default: 4", f"{field}: {text}").replace(
            "range: [2, 10]", "range: [2, 200]"
        )
    )
    assert scenario.defaults()["stag"] == value


def test_dates_and_sexagesimals_stay_text():
    scenario = parse_scenario(STAG_HUNT.replace("era: textbook", "era: 1956-10-19"))
    assert scenario.spec.era == "1956-10-19"
    text = STAG_HUNT.replace("title: Stag hunt with a parameter", "title: 1:30")
    assert parse_scenario(text).title == "1:30"


def test_too_many_rules_for_the_game_size_are_refused_before_building_masks():
    strategies = ", ".join(f"s{k}" for k in range(1000))
    rules = "".join("      - {when: {}, value: 1}\n" for _ in range(MAX_RULE_CELLS // 10**6 + 1))
    text = (
        f"kurilsim: 1\ntitle: big\nplayers:\n  A: [{strategies}]\n  B: [{strategies}]\n"
        f"outcomes:\n  o:\n    description: d\n    rules:\n{rules}payoffs: {{A: o, B: o}}\n"
    )
    message = _error(text)
    assert message.startswith("bad.yaml:3: players:"), message
    assert "at most 100 rules" in message


def test_non_finite_payoff_at_a_user_value_names_the_file_and_field():
    scenario = parse_scenario(STAG_HUNT.replace(PAYOFF_A, "A: 1 / (stag - 3)"), source="hunt.yaml")
    with pytest.raises(InputError, match=r"^hunt\.yaml: payoffs\.A: payoff of A is inf"):
        scenario.payoffs({"stag": np.array([2.0, 3.0])})


def _message_or_none(text: str) -> str | None:
    try:
        parse_scenario(text, source="fuzz.yaml")
    except InputError as exc:
        return str(exc)
    return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_edited_scenarios_never_raise_anything_but_input_errors(data):
    text = STAG_HUNT
    for _ in range(data.draw(st.integers(1, 4))):
        start = data.draw(st.integers(0, len(text)))
        stop = data.draw(st.integers(start, min(len(text), start + 12)))
        text = text[:start] + data.draw(scenario_pieces) + text[stop:]
    message = _message_or_none(text)
    assert message is None or (message.startswith("fuzz.yaml") and "\n" not in message), message
