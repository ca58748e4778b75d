"""``python -m litclip``: the ``litclip`` command (where its script is not on PATH)."""

import sys

from litclip.cli import main

sys.exit(main())
