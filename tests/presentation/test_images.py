"""Figures as PNG bytes and inline images, with the alternative text escaped."""

import base64

from matplotlib.figure import Figure

from kurilsim.presentation.images import figure_png, html_figure


def test_inline_image_holds_the_png_and_escapes_its_text():
    figure = Figure(figsize=(2, 1))
    figure.add_subplot().plot([0, 1], [1, 0])
    page = html_figure(figure, alt="x' onerror='alert(1)", dpi=40)
    assert page.startswith("<img src='data:image/png;base64,")
    assert "alt='x&#x27; onerror=&#x27;alert(1)'>" in page
    data = page.split("base64,", 1)[1].split("'", 1)[0]
    assert base64.b64decode(data) == figure_png(figure, dpi=40)
