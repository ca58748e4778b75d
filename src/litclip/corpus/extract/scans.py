"""Scanned pages: one page-sized picture under a hidden OCR text layer.

On a scan every figure is part of the page's picture, which layout drops as the page
background, so no figure would ever be found. A scan is recognised by its text: mostly
hidden (invisible, render mode 3, or painted under the picture, as OCR tools write it)
over images that cover the page. Its
graphic elements are then made from pixels: the page is rendered in grey, the OCR'd text
lines are erased (unless they lie on a photograph, where OCR reads noise), and the ink left
(photographs, drawings, rules) is grouped into blobs that stand in for the page's image
objects. Clustering, captions, figure text and panels then work as on a born-digital page.
A scan without a text layer has no captions to pair: nothing is done there.
"""

from __future__ import annotations

import numpy as np
import pypdfium2 as pdfium

from litclip.corpus.extract import _raw
from litclip.corpus.extract.regions import Element, area, intersection
from litclip.corpus.extract.text import TextLine

IMAGE_COVER = 0.7  # images over this share of the page: the page is a picture
INVISIBLE_SHARE = 0.5  # and this share of its text objects hidden: an OCR layer
SCALE = 1.5  # px per point of the analysis rendering (108 dpi)
GROW = 3.0  # points of dilation joining the strokes and dots of one drawing
MIN_BLOB_SIDE = 12.0  # points: smaller leftovers (specks, stray glyphs) are dropped
MIN_BLOB_AREA = 400.0  # square points
TEXT_INK_MAX = 0.45  # a text line over more ink than this lies on a photograph: kept
PAD = 1.5  # points around an erased text line (descenders, anti-aliasing)
INK_MARGIN = 24.0  # grey levels below the paper that count as ink (bright photo areas too)
RULE_WIDTH = 0.35  # a thin horizontal line this share of the page wide is a rule or a frame
RULE_HEIGHT = 0.25  # and a thin vertical one this share of the page high
RULE_THICKNESS = 3.0  # points: thicker lines are drawings
MAX_SKEW = 2.0  # degrees a scanned page may be turned: searched in SKEW_STEP steps
SKEW_STEP = 0.1
MIN_SKEW_SLOPE = 0.002  # below about 0.1 degree a page is taken as straight
PHOTO_FILL = 0.5  # a blob whose box is at least this share ink is a picture, else line art
SLIVER_INK = 3.0  # points: ink no thicker than this (ink area / length) along a blob
SLIVER_ASPECT = 8.0  # at least this many times as long as its box is high is a line: a rule,
# or the edge of a text line that its OCR box missed on a skewed scan


def covers_page(elements: list[Element], page_size: tuple[float, float]) -> bool:
    """Whether image elements (page backgrounds included) cover most of the page."""
    page_box = (0.0, 0.0, *page_size)
    covered = sum(intersection(e.bbox, page_box) for e in elements if e.kind == "image")
    return covered >= IMAGE_COVER * max(area(page_box), 1.0)


def has_ocr_layer(page: pdfium.PdfPage, max_pixels: int) -> bool:
    """Whether most of the page's text is hidden: invisible (render mode 3, as OCR tools
    write it) or painted before a picture that covers the page. False when an image is too
    big to render.
    """
    left, bottom, right, top = _raw.page_box(page)
    page_box = (left, bottom, right, top)
    least = IMAGE_COVER * max(area(page_box), 1.0)
    scratch = _raw.Scratch()
    invisible: list[bool] = []  # per text object, in paint order
    covered_up_to = 0  # text objects painted before the last page-covering picture
    for obj, kind, bounds in _raw.walk(page, (_raw.IMAGE, _raw.TEXT)):
        if kind == _raw.IMAGE:
            w, h = _raw.image_px_size(obj, scratch)
            if w * h > max_pixels:
                return False
            if intersection(bounds, page_box) >= least:
                covered_up_to = len(invisible)
            continue
        invisible.append(_raw.text_render_mode(obj) == _raw.INVISIBLE)
    hidden = covered_up_to + sum(invisible[covered_up_to:])
    return bool(invisible) and hidden >= INVISIBLE_SHARE * len(invisible)


def paper_level(gray: np.ndarray) -> float:
    """The grey level of a scanned page's paper (most of a page is paper)."""
    return float(np.percentile(gray, 90))


def whiten(gray: np.ndarray, paper: float) -> np.ndarray:
    """Grey levels scaled so the paper is white (tinted scans: gutters look like paper)."""
    if paper >= 250.0:
        return gray
    return np.clip(gray * (255.0 / max(paper, 1.0)), 0, 255).astype(np.uint8)


def _ink(gray: np.ndarray, paper: float) -> np.ndarray:
    """Pixels darker than the paper (whatever its tint) by a clear margin."""
    return gray < min(paper - INK_MARGIN, 235.0)


def _long_runs(mask: np.ndarray, min_len: int) -> np.ndarray:
    """Pixels in horizontal runs of True at least ``min_len`` long."""
    h, w = mask.shape
    padded = np.zeros((h, w + 2), np.int8)
    padded[:, 1:-1] = mask
    d = np.diff(padded, axis=1)
    starts, ends = np.nonzero(d == 1), np.nonzero(d == -1)  # row-major: pairs line up
    out = np.zeros(h * w + 1, np.int32)
    keep = ends[1] - starts[1] >= min_len
    rows, lo, hi = starts[0][keep], starts[1][keep], ends[1][keep]
    np.add.at(out, rows * w + lo, 1)  # +1 at each run start, -1 past its end
    np.add.at(out, rows * w + hi, -1)
    # a run never crosses a row, so a cumulative sum over the flattened image marks it
    return np.cumsum(out[:-1]).reshape(h, w) > 0


def _shifted(mask: np.ndarray, rows: int) -> np.ndarray:
    """``mask`` moved down by ``rows`` (up when negative), zero-filled."""
    out = np.zeros_like(mask)
    if rows > 0:
        out[rows:] = mask[:-rows]
    elif rows < 0:
        out[:rows] = mask[-rows:]
    else:
        out[:] = mask
    return out


def _thin_long(mask: np.ndarray, length: float, thick: int) -> np.ndarray:
    """Pixels in horizontal runs at least ``length`` long whose rows ``thick`` above and below
    are not such runs too (a line, not a photograph)."""
    long = _long_runs(mask, int(length))
    return long & ~_shifted(long, thick) & ~_shifted(long, -thick)


def _shear(mask: np.ndarray, slope: float) -> tuple[np.ndarray, np.ndarray]:
    """Move column ``x`` down by ``x * slope`` rows (zero-padded), and the shifts used."""
    h, w = mask.shape
    shift = np.round(np.arange(w) * slope).astype(np.int64)
    shift -= shift.min()
    out = np.zeros((h + int(shift.max()), w), bool)
    out[np.arange(h)[:, None] + shift[None, :], np.arange(w)[None, :]] = mask
    return out, shift


def _unshear(sheared: np.ndarray, shift: np.ndarray, h: int) -> np.ndarray:
    return sheared[np.arange(h)[:, None] + shift[None, :], np.arange(shift.size)[None, :]]


def _skew_slope(ink: np.ndarray) -> float:
    """Rows per column that text lines climb (a page turned on the scanner): the shear that
    makes the row profile of the ink sharpest, searched within :data:`MAX_SKEW` degrees."""
    small = ink[::2, ::2]
    best, best_score = 0.0, -1.0
    for degrees in np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, SKEW_STEP):
        slope = float(np.tan(np.radians(degrees)))
        profile = _shear(small, slope)[0].sum(axis=1).astype(np.float64)
        score = float((profile**2).sum())
        if score > best_score * (1 + 1e-9) or (score >= best_score and abs(slope) < abs(best)):
            best, best_score = slope, score
    return best


def _rules(ink: np.ndarray) -> np.ndarray:
    """Thin long lines: rules, frames around a figure and its caption, table lines.

    On a page turned a little on the scanner, lines are found in the page sheared straight
    (a shear by the skew that sharpens the text rows) and sheared back.
    """
    h, w = ink.shape
    thick = max(1, int(round(RULE_THICKNESS * SCALE)))
    slope = _skew_slope(ink)
    if abs(slope) < MIN_SKEW_SLOPE:
        slope = 0.0
    out = np.zeros_like(ink)
    for mask, size, target, share, sign in (
        (ink, w, out, RULE_WIDTH, 1.0),  # rows: the shear that straightened the text
        (ink.T, h, out.T, RULE_HEIGHT, -1.0),  # columns: vertical lines lean the other way
    ):
        straight, shift = _shear(mask, sign * slope)
        lines = _thin_long(straight, share * size, thick)
        edges = lines.copy()  # anti-aliased edges and shear steps beside the line
        for k in (-2, -1, 1, 2):
            edges |= _shifted(lines, k)
        target |= _unshear(edges & straight, shift, mask.shape[0])
    return out


def scan_elements(lines: list[TextLine], gray: np.ndarray) -> list[Element]:
    """Blobs of non-text ink on a scanned page as elements (points, top-left origin): pictures
    as ``image``, line art as ``path``.

    Args:
        lines: the page's text lines (its OCR layer).
        gray: the page rendered in grey at :data:`SCALE` pixels per point.
    """
    from scipy import ndimage  # only scans need it; workers stay light otherwise

    ink = _ink(gray, paper_level(gray))
    h, w = ink.shape
    for ln in lines:
        y0, y1 = int((ln.y0 - PAD) * SCALE), int(np.ceil((ln.y1 + PAD) * SCALE))
        x0, x1 = int((ln.x0 - PAD) * SCALE), int(np.ceil((ln.x1 + PAD) * SCALE))
        y0, x0, y1, x1 = max(y0, 0), max(x0, 0), min(y1, h), min(x1, w)
        if y1 > y0 and x1 > x0 and ink[y0:y1, x0:x1].mean() <= TEXT_INK_MAX:
            ink[y0:y1, x0:x1] = False
    ink &= ~_rules(ink)
    grow = max(1, int(round(GROW * SCALE)))
    joined = ndimage.binary_dilation(ink, structure=np.ones((2 * grow + 1, 2 * grow + 1), bool))
    labels, _n = ndimage.label(joined, structure=np.ones((3, 3), bool))
    elements = []
    for index, found in enumerate(ndimage.find_objects(labels)):
        if found is None:
            continue
        sy, sx = found
        own = ink[sy, sx] & (labels[sy, sx] == index + 1)
        rows, cols = np.flatnonzero(own.any(axis=1)), np.flatnonzero(own.any(axis=0))
        if not rows.size:
            continue
        box = (
            (sx.start + cols[0]) / SCALE,
            (sy.start + rows[0]) / SCALE,
            (sx.start + cols[-1] + 1) / SCALE,
            (sy.start + rows[-1] + 1) / SCALE,
        )
        bw, bh = box[2] - box[0], box[3] - box[1]
        if max(bw, bh) < MIN_BLOB_SIDE or bw * bh < MIN_BLOB_AREA:
            continue
        length = max(own.shape)  # pixels along the blob's long side
        if max(bw, bh) >= SLIVER_ASPECT * min(bw, bh) and own.sum() <= SLIVER_INK * SCALE * length:
            continue  # a rule, or a sliver of a skewed text line
        # pictures fill their box; line art (charts, flow charts) is mostly paper and plays
        # the part of vector paths (no gutter splitting unless the caption names panels)
        photo = own.mean() >= PHOTO_FILL
        elements.append(Element(box, "image" if photo else "path", scan=True))
    return elements
