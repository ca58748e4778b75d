"""Page furniture: running headers and footers, and the logos and bars that recur with them.

Such a thing sits in the top or bottom tenth of its page and recurs at the same place on at
least 3 pages and a third of all pages (text counts as the same with its digits aside: page
numbers). It is never part of a figure, though one may sit a few points above it ("12
Trilling et al." or a journal's header bar right over a figure at the top of a page).
Top and foot are the page's as displayed: a page turned by /Rotate has them at the sides
of the page space its text and graphics are read in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

import numpy as np

from litclip.corpus.extract.regions import Element, boxes_inside
from litclip.corpus.extract.text import TextLine
from litclip.corpus.types import BBox

FURNITURE_BAND = 0.1  # of the page height, at its top and at its foot
DEEP_BAND = 0.18  # of the page height: how far down a page's first line may be a running head
_DIGITS = re.compile(r"\d+")

T = TypeVar("T")
Frame = Callable[[BBox], BBox]  # a box in page space -> the same box on the page as displayed


def _recurring(
    pages: Sequence[Sequence[T]],
    heights: Sequence[float],
    bbox: Callable[[T], BBox],
    key: Callable[[T], Hashable | None],
    set_off: Callable[[T, int, np.ndarray], bool] | None = None,
    frames: Sequence[Frame | None] | None = None,
) -> set[int]:
    """``id`` of the items in a band, no taller than it, that recur (same ``key``, top within
    2 pt) on enough pages; items keyed None never count. With ``set_off`` (whether an item
    stands apart from the rest of its page), an item recurring on 3 pages also counts when
    its place holds an item set off like it on enough pages: a running head that names each
    chapter in turn. ``frames`` turn a page's boxes to the page as displayed (None: as read)."""
    where: dict[tuple[int, Hashable], set[int]] = {}
    placed: dict[int, set[int]] = {}
    found: list[tuple[T, int, Hashable, bool, int, tuple[float, float]]] = []
    for i, (items, height) in enumerate(zip(pages, heights, strict=True)):
        frame = frames[i] if frames else None
        box = (lambda item, f=frame: f(bbox(item))) if frame else bbox
        band = FURNITURE_BAND * height
        boxes = np.array([box(item) for item in items], dtype=np.float64).reshape(-1, 4)
        # a book's small text block on a big page sets its running head lower: the page's
        # first line counts down to the deeper band
        first = float(boxes[:, 1].min()) if set_off and len(items) else -1.0
        for index, item in enumerate(items):
            x0, y0, x1, y1 = boxes[index].tolist()
            deep = y0 <= first + 1.0 and y1 <= DEEP_BAND * height
            if y1 - y0 > band or (band < y0 and y1 < height - band and not deep):
                continue  # a figure at the top of a page starts in the band but is taller
            y, k = round(y0 / 2), key(item)
            if k is None:
                continue
            where.setdefault((y, k), set()).add(i)
            apart = set_off is not None and set_off(item, index, boxes)
            if apart:
                placed.setdefault(y, set()).add(i)
            found.append((item, y, k, apart, i, (y0, y1)))
    need = max(3.0, len(pages) / 3)
    near = (-1, 0, 1)
    out = set()
    heads: list[tuple[T, int, tuple[float, float]]] = []
    for item, y, k, apart, page, span in found:
        same = len(set().union(*(where.get((y + d, k), set()) for d in near)))
        at_heads = apart and len(set().union(*(placed.get(y + d, set()) for d in near))) >= need
        if same >= need or (at_heads and same >= 3):
            out.add(id(item))
        elif at_heads:
            heads.append((item, page, span))
    # a running head naming a section of a page or two ("2.5. ANIMATION") is set level with
    # the page number, where the other pages have theirs
    numbers = [(page, span) for item, _, k, _, page, span in found if k == "#" and id(item) in out]
    for item, page, (y0, y1) in heads:
        if any(p == page and min(y1, b) - max(y0, a) > 0 for p, (a, b) in numbers):
            out.add(id(item))
    return out


def line_furniture(
    all_lines: Sequence[Sequence[TextLine]],
    heights: Sequence[float],
    frames: Sequence[Frame | None] | None = None,
) -> set[int]:
    """``id`` of the running header and footer lines of a document (a single letter is a
    panel letter of a figure at the top of a page, not a header); ``heights`` and
    ``frames`` as in :func:`_recurring`."""
    return _recurring(all_lines, heights, lambda ln: ln.bbox, _line_key, _set_off, frames)


def _transposed(box: BBox) -> BBox:
    return (box[1], box[0], box[3], box[2])


def margin_notes(
    all_lines: Sequence[Sequence[TextLine]],
    widths: Sequence[float],
    frames: Sequence[Frame | None] | None = None,
) -> set[int]:
    """``id`` of sideways lines that recur in the side margins, as running heads do in the
    top and foot bands: a publisher's "Downloaded from ... by ..." set up the margin of every
    page (Annual Reviews), which a figure beside it took in as its y axis title. ``widths``:
    the pages' widths as displayed."""
    turned = [
        (lambda b, f=frame: _transposed(f(b) if f else b))
        for frame in (frames or [None] * len(all_lines))
    ]
    return _recurring(
        all_lines,
        widths,
        lambda ln: ln.bbox,
        lambda ln: _line_key(ln) if ln.rotated else None,
        frames=turned,
    )


def _set_off(line: TextLine, index: int, boxes: np.ndarray) -> bool:
    """Whether a line in a page band is words (a tick label "3" at the top of a plot is not)
    standing a line's height or more clear of the page's other text (a running head over
    the body), the lines level with it (a page number) aside. ``boxes``: the boxes of all
    the page's lines (as displayed), ``line``'s at ``index``; one array test against them
    all (a loop over the page for each line of a band went quadratic on fine print)."""
    if sum(c.isalpha() for c in line.text) < 3:
        return False
    y0, y1 = boxes[index, 1], boxes[index, 3]
    gap = max(y1 - y0, 1.0)
    o0, o1 = boxes[:, 1], boxes[:, 3]
    level = np.minimum(o1, y1) - np.maximum(o0, y0) > 0.5 * np.minimum(o1 - o0, y1 - y0)
    close = ~level & (o1 > y0 - gap) & (o0 < y1 + gap)
    close[index] = False
    return not close.any()


# a page "number" in letters at either end of a running head: an ACS article posted before
# its issue runs "B J. Chem. Theory Comput." and "J. Chem. Theory Comput. C"
_PAGE_LETTER = re.compile(r"^[A-Z](?=\s)|(?<=\s)[A-Z]$")


def _line_key(line: TextLine) -> str | None:
    text = line.text.strip()
    if len(text) == 1 and text.isalpha():
        return None
    return _PAGE_LETTER.sub("#", _DIGITS.sub("#", text))


def element_furniture(
    all_elements: Sequence[Sequence[Element]],
    heights: Sequence[float],
    frames: Sequence[Frame | None] | None = None,
    all_lines: Sequence[Sequence[TextLine]] | None = None,
) -> set[int]:
    """``id`` of the graphics (a header bar, a logo, a rule) repeated in the page bands.

    With the pages' body lines (``all_lines``, furniture out), a graphic that holds one of
    them is the body's, though it recurs: the shaded band behind each line of a code
    listing carried over to the top of many pages (luadraw's manual), which lost its bands
    and read as a figure over the caption under it."""
    out = _recurring(
        all_elements,
        heights,
        lambda e: e.bbox,
        lambda e: (e.kind, round(e.bbox[0] / 2), round(e.bbox[2] / 2), round(e.bbox[3] / 2)),
        frames=frames,
    )
    if not out or all_lines is None:
        return out
    for elements, lines in zip(all_elements, all_lines, strict=True):
        held = [e for e in elements if id(e) in out]
        if held and lines:
            boxes = np.array([ln.bbox for ln in lines], dtype=np.float64)
            out -= {id(e) for e in held if boxes_inside(boxes, e.bbox, 1.0).any()}
    return out
