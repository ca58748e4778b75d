"""Image <-> text retrieval Recall@K with CLIP_benchmark's conventions.

Names follow CLIP_benchmark: ``image_retrieval_recall@K`` is text -> image (for each caption,
is its image among the top K images?) and ``text_retrieval_recall@K`` is image -> text (for
each image, is at least one of its captions among the top K captions?). An image may have
several captions; each caption belongs to exactly one image. Every recall comes with its
chance level (what random ranking would score), so small evaluation sets stay interpretable.
Tied scores (captions repeated word for word) count as the expected hit over the orders of the
tied items, so a recall does not depend on the order of the rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import comb
from typing import Any

import numpy as np

DEFAULT_KS = (1, 5, 10)


MIN_GROUPS = 5  # articles under which resampling them says little: pairs are resampled


def group_captions(
    image_keys: Sequence[str], captions: Sequence[str]
) -> tuple[list[int], list[int]]:
    """Map pair rows to unique images: (row index of each unique image, image index per caption).

    Rows sharing an image path (the same figure with several captions) become one image with
    several captions, as in CLIP_benchmark's retrieval datasets.
    """
    first: dict[str, int] = {}
    image_rows: list[int] = []
    text_image: list[int] = []
    for row, key in enumerate(image_keys):
        if key not in first:
            first[key] = len(image_rows)
            image_rows.append(row)
        text_image.append(first[key])
    return image_rows, text_image


#: scores equal to this many decimals are ties (identical captions embed alike, but a matrix
#: product may give their scores apart in the last bits)
TIE_DECIMALS = 6


def _topk_hit(scores: np.ndarray, positives: np.ndarray, k: int) -> np.ndarray:
    """Per row: whether a positive is among the ``k`` highest scores, ties counted as the
    expected hit over every order of the tied items.

    Breaking ties by position made the recall depend on the order of the rows: with captions
    repeated word for word ("No acute findings."), shuffling the same pairs moved a recall by
    0.1. Here a row whose best positive is tied with other items at the cut-off scores the
    chance that a random order of the tied items puts a positive above it (a constant model
    scores chance, not 1).
    """
    k = min(k, scores.shape[1])
    scores = np.round(scores, TIE_DECIMALS)  # float32 as scored (a float64 copy: twice the memory)
    best = np.where(positives, scores, -np.inf).max(axis=1, keepdims=True)
    negatives = ~positives
    above = (negatives & (scores > best)).sum(axis=1)  # outrank every positive
    tied = (negatives & (scores == best)).sum(axis=1)
    tied_pos = (positives & (scores == best)).sum(axis=1)
    room = k - above  # places left for the tied items
    hit = (room > tied).astype(np.float64)  # all tied items fit: a positive is in
    for row in np.flatnonzero((room > 0) & (room <= tied)):
        t, p, m = int(tied[row]), int(tied_pos[row]), int(room[row])
        hit[row] = 1.0 - comb(t, m) / comb(t + p, m)  # not every one of the m is a negative
    return hit


def chance(n_images: int, captions_per_image: np.ndarray, k: int) -> dict[str, float]:
    """Expected recall@k under random ranking, for both directions."""
    n_texts = int(captions_per_image.sum())
    k_img, k_txt = min(k, n_images), min(k, n_texts)
    text_chance = np.mean(
        [1 - comb(n_texts - m, k_txt) / comb(n_texts, k_txt) for m in captions_per_image]
    )
    return {"image": k_img / n_images, "text": float(text_chance)}


def _hits(
    image_emb: np.ndarray, text_emb: np.ndarray, text_image_index: Sequence[int], ks: Sequence[int]
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Per-query hits (1.0/0.0) for every recall key, and each image's number of captions."""
    scores = np.asarray(text_emb, np.float32) @ np.asarray(image_emb, np.float32).T
    idx = np.asarray(text_image_index)
    positives = np.zeros(scores.shape, dtype=bool)
    positives[np.arange(len(idx)), idx] = True
    hits = {}
    for k in ks:
        hits[f"image_retrieval_recall@{k}"] = _topk_hit(scores, positives, k)
        hits[f"text_retrieval_recall@{k}"] = _topk_hit(scores.T, positives.T, k)
    return hits, np.bincount(idx, minlength=scores.shape[1])


def _recalls(
    hits: dict[str, np.ndarray], per_image: np.ndarray, ks: Sequence[int]
) -> tuple[dict[str, float], dict[str, float]]:
    metrics = {key: float(h.mean()) for key, h in hits.items()}
    chance_levels = {}
    for k in ks:
        c = chance(len(per_image), per_image, k)
        chance_levels[f"image_retrieval_recall@{k}"] = c["image"]
        chance_levels[f"text_retrieval_recall@{k}"] = c["text"]
    return metrics, chance_levels


def _hits_ci(
    hits: dict[str, np.ndarray],
    n_boot: int,
    seed: int,
    groups: tuple[Sequence[Any], Sequence[Any]] | None = None,
) -> dict[str, list[float]]:
    """Percentile 95% intervals of each recall: queries resampled with replacement, or, with
    ``groups`` (each caption's and each image's source, e.g. its article), whole groups:
    the pairs of one article (a figure and its panels, captions alike) are no independent
    draws, and resampling them one by one made the intervals too narrow."""
    rng = np.random.default_rng(seed)
    out = {}
    for key, h in hits.items():
        if groups is None:
            boots = [h[rng.integers(0, len(h), len(h))].mean() for _ in range(n_boot)]
        else:
            labels = groups[0] if key.startswith("image_") else groups[1]  # caption / image queries
            _, gid = np.unique(np.asarray(labels, dtype=str), return_inverse=True)
            sums, counts = np.bincount(gid, weights=h), np.bincount(gid)
            draws = rng.integers(0, len(sums), (n_boot, len(sums)))
            boots = sums[draws].sum(axis=1) / counts[draws].sum(axis=1)
        out[key] = [float(np.percentile(boots, 2.5)), float(np.percentile(boots, 97.5))]
    return out


def retrieval_metrics(
    image_emb: np.ndarray,
    text_emb: np.ndarray,
    text_image_index: Sequence[int],
    ks: Sequence[int] = DEFAULT_KS,
) -> tuple[dict[str, float], dict[str, float]]:
    """Recall@K both ways and their chance levels (keys as CLIP_benchmark).

    Args:
        image_emb: ``(N_images, D)`` normalised embeddings.
        text_emb: ``(N_texts, D)`` normalised embeddings.
        text_image_index: for each text, the index of its image.
        ks: the K values; a K above the gallery size is clipped to it.

    Returns:
        ``(metrics, chance)`` with the same keys.
    """
    hits, per_image = _hits(image_emb, text_emb, text_image_index, ks)
    return _recalls(hits, per_image, ks)


def bootstrap_ci(
    image_emb: np.ndarray,
    text_emb: np.ndarray,
    text_image_index: Sequence[int],
    ks: Sequence[int] = DEFAULT_KS,
    n_boot: int = 200,
    seed: int = 0,
) -> dict[str, list[float]]:
    """Percentile 95% intervals from resampling queries (captions / images) with replacement."""
    return _hits_ci(_hits(image_emb, text_emb, text_image_index, ks)[0], n_boot, seed)


def evaluate(
    image_emb: np.ndarray,
    text_emb: np.ndarray,
    text_image_index: Sequence[int],
    ks: Sequence[int] = DEFAULT_KS,
    n_boot: int = 200,
    seed: int = 0,
    text_groups: Sequence[Any] | None = None,
) -> dict:
    """Retrieval run fields: ``{"metrics", "ci95", "details": {"chance", ...}}``.

    ``text_groups`` names each caption's source (its article): intervals then resample
    whole sources (an image's source is that of its first caption), when there are at
    least :data:`MIN_GROUPS` of them.
    """
    hits, per_image = _hits(image_emb, text_emb, text_image_index, ks)  # scored once for both
    metrics, chance_levels = _recalls(hits, per_image, ks)
    groups = None
    if text_groups is not None and len(set(text_groups)) >= MIN_GROUPS:
        image_groups: dict[int, Any] = {}
        for g, i in zip(text_groups, text_image_index, strict=True):
            image_groups.setdefault(int(i), g)
        groups = (list(text_groups), [image_groups[i] for i in range(len(image_emb))])
    ci = _hits_ci(hits, n_boot, seed, groups) if n_boot else {}
    details = {
        "chance": chance_levels,
        "n_images": int(len(image_emb)),
        "n_texts": int(len(text_emb)),
        "ks": [int(k) for k in ks],
        "ci_unit": "article" if groups is not None else "pair",
    }
    if groups is not None:
        details["n_articles"] = len(set(groups[0]))
    return {"metrics": metrics, "ci95": ci, "details": details}
