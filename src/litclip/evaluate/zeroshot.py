"""Zero-shot classification with prompt ensembling (CLIP's recipe).

Each class's weight is the mean of its L2-normalised template embeddings, renormalised; the
logits are ``logit_scale * image @ weights.T`` and probabilities their softmax.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from litclip.evaluate.metrics import evaluate_predictions
from litclip.evaluate.prompts import PromptSet


def ensemble_weights(text_embeddings: Sequence[np.ndarray]) -> np.ndarray:
    """``(C, D)`` class weights from one ``(T_c, D)`` array of template embeddings per class."""
    rows = []
    for emb in text_embeddings:
        emb = np.asarray(emb, dtype=np.float64)
        emb = emb / np.linalg.norm(emb, axis=1, keepdims=True)
        mean = emb.mean(axis=0)
        rows.append(mean / np.linalg.norm(mean))
    return np.stack(rows).astype(np.float32)


def build_classifier(
    encode_texts: Callable[[list[str]], np.ndarray], prompts: PromptSet
) -> np.ndarray:
    """Embed every class's prompts with ``encode_texts`` and ensemble them into ``(C, D)``."""
    texts = prompts.texts()
    flat = [t for group in texts for t in group]
    emb = np.asarray(encode_texts(flat), dtype=np.float32)
    per_class, start = [], 0
    for group in texts:
        per_class.append(emb[start : start + len(group)])
        start += len(group)
    return ensemble_weights(per_class)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, numerically stable."""
    z = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def zeroshot_logits(
    image_features: np.ndarray, weights: np.ndarray, logit_scale: float = 100.0
) -> np.ndarray:
    """``logit_scale * image_features @ weights.T`` in float64."""
    return logit_scale * np.asarray(image_features, np.float64) @ np.asarray(weights, np.float64).T


def evaluate(
    image_features: np.ndarray,
    labels: np.ndarray,
    weights: np.ndarray,
    logit_scale: float = 100.0,
    n_boot: int = 1000,
    seed: int = 0,
    classnames: list[str] | None = None,
) -> dict:
    """Zero-shot metrics on one split: ``{"metrics", "ci95", "details"}``.

    Args:
        image_features: ``(N, D)`` normalised image features.
        labels: ``(N,)`` integer labels.
        weights: ``(C, D)`` class weights from :func:`build_classifier`.
        logit_scale: temperature applied before the softmax (the model's own by default).
        n_boot: bootstrap resamples for the 95% intervals (0 = none).
        seed: bootstrap seed.
        classnames: recorded in the details for the report.
    """
    probs = softmax(zeroshot_logits(image_features, weights, logit_scale))
    out = evaluate_predictions(labels, probs, n_boot=n_boot, seed=seed, classnames=classnames)
    out["details"]["logit_scale"] = float(logit_scale)
    return out
