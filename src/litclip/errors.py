"""User-facing errors.

Raise :class:`LitclipError` (or a subclass) for anything a user can fix: a missing file, a bad
option, an unreachable model hub. The CLI prints its message without a traceback and exits 2
(1 for :class:`NothingMadeError`).
Programming errors stay ordinary exceptions.
"""

from __future__ import annotations

from collections.abc import Iterable


class LitclipError(Exception):
    """An error caused by user input or the environment, with a message that says what to do."""


class NothingMadeError(LitclipError):
    """A command ran but made nothing it was asked for (no PDF readable, no task could run):
    printed as an error like any other, with exit code 1 rather than 2."""

    exit_code = 1


class DatasetNotFoundError(LitclipError, FileNotFoundError):
    """A dataset path does not exist or has the wrong layout."""


class ModelLoadError(LitclipError):
    """A model spec could not be resolved or loaded."""


class DependencyNotFoundError(LitclipError, ImportError):
    """An optional dependency is missing; the message names the pip extra to install."""


def did_you_mean(words: Iterable[str], options: Iterable[str]) -> str:
    """ " (did you mean 'batch_size'?)" for the closest of ``options`` to each of ``words``
    (a typo: ``batchsize``, ``litclip-tinny``), else ""."""
    from difflib import get_close_matches

    pool = list(options)
    # 0.8: close enough for "batchsize" and "litclip-tinny", not "lr_image" -> "lock_image"
    close = [m for w in words for m in get_close_matches(w, pool, n=1, cutoff=0.8)]
    return f" (did you mean {', '.join(repr(m) for m in dict.fromkeys(close))}?)" if close else ""
