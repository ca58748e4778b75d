"""Figure regions on a page: graphic elements, clustering, figure text, caption association.

Raster images and vector paths are collected (page-wide rules, invisible fills, page
backgrounds and frames that enclose a caption are dropped), clustered by proximity without
crossing captions or running text, grown by the text that lives inside figures (axis labels,
panel letters, legends) and then matched to the captions that share their column: one region
per caption, as many captions matched as possible, then the least total distance.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import numpy as np
import pypdfium2 as pdfium

from litclip.corpus.extract import _raw
from litclip.corpus.extract.captions import (
    SIDE_REACH,
    Caption,
    label_alone,
    lettered_panels,
    names_panels,
)
from litclip.corpus.extract.text import TextLine
from litclip.corpus.types import BBox

MERGE_GAP = 8.0  # points between graphic elements of one figure
TEXT_GAP = 14.0  # points between a figure and its labels (axis titles sit a little apart)
TEXT_REACH = 40.0  # points: figure text over a figure lies no farther above its graphics
ABSORB_GAP = 45.0  # points between a captioned figure and a stray part of it (side-by-side charts)
STACK_GAP = 60.0  # points: the same for a part right over or under it (a row of a plot grid)
ALIGNED_STACK_GAP = 90.0  # points: the same for a part of the very same width right over it
NAMED_ROW_GAP = 90.0  # points: the same for a part level with a figure short of named panels
SIDE_MATCH = 2.0  # points between the left (and right) edges of two rows of one plot grid
MIN_SIDE = 24.0  # smaller regions are decorations (bullets, logos in rules)
MIN_AREA = 2500.0
STRIP_MARKS = 8  # drawn pieces of a strip chart too flat for MIN_SIDE (bars, axis, ticks)
STRIP_WIDTH = 4 * MIN_SIDE
ROW_GAP = 30.0  # points between a figure and a row of captions right under (or over) it
GRID_ABOVE = 1500  # more elements than this on a page: coarse grid grouping first
MAX_GRID = 4096  # cells a side at most in the grids over a page (memory stays bounded)


@dataclass
class Element:
    """One graphic page object (or a text line inside a figure)."""

    bbox: BBox
    kind: str  # "image" | "path" | "text"
    index: int = -1  # position among the page's top-level objects (images: for native export)
    px_size: tuple[int, int] = (0, 0)
    scan: bool = False  # a blob of a scanned page's picture, not an image object of its own


@dataclass
class Region:
    """A cluster of elements: a candidate figure (or table) area.

    ``elements`` only ever grows (clustering and text attachment append to it), so its boxes
    are cached per (list, length): layout asks for them tens of thousands of times a page.
    """

    elements: list[Element] = field(default_factory=list)
    _cache: dict[str, tuple[int, int, BBox]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def _cached(self, key: str, kinds: bool) -> BBox | None:
        stamp = (id(self.elements), len(self.elements))
        hit = self._cache.get(key)
        if hit is not None and hit[:2] == stamp:
            return hit[2]
        start = 0
        if hit is not None and hit[0] == stamp[0] and hit[1] < stamp[1]:
            start = hit[1]  # the same list grew: fold in only the new elements
        boxes = [e.bbox for e in self.elements[start:] if not kinds or e.kind != "text"]
        if start and hit is not None:
            boxes.append(hit[2])
        if not boxes:
            return None
        box = union(boxes)
        self._cache[key] = (*stamp, box)
        return box

    @property
    def bbox(self) -> BBox:
        box = self._cached("all", False)
        if box is None:
            raise ValueError("a region without elements has no box")
        return box

    @property
    def graphic_bbox(self) -> BBox:
        return self._cached("graphic", True) or self.bbox

    @property
    def graphic_boxes(self) -> list[BBox]:
        """Boxes of its graphics (images and paths), without its text."""
        return [e.bbox for e in self.elements if e.kind != "text"]

    @property
    def images(self) -> list[Element]:
        return [e for e in self.elements if e.kind == "image"]

    @property
    def n_paths(self) -> int:
        return sum(e.kind == "path" for e in self.elements)


def union(boxes: list[BBox]) -> BBox:
    """Smallest box containing all ``boxes``."""
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def gap(a: BBox, b: BBox) -> float:
    """Distance between two boxes (0 when they touch or overlap)."""
    dx = max(0.0, max(a[0], b[0]) - min(a[2], b[2]))
    dy = max(0.0, max(a[1], b[1]) - min(a[3], b[3]))
    return max(dx, dy) if min(dx, dy) == 0 else (dx * dx + dy * dy) ** 0.5


def area(b: BBox) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def intersection(a: BBox, b: BBox) -> float:
    return area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def contains(outer: BBox, inner: BBox, slack: float = 1.0) -> bool:
    return (
        inner[0] >= outer[0] - slack
        and inner[1] >= outer[1] - slack
        and inner[2] <= outer[2] + slack
        and inner[3] <= outer[3] + slack
    )


def contained_in_any(inner: list[BBox], outer: list[BBox], slack: float = 1.0) -> list[bool]:
    """For each box of ``inner``: whether :func:`contains` holds for some box of ``outer``."""
    if not inner or not outer:
        return [False] * len(inner)
    return (
        containment(np.asarray(inner, np.float64), np.asarray(outer, np.float64), slack)
        .any(axis=1)
        .tolist()
    )


def containment(inner: np.ndarray, outer: np.ndarray, slack: float = 1.0) -> np.ndarray:
    """(len(inner), len(outer)): whether :func:`contains` holds for each pair of rows."""
    a, b = inner[:, None, :], outer[None, :, :]
    return (
        (a[..., 0] >= b[..., 0] - slack)
        & (a[..., 1] >= b[..., 1] - slack)
        & (a[..., 2] <= b[..., 2] + slack)
        & (a[..., 3] <= b[..., 3] + slack)
    )


# ---------------------------------------------------------------------------------------------
# graphic elements


DOT_IMAGES = 50  # tiny pictures on a page that make it a drawing in dots (old dvips plots)


def _to_top_left(bounds: tuple[float, float, float, float], left: float, top: float) -> BBox:
    x0, y0, x1, y1 = bounds
    return (x0 - left, top - y1, x1 - left, top - y0)


def page_elements(page: pdfium.PdfPage, backgrounds: list[Element] | None = None) -> list[Element]:
    """Raster images and visible vector paths of a page (descending into form XObjects).

    Images that fill the page are its background, not figures; they are appended to
    ``backgrounds`` when given (a scanned page is one such image).
    """
    left, bottom, right, top = _raw.page_box(page)
    width, height = right - left, top - bottom
    elements: list[Element] = []
    rules: list[Element] = []
    slivers: list[Element] = []
    blanks: list[Element] = []  # boxes stroked (and filled) in white only
    scratch = _raw.Scratch()
    for index, (obj, kind, bounds) in enumerate(_raw.walk(page, (_raw.IMAGE, _raw.PATH))):
        bbox = _to_top_left(bounds, left, top)
        bbox = (max(bbox[0], 0.0), max(bbox[1], 0.0), min(bbox[2], width), min(bbox[3], height))
        if bbox[2] < bbox[0] or bbox[3] < bbox[1] or (bbox[2] == bbox[0] and bbox[3] == bbox[1]):
            continue  # off the page (a hairline on it has one side of zero length)
        w, h = bbox[2] - bbox[0], bbox[3] - bbox[1]
        if w * h > 0.85 * width * height:  # page background
            if kind == _raw.IMAGE and backgrounds is not None:
                backgrounds.append(Element(bbox, "image", index))
            continue
        if kind == _raw.IMAGE:
            if min(w, h) < 0.5:  # a sliver of a picture clipped away (a bullet's edge)...
                slivers.append(Element(bbox, "path", index))
                continue
            elements.append(Element(bbox, "image", index, _raw.image_px_size(obj, scratch)))
            continue
        paint = _raw.path_paint(obj, scratch, box=min(w, h) >= BLANK_MIN_SIDE)
        if paint == _raw.NOTHING:
            continue
        if (h < 2.5 and w > 0.6 * width) or (w < 2.5 and h > 0.45 * height):
            rules.append(Element(bbox, "path", index))  # page rules, frame edges... or a table
            continue
        if paint == _raw.WHITE:
            blanks.append(Element(bbox, "path", index))
            continue
        elements.append(Element(bbox, "path", index))
    elements.extend(_annotation_drawings(page, left, top, width, height))
    elements.extend(_spacers(blanks, elements))
    table = _table_rules(rules)
    elements.extend(table)
    framed = _rule_frames([r for r in rules if r not in table], height, elements)
    elements.extend(framed)
    rest = [r for r in rules if r not in table and r not in framed]
    elements.extend(_rules_within_graphics(rest, elements, height))
    if len(slivers) >= DOT_IMAGES:  # ...or, by the hundred, the dots a plot is drawn with
        elements.extend(slivers)
    return elements


ANNOT_MIN_SIDE = 24.0  # points: smaller appearances are icons (an attachment's paper clip)


def _annotation_drawings(
    page: pdfium.PdfPage, left: float, top: float, width: float, height: float
) -> list[Element]:
    """The appearances of picture annotations big enough to be figures, as drawn elements
    (what they show is not among the page's objects; only the rendering draws it)."""
    out: list[Element] = []
    for bounds in _raw.picture_annotations(page):
        x0, y0, x1, y1 = _to_top_left(bounds, left, top)
        box = (max(x0, 0.0), max(y0, 0.0), min(x1, width), min(y1, height))
        w, h = box[2] - box[0], box[3] - box[1]
        if min(w, h) >= ANNOT_MIN_SIDE and w * h <= 0.85 * width * height:
            out.append(Element(box, "path"))
    return out


BLANK_MIN_SIDE = 8.0  # points: a white box smaller than this holds nothing worth a check


def _spacers(blanks: list[Element], elements: list[Element]) -> list[Element]:
    """The white boxes that hold nothing drawn: kept as the extent a diagram's drawing tool
    gave its parts (Faust's block diagrams pad each block with them, which joins a figure's
    blocks). One that holds drawn things is a background, invisible on the page: R fills
    and strokes each plot region in white, and those boxes had made a figure of maps the
    size of its plots, not of the maps in them."""
    if not blanks or not elements:
        return blanks
    inner = np.asarray([e.bbox for e in elements], dtype=np.float64)
    return [b for b in blanks if not boxes_inside(inner, b.bbox, 0.5).any()]


def boxes_inside(boxes: np.ndarray, box: BBox, slack: float) -> np.ndarray:
    """Which of ``boxes`` (n x 4) lie inside ``box``, give or take ``slack`` points."""
    x0, y0, x1, y1 = box
    return (
        (boxes[:, 0] >= x0 - slack)
        & (boxes[:, 1] >= y0 - slack)
        & (boxes[:, 2] <= x1 + slack)
        & (boxes[:, 3] <= y1 + slack)
    )


def _table_rules(rules: list[Element]) -> list[Element]:
    """Long horizontal rules kept only in stacks of 3+ with the same extent (a ruled table);
    lone rules (headers, footers) and frame edges around a figure and its caption are dropped."""
    horizontal = sorted((r for r in rules if r.bbox[3] - r.bbox[1] < 2.5), key=lambda r: r.bbox[1])
    keep: list[Element] = []
    for r in horizontal:
        peers = [
            o
            for o in horizontal
            if abs(o.bbox[0] - r.bbox[0]) < 5
            and abs(o.bbox[2] - r.bbox[2]) < 5
            and abs(o.bbox[1] - r.bbox[1]) < 120
        ]
        if len(peers) >= 3:
            keep.append(r)
    return keep


def _rule_frames(
    rules: list[Element], height: float, elements: Sequence[Element] = ()
) -> list[Element]:
    """The long rules that close a box around text alone (none of ``elements``, the page's
    drawings and pictures, inside), no taller than :data:`RULE_FRAME_HEIGHT` of the page: a
    listing's frame (TestU01's guide frames its program output in four rules the whole text
    wide; its upright sides, over 45% of the page tall, were dropped as page rules with the
    rest, and the listing lost its frame). A frame around the whole text block is the
    page's, and one around code and the plots it draws (a knitr chunk's) is no figure's."""
    flat = [r for r in rules if r.bbox[3] - r.bbox[1] < 2.5]
    upright = [r for r in rules if r.bbox[2] - r.bbox[0] < 2.5]
    out: list[Element] = []
    for top in flat:
        for bottom in flat:
            t, b = top.bbox, bottom.bbox
            if not (
                b[1] > t[3]
                and b[3] - t[1] <= RULE_FRAME_HEIGHT * height
                and abs(t[0] - b[0]) <= FRAME_STROKE
                and abs(t[2] - b[2]) <= FRAME_STROKE
            ):
                continue
            sides = [
                u
                for u in upright
                if abs(u.bbox[1] - t[1]) <= FRAME_STROKE
                and abs(u.bbox[3] - b[3]) <= FRAME_STROKE
                and (abs(u.bbox[0] - t[0]) <= FRAME_STROKE or abs(u.bbox[2] - t[2]) <= FRAME_STROKE)
            ]
            box = (t[0], t[1], t[2], b[3])
            if len({round(u.bbox[0]) for u in sides}) >= 2 and not any(
                contains(box, e.bbox, slack=1.0) for e in elements
            ):
                out += [r for r in (top, bottom, *sides) if r not in out]
    return out


RULE_FRAME_HEIGHT = 0.78  # of the page's height: a frame this tall at most is no page frame
RULE_NEIGHBOUR = 24.0  # points at most from a rule to the drawing above and below it


def _rules_within_graphics(
    rules: list[Element], elements: list[Element], height: float
) -> list[Element]:
    """Long horizontal rules drawn inside a figure: drawing within ``RULE_NEIGHBOUR`` above
    and below, under the rule's span (a forest plot's rule between its studies and the pooled
    estimate spans the study-label columns too). A rule between a figure and the text has
    drawing on one side at most; a page's header or footer rule, in the top or bottom tenth
    of the page, is never one (a plot's background may reach above a header's rule)."""
    kept = []
    for r in rules:
        x0, y, x1, _ = r.bbox
        if r.bbox[3] - y >= 2.5 or not 0.1 * height < y < 0.9 * height:
            continue  # an upright rule (a frame's side), or the page's header or footer
        # drawing clear of the rule, under it: a frame's sides and corners meet it at its ends
        spans = [e.bbox for e in elements if x0 + 2 < (e.bbox[0] + e.bbox[2]) / 2 < x1 - 2]
        above = any(1 <= y - b[3] <= RULE_NEIGHBOUR for b in spans)
        below = any(1 <= b[1] - r.bbox[3] <= RULE_NEIGHBOUR for b in spans)
        if above and below:
            kept.append(r)
    return kept


FRAME_STROKE = 2.5  # points: a frame's sides are hairlines
FRAME_CORNER = 8.0  # points: the size of a frame's rounded corner pieces
FRAME_INSET = 36.0  # points at most between a framed caption and its frame's nearer side


def frame_pieces(elements: list[Element], captions: list[BBox]) -> list[bool]:
    """Which elements are strokes of a frame drawn around a figure and its caption.

    Some publishers draw that frame as separate strokes (two sides, rounded corners, top
    and bottom rules) rather than one path (which :func:`contains` a caption and is dropped
    whole). The pieces would join the figure and its caption into one region. A frame is
    recognised by two hairline sides, left and right of a caption and spanning it, with
    the same vertical extent, one of them close to the caption; the strokes along its
    outline are its pieces.
    """
    out = [False] * len(elements)
    sides = [
        k
        for k, e in enumerate(elements)
        if e.kind == "path"
        and e.bbox[2] - e.bbox[0] < FRAME_STROKE
        and e.bbox[3] - e.bbox[1] > 2 * FRAME_CORNER
    ]
    for cb in captions:
        spans = [
            k
            for k in sides
            if elements[k].bbox[1] <= cb[1] + 1 and elements[k].bbox[3] >= cb[3] - 1
        ]
        lefts = [k for k in spans if elements[k].bbox[2] <= cb[0] + 1]
        rights = [k for k in spans if elements[k].bbox[0] >= cb[2] - 1]
        if not lefts or not rights:
            continue
        left = elements[max(lefts, key=lambda k: elements[k].bbox[2])].bbox
        right = elements[min(rights, key=lambda k: elements[k].bbox[0])].bbox
        # a caption starts (or, set flush right, ends) just inside its frame
        inset = min(cb[0] - left[2], right[0] - cb[2])
        if inset > FRAME_INSET or abs(left[1] - right[1]) > 3 or abs(left[3] - right[3]) > 3:
            continue
        fx0, fx1 = left[0], right[2]
        fy0, fy1 = min(left[1], right[1]), max(left[3], right[3])
        near = FRAME_CORNER
        for k, e in enumerate(elements):
            x0, y0, x1, y1 = e.bbox
            if e.kind != "path" or not contains((fx0, fy0, fx1, fy1), e.bbox, slack=near):
                continue
            side = x1 - x0 < FRAME_STROKE and (abs(x0 - fx0) < near or abs(x1 - fx1) < near)
            rule = y1 - y0 < FRAME_STROKE and (abs(y0 - fy0) < near or abs(y1 - fy1) < near)
            corner = (
                x1 - x0 <= near
                and y1 - y0 <= near
                and min(abs(x0 - fx0), abs(x1 - fx1)) < near
                and min(abs(y0 - fy0), abs(y1 - fy1)) < near
            )
            if (
                corner
                or (side and y1 - y0 > 0.5 * (fy1 - fy0))
                or (rule and x1 - x0 > 0.5 * (fx1 - fx0))
            ):
                out[k] = True
    return out


# ---------------------------------------------------------------------------------------------
# clustering


def _barrier_array(barriers: list[BBox] | np.ndarray) -> np.ndarray:
    if isinstance(barriers, np.ndarray):
        return barriers
    return np.asarray(barriers, dtype=np.float64).reshape(-1, 4)


def _intersections(box: BBox, b: np.ndarray) -> np.ndarray:
    """The area ``box`` shares with each row of ``b`` (n, 4)."""
    w = np.maximum(0.0, np.minimum(box[2], b[:, 2]) - np.maximum(box[0], b[:, 0]))
    h = np.maximum(0.0, np.minimum(box[3], b[:, 3]) - np.maximum(box[1], b[:, 1]))
    return w * h


def _blocked(box: BBox, barriers: list[BBox] | np.ndarray) -> bool:
    """Whether ``box`` overlaps a caption or a line of running text (a barrier box)."""
    b = _barrier_array(barriers)
    if not len(b):
        return False
    inter = _intersections(box, b)
    b_area = np.maximum(0.0, b[:, 2] - b[:, 0]) * np.maximum(0.0, b[:, 3] - b[:, 1])
    own = 0.3 * area(box)
    return bool(np.any((inter > 0.3 * b_area) | ((inter > own) & (own > 0))))


def _close_pairs(
    boxes: np.ndarray, max_gap: float, block: int = 64
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs ``(p, q)``, ``q < p``, of boxes (sorted by top edge) within ``max_gap``.

    :func:`gap`'s arithmetic, vectorised in blocks of rows (memory stays ~block x n). A
    block is compared only with the boxes that reach down to its first top edge: the
    others are farther than ``max_gap`` above every box of the block.
    """
    ps, qs = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for lo in range(0, len(boxes), block):
        hi = min(len(boxes), lo + block)
        cols = np.flatnonzero(boxes[:hi, 3] + max_gap >= boxes[lo, 1])
        a = boxes[lo:hi, None, :]
        b = boxes[None, cols, :]
        dx = np.maximum(0.0, np.maximum(a[..., 0], b[..., 0]) - np.minimum(a[..., 2], b[..., 2]))
        dy = np.maximum(0.0, np.maximum(a[..., 1], b[..., 1]) - np.minimum(a[..., 3], b[..., 3]))
        g = np.where(np.minimum(dx, dy) == 0, np.maximum(dx, dy), np.sqrt(dx * dx + dy * dy))
        rows = np.arange(lo, hi)[:, None]
        near = (g <= max_gap) & (cols[None, :] < rows) & (b[..., 3] + max_gap >= a[..., 1])
        p, q = np.nonzero(near)
        ps.append(p + lo)
        qs.append(cols[q])
    return np.concatenate(ps), np.concatenate(qs)


def _touches_none(boxes: np.ndarray, barriers: np.ndarray, cell: float = 4.0) -> np.ndarray:
    """True where a box certainly shares no area with any barrier (a ``cell``-point grid test).

    Conservative: a box and a barrier that overlap with positive area always share a grid
    cell, so False only means "check exactly".
    """
    if not len(barriers):
        return np.ones(len(boxes), bool)
    extent = max(float(boxes[:, 2:].max(initial=0.0)), float(barriers[:, 2:].max()), 0.0)
    cell = max(cell, extent / MAX_GRID)  # a huge page gets coarser cells, never a huge grid
    size = int(np.ceil(extent / cell)) + 2
    grid = np.zeros((size + 1, size + 1), np.int32)  # row/col 0: the summed-area border
    lo = np.clip(np.floor(barriers[:, :2] / cell), 0, size).astype(np.int64) + 1
    hi = np.clip(np.ceil(barriers[:, 2:] / cell), 0, size).astype(np.int64) + 1
    solid = (barriers[:, 2] > barriers[:, 0]) & (barriers[:, 3] > barriers[:, 1])
    for (c0, r0), (c1, r1) in zip(lo[solid].tolist(), hi[solid].tolist(), strict=True):
        grid[r0:r1, c0:c1] = 1
    table = grid.cumsum(0).cumsum(1)
    c0, r0 = np.clip(np.floor(boxes[:, :2] / cell), 0, size).astype(np.int64).T
    c1, r1 = np.clip(np.ceil(boxes[:, 2:] / cell), 0, size).astype(np.int64).T
    count = table[r1, c1] - table[r0, c1] - table[r1, c0] + table[r0, c0]
    return count == 0


def _pair_components(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Connected components of ``n`` nodes and edges ``u-v``: each node's root (smallest id)."""
    lab = np.arange(n)
    while True:
        lu, lv = lab[u], lab[v]
        diff = lu != lv
        if not diff.any():
            return lab
        np.minimum.at(lab, np.maximum(lu, lv)[diff], np.minimum(lu, lv)[diff])
        while True:  # pointer jumping until every node points at a root
            nxt = lab[lab]
            if np.array_equal(nxt, lab):
                break
            lab = nxt


def cluster(
    elements: list[Element], barriers: list[BBox], max_gap: float = MERGE_GAP
) -> list[Region]:
    """Single-link clustering of elements closer than ``max_gap`` whose union crosses no barrier.

    A sweep over boxes sorted by top edge plus union-find keeps this near-linear for pages
    with thousands of paths (text drawn as outlines); a final exact pass merges the few
    resulting regions.
    """
    n = len(elements)
    if n > GRID_ABOVE:
        return cluster_regions(_grid_groups(elements, barriers), barriers, max_gap)
    bar = _barrier_array(barriers)
    boxes = np.asarray([e.bbox for e in elements], dtype=np.float64).reshape(-1, 4)
    order = np.argsort(boxes[:, 1], kind="stable")
    p, q = _close_pairs(boxes[order], max_gap)
    i_s, j_s = order[p], order[q]
    # the partition is the components of the close, unblocked pairs: pairs whose union box
    # touches no barrier at all are joined in bulk, the rest are checked one by one
    u = np.column_stack(
        (
            np.minimum(boxes[i_s, 0], boxes[j_s, 0]),
            np.minimum(boxes[i_s, 1], boxes[j_s, 1]),
            np.maximum(boxes[i_s, 2], boxes[j_s, 2]),
            np.maximum(boxes[i_s, 3], boxes[j_s, 3]),
        )
    )
    free = _touches_none(u, bar)
    parent = _pair_components(n, i_s[free], j_s[free]).tolist()

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in zip(i_s[~free].tolist(), j_s[~free].tolist(), strict=True):
        if find(i) == find(j):
            continue
        if not _blocked(union([elements[i].bbox, elements[j].bbox]), bar):
            parent[find(i)] = find(j)
    groups: dict[int, list[Element]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(elements[i])
    return cluster_regions([Region(g) for g in groups.values()], bar, max_gap)


def _grid_groups(elements: list[Element], barriers: list[BBox], cell: float = 4.0) -> list[Region]:
    """Coarse grouping for pages with thousands of paths (maps, dense scatter plots).

    Elements are painted (grown by one cell) on a ``cell``-point grid, captions and running
    text are erased, and 8-connected components of painted cells become groups.
    """
    cell = max(cell, max(max(e.bbox[2], e.bbox[3]) for e in elements) / MAX_GRID)
    x_max = max(e.bbox[2] for e in elements) + 2 * cell
    y_max = max(e.bbox[3] for e in elements) + 2 * cell
    grid = np.zeros((int(y_max / cell) + 2, int(x_max / cell) + 2), dtype=bool)

    def cells(b: BBox, grow: int) -> tuple[slice, slice]:
        return (
            slice(max(0, int(b[1] / cell) - grow), max(0, int(b[3] / cell) + 1 + grow)),
            slice(max(0, int(b[0] / cell) - grow), max(0, int(b[2] / cell) + 1 + grow)),
        )

    boxes = np.array([e.bbox for e in elements], dtype=float).reshape(-1, 4)
    starts = np.maximum(0, (boxes[:, :2] / cell).astype(int))  # (x, y) of each box's first cell
    ends = (boxes[:, 2:] / cell).astype(int) + 1  # exclusive
    paint_cells(grid, np.maximum(0, starts - 1), np.maximum(0, ends + 1))  # grown by one cell
    for b in barriers:
        inner = (b[0] + cell, b[1] + cell / 2, b[2] - cell, b[3] - cell / 2)
        if inner[2] > inner[0] and inner[3] > inner[1]:
            grid[cells(inner, 0)] = False
    labels = components(grid)
    h, w = labels.shape
    inside = (starts[:, 1] < h) & (starts[:, 0] < w) & (ends > starts).all(axis=1)
    first = np.zeros(len(elements), dtype=np.int64)
    first[inside] = labels[starts[inside, 1], starts[inside, 0]]
    groups: dict[int, list[Element]] = {}
    for k, e in enumerate(elements):
        key = int(first[k])
        if not key:  # its first cell was erased: the first labelled cell it covers, if any
            ys, xs = cells(e.bbox, 0)
            found = labels[ys, xs]
            found = found[found > 0]
            key = int(found.flat[0]) if found.size else -(k + 1)  # all erased: on its own
        groups.setdefault(key, []).append(e)
    return [Region(g) for g in groups.values()]


def paint_cells(grid: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> None:
    """Set the cells of many boxes (``(x, y)`` first cells, exclusive ends) in one pass: a
    2-D difference array summed along both axes (a loop of slice writes took seconds on a
    map of 100,000 paths)."""
    h, w = grid.shape
    x0, y0 = np.minimum(starts[:, 0], w), np.minimum(starts[:, 1], h)
    x1, y1 = np.minimum(ends[:, 0], w), np.minimum(ends[:, 1], h)
    diff = np.zeros((h + 1, w + 1), dtype=np.int32)
    np.add.at(diff, (y0, x0), 1)
    np.add.at(diff, (y0, x1), -1)
    np.add.at(diff, (y1, x0), -1)
    np.add.at(diff, (y1, x1), 1)
    grid |= diff.cumsum(axis=0).cumsum(axis=1)[:h, :w] > 0


def components(grid: np.ndarray) -> np.ndarray:
    """8-connected component labels (1..n, 0 = empty) by breadth-first search."""
    labels = np.zeros(grid.shape, dtype=np.int32)
    h, w = grid.shape
    current = 0
    for y0, x0 in zip(*np.nonzero(grid), strict=True):
        if labels[y0, x0]:
            continue
        current += 1
        labels[y0, x0] = current
        stack = [(int(y0), int(x0))]
        while stack:
            y, x = stack.pop()
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    ny, nx = y + dy, x + dx
                    if 0 <= ny < h and 0 <= nx < w and grid[ny, nx] and not labels[ny, nx]:
                        labels[ny, nx] = current
                        stack.append((ny, nx))
    return labels


def cluster_regions(
    regions: list[Region], barriers: list[BBox] | np.ndarray, max_gap: float = MERGE_GAP
) -> list[Region]:
    """Merge regions closer than ``max_gap`` whose union crosses no barrier (in place order)."""
    regions = list(regions)
    barriers = _barrier_array(barriers)
    changed = True
    while changed:
        changed = False
        regions.sort(key=lambda r: (r.bbox[1], r.bbox[0]))
        i = 0
        while i < len(regions):
            j = i + 1
            while j < len(regions):
                a, b = regions[i].bbox, regions[j].bbox
                if b[1] > a[3] + max_gap:
                    break  # sorted by top: nothing further down can be close
                if gap(a, b) <= max_gap and not _blocked(union([a, b]), barriers):
                    regions[i].elements.extend(regions.pop(j).elements)
                    changed = True
                    continue
                j += 1
            i += 1
    return regions


def is_running_text(line: TextLine, body_size: float) -> bool:
    """Lines that may be the article's running text: body-sized and long enough."""
    return not line.rotated and line.size >= 0.92 * body_size and len(line.text) >= 30


LONE_LINE_CHARS = 60  # a single line this long is running text even with no line beside it
NEIGHBOUR_LETTERS = 10  # a line of the same paragraph has words, unlike a row of tick labels


def running_text(lines: list[TextLine], body_size: float) -> set[int]:
    """``id`` of the page's running-text lines (they bound figures; they are never inside one).

    Running text comes in paragraphs: a body-sized line of 30+ characters counts when a line
    of its size with some words (not a row of tick labels) sits right above or below it
    (within two line heights, overlapping it sideways), or when it is long on its own. A
    lone axis title of 30 characters under a plot ("rate of motion (arcsec / hour)") is not
    running text. Justified paragraphs set smaller (:func:`_small_paragraphs`) count too,
    and the headings over any of them.
    """
    out = (
        _body_paragraphs(lines, body_size)
        | _small_paragraphs(lines, body_size)
        | _display_paragraphs(lines, body_size)
    )
    out |= _lead_ins(lines, out, body_size)
    return out | _headings(lines, out, body_size) | _numbered_headings(lines, out, body_size)


def _lead_ins(lines: list[TextLine], running: set[int], body_size: float) -> set[int]:
    """``id`` of sentences alone on their line that lead into what follows, in the body's
    size at a running line's left edge ("The figure 10 summarizes the followed process:"
    over Alliance's diagram, which had taken it in)."""
    edges = _left_edges(lines, running)
    if not edges.size:
        return set()
    return {
        id(ln)
        for ln in lines
        if id(ln) not in running
        and is_running_text(ln, body_size)
        and abs(ln.size - body_size) <= 0.05 * body_size
        and ln.text[:1].isupper()
        and ln.text.rstrip().endswith(":")
        and bool((np.abs(edges - ln.x0) <= EDGE_SLACK).any())
    }


_SECTION_NUMBER = re.compile(
    r"^(?:\d{1,2}(?:\.\d{1,3}){0,4}\.?|[A-Z]\.(?:\d{1,3}\.?)*"
    r"|(?i:chapter|section|part|appendix)\s+(?:\d{1,2}|[IVXLC]{1,6}|[A-Z])[.:]?)\s+[A-Z]"
)
# "6) parallel_polyline()": a heading only when set in bold (a diagram's "1) load" is not)
_PAREN_NUMBER = re.compile(r"^\d{1,2}\)\s+[A-Za-z]")
HEADING_WORDS = 10  # a numbered heading's words, at most
HEADING_LETTERS = 4  # and its letters, at least


def _left_edges(lines: list[TextLine], running: set[int]) -> np.ndarray:
    """Where the ``running`` lines start (their ``x0``), sideways lines aside."""
    return np.array([ln.x0 for ln in lines if id(ln) in running and not ln.rotated])


def _numbered_headings(lines: list[TextLine], running: set[int], body_size: float) -> set[int]:
    """``id`` of numbered section headings ("12.1.1. Launch Pad", "Chapter 12. AltosUI") in
    the text's size or larger, starting where running lines start: one over a figure has
    the figure, not a paragraph, under it, and its figure took it in (AltOS's manual, 11
    of 14 screenshots), or "6) parallel_polyline()" set in bold (luadraw's manual, whose
    figures took in the headings under them), or at the text's left margin: on a page
    without running text (imview's manual: headings, a few short lines beside icons, a
    screenshot), or over running text that is all indented (luadraw's bullets)."""
    edges = _left_edges(lines, running)
    sized = [ln.x0 for ln in lines if not ln.rotated and ln.size >= 0.98 * body_size]
    if not sized:
        return set()
    # or at the text's left margin (luadraw's "11) Cutting a solid" over indented bullets)
    edges = np.append(edges, min(sized))
    cands = [
        ln
        for ln in lines
        if id(ln) not in running
        and not ln.rotated
        and ln.size >= 0.98 * body_size
        and len(ln.text.split()) <= HEADING_WORDS
        and sum(map(str.isalpha, ln.text)) >= HEADING_LETTERS
        and (
            _SECTION_NUMBER.match(ln.text.strip())
            or (_PAREN_NUMBER.match(ln.text.strip()) and ln.mostly_bold())
        )
        and bool((np.abs(edges - ln.x0) <= EDGE_SLACK).any())
    ]
    # a heading stands clear of other text (glyphs of a picture set as text crowd)
    return {
        id(ln)
        for ln in cands
        if not any(
            o is not ln
            and min(o.y1, ln.y1) - max(o.y0, ln.y0) > 0
            and max(o.x0 - ln.x1, ln.x0 - o.x1) <= ln.size
            for o in lines
        )
    }


DISPLAY_TEXT = 1.15  # a pull quote is set at least this much larger than the body
QUOTE_LINES = 3  # short lines of one sentence in display type that make a pull quote...
QUOTE_WORDS = 8  # ...with this many words at least
_SENTENCE_STOP = (".", "!", "?", '."', ".\u201d", "\u201d")


def _display_paragraphs(lines: list[TextLine], body_size: float) -> set[int]:
    """``id`` of lines of prose set larger than the body, one pitch apart in one size (a
    magazine's pull quote, an article's title): two or more lines of prose, or three or
    more short ones that read as one sentence of eight words or more ("Finding retained /
    food in the / stomach ... / disorder."). They are no figure's text, and the ornament
    printed over a pull quote (a cat's silhouette) stays apart from the photo beside it."""
    cands = sorted(
        (
            ln
            for ln in lines
            if not ln.rotated
            and ln.size >= DISPLAY_TEXT * body_size
            and any(c.isalpha() for c in ln.text)
        ),
        key=lambda ln: ln.bbox[1],
    )
    out: set[int] = set()
    links: dict[int, list[TextLine]] = {id(ln): [ln] for ln in cands}  # one list per run
    for i, upper in enumerate(cands):
        for lower in cands[i + 1 :]:  # top down: only the next rows can be one pitch under
            dy = lower.bbox[1] - upper.bbox[1]
            if dy > LINE_PITCH * upper.size:
                break
            if (
                abs(upper.size - lower.size) <= 0.05 * upper.size
                and _one_pitch(dy, upper.size)
                and min(upper.x1, lower.x1) - max(upper.x0, lower.x0) > 0
            ):
                if _prose(upper) and _prose(lower):
                    out |= {id(upper), id(lower)}
                run, other = links[id(upper)], links[id(lower)]
                if run is not other:  # join the two runs
                    run.extend(other)
                    for ln in other:
                        links[id(ln)] = run
    for run in {id(r): r for r in links.values()}.values():
        if len(run) >= QUOTE_LINES and _quote(sorted(run, key=lambda ln: ln.bbox[1])):
            out |= {id(ln) for ln in run}
    return out


def _quote(run: list[TextLine]) -> bool:
    """Whether lines (top down) are set as a pull quote: centred on one axis, of different
    widths (a program's sample output set flush left beside its code is not), and read as
    one sentence of eight words or more, ending in a stop."""
    size = run[0].size
    centres = [(ln.x0 + ln.x1) / 2 for ln in run]
    lefts = [ln.x0 for ln in run]
    if max(centres) - min(centres) > 0.1 * size or max(lefts) - min(lefts) < 0.5 * size:
        return False
    text = " ".join(ln.text.strip() for ln in run)
    words = [w for w in text.split() if any(c.isalpha() for c in w)]
    return len(words) >= QUOTE_WORDS and text.endswith(_SENTENCE_STOP)


def _body_paragraphs(lines: list[TextLine], body_size: float) -> set[int]:
    """:func:`running_text` in the body's size: paragraphs, their edges and wrapped lines."""
    cands = [ln for ln in lines if is_running_text(ln, body_size)]
    if not cands:
        return set()
    wordy = [
        ln
        for ln in lines
        if not ln.rotated and sum(map(str.isalpha, ln.text)) >= NEIGHBOUR_LETTERS and ln.size > 0
    ]
    boxes = np.array([ln.bbox for ln in wordy], dtype=np.float64).reshape(-1, 4)
    sizes = np.array([ln.size for ln in wordy], dtype=np.float64)
    out = set()
    for ln in cands:
        if len(ln.text) >= LONE_LINE_CHARS:
            out.add(id(ln))
            continue
        x0, y0, x1, y1 = ln.bbox
        dy = np.abs(boxes[:, 1] - y0)
        near = (
            (dy > 0.5 * ln.size)
            & (dy <= 2.0 * max(ln.size, y1 - y0))
            & (np.abs(sizes - ln.size) <= 0.15 * ln.size)
            & (boxes[:, 0] < x1)
            & (boxes[:, 2] > x0)
        )
        in_paragraph = bool(near.any()) and _in_paragraph(ln, boxes[near])
        if in_paragraph or _row_chars(ln, lines) >= LONE_LINE_CHARS:
            out.add(id(ln))
    out |= _paragraph_edges(lines, [ln for ln in cands if id(ln) in out], body_size)
    return out | _wrapped_text(lines, out, body_size)


PARAGRAPH_INDENT = 4.0  # font sizes: a paragraph's first line is indented this much, at most


def _in_paragraph(line: TextLine, near: np.ndarray) -> bool:
    """Whether ``line`` reads as a line of the paragraph its ``near`` lines (boxes) are in:
    between two of them, one line pitch from one, or lined up with one (flush left or right,
    or indented as a first line). A plot's title centred a pitch and a half under a
    paragraph's last line is not (BDgraph's "BDMCMC sampling algorithm scheme" had split
    its figure in two); a code line indented under a prompt's is."""
    y0 = line.bbox[1]
    dy = near[:, 1] - y0
    if ((dy < 0).any() and (dy > 0).any()) or _one_pitch(np.abs(dy), line.size).any():
        return True
    slack, indent = max(EDGE_SLACK, 0.2 * line.size), PARAGRAPH_INDENT * line.size
    x0, x1 = line.bbox[0], line.bbox[2]
    shift = np.where(dy > 0, x0 - near[:, 0], near[:, 0] - x0)  # a first line's indent
    return bool(
        ((np.abs(near[:, 0] - x0) <= slack) | (np.abs(near[:, 2] - x1) <= slack)).any()
        or ((shift > 0) & (shift <= indent)).any()
    )


MATH_GAP = 2.0  # font sizes: inline math between two pieces of a sentence, at most


def _row_chars(line: TextLine, lines: list[TextLine]) -> int:
    """Characters of the sentence row ``line`` is a piece of, read across inline math: the
    pieces in its size on its row, each at most :data:`MATH_GAP` sizes from the next with a
    sub- or superscript (a smaller piece) in the gap or hanging at its left end ("the space
    W", "(L)", "l", "is given in ..."). A lone line between a display equation and a figure
    is running text when the whole sentence is long."""
    size, y0, y1 = line.size, line.bbox[1], line.bbox[3]
    row = sorted(
        (
            ln
            for ln in lines
            if not ln.rotated
            and abs(ln.bbox[1] - y0) <= 0.3 * size
            and abs(ln.size - size) <= 0.05 * size
        ),
        key=lambda ln: ln.bbox[0],
    )
    small = [
        ln.bbox
        for ln in lines
        if not ln.rotated and ln.size < 0.85 * size and y0 - 0.5 * size < ln.bbox[1] < y1
    ]

    def bridged(a: TextLine, b: TextLine) -> bool:
        gap = b.bbox[0] - a.bbox[2]
        return 0 <= gap <= MATH_GAP * size and any(
            s[2] > a.bbox[2] - size and s[0] < b.bbox[0] for s in small
        )

    k = next(i for i, ln in enumerate(row) if ln is line)
    lo = hi = k
    while lo > 0 and bridged(row[lo - 1], row[lo]):
        lo -= 1
    while hi < len(row) - 1 and bridged(row[hi], row[hi + 1]):
        hi += 1
    return sum(len(ln.text) for ln in row[lo : hi + 1])


LINE_PITCH = 1.6  # line heights from one line of a paragraph to the next, at most


def _one_pitch(dy: Any, size: Any) -> Any:
    """Whether a line ``dy`` points under (or over) another of ``size`` points is the next
    (or previous) line of its paragraph: more than half a line, at most one line pitch.
    Works on numbers and on numpy arrays alike."""
    return (dy > 0.5 * size) & (dy <= LINE_PITCH * size)


def _headings(lines: list[TextLine], running: set[int], body_size: float) -> set[int]:
    """``id`` of headings of ``running`` paragraphs: a line right over a running line (one
    pitch of its own size), flush left with it and no wider, in a size of the text, with
    words (a sidebar's bold "Foreign body rhinitis" over its 8 pt paragraph). A figure's
    title has its figure between it and the text."""
    anchors = [ln for ln in lines if id(ln) in running and not ln.rotated]
    cands = [
        ln
        for ln in lines
        if id(ln) not in running
        and not ln.rotated
        and ln.size >= SMALL_TEXT * body_size
        and sum(map(str.isalpha, ln.text)) >= 2
    ]
    if not anchors or not cands:
        return set()
    box = np.array([a.bbox for a in anchors], dtype=np.float64)
    out = set()
    for start in range(0, len(cands), 256):  # lines x anchors, a block of lines at a time
        chunk = cands[start : start + 256]
        line = np.array([ln.bbox for ln in chunk], dtype=np.float64)
        size = np.array([ln.size for ln in chunk], dtype=np.float64)[:, None]
        dy = box[None, :, 1] - line[:, 1, None]
        under = (
            _one_pitch(dy, size)
            & (np.abs(box[None, :, 0] - line[:, 0, None]) <= EDGE_SLACK)
            & (line[:, 2, None] <= box[None, :, 2] + EDGE_SLACK)
        )
        out |= {id(ln) for ln, hit in zip(chunk, under.any(axis=1), strict=True) if hit}
    return out


def _prose(line: TextLine) -> bool:
    """A line of 25+ characters in four or more words of letters."""
    words = line.text.split()
    return len(line.text) >= 25 and sum(any(c.isalpha() for c in w) for w in words) >= 4


SMALL_TEXT = 0.75  # a sidebar's text may be set this much smaller than the body
SMALL_PARAGRAPH_LINES = 4  # lines of one justified paragraph that make small text running text


def _small_paragraphs(lines: list[TextLine], body_size: float) -> set[int]:
    """``id`` of lines of justified paragraphs set smaller than the body (a shaded sidebar's
    text, wrapped beside a picture): runs of lines one pitch apart, in one size, flush left
    but for paragraph indents, with at least four lines of prose and three flush right.
    Text in a figure (legends, labels, flow-chart boxes) is short or ragged, and a block of
    sequences or numbers set in a fixed-width font, however justified, is not prose."""
    cands = sorted(
        (
            ln
            for ln in lines
            if not ln.rotated
            and SMALL_TEXT * body_size <= ln.size < 0.92 * body_size
            and sum(map(str.isalpha, ln.text)) >= 2
        ),
        key=lambda ln: ln.bbox[1],
    )
    runs: list[list[TextLine]] = []
    active: list[list[TextLine]] = []  # runs whose last line is within a pitch of the row
    for ln in cands:
        active = [r for r in active if ln.bbox[1] - r[-1].bbox[1] <= LINE_PITCH * r[-1].size]
        for run in active:
            last = run[-1]
            # a paragraph's first line may be indented: the next one starts left of it
            indent = ln.x0 - min(r.x0 for r in run[-2:])
            outdent = 3 * ln.size if len(run) == 1 else EDGE_SLACK
            if (
                abs(ln.size - last.size) <= 0.05 * ln.size
                and -outdent <= indent <= max(EDGE_SLACK, 3 * ln.size)
                and _one_pitch(ln.bbox[1] - last.bbox[1], ln.size)
            ):
                run.append(ln)
                break
        else:
            runs.append([ln])
            active.append(runs[-1])
    # the edges of the paragraph each line belongs to
    edges = {
        id(ln): (min(r.x0 for r in run), max(r.x1 for r in run))
        for run in runs
        if _paragraph(run)
        for ln in run
    }
    # the few lines a paragraph goes on with (or starts with) beside a picture, one pitch
    # under (over) one of its lines, in its size, ending where it ends or starting where
    # it starts; taken one run after another, top down
    anchors = [ln for run in runs if id(run[0]) in edges for ln in run]
    for run in runs:
        if id(run[0]) in edges:
            continue
        first, last = run[0], run[-1]
        for ln in anchors:
            if abs(ln.size - first.size) > 0.05 * ln.size:
                continue
            left, right = edges[id(ln)]
            below = _one_pitch(first.bbox[1] - ln.bbox[1], ln.size)
            above = _one_pitch(ln.bbox[1] - last.bbox[1], ln.size)
            flush = any(
                abs(r.x0 - left) <= EDGE_SLACK or abs(r.x1 - right) <= EDGE_SLACK for r in run
            )
            if (below or above) and flush:
                bounds = (min(r.x0 for r in run), max(r.x1 for r in run))
                edges.update({id(r): bounds for r in run})
                anchors.extend(run)
                break
    return set(edges)


def _paragraph(run: list[TextLine]) -> bool:
    """Whether a run of lines is a paragraph of prose: justified, or broken across lines as
    prose is; lines hung from labels only when justified (an example's "Q1: What would ...
    a car-" over "manufacturing ..." indented under it, in a ruled figure, is not)."""
    hung = _hung(run)
    return _justified_prose(run, hung) or (not hung and _broken_word_prose(run))


def _hung(run: list[TextLine]) -> bool:
    """Whether a run of lines hangs from labels: most of its lines start together, right of
    one or more that start further left (a reference list, a caption hung from its label,
    an example's "Q0: A car-manufacturing ..." over lines indented under it in a ruled
    figure). A paragraph's lines start at its left edge, but for indented first lines."""
    left = np.array([ln.bbox[0] for ln in run])
    together = (np.abs(left[:, None] - left[None, :]) <= EDGE_SLACK).sum(axis=1)
    edge = left[together == together.max()].min()  # the most lines' edge, the leftmost
    return bool(together.max() >= 2 and (left < edge - EDGE_SLACK).any())


_BROKEN_WORD = re.compile(r"[a-z]-$")


def _broken_word_prose(run: list[TextLine]) -> bool:
    """Whether a run of lines is prose broken across lines as a paragraph breaks it: all of
    them prose, and one ending in a word split by a hyphen that the next line goes on in
    lower case ("the well-designed pre-" / "sentation of interesting data"; a block quote
    of two lines over a picture). Figure text is not set so."""
    return all(map(_prose, run)) and any(
        _BROKEN_WORD.search(a.text.rstrip()) and b.text.lstrip()[:1].islower()
        for a, b in pairwise(run)
    )


def _justified_prose(run: list[TextLine], hung: bool = False) -> bool:
    """Whether a run of lines (:func:`_small_paragraphs`) is a justified paragraph: four or
    more lines of prose, three ending together with different numbers of characters
    (fixed-width text, a terminal or a listing, ends together only with the same number),
    and three starting together (a plot's labels set flush right, PNAS's column of gene
    ontology terms, start where their words take them). Lines ``hung`` from labels
    (:func:`_hung`) end together at the run's right edge, one line past it at most: a
    reference list does, while ragged examples in a figure end together only by chance,
    short of their longer lines."""
    if sum(_prose(ln) for ln in run) < SMALL_PARAGRAPH_LINES:
        return False
    left = np.array([ln.bbox[0] for ln in run])
    if (np.abs(left[:, None] - left[None, :]) <= EDGE_SLACK).sum(axis=1).max() < 3:
        return False
    right = np.array([ln.bbox[2] for ln in run])
    flush = np.abs(right[:, None] - right[None, :]) <= EDGE_SLACK
    widest = int(flush.sum(axis=1).argmax())
    counts = {len(ln.text) for ln, hit in zip(run, flush[widest], strict=True) if hit}
    if hung and (right > right[flush[widest]].max() + EDGE_SLACK).sum() > 1:
        return False
    return bool(flush[widest].sum() >= 3 and max(counts) - min(counts) >= 3)


RULE_ACROSS = 0.8  # of a caption's width: a rule under its rows this wide ends it


def stop_captions_at_rules(captions: list[Caption], elements: list[Element]) -> None:
    """End each caption (in place) at a thin rule drawn across it between two of its rows:
    a table's top rule under its caption, the cells under the rule read as the caption going
    on (centred under "Table 1: Notations", a column of short cells). An underlined word
    is narrower than the rows over it; a rule under a figure's label alone heads its text
    (Annual Reviews sets "Figure 3", a rule, then the caption in the margin)."""
    grown = [cap for cap in captions if len(cap.lines) > 1]
    boxes = np.array([e.bbox for e in elements if e.kind == "path"], dtype=np.float64)
    if not grown or not len(boxes):
        return
    rules = boxes[(boxes[:, 3] - boxes[:, 1] <= TEXT_RULE) & (boxes[:, 2] > boxes[:, 0])]
    middle = (rules[:, 1] + rules[:, 3]) / 2
    for cap in grown:
        rows = sorted(cap.lines, key=lambda ln: ln.y0)
        headed = cap.kind == "figure" and label_alone(cap, rows[0])
        for i in range(1 + headed, len(rows)):
            x0 = min(ln.x0 for ln in rows[:i])
            x1 = max(ln.x1 for ln in rows[:i])
            top, bottom = max(ln.y1 for ln in rows[:i]), rows[i].y0
            across = np.minimum(rules[:, 2], x1) - np.maximum(rules[:, 0], x0)
            between = (top - 1.0 <= middle) & (middle <= bottom + 1.0)
            if (between & (across >= RULE_ACROSS * (x1 - x0))).any():
                cap.lines[:] = [ln for ln in cap.lines if ln.y0 < rows[i].y0]
                break


TAIL_EDGE = 2.0  # points between a paragraph's last line's start and its other lines
TAIL_INDENT = 4.0  # font sizes: its first line may be indented this much, at most
TAIL_NEIGHBOUR = 3.0  # font sizes between labels of one row


def sentence_tails(lines: list[TextLine], running: set[int]) -> set[int]:
    """``id`` of lone lines that end a sentence in the running text's size: the last words of
    a paragraph carried over to the top of a column ("(Figure 2A-B).") over a figure there.
    Figure text (titles, labels, axis names) does not end with a full stop, or is one of a
    row of labels ("function eval." | "derivative calcul." over ADOL-C's diagram): a line
    with another near it on its row ends a paragraph only where running lines start (or
    under a first line's indent)."""
    sizes = [ln.size for ln in lines if id(ln) in running]
    if not sizes:
        return set()
    size = float(np.median(sizes))
    edges = _left_edges(lines, running)
    tails = [
        ln
        for ln in lines
        if id(ln) not in running
        and not ln.rotated
        and abs(ln.size - size) <= 0.05 * size
        and ln.text.rstrip().endswith((".", ".)", "\u3002"))  # CJK's full stop too: "。"
        and len(ln.text.strip()) >= 8
        and not any(ln.bold)
    ]
    return {
        id(ln)
        for ln in tails
        if bool(((edges >= ln.x0 - TAIL_EDGE) & (edges <= ln.x0 + TAIL_INDENT * size)).any())
        or not any(
            o is not ln
            and not o.rotated
            and min(o.y1, ln.y1) - max(o.y0, ln.y0) > 0.5 * min(o.height, ln.height)
            and max(o.x0 - ln.x1, ln.x0 - o.x1) <= TAIL_NEIGHBOUR * size
            for o in lines
        )
    }


ROW_TOUCH = 0.45  # of a line's height: gap between pieces of one row (a space, a math space)


def running_pieces(lines: list[TextLine], running: set[int]) -> set[int]:
    """``id`` of lines that carry a running line on along its row: a sentence with inline
    math comes in pieces ("Here g", "1l", "= ω b A", "(δr) is the nearest-neighbour ...")
    and only the long one reads as running text. The others are no figure's labels: a figure
    under them taking them would grow up over the text above (a display equation).

    A piece continues the row when it is within ROW_TOUCH line heights of a line of it
    sideways and its middle lies within the running line's height; pieces chain (a
    subscript, then the words after it), each keeping the running line's band.
    """
    level = [ln for ln in lines if not ln.rotated]
    # (x0, x1, band top, band bottom, gap allowed) of the row so far
    rows = [
        (ln.x0, ln.x1, ln.y0, ln.y1, ROW_TOUCH * ln.height) for ln in level if id(ln) in running
    ]
    free = [ln for ln in level if id(ln) not in running]
    out: set[int] = set()
    while rows and free:
        c = np.asarray([ln.bbox for ln in free], dtype=np.float64).reshape(-1, 4)
        middle = (c[:, 1] + c[:, 3]) / 2
        hit = np.zeros(len(free), bool)
        band = np.zeros((len(free), 3))  # the band (and gap) a hit piece inherits
        for start in range(0, len(rows), 256):  # blocks: memory stays 256 x lines
            a = np.asarray(rows[start : start + 256], dtype=np.float64)
            within = (middle[None, :] >= a[:, None, 2]) & (middle[None, :] <= a[:, None, 3])
            h = np.maximum(a[:, None, 0], c[None, :, 0]) - np.minimum(a[:, None, 1], c[None, :, 2])
            near = within & (h <= a[:, None, 4])
            new = near.any(axis=0) & ~hit
            band[new] = a[near[:, new].argmax(axis=0)][:, 2:]
            hit |= new
        if not hit.any():
            break
        rows = [(*c[k, [0, 2]].tolist(), *band[k].tolist()) for k in np.flatnonzero(hit).tolist()]
        out |= {id(ln) for ln, k in zip(free, hit.tolist(), strict=True) if k}
        free = [ln for ln, k in zip(free, hit.tolist(), strict=True) if not k]
    return out


def _paragraph_edges(lines: list[TextLine], running: list[TextLine], body_size: float) -> set[int]:
    """Short lines that open or close a paragraph of ``running`` text: body-sized, one line
    pitch above or below a running line of their size, inside its width, and flush with its
    left edge (a paragraph's last line) or its right edge (an indented first line). Text
    wrapped beside a figure would otherwise join the figure."""
    if not running:
        return set()
    boxes = np.array([ln.bbox for ln in running], dtype=np.float64)
    sizes = np.array([ln.size for ln in running], dtype=np.float64)
    done = {id(ln) for ln in running}
    out = set()
    for ln in lines:
        if id(ln) in done or ln.rotated or ln.size < 0.92 * body_size or not ln.text.strip():
            continue
        x0, y0, x1, _ = ln.bbox
        dy = np.abs(boxes[:, 1] - y0)
        flush = (np.abs(boxes[:, 0] - x0) <= EDGE_SLACK) | (np.abs(boxes[:, 2] - x1) <= EDGE_SLACK)
        near = (
            _one_pitch(dy, ln.size)
            & (np.abs(sizes - ln.size) <= 0.05 * ln.size)
            & (boxes[:, 0] - EDGE_SLACK <= x0)
            & (x1 <= boxes[:, 2] + EDGE_SLACK)
            & flush
        )
        if near.any():
            out.add(id(ln))
    return out


EDGE_SLACK = 1.5  # points: lines of one paragraph share their left and right edges


def _wrapped_text(lines: list[TextLine], running: set[int], body_size: float) -> set[int]:
    """Short body-sized lines a paragraph of ``running`` text wraps into beside a figure (a
    narrow column of "do not bend, which" lines): each flush left with a line of the
    paragraph one line pitch over or under it, in its size, taken line after line; and the
    pieces a justified line of them was split into ("intestinal ... and"), on its row and
    no wider than the lines around it."""
    cands = [
        ln
        for ln in lines
        if id(ln) not in running
        and not ln.rotated
        and ln.size >= 0.92 * body_size
        and sum(map(str.isalpha, ln.text)) >= 2
    ]
    anchors = [ln for ln in lines if id(ln) in running]
    cbox = np.array([ln.bbox for ln in cands], dtype=np.float64).reshape(-1, 4)
    csize = np.array([ln.size for ln in cands], dtype=np.float64)
    out: set[int] = set()
    grown = True
    while grown and cands and anchors:
        grown = False
        box = np.array([a.bbox for a in anchors], dtype=np.float64)
        size = np.array([a.size for a in anchors], dtype=np.float64)
        for ln in cands:
            if id(ln) in out:
                continue
            x0, y0, x1, _ = ln.bbox
            dy = np.abs(box[:, 1] - y0)
            same = np.abs(size - ln.size) <= 0.05 * ln.size
            under = same & _one_pitch(dy, ln.size)
            stacked = under & (np.abs(box[:, 0] - x0) <= EDGE_SLACK)
            on_row = same & (dy <= 0.3 * ln.size) & (box[:, 2] <= x0)
            row = on_row & (x0 - box[:, 2] < 3 * ln.size)
            # within the width of the lines around it, or as far from the row's last piece
            # as that is from the one before (a justified row split at every word gap runs
            # past the paragraph's short last line under it)
            if row.any() and under.any():
                right = cbox[
                    (np.abs(cbox[:, 1] - y0) <= 0.3 * ln.size)
                    & (cbox[:, 0] >= x1)
                    & (np.abs(csize - ln.size) <= 0.05 * ln.size)
                ]
                if not _even_gap(box[on_row], ln.bbox, right, ln.size):
                    row &= x1 <= box[under, 2].max() + EDGE_SLACK
            if stacked.any() or (row.any() and under.any()):
                out.add(id(ln))
                anchors.append(ln)
                grown = True
    return out


def _even_gap(left: np.ndarray, piece: tuple[float, ...], right: np.ndarray, size: float) -> bool:
    """Whether ``piece`` is as far from the last of the pieces ``left`` of it on its row as
    that one is from the piece before it, or as the next piece ``right`` of it is from it,
    the gaps wide ones (over half the font ``size``): word gaps of one justified row."""
    if not len(left):
        return False
    order = np.argsort(left[:, 2])
    last = left[order[-1]]
    gap = piece[0] - last[2]
    others = [last[0] - left[order[-2], 2]] if len(left) >= 2 else []
    if len(right):
        others.append(right[:, 0].min() - piece[2])
    return gap > 0.5 * size and any(abs(gap - o) <= max(EDGE_SLACK, 0.15 * o) for o in others)


def _gaps(boxes: np.ndarray, box: np.ndarray) -> np.ndarray:
    """:func:`gap` between each row of ``boxes`` (n, 4) and ``box`` (4,) or rows of (n, 4)."""
    dx = np.maximum(
        0.0, np.maximum(boxes[..., 0], box[..., 0]) - np.minimum(boxes[..., 2], box[..., 2])
    )
    dy = np.maximum(
        0.0, np.maximum(boxes[..., 1], box[..., 1]) - np.minimum(boxes[..., 3], box[..., 3])
    )
    return np.where(np.minimum(dx, dy) == 0, np.maximum(dx, dy), np.sqrt(dx * dx + dy * dy))


def text_columns(running: list[TextLine], min_lines: int = 3) -> list[tuple[float, float]]:
    """The page's text columns as ``(x0, x1)``, from its running text; fewer than two: ``[]``.

    Lines are grouped by their left edge (indented first lines join their column through
    the overlap of the spans), so two columns of a journal page come out as two spans.
    """
    starts: dict[int, list[TextLine]] = {}
    for ln in running:
        if not ln.rotated:
            starts.setdefault(round(ln.x0 / 4), []).append(ln)
    spans = sorted(
        (min(ln.x0 for ln in group), float(np.percentile([ln.x1 for ln in group], 90)))
        for group in starts.values()
        if len(group) >= min_lines
    )
    merged: list[tuple[float, float]] = []
    for x0, x1 in spans:
        if merged and x0 < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], x1))
        else:
            merged.append((x0, x1))
    return merged if len(merged) >= 2 else []


def _column_of(
    boxes: np.ndarray, columns: list[tuple[float, float]], slack: float = 3.0
) -> np.ndarray:
    """Index of the column holding each box entirely (-1: none, or across a gutter)."""
    out = np.full(len(boxes), -1)
    for k, (x0, x1) in enumerate(columns):
        out[(boxes[:, 0] >= x0 - slack) & (boxes[:, 2] <= x1 + slack)] = k
    return out


def attach_text(
    regions: list[Region],
    lines: list[TextLine],
    excluded: set[int],
    max_gap: float = TEXT_GAP,
    columns: list[tuple[float, float]] | None = None,
    body_size: float = 0.0,
) -> None:
    """Grow regions with nearby free text lines (axis labels, panel letters, legends).

    With ``columns`` (:func:`text_columns`), a region whose graphics lie in one text column
    takes no line that lies in another (an equation number at the end of the left column is
    not the axis title of a chart in the right one). With ``body_size``, a line of running
    text's words over a region's graphics, starting where running lines start and sticking
    out past the graphics' left side, is the text's ("These sections are shown below:").

    Lines are visited in order, pass after pass until none is taken; each goes to the
    nearest region within ``max_gap`` (the last one on a tie). Gaps are kept in a
    lines x regions matrix whose column is refreshed when its region grows, so a pass costs
    a few array operations per attached line rather than a loop over every pair.
    """
    free = [ln for ln in lines if id(ln) not in excluded and _line_shaped(ln)]
    if not regions or not free:
        return
    rbox = np.asarray([r.bbox for r in regions], dtype=np.float64).reshape(-1, 4)
    gbox = np.asarray([r.graphic_bbox for r in regions], dtype=np.float64).reshape(-1, 4)
    rcol = _column_of(gbox, columns) if columns else None  # graphics do not change here
    # nor does a figure set beside the text columns (a side column of figures and captions)
    # take text from a column its graphics do not reach (the heading starting the next one)
    outside = np.array(
        [[g[2] < c0 + 2 or g[0] > c1 - 2 for g in gbox.tolist()] for c0, c1 in columns or []],
        bool,
    ).reshape(-1, len(regions))
    pieces = _line_pieces(lines)
    lead_in = _lead_in_lines(free, lines, excluded, body_size)
    kinds = {id(ln): _title_kind(ln, id(ln) in pieces) for ln in free}  # read once, not a pass
    changed = True
    while changed and free:
        changed = False
        lbox = np.asarray([ln.bbox for ln in free], dtype=np.float64).reshape(-1, 4)
        title = np.array([_axis_title(ln) for ln in free], dtype=bool)
        short = np.array([kinds[id(ln)] for ln in free], dtype=np.int8)
        g = _title_gaps(
            _gaps(lbox[:, None, :], rbox[None, :, :]), lbox, rbox, gbox, title, short, max_gap
        )
        # text chains line by line, but not far up from the graphics (titles and legends
        # over a chart are a line or two): an author block that ends a few points over a
        # figure is not the figure's text. Axis titles and notes beside and under stay.
        far = gbox[None, :, 1] - lbox[:, None, 3] > TEXT_REACH
        if rcol is not None:  # a figure inside one column takes no text from the other one
            lcol = _column_of(lbox, columns)
            far |= (lcol[:, None] >= 0) & (rcol[None, :] >= 0) & (lcol[:, None] != rcol[None, :])
            far |= outside[np.maximum(lcol, 0)] & (lcol >= 0)[:, None]
        # long sideways text reaching past a figure's graphics runs along the page margin
        # (a licence or "Downloaded from" note), however close it is
        note = np.array([ln.rotated and len(ln.text) > AXIS_TITLE_CHARS for ln in free])
        far |= note[:, None] & (
            (lbox[:, None, 1] < gbox[None, :, 1] - 2) | (lbox[:, None, 3] > gbox[None, :, 3] + 2)
        )
        if lead_in.any():
            far |= lead_in[:, None] & (
                (lbox[:, None, 3] <= gbox[None, :, 1] + 1)
                & (lbox[:, None, 0] < gbox[None, :, 0] - LEAD_IN_OVERHANG * body_size)
            )
        g[far] = np.inf
        # per line, how many regions are within reach: the next line to attach is the
        # first with any, and a region's growth updates one column of it
        ok = g <= max_gap
        count = ok.sum(axis=1)
        taken: list[int] = []
        pos = 0
        while True:
            near = np.flatnonzero(count[pos:])
            if not near.size:
                break
            k = pos + int(near[0])
            row = g[k]
            best = int(np.flatnonzero(row == row.min())[-1])  # the last of equally near
            regions[best].elements.append(Element(free[k].bbox, "text"))
            taken.append(k)
            pos = k + 1
            grown = regions[best].bbox
            if tuple(rbox[best].tolist()) == grown:
                continue  # a label inside the region's box (a scatter plot's): no gap moves
            rbox[best] = grown
            col = _grown_gaps(
                lbox[k + 1 :], rbox, gbox, best, title[k + 1 :], short[k + 1 :], max_gap
            )
            col[far[k + 1 :, best]] = np.inf
            g[k + 1 :, best] = col
            reach = col <= max_gap
            count[k + 1 :] += reach.astype(count.dtype) - ok[k + 1 :, best]
            ok[k + 1 :, best] = reach
        if taken:
            changed = True
            drop = set(taken)
            free = [ln for i, ln in enumerate(free) if i not in drop]
            lead_in = np.delete(lead_in, taken)


LEAD_IN_WORDS = 3
LEAD_IN_OVERHANG = 3.0  # body sizes a lead-in line sticks out past the graphics' left side


def _lead_in_lines(
    free: list[TextLine], lines: list[TextLine], excluded: set[int], body_size: float
) -> np.ndarray:
    """Which ``free`` lines may be running text leading in to a figure: words in the body
    size starting at a left edge that the page's long running (or caption) lines start at."""
    if not body_size:
        return np.zeros(len(free), bool)
    edges = np.array(
        [ln.x0 for ln in lines if id(ln) in excluded and not ln.rotated and len(ln.text) >= 30]
    )
    if not edges.size:
        return np.zeros(len(free), bool)
    return np.array(
        [
            not ln.rotated
            and ln.size >= 0.92 * body_size
            and len(ln.text.split()) >= LEAD_IN_WORDS
            and bool((np.abs(edges - ln.x0) <= 1.5).any())
            for ln in free
        ],
        bool,
    )


def _grown_gaps(
    lbox: np.ndarray,
    rbox: np.ndarray,
    gbox: np.ndarray,
    best: int,
    title: np.ndarray,
    short: np.ndarray,
    max_gap: float,
) -> np.ndarray:
    """Gaps of lines ``lbox`` to region ``best`` after it grew, as :func:`_title_gaps` reads
    them. Only lines that title scaling could bring within ``max_gap`` are scaled: the others
    stay out of reach whatever their exact gap (a chart's thousand tick labels)."""
    col = _gaps(lbox, rbox[best])
    maybe = np.flatnonzero(col <= max(max_gap, AXIS_TITLE_GAP))
    if maybe.size:
        col[maybe] = _title_gaps(
            col[maybe, None],
            lbox[maybe],
            rbox[best : best + 1],
            gbox[best : best + 1],
            title[maybe],
            short[maybe],
            max_gap,
        )[:, 0]
    return col


def _line_shaped(line: TextLine) -> bool:
    """Not a run of glyphs with absurd boxes (hatching drawn with a font can report boxes
    thousands of points tall, which would swallow the page)."""
    x0, y0, x1, y1 = line.bbox
    return min(x1 - x0, y1 - y0) <= max(6 * line.size, 100.0)


AXIS_TITLE_GAP = 24.0  # points: a sideways axis title may sit this far from its tick labels
AXIS_TITLE_CHARS = 40  # longer sideways text is a margin note ("Downloaded from ...")
TITLE_CENTRED = 0.05  # of the graphics' width: how far off their centre an x-axis title may be


def _axis_title(line: TextLine) -> bool:
    return line.rotated and len(line.text) <= AXIS_TITLE_CHARS


def _line_pieces(lines: list[TextLine], touch: float = 3.0) -> set[int]:
    """ids of short level lines that touch another line on their row: the end of a formula
    broken at a change of size ("|N_T" after a display equation), not a title of their own."""
    at = [k for k, ln in enumerate(lines) if _short_level_line(ln)]
    if not at or len(lines) < 2:
        return set()
    b = np.asarray([ln.bbox for ln in lines], dtype=np.float64).reshape(-1, 4)
    at = sorted(at, key=lambda k: b[k, 1])  # blocks of rows near each other on the page
    out: set[int] = set()
    for start in range(0, len(at), 256):  # blocks of rows: memory stays 256 x lines
        rows = np.asarray(at[start : start + 256])
        a = b[rows]
        # only lines overlapping the block's band can share a row with one of its lines
        cols = np.flatnonzero((b[:, 3] > a[:, 1].min()) & (b[:, 1] < a[:, 3].max()))
        c = b[cols]
        v = np.minimum(a[:, None, 3], c[None, :, 3]) - np.maximum(a[:, None, 1], c[None, :, 1])
        h = np.maximum(a[:, None, 0], c[None, :, 0]) - np.minimum(a[:, None, 2], c[None, :, 2])
        low = np.minimum(a[:, None, 3] - a[:, None, 1], c[None, :, 3] - c[None, :, 1])
        near = (h <= touch) & (v > 0.5 * low) & (cols[None, :] != rows[:, None])  # not itself
        out.update(id(lines[k]) for k in rows[near.any(axis=1)].tolist())
    return out


# kinds of short level lines: any, one without a formula, one of those all in bold, a
# panel letter; and a longer line that a panel's letter starts (a sub-caption)
SHORT_LINE, SHORT_TITLE, BOLD_TITLE, PANEL_LETTER_LINE, SUB_CAPTION_LINE = 1, 2, 3, 4, 5
_SUB_CAPTION = re.compile(r"\s*\([a-hA-H]\)\s+\S")
_FORMULA = ("=", "\u2264", "\u2265", "\u2211", "\u222b")  # = <= >= sum integral
BOLD_TITLE_WIDTH = 1.1  # of the graphics' width: how wide a bold title over them may be


def _title_kind(line: TextLine, piece: bool) -> int:
    """The kind of short level line ``line`` is (0 for none; a ``piece`` of a row is none), a
    panel letter's :data:`PANEL_LETTER_LINE`, or a sub-caption's :data:`SUB_CAPTION_LINE`."""
    if not line.rotated and _SUB_CAPTION.match(line.text):
        return SUB_CAPTION_LINE
    kind = 0 if piece else _short_level_line(line)
    return PANEL_LETTER_LINE if kind and _PANEL_LETTER.fullmatch(line.text.strip()) else kind


def _short_level_line(line: TextLine) -> int:
    """0, :data:`SHORT_LINE`, :data:`SHORT_TITLE` (short, level, and no formula) or
    :data:`BOLD_TITLE` (that, in bold)."""
    if line.rotated or len(line.text) > AXIS_TITLE_CHARS:
        return 0
    # the first character settles most lines (a page of fine print has 15,000)
    first = bool(line.bold) and (line.bold[0] or line.text[:1].isspace())
    if first and line.prefix_bold(len(line.text)):
        return BOLD_TITLE  # a plot's title ("Structure size per k-mer, k=27"), no equation
    return SHORT_LINE if any(s in line.text for s in _FORMULA) else SHORT_TITLE


def _title_gaps(
    g: np.ndarray,
    lbox: np.ndarray,
    rbox: np.ndarray,
    gbox: np.ndarray,
    sideways: np.ndarray,
    short: np.ndarray,
    max_gap: float,
) -> np.ndarray:
    """Gaps (lines x regions) of axis titles scaled so that :data:`AXIS_TITLE_GAP` reads as
    ``max_gap``: a sideways title beside a region (within its height), and a short line
    under or over a region's graphics centred on them (R sets an x-axis title two lines
    under the tick labels, a plot's title over it) or on the region with its labels (a
    sub-figure's "(a)"), a panel letter at a region's top left corner, left of it, and a
    sub-caption under a region, centred on it."""
    if not sideways.any() and not short.any():
        return g
    beside = (lbox[:, None, 1] >= rbox[None, :, 1]) & (lbox[:, None, 3] <= rbox[None, :, 3])
    mid = lbox[:, None, 0] + lbox[:, None, 2]
    width = gbox[None, :, 2] - gbox[None, :, 0]
    whole = rbox[None, :, 2] - rbox[None, :, 0]
    centred = (np.abs(mid - gbox[None, :, 0] - gbox[None, :, 2]) / 2 <= TITLE_CENTRED * width) | (
        np.abs(mid - rbox[None, :, 0] - rbox[None, :, 2]) / 2 <= TITLE_CENTRED * whole
    )
    under = lbox[:, None, 1] >= gbox[None, :, 3]
    # over the graphics only a line that is no formula (a display equation ends over a figure)
    over = (lbox[:, None, 3] <= gbox[None, :, 1]) & (short[:, None] >= SHORT_TITLE)
    # a title is at most half as wide as the graphics, or as wide as them (a little wider)
    # over them in bold (R prints a plot's main title in bold, as wide as its words make
    # it, centred on the plot region, which is a little wider than the plot's box)
    wide = lbox[:, None, 2] - lbox[:, None, 0]
    narrow = (wide <= 0.5 * width) | (
        over & (short[:, None] == BOLD_TITLE) & (wide <= BOLD_TITLE_WIDTH * width)
    )
    level = (under | over) & narrow & centred
    # a panel letter left of a region, level with its top ("a)" over a drawing's corner)
    height = lbox[:, None, 3] - lbox[:, None, 1]
    corner = (
        (short[:, None] == PANEL_LETTER_LINE)
        & (lbox[:, None, 2] <= gbox[None, :, 0])
        & (np.abs(lbox[:, None, 1] - rbox[None, :, 1]) <= height)
    )
    # a sub-caption under a region, centred on it however long ("(a) u on a cutting plane")
    sub = (short[:, None] == SUB_CAPTION_LINE) & under & centred
    titles = (sideways[:, None] & beside) | ((short[:, None] > 0) & level) | corner | sub
    return np.where(titles, g * (max_gap / AXIS_TITLE_GAP), g)


def significant(region: Region) -> bool:
    """Big enough to be a figure (and not just text that happened to cluster)."""
    x0, y0, x1, y1 = region.graphic_bbox
    if not any(e.kind != "text" for e in region.elements):
        return False
    return min(x1 - x0, y1 - y0) >= MIN_SIDE and area(region.bbox) >= MIN_AREA


def _strip_chart(region: Region) -> bool:
    """A row of bars over an axis: drawn less than MIN_SIDE tall, a figure with its labels."""
    x0, _, x1, _ = region.graphic_bbox
    bx0, by0, bx1, by1 = region.bbox
    return (
        sum(e.kind != "text" for e in region.elements) >= STRIP_MARKS
        and x1 - x0 >= STRIP_WIDTH
        and min(bx1 - bx0, by1 - by0) >= MIN_SIDE
        and area(region.bbox) >= MIN_AREA
    )


TEXT_BOX_LINES = 3  # a shaded box holding this many lines (and chars) of text and nothing
TEXT_BOX_CHARS = 100  # else is a code listing or a note, not part of a figure
TEXT_BOX_GAP = 4.0  # points: what touches the box (a flow chart's arrows) keeps it


def drop_text_backgrounds(elements: list[Element], running: list[BBox]) -> list[Element]:
    """``elements`` less the pictures that are the background of running text (a sidebar
    printed as a tinted, tilted image with its paragraphs set over it): images holding four
    or more lines of ``running`` text whose boxes fill a third of the image. Labels over a
    photo are short and few."""
    if len(running) < TEXT_BOX_LINES + 1:
        return elements
    lines = np.asarray(running, dtype=np.float64)
    line_area = (lines[:, 2] - lines[:, 0]) * (lines[:, 3] - lines[:, 1])
    out = []
    for e in elements:
        if e.kind == "image":
            held = boxes_inside(lines, e.bbox, 1.0)
            if held.sum() > TEXT_BOX_LINES and line_area[held].sum() >= area(e.bbox) / 3:
                continue
        out.append(e)
    return out


NOTE_LINES = 4  # rows of a picture's own note (a sub-caption set as a small paragraph)
NOTE_WIDTH = 0.6  # of the widest running line: pictures with notes under them are narrower
NOTE_SLACK = 0.1  # of the picture's width: how far its note may reach past its sides


def notes_under_pictures(
    lines: list[TextLine], running: set[int], elements: list[Element]
) -> set[int]:
    """``id`` of running lines that are a picture's own note: a paragraph of at most
    :data:`NOTE_LINES` rows starting right under the picture (within :data:`TEXT_GAP`) and
    kept about inside its width, the picture narrower than the running text and set in a row
    with another one (three pictures side by side, each over its sub-caption, one caption
    under all). Running text under a picture spans its column, wider than the picture."""
    text = [ln for ln in lines if id(ln) in running and not ln.rotated]
    pictures = [
        e.bbox
        for e in elements
        if e.kind == "image" and min(e.bbox[2] - e.bbox[0], e.bbox[3] - e.bbox[1]) >= MIN_SIDE
    ]
    if not text or len(pictures) < 2:
        return set()
    widest = max(ln.x1 - ln.x0 for ln in text)
    out: set[int] = set()
    for pic in pictures:
        x0, _, x1, bottom = pic
        if x1 - x0 > NOTE_WIDTH * widest or not any(
            q is not pic and abs(q[1] - pic[1]) <= 6.0 for q in pictures
        ):
            continue
        under = sorted(
            (ln for ln in text if ln.y0 >= bottom - 1.0 and ln.x1 > x0 and ln.x0 < x1),
            key=lambda ln: ln.y0,
        )
        rows: list[list[TextLine]] = []
        for ln in under:
            if rows and abs(ln.y0 - rows[-1][0].y0) <= 0.3 * ln.size:
                rows[-1].append(ln)
                continue
            last = rows[-1][0] if rows else None
            gap = ln.y0 - (bottom if last is None else last.y0)
            if (last is None and gap > TEXT_GAP) or (
                last is not None and not _one_pitch(gap, ln.size)
            ):
                break
            rows.append([ln])
        slack = NOTE_SLACK * (x1 - x0)  # a note's column may be a little wider than its picture
        inside = all(ln.x0 >= x0 - slack and ln.x1 <= x1 + slack for row in rows for ln in row)
        if rows and inside and len(rows) <= NOTE_LINES:
            out |= {id(ln) for row in rows for ln in row}
    return out


ORNAMENT_GAP = 12.0  # points between a pull quote and the ornament printed on it


def drop_ornaments(
    elements: list[Element], lines: list[TextLine], body_size: float
) -> list[Element]:
    """``elements`` less the pictures printed on a pull quote (:func:`_display_paragraphs`):
    an image touching one of its lines (within :data:`ORNAMENT_GAP` over, under or on it)
    and no wider than that line, inside its width. A photo beside the quote is not."""
    shown = _display_paragraphs(lines, body_size)  # once: not per line
    display = [ln.bbox for ln in lines if id(ln) in shown]
    if not display:
        return elements

    def ornament(b: BBox) -> bool:
        return any(
            b[0] >= d[0] - ORNAMENT_GAP
            and b[2] <= d[2] + ORNAMENT_GAP
            and b[1] - ORNAMENT_GAP <= d[3]
            and d[1] <= b[3] + ORNAMENT_GAP
            for d in display
        )

    return [e for e in elements if e.kind != "image" or not ornament(e.bbox)]


TEXT_STROKE = 1.5  # points: a rule this thin inside a line of words is the text's...
TEXT_STROKE_WIDTH = 1.0  # ...no wider than this many of its font sizes (an underscore,
# not the shaft of an arrow drawn between a diagram's labels)
STROKE_LINE_LETTERS = 3  # letters of a line of words


def drop_text_strokes(elements: list[Element], lines: list[TextLine]) -> list[Element]:
    """``elements`` less the short rules drawn inside a line of words: underscores a
    typesetter draws as rules ("draw_string" in the OCaml book's code). They made the code
    over a screenshot a region of graphics, which its figure took in."""
    thin = [  # rules, not the dots of a dotted arrow
        i
        for i, e in enumerate(elements)
        if e.kind == "path"
        and e.bbox[3] - e.bbox[1] <= TEXT_STROKE
        and e.bbox[2] - e.bbox[0] >= 2 * (e.bbox[3] - e.bbox[1])
    ]
    if not thin or not lines:
        return elements
    # a line of words in its own box: not glyphs with absurd boxes (hatching set in a font),
    # nor an arrow's pieces set in a font (xypic's heads and tails)
    words = [
        ln
        for ln in lines
        if not ln.rotated
        and ln.y1 - ln.y0 <= 3 * max(ln.size, 1.0)
        and sum(map(str.isalpha, ln.text)) >= STROKE_LINE_LETTERS
    ]
    if not words:
        return elements
    strokes = np.array([elements[i].bbox for i in thin], dtype=np.float64)
    boxes = np.array([ln.bbox for ln in words], dtype=np.float64)
    sizes = np.array([ln.size for ln in words], dtype=np.float64)
    inside = (
        (strokes[:, None, 2] - strokes[:, None, 0] <= TEXT_STROKE_WIDTH * sizes[None, :])
        & (strokes[:, None, 0] >= boxes[None, :, 0] - 1.0)
        & (strokes[:, None, 2] <= boxes[None, :, 2] + 1.0)
        & (strokes[:, None, 1] >= boxes[None, :, 1] - 1.0)
        & (strokes[:, None, 3] <= boxes[None, :, 3] + 1.0)
    ).any(axis=1)
    drop = {thin[k] for k in np.flatnonzero(inside).tolist()}
    return [e for i, e in enumerate(elements) if i not in drop] if drop else elements


WORD_FRAME_PAD = 0.6  # of the font size: how far a framed word's box reaches past its line
WORD_FRAME_SPAN = 0.9  # of the frame's width: its top and bottom rules run this far at least
WORD_FRAME_OUT = 2.0  # font sizes of the line's words outside the frame, at least


def drop_word_frames(elements: list[Element], body: list[TextLine]) -> list[Element]:
    """``elements`` less the frames drawn round words of running text (LaTeX's ``\\fbox``:
    NorduGrid's Grid Monitor boxes "Status = INLRMS: R" in the line just over a screenshot,
    and the screenshot's figure took the frame's four thin rules in as graphics).

    A frame is a group of thin rules in one body line's band, its top and bottom rules
    spanning it, with the line's words going on past it: a diagram's framed label is a line
    of its own, not running text."""
    thin = [
        i
        for i, e in enumerate(elements)
        if e.kind == "path" and min(e.bbox[2] - e.bbox[0], e.bbox[3] - e.bbox[1]) <= TEXT_STROKE
    ]
    if not thin or not body:
        return elements
    strokes = np.array([elements[i].bbox for i in thin], dtype=np.float64)
    drop: set[int] = set()
    for ln in body:
        pad, out = WORD_FRAME_PAD * ln.size, WORD_FRAME_OUT * ln.size
        middle = (ln.y0 + ln.y1) / 2
        near = np.flatnonzero(
            (strokes[:, 1] >= ln.y0 - pad)
            & (strokes[:, 3] <= ln.y1 + pad)
            & (strokes[:, 0] >= ln.x0 - pad)
            & (strokes[:, 2] <= ln.x1 + pad)
        )
        for group in _overlapping_runs(strokes, near):
            x0, y0 = strokes[group, 0].min(), strokes[group, 1].min()
            x1, y1 = strokes[group, 2].max(), strokes[group, 3].max()
            spans = strokes[group, 2] - strokes[group, 0] >= WORD_FRAME_SPAN * (x1 - x0)
            above = bool((spans & (strokes[group, 3] <= middle)).any())
            below = bool((spans & (strokes[group, 1] >= middle)).any())
            if above and below and (ln.x0 <= x0 - out or ln.x1 >= x1 + out) and y0 < middle < y1:
                drop.update(thin[k] for k in group.tolist())
    return [e for i, e in enumerate(elements) if i not in drop] if drop else elements


def _overlapping_runs(boxes: np.ndarray, rows: np.ndarray) -> list[np.ndarray]:
    """``rows`` of ``boxes`` in groups whose x-extents overlap (within a point), left to right."""
    order = rows[np.argsort(boxes[rows, 0], kind="stable")]
    groups: list[list[int]] = []
    right = -np.inf
    for k in order.tolist():
        if not groups or boxes[k, 0] > right + 1.0:
            groups.append([])
            right = -np.inf
        groups[-1].append(k)
        right = max(right, boxes[k, 2])
    return [np.array(g) for g in groups]


def _text_box_sized(box: BBox) -> bool:
    """Big enough for three lines of text: a box, not a chart's mark (a chart may have
    thousands of paths)."""
    return box[2] - box[0] >= 100 and box[3] - box[1] >= 24


def lines_in(box: BBox, lines: list[TextLine]) -> list[TextLine]:
    """The ``lines`` inside ``box``, give or take a point."""
    return [ln for ln in lines if contains(box, ln.bbox, slack=1.0)]


def trim_text_boxes(region: Region, lines: list[TextLine]) -> None:
    """Drop from ``region`` a box of text only (a shaded code listing a vignette prints right
    over the plot it makes) that sits at its top or bottom edge, apart from the rest.

    A flow chart's text boxes stay: its arrows touch them.
    """
    # only boxes big enough for three lines of text (a chart may have thousands of paths)
    boxes = [e for e in region.elements if e.kind == "path" and _text_box_sized(e.bbox)]
    for box in boxes:
        held = lines_in(box.bbox, lines)
        if len(held) < TEXT_BOX_LINES or sum(len(ln.text) for ln in held) < TEXT_BOX_CHARS:
            continue
        inside = [e for e in region.elements if e is not box and contains(box.bbox, e.bbox, 1.0)]
        if any(e.kind != "text" for e in inside):
            continue  # a legend or a plot: graphics inside
        rest = [e for e in region.elements if e is not box and not contains(box.bbox, e.bbox, 1.0)]
        if not rest:
            return
        top, bottom = min(e.bbox[1] for e in rest), max(e.bbox[3] for e in rest)
        if top >= box.bbox[3] + TEXT_BOX_GAP or bottom <= box.bbox[1] - TEXT_BOX_GAP:
            region.elements = rest


FRAGMENT_GAP = 24.0  # points between the pieces of a sparse chart (rows of markers, strips)


KEY_SLACK = 6.0  # points a key may stick out past the side of the figure it belongs to
KEY_GAP = 32.0  # points between a figure and its key (a colour bar under the x-axis title)


def join_keys(
    figures: list[Region],
    fragments: list[Region],
    barriers: list[BBox],
    lines: list[TextLine] | None = None,
) -> list[Region]:
    """Join each small part right under or over a figure and within its width (or beside it
    and within its height), with nothing between them, to the nearest such figure: a colour
    key, a legend strip or a scale drawn apart from its plot, too small to be a figure
    itself. A piece of a code listing (read from the page's ``lines``) is no key. Returns
    the fragments left."""
    b = _barrier_array(barriers)

    def nearest(frag: Region) -> Region | None:
        # a mark inside a caption or a line of text (a line sample, "solid lines") is not a key
        in_text = len(b) > 0 and bool((_intersections(frag.bbox, b) > 0).any())
        if all(e.kind == "text" for e in frag.elements) or in_text or _code(frag, lines or []):
            return None
        best: tuple[float, Region] | None = None
        fb, drawn = frag.bbox, frag.graphic_bbox
        for fig in figures:
            g = fig.bbox  # grown by the keys joined before (a key under a key)
            if fb[0] >= g[0] - KEY_SLACK and fb[2] <= g[2] + KEY_SLACK:
                d = max(fb[1] - g[3], g[1] - fb[3])  # under or over it
            # beside it, its drawing within the figure's height: an axis set apart from its
            # plot has its end tick labels stick out half a line (phangorn's sequence logo)
            elif drawn[1] >= g[1] - KEY_SLACK and drawn[3] <= g[3] + KEY_SLACK:
                d = max(fb[0] - g[2], g[0] - fb[2])  # left or right of it
            else:
                continue
            if 0 <= d <= KEY_GAP and (best is None or d < best[0]):
                if not _blocked(union([fb, g]), b):
                    best = (d, fig)
        return best[1] if best else None

    return _join_fragments(fragments, nearest)


def _join_fragments(
    fragments: list[Region], nearest: Callable[[Region], Region | None]
) -> list[Region]:
    """Give each fragment to the figure ``nearest`` picks for it (in turn: a figure grows
    by the fragments joined before); returns the fragments no figure took."""
    left: list[Region] = []
    for frag in fragments:
        fig = nearest(frag)
        if fig is None:
            left.append(frag)
        else:
            fig.elements.extend(frag.elements)
    return left


MARK_SIZE = 12.0  # points: a marker (a node, a dot of a scatter plot) is no bigger
MARK_MATCH = 0.5  # points two markers of one plot differ by at most, side by side
LIKE_MARKS = 3  # markers of its size a figure draws for a lone one to be one of them
MARK_REACH = 200.0  # points from the figure a lone marker may lie


def _mark_size(region: Region) -> tuple[float, float] | None:
    """Width and height of a region that is one small drawn marker, else None."""
    if len(region.elements) != 1 or region.elements[0].kind != "path":
        return None
    b = region.bbox
    w, h = b[2] - b[0], b[3] - b[1]
    return (w, h) if 0 < w <= MARK_SIZE and 0 < h <= MARK_SIZE else None


def join_like_marks(
    figures: list[Region], fragments: list[Region], barriers: list[BBox]
) -> list[Region]:
    """Join each lone marker to the nearest figure that draws three or more markers of its
    size, within :data:`MARK_REACH` and with nothing between them: the isolated nodes of a
    network plot, far from its cluster, are its nodes. Returns the fragments left."""
    if not any(_mark_size(frag) for frag in fragments):
        return fragments
    b = _barrier_array(barriers)
    sizes = [
        [
            (e.bbox[2] - e.bbox[0], e.bbox[3] - e.bbox[1])
            for e in fig.elements
            if e.kind == "path"
            and e.bbox[2] - e.bbox[0] <= MARK_SIZE
            and e.bbox[3] - e.bbox[1] <= MARK_SIZE
        ]
        for fig in figures
    ]

    def nearest(frag: Region) -> Region | None:
        size = _mark_size(frag)
        best: tuple[float, Region] | None = None
        for fig, marks in zip(figures, sizes, strict=True) if size else ():
            like = sum(
                abs(w - size[0]) <= MARK_MATCH and abs(h - size[1]) <= MARK_MATCH for w, h in marks
            )
            d = gap(fig.bbox, frag.bbox)
            if like >= LIKE_MARKS and d <= MARK_REACH and (best is None or d < best[0]):
                if not _blocked(union([fig.bbox, frag.bbox]), b):
                    best = (d, fig)
        return best[1] if best else None

    return _join_fragments(fragments, nearest)


ROW_PIECES = 3  # like pieces side by side that make one figure (a karyogram's chromosomes)
ROW_LEVEL = 3.0  # points between the tops of a row's pieces
ROW_SPACING = 4.0  # the pieces' width, times this at most, between two of them
ROW_LIKE = 1.5  # at most this ratio between two pieces' widths
ROW_MIN_WIDTH = 8.0  # points: a rule or a hairline bar is no piece


def piece_rows(fragments: list[Region], barriers: list[BBox]) -> tuple[list[Region], list[Region]]:
    """Rows of drawn pieces each too narrow to count alone but tall, their tops level and
    their widths alike, a few of their widths apart (Biopython's chromosome diagram: five
    chromosomes 17 pt wide, 52 pt apart): ``(figures, the fragments left)``."""
    bar = _barrier_array(barriers)
    pieces = []
    for r in fragments:
        x0, y0, x1, y1 = r.graphic_bbox
        drawn = any(e.kind != "text" for e in r.elements)
        if drawn and x1 - x0 >= ROW_MIN_WIDTH and y1 - y0 >= 2 * MIN_SIDE:
            pieces.append(r)
    pieces.sort(key=lambda r: r.graphic_bbox[0])
    used: set[int] = set()
    rows: list[Region] = []
    for i, first in enumerate(pieces):
        if id(first) in used:
            continue
        run = [first]
        for r in pieces[i + 1 :]:
            a, b = run[-1].graphic_bbox, r.graphic_bbox
            wa, wb = a[2] - a[0], b[2] - b[0]
            if (
                id(r) not in used
                and abs(b[1] - first.graphic_bbox[1]) <= ROW_LEVEL
                and 0 < b[0] - a[2] <= ROW_SPACING * max(wa, wb)
                and max(wa, wb) <= ROW_LIKE * min(wa, wb)
            ):
                run.append(r)
        box = union([r.bbox for r in run])
        if len(run) >= ROW_PIECES and not _blocked(box, bar):
            rows.append(Region([e for r in run for e in r.elements]))
            used |= {id(r) for r in run}
    return rows, [r for r in fragments if id(r) not in used]


def sparse_charts(fragments: list[Region], barriers: list[BBox]) -> list[Region]:
    """Figures made of pieces each too small to count: rows of markers beside a bare axis,
    a column of strip plots each under 24 pt tall, or one such strip over its axis
    labels. The pieces join across wider gaps than
    a figure's elements do (no running text or caption between), and the groups that are
    then big enough are figures."""
    pieces = [r for r in fragments if any(e.kind != "text" for e in r.elements)]
    groups = cluster_regions(pieces, barriers, FRAGMENT_GAP)
    return [g for g in groups if significant(g) or _strip_chart(g)]


# ---------------------------------------------------------------------------------------------
# caption association


def _same_sides(a: BBox, b: BBox) -> bool:
    """Whether two boxes share their left and right edges (two plots one device drew in
    a column: R's layout(matrix(1:2, nrow = 2)))."""
    return abs(a[0] - b[0]) <= SIDE_MATCH and abs(a[2] - b[2]) <= SIDE_MATCH


def _h_overlap(a: BBox, b: BBox) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0]))


def _v_overlap(a: BBox, b: BBox) -> float:
    return max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _column_aligned(a: BBox, b: BBox) -> bool:
    """Whether one box is set over the other: across 30 % of the narrower one's width."""
    return _h_overlap(a, b) >= 0.3 * min(a[2] - a[0], b[2] - b[0])


def caption_distance(
    cap: Caption, box: BBox, barriers: list[BBox], captions: Sequence[BBox] = ()
) -> float | None:
    """How far a region is from a caption, or None when they cannot belong together.

    Figures sit above their caption (preferred), below it, or beside it; tables usually
    below. The space between them must not hold running text or another caption: half of a
    barrier in the way blocks it, a quarter of another caption (``captions``) does (a
    figure's short centred caption between a table caption and the figure's right half).
    """
    cb = cap.bbox
    overlap = _h_overlap(cb, box)
    width_overlap = _column_aligned(cb, box)
    # a short left-aligned caption under a centred figure overlaps it only a little
    misaligned = 0.0 if width_overlap else 20.0
    # a caption whose column goes on in paragraphs beside a figure is that figure's
    vertical = (width_overlap or overlap > 0) and not cap.beside
    candidates: list[tuple[float, BBox]] = []
    # the side a caption is not usually on costs 12 pt, and a table caption 6 pt more than a
    # figure caption, so a chart between a table's caption and its own goes to its own
    if vertical and box[3] <= cb[1] + 6:  # region above the caption
        d = max(0.0, cb[1] - box[3]) + misaligned
        candidates.append(
            (d + (18.0 if cap.kind == "table" else 0.0), (box[0], box[3], box[2], cb[1]))
        )
    if vertical and box[1] >= cb[3] - 6:  # region below the caption
        d = max(0.0, box[1] - cb[3]) + misaligned
        candidates.append(
            (d + (6.0 if cap.kind == "table" else 12.0), (box[0], cb[3], box[2], box[1]))
        )
    # beside: level with it, or set from a little above its top (a side caption aligned
    # with the top of a plot whose ink starts under the device's white top margin)
    least = 0.5 * min(cb[3] - cb[1], box[3] - box[1])
    if _v_overlap(cb, box) >= (0.6 * least if cb[1] <= box[1] else least):
        d = max(cb[0] - box[2], box[0] - cb[2])
        # set flush with the figure's top or bottom edge, a side caption is as good as under it
        aligned = min(abs(cb[1] - box[1]), abs(cb[3] - box[3])) <= SIDE_ALIGN
        if d >= -6:
            candidates.append(
                (
                    max(d, 0.0) + (4.0 if aligned else 24.0),
                    (min(cb[2], box[2]), cb[1], max(cb[0], box[0]), cb[3]),
                )
            )
    best: float | None = None
    for d, between in candidates:
        if (
            d > 160
            or _space_blocked(between, barriers, cb)
            or _space_blocked(between, captions, cb, OTHER_CAPTION_IN_WAY)
        ):
            continue
        if best is None or d < best:
            best = d
    return best


SIDE_ALIGN = 3.0  # points between the edges of a caption and a figure set flush beside it
OTHER_CAPTION_IN_WAY = 0.25  # share of another caption inside the way that blocks it


def _space_blocked(between: BBox, barriers: Sequence[BBox], own: BBox, share: float = 0.5) -> bool:
    x0, y0, x1, y1 = between
    box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    for b in barriers:
        if b == own:
            continue
        if intersection(box, b) > share * area(b) > 0:
            return True
    return False


NOTCH_COST = 4.0  # points added to the gap between a notched caption and its figure's graphics


def in_corner_notch(cap: BBox, graphics: list[BBox], box: BBox) -> bool:
    """Whether caption ``cap`` sits in a corner notch of a figure: inside the figure's box
    ``box``, over none of its ``graphics``, and open (no graphic in the way) to the box's
    edge both up or down and left or right, with graphics close by on the other two sides
    (a caption beside the lower panel of an L-shaped figure, under the short one of two).
    A caption between two stacked figures is open only sideways, which is not a corner; a
    caption beside a picture in a box of text is walled in by nothing over or under it."""
    if not contains(box, cap, slack=2.0):
        return False
    g = np.asarray(graphics, dtype=np.float64).reshape(-1, 4)
    # summed in order, as a loop would; one array, not a loop (a page may hold 20,000 paths)
    covered = np.cumsum(_intersections(cap, g))
    if covered.size and covered[-1] > NOTCH_OVERLAP * area(cap):
        return False
    x0, y0, x1, y1 = cap
    strips = {
        "up": (x0, box[1], x1, y0),
        "down": (x0, y1, x1, box[3]),
        "left": (box[0], y0, x0, y1),
        "right": (x1, y0, box[2], y1),
    }
    free = {side: bool((_intersections(strip, g) <= 1.0).all()) for side, strip in strips.items()}
    # and walled in by graphics close by on the other two sides
    near = {
        "up": (x0, y0 - NOTCH_GAP, x1, y0),
        "down": (x0, y1, x1, y1 + NOTCH_GAP),
        "left": (x0 - NOTCH_GAP, y0, x0, y1),
        "right": (x1, y0, x1 + NOTCH_GAP, y1),
    }
    wall = {side: bool((_intersections(strip, g) > 0).any()) for side, strip in near.items()}
    corner = ((free["up"] and wall["down"]) or (free["down"] and wall["up"])) and (
        (free["left"] and wall["right"]) or (free["right"] and wall["left"])
    )
    slot = wall["left"] and wall["right"] and (free["up"] or free["down"])
    return corner or slot


NOTCH_OVERLAP = 0.1  # share of a notched caption that its figure's graphics may cover (shadows)


def _notched(cap: BBox, parts: list[Region], box: BBox) -> bool:
    """Whether the parts of a figure leave its caption in a corner notch, set close to the
    part that is merged in last (the caption under one panel, beside the other)."""
    graphics = [b for part in parts for b in part.graphic_boxes]
    return (
        gap(cap, parts[-1].bbox) <= NOTCH_GAP
        and bool(graphics)
        and in_corner_notch(cap, graphics, box)
    )


NOTCH_GAP = 30.0  # points at most between a notched caption and the part beside it


def notch_distance(cap: Caption, region: Region) -> float | None:
    """:func:`caption_distance` for a caption in a corner notch of ``region``, else None."""
    graphics = region.graphic_boxes
    box = region.bbox
    # a caption in a text box over a drawing's blank corner may stick out past its edge
    # (a word processor's figure): the part over the figure is what sits in the notch
    inside = (max(cap.bbox[0], box[0]), max(cap.bbox[1], box[1]))
    inside += (min(cap.bbox[2], box[2]), min(cap.bbox[3], box[3]))
    if not graphics or inside[0] >= inside[2] or inside[1] >= inside[3]:
        return None
    if not in_corner_notch(inside, graphics, box) and not _hangs_under(cap.bbox, region):
        return None
    cb = cap.bbox  # computed from its lines on each call
    return min(gap(cb, g) for g in graphics) + NOTCH_COST


def level_distance(
    cap: Caption, region: Region, barriers: list[BBox], captions: Sequence[BBox] = ()
) -> float | None:
    """:func:`caption_distance` of a side caption from the part of ``region`` level with it,
    when the region reaches over (or under) the caption's column elsewhere: a label set
    over the figure's top right, out past its body, does not put the caption beside the body
    inside the figure. None when anything of the region lies on the caption."""
    cb = cap.bbox
    level = [e.bbox for e in region.elements if min(e.bbox[3], cb[3]) - max(e.bbox[1], cb[1]) > 0]
    if not level or any(intersection(e.bbox, cb) > 0 for e in region.elements):
        return None
    # a bar or rule of the region across the caption's whole width, over or under it (a
    # sidebar's title bar), walls the caption into a box of its own
    if any(e.bbox[0] <= cb[0] and e.bbox[2] >= cb[2] for e in region.elements):
        return None
    box = region.bbox
    x0, x1 = min(b[0] for b in level), max(b[2] for b in level)
    if x1 <= cb[0]:
        box = (box[0], box[1], x1, box[3])
    elif x0 >= cb[2]:
        box = (x0, box[1], box[2], box[3])
    else:
        return None
    d = caption_distance(cap, box, barriers, captions)
    return None if d is None else d + NOTCH_COST


def _hangs_under(cap: BBox, region: Region) -> bool:
    """Whether ``cap`` hangs under the part of ``region`` above it and out past its side (a
    word processor's caption under a diagram's right half, a label under the left half
    reaching lower than the caption's top): everything of the region within the caption's
    width ends over it, its graphics close over it, and the caption runs on past the
    region's box sideways."""
    box = region.bbox
    if not (cap[2] > box[2] + 2 or cap[0] < box[0] - 2):
        return False
    over = [e.bbox for e in region.elements if min(e.bbox[2], cap[2]) - max(e.bbox[0], cap[0]) > 0]
    graphics = [
        e.bbox
        for e in region.elements
        if e.kind != "text" and min(e.bbox[2], cap[2]) - max(e.bbox[0], cap[0]) > 0
    ]
    return (
        bool(over)
        and all(b[3] <= cap[1] + 2 for b in over)
        and any(cap[1] - b[3] <= NOTCH_GAP for b in graphics)
    )


LETTER_COST = 20.0  # points added between a lettered panel and a caption that names no panels
TEXT_BOX_COST = 20.0  # points added between a caption and a shaded box of text (a code
# listing under it): a drawing as near on its other side is its figure
CODE_BOX_COST = 20.0  # and more when its lines are code: luadraw's captions, set between a
# listing and the drawing it makes, took the listing 18 pt over them before the drawing
# 27 to 37 pt under them (a framed stack of labelled boxes, in a proportional face, is a
# diagram that may be as near as the listing: SRF's Figure 6.4)


def _mostly_code(region: Region, lines: list[TextLine]) -> bool:
    """Whether most of the text lines inside ``region`` are set in a fixed-width face."""
    held = lines_in(region.bbox, lines)
    return bool(held) and 2 * sum(ln.mono for ln in held) > len(held)


_PANEL_LETTER = re.compile(r"\(?[A-Ha-h]\)?")


def _lettered(regions: list[Region], lines: list[TextLine]) -> set[int]:
    """Indices of regions with a panel letter ("a", "(B)") printed inside their graphics,
    off the middle of the graphic holding it: a letter in the middle of a drawn box names
    the box (a matrix "A" in a scheme of matrices), not a panel."""
    letters = [ln.bbox for ln in lines if _PANEL_LETTER.fullmatch(ln.text.strip())]
    if not letters:
        return set()
    b = np.asarray(letters, dtype=np.float64)
    out = set()
    for ri, region in enumerate(regions):
        graphics = region.graphic_boxes
        if not graphics:
            continue
        g = np.asarray(graphics, dtype=np.float64)  # one array: a plot may hold 20,000 paths
        if (containment(b, g) & ~_in_middle(b, g)).any():
            out.add(ri)
    return out


def _in_middle(boxes: np.ndarray, outers: np.ndarray) -> np.ndarray:
    """(len(boxes), len(outers)): whether each box's centre lies in the middle half of each
    outer box both ways."""
    fx = ((boxes[:, None, 0] + boxes[:, None, 2]) / 2 - outers[None, :, 0]) / np.maximum(
        outers[None, :, 2] - outers[None, :, 0], 1e-6
    )
    fy = ((boxes[:, None, 1] + boxes[:, None, 3]) / 2 - outers[None, :, 1]) / np.maximum(
        outers[None, :, 3] - outers[None, :, 1], 1e-6
    )
    return (fx >= 0.25) & (fx <= 0.75) & (fy >= 0.25) & (fy <= 0.75)


def assign(
    captions: list[Caption],
    regions: list[Region],
    barriers: list[BBox],
    lines: list[TextLine] | None = None,
) -> dict[int, list[int]]:
    """One-to-one caption <-> region matching (:func:`_matching`), then absorb stray parts.

    With the page's ``lines``, a picture lettered as a panel ("a" in its corner) leans to a
    caption that names panels: one that names none is :data:`LETTER_COST` farther from it
    (a side caption between panel a of one figure and the photo of the next).

    Returns ``{caption index: [region indices]}`` (``regions`` is updated in place when
    :func:`split_at_caption_gutters` cuts one).
    """
    regions[:] = split_tables_over_figures(captions, split_at_caption_gutters(captions, regions))
    lettered = _lettered(regions, lines or [])
    pairs: list[tuple[float, int, int]] = []
    caption_boxes = [c.bbox for c in captions]
    # a listing of two lines (R's output under its call) is a figure only when nothing else is
    listings = [_text_box(r, min_lines=2) for r in regions]
    # one of three lines or more is never a stray part of a figure
    listing_captions = [c.bbox for c in captions if c.kind == "listing"]
    boxes_of_text = [
        (listing and _text_box(r))
        or _ruled_table(r)
        or _code(r, lines or [])
        or _listing_body(r, listing_captions)
        for listing, r in zip(listings, regions, strict=True)
    ]
    # a shaded box of text is far from a caption; one of code (fixed-width lines) farther
    text_cost = [
        (TEXT_BOX_COST + (CODE_BOX_COST if _mostly_code(r, lines or []) else 0.0))
        if listing
        else 0.0
        for listing, r in zip(listings, regions, strict=True)
    ]
    for ci, cap in enumerate(captions):
        if cap.kind == "listing":
            # its code is text (or glyphs drawn as paths): it claims no region, lest an
            # algorithm's caption over a ruled block of text take the plots under the block
            continue
        plain = bool(lettered) and not names_panels(cap.text, cap.printed_label)
        for ri, region in enumerate(regions):
            d = caption_distance(cap, region.bbox, barriers, caption_boxes)
            if d is None:
                d = notch_distance(cap, region)
            if d is None:
                d = level_distance(cap, region, barriers, caption_boxes)
            if d is not None:
                d += LETTER_COST if plain and ri in lettered else 0.0
                pairs.append((d + text_cost[ri], ci, ri))
    found = _matched(captions, regions, barriers, pairs, boxes_of_text)
    if len(captions) > 1 and len(found[1]) < len(regions):
        found = _one_side(captions, regions, barriers, pairs, boxes_of_text, found)
    out, taken, nearest = found
    if lines and _far_above(captions, regions, lines, out, taken):
        # the rest of its row
        _absorb(captions, regions, barriers, out, taken, nearest, boxes_of_text)
    if lines:
        _stacked_parts(captions, regions, lines, out, taken, boxes_of_text)
        _lone_caption_parts(captions, regions, lines, out, taken, boxes_of_text)
    _grid_cells_to_figures(captions, regions, out)
    return out


CELL_ALIGN = 1.5  # points: the cells of a grid of plots drawn alike line up this closely


def _same_cell(a: BBox, b: BBox) -> bool:
    """Whether ``a`` and ``b`` are cells of one grid: the same size, apart, and lined up in a
    row (tops level) or a column (left sides level)."""
    same_size = (
        abs((a[2] - a[0]) - (b[2] - b[0])) <= CELL_ALIGN
        and abs((a[3] - a[1]) - (b[3] - b[1])) <= CELL_ALIGN
    )
    lined_up = abs(a[1] - b[1]) <= CELL_ALIGN or abs(a[0] - b[0]) <= CELL_ALIGN
    return same_size and lined_up and intersection(a, b) == 0


def _grid_cells_to_figures(
    captions: list[Caption], regions: list[Region], out: dict[int, list[int]]
) -> None:
    """Parts a table's caption took that are cells of a figure's grid (the same size as a
    part of the figure under the table, in a row or a column with it, within
    :data:`STACK_GAP`) go to the figure: Rythmos' 2 x 2 plots under Table 2, whose right
    column the table took, and gretl's under a table of text, whose top row it took."""
    moved = True
    while moved:
        moved = False
        for ct, members in out.items():
            if captions[ct].kind != "table":
                continue
            for cf, parts in out.items():
                if captions[cf].kind != "figure" or cf == ct:
                    continue
                cells = [
                    r
                    for r in members
                    if any(
                        _same_cell(regions[p].bbox, regions[r].bbox)
                        and gap(regions[p].bbox, regions[r].bbox) <= STACK_GAP
                        for p in parts
                    )
                ]
                if cells:
                    members[:] = [r for r in members if r not in cells]
                    parts.extend(cells)
                    moved = True
    for ct in [c for c, members in out.items() if not members]:
        del out[ct]  # the table's caption is left without a region, as if it had found none


_Matched = tuple[dict[int, list[int]], set[int], dict[int, dict[int, float]]]


def _matched(
    captions: list[Caption],
    regions: list[Region],
    barriers: list[BBox],
    pairs: list[tuple[float, int, int]],
    boxes_of_text: list[bool],
) -> _Matched:
    """:func:`_matching` over ``pairs``, then :func:`_absorb`: ``{caption: [regions]}``, the
    regions taken, and each region's distance to each caption."""
    out = {ci: [ri] for ci, ri in _matching(pairs, len(captions), len(regions))}
    taken = {ri for members in out.values() for ri in members}
    nearest: dict[int, dict[int, float]] = {}  # region -> caption -> distance
    for d, ci, ri in pairs:
        near = nearest.setdefault(ri, {})
        near[ci] = min(d, near.get(ci, d))
    _absorb(captions, regions, barriers, out, taken, nearest, boxes_of_text)
    return out, taken, nearest


SIDE_SLACK = 4.0  # points a figure may reach past its caption's edge and still be on its side


def _one_side(
    captions: list[Caption],
    regions: list[Region],
    barriers: list[BBox],
    pairs: list[tuple[float, int, int]],
    boxes_of_text: list[bool],
    found: _Matched,
) -> _Matched:
    """The matching with every figure caption under its figure, or every one over it, where
    that leaves fewer regions without a caption and no caption without a figure.

    Three diagrams stacked each over its caption (Theora's specification): each caption is
    a little nearer to the diagram under it, so the nearest matching gives the first caption
    the second diagram, the second the third, the third a part of the third, and leaves the
    first diagram alone. A page sets its captions on one side."""
    best = found
    for under in (True, False):
        side = [
            (d, ci, ri)
            for d, ci, ri in pairs
            if captions[ci].kind != "figure"
            or (
                regions[ri].bbox[3] <= captions[ci].bbox[1] + SIDE_SLACK
                if under
                else regions[ri].bbox[1] >= captions[ci].bbox[3] - SIDE_SLACK
            )
        ]
        if len(side) == len(pairs):
            continue
        trial = _matched(captions, regions, barriers, side, boxes_of_text)
        if len(trial[0]) >= len(best[0]) and len(trial[1]) > len(best[1]):
            best = trial
    return best


FAR_CAPTION = 320.0  # points: the most blank space between a plot and a caption left alone


def _far_above(
    captions: list[Caption],
    regions: list[Region],
    lines: list[TextLine],
    out: dict[int, list[int]],
    taken: set[int],
) -> bool:
    """A figure caption left without a figure takes the free region straight above it
    across blank paper further than :func:`caption_distance` looks (an R plot drawn at the
    top of a tall device: 180 pt of white between the colour swatches and their caption),
    or the one just above it and to its right (a short caption flush left under a centred
    plot), when no text or other region lies in the space between. Returns whether one did."""
    line_boxes = [ln.bbox for ln in lines]
    found = False
    for ci, cap in enumerate(captions):
        if ci in out or cap.kind != "figure":
            continue
        cb = cap.bbox
        best: tuple[float, int] | None = None
        for ri, region in enumerate(regions):
            box = region.bbox
            d = cb[1] - box[3]
            if ri in taken or not -6 <= d <= FAR_CAPTION:
                continue
            # or a short caption set flush left under a centred plot, clear of it sideways
            # (Octave's manual: "Figure 15.4: Polar plot." 34 pt under its narrow plot)
            flush_left = d <= NEAR_UNALIGNED and cb[0] < box[0] and cb[2] < box[2]
            if not _column_aligned(cb, box) and not flush_left:
                continue
            way = (min(box[0], cb[0]), box[3] + 1, max(box[2], cb[2]), cb[1] - 1)
            if not _way_clear(way, line_boxes, regions, ri):
                continue
            if best is None or d < best[0]:
                best = (d, ri)
        if best is not None:
            out[ci] = [best[1]]
            taken.add(best[1])
            found = True
    return found


NEAR_UNALIGNED = 48.0  # points: a caption clear of its figure sideways is this near under it
STACKED_PART_GAP = 100.0  # points: code lines echoed between a figure's rows (a Sweave float)
STACKED_PART_LINES = 3  # text lines at most between them: more is a paragraph
_ROW_WORDS = (  # "Top-Left:", "(upper panel)", "bottom row:"
    r"(?:[- ](?:left|right|cent(?:re|er)|middle))?"
    r"(?:[- ](?:rows?|panels?|plots?|graphs?|half|images?))?\s*[:)]"
)
_NAMES_TOP = re.compile(rf"(?:\(|\b)(?:top|upper){_ROW_WORDS}", re.IGNORECASE)
_NAMES_BOTTOM = re.compile(rf"(?:\(|\b)(?:bottom|lower){_ROW_WORDS}", re.IGNORECASE)


def names_rows(text: str) -> bool:
    """Whether a caption describes a top and a bottom part ("Top: ...; Bottom: ...",
    "(upper panel) ... (lower panel)"): its figure has at least two rows."""
    return bool(_NAMES_TOP.search(text) and _NAMES_BOTTOM.search(text))


def _stacked_parts(
    captions: list[Caption],
    regions: list[Region],
    lines: list[TextLine],
    out: dict[int, list[int]],
    taken: set[int],
    boxes_of_text: list[bool],
) -> None:
    """A figure whose caption names a top and a bottom part but that came out as one row
    takes the free regions stacked right beyond it (away from its caption) across a few
    lines of text: an R vignette echoes the code of the second plot between the two.
    Boxes of text (``boxes_of_text``, by region) are never such a part."""
    named = [ci for ci in out if captions[ci].kind == "figure" and names_rows(captions[ci].text)]
    for ci in named:
        cap, members = captions[ci], out[ci]
        boxes = [regions[r].bbox for r in members]
        if any(_v_overlap(a, b) <= 0 for a in boxes for b in boxes):
            continue  # rows already
        fig = union(boxes)
        below = _caption_under(cap.bbox, fig)
        if below is None:
            continue  # a side caption
        parts = []
        for ri, region in enumerate(regions):
            box = region.bbox
            if ri in taken or boxes_of_text[ri]:
                continue
            if not _stacked_beyond(fig, box, below, STACKED_PART_GAP):
                continue
            band = _between(fig, box, below, fig[0], fig[2])
            inside = [ln for ln in lines if intersection(band, ln.bbox) > 0.5 * area(ln.bbox)]
            if len(inside) > STACKED_PART_LINES or any(
                intersection(band, c.bbox) > 0 for c in captions
            ):
                continue
            parts.append(ri)
        members.extend(parts)
        taken.update(parts)


def _lone_caption_parts(
    captions: list[Caption],
    regions: list[Region],
    lines: list[TextLine],
    out: dict[int, list[int]],
    taken: set[int],
    boxes_of_text: list[bool],
) -> None:
    """The one caption of a page takes the free pictures stacked beyond its figure (away
    from it) across blank paper, farther than a stray part is looked for: a report's bar
    chart over the table of its numbers, 85 pt apart, under one caption (Py-ART's roadmap),
    when no text line and no other region lies between. Text (a box of it, a shaded listing
    of numbered lines) is no such part."""
    if len(captions) != 1 or captions[0].kind != "figure" or 0 not in out:
        return
    cap, members = captions[0], out[0]
    fig = union([regions[r].bbox for r in members])
    below = _caption_under(cap.bbox, fig)
    if below is None:
        return  # a side caption
    line_boxes = [ln.bbox for ln in lines]
    found = True
    while found:
        found = False
        for ri, region in enumerate(regions):
            box = region.bbox
            if ri in taken or boxes_of_text[ri] or not region.graphic_boxes:
                continue
            held = [ln.bbox for ln in lines_in(box, lines)]
            if sum(map(area, held)) >= TEXTY_SHARE * area(box):
                continue  # a box of text: its lines (a listing's) cover much of it
            if not _stacked_beyond(fig, box, below, LONE_PART_GAP):
                continue
            band = _between(fig, box, below, min(fig[0], box[0]), max(fig[2], box[2]))
            if not _way_clear(band, line_boxes, regions, ri):
                continue
            members.append(ri)
            taken.add(ri)
            fig = union([fig, box])
            found = True


LONE_PART_GAP = 120.0  # points of blank paper between a page's one figure and a part of it


def _caption_under(cap: BBox, fig: BBox) -> bool | None:
    """Whether a caption is under its figure (True: parts beyond it stand over the figure),
    over it (False), or beside it (None)."""
    if cap[1] >= fig[3] - 2:
        return True
    return None if cap[3] > fig[1] + 2 else False


def _stacked_beyond(fig: BBox, box: BBox, below: bool, reach: float) -> bool:
    """Whether ``box`` stands over ``fig`` (``below``: its caption under it) or under it,
    within ``reach`` points and half of its width or more level with the figure."""
    d = fig[1] - box[3] if below else box[1] - fig[3]
    return 0 <= d <= reach and _h_overlap(fig, box) >= 0.5 * (box[2] - box[0])


def _between(fig: BBox, box: BBox, below: bool, x0: float, x1: float) -> BBox:
    """The paper between ``fig`` and ``box`` stacked beyond it (over it when ``below``: the
    caption under the figure), from ``x0`` to ``x1``."""
    return (x0, box[3], x1, fig[1]) if below else (x0, fig[3], x1, box[1])


def _way_clear(way: BBox, line_boxes: list[BBox], regions: list[Region], skip: int) -> bool:
    """Whether no text line and no region but ``regions[skip]`` reaches into ``way``."""
    return not any(intersection(way, b) > 0 for b in line_boxes) and not any(
        intersection(way, r.bbox) > 0 for k, r in enumerate(regions) if k != skip
    )


EXACT_MATCH_MAX_CAPTIONS = 10  # pages with more captions go to scipy's solver


def _matching(
    pairs: list[tuple[float, int, int]], n_captions: int, n_regions: int
) -> list[tuple[int, int]]:
    """One region per caption: as many captions matched as possible, then the least total
    distance. Nearest-first would give a caption the figure under it, though it is the only
    figure the next caption can have (captions set under figures, one figure per caption).

    A page has a handful of captions, so the optimum is found exactly by dynamic programming
    over the sets of captions already matched; scipy's assignment solver, whose import alone
    took a corpus worker 0.3 s (a third of a small build), serves only crowded pages.
    """
    if not pairs:
        return []
    if n_captions > EXACT_MATCH_MAX_CAPTIONS:
        return _solver_matching(pairs, n_captions, n_regions)
    nearest: dict[tuple[int, int], float] = {}
    for d, ci, ri in pairs:
        nearest[ci, ri] = min(d, nearest.get((ci, ri), d))
    by_region: dict[int, list[tuple[float, int]]] = {}
    for (ci, ri), d in nearest.items():
        by_region.setdefault(ri, []).append((d, ci))
    # captions matched (bit mask) -> (matches, total distance, the pairs)
    best: dict[int, tuple[int, float, tuple[tuple[int, int], ...]]] = {0: (0, 0.0, ())}
    for ri in sorted(by_region):
        grown = dict(best)
        for mask, (k, total, chosen) in best.items():
            for d, ci in sorted(by_region[ri], key=lambda t: t[1]):
                if mask >> ci & 1:
                    continue
                cand = (k + 1, total + d, (*chosen, (ci, ri)))
                old = grown.get(mask | 1 << ci)
                if old is None or (cand[0], -cand[1]) > (old[0], -old[1]):
                    grown[mask | 1 << ci] = cand
        best = grown
    top = max(best.values(), key=lambda v: (v[0], -v[1]))
    return sorted(top[2])


def _solver_matching(
    pairs: list[tuple[float, int, int]], n_captions: int, n_regions: int
) -> list[tuple[int, int]]:
    """:func:`_matching` by scipy's linear assignment solver."""
    from scipy.optimize import linear_sum_assignment

    big = 1e6  # a matched pair is worth more than any distance
    cost = np.full((n_captions, n_regions), big)
    for d, ci, ri in pairs:
        cost[ci, ri] = min(cost[ci, ri], d - big)
    rows, cols = linear_sum_assignment(cost)
    return [(int(c), int(r)) for c, r in zip(rows, cols, strict=True) if cost[c, r] < 0]


def _caption_row(captions: list[Caption], region: Region) -> list[BBox]:
    """Figure captions side by side right under (or over) ``region``, each mostly within its
    width, left to right; fewer than two: none. A caption under a shorter picture of the row
    starts above the region's bottom edge: it may, where hardly any graphic is over it (a
    drop shadow's strip does not count)."""
    box = region.bbox
    # a picture's drop shadow (a strip a few points thick) may run into the caption under it
    graphics = [g for g in region.graphic_boxes if min(g[2] - g[0], g[3] - g[1]) > CUT_THROUGH]
    near = [
        c.bbox
        for c in captions
        if c.kind == "figure"
        and _h_overlap(c.bbox, box) >= 0.6 * (c.bbox[2] - c.bbox[0])
        and (
            0 <= c.bbox[1] - box[3] <= ROW_GAP
            or 0 <= box[1] - c.bbox[3] <= ROW_GAP
            or (
                -ROW_GAP <= c.bbox[1] - box[3] < 0
                and c.bbox[3] > box[3]
                and sum(intersection(c.bbox, g) for g in graphics) <= NOTCH_OVERLAP * area(c.bbox)
            )
        )
    ]
    for first in near:
        row = sorted(
            (
                b
                for b in near
                if _v_overlap(b, first) > 0 and (b[3] > box[3]) == (first[3] > box[3])
            ),
            key=lambda b: b[0],
        )
        if len(row) >= 2 and all(a[2] <= b[0] + 2 for a, b in pairwise(row)):
            return row
    return []


CUT_THROUGH = 6.0  # points: a graphic this narrow (a drop shadow's strip) does not hold a cut


def _free_cut(elements: list[Element], lo: float, hi: float) -> float | None:
    """The middle of the widest stretch of ``[lo, hi]`` that no graphic element crosses
    (but for strips narrower than :data:`CUT_THROUGH`, as a photo's drop shadow)."""
    spans = sorted(
        (e.bbox[0], e.bbox[2])
        for e in elements
        if e.kind != "text" and e.bbox[2] - e.bbox[0] > CUT_THROUGH
    )
    best: tuple[float, float] | None = None
    x = lo
    for a, b in [*spans, (hi, hi)]:
        if a > x and (best is None or min(a, hi) - x > best[1] - best[0]):
            best = (x, min(a, hi))
        x = max(x, b)
        if x >= hi:
            break
    return None if best is None or best[1] <= best[0] else (best[0] + best[1]) / 2


CAPTION_REACH = 15.0  # points between a caption and the region it heads or ends
CUT_SLACK = 1.5  # points: a table's last rule and a drawing's top may touch


def split_tables_over_figures(captions: list[Caption], regions: list[Region]) -> list[Region]:
    """Cut a region that runs from right under a table's caption to right over a figure's
    caption where the table ends: a ruled table set flush on a diagram (Boost's GTL paper:
    "Table 1. GTL Concepts", its grid, and under its last rule the refinement diagram that
    "Figure 2." names) clusters into one region, which the figure then took whole."""
    out: list[Region] = []
    for region in regions:
        out.extend(_table_over_figure(captions, region) or [region])
    return out


def _table_over_figure(captions: list[Caption], region: Region) -> list[Region] | None:
    box = region.bbox

    def heads(kind: str, c: Caption) -> bool:
        return c.kind == kind and _h_overlap(c.bbox, box) > 0.5 * (c.bbox[2] - c.bbox[0])

    if not any(heads("table", c) and 0 <= box[1] - c.bbox[3] <= CAPTION_REACH for c in captions):
        return None
    if not any(heads("figure", c) and 0 <= c.bbox[1] - box[3] <= CAPTION_REACH for c in captions):
        return None
    # the lowest free cut whose part over it is a ruled table and nothing else (one over a
    # table's top rows only leaves a table under it, no figure)
    for y in sorted({e.bbox[3] for e in region.elements}, reverse=True):
        upper = [e for e in region.elements if e.bbox[3] <= y + CUT_SLACK]
        lower = [e for e in region.elements if e.bbox[3] > y + CUT_SLACK]
        if not lower or any(e.bbox[1] < y - CUT_SLACK for e in lower):
            continue
        if _ruled_table(Region(upper)):
            table, figure = Region(upper), Region(lower)
            return [table, figure] if significant(figure) else None
    return None


def split_at_caption_gutters(captions: list[Caption], regions: list[Region]) -> list[Region]:
    """Cut a region that sits over a row of captions at the gutters between them.

    Two charts a few points apart, each over its own caption ("Fig. 3" | "Fig. 4"),
    cluster into one region; the gap under the captions' gutter, crossed by no graphic,
    is where they part. Pieces that would not be figures on their own undo the cut.
    """
    out: list[Region] = []
    for region in regions:
        row = _caption_row(captions, region)
        cuts = [_free_cut(region.elements, a[2] - 2, b[0] + 2) for a, b in pairwise(row)]
        if not row or None in cuts:
            out.append(region)
            continue
        edges = [-np.inf, *cuts, np.inf]
        pieces = [
            Region([e for e in region.elements if lo <= (e.bbox[0] + e.bbox[2]) / 2 < hi])
            for lo, hi in pairwise(edges)
        ]
        if all(p.elements and significant(p) for p in pieces):
            out.extend(pieces)
        else:
            out.append(region)
    return out


ROW_CENTRING = 0.1  # of a row's width: its centre off its caption's (plots' white margins)


def level(a: BBox, b: BBox) -> bool:
    """Whether two boxes stand side by side: level across half the shorter one's height."""
    return _v_overlap(a, b) >= 0.5 * min(a[3] - a[1], b[3] - b[1])


def _beside_column(cb: BBox, fig_box: BBox, box: BBox) -> bool:
    """Whether ``box`` stands beside the side caption ``cb`` (level with part of its
    column, within :data:`~litclip.corpus.extract.captions.SIDE_REACH` of it) on the same
    side as the figure ``fig_box``."""
    if not (box[1] < cb[3] and box[3] > cb[1]):
        return False
    if fig_box[0] >= cb[2] and box[0] >= cb[2]:
        return box[0] - cb[2] <= SIDE_REACH
    if fig_box[2] <= cb[0] and box[2] <= cb[0]:
        return cb[0] - box[2] <= SIDE_REACH
    return False


def _beside_over_caption(
    cap: Caption, fig_box: BBox, box: BBox, barriers: list[BBox], free: Sequence[BBox] = ()
) -> bool:
    """A subfigure of a row over one caption ("(a) | (b)" set wide apart): level with the
    figure, within the caption's width or making a row centred on it (a part no narrower
    than the gap to it: not a tab in the page margin), on the same side of it, with a clear
    way to it. The row spans the ``free`` parts level with the figure on that side too (a
    grid of three plots a row over a caption set flush left)."""
    cb = cap.bbox

    def over(b: BBox) -> bool:
        return b[3] <= cb[1] + 6

    def under(b: BBox) -> bool:
        return b[1] >= cb[3] - 6

    above = over(fig_box) and over(box)
    if not (level(fig_box, box) and (above or (under(fig_box) and under(box)))):
        return False
    side = over if over(fig_box) else under
    mates = [b for b in free if side(b) and level(fig_box, b)]
    row = min(b[0] for b in (fig_box, box, *mates)), max(b[2] for b in (fig_box, box, *mates))
    # the part no narrower than the gap to it, or both under the caption's reach (DLRG's two
    # logos, (a) and (b), 127 pt apart over a caption running under each)
    centred = abs((row[0] + row[1]) - (cb[0] + cb[2])) / 2 <= ROW_CENTRING * (row[1] - row[0]) and (
        gap(fig_box, box) <= box[2] - box[0]
        or (_h_overlap(cb, fig_box) > 0 and _h_overlap(cb, box) > 0)
    )
    if not (box[0] >= cb[0] - 10 and box[2] <= cb[2] + 10) and not centred:
        return False  # neither within the caption's width nor a row centred on it
    # the way to the caption is clear (however far: the figure beside it is nearer)
    way = (box[0], box[3], box[2], cb[1]) if above else (box[0], cb[3], box[2], box[1])
    return not _space_blocked(way, barriers, cb)


TABLE_RULES = 3  # rules across a table's whole width (top, under its head, bottom)
TABLE_SPAN = 0.9  # of the region's width: a table's rules run across it
TABLE_HELD = 0.8  # of its text lines between its first and last rule


def _ruled_table(region: Region) -> bool:
    """Whether ``region`` is a table of text between rules and nothing else (a table run on
    from the page before, its caption there): thin rules only, :data:`TABLE_RULES` or more
    of them across its whole width, and :data:`TEXT_BOX_LINES` lines of text or more, nearly
    all between the first and the last of those rules. A legend's short line samples, a
    plot's curves or bars, a grid whose tick labels stand outside it, or a picture make it
    no table; it is not a stray part of the figure next to it."""
    shapes = [e for e in region.elements if e.kind != "text"]
    texts = [e.bbox for e in region.elements if e.kind == "text"]
    if not shapes or len(texts) < TEXT_BOX_LINES or any(e.kind != "path" for e in shapes):
        return False
    if any(min(e.bbox[2] - e.bbox[0], e.bbox[3] - e.bbox[1]) > TEXT_RULE for e in shapes):
        return False  # a bar, a box or a curve's span: graphics, not rules
    x0, _, x1, _ = union([e.bbox for e in shapes])
    across = [
        b
        for b in _joined_rules([e.bbox for e in shapes if e.bbox[3] - e.bbox[1] <= TEXT_RULE])
        if b[2] - b[0] >= TABLE_SPAN * (x1 - x0)
    ]
    if len(across) < TABLE_RULES:
        return False
    ruled = (x0, min(b[1] for b in across), x1, max(b[3] for b in across))
    held = sum(contains(ruled, t, slack=2.0) for t in texts)
    return held >= TABLE_HELD * len(texts)


def _joined_rules(rules: list[BBox]) -> list[BBox]:
    """Horizontal rules drawn in pieces, a cell's width each (a word processor's table),
    joined where they meet on one line."""
    out: list[BBox] = []
    for r in sorted(rules, key=lambda b: (round(b[1], 1), b[0])):
        last = out[-1] if out else None
        if (
            last
            and abs(last[1] - r[1]) <= 0.5
            and abs(last[3] - r[3]) <= 0.5
            and r[0] <= last[2] + 1.0
        ):
            out[-1] = (last[0], min(last[1], r[1]), max(last[2], r[2]), max(last[3], r[3]))
        else:
            out.append(r)
    return out


TEXT_OUT = 2.0  # points a box's text may stand out of it


def _text_box(region: Region, min_lines: int = TEXT_BOX_LINES) -> bool:
    """Whether ``region`` is a box of text and nothing else (the shaded code listing a
    vignette prints over the plot it makes): one big drawn box (a bar down its side
    allowed), or shaded bands across its whole width that fill it (a note printed row by
    row), holding ``min_lines`` or more lines of text, with any other text over or under
    it. It is not a stray part of the figure next to it."""
    shapes = [e.bbox for e in region.elements if e.kind != "text"]
    if not shapes or any(e.kind not in ("text", "path") for e in region.elements):
        return False
    box = frame = union(shapes)
    # a bar or rule set in the text (a fraction's, an underline) is no shape of its own,
    # nor is the bar down a listing's side
    shapes = [
        s
        for s in shapes
        if (s[3] - s[1] > TEXT_RULE or not contains(box, s, slack=-1.0))
        and not (
            s[2] - s[0] <= SIDE_BAR and (s[0] <= box[0] + SIDE_BAR or s[2] >= box[2] - SIDE_BAR)
        )
    ]
    if not shapes:
        return False
    box = union(shapes)
    width = box[2] - box[0]
    if any(s[2] - s[0] < 0.9 * width for s in shapes) or sum(map(area, shapes)) < 0.9 * area(box):
        return False
    texts = [e.bbox for e in region.elements if e.kind == "text"]
    # a prompt's dots may stand a little out of the band (simuPOP's "..." by 1.3 pt)
    inside = [t for t in texts if contains(box, t, slack=TEXT_OUT)]
    # lines set right over or under the box and within its frame's width (the sentence or
    # heading leading into a listing, flush with the bars down its sides; verbatim lines
    # before it) are the listing's surroundings, not a figure's; a math glyph's box may
    # reach into the box by more than its ink (luadraw's manual)
    around = all(
        ((t[1] + t[3]) / 2 <= box[1] or (t[1] + t[3]) / 2 >= box[3])
        and frame[0] - 1.0 <= t[0]
        and t[2] <= frame[2] + 1.0
        for t in texts
        if not contains(box, t, slack=TEXT_OUT)
    )
    return _text_box_sized(box) and len(inside) >= min_lines and around


def _code_chunks(region: Region, lines: list[TextLine]) -> bool:
    """Whether ``region`` is shaded code chunks and nothing else (knitr prints each call on
    a grey band over the plot it makes, one or two lines a band): bands across its whole
    width, each holding text, all its text inside them and set in a fixed-width font. Too
    few lines for :func:`_text_box`, they are no stray part of the plot 12 pt under them
    (genefilter's vignette had its Figure 2 boxed with the two calls over it)."""
    if any(e.kind not in ("text", "path") for e in region.elements):
        return False
    bands = [
        e.bbox for e in region.elements if e.kind == "path" and e.bbox[3] - e.bbox[1] > TEXT_RULE
    ]
    texts = [e.bbox for e in region.elements if e.kind == "text"]
    if not bands or not texts:
        return False
    x0, _, x1, _ = union(bands)
    if any(b[2] - b[0] < 0.9 * (x1 - x0) for b in bands):
        return False

    def on_band(t: BBox, b: BBox) -> bool:  # a long call may run past the band's right end
        return b[1] - 1.0 <= t[1] and t[3] <= b[3] + 1.0 and b[0] - 1.0 <= t[0] < b[2]

    if not all(any(on_band(t, b) for b in bands) for t in texts):
        return False
    if not all(any(on_band(t, b) for t in texts) for b in bands):
        return False
    held = [ln for ln in lines if any(on_band(ln.bbox, b) for b in bands)]
    return bool(held) and all(ln.mono for ln in held)


def _code(region: Region, lines: list[TextLine]) -> bool:
    """Whether ``region`` is a piece of a code listing (:func:`_code_chunks`,
    :func:`_ruled_code`): no part of a figure, however close."""
    return _code_chunks(region, lines) or _ruled_code(region, lines)


def _ruled_code(region: Region, lines: list[TextLine]) -> bool:
    """Whether ``region`` is the end of a code listing and nothing else: thin rules (the
    listing's frame) and text, two lines of it or more and at least half of them set in a
    fixed-width font. It is no stray part of a picture beside it (mets' Tufte-style vignette
    had a margin figure boxed with the listing's last lines level with it)."""
    shapes = [e.bbox for e in region.elements if e.kind != "text"]
    if not shapes or any(e.kind not in ("text", "path") for e in region.elements):
        return False
    if any(min(s[2] - s[0], s[3] - s[1]) > TEXT_RULE for s in shapes):
        return False
    held = lines_in(region.bbox, lines)
    code = sum(ln.mono for ln in held)
    return code >= 2 and 2 * code >= len(held)


def _listing_body(region: Region, listing_captions: list[BBox]) -> bool:
    """Whether ``region`` is the body of an algorithm or listing whose caption heads it:
    thin rules and two lines of text or more, set right under the caption, in line with its
    left edge ("Algorithm 2 Refinement pass", then its numbered steps between rules). Not
    a stray part of the figure under it."""
    shapes = [e.bbox for e in region.elements if e.kind != "text"]
    texts = [e for e in region.elements if e.kind == "text"]
    if len(texts) < 2 or any(e.kind not in ("text", "path") for e in region.elements):
        return False
    if any(min(s[2] - s[0], s[3] - s[1]) > TEXT_RULE for s in shapes):
        return False
    x0, y0 = region.bbox[:2]
    return any(
        0 <= y0 - cap[3] <= LISTING_GAP and abs(x0 - cap[0]) <= LISTING_GAP
        for cap in listing_captions
    )


LISTING_GAP = 6.0  # points between a listing's caption and its body's first rule, at most


TEXT_RULE = 2.0  # points: a line this thin inside a box of text is the text's (a bar)
SIDE_BAR = 5.0  # points: the bar down the side of a listing is this thin at most
TEXTY_LINES = 5  # text lines of a region that may be a sidebar rather than a panel
TEXTY_SHARE = 0.25  # of its area covered by them: a box of text (key points), not a panel


def _texty(region: Region) -> bool:
    """Whether ``region`` is mostly text (a sidebar's shaded box of bullet points, with its
    logo and bullets as images): never a panel that walls in a caption."""
    texts = [e.bbox for e in region.elements if e.kind == "text"]
    return len(texts) >= TEXTY_LINES and sum(map(area, texts)) >= TEXTY_SHARE * area(region.bbox)


def _across(cap: BBox, regions: list[Region], members: list[int] | None, region: Region) -> bool:
    """Whether a caption lies between its figure and ``region`` (its figure above it and the
    region under it, or the other way round): a caption does not reach past its own figure's
    far side, so the region is not that figure's part."""
    if not members:
        return False
    fig = union([regions[r].bbox for r in members])
    box = region.bbox
    return (fig[3] <= cap[1] + 1.0 and box[1] >= cap[3] - 1.0) or (
        fig[1] >= cap[3] - 1.0 and box[3] <= cap[1] + 1.0
    )


def _absorb(
    captions: list[Caption],
    regions: list[Region],
    barriers: list[BBox],
    out: dict[int, list[int]],
    taken: set[int],
    nearest: dict[int, dict[int, float]],
    boxes_of_text: list[bool],
) -> None:
    """Merge free regions into a captioned figure when close and nothing separates them.

    ``nearest`` holds each region's distance to each caption (:func:`caption_distance`): a
    region nearer to another caption than to the figure and its own caption stays apart.
    A box of text (``boxes_of_text``, by region: :func:`_text_box`) is never a stray part.
    """
    # a figure of fewer parts than its caption names letters for takes the parts level with
    # it from farther off ("(A) Rasmol colours, (B) Shapely colours", two tables of swatches
    # set wide apart over a short caption flush left)
    lettered = {ci: lettered_panels(captions[ci].text, captions[ci].printed_label) for ci in out}
    changed = True
    while changed:
        changed = False
        for ci, members in out.items():
            fig_box = union([regions[r].bbox for r in members])
            for ri, region in enumerate(regions):
                if ri in taken or boxes_of_text[ri]:
                    continue
                d = gap(fig_box, region.bbox)
                stacked = (
                    d <= STACK_GAP
                    and _h_overlap(fig_box, region.bbox) >= 0.5 * (region.bbox[2] - region.bbox[0])
                ) or (d <= ALIGNED_STACK_GAP and _same_sides(fig_box, region.bbox))
                short = len(members) < lettered[ci]  # of the panels its caption names
                named_row = short and d <= NAMED_ROW_GAP and level(fig_box, region.bbox)
                # or the parts beside a side caption split per panel ("A. ..." and "B. ..."
                # each beside its part, the parts wide apart down the caption's column)
                named_column = (
                    short
                    and captions[ci].beside
                    and _beside_column(captions[ci].bbox, fig_box, region.bbox)
                )
                merged = union([fig_box, region.bbox])
                own = captions[ci].bbox
                # a caption the two would wall in (a notch, a slot between panels) is
                # inside the figure; the part beside it may be as far as its width
                inside = intersection(merged, own) > 0.2 * area(own)
                notched = (
                    inside
                    and not _texty(region)
                    and _notched(own, [regions[r] for r in (*members, ri)], merged)
                )
                if inside and not notched:
                    continue
                if (
                    d > ABSORB_GAP
                    and not stacked
                    and not notched
                    and not named_row
                    and not named_column
                    and not _beside_over_caption(
                        captions[ci],
                        fig_box,
                        region.bbox,
                        barriers,
                        [
                            r.bbox
                            for i, r in enumerate(regions)
                            if i not in taken and not boxes_of_text[i]
                        ],
                    )
                ):
                    continue
                others = [b for b in barriers if b != own]
                if _blocked(merged, others):
                    continue
                # a region nearer to another caption (right over it, with that caption's
                # figure beside it) than to this figure and its caption is that figure's part
                near = nearest.get(ri, {})
                own_d = near.get(ci, np.inf)
                if any(
                    dc < min(d, own_d)
                    and not _across(captions[cj].bbox, regions, out.get(cj), region)
                    for cj, dc in near.items()
                    if cj != ci
                ):
                    continue
                members.append(ri)
                taken.add(ri)
                fig_box = merged
                changed = True
