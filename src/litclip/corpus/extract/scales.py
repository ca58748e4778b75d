"""Axis scales printed as text: how a vector figure of several plots shows itself.

A vector figure without panel letters is not split at its white gutters (a flow chart or a
diagram falls apart there), unless it holds the scales of several plots: a column of 3+
tick numbers sharing a right edge (a y axis) or a row of 3+ on one baseline (an x axis). One
plot shows at most two (three with a second y axis); each part of a split must hold one.
"""

from __future__ import annotations

import re
from itertools import pairwise

import numpy as np

from litclip.corpus.extract.regions import union
from litclip.corpus.extract.text import TextLine
from litclip.corpus.types import BBox, TextHints

# a power of ten on a log axis, its superscript exponent read onto the line ("10\u22125")
_POWER_OF_TEN = re.compile(r"^10[-\u2212](\d{1,3})$")
# a tick number: "0.5", "-2", "1e-3", "25%", "10\u22125"
_NUMBER = re.compile(
    rf"^[-\u2212+]?(\d+([.,]\d+)?|[.,]\d+)(e[-+\u2212]?\d+)?%?$|{_POWER_OF_TEN.pattern}"
)
MIN_TICKS = 3  # numbers on one axis
MIN_SCALES = 4  # two plots' worth: more than one plot with a second y axis shows
_ALIGN = 2.0  # points


def _centred_in(ln: TextLine, box: BBox) -> bool:
    """Whether the centre of ``ln`` lies inside ``box``."""
    cx, cy = (ln.bbox[0] + ln.bbox[2]) / 2, (ln.bbox[1] + ln.bbox[3]) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


def _numbers(lines: list[TextLine], box: BBox) -> list[TextLine]:
    """The lines of numbers alone inside ``box``; not in a fixed-width face, which prints
    a program's output (R's tables of estimates), not tick labels, nor a listing's line
    numbers (:func:`_line_numbers_out`)."""
    out = []
    for ln in lines:
        tokens = ln.text.split()
        if ln.mono or not _centred_in(ln, box):
            continue
        if tokens and all(_NUMBER.match(t) for t in tokens):
            out.append(ln)
    return _line_numbers_out(out, [ln for ln in lines if ln.mono and _centred_in(ln, box)])


def _line_numbers_out(numbers: list[TextLine], code: list[TextLine]) -> list[TextLine]:
    """``numbers`` less a listing's line numbers: a number with a line of code (fixed-width)
    level with it, starting right after it (PSTricks' news set a numbered listing beside
    each drawing: its "1" to "10" read as a second plot's y scale and cut the figure)."""
    if not numbers or not code:
        return numbers
    boxes = np.array([ln.bbox for ln in code], dtype=np.float64)
    sizes = np.array([ln.size for ln in code], dtype=np.float64)
    out = []
    for ln in numbers:
        x0, y0, x1, y1 = ln.bbox
        level = np.minimum(boxes[:, 3], y1) - np.maximum(boxes[:, 1], y0) > 0.5 * (y1 - y0)
        after = (boxes[:, 0] >= x1 - 1.0) & (boxes[:, 0] - x1 <= LINE_NUMBER_GAP * sizes)
        if not (level & after).any():
            out.append(ln)
    return out


LINE_NUMBER_GAP = 3.0  # the code's font sizes between a listing's line number and its line


def count_scales(lines: list[TextLine], box: BBox) -> int:
    """How many axis scales (tick-number columns and rows) are printed inside ``box``."""
    nums = _numbers(lines, box)
    scales = sum(len(ln.text.split()) >= MIN_TICKS for ln in nums)  # "0 50 100" as one line
    single = [ln.bbox for ln in nums if len(ln.text.split()) == 1]
    # y axes: right edges aligned, spread down; x axes: centres on one baseline, spread across
    for align, spread in ((lambda b: b[2], _cy), (_cy, lambda b: (b[0] + b[2]) / 2)):
        for group in _runs(single, align, _ALIGN):
            scales += sum(len(part) >= MIN_TICKS for part in _split_at_gaps(group, spread))
    return scales


def text_hints(lines: list[TextLine], box: BBox) -> TextHints:
    """The text lines centred in ``box``, how many are fixed-width, and its axis scales."""
    inside = [ln for ln in lines if _centred_in(ln, box)]
    return TextHints(len(inside), sum(ln.mono for ln in inside), count_scales(inside, box))


# a leaf of a tree plot (R's party and partykit): "Node 4 (n = 128)" over each leaf's plot
_TREE_LEAF = re.compile(r"^Node \d+ \(n = \d+\)$")


def is_tree(lines: list[TextLine], box: BBox) -> bool:
    """Whether ``box`` holds a tree plot: two or more leaves headed "Node k (n = m)", each
    over a small plot of its own. The leaves' plots are one figure, not panels."""
    leaves = [ln for ln in lines if _TREE_LEAF.match(ln.text.strip()) and _centred_in(ln, box)]
    return len(leaves) >= 2


def _cy(b: BBox) -> float:
    return (b[1] + b[3]) / 2


def _runs(boxes: list[BBox], key, tol: float) -> list[list[BBox]]:  # noqa: ANN001 - a key
    """Boxes grouped by ``key`` values that follow each other within ``tol``."""
    groups: list[list[BBox]] = []
    last = None
    for b in sorted(boxes, key=key):
        if last is None or key(b) - last > tol:
            groups.append([])
        groups[-1].append(b)
        last = key(b)
    return groups


def _split_at_gaps(group: list[BBox], key) -> list[list[BBox]]:  # noqa: ANN001 - a key
    """The group sorted by ``key`` and cut where a step is over twice the median step (the
    y axes of two stacked plots share a right edge; a gap parts them)."""
    boxes = sorted(group, key=key)
    if len(boxes) < 2:
        return [boxes]
    values = [key(b) for b in boxes]
    steps = sorted(b - a for a, b in zip(values, values[1:], strict=False))
    limit = 2.0 * max(steps[len(steps) // 2], 1.0)
    parts = [[boxes[0]]]
    for a, b, box in zip(values, values[1:], boxes[1:], strict=False):
        if b - a > limit:
            parts.append([])
        parts[-1].append(box)
    return parts


def _monotone_runs(boxes: list[BBox], value: dict[BBox, float]) -> list[list[BBox]]:
    """``boxes`` (in reading order) cut where their values turn back: the scale of the plot
    under (or beside) another, in line with it, starting over ("1 ... 10\u221215" down the
    left of one log plot, then "1 ... 10\u221210" down the plot under it)."""
    parts: list[list[BBox]] = [boxes[:1]]
    sign = 0
    for a, b in pairwise(boxes):
        d = value[b] - value[a]
        step = (d > 0) - (d < 0)
        if sign and step and step != sign:
            parts.append([b])
            sign = 0
            continue
        sign = sign or step
        parts[-1].append(b)
    return parts


def _scale_runs(boxes: list[BBox], value: dict[BBox, float]) -> list[list[BBox]]:
    """The runs of ``boxes`` (in reading order, :func:`_monotone_runs`) that are scales:
    :data:`MIN_TICKS` numbers or more, evenly stepped."""
    return [
        run
        for run in _monotone_runs(boxes, value)
        if len(run) >= MIN_TICKS and _even_steps([value[b] for b in run])
    ]


def y_scales(lines: list[TextLine], box: BBox) -> list[BBox]:
    """The boxes of the y-axis scales inside ``box`` (3+ tick numbers, right edges aligned,
    evenly stepped values: a legend's "1 4 8" is not a scale), left to right; with the
    sideways scales R prints by default (:func:`_sideways_scales`)."""
    nums = _numbers(lines, box)
    value = {
        ln.bbox: _value(ln.text) for ln in nums if len(ln.text.split()) == 1 and not ln.rotated
    }
    out = _sideways_scales([ln for ln in nums if ln.rotated])
    out += [
        union(run)
        for group in _runs(list(value), lambda b: b[2], _ALIGN)
        for part in _split_at_gaps(group, _cy)
        for run in _scale_runs(part, value)
    ]
    return sorted(out)


def x_scales(lines: list[TextLine], box: BBox) -> list[BBox]:
    """The boxes of the x-axis scales inside ``box`` (3+ upright tick numbers on one baseline,
    evenly stepped, or one line of them), top to bottom."""
    nums = [ln for ln in _numbers(lines, box) if not ln.rotated]
    out = [
        ln.bbox
        for ln in nums
        if len(ln.text.split()) >= MIN_TICKS and _even_steps([_value(t) for t in ln.text.split()])
    ]
    value = {ln.bbox: _value(ln.text) for ln in nums if len(ln.text.split()) == 1}
    for group in _runs(list(value), _cy, _ALIGN):
        for part in _split_at_gaps(group, lambda b: (b[0] + b[2]) / 2):
            out.extend(union(run) for run in _scale_runs(sorted(part, key=lambda b: b[0]), value))
    return sorted(out, key=lambda b: (b[1], b[0]))


def _sideways_scales(nums: list[TextLine]) -> list[BBox]:
    """Columns of sideways tick numbers (one line, or pieces of one column), 3+ values on a
    grid: steps that are whole multiples of the smallest (R leaves out a label that would
    overlap: "-200  0  100")."""
    out = []
    for group in _runs([ln.bbox for ln in nums], lambda b: (b[0] + b[2]) / 2, _ALIGN):
        for part in _split_at_gaps(group, _cy):
            values = [_value(t) for ln in nums if ln.bbox in part for t in ln.text.split()]
            if len(values) >= MIN_TICKS and _on_a_grid(values):
                out.append(union(part))
    return out


def _on_a_grid(values: list[float]) -> bool:
    distinct = sorted(set(values))
    steps = [b - a for a, b in zip(distinct, distinct[1:], strict=False)]
    if len(steps) < MIN_TICKS - 1 or any(v != v for v in values):
        return False
    unit = min(steps)
    return all(abs(d / unit - round(d / unit)) <= 0.1 for d in steps)


def _value(text: str) -> float:
    power = _POWER_OF_TEN.match(text)
    if power:
        return 10.0 ** -int(power.group(1))
    try:
        return float(text.replace("\u2212", "-").replace(",", ".").rstrip("%"))
    except ValueError:
        return float("nan")


def _even_steps(values: list[float]) -> bool:
    """Tick values in a linear or a logarithmic progression (within 10 %)."""
    steps = [b - a for a, b in zip(values, values[1:], strict=False)]
    if steps and all(abs(d - steps[0]) <= 0.1 * abs(steps[0]) for d in steps) and steps[0]:
        return True
    if all(v > 0 for v in values):
        ratios = [b / a for a, b in zip(values, values[1:], strict=False)]
        return all(abs(r - ratios[0]) <= 0.1 * abs(ratios[0]) for r in ratios) and ratios[0] != 1
    return False


def plot_panels(boxes: list[BBox], lines: list[TextLine]) -> list[BBox]:
    """``boxes`` when each holds a scale of its own (subplots), else ``[]``."""
    if len(boxes) >= 2 and all(count_scales(lines, b) >= 1 for b in boxes):
        return boxes
    return []
