"""Exceptions raised by kurilsim.

Every error that a user can cause by bad input derives from :class:`InputError`, whose message is
meant to be shown as it is: it names the file, the field and what was expected. The command line
turns these into a one-line message and exit code 2.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any


class KurilsimError(Exception):
    """Base class of every exception kurilsim raises on purpose.

    Each one survives pickling, whatever its ``__init__`` takes: it is rebuilt from its message
    and attributes without calling ``__init__`` again, so that one raised in another process (a
    forked sweep's, a Dask worker's) is raised in this one as it was.

    Examples
    --------
    >>> import pickle
    >>> error = pickle.loads(pickle.dumps(IterationLimitError("lemke-howson", "max_pivots=10")))
    >>> print(error)
    lemke-howson stopped at its bound (max_pivots=10) before finishing
    >>> error.limit
    'max_pivots=10'
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuilt, (type(self), self.args), self.__dict__


def _rebuilt(error_class: type[KurilsimError], args: tuple[Any, ...]) -> KurilsimError:
    """An exception of ``error_class`` with ``args``, its ``__init__`` not called.

    Unpickling then gives it its attributes.
    """
    return error_class.__new__(error_class, *args)


class InputError(KurilsimError):
    """Bad input: a file, a field, a parameter value or a command-line option.

    Parameters
    ----------
    message
        What was wrong and what was expected.
    file
        The file the input came from, if any.
    field
        The dotted path of the field inside the file, if any (``parameters.sanctions.default``),
        or the name of the function argument the input came through.
    line
        The 1-based line number in the file, where known.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        field: str | None = None,
        line: int | None = None,
    ) -> None:
        self.reason = message
        self.file = file
        self.field = field
        self.line = line
        super().__init__(self._format())

    def _format(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.field:
            where = f"{where}: {self.field}" if where else self.field
        return f"{where}: {self.reason}" if where else self.reason


class InputProblems(InputError):
    """Several problems found in one input, each an :class:`InputError` of its own.

    Its message is the first problem's, with a count of the others; ``problems`` holds them all,
    for a report that lists every one (``kurilsim validate``).

    Parameters
    ----------
    problems
        The problems, at least one, in the order they occur in the input.

    Examples
    --------
    >>> error = InputProblems([
    ...     InputError("unknown field", file="a.yaml", field="titel", line=2),
    ...     InputError("required field is missing", file="a.yaml", field="players", line=1),
    ... ])
    >>> print(error)
    a.yaml:2: titel: unknown field (1 more problem after this one)
    >>> [problem.field for problem in error.problems]
    ['titel', 'players']
    """

    def __init__(self, problems: Sequence[InputError]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0]
        more = len(self.problems) - 1
        message = first.reason
        if more:
            message += f" ({more} more problem{'s' if more > 1 else ''} after this one)"
        super().__init__(message, file=first.file, field=first.field, line=first.line)


class ArgumentTypeError(InputError, TypeError):
    """An argument of the wrong type given to a public function.

    Both an :class:`InputError` and a :class:`TypeError`, so either ``except`` catches it; its
    ``field`` is the argument's name.
    """


class OutOfReachError(InputError):
    """A game too large for the method asked, with the method that can solve it, if any.

    Parameters
    ----------
    problem
        Why the method cannot solve the game.
    alternative
        A method of the same form that finds one equilibrium of it, or ``None``.

    Examples
    --------
    >>> error = OutOfReachError("a polytope of 1e30 vertices is out of reach", "lemke-howson")
    >>> print(error)
    a polytope of 1e30 vertices is out of reach; method lemke-howson finds one equilibrium
    >>> print(error.suggesting(None))
    a polytope of 1e30 vertices is out of reach
    """

    def __init__(self, problem: str, alternative: str | None = None) -> None:
        self.problem = problem
        self.alternative = alternative
        hint = f"; method {alternative} finds one equilibrium" if alternative else ""
        super().__init__(problem + hint)

    def suggesting(self, alternative: str | None) -> OutOfReachError:
        """The same refusal, suggesting ``alternative`` instead (``None``: no method)."""
        error = OutOfReachError(self.problem, alternative)
        error.file, error.field, error.line = self.file, self.field, self.line
        error.args = (error._format(),)
        return error


@contextmanager
def suggesting_only(accepted: Collection[str], instead: str | None = None) -> Iterator[None]:
    """Let a refusal raised inside suggest only a method in ``accepted``.

    A form that solves its games through another form's methods wraps them in this, so that an
    :class:`OutOfReachError` suggests ``instead`` (or no method) in place of a method the form
    does not take.

    Examples
    --------
    >>> with suggesting_only(["sequence-lemke"], "sequence-lemke"):
    ...     raise OutOfReachError("too many vertices", "lemke-howson")
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.OutOfReachError: too many vertices; method sequence-lemke finds one ...
    """
    try:
        yield
    except OutOfReachError as error:
        if error.alternative is None or error.alternative in accepted:
            raise
        raise error.suggesting(instead if instead in accepted else None) from None


class IterationLimitError(KurilsimError):
    """An iterative method reached its iteration or time bound before it finished.

    Parameters
    ----------
    method
        The name of the method that stopped.
    limit
        A description of the bound that was reached, e.g. ``"max_iter=10000"``.
    """

    def __init__(self, method: str, limit: str) -> None:
        self.method = method
        self.limit = limit
        super().__init__(f"{method} stopped at its bound ({limit}) before finishing")


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """A hint naming the known name closest to a mistyped ``name``, or an empty string.

    Examples
    --------
    >>> did_you_mean("sanction", ["trust", "sanctions"])
    "; did you mean 'sanctions'?"
    >>> did_you_mean("wolf", ["stag", "hare"])
    ''
    """
    import difflib  # imported here: only a mistyped name needs it

    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


@contextmanager
def in_file(file: str) -> Iterator[None]:
    """Name ``file`` in every :class:`InputError` raised inside that names no file of its own.

    Examples
    --------
    >>> with in_file("game.nfg"):
    ...     raise InputError("no equilibrium to list")
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: game.nfg: no equilibrium to list
    """
    try:
        yield
    except InputError as exc:
        if exc.file is None:
            # Named in place, so the error keeps its class and what that class carries.
            exc.file = file
            exc.args = (exc._format(),)
        raise


@contextmanager
def in_field(field: str) -> Iterator[None]:
    """Place every :class:`InputError` raised inside under ``field`` of the input at hand.

    An error about the input itself (it names no file) gets ``field`` before its own field; one
    that names another file, which the input refers to, is kept whole as the reason, so that
    :func:`in_file` can then name the input's own file in front of both.

    Examples
    --------
    >>> with in_file("history.yaml"), in_field("statements.0.checks.1"):
    ...     raise InputError("unknown names wolves", field="condition")
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: history.yaml: statements.0.checks.1.condition: unknown ...
    >>> with in_field("statements.0.checks.1"):
    ...     raise InputError("no such file", file="gone.yaml")
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: statements.0.checks.1: gone.yaml: no such file
    """
    try:
        yield
    except InputError as exc:
        if exc.file is None:
            exc.field = f"{field}.{exc.field}" if exc.field else field
            exc.args = (exc._format(),)
            raise
        raise InputError(str(exc), field=field) from None
