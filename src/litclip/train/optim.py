"""AdamW parameter groups (per-tower learning rates, no decay on gains/biases/scale) and schedule."""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch
from torch import nn


def _no_decay(name: str, param: nn.Parameter) -> bool:
    # open_clip's rule: 1-d tensors (gains, biases, logit scale/bias), norms and embeddings' scalars.
    return param.ndim < 2 or "bn" in name or "ln" in name or "bias" in name or "logit_scale" in name


def _tower(name: str) -> str:
    if name.startswith("visual."):
        return "image"
    if name.startswith("logit_"):
        return "scale"
    # The text projection is a head, not the pretrained trunk (litclip-tiny initialises it at
    # random): it trains at the base lr while text_lr_mult slows the transformer.
    if name.startswith(("text.proj.", "text_projection", "text.text_projection")):
        return "head"
    return "text"


def param_groups(
    model: nn.Module,
    extra: Iterable[nn.Parameter] = (),
    lr: float = 5e-4,
    weight_decay: float = 0.1,
    image_lr_mult: float = 1.0,
    text_lr_mult: float = 1.0,
) -> list[dict]:
    """Trainable parameters grouped by (tower, decay), each group with its own lr.

    Args:
        model: the model (frozen parameters are left out).
        extra: trainable parameters outside the model (e.g. a loss-owned SigLIP bias).
        lr: base learning rate (logit scale and ``extra`` use it unscaled).
        weight_decay: AdamW decay of the decayed groups.
        image_lr_mult: multiplier for ``visual.*``.
        text_lr_mult: multiplier for the text transformer (its projection uses ``lr``).
    """
    mults = {"image": image_lr_mult, "text": text_lr_mult, "scale": 1.0, "head": 1.0}
    groups: dict[tuple[str, bool], dict] = {}
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        tower, decay = _tower(name), not _no_decay(name, p)
        g = groups.setdefault(
            (tower, decay),
            {
                "params": [],
                "names": [],
                "lr": lr * mults[tower],
                "weight_decay": weight_decay if decay else 0.0,
                "group": f"{tower}/{'decay' if decay else 'no_decay'}",
            },
        )
        g["params"].append(p)
        g["names"].append(name)
    extra = [p for p in extra if p.requires_grad]
    if extra:
        groups[("extra", False)] = {
            "params": extra,
            "names": ["objective"] * len(extra),
            "lr": lr,
            "weight_decay": 0.0,
            "group": "objective",
        }
    return list(groups.values())


def cosine_with_warmup(warmup: int, total: int):  # noqa: ANN201 - returns a closure
    """``step -> lr factor``: linear warmup to 1, then cosine to 0 at ``total``."""

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / max(1, warmup)
        progress = (step - warmup) / max(1, total - warmup)
        return 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

    return factor


def create_optimizer(
    groups: list[dict], betas: tuple[float, float] = (0.9, 0.98), eps: float = 1e-6
) -> torch.optim.AdamW:
    """AdamW over ``groups`` (the ``names``/``group`` keys are kept for logging)."""
    # foreach kernels also run on CPU and halve the per-step optimizer time of small models.
    return torch.optim.AdamW(groups, betas=betas, eps=eps, foreach=True)


def create_scheduler(
    optimizer: torch.optim.Optimizer, warmup: int, total: int
) -> torch.optim.lr_scheduler.LambdaLR:
    """A ``LambdaLR`` with :func:`cosine_with_warmup` (its state dict is plain data)."""
    return torch.optim.lr_scheduler.LambdaLR(optimizer, cosine_with_warmup(warmup, total))
