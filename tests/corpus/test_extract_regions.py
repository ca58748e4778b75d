"""The vectorised clustering equals the plain single-link definition it replaced."""

from __future__ import annotations

import numpy as np
import pytest

from litclip.corpus.extract.captions import Caption
from litclip.corpus.extract.regions import (
    AXIS_TITLE_GAP,
    EXACT_MATCH_MAX_CAPTIONS,
    MERGE_GAP,
    TEXT_GAP,
    TEXT_REACH,
    TITLE_CENTRED,
    Element,
    Region,
    _close_pairs,
    _grid_groups,
    _matching,
    _solver_matching,
    area,
    attach_text,
    cluster,
    cluster_regions,
    components,
    gap,
    intersection,
    running_text,
    split_at_caption_gutters,
    text_columns,
    union,
)
from litclip.corpus.extract.text import TextLine


def _blocked_ref(box: tuple, barriers: list[tuple]) -> bool:
    for b in barriers:
        inter = intersection(box, b)
        if inter > 0.3 * area(b) or inter > 0.3 * area(box) > 0:
            return True
    return False


def _reference(elements: list[Element], barriers: list[tuple]) -> list[Region]:
    """Components of the pairs within MERGE_GAP whose union box crosses no barrier."""
    n = len(elements)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i):
            a, b = elements[i].bbox, elements[j].bbox
            if gap(a, b) <= MERGE_GAP and not _blocked_ref(union([a, b]), barriers):
                parent[find(i)] = find(j)
    groups: dict[int, list[Element]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(elements[i])
    return cluster_regions([Region(g) for g in groups.values()], barriers)


@pytest.mark.parametrize("seed", range(6))
def test_cluster_matches_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    elements = []
    for k in range(int(rng.integers(20, 160))):
        x, y = rng.uniform(0, 500, 2)
        w, h = rng.uniform(0.5, 40, 2) * (rng.random() < 0.8)  # some zero-size rules
        elements.append(Element((float(x), float(y), float(x + w), float(y + h)), "path", k))
    barriers = []
    for _ in range(int(rng.integers(0, 12))):
        x, y = rng.uniform(0, 500, 2)
        barriers.append((float(x), float(y), float(x + rng.uniform(50, 300)), float(y + 9.0)))

    def parts(regions: list[Region]) -> list[list[int]]:
        return [[e.index for e in r.elements] for r in regions]

    assert parts(cluster(elements, barriers)) == parts(_reference(elements, barriers))


@pytest.mark.parametrize("block", [1, 7, 64, 1000])
def test_close_pairs_equal_all_pairs_within_the_gap(block: int) -> None:
    rng = np.random.default_rng(block)
    xy = rng.uniform(0, 500, (300, 2))
    wh = rng.uniform(0, 60, (300, 2)) * (rng.random((300, 1)) < 0.9)
    boxes = np.column_stack((xy, xy + wh))
    boxes = boxes[np.argsort(boxes[:, 1], kind="stable")]
    expected = [
        (p, q)
        for p in range(len(boxes))
        for q in range(p)
        if gap(tuple(boxes[p]), tuple(boxes[q])) <= MERGE_GAP
    ]
    p, q = _close_pairs(boxes, MERGE_GAP, block)
    assert list(zip(p.tolist(), q.tolist(), strict=True)) == expected


def test_region_boxes_follow_appended_elements() -> None:
    region = Region([Element((0.0, 0.0, 10.0, 10.0), "image")])
    assert region.bbox == region.graphic_bbox == (0.0, 0.0, 10.0, 10.0)
    region.elements.append(Element((20.0, 0.0, 30.0, 5.0), "text"))
    assert region.bbox == (0.0, 0.0, 30.0, 10.0)
    assert region.graphic_bbox == (0.0, 0.0, 10.0, 10.0)


def test_text_chains_to_a_figure_only_near_its_graphics() -> None:
    """Of an author block whose last line ends 8 pt over a figure, only the lines within
    TEXT_REACH over its graphics join; an axis title farther out beside a plot joins."""
    chart = Region([Element((318.0, 247.0, 558.0, 527.0), "path")])
    authors = [
        TextLine("Peter Staar", (346.0, y, 430.0, y + 10.0), 10.0) for y in range(133, 230, 12)
    ]
    ticks = [TextLine("0.5", (x, 300.0, x + 8.0, 320.0), 8.0, rotated=True) for x in (298.0, 286.0)]
    axis = TextLine("FC", (262.0, 380.0, 274.0, 392.0), 12.0, rotated=True)
    attach_text([chart], authors, set())
    assert chart.bbox[1] == 205.0 and len(chart.elements) == 4  # bottoms within TEXT_REACH
    other = Region([Element((318.0, 247.0, 558.0, 527.0), "path")])
    attach_text([other], [*ticks, axis], set())
    assert other.bbox[0] == 262.0  # 56 pt from the graphics, chained through tick labels


def _touches_a_line(ln: TextLine, lines: list[TextLine]) -> bool:
    for other in lines:
        if other is ln:
            continue
        v = min(ln.bbox[3], other.bbox[3]) - max(ln.bbox[1], other.bbox[1])
        h = max(ln.bbox[0], other.bbox[0]) - min(ln.bbox[2], other.bbox[2])
        small = min(ln.bbox[3] - ln.bbox[1], other.bbox[3] - other.bbox[1])
        if v > 0.5 * small and h <= 3.0:
            return True
    return False


def _attach_reference(regions: list[Region], lines: list[TextLine], max_gap: float) -> None:
    free = list(lines)
    changed = True
    while changed and free:
        changed = False
        for ln in list(free):
            best, best_gap = None, max_gap
            for region in regions:
                g = gap(region.bbox, ln.bbox)
                gx0, _, gx1, gy1 = region.graphic_bbox
                rx0, _, rx1, _ = region.bbox
                mid = ln.bbox[0] + ln.bbox[2]
                x_title = (  # a short line centred under or over the graphics (a title)
                    (ln.bbox[1] >= gy1 or ln.bbox[3] <= region.graphic_bbox[1])
                    and not _touches_a_line(ln, lines)
                    and ln.bbox[2] - ln.bbox[0] <= 0.5 * (gx1 - gx0)
                    and (
                        abs(mid - gx0 - gx1) / 2 <= TITLE_CENTRED * (gx1 - gx0)
                        or abs(mid - rx0 - rx1) / 2 <= TITLE_CENTRED * (rx1 - rx0)
                    )
                )
                g = g * TEXT_GAP / AXIS_TITLE_GAP if x_title else g
                if g <= best_gap and region.graphic_bbox[1] - ln.bbox[3] <= TEXT_REACH:
                    best, best_gap = region, g
            if best is not None:
                best.elements.append(Element(ln.bbox, "text"))
                free.remove(ln)
                changed = True


@pytest.mark.parametrize("seed", range(4))
def test_attach_text_matches_reference(seed: int) -> None:
    def make() -> tuple[list[Region], list[TextLine]]:
        r = np.random.default_rng(seed)
        regions = []
        for k in range(int(r.integers(1, 8))):
            x, y = r.uniform(0, 400, 2)
            regions.append(Region([Element((x, y, x + r.uniform(20, 120), y + 80.0), "image", k)]))
        lines = []
        for k in range(int(r.integers(5, 60))):
            x, y = r.uniform(0, 500, 2)
            lines.append(TextLine(f"l{k}", (x, y, x + r.uniform(5, 60), y + 8.0), 8.0))
        return regions, lines

    got, ref = make(), make()
    attach_text(got[0], got[1], set(), TEXT_GAP)
    _attach_reference(ref[0], ref[1], TEXT_GAP)
    assert [[e.bbox for e in r.elements] for r in got[0]] == [
        [e.bbox for e in r.elements] for r in ref[0]
    ]
    assert sum(len(r.elements) for r in got[0]) > len(got[0])  # some text was attached


def test_contained_in_any_agrees_with_contains() -> None:
    from litclip.corpus.extract.regions import contained_in_any, contains

    rng = np.random.default_rng(0)

    def boxes(n: int) -> list[tuple[float, float, float, float]]:
        xy = rng.uniform(0, 100, (n, 2))
        wh = rng.uniform(1, 60, (n, 2))
        return [tuple(map(float, (*p, *(p + s)))) for p, s in zip(xy, wh, strict=True)]

    inner, outer = boxes(200), boxes(7)
    expected = [any(contains(o, i, slack=2.0) for o in outer) for i in inner]
    assert contained_in_any(inner, outer, slack=2.0) == expected
    assert any(expected) and not all(expected)
    assert contained_in_any(inner[:3], []) == [False] * 3


def _tl(text: str, x0: float, y0: float, size: float = 10.0, x1: float | None = None) -> TextLine:
    x1 = x0 + 5.0 * len(text) if x1 is None else x1
    return TextLine(text, (x0, y0, x1, y0 + size), size)


def test_running_text_comes_in_paragraphs() -> None:
    para = [
        _tl("The patients were followed for a median", 72, 100),
        _tl("of thirty months after the surgery and", 72, 112),
    ]
    ticks = _tl("0.1          1          10", 150, 300)
    title = _tl("rate of motion (arcsec / hour)", 160, 314)
    lone_long = _tl("A single line of running text that is long enough to be body text.", 72, 500)
    small = _tl("A footnote in small type under the figure area.", 72, 600, size=7)
    lines = [*para, ticks, title, lone_long, small]
    assert running_text(lines, 10.0) == {id(para[0]), id(para[1]), id(lone_long)}


def test_a_plot_title_under_a_paragraph_is_no_line_of_it() -> None:
    """BDgraph's "BDMCMC sampling algorithm scheme", centred a pitch and a half under a
    paragraph's last line, was taken for that paragraph's next line: as running text it
    barred the figure's left plot from the rest, and the crop lost it. A line one pitch
    under the paragraph (code indented under a prompt) or flush with it still is a line."""
    para = [
        _tl("The sampling algorithm is designed in such a way that a sample", 81, 165.8, 10.9),
        _tl("the graphs proportional to the total waiting times", 81, 179.4, 10.9),
    ]
    title = TextLine("BDMCMC sampling algorithm scheme", (221.6, 201.2, 383.7, 212.6), 10.3)
    assert id(title) not in running_text([*para, title], 10.9)
    indented = _tl("abline(rq(foodexp~income,tau=taus[i]))", 178.9, 179.4 + 12, 10.9)
    flush = _tl("of each graph in the chain, as shown in Figure 2.", 81, 201.2, 10.9)
    for line in (indented, flush):
        assert id(line) in running_text([*para, line], 10.9)


def test_running_text_of_numbers_only() -> None:
    """A long line of numbers (a table row) with no wordy line on the page: no crash."""
    row = _tl("0.50 0.81 0.52 0.24 0.05 0.18 0.61 0.20", 72, 100)
    assert running_text([row], 10.0) == set()


def test_paragraph_ends_and_starts_are_running_text() -> None:
    """Text wrapped beside a figure: a paragraph's short last line (flush left) and the next
    one's indented first line (flush right) are running text, so they do not join the
    figure; a short label below the paragraph but not flush with it is not."""
    body = [
        _tl("engines for optimized character recog-", 135, 454, x1=296),
        _tl("nition accuracy.", 135, 466, x1=203),
        _tl("As shown in Figure 4 (a), the", 150, 479, x1=296),
        _tl("document contains columns of text", 135, 491, x1=296),
        _tl("written vertically, a common style", 135, 503, x1=296),
    ]
    label = _tl("(b) MRI", 200, 516, x1=240)
    running = running_text([*body, label], 10.0)
    assert {id(ln) for ln in body} <= running
    assert id(label) not in running


def _caption(label: str, box: tuple[float, float, float, float], kind: str = "figure") -> Caption:
    line = TextLine(f"{label}: Relative performance", box, 10.0)
    return Caption(kind, label, label[-1], label, [line])


def test_a_region_over_two_captions_is_cut_at_their_gutter() -> None:
    """Two framed charts 6 pt apart cluster into one region over "Fig. 3" | "Fig. 4"."""
    left = [
        Element((49.0, 51.0, 306.0, 206.0), "path"),
        Element((81.0, 56.0, 301.0, 166.0), "path"),
    ]
    right = [
        Element((312.0, 51.0, 569.0, 206.0), "path"),
        Element((346.0, 56.0, 564.0, 163.0), "path"),
    ]
    caps = [_caption("Figure 3", (49.0, 214.0, 301.0, 247.0))]
    caps.append(_caption("Figure 4", (311.0, 214.0, 563.0, 247.0)))
    (joined,) = cluster(left + right, [c.bbox for c in caps])
    pieces = split_at_caption_gutters(caps, [joined])
    assert [p.bbox for p in pieces] == [
        union([e.bbox for e in left]),
        union([e.bbox for e in right]),
    ]
    # a graphic across the gutter (one wide chart over two captions): no cut
    wide = Region([*left, *right, Element((100.0, 120.0, 500.0, 122.0), "path")])
    assert split_at_caption_gutters(caps, [wide]) == [wide]
    # one caption under the region: nothing to cut
    assert len(split_at_caption_gutters(caps[:1], [Region(left + right)])) == 1


def test_glyph_runs_with_absurd_boxes_never_join_a_figure() -> None:
    """Hatching drawn with a font reports boxes thousands of points tall."""
    chart = Region([Element((271.0, 210.0, 503.0, 347.0), "path")])
    hatching = TextLine("!!!!!!!!!!!!!!!", (312.0, -3093.0, 432.0, 28069.0), 10.0)
    attach_text([chart], [hatching], set())
    assert chart.bbox == (271.0, 210.0, 503.0, 347.0)


def test_each_caption_gets_a_figure_when_nearest_first_would_leave_one_without() -> None:
    """Fig. 3 under its tree sits closer to the tree under it (Fig. 4's, above Fig. 4's
    caption): nearest-first gave Fig. 3 that tree and Fig. 4 nothing."""
    from litclip.corpus.extract.regions import assign

    top = Region([Element((112.0, 121.0, 489.0, 327.0), "path")])
    bottom = Region([Element((112.0, 428.0, 489.0, 677.0), "path")])
    caps = [_caption("Figure 3", (81.0, 362.0, 522.0, 413.0))]
    caps.append(_caption("Figure 4", (81.0, 708.0, 522.0, 730.0)))
    regions = [top, bottom]
    assert assign(caps, regions, [c.bbox for c in caps]) == {0: [0], 1: [1]}


def test_stacked_figures_each_over_its_caption_keep_to_one_side() -> None:
    """Theora's specification: three diagrams of three parts each, stacked, each over its
    caption, which sits a little nearer to the diagram under it. Nearest matching gave each
    caption the diagram under it, the last caption a part of the last diagram, and the
    first diagram none; all captions under their figures leave no diagram alone."""
    from litclip.corpus.extract.regions import assign

    def diagram(top: float) -> list[Region]:
        return [
            Region([Element((108.0, top, 189.0, top + 134.0), "path")]),
            Region([Element((199.0, top + 56.0, 279.0, top + 134.0), "path")]),
            Region([Element((289.0, top + 2.0, 449.0, top + 136.0), "path")]),
        ]

    regions = [*diagram(127.0), *diagram(313.0), *diagram(498.0)]
    caps = [
        _caption(f"Figure 4.{n}", (109.0, y, 448.0, y + 9.0))
        for n, y in ((5, 290.0), (6, 475.0), (7, 660.0))
    ]
    found = assign(caps, regions, [c.bbox for c in caps])
    assert {ci: sorted(members) for ci, members in found.items()} == {
        0: [0, 1, 2],
        1: [3, 4, 5],
        2: [6, 7, 8],
    }
    # a figure under its caption and one over its own on the same page stay as they are
    mixed = [_caption("Figure 1", (109.0, 100.0, 448.0, 109.0)), caps[2]]
    two = [*diagram(127.0), *diagram(498.0)]
    found = assign(mixed, two, [c.bbox for c in mixed])
    assert {ci: sorted(members) for ci, members in found.items()} == {0: [0, 1, 2], 1: [3, 4, 5]}


def test_a_listing_shaded_in_pieces_line_by_line_is_no_part_of_the_plot_under_it() -> None:
    """mwavepy's manual (LaTeX listings): each code line's grey band is drawn in three
    pieces, a 3 pt strip at each end beside the frame's side rules, and the code is set in
    a proportional face, letter-spaced. The box of text 27 pt over the plot its code makes
    is not the plot's part."""
    from litclip.corpus.extract.regions import assign

    elements, lines = [], []
    for i in range(12):
        y = 212.0 + 9.5 * i
        elements += [
            Element((86.4, y - 0.4, 87.2, y + 9.9), "path"),
            Element((87.0, y, 90.0, y + 9.5), "path"),
            Element((90.0, y, 522.0, y + 9.5), "path"),
            Element((522.0, y, 525.0, y + 9.5), "path"),
            Element((524.8, y - 0.4, 525.6, y + 9.9), "path"),
            Element((90.8, y + 1.5, 300.0, y + 8.0), "text"),
        ]
        lines.append(
            TextLine(f"horn . plot_s_db ( m={i} , n=0)", (90.8, y + 1.5, 300.0, y + 8.0), 8.0)
        )
    listing = Region(elements)
    plot = Region([Element((123.0, 353.0, 468.0, 586.0), "image")])
    cap = _caption("Figure 4.1", (278.0, 610.0, 330.0, 620.0))
    assert assign([cap], [listing, plot], [cap.bbox], lines) == {0: [1]}


def test_a_ruled_table_set_flush_on_a_diagram_is_cut_from_it() -> None:
    """Boost's GTL paper: "Table 1. GTL Concepts", its grid of rules drawn a cell's width
    at a time, and right under its last rule the diagram "Figure 2." names. They cluster
    into one region, which the figure took whole; the cut where the table ends gives the
    table its rows and the figure its diagram."""
    from litclip.corpus.extract.regions import assign

    elements = []
    rows = 6
    for i in range(rows + 1):
        y = 406.6 + 27.0 * i
        elements += [
            Element((336.4, y, 472.0, y + 0.2), "path"),
            Element((472.2, y, 539.5, y + 0.2), "path"),
        ]
    bottom = 406.6 + 27.0 * rows + 0.2
    for x in (336.1, 472.0, 539.5):
        elements.append(Element((x, 406.6, x + 0.3, bottom), "path"))
    for i in range(rows):
        y = 406.6 + 27.0 * i
        elements += [
            Element((368.0, y + 9.0, 439.0, y + 18.0), "text"),
            Element((500.0, y + 9.0, 510.0, y + 18.0), "text"),
        ]
    diagram = Element((318.0, bottom, 558.0, bottom + 67.0), "image")
    region = Region([*elements, diagram])
    table = _caption("Table 1", (393.1, 392.7, 482.8, 403.0), kind="table")
    figure = _caption("Figure 2", (325.1, bottom + 71.0, 497.2, bottom + 81.0))
    regions = [region]
    found = assign([table, figure], regions, [table.bbox, figure.bbox])
    assert [regions[r].bbox for r in found[1]] == [diagram.bbox]
    assert [regions[r].bbox[3] for r in found[0]] == [bottom]


def test_a_shaded_session_whose_prompts_stand_out_of_it_is_no_part_of_the_plot() -> None:
    """simuPOP's guide: "Figure 6.8: ..." over its plot, and under the plot a shaded session
    of code, a band a line, whose "..." prompts stand 1.3 pt left of the bands. The session
    is a box of text, no part of the figure."""
    from litclip.corpus.extract.regions import assign

    elements = []
    for i in range(12):
        y = 324.0 + 11.95 * i
        elements += [
            Element((82.0, y, 540.0, y + 11.95), "path"),
            Element((80.7, y + 2.0, 92.0, y + 9.0), "text"),
            Element((106.0, y + 2.0, 400.0, y + 9.0), "text"),
        ]
    session = Region(elements)
    plot = Region([Element((165.6, 91.9, 446.4, 302.5), "image")])
    cap = _caption("Figure 6.8", (212.0, 82.0, 397.5, 90.9))
    assert assign([cap], [plot, session], [cap.bbox]) == {0: [0]}


def test_underscores_drawn_as_rules_in_a_line_of_code_are_no_graphics() -> None:
    """The OCaml book draws the underscore of "draw_string" as a rule: its code over a
    screenshot became a region of graphics, which Figure 5.3 took in. A short rule inside
    a line of words is the text's; an arrow's shaft across a diagram's labels, the dots of
    a dotted arrow among glyphs set in an arrow font, and a plot's strokes are not."""
    from litclip.corpus.extract.regions import drop_text_strokes

    code = TextLine(
        "Graphics.moveto 2 130; Graphics.draw string", (144.9, 342.8, 398.2, 350.8), 9.0
    )
    labels = TextLine("Source  Target", (150.0, 400.0, 300.0, 410.0), 10.0)
    arrow_font = TextLine(";C", (347.2, 409.7, 352.5, 418.7), 10.0)
    underscore = Element((295.7, 349.0, 299.3, 349.8), "path")
    shaft = Element((190.0, 404.0, 260.0, 404.8), "path")
    dot = Element((349.3, 415.8, 350.5, 416.6), "path")
    stroke = Element((150.0, 500.0, 160.0, 500.8), "path")
    kept = drop_text_strokes([underscore, shaft, dot, stroke], [code, labels, arrow_font])
    assert kept == [shaft, dot, stroke]


def test_only_frames_round_words_of_running_text_are_dropped() -> None:
    """An \\fbox round a value in a body line is the text's; a framed label alone on its
    line (a diagram's box) and rules in the band of no line are graphics."""
    from litclip.corpus.extract.regions import drop_word_frames

    def frame(x0: float, y0: float, x1: float, y1: float) -> list[Element]:
        return [
            Element((x0, y0, x1, y0 + 0.4), "path"),
            Element((x0, y1 - 0.4, x1, y1), "path"),
            Element((x0, y0, x0 + 0.4, y1), "path"),
            Element((x1 - 0.4, y0, x1, y1), "path"),
        ]

    prose = TextLine(
        "and Status, with a filter Status = INLRMS: R", (70.9, 187.2, 413.6, 196.1), 10
    )
    label = TextLine("Grid manager", (300.0, 400.0, 360.0, 409.0), 10)
    boxed = frame(314.3, 183.6, 411.2, 197.7)
    node = frame(296.0, 396.0, 364.0, 413.0)
    far = frame(100.0, 600.0, 200.0, 614.0)
    kept = drop_word_frames([*boxed, *node, *far], [prose, label])
    assert kept == [*node, *far]


def test_a_figure_in_one_column_takes_no_text_from_the_other() -> None:
    """An equation number at the right end of the left column sits 12 pt from a chart's
    axis title in the right column; it chained the left column's code into the figure."""
    left = [
        _tl("running text of the left column " * 2, 72.0, y, x1=292.0) for y in range(400, 500, 12)
    ]
    right = [
        _tl("running text of the right column " * 2, 302.0, y, x1=522.0)
        for y in range(420, 520, 12)
    ]
    columns = text_columns(left + right)
    assert columns == [(72.0, 292.0), (302.0, 522.0)]
    chart = Region([Element((328.0, 133.0, 515.0, 320.0), "path")])
    axis = TextLine("Distance to centroid", (304.0, 198.0, 310.0, 252.0), 6.0, rotated=True)
    number = _tl("(24)", 274.0, 296.0, x1=292.0)
    code = _tl('24 "z" = (log(2)-log(2*a+b+c))', 72.0, 225.0, x1=275.0)
    attach_text([chart], [axis, number, code], set(), columns=columns)
    assert chart.bbox == (304.0, 133.0, 515.0, 320.0)  # the axis title only
    assert text_columns(left) == []  # one column: no restriction


def test_a_sparse_chart_of_small_pieces_is_one_figure() -> None:
    """Rows of markers 27 pt apart beside a bare axis: each piece is too small to count,
    together they are a figure; running text between the rows keeps them apart."""
    from litclip.corpus.extract.regions import significant, sparse_charts

    def rows() -> list[Region]:
        pieces = [Region([Element((180.0, y, 430.0, y + 5.0), "path")]) for y in (134, 166, 198)]
        pieces.append(Region([Element((163.0, 130.0, 170.0, 210.0), "path")]))  # the axis
        return pieces

    assert not any(significant(r) for r in rows())
    (chart,) = sparse_charts(rows(), [])
    assert chart.bbox == (163.0, 130.0, 430.0, 210.0)
    text_between = [(100.0, 150.0, 500.0, 160.0), (100.0, 182.0, 500.0, 192.0)]
    assert sparse_charts(rows(), text_between) == []
    assert sparse_charts([Region([Element((0.0, 0.0, 5.0, 5.0), "text")])], []) == []


def test_one_strip_chart_over_its_axis_labels_is_a_figure() -> None:
    """IRanges' plotRanges(): a row of bars 15 pt tall over an axis, its title over it and
    the tick labels under it (130 x 38 pt in all). Too flat to count by its drawing alone,
    it is a figure with its labels; a few marks in a row (an inline code's shading) are not."""
    from litclip.corpus.extract.regions import significant, sparse_charts

    bars = [
        Element((246.0 + 16 * i, 108.0 + 3 * (i % 3), 258.0 + 16 * i, 111.0 + 3 * (i % 3)), "path")
        for i in range(8)
    ]
    axis = [Element((246.0, 119.6, 358.0, 120.2), "path")]
    labels = [
        Element((309.8, 92.7, 313.5, 100.3), "text"),
        Element((245.1, 125.0, 360.1, 131.5), "text"),
    ]
    strip = Region([*bars, *axis, *labels])
    assert not significant(strip)
    (chart,) = sparse_charts([strip], [])
    assert chart.bbox == (245.1, 92.7, 370.0, 131.5)
    shading = Region(
        [Element((112.7 + 10 * i, 514.1, 122.8 + 10 * i, 523.2), "path") for i in range(3)]
    )
    assert sparse_charts([shading], []) == []
    bare = Region([*bars, *axis])  # no labels: 15 pt tall, a rule ornament more than a chart
    assert sparse_charts([bare], []) == []


def test_a_caption_takes_the_drawing_over_it_before_the_code_listing_under_it() -> None:
    """IRanges' vignette: "Figure 4" 28 pt under its strip chart (set off to the right of
    the short caption) and 24 pt over the shaded box of R output that follows; a shaded box
    of text alone is still a caption's figure when nothing else is near."""
    from litclip.corpus.extract.regions import assign

    def regions() -> list[Region]:
        chart = Region(
            [
                Element((246.0, 108.4, 375.8, 123.0), "path"),
                Element((245.1, 93.3, 375.8, 131.2), "text"),
            ]
        )
        listing = Region(
            [Element((50.9, 191.1, 476.1, 305.7), "path")]
            + [Element((103.0, 197.0 + 12 * i, 260.9, 205.0 + 12 * i), "text") for i in range(8)]
        )
        return [listing, chart]

    cap = _caption("Figure 4", (135.9, 159.7, 265.6, 167.1))
    assert assign([cap], regions(), [cap.bbox]) == {0: [1]}
    assert assign([cap], regions()[:1], [cap.bbox]) == {0: [0]}


def _luadraw_listing(top: float, lines: int) -> tuple[Region, list[TextLine]]:
    """luadraw's shaded listing: a band behind each code line (45.9 to 549.4) between two
    thin bars down its sides (42.3 and 552.2), each line in a fixed-width face."""
    elements, code = [], []
    for k in range(lines):
        y = top + 11.9 * k
        elements += [
            Element((42.3, y - 0.4, 43.1, y + 12.5), "path"),
            Element((45.9, y, 549.4, y + 12.1), "path"),
            Element((552.2, y - 0.4, 553.0, y + 12.5), "path"),
        ]
        line = TextLine("g:Dpolyline3d( {A,p[k]}, 'gray')", (45.9, y + 0.2, 380.1, y + 10.9), 9.0)
        line.mono = True
        code.append(line)
    elements += [Element(ln.bbox, "text") for ln in code]
    return Region(elements), code


def test_a_listing_under_its_heading_or_a_tall_math_glyph_is_a_box_of_text() -> None:
    """luadraw's manual: "Stereographic Projection" set over a shaded listing, flush with
    the bar down its side (3.4 pt left of its bands), and math glyphs whose boxes (29.5 pt
    for a 10 pt font) reach 4 pt into the listing from the line over it: the listing was no
    box of text, and the drawing over it took it in."""
    from litclip.corpus.extract.regions import _text_box

    listing, _code = _luadraw_listing(328.2, 10)
    assert _text_box(listing)
    listing.elements.append(Element((42.5, 305.1, 153.6, 317.1), "text"))  # the heading
    listing.elements.append(Element((346.3, 297.4, 351.3, 331.8), "text"))  # a glyph's box
    assert _text_box(listing)
    listing.elements.append(Element((20.0, 305.1, 153.6, 317.1), "text"))  # out in the margin
    assert not _text_box(listing)


def test_a_caption_between_a_code_listing_and_its_drawing_takes_the_drawing() -> None:
    """luadraw's manual sets each caption between the listing over it (18 pt) and the
    drawing the listing makes (27 pt under it): the caption took the listing. A shaded box
    of code is farther from a caption than one of words in a proportional face."""
    from litclip.corpus.extract.regions import assign

    def regions() -> tuple[list[Region], list[TextLine]]:
        listing, code = _luadraw_listing(32.2, 14)  # its foot 18.4 pt over the caption
        drawing = Region([Element((179.6, 256.3, 376.6, 507.3), "path")])
        return [listing, drawing], code

    cap = _caption("Figure 18", (170.8, 217.4, 373.4, 229.4))
    pages, code = regions()
    assert assign([cap], pages, [cap.bbox], [*cap.lines, *code]) == {0: [1]}
    pages, code = regions()
    for ln in code:
        ln.mono = False  # words in a framed box: as near as the drawing, it stays the figure
    assert assign([cap], pages, [cap.bbox], [*cap.lines, *code]) == {0: [0]}


def test_a_code_listing_with_its_lead_in_lines_is_not_part_of_the_plot_under_it() -> None:
    """BiocStyle's vignette: "This results in" and two verbatim lines over a shaded box of
    three echoed R lines, 15 pt over the plot those lines draw: the box and the lines set
    over it are the text's, not a stray part of "Figure 5"."""
    from litclip.corpus.extract.regions import assign

    over = [(93.4, 267.4, 152.2, 276.4), (112.5, 250.3, 342.3, 258.2), (122.1, 238.3, 423.6, 246.2)]
    listing = Region(
        [Element((50.9, 280.3, 476.1, 323.8), "path")]
        + [Element((93.4, 286.1 + 12 * i, 323.1, 294.0 + 12 * i), "text") for i in range(3)]
        + [Element(b, "text") for b in over]
    )
    plot = Region(
        [
            Element((136.0, 338.4, 304.4, 490.0), "path"),
            Element((200.0, 495.0, 280.0, 505.2), "text"),
        ]
    )
    cap = _caption("Figure 5", (135.9, 516.1, 353.1, 532.9))
    assert assign([cap], [listing, plot], [cap.bbox]) == {0: [1]}


def test_a_two_line_listing_with_a_side_bar_under_a_caption_is_not_its_figure() -> None:
    """actuar's vignette: "Figure 1" 45 pt under its plot (R's white margin) and 23 pt over
    a tinted box of two lines of R output with a bar down its left side."""
    from litclip.corpus.extract.regions import assign

    def regions() -> list[Region]:
        plot = Region(
            [
                Element((181.9, 167.5, 429.0, 380.0), "path"),
                Element((200.0, 380.0, 420.0, 386.9), "text"),
            ]
        )
        listing = Region(
            [
                Element((124.8, 479.3, 128.8, 510.0), "path"),  # the bar
                Element((127.8, 481.3, 484.5, 508.0), "path"),  # the tint
                Element((302.4, 481.9, 368.6, 493.9), "text"),
                Element((145.8, 495.4, 332.5, 507.5), "text"),
            ]
        )
        return [plot, listing]

    cap = _caption("Figure 1", (125.8, 431.9, 484.5, 456.4))
    assert assign([cap], regions(), [cap.bbox]) == {0: [0]}


def test_subfigures_set_wide_apart_over_one_caption_are_one_figure() -> None:
    """ "(a) | (b)" 50 pt apart over a full-width caption: the caption took only the left
    one; a chart off to the side of the caption's width stays apart."""
    from litclip.corpus.extract.regions import assign

    left = Region([Element((96.0, 140.0, 275.0, 286.0), "path")])
    right = Region([Element((325.0, 143.0, 512.0, 286.0), "path")])
    cap = _caption("Figure 11", (81.0, 329.0, 523.0, 367.0))
    assert assign([cap], [left, right], [cap.bbox]) == {0: [0, 1]}
    narrow = _caption("Figure 11", (81.0, 329.0, 290.0, 367.0))
    left = Region([Element((96.0, 140.0, 275.0, 286.0), "path")])
    right = Region([Element((325.0, 143.0, 512.0, 286.0), "path")])
    assert assign([narrow], [left, right], [narrow.bbox]) == {0: [0]}
    # a short caption centred under the row of both ((a) 93-289, (b) 339-503)
    centred = _caption("Figure 1", (145.0, 359.0, 458.0, 369.0))
    left = Region([Element((93.0, 117.0, 289.0, 274.0), "path")])
    right = Region([Element((339.0, 112.0, 503.0, 318.0), "path")])
    assert assign([centred], [right, left], [centred.bbox]) == {0: [0, 1]}


def test_a_code_listing_box_over_a_plot_is_not_part_of_it() -> None:
    """A vignette prints the shaded code box right over the plot it makes; a flow chart's
    text box, touched by its arrows, stays."""
    from litclip.corpus.extract.regions import trim_text_boxes

    box = Element((51.0, 89.0, 476.0, 198.0), "path")
    code = [
        TextLine(
            f"seg.file = seg.file, vcf.file = vcf.file, solutions = {i}",
            (60.0, 95.0 + 12 * i, 400.0, 104.0 + 12 * i),
            8.0,
        )
        for i in range(6)
    ]
    plot = [
        Element((160.0, 230.0, 383.0, 321.0), "path"),
        Element((300.0, 209.0, 340.0, 218.0), "text"),
    ]

    def region(below: list[Element]) -> Region:
        return Region([box, *[Element(ln.bbox, "text") for ln in code], *below])

    trimmed = region(plot)
    trim_text_boxes(trimmed, code)
    assert trimmed.bbox == (160.0, 209.0, 383.0, 321.0)
    arrow = Element((260.0, 198.0, 262.0, 230.0), "path")  # touches the box
    chart = region([*plot, arrow])
    trim_text_boxes(chart, code)
    assert chart.bbox == (51.0, 89.0, 476.0, 321.0)


def test_a_plot_grid_row_over_the_captioned_row_joins_it() -> None:
    """par(mfrow = c(2, 2)) with 3 plots: the top row sits 53 pt over the captioned plot; a
    journal's side tab 55 pt to the left stays out."""
    from litclip.corpus.extract.regions import assign

    top_left = Region([Element((120.0, 181.0, 317.0, 315.0), "path")])
    top_right = Region([Element((328.0, 181.0, 479.0, 315.0), "path")])
    bottom = Region([Element((120.0, 368.0, 292.0, 502.0), "path")])
    cap = _caption("Figure 5", (160.0, 515.0, 440.0, 525.0))
    assert assign([cap], [top_left, top_right, bottom], [cap.bbox]) == {0: [2, 0, 1]}
    tab = Region([Element((0.0, 330.0, 65.0, 500.0), "path")])
    bottom = Region([Element((120.0, 368.0, 292.0, 502.0), "path")])
    assert assign([cap], [tab, bottom], [cap.bbox]) == {0: [1]}


def test_the_tail_of_a_paragraph_over_a_figure_is_running_text() -> None:
    """'(Figure 2A-B).' ends a paragraph carried to the top of a column, right over a figure
    (it was glued onto the crop), alone on its row or starting where the column's lines
    start; figure text does not end with a full stop, or is a row of labels (ADOL-C's
    column heads "function eval." | "derivative calcul." over a diagram)."""
    from litclip.corpus.extract.regions import sentence_tails

    line = "No perioperative deaths were recorded. Lesion size did not"
    body = [_tl(line, 48, 300 + 12 * i, size=9.5) for i in range(3)]
    tail = TextLine("(Figure 2A-B).", (48.0, 63.0, 105.0, 74.0), 9.5)
    title = TextLine("Biotype detection over genome", (60.0, 90.0, 200.0, 98.0), 9.5)
    small = TextLine("p < 0.05 in all groups.", (60.0, 100.0, 160.0, 106.0), 6.0)
    running = running_text([*body, tail, title, small], 9.5)
    assert id(tail) not in running
    tails = sentence_tails([*body, tail, title, small], running)
    assert tails == {id(tail)}
    # a Chinese paragraph's last line ends with the ideographic full stop
    zh = TextLine("对电影 v 感兴趣的预测概率 yuv。", (48.0, 63.0, 222.0, 74.0), 9.5)
    assert sentence_tails([*body, zh, title], running_text([*body, zh, title], 9.5)) == {id(zh)}
    heads = [
        TextLine("function eval.", (128.0, 63.0, 192.0, 74.0), 9.5),
        TextLine("derivative calcul.", (215.0, 63.0, 296.0, 74.0), 9.5),
    ]
    assert sentence_tails([*body, *heads], running_text([*body, *heads], 9.5)) == set()
    assert sentence_tails([*body, heads[0]], running_text(body, 9.5)) == {id(heads[0])}
    # a paragraph of two lines: its first indented, the only running line of the page
    first = _tl("Based on the above settings, the solution diagram appears in", 66, 50, size=9.5)
    assert sentence_tails([first, tail], {id(first)}) == {id(tail)}


def _objective(pairs: list[tuple[float, int, int]], chosen: list[tuple[int, int]]) -> tuple:
    nearest = {}
    for d, ci, ri in pairs:
        nearest[ci, ri] = min(d, nearest.get((ci, ri), d))
    assert len({c for c, _ in chosen}) == len({r for _, r in chosen}) == len(chosen)
    return len(chosen), round(sum(nearest[p] for p in chosen), 6)


@pytest.mark.parametrize("seed", range(4))
def test_caption_matching_is_as_good_as_the_assignment_solver(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(300):
        nc, nr = int(rng.integers(1, 9)), int(rng.integers(1, 11))
        pairs = [
            (float(rng.choice([rng.uniform(0, 300), rng.integers(0, 4)])), ci, ri)
            for ci in range(nc)
            for ri in range(nr)
            if rng.random() < 0.5
        ]
        pairs += pairs[: len(pairs) // 3]  # a pair listed twice counts at its nearest
        ours = _matching(pairs, nc, nr)
        assert _objective(pairs, ours) == _objective(pairs, _solver_matching(pairs, nc, nr))


def test_a_crowded_page_is_matched_by_the_solver() -> None:
    n = EXACT_MATCH_MAX_CAPTIONS + 2
    pairs = [(float(abs(c - r)), c, r) for c in range(n) for r in range(n)]
    assert _matching(pairs, n, n) == [(k, k) for k in range(n)]


def _grid_groups_ref(elements: list[Element], barriers: list[tuple], cell: float = 4.0) -> list:
    """The loop it replaced: one slice write per element, one lookup per element."""
    x_max = max(e.bbox[2] for e in elements) + 2 * cell
    y_max = max(e.bbox[3] for e in elements) + 2 * cell
    grid = np.zeros((int(y_max / cell) + 2, int(x_max / cell) + 2), dtype=bool)

    def cells(b: tuple, grow: int) -> tuple[slice, slice]:
        return (
            slice(max(0, int(b[1] / cell) - grow), max(0, int(b[3] / cell) + 1 + grow)),
            slice(max(0, int(b[0] / cell) - grow), max(0, int(b[2] / cell) + 1 + grow)),
        )

    for e in elements:
        grid[cells(e.bbox, 1)] = True
    for b in barriers:
        inner = (b[0] + cell, b[1] + cell / 2, b[2] - cell, b[3] - cell / 2)
        if inner[2] > inner[0] and inner[3] > inner[1]:
            grid[cells(inner, 0)] = False
    labels = components(grid)
    groups: dict[int, list] = {}
    for k, e in enumerate(elements):
        found = labels[cells(e.bbox, 0)]
        found = found[found > 0]
        groups.setdefault(int(found.flat[0]) if found.size else -(k + 1), []).append(id(e))
    return list(groups.values())


@pytest.mark.parametrize("seed", range(3))
def test_dense_page_grouping_matches_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(40):
        xy = rng.uniform(-10, 600, size=(int(rng.integers(1, 500)), 2))
        wh = rng.uniform(0, 30, size=xy.shape)
        elements = [
            Element((x, y, x + w, y + h), "path") for (x, y), (w, h) in zip(xy, wh, strict=True)
        ]
        barriers = [tuple(rng.uniform(0, 600, 4)) for _ in range(int(rng.integers(0, 5)))]
        got = [[id(e) for e in r.elements] for r in _grid_groups(elements, barriers)]
        assert got == _grid_groups_ref(elements, barriers)


def test_a_table_caption_takes_no_figure_across_a_figure_caption() -> None:
    """Two heat maps over a short centred "Figure 3" caption, then a table of text and its
    caption below: the table caption's way up to the right heat map crosses a third of the
    figure caption, so both maps are Figure 3."""
    from litclip.corpus.extract.regions import assign

    left = Region([Element((109.0, 115.0, 294.0, 268.0), "path")])
    right = Region([Element((326.0, 115.0, 510.0, 268.0), "path")])
    fig = _caption("Figure 3", (185.0, 294.0, 418.0, 305.0))
    table_line = TextLine("Table 3: Execution time", (116.0, 357.0, 487.0, 368.0), 10.0)
    table = Caption("table", "Table 3", "3", "Table 3", [table_line])
    assert assign([fig, table], [left, right], [fig.bbox, table.bbox]) == {0: [0, 1]}


def test_an_x_axis_title_two_lines_under_the_ticks_is_part_of_the_chart() -> None:
    chart = Region([Element((145.0, 536.0, 482.0, 638.0), "path")])
    ticks = _tl("500 600 700 800 900 1000 1100", 150.0, 643.0, 7.3, x1=456.0)
    title = _tl("Moore_stress", 291.0, 670.0, 7.3, x1=336.0)  # centred, 19 pt under the ticks
    attach_text([chart], [ticks, title], set())
    assert chart.bbox[3] == 677.3
    chart = Region([Element((145.0, 536.0, 482.0, 638.0), "path")])
    aside = _tl("Moore_stress", 145.0, 670.0, 7.3, x1=190.0)  # flush left: a note, not a title
    attach_text([chart], [ticks, aside], set())
    assert chart.bbox[3] == 650.3


def test_a_panel_letter_at_a_drawings_top_left_corner_is_part_of_it() -> None:
    """RayFlare's Figure 3: "a)" 22.5 pt left of a drawn triangle, level with its top, was
    left out of the figure's box. A panel letter as far left of a region but level with its
    middle, or a word there, is not the region's corner letter."""

    def drawing() -> Region:
        return Region(
            [
                Element((150.0, 90.0, 277.0, 247.0), "path"),
                Element((136.9, 84.2, 142.8, 107.4), "text"),
            ]
        )

    triangle = drawing()
    attach_text([triangle], [_tl("a)", 103.4, 77.9, 12.3, x1=114.4)], set())
    assert triangle.bbox[0] == 103.4 and triangle.bbox[1] == 77.9
    for line in (_tl("a)", 103.4, 160.0, 12.3, x1=114.4), _tl("ab", 103.4, 77.9, 12.3, x1=114.4)):
        triangle = drawing()
        attach_text([triangle], [line], set())
        assert triangle.bbox[0] == 136.9


def test_a_sub_caption_centred_under_a_picture_is_part_of_it_however_long() -> None:
    """FreeFEM3D's Figure 2.2: "(a) u on a cutting plane, and the iso-surface 0.75", 50
    characters, 14.2 pt under its render (0.2 pt past the text gap), was left out of the
    figure. A line a panel's letter starts, centred under a picture, is read at an axis
    title's reach; the same words with no letter, or off the picture's centre, are not."""
    text = "u on a cutting plane, and the iso-surface 0.75"
    for line, joins in (
        (_tl("(a) " + text, 96.9, 529.9, 9.0, x1=294.9), True),
        (_tl(text, 96.9, 529.9, 9.0, x1=294.9), False),
        (_tl("(a) " + text, 160.0, 529.9, 9.0, x1=358.0), False),
    ):
        render = Region([Element((100.8, 325.3, 291.2, 515.7), "image")])
        attach_text([render], [line], set())
        assert render.bbox[3] == (538.9 if joins else 515.7)


def test_a_figure_between_a_table_caption_and_its_own_caption_is_the_figure() -> None:
    """JSS style: a text table, its caption under it, then a chart and the chart's caption,
    each caption 15 pt from the chart: the figure caption has it (it took the table's)."""
    from litclip.corpus.extract.regions import assign

    chart = Region([Element((124.0, 268.0, 478.0, 430.0), "path")])
    table_line = TextLine("Table 3: Available distributions", (81.0, 230.0, 522.0, 253.0), 10.0)
    table = Caption("table", "Table 3", "3", "Table 3", [table_line])
    fig = _caption("Figure 5", (81.0, 445.0, 522.0, 468.0))
    assert assign([table, fig], [chart], [table.bbox, fig.bbox]) == {1: [0]}


def test_a_plot_title_over_the_chart_joins_it_but_the_end_of_a_formula_does_not() -> None:
    chart = Region([Element((107.0, 236.0, 277.0, 394.0), "path")])
    attach_text([chart], [_tl("CP", 185.0, 205.0, 12.3, x1=199.0)], set())  # 17 pt over
    assert chart.bbox[1] == 205.0
    chart = Region([Element((107.0, 275.0, 484.0, 410.0), "path")])
    formula = _tl("I = I{N(T),R(T)} - I{N(T),R(T)} 1<i<I, 1<j<J", 90.0, 251.0, 5.2, x1=290.0)
    tail = _tl("|NT", 291.0, 251.0, 7.0, x1=302.0)  # centred, but the formula's last piece
    attach_text([chart], [formula, tail], set())
    assert chart.bbox[1] == 275.0


def test_a_bold_plot_title_over_half_the_plots_width_joins_it() -> None:
    """scatterplot3d's "Magnification of the regular process": R's bold main title, 22 pt
    over a frameless 3D plot and a little over half its width, is the plot's. A line as
    wide in the body's weight stays out (the end of a sentence centred over a drawing)."""
    text = "Magnification of the regular process"
    for bold, top in ((True, 417.5), (False, 448.4)):
        plot = Region([Element((181.5, 448.4, 424.1, 673.1), "path")])
        title = TextLine(text, (219.7, 417.5, 375.7, 426.0), 9.1, bold=[bold] * len(text))
        attach_text([plot], [title], set())
        assert plot.bbox[1] == top


def test_a_bold_plot_title_as_wide_as_the_plot_joins_it_formula_and_all() -> None:
    """Minia's Figure 2: R's bold main titles "Structure size per k-mer, k=27" and "Optimal
    structure size per k-mer", 19 pt over their plots, as wide as the plot box (the second
    1 pt wider): each is its plot's, its "=" no display equation. In the body's weight the
    line with "=" stays out (an equation ends over a figure)."""
    for text, box, plot_box in (
        (
            "Structure size per k\u2212mer, k=27",
            (117.1, 96.0, 286.6, 106.8),
            (107.7, 125.8, 289.5, 269.6),
        ),
        (
            "Optimal structure size per k\u2212mer",
            (349.1, 96.0, 531.9, 106.8),
            (346.4, 125.8, 528.2, 269.6),
        ),
    ):
        for bold, top in ((True, 96.0), (False, 125.8)):
            plot = Region([Element(plot_box, "path")])
            title = TextLine(text, box, 11.7, bold=[bold] * len(text))
            attach_text([plot], [title], set())
            assert plot.bbox[1] == top, (text, bold)


def test_a_plot_of_a_grid_far_over_the_caption_joins_its_row() -> None:
    """Three titled plots in a 2x2 grid (the fourth cell empty) over a centred caption: the
    top right plot is 261 pt over the caption, but beside the top left one."""
    from litclip.corpus.extract.regions import assign

    plots = [(107.0, 204.0, 277.0, 394.0), (327.0, 204.0, 497.0, 394.0)]
    plots.append((107.0, 425.0, 277.0, 614.0))
    regions = [Region([Element(b, "path")]) for b in plots]
    cap = _caption("Figure 11", (164.0, 655.0, 439.0, 666.0))
    assert sorted(assign([cap], regions, [cap.bbox])[0]) == [0, 1, 2]


def test_a_licence_note_along_the_margin_is_not_figure_text() -> None:
    """A sideways note 9 pt right of a plot, running the page's height (and touching the
    running header at its top), is not the plot's: the figure keeps its own box."""
    chart = Region([Element((304.0, 233.0, 533.0, 408.0), "image")])
    note = TextLine(
        "Content from this work may be used under the terms of the CC BY 3.0 licence",
        (542.9, 30.3, 550.9, 743.0),
        9.0,
        rotated=True,
        direction=90,
    )
    header = _tl("doi:10.18429/JACoW-IPAC2018-WEPML008", 367.6, 32.0, 8.1, x1=537.0)
    attach_text([chart], [note, header], set())
    assert chart.bbox == (304.0, 233.0, 533.0, 408.0)
    axis = TextLine("Frequency (MHz)", (290.0, 280.0, 298.0, 360.0), 8.0, rotated=True)
    attach_text([chart], [axis], set())  # a short sideways axis title still joins
    assert chart.bbox[0] == 290.0


def test_a_colour_key_under_or_beside_a_plot_joins_it() -> None:
    """A colour bar 24 pt under the x-axis title, or a thin one right of a map: each too
    small to be a figure, each part of the plot; one inside a caption (a line sample) or
    past running text stays out."""
    from litclip.corpus.extract.regions import join_keys

    def plot() -> Region:
        return Region([Element((118.0, 249.0, 469.0, 582.0), "path")])

    under = Region([Element((150.0, 606.0, 446.0, 617.0), "path")])
    beside = Region([Element((480.0, 300.0, 490.0, 500.0), "image")])
    wide = Region([Element((60.0, 606.0, 520.0, 617.0), "path")])  # wider than the plot
    far = Region([Element((150.0, 660.0, 446.0, 670.0), "path")])  # 43 pt under the key
    fig = plot()
    left = join_keys([fig], [under, beside, wide, far], [])
    assert fig.bbox == (118.0, 249.0, 490.0, 617.0) and left == [wide, far]
    caption = (100.0, 600.0, 500.0, 640.0)
    fig = plot()
    assert join_keys([fig], [under], [caption]) == [under] and fig.bbox[3] == 582.0
    text_between = (100.0, 588.0, 500.0, 600.0)
    assert join_keys([plot()], [under], [text_between]) == [under]


def test_an_axis_set_apart_from_its_plot_joins_it_though_its_labels_stick_out() -> None:
    """phangorn's sequence logo draws its y axis 12 pt left of the letters; the axis's top
    tick label "1" and its title stick out half a line over the letters' top, and the axis
    was left out of the figure (IoU 0.92)."""
    from litclip.corpus.extract.regions import join_keys

    fig = Region([Element((192.8, 122.4, 450.2, 289.9), "path")])
    axis = Region(
        [
            Element((179.5, 118.4, 180.4, 295.6), "path"),
            Element((173.9, 118.4, 180.4, 119.4), "path"),
            Element((163.6, 115.5, 168.8, 124.3), "text"),  # "1", over the letters' top
            Element((143.0, 185.3, 151.8, 228.7), "text"),  # "Probability", sideways
        ]
    )
    assert join_keys([fig], [axis], []) == [] and fig.bbox[:2] == (143.0, 115.5)


def test_a_part_right_over_another_caption_is_that_captions_figure() -> None:
    """Two diagrams over Fig. 5's caption in the right column, the left one 44 pt from Fig.
    3 in the left column: Fig. 3 absorbed it (side by side, close) though it sits right
    over Fig. 5's caption."""
    from litclip.corpus.extract.regions import assign

    fig3 = Region([Element((47.0, 235.0, 279.0, 364.0), "path")])
    fig5_right = Region([Element((447.0, 284.0, 527.0, 354.0), "path")])
    fig5_left = Region([Element((323.0, 298.0, 435.0, 354.0), "path")])
    caps = [_caption("Figure 3", (42.0, 370.0, 178.0, 380.0))]
    caps.append(_caption("Figure 5", (304.0, 361.0, 472.0, 371.0)))
    out = assign(caps, [fig3, fig5_right, fig5_left], [c.bbox for c in caps])
    assert out == {0: [0], 1: [1, 2]}


def test_a_part_under_the_previous_caption_joins_the_figure_beside_it() -> None:
    """huge vignette p7: Figures 2 and 3 are each a row of three plots over a centred
    caption. Figure 3's graphs are 27 pt under Figure 2's caption and 49 pt from its ROC
    plot; a caption set under its own figure does not reach down past it for them."""
    from litclip.corpus.extract.regions import assign

    rows = []
    for top in (78.0, 249.0):
        rows.append(Region([Element((103.0, top, 218.0, top + 117), "path")]))  # ROC curve
        for x0 in (267.0, 401.0):  # the graphs: shorter, their tops 11 pt lower
            rows.append(Region([Element((x0, top + 11, x0 + 69, top + 80), "path")]))
    caps = [_caption("Figure 2", (175.0, 221.0, 420.0, 233.0))]
    caps.append(_caption("Figure 3", (178.0, 392.0, 417.0, 404.0)))
    out = assign(caps, rows, [c.bbox for c in caps])
    assert sorted(out[0]) == [0, 1, 2] and sorted(out[1]) == [3, 4, 5]


def test_plots_wide_apart_over_a_caption_off_their_centre_are_one_figure() -> None:
    """RBGL Figure 9: two graphs 76 pt apart over a short caption; the plots' white margins
    put the row's centre 23 pt (6 %) off the caption's. A tab in the page margin, level
    with a figure and further from it than it is wide, is no part of it."""
    from litclip.corpus.extract.regions import assign

    left = Region([Element((130.0, 97.0, 258.0, 302.0), "path")])
    right = Region([Element((334.0, 97.0, 516.0, 302.0), "path")])
    caps = [_caption("Figure 9", (213.0, 340.0, 387.0, 351.0))]
    assert assign(caps, [left, right], [c.bbox for c in caps]) == {0: [0, 1]}
    figure = Region([Element((88.0, 75.0, 507.0, 550.0), "image")])
    tab = Region([Element((0.0, 211.0, 28.0, 431.0), "path")])
    caps = [_caption("Figure 2", (68.0, 573.0, 528.0, 615.0))]
    assert assign(caps, [figure, tab], [c.bbox for c in caps]) == {0: [0]}


def test_two_pictures_wider_apart_than_they_are_wide_over_a_caption_under_both() -> None:
    """DLRG's templates: two logos, (a) and (b), each 99 pt wide and 127 pt apart, over
    "Abbildung 5: ...", centred under the pair and running under each: the second was
    dropped (a part narrower than the gap to it had to be within the caption's width).
    A caption that reaches under one of them only keeps the other apart."""
    from litclip.corpus.extract.regions import assign

    left = Region([Element((136.4, 70.2, 235.7, 170.9), "image")])
    right = Region([Element((362.2, 70.2, 461.5, 170.9), "image")])
    caps = [_caption("Figure 5", (169.3, 177.9, 426.0, 195.4))]
    assert assign(caps, [left, right], [c.bbox for c in caps]) == {0: [0, 1]}
    left = Region([Element((136.4, 70.2, 235.7, 170.9), "image")])
    right = Region([Element((362.2, 70.2, 461.5, 170.9), "image")])
    caps = [_caption("Figure 5", (120.0, 177.9, 350.0, 195.4))]
    assert assign(caps, [left, right], [c.bbox for c in caps]) == {0: [0]}


def test_the_one_caption_of_a_page_takes_a_picture_across_blank_paper_over_its_figure() -> None:
    """Py-ART's roadmap: a bar chart 85 pt over the table of its numbers, one caption under
    the table and nothing else on the page: the chart was left out. A line of text between
    them, a second caption on the page, or a box of text over the figure keeps them apart."""
    from litclip.corpus.extract.regions import assign

    def page() -> list[Region]:
        return [
            Region([Element((73.5, 73.5, 571.5, 334.5), "image")]),
            Region([Element((73.5, 420.0, 541.5, 672.8), "image")]),
        ]

    caps = [_caption("Figure 5", (96.8, 693.7, 515.0, 704.8))]
    lines = list(caps[0].lines)
    assert assign(caps, page(), [c.bbox for c in caps], lines) == {0: [1, 0]}
    between = TextLine("The survey asked which feature to add.", (73.5, 370.0, 400.0, 382.0), 12.0)
    assert assign(caps, page(), [c.bbox for c in caps], [*lines, between]) == {0: [1]}
    # a shaded listing over the figure (optikz's manual) is text, no part of it
    code = [
        TextLine("\\coordinate (A) at (0,0);", (65.0, 301.0 + 12 * k, 400.0, 310.0 + 12 * k), 9.0)
        for k in range(5)
    ]
    bands = [Element((60.0, 300.0 + 12 * k, 528.0, 312.0 + 12 * k), "path") for k in range(5)]
    drawing = Region([Element((150.0, 478.7, 437.0, 596.7), "path")])
    under = [_caption("Figure 4", (107.0, 606.0, 488.0, 640.0))]
    assert assign(under, [Region(bands), drawing], [under[0].bbox], [*lines, *code]) == {0: [1]}
    caps.append(_caption("Figure 6", (96.8, 740.0, 515.0, 751.0)))
    assert assign(caps, page(), [c.bbox for c in caps], lines).get(0) == [1]


def test_a_grid_of_plots_wide_apart_over_a_flush_left_caption_is_one_figure() -> None:
    """plotmo Figure 1: a 3 x 2 grid of plots 51 pt apart over a caption set flush left:
    the columns beside the middle one are off the caption's centre alone, not as the row."""
    from litclip.corpus.extract.regions import assign

    grid = [  # the middle plot of the lower row is the nearest (its axis title is lower)
        Region([Element((x0, y0, x0 + 117.0, y0 + (145.0 if x0 == 242 < y0 else 144.0)), "path")])
        for y0 in (317.0, 512.0)
        for x0 in (73.0, 242.0, 409.0)
    ]
    caps = [_caption("Figure 1", (85.0, 692.0, 481.0, 704.0))]
    out = assign(caps, grid, [c.bbox for c in caps])
    assert sorted(out[0]) == [0, 1, 2, 3, 4, 5]


def test_a_short_caption_flush_left_under_a_centred_plot_takes_it() -> None:
    """Octave's manual: "Figure 15.4: Polar plot." flush left, 34 pt under a narrow centred
    plot that it does not reach under: the plot went uncaptioned. A caption so near it,
    left of it, takes it; a line between them, or 100 pt of paper, keeps them apart."""
    from litclip.corpus.extract.regions import assign

    def plot() -> list[Region]:
        return [Region([Element((224.4, 191.3, 392.5, 375.5), "path")])]

    cap = _caption("Figure 15.4", (104.9, 409.6, 217.3, 420.5))
    assert assign([cap], plot(), [cap.bbox], list(cap.lines)) == {0: [0]}
    between = TextLine("polar (theta, rho)", (104.9, 385.0, 300.0, 396.0), 10.9)
    assert assign([cap], plot(), [cap.bbox], [*cap.lines, between]) == {}
    far = _caption("Figure 15.4", (104.9, 475.6, 217.3, 486.5))
    assert assign([far], plot(), [far.bbox], list(far.lines)) == {}


def test_a_caption_far_under_its_plot_across_blank_paper_takes_it() -> None:
    """biovizBase Figure 4: colour swatches drawn at the top of a tall R device, 182 pt of
    white over the caption. Text in the way, or another region, keeps them apart."""
    from litclip.corpus.extract.regions import assign

    swatches = Region([Element((116.0, 385.0, 482.0, 463.0), "path")])
    caps = [_caption("Figure 4", (177.0, 645.0, 420.0, 654.0))]
    label = TextLine("A", (120.0, 400.0, 126.0, 408.0), 6.0)  # inside the swatches
    assert assign(caps, [swatches], [c.bbox for c in caps], [label]) == {0: [0]}
    assert assign(caps, [swatches], [c.bbox for c in caps]) == {}  # no lines: not looked at
    code = TextLine("> showColor(cols)", (120.0, 560.0, 300.0, 570.0), 9.0)
    assert assign(caps, [swatches], [c.bbox for c in caps], [label, code]) == {}
    far = Region([Element((116.0, 10.0, 482.0, 60.0), "path")])  # 585 pt up: too far
    assert assign(caps, [far], [c.bbox for c in caps], [label]) == {}


def test_a_side_caption_set_from_above_the_plots_top_is_its_caption() -> None:
    """earth Figure 2: the caption beside the plot starts 21 pt above the plot's ink (the
    device's white top margin): half its height is level with the plot, less a point."""
    from litclip.corpus.extract.regions import assign

    plot = Region([Element((122.0, 54.0, 292.0, 203.0), "path")])
    caps = [_caption("Figure 2", (311.0, 33.0, 496.0, 74.0))]
    assert assign(caps, [plot], [c.bbox for c in caps]) == {0: [0]}
    # the same overlap from below the plot's top is no side caption
    low = [_caption("Figure 2", (311.0, 183.0, 496.0, 224.0))]
    assert assign(low, [plot], [c.bbox for c in low]) == {}


def test_a_caption_in_the_notch_of_an_l_shaped_figure_is_its_caption() -> None:
    """JFMS: "Figure 11" sits under panel b, beside panel a, inside the box of both; a
    caption between two stacked figures is no notch."""
    from litclip.corpus.extract.regions import assign, in_corner_notch

    photos = Region(
        [
            Element((257.0, 348.0, 446.0, 488.0), "image"),  # a
            Element((450.0, 348.0, 553.0, 447.0), "image"),  # b
        ]
    )
    cap = _caption("Figure 11", (450.0, 452.0, 549.0, 488.0))
    assert assign([cap], [photos], [cap.bbox]) == {0: [0]}
    above = Element((100.0, 100.0, 400.0, 300.0), "path")
    below = Element((100.0, 330.0, 400.0, 500.0), "path")
    between = (100.0, 305.0, 400.0, 325.0)
    assert not in_corner_notch(between, [above.bbox, below.bbox], (100.0, 100.0, 400.0, 500.0))
    over_a_photo = _caption("Figure 11", (440.0, 440.0, 549.0, 488.0))
    assert assign([over_a_photo], [photos], [over_a_photo.bbox]) == {}
    # Elektor: a caption beside a board layout, under a list of parts (text) in a box with
    # a title bar: nothing walls it in from above
    box = Region(
        [
            Element((25.0, 521.0, 599.0, 540.0), "path"),  # the title bar
            Element((424.0, 550.0, 568.0, 740.0), "image"),
            *[Element((40.0, 550.0 + 12 * i, 280.0, 558.0 + 12 * i), "text") for i in range(12)],
        ]
    )
    beside = _caption("Figure 2", (290.0, 705.0, 420.0, 740.0))
    assert assign([beside], [box], [beside.bbox]) == {}


def test_the_panel_beside_a_notched_caption_joins_the_figure() -> None:
    """JFMS Figure 5: the caption under panel a, 6 pt left of panel b, which is taller; a
    shaded sidebar 49 pt to the right of a caption under a photo does not join."""
    from litclip.corpus.extract.regions import assign

    a = Region([Element((51.0, 56.0, 163.0, 216.0), "image")])
    b = Region([Element((169.0, 56.0, 347.0, 286.0), "image")])
    cap = _caption("Figure 5", (51.0, 221.0, 163.0, 287.0))
    assert assign([cap], [a, b], [cap.bbox]) == {0: [0, 1]}
    photo = Region([Element((269.0, 530.0, 389.0, 701.0), "image")])
    sidebar = Region([Element((414.0, 470.0, 553.0, 730.0), "path")])
    cap = _caption("Figure 3", (269.0, 706.0, 365.0, 720.0))
    assert assign([cap], [photo, sidebar], [cap.bbox]) == {0: [0]}


def test_a_shaded_box_of_text_over_a_plot_is_not_absorbed() -> None:
    """NMF vignette: the code box that makes the plot, 12 pt over it, is its own region."""
    from litclip.corpus.extract.regions import assign

    code = Region(
        [
            Element((87.0, 169.0, 516.0, 244.0), "path"),
            *[Element((90.0, 173.0 + 12 * i, 340.0, 181.0 + 12 * i), "text") for i in range(5)],
        ]
    )
    plot = Region([Element((90.0, 256.0, 295.0, 662.0), "path")])
    cap = _caption("Figure 6", (90.0, 675.0, 513.0, 696.0))
    assert assign([cap], [plot, code], [cap.bbox]) == {0: [0]}
    # a box with a plot's marks inside is not text only: it joins
    legend = Region([*code.elements, Element((400.0, 200.0, 404.0, 204.0), "path")])
    assert assign([cap], [plot, legend], [cap.bbox]) == {0: [0, 1]}


def test_labels_set_flush_right_in_small_type_are_no_paragraph() -> None:
    """PNAS's Fig. 6 E: ten gene ontology terms in 7.2 pt (body 9 pt), one a pitch, ending
    together at the bars they label, starting where their words take them. They read as a
    justified small paragraph, walled the bars off from the panels over them, and the
    caption took the bars alone. A paragraph also starts flush left."""
    terms = [
        ("GO:0071363 growth factor stimulus response", 63.9),
        ("GO:0007169 transmembrane receptor signaling", 56.0),
        ("GO:0071407 organic cyclic compound response", 54.6),
        ("GO:1901699 nitrogen compound response", 71.9),
        ("GO:0007167 enzyme linked receptor signaling", 60.4),
        ("GO:0071417 organonitrogen compound response", 49.4),
    ]
    labels = [
        TextLine(text, (x0, 292.1 + 7.2 * i, 209.1, 300.2 + 7.2 * i), 7.2)
        for i, (text, x0) in enumerate(terms)
    ]
    assert not running_text(labels, 9.0) & {id(ln) for ln in labels}
    justified = [
        TextLine(text, (49.4, 292.1 + 7.2 * i, 209.1, 300.2 + 7.2 * i), 7.2)
        for i, (text, _) in enumerate(terms)
    ]
    assert {id(ln) for ln in justified} <= running_text(justified, 9.0)


def test_ragged_examples_hung_from_labels_in_small_type_are_no_paragraph() -> None:
    """An EMNLP preprint's Figure 3: ruled examples in 8.8 pt (body 11 pt), each query hung
    from its label ("Q0:", "Q1:") over lines indented under it. Four of Q0's ragged lines
    end within 1.1 pt of one another, and Q1 breaks "car-" over "manufacturing": both read
    as small paragraphs, walled the lower half of the figure off from its caption, and the
    figure was lost. Lines hung from labels are prose when justified, at their right edge
    (a reference list)."""
    q0 = [
        ("Q0: A car-manufacturing factory is considering", 308.7, 474.0),
        ("a new site for its next plant. Which of the", 324.0, 468.7),
        ("following would community planners be", 324.0, 466.4),
        ("most concerned with before allowing the", 324.0, 467.1),
        ("plant to be built? Options: A. The amount", 324.0, 469.7),
        ("of materials stored in the plant B. The hours", 324.0, 478.2),
        ("of operations of the new plant C. The effect", 324.0, 476.5),
        ("the plant will have on the environment D.", 324.0, 469.8),
        ("The work environment for the employees", 323.8, 468.9),
        ("at the plant", 324.0, 362.9),
    ]
    q1 = [
        ("Q1: What would community planners be most", 309.1, 470.8),
        ("concerned with before allowing a car-", 324.4, 459.3),
        ("manufacturing factory to be built?", 324.4, 444.0),
    ]

    def rows(entries: list, top: float) -> list[TextLine]:
        return [
            TextLine(text, (x0, top + 10.5 * i, x1, top + 10.5 * i + 11.5), 8.8)
            for i, (text, x0, x1) in enumerate(entries)
        ]

    examples = rows(q0, 265.9) + rows(q1, 375.7)
    assert not running_text(examples, 11.0) & {id(ln) for ln in examples}
    # the same lines justified, or broken as a paragraph breaks them, are running text
    justified = rows([(t, 308.7, 478.2) for t, _, _ in q0], 265.9)
    broken = rows([(t, 309.1 if i else 324.4, x1) for i, (t, _, x1) in enumerate(q1)], 375.7)
    # a reference list hangs from its numbers too, justified: its first lines end together
    # at its right edge, each entry's last line short of it
    refs = rows(
        [
            ("[5] M.G. Crandall and L. Tartar. Some relations between non-", 306.0, 559.8),
            ("expansive and order preserving maps. Proc. AMS, 1980.", 324.2, 551.0),
            ("[6] R.A. Cuninghame-Green. Minimax algebra. Lecture Notes", 306.0, 559.6),
            ("in Economics and Mathematical Systems, number 166, 1979.", 324.2, 509.0),
            ("[7] R.A. Cuninghame-Green. Minimax algebra and applications.", 306.0, 559.6),
            ("Advances in Imaging and Electron Physics, 90, 1995.", 324.2, 530.1),
            ("[8] R.A. Cuninghame-Green and Y. Lin. Maximum cycle-means of", 306.0, 559.7),
            ("weighted digraphs. Appl. Math. JCU, 11:225-234, 1996.", 324.2, 532.4),
        ],
        100.0,
    )
    for para in (justified, broken, refs):
        assert {id(ln) for ln in para} <= running_text(para, 11.0)


def test_a_sidebar_set_smaller_than_the_body_is_running_text() -> None:
    """A shaded sidebar's justified 8 pt paragraphs (body 9.5 pt), wrapped beside a picture,
    with an indented first line and a short last line; not a fixed-width listing of the
    same width (a terminal menu), nor a table's rows of numbers, nor a short legend."""
    words = "the endoscope is advanced into the mouth and the scope hooked".split()
    para = [_tl("Rigid endoscopic telescopes can", 437, 116, size=8.0, x1=553)]
    for i in range(6):
        text = " ".join(words[i : i + 6 + i % 3])
        para.append(_tl(text, 429, 127 + 11 * i, size=8.0, x1=553))
    para.append(_tl("BAL fluid collection.", 429, 193, size=8.0, x1=503))
    menu = [
        _tl(f"<{k}> create all format files in tree {k}: [X]", 82, 300 + 9 * i, size=8.0, x1=344)
        for i, k in enumerate("PEFDS")
    ]
    rows = [  # a table's rows, numbers right-aligned in their columns
        _tl(
            f"Group {i} " + "12.5 " * (4 + 2 * (i % 2)) + "0.031", 82, 400 + 9 * i, size=8.0, x1=344
        )
        for i in range(5)
    ]
    legend = [_tl(f"group {i} treated", 300, 500 + 9 * i, size=8.0, x1=360) for i in range(4)]
    running = running_text([*para, *menu, *rows, *legend], 9.5)
    assert running == {id(ln) for ln in para}


def test_a_picture_under_paragraphs_of_running_text_is_their_background() -> None:
    """JFMS: a tilted sidebar printed as an image, its paragraphs set over it as text,
    joined the photo under it; a photo with a few labels over it stays."""
    from litclip.corpus.extract.regions import drop_text_backgrounds

    sidebar = Element((260.0, 182.0, 590.0, 346.0), "image")
    photo = Element((369.0, 353.0, 561.0, 514.0), "image")
    lines = [(283.0, 196.0 + 11 * i, 561.0, 204.0 + 11 * i) for i in range(11)]
    assert drop_text_backgrounds([sidebar, photo], lines) == [photo]
    labels = [(380.0, 360.0 + 30 * i, 430.0, 368.0 + 30 * i) for i in range(5)]
    assert drop_text_backgrounds([photo], labels) == [photo]


def test_a_sidebar_paragraph_going_on_beside_a_picture_and_its_heading_are_running_text() -> None:
    """JFMS: an 8 pt paragraph's last lines go on narrower beside a picture (the first of
    them split in two), then a 9 pt heading over the next paragraph; a figure's title
    over its chart, the chart between it and the text, is not running text."""
    words = "the stalk of the lesion can be transected with a laser or other energy".split()
    para = [
        _tl(" ".join(words[i : i + 7 + i % 3]), 309, 143 + 11 * i, size=8.0, x1=543)
        for i in range(5)
    ]
    para.append(_tl("managed.", 309, 198, size=8.0, x1=348))
    beside = [
        _tl("Histopathologic", 419, 209, size=8.0, x1=479),
        _tl("examination", 496, 209, size=8.0, x1=543),
        _tl("reveals an inflammatory response", 410, 220, size=8.0, x1=543),
        _tl("macytic or eosinophilic rhinitis.", 410, 231, size=8.0, x1=525),
    ]
    heading = _tl("Foreign body rhinitis", 410, 263, size=9.0, x1=498)
    nxt = [
        _tl(" ".join(words[i : i + 7 + i % 2]), 410, 275 + 11 * i, size=8.0, x1=543)
        for i in range(5)
    ]
    title = _tl("Survival by group", 100, 400, size=8.0, x1=180)
    chart_labels = [_tl("0 10 20 30", 100, 520, size=8.0, x1=180)]
    lines = [*para, *beside, heading, *nxt, title, *chart_labels]
    running = running_text(lines, 9.5)
    assert running == {id(ln) for ln in [*para, *beside, heading, *nxt]}


def test_a_caption_in_a_slot_between_panels_is_the_whole_figure_s() -> None:
    """JFMS: "Figure 6" set between photos a and b at the top of the page (13 and 19 pt from
    them, open above and below); "Figure 20" in the bottom middle cell of a grid (photo d to
    its left, photo a 25 pt over it, photos b, c, e to its right); "Figure 9" under photo a,
    15 pt left of photo b (a corner). A photo beside a caption that has its own caption is
    that caption's figure."""
    from litclip.corpus.extract.regions import assign

    def photo(*box: float) -> Region:
        return Region([Element(box, "image")])

    cap = _caption("Figure 6", (257.0, 56.0, 341.0, 100.0))
    a, b = photo(51.0, 56.0, 244.0, 199.0), photo(360.0, 56.0, 553.0, 199.0)
    assert assign([cap], [a, b], [cap.bbox]) == {0: [0, 1]}
    own = _caption("Figure 7", (360.0, 205.0, 553.0, 215.0))
    assert assign([cap, own], [a, b], [cap.bbox, own.bbox]) == {0: [0], 1: [1]}

    cap = _caption("Figure 20", (257.0, 633.0, 346.0, 737.0))
    grid = [
        photo(51.0, 614.0, 244.0, 736.0),  # d
        photo(51.0, 416.0, 347.0, 608.0),  # a
        Region(
            [
                Element((360.0, 416.0, 553.0, 501.0), "image"),  # b
                Element((360.0, 508.0, 553.0, 608.0), "image"),  # c
                Element((360.0, 614.0, 553.0, 736.0), "image"),  # e
            ]
        ),
    ]
    (members,) = assign([cap], grid, [cap.bbox]).values()
    assert sorted(members) == [0, 1, 2]

    cap = _caption("Figure 9", (205.0, 295.0, 293.0, 391.0))
    a = photo(205.0, 190.0, 398.0, 289.0)
    b = Region(
        [
            Element((309.0, 281.0, 449.0, 388.0), "image"),
            Element((308.0, 280.0, 451.0, 390.0), "path"),
        ]
    )
    assert assign([cap], [a, b], [cap.bbox]) == {0: [0, 1]}
    # a shaded box of key points 17 pt right of a caption under its photo walls in no notch
    cap = _caption("Figure 24", (51.0, 229.0, 240.0, 249.0))
    key_points = Region(
        [
            Element((257.0, 56.0, 553.0, 263.0), "path"),
            Element((264.0, 57.0, 553.0, 95.0), "image"),  # the "KEY POINTS" title bar
            Element((486.0, 195.0, 552.0, 260.0), "image"),  # a logo
            *[Element((275.0, 100.0 + 14 * k, 540.0, 109.0 + 14 * k), "text") for k in range(10)],
        ]
    )
    assert assign([cap], [photo(51.0, 56.0, 244.0, 222.0), key_points], [cap.bbox]) == {0: [0]}


def test_a_pull_quote_is_running_text_and_its_ornament_no_figure_part() -> None:
    """JFMS: three centred lines of 12 pt prose (the body is 9.5 pt) are a pull quote, running
    text; the cat printed 6 pt over it is its ornament, not part of the photo beside it. One
    large line alone (a chart title) is not a pull quote; a photo beside the quote stays."""
    from litclip.corpus.extract.regions import drop_ornaments, running_text

    quote = [
        TextLine(
            "The only materials that it is permissible to retrieve",
            (64.6, 683.7, 350.2, 694.4),
            12.0,
        ),
        TextLine("through the instrumentation channel are", (92.4, 701.7, 322.4, 712.4), 12.0),
        TextLine(
            "endoscopic biopsies inside the biopsy forceps.", (73.6, 719.7, 341.2, 730.4), 12.0
        ),
    ]
    assert {id(ln) for ln in quote} <= running_text(quote, 9.5)
    assert not running_text(quote[:1], 9.5)
    cat = Element((274.0, 607.8, 341.6, 677.9), "image")
    photo = Element((368.1, 639.8, 561.1, 716.6), "image")
    assert drop_ornaments([cat, photo], quote, 9.5) == [photo]
    assert drop_ornaments([cat, photo], quote[:1], 9.5) == [cat, photo]


def test_a_narrow_pull_quote_of_short_lines_is_running_text() -> None:
    """JFMS: a pull quote set in a narrow column, a word or two a line in 14 pt bold (the
    body is 9.5 pt), one sentence; the cat printed under it is its ornament, not a part of
    the photo beside it. Three large lines without a sentence (a diagram's box "Patients /
    screened / n = 120"), with too few words, or set flush left (ReportLab's sample output
    beside its code) stay figure text."""
    from litclip.corpus.extract.regions import drop_ornaments, running_text

    words = [
        "Finding",
        "retained food",
        "in the stomach",
        "of a properly",
        "fasted cat may",
        "give useful",
        "information",
        "about a",
        "possible",
        "anatomical or",
        "mechanical",
        "outflow",
        "obstruction or",
        "gastric motility",
        "disorder.",
    ]
    quote = [
        TextLine(w, (310.0 - 4 * len(w), 385.0 + 18 * k, 310.0 + 4 * len(w), 399.0 + 18 * k), 14.0)
        for k, w in enumerate(words)
    ]
    assert {id(ln) for ln in quote} <= running_text(quote, 9.5)
    cat = Element((269.5, 640.5, 333.0, 702.4), "image")
    photo = Element((368.1, 541.9, 561.1, 722.2), "image")
    assert drop_ornaments([cat, photo], quote, 9.5) == [photo]
    box = [
        TextLine(w, (330.0 - 4 * len(w), 100.0 + 18 * k, 330.0 + 4 * len(w), 114.0 + 18 * k), 14.0)
        for k, w in enumerate(["Patients", "screened", "n = 120"])
    ]
    assert not running_text(box, 9.5)
    short = [
        TextLine(w, (330.0 - 4 * len(w), 100.0 + 18 * k, 330.0 + 4 * len(w), 114.0 + 18 * k), 14.0)
        for k, w in enumerate(["See the", "text for", "details."])
    ]
    assert not running_text(short, 9.5)
    # ReportLab's sample output beside its code: a sentence in three large lines, flush left
    flush = [
        TextLine(w, (509.0, 110.0 + 17 * k, 509.0 + 9 * len(w), 124.0 + 17 * k), 14.0)
        for k, w in enumerate(["This is in Times-Roman", "and this is in magenta", "Vera!"])
    ]
    assert not running_text(flush, 10.0)


def test_a_note_under_each_of_a_row_of_pictures_is_not_running_text() -> None:
    """CUDA DCT paper, Figure 4: three pictures side by side, each over a two- to four-line
    note in body type (the middle one read as running text), one caption under all; the
    note box of three shaded rows over them stays apart. Running text under a lone picture,
    or wider than the picture, or going on for more rows, stays running text."""
    from litclip.corpus.extract.regions import assign, notes_under_pictures

    pictures = [
        Element((88.0, 189.0, 217.0, 317.0), "image"),
        Element((237.0, 189.0, 365.0, 317.0), "image"),
        Element((386.0, 189.0, 513.0, 317.0), "image"),
    ]
    note = [
        _tl("Barbara image split into", 237.2, 328.8, 11.0, x1=375.0),
        _tl("macroblocks. Each macroblock", 237.2, 341.2, 11.0, x1=375.0),
        _tl("contains 8 blocks (2nd kernel)", 237.2, 353.7, 11.0, x1=361.2),
    ]
    body = [
        _tl(
            "The running text of the page, as wide as its column is.",
            161.0,
            420.0 + 13 * k,
            11.0,
            x1=522.0,
        )
        for k in range(3)
    ]
    lines = note + body
    running = {id(ln) for ln in lines}
    assert notes_under_pictures(lines, running, pictures) == {id(ln) for ln in note}
    assert notes_under_pictures(lines, running, pictures[1:2]) == set()  # a lone picture
    wide = [_tl(ln.text, 237.2, ln.y0, 11.0, x1=522.0) for ln in note]
    assert notes_under_pictures(wide + body, {id(ln) for ln in wide + body}, pictures) == set()
    long = note + [
        _tl("and a fourth row", 237.2, 366.0, 11.0),
        _tl("and a fifth one", 237.2, 378.4, 11.0),
    ]
    assert notes_under_pictures(long + body, {id(ln) for ln in long + body}, pictures) == set()

    cap = _caption("Figure 4", (193.0, 384.0, 455.0, 396.0))
    row = Region([*pictures, *[Element(ln.bbox, "text") for ln in note]])
    rows = [
        (124.0, 123.0, 524.0, 137.0),
        (124.0, 137.0, 524.0, 148.0),
        (124.0, 148.0, 524.0, 162.0),
    ]
    texts = [
        (125.0, 128.0, 522.0, 137.0),
        (161.0, 139.0, 522.0, 148.0),
        (161.0, 150.0, 490.0, 159.0),
    ]
    note_box = Region([*(Element(b, "path") for b in rows), *(Element(b, "text") for b in texts)])
    assert assign([cap], [row, note_box], [cap.bbox]) == {0: [0]}


def test_two_photos_joined_by_a_drop_shadow_part_at_their_captions_gutter() -> None:
    """JFMS Figures 14 and 15: two photos 4 pt apart, the first one's drop shadow (strips
    5-6 pt thick) filling the gap and running a point into its caption, each photo over its
    own caption: the region is cut between them."""
    photos = Region(
        [
            Element((59.0, 598.0, 261.0, 708.0), "image"),
            Element((261.0, 637.0, 266.0, 712.0), "image"),  # the shadow's side
            Element((60.0, 706.0, 90.0, 712.0), "image"),  # and its bottom
            Element((94.0, 707.0, 236.0, 712.0), "image"),
            Element((266.0, 642.0, 570.0, 714.0), "image"),
            Element((265.0, 648.0, 561.0, 700.0), "image"),
        ]
    )
    caps = [
        _caption("Figure 14", (59.4, 706.5, 243.6, 734.9)),
        _caption("Figure 15", (265.2, 713.7, 538.2, 734.6)),
    ]
    pieces = split_at_caption_gutters(caps, [photos])
    assert [tuple(round(v) for v in p.bbox) for p in pieces] == [
        (59, 598, 261, 712),
        (261, 637, 570, 714),
    ]


def test_a_lettered_panel_leans_to_the_caption_that_names_panels() -> None:
    """JFMS Figures 20 and 21: the side caption of Figure 21 sits 13 pt right of panel a of
    Figure 20 and 16 pt left of its own photo; panel a's printed "a" sends it to the caption
    that names "(a)" and "(b)", where it joins panel b."""
    from litclip.corpus.extract.regions import assign

    def caption(label: str, text: str, box: tuple[float, float, float, float]) -> Caption:
        return Caption("figure", label, label[-2:], label, [TextLine(f"{label} {text}", box, 6.5)])

    caps = [
        caption(
            "Figure 20", "(a) Semi-flexible forceps. (b) Rigid forceps", (51.0, 407.0, 181.0, 458.0)
        ),
        caption("Figure 21", "3.9 mm threaded cannula and trocar", (360.0, 557.0, 446.0, 570.0)),
    ]
    regions = [
        Region([Element((462.0, 334.0, 553.0, 569.0), "image")]),  # Figure 21
        Region([Element((185.0, 399.0, 347.0, 570.0), "image")]),  # panel a
        Region([Element((51.0, 463.0, 243.0, 570.0), "image")]),  # panel b
    ]
    letters = [
        TextLine("a", (190.0, 450.0, 195.0, 457.0), 7.0),
        TextLine("b", (55.0, 558.0, 60.0, 565.0), 7.0),
    ]
    boxes = [c.bbox for c in caps]
    out = assign(caps, [Region(list(r.elements)) for r in regions], boxes, letters)
    assert out[1] == [0] and sorted(out[0]) == [1, 2]
    assert 1 in assign(caps, regions, boxes)[1]  # without the letters: the nearer panel a


def test_a_caption_naming_top_and_bottom_takes_the_row_over_the_echoed_code() -> None:
    """tgp Figure 15: R echoes the code of the lower plots between the two rows of one
    float, and the caption says "Top: ...; bottom: ...". A caption that names no rows, or
    a paragraph between the rows, keeps the upper row apart."""
    from litclip.corpus.extract.regions import assign, names_rows

    assert names_rows("Figure 15: Top: posterior mean; bottom: quantile norm.")
    assert names_rows("Figure 10: Top-Left: mean ... Bottom: MAP trees")
    assert names_rows("Figure 2. Scans (upper panel) and counts (lower panel).")
    assert not names_rows("Figure 3: the top genes, with lower expression in controls.")
    assert not names_rows("Figure 4: Top: the mean.")

    def page() -> list[Region]:
        return [
            Region([Element((131.0, 171.0, 288.0, 323.0), "path")]),  # upper row
            Region([Element((308.0, 171.0, 464.0, 323.0), "path")]),
            Region([Element((131.0, 379.0, 295.0, 532.0), "path")]),  # lower row
            Region([Element((308.0, 379.0, 464.0, 532.0), "path")]),
        ]

    code = [
        TextLine("> par(mfrow=c(1,2))", (134.0, 330.0, 240.0, 339.0), 9.0),
        TextLine("> plot(fit, layout='as')", (134.0, 341.0, 280.0, 350.0), 9.0),
    ]
    barriers = [ln.bbox for ln in code]
    cap = _caption("Figure 15", (134.0, 537.0, 478.0, 573.0))
    rows = Caption(
        "figure",
        "Figure 15",
        "15",
        "Figure 15",
        [TextLine("Figure 15: Top: posterior mean; bottom: quantile norm.", cap.bbox, 10.0)],
    )
    assert sorted(assign([rows], page(), [rows.bbox, *barriers], code)[0]) == [0, 1, 2, 3]
    assert sorted(assign([cap], page(), [cap.bbox, *barriers], code)[0]) == [2, 3]
    prose = [
        TextLine(
            "The lower plots show the error, set",
            (134.0, 330.0 + 11 * i, 460.0, 339.0 + 11 * i),
            9.0,
        )
        for i in range(4)
    ]
    barriers = [ln.bbox for ln in prose]
    assert sorted(assign([rows], page(), [rows.bbox, *barriers], prose)[0]) == [2, 3]


def test_lone_markers_like_a_figures_own_join_it() -> None:
    """network Figure 2: the isolated nodes of a network plot lie 60-150 pt from its cluster;
    each is drawn like the cluster's nodes. A marker of another size, one too far, or one
    with a line of text between stays out."""
    from litclip.corpus.extract.regions import join_like_marks

    def node(x: float, y: float, size: float = 5.9) -> Element:
        return Element((x, y, x + size, y + size), "path")

    def cluster_() -> Region:
        edges = [Element((210.0, 300.0, 275.0, 410.0), "path")]
        return Region(edges + [node(205.0 + 12 * i, 300.0 + 20 * i) for i in range(5)])

    lone = [Region([node(x, y)]) for x, y in ((384.0, 282.0), (417.0, 364.0), (352.0, 501.0))]
    fig = cluster_()
    assert join_like_marks([fig], lone, []) == []
    assert fig.bbox == (205.0, 282.0, 422.9, 506.9)
    other = Region([node(384.0, 282.0, size=9.0)])  # another kind of mark
    far = Region([node(600.0, 700.0)])
    assert join_like_marks([cluster_()], [other, far], []) == [other, far]
    text_between = [(300.0, 330.0, 520.0, 340.0)]  # a line of running text
    assert join_like_marks([cluster_()], [Region([node(384.0, 345.0)])], text_between) != []


def test_a_shaded_box_of_output_with_a_bar_in_its_text_is_no_part_of_the_plot_under_it() -> None:
    """poweRlaw Figure 3: R's warnings printed in a shaded box right over the plot, one of
    them with a 4 x 1 pt bar set in its text (a math accent), are no stray part of the
    figure; a shape of its own inside the box (a chart's line) still makes it no box of
    text."""
    from litclip.corpus.extract.regions import assign

    def output(inner: tuple[float, float, float, float]) -> Region:
        rows = [Element((90.0, 63.0 + 14 * i, 500.0, 72.0 + 14 * i), "text") for i in range(5)]
        return Region([Element((66.0, 60.0, 535.0, 129.0), "path"), Element(inner, "path"), *rows])

    def plot() -> Region:
        return Region([Element((208.0, 154.0, 393.0, 315.0), "path")])

    cap = _caption("Figure 3", (69.0, 338.0, 532.0, 361.0))
    assert assign([cap], [plot(), output((436.0, 96.0, 440.0, 97.0))], [cap.bbox]) == {0: [0]}
    assert assign([cap], [plot(), output((300.0, 80.0, 340.0, 120.0))], [cap.bbox]) == {0: [0, 1]}


def test_two_plots_of_one_width_stacked_wide_apart_are_one_figure() -> None:
    """HSAUR3 Figure 6.3: R's layout(matrix(1:2, nrow = 2)) draws two boxplots 66 pt apart,
    their boxes sharing both side edges, over one caption. A part as far away that does not
    share its sides stays apart."""
    from litclip.corpus.extract.regions import assign

    lower = Region([Element((156.0, 492.0, 445.0, 649.0), "path")])
    cap = _caption("Figure 6.3", (249.0, 679.0, 370.0, 687.0))
    same = Region([Element((156.5, 269.0, 444.5, 426.0), "path")])
    assert sorted(assign([cap], [lower, same], [cap.bbox])[0]) == [0, 1]
    narrower = Region([Element((200.0, 269.0, 400.0, 426.0), "path")])
    lower = Region([Element((156.0, 492.0, 445.0, 649.0), "path")])
    assert assign([cap], [lower, narrower], [cap.bbox]) == {0: [0]}


def test_a_rule_under_a_tables_caption_ends_the_caption() -> None:
    """DREAMPlace (ACM): "Table 1: Notations" centred over a booktabs table; the column of
    short cells under its top rule read as the caption going on (54 pt of it), the caption
    then sat inside its table and took a pie chart 100 pt away. A rule across the caption
    between two of its rows ends it; an underlined word is narrower than the rows over it."""
    from litclip.corpus.extract.regions import stop_captions_at_rules

    def table_caption() -> Caption:
        rows = [
            TextLine("Table 1: Notations", (129.0, 65.0, 205.0, 74.0), 9.0),
            TextLine("Description", (132.0, 78.0, 170.0, 86.0), 9.0),
            TextLine("Set of cells", (132.0, 89.0, 168.0, 97.0), 9.0),
        ]
        return Caption("table", "Table 1", "1", "Table 1", rows)

    cap = table_caption()
    stop_captions_at_rules([cap], [Element((48.0, 75.5, 284.0, 76.0), "path")])
    assert cap.text == "Table 1: Notations"
    # a rule under one word of the first row (an underline) does not end it
    cap = table_caption()
    stop_captions_at_rules([cap], [Element((129.0, 75.5, 150.0, 76.0), "path")])
    assert len(cap.lines) == 3


def test_a_rule_under_a_figures_label_alone_heads_its_caption() -> None:
    """Annual Reviews sets "Figure 3" in the margin, a rule under it, then the caption's
    eleven narrow rows: the caption was cut to "Figure 3". A table's label alone over its
    top rule still ends there."""
    from litclip.corpus.extract.regions import stop_captions_at_rules

    def caption(kind: str, word: str) -> Caption:
        rows = [
            TextLine(f"{word} 3", (29.7, 39.3, 60.5, 49.4), 8.0),
            TextLine("Default diagnostic", (29.7, 52.0, 91.6, 62.0), 8.0),
            TextLine("plots for a linear", (29.7, 61.9, 84.9, 71.9), 8.0),
        ]
        return Caption(kind, f"{word} 3", "3", f"{word} 3", rows)

    rule = [Element((29.7, 50.5, 104.9, 51.0), "path")]
    cap = caption("figure", "Figure")
    stop_captions_at_rules([cap], rule)
    assert len(cap.lines) == 3
    cap = caption("table", "Table")
    stop_captions_at_rules([cap], rule)
    assert cap.text == "Table 3"


def test_a_letter_in_the_middle_of_a_drawn_box_is_no_panel_letter() -> None:
    """SLEPc's scheme of matrices labels its matrix "A" in the middle of its box: no panel
    letter, so the caption under it (naming no panels) is not sent to the drawing under the
    caption instead. A letter in a corner is a panel's."""
    from litclip.corpus.extract.regions import _lettered

    scheme = Region([Element((158.0, 190.0, 265.0, 299.0), "path")])
    middle = TextLine("A", (208.0, 240.0, 215.0, 248.0), 9.0)
    corner = TextLine("a", (161.0, 193.0, 166.0, 200.0), 9.0)
    assert _lettered([scheme], [middle]) == set()
    assert _lettered([scheme], [corner]) == {0}


def test_running_pieces_chain_along_the_row_only() -> None:
    from litclip.corpus.extract.regions import running_pieces

    long = TextLine("(dr) is the nearest-neighbour coupling.", (149.4, 466.2, 393.3, 475.2), 10.0)
    head = TextLine("Here g", (64.5, 466.2, 91.3, 475.2), 10.0)
    sup = TextLine("1l", (91.3, 464.6, 96.8, 470.8), 7.0)
    sub = TextLine("1l", (91.3, 471.6, 96.8, 477.8), 7.0)
    mid = TextLine("= w b A", (100.0, 469.1, 141.9, 475.5), 8.5)
    sup2 = TextLine("1l", (141.9, 464.6, 147.3, 470.8), 7.0)
    # a chart's label a word space beyond the row's end, and one on the row under it
    label = TextLine("Fig. 2a", (400.0, 466.2, 430.0, 475.2), 10.0)
    under = TextLine("x axis", (64.5, 478.0, 91.3, 487.0), 10.0)
    lines = [long, head, sup, sub, mid, sup2, label, under]
    got = running_pieces(lines, {id(long)})
    assert got == {id(head), id(sup), id(sub), id(mid), id(sup2)}
    assert running_pieces(lines, set()) == set()


def test_a_long_rule_inside_a_drawing_is_part_of_the_figure() -> None:
    """A forest plot's rule between its studies and the pooled estimate spans its study-label
    columns; dropped as a page rule, the crop kept the plot's right half alone. A frame's
    bottom edge (its sides meet it) and a header rule over a plot's background are no such
    rules."""
    from litclip.corpus.extract.regions import _rules_within_graphics

    def path(*b: float) -> Element:
        return Element(tuple(float(v) for v in b), "path", 0)

    forest = path(80, 330, 520, 331)  # studies' CI lines above it, the pooled diamond below
    drawing = [path(380, 300, 460, 322), path(400, 338, 430, 346)]
    assert _rules_within_graphics([forest], drawing, 842) == [forest]
    edge = path(87, 405.6, 529, 406.3)  # a frame's bottom: only its sides and corners touch
    frame = [path(86.4, 72.7, 87.1, 405.6), path(528.7, 405.6, 529.4, 406.3)]
    assert _rules_within_graphics([edge], frame, 792) == []
    header = path(54, 58, 542, 60)  # top tenth of the page, a plot's background under it
    assert (
        _rules_within_graphics([header], [path(300, 40, 540, 57), path(300, 70, 540, 200)], 792)
        == []
    )
    alone = path(80, 500, 520, 501)  # under a figure, text below: drawing on one side only
    assert _rules_within_graphics([alone], [path(100, 300, 500, 495)], 842) == []


def test_long_rules_that_close_a_box_are_a_frame() -> None:
    """TestU01's guide frames its program output in four rules the whole text wide, 420 pt
    tall (half the page): dropped as page rules, the listing lost its frame and its crop
    cut its first line. Rules closing a box around text are kept, up to 78% of the page
    tall; a frame around the whole text block or around drawings (NMF's vignette frames
    code and its plots), or rules that close no box, stay out."""
    from litclip.corpus.extract.regions import _rule_frames

    def frame(top: float, bottom: float) -> list[Element]:
        return [
            Element((71.0, top, 541.3, top + 2.0), "path", 0),
            Element((71.5, top + 0.5, 73.5, bottom), "path", 1),
            Element((538.8, top + 0.5, 540.8, bottom), "path", 2),
            Element((71.0, bottom - 1.5, 541.3, bottom + 0.5), "path", 3),
        ]

    box = frame(168.7, 589.4)
    assert sorted(e.index for e in _rule_frames(box, 841.9)) == [0, 1, 2, 3]
    assert _rule_frames(frame(40.0, 800.0), 841.9) == []  # the page's own frame
    assert _rule_frames([box[0], box[3]], 841.9) == []  # a rule over and under: no box
    assert _rule_frames(box[:3], 841.9) == []
    # a knitr chunk's frame around its code and the plots it draws: no listing's frame
    assert _rule_frames(box, 841.9, [Element((90.0, 257.2, 295.2, 500.0), "path")]) == []


def test_a_line_leading_in_to_a_figure_from_the_text_margin_stays_out_of_it() -> None:
    """FreeDV's manual: "These sections are shown below:" (body type, at the running text's
    left edge) 10 pt over a screenshot set in from that edge is the text's, not the
    figure's; a title of the same words centred over the picture joins it."""
    body = [_tl("The running text of the manual, long enough to be prose.", 72.0, 280.0)]
    shot = Element((175.0, 330.0, 433.0, 600.0), "image")
    lead = _tl("These sections are shown below:", 72.0, 310.0, x1=212.0)
    chart = Region([shot])
    attach_text([chart], [*body, lead], {id(body[0])}, body_size=10.0)
    assert chart.bbox == shot.bbox
    chart = Region([shot])
    title = _tl("These sections are shown below:", 234.0, 310.0, x1=374.0)
    attach_text([chart], [*body, title], {id(body[0])}, body_size=10.0)
    assert chart.bbox[1] == 310.0
    chart = Region([shot])  # without the body size (callers that do not know it): as before
    attach_text([chart], [*body, lead], {id(body[0])})
    assert chart.bbox[:2] == (72.0, 310.0)


def test_a_numbered_heading_over_a_figure_is_running_text() -> None:
    """AltOS's manual sets "12.1.1. Launch Pad" (13 pt) right over a screenshot, no
    paragraph under it: the heading was taken into 11 of 14 crops. A numbered heading, or
    "Chapter 12. AltosUI", in the text's size or larger at the text's left edge is the
    text's; a numbered step set small inside a diagram, or away from that edge, is not."""
    body = [
        _tl(
            "The selected tab automatically switches to display data relevant",
            48,
            200 + 14 * i,
            size=12,
        )
        for i in range(3)
    ]
    heading = _tl("12.1.1. Launch Pad", 48.2, 261, size=13, x1=165)
    chapter = _tl("Chapter 12. AltosUI", 48.2, 37, size=22, x1=250)
    step = _tl("1. Prepare the sample", 300, 400, size=8, x1=380)
    inset = _tl("2. Wash", 210, 420, size=12, x1=260)
    running = running_text([*body, heading, chapter, step, inset], 12)
    assert id(heading) in running and id(chapter) in running
    assert id(step) not in running and id(inset) not in running


def test_a_bold_heading_numbered_with_a_parenthesis_is_running_text() -> None:
    """luadraw's manual heads its sections "6) parallel_polyline()" and "10) Set Drawings
    (Venn Diagrams)" in bold at the text's left edge, under a figure: the figures took them
    in. Set so in bold, they are the text's; "1) load" in plain type is a diagram's step."""
    body = [
        _tl(
            "The function returns a polygonal line parallel to the list of points",
            42.5,
            300 + 12 * i,
        )
        for i in range(3)
    ]
    heading = _tl("6) parallel_polyline()", 42.5, 270, size=12, x1=200)
    heading.bold = [True] * len(heading.text)
    lower = _tl("10) Set Drawings (Venn Diagrams)", 42.5, 250, size=12, x1=236)
    lower.bold = [True] * len(lower.text)
    step = _tl("1) load the data", 42.5, 230, size=12, x1=140)
    running = running_text([*body, heading, lower, step], 10.0)
    assert id(heading) in running and id(lower) in running
    assert id(step) not in running
    # over running text all indented (bullets), a heading at the text's left margin
    bullets = [_tl(ln.text, 53.0, ln.y0) for ln in body]
    cut = _tl("11) Cutting a solid: cutpoly and cutfacet", 42.5, 270, size=12, x1=330)
    cut.bold = [True] * len(cut.text)
    assert id(cut) in running_text([*bullets, cut], 10.0)


def test_numbered_headings_on_a_page_without_paragraphs_are_running_text() -> None:
    """imview's manual: "4.6.2 Transform modes", two icons each beside a short line, "4.6.3
    Point annotation" and a screenshot; no paragraph on the page. The headings sit at the
    text's left margin and are the text's: the second had let the icons and the first
    heading join the screenshot under it. A numbered step inside a diagram is not."""
    first = _tl("4.6.2 Transform modes", 81.0, 120.9, size=12, x1=224.4)
    lines = [
        first,
        _tl("Rotate the image 90o counterclockwise.", 137.7, 166.7, size=10.9, x1=322.1),
        _tl("Rotate the image 90o clockwise.", 137.7, 207.4, size=10.9, x1=286.6),
    ]
    second = _tl("4.6.3 Point annotation", 81.0, 246.1, size=12, x1=221.3)
    step = _tl("2. Wash", 210, 420, size=11, x1=260)
    running = running_text([*lines, second, step], 11.0)
    assert id(first) in running and id(second) in running
    assert id(step) not in running


def test_a_sentence_alone_leading_into_a_figure_is_running_text() -> None:
    """Alliance's tutorial: "The figure 10 summarizes the followed process:" alone on its
    line at the paragraphs' indent, right over the diagram, which took it in. A sentence
    that leads into what follows, at a running line's left edge, is the text's; a line of
    the diagram's own, away from that edge or not ending so, is not."""
    body = [
        _tl(
            "Use GENLIB manual. The placement of the data-path columns should not be",
            86.9,
            234.3,
            x1=525.5,
        ),
        _tl(
            "routing feasibility and the quality of the resulting layout depends on it !",
            72.0,
            248.6,
            x1=383.4,
        ),
    ]
    lead = _tl("The figure 10 summarizes the followed process:", 86.9, 330.2, x1=294.8)
    inside = _tl("Physical predefined placement of the columns:", 114.7, 606.1, x1=300.0)
    label = _tl("GENLIB_DEF_PHFIG and GENLIB_SAVE_PHFIG()", 86.9, 640.1, x1=290.0)
    running = running_text([*body, lead, inside, label], 10.0)
    assert id(lead) in running
    assert id(inside) not in running and id(label) not in running


def test_two_lines_of_a_paragraph_broken_mid_word_are_running_text() -> None:
    """Annual Reviews sets a block quote of two 8 pt lines ("... the well-designed pre-" /
    "sentation of interesting data—a matter of sub-") right over a full-width picture: too
    few lines for a justified small paragraph, they were taken into the figure (IoU 0.87).
    A word broken across lines is prose; short labels broken so in a drawn box are not."""
    from litclip.corpus.extract.regions import running_text

    quote = [
        TextLine(
            "Graphical excellence is the well-designed pre-", (57.6, 317.7, 207.0, 327.7), 8.0
        ),
        TextLine(
            "sentation of interesting data—a matter of sub-", (57.6, 329.7, 207.0, 339.7), 8.0
        ),
    ]
    assert running_text(quote, 9.0) == {id(ln) for ln in quote}
    box = [
        TextLine("Patients with intra-", (60.0, 400.0, 130.0, 410.0), 8.0),
        TextLine("cranial bleeding", (60.0, 412.0, 120.0, 422.0), 8.0),
    ]
    unbroken = [
        TextLine("Graphical excellence is the well designed", (57.6, 317.7, 207.0, 327.7), 8.0),
        TextLine("presentation of interesting data and more", (57.6, 329.7, 207.0, 339.7), 8.0),
    ]
    assert running_text(box, 9.0) == set() and running_text(unbroken, 9.0) == set()


def test_an_algorithm_body_under_its_caption_is_not_a_stray_part_of_the_figure_under_it() -> None:
    """JasPer's JPEG-2000 paper: "Algorithm 2" heads a ruled block of five numbered steps;
    "Fig. 10", a drawing 14 pt under the block, is captioned under the drawing. The block is
    the algorithm's (a listing caption claims no region), not a part of Fig. 10."""
    from litclip.corpus.extract.regions import assign

    def regions() -> list[Region]:
        body = Region(
            [
                Element((306.0, 70.0, 559.6, 70.6), "path"),  # rule under the heading
                Element((306.0, 118.5, 559.6, 118.9), "path"),  # closing rule
            ]
            + [Element((306.0, 72.0 + 9 * i, 480.0, 79.0 + 9 * i), "text") for i in range(5)]
        )
        drawing = Region([Element((392.7, 132.8, 473.0, 224.5), "path")])
        return [body, drawing]

    algorithm = Caption(
        "listing",
        "Algorithm 2",
        "2",
        "Algorithm 2",
        [TextLine("Algorithm 2 Refinement pass algorithm.", (306.0, 57.4, 469.4, 68.6), 9.0)],
    )
    figure = _caption("Fig. 10", (355.5, 238.7, 509.9, 247.7))
    captions = [algorithm, figure]
    boxes = [c.bbox for c in captions]
    assert assign(captions, regions(), boxes) == {1: [1]}
    # the same block with no caption over it may be a part of the figure (a legend's box)
    assert assign([figure], regions(), [figure.bbox]) == {0: [1, 0]}


def test_a_figure_short_of_its_lettered_panels_takes_the_part_level_with_it() -> None:
    """PMV's tutorial, Fig 3: "(A) Rasmol Coloring scheme, (B) Shapely Coloring scheme"
    flush left under two tables of colour swatches (two images) 47 pt apart, the right one
    past the caption's end: both are the figure's. A caption naming no panels keeps the
    nearer part alone at that distance."""
    from litclip.corpus.extract.regions import assign

    def regions() -> list[Region]:
        return [
            Region([Element((126.2, 335.4, 288.8, 446.4), "image")]),
            Region([Element((336.0, 338.0, 493.1, 446.4), "image")]),
        ]

    def caption(text: str) -> Caption:
        line = TextLine(text, (97.2, 450.0, 330.5, 459.0), 8.0)
        return Caption("figure", "Figure 3", "3", "Fig 3", [line])

    named = caption("Fig 3: (A) Rasmol Coloring scheme, (B) Shapely Coloring scheme")
    assert assign([named], regions(), [named.bbox]) == {0: [0, 1]}
    plain = caption("Fig 3: Rasmol and Shapely Coloring schemes")
    assert assign([plain], regions(), [plain.bbox]) == {0: [0]}


def test_cells_of_a_figures_grid_are_the_figures_not_the_table_over_it() -> None:
    """Rythmos' Figure 12: a 2 x 2 grid of plots, its columns 30 pt apart, right under
    Table 2. The right column, stacked under the table, was taken into it; level top and
    foot with the left column, which Figure 12's caption took, it is Figure 12's."""
    from litclip.corpus.extract.regions import assign

    table_cap = _caption("Table 2", (162.0, 68.3, 450.0, 89.2), kind="table")
    fig_cap = _caption("Figure 12", (162.0, 503.2, 450.0, 548.0))
    table = Region([Element((136.1, 101.9, 475.9, 174.9), "path")])
    left = Region([Element((93.2, 199.5, 282.0, 477.9), "path")])
    right = Region([Element((311.7, 199.5, 501.0, 477.9), "path")])
    captions = [table_cap, fig_cap]
    out = assign(captions, [table, left, right], [c.bbox for c in captions])
    assert out == {0: [0], 1: [1, 2]}
    # gretl's: a table of text over a 2 x 2 grid, its caption right over the top row, which
    # it took; the row's cells are the grid's, and the caption is left with nothing
    table_cap = _caption("Table 2", (137.4, 395.4, 457.8, 404.2), kind="table")
    fig_cap = _caption("Figure 1", (130.5, 680.5, 464.5, 689.3))
    cells = [
        Region([Element((x0, y0, x0 + 151.3, y0 + 116.0), "path")])
        for y0 in (422.2, 548.2)
        for x0 in (139.9, 319.9)
    ]
    captions = [table_cap, fig_cap]
    out = assign(captions, cells, [c.bbox for c in captions])
    assert list(out) == [1] and sorted(out[1]) == [0, 1, 2, 3]
