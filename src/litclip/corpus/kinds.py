"""A cheap figure-type classifier: image | chart | diagram | table | other.

No model, no torch: a handful of statistics on a 256-pixel thumbnail (how much of it is
white page, how many grey levels carry real mass, colour saturation, long straight lines)
plus what the extractor already knows (a figure drawn only with vector paths is never a
photograph). It is meant to let users keep imaging figures (MRI, CT, X-ray, photos,
histology) and drop charts, flow diagrams and tables; the zero-shot modality filter in
:mod:`litclip.corpus.modality` is the finer, model-based tool.

Rules, in order:

* ``table``: several long horizontal rules across a mostly white crop, few vertical ones.
* ``chart``: a mostly white crop with an L-shaped pair of axes (a long vertical line in the
  left part and a long horizontal line in the bottom part).
* ``image``: a raster figure with rich tones (many grey levels with real mass) and less
  than 60% white page, or with under 25% white page: photographs and medical images.
* ``diagram``: a mostly white, tonally poor crop (boxes, arrows, text, line art).
* ``other``: anything else (e.g. a dark, flat crop that is neither).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

KINDS = ("image", "chart", "diagram", "table", "other")
_THUMB = 256


@dataclass(frozen=True)
class KindFeatures:
    """The statistics the rules look at (all in [0, 1] except ``n_levels``)."""

    white_frac: float  # pixels brighter than 235: page background
    dark_frac: float  # pixels darker than 20: the black background of MRI/CT
    n_levels: int  # grey levels (of 64) holding at least 0.3% of the pixels
    saturation: float  # mean HSV saturation
    h_lines: int  # rows that are a long straight line of ink (>= 60% of the width)
    v_lines: int  # columns that are a long straight line of ink (>= 60% of the height)
    axis_left: bool  # a long vertical line in the left 30%
    axis_bottom: bool  # a long horizontal line in the bottom 30%


def _count_runs(mask: np.ndarray) -> int:
    """Number of separate True runs in a 1-D mask (a 2-px thick line counts once)."""
    if not mask.any():
        return 0
    padded = np.concatenate([[False], mask, [False]])
    return int(np.count_nonzero(np.diff(padded.astype(np.int8)) == 1))


def _longest_runs(mask: np.ndarray) -> np.ndarray:
    """Length of the longest run of True in each row of a 2-D mask (vectorised)."""
    padded = np.pad(mask, ((0, 0), (1, 1))).astype(np.int8)
    d = np.diff(padded, axis=1)
    starts, ends = np.argwhere(d == 1), np.argwhere(d == -1)  # row-major: pairs line up
    out = np.zeros(mask.shape[0], dtype=np.int64)
    if len(starts):
        np.maximum.at(out, starts[:, 0], ends[:, 1] - starts[:, 1])
    return out


def kind_features(img: Image.Image) -> KindFeatures:
    """Compute :class:`KindFeatures` on a thumbnail of ``img`` (never the full image)."""
    thumb = img.convert("RGB")
    thumb.thumbnail((_THUMB, _THUMB))
    gray = np.asarray(thumb.convert("L"), dtype=np.uint8)
    n = gray.size
    hist = np.bincount(gray.ravel() >> 2, minlength=64)  # 64 levels: anti-aliasing noise folds in
    n_levels = int(np.count_nonzero(hist >= 0.003 * n))
    sat = np.asarray(thumb.convert("HSV"), dtype=np.float32)[..., 1].mean() / 255.0
    # "Ink" rather than black: a 1-px rule at 200 dpi turns mid-grey once thumbnailed.
    dark = gray < 220
    h, w = gray.shape
    # Straight lines are long *contiguous* runs of ink: two boxes side by side are not a rule.
    row_run, col_run = _longest_runs(dark), _longest_runs(dark.T)
    row_line, col_line = row_run >= 0.6 * w, col_run >= 0.6 * h
    left = col_run[: max(1, int(0.3 * w))] >= 0.5 * h  # axes: long runs in the left/bottom 30%
    bottom = row_run[int(0.7 * h) :] >= 0.5 * w
    return KindFeatures(
        white_frac=float((gray > 235).mean()),
        dark_frac=float((gray < 20).mean()),
        n_levels=n_levels,
        saturation=float(sat),
        h_lines=_count_runs(row_line),
        v_lines=_count_runs(col_line),
        axis_left=bool(left.any()),
        axis_bottom=bool(bottom.any()),
    )


def classify_kind(img: Image.Image, source: str = "raster") -> tuple[str, KindFeatures]:
    """Classify a figure crop.

    Args:
        img: the rendered crop (any mode).
        source: what the extractor saw in the region: ``"raster"``, ``"vector"`` or ``"mixed"``.

    Returns:
        ``(kind, features)`` with ``kind`` one of :data:`KINDS`.
    """
    f = kind_features(img)
    pagey = f.white_frac >= 0.45  # mostly page background: line art, not a photograph
    if pagey and f.h_lines >= 3 and f.v_lines <= max(2, f.h_lines // 2):
        return "table", f
    if pagey and f.axis_left and f.axis_bottom:
        return "chart", f
    # Anti-aliased text gives line art many grey levels too, so tonal richness only counts
    # when most of the crop is not page background.
    rich = f.n_levels >= 20 and f.white_frac < 0.6
    if source != "vector" and (rich or f.white_frac < 0.25):
        return "image", f
    if pagey or source == "vector":
        return "diagram", f
    return "other", f
