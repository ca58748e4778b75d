"""Threshold calibration: hand-computed best F1, validation-only fitting, multi-class T/bias."""

from __future__ import annotations

import numpy as np
import pytest

from litclip.evaluate import calibration


def test_best_threshold_by_hand() -> None:
    # scores sorted: thresholds 0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2
    y = np.array([1, 1, 0, 1, 0, 1, 0])
    s = np.array([0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2])
    # F1 by hand (P=4): t=.9: tp1 fp0 -> 2/(1+0+4)=.4; t=.8: 4/6=.667; t=.7: 4/7=.571;
    # t=.6: 6/8=.75; t=.4: 6/9=.667; t=.3: 8/10=.8; t=.2: 8/11=.727 -> best t=0.3
    curve = calibration.threshold_curve(y, s)
    np.testing.assert_allclose(curve["f1"], [0.4, 4 / 6, 4 / 7, 0.75, 6 / 9, 0.8, 8 / 11])
    assert calibration.best_threshold(y, s, "f1") == pytest.approx(0.3)
    # Youden J = tpr - fpr: t=.8: .5-0 = .5; t=.6: .75-.333=.417; t=.3: 1-.667=.333 -> t=0.8
    assert calibration.best_threshold(y, s, "youden") == pytest.approx(0.8)


def _logits(p1: np.ndarray) -> np.ndarray:
    p1 = np.clip(p1, 1e-6, 1 - 1e-6)
    return np.stack([np.zeros_like(p1), np.log(p1 / (1 - p1))], 1)


def test_threshold_depends_on_validation_only() -> None:
    rng = np.random.default_rng(0)
    yv, yt = rng.integers(0, 2, 80), rng.integers(0, 2, 60)
    # a model whose scores are shifted low: argmax says "negative" too often
    sv, st = 0.1 + 0.3 * yv + 0.15 * rng.random(80), 0.1 + 0.3 * yt + 0.15 * rng.random(60)
    res = calibration.evaluate(_logits(sv), yv, _logits(st), yt, n_boot=0)
    thr = res["details"]["threshold"]
    assert res["metrics"]["f1"] > res["details"]["before"]["f1"]
    # scrambling the TEST labels changes test metrics but never the fitted threshold
    res2 = calibration.evaluate(_logits(sv), yv, _logits(st), 1 - yt, n_boot=0)
    assert res2["details"]["threshold"] == thr
    assert res2["metrics"]["f1"] != res["metrics"]["f1"]
    # changing the VALIDATION labels does change it
    res3 = calibration.evaluate(_logits(sv), 1 - yv, _logits(st), yt, n_boot=0)
    assert res3["details"]["threshold"] != thr
    # the threshold leaves the probabilities as they were: their ECE (zero-shot's, in
    # "before") is not shown again as if it were a calibrated one
    res4 = calibration.evaluate(_logits(sv), yv, _logits(st), yt, n_boot=50)
    assert "ece" not in res4["metrics"] and "ece" not in res4["ci95"]
    assert "ece" in res4["details"]["before"] and "f1" in res4["ci95"]


def test_multiclass_bias_and_temperature_fitted_on_val() -> None:
    rng = np.random.default_rng(1)
    n, c = 600, 3
    y = rng.integers(0, c, n)
    clean = np.eye(c)[y] * 2.0 + rng.normal(0, 1.0, (n, c))
    biased = 5.0 * clean + np.array([6.0, 0.0, 0.0])  # overconfident and biased to class 0
    params = calibration.fit_temperature_bias(biased[:300], y[:300])
    assert params["temperature"] > 2.0
    assert params["bias"][0] < params["bias"][1] and params["bias"][0] < params["bias"][2]
    res = calibration.evaluate(biased[:300], y[:300], biased[300:], y[300:], n_boot=0)
    assert (
        res["metrics"]["balanced_accuracy"] > res["details"]["before"]["balanced_accuracy"] + 0.05
    )
    assert res["metrics"]["ece"] < res["details"]["before"]["ece"]


def test_rejects_bad_criterion_and_single_class() -> None:
    with pytest.raises(ValueError, match="criterion"):
        calibration.best_threshold(np.array([0, 1]), np.array([0.1, 0.9]), "accuracy")
    with pytest.raises(ValueError, match="both classes"):
        calibration.best_threshold(np.array([1, 1]), np.array([0.1, 0.9]))


def test_a_constant_f1_rule_is_flagged() -> None:
    """80% positives and uninformative scores: F1's best rule is 'always positive'."""
    rng = np.random.default_rng(1)
    yv, yt = (rng.random(200) < 0.8).astype(int), (rng.random(100) < 0.8).astype(int)
    sv, st = rng.random(200), rng.random(100)
    res = calibration.evaluate(_logits(sv), yv, _logits(st), yt, n_boot=0)
    assert "a (nearly) constant rule" in res["details"]["warning"]
    good = calibration.evaluate(_logits(0.2 + 0.6 * yv), yv, _logits(0.2 + 0.6 * yt), yt, n_boot=0)
    assert "warning" not in good["details"]


def test_a_constant_multiclass_rule_is_flagged() -> None:
    """Scores without signal: the fit flattens them (T large) and the biases pick the most
    common class for every image; the report says so instead of a bare T=462817."""
    rng = np.random.default_rng(2)
    c = 4
    yv, yt = rng.choice(c, 300, p=[0.4, 0.2, 0.2, 0.2]), rng.choice(c, 100, p=[0.4, 0.2, 0.2, 0.2])
    noise_v, noise_t = rng.normal(0, 3.0, (300, c)), rng.normal(0, 3.0, (100, c))
    res = calibration.evaluate(noise_v, yv, noise_t, yt, n_boot=0, classnames=list("abcd"))
    assert res["details"]["temperature"] > 10
    warning = res["details"]["warning"]
    assert "of validation images 'a': a (nearly) constant rule" in warning
    # the temperature as the report's table gives it (4 significant digits, not 3)
    assert f"(T={res['details']['temperature']:.4g})" in warning
    rng = np.random.default_rng(1)
    y = rng.integers(0, c, 400)
    signal = np.eye(c)[y] * 3.0 + rng.normal(0, 1.0, (400, c))
    good = calibration.evaluate(signal[:300], y[:300], signal[300:], y[300:], n_boot=0)
    assert "warning" not in good["details"]
