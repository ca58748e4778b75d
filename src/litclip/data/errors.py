"""Errors raised by the dataset readers.

Re-exports the shared user-facing errors and adds :class:`CorruptImageError`, raised for an
unreadable image when a dataset is opened with ``on_error="raise"``.
"""

from __future__ import annotations

from litclip.errors import DatasetNotFoundError, LitclipError

__all__ = ["CorruptImageError", "DatasetNotFoundError", "LitclipError"]


class CorruptImageError(LitclipError, OSError):
    """An image inside a dataset could not be decoded (message names the file and the fix)."""
