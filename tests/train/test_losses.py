"""clip / selip / siglip objectives on a real micro-model batch."""

from __future__ import annotations

import pytest
import torch

from litclip.models import load_model
from litclip.train.losses import Objective, create_objective
from litclip.train.similarity import SelipTargets


@pytest.fixture(scope="module")
def batch(pair_factory):
    lm = load_model("litclip-micro")
    pairs = pair_factory(16)
    images = torch.stack([lm.preprocess_val(img) for _, img, _ in pairs])
    captions = [c for _, _, c in pairs]
    return images, lm.tokenizer(captions), captions


@pytest.mark.parametrize("name", ["clip", "selip", "siglip"])
def test_loss_decreases_on_a_real_batch(name: str, batch) -> None:
    images, tokens, captions = batch
    torch.manual_seed(0)
    model = load_model("litclip-micro").model.train()
    model.output_dict = True
    objective = create_objective(
        name, targets=lambda: SelipTargets(captions, weight=1.0, threshold=0.4)
    )
    params = list(model.parameters()) + list(objective.parameters())
    opt = torch.optim.AdamW(params, lr=1e-3)
    losses = []
    for _ in range(6):
        loss = objective(model(images, tokens), list(range(16)))["loss"]
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    assert all(torch.isfinite(torch.tensor(losses)))
    assert losses[-1] < 0.9 * losses[0], losses


def _features(n: int = 6, seed: int = 0) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    f = torch.nn.functional.normalize
    return {
        "image_features": f(torch.randn(n, 8, generator=g), dim=-1),
        "text_features": f(torch.randn(n, 8, generator=g), dim=-1),
        "logit_scale": torch.tensor(10.0),
    }


def test_selip_equals_clip_with_hard_targets() -> None:
    # P = I makes each KL term the matching cross-entropy, so SeLIP = (CE + CE) / 2: half
    # InfoNCE plus half KL, as REFERENCES.md has it (it was their sum, twice CLIP's loss)
    captions = ["aaaa bbbb", "cccc dddd", "eeee ffff", "gggg hhhh", "iiii jjjj", "kkkk llll"]
    targets = SelipTargets(captions, weight=1.0, threshold=0.5)
    assert torch.equal(targets.targets(range(6)), torch.eye(6))
    out = _features()
    clip = create_objective("clip")(out, range(6))["loss"]
    selip = create_objective("selip", targets=lambda: targets)(out, range(6))
    torch.testing.assert_close(selip["loss"], clip)
    torch.testing.assert_close(selip["contrastive_loss"], clip)


def test_selip_soft_targets_change_the_loss_only_for_similar_captions() -> None:
    captions = ["aaaa bbbb", "aaaa bbbb", "eeee ffff", "gggg hhhh", "iiii jjjj", "kkkk llll"]
    targets = SelipTargets(captions, weight=1.0, threshold=0.5)
    p = targets.targets(range(6))
    assert torch.allclose(p[:2, :2], torch.full((2, 2), 0.5)) and torch.equal(
        p[2:, 2:], torch.eye(4)
    )
    out = _features()
    selip = create_objective("selip", targets=lambda: targets)(out, range(6))
    clip = create_objective("clip")(out, range(6))["loss"]
    assert not torch.isclose(selip["loss"], 2 * clip)


def test_siglip_owns_a_bias_when_the_model_has_none() -> None:
    obj = create_objective("siglip")
    assert isinstance(obj, Objective) and obj.logit_bias.item() == -10.0
    loss = obj(_features(), range(6))["loss"]
    loss.backward()
    assert obj.logit_bias.grad is not None and torch.isfinite(loss)


def test_unknown_loss() -> None:
    with pytest.raises(ValueError, match="unknown loss"):
        create_objective("triplet")
