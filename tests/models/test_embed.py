"""encode_images / encode_texts: shapes, normalisation, input kinds, memmap streaming."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from litclip.models import encode_images, encode_texts, load_model


@pytest.fixture(scope="module")
def micro():
    return load_model("litclip-micro")


def _imgs(n: int) -> list[Image.Image]:
    rng = np.random.default_rng(1)
    return [Image.fromarray(rng.integers(0, 255, (33, 47), dtype=np.uint8)) for _ in range(n)]


def test_images_normalised_and_batch_independent(micro) -> None:
    imgs = _imgs(7)
    a = encode_images(micro, imgs, batch_size=3, progress=False)
    b = encode_images(micro, imgs, batch_size=7, progress=False)
    assert a.shape == (7, 64) and a.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(a, b, atol=1e-5)
    # Matches a bare open_clip forward pass on the same preprocessing.
    with torch.no_grad():
        x = torch.stack([micro.preprocess_val(i.convert("RGB")) for i in imgs])
        ref = torch.nn.functional.normalize(micro.model.encode_image(x), dim=-1).numpy()
    np.testing.assert_allclose(a, ref, atol=1e-5)


def test_paths_and_tuples(micro, tmp_path) -> None:
    imgs = _imgs(3)
    paths = []
    for i, img in enumerate(imgs):
        p = tmp_path / f"{i}.png"
        img.save(p)
        paths.append(p)
    from_paths = encode_images(micro, paths, progress=False)
    from_tuples = encode_images(micro, [(img, 0) for img in imgs], progress=False)
    np.testing.assert_allclose(from_paths, from_tuples, atol=1e-5)


def test_stream_to_memmap(micro, tmp_path) -> None:
    imgs = _imgs(5)
    out = tmp_path / "emb.npy"
    arr = encode_images(micro, imgs, batch_size=2, out_path=out, progress=False)
    assert isinstance(arr, np.memmap) or arr.base is not None
    np.testing.assert_allclose(np.load(out), encode_images(micro, imgs, progress=False), atol=1e-5)
    assert not list(tmp_path.glob(".*.tmp")), "temporary file left behind"


def test_texts(micro) -> None:
    t = encode_texts(micro, ["a", "b c", "d"], batch_size=2, progress=False)
    assert t.shape == (3, 64)
    np.testing.assert_allclose(np.linalg.norm(t, axis=1), 1.0, atol=1e-5)
    assert not np.allclose(t[0], t[1])


def test_padding_trimmed_only_for_hf_towers(micro) -> None:
    """Cutting all-padding columns changes nothing but speed (Hugging Face towers only)."""
    from litclip.models.embed import text_pad_id, trim_padding

    assert text_pad_id(micro) is None  # open_clip's own tower reads the EOT token: keep 77
    tiny = load_model("litclip-tiny")
    pad = text_pad_id(tiny)
    assert pad is not None
    texts = ["axial MRI of a glioma in the left frontal lobe", "chest radiograph", "CT"]
    tokens = tiny.tokenizer(texts)
    trimmed = trim_padding(tokens, pad)
    assert trimmed.shape[1] < tokens.shape[1] and (tokens[:, trimmed.shape[1] :] == pad).all()
    with torch.no_grad():
        full = torch.nn.functional.normalize(tiny.model.encode_text(tokens), dim=-1)
    np.testing.assert_allclose(encode_texts(tiny, texts, progress=False), full.numpy(), atol=1e-5)


@pytest.mark.parametrize("precision", ["fp16", "bf16"])
def test_low_precision_weights_embed_on_cpu(micro, precision: str) -> None:
    """fp16/bf16 weights take inputs of their dtype (autocast is CUDA only here)."""
    low = load_model("litclip-micro", precision=precision)
    imgs = _imgs(4)
    a = encode_images(micro, imgs, progress=False)
    b = encode_images(low, imgs, progress=False)
    assert b.dtype == np.float32
    assert (a * b).sum(1).min() > 0.99


def test_unknown_precision_is_refused() -> None:
    from litclip.models.loading import ModelLoadError

    with pytest.raises(ModelLoadError, match="unknown precision 'fp8'"):
        load_model("litclip-micro", precision="fp8")
