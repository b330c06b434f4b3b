"""Figures as PNG images: bytes for widgets, and inline ``<img>`` tags for HTML pages.

Examples
--------
>>> import kurilsim
>>> from kurilsim.forms import catalogue
>>> figure = kurilsim.plot(catalogue.battle_of_the_sexes())
>>> figure_png(figure)[1:4]
b'PNG'
>>> html_figure(figure, alt="a <b>").endswith("alt='a &lt;b&gt;'>")
True
"""

from __future__ import annotations

import base64
import html
import io

from matplotlib.figure import Figure


def figure_png(figure: Figure, dpi: int = 80) -> bytes:
    """The figure as PNG bytes, cropped to what it draws.

    Parameters
    ----------
    figure
        A matplotlib figure.
    dpi
        Resolution in dots per inch.
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def html_figure(figure: Figure, alt: str = "", dpi: int = 80) -> str:
    """The figure as an inline PNG image, with escaped alternative text.

    Parameters
    ----------
    figure
        A matplotlib figure.
    alt
        Text shown where the image cannot be; it is escaped.
    dpi
        Resolution in dots per inch.
    """
    data = base64.b64encode(figure_png(figure, dpi)).decode("ascii")
    return f"<img src='data:image/png;base64,{data}' alt='{html.escape(alt, quote=True)}'>"
