"""The ``kurilsim`` command and ``python -m kurilsim``, Ctrl-C clean from the start.

The command line's own modules take a moment to load; Ctrl-C then, before
:func:`kurilsim.cli.main` can catch it, ends the command just as Ctrl-C while it runs does.
"""

# PYTHON_ARGCOMPLETE_OK: marks the command for shell completion by argcomplete.

import sys

# The line and exit code of kurilsim.cli.common, which cannot be imported once its loading was
# interrupted (tests/cli/test_main.py checks that they agree).
EXIT_INTERRUPTED = 130
INTERRUPTED = "kurilsim: interrupted"


def entry() -> int:
    """Load the command line and run it with ``sys.argv[1:]``; return the exit code.

    Examples
    --------
    >>> import contextlib, io
    >>> saved, sys.argv = sys.argv, ["kurilsim", "--version"]
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     code = entry()
    >>> sys.argv = saved
    >>> code
    0
    """
    try:
        from kurilsim.cli import main
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return EXIT_INTERRUPTED
    return main()


if __name__ == "__main__":
    sys.exit(entry())
