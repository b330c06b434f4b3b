"""A small, safe expression language for payoffs.

Scenario files state payoffs and outcome values as text such as
``"invest_value * investment - audience_cost * islands"``. This module parses such text once into an
:class:`Expression` and evaluates it on numbers or numpy arrays, so that one evaluation covers a
whole parameter grid.

The grammar is a whitelist over Python's expression syntax:

* numbers (every value is a 64-bit float), names of variables, parentheses;
* ``+ - * / **``, unary ``-`` and ``+``;
* comparisons ``< <= > >= == !=`` (chains allowed), giving 1.0 or 0.0;
* ``and``, ``or``, ``not`` on truth values (non-zero is true), giving 1.0 or 0.0;
* the functions ``min(a, b, ...)``, ``max(a, b, ...)``, ``clip(x, lo, hi)``,
  ``where(cond, a, b)``, ``exp``, ``log``, ``sqrt`` and ``abs``.

Anything else (attribute access, subscripts, strings, other calls, lambdas, comprehensions) is
rejected when the text is parsed, with the column of the offending part. User text is never passed
to ``eval`` or ``exec``: the parsed tree is turned into a closure over numpy functions.

Examples
--------
>>> import numpy as np
>>> e = parse_expression("max(a - 1, 0) * where(b > 2, 10, 1)")
>>> sorted(e.names)
['a', 'b']
>>> float(e.evaluate({"a": 3, "b": 5}))
20.0
>>> e.evaluate({"a": np.array([0.0, 2.0, 4.0]), "b": 1.0}).tolist()
[0.0, 1.0, 3.0]
"""

from __future__ import annotations

import ast
import keyword
import operator
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kurilsim.core.errors import InputError

Value = NDArray[np.float64] | np.float64
Evaluator = Callable[[Mapping[str, Any]], Value]

#: Longest expression text accepted, in characters.
MAX_LENGTH = 4000
#: Deepest nesting of the parsed tree accepted; guards the recursive compiler.
MAX_DEPTH = 60


class ExpressionError(InputError):
    """An expression is not valid; ``column`` is the 1-based column of the problem, if known."""

    def __init__(self, message: str, column: int | None = None) -> None:
        self.column = column
        super().__init__(message if column is None else f"{message} (column {column})")


def _truth(x: Value) -> NDArray[np.bool_]:
    return np.not_equal(x, 0)


def _as_float(x: Any) -> Value:
    return np.asarray(x, dtype=np.float64)


_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
#: The operators a chain applies in place once it holds an array of its own (a sum of terms over
#: whole batches of games allocates one array, not one per term).
_IN_PLACE: dict[Callable[[Any, Any], Any], np.ufunc] = {
    operator.add: np.add,
    operator.sub: np.subtract,
    operator.mul: np.multiply,
    operator.truediv: np.divide,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


def _fold(fn: Callable[[Any, Any], Any]) -> Callable[..., Value]:
    def apply(*args: Value) -> Value:
        result = args[0]
        for arg in args[1:]:
            result = fn(result, arg)
        return _as_float(result)

    return apply


#: Function name -> (implementation, least arguments, most arguments or None for any number).
_FUNCTIONS: dict[str, tuple[Callable[..., Value], int, int | None]] = {
    "min": (_fold(np.minimum), 2, None),
    "max": (_fold(np.maximum), 2, None),
    "clip": (lambda x, lo, hi: _as_float(np.minimum(np.maximum(x, lo), hi)), 3, 3),
    "where": (lambda c, a, b: _as_float(np.where(_truth(c), a, b)), 3, 3),
    "exp": (lambda x: _as_float(np.exp(x)), 1, 1),
    "log": (lambda x: _as_float(np.log(x)), 1, 1),
    "sqrt": (lambda x: _as_float(np.sqrt(x)), 1, 1),
    "abs": (lambda x: _as_float(np.abs(x)), 1, 1),
}

#: The names of the functions an expression may call.
FUNCTIONS = frozenset(_FUNCTIONS)


def unusable_name(name: str) -> str | None:
    """Why an expression cannot refer to a variable called ``name``, or ``None`` if it can.

    Examples
    --------
    >>> unusable_name("exp")
    "'exp' is the name of a function; choose another name"
    >>> unusable_name("lambda")
    "'lambda' is a reserved word of expressions; choose another name"
    >>> unusable_name("trust") is None
    True
    """
    if name in FUNCTIONS:
        return f"{name!r} is the name of a function; choose another name"
    if keyword.iskeyword(name):  # "lambda", "None", ...: the text would not parse as a name
        return f"{name!r} is a reserved word of expressions; choose another name"
    return None


@dataclass(frozen=True)
class Expression:
    """A parsed expression, ready to evaluate.

    Create one with :func:`parse_expression`.

    Attributes
    ----------
    source
        The text the expression was parsed from.
    names
        The variable names the expression refers to.
    """

    source: str
    names: frozenset[str]
    _evaluator: Evaluator = field(repr=False, compare=False)

    def evaluate(self, variables: Mapping[str, ArrayLike]) -> Value:
        """Evaluate on numbers or arrays; arrays broadcast together with numpy's rules.

        Parameters
        ----------
        variables
            A value for every name in :attr:`names` (others are ignored).

        Returns
        -------
        numpy.ndarray or numpy.float64
            The value, as float64. Division by zero and the like give ``inf`` or ``nan`` without
            a warning: callers check finiteness where it matters.

        Raises
        ------
        InputError
            If a variable is missing.
        """
        missing = self.names.difference(variables)
        if missing:
            raise InputError(f"no value for {', '.join(sorted(missing))} in {self.source!r}")
        with np.errstate(all="ignore"):
            return self._evaluator(variables)

    @property
    def is_constant(self) -> bool:
        """Whether the expression refers to no variable."""
        return not self.names


def parse_expression(text: str | float | int) -> Expression:
    """Parse expression text (or a plain number) into an :class:`Expression`.

    Parameters
    ----------
    text
        The expression. A number is accepted as the constant expression.

    Returns
    -------
    Expression

    Raises
    ------
    ExpressionError
        If the text is not in the language described in this module's docstring.

    Examples
    --------
    >>> float(parse_expression("2 ** 3 - 1").evaluate({}))
    7.0
    >>> parse_expression("open('secrets.txt')")
    Traceback (most recent call last):
    ...
    kurilsim.core.expr.ExpressionError: unknown function 'open'; allowed: abs, clip, exp, ...
    """
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise ExpressionError(f"expected a number or an expression string, got {text!r}")
    if not isinstance(text, str):
        constant = _finite(text)
        return Expression(str(text), frozenset(), lambda _: constant)
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression is {len(text)} characters long; at most {MAX_LENGTH}")
    if not text.strip():
        raise ExpressionError("expression is empty")
    # Columns are reported in the text as written, leading blanks included.
    lead = len(text) - len(text.lstrip())
    try:
        with warnings.catch_warnings():
            # Python only warns about text such as "1if" or "2and x"; here it is an error.
            warnings.simplefilter("error", SyntaxWarning)
            tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        if exc.offset == 0:  # where Python places text that stops before it is complete
            raise ExpressionError(
                "syntax error: the expression ends too soon", len(text.rstrip()) + 1
            ) from None
        column = exc.offset
        if column is not None and exc.lineno in (None, 1):
            column += lead
        raise ExpressionError(f"syntax error: {exc.msg}", column) from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError("expression cannot be parsed (too deeply nested?)") from None
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) == 1:
            node.col_offset += lead  # type: ignore[attr-defined]
    names: set[str] = set()
    evaluator = _compile(tree.body, names, depth=0)
    return Expression(text, frozenset(names), evaluator)


def _finite(number: float, column: int | None = None) -> np.float64:
    """``number`` as a float64, which must be finite: a number too large to hold is refused."""
    try:
        value = np.float64(number)
    except OverflowError:
        value = np.float64(np.inf)
    if not np.isfinite(value):
        shown = str(number) if len(str(number)) <= 20 else str(number)[:17] + "..."
        raise ExpressionError(
            f"the number {shown} is not finite or lies beyond the range of 64-bit floats "
            "(about 1.8e308)",
            column,
        )
    return value


def _column(node: ast.AST) -> int | None:
    offset = getattr(node, "col_offset", None)
    return None if offset is None else offset + 1


def _compile(node: ast.AST, names: set[str], depth: int) -> Evaluator:
    if depth > MAX_DEPTH:
        raise ExpressionError(f"expression is nested more than {MAX_DEPTH} levels deep")
    depth += 1
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ExpressionError(f"only numbers are allowed, found {node.value!r}", _column(node))
        # Python ints would make 9 ** 9 ** 9 an unbounded computation; floats overflow to inf.
        constant = _finite(node.value, _column(node))
        return lambda _: constant
    if isinstance(node, ast.Name):
        name = node.id
        names.add(name)
        return lambda env: _as_float(env[name])
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        return _compile_chain(node, names, depth)
    if isinstance(node, ast.UnaryOp):
        operand = _compile(node.operand, names, depth)
        if isinstance(node.op, ast.USub):
            return lambda env: -operand(env)
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(node.op, ast.Not):
            return lambda env: _as_float(~_truth(operand(env)))
    if isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
        return _compile_compare(node, names, depth)
    if isinstance(node, ast.BoolOp):
        parts = [_compile(value, names, depth) for value in node.values]
        combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or

        def boolean(env: Mapping[str, Any]) -> Value:
            result = _truth(parts[0](env))
            for part in parts[1:]:
                result = combine(result, _truth(part(env)))
            return _as_float(result)

        return boolean
    if isinstance(node, ast.Call):
        return _compile_call(node, names, depth)
    raise ExpressionError(f"{_describe(node)} is not allowed in an expression", _column(node))


def _compile_chain(node: ast.BinOp, names: set[str], depth: int) -> Evaluator:
    """A run of binary operators down the left, such as ``a + b - c * d``, as one flat loop.

    Python parses ``a + b + c`` as ``(a + b) + c``: a sum of many terms is a deep tree that is
    not nested as written. Its operators are applied in a loop, so that its length counts
    against neither :data:`MAX_DEPTH` nor the recursion of evaluation; right operands are
    nested one level deeper.
    """
    steps: list[tuple[Callable[[Value, Value], Value], ast.AST]] = []
    left: ast.AST = node
    while isinstance(left, ast.BinOp) and type(left.op) in _BINARY:
        steps.append((_BINARY[type(left.op)], left.right))
        left = left.left
    first = _compile(left, names, depth)
    chain = [(op, _compile(right, names, depth)) for op, right in reversed(steps)]

    def evaluate(env: Mapping[str, Any]) -> Value:
        value = first(env)
        owned = False  # whether value is an array made here, that no one else holds
        for op, right in chain:
            operand = right(env)
            ufunc = _IN_PLACE.get(op)
            if (
                owned
                and ufunc
                and np.broadcast_shapes(value.shape, np.shape(operand)) == value.shape
            ):
                ufunc(value, operand, out=value)  # the same values, without a new array
            else:
                value, owned = _as_float(op(value, operand)), True
        return value

    return evaluate


def _compile_compare(node: ast.Compare, names: set[str], depth: int) -> Evaluator:
    operands = [_compile(node.left, names, depth)] + [
        _compile(c, names, depth) for c in node.comparators
    ]
    ops = [_COMPARE[type(op)] for op in node.ops]

    def compare(env: Mapping[str, Any]) -> Value:
        values = [operand(env) for operand in operands]
        result = np.asarray(True)
        for op, left, right in zip(ops, values, values[1:], strict=False):
            result = np.logical_and(result, op(left, right))
        return _as_float(result)

    return compare


def _compile_call(node: ast.Call, names: set[str], depth: int) -> Evaluator:
    if not isinstance(node.func, ast.Name):
        raise ExpressionError("only the listed functions may be called", _column(node))
    name = node.func.id
    if name not in _FUNCTIONS:
        allowed = ", ".join(sorted(_FUNCTIONS))
        raise ExpressionError(f"unknown function {name!r}; allowed: {allowed}", _column(node))
    if node.keywords:
        raise ExpressionError(f"{name}() takes no keyword arguments", _column(node))
    if any(isinstance(arg, ast.Starred) for arg in node.args):
        raise ExpressionError(f"{name}() takes no starred arguments", _column(node))
    function, least, most = _FUNCTIONS[name]
    count = len(node.args)
    if count < least or (most is not None and count > most):
        wanted = f"{least}" if least == most else f"at least {least}"
        raise ExpressionError(f"{name}() takes {wanted} arguments, got {count}", _column(node))
    args = [_compile(arg, names, depth) for arg in node.args]
    return lambda env: function(*(arg(env) for arg in args))


def _describe(node: ast.AST) -> str:
    descriptions = {
        ast.Attribute: "attribute access",
        ast.Subscript: "subscripting",
        ast.Lambda: "lambda",
        ast.IfExp: "'x if c else y' (use where(c, x, y))",
    }
    for kind, text in descriptions.items():
        if isinstance(node, kind):
            return text
    if isinstance(node, ast.BinOp):
        return f"the operator {type(node.op).__name__} (allowed: + - * / **)"
    return type(node).__name__
