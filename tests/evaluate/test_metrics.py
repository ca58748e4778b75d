"""Metrics agree with scikit-learn; ECE, bootstrap and t-intervals on known cases."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from litclip.evaluate import metrics


@pytest.fixture
def binary() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    p1 = np.clip(0.3 * y + rng.random(300) * 0.7, 0, 1)
    return y, np.stack([1 - p1, p1], 1)


def test_binary_metrics_match_sklearn(binary: tuple[np.ndarray, np.ndarray]) -> None:
    y, probs = binary
    m = metrics.classification_metrics(y, probs, threshold=0.4)
    pred = (probs[:, 1] >= 0.4).astype(int)
    assert m["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    assert m["balanced_accuracy"] == pytest.approx(skm.balanced_accuracy_score(y, pred))
    assert m["f1"] == pytest.approx(skm.f1_score(y, pred))
    assert m["macro_f1"] == pytest.approx(skm.f1_score(y, pred, average="macro"))
    assert m["sensitivity"] == pytest.approx(skm.recall_score(y, pred))
    assert m["specificity"] == pytest.approx(skm.recall_score(y, pred, pos_label=0))
    assert m["auroc"] == pytest.approx(skm.roc_auc_score(y, probs[:, 1]))


def test_a_rate_over_no_items_is_undefined_not_zero() -> None:
    """A test split without negatives: specificity read 0.000 [0.000, 0.000]."""
    y = np.array([1, 1, 1, 1, 1, 1])
    probs = np.array([[0.2, 0.8], [0.7, 0.3]] * 3)
    m = metrics.classification_metrics(y, probs)
    assert np.isnan(m["specificity"]) and m["sensitivity"] == pytest.approx(0.5)
    ci = metrics.bootstrap_ci(y, probs, n_boot=100)
    assert "specificity" not in ci and "sensitivity" in ci


def test_multiclass_auroc_is_sklearn_ovr_macro() -> None:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 5, 200)
    probs = rng.dirichlet(np.ones(5), 200)
    probs[np.arange(200), y] += 0.3
    probs /= probs.sum(1, keepdims=True)
    assert metrics.auroc(y, probs) == pytest.approx(skm.roc_auc_score(y, probs, multi_class="ovr"))
    m = metrics.classification_metrics(y, probs)
    assert m["macro_f1"] == pytest.approx(skm.f1_score(y, probs.argmax(1), average="macro"))
    assert "sensitivity" not in m


def test_macro_f1_leaves_out_a_class_neither_in_the_test_split_nor_predicted() -> None:
    """A test split without grade 4, and nothing called grade 4: macro F1 scored that class 0
    and gave 0.360 where scikit-learn gives 0.450."""
    rng = np.random.default_rng(2)
    y = rng.integers(0, 4, 120)  # classes 0..3 of 5
    probs = rng.dirichlet(np.ones(5), 120)
    probs[:, 4] = 0.0
    probs[np.arange(120), y] += 0.4
    probs /= probs.sum(1, keepdims=True)
    pred = probs.argmax(1)
    assert set(pred) <= {0, 1, 2, 3}
    m = metrics.classification_metrics(y, probs)
    assert m["macro_f1"] == pytest.approx(skm.f1_score(y, pred, average="macro"))
    assert m["balanced_accuracy"] == pytest.approx(skm.balanced_accuracy_score(y, pred))
    # a class predicted but absent from the split still counts (its F1 is 0), as in sklearn
    called = pred.copy()
    called[:3] = 4
    cm = skm.confusion_matrix(y, called, labels=np.arange(5))
    assert metrics.confusion_metrics(cm)["macro_f1"] == pytest.approx(
        skm.f1_score(y, called, average="macro", zero_division=0)
    )


def test_auroc_with_ties_matches_sklearn() -> None:
    y = np.array([0, 0, 1, 1, 0, 1])
    s = np.array([0.2, 0.5, 0.5, 0.9, 0.2, 0.2])
    assert metrics.binary_auroc(y == 1, s) == pytest.approx(skm.roc_auc_score(y, s))


def test_ece_known_values() -> None:
    # all predictions at confidence 0.9, 60% correct -> ECE = |0.6 - 0.9| = 0.3
    probs = np.tile([0.9, 0.1], (10, 1))
    y = np.array([0] * 6 + [1] * 4)
    assert metrics.expected_calibration_error(y, probs) == pytest.approx(0.3)
    perfect = np.eye(2)[y]
    assert metrics.expected_calibration_error(y, perfect) == pytest.approx(0.0)


def test_bootstrap_ci_brackets_point_and_is_seeded(binary: tuple[np.ndarray, np.ndarray]) -> None:
    y, probs = binary
    point = metrics.classification_metrics(y, probs)
    ci = metrics.bootstrap_ci(y, probs, n_boot=300, seed=3)
    for key in ("accuracy", "f1", "auroc", "balanced_accuracy"):
        assert ci[key][0] <= point[key] <= ci[key][1]
        assert ci[key][1] - ci[key][0] < 0.2
    assert ci == metrics.bootstrap_ci(y, probs, n_boot=300, seed=3)
    assert ci != metrics.bootstrap_ci(y, probs, n_boot=300, seed=4)


def test_mean_ci_student_t() -> None:
    mean, (lo, hi) = metrics.mean_ci([0.5, 0.6, 0.7, 0.6, 0.6])
    assert mean == pytest.approx(0.6)
    # t(0.975, 4) = 2.776; sd = 0.0707; half = 2.776 * 0.0707 / sqrt(5) = 0.0878
    assert hi - mean == pytest.approx(0.0878, abs=1e-3)
    assert mean - lo == pytest.approx(hi - mean)


def test_plot_data_shapes(binary: tuple[np.ndarray, np.ndarray]) -> None:
    y, probs = binary
    out = metrics.evaluate_predictions(y, probs, n_boot=0, classnames=["a", "b"])
    assert np.asarray(out["details"]["confusion_matrix"]).sum() == len(y)
    roc = out["details"]["roc"]
    assert roc["fpr"][0] == 0 and roc["tpr"][-1] == 1
    assert sum(out["details"]["reliability"]["count"]) == len(y)


@pytest.mark.parametrize("n_classes", [2, 5])
def test_roc_curve_area_is_the_auroc(n_classes: int) -> None:
    """The stored curve is the one the AUROC describes: class 1 for binary, the macro average
    of the one-vs-rest curves for multi-class (never the micro average), ties included."""
    rng = np.random.default_rng(4)
    y = rng.integers(0, n_classes, 150)
    probs = rng.dirichlet(np.ones(n_classes), 150)
    probs[np.arange(150), y] += 0.2
    probs = np.round(probs / probs.sum(1, keepdims=True), 2)  # ties within and across classes
    roc = metrics.roc_data(y, probs, max_points=10_000)
    assert roc["average"] == ("binary" if n_classes == 2 else "macro")
    assert np.all(np.diff(roc["fpr"]) >= 0) and np.all(np.diff(roc["tpr"]) >= 0)
    area = np.trapezoid(roc["tpr"], roc["fpr"])
    assert area == pytest.approx(metrics.auroc(y, probs), abs=1e-4)


def test_the_reliability_diagram_gives_the_ece_in_its_legend() -> None:
    """The diagram binned confidence in 10 bins and the ECE in 15: its points did not add up
    to the number in its legend."""
    from litclip.evaluate.metrics import expected_calibration_error, reliability_data

    # confidence 0.62, all right, and 0.68, all wrong: one bin of ten, two bins of fifteen
    conf = np.array([0.62] * 50 + [0.68] * 50)
    probs = np.stack([conf, 1 - conf], 1)
    y = np.array([0] * 50 + [1] * 50)
    rel = reliability_data(y, probs)
    n = sum(rel["count"])
    from_diagram = sum(
        c / n * abs(a - f)
        for c, a, f in zip(rel["count"], rel["accuracy"], rel["confidence"], strict=True)
    )
    assert from_diagram == pytest.approx(expected_calibration_error(y, probs), abs=1e-4)
