"""Panel detection for compound figures.

Three sources, in order of trust:

1. several separate raster images inside one figure: each big one is a panel;
2. whitespace gutters in a low-resolution rendering of the figure (recursive XY-cut), which
   finds panels burned into one image (the common journal case) and vector panels; when the
   caption names more panels than that finds, gutters of any colour (photos on black) and
   straight seams (photos that abut) are tried, and kept only if they give the named count;
3. panel letters ("A", "(b)") printed as text near panel corners name the panels, as do
   sub-captions printed under each panel ("(a) Coronal ...", :mod:`.subcaptions`); without
   them panels are lettered in reading order.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from itertools import combinations, pairwise, permutations, takewhile
from string import ascii_uppercase

import numpy as np
from PIL import Image

from litclip.corpus.extract.regions import (
    Element,
    _pair_components,
    area,
    components,
    contains,
    gap,
    intersection,
    union,
)
from litclip.corpus.extract.text import TextLine
from litclip.corpus.kinds import kind_features, ruled
from litclip.corpus.types import BBox

_LETTER_RE = re.compile(r"^\(?([A-Za-z])[).]?$")
_MARKED_LETTER_RE = re.compile(r"^(?:\(([A-Za-z])\)|([A-Za-z])\))$")  # "(b)", "b)"
INK = 235  # grey levels below this are ink, this and up paper
MIN_PANEL_FRACTION = 0.06  # of the figure area
MIN_PANEL_SIDE_FRACTION = 0.18  # of the figure's width/height (legends and axis titles are thinner)


STRIP_TOLERANCE = 0.5  # points: tiles of one picture abut and line up exactly
STRIP_ASPECT = 3.0  # a strip is at least this many times longer than thick


def _join_strips(boxes: list[BBox], aspect: float = STRIP_ASPECT) -> list[BBox]:
    """Join pictures stored as strips (some PDF producers slice an image into bands): runs of
    thin boxes (``aspect``) that line up exactly and abut with no gap are one picture, not
    panels."""
    out = list(boxes)
    for lo, hi, side_lo, side_hi in ((1, 3, 0, 2), (0, 2, 1, 3)):  # bands, then columns
        joined: list[BBox] = []
        previous: BBox | None = None  # the last strip itself (joined[-1] grows)
        for b in sorted(out, key=lambda b: (b[side_lo], b[lo])):  # noqa: B023 - used at once
            last = joined[-1] if joined else None
            if (
                last is not None
                and previous is not None
                and min(previous[side_hi] - previous[side_lo], b[side_hi] - b[side_lo])
                >= aspect * max(previous[hi] - previous[lo], b[hi] - b[lo])
                and abs(b[side_lo] - last[side_lo]) <= STRIP_TOLERANCE
                and abs(b[side_hi] - last[side_hi]) <= STRIP_TOLERANCE
                and abs(b[lo] - last[hi]) <= STRIP_TOLERANCE
            ):
                joined[-1] = (
                    min(last[0], b[0]),
                    min(last[1], b[1]),
                    max(last[2], b[2]),
                    max(last[3], b[3]),
                )
            else:
                joined.append(b)
            previous = b
        out = joined
    return out


def _bars(boxes: list[BBox], fig_box: BBox) -> bool:
    """Bars of a chart filled with a picture (an office chart's gradient): three or more
    narrow pictures of one width on one baseline, of different heights. (Subfigures set
    on one baseline are as wide as a third of the figure or more.)"""
    if len(boxes) < 3:
        return False
    widths = [b[2] - b[0] for b in boxes]
    heights = [b[3] - b[1] for b in boxes]
    return (
        max(b[3] for b in boxes) - min(b[3] for b in boxes) <= 1.0
        and max(widths) <= min(1.05 * min(widths), 0.15 * (fig_box[2] - fig_box[0]))
        and max(heights) > 1.2 * min(heights)
    )


BACKDROP_COVER = 0.4  # of a backdrop picture that the pictures set on it cover, at least


def panels_from_images(images: list[Element], fig_box: BBox, count: int = 0) -> list[BBox]:
    """Separate raster images that are each a sizeable part of the figure.

    ``count`` is the number of panels the caption or the sub-captions name: that many
    pictures apart are the panels whatever their size, and pictures set on one backdrop (a
    drop shadow, a tinted card) are the panels when they are that many and cover much of
    it (insets leave most of the picture they sit on in view).
    """
    whole = _join_strips([e.bbox for e in images])
    if _bars(whole, fig_box):
        return []
    if count >= 2 and len(whole) == count and not _overlapping(whole):
        return whole  # as many pictures as named panels: small ones too (thumbnails)
    boxes = [b for b in whole if area(b) >= MIN_PANEL_FRACTION * area(fig_box)]
    if len(boxes) < 2 and _small_multiples(whole, fig_box):
        return whole
    merged: list[BBox] = []
    overlays: list[BBox] = []
    for b in sorted(boxes, key=area, reverse=True):
        if any(intersection(b, m) > 0.5 * area(b) for m in merged):
            overlays.append(b)  # an overlay (mask, inset) on a bigger image
            continue
        merged.append(b)
    if (
        len(merged) == 1
        and len(overlays) == count >= 2
        and not any(intersection(a, b) > 0 for a, b in combinations(overlays, 2))
        and sum(map(area, overlays)) >= BACKDROP_COVER * area(merged[0])
    ):
        return overlays
    if len(merged) < 2 or (count < 2 and _overlapping(merged)):
        return []  # pictures laid over each other, nothing naming panels: one collage
    return merged


SMALL_MULTIPLE_FRACTION = 0.01  # of the figure area: a thumbnail in a grid of many
SMALL_MULTIPLES_COVER = 0.4  # of the figure that a grid of thumbnails covers, at least
PICTURE_GUTTER = 3.0  # points of paper between a picture set apart and its nearest neighbour


def _small_multiples(boxes: list[BBox], fig_box: BBox) -> bool:
    """A grid of many small pictures set apart (a 3x3 grid of PSF images between their
    axes, a thesis' 15 micrographs): three or more, none a crumb, each a gutter away from
    the next, that together fill much of the figure. Icons set in a diagram cover little of
    it; the MRI slices of a model's overview abut, tiles of the diagram's tables."""
    fig_area = area(fig_box)
    return (
        len(boxes) >= 3
        and all(area(b) >= SMALL_MULTIPLE_FRACTION * fig_area for b in boxes)
        and sum(map(area, boxes)) >= SMALL_MULTIPLES_COVER * fig_area
        and _apart(boxes, PICTURE_GUTTER)
    )


def _apart(boxes: list[BBox], reach: float) -> bool:
    """Whether every box is at least ``reach`` points from its nearest neighbour."""
    return all(min((gap(a, b) for b in boxes if b is not a), default=reach) >= reach for a in boxes)


CONNECTOR_WIDTH = 3.0  # points: an arrow's shaft is a line this thin
CONNECTOR_REACH = 3.0  # points between an arrow's end and the picture it points at
CONNECTOR_GAP = 8.0  # points of paper an arrow crosses between two pictures, at least


def _joins(line: BBox, a: BBox, b: BBox) -> bool:
    """Whether ``line`` is an arrow's shaft across the paper between pictures ``a`` and ``b``
    (from one's edge to the other's, level with both), not a rule along a gutter."""
    a, b = sorted((a, b))
    if b[0] - a[2] >= CONNECTOR_GAP:  # side by side: a level line from a's right edge to b's left
        across, span = (line[0], line[2]), (a[2], b[0])
        level = max(a[1], b[1]) <= line[1] and line[3] <= min(a[3], b[3])
    else:
        a, b = sorted((a, b), key=lambda box: box[1])
        if b[1] - a[3] < CONNECTOR_GAP:
            return False  # abutting tiles: a line between them is a gutter's rule
        across, span = (line[1], line[3]), (a[3], b[1])
        level = max(a[0], b[0]) <= line[0] and line[2] <= min(a[2], b[2])
    reaches = across[0] <= span[0] + CONNECTOR_REACH and across[1] >= span[1] - CONNECTOR_REACH
    return level and reaches


ARROW_HEAD = 12.0  # points: a path this small at a shaft's end is its head


def linked_by_arrows(images: list[BBox], paths: list[BBox]) -> bool:
    """Whether three or more pictures are the nodes of a diagram: each one (or each group
    of pictures laid over one another: a grid service's block with its interfaces drawn as
    pictures over its edge) is joined to another by a straight arrow across the paper
    between them, head included (a flow chart whose boxes are images). Such pictures are one
    figure, not its panels, unless something names panels."""
    shafts = [p for p in paths if min(p[2] - p[0], p[3] - p[1]) <= CONNECTOR_WIDTH]
    if len(images) < 3 or not shafts:
        return False
    nodes = _overlap_groups(np.asarray(images, dtype=np.float64).reshape(-1, 4))
    if len(nodes) < 2:
        return False
    boxes = np.asarray(nodes, dtype=np.float64)
    heads = np.asarray(
        [p for p in paths if max(p[2] - p[0], p[3] - p[1]) <= ARROW_HEAD], dtype=np.float64
    ).reshape(-1, 4)
    reach = CONNECTOR_REACH + 1.0 + ARROW_HEAD  # a head may carry the shaft this much farther
    linked: set[int] = set()
    for shaft in shafts:
        # a shaft joins two pictures it touches (within reach): only those pairs are tried,
        # so a mosaic of thousands of tiles costs no pair test at all
        near = np.flatnonzero(
            (boxes[:, 0] <= shaft[2] + reach)
            & (boxes[:, 2] >= shaft[0] - reach)
            & (boxes[:, 1] <= shaft[3] + reach)
            & (boxes[:, 3] >= shaft[1] - reach)
        )
        if len(near) < 2:
            continue
        on = (
            (heads[:, 0] < shaft[2])
            & (heads[:, 2] > shaft[0])
            & (heads[:, 1] < shaft[3])
            & (heads[:, 3] > shaft[1])
        )
        line = union([shaft, *map(tuple, heads[on].tolist())])
        for i, j in combinations(near.tolist(), 2):
            if _joins(line, nodes[i], nodes[j]):
                linked |= {i, j}
    return len(linked) == len(nodes)


def _overlap_groups(boxes: np.ndarray) -> list[BBox]:
    """The union boxes of ``boxes`` that overlap one another (transitively); a sweep left
    to right tries only the boxes a box's x-extent reaches (a mosaic's tiles: none)."""
    n = len(boxes)
    order = np.argsort(boxes[:, 0], kind="stable")
    xs = boxes[order]
    ends = np.searchsorted(xs[:, 0], xs[:, 2], side="left")  # the boxes starting before i ends
    u: list[int] = []
    v: list[int] = []
    for k in range(n):
        rest = xs[k + 1 : ends[k]]
        # all of ``rest`` starts before box k ends (the search): only y may part them
        hit = (rest[:, 1] < xs[k, 3]) & (xs[k, 1] < rest[:, 3])
        for m in np.flatnonzero(hit).tolist():
            u.append(int(order[k]))
            v.append(int(order[k + 1 + m]))
    labels = _pair_components(n, np.asarray(u, dtype=np.intp), np.asarray(v, dtype=np.intp))
    groups: dict[int, list[BBox]] = {}
    for i, label in enumerate(labels.tolist()):
        groups.setdefault(label, []).append(tuple(boxes[i].tolist()))
    return [union(g) for g in groups.values()]


def join_tiles(boxes: list[BBox], count: int) -> list[BBox]:
    """Pictures that abut edge to edge and line up exactly joined, when that leaves the
    ``count`` panels a caption names (two views stacked in one panel are two image objects);
    ``boxes`` unchanged otherwise. Without a count such tiles may as well be panels."""
    joined = _join_strips(boxes, aspect=0.0)
    return joined if len(joined) == count else boxes


def _runs(mask: np.ndarray, min_len: int) -> list[tuple[int, int]]:
    """Interior runs of True at least ``min_len`` long, as (start, end)."""
    change = np.flatnonzero(mask[1:] != mask[:-1]) + 1
    turns_on = mask[change]
    starts, ends = change[turns_on], change[~turns_on]
    if mask[0]:  # a run from the first pixel is not interior
        ends = ends[1:]
    # zip drops a last run that never ends inside the line (not interior either)
    return [(int(a), int(b)) for a, b in zip(starts, ends) if b - a >= min_len]  # noqa: B905


def _background_share(bg: np.ndarray, axis: int) -> np.ndarray:
    """``bg.mean(axis)`` (the same floats) summed as bytes rather than as float64."""
    return bg.view(np.uint8).sum(axis=axis, dtype=np.int32) / bg.shape[axis]


def _trim(bg: np.ndarray, y0: int, y1: int, x0: int, x1: int) -> tuple[int, int, int, int] | None:
    sub = ~bg[y0:y1, x0:x1]
    rows = np.flatnonzero(sub.any(axis=1))
    cols = np.flatnonzero(sub.any(axis=0))
    if rows.size == 0 or cols.size == 0:
        return None
    return y0 + rows[0], y0 + rows[-1] + 1, x0 + cols[0], x0 + cols[-1] + 1


def _surround_colour(
    gray: np.ndarray, bg: np.ndarray, tol: int = 12
) -> tuple[int, tuple[int, int, int, int]] | None:
    """The figure's own background when it is not white: the colour of most of its outer ring.

    Photos shot on black cloth fill the figure box with black; gutters between them are black
    too. Only this colour counts as background, so an axis or frame line (constant, but thin
    and not the surround) is not trimmed off a chart to open false gutters. Returns the colour
    and the non-white box less its anti-aliased edge.
    """
    box = _trim(bg, 0, gray.shape[0], 0, gray.shape[1])
    if box is None or min(box[1] - box[0], box[3] - box[2]) < 16:
        return None
    y0, y1, x0, x1 = box
    sub = gray[y0:y1, x0:x1].astype(np.int16)
    # skip the 2 anti-aliased pixels of the image edge
    ring = np.concatenate(
        [sub[2:6].ravel(), sub[-6:-2].ravel(), sub[:, 2:6].ravel(), sub[:, -6:-2].ravel()]
    )
    colour = int(np.median(ring))
    if colour >= INK or (np.abs(ring - colour) <= tol).mean() < 0.6:
        return None
    return colour, (int(y0) + 2, int(y1) - 2, int(x0) + 2, int(x1) - 2)


def _trim_lines(
    mask: np.ndarray, y0: int, y1: int, x0: int, x1: int
) -> tuple[int, int, int, int] | None:
    """Trim edge rows/columns that are at least 98 % background (noise-tolerant, for photos)."""
    sub = mask[y0:y1, x0:x1]
    rows = np.flatnonzero(_background_share(sub, 1) < 0.98)
    cols = np.flatnonzero(_background_share(sub, 0) < 0.98)
    if rows.size == 0 or cols.size == 0:
        return None
    return int(y0 + rows[0]), int(y0 + rows[-1] + 1), int(x0 + cols[0]), int(x0 + cols[-1] + 1)


def _diffs(g: np.ndarray) -> np.ndarray:
    """2-pixel differences along each row (a JPEG-blurred seam spreads over two pixels)."""
    g = g.astype(np.int16)
    return np.abs(g[:, 2:] - g[:, :-2])


_NEAR = np.array((-8, -7, -6, -5, -4, -3, 3, 4, 5, 6, 7, 8))  # neighbours on the same line
_REACH = 8


def _steps(d: np.ndarray) -> np.ndarray:
    """Where a difference is large and three times the median of its 12 neighbours (edge-padded)."""
    n = d.shape[1]
    pad = np.pad(d, ((0, 0), (_REACH, _REACH)), mode="edge")
    large = d > 24
    if large.mean() > 0.25:  # busy texture: every pixel's neighbours
        near = np.sort(
            np.stack([pad[:, _REACH + o : _REACH + o + n] for o in _NEAR], axis=-1), axis=-1
        )
        return large & (2 * d > 3 * (near[..., 5] + near[..., 6]))
    # the median is only needed where the step is large at all (a few % of most figures)
    rows, cols = np.nonzero(large)
    near = np.sort(pad[rows[:, None], cols[:, None] + _REACH + _NEAR], axis=1)
    steps = np.zeros(d.shape, bool)
    # d > 3 x the median of the 12 neighbours (the mean of the 6th and 7th smallest)
    steps[rows, cols] = 2 * d[rows, cols] > 3 * (near[:, 5] + near[:, 6])
    return steps


def seam_strength(gray: np.ndarray, axis: int) -> np.ndarray:
    """Share of rows (``axis=0``: vertical seams) or columns where the image steps at each position.

    A pixel steps when its 2-pixel difference (a JPEG-blurred seam spreads over two) is large and
    three times the median difference a few pixels either side on the same line: photos that
    abut with no gutter leave such a step along their whole edge; edges inside a photo rarely
    run straight across it. Index ``j`` is the seam before pixel ``j + 2``.
    """
    d = _diffs(gray if axis == 0 else gray.T)
    if d.shape[1] < 3:
        return np.zeros(max(d.shape[1], 0))
    return _steps(d).mean(axis=0)


class SeamField:
    """:func:`seam_strength` of any box of one image, the pixel steps found once per axis.

    XY-cut asks for the strengths of many nested boxes. A box's steps equal the whole
    image's except within 8 pixels of its two ends, where its own edge padding stands in for
    the neighbours: those columns are computed on the box, the rest summed from the image's.
    """

    def __init__(self, gray: np.ndarray) -> None:
        self.gray = gray
        self._cumulative: dict[int, np.ndarray] = {}

    def _column_counts(self, axis: int) -> np.ndarray:
        if axis not in self._cumulative:
            steps = _steps(_diffs(self.gray if axis == 0 else self.gray.T))
            cum = np.zeros((steps.shape[0] + 1, steps.shape[1]), np.int32)
            np.cumsum(steps, axis=0, out=cum[1:])
            self._cumulative[axis] = cum
        return self._cumulative[axis]

    def strength(self, box: tuple[int, int, int, int], axis: int) -> np.ndarray:
        """``seam_strength(gray[y0:y1, x0:x1], axis)`` for ``box = (y0, y1, x0, x1)``."""
        y0, y1, x0, x1 = box
        turned = self.gray if axis == 0 else self.gray.T
        if axis == 1:
            y0, y1, x0, x1 = x0, x1, y0, y1
        n = x1 - x0 - 2
        if n < 4 * _REACH:  # too narrow for an interior: the box alone
            return seam_strength(turned[y0:y1, x0:x1], 0)
        span = 2 * _REACH + 2  # pixels giving the 2 x 8 edge differences
        left = _steps(_diffs(turned[y0:y1, x0 : x0 + span]))[:, :_REACH]
        right = _steps(_diffs(turned[y0:y1, x1 - span : x1]))[:, _REACH:]
        cum = self._column_counts(axis)
        inner = cum[y1, x0 + _REACH : x0 + n - _REACH] - cum[y0, x0 + _REACH : x0 + n - _REACH]
        counts = np.concatenate([left.sum(axis=0), inner, right.sum(axis=0)])
        return counts / (y1 - y0)


def _gutters(
    bg: np.ndarray,
    axis: int,
    uniform: float,
    min_gutter: int,
    box: tuple[int, int, int, int],
    seams: SeamField,
) -> list[tuple[int, int]]:
    if not uniform:  # ``bg`` comes with its frame cleared (see ``xy_cut``)
        return _runs(_background_share(bg, axis) >= GUTTER_SHARE, min_gutter)
    # gutters of the surround colour, where a limb may cross: at least ``uniform`` of the line
    share = _background_share(bg, axis)
    runs = _runs(share >= uniform, min_gutter)
    strength = seams.strength(box, axis)
    for j in np.flatnonzero(strength >= 0.6):
        k = int(j) + 2
        lo, hi = max(0, j - 2), j + 3
        if strength[j] < strength[lo:hi].max() or any(s - 1 <= k <= e + 1 for s, e in runs):
            continue  # not the peak of its seam, or at a gutter edge
        # two pictures meet at a seam: where the lines on one side are mostly background,
        # it is one picture's edge (a drawn instrument's straight side)
        sides = (share[max(0, k - 5) : max(0, k - 2)], share[k + 1 : k + 4])
        if any(side.size and side.mean() >= SEAM_SIDE_BLANK for side in sides):
            continue
        runs.append((k, k))
    return sorted(runs)


SEAM_SIDE_BLANK = 0.5  # background share of the lines beside a seam that make it an edge
GUTTER_SHARE = 0.995  # of a white gutter line that is background (JPEG specks aside)
FRAME_EDGE = 3  # pixels from a box's edge where a frame line is looked for
FRAME_INK = 0.9  # of an edge line that is ink when it is a frame line
FRAMED_GUTTER = 0.01  # of a framed box's longer side: the least gutter between its panels


def _frame_cleared(bg: np.ndarray) -> np.ndarray:
    """``bg`` with the lines of a frame around the box counted as background.

    A frame (or the border of the box that holds two panels) crosses every gutter between
    the panels inside it. Lines on both opposite edges make a frame; one edge line alone is
    a chart's axis, which keeps the chart whole.
    """
    h, w = bg.shape
    edge = min(FRAME_EDGE, h // 4, w // 4)
    if edge == 0:
        return bg
    ink = ~bg
    top = _frame_lines(ink[: 2 * edge], edge)
    bottom = _frame_lines(ink[h - 2 * edge :][::-1], edge)[::-1]
    left = _frame_lines(ink[:, : 2 * edge].T, edge)
    right = _frame_lines(ink[:, w - 2 * edge :].T[::-1], edge)[::-1]
    rows, cols = top.any() and bottom.any(), left.any() and right.any()
    if not rows and not cols:
        return bg
    out = bg.copy()
    if rows:
        out[:edge][top] = True
        out[h - edge :][bottom] = True
    if cols:
        out[:, :edge][:, left] = True
        out[:, w - edge :][:, right] = True
    return out


def _frame_lines(ink: np.ndarray, edge: int) -> np.ndarray:
    """Which of the first ``edge`` rows of ``ink`` (an edge strip ``2 * edge`` rows deep,
    its outer row first) are a frame's lines: rows of ink, with a row inside them that is
    not. Ink as deep as the strip is a picture's solid side (a dark scan at the box's edge),
    not a line drawn around panels."""
    lines = ink.mean(axis=1) >= FRAME_INK
    if lines.all():
        return np.zeros(edge, dtype=bool)
    return lines[:edge]


BAR_BASE = 2  # pixels between a bar's foot and the frame line it stands on, at most
BAR_TOPS = 0.1  # of the frame's height: bars' tops differ by more than this
BAR_FOOT = 0.25  # of its part's width: a bar's foot is one run of ink at least this wide


def _bars_on_axis(cleared: np.ndarray, cuts: list[tuple[int, int]]) -> bool:
    """Whether the parts between column ``cuts`` of a framed box (``cleared``: its frame
    counted as background) are a bar chart's bars: every part stands on the frame's foot
    line with a solid foot (not the feet of a text row's glyphs, in a flow chart's boxes)
    and their tops differ (two pictures in a frame are not all set down on its foot, or end
    level). For row cuts pass the transpose turned so the left line is the foot
    (``bg.T[::-1]``: bars off the left axis)."""
    if not cuts:
        return False
    h, w = cleared.shape
    edges = [0, *(c for c, _ in cuts), w]
    tops = []
    for a, b in pairwise(edges):
        rows = np.flatnonzero(~cleared[:, a:b].all(axis=1))
        if not rows.size:
            continue
        if rows[-1] < h - 1 - FRAME_EDGE - BAR_BASE:
            return False
        foot = _runs(~cleared[rows[-1], a:b], 1)
        if max((e - s for s, e in foot), default=0) < max(4, BAR_FOOT * (b - a)):
            return False
        tops.append(int(rows[0]))
    return len(tops) >= 2 and max(tops) - min(tops) > BAR_TOPS * h


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
    gray: np.ndarray,
    min_gutter: int = 2,
    depth: int = 4,
    uniform: float = 0.0,
    seams: SeamField | None = None,
) -> list[tuple[int, int, int, int]]:
    """Split an image at full-width/height background gutters, recursively.

    Args:
        gray: 2-D uint8 array (white background).
        min_gutter: minimum gutter thickness in pixels.
        depth: maximum recursion depth.
        uniform: when > 0, also cut where at least this share of a row/column is background,
            taking the figure's surround colour (photos on black) as background too, and at
            straight seams where photos abut. Only for captions that name panels: a black X-ray
            background or a two-view radiograph would otherwise split a single image.
        seams: the image's :class:`SeamField`, shared between calls on the same image.

    Returns:
        Leaf boxes ``(y0, y1, x0, x1)`` trimmed of background.
    """
    seams = SeamField(gray) if seams is None else seams
    bg = gray >= INK
    h, w = gray.shape
    root = (0, h, 0, w)
    surround = _surround_colour(gray, bg) if uniform else None
    if surround is not None:
        bg = bg | (np.abs(gray.astype(np.int16) - surround[0]) <= 12)
        root = surround[1]
    # panel size is judged against the content (a black surround is not part of any panel)
    content = _trim_lines(bg, *root) if uniform else None
    ch, cw = (content[1] - content[0], content[3] - content[2]) if content else (h, w)

    def big(b: tuple[int, int, int, int]) -> bool:
        bh, bw = b[1] - b[0], b[3] - b[2]
        return (
            bh >= MIN_PANEL_SIDE_FRACTION * ch
            and bw >= MIN_PANEL_SIDE_FRACTION * cw
            and bh * bw >= MIN_PANEL_FRACTION * ch * cw
        )

    def rec(box: tuple[int, int, int, int], level: int) -> list[tuple[int, int, int, int]]:
        trimmed = _trim_lines(bg, *box) if uniform else _trim(bg, *box)
        if trimmed is None:
            return []
        if uniform and not big(trimmed):
            return [trimmed]  # its parts are smaller still: crumbs, which the caller joins
        y0, y1, x0, x1 = trimmed
        sub = bg[y0:y1, x0:x1]
        gutter = min_gutter
        if not uniform:
            # a white gutter is white from end to end (an axis line across the gaps between
            # bars keeps one chart whole), but for the frame drawn around the whole box;
            # cleared once for both axes
            cleared = _frame_cleared(sub)
            if cleared is not sub:
                # inside a frame a gutter is wider than the gaps between a plot's markers
                # (a framed chart, its frame cleared, is white between them)
                gutter = max(min_gutter, round(FRAMED_GUTTER * max(sub.shape)))
            sub = cleared
        row_cuts = _cuts(_gutters(sub, 1, uniform, gutter, trimmed, seams), y1 - y0)
        col_cuts = _cuts(_gutters(sub, 0, uniform, gutter, trimmed, seams), x1 - x0)
        # framed: its gaps may be those between a chart's bars, the frame its axes (nothing
        # inside is a panel: not the star over a bar either)
        if gutter > min_gutter and (
            _bars_on_axis(sub, col_cuts) or _bars_on_axis(sub.T[::-1], row_cuts)
        ):
            return [trimmed]
        if level >= depth or (not row_cuts and not col_cuts):
            return [trimmed]
        # cut along the axis with the widest gutter first
        parts: list[tuple[int, int, int, int]] = []
        if max((w for _, w in row_cuts), default=-1) >= max((w for _, w in col_cuts), default=-1):
            cuts = [y0] + [y0 + c for c, _ in row_cuts] + [y1]
            for a, b in zip(cuts, cuts[1:], strict=False):
                parts += rec((a, b, x0, x1), level + 1)
        else:
            cuts = [x0] + [x0 + c for c, _ in col_cuts] + [x1]
            for a, b in zip(cuts, cuts[1:], strict=False):
                parts += rec((y0, y1, a, b), level + 1)
        if not uniform:
            return parts
        # a photo on black falls apart at its own dark rows (objects, letters): a split stands
        # only if it leaves two panel-sized parts; the crumbs join the nearest of them
        keep = [p for p in parts if big(p)]
        if len(keep) < 2:
            return [trimmed]
        for c in (p for p in parts if not big(p)):
            i = min(range(len(keep)), key=lambda i: _px_gap(keep[i], c))
            k = keep[i]
            keep[i] = (min(k[0], c[0]), max(k[1], c[1]), min(k[2], c[2]), max(k[3], c[3]))
        return keep

    return rec(root, 0)


def _px_gap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> int:
    return max(0, b[0] - a[1], a[0] - b[1]) + max(0, b[2] - a[3], a[2] - b[3])


def ruled_picture(gray: np.ndarray) -> bool:
    """Whether a rendering is mostly paper crossed by several long level rules, few upright
    ones (a dialog's fields and separators, a genome diagram's tracks, a table): what the
    figure-type classifier calls a table."""
    return ruled(kind_features(Image.fromarray(gray)))


BAND_FLAT = 3.0  # a strip is at least this many times longer than thick


def has_strip(boxes: list[BBox]) -> bool:
    """Whether any box is a strip: :data:`BAND_FLAT` times wider than tall, or as many times
    taller than wide (a group box of a settings pane, a row of a form)."""
    return any(
        (b[2] - b[0]) >= BAND_FLAT * (b[3] - b[1]) or (b[3] - b[1]) >= BAND_FLAT * (b[2] - b[0])
        for b in boxes
    )


# pixels a line crossing the blank between two parts runs into each (and lies inside both,
# away from their edges), at least
LINE_REACH = 6


def _ink_both_ways(
    gray: np.ndarray, fig_box: BBox, boxes: list[BBox]
) -> list[tuple[np.ndarray, list[tuple[int, int, int, int]]]]:
    """The ink mask with the boxes' pixel boxes ``(y0, y1, x0, x1)``, then both transposed:
    a check for parts side by side reads the second for parts one over the other."""
    ink = gray < INK
    px = _to_pixels(boxes, gray.shape, fig_box)
    return [(ink, px), (ink.T, [(x0, x1, y0, y1) for y0, y1, x0, x1 in px])]


def joined_by_lines(gray: np.ndarray, fig_box: BBox, boxes: list[BBox]) -> bool:
    """Whether two parts side by side (or one over the other) are joined by a line of ink
    across the blank between them (or across their common edge, where crumbs joined to them
    closed it): a bar chart's axis running under a gap in its bars, a chromatogram's time
    axis under a column of labels; no gutter between panels. A frame round the figure (or
    round each panel) runs along the parts' edges and joins nothing."""
    for grid, parts in _ink_both_ways(gray, fig_box, boxes):
        for (ay0, ay1, ax0, ax1), (by0, by1, bx0, bx1) in permutations(parts, 2):
            # inside both parts: a frame round the figure runs along their edges
            lo, hi = max(ay0, by0) + LINE_REACH, min(ay1, by1) - LINE_REACH
            if bx0 < ax1 or hi <= lo or min(ax1 - ax0, bx1 - bx0) <= LINE_REACH:
                continue
            if grid[lo:hi, ax1 - LINE_REACH : bx0 + LINE_REACH].all(axis=1).any():
                return True
    return False


def ink_extents(gray: np.ndarray, fig_box: BBox, boxes: list[BBox]) -> list[BBox]:
    """The boxes shrunk to the ink inside them, the picture's own frame (its outer
    :data:`FRAME_EDGE` pixels) left out: a label cut off a framed screenshot spans the
    frame's height, but its words are one strip across it."""
    paper = np.ones(gray.shape, bool)
    paper[FRAME_EDGE:-FRAME_EDGE, FRAME_EDGE:-FRAME_EDGE] = (
        gray[FRAME_EDGE:-FRAME_EDGE, FRAME_EDGE:-FRAME_EDGE] >= INK
    )
    out = []
    for b, (y0, y1, x0, x1) in zip(boxes, _to_pixels(boxes, gray.shape, fig_box), strict=True):
        trimmed = _trim(paper, y0, y1, x0, x1)
        out.append(_to_page([trimmed], gray.shape, fig_box)[0] if trimmed else b)
    return out


UNIFORM_SIZE = 0.1  # panels of one size differ by at most this much of the largest


def uniform_sizes(boxes: list[BBox], spread: float = UNIFORM_SIZE) -> bool:
    """Whether the boxes are all of one width and one height (a grid or stack of like plots),
    within ``spread`` of the largest."""
    widths = [b[2] - b[0] for b in boxes]
    heights = [b[3] - b[1] for b in boxes]
    return min(widths) >= (1 - spread) * max(widths) and min(heights) >= (1 - spread) * max(heights)


def panels_from_pixels(
    gray: np.ndarray,
    fig_box: BBox,
    uniform: float = 0.0,
    seams: SeamField | None = None,
    leaves: list[tuple[int, int, int, int]] | None = None,
) -> list[BBox]:
    """Panels found by XY-cut on a rendering of ``fig_box`` (page points, top-left origin).

    With ``uniform`` the cut itself keeps only panel-sized parts (measured against the
    content, not the black surround); otherwise small leaves (legends, axis titles) are dropped.
    ``leaves``, when given, receives the cut's leaves, for :func:`panels_from_plot_bodies`
    and :func:`panels_from_plot_grid` to grow plots from without cutting again.
    """
    h, w = gray.shape
    if h < 8 or w < 8:
        return []
    cut = xy_cut(gray, uniform=uniform, seams=seams)
    if leaves is not None:
        leaves.extend(cut)
    kept: list[tuple[int, int, int, int]] = []
    small: list[tuple[int, int, int, int]] = []
    for leaf in cut:
        y0, y1, x0, x1 = leaf
        if not uniform and (
            (y1 - y0) < MIN_PANEL_SIDE_FRACTION * h
            or (x1 - x0) < MIN_PANEL_SIDE_FRACTION * w
            or (y1 - y0) * (x1 - x0) < MIN_PANEL_FRACTION * h * w
        ):
            small.append(leaf)
        elif uniform or not _filled_shape(gray[y0:y1, x0:x1]):
            kept.append(leaf)
    if len(kept) >= 2:
        _absorb(kept, small, max(4, round(ABSORB_GAP * max(h, w))))
    if len(kept) < 2 or (not uniform and not _covers_ink(gray, kept)):
        return []
    return _to_page(kept, gray.shape, fig_box)


INK_COVER = 0.76  # of a figure's ink that its panels hold, at least


PART_GUTTER = 6.0  # points of paper between a drawing and its nearest like neighbour
CONNECTOR_SPAN = 0.5  # of a gutter's width that a line of ink across it spans, at least


def _linked_across_gutters(gray: np.ndarray, fig_box: BBox, parts: list[BBox]) -> bool:
    """Whether a line of ink crosses the gutter between two neighbouring parts, over most
    of its width (a state diagram's arrow from one box to the next, dropped by the cut as
    a crumb between them)."""
    for grid, boxes in _ink_both_ways(gray, fig_box, parts):
        for (ay0, ay1, _ax0, ax1), (by0, by1, bx0, _bx1) in permutations(boxes, 2):
            lo, hi = max(ay0, by0), min(ay1, by1)
            if bx0 - ax1 < 2 or hi <= lo:  # not side by side along this axis
                continue
            if any(ax1 <= c[2] and c[3] <= bx0 and c[0] < hi and c[1] > lo for c in boxes):
                continue  # another part between them: not neighbours
            if grid[lo:hi, ax1:bx0].mean(axis=1).max() >= CONNECTOR_SPAN:
                return True
    return False


def like_parts_side_by_side(gray: np.ndarray, fig_box: BBox) -> list[BBox]:
    """Parts of one size that the gutters of a drawing leave, two or more side by side
    (a row or a grid), each at least ``PART_GUTTER`` from the next, or a full grid of parts
    of loosely one size (:func:`loose_grid`); no line of ink joining them (a chart's axis
    under a gap in its bars, an arrow between a diagram's boxes); else ``[]``."""
    parts = panels_from_pixels(gray, fig_box)
    if (
        len(parts) < 2
        or not (
            # a full grid of two rows and columns or more: plots of loosely one size, each
            # title, legend or colour bar of its own, at least a picture's gutter apart
            loose_grid(parts)
            or (
                uniform_sizes(parts)
                and any(a[2] <= b[0] or b[2] <= a[0] for a, b in combinations(parts, 2))
                and _apart(parts, PART_GUTTER)
            )
        )
        or joined_by_lines(gray, fig_box, parts)
        or _linked_across_gutters(gray, fig_box, parts)
    ):
        return []
    return parts


def _covers_ink(gray: np.ndarray, parts: list[tuple[int, int, int, int]]) -> bool:
    """Whether ``parts`` hold most of the figure's ink: panels split off by gutters leave
    out only crumbs, while a diagram's boxes found between its arrows leave out the shaded
    blocks and the links (a flow chart rendered as one picture is not two panels)."""
    ink = gray < INK
    held = np.zeros_like(ink)
    for y0, y1, x0, x1 in parts:
        held[y0:y1, x0:x1] = True
    total = int(ink.sum())
    return total == 0 or int((ink & held).sum()) >= INK_COVER * total


PLOT_BODY_SHARE = 0.5  # of the largest part's area: a plot's frame, not its tick labels


def panels_from_plot_bodies(
    gray: np.ndarray, fig_box: BBox, leaves: list[tuple[int, int, int, int]] | None = None
) -> list[BBox]:
    """Panels of a grid of small plots, each grown from its plot body.

    In a 3 x 4 grid of R plots every cell falls apart at the white gaps between its frame,
    tick labels and axis titles, and no piece is panel-sized. The largest pieces (the
    frames, all about one size) seed the panels and the small pieces join the seed they
    sit next to. The caller keeps the result only when every panel holds a scale.
    ``leaves`` are those of :func:`xy_cut` on ``gray`` when the caller has them.
    """
    return _to_page(_plot_bodies(gray, leaves), gray.shape, fig_box)


def _plot_bodies(
    gray: np.ndarray, leaves: list[tuple[int, int, int, int]] | None = None
) -> list[tuple[int, int, int, int]]:
    h, w = gray.shape
    if h < 8 or w < 8:
        return []
    leaves = xy_cut(gray) if leaves is None else list(leaves)
    area = [(y1 - y0) * (x1 - x0) for y0, y1, x0, x1 in leaves]
    if not area:
        return []
    big = max(area)
    seeds = [leaf for leaf, a in zip(leaves, area, strict=True) if a >= PLOT_BODY_SHARE * big]
    rest = [leaf for leaf, a in zip(leaves, area, strict=True) if a < PLOT_BODY_SHARE * big]
    if len(seeds) < 2:
        return []
    _absorb(seeds, rest, max(4, round(ABSORB_GAP * max(h, w))))
    return seeds


GRID_MIN_PLOTS = 3  # two like halves are as often one diagram's as two plots'


def panels_from_plot_grid(
    gray: np.ndarray, fig_box: BBox, leaves: list[tuple[int, int, int, int]] | None = None
) -> list[BBox]:
    """Panels of a picture that is a grid of like plots with no scales in the text layer
    (a raster of 3 x 5 matplotlib plots): :func:`panels_from_plot_bodies`, kept only when
    there are at least :data:`GRID_MIN_PLOTS` of one size, none a strip (a genome diagram's
    tracks), and they hold the figure's ink (not three charts beside three drawings)."""
    bodies = _plot_bodies(gray, leaves)
    grown = _to_page(bodies, gray.shape, fig_box)
    if len(grown) < GRID_MIN_PLOTS or has_strip(grown):
        return []
    if not uniform_sizes(grown) and not loose_grid(grown):
        return []
    return grown if _covers_ink(gray, bodies) else []


GRID_SIZE = 0.3  # plots of a loose grid differ in size by at most this much of the largest
GRID_SKEW = 0.5  # ...or, one side that even, the other side at least this share of the largest


def loose_grid(boxes: list[BBox]) -> bool:
    """Whether the boxes fill a grid, set apart, each within :data:`GRID_SIZE` of the largest
    in width and height: plots of a grid may differ in size (a colour bar beside some, a
    title over others); the cells of a scatterplot matrix abut, one plot. Where one side is
    that even, the other may differ by up to half (maps of one height in projections of
    other widths)."""
    if not full_grid(boxes) or not _apart(boxes, PICTURE_GUTTER):
        return False
    widths = [b[2] - b[0] for b in boxes]
    heights = [b[3] - b[1] for b in boxes]
    w, h = min(widths) / max(widths), min(heights) / max(heights)
    return min(w, h) >= 1 - GRID_SIZE or (max(w, h) >= 1 - GRID_SIZE and min(w, h) >= GRID_SKEW)


def full_grid(boxes: list[BBox]) -> bool:
    """Whether the boxes fill a grid of two rows or more by two columns or more, one box in
    each cell (their centres fall into that many bands across and down)."""
    n = len(boxes)
    xs = [(b[0] + b[2]) / 2 for b in boxes]
    ys = [(b[1] + b[3]) / 2 for b in boxes]
    for cols in range(2, n // 2 + 1):
        if n % cols:
            continue
        across, down = _centre_bands(xs, cols), _centre_bands(ys, n // cols)
        if across and down and len(set(zip(across, down, strict=True))) == n:
            return True
    return False


SCALE_ROOM = 0.25  # of the width: a plot's worth of figure right of a y scale


SCALE_STRIP = 0.1  # of the figure's width: a part narrower than this is an axis's labels


def panels_between_scales(gray: np.ndarray, fig_box: BBox, y_scales: list[BBox]) -> list[BBox]:
    """Side-by-side plots cut at the white gutter before each one's y scale (and, between
    those cuts, plots stacked in a column at the white band between their y scales).

    Two tick-number columns level with each other, with a plot's width of figure right of
    the second, are the y axes of two plots (a second y axis of one plot sits at its right
    edge instead). The cut is the widest white column band between the first scale and the
    second: the gap before the second plot's axis title and tick labels.
    """
    h, w = gray.shape
    if h < 8 or w < 8 or len(y_scales) < 2:
        return []
    width = fig_box[2] - fig_box[0]
    ink = (gray < INK).any(axis=0)
    cuts = [0]
    for a, b in _next_level_scales(y_scales):
        # a plot's worth of figure right of the second scale (a right-hand y axis of one
        # plot has its tick labels alone there)
        if fig_box[2] - b[2] < min(SCALE_ROOM * width, 0.5 * (b[0] - a[2])):
            continue
        cut = _white_between(ink, fig_box, a[2], b[0])  # the white columns between the scales
        if cut is None:
            return []  # plots that touch: no clean cut
        cuts.append(cut)
    cuts = sorted(set(cuts))
    if len(cuts) < 2:
        return []
    cuts.append(w)
    white = gray >= INK
    rows = [_row_cuts(white, fig_box, y_scales, x0, x1) for x0, x1 in pairwise(cuts)]
    if None in rows:
        return []
    leaves = [
        _trim_lines(white, y0, y1, x0, x1)
        for (x0, x1), col in zip(pairwise(cuts), rows, strict=True)
        for y0, y1 in pairwise(col)  # type: ignore[arg-type]
    ]
    if None in leaves:
        return []
    # a part no wider than a scale's strip holds the scale alone (R's layout(): a wide plot
    # over two small ones, cut at its y scale's gutter), not a plot
    if any(c1 - c0 < SCALE_STRIP * w for _r0, _r1, c0, c1 in leaves):  # type: ignore[misc]
        return []
    return _to_page(leaves, gray.shape, fig_box)  # type: ignore[arg-type]


BESIDE_GUTTER = 8.0  # points: the least white between plots side by side
STACK_ALIGN = 4.0  # points: y scales whose right edges agree this well are in one column


def panels_stacked_beside_scales(
    gray: np.ndarray, fig_box: BBox, y_scales: list[BBox], x_scales: list[BBox]
) -> list[BBox]:
    """Plots stacked in one column, each beside a y scale of its own (HSAUR's two box plots
    one above the other, each over its own categories), cut at the widest white row band
    between one scale and the next.

    The scales are one column (right edges aligned) and the plots of about one height.
    Plots that touch (a lattice, stacked tracks on one axis) have no white band and stay
    one figure; x scales side by side are a grid's columns (a facet grid, a pairs plot),
    which this one cut would leave half done.
    """
    h, w = gray.shape
    if h < 8 or w < 8 or len(y_scales) < 2 or _any_level_pair(x_scales):
        return []
    right = [b[2] for b in y_scales]
    if max(right) - min(right) > STACK_ALIGN:
        return []
    white = gray >= INK
    rows = _row_cuts(white, fig_box, y_scales, 0, w)
    if rows is None or len(rows) < 3:
        return []
    heights = np.diff(rows)
    if heights.min() < 0.5 * heights.max():
        return []
    leaves = [_trim_lines(white, y0, y1, 0, w) for y0, y1 in pairwise(rows)]
    return [] if None in leaves else _to_page(leaves, gray.shape, fig_box)  # type: ignore[arg-type]


def _level(a: BBox, b: BBox) -> bool:
    """Whether two boxes share half the height of the lower one (one row)."""
    return min(a[3], b[3]) - max(a[1], b[1]) >= 0.5 * min(a[3] - a[1], b[3] - b[1])


def _any_stacked_pair(boxes: list[BBox]) -> bool:
    """Whether two of the boxes sit one above the other in one column, apart."""
    return any(
        min(a[2], b[2]) - max(a[0], b[0]) >= 0.5 * min(a[2] - a[0], b[2] - b[0])
        and (a[3] < b[1] or b[3] < a[1])
        for a, b in combinations(boxes, 2)
    )


def _any_level_pair(boxes: list[BBox]) -> bool:
    """Whether two of the boxes sit side by side in one row, apart."""
    return any(_level(a, b) and (a[2] < b[0] or b[2] < a[0]) for a, b in combinations(boxes, 2))


def _white_between(
    ink: np.ndarray, fig_box: BBox, left: float, right: float, min_run: int = 2
) -> int | None:
    """The pixel column in the middle of the widest white run between page x ``left`` and
    ``right`` (``ink``: which columns of a rendering of ``fig_box`` hold ink), or None."""
    width = fig_box[2] - fig_box[0]
    lo = int(round((left - fig_box[0]) / width * ink.size)) + 1
    hi = int(round((right - fig_box[0]) / width * ink.size))
    return _gap_middle(~ink[lo:hi], lo, min_run)


def _gap_middle(white: np.ndarray, lo: int, min_run: int = 2) -> int | None:
    """The pixel in the middle of the widest white run (``min_run``+ pixels) of ``white``,
    the lines from pixel ``lo`` on (runs at either end count: the ends are padded with
    ink); None when there is none."""
    runs = _runs(np.concatenate(([False], white, [False])), max(2, min_run))
    if not runs:
        return None
    start, end = max(runs, key=lambda r: r[1] - r[0])
    return lo - 1 + (start + end) // 2


def _row_cuts(
    white: np.ndarray, fig_box: BBox, y_scales: list[BBox], x0: int, x1: int
) -> list[int] | None:
    """Pixel rows cutting a column of plots (``x0:x1``) between y scales stacked in it: the
    widest white row band between one scale's end and the next one's start."""
    h, w = white.shape
    sx, sy = w / (fig_box[2] - fig_box[0]), h / (fig_box[3] - fig_box[1])
    inside = sorted(
        (b for b in y_scales if x0 <= ((b[0] + b[2]) / 2 - fig_box[0]) * sx < x1),
        key=lambda b: b[1],
    )
    cuts = [0]
    for a, b in pairwise(inside):
        lo, hi = int(round((a[3] - fig_box[1]) * sy)) + 1, int(round((b[1] - fig_box[1]) * sy))
        if hi - lo < 2:
            continue  # not stacked (two scales of one plot, side by side)
        cut = _gap_middle(white[lo:hi, x0:x1].all(axis=1), lo)
        if cut is None:
            return None  # stacked plots that touch (a lattice): no clean cut
        cuts.append(cut)
    return [*cuts, h]


def panels_over_scales(gray: np.ndarray, fig_box: BBox, x_scales: list[BBox]) -> list[BBox]:
    """Plots stacked in one column, each over its own x scale, cut at the widest white row
    band between one scale and the next (the gap after a plot's axis title).

    Each scale must span half the figure's width and share most of it with the next one,
    and the figure over the first scale must hold a plot (not just a second axis on top).
    """
    h, w = gray.shape
    if h < 8 or w < 8 or len(x_scales) < 2:
        return []
    width, height = fig_box[2] - fig_box[0], fig_box[3] - fig_box[1]
    wide = [b for b in x_scales if b[2] - b[0] >= 0.5 * width]
    py = lambda y: int(round((y - fig_box[1]) / height * h))  # noqa: E731
    white = gray >= INK
    cuts = [0]
    top = fig_box[1]  # of the plot over scale a
    for a, b in pairwise(wide):
        shared = min(a[2], b[2]) - max(a[0], b[0])
        over_a, over_b = a[1] - top, b[1] - a[3]  # the plots' heights, about one
        if shared < 0.8 * min(a[2] - a[0], b[2] - b[0]) or min(over_a, over_b) < 0.5 * max(
            over_a, over_b
        ):
            return []  # not one column of plots of about one height (or a top axis)
        top = a[3]
        lo, hi = py(a[3]) + 1, py(b[1])
        cut = _gap_middle(white[lo:hi].all(axis=1), lo)
        if cut is None:
            return []
        cuts.append(cut)
    if len(cuts) < 2:
        return []
    cuts.append(h)
    leaves = [_trim_lines(white, y0, y1, 0, w) for y0, y1 in pairwise(cuts)]
    return [] if None in leaves else _to_page(leaves, gray.shape, fig_box)  # type: ignore[arg-type]


def panels_beside_x_scales(
    gray: np.ndarray, fig_box: BBox, x_scales: list[BBox], y_scales: list[BBox]
) -> list[BBox]:
    """Plots side by side, each over an x scale of its own (flexmix's two coefficient
    charts, their y axes named, not numbered), cut at the widest white column band between
    one scale's end and the next one's start.

    The scales must be level, apart, and the plots of about one width; an axis line or
    frame running across the gap (one plot whose tick labels leave a hole) leaves no white
    column, and the plot stays whole. Y scales one above the other are a grid's rows, which
    this one cut would leave half done.
    """
    h, w = gray.shape
    if h < 8 or w < 8 or len(x_scales) < 2 or _any_stacked_pair(y_scales):
        return []
    order = sorted(x_scales, key=lambda b: b[0])
    if any(not _level(a, b) or b[0] <= a[2] for a, b in pairwise(order)):
        return []
    gutter = int(BESIDE_GUTTER * w / (fig_box[2] - fig_box[0]))
    ink = (gray < INK).any(axis=0)
    cuts = [0]
    for a, b in pairwise(order):
        # a gutter, not the gap between two bars of one bar chart (its x labels in two
        # runs of steps, where R left one out)
        cut = _white_between(ink, fig_box, a[2], b[0], gutter)
        if cut is None:
            return []
        cuts.append(cut)
    cuts.append(w)
    widths = np.diff(cuts)
    if widths.min() < 0.5 * widths.max():
        return []
    white = gray >= INK
    leaves = [_trim_lines(white, 0, h, x0, x1) for x0, x1 in pairwise(cuts)]
    return [] if None in leaves else _to_page(leaves, gray.shape, fig_box)  # type: ignore[arg-type]


def _next_level_scales(y_scales: list[BBox]) -> list[tuple[BBox, BBox]]:
    """Each scale with the nearest scale right of it and level with it (the rows of a grid
    of plots interleave when the scales are sorted left to right)."""
    out = []
    for a in y_scales:
        right = [b for b in y_scales if b[0] > a[2] and _level(a, b)]
        if right:
            out.append((a, min(right, key=lambda b: b[0])))
    return out


def _to_page(
    leaves: list[tuple[int, int, int, int]], shape: tuple[int, ...], fig_box: BBox
) -> list[BBox]:
    """Pixel boxes ``(y0, y1, x0, x1)`` of a rendering of ``fig_box`` as page boxes."""
    sx = (fig_box[2] - fig_box[0]) / shape[1]
    sy = (fig_box[3] - fig_box[1]) / shape[0]
    return [
        (
            float(fig_box[0] + x0 * sx),
            float(fig_box[1] + y0 * sy),
            float(fig_box[0] + x1 * sx),
            float(fig_box[1] + y1 * sy),
        )
        for y0, y1, x0, x1 in leaves
    ]


def _to_pixels(
    boxes: list[BBox], shape: tuple[int, ...], fig_box: BBox
) -> list[tuple[int, int, int, int]]:
    """Page boxes as pixel boxes ``(y0, y1, x0, x1)`` of a rendering of ``fig_box`` (rounded;
    the inverse of :func:`_to_page`)."""
    sx = shape[1] / max(fig_box[2] - fig_box[0], 1e-6)
    sy = shape[0] / max(fig_box[3] - fig_box[1], 1e-6)
    return [
        (
            round((b[1] - fig_box[1]) * sy),
            round((b[3] - fig_box[1]) * sy),
            round((b[0] - fig_box[0]) * sx),
            round((b[2] - fig_box[0]) * sx),
        )
        for b in boxes
    ]


ABSORB_GAP = 0.03  # of the figure's longer side


def _absorb(
    kept: list[tuple[int, int, int, int]], small: list[tuple[int, int, int, int]], max_gap: int
) -> None:
    """Give each small leaf (an axis with its title, a legend, a colour bar) to the panel it
    sits right under, over or beside within that panel's width or height, when that panel
    is at most half as far as any other; a leaf as near to several panels (a shared axis
    title) or whose union would reach another panel stays out. Leaves are (y0, y1, x0, x1);
    passes repeat while leaves join (an axis title joins once its tick labels have)."""
    left = list(small)
    while left:
        rest = [c for c in left if not _absorb_one(kept, c, max_gap)]
        if len(rest) == len(left):
            return
        left = rest


def _absorb_one(
    kept: list[tuple[int, int, int, int]], c: tuple[int, int, int, int], max_gap: int
) -> bool:
    """Join leaf ``c`` to its panel (see :func:`_absorb`); whether it joined."""
    owners = sorted(
        (_px_gap(k, c), i)
        for i, k in enumerate(kept)
        if _px_gap(k, c) <= max_gap
        and (
            (c[2] >= k[2] - max_gap and c[3] <= k[3] + max_gap)  # within its columns
            or (c[0] >= k[0] - max_gap and c[1] <= k[1] + max_gap)  # within its rows
        )
    )
    if not owners or (len(owners) > 1 and owners[1][0] < 2 * owners[0][0] + 1):
        return False
    i = owners[0][1]
    k = kept[i]
    u = (min(k[0], c[0]), max(k[1], c[1]), min(k[2], c[2]), max(k[3], c[3]))
    if any(j != i and _px_gap(u, o) == 0 for j, o in enumerate(kept)):
        return False
    kept[i] = u
    return True


FLAT_SHARE = 0.9  # of a part's ink in one grey level
FLAT_FILL = 0.75  # of a part's box covered by ink


def _filled_shape(gray: np.ndarray) -> bool:
    """Whether a part is one filled shape of one grey level (a bar of a bar chart): the
    bars of a chart stand apart like panels, but a panel holds more than one flat fill."""
    ink = gray[gray < INK]
    if ink.size < FLAT_FILL * gray.size:
        return False
    counts = np.bincount(ink, minlength=256)
    level = int(counts.argmax())
    return bool(counts[max(0, level - 6) : level + 7].sum() >= FLAT_SHARE * ink.size)


UNIFORM_SHARES = (0.98, 0.95, 0.9)  # background share of a gutter line, strict to lenient


class ShareCuts:
    """:func:`panels_from_pixels` of one figure at a share of :data:`UNIFORM_SHARES`, each
    cut once: the fallbacks for the panel count a caption names try the same shares."""

    def __init__(self, gray: np.ndarray, fig_box: BBox) -> None:
        self.gray, self.fig_box = gray, fig_box
        self._seams: SeamField | None = None  # the same boxes recur as each share is tried
        self._cuts: dict[float, list[BBox]] = {}

    def __call__(self, share: float) -> list[BBox]:
        if share not in self._cuts:
            if self._seams is None:
                self._seams = SeamField(self.gray)
            self._cuts[share] = panels_from_pixels(self.gray, self.fig_box, share, self._seams)
        return list(self._cuts[share])


def panels_for_count(
    gray: np.ndarray, fig_box: BBox, expected: int, cuts: ShareCuts | None = None
) -> list[BBox]:
    """Panels split at gutters of any colour and at seams, when that finds ``expected`` of them.

    For captions that name panels the white gutters do not show: photos that abut or sit on
    black. The first share in :data:`UNIFORM_SHARES` that gives exactly the named count wins;
    otherwise the first grid that :func:`complete_grid` completes to the count, or ``[]`` (the
    count is what keeps a single photo on black from being split). ``cuts`` shares the
    figure's cuts with the other fallbacks.
    """
    if expected < 2:
        return []
    cuts = cuts or ShareCuts(gray, fig_box)
    tried = []
    for share in UNIFORM_SHARES:
        boxes = cuts(share)
        if len(boxes) == expected and not _overlapping(boxes):
            return boxes
        tried.append(boxes)
    # a grid whose pictures abut on black: some of its lines do not show
    return next(filter(None, (complete_grid(gray, b, fig_box, expected) for b in tried)), [])


GRID_SEAM = 0.2  # share of lines stepping at each line of a regular grid, at least...
GRID_SEAM_RISE = 2.0  # ...and this many times the picture's median (its texture's steps)
GRID_EDGE_SEAM = 0.5  # share of lines stepping at a grid's outer edge (past labels, headers)
GRID_SLACK = 0.02  # of a cell's side: how far a seam may lie from its place in the grid
GRID_FILL = 0.5  # of each cell that is ink (not paper), at least: photos, not plots
GRID_MIN_CELLS = 3  # fewer named cells: one faint seam is no evidence of two photos


def panels_by_regular_grid(gray: np.ndarray, fig_box: BBox, expected: int) -> list[BBox]:
    """The ``expected`` equal cells of one picture that is a grid of abutting photos.

    Micrographs set edge to edge in one raster, parted by a hairline of their own grey or
    by nothing, show no gutter, and their seams are too faint against the texture for
    :func:`panels_for_count`. A grid's seams are evenly spaced: of the rows x columns
    layouts giving the named count whose cells are mostly ink, the one whose every line
    (evenly spaced between the picture's outer edges, past a strip of row labels or column
    headings) steps clearly more than the texture does wins; ``[]`` when none does. Two
    cells are left alone: one faint seam is as often an edge inside a photo ("the camera
    unit (top) and light source (bottom)" of one photo of both).
    """
    if expected < GRID_MIN_CELLS:
        return []
    strength = (seam_strength(gray, 0), seam_strength(gray, 1))
    best: tuple[float, list[BBox]] | None = None
    for rows in range(1, expected + 1):
        if expected % rows:
            continue
        cols = expected // rows
        xs, ys = _even_lines(strength[0], cols), _even_lines(strength[1], rows)
        if xs is None or ys is None:
            continue
        score = min(xs[0], ys[0])
        cells = [(y0, y1, x0, x1) for y0, y1 in pairwise(ys[1]) for x0, x1 in pairwise(xs[1])]
        # photos fill their cells; the straight edges of plots and drawings on paper may
        # line up evenly by chance
        filled = all(
            gray[y0:y1, x0:x1].size and float((gray[y0:y1, x0:x1] < INK).mean()) >= GRID_FILL
            for y0, y1, x0, x1 in cells
        )
        if filled and (best is None or score > best[0]):
            best = (score, _to_page(cells, gray.shape, fig_box))
    return best[1] if best else []


def _even_lines(strength: np.ndarray, cells: int) -> tuple[float, list[int]] | None:
    """The edges of ``cells`` equal cells along one axis of a picture, evenly spaced between
    two outer edges, with the weakest inner line's strength (``inf`` for one cell), or None.

    ``strength[j]`` is the seam before pixel ``j + 2`` (:func:`seam_strength`)."""
    extent = strength.size + 2
    if cells == 1:
        return float("inf"), [0, extent]
    if strength.size < 4 * cells:  # a sliver of a picture: no room for a grid's lines
        return None
    floor = max(GRID_SEAM, GRID_SEAM_RISE * float(np.median(strength)))
    edges = np.flatnonzero(strength >= GRID_EDGE_SEAM) + 2
    starts = [0, *edges[edges < extent // 4].tolist()]
    ends = [*edges[edges > extent - extent // 4].tolist(), extent]
    best: tuple[float, list[int]] | None = None
    for lo in starts:
        for hi in ends:
            step = (hi - lo) / cells
            reach = max(2, round(GRID_SLACK * step))
            lines = [round(lo + i * step) for i in range(1, cells)]
            weakest = min(
                float(strength[max(0, k - 2 - reach) : k - 1 + reach].max(initial=0.0))
                for k in lines
            )
            if weakest >= floor and (best is None or weakest > best[0]):
                best = (weakest, [lo, *lines, hi])
    return best


OVERLAP = 0.1  # of the smaller panel's area: crumbs joined across another panel


def _overlapping(boxes: list[BBox]) -> bool:
    """Whether two panels overlap: a crumb joined to a far panel across another one (plots
    that abut cut at a frame line), not a partition of the figure."""
    return any(
        intersection(a, b) > OVERLAP * min(area(a), area(b))
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
    )


GRID_TOLERANCE = 0.02  # of the figure's side: the edges of one grid line up this closely
DARK_LEVEL, DARK_LINE = 64, 0.8  # grey level, and share of a line darker: pictures on black


def complete_grid(gray: np.ndarray, boxes: list[BBox], fig_box: BBox, expected: int) -> list[BBox]:
    """Parts of a grid with merged cells cut at the grid's lines, when that gives ``expected``.

    Pictures that abut on black (diffraction patterns, MRI slices) can show neither gutter
    nor seam between two of them, while their neighbours' gutters run through the grid. A
    part spanning a line at which its neighbours meet is cut there too, when the part is
    dark along that line, the lines make a full rows x columns grid of ``expected`` cells
    and every part then fills one cell; otherwise ``[]``.
    """
    if not 2 <= len(boxes) < expected:
        return []
    tol = (
        GRID_TOLERANCE * (fig_box[2] - fig_box[0]),
        GRID_TOLERANCE * (fig_box[3] - fig_box[1]),
    )

    def grid_lines(axis: int) -> list[float]:
        """Where one part ends and the next begins along ``axis`` (0: x), side by side."""
        lo, hi, across = (0, 2, 1) if axis == 0 else (1, 3, 0)
        meets = sorted(
            (a[hi] + b[lo]) / 2
            for a in boxes
            for b in boxes
            if abs(a[hi] - b[lo]) <= tol[axis]
            and min(a[across + 2], b[across + 2]) > max(a[across], b[across])
        )
        groups: list[list[float]] = []
        for m in meets:
            if groups and m - groups[-1][-1] <= tol[axis]:
                groups[-1].append(m)
            else:
                groups.append([m])
        return [sum(g) / len(g) for g in groups]

    xs, ys = grid_lines(0), grid_lines(1)
    if (len(xs) + 1) * (len(ys) + 1) != expected:
        return []
    sy, sx = gray.shape[0] / (fig_box[3] - fig_box[1]), gray.shape[1] / (fig_box[2] - fig_box[0])

    def dark(line: np.ndarray) -> bool:
        return line.size > 0 and float((line < DARK_LEVEL).mean()) >= DARK_LINE

    out: list[BBox] = []
    for x0, y0, x1, y1 in boxes:
        bx = [x0, *(c for c in xs if x0 + tol[0] < c < x1 - tol[0]), x1]
        by = [y0, *(c for c in ys if y0 + tol[1] < c < y1 - tol[1]), y1]
        px0, px1 = int((x0 - fig_box[0]) * sx), int((x1 - fig_box[0]) * sx)
        py0, py1 = int((y0 - fig_box[1]) * sy), int((y1 - fig_box[1]) * sy)
        for c in bx[1:-1]:
            if not dark(gray[py0:py1, int((c - fig_box[0]) * sx)]):
                return []
        for c in by[1:-1]:
            if not dark(gray[int((c - fig_box[1]) * sy), px0:px1]):
                return []
        out.extend(
            (a, b, c, d)
            for b, d in zip(by, by[1:], strict=False)
            for a, c in zip(bx, bx[1:], strict=False)
        )
    return out if len(out) == expected else []


BAND_MIN_SHARE = 0.35  # of the thickest band: a thinner one is a label row, an axis arrow
BAND_JOIN_GAP = 0.5  # of the thickest band: a thin band this far from the rest is no label


def panels_by_bands(gray: np.ndarray, fig_box: BBox, expected: int) -> list[BBox]:
    """Whole rows (or columns) of the figure as its panels, when there are ``expected`` of them.

    A caption naming "A" to "D" over four rows of small plots (letters in the margin, each
    plot too small to be a panel) names the rows. The figure is cut at its full-width white
    gutters only; a band thinner than :data:`BAND_MIN_SHARE` of the thickest (column titles,
    an axis arrow under a row) joins the neighbour across the narrower gutter. Of the two
    axes that give the count, the one with the wider gutters wins; ``[]`` when neither does.
    Rows times columns that give the count are a grid: its cells are the panels.
    """
    if expected < 2 or (white := _white_gutters(gray)) is None:
        return []
    bg, (y0, y1, x0, x1), (row_gaps, col_gaps) = white
    found: list[tuple[int, list[tuple[int, int, int, int]]]] = []
    rows, cols = _bands(row_gaps, y1 - y0), _bands(col_gaps, x1 - x0)
    if len(rows) >= 2 and len(cols) >= 2 and len(rows) * len(cols) == expected:
        # a grid whose gutters run through the whole figure both ways ("(top left) ...")
        cells = [_trim(bg, y0 + a, y0 + b, x0 + c, x0 + d) for a, b in rows for c, d in cols]
        if None not in cells:
            return _to_page(cells, gray.shape, fig_box)  # type: ignore[arg-type]
    for axis, bands in ((1, rows), (0, cols)):
        if len(bands) != expected:
            continue
        narrowest = min(b[0] - a[1] for a, b in zip(bands, bands[1:], strict=False))
        if axis == 1:
            boxes = [_trim(bg, y0 + a, y0 + b, x0, x1) for a, b in bands]
        else:
            boxes = [_trim(bg, y0, y1, x0 + a, x0 + b) for a, b in bands]
        found.append((narrowest, [b for b in boxes if b is not None]))
    if not found:
        return []
    return _to_page(max(found, key=lambda t: t[0])[1], gray.shape, fig_box)


RULE_THICK = 3  # preview pixels: a rule drawn across a figure between panels, at most
RULED_BAND_MIN = 0.2  # of the thickest stretch between rules: a panel (a short alignment)
RULE_SIDE_PAPER = 0.5  # background share of the lines two pixels off a rule, on each side


def panels_between_rules(gray: np.ndarray, fig_box: BBox, expected: int) -> list[BBox]:
    """The stretches between rules drawn right across the figure as its panels, when
    there are ``expected`` of them: a journal's framed figure whose panels "A" to "C" are
    stacked between hairlines, with lines of text inside each (an alignment), whose white
    gaps are no gutters between panels. A frame round the figure is no such rule, nor a
    dark streak in a photo (a rule has paper on both sides: :data:`RULE_SIDE_PAPER`). ``[]``
    when no axis's rules give the count, or they leave a stretch under
    :data:`RULED_BAND_MIN` of the thickest (a table's header rule)."""
    bg = gray >= INK
    root = _trim(bg, 0, gray.shape[0], 0, gray.shape[1])
    if expected < 2 or root is None:
        return []
    y0, y1, x0, x1 = root
    sub = _frame_cleared(bg[y0:y1, x0:x1])
    for axis in (1, 0):
        extent = sub.shape[0] if axis == 1 else sub.shape[1]
        share = _background_share(sub, axis)
        # a rule has paper on both sides (a photo's dark streak has more photo)
        rules = [
            (a, b)
            for a, b in _runs(share <= 1.0 - FRAME_INK, 1)
            if b - a <= RULE_THICK
            and FRAME_EDGE < a
            and b < extent - FRAME_EDGE
            and min(share[a - 2], share[b + 1]) >= RULE_SIDE_PAPER
        ]
        if len(rules) + 1 != expected:
            continue
        bands = _stretches(rules, extent)
        if min(b - a for a, b in bands) < RULED_BAND_MIN * max(b - a for a, b in bands):
            continue
        # each panel trimmed to its own ink, not to the frame's lines
        clean = bg.copy()
        clean[y0:y1, x0:x1] = sub
        if axis == 1:
            boxes = [_trim(clean, y0 + a, y0 + b, x0, x1) for a, b in bands]
        else:
            boxes = [_trim(clean, y0, y1, x0 + a, x0 + b) for a, b in bands]
        if None not in boxes:
            return _to_page(boxes, gray.shape, fig_box)  # type: ignore[arg-type]
    return []


def panels_without_letters(
    gray: np.ndarray, fig_box: BBox, letters: list[tuple[str, BBox]], expected: int
) -> list[BBox]:
    """Panels of the picture with its printed panel letters painted out (the pieces between
    its white gutters grouped under the letters, else :func:`panels_for_count`), each
    letter then taken into the panel it heads: a letter set at a panel's top left
    may stand in the gutter over the panel beside it (PNAS's "B" over the right end of
    panel A's plots), so that no gutter runs end to end. ``[]`` unless there are
    ``expected`` letters, as many panels found, and each heads a panel of its own."""
    if expected < 2 or len(letters) != expected:
        return []
    masked = gray.copy()
    h, w = gray.shape
    for y0, y1, x0, x1 in _to_pixels([b for _, b in letters], gray.shape, fig_box):
        masked[max(0, y0 - 1) : min(h, y1 + 1), max(0, x0 - 1) : min(w, x1 + 1)] = 255
    # the pieces between white gutters, grouped under the letters that head them; else
    # the cut for the count at gutters of any colour
    pieces = _to_page(xy_cut(masked), gray.shape, fig_box)
    found = group_by_letters(pieces, letters)
    if len(found) != expected or _overlapping(found):
        found = panels_for_count(masked, fig_box, expected)
    if len(found) != expected:
        return []
    # each letter heads the panel whose top left corner is nearest its middle, and each
    # panel has a letter of its own: a cut that parts a panel's plots and joins two
    # panels' halves leaves two letters to one panel
    heads = [
        min(
            range(len(found)),
            key=lambda k, b=b: math.hypot(
                found[k][0] - (b[0] + b[2]) / 2, found[k][1] - (b[1] + b[3]) / 2
            ),
        )
        for _, b in letters
    ]
    if len(set(heads)) != len(found):
        return []
    out = list(found)
    for k, (_, b) in zip(heads, letters, strict=True):
        out[k] = union([out[k], b])
    return out if not _overlapping(out) else found


GUTTER_LEAD = 1.5  # a gap this many times narrower than a grid's gutters is no rival of theirs
GRID_EVEN = 0.7  # a grid's rows (columns) are at least this share of the largest one
GUTTER_NEAR = 0.05  # of the figure's side: a gap this near a gutter is part of it


def panels_by_widest_gutters(gray: np.ndarray, fig_box: BBox, expected: int) -> list[BBox]:
    """The cells of a rows x columns grid giving ``expected``, cut at the widest white gutters.

    Sparse plots fall apart at the white lines between their markers (four scatter plots
    of tgp's "(left) ... (right) ... top plots ... bottom ones"), and every cut above finds
    crumbs. The gutters between the plots are still the widest gaps. A grid stands when
    its rows and columns are of a size and no rival gap would cut one too
    (:func:`_widest_spans`), and one shape of grid alone does so.
    """
    if expected < 2 or (white := _white_gutters(gray)) is None:
        return []
    bg, (y0, y1, x0, x1), gaps = white
    grids: list[list[tuple[int, int, int, int]]] = []
    for rows in (r for r in range(1, expected + 1) if expected % r == 0):
        row_spans = _widest_spans(gaps[0], rows - 1, y1 - y0)
        col_spans = _widest_spans(gaps[1], expected // rows - 1, x1 - x0)
        if row_spans is None or col_spans is None:
            continue
        cells = [
            _trim(bg, y0 + a, y0 + b, x0 + c, x0 + d) for a, b in row_spans for c, d in col_spans
        ]
        if all(cell is not None for cell in cells):
            grids.append(cells)  # type: ignore[arg-type]
    return _to_page(grids[0], gray.shape, fig_box) if len(grids) == 1 else []


def _widest_spans(
    gaps: list[tuple[int, int]], cuts: int, extent: int
) -> list[tuple[int, int]] | None:
    """The ``cuts + 1`` spans between the ``cuts`` widest gaps along ``extent``; None unless
    the spans are even (:data:`GRID_EVEN`) and no other gap nearly as wide
    (:data:`GUTTER_LEAD`) would cut an even grid as well in its place: the gaps inside a
    plot, between its tick labels and its axis title, are as wide as its gutters, but lie
    where no cut leaves even spans (or next to a gutter, in it)."""
    if cuts == 0:
        return [(0, extent)]
    width = [b - a for a, b in gaps]
    order = sorted(range(len(gaps)), key=lambda k: -width[k])
    if len(order) < cuts:
        return None
    chosen = sorted(gaps[k] for k in order[:cuts])
    spans = _even_spans(chosen, extent)
    if spans is None:
        return None
    least = min(width[k] for k in order[:cuts])
    near = GUTTER_NEAR * extent
    for k in order[cuts:]:
        if width[k] * GUTTER_LEAD < least:
            break
        a, b = gaps[k]
        if any(b >= c - near and a <= d + near for c, d in chosen):
            continue  # in a chosen gutter
        for i in range(cuts):
            other = sorted([*chosen[:i], gaps[k], *chosen[i + 1 :]])
            if _even_spans(other, extent) is not None:
                return None
    return spans


def _stretches(runs: list[tuple[int, int]], extent: int) -> list[tuple[int, int]]:
    """The stretches of ``(0, extent)`` between ``runs`` (start, end: gutters, rules)."""
    edges = [0, *(v for run in runs for v in run), extent]
    return list(zip(edges[::2], edges[1::2], strict=True))


def _even_spans(cuts: list[tuple[int, int]], extent: int) -> list[tuple[int, int]] | None:
    spans = _stretches(cuts, extent)
    sizes = [b - a for a, b in spans]
    return spans if min(sizes) >= GRID_EVEN * max(sizes) else None


def _white_gutters(
    gray: np.ndarray,
) -> tuple[np.ndarray, tuple[int, int, int, int], list[list[tuple[int, int]]]] | None:
    """The background of ``gray``, the box of its ink ``(y0, y1, x0, x1)`` and the white
    gutters running across that box: rows, then columns (None on a blank picture)."""
    bg = gray >= INK
    root = _trim(bg, 0, gray.shape[0], 0, gray.shape[1])
    if root is None:
        return None
    y0, y1, x0, x1 = root
    sub = bg[y0:y1, x0:x1]
    return bg, root, [_runs(_background_share(sub, axis) >= GUTTER_SHARE, 2) for axis in (1, 0)]


def _bands(gutters: list[tuple[int, int]], extent: int) -> list[tuple[int, int]]:
    """The stretches between ``gutters`` (start, end) along ``extent``, thin ones joined to
    the neighbour across the narrower gutter, when that gutter is under
    :data:`BAND_JOIN_GAP` of the thickest band: a label row or an axis arrow sits close to
    its plots, while a small drawing set far over a chart (NEURON's synapse, a chart's
    height over its conductance curve) is a panel of its own."""
    bands = _stretches(gutters, extent)

    def nearer(i: int) -> tuple[int, int]:
        """The neighbour of band ``i`` across the narrower gutter, and that gutter."""
        before = bands[i][0] - bands[i - 1][1] if i > 0 else None
        after = bands[i + 1][0] - bands[i][1] if i + 1 < len(bands) else None
        if after is None or (before is not None and before <= after):
            return i - 1, before  # type: ignore[return-value]
        return i + 1, after

    while len(bands) > 1:
        thick = max(b - a for a, b in bands)
        thin = [
            i
            for i, (a, b) in enumerate(bands)
            if b - a < BAND_MIN_SHARE * thick and nearer(i)[1] <= BAND_JOIN_GAP * thick
        ]
        if not thin:
            break
        i = min(thin, key=lambda i: bands[i][1] - bands[i][0])
        j = nearer(i)[0]
        lo, hi = min(i, j), max(i, j)
        bands[lo : hi + 1] = [(bands[lo][0], bands[hi][1])]
    return bands


BLOB_CELL = 4  # preview pixels a side of a cell of the blob grid
BLOB_MIN_CELLS = 3  # smaller blobs are specks
BLOB_OVERLAP = 0.5  # of the smaller group's box: groups overlapping more are one picture


def panels_by_blobs(
    gray: np.ndarray, fig_box: BBox, letters: list[tuple[str, BBox]], expected: int
) -> list[BBox]:
    """The ``expected`` panels a caption names when no straight gutter parts them (a
    drawing in perspective reaching under its neighbour): the ink falls into blobs, and
    each blob goes to the printed letter nearest it (across a row of letters, along a
    column of them) or, with no letters to go by, the blobs part at the widest gaps
    between their centres along the figure's longer side. ``[]`` unless every group is
    panel-sized and the groups stand apart."""
    if expected < 2:
        return []
    c = BLOB_CELL
    hh, ww = gray.shape[0] // c, gray.shape[1] // c
    if hh < 4 or ww < 4:
        return []
    ink = (gray[: hh * c, : ww * c] < INK).reshape(hh, c, ww, c).any(axis=(1, 3))
    labels = components(ink)
    flat = labels.ravel()
    n = int(flat.max())
    ys, xs = np.divmod(np.arange(flat.size), ww)
    size = np.bincount(flat, minlength=n + 1)
    lo_x, lo_y = np.full(n + 1, ww), np.full(n + 1, hh)
    hi_x, hi_y = np.zeros(n + 1, int), np.zeros(n + 1, int)
    np.minimum.at(lo_x, flat, xs)
    np.minimum.at(lo_y, flat, ys)
    np.maximum.at(hi_x, flat, xs + 1)
    np.maximum.at(hi_y, flat, ys + 1)
    blobs = [k for k in range(1, n + 1) if size[k] >= BLOB_MIN_CELLS]
    if len(blobs) < expected:
        return []
    centres = np.array([((lo_x[k] + hi_x[k]) / 2, (lo_y[k] + hi_y[k]) / 2) for k in blobs])
    if len(letters) == expected:
        sx, sy = ww / (fig_box[2] - fig_box[0]), hh / (fig_box[3] - fig_box[1])
        marks = np.array(
            [
                (((b[0] + b[2]) / 2 - fig_box[0]) * sx, ((b[1] + b[3]) / 2 - fig_box[1]) * sy)
                for _, b in letters
            ]
        )
        spread_x, spread_y = np.ptp(marks[:, 0]), np.ptp(marks[:, 1])
        if spread_y <= 0.1 * spread_x:  # letters in a row: the nearest across
            d = np.abs(centres[:, None, 0] - marks[None, :, 0])
        elif spread_x <= 0.1 * spread_y:  # in a column: the nearest along
            d = np.abs(centres[:, None, 1] - marks[None, :, 1])
        else:
            d = np.hypot(
                centres[:, None, 0] - marks[None, :, 0], centres[:, None, 1] - marks[None, :, 1]
            )
        group_of = d.argmin(axis=1)
    else:
        axis = 0 if ww >= hh else 1
        order = np.argsort(centres[:, axis])
        gaps = np.diff(centres[order, axis])
        cuts = np.sort(np.argsort(gaps)[-(expected - 1) :])
        group_of = np.empty(len(blobs), int)
        group_of[order] = np.searchsorted(cuts, np.arange(len(blobs)), side="left")
    groups: list[list[int]] = [[] for _ in range(expected)]
    for k, g in zip(blobs, group_of.tolist(), strict=True):
        groups[g].append(k)
    boxes = []
    h, w = gray.shape
    for members in groups:
        if not members:
            return []
        m = np.array(members)
        y0, y1, x0, x1 = lo_y[m].min() * c, hi_y[m].max() * c, lo_x[m].min() * c, hi_x[m].max() * c
        if (
            (y1 - y0) * (x1 - x0) < MIN_PANEL_FRACTION * h * w
            or y1 - y0 < MIN_PANEL_SIDE_FRACTION * h
            or x1 - x0 < MIN_PANEL_SIDE_FRACTION * w
        ):
            return []  # an axis's labels, a colour key: not a panel
        boxes.append((int(y0), int(y1), int(x0), int(x1)))
    page = _to_page(boxes, gray.shape, fig_box)
    for a, b in combinations(page, 2):
        if intersection(a, b) > BLOB_OVERLAP * min(area(a), area(b)):
            return []
    return page


def reading_order(boxes: list[BBox]) -> list[BBox]:
    """Row-major order: boxes whose vertical centres are close form a row."""
    rows: list[list[BBox]] = []
    for b in sorted(boxes, key=lambda b: (b[1] + b[3]) / 2):
        cy = (b[1] + b[3]) / 2
        first = rows[-1][0] if rows else b
        overlap = min(b[3], first[3]) - max(b[1], first[1])
        # close centres, or one box spanning most of the other's height (a short photo
        # beside a tall one, both on one baseline)
        if rows and (
            abs(cy - (first[1] + first[3]) / 2) < 0.35 * (b[3] - b[1])
            or overlap >= 0.8 * min(b[3] - b[1], first[3] - first[1])
        ):
            rows[-1].append(b)
        else:
            rows.append([b])
    return [b for row in rows for b in sorted(row, key=lambda b: b[0])]


LETTER_SKIPS = 2  # panel letters that may be missing from a figure's sequence (not read)


_TITLED_LETTER = re.compile(r"^\s*[A-Za-z]\s+\S")
# "a)  i.i.d. exp(10)" over a plot; "(a) The ROC curve" is a sub-caption, printed under it
_MARKED_TITLE = re.compile(r"^\s*([A-Za-z])\)\s+\S")


def _titled_letter(ln: TextLine) -> str | None:
    """The letter a row opens with when it heads its panel's title: a bold letter going on
    in the regular face ("a Default PAJEK view", Annual Reviews' panel titles; the row is
    read from its first character), or a letter closed by a parenthesis in any face
    ("a)  i.i.d. exp(10)", R's titles over a column of plots); else None."""
    text = ln.text
    marked = _MARKED_TITLE.match(text)
    if marked:
        return marked.group(1)
    start = len(text) - len(text.lstrip())
    rest = [b for b, ch in zip(ln.bold[start + 1 :], text[start + 1 :], strict=False) if ch.strip()]
    titled = (
        bool(_TITLED_LETTER.match(text))
        and len(ln.bold) == len(text)
        and ln.bold[start]
        and bool(rest)
        and not any(rest)
    )
    return text[start] if titled else None


LETTER_LINE_UP = 3.0  # points: letters of one row or column of panels line up this closely


def _first_letter_in_title(
    lines: list[TextLine], found: list[tuple[str, BBox, bool, float]], fig_box: BBox
) -> list[tuple[str, BBox, bool, float]]:
    """Panel "A" read as one row with its title ("A Bilateral aerial time", all bold) when
    "B" and the rest stand alone: the row opening with "A" in B's case, at the left edge of
    another letter of that case (its column) or at its top (its row), holds it."""
    for upper in (True, False):
        same = [f for f in found if f[2] == upper]
        bee = [f for f in same if f[0] == "B"]
        if len(bee) != 1 or len(same) < 2 or any(f[0] == "A" for f in same):
            continue
        for ln in lines:
            text = ln.text.lstrip()
            if (
                text[:1] == ("A" if upper else "a")
                and _TITLED_LETTER.match(text)
                and contains(fig_box, ln.bbox, slack=4.0)
                and any(
                    abs(ln.x0 - b[0]) <= LETTER_LINE_UP or abs(ln.y0 - b[1]) <= LETTER_LINE_UP
                    for _, b, *_ in same
                )
            ):
                return [("A", (ln.x0, ln.y0, ln.x0 + 0.7 * ln.size, ln.y1), upper, bee[0][3])]
    return []


def marked_letters(lines: list[TextLine], fig_box: BBox) -> int:
    """How many distinct letters inside ``fig_box`` are printed marked as panel letters,
    in parentheses or before one ("(b)", "b)"), each once."""
    found = Counter(
        (m.group(1) or m.group(2)).upper()
        for ln in lines
        if (m := _MARKED_LETTER_RE.match(ln.text.strip())) and contains(fig_box, ln.bbox, slack=4.0)
    )
    return sum(1 for n in found.values() if n == 1)


def letter_lines(lines: list[TextLine], fig_box: BBox) -> list[tuple[str, BBox]]:
    """Single panel letters printed as text inside the figure.

    Each panel has its own letter, and panels are lettered from A: a letter printed twice
    or more is something else (a plot's point symbol, R's ``pch = "o"``; the "R" marking the
    right side of each scan), and letters far down the alphabet for how few there are (the
    subscripts "S" and "D" of a legend's symbols, its title "n") name no panels at all.
    Where letters repeat, the panels' own are those of one case and size (ggplot's bold
    "A" to "H" over plots whose groups are marked "a" and "b", a post-hoc test's letters).
    """
    found: list[tuple[str, BBox, bool, float]] = []  # letter, box, upper case, size
    for ln in lines:
        m = _LETTER_RE.match(ln.text.strip())
        if m and contains(fig_box, ln.bbox, slack=4.0):
            found.append((m.group(1).upper(), ln.bbox, m.group(1).isupper(), ln.size))
        elif (titled := _titled_letter(ln)) and contains(fig_box, ln.bbox, slack=4.0):
            # a letter heading its panel's title on one row ("a Default PAJEK view"): the
            # letter's corner is the row's
            letter_box = (ln.x0, ln.y0, ln.x0 + 0.7 * ln.size, ln.y1)
            found.append((titled.upper(), letter_box, titled.isupper(), ln.size))
    found.extend(_first_letter_in_title(lines, found, fig_box))
    if len({letter for letter, *_ in found}) == len(found):
        return _panel_run([(letter, b) for letter, b, *_ in found])
    families: list[list[int]] = []  # indices into ``found``, largest letters first
    for k in sorted(range(len(found)), key=lambda k: -found[k][3]):
        for family in families:
            first = found[family[0]]
            if first[2] == found[k][2] and found[k][3] >= LETTER_SIZE_SPREAD * first[3]:
                family.append(k)
                break
        else:
            families.append([k])
    runs = [_panel_run([found[k][:2] for k in sorted(family)]) for family in families]
    return max(runs, key=len)


LETTER_SIZE_SPREAD = 0.9  # of the largest: the panel letters of one figure are of a size


def _panel_run(out: list[tuple[str, BBox]]) -> list[tuple[str, BBox]]:
    """The letters of ``out`` that can name panels: each printed once, and no letter far
    down the alphabet for how few there are, unless beside a run A, B, C..."""
    counts = Counter(letter for letter, _ in out)
    out = [(letter, b) for letter, b in out if counts[letter] == 1]
    if out and max(ord(letter) - ord("A") for letter, _ in out) >= len(out) + LETTER_SKIPS:
        # letters far down the alphabet beside an unbroken run A, B, C...: the run names the
        # panels, the others are axis titles ("x", "z" and "k" beside panels a to e)
        printed = {letter for letter, _ in out}
        run = set(takewhile(printed.__contains__, ascii_uppercase))
        return [(letter, b) for letter, b in out if letter in run] if len(run) >= 2 else []
    return out


def group_by_letters(boxes: list[BBox], letters: list[tuple[str, BBox]]) -> list[BBox]:
    """One box per printed letter: the union of the boxes it heads (the last letter above a
    box's top, or in its top quarter, and left of its middle; of letters level with each
    other the one nearest the box's left), or ``[]`` when a box has no such letter or a
    letter heads no box (a section letter "B" over three rows of plots takes all three rows)."""
    groups: dict[str, list[BBox]] = {letter: [] for letter, _ in letters}
    for b in boxes:
        # over the box or a little into it (RayFlare's "b)" beside the top of its drawing),
        # starting left of it or in its left half (a letter heading the title of a column
        # of plots stands right of the plots' axis labels)
        top = b[1] + max(LETTER_SLACK, LETTER_HEAD * (b[3] - b[1]))
        heads = [lb for _, lb in letters if lb[1] <= top and lb[0] <= (b[0] + b[2]) / 2]
        if not heads:
            return []
        lowest = max(lb[1] for lb in heads)
        level = [lb for lb in heads if lb[1] >= lowest - (lb[3] - lb[1])]
        head = max(level, key=lambda lb: lb[0])
        groups[next(letter for letter, lb in letters if lb is head)].append(b)
    if any(not members for members in groups.values()):
        return []
    return [union(members) for members in groups.values()]


def heads_any(boxes: list[BBox], letters: list[tuple[str, BBox]]) -> bool:
    """Whether one of ``letters`` names one of ``boxes`` by its place: at the box's top left
    corner, in its top and left quarters or just out of them (over it, or left of it), or
    under it, centred on its middle half (a sub-figure's "(a)", a line or two under it)."""
    for b in boxes:
        w, h = b[2] - b[0], b[3] - b[1]
        for _, lb in letters:
            lw, lh = lb[2] - lb[0], lb[3] - lb[1]
            corner = (
                b[0] - lw - LETTER_SLACK <= lb[0] <= b[0] + LETTER_HEAD * w
                and b[1] - lh - LETTER_SLACK <= lb[1] <= b[1] + LETTER_HEAD * h
            )
            middle = abs((lb[0] + lb[2]) - (b[0] + b[2])) / 2 <= w / 4
            under = middle and b[3] - LETTER_HEAD * h <= lb[1] <= b[3] + 2 * lh + LETTER_SLACK
            if corner or under:
                return True
    return not letters


LETTER_SLACK = 4.0  # points: a panel's letter may stand this far out of the panel's box
LETTER_HEAD = 0.25  # of a row's height (a column's width): how far into it its letter may start


def panels_by_letter_cuts(
    gray: np.ndarray,
    fig_box: BBox,
    letters: list[tuple[str, BBox]],
    expected: int,
    cuts: ShareCuts | None = None,
) -> list[BBox]:
    """One panel per printed letter where the gutters part fewer: PNAS's Fig. 3, a plot (A)
    beside a column of three rows of photos (B, C, D) set too close for a gutter. A part
    with no letter joins the lettered part level with it (the second photo of each row);
    a part whose letters stand one over another at one edge is cut into rows at each
    letter's top (or into columns at each letter's left, letters side by side). ``[]``
    unless that gives exactly the ``expected`` panels the caption names."""
    if expected < 2 or len(letters) != expected:
        return []
    cuts = cuts or ShareCuts(gray, fig_box)
    for share in UNIFORM_SHARES:
        boxes = cuts(share)
        if 2 <= len(boxes) < expected:
            cut = _cut_at_letters(boxes, letters)
            if len(cut) == expected and not _overlapping(cut):
                return cut
    # no gutter at all: the letters cut the whole figure, where the cut crosses no ink
    # (Rythmos' tableau "a)" beside its plot "b)", the letters in a row under both)
    cut = _cut_at_letters([fig_box], letters)
    if len(cut) == expected and _blank_cuts(gray, fig_box, cut):
        return cut
    return []


LETTER_GRID_BLANK = 0.9  # of a cut between two letters' cells that is background, at least


def panels_by_letter_grid(
    gray: np.ndarray, fig_box: BBox, letters: list[tuple[str, BBox]], expected: int
) -> list[BBox]:
    """One cell per printed letter, when the letters head the panels of a grid: in rows
    (one top each), read left to right and top down as A, B, C... with no gap, the first of
    each row at the figure's left and the first row at its top. A row's cells run from each
    letter to the next one's, the rows from one row of letters to the next, and every cut
    between two cells is blank (:data:`LETTER_GRID_BLANK`). enslyonstage's patchwork
    figures: a table of pale rows (E) too faint for a gutter to part from the plots over it,
    plots set closer than a gutter. ``[]`` unless the caption names as many panels."""
    if expected < 2 or len(letters) != expected:
        return []
    rows: list[list[BBox]] = []
    for _, lb in sorted(letters, key=lambda item: (item[1][1], item[1][0])):
        if rows and lb[1] - rows[-1][0][1] <= LETTER_SLACK:
            rows[-1].append(lb)
        else:
            rows.append([lb])
    rows = [sorted(row, key=lambda lb: lb[0]) for row in rows]
    named = {id(lb): letter for letter, lb in letters}
    if [named[id(lb)] for row in rows for lb in row] != list(ascii_uppercase[: len(letters)]):
        return []
    x0, y0, x1, y1 = fig_box
    tops = [y0] + [row[0][1] - 1.0 for row in rows[1:]] + [y1]
    if rows[0][0][1] - y0 > LETTER_HEAD * (tops[1] - tops[0]):
        return []
    cells: list[BBox] = []
    for row, top, bottom in zip(rows, tops, tops[1:], strict=False):
        lefts = [x0] + [lb[0] - 1.0 for lb in row[1:]] + [x1]
        if row[0][0] - x0 > LETTER_HEAD * (lefts[1] - lefts[0]):
            return []
        cells += [(a, top, b, bottom) for a, b in pairwise(lefts)]
    bg = gray >= INK
    h, w = bg.shape
    inked: list[tuple[int, int, int, int]] = []
    for (cy0, cy1, cx0, cx1), cell in zip(
        _to_pixels(cells, gray.shape, fig_box), cells, strict=True
    ):
        cy0, cy1 = min(max(cy0, 0), h - 1), min(max(cy1, cy0 + 1), h)
        cx0, cx1 = min(max(cx0, 0), w - 1), min(max(cx1, cx0 + 1), w)
        cuts = [bg[cy0:cy1, cx0]] if cell[0] > x0 else []
        cuts += [bg[cy0, cx0:cx1]] if cell[1] > y0 else []
        if any(cut.mean() < LETTER_GRID_BLANK for cut in cuts):
            return []
        trimmed = _trim(bg, cy0, cy1, cx0, cx1)  # never None: the cell holds its letter
        inked.append(trimmed if trimmed is not None else (cy0, cy1, cx0, cx1))
    return _to_page(inked, gray.shape, fig_box)


def _blank_cuts(gray: np.ndarray, fig_box: BBox, parts: list[BBox]) -> bool:
    """Whether the lines between ``parts`` (cut from one box, in a row or a column) are
    blank on a rendering ``gray`` of ``fig_box``: background from end to end."""
    px = _to_pixels(parts, gray.shape, fig_box)
    bg = gray >= INK
    for a, b in pairwise(px):
        if a[2] == b[2]:  # stacked: the row at the lower part's top
            line = bg[min(max(b[0], 0), bg.shape[0] - 1), :]
        else:  # side by side: the column at the right part's left
            line = bg[:, min(max(b[2], 0), bg.shape[1] - 1)]
        if line.mean() < UNIFORM_SHARES[0]:
            return False
    return True


def shares_letters(boxes: list[BBox], letters: list[tuple[str, BBox]]) -> bool:
    """Whether one of ``boxes`` holds two of the printed panel ``letters``."""
    return any(sum(contains(b, lb, slack=LETTER_SLACK) for _, lb in letters) >= 2 for b in boxes)


def _cut_at_letters(boxes: list[BBox], letters: list[tuple[str, BBox]]) -> list[BBox]:
    owner: dict[int, list[BBox]] = {}
    for _, lb in letters:
        home = [i for i, b in enumerate(boxes) if contains(b, lb, slack=LETTER_SLACK)]
        if len(home) != 1:
            return []
        owner.setdefault(home[0], []).append(lb)
    groups = {i: boxes[i] for i in owner}
    for i, b in enumerate(boxes):
        if i in owner:
            continue
        level = [
            j
            for j in owner
            if min(b[3], boxes[j][3]) - max(b[1], boxes[j][1])
            >= 0.5 * min(b[3] - b[1], boxes[j][3] - boxes[j][1])
            and boxes[j][2] <= b[0] + LETTER_SLACK
        ]
        if not level:
            return []
        j = max(level, key=lambda k: boxes[k][2])  # the nearest on its left
        groups[j] = union([groups[j], b])
    out: list[BBox] = []
    for i, box in groups.items():
        marks = sorted(owner[i], key=lambda lb: (lb[1], lb[0]))
        if len(marks) == 1:
            out.append(box)
        elif max(m[0] for m in marks) - min(m[0] for m in marks) <= LETTER_SLACK:
            tops = [box[1]] + [m[1] - 1.0 for m in marks[1:]] + [box[3]]
            # each letter heads its row: the first one at the part's top (letters under
            # the items of one photo, "a" under a snare, are no panels' heads)
            if marks[0][1] - box[1] > LETTER_HEAD * (tops[1] - tops[0]):
                return []
            out += [(box[0], a, box[2], b) for a, b in pairwise(tops)]
        elif max(m[1] for m in marks) - min(m[1] for m in marks) <= LETTER_SLACK:
            marks.sort(key=lambda lb: lb[0])
            lefts = [box[0]] + [m[0] - 1.0 for m in marks[1:]] + [box[2]]
            if marks[0][0] - box[0] > LETTER_HEAD * (lefts[1] - lefts[0]):
                return []
            out += [(a, box[1], b, box[3]) for a, b in pairwise(lefts)]
        else:
            return []
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


def _centre_bands(centres: list[float], count: int) -> list[int] | None:
    """Each centre's band (0 = first) when they fall into ``count`` bands split at the
    ``count - 1`` widest steps between them (wider than any step inside a band), else None."""
    if count == 1:
        return [0] * len(centres)
    order = sorted(range(len(centres)), key=centres.__getitem__)
    if len(order) < count:
        return None
    step = {k: centres[order[k]] - centres[order[k - 1]] for k in range(1, len(order))}
    ranked = sorted(step, key=step.__getitem__)
    cuts, inside = set(ranked[-(count - 1) :]), ranked[: -(count - 1)]
    # the cuts must stand out: a step within a band as wide as one between bands (three
    # columns told apart as two) leaves the bands unknown
    if min(step[k] for k in cuts) <= max((step[k] for k in inside), default=0.0):
        return None
    band, out = 0, [0] * len(centres)
    for rank, i in enumerate(order):
        band += rank in cuts
        out[i] = band
    return out


def place_panels(boxes: list[BBox], places: dict[str, tuple[int, int]]) -> list[str] | None:
    """The letter whose named place (:func:`~litclip.corpus.extract.captions.position_places`)
    each panel sits at, when the caption names rows or columns that hold several panels
    ("Upper: ... Lower: ..." over two rows of three images): panels fall into as many rows
    and columns as the names tell apart. None when a panel or a name is left without the
    other."""
    rows = sorted({r for r, _ in places.values()})
    cols = sorted({c for _, c in places.values()})
    by_row = _centre_bands([(b[1] + b[3]) / 2 for b in boxes], len(rows))
    by_col = _centre_bands([(b[0] + b[2]) / 2 for b in boxes], len(cols))
    if by_row is None or by_col is None:
        return None
    where = {place: letter for letter, place in places.items()}
    out = [where.get((rows[r], cols[c])) for r, c in zip(by_row, by_col, strict=True)]
    if None in out or set(out) != set(places):
        return None
    return out  # type: ignore[return-value]
