r"""Read and write games in Gambit's strategic-form (``.nfg``) file format, version 1.

A file is a prologue followed by a body::

    NFG 1 R "Prisoner's dilemma" { "Row" "Column" }
    { { "Cooperate" "Defect" } { "Cooperate" "Defect" } }
    3 3  5 0  0 5  1 1

The prologue holds the format version (always ``1``), a letter ``R`` or ``D`` that no longer
means anything, the title, the players and, for each player, either the strategy names or just
their number (the strategies are then named ``"1"``, ``"2"``, ...), then an optional comment
string. The body comes in two variants:

* the *payoff* variant lists all players' payoffs for each strategy profile, taking the profiles
  with the **first** player's strategy changing fastest: above, (Cooperate, Cooperate),
  (Defect, Cooperate), (Cooperate, Defect), (Defect, Defect);
* the *outcome* variant lists outcomes ``{ "name" 1, 2 }`` inside braces, then one outcome
  number per profile in the same order, where ``0`` means no outcome (every payoff zero).

Numbers are integers, decimals with an optional exponent, or fractions such as ``3/2``. Text is
in double quotes, with ``\"`` for a quote and ``\\`` for a backslash; whitespace and line breaks
elsewhere carry no meaning. The format is specified in [1]_.

References
----------
.. [1] The Gambit Project, "Game representation formats: the strategic game (.nfg) file format,
   payoff version" and "... outcome version", Gambit documentation,
   https://gambitproject.readthedocs.io/en/latest/formats.html

Examples
--------
>>> game = parse_nfg('NFG 1 R "PD" { "Row" "Column" } { 2 2 } 3 3 5 0 0 5 1 1')
>>> game.strategies
(('1', '2'), ('1', '2'))
>>> game.payoffs[1, 0].tolist()  # Row plays its 2nd strategy, Column its 1st
[5.0, 0.0]
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Final, TextIO

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.arguments import check_instance, check_path, check_text
from kurilsim.forms.normal.game import NormalFormGame
from kurilsim.io.gambit_text import (
    Cursor,
    Token,
    format_number,
    natural,
    parse_names,
    parse_number,
    parse_players,
    plural,
    quote,
    unique_names,
    write_text,
)
from kurilsim.io.sources import read_source

__all__ = ["MAX_PAYOFF_ENTRIES", "format_nfg", "parse_nfg", "read_nfg", "write_nfg"]

#: Largest number of payoff entries (strategy profiles times players) a file may declare. The
#: header is checked against it before anything is allocated, so that a corrupt header cannot
#: make the reader ask for gigabytes; 10**7 entries take 80 MB as float64.
MAX_PAYOFF_ENTRIES: Final = 10**7


def parse_nfg(text: str, source: str = "<string>") -> NormalFormGame:
    r"""Parse a game in Gambit's strategic-form (``.nfg``) format, version 1.

    Both body variants are accepted: a flat list of payoffs, or a list of outcomes followed by
    one outcome number per strategy profile. The comment string, outcome names and the number
    type letter (``R`` or ``D``) are read and dropped.

    Gambit accepts empty and repeated names; kurilsim needs every player named and no name twice
    among the players or among one player's strategies. So an empty player name becomes
    ``"Player k"`` after its position ``k``, and a repeated name gets its position among the
    names like it (the second ``"1"`` becomes ``"1 (2)"``). Each change is a line of the game's
    :attr:`~NormalFormGame.notes`, which ``kurilsim run`` and ``kurilsim validate`` print.

    Parameters
    ----------
    text
        The contents of the file.
    source
        The name of the file, used in error messages.

    Returns
    -------
    NormalFormGame
        The game, with payoffs converted to floats (a fraction to the nearest float), and the
        names changed in :attr:`~NormalFormGame.notes`.

    Raises
    ------
    ArgumentTypeError
        If ``text`` or ``source`` is not a string.
    InputError
        If the text is not a well-formed ``.nfg`` file, or declares more than
        :data:`MAX_PAYOFF_ENTRIES` payoff entries. The message names ``source``, the line and
        what was expected there.

    Examples
    --------
    The outcome variant; the profile (2, 1) gets outcome 2 and the others no outcome:

    >>> game = parse_nfg('''NFG 1 R "Entry" { "Firm" "Town" }
    ... { { "Stay out" "Enter" } { "Allow" } }
    ... "a comment"
    ... { { "" 0, 2 } { "profit" 3/2, 1 } }
    ... 0 2''')
    >>> game.payoffs[:, 0].tolist()
    [[0.0, 0.0], [1.5, 1.0]]
    >>> parse_nfg('NFG 1 R "t" { "A" "B" } { 1 1 } 1 x', source="t.nfg")
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: t.nfg:1: expected a number in the payoff list, found 'x'

    Names made unique, as Gambit's own test games have them:

    >>> game = parse_nfg('NFG 1 R "" { "" "B" } { { "1" "1" } { "x" } } 0 0 0 0')
    >>> game.players, game.strategies[0]
    (('Player 1', 'B'), ('1', '1 (2)'))
    >>> print("\n".join(game.notes))
    player 1 has no name; shown as 'Player 1'
    strategy 2 of player 'Player 1' repeats the name '1'; shown as '1 (2)'
    """
    cursor = Cursor(check_text("text", text), check_text("source", source))
    _parse_magic(cursor)
    title = cursor.expect("string", "the game title in double quotes").text
    notes: list[str] = []
    players = parse_players(cursor, notes)
    strategies = _parse_strategies(cursor, players, notes)
    if cursor.peek().kind == "string":
        cursor.take()  # the optional comment: a NormalFormGame has nowhere to keep it
    shape = tuple(len(names) for names in strategies)
    if cursor.peek().kind == "{":
        payoffs = _parse_outcome_body(cursor, shape)
    else:
        payoffs = _parse_payoff_body(cursor, shape)
    return NormalFormGame(players, strategies, payoffs, title, notes)


def read_nfg(path: str | os.PathLike[str] | TextIO) -> NormalFormGame:
    """Read a game from a Gambit ``.nfg`` file encoded in UTF-8.

    Parameters
    ----------
    path
        The file to read (``str`` or ``os.PathLike``), or an open text stream; at most
        :data:`~kurilsim.io.sources.MAX_FILE_BYTES` bytes either way.

    Returns
    -------
    NormalFormGame
        The game, as :func:`parse_nfg` returns it.

    Raises
    ------
    ArgumentTypeError
        If ``path`` is neither a path nor a text stream.
    InputError
        If the file cannot be read, is too large, is not UTF-8 or is not a well-formed
        ``.nfg`` file; the message names the file.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "matching.nfg"
    ...     _ = path.write_text('NFG 1 R "" { "1" "2" } { 2 2 } 1 -1 -1 1 -1 1 1 -1')
    ...     read_nfg(path)
    <NormalFormGame: 2 players (1, 2), 2 x 2>
    """
    text, source = read_source(path, "path")
    return parse_nfg(text, source)


def format_nfg(game: NormalFormGame) -> str:
    r"""Write a game in Gambit's ``.nfg`` format: the payoff variant, with strategy names.

    Integral payoffs are written as integers and the others as the shortest decimal that reads
    back as the same float, so :func:`parse_nfg` returns exactly the same payoffs and names. A
    game read from a file with empty or repeated names is written with the names it was given
    (see :func:`parse_nfg`), not those of the file.

    Parameters
    ----------
    game
        The game to write.

    Returns
    -------
    str
        The file contents, one strategy profile per line of the body.

    Raises
    ------
    ArgumentTypeError
        If ``game`` is not a :class:`NormalFormGame`.

    Examples
    --------
    >>> import numpy as np
    >>> pd = NormalFormGame(
    ...     players=("Row", "Column"),
    ...     strategies=(("C", "D"), ("C", "D")),
    ...     payoffs=np.array([[[3, 3], [0, 5]], [[5, 0], [1, 1]]]),
    ...     title='The "prisoner\'s dilemma"',
    ... )
    >>> print(format_nfg(pd), end="")
    NFG 1 R "The \"prisoner's dilemma\"" { "Row" "Column" }
    { { "C" "D" }
      { "C" "D" }
    }
    <BLANKLINE>
    3 3
    5 0
    0 5
    1 1
    """
    check_instance("game", game, NormalFormGame, "a NormalFormGame")
    players = " ".join(quote(name) for name in game.players)
    strategies = "\n  ".join(
        "{ " + " ".join(quote(name) for name in names) + " }" for names in game.strategies
    )
    # Row p of by_profile holds every player's payoff in profile p, the profiles ordered with
    # the first player's strategy changing fastest (Fortran order over the strategy axes).
    by_profile = np.moveaxis(game.payoffs, -1, 0).reshape(game.n_players, -1, order="F").T
    body = "\n".join(" ".join(format_number(x) for x in row) for row in by_profile.tolist())
    return f"NFG 1 R {quote(game.title)} {{ {players} }}\n{{ {strategies}\n}}\n\n{body}\n"


def write_nfg(game: NormalFormGame, path: str | os.PathLike[str]) -> None:
    """Write a game to a file in Gambit's ``.nfg`` format, encoded in UTF-8.

    Parameters
    ----------
    game
        The game to write.
    path
        The file to create or overwrite.

    Raises
    ------
    ArgumentTypeError
        If ``game`` is not a game of this format or ``path`` not a path.
    InputError
        If the file cannot be written.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import numpy as np
    >>> game = NormalFormGame(("A", "B"), (("x",), ("y", "z")), np.array([[[0.5, 1], [2, 3]]]))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     write_nfg(game, pathlib.Path(folder) / "game.nfg")
    ...     read_nfg(pathlib.Path(folder) / "game.nfg").payoffs.tolist()
    [[[0.5, 1.0], [2.0, 3.0]]]
    """
    text = format_nfg(game)  # which checks the game
    write_text(check_path("path", path), text)


def _parse_magic(cursor: Cursor) -> None:
    first = cursor.take()
    if first.kind == "end":
        raise cursor.error(
            "empty file: expected a Gambit strategic-form game starting with 'NFG 1 R'", first
        )
    if (first.kind, first.text) != ("word", "NFG"):
        raise cursor.error(
            "expected 'NFG' at the start of a Gambit strategic-form (.nfg) file, "
            f"found {first.describe()}",
            first,
        )
    version = cursor.take()
    if version.kind != "word":
        raise cursor.error(
            f"expected the format version 1 after 'NFG', found {version.describe()}", version
        )
    if version.text != "1":
        raise cursor.error(
            f"unknown .nfg format version {version.describe()}: only version 1 exists", version
        )
    number_type = cursor.take()
    if (number_type.kind, number_type.text) not in {("word", "R"), ("word", "D")}:
        raise cursor.error(
            f"expected 'R' or 'D' after 'NFG 1', found {number_type.describe()}", number_type
        )


def _parse_strategies(
    cursor: Cursor, players: list[str], notes: list[str]
) -> list[tuple[str, ...]]:
    """Read the strategy names or counts, refusing a game too large before naming anything."""
    opening = cursor.expect("{", "'{' to start the strategy names or counts")
    lists: list[tuple[Token, list[Token]]] = []
    counts: list[int] = []
    if cursor.peek().kind == "{":
        while cursor.peek().kind == "{":
            lists.append(parse_names(cursor, f"the strategies of player {len(lists) + 1}"))
        counts = [len(names) for _, names in lists]
        cursor.expect("}", "'{' to start another list of strategy names or '}' to end them")
    else:
        while (token := cursor.take()).kind != "}":
            count = natural(token)
            if not count:
                raise cursor.error(
                    "expected a positive whole number of strategies or '}', "
                    f"found {token.describe()}",
                    token,
                )
            counts.append(count)
    if len(counts) != len(players):
        raise cursor.error(
            f"expected {len(players)} strategy lists or counts (one per player), "
            f"found {len(counts)}",
            opening,
        )
    entries = len(players)
    for count in counts:
        entries *= count
        if entries > MAX_PAYOFF_ENTRIES:
            raise cursor.error(
                f"the game is too large: it needs at least {entries:,} payoff entries "
                f"(strategy profiles x players), more than the limit of {MAX_PAYOFF_ENTRIES:,}",
                opening,
            )
    if not lists:
        return [tuple(str(k) for k in range(1, count + 1)) for count in counts]
    for player, (list_opening, names) in zip(players, lists, strict=True):
        if not names:
            raise cursor.error(f"player {player!r} has no strategies", list_opening)
    return [
        tuple(unique_names(names, f"strategy {{k}} of player {player!r}", notes))
        for player, (_, names) in zip(players, lists, strict=True)
    ]


def _parse_payoff_body(cursor: Cursor, shape: tuple[int, ...]) -> NDArray[np.float64]:
    n_players, n_profiles = len(shape), math.prod(shape)
    flat = np.empty(n_profiles * n_players)
    _parse_rest(
        cursor,
        flat,
        lambda token: parse_number(cursor, token, "in the payoff list"),
        f"payoffs ({n_profiles} strategy profiles x {n_players} players)",
    )
    # The file lists the players fastest, then the first player's strategy, then the second's...
    return np.moveaxis(flat.reshape((n_players, *shape), order="F"), 0, -1)


def _parse_outcome_body(cursor: Cursor, shape: tuple[int, ...]) -> NDArray[np.float64]:
    n_players = len(shape)
    cursor.take()  # the "{" that opens the outcome list
    rows = [np.zeros(n_players)]  # outcome 0 is no outcome: every payoff zero
    while (token := cursor.take()).kind == "{":
        rows.append(_parse_outcome(cursor, len(rows), n_players))
    if token.kind != "}":
        raise cursor.error(
            f"expected '{{' to start outcome {len(rows)} or '}}' to end the outcome list, "
            f"found {token.describe()}",
            token,
        )
    table = np.array(rows)
    indices = np.empty(math.prod(shape), dtype=np.intp)
    _parse_rest(
        cursor,
        indices,
        lambda token: _outcome_index(cursor, token, len(rows) - 1),
        "outcome indices (one per strategy profile)",
    )
    return table[indices.reshape(shape, order="F")]


def _parse_outcome(cursor: Cursor, number: int, n_players: int) -> NDArray[np.float64]:
    """Read ``"name" 1, 2 }`` after the opening brace of outcome ``number``."""
    cursor.expect("string", f"the name of outcome {number} in double quotes")
    payoffs = []
    while (token := cursor.take()).kind != "}":
        payoffs.append(parse_number(cursor, token, f"or '}}' in outcome {number}"))
        if cursor.peek().kind == ",":
            cursor.take()  # payoffs may be separated by commas
    if len(payoffs) != n_players:
        raise cursor.error(
            f"outcome {number} has {plural(len(payoffs), 'payoff')}, expected {n_players} "
            "(one per player)",
            token,
        )
    return np.array(payoffs)


def _parse_rest(
    cursor: Cursor, out: NDArray[np.generic], convert: Callable[[Token], float], what: str
) -> None:
    """Fill ``out`` with the converted remaining tokens, which must be exactly enough."""
    for k in range(out.size):
        token = cursor.take()
        if token.kind == "end":
            raise cursor.error(f"expected {out.size} {what}, found {k}", token)
        out[k] = convert(token)
    first_extra, found = cursor.peek(), out.size
    while cursor.peek().kind != "end":
        convert(cursor.take())
        found += 1
    if found > out.size:
        raise cursor.error(f"expected {out.size} {what}, found {found}", first_extra)


def _outcome_index(cursor: Cursor, token: Token, n_outcomes: int) -> int:
    index = natural(token)
    if index is None:
        raise cursor.error(
            f"expected an outcome index (a whole number from 0 to {n_outcomes}), "
            f"found {token.describe()}",
            token,
        )
    if index > n_outcomes:
        raise cursor.error(
            f"outcome index {token.describe()} is out of range: the file defines "
            f"{plural(n_outcomes, 'outcome')} (0 means no outcome)",
            token,
        )
    return index
