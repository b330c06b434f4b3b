"""Tests of kurilsim.forms.normal.nfg: the Gambit strategic-form (.nfg) reader and writer."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import numpy as np
import pygambit as gbt  # GPL: an independent reference reader, used only in these tests
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kurilsim.core.errors import InputError
from kurilsim.forms.normal import nfg
from kurilsim.forms.normal.game import NormalFormGame
from kurilsim.forms.normal.nfg import format_nfg, parse_nfg, read_nfg, write_nfg
from tests.strategies import nfg_token_soup, normal_form_games

DETERMINISTIC = settings(derandomize=True, database=None, deadline=None)

# The example of the Gambit documentation ("The strategic game (.nfg) file format"), Selten
# (1975), figure 2, in both variants. Player 1 has 3 strategies and player 2 has 2.
SELTEN_PAYOFF_VARIANT = """NFG 1 R "Selten (IJGT, 75), Figure 2, normal form"
{ "Player 1" "Player 2" } { 3 2 }

1 1 0 2 0 2 1 1 0 3 2 0
"""
SELTEN_OUTCOME_VARIANT = """NFG 1 R "Selten (IJGT, 75), Figure 2, normal form"
{ "Player 1" "Player 2" }

{
{ "1" "2" "3" }
{ "1" "2" }
}

{
{ "" 1, 1 }
{ "" 0, 2 }
{ "" 0, 2 }
{ "" 1, 1 }
{ "" 0, 3 }
{ "" 2, 0 }
}
1 2 3 4 5 6
"""
# payoffs[s1, s2] by hand from the documentation's reading of the list.
SELTEN_PAYOFFS = [[[1, 1], [1, 1]], [[0, 2], [0, 3]], [[0, 2], [2, 0]]]

# Prisoner's dilemma: only (Defect, Cooperate) gives Row 5, so a transposed reading fails.
PD_TEXT = """NFG 1 R "Prisoner's dilemma" { "Row" "Column" }
{ { "Cooperate" "Defect" } { "Cooperate" "Defect" } }
3 3
5 0
0 5
1 1
"""

# Three players, 2 x 2 x 2: player i's payoff at profile (a, b, c) (1-based) is the number
# "i a b c", so every entry says where it belongs. Written out by hand, first player fastest.
THREE_PLAYER_PAYOFF_VARIANT = """NFG 1 R "Three" { "P1" "P2" "P3" } { 2 2 2 }
1111 2111 3111   1211 2211 3211   1121 2121 3121   1221 2221 3221
1112 2112 3112   1212 2212 3212   1122 2122 3122   1222 2222 3222
"""
THREE_PLAYER_OUTCOME_VARIANT = """NFG 1 D "Three, outcomes" { "P1" "P2" "P3" }
{ { "a1" "a2" } { "b1" "b2" } { "c1" "c2" } }
"profiles (2,1,1), (1,1,2) and (2,1,2) have no outcome"
{
{ "x" 1, 2, 3 }
{ "y" 4 5 6 }
{ "z" -1/2, 0.25 1e2, }
}
1 0 2 3 0 0 3 1
"""
THREE_PLAYER_OUTCOME_PAYOFFS = {
    (0, 0, 0): [1, 2, 3],
    (1, 0, 0): [0, 0, 0],
    (0, 1, 0): [4, 5, 6],
    (1, 1, 0): [-0.5, 0.25, 100],
    (0, 0, 1): [0, 0, 0],
    (1, 0, 1): [0, 0, 0],
    (0, 1, 1): [-0.5, 0.25, 100],
    (1, 1, 1): [1, 2, 3],
}


def gambit_view(path: Path) -> tuple[str, list[str], list[list[str]], np.ndarray]:
    """Title, player labels, strategy labels and payoff tensor as pygambit reads the file."""
    game = gbt.read_nfg(str(path))
    players = list(game.players)
    strategies = [list(player.strategies) for player in players]
    shape = tuple(len(s) for s in strategies)
    payoffs = np.zeros((*shape, len(players)))
    for index in itertools.product(*(range(n) for n in shape)):
        outcome = game[tuple(s[k] for s, k in zip(strategies, index, strict=True))]
        if outcome is not None:  # the null outcome pays zero
            payoffs[index] = [float(outcome[player]) for player in players]
    return (
        game.title,
        [player.label for player in players],
        [[s.label for s in row] for row in strategies],
        payoffs,
    )


def assert_same_as_gambit(game: NormalFormGame, path: Path) -> None:
    title, players, strategies, payoffs = gambit_view(path)
    assert title == game.title
    assert players == list(game.players)
    assert strategies == [list(names) for names in game.strategies]
    np.testing.assert_array_equal(payoffs, game.payoffs)


# --- reading known games ---------------------------------------------------------------------


def test_prisoners_dilemma_first_player_changes_fastest() -> None:
    game = parse_nfg(PD_TEXT)
    assert game.title == "Prisoner's dilemma"
    assert game.players == ("Row", "Column")
    assert game.strategies == (("Cooperate", "Defect"), ("Cooperate", "Defect"))
    assert game.payoffs[0, 0].tolist() == [3, 3]
    assert game.payoffs[1, 0].tolist() == [5, 0]  # Row defects, Column cooperates
    assert game.payoffs[0, 1].tolist() == [0, 5]
    assert game.payoffs[1, 1].tolist() == [1, 1]


@pytest.mark.reference
@pytest.mark.parametrize(
    "text",
    [
        pytest.param(SELTEN_PAYOFF_VARIANT, id="payoff-variant"),
        pytest.param(SELTEN_OUTCOME_VARIANT, id="outcome-variant"),
    ],
)
def test_gambit_documentation_example(text: str) -> None:
    game = parse_nfg(text)
    assert game.title == "Selten (IJGT, 75), Figure 2, normal form"
    assert game.players == ("Player 1", "Player 2")
    assert game.strategies == (("1", "2", "3"), ("1", "2"))
    assert game.payoffs.tolist() == SELTEN_PAYOFFS


def test_three_players_payoff_variant() -> None:
    game = parse_nfg(THREE_PLAYER_PAYOFF_VARIANT)
    assert game.strategies == (("1", "2"),) * 3
    for a, b, c in itertools.product(range(2), repeat=3):
        expected = [1000 * i + 100 * (a + 1) + 10 * (b + 1) + (c + 1) for i in (1, 2, 3)]
        assert game.payoffs[a, b, c].tolist() == expected, (a, b, c)


def test_three_players_outcome_variant() -> None:
    game = parse_nfg(THREE_PLAYER_OUTCOME_VARIANT)
    assert game.strategies == (("a1", "a2"), ("b1", "b2"), ("c1", "c2"))
    for profile, expected in THREE_PLAYER_OUTCOME_PAYOFFS.items():
        assert game.payoffs[profile].tolist() == expected, profile


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3/2", 1.5),
        ("-3/2", -1.5),
        ("1/3", 1 / 3),
        ("0.1", 0.1),
        (".5", 0.5),
        ("5.", 5.0),
        ("-0.25", -0.25),
        ("+4", 4.0),
        ("1e3", 1000.0),
        ("1E-2", 0.01),
        ("2.5e+1", 25.0),
        ("12345678901234567890", 12345678901234567890.0),
        ("1e-400", 0.0),
    ],
)
def test_number_forms(text: str, value: float) -> None:
    game = parse_nfg(f'NFG 1 R "" {{ "A" }} {{ 1 }} {text}')
    assert game.payoffs[0, 0] == value


def test_string_escapes_and_line_breaks() -> None:
    text = 'NFG 1 R "a \\"quoted\\" \\\\ word\nover \\n lines" { "C:\\temp" "B" } { 1 1 } 1 2'
    game = parse_nfg(text)
    # \" and \\ are escapes; other backslashes and the line break stay as they are.
    assert game.title == 'a "quoted" \\ word\nover \\n lines'
    assert game.players == ("C:\\temp", "B")


def test_comment_commas_crlf_and_number_type_d() -> None:
    text = 'NFG 1 D "t"\r\n{ "A" "B" }\r\n{ 2 1 }\r\n"comment"\r\n{ { "o" 1 ,2 } }\r\n1 0\r\n'
    game = parse_nfg(text)
    assert game.payoffs.tolist() == [[[1, 2]], [[0, 0]]]


def test_one_player_game() -> None:
    game = parse_nfg('NFG 1 R "solo" { "Only" } { { "a" "b" "c" } } 1 2 3')
    assert game.payoffs.tolist() == [[1], [2], [3]]


# --- writing ---------------------------------------------------------------------------------


def test_format_prisoners_dilemma() -> None:
    game = parse_nfg(PD_TEXT)
    assert format_nfg(game) == (
        'NFG 1 R "Prisoner\'s dilemma" { "Row" "Column" }\n'
        '{ { "Cooperate" "Defect" }\n'
        '  { "Cooperate" "Defect" }\n'
        "}\n"
        "\n"
        "3 3\n"
        "5 0\n"
        "0 5\n"
        "1 1\n"
    )


def test_format_numbers_and_escapes() -> None:
    game = NormalFormGame(
        players=('say "hi"', "back\\slash"),
        strategies=(("x",), ("y",)),
        payoffs=[[[0.1, -2.0]]],
        title="",
    )
    assert format_nfg(game).splitlines() == [
        'NFG 1 R "" { "say \\"hi\\"" "back\\\\slash" }',
        '{ { "x" }',
        '  { "y" }',
        "}",
        "",
        "0.1 -2",
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3.0, "3"),
        (-0.0, "0"),
        (2.5, "2.5"),
        (1e16, "1e16"),  # Gambit reads "1e16" but not "1e+16"
        (1e-5, "1e-05"),
        (9007199254740993.0, "9007199254740992"),
    ],
)
def test_number_formatting(value: float, text: str) -> None:
    game = NormalFormGame(("A",), (("a",),), [[value]])
    assert format_nfg(game).splitlines()[-1] == text


def assert_same_game(actual: NormalFormGame, expected: NormalFormGame) -> None:
    assert actual.title == expected.title
    assert actual.players == expected.players
    assert actual.strategies == expected.strategies
    np.testing.assert_array_equal(actual.payoffs, expected.payoffs)


@DETERMINISTIC
@given(normal_form_games())
def test_round_trip_is_lossless(game: NormalFormGame) -> None:
    assert_same_game(parse_nfg(format_nfg(game)), game)


@DETERMINISTIC
@given(normal_form_games())
def test_round_trip_through_a_file(game: NormalFormGame) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "game.nfg"
        write_nfg(game, path)
        assert_same_game(read_nfg(path), game)


# --- cross-checks with pygambit --------------------------------------------------------------

# Labels pygambit 16.7 accepts: printable ASCII, no leading, trailing or double spaces. No
# backslash either: Gambit writes \\ for one but its reader turns \\ into three backslashes.
gambit_labels = st.from_regex(r"[!-\[\]-~]+( [!-\[\]-~]+)*", fullmatch=True)


@pytest.mark.slow
@pytest.mark.reference
@DETERMINISTIC
@given(normal_form_games(labels=gambit_labels))
def test_pygambit_reads_what_we_write(game: NormalFormGame) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "game.nfg"
        write_nfg(game, path)
        assert_same_as_gambit(game, path)


@pytest.mark.reference
@pytest.mark.parametrize(
    "text",
    [
        pytest.param(PD_TEXT, id="prisoners-dilemma"),
        pytest.param(SELTEN_PAYOFF_VARIANT, id="selten-payoffs"),
        pytest.param(SELTEN_OUTCOME_VARIANT, id="selten-outcomes"),
        pytest.param(THREE_PLAYER_PAYOFF_VARIANT, id="three-players-payoffs"),
        pytest.param(THREE_PLAYER_OUTCOME_VARIANT, id="three-players-outcomes"),
        pytest.param(
            'NFG 1 R "esc \\"aped\\"" { "A" "B" } { 2 1 } { { "o" 3/2, 1 } } 1 0',
            id="escapes-and-fractions",
        ),
    ],
)
def test_pygambit_agrees_on_files(text: str, tmp_path: Path) -> None:
    path = tmp_path / "game.nfg"
    path.write_text(text, encoding="utf-8")
    assert_same_as_gambit(read_nfg(path), path)


@pytest.mark.reference
def test_we_read_what_pygambit_writes() -> None:
    row = np.array([[1.5, 2, -3], [0.1, 4, 5]])
    column = np.array([[-1, 0, 7], [2, 1e-3, -5]])
    game = gbt.Game.from_arrays(row, column, title="written by pygambit")
    parsed = parse_nfg(game.to_nfg())  # the outcome variant, with a comment
    assert parsed.title == "written by pygambit"
    np.testing.assert_array_equal(parsed.payoffs, np.stack([row, column], axis=-1))


# --- malformed input -------------------------------------------------------------------------

HEADER = 'NFG 1 R "t" { "A" "B" } { 2 2 }\n'


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        pytest.param("", 1, "empty file: expected a Gambit strategic-form game", id="empty"),
        pytest.param(" \n\n", 1, "empty file", id="blank"),
        pytest.param('EFG 2 R "t"', 1, "expected 'NFG' at the start", id="not-nfg"),
        pytest.param(
            '\nNFG 2 R "t"', 2, "unknown .nfg format version '2': only version 1", id="version"
        ),
        pytest.param(
            "NFG {", 1, "expected the format version 1 after 'NFG', found '{'", id="missing-version"
        ),
        pytest.param(
            'NFG 1 Q "t"', 1, "expected 'R' or 'D' after 'NFG 1', found 'Q'", id="number-type"
        ),
        pytest.param(
            "NFG 1 R { }", 1, "expected the game title in double quotes, found '{'", id="title"
        ),
        pytest.param(
            'NFG 1 R "t" {\n"A" "B }\n{ 2 2 }',
            2,
            "unterminated string: this double quote is never closed",
            id="unterminated-string",
        ),
        pytest.param(
            'NFG 1 R "t" { "A" 2 }',
            1,
            "expected a name in double quotes or '}' to end the list of player names, found '2'",
            id="player-not-string",
        ),
        pytest.param(
            'NFG 1 R "t" { "A" "B"',
            1,
            "or '}' to end the list of player names, found the end",
            id="players-eof",
        ),
        pytest.param('NFG 1 R "t" { } { }', 1, "the list of players is empty", id="no-players"),
        pytest.param(
            'NFG 1 R "t" { "A" "B" } { 2 }',
            1,
            "expected 2 strategy lists or counts (one per player), found 1",
            id="too-few-counts",
        ),
        pytest.param(
            'NFG 1 R "t" { "A" "B" } { 2 0 }',
            1,
            "expected a positive whole number of strategies or '}', found '0'",
            id="zero-count",
        ),
        pytest.param('NFG 1 R "t" { "A" "B" } { 2 2.5 }', 1, "found '2.5'", id="fractional-count"),
        pytest.param(
            'NFG 1 R "t" { "A" "B" } { { "x" } 2 }',
            1,
            "expected '{' to start another list of strategy names or '}' to end them, found '2'",
            id="mixed-names-and-counts",
        ),
        pytest.param(
            'NFG 1 R "t" { "A" "B" } { { "x" } { } }',
            1,
            "player 'B' has no strategies",
            id="no-strategies",
        ),
        pytest.param(
            'NFG 1 R "t" { "A" "B" "C" }\n{ 1000 1000 1000 }',
            2,
            "the game is too large: it needs at least 3,000,000,000 payoff entries "
            "(strategy profiles x players), more than the limit of 10,000,000",
            id="too-large",
        ),
        pytest.param(
            'NFG 1 R "t" { "A" } { 123456789012345678901234567890 }',
            1,
            "the game is too large",
            id="absurd-count",
        ),
        pytest.param(
            HEADER + "1 2 3\n4 5 6\n7 x",
            4,
            "expected a number in the payoff list, found 'x'",
            id="payoff-not-number",
        ),
        pytest.param(
            HEADER + "1 2 3\n4 5 6\n7\n\n",
            4,
            "expected 8 payoffs (4 strategy profiles x 2 players), found 7",
            id="too-few-payoffs",
        ),
        pytest.param(
            HEADER + "1 2 3 4\n5 6 7 8\n9 10",
            4,
            "expected 8 payoffs (4 strategy profiles x 2 players), found 10",
            id="too-many-payoffs",
        ),
        pytest.param(HEADER + "1 2 3 4 5 6 7 8 }", 2, "found '}'", id="trailing-brace"),
        pytest.param(HEADER + "1/0", 2, "division by zero in the number '1/0'", id="div-zero"),
        pytest.param(HEADER + "1e999", 2, "the number '1e999' is out of the range", id="overflow"),
        pytest.param(HEADER + "1/" + "3" * 5000, 2, "has too many digits", id="too-many-digits"),
        pytest.param(
            HEADER + '{ { "o" 1 2 } }\n1 0 0 3',
            3,
            "outcome index '3' is out of range: the file defines 1 outcome (0 means no outcome)",
            id="outcome-index-out-of-range",
        ),
        pytest.param(
            HEADER + '{ { "o" 1 2 } }\n1 0 0 -1',
            3,
            "expected an outcome index (a whole number from 0 to 1), found '-1'",
            id="negative-outcome-index",
        ),
        pytest.param(
            HEADER + '{ { "o" 1 2 } }\n1 0 0',
            3,
            "expected 4 outcome indices (one per strategy profile), found 3",
            id="too-few-outcome-indices",
        ),
        pytest.param(
            HEADER + '{ { "o" 1 2 } }\n1 0 0 1\n0',
            4,
            "expected 4 outcome indices (one per strategy profile), found 5",
            id="too-many-outcome-indices",
        ),
        pytest.param(
            HEADER + '{\n{ "o" 1 2 3 }\n}',
            3,
            "outcome 1 has 3 payoffs, expected 2 (one per player)",
            id="outcome-payoff-count",
        ),
        pytest.param(
            HEADER + "{ { 1 2 } }",
            2,
            "expected the name of outcome 1 in double quotes, found '1'",
            id="outcome-without-name",
        ),
        pytest.param(
            HEADER + '{ { "o" 1, x } }',
            2,
            "expected a number or '}' in outcome 1, found 'x'",
            id="outcome-payoff-not-number",
        ),
        pytest.param(
            HEADER + '{ { "o" 1 2 }\n"p" }',
            3,
            "expected '{' to start outcome 2 or '}' to end the outcome list, found the string",
            id="outcome-list",
        ),
        pytest.param(
            HEADER + '{ { "o" 1 2 ',
            2,
            "expected a number or '}' in outcome 1, found the end of the file",
            id="outcome-eof",
        ),
    ],
)
def test_malformed_input(text: str, line: int, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_nfg(text, source="game.nfg")
    assert (caught.value.file, caught.value.line) == ("game.nfg", line)
    assert str(caught.value).startswith(f"game.nfg:{line}: ")
    assert message in str(caught.value)


def test_size_limit_is_the_module_constant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nfg, "MAX_PAYOFF_ENTRIES", 8)
    assert parse_nfg(HEADER + "1 2 3 4 5 6 7 8").shape == (2, 2)
    with pytest.raises(InputError, match=r"at least 12 payoff entries .* limit of 8"):
        parse_nfg('NFG 1 R "t" { "A" "B" } { 2 3 }')


def parse_error(text: str, source: str) -> InputError | None:
    """The InputError parsing ``text`` raises, or None; any other exception propagates."""
    try:
        parse_nfg(text, source=source)
    except InputError as error:
        return error
    return None


@DETERMINISTIC
@given(st.one_of(st.text(max_size=60), nfg_token_soup().map(lambda body: "NFG 1 R " + body)))
def test_garbage_raises_only_input_error(text: str) -> None:
    error = parse_error(text, "junk.nfg")
    assert error is None or str(error).startswith("junk.nfg:")


@DETERMINISTIC
@given(st.data())
def test_damaged_files_raise_only_input_error(data: st.DataObject) -> None:
    text = data.draw(st.sampled_from([PD_TEXT, SELTEN_OUTCOME_VARIANT, HEADER + "1 2 3 4 5 6 7 8"]))
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, min(start + 5, len(text))))
    insert = data.draw(st.text(alphabet='{}", 0123456789./-eE\\\nx', max_size=4))
    error = parse_error(text[:start] + insert + text[end:], "damaged.nfg")
    assert error is None or str(error).startswith("damaged.nfg:")


# --- files -----------------------------------------------------------------------------------


def test_read_nfg_names_the_file_in_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.nfg"
    path.write_text(HEADER + "1 2 3\nx", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.nfg:3: expected a number in the payoff list"):
        read_nfg(path)


def test_read_nfg_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.nfg: cannot read the file"):
        read_nfg(tmp_path / "missing.nfg")


def test_read_nfg_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.nfg"
    path.write_bytes('NFG 1 R\n"Stra\u00dfe" { "A" } { 1 } 0'.encode("latin-1"))
    with pytest.raises(InputError, match=r"latin1\.nfg:2: not UTF-8 text: the byte 0xdf"):
        read_nfg(path)


def test_read_nfg_accepts_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.nfg"
    path.write_bytes(b"\xef\xbb\xbf" + PD_TEXT.encode("utf-8"))
    assert read_nfg(path).players == ("Row", "Column")


def test_write_nfg_unwritable_path(tmp_path: Path) -> None:
    game = parse_nfg(PD_TEXT)
    with pytest.raises(InputError, match=r"cannot write the file"):
        write_nfg(game, tmp_path / "no such folder" / "game.nfg")


def test_write_nfg_keeps_line_breaks_in_names(tmp_path: Path) -> None:
    game = NormalFormGame(("A\r\nB", "C\rD"), (("x\n",), ("y",)), [[[1, 2]]], title="t\r")
    path = tmp_path / "breaks.nfg"
    write_nfg(game, path)
    assert_same_game(read_nfg(path), game)
