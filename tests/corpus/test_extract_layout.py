"""Figure/caption/panel extraction on tiny generated PDFs (reportlab, in tmp_path)."""

from __future__ import annotations

import ctypes
import io
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from litclip.corpus.evaluate import iou
from litclip.corpus.extract import _raw, extract_pdf, iter_figures, open_pdf, render_figure, upright
from litclip.corpus.extract.text import TextLine, page_lines
from litclip.corpus.types import PdfError
from tests.corpus.corpus_fixtures import pdf_from_objects

W, H = 612.0, 792.0
BODY = (
    "The patients were followed for a median of thirty months after surgery and all of them "
    "had imaging at each visit with the same protocol on the same scanner."
)


def photo(seed: int, size: tuple[int, int] = (200, 160)) -> Image.Image:
    """A seeded textured grey image (no white rows, so it never splits into panels)."""
    rng = np.random.default_rng(seed)
    arr = rng.integers(30, 200, size=(size[1], size[0]), dtype=np.uint8)
    return Image.fromarray(arr).convert("RGB")


def top(y: float) -> float:
    """reportlab's bottom-left y for a top-left y."""
    return H - y


def paragraph(
    c: canvas.Canvas,
    x: float,
    y: float,
    width_chars: int,
    n_lines: int,
    text: str = BODY,
    size: float = 10,
) -> float:
    """Running text lines (10 pt unless told) starting at top-left y; returns the y below
    the block."""
    c.setFont("Times-Roman", size)
    words = (text + " ") * 6
    pitch = 1.2 * size
    for i in range(n_lines):
        c.drawString(
            x, top(y + size + i * pitch), words[i * width_chars : (i + 1) * width_chars].strip()
        )
    return y + n_lines * pitch + 4


def caption(c: canvas.Canvas, x: float, y: float, label: str, rest: list[str]) -> None:
    """A caption at top-left y: bold label, 8 pt text, wrapped lines."""
    c.setFont("Helvetica-Bold", 8)
    c.drawString(x, top(y + 8), label)
    c.setFont("Helvetica", 8)
    c.drawString(x + c.stringWidth(label, "Helvetica-Bold", 8) + 3, top(y + 8), rest[0])
    for i, line in enumerate(rest[1:], start=1):
        c.drawString(x, top(y + 8 + i * 10), line)


def image(c: canvas.Canvas, img: Image.Image, box: tuple[float, float, float, float]) -> None:
    x0, y0, x1, y1 = box
    c.drawImage(ImageReader(img), x0, top(y1), width=x1 - x0, height=y1 - y0)


def make(tmp_path: Path, name: str, draw: Callable[[canvas.Canvas], None]) -> Path:
    path = tmp_path / name
    c = canvas.Canvas(str(path), pagesize=(W, H))
    draw(c)
    c.showPage()
    c.save()
    return path


def test_raster_figure_caption_below_and_in_text_reference(tmp_path: Path) -> None:
    def draw(c: canvas.Canvas) -> None:
        y = paragraph(c, 72, 60, 95, 4)
        image(c, photo(1), (150, y + 10, 450, y + 250))
        caption(
            c,
            72,
            y + 262,
            "Figure 1.",
            ["Axial T2-weighted MRI of the brain showing a large", "ring-enhancing lesion."],
        )
        c.setFont("Times-Roman", 10)
        c.drawString(
            72,
            top(y + 320),
            "As shown in Figure 1, the lesion was large and the edema was marked around it.",
        )
        c.drawString(
            72,
            top(y + 332),
            "Figure 1 shows the lesion again; note that Figure 2. is never drawn anywhere.",
        )

    ex = extract_pdf(make(tmp_path, "a.pdf", draw))
    assert [f.label for f in ex.figures] == ["Figure 1"]
    fig = ex.figures[0]
    assert fig.caption.startswith(
        "Figure 1. Axial T2-weighted MRI of the brain showing a large ring-enhancing"
    )
    assert fig.source == "raster" and fig.n_raster == 1 and fig.panels == []
    assert iou(fig.bbox, (150, 122, 450, 362)) > 0.9  # paragraph ends at y=112
    assert ex.uncaptioned_regions == 0


def test_two_columns_with_spanning_figure(tmp_path: Path) -> None:
    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 50, 50, 48, 5)
        paragraph(c, 320, 50, 48, 5)
        image(c, photo(2, (400, 150)), (60, 130, 550, 300))  # spans both columns
        caption(
            c, 50, 310, "Fig. 1", ["Spanning figure caption text across both columns of the page."]
        )
        paragraph(c, 50, 340, 48, 8)
        image(c, photo(3), (60, 450, 280, 600))  # left column only
        caption(c, 50, 610, "Fig. 2", ["Left column figure.", "Second line of the caption."])
        paragraph(c, 320, 340, 48, 25)  # right column running text beside it

    ex = extract_pdf(make(tmp_path, "b.pdf", draw))
    labels = {f.label: f for f in ex.figures}
    assert set(labels) == {"Figure 1", "Figure 2"}
    assert iou(labels["Figure 1"].bbox, (60, 130, 550, 300)) > 0.9
    assert iou(labels["Figure 2"].bbox, (60, 450, 280, 600)) > 0.9
    assert labels["Figure 2"].caption == "Fig. 2 Left column figure. Second line of the caption."


def _chart(c: canvas.Canvas, x0: float, y0: float, w: float, h: float) -> None:
    c.setLineWidth(1)
    c.line(x0, top(y0 + h), x0 + w, top(y0 + h))  # x axis
    c.line(x0, top(y0 + h), x0, top(y0))  # y axis
    pts = [(x0 + i * w / 8, y0 + h - (i * 7 % 5 + 1) * h / 6) for i in range(9)]
    for (ax, ay), (bx, by) in zip(pts, pts[1:], strict=False):
        c.line(ax, top(ay), bx, top(by))
    c.setFont("Helvetica", 6)
    for i in range(5):
        c.drawString(x0 - 14, top(y0 + h - i * h / 4), f"{i * 10}")
    c.drawString(x0 + w / 2 - 10, top(y0 + h + 12), "Weeks")
    c.saveState()
    c.translate(x0 - 22, top(y0 + h / 2 + 20))
    c.rotate(90)
    c.drawString(0, 0, "Volume (ml)")
    c.restoreState()


def test_vector_chart_with_axis_labels(tmp_path: Path) -> None:
    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 60, 95, 3)
        _chart(c, 120, 120, 300, 180)
        caption(c, 72, 330, "Figure 2.", ["Lesion volume over time."])
        paragraph(c, 72, 360, 95, 5)

    ex = extract_pdf(make(tmp_path, "c.pdf", draw))
    assert len(ex.figures) == 1
    fig = ex.figures[0]
    assert fig.source == "vector" and fig.n_raster == 0
    # the box takes in tick labels, the rotated axis title and the x-axis title
    assert fig.bbox[0] < 105 and fig.bbox[3] > 305
    assert iou(fig.bbox, (98, 120, 420, 315)) > 0.8


def test_an_algorithm_over_its_ruled_text_does_not_take_the_figure_under_it(
    tmp_path: Path,
) -> None:
    """poweRlaw's vignette: "Algorithm 2: Do we have a power-law?" heads a ruled block of
    numbered steps set right over two plots captioned "Figure 2." under them. The
    algorithm's caption is a caption (of code, kept apart like a table's) and takes no
    region: the plots are Figure 2's, both of them."""

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 3)
        caption(c, 90, 100, "Algorithm 2:", ["Do we have a power-law?"])
        c.setLineWidth(0.5)
        c.line(90, top(111), 520, top(111))
        c.setFont("Helvetica", 8)  # the steps run on under the title: one caption block
        for i in range(7):
            step = f"{i + 1}:  Calculate the statistic of step {i} from the data set and the fit"
            c.drawString(90, top(121 + i * 10), step + " of the model to the data set.")
        c.line(90, top(188), 520, top(188))
        _chart(c, 110, 216, 170, 140)
        _chart(c, 340, 216, 170, 140)
        caption(c, 72, 386, "Figure 2.", ["Histograms of the bootstrap results."])
        paragraph(c, 72, 420, 95, 4)

    ex = extract_pdf(make(tmp_path, "alg.pdf", draw))
    assert [f.label for f in ex.figures] == ["Figure 2"]
    assert iou(ex.figures[0].bbox, (88, 216, 510, 370)) > 0.8


def test_charts_in_a_row_stay_apart_when_one_path_draws_in_two_of_them(
    tmp_path: Path,
) -> None:
    """Agilent's datasheet sets three charts in a row, each over its own caption, and draws
    the dashed curves of the first and the third as one path: that path's box covered the
    middle chart, and the three charts became one figure that took the first caption. Each
    chart is its caption's figure."""

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 3)
        lefts = (100.0, 270.0, 440.0)
        for k, x in enumerate(lefts):
            _chart(c, x, 120, 130, 120)
            caption(c, x - 20, 270, f"Figure {k + 1}.", [f"Gain of stage {k + 1}."])
        c.setDash(3, 2)
        p = c.beginPath()
        for x in (lefts[0], lefts[2]):  # one path, a dashed curve in charts 1 and 3
            for i in range(9):
                (p.lineTo if i else p.moveTo)(x + i * 130 / 8, top(150 + 10 * (i % 3)))
        c.drawPath(p, stroke=1, fill=0)
        paragraph(c, 72, 300, 95, 4)

    ex = extract_pdf(make(tmp_path, "row.pdf", draw))
    assert [f.label for f in ex.figures] == ["Figure 1", "Figure 2", "Figure 3"]
    for fig, x in zip(ex.figures, (100.0, 270.0, 440.0), strict=True):
        assert iou(fig.bbox, (x - 22, 120, x + 130, 255)) > 0.7


def test_table_caption_kept_apart(tmp_path: Path) -> None:
    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 60, 95, 3)
        caption(c, 72, 110, "Table 1.", ["Baseline characteristics."])
        c.setFont("Helvetica", 8)
        for r in range(6):
            y = 130 + r * 14
            c.line(72, top(y), 540, top(y))
            for k in range(4):
                c.drawString(80 + k * 115, top(y + 10), f"cell {r}.{k}")
        c.line(72, top(214), 540, top(214))
        paragraph(c, 72, 240, 95, 4)

    ex = extract_pdf(make(tmp_path, "d.pdf", draw))
    assert ex.figures == []
    assert [t.label for t in ex.tables] == ["Table 1"]
    assert ex.tables[0].caption == "Table 1. Baseline characteristics."
    assert ex.tables[0].bbox is not None and iou(ex.tables[0].bbox, (72, 130, 540, 214)) > 0.8


def test_compound_figure_four_images(tmp_path: Path) -> None:
    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 60, 95, 3)
        boxes = [
            (150, 120, 300, 240),
            (306, 120, 456, 240),
            (150, 246, 300, 366),
            (306, 246, 456, 366),
        ]
        c.setFont("Helvetica-Bold", 9)
        for k, box in enumerate(boxes):
            image(c, photo(10 + k), box)
            c.setFillColorRGB(1, 1, 1)
            c.drawString(box[0] + 4, top(box[1] + 12), "ABCD"[k])
            c.setFillColorRGB(0, 0, 0)
        caption(
            c,
            72,
            380,
            "Figure 3.",
            ["Glioma. (A) Axial T2. (B) Coronal FLAIR. (C) Contrast T1. (D) Perfusion map."],
        )

    ex = extract_pdf(make(tmp_path, "e.pdf", draw))
    fig = ex.figures[0]
    assert [p.letter for p in fig.panels] == ["A", "B", "C", "D"]
    assert fig.shared_caption == "Glioma."
    assert [p.caption for p in fig.panels] == [
        "Axial T2.",
        "Coronal FLAIR.",
        "Contrast T1.",
        "Perfusion map.",
    ]
    assert iou(fig.panels[3].bbox, (306, 246, 456, 366)) > 0.9
    assert iou(fig.bbox, (150, 120, 456, 366)) > 0.95


def test_rows_named_by_position_give_their_words_to_every_picture_in_them(
    tmp_path: Path,
) -> None:
    """JNS's "Upper: ... Lower: ..." over two rows of three images: the six pictures are the
    panels, and each takes its row's words (the top row's second image once took the
    lower row's)."""

    def draw(c: canvas.Canvas) -> None:
        for r in range(2):
            for k in range(3):
                box = (72 + 160 * k, 100 + 130 * r, 222 + 160 * k, 220 + 130 * r)
                image(c, photo(10 + 3 * r + k), box)
        caption(
            c,
            72,
            370,
            "FIG. 2.",
            [
                "Upper: Preoperative axial, coronal and sagittal MR images.",
                "Lower: Postoperative images in the same planes.",
            ],
        )

    fig = extract_pdf(make(tmp_path, "rows.pdf", draw)).figures[0]
    assert [p.letter for p in fig.panels] == ["A", "B", "C", "D", "E", "F"]
    upper, lower = (
        "Preoperative axial, coronal and sagittal MR images.",
        ("Postoperative images in the same planes."),
    )
    assert [p.caption for p in fig.panels] == [upper] * 3 + [lower] * 3
    assert [p.printed_letter for p in fig.panels] == ["upper"] * 3 + ["lower"] * 3


def test_compound_figure_in_one_image_split_at_gutters(tmp_path: Path) -> None:
    canvas_img = Image.new("RGB", (420, 200), "white")
    canvas_img.paste(photo(20, (200, 200)), (0, 0))
    canvas_img.paste(photo(21, (200, 200)), (220, 0))

    def draw(c: canvas.Canvas) -> None:
        image(c, canvas_img, (100, 100, 520, 300))
        caption(c, 72, 310, "Figure 4.", ["(a) Before and (b) after treatment."])

    fig = extract_pdf(make(tmp_path, "f.pdf", draw)).figures[0]
    assert [p.letter for p in fig.panels] == ["A", "B"]
    # the letter column is upper-case; the caption's own case is kept alongside
    assert [(p.printed_letter, p.caption) for p in fig.panels] == [
        ("a", "Before"),  # the "and" joining two panels is no content
        ("b", "after treatment."),
    ]
    assert iou(fig.panels[0].bbox, (100, 100, 300, 300)) > 0.9


def test_figure_without_caption_is_counted_not_kept(tmp_path: Path) -> None:
    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 60, 95, 3)
        image(c, photo(5), (150, 120, 450, 320))
        paragraph(c, 72, 340, 95, 5)

    ex = extract_pdf(make(tmp_path, "g.pdf", draw))
    assert ex.figures == [] and ex.uncaptioned_regions == 1
    info: dict = {}
    assert list(iter_figures(make(tmp_path, "g.pdf", draw), info=info)) == []
    assert info == {"n_pages": 1, "uncaptioned_regions": 1, "tables": 0, "warnings": []}


def test_iter_figures_renders_and_returns_native_jpeg(tmp_path: Path) -> None:
    jpg = tmp_path / "x.jpg"
    photo(7, (300, 200)).save(jpg, quality=90)

    def draw(c: canvas.Canvas) -> None:
        c.drawImage(str(jpg), 150, top(320), width=300, height=200)
        caption(c, 72, 330, "Figure 1.", ["A native JPEG figure."])

    items = list(iter_figures(make(tmp_path, "h.pdf", draw), dpi=144))
    assert len(items) == 1
    fig, whole, panels, native = items[0]
    assert abs(whole.width - 600) <= 2 and abs(whole.height - 400) <= 2
    assert panels == []
    assert native is not None and native[:3] == b"\xff\xd8\xff"
    assert Image.open(io.BytesIO(native)).size == (300, 200)


def _image_pdf(
    path: Path,
    content: bytes,
    size: tuple[int, int],
    data: bytes,
    page_box: bytes = b"/MediaBox [0 0 612 792] ",
    tree_box: bytes = b"",
) -> Path:
    """A hand-written one-page PDF drawing the grey image XObject /Im0 (``size`` declared
    pixels, ``data`` its Flate stream) and Helvetica /F1 with ``content``; the MediaBox on
    the page (``page_box``) or on its Pages node (``tree_box``)."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 " + tree_box + b">>",
        b"<< /Type /Page /Parent 2 0 R " + page_box + b"/Contents 4 0 R "
        b"/Resources << /XObject << /Im0 5 0 R >> /Font << /F1 6 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Filter /FlateDecode /Length %d >>\nstream\n"
        % (*size, len(data))
        + data
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    path.write_bytes(pdf_from_objects(objs))
    return path


def _huge_image_pdf(path: Path, side: int = 40000) -> Path:
    """A hand-written PDF whose image XObject DECLARES side x side pixels (tiny stream)."""
    content = b"q 300 0 0 200 150 400 cm /Im0 Do Q BT /F1 8 Tf 72 380 Td (Figure 1. Huge.) Tj ET"
    return _image_pdf(path, content, (side, side), zlib.compress(b"\x80" * 64))


def test_a_media_box_inherited_from_the_page_tree_places_figures_right(tmp_path: Path) -> None:
    """An A4 page whose MediaBox sits on its parent Pages node, not on the page (a Chinese
    thesis made so): pypdfium2's get_cropbox reads the page's own dictionary and falls back
    to US Letter (792 pt tall), which put every figure 50 pt too high."""
    pixels = zlib.compress(bytes(range(256)) * 64)  # 128 x 128 grey ramp
    content = b"q 300 0 0 200 150 400 cm /Im0 Do Q BT /F1 9 Tf 150 385 Td (Figure 1. A ramp.) Tj ET"
    path = _image_pdf(
        tmp_path / "inherited.pdf",
        content,
        (128, 128),
        pixels,
        page_box=b"",
        tree_box=b"/MediaBox [0 0 595.28 841.89] ",
    )
    (fig,) = extract_pdf(path).figures
    assert iou(fig.bbox, (150, 841.89 - 600, 450, 841.89 - 400)) > 0.95
    pdf = open_pdf(path)
    try:
        (line,) = [ln for ln in page_lines(pdf[0]) if ln.text.startswith("Figure 1.")]
    finally:
        pdf.close()
    assert abs(line.y1 - (841.89 - 385)) < 4


def test_huge_declared_image_is_never_decoded(tmp_path: Path) -> None:
    path = _huge_image_pdf(tmp_path / "huge.pdf")
    ex = extract_pdf(path)
    assert any(w.startswith("huge_image") for w in ex.warnings)
    with pytest.raises(PdfError) as info:
        list(iter_figures(path))
    assert info.value.kind == "huge_image"
    # a figure found on such a page: its page is said once, though both the analysis and
    # the render found it too big
    content = (
        b"q 300 0 0 200 150 400 cm /Im0 Do Q BT /F1 9 Tf 150 385 Td "
        b"(Figure 1. A chest radiograph with an opacity in the right lower lobe.) Tj ET"
    )
    found = _image_pdf(tmp_path / "found.pdf", content, (40000, 40000), zlib.compress(b"\x80"))
    assert len(extract_pdf(found).figures) == 1
    with pytest.raises(PdfError) as info:
        list(iter_figures(found))
    assert str(info.value) == (
        "huge_image: page 1 declares a 40000x40000 px image; not rendered (over --max-pixels "
        "50,000,000)"
    )
    pdf = open_pdf(path)
    try:
        with pytest.raises(PdfError):
            render_figure(pdf, (150, 192, 450, 392), page=1)
    finally:
        pdf.close()


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"", "not_pdf"),
        (b"<html>not a pdf</html>", "not_pdf"),
        (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "truncated"),
    ],
)
def test_bad_files_raise_pdf_error_kinds(tmp_path: Path, content: bytes, kind: str) -> None:
    path = tmp_path / "bad.pdf"
    path.write_bytes(content)
    with pytest.raises(PdfError) as info:
        extract_pdf(path)
    assert info.value.kind == kind


def test_encrypted_pdf_needs_password(tmp_path: Path) -> None:
    path = tmp_path / "enc.pdf"
    c = canvas.Canvas(str(path), encrypt="secret")
    c.drawString(72, 720, "hello")
    c.save()
    with pytest.raises(PdfError) as info:
        extract_pdf(path)
    assert info.value.kind == "encrypted"
    assert extract_pdf(path, password="secret").n_pages == 1


def test_figure_inside_form_xobject_is_placed_on_the_page(tmp_path: Path) -> None:
    def draw(c: canvas.Canvas) -> None:
        c.beginForm("fig")
        c.rect(0, 0, 200, 150, fill=1)
        c.line(0, 0, 250, 160)
        c.endForm()
        c.saveState()
        c.translate(150, 400)
        c.scale(1.5, 1.5)
        c.doForm("fig")
        c.restoreState()
        caption(c, 72, H - 400 + 10, "Figure 1.", ["A figure placed as a form XObject."])

    fig = extract_pdf(make(tmp_path, "form.pdf", draw)).figures[0]
    # rect 150..450 x 167..392 and the line up to (525, 152), top-left origin
    assert iou(fig.bbox, (148, 150, 527, 394)) > 0.95


def test_rotated_page_crop_matches_unrotated_box(tmp_path: Path) -> None:
    def draw(c: canvas.Canvas) -> None:
        image(c, photo(9), (150, 120, 450, 320))
        caption(c, 72, 330, "Figure 1.", ["On a rotated page."])

    doc = open_pdf(make(tmp_path, "plain.pdf", draw))
    doc[0].set_rotation(90)  # /Rotate 90: displayed landscape, coordinates unchanged
    path = tmp_path / "rot.pdf"
    doc.save(path)
    doc.close()
    fig = extract_pdf(path).figures[0]
    assert iou(fig.bbox, (150, 120, 450, 320)) > 0.95
    pdf = open_pdf(path)
    try:
        img = render_figure(pdf, fig, dpi=72)
    finally:
        pdf.close()
    assert abs(img.width - 300) <= 2 and abs(img.height - 200) <= 2
    assert np.asarray(img.convert("L")).mean() < 200  # the photo, not white margin


def test_dense_vector_page_uses_grid_grouping(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 4)
        for x, y in rng.uniform([100, 200], [500, 480], size=(2500, 2)):
            c.circle(x, top(y), 1.2, fill=1)
        c.rect(100, top(480), 400, 280)
        caption(c, 72, 495, "Figure 1.", ["A dense scatter plot."])

    fig = extract_pdf(make(tmp_path, "dense.pdf", draw)).figures[0]
    assert iou(fig.bbox, (100, 200, 500, 480)) > 0.95


def test_caption_above_figure_and_label_on_its_own_line(tmp_path: Path) -> None:
    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 4)
        c.setFont("Helvetica-Bold", 9)
        c.drawString(72, top(110), "FIGURE 2")
        c.setFont("Helvetica", 9)
        c.drawString(72, top(121), "Coronal CT of the sinuses before surgery.")
        image(c, photo(4), (150, 130, 450, 330))
        paragraph(c, 72, 345, 95, 6)

    ex = extract_pdf(make(tmp_path, "above.pdf", draw))
    assert [f.label for f in ex.figures] == ["Figure 2"]
    assert ex.figures[0].caption == "FIGURE 2 Coronal CT of the sinuses before surgery."
    assert iou(ex.figures[0].bbox, (150, 130, 450, 330)) > 0.95


def test_side_caption_next_to_figure(tmp_path: Path) -> None:
    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 4)
        image(c, photo(6), (72, 120, 352, 320))
        caption(
            c, 365, 200, "Fig. 5", ["Sagittal T1 image", "of the lumbar spine", "after fixation."]
        )
        paragraph(c, 72, 340, 95, 6)

    fig = extract_pdf(make(tmp_path, "side.pdf", draw)).figures[0]
    assert fig.caption == "Fig. 5 Sagittal T1 image of the lumbar spine after fixation."
    assert iou(fig.bbox, (72, 120, 352, 320)) > 0.95


def test_a_side_caption_split_per_panel_takes_each_panel_beside_it(tmp_path: Path) -> None:
    """NEURON's Figure 2: the caption stands in a narrow column left of its panels, "A. ..."
    beside the strip of panel A and "B. ..." far down beside plot B, 100 pt under A. Both
    paragraphs are the caption's, and the figure is both panels."""

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 60, 95, 8)
        c.setFont("Times-Roman", 9)
        for i, text in enumerate(
            (
                "Figure 2. Model of synaptic input onto a dendrite.",
                "A. The dendrite is a cylinder 1 um thick and",
                "2500 um long with the synapse at its midpoint.",
            )
        ):
            c.drawString(72, top(259 + 11 * i), text)
        for i, text in enumerate(
            ("B. The synaptic conductance follows an alpha", "function with a 1 ms time constant.")
        ):
            c.drawString(72, top(409 + 11 * i), text)
        image(c, photo(3, (190, 45)), (300, 245, 490, 290))
        image(c, photo(4, (170, 130)), (310, 390, 480, 520))
        paragraph(c, 72, 560, 95, 6)

    (fig,) = extract_pdf(make(tmp_path, "side_split.pdf", draw)).figures
    assert fig.caption.endswith(
        "B. The synaptic conductance follows an alpha function with a 1 ms time constant."
    )
    assert iou(fig.bbox, (300, 245, 490, 520)) > 0.95


def test_a_thesis_caption_in_body_type_under_its_picture_is_found(tmp_path: Path) -> None:
    """LASTZ's thesis: double-spaced, its captions in the body's face and size with no
    punctuation after the label ("Figure 5.2 Gap Lengths Distribution. ..."). Under the
    picture it is the picture's caption."""

    def draw(c: canvas.Canvas) -> None:
        c.setFont("Times-Roman", 12)
        words = (BODY + " ") * 4
        for i in range(8):
            c.drawString(72, top(72 + i * 24), words[i * 80 : (i + 1) * 80].strip())
        image(c, photo(5), (150, 290, 450, 500))
        c.drawString(
            72, top(530), "Figure 5.2 Gap Lengths Distribution. Gap lengths of the alignments"
        )
        c.drawString(72, top(554), "found with and without the spaced seed.")
        for i in range(5):
            c.drawString(72, top(600 + i * 24), words[i * 80 : (i + 1) * 80].strip())

    (fig,) = extract_pdf(make(tmp_path, "thesis.pdf", draw)).figures
    assert fig.label == "Figure 5.2" and fig.caption.endswith("without the spaced seed.")
    assert iou(fig.bbox, (150, 290, 450, 500)) > 0.95


def test_a_listing_under_its_caption_is_a_figure(tmp_path: Path) -> None:
    """IEEE sets a listing's caption over it (OMPL's "Fig. 3. Solving a motion planning
    problem with OMPL in Python." over its code): the listing is the figure."""

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 60, 95, 10)
        caption(c, 72, 240, "Fig. 3.", ["Solving a motion planning problem in Python."])
        c.setFont("Courier", 8)
        code = ["def is_valid(state):", "    return state.x < .6", "", "space = SE3StateSpace()"]
        code += ["ss = SimpleSetup(space)", "solved = ss.solve(1.0)"]
        for i, text in enumerate(code):
            c.drawString(80, top(272 + i * 10), text)
        paragraph(c, 72, 340, 95, 10)

    (fig,) = extract_pdf(make(tmp_path, "listing_under.pdf", draw)).figures
    assert fig.label == "Figure 3"
    assert 262 <= fig.bbox[1] <= 266 and 320 <= fig.bbox[3] <= 326


def test_a_listing_under_its_caption_wins_over_a_block_of_text_over_it(tmp_path: Path) -> None:
    """Intel's CRC paper: "Figure 4. Pseudo-code for Single Folding" stands between a
    paragraph whose formulas read like pseudocode ("K1 = ... mod P(x)", stepping in) and its
    framed listing under it. The listing is the figure, not the lines over the caption."""

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 60, 95, 6)
        c.setFont("Times-Roman", 10)  # the text's face, with the formulas' "=" and "()"
        for i, (x, text) in enumerate(
            (
                (90, "Given a buffer (len >= 2*128 bits):"),
                (104, "we set T = 128 bits;"),
                (118, "the constants are K1 = x(128+64) mod P(x)"),
                (132, "and K2 = x(128) mod P(x);"),
                (104, "one fold (two multiplies) a chunk."),
            )
        ):
            c.drawString(x, top(168 + i * 12), text)
        caption(c, 72, 240, "Figure 4.", ["Pseudo-code for single folding."])
        c.setFont("Courier", 9)
        for i, text in enumerate(
            ("loop:", "  movdqa xmm2, xmm1", "  add rcx, 16", "  sub rax, 1", "  jne loop")
        ):
            c.drawString(90, top(270 + i * 12), text)
        paragraph(c, 72, 360, 95, 8)

    (fig,) = extract_pdf(make(tmp_path, "listing_not_prose.pdf", draw)).figures
    assert fig.label == "Figure 4"
    assert fig.bbox[1] > 255, fig.bbox


def test_paragraph_starting_with_a_reference_does_not_take_the_figure(tmp_path: Path) -> None:
    def draw(c: canvas.Canvas) -> None:
        image(c, photo(8), (150, 60, 450, 260))
        caption(c, 72, 270, "Figure 1.", ["Axial FLAIR image."])
        # a new paragraph right below that starts with an in-text reference to another figure
        paragraph(
            c,
            72,
            300,
            95,
            1,
            text="Figure 3 (B) shows the same lesion after six months of treatment with steroids.",
        )
        paragraph(c, 72, 316, 95, 4)

    ex = extract_pdf(make(tmp_path, "ref.pdf", draw))
    assert [f.label for f in ex.figures] == ["Figure 1"]


def test_double_spaced_manuscript_caption_is_whole(tmp_path: Path) -> None:
    def draw(c: canvas.Canvas) -> None:
        c.setFont("Times-Roman", 12)
        words = (BODY + " ") * 4
        for i in range(10):  # double-spaced running text (24 pt leading)
            c.drawString(72, top(60 + i * 24), words[i * 80 : (i + 1) * 80].strip())
        image(c, photo(12), (150, 300, 450, 500))
        c.drawString(
            72, top(530), "Figure 1. Axial T2-weighted image of the cervical spine showing a"
        )
        c.drawString(
            72, top(554), "hyperintense intramedullary lesion at the level of C3 with cord"
        )
        c.drawString(72, top(578), "expansion and surrounding oedema.")

    fig = extract_pdf(make(tmp_path, "manuscript.pdf", draw)).figures[0]
    assert fig.caption.endswith("cord expansion and surrounding oedema.")
    assert iou(fig.bbox, (150, 300, 450, 500)) > 0.95


def test_clipped_image_uses_the_visible_part(tmp_path: Path) -> None:
    def draw(c: canvas.Canvas) -> None:
        c.saveState()
        p = c.beginPath()
        p.rect(150, top(320), 300, 200)  # visible window 150..450 x 120..320
        c.clipPath(p, stroke=0, fill=0)
        c.drawImage(ImageReader(photo(3)), 100, top(400), width=400, height=330)
        c.restoreState()
        caption(c, 72, 330, "Figure 1.", ["A clipped photograph."])

    fig = extract_pdf(make(tmp_path, "clip.pdf", draw)).figures[0]
    assert iou(fig.bbox, (150, 120, 450, 320)) > 0.95


def test_columns_written_line_by_line_are_not_merged(tmp_path: Path) -> None:
    left = "Left column text that fills the whole column width here"

    def draw(c: canvas.Canvas) -> None:
        width = c.stringWidth(left, "Times-Roman", 10)
        c.setFont("Times-Roman", 10)
        for i in range(6):  # each row: left column, a 14 pt gutter, then right column
            c.drawString(50, top(60 + i * 12), left)
            c.drawString(
                50 + width + 14, top(60 + i * 12), "right column text of the same row here"
            )
        image(c, photo(2), (50, 150, 260, 300))
        caption(c, 50, 310, "Figure 1.", ["Short."])
        c.setFont("Times-Roman", 10)
        c.drawString(50 + width + 14, top(318), "right column text beside the caption")

    fig = extract_pdf(make(tmp_path, "rows.pdf", draw)).figures[0]
    assert fig.caption == "Figure 1. Short."


def _frame_caption(c: canvas.Canvas, y: float, label: str, text: str) -> None:
    """A caption at the left edge (x -200) of a figure drawn in a turned frame."""
    c.setFont("Helvetica-Bold", 9)
    c.drawString(-200, y, label)
    c.setFont("Helvetica", 9)
    c.drawString(-155, y, text)


@pytest.mark.parametrize("angle", [90, -90])
def test_landscape_figure_with_sideways_caption(tmp_path: Path, angle: int) -> None:
    def draw(c: canvas.Canvas) -> None:
        c.setFont("Times-Roman", 10)
        c.drawString(72, top(40), "Running head of the article")
        c.saveState()
        c.translate(306, 396)
        c.rotate(angle)
        # in the turned frame: a 400 x 250 photo with its caption below it
        c.drawImage(ImageReader(photo(14, (400, 250))), -200, -100, width=400, height=250)
        _frame_caption(
            c, -115, "Figure 4.", "Sagittal reconstruction of the whole spine, shown in landscape."
        )
        c.restoreState()

    ex = extract_pdf(make(tmp_path, f"landscape{angle}.pdf", draw))
    assert [f.label for f in ex.figures] == ["Figure 4"]
    fig = ex.figures[0]
    assert (
        fig.caption == "Figure 4. Sagittal reconstruction of the whole spine, shown in landscape."
    )
    # the photo covers x 306-150..306+100 or 306-100..306+150 and y 396-200..396+200 (top-left)
    expected = (156, 196, 406, 596) if angle == 90 else (206, 196, 456, 596)
    assert iou(fig.bbox, expected) > 0.95


def _sideways_photo_page(c: canvas.Canvas, angle: int) -> None:
    """A 400 x 250 photo with a red square in its top-left corner and its caption under it,
    the whole set turned by ``angle`` on the page."""
    c.saveState()
    c.translate(306, 396)
    c.rotate(angle)
    c.drawImage(ImageReader(photo(14, (400, 250))), -200, -100, width=400, height=250)
    c.setFillColorRGB(1, 0, 0)
    c.rect(-200, 110, 40, 40, stroke=0, fill=1)
    c.setFillColorRGB(0, 0, 0)
    _frame_caption(c, -115, "Figure 2.", "Axial T1 of the brain, set sideways on the page.")
    c.restoreState()


def _red_corner(img: Image.Image) -> tuple[bool, bool]:
    """Whether the top-left and the bottom-right corners of ``img`` are red."""
    a = np.asarray(img.convert("RGB")).astype(int)
    h, w = a.shape[0] // 12, a.shape[1] // 12

    def red(c: np.ndarray) -> bool:
        return bool((c[..., 0] - c[..., 1]).mean() > 150)

    return red(a[:h, :w]), red(a[-h:, -w:])


@pytest.mark.parametrize("angle", [90, -90])
def test_sideways_figure_crop_reads_upright(tmp_path: Path, angle: int) -> None:
    """A landscape figure on a portrait page is cropped turned, as a reader turns the page:
    landscape, with its top-left corner top left (its box stays in page space)."""
    path = make(tmp_path, f"sideways{angle}.pdf", lambda c: _sideways_photo_page(c, angle))
    ((fig, whole, panels, _native),) = list(iter_figures(path, dpi=72))
    assert fig.label == "Figure 2" and fig.turn == (90 if angle == 90 else 270)
    assert fig.bbox[3] - fig.bbox[1] > fig.bbox[2] - fig.bbox[0]  # page space: tall
    assert whole.width > whole.height
    assert _red_corner(whole) == (True, False)
    assert not panels
    pdf = open_pdf(path)
    try:
        page_space = render_figure(pdf, fig, dpi=72)
    finally:
        pdf.close()
    assert page_space.height > page_space.width
    assert upright(page_space, fig.turn).tobytes() == whole.tobytes()


def test_sideways_figure_is_stored_upright_with_its_turn(tmp_path: Path) -> None:
    from litclip.corpus import CorpusConfig, build_corpus
    from litclip.corpus.writers import read_manifest

    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    make(pdfs, "sideways.pdf", lambda c: _sideways_photo_page(c, -90))
    build_corpus(pdfs, tmp_path / "out", CorpusConfig(workers=1))
    (row,) = read_manifest(tmp_path / "out").to_dict("records")
    assert row["turn"] == 270 and row["width"] > row["height"]
    assert _red_corner(Image.open(tmp_path / "out" / row["filepath"])) == (True, False)


@pytest.mark.parametrize("angle", [90, -90])
def test_sideways_figure_panels_are_named_as_a_reader_sees_them(tmp_path: Path, angle: int) -> None:
    """Panels of a landscape figure are found in its upright frame: (A), on the left as the
    reader turns the page, is the red picture and takes the sub-caption "(A) ..."."""

    def draw(c: canvas.Canvas) -> None:
        c.saveState()
        c.translate(306, 396)
        c.rotate(angle)
        for x0, colour in ((-200, (0.8, 0.1, 0.1)), (20, (0.1, 0.1, 0.8))):
            c.setFillColorRGB(*colour)
            c.rect(x0, -60, 180, 150, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
        _frame_caption(
            c, -75, "Figure 5.", "(A) Axial T1 before contrast. (B) Axial T1 after contrast."
        )
        c.restoreState()

    path = make(tmp_path, f"sideways_panels{angle}.pdf", draw)
    ((fig, _whole, panels, _native),) = list(iter_figures(path, dpi=72))
    assert [p.letter for p in fig.panels] == ["A", "B"]
    assert fig.panels[0].caption.startswith("Axial T1 before")
    red, blue = (np.asarray(p.convert("RGB")).astype(int).mean(axis=(0, 1)) for p in panels)
    assert red[0] > 150 > red[2] and blue[2] > 150 > blue[0]
    assert all(p.width > p.height for p in panels)  # each upright: 180 wide, 150 tall


def test_rotated_page_with_sideways_content_is_read(tmp_path: Path) -> None:
    """A landscape page made by /Rotate over content drawn sideways (a report's landscape
    pages): its captions run sideways in page space and are read in a turned frame."""
    doc = open_pdf(make(tmp_path, "drawn.pdf", lambda c: _sideways_photo_page(c, 90)))
    doc[0].set_rotation(90)
    path = tmp_path / "landscape_page.pdf"
    doc.save(path)
    doc.close()
    ((fig, whole, _panels, _native),) = list(iter_figures(path, dpi=72))
    assert fig.caption == "Figure 2. Axial T1 of the brain, set sideways on the page."
    assert iou(fig.bbox, (156, 196, 406, 596)) > 0.95
    assert whole.width > whole.height and _red_corner(whole) == (True, False)


def test_running_head_of_rotate_pages_stays_out_of_a_figure(tmp_path: Path) -> None:
    """A report whose pages are all turned by /Rotate 90 over content drawn sideways: its
    running head and the rule under it, at the top of the pages as displayed (the left edge
    of the page space), are furniture there and stay out of a figure set close under them."""
    path = tmp_path / "drawn.pdf"
    c = canvas.Canvas(str(path), pagesize=(W, H))
    for n in range(4):
        c.saveState()
        c.translate(W / 2, H / 2)
        c.rotate(90)  # the landscape page: x -396..396, y -306..306 (y up)
        c.setFont("Helvetica", 9)
        c.drawString(-350, 278, "SOLAR FARM IMPACT STUDY - Municipality of Seranon")
        c.setLineWidth(1)
        c.line(-350, 272, 350, 272)
        if n == 2:
            c.drawImage(ImageReader(photo(3, (400, 170))), -200, 92, width=400, height=170)
            c.setFont("Helvetica-Bold", 9)
            c.drawString(-200, 78, "Figure 3 : Regional planning schemes taken into account")
        c.setFont("Times-Roman", 10)
        for k in range(12):
            c.drawString(
                -350, 40 - 14 * k, f"Body text of page {n + 1}, line {k + 1} of the report."
            )
        c.restoreState()
        c.showPage()
    c.save()
    doc = open_pdf(path)
    for page in doc:
        page.set_rotation(90)
    turned = tmp_path / "report.pdf"
    doc.save(turned)
    doc.close()
    (fig,) = extract_pdf(turned).figures
    # the photo in page space (top-left origin): x 306-262..306-92, y 396-200..396+200
    assert iou(fig.bbox, (44, 196, 214, 596)) > 0.95


def test_axis_title_of_body_size_is_not_running_text(tmp_path: Path) -> None:
    """A 30-character axis title set at the body size under a plot is part of the figure,
    not running text standing between the plot and its caption."""

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 3)
        _chart(c, 150, 110, 300, 200)
        c.setFont("Times-Roman", 10.3)
        c.drawCentredString(300, top(340), "rate of motion (arcsec / hour)")
        caption(c, 72, 360, "Figure 10.", ["Detections against the rate of motion."])
        paragraph(c, 72, 390, 95, 4)

    (fig,) = extract_pdf(make(tmp_path, "axis_title.pdf", draw)).figures
    assert fig.bbox[3] > 338  # down to the axis title


def test_sideways_axis_title_set_apart_joins_the_figure(tmp_path: Path) -> None:
    """A rotated axis title 19 pt left of the tick labels is the figure's; a long sideways
    margin note ("Downloaded from ...") 18 pt left of the title is not."""

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 3)
        x0, y0, w, h = 200, 120, 280, 180
        c.setLineWidth(1)
        c.line(x0, top(y0 + h), x0 + w, top(y0 + h))
        c.line(x0, top(y0 + h), x0, top(y0))
        c.line(x0, top(y0 + h), x0 + w, top(y0 + 20))
        c.setFont("Helvetica", 8)
        for i in range(5):
            c.drawRightString(x0 - 4, top(y0 + h - i * h / 4), f"{i * 0.5:.1f}")
        note = "Downloaded from example.org on 2 December 2026"  # beside the plot, but long
        for x, text in ((x0 - 34, "Signal strength"), (x0 - 60, note)):
            c.setFont("Helvetica", 8 if text != note else 6)
            c.saveState()
            c.translate(x, top(y0 + h - 20))
            c.rotate(90)
            c.drawString(0, 0, text)
            c.restoreState()
        caption(c, 72, 330, "Figure 4.", ["Signal strength against the mass."])
        paragraph(c, 72, 360, 95, 4)

    (fig,) = extract_pdf(make(tmp_path, "ytitle.pdf", draw)).figures
    assert 150 < fig.bbox[0] < 165  # the title (x 158-166) is in, the note (x 132-140) out


def test_two_vector_charts_with_panel_letters(tmp_path: Path) -> None:
    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 3)
        _chart(c, 110, 120, 180, 150)
        _chart(c, 360, 120, 180, 150)
        c.setFont("Helvetica-Bold", 10)
        c.drawString(80, top(115), "A")
        c.drawString(330, top(115), "B")
        caption(c, 72, 310, "Figure 6.", ["Volumes. (A) Grey matter. (B) White matter."])

    fig = extract_pdf(make(tmp_path, "charts.pdf", draw)).figures[0]
    assert fig.source == "vector"
    assert [(p.letter, p.caption) for p in fig.panels] == [
        ("A", "Grey matter."),
        ("B", "White matter."),
    ]
    assert fig.panels[0].bbox[2] < 300 < fig.panels[1].bbox[0]


LONG_CAPTION = "Shapes drawn in perspective with the same light, each in its own frame, and a line."


def test_like_unlettered_drawings_side_by_side_are_panels(tmp_path: Path) -> None:
    """Two drawings of one size a gutter apart (luadraw's and earth's figures, nothing
    naming them) are two panels; two boxes of a state diagram joined by an arrow stay one,
    and so does a drawing that prints an axis scale (a chart; plots are cut by scales)."""

    def shape(c: canvas.Canvas, x: float, y: float) -> None:
        c.rect(x, top(y + 140), 150, 140)
        c.circle(x + 75, top(y + 70), 50)
        c.line(x + 20, top(y + 120), x + 130, top(y + 20))

    def pair(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 3)
        shape(c, 140, 120)
        shape(c, 320, 120)
        caption(c, 72, 290, "Figure 2.", [LONG_CAPTION])

    fig = extract_pdf(make(tmp_path, "pair.pdf", pair)).figures[0]
    assert len(fig.panels) == 2
    assert fig.panels[0].bbox[2] < 305 < fig.panels[1].bbox[0]

    def states(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 3)
        shape(c, 110, 120)
        shape(c, 340, 120)
        c.line(272, top(190), 328, top(190))  # the transition, its ends clear of both boxes
        caption(c, 72, 290, "Figure 3.", [LONG_CAPTION])

    fig = extract_pdf(make(tmp_path, "states.pdf", states)).figures[0]
    assert fig.panels == []

    def charted(c: canvas.Canvas) -> None:  # the pair over one axis scale: a chart
        pair(c)
        c.setFont("Helvetica", 7)
        for k, tick in enumerate(("0", "50", "100", "150")):
            c.drawString(150 + 40 * k, top(272), tick)

    fig = extract_pdf(make(tmp_path, "charted.pdf", charted)).figures[0]
    assert fig.panels == []


def test_stacked_lettered_charts_keep_their_axes(tmp_path: Path) -> None:
    """Each panel of two stacked charts keeps its x axis and axis title: thin strips under
    the plot that the cut leaves apart join the panel they belong to."""

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 3)
        _chart(c, 150, 110, 300, 120)
        _chart(c, 150, 270, 300, 120)
        c.setFont("Helvetica-Bold", 10)
        c.drawString(110, top(110), "A")
        c.drawString(110, top(270), "B")
        caption(c, 72, 430, "Figure 7.", ["Return (A) and loss (B) over training steps."])

    fig = extract_pdf(make(tmp_path, "stacked.pdf", draw)).figures[0]
    assert [p.letter for p in fig.panels] == ["A", "B"]
    assert fig.panels[0].bbox[3] < 255 < fig.panels[1].bbox[1]
    assert fig.panels[0].bbox[3] > 240 and fig.panels[1].bbox[3] > 400


def test_hidden_text_is_not_read(tmp_path: Path) -> None:
    """A hidden copy of the page (drawn inside a form clipped to the picture, or in the
    invisible text render mode) is not text: its "Figure B." is no caption."""

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 3)
        image(c, photo(70), (150, 100, 450, 330))
        c.beginForm("copy")
        path = c.beginPath()
        path.rect(150, top(330), 300, 230)  # the picture's area only
        c.clipPath(path, stroke=0, fill=0)
        c.setFont("Helvetica-Bold", 8)
        c.drawString(72, top(346), "Figure B. Liver as negative control (hidden copy).")
        c.endForm()
        c.doForm("copy")
        c.saveState()  # the text render mode lasts until the state is restored
        hidden = c.beginText(72, top(364))
        hidden.setTextRenderMode(3)
        hidden.setFont("Helvetica-Bold", 8)
        hidden.textLine("Figure C. Another hidden copy.")
        c.drawText(hidden)
        c.restoreState()
        caption(c, 72, 338, "Figure 2.", ["Liver as negative control."])
        paragraph(c, 72, 380, 95, 4)

    path = make(tmp_path, "hidden.pdf", draw)
    ex = extract_pdf(path)
    assert [(f.label, f.caption) for f in ex.figures] == [
        ("Figure 2", "Figure 2. Liver as negative control.")
    ]
    pdf = open_pdf(path)
    try:
        texts = [ln.text for ln in page_lines(pdf[0])]
    finally:
        pdf.close()
    assert not [t for t in texts if "hidden copy" in t] and "Figure 2. Liver" in " ".join(texts)


def test_photos_and_a_drawn_chart_named_by_the_caption_are_all_panels(tmp_path: Path) -> None:
    """Two photos and a vector chart, the caption naming three panels: the image objects
    alone would give two; the rendering shows all three."""

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 3)
        image(c, photo(80), (90, 100, 250, 230))
        image(c, photo(81), (270, 100, 430, 230))
        _chart(c, 470, 100, 100, 110)
        caption(c, 72, 260, "Figure 5.", ["(A) Axial T2. (B) Coronal T1. (C) Lesion volume."])

    fig = extract_pdf(make(tmp_path, "mixed_panels.pdf", draw)).figures[0]
    assert [(p.letter, p.caption) for p in fig.panels] == [
        ("A", "Axial T2."),
        ("B", "Coronal T1."),
        ("C", "Lesion volume."),
    ]
    assert fig.panels[2].bbox[0] > 440


def _pages(tmp_path: Path, name: str, draws: list[Callable[[canvas.Canvas], None]]) -> Path:
    path = tmp_path / name
    c = canvas.Canvas(str(path), pagesize=(W, H))
    for draw in draws:
        draw(c)
        c.showPage()
    c.save()
    return path


def test_running_header_just_above_a_figure_is_not_part_of_it(tmp_path: Path) -> None:
    def page(n: int, with_figure: bool) -> Callable[[canvas.Canvas], None]:
        def draw(c: canvas.Canvas) -> None:
            c.setFont("Times-Roman", 9)
            c.drawString(54, top(40), str(n))
            c.drawString(270, top(40), "Trilling et al.")
            if with_figure:
                image(c, photo(60), (120, 50, 480, 300))
                caption(c, 72, 320, "Figure 1.", ["Postage stamps of the detections."])
                paragraph(c, 72, 350, 95, 10)
            else:
                paragraph(c, 72, 80, 95, 30)

        return draw

    path = _pages(tmp_path, "headers.pdf", [page(n, n == 13) for n in range(12, 16)])
    (fig,) = extract_pdf(path).figures
    assert fig.page == 2 and iou(fig.bbox, (120, 50, 480, 300)) > 0.97


def _full_page_image(seed: int) -> Callable[[canvas.Canvas], None]:
    return lambda c: image(c, photo(seed, (400, 560)), (72, 60, 540, 730))


def _caption_page(label: str) -> Callable[[canvas.Canvas], None]:
    def draw(c: canvas.Canvas) -> None:
        caption(c, 72, 60, label, ["Axial T2-weighted MRI of a large lesion", "in the right lobe."])
        paragraph(c, 72, 90, 95, 20)

    return draw


@pytest.mark.parametrize("caption_first", [False, True])
def test_full_page_figure_captioned_on_the_facing_page(tmp_path: Path, caption_first: bool) -> None:
    draws = [_caption_page("Figure 1."), _full_page_image(4)]
    ex = extract_pdf(_pages(tmp_path, "f.pdf", draws if caption_first else draws[::-1]))
    assert [f.label for f in ex.figures] == ["Figure 1"]
    fig = ex.figures[0]
    assert fig.page == (2 if caption_first else 1)
    assert fig.caption_page == (1 if caption_first else 2)
    assert fig.caption.startswith("Figure 1. Axial T2-weighted MRI of a large lesion")
    assert iou(fig.bbox, (72, 60, 540, 730)) > 0.95
    assert ex.uncaptioned_regions == 0


def test_facing_page_needs_a_big_figure_and_a_clear_caption(tmp_path: Path) -> None:
    def small_image(c: canvas.Canvas) -> None:
        paragraph(c, 72, 60, 95, 10)
        image(c, photo(6, (120, 100)), (72, 300, 192, 400))  # a small uncaptioned picture

    def weak_caption(c: canvas.Canvas) -> None:  # plain body-size line: a reference, not a caption
        paragraph(c, 72, 60, 95, 3)
        c.setFont("Times-Roman", 10)
        c.drawString(72, top(120), "Figure 2 shows the same lesion after six months of treatment.")
        paragraph(c, 72, 130, 95, 10)

    ex = extract_pdf(_pages(tmp_path, "s.pdf", [small_image, _caption_page("Figure 1.")]))
    assert ex.figures == [] and ex.uncaptioned_regions == 1
    ex = extract_pdf(_pages(tmp_path, "w.pdf", [_full_page_image(7), weak_caption]))
    assert ex.figures == [] and ex.uncaptioned_regions == 1


def _text_then_picture(text_below: bool = False) -> Callable[[canvas.Canvas], None]:
    def draw(c: canvas.Canvas) -> None:
        c.setFont("Times-Roman", 9)
        c.drawString(72, top(760), "September 2013")  # a footer
        paragraph(c, 72, 60, 95, 25)
        image(c, photo(9, (460, 280)), (72, 400, 540, 680))  # 28% of the page
        if text_below:
            paragraph(c, 72, 700, 95, 2)

    return draw


def _caption_then_text(c: canvas.Canvas) -> None:
    caption(c, 72, 60, "Figure 6.", ["Noise in an image."])
    paragraph(c, 72, 90, 95, 25)


def _text_then_caption(c: canvas.Canvas) -> None:
    paragraph(c, 72, 60, 95, 55)
    caption(c, 72, 640, "Figure 6.", ["Noise in an image."])


def _picture_then_text(c: canvas.Canvas) -> None:
    image(c, photo(10, (460, 280)), (72, 60, 540, 340))
    paragraph(c, 72, 380, 95, 25)


def test_a_page_break_between_a_figure_and_its_caption(tmp_path: Path) -> None:
    """A figure ending one page and its caption starting the next (CUDA's imageDenoising),
    or a caption ending a page and its figure starting the next, with no text between them:
    the figure is under a third of the page, too small for a figure page's facing caption."""
    ex = extract_pdf(_pages(tmp_path, "a.pdf", [_text_then_picture(), _caption_then_text]))
    assert [(f.label, f.page, f.caption_page) for f in ex.figures] == [("Figure 6", 1, 2)]
    assert iou(ex.figures[0].bbox, (72, 400, 540, 680)) > 0.95
    ex = extract_pdf(_pages(tmp_path, "b.pdf", [_text_then_caption, _picture_then_text]))
    assert [(f.label, f.page, f.caption_page) for f in ex.figures] == [("Figure 6", 2, 1)]
    # text under the picture: the break does not part the two
    ex = extract_pdf(_pages(tmp_path, "c.pdf", [_text_then_picture(True), _caption_then_text]))
    assert ex.figures == [] and ex.uncaptioned_regions == 1


def test_page_cache_keeps_the_most_recent_pages_open(tmp_path: Path) -> None:
    from litclip.corpus.extract.document import PageCache

    pdf = open_pdf(_pages(tmp_path, "p.pdf", [lambda c: paragraph(c, 72, 60, 95, 2)] * 3))
    try:
        pages = PageCache(pdf, size=2)
        first = pages[0]
        assert pages[0] is first  # reused while cached
        second, third = pages[1], pages[2]
        assert first.raw is None and second.raw is not None and third.raw is not None
        assert pages[0] is not first and second.raw is None  # reloaded; the oldest closed
        pages.keep(2)  # a page kept open past the LRU bound
        kept = pages[2]
        assert kept is third and pages[0].raw is not None and pages[1].raw is not None
        assert kept.raw is not None and pages[2] is kept
        pages.release({2})
        assert kept.raw is not None
        pages.release()
        assert kept.raw is None
        pages.close()
    finally:
        pdf.close()


def _charts_pdf(tmp_path: Path) -> Path:
    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 3)
        _chart(c, 110, 120, 180, 150)
        _chart(c, 360, 120, 180, 150)
        caption(c, 72, 310, "Figure 6.", ["Volumes. (A) Grey matter. (B) White matter."])

    return make(tmp_path, "charts_nolet.pdf", draw)


def test_streamed_panels_equal_extract_pdf(tmp_path: Path) -> None:
    """iter_figures detects panels just before rendering: same panels as extract_pdf."""
    path = _charts_pdf(tmp_path)
    expected = extract_pdf(path).figures
    assert len(expected[0].panels) == 2
    streamed = [fig for fig, whole, panels, _ in iter_figures(path, dpi=72)]
    assert streamed == expected


def test_streamed_panel_preview_is_cut_from_the_crop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 200 dpi the crop is sharper than the panel preview: the preview is shrunk from
    it (one render a figure) and finds the same panels as a preview rendered apart."""
    from litclip.corpus.extract import document

    path = _charts_pdf(tmp_path)
    expected = extract_pdf(path).figures
    rendered: list[float] = []
    gray_in = document._gray_in

    def counting(page: object, box: object, scale: float) -> object:
        rendered.append(scale)
        return gray_in(page, box, scale)  # type: ignore[arg-type]

    monkeypatch.setattr(document, "_gray_in", counting)
    streamed = [fig for fig, whole, panels, _ in iter_figures(path, dpi=200)]
    assert rendered == []
    assert [[p.letter for p in f.panels] for f in streamed] == [["A", "B"]]
    for got, want in zip(streamed[0].panels, expected[0].panels, strict=True):
        assert max(abs(a - b) for a, b in zip(got.bbox, want.bbox, strict=True)) < 1.5


def test_failed_panel_preview_keeps_the_figure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pypdfium2 as pdfium

    from litclip.corpus.extract import document

    def broken(*_args: object, **_kw: object) -> None:
        raise pdfium.PdfiumError("render failed")

    monkeypatch.setattr(document, "_gray_preview", broken)
    ex = extract_pdf(_charts_pdf(tmp_path))
    assert [(f.label, f.panels) for f in ex.figures] == [("Figure 6", [])]
    assert any("panels not detected" in w for w in ex.warnings)


def test_extended_data_figure_is_not_a_duplicate_of_the_main_figure(tmp_path: Path) -> None:
    """An "Extended Data Fig. 1" has its own label: neither figure is dropped as a duplicate."""

    def page(label: str, seed: int) -> Callable[[canvas.Canvas], None]:
        def draw(c: canvas.Canvas) -> None:
            y = paragraph(c, 72, 60, 95, 4)
            image(c, photo(seed), (150, y + 10, 450, y + 250))
            caption(c, 72, y + 262, label, ["Axial T2-weighted MRI of the lesion."])

        return draw

    path = _pages(tmp_path, "nature.pdf", [page("Fig. 1 |", 1), page("Extended Data Fig. 1 |", 2)])
    ex = extract_pdf(path)
    assert [(f.label, f.number, f.page) for f in ex.figures] == [
        ("Figure 1", "1", 1),
        ("Extended Data Figure 1", "ED1", 2),
    ]


def test_picture_stored_as_strips_is_one_picture(tmp_path: Path) -> None:
    """Some producers slice an image into bands: abutting, aligned strips are not panels."""

    def draw(c: canvas.Canvas) -> None:
        y = paragraph(c, 72, 50, 95, 5)
        picture = photo(4, (300, 240))
        for k in range(8):
            band = picture.crop((0, 30 * k, 300, 30 * (k + 1)))
            image(c, band, (150, y + 10 + 30 * k, 450, y + 10 + 30 * (k + 1)))
        caption(c, 72, y + 262, "Figure 1.", ["Axial T2-weighted MRI of the lesion."])
        paragraph(c, 72, y + 290, 95, 5)

    (fig,) = extract_pdf(make(tmp_path, "strips.pdf", draw)).figures
    assert fig.n_raster == 8 and fig.panels == []
    assert iou(fig.bbox, (150, 124, 450, 364)) > 0.95


def _stroked_frame(c: canvas.Canvas, box: tuple[float, float, float, float], r: float = 4) -> None:
    """A rounded frame drawn as separate strokes (two sides, four corner arcs, top and bottom
    rules), as some publishers (BioMed Central) draw the box around a figure and its caption."""
    x0, y0, x1, y1 = box
    c.setLineWidth(1)
    c.line(x0, top(y0 + r), x0, top(y1 - r))
    c.line(x1, top(y0 + r), x1, top(y1 - r))
    c.line(x0 + r, top(y0), x1 - r, top(y0))
    c.line(x0 + r, top(y1), x1 - r, top(y1))
    c.arc(x0, top(y0 + 2 * r), x0 + 2 * r, top(y0), 90, 90)
    c.arc(x1 - 2 * r, top(y0 + 2 * r), x1, top(y0), 0, 90)
    c.arc(x0, top(y1), x0 + 2 * r, top(y1 - 2 * r), 180, 90)
    c.arc(x1 - 2 * r, top(y1), x1, top(y1 - 2 * r), 270, 90)


def test_figure_in_a_frame_of_separate_strokes(tmp_path: Path) -> None:
    def draw(c: canvas.Canvas) -> None:
        # a page-wide frame: its photo comes within a few points of the frame's sides
        _stroked_frame(c, (50, 60, 562, 300))
        image(c, photo(11, (400, 180)), (56, 66, 556, 270))
        caption(c, 57, 276, "Fig. 1", ["A photo in a frame shared with its caption."])
        paragraph(c, 50, 310, 95, 4)
        # a one-column frame: its top and bottom rules are short enough to be kept as paths
        _stroked_frame(c, (50, 380, 300, 600))
        image(c, photo(12), (56, 386, 294, 570))
        caption(c, 57, 578, "Fig. 2", ["A framed photo in one column."])
        paragraph(c, 320, 380, 45, 18)

    ex = extract_pdf(make(tmp_path, "framed.pdf", draw))
    figs = {f.label: f for f in ex.figures}
    assert set(figs) == {"Figure 1", "Figure 2"}
    assert iou(figs["Figure 1"].bbox, (56, 66, 556, 270)) > 0.95  # no frame, no caption
    assert iou(figs["Figure 2"].bbox, (56, 386, 294, 570)) > 0.95
    assert ex.uncaptioned_regions == 0


def _raster_figure(tmp_path: Path, name: str, arr: np.ndarray) -> list:
    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 60, 95, 3)
        image(
            c,
            Image.fromarray(arr).convert("RGB"),
            (100, 110, 500, 110 + 400 * arr.shape[0] / arr.shape[1]),
        )
        caption(c, 72, 120 + 400 * arr.shape[0] / arr.shape[1], "Figure 1.", ["A raster figure."])

    (fig,) = extract_pdf(make(tmp_path, name, draw)).figures
    return fig.panels


def _bar_chart(arr: np.ndarray, x: int, width: int, axes: bool = True) -> None:
    """Three grey bars with error bars in ``arr[:, x : x + width]`` (axes: L-shaped lines)."""
    if axes:
        arr[40:280, x : x + 2] = 0
        arr[278:280, x : x + width] = 0
    step = (width - 20) // 3
    for k, height in enumerate((200, 170, 180)):
        x0 = x + 15 + k * step
        arr[278 - height : 278, x0 : x0 + step - 25] = 128
        arr[278 - height - 25 : 278 - height, x0 + step // 2 - 13 : x0 + step // 2 - 11] = 0


def test_bars_of_one_chart_are_not_panels(tmp_path: Path) -> None:
    """A chart's bars stand apart like panels: an axis line across the gaps keeps the chart
    whole, and bars without one are filled shapes, not panels."""
    for axes in (True, False):
        arr = np.full((300, 500), 255, np.uint8)
        _bar_chart(arr, 30, 460, axes)
        assert _raster_figure(tmp_path, f"bars_{axes}.pdf", arr) == []


def test_subplots_side_by_side_are_panels(tmp_path: Path) -> None:
    """Unlettered subplots count as panels (one per distinct chart), however narrow."""
    arr = np.full((300, 1000), 255, np.uint8)
    for k in range(4):
        _bar_chart(arr, 20 + 245 * k, 200)
    assert len(_raster_figure(tmp_path, "subplots.pdf", arr)) == 4


def test_frame_around_two_panels_does_not_hide_their_gutter(tmp_path: Path) -> None:
    """A frame around a map and a tree (and the line between them) crosses their gutter."""
    rng = np.random.default_rng(5)
    arr = np.full((300, 500), 255, np.uint8)
    arr[0:2, :], arr[-2:, :], arr[:, 0:2], arr[:, -2:] = 0, 0, 0, 0  # the frame
    arr[:, 249:251] = 0  # the line between the panels
    arr[2:-2, 2:249] = rng.integers(90, 200, (296, 247))  # a map filling the left half
    arr[30:272, 290:292] = 40  # a tree in the right half: a trunk, and branches with white
    for k in range(12):  # between them
        arr[30 + 20 * k : 32 + 20 * k, 290 : 380 + 7 * k] = 40
    panels = _raster_figure(tmp_path, "framed_pair.pdf", arr)
    assert len(panels) == 2


def _watermark(c: canvas.Canvas) -> None:
    """A big light-grey diagonal "ACCEPTED MANUSCRIPT" across the page."""
    c.saveState()
    c.setFillGray(0.88)
    c.setFont("Times-Roman", 60)
    c.translate(110, 140)
    c.rotate(50)
    c.drawString(0, 0, "ACCEPTED MANUSCRIPT")
    c.restoreState()


def _manuscript(
    tmp_path: Path, n_legends: int, n_figure_pages: int, bold_labels: bool = False
) -> Path:
    """An accepted manuscript: a legends section, then one unlabelled figure per page.
    ``bold_labels`` sets each legend's "Figure k." in bold (a caption beyond doubt)."""
    path = tmp_path / f"manuscript_{n_legends}_{n_figure_pages}_{bold_labels}.pdf"
    c = canvas.Canvas(str(path), pagesize=(W, H))
    _watermark(c)
    y = paragraph(c, 72, 60, 95, 12)
    c.setFont("Times-Bold", 10)
    c.drawString(72, top(y + 20), "Figure Legends")
    c.setFont("Times-Roman", 10)
    for k in range(1, n_legends + 1):
        if bold_labels:
            c.setFont("Times-Bold", 10)
            c.drawString(72, top(y + 20 + 24 * k), f"Figure {k}.")
            c.setFont("Times-Roman", 10)
            c.drawString(115, top(y + 20 + 24 * k), f"Axial T2-weighted MRI of case {k}.")
            continue
        c.drawString(72, top(y + 20 + 24 * k), f"Figure {k}: Axial T2-weighted MRI of case {k}.")
    c.showPage()
    for k in range(n_figure_pages):
        _watermark(c)
        image(c, photo(20 + k, (300, 220)), (90, 80, 390, 300))
        c.showPage()
    c.save()
    return path


@pytest.mark.parametrize("bold_labels", [False, True])
def test_manuscript_legends_pair_with_figure_pages_in_order(
    tmp_path: Path, bold_labels: bool
) -> None:
    """With bold labels a legend could also caption the figure page facing it (a full-page
    figure's caption on the page before): the legends section pairs first, all in order, so
    the first legend does not take the first page and leave the second page without one
    (a Proteomics draft: legends on page 11, figures on pages 12 and 13)."""
    ex = extract_pdf(_manuscript(tmp_path, 2, 2, bold_labels))
    assert [(f.label, f.page, f.caption_page) for f in ex.figures] == [
        ("Figure 1", 2, 1),
        ("Figure 2", 3, 1),
    ]
    separator = "." if bold_labels else ":"
    assert ex.figures[1].caption == f"Figure 2{separator} Axial T2-weighted MRI of case 2."
    # the watermark is not figure text: the box is the photo's
    assert all(iou(f.bbox, (90, 80, 390, 300)) > 0.95 for f in ex.figures)
    assert ex.uncaptioned_regions == 0


@pytest.mark.parametrize(
    "n_legends, n_figure_pages",
    [(3, 2), (1, 1)],  # which legend goes with which page? / one pair could be chance
)
def test_manuscript_legends_need_one_figure_page_each(
    tmp_path: Path, n_legends: int, n_figure_pages: int
) -> None:
    ex = extract_pdf(_manuscript(tmp_path, n_legends, n_figure_pages))
    assert ex.figures == []
    assert ex.uncaptioned_regions == n_figure_pages


def test_figure_labelled_only_by_its_number_takes_its_legend(tmp_path: Path) -> None:
    """A manuscript's figure page printing just "Figure 1" over the figure gets the legend
    "Figure 1. ..." from the legends section."""
    path = tmp_path / "bare_labels.pdf"
    c = canvas.Canvas(str(path), pagesize=(W, H))
    y = paragraph(c, 72, 60, 95, 12)
    c.setFont("Times-Roman", 10)
    for k in (1, 2):
        c.drawString(72, top(y + 20 + 24 * k), f"Figure {k}. Axial T2-weighted MRI of case {k}.")
    c.showPage()
    for k in (1, 2):
        c.setFont("Helvetica-Bold", 12)
        c.drawString(90, top(70), f"Figure {k}")
        image(c, photo(30 + k, (300, 220)), (90, 80, 390, 300))
        c.showPage()
    c.save()
    ex = extract_pdf(path)
    assert [(f.label, f.page, f.caption_page, f.caption) for f in ex.figures] == [
        ("Figure 1", 2, 1, "Figure 1. Axial T2-weighted MRI of case 1."),
        ("Figure 2", 3, 1, "Figure 2. Axial T2-weighted MRI of case 2."),
    ]


@pytest.mark.parametrize("bold_label", [True, False])
def test_springer_caption_starting_with_a_panel_letter(tmp_path: Path, bold_label: bool) -> None:
    """Springer sets "Fig. 2 a Axial ... b Coronal ...": the caption starts with the first
    panel's lower-case letter right after the label."""

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 60, 95, 3)
        image(c, photo(40), (150, 120, 300, 260))
        image(c, photo(41), (306, 120, 456, 260))
        c.setFont("Helvetica-Bold" if bold_label else "Helvetica", 8)
        c.drawString(72, top(278), "Fig. 2")
        c.setFont("Helvetica", 8)
        c.drawString(
            100, top(278), "a Axial T2-weighted image shows the lesion. b Coronal T1 after"
        )
        c.drawString(72, top(288), "contrast.")
        paragraph(c, 72, 300, 95, 3)

    (fig,) = extract_pdf(make(tmp_path, f"springer_{bold_label}.pdf", draw)).figures
    assert fig.label == "Figure 2" and fig.caption.startswith("Fig. 2 a Axial T2-weighted")
    assert [(p.letter, p.caption) for p in fig.panels] == [
        ("A", "Axial T2-weighted image shows the lesion."),
        ("B", "Coronal T1 after contrast."),
    ]


def test_a_subscript_hanging_under_the_caption_row_stays_caption(tmp_path: Path) -> None:
    """ "(E_tot - E*_tot)/E*_tot": the last "tot" is a piece of its own, a little lower than
    the row; taken as figure text it pushed the figure into its caption and the figure was lost."""

    def draw(c: canvas.Canvas) -> None:
        image(c, photo(4), (310, 72, 540, 262))
        caption(c, 307, 266, "FIG. 3.", ["Relative normalised accuracy (Etot - E*tot)/E*"])
        c.setFont("Helvetica", 5)
        c.drawString(520, top(266 + 11), "tot")  # 3 pt under the row's baseline
        c.setFont("Helvetica", 8)
        c.drawString(
            307, top(266 + 20), "of the standard integrator and of the new integrator of the paper."
        )

    ex = extract_pdf(make(tmp_path, "sub.pdf", draw))
    (fig,) = ex.figures
    assert fig.label == "Figure 3" and iou(fig.bbox, (310, 72, 540, 262)) > 0.9


def _column_lines(
    c: canvas.Canvas, x: float, y: float, texts: list[str], pitch: float = 11
) -> None:
    c.setFont("Times-Roman", 9.5)
    for k, text in enumerate(texts):
        c.drawString(x, top(y + 9 + pitch * k), text)


_NARROW = "do not bend, which limits"  # 25 characters: short of running text on its own
_WIDE = "to see around corners and, by rotating the tube along its axis, a wider area"


def test_a_picture_padded_with_white_under_the_next_column_is_cut_to_its_ink(
    tmp_path: Path,
) -> None:
    """A cut-out photo stored with a wide white margin that runs under the next column's
    text (JFMS Clinical Practice): the figure is the photo, not the margin."""

    def draw(c: canvas.Canvas) -> None:
        padded = Image.new("RGB", (400, 200), "white")
        padded.paste(photo(11, (180, 200)), (0, 0))
        image(c, padded, (72, 60, 472, 260))  # the photo spans x 72-252
        _column_lines(c, 320, 60, [_WIDE[:40]] * 18)
        caption(c, 72, 270, "Figure 3", ["A flexible video endoscope."])
        paragraph(c, 72, 300, 95, 25)

    fig = extract_pdf(make(tmp_path, "padded.pdf", draw)).figures[0]
    assert iou(fig.bbox, (72, 60, 252, 260)) > 0.95


def test_a_drawing_scanned_as_a_whole_sheet_is_cut_to_its_ink(tmp_path: Path) -> None:
    """setpartitions Figure 1: a whole sheet scanned and placed as one picture, the drawing
    in its top third and the rest white paper: the figure is the drawing. A big photo (ink
    all over) keeps its box."""

    def draw(c: canvas.Canvas) -> None:
        sheet = Image.new("RGB", (350, 400), "white")
        sheet.paste(photo(21, (350, 136)), (0, 0))
        image(c, sheet, (125, 110, 475, 510))
        caption(c, 72, 525, "Figure 1:", ["The algorithm used to enumerate set partitions."])
        paragraph(c, 72, 550, 95, 8)

    fig = extract_pdf(make(tmp_path, "sheet.pdf", draw)).figures[0]
    assert iou(fig.bbox, (125, 110, 475, 246)) > 0.95

    def draw_photo(c: canvas.Canvas) -> None:
        image(c, photo(22, (350, 400)), (125, 110, 475, 510))
        caption(c, 72, 525, "Figure 1:", ["A photograph of the apparatus."])
        paragraph(c, 72, 550, 95, 8)

    fig = extract_pdf(make(tmp_path, "photo.pdf", draw_photo)).figures[0]
    assert iou(fig.bbox, (125, 110, 475, 510)) > 0.95


def test_a_figure_beside_the_text_columns_takes_no_heading_from_the_next(tmp_path: Path) -> None:
    """A figure in a side column between two text columns, the next column's heading level
    with its top: the heading starts that column's text and stays out of the figure."""

    def draw(c: canvas.Canvas) -> None:
        _column_lines(c, 59, 55, [_WIDE[:44]] * 55)
        image(c, photo(12, (90, 180)), (257, 55, 347, 235))
        caption(c, 257, 241, "Figure 1", ["Flexible fibreoptic handpiece."])
        c.setFont("Helvetica-Bold", 12)
        c.drawString(360, top(64), "Types of endoscopes")
        _column_lines(c, 360, 75, [_WIDE[:44]] * 50)

    fig = extract_pdf(make(tmp_path, "side.pdf", draw)).figures[0]
    assert iou(fig.bbox, (257, 55, 347, 235)) > 0.95


def test_text_wrapped_in_a_narrow_column_beside_a_figure_is_running_text(tmp_path: Path) -> None:
    """A paragraph set in short lines beside a figure, then in full lines under it: the short
    lines (each too short to count alone) are the paragraph's, not the figure's text."""

    def draw(c: canvas.Canvas) -> None:
        _column_lines(c, 59, 55, [_NARROW[:20], _NARROW, _NARROW[:22], _NARROW[:18]] * 4)
        image(c, photo(13, (200, 160)), (150, 55, 364, 225))
        _column_lines(c, 59, 231, [_WIDE[:52]] * 20)
        caption(c, 380, 200, "Figure 4", ["Viewing angle of", "0 and 30 degrees."])

    fig = extract_pdf(make(tmp_path, "wrapped.pdf", draw)).figures[0]
    assert iou(fig.bbox, (150, 55, 364, 225)) > 0.95


def test_a_justified_row_split_at_every_word_gap_stays_out_of_the_figure_beside_it(
    tmp_path: Path,
) -> None:
    """GENtle's manual: a paragraph beside a screenshot, its first row justified so wide that
    each word is a piece of its own, the last one ending at the picture's edge; the line under
    it is the paragraph's short last line. The last piece is running text like the others,
    not the picture's label, though it runs past the line under it."""
    words, x = [], 59.0
    for word in ("In", "the", "module", "sequences"):
        words.append((x, word))
        x += stringWidth(word, "Times-Roman", 9.5) + 20  # word gaps over 2 ems: pieces
    picture = (x - 19, 55, x + 181, 215)  # 1 pt right of the last word

    def draw(c: canvas.Canvas) -> None:
        c.setFont("Times-Roman", 9.5)
        for x0, word in words:
            c.drawString(x0, top(64), word)
        _column_lines(c, 59, 55 + 11, ["are shown, annotated and edited."])
        _column_lines(c, 59, 77, [_NARROW + " of the view"] * 12)
        image(c, photo(17, (200, 160)), picture)
        caption(c, picture[0], 221, "Figure 2", ["The sequence module."])
        _column_lines(c, 59, 245, [_WIDE[:52]] * 20)

    fig = extract_pdf(make(tmp_path, "justified.pdf", draw)).figures[0]
    assert iou(fig.bbox, picture) > 0.95


def test_a_caption_flush_with_the_bottom_of_the_picture_beside_it_goes_with_it(
    tmp_path: Path,
) -> None:
    """A side caption set flush with its photo's bottom edge, a shaded box of text (a
    sidebar) starting just under the caption: the photo is the figure, not the box."""

    def draw(c: canvas.Canvas) -> None:
        _column_lines(c, 59, 55, [_WIDE[:44]] * 58)
        image(c, photo(14, (190, 140)), (257, 428, 450, 570))
        caption(c, 462, 550, "Figure 2", ["Oesophageal stricture in", "a 1-year-old cat"])
        c.setFillColorRGB(0.85, 0.8, 0.85)
        c.rect(257, top(736), 296, 144, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
        _column_lines(c, 275, 598, ["Possible abnormalities that may be identified"] * 11)

    fig = extract_pdf(make(tmp_path, "side_caption.pdf", draw)).figures[0]
    assert iou(fig.bbox, (257, 428, 450, 570)) > 0.95


def test_a_row_of_pictures_of_different_heights_parts_at_its_captions(tmp_path: Path) -> None:
    """Two photos 6 points apart, each captioned right under it; the shorter one's caption
    starts above the taller one's bottom edge: each caption takes its own photo."""

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 60, 95, 30)
        image(c, photo(15, (90, 115)), (59, 587, 150, 702))
        image(c, photo(16, (90, 130)), (156, 587, 247, 717))
        caption(c, 59, 708, "Figure 15", ["Fenestrated", "cupped forceps", "with a spike"])
        caption(c, 156, 723, "Figure 16", ["Alligator forceps"])

    figs = {f.label: f for f in extract_pdf(make(tmp_path, "row.pdf", draw)).figures}
    assert iou(figs["Figure 15"].bbox, (59, 587, 150, 702)) > 0.95
    assert iou(figs["Figure 16"].bbox, (156, 587, 247, 717)) > 0.95


def test_pictures_printed_inside_a_caption_are_not_the_figure_s(tmp_path: Path) -> None:
    """JFMS Figure 14: the caption's first line is also printed as two thin pictures (the
    label and the title, 5 pt tall) under its text; the figure box stops at the photo."""

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 60, 95, 20)
        image(c, photo(17, (200, 110)), (59, 598, 261, 706))
        caption(c, 59, 708, "Figure 14", ["Foreign body retrieval instruments", "that reach"])
        image(c, photo(18, (30, 6)), (60, 708.2, 90, 714))
        image(c, photo(19, (120, 6)), (94, 708.6, 216, 714))

    fig = extract_pdf(make(tmp_path, "caption_pictures.pdf", draw)).figures[0]
    assert fig.bbox[3] <= 707 and iou(fig.bbox, (59, 598, 261, 706)) > 0.95


def test_a_picture_running_under_its_caption_is_cut_at_the_caption(tmp_path: Path) -> None:
    """JFMS Figure 6: the picture (with its drop shadow) runs 5 pt under the caption's first
    line; the figure (and its crop) stops at the caption. A side caption beside the picture's
    bottom edge does not cut it."""

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 60, 95, 20)
        image(c, photo(20, (200, 110)), (59, 598, 261, 713))
        caption(c, 59, 708, "Figure 6", ["Different types of forceps", "for endoscopy"])
        image(c, photo(21, (150, 120)), (300, 350, 450, 470))
        caption(c, 455, 462, "Figure 7", ["A side caption"])

    figs = {f.label: f for f in extract_pdf(make(tmp_path, "under_caption.pdf", draw)).figures}
    assert 708 <= figs["Figure 6"].bbox[3] <= 708.5  # the caption line's top
    assert iou(figs["Figure 7"].bbox, (300, 350, 450, 470)) > 0.99


def test_a_code_listing_set_like_running_text_over_its_caption_is_the_figure(
    tmp_path: Path,
) -> None:
    """RcppEigen Figure 4: a listing in a fixed-width font at the body's size, long lines
    one pitch apart (it reads as paragraphs), with a keyword set in a bold roman face on
    one line; the caption under it names it a figure. The listing is the figure."""
    code = [
        "inline MatrixXd AtA(const MapMatd& A) { // the cross product",
        "    const int n(A.cols()); // columns of the model matrix",
        "    MatrixXd out(MatrixXd(n, n).setZero().selfadjointView());",
        "    out = out.rankUpdate(A.adjoint()); // a rank update of zero",
        "",  # "return out;" with "return" in bold roman
        "    const VectorXd fitted(A * out.ldlt().solve(A.adjoint()));",
        "}",
    ]

    def draw(c: canvas.Canvas) -> None:
        y = paragraph(c, 72, 60, 95, 4)
        for i, line in enumerate(code):
            c.setFont("Courier", 10)
            c.drawString(72, top(y + 14 + i * 12), line)
        c.setFont("Times-Bold", 10)
        c.drawString(96, top(y + 14 + 4 * 12), "return")
        c.setFont("Courier", 10)
        c.drawString(134, top(y + 14 + 4 * 12), "out; // the symmetric cross product")
        caption(c, 72, y + 110, "Figure 4:", ["The cross product of a model matrix in C++."])
        paragraph(c, 72, y + 140, 95, 6)

    ex = extract_pdf(make(tmp_path, "listing.pdf", draw))
    assert [f.label for f in ex.figures] == ["Figure 4"]
    x0, y0, x1, y1 = ex.figures[0].bbox
    assert abs(x0 - 72) < 2 and abs(y0 - 118) < 6 and y1 < 205 and x1 > 400


def _icon_page(c: canvas.Canvas, icon_x: float) -> None:
    """A manual's page: running text, then a 30 pt toolbar icon at ``icon_x`` over the
    caption "Figure 5.11: Shortcut to move images" centred on the page."""
    paragraph(c, 72, 40, 95, 4)
    image(c, photo(60, (32, 32)), (icon_x, 110, icon_x + 30, 140))
    c.setFont("Times-Roman", 10)
    c.drawCentredString(W / 2, top(160), "Figure 5.11: Shortcut to move images")
    paragraph(c, 72, 180, 95, 4)


def test_a_small_icon_centred_over_its_caption_is_the_figure(tmp_path: Path) -> None:
    (fig,) = extract_pdf(make(tmp_path, "icon.pdf", lambda c: _icon_page(c, W / 2 - 15))).figures
    assert fig.label == "Figure 5.11"
    assert fig.bbox == pytest.approx((W / 2 - 15, 110, W / 2 + 15, 140), abs=1.0)


def test_a_small_picture_off_the_captions_centre_is_no_figure(tmp_path: Path) -> None:
    ex = extract_pdf(make(tmp_path, "logo.pdf", lambda c: _icon_page(c, 80)))
    assert ex.figures == []


def test_a_row_of_small_drawn_boxes_centred_over_their_caption_is_the_figure(
    tmp_path: Path,
) -> None:
    """faust's Fig. 9: two 65 x 15 pt boxes drawn stroke by stroke, each with arrows in and
    out, 26 pt apart, over "Fig. 9 The int cast and float cast primitive boxes"; one such
    box alone (a logo of a few strokes) is its caption's figure too."""

    def boxes(xs: list[float]) -> Callable[[canvas.Canvas], None]:
        def draw(c: canvas.Canvas) -> None:
            paragraph(c, 72, 40, 95, 4)
            for x in xs:
                c.line(x, top(101), x + 15, top(101))  # the arrow in
                c.rect(x + 15, top(108), 35, 14)  # the box
                c.line(x + 50, top(101), x + 65, top(101))  # the arrow out
                c.setFont("Courier", 8)
                c.drawString(x + 22, top(104), "int")
            c.setFont("Times-Roman", 9)
            c.drawCentredString(
                W / 2, top(122), "Fig. 9 The int cast and float cast primitive boxes"
            )
            paragraph(c, 72, 150, 95, 4)

        return draw

    (fig,) = extract_pdf(make(tmp_path, "row.pdf", boxes([W / 2 - 78, W / 2 + 13]))).figures
    assert fig.label == "Figure 9"
    assert fig.bbox == pytest.approx((W / 2 - 78, 93, W / 2 + 78, 109), abs=1.5)
    (one,) = extract_pdf(make(tmp_path, "one.pdf", boxes([W / 2 - 32]))).figures
    assert one.bbox == pytest.approx((W / 2 - 32, 93, W / 2 + 33, 109), abs=1.5)


def test_a_caption_row_does_not_take_the_next_columns_text_across_the_gutter(
    tmp_path: Path,
) -> None:
    """OSDI two columns 18 pt apart: the caption's first row is level with the right
    column's second line, whose paragraph starts indented one line up (so no line over it
    starts where it starts); the lines under it do, as a column's lines go on."""
    right = [
        "Stateful edges help us embed actors in an otherwise",
        "stateless task graph, as they capture the implicit data",
        "dependency between successive method invocations and",
        "the internal state of an actor. Stateful edges enable us",
        "to maintain lineage. As in other dataflow systems, we",
    ]

    def draw(c: canvas.Canvas) -> None:
        _chart(c, 110, 80, 170, 150)
        c.setFont("Times-Roman", 9)
        c.drawString(72, top(280), "Figure 3: Python code implementing an example in Figure 2 in")
        c.drawString(72, top(292), "in Ray. Note that remote functions and actors return")
        c.drawString(72, top(304), "futures, which can be passed to other remote functions.")
        for i, text in enumerate(right):
            c.drawString(325 if i == 0 else 315, top(268 + 12 * i), text)

    (fig,) = extract_pdf(make(tmp_path, "gutter.pdf", draw)).figures
    assert fig.caption_bbox[2] < 305
    assert "Stateful" not in fig.caption and "lineage" not in fig.caption
    assert fig.caption.endswith("passed to other remote functions.")


def test_a_books_running_head_set_low_on_a_big_page_is_not_part_of_a_figure(
    tmp_path: Path,
) -> None:
    """A book's small text block on a big page: the running head (the section's name, page
    number at the right) sits 100 pt down, below the page's top tenth, each page's first
    line; a plot right under it on one page does not take it in."""

    def page(n: int, with_figure: bool) -> Callable[[canvas.Canvas], None]:
        def draw(c: canvas.Canvas) -> None:
            c.setFont("Times-Italic", 9)
            c.drawString(120, top(108), "1.2 Probability Theory")
            c.setFont("Times-Roman", 9)
            c.drawString(470, top(108), str(n))
            if with_figure:
                _chart(c, 220, 118, 200, 90)
                caption(c, 120, 240, "Fig. 1.11.", ["Quantiles of a distribution."])
                paragraph(c, 120, 270, 70, 12)
            else:
                paragraph(c, 120, 125, 70, 30)

        return draw

    path = _pages(tmp_path, "book.pdf", [page(n, n == 15) for n in range(13, 18)])
    (fig,) = extract_pdf(path).figures
    assert fig.page == 3 and fig.bbox[1] > 112  # the head (99-108) is out


def test_code_echoed_at_a_prompt_over_a_plot_is_not_part_of_it(tmp_path: Path) -> None:
    """R's Sweave echo: two rows of code in a fixed-width font right over the plot they
    draw ("R> plot(...)", "+  col = 2)"); too few rows to read as a paragraph."""

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 40, 95, 4)
        c.setFont("Courier", 9)
        c.drawString(72, top(110), "R> plot(log(marketvalue) ~ log(sales), data = Forbes2000,")
        c.drawString(72, top(121), "+      col = rgb(0,0,0,0.1), pch = 16)")
        _chart(c, 150, 132, 300, 180)
        caption(c, 72, 345, "Figure 1.3", ["Scatterplot with transparent shading of points."])

    (fig,) = extract_pdf(make(tmp_path, "echo.pdf", draw)).figures
    assert fig.bbox[1] > 125  # the chart (132 on), not the code over it


@pytest.mark.parametrize("full_first", [True, False])
def test_a_continued_figure_takes_the_full_caption_of_its_other_part(
    tmp_path: Path, full_first: bool
) -> None:
    """MDPI sets a figure over two pages, one captioned in full and one only "Figure 1.
    Cont." (before or after it): the continued part is given the full caption after its own
    words (its crops were rejected for a caption too short), and its panels the sub-captions
    of the letters printed under them."""
    full = ["(a) Axial T2. (b) Coronal FLAIR. (c) Sagittal T1. (d) Perfusion map."]
    parts = [("ab", full), ("cd", ["Cont."])] if full_first else [("ab", ["Cont."]), ("cd", full)]
    path = tmp_path / "continued.pdf"
    c = canvas.Canvas(str(path), pagesize=(W, H))
    for k, (letters, rest) in enumerate(parts):
        paragraph(c, 72, 40, 95, 3)
        for j, letter in enumerate(letters):
            x = 100 + 210 * j
            image(c, photo(20 + 2 * k + j), (x, 120, x + 200, 280))
            c.setFont("Helvetica", 9)
            c.drawString(x + 96, top(294), f"({letter})")
        caption(c, 72, 310, "Figure 1.", rest)
        c.showPage()
    c.save()
    ex = extract_pdf(path)
    assert [f.page for f in ex.figures] == [1, 2]
    cont = ex.figures[1 if full_first else 0]
    assert cont.caption == "Figure 1. Cont. " + full[0]
    subs = {"A": "Axial T2.", "B": "Coronal FLAIR.", "C": "Sagittal T1.", "D": "Perfusion map."}
    for fig in ex.figures:
        assert [p.letter for p in fig.panels] in (["A", "B"], ["C", "D"])
        assert [p.caption for p in fig.panels] == [subs[p.letter] for p in fig.panels]


def test_a_row_of_narrow_drawn_shapes_is_one_figure(tmp_path: Path) -> None:
    """Biopython's chromosome diagram: five outlined chromosomes 17 pt wide, 52 pt apart,
    each over its label, their tops level, under a title: each is too narrow to be a
    figure alone, the row is Figure 1."""

    def draw(c: canvas.Canvas) -> None:
        y = paragraph(c, 72, 40, 95, 3)
        c.setFont("Helvetica-Bold", 9)
        c.drawString(262, top(y + 30), "Arabidopsis thaliana")
        c.setLineWidth(0.8)
        for k, height in enumerate((170, 112, 132, 106, 152)):
            x = 159 + 69 * k
            c.roundRect(x, top(y + 45 + height), 17, height, 8)
            c.setFont("Helvetica-Oblique", 9)
            c.drawString(x, top(y + 58 + 170), f"Chr {'I' * (k + 1)}")
        caption(c, 72, y + 260, "Figure 1.", ["Simple chromosome diagram."])
        paragraph(c, 72, y + 290, 95, 3)

    ex = extract_pdf(make(tmp_path, "karyogram.pdf", draw))
    (fig,) = ex.figures
    assert fig.label == "Figure 1"
    assert fig.bbox[0] < 160 and fig.bbox[2] > 450  # the whole row, not one chromosome


def test_a_figure_over_a_short_note_over_its_caption_is_that_figure() -> None:
    """massXpert's manual: an uncaptioned drawing, a paragraph of two to four lines saying
    what it shows, then "FIGURE 2.3: ...": the drawing is that caption's figure. Not over
    a long paragraph (running text), another label, or from far above."""
    from litclip.corpus.extract import regions as reg
    from litclip.corpus.extract.captions import Caption
    from litclip.corpus.extract.document import _region_over_note

    def row(text: str, y0: float) -> TextLine:
        return TextLine(text, (64.0, y0, 532.0, y0 + 14.5), 11.1)

    def caption_at(y0: float) -> Caption:
        line = TextLine("FIGURE 2.3: X.", (64.0, y0, 330.0, y0 + 10.0), 8.7)
        return Caption("figure", "Figure 2.3", "2.3", "FIGURE 2.3", [line])

    drawing = reg.Region([reg.Element((64.0, 57.0, 508.0, 172.0), "path")])
    caption, far = caption_at(263.0), caption_at(283.0)
    note = [
        row("The arriving monomer (on the right) attacks the", 182.0 + 17.8 * k) for k in range(4)
    ]
    assert _region_over_note(caption, [drawing], note) is drawing
    paragraph = [row("running text of the page", 182.0 + 12.0 * k) for k in range(6)]
    assert _region_over_note(caption, [drawing], paragraph) is None
    assert _region_over_note(far, [drawing], note) is None  # 20 pt under the note
    label = [*note[:3], row("Figure 2.2: another caption", 235.4)]
    assert _region_over_note(caption, [drawing], label) is None


def test_a_table_run_on_from_the_page_before_is_no_part_of_the_chart_under_it(
    tmp_path: Path,
) -> None:
    """MELTING's manual: the end of a ruled table (its caption on the page before) 50 pt
    over a chart captioned "Figure 10": the figure is the chart. The same chart under
    another chart is a row of one figure (stacked parts still join)."""

    def draw(c: canvas.Canvas) -> None:
        c.setLineWidth(0.6)
        for y in (80, 96, 190):  # the table's rules across its width
            c.line(133, top(y), 400, top(y))
        c.setFont("Times-Roman", 10)
        for k in range(6):  # short cells in three columns: no running text
            for x, cell in ((140, "allsanpey"), (230, "DNA"), (290, f"Biochem. {36 + k}")):
                c.drawString(x, top(110 + 14 * k), cell)
        _chart(c, 150, 240, 300, 150)
        caption(c, 133, 420, "Figure 10:", ["Experimental and computed Tm."])

    (fig,) = extract_pdf(make(tmp_path, "melting.pdf", draw)).figures
    assert fig.label == "Figure 10" and fig.bbox[1] > 190  # not the table

    def two_charts(c: canvas.Canvas) -> None:
        _chart(c, 150, 60, 300, 120)
        _chart(c, 150, 240, 300, 150)
        caption(c, 133, 420, "Figure 10:", ["Experimental and computed Tm."])

    (fig,) = extract_pdf(make(tmp_path, "stacked.pdf", two_charts)).figures
    assert fig.bbox[1] < 70


def test_a_grid_with_its_tick_labels_outside_is_no_table() -> None:
    """Gridlines across a plot with tick labels left of and under them: a chart, whose
    row may join the figure beside it; the same rules with the text between them: a table."""
    from litclip.corpus.extract import regions as reg

    rules = [reg.Element((100.0, y, 400.0, y + 0.5), "path") for y in (100.0, 150.0, 200.0)]
    ticks = [reg.Element((80.0, y - 4, 95.0, y + 4), "text") for y in (100.0, 150.0, 200.0)]
    cells = [reg.Element((110.0, y, 300.0, y + 9), "text") for y in (110.0, 130.0, 170.0)]
    assert not reg._ruled_table(reg.Region([*rules, *ticks]))
    assert reg._ruled_table(reg.Region([*rules, *cells]))
    bars = [reg.Element((150.0, 120.0, 170.0, 200.0), "path")]
    assert not reg._ruled_table(reg.Region([*rules, *cells, *bars]))


def test_a_sentence_broken_by_inline_math_bounds_the_figure_under_it(tmp_path: Path) -> None:
    """'Here g' + subscripts + '= w b A' + '(dr) is the nearest-neighbour ...' is one row of
    running text in pieces; the pieces are no labels of the photo 15 pt under them (taking
    them, it grew up over the display equation above: elsarticle's sample)."""

    def draw(c: canvas.Canvas) -> None:
        y = paragraph(c, 72, 60, 95, 5)
        c.setFont("Times-Roman", 10)
        c.drawString(230, top(y + 14), "w = w + 2 (g / h) cos(x - x + p / 2)")  # a display equation
        c.drawString(520, top(y + 14), "(9)")
        row = y + 34  # the row's baseline, top-left
        c.drawString(72, top(row), "Here g")
        c.setFont("Times-Roman", 7)
        c.drawString(99, top(row - 4), "1l")  # superscript and subscript stacked
        c.drawString(99, top(row + 3), "1l")
        c.setFont("Times-Roman", 8.5)
        c.drawString(108, top(row), "= w b A")
        c.setFont("Times-Roman", 10)
        c.drawString(
            141, top(row), "(dr) is the nearest-neighbour inter-sphere coupling parameter."
        )
        image(c, photo(21), (72, row + 15, 530, row + 170))
        caption(c, 72, row + 185, "Figure 3:", ["Dispersion of the evanescent polariton."])

    ex = extract_pdf(make(tmp_path, "pieces.pdf", draw))
    assert [f.label for f in ex.figures] == ["Figure 3"]
    y = 60 + 5 * 12 + 4 + 34
    assert iou(ex.figures[0].bbox, (72, y + 15, 530, y + 170)) > 0.95


def test_a_lone_sentence_broken_by_inline_math_is_running_text(tmp_path: Path) -> None:
    """StOpt's manual: a display equation, then one sentence row in two long pieces around
    "W" with a superscript and a subscript (neither piece long enough alone, nor another
    line of prose near), then a drawing. The row is running text: the figure is the
    drawing, not the drawing with the sentence and the equation over it."""
    row = 133.0

    def draw(c: canvas.Canvas) -> None:
        y = paragraph(c, 72, 20, 80, 3, size=12)  # the body in 12 pt, as StOpt's
        c.drawString(217, top(y + 30), "W  :=  span  f(x) : i in B")  # a display equation
        c.setLineWidth(0.5)
        c.line(228, top(y + 33), 232, top(y + 33))  # its accents, drawn
        c.line(316, top(y + 33), 324, top(y + 33))
        c.drawString(72, top(row + 9), "A representation of the space W")  # to x 226
        c.setFont("Times-Roman", 8)
        c.drawString(228, top(row + 3), "(L)")
        c.drawString(227, top(row + 12), "l")
        c.setFont("Times-Roman", 12)
        c.drawString(244, top(row + 9), "is given in dimension 1 on the figure 3.6. The sparse")
        image(c, photo(23, (142, 127)), (234, 159, 376, 286))
        caption(c, 72, 296, "Figure 3.6:", ["One dimensional spaces and the nodal representation."])
        paragraph(c, 72, 330, 80, 30, size=12)

    ex = extract_pdf(make(tmp_path, "lone.pdf", draw))
    assert [f.label for f in ex.figures] == ["Figure 3.6"]
    assert iou(ex.figures[0].bbox, (234, 159, 376, 286)) > 0.95


def test_a_plot_drawn_in_tiny_pictures_is_a_figure(tmp_path: Path) -> None:
    """bamg's manual: old dvips plots drawn as hundreds of pictures 0.1 to 0.4 pt across
    (dots along the curve, thin bars for the axes). Each alone is a sliver to drop; by the
    hundred they are the plot, which its caption under it takes (not the photo further down
    the page)."""
    dot = Image.new("RGB", (1, 1), "black")

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 60, 95, 3)
        for k in range(300):  # a curve of dots, 0.1 pt each
            x = 120 + 0.5 * k
            y = 250 - 80 * np.sin(k / 300 * np.pi)
            image(c, dot, (x, y, x + 0.1, y + 0.1))
        image(c, dot, (118, 120, 118.4, 252))  # the y axis, a 0.4 pt bar
        image(c, dot, (118, 252, 272, 252.4))  # the x axis
        caption(c, 120, 262, "Figure 8:", ["Error versus iteration."])
        image(c, photo(24, (150, 120)), (300, 320, 450, 440))
        caption(c, 300, 446, "Figure 9:", ["A mesh."])
        paragraph(c, 72, 480, 95, 15)

    figs = {f.label: f for f in extract_pdf(make(tmp_path, "dots.pdf", draw)).figures}
    assert iou(figs["Figure 8"].bbox, (118, 120, 272, 252.4)) > 0.9
    assert iou(figs["Figure 9"].bbox, (300, 320, 450, 440)) > 0.95


def _swatches(c: canvas.Canvas, note: str | None = None) -> None:
    """ReportLab's Figure 2-9: five 29 pt colour swatches 50 pt apart, each under its
    label, 52 pt over their caption (``note``: a line of text set between them)."""
    paragraph(c, 72, 60, 95, 6)
    for k in range(5):
        x = 146 + 79 * k
        c.setFont("Helvetica", 8)
        c.drawString(x - 6, top(200), f"c{k} m0 y0 k0")
        c.setFillColorRGB(0.1 * k, 0.5, 0.8)
        c.rect(x, top(236), 29, 29, stroke=1, fill=1)
        c.setFillColorRGB(0, 0, 0)
    if note:
        c.setFont("Times-Roman", 10)
        c.drawString(150, top(270), note)
    caption(c, 260, 288, "Figure 2-9:", ["CMYK Color Models"])
    paragraph(c, 72, 330, 95, 25)


def test_a_row_of_small_pieces_over_a_caption_is_its_figure(tmp_path: Path) -> None:
    """Pieces each too small to be a figure and too far apart to cluster, set in a row
    right over a caption that has no figure: together they are its figure. With a line of
    text between them and the caption, they are not."""
    fig = extract_pdf(make(tmp_path, "swatches.pdf", _swatches)).figures
    assert [f.label for f in fig] == ["Figure 2-9"]
    assert iou(fig[0].bbox, (140, 192, 491, 236)) > 0.9

    def noted(c: canvas.Canvas) -> None:
        _swatches(c, "These are the five process colours used here.")

    assert extract_pdf(make(tmp_path, "noted.pdf", noted)).figures == []


FIGURE_8 = [
    "After realizing a State, a",
    "subsystem provides responses,",
    "operators, and solvers.",
]


def text_box_caption(
    c: canvas.Canvas,
    at: tuple[float, float],
    label: str,
    lines: list[str],
    size: float = 8.0,
    fonts: tuple[str, str] = ("Times-Bold", "Times-Roman"),
    leading: float | None = None,
) -> None:
    """A word processor's caption: bold label, then its lines (``at``: the first baseline,
    top-left y), ``leading`` (default ``size + 2``) points apart."""
    x, y = at
    step = size + 2 if leading is None else leading
    c.setFont(fonts[0], size)
    c.drawString(x, top(y), label)
    c.setFont(fonts[1], size)
    c.drawString(x + c.stringWidth(label + " ", fonts[0], size), top(y), lines[0])
    for i, text in enumerate(lines[1:], start=1):
        c.drawString(x, top(y + i * step), text)


def test_a_caption_over_a_drawings_blank_corner_and_past_its_edge(tmp_path: Path) -> None:
    """A word processor's figure: the caption's text box sits over the blank bottom-right
    corner of a line drawing (axes of a coordinate frame) and runs on past its right edge."""

    def draw(c: canvas.Canvas) -> None:
        c.setLineWidth(1.2)
        for x0, y0, x1, y1 in (
            (230, 176, 310, 176),  # the frame's axes
            (229, 90, 229, 171),
            (229, 171, 176, 216),
            (246, 174, 269, 199),  # a vector
            (205, 190, 248, 190),
        ):
            c.line(x0, top(y0), x1, top(y1))
        c.circle(323, top(188), 9)
        text_box_caption(
            c,
            (246, 219),
            "Figure 2:",
            ["Coordinate frame F, and how to express", "the location of a point P in F."],
            fonts=("Helvetica-Bold", "Helvetica"),
        )
        paragraph(c, 72, 250, 95, 6)

    ex = extract_pdf(make(tmp_path, "corner.pdf", draw))
    assert [f.label for f in ex.figures] == ["Figure 2"]
    assert iou(ex.figures[0].bbox, (176, 90, 332, 216)) > 0.8


def test_a_caption_in_the_figures_notch_is_painted_over_in_its_crop(tmp_path: Path) -> None:
    """JFMS: the caption sits under the short photo, beside the tall one, inside the box of
    both; the crop must not show its words (they would teach the model to read captions)."""

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 60, 95, 5)
        c.setFillGray(0.92)  # the page's tinted panel behind the figure
        c.rect(240, top(500), 330, 170, stroke=0, fill=1)
        c.setFillGray(0)
        image(c, photo(31, (190, 140)), (257, 348, 446, 488))  # a
        image(c, photo(32, (103, 99)), (450, 348, 553, 447))  # b
        c.setFont("Helvetica-Bold", 7)
        c.drawString(452, top(460), "Figure 11")
        c.setFont("Helvetica", 7)
        for i, text in enumerate(("Biopsy forceps (a) and", "a balloon dilator (b)", "of 18 mm")):
            c.drawString(452, top(470 + 9 * i), text)
        paragraph(c, 72, 520, 95, 4)

    path = make(tmp_path, "notch.pdf", draw)
    (fig, whole, _panels, _native), *_ = list(iter_figures(str(path), dpi=100))
    assert fig.label == "Figure 11" and iou(fig.bbox, (257, 348, 553, 488)) > 0.9
    scale = whole.width / (fig.bbox[2] - fig.bbox[0])
    gray = np.asarray(whole.convert("L")).astype(int)

    def px(x: float, y: float) -> tuple[int, int]:
        return int((y - fig.bbox[1]) * scale), int((x - fig.bbox[0]) * scale)

    (r0, c0), (r1, c1) = px(452, 452), px(549, 488)
    words = gray[r0:r1, c0:c1]
    assert words.min() > 200 and np.ptp(words) < 8  # one tint, no dark glyphs
    (r0, c0), (r1, c1) = px(262, 352), px(440, 484)
    assert gray[r0:r1, c0:c1].std() > 20  # photo a is untouched


def test_a_caption_walled_in_by_its_figures_slices_is_its_caption(tmp_path: Path) -> None:
    """JFMS's Figure 3 (upper respiratory endoscopy): a tinted panel stored as picture
    slices holds three photos and, in its bottom right corner, the caption. The slice
    behind photo c runs down under the caption's first line and thin slices flank it, so
    it sits in no notch; the figure, all pictures round it, is still its figure. The
    magazine's jump line over it, "Continued on page 1011", is no part of it."""
    tint = Image.new("RGB", (20, 20), (236, 214, 222))

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 60, 95, 6)
        c.setFillColorRGB(236 / 255, 214 / 255, 222 / 255)  # the boxed section's tint
        c.rect(51, top(737), 502, 737 - 390, stroke=0, fill=1)
        c.setFillGray(0)
        paragraph(c, 60, 400, 95, 10)  # the section's text, over the figure
        c.setFont("Helvetica-Bold", 9)
        c.drawString(440, top(552), "Continued on page 1011")  # the magazine's jump line
        image(c, tint, (165, 558, 354, 629))  # slices of the tinted panel
        image(c, tint, (165, 629, 354, 731))
        image(c, tint, (354, 558, 367, 689))  # between the photos
        image(c, tint, (354, 689, 367, 731))  # left of the caption
        image(c, tint, (552, 558, 554, 689))  # right of photo c, down to the caption
        image(c, tint, (367, 558, 552, 689))  # behind photo c, under the caption's top line
        image(c, photo(41, (180, 64)), (170, 563, 353, 627))  # a
        image(c, photo(42, (180, 84)), (170, 634, 353, 718))  # b
        image(c, photo(43, (150, 110)), (377, 563, 531, 677))  # c
        c.setFont("Helvetica-Bold", 7)
        c.drawString(367, top(688), "Figure 3")
        c.setFont("Helvetica", 7)
        for i, text in enumerate(("A selection of rigid and flexible rhinoscopes", "commonly")):
            c.drawString(367 + (33 if i == 0 else 0), top(688 + 9 * i), text)
        for i, text in enumerate(("employed in feline practice: (a) 2.7 mm rigid", "scope; (b)")):
            c.drawString(367, top(706 + 9 * i), text)

    path = make(tmp_path, "walled.pdf", draw)
    found = list(iter_figures(str(path), dpi=72))
    assert [fig.label for fig, *_ in found] == ["Figure 3"]
    (fig, whole, _panels, _native), *_ = found
    assert iou(fig.bbox, (169.1, 562.3, 547.9, 726.5)) > 0.7, fig.bbox
    assert fig.bbox[1] > 555, fig.bbox  # the jump line over it is the page's, not the figure's
    # its words, over the slice behind photo c and the panel's tint, are painted over
    x, y = int(368 - fig.bbox[0]), int(682 - fig.bbox[1])
    words = np.asarray(whole.convert("L"))[y : y + 30, x : x + 170].astype(int)
    assert words.min() > 150 and np.ptp(words) < 12, (words.min(), np.ptp(words))


def test_a_caption_hanging_under_a_diagrams_right_half_is_its_caption(tmp_path: Path) -> None:
    """Simbody's manual (a word processor's figure): the caption sits under the right half of
    a diagram and runs on past its right edge, while the diagram's 'Back to State' label at
    the left reaches lower than the caption's top."""

    def draw(c: canvas.Canvas) -> None:
        c.setDash(2, 2)
        c.rect(187, top(297), 202, 226)  # the subsystem's dashed box
        c.setDash()
        for y in (95, 150, 200):
            c.rect(260, top(y + 30), 70, 30)
        for x0, y0, x1, y1 in (
            (330, 110, 435, 110),  # results out to the right
            (330, 165, 435, 165),
            (151, 165, 260, 165),  # inputs in from the left
            (151, 215, 260, 215),
            (295, 230, 295, 335),  # back to the state
        ):
            c.line(x0, top(y0), x1, top(y1))
        c.setFont("Helvetica", 10)
        c.drawString(240, top(356), "Back to State")
        text_box_caption(c, (372, 327), "Figure 8:", FIGURE_8)
        paragraph(c, 72, 380, 95, 6)

    ex = extract_pdf(make(tmp_path, "hanging.pdf", draw))
    assert [f.label for f in ex.figures] == ["Figure 8"]
    assert iou(ex.figures[0].bbox, (151, 71, 435, 358)) > 0.9


def test_a_side_caption_under_a_label_that_reaches_past_the_figure(tmp_path: Path) -> None:
    """Simbody's manual: the caption is set beside a box diagram, 14 pt right of it, under
    the diagram's 'Subsystem' label (a picture) that reaches out over the caption's column."""

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 60, 95, 5)
        c.setLineWidth(1.5)
        c.rect(182, top(394), 174, 147)  # the system's box
        c.rect(137, top(394), 30, 147)  # the state's column
        image(c, photo(41, (60, 10)), (329, 265, 390, 276))  # the label, set as a picture
        text_box_caption(
            c,
            (370, 324),
            "Figure 3.",
            ["Systems are", "composed of Subsystems."],
            size=9,
            fonts=("Times-Bold", "Helvetica"),
            leading=12,
        )
        paragraph(c, 72, 420, 95, 4)

    ex = extract_pdf(make(tmp_path, "level.pdf", draw))
    assert [f.label for f in ex.figures] == ["Figure 3"]
    assert iou(ex.figures[0].bbox, (137, 247, 390, 394)) > 0.9


def test_a_caption_set_as_a_picture_of_its_words_is_painted_over_too(tmp_path: Path) -> None:
    """A word processor's caption: a text box stored as a picture a little bigger than its
    words, with the words' text layer on it, hanging under the right half of a diagram."""

    def draw(c: canvas.Canvas) -> None:
        c.setDash(2, 2)
        c.rect(187, top(297), 202, 226)
        c.setDash()
        for x0, y0, x1, y1 in ((330, 110, 435, 110), (151, 165, 260, 165), (295, 230, 295, 335)):
            c.line(x0, top(y0), x1, top(y1))
        c.setFont("Helvetica", 10)
        c.drawString(240, top(356), "Back to State")
        box = Image.new("RGB", (170, 50), "white")
        for y in (6, 16, 26):  # the picture's own copy of the words (thin strokes)
            box.paste((30, 30, 30), (4, y, 150, y + 2))
        image(c, box, (366, 317, 527, 364))
        text_box_caption(c, (372, 327), "Figure 8:", FIGURE_8)
        paragraph(c, 72, 380, 95, 6)

    path = make(tmp_path, "boxed.pdf", draw)
    (fig, whole, _panels, _native), *_ = list(iter_figures(str(path), dpi=100))
    assert fig.label == "Figure 8"
    scale = whole.width / (fig.bbox[2] - fig.bbox[0])
    gray = np.asarray(whole.convert("L")).astype(int)
    r0, r1 = int((320 - fig.bbox[1]) * scale), int((352 - fig.bbox[1]) * scale)
    c0, c1 = int((374 - fig.bbox[0]) * scale), int((fig.bbox[2] - 1 - fig.bbox[0]) * scale)
    assert gray[r0:r1, c0:c1].min() > 200  # neither the text nor the picture of it shows


def test_hide_caption_keeps_grey_crops_grey_and_leaves_captions_elsewhere() -> None:
    from litclip.corpus.extract.render import hide_caption
    from litclip.corpus.types import ExtractedFigure

    im = Image.new("L", (100, 100), 200)
    im.paste(0, (55, 55, 85, 58))  # the caption's words
    fig = ExtractedFigure("Figure 1", "1", 1, (0, 0, 100, 100), "Figure 1. x", (50, 50, 90, 70))
    out = hide_caption(im, fig, [])
    assert out.mode == "L" and np.asarray(out)[50:70, 50:90].min() == 200
    fig.caption_page = 2  # a legend on the facing page: nothing of it is in this crop
    assert hide_caption(im, fig, []) is im
    fig.caption_page, fig.caption_bbox = None, (50, 97, 90, 107)  # grazing the bottom edge
    assert hide_caption(im, fig, []) is im
    # over a picture: painted where the picture is one flat tint behind the words (a panel's
    # slice), left alone over the picture's own detail
    fig.caption_bbox = (50, 50, 90, 70)
    picture = [((30.0, 30.0, 100.0, 100.0), (70, 70), None)]
    out = hide_caption(im, fig, picture)
    assert np.asarray(out)[50:70, 50:90].min() == 200
    detail = im.copy()
    detail.paste(Image.effect_noise((70, 70), 80), (30, 30))
    detail.paste(0, (55, 55, 85, 58))
    assert hide_caption(detail, fig, picture) is detail


def test_bare_labels_titling_plots_in_small_type_are_no_captions(tmp_path: Path) -> None:
    """spatstat's datasets vignette: four plots titled "Fig1", "Fig4a"... in 5.4 pt type (the
    data sets' names), no caption anywhere; a bare label in caption type over its caption's
    text is still a caption."""

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 60, 95, 5)
        for (x, y), name in zip(
            ((200, 150), (280, 150), (200, 250), (280, 250)),
            ("Fig1", "Fig4a", "Fig4b", "Fig4c"),
            strict=True,
        ):
            c.setFont("Helvetica", 5.4)
            c.drawString(x + 2, top(y - 2), name)
            image(c, photo(len(name) + x, (60, 60)), (x, y, x + 62, y + 62))
        paragraph(c, 72, 340, 95, 4)
        image(c, photo(51), (150, 420, 450, 600))
        c.setFont("Helvetica-Bold", 6.5)
        c.drawString(72, top(618), "Figure 2")
        c.setFont("Helvetica", 6.5)
        c.drawString(72, top(627), "Axial FLAIR image of the same patient six months later.")

    ex = extract_pdf(make(tmp_path, "titles.pdf", draw))
    assert [f.label for f in ex.figures] == ["Figure 2"]


def test_titles_between_a_drawing_and_its_caption_are_the_figures(tmp_path: Path) -> None:
    """ADOL-C's Figure 4: two diagrams, each titled 18 pt under it ("Basic taping
    process"), then the caption: the titles are in the crop (they were cut off), the
    running text over the figure is not."""

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 60, 95, 4)
        _chart(c, 110, 140, 170, 100)
        _chart(c, 350, 140, 170, 100)
        c.setFont("Helvetica", 10)
        c.drawString(150, top(282), "Basic taping process")
        c.drawString(380, top(282), "Advanced taping process")
        caption(c, 200, 296, "Figure 4:", ["Different taping approaches"])
        paragraph(c, 72, 320, 95, 10)

    (fig,) = extract_pdf(make(tmp_path, "titles.pdf", draw)).figures
    assert 282 <= fig.bbox[3] < 296 and fig.bbox[1] > 100


def test_a_listing_beside_a_drawing_over_one_caption_is_part_of_the_figure(
    tmp_path: Path,
) -> None:
    """scotch's Figure 7: a tree drawing and, 80 pt right of it, the file that describes it
    in fixed-width type, its first lines over the drawing's top, over one caption as wide as
    the column: the whole listing is in the crop (it was cut off). A listing over a caption
    of its own is not."""

    def listing(c: canvas.Canvas, x: float, y: float) -> None:
        c.setFont("Courier", 8)
        for k in range(14):
            c.drawString(x, top(y + 10 * k), " ".join(str(j) for j in range(k % 5 + 1)))

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 60, 95, 4)
        _chart(c, 110, 140, 160, 120)
        listing(c, 350, 126)  # its first lines over the drawing's top
        caption(c, 72, 300, "Figure 7:", ["Target decomposition file for UB(2, 3). " * 3, "x"])
        paragraph(c, 72, 340, 95, 10)

    (fig,) = extract_pdf(make(tmp_path, "beside.pdf", draw)).figures
    assert fig.bbox[2] > 380 and fig.bbox[1] < 122

    def two(c: canvas.Canvas) -> None:
        paragraph(c, 72, 60, 95, 4)
        _chart(c, 110, 140, 160, 120)
        listing(c, 350, 140)
        caption(c, 350, 284, "Figure 8:", ["Its file."])
        caption(c, 72, 300, "Figure 7:", ["Target decomposition file for UB(2, 3). " * 3, "x"])
        paragraph(c, 72, 340, 95, 10)

    figs = {f.label: f for f in extract_pdf(make(tmp_path, "two.pdf", two)).figures}
    assert figs["Figure 7"].bbox[2] < 330

    def aside(c: canvas.Canvas) -> None:  # earth's notes: a caption beside, code under it
        paragraph(c, 72, 60, 95, 4)
        _chart(c, 110, 140, 160, 150)
        caption(c, 320, 140, "Figure 22:", ["Prediction intervals on an earth model,", "x"])
        listing(c, 330, 180)
        paragraph(c, 72, 340, 95, 10)

    (fig,) = extract_pdf(make(tmp_path, "aside.pdf", aside)).figures
    assert fig.bbox[2] < 300


def _code_band(
    c: canvas.Canvas, y: float, calls: list[str], x0: float = 72, x1: float = 540
) -> float:
    """knitr's shaded code chunk at top-left y, one Courier line a call; returns its bottom."""
    height = 6 + 12 * len(calls)
    c.setFillGray(0.94)
    c.rect(x0, top(y + height), x1 - x0, height, stroke=0, fill=1)
    c.setFillGray(0)
    c.setFont("Courier", 8)
    for i, call in enumerate(calls):
        c.drawString(x0 + 6, top(y + 12 + 12 * i), call)
    return y + height


def test_code_chunks_over_a_plot_are_not_part_of_it(tmp_path: Path) -> None:
    """genefilter's vignette prints each call on a grey band, one or two lines a band, 12 pt
    over the plot it makes: too few lines for a listing, the bands were taken into the
    figure as stray parts (IoU 0.24 with the plot)."""

    plot: list[tuple[float, float, float, float]] = []

    def draw(c: canvas.Canvas) -> None:
        y = paragraph(c, 72, 60, 95, 6)
        y = _code_band(c, y + 6, ['badfilter = as.numeric(gsub("[+]*FBgn", "", rownames(res)))'])
        y = _code_band(c, y + 6, ["plot(rank(badfilter)/length(badfilter), -log10(res$pvalue))"])
        plot.append((186, y + 12, 426, y + 142))
        image(c, photo(7, (240, 130)), plot[0])
        caption(
            c, 150, y + 154, "Figure 2:", ["Scatterplot analogous to Figure 1, with badfilter."]
        )
        paragraph(c, 72, y + 190, 95, 6)

    ex = extract_pdf(make(tmp_path, "chunks.pdf", draw))
    (fig,) = ex.figures
    assert fig.label == "Figure 2" and iou(fig.bbox, plot[0]) > 0.95, fig.bbox


def test_a_listing_beside_a_margin_figure_is_not_its_key(tmp_path: Path) -> None:
    """mets' Tufte-style vignette sets small figures in the right margin beside the main
    column's listings: a listing's last lines and the rule under them, level with a
    figure and too small to count alone, were joined to it as a colour key would be."""

    def draw(c: canvas.Canvas) -> None:
        paragraph(c, 72, 60, 60, 20)
        c.setFont("Courier", 8)
        for i, call in enumerate(["oo <- prob.exceedRecurrent(rr, 1)", "bplot(oo)"]):
            c.drawString(74, top(620 + 12 * i), f"{i + 6} {call}")
        c.setLineWidth(0.7)
        c.line(86, top(640), 374, top(640))
        image(c, photo(8, (140, 115)), (397, 606, 537, 721))
        caption(
            c, 397, 730, "Figure 5:", ["Recurrent events: probability of", "exceeding k events."]
        )

    ex = extract_pdf(make(tmp_path, "margin.pdf", draw))
    (fig,) = ex.figures
    assert iou(fig.bbox, (397, 606, 537, 721)) > 0.95, fig.bbox


def test_white_plot_regions_do_not_widen_a_figure(tmp_path: Path) -> None:
    """R fills and strokes each plot region in white: spdep's maps, narrower than their
    plot regions, came out with the invisible boxes' width (IoU 0.59). A white box that
    holds nothing drawn still counts (a block diagram's padding joins its blocks)."""
    from litclip.corpus.extract.regions import page_elements

    def draw(c: canvas.Canvas) -> None:
        y = paragraph(c, 72, 60, 95, 5)
        c.setStrokeColorRGB(1, 1, 1)
        c.setFillColorRGB(1, 1, 1)
        c.rect(120, top(y + 190), 360, 170, stroke=1, fill=1)  # the plot region
        c.rect(500, top(y + 60), 30, 30, stroke=1, fill=0)  # a white box holding nothing
        c.setStrokeColorRGB(0, 0, 0)
        c.setFillColorRGB(0.3, 0.3, 0.3)
        c.rect(200, top(y + 160), 200, 110, stroke=1, fill=1)  # the map in it
        c.setFillColorRGB(0, 0, 0)
        caption(c, 120, y + 200, "Figure 1:", ["Census tracts of the study area and their graph."])
        paragraph(c, 72, y + 240, 95, 5)

    path = make(tmp_path, "white.pdf", draw)
    (fig,) = extract_pdf(path).figures
    y = 60 + 5 * 12 + 4
    assert iou(fig.bbox, (200, y + 50, 400, y + 160)) > 0.95, fig.bbox
    with open_pdf(path) as pdf:
        boxes = [e.bbox for e in page_elements(pdf[0])]
    assert any(abs(b[0] - 500) < 2 and abs(b[2] - 530) < 2 for b in boxes)  # the spacer
    assert not any(abs(b[0] - 120) < 2 and abs(b[2] - 480) < 2 for b in boxes)  # no region


def _attach_figures(path: Path, rects: list[tuple[float, float, float, float]], flags: int) -> None:
    """Add a file-attachment annotation over each top-left ``rect`` whose appearance is a
    blue square (TUGboat shows each MetaPost figure so, its source attached)."""
    doc = pdfium.PdfDocument(str(path))
    page = doc[0]
    for x0, y0, x1, y1 in rects:
        annot = pdfium_c.FPDFPage_CreateAnnot(page.raw, pdfium_c.FPDF_ANNOT_FILEATTACHMENT)
        rect = pdfium_c.FS_RECTF(x0, H - y0, x1, H - y1)
        assert pdfium_c.FPDFAnnot_SetRect(annot, rect)
        pdfium_c.FPDFAnnot_SetFlags(annot, flags)
        # the appearance is drawn in page space (pdfium gives it the rectangle as its box)
        left, bottom, w, h = x0, H - y1, x1 - x0, y1 - y0
        ap = f"0 0 1 rg {left + 2:.1f} {bottom + 2:.1f} {w - 4:.1f} {h - 4:.1f} re f"
        value = (ap + "\0").encode("utf-16-le")
        buf = ctypes.create_string_buffer(value, len(value))
        assert pdfium_c.FPDFAnnot_SetAP(
            annot,
            pdfium_c.FPDF_ANNOT_APPEARANCEMODE_NORMAL,
            ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)),
        )
        pdfium_c.FPDFPage_CloseAnnot(annot)
    out = path.with_suffix(".annotated.pdf")
    doc.save(str(out))
    doc.close()
    out.replace(path)


def test_a_drawing_shown_as_an_annotations_appearance_is_a_figure(tmp_path: Path) -> None:
    """TUGboat attaches each MetaPost figure's source file: the drawing is the appearance
    of a file-attachment annotation, not a page object. It is found, boxed to the
    annotation. A paper clip icon (16 pt) beside it is no part of it, nor is a hidden annotation."""

    def draw(c: canvas.Canvas) -> None:
        y = paragraph(c, 72, 60, 95, 4)
        caption(c, 72, y + 170, "Figure 1:", ["A square drawn with MetaPost."])
        paragraph(c, 72, y + 200, 95, 4)
        caption(c, 72, y + 400, "Figure 2:", ["Another square, hidden."])

    path = make(tmp_path, "attached.pdf", draw)
    ex = extract_pdf(path)
    assert ex.figures == []
    y = 112.0  # under the four lines of the first paragraph
    _attach_figures(
        path, [(200.0, y + 20.0, 330.0, y + 160.0), (180.0, y + 20.0, 196.0, y + 36.0)], 0
    )
    _attach_figures(path, [(200.0, y + 262.0, 330.0, y + 390.0)], 2)  # HIDDEN
    doc = pdfium.PdfDocument(str(path))
    shown = _raw.picture_annotations(doc[0])  # page space: y up from the foot
    doc.close()
    assert sorted(round(b[1]) for b in shown) == [H - y - 160, H - y - 36]  # not the hidden one
    ex = extract_pdf(path)
    assert [f.label for f in ex.figures] == ["Figure 1"]
    assert ex.figures[0].bbox == pytest.approx((200.0, y + 20.0, 330.0, y + 160.0), abs=0.5)


def test_a_framed_word_in_the_line_over_a_picture_is_no_part_of_it(tmp_path: Path) -> None:
    """NorduGrid's monitor manual boxes a filter value in running text with LaTeX's \\fbox
    ("a filter Status = INLRMS: R") 10 pt over a screenshot: the frame's four rules were
    graphics, and the figure reached up to the line."""

    def draw(c: canvas.Canvas) -> None:
        y = paragraph(c, 72, 60, 95, 4)
        lead = "Used memory (KB), and Status - the latter with a filter "
        base = y + 10
        c.setFont("Times-Roman", 10)
        c.drawString(72, top(base), lead + "Status = INLRMS: R")
        x0 = 72 + stringWidth(lead, "Times-Roman", 10) - 3
        x1 = 72 + stringWidth(lead + "Status = INLRMS: R", "Times-Roman", 10) + 3
        y0, y1 = base - 10.5, base + 3.5  # the frame's top and bottom, page y down
        for rule in ((x0, y0, x1, y0 + 0.4), (x0, y1 - 0.4, x1, y1)):  # \fbox's four rules
            c.rect(rule[0], top(rule[3]), rule[2] - rule[0], 0.4, stroke=0, fill=1)
        for x in (x0, x1 - 0.4):
            c.rect(x, top(y1), 0.4, y1 - y0, stroke=0, fill=1)
        image(c, photo(3), (165, y1 + 10, 445, y1 + 100))
        caption(c, 72, y1 + 112, "Figure 8:", ["The job list filtered by status."])

    ex = extract_pdf(make(tmp_path, "framed_word.pdf", draw))
    (fig,) = ex.figures
    assert fig.label == "Figure 8"
    assert fig.bbox[1] >= fig.bbox[3] - 90.5  # the picture's top, not the frame's
