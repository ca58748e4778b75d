"""Figures made of text alone: a code listing, a terminal screen or typeset lines over a caption.

Such a figure has no graphics to cluster, so it is found from its caption: a caption left
without a figure, with two caption cues or more, and a block of lines right over it that are not
the article's running text (listings are set in short lines, a terminal screen in a
smaller type) is captioned text. The block is read upwards from the caption, line by line,
while the lines stay close and do not turn into running text or another caption. A listing
in a frame drawn stroke by stroke (each stroke too small to be a figure) is the frame's box.
"""

from __future__ import annotations

import re

from litclip.corpus.extract.captions import parse_label
from litclip.corpus.extract.regions import FRAME_STROKE, Element, text_columns
from litclip.corpus.extract.text import TextLine, text_rows
from litclip.corpus.types import BBox

FIRST_GAP = 3.0  # line heights between the caption and the block's last line
LINE_GAP = 2.2  # line heights between two lines of the block (a listing's blank lines)
MIN_LINES = 3
MIN_HEIGHT = 24.0  # points, as for any figure
MONO_BESIDE = 5.0  # font sizes: how far beside the block a listing's fixed-width line may stand


def text_block_over(
    caption: BBox,
    lines: list[TextLine],
    running: set[int],
    caption_height: float = 0.0,
    column: tuple[float, float] | None = None,
) -> BBox | None:
    """The box of the block of non-running lines right over ``caption`` (whose first line is
    ``caption_height`` tall), or None. Within ``column`` (:func:`caption_column`), a
    listing's fixed-width lines a little beside the block join it."""
    block = _block_over(caption, lines, running, caption_height, column=column)
    if len(block) < MIN_LINES:
        return None
    box = _box_of(block)
    return box if box[3] - box[1] >= MIN_HEIGHT else None


def _block_over(
    caption: BBox,
    lines: list[TextLine],
    running: set[int],
    caption_height: float = 0.0,
    reach: float = 0.0,
    column: tuple[float, float] | None = None,
    edge: float | None = None,
) -> list[TextLine]:
    """The lines right over ``caption``, read upwards while they stay close, in its column
    (as wide as the block has grown) and neither ``running`` text nor another caption.
    Inside the text ``column`` only, lines stand a little beside the block too: fixed-width
    ones :data:`MONO_BESIDE` font sizes, others ``reach`` (the other column's never do).
    A line starting at ``edge`` (the column's left edge) in the text's face ends the block.

    The space over the caption is set in the caption's size (a listing in 7 pt type sits
    as far over its 10 pt caption as a 10 pt one would)."""
    x0, top, x1, _ = caption
    block: list[TextLine] = []
    left, right = x0, x1
    # sub-labels under the parts ("Correct", "Wrong" under two listings side by side) stand
    # off the parts as a caption does
    labels = _label_row(caption, lines, running, caption_height, column)
    if labels:
        block = list(labels)
        top = min(ln.y0 for ln in labels)
        left, right = min(left, labels[0].x0), max(right, max(ln.x1 for ln in labels))
    in_row = {id(ln) for ln in labels}
    for ln in sorted((ln for ln in lines if ln.y1 <= top + 1.0), key=lambda t: -t.y1):
        if ln.rotated or not ln.text.strip() or id(ln) in in_row:
            continue
        beside = max(ln.x0 - right, left - ln.x1)
        # another column or beside the block; a listing's column of figures may start left
        # of a short centred caption ("0", "8", "0" left of "24", "000" in scotch's graph file)
        inside = column is not None and column[0] - 1 <= ln.x0 and ln.x1 <= column[1] + 1
        allowed = (MONO_BESIDE if ln.mono else reach) * ln.size if inside else 0.0
        if beside >= 0 and not (allowed > 0 and beside <= allowed):
            continue
        height = max(ln.height, 1.0)
        first = len(block) == len(labels)
        limit = FIRST_GAP * max(height, caption_height) if first else LINE_GAP * height
        if top - ln.y1 > limit:
            break
        if id(ln) in running or parse_label(ln.text) or _ends_paragraph(ln, block, lines, running):
            break
        if edge is not None and not ln.mono and abs(ln.x0 - edge) <= 1.5:
            break
        block.append(ln)
        top = min(top, ln.y0)
        left, right = min(left, ln.x0), max(right, ln.x1)
    return block


LABEL_WORDS = 2  # words of a sub-label at most


def _label_row(
    caption: BBox,
    lines: list[TextLine],
    running: set[int],
    caption_height: float,
    column: tuple[float, float] | None,
) -> list[TextLine]:
    """Two or more short labels side by side right over ``caption``, inside the text
    ``column`` (the nearest lines over it), or []."""
    if column is None:
        return []
    top = caption[1]
    over = [
        ln
        for ln in lines
        if ln.y1 <= top + 1.0
        and not ln.rotated
        and ln.text.strip()
        and column[0] - 1 <= ln.x0
        and ln.x1 <= column[1] + 1
        and top - ln.y1 <= FIRST_GAP * max(ln.height, caption_height, 1.0)
    ]
    if not over:
        return []
    nearest = max(ln.y1 for ln in over)
    row = [ln for ln in over if ln.y1 >= nearest - 1.0]
    short = all(
        len(ln.text.split()) <= LABEL_WORDS and id(ln) not in running and not parse_label(ln.text)
        for ln in row
    )
    return sorted(row, key=lambda t: t.x0) if len(row) >= 2 and short else []


INDENT = 4.0  # font sizes: a paragraph's first-line indent at most
_SENTENCE_END = (".", "!", "?", ".)")
LARGER = 1.1  # the running text's type over a listing's, at least


def _ends_paragraph(
    line: TextLine, block: list[TextLine], lines: list[TextLine], running: set[int]
) -> bool:
    """Whether ``line`` is the last, short line of a paragraph of running text ("and edge
    weights and base 0." over a listing): set in the text's face, a line's pitch under one
    of its lines, flush with it on the left or under its first line's indent; or, over a
    listing's fixed-width lines, a sentence's end in larger type (a paragraph carried over
    from the page before: "the graph of Figure 4."; a comment in the listing's size, "#
    Update the policy.", is the listing's)."""
    if line.mono:
        return False
    if (
        block
        and any(b.mono for b in block)
        and line.size > LARGER * max(b.size for b in block)  # the text's type, not a comment's
        and line.text.rstrip().endswith(_SENTENCE_END)
    ):
        return True
    return any(
        id(o) in running
        and 0 <= line.y0 - o.y1 < o.height
        and -1.5 <= o.x0 - line.x0 <= INDENT * line.size
        and abs(o.size - line.size) <= 0.05 * line.size
        for o in lines
    )


def _box_of(block: list[TextLine]) -> BBox:
    return (
        min(ln.x0 for ln in block),
        min(ln.y0 for ln in block),
        max(ln.x1 for ln in block),
        max(ln.y1 for ln in block),
    )


FRAME_GAP = 30.0  # points between a frame's bottom and the caption under it
SIDE_JOIN = 2.0  # points between the pieces of one side


def _sides(elements: list[Element]) -> list[BBox]:
    """Vertical strokes joined into sides: thin path pieces at one x, end to end."""
    pieces = sorted(
        (e.bbox for e in elements if e.kind == "path" and e.bbox[2] - e.bbox[0] <= FRAME_STROKE),
        key=lambda b: (round(b[0]), b[1]),
    )
    sides: list[list[float]] = []
    for x0, y0, x1, y1 in pieces:
        last = sides[-1] if sides else None
        if last and round(last[0]) == round(x0) and y0 - last[3] <= SIDE_JOIN:
            last[3] = max(last[3], y1)
            last[2] = max(last[2], x1)
        else:
            sides.append([x0, y0, x1, y1])
    return [(a, b, c, d) for a, b, c, d in sides]


def frame_over(caption: BBox, elements: list[Element]) -> BBox | None:
    """The box of a frame whose two sides end right over ``caption`` and span it, or None."""
    x0, top, x1, _ = caption
    sides = [
        s for s in _sides(elements) if 0 <= top - s[3] <= FRAME_GAP and s[3] - s[1] >= MIN_HEIGHT
    ]
    best: BBox | None = None
    for left in sides:
        for right in sides:
            level = abs(left[1] - right[1]) <= 3 and abs(left[3] - right[3]) <= 3
            if level and left[0] <= x0 + 6 and right[2] >= x1 - 6 and right[0] - left[2] > 50:
                box = (left[0], min(left[1], right[1]), right[2], max(left[3], right[3]))
                if best is None or box[3] > best[3]:
                    best = box
    return best


RULE_SPAN = 0.5  # of the caption's width: a rule under a block of output spans this much of it
RULE_MIN_WIDTH = 100.0  # points: shorter strokes are underlines, not rules
RULE_STROKE = 4.0  # points: an algorithm box's rules are drawn thicker than a frame's sides
THICK_RULE = 2.0  # points: a rule this thick or more boxes a float
RULED_PROSE = 0.5  # of a ruled block's lines that may read as running text (an algorithm's steps)


def _rules(elements: list[Element]) -> list[BBox]:
    """Horizontal rules: thin path pieces at least :data:`RULE_MIN_WIDTH` long."""
    return [
        e.bbox
        for e in elements
        if e.kind == "path"
        and e.bbox[3] - e.bbox[1] <= RULE_STROKE
        and e.bbox[2] - e.bbox[0] >= RULE_MIN_WIDTH
    ]


def ruled_block_over(
    caption: BBox, lines: list[TextLine], elements: list[Element], running: set[int]
) -> BBox | None:
    """The box of a block of lines ruled off above and below, over ``caption`` (a book's R
    output between two rules, its caption a little under the lower one), or None.

    The lower rule spans the caption and ends at most :data:`FRAME_GAP` over it. With a rule
    of the same width over it (at least :data:`MIN_HEIGHT` up), the block is what lies
    between the two, when that is :data:`MIN_LINES` lines or more with no caption among them
    and no running text (between thick rules, at most half of it: an algorithm's steps may
    read as prose); without one (a page's header rule may be taken for furniture)
    it is read upwards from the lower rule as from a caption.
    """
    x0, top, x1, _ = caption
    rules = _rules(elements)
    under = [
        r
        for r in rules
        if 0 <= top - r[3] <= FRAME_GAP and min(r[2], x1) - max(r[0], x0) >= RULE_SPAN * (x1 - x0)
    ]
    if not under:
        return None
    low = max(under, key=lambda r: r[3])  # the nearest
    over = [
        r
        for r in rules
        if low[1] - r[3] >= MIN_HEIGHT and abs(r[0] - low[0]) <= 3 and abs(r[2] - low[2]) <= 3
    ]
    if over:
        high = max(over, key=lambda r: r[3])
        inside = [
            ln
            for ln in lines
            if ln.text.strip()
            and ln.y0 >= high[3] - 1
            and ln.y1 <= low[1] + 1
            and min(ln.x1, low[2]) - max(ln.x0, low[0]) > 0
        ]
        # thick rules box a float (an algorithm, whose steps may read as prose); between
        # hairlines, running text is the page's, not the block's
        thick = min(high[3] - high[1], low[3] - low[1]) >= THICK_RULE
        prose = sum(id(ln) in running for ln in inside)
        if (
            len(inside) >= MIN_LINES
            and prose <= (RULED_PROSE * len(inside) if thick else 0)
            and not any(parse_label(ln.text) for ln in inside)
        ):
            return (min(high[0], low[0]), high[1], max(high[2], low[2]), low[3])
    block = text_block_over(low, lines, running)
    if block is None:
        return None
    return (min(block[0], low[0]), block[1], max(block[2], low[2]), low[3])


def listing_lines(lines: list[TextLine]) -> set[int]:
    """``id`` of the lines of code listings: rows set mostly (by width) in a fixed-width
    font (a keyword in a bold roman face rides along: "using Eigen::LLT;"), and rows between
    two such rows one pitch apart ("return di;", "} else {", a comment set in italics).
    Prose with a word of code in it is no listing."""
    rows = text_rows([ln for ln in lines if not ln.rotated])
    code = [_mostly_mono(row) for row in rows]
    for k in range(1, len(rows) - 1):
        above, row, below = rows[k - 1], rows[k], rows[k + 1]
        pitch = 2.0 * max(ln.height for ln in row)
        if (
            not code[k]
            and code[k - 1]
            and code[k + 1]
            and min(ln.y0 for ln in row) - max(ln.y1 for ln in above) <= pitch
            and min(ln.y0 for ln in below) - max(ln.y1 for ln in row) <= pitch
        ):
            code[k] = True  # a lone row between two rows of code
    out = {id(ln) for row, is_code in zip(rows, code, strict=True) if is_code for ln in row}
    # two columns: a row of code beside a line of the other column's prose (TraceMonkey's
    # listing at the top of the right column) is code where it stands
    for row, is_code in zip(rows, code, strict=True):
        if not is_code and len(row) > 1:
            out |= {id(ln) for part in _column_parts(row) if _mostly_mono(part) for ln in part}
    return out


COLUMN_GAP = 2.0  # line heights between two columns' lines on one row


def _column_parts(row: list[TextLine]) -> list[list[TextLine]]:
    """A row's lines split where a gap wider than :data:`COLUMN_GAP` line heights parts them."""
    parts: list[list[TextLine]] = []
    for ln in sorted(row, key=lambda t: t.x0):
        if parts and ln.x0 - max(t.x1 for t in parts[-1]) <= COLUMN_GAP * ln.height:
            parts[-1].append(ln)
        else:
            parts.append([ln])
    return parts


def _mostly_mono(part: list[TextLine]) -> bool:
    return 2 * sum(ln.x1 - ln.x0 for ln in part if ln.mono) > sum(ln.x1 - ln.x0 for ln in part)


_PROMPT = re.compile(r"^(?:R?>|>>>|\$|In \[\d*\]:)\s")
ECHO_GAP = 1.5  # line heights between the rows of one echoed chunk of code


def echoed_code(lines: list[TextLine]) -> set[int]:
    """``id`` of the rows of code echoed at a console prompt ("R> plot(x)", "> fit <- ...",
    ">>> f(x)") in a fixed-width font, with the rows that go on under them ("+   col = 2)"):
    the text of the page, never the top of the plot drawn under it."""
    rows = text_rows([ln for ln in lines if not ln.rotated and ln.mono])
    out: set[int] = set()
    last: float | None = None
    for row in rows:
        top, height = min(ln.y0 for ln in row), max(ln.height for ln in row)
        first = min(row, key=lambda ln: ln.x0)
        if _PROMPT.match(first.text) or (last is not None and top - last <= ECHO_GAP * height):
            out |= {id(ln) for ln in row}
            last = max(ln.y1 for ln in row)
        else:
            last = None
    return out


_CODE_TOKEN = re.compile(r"[=(){}\[\];]|//|#|:\s*$")
CODE_SHARE = 0.6  # of a block's lines that carry code's punctuation
CODE_INDENTS = 3  # left edges (2 pt apart) of a block of nested code
CODE_BESIDE = 3.0  # font sizes: how far beside the block its closing lines ("}") may stand
CODE_CENTRED = 0.15  # of a listing's width: how far off its middle a centred caption's may be
FLUSH_SHARE = 0.3  # of its lines that may end at the block's right edge (prose is justified)
CODE_MIN_LINES = 5


def code_block_over(
    caption: BBox, lines: list[TextLine], column: tuple[float, float] | None = None
) -> BBox | None:
    """The box of pseudocode right over ``caption`` set in the text's own face (so read as
    running text): a block of lines, close under one another, most carrying code's
    punctuation ("=", "()", "//", a colon closing the line), stepping in and out over
    three indents or more and ragged on the right. None for anything else.

    Failing that, with ``column`` (:func:`caption_column`), the block is read across the
    caption's text column, lines a little beside it joining it, up to a line at the column's
    edge, and kept when the caption is centred under it: a listing set at the column's
    indent ends in lines ("}", "return 0;") left of a short centred caption."""
    box = _code_box(_block_over(caption, lines, set()))
    if box is not None or column is None:
        return box
    x0, top, x1, bottom = caption
    wide = (min(x0, column[0]), top, max(x1, column[1]), bottom)
    # prose starts at the column's edge ("This will produce figure 2.4."), the code set in
    block = _block_over(wide, lines, set(), reach=CODE_BESIDE, column=column, edge=column[0])
    box = _code_box(block)
    if box is None or abs(box[0] + box[2] - x0 - x1) / 2 > CODE_CENTRED * (box[2] - box[0]):
        return None
    return box


def _code_box(block: list[TextLine]) -> BBox | None:
    """The box of ``block`` when it reads as code (:func:`code_block_over`), or None. Its
    rows count, not its pieces (a timeline's labels "s(0)", "s(τ1)" ... on one row)."""
    if len(block) < CODE_MIN_LINES or len(text_rows(block)) < CODE_MIN_LINES:
        return None
    coded = sum(bool(_CODE_TOKEN.search(ln.text.strip())) for ln in block)
    indents = len({round(ln.x0 / 2) for ln in block})
    box = _box_of(block)
    flush = sum(box[2] - ln.x1 <= 2.0 for ln in block)
    if (
        coded < CODE_SHARE * len(block)
        or indents < CODE_INDENTS
        or flush > FLUSH_SHARE * len(block)
    ):
        return None
    return box


def caption_column(caption: BBox, running: list[TextLine]) -> tuple[float, float] | None:
    """The text column a caption is set in (:func:`~.regions.text_columns`), or the span of
    the page's running lines when it has one column; None without running text."""
    middle = (caption[0] + caption[2]) / 2
    columns = text_columns(running)
    if columns:
        return next((c for c in columns if c[0] - 3 <= middle <= c[1] + 3), None)
    level = [ln for ln in running if not ln.rotated]
    if len(level) < MIN_LINES:
        return None
    return min(ln.x0 for ln in level), max(ln.x1 for ln in level)


MONO_FIRST_GAP = 4.0  # caption line heights between a fixed-width listing and its caption
MONO_GAP = 3.5  # line heights between two of its lines (blank lines set in the listing)
MONO_MIN_REACH = 120.0  # points: how far left or right of its caption a listing's lines may start
_COMMENT = re.compile(r"^\s*(?://|/\*|\*|#)")  # a comment set in the text's face inside a listing


def mono_block_over(caption: BBox, lines: list[TextLine], caption_height: float) -> BBox | None:
    """The box of a listing set in a fixed-width face right over ``caption``, however few
    its lines (a one-line macro call of a LaTeX package manual, a frontmatter of three
    lines), or None. Its lines may stand left of a short centred caption: any within a
    caption's width of it count; a line in another face over the block ends it."""
    block = _mono_block(caption, lines, caption_height, under=False)
    return _box_of(block) if block else None


MIN_LINES_UNDER = 3  # a listing under its caption (IEEE's) is set apart from the text after


def mono_block_under(caption: BBox, lines: list[TextLine], caption_height: float) -> BBox | None:
    """The box of a listing of :data:`MIN_LINES_UNDER` fixed-width lines or more right under
    ``caption`` (IEEE sets a listing's caption over it: OMPL's "Fig. 3. Solving a motion
    planning problem with OMPL in Python." over its numbered code), or None."""
    block = _mono_block(caption, lines, caption_height, under=True)
    return _box_of(block) if len(block) >= MIN_LINES_UNDER else None


def _mono_block(
    caption: BBox, lines: list[TextLine], caption_height: float, under: bool
) -> list[TextLine]:
    """The fixed-width lines read away from ``caption``, over it or ``under`` it, while they
    stay close (:data:`MONO_GAP`); [] when the nearest line is not one of them."""
    x0, top, x1, bottom = caption
    # a caption's width, and never less than a short centred caption's way to the line
    # numbers at the left margin ("Figure 1: Small graph" under "10: }", dot's guide)
    reach = max(x1 - x0, MONO_MIN_REACH)
    block: list[TextLine] = []
    left, right = x1, x0  # the block's sides so far
    if under:
        ordered = sorted((ln for ln in lines if ln.y0 >= bottom - 1.0), key=lambda t: t.y0)
    else:
        ordered = sorted((ln for ln in lines if ln.y1 <= top + 1.0), key=lambda t: -t.y1)
    edge = bottom if under else top  # the block's edge away from the caption so far
    for ln in ordered:
        if ln.rotated or not ln.text.strip():
            continue
        if ln.x1 <= x0 - reach or ln.x0 >= x1 + reach:
            continue  # another column
        gap = ln.y0 - edge if under else edge - ln.y1
        code = ln.mono or (bool(block) and bool(_COMMENT.match(ln.text)))
        if block:
            inside = min(ln.x1, right) > max(ln.x0, left)
            if gap > MONO_GAP * max(ln.height, 1.0) or (not code and inside):
                break
        elif gap > MONO_FIRST_GAP * max(ln.height, caption_height, 1.0) or not code:
            return []
        if code and not parse_label(ln.text):
            block.append(ln)
            edge = max(edge, ln.y1) if under else min(edge, ln.y0)
            left, right = min(left, ln.x0), max(right, ln.x1)
    return block
