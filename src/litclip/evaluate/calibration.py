"""Decision calibration fitted on the validation split only (Tong et al.'s lesson).

Binary tasks: choose the threshold on ``p(class 1)`` that maximises F1 (or Youden's J) on
validation, then report test metrics with the default argmax rule (before) and with that
threshold (after). Multi-class tasks: fit a temperature and per-class biases on validation
logits by minimising the negative log-likelihood, then apply them to test.
Test labels never reach a fitting function: they only go to the metric code.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import roc_curve

from litclip.evaluate.metrics import evaluate_predictions
from litclip.evaluate.zeroshot import softmax

CRITERIA = ("f1", "youden")


def threshold_curve(y_true: np.ndarray, scores: np.ndarray) -> dict[str, np.ndarray]:
    """F1 and Youden's J of the rule ``score >= t`` for every distinct score ``t`` (descending)."""
    y_true = np.asarray(y_true) == 1
    with warnings.catch_warnings():  # one class (a test split of positives): NaN rates, said
        warnings.simplefilter("ignore", UndefinedMetricWarning)  # in the report, not stderr
        fpr, tpr, thr = roc_curve(y_true, scores, drop_intermediate=False)
    fpr, tpr, thr = fpr[1:], tpr[1:], thr[1:]  # first threshold is +inf (nothing positive)
    pos, neg = y_true.sum(), (~y_true).sum()
    tp, fp = tpr * pos, fpr * neg
    denom = tp + fp + pos
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    return {"threshold": thr, "f1": f1, "youden": tpr - fpr, "tpr": tpr, "fpr": fpr}


def best_threshold(y_val: np.ndarray, scores_val: np.ndarray, criterion: str = "f1") -> float:
    """The validation score threshold maximising ``criterion`` (``f1`` or ``youden``).

    Ties go to the highest threshold (the most conservative rule reaching the best value).
    """
    if criterion not in CRITERIA:
        raise ValueError(f"criterion must be one of {CRITERIA}, got {criterion!r}")
    y_val = np.asarray(y_val)
    if len(np.unique(y_val)) < 2:
        raise ValueError("threshold calibration needs both classes in the validation split")
    curve = threshold_curve(y_val, scores_val)
    return float(curve["threshold"][int(np.argmax(curve[criterion]))])


def fit_temperature_bias(logits_val: np.ndarray, y_val: np.ndarray, l2: float = 1e-3) -> dict:
    """Temperature ``T`` and per-class bias ``b`` minimising NLL of ``softmax(z / T + b)``.

    A small L2 penalty on ``b`` keeps classes absent from validation from drifting to -inf.
    """
    from scipy.optimize import minimize

    z, y = np.asarray(logits_val, np.float64), np.asarray(y_val)
    n, c = z.shape
    onehot = np.eye(c)[y]

    def nll(params: np.ndarray) -> tuple[float, np.ndarray]:
        inv_t, b = np.exp(-params[0]), params[1:]
        logp = _log_softmax(z * inv_t + b)
        p = np.exp(logp)
        diff = (p - onehot) / n
        grad_b = diff.sum(axis=0) + 2 * l2 * b
        grad_logt = -(diff * z * inv_t).sum()
        return float(-(logp * onehot).sum() / n + l2 * (b @ b)), np.concatenate(
            [[grad_logt], grad_b]
        )

    res = minimize(nll, np.zeros(c + 1), jac=True, method="L-BFGS-B")
    return {"temperature": float(np.exp(res.x[0])), "bias": res.x[1:].tolist()}


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def apply_temperature_bias(logits: np.ndarray, params: dict) -> np.ndarray:
    """Calibrated probabilities ``softmax(logits / T + b)``."""
    z = np.asarray(logits, np.float64) / params["temperature"] + np.asarray(params["bias"])
    return softmax(z)


def _thin(curve: dict[str, np.ndarray], max_points: int = 200) -> dict[str, list[float]]:
    n = len(curve["threshold"])
    keep = np.unique(np.linspace(0, n - 1, min(n, max_points)).round().astype(int))
    return {k: np.round(np.asarray(v)[keep], 5).tolist() for k, v in curve.items()}


def evaluate(
    logits_val: np.ndarray,
    y_val: np.ndarray,
    logits_test: np.ndarray,
    y_test: np.ndarray,
    criterion: str = "f1",
    n_boot: int = 1000,
    seed: int = 0,
    classnames: list[str] | None = None,
) -> dict:
    """Calibrate on validation, report test before/after: ``{"metrics", "ci95", "details"}``.

    ``metrics``/``ci95`` describe the calibrated rule; ``details["before"]`` holds the
    uncalibrated test metrics, ``details["threshold"]`` (binary) or
    ``details["temperature"]``/``details["bias"]`` (multi-class) the fitted parameters, and
    ``details["threshold_curve"]`` the validation and test F1/J along the threshold.
    """
    probs_val, probs_test = softmax(np.asarray(logits_val)), softmax(np.asarray(logits_test))
    before = evaluate_predictions(y_test, probs_test, n_boot=0, classnames=classnames)
    if probs_test.shape[1] == 2:
        thr = best_threshold(y_val, probs_val[:, 1], criterion)
        out = evaluate_predictions(y_test, probs_test, thr, n_boot, seed, classnames)
        # a threshold leaves the probabilities as they were: their ECE is zero-shot's (in
        # "before"), not a calibrated one
        out["metrics"].pop("ece", None)
        out["ci95"].pop("ece", None)
        val_curve = _thin(threshold_curve(y_val, probs_val[:, 1]))
        test_curve = threshold_curve(y_test, probs_test[:, 1])  # plotted only, never used to fit
        out["details"]["threshold_curve"] = {"val": val_curve, "test": _thin(test_curve)}
        out["details"]["criterion"] = criterion
        out["details"]["val_metrics_at_threshold"] = evaluate_predictions(
            y_val, probs_val, thr, n_boot=0
        )["metrics"]
        # F1 rewards "always positive" when positives are common: say so when the rule is it
        positive_rate = float((probs_val[:, 1] >= thr).mean())
        if positive_rate >= 0.98 or positive_rate <= 0.02:
            out["details"]["warning"] = (
                f"the {criterion} threshold calls {positive_rate:.1%} of validation images "
                "positive: a (nearly) constant rule; youden is the criterion for a rule "
                "that separates the classes"
            )
    else:
        params = fit_temperature_bias(logits_val, y_val)
        out = evaluate_predictions(
            y_test, apply_temperature_bias(logits_test, params), None, n_boot, seed, classnames
        )
        out["details"].update(params)
        out["details"]["criterion"] = "nll"
        # a model whose scores carry no signal on validation gets a temperature that flattens
        # them (T in the thousands): the biases alone then pick one class for every image
        calls = np.bincount(
            apply_temperature_bias(logits_val, params).argmax(axis=1), minlength=probs_val.shape[1]
        )
        top = int(calls.argmax())
        share = float(calls[top] / max(calls.sum(), 1))
        if share >= 0.98:
            name = classnames[top] if classnames and top < len(classnames) else f"class {top}"
            out["details"]["warning"] = (
                f"the fitted temperature (T={params['temperature']:.4g}) and class biases call "
                f"{share:.1%} of validation images '{name}': a (nearly) constant rule, the "
                "model's scores carry little signal for this task"
            )
    out["details"]["before"] = before["metrics"]
    out["details"]["before_confusion_matrix"] = before["details"]["confusion_matrix"]
    return out
