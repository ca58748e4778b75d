"""Text lines with font information, read from a pdfium text page.

pdfium gives characters in content-stream order with generated spaces and line breaks; we
group them into :class:`TextLine` objects (one horizontal run of text) and keep the font
size and boldness per character so caption labels can be told apart from in-text
references ("as shown in Figure 3").
"""

from __future__ import annotations

import ctypes
import math
import re
import statistics
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from litclip.corpus.types import BBox

# "Helvetica-Bold", "Arial,Bold", "TimesNewRomanPS-BoldMT", Advent's "AdvTT830b2708.B"
_SOFT_HYPHENS = frozenset("\x02\ufffe\u00ad")  # GetUnicode gives \x02, GetText \ufffe
_SOFT_TO_HYPHEN = str.maketrans(dict.fromkeys(_SOFT_HYPHENS, "-"))
_NEWLINE_RE = re.compile(r"[\r\n]")
# characters that never get a box: whitespace (all of it lies below U+3001) and soft hyphens
_NO_BOX_CODES = np.array(
    sorted({c for c in range(0x3001) if chr(c).isspace()} | {ord(c) for c in _SOFT_HYPHENS})
)
_BOLD_RE = re.compile(r"bold|black|heavy|semibold|demi|[.,_-](b|bi|bd|bdit)$")


@dataclass
class TextLine:
    """One run of text on a single baseline (or one rotated run)."""

    text: str
    bbox: BBox  # top-left origin
    size: float  # median font size of its characters
    bold: list[bool] = field(default_factory=list)  # per character of ``text``
    rotated: bool = False
    direction: int = 0  # reading direction in degrees: 0, 90 (upwards) or 270 (downwards)

    @property
    def x0(self) -> float:
        return self.bbox[0]

    @property
    def y0(self) -> float:
        return self.bbox[1]

    @property
    def x1(self) -> float:
        return self.bbox[2]

    @property
    def y1(self) -> float:
        return self.bbox[3]

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1]

    def prefix_bold(self, n: int) -> bool:
        """Whether the first ``n`` non-space characters are bold."""
        flags = [b for ch, b in zip(self.text, self.bold, strict=False) if not ch.isspace()][:n]
        return bool(flags) and all(flags)

    def mostly_bold(self) -> bool:
        flags = [b for ch, b in zip(self.text, self.bold, strict=False) if not ch.isspace()]
        return bool(flags) and sum(flags) > 0.8 * len(flags)


@dataclass
class _Chars:
    """A page's characters column-wise, in content-stream order."""

    text: str  # soft hyphens already turned into "-"
    boxed: np.ndarray  # bool (n,): has a box (not whitespace, not generated)
    box: np.ndarray  # float64 (n, 4): x0, y0, x1, y1, top-left origin (undefined if not boxed)
    size: np.ndarray  # float64 (n,): effective font size
    bold: np.ndarray  # bool (n,)
    rotated: np.ndarray  # bool (n,)


def _fast(fn: Any, restype: Any, *argtypes: Any) -> Any:
    """A second prototype of a pdfium function that takes plain integers (addresses).

    The stock bindings build ctypes pointer objects on every call; with ``c_void_p``
    arguments the per-character calls (hundreds of thousands per document) cost a few
    times less.
    """
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(fn, ctypes.c_void_p).value)


_LOOSE_BOX = _fast(
    pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p
)
_TEXT_OBJECT = _fast(
    pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int
)


def _font_is_bold(textpage: pdfium.PdfTextPage, i: int, buf: ctypes.Array) -> bool:
    weight = pdfium_c.FPDFText_GetFontWeight(textpage.raw, i)
    if weight >= 600:
        return True
    flags = ctypes.c_int(0)
    n = pdfium_c.FPDFText_GetFontInfo(textpage.raw, i, buf, len(buf), ctypes.byref(flags))
    if n <= 0:
        return False
    name = bytes(buf[: max(0, min(n, len(buf)) - 1)]).decode("latin-1", "replace").lower()
    # strip a subset prefix like "ABCDEF+"
    name = name.split("+", 1)[-1]
    return bool(_BOLD_RE.search(name)) or bool(flags.value & (1 << 18))


def _page_text(raw: object, n: int) -> str:
    """All ``n`` characters in one call (per-character calls are the slow part of a page)."""
    buf = (ctypes.c_ushort * (n + 1))()
    got = pdfium_c.FPDFText_GetText(raw, 0, n, buf)
    text = bytes(buf)[: max(0, got - 1) * 2].decode("utf-16-le", "replace")
    if len(text) != n:  # surrogate pairs shift indices: fall back to one call per character
        text = "".join(
            chr(c) if 0 < c < 0x110000 else " "
            for c in (pdfium_c.FPDFText_GetUnicode(raw, i) for i in range(n))
        )
    return text


def _object_font(
    textpage: pdfium.PdfTextPage, i: int, buf: ctypes.Array, matrix: object
) -> tuple[float, bool, bool]:
    """(effective size, bold, rotated) of the text object that holds character ``i``."""
    raw = textpage.raw
    size = float(pdfium_c.FPDFText_GetFontSize(raw, i))
    angle = 0.0
    if pdfium_c.FPDFText_GetMatrix(raw, i, matrix):
        # the effective size is the font size times the text matrix scale
        size *= math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c)) or 1.0
        angle = math.atan2(matrix.b, matrix.a)
    return size, _font_is_bold(textpage, i, buf), _is_rotated(angle)


def _read_chars(textpage: pdfium.PdfTextPage, page_top: float, page_left: float) -> _Chars:
    """All characters of the page with loose boxes converted to top-left coordinates.

    One C call per printable character for its box and one for its text object (written
    straight into arrays); font size, weight and angle are read once per text object.
    """
    raw = textpage.raw
    n = max(pdfium_c.FPDFText_CountChars(raw), 0)
    text = _page_text(raw, n) if n else ""
    # pdfium marks a hyphen at a line end with a soft hyphen; whitespace has no box
    codes = _codes(text)
    idx = np.flatnonzero(~np.isin(codes, _NO_BOX_CODES)).tolist()
    rects = (ctypes.c_float * (4 * max(n, 1)))()
    base = ctypes.addressof(rects)
    handle = ctypes.cast(raw, ctypes.c_void_p).value
    ok = list(map(_LOOSE_BOX, repeat(handle, len(idx)), idx, [base + 16 * i for i in idx]))
    boxed_idx = [i for i, good in zip(idx, ok, strict=True) if good]
    keys = list(map(_TEXT_OBJECT, repeat(handle, len(boxed_idx)), boxed_idx))
    matrix = pdfium_c.FS_MATRIX()
    buf = ctypes.create_string_buffer(256)
    fonts: dict[int | None, tuple[float, bool, bool]] = {}
    for i, key in zip(boxed_idx, keys, strict=True):  # first character of each object
        if key not in fonts:
            fonts[key] = _object_font(textpage, i, buf, matrix)
    size, bold, rotated = np.zeros(n), np.zeros(n, bool), np.zeros(n, bool)
    boxed = np.zeros(n, bool)
    if boxed_idx:
        per_char = np.array([fonts[k] for k in keys], dtype=np.float64).reshape(-1, 3)
        size[boxed_idx], bold[boxed_idx] = per_char[:, 0], per_char[:, 1] > 0
        rotated[boxed_idx], boxed[boxed_idx] = per_char[:, 2] > 0, True
    r = np.frombuffer(rects, dtype=np.float32).reshape(-1, 4)[:n].astype(np.float64)
    box = np.column_stack(
        (r[:, 0] - page_left, page_top - r[:, 1], r[:, 2] - page_left, page_top - r[:, 3])
    )
    return _Chars(text.translate(_SOFT_TO_HYPHEN), boxed, box, size, bold, rotated)


def _codes(text: str) -> np.ndarray:
    """Code points of ``text`` as a uint32 array."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _text(codes: np.ndarray) -> str:
    return codes.astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")


def _is_rotated(angle: float) -> bool:
    a = angle % (2 * math.pi)
    return min(a, 2 * math.pi - a) > 0.2


def _breaks(chars: _Chars, prev: np.ndarray, cur: np.ndarray) -> np.ndarray:
    """Whether boxed character ``cur[k]`` cannot continue the line that ends with ``prev[k]``."""
    pb, cb = chars.box[prev], chars.box[cur]
    prot, crot = chars.rotated[prev], chars.rotated[cur]
    size = np.maximum(np.maximum(chars.size[prev], chars.size[cur]), 1.0)
    pcx, pcy = (pb[:, 0] + pb[:, 2]) / 2, (pb[:, 1] + pb[:, 3]) / 2
    ccx, ccy = (cb[:, 0] + cb[:, 2]) / 2, (cb[:, 1] + cb[:, 3]) / 2
    far = np.hypot(ccx - pcx, ccy - pcy) > 2.5 * size
    # a wide gap is a column gutter or a table cell boundary; going backwards is a new line
    gap = cb[:, 0] - pb[:, 2]
    flat = (
        (np.abs(ccy - pcy) > 0.6 * size) | (gap > 1.2 * size) | (cb[:, 2] < pb[:, 0] - 0.5 * size)
    )
    return (prot != crot) | np.where(crot, far, flat)


def _segment_medians(values: np.ndarray, starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``statistics.median`` of each run ``values[starts[k]:starts[k] + counts[k]]``."""
    seg = np.repeat(np.arange(len(starts)), counts)
    v = values[np.lexsort((values, seg))]
    mid = starts + counts // 2
    return np.where(counts % 2 == 1, v[mid], (v[mid - 1] + v[mid]) / 2)


def group_lines(chars: _Chars) -> list[TextLine]:
    """Group characters (stream order) into lines, breaking on pdfium's line breaks and gaps.

    A line ends at a generated CR/LF or before a boxed character that cannot continue it
    (see :func:`_breaks`); whitespace and boxless characters ride along with the current
    line. Lines are then summarised per run with numpy (boxes, median sizes).
    """
    text, n = chars.text, len(chars.text)
    boxed_at = np.flatnonzero(chars.boxed)
    if boxed_at.size == 0:
        return []
    newline = np.zeros(n, bool)
    newline[[m.start() for m in _NEWLINE_RE.finditer(text)]] = True
    newline &= ~chars.boxed
    start = newline.copy()
    prev, cur = boxed_at[:-1], boxed_at[1:]
    n_newlines = np.cumsum(newline)
    # after a CR/LF the line was already flushed: no gap test against the previous line
    start[cur[_breaks(chars, prev, cur) & (n_newlines[cur] == n_newlines[prev])]] = True
    seg = np.cumsum(start)
    seg_of_boxed = seg[boxed_at]
    first = np.flatnonzero(np.r_[True, seg_of_boxed[1:] != seg_of_boxed[:-1]])
    counts = np.diff(np.r_[first, boxed_at.size])
    box, rot = chars.box[boxed_at], chars.rotated[boxed_at]
    x0 = np.minimum.reduceat(box[:, 0], first)
    x1 = np.maximum.reduceat(box[:, 2], first)
    # medians: one symbol-font glyph with a huge ascent must not inflate the line
    y0 = np.where(
        rot[first],
        np.minimum.reduceat(box[:, 1], first),
        _segment_medians(box[:, 1], first, counts),
    )
    y1 = np.where(
        rot[first],
        np.maximum.reduceat(box[:, 3], first),
        _segment_medians(box[:, 3], first, counts),
    )
    size = _segment_medians(chars.size[boxed_at], first, counts)
    last = first + counts - 1
    upwards = (box[last, 1] + box[last, 3]) <= (box[first, 1] + box[first, 3])
    direction = np.where(rot[first], np.where(upwards, 90, 270), 0)
    codes = _codes(text)
    shown = _text(np.where(chars.boxed | (codes == ord("-")), codes, ord(" ")))
    bold = (chars.bold & chars.boxed).tolist()
    seg_ids = seg_of_boxed[first]
    bounds_lo = np.searchsorted(seg, seg_ids, "left").tolist()
    bounds_hi = np.searchsorted(seg, seg_ids, "right").tolist()
    lines = []
    for k, (a, b) in enumerate(zip(bounds_lo, bounds_hi, strict=True)):
        line_text, flags = _squeeze(shown[a:b], bold[a:b])
        lines.append(
            TextLine(
                line_text,
                (float(x0[k]), float(y0[k]), float(x1[k]), float(y1[k])),
                float(size[k]),
                flags,
                bool(rot[first[k]]),
                int(direction[k]),
            )
        )
    return lines


def _squeeze(shown: str, bold: list[bool]) -> tuple[str, list[bool]]:
    """Collapse whitespace runs to one space and strip, keeping bold flags aligned."""
    text = " ".join(shown.split())
    if not any(bold):
        return text, [False] * len(text)
    flags = iter([f for ch, f in zip(shown, bold, strict=True) if not ch.isspace()])
    return text, [False if ch == " " else next(flags) for ch in text]


def page_lines(page: pdfium.PdfPage) -> list[TextLine]:
    """All text lines of a page, in top-left coordinates."""
    left, _bottom, _right, top = page.get_cropbox()
    textpage = page.get_textpage()
    try:
        return group_lines(_read_chars(textpage, top, left))
    finally:
        textpage.close()


def body_font_size(lines: list[TextLine]) -> float:
    """The most common font size weighted by characters (the running text size)."""
    weights: dict[float, int] = {}
    for ln in lines:
        if ln.rotated:
            continue
        key = round(ln.size * 2) / 2
        weights[key] = weights.get(key, 0) + len(ln.text)
    if not weights:
        return 10.0
    return max(weights.items(), key=lambda kv: kv[1])[0]


def typical_leading(lines: list[TextLine]) -> float:
    """Median gap between consecutive lines of a paragraph, as a fraction of line height.

    About 0.1-0.3 for typeset journals and about 1 for double-spaced manuscripts.
    """
    ratios: list[float] = []
    rows = sorted(
        (ln for ln in lines if not ln.rotated and len(ln.text) >= 30), key=lambda ln: (ln.x0, ln.y0)
    )
    for a, b in zip(rows, rows[1:], strict=False):
        if abs(a.x0 - b.x0) > 2 or a.height <= 0:
            continue
        gap = b.y0 - a.y1
        if 0 <= gap < 2.5 * a.height:
            ratios.append(gap / a.height)
    return statistics.median(ratios) if len(ratios) >= 5 else 0.2
