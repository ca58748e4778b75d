"""Parameter groups (per-tower lr, no decay on gains/biases/scale) and the schedule."""

from __future__ import annotations

import pytest
import torch

from litclip.models import load_model
from litclip.train.optim import cosine_with_warmup, param_groups


def test_groups_lrs_and_decay() -> None:
    model = load_model("litclip-micro").model
    groups = {
        g["group"]: g
        for g in param_groups(model, lr=1.0, weight_decay=0.1, image_lr_mult=2.0, text_lr_mult=0.1)
    }
    names = {n for g in groups.values() for n in g["names"]}
    assert names == {n for n, p in model.named_parameters() if p.requires_grad}
    assert groups["image/decay"]["lr"] == 2.0 and groups["text/decay"]["lr"] == pytest.approx(0.1)
    assert "text_projection" in groups["head/decay"]["names"] and groups["head/decay"]["lr"] == 1.0
    no_decay = [n for g in groups.values() if g["weight_decay"] == 0 for n in g["names"]]
    assert "logit_scale" in no_decay and all(
        "bias" not in n for n in groups["image/decay"]["names"]
    )
    assert not any(
        n.endswith((".bias", "ln_1.weight"))
        for g in groups.values()
        if g["weight_decay"]
        for n in g["names"]
    )


def test_cosine_with_warmup() -> None:
    f = cosine_with_warmup(4, 20)
    assert [f(i) for i in range(4)] == [0.25, 0.5, 0.75, 1.0]
    assert (
        f(12) == pytest.approx(0.5) and f(20) == pytest.approx(0.0) and f(30) == pytest.approx(0.0)
    )


def test_a_short_run_warms_up_for_at_most_a_fifth_then_decays() -> None:
    """8 steps with warmup_steps=10 ended at peak lr: the whole run was warm-up."""
    from litclip.train import TrainConfig
    from litclip.train.losses import Objective
    from litclip.train.setup import prepare_optim

    model = load_model("litclip-micro").model
    cfg = TrainConfig(model="litclip-micro", warmup_steps=10, lr=1.0)
    _, sched = prepare_optim(cfg, model, Objective("clip", torch.nn.Identity()), 8)
    lrs = [sched.lr_lambdas[0](step) for step in range(8)]
    assert lrs[0] == pytest.approx(1.0)  # warmup of one step (8 // 5)
    assert lrs[-1] < 0.1  # decayed, not at peak
