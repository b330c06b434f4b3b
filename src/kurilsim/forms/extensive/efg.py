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

The file is read by the one ``.efg`` reader, :func:`kurilsim.forms.information.efg.parse_efg`,
which takes the whole format; this module keeps the trees of perfect information, where a
player's information set holds one node, as :class:`ExtensiveFormGame`. Chance information sets
may repeat, with the same branches and probabilities (or none, to reuse them). The format is
specified in [1]_; the lexical rules (strings, numbers, fractions such as ``1/3``) are those of
:mod:`kurilsim.io.gambit_text`.

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
from typing import TextIO

from kurilsim.core.arguments import check_instance, check_path
from kurilsim.core.errors import InputError
from kurilsim.forms.extensive.game import (
    CHANCE,
    TERMINAL,
    ExtensiveFormGame,
)
from kurilsim.forms.information.efg import parse_efg_lines
from kurilsim.io.gambit_text import (
    format_number,
    probability_texts,
    quote,
    write_text,
)
from kurilsim.io.sources import read_source

__all__ = ["format_efg", "parse_efg", "read_efg", "write_efg"]


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
    ... p "" 2 1 "" { "l" "r" } 0
    ... t "" 0
    ... t "" 0''', source="bad.efg")
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: bad.efg:6: information set '1' of player 'B' holds a second
    node; ...
    """
    tree, lines = parse_efg_lines(text, source)
    for entry in tree.infosets:
        if len(entry.nodes) > 1:
            raise InputError(
                f"information set {entry.label!r} of player {tree.players[entry.player]!r} holds "
                "a second node; the extensive form reads games of perfect information only, "
                "where every decision node is an information set of its own (kurilsim run "
                "reads this file as a tree with information sets)",
                file=source,
                line=lines[entry.nodes[1]],
            )
    return tree.to_extensive()


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
