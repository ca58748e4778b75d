"""Locked towers (LiT) over open_clip's own ``lock_image_tower`` / ``lock_text_tower``."""

from __future__ import annotations

import torch
from torch import nn


def _text_projection(model: nn.Module) -> list[nn.Parameter]:
    """The text tower's projection: ``text.proj`` (HF) or ``text_projection`` (open_clip)."""
    text = getattr(model, "text", None)
    if text is not None and hasattr(text, "proj"):
        return list(text.proj.parameters())
    proj = getattr(model, "text_projection", None)
    if isinstance(proj, nn.Parameter):
        return [proj]
    if isinstance(proj, nn.Module):
        return list(proj.parameters())
    return []


def _hf_layers(transformer: nn.Module) -> list[nn.Module]:
    """The transformer blocks of a Hugging Face encoder (``encoder.layer`` or the like)."""
    encoder = getattr(transformer, "encoder", transformer)
    for name in ("layer", "layers", "block"):
        blocks = getattr(encoder, name, None)
        if isinstance(blocks, nn.ModuleList):
            return list(blocks)
    raise ValueError(f"cannot find the layers of {type(transformer).__name__} to unlock")


def lock_image(model: nn.Module, unlocked_groups: int = 0) -> None:
    """Freeze the image tower, leaving its last ``unlocked_groups`` groups trainable."""
    model.lock_image_tower(unlocked_groups=unlocked_groups, freeze_bn_stats=False)


def lock_text(model: nn.Module, unlocked_layers: int = 0, train_projection: bool = True) -> None:
    """Freeze the text tower except its last ``unlocked_layers`` layers (and the projection).

    open_clip's HF text tower keeps its projection trainable when locked, its own text
    transformer does not; ``train_projection`` makes both behave the same way. The last
    unlocked layer of the native tower comes with ``ln_final``.
    """
    native = not hasattr(getattr(model, "text", None), "proj")
    if native:
        # open_clip counts its text projection as the last "layer" group; make N mean blocks.
        groups = unlocked_layers + 1 if unlocked_layers > 0 else 0
        model.lock_text_tower(unlocked_layers=groups, freeze_layer_norm=True)
    else:
        # open_clip's HF partial unlock needs an arch table entry BERT lacks; do it here.
        model.lock_text_tower(unlocked_layers=0, freeze_layer_norm=True)
        blocks = _hf_layers(model.text.transformer)
        for layer in blocks[len(blocks) - unlocked_layers :] if unlocked_layers > 0 else []:
            for p in layer.parameters():
                p.requires_grad = True
    for p in _text_projection(model):
        p.requires_grad = train_projection


def count_trainable(model: nn.Module) -> tuple[int, int]:
    """``(trainable, total)`` parameter counts."""
    total = sum(p.numel() for p in model.parameters())
    train = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return train, total


def trainable_snapshot(model: nn.Module) -> dict[str, torch.Tensor]:
    """Copies of every parameter, for tests and sanity checks."""
    return {n: p.detach().clone() for n, p in model.named_parameters()}
