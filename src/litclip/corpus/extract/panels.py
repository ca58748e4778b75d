"""Panel detection for compound figures.

Three sources, in order of trust:

1. several separate raster images inside one figure: each big one is a panel;
2. whitespace gutters in a low-resolution rendering of the figure (recursive XY-cut), which
   finds panels burned into one image (the common journal case) and vector panels;
3. panel letters ("A", "(b)") printed as text near panel corners name the panels; without
   them panels are lettered in reading order.
"""

from __future__ import annotations

import re

import numpy as np

from litclip.corpus.extract.regions import Element, area, contains, gap, intersection
from litclip.corpus.extract.text import TextLine
from litclip.corpus.types import BBox

_LETTER_RE = re.compile(r"^\(?([A-Za-z])[).]?$")
MIN_PANEL_FRACTION = 0.06  # of the figure area
MIN_PANEL_SIDE_FRACTION = 0.18  # of the figure's width/height (legends and axis titles are thinner)


def panels_from_images(images: list[Element], fig_box: BBox) -> list[BBox]:
    """Separate raster images that are each a sizeable part of the figure."""
    boxes = [e.bbox for e in images if area(e.bbox) >= MIN_PANEL_FRACTION * area(fig_box)]
    merged: list[BBox] = []
    for b in sorted(boxes, key=area, reverse=True):
        if any(intersection(b, m) > 0.5 * area(b) for m in merged):
            continue  # an overlay (mask, inset) on a bigger image
        merged.append(b)
    return merged if len(merged) >= 2 else []


def _runs(mask: np.ndarray, min_len: int) -> list[tuple[int, int]]:
    """Interior runs of True at least ``min_len`` long, as (start, end)."""
    runs: list[tuple[int, int]] = []
    start = None
    for i, v in enumerate(mask):
        if v and start is None:
            start = i
        elif not v and start is not None:
            if start > 0 and i - start >= min_len:
                runs.append((start, i))
            start = None
    return runs


def _trim(bg: np.ndarray, y0: int, y1: int, x0: int, x1: int) -> tuple[int, int, int, int] | None:
    sub = ~bg[y0:y1, x0:x1]
    rows = np.flatnonzero(sub.any(axis=1))
    cols = np.flatnonzero(sub.any(axis=0))
    if rows.size == 0 or cols.size == 0:
        return None
    return y0 + rows[0], y0 + rows[-1] + 1, x0 + cols[0], x0 + cols[-1] + 1


def _gutters(
    gray: np.ndarray, bg: np.ndarray, axis: int, uniform: bool, min_gutter: int
) -> list[tuple[int, int]]:
    mask = bg.mean(axis=axis) >= 0.98
    if not uniform:
        return _runs(mask, min_gutter)
    runs = _runs(mask, min_gutter)
    # seams: photos that abut with no gutter leave a straight edge across the whole figure
    steps = np.abs(np.diff(gray.astype(np.int16), axis=1 - axis)) > 15
    strength = steps.mean(axis=axis)
    for k in np.flatnonzero(strength >= 0.4):
        local = np.median(strength[max(0, k - 6) : k + 7])
        if (
            2 <= k < len(strength) - 3
            and strength[k] >= 3 * local
            and not any(s <= k + 1 <= e for s, e in runs)
        ):
            runs.append((int(k) + 1, int(k) + 1))
    return sorted(runs)


def _cuts(runs: list[tuple[int, int]], extent: int) -> list[tuple[int, int]]:
    """Cut positions ``(middle, gutter width)`` that leave no sliver (< 8 % of the extent)."""
    margin = max(4, int(0.08 * extent))
    cuts: list[tuple[int, int]] = []
    for s, e in runs:
        mid = (s + e) // 2
        if mid < margin or mid > extent - margin:
            continue
        if cuts and mid - cuts[-1][0] < margin:  # adjacent seams/gutters: keep the wider
            if e - s > cuts[-1][1]:
                cuts[-1] = (mid, e - s)
            continue
        cuts.append((mid, e - s))
    return cuts


def xy_cut(
    gray: np.ndarray, min_gutter: int = 2, depth: int = 4, uniform: bool = False
) -> list[tuple[int, int, int, int]]:
    """Split an image at full-width/height background gutters, recursively.

    Args:
        gray: 2-D uint8 array (white background).
        min_gutter: minimum gutter thickness in pixels.
        depth: maximum recursion depth.
        uniform: also cut at straight seams where photos abut (only when the caption names panels: a black X-ray background or a
            two-view radiograph would otherwise split a single image).

    Returns:
        Leaf boxes ``(y0, y1, x0, x1)`` trimmed of background.
    """
    bg = gray >= 235
    leaves: list[tuple[int, int, int, int]] = []

    def rec(box: tuple[int, int, int, int], level: int) -> None:
        trimmed = _trim(bg, *box)
        if trimmed is None:
            return
        y0, y1, x0, x1 = trimmed
        sub, gsub = bg[y0:y1, x0:x1], gray[y0:y1, x0:x1]
        row_cuts = _cuts(_gutters(gsub, sub, 1, uniform, min_gutter), y1 - y0)
        col_cuts = _cuts(_gutters(gsub, sub, 0, uniform, min_gutter), x1 - x0)
        if level >= depth or (not row_cuts and not col_cuts):
            leaves.append((y0, y1, x0, x1))
            return
        # cut along the axis with the widest gutter first
        if max((w for _, w in row_cuts), default=-1) >= max((w for _, w in col_cuts), default=-1):
            cuts = [y0] + [y0 + c for c, _ in row_cuts] + [y1]
            for a, b in zip(cuts, cuts[1:], strict=False):
                rec((a, b, x0, x1), level + 1)
        else:
            cuts = [x0] + [x0 + c for c, _ in col_cuts] + [x1]
            for a, b in zip(cuts, cuts[1:], strict=False):
                rec((y0, y1, a, b), level + 1)

    rec((0, gray.shape[0], 0, gray.shape[1]), 0)
    return leaves


def panels_from_pixels(gray: np.ndarray, fig_box: BBox, uniform: bool = False) -> list[BBox]:
    """Panels found by XY-cut on a rendering of ``fig_box`` (page points, top-left origin)."""
    h, w = gray.shape
    if h < 8 or w < 8:
        return []
    sx = (fig_box[2] - fig_box[0]) / w
    sy = (fig_box[3] - fig_box[1]) / h
    boxes: list[BBox] = []
    for y0, y1, x0, x1 in xy_cut(gray, uniform=uniform):
        if (y1 - y0) < MIN_PANEL_SIDE_FRACTION * h or (x1 - x0) < MIN_PANEL_SIDE_FRACTION * w:
            continue
        if (y1 - y0) * (x1 - x0) < MIN_PANEL_FRACTION * h * w:
            continue
        boxes.append(
            (
                float(fig_box[0] + x0 * sx),
                float(fig_box[1] + y0 * sy),
                float(fig_box[0] + x1 * sx),
                float(fig_box[1] + y1 * sy),
            )
        )
    return boxes if len(boxes) >= 2 else []


def reading_order(boxes: list[BBox]) -> list[BBox]:
    """Row-major order: boxes whose vertical centres are close form a row."""
    rows: list[list[BBox]] = []
    for b in sorted(boxes, key=lambda b: (b[1] + b[3]) / 2):
        cy = (b[1] + b[3]) / 2
        if rows and abs(cy - (rows[-1][0][1] + rows[-1][0][3]) / 2) < 0.35 * (b[3] - b[1]):
            rows[-1].append(b)
        else:
            rows.append([b])
    return [b for row in rows for b in sorted(row, key=lambda b: b[0])]


def letter_lines(lines: list[TextLine], fig_box: BBox) -> list[tuple[str, BBox]]:
    """Single panel letters printed as text inside the figure."""
    out = []
    for ln in lines:
        m = _LETTER_RE.match(ln.text.strip())
        if m and contains(fig_box, ln.bbox, slack=4.0):
            out.append((m.group(1).upper(), ln.bbox))
    return out


def name_panels(boxes: list[BBox], letters: list[tuple[str, BBox]]) -> list[tuple[str, BBox]]:
    """Give each panel the printed letter nearest its top-left corner, else A, B, C..."""
    ordered = reading_order(boxes)
    named: list[tuple[str, BBox]] = []
    used: set[str] = set()
    for b in ordered:
        best, best_d = None, 1e9
        for letter, lb in letters:
            if letter in used:
                continue
            d = gap(b, lb) + 0.2 * (abs(lb[0] - b[0]) + abs(lb[1] - b[1]))
            if d < best_d and (gap(b, lb) < 12 or contains(b, lb, 2)):
                best, best_d = letter, d
        named.append((best or "", b))
        if best:
            used.add(best)
    # fill in the unnamed ones with the next free letters
    free = (chr(c) for c in range(ord("A"), ord("Z") + 1) if chr(c) not in used)
    named = [(letter or next(free, "?"), b) for letter, b in named]
    if letters and len(used) == len(named):
        named.sort(key=lambda t: t[0])  # every panel carries a printed letter: order by it
    return named
