"""Fixture builders for the dataset tests: tiny seeded images written into ``tmp_path``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

CORRUPT_PNG = b"\x89PNG\r\n\x1a\n" + b"this is not image data" * 4


def write_image(path: Path, seed: int, size: int = 16, fmt: str | None = None) -> Path:
    """Write a random RGB image (seeded) and return its path."""
    rng = np.random.default_rng(seed)
    arr = rng.integers(0, 256, size=(size, size, 3), dtype=np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(arr).save(path, format=fmt)
    return path


def image_bytes(seed: int, fmt: str = "PNG", size: int = 16) -> bytes:
    """Encoded bytes of a random seeded image."""
    import io

    rng = np.random.default_rng(seed)
    arr = rng.integers(0, 256, size=(size, size, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format=fmt)
    return buf.getvalue()


@pytest.fixture
def make_folder(tmp_path: Path) -> Callable[..., Path]:
    """Build ``root/[split/]class/img.png`` trees: ``make_folder({"a_b": 2, "c": 3}, split=None)``."""

    def _make(classes: dict[str, int], split: str | None = None, root: Path | None = None) -> Path:
        root = root or tmp_path / "folder"
        base = root / split if split else root
        seed = 0
        for cls, n in classes.items():
            for j in range(n):
                write_image(base / cls / f"img_{j:03d}.png", seed=seed)
                seed += 1
        return root

    return _make
