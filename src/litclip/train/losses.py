"""Contrastive objectives: ``clip`` (InfoNCE), ``selip`` (InfoNCE + KL to caption similarity), ``siglip``.

The batch maths is open_clip's: :class:`open_clip.loss.ClipLoss` (with ``local_loss`` and
``gather_with_grad``, so under DDP the logits span the global batch and gradients flow back
to every rank) and :class:`open_clip.loss.SigLipLoss`. SeLIP subclasses ``ClipLoss`` and only
adds the soft-target term::

    loss = 1/2 (CE(S_i2t, I) + CE(S_t2i, I)) + 1/2 (KL(P || softmax S_i2t) + KL(P || softmax S_t2i))

with ``P`` the row-normalised caption similarity of the *global* batch
(:class:`litclip.train.similarity.SelipTargets`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from open_clip.loss import ClipLoss, SigLipLoss
from torch import nn

from litclip.train.similarity import SelipTargets


class SelipLoss(ClipLoss):
    """SeLIP: half the symmetric InfoNCE plus half a KL divergence to soft caption-similarity
    targets (REFERENCES.md)."""

    def __init__(self, rank: int = 0, world_size: int = 1) -> None:
        super().__init__(local_loss=True, gather_with_grad=True, rank=rank, world_size=world_size)

    def forward(  # type: ignore[override]
        self,
        image_features: torch.Tensor,
        text_features: torch.Tensor,
        logit_scale: torch.Tensor,
        soft_targets: torch.Tensor,
        logit_bias: torch.Tensor | None = None,
        output_dict: bool = False,
    ) -> Any:
        """``soft_targets``: ``(G, G)`` rows summing to 1 over the global batch."""
        logits_i, logits_t = self.get_logits(image_features, text_features, logit_scale, logit_bias)
        labels = self.get_ground_truth(image_features.device, logits_i.shape[0])
        hard = (F.cross_entropy(logits_i, labels) + F.cross_entropy(logits_t, labels)) / 2
        # Local rows of P (labels hold this rank's global row numbers); M is symmetric, so
        # the same rows are the targets of both directions.
        p = soft_targets.to(logits_i.device, logits_i.dtype)[labels]
        kl_i = F.kl_div(F.log_softmax(logits_i, dim=1), p, reduction="batchmean")
        kl_t = F.kl_div(F.log_softmax(logits_t, dim=1), p, reduction="batchmean")
        similarity = (kl_i + kl_t) / 2
        # half of each, as the paper writes it: with no similar captions (one-hot targets,
        # where the KL equals the cross-entropy) the loss is CLIP's, not twice it
        total = (hard + similarity) / 2
        if output_dict:
            return {"contrastive_loss": hard, "similarity_loss": similarity, "loss": total}
        return total


class Objective(nn.Module):
    """A loss with one call signature for the training loop.

    ``forward(out, global_indices)`` takes the model's output dict (``image_features``,
    ``text_features``, ``logit_scale``, maybe ``logit_bias``) and the dataset indices of the
    global batch, and returns a dict with ``loss`` plus its parts (floats for logging).
    """

    def __init__(self, name: str, loss: nn.Module, targets: SelipTargets | None = None) -> None:
        super().__init__()
        self.name = name
        self.loss = loss
        self.targets = targets
        # SigLIP needs a bias; models without one get a trainable one here (saved in checkpoints).
        self.logit_bias = nn.Parameter(torch.tensor(-10.0)) if name == "siglip" else None

    def forward(
        self, out: dict[str, torch.Tensor], global_indices: Sequence[int]
    ) -> dict[str, Any]:
        img, txt, scale = out["image_features"], out["text_features"], out["logit_scale"]
        bias = out.get("logit_bias")
        if self.name == "siglip":
            loss = self.loss(img, txt, scale, bias if bias is not None else self.logit_bias)
            return {"loss": loss}
        if self.name == "selip":
            p = self.targets.targets(global_indices)
            parts = self.loss(img, txt, scale, p, bias, output_dict=True)
            return parts
        return {"loss": self.loss(img, txt, scale, bias)}


def _clip(rank: int, world: int, targets: Callable[[], SelipTargets] | None) -> Objective:
    return Objective(
        "clip", ClipLoss(local_loss=True, gather_with_grad=True, rank=rank, world_size=world)
    )


def _selip(rank: int, world: int, targets: Callable[[], SelipTargets] | None) -> Objective:
    if targets is None:
        raise ValueError("selip needs caption similarity targets")
    return Objective("selip", SelipLoss(rank=rank, world_size=world), targets())


def _siglip(rank: int, world: int, targets: Callable[[], SelipTargets] | None) -> Objective:
    return Objective("siglip", SigLipLoss(rank=rank, world_size=world))


# Explicit registry (STYLE lesson 2).
LOSS_BUILDERS: dict[str, Callable[..., Objective]] = {
    "clip": _clip,
    "selip": _selip,
    "siglip": _siglip,
}


def create_objective(
    name: str,
    rank: int = 0,
    world_size: int = 1,
    targets: Callable[[], SelipTargets] | None = None,
) -> Objective:
    """Build the named objective; ``targets`` lazily builds SeLIP's similarity (selip only)."""
    if name not in LOSS_BUILDERS:
        raise ValueError(f"unknown loss {name!r}; choose from {sorted(LOSS_BUILDERS)}")
    return LOSS_BUILDERS[name](rank, world_size, targets)
