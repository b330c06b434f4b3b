"""The version of the installed kurilsim, which sweep files record beside their results.

Examples
--------
>>> __version__.count(".") >= 1 or __version__ == "0+unknown"
True
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("kurilsim")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
