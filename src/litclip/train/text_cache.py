"""Frozen text trunk: compute its features once, train only the projection (LiT on a CPU budget).

When the text tower is locked with no unlocked layer (``lock_text=True``,
``lock_text_unlocked_layers=0``) and is a Hugging Face tower (e.g. litclip-tiny's MiniLM), its
pooled output per caption never changes. :class:`CachedTextModel` then runs the image tower
and only the trainable text projection on cached pooled features: identical outputs to the
full model in eval mode (the locked trunk is run in eval mode, i.e. without dropout, as in
LiT), at a fraction of the cost, since the text transformer is usually the heavier tower.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn


def has_frozen_hf_trunk(model: nn.Module) -> bool:
    """Whether ``model.text`` is an HF tower whose transformer is entirely frozen."""
    text = getattr(model, "text", None)
    if text is None or not all(hasattr(text, a) for a in ("transformer", "pooler", "proj")):
        return False
    return not any(p.requires_grad for p in text.transformer.parameters())


class FrozenTextFeatures:
    """Pooled text-trunk outputs per caption, computed lazily in batches and memoised."""

    def __init__(
        self,
        model: nn.Module,
        tokenizer: Callable[[list[str]], torch.Tensor],
        device: torch.device,
        batch_size: int = 64,
    ) -> None:
        self.text = model.text
        self.tokenizer = tokenizer
        self.device = device
        self.batch_size = batch_size
        self._memo: dict[str, torch.Tensor] = {}

    @torch.no_grad()
    def _compute(self, captions: list[str]) -> None:
        was_training = self.text.training
        self.text.eval()
        pad = self.text.config.pad_token_id
        try:
            for s in range(0, len(captions), self.batch_size):
                chunk = captions[s : s + self.batch_size]
                ids = self.tokenizer(chunk).to(self.device)
                mask = (ids != pad).long()
                out = self.text.transformer(input_ids=ids, attention_mask=mask)
                pooled = self.text.pooler(out, mask).float()
                self._memo.update(zip(chunk, pooled, strict=True))
        finally:
            self.text.train(was_training)

    def __call__(self, captions: Sequence[str]) -> torch.Tensor:
        """``(N, trunk width)`` pooled features of ``captions``."""
        missing = list(dict.fromkeys(c for c in captions if c not in self._memo))
        if missing:
            self._compute(missing)
        return torch.stack([self._memo[c] for c in captions])

    def encode(self, captions: Sequence[str]) -> torch.Tensor:
        """Projected text features (what ``model.encode_text`` returns), not normalised."""
        return self.text.proj(self(captions).to(self.text.proj.weight.dtype))


class CachedTextModel(nn.Module):
    """``forward(images, indices)`` -> open_clip's output dict, text from the cache.

    Args:
        model: the open_clip model (its image tower and text projection train).
        features: the frozen-trunk cache.
        captions: caption of every dataset index.
    """

    def __init__(
        self, model: nn.Module, features: FrozenTextFeatures, captions: Sequence[str]
    ) -> None:
        super().__init__()
        self.model = model
        self.features = features
        self.captions = list(captions)
        features(self.captions)  # fill the cache once, up front

    def forward(self, images: torch.Tensor, indices: torch.Tensor) -> dict[str, torch.Tensor]:
        """Image features from the tower, text features from cached trunk + live projection."""
        text = self.features.encode([self.captions[int(i)] for i in indices])
        out = {
            "image_features": self.model.encode_image(images, normalize=True),
            "text_features": F.normalize(text, dim=-1),
            "logit_scale": self.model.logit_scale.exp(),
        }
        if getattr(self.model, "logit_bias", None) is not None:
            out["logit_bias"] = self.model.logit_bias
        return out
