"""load_model: built-ins, specs, errors and the offline hub message."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
import torch

from litclip.errors import ModelLoadError
from litclip.models import OFFLINE_HELP, list_builtin_models, list_models, load_model, loading


def test_builtin_models_listed() -> None:
    assert {"litclip-micro", "litclip-tiny"} <= set(list_builtin_models())
    assert "ViT-B-32" in list_models()


def test_micro_loads_offline_and_is_consistent() -> None:
    lm = load_model("litclip-micro")
    assert lm.embed_dim == 64
    assert lm.model_name == "litclip-micro"
    tokens = lm.tokenizer(["axial T2 MRI", "a CT"])
    assert tokens.shape == (2, 32)
    x = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        img = lm.model.encode_image(x)
        txt = lm.model.encode_text(tokens)
    assert img.shape == (2, 64) and txt.shape == (2, 64)
    assert not lm.model.training


def test_tiny_uses_pretrained_minilm_text_tower() -> None:
    lm = load_model("litclip-tiny")
    assert lm.embed_dim == 256
    assert lm.hf_text_path and "minilm" in lm.hf_text_path.lower()
    # Pretrained transformer: the two loads share text weights; image towers are random.
    lm2 = load_model("litclip-tiny")
    t1 = lm.model.text.transformer.embeddings.word_embeddings.weight
    t2 = lm2.model.text.transformer.embeddings.word_embeddings.weight
    assert torch.equal(t1, t2)


def test_unknown_spec_errors_are_clear() -> None:
    with pytest.raises(ModelLoadError, match="unknown model"):
        load_model("no-such-model")
    with pytest.raises(ModelLoadError, match="not a pretrained tag|neither a pretrained tag"):
        load_model("ViT-B-32:no-such-tag")
    with pytest.raises(ModelLoadError, match="does not exist"):
        load_model("./missing/model/dir")


def test_not_a_model_dir(tmp_path) -> None:
    with pytest.raises(ModelLoadError, match="open_clip_config.json is missing"):
        load_model(tmp_path)


def test_hub_unreachable_fails_fast_with_offline_help(monkeypatch) -> None:
    # Simulate an offline machine regardless of where the test runs.
    monkeypatch.setattr(loading, "_hub_reachable", lambda host, timeout=3.0: False)
    start = time.monotonic()
    with pytest.raises(ModelLoadError) as info:
        load_model("hf-hub:microsoft/BiomedCLIP-PubMedBERT_256-vit_base_patch16_224")
    assert time.monotonic() - start < 30
    message = str(info.value)
    assert "unreachable" in message and "litclip-tiny" in message
    assert OFFLINE_HELP in message


def test_openai_tag_offline_message(monkeypatch) -> None:
    monkeypatch.setattr(loading, "_hub_reachable", lambda host, timeout=3.0: False)
    with pytest.raises(ModelLoadError, match="unreachable"):
        load_model("ViT-B-32:openai")


def test_weights_file_spec(tmp_path) -> None:
    from safetensors.torch import save_file

    lm = load_model("litclip-micro")
    with torch.no_grad():
        for p in lm.model.parameters():
            p.add_(0.01)
    path = tmp_path / "w.safetensors"
    save_file({k: v.contiguous() for k, v in lm.model.state_dict().items()}, str(path))
    lm2 = load_model(f"litclip-micro:{path}")
    for (k, a), (_, b) in zip(
        lm.model.state_dict().items(), lm2.model.state_dict().items(), strict=True
    ):
        assert torch.equal(a, b), k
    with pytest.raises(ModelLoadError, match="does not exist"):
        load_model(f"litclip-micro:{tmp_path / 'missing.safetensors'}")


def test_builtin_init_is_deterministic_and_leaves_global_rng_alone() -> None:
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = load_model("litclip-micro").model.state_dict()
    after = torch.rand(1)
    b = load_model("litclip-micro").model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert torch.equal(before, after), "loading must not consume the caller's random stream"


def test_open_clip_arch_with_a_weights_file(tmp_path, monkeypatch) -> None:
    """``ViT-B-16:/path/weights.pt`` names the architecture: the file goes to open_clip as
    its pretrained weights (it was once refused as "a file" with no architecture)."""
    with pytest.raises(ModelLoadError, match="weights file .* does not exist"):
        load_model(f"ViT-B-16:{tmp_path / 'missing.pt'}")
    weights = tmp_path / "w.pt"
    weights.write_bytes(b"")
    seen = {}

    def fake(spec, name, pretrained, device, precision):  # noqa: ANN001, ANN202
        seen.update(name=name, pretrained=pretrained)
        return "loaded"

    monkeypatch.setattr(loading, "_load_open_clip", fake)
    assert load_model(f"ViT-B-16:{weights}") == "loaded"
    assert seen == {"name": "ViT-B-16", "pretrained": str(weights)}
    with pytest.raises(ModelLoadError, match="is a file"):
        load_model(weights)


@pytest.mark.timeout(60)
def test_a_bare_architecture_is_marked_random_init() -> None:
    """`--model ViT-B-32` is open_clip's untrained network, not CLIP: train says so."""
    assert load_model("ViT-S-32-alt").meta == {"random_init": True}
    assert "random_init" not in load_model("litclip-micro").meta


def _write_bad_weights(folder) -> dict:  # noqa: ANN001
    """Weights files that are not weights, by what is wrong with them."""
    folder.mkdir(exist_ok=True)
    (folder / "garbage.pt").write_bytes(b"garbage\n")
    (folder / "empty.pt").write_bytes(b"")
    torch.save([1, 2], folder / "list.pt")
    torch.save({"a": torch.zeros(2)}, folder / "other.pt")
    return {
        "garbage.pt": "truncated or not a PyTorch or safetensors weights file",
        "empty.pt": "truncated or not a PyTorch",
        "list.pt": "does not hold a state dict",
        "other.pt": "do not fit this architecture .*Missing key",
    }


def test_a_bad_weights_file_is_a_user_error_naming_it(tmp_path, monkeypatch) -> None:
    """`NAME:/path/file.pt` with a file that is no weights ended in torch's UnpicklingError,
    EOFError or AttributeError tracebacks."""
    problems = _write_bad_weights(tmp_path)
    for file, problem in problems.items():
        with pytest.raises(
            ModelLoadError,
            match=f"'{re.escape(str(tmp_path / file))}' for litclip-micro: .*{problem}",
        ):
            load_model(f"litclip-micro:{tmp_path / file}")
    # an open_clip architecture: open_clip reads the file (a tiny model stands in for ViT-B-32)
    import open_clip
    from open_clip.factory import load_checkpoint

    def create(name, pretrained, **kw):  # noqa: ANN001, ANN003, ANN202
        load_checkpoint(load_model("litclip-micro").model, pretrained)

    monkeypatch.setattr(open_clip, "create_model_and_transforms", create)
    with pytest.raises(
        ModelLoadError, match=f"{re.escape(str(tmp_path / 'garbage.pt'))}' for ViT-B-32: .*not a"
    ):
        load_model(f"ViT-B-32:{tmp_path / 'garbage.pt'}")


def test_a_broken_model_dir_is_a_user_error_naming_the_file(tmp_path) -> None:
    """A truncated safetensors file or hand-broken JSON in a model dir were tracebacks
    (SafetensorError, JSONDecodeError) in every command that takes --model."""
    from litclip.models import save_model

    good = save_model(load_model("litclip-micro"), tmp_path / "good")

    def broken(name: str, file: str, content: bytes | None = None) -> Path:
        folder = shutil.copytree(good, tmp_path / name)
        data = (folder / file).read_bytes()
        (folder / file).write_bytes(data[: len(data) // 2] if content is None else content)
        return folder

    cases = [
        (broken("trunc", "open_clip_model.safetensors"), "truncated or not a safetensors"),
        (broken("trunc_head", "open_clip_model.safetensors", b"\x01"), "not a safetensors"),
        (broken("badcfg", "open_clip_config.json", b"{bad"), "is not valid JSON"),
        (broken("listcfg", "open_clip_config.json", b"[1]"), "must hold a JSON object"),
        (broken("nocfg", "open_clip_config.json", b'{"a": 1}'), "has no model_cfg"),
        (broken("badmeta", "litclip.json", b"{bad"), "is not valid JSON"),
    ]
    for folder, problem in cases:
        with pytest.raises(ModelLoadError, match=f"'{re.escape(str(folder))}/.*' .*{problem}"):
            load_model(folder)
