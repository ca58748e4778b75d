"""The lean pdfium calls of layout analysis (:mod:`litclip.corpus.extract._raw`)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from reportlab.pdfgen import canvas

from litclip.corpus.extract import _raw


def _clipped_shapes(path: Path, n_points: int) -> None:
    """Rectangles clipped to a star-like outline of ``n_points`` points (a logo's clip)."""
    c = canvas.Canvas(str(path), pagesize=(400, 400))
    for k, (cx, cy) in enumerate(((100, 100), (300, 300))):
        c.saveState()
        p = c.beginPath()
        for i in range(n_points):
            a = 2 * math.pi * i / n_points
            r = 40 + 15 * math.sin(7 * a) + k
            x, y = cx + r * math.cos(a), cy + r * math.sin(a)
            (p.lineTo if i else p.moveTo)(x, y)
        p.close()
        c.clipPath(p, stroke=0, fill=0)
        for j in range(5):  # several objects share the clip path
            c.rect(cx - 80 + 10 * j, cy - 70, 150, 140, stroke=0, fill=1)
        c.restoreState()
    c.showPage()
    c.save()


@pytest.mark.parametrize("n_points", [5, 40, 3000])
def test_clip_boxes_read_in_one_go_equal_point_by_point(
    tmp_path: Path, n_points: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "clips.pdf"
    _clipped_shapes(path, n_points)
    pdf = pdfium.PdfDocument(str(path))
    page = pdf[0]
    fast = list(_raw.walk(page, (_raw.PATH,)))
    monkeypatch.setattr(_raw, "_ARRAY_READ_FROM", 10**9)  # point by point only
    slow = list(_raw.walk(page, (_raw.PATH,)))
    assert len(fast) == 10
    assert [b for _, _, b in fast] == [b for _, _, b in slow]
    # cut to the outline: no wider than its extreme radius (56 pt) around each centre
    for _, _, (x0, y0, x1, y1) in fast:
        assert x1 - x0 <= 2 * 56 + 1 and y1 - y0 <= 2 * 56 + 1
    page.close()
    pdf.close()


def test_thick_strokes_are_bounded_by_their_ink(tmp_path: Path) -> None:
    """pdfium grows a stroked path's box by its full line width each side; a thick line
    (OUP's template draws its grey figure placeholder as one line 74 pt wide) is boxed by
    its ink: exactly for a level or upright line with flat ends, else by half that growth.
    Thin lines keep pdfium's box. Inside a form scaled by 2 the same holds in page space."""
    path = tmp_path / "strokes.pdf"
    c = canvas.Canvas(str(path), pagesize=(600, 800))
    c.setLineWidth(74)
    c.line(100, 100, 500, 100)  # flat ends: 100..500 by 63..137
    c.setLineWidth(20)
    c.setLineCap(1)
    c.line(100, 300, 300, 300)  # round ends reach 10 pt past the line's ends
    c.setLineCap(0)
    c.rect(100, 400, 200, 100, stroke=1, fill=0)  # a frame: 10 pt out of its outline
    c.setLineWidth(1)
    c.line(100, 600, 300, 600)  # a hairline: as pdfium boxes it
    c.showPage()
    c.save()
    pdf = pdfium.PdfDocument(str(path))
    boxes = [tuple(round(v, 1) for v in b) for _, _, b in _raw.walk(pdf[0], (_raw.PATH,))]
    assert boxes == [
        (100.0, 63.0, 500.0, 137.0),
        (90.0, 290.0, 310.0, 310.0),
        (90.0, 390.0, 310.0, 510.0),
        (99.0, 599.0, 301.0, 601.0),
    ]

    def placed(scale: float) -> list[tuple[float, ...]]:
        """The page drawn as a form XObject at ``scale`` times its size."""
        doc = pdfium.PdfDocument.new()
        page = doc.new_page(600 * scale, 800 * scale)
        obj = pdf.page_as_xobject(0, doc).as_pageobject()
        obj.transform(pdfium.PdfMatrix().scale(scale, scale))
        page.insert_obj(obj)
        page.gen_content()
        return [tuple(round(v, 1) for v in b) for _, _, b in _raw.walk(page, (_raw.PATH,))]

    assert placed(2)[0] == (200.0, 126.0, 1000.0, 274.0)
    # at a tenth of its size the 74 pt line is still thick (7.4 pt), the round-ended 20 pt
    # one is 2 pt wide on the page: thin, boxed as pdfium boxes it
    small = placed(0.1)
    assert small[0] == (10.0, 6.3, 50.0, 13.7)
    assert small[1] == (8.0, 28.0, 32.0, 32.0)
    pdf.close()


def test_sharp_corners_grow_no_spikes_beyond_the_join_s_reach(tmp_path: Path) -> None:
    """pdfium grows a stroked path's box by a mitre at each sharp corner whatever the join:
    a sliver triangle of a MetaPost polyhedron, its points 30 pt tall, drawn 0.48 pt wide
    with round joins, came out 78 pt tall, over the caption of the figure above it. Its
    box is its points grown by the join's reach: 3/4 of the line width for a round join,
    ten half widths (the PDF default mitre limit) for a mitre join."""
    path = tmp_path / "sliver.pdf"
    c = canvas.Canvas(str(path), pagesize=(400, 400))
    c.setLineWidth(0.48)
    for join, dx in ((1, 0.0), (0, 100.0)):  # round, then mitre
        c.setLineJoin(join)
        p = c.beginPath()
        p.moveTo(185.1 - dx, 226.8)
        p.lineTo(177.8 - dx, 243.9)
        p.lineTo(171.6 - dx, 257.2)
        p.close()
        c.drawPath(p, stroke=1, fill=0)
    c.showPage()
    c.save()
    pdf = pdfium.PdfDocument(str(path))
    spiky = [obj.get_bounds() for obj in pdf[0].get_objects()]
    assert all(b[3] - b[1] > 70 for b in spiky)  # what pdfium reports
    round_join, mitre = (b for _, _, b in _raw.walk(pdf[0], (_raw.PATH,)))
    assert round_join == pytest.approx((171.24, 226.44, 185.46, 257.56), abs=0.01)
    assert mitre == pytest.approx((69.2, 226.17, 85.73, 259.6), abs=0.05)  # within pdfium's box
    pdf.close()


def _two_curves(path: Path, apart: float, points: int) -> None:
    """One stroked path of two wavy curves of ``points`` points each, ``apart`` pt apart."""
    c = canvas.Canvas(str(path), pagesize=(600, 400))
    c.setLineWidth(2)
    c.setLineJoin(1)
    p = c.beginPath()
    for x0 in (100.0, 200.0 + apart):
        for i in range(points):
            x, y = x0 + 100 * i / (points - 1), 200 + 30 * math.sin(i / 3)
            (p.lineTo if i else p.moveTo)(x, y)
    c.drawPath(p, stroke=1, fill=0)
    c.showPage()
    c.save()


@pytest.mark.parametrize("points", [3, 40])
def test_a_path_s_drawings_far_apart_are_boxed_apart(
    tmp_path: Path, points: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A datasheet drew the dashed curves of the first and third of three charts in a row
    as one path: its box reached over the middle chart and made one figure of three. Its
    drawings parted by a gutter 20 pt wide or more are boxed one by one; nearer, one box."""
    far, near = tmp_path / "far.pdf", tmp_path / "near.pdf"
    _two_curves(far, 60, points)
    _two_curves(near, 10, points)
    pdf = pdfium.PdfDocument(str(far))
    boxes = [b for _, _, b in _raw.walk(pdf[0], (_raw.PATH,))]
    assert len(boxes) == 2
    # each curve's points grown by the round join's reach (3/4 of the 2 pt width)
    for (x0, _y0, x1, _y1), left in zip(boxes, (100.0, 260.0), strict=True):
        assert x0 == pytest.approx(left - 1.5, abs=0.01)
        assert x1 == pytest.approx(left + 101.5, abs=0.01)
    monkeypatch.setattr(_raw, "_ARRAY_READ_FROM", 10**9)  # point by point gives the same
    assert [b for _, _, b in _raw.walk(pdf[0], (_raw.PATH,))] == boxes
    pdf.close()
    pdf = pdfium.PdfDocument(str(near))
    assert len(list(_raw.walk(pdf[0], (_raw.PATH,)))) == 1
    pdf.close()


def test_drawings_are_grouped_by_the_gutters_that_part_them() -> None:
    """Gutters across all the drawings part them, then gutters inside each part: two plots
    side by side, the right one over a third; a stroke across a gutter holds its sides."""
    boxes = np.array(
        [
            (0, 0, 100, 100),  # left plot
            (10, 10, 90, 90),
            (130, 0, 230, 100),  # right plot, 30 pt over...
            (130, 130, 230, 200),  # ...the plot under it
            (150, 5, 160, 95),
        ],
        float,
    )
    groups = _raw._gutter_groups(boxes, 20.0)
    assert [g.tolist() for g in groups] == [[0, 1], [2, 4], [3]]
    boxes[4] = (50, 5, 160, 95)  # now across the gutter: the two plots are one drawing
    assert [g.tolist() for g in _raw._gutter_groups(boxes, 20.0)] == [[0, 1, 2, 4], [3]]
