"""Lean pdfium calls for the per-object loops of layout analysis.

pypdfium2's helpers wrap every page object in a Python object and its stock bindings build
ctypes pointer objects on each call; a page can hold thousands of paths. Here the same C
functions get second prototypes that take plain integer addresses, and objects are walked
as integer handles (wrapped in :class:`pypdfium2.PdfObject` only where a caller needs one).
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

_int, _uint, _ptr = ctypes.c_int, ctypes.c_uint, ctypes.c_void_p

Bounds = tuple[float, float, float, float]
_ARRAY_READ_FROM = 16  # segments: shorter clip paths are read point by point
Matrix = tuple[float, float, float, float, float, float]


def page_box(page: pdfium.PdfPage) -> Bounds:
    """``(left, bottom, right, top)`` of the page as shown: its crop box within its media box,
    inherited from the page tree as pdfium reads them. (``get_cropbox`` reads the page's own
    dictionary only and falls back to US Letter when the boxes sit on a parent node: an A4
    thesis' figures came out 50 pt too high.)"""
    return page.get_bbox()


def fast(fn: Any, restype: Any, *argtypes: Any) -> Any:
    """A second prototype of a pdfium function that takes plain integers (addresses)."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(fn, _ptr).value)


def bare(fn: Any, restype: Any) -> Any:
    """A second prototype of a pdfium function with no argument types at all.

    ctypes then passes a ``c_void_p`` handle, a Python ``int`` (as a C ``int``) and a
    ``byref()`` pointer as they are, without per-argument conversion objects: for the
    per-character calls (hundreds of thousands per document) a quarter cheaper than
    :func:`fast`. Callers must pass exactly those argument kinds.
    """
    return ctypes.CFUNCTYPE(restype)(ctypes.cast(fn, _ptr).value)


def address(handle: Any) -> int:
    """The integer address behind a pypdfium2 raw handle (page, text page, object)."""
    return ctypes.cast(handle, _ptr).value or 0


_page_count = fast(pdfium_c.FPDFPage_CountObjects, _int, _ptr)
_page_get = fast(pdfium_c.FPDFPage_GetObject, _ptr, _ptr, _int)
_form_count = fast(pdfium_c.FPDFFormObj_CountObjects, _int, _ptr)
_form_get = fast(pdfium_c.FPDFFormObj_GetObject, _ptr, _ptr, ctypes.c_ulong)
_type = fast(pdfium_c.FPDFPageObj_GetType, _int, _ptr)
_bounds = fast(pdfium_c.FPDFPageObj_GetBounds, _int, _ptr, _ptr, _ptr, _ptr, _ptr)
_matrix = fast(pdfium_c.FPDFPageObj_GetMatrix, _int, _ptr, _ptr)
_clip_path = fast(pdfium_c.FPDFPageObj_GetClipPath, _ptr, _ptr)
_clip_n_paths = fast(pdfium_c.FPDFClipPath_CountPaths, _int, _ptr)
_clip_n_segments = fast(pdfium_c.FPDFClipPath_CountPathSegments, _int, _ptr, _int)
_clip_segment = fast(pdfium_c.FPDFClipPath_GetPathSegment, _ptr, _ptr, _int, _int)
_segment_point = fast(pdfium_c.FPDFPathSegment_GetPoint, _int, _ptr, _ptr, _ptr)
_draw_mode = fast(pdfium_c.FPDFPath_GetDrawMode, _int, _ptr, _ptr, _ptr)
_stroke_width = fast(pdfium_c.FPDFPageObj_GetStrokeWidth, _int, _ptr, _ptr)
_line_cap = fast(pdfium_c.FPDFPageObj_GetLineCap, _int, _ptr)
_line_join = fast(pdfium_c.FPDFPageObj_GetLineJoin, _int, _ptr)
_n_segments = fast(pdfium_c.FPDFPath_CountSegments, _int, _ptr)
_segment = fast(pdfium_c.FPDFPath_GetPathSegment, _ptr, _ptr, _int)
_segment_type = fast(pdfium_c.FPDFPathSegment_GetType, _int, _ptr)
_fill_color = fast(pdfium_c.FPDFPageObj_GetFillColor, _int, _ptr, _ptr, _ptr, _ptr, _ptr)
_stroke_color = fast(pdfium_c.FPDFPageObj_GetStrokeColor, _int, _ptr, _ptr, _ptr, _ptr, _ptr)
_px_size = fast(pdfium_c.FPDFImageObj_GetImagePixelSize, _int, _ptr, _ptr, _ptr)
_render_mode = fast(pdfium_c.FPDFTextObj_GetTextRenderMode, _int, _ptr)

FORM = pdfium_c.FPDF_PAGEOBJ_FORM
IMAGE = pdfium_c.FPDF_PAGEOBJ_IMAGE
PATH = pdfium_c.FPDF_PAGEOBJ_PATH
TEXT = pdfium_c.FPDF_PAGEOBJ_TEXT
INVISIBLE = pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE


class Scratch:
    """Output buffers for the C calls (one per walk or page; never shared between threads)."""

    def __init__(self) -> None:
        self.clips: dict[tuple[int, ...], list[Bounds]] = {}  # see :func:`_clip_boxes`
        self.floats = (ctypes.c_float * 6)()
        self.mfloats = (ctypes.c_float * 6)()  # an object's matrix, beside a box in floats
        self.ints = (ctypes.c_uint * 4)()
        f, i = ctypes.addressof(self.floats), ctypes.addressof(self.ints)
        self.f = [f + 4 * k for k in range(6)]
        self.m = [ctypes.addressof(self.mfloats)]
        self.i = [i + 4 * k for k in range(4)]


def _compose(outer: Matrix, inner: Matrix) -> Matrix:
    """The matrix of ``inner`` then ``outer`` (a form inside a form): one product per form."""
    a, b, c, d, e, f = outer
    ia, ib, ic, id_, ie, if_ = inner
    return (
        a * ia + c * ib,
        b * ia + d * ib,
        a * ic + c * id_,
        b * ic + d * id_,
        a * ie + c * if_ + e,
        b * ie + d * if_ + f,
    )


def _apply(m: Matrix, bounds: Bounds) -> Bounds:
    """Map a box from form space to page space by the form's (composed) matrix."""
    a, b, c, d, e, f = m
    x0, y0, x1, y1 = bounds
    if b == 0 and c == 0:  # scale and shift, as nearly every form is placed
        xa, xb, ya, yb = a * x0 + e, a * x1 + e, d * y0 + f, d * y1 + f
        return min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb)
    xs = [a * x + c * y + e for x, y in ((x0, y0), (x0, y1), (x1, y0), (x1, y1))]
    ys = [b * x + d * y + f for x, y in ((x0, y0), (x0, y1), (x1, y0), (x1, y1))]
    return min(xs), min(ys), max(xs), max(ys)


def _clip_boxes(clip: int, s: Scratch) -> list[Bounds]:
    """The bounding box of each path (of 3+ points) of a clip path.

    Thousands of objects on a page often share a handful of clip paths: pdfium hands out
    each object's own clip handle, but their segments point into the shared path data, so
    (segment counts, first segment addresses) identify a clip path while the page is open.
    """
    n = max(0, _clip_n_paths(clip))
    counts = [max(0, _clip_n_segments(clip, i)) for i in range(n)]
    key = (*counts, *(_clip_segment(clip, i, 0) or 0 if c else 0 for i, c in enumerate(counts)))
    boxes = s.clips.get(key)
    if boxes is not None:
        return boxes
    boxes = []
    fx, fy = s.f[0], s.f[1]
    vals = s.floats
    for i, count in enumerate(counts):
        if count >= 3 and (box := _points_box(clip, i, count, s)) is not None:
            boxes.append(box)
            continue
        xs: list[float] = []
        ys: list[float] = []
        for j in range(count):
            seg = _clip_segment(clip, i, j)
            if seg and _segment_point(seg, fx, fy):
                xs.append(vals[0])
                ys.append(vals[1])
        if len(xs) >= 3:
            boxes.append((min(xs), min(ys), max(xs), max(ys)))
    s.clips[key] = boxes
    return boxes


def _points_box(clip: int, i: int, count: int, s: Scratch) -> Bounds | None:
    """The bounding box of path ``i`` of a clip path read in one go, or None.

    A logo's clip outline can have thousands of segments (two C calls each). pdfium keeps
    a path's points in one array and a segment handle is the address of its point, so the
    points are read straight from that array when the handles show it (evenly spaced, the
    x and y floats first) and the first and last points read back as the API gives them.
    """
    if count < _ARRAY_READ_FROM:
        return None
    return _array_box(lambda j: _clip_segment(clip, i, j), count, s)


def _array_box(segment: Callable[[int], int], count: int, s: Scratch) -> Bounds | None:
    """The box of the ``count`` points whose segment handles ``segment(j)`` gives, read from
    pdfium's point array in one go (see :func:`_points_box`), or None."""
    read = _point_array(segment, count, s)
    if read is None:
        return None
    lo, hi = read[0].min(axis=0).tolist(), read[0].max(axis=0).tolist()
    return lo[0], lo[1], hi[0], hi[1]


def _point_array(
    segment: Callable[[int], int], count: int, s: Scratch
) -> tuple[np.ndarray, np.ndarray] | None:
    """``(points (count, 2), segment types)`` of the segments ``segment(j)`` gives, read
    from pdfium's point array in one go, or None when the handles do not show one array
    (evenly spaced, the x and y floats first, the type in the byte after them). The first
    and last points and types are read back as the API gives them."""
    first, second, last = (segment(j) for j in (0, 1, count - 1))
    stride = (second or 0) - (first or 0)
    if not first or stride < 9 or last != first + (count - 1) * stride:
        return None
    raw = np.frombuffer(ctypes.string_at(first, count * stride), np.uint8).reshape(count, stride)
    pts = raw[:, :8].copy().view(np.float32).reshape(count, 2)
    types = raw[:, 8]
    for j, seg in ((0, first), (count - 1, last)):
        if not _segment_point(seg, s.f[0], s.f[1]) or (s.floats[0], s.floats[1]) != (
            float(pts[j, 0]),
            float(pts[j, 1]),
        ):
            return None
        if _segment_type(seg) != int(types[j]):
            return None
    return pts, types


def clipped_away(obj: int, s: Scratch) -> bool:
    """Whether nothing of the object shows through its clip path (a hidden copy of a page
    drawn inside a form clipped to one picture, an image cropped to nothing)."""
    f = s.floats
    if not _bounds(obj, *s.f[:4]):
        return False
    return _clip(obj, (f[0], f[1], f[2], f[3]), s) is None


def _clip(obj: int, bounds: Bounds, s: Scratch) -> Bounds | None:
    """Bounds cut to the object's clip path (an image is often placed larger than shown)."""
    clip = _clip_path(obj)
    if not clip:
        return bounds
    x0, y0, x1, y1 = bounds
    for cx0, cy0, cx1, cy1 in _clip_boxes(clip, s):
        x0, y0, x1, y1 = max(x0, cx0), max(y0, cy0), min(x1, cx1), min(y1, cy1)
    if x1 < x0 or y1 < y0:
        return None
    return x0, y0, x1, y1


def walk(
    page: pdfium.PdfPage, types: tuple[int, ...], max_depth: int = 6
) -> list[tuple[int, int, Bounds]]:
    """``(object handle, type, bounds in PDF page space)`` in drawing order, descending into
    form XObjects.

    pdfium reports the bounds of an object inside a form XObject in the form's own space, so
    the form matrices are applied here (publishers often place whole figures as forms).
    Objects are cut to their clip path; objects clipped away entirely are skipped. A list,
    not a generator: a page can hold tens of thousands of paths, and each level of a
    generator chain costs per object.
    """
    s = Scratch()
    f = s.floats
    fb = s.f[:4]
    out: list[tuple[int, int, Bounds]] = []
    append = out.append

    def rec(form: int, mat: Matrix | None, depth: int) -> None:
        n = _form_count(form) if form else _page_count(page_handle)
        get, owner = (_form_get, form) if form else (_page_get, page_handle)
        form_scale = _scale(mat) if mat else 1.0
        for k in range(max(0, n)):
            obj = get(owner, k)
            if not obj:
                continue
            kind = _type(obj)
            if kind == FORM:
                if depth < max_depth and _matrix(obj, s.f[0]):
                    inner = (f[0], f[1], f[2], f[3], f[4], f[5])
                    rec(obj, _compose(mat, inner) if mat else inner, depth + 1)
                continue
            if kind not in types or not _bounds(obj, *fb):
                continue
            box = (f[0], f[1], f[2], f[3])
            if kind == PATH:
                box = _path_ink(obj, box, s, form_scale)
                parts = apart(obj, box, s, form_scale)
                if parts is not None:
                    for part in parts:
                        clipped = _clip(obj, part, s)
                        if clipped is not None:
                            append((obj, kind, _apply(mat, clipped) if mat else clipped))
                    continue
            # cut to the clip path in the object's own space (a form's, inside a form)
            clipped = _clip(obj, box, s)
            if clipped is not None:
                append((obj, kind, _apply(mat, clipped) if mat else clipped))

    page_handle = address(page.raw)
    rec(0, None, 0)
    return out


THICK_STROKE = 3.0  # points: a line this wide or wider has its bounds cut to its ink
SPIKE_MIN_SIDE = 8.0  # points: a stroked path's box this big is checked against its points
MITER_LIMIT = 10.0  # the PDF default: a miter reaches at most this many half line widths


def _path_ink(obj: int, box: Bounds, s: Scratch, form_scale: float = 1.0) -> Bounds:
    """A path's box cut to the reach of its ink. pdfium grows a stroked path's box by a
    mitre at every corner, as long as the corner is sharp, whatever the join and the mitre
    limit: a thin triangle of a MetaPost polyhedron, its three points 30 pt tall and drawn
    with round joins, was boxed 78 pt tall, up over the caption of the figure above.
    Ink reaches no further than the path's points grown by half the line width at a round
    or bevel join or a square cap, and by the mitre limit's reach at a mitre join. A thick
    line is cut to its ink first (:func:`_stroke_ink`); the stroke is read once for both."""
    sides = (box[2] - box[0]) * form_scale, (box[3] - box[1]) * form_scale
    # pdfium's growth alone makes a stroked box twice the width across: a smaller box is
    # thin ink; and small paths have small spikes: most paths are settled here without a call
    thick_box = min(sides) >= 2 * THICK_STROKE
    if not thick_box and max(sides) < SPIKE_MIN_SIDE:
        return box
    if not _draw_mode(obj, s.i[0], s.i[1]) or not s.ints[1] or not _stroke_width(obj, s.f[4]):
        return box  # filled only: pdfium's box is its points' box
    width = float(s.floats[4])
    if not _matrix(obj, s.m[0]):
        return box
    m = s.mfloats
    matrix = (m[0], m[1], m[2], m[3], m[4], m[5])
    if thick_box and width > 0:
        box = _stroke_ink(obj, box, width, matrix, s, form_scale)
    if max(box[2] - box[0], box[3] - box[1]) * form_scale < SPIKE_MIN_SIDE:
        return box  # small paths: any spike is small too
    half = (width if width > 0 else 1.0) / 2  # a zero-width line is drawn a pixel wide
    n = _n_segments(obj)
    points = _segments_box(obj, n, s) if n >= 2 else None
    if points is None:
        return box
    reach = half * (MITER_LIMIT if _line_join(obj) == pdfium_c.FPDF_LINEJOIN_MITER else 1.5)
    x0, y0, x1, y1 = _apply(
        matrix, (points[0] - reach, points[1] - reach, points[2] + reach, points[3] + reach)
    )
    cut = max(box[0], x0), max(box[1], y0), min(box[2], x1), min(box[3], y1)
    return cut if cut[0] <= cut[2] and cut[1] <= cut[3] else box


def _segments_box(obj: int, count: int, s: Scratch) -> Bounds | None:
    """The box of a path's points (Bézier control points among them), in its own space."""
    if count >= _ARRAY_READ_FROM:
        box = _array_box(lambda j: _segment(obj, j), count, s)
        if box is not None:
            return box
    xs: list[float] = []
    ys: list[float] = []
    for j in range(count):
        seg = _segment(obj, j)
        if not seg or not _segment_point(seg, s.f[0], s.f[1]):
            return None
        xs.append(s.floats[0])
        ys.append(s.floats[1])
    return min(xs), min(ys), max(xs), max(ys)


SPLIT_MIN_SIDE = 60.0  # points: a path this long may hold drawings far apart...
SPLIT_GAP = 20.0  # ...parted by gutters this wide (a row of plots' gutters are wider)
SPLIT_MAX_SUBPATHS = 256  # more subpaths (a scatter plot's markers) are left as one
_MOVETO = pdfium_c.FPDF_SEGMENT_MOVETO


def _path_points(obj: int, count: int, s: Scratch) -> tuple[np.ndarray, np.ndarray] | None:
    """``(points (count, 2), segment types)`` of a path in its own space, or None."""
    if count >= _ARRAY_READ_FROM:
        read = _point_array(lambda j: _segment(obj, j), count, s)
        if read is not None:
            return read
    pts = np.zeros((count, 2), np.float32)
    types = np.zeros(count, np.uint8)
    for j in range(count):
        seg = _segment(obj, j)
        if not seg or not _segment_point(seg, s.f[0], s.f[1]):
            return None
        pts[j] = s.floats[0], s.floats[1]
        types[j] = _segment_type(seg)
    return pts, types


def apart(obj: int, box: Bounds, s: Scratch, form_scale: float = 1.0) -> list[Bounds] | None:
    """The boxes of a path's drawings that gutters :data:`SPLIT_GAP` wide or more part, in
    its parent's space and cut to ``box`` (its ink), or None when it is one drawing.

    One path object can hold strokes of several plots: a datasheet's row of three charts
    drew the dashed curves of its first and third plots as one path, whose box reached over
    the middle plot and made the three figures one."""
    w, h = (box[2] - box[0]) * form_scale, (box[3] - box[1]) * form_scale
    if max(w, h) < SPLIT_MIN_SIDE or min(w, h) < 2.5:  # short, or a rule (kept as one)
        return None
    n = _n_segments(obj)
    if n < 4 or not _matrix(obj, s.m[0]):
        return None
    read = _path_points(obj, n, s)
    if read is None:
        return None
    pts, types = read
    starts = np.flatnonzero(types == _MOVETO)
    if starts.size < 2 or starts.size > SPLIT_MAX_SUBPATHS:
        return None
    starts[0] = 0  # points before the first move belong to the first subpath
    lo, hi = np.minimum.reduceat(pts, starts), np.maximum.reduceat(pts, starts)
    m = s.mfloats
    matrix = (m[0], m[1], m[2], m[3], m[4], m[5])
    boxes = np.array(
        [
            _apply(matrix, (a[0], a[1], b[0], b[1]))
            for a, b in zip(lo.tolist(), hi.tolist(), strict=True)
        ]
    )
    groups = _gutter_groups(boxes, SPLIT_GAP / form_scale)
    if len(groups) < 2:
        return None
    # ink reaches past the points by half the line width (further at mitred corners)
    reach = 0.0
    if _draw_mode(obj, s.i[0], s.i[1]) and s.ints[1] and _stroke_width(obj, s.f[4]):
        half = (float(s.floats[4]) or 1.0) / 2 * _scale(matrix)
        reach = half * (MITER_LIMIT if _line_join(obj) == pdfium_c.FPDF_LINEJOIN_MITER else 1.5)
    out = []
    for g in groups:
        x0, y0 = boxes[g, 0].min() - reach, boxes[g, 1].min() - reach
        x1, y1 = boxes[g, 2].max() + reach, boxes[g, 3].max() + reach
        out.append((max(x0, box[0]), max(y0, box[1]), min(x1, box[2]), min(y1, box[3])))
    return out


def _gutter_groups(boxes: np.ndarray, gap: float) -> list[np.ndarray]:
    """Indices of ``boxes`` (k, 4) in the groups that straight gutters at least ``gap``
    wide part (across all of them, recursively: a row of plots, then a column in one)."""
    todo, out = [np.arange(len(boxes))], []
    while todo:
        idx = todo.pop()
        for lo, hi in ((0, 2), (1, 3)):
            order = idx[np.argsort(boxes[idx, lo], kind="stable")]
            reach = np.maximum.accumulate(boxes[order, hi])
            cut = np.flatnonzero(boxes[order[1:], lo] - reach[:-1] >= gap) + 1
            if cut.size:
                todo.extend(np.split(order, cut))
                break
        else:
            out.append(np.sort(idx))
    return sorted(out, key=lambda g: int(g[0]))


def _scale(m: Matrix) -> float:
    """How much a matrix scales lengths (the square root of its area factor)."""
    return float(abs(m[0] * m[3] - m[1] * m[2]) ** 0.5)


def _stroke_ink(
    obj: int, box: Bounds, width: float, matrix: Matrix, s: Scratch, form_scale: float = 1.0
) -> Bounds:
    """The bounds of a thickly stroked path cut to its ink. pdfium grows a stroked path's
    box by the full line width on every side, and the ink reaches half of it (caps and
    mitres aside, which the other half still covers): a grey placeholder drawn as one
    line 74 pt wide was boxed 74 pt out all round, over its own caption. Thin lines keep
    pdfium's box. ``box`` is in the object's parent space (a form's), which ``form_scale``
    maps to the page; ``width`` and ``matrix`` are the path's line width and matrix."""
    a, b, c, d, _e, _f = matrix
    # as wide on the page: dvips draws at a tenth of a point (4 units wide are 0.4 pt), and
    # a plot placed as a form at a sixth of its size has its 5 pt lines 0.8 pt wide
    if width * _scale((a, b, c, d, 0.0, 0.0)) * form_scale < THICK_STROKE:
        return box
    line = _butt_line(obj, width, s)
    if line is not None:  # one straight line with flat ends: its ink exactly
        return _apply(matrix, line)
    # the growth pdfium gave, mapped from the path's space by its matrix: half of it is ink
    dx, dy = width * (abs(a) + abs(c)) / 2, width * (abs(b) + abs(d)) / 2
    x0, y0, x1, y1 = box
    if x1 - x0 > 2 * dx:
        x0, x1 = x0 + dx, x1 - dx
    if y1 - y0 > 2 * dy:
        y0, y1 = y0 + dy, y1 - dy
    return x0, y0, x1, y1


def _butt_line(obj: int, width: float, s: Scratch) -> Bounds | None:
    """The ink of a path that is one level or upright line with flat (butt) ends, in the
    path's own space: its length, and half its width to each side; None for other paths."""
    if _n_segments(obj) != 2 or _line_cap(obj) != pdfium_c.FPDF_LINECAP_BUTT:
        return None
    points = []
    for k in range(2):
        segment = _segment(obj, k)
        if not segment or not _segment_point(segment, s.f[0], s.f[1]):
            return None
        points.append((s.floats[0], s.floats[1]))
    (x0, y0), (x1, y1) = points
    half = width / 2
    if y0 == y1:
        return min(x0, x1), y0 - half, max(x0, x1), y0 + half
    if x0 == x1:
        return x0 - half, min(y0, y1), x0 + half, max(y0, y1)
    return None


def _white(color: Callable[..., int], obj: int, s: Scratch) -> bool:
    """Whether ``color`` (the fill or the stroke colour) is white or transparent."""
    if not color(obj, *s.i):
        return False
    r, g, b, a = s.ints
    return a == 0 or min(r, g, b) >= 250


#: What a path paints, by :func:`path_paint`
NOTHING, INK, WHITE = 0, 1, 2


def path_paint(obj: int, s: Scratch, box: bool = True) -> int:
    """What a path paints: :data:`NOTHING` when it neither strokes nor fills (a clipping
    helper) or only fills white on the white page; :data:`WHITE` when it strokes in white
    and fills white or not at all (a box invisible on the page, unless something dark lies
    under it); :data:`INK` otherwise. ``box=False`` (too small to hold anything) reads no
    stroke colour: a plot's thousands of strokes cost a call less each."""
    if not _draw_mode(obj, s.i[0], s.i[1]):
        return INK
    fill_mode, stroke = s.ints[0], s.ints[1]
    if not stroke:
        return NOTHING if fill_mode == 0 or _white(_fill_color, obj, s) else INK
    if not box or not _white(_stroke_color, obj, s):
        return INK
    return WHITE if fill_mode == 0 or _white(_fill_color, obj, s) else INK


#: Annotations whose appearance can be a figure: a drawing shown as its attached file's
#: icon (TUGboat attaches each MetaPost figure's source so), a stamped picture, a movie's or
#: a 3D model's poster. Links, form fields and text markup are never figures.
PICTURE_ANNOTS = (
    pdfium_c.FPDF_ANNOT_FILEATTACHMENT,
    pdfium_c.FPDF_ANNOT_STAMP,
    pdfium_c.FPDF_ANNOT_SCREEN,
    pdfium_c.FPDF_ANNOT_RICHMEDIA,
    pdfium_c.FPDF_ANNOT_THREED,
)
_UNSEEN = (
    pdfium_c.FPDF_ANNOT_FLAG_INVISIBLE
    | pdfium_c.FPDF_ANNOT_FLAG_HIDDEN
    | pdfium_c.FPDF_ANNOT_FLAG_NOVIEW
)


def picture_annotations(page: pdfium.PdfPage) -> list[Bounds]:
    """Rectangles (PDF page space) of the annotations whose shown appearance may be a figure:
    of a :data:`PICTURE_ANNOTS` subtype, not hidden, with a normal appearance stream. The
    page's rendering draws them; its objects do not hold them."""
    out: list[Bounds] = []
    rect = pdfium_c.FS_RECTF()
    for i in range(max(0, pdfium_c.FPDFPage_GetAnnotCount(page.raw))):
        annot = pdfium_c.FPDFPage_GetAnnot(page.raw, i)
        if not annot:
            continue
        try:
            if (
                pdfium_c.FPDFAnnot_GetSubtype(annot) in PICTURE_ANNOTS
                and not pdfium_c.FPDFAnnot_GetFlags(annot) & _UNSEEN
                # the length of the appearance stream as UTF-16 with its terminator
                and pdfium_c.FPDFAnnot_GetAP(
                    annot, pdfium_c.FPDF_ANNOT_APPEARANCEMODE_NORMAL, None, 0
                )
                > 2
                and pdfium_c.FPDFAnnot_GetRect(annot, rect)
            ):
                x0, x1 = sorted((rect.left, rect.right))
                y0, y1 = sorted((rect.bottom, rect.top))
                out.append((x0, y0, x1, y1))
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annot)
    return out


def image_px_size(obj: int, s: Scratch) -> tuple[int, int]:
    """Declared pixel size of an image object, read without decoding it ((0, 0) if unknown)."""
    if not _px_size(obj, s.i[0], s.i[1]):
        return (0, 0)
    return (int(s.ints[0]), int(s.ints[1]))


def wrap(obj: int, page: pdfium.PdfPage) -> pdfium.PdfObject:
    """A pypdfium2 object for a handle of ``page`` (for its image data helpers)."""
    return pdfium.PdfObject(ctypes.cast(obj, pdfium_c.FPDF_PAGEOBJECT), page=page, pdf=page.pdf)


def text_render_mode(obj: int) -> int:
    """A text object's render mode (:data:`INVISIBLE` for an OCR layer over a scan)."""
    return int(_render_mode(obj))
