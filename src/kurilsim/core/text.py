"""Plain-text reports for people: numbers, counted nouns, long lines and long listings.

Every result's ``to_text`` writes through these, so that a report reads the same whatever the
form; JSON keeps the exact values.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")

#: Values closer to 0 than this are shown as 0 (rounding noise, e.g. ``3.1e-33``).
DISPLAY_ZERO = 1e-12
#: Width of wrapped lines when the terminal's is unknown, and the most used when it is known.
WIDTH = 100


def number(value: float, digits: int = 6) -> str:
    """``value`` to ``digits`` significant digits, with rounding noise around 0 shown as 0.

    Examples
    --------
    >>> number(3.08149e-33), number(-1e-15), number(0.2500000001), number(1234567.0)
    ('0', '0', '0.25', '1.23457e+06')
    """
    value = float(value)
    return "0" if abs(value) < DISPLAY_ZERO else f"{value:.{digits}g}"


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``count`` with the noun in the number it needs.

    Examples
    --------
    >>> counted(1, "equilibrium", "equilibria"), counted(2, "equilibrium", "equilibria")
    ('1 equilibrium', '2 equilibria')
    >>> counted(0, "state")
    '0 states'
    """
    noun = singular if count == 1 else (plural or f"{singular}s")
    return f"{count} {noun}"


def width() -> int:
    """The terminal's width, at most :data:`WIDTH` columns (:data:`WIDTH` when unknown)."""
    return min(shutil.get_terminal_size((WIDTH, 24)).columns, WIDTH)


def parameters_line(parameters: Mapping[str, float], columns: int | None = None) -> str:
    """``parameters: name=value, ...``, wrapped to ``columns`` with a hanging indent.

    Parameters
    ----------
    parameters
        Name -> value.
    columns
        Width of the lines (default: :func:`width`).

    Examples
    --------
    >>> print(parameters_line({"sanctions": 0.5, "trust": 0.3, "package": 1}, columns=34))
    parameters: sanctions=0.5,
                trust=0.3, package=1
    """
    pairs = ", ".join(f"{name}={number(value)}" for name, value in parameters.items())
    return textwrap.fill(
        pairs,
        width=columns or width(),
        initial_indent="parameters: ",
        subsequent_indent=" " * len("parameters: "),
        break_long_words=False,
        break_on_hyphens=False,
    )


def shortened(text: str, characters: int) -> str:
    """``text`` cut to at most ``characters`` at a word boundary, with an ellipsis if cut.

    Examples
    --------
    >>> shortened("The eight-point plan and the 1956 formula", 24)
    'The eight-point plan…'
    >>> shortened("short", 24)
    'short'
    """
    text = " ".join(text.split())
    if len(text) <= characters:
        return text
    cut = text[: characters - 1]
    if " " in cut and not text[characters - 1].isspace():
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-") + "…"


def limited(items: Sequence[T], limit: int | None) -> tuple[list[T], list[str]]:
    """The first ``limit`` of ``items``, and the line that says how many more there are.

    Every report that lists rows (equilibria, threats, states) cuts its listings here, so that
    ``kurilsim run --limit`` reads the same whatever the form.

    Parameters
    ----------
    items
        A listing's rows, in the order shown.
    limit
        How many to show; None or 0 shows all.

    Returns
    -------
    shown, more
        The rows to show, and ``["... and K more (--limit 0 shows all)"]`` when some are left
        out (else ``[]``), to append after them.

    Examples
    --------
    >>> limited(["a", "b", "c"], 2)
    (['a', 'b'], ['... and 1 more (--limit 0 shows all)'])
    >>> limited(["a", "b", "c"], None)
    (['a', 'b', 'c'], [])
    """
    if not limit or len(items) <= limit:
        return list(items), []
    return list(items[:limit]), [f"... and {len(items) - limit} more (--limit 0 shows all)"]
