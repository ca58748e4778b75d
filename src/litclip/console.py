"""The rich consoles litclip prints through.

Emoji codes are off: paths, sample keys and captions are printed as they are (with rich's
default, a WebDataset sample keyed ``a`` printed as 🅰, its ``:a:`` code). Markup in user
text is escaped where it is printed.
"""

from __future__ import annotations

import os
from typing import Any

#: Columns when the output is not a terminal (a log file, a pipe): rich's 80 wrapped tables
#: and path lines in logs; a terminal's own width is used as it is
LOG_WIDTH = 160


def new_console(stderr: bool = False, **options: Any) -> Any:  # rich.console.Console
    """A :class:`rich.console.Console` on stdout (or ``stderr``), emoji codes off, and
    :data:`LOG_WIDTH` columns wide off a terminal (unless ``COLUMNS`` or ``width`` says)."""
    from rich.console import Console

    console = Console(stderr=stderr, emoji=False, **options)
    if "width" not in options and not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = LOG_WIDTH
    return console


def count(n: int, noun: str) -> str:
    """``n`` and its noun, plural unless one ("1 PDF", "3 test images")."""
    return f"{n} {noun}{'s' * (n != 1)}"
