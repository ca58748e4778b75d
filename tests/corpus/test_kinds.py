"""The cheap figure-type classifier on synthetic, seeded crops of each kind."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from litclip.corpus.kinds import KINDS, classify_kind, kind_features
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
