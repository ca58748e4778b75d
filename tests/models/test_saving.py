"""save_model writes a directory that litclip and plain open_clip both load identically."""

from __future__ import annotations

import json
import shutil

import numpy as np
import open_clip
import pytest
import torch
from PIL import Image

from litclip.models import encode_images, encode_texts, load_model, save_model

TEXTS = ["axial T2-weighted MRI of a glioma", "CT with a hyperdense haemorrhage"]


def _images(n: int = 3) -> list[Image.Image]:
    rng = np.random.default_rng(0)
    return [Image.fromarray(rng.integers(0, 255, (40, 50, 3), dtype=np.uint8)) for _ in range(n)]


@pytest.mark.parametrize("spec", ["litclip-micro", "litclip-tiny"])
def test_roundtrip_litclip_and_plain_open_clip(spec, tmp_path) -> None:
    lm = load_model(spec)
    out = save_model(lm, tmp_path / "model", metadata={"note": "test"})
    meta = json.loads((out / "litclip.json").read_text())
    assert meta["base_spec"] == spec and meta["note"] == "test" and "litclip_version" in meta

    # Moving the folder must not break loading (the HF text config travels with it).
    moved = tmp_path / "moved"
    shutil.move(str(out), moved)
    lm2 = load_model(moved)
    imgs = _images()
    np.testing.assert_allclose(
        encode_images(lm, imgs, progress=False), encode_images(lm2, imgs, progress=False), atol=1e-6
    )
    np.testing.assert_allclose(
        encode_texts(lm, TEXTS, progress=False), encode_texts(lm2, TEXTS, progress=False), atol=1e-6
    )

    if spec == "litclip-micro":  # the HF-tower variant stores an absolute path: re-save in place
        model, _, preprocess = open_clip.create_model_and_transforms(f"local-dir:{moved}")
        tokenizer = open_clip.get_tokenizer(f"local-dir:{moved}")
        model.eval()
        with torch.no_grad():
            feats = model.encode_image(torch.stack([preprocess(i) for i in imgs]))
            tfeats = model.encode_text(tokenizer(TEXTS))
        plain = torch.nn.functional.normalize(feats, dim=-1).numpy()
        plain_t = torch.nn.functional.normalize(tfeats, dim=-1).numpy()
        np.testing.assert_allclose(plain, encode_images(lm2, imgs, progress=False), atol=1e-5)
        np.testing.assert_allclose(plain_t, encode_texts(lm2, TEXTS, progress=False), atol=1e-5)


def test_tiny_dir_loads_in_plain_open_clip_in_place(tmp_path) -> None:
    lm = load_model("litclip-tiny")
    out = save_model(lm, tmp_path / "tiny")
    model, _, preprocess = open_clip.create_model_and_transforms(f"local-dir:{out}")
    tokenizer = open_clip.get_tokenizer(f"local-dir:{out}")
    model.eval()
    with torch.no_grad():
        t = torch.nn.functional.normalize(model.encode_text(tokenizer(TEXTS)), dim=-1).numpy()
    np.testing.assert_allclose(t, encode_texts(lm, TEXTS, progress=False), atol=1e-5)
