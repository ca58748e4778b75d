"""The lean pdfium calls of layout analysis (:mod:`litclip.corpus.extract._raw`)."""

from __future__ import annotations

import math
from pathlib import Path

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
