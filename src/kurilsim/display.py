"""HTML for Jupyter: the building blocks of every object's ``_repr_html_``.

All text that comes from users (names, titles, descriptions) is escaped here, so a scenario file
cannot inject markup into a notebook.

Examples
--------
>>> html_table(["player"], [["Russia <R>"]]).count("&lt;R&gt;")
1
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence


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
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f"<table>{title}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def html_heading(title: str, subtitle: str = "") -> str:
    """A bold title with an optional grey line under it, both escaped."""
    sub = f"<br><span style='color:#666'>{html.escape(subtitle)}</span>" if subtitle else ""
    return f"<p><b>{html.escape(title)}</b>{sub}</p>"
