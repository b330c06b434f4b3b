"""``python -m kurilsim``: the same as the ``kurilsim`` command."""

import sys

from kurilsim.cli import main

sys.exit(main())
