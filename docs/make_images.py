"""Draw the README's bargaining figure with kurilsim's own plot function.

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


if __name__ == "__main__":
    IMAGES.mkdir(exist_ok=True)
    bargaining_figure(IMAGES / "bargaining_2016.png")
