"""Prompt ensembling and zero-shot scoring on constructed embeddings."""

from __future__ import annotations

import numpy as np
import pytest

from litclip.evaluate import zeroshot
from litclip.evaluate.prompts import PromptSet


def test_ensemble_is_renormalised_mean_of_normalised_templates() -> None:
    a = np.array([[2.0, 0.0], [0.0, 5.0]])  # two templates of one class, different norms
    w = zeroshot.ensemble_weights([a])
    np.testing.assert_allclose(w[0], [np.sqrt(0.5), np.sqrt(0.5)], rtol=1e-6)


def test_build_classifier_groups_templates_per_class() -> None:
    prompts = PromptSet(["cat", "dog"], ["a {c}", "the {c}"], "test")
    table = {"a cat": [1, 0, 0], "the cat": [1, 0.2, 0], "a dog": [0, 1, 0], "the dog": [0, 1, 0.2]}
    calls = []

    def encode(texts: list[str]) -> np.ndarray:
        calls.append(list(texts))
        return np.array([table[t] for t in texts], dtype=np.float32)

    w = zeroshot.build_classifier(encode, prompts)
    assert calls == [["a cat", "the cat", "a dog", "the dog"]]  # one batched call
    assert w.shape == (2, 3)
    np.testing.assert_allclose(np.linalg.norm(w, axis=1), 1, rtol=1e-6)
    assert w[0].argmax() == 0 and w[1].argmax() == 1


def test_evaluate_on_aligned_features() -> None:
    rng = np.random.default_rng(0)
    weights = np.eye(3, 8, dtype=np.float32)
    y = rng.integers(0, 3, 90)
    feats = weights[y] + rng.normal(0, 0.1, (90, 8))
    feats /= np.linalg.norm(feats, axis=1, keepdims=True)
    res = zeroshot.evaluate(feats, y, weights, logit_scale=100.0, n_boot=50, classnames=list("abc"))
    assert res["metrics"]["accuracy"] == 1.0
    assert res["metrics"]["auroc"] == pytest.approx(1.0)
    assert res["details"]["classnames"] == ["a", "b", "c"]
    # a lower temperature gives less confident (but equally accurate) probabilities
    soft = zeroshot.evaluate(feats, y, weights, logit_scale=1.0, n_boot=0)
    assert soft["metrics"]["accuracy"] == 1.0 and soft["metrics"]["ece"] > res["metrics"]["ece"]
