"""Gambit files edited at random: each is read, or refused in one line naming the file.

Valid ``.nfg`` and ``.efg`` texts are mutated by hypothesis (pieces replaced by tokens of the
formats, extreme numbers, quotes and braces); whatever comes out, reading it either gives a game
or raises :class:`~kurilsim.InputError` with one line that starts with the file's name, and a
game that is read solves to verified equilibria or is refused in one line too.
"""

import os
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kurilsim import InputError, solve
from kurilsim.core.errors import IterationLimitError
from kurilsim.solving import read_game

PRISONERS_NFG = """\
NFG 1 R "Prisoner's dilemma" { "Row" "Column" }
{ { "cooperate" "defect" } { "cooperate" "defect" } }
""
{
{ "" 3, 3 }
{ "" 5, 0 }
{ "" 0, 5 }
{ "" 1, 1 }
}
1 2 3 4
"""

PAYOFF_NFG = 'NFG 1 R "Matching pennies" { "Row" "Column" } { 2 2 }\n\n1 -1 -1 1 -1 1 1 -1\n'

ENTRY_EFG = """\
EFG 2 R "Entry deterrence" { "Entrant" "Incumbent" }
""

p "" 1 1 "" { "Out" "In" } 0
t "" 1 "Out" { 0, 2 }
p "" 2 1 "" { "Fight" "Accommodate" } 0
t "" 2 "Fight" { -1, -1 }
t "" 3 "Accommodate" { 1, 1 }
"""

CHANCE_EFG = """\
EFG 2 R "Chance first" { "Sender" "Receiver" }
""

c "" 1 "" { "strong" 2/3 "weak" 1/3 } 0
p "" 1 1 "" { "beer" "quiche" } 0
t "" 1 "" { 1, 0 }
t "" 2 "" { 0, 1 }
p "" 1 2 "" { "beer" "quiche" } 0
t "" 3 "" { 0, 1 }
t "" 4 "" { 1, 0 }
"""

#: Pieces a mutation splices in: the formats' own tokens and the values that break naive readers.
PIECES = st.sampled_from(
    [
        "",
        " ",
        "\n",
        "{",
        "}",
        '"',
        '""',
        '"x"',
        "0",
        "-1",
        "1/0",
        "0/0",
        "3/2",
        "1e308",
        "1e309",
        "-1e309",
        "nan",
        "inf",
        "99999999999999999999",
        "1.5.5",
        "p",
        "c",
        "t",
        "NFG",
        "EFG",
        "R",
        "D",
        '\\"',
        "\x00",
        "\ufeff",
        "é",
    ]
)

BASE_FILES = [
    ("game.nfg", PRISONERS_NFG),
    ("game.nfg", PAYOFF_NFG),
    ("game.efg", ENTRY_EFG),
    ("game.efg", CHANCE_EFG),
]


def _read_and_solve(name: str, text: str) -> str | None:
    """The one-line message the file is refused with, or None when it reads and solves."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, name)
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        try:
            game = read_game(path)
        except InputError as exc:
            message = str(exc)
            assert message.startswith(path), message
            return message
    # solve() verifies every answer itself: a wrong one raises, and fails the test.
    try:
        solve(game)
    except (InputError, IterationLimitError) as exc:
        return str(exc)
    return None


def test_the_unmutated_files_read_and_solve():
    for name, text in BASE_FILES:
        assert _read_and_solve(name, text) is None, name


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.sampled_from(BASE_FILES), data=st.data())
def test_mutated_gambit_files_are_read_or_refused_in_one_line(base, data):
    name, text = base
    for _ in range(data.draw(st.integers(1, 4), label="edits")):
        start = data.draw(st.integers(0, len(text)), label="start")
        stop = data.draw(st.integers(start, min(len(text), start + 8)), label="stop")
        text = text[:start] + data.draw(PIECES, label="piece") + text[stop:]
    message = _read_and_solve(name, text)
    assert message is None or "\n" not in message.strip(), message
