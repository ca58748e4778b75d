"""Rows a worker writes: the panel caption convention (see litclip.corpus.writers)."""

from __future__ import annotations

from pathlib import Path

from litclip.corpus.types import ExtractedFigure, Panel
from litclip.corpus.worker import PdfTask, _figure_rows, panel_caption
from tests.corpus.corpus_fixtures import photo


def test_panel_caption_keeps_label_and_printed_case() -> None:
    assert (
        panel_caption(
            "Figure 2", "Fig. 2. Frogs. (a) lateral view", "Frogs.", "A", "lateral view", "a"
        )
        == "Figure 2 (a): Frogs. lateral view"
    )
    # no shared part; the printed letter defaults to the panel letter
    assert panel_caption("Figure 3", "whole", "", "B", "MRI confirms it.") == (
        "Figure 3 (B): MRI confirms it."
    )
    # a panel without its own sub-caption gets the whole caption
    assert panel_caption("Figure 3", "Figure 3. Two views.", "Two views.", "A", "  ") == (
        "Figure 3. Two views."
    )


def test_figure_rows_panel_column_upper_caption_as_printed(tmp_path: Path) -> None:
    fig = ExtractedFigure(
        label="Figure 1",
        number="1",
        page=1,
        bbox=(0.0, 0.0, 200.0, 100.0),
        caption="Fig. 1. Frogs. (a) lateral view (b) dorsal view",
        caption_bbox=(0.0, 100.0, 200.0, 110.0),
        shared_caption="Frogs.",
        panels=[
            Panel("A", (0.0, 0.0, 100.0, 100.0), "lateral view", "a"),
            Panel("B", (100.0, 0.0, 200.0, 100.0), "dorsal view", "b"),
        ],
    )
    task = PdfTask(str(tmp_path / "x.pdf"), "x.pdf", "ab" * 32, str(tmp_path), str(tmp_path))
    whole = photo(1, (200, 100))
    panels = [whole.crop((0, 0, 100, 100)), whole.crop((100, 0, 200, 100))]
    rows = _figure_rows(task, fig, whole, panels, None, set())
    assert [r["panel"] for r in rows] == [None, "A", "B"]
    assert [r["caption"] for r in rows] == [
        fig.caption,
        "Figure 1 (a): Frogs. lateral view",
        "Figure 1 (b): Frogs. dorsal view",
    ]
    assert rows[1]["parent_id"] == rows[0]["pair_id"]


def test_gray_crops_are_stored_with_one_channel_losslessly(tmp_path: Path) -> None:
    from types import SimpleNamespace

    import numpy as np
    from PIL import Image

    from litclip.corpus.worker import _save

    task = SimpleNamespace(image_format="png", png_compress=1)
    rng = np.random.default_rng(0)
    gray = np.repeat(rng.integers(0, 256, (40, 60, 1), dtype=np.uint8), 3, axis=2)
    colour = gray.copy()
    colour[5, 7, 2] ^= 1  # one channel of one pixel differs: stays RGB
    for name, pixels, mode in (("g.png", gray, "L"), ("c.png", colour, "RGB")):
        _save(Image.fromarray(pixels), tmp_path / name, task)  # type: ignore[arg-type]
        with Image.open(tmp_path / name) as back:
            assert back.mode == mode
            assert np.array_equal(np.asarray(back.convert("RGB")), pixels)


def test_gray_jpeg_crops_have_one_channel(tmp_path: Path) -> None:
    from types import SimpleNamespace

    import numpy as np
    from PIL import Image

    from litclip.corpus.worker import _save

    task = SimpleNamespace(image_format="jpg", png_compress=1)
    gray = np.repeat(np.arange(48, dtype=np.uint8).reshape(6, 8, 1) * 5, 3, axis=2)
    _save(Image.fromarray(gray), tmp_path / "g.jpg", task)  # type: ignore[arg-type]
    colour = gray.copy()
    colour[..., 0] = 200
    _save(Image.fromarray(colour), tmp_path / "c.jpg", task)  # type: ignore[arg-type]
    with Image.open(tmp_path / "g.jpg") as g, Image.open(tmp_path / "c.jpg") as c:
        assert (g.format, g.mode) == ("JPEG", "L")
        assert (c.format, c.mode) == ("JPEG", "RGB")


def test_labels_of_one_slug_on_a_page_get_a_separated_suffix(tmp_path: Path) -> None:
    """'Figure 2.1' and 'Figure 21' share the slug figure21: the second was 'figure212'."""
    task = PdfTask(str(tmp_path / "x.pdf"), "x.pdf", "cd" * 32, str(tmp_path), str(tmp_path))
    seen: set[str] = set()
    ids = []
    for label in ("Figure 2.1", "Figure 21"):
        fig = ExtractedFigure(
            label=label, number=label.split()[-1], page=3, bbox=(0.0, 0.0, 50.0, 50.0),
            caption=f"{label}. A scan.", caption_bbox=(0.0, 50.0, 50.0, 60.0),
        )  # fmt: skip
        rows = _figure_rows(task, fig, photo(2, (50, 50)), [], None, seen)
        ids.append(rows[0]["pair_id"])
    assert ids == [f"{'cd' * 8}-p3-figure21", f"{'cd' * 8}-p3-figure21-2"]


def _drawn_figure(panels: list[Panel], **kw: object) -> ExtractedFigure:
    """A 200 x 100 pt figure with the given panels (kind tests)."""
    return ExtractedFigure(
        label="Figure 2", number="2", page=1, bbox=(0.0, 0.0, 200.0, 100.0),
        caption="Figure 2. Plots.", caption_bbox=(0.0, 100.0, 200.0, 110.0),
        panels=panels, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def _task(tmp_path: Path) -> PdfTask:
    return PdfTask(str(tmp_path / "x.pdf"), "x.pdf", "ab" * 32, str(tmp_path), str(tmp_path))


def test_rows_carry_text_hints_and_the_kind_they_give(tmp_path: Path) -> None:
    """A drawn figure whose text prints two axis scales is a chart; its panels are judged
    on their own hints; a plug-in extractor's figure without hints still gets a row."""
    from PIL import Image, ImageDraw

    from litclip.corpus.types import TextHints

    img = Image.new("RGB", (400, 200), "white")
    ImageDraw.Draw(img).line([(20, 150), (120, 60), (220, 120), (380, 30)], fill="blue", width=2)
    halves = [Panel("A", (0.0, 0.0, 100.0, 100.0)), Panel("B", (100.0, 0.0, 200.0, 100.0))]
    fig = _drawn_figure(halves, source="vector", text=TextHints(lines=12, scales=4))
    fig.panels[0].text = TextHints(lines=6, scales=2)
    panels = [img.crop((0, 0, 200, 200)), img.crop((200, 0, 400, 200))]
    rows = _figure_rows(_task(tmp_path), fig, img, panels, None, set())
    assert [(r["kind"], r["n_scales"], r["text_lines"]) for r in rows] == [
        ("chart", 4, 12),
        ("chart", 2, 6),
        ("diagram", 0, 0),
    ]
    del fig.text  # a plug-in's figure type without the field
    row = _figure_rows(_task(tmp_path), fig, img, [], None, set())[0]
    assert (row["kind"], row["n_scales"], row["mono_lines"]) == ("diagram", 0, 0)


def test_a_grid_of_plots_is_a_chart_by_its_panels(tmp_path: Path) -> None:
    """Each plot of a 2x2 grid shows an L of axes; the whole figure's axes are too short."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (400, 400), "white")
    d = ImageDraw.Draw(img)
    boxes = [(x, y, x + 200, y + 200) for y in (0, 200) for x in (0, 200)]
    for x0, y0, _, _ in boxes:
        d.line(
            [(x0 + 30, y0 + 20), (x0 + 30, y0 + 170), (x0 + 180, y0 + 170)], fill="black", width=2
        )
        d.line(
            [(x0 + 40, y0 + 150), (x0 + 100, y0 + 60), (x0 + 170, y0 + 110)], fill="red", width=2
        )
    fig = _drawn_figure([Panel(k, (0.0, 0.0, 100.0, 100.0)) for k in "ABCD"], source="raster")
    rows = _figure_rows(_task(tmp_path), fig, img, [img.crop(b) for b in boxes], None, set())
    assert [r["kind"] for r in rows] == ["chart"] * 5
    rows = _figure_rows(_task(tmp_path), fig, img, [], None, set())
    assert rows[0]["kind"] == "diagram"  # without its panels, the grid's pixels say line art
