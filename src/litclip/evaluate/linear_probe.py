"""Linear probe on frozen image features: the CLIP protocol with scikit-learn.

L-BFGS logistic regression; ``C`` is swept over ``1e-6 .. 1e6`` (one point per decade) on the
validation split, refined around the best value, then the model is refit on train + val with
the chosen ``C`` and evaluated once on test.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from litclip.evaluate.metrics import classification_metrics, evaluate_predictions

COARSE_GRID = [10.0**e for e in range(-6, 7)]


def _fit(x: np.ndarray, y: np.ndarray, c: float, max_iter: int, seed: int) -> LogisticRegression:
    clf = LogisticRegression(C=c, max_iter=max_iter, random_state=seed)
    # One BLAS thread: L-BFGS on small matrices is ~10x slower with threaded BLAS on a busy CPU.
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(x, y)
    return clf


def _probs(clf: LogisticRegression, x: np.ndarray, n_classes: int) -> np.ndarray:
    """Probabilities for all ``n_classes`` columns, even when training saw fewer classes."""
    out = np.zeros((len(x), n_classes))
    out[:, clf.classes_] = clf.predict_proba(x)
    return out


def search_c(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    n_classes: int,
    metric: str = "accuracy",
    refine: bool = True,
    max_iter: int = 1000,
    seed: int = 0,
    grid: list[float] | None = None,
) -> tuple[float, list[dict[str, float]]]:
    """Pick ``C`` by validation ``metric`` over the coarse grid, then a finer one around it.

    ``grid`` replaces the coarse grid. Returns the best ``C`` and the search log
    (``[{"C", metric, "log_loss"}]``). Ties on ``metric`` go to the lower validation log-loss,
    then to the smaller ``C``: on a small validation set many ``C`` tie on accuracy, and the
    smallest one is a constant predictor (AUROC 0.5).
    """
    log: list[dict[str, float]] = []

    def score(c: float) -> tuple[float, float]:
        # A cold fit per C: warm starts stop at 0 iterations once the previous optimum meets
        # the tolerance, so larger C would only repeat the last fit and the choice would
        # depend on the order of the grid.
        clf = _fit(x_train, y_train, c, max_iter, seed)
        probs = _probs(clf, x_val, n_classes)
        value = classification_metrics(y_val, probs)[metric]
        truth = probs[np.arange(len(y_val)), np.asarray(y_val, dtype=np.int64)]
        loss = float(-np.log(np.maximum(truth, 1e-12)).mean())  # validation cross-entropy
        log.append({"C": float(c), metric: value, "log_loss": loss})
        return value, -loss

    scores = {c: score(c) for c in (grid or COARSE_GRID)}
    best = max(scores, key=lambda c: (*scores[c], -c))
    if refine:
        exp = np.log10(best)
        for d in (-0.75, -0.5, -0.25, 0.25, 0.5, 0.75):
            scores[10.0 ** (exp + d)] = score(10.0 ** (exp + d))
        best = max(scores, key=lambda c: (*scores[c], -c))
    return float(best), log


def evaluate(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    n_classes: int | None = None,
    metric: str = "accuracy",
    refine: bool = True,
    max_iter: int = 1000,
    seed: int = 0,
    n_boot: int = 1000,
    classnames: list[str] | None = None,
) -> dict:
    """Linear-probe test metrics: ``{"metrics", "ci95", "details"}`` (details: C and search).

    Args:
        x_train, y_train: training features and labels.
        x_val, y_val: validation features and labels (choose ``C`` only).
        x_test, y_test: test features and labels (evaluated once, after refitting).
        n_classes: number of classes (default: max label + 1 over all splits).
        metric: validation metric used to choose ``C``.
        refine: search a finer grid around the best decade.
        max_iter: L-BFGS iterations.
        seed: random state of the solver and of the bootstrap.
        n_boot: bootstrap resamples for the 95% intervals.
        classnames: recorded for the report.
    """
    if n_classes is None:
        n_classes = int(max(y_train.max(), y_val.max(), y_test.max())) + 1
    best_c, log = search_c(
        x_train, y_train, x_val, y_val, n_classes, metric, refine, max_iter, seed
    )
    clf = _fit(
        np.concatenate([x_train, x_val]), np.concatenate([y_train, y_val]), best_c, max_iter, seed
    )
    out = evaluate_predictions(
        y_test, _probs(clf, x_test, n_classes), n_boot=n_boot, seed=seed, classnames=classnames
    )
    out["details"].update(
        {
            "C": best_c,
            "c_search": log,
            "selection_metric": metric,
            "n_train": int(len(y_train)),
            "n_val": int(len(y_val)),
        }
    )
    return out
