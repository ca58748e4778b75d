"""Few-shot sampling, per-K aggregation over seeds, and end-to-end fine-tuning on micro."""

from __future__ import annotations

import numpy as np
import pytest

from litclip.evaluate import fewshot


def test_sample_kshot_counts_and_determinism() -> None:
    labels = np.array([0] * 10 + [1] * 3 + [2] * 7)
    idx = fewshot.sample_kshot(labels, 4, seed=0)
    assert np.bincount(labels[idx]).tolist() == [4, 3, 4]  # class 1 has only 3
    assert len(set(idx)) == len(idx)
    assert np.array_equal(idx, fewshot.sample_kshot(labels, 4, seed=0))
    assert not np.array_equal(idx, fewshot.sample_kshot(labels, 4, seed=1))


def test_learning_curve_with_ci_per_k() -> None:
    rng = np.random.default_rng(0)

    def blobs(n: int) -> tuple[np.ndarray, np.ndarray]:
        y = rng.integers(0, 2, n)
        return np.eye(2, 6)[y] * 1.5 + rng.normal(0, 1, (n, 6)), y

    (xtr, ytr), (xv, yv), (xt, yt) = blobs(200), blobs(60), blobs(200)
    out = fewshot.evaluate(xtr, ytr, xv, yv, xt, yt, ks=(1, 16), seeds=(0, 1, 2, 3, 4))
    assert [r["k"] for r in out] == [1, 16]
    for r in out:
        assert len(r["details"]["per_seed"]) == 5 and r["seeds"] == [0, 1, 2, 3, 4]
        lo, hi = r["ci95"]["accuracy"]
        assert lo <= r["metrics"]["accuracy"] <= hi
    assert out[1]["metrics"]["accuracy"] > out[0]["metrics"]["accuracy"]
    assert out[1]["metrics"]["accuracy"] > 0.75


def test_custom_fit_predict_receives_kshot_indices() -> None:
    y = np.array([0, 1] * 20)
    seen = []

    def fit_predict(idx: np.ndarray, seed: int) -> np.ndarray:
        seen.append((len(idx), seed))
        return np.eye(2)[y[:10]]  # "perfect" predictions on the 10 test items

    x = np.zeros((40, 2))
    out = fewshot.evaluate(
        x, y, x, y, x[:10], y[:10], ks=(2,), seeds=(0, 1), fit_predict=fit_predict
    )
    assert seen == [(4, 0), (4, 1)]
    assert out[0]["metrics"]["accuracy"] == 1.0


def test_one_seed_gives_a_mean_without_an_interval() -> None:
    y = np.array([0, 1] * 20)
    x = np.eye(2)[y] + np.random.default_rng(0).normal(0, 0.3, (40, 2))
    (out,) = fewshot.evaluate(x, y, x, y, x, y, ks=(2,), seeds=(3,))
    assert "accuracy" in out["metrics"] and out["ci95"] == {}  # never a [m, m] "95% CI"


@pytest.mark.timeout(60)
def test_finetune_probs_on_micro(micro, image_factory) -> None:  # noqa: ANN001
    _image = image_factory
    rng = np.random.default_rng(0)
    train = [(_image(i % 2, rng), i % 2) for i in range(8)]
    test = [(_image(i % 2, rng), i % 2) for i in range(6)]
    weights = np.random.default_rng(1).normal(size=(2, micro.embed_dim)).astype(np.float32)
    before = [p.clone() for p in micro.model.visual.parameters()]
    probs = fewshot.finetune_probs(micro, train, test, weights, epochs=2, lr=1e-3, batch_size=4)
    assert probs.shape == (6, 2)
    np.testing.assert_allclose(probs.sum(1), 1, atol=1e-5)
    # the caller's model is untouched (a copy is fine-tuned)
    assert all((a == b).all() for a, b in zip(before, micro.model.visual.parameters(), strict=True))


def test_c_is_chosen_by_balanced_accuracy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The K-shot sample is balanced, a validation split need not be: on RetinaMNIST plain
    accuracy chose C = 1e-6, whose probe answers the majority class everywhere, and the
    few-shot curve reported the class prior. C is chosen by balanced accuracy."""
    seen = []
    real = fewshot.search_c

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        seen.append(kwargs.get("metric"))
        return real(*args, **kwargs)

    monkeypatch.setattr(fewshot, "search_c", spy)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 4)), np.repeat([0, 1], 20)
    fewshot.evaluate(x, y, x, y, x, y, ks=[2], seeds=[0, 1])
    assert seen == ["balanced_accuracy", "balanced_accuracy"]


def test_interval_over_few_seeds_stays_inside_the_metric_range() -> None:
    from litclip.evaluate.metrics import mean_ci

    mean, (lo, hi) = mean_ci([0.62, 0.98], bounds=(0.0, 1.0))
    assert lo >= 0.0 and hi == 1.0 and mean == 0.8
    assert mean_ci([0.62, 0.98])[1][1] > 1.0  # the plain t interval does reach past 1


def test_seeds_whose_rule_is_constant_are_named_and_reported() -> None:
    """A probe whose C was chosen tiny calls every item one class; the seed was averaged into
    the learning curve without a word (zero-shot and calibration rows are flagged)."""
    from litclip.evaluate.report import _Doc, _fewshot_section

    y = np.array([0, 1] * 20)
    x = np.zeros((40, 2))

    def fit_predict(idx: np.ndarray, seed: int) -> np.ndarray:
        return np.eye(2)[np.zeros(10, int)] if seed == 1 else np.eye(2)[y[:10]]

    (out,) = fewshot.evaluate(
        x, y, x, y, x[:10], y[:10], ks=(2,), seeds=(0, 1, 2), fit_predict=fit_predict
    )
    assert out["details"]["constant_seeds"] == [1]
    run = {"model": "m", "task": "few-shot", "metrics": out["metrics"], "ci95": out["ci95"],
           "details": out["details"], "seeds": out["seeds"]}  # fmt: skip
    doc = _Doc(None, "report")
    _fewshot_section(doc, [run], "toy")
    assert "seed 1 of 3 call every test item one class" in " ".join(doc.md)
    # a test set of one class: predicting it everywhere is right, not a constant rule flagged
    (one,) = fewshot.evaluate(
        x, y, x, y, x[:10], np.zeros(10, int), ks=(2,), seeds=(1,), fit_predict=fit_predict
    )
    assert "constant_seeds" not in one["details"]
