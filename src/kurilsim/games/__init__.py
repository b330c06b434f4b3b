"""Game forms, independent of scenario files."""

from kurilsim.games.normal_form import NormalFormGame

__all__ = ["NormalFormGame"]
