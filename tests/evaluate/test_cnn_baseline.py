"""CNN baseline: offline fallback to from-scratch, training with val selection on a tiny set."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from litclip.evaluate import cnn_baseline


@pytest.fixture(autouse=True)
def _no_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cnn_baseline, "_hub_reachable", lambda timeout=3.0: False)


def test_pretrained_auto_falls_back_offline() -> None:
    model, pretrained = cnn_baseline.create_model("resnet18", 3, "auto")
    assert pretrained is False
    assert model.eval()(torch.zeros(1, 3, 28, 28)).shape == (1, 3)
    convnext, _ = cnn_baseline.create_model("convnext_tiny", 2, "no")
    assert convnext.eval()(torch.zeros(1, 3, 64, 64)).shape == (1, 2)
    with pytest.raises(ValueError, match="unknown CNN"):
        cnn_baseline.create_model("vgg99", 2)


def test_augment_batch_keeps_shape_and_range() -> None:
    x = torch.randint(0, 256, (5, 3, 28, 28), dtype=torch.uint8)
    out = cnn_baseline.augment_batch(x, torch.Generator().manual_seed(0))
    assert out.shape == (5, 3, 28, 28) and out.min() >= 0 and out.max() <= 255
    assert not torch.equal(out, x.float())


@pytest.mark.timeout(90)
def test_train_select_and_evaluate(image_factory) -> None:  # noqa: ANN001
    rng = np.random.default_rng(0)

    def split(n: int) -> list:
        return [(image_factory(i % 2, rng, 28), i % 2) for i in range(n)]

    cfg = cnn_baseline.CNNConfig(epochs=2, batch_size=16, lr=3e-3, pretrained="no")
    res = cnn_baseline.evaluate(
        split(48), split(20), split(20), cfg, n_boot=20, classnames=["a", "b"]
    )
    d = res["details"]
    assert d["pretrained"] is False and d["img_size"] == 28
    assert len(d["history"]) == 2
    assert d["best_epoch"] == max(d["history"], key=lambda h: h["val_score"])["epoch"]
    assert 0 <= d["threshold"] <= 1
    assert res["metrics"]["accuracy"] >= 0.8  # bright disc vs dark noise is easy
    assert set(res["ci95"]) >= {"accuracy", "f1"}


def test_pretrained_yes_offline_is_a_user_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from litclip.errors import LitclipError

    monkeypatch.setattr(cnn_baseline, "_cached_weights", lambda arch: None)
    assert not cnn_baseline.pretrained_available("resnet18")
    with pytest.raises(LitclipError, match="not available offline"):
        cnn_baseline.create_model("resnet18", 2, "yes")
