"""Figures made of text alone, found from their captions."""

from __future__ import annotations

import pytest

from litclip.corpus.extract.text import TextLine
from litclip.corpus.extract.textfigures import mono_block_over, text_block_over


def _line(text: str, x0: float, y0: float, x1: float, size: float = 8.0) -> TextLine:
    return TextLine(text, (x0, y0, x1, y0 + size), size, [False] * len(text))


def _listing(x0: float = 78.0) -> list[TextLine]:
    """A terminal screen: short lines, one blank line, over a caption at y 368."""
    rows = ["Installing TeX Live 2021", "Platform: x86_64-linux", "", "<I> start", "<Q> quit"]
    return [_line(t, x0, 300 + 10 * k, x0 + 8 * len(t)) for k, t in enumerate(rows) if t]


CAPTION = (78.0, 368.0, 385.0, 377.0)


def test_a_listing_over_its_caption_is_the_figure() -> None:
    box = text_block_over(CAPTION, _listing(), set())
    assert box == (78.0, 300.0, 270.0, 348.0)


def test_running_text_another_column_or_a_far_block_is_not() -> None:
    lines = _listing()
    assert text_block_over(CAPTION, lines, {id(lines[-1])}) is None  # running text right over it
    far = [_line(ln.text, 400.0 + ln.x0, ln.y0, 400.0 + ln.x1) for ln in _listing()]
    assert text_block_over(CAPTION, far, set()) is None  # beside the caption, not over it
    high = [_line(ln.text, ln.x0, ln.y0 - 60, ln.x1) for ln in _listing()]
    assert text_block_over(CAPTION, high, set()) is None  # 60 pt over it
    assert text_block_over(CAPTION, _listing()[-2:], set()) is None  # two lines are no figure
    label = [*_listing()[:-1], _line("Figure 1: another caption", 78, 340, 270)]
    assert text_block_over(CAPTION, label, set()) is None


def test_a_listing_in_small_type_is_as_far_over_its_caption_as_the_captions_size_puts_it() -> None:
    """irace's console output: 7 pt lines whose last sits 22 pt (3.1 of its lines) over a
    10 pt caption; in the caption's size that is 2.2 lines, close enough."""
    rows = ["# Iteration 1 of 5", "# experimentsUsedSoFar: 0", "1  acs  3.2", "# Iteration 2"]
    lines = [_line(t, 89.0, 315.0 + 8 * k, 89.0 + 6 * len(t), size=7.0) for k, t in enumerate(rows)]
    caption = (89.0, 368.0, 300.0, 378.0)  # 22 pt under the last line
    assert text_block_over(caption, lines, set()) is None
    box = text_block_over(caption, lines, set(), caption_height=10.0)
    assert box == (89.0, 315.0, 239.0, 346.0)


def _mono(text: str, x0: float, y0: float, size: float = 8.0) -> TextLine:
    line = _line(text, x0, y0, x0 + 5.2 * len(text), size)
    line.mono = True
    return line


def test_a_fixed_width_listing_of_any_length_over_its_caption_is_the_figure() -> None:
    """ftc-notebook's manual: a one-line macro call over "Figure 5: ...", and three lines
    with blank lines between them set left of the short centred "Figure 15: Team story."."""
    call = [_mono("\\Task [<prior task>] {<first kind>} [<second kind>]", 164.0, 133.0)]
    assert mono_block_over((258.0, 160.0, 418.0, 169.0), call, 9.0) == (164.0, 133.0, 429.2, 141.0)
    story = [
        _mono("\\begin{TeamStory}{<moto>}", 164.0, 133.0),
        _mono("% team story", 175.0, 157.0),
        _mono("\\end{TeamStory}", 164.0, 181.0),
    ]
    box = mono_block_over((288.0, 208.0, 388.0, 217.0), story, 9.0)
    assert box == (164.0, 133.0, 294.0, 189.0)


def test_a_numbered_listing_left_of_a_short_centred_caption_is_the_figure() -> None:
    """dot's guide: "1: digraph G {" ... "10: }" at the left margin, 26 pt over the centred
    "Figure 1: Small graph" (96 pt wide); the closing line ends 98 pt left of it."""
    rows = ["1: digraph G {", "2:      main -> parse;", "3:      main -> init;", "4: }"]
    lines = [_mono(t, 125.8, 200.0 + 13.5 * k, size=8.4) for k, t in enumerate(rows)]
    lines[-1] = _mono("10: }", 125.8, lines[-1].y0, size=8.4)
    caption = (257.0, 271.6, 353.2, 281.4)
    assert mono_block_over(caption, lines, 9.75) == (125.8, 200.0, 240.2, 248.9)


def test_prose_or_a_far_listing_over_a_caption_is_no_fixed_width_listing() -> None:
    caption = (258.0, 160.0, 418.0, 169.0)
    prose = _line("We can also add a list of biographies as follows.", 164.0, 140.0, 430.0)
    assert mono_block_over(caption, [prose], 9.0) is None
    far = [_mono("\\Task [<prior task>]", 164.0, 100.0)]  # 52 pt over it
    assert mono_block_over(caption, far, 9.0) is None
    # a paragraph over the listing ends it
    block = [prose, _mono("\\begin{Bio}", 164.0, 152.0)]
    block[0] = _line(prose.text, 164.0, 140.0, 430.0)
    assert mono_block_over(caption, block, 9.0) == (164.0, 152.0, 221.2, 160.0)


def _program(c, y: float) -> float:  # noqa: ANN001 - a reportlab canvas
    """A five-line listing in Courier from ``y`` (reportlab's y up) and its caption "Figure
    1." under it; returns the y of the caption's row."""
    c.setFont("Courier", 8)
    for row in ["int main(void) {", "  int i = 0;", "  while (i < 10)", "    i++;", "}"]:
        c.drawString(90, y, row)
        y -= 10
    c.setFont("Times-Bold", 9)
    c.drawString(72, y - 8, "Figure 1. The sample program.")
    return y


def test_a_code_listing_captioned_as_a_figure_is_extracted(tmp_path) -> None:  # noqa: ANN001
    """End to end: a listing in Courier between paragraphs, captioned "Figure 1." in bold;
    a paragraph of running text over a second caption gives no figure."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from litclip.corpus.extract import extract_pdf

    path = tmp_path / "listing.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    _, height = A4
    body = "This paragraph of running text explains the program printed in the listing below it."

    def paragraph(y: float) -> float:
        c.setFont("Times-Roman", 10)
        for k in range(4):
            c.drawString(72, y - 12 * k, body)
        return y - 48

    y = paragraph(height - 72) - 14
    y = _program(c, y)
    y = paragraph(y - 40)
    c.setFont("Times-Bold", 9)
    c.drawString(72, y - 6, "Figure 2. A caption under running text only.")
    c.showPage()
    c.save()
    figures = extract_pdf(str(path)).figures
    assert [f.label for f in figures] == ["Figure 1"]
    x0, y0, x1, y1 = figures[0].bbox
    assert 85 <= x0 <= 92 and y1 - y0 >= 40


def test_a_frame_drawn_stroke_by_stroke_over_a_caption_is_the_figure() -> None:
    """A listing's frame whose sides are 32 short strokes each (every piece too small to be
    a figure) ending right over the caption: the frame's box. One side alone, sides far up
    the page, or sides that do not span the caption are no frame."""
    from litclip.corpus.extract.regions import Element
    from litclip.corpus.extract.textfigures import frame_over

    def side(x: float, y0: float = 70.0, y1: float = 361.0) -> list[Element]:
        step = (y1 - y0) / 32
        return [
            Element((x, y0 + k * step, x + 0.4, y0 + (k + 1) * step), "path") for k in range(32)
        ]

    caption = (144.0, 368.0, 451.0, 377.0)
    frame = side(74.0) + side(520.6)
    assert frame_over(caption, frame) == (74.0, 70.0, 521.0, 361.0)
    assert frame_over(caption, side(74.0)) is None
    assert frame_over(caption, side(74.0, 70, 300) + side(520.6, 70, 300)) is None  # 68 pt up
    assert frame_over(caption, side(200.0) + side(300.0)) is None  # narrower than the caption


def test_output_ruled_off_above_and_below_its_caption_is_the_figure() -> None:
    """HSAUR3: R output between a rule under the page header and a rule 19 pt over the
    caption (too far for the block read up from the caption): the box runs rule to rule;
    without the upper rule the block is read up from the lower one. Running text between
    the rules, or no rule near the caption, gives nothing."""
    from litclip.corpus.extract.regions import Element
    from litclip.corpus.extract.textfigures import ruled_block_over

    caption = (140.1, 341.3, 475.4, 350.3)
    high = Element((139.6, 142.5, 475.9, 143.5), "path")
    low = Element((139.6, 321.4, 475.9, 322.4), "path")
    output = [
        _line(f"row {k} of the summary output", 140.1, 160.8 + 16 * k, 380.0, 7.0)
        for k in range(10)
    ]
    assert text_block_over(caption, output, set()) is None  # 23 pt from the caption
    assert ruled_block_over(caption, output, [high, low], set()) == (139.6, 142.5, 475.9, 322.4)
    assert ruled_block_over(caption, output, [low], set()) == (139.6, 160.8, 475.9, 322.4)
    assert ruled_block_over(caption, output, [high, low], {id(output[3])}) == (
        139.6,
        224.8,
        475.9,
        322.4,
    )  # running text between the rules: only the block under it
    assert ruled_block_over(caption, output, [high], set()) is None
    short = Element((139.6, 321.4, 200.0, 322.4), "path")  # an underline, not a rule
    assert ruled_block_over(caption, output, [high, short], set()) is None
    # gbm's algorithm boxes: 2.8 pt rules, some steps reading as prose (4 of 10), are whole
    thick = [Element((139.6, 140.7, 475.9, 143.5), "path")]
    thick.append(Element((139.6, 321.4, 475.9, 324.2), "path"))
    prose = {id(output[k]) for k in (1, 3, 4, 7)}
    assert ruled_block_over(caption, output, thick, prose) == (139.6, 140.7, 475.9, 324.2)
    prose |= {id(output[k]) for k in (0, 2)}  # more prose than steps: running text
    assert ruled_block_over(caption, output, thick, prose) != (139.6, 140.7, 475.9, 324.2)


def test_listing_lines_are_rows_mostly_of_code_and_rows_between_them() -> None:
    """Rows set mostly in a fixed-width font are code, and so is a row between two of them
    ("return di;" with its keyword in bold roman); prose with a word of code is not."""
    from litclip.corpus.extract.textfigures import listing_lines

    def ln(text: str, x0: float, y0: float, x1: float, mono: bool) -> TextLine:
        return TextLine(text, (x0, y0, x1, y0 + 10.0), 10.0, mono=mono)

    code = [
        ln("double comp(d.maxCoeff() * threshold());", 104, 139, 339, True),
        ln("return di;", 104, 153, 160, False),
        ln("using", 81, 167, 110, False),  # a keyword beside its code on the row
        ln("Eigen::LLT;", 127, 167, 190, True),
        ln("}", 81, 181, 87, True),
    ]
    prose = [
        ln("the state of the button pin,", 28, 300, 160, False),
        ln("processes the state, with:", 28, 313, 112, False),
        ln("port_pin_get_input_", 112, 313, 190, True),  # inline code, under half the row
        ln("level(PIN_PA01) and sends either", 28, 326, 190, False),
        ln("a message over the USB.", 28, 339, 150, False),
    ]
    got = listing_lines(code + prose)
    assert got == {id(x) for x in code}


def test_a_listing_beside_the_other_columns_prose_is_code() -> None:
    """TraceMonkey (two columns): the listing's rows share their heights with the left
    column's justified prose, wider than the code; the code is code where it stands, the
    prose is not."""
    from litclip.corpus.extract.textfigures import listing_lines

    def ln(text: str, x0: float, y0: float, x1: float, mono: bool) -> TextLine:
        return TextLine(text, (x0, y0, x1, y0 + 9.0), 9.0, mono=mono)

    rows = [
        ("trace exits. If an exit becomes hot, the VM can record a branch", "4"),
        ("trace starting at the exit to cover the new path. In this way", "5"),
    ]
    prose = [ln(left, 54, 102 + 10 * k, 295, False) for k, (left, _) in enumerate(rows)]
    numbers = [ln(num, 317, 102 + 10 * k, 322, True) for k, (_, num) in enumerate(rows)]
    code = [
        ln("for (var k = i + i; i < 100; k += i)", 336, 102, 505, True),
        ln("primes[k] = false;", 345, 112, 430, True),
    ]
    got = listing_lines(prose + numbers + code)
    assert got == {id(x) for x in numbers + code}


_PSEUDOCODE = [
    (72, "// evaluate policy by interacting with env. (e.g., simulator)"),
    (72, "rollout(policy, environment):"),
    (82, "trajectory = []"),
    (82, "while (not environment.has_terminated()):"),
    (91, "action = policy.compute(state) // Serving"),
    (91, "trajectory.append(state, reward)"),
    (82, "return trajectory"),
]


def _pseudocode(rows: list[tuple[int, str]]) -> list[TextLine]:
    return [_line(t, x, 200 + 11 * k, x + 4.2 * len(t), 9.0) for k, (x, t) in enumerate(rows)]


def test_pseudocode_in_the_texts_own_face_over_its_caption_is_the_figure() -> None:
    """OSDI's "Figure 2: Typical RL pseudocode": Times, like the running text, so read as
    running text; its punctuation, its indents and its ragged right edge make it code."""
    from litclip.corpus.extract.textfigures import code_block_over

    lines = _pseudocode(_PSEUDOCODE)
    box = code_block_over((84.0, 290.0, 285.0, 298.0), lines)
    assert box is not None and box[0] == 72 and box[1] == 200 and box[3] == 200 + 11 * 6 + 9


def test_prose_over_a_caption_is_no_pseudocode() -> None:
    """Prose, justified or ragged, flush left: no code's punctuation, no indents."""
    from litclip.corpus.extract.textfigures import code_block_over

    words = "the patients were followed for a median of thirty months after surgery and"
    prose = [(72, words[: 60 - k]) for k in range(7)]
    assert code_block_over((84.0, 290.0, 285.0, 298.0), _pseudocode(prose)) is None
    # code's punctuation alone, all flush left and justified (a paragraph of formulas)
    formulas = [(72, "x = f(y) and g(z) = h(w) for all w in the set (A) given") for _ in range(7)]
    assert code_block_over((84.0, 290.0, 285.0, 298.0), _pseudocode(formulas)) is None


def test_pseudocode_figure_is_extracted(tmp_path) -> None:  # noqa: ANN001
    from reportlab.pdfgen import canvas

    from litclip.corpus.extract import extract_pdf
    from tests.corpus.test_extract_layout import make, paragraph, top

    def draw(c: canvas.Canvas) -> None:
        c.setFont("Times-Roman", 10)
        for k, (x, text) in enumerate(_PSEUDOCODE):
            c.drawString(x, top(80 + 12 * k), text)
        c.drawString(90, top(190), "Figure 2: Typical RL pseudocode for learning a policy.")
        paragraph(c, 72, 210, 95, 20)

    (fig,) = extract_pdf(make(tmp_path, "pseudo.pdf", draw)).figures
    assert fig.label == "Figure 2" and fig.bbox[1] < 75 and 150 < fig.bbox[3] < 160


def test_a_listing_on_a_landscape_page_set_sideways_is_extracted(tmp_path) -> None:  # noqa: ANN001
    """The same listing and caption on a page of a portrait document turned to landscape
    (drawn sideways, the text running up the page): found in the frame the caption reads
    in, boxed in page space and cropped upright."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from litclip.corpus.extract import extract_pdf
    from litclip.corpus.extract.render import iter_figures

    path = tmp_path / "landscape.pdf"
    width, height = A4
    c = canvas.Canvas(str(path), pagesize=A4)
    body = "This paragraph of running text explains the program printed in the listing below it."
    c.setFont("Times-Roman", 10)
    for k in range(50):  # a portrait page of running text sets the body size
        c.drawString(72, height - 72 - 14 * k, body)
    c.showPage()
    c.translate(width, 0)
    c.rotate(90)  # landscape: x along the page's height, y from its right edge leftwards
    y = width - 72.0
    for k in range(4):
        c.setFont("Times-Roman", 10)
        c.drawString(72, y - 12 * k, body)
    y -= 62
    y = _program(c, y)
    c.setFont("Times-Roman", 10)
    for k in range(4):
        c.drawString(72, y - 40 - 12 * k, body)
    c.showPage()
    c.save()
    (fig,) = extract_pdf(str(path)).figures
    assert (fig.label, fig.page, fig.turn) == ("Figure 1", 2, 90)
    x0, y0, x1, y1 = fig.bbox  # its rows run up the page from 90 pt over its foot
    assert y1 - y0 > x1 - x0 and abs(y1 - (height - 90)) < 3
    (_fig, whole, _panels, _native) = next(iter(iter_figures(str(path))))
    assert whole.width > whole.height  # the crop reads upright


def test_a_sideways_line_keeps_its_fixed_width_face_in_the_turned_frame() -> None:
    """Listings in a fixed-width face are told by ``mono``: a page turned to read its
    sideways captions must keep it (five listings of ftc-notebook and RcppEigen set
    sideways were found only in part, or not at all, without it)."""
    from litclip.corpus.extract.document import _Frame

    code = TextLine("x <- c(1, 2)", (100.0, 200.0, 108.0, 260.0), 8.0, [False] * 12, True, 90, True)
    turned = _Frame(90, 612.0, 792.0).line(code)
    assert turned.mono and not turned.rotated
    assert turned.bbox == (532.0, 100.0, 592.0, 108.0)


def test_a_listing_stops_at_the_last_line_of_the_paragraph_over_it() -> None:
    """scotch's graph file: a paragraph ends in a short line ("and edge weights and base
    0.") right over a listing of fixed-width figures whose first column starts left of the
    short centred caption; the paragraph's last line is not the listing's, its first column
    is (inside the text column). A sentence's end carried over from the page before, over a
    listing, is neither."""

    def code(text: str, x0: float, y0: float) -> TextLine:
        return TextLine(text, (x0, y0, x0 + 5 * len(text), y0 + 7), 8.0, mono=True)

    para = _line(
        "Figure 4 shows the contents of a graph file modeling a cube", 126.5, 513.0, 471.6, 10.0
    )
    tail = _line("and edge weights and base 0.", 111.6, 525.6, 238.4, 10.0)
    rows = [code("0", 188.1, 546.5), code("8", 188.1, 556.5), code("24", 226.4, 556.5)]
    rows += [code(str(k), 188.1, 566.4 + 10 * k) for k in range(9)]
    rows += [code("000", 226.4, 566.4), code("1", 302.9, 576.3)]
    caption = (202.0, 672.0, 381.0, 682.0)
    lines = [para, tail, *rows]
    column = (111.6, 471.6)
    listing = (188.1, 546.5, 307.9, 653.4)
    assert text_block_over(caption, lines, {id(para)}, column=column) == listing
    carried = _line("the graph of Figure 4.", 111.6, 525.6, 207.5, 10.0)
    comment = _line("# Vertex three.", 240.0, 586.4, 300.0)  # the listing's, in its size
    assert text_block_over(caption, [carried, *rows, comment], set(), column=column) == listing
    # the column left of the caption joins only inside the text column (not the next one's)
    assert text_block_over(caption, lines, {id(para)}) is None
    assert text_block_over(caption, lines, {id(para)}, column=(200.0, 471.6)) is None


def test_a_listing_ending_left_of_its_centred_caption_is_found_across_the_column() -> None:
    """ADOL-C's Figure 8: C++ set in the text's face at the column's indent, its last lines
    ("}", "return 0;") left of the short centred caption, the running text's lines around
    it: the listing is found when the caption's column is searched, the caption centred
    under it, up to the prose at the column's edge; not across the caption alone, nor
    across another column."""
    from litclip.corpus.extract.textfigures import caption_column, code_block_over

    def row(text: str, x0: float, y0: float) -> TextLine:
        return _line(text, x0, y0, x0 + 5.5 * len(text), 10.9)

    code = [
        row("int main() {", 124.1, 232.3),
        row("adtl::setNumDir(3);", 138.3, 245.9),
        row("adouble x[3], y[3];", 138.3, 259.4),
        row("for (int i=0; i<3; ++i) {", 138.3, 286.5),
        row("for (int j=0; j<3; ++j) x[i].setADValue(j,1);", 152.4, 300.1),
        row("}", 138.3, 313.6),
        row("y[0] = sqrt(x[0]*x[0]+x[1]*x[1]);", 138.3, 340.7),
        row('cout << "y1=" << y[0].getValue() << " , y2=" << y[1].getValue();', 138.3, 354.3),
        row("return 0;", 138.3, 381.4),
        row("}", 124.1, 394.9),
    ]
    text = [
        row("Running text of the column over the listing, long. " * 2, 94.9, 100 + 13.5 * k)
        for k in range(5)
    ]
    text += [
        row("Running text of the column under the caption, long. " * 2, 94.9, 460 + 13.5 * k)
        for k in range(3)
    ]
    caption = (184.8, 425.0, 436.7, 434.7)
    lead = row("The example computes the Jacobian as follows.", 94.9, 218.0)  # prose, at the edge
    lines = [*text, lead, *code]
    column = caption_column(caption, text)
    assert column == (94.9, max(ln.x1 for ln in text))
    assert code_block_over(caption, lines) is None  # "}" and "return 0;" stand beside it
    box = (124.1, 232.3, max(ln.x1 for ln in code), 394.9 + 10.9)
    assert code_block_over(caption, lines, column) == pytest.approx(box)
    assert code_block_over(caption, lines, (300.0, 540.0)) is None  # another column's
    # a caption off the block's middle (Elektor's parts list left of the board's caption)
    aside = (300.0, 425.0, 480.0, 434.7)
    assert code_block_over(aside, lines, column) is None
    # one row of labels "s(0)", "s(t1)" ... over a timeline's caption is no listing
    timeline = [row(f"s(t{k})", 130.0 + 55 * k, 410.0) for k in range(6)]
    assert code_block_over(caption, [*text, *timeline], column) is None


def test_a_captions_column_is_its_text_column_on_a_two_column_page() -> None:
    """faust's paper: two listings side by side, each over its caption in its column; the
    column of each is the running text's (not the page's width, which would join them)."""
    from litclip.corpus.extract.textfigures import caption_column

    left = [
        _line("Running text of the left column, long. " * 2, 72.0, 500 + 12 * k, 297.0, 10.0)
        for k in range(4)
    ]
    right = [
        _line("Running text of the right column, long. " * 2, 315.0, 500 + 12 * k, 540.0, 10.0)
        for k in range(4)
    ]
    assert caption_column((72.0, 480.0, 297.0, 490.0), [*left, *right]) == (72.0, 297.0)
    assert caption_column((330.0, 480.0, 520.0, 490.0), [*left, *right]) == (315.0, 540.0)
    assert caption_column((72.0, 480.0, 297.0, 490.0), left[:2]) is None  # too little text


def test_a_listing_under_its_caption_is_its_figure() -> None:
    """OMPL's IEEE paper sets "Fig. 3. Solving a motion planning problem ..." over its
    numbered Python listing. Three fixed-width lines or more right under a caption are its
    figure; two are not, nor are lines in the text's face."""
    from litclip.corpus.extract.textfigures import mono_block_under

    def code(text: str, y: float, mono: bool = True) -> TextLine:
        return TextLine(text, (310.0, y, 530.0, y + 8.0), 8.0, mono=mono)

    caption = (302.0, 447.0, 544.0, 470.0)
    listing = [
        code(t, 476.0 + 10 * k)
        for k, t in enumerate(
            ("def valid(state):", "    return True", "space = SE3()", "ss = Setup(space)")
        )
    ]
    box = mono_block_under(caption, listing, 9.0)
    assert box is not None and box[1] == 476.0 and box[3] == 514.0
    assert mono_block_under(caption, listing[:2], 9.0) is None
    prose = [code(t.text, t.y0, mono=False) for t in listing]
    assert mono_block_under(caption, prose, 9.0) is None


def test_listings_side_by_side_over_their_sub_labels_are_one_figure() -> None:
    """NorduGrid's "Figure 4.2: Ordering of section names.": two listings side by side,
    "Correct" and "Wrong" under them 22 pt lower, the caption 13 pt under those. The labels
    stand beside the short centred caption and the listings far over it: the labels' row
    is read first, and the listings stand off it as off a caption."""
    rows = ["[infosys]", "...", "[infosys/glue12]", "...", "[queue/fork]", "...", "[a/b]", "..."]
    left = [_mono(t, 70.9, 480.6 + 9.5 * k) for k, t in enumerate(rows)]
    right = [_mono(t, 322.7, 480.6 + 9.5 * k) for k, t in enumerate(reversed(rows))]
    labels = [_line("Correct", 173.9, 575.2, 201.7), _line("Wrong", 427.4, 575.2, 451.8)]
    caption, column = (220.7, 595.8, 388.6, 604.6), (70.9, 538.5)
    lines = [*left, *right, *labels]
    box = text_block_over(caption, lines, set(), caption_height=8.8, column=column)
    assert box == (70.9, 480.6, 451.8, 583.2)
    # labels alone, or a row of words that is running text, make no figure
    assert text_block_over(caption, labels, set(), caption_height=8.8, column=column) is None
    assert text_block_over(caption, lines, {id(labels[0])}, 8.8, column) is None
