"""Split names as manifests and shards record them, read alike by every reader: case and
surrounding spaces aside, and ``val`` also as ``valid``/``validation``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

VAL_SPLITS = ("val", "valid", "validation")


def split_names(split: str) -> tuple[str, ...]:
    """The recorded (lower-cased, stripped) split values that count as ``split``."""
    name = split.strip().lower()
    return VAL_SPLITS if name in VAL_SPLITS else (name,)


def recorded(value: object) -> str:
    """A recorded split value as :func:`split_names` compares it."""
    return str(value).strip().lower()


def rows_of_split(frame: pd.DataFrame, split: str) -> pd.DataFrame:
    """The rows of ``frame`` whose ``split`` column records ``split``."""
    return frame[frame["split"].map(recorded).isin(split_names(split))]
