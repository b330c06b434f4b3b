"""What the subcommands share: exit codes, the parser class, and argument types."""

from __future__ import annotations

import argparse
import math

from kurilsim.errors import InputError

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT = 0, 1, 2


class Parser(argparse.ArgumentParser):
    """Reports usage errors through :class:`InputError` so every bad input exits the same way."""

    def error(self, message: str) -> None:  # type: ignore[override]
        """Raise :class:`InputError` instead of printing usage and exiting."""
        raise InputError(f"{message} (see '{self.prog} --help')")


def assignment(text: str) -> tuple[str, float]:
    """Parse ``NAME=VALUE`` with a finite number as the value (an ``argparse`` type)."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name}: expected a number, got {value!r}") from None
    if not math.isfinite(number):
        raise argparse.ArgumentTypeError(f"{name}: expected a finite number, got {value!r}")
    return name.strip(), number
