"""Plain-text reports: wrapped parameter lines, counted nouns, cut descriptions."""

import kurilsim
from kurilsim.core.text import limited, number, parameters_line, shortened
from tests.helpers import SCENARIOS, run_cli


def test_the_parameters_line_is_wrapped_with_a_hanging_indent(capsys):
    code, out, _ = run_cli(capsys, "compare", SCENARIOS / "sochi_2016.yaml")
    assert code == 0
    lines = out.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith("parameters: "))
    assert all(len(line) <= 100 for line in lines[start : start + 4])
    indent = " " * len("parameters: ")
    assert lines[start + 1].startswith(indent) and lines[start + 1][len(indent)].isalpha()


def test_every_pair_survives_wrapping():
    values = {f"p{k}": k / 7 for k in range(30)}
    text = parameters_line(values, columns=60)
    assert all(len(line) <= 60 for line in text.splitlines())
    assert text.replace("\n", " ").split("parameters: ")[1].split() == [
        f"p{k}={v:.6g}," if k < 29 else f"p{k}={v:.6g}" for k, v in enumerate(values.values())
    ]


def test_one_equilibrium_is_not_called_equilibria():
    solution = kurilsim.load_scenario(SCENARIOS / "era_1956.yaml").solve(method="pure")
    assert len(solution.equilibria) == 1
    for text in (solution.to_text(), solution._repr_html_(), repr(solution)):
        assert "1 equilibrium" in text and "1 equilibria" not in text


def test_rounding_noise_is_shown_as_0():
    assert number(3.08149e-33) == "0" and number(0.25) == "0.25"


def test_a_long_description_is_cut_at_a_word_with_an_ellipsis():
    text = "word " * 100
    cut = shortened(text, 300)
    assert len(cut) <= 300 and cut.endswith("word…")


def test_a_listing_within_its_limit_says_nothing_more():
    assert limited([1, 2], 2) == ([1, 2], [])
    assert limited([1, 2], 0) == ([1, 2], [])
