"""Sub-captions printed inside a figure, under (or over) each sub-figure.

LaTeX's ``subcaption``/``subfig`` packages (arXiv papers, theses, some journals) print
"(a) South American coati" under the first sub-figure and "(b) Brown bear" under the
second, while the figure's own caption says only "Figure 1: Bears". Such lines name the
panels and give each its own caption.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from litclip.corpus.extract.captions import clean_caption_text
from litclip.corpus.extract.regions import Region, contains
from litclip.corpus.extract.text import TextLine
from litclip.corpus.types import BBox

# "(a) ...", "a) ..." and, lower case only, "a. ..." (scotch's "a. Initial position.")
_SUBCAPTION_RE = re.compile(r"^(?:\(?([A-Za-z])\)|([a-z])\.)\s+(\S.*)$")
MAX_DISTANCE = 3.0  # line heights between a sub-figure and its sub-caption
MIN_RUN_ON = 3  # sub-captions that go on from an earlier figure's letters ("(k)" onwards)


@dataclass(frozen=True)
class SubCaption:
    letter: str  # upper-case
    printed: str  # as printed ("a")
    text: str  # without the "(a)" marker, continuation lines joined
    bbox: BBox  # of the whole sub-caption


def subcaption_lines(lines: list[TextLine], fig_box: BBox) -> list[SubCaption]:
    """The sub-captions inside ``fig_box``: lines starting "(a) ", "(b) " (or "a) ", "b) ")
    ... with text after.

    Only an unbroken run of letters, each once, counts: from A, or, three or more, on from
    the figure before ("k) ...", "l) ...", "m) ..."); a lone "(c) ..." line or two is more
    likely a label inside a chart. A sub-caption that wraps takes the lines right under it
    that start within its width.
    """
    inside = [ln for ln in lines if contains(fig_box, ln.bbox, slack=4.0)]
    heads = [(ln, _head(ln.text)) for ln in inside]
    found = [(ln, m) for ln, m in heads if m]
    letters = sorted(m[0].upper() for _ln, m in found)
    first = ord(letters[0]) if len(found) >= MIN_RUN_ON else ord("A")
    if len(found) < 2 or letters != [chr(first + i) for i in range(len(found))]:
        return []
    starts = {id(ln) for ln, _m in found}
    out = []
    for ln, m in found:
        x0, y0, x1, y1 = ln.bbox
        parts = [m[1].strip()]
        for nxt in sorted(inside, key=lambda t: t.bbox[1]):
            h = y1 - y0
            if id(nxt) in starts or not (x0 - 2 <= nxt.bbox[0] <= x1 and nxt.bbox[2] <= x1 + h):
                continue
            if 0 <= nxt.bbox[1] - y1 <= 0.8 * h:  # the next line of the same paragraph
                parts.append(nxt.text.strip())
                y1 = nxt.bbox[3]
        letter = m[0]
        out.append(SubCaption(letter.upper(), letter, clean_caption_text(parts), (x0, y0, x1, y1)))
    return out


def _head(text: str) -> tuple[str, str] | None:
    """``(letter as printed, text after it)`` of a line opening a sub-caption, or None."""
    m = _SUBCAPTION_RE.match(text.strip())
    return None if m is None else (m.group(1) or m.group(2), m.group(3))


def attach(panels: list[BBox], subcaptions: list[SubCaption]) -> dict[int, SubCaption]:
    """Each panel's sub-caption (by panel index): every sub-caption sits right under one
    panel (centred within its width) or, failing that, every one sits right over one; no
    panel takes two. ``{}`` when neither holds, so a stray line never names panels."""
    for below in (True, False):
        taken: dict[int, SubCaption] = {}
        for sub in subcaptions:
            i = _nearest(panels, sub.bbox, below)
            if i is None or i in taken:
                break
            taken[i] = sub
        else:
            return taken
    return {}


EDGE_SHARE = 0.2  # of the figure's height: sub-captions of the first (last) row this near
# its top (bottom) head (close) their panels


def grid_cells(subcaptions: list[SubCaption], fig_box: BBox) -> list[BBox]:
    """Panels cut from where the sub-captions stand, when they head (or close) the cells of
    a grid: each row of sub-captions spans the figure's height to the next row, and each
    sub-caption its row's width to halfway to its neighbours (tclust's 2 x 3 grid of plots
    titled "(a) ..." to "(f) ...", whose titles and axes fill the gutters between the rows).
    ``[]`` when the sub-captions stand neither at the top of the figure nor at its foot."""
    x0, y0, x1, y1 = fig_box
    height = max(y1 - y0, 1.0)
    rows: list[list[SubCaption]] = []
    for sub in sorted(subcaptions, key=lambda s: s.bbox[1]):
        h = sub.bbox[3] - sub.bbox[1]
        if rows and abs(sub.bbox[1] - rows[-1][0].bbox[1]) <= 0.5 * h:
            rows[-1].append(sub)
        else:
            rows.append([sub])
    if len(rows) < 2:
        return []  # one row of sub-captions: the gutters between its panels do
    over = rows[0][0].bbox[1] - y0 <= EDGE_SHARE * height
    under = y1 - rows[-1][0].bbox[3] <= EDGE_SHARE * height
    if over == under:
        return []
    if over:  # a row runs from its sub-captions' top down to the next row's
        tops = [y0] + [row[0].bbox[1] for row in rows[1:]]
        bottoms = [*tops[1:], y1]
    else:  # from the row before's sub-captions down to the foot of its own
        bottoms = [max(s.bbox[3] for s in row) for row in rows[:-1]] + [y1]
        tops = [y0, *bottoms[:-1]]
    cells: list[BBox] = []
    for row, top, bottom in zip(rows, tops, bottoms, strict=True):
        centres = sorted((s.bbox[0] + s.bbox[2]) / 2 for s in row)
        edges = [x0] + [(a + b) / 2 for a, b in pairwise(centres)] + [x1]
        cells += [(edges[i], top, edges[i + 1], bottom) for i in range(len(row))]
    least = 2 * max(s.bbox[3] - s.bbox[1] for s in subcaptions)
    if any(c[3] - c[1] < least or c[2] - c[0] < least for c in cells):
        return []
    return cells


def _nearest(panels: list[BBox], line: BBox, below: bool) -> int | None:
    cx, h = (line[0] + line[2]) / 2, line[3] - line[1]
    best: tuple[float, int] | None = None
    for i, b in enumerate(panels):
        if not b[0] - 2 <= cx <= b[2] + 2:
            continue
        # the distance from the panel's edge; a panel cut with its sub-caption inside it
        # (no gutter between them) reaches past the line by up to its height
        d = line[1] - b[3] if below else b[1] - line[3]
        if -(h + 4) <= d <= MAX_DISTANCE * h and (best is None or abs(d) < best[0]):
            best = (abs(d), i)
    return None if best is None else best[1]


STACK_GAP = 2.0  # line heights between a sub-caption paragraph and the picture over it or
# the next part under it
MIN_STACK = 2  # pictures in a stack: one picture over one paragraph is no stack


def subcaptioned_stack(
    caption: BBox, regions: list[Region], lines: list[TextLine], running: set[int]
) -> tuple[list[int], list[TextLine]] | None:
    """The pictures stacked over ``caption`` in its column, each over a paragraph of its
    own that starts "(a) ...", "(b) ..." (OSDI's long sub-captions, set as running text):
    ``(region indices, paragraph lines)``, or None when the column over the caption is no
    such stack. Read upwards: paragraph, picture, paragraph, picture..., letters in order."""
    x0, top, x1, _ = caption
    members: list[int] = []
    texts: list[TextLine] = []
    letters: list[str] = []
    column = [ln for ln in lines if id(ln) in running and ln.x0 < x1 and x0 < ln.x1]
    while True:
        para = _paragraph_over(top, column)
        if not para:
            break
        head = _head(para[0].text)
        if head is None:
            break
        above = [
            i
            for i, r in enumerate(regions)
            if i not in members
            and 0 <= para[0].y0 - r.bbox[3] <= STACK_GAP * para[0].height
            and r.bbox[0] < x1
            and x0 < r.bbox[2]
        ]
        if len(above) != 1:
            break
        members.append(above[0])
        texts += para
        letters.append(head[0].lower())
        top = regions[above[0]].bbox[1]
    order = letters[::-1]
    if len(members) < MIN_STACK or order != [chr(ord("a") + i) for i in range(len(order))]:
        return None
    return members, texts


def subcaptioned_row(
    caption: BBox, regions: list[Region], lines: list[TextLine], running: set[int]
) -> tuple[list[int], list[TextLine]] | None:
    """The pictures side by side over ``caption``, each over a paragraph of its own that
    starts "a. ...", "b. ..." left to right (scotch's sub-figures with sub-captions of two
    or three lines, set as running text): ``(region indices, paragraph lines)``, or None."""
    x0, top, x1, _ = caption
    near = [
        ln
        for ln in lines
        if id(ln) in running
        and ln.x0 < x1
        and x0 < ln.x1
        and 0 <= top - ln.y1 <= STACK_GAP * max(ln.height, 1.0)
    ]
    # and the paragraphs ending level with those (a short caption under the first only)
    near += [
        ln
        for ln in lines
        if id(ln) in running
        and ln not in near
        and any(abs(ln.y1 - o.y1) <= 2 and not (ln.x0 < o.x1 and o.x0 < ln.x1) for o in near)
    ]
    members: list[int] = []
    texts: list[TextLine] = []
    letters: list[str] = []
    for last in sorted(near, key=lambda ln: ln.x0):
        if any(last.x0 < ln.x1 and ln.x0 < last.x1 for ln in texts):
            continue  # a line of a paragraph already read
        column = [ln for ln in lines if id(ln) in running and ln.x0 < last.x1 and last.x0 < ln.x1]
        para = _paragraph_over(last.y1 + 0.5, column)
        head = _head(para[0].text) if para else None
        if head is None:
            return None
        above = [
            i
            for i, r in enumerate(regions)
            if i not in members
            and 0 <= para[0].y0 - r.bbox[3] <= STACK_GAP * para[0].height
            and r.bbox[0] < max(ln.x1 for ln in para)
            and min(ln.x0 for ln in para) < r.bbox[2]
        ]
        if len(above) != 1:
            return None
        members.append(above[0])
        texts += para
        letters.append(head[0].lower())
    if len(members) < MIN_STACK or letters != [chr(ord("a") + i) for i in range(len(letters))]:
        return None
    return members, texts


def _paragraph_over(top: float, column: list[TextLine]) -> list[TextLine]:
    """The lines of the paragraph right over ``top`` (each under the next within a line's
    height), top line first."""
    para: list[TextLine] = []
    for ln in sorted((ln for ln in column if ln.y1 <= top + 1.0), key=lambda t: -t.y1):
        if top - ln.y1 > (0.8 if para else STACK_GAP) * max(ln.height, 1.0):
            break
        para.append(ln)
        top = ln.y0
    return para[::-1]
