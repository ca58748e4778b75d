"""A cheap figure-type classifier: image | chart | diagram | table | other.

No model, no torch: a handful of statistics on a 256-pixel thumbnail (how much of it is
white page, how many grey levels carry real mass, colour saturation, flat fills, long
straight lines) plus what the extractor already knows: whether the figure was drawn with
vector paths (never a photograph) and what the PDF's text layer prints inside it
(:class:`~litclip.corpus.types.TextHints`: lines, fixed-width lines, axis scales). It is
meant to let users keep imaging figures (MRI, CT, X-ray, photos, histology) and drop charts,
flow diagrams, tables and screenshots; the zero-shot modality filter in
:mod:`litclip.corpus.modality` is the finer, model-based tool. How well it does on 439
figures labelled by eye: ``benchmarks/figure_kinds.py``.

Rules, in order:

* ``other``: a drawing (vector or mixed: no single picture) of three or more text lines,
  most in a fixed-width font, and no L of axes (program text, console output).
* ``chart``: a drawing whose text prints two axis scales (columns or rows
  of tick numbers), or one beside a long axis line.
* ``table``: several long horizontal rules across a mostly white crop, few vertical ones.
* ``chart``: a mostly white crop with an L-shaped pair of axes (a long vertical line in the
  left part and a long horizontal line in the bottom part; thin grey axes count).
* ``image``: a raster figure with rich tones (many grey levels with real mass) and less
  than 60% white page, or with under 25% white page and a few grey levels (not one flat
  tone): photographs and medical images;
  unless it is *flat*: a tinted crop without a black ground whose mid-tones are mostly one
  colour (window chrome, filled shapes; a grey angiogram's flat ground stays an image).
* ``other`` or ``diagram``: a flat crop that is not mostly white: grey window chrome (a
  screenshot) or coloured fills (a drawing).
* ``diagram``: a mostly white, tonally poor crop (boxes, arrows, text, line art).
* ``other``: anything else (e.g. a dark, flat crop that is neither).

A figure with panels that the rules call ``diagram``, ``table`` or ``other`` takes the kind
of at least two thirds of its panels when that is ``chart`` or ``image``
(:func:`kind_from_panels`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from litclip.corpus.types import TextHints
from litclip.errors import LitclipError

KINDS = ("image", "chart", "diagram", "table", "other")


def check_kinds(kinds: Sequence[str], option: str = "", also: str = "") -> None:
    """Raise a LitclipError naming ``option`` (and ``also``, other accepted words) when any
    of ``kinds`` is not one of :data:`KINDS`."""
    bad = sorted(set(kinds) - set(KINDS))
    if bad:
        prefix = f"{option}: " if option else ""
        raise LitclipError(f"{prefix}unknown kind(s) {bad}; choose from {', '.join(KINDS)}{also}")


_THUMB = 256
AXIS_INK = 235  # grey levels below this are ink to the axis test (220 to the rest)


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
    # share of the mid-tone pixels (neither page white nor black) in their commonest colour:
    # the flat fills of window chrome and drawn shapes, where a photograph's tones spread
    flat_tone: float = 0.0


def _count_runs(mask: np.ndarray) -> int:
    """Number of separate True runs in a 1-D mask (a 2-px thick line counts once)."""
    if not mask.any():
        return 0
    padded = np.concatenate([[False], mask, [False]])
    return int(np.count_nonzero(np.diff(padded.astype(np.int8)) == 1))


def _longest_runs(mask: np.ndarray) -> np.ndarray:
    """Length of the longest run of True in each row of a 2-D mask (vectorised)."""
    h, w = mask.shape
    padded = np.zeros((h, w + 2), bool)  # a False either side: no run crosses rows
    padded[:, 1:-1] = mask
    flat = padded.ravel()
    change = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    starts, ends = change[0::2], change[1::2]  # each run turns on, then off
    out = np.zeros(h, dtype=np.int64)
    if starts.size:  # runs come row by row: the longest of each row's stretch of them
        rows = starts // (w + 2)
        first = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        out[rows[first]] = np.maximum.reduceat(ends - starts, first)
    return out


def _flat_tone(rgb: np.ndarray, gray: np.ndarray) -> float:
    """Share of the mid-tone pixels in their commonest colour (5 bits a channel, so JPEG
    noise stays in one bin); 0.0 when nearly all is page white or black."""
    mid = (gray >= 20) & (gray <= 235)
    if mid.sum() < 0.02 * gray.size:
        return 0.0
    q = rgb[mid].astype(np.int32) >> 3
    codes = (q[:, 0] << 10) | (q[:, 1] << 5) | q[:, 2]
    return float(np.bincount(codes).max() / len(codes))


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
    # axes are often thin grey lines, fainter still once thumbnailed: a lighter ink finds them
    faint = gray < AXIS_INK
    left = _longest_runs(faint.T)[: max(1, int(0.3 * w))] >= 0.5 * h  # long runs in the left
    bottom = _longest_runs(faint)[int(0.7 * h) :] >= 0.5 * w  # and bottom 30%
    return KindFeatures(
        flat_tone=_flat_tone(np.asarray(thumb), gray),
        white_frac=float((gray > 235).mean()),
        dark_frac=float((gray < 20).mean()),
        n_levels=n_levels,
        saturation=float(sat),
        h_lines=_count_runs(row_line),
        v_lines=_count_runs(col_line),
        axis_left=bool(left.any()),
        axis_bottom=bool(bottom.any()),
    )


PAGEY = 0.45  # a white_frac at least this: mostly page background (line art, a table)
SCALES_CHART = 2  # axis scales printed as text (an x and a y axis) that make a drawing a plot
LISTING_LINES = 3  # text lines, most of them fixed-width, that make a listing
FLAT_TONE = 0.28  # a flat_tone at least this: flat fills, not a photograph's spread of tones
BLACK_GROUND = 0.3  # a dark_frac under this: no CT/MRI black ground (its grey flats are tissue)
IMAGE_LEVELS = 4  # grey levels (of 64) a picture with little page white needs to be an image
TINTED = 0.02  # a saturation at least this: not a grey picture (an angiogram's flat ground)


def ruled(f: KindFeatures) -> bool:
    """Mostly page white crossed by several long level rules and few upright ones (a table,
    a dialog's fields and separators, a genome diagram's tracks)."""
    return f.white_frac >= PAGEY and f.h_lines >= 3 and f.v_lines <= max(2, f.h_lines // 2)


def classify_kind(
    img: Image.Image, source: str = "raster", text: TextHints | None = None
) -> tuple[str, KindFeatures]:
    """Classify a figure crop.

    Args:
        img: the rendered crop (any mode).
        source: what the extractor saw in the region: ``"raster"``, ``"vector"`` or ``"mixed"``.
        text: what the PDF's text layer prints inside the crop (lines, fixed-width lines,
            axis scales); none for a plain image.

    Returns:
        ``(kind, features)`` with ``kind`` one of :data:`KINDS`.
    """
    f = kind_features(img)
    text = text or TextHints()
    axes = f.axis_left and f.axis_bottom
    drawn = source != "raster"  # a picture's own labels set over it say nothing of its kind
    if drawn and text.lines >= LISTING_LINES and text.mono >= 0.5 * text.lines and not axes:
        return "other", f  # program text or console output set in a fixed-width font
    if drawn and (text.scales >= SCALES_CHART or (text.scales and (f.axis_left or f.axis_bottom))):
        return "chart", f  # tick numbers printed on two axes, or on one drawn as a line
    pagey = f.white_frac >= PAGEY  # mostly page background: line art, not a photograph
    if ruled(f):
        return "table", f
    if pagey and axes:
        return "chart", f
    # flat fills (window chrome, drawn shapes) over most of what is not page: no photograph
    flat = f.flat_tone >= FLAT_TONE and f.dark_frac < BLACK_GROUND and f.saturation >= TINTED
    # Anti-aliased text gives line art many grey levels too, so tonal richness only counts
    # when most of the crop is not page background.
    rich = f.n_levels >= 20 and f.white_frac < 0.6
    toned = f.n_levels >= IMAGE_LEVELS  # a flat grey box or a two-tone mask is no photograph
    if source != "vector" and not flat and (rich or (f.white_frac < 0.25 and toned)):
        return "image", f
    if flat and not pagey:  # grey window chrome is a screenshot; coloured flats are drawn
        return ("other" if f.saturation < 0.2 else "diagram"), f
    if pagey or source == "vector":
        return "diagram", f
    return "other", f


PANEL_MAJORITY = 2 / 3  # share of a figure's panels that must agree to give it their kind


def kind_from_panels(kind: str, panel_kinds: list[str]) -> str:
    """A whole figure's kind, given its panels': a figure called ``diagram``, ``table`` or
    ``other`` whose panels are mostly charts, or mostly images, takes that kind. A grid of
    plots has axes each too short for the whole crop; photographs set apart by white gutters
    look like a mostly white page. Panels' ``table`` is too often a dialog to pass on."""
    if kind in ("chart", "image") or not panel_kinds:
        return kind
    for strong in ("chart", "image"):
        if panel_kinds.count(strong) >= PANEL_MAJORITY * len(panel_kinds):
            return strong
    return kind
