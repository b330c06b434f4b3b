"""The installed kurilsim's version, recorded in every file kurilsim writes."""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("kurilsim")
except PackageNotFoundError:  # running from a source tree that was never installed
    VERSION = "0+unknown"
