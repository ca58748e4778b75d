"""Caption detection, caption text cleaning and sub-caption splitting.

A caption is a text block whose first line starts with a figure or table label ("Figure 3.",
"Fig. 3A", "FIGURE 3", "Figure S2:", "Table 2"). In-text references ("as shown in Figure 3",
"(Figure 3)", "Figure 3 shows") are told apart by the text after the label, the label's
font (bold), the font size compared with the running text, and whether the line starts a
block.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from litclip.corpus.extract.text import TextLine, text_rows
from litclip.corpus.types import BBox

_PREFIX = (
    r"(?:(?P<prefix>supplementary|supplemental|suppl\.?|supporting|online|appendix"
    r"|extended\s+data)\s+)?"
    r"(?P<e>e(?=fig|tab))?"  # JAMA-style supplements: "eFigure 2", "eTable 1"
)
# other languages' words for figure (Spanish, Portuguese, Italian, German, Scandinavian,
# Turkish, Polish, Russian, Chinese) and table (also French, Turkish, Russian, Chinese)
_FIGURE_WORDS = (
    r"figures?|figs?\.?|scheme|plate|chart|graph|gr[aá]fico|abbildung|abb\.|figura|figur"
    r"|[sş]ekil|rys\.|rysunek|рис\.|рисунок|图"
)
_TABLE_WORDS = r"tables?|tab\.|tabelle|tabla|tabela|tableau|tablo|таблица|表"
# code and pseudo-code have captions of their own in computing papers (IEEE's "Listing 2."):
# kept apart like tables, so a figure next to one does not take in its code
_LISTING_WORDS = r"listings?|algorithms?"
_WORD = rf"{_PREFIX}(?P<base>{_FIGURE_WORDS}|{_TABLE_WORDS}|{_LISTING_WORDS})"
LABEL_RE = re.compile(
    rf"^(?P<word>{_WORD})\s*"
    # "3", "S2", appendix "A1" / "B.1", chapter-style "2.1" / "2-1", Roman "IV" / "IV.2",
    # up to four levels ("2.1.3", "II.9.1", "VII.B.18"), a letter "A:" / "B."
    r"(?P<num>(?:[A-Z]?\d{1,3}(?!\d)|[A-Z](?=[.\-]\d)|[IVX]{1,5})"
    r"(?:[.\-](?:\d{1,3}(?!\d)|[A-Z](?=[.\-]\d))){0,3}"
    r"|(?<=\s)[A-Z](?=\s*[.:|]))"
    # a panel letter glued on, bare or in parentheses: "Fig 3A", "Figure 1(b)"
    r"(?P<suffix>\([A-Za-z]\)|[A-Za-z]?)(?=\W|$)(?P<after>.*)$",
    re.IGNORECASE,
)
# a letter-spaced first word ("F I G U R E 1"): typeset tracking that text extraction spaces out
_SPACED_WORD = re.compile(r"^(?:[A-Za-z] ){3,}[A-Za-z]\.?(?= )")
# panel letters listed after the first one: "Fig. 1a, b", "Fig. 2a–c", "Figure 3A and B"
_MORE_PANELS = re.compile(r"^(?:\s*(?:,|and|&|[\u2013-])\s*[A-Za-z](?![A-Za-z]))+")
# what may stand between a label and its caption's words: "Figure 3. ", "Figure 3 | ",
# dashes of every width ("Figure 8 \u2015 Mass ...": LibreOffice's horizontal bar)
DASHES = "\u2012\u2013\u2014\u2015\u2212"
LABEL_PUNCT = f" .:|{DASHES}-"
_AFTER_OK = re.compile(
    rf"^(?:\s*[.:|{DASHES}\u2022-]|\s+[\"'(\[A-Z0-9\u00c0-\u00de\u0410-\u042f\u4e00-\u9fff]|\s*$"
    # Springer starts with the first panel's letter: "Fig. 2 a Axial ...", "Fig. 2 a, b ..."
    r"|\s+[a-z](?=[,)\u2013-]|\s+[A-Z\u00c0-\u00de(]))"
)
# "Fig. 2 mRNA ...", "Figure 1, user ...", "Figure 2, 1 focus ..." (taken from a bold label)
_LOWER_AFTER = re.compile(r"^(?:,?\s+([a-z][\w-]*)|,\s+(\d[\w-]*))")
# words that carry on a sentence after an in-text reference ("Figure 3 shows ...")
_GOES_ON = frozenset(
    "shows show showed shown illustrates illustrate illustrated depicts depict depicted "
    "presents present presented displays display displayed demonstrates demonstrate "
    "summarizes summarises summarize summarise gives give compares compare reports report "
    "contains contain lists list describes describe indicates indicate plots plot reveals "
    "reveal confirms confirm suggests suggest highlights highlight represents represent "
    "provides provide and or but is are was were has have had can may will also which that "
    "the a an we where when while in of for with from at on by as to into than".split()
)
_SUPPLEMENT_RE = re.compile(r"^\s*[\u2014\u2013-]\s*figure\s+supplement\s+(\d+)", re.IGNORECASE)
_AFTER_PUNCT = re.compile(rf"^\s*[.:|{DASHES}-]")
_RARE_WORDS = frozenset(("scheme", "plate", "chart", "graph", "gráfico", "grafico"))
_GLUED_WORD = re.compile(r"^\.[a-z]{2,}")
_LEADERS = re.compile(r"^\s*(?:\.\s*){4}")  # dot leaders (an ellipsis has three dots)
_FILE_EXTENSION = re.compile(r"\.(?:png|jpe?g|tiff?|eps|pdf|svg|gif|bmp|tex|ps)\b", re.IGNORECASE)


@dataclass
class Caption:
    """A detected caption block."""

    kind: str  # "figure" | "table" | "listing" (code or pseudo-code, kept apart as tables are)
    label: str  # normalised "Figure 3" / "Table 2"
    number: str  # "3", "S2"
    printed_label: str  # as printed: "Fig. 3"
    lines: list[TextLine] = field(default_factory=list)
    score: float = 0.0
    # its end when it runs on to the next page (a manuscript's legends); not in ``bbox``
    continued: list[TextLine] = field(default_factory=list)
    # the label as the text reads when the PDF set its number with no space ("Figure1");
    # ``printed_label`` and ``text`` then have the space ("Figure 1")
    glued: str = ""
    # set in a narrow column beside its figure, with paragraphs there (take_side_paragraphs)
    beside: bool = False

    @property
    def bbox(self) -> BBox:
        return (
            min(ln.x0 for ln in self.lines),
            min(ln.y0 for ln in self.lines),
            max(ln.x1 for ln in self.lines),
            max(ln.y1 for ln in self.lines),
        )

    @property
    def text(self) -> str:
        text = clean_caption_text([ln.text for ln in (*self.lines, *self.continued)])
        if self.glued and text.startswith(self.glued):  # the space put back: "Figure 1."
            text = self.printed_label + text[len(self.glued) :]
        return text


_GLUED_NUMBER = re.compile(r"^([A-Za-z]{3,}\.?)(?=\d)")


def parse_label(text: str) -> tuple[str, str, str, str] | None:
    """``(kind, normalised label, number, printed label)`` when ``text`` starts with a label.

    Returns None for in-text references such as "Figure 3 shows" or "Figures 3 and 4", and
    for a label going on in lower case ("Fig. 2 mRNA levels ..."), which only
    :func:`find_captions` takes, from a bold label opening a block.
    """
    parsed = _parse_label(text)
    return None if parsed is None or parsed[1] else parsed[0]


def _parse_label(text: str) -> tuple[tuple[str, str, str, str], bool] | None:
    """A label as :func:`parse_label` reads it, also when a word in lower case follows it
    unless one that goes on a sentence ("Fig. 2 shows", "Figure 3 and ..."); with whether
    it went on in lower case."""
    original = text.strip()
    text = _SPACED_WORD.sub(lambda w: w.group(0).replace(" ", ""), original, count=1)
    spaces = len(original) - len(text)  # taken out of the label word (before the number)
    m = LABEL_RE.match(text)
    if m is None:
        return None
    after = m.group("after")
    if _FILE_EXTENSION.match(after):
        return None  # a file's name: "Fig1.png  Figure used in the thesis"
    if _GLUED_WORD.match(after):
        return None  # a reference run into the next word: "Fig 3.8.top-left shows that ..."
    if _LEADERS.match(after):
        return None  # an index or contents entry: "graph3 . . . . . . 147"
    listed = 0  # "Fig. 2a, b": the letters after the first are part of the printed label
    if m.group("suffix") and (more := _MORE_PANELS.match(after)):
        after, listed = after[more.end() :], more.end()
    lower = not _AFTER_OK.match(after)
    if lower and not ((low := _LOWER_AFTER.match(after)) and low.group(1) not in _GOES_ON):
        return None
    # a word that only starts like a label: "Graphic" is not "Graph i" (a Roman number or
    # a letter glued to the word is no label; "Figure1" or "FigureS1" with digits is)
    if m.end("word") == m.start("num") and not any(c.isdigit() for c in m.group("num")):
        return None
    base_word = m.group("base").lower()
    # the rarer label words name things in code and prose too: "graph1:" (an argument),
    # "Graph1: same adj nonadj" (a program's output); as labels they are capitalised and
    # set apart from the number ("Graph 1. Distribution of patients by age")
    if base_word in _RARE_WORDS and (
        m.group("base")[0].islower() or m.end("word") == m.start("num")
    ):
        return None
    # "Figures 3 and 4": a plural word is a reference, never a caption label
    if base_word in ("figures", "figs", "figs.", "tables", "listings", "algorithms"):
        return None
    kind = "table" if re.fullmatch(_TABLE_WORDS, base_word) else "figure"
    num = m.group("num")
    num = num.upper() if num[0].isalpha() and not re.fullmatch(r"[ivx]+", num) else num
    base = "Table" if kind == "table" else "Figure"
    if base_word in ("listing", "algorithm"):
        kind, base = "listing", base_word.capitalize()
    if base_word in ("scheme", "plate", "chart", "graph"):
        base = base_word.capitalize()
    elif base_word in ("gráfico", "grafico"):
        base = "Graph"
    prefix = re.sub(r"\s+", " ", (m.group("prefix") or "").lower())
    number = num  # the ``number`` field: unique across a paper's numbering series
    if prefix in ("supplementary", "supplemental", "suppl", "suppl.", "supporting", "online"):
        num = number = num if num.startswith("S") else "S" + num
    elif prefix == "extended data":  # Nature's Extended Data figures: numbered apart
        base, number = f"Extended Data {base}", "ED" + num
    elif prefix == "appendix":
        base = f"Appendix {base}"
    if m.group("e"):
        base, number = f"e{base}", "e" + num
    printed = original[: m.end("suffix") + spaces + listed]
    # eLife-style "Figure 3—figure supplement 2." is a figure of its own
    sup = _SUPPLEMENT_RE.match(after)
    if sup and kind == "figure":
        printed = original[: m.end("suffix") + spaces + sup.end()]
        label = f"{base} {num}—figure supplement {sup.group(1)}"
        return (kind, label, f"{number}-S{sup.group(1)}", printed), lower
    return (kind, f"{base} {num}", number, printed), lower


def _label_score(
    line: TextLine,
    prev: TextLine | None,
    body_size: float,
    printed: str,
    after: str,
    leading: float = 0.2,
    bold_counts: bool = True,
) -> float:
    score = 0.0
    if bold_counts and line.prefix_bold(max(1, len(printed.replace(" ", "")))):
        score += 2.0
    if _AFTER_PUNCT.match(after):
        score += 1.0
    if abs(line.size - body_size) > 0.08 * body_size:
        score += 1.0
    starts_block = prev is None
    if prev is not None:
        gap = line.y0 - prev.y1
        block_gap = max(0.6, leading + 0.45) * max(line.height, 1.0)
        starts_block = gap > block_gap or abs(prev.size - line.size) > 0.1 * line.size
    if starts_block:
        score += 1.0
        # the label alone on a line of its own ("Figure 1" under a drawing, in body type):
        # a reference in running text is never a whole line that starts a block. Not with
        # panel letters: "Fig. 4B, C" alone is a title drawn inside a figure.
        if not after.strip() and printed[-1:].isdigit():
            score += 1.0
    return score


RUNNING_LINE_CHARS = 40  # a line of running text is at least this long
BOLD_BODY_LINES = 3  # lines of running text on a page needed to judge their weight
BOLD_BODY_SHARE = 0.8  # of them bold: the fonts say bold of everything


def _bold_running_text(lines: list[TextLine], body_size: float) -> bool:
    """Whether the page's running text reads as bold (NEURON's preprint: pdfium reads
    weight 704 for every LiberationSerif subset, so a paragraph opening "Figure 7 B shows
    ..." had a bold label). Then bold tells no label from the text around it."""
    running = [
        ln
        for ln in lines
        if not ln.rotated
        and len(ln.text) >= RUNNING_LINE_CHARS
        and abs(ln.size - body_size) <= 0.05 * body_size
    ]
    if len(running) < BOLD_BODY_LINES:
        return False
    return sum(ln.mostly_bold() for ln in running) >= BOLD_BODY_SHARE * len(running)


UNDER_GRAPHIC_GAP = 4.0  # line heights from a graphic's bottom to a caption under it (past
# sub-captions "(a) ..." printed under its panels)
MIN_GRAPHIC_SIDE = 20.0  # points: a picture or drawing, not a rule or a bullet
FIGURE_TEXT_LINES = 3  # short lines stacked under a drawing ("Current / CPU / Cycle") ...
FIGURE_TEXT_WIDTH = 0.5  # ... each at most this share of the label line's width


def _under_graphic(
    line: TextLine, after: str, graphics: Sequence[BBox], lines: Sequence[TextLine] = ()
) -> bool:
    """Whether a label line that starts a block with a capitalised title, no punctuation
    after the label ("Figure 5.2 Gap Lengths Distribution."; LASTZ's thesis, in body type),
    sits right under a picture or drawing: a caption, where running text would go on
    ("Figure 5.2 shows ...").

    The drawing is what the strokes right over the line make up together (a timing diagram
    of many short strokes, none 20 points tall), and the line may hang under the drawing's
    own words: a few short lines stacked under it (VR4300's "Current / CPU / Cycle")."""
    words = after.split()
    if not words or not words[0][0].isupper():
        return False
    x0, _, x1, _ = line.bbox
    top = _under_figure_text(line, lines)
    reach = UNDER_GRAPHIC_GAP * max(line.height, 1.0)
    near = [
        g for g in graphics if -2.0 <= top - g[3] <= reach and min(x1, g[2]) - max(x0, g[0]) > 0
    ]
    if not near:
        return False
    union = (
        min(g[0] for g in near),
        min(g[1] for g in near),
        max(g[2] for g in near),
        max(g[3] for g in near),
    )
    return union[2] - union[0] >= MIN_GRAPHIC_SIDE and union[3] - union[1] >= MIN_GRAPHIC_SIDE


def _under_figure_text(line: TextLine, lines: Sequence[TextLine]) -> float:
    """The top of the stack of short lines right over ``line`` (a drawing's labels set under
    it), or the line's own top where none is."""
    top = line.y0
    width = FIGURE_TEXT_WIDTH * (line.x1 - line.x0)
    for _ in range(FIGURE_TEXT_LINES):
        over = [
            o
            for o in lines
            if o is not line
            and not o.rotated
            and o.x1 - o.x0 <= width
            and min(o.x1, line.x1) - max(o.x0, line.x0) > 0
            and -0.5 * o.height <= top - o.y1 <= 1.5 * max(line.height, 1.0)
            and o.y0 < top
        ]
        if not over:
            break
        top = min(o.y0 for o in over)
    return top


def _mid_sentence(line: TextLine, above: TextLine | None) -> bool:
    """Whether ``line`` goes on with the sentence of the paragraph line right above it: set
    flush with it, in its type, that line as wide and not ending a sentence."""
    if above is None:
        return False
    return (
        abs(above.x0 - line.x0) <= 1.0
        and abs(above.size - line.size) <= 0.05 * line.size
        and above.x1 - above.x0 >= 0.9 * (line.x1 - line.x0)
        and not above.text.rstrip().endswith((".", ":", "!", "?"))
    )


def _cited_at_line_end(
    line: TextLine, after: str, above: TextLine | None, lines: list[TextLine]
) -> bool:
    """Whether a line holding a label alone ("Fig. 1.") ends the sentence of the line above
    it (a caption's last words, "the same as in" / "Fig. 1.") rather than heading a caption:
    nothing follows it on its row or right under it."""
    if after.strip(" .:") or not _mid_sentence(line, above):
        return False
    return not any(
        ln is not line
        and not ln.rotated
        and -0.3 * line.height <= ln.y0 - line.y1 < 1.5 * line.height
        and min(ln.x1, line.x1 + 3 * line.size) - max(ln.x0, line.x0) > 0
        for ln in lines
    )


def _line_above(line: TextLine, lines: list[TextLine]) -> TextLine | None:
    """The nearest line above ``line`` that overlaps it horizontally (same column)."""
    best: TextLine | None = None
    for other in lines:
        if other is line or other.rotated or other.y1 > line.y0 + 0.3 * line.height:
            continue
        overlap = min(other.x1, line.x1) - max(other.x0, line.x0)
        if overlap <= 0.3 * min(other.x1 - other.x0, line.x1 - line.x0):
            continue
        if line.y0 - other.y1 > 3 * max(line.height, 1.0):
            continue
        if best is None or other.y1 > best.y1:
            best = other
    return best


def _detached_punct(line: TextLine, printed: str, lines: list[TextLine]) -> bool:
    """Whether the colon or full stop after the label was read as a line of its own (a
    glyph drawn apart: "Figure 7 Cavity ..." with ":" on its baseline right after "7")."""
    text = line.text.strip()
    if not text:
        return False
    end = line.x0 + (line.x1 - line.x0) * len(printed) / len(text)  # chars about one width
    for other in lines:
        if other is line or other.text.strip() not in (":", ".", "|"):
            continue
        level = min(other.y1, line.y1) - max(other.y0, line.y0) > 0.5 * line.height
        if level and abs(other.x0 - end) <= max(4.0, 0.5 * line.size):
            return True
    return False


def _centred_title(line: TextLine, after: str, lines: list[TextLine]) -> bool:
    """A line centred over the wider line of running text right under it, its words after
    the label starting with a capital: a caption of one line (the next line is a paragraph's).
    A reference in running text fills the column's width instead."""
    words = after.strip()
    if not words or not words[0].isupper():
        return False
    below = [
        o
        for o in lines
        if o is not line
        and not o.rotated
        and 0 <= o.y0 - line.y1 <= 2 * max(line.height, 1.0)
        and min(o.x1, line.x1) - max(o.x0, line.x0) > 0
    ]
    if not below:
        return False
    under = min(below, key=lambda o: o.y0)
    width = line.x1 - line.x0
    return (
        under.x1 - under.x0 >= 1.15 * width
        and under.x0 < line.x0
        and under.x1 > line.x1
        and abs((under.x0 + under.x1) - (line.x0 + line.x1)) / 2 <= max(3.0, 0.03 * width)
    )


def _lone_line(line: TextLine, after: str, lines: list[TextLine]) -> bool:
    """A line with blank space over and under it, its words after the label starting with a
    capital ("Figure 1(b) Blur filter applied ..." under a picture, in body type): a caption
    of one line. A reference in running text has the paragraph's lines around it."""
    words = after.strip()
    if not words or not words[0].isupper():
        return False
    h = max(line.height, 1.0)
    return not any(
        o is not line
        and not o.rotated
        and max(o.y0 - line.y1, line.y0 - o.y1) <= 2 * h  # the gap over or under it
        and min(o.x1, line.x1) - max(o.x0, line.x0) > 0
        for o in lines
    )


LABEL_ALONE_SIZE = 0.6  # of the body size: a bare label set smaller titles a plot


def find_captions(
    lines: list[TextLine],
    body_size: float,
    min_score: float = 1.0,
    leading: float = 0.2,
    graphics: Sequence[BBox] = (),
) -> list[Caption]:
    """Caption blocks on a page: label lines that score as captions, grown downwards.

    Args:
        lines: the page's text lines.
        body_size: the running text's font size.
        min_score: the least evidence (bold label 2, punctuation 1, size 1, block start 1).
        leading: the document's usual gap between lines as a fraction of line height
            (:func:`~litclip.corpus.extract.text.typical_leading`; double-spaced manuscripts
            have about 1), so "starts a block" and "continues the caption" scale with it.
        graphics: the boxes of the page's pictures and drawings: a label with one cue
            alone is a caption right under one (:func:`_under_graphic`).
    """
    captions: list[Caption] = []
    starts: set[int] = set()
    single: set[int] = set()  # captions known to be one line
    bold_counts = not _bold_running_text(lines, body_size)
    for idx, line in enumerate(lines):
        if line.rotated:
            continue
        text = _with_number(line, lines)
        parsed = _parse_label(text)
        if parsed is None:
            continue
        # a bold label opening a block may go on in lower case ("Fig. 2 mRNA levels ...")
        (kind, label, number, printed), lower = parsed
        after = text.strip()[len(printed) :]
        if _reference_only(after):
            continue  # a plot's title citing its source: "Fig 10.6, p446"
        if not after.strip(" .:|") and line.size < LABEL_ALONE_SIZE * body_size:
            continue  # "Fig4a" over one plot of a grid, in its small type: a title
        above = _line_above(line, lines)
        score = _label_score(line, above, body_size, printed, after, leading, bold_counts)
        if score < min_score + 1 and _mid_sentence(line, above):
            continue  # "... in the right plot of / Figure 1. The residual model ..."
        if _cited_at_line_end(line, after, above, lines):
            continue  # "... Other parameters are the same as in / Fig. 1." ends a sentence
        if lower and not (
            bold_counts
            and line.prefix_bold(len(printed.replace(" ", "")))
            and score >= min_score + 2
        ):
            continue
        punct = bool(_AFTER_PUNCT.match(after)) or _detached_punct(line, printed, lines)
        # without punctuation after the label ("Figure 3 The ...") one weak cue is not enough
        weak = score < min_score or (score < min_score + 1 and not punct)
        # "Figure 3 Short-range ..." centred over the running text: a one-line caption
        one_line = _centred_title(line, after, lines) or _lone_line(line, after, lines)
        if weak and not one_line and not _under_graphic(line, after, graphics, lines):
            continue
        shown = _GLUED_NUMBER.sub(r"\1 ", printed, count=1)
        glued = printed if shown != printed else ""
        captions.append(Caption(kind, label, number, shown, [line], score + 2 * weak, glued=glued))
        starts.add(idx)
        if one_line:
            single.add(id(captions[-1]))
    start_lines = {id(lines[i]) for i in starts}
    for cap in captions:
        if id(cap) not in single:
            _grow_block(cap, lines, start_lines, max(0.75, leading + 0.45), graphics)
    return _join_translations(captions)


def _join_translations(captions: list[Caption]) -> list[Caption]:
    """One caption for a caption printed in two languages, one under the other ("图 1.1 ..."
    over "Figure 1.1 ...", as Chinese theses and journals print them): the same label under
    another word, starting within two lines of the first's end, across the same width."""
    out: list[Caption] = []
    for cap in sorted(captions, key=lambda c: c.bbox[1]):
        prev = next((c for c in reversed(out) if c.label == cap.label), None)
        if prev is not None and _translation_of(prev, cap):
            prev.lines.extend(cap.lines)
            continue
        out.append(cap)
    kept = {id(c) for c in out}
    return [c for c in captions if id(c) in kept]  # in the page's order


def _translation_of(first: Caption, second: Caption) -> bool:
    """Whether ``second`` is ``first`` printed again in another language right under it."""
    word = first.printed_label.split()[0].lower()
    if word == second.printed_label.split()[0].lower() or first.kind != second.kind:
        return False
    (x0, _, x1, y1), (a0, b0, a1, _) = first.bbox, second.bbox
    height = max(first.lines[-1].height, second.lines[0].height)
    return 0 <= b0 - y1 <= 2 * height and min(x1, a1) - max(x0, a0) > 0


_PAGE_CITED = re.compile(r"[,;]?\s*\(?(?:p|pp|page|pages)\.?\s*\d+(?:\s*[-\u2013]\s*\d+)?\)?\s*")


def _reference_only(after: str) -> bool:
    """Whether the text after a label is only a page cited (", p446", " (p. 12)"): a
    plot's title naming the handbook figure it redraws, not a caption's start."""
    return bool(_PAGE_CITED.fullmatch(after)) and bool(after.strip())


_BARE_WORD = re.compile(rf"\s*{_WORD}\s*", re.IGNORECASE)


def _with_number(line: TextLine, lines: list[TextLine]) -> str:
    """``line``'s text, and when it is a label's word alone ("Figure"), the piece after it on
    its row too ("Figure 1: Magic square ..." justified so wide that pdfium split the row at
    every word gap); the row's pieces join the caption as it grows."""
    if not _BARE_WORD.fullmatch(line.text):
        return line.text
    mid = (line.y0 + line.y1) / 2
    pieces = [
        ln
        for ln in lines
        if ln is not line
        and not ln.rotated
        and abs((ln.y0 + ln.y1) / 2 - mid) < 0.3 * line.height
        and 0 <= ln.x0 - line.x1 < 2 * line.size
    ]
    if not pieces:
        return line.text
    nxt = min(pieces, key=lambda ln: ln.x0)
    return f"{line.text.rstrip()} {nxt.text.lstrip()}"


TITLE_WIDEN = 1.3  # a caption line under a label alone is no wider than this x the block


ROW_FONT_SLACK = 0.15  # of the size: a formula's symbol font on the row is set a little larger
# of the size: how far the row's next piece may start back over the last one's end (a
# superscript set over a subscript, "p" with 0 under 3, splits the row there)
STACKED_SCRIPTS = 0.5


TAB_STOP = 3.0  # font sizes: the widest gap inside a caption's row set as a list
HANGING_TAB = 2.0  # font sizes: the widest gap between a label alone and its hung text


def _paragraph_after(cap: Caption, nxt: TextLine) -> bool:
    """Whether ``nxt`` is running text set tight under a caption in bold (ACM's format): the
    caption's rows bold throughout and ended by a full stop, ``nxt`` in the regular face and
    going on in lower case, a paragraph carried over from the column before ("defined for
    each bin, ..."). A regular description under a bold title starts a sentence, and a
    label alone ("Figure1.") may head a title in lower case ("cvs Source Repository")."""
    if len(cap.lines) == 1 and label_alone(cap, cap.lines[0]):
        return False
    last = max(cap.lines, key=lambda ln: ln.y1)
    weights = [b for ln in cap.lines for b, ch in zip(ln.bold, ln.text, strict=False) if ch.strip()]
    return (
        last.text.rstrip().endswith(".")
        and bool(weights)
        and all(weights)
        and not any(nxt.bold)
        and nxt.text.lstrip()[:1].islower()
    )


PARAGRAPH_INDENT = (0.8, 4.0)  # font sizes: a paragraph's first-line indent, least and most


def _indented_paragraph(cap: Caption, nxt: TextLine, lines: list[TextLine]) -> bool:
    """Whether ``nxt`` opens a new paragraph after a caption set as a paragraph of its own in
    the running text ("Figure 2.4: Color Chooser Panel." then "Note the three sliders ..."):
    the caption's last line ends a sentence well short of the column's edge, where a line
    goes on only when full, and ``nxt`` starts indented from the line under it, full or
    the paragraph's short last line (Octave's "Figure 15.5: Mesh plot." took the two
    paragraphs after it)."""
    last = max(cap.lines, key=lambda ln: ln.y1)
    size = max(nxt.size, 1.0)
    if not last.text.rstrip().endswith(_SENTENCE_END) or last.x1 > nxt.x1 - 3 * size:
        return False
    least, most = PARAGRAPH_INDENT
    return any(
        ln is not nxt
        and not ln.rotated
        and 0 <= ln.y0 - nxt.y1 < nxt.height
        and abs(ln.size - nxt.size) <= 0.1 * size
        and least * size <= nxt.x0 - ln.x0 <= most * size
        and ln.x1 <= nxt.x1 + 2 * size  # full, or the paragraph's last line ("surface.")
        for ln in lines
    )


def label_alone(cap: Caption, first: TextLine) -> bool:
    """Whether the caption's first line holds its label and nothing more ("Figure 1.")."""
    rest = first.text.strip()[len(cap.glued or cap.printed_label) :]
    return not rest.strip(LABEL_PUNCT)


def _grow_block(
    cap: Caption,
    lines: list[TextLine],
    start_lines: set[int],
    max_gap: float = 0.75,
    graphics: Sequence[BBox] = (),
) -> None:
    """Add the lines that continue the caption block below its first line (``graphics``:
    the page's drawings and pictures, whose tick labels do not continue it)."""
    first = cap.lines[0]
    used = {id(first)}
    # a row split at every word gap ("Figure" | "1:" | "Magic" ...) is justified very wide,
    # and a label alone may be followed by a tab stop ("Fig. 5." | "Example of Skinning")
    alone = label_alone(cap, first)
    wide = _BARE_WORD.fullmatch(first.text) or alone
    reach = (TAB_STOP if wide else 2) * first.size
    # text on the same row continuing the first line (split at a wide gap)
    for other in sorted(lines, key=lambda ln: ln.x0):
        if id(other) in used or other.rotated or id(other) in start_lines:
            continue
        same_row = abs((other.y0 + other.y1) / 2 - (first.y0 + first.y1) / 2) < 0.3 * first.height
        same_font = abs(other.size - first.size) <= ROW_FONT_SLACK * first.size
        if _math_run(other, first):  # a formula in a math font: its glyph boxes hang low
            same_row, same_font = True, True
        # boxes of a split row may touch or overlap (a superscript "m2" before ")", or set
        # over a subscript)
        if (
            same_row
            and same_font
            and -STACKED_SCRIPTS * first.size <= other.x0 - cap.bbox[2] < reach
            # the next column's text is no caption, but the text a label alone heads with a
            # hanging indent goes on under itself too ("Figure 14.1" | "R output of ...")
            and (
                (alone and other.x0 - cap.bbox[2] < HANGING_TAB * first.size)
                or not _continues_column(other, lines)
            )
        ):
            cap.lines.append(other)
            used.add(id(other))
    # then the sub- and superscripts the row was split at ("E*tot)/E*tot" after "(Etot - E"):
    # smaller pieces on the row, after its first piece's end, touching the row found so far
    for other in lines:
        if id(other) in used or other.rotated or id(other) in start_lines:
            continue
        if (
            min(other.y1, first.y1) - max(other.y0, first.y0) >= 0.5 * other.height
            and 0.5 * first.size <= other.size < first.size
            and other.x0 >= first.x1 - 0.25 * first.size
            and other.x0 - cap.bbox[2] < 0.5 * first.size
        ):
            cap.lines.append(other)
            used.add(id(other))
    cap.lines[1:] = sorted(cap.lines[1:], key=lambda ln: ln.x0 + ln.x1)  # reading order
    size, titled = first.size, False
    hang = _hanging_indent(cap, _first_row(cap) if alone else first, lines)
    # "Figure 1." alone in a larger type over its caption line ("cvs Source Repository")
    label_only = len(cap.lines) == 1 and alone
    while True:
        x0, _y0, x1, y1 = cap.bbox
        # a formula's deep glyph boxes (:func:`_math_run`) do not push the block's foot down
        y1 = max((ln.y1 for ln in cap.lines if ln.height <= TALL_GLYPHS * ln.size), default=y1)
        # a line squeezed by a formula (a square root's bar) does not set the spacing
        last_h = max(cap.lines[-1].height, first.height, 1.0)
        nxt = _next_line(cap, lines, used, start_lines, x0, x1, y1, max_gap * last_h, size, hang)
        # under a label alone, a title: the lines going on are as narrow (not a paragraph)
        if nxt is not None and titled and nxt.x1 - nxt.x0 > TITLE_WIDEN * (x1 - x0):
            return
        if nxt is None and label_only:
            nxt = _next_line(cap, lines, used, start_lines, x0, x1, y1, max_gap * last_h, None)
            titled = nxt is not None
            size = nxt.size if nxt is not None else size
        label_only = False
        if (
            nxt is None
            or _fragment(nxt, graphics)
            or _paragraph_after(cap, nxt)
            or _indented_paragraph(cap, nxt, lines)
        ):
            return
        row = [
            ln
            for ln in lines
            if id(ln) not in used
            and not ln.rotated
            and id(ln) not in start_lines
            and abs((ln.y0 + ln.y1) / 2 - (nxt.y0 + nxt.y1) / 2) < 0.3 * nxt.height
            and ln.x0 >= x0 - first.size
            and ln.x1 <= x1 + first.size
        ]
        if nxt not in row:
            row.append(nxt)
        _tab_stops(row, lines, used, start_lines, x1, first.size)
        _extend_row(row, lines, used, start_lines, x1 + 3 * first.size, first.size)
        if min(ln.x0 for ln in row) - x0 < 2 * first.size:
            hang = None  # the caption goes on flush left: it is not set with a hanging indent
        for ln in sorted(row, key=lambda ln: ln.x0):
            cap.lines.append(ln)
            used.add(id(ln))


def _math_run(piece: TextLine, first: TextLine) -> bool:
    """Whether ``piece`` is a formula set in ``first``'s row in a math font whose glyph boxes
    run far below the baseline (OpenType math: 29.5 pt for a 10 pt "M(0, 0, 0)", a 7 pt
    exponent 20 pt): tops level with the row's, in its size or a script's. Their centres
    sit low, and luadraw's captions were cut off at their first formula."""
    return (
        piece.height > TALL_GLYPHS * piece.size
        and any(ch.isprintable() and not ch.isspace() for ch in piece.text)  # no "\x01" bracket
        and abs(piece.y0 - first.y0) < 0.3 * first.height
        and SCRIPT_SIZE * first.size <= piece.size <= (1 + ROW_FONT_SLACK) * first.size
    )


TALL_GLYPHS = 1.8  # of its size: a run this tall is set in a math font's deep glyph boxes
SCRIPT_SIZE = 0.6  # of the row's size: a script in the formula is no smaller


def _fragment(line: TextLine, graphics: Sequence[BBox]) -> bool:
    """Whether ``line`` is a glyph or two alone (a tick label "4", an axis' "y") on a
    drawing: no line of a caption, but the figure's under a caption set over it (luadraw's
    manual, whose captions went down a plot's axis, one tall math glyph box after another).
    Off the drawings, it is (a page number set over a caption's line joins it, as before)."""
    if sum(not c.isspace() for c in line.text) > FRAGMENT_CHARS:
        return False
    x0, y0, x1, y1 = line.bbox
    return any(min(x1, g[2]) > max(x0, g[0]) and min(y1, g[3]) > max(y0, g[1]) for g in graphics)


FRAGMENT_CHARS = 2


def _tab_stops(
    row: list[TextLine],
    lines: list[TextLine],
    used: set[int],
    start_lines: set[int],
    x1: float,
    size: float,
) -> None:
    """Add the rest of a row set as a description list ("Top row:", a tab stop, then
    "Standard earth model of the trees data."), which may run past the block's right edge
    ``x1``: pieces of the row's type that start inside the block's width, close after it."""
    right = max(ln.x1 for ln in row)
    middle = (row[0].y0 + row[0].y1) / 2
    for ln in sorted(lines, key=lambda ln: ln.x0):
        if id(ln) in used or ln in row or ln.rotated or ln.mono or id(ln) in start_lines:
            continue  # a listing's line after its prompt (">", a tab, "title(...)") is code
        if (
            abs((ln.y0 + ln.y1) / 2 - middle) < 0.3 * row[0].height
            and right < ln.x0 < x1
            and ln.x0 - right < TAB_STOP * size
            and abs(ln.size - size) <= 0.1 * size
        ):
            row.append(ln)
            right = ln.x1


def _continues_column(line: TextLine, lines: list[TextLine]) -> bool:
    """Whether ``line`` goes on from a line right above it, or into one right under it, that
    starts where it starts: the next column's running text across a narrow gutter (the line
    over it may be a paragraph's indented start), not the rest of a caption's first row
    (nothing of the caption's column sits over that, and its next row starts at the label)."""
    return any(
        ln is not line
        and not ln.rotated
        and abs(ln.x0 - line.x0) <= 1.0
        and abs(ln.size - line.size) <= 0.1 * line.size
        and (
            -0.3 * line.height <= line.y0 - ln.y1 < 0.5 * line.height
            or -0.3 * line.height <= ln.y0 - line.y1 < 0.5 * line.height
        )
        for ln in lines
    )


def _extend_row(
    row: list[TextLine],
    lines: list[TextLine],
    used: set[int],
    start_lines: set[int],
    limit: float,
    size: float,
) -> None:
    """Add pieces of the row that carry on right after it (a line split at a formula runs a
    little past the block's right edge); text across a column gutter does not touch it."""
    grown = True
    while grown:
        grown = False
        right = max(ln.x1 for ln in row)
        top, bottom = row[0].y0, row[0].y1
        for ln in lines:
            if id(ln) in used or ln in row or ln.rotated or id(ln) in start_lines:
                continue
            # on the row (a formula may raise or squeeze a piece), right after its end
            overlap = min(ln.y1, bottom) - max(ln.y0, top)
            if (
                overlap >= 0.5 * min(ln.height, bottom - top)
                and ln.x0 - right < size
                and right + 1 < ln.x1 <= limit
                and abs(ln.size - size) <= 0.1 * size
            ):
                row.append(ln)
                grown = True


HANG_SLACK = 0.4  # of the label's width: how far off its estimated end a hanging indent may be


def _first_row(cap: Caption) -> TextLine:
    """The caption's first row as one line: a label alone and the text set after it (the
    caption holds that row's pieces only, before it grows down)."""
    row = cap.lines
    if len(row) == 1:
        return row[0]
    text = " ".join(ln.text for ln in row)
    bold = [b for ln in row for b in [*ln.bold, False]][: len(text)]
    return TextLine(text, cap.bbox, row[0].size, bold)


def _hanging_indent(cap: Caption, first: TextLine, lines: list[TextLine]) -> float | None:
    """Where the caption's words start after its label on its first line ("Figure 14.11
    R output ...", the next lines set under "R"), estimated from the share of characters.

    None when the first line holds the label alone, or stops short of the widest line that
    starts where it starts (a caption wraps only once its first line is full; lines under a
    short one, hung as if under its words, are a key or a list), or no other line starts
    there (a centred caption: the lines under it are a table's) unless the line hung under
    its words stands alone on its row under the caption (a caption under one of two figures
    side by side on a page of figures only, its label's margin shared by nothing else; a
    table's row has cells).
    """
    label = cap.glued or cap.printed_label
    head = re.match(rf"\s*{re.escape(label)}[\s.:|{DASHES}-]*", first.text)
    if not label or head is None or head.end() >= len(first.text):
        return None
    hang = first.x0 + (first.x1 - first.x0) * head.end() / len(first.text)
    flush = [
        ln.x1 for ln in lines if ln is not first and not ln.rotated and abs(ln.x0 - first.x0) <= 2.0
    ]
    if flush:
        return hang if first.x1 >= max(flush) - 2 * first.size else None
    hung = [
        ln
        for ln in lines
        if not ln.rotated
        and 0 <= ln.y0 - first.y1 < first.height
        and abs(ln.x0 - hang) <= HANG_SLACK * (hang - first.x0)
        and ln.x1 <= first.x1
    ]
    alone = [
        ln
        for ln in hung
        if not any(_on_row(o, ln) and o.x0 < first.x1 + first.size for o in lines if o is not ln)
    ]
    return hang if alone else None


def _on_row(a: TextLine, b: TextLine) -> bool:
    """Whether ``a`` stands on ``b``'s row (their boxes overlap by half a line's height)."""
    return min(a.y1, b.y1) - max(a.y0, b.y0) >= 0.5 * min(a.height, b.height)


def _next_line(
    cap: Caption,
    lines: list[TextLine],
    used: set[int],
    start_lines: set[int],
    x0: float,
    x1: float,
    y1: float,
    last_h: float,
    size: float | None,
    hang: float | None = None,
) -> TextLine | None:
    """The line right under the block (``size=None``: of any size), or None; ``hang`` is
    where a caption set with a hanging indent goes on (:func:`_hanging_indent`)."""
    best: TextLine | None = None
    # mid-sentence, a line all in a fixed-width face goes on (TeX's typewriter type reads
    # a tenth smaller than the roman beside it: "... with a redefined" | "ScalePoints")
    open_end = bool(cap.lines) and not cap.lines[-1].text.rstrip().endswith(_SENTENCE_END)
    for ln in lines:
        if id(ln) in used or ln.rotated or id(ln) in start_lines:
            continue
        gap = ln.y0 - y1
        if gap < -0.4 * last_h / 0.75 or gap > last_h:
            continue
        slack = MONO_SIZE_SLACK if ln.mono and open_end else 0.1
        if size is not None and abs(ln.size - size) > slack * size:  # running text is larger
            continue
        overlap = min(ln.x1, x1) - max(ln.x0, x0)
        if overlap < 0.5 * min(ln.x1 - ln.x0, x1 - x0):
            continue
        # left-aligned or centred under the block (a short first line may precede a long one)
        slack = 3 * (size or ln.size)
        hung = (
            hang is not None
            and ln.x0 - x0 >= 2 * ln.size  # not a paragraph's first-line indent
            and abs(ln.x0 - hang) <= HANG_SLACK * (hang - x0)
        )
        if (
            abs(ln.x0 - x0) > slack
            and abs((ln.x0 + ln.x1) / 2 - (x0 + x1) / 2) > slack
            and not hung
        ):
            continue
        if best is None or ln.y0 < best.y0:
            best = ln
    return best


_SENTENCE_END = (".", "!", "?", ".)", ".]")
MONO_SIZE_SLACK = 0.2  # of the caption's size: a fixed-width line going on may differ so much
MAX_CONTINUED_LINES = 12


def page_continuation(cap: Caption, here: list[TextLine], after: list[TextLine]) -> list[TextLine]:
    """The lines that finish ``cap`` at the top of the next page, or ``[]``.

    Only a caption that stops mid-sentence at the foot of its page runs on: nothing of its
    size follows it there, its last line does not end a sentence, and the next page's first
    lines of its size start at its left edge, up to a new label, a gap or a sentence's end.
    """
    last = cap.lines[-1]
    left, size = cap.bbox[0], last.size

    def same(ln: TextLine) -> bool:  # of the caption's type and column (not line numbers)
        return abs(ln.size - size) <= 0.15 * size and abs(ln.x0 - left) <= 3.0

    if last.text.rstrip().endswith(_SENTENCE_END) or any(
        same(ln) and ln.y0 > last.y1 for ln in here
    ):
        return []
    out: list[TextLine] = []
    for ln in sorted((ln for ln in after if same(ln)), key=lambda t: t.y0):
        if parse_label(ln.text) or (out and ln.y0 - out[-1].y1 > 1.5 * size):
            break
        out.append(ln)
        if ln.text.rstrip().endswith(_SENTENCE_END) or len(out) >= MAX_CONTINUED_LINES:
            break
    return out if out and out[-1].text.rstrip().endswith(_SENTENCE_END) else []


_RADICAL_BAR = re.compile(r"(?:ffi){3,}f{0,2}")
# TeX's \accent (old dvipdfm output, OT1 fonts) sets a spacing accent glyph, then its letter
_SPACING_ACCENTS = {
    "\u0060": "\u0300",  # grave
    "\u00b4": "\u0301",  # acute
    "\u02c6": "\u0302",  # circumflex
    "\u02dc": "\u0303",  # tilde
    "\u00af": "\u0304",  # macron
    "\u02d8": "\u0306",  # breve
    "\u02d9": "\u0307",  # dot above
    "\u00a8": "\u0308",  # diaeresis
    "\u02da": "\u030a",  # ring above
    "\u02dd": "\u030b",  # double acute
    "\u02c7": "\u030c",  # caron
    "\u00b8": "\u0327",  # cedilla
    "\u02db": "\u0328",  # ogonek
}
_ACCENTED = re.compile(f"([{''.join(_SPACING_ACCENTS)}])([^\\W\\d_])")
_DOTLESS_I = re.compile("\u0131([\u0300-\u0304\u0306\u0308\u030b\u030c])")


def compose_accents(text: str) -> str:
    """A spacing accent right before a letter set on it: "Se\u00b8c\u02dcao" -> "Seção"."""
    if not _ACCENTED.search(text):
        return text
    text = _ACCENTED.sub(lambda m: m.group(2) + _SPACING_ACCENTS[m.group(1)], text)
    # TeX sets the accents of \'{\i} on a dotless i, which composes with none: "tı́tulo"
    text = _DOTLESS_I.sub(lambda m: "i" + m.group(1), text)
    return unicodedata.normalize("NFC", text)


_SUSPENDED = re.compile(r"^(?:and|or|nor|to)\b")  # "pre- and post-operative"
_HEAD = re.compile(r"([^\W\d_]+)-$")  # the word part before a line-end hyphen
_TAIL = re.compile(r"[^\W\d_]+")  # and after it, at the next line's start


def _compound_break(out: str, line: str, text: str) -> bool:
    """Whether the hyphen ending ``out`` (before ``line``) belongs to a compound, as the
    rest of the caption ``text`` writes it, and the joined word nowhere: the same compound
    hyphenated ("non-fenestrated ... non-|fenestrated"), or another with the same second
    part after a first of three letters or more ("smooth-edged ... serrated-|edged"; a
    broken word's first syllable may be "ac-", and "hospital-acquired" is no reason to
    write "ac-quired")."""
    head, tail = _HEAD.search(out), _TAIL.match(line)
    if head is None or tail is None:
        return False
    first, second = re.escape(head.group(1)), re.escape(tail.group(0))
    if re.search(rf"\b{first}{second}\b", text, re.IGNORECASE):
        return False
    if re.search(rf"\b{first}-{second}\b", text, re.IGNORECASE):
        return True
    return len(head.group(1)) >= 3 and bool(re.search(rf"\w-{second}\b", text, re.IGNORECASE))


def clean_caption_text(lines: list[str]) -> str:
    """Join caption lines: de-hyphenate line breaks (unless the caption writes that compound
    with its hyphen elsewhere), set TeX's spacing accents on their letters, NFKC
    (ligatures), collapse whitespace, drop the "ffiffiffi" that a square root's bar drawn
    with ligature glyphs reads as."""
    cleaned = [unicodedata.normalize("NFKC", compose_accents(raw)) for raw in lines]
    cleaned = [" ".join(_RADICAL_BAR.sub(" ", line).split()) for line in cleaned]
    text = " ".join(cleaned)  # a hyphen at a line's end is followed by a space here
    out = ""
    for line in cleaned:
        if not line:
            continue
        broken = out.endswith("-") and len(out) > 1 and out[-2].isalnum()
        if broken and _SUSPENDED.match(line):
            out = f"{out} {line}"  # "pre-" + "and post-operative": the hyphen waits
        elif broken and out[-2].isalpha() and line[0].islower():
            # "devi-" + "ation" -> "deviation"; "serrated-" + "edged" stays a compound
            out = out + line if _compound_break(out, line, text) else out[:-1] + line
        elif broken and (line[0].isupper() or line[0].isdigit() or out[-2].isdigit()):
            out += line  # a compound: "Swiss-" + "Prot", "SARS-CoV-" + "2", "T2-" + "weighted"
        elif out:
            out = f"{out} {line}"
        else:
            out = line
    # no space inside brackets: one a line break or a text extractor put there ("( b)" for
    # an italic "(b)" read sideways) hides a panel marker
    return _BRACKET_SPACE.sub(r"\1\2", " ".join(out.split()))


_BRACKET_SPACE = re.compile(r"([(\[]) (?=\S)|(?<=\S) ([)\]])")

# ---------------------------------------------------------------------------------------------
# sub-caption splitting

_GROUP = r"[A-Za-z](?:\s*(?:[-\u2013,&]|and)\s*[A-Za-z])*"  # "A", "A-C", "A, B", "C and D"
_MARKERS = [
    # "(A) ...", "(a) ...", "(A, B) ..." and "(A\u2013C) ..." (also "(a): ..."; and the caption's
    # last words, "... and in (c).")
    re.compile(rf"\((?P<l>{_GROUP})\)[:.]?(?:\s|$)"),
    # "A, ...; B, ..." / "A: ... B: ..." / "C and D: ..." / "a \u2013 ...; b \u2013 ..." at a
    # sentence or clause start (also "...; and C) ...")
    re.compile(rf"(?:^|(?<=[.;:]\s)|(?<=;\sand\s))(?P<l>{_GROUP})(?:[,:.)]|\s[-\u2013\u2014])\s"),
    # "a) ... and b) ...", "a) 10-2, b) 10-3, and d) ...": a letter and its parenthesis
    # after a comma or an "and" too
    re.compile(rf"(?:^|(?<=[.;:]\s)|(?<=,\s)|(?<=\sand\s)|(?<=\sor\s))(?P<l>{_GROUP})\)\s"),
    # Springer's bare letters: "a Axial CT ... b Follow-up CT" (lower case, capital after)
    re.compile(r"(?:^|(?<=[.;]\s))(?P<l>[a-z](?:\s*[-\u2013,]\s*[a-z])*)\s(?=[A-Z0-9])"),
]
_PAREN_RANGE = re.compile(r"\(([A-Za-z])\)\s*([-\u2013])\s*\(([A-Za-z])\)")
_REFERENCE_BEFORE = re.compile(r"\b(?:panels?|fig(?:ure)?s?\.?(?:\s*\d+)?)\s*$", re.IGNORECASE)
_TRAILING_AND = re.compile(r"(?:[;,]\s*|\s+)(?:and|or)$")
# letters inside a sentence: "imaging before (a) and after (b) surgery", "positioning (a) as
# well as the monitor's (b)"; the words that join clauses never start a panel's description
_INLINE_START = re.compile(
    r"^(?:and|or|to|versus|vs\.?|with|in|as well as|whereas|while|but|than|compared (?:with|to))\b",
    re.IGNORECASE,
)


def _group_letters(group: str) -> list[str]:
    """Letters a marker covers, in order: "A\u2013C" -> A, B, C; "C and D" -> C, D."""
    out: list[str] = []
    for m in re.finditer(
        r"([A-Za-z])(?:\s*[-\u2013]\s*([A-Za-z]))?", re.sub(r"\band\b", ",", group)
    ):
        first, last = m.group(1), m.group(2) or m.group(1)
        if not 0 <= ord(last) - ord(first) <= 12:
            return []  # "(C-A)" or "(a-z)": not a panel range
        out += [chr(c) for c in range(ord(first), ord(last) + 1)]
    return out


# JNS style "Left: ... Right: ..." and "Upper left: ... Lower right: ..." (followed by a
# colon, or a comma as "A, ..." is: "Left, axial CT. Right, coronal reconstruction.")
_POSITION_RE = re.compile(
    r"(?:^|(?<=[.;]\s))(?P<p>(?:upper|lower|top|bottom|middle|center|centre)"
    r"(?:\s+(?:left|right|center|centre|middle))?|left|right)\s*[:,]\s",
    re.IGNORECASE,
)
_ROW = {"upper": 0, "top": 0, "lower": 2, "bottom": 2}
_COL = {"left": 0, "right": 2}


def _positional_markers(text: str) -> list[tuple[str, str, int, int]]:
    """Panels named by position, lettered in reading order (upper left = A, ...).

    Every position may appear once; returns ``[]`` otherwise or when fewer than two appear.
    """
    marks = [m for m in _POSITION_RE.finditer(text) if m.group("p")[0].isupper()]
    places = []
    for m in marks:
        words = m.group("p").lower().split()
        row = next((_ROW[w] for w in words if w in _ROW), 1)
        col = next((_COL[w] for w in words if w in _COL), 1)
        places.append((row, col))
    if len(marks) < 2 or len(set(places)) != len(places):
        return []
    order = sorted(range(len(marks)), key=lambda i: places[i])
    letter = {i: chr(ord("A") + k) for k, i in enumerate(order)}
    return [(letter[i], m.group("p").lower(), m.start(), m.end()) for i, m in enumerate(marks)]


_MIDDLE = ("middle", "center", "centre")


def position_places(printed: dict[str, str]) -> dict[str, tuple[int, int]] | None:
    """Each letter's (row, column) on a 3 x 3 grid (1: the middle, or not said) when every
    printed panel name is a position ("upper", "lower left"), else None."""
    places = {}
    for letter, name in printed.items():
        words = name.split()
        if not words or any(w not in _ROW and w not in _COL and w not in _MIDDLE for w in words):
            return None
        row = next((_ROW[w] for w in words if w in _ROW), 1)
        col = next((_COL[w] for w in words if w in _COL), 1)
        places[letter] = (row, col)
    return places or None


def split_caption(
    caption: str, label: str = "", printed: dict[str, str] | None = None
) -> tuple[str, dict[str, str]]:
    """Split a compound caption into its shared part and per-panel sub-captions.

    Args:
        caption: the cleaned caption, optionally starting with its printed label.
        label: the printed label to strip from the front ("Figure 3").
        printed: when given, filled with each panel's letter as printed in the caption
            (``{"A": "a", "B": "b"}`` for "(a) ... (b) ...").

    Returns:
        ``(shared, {"A": "Axial T2 ...", "B": ...})``; letters are upper-case. When no run of
        consecutive panel markers starting at A is found, ``(caption_without_label, {})``.
        Grouped markers ("(A\u2013C)", "C and D:") give each letter the same sub-caption;
        positions ("Left: ... Right: ...") are lettered in reading order (printed as "left");
        letters used inside a sentence give ``(caption_without_label, {"A": "", ...})``.
    """
    body = caption.strip()
    if label and body.lower().startswith(label.lower()):
        body = body[len(label) :].lstrip(LABEL_PUNCT)
    body = _PAREN_RANGE.sub(r"(\1\2\3)", body)  # "(c)\u2013(f) ..." -> "(c\u2013f) ..."
    candidates = [_continued_in_other_style(body, _sequential_markers(body, p)) for p in _MARKERS]
    # letters inside a sentence name the panels but cut no sub-captions; another style may
    # still do ("Case 2. A and B: Preoperative axial (A) and coronal (B) MR images. C: ...")
    inline: tuple[dict[str, str], dict[str, str]] | None = None
    for found in [*candidates, _positional_markers(body)]:
        if len({letter for letter, *_ in found}) < 2:
            continue
        shared = body[: found[0][2]].strip(" ;,")
        parts: dict[str, str] = {}
        marks: dict[str, str] = {}
        for i, (letter, as_printed, _start, end) in enumerate(found):
            stop = next((f[2] for f in found[i + 1 :] if f[2] > found[i][2]), len(body))
            # "... [14]; and (b) ...": the conjunction before the next marker is no content
            text = _TRAILING_AND.sub("", body[end:stop].strip(" ;,")).strip(" ;,")
            # a letter marked again after its group adds to the group's sub-caption
            if parts.get(letter) and text:
                sep = " " if parts[letter].endswith((".", "!", "?", ":")) else "; "
                text = f"{parts[letter]}{sep}{text}"
            parts[letter] = text or parts.get(letter, "")
            marks[letter] = as_printed
        if any(_INLINE_START.match(text) for text in parts.values()):
            # letters referred to inside a sentence ("the foot (d) and hand (e)"): the panels
            # are named, but the pieces between the letters are no sub-captions
            inline = inline or (dict.fromkeys(parts, ""), marks)
            continue
        if printed is not None:
            printed.update(marks)
        last = {letter for letter, _, start, _ in found if start == found[-1][2]}
        return shared, _share_closing_notes(parts, last)
    if inline is None:
        return body, {}
    if printed is not None:
        printed.update(inline[1])
    return body, inline[0]


# notes that close a caption after its last panel's text and hold for every panel
_CLOSING_NOTE = re.compile(
    r"(?<=[.;]\s)(?:Abbreviations?\b|Scale bars?\b|Error bars\b|Bars?\s*[=:]"
    r"|\*+\s*[Pp]\s*[<=\u2264]|Data (?:are|represent)\b|Values are\b"
    r"|Images? courtesy\b|Courtesy of\b|(?:Reproduced|Adapted|Modified) (?:from|with)\b"
    r"|Source:|Copyright\b|\u00a9)"
)


def _share_closing_notes(parts: dict[str, str], last: set[str]) -> dict[str, str]:
    """Move the notes closing the last panel's text ("(B) Coronal view. Scale bar, 50 \u03bcm.",
    "... Abbreviations: ICA, internal carotid artery.", "Images courtesy of ...") to the end
    of every panel's text: they speak of the whole figure, not of its last panel."""
    text = parts[next(iter(last))]
    m = _CLOSING_NOTE.search(text)
    if m is None or not text[: m.start()].strip():
        return parts
    note = text[m.start() :].strip()
    return {
        letter: " ".join(
            x for x in ((text[: m.start()] if letter in last else sub).strip(), note) if x
        )
        for letter, sub in parts.items()
    }


# "(a)", and groups "(C, D)", "(E and F)", "(A\u2013C)"
_MENTIONED = re.compile(r"\(([A-Za-z](?:\s*(?:,|and|[-\u2013])\s*[A-Za-z])*)\)")


def mentioned_panels(caption: str) -> int:
    """How many panels a caption names by parenthesised letters in any order ("(a), (b), and
    (e) are ... (c), (d), and (f) are ...": 6; groups count each letter, "(C, D)"), when
    they run from A without a gap; else 0.
    Letters of one case only: "(A)" and "(a)" together are no single run."""
    found = {c for m in _MENTIONED.finditer(caption) for c in _group_letters(m.group(1))}
    if not found or len({c.isupper() for c in found}) > 1:
        return 0
    letters = sorted(c.upper() for c in found)
    run = letters == [chr(ord("A") + i) for i in range(len(letters))]
    return len(letters) if run and len(letters) >= 2 else 0


_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x")
_MENTIONED_ROMAN = re.compile(r"\((" + "|".join(_ROMAN) + r")\)")
_CORNER = re.compile(r"\b(top|upper|bottom|lower)[\s-](left|right)\b", re.IGNORECASE)
_SIDES = "left|right|top|bottom|upper|lower|middle|center|centre"
_SIDE = re.compile(
    rf"\(({_SIDES})\)"
    r"|(?<!top )(?<!upper )(?<!bottom )(?<!lower )(?<![-\w])"  # not a corner's side
    rf"({_SIDES})(?: panel\b|:|\)\s)",
    re.IGNORECASE,
)
# looser namings of a side: "; right image plot of ...", "Top. Cumulative ...", "the upper
# plot ... the lower one", "(bubble, top)", "(above) ... (below)"
_PICTURE = r"(?:panel|plot|graph|image|figure|picture|map|diagram|chart|one)"  # one of them
_LOOSE_SIDE = re.compile(
    rf"(?:^|(?<=[;.:])\s+)({_SIDES})(?=[,.:]|\s+{_PICTURE}\b)"
    rf"|\bthe ({_SIDES}) {_PICTURE}\b"
    rf"|,\s*({_SIDES})\)"
    r"|\((above|below)\)",
    re.IGNORECASE,
)
# "the gel on the right": only the partner of a side named as above, never both sides
# alone (points "on the left" of a line and "on the right" are one plot's)
_ON_SIDE = re.compile(r"\bon the (left|right)\b", re.IGNORECASE)
# a row of plots: "Upper row: ...", "Upper panels: ...", "the bottom ones"
_NAMED_ROW = re.compile(rf"\b(top|upper|middle|bottom|lower) (?:row|{_PICTURE}s)\b", re.IGNORECASE)
_SAME_SIDE = {
    "upper": "top",
    "above": "top",
    "lower": "bottom",
    "below": "bottom",
    "center": "middle",
    "centre": "middle",
}


def names_panels(caption: str, label: str = "") -> bool:
    """Whether a caption names panels at all: by sub-captions, letters or positions."""
    return bool(
        split_caption(caption, label)[1] or mentioned_panels(caption) or positioned_panels(caption)
    )


def lettered_panels(caption: str, label: str = "") -> int:
    """How many panels a caption names by letter: sub-captions ("(A) ... (B) ...") or
    letters in its sentences ("before (a) and after (b)"), else 0."""
    return max(len(split_caption(caption, label)[1]), mentioned_panels(caption))


_COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
# what a caption counts when it counts its pictures ("Two electrophoresis gels", "Four
# multi-state models"); not "two patients" or "three cases", each of which may take a row
_COUNTED = re.compile(
    rf"^(?:the\s+)?({'|'.join(_COUNT_WORDS)})\s+(?:[\w-]+\s+){{0,2}}?"
    r"(?:plots|graphs|panels|images|views|models|examples|gels|maps|displays|diagrams|"
    r"photographs|photos|micrographs|scans|charts|histograms|snapshots|slices|curves|"
    r"pictures)\b",
    re.IGNORECASE,
)


# the counted pictures are not all the figure shows ("Two graphs (G1 & G2) and their product")
_AND_MORE = re.compile(r"\band (?:their|its|the|a|an)\b", re.IGNORECASE)


def counted_panels(text: str) -> int:
    """How many pictures a caption's text (after its label) counts at its start, else 0:
    "Two electrophoresis gels showing ..." is 2, "Two graphs and their product" 0."""
    text = text.strip()
    m = _COUNTED.match(text)
    if m is None or _AND_MORE.search(re.split(r"[.;:]\s", text[m.end() :], maxsplit=1)[0]):
        return 0
    return _COUNT_WORDS[m.group(1).lower()]


def positioned_panels(caption: str) -> int:
    """How many panels a caption names without letters, else 0: roman numerals "(i)" to
    "(iv)" in a run from (i); the four corners ("(top left)", "the top-right: ..."); the
    sides of a row or a column ("(left) ... (right)", "Left: ... Right: ...", "Left) ...
    Right) ...", "upper panel ... lower panel", "Left: ...; right image ...", "the upper plot
    ... the lower one", "(above) ... (below)", with a "(middle)" or "(center)" between; "on
    the right" only opposite a left named so), or both ("Upper row: ... (left), ... (middle),
    ... (right). Lower row: ...": 6; rows alone do not tell)."""
    roman = {m.group(1) for m in _MENTIONED_ROMAN.finditer(caption)}
    if len(roman) >= 2 and roman == set(_ROMAN[: len(roman)]):
        return len(roman)
    corners = {
        (m.group(1).lower() in ("top", "upper"), m.group(2).lower())
        for m in _CORNER.finditer(caption)
    }
    if len(corners) == 4:
        return 4
    # "(those on the left)" names no side by its parenthesis
    plain = _ON_SIDE.sub(lambda m: " " * len(m.group()), caption)
    named = [*_SIDE.finditer(plain), *_LOOSE_SIDE.finditer(plain)]
    sides = {_SAME_SIDE.get(x, x) for m in named for x in [next(filter(None, m.groups())).lower()]}
    if sides & {"left", "right"}:
        sides |= {m.group(1).lower() for m in _ON_SIDE.finditer(caption)}
    across = {"left", "right"} <= sides
    down = {"top", "bottom"} <= sides
    middle = "middle" in sides
    cols = (3 if middle else 2) if across else 1
    rows = (3 if middle and not across else 2) if down else 1
    named_rows = {
        _SAME_SIDE.get(m.group(1).lower(), m.group(1).lower()) for m in _NAMED_ROW.finditer(caption)
    }
    if {"top", "bottom"} <= named_rows:  # rows of how many plots each? only sides tell
        rows = 3 if "middle" in named_rows else 2
        return cols * rows if across else 0
    return cols * rows if cols * rows >= 2 else 0


def _sequential_markers(text: str, pattern: re.Pattern[str]) -> list[tuple[str, str, int, int]]:
    """Markers whose letters run A, B, C... (case-consistent), as (LETTER, printed, start, end).

    A marker that groups letters ("(A\u2013C)", "C and D:") yields one entry per letter, all
    with the marker's span, so each of those panels gets the same sub-caption. One letter of
    the group just before, marked again ("(C, D) at 17 h; (D) diffraction pattern"), is an
    entry of its own after the group's, at a clause start: what that panel adds to the
    group's sub-caption.
    """
    found: list[tuple[str, str, int, int]] = []
    expected = "a"
    case: bool | None = None
    group: list[str] = []  # letters of the last marker that grouped several, not yet re-marked
    for m in pattern.finditer(text):
        letters = _group_letters(m.group("l"))
        if (
            len(letters) == 1
            and letters[0] in group
            and text[: m.start()].rstrip().endswith((".", ";", ":", ","))  # not "larger in (D)"
        ):
            group.remove(letters[0])
            found.append((letters[0].upper(), letters[0], m.start(), m.end()))
            continue
        if not letters or letters[0].lower() != expected:
            continue
        if _REFERENCE_BEFORE.search(text, 0, m.start()):
            continue  # "the steps shown in panel (b). (b) The ...": a reference, not a marker
        if case is None:
            case = letters[0].isupper()
        elif any(letter.isupper() != case for letter in letters):
            continue
        found += [(letter.upper(), letter, m.start(), m.end()) for letter in letters]
        expected = chr(ord(letters[-1].lower()) + 1)
        group = letters if len(letters) > 1 else []
    return found


def _continued_in_other_style(
    text: str, found: list[tuple[str, str, int, int]]
) -> list[tuple[str, str, int, int]]:
    """``found`` (a run of markers in one style) and the letters after its last that the
    caption marks in another style at a sentence start, in the run's case: "(A) ...
    (H) Spot boundaries. ... I: Intensity profile along ..." gives I too."""
    while found:
        last, case = found[-1][0], found[-1][1].isupper()
        want = chr(ord(last) + 1)
        want = want if case else want.lower()
        after = found[-1][3]
        hits = [
            m
            for pattern in _MARKERS
            for m in pattern.finditer(text, after)
            if _group_letters(m.group("l")) == [want]
            and text[: m.start()].rstrip().endswith((".", ";"))
        ]
        if not hits:
            return found
        m = min(hits, key=lambda m: m.start())
        found = [*found, (want.upper(), want, m.start(), m.end())]
    return found


SIDE_COLUMN = 0.65  # of the running text's width: a caption set beside its figure is narrower
SIDE_REACH = 60.0  # points between a side caption's column and the figure beside it
PARAGRAPH_SKIP = 2.5  # line heights from a paragraph's last line to the next one's first


def take_side_paragraphs(
    captions: list[Caption], lines: list[TextLine], graphics: list[BBox], text_width: float
) -> None:
    """Give a caption set in a narrow column beside its figure the paragraphs that follow
    it in that column ("Figure 2: The shape of the response curve ..." then "This image
    illustrates 2D slices ..."): flush with its left edge, in its size, within its width,
    each beside a graphic. A caption as wide as the running text (a column of a two-column
    page) is followed by that text, and never takes it."""
    taken = {id(ln) for cap in captions for ln in cap.lines}
    for cap in captions:
        x0, _, x1, _ = cap.bbox
        size = cap.lines[0].size
        if text_width <= 0 or x1 - x0 > SIDE_COLUMN * text_width:
            continue
        rows = text_rows(
            [
                ln
                for ln in lines
                if id(ln) not in taken
                and not ln.rotated
                and ln.x0 >= x0 - 1.0
                and ln.x1 <= x1 + size  # a ragged caption's column is a little wider
                and abs(ln.size - size) <= 0.1 * size
            ]
        )
        while True:
            para = _next_paragraph(
                rows, cap.bbox[3], max(cap.lines[-1].height, 1.0), x0, size
            ) or _next_lettered_paragraph(cap, rows, lines, size)
            if not para or parse_label(min(para[0], key=lambda ln: ln.x0).text) is not None:
                break
            top, end = para[0][0].y0, para[-1][0].y1
            if not any(
                min(g[3], end) - max(g[1], top) > 0 and 0 <= max(x0 - g[2], g[0] - x1) <= SIDE_REACH
                for g in graphics
            ):
                break
            cap.beside = True
            for row in para:
                cap.lines.extend(sorted(row, key=lambda ln: ln.x0))
                taken.update(id(ln) for ln in row)
            rows = [row for row in rows if id(row[0]) not in taken]


_PANEL_HEAD = re.compile(r"\(?([A-Za-z])[.):]\s")  # "B. The synaptic ...", "(b) ..."


def _next_lettered_paragraph(
    cap: Caption, rows: list[list[TextLine]], lines: list[TextLine], size: float
) -> list[list[TextLine]]:
    """The paragraph of the caption's next panel, set farther down its column beside that
    panel (NEURON's Figure 9: "Figure 9. A. Somatic ..." beside plot A, then "B. The dt
    used ..." beside plot B, 70 pt lower): the first row under the caption, flush with it,
    opening with the letter after one the caption already gives as a marker, with no line
    of any width between the two."""
    x0, _, x1, bottom = cap.bbox
    below = [row for row in rows if min(ln.y0 for ln in row) > bottom]
    if not below:
        return []
    first = min(below, key=lambda row: min(ln.y0 for ln in row))
    head = min(first, key=lambda ln: ln.x0)
    m = _PANEL_HEAD.match(head.text)
    if m is None or abs(head.x0 - x0) > 1.0 or m.group(1) in "Aa":
        return []
    before = chr(ord(m.group(1)) - 1)
    if not re.search(rf"(?:^|[\s(]){before}[.):]\s", cap.text[len(cap.printed_label) :]):
        return []
    top = min(ln.y0 for ln in first)
    if any(ln.y0 > bottom and ln.y1 < top and ln.x1 > x0 and ln.x0 < x1 for ln in lines):
        return []
    return _next_paragraph(below, top - 1.0, max(head.height, 1.0), x0, size)


def _next_paragraph(
    rows: list[list[TextLine]], bottom: float, pitch: float, left: float, size: float
) -> list[list[TextLine]]:
    """The rows of the paragraph starting within :data:`PARAGRAPH_SKIP` line heights under
    ``bottom``: flush with ``left`` (its first row may be indented), one pitch apart."""
    para: list[list[TextLine]] = []
    for row in rows:
        top = min(ln.y0 for ln in row)
        if top <= bottom:
            continue
        start = min(ln.x0 for ln in row)
        gap = top - (max(ln.y1 for ln in para[-1]) if para else bottom)
        if gap > (0.75 if para else PARAGRAPH_SKIP) * pitch or start > left + 2 * size:
            break
        if para and start > left + 1.0:  # an indent starts the next paragraph
            break
        para.append(row)
    return para
