"""Checks of the arguments a public function receives, each naming the argument it refuses.

Every public function checks what it is given at its boundary, with these functions, before any
work starts: a value of the wrong type raises :class:`~kurilsim.core.errors.ArgumentTypeError` (a
``TypeError``), a value of the right type outside what the function accepts raises
:class:`~kurilsim.core.errors.InputError`. Both messages start with the argument's name and say
what it takes. Numbers are Python or NumPy integers and floats; ``bool`` is not a number.

Examples
--------
>>> check_int("samples", 100, minimum=0)
100
>>> check_int("chunk_size", 1.5, minimum=1)
Traceback (most recent call last):
...
kurilsim.core.errors.ArgumentTypeError: chunk_size: expected a whole number >= 1, got 1.5 (float)
>>> check_real("max_seconds", "5", minimum=0, optional=True)
Traceback (most recent call last):
...
kurilsim.core.errors.ArgumentTypeError: max_seconds: expected None or a number >= 0, got '5' (str)
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from kurilsim.core.errors import ArgumentTypeError, InputError

if TYPE_CHECKING:
    from numpy.typing import NDArray

T = TypeVar("T")

#: Seed of the random draws of parameter values when none is given, the same for every command
#: that draws (``sweep --samples``, ``backtest``), so that the same command gives the same table.
#: Kept here, with no heavy import, so that a command's ``--help`` can show it.
DEFAULT_SEED = 0
#: Most players a game may have. A payoff array has one axis per player, one of players and one
#: of points in a sweep, and numpy's functions take at most 32 axes (64 to hold an array); a
#: game of 31 players of 2 strategies already has 2**31 strategy profiles.
MAX_PLAYERS = 30

#: Longest shown form of a refused value in a message.
_SHOWN = 60
#: Types whose values a message shows, not just names.
_PLAIN = (str, bytes, bool, list, tuple, dict, set, frozenset)


def shown(value: object) -> str:
    """A value as a message shows it.

    A plain value by its repr (shortened) and its type, any other object by its type alone.

    Examples
    --------
    >>> shown("abc"), shown(None), shown(object())
    ("'abc' (str)", 'None', 'an object')
    """
    kind = type(value).__name__
    if value is None:
        return "None"
    if not isinstance(value, _PLAIN) and not is_real(value):
        return f"{'an' if kind[0].lower() in 'aeiou' else 'a'} {kind}"
    text = repr(value)
    if len(text) > _SHOWN:
        text = text[: _SHOWN - 3] + "..."
    return f"{text} ({kind})"


def is_integer(value: object) -> bool:
    """Whether ``value`` is a Python or NumPy integer, ``bool`` excluded.

    Examples
    --------
    >>> import numpy as np
    >>> is_integer(3), is_integer(np.int64(3)), is_integer(True), is_integer(3.0)
    (True, True, False, False)
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real(value: object) -> bool:
    """Whether ``value`` is a Python or NumPy integer or float, ``bool`` excluded.

    Examples
    --------
    >>> import numpy as np
    >>> is_real(0.5), is_real(np.float32(0.5)), is_real(False), is_real("0.5")
    (True, True, False, False)
    """
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _bounds(minimum: float | None, maximum: float | None, above: float | None) -> str:
    if above is not None:
        return f" > {above:g}" + ("" if maximum is None else f" and <= {maximum:g}")
    if minimum is not None and maximum is not None:
        return f" in [{minimum:g}, {maximum:g}]"
    if minimum is not None:
        return f" >= {minimum:g}"
    return "" if maximum is None else f" <= {maximum:g}"


def check_int(
    name: str,
    value: object,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    optional: bool = False,
) -> Any:
    """``value`` as an ``int``, if it is a whole number within the bounds.

    Parameters
    ----------
    name
        The argument's name, for the message.
    value
        What was given.
    minimum, maximum
        Inclusive bounds.
    optional
        Whether ``None`` is accepted (and returned).

    Raises
    ------
    ArgumentTypeError
        If ``value`` is not an integer (a float such as ``2.0`` included).
    InputError
        If it lies outside the bounds.

    Examples
    --------
    >>> import numpy as np
    >>> check_int("seed", np.int32(7), minimum=0)
    7
    >>> check_int("seed", -1, minimum=0)
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: seed: expected a whole number >= 0, got -1 (int)
    """
    if value is None and optional:
        return None
    what = ("None or " if optional else "") + "a whole number" + _bounds(minimum, maximum, None)
    if not is_integer(value):
        raise ArgumentTypeError(f"expected {what}, got {shown(value)}", field=name)
    number = int(value)  # type: ignore[call-overload]
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise InputError(f"expected {what}, got {shown(value)}", field=name)
    return number


def check_real(
    name: str,
    value: object,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
    optional: bool = False,
) -> Any:
    """``value`` as a ``float``, if it is a finite number within the bounds.

    Parameters
    ----------
    name
        The argument's name, for the message.
    value
        What was given.
    minimum, maximum
        Inclusive bounds.
    above
        An exclusive lower bound, instead of ``minimum``.
    optional
        Whether ``None`` is accepted (and returned).

    Raises
    ------
    ArgumentTypeError
        If ``value`` is not a number.
    InputError
        If it is not finite or lies outside the bounds.

    Examples
    --------
    >>> check_real("precision", 0.25, above=0, maximum=1)
    0.25
    >>> check_real("precision", float("nan"), above=0, maximum=1)
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: precision: expected a number > 0 and <= 1, got nan (float)
    """
    if value is None and optional:
        return None
    what = ("None or " if optional else "") + "a number" + _bounds(minimum, maximum, above)
    if not is_real(value):
        raise ArgumentTypeError(f"expected {what}, got {shown(value)}", field=name)
    number = float(value)  # type: ignore[arg-type]
    if (
        not math.isfinite(number)
        or (minimum is not None and number < minimum)
        or (maximum is not None and number > maximum)
        or (above is not None and number <= above)
    ):
        raise InputError(f"expected {what}, got {shown(value)}", field=name)
    return number


def check_bool(name: str, value: object) -> bool:
    """``value``, if it is ``True`` or ``False``.

    Raises
    ------
    ArgumentTypeError
        For anything else (``0``, ``1`` and strings included).

    Examples
    --------
    >>> check_bool("resume", "yes")
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.ArgumentTypeError: resume: expected True or False, got 'yes' (str)
    """
    if not isinstance(value, bool):
        raise ArgumentTypeError(f"expected True or False, got {shown(value)}", field=name)
    return bool(value)


def check_text(
    name: str, value: object, *, choices: Sequence[str] = (), optional: bool = False
) -> Any:
    """``value``, if it is a string (one of ``choices``, when given).

    Raises
    ------
    ArgumentTypeError
        If ``value`` is not a string.
    InputError
        If it is not one of ``choices``.

    Examples
    --------
    >>> check_text("engine", "local", choices=("local", "dask"))
    'local'
    >>> check_text("engine", "spark", choices=("local", "dask"))
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: engine: expected one of 'local', 'dask', got 'spark' (str)
    """
    if value is None and optional:
        return None
    what = "one of " + ", ".join(map(repr, choices)) if choices else "a string"
    what = ("None or " if optional else "") + what
    if not isinstance(value, str):
        raise ArgumentTypeError(f"expected {what}, got {shown(value)}", field=name)
    if choices and value not in choices:
        raise InputError(f"expected {what}, got {shown(value)}", field=name)
    return value


def check_names(name: str, value: object, *, optional: bool = False) -> Any:
    """``value`` as a tuple of strings, if it is a list or tuple of them (not one string).

    Raises
    ------
    ArgumentTypeError
        If ``value`` is not a list or tuple, or holds something other than strings.

    Examples
    --------
    >>> check_names("parameters", ["trust", "sanctions"])
    ('trust', 'sanctions')
    >>> check_names("parameters", "trust")
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.ArgumentTypeError: parameters: expected a list of names, got 'trust' (str)
    """
    if value is None and optional:
        return None
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ArgumentTypeError(f"expected a list of names, got {shown(value)}", field=name)
    return tuple(value)


def check_name_lists(name: str, value: object) -> tuple[tuple[str, ...], ...]:
    """``value`` as a tuple of tuples of strings, if it is a list or tuple of lists of names.

    Raises
    ------
    ArgumentTypeError
        If ``value`` is not a list or tuple, or an entry is not a list of names.

    Examples
    --------
    >>> check_name_lists("strategies", [["up", "down"], ("left",)])
    (('up', 'down'), ('left',))
    >>> check_name_lists("strategies", ["up", "down"])
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.ArgumentTypeError: strategies[0]: expected a list of names, got 'up' (str)
    """
    if not isinstance(value, list | tuple):
        raise ArgumentTypeError(
            f"expected a list of lists of names, got {shown(value)}", field=name
        )
    return tuple(check_names(f"{name}[{k}]", entry) for k, entry in enumerate(value))


def check_array(
    name: str,
    value: object,
    *,
    shape: tuple[int, ...] | None = None,
    ndim: int | None = None,
    boolean: bool = False,
    finite: bool = True,
    optional: bool = False,
) -> Any:
    """``value`` as a new read-only NumPy array of floats (or booleans), if it holds numbers.

    Parameters
    ----------
    name
        The argument's name, for the message.
    value
        What was given: an array or (nested) lists of numbers.
    shape, ndim
        The shape, or the number of dimensions, the array must have.
    boolean
        Whether the array holds booleans (``True``/``False``, or the numbers 0 and 1).
    finite
        Whether NaN and infinity are refused (else left for the caller to report).
    optional
        Whether ``None`` is accepted (and returned).

    Raises
    ------
    ArgumentTypeError
        If ``value`` is not an array of numbers (strings, ``None`` and ragged lists included).
    InputError
        If it has the wrong shape, a number is not finite (when ``finite``), or a boolean array
        holds a number other than 0 and 1.

    Examples
    --------
    >>> check_array("payoffs", [[1, 2], [3, 4]], shape=(2, 2)).tolist()
    [[1.0, 2.0], [3.0, 4.0]]
    >>> check_array("payoffs", [["1", "2"]])  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.ArgumentTypeError: payoffs: expected an array of numbers,
    got [['1', '2']] (list)
    >>> check_array("payoffs", [1, 2], shape=(3,))
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: payoffs: expected shape (3,), got shape (2,)
    """
    import numpy as np  # imported when used: the command line starts without numpy

    if value is None and optional:
        return None
    what = "an array of " + ("booleans" if boolean else "numbers")
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError):
        raw = np.asarray(None)
    numeric = raw.dtype.kind in "biuf" or (
        raw.dtype.kind == "O" and raw.size > 0 and all(is_real(x) for x in raw.flat)
    )
    if not numeric:
        raise ArgumentTypeError(f"expected {what}, got {shown(value)}", field=name)
    if shape is not None and raw.shape != shape:
        raise InputError(f"expected shape {shape}, got shape {raw.shape}", field=name)
    if ndim is not None and raw.ndim != ndim:
        raise InputError(f"expected a {ndim}-D array, got shape {raw.shape}", field=name)
    array: NDArray[Any] = np.array(raw, dtype=np.float64)
    if finite and not np.all(np.isfinite(array)):
        raise InputError("expected finite numbers (found NaN or infinity)", field=name)
    if boolean:
        if not np.all((array == 0) | (array == 1)):
            raise InputError(f"expected {what} (0 or 1)", field=name)
        array = array.astype(np.bool_)
    array.flags.writeable = False
    return array


def check_mapping(
    name: str,
    value: object,
    item: Callable[[str, Any], Any] | None = None,
    *,
    optional: bool = True,
) -> dict[str, Any]:
    """``value`` as a dict with string keys, each value checked by ``item(label, value)``.

    Parameters
    ----------
    name
        The argument's name, for the message; an entry's label is ``name[key]``.
    value
        What was given: a mapping, or ``None`` for none when ``optional``.
    item
        The check of one value, e.g. :func:`check_real`; by default values are kept as given.
    optional
        Whether ``None`` is accepted (as an empty dict).

    Raises
    ------
    ArgumentTypeError
        If ``value`` is not a mapping, a key is not a string, or ``item`` refuses a value's type.
    InputError
        If ``item`` refuses a value.

    Examples
    --------
    >>> check_mapping("overrides", {"trust": 1}, check_real)
    {'trust': 1.0}
    >>> check_mapping("overrides", {"trust": "high"}, check_real)
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.ArgumentTypeError: overrides['trust']: expected a number, got 'high' (str)
    """
    if value is None and optional:
        return {}
    if not isinstance(value, Mapping):
        what = ("None or " if optional else "") + "a mapping of names to values"
        raise ArgumentTypeError(f"expected {what}, got {shown(value)}", field=name)
    checked = {}
    for key, entry in value.items():
        if not isinstance(key, str):
            raise ArgumentTypeError(f"expected names as keys, got {shown(key)}", field=name)
        checked[key] = entry if item is None else item(f"{name}[{key!r}]", entry)
    return checked


def check_path(name: str, value: object, *, optional: bool = False) -> Any:
    """``value`` as a ``str`` path, if it is a string or an ``os.PathLike`` of one.

    Raises
    ------
    ArgumentTypeError
        For anything else (bytes and numbers included).
    InputError
        For an empty path, or one holding the NUL character.

    Examples
    --------
    >>> import pathlib
    >>> check_path("path", pathlib.PurePosixPath("scenarios/sochi_2016.yaml"))
    'scenarios/sochi_2016.yaml'
    >>> check_path("path", 123)  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.ArgumentTypeError: path: expected a path (str or os.PathLike),
    got 123 (int)
    """
    if value is None and optional:
        return None
    path = os.fspath(value) if isinstance(value, str | os.PathLike) else None
    if not isinstance(path, str):
        what = ("None or " if optional else "") + "a path (str or os.PathLike)"
        raise ArgumentTypeError(f"expected {what}, got {shown(value)}", field=name)
    if not path:
        raise InputError("expected a path, got an empty string", field=name)
    if "\x00" in path:  # the system would refuse it with a ValueError of its own
        raise InputError("a path cannot hold the NUL character", field=name)
    return path


def check_instance(name: str, value: object, kind: type[T], what: str) -> T:
    """``value``, if it is an instance of ``kind`` (described to the user as ``what``).

    Raises
    ------
    ArgumentTypeError
        If it is not.

    Examples
    --------
    >>> check_instance("game", None, dict, "a game")
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.ArgumentTypeError: game: expected a game, got None
    """
    if not isinstance(value, kind):
        raise ArgumentTypeError(f"expected {what}, got {shown(value)}", field=name)
    return value


def player_position(players: Sequence[str], player: str) -> int:
    """The position of ``player`` among ``players``; a one-line error naming them otherwise.

    Examples
    --------
    >>> player_position(("Russia", "Japan"), "Japan")
    1
    >>> player_position(("Russia", "Japan"), "US")
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: unknown player 'US'; expected one of ['Russia', 'Japan']
    """
    try:
        return list(players).index(player)
    except ValueError:
        raise InputError(f"unknown player {player!r}; expected one of {list(players)}") from None


def check_solver_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Solver options, each checked by the convention of its name.

    ``*_seconds`` is ``None`` or a number >= 0; other ``max_*`` are whole numbers >= 1; ``seed`` is
    a whole number >= 0; ``initial_dropped_label`` a whole number >= 0; ``lotteries`` True or
    False; ``ratification`` a string. Whether the method takes an option is for the method to
    say.

    Raises
    ------
    ArgumentTypeError, InputError
        For a value of the wrong type or out of range, naming the option.

    Examples
    --------
    >>> check_solver_options({"max_iter": 100, "max_seconds": None})
    {'max_iter': 100, 'max_seconds': None}
    >>> check_solver_options({"max_iter": 0})
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: max_iter: expected a whole number >= 1, got 0 (int)
    """
    checked = dict(options)
    for key, value in options.items():
        if key.endswith("_seconds"):
            checked[key] = check_real(key, value, minimum=0, optional=True)
        elif key.startswith("max_"):
            checked[key] = check_int(key, value, minimum=1)
        elif key in ("seed", "initial_dropped_label"):
            checked[key] = check_int(key, value, minimum=0)
        elif key == "lotteries":
            checked[key] = check_bool(key, value)
        elif key == "ratification":
            checked[key] = check_text(key, value)
    return checked


def check_method_options(method: str, options: Iterable[str], allowed: Iterable[str]) -> None:
    """Refuse options that ``method`` does not take, naming them and the ones it takes.

    Raises
    ------
    InputError
        For any name in ``options`` not in ``allowed``.

    Examples
    --------
    >>> check_method_options("logit", {"max_iter": 10}, ("max_iter", "max_seconds"))
    >>> check_method_options("pure", ["max_iter"], ())
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: method 'pure' has no option max_iter; options: none
    """
    check_known_options(f"method {method!r}", options, allowed)


def check_known_options(
    owner: str, options: Iterable[str], known: Iterable[str], *, field: str | None = None
) -> None:
    """Refuse option names that ``owner`` does not know, naming them and the ones it knows.

    Parameters
    ----------
    owner
        What takes the options, as the message names it (``"method 'pure'"``).
    options
        The names given.
    known
        The names ``owner`` takes.
    field
        The field the error names, if any.

    Raises
    ------
    InputError
        For any name in ``options`` not in ``known``.

    Examples
    --------
    >>> check_known_options("the check", ["seed"], ("seed", "precision"))
    >>> check_known_options("the check", ["tol"], ("seed", "precision"), field="given")
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: given: the check has no option tol; options: seed, precision
    """
    known = tuple(known)
    unknown = sorted(set(options).difference(known))
    if unknown:
        listed = ", ".join(known) or "none"
        raise InputError(
            f"{owner} has no option {', '.join(unknown)}; options: {listed}", field=field
        )
