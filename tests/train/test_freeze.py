"""Locked towers (LiT): frozen parameters stay, the last N unlocked groups/layers train."""

from __future__ import annotations

import torch

from litclip.models import load_model
from litclip.train.freeze import count_trainable, lock_image, lock_text, trainable_snapshot
from litclip.train.losses import create_objective


def _steps(model: torch.nn.Module, make_pairs, n: int = 2) -> None:
    lm = load_model("litclip-micro")
    pairs = make_pairs(8)
    images = torch.stack([lm.preprocess_val(img) for _, img, _ in pairs])
    tokens = lm.tokenizer([c for *_, c in pairs])
    model.train().output_dict = True
    objective = create_objective("clip")
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.5)
    for _ in range(n):
        opt.zero_grad()
        objective(model(images, tokens), range(8))["loss"].backward()
        opt.step()


def _changed(before: dict, model: torch.nn.Module) -> set[str]:
    return {n for n, p in model.named_parameters() if not torch.equal(before[n], p.detach())}


def test_locked_image_tower_with_last_group_unlocked(pair_factory) -> None:
    torch.manual_seed(0)
    model = load_model("litclip-micro").model
    lock_image(model, unlocked_groups=1)  # only visual.proj (the last group) trains
    before = trainable_snapshot(model)
    _steps(model, pair_factory)
    changed = _changed(before, model)
    visual = {n for n in changed if n.startswith("visual.")}
    assert visual == {"visual.proj"}
    assert any(n.startswith("transformer.") for n in changed)  # the text tower still trains


def test_locked_text_tower_keeps_projection_and_last_layer(pair_factory) -> None:
    torch.manual_seed(0)
    model = load_model("litclip-micro").model
    lock_text(model, unlocked_layers=0, train_projection=True)
    trainable, total = count_trainable(model)
    assert 0 < trainable < total
    before = trainable_snapshot(model)
    _steps(model, pair_factory)
    text_changed = {
        n for n in _changed(before, model) if not n.startswith("visual.") and n != "logit_scale"
    }
    assert text_changed == {"text_projection"}

    model = load_model("litclip-micro").model
    lock_text(model, unlocked_layers=1, train_projection=False)
    before = trainable_snapshot(model)
    _steps(model, pair_factory)
    text_changed = {
        n for n in _changed(before, model) if not n.startswith("visual.") and n != "logit_scale"
    }
    assert text_changed and all(
        n.startswith(("transformer.resblocks.1.", "ln_final")) for n in text_changed
    )


def test_hf_text_tower_lock_counts_transformer_layers() -> None:
    model = load_model("litclip-tiny").model
    lock_text(model, unlocked_layers=1, train_projection=True)
    text = {n for n, p in model.named_parameters() if p.requires_grad and n.startswith("text.")}
    assert "text.proj.weight" in text
    assert all(
        n.startswith("text.transformer.encoder.layer.5.") for n in text - {"text.proj.weight"}
    )
    assert any(n.startswith("text.transformer.encoder.layer.5.") for n in text)
