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


def test_training_with_or_without_the_cache_gives_the_same_losses(
    corpus_dir: Path, tmp_path: Path
) -> None:
    """Uncached, the locked trunk ran in train mode (its dropout on), so switching the cache
    changed the loss it is documented not to change."""
    import json

    from litclip.train import TrainConfig, train

    def losses(cache: bool) -> list[float]:
        out = tmp_path / str(cache)
        cfg = TrainConfig(
            model="litclip-tiny", data=str(corpus_dir), out=str(out), batch_size=8,
            max_steps=2, lock_text=True, augment=False, cache_text_features=cache,
            log_every=1, save_checkpoints=False, progress=False,
        )  # fmt: skip
        train(cfg)
        lines = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
        return [m["loss"] for m in lines if m["kind"] == "train"]

    import pytest

    assert losses(False) == pytest.approx(losses(True), rel=1e-4)
