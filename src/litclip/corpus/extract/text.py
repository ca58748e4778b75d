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
import unicodedata
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from litclip.corpus.extract import _raw
from litclip.corpus.types import BBox

# soft hyphens: GetUnicode gives \x02 (the one among the control codes), GetText \ufffe
_SOFT_HYPHEN_CODE = "\x02"
_SOFT_HYPHENS = frozenset(_SOFT_HYPHEN_CODE + "\ufffe\u00ad")
_NO_WIDTH = 0.01  # points: a box this narrow or less is no glyph's
_NEWLINE_RE = re.compile(r"[\r\n]")
# characters that never get a box: whitespace (all of it lies below U+3001) and soft hyphens,
# as a lookup table indexed by min(code point, U+FFFF) (U+FFFF itself is neither)
_NO_BOX = np.zeros(0x10000, bool)
_NO_BOX[[c for c in range(0x3001) if chr(c).isspace()] + [ord(c) for c in _SOFT_HYPHENS]] = True
# "Helvetica-Bold", "Arial,Bold", "TimesNewRomanPS-BoldMT", Advent's "AdvTT830b2708.B"
# TeX's bold fonts go by short names: Computer Modern "CMBX10", EC/cm-super "SFBX1000",
# PSNFSS "ptmb8t" (Times bold); pdfium reads CMBX's weight as 570
_BOLD_RE = re.compile(
    r"bold|black|heavy|semibold|demi|[.,_-](b|bi|bd|bdit)$|^(cmbx|cmb\d|ecbx|sfbx|lmbx)|^p[a-z]{2}b\d"
)
BOLD_WEIGHT = 550  # semibold is 600, medium 500
# fixed-width faces by name: Latin Modern "LMMono10", Computer Modern/EC/TC typewriter
# ("CMTT10", "SFTT1000"), txfonts/newtx typewriter ("t1xbtt": Sphinx's LaTeX listings),
# Courier (PSNFSS "pcrr8r", URW's "NimbusMonL-Regu"), and the usual programmers' fonts
_MONO_RE = re.compile(
    r"mono(?!type)|courier|consol|menlo|inconsolata|typewriter|sourcecode|source code|nimbusmon"
    r"|^(cmtt|ectt|sftt|tctt|lmtt|txtt|txbtt|t1xb?tt|pcr[rb])"
)
# TeX's regular faces by name (Computer Modern, EC, TC, Latin Modern, PSNFSS "ptmr8t")
_REGULAR_TEX_RE = re.compile(
    r"^(cm(r|ti|sl|ss|tt|mi|sy|ex|csc|u)|ec(rm|ti|sl|ss|tt|cc)|tc(rm|ss|tt)|lm(r|ss|tt|m))\d"
    r"|^lm(roman|sans|mono)\d+-(regular|italic|oblique)$|^p[a-z]{2}r[o8]"
)


@dataclass
class TextLine:
    """One run of text on a single baseline (or one rotated run)."""

    text: str
    bbox: BBox  # top-left origin
    size: float  # median font size of its characters
    bold: list[bool] = field(default_factory=list)  # per character of ``text``
    rotated: bool = False
    direction: int = 0  # reading direction in degrees: 0, 90 (upwards) or 270 (downwards)
    mono: bool = False  # most of its characters set in a fixed-width font (code)

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
    mono: np.ndarray  # float64 (n,): 1.0 in a fixed-width font, 0.0 not, NaN font unnamed


_LOOSE_BOX = _raw.bare(pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_int)
# handles come back as integers, 0 for none
_TEXT_OBJECT = _raw.bare(pdfium_c.FPDFText_GetTextObject, ctypes.c_size_t)
_OBJECT_FONT = _raw.bare(pdfium_c.FPDFTextObj_GetFont, ctypes.c_size_t)
_FONT_SIZE = _raw.bare(pdfium_c.FPDFText_GetFontSize, ctypes.c_double)
_MATRIX = _raw.bare(pdfium_c.FPDFText_GetMatrix, ctypes.c_int)
_RENDER_MODE = _raw.bare(pdfium_c.FPDFTextObj_GetTextRenderMode, ctypes.c_int)
_INVISIBLE = pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE
MIN_BODY_SIZE = 5.0  # points: smaller print is never an article's running text
_PROBE_STRIDE = 16  # about half the typical run of characters of one text object
# strong right-to-left characters (bidi classes R and AL) lie in these blocks or are U+200F
_RTL_RANGES = ((0x0590, 0x08FF), (0xFB1D, 0xFDFF), (0xFE70, 0xFEFF), (0x10800, 0x10FFF))


def _font_style(textpage: pdfium.PdfTextPage, i: int, buf: ctypes.Array) -> tuple[bool, float]:
    """Whether the font of character ``i`` is bold, and whether it is fixed-width (1.0 or
    0.0; NaN for a font with no name, as a listing's keywords may be drawn in)."""
    weight = pdfium_c.FPDFText_GetFontWeight(textpage.raw, i)
    flags = ctypes.c_int(0)
    n = pdfium_c.FPDFText_GetFontInfo(textpage.raw, i, buf, len(buf), ctypes.byref(flags))
    if n <= 0:
        return weight >= BOLD_WEIGHT, np.nan
    name = bytes(buf[: max(0, min(n, len(buf)) - 1)]).decode("latin-1", "replace").lower()
    # strip a subset prefix like "ABCDEF+"
    name = name.split("+", 1)[-1]
    # FixedPitch is flag bit 1
    mono = float(bool(flags.value & 1) or bool(_MONO_RE.search(name))) if name else np.nan
    if _REGULAR_TEX_RE.search(name):
        return False, mono  # pdfium reads CMR12 at weight 732: body text "Figure 1." was bold
    bold = weight >= BOLD_WEIGHT or bool(_BOLD_RE.search(name)) or bool(flags.value & (1 << 18))
    return bold, mono


# C1 control characters are Windows-1252 punctuation read through a font whose Unicode map
# is wrong or missing ("\x92" for "\u2019", "\x96" for the dash of "Figure 1 \u2013 ..."):
# read as Windows would (the five codes Windows-1252 leaves undefined stay as they are)
CP1252_CONTROLS = {
    c: bytes([c]).decode("cp1252")
    for c in range(0x80, 0xA0)
    if c not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


def _page_text(raw: object, n: int) -> str:
    """All ``n`` characters in one call (per-character calls are the slow part of a page),
    C1 controls read as Windows-1252 (one character for one, so indices stay)."""
    buf = (ctypes.c_ushort * (n + 1))()
    got = pdfium_c.FPDFText_GetText(raw, 0, n, buf)
    text = bytes(buf)[: max(0, got - 1) * 2].decode("utf-16-le", "replace")
    if len(text) != n:  # surrogate pairs shift indices: fall back to one call per character
        text = "".join(
            chr(c) if 0 < c < 0x110000 else " "
            for c in (pdfium_c.FPDFText_GetUnicode(raw, i) for i in range(n))
        )
    return text.translate(CP1252_CONTROLS)


def _object_fonts(
    textpage: pdfium.PdfTextPage, handle: ctypes.c_void_p, first: list[int], keys: list[int]
) -> np.ndarray:
    """(effective size, bold, rotated, watermark or clipped away, invisible, fixed-width)
    rows for the text objects ``keys`` (distinct, 0: none), read at their first characters
    ``first``.

    Boldness and fixed width depend only on the object's font (pdfium reads weight, flags
    and name from it), so they are worked out once per font.
    """
    k = len(first)
    size = np.fromiter(map(_FONT_SIZE, repeat(handle, k), first), np.float64, k)
    mats = (pdfium_c.FS_MATRIX * k)()
    step = ctypes.sizeof(pdfium_c.FS_MATRIX)
    ptrs = map(ctypes.byref, repeat(mats, k), range(0, step * k, step))
    got = np.fromiter(map(_MATRIX, repeat(handle, k), first, ptrs), bool, k)
    m = np.frombuffer(mats, np.float32).reshape(k, 6).astype(np.float64)
    a, b, c, d = m[:, 0], m[:, 1], m[:, 2], m[:, 3]
    # the effective size is the font size times the text matrix scale
    scale = np.sqrt(np.abs(a * d - b * c))
    scale[scale == 0] = 1.0
    size = np.where(got, size * scale, size)
    angles = [
        math.atan2(bb, aa) if g else 0.0
        for aa, bb, g in zip(a.tolist(), b.tolist(), got.tolist(), strict=True)
    ]
    rotated = [_is_rotated(t) for t in angles]
    watermark = [
        _is_diagonal(t) and sz >= WATERMARK_SIZE
        for t, sz in zip(angles, size.tolist(), strict=True)
    ]
    handles = [ctypes.c_void_p(key) for key in keys]
    invisible = np.fromiter(map(_RENDER_MODE, handles), np.int64, k) == _INVISIBLE
    scratch = _raw.Scratch()
    hidden = np.array([bool(key) and _raw.clipped_away(key, scratch) for key in keys], bool)
    font = np.fromiter(map(_OBJECT_FONT, handles), np.uint64, k)
    _, font_first, font_of = np.unique(font, return_index=True, return_inverse=True)
    buf = ctypes.create_string_buffer(256)
    styles = np.array([_font_style(textpage, first[j], buf) for j in font_first.tolist()], float)
    bold, mono = styles.reshape(-1, 2)[font_of.reshape(-1)].T
    return np.column_stack(
        (size, bold, np.array(rotated, bool), np.array(watermark, bool) | hidden, invisible, mono)
    )


def _has_rtl(codes: np.ndarray) -> bool:
    """Whether any code point is a strong right-to-left character."""
    high = codes[codes >= 0x0590]
    if high.size == 0:
        return False
    for c in np.unique(high).tolist():
        if c == 0x200F or any(a <= c <= b for a, b in _RTL_RANGES):
            return True
        if unicodedata.bidirectional(chr(c)) in ("R", "AL"):
            return True
    return False


def _object_keys(handle: ctypes.c_void_p, idx: np.ndarray, exact: bool) -> np.ndarray:
    """The text object (as an integer, 0 for none) of each character ``idx[k]``.

    pdfium appends each text object's characters contiguously, so the mapping is one run
    per object: probe every ``_PROBE_STRIDE``-th character and bisect only the windows
    whose two ends differ (a few calls per run instead of one per character). Bidi
    reordering of right-to-left lines can interleave objects; callers pass ``exact`` for
    pages with such text, and an object seen in two runs also falls back to one call per
    character.
    """
    m = idx.size

    def fetch(pos: np.ndarray) -> np.ndarray:
        it = map(_TEXT_OBJECT, repeat(handle, pos.size), idx[pos].tolist())
        return np.fromiter(it, np.uint64, pos.size)

    if exact or m <= 2 * _PROBE_STRIDE:
        return fetch(np.arange(m))
    keys = np.zeros(m, np.uint64)
    known = np.zeros(m, bool)
    probe = np.unique(np.append(np.arange(0, m, _PROBE_STRIDE), m - 1))
    keys[probe], known[probe] = fetch(probe), True
    lo, hi = probe[:-1], probe[1:]
    while lo.size:
        split = (keys[lo] != keys[hi]) & (hi - lo > 1)
        lo, hi = lo[split], hi[split]
        mid = (lo + hi) // 2
        keys[mid], known[mid] = fetch(mid), True
        lo, hi = np.concatenate((lo, mid)), np.concatenate((mid, hi))
    # every unprobed character lies in a window whose ends agree: copy the left end
    keys = keys[np.maximum.accumulate(np.where(known, np.arange(m), 0))]
    starts = _run_starts(keys)
    if np.unique(keys[starts]).size != starts.size:  # not one run per object after all
        return fetch(np.arange(m))
    return keys


def _read_chars(
    textpage: pdfium.PdfTextPage,
    page_top: float,
    page_left: float,
    page_size: tuple[float, float] | None = None,
) -> _Chars:
    """All characters of the page with loose boxes converted to top-left coordinates.

    One C call per printable character for its box (written straight into an array), a
    few per text object to find which characters it holds (see :func:`_object_keys`), and
    font size, weight and angle once per text object.
    """
    raw = textpage.raw
    n = max(pdfium_c.FPDFText_CountChars(raw), 0)
    text = _page_text(raw, n) if n else ""
    # pdfium marks a hyphen at a line end with a soft hyphen; whitespace has no box
    codes = _codes(text)
    # a control code may be a glyph: an old TeX font without a Unicode map gives "fi" as
    # "\x0c" and may give "c" as "\r" ("Pri\re fun\rtion"); its box is read, and it is a
    # glyph when the box has width (pdfium's own line breaks have none)
    control = (codes < 0x20) & (codes != ord(_SOFT_HYPHEN_CODE))
    crlf = (codes[:-1] == 0x0D) & (codes[1:] == 0x0A)  # pdfium's own line break: not read
    control[:-1] &= ~crlf
    control[1:] &= ~crlf
    idx = np.flatnonzero(~_NO_BOX[np.minimum(codes, _NO_BOX.size - 1)] | control)
    rects = (ctypes.c_float * (4 * max(n, 1)))()
    handle = ctypes.c_void_p(_raw.address(raw))
    ptrs = map(ctypes.byref, repeat(rects, idx.size), (16 * idx).tolist())
    ok = np.fromiter(map(_LOOSE_BOX, repeat(handle, idx.size), idx.tolist(), ptrs), bool, idx.size)
    r = np.frombuffer(rects, dtype=np.float32).reshape(-1, 4)[:n].astype(np.float64)
    ok &= ~control[idx] | (r[idx, 2] - r[idx, 0] > _NO_WIDTH)
    boxed_idx = idx[ok]
    size, bold, rotated, mono = np.zeros(n), np.zeros(n, bool), np.zeros(n, bool), np.zeros(n)
    boxed = np.zeros(n, bool)
    if boxed_idx.size:
        keys = _object_keys(handle, boxed_idx, _has_rtl(codes))
        starts = _run_starts(keys)
        counts = np.diff(starts, append=keys.size)
        # an object's font is read at its first character (its first run)
        objects, first_run, run_object = np.unique(
            keys[starts], return_index=True, return_inverse=True
        )
        first = boxed_idx[starts[first_run]].tolist()
        per_object = _object_fonts(textpage, handle, first, objects.tolist())
        per_char = np.repeat(per_object[run_object.reshape(-1)], counts, axis=0)
        size[boxed_idx], bold[boxed_idx] = per_char[:, 0], per_char[:, 1] > 0
        mono[boxed_idx] = per_char[:, 5]
        # a watermark's characters ("ACCEPTED MANUSCRIPT" across the page) are not text, nor
        # is text clipped away or invisible beside visible text (a hidden copy of the page);
        # invisible text alone is a scan's OCR layer, which is the page's text
        invisible = per_char[:, 4] > 0
        drop = (per_char[:, 3] > 0) | (invisible & (~invisible).any())
        rotated[boxed_idx], boxed[boxed_idx] = per_char[:, 2] > 0, ~drop
    box = np.column_stack(
        (r[:, 0] - page_left, page_top - r[:, 1], r[:, 2] - page_left, page_top - r[:, 3])
    )
    if page_size is not None:  # a character wholly off the page is not seen (a damaged
        w, h = page_size  # stream set a caption's words 241,134 pt to the right)
        boxed &= ~((box[:, 2] < -1) | (box[:, 0] > w + 1) | (box[:, 3] < -1) | (box[:, 1] > h + 1))
    if boxed_idx.size:
        _mend_tiny_sizes(size, box, boxed_idx, keys)
        _tighten_tall_boxes(raw, box, size, boxed, page_top, page_left)
    for soft in _SOFT_HYPHENS:  # str.replace is much faster than str.translate here
        if soft in text:
            text = text.replace(soft, "-")
    return _Chars(text, boxed, box, size, bold, rotated, mono)


TALL_BOX = 4.0  # font sizes: a character's loose box taller than this is its font's misreading


def _tighten_tall_boxes(
    raw: pdfium_c.FPDF_TEXTPAGE,
    box: np.ndarray,
    size: np.ndarray,
    boxed: np.ndarray,
    top: float,
    left: float,
) -> None:
    """Give characters whose loose box is absurdly tall their glyph's own box (webbpsf's
    report: the parentheses of "True position (mas)" stood 52 pt tall for 8 pt type, broke
    the axis title into pieces and reached down over the caption under the plot)."""
    tall = np.flatnonzero(boxed & (box[:, 3] - box[:, 1] > TALL_BOX * np.maximum(size, 1.0)))
    for i in tall.tolist():
        x0, x1, y1, y0 = (ctypes.c_double() for _ in range(4))
        if pdfium_c.FPDFText_GetCharBox(raw, i, x0, x1, y1, y0):
            box[i] = (x0.value - left, top - y0.value, x1.value - left, top - y1.value)


TINY_SIZE = 1.0  # points: below this a text object's font size is misread...
TINY_SIZE_SHARE = 0.25  # ...when its glyphs' boxes stand more than four times taller


def _mend_tiny_sizes(
    size: np.ndarray, box: np.ndarray, boxed_idx: np.ndarray, keys: np.ndarray
) -> None:
    """Give text objects whose size reads far below their glyphs' height the size their
    glyphs show, scaled as the page's other text is (in place).

    dvips' Type 3 fonts (bitmap fonts of older TeX papers) report 0.12 pt for glyphs that
    stand 10 pt tall: by size alone a caption's "f''(E)" would be print too small to read.
    """
    read = size[boxed_idx]
    if not (read < TINY_SIZE).any():  # every page but a few: nothing to look at
        return
    heights = box[boxed_idx, 3] - box[boxed_idx, 1]
    _, of = np.unique(keys, return_inverse=True)
    of = of.reshape(-1)
    tallest = np.zeros(of.max() + 1)
    np.maximum.at(tallest, of, heights)
    glyph = tallest[of]
    # only sizes no print has (a broken font's glyph boxes can be huge: its size stands)
    tiny = (read < TINY_SIZE) & (read < TINY_SIZE_SHARE * glyph)
    if not tiny.any():
        return
    sane = ~tiny & (heights > 0)
    ratio = float(np.median(read[sane] / heights[sane])) if sane.any() else 1.0
    size[boxed_idx[tiny]] = glyph[tiny] * ratio


def _run_starts(values: np.ndarray) -> np.ndarray:
    """Indices where a run of equal values starts (``values`` not empty)."""
    return np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))


_T1_LIGATURES = 0x1B  # ff at 0x1B, then fi, fl, ffi, ffl; U+FB00 on are the same five


def _codes(text: str) -> np.ndarray:
    """Code points of ``text`` as a uint32 array."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _text(codes: np.ndarray) -> str:
    return codes.astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")


WATERMARK_SIZE = 24.0  # points: diagonal text this big is a watermark or a stamp


def _is_diagonal(angle: float) -> bool:
    """Set at a slant (15-75 degrees from any axis), like a watermark; not upright or sideways."""
    a = angle % (math.pi / 2)
    return 0.26 < a < math.pi / 2 - 0.26


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
    first = _run_starts(seg_of_boxed)
    counts = np.diff(first, append=boxed_at.size)
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
    # a line in a fixed-width font: most of its characters whose font is named (a listing's
    # keywords may be drawn in an unnamed one)
    fixed = chars.mono[boxed_at]
    named = np.add.reduceat((~np.isnan(fixed)).astype(np.int64), first)
    mono = 2 * np.add.reduceat((fixed == 1.0).astype(np.int64), first) > named
    last = first + counts - 1
    upwards = (box[last, 1] + box[last, 3]) <= (box[first, 1] + box[first, 3])
    direction = np.where(rot[first], np.where(upwards, 90, 270), 0)
    codes = _codes(text)
    shown = np.where(chars.boxed | (codes == ord("-")), codes, ord(" "))
    # a glyph read as a whitespace control code ("\r" for "c") stands as a space, as
    # split() would read it ("Pri e fun tion"); other control codes stay as they were
    white = (codes < 0x20) & _NO_BOX[np.minimum(codes, 0x1F)]
    shown = np.where(chars.boxed & white, ord(" "), shown)
    # TeX's T1 fonts without a Unicode map give their ligatures as control codes 0x1B-0x1F
    # (ff, fi, fl, ffi, ffl), which Python's split() reads as whitespace ("depth- rst")
    ligature = (codes >= _T1_LIGATURES) & (codes < _T1_LIGATURES + 5)
    shown = np.where(ligature, codes - _T1_LIGATURES + 0xFB00, shown)
    # and their en and em dashes as 0x15 and 0x16 ("Time series used \x15 first ...")
    shown = np.where((codes == 0x15) | (codes == 0x16), codes - 0x15 + 0x2013, shown)
    bold = chars.bold & chars.boxed  # whitespace and soft hyphens have no box: never bold
    # a word gap pdfium wrote no space for ("atone hole" for "a tone hole"): add one
    gaps = _missing_spaces(chars, prev, cur, seg)
    if gaps.size:
        shown = np.insert(shown, gaps, ord(" "))
        seg = np.insert(seg, gaps, seg[gaps - 1])
        bold = np.insert(bold, gaps, False)
    kept = _squeeze(shown, seg)
    _join_surrogates(shown, kept)
    # per line: its span of ``kept`` (a line is one run of ``seg``, the same for all chars)
    seg_ids = seg_of_boxed[first]
    offsets = np.concatenate(([0], np.cumsum(kept)))
    lo = offsets[np.searchsorted(seg, seg_ids, "left")].tolist()
    hi = offsets[np.searchsorted(seg, seg_ids, "right")].tolist()
    at = np.flatnonzero(kept)
    all_text = _text(shown[at])
    all_bold = bold[at].tolist()
    bboxes = map(tuple, np.column_stack((x0, y0, x1, y1)).tolist())
    rows = zip(
        lo,
        hi,
        bboxes,
        size.tolist(),
        rot[first].tolist(),
        direction.tolist(),
        mono.tolist(),
        strict=True,
    )
    return [
        TextLine(all_text[a:b], bbox, sz, all_bold[a:b], rotated, d, fixed)
        for a, b, bbox, sz, rotated, d, fixed in rows
    ]


WORD_GAP = 0.25  # of the font size: a gap this wide between two letters is a word space


def _missing_spaces(
    chars: _Chars, prev: np.ndarray, cur: np.ndarray, seg: np.ndarray
) -> np.ndarray:
    """Positions (before ``cur[k]``) where two boxed characters of one upright line follow
    each other in the stream, with nothing between them, across a word-wide gap."""
    pb, cb = chars.box[prev], chars.box[cur]
    size = np.maximum(chars.size[prev], chars.size[cur])
    wide = (cb[:, 0] - pb[:, 2]) > WORD_GAP * np.maximum(size, 1.0)
    same_line = seg[prev] == seg[cur]
    upright = ~chars.rotated[prev] & ~chars.rotated[cur]
    return cur[wide & same_line & upright & (cur == prev + 1)]


def _join_surrogates(shown: np.ndarray, kept: np.ndarray) -> None:
    """In place: pdfium reports a character beyond the BMP (math italic 𝑑, 𝜆) as its two
    UTF-16 halves; the pair becomes the character (the low half is dropped) and a lone
    half becomes U+FFFD (text with lone surrogates cannot be written as UTF-8)."""
    high = (shown >= 0xD800) & (shown <= 0xDBFF)
    low = (shown >= 0xDC00) & (shown <= 0xDFFF)
    if not (high.any() or low.any()):
        return
    pair = np.flatnonzero(high[:-1] & low[1:])
    shown[pair] = 0x10000 + ((shown[pair] - 0xD800) << 10) + (shown[pair + 1] - 0xDC00)
    kept[pair + 1] = False
    high[pair] = low[pair + 1] = False
    shown[high | low] = 0xFFFD


def _squeeze(shown: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Which characters a line keeps when whitespace runs collapse to one space and the
    ends are stripped (``" ".join(line.split())``); lines are the runs of ``seg``.

    ``shown`` holds code points where ' ' is the only whitespace left.
    """
    n = shown.size
    solid = shown != ord(" ")
    # a space is kept when a solid character of its line precedes it directly and one follows
    after_solid = np.zeros(n, bool)
    after_solid[1:] = solid[:-1] & (seg[1:] == seg[:-1])
    next_solid = np.minimum.accumulate(np.where(solid, np.arange(n), n)[::-1])[::-1]
    before_solid = (next_solid < n) & (seg[np.minimum(next_solid, n - 1)] == seg)
    return solid | (after_solid & before_solid)


def page_lines(page: pdfium.PdfPage) -> list[TextLine]:
    """All text lines of a page, in top-left coordinates."""
    left, bottom, right, top = _raw.page_box(page)
    textpage = page.get_textpage()
    try:
        return group_lines(_read_chars(textpage, top, left, (right - left, top - bottom)))
    finally:
        textpage.close()


def body_font_size(lines: list[TextLine]) -> float:
    """The most common font size weighted by characters (the running text size).

    Text under :data:`MIN_BODY_SIZE` counts only when there is no other: it is the print
    inside a figure (a montage of page thumbnails can outweigh a short paper's body).
    """
    weights: dict[float, int] = {}
    for ln in lines:
        if ln.rotated:
            continue
        key = round(ln.size * 2) / 2
        weights[key] = weights.get(key, 0) + len(ln.text)
    if not weights:
        return 10.0
    readable = {k: w for k, w in weights.items() if k >= MIN_BODY_SIZE} or weights
    return max(readable.items(), key=lambda kv: kv[1])[0]


MIN_WORDS = 50  # words of a document at least, to judge whether its text reads as words
_NUMBER = re.compile(r"^[-+\u2212]?[\d.,:/%]*\d[\d.,:/%eE\u2212+-]*$")
_TOKEN_EDGES = "\"'()[]{}<>.,;:!?*\u201c\u201d\u2018\u2019\u2013\u2014\u2026\u00b7\u2022"


def word_share(lines: list[TextLine]) -> float | None:
    """Share of the words of ``lines`` made of letters only (None under MIN_WORDS words).

    Numbers and runs of symbols (plot markers, rules of dots) are no words and are left
    out. Prose in any script reads about 0.7 and more; a text layer that does not decode
    (fonts without a Unicode map give "57+23(',&6" or control characters for "FIGURE 1")
    reads 0.5 and less, and then no caption can be found in it.
    """
    words = 0
    letters = 0
    for ln in lines:
        for token in ln.text.split():
            token = token.strip(_TOKEN_EDGES)
            if token.isascii() and token.isalpha():  # most words: a word, and the quick test
                words += 1
                letters += 1
                continue
            if not token or _NUMBER.match(token) or all(_is_symbol(c) for c in token):
                continue
            words += 1
            letters += _is_word(token)
    return letters / words if words >= MIN_WORDS else None


def _is_symbol(c: str) -> bool:
    return unicodedata.category(c)[0] in "SP"


def _is_word(token: str) -> bool:
    """Letters only, and not mostly accented Latin letters (glyph numbers of a font without
    a Unicode map read as "\u0107\u0103\u0111\u00ff\u0111\u0101"; Czech or Polish words
    carry a few)."""
    letters = token.replace("-", "").replace("'", "").replace("\u2019", "")
    if not letters.isalpha():
        return False
    return 2 * sum("\u0100" <= c <= "\u024f" for c in letters) <= len(letters)


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


def text_rows(lines: list[TextLine]) -> list[list[TextLine]]:
    """Lines grouped into rows, top down: pieces whose middles lie within 0.3 of a line
    height of the row's first (one justified line split at its wide gaps)."""
    rows: list[list[TextLine]] = []
    for ln in sorted(lines, key=lambda ln: (ln.y0 + ln.y1) / 2):
        if rows and abs((ln.y0 + ln.y1) - (rows[-1][0].y0 + rows[-1][0].y1)) / 2 < (
            0.3 * max(ln.height, rows[-1][0].height)
        ):
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return rows
