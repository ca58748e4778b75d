"""Scanned pages (a page picture under an invisible OCR layer) on generated PDFs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from reportlab.pdfgen import canvas

from litclip.corpus.evaluate import iou
from litclip.corpus.extract import extract_pdf
from litclip.corpus.extract.scans import scan_elements
from litclip.corpus.types import UNREADABLE_TEXT
from litclip.data.synthetic import scan_pdf
from tests.corpus.test_extract_layout import _chart, caption, image, make, paragraph, photo, top


def _two_figures(c: canvas.Canvas) -> None:
    y = paragraph(c, 72, 50, 95, 5)
    c.setLineWidth(0.8)
    c.line(72, top(y + 4), 540, top(y + 4))  # a rule just above the photo
    image(c, photo(3, (300, 180)), (150, y + 10, 450, y + 190))
    caption(c, 72, y + 200, "Figure 1.", ["Axial T2-weighted MRI of the lesion in the left lobe."])
    y = paragraph(c, 72, y + 230, 95, 4)
    _chart(c, 150, y + 20, 280, 150)
    caption(c, 72, y + 200, "Figure 2.", ["Lesion volume over the weeks after the operation."])
    paragraph(c, 72, y + 230, 95, 6)


def test_figures_on_a_scanned_page_are_found(tmp_path: Path) -> None:
    born = make(tmp_path, "born.pdf", _two_figures)
    truth = extract_pdf(born).figures
    assert [f.label for f in truth] == ["Figure 1", "Figure 2"]
    variants = [
        {},
        {"tinted": True, "noise": 3.0},
        {"text_under": True},
        {"bitonal": True},
        {"skew": 0.8},  # OCR boxes miss the edges of turned text lines: slivers are dropped
    ]
    for k, options in enumerate(variants):
        scan = scan_pdf(born, tmp_path / f"scan{k}.pdf", dpi=200, **options)
        ex = extract_pdf(scan)
        assert [f.label for f in ex.figures] == ["Figure 1", "Figure 2"], ex.warnings
        for got, want in zip(ex.figures, truth, strict=True):
            assert got.caption == want.caption
            assert iou(got.bbox, want.bbox) > 0.8, (options, got.bbox, want.bbox)
        assert [f.source for f in ex.figures] == ["raster", "vector"]  # photo, line art
        assert any("1 scanned page(s) (1)" in w for w in ex.warnings)


def test_tinted_scan_compound_figure_is_split_at_its_gutter(tmp_path: Path) -> None:
    def draw(c: canvas.Canvas) -> None:
        y = paragraph(c, 72, 50, 95, 5)
        image(c, photo(5, (180, 180)), (120, y + 10, 290, y + 180))
        image(c, photo(6, (180, 180)), (310, y + 10, 480, y + 180))
        caption(c, 72, y + 192, "Figure 3.", ["(A) Axial T1 image. (B) Axial T2 image."])
        paragraph(c, 72, y + 230, 95, 6)

    scan = scan_pdf(make(tmp_path, "born.pdf", draw), tmp_path / "scan.pdf", tinted=True)
    (fig,) = extract_pdf(scan).figures
    assert [(p.letter, p.caption) for p in fig.panels] == [
        ("A", "Axial T1 image."),
        ("B", "Axial T2 image."),
    ]
    assert fig.panels[0].bbox[2] < 300 < fig.panels[1].bbox[0]


def test_scan_without_text_layer_is_reported(tmp_path: Path) -> None:
    page = np.full((792, 612), 255, np.uint8)
    page[100:300, 150:450] = 90
    path = make(
        tmp_path, "picture.pdf", lambda c: image(c, Image.fromarray(page), (0, 0, 612, 792))
    )
    ex = extract_pdf(path)
    assert ex.figures == []
    assert any("no text layer" in w for w in ex.warnings)


def test_visible_text_over_a_page_background_is_not_a_scan(tmp_path: Path) -> None:
    """A decorative full-page background under real (visible) text keeps the object layout."""

    def draw(c: canvas.Canvas) -> None:
        image(c, Image.new("RGB", (61, 79), (250, 246, 236)), (0, 0, 612, 792))
        _two_figures(c)

    ex = extract_pdf(make(tmp_path, "background.pdf", draw))
    assert [f.label for f in ex.figures] == ["Figure 1", "Figure 2"]
    assert not any("scanned" in w for w in ex.warnings)


def test_frames_and_rules_are_not_figure_ink() -> None:
    """A frame around a figure and its caption (and page rules) is dropped; the drawing
    inside it stays, as line art."""
    scale = 1.5
    gray = np.full((int(792 * scale), int(612 * scale)), 250, np.uint8)
    s = lambda v: int(v * scale)  # noqa: E731
    gray[s(100) : s(500), s(80)] = gray[s(100) : s(500), s(530)] = 0  # frame sides
    gray[s(100), s(80) : s(530)] = gray[s(500), s(80) : s(530)] = 0  # frame top, bottom
    gray[s(60), s(72) : s(540)] = 0  # a running-head rule
    for x in range(150, 450, 60):  # a flow chart: boxes joined by arrows
        gray[s(150) : s(190), s(x) : s(x + 40)][[0, -1], :] = 0
        gray[s(150) : s(190), s(x) : s(x + 40)][:, [0, -1]] = 0
        gray[s(170), s(x + 40) : s(x + 60)] = 0
    elements = scan_elements([], gray)
    assert len(elements) == 1
    (chart,) = elements
    assert chart.kind == "path" and chart.scan
    assert iou(chart.bbox, (150, 150, 430, 190)) > 0.9


def test_scanned_pages_are_reported_as_ranges() -> None:
    from litclip.corpus.extract.document import _page_ranges

    assert _page_ranges([1, 2, 3, 7, 9, 10]) == "1-3, 7, 9-10"
    assert _page_ranges([4]) == "4"


def _undecoded(text: str) -> str:
    """``text`` as a font without a Unicode map may read: capitals 29 code points down."""
    return "".join(chr(ord(c) - 29) if c.isalpha() else c for c in text.upper())


def test_text_layer_that_does_not_read_as_words_is_reported(tmp_path: Path) -> None:
    """Fonts without a Unicode map give glyph codes, not letters ("),*85( 1" for
    "FIGURE 1"): no caption can be found, and the PDF says why instead of just finding
    nothing."""

    def draw(c: canvas.Canvas, shifted: bool) -> None:
        text = "The lesion was resected and the patient recovered well after surgery."
        c.setFont("Times-Roman", 10)
        for i in range(12):
            c.drawString(72, top(80 + 12 * i), _undecoded(text) if shifted else text)
        image(c, photo(4, (300, 180)), (150, 250, 450, 430))
        label, rest = "Figure 1.", "Axial T2-weighted MRI of the lesion."
        if shifted:
            label, rest = _undecoded(label), _undecoded(rest)
        caption(c, 72, 440, label, [rest])

    plain = extract_pdf(make(tmp_path, "plain.pdf", lambda c: draw(c, False)))
    assert len(plain.figures) == 1
    assert not any(UNREADABLE_TEXT in w for w in plain.warnings)
    undecoded = extract_pdf(make(tmp_path, "undecoded.pdf", lambda c: draw(c, True)))
    assert undecoded.figures == []
    assert undecoded.warnings[0].startswith(UNREADABLE_TEXT)


def test_a_mostly_scanned_pdf_without_ocr_is_reported(tmp_path: Path) -> None:
    """QEX's article: 8 of 9 pages scanned with no text layer, a typed last page. Its figures
    were missed with no warning: it read as a PDF whose figures have no captions."""
    sheet = np.full((792, 612), 255, np.uint8)
    sheet[100:300, 150:450] = 90
    path = tmp_path / "mostly-scanned.pdf"
    c = canvas.Canvas(str(path), pagesize=(612, 792))
    for _ in range(2):
        image(c, Image.fromarray(sheet), (30, 20, 580, 760))  # a scan with margins
        c.showPage()
    paragraph(c, 72, 72, 95, 5)  # the typed page
    c.showPage()
    c.save()
    (said,) = [w for w in extract_pdf(path).warnings if "no text layer" in w]
    assert said.startswith("pages that are pictures with no text layer") and "2 of 3 (1-2)" in said


def test_one_full_page_figure_among_text_pages_is_no_scan(tmp_path: Path) -> None:
    sheet = np.full((792, 612), 255, np.uint8)
    sheet[100:300, 150:450] = 90
    path = tmp_path / "plate.pdf"
    c = canvas.Canvas(str(path), pagesize=(612, 792))
    paragraph(c, 72, 72, 95, 5)
    c.showPage()
    image(c, Image.fromarray(sheet), (30, 20, 580, 760))  # a plate: its caption elsewhere
    c.showPage()
    paragraph(c, 72, 72, 95, 5)
    c.showPage()
    c.save()
    assert not [w for w in extract_pdf(path).warnings if "no text layer" in w]


def test_a_picture_page_without_text_is_trimmed_as_any_page(tmp_path: Path) -> None:
    """Telling such pages apart (for the scan warning) had skipped the trimming of white
    padding that every page gets: a figure plate kept its whole blank sheet as its box."""
    import pypdfium2 as pdfium

    from litclip.corpus.extract.document import _graphic_elements

    sheet = np.full((792, 612), 255, np.uint8)
    sheet[300:400, 200:400] = 40
    path = make(
        tmp_path, "plate.pdf", lambda c: image(c, Image.fromarray(sheet), (30, 20, 580, 760))
    )
    elements, paper, picture_only = _graphic_elements(pdfium.PdfDocument(path)[0], [], 10**9)
    (box,) = [e.bbox for e in elements]
    assert picture_only and paper is None
    assert box[2] - box[0] < 250 and box[3] - box[1] < 150  # the ink, not the sheet
