"""Pictures placed with a white margin that runs under the page's text.

Magazine-style journals (JFMS Clinical Practice) set cut-out product photos as bitmaps
padded with white, and let the padding run under a heading, the next column or the
caption. The image object's box then takes that text into the figure. Such a picture is
cut to its ink: its part of the page is rendered small, the text lines over it are
blanked (text drawn on the padding is not the picture's ink) and the rest is measured.
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


GrayRender = Callable[[BBox, float], np.ndarray]  # a page box at a scale -> grey levels


def trim_padded_images(
    render: GrayRender, elements: list[Element], lines: list[TextLine]
) -> list[Element]:
    """``elements`` with each image that text lines overlap cut to its ink (text blanked);
    ``render`` gives the page's grey levels in a box."""
    out = list(elements)
    for k, e in enumerate(elements):
        x0, y0, x1, y1 = e.bbox
        if e.kind != "image" or min(x1 - x0, y1 - y0) < MIN_SIDE:
            continue
        over = [ln.bbox for ln in lines if intersection(ln.bbox, e.bbox) > 0]
        if not over:
            continue
        ink = _ink_box(render(e.bbox, SCALE), e.bbox, over)
        if ink is not None and area(ink) < (1 - MIN_CUT) * area(e.bbox):
            out[k] = replace(e, bbox=ink)
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
