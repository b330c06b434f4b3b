"""The ``kurilsim`` command and ``python -m kurilsim``, Ctrl-C clean from the start.

The command line's own modules take a moment to load; Ctrl-C then, before
:func:`kurilsim.cli.main` can catch it, ends the command just as Ctrl-C while it runs does.
"""

# PYTHON_ARGCOMPLETE_OK: marks the command for shell completion by argcomplete.

import gc
import os
import sys

# The line and exit code of kurilsim.cli.common, which cannot be imported once its loading was
# interrupted (tests/cli/test_main.py checks that they agree).
EXIT_INTERRUPTED = 130
INTERRUPTED = "kurilsim: interrupted"

#: The environment variable by which pydantic skips its plugins, and the value that skips them all.
#: pydantic looks for plugins among the entry points of every installed distribution when it builds
#: its first validator, reading each one's metadata (a tenth of a numpy import on a virtual
#: environment of a hundred packages); kurilsim uses no pydantic plugin, so the command skips the
#: search, unless the variable is set already, as it is by whoever wants their plugins to run.
#: The library itself leaves pydantic as it is, for programs that use plugins of their own.
PYDANTIC_PLUGINS = ("PYDANTIC_DISABLE_PLUGINS", "__all__")


def entry() -> int:
    """Load the command line and run it with ``sys.argv[1:]``; return the exit code.

    The process ends when it returns (or raises ``SystemExit``, as ``--help`` does), so the
    objects left then are frozen out of the cycle collector (:func:`gc.freeze`): the
    interpreter's exit would otherwise search them for reference cycles several times over (the
    tens of thousands of objects of numpy, pyarrow, pydantic and the solvers: a tenth of a
    second), only to free memory the system takes back anyway. Those held by references alone
    are still released as it ends; the command has closed every file it wrote before it returns.

    Before that, pydantic is told to look for no plugins (:data:`PYDANTIC_PLUGINS`) unless the
    environment says otherwise.

    Examples
    --------
    >>> import contextlib, io
    >>> from unittest import mock
    >>> saved, sys.argv = sys.argv, ["kurilsim"]
    >>> with contextlib.redirect_stdout(io.StringIO()) as printed, mock.patch.dict(os.environ):
    ...     code = entry()
    >>> sys.argv, frozen = saved, gc.get_freeze_count()
    >>> gc.unfreeze()  # this process goes on: let the collector see its objects again
    >>> code, printed.getvalue().startswith("usage: kurilsim"), frozen > 0
    (2, True, True)
    """
    os.environ.setdefault(*PYDANTIC_PLUGINS)
    try:
        from kurilsim.cli import main
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return EXIT_INTERRUPTED
    try:
        return main()
    finally:
        gc.freeze()


if __name__ == "__main__":
    sys.exit(entry())
