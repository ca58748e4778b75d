"""The cheap figure-type classifier on synthetic, seeded crops of each kind."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from litclip.corpus.kinds import KINDS, _longest_runs, classify_kind, kind_features
from litclip.corpus.types import TextHints
from tests.corpus.corpus_fixtures import photo


def bar_chart(seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", (400, 300), "white")
    d = ImageDraw.Draw(img)
    d.line([(40, 20), (40, 260)], fill="black", width=2)  # y axis
    d.line([(40, 260), (380, 260)], fill="black", width=2)  # x axis
    for i, h in enumerate(rng.uniform(40, 220, 6)):
        d.rectangle([60 + 50 * i, 260 - int(h), 90 + 50 * i, 259], fill=(60, 90, 200))
    for i in range(6):
        d.text((60 + 50 * i, 268), f"G{i}", fill="black")
    return img


def flow_diagram() -> Image.Image:
    img = Image.new("RGB", (400, 400), "white")
    d = ImageDraw.Draw(img)
    for i, y in enumerate((30, 160, 290)):
        d.rectangle([120, y, 280, y + 70], outline="black", width=2)
        d.text((140, y + 30), f"Step {i + 1}: patients", fill="black")
        if i < 2:
            d.line([(200, y + 70), (200, y + 130)], fill="black", width=2)
    return img


def table_img() -> Image.Image:
    img = Image.new("RGB", (500, 300), "white")
    d = ImageDraw.Draw(img)
    for y in (20, 60, 280):
        d.line([(10, y), (490, y)], fill="black", width=2)
    for r in range(6):
        for c in range(4):
            d.text((20 + 120 * c, 70 + 35 * r), f"{r * c + 3.1:.1f}", fill="black")
    return img


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_medical_images_are_images(seed: int) -> None:
    kind, feats = classify_kind(photo(seed), "raster")
    assert kind == "image", feats


def test_colour_photograph_is_image() -> None:
    rng = np.random.default_rng(0)
    arr = np.clip(rng.normal(120, 50, (200, 300, 3)), 0, 255).astype(np.uint8)
    assert classify_kind(Image.fromarray(arr), "raster")[0] == "image"


@pytest.mark.parametrize("seed", [1, 2])
def test_bar_chart_is_chart(seed: int) -> None:
    kind, feats = classify_kind(bar_chart(seed), "vector")
    assert kind == "chart", feats


def test_flow_diagram_is_diagram() -> None:
    kind, feats = classify_kind(flow_diagram(), "vector")
    assert kind == "diagram", feats


def test_table_is_table() -> None:
    kind, feats = classify_kind(table_img(), "vector")
    assert kind == "table", feats


def test_vector_source_is_never_image() -> None:
    # A tonally rich rendering that the extractor says was drawn with vector paths only.
    kind, _ = classify_kind(photo(5), "vector")
    assert kind != "image" and kind in KINDS


def test_features_use_a_thumbnail_only() -> None:
    feats = kind_features(Image.new("L", (5000, 4000), 255))
    assert feats.white_frac == 1.0 and feats.n_levels == 1


def _window(seed: int) -> Image.Image:
    """A program window: grey chrome, a blue title bar, white fields, black labels."""
    rng = np.random.default_rng(seed)
    img = Image.new("RGB", (480, 360), (212, 208, 200))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 0, 479, 24], fill=(40, 80, 170))
    for k in range(6):
        y = 50 + 45 * k
        d.text((20, y + 4), f"Setting {k}", fill="black")
        d.rectangle([140, y, 140 + int(rng.integers(150, 300)), y + 22], fill="white")
    return img


def _angiogram() -> Image.Image:
    """A grey angiogram: a flat grey ground, smooth dark vessels, no tint."""
    img = Image.new("L", (400, 400), 185)
    d = ImageDraw.Draw(img)
    for k in range(7):
        d.line([(200, 380), (40 + 55 * k, 30 + 20 * (k % 3))], fill=60 + 10 * k, width=6 - k % 3)
    return img.filter(ImageFilter.GaussianBlur(2)).convert("RGB")


def _curve() -> Image.Image:
    """A line plot drawn without axis lines (a dot-and-line chart, its frame left off)."""
    img = Image.new("RGB", (400, 300), "white")
    d = ImageDraw.Draw(img)
    pts = [(40 + 40 * i, 250 - (i * 37 % 200)) for i in range(9)]
    d.line(pts, fill=(30, 60, 180), width=2)
    for x, y in pts:
        d.ellipse([x - 3, y - 3, x + 3, y + 3], fill="black")
    return img


def _listing() -> Image.Image:
    img = Image.new("RGB", (400, 200), "white")
    d = ImageDraw.Draw(img)
    for k in range(8):
        d.text(
            (10, 10 + 22 * k), "  for (i = 0; i < n; i++) x[i] = f(i);"[: 20 + 2 * k], fill="black"
        )
    return img


@pytest.mark.parametrize("seed", [1, 2])
def test_a_screenshot_is_not_an_image(seed: int) -> None:
    # window chrome is one flat grey tone over most of the crop, with little page white
    kind, feats = classify_kind(_window(seed), "raster")
    assert kind == "other" and feats.flat_tone >= 0.28, feats


def test_a_grey_picture_with_a_flat_ground_stays_an_image() -> None:
    kind, feats = classify_kind(_angiogram(), "raster")
    assert kind == "image" and feats.flat_tone >= 0.28, feats  # flat, but untinted


def test_a_flat_grey_box_is_no_image() -> None:
    """elsarticle's test document sets a plain grey box as its figure: one grey level, no
    page white. No photograph is one tone; a dark scan with a few tones still is."""
    kind, feats = classify_kind(Image.new("L", (300, 200), 200), "raster")
    assert kind == "other" and feats.n_levels == 1, feats
    scan = np.zeros((200, 300), np.uint8)  # a dark ground under tissue of six tones
    for k, tone in enumerate((60, 90, 120, 150, 180, 210)):
        scan[40:160, 60 + 30 * k : 90 + 30 * k] = tone
    kind, feats = classify_kind(Image.fromarray(scan), "raster")
    assert kind == "image" and feats.n_levels < 20, feats  # not rich: a few tones suffice


def test_printed_axis_scales_make_a_drawing_a_chart() -> None:
    assert classify_kind(_curve(), "vector")[0] == "diagram"  # pixels alone: line art
    assert classify_kind(_curve(), "vector", TextHints(lines=9, scales=2))[0] == "chart"
    assert classify_kind(_curve(), "vector", TextHints(lines=5, scales=1))[0] == "diagram"
    # a raster picture's tick numbers are not in the text layer: hints there are captions'
    assert classify_kind(_curve(), "raster", TextHints(lines=9, scales=2))[0] != "chart"


def test_fixed_width_text_is_a_listing() -> None:
    assert classify_kind(_listing(), "vector")[0] == "diagram"
    assert classify_kind(_listing(), "vector", TextHints(lines=8, mono=8))[0] == "other"
    assert classify_kind(_listing(), "vector", TextHints(lines=8, mono=2))[0] == "diagram"
    # a plot whose tick numbers are set in Courier keeps its axes: still a chart
    assert classify_kind(bar_chart(1), "vector", TextHints(lines=8, mono=8))[0] == "chart"


def test_a_figure_takes_the_kind_most_of_its_panels_share() -> None:
    from litclip.corpus.kinds import kind_from_panels

    assert kind_from_panels("diagram", ["chart", "chart", "image"]) == "chart"
    assert kind_from_panels("other", ["image", "image"]) == "image"
    assert kind_from_panels("diagram", ["chart", "image"]) == "diagram"  # no two thirds
    assert kind_from_panels("diagram", ["table", "table", "table"]) == "diagram"
    assert kind_from_panels("image", ["chart", "chart"]) == "image"  # its own call stands
    assert kind_from_panels("table", []) == "table"


def test_thin_grey_axes_are_axes() -> None:
    """An office-style scatter plot: 2-px light grey axes that thumbnailing fades to near white."""
    img = Image.new("RGB", (960, 400), "white")
    d = ImageDraw.Draw(img)
    d.line([(95, 10), (95, 330), (690, 330)], fill=(200, 200, 200), width=2)
    for k in range(12):
        x, y = 120 + 48 * k, 300 - 22 * k
        d.rectangle([x - 8, y - 8, x + 8, y + 8], fill=(20, 60, 140))
    kind, feats = classify_kind(img.convert("RGB"), "raster")
    assert kind == "chart" and feats.axis_left and feats.axis_bottom, feats


def test_labels_set_over_a_photograph_do_not_make_it_a_listing() -> None:
    # a clinical photo over a white sheet (no L of axes), four Courier labels typed over it
    rng = np.random.default_rng(3)
    arr = np.clip(rng.normal(150, 40, (300, 400, 3)), 0, 255)
    arr[180:] = rng.uniform(242, 255, (120, 400, 1))
    img = Image.fromarray(arr.astype(np.uint8))
    assert classify_kind(img, "raster")[0] == "image"
    assert classify_kind(img, "raster", TextHints(lines=4, mono=4))[0] == "image"


def _longest_run_of(row: np.ndarray) -> int:
    best = run = 0
    for v in row.tolist():
        run = run + 1 if v else 0
        best = max(best, run)
    return best


def test_longest_runs_per_row_match_a_plain_count() -> None:
    """The run lengths behind the rule and axis features, row by row: runs that reach a
    row's edge end there (they never continue on the next row)."""
    rng = np.random.default_rng(3)
    for share in (0.05, 0.5, 0.95):
        mask = rng.random((40, 33)) < share
        mask[5], mask[6, -4:], mask[7, :4] = True, True, True  # a full row; runs at the edges
        for m in (mask, mask.T):
            assert _longest_runs(m).tolist() == [_longest_run_of(r) for r in m]
    assert _longest_runs(np.zeros((3, 0), bool)).tolist() == [0, 0, 0]
    assert _longest_runs(np.zeros((0, 4), bool)).tolist() == []
