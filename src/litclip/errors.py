"""User-facing errors.

Raise :class:`LitclipError` (or a subclass) for anything a user can fix: a missing file, a bad
option, an unreachable model hub. The CLI prints its message without a traceback and exits 2.
Programming errors stay ordinary exceptions.
"""

from __future__ import annotations


class LitclipError(Exception):
    """An error caused by user input or the environment, with a message that says what to do."""


class DatasetNotFoundError(LitclipError, FileNotFoundError):
    """A dataset path does not exist or has the wrong layout."""


class ModelLoadError(LitclipError):
    """A model spec could not be resolved or loaded."""


class DependencyNotFoundError(LitclipError, ImportError):
    """An optional dependency is missing; the message names the pip extra to install."""
