"""Few-shot learning curves (Woerner & Baumgartner): K labelled images per class, many seeds.

For each K and seed, K training images per class are drawn (seeded, without replacement); a
linear probe is fitted on their frozen features with ``C`` chosen on the validation split, and
evaluated on the whole test split. Optionally the image tower is fine-tuned end to end on the
same K-shot sample (:func:`finetune_probs`). Each K gives the mean over seeds and a Student-t
95% interval.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from litclip.evaluate.linear_probe import _fit, _probs, search_c
from litclip.evaluate.metrics import classification_metrics, mean_ci

DEFAULT_KS = (1, 2, 4, 8, 16)
DEFAULT_SEEDS = (0, 1, 2, 3, 4)


def sample_kshot(labels: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Indices of ``k`` items per class (all of a class when it has fewer), sorted."""
    rng = np.random.default_rng(seed)
    labels = np.asarray(labels)
    picked = [
        rng.choice(
            np.flatnonzero(labels == c), size=min(k, int((labels == c).sum())), replace=False
        )
        for c in np.unique(labels)
    ]
    return np.sort(np.concatenate(picked))


def constant_rule(probs: np.ndarray, y_test: np.ndarray) -> bool:
    """Whether a rule calls every test item one class where the test split has several:
    it is averaged into the mean like any other seed, so the report names it."""
    one = len(np.unique(np.asarray(probs).argmax(axis=1))) == 1
    return one and len(np.unique(y_test)) > 1


def _aggregate(per_seed: list[dict[str, float]]) -> tuple[dict[str, float], dict[str, list[float]]]:
    metrics, ci = {}, {}
    for key in per_seed[0]:
        values = [m[key] for m in per_seed if np.isfinite(m[key])]
        if values:  # every metric here is a rate or score in [0, 1]
            metrics[key], interval = mean_ci(values, bounds=(0.0, 1.0))
            if interval is not None:  # one seed: a mean, but no interval to claim
                ci[key] = interval
    return metrics, ci


def probe_kshot(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    x_test: np.ndarray,
    n_classes: int,
    max_iter: int = 1000,
    seed: int = 0,
) -> tuple[np.ndarray, float]:
    """Linear probe on a K-shot sample (C on validation, coarse grid); returns test probs, C.

    ``C`` is chosen by balanced accuracy: the K-shot sample is balanced but a validation split
    need not be, and there the all-majority answer of an over-regularised probe (its weights
    stay at zero) would win on plain accuracy and report the class prior as a result.
    """
    c, _ = search_c(
        x_train,
        y_train,
        x_val,
        y_val,
        n_classes,
        metric="balanced_accuracy",
        refine=False,
        max_iter=max_iter,
        seed=seed,
    )
    clf = _fit(x_train, y_train, c, max_iter, seed)
    return _probs(clf, x_test, n_classes), c


def evaluate(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    ks: Sequence[int] = DEFAULT_KS,
    seeds: Sequence[int] = DEFAULT_SEEDS,
    n_classes: int | None = None,
    fit_predict: Callable[[np.ndarray, int], np.ndarray] | None = None,
) -> list[dict]:
    """One result per K: ``{"k", "metrics" (mean), "ci95" (t over seeds), "details"}``.

    Args:
        x_train, y_train: the pool K-shot samples are drawn from.
        x_val, y_val: validation features (``C`` selection only).
        x_test, y_test: test features and labels.
        ks: shots per class.
        seeds: one K-shot draw per seed (>= 5 recommended for a meaningful interval).
        n_classes: number of classes (default: from the labels).
        fit_predict: instead of the linear probe, ``(train indices, seed) -> test probs``
            (used for end-to-end fine-tuning).
    """
    n_classes = n_classes or int(max(y_train.max(), y_val.max(), y_test.max())) + 1
    results = []
    for k in ks:
        per_seed, cs, constant = [], [], []
        for seed in seeds:
            idx = sample_kshot(y_train, k, seed)
            if fit_predict is not None:
                probs = fit_predict(idx, seed)
            else:
                probs, c = probe_kshot(
                    x_train[idx], y_train[idx], x_val, y_val, x_test, n_classes, seed=seed
                )
                cs.append(c)
            per_seed.append(classification_metrics(y_test, probs))
            if constant_rule(probs, y_test):
                constant.append(int(seed))  # a probe shrunk to nothing (C chosen tiny)
        metrics, ci = _aggregate(per_seed)
        details: dict[str, Any] = {"k": int(k), "per_seed": per_seed, "n_train": int(len(idx))}
        if cs:
            details["C"] = cs
        if constant:
            details["constant_seeds"] = constant
        results.append(
            {
                "k": int(k),
                "metrics": metrics,
                "ci95": ci,
                "details": details,
                "seeds": [int(s) for s in seeds],
            }
        )
    return results


def finetune_probs(
    loaded: Any,
    train_items: Sequence[tuple[Any, int]],
    test_items: Sequence[Any],
    init_weights: np.ndarray,
    epochs: int = 10,
    lr: float = 1e-5,
    batch_size: int = 16,
    seed: int = 0,
) -> np.ndarray:
    """Fine-tune a copy of the image tower + a head initialised from zero-shot weights.

    The head starts at the prompt-ensemble class weights (so step 0 equals zero-shot), and the
    whole image tower trains with AdamW on the K-shot items for ``epochs`` epochs (no
    selection on test: the last epoch is used). Returns test probabilities.
    """
    import torch

    torch.manual_seed(seed)
    model = copy.deepcopy(loaded.model.visual).train()
    head = torch.nn.Parameter(torch.tensor(init_weights, dtype=torch.float32))
    scale = float(min(loaded.model.logit_scale.exp().item(), 100.0))
    opt = torch.optim.AdamW([*model.parameters(), head], lr=lr, weight_decay=0.1)
    pre_t, pre_v = loaded.preprocess_train, loaded.preprocess_val
    gen = np.random.default_rng(seed)

    def logits(x: torch.Tensor) -> torch.Tensor:
        f = torch.nn.functional.normalize(model(x), dim=-1)
        return scale * f @ torch.nn.functional.normalize(head, dim=-1).T

    for _ in range(epochs):
        order = gen.permutation(len(train_items))
        for s in range(0, len(order), batch_size):
            batch = [train_items[int(i)] for i in order[s : s + batch_size]]
            x = torch.stack([pre_t(img) for img, _ in batch])
            y = torch.tensor([int(lbl) for _, lbl in batch])
            loss = torch.nn.functional.cross_entropy(logits(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    out = []
    with torch.inference_mode():
        for s in range(0, len(test_items), 64):
            items = [test_items[i] for i in range(s, min(s + 64, len(test_items)))]
            imgs = [it[0] if isinstance(it, tuple) else it for it in items]
            out.append(torch.softmax(logits(torch.stack([pre_v(i) for i in imgs])), -1).numpy())
    return np.concatenate(out).astype(np.float64)
