"""Fixtures for the evaluation tests: tiny generated datasets (seeded) and a shared micro model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image


def _image(label: int, rng: np.random.Generator, size: int = 32) -> Image.Image:
    """Class 0: dark noisy square; class 1: bright disc on noise (easy to tell apart)."""
    arr = rng.integers(0, 60, (size, size), dtype=np.uint8)
    if label == 1:
        yy, xx = np.mgrid[:size, :size]
        cy, cx = rng.integers(10, size - 10, 2)
        arr[(yy - cy) ** 2 + (xx - cx) ** 2 < 36] = 230
    return Image.fromarray(arr).convert("RGB")


def make_folder_dataset(
    root: Path,
    n: dict[str, int],
    seed: int = 0,
    classes: tuple[str, ...] = ("no_finding", "finding"),
) -> Path:
    """``root/<split>/<class>/*.png`` with ``n[split]`` images per class."""
    rng = np.random.default_rng(seed)
    for split, count in n.items():
        for label, cls in enumerate(classes):
            d = root / split / cls
            d.mkdir(parents=True, exist_ok=True)
            for i in range(count):
                _image(label, rng).save(d / f"{i:03d}.png")
    return root


def make_pairs(root: Path, n_images: int = 12, captions_per_image: int = 2, seed: int = 0) -> Path:
    """A manifest with ``captions_per_image`` rows per image (same filepath)."""
    rng = np.random.default_rng(seed)
    (root / "images").mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(n_images):
        _image(i % 2, rng).save(root / "images" / f"{i:03d}.png")
        for j in range(captions_per_image):
            rows.append(
                {
                    "filepath": f"images/{i:03d}.png",
                    "caption": f"figure {i} caption {j}: "
                    + ("a bright lesion" if i % 2 else "no lesion"),
                }
            )
    pd.DataFrame(rows).to_csv(root / "manifest.csv", index=False)
    return root / "manifest.csv"


@pytest.fixture(scope="session")
def image_factory():
    """``(label, rng) -> PIL image`` for the tiny two-class image sets."""
    return _image


@pytest.fixture(scope="session")
def micro():
    """litclip-micro, loaded once for the whole session."""
    from litclip.models import load_model

    return load_model("litclip-micro")


@pytest.fixture(scope="session")
def folder_ds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-class folder dataset with train/val/test splits."""
    return make_folder_dataset(
        tmp_path_factory.mktemp("folder") / "lesions", {"train": 12, "val": 8, "test": 8}
    )


@pytest.fixture(scope="session")
def pairs_manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An image-caption manifest with two captions per image."""
    return make_pairs(tmp_path_factory.mktemp("pairs") / "corpus")
