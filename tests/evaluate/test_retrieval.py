"""Retrieval recall: identity embeddings, equality with clip_benchmark, chance levels."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from litclip.evaluate import retrieval


def _normed(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def test_identity_embeddings_give_perfect_recall() -> None:
    emb = np.eye(12, dtype=np.float32)
    metrics, chance = retrieval.retrieval_metrics(emb, emb, list(range(12)), ks=(1, 5, 10))
    assert all(v == 1.0 for v in metrics.values())
    assert chance["image_retrieval_recall@1"] == pytest.approx(1 / 12)
    assert chance["text_retrieval_recall@5"] == pytest.approx(5 / 12)


def test_matches_clip_benchmark_with_several_captions_per_image() -> None:
    from clip_benchmark.metrics.zeroshot_retrieval import batchify, recall_at_k

    rng = np.random.default_rng(0)
    n_img, per = 30, 3
    img = _normed(rng.normal(size=(n_img, 16)))
    idx = np.repeat(np.arange(n_img), per)
    txt = _normed(img[idx] * 0.6 + rng.normal(size=(len(idx), 16)))
    ours, _ = retrieval.retrieval_metrics(img, txt, idx, ks=(1, 5, 10))
    scores = torch.from_numpy(txt) @ torch.from_numpy(img).T
    pos = torch.zeros_like(scores, dtype=torch.bool)
    pos[torch.arange(len(idx)), torch.from_numpy(idx)] = True
    for k in (1, 5, 10):
        ir = (batchify(recall_at_k, scores, pos, 8, "cpu", k=k) > 0).float().mean().item()
        tr = (batchify(recall_at_k, scores.T, pos.T, 8, "cpu", k=k) > 0).float().mean().item()
        assert ours[f"image_retrieval_recall@{k}"] == pytest.approx(ir)
        assert ours[f"text_retrieval_recall@{k}"] == pytest.approx(tr)
    assert 0 < ours["image_retrieval_recall@1"] < 1  # a non-trivial case


def test_chance_matches_random_embeddings() -> None:
    rng = np.random.default_rng(1)
    per_image = np.array([1, 2, 3, 1, 1, 2, 1, 1])
    idx = np.repeat(np.arange(8), per_image)
    ch = retrieval.chance(8, per_image, 3)
    # exact hypergeometric: P(at least one of m captions in top 3 of 12)
    from math import comb

    expected = np.mean([1 - comb(12 - m, 3) / comb(12, 3) for m in per_image])
    assert ch["text"] == pytest.approx(expected)
    sims = [
        retrieval.retrieval_metrics(
            _normed(rng.normal(size=(8, 8))), _normed(rng.normal(size=(12, 8))), idx, ks=(3,)
        )[0]
        for _ in range(400)
    ]
    assert np.mean([s["image_retrieval_recall@3"] for s in sims]) == pytest.approx(3 / 8, abs=0.03)
    assert np.mean([s["text_retrieval_recall@3"] for s in sims]) == pytest.approx(
        expected, abs=0.03
    )


def test_group_captions_and_k_clipped() -> None:
    rows, text_image = retrieval.group_captions(["a", "a", "b", "c", "b"], list("12345"))
    assert rows == [0, 2, 3] and text_image == [0, 0, 1, 2, 1]
    emb = np.eye(3, dtype=np.float32)
    res = retrieval.evaluate(emb, emb[text_image], text_image, ks=(1, 10), n_boot=20)
    assert res["metrics"]["image_retrieval_recall@10"] == 1.0
    assert res["details"]["chance"]["image_retrieval_recall@10"] == 1.0
    assert res["ci95"]["image_retrieval_recall@1"] == [1.0, 1.0]
