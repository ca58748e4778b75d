"""Held-out retrieval recall@K during training (self-contained; no evaluate-package import).

Metric names follow CLIP_benchmark: ``image_retrieval_recall@K`` is text -> image (each caption
retrieves its image), ``text_retrieval_recall@K`` is image -> text; ``mean_recall@K`` is their
mean and ``chance@K = K / N``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F

from litclip.train.data import PairDataset, PairTable, make_loader


def recall_at_k(query: torch.Tensor, gallery: torch.Tensor, ks: Sequence[int]) -> dict[int, float]:
    """Recall@K where query ``i`` matches gallery ``i``; ties count against the match."""
    sims = query @ gallery.T
    own = sims.diagonal().unsqueeze(1)
    rank = (sims > own).sum(dim=1) + ((sims == own).sum(dim=1) - 1)  # pessimistic on ties
    return {k: float((rank < k).float().mean()) for k in ks}


def retrieval_metrics(
    image_emb: torch.Tensor, text_emb: torch.Tensor, ks: Sequence[int] = (1, 5, 10)
) -> dict[str, float]:
    """Both directions' recall@K, their mean and chance, from L2-normalised embeddings."""
    n = len(image_emb)
    t2i = recall_at_k(text_emb, image_emb, ks)
    i2t = recall_at_k(image_emb, text_emb, ks)
    out: dict[str, float] = {"n": float(n)}
    for k in ks:
        out[f"image_retrieval_recall@{k}"] = t2i[k]
        out[f"text_retrieval_recall@{k}"] = i2t[k]
        out[f"mean_recall@{k}"] = (t2i[k] + i2t[k]) / 2
        out[f"chance@{k}"] = min(1.0, k / n)
    return out


@torch.inference_mode()
def embed_pairs(
    model: torch.nn.Module,
    table: PairTable,
    transform: Callable,
    tokenizer: Callable,
    device: torch.device,
    batch_size: int = 64,
    autocast: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext,
    encode_text: Callable[[list[str]], torch.Tensor] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Normalised ``(image, text)`` embeddings of every pair, in table order.

    ``encode_text`` (captions -> features) replaces ``model.encode_text`` (e.g. a frozen-trunk cache).
    """
    batches = [
        list(range(s, min(s + batch_size, len(table)))) for s in range(0, len(table), batch_size)
    ]
    loader = make_loader(PairDataset(table, transform), batches, tokenizer)
    imgs, txts = [], []
    for batch in loader:
        with autocast():
            imgs.append(model.encode_image(batch["images"].to(device)).float())
            if encode_text is None:
                txts.append(model.encode_text(batch["texts"].to(device)).float())
            else:
                txts.append(encode_text([table.captions[int(i)] for i in batch["indices"]]).float())
    return F.normalize(torch.cat(imgs), dim=-1).cpu(), F.normalize(torch.cat(txts), dim=-1).cpu()


def validate(
    model: torch.nn.Module,
    table: PairTable,
    transform: Callable,
    tokenizer: Callable,
    device: torch.device,
    ks: Sequence[int] = (1, 5, 10),
    batch_size: int = 64,
    autocast: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext,
    encode_text: Callable[[list[str]], torch.Tensor] | None = None,
) -> dict[str, float]:
    """Retrieval metrics of ``model`` on ``table`` (each module is put back in its previous
    mode: a frozen trunk kept in eval mode while training stays so)."""
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        img, txt = embed_pairs(
            model, table, transform, tokenizer, device, batch_size, autocast, encode_text
        )
    finally:
        for module, training in modes:
            module.training = training
    return retrieval_metrics(img, txt, ks)
