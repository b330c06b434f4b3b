r"""The text layer shared by Gambit's file formats (``.nfg`` and ``.efg``).

Both formats are whitespace-separated tokens: braces, commas, double-quoted strings (with ``\"`` for
a quote and ``\\`` for a backslash) and bare words such as numbers. A :class:`Cursor` hands out the
tokens of one text with one token of look-ahead and turns problems into
:class:`~kurilsim.core.errors.InputError` messages naming the file and the line. Numbers are
integers, decimals with an optional exponent, or fractions such as ``3/2``. The format is specified
in [1]_.

References
----------
.. [1] The Gambit Project, "Game representation formats", Gambit documentation,
   https://gambitproject.readthedocs.io/en/latest/formats.html

Examples
--------
>>> cursor = Cursor('{ "Row" "Col" } 3/2', source="t.nfg")
>>> _, names = parse_names(cursor, "the players")
>>> [n.text for n in names], parse_number(cursor, cursor.take(), "here")
(['Row', 'Col'], 1.5)
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Final, NamedTuple

from kurilsim.core.arguments import MAX_PLAYERS
from kurilsim.core.errors import InputError

# One token after optional whitespace. Every other character starts one of the alternatives, so
# only the end of the text leaves the group unmatched. A quote that does not match as a whole
# string is one that is never closed.
_TOKEN: Final = re.compile(
    r"""\s*(?:
        (?P<punct>[{},])
      | (?P<string>"[^"\\]*(?:\\.[^"\\]*)*")
      | (?P<unclosed>")
      | (?P<word>[^\s{}",]+)
    )?""",
    re.VERBOSE | re.DOTALL,
)
# Only \" and \\ are escapes; any other backslash stands for itself, as in hand-written paths.
_ESCAPE: Final = re.compile(r'\\(["\\])')
# [0-9] rather than \d, which would also accept digits of other scripts.
_NUMBER: Final = re.compile(
    r"(?P<num>[+-]?[0-9]+)/(?P<den>[0-9]+)|[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
)
_DIGITS: Final = re.compile(r"[0-9]+")
# Whole numbers longer than this exceed every limit the reader applies (int() would even
# refuse more than 4300 digits), so they are capped instead of converted.
_MAX_DIGITS: Final = 18


class Token(NamedTuple):
    """One token: its kind, its text and where it starts."""

    kind: str  # "{", "}", ",", "string", "word" or "end"
    text: str  # a string's text with escapes resolved; otherwise the characters as written
    # Where the token starts; line numbers are worked out only for errors, keeping scans fast.
    pos: int

    def describe(self) -> str:
        """Say what this token is, for 'expected ..., found ...' messages."""
        if self.kind == "end":
            return "the end of the file"
        shown = self.text if len(self.text) <= 40 else self.text[:37] + "..."
        return f"the string {quote(shown)}" if self.kind == "string" else repr(shown)


def _tokenize(text: str, source: str) -> Iterator[Token]:
    pos = 0
    while (match := _TOKEN.match(text, pos)) is not None and match.lastgroup is not None:
        kind, start, pos = match.lastgroup, match.start(match.lastgroup), match.end()
        lexeme = match[kind]
        if kind == "unclosed":
            raise InputError(
                "unterminated string: this double quote is never closed",
                file=source,
                line=_line(text, start),
            )
        if kind == "string":
            yield Token("string", _ESCAPE.sub(r"\1", lexeme[1:-1]), start)
        elif kind == "punct":
            yield Token(lexeme, lexeme, start)
        else:
            yield Token("word", lexeme, start)
    # At the end of the last token, so that errors point at the last line with content.
    yield Token("end", "", pos)


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


class Cursor:
    """The tokens of one text, taken one at a time with one token of look-ahead."""

    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self._text = text
        self._tokens = _tokenize(text, source)
        self._next = next(self._tokens)

    def peek(self) -> Token:
        """The next token, left in place."""
        return self._next

    def take(self) -> Token:
        """The next token, consumed; the end token stays at the end."""
        token = self._next
        if token.kind != "end":
            self._next = next(self._tokens)
        return token

    def line(self, token: Token) -> int:
        """The line ``token`` starts on, counted from 1."""
        return _line(self._text, token.pos)

    def error(self, message: str, token: Token) -> InputError:
        """An error naming the file and the line of ``token``."""
        return InputError(message, file=self.source, line=self.line(token))

    def expect(self, kind: str, what: str) -> Token:
        """Take the next token, which must be of ``kind`` (``what`` describes it for errors)."""
        token = self.take()
        if token.kind != kind:
            raise self.error(f"expected {what}, found {token.describe()}", token)
        return token


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` to a file in UTF-8, line breaks kept exactly as they are.

    Raises
    ------
    InputError
        If the file cannot be written.
    """
    try:
        # newline="" keeps line breaks inside names exactly as they are.
        Path(path).write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise InputError(f"cannot write the file: {exc.strerror}", file=os.fspath(path)) from None


def quote(text: str) -> str:
    """``text`` in double quotes, with quotes and backslashes escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def format_number(value: float) -> str:
    """The shortest text that reads back as ``value``; integral values without a decimal point."""
    # repr switches to exponent notation at 1e16; below that integral values print as integers.
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    # repr is the shortest text that reads back as the same float; Gambit refuses "e+".
    return repr(value).replace("e+", "e")


def probability_texts(probabilities: Sequence[float]) -> list[str]:
    """Probabilities as text that sums to exactly 1, which Gambit requires.

    Simple fractions (such as 1/3) are written as fractions. Otherwise every probability but the
    largest is written as the decimal its float stands for, and the largest as what is left, so
    the decimals add up to 1 exactly; it may then differ from its float in the last digit.
    """
    values = [float(p) for p in probabilities]
    fractions = [Fraction(p).limit_denominator(1000) for p in values]
    if sum(fractions) == 1 and all(
        abs(float(f) - p) <= 1e-15 for f, p in zip(fractions, values, strict=True)
    ):
        return [str(f) for f in fractions]
    decimals = [Decimal(repr(p)) for p in values]
    largest = max(range(len(values)), key=values.__getitem__)
    decimals[largest] = 1 - (sum(decimals) - decimals[largest])
    return [format(d.normalize(), "f") for d in decimals]


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    """``"1 payoff"``, ``"2 payoffs"``; ``plural_noun`` for an irregular plural.

    Examples
    --------
    >>> plural(1, "payoff"), plural(2, "payoff"), plural(3, "more child", "more children")
    ('1 payoff', '2 payoffs', '3 more children')
    """
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {plural_noun or noun + 's'}"


def parse_names(cursor: Cursor, what: str) -> tuple[Token, list[Token]]:
    """Read ``{ "a" "b" ... }``; return the opening brace and the names."""
    opening = cursor.expect("{", f"'{{' to start {what}")
    names = []
    while (token := cursor.take()).kind == "string":
        names.append(token)
    if token.kind != "}":
        raise cursor.error(
            f"expected a name in double quotes or '}}' to end {what}, found {token.describe()}",
            token,
        )
    return opening, names


def unique_names(
    names: list[Token], what: str, notes: list[str], fill: Callable[[int], str] | None = None
) -> list[str]:
    """The names read, made unique where a game needs it, each change added to ``notes``.

    Gambit accepts empty and repeated names; kurilsim's tables and files need each name unique.
    An empty name becomes ``fill(k)`` for the ``k``-th name (1-based), if ``fill`` is given;
    a name seen before gets its position among the names like it: the second ``"1"`` becomes
    ``"1 (2)"`` (a second empty name, without ``fill``, becomes its position). A name made up
    this way never takes one the file gives elsewhere.

    Parameters
    ----------
    names
        The name tokens, in order.
    what
        How the notes call the ``k``-th name, with ``{k}`` for its position: ``"player {k}"``.
    notes
        Where to add one line per name changed.
    fill
        The name of an empty one, by its position; ``None`` keeps empty names.

    Returns
    -------
    list of str
        The names, unique and, with ``fill``, none empty.

    Examples
    --------
    >>> notes: list[str] = []
    >>> cursor = Cursor('{ "" "Player 2" "1" "1" }', source="t.nfg")
    >>> unique_names(parse_names(cursor, "names")[1], "name {k}", notes, "Player {}".format)
    ['Player 1', 'Player 2', '1', '1 (2)']
    >>> notes
    ["name 1 has no name; shown as 'Player 1'", "name 4 repeats the name '1'; shown as '1 (2)'"]
    """
    given = {token.text for token in names}
    result: list[str] = []
    taken: set[str] = set()  # the names in result: a wide move must not cost quadratic time
    for k, token in enumerate(names, start=1):
        base = token.text or (fill(k) if fill is not None else "")
        if not base and "" in taken:
            base = str(k)  # a second empty name is shown by its position
        name, copy = base, 1
        # A made-up name must differ from every name so far and from every name the file gives.
        while name in taken or (name != token.text and name in given):
            copy += 1
            name = f"{base or k} ({copy})"
        if name != token.text:
            why = "has no name" if not token.text else f"repeats the name {token.text!r}"
            notes.append(f"{what.format(k=k)} {why}; shown as {name!r}")
        result.append(name)
        taken.add(name)
    return result


def parse_players(cursor: Cursor, notes: list[str]) -> list[str]:
    """Read the list of player names: at least one; empty and repeated names made unique.

    An empty name becomes ``"Player k"`` after its position ``k``; see :func:`unique_names`,
    which adds a line to ``notes`` for each name changed.
    """
    opening, names = parse_names(cursor, "the list of player names")
    if not names:
        raise cursor.error("the list of players is empty; a game needs at least one", opening)
    if len(names) > MAX_PLAYERS:
        raise cursor.error(
            f"the game has {len(names):,} players; kurilsim handles at most {MAX_PLAYERS}", opening
        )
    return unique_names(names, "player {k}", notes, "Player {}".format)


def natural(token: Token) -> int | None:
    """Return the value of a word of decimal digits, or None for any other token."""
    if token.kind != "word" or not _DIGITS.fullmatch(token.text):
        return None
    digits = token.text.lstrip("0") or "0"
    return int(digits) if len(digits) <= _MAX_DIGITS else 10**_MAX_DIGITS


def parse_number(cursor: Cursor, token: Token, where: str) -> float:
    """The finite float ``token`` writes (a fraction to the nearest float).

    ``where`` says where the number was expected, for error messages.
    """
    match = _NUMBER.fullmatch(token.text) if token.kind == "word" else None
    if match is None:
        raise cursor.error(f"expected a number {where}, found {token.describe()}", token)
    try:
        if match["den"] is None:
            value = float(token.text)
        else:
            value = float(Fraction(int(match["num"]), int(match["den"])))
    except ZeroDivisionError:
        raise cursor.error(f"division by zero in the number {token.describe()}", token) from None
    except ValueError:  # int() refuses more than 4300 digits
        raise cursor.error(f"the number {token.describe()} has too many digits", token) from None
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        raise cursor.error(
            f"the number {token.describe()} is out of the range of floating-point payoffs", token
        )
    return value
