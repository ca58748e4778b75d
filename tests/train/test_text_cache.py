"""Frozen HF text trunk: cached features + live projection equal the full model."""

from __future__ import annotations

from pathlib import Path

import torch


def test_frozen_text_trunk_cache_matches_the_full_model(corpus_dir: Path) -> None:
    from litclip.models import load_model
    from litclip.train.freeze import lock_text
    from litclip.train.text_cache import CachedTextModel, FrozenTextFeatures, has_frozen_hf_trunk

    lm = load_model("litclip-tiny")
    assert not has_frozen_hf_trunk(lm.model)
    lock_text(lm.model)
    assert has_frozen_hf_trunk(lm.model)
    captions = [
        "a red square with a top band",
        "axial mri of the brain",
        "a red square with a top band",
    ]
    cached = CachedTextModel(
        lm.model, FrozenTextFeatures(lm.model, lm.tokenizer, torch.device("cpu")), captions
    )
    lm.model.eval()
    images = torch.randn(3, 3, 96, 96)
    with torch.no_grad():
        out = cached(images, torch.tensor([0, 1, 2]))
        want = lm.model(images, lm.tokenizer(captions))
    want = (
        want
        if isinstance(want, dict)
        else dict(zip(("image_features", "text_features"), want[:2], strict=True))
    )
    torch.testing.assert_close(out["text_features"], want["text_features"], atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(out["image_features"], want["image_features"])
