"""Image-caption pair manifests (CSV, TSV or Parquet), open_clip's CSV convention.

A manifest has one row per pair with an image path column (``filepath``) and a caption column
(``caption``); other columns are kept in ``.frame``. Relative paths are resolved against the
manifest's directory (or ``root=``), absolute paths are used as they are. This reads the
corpus ``manifest.parquet`` / ``manifest.csv`` of ARCHITECTURE contract 1 as well as any
open_clip training CSV. Rows with an empty path or caption are dropped at construction,
unreadable images lazily (see :mod:`litclip.data._images`); both are listed in ``.skipped``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from PIL import Image

from litclip.data._images import ImageFilesDataset, SkippedItem, resolve_path
from litclip.data.errors import DatasetNotFoundError, LitclipError
from litclip.data.splits import rows_of_split
from litclip.io import atomic_path

MANIFEST_SUFFIXES = (".csv", ".tsv", ".parquet", ".pq")


def _csv_separator(path: Path) -> str:
    """The header's separator: open_clip writes tab-separated "CSV" by default
    (``--csv-separator '\\t'``) and Excel in European locales uses ``;``."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        header = fh.readline()
    if "," in header:
        return ","
    return "\t" if "\t" in header else (";" if ";" in header else ",")


def _embedded_bytes(value: Any) -> bytes | None:
    """The image bytes of a Hugging Face ``Image`` cell (``{"bytes", "path"}``) or raw bytes."""
    if isinstance(value, dict):
        value = value.get("bytes")
    return value if isinstance(value, bytes | bytearray) else None


def _embedded_images_to_files(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Columns of images stored in the Parquet file itself (Hugging Face datasets) become
    image files, and the column their paths, so every stage reads them like any manifest.

    The files go to a folder beside the manifest (``.NAME.COLUMN/``), or to litclip's cache
    when that folder cannot be written; a file already there is not written again.
    """
    for col in frame.columns:
        first = next((v for v in frame[col].head(50) if v is not None), None)
        if first is None or _embedded_bytes(first) is None:
            continue
        folder = path.parent / f".{path.stem}.{col}"
        try:
            folder.mkdir(exist_ok=True)
        except OSError:  # a read-only dataset folder
            digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
            folder = Path.home() / ".cache" / "litclip" / "embedded" / digest / col
            folder.mkdir(parents=True, exist_ok=True)
        paths: list[str | None] = []
        for row, value in zip(frame.index, frame[col], strict=True):
            data = _embedded_bytes(value)
            if data is None:
                paths.append(None)
                continue
            target = folder / f"{row}{_image_suffix(data)}"
            if not (target.is_file() and target.stat().st_size == len(data)):
                with atomic_path(target) as tmp:  # no fsync per file: a torn one is rewritten
                    tmp.write_bytes(bytes(data))
            paths.append(str(target))
        frame = frame.assign(**{col: paths})
    return frame


def _image_suffix(data: bytes) -> str:
    for magic, suffix in ((b"\x89PNG", ".png"), (b"\xff\xd8", ".jpg"), (b"RIFF", ".webp")):
        if data.startswith(magic):
            return suffix
    return ".img"  # PIL reads the content whatever the name


def _first_bad_byte(path: Path) -> int:
    """Where a file first stops being UTF-8 (pandas' error counts from the chunk it read)."""
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return 0


def read_manifest(path: str | os.PathLike[str], sep: str | None = None) -> pd.DataFrame:
    """Read a CSV/TSV/Parquet manifest into a DataFrame.

    Raises:
        DatasetNotFoundError: the file does not exist.
        LitclipError: unknown extension or unparsable file.
    """
    path = Path(path)
    if path.is_dir() and (path / "manifest.parquet").is_file():  # a corpus folder
        raise LitclipError(
            f"{path} is a corpus folder: give its manifest, pairs:{path / 'manifest.parquet'}"
        )
    if not path.is_file():
        raise DatasetNotFoundError(
            f"manifest not found: {path}. Expected a CSV/TSV/Parquet file with one row per "
            "image-caption pair (columns filepath, caption), e.g. a corpus dir's manifest.parquet."
        )
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            return _embedded_images_to_files(pd.read_parquet(path), path)
        if suffix in (".csv", ".tsv"):
            sep = sep or ("\t" if suffix == ".tsv" else _csv_separator(path))
            return pd.read_csv(path, sep=sep, keep_default_na=False, na_values=[""])
    except UnicodeDecodeError:  # read as another encoding, captions would be garbled
        raise LitclipError(
            f"manifest {path} is not UTF-8 text (byte {_first_bad_byte(path)}): a spreadsheet's "
            "Windows export? Save it as 'CSV UTF-8' (or convert it, e.g. iconv -f cp1252 "
            "-t utf-8)."
        ) from None
    except Exception as exc:
        raise LitclipError(
            f"cannot read manifest {path}: {exc}. Check that the file is a valid {suffix[1:]} file."
        ) from exc
    raise LitclipError(
        f"unsupported manifest type {path.name!r}; use one of {list(MANIFEST_SUFFIXES)}."
    )


def check_column(frame: pd.DataFrame, column: str, path: Path, option: str) -> None:
    """Raise a :class:`LitclipError` naming the available columns when ``column`` is absent.

    ``option`` is the keyword (``caption_key``); the message shows it as a dataset-spec
    option, which every command takes, and as a keyword argument.
    """
    if column not in frame.columns:
        raise LitclipError(
            f"manifest {path} has no column {column!r}; available columns: {list(frame.columns)}. "
            f"Name the right one in the dataset spec, pairs:{path}?{option}=NAME (in Python: "
            f"{option}=NAME)."
        )


class PairsDataset(ImageFilesDataset):
    """Image-caption pairs from a manifest: ``ds[i] -> (PIL RGB image, caption)``.

    Args:
        manifest: path to a ``.csv``, ``.tsv`` or ``.parquet`` manifest.
        image_key: column holding image paths (open_clip ``--csv-img-key``).
        caption_key: column holding captions (open_clip ``--csv-caption-key``).
        root: base directory for relative paths; default: the manifest's directory.
        split: keep rows whose ``split`` column equals this (ignored without that column).
        query: optional pandas query to select rows, e.g. ``"qc_pass"``.
        transform: optional callable applied to each PIL image.
        on_error: ``"skip"`` (drop and count unreadable images/empty rows) or ``"raise"``.
        progress: show a progress bar while verifying images.
        sep: CSV separator (default: sniffed from the header; a tab for ``.tsv``).

    Attributes:
        frame: the kept rows (original index preserved), captions, filepaths: per kept row.
        skipped: :class:`~litclip.data._images.SkippedItem` per dropped row.
    """

    def __init__(
        self,
        manifest: str | os.PathLike[str],
        image_key: str = "filepath",
        caption_key: str = "caption",
        root: str | os.PathLike[str] | None = None,
        *,
        split: str | None = None,
        query: str | None = None,
        transform: Callable[[Image.Image], Any] | None = None,
        on_error: str = "skip",
        progress: bool = True,
        sep: str | None = None,
    ) -> None:
        self.manifest = Path(manifest)
        self.name = self.manifest.parent.name or self.manifest.stem
        self.split = split
        self.image_key, self.caption_key = image_key, caption_key
        self.root = Path(root) if root is not None else self.manifest.parent
        self.transform = transform
        self._init_policy(on_error, progress)
        frame = read_manifest(self.manifest, sep)
        check_column(frame, image_key, self.manifest, "image_key")
        check_column(frame, caption_key, self.manifest, "caption_key")
        frame = self._select(frame, split, query)
        self._frame = self._drop_empty(frame)
        self._paths = [resolve_path(str(p), self.root) for p in self._frame[image_key]]
        self._captions = [str(c) for c in self._frame[caption_key]]
        self._share_verdicts()

    def _select(self, frame: pd.DataFrame, split: str | None, query: str | None) -> pd.DataFrame:
        if split is not None and "split" in frame.columns:
            every, frame = frame, rows_of_split(frame, split)
            if frame.empty:
                held = sorted({str(v) for v in every["split"].dropna()})
                raise LitclipError(
                    f"manifest {self.manifest} has no rows with split == {split!r}; choose "
                    f"another split (it holds {', '.join(held) or 'none'})."
                )
        if query:
            try:
                frame = frame.query(query)
            except Exception as exc:
                raise LitclipError(
                    f"bad query {query!r} for manifest {self.manifest}: {exc}"
                ) from exc
        return frame

    def _drop_empty(self, frame: pd.DataFrame) -> pd.DataFrame:
        empty = frame[self.image_key].isna() | frame[self.caption_key].isna()
        empty |= frame[self.caption_key].astype(str).str.strip() == ""
        for pos in np.flatnonzero(empty.to_numpy()):
            row = frame.iloc[pos]
            what = "empty image path" if pd.isna(row[self.image_key]) else "empty caption"
            if self.on_error == "raise":
                raise LitclipError(
                    f"manifest {self.manifest} row {frame.index[pos]}: {what}. Fill it in or drop "
                    "the row, or use on_error='skip'."
                )
            self.skipped.append(SkippedItem(int(frame.index[pos]), str(self.manifest), what))
        return frame[~empty.to_numpy()]

    # LazyVerifiedDataset hooks (the file ones come from ImageFilesDataset)
    def _describe(self) -> str:
        return f"manifest {self.manifest}"

    def _original_index(self, i: int) -> int:
        return int(self._frame.index[i])

    @property
    def frame(self) -> pd.DataFrame:
        """Manifest rows of the kept pairs (index = row index in the file)."""
        return self._frame.iloc[list(self._raw_indices())]

    @property
    def captions(self) -> list[str]:
        """Caption of every kept pair."""
        return [self._captions[i] for i in self._raw_indices()]

    def _target(self, raw: int) -> str:
        return self._captions[raw]

    def __repr__(self) -> str:
        return f"PairsDataset(manifest={str(self.manifest)!r}, rows={self._num_raw()})"
