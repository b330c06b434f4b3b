"""Preference statements over options: the language of option prioritisation.

In the graph model for conflict resolution a decision maker's preferences over states are often
stated as an ordered list of statements about options, most important first ("Russia hands over
no island", "Russia militarises if Japan deploys missile defence"); a state that satisfies a more
important statement is preferred to one that does not, whatever the less important statements
say (Fang, Hipel, Kilgour & Peng 2003, "A decision support system for interactive decision
making, Part I", IEEE Trans. SMC-C 33(1); Hipel, Kilgour, Fang & Peng 1997, Applied Mathematics
and Computation 83, 117-152). The same language states which option combinations are infeasible.

A statement is a truth value of a state's options:

========================  ==========================================================
``name``                  the option is taken (Y)
``-name``, ``not name``   the option is not taken (N); ``-`` and ``not`` negate any part
``a and b``, ``a & b``    both
``a or b``, ``a | b``     either
``a if b``                ``a`` holds whenever ``b`` does: true when ``b`` is false or ``a``
                          is true (a conditional statement)
``a iff b``               ``a`` and ``b`` are both true or both false
``( ... )``               grouping
========================  ==========================================================

Negation binds tightest, then ``and``, then ``or``, then ``if``/``iff`` (at most one per
level of parentheses). The words ``not``, ``and``, ``or``, ``if`` and ``iff`` cannot name
options.

Examples
--------
>>> import numpy as np
>>> s = parse_statement("militarise if aegis")
>>> sorted(s.names)
['aegis', 'militarise']
>>> s.evaluate({"militarise": np.array([True, False, False]),
...             "aegis": np.array([True, True, False])}).tolist()
[True, False, True]
>>> prioritised_scores(np.array([[True, False, True], [False, True, True]])).tolist()
[2.0, 1.0, 3.0]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.errors import InputError

BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]
_Evaluator = Callable[[Mapping[str, BoolArray]], BoolArray]

#: Words of the language; they cannot name options.
KEYWORDS = frozenset({"not", "and", "or", "if", "iff"})
#: Longest statement text accepted, in characters.
MAX_LENGTH = 1000
#: Most statements in one priority list: scores are exact sums of powers of two in a float64.
MAX_STATEMENTS = 50

_TOKEN = re.compile(r"\s*(?:(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>[()&|-])|(?P<bad>\S))")


class StatementError(InputError):
    """A statement is not valid; ``column`` is the 1-based column of the problem, if known."""

    def __init__(self, message: str, column: int | None = None) -> None:
        self.column = column
        super().__init__(message if column is None else f"{message} (column {column})")


@dataclass(frozen=True)
class OptionStatement:
    """A parsed statement, ready to evaluate on a table of states.

    Create one with :func:`parse_statement`.

    Attributes
    ----------
    source
        The text the statement was parsed from.
    names
        The option names the statement refers to.
    """

    source: str
    names: frozenset[str]
    _evaluator: _Evaluator = field(repr=False, compare=False)

    def evaluate(self, options: Mapping[str, BoolArray]) -> BoolArray:
        """The statement's truth in each state.

        Parameters
        ----------
        options
            Option name -> whether each state takes it (one boolean per state).

        Raises
        ------
        InputError
            If an option the statement names is missing.
        """
        missing = self.names.difference(options)
        if missing:
            raise InputError(f"no option {', '.join(sorted(missing))} for {self.source!r}")
        return self._evaluator(options)


def parse_statement(text: str) -> OptionStatement:
    """Parse a statement about options (the language is in this module's docstring).

    Raises
    ------
    StatementError
        If the text is not a statement, naming the column.

    Examples
    --------
    >>> parse_statement("-offer and (accept or not press)").names == {"offer", "accept", "press"}
    True
    >>> parse_statement("offer if")
    Traceback (most recent call last):
    ...
    kurilsim...StatementError: expected an option name or '(', found the end (column 9)
    """
    if not isinstance(text, str):
        raise StatementError(f"expected a statement (text), got {text!r}")
    if len(text) > MAX_LENGTH:
        raise StatementError(f"statement is {len(text)} characters long; at most {MAX_LENGTH}")
    parser = _Parser(_tokens(text), len(text))
    if parser.peek() is None:
        raise StatementError("statement is empty")
    evaluator = parser.implication(depth=0)
    leftover = parser.peek()
    if leftover is not None:
        raise StatementError(f"unexpected {leftover[0]!r}", leftover[1])
    return OptionStatement(text, frozenset(parser.names), evaluator)


def prioritised_scores(truths: BoolArray) -> FloatArray:
    """Scores of states from the truths of prioritised statements.

    Statement ``k`` of ``K`` (0 = most important) adds ``2 ** (K - 1 - k)`` to every state where
    it holds, so a more important statement outweighs all less important ones together; states
    with equal scores are equally preferred (Fang, Hipel, Kilgour & Peng 2003).

    Parameters
    ----------
    truths
        Shape ``(K, m)``: statement ``k`` holds in state ``s``.

    Returns
    -------
    numpy.ndarray
        Shape ``(m,)``, higher is more preferred.

    Examples
    --------
    >>> prioritised_scores(np.array([[True, True, False], [True, False, True]])).tolist()
    [3.0, 2.0, 1.0]
    """
    count = truths.shape[0]
    if count > MAX_STATEMENTS:
        raise InputError(f"{count} statements given; at most {MAX_STATEMENTS} are supported")
    weights = 2.0 ** np.arange(count - 1, -1, -1)
    return np.asarray(weights @ truths.astype(np.float64), dtype=np.float64)


def statement_truths(
    statements: Sequence[OptionStatement], options: Mapping[str, BoolArray]
) -> BoolArray:
    """The truth of each statement in each state, shape ``(len(statements), m)``.

    Examples
    --------
    >>> columns = {"a": np.array([True, False]), "b": np.array([True, True])}
    >>> statement_truths([parse_statement("a"), parse_statement("b if a")], columns).tolist()
    [[True, False], [True, True]]
    """
    size = len(next(iter(options.values()))) if options else 0
    rows = [np.broadcast_to(s.evaluate(options), (size,)) for s in statements]
    return np.array(rows, dtype=bool).reshape(len(statements), size)


Token = tuple[str, int]


def _tokens(text: str) -> list[Token]:
    tokens = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:  # only trailing white space is left
            break
        if match.group("bad") is not None:
            raise StatementError(
                f"unexpected character {match.group('bad')!r}; statements use option names, "
                "-, not, and, or, if, iff and parentheses",
                match.start("bad") + 1,
            )
        kind = "name" if match.group("name") is not None else "op"
        tokens.append((match.group(kind), match.start(kind) + 1))
        position = match.end()
    return tokens


#: Deepest nesting accepted; guards the recursive parser.
_MAX_DEPTH = 60


class _Parser:
    """Recursive descent over the tokens, building closures over numpy boolean arrays."""

    def __init__(self, tokens: list[Token], length: int) -> None:
        self.tokens = tokens
        self.position = 0
        self.end = length + 1
        self.names: set[str] = set()

    def peek(self) -> Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def accept(self, *words: str) -> Token | None:
        token = self.peek()
        if token is not None and token[0] in words:
            self.position += 1
            return token
        return None

    def implication(self, depth: int) -> _Evaluator:
        if depth > _MAX_DEPTH:
            raise StatementError(f"statement is nested more than {_MAX_DEPTH} levels deep")
        left = self.disjunction(depth)
        token = self.accept("if", "iff")
        if token is None:
            return left
        right = self.disjunction(depth)
        if token[0] == "if":
            return lambda env: np.logical_or(left(env), np.logical_not(right(env)))
        return lambda env: np.equal(left(env), right(env))

    def disjunction(self, depth: int) -> _Evaluator:
        parts = [self.conjunction(depth)]
        while self.accept("or", "|"):
            parts.append(self.conjunction(depth))
        return parts[0] if len(parts) == 1 else _fold(np.logical_or, parts)

    def conjunction(self, depth: int) -> _Evaluator:
        parts = [self.negation(depth)]
        while self.accept("and", "&"):
            parts.append(self.negation(depth))
        return parts[0] if len(parts) == 1 else _fold(np.logical_and, parts)

    def negation(self, depth: int) -> _Evaluator:
        if self.accept("not", "-"):
            if depth > _MAX_DEPTH:
                raise StatementError(f"statement is nested more than {_MAX_DEPTH} levels deep")
            operand = self.negation(depth + 1)
            return lambda env: np.logical_not(operand(env))
        return self.atom(depth)

    def atom(self, depth: int) -> _Evaluator:
        token = self.peek()
        if token is None or (token[0] in KEYWORDS | {")", "&", "|"}):
            found = "the end" if token is None else repr(token[0])
            column = self.end if token is None else token[1]
            raise StatementError(f"expected an option name or '(', found {found}", column)
        self.position += 1
        if token[0] == "(":
            inner = self.implication(depth + 1)
            if self.accept(")") is None:
                following = self.peek()
                column = self.end if following is None else following[1]
                raise StatementError("expected ')'", column)
            return inner
        name = token[0]
        self.names.add(name)
        return lambda env: np.asarray(env[name], dtype=bool)


def _fold(
    combine: Callable[[BoolArray, BoolArray], BoolArray], parts: list[_Evaluator]
) -> _Evaluator:
    def evaluate(env: Mapping[str, BoolArray]) -> BoolArray:
        result = parts[0](env)
        for part in parts[1:]:
            result = combine(result, part(env))
        return result

    return evaluate
