r"""Read and write game trees in Gambit's extensive-form (``.efg``) file format, version 2.

A file is a prologue followed by one entry per node, nodes in prefix order (a node, then the
subtree of its first action, then that of its second, ...)::

    EFG 2 R "Entry deterrence" { "Entrant" "Incumbent" }
    ""

    p "" 1 1 "" { "Out" "In" } 0
    t "" 1 "Out" { 0, 2 }
    p "" 2 1 "" { "Fight" "Accommodate" } 0
    t "" 2 "In > Fight" { -1, -1 }
    t "" 3 "In > Accommodate" { 1, 1 }

The prologue holds the format version (always ``2``), a letter ``R`` or ``D`` that no longer means
anything, the title, the players and an optional comment string. Each node entry starts with its
kind and its name:

* ``p "name" player infoset "infoset name" { "action" ... } outcome``: a player's decision;
* ``c "name" infoset "infoset name" { "branch" probability ... } outcome``: a chance move;
* ``t "name" outcome``: a leaf.

Players and information sets are numbered from 1. The infoset name and the action list may be left
out where the same information set appeared before. ``outcome`` is a number, 0 for none; the first
time an outcome appears its name and payoffs follow, ``"name" { 1, 2 }`` (commas optional). An
outcome may sit at any node; a leaf pays the sum of the outcomes on its path.

Only perfect information is supported: a player's information set may hold one node. Chance
information sets may repeat, with the same branches and probabilities (or none, to reuse them).
The format is specified in [1]_; the lexical rules (strings, numbers, fractions such as ``1/3``)
are those of :mod:`kurilsim.io.gambit_text`.

References
----------
.. [1] The Gambit Project, "The extensive game (.efg) file format", Gambit documentation,
   https://gambitproject.readthedocs.io/en/latest/formats.efg.html

Examples
--------
>>> game = parse_efg('''EFG 2 R "Entry" { "Entrant" "Incumbent" }
... p "" 1 1 "" { "Out" "In" } 0
... t "" 1 "out" { 0, 2 }
... p "" 2 1 "" { "Fight" "Accommodate" } 0
... t "" 2 "fight" { -1, -1 }
... t "" 3 "accommodate" { 1, 1 }''')
>>> game.players, game.payoffs.tolist()
(('Entrant', 'Incumbent'), [[0.0, 2.0], [-1.0, -1.0], [1.0, 1.0]])
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Final, TextIO

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.arguments import check_instance, check_path, check_text
from kurilsim.core.errors import InputError
from kurilsim.forms.extensive.game import (
    CHANCE,
    MAX_NODES,
    TERMINAL,
    Chance,
    Decision,
    ExtensiveFormGame,
    Node,
    Terminal,
)
from kurilsim.io.gambit_text import (
    Cursor,
    Token,
    format_number,
    natural,
    parse_names,
    parse_number,
    parse_players,
    plural,
    probability_texts,
    quote,
    unique_names,
    write_text,
)
from kurilsim.io.sources import read_source

__all__ = ["format_efg", "parse_efg", "read_efg", "write_efg"]

#: Chance probabilities written as decimals may miss a sum of 1 by this much; they are rescaled.
PROBABILITY_ROUNDING: Final = 1e-6


@dataclass
class _Entry:
    """One node as read, before the tree is assembled."""

    kind: str  # "p", "c" or "t"
    name: str
    player: int  # 0-based, for "p" nodes
    actions: tuple[str, ...]
    probabilities: tuple[float, ...]
    # The sum of the outcomes from the root down to this node.
    payoffs: NDArray[np.float64]
    children: list[int] = field(default_factory=list)


def parse_efg(text: str, source: str = "<string>") -> ExtensiveFormGame:
    r"""Parse a game tree in Gambit's extensive-form (``.efg``) format, version 2.

    Parameters
    ----------
    text
        The contents of the file.
    source
        The name of the file, used in error messages.

    Returns
    -------
    ExtensiveFormGame
        The tree; node names become node labels, and each leaf pays the sum of the outcomes on
        its path (a fraction is converted to the nearest float). The comment, infoset names and
        outcome names are read and dropped. Gambit accepts empty and repeated names, kurilsim
        needs them unique: an empty player name becomes ``"Player k"`` after its position ``k``,
        an empty action or branch label its position, and a repeated name or label gets its
        position among those like it (a second ``"a"`` becomes ``"a (2)"``). Each change is a
        line of :attr:`~ExtensiveFormGame.notes`, which ``kurilsim run`` and ``validate`` print.

    Raises
    ------
    ArgumentTypeError
        If ``text`` or ``source`` is not a string.
    InputError
        If the text is not a well-formed ``.efg`` file or has imperfect information (two nodes in
        one information set of a player). The message names ``source``, the line and what was
        expected there.

    Examples
    --------
    >>> parse_efg('''EFG 2 R "" { "A" "B" }
    ... p "" 1 1 "" { "x" "y" } 0
    ... p "" 2 1 "" { "l" "r" } 0
    ... t "" 0
    ... t "" 0
    ... p "" 2 1 "" { "l" "r" } 0''', source="bad.efg")
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: bad.efg:6: information set 1 of player 'B' holds a second
    node; ...
    """
    cursor = Cursor(check_text("text", text), check_text("source", source))
    _parse_magic(cursor)
    title = cursor.expect("string", "the game title in double quotes").text
    notes: list[str] = []
    players = parse_players(cursor, notes)
    if cursor.peek().kind == "string":
        cursor.take()  # the optional comment: a game tree has nowhere to keep it
    entries = _parse_nodes(cursor, players, notes)
    try:
        return ExtensiveFormGame(players, _assemble(entries, players), title, notes)
    except InputError as exc:
        raise InputError(exc.reason, file=source) from None


def read_efg(path: str | os.PathLike[str] | TextIO) -> ExtensiveFormGame:
    """Read a game tree from a Gambit ``.efg`` file encoded in UTF-8.

    Parameters
    ----------
    path
        The file to read (``str`` or ``os.PathLike``), or an open text stream; at most
        :data:`~kurilsim.io.sources.MAX_FILE_BYTES` bytes either way.

    Returns
    -------
    ExtensiveFormGame
        The tree, as :func:`parse_efg` returns it.

    Raises
    ------
    ArgumentTypeError
        If ``path`` is neither a path nor a text stream.
    InputError
        If the file cannot be read, is too large, is not UTF-8 or is not a well-formed
        ``.efg`` file of perfect information; the message names the file.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from kurilsim.forms import catalogue
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = pathlib.Path(folder) / "entry.efg"
    ...     write_efg(catalogue.entry_deterrence(), path)
    ...     read_efg(path).players
    ('Entrant', 'Incumbent')
    """
    text, source = read_source(path, "path")
    return parse_efg(text, source)


def format_efg(game: ExtensiveFormGame) -> str:
    r"""Write a game tree in Gambit's ``.efg`` format, version 2.

    Each decision and chance node gets an information set of its own, numbered in prefix order
    per player; each leaf gets an outcome of its own, named after the leaf. Numbers are written
    as the shortest decimals that read back as the same floats, so :func:`parse_efg` returns the
    same tree, payoffs and probabilities. A tree read from a file with empty or repeated names is
    written with the names it was given (see :func:`parse_efg`), not those of the file.

    Parameters
    ----------
    game
        The game tree.

    Returns
    -------
    str
        The file contents, one node per line.

    Raises
    ------
    ArgumentTypeError
        If ``game`` is not a :class:`ExtensiveFormGame`.

    Examples
    --------
    >>> from kurilsim.forms import catalogue
    >>> print(format_efg(catalogue.entry_deterrence()), end="")
    EFG 2 R "Entry deterrence (Selten 1978)" { "Entrant" "Incumbent" }
    ""
    <BLANKLINE>
    p "" 1 1 "" { "Out" "In" } 0
    t "" 1 "Out" { 0, 2 }
    p "" 2 1 "" { "Fight" "Accommodate" } 0
    t "" 2 "In > Fight" { -1, -1 }
    t "" 3 "In > Accommodate" { 1, 1 }
    """
    check_instance("game", game, ExtensiveFormGame, "an ExtensiveFormGame")
    players = " ".join(quote(name) for name in game.players)
    lines = [f"EFG 2 R {quote(game.title)} {{ {players} }}", '""', ""]
    infosets = [0] * (game.n_players + 1)  # per player, and chance last
    for v in range(game.n_nodes):
        mover = int(game.movers[v])
        label = quote(game.labels[v])
        if mover == TERMINAL:
            leaf = int(game.leaf_of[v])
            payoffs = ", ".join(format_number(x) for x in game.payoffs[leaf].tolist())
            outcome = quote(game.node_name(v))
            lines.append(f"t {label} {leaf + 1} {outcome} {{ {payoffs} }}")
            continue
        infosets[mover] += 1
        if mover == CHANCE:
            probabilities = probability_texts(game.probabilities[list(game.children[v])].tolist())
            branches = " ".join(
                f"{quote(a)} {p}" for a, p in zip(game.actions[v], probabilities, strict=True)
            )
            lines.append(f'c {label} {infosets[mover]} "" {{ {branches} }} 0')
        else:
            actions = " ".join(quote(a) for a in game.actions[v])
            lines.append(f'p {label} {mover + 1} {infosets[mover]} "" {{ {actions} }} 0')
    return "\n".join(lines) + "\n"


def write_efg(game: ExtensiveFormGame, path: str | os.PathLike[str]) -> None:
    """Write a game tree to a file in Gambit's ``.efg`` format, encoded in UTF-8.

    Parameters
    ----------
    game
        The game tree.
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
    >>> from kurilsim.forms import catalogue
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     write_efg(catalogue.centipede(2), pathlib.Path(folder) / "centipede.efg")
    ...     read_efg(pathlib.Path(folder) / "centipede.efg").payoffs.tolist()
    [[0.4, 0.1], [0.2, 0.8], [1.6, 0.4]]
    """
    text = format_efg(game)  # which checks the game
    write_text(check_path("path", path), text)


def _parse_magic(cursor: Cursor) -> None:
    first = cursor.take()
    if first.kind == "end":
        raise cursor.error(
            "empty file: expected a Gambit extensive-form game starting with 'EFG 2 R'", first
        )
    if (first.kind, first.text) != ("word", "EFG"):
        raise cursor.error(
            "expected 'EFG' at the start of a Gambit extensive-form (.efg) file, "
            f"found {first.describe()}",
            first,
        )
    version = cursor.take()
    if (version.kind, version.text) != ("word", "2"):
        raise cursor.error(
            f"expected the format version 2 after 'EFG', found {version.describe()}", version
        )
    number_type = cursor.take()
    if (number_type.kind, number_type.text) not in {("word", "R"), ("word", "D")}:
        raise cursor.error(
            f"expected 'R' or 'D' after 'EFG 2', found {number_type.describe()}", number_type
        )


class _Reader:
    """What the node entries share while they are read: outcomes and information sets."""

    def __init__(self, cursor: Cursor, players: list[str], notes: list[str]) -> None:
        self.cursor = cursor
        self.players = players
        self.notes = notes
        self.outcomes: dict[int, NDArray[np.float64]] = {0: np.zeros(len(players))}
        self.player_infosets: set[tuple[int, int]] = set()
        self.chance_infosets: dict[int, tuple[tuple[str, ...], tuple[float, ...]]] = {}

    def entry(self, inherited: NDArray[np.float64]) -> _Entry:
        cursor = self.cursor
        kind = cursor.take()
        if kind.kind != "word" or kind.text not in {"p", "c", "t"}:
            raise cursor.error(
                f"expected a node: 'p' (player), 'c' (chance) or 't' (terminal), found "
                f"{kind.describe()}",
                kind,
            )
        name = cursor.expect("string", "the node's name in double quotes").text
        player = -1
        actions: tuple[str, ...] = ()
        probabilities: tuple[float, ...] = ()
        if kind.text == "p":
            player, actions = self._decision(kind)
        elif kind.text == "c":
            actions, probabilities = self._chance(kind)
        with np.errstate(over="ignore", invalid="ignore"):
            payoffs = inherited + self._outcome()
        if not np.all(np.isfinite(payoffs)):
            raise cursor.error(
                "the outcomes on the path to this node add up to a payoff out of the range of "
                "floating-point numbers",
                kind,
            )
        return _Entry(kind.text, name, player, actions, probabilities, payoffs)

    def _decision(self, start: Token) -> tuple[int, tuple[str, ...]]:
        cursor = self.cursor
        token = cursor.take()
        number = natural(token)
        if number is None or not 1 <= number <= len(self.players):
            raise cursor.error(
                f"expected a player number from 1 to {len(self.players)}, found {token.describe()}",
                token,
            )
        infoset = self._infoset_number()
        if (number, infoset) in self.player_infosets:
            raise cursor.error(
                f"information set {infoset} of player {self.players[number - 1]!r} holds a "
                "second node; kurilsim reads games of perfect information only, where every "
                "decision node is an information set of its own",
                start,
            )
        self.player_infosets.add((number, infoset))
        if cursor.peek().kind == "string":
            cursor.take()  # the infoset's name
        return number - 1, self._actions(start)

    def _chance(self, start: Token) -> tuple[tuple[str, ...], tuple[float, ...]]:
        cursor = self.cursor
        infoset = self._infoset_number()
        if cursor.peek().kind == "string":
            cursor.take()  # the infoset's name
        if cursor.peek().kind != "{":
            if infoset not in self.chance_infosets:
                raise cursor.error(
                    f"chance information set {infoset} has no branches: give them as "
                    '{ "name" probability ... } where it first appears',
                    cursor.peek(),
                )
            return self.chance_infosets[infoset]
        opening = cursor.take()
        names: list[Token] = []
        probabilities: list[float] = []
        while (token := cursor.take()).kind == "string":
            names.append(token)
            probabilities.append(
                parse_number(cursor, cursor.take(), f"as the probability of {token.text!r}")
            )
        if token.kind != "}":
            raise cursor.error(
                f"expected a branch name in double quotes or '}}' to end the branches, found "
                f"{token.describe()}",
                token,
            )
        values = np.array(probabilities)
        if not names or np.any(values < 0) or abs(values.sum() - 1) > PROBABILITY_ROUNDING:
            raise cursor.error(
                f"the probabilities of a chance node must be at least 0 and sum to 1, got "
                f"{probabilities}",
                opening,
            )
        branches = (self._labels(names, start), tuple((values / values.sum()).tolist()))
        first = self.chance_infosets.setdefault(infoset, branches)
        if first != branches:
            raise cursor.error(
                f"chance information set {infoset} appeared before with other branches or "
                f"probabilities ({_branches_text(first)}); every node of an information set "
                "has the same ones",
                start,
            )
        return branches

    def _infoset_number(self) -> int:
        token = self.cursor.take()
        number = natural(token)
        if not number:
            raise self.cursor.error(
                f"expected an information set number (1 or more), found {token.describe()}", token
            )
        return number

    def _actions(self, start: Token) -> tuple[str, ...]:
        cursor = self.cursor
        opening, names = parse_names(cursor, "the actions")
        if not names:
            raise cursor.error("a decision node needs at least one action", opening)
        return self._labels(names, start)

    def _labels(self, names: list[Token], start: Token) -> tuple[str, ...]:
        """Action or branch labels; an empty one is named by its position, as Gambit shows it."""
        what = f"action {{k}} of the node on line {self.cursor.line(start)}"
        return tuple(unique_names(names, what, self.notes, str))

    def _outcome(self) -> NDArray[np.float64]:
        cursor = self.cursor
        token = cursor.take()
        number = natural(token)
        if number is None:
            raise cursor.error(
                f"expected an outcome number (0 for none), found {token.describe()}", token
            )
        if cursor.peek().kind == "string":
            cursor.take()  # the outcome's name
            payoffs = self._payoffs(number)
            # Gambit repeats an outcome's payoffs wherever it is used; they must agree.
            first = self.outcomes.setdefault(number, payoffs)
            if not np.array_equal(first, payoffs):
                raise cursor.error(
                    f"outcome {number} was given the payoffs "
                    f"{', '.join(map(format_number, first.tolist()))} before and "
                    f"{', '.join(map(format_number, payoffs.tolist()))} here; an outcome has "
                    "one set of payoffs",
                    token,
                )
        elif number not in self.outcomes:
            raise cursor.error(
                f"outcome {number} is used before its name and payoffs are given", token
            )
        return self.outcomes[number]

    def _payoffs(self, number: int) -> NDArray[np.float64]:
        cursor = self.cursor
        cursor.expect("{", f"'{{' to start the payoffs of outcome {number}")
        payoffs = []
        while (token := cursor.take()).kind != "}":
            payoffs.append(parse_number(cursor, token, f"or '}}' in outcome {number}"))
            if cursor.peek().kind == ",":
                cursor.take()  # payoffs may be separated by commas
        if len(payoffs) != len(self.players):
            raise cursor.error(
                f"outcome {number} has {plural(len(payoffs), 'payoff')}, expected "
                f"{len(self.players)} (one per player)",
                token,
            )
        return np.array(payoffs)


def _branches_text(branches: tuple[tuple[str, ...], tuple[float, ...]]) -> str:
    return " ".join(f"{quote(a)} {p:.6g}" for a, p in zip(*branches, strict=True))


def _parse_nodes(cursor: Cursor, players: list[str], notes: list[str]) -> list[_Entry]:
    """Read every node entry in prefix order, without recursion (trees may be deep)."""
    reader = _Reader(cursor, players, notes)
    if cursor.peek().kind == "end":
        raise cursor.error("the file has no nodes: expected the root node", cursor.peek())
    entries = [reader.entry(np.zeros(len(players)))]
    # The nodes still waiting for children, innermost last.
    waiting = [] if entries[0].kind == "t" else [0]
    while waiting:
        parent = entries[waiting[-1]]
        if len(parent.children) == len(parent.actions):
            waiting.pop()
            continue
        token = cursor.peek()
        if token.kind == "end":
            missing = len(parent.actions) - len(parent.children)
            raise cursor.error(
                f"the file ends before the tree is complete: a node still needs "
                f"{plural(missing, 'more child')}",
                token,
            )
        if len(entries) >= MAX_NODES:
            raise cursor.error(f"the tree has more than {MAX_NODES:,} nodes", token)
        parent.children.append(len(entries))
        entries.append(reader.entry(parent.payoffs))
        if entries[-1].kind != "t":
            waiting.append(len(entries) - 1)
    if (token := cursor.peek()).kind != "end":
        raise cursor.error(
            f"expected the end of the file after the last node of the tree, found "
            f"{token.describe()}",
            token,
        )
    return entries


def _assemble(entries: list[_Entry], players: list[str]) -> Node:
    """Build the tree bottom-up: in reverse prefix order every child is built before its parent."""
    built: dict[int, Node] = {}
    for k in reversed(range(len(entries))):
        entry = entries[k]
        children = [built.pop(c) for c in entry.children]
        if entry.kind == "t":
            built[k] = Terminal(entry.payoffs, label=entry.name)
        elif entry.kind == "p":
            built[k] = Decision(
                players[entry.player],
                dict(zip(entry.actions, children, strict=True)),
                label=entry.name,
            )
        else:
            built[k] = Chance(
                {
                    a: (p, child)
                    for a, p, child in zip(
                        entry.actions, entry.probabilities, children, strict=True
                    )
                },
                label=entry.name,
            )
    return built[0]
