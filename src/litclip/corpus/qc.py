"""Quality control for figure/caption pairs, with a reason for each rejection.

QC runs in two steps so that thresholds can change without re-extracting anything:

1. :func:`image_stats` (in the worker, once per crop) measures cheap raw statistics:
   size, grey-level entropy and spread, and a perceptual hash. They are stored in the
   per-PDF part files and the manifest.
2. :func:`qc_reasons` and :func:`duplicate_of` (at assembly time, over the whole corpus) turn
   those statistics plus the caption, the figure box and the kind into reason codes.

Reason codes (``qc_reasons`` column; a pair passes when the list is empty):

``too_small``, ``aspect_ratio``, ``blank``, ``low_entropy``, ``caption_short``,
``caption_long``, ``non_figure:header_band``, ``non_figure:logo``, ``non_figure:band``,
``duplicate`` (a perceptual-hash near-copy of an earlier pair, confirmed on the pixels:
:func:`same_picture` within one PDF, :func:`same_pixels` across PDFs; ``duplicate_of``
names it)
and ``kind:<kind>`` (the figure kind is not in ``keep_kinds``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from litclip.corpus.kinds import KINDS


@dataclass
class QcConfig:
    """Thresholds for :func:`qc_reasons` and :func:`duplicate_of`.

    Sizes are in pixels of the rendered crop (200 dpi by default: 64 px is about 8 mm).
    """

    min_side: int = 64
    max_aspect: float = 6.0
    min_std: float = 4.0  # grey-level standard deviation below this: a blank crop
    min_entropy: float = 0.25  # bits (of 8): line art with 5% ink has ~0.3; 1% ink is near-blank
    min_caption_chars: int = 20
    max_caption_chars: int = 4000
    dup_distance: int = 4  # Hamming distance between 64-bit pHashes that counts as a copy
    keep_kinds: list[str] = field(default_factory=lambda: list(KINDS))
    # Non-figure crops, in PDF points (72 per inch).
    logo_max_pt: float = 60.0  # both sides smaller than this: a logo or icon
    band_max_height_pt: float = 40.0  # thinner than this and very wide: an equation or rule
    band_min_aspect: float = 8.0
    margin_frac: float = 0.08  # top/bottom part of the page where running heads live


PHASH_SIDE = 32  # the thumbnail a pHash is computed on (imagehash: hash_size 8 x factor 4)
PHASH_BITS = 8  # lowest frequencies kept per axis: 64 bits
# rows of the (unnormalised) DCT-II matrix for the lowest frequencies: 2 cos(pi k (2n + 1) / 2N)
_DCT_LOW = 2 * np.cos(
    np.pi
    * np.arange(PHASH_BITS)[:, None]
    * (2 * np.arange(PHASH_SIDE)[None, :] + 1)
    / (2 * PHASH_SIDE)
)


def phash(image: Image.Image) -> str:
    """64-bit perceptual hash as 16 hex digits.

    The algorithm and format of ``imagehash.phash``: the 8 x 8 lowest DCT frequencies of a
    32 x 32 Lanczos grey thumbnail, each compared with their median. The DCT is a matrix
    product here, so corpus workers need no scipy (whose import was a third of a worker
    pool's start-up). Coefficients that are zero but for rounding count as zero, so flat
    images hash alike whatever the DCT's rounding.
    """
    small = image.convert("L").resize((PHASH_SIDE, PHASH_SIDE), Image.Resampling.LANCZOS)
    low = _DCT_LOW @ np.asarray(small, dtype=np.float64) @ _DCT_LOW.T
    low[np.abs(low) <= 1e-9 * np.abs(low).max()] = 0.0
    bits = (low > np.median(low)).ravel()
    return f"{int(''.join('1' if b else '0' for b in bits.tolist()), 2):016x}"


def image_stats(img: Image.Image, thumb: Image.Image | None = None) -> dict[str, Any]:
    """Raw per-crop statistics stored in the manifest (computed on a 256 px thumbnail).

    Args:
        img: the crop.
        thumb: a thumbnail of it (at most 256 px) when the caller already has one.

    Returns:
        ``width``, ``height`` (of ``img``), ``gray_std``, ``entropy`` (bits) and ``phash``
        (16 hex digits).
    """
    thumb = (thumb or img).convert("L")
    thumb.thumbnail((256, 256))
    gray = np.asarray(thumb, dtype=np.uint8)
    hist = np.bincount(gray.ravel(), minlength=256).astype(np.float64)
    p = hist[hist > 0] / gray.size
    return {
        "width": int(img.width),
        "height": int(img.height),
        "gray_std": round(float(gray.std()), 3),
        "entropy": round(float(-(p * np.log2(p)).sum()), 4),
        "phash": phash(thumb),
    }


def _non_figure(bbox: Sequence[float], page_size: Sequence[float] | None, cfg: QcConfig) -> str:
    x0, y0, x1, y1 = (float(v) for v in bbox)
    w, h = max(x1 - x0, 0.0), max(y1 - y0, 0.0)
    if w < cfg.logo_max_pt and h < cfg.logo_max_pt:
        return "non_figure:logo"
    if h < cfg.band_max_height_pt and w >= cfg.band_min_aspect * max(h, 1e-6):
        if page_size is not None:
            page_h = float(page_size[1])
            margin = cfg.margin_frac * page_h
            if y1 <= margin or y0 >= page_h - margin:
                return "non_figure:header_band"
        return "non_figure:band"
    return ""


def qc_reasons(row: dict[str, Any], cfg: QcConfig) -> list[str]:
    """Reason codes for one pair (without ``duplicate``, which needs the whole corpus).

    Args:
        row: a manifest row with ``width``, ``height``, ``gray_std``, ``entropy``,
            ``caption``, ``bbox``, ``kind`` and optionally ``page_size`` (points).
        cfg: thresholds.
    """
    reasons: list[str] = []
    w, h = int(row["width"]), int(row["height"])
    if min(w, h) < cfg.min_side:
        reasons.append("too_small")
    if max(w, h) > cfg.max_aspect * max(min(w, h), 1):
        reasons.append("aspect_ratio")
    if float(row["gray_std"]) < cfg.min_std:
        reasons.append("blank")
    elif float(row["entropy"]) < cfg.min_entropy:
        reasons.append("low_entropy")
    n_chars = len(str(row.get("caption") or "").strip())
    if n_chars < cfg.min_caption_chars:
        reasons.append("caption_short")
    elif n_chars > cfg.max_caption_chars:
        reasons.append("caption_long")
    if row.get("panel") in (None, "") or _is_nan(row.get("panel")):
        # Panels are small by design; only whole figures are judged as non-figure crops.
        nf = _non_figure(row["bbox"], row.get("page_size"), cfg)
        if nf:
            reasons.append(nf)
    if row.get("kind") not in cfg.keep_kinds:
        reasons.append(f"kind:{row.get('kind')}")
    return reasons


def _is_nan(v: Any) -> bool:
    return isinstance(v, float) and v != v


def duplicate_of(
    phashes: Sequence[str],
    groups: Sequence[Any],
    max_distance: int,
    verify: Callable[[int, int], bool] | None = None,
) -> list[int | None]:
    """Find perceptual-hash near-duplicates; the first occurrence of each is kept.

    Multi-index hashing: a 64-bit hash is cut into ``max_distance + 1`` chunks, so two
    hashes within ``max_distance`` bits share at least one chunk exactly (pigeonhole); only
    those candidates are compared. Linear in the corpus size for realistic data.

    Args:
        phashes: 16-hex-digit pHashes, in corpus order.
        groups: a group id per item (a figure and its own panels share one); items of the
            same group are never duplicates of each other.
        max_distance: the largest Hamming distance that counts as a duplicate.
        verify: optional ``verify(i, j)`` confirming a hash match (see :func:`same_pixels`);
            a 64-bit pHash cannot tell apart two charts drawn in the same template.

    Returns:
        For each item, the index of the earlier item it duplicates, or ``None``.
    """
    n_chunks = max_distance + 1
    bounds = np.linspace(0, 64, n_chunks + 1).astype(int)
    tables: list[dict[int, list[int]]] = [{} for _ in range(n_chunks)]
    values = [int(h, 16) for h in phashes]
    out: list[int | None] = [None] * len(values)
    for i, v in enumerate(values):
        keys = [
            (v >> int(lo)) & ((1 << int(hi - lo)) - 1)
            for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
        ]
        seen: set[int] = set()
        for table, key in zip(tables, keys, strict=True):
            for j in table.get(key, ()):
                if j in seen or groups[j] == groups[i]:
                    continue
                seen.add(j)
                if bin(v ^ values[j]).count("1") <= max_distance and (
                    verify is None or verify(i, j)
                ):
                    out[i] = j
                    break
            if out[i] is not None:
                break
        if out[i] is None:  # only originals are indexed, so chains point at the first copy
            for table, key in zip(tables, keys, strict=True):
                table.setdefault(key, []).append(i)
    return out


def _aspects_differ(a: Image.Image, b: Image.Image) -> bool:
    ra, rb = a.width / max(a.height, 1), b.width / max(b.height, 1)
    return abs(ra - rb) > 0.1 * max(ra, rb)


def same_pixels(a: Image.Image, b: Image.Image, size: int = 64, tolerance: float = 0.1) -> bool:
    """Whether two crops show the same picture, beyond what a perceptual hash can see.

    Both are box-averaged to ``size`` x ``size`` grey (coarse enough that resampling a thin
    line cannot move it, fine enough to see other labels); among the pixels with ink in either
    (darker than 200), the share that differs by more than 48 levels must stay under
    ``tolerance``. Rescaled or recompressed copies pass; two charts that share a template
    but not their labels and data do not, unless what differs covers under a tenth of the ink
    (another ending of one curve): that is looking alike, which is enough between two PDFs.
    """
    if _aspects_differ(a, b):
        return False
    ga = np.asarray(a.convert("L").resize((size, size), Image.Resampling.BOX), dtype=np.int16)
    gb = np.asarray(b.convert("L").resize((size, size), Image.Resampling.BOX), dtype=np.int16)
    ink = (ga < 200) | (gb < 200)
    if not ink.any():
        return True
    return float((np.abs(ga - gb)[ink] > 48).mean()) < tolerance


def same_picture(
    a: Image.Image, b: Image.Image, size: int = 128, levels: int = 40, tolerance: float = 0.001
) -> bool:
    """Whether two crops are one picture placed twice: the strict check for two pairs of one
    article, where series of figures in one template are the rule (the same chart over other
    data, a scan with and without its overlay), and a near-copy leaks nothing between splits.

    Both are box-averaged to ``size`` x ``size`` in colour; a pixel is explained when every
    channel lies within ``levels`` of the other crop's range over the pixel and its 8
    neighbours (a resampled copy moves an edge by a pixel). Among the pixels with ink in
    either, the unexplained share must stay under ``tolerance``. A raster placed again at
    another size passes; twins that :func:`same_pixels` lets through (another line in one
    corner, a recoloured overlay, another noise texture under the same axes) do not. Nor may
    a thin-line chart drawn again at another size: it is then kept, which within one article
    costs a repeated pair, not a leak between splits.
    """
    if _aspects_differ(a, b):
        return False
    small = [im.convert("RGB").resize((size, size), Image.Resampling.BOX) for im in (a, b)]
    pixels = [np.asarray(im, dtype=np.int16) for im in small]
    lows = [np.asarray(im.filter(ImageFilter.MinFilter(3)), dtype=np.int16) for im in small]
    highs = [np.asarray(im.filter(ImageFilter.MaxFilter(3)), dtype=np.int16) for im in small]
    unexplained = np.zeros((size, size), dtype=bool)
    for mine, other in ((0, 1), (1, 0)):
        off = (pixels[mine] < lows[other] - levels) | (pixels[mine] > highs[other] + levels)
        unexplained |= off.any(axis=-1)
    ink = (pixels[0].min(axis=-1) < 200) | (pixels[1].min(axis=-1) < 200)
    if not ink.any():
        return True
    return float(unexplained[ink].mean()) < tolerance
