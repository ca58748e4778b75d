"""Retrieval recall@K used for validation."""

from __future__ import annotations

import pytest
import torch

from litclip.train.validate import recall_at_k, retrieval_metrics


def _brute_force(query: torch.Tensor, gallery: torch.Tensor, k: int) -> float:
    sims = (query @ gallery.T).tolist()
    hits = 0
    for i, row in enumerate(sims):
        better_or_tied = sum(1 for j, s in enumerate(row) if j != i and s >= row[i])
        hits += better_or_tied < k
    return hits / len(sims)


def test_recall_matches_brute_force() -> None:
    g = torch.Generator().manual_seed(0)
    q = torch.nn.functional.normalize(torch.randn(20, 4, generator=g), dim=-1)
    x = torch.nn.functional.normalize(q + 0.8 * torch.randn(20, 4, generator=g), dim=-1)
    got = recall_at_k(q, x, [1, 3, 5])
    for k in (1, 3, 5):
        assert got[k] == pytest.approx(_brute_force(q, x, k))
    assert 0 < got[1] < got[5] < 1


def test_perfect_and_constant_embeddings() -> None:
    eye = torch.eye(5)
    m = retrieval_metrics(eye, eye, [1, 5])
    assert m["image_retrieval_recall@1"] == 1.0 and m["text_retrieval_recall@1"] == 1.0
    assert m["chance@1"] == 0.2 and m["chance@5"] == 1.0
    same = torch.ones(5, 3) / 3**0.5
    assert retrieval_metrics(same, same, [1])["mean_recall@1"] == 0.0  # ties never count as hits
