"""Pictures placed with a white margin that runs under the page's text, or that is most of
the picture.

Magazine-style journals (JFMS Clinical Practice) set cut-out product photos as bitmaps
padded with white, and let the padding run under a heading, the next column or the
caption. The image object's box then takes that text into the figure. Such a picture is
cut to its ink: its part of the page is rendered small, the text lines over it are
blanked (text drawn on the padding is not the picture's ink) and the rest is measured.
A drawing scanned as a whole sheet of paper and placed as one picture, its ink in a corner,
is cut to its ink too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from litclip.corpus.extract.regions import Element, area, intersection
from litclip.corpus.extract.text import TextLine
from litclip.corpus.types import BBox

SCALE = 1.0  # pixels per point: a margin is wide, a point of precision is plenty
INK = 235  # grey levels below this are ink (as in panel splitting)
MIN_SIDE = 8.0  # points: a sliver of a picture has no margin worth measuring
MIN_CUT = 0.1  # of the box's area: trimming less than this keeps the box as it is
BIG_IMAGE = 0.25  # of the page's area: a picture this big may be a padded page of its own
GLANCE = 0.25  # pixels per point for the first look at a big picture's ink
MOSTLY_BLANK = 0.4  # of its area: a picture whose ink covers less is boxed to its ink


GrayRender = Callable[[BBox, float], np.ndarray]  # a page box at a scale -> grey levels


def trim_padded_images(
    render: GrayRender, elements: list[Element], lines: list[TextLine], page_area: float
) -> list[Element]:
    """``elements`` with each image cut to its ink where text lines overlap it (text
    blanked), or where it is big and its ink fills less than :data:`MOSTLY_BLANK` of it (a
    drawing scanned as a whole page and set as one, its white paper and all); ``render``
    gives the page's grey levels in a box."""
    out = list(elements)
    for k, e in enumerate(elements):
        x0, y0, x1, y1 = e.bbox
        if e.kind != "image" or min(x1 - x0, y1 - y0) < MIN_SIDE:
            continue
        over = [ln.bbox for ln in lines if intersection(ln.bbox, e.bbox) > 0]
        if over:
            ink = _ink_box(render(e.bbox, SCALE), e.bbox, over)
            if ink is not None and area(ink) < (1 - MIN_CUT) * area(e.bbox):
                out[k] = replace(e, bbox=ink)
        elif area(e.bbox) >= BIG_IMAGE * page_area:
            glance = _ink_box(render(e.bbox, GLANCE), e.bbox, [])
            if glance is not None and area(glance) < MOSTLY_BLANK * area(e.bbox):
                ink = _ink_box(render(e.bbox, SCALE), e.bbox, [])
                out[k] = replace(e, bbox=ink) if ink is not None else e
    return out


def _ink_box(gray: np.ndarray, box: BBox, blank: list[BBox]) -> BBox | None:
    """The box of the non-white pixels of ``gray`` (the page rendered in ``box``), the
    ``blank`` boxes counted as white; None when nothing is left (a picture all white)."""
    gray = gray.copy()
    h, w = gray.shape
    if h == 0 or w == 0:
        return None
    sx, sy = w / max(box[2] - box[0], 1e-6), h / max(box[3] - box[1], 1e-6)
    for x0, y0, x1, y1 in blank:
        c0, c1 = max(0, int((x0 - box[0]) * sx)), min(w, int(np.ceil((x1 - box[0]) * sx)))
        r0, r1 = max(0, int((y0 - box[1]) * sy)), min(h, int(np.ceil((y1 - box[1]) * sy)))
        if c1 > c0 and r1 > r0:
            gray[r0:r1, c0:c1] = 255
    ink = gray < INK
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return None
    return (
        box[0] + cols[0] / sx,
        box[1] + rows[0] / sy,
        min(box[2], box[0] + (cols[-1] + 1) / sx),
        min(box[3], box[1] + (rows[-1] + 1) / sy),
    )
