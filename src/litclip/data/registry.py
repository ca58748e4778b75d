"""Open any supported dataset from a one-string spec: ``KIND:PATH``.

Built-in kinds (an explicit dict, extended with :func:`register_dataset`)::

    medmnist:PATH.npz         one split of a MedMNIST file          -> MedMNISTDataset
    folder:DIR                DIR/<split>/<class>/ or DIR/<class>/  -> ImageFolderDataset
    pairs:MANIFEST            CSV/TSV/Parquet image-caption pairs   -> PairsDataset
    wds:PATTERN               WebDataset shards (map-style reader)  -> WebDatasetMap
                              (``iterable=True`` gives the streaming WebDatasetPairs)

``wds`` patterns may contain ``{split}``, which is replaced by the split name. Options can
ride in the spec after ``?`` (``pairs:m.csv?caption_key=title&on_error=raise``), so every
command that takes a dataset spec can pass them; keyword arguments override them.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litclip.errors import LitclipError

DatasetFactory = Callable[..., Any]


@dataclass(frozen=True)
class DatasetKind:
    """A registered dataset kind: its factory ``(path, split, **kw) -> dataset``, a help line
    and the ``?options`` its specs take (``None``: not checked)."""

    name: str
    factory: DatasetFactory
    description: str
    suffixes: tuple[str, ...] = ()
    options: tuple[str, ...] | None = None


def _medmnist(path: str, split: str, **kw: Any) -> Any:
    from litclip.data.medmnist import load_medmnist

    return load_medmnist(path, split, **kw)


def _folder(path: str, split: str, **kw: Any) -> Any:
    from litclip.data.folder import ImageFolderDataset, find_splits

    # A flat folder has no splits: the requested split is ignored rather than an error.
    use_split = split if Path(path).is_dir() and find_splits(path) else None
    return ImageFolderDataset(path, use_split, **kw)


def _pairs(path: str, split: str, **kw: Any) -> Any:
    from litclip.data.pairs import PairsDataset

    return PairsDataset(path, split=split, **kw)


def _wds(path: str, split: str, *, iterable: bool = False, **kw: Any) -> Any:
    from litclip.data.webdataset import WebDatasetMap, WebDatasetPairs

    urls = path.replace("{split}", split) if split else path
    reader = WebDatasetPairs if iterable else WebDatasetMap
    return reader(urls, split=split, **kw)  # samples whose json records another split drop


_DATASETS: dict[str, DatasetKind] = {
    k.name: k
    for k in (
        DatasetKind(
            "medmnist",
            _medmnist,
            "MedMNIST .npz file (official layout)",
            (".npz",),
            ("task", "label"),
        ),
        DatasetKind(
            "folder",
            _folder,
            "image folder: DIR/<split>/<class>/ or DIR/<class>/",
            options=("on_error", "progress"),
        ),
        DatasetKind(
            "pairs",
            _pairs,
            "CSV/TSV/Parquet manifest (filepath, caption)",
            (".csv", ".tsv", ".parquet", ".pq"),
            ("image_key", "caption_key", "root", "query", "sep", "on_error", "progress"),
        ),
        DatasetKind(
            "wds",
            _wds,
            "WebDataset .tar shards (KEY.png + KEY.txt/json)",
            (".tar",),
            ("json_caption_field", "on_error", "progress", "iterable"),
        ),
    )
}


def register_dataset(
    name: str,
    factory: DatasetFactory,
    description: str = "",
    *,
    suffixes: tuple[str, ...] = (),
    options: tuple[str, ...] | None = None,
    overwrite: bool = False,
) -> None:
    """Add a dataset kind so ``open_dataset("NAME:PATH")`` works.

    Args:
        name: the spec prefix (letters, digits, ``-``, ``_``).
        factory: ``factory(path: str, split: str, **kw) -> dataset``.
        description: one line for ``list_datasets``.
        suffixes: file suffixes used only to suggest this kind for an unprefixed spec.
        options: the ``?options`` its specs take (others are an error); ``None``: any.
        overwrite: allow replacing an existing kind.

    Raises:
        ValueError: the name is taken (and ``overwrite`` is false) or malformed.
    """
    if not name.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"dataset kind name must be alphanumeric (with - or _), got {name!r}")
    if name in _DATASETS and not overwrite:
        raise ValueError(
            f"dataset kind {name!r} is already registered; pass overwrite=True to replace it"
        )
    _DATASETS[name] = DatasetKind(name, factory, description, tuple(suffixes), options)


def list_datasets() -> dict[str, str]:
    """Registered dataset kinds and their descriptions."""
    return {name: kind.description for name, kind in sorted(_DATASETS.items())}


def suggest_kind(spec: str) -> str:
    """ " Did you mean folder:DIR?" for a spec given as a bare path (by what the path is),
    or with a misspelt kind ("medmist:x.npz": medmnist:x.npz)."""
    prefix, sep, rest = spec.partition(":")
    close = difflib.get_close_matches(prefix.lower(), list(_DATASETS), n=1, cutoff=0.6)
    if sep and rest and close and len(prefix) > 1:  # not a drive letter ("C:\\data")
        return f" Did you mean {close[0]}:{rest}?"
    p = Path(spec)
    if p.is_dir() and (p / "manifest.parquet").is_file():  # a corpus: its pairs
        return f" Did you mean pairs:{p / 'manifest.parquet'}?"
    if p.is_dir():
        guesses = ["folder"]
    else:
        guesses = [k.name for k in _DATASETS.values() if p.suffix.lower() in k.suffixes]
    if guesses:
        return f" Did you mean {guesses[0]}:{spec}?"
    return ""


def parse_spec(spec: str) -> tuple[str, str]:
    """Split ``KIND:PATH`` into ``(kind, path)``; raise a LitclipError for unknown kinds."""
    kind, sep, path = spec.partition(":")
    kinds = ", ".join(f"{k}:" for k in sorted(_DATASETS))
    if not sep or kind not in _DATASETS:
        raise LitclipError(
            f"unknown dataset spec {spec!r}: it must start with one of {kinds} "
            f"(e.g. medmnist:path/pneumoniamnist.npz).{suggest_kind(spec)}"
        )
    if not path:
        raise LitclipError(f"dataset spec {spec!r} has no path after '{kind}:'.")
    return kind, path


def _coerce(value: str) -> Any:
    low = value.lower()
    if low in ("true", "false"):
        return low == "true"
    return int(value) if value.isdigit() else value


def split_options(path: str) -> tuple[str, dict[str, Any]]:
    """Split ``PATH?k=v&k2=v2`` into ``(PATH, {k: v, k2: v2})`` (values: bool/int/str).

    A ``?`` whose tail is not ``k=v`` pairs is treated as part of the path.
    """
    head, sep, tail = path.rpartition("?")
    if not sep or not tail:
        return path, {}
    pairs = [p.partition("=") for p in tail.split("&")]
    if not all(eq and k.isidentifier() for k, eq, _ in pairs):
        return path, {}
    keys = [k for k, _, _ in pairs]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:  # the last one silently won ("?label=pneumonia&label=edema" read edema)
        raise LitclipError(f"option {twice[0]!r} is given twice in {path!r}: give it once")
    return head, {k: _coerce(v) for k, _, v in pairs}


def _check_options(spec: str, kind: DatasetKind, options: dict[str, Any]) -> None:
    """Name a spec option its reader does not take (it would be a TypeError there)."""
    unknown = sorted(set(options) - set(kind.options)) if kind.options is not None else []
    if unknown:
        names = ", ".join(repr(k) for k in unknown)
        raise LitclipError(
            f"unknown option{'s' * (len(unknown) > 1)} {names} in dataset spec {spec!r}; "
            f"{kind.name}: specs take {', '.join(sorted(kind.options or ()))}."
        )


def open_dataset(spec: str, split: str = "test", **kw: Any) -> Any:
    """Open a dataset from a spec such as ``medmnist:data/pneumoniamnist.npz``.

    Args:
        spec: ``KIND:PATH[?key=value&...]`` with a kind from :func:`list_datasets`.
        split: ``train``/``val``/``test`` (ignored by flat folders and manifests without a
            ``split`` column).
        **kw: passed to the kind's factory (e.g. ``classnames=``, ``caption_key=``,
            ``on_error=``, ``iterable=True`` for ``wds``).

    Returns:
        The dataset object (map-style except ``wds`` with ``iterable=True``).

    Raises:
        LitclipError: unknown kind or spec option; DatasetNotFoundError: the path does not exist.
    """
    kind, path = parse_spec(spec)
    path, options = split_options(path)
    _check_options(spec, _DATASETS[kind], options)
    return _DATASETS[kind].factory(path, split, **{**options, **kw})


def summarize_dataset(ds: Any, max_skipped: int = 10) -> dict[str, Any]:
    """Summarize an opened dataset as JSON-ready data.

    Covers size, classes and label counts or caption statistics, and the skipped items
    (this triggers the lazy verification of image-file datasets).

    Args:
        ds: a dataset from :func:`open_dataset` (map-style).
        max_skipped: how many skipped items to list (all are counted).

    Returns:
        A flat-ish dict with ``type``, ``name``, ``split``, ``n`` and, where they apply,
        ``task``, ``classes`` (name -> count), ``caption_chars`` (min/median/max) and
        ``skipped`` / ``skipped_examples``.
    """
    import numpy as np

    n = len(ds)
    out: dict[str, Any] = {
        "type": type(ds).__name__,
        "name": getattr(ds, "name", None),
        "split": getattr(ds, "split", None),
        "n": n,
    }
    labels = getattr(ds, "labels", None)
    classnames = getattr(ds, "classnames", None)
    if labels is not None and classnames is not None:
        labels = np.asarray(labels)
        counts = (
            labels.sum(axis=0)
            if labels.ndim == 2
            else np.bincount(labels, minlength=len(classnames))
        )
        out["task"] = getattr(ds, "task", None)
        out["classes"] = {str(c): int(k) for c, k in zip(classnames, counts, strict=False)}
    captions = getattr(ds, "captions", None)
    if captions is not None and n:
        lengths = np.array([len(c) for c in captions])
        out["caption_chars"] = {
            "min": int(lengths.min()),
            "median": float(np.median(lengths)),
            "max": int(lengths.max()),
        }
    skipped = list(getattr(ds, "skipped", []))
    out["skipped"] = len(skipped)
    out["skipped_examples"] = [
        {"index": s.index, "source": s.source, "reason": s.reason} for s in skipped[:max_skipped]
    ]
    return out
