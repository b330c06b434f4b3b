"""What the subcommands share: exit codes, the parser class, argument types, and printing."""

from __future__ import annotations

import argparse
import functools
import math
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TextIO

from kurilsim.core.display import printable
from kurilsim.core.errors import InputError, did_you_mean

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2

#: Exit code after Ctrl-C, as a shell reports a process ended by SIGINT.
EXIT_INTERRUPTED = 130

#: The one line Ctrl-C leaves on stderr.
INTERRUPTED = "kurilsim: interrupted"

#: Figure formats ``--plot`` writes, by file name ending.
FIGURE_SUFFIXES = (".png", ".svg", ".pdf")

# A decimal number as people write one; float() alone would also take "1_0", "inf" or other
# scripts' digits.
_NUMBER = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


#: How much the command says besides its results: -1 with --quiet, 0 by default, 1 with --verbose.
#: Set by :func:`kurilsim.cli.main` for each command it runs.
verbosity = 0


def echo(text: str = "", *, file: TextIO | None = None, end: str = "\n") -> None:
    """Print ``text`` with its control characters escaped: how every command writes.

    Titles, names and messages come from files and options; :func:`~kurilsim.core.display.printable`
    keeps them from sending escape sequences to the terminal.

    Parameters
    ----------
    text
        What to print.
    file
        Standard output by default; ``sys.stderr`` for messages.
    end
        Written after ``text``, as for :func:`print`.
    """
    print(printable(text), file=sys.stdout if file is None else file, end=end)


def status(text: str) -> None:
    """Print a line about the run rather than its result (a file written, a time); not with -q."""
    if verbosity >= 0:
        echo(text, file=sys.stderr)


def note(text: str) -> None:
    """Print a line of progress or a note on standard error, only with ``-v``."""
    if verbosity > 0:
        echo(text, file=sys.stderr)


def file_notes(name: str, notes: Sequence[str]) -> None:
    """Print what reading file ``name`` changed, one ``kurilsim: note:`` line each; not with -q.

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stderr(io.StringIO()) as err:
    ...     file_notes("t.nfg", ["player 2 has no name; shown as 'Player 2'"])
    >>> print(err.getvalue(), end="")
    kurilsim: note: t.nfg: player 2 has no name; shown as 'Player 2'
    """
    for line in notes:
        status(f"kurilsim: note: {name}: {line}")


#: The version of the JSON documents the commands print, their top-level ``"format"`` key.
JSON_FORMAT = 1


def json_text(data: Any, *, versioned: bool = True) -> str:
    """``data`` as standard JSON, indented: a number JSON cannot hold is written as its name.

    A dictionary leads with ``"format": JSON_FORMAT``, so that programs reading the output know
    which layout they get; keys are only ever added within a format.

    Python's ``json`` writes infinities and NaN as bare ``Infinity`` and ``NaN``, which strict
    readers refuse; a payoff scale past the float range is ``inf``, so such values become the
    strings ``"inf"``, ``"-inf"`` and ``"nan"``.

    Parameters
    ----------
    data
        What to write.
    versioned
        Add the ``"format"`` key; False for a document with a layout of its own (the scenario
        JSON Schema, where ``format`` is a keyword).

    Examples
    --------
    >>> print(json_text({"scale": float("inf"), "values": [1.5, float("nan")]}))
    {
      "format": 1,
      "scale": "inf",
      "values": [
        1.5,
        "nan"
      ]
    }
    """
    if versioned and isinstance(data, dict):
        data = {"format": JSON_FORMAT, **data}
    chunks: list[str] = []
    _indented(data, 0, chunks)
    return "".join(chunks)


#: Spaces per level of the JSON's indentation.
_INDENT = 2

#: The types JSON writes as a number, a string, true, false or null.
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _indented(data: Any, level: int, chunks: list[str]) -> None:
    """Append ``data`` at depth ``level`` to ``chunks``, as ``json.dumps(indent=2)`` writes it.

    ``json.dumps`` indents in Python, an order of magnitude slower than its C encoder, which
    writes one separator between items whatever their depth. A container none of whose items is
    a non-empty container is therefore written by the C encoder, its separator the line break
    and indentation of its items' depth; only the containers above those are walked here.
    """
    if not _nested(data):
        chunks.append(_flat_text(data, level + 1))
        return
    inner = _line(level + 1)
    keyed = isinstance(data, dict)
    items = data.items() if keyed else enumerate(data)
    for k, (key, value) in enumerate(items):
        chunks.append(("," if k else "{" if keyed else "[") + inner)
        if keyed:
            chunks += _key_text(key), ": "
        _indented(value, level + 1, chunks)
    chunks.append(_line(level) + ("}" if keyed else "]"))


def _nested(data: Any) -> bool:
    """Whether ``data`` is a container holding a non-empty container."""
    if isinstance(data, dict):
        data = data.values()
    elif not isinstance(data, list | tuple):
        return False
    if _SCALARS.issuperset(set(map(type, data))):  # in C: most containers hold scalars only
        return False
    return any(isinstance(item, dict | list | tuple) and item for item in data)


def _line(level: int) -> str:
    """A line break and the indentation of depth ``level``."""
    return "\n" + " " * (_INDENT * level)


def _key_text(key: Any) -> str:
    """A dictionary's key as json writes it, whatever its type (a number as its text)."""
    return _encoder(0)({key: 0})[1:-4]  # {KEY: 0}


def _flat_text(data: Any, level: int) -> str:
    """``data``, a scalar or a container of scalars and empty containers, its items at ``level``.

    A number JSON cannot hold is written as its name (see :func:`json_text`).
    """
    encode = _encoder(level)
    try:
        text = encode(data)
    except ValueError:  # a number JSON cannot hold: rare, so looked for only then
        text = encode(_finite(data))
    if text[0] in "[{" and len(text) > 2:  # the line breaks around the items
        return text[0] + _line(level) + text[1:-1] + _line(level - 1) + text[-1]
    return text


@functools.cache
def _encoder(level: int) -> Callable[[Any], str]:
    """JSON's C encoder, items separated by a line break and the indentation of ``level``.

    Called directly rather than through ``JSONEncoder.encode``, which makes one per call; it
    need not look for circular references, as what it writes holds no container that is not
    empty.
    """
    # Imported here: only --format json and a few commands' output need it.
    import json
    from json import encoder as json_encoder

    standard = json.JSONEncoder(separators=("," + _line(level), ": "), allow_nan=False)
    make = getattr(json_encoder, "c_make_encoder", None)  # not in the typing stubs
    if make is None:  # a Python built without json's C accelerator
        return standard.encode
    iterencode = make(
        None,  # no markers: no check for circular references
        standard.default,
        json_encoder.encode_basestring_ascii,
        None,  # no indent: the separator holds it
        standard.key_separator,
        standard.item_separator,
        False,  # sort_keys
        False,  # skipkeys
        False,  # allow_nan
    )
    return lambda data: "".join(iterencode(data, 0))


def _finite(data: Any) -> Any:
    if isinstance(data, float) and not math.isfinite(data):
        return str(data)
    if isinstance(data, dict):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(value) for value in data]
    return data


def check_figure(path: str | None) -> None:
    """Refuse a ``--plot`` path that is not a figure format or cannot be written.

    Examples
    --------
    >>> check_figure("map.txt")
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: --plot: name the figure file .png, .svg or .pdf, got 'map.txt'
    """
    if path is None:
        return
    if os.path.splitext(path)[1].lower() not in FIGURE_SUFFIXES:
        raise InputError(f"--plot: name the figure file .png, .svg or .pdf, got {path!r}")
    check_writable("--plot", path)


def check_writable(option: str, path: str | None) -> None:
    """Refuse an output path whose folder is missing or read-only, before any work starts.

    Examples
    --------
    >>> check_writable("--out", "/no/such/folder/table.parquet")
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: --out: cannot write '/no/such/folder/table.parquet': \
the folder '/no/such/folder' does not exist
    """
    if path is None:
        return
    folder = os.path.dirname(os.path.abspath(path))
    problem: str | None
    if os.path.isdir(path):
        problem = "it is a folder"
    elif not os.path.isdir(folder):
        problem = f"the folder {folder!r} does not exist"
    else:
        problem = _cannot_create_in(folder)
    if problem is not None:
        raise InputError(f"{option}: cannot write {path!r}: {problem}")


def _cannot_create_in(folder: str) -> str | None:
    """Why no file can be created in ``folder``, found by creating one, or ``None`` if one can.

    Permissions alone do not say (root passes every check, yet ``/proc`` or a read-only mount
    takes no new file), so a file is made and removed.
    """
    probe = os.path.join(folder, f".kurilsim-probe-{os.getpid()}")
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return None  # a file of that name could be made there once: the folder takes files
    except OSError as exc:
        return f"the folder {folder!r} takes no new file ({exc.strerror})"
    os.unlink(probe)
    return None


class Parser(argparse.ArgumentParser):
    """Reports usage errors through :class:`InputError` so every bad input exits the same way.

    A subcommand's parser may take ``arguments``, a function that adds its arguments. It is
    called when the subcommand is parsed or its help shown, so that building the whole command
    line imports none of the library code that subcommands take their choices and defaults from.
    """

    def __init__(
        self,
        *args: Any,
        arguments: Callable[[argparse.ArgumentParser], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._arguments = arguments

    def _add_arguments(self) -> None:
        """Add the arguments left to ``arguments``, once."""
        if self._arguments is not None:
            arguments, self._arguments = self._arguments, None
            arguments(self)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> tuple[Any, list[str]]:
        """Parse ``args`` after adding the subcommand's arguments."""
        self._add_arguments()
        return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        """The usage line, the subcommand's arguments included."""
        self._add_arguments()
        return super().format_usage()

    def format_help(self) -> str:
        """The help text, the subcommand's arguments included."""
        self._add_arguments()
        return super().format_help()

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        """Refuse a value outside ``action``'s choices, naming the closest (a mistyped command)."""
        choices = action.choices
        if choices is not None and value not in choices:
            names = [str(choice) for choice in choices]
            raise argparse.ArgumentError(
                action,
                f"invalid choice: {value!r}{did_you_mean(str(value), names)} "
                f"(choose from {', '.join(names)})",
            )

    def error(self, message: str) -> None:  # type: ignore[override]
        """Raise :class:`InputError` instead of printing usage and exiting."""
        raise InputError(f"{message} (see '{self.prog} --help')")


class Version(argparse.Action):
    """``--version``: print the program's version and exit, looking the version up only then."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(
            option_strings, argparse.SUPPRESS, nargs=0, default=argparse.SUPPRESS, help=help
        )

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        """Print ``kurilsim VERSION`` and exit."""
        from kurilsim import __version__

        echo(f"{parser.prog} {__version__}")
        parser.exit()


def at_least(minimum: int) -> Callable[[str], int]:
    """An ``argparse`` type: a whole number of at least ``minimum``.

    Given as an option's type, it has a value out of range refused as the option's, by name.

    Examples
    --------
    >>> at_least(2)("3")
    3
    >>> at_least(2)("1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be 2 or more, got 1
    """
    bound = "positive" if minimum == 1 else f"{minimum} or more"

    def whole_number(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be {bound}, got {value}")
        return value

    return whole_number


#: A whole number of at least 0 (an ``argparse`` type): ``count("0")`` is 0.
count = at_least(0)
#: A whole number of at least 1 (an ``argparse`` type): ``positive("0")`` is refused.
positive = at_least(1)


def seconds(text: str) -> float:
    """A time bound: a finite number of seconds, 0 or more (an ``argparse`` type).

    Examples
    --------
    >>> seconds("2.5")
    2.5
    >>> seconds("-1")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: must be a number of seconds, 0 or more, got '-1'
    """
    value = float(text) if _NUMBER.fullmatch(text.strip()) else math.nan
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(f"must be a number of seconds, 0 or more, got {text!r}")
    return value


def assignment(text: str) -> tuple[str, float]:
    """Parse ``NAME=VALUE`` with a finite number as the value (an ``argparse`` type)."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None and not math.isfinite(number):
        raise argparse.ArgumentTypeError(f"{name}: expected a finite number, got {value!r}")
    if number is None or not _NUMBER.fullmatch(value.strip()):
        raise argparse.ArgumentTypeError(f"{name}: expected a number, got {value!r}")
    return name.strip(), number


class _ParameterValues(argparse.Action):
    """Collects repeated ``--set NAME=VALUE`` into a dict, refusing a name given twice."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        name, value = values
        given = dict(getattr(namespace, self.dest) or {})
        if name in given:
            raise argparse.ArgumentError(
                self, f"{name} is given twice ({given[name]:g} and {value:g})"
            )
        given[name] = value
        setattr(namespace, self.dest, given)


def add_parameter_option(parser: argparse.ArgumentParser, text: str = "") -> None:
    """Add ``--set NAME=VALUE`` (repeatable) to ``parser``; the values land in ``overrides``.

    Parameters
    ----------
    parser
        A subcommand's parser.
    text
        Its help text (default: set a scenario parameter).
    """
    parser.add_argument(
        "--set",
        dest="overrides",
        metavar="NAME=VALUE",
        type=assignment,
        action=_ParameterValues,
        default={},
        help=text or "set a scenario parameter (repeatable)",
    )


def add_tolerance_option(
    parser: argparse.ArgumentParser, text: str = "tolerance relative to the payoffs' scale"
) -> None:
    """Add ``--tol T`` to ``parser``, with its default in the help.

    Parameters
    ----------
    parser
        A subcommand's parser.
    text
        Its help text, to which the default is added.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_tolerance_option(parser)
    >>> parser.parse_args([]).tol
    1e-09
    """
    # Imported here, as the commands import their defaults, when the command is used.
    from kurilsim.core.tolerance import DEFAULT_TOL

    parser.add_argument(
        "--tol",
        type=float,
        default=DEFAULT_TOL,
        metavar="T",
        help=f"{text} (default {DEFAULT_TOL:g})",
    )


#: The solver options :func:`add_listing_bounds` adds, by the names :func:`given_options` takes.
LISTING_BOUNDS = ("max_seconds", "max_equilibria")

#: The help of ``--max-seconds`` of a command that solves a scenario point by point.
_PER_POINT_SECONDS = (
    "time bound per point (a conflict's stability, a game tree's listing of tied "
    "subgame-perfect equilibria)"
)


def add_listing_bounds(
    parser: argparse.ArgumentParser, max_seconds: str = _PER_POINT_SECONDS
) -> None:
    """Add ``--max-seconds`` and ``--max-equilibria``, the bounds of a tied game tree's listing.

    Parameters
    ----------
    parser
        The parser of a command that solves a scenario at many points (``sweep``, ``tipping``).
    max_seconds
        The help of ``--max-seconds``: what else it bounds under the command's methods (by
        default, what it bounds at each point of ``tipping`` and ``sensitivity``).
    """
    parser.add_argument("--max-seconds", type=seconds, help=max_seconds)
    parser.add_argument(
        "--max-equilibria",
        type=positive,
        metavar="N",
        help="list at most N subgame-perfect equilibria at a game tree's tied point (default "
        "10,000), as kurilsim run --max-equilibria",
    )


def given_options(args: argparse.Namespace, *names: str) -> dict[str, Any]:
    """The options ``names`` that the command line gives, by name; those not given left out.

    Such an option defaults to None, so that a check can tell it given (:func:`refuse_unused`);
    left out, the function it is passed to takes its own default.

    Examples
    --------
    >>> given = argparse.Namespace(max_seconds=2.0, max_iter=None)
    >>> given_options(given, "max_seconds", "max_iter")
    {'max_seconds': 2.0}
    """
    given = {name: getattr(args, name) for name in names}
    return {name: value for name, value in given.items() if value is not None}


def refuse_unused(args: argparse.Namespace, needs: Mapping[str, str]) -> None:
    """Refuse an option given without the option it works through, naming both.

    Parameters
    ----------
    args
        The parsed arguments; an option counts as given when its value is not None (so such
        options default to None), the one it needs when its value is neither None nor False
        (a flag left off); a number it takes is given whatever its value, 0 too.
    needs
        Each option and the option it needs, as ``--seed`` needs ``--samples``.

    Examples
    --------
    >>> refuse_unused(argparse.Namespace(seed=3, samples=None), {"--seed": "--samples"})
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: --seed has no effect without --samples
    """
    for option, needed in needs.items():
        given = getattr(args, _dest(option)) is not None
        value = getattr(args, _dest(needed))
        if given and (value is None or value is False):  # not ``in (None, False)``: 0 == False
            raise InputError(f"{option} has no effect without {needed}")


def _dest(option: str) -> str:
    """The attribute ``argparse`` keeps an option's value in: ``--fit-until`` -> ``fit_until``."""
    return option.lstrip("-").replace("-", "_")
