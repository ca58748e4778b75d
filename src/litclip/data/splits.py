"""Split names as manifests and shards record them, read alike by every reader: case and
surrounding spaces aside, and ``val`` also as ``valid``/``validation``."""

from __future__ import annotations

VAL_SPLITS = ("val", "valid", "validation")


def split_names(split: str) -> tuple[str, ...]:
    """The recorded (lower-cased, stripped) split values that count as ``split``."""
    name = split.strip().lower()
    return VAL_SPLITS if name in VAL_SPLITS else (name,)


def recorded(value: object) -> str:
    """A recorded split value as :func:`split_names` compares it."""
    return str(value).strip().lower()
