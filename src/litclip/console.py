"""The rich consoles litclip prints through.

Emoji codes are off: paths, sample keys and captions are printed as they are (with rich's
default, a WebDataset sample keyed ``a`` printed as 🅰, its ``:a:`` code). Markup in user
text is escaped where it is printed.
"""

from __future__ import annotations

from typing import Any


def new_console(stderr: bool = False, **options: Any) -> Any:  # rich.console.Console
    """A :class:`rich.console.Console` on stdout (or ``stderr``), emoji codes off."""
    from rich.console import Console

    return Console(stderr=stderr, emoji=False, **options)
