"""Text and HTML tables, and the escaping of user text for terminals and notebooks.

All text that comes from users (names, titles, descriptions) is escaped: in HTML by the builders
here, so a scenario file cannot inject markup into a notebook; for a terminal by
:func:`printable`, through which the command line prints everything, so a file cannot move the
cursor, clear the screen or fake a displayed result.

Examples
--------
>>> html_table(["player"], [["Russia <R>"]]).count("&lt;R&gt;")
1
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional overrides and
# isolates (which reorder the characters shown after them).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    r"""``text`` with control characters written as escapes, safe to show on a terminal.

    Tabs and newlines are kept as layout; every other C0 control character, DEL, the C1 controls
    and the bidirectional overrides are written as Python writes them in a string (``\x1b``,
    ``\u202e``).

    Examples
    --------
    >>> printable("Sochi\x1b[2J summit\tok\n")
    'Sochi\\x1b[2J summit\tok\n'
    """
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def html_table(header: Sequence[str], rows: Iterable[Sequence[str]], caption: str = "") -> str:
    """An HTML table with escaped cells.

    Parameters
    ----------
    header
        Column titles.
    rows
        Cell texts, row by row.
    caption
        Optional caption above the table.
    """
    head = "".join(f"<th>{_escaped(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{_escaped(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    title = f"<caption>{_escaped(caption)}</caption>" if caption else ""
    return f"<table>{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def html_heading(title: str, subtitle: str = "") -> str:
    """A bold title with an optional grey line under it, both escaped."""
    sub = f"<br><span style='color:#666'>{_escaped(subtitle)}</span>" if subtitle else ""
    return f"<p><b>{_escaped(title)}</b>{sub}</p>"


def html_pre(text: str) -> str:
    """Preformatted text, escaped."""
    return f"<pre>{_escaped(text)}</pre>"


def _escaped(text: str) -> str:
    """``text`` escaped for HTML."""
    # Imported here: the html module loads its table of entities, which only notebooks need.
    import html

    return html.escape(text)


def parameter_rows(parameters: Mapping[str, Any]) -> list[list[str]]:
    """Rows of a parameter table: name, default, range, unit, evidence ids.

    ``parameters`` maps names to declarations with ``default``, ``range``, ``unit`` and
    ``evidence``, as in every scenario form; a parameter without evidence is a modelling
    assumption.
    """
    return [
        [
            name,
            f"{p.default:g}",
            f"{p.range[0]:g} to {p.range[1]:g}",
            p.unit,
            ", ".join(p.evidence) or "modelling assumption",
        ]
        for name, p in parameters.items()
    ]


#: Header of the table :func:`parameter_rows` fills.
PARAMETER_HEADER = ("parameter", "default", "range", "unit", "evidence")


def text_table(header: Sequence[str], rows: Iterable[Sequence[str]], indent: str = "") -> list[str]:
    r"""Plain-text lines of a table whose columns are padded to their widest cell.

    Cells are escaped by :func:`printable`, tabs and newlines included, before the widths are
    measured, so a name with control characters keeps its column aligned (and printing the lines
    escapes nothing twice).

    Examples
    --------
    >>> for line in text_table(["a", "bb"], [["x\x1b", "y"], ["xxxxx", "z"]]):
    ...     print(line)
    a      bb
    x\x1b  y
    xxxxx  z
    """
    table = [[_cell(cell) for cell in row] for row in (header, *rows)]
    widths = [max(len(row[c]) for row in table) for c in range(len(header))]
    return [
        indent + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in table
    ]


def _cell(value: object) -> str:
    """A table cell on one line: escaped, with tabs and newlines escaped too."""
    return printable(str(value)).replace("\t", "\\t").replace("\n", "\\n")


def recorded_text(match: str | list[str] | tuple[str, ...], joint: bool = False) -> str:
    """A recorded strategy as text.

    In a game a list means any of its strategies fits the record (``a or b``); in a conflict it
    lists the options a decision maker took (``a + b``, or ``no option`` when the list is empty).
    """
    if isinstance(match, str):
        return match
    if joint:
        return " + ".join(match) if match else "no option"
    return " or ".join(match)
