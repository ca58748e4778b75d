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

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from litclip.corpus.types import BBox

# "Helvetica-Bold", "Arial,Bold", "TimesNewRomanPS-BoldMT", Advent's "AdvTT830b2708.B"
_SOFT_HYPHENS = frozenset("\x02\ufffe\u00ad")  # GetUnicode gives \x02, GetText \ufffe
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
class _Char:
    ch: str
    box: tuple[float, float, float, float] | None  # top-left origin, None for generated
    size: float
    bold: bool
    rotated: bool


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


def _read_chars(textpage: pdfium.PdfTextPage, page_top: float, page_left: float) -> list[_Char]:
    """All characters of the page with loose boxes converted to top-left coordinates."""
    raw = textpage.raw
    n = max(pdfium_c.FPDFText_CountChars(raw), 0)
    text = _page_text(raw, n) if n else ""
    chars: list[_Char] = []
    rect = pdfium_c.FS_RECTF()
    matrix = pdfium_c.FS_MATRIX()
    buf = ctypes.create_string_buffer(256)
    fonts: dict[bytes, tuple[float, bool, bool]] = {}
    for i, ch in enumerate(text):
        if ch in _SOFT_HYPHENS:  # pdfium marks a hyphen at a line end this way
            chars.append(_Char("-", None, 0.0, False, False))
            continue
        if ch.isspace() or not pdfium_c.FPDFText_GetLooseCharBox(raw, i, rect):
            chars.append(_Char(ch, None, 0.0, False, False))
            continue
        box = (
            rect.left - page_left,
            page_top - rect.top,
            rect.right - page_left,
            page_top - rect.bottom,
        )
        key = bytes(pdfium_c.FPDFText_GetTextObject(raw, i))  # the object's address
        font = fonts.get(key)
        if font is None:
            font = fonts[key] = _object_font(textpage, i, buf, matrix)
        chars.append(_Char(ch, box, *font))
    return chars


def _is_rotated(angle: float) -> bool:
    a = angle % (2 * math.pi)
    return min(a, 2 * math.pi - a) > 0.2


def _breaks_line(prev: _Char, cur: _Char) -> bool:
    """Whether ``cur`` cannot continue the line that ends with ``prev``."""
    assert prev.box is not None and cur.box is not None
    if prev.rotated != cur.rotated:
        return True
    size = max(prev.size, cur.size, 1.0)
    pcx, pcy = (prev.box[0] + prev.box[2]) / 2, (prev.box[1] + prev.box[3]) / 2
    ccx, ccy = (cur.box[0] + cur.box[2]) / 2, (cur.box[1] + cur.box[3]) / 2
    if cur.rotated:
        return math.hypot(ccx - pcx, ccy - pcy) > 2.5 * size
    if abs(ccy - pcy) > 0.6 * size:
        return True
    gap = cur.box[0] - prev.box[2]
    # a wide gap is a column gutter or a table cell boundary; going backwards is a new line
    return gap > 1.2 * size or cur.box[2] < prev.box[0] - 0.5 * size


def _make_line(chars: list[_Char]) -> TextLine | None:
    boxed = [c for c in chars if c.box is not None]
    if not boxed:
        return None
    text, bold = _squeeze(
        [(c.ch if c.box is not None or c.ch == "-" else " ", c.bold) for c in chars]
    )
    x0 = min(c.box[0] for c in boxed)  # type: ignore[index]
    y0 = min(c.box[1] for c in boxed)  # type: ignore[index]
    x1 = max(c.box[2] for c in boxed)  # type: ignore[index]
    y1 = max(c.box[3] for c in boxed)  # type: ignore[index]
    if not boxed[0].rotated:
        # medians: one symbol-font glyph with a huge ascent must not inflate the line
        y0 = statistics.median(c.box[1] for c in boxed)  # type: ignore[index]
        y1 = statistics.median(c.box[3] for c in boxed)  # type: ignore[index]
    size = statistics.median(c.size for c in boxed)
    direction = 0
    if boxed[0].rotated:
        first, last = boxed[0].box, boxed[-1].box
        direction = 90 if (last[1] + last[3]) <= (first[1] + first[3]) else 270  # type: ignore[index]
    return TextLine(text, (x0, y0, x1, y1), size, bold, boxed[0].rotated, direction)


def _squeeze(pairs: list[tuple[str, bool]]) -> tuple[str, list[bool]]:
    """Collapse whitespace runs to one space and strip, keeping bold flags aligned."""
    chars: list[str] = []
    bold: list[bool] = []
    for ch, b in pairs:
        if ch.isspace():
            if chars and chars[-1] != " ":
                chars.append(" ")
                bold.append(False)
        else:
            chars.append(ch)
            bold.append(b)
    while chars and chars[-1] == " ":
        chars.pop()
        bold.pop()
    return "".join(chars), bold


def group_lines(chars: list[_Char]) -> list[TextLine]:
    """Group characters (stream order) into lines, breaking on pdfium's line breaks and gaps."""
    lines: list[TextLine] = []
    current: list[_Char] = []
    last_boxed: _Char | None = None

    def flush() -> None:
        nonlocal current, last_boxed
        line = _make_line(current)
        if line is not None and line.text:
            lines.append(line)
        current, last_boxed = [], None

    for c in chars:
        if c.ch in "\r\n" and c.box is None:
            flush()
            continue
        if c.box is not None and last_boxed is not None and _breaks_line(last_boxed, c):
            flush()
        current.append(c)
        if c.box is not None:
            last_boxed = c
    flush()
    return lines


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
