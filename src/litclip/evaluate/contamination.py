"""Train/test contamination: perceptual-hash near-duplicates of evaluation images in a corpus.

A journal corpus may contain figures that are (near) copies of public benchmark images. Every
evaluation image is hashed with :func:`litclip.corpus.qc.phash` (64 bits, as the manifest) and compared with every corpus
image; pairs within ``max_distance`` bits (Hamming) are reported, and the runner can drop
those evaluation items (``exclude_contaminated``) so scores are not inflated.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_MAX_DISTANCE = 4


def phash_int(image: Any) -> int:
    """The 64-bit perceptual hash of a PIL image (or image path) as an int."""
    from litclip.corpus.qc import phash
    from litclip.data import open_rgb

    if isinstance(image, str | os.PathLike):
        return phash_int(open_rgb(image))
    return int(phash(image), 16)


def hash_images(images: Iterable[Any]) -> np.ndarray:
    """``uint64`` hashes of images, paths, or ``(image, ...)`` items."""
    out = [phash_int(it[0] if isinstance(it, tuple) else it) for it in images]
    return np.asarray(out, dtype=np.uint64)


def hash_dataset(dataset: Any) -> np.ndarray:
    """Hashes of every item of an indexable dataset (items ``(image, ...)``)."""
    return hash_images(dataset[i] for i in range(len(dataset)))


def _parse_hash(value: Any) -> int | None:
    try:
        return int(str(value), 16) if value is not None and str(value) not in ("", "nan") else None
    except ValueError:
        return None


def hash_manifest(manifest: str | os.PathLike[str]) -> tuple[np.ndarray, list[str]]:
    """Hashes and ids of the images training reads from a corpus manifest (its ``phash``
    column when present): as ``litclip train`` does, the rows of its ``split`` column's train
    split (all rows without one) that passed QC; held-out pairs were never trained on.

    Returns ``(hashes, ids)`` with ids from ``pair_id`` (else the file path).
    """
    from litclip.data.pairs import read_manifest
    from litclip.data.splits import rows_of_split

    manifest = Path(manifest)
    frame = read_manifest(manifest)
    if "split" in frame.columns:
        frame = rows_of_split(frame, "train")
    if "qc_pass" in frame.columns:
        frame = frame[frame["qc_pass"].astype(bool)]
    ids = [str(v) for v in frame.get("pair_id", frame["filepath"])]
    root = manifest.parent
    hashes = []
    for i, path in enumerate(frame["filepath"]):
        h = _parse_hash(frame["phash"].iloc[i]) if "phash" in frame.columns else None
        if h is None:
            p = Path(str(path))
            h = phash_int(p if p.is_absolute() else root / p)
        hashes.append(h)
    return np.asarray(hashes, dtype=np.uint64), ids


def hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``(len(a), len(b))`` Hamming distances between ``uint64`` hashes."""
    x = np.bitwise_xor(np.asarray(a, np.uint64)[:, None], np.asarray(b, np.uint64)[None, :])
    return np.unpackbits(x.view(np.uint8).reshape(*x.shape, 8), axis=-1).sum(axis=-1)


def near_duplicates(
    query: np.ndarray,
    reference: np.ndarray,
    max_distance: int = DEFAULT_MAX_DISTANCE,
    chunk: int = 1024,
) -> list[tuple[int, int, int]]:
    """``(query index, reference index, distance)`` for every pair within ``max_distance``."""
    found = []
    for s in range(0, len(query), chunk):
        d = hamming(query[s : s + chunk], reference)
        for qi, ri in zip(*np.nonzero(d <= max_distance), strict=True):
            found.append((int(qi) + s, int(ri), int(d[qi, ri])))
    return found


def evaluate(
    eval_hashes: np.ndarray,
    train_hashes: np.ndarray,
    train_ids: list[str],
    max_distance: int = DEFAULT_MAX_DISTANCE,
) -> dict:
    """Contamination run fields: counts in ``metrics``, the overlapping pairs in ``details``."""
    pairs = near_duplicates(eval_hashes, train_hashes, max_distance)
    contaminated = sorted({q for q, _, _ in pairs})
    overlaps = [{"eval_index": q, "train_id": train_ids[r], "distance": d} for q, r, d in pairs]
    return {
        "metrics": {
            "n_contaminated": len(contaminated),
            "fraction_contaminated": len(contaminated) / max(len(eval_hashes), 1),
        },
        "details": {
            "max_distance": max_distance,
            "contaminated_indices": contaminated,
            "overlaps": overlaps[:1000],
            "n_overlap_pairs": len(overlaps),
            "n_train_images": int(len(train_hashes)),
        },
    }
