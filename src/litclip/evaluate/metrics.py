"""Classification metrics, bootstrap confidence intervals and plot data (scikit-learn based).

All functions take ``y_true`` (``(N,)`` int labels) and ``probs`` (``(N, C)`` class
probabilities). Binary tasks use class 1 as the positive class (MedMNIST and the synthetic
journal both put the finding at index 1), so ``f1``, ``sensitivity`` and ``specificity`` refer
to it. Everything needed to draw a plot later is returned as plain lists, so the report can be
rendered from ``results.json`` alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import confusion_matrix, roc_curve


def predict(probs: np.ndarray, threshold: float | None = None) -> np.ndarray:
    """Class predictions: argmax, or ``p(class 1) >= threshold`` for a binary task."""
    probs = np.asarray(probs)
    if threshold is not None and probs.shape[1] == 2:
        return (probs[:, 1] >= threshold).astype(np.int64)
    return probs.argmax(axis=1).astype(np.int64)


def _rates(cm: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-class recall, precision and F1 from a confusion matrix (0 where undefined)."""
    tp = np.diag(cm).astype(float)
    support, predicted = cm.sum(axis=1), cm.sum(axis=0)
    recall = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    return recall, precision, f1


def rule_confusion(
    y_true: np.ndarray, probs: np.ndarray, threshold: float | None = None
) -> np.ndarray:
    """The confusion matrix (rows: true class) of the rule :func:`predict` makes of ``probs``,
    every class of ``probs`` a row and column."""
    probs = np.asarray(probs)
    return confusion_matrix(y_true, predict(probs, threshold), labels=np.arange(probs.shape[1]))


def confusion_metrics(cm: np.ndarray) -> dict[str, float]:
    """Accuracy, balanced accuracy, macro F1 (and binary F1/sensitivity/specificity) of ``cm``.

    Matches scikit-learn's ``accuracy_score``, ``balanced_accuracy_score`` (over classes
    present in ``y_true``) and ``f1_score(average="macro", zero_division=0)`` (over classes
    present in ``y_true`` or predicted: a class the test split lacks and nothing is called
    is no class of this test, and scoring it 0 pulled the mean down); computed from one
    confusion matrix so the bootstrap stays fast.
    """
    cm = np.asarray(cm)
    recall, precision, f1 = _rates(cm)
    present = cm.sum(axis=1) > 0
    seen = present | (cm.sum(axis=0) > 0)
    out = {
        "accuracy": float(np.trace(cm) / max(cm.sum(), 1)),
        "balanced_accuracy": float(recall[present].mean()) if present.any() else 0.0,
        "macro_f1": float(f1[seen].mean()) if seen.any() else 0.0,
    }
    if cm.shape[0] == 2:
        out["f1"] = float(f1[1])
        out["precision"] = float(precision[1])
        # a rate over no items is undefined (NaN, shown "-"), not 0: a test split without
        # negatives has no specificity
        out["sensitivity"] = float(recall[1]) if present[1] else float("nan")
        out["specificity"] = float(recall[0]) if present[0] else float("nan")
    return out


def binary_auroc(positive: np.ndarray, scores: np.ndarray) -> float:
    """AUROC as the Mann-Whitney statistic (ties count 1/2); equals ``roc_auc_score``.

    A rank formula instead of scikit-learn's curve so thousands of bootstrap resamples stay
    fast; the tests check it against ``sklearn.metrics.roc_auc_score``.
    """
    from scipy.stats import rankdata

    positive = np.asarray(positive, dtype=bool)
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = rankdata(scores)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def auroc(y_true: np.ndarray, probs: np.ndarray) -> float:
    """AUROC: class 1 score for binary, one-vs-rest macro for multi-class (NaN if undefined).

    Multi-class follows ``roc_auc_score(multi_class="ovr", average="macro")``: the mean of
    the per-class binary AUROCs over the classes present in ``y_true``.
    """
    y_true, probs = np.asarray(y_true), np.asarray(probs, dtype=np.float64)
    if probs.shape[1] == 2:
        return binary_auroc(y_true == 1, probs[:, 1])
    present = np.unique(y_true)
    if len(present) < 2:
        return float("nan")
    return float(np.mean([binary_auroc(y_true == c, probs[:, c]) for c in present]))


#: Confidence bins of the ECE and of the reliability diagram that shows it (the same, so
#: the diagram's points give the number in its legend)
ECE_BINS = 15


def expected_calibration_error(
    y_true: np.ndarray, probs: np.ndarray, n_bins: int = ECE_BINS
) -> float:
    """Top-label expected calibration error with ``n_bins`` equal-width confidence bins."""
    conf = np.asarray(probs).max(axis=1)
    correct = np.asarray(probs).argmax(axis=1) == np.asarray(y_true)
    bins = np.minimum((conf * n_bins).astype(int), n_bins - 1)
    ece = 0.0
    for b in np.unique(bins):
        mask = bins == b
        ece += mask.mean() * abs(correct[mask].mean() - conf[mask].mean())
    return float(ece)


def classification_metrics(
    y_true: np.ndarray, probs: np.ndarray, threshold: float | None = None
) -> dict[str, float]:
    """All point metrics: accuracy, balanced accuracy, macro F1, AUROC, ECE (+ binary ones).

    Args:
        y_true: ``(N,)`` integer labels.
        probs: ``(N, C)`` class probabilities (rows sum to 1).
        threshold: binary only: predict class 1 when ``p1 >= threshold`` (default argmax).
    """
    y_true, probs = np.asarray(y_true), np.asarray(probs)
    out = confusion_metrics(rule_confusion(y_true, probs, threshold))
    out["auroc"] = auroc(y_true, probs)
    out["ece"] = expected_calibration_error(y_true, probs)
    return out


#: Resamples (with a value) below which no interval is given
MIN_BOOT = 10


def bootstrap_ci(
    y_true: np.ndarray,
    probs: np.ndarray,
    threshold: float | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
) -> dict[str, list[float]]:
    """Percentile bootstrap ``(1 - alpha)`` intervals for :func:`classification_metrics`.

    Resamples test items with replacement (seeded); AUROC skips resamples with one class.
    """
    y_true, probs = np.asarray(y_true), np.asarray(probs)
    n, n_classes = probs.shape
    pred = predict(probs, threshold)
    rng = np.random.default_rng(seed)
    samples: dict[str, list[float]] = {}
    for _ in range(n_boot):
        idx = rng.integers(0, n, n)
        cm = np.bincount(
            y_true[idx] * n_classes + pred[idx], minlength=n_classes * n_classes
        ).reshape(n_classes, n_classes)
        values = confusion_metrics(cm)
        values["auroc"] = auroc(y_true[idx], probs[idx])
        values["ece"] = expected_calibration_error(y_true[idx], probs[idx])
        for key, value in values.items():
            if np.isfinite(value):
                samples.setdefault(key, []).append(value)
    lo, hi = 100 * alpha / 2, 100 * (1 - alpha / 2)
    return {
        k: [float(np.percentile(v, lo)), float(np.percentile(v, hi))]
        for k, v in samples.items()
        if len(v) >= max(MIN_BOOT, n_boot // 10)
    }


def _tpr_limits(
    fpr: np.ndarray, tpr: np.ndarray, grid: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """A ROC curve's true positive rate just left and just right of each ``grid`` point.

    The curve is piecewise linear through its points and may rise vertically at one false
    positive rate (ties), where the left and right values differ.
    """
    u, first = np.unique(fpr, return_index=True)
    last = len(fpr) - 1 - np.unique(fpr[::-1], return_index=True)[1]
    lo, hi = tpr[first], tpr[last]
    i = np.searchsorted(u, grid, side="right") - 1
    j = np.minimum(i + 1, len(u) - 1)
    span = u[j] - u[i]
    frac = np.divide(grid - u[i], span, out=np.zeros_like(grid), where=span > 0)
    between = hi[i] + frac * (lo[j] - hi[i])
    exact = u[i] == grid
    return np.where(exact, lo[i], between), np.where(exact, hi[i], between)


def _macro_roc(y_true: np.ndarray, probs: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The mean of the one-vs-rest ROC curves of the classes present in ``y_true``.

    Averaged on the union of their false positive rates, with both sides of every vertical
    step, so its area is exactly :func:`auroc`'s macro average (a micro-average curve is not).
    """
    present = np.unique(y_true)
    if len(present) < 2:
        return None
    curves = [roc_curve(y_true == c, probs[:, c])[:2] for c in present]
    grid = np.unique(np.concatenate([fpr for fpr, _ in curves]))
    limits = [_tpr_limits(fpr, tpr, grid) for fpr, tpr in curves]
    left = np.mean([lo for lo, _ in limits], axis=0)
    right = np.mean([hi for _, hi in limits], axis=0)
    fpr, tpr = np.repeat(grid, 2), np.stack([left, right], 1).ravel()
    keep = np.ones(len(fpr), dtype=bool)
    keep[1:] = (np.diff(fpr) != 0) | (np.diff(tpr) != 0)  # no repeated points
    return fpr[keep], tpr[keep]


def roc_data(y_true: np.ndarray, probs: np.ndarray, max_points: int = 1000) -> dict[str, Any]:
    """ROC curve points for the report: the curve whose area is :func:`auroc`.

    Binary: class 1 (``average`` "binary"); multi-class: the macro average of the
    one-vs-rest curves (``average`` "macro"). Results written before ``average`` was stored
    hold a micro-averaged one-vs-rest curve instead. Longer curves keep ``max_points`` of
    their points (the area of 1000 stays within about 0.0005 of the AUROC).
    """
    y_true, probs = np.asarray(y_true), np.asarray(probs)
    if probs.shape[1] == 2:
        y = y_true == 1
        if y.all() or not y.any():
            return {}
        fpr, tpr, _ = roc_curve(y, probs[:, 1])
        average = "binary"
    else:
        macro = _macro_roc(y_true, probs)
        if macro is None:
            return {}
        (fpr, tpr), average = macro, "macro"
    if len(fpr) > max_points:  # thin the curve, keeping both ends
        keep = np.unique(np.linspace(0, len(fpr) - 1, max_points).round().astype(int))
        fpr, tpr = fpr[keep], tpr[keep]
    return {"fpr": np.round(fpr, 5).tolist(), "tpr": np.round(tpr, 5).tolist(), "average": average}


def reliability_data(
    y_true: np.ndarray, probs: np.ndarray, n_bins: int = ECE_BINS
) -> dict[str, list]:
    """Reliability diagram data: per confidence bin its mean confidence, accuracy and count."""
    conf = np.asarray(probs).max(axis=1)
    correct = np.asarray(probs).argmax(axis=1) == np.asarray(y_true)
    bins = np.minimum((conf * n_bins).astype(int), n_bins - 1)
    out: dict[str, list] = {"confidence": [], "accuracy": [], "count": []}
    for b in range(n_bins):
        mask = bins == b
        if mask.any():
            out["confidence"].append(round(float(conf[mask].mean()), 5))
            out["accuracy"].append(round(float(correct[mask].mean()), 5))
            out["count"].append(int(mask.sum()))
    return out


def mean_ci(
    values: list[float] | np.ndarray,
    alpha: float = 0.05,
    bounds: tuple[float, float] | None = None,
) -> tuple[float, list[float] | None]:
    """Mean and Student-t ``(1 - alpha)`` interval over independent runs (e.g. seeds).

    ``bounds`` clips the interval to a metric's range: with few seeds the t interval of an
    AUROC can reach past 1, which no AUROC can. One run has no interval: ``None``.
    """
    from scipy import stats

    v = np.asarray(values, dtype=float)
    mean = float(v.mean())
    if len(v) < 2:
        return mean, None
    half = float(stats.t.ppf(1 - alpha / 2, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v)))
    lo, hi = mean - half, mean + half
    if bounds is not None:
        lo, hi = max(lo, bounds[0]), min(hi, bounds[1])
    return mean, [lo, hi]


def evaluate_predictions(
    y_true: np.ndarray,
    probs: np.ndarray,
    threshold: float | None = None,
    n_boot: int = 1000,
    seed: int = 0,
    classnames: list[str] | None = None,
) -> dict:
    """Metrics, bootstrap CIs and plot data in one go: ``{"metrics", "ci95", "details"}``."""
    y_true, probs = np.asarray(y_true), np.asarray(probs)
    cm = rule_confusion(y_true, probs, threshold)
    details: dict[str, object] = {
        "confusion_matrix": cm.tolist(),
        "roc": roc_data(y_true, probs),
        "reliability": reliability_data(y_true, probs),
    }
    if classnames is not None:
        details["classnames"] = list(classnames)
    if threshold is not None:
        details["threshold"] = float(threshold)
    ci = bootstrap_ci(y_true, probs, threshold, n_boot=n_boot, seed=seed) if n_boot > 0 else {}
    return {
        "metrics": classification_metrics(y_true, probs, threshold),
        "ci95": ci,
        "details": details,
    }
