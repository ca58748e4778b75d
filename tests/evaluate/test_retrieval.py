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


def test_repeated_captions_give_the_same_recall_in_any_row_order() -> None:
    """Ties went to whichever row came first: shuffling the same pairs, with captions
    repeated word for word, moved text recall@10 between 0.275 and 0.375."""
    rng = np.random.default_rng(0)
    n, dim = 40, 16
    image = rng.normal(size=(n, dim))
    words = rng.normal(size=(16, dim))  # 16 distinct captions for 40 images
    text = words[rng.integers(0, 16, n)] + 0.0
    image /= np.linalg.norm(image, axis=1, keepdims=True)
    text /= np.linalg.norm(text, axis=1, keepdims=True)
    seen = set()
    for seed in range(8):
        order = np.random.default_rng(seed).permutation(n)
        metrics, _ = retrieval.retrieval_metrics(
            image[order], text[order], list(range(n)), ks=(1, 5, 10)
        )
        seen.add(tuple(round(v, 9) for v in metrics.values()))
    assert len(seen) == 1


def test_a_constant_model_scores_chance_not_one() -> None:
    """Every score tied: each query's hit is the chance a random order puts its match in."""
    n = 10
    same = np.ones((n, 4)) / 2.0
    metrics, chance_levels = retrieval.retrieval_metrics(same, same, list(range(n)), ks=(1, 5))
    for key, value in metrics.items():
        assert value == pytest.approx(chance_levels[key])


def test_intervals_resample_articles_whose_pairs_go_together() -> None:
    """The demo's 73 test pairs came from 10 articles (figures and their panels, captions
    alike), resampled one by one: intervals too narrow for what they claimed."""
    n, per = 100, 10
    rng = np.random.default_rng(0)
    img = rng.normal(size=(n, 16))
    img /= np.linalg.norm(img, axis=1, keepdims=True)
    txt = img.copy()
    article = [i // per for i in range(n)]
    txt[[i for i in range(n) if article[i] % 2]] *= -1  # half the articles: every pair missed
    plain = retrieval.evaluate(img, txt, list(range(n)), ks=(1,), n_boot=500, seed=0)
    grouped = retrieval.evaluate(
        img, txt, list(range(n)), ks=(1,), n_boot=500, seed=0, text_groups=article
    )
    key = "image_retrieval_recall@1"
    assert plain["metrics"][key] == grouped["metrics"][key] == 0.5
    width = lambda r: r["ci95"][key][1] - r["ci95"][key][0]  # noqa: E731
    assert width(grouped) > 2 * width(plain)
    assert grouped["details"]["ci_unit"] == "article" and grouped["details"]["n_articles"] == 10
    assert plain["details"]["ci_unit"] == "pair"
    few = retrieval.evaluate(img, txt, list(range(n)), ks=(1,), n_boot=50, text_groups=[0, 1] * 50)
    assert few["details"]["ci_unit"] == "pair"  # two articles: too few to resample
