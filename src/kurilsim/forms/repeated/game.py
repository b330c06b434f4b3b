"""A repeated game: a normal-form stage game played every round, and each player's discount factor.

Examples
--------
>>> from kurilsim.forms import catalogue
>>> game = RepeatedGame(catalogue.prisoners_dilemma(), (0.9, 0.9))
>>> game.players, game.discount.tolist()
(('Row', 'Column'), [0.9, 0.9])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from kurilsim.core.arguments import check_array, check_instance, check_real, check_text
from kurilsim.core.errors import InputError
from kurilsim.forms.normal.game import NormalFormGame

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class RepeatedGame:
    """The infinitely repeated ``stage`` game with perfect monitoring and discounting.

    Parameters
    ----------
    stage
        The game played every round.
    discount
        One discount factor per player, each in ``[0, 1)``.
    title
        A human-readable title (the stage game's by default).

    Raises
    ------
    ArgumentTypeError
        If ``stage`` is not a normal-form game or ``discount`` not a list of numbers.
    InputError
        If the number of discount factors is not the number of players, or one is outside
        ``[0, 1)`` (a discount factor of 1 values the future without end).
    """

    stage: NormalFormGame
    discount: FloatArray = field(repr=False)
    title: str = ""

    def __init__(self, stage: NormalFormGame, discount: Sequence[float], title: str = "") -> None:
        check_instance("stage", stage, NormalFormGame, "a NormalFormGame")
        check_text("title", title)
        values = np.array(check_array("discount", discount, ndim=1))
        if values.shape != (stage.n_players,):
            raise InputError(
                f"expected one discount factor per player ({stage.n_players}), got {values.size}",
                field="discount",
            )
        for player, value in zip(stage.players, values, strict=True):
            check_discount(player, float(value))
        values.setflags(write=False)
        object.__setattr__(self, "stage", stage)
        object.__setattr__(self, "discount", values)
        object.__setattr__(self, "title", title or stage.title)

    @property
    def players(self) -> tuple[str, ...]:
        """The players, in order."""
        return self.stage.players


def check_discount(player: str, value: float) -> float:
    """``value`` if it is a discount factor in ``[0, 1)``; else a one-line error.

    Examples
    --------
    >>> check_discount("Japan", 1.0)
    Traceback (most recent call last):
    ...
    kurilsim.core.errors.InputError: discount.Japan: discount factor 1 is not in [0, 1); at 1 \
the future counts without end and the discounted payoffs are not defined
    """
    check_text("player", player)
    value = check_real("value", value)
    if not 0 <= value < 1:
        raise InputError(
            f"discount factor {value:g} is not in [0, 1); at 1 the future counts without end and "
            "the discounted payoffs are not defined"
            if value >= 1
            else f"discount factor {value:g} is not in [0, 1)",
            field=f"discount.{player}",
        )
    return value
