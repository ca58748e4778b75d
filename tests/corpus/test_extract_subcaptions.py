"""Sub-captions printed under each sub-figure ("(a) ...", LaTeX's subcaption package)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reportlab.pdfgen import canvas

from litclip.corpus.extract import extract_pdf
from litclip.corpus.extract.subcaptions import SubCaption, attach, subcaption_lines
from litclip.corpus.extract.text import TextLine
from litclip.corpus.worker import panel_caption
from tests.corpus.test_extract_layout import _chart, caption, image, make, paragraph, photo, top

FIG = (100.0, 100.0, 500.0, 400.0)


def line(text: str, x0: float, y0: float, x1: float) -> TextLine:
    return TextLine(text, (x0, y0, x1, y0 + 8), 8.0)


def test_a_run_of_lettered_lines_inside_the_figure_are_sub_captions() -> None:
    lines = [
        line("(a) Grey matter", 150, 300, 230),
        line("(b) White matter and", 350, 300, 450),
        line("cerebrospinal fluid", 360, 309, 440),  # (b) wraps
        line("(c) Outside the figure", 150, 420, 260),
    ]
    subs = subcaption_lines(lines, FIG)
    assert [(s.letter, s.printed, s.text) for s in subs] == [
        ("A", "a", "Grey matter"),
        ("B", "b", "White matter and cerebrospinal fluid"),
    ]
    assert subs[1].bbox[3] == 317


def test_a_lower_case_letter_and_a_full_stop_opens_a_sub_caption_too() -> None:
    """scotch's "a. Initial position." and "b. After one vertex is moved."; an upper-case
    letter and a full stop is an initial ("A. thaliana", "B. Smith") and names nothing."""
    lines = [
        line("a. Initial position.", 137, 308, 217),
        line("b. After one vertex", 307, 308, 436),
    ]
    subs = subcaption_lines(lines, FIG)
    assert [(s.letter, s.printed, s.text) for s in subs] == [
        ("A", "a", "Initial position."),
        ("B", "b", "After one vertex"),
    ]
    initials = [line("A. thaliana", 137, 308, 217), line("B. subtilis", 307, 308, 436)]
    assert subcaption_lines(initials, FIG) == []


def test_a_lone_or_out_of_order_letter_is_not_a_sub_caption() -> None:
    assert subcaption_lines([line("(a) Grey matter", 150, 300, 230)], FIG) == []
    # "(b)" and "(c)" without "(a)": labels inside a chart, not sub-captions
    lines = [line("(b) scan", 150, 300, 230), line("(c) rescan", 350, 300, 430)]
    assert subcaption_lines(lines, FIG) == []
    # a letter alone names a panel (panels.letter_lines), it is not a sub-caption
    assert subcaption_lines([line("(a)", 150, 300, 160), line("(b)", 350, 300, 360)], FIG) == []


def sub(letter: str, box: tuple[float, float, float, float]) -> SubCaption:
    return SubCaption(letter, letter.lower(), f"text {letter}", box)


def test_sub_captions_attach_under_their_panels_or_over_them() -> None:
    # a 2x2 grid: each row's sub-captions sit between it and the row below
    panels = [
        (100, 100, 290, 200),
        (310, 100, 500, 200),
        (100, 230, 290, 330),
        (310, 230, 500, 330),
    ]
    under = [
        sub("A", (150, 204, 240, 212)),
        sub("B", (360, 204, 450, 212)),
        sub("C", (150, 334, 240, 342)),
        sub("D", (360, 334, 450, 342)),
    ]
    assert {i: s.letter for i, s in attach(panels, under).items()} == {
        0: "A",
        1: "B",
        2: "C",
        3: "D",
    }
    over = [sub("A", (150, 88, 240, 96)), sub("B", (360, 88, 450, 96))]
    assert {i: s.letter for i, s in attach(panels[:2], over).items()} == {0: "A", 1: "B"}
    # two sub-captions under one panel, or one far from any: no attachment at all
    assert (
        attach(panels[:2], [sub("A", (110, 204, 180, 212)), sub("B", (200, 204, 280, 212))]) == {}
    )
    assert (
        attach(panels[:2], [sub("A", (150, 204, 240, 212)), sub("B", (360, 280, 450, 288))]) == {}
    )


def _subcaption(c: canvas.Canvas, cx: float, y: float, text: str) -> None:
    c.setFont("Times-Roman", 9)
    c.drawCentredString(cx, top(y + 9), text)


def test_vector_subfigures_take_their_sub_captions(tmp_path: Path) -> None:
    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 3)
        _chart(c, 110, 120, 180, 150)
        _chart(c, 360, 120, 180, 150)
        _subcaption(c, 200, 292, "(a) Grey matter volume")
        _subcaption(c, 450, 292, "(b) White matter volume")
        caption(c, 72, 320, "Figure 3:", ["Volumes over time"])
        paragraph(c, 72, 345, 95, 4)

    fig = extract_pdf(make(tmp_path, "subfig.pdf", draw)).figures[0]
    assert fig.caption == "Figure 3: Volumes over time"
    assert [(p.letter, p.printed_letter, p.caption) for p in fig.panels] == [
        ("A", "a", "Grey matter volume"),
        ("B", "b", "White matter volume"),
    ]
    assert fig.panels[0].bbox[2] < 300 < fig.panels[1].bbox[0]
    assert fig.shared_caption == "Volumes over time."
    panel = fig.panels[1]
    assert (
        panel_caption(fig.label, fig.caption, fig.shared_caption, panel.letter, panel.caption, "b")
        == "Figure 3 (b): Volumes over time. White matter volume"
    )


def test_bottom_aligned_photos_are_lettered_by_their_sub_captions(tmp_path: Path) -> None:
    """A short photo beside a tall one, both resting on one baseline (the tall one's centre
    is higher): "(a)" under the left one makes it panel A."""

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 3)
        image(c, photo(50, (200, 120)), (100, 260, 290, 380))
        image(c, photo(51, (200, 300)), (300, 100, 490, 380))
        _subcaption(c, 195, 384, "(a) Coati")
        _subcaption(c, 395, 384, "(b) Brown bear")
        caption(c, 72, 410, "Figure 1.1:", ["Bears"])
        paragraph(c, 72, 440, 95, 4)

    fig = extract_pdf(make(tmp_path, "bears.pdf", draw)).figures[0]
    assert [(p.letter, p.caption) for p in fig.panels] == [("A", "Coati"), ("B", "Brown bear")]
    assert fig.panels[0].bbox[2] < 295 < fig.panels[1].bbox[0]


def test_a_caption_naming_its_panels_wins_over_lines_inside_the_figure(tmp_path: Path) -> None:
    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 3)
        image(c, photo(52), (100, 120, 290, 270))
        image(c, photo(53), (310, 120, 500, 270))
        _subcaption(c, 195, 274, "(a) left inset")
        _subcaption(c, 405, 274, "(b) right inset")
        caption(c, 72, 300, "Figure 4.", ["Scans. (A) Axial T2. (B) Coronal T1."])

    fig = extract_pdf(make(tmp_path, "both.pdf", draw)).figures[0]
    assert [(p.letter, p.caption) for p in fig.panels] == [("A", "Axial T2."), ("B", "Coronal T1.")]


def test_titles_lettered_with_a_closing_parenthesis_are_sub_captions() -> None:
    """R's graph vignettes head each plot "a) Breadth-first search" over it; a figure going
    on from the one before starts at a later letter ("k)", "l)", "m)")."""
    lines = [line("a) Breadth-first search", 150, 110, 260), line("b) Depth-first", 350, 110, 430)]
    assert [(s.letter, s.printed) for s in subcaption_lines(lines, FIG)] == [("A", "a"), ("B", "b")]
    later = [line(f"{m}) Example", 150 + 100 * i, 110, 230 + 100 * i) for i, m in enumerate("klm")]
    assert [s.letter for s in subcaption_lines(later, FIG)] == ["K", "L", "M"]
    # two lines only: on from an earlier figure, or labels in a chart? Taken for labels
    assert subcaption_lines(later[:2], FIG) == []


def test_graph_titled_a_and_b_is_split_into_its_two_graphs(tmp_path: Path) -> None:
    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 3)
        for cx, title in ((230, "a) Breadth-first search"), (390, "b) Depth-first search")):
            c.setFont("Helvetica-Bold", 8)  # a plot title, over the graph
            c.drawCentredString(cx, top(128), title)
            _graph(c, cx, 130, "PQRS")
        caption(c, 72, 330, "Figure 2:", ["The example graphs."])

    fig = extract_pdf(make(tmp_path, "graphs.pdf", draw)).figures[0]
    assert [(p.letter, p.caption) for p in fig.panels] == [
        ("A", "Breadth-first search"),
        ("B", "Depth-first search"),
    ]
    assert fig.panels[0].bbox[2] < 310 < fig.panels[1].bbox[0]


def _graph(c: canvas.Canvas, cx: float, y: float, names: str) -> None:
    """Nodes drawn as circles with a letter inside each, joined in a chain (top-down y)."""
    pts = [(cx - 60 + 40 * (i % 4), y + 20 + 45 * i) for i in range(len(names))]
    for (ax, ay), (bx, by) in zip(pts, pts[1:], strict=False):
        c.line(ax, top(ay), bx, top(by))
    c.setFont("Helvetica", 10)
    for (x, yy), name in zip(pts, names, strict=True):
        c.setFillColorRGB(1, 1, 1)
        c.circle(x, top(yy), 9, stroke=1, fill=1)
        c.setFillColorRGB(0, 0, 0)
        c.drawCentredString(x, top(yy) - 3.5, name)


def test_letters_naming_a_graphs_nodes_name_no_panels(tmp_path: Path) -> None:
    """Two parts of one graph, nodes "A" to "I": nine letters for two parts are node names,
    not panel letters (which come one to a panel)."""

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 3)
        _graph(c, 230, 110, "ABCDE")
        _graph(c, 390, 110, "FGHI")
        caption(c, 72, 360, "Figure 10:", ["Biconnected components."])

    fig = extract_pdf(make(tmp_path, "nodes.pdf", draw)).figures[0]
    assert fig.panels == []


def test_plots_whose_points_are_lettered_are_still_split(tmp_path: Path) -> None:
    """Two plots side by side, their points labelled "A" to "I": the letters name points, so
    the plots are split as unlettered plots are (by their scales)."""

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 3)
        _chart(c, 110, 120, 180, 150)
        _chart(c, 360, 120, 180, 150)
        c.setFont("Helvetica", 7)
        for i, name in enumerate("ABCDEFGHI"):
            c.drawString(130 + 17 * i, top(150 + 9 * i), name)
        caption(c, 72, 310, "Figure 7:", ["Site effects and variety effects."])

    fig = extract_pdf(make(tmp_path, "points.pdf", draw)).figures[0]
    assert len(fig.panels) == 2
    assert fig.panels[0].bbox[2] < 330 < fig.panels[1].bbox[0]


def test_pictures_stacked_over_their_paragraphs_of_sub_caption_are_one_figure(
    tmp_path: Path,
) -> None:
    """OSDI's two columns: a chart over "Figure 9" on the left; on the right two charts,
    each over a paragraph "(a) ...", "(b) ..." set like running text, over "Figure 10".
    The paragraphs are the figure's, not text that parts the right charts from their
    caption (which left the top one to Figure 9, across the gutter)."""
    sub_a = "(a) A timeline for read and write latencies as viewed from a client with two replicas."
    sub_b = "(b) The store keeps a constant memory footprint with flushing, and fails without it."

    def draw(c: canvas.Canvas) -> None:
        _chart(c, 100, 60, 180, 110)
        caption(c, 72, 200, "Figure 9:", ["Object store write throughput."])
        paragraph(c, 72, 230, 44, 30)  # the left column's running text
        _chart(c, 345, 60, 180, 110)
        paragraph(c, 320, 196, 44, 4, sub_a * 3)
        _chart(c, 345, 270, 180, 110)
        paragraph(c, 320, 406, 44, 4, sub_b * 3)
        caption(c, 340, 470, "Figure 10:", ["Fault tolerance and flushing."])
        paragraph(c, 320, 500, 44, 20)

    figs = {f.label: f for f in extract_pdf(make(tmp_path, "stack.pdf", draw)).figures}
    assert figs["Figure 9"].bbox[2] < 300
    ten = figs["Figure 10"]
    assert ten.bbox[0] > 300 and ten.bbox[1] < 70 and ten.bbox[3] > 440
    assert [p.letter for p in ten.panels] == ["A", "B"]


def test_pictures_side_by_side_over_their_paragraphs_of_sub_caption_are_one_figure(
    tmp_path: Path,
) -> None:
    """scotch's Figure 15: two drawings side by side, each over a paragraph "a. ...",
    "b. ..." set like running text, over one caption: one figure of two panels, each with
    its sub-caption (the right drawing was left out, its paragraph parting it from the
    caption). Paragraphs lettered out of order join nothing."""
    sub_a = "a. Construction of a partition with 13 vertices on the mesh architecture."
    sub_b = "b. Construction of a partition with 17 vertices on the rest of the mesh."

    def draw(first: str, second: str) -> Callable[[canvas.Canvas], None]:
        def page(c: canvas.Canvas) -> None:
            paragraph(c, 72, 60, 95, 6)
            _chart(c, 110, 160, 170, 120)
            _chart(c, 350, 160, 170, 120)
            paragraph(c, 90, 300, 38, 3, first)
            paragraph(c, 330, 300, 38, 3, second)
            caption(c, 72, 350, "Figure 15:", ["Construction of partitions by bipartitioning."])
            paragraph(c, 72, 380, 95, 10)

        return page

    (fig,) = extract_pdf(make(tmp_path, "row.pdf", draw(sub_a, sub_b))).figures
    assert fig.bbox[0] < 120 and fig.bbox[2] > 500
    assert [(p.letter, p.caption[:15]) for p in fig.panels] == [
        ("A", "Construction of"),
        ("B", "Construction of"),
    ]
    assert fig.panels[0].bbox[2] < 300 < fig.panels[1].bbox[0]
    (fig,) = extract_pdf(make(tmp_path, "swapped.pdf", draw(sub_b, sub_a))).figures
    assert fig.bbox[2] < 330 and not fig.panels


def test_sub_captions_heading_a_grid_cut_it_into_its_cells() -> None:
    """tclust's 2 x 3 grid of plots titled "(a) ..." to "(f) ...": each row of titles spans
    the figure to the next row, each title its row halfway to its neighbours. Titles in the
    middle of a figure, or a single row of them, cut nothing (the gutters do)."""
    from litclip.corpus.extract.subcaptions import grid_cells

    fig = (125.0, 111.0, 468.0, 358.0)
    subs = [
        SubCaption(letter, letter.lower(), "Classification", (cx - 20, y, cx + 20, y + 7))
        for letter, cx, y in (
            ("A", 184, 111.0),
            ("B", 301, 111.0),
            ("C", 419, 111.0),
            ("D", 184, 239.0),
            ("E", 301, 239.0),
            ("F", 419, 239.0),
        )
    ]
    cells = grid_cells(subs, fig)
    assert len(cells) == 6
    assert cells[0] == (125.0, 111.0, 242.5, 239.0) and cells[5] == (360.0, 239.0, 468.0, 358.0)
    assert attach(cells, subs) == dict(enumerate(subs))
    assert grid_cells(subs[:3], fig) == []  # one row: the gutters between its plots do
    middle = [  # two rows of titles well inside the figure: no grid's headings or feet
        SubCaption(s.letter, s.printed, s.text, (s.bbox[0], y, s.bbox[2], y + 7.0))
        for s, y in zip(subs, (180.0,) * 3 + (230.0,) * 3, strict=True)
    ]
    assert grid_cells(middle, fig) == []
