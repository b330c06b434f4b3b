r"""Read and write game trees with information sets in Gambit's ``.efg`` format, version 2.

The whole format: information sets of any size, chance moves, and outcomes at any node (a leaf
pays the sum of the outcomes on its path). A file is a prologue followed by one entry per node in
prefix order::

    EFG 2 R "Matching pennies" { "Even" "Odd" }
    ""

    p "" 1 1 "E" { "H" "T" } 0
    p "" 2 1 "O" { "H" "T" } 0
    t "" 1 "win" { 1, -1 }
    t "" 2 "lose" { -1, 1 }
    p "" 2 1 "O" { "H" "T" } 0
    t "" 2
    t "" 1

* ``p "name" player infoset "infoset name" { "action" ... } outcome``: a player's node;
* ``c "name" infoset "infoset name" { "branch" probability ... } outcome``: a chance node;
* ``t "name" outcome``: a leaf.

Players and information sets are numbered from 1; an information set's name and actions may be
left out where the set appeared before. An outcome is a number, 0 for none, followed the first
time by its name and payoffs. The format is specified in [1]_.

Bounds: a file is at most :data:`~kurilsim.io.sources.MAX_FILE_BYTES` bytes and a tree at most
:data:`~kurilsim.forms.extensive.game.MAX_NODES` nodes; the reader keeps one small record per node
and one per outcome, so its memory grows with the file, not with the number of strategies.

A round trip is exact: :func:`format_efg` writes every node, information set, action, outcome
(with its name, shared where the tree shares it) and probability, and :func:`parse_efg` reads back
the same tree. Chance nodes are written each in an information set of its own, which means the
same in Gambit.

References
----------
.. [1] The Gambit Project, "The extensive game (.efg) file format", Gambit documentation,
   https://gambitproject.readthedocs.io/en/latest/formats.efg.html

Examples
--------
>>> tree = parse_efg('''EFG 2 R "Pennies" { "Even" "Odd" }
... p "" 1 1 "E" { "H" "T" } 0
... p "" 2 1 "O" { "H" "T" } 0
... t "" 1 "win" { 1, -1 }
... t "" 2 "lose" { -1, 1 }
... p "" 2 1 { "H" "T" } 0
... t "" 2
... t "" 1''')
>>> [(s.label, s.nodes) for s in tree.infosets], tree.payoffs[:, 0].tolist()
([('E', (0,)), ('O', (1, 4))], [1.0, -1.0, -1.0, 1.0])
>>> parse_efg(format_efg(tree)).payoffs.tolist() == tree.payoffs.tolist()
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Final, TextIO

import numpy as np

from kurilsim.core.arguments import check_instance, check_path, check_text
from kurilsim.core.errors import InputError
from kurilsim.forms.extensive.game import CHANCE, MAX_NODES, TERMINAL
from kurilsim.forms.information.game import (
    ChanceNode,
    InformationTree,
    Node,
    NodeError,
    Outcome,
    PlayerNode,
    TerminalNode,
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

__all__ = ["format_efg", "parse_efg", "parse_efg_lines", "read_efg", "write_efg"]

#: Chance probabilities written as decimals may miss a sum of 1 by this much; they are rescaled.
PROBABILITY_ROUNDING: Final = 1e-6


@dataclass
class _Entry:
    """One node as read, before the tree is assembled."""

    kind: str  # "p", "c" or "t"
    name: str
    pos: int  # where the entry starts in the text; lines are counted only where needed
    player: int = -1  # 0-based, for "p" nodes
    infoset: str = ""  # the label of a player's information set
    actions: tuple[str, ...] = ()
    probabilities: tuple[float, ...] = ()
    outcome: Outcome | None = None
    children: list[int] = field(default_factory=list)


def parse_efg(text: str, source: str = "<string>") -> InformationTree:
    r"""Parse a game tree in Gambit's extensive-form (``.efg``) format, version 2.

    Parameters
    ----------
    text
        The contents of the file.
    source
        The name of the file, used in error messages.

    Returns
    -------
    InformationTree
        The tree. Node names become node labels; an information set is labelled by its name, or
        by its number where the name is empty (or used by another of the player's sets, then
        ``"name (#k)"``); outcomes keep their names and are shared as in the file. Empty or
        repeated player and action names are made unique as
        :func:`kurilsim.io.gambit_text.unique_names` says; every change is a line of
        :attr:`~InformationTree.notes`.

    Raises
    ------
    ArgumentTypeError
        If ``text`` or ``source`` is not a string.
    InputError
        If the text is not a well-formed ``.efg`` file, the tree is too large, the nodes of an
        information set differ in their player or actions, or the tree breaks perfect recall.
        The message names ``source`` and the line.

    Examples
    --------
    >>> parse_efg('''EFG 2 R "" { "A" "B" }
    ... p "" 1 1 "" { "x" "y" } 0
    ... p "" 2 1 "" { "l" "r" } 0
    ... t "" 0
    ... t "" 0
    ... p "" 2 1 "" { "l" "m" "r" } 0
    ... t "" 0
    ... t "" 0
    ... t "" 0''', source="bad.efg")
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: bad.efg:6: information set 1 of player 'B' was given the
    actions ['l', 'r'] on line 3, here ['l', 'm', 'r']; ...
    """
    return parse_efg_lines(text, source)[0]


def parse_efg_lines(text: str, source: str = "<string>") -> tuple[InformationTree, tuple[int, ...]]:
    """:func:`parse_efg`, with the line of each node's entry (nodes in prefix order)."""
    cursor = Cursor(check_text("text", text), check_text("source", source))
    _parse_magic(cursor)
    title = cursor.expect("string", "the game title in double quotes").text
    notes: list[str] = []
    players = parse_players(cursor, notes)
    if cursor.peek().kind == "string":
        cursor.take()  # the optional comment: a game tree has nowhere to keep it
    entries = _parse_nodes(cursor, players, notes)
    try:
        tree = InformationTree(players, _assemble(entries, players), title, notes)
    except NodeError as exc:
        line = _lines(text, [entries[exc.node].pos])[0]
        raise InputError(exc.reason, file=source, line=line) from None
    except InputError as exc:
        raise InputError(exc.reason, file=source) from None
    return tree, _lines(text, [entry.pos for entry in entries])


def _lines(text: str, positions: list[int]) -> tuple[int, ...]:
    """The line of each position in ``text``, in one pass over its line breaks."""
    breaks = np.flatnonzero(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32) == 10)
    return tuple((np.searchsorted(breaks, positions) + 1).tolist())


def read_efg(path: str | os.PathLike[str] | TextIO) -> InformationTree:
    """Read a game tree from a Gambit ``.efg`` file encoded in UTF-8.

    Parameters
    ----------
    path
        The file to read (``str`` or ``os.PathLike``), or an open text stream; at most
        :data:`~kurilsim.io.sources.MAX_FILE_BYTES` bytes either way.

    Returns
    -------
    InformationTree
        The tree, as :func:`parse_efg` returns it.

    Raises
    ------
    ArgumentTypeError
        If ``path`` is neither a path nor a text stream.
    InputError
        If the file cannot be read, is too large, is not UTF-8 or not a well-formed ``.efg``
        file; the message names the file.
    """
    text, source = read_source(path, "path")
    return parse_efg(text, source)


def format_efg(tree: InformationTree) -> str:
    r"""Write a tree with information sets in Gambit's ``.efg`` format, version 2.

    Information sets are numbered per player in the order of :attr:`InformationTree.infosets`,
    outcomes in the order of :attr:`InformationTree.outcomes`; each chance node gets an
    information set of its own. Numbers are the shortest decimals that read back as the same
    floats (probabilities as fractions where they are simple ones), so :func:`parse_efg` returns
    the same tree.

    Raises
    ------
    ArgumentTypeError
        If ``tree`` is not an :class:`InformationTree`.

    Examples
    --------
    >>> from kurilsim.forms.information.game import PlayerNode, TerminalNode
    >>> tree = InformationTree(["A", "B"], PlayerNode("A", "a", {
    ...     "l": PlayerNode("B", "b", {"x": TerminalNode([1, 0]), "y": TerminalNode([0, 1])}),
    ...     "r": PlayerNode("B", "b", {"x": TerminalNode([0, 1]), "y": TerminalNode([1, 0])}),
    ... }), title="T")
    >>> print(format_efg(tree), end="")
    EFG 2 R "T" { "A" "B" }
    ""
    <BLANKLINE>
    p "" 1 1 "a" { "l" "r" } 0
    p "" 2 1 "b" { "x" "y" } 0
    t "" 1 "" { 1, 0 }
    t "" 2 "" { 0, 1 }
    p "" 2 1 "b" { "x" "y" } 0
    t "" 3 "" { 0, 1 }
    t "" 4 "" { 1, 0 }
    """
    check_instance("tree", tree, InformationTree, "an InformationTree")
    players = " ".join(quote(name) for name in tree.players)
    lines = [f"EFG 2 R {quote(tree.title)} {{ {players} }}", '""', ""]
    numbers = [0] * len(tree.infosets)
    counts = [0] * tree.n_players
    for h, entry in enumerate(tree.infosets):
        counts[entry.player] += 1
        numbers[h] = counts[entry.player]
    written: set[int] = set()
    chance_sets = 0
    for v in range(tree.n_nodes):
        mover = int(tree.movers[v])
        label = quote(tree.labels[v])
        outcome = _outcome_text(tree, int(tree.outcome_of[v]), written)
        if mover == TERMINAL:
            lines.append(f"t {label} {outcome}")
        elif mover == CHANCE:
            chance_sets += 1
            children = tree.children[v]
            texts = probability_texts([float(tree.probabilities[c]) for c in children])
            branches = " ".join(
                f"{quote(a)} {p}" for a, p in zip(tree.actions[v], texts, strict=True)
            )
            lines.append(f'c {label} {chance_sets} "" {{ {branches} }} {outcome}')
        else:
            h = int(tree.infoset_of[v])
            actions = " ".join(quote(a) for a in tree.actions[v])
            infoset = f"{numbers[h]} {quote(tree.infosets[h].label)}"
            lines.append(f"p {label} {mover + 1} {infoset} {{ {actions} }} {outcome}")
    return "\n".join(lines) + "\n"


def write_efg(tree: InformationTree, path: str | os.PathLike[str]) -> None:
    """Write a tree to a file in Gambit's ``.efg`` format, encoded in UTF-8.

    Raises
    ------
    ArgumentTypeError
        If ``tree`` is not an :class:`InformationTree` or ``path`` not a path.
    InputError
        If the file cannot be written.
    """
    text = format_efg(tree)  # which checks the tree
    write_text(check_path("path", path), text)


def _outcome_text(tree: InformationTree, k: int, written: set[int]) -> str:
    """``0``; an outcome's number; or, the first time, its number, name and payoffs."""
    if k < 0:
        return "0"
    if k in written:
        return str(k + 1)
    written.add(k)
    outcome = tree.outcomes[k]
    payoffs = ", ".join(format_number(x) for x in outcome.payoffs)
    return f"{k + 1} {quote(outcome.label)} {{ {payoffs} }}"


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


@dataclass
class _PlayerSet:
    """A player's information set as first read: its label, actions and line."""

    label: str
    actions: tuple[str, ...]
    start: Token


class _Reader:
    """What the node entries share while they are read: outcomes and information sets."""

    def __init__(self, cursor: Cursor, players: list[str], notes: list[str]) -> None:
        self.cursor = cursor
        self.players = players
        self.notes = notes
        self.outcomes: dict[int, Outcome] = {}
        self.player_sets: dict[tuple[int, int], _PlayerSet] = {}
        self.labels_used: set[tuple[int, str]] = set()
        self.chance_sets: dict[int, tuple[tuple[str, ...], tuple[float, ...]]] = {}

    def entry(self) -> _Entry:
        cursor = self.cursor
        kind = cursor.take()
        if kind.kind != "word" or kind.text not in {"p", "c", "t"}:
            raise cursor.error(
                f"expected a node: 'p' (player), 'c' (chance) or 't' (terminal), found "
                f"{kind.describe()}",
                kind,
            )
        name = cursor.expect("string", "the node's name in double quotes").text
        entry = _Entry(kind.text, name, kind.pos)
        if kind.text == "p":
            entry.player, entry.infoset, entry.actions = self._player(kind)
        elif kind.text == "c":
            entry.actions, entry.probabilities = self._chance(kind)
        entry.outcome = self._outcome()
        return entry

    def _player(self, start: Token) -> tuple[int, str, tuple[str, ...]]:
        cursor = self.cursor
        token = cursor.take()
        number = natural(token)
        if number is None or not 1 <= number <= len(self.players):
            raise cursor.error(
                f"expected a player number from 1 to {len(self.players)}, found {token.describe()}",
                token,
            )
        player = number - 1
        infoset = self._infoset_number()
        name = cursor.take().text if cursor.peek().kind == "string" else None
        known = self.player_sets.get((player, infoset))
        if cursor.peek().kind != "{":
            if known is None:
                raise cursor.error(
                    f"information set {infoset} of player {self.players[player]!r} has no "
                    'actions: give them as { "name" ... } where it first appears',
                    cursor.peek(),
                )
            return player, known.label, known.actions
        actions = self._actions(start)
        if known is None:
            label = name or str(infoset)
            if (player, label) in self.labels_used:
                changed = f"{label} (#{infoset})"
                self.notes.append(
                    f"information set {infoset} of player {self.players[player]!r} repeats the "
                    f"name {label!r}; shown as {changed!r}"
                )
                label = changed
            self.labels_used.add((player, label))
            known = self.player_sets[player, infoset] = _PlayerSet(label, actions, start)
        elif actions != known.actions:
            raise cursor.error(
                f"information set {infoset} of player {self.players[player]!r} was given the "
                f"actions {list(known.actions)} on line {cursor.line(known.start)}, here "
                f"{list(actions)}; "
                "every node of an information set has the same actions",
                start,
            )
        return player, known.label, known.actions

    def _chance(self, start: Token) -> tuple[tuple[str, ...], tuple[float, ...]]:
        cursor = self.cursor
        infoset = self._infoset_number()
        if cursor.peek().kind == "string":
            cursor.take()  # the infoset's name: chance nodes are kept without one
        if cursor.peek().kind != "{":
            if infoset not in self.chance_sets:
                raise cursor.error(
                    f"chance information set {infoset} has no branches: give them as "
                    '{ "name" probability ... } where it first appears',
                    cursor.peek(),
                )
            return self.chance_sets[infoset]
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
        total = sum(probabilities)
        if not names or min(probabilities) < 0 or abs(total - 1) > PROBABILITY_ROUNDING:
            raise cursor.error(
                f"the probabilities of a chance node must be at least 0 and sum to 1, got "
                f"{probabilities}",
                opening,
            )
        branches = (self._labels(names, start), tuple(p / total for p in probabilities))
        first = self.chance_sets.setdefault(infoset, branches)
        if first != branches:
            raise cursor.error(
                f"chance information set {infoset} appeared before with other branches or "
                "probabilities; every node of an information set has the same ones",
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
        opening, names = parse_names(self.cursor, "the actions")
        if not names:
            raise self.cursor.error("a decision node needs at least one action", opening)
        return self._labels(names, start)

    def _labels(self, names: list[Token], start: Token) -> tuple[str, ...]:
        """Action or branch labels; an empty one is named by its position, as Gambit shows it."""
        texts = tuple(token.text for token in names)
        if all(texts) and len(set(texts)) == len(texts):
            return texts  # the usual case, without counting lines
        what = f"action {{k}} of the node on line {self.cursor.line(start)}"
        return tuple(unique_names(names, what, self.notes, str))

    def _outcome(self) -> Outcome | None:
        cursor = self.cursor
        token = cursor.take()
        number = natural(token)
        if number is None:
            raise cursor.error(
                f"expected an outcome number (0 for none), found {token.describe()}", token
            )
        if cursor.peek().kind == "string":
            name = cursor.take().text
            payoffs = self._payoffs(number)
            if number == 0:
                return None
            # Gambit repeats an outcome's payoffs wherever it is used; they must agree.
            first = self.outcomes.setdefault(number, Outcome(payoffs, name))
            if list(first.payoffs) != payoffs:
                raise cursor.error(
                    f"outcome {number} was given the payoffs "
                    f"{', '.join(map(format_number, first.payoffs))} before and "
                    f"{', '.join(map(format_number, payoffs))} here; an outcome has "
                    "one set of payoffs",
                    token,
                )
        elif number == 0:
            return None
        elif number not in self.outcomes:
            raise cursor.error(
                f"outcome {number} is used before its name and payoffs are given", token
            )
        return self.outcomes[number]

    def _payoffs(self, number: int) -> list[float]:
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
        return payoffs


def _parse_nodes(cursor: Cursor, players: list[str], notes: list[str]) -> list[_Entry]:
    """Read every node entry in prefix order, without recursion (trees may be deep)."""
    reader = _Reader(cursor, players, notes)
    if cursor.peek().kind == "end":
        raise cursor.error("the file has no nodes: expected the root node", cursor.peek())
    entries = [reader.entry()]
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
                f"{plural(missing, 'more child', 'more children')}",
                token,
            )
        if len(entries) >= MAX_NODES:
            raise cursor.error(f"the tree has more than {MAX_NODES:,} nodes", token)
        parent.children.append(len(entries))
        entries.append(reader.entry())
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
            built[k] = TerminalNode(entry.outcome, label=entry.name)
        elif entry.kind == "p":
            built[k] = PlayerNode(
                players[entry.player],
                entry.infoset,
                dict(zip(entry.actions, children, strict=True)),
                entry.outcome,
                label=entry.name,
            )
        else:
            branches = zip(entry.actions, entry.probabilities, children, strict=True)
            built[k] = ChanceNode(
                {a: (p, child) for a, p, child in branches}, entry.outcome, label=entry.name
            )
    return built[0]
