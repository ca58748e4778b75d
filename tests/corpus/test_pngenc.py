"""The fast PNG writer decodes, in every reader, to exactly the pixels it was given."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from litclip.corpus import pngenc


def _decode(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        return np.asarray(im)


@pytest.mark.parametrize("shape", [(1, 1), (7, 13), (1300, 37), (5, 3, 3), (1030, 21, 3)])
@pytest.mark.parametrize("level", [0, 1, 3, 9])
def test_round_trip_is_lossless(shape: tuple[int, ...], level: int) -> None:
    rng = np.random.default_rng(sum(shape) + level)
    pixels = rng.integers(0, 256, size=shape, dtype=np.uint8)
    pixels[: shape[0] // 2] //= 16  # smooth and noisy bands, across the 512-row chunks
    data = pngenc.encode_png(pixels, level)
    assert data.startswith(pngenc.SIGNATURE)
    decoded = _decode(data)
    assert decoded.shape == pixels.shape
    assert np.array_equal(decoded, pixels)


def test_mode_follows_channels() -> None:
    grey = np.full((4, 6), 200, np.uint8)
    with Image.open(io.BytesIO(pngenc.encode_png(grey))) as im:
        assert im.mode == "L" and im.size == (6, 4)
    with Image.open(io.BytesIO(pngenc.encode_png(np.stack([grey] * 3, axis=-1)))) as im:
        assert im.mode == "RGB"


def test_size_close_to_pillow() -> None:
    """The fixed "Up" filter keeps files near Pillow's adaptive filtering on a smooth image."""
    y, x = np.mgrid[0:300, 0:400]
    pixels = np.stack([(x + y) % 256, (2 * x) % 256, (3 * y) % 256], axis=-1).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG", compress_level=1)
    assert len(pngenc.encode_png(pixels, 1)) < 1.5 * buf.tell()


def test_zlib_fallback_without_isal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pngenc, "_fast_zlib", None)
    pixels = np.arange(600, dtype=np.uint8).reshape(20, 10, 3)
    assert np.array_equal(_decode(pngenc.encode_png(pixels, 1)), pixels)


@pytest.mark.parametrize(
    "pixels",
    [np.zeros((0, 5), np.uint8), np.zeros((4, 4, 4), np.uint8), np.zeros((4, 4), np.uint16)],
)
def test_rejects_what_it_cannot_write(pixels: np.ndarray) -> None:
    with pytest.raises(ValueError):
        pngenc.encode_png(pixels)


def test_save_png_writes_file(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "x.png"
    pixels = np.eye(9, dtype=np.uint8) * 255
    pngenc.save_png(pixels, path)
    with Image.open(path) as im:
        assert np.array_equal(np.asarray(im), pixels)
