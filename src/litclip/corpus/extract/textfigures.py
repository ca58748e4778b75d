"""Figures made of text alone: a code listing, a terminal screen or typeset lines over a caption.

Such a figure has no graphics to cluster, so it is found from its caption: a caption left
without a figure, unmistakable as one, with a block of lines right over it that are not
the article's running text (listings are set in short lines, a terminal screen in a
smaller type) is captioned text. The block is read upwards from the caption, line by line,
while the lines stay close and do not turn into running text or another caption.
"""

from __future__ import annotations

from litclip.corpus.extract.captions import parse_label
from litclip.corpus.extract.text import TextLine
from litclip.corpus.types import BBox

FIRST_GAP = 3.0  # line heights between the caption and the block's last line
LINE_GAP = 2.2  # line heights between two lines of the block (a listing's blank lines)
MIN_LINES = 3
MIN_HEIGHT = 24.0  # points, as for any figure


def text_block_over(caption: BBox, lines: list[TextLine], running: set[int]) -> BBox | None:
    """The box of the block of non-running lines right over ``caption``, or None."""
    x0, top, x1, _ = caption
    block: list[TextLine] = []
    left, right = x0, x1
    for ln in sorted((ln for ln in lines if ln.y1 <= top + 1.0), key=lambda t: -t.y1):
        if ln.rotated or not ln.text.strip():
            continue
        if min(ln.x1, right) - max(ln.x0, left) <= 0:  # another column or beside the block
            continue
        height = max(ln.height, 1.0)
        limit = (LINE_GAP if block else FIRST_GAP) * height
        if top - ln.y1 > limit:
            break
        if id(ln) in running or parse_label(ln.text):
            break
        block.append(ln)
        top = min(top, ln.y0)
        left, right = min(left, ln.x0), max(right, ln.x1)
    if len(block) < MIN_LINES:
        return None
    box = (
        min(ln.x0 for ln in block),
        min(ln.y0 for ln in block),
        max(ln.x1 for ln in block),
        max(ln.y1 for ln in block),
    )
    return box if box[3] - box[1] >= MIN_HEIGHT else None
