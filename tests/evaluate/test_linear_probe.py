"""Linear probe: separable features are solved; C is chosen without test labels."""

from __future__ import annotations

import numpy as np
import pytest

from litclip.evaluate import linear_probe


def _blobs(
    n: int, seed: int, sep: float = 4.0, c: int = 3, d: int = 8
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, c, n)
    centers = np.eye(c, d) * sep
    return centers[y] + rng.normal(0, 1, (n, d)), y


def test_separable_features_reach_full_accuracy() -> None:
    (xtr, ytr), (xv, yv), (xt, yt) = _blobs(90, 0, 10), _blobs(30, 1, 10), _blobs(60, 2, 10)
    res = linear_probe.evaluate(xtr, ytr, xv, yv, xt, yt, n_boot=50)
    assert res["metrics"]["accuracy"] == 1.0
    assert res["metrics"]["auroc"] == pytest.approx(1.0)
    assert res["details"]["C"] > 0
    assert len(res["details"]["c_search"]) == 13 + 6  # coarse decades + refinement


def test_c_choice_ignores_test_labels() -> None:
    (xtr, ytr), (xv, yv), (xt, yt) = _blobs(60, 3, 1.5), _blobs(40, 4, 1.5), _blobs(40, 5, 1.5)
    a = linear_probe.evaluate(xtr, ytr, xv, yv, xt, yt, n_classes=3, n_boot=0, refine=False)
    b = linear_probe.evaluate(
        xtr, ytr, xv, yv, xt, (yt + 1) % 3, n_classes=3, n_boot=0, refine=False
    )
    assert a["details"]["C"] == b["details"]["C"]
    assert a["metrics"]["accuracy"] != b["metrics"]["accuracy"]


def test_missing_class_in_train_keeps_probability_columns() -> None:
    (xtr, ytr), (xv, yv), (xt, yt) = _blobs(60, 6), _blobs(30, 7), _blobs(30, 8)
    keep = ytr != 2
    res = linear_probe.evaluate(
        xtr[keep], ytr[keep], xv, yv, xt, yt, n_classes=3, n_boot=0, refine=False
    )
    assert len(res["details"]["confusion_matrix"]) == 3


def test_c_ties_on_accuracy_go_to_the_lower_validation_loss() -> None:
    """On a tiny validation set most C tie on accuracy; the smallest C is a constant
    predictor (AUROC 0.5) and must not win the tie over an informative probe."""
    from litclip.evaluate.linear_probe import search_c

    rng = np.random.default_rng(0)
    y_train = np.repeat([0, 1], 20)
    x_train = rng.normal(size=(40, 8)) + y_train[:, None] * 0.8
    y_val = np.array([0, 1, 0, 1])
    x_val = np.array([[-0.5] * 8, [1.2] * 8, [1.0] * 8, [-0.2] * 8])  # two errors whatever C
    best, log = search_c(x_train, y_train, x_val, y_val, 2, refine=False)
    accs = {row["C"]: row["accuracy"] for row in log}
    assert accs[1e-6] == accs[best]  # a tie on accuracy ...
    assert best > 1e-6  # ... broken by the validation loss, not towards the constant probe
    losses = {row["C"]: row["log_loss"] for row in log}
    assert losses[best] == min(v for c, v in losses.items() if accs[c] == accs[best])


def test_c_search_logs_the_model_fitted_at_each_c_whatever_the_order() -> None:
    """Each logged C is a fit at that C (a warm-started sweep stalled at the previous optimum
    and recorded it again for every larger C), so the grid's order cannot change the choice."""
    from sklearn.linear_model import LogisticRegression

    from litclip.evaluate.linear_probe import search_c

    # many samples, few classes: warm starts stop at 0 iterations from C = 100 on
    (xtr, ytr), (xv, yv) = _blobs(2000, 9, 1.0, c=2, d=64), _blobs(500, 10, 1.0, c=2, d=64)
    grid = [10.0**e for e in range(5)]
    best, log = search_c(xtr, ytr, xv, yv, 2, refine=False, grid=grid)
    best_rev, _ = search_c(xtr, ytr, xv, yv, 2, refine=False, grid=grid[::-1])
    assert best == best_rev
    for row in log:
        cold = LogisticRegression(C=row["C"], max_iter=1000, random_state=0).fit(xtr, ytr)
        truth = cold.predict_proba(xv)[np.arange(len(yv)), yv]
        assert row["log_loss"] == pytest.approx(-np.log(truth).mean(), rel=1e-9)
