"""Axis scales printed as text, and subplots of vector figures without panel letters."""

from __future__ import annotations

from pathlib import Path

from reportlab.pdfgen import canvas

from litclip.corpus.extract import extract_pdf
from litclip.corpus.extract.scales import count_scales, plot_panels
from litclip.corpus.extract.text import TextLine
from tests.corpus.test_extract_layout import _chart, caption, make, paragraph, top

BOX = (0.0, 0.0, 600.0, 800.0)


def _n(text: str, x1: float, y: float) -> TextLine:
    return TextLine(text, (x1 - 5.0 * len(text), y, x1, y + 6.0), 6.0)


def _plot(x: float, y: float) -> list[TextLine]:
    """A y axis (4 numbers right-aligned at ``x``) and an x axis (one row of 4 under it)."""
    ys = [_n(str(v), x, y + 100 - 30 * k) for k, v in enumerate((0, 10, 20, 30))]
    xs = [_n(str(v), x + 20 + 50 * k, y + 110) for k, v in enumerate((0, 5, 10, 15))]
    return ys + xs


def test_scales_are_columns_and_rows_of_tick_numbers() -> None:
    assert count_scales(_plot(50, 50), BOX) == 2
    assert count_scales(_plot(50, 50) + _plot(50, 300), BOX) == 4
    # a row written as one line counts too; numbers that do not line up do not
    assert count_scales([_n("0 50 100 150", 300, 600)], BOX) == 1
    scattered = [_n("3", 40 + 37 * k, 100 + 41 * k) for k in range(5)]
    assert count_scales(scattered, BOX) == 0


def test_columns_of_numbers_in_a_fixed_width_face_are_no_scales() -> None:
    """HSAUR3's Figure 7.13 is R's printed table of estimates, framed: its columns of
    numbers in a fixed-width face lined up like tick labels, read as scales, cut the
    listing into five "plots". Program output is no axis."""
    rows = [(v, 120 + 12 * k) for k, v in enumerate(("-1.70", "-4.63", "-2.10", "-5.86"))]
    columns = [_n(v, x, y) for v, y in rows for x in (200, 260, 320)]
    assert count_scales(columns, BOX) == 7  # three columns and four rows
    for ln in columns:
        ln.mono = True
    assert count_scales(columns, BOX) == 0


def test_split_parts_must_each_hold_a_scale() -> None:
    lines = _plot(50, 50) + _plot(50, 300)
    top_plot, bottom_plot, legend = (0, 40, 300, 170), (0, 290, 300, 420), (0, 430, 300, 470)
    assert plot_panels([top_plot, bottom_plot], lines) == [top_plot, bottom_plot]
    assert plot_panels([top_plot, bottom_plot, legend], lines) == []


def _ticks(c: canvas.Canvas, x0: float, y0: float, w: float, h: float) -> None:
    c.setFont("Helvetica", 6)
    for k in range(5):
        c.drawCentredString(x0 + k * w / 4, top(y0 + h + 8), str(k * 2))


def _stacked_plots(c: canvas.Canvas) -> None:
    """Two vector plots, one over the other, each with two scales, over one caption."""
    paragraph(c, 72, 40, 95, 3)
    for y in (110, 290):
        _chart(c, 150, y, 300, 120)
        _ticks(c, 150, y, 300, 120)
    caption(c, 72, 450, "Figure 7.", ["Return and loss over training steps."])


def test_vector_subplots_without_letters_are_panels(tmp_path: Path) -> None:
    fig = extract_pdf(make(tmp_path, "subplots.pdf", _stacked_plots)).figures[0]
    assert fig.source == "vector"
    assert [p.letter for p in fig.panels] == ["A", "B"]
    assert fig.panels[0].bbox[3] < 275 < fig.panels[1].bbox[1]


def test_one_chart_with_its_two_scales_stays_whole(tmp_path: Path) -> None:
    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 3)
        _chart(c, 150, 110, 300, 200)
        _ticks(c, 150, 110, 300, 200)
        caption(c, 72, 350, "Figure 8.", ["Lesion volume over time."])

    fig = extract_pdf(make(tmp_path, "one_chart.pdf", draw)).figures[0]
    assert fig.panels == []


def test_a_listings_line_numbers_are_no_scale() -> None:
    """PSTricks' news set a numbered listing beside each drawing: its line numbers "2" to
    "9" (6 pt roman, right-aligned) read as a second plot's y scale and cut the drawing
    from its code. A number with a line of code level with it, right after it, numbers
    the line; the same column beside no code is a scale."""
    from litclip.corpus.extract.scales import y_scales

    numbers = [
        TextLine(str(k), (256.6, 465.0 + 13.5 * k, 260.2, 469.1 + 13.5 * k), 6.0)
        for k in range(2, 10)
    ]
    code = [
        TextLine("\\psgrid", (280.3, 461.4 + 13.5 * k, 353.6, 471.5 + 13.5 * k), 10.9, mono=True)
        for k in range(2, 10)
    ]
    box = (100.0, 400.0, 510.0, 620.0)
    assert count_scales(numbers, box) == 1 and len(y_scales(numbers, box)) == 1
    assert count_scales(numbers + code, box) == 0 and y_scales(numbers + code, box) == []


def test_y_scales_are_evenly_stepped_tick_columns() -> None:
    """A legend's "1 4 8" lines up like a y axis; its values are not a scale's."""
    from litclip.corpus.extract.scales import y_scales

    def column(values: list[str], x1: float) -> list[TextLine]:
        return [
            TextLine(v, (x1 - 6.0, 20.0 + 20 * i, x1, 26.0 + 20 * i), 6.0)
            for i, v in enumerate(values)
        ]

    box = (0.0, 0.0, 400.0, 200.0)
    axis, log_axis, legend = (
        column(["200", "150", "100", "50"], 20.0),
        column(["1", "10", "100"], 220.0),
        column(["1", "4", "8"], 320.0),
    )
    found = y_scales(axis + log_axis + legend, box)
    assert [round(b[2]) for b in found] == [20, 220]


def test_side_by_side_plots_are_cut_before_the_second_y_scale() -> None:
    import numpy as np

    from litclip.corpus.extract.panels import panels_between_scales

    gray = np.full((100, 300), 255, np.uint8)
    gray[10:90, 12:130] = 0  # plot 1 (its scale at 5-10)
    gray[10:90, 160:168] = 0  # plot 2's tick labels
    gray[10:90, 172:290] = 0  # plot 2
    scales_ = [(5.0, 10.0, 10.0, 90.0), (160.0, 10.0, 168.0, 90.0)]
    left, right = panels_between_scales(gray, (0.0, 0.0, 300.0, 100.0), scales_)
    assert 130 <= left[2] <= 160 and left[0] == 12 and right[0] == 160 and right[2] == 290
    # a second y axis at the right edge of one plot: no room for a plot after it
    assert (
        panels_between_scales(
            gray, (0.0, 0.0, 300.0, 100.0), [scales_[0], (282.0, 10.0, 290.0, 90.0)]
        )
        == []
    )


def test_sideways_tick_columns_are_y_scales() -> None:
    """R prints y tick labels sideways by default, as one line or as pieces of one column
    where a label was left out ("-200", "0 100"); a sideways legend "1 4 8" is no scale."""
    from litclip.corpus.extract.scales import y_scales

    def side(text: str, x0: float, y0: float, y1: float) -> TextLine:
        return TextLine(text, (x0, y0, x0 + 11.0, y1), 10.0, rotated=True, direction=90)

    box = (100.0, 300.0, 520.0, 510.0)
    left = side("0 20 40 60 80 100", 104.0, 335.0, 459.0)
    right = [side("\u2212200", 325.0, 432.0, 452.0), side("0 100", 325.0, 352.0, 389.0)]
    legend = side("1 4 8", 480.0, 340.0, 380.0)
    found = y_scales([left, *right, legend], box)
    assert [(round(b[0]), round(b[1]), round(b[3])) for b in found] == [
        (104, 335, 459),
        (325, 352, 452),
    ]


def test_a_grid_of_plots_is_cut_between_its_columns_and_its_stacked_rows() -> None:
    """Three plots in a 2x2 grid (one cell empty): the left column's y scales are stacked,
    and sorted left to right they interleave with the right column's."""
    import numpy as np

    from litclip.corpus.extract.panels import panels_between_scales

    gray = np.full((200, 300), 255, np.uint8)
    for y0, x0 in ((10, 12), (110, 12), (10, 172)):
        gray[y0 : y0 + 80, x0 - 8 : x0 - 2] = 0  # its tick labels
        gray[y0 : y0 + 80, x0 : x0 + 118] = 0  # the plot
    scales_ = [(4.0, 10.0, 10.0, 90.0), (4.0, 110.0, 10.0, 190.0), (164.0, 10.0, 170.0, 90.0)]
    found = panels_between_scales(gray, (0.0, 0.0, 300.0, 200.0), scales_)
    assert sorted((round(b[0]), round(b[1])) for b in found) == [(4, 10), (4, 110), (164, 10)]
    # stacked plots that touch (a lattice): no clean cut, no panels
    gray[90:110, 4:130] = 0
    assert panels_between_scales(gray, (0.0, 0.0, 300.0, 200.0), scales_) == []


def test_three_plots_in_a_row_are_three_panels() -> None:
    """The last plot is narrower than a quarter of the figure but as wide as the others."""
    import numpy as np

    from litclip.corpus.extract.panels import panels_between_scales

    gray = np.full((100, 380), 255, np.uint8)
    for x0 in (20, 160, 300):
        gray[10:90, x0 - 8 : x0 - 2] = 0
        gray[10:90, x0 : x0 + 80] = 0
    scales_ = [(x - 8.0, 10.0, x - 2.0, 90.0) for x in (20, 160, 300)]
    assert len(panels_between_scales(gray, (0.0, 0.0, 380.0, 100.0), scales_)) == 3


def test_stacked_plots_each_over_its_x_scale_are_panels() -> None:
    """Three dot charts in one column, each with its own x scale (seriation Fig. 5); one
    heat map with a scale over and under it stays whole."""
    import numpy as np

    from litclip.corpus.extract.panels import panels_over_scales
    from litclip.corpus.extract.scales import x_scales

    def row(values: list[str], y: float) -> list[TextLine]:
        return [_n(v, 120.0 + 70 * k, y) for k, v in enumerate(values)]

    lines = row(["50", "60", "70", "80"], 90.0) + row(["0", "5", "10", "15"], 190.0)
    lines += row(["500", "600", "700", "800"], 290.0) + [_n("1 4 8", 300.0, 20.0)]
    found = x_scales(lines, (0.0, 0.0, 400.0, 320.0))
    assert [round(b[1]) for b in found] == [90, 190, 290]  # the legend "1 4 8" is no scale
    gray = np.full((320, 400), 255, np.uint8)
    for y0 in (10, 110, 210):
        gray[y0 : y0 + 75, 40:380] = 0  # the plot
        gray[y0 + 80 : y0 + 86, 100:330] = 0  # its tick labels
    panels = panels_over_scales(gray, (0.0, 0.0, 400.0, 320.0), found)
    assert [(round(b[1]), round(b[3])) for b in panels] == [(10, 96), (110, 196), (210, 296)]
    heat_map = [(100.0, 2.0, 330.0, 8.0), (100.0, 300.0, 330.0, 306.0)]  # a top and a bottom axis
    assert panels_over_scales(gray, (0.0, 0.0, 400.0, 320.0), heat_map) == []


def test_tick_numbers_with_a_unicode_minus_in_the_exponent_are_a_scale() -> None:
    """R prints a log axis as "1e\u221204 1e\u221202 1e+00 1e+02" (sideways here)."""
    from litclip.corpus.extract.scales import y_scales

    ticks = [
        TextLine(t, (116.0, y, 122.0, y + 14.0), 6.0, rotated=True, direction=90)
        for t, y in (
            ("1e\u221204", 264.0),
            ("1e\u221202", 235.0),
            ("1e+00", 206.0),
            ("1e+02", 177.0),
        )
    ]
    assert len(y_scales(ticks, (100.0, 160.0, 300.0, 300.0))) == 1


def test_the_leaves_of_a_tree_plot_are_no_panels(tmp_path: Path) -> None:
    """R's party trees head each leaf's plot "Node k (n = m)": two plots with their scales,
    which would be two panels (see above), are the leaves of one tree."""
    from litclip.corpus.extract.scales import is_tree

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 3)
        for k, y in enumerate((110, 290)):
            _chart(c, 150, y, 300, 120)
            _ticks(c, 150, y, 300, 120)
            c.setFont("Helvetica", 7)
            c.drawString(160, top(y - 8), f"Node {k + 2} (n = {40 + k})")
        caption(c, 72, 450, "Figure 7.", ["A regression tree of the return over training steps."])

    fig = extract_pdf(make(tmp_path, "tree.pdf", draw)).figures[0]
    assert fig.panels == []
    leaves = [
        TextLine(f"Node {k} (n = 12)", (100.0 * k, 50.0, 100.0 * k + 60, 57.0), 7.0) for k in (2, 3)
    ]
    assert is_tree(leaves, BOX)
    assert not is_tree(leaves[:1], BOX)
    assert not is_tree([TextLine("Node 2 of the network", (10, 10, 90, 17), 7.0)] * 2, BOX)


def test_a_cut_leaving_a_scale_alone_gives_no_panels() -> None:
    """timeSeries' layout(): a wide plot over two small ones, their y scales at the left
    edge, the wide plot's left of the lower right plot's. The cut before that scale left
    the wide plot's scale alone as panel A (23 pt wide, "SBI 98 99 100 101")."""
    import numpy as np

    from litclip.corpus.extract.panels import panels_between_scales

    gray = np.full((280, 300), 255, np.uint8)
    gray[10:90, 17:26] = 0  # the wide plot's tick labels
    gray[5:100, 32:290] = 0  # the wide plot, across the figure (its left edge a gap away)
    gray[140:260, 17:26] = 0  # the lower left plot's tick labels
    gray[140:260, 32:150] = 0  # the lower left plot
    gray[160:250, 163:171] = 0  # the lower right plot's tick labels
    gray[150:270, 176:290] = 0  # the lower right plot
    scales_ = [(17.0, 10.0, 26.0, 90.0), (17.0, 140.0, 26.0, 260.0), (163.0, 160.0, 171.0, 250.0)]
    assert panels_between_scales(gray, (0.0, 0.0, 300.0, 280.0), scales_) == []


def test_figures_and_panels_carry_their_text_hints(tmp_path: Path) -> None:
    """What the text layer prints inside a figure (and each panel) reaches the kind
    classifier: its lines, the fixed-width ones, its axis scales."""

    def draw(c: canvas.Canvas) -> None:
        _stacked_plots(c)
        c.setFont("Courier", 9)
        for k in range(6):
            c.drawString(100, top(520 + 12 * k), f"for (i = 0; i < {k}; i++) x[i] = f(i);")
        caption(c, 72, 600, "Figure 8.", ["The loop that fills x."])

    plots, listing = extract_pdf(make(tmp_path, "hints.pdf", draw)).figures
    assert plots.text.scales == 4 and plots.text.mono == 0 and plots.text.lines >= 12
    assert [(p.text.scales, p.text.mono) for p in plots.panels] == [(2, 0), (2, 0)]
    assert listing.text.lines == listing.text.mono == 6 and listing.text.scales == 0


def test_text_hints_count_what_is_centred_inside() -> None:
    from litclip.corpus.extract.scales import text_hints

    code = [
        TextLine("x <- 1", (60.0, 20.0 + 10 * k, 90.0, 26.0 + 10 * k), 6.0, mono=True)
        for k in range(3)
    ]
    hints = text_hints(_plot(50, 50) + code, (0.0, 0.0, 300.0, 200.0))
    assert (hints.lines, hints.mono, hints.scales) == (11, 3, 2)
    assert text_hints(_plot(50, 50), (400.0, 0.0, 600.0, 200.0)).lines == 0


def test_powers_of_ten_down_stacked_log_plots_are_one_scale_each() -> None:
    """Rheolef's Figure 2.2: gnuplot prints log ticks as "10" with a superscript exponent,
    read as "10\u22125". The left column holds two plots, one under the other, and their y
    scales share a right edge, "1 ... 10\u221215" then "1 ... 10\u221210" with no wider gap
    between them: two scales, cut where the values start over. A row of x ticks of two
    plots side by side starts over the same way."""
    from litclip.corpus.extract.scales import x_scales, y_scales

    left = [
        _n(t, 160.0, y)
        for t, y in (
            ("1", 102.0),
            ("10\u22125", 145.0),
            ("10\u221210", 187.0),
            ("10\u221215", 230.0),
            ("1", 261.0),
            ("10\u22125", 326.0),
            ("10\u221210", 390.0),
        )
    ]
    right = [
        _n(t, 326.0, y) for t, y in (("1", 102.0), ("10\u22125", 145.0), ("10\u221210", 187.0))
    ]
    found = y_scales(left + right, (100.0, 90.0, 470.0, 420.0))
    assert [(round(b[2]), round(b[1])) for b in found] == [(160, 102), (160, 261), (326, 102)]

    row = [_n(t, 140.0 + 40 * k, 300.0) for k, t in enumerate(("0", "5", "10", "0", "5", "10"))]
    assert len(x_scales(row, (0.0, 0.0, 500.0, 400.0))) == 2


def test_plots_stacked_each_beside_its_own_y_scale_are_panels(tmp_path: Path) -> None:
    """HSAUR3's Figure 6.3: two box plots one above the other, each with its y scale, their
    x axes named categories (no x scale): two panels, cut at the white band between them."""

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 3)
        _chart(c, 150, 110, 300, 120)
        _chart(c, 150, 300, 300, 120)
        caption(c, 72, 470, "Figure 6.3.", ["Rainfall by seeding and by echo motion."])

    fig = extract_pdf(make(tmp_path, "stacked.pdf", draw)).figures[0]
    assert len(fig.panels) == 2
    upper, lower = sorted(fig.panels, key=lambda p: p.bbox[1])
    assert upper.bbox[3] < 300 < lower.bbox[1] + 5


def test_stacked_plots_are_cut_unless_they_are_a_grid_s_rows() -> None:
    import numpy as np

    from litclip.corpus.extract.panels import panels_stacked_beside_scales

    box = (0.0, 0.0, 300.0, 200.0)
    gray = np.full((200, 300), 255, np.uint8)
    for y0 in (10, 110):
        gray[y0 : y0 + 70, 4:10] = 0  # its tick labels
        gray[y0 : y0 + 70, 12:290] = 0  # the plot
        gray[y0 + 74 : y0 + 80, 60:250] = 0  # its category names
    scales_ = [(4.0, 10.0, 10.0, 80.0), (4.0, 110.0, 10.0, 180.0)]
    found = panels_stacked_beside_scales(gray, box, scales_, [])
    assert [(round(b[1]), round(b[3])) for b in found] == [(10, 90), (110, 190)]
    # x scales side by side under the plots: a grid's columns, left for another cut
    columns = [(20.0, 184.0, 140.0, 190.0), (160.0, 184.0, 280.0, 190.0)]
    assert panels_stacked_beside_scales(gray, box, scales_, columns) == []
    # scales not in one column, or plots that touch: no panels
    assert (
        panels_stacked_beside_scales(gray, box, [scales_[0], (40.0, 110.0, 46.0, 180.0)], []) == []
    )
    gray[80:110, 12:290] = 0
    assert panels_stacked_beside_scales(gray, box, scales_, []) == []


def test_plots_side_by_side_each_over_its_x_scale_are_panels() -> None:
    """flexmix's Figure 3: two charts side by side, each over its own x scale, their y axes
    named (no y scale). A bar chart whose x labels fall in two runs (R left "10" out) has
    only the gaps between its bars there: one chart."""
    import numpy as np

    from litclip.corpus.extract.panels import panels_beside_x_scales

    box = (0.0, 0.0, 300.0, 100.0)
    gray = np.full((100, 300), 255, np.uint8)
    for x0 in (10, 170):
        gray[10:80, x0 : x0 + 120] = 0  # the plot
        gray[84:90, x0 + 10 : x0 + 110] = 0  # its tick labels
    scales_ = [(20.0, 84.0, 120.0, 90.0), (180.0, 84.0, 280.0, 90.0)]
    left, right = panels_beside_x_scales(gray, box, scales_, [])
    assert (round(left[0]), round(left[2]), round(right[0]), round(right[2])) == (10, 130, 170, 290)
    # y scales one above the other: a grid's rows, left for another cut
    rows = [(0.0, 10.0, 8.0, 40.0), (0.0, 50.0, 8.0, 80.0)]
    assert panels_beside_x_scales(gray, box, scales_, rows) == []
    bars = np.full((100, 300), 255, np.uint8)
    for x0 in range(10, 290, 20):
        bars[10:80, x0 : x0 + 16] = 0  # bars 4 pt apart
        bars[84:90, x0 + 4 : x0 + 12] = 0  # its label
    halves = [(10.0, 84.0, 140.0, 90.0), (152.0, 84.0, 290.0, 90.0)]
    assert panels_beside_x_scales(bars, box, halves, []) == []
