"""Draw the README's bargaining figure and the docs' sensitivity figure with kurilsim's own plots.

Run from the repository's root after changing the bargaining scenario or its plot:

    python docs/make_images.py

The regime map beside it in the README comes from the command given in docs/sweeps.md.
"""

from pathlib import Path

import kurilsim

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"


def bargaining_figure(path: Path) -> None:
    """The 2016 bargaining problem: deals, ratification, the ZOPA and the three solutions."""
    solution = kurilsim.load_scenario(ROOT / "scenarios" / "bargaining_2016.yaml").solve()
    figure = kurilsim.plot(solution)
    figure.savefig(path, dpi=80, bbox_inches="tight")


def sensitivity_figure(path: Path) -> None:
    """Sobol indices of "a two-island treaty is an equilibrium" in 2016 (N = 1024, seed 0)."""
    from kurilsim.presentation.sensitivity import sensitivity_figure as draw

    scenario = kurilsim.load_scenario(ROOT / "scenarios" / "sochi_2016.yaml")
    result = kurilsim.sensitivity(scenario, "deal-any:treaty > 0", samples=1024, seed=0)
    draw(result).savefig(path, dpi=80, bbox_inches="tight")


if __name__ == "__main__":
    IMAGES.mkdir(exist_ok=True)
    bargaining_figure(IMAGES / "bargaining_2016.png")
    sensitivity_figure(IMAGES / "sensitivity_2016.png")
