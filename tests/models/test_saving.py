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


def test_a_failed_save_leaves_the_earlier_model_whole(tmp_path, monkeypatch) -> None:
    import copy

    import litclip.models.saving as saving

    lm = load_model("litclip-micro")
    out = save_model(lm, tmp_path / "best_model", metadata={"best_step": 1})
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    better = copy.deepcopy(lm.model)
    with torch.no_grad():
        next(better.parameters()).add_(1.0)
    write_json = saving.atomic_write_json

    def killed_at_metadata(path, obj) -> None:  # noqa: ANN001
        if path.name == "litclip.json":
            raise KeyboardInterrupt  # a run stopped after the weights, before their metadata
        write_json(path, obj)

    monkeypatch.setattr(saving, "atomic_write_json", killed_at_metadata)
    with pytest.raises(KeyboardInterrupt):
        save_model(lm, out, metadata={"best_step": 2}, model=better)
    # new weights had stood beside the step-1 metadata
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["best_model"]


def test_saving_into_a_folder_of_other_files_keeps_them(tmp_path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    save_model(load_model("litclip-micro"), tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert load_model(tmp_path).model_name


def test_saved_weights_are_readable_by_colleagues_and_servers(tmp_path) -> None:
    """safetensors made the weights file 0600 anew: another user or a service account
    serving the model could not read it, while its configs were 0644."""
    import os
    import stat

    from litclip import io

    out = save_model(load_model("litclip-micro"), tmp_path / "m")
    modes = {p.name: stat.S_IMODE(os.stat(p).st_mode) for p in out.iterdir()}
    assert set(modes.values()) == {0o666 & ~io._current_umask()}, modes
