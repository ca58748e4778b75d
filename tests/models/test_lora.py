"""LoRA: only adapters train, and the merged export equals the adapted model."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from litclip.errors import LitclipError
from litclip.models import load_model, save_model
from litclip.models.lora import apply_lora, lora_parameters, merged_model, target_regex


@pytest.fixture(autouse=True, scope="module")
def _one_thread() -> None:
    torch.set_num_threads(1)  # a shared 2-core box: spinning intra-op threads only slow it down


def _inputs(lm):
    g = torch.Generator().manual_seed(0)
    return torch.randn(4, 3, 32, 32, generator=g), lm.tokenizer(
        ["a red square", "a blue band", "x", "y"]
    )


def _clip_loss(model, images, tokens) -> torch.Tensor:
    img = torch.nn.functional.normalize(model.encode_image(images), dim=-1)
    txt = torch.nn.functional.normalize(model.encode_text(tokens), dim=-1)
    logits = 10 * img @ txt.T
    labels = torch.arange(len(img))
    return torch.nn.functional.cross_entropy(logits, labels)


def test_only_adapters_train_and_merged_export_matches(tmp_path: Path) -> None:
    torch.manual_seed(0)
    lm = load_model("litclip-micro")
    plain_keys = set(lm.model.state_dict())
    base = {k: v.clone() for k, v in lm.model.state_dict().items()}
    wrapper = apply_lora(lm.model, rank=4, alpha=8)
    trainable = [n for n, p in lm.model.named_parameters() if p.requires_grad]
    assert trainable and trainable == lora_parameters(lm.model)
    assert any(".attn." in n for n in trainable) and any("c_fc" in n for n in trainable)

    images, tokens = _inputs(lm)
    opt = torch.optim.AdamW([p for p in lm.model.parameters() if p.requires_grad], lr=1e-2)
    for _ in range(3):
        opt.zero_grad()
        _clip_loss(lm.model, images, tokens).backward()
        opt.step()

    lm.model.eval()
    merged = merged_model(wrapper).eval()
    assert set(merged.state_dict()) == plain_keys
    assert any(
        not torch.equal(merged.state_dict()[k], base[k]) for k in plain_keys
    )  # adapters did learn
    with torch.no_grad():
        torch.testing.assert_close(
            merged.encode_image(images), lm.model.encode_image(images), atol=1e-5, rtol=1e-4
        )
        torch.testing.assert_close(
            merged.encode_text(tokens), lm.model.encode_text(tokens), atol=1e-5, rtol=1e-4
        )
        adapted = lm.model.encode_image(images)
    # The export is a plain open_clip model dir.
    out = save_model(lm, tmp_path / "m", model=merged)
    again = load_model(str(out))
    with torch.no_grad():
        torch.testing.assert_close(again.model.encode_image(images), adapted, atol=1e-5, rtol=1e-4)


def test_targets_per_tower() -> None:
    lm = load_model("litclip-micro")
    names = [n for n, _ in lm.model.named_modules()]
    import re

    image_only = [n for n in names if re.match(target_regex(["image"]), n)]
    assert image_only and all(n.startswith("visual.") for n in image_only)
    text_only = [n for n in names if re.match(target_regex(["text"], ["mlp.c_fc"]), n)]
    assert text_only and all(n.startswith("transformer.") and n.endswith("c_fc") for n in text_only)
    hf = "text.transformer.encoder.layer.3.attention.self.query"
    assert re.match(target_regex(["text"]), hf) and not re.match(target_regex(["image"]), hf)
    # a user error naming what a block holds, not a traceback (CLIP-LoRA's q_proj/v_proj)
    with pytest.raises(LitclipError, match="match no module") as exc:
        apply_lora(lm.model, towers=["image"], targets=["q_proj"])
    assert "attn, mlp.c_fc, mlp.c_proj" in str(exc.value)


def test_a_target_error_lists_only_the_chosen_towers_modules() -> None:
    """Asked for the image tower, it listed the MiniLM text tower's attention.self.query too:
    the very target that had just matched nothing there."""
    from litclip.models import load_model

    lm = load_model("litclip-tiny")
    with pytest.raises(LitclipError, match="match no module") as exc:
        apply_lora(lm.model, towers=["image"], targets=["query"])
    listed = str(exc.value).split("are ")[1]
    assert "attn" in listed and "query" not in listed
